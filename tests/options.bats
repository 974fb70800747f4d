#!/usr/bin/env bats
# Bad input at scale: every option of every lesson, read from its own --help,
# fed values that must each be refused with exit 2 and one line on stderr,
# before anything runs.  (ranges.bats runs each at the ends of its range.)

load helpers
load option_helpers

# Every option of one lesson, fed malformed values: each refused with one
# line and exit 2.
malformed_refused() {
    unless_sanitized thread "the parser refuses before any thread starts, and ThreadSanitizer watches threads; the ASan build runs these"
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
@test "livelock: malformed values of every option are refused with one line and exit 2" { malformed_refused livelock; }
@test "starvation: malformed values of every option are refused with one line and exit 2" { malformed_refused starvation; }
@test "daemon: malformed values of every option are refused with one line and exit 2" { malformed_refused daemon; }
@test "timer: malformed values of every option are refused with one line and exit 2" { malformed_refused timer; }
@test "barrier: malformed values of every option are refused with one line and exit 2" { malformed_refused barrier; }
@test "deadlock: malformed values of every option are refused with one line and exit 2" { malformed_refused deadlock; }
@test "process: malformed values of every option are refused with one line and exit 2" { malformed_refused process; }
@test "manager: malformed values of every option are refused with one line and exit 2" { malformed_refused manager; }
@test "gil: malformed values of every option are refused with one line and exit 2" { malformed_refused gil; }
@test "thread: malformed values of every option are refused with one line and exit 2" { malformed_refused thread; }
@test "process-lock: malformed values of every option are refused with one line and exit 2" { malformed_refused process-lock; }
