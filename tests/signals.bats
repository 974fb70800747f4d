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
daemon --part wait
timer
gil --part cpu --countdown 100000000
thread
process --part crash
manager --part distributed
process-lock --part robust
barrier
deadlock
livelock
starvation --seconds 30
EOF
}

# SIGINT, then SIGTERM, once a lesson's first event is out.
stops_cleanly() {
    local lesson=$1 shm_before signal line args seed
    line=$(lesson_runs | awk -v l="$lesson" '$1 == l')
    [ -n "$line" ] || { echo "no run of $lesson in lesson_runs"; return 1; }
    args=${line#"$lesson"}
    shm_before=$(ls /dev/shm 2>/dev/null | sort)
    for signal in INT TERM; do
        seed=$(unique_seed) # a seed no other run has, for pgrep
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
        none_left "$seed" || { echo "$lesson $signal: a process was left"; return 1; }
    done
    # other tests run beside this one: only what this lesson would have named
    [ "$(comm -13 <(echo "$shm_before") <(ls /dev/shm 2>/dev/null | sort) | grep -c concdemo)" -eq 0 ]
}

# Moments of a run, at --speed 1: "lesson args | the cue line | which of its
# matches | what is happening then | how soon it must stop, in lesson seconds
# (half a second unless given)".  20000 threads queued at a lock must each
# take it in turn before the lesson can join them: a handoff each, which a
# busy machine slows.
moments() {
    cat <<'EOF_MOMENTS'
race --threads 20000|start 20000 threads|1|20000 threads starting
mutex --threads 20000|start 20000 threads|1|20000 threads starting, to queue at the lock|2
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
daemon --part wait|main +4$|1|a child process's threads sleep; the parent reads their pipe
timer|t.start\(\) returned|1|a timer thread waits on its Event
gil --part cpu --countdown 100000000|main +1 thread +[0-9]|1|2 threads take turns under the py3 GIL
gil --part cpu --gil py2 --countdown 100000000|main +1 thread +[0-9]|1|2 threads convoy under the py2 GIL
gil --part io|the GIL held|1|threads wait for the GIL that a sleeper holds
thread --part join|t-2 +task t-2|1|main waits in pthread_join for 3 sleeping threads
thread --part exit|child main +4|1|a child's threads sleep; the parent reads its pipe
thread --part result|start loop 1 at|1|main waits in pthread_join for a thread that will return a value
process --part crash|sibling +step 1 of 5|1|a child works while another waits to crash; main reads their pipe
process --part crash|worker +step 1 of 5|1|a child's two threads run, one about to crash; main reads its pipe
process --part lifecycle|p.join\(0.5\)|1|main is about to terminate a sleeping child
process --part lifecycle|daemon +tick 1|1|a child sleeps before its exit; its daemon child ticks
process --part start --starts 2000|part 3|1|main forks, execs and spawns, one after another
manager --part value --increments 100000|no lock$|1|10 processes race on a Value in shared memory
manager --part cost --ops 1000000|listens on|1|main sends proxy operations over the Unix socket; the server waits in poll()
manager --part distributed|run task|1|workers sleep in their tasks; the master waits in get() on the TCP server
manager --part distributed --hold 600|serving other clients|1|the server waits in poll() for other clients
process-lock --part torn --lines 20|part 2, the reader's question|1|10 processes write lines in pieces; main reads their pipe
process-lock --part torn --lines 5 --processes 20|without the lock: 100 lines read|1|20 processes queue at the shared lock, one writes and pauses
process-lock --part robust --timeout 5|p-1 +pthread_mutex_timedlock|1|a child waits in a timed lock that a dead process holds
barrier|round 1: at the barrier, waits|1|runners wait at the barrier built from a mutex and a condition
barrier --part pthread|round 1: at the barrier, waits|1|runners wait in pthread_barrier_wait, which no stop can break
barrier --part broken --timeout 5|barrier.wait\(timeout=5\)|1|a runner waits with a timeout at the barrier
barrier --part process|p-[0-9] +round 1: at the barrier, waits|1|child processes wait at a process-shared pthread barrier
deadlock --part cycle|t3 +reaches for A|1|three threads deadlocked on one another's locks
deadlock --part backoff|backs off|1|a thread backs off while the others hold or try locks
livelock --seconds 30|task[12] +attempt 2:|1|two polite tasks hold one lock each, reach and back off in step
livelock --part random|task[12] +attempt 1:|1|two tasks back off a random time
starvation --part unfair --seconds 30|part 1: |1|4 threads contend for a pthread mutex
starvation --part fair --seconds 30|part 2: |1|4 threads wait their turn at the ticket lock
starvation --part inversion --spin 0.1|medium +\+[0-9.]+ ms: runs|1|medium spins at SCHED_FIFO 20 on low's CPU; high waits for the lock
EOF_MOMENTS
    # timer's POSIX part does not run under ThreadSanitizer (it crashes in the threads glibc starts)
    [[ "${CONCDEMO_SANITIZER:-}" =~ thread ]] || cat <<'EOF_MOMENTS'
timer --part posix|timer_delete\(B\)|1|a child waits for its POSIX timer, glibc's helper thread for its signal
timer --part posix|now half a second of work|1|glibc's notification thread runs in the child
EOF_MOMENTS
}

# Each of a lesson's moments, with each signal: stopped within its budget
# (half a lesson-second) of the cue, with nothing left.
stops_at_its_moments() {
    local lesson=$1 shm_before mq_before signal args cue nth what seed ran=0 budget
    while IFS='|' read -r args cue nth what budget; do
        [ "${args%% *}" = "$lesson" ] || continue
        budget=${budget:-0.5}
        # an instrumented build joins its threads slower
        [ -z "${CONCDEMO_SANITIZER:-}" ] || budget=$(awk -v b="$budget" 'BEGIN { print b * 4 }')
        ran=$((ran + 1))
        for signal in INT TERM; do
            seed=$(unique_seed)
            # shellcheck disable=SC2086
            INTERRUPT_AT=$nth interrupt_when "$cue" "$signal" $args --color always --seed "$seed"
            local said="$args, $signal while $what"
            local expected=130
            [ "$signal" = TERM ] && expected=143
            [ "$status" -eq "$expected" ] || { echo "$said: exit $status"; return 1; }
            [[ "$output" != *"result:"* ]] || { echo "$said: a result after the signal"; return 1; }
            [[ "$output" == *$'\e[0m' ]] || { echo "$said: colour not reset at the end"; return 1; }
            [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "$said: stderr: $(cat "$BATS_TEST_TMPDIR/stderr")"; return 1; }
            none_left "$seed" || { echo "$said: a process was left"; return 1; }
            # from the cue's line to the line that says it stopped: the signal came after the one
            local plain cued stopped
            plain=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$output")
            cued=$(grep -E "$cue" <<<"$plain" | sed -n "${nth}p" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
            stopped=$(grep -m1 'interrupted by ' <<<"$plain" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
            within_always "$cued" "$stopped" "$(awk -v t="$cued" -v b="$budget" 'BEGIN { print t + b }')" ||
                { echo "$said: the cue at $cued s, stopped at $stopped s"; return 1; }
        done
    done < <(moments)
    [ "$ran" -gt 0 ] || { echo "no moment of $lesson"; return 1; }
}

# No lesson leaves a file in /dev/shm or a POSIX message queue: concdemo's
# shared memory is anonymous, so there is none of its own by name at all.
@test "no lesson's shared memory has a name: nothing of concdemo's in /dev/shm or /dev/mqueue" {
    ! ls /dev/shm /dev/mqueue 2>/dev/null | grep -qi concdemo || false
    ! grep -rqE 'shm_open|sem_open|mq_open' "$BATS_TEST_DIRNAME/../src" "$BATS_TEST_DIRNAME/../demos" || false
}

@test "each lesson below is tested: the list of lessons and the tests agree" {
    local lesson
    for lesson in $("$CONCDEMO" list | awk '{ print $1 }'); do
        grep -q "^@test \"$lesson: SIGINT and SIGTERM" "$BATS_TEST_FILENAME" || { echo "no signal test for $lesson"; return 1; }
        grep -q "^@test \"$lesson: at each of its moments" "$BATS_TEST_FILENAME" || { echo "no moments test for $lesson"; return 1; }
    done
}

@test "race: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly race; }
@test "mutex: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly mutex; }
@test "rlock: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly rlock; }
@test "semaphore: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly semaphore; }
@test "event-traffic-light: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly event-traffic-light; }
@test "condition: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly condition; }
@test "queue: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly queue; }
@test "pipe: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly pipe; }
@test "pool: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly pool; }
@test "coroutine: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly coroutine; }
@test "livelock: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly livelock; }
@test "starvation: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly starvation; }
@test "daemon: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly daemon; }
@test "timer: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly timer; }
@test "barrier: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly barrier; }
@test "deadlock: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly deadlock; }
@test "process: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly process; }
@test "gil: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly gil; }
@test "thread: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly thread; }
@test "manager: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly manager; }
@test "process-lock: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" { stops_cleanly process-lock; }
@test "race: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments race; }
@test "mutex: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments mutex; }
@test "rlock: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments rlock; }
@test "semaphore: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments semaphore; }
@test "event-traffic-light: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments event-traffic-light; }
@test "condition: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments condition; }
@test "queue: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments queue; }
@test "pipe: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments pipe; }
@test "pool: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments pool; }
@test "coroutine: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments coroutine; }
@test "livelock: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments livelock; }
@test "starvation: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments starvation; }
@test "daemon: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments daemon; }
@test "timer: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments timer; }
@test "barrier: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments barrier; }
@test "deadlock: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments deadlock; }
@test "process: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments process; }
@test "gil: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments gil; }
@test "thread: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments thread; }
@test "manager: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments manager; }
@test "process-lock: at each of its moments, a signal stops it within half a lesson-second, nothing left" { stops_at_its_moments process-lock; }
