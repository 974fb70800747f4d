#!/usr/bin/env bats
# Every number of every lesson at each end of its range, read from its own
# --help: accepted, shown as given, and run.  (options.bats feeds each
# option malformed values.)

load helpers
load option_helpers

# Work a lesson does in real time, which --speed cannot shorten, made small
# for every run unless it is the option under test: gil's default
# countdowns, five runs of them, took over 120 s beside two busy loops.
real_time_work() {
    case $1 in
    gil) [ "$2" = countdown ] || echo --countdown 2000000 ;;
    process) [ "$2" = starts ] || echo --starts 5 ;; # 5 rounds of 200 starts of 4 kinds: 1.5 s of CPU
    esac
}

@test "each lesson below is tested: the list of lessons and the tests agree" {
    local lesson
    for lesson in $(lessons); do
        grep -q "^@test \"$lesson: every number at each end" "$BATS_TEST_FILENAME" || { echo "no ends test for $lesson"; return 1; }
    done
}

# Every number of one lesson at each end of its range: accepted, shown in
# the header as given, and run; the lowest of each runs to its end.  A
# lesson's speed at its lowest runs, slowly, until SIGTERM stops it: the
# clock honours it, and a stop too.
ends_run() {
    unless_sanitized "thread|address" "runs that check the parser and the plain build: make fuzz puts the parser under ASan and UBSan, and CI's 10 minutes are short"
    local lesson=$1 name type lo hi ends value checked=0 ran=0
    while read -r name type lo hi ends; do
        [ "$ends" != - ] || continue
        case $type in
        N) values="$lo $hi" ;;
        X) [ "$ends" = closed ] && values="$lo $hi" || values="1e-300 $hi" ;; # open: just above its lower end
        *) continue ;;
        esac
        for value in $values; do
            if [ "$name" = speed ] && [ "$value" = "$lo" ]; then
                # a hundred times slower than the article: accepted, shown, and run
                # until SIGTERM after 1 s (race has no sleep to slow, and may end first);
                # how soon a stop takes is signals.bats's to check: here it has 30 s, as
                # mutex's 20000 threads, pinned to one loaded CPU, once took more than 5
                run --separate-stderr timeout --preserve-status -s TERM -k 30 1 "$CONCDEMO" "$lesson" --speed "$lo" </dev/null
                { [ "$status" -eq 143 ] || [ "$status" -eq 0 ]; } && [[ " ${lines[1]} " == *" speed=$lo "* ]] ||
                    { echo "$lesson --speed $lo: exit $status, params: ${lines[1]}, stderr: $stderr"; return 1; }
                checked=$((checked + 1)) ran=$((ran + 1))
                continue
            fi
            cut_run "$lesson" "--$name" "$value" $(real_time_work "$lesson" "$name")
            accepted "$lesson --$name $value"
            [ "$status" -ne 0 ] || ran=$((ran + 1))
            if [ "$status" -eq 0 ]; then
                [[ " $params " == *" $name=$value "* ]] || { echo "$lesson --$name $value: params: $params"; return 1; }
            fi
            checked=$((checked + 1))
        done
        if [ "$type" = N ]; then
            # -0 is 0: refused where 0 is out of range, accepted where it is in
            if [ "$lo" -ge 1 ]; then
                refused "$lesson" "$name" "-0"
            else
                cut_run "$lesson" "--$name" "-0"
                accepted "$lesson --$name -0"
                [[ " $params " == *" $name=0 "* ]]
            fi
        fi
        if [ "$name" != speed ]; then
            # and the lowest value runs to its end: no clock broken, no flood, a result
            value=$lo
            [ "$ends" = closed ] || value=1e-300
            run --separate-stderr timeout -k 5 100 "$CONCDEMO" "$lesson" "--$name" "$value" \
                $(real_time_work "$lesson" "$name") --speed 10000
            case $status in
            0) [[ "$output" == *"result:"* ]] && [ "${#lines[@]}" -lt 3000 ] || { echo "$lesson --$name $value: ${#lines[@]} lines, or no result"; return 1; } ;;
            1 | 2) [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$lesson --$name $value: exit $status, stderr: $stderr"; return 1; } ;;
            *) echo "$lesson --$name $value: exit $status, stderr: $stderr"; return 1 ;;
            esac
        fi
    done < <(options_of "$lesson")
    # the common speed and seed, at two ends each, and the lesson's own
    [ "$checked" -ge 4 ] || { echo "checked $checked"; return 1; }
    [ "$ran" -ge $((checked - 2)) ] || { echo "only $ran of $checked ran"; return 1; }
}

@test "race: every number at each end of its range is accepted, shown as given, and runs" { ends_run race; }
@test "mutex: every number at each end of its range is accepted, shown as given, and runs" { ends_run mutex; }
@test "rlock: every number at each end of its range is accepted, shown as given, and runs" { ends_run rlock; }
@test "semaphore: every number at each end of its range is accepted, shown as given, and runs" { ends_run semaphore; }
@test "event-traffic-light: every number at each end of its range is accepted, shown as given, and runs" { ends_run event-traffic-light; }
@test "condition: every number at each end of its range is accepted, shown as given, and runs" { ends_run condition; }
@test "queue: every number at each end of its range is accepted, shown as given, and runs" { ends_run queue; }
@test "pipe: every number at each end of its range is accepted, shown as given, and runs" { ends_run pipe; }
@test "pool: every number at each end of its range is accepted, shown as given, and runs" { ends_run pool; }
@test "coroutine: every number at each end of its range is accepted, shown as given, and runs" { ends_run coroutine; }
@test "livelock: every number at each end of its range is accepted, shown as given, and runs" { ends_run livelock; }
@test "starvation: every number at each end of its range is accepted, shown as given, and runs" { ends_run starvation; }
@test "daemon: every number at each end of its range is accepted, shown as given, and runs" { ends_run daemon; }
@test "timer: every number at each end of its range is accepted, shown as given, and runs" { ends_run timer; }
@test "barrier: every number at each end of its range is accepted, shown as given, and runs" { ends_run barrier; }
@test "deadlock: every number at each end of its range is accepted, shown as given, and runs" { ends_run deadlock; }
@test "process: every number at each end of its range is accepted, shown as given, and runs" { ends_run process; }
@test "manager: every number at each end of its range is accepted, shown as given, and runs" { ends_run manager; }
@test "gil: every number at each end of its range is accepted, shown as given, and runs" { ends_run gil; }
@test "thread: every number at each end of its range is accepted, shown as given, and runs" { ends_run thread; }
@test "process-lock: every number at each end of its range is accepted, shown as given, and runs" { ends_run process-lock; }
