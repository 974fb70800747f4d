#!/usr/bin/env bash
# make bench: each lesson's wall time beside its floor, measured in the same
# run, interleaved, as medians.  Figures print; nothing passes or fails.
# The machine is shared and noisy: read the ratios, not the absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}
THREADS=${THREADS:-20000}

wall() { # run a command, print its wall time in seconds
    local start=$EPOCHREALTIME
    "$@" >/dev/null
    local end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }' 
}

median6() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f", m }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

declare -A times
names=(floor floor-yield race race-bare floor-lock mutex)
for ((r = 1; r <= ROUNDS; r++)); do
    times[floor]+="$(wall bench/floor "$THREADS" plain) "
    times[floor-yield]+="$(wall bench/floor "$THREADS" yield) "
    times[race]+="$(wall ./concdemo race --threads "$THREADS" --quiet) "
    times[floor-lock]+="$(wall bench/floor "$THREADS" lock) "
    times[mutex]+="$(wall ./concdemo mutex --part count --threads "$THREADS" --quiet) "
    times[race-bare]+="$(wall ./concdemo race --threads "$THREADS" --bare --quiet) "
done
declare -A med
for n in "${names[@]}"; do med[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep . | median); done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "concdemo bench: $THREADS threads, all started then all joined; median of $ROUNDS interleaved runs, wall time"
echo "floors: bench/floor, a bare C program: the same threads (128 KiB stacks), no transcript, no evidence"
printf '  %-44s %7s s\n' "floor: each thread does num++" "${med[floor]}"
printf '  %-44s %7s s\n' "floor-yield: read, sched_yield, write" "${med[floor-yield]}"
printf '  %-44s %7s s\n' "floor-lock: the same inside a mutex" "${med[floor-lock]}"
printf '  %-44s %7s s  %sx floor  %sx floor-yield\n' "concdemo race (yields on a coin toss)" "${med[race]}" \
    "$(ratio "${med[race]}" "${med[floor]}")" "$(ratio "${med[race]}" "${med[floor-yield]}")"
printf '  %-44s %7s s  %sx floor\n' "concdemo race --bare" "${med[race-bare]}" "$(ratio "${med[race-bare]}" "${med[floor]}")"
printf '  %-44s %7s s  %sx floor  %sx floor-lock\n' "concdemo mutex (yields inside the lock)" "${med[mutex]}" \
    "$(ratio "${med[mutex]}" "${med[floor]}")" "$(ratio "${med[mutex]}" "${med[floor-lock]}")"
echo "goal: race and mutex within 1.5x of the floor"

# The queue and pipe lessons: items per second through their own code,
# beside a bare one-byte ping-pong between two processes over two pipes.
ITEMS=${ITEMS:-200000}
PINGS=${PINGS:-20000} # round trips: each can cost tens of microseconds on an idle VM
declare -A qtimes
qnames=(pingpong threads-1-1 threads-4-4 processes mpqueue pipe)
for ((r = 1; r <= ROUNDS; r++)); do
    qtimes[pingpong]+="$(bench/queue_bench pingpong "$PINGS") "
    qtimes[threads-1-1]+="$(bench/queue_bench threads 1 1 "$ITEMS") "
    qtimes[threads-4-4]+="$(bench/queue_bench threads 4 4 "$ITEMS") "
    qtimes[processes]+="$(bench/queue_bench processes "$ITEMS") "
    qtimes[mpqueue]+="$(bench/queue_bench mpqueue "$ITEMS") "
    qtimes[pipe]+="$(bench/queue_bench pipe "$ITEMS") "
done
declare -A rate
for n in "${qnames[@]}"; do
    count=$ITEMS
    [ "$n" = pingpong ] && count=$PINGS
    rate[$n]=$(tr ' ' '\n' <<<"${qtimes[$n]}" | grep . | median | awk -v n="$count" '{ printf "%.0f", n / $1 }')
done
per_item() { awk -v r="$1" 'BEGIN { printf "%.2f", 1e6 / r }'; }
echo
echo "concdemo bench: $ITEMS items through the queue and pipe lessons' code; median of $ROUNDS interleaved runs"
echo "floor: a bare one-byte ping-pong between two processes over two pipes ($PINGS round trips, one an item)"
printf '  %-44s %9s items/s  %6s us each\n' "floor: pipe ping-pong, round trips" "${rate[pingpong]}" "$(per_item "${rate[pingpong]}")"
for n in threads-1-1 threads-4-4 processes mpqueue pipe; do
    case $n in
    threads-1-1) label="thread queue, 1 producer / 1 consumer" ;;
    threads-4-4) label="thread queue, 4 producers / 4 consumers" ;;
    processes) label="queue in shared memory, 2 processes" ;;
    mpqueue) label="multiprocessing's Queue, 2 processes" ;;
    pipe) label="pipe, framed messages one way" ;;
    esac
    printf '  %-44s %9s items/s  %6s us each  %sx the ping-pong rate\n' "$label" "${rate[$n]}" \
        "$(per_item "${rate[$n]}")" "$(ratio "${rate[$n]}" "${rate[pingpong]}")"
done
echo "  (multiprocessing's Queue: a pipe and a feeder thread, demos/primitives/process_queue.c; the queue in shared memory moved $(ratio "${rate[processes]}" "${rate[mpqueue]}")x as many a second)"

# The pool lesson: tiny tasks through a pool against a new worker for each,
# beside the floors, a bare new thread (pthread_create+join) and a bare new
# process (fork+waitpid) per task, as many at a time as the pool's workers.
POOL_TASKS=${POOL_TASKS:-20000}
POOL_WORKERS=${POOL_WORKERS:-4}
declare -A ptimes
pnames=(thread-floor process-floor thread_async_s thread_map_s thread_each_s process_async_s process_map_s process_each_s)
for ((r = 1; r <= ROUNDS; r++)); do
    ptimes[thread-floor]+="$(bench/floor "$POOL_TASKS" thread-per-task "$POOL_WORKERS") "
    ptimes[process-floor]+="$(bench/floor "$POOL_TASKS" process-per-task "$POOL_WORKERS") "
    result=$(./concdemo pool --part cost --tasks "$POOL_TASKS" --workers "$POOL_WORKERS" --quiet | grep '^result:')
    for key in thread_async_s thread_map_s thread_each_s process_async_s process_map_s process_each_s; do
        ptimes[$key]+="$(tr ' ' '\n' <<<"$result" | grep "^$key=" | cut -d= -f2) "
    done
done
declare -A pmed
for n in "${pnames[@]}"; do pmed[$n]=$(tr ' ' '\n' <<<"${ptimes[$n]}" | grep . | median6); done
us() { awk -v s="$1" -v n="$POOL_TASKS" 'BEGIN { printf "%.2f", s / n * 1e6 }'; }
echo
echo "concdemo bench: $POOL_TASKS tiny tasks, Quick(i) = i+100, $POOL_WORKERS workers; median of $ROUNDS interleaved runs"
echo "floors: bench/floor, bare C: a new thread (pthread_create+join) or process (fork+waitpid) per task, $POOL_WORKERS at a time"
for kind in thread process; do
    floor=${pmed[$kind-floor]}
    printf '  %-44s %8s us a task\n' "floor: a new $kind per task, bare" "$(us "$floor")"
    printf '  %-44s %8s us a task  %sx the floor\n' "concdemo pool: a new $kind per task" \
        "$(us "${pmed[${kind}_each_s]}")" "$(ratio "${pmed[${kind}_each_s]}" "$floor")"
    printf '  %-44s %8s us a task  %sx faster than the floor\n' "concdemo pool: $kind pool, apply_async" \
        "$(us "${pmed[${kind}_async_s]}")" "$(ratio "$floor" "${pmed[${kind}_async_s]}")"
    printf '  %-44s %8s us a task  %sx faster than the floor\n' "concdemo pool: $kind pool, map" \
        "$(us "${pmed[${kind}_map_s]}")" "$(ratio "$floor" "${pmed[${kind}_map_s]}")"
done
echo "goal: a thread pool at least 20x faster than a thread per task"

# The coroutine lesson: its switch beside the bare switch it is built on, and
# swapcontext, in one run each; a generator's resume beside two switches (a
# round trip each); then a million coroutines asleep at once.
SWITCHES=${SWITCHES:-10000000}
CORO_TASKS=${CORO_TASKS:-1000000}
declare -A ctimes
for ((r = 1; r <= ROUNDS; r++)); do
    ctimes[bare]+="$(bench/coro_bench "$SWITCHES") "
    result=$(./concdemo coroutine --part switch --switches "$SWITCHES" --quiet | grep '^result:')
    for key in generator_ns coro_ns ucontext_ns thread_ns; do
        ctimes[$key]+="$(tr ' ' '\n' <<<"$result" | grep "^$key=" | cut -d= -f2) "
    done
done
declare -A cmed
for n in bare generator_ns coro_ns ucontext_ns thread_ns; do cmed[$n]=$(tr ' ' '\n' <<<"${ctimes[$n]}" | grep . | median6); done
echo
echo "concdemo bench: $SWITCHES switches between two coroutines; median of $ROUNDS interleaved runs"
echo "floor: bench/coro_bench, the hand-written switch called bare, no bookkeeping"
printf '  %-44s %9.1f ns a switch\n' "floor: coro_switch_context, bare" "${cmed[bare]}"
printf '  %-44s %9.1f ns a switch  %sx the floor\n' "concdemo coroutine: coro_switch" "${cmed[coro_ns]}" \
    "$(ratio "${cmed[coro_ns]}" "${cmed[bare]}")"
printf '  %-44s %9.1f ns a switch  %sx the lesson'"'"'s switch\n' "swapcontext" "${cmed[ucontext_ns]}" \
    "$(ratio "${cmed[ucontext_ns]}" "${cmed[coro_ns]}")"
printf '  %-44s %9.1f ns a hand-off  %sx the lesson'"'"'s switch\n' "threads: mutex and condition variable" \
    "${cmed[thread_ns]}" "$(ratio "${cmed[thread_ns]}" "${cmed[coro_ns]}")"
round_trip=$(awk -v s="${cmed[coro_ns]}" 'BEGIN { printf "%.3f", 2 * s }')
printf '  %-44s %9.1f ns a resume  %sx two of the lesson'"'"'s switches (%.1f ns)\n' \
    "generator: resumed to its next yield and back" "${cmed[generator_ns]}" \
    "$(ratio "${cmed[generator_ns]}" "$round_trip")" "$round_trip"
echo "goal: within 2x of the floor, and at least 10x cheaper than swapcontext; a generator's resume"
echo "      cheaper than the two switches of a coroutine's round trip"
echo
echo "concdemo bench: $CORO_TASKS coroutines that each sleep 1 s at once, speed 1; one run"
result=$(/usr/bin/time -f '%M' -o /tmp/concdemo-bench-rss ./concdemo coroutine --part scale --tasks "$CORO_TASKS" --quiet | grep '^result:')
value() { tr ' ' '\n' <<<"$result" | grep "^$1=" | cut -d= -f2; }
printf '  %-44s %9s s of wall time\n' "coroutines, spawned, asleep, woken, ended" "$(value coro_wall)"
printf '  %-44s %9s KiB each, while all slept\n' "their memory (VmRSS)" "$(value coro_kib_each)"
printf '  %-44s %9s KiB, the whole run\n' "the process's peak (VmHWM)" "$(cat /tmp/concdemo-bench-rss)"
printf '  %-44s %9s of them, %s s, %s KiB each\n' "threads, as many as the system allows" "$(value threads)" \
    "$(value thread_wall)" "$(value thread_kib_each)"
echo "goal: under 3 s, and under 8 KiB each"

# ---- the gil lesson (issue 17): a CPU-bound countdown under the GIL, as speed-ups ----
# Self-contained: runs `concdemo gil --part cpu` GIL_ROUNDS times for each
# switch rule and prints the median of each row's speed-up against one
# thread (the lesson measures every row in the same run).
gil_bench() {
    local countdown=${GIL_COUNTDOWN:-50000000} rounds=${GIL_ROUNDS:-5} kind r out
    local rows=(threads-2 threads-4 nogil-2 processes-2)
    gil_row() { awk -v row="row=$2" -v key="$3=" '$2 == "part=cpu" && $3 == row {
        for (i = 1; i <= NF; i++) if (index($i, key) == 1) { print substr($i, length(key) + 1); exit } }' <<<"$1"; }
    # no figures (every run failed): "failed", never a 0.00
    gil_median() { tr ' ' '\n' | grep . | sort -g | awk -v f="${1:-%.2fx}" '{ v[NR] = $1 }
        END { if (NR == 0) { printf "failed"; exit } printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    echo
    echo "concdemo bench: the GIL, a countdown of $countdown ticks (concdemo gil --part cpu); median of $rounds runs"
    echo "speed-up: the 1-thread row's wall time over the row's, measured in the same run"
    for kind in py3 py2; do
        declare -A speedups=() handoffs=() wasted=()
        local failed=0
        for ((r = 1; r <= rounds; r++)); do
            if ! out=$(COLUMNS=1000 ./concdemo gil --part cpu --gil "$kind" --countdown "$countdown" --quiet); then
                failed=$((failed + 1)) # its figures are left out, and counted below
                continue
            fi
            for row in "${rows[@]}"; do
                speedups[$row]+="$(gil_row "$out" "$row" speedup) "
                handoffs[$row]+="$(gil_row "$out" "$row" handoffs) "
                wasted[$row]+="$(gil_row "$out" "$row" wasted) "
            done
        done
        echo "  --gil $kind:$( ((failed == 0)) || echo " $failed of $rounds runs FAILED, left out")"
        printf '    %-30s %6s  (%s hand-offs, %s wasted wake-ups)\n' "2 threads under the $kind GIL" \
            "$(gil_median <<<"${speedups[threads-2]}")" "$(gil_median %.0f <<<"${handoffs[threads-2]}")" \
            "$(gil_median %.0f <<<"${wasted[threads-2]}")"
        printf '    %-30s %6s  (%s hand-offs, %s wasted wake-ups)\n' "4 threads under the $kind GIL" \
            "$(gil_median <<<"${speedups[threads-4]}")" "$(gil_median %.0f <<<"${handoffs[threads-4]}")" \
            "$(gil_median %.0f <<<"${wasted[threads-4]}")"
        printf '    %-30s %6s\n' "2 threads, plain C, no GIL" "$(gil_median <<<"${speedups[nogil-2]}")"
        printf '    %-30s %6s\n' "2 processes, a $kind GIL each" "$(gil_median <<<"${speedups[processes-2]}")"
        unset speedups handoffs wasted
    done
    echo "expected on 2 idle CPUs: under the GIL about 1x (py2 below it), without it and in processes near 2x"
}
gil_bench
# --- issue 17, the thread lesson: what a thread start costs -----------------
# `concdemo thread --part cost` starts and joins STARTS threads one at a time
# through the lesson's own start() and join(); the floor is bench/floor's bare
# pthread_create+join per task, one at a time (a window of 1).
thread_start_cost() {
    local starts=${STARTS:-2000} r floor_times="" lesson_times=""
    for ((r = 1; r <= ROUNDS; r++)); do
        floor_times+="$(bench/floor "$starts" thread-per-task 1) "
        lesson_times+="$(./concdemo thread --part cost --starts "$starts" --quiet |
            grep '^result:' | tr ' ' '\n' | grep '^us_each=' | cut -d= -f2) "
    done
    local floor_us lesson_us
    floor_us=$(tr ' ' '\n' <<<"$floor_times" | grep . | median6 | awk -v n="$starts" '{ printf "%.2f", $1 / n * 1e6 }')
    lesson_us=$(tr ' ' '\n' <<<"$lesson_times" | grep . | median6 | awk '{ printf "%.2f", $1 }')
    echo
    echo "concdemo bench: $starts threads started and joined one at a time; median of $ROUNDS interleaved runs"
    echo "floor: bench/floor, bare C: pthread_create+join per task, a window of 1 (glibc's default stacks)"
    printf '  %-44s %8s us a thread\n' "floor: a new thread, bare" "$floor_us"
    printf '  %-44s %8s us a thread  %sx the floor\n' "concdemo thread --part cost: start(), join()" \
        "$lesson_us" "$(ratio "$lesson_us" "$floor_us")"
}
thread_start_cost

# --- issue 18, the process lesson: what a start costs, against bare floors ---
# `concdemo process --part start` times PROCESS_STARTS starts of each kind (a
# thread, fork, fork+exec of itself, posix_spawn of itself), the median of its
# own 5 rounds; the floors are bench/floor's bare loops of the same starts,
# whose exec'd program is bench/floor itself (a smaller program to load).
process_start_cost() {
    local starts=${PROCESS_STARTS:-200} r k kind out
    local kinds=(thread fork fork-exec posix-spawn)
    local keys=(thread_us fork_us fork_exec_us posix_spawn_us)
    declare -A floor_times=() lesson_times=()
    for ((r = 1; r <= ROUNDS; r++)); do
        for kind in "${kinds[@]}"; do
            floor_times[$kind]+="$(bench/floor "$starts" start "$kind") "
        done
        out=$(COLUMNS=1000 ./concdemo process --part start --starts "$starts" --quiet | grep '^result:' | tr ' ' '\n')
        for ((k = 0; k < 4; k++)); do
            lesson_times[${kinds[k]}]+="$(grep "^${keys[k]}=" <<<"$out" | cut -d= -f2) "
        done
    done
    echo
    echo "concdemo bench: $starts starts of each kind, one at a time, each waited for; median of $ROUNDS interleaved runs"
    echo "floors: bench/floor, bare C: the same starts; its exec'd program is itself, not concdemo"
    local floor_thread lesson_thread floor_us lesson_us
    floor_thread=$(tr ' ' '\n' <<<"${floor_times[thread]}" | grep . | median6 | awk -v n="$starts" '{ printf "%.2f", $1 / n * 1e6 }')
    lesson_thread=$(tr ' ' '\n' <<<"${lesson_times[thread]}" | grep . | median6 | awk '{ printf "%.2f", $1 }')
    for kind in "${kinds[@]}"; do
        floor_us=$(tr ' ' '\n' <<<"${floor_times[$kind]}" | grep . | median6 | awk -v n="$starts" '{ printf "%.2f", $1 / n * 1e6 }')
        lesson_us=$(tr ' ' '\n' <<<"${lesson_times[$kind]}" | grep . | median6 | awk '{ printf "%.2f", $1 }')
        printf '  %-12s floor %9s us (%6sx a thread)  concdemo process %9s us (%6sx a thread)  %sx the floor\n' \
            "$kind" "$floor_us" "$(ratio "$floor_us" "$floor_thread")" "$lesson_us" \
            "$(ratio "$lesson_us" "$lesson_thread")" "$(ratio "$lesson_us" "$floor_us")"
    done
}
process_start_cost

# --- issue 18, the manager lesson: a proxy operation against shared memory --
# `concdemo manager --part cost` times OPS operations each way: one proxy
# operation (a message to the server process over a Unix socket and its
# reply) against one shared-memory operation (a process-shared mutex, an add,
# an unlock), both in the same run; each run gives its own ratio.  The floor
# a proxy operation approaches is a bare round trip between two processes:
# bench/queue_bench's one-byte ping-pong over two pipes, OPS of them.
manager_cost() {
    local ops=${OPS:-20000} r line mproxy=() mshared=() mratios=() floors=()
    for ((r = 1; r <= ROUNDS; r++)); do
        floors+=("$(bench/queue_bench pingpong "$ops" | awk -v n="$ops" '{ printf "%.0f", $1 / n * 1e9 }')")
        line=$(./concdemo manager --part cost --ops "$ops" --quiet | grep '^result: part=cost' | tr ' ' '\n')
        mproxy+=("$(grep '^proxy_ns=' <<<"$line" | cut -d= -f2)")
        mshared+=("$(grep '^shared_ns=' <<<"$line" | cut -d= -f2)")
        mratios+=("$(grep '^ratio=' <<<"$line" | cut -d= -f2)")
    done
    local floor proxy
    floor=$(printf '%s\n' "${floors[@]}" | median)
    proxy=$(printf '%s\n' "${mproxy[@]}" | median)
    echo
    echo "concdemo bench: manager --part cost, $ops operations each way; median of $ROUNDS interleaved runs"
    echo "floor: bench/queue_bench, bare C: a one-byte round trip between two processes over two pipes"
    printf '  %-44s %11s ns\n' "floor: a bare round trip" "$floor"
    printf '  %-44s %11s ns  %sx the floor\n' "a proxy operation (d['k'] = i)" "$proxy" "$(ratio "$proxy" "$floor")"
    printf '  %-44s %11s ns\n' "a shared-memory one (locked += 1)" "$(printf '%s\n' "${mshared[@]}" | median)"
    printf '  %-44s %10sx\n' "proxy over shared, each run's own ratio" "$(printf '%s\n' "${mratios[@]}" | median)"
}
manager_cost

# --- issue 18, the process-lock lesson: the article's processes -------------
# `concdemo process-lock --part article` forks PL_PROCESSES children (64) that
# each lock one process-shared mutex, print a line and unlock, then reaps
# them all (its seconds= result, from the first fork to the last reap); the
# floor is bench/floor's bare fork+waitpid, all of them at once.
process_lock_cost() {
    local n=${PL_PROCESSES:-64} r floor_times="" lesson_times=""
    for ((r = 1; r <= ROUNDS; r++)); do
        floor_times+="$(bench/floor "$n" process-per-task "$n") "
        lesson_times+="$(COLUMNS=1000 ./concdemo process-lock --part article --processes "$n" --quiet |
            grep '^result:' | tr ' ' '\n' | grep '^seconds=' | cut -d= -f2) "
    done
    local floor_us lesson_us
    floor_us=$(tr ' ' '\n' <<<"$floor_times" | grep . | median6 | awk -v n="$n" '{ printf "%.2f", $1 / n * 1e6 }')
    lesson_us=$(tr ' ' '\n' <<<"$lesson_times" | grep . | median6 | awk -v n="$n" '{ printf "%.2f", $1 / n * 1e6 }')
    echo
    echo "concdemo bench: $n processes, each prints one line under one process-shared lock; median of $ROUNDS interleaved runs"
    echo "floor: bench/floor, bare C: fork+waitpid per task, all $n at once"
    printf '  %-44s %8s us a process\n' "floor: a new process, bare" "$floor_us"
    printf '  %-44s %8s us a process  %sx the floor\n' "concdemo process-lock --part article" \
        "$lesson_us" "$(ratio "$lesson_us" "$floor_us")"
}
process_lock_cost

# The starvation lesson's contest (issue 19): turns a second through a pthread
# mutex and through the lesson's ticket lock, 4 threads, t-1 greedy; the
# lesson counts overtakes as it goes, the floor (bench/floor's bare loop of
# the same threads, same holds) does not.  The ticket lock's price against
# the mutex is seed 003's 公平原则会导致效率降低, measured.
starvation_contest() {
    local seconds=${CONTEST_SECONDS:-1} r lock
    declare -A floor_rates=() lesson_rates=()
    for ((r = 1; r <= ROUNDS; r++)); do
        for lock in mutex ticket; do
            floor_rates[$lock]+="$(bench/floor "$seconds" contest "$lock") "
        done
        lesson_rates[mutex]+="$(COLUMNS=1000 ./concdemo starvation --part unfair --seconds "$seconds" --quiet |
            grep '^result:' | tr ' ' '\n' | grep '^rate=' | cut -d= -f2) "
        lesson_rates[ticket]+="$(COLUMNS=1000 ./concdemo starvation --part fair --seconds "$seconds" --quiet |
            grep '^result:' | tr ' ' '\n' | grep '^rate=' | cut -d= -f2) "
    done
    declare -A floor_med=() lesson_med=()
    for lock in mutex ticket; do
        floor_med[$lock]=$(tr ' ' '\n' <<<"${floor_rates[$lock]}" | grep . | median6 | awk '{ printf "%.0f", $1 }')
        lesson_med[$lock]=$(tr ' ' '\n' <<<"${lesson_rates[$lock]}" | grep . | median6 | awk '{ printf "%.0f", $1 }')
    done
    echo
    echo "concdemo bench: 4 threads contend for one lock for $seconds s, 10 us holds; median of $ROUNDS interleaved runs"
    echo "floor: bench/floor, bare C: the same threads and holds, no overtake counting, no transcript"
    printf '  %-44s %8s turns/s\n' "floor: pthread mutex" "${floor_med[mutex]}"
    printf '  %-44s %8s turns/s  %sx the mutex floor\n' "floor: ticket lock" "${floor_med[ticket]}" \
        "$(ratio "${floor_med[ticket]}" "${floor_med[mutex]}")"
    printf '  %-44s %8s turns/s  %sx its floor\n' "concdemo starvation --part unfair (mutex)" "${lesson_med[mutex]}" \
        "$(ratio "${lesson_med[mutex]}" "${floor_med[mutex]}")"
    printf '  %-44s %8s turns/s  %sx its floor\n' "concdemo starvation --part fair (ticket)" "${lesson_med[ticket]}" \
        "$(ratio "${lesson_med[ticket]}" "${floor_med[ticket]}")"
    echo "goal: each lesson row at least 0.67x its floor's rate; the ticket lock's price against the mutex is the lock's own"
}
starvation_contest
