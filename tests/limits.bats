#!/usr/bin/env bats
# Limits: with few descriptors (ulimit -n), little memory (ulimit -v) or few
# processes (ulimit -u), every lesson either runs within what it got, or stops
# with exit 1 and one line naming the limit.  Never a crash, a hang, or a
# transcript cut off in the middle of a line.

load helpers

# One run of each lesson, at a speed that keeps the table quick.  Under a
# sanitizer, race and mutex start 2000 threads, not 20000: its threads are
# ten times dearer, and what a limit does to them shows at 2000 as well.
lesson_runs() {
    local threads=
    [ -z "${CONCDEMO_SANITIZER:-}" ] || threads="--threads 2000"
    cat <<EOF_RUNS
race $threads
mutex $threads
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
daemon
timer --speed 10
process --speed 10 --starts 5 --pages 64
manager --speed 20 --ops 200
gil --countdown 200000
thread
process-lock --speed 20
barrier --speed 20
deadlock --speed 20
livelock --seconds 0.3
starvation --speed 20
EOF_RUNS
}

# Run one lesson's runs under `ulimit $2`, as `$3...` (a user prefix, or nothing).
within_limit() {
    local only=$1 limit=$2 flag=${2%% *}
    shift 2
    local lesson args out err status ran=0
    out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
    while read -r lesson args; do
        [ "$lesson" = "$only" ] || continue
        ran=$((ran + 1))
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
    [ "$ran" -gt 0 ] || { echo "no run of $only"; return 1; }
}

# The least address space, in KB (to within 100), that concdemo starts in at
# all.  It grows with the binary, which holds the lesson files too, so it is
# measured rather than fixed.  200 KB above it (where -v 3000 was, before the
# lesson files were built in) there is too little to start a thread.
least_address_space() {
    local low=1000 high=64000 mid
    while [ $((high - low)) -gt 100 ]; do
        mid=$(((low + high) / 2))
        if (ulimit -v "$mid" && exec "$CONCDEMO" --version) >/dev/null 2>&1; then high=$mid; else low=$mid; fi
    done
    echo "$high"
}

# Every limit, for one lesson.
within_every_limit() {
    local lesson=$1
    within_limit "$lesson" "-n 4" # one descriptor beyond stdin, stdout and stderr
    within_limit "$lesson" "-n 8"
    if [ -z "${CONCDEMO_SANITIZER:-}" ]; then
        # a sanitizer reserves terabytes of address space for its shadow memory: it cannot start under ulimit -v
        within_limit "$lesson" "-v $(($(least_address_space) + 200))" # too little memory to start a thread
        within_limit "$lesson" "-v 12000"
    fi
    fresh_user
    if ! [[ "${CONCDEMO_SANITIZER:-}" =~ address ]]; then
        # LeakSanitizer must start a thread at exit to look for leaks, and ulimit -u 1 refuses it
        within_limit "$lesson" "-u 1" "${FRESH_USER[@]}" # the lesson's own process is all it may have
    fi
    within_limit "$lesson" "-u 12" "${FRESH_USER[@]}"
}

@test "each lesson below is tested: the list of lessons and the tests agree" {
    local lesson
    for lesson in $("$CONCDEMO" list | awk '{ print $1 }'); do
        grep -q "^@test \"$lesson: under ulimit" "$BATS_TEST_FILENAME" || { echo "no limits test for $lesson"; return 1; }
    done
}


@test "race: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit race; }
@test "mutex: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit mutex; }
@test "rlock: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit rlock; }
@test "semaphore: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit semaphore; }
@test "event-traffic-light: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit event-traffic-light; }
@test "condition: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit condition; }
@test "queue: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit queue; }
@test "pipe: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit pipe; }
@test "pool: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit pool; }
@test "coroutine: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit coroutine; }
@test "livelock: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit livelock; }
@test "starvation: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit starvation; }
@test "daemon: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit daemon; }
@test "timer: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit timer; }
@test "barrier: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit barrier; }
@test "deadlock: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit deadlock; }
@test "process: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit process; }
@test "manager: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit manager; }
@test "gil: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit gil; }
@test "thread: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit thread; }
@test "process-lock: under ulimit -n 4, -n 8, -v (just above what it starts in), -v 12000, -u 1 and -u 12 it runs, or says which limit stopped it" { within_every_limit process-lock; }
