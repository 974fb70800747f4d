#!/usr/bin/env bats
# Bad input at scale: every option of every lesson, read from its own --help,
# fed values that must each be refused with exit 2 and one line on stderr,
# before anything runs.

load helpers

# "name TYPE min max" for each option of a lesson, from `concdemo help LESSON`.
# TYPE is N (whole number), X (decimal), WHICH (a choice), FILE or FLAG.
options_of() {
    "$CONCDEMO" help "$1" | awk '
        /^  --[a-z-]+/ {
            if (pending != "") print pending, "-", "-" # it had no range line: a FILE
            name = substr($1, 3); type = ($2 ~ /^(N|X|WHICH|FILE)$/) ? $2 : "FLAG"
            if (type == "FLAG" && name != "help") print name, type, "-", "-"
            pending = (type == "FLAG") ? "" : name " " type
            next
        }
        pending != "" && /default/ {
            lo = "-"; hi = "-"
            if (match($0, /[0-9.e+]+ to [0-9.e+]+\)/)) { split(substr($0, RSTART, RLENGTH - 1), r, " to "); lo = r[1]; hi = r[2] }
            if (match($0, /more than [0-9.]+, up to [0-9.e+]+\)/)) { split(substr($0, RSTART + 10, RLENGTH - 11), r, ", up to "); lo = r[1]; hi = r[2] }
            print pending, lo, hi; pending = ""
        }
        END { if (pending != "") print pending, "-", "-" }'
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

@test "every lesson's every option: malformed values are refused with one line and exit 2" {
    local long bad lesson name type lo hi value checked=0
    long=$(printf 'x%.0s' $(seq 4096))
    bad=$(printf '\xff\xfe\x80')
    for lesson in $("$CONCDEMO" list | awk '{ print $1 }'); do
        while read -r name type lo hi; do
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
                for value in "" "-" "--" " " "0x10" "inf" "nan" "-1" "1,5" "$long" "$bad" "1e999"; do
                    refused "$lesson" "$name" "$value"
                    checked=$((checked + 1))
                done
                if [ "$lo" != - ]; then
                    refused "$lesson" "$name" "$lo" # the lower end is excluded: more than it
                    refused "$lesson" "$name" "$(awk -v x="$hi" 'BEGIN { printf "%.15g", x * 1.5 + 1 }')"
                    checked=$((checked + 2))
                fi
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
    done
    # every lesson was read: at least 10 lessons of 9 common options and more
    [ "$checked" -gt 900 ]
}

@test "the table reads every option: the common ones, and each lesson's own" {
    run options_of pool
    [[ "$output" == *"workers N 1 64"* ]]
    [[ "$output" == *"task-seconds X 0 60"* ]]
    [[ "$output" == *"kind WHICH - -"* ]]
    [[ "$output" == *"speed X 0 10000"* ]]
    [[ "$output" == *"trace FILE - -"* ]]
    [[ "$output" == *"timeline FLAG - -"* ]]
    [[ "$output" == *"seed N 0 4294967295"* ]]
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

@test "every lesson's every number at each end of its range: accepted, shown as given, and run" {
    unless_sanitized "thread|address" "127 runs that check the parser and the plain build: make fuzz puts the parser under ASan and UBSan, and CI's 10 minutes are short"
    local lesson name type lo hi value checked=0 ran=0
    for lesson in $("$CONCDEMO" list | awk '{ print $1 }'); do
        while read -r name type lo hi; do
            [ "$lo" != - ] || continue
            case $type in
            N) values="$lo $hi" ;;
            X) values="0.001 $hi" ;; # X excludes its lower end: just above it
            *) continue ;;
            esac
            for value in $values; do
                if [ "$name" = speed ] && [ "$value" = 0.001 ]; then
                    # a thousand times slower than the article: accepted, shown, and run
                    # until Ctrl-C after 1 s (race has no sleep to slow, and ends first)
                    run --separate-stderr timeout --preserve-status -s INT -k 5 1 "$CONCDEMO" "$lesson" --speed 0.001 </dev/null
                    { [ "$status" -eq 130 ] || [ "$status" -eq 0 ]; } && [[ " ${lines[1]} " == *" speed=0.001 "* ]] ||
                        { echo "$lesson --speed 0.001: exit $status, params: ${lines[1]}, stderr: $stderr"; return 1; }
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
                # and the lowest whole number runs to its end
                run --separate-stderr timeout -k 5 120 "$CONCDEMO" "$lesson" "--$name" "$lo" --speed 10000 --quiet
                case $status in
                0) [[ "$output" == *"result:"* ]] || { echo "$lesson --$name $lo: no result"; return 1; } ;;
                1 | 2) [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$lesson --$name $lo: exit $status, stderr: $stderr"; return 1; } ;;
                *) echo "$lesson --$name $lo: exit $status, stderr: $stderr"; return 1 ;;
                esac
            fi
        done < <(options_of "$lesson")
    done
    # 10 lessons: each of their own numbers and 2 common ones, at two ends
    [ "$checked" -ge 100 ] || { echo "checked $checked"; return 1; }
    [ "$ran" -ge 90 ] || { echo "only $ran of $checked ran"; return 1; }
}
