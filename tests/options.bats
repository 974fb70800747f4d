#!/usr/bin/env bats
# Bad input at scale: every option of every lesson, read from its own --help,
# fed values that must each be refused with exit 2 and one line on stderr,
# before anything runs.

load helpers

# "name TYPE min max ENDS" for each option of a lesson, from `concdemo help
# LESSON`.  TYPE is N (whole number), X (decimal), WHICH (a choice), FILE or
# FLAG.  ENDS is "closed" for a range "MIN to MAX", where MIN is allowed,
# "open" for "more than MIN, up to MAX", where it is not, and "-" for none.
options_of() {
    "$CONCDEMO" help "$1" | awk '
        /^result keys:/ { exit } # the options end here
        /^  --[a-z-]+/ {
            if (pending != "") print pending, "-", "-", "-" # it had no range line: a FILE
            name = substr($1, 3); type = ($2 ~ /^(N|X|WHICH|FILE)$/) ? $2 : "FLAG"
            if (type == "FLAG" && name != "help") print name, type, "-", "-", "-"
            pending = (type == "FLAG") ? "" : name " " type
            next
        }
        pending != "" && /default/ {
            lo = "-"; hi = "-"; ends = "-"
            if (match($0, /[0-9.e+]+ to [0-9.e+]+\)/)) { split(substr($0, RSTART, RLENGTH - 1), r, " to "); lo = r[1]; hi = r[2]; ends = "closed" }
            if (match($0, /more than [0-9.]+, up to [0-9.e+]+\)/)) { split(substr($0, RSTART + 10, RLENGTH - 11), r, ", up to "); lo = r[1]; hi = r[2]; ends = "open" }
            print pending, lo, hi, ends; pending = ""
        }
        END { if (pending != "") print pending, "-", "-", "-" }'
}

# The lessons, each tested on its own below, so that the suite's jobs share
# them out; a lesson missing here fails the first test.
lessons() {
    "$CONCDEMO" list | awk '{ print $1 }'
}

# Refused: exit 2, exactly one line on stderr naming the option, nothing on stdout.
refused() {
    local lesson=$1 option=$2 value=$3
    run --separate-stderr "$CONCDEMO" "$lesson" "--$option" "$value"
    if [ "$status" -ne 2 ] || [ "${#stderr_lines[@]}" -ne 1 ] || [ -n "$output" ] || [[ "$stderr" != *"--$option"* ]]; then
        echo "$lesson --$option '${value:0:40}': exit $status, stderr: $stderr, stdout: ${output:0:200}"
        return 1
    fi
}

# Every option of one lesson, fed malformed values: each refused with one
# line and exit 2.
malformed_refused() {
    local lesson=$1 long bad name type lo hi ends value checked=0
    long=$(printf 'x%.0s' $(seq 4096))
    bad=$(printf '\xff\xfe\x80')
        while read -r name type lo hi ends; do
            case $type in
            N)
                for value in "" "-" "--" " " "0x10" "1e3" "+5" "1.5" "$long" "$bad" "99999999999999999999999"; do
                    refused "$lesson" "$name" "$value"
                    checked=$((checked + 1))
                done
                # one past each end of the range
                if [ "$lo" != - ]; then
                    refused "$lesson" "$name" "$(awk -v x="$lo" 'BEGIN { printf "%.0f", x - 1 }')"
                    refused "$lesson" "$name" "$(awk -v x="$hi" 'BEGIN { printf "%.0f", x + 1 }')"
                    checked=$((checked + 2))
                fi
                ;;
            X)
                for value in "" "-" "--" " " "0x10" "inf" "nan" "-1" "1,5" "$long" "$bad" "1e999" "-1e-400" "0e5"; do
                    refused "$lesson" "$name" "$value"
                    checked=$((checked + 1))
                done
                if [ "$ends" = open ]; then
                    refused "$lesson" "$name" "$lo" # more than it
                else # at least it: just below it, and far below, down to what a double cannot hold
                    for value in "$(awk -v x="$lo" 'BEGIN { printf "%.15g", x * 0.99 }')" 1e-300 5e-324 1e-400; do
                        refused "$lesson" "$name" "$value"
                    done
                fi
                refused "$lesson" "$name" "$(awk -v x="$hi" 'BEGIN { printf "%.15g", x * 1.5 + 1 }')"
                checked=$((checked + 2))
                ;;
            WHICH)
                for value in "" "-" "--" " " "ALL" "auto " "$long" "$bad"; do
                    refused "$lesson" "$name" "$value"
                    checked=$((checked + 1))
                done
                ;;
            FILE)
                for value in "" " "; do
                    refused "$lesson" "$name" "$value"
                    checked=$((checked + 1))
                done
                ;;
            FLAG)
                run --separate-stderr "$CONCDEMO" "$lesson" "--$name=yes"
                [ "$status" -eq 2 ] && [ "${#stderr_lines[@]}" -eq 1 ] && [[ "$stderr" == *"--$name takes no value"* ]]
                checked=$((checked + 1))
                ;;
            esac
        done < <(options_of "$lesson")
    # every option was read: the 10 common ones and more, each fed many values
    [ "$checked" -gt 60 ] || { echo "checked $checked"; return 1; }
}

@test "the table reads every option: the common ones, and each lesson's own" {
    run options_of pool
    [[ "$output" == *"workers N 1 64 closed"* ]]
    [[ "$output" == *"task-seconds X 0.1 60 closed"* ]]
    [[ "$output" == *"kind WHICH - - -"* ]]
    [[ "$output" == *"speed X 0.01 10000 closed"* ]]
    [[ "$output" == *"trace FILE - - -"* ]]
    [[ "$output" == *"timeline FLAG - - -"* ]]
    [[ "$output" == *"seed N 0 4294967295 closed"* ]]
    run options_of event-traffic-light
    [[ "$output" == *"car-phase X 0 0.9 open"* ]]
}

@test "each lesson below is tested: the list of lessons and the tests agree" {
    local lesson
    for lesson in $(lessons); do
        grep -q "^@test \"$lesson: malformed values" "$BATS_TEST_FILENAME" || { echo "no malformed test for $lesson"; return 1; }
        grep -q "^@test \"$lesson: every number at each end" "$BATS_TEST_FILENAME" || { echo "no ends test for $lesson"; return 1; }
    done
}

@test "typed text with a newline or control bytes, anywhere it is quoted back: still one line" {
    local nl=$'a\nb\r\e[31mc'
    usage_error "no lesson named 'a?b??[31mc'" "$nl"
    usage_error "help: no lesson named 'a?b" help "$nl"
    usage_error "list: takes no arguments, got 'a?b" list "$nl"
    usage_error "unknown option '--a?b" race "--$nl"
    usage_error "unexpected argument 'a?b" race "$nl"
    usage_error "--threads: 'a?b" race --threads "$nl"
    usage_error "--part: 'a?b" rlock --part "$nl"
    usage_error "--trace: cannot write '/nonexistent/a?b" race --trace "/nonexistent/$nl"
}

# Run a lesson with its output cut after the parameter line: a reader that
# goes away ends a lesson quietly (status 0), so a huge value is accepted and
# shown without running for hours.  Sets status (the lesson's) and params.
cut_run() {
    local out
    local fast=(--speed 10000)
    [ "$2" != --speed ] || fast=() # its own ends are what is tested
    out=$(timeout -k 5 60 "$CONCDEMO" "$@" "${fast[@]}" 2>"$BATS_TEST_TMPDIR/stderr" </dev/null | head -n 2; echo "status ${PIPESTATUS[0]}")
    status=$(tail -n 1 <<<"$out" | cut -d' ' -f2)
    params=$(sed -n 2p <<<"$out")
}

# Accepted: status 0; or one line on stderr with 1 (the system refused a
# resource) or 2 (with the other options' defaults it cannot run: race's
# million iterations for 20000 threads would overflow its int); never a
# crash or a hang.
accepted() {
    local said="$*: exit $status, stderr: $(head -c 200 "$BATS_TEST_TMPDIR/stderr")"
    case $status in
    0) [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "$said"; return 1; } ;;
    1) [ "$(wc -l <"$BATS_TEST_TMPDIR/stderr")" -eq 1 ] || { echo "$said"; return 1; } ;;
    2) # one line, and not the parser refusing the value itself
        [ "$(wc -l <"$BATS_TEST_TMPDIR/stderr")" -eq 1 ] && ! grep -q -- ": --[a-z-]*: '" "$BATS_TEST_TMPDIR/stderr" ||
            { echo "$said"; return 1; } ;;
    *) echo "$said"; return 1 ;;
    esac
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
                # until SIGTERM after 1 s (race has no sleep to slow, and may end first)
                run --separate-stderr timeout --preserve-status -s TERM -k 5 1 "$CONCDEMO" "$lesson" --speed "$lo" </dev/null
                { [ "$status" -eq 143 ] || [ "$status" -eq 0 ]; } && [[ " ${lines[1]} " == *" speed=$lo "* ]] ||
                    { echo "$lesson --speed $lo: exit $status, params: ${lines[1]}, stderr: $stderr"; return 1; }
                checked=$((checked + 1)) ran=$((ran + 1))
                continue
            fi
            cut_run "$lesson" "--$name" "$value"
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
            run --separate-stderr timeout -k 5 100 "$CONCDEMO" "$lesson" "--$name" "$value" --speed 10000
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

@test "race: malformed values of every option are refused with one line and exit 2" { malformed_refused race; }
@test "mutex: malformed values of every option are refused with one line and exit 2" { malformed_refused mutex; }
@test "rlock: malformed values of every option are refused with one line and exit 2" { malformed_refused rlock; }
@test "semaphore: malformed values of every option are refused with one line and exit 2" { malformed_refused semaphore; }
@test "event-traffic-light: malformed values of every option are refused with one line and exit 2" { malformed_refused event-traffic-light; }
@test "condition: malformed values of every option are refused with one line and exit 2" { malformed_refused condition; }
@test "queue: malformed values of every option are refused with one line and exit 2" { malformed_refused queue; }
@test "pipe: malformed values of every option are refused with one line and exit 2" { malformed_refused pipe; }
@test "pool: malformed values of every option are refused with one line and exit 2" { malformed_refused pool; }
@test "coroutine: malformed values of every option are refused with one line and exit 2" { malformed_refused coroutine; }
@test "daemon: malformed values of every option are refused with one line and exit 2" { malformed_refused daemon; }
@test "timer: malformed values of every option are refused with one line and exit 2" { malformed_refused timer; }
@test "gil: malformed values of every option are refused with one line and exit 2" { malformed_refused gil; }
@test "thread: malformed values of every option are refused with one line and exit 2" { malformed_refused thread; }
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
@test "daemon: every number at each end of its range is accepted, shown as given, and runs" { ends_run daemon; }
@test "timer: every number at each end of its range is accepted, shown as given, and runs" { ends_run timer; }
@test "gil: every number at each end of its range is accepted, shown as given, and runs" { ends_run gil; }
@test "thread: every number at each end of its range is accepted, shown as given, and runs" { ends_run thread; }
