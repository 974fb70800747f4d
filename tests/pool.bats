#!/usr/bin/env bats
# pool: workers started once and reused; Pool (processes) and ThreadPool.

load helpers

# Lesson times of the event lines matching a regex, one a line.
times_of() {
    grep -E "$1" <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}

# The values the callback printed, sorted, one a line.  A callback runs on
# the pool's result-handler thread, and says so in the actor column.
callback_values() {
    grep -E 'result-handler +-->exec done: ' <<<"$output" | sed -E 's/.*done: //' | sort -n
}

# the four parts' result lines of a process pool, in order, and nothing but results after the first
assert_pool_results() {
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 4 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=article kind=process mode=async workers=5 tasks=10 done=10 delivered=10 duplicates=0 missing=0 "*" callback_thread=result-handler workers_used=5 per_worker=2,2,2,2,2" ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=terminate kind=process workers=5 tasks=10 done=0 killed=5 dropped=5 "*" callbacks_after_terminate=0 results_dropped=0" ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=failure kind=process workers=5 tasks=10 done=8 failed=2 failed_tasks=1,2 crashed=1 workers_left=4 "* ]]
    [[ "$(sed -n 4p <<<"$results")" == "result: part=cost tasks=10 workers=5 "*" mismatches=0" ]]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
}

@test "all four parts run in order, and their results come at the end" {
    # --speed 5: the results count on the workers taking their first tasks within 1
    # lesson-second (terminate()'s killed=5) and a worker never 2 behind the others
    # (per_worker=2,...): 0.2 s and 0.4 s of real time
    run "$CONCDEMO" pool --speed 5 --tasks 10
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=all kind=process mode=async workers=5 tasks=10 task-seconds=2 speed=5 seed="* ]]
    [ "$(line_of 'part 1, seed 000')" -lt "$(line_of 'part 2:')" ]
    [ "$(line_of 'part 2:')" -lt "$(line_of 'part 3:')" ]
    [ "$(line_of 'part 3:')" -lt "$(line_of 'part 4, why pools exist')" ]
    assert_pool_results
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # the first test's run and speed, in Chinese; a message the catalog lacks is said on stderr
    run_in_chinese pool --speed 5 --tasks 10
    [ "${lines[0]}" = "concdemo pool: 一个 worker 池，只启动一次，运行许多任务：Pool 和 ThreadPool" ]
    [[ "${lines[1]}" == "part=all kind=process mode=async workers=5 tasks=10 task-seconds=2 speed=5 seed="* ]]
    [ "$(line_of '第 1 部分，seed 000')" -lt "$(line_of '第 2 部分：')" ]
    [ "$(line_of '第 2 部分：')" -lt "$(line_of '第 3 部分：')" ]
    [ "$(line_of '第 3 部分：')" -lt "$(line_of '第 4 部分，为什么要有池')" ]
    # the article's program prints what it prints, in any language
    [ "$(line_of 'main +end$')" -lt "$(line_of 'result-handler +-->exec done: ')" ]
    assert_pool_results
    # a thread pool says other things: its queues, its threads that cannot be killed
    run_in_chinese pool --kind thread --speed 10 --tasks 10
    results=$(grep '^result:' <<<"$output")
    [[ "$(sed -n 1p <<<"$results")" == "result: part=article kind=thread mode=async workers=5 tasks=10 done=10 delivered=10 duplicates=0 missing=0 "*" callback_thread=result-handler "* ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=terminate kind=thread workers=5 tasks=10 "*" killed=0 "*" callbacks_after_terminate=0 "* ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=failure kind=thread workers=5 tasks=10 done=9 failed=1 failed_tasks=1 crashed=0 "* ]]
    [[ "$(sed -n 4p <<<"$results")" == "result: part=cost tasks=10 workers=5 "*" mismatches=0" ]]
}

@test "seed 000: 'end' first, then {100..104} near 2 s and {105..109} near 4 s, each once" {
    # --speed 2: end_at's 0.5 lesson-seconds are 0.25 s of real time; the waves' 1.5, 0.75 s;
    # and a task a second late, 0.5 s, still ends in its wave
    run "$CONCDEMO" pool --part article --speed 2
    [ "$status" -eq 0 ]
    # end comes before any result, at once
    [ "$(line_of 'main +end$')" -lt "$(line_of 'result-handler +-->exec done')" ]
    within 0 "$(time_of 'main +end$')" 1
    # every result exactly once
    [ "$(callback_values | tr '\n' ' ')" = "100 101 102 103 104 105 106 107 108 109 " ]
    # the two waves: a task cannot end before its 2 s, and the second five wait for a free worker
    local value t
    for value in 100 101 102 103 104; do
        t=$(time_of "result-handler +-->exec done: $value\$")
        within 1.99 "$t" 3.5
    done
    for value in 105 106 107 108 109; do
        t=$(time_of "result-handler +-->exec done: $value\$")
        within 3.99 "$t" 5.5
    done
    [ "$(result_value waves)" -eq 2 ]
    within 3.99 "$(result_value elapsed)" 5.5
    [ "$(result_value expected)" = "4.00" ]
    # apply_async returns at once: 'end' is printed before any task could end
    within 0 "$(result_value end_at)" 0.5
}

@test "seed 000 in processes: five workers, each its own pid, each ran two tasks, all reaped" {
    # --speed 5: a worker would run one task, and another three, only if it were 2 lesson-seconds
    # behind the others, 0.4 s of real time
    run --separate-stderr "$CONCDEMO" pool --part article --speed 5
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # the engine found no child of the lesson's left in the process table
    [ "$(grep -cE 'pool +worker[1-5] is process [0-9]+$' <<<"$output")" -eq 5 ]
    local pids
    pids=$(grep -oE 'runs Foo\([0-9]\) in process [0-9]+' <<<"$output" | awk '{ print $NF }' | sort | uniq -c)
    [ "$(wc -l <<<"$pids")" -eq 5 ]
    [ "$(awk '{ print $1 }' <<<"$pids" | sort -u)" = "2" ]
    # the pids the tasks ran in are the workers the pool started, none new
    local pid
    for pid in $(awk '{ print $2 }' <<<"$pids"); do
        [[ "$output" == *"is process $pid"* ]]
    done
    # ten tasks, each run once
    [ "$(grep -cE 'runs Foo\([0-9]\) in process' <<<"$output")" -eq 10 ]
    [ "$(grep -oE 'runs Foo\([0-9]\)' <<<"$output" | sort -u | wc -l)" -eq 10 ]
    # and each of the five took a None, and went home, in its own process
    for pid in $(awk '{ print $2 }' <<<"$pids"); do
        grep -qE "worker[1-5] +takes None: goes home \(process $pid\)\$" <<<"$output"
    done
    [ "$(grep -cE 'takes None: goes home' <<<"$output")" -eq 5 ]
}

@test "Python's structure: one task pipe, a task handler, a result handler that runs every callback" {
    local kind queue
    for kind in process thread; do
        run --separate-stderr "$CONCDEMO" pool --part article --kind "$kind" --speed 20 --format jsonl
        [ "$status" -eq 0 ]
        queue=pipe
        [ "$kind" = thread ] && queue=queue
        # the task handler puts every task into the one task queue; the workers take them from it
        [ "$(jq -r "select(.actor == \"task-handler\" and (.text | test(\"^puts .* into the task $queue\$\"))) | .text" <<<"$output" | wc -l)" -ge 1 ]
        # every callback line, and only those, is the result handler's
        [ "$(jq -r 'select(.text | startswith("-->exec")) | .actor' <<<"$output" | sort | uniq -c | awk '{ print $1, $2 }')" = "10 result-handler" ]
        [ "$(jq -r 'select(.kind == "result") | .data.callback_thread' <<<"$output")" = "result-handler" ]
        # the Nones go in once every task has ended, after the last callback, and each worker takes one
        local nones last_callback
        nones=$(jq -s 'map(.text) | index("every task has ended: puts one None per worker into the task '"$queue"'")' <<<"$output")
        last_callback=$(jq -s '[to_entries[] | select(.value.text | startswith("-->exec done")) | .key] | max' <<<"$output")
        [ "$nones" -gt "$last_callback" ]
        [ "$(jq -r 'select(.text | startswith("takes None: goes home")) | .actor' <<<"$output" | sort -u | tr '\n' ' ')" = "worker1 worker2 worker3 worker4 worker5 " ]
    done
}

@test "seed 000 in a thread pool: the same two waves, every result once" {
    run "$CONCDEMO" pool --part article --kind thread --speed 2
    [ "$status" -eq 0 ]
    [[ "$output" == *"pool = ThreadPool(5)"* ]]
    [[ "$output" == *"worker1 to worker5, task-handler and result-handler started: threads of this process"* ]]
    [ "$(line_of 'main +end$')" -lt "$(line_of 'result-handler +-->exec done')" ]
    [ "$(callback_values | tr '\n' ' ')" = "100 101 102 103 104 105 106 107 108 109 " ]
    local t
    for t in $(times_of 'result-handler +-->exec done: 10[0-4]$'); do within 1.99 "$t" 3.5; done
    for t in $(times_of 'result-handler +-->exec done: 10[5-9]$'); do within 3.99 "$t" 5.5; done
    [ "$(grep -cE 'worker[1-5] +takes None: goes home$' <<<"$output")" -eq 5 ]
    [ "$(result_value waves)" -eq 2 ]
    [ "$(result_value delivered)" -eq 10 ]
}

@test "apply(): in order, one result every 2 s, 20 s in all, in either kind" {
    local kind
    for kind in process thread; do
        # --speed 5: each gap's 1.9 lesson-seconds above 2 s are 0.38 s of real time
        run "$CONCDEMO" pool --part article --mode sync --kind "$kind" --speed 5
        [ "$status" -eq 0 ]
        [ "$(grep -oE 'apply\(Foo, \([0-9]+,\)\) -> [0-9]+' <<<"$output" | tr '\n' ';')" = \
            "apply(Foo, (0,)) -> 100;apply(Foo, (1,)) -> 101;apply(Foo, (2,)) -> 102;apply(Foo, (3,)) -> 103;apply(Foo, (4,)) -> 104;apply(Foo, (5,)) -> 105;apply(Foo, (6,)) -> 106;apply(Foo, (7,)) -> 107;apply(Foo, (8,)) -> 108;apply(Foo, (9,)) -> 109;" ]
        # each result 2 s after the one before
        local gaps gap
        gaps=$(times_of 'main +apply\(Foo' | awk '{ print $1 - last; last = $1 }')
        [ "$(wc -l <<<"$gaps")" -eq 10 ]
        while read -r gap; do within 1.99 "$gap" 3.9; done <<<"$gaps"
        # end comes last, not first: apply() waited each time
        [ "$(line_of 'main +end$')" -gt "$(line_of 'apply\(Foo, \(9,\)\)')" ]
        within 19.99 "$(result_value elapsed)" 24
        [ "$(result_value expected)" = "20.00" ]
        [ "$(result_value delivered)" -eq 10 ]
        [ "$(result_value callback_thread)" = none ] # apply() has no callback
    done
}

@test "apply(): the workers share one task queue, so the tasks go round them, not all to worker1" {
    local kind
    for kind in process thread; do
        run "$CONCDEMO" pool --part article --mode sync --kind "$kind" --speed 50
        [ "$status" -eq 0 ]
        # The worker that ran a task waits at the back of the queue for the
        # next; which worker comes next is not promised (here nor in Python),
        # so only this is asserted: the tasks did not all go to one worker.
        [ "$(result_value workers_used)" -ge 2 ]
        [ "$(result_value per_worker | tr ',' '\n' | awk '{ s += $1 } END { print s }')" -eq 10 ]
        [ "$(result_value per_worker | tr ',' '\n' | wc -l)" -eq 5 ]
        # the note lists the workers in the order they took the tasks, and they ran them
        local turns
        turns=$(grep -oE 'The workers that took the tasks, in order: [0-9 ]+$' <<<"$output" | sed 's/.*order: //')
        [ "$(wc -w <<<"$turns")" -eq 10 ]
        [ "$(grep -oE 'worker[1-5] +runs Foo\([0-9]\)' <<<"$output" | sed -E 's/worker([1-5]).*/\1/' | tr '\n' ' ')" = "$turns " ]
    done
}

@test "map(): the values in the order of the arguments, all at once after two waves" {
    run "$CONCDEMO" pool --part article --mode map --kind thread --speed 2
    [ "$status" -eq 0 ]
    [ "$(grep -cE 'main +values -> ' <<<"$output")" -eq 1 ]
    [[ "$output" == *"values -> [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]"* ]]
    within 3.99 "$(time_of 'main +values -> ')" 5.5
    [ "$(line_of 'values -> ')" -lt "$(line_of 'main +end$')" ]
    [ "$(result_value waves)" -eq 2 ]
    [ "$(result_value missing)" -eq 0 ]
}

@test "map() in chunks: 24 tasks on 5 workers go 2 at a time, and take the 12 s the chunks make" {
    # --speed 5: the windows' 1.9 lesson-seconds are 0.38 s of real time
    run "$CONCDEMO" pool --part article --mode map --tasks 24 --speed 5
    [ "$status" -eq 0 ]
    [ "$(result_value expected)" = "12.00" ]
    within 11.99 "$(result_value elapsed)" 13.9
    [ "$(result_value delivered)" -eq 24 ]
    [ "$(result_value missing)" -eq 0 ]
    # a worker runs its chunk's two tasks one after the other, each 2 s
    local first second
    first=$(time_of 'runs Foo\(0\) in process')
    second=$(time_of 'runs Foo\(1\) in process')
    within 1.99 "$(awk -v a="$first" -v b="$second" 'BEGIN { print b - a }')" 3.9
    [ "$(grep -oE 'worker[0-9] +runs Foo\((0|1)\) in process [0-9]+' <<<"$output" | awk '{ print $NF }' | sort -u | wc -l)" -eq 1 ]
}

@test "one worker: the tasks go one at a time, a wave each" {
    run "$CONCDEMO" pool --part article --workers 1 --tasks 3 --speed 5
    [ "$status" -eq 0 ]
    [ "$(result_value waves)" -eq 3 ]
    within 5.99 "$(result_value elapsed)" 7.9
    [ "$(grep -cE 'pool +worker1 is process' <<<"$output")" -eq 1 ]
}

@test "terminate() in a process pool: the running tasks are killed, the waiting never run, all reaped" {
    # --speed 2: main's terminate() may come a lesson-second late, 0.5 s of real time, before
    # a task could end; and the workers have as long to take their tasks
    run --separate-stderr "$CONCDEMO" pool --part terminate --speed 2
    [ "$status" -eq 0 ]
    [ "$(result_value done)" -eq 0 ]
    [ "$(result_value killed)" -eq 5 ]
    [ "$(result_value dropped)" -eq 5 ]
    [ "$(grep -cE 'result-handler +worker[1-5] \(process [0-9]+\) killed by terminate\(\) while it ran Foo\([0-4]\)$' <<<"$output")" -eq 5 ]
    [[ "$output" == *"never ran: tasks 5,6,7,8,9"* ]]
    [[ "$output" == *"killed while running: tasks 0,1,2,3,4"* ]]
    # no callback after terminate(), as in Python
    [ "$(grep -c 'exec done' <<<"$output")" -eq 0 ]
    [ "$(result_value callbacks_after_terminate)" -eq 0 ]
    [ "$(result_value results_dropped)" -eq 0 ]
    [[ "$output" == *"A process can be killed: its memory is its own"* ]]
    # terminate() came after main slept half a task's time, before any task could end
    local first_ran
    first_ran=$(time_of 'worker[1-5] +runs Foo\([0-4]\)')
    within 0.99 "$(time_of 'main +pool.terminate\(\)')" "$(awk -v s="$first_ran" 'BEGIN { print s + 1.99 }')"
    [ -z "$stderr" ] # the engine finds no child left unreaped
}

@test "terminate() in a process pool: join() returns at once, it does not wait for the tasks" {
    unless_sanitized 'thread|address' "a killed instrumented process takes tens of ms to be torn down (its shadow memory)"
    # --speed 2: killing and reaping the workers has 0.9 lesson-seconds, 0.45 s of real time
    run "$CONCDEMO" pool --part terminate --speed 2
    [ "$status" -eq 0 ]
    within 0 "$(result_value join_after)" 0.9
}

@test "terminate() with 1000 tasks: every unfinished one is counted, and the list says it is cut" {
    # --speed 2: the workers have 0.5 s of real time to take their first tasks
    run "$CONCDEMO" pool --part terminate --tasks 1000 --speed 2
    [ "$status" -eq 0 ]
    [ "$(result_value killed)" -eq 5 ]
    [ "$(result_value dropped)" -eq 995 ]
    [ "$(result_value done)" -eq 0 ]
    grep -qE '# never ran: tasks 5,6,7,[0-9,]+,\.\.\.$' <<<"$output"
}

@test "terminate() in a thread pool: the running tasks run to their end, no callback runs, their results are dropped" {
    # --speed 0.25: join_after is about 1 s only if main's terminate() is on time: main
    # woken 0.05 lesson-seconds late would bring it under 0.95; that is 0.2 s of real time
    run "$CONCDEMO" pool --part terminate --kind thread --speed 0.25
    [ "$status" -eq 0 ]
    [ "$(result_value done)" -eq 5 ]
    [ "$(result_value killed)" -eq 0 ]
    [ "$(result_value dropped)" -eq 5 ]
    [[ "$output" == *"never ran: tasks 5,6,7,8,9"* ]]
    # as in Python: no callback after terminate(), the five results dropped by the result handler
    [ "$(grep -c 'exec done' <<<"$output")" -eq 0 ]
    [ "$(result_value callbacks_after_terminate)" -eq 0 ]
    [ "$(result_value results_dropped)" -eq 5 ]
    [ "$(grep -cE 'result-handler +Foo\([0-4]\) returned after terminate\(\): its result is dropped, no callback runs$' <<<"$output")" -eq 5 ]
    # each ran its full 2 s, though terminate() came after 1 s
    local n ran ended
    for n in 0 1 2 3 4; do
        ran=$(time_of "worker[1-5] +runs Foo\\($n\\)\$")
        ended=$(time_of "result-handler +Foo\\($n\\) returned after terminate")
        within 1.99 "$(awk -v a="$ran" -v b="$ended" 'BEGIN { print b - a }')" 3.9
    done
    [ "$(line_of 'main +pool.terminate\(\)')" -lt "$(line_of 'returned after terminate')" ]
    # join() waited for them: about 1 s after terminate(), never less
    within 0.95 "$(result_value join_after)" 2.5
    [ "$(grep -cE 'worker[1-5] +goes home: terminate\(\) shut the task queue$' <<<"$output")" -eq 5 ]
    [[ "$output" == *"A thread cannot be killed: it shares the process's memory and locks"* ]]
}

@test "failure in a process pool: task 1 raises, task 2's worker dies; both reported, the pool goes on with 4" {
    # --speed 2: the windows' 1.9 lesson-seconds are 0.95 s of real time; a task a second
    # late, 0.5 s, still ends in its wave
    run --separate-stderr "$CONCDEMO" pool --part failure --speed 2
    [ "$status" -eq 0 ]
    [ "$(result_value failed_tasks)" = "1,2" ]
    [ "$(result_value done)" -eq 8 ]
    [ "$(result_value crashed)" -eq 1 ]
    [ "$(result_value workers_left)" -eq 4 ]
    grep -qE 'result-handler +-->exec failed: task 1: ValueError: Risky\(1\) refuses$' <<<"$output"
    grep -qE 'result-handler +-->exec failed: task 2: its worker process died$' <<<"$output"
    grep -qE 'result-handler +worker[1-5] \(process [0-9]+\) died of SIGABRT while it ran Risky\(2\): that task fails' <<<"$output"
    # the death is seen before its task's error callback runs
    [ "$(line_of 'died of SIGABRT')" -lt "$(line_of 'exec failed: task 2')" ]
    [[ "$output" == *"task 2, Risky(2): its worker process died, of SIGABRT"* ]]
    # every other result once; eight tasks on four workers after the crash take a third wave
    [ "$(callback_values | tr '\n' ' ')" = "100 103 104 105 106 107 108 109 " ]
    [ "$(result_value waves)" -eq 3 ]
    within 5.99 "$(result_value elapsed)" 7.9
    [ -z "$stderr" ]
}

@test "failure with more workers than tasks: the crash costs no wave, and the notes do not claim one" {
    # --speed 2: one wave while no task ends a lesson-second, 0.5 s of real time, after the one before
    run "$CONCDEMO" pool --part failure --workers 64 --speed 2
    [ "$status" -eq 0 ]
    [ "$(result_value waves)" -eq 1 ]
    [ "$(result_value workers_left)" -eq 63 ]
    [[ "$output" == *"A worker died: the pool went on with the other 63."* ]]
    [[ "$output" != *"more waves"* ]]
}

@test "failure in a thread pool: task 1 raises and is reported; nothing crashes the program" {
    run "$CONCDEMO" pool --part failure --kind thread --speed 2
    [ "$status" -eq 0 ]
    [ "$(result_value failed_tasks)" = "1" ]
    [ "$(result_value done)" -eq 9 ]
    [ "$(result_value crashed)" -eq 0 ]
    [[ "$output" == *"A crash in a thread would end the whole program"* ]]
    [ "$(callback_values | tr '\n' ' ')" = "100 102 103 104 105 106 107 108 109 " ]
    [ "$(result_value waves)" -eq 2 ]
}

@test "cost: six runs of tiny tasks, every result checked, times and ratios given" {
    run --separate-stderr "$CONCDEMO" pool --part cost --tasks 2000 --workers 4
    [ "$status" -eq 0 ]
    [ "$(result_value mismatches)" -eq 0 ]
    [ "$(result_value tasks)" -eq 2000 ]
    local key
    for key in thread_async_s thread_map_s thread_each_s thread_ratio process_async_s process_map_s process_each_s process_ratio; do
        [[ "$(result_value "$key")" =~ ^[0-9]+\.[0-9]+$ ]]
    done
    [ "$(grep -cE 'main +((thread|process) pool, apply_async\(\) one by one|(thread|process) pool, map\(\) in chunks of 125|a new (thread|process) for each task): 2000 tasks in [0-9.]+ s of wall time, [0-9.]+ us a task$' <<<"$output")" -eq 6 ]
    [ -z "$stderr" ] # 2000 processes, every one reaped
}

@test "cost: the default is 20000 tasks, and --tasks changes it" {
    run "$CONCDEMO" pool --part cost --workers 2 --tasks 30 --quiet
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=cost kind=process mode=async workers=2 tasks=30 "* ]]
    [ "$(result_value tasks)" -eq 30 ]
    run "$CONCDEMO" pool --part cost --help
    [[ "$output" == *"the cost part's default is 20000"* ]]
}

@test "jsonl: every line is JSON, and the results are data" {
    run "$CONCDEMO" pool --part article --format jsonl --speed 50 --tasks 4
    [ "$status" -eq 0 ]
    jq -e . <<<"$output" >/dev/null
    [ "$(jq -r 'select(.kind == "result") | .data.delivered' <<<"$output")" -eq 4 ]
    [ "$(jq -r 'select(.actor == "result-handler") | .text' <<<"$output" | grep -c '^-->exec done: ')" -eq 4 ]
}

@test "bad input for every pool option" {
    usage_error "--part: 'deep' is not one of the choices (allowed: all|article|terminate|failure|cost)" pool --part deep
    usage_error "--kind: 'fiber' is not one of the choices (allowed: process|thread)" pool --kind fiber
    usage_error "--mode: 'later' is not one of the choices (allowed: async|sync|map)" pool --mode later
    usage_error "--workers: '0' is zero" pool --workers 0
    usage_error "--workers: '65' is too large (allowed: 1 to 64)" pool --workers 65
    usage_error "--workers: 'five' is not a whole number" pool --workers five
    usage_error "--workers: '-3' is negative" pool --workers -3
    usage_error "--tasks: '1000001' is too large (allowed: 1 to 1000000)" pool --tasks 1000001
    usage_error "--tasks: '99999999999999999999' is too large" pool --tasks 99999999999999999999
    usage_error "--tasks: '0' is zero" pool --tasks 0
    usage_error "--task-seconds: '0' is zero" pool --task-seconds 0
    usage_error "--task-seconds: '61' is too large" pool --task-seconds 61
    usage_error "--task-seconds: '0.01' is too small (allowed: 0.1 to 60)" pool --task-seconds 0.01
    usage_error "--task-seconds: 'soon' is not a number" pool --task-seconds soon
    usage_error "--tasks must be 3 or more for the failure part" pool --tasks 2
    usage_error "--tasks must be 3 or more for the failure part" pool --part failure --tasks 1
    usage_error "unknown option '--chunksize'" pool --chunksize 4
    run "$CONCDEMO" pool --part article --tasks 2 --speed 50 --quiet
    [ "$status" -eq 0 ]
}

@test "a thread pool past the thread limit: one line naming it, exit 1, nothing waits" {
    run --separate-stderr bash -c 'ulimit -u 18; exec "$0" pool --part article --kind thread --workers 40 --speed 50' "$CONCDEMO"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"the most this system should have (ulimit -u"*"ask for fewer"* ]]
    [[ "$output" != *"result:"* ]]
}

@test "a process pool past the process limit: one line naming it, exit 1, none left" {
    fresh_user
    run --separate-stderr "${FRESH_USER[@]}" \
        bash -c "ulimit -u 3; exec '$CONCDEMO' pool --part article --speed 50"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"refused to start a process"*"ulimit -u is 3"* ]]
    [[ "$output" != *"result:"* ]]
}

@test "Ctrl-C while the workers run: exit 130 at once, no result, no process left" {
    interrupt_when 'runs Foo\(4\)' INT pool --part article --speed 2 --seed 424242
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"exec done"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
    ! pgrep -f 'concdemo pool --part article --speed 2 --seed 424242' || false
}

@test "Ctrl-C at a terminal, to the whole process group: the workers ignore it, the pool stops them, none left" {
    INTERRUPT_GROUP=1 interrupt_when 'runs Risky\(4\)' INT pool --part failure --speed 2 --seed 424243
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"died of"* ]] # the stop is not a crash
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
    ! pgrep -f 'concdemo pool --part failure --speed 2 --seed 424243' || false
}

@test "SIGTERM while the cost part's process runs fork: exit 143, none left" {
    # the thread runs are said together; the process runs (seconds of forks) follow
    interrupt_when 'main +a new thread for each task' TERM pool --part cost --seed 424244
    [ "$status" -eq 143 ]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"a new process for each task"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
    ! pgrep -f 'concdemo pool --part cost --seed 424244' || false
}

@test "Ctrl-C in a thread pool: the queue is shut, every worker goes home, exit 130" {
    interrupt_when 'worker[1-5] +runs Foo\(4\)' INT pool --part article --kind thread --speed 2
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "a closed pipe ends the lesson quietly, with status 0, none left" {
    run bash -c '"$0" pool --part article --speed 5 --seed 424245 | head -3; exit "${PIPESTATUS[0]}"' "$CONCDEMO"
    [ "$status" -eq 0 ]
    ! pgrep -f 'concdemo pool --part article --speed 5 --seed 424245' || false
}
