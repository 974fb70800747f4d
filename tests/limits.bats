#!/usr/bin/env bats
# Limits: with few descriptors (ulimit -n), little memory (ulimit -v) or few
# processes (ulimit -u), every lesson either runs within what it got, or stops
# with exit 1 and one line naming the limit.  Never a crash, a hang, or a
# transcript cut off in the middle of a line.

load helpers

# One run of each lesson, at a speed that keeps the table quick.
lesson_runs() {
    cat <<'EOF_RUNS'
race
mutex
rlock
semaphore
event-traffic-light --cars 3
condition
queue --part pool --processes --items 20
queue --part process
queue --part empty --tries 20
queue --part deadlock
queue --part shared --messages 200
pipe
pool
coroutine
EOF_RUNS
}

# Run every lesson under `ulimit $1`, as `$2...` (a user prefix, or nothing).
within_limit() {
    local limit=$1 flag=${1%% *}
    shift
    local lesson args out err status
    out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
    while read -r lesson args; do
        status=0
        # shellcheck disable=SC2086
        # only stdin, stdout and stderr open, as from a shell: bats keeps more
        timeout -k 5 120 "$@" bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-"; done
            ulimit '"$limit"' && exec "$0" "$@"' \
            "$CONCDEMO" "$lesson" $args --speed 100 --color never >"$out" 2>"$err" || status=$?
        local said="ulimit $limit, $lesson: exit $status; stderr: $(head -c 300 "$err")"
        case $status in
        0)
            grep -q '^result:' "$out" || { echo "$said: no result"; return 1; }
            [ ! -s "$err" ] || { echo "$said: status 0 with something on stderr"; return 1; }
            ;;
        1)
            [ "$(wc -l <"$err")" -eq 1 ] || { echo "$said: not one line on stderr"; return 1; }
            grep -q "ulimit $flag" "$err" || { echo "$said: the line does not name ulimit $flag"; return 1; }
            ! grep -q '^result:' "$out" || { echo "$said: a result, and exit 1"; return 1; }
            ;;
        *)
            echo "$said: neither a run nor a refusal (124 is a hang, 128+N a signal)"
            return 1
            ;;
        esac
        # what was printed ends with a whole line
        [ ! -s "$out" ] || [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ] ||
            { echo "$said: the transcript stops in the middle of a line"; return 1; }
    done < <(lesson_runs)
}

@test "ulimit -n 4: one descriptor beyond stdin, stdout and stderr" {
    within_limit "-n 4"
}

@test "ulimit -n 8" {
    within_limit "-n 8"
}

@test "ulimit -v 3000: too little memory to start a thread" {
    unless_sanitized "thread|address" "it reserves terabytes of address space for its shadow memory, so it cannot start under ulimit -v"
    within_limit "-v 3000"
}

@test "ulimit -v 12000" {
    unless_sanitized "thread|address" "it reserves terabytes of address space for its shadow memory, so it cannot start under ulimit -v"
    within_limit "-v 12000"
}

@test "ulimit -u 1: the lesson's own process is all it may have" {
    unless_sanitized address "LeakSanitizer must start a thread at exit to look for leaks, and ulimit -u 1 refuses it"
    fresh_user
    within_limit "-u 1" "${FRESH_USER[@]}"
}

@test "ulimit -u 12" {
    fresh_user
    within_limit "-u 12" "${FRESH_USER[@]}"
}
