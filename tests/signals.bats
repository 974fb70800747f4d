#!/usr/bin/env bats
# Ctrl-C and SIGTERM, for every lesson: once it has started, while it works.
# It stops, exits 128 + the signal, prints no result, resets the colour, and
# leaves no process and no file in /dev/shm behind.

load helpers

# A run of each lesson long enough to be interrupted after its first event.
lesson_runs() {
    cat <<'EOF'
race --steps --speed 0.5
mutex --steps --speed 0.5
rlock
semaphore
event-traffic-light --cars 3
condition
queue --part pool --processes --items 200
pipe --part torn --records 400 --big-bytes 1000000 --writers 4
pool
coroutine
EOF
}

@test "every lesson: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" {
    local shm_before signal lesson args seed=$((1000000 + $$ * 100)) # a seed no other run has, for pgrep
    shm_before=$(ls /dev/shm 2>/dev/null | sort)
    while read -r lesson args; do
        for signal in INT TERM; do
            seed=$((seed + 1))
            # shellcheck disable=SC2086
            interrupt_when '^\[ *[0-9.]+\]' "$signal" "$lesson" $args --color always --seed "$seed"
            local expected=130
            [ "$signal" = TERM ] && expected=143
            [ "$status" -eq "$expected" ] || { echo "$lesson $signal: exit $status"; return 1; }
            [[ "$output" != *"result:"* ]] || { echo "$lesson $signal: a result after the signal"; return 1; }
            [[ "$output" == *"interrupted by "* ]] || { echo "$lesson $signal: no interrupted line"; return 1; }
            # the last thing written resets the colour
            [[ "$output" == *$'\e[0m' ]] || { echo "$lesson $signal: colour not reset at the end"; return 1; }
            [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "$lesson $signal: stderr: $(cat "$BATS_TEST_TMPDIR/stderr")"; return 1; }
            ! pgrep -f -- "--seed $seed\$" || { echo "$lesson $signal: a process was left"; return 1; }
        done
    done < <(lesson_runs)
    [ "$(ls /dev/shm 2>/dev/null | sort)" = "$shm_before" ]
}

# Moments of a run, at --speed 1: "lesson args | the cue line | which of its
# matches | what is happening then".
moments() {
    cat <<'EOF_MOMENTS'
race --threads 20000|start 20000 threads|1|20000 threads starting
mutex --threads 20000|start 20000 threads|1|20000 threads starting, to queue at the lock
mutex --steps --threads 2|: 准备更新计数器|2|a thread waits on the lock another holds
mutex --part owner|start loop 1 at|1|main waits in sem_wait for a lock a loop thread will release
rlock --part deadlock|waits for \.\.\. itself|1|a thread waits on a lock it holds
semaphore|acquired the semaphore: 5 holding|1|17 threads wait at the semaphore
event-traffic-light --cars 3|sees red light,waiting|1|cars wait on the event
condition --part order|lets go of the lock and sleeps|1|a thread waits on the condition
queue --part pool --processes --items 200|consumer-[0-9] +get|3|producer and consumer processes run
queue --part empty --tries 100000|q.get\(\) -> 1|1|fresh queues start and join their feeder threads
queue --part deadlock|p.join\(timeout=1\) waits|1|a timed join waits on a child stuck in its feeder's write
queue --part shared --messages 1000000|part 7:|1|a child puts into a pipe queue, the parent gets
pipe --part torn --records 400 --big-bytes 1000000 --writers 4|records of 4096 bytes|1|4 child processes write 1 MB records
pool|runs Foo|5|5 worker processes run tasks
pool --mode sync|runs Foo|2|apply() waits; the task handler waits for tasks, the result handler in poll()
pool --mode sync --kind thread|runs Foo|2|apply() waits; the handler threads and idle workers wait on their queues
pool --part terminate --kind thread|pool\.terminate\(\)|1|join() waits for running threads that cannot be killed
coroutine --part gevent|GET: a child process|1|the loop waits in poll() on a child
coroutine --part scale --tasks 5000|coroutines: all done|1|5000 threads starting
EOF_MOMENTS
}

@test "every lesson at several moments -- start-up, waits, children: stopped within half a lesson-second, nothing left" {
    local shm_before mq_before signal args cue nth what seed=$((1000050 + $$ * 100))
    # half a lesson-second; an instrumented build joins its threads slower
    local budget=0.5
    [ -z "${CONCDEMO_SANITIZER:-}" ] || budget=2
    shm_before=$(ls /dev/shm 2>/dev/null | sort)
    mq_before=$(ls /dev/mqueue 2>/dev/null | sort) # POSIX message queues, where mounted
    while IFS='|' read -r args cue nth what; do
        for signal in INT TERM; do
            seed=$((seed + 1))
            # shellcheck disable=SC2086
            INTERRUPT_AT=$nth interrupt_when "$cue" "$signal" $args --color always --seed "$seed"
            local said="$args, $signal while $what"
            local expected=130
            [ "$signal" = TERM ] && expected=143
            [ "$status" -eq "$expected" ] || { echo "$said: exit $status"; return 1; }
            [[ "$output" != *"result:"* ]] || { echo "$said: a result after the signal"; return 1; }
            [[ "$output" == *$'\e[0m' ]] || { echo "$said: colour not reset at the end"; return 1; }
            [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "$said: stderr: $(cat "$BATS_TEST_TMPDIR/stderr")"; return 1; }
            ! pgrep -f -- "--seed $seed\$" || { echo "$said: a process was left"; return 1; }
            # from the cue's line to the line that says it stopped: the signal came after the one
            local plain cued stopped
            plain=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$output")
            cued=$(grep -E "$cue" <<<"$plain" | sed -n "${nth}p" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
            stopped=$(grep -m1 'interrupted by ' <<<"$plain" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
            within "$cued" "$stopped" "$(awk -v t="$cued" -v b="$budget" 'BEGIN { print t + b }')" ||
                { echo "$said: the cue at $cued s, stopped at $stopped s"; return 1; }
        done
    done < <(moments)
    [ "$(ls /dev/shm 2>/dev/null | sort)" = "$shm_before" ]
    [ "$(ls /dev/mqueue 2>/dev/null | sort)" = "$mq_before" ]
}
