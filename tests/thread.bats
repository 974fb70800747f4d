#!/usr/bin/env bats
# thread: two ways to make a thread, join, active_count(), the end of main,
# and a thread's return value.

load helpers

@test "the article's program (§2.1.2) at speed 1: joined, 3 threads of 3 s take 3 s; unjoined, cost: comes at once" {
    # --speed 1: windows wide enough for a thread that wakes 0.3 s late
    run "$CONCDEMO" thread --part join --speed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=join threads=3 starts=2000 speed=1 "* ]]
    within 2.95 "$(result_value cost_joined)" 3.6
    within 0 "$(result_value cost_unjoined)" 0.3
    [ "$(result_value cost_before_ticks)" = yes ]
    within 2.95 "$(result_value unjoined_ended)" 3.6
    # the article's lines: each thread's task line, then 3s 2s 1s, a second apart
    for n in 0 1 2; do
        [ "$(grep -cE "^\[ *[0-9.]+\] t-$n +task t-$n <Thread\(Thread-$((n + 1)) \(run\), started [0-9]+\)>$" <<<"$output")" -eq 2 ]
        within 0.95 "$(time_of "t-$n +3s$")" 1.4
        within 1.95 "$(time_of "t-$n +2s$")" 2.4
        within 2.95 "$(time_of "t-$n +1s$")" 3.4
    done
    # joined: main's cost: after every thread's 1s; the first cost: line is the joined one
    [ "$(line_of 'main +cost: ')" -gt "$(grep -nE 't-[0-9] +1s$' <<<"$output" | head -3 | tail -1 | cut -d: -f1)" ]
    within 2.95 "$(time_of 'main +cost: ')" 3.6
    # unjoined: main's second cost: line comes before any thread's 3s of that run
    local second_cost
    second_cost=$(grep -nE 'main +cost: ' <<<"$output" | sed -n 2p | cut -d: -f1)
    [ "$second_cost" -lt "$(grep -nE 't-[0-9] +3s$' <<<"$output" | sed -n 4p | cut -d: -f1)" ]
    # start() waits until its thread runs, not until it printed: the task lines may come before or after
    # cost:, as in Python; the note says how many came first, and the result agrees
    within 0 "$(result_value tasks_before_cost)" 3
    [[ "$output" == *"This run $(result_value tasks_before_cost) of the 3 task lines came before main's cost:."* ]]
    [ "$(sed -n "$((second_cost + 1)),\$p" <<<"$output" | grep -cE 't-[0-9] +task t-[0-9] ')" -eq "$((3 - $(result_value tasks_before_cost)))" ]
    [ "$(grep -c '<_MainThread(MainThread, started [0-9]*)> native_id [0-9]*$' <<<"$output")" -eq 2 ]
}

# Each thread's own lines in one way's part of the transcript ($1): its task
# line, then 2s 1s 0s, 1, 2 and 3 lesson seconds after it (the ticks are
# deadlines from the task line, so lateness does not add up: at --speed 4 a
# thread 0.5 s late is 2 lesson seconds late; the order is checked by the lines).
each_thread_counts_down() {
    local who times k
    for who in t1 t2; do
        local mine
        mine=$(grep -E "^\[ *[0-9.]+\] $who +" <<<"$1")
        [ "$(sed -E 's/^\[ *[0-9.]+\] t[12] +//; s/ <.*//' <<<"$mine" | tr '\n' ' ')" = "task $who 2s 1s 0s " ]
        read -ra times <<<"$(sed -E 's/^\[ *([0-9.]+)\].*/\1/' <<<"$mine" | tr '\n' ' ')"
        for k in 1 2 3; do
            within "$(awk -v t="${times[0]}" -v k=$k 'BEGIN { print t + k - 0.01 }')" "${times[k]}" \
                "$(awk -v t="${times[0]}" -v k=$k 'BEGIN { print t + k + 2 }')"
        done
    done
}

@test "two ways to make a thread: Thread(target=run) and class MyThread(Thread), each prints itself" {
    run "$CONCDEMO" thread --part create --speed 4
    [ "$status" -eq 0 ]
    [ "$(result_value ways)" -eq 2 ]
    [ "$(result_value idents_apart)" = yes ]
    [ "$(result_value main_native_id_is_pid)" = yes ]
    within 7.9 "$(result_value elapsed)" 12
    # way 1: Thread-1 (run), Thread-2 (run); way 2: MyThread, Thread-3, Thread-4, as Python 3.11 names them
    grep -qE '^\[ *[0-9.]+\] t1 +task t1 <Thread\(Thread-1 \(run\), started [0-9]+\)> native_id [0-9]+$' <<<"$output"
    grep -qE '^\[ *[0-9.]+\] t2 +task t2 <Thread\(Thread-2 \(run\), started [0-9]+\)> native_id [0-9]+$' <<<"$output"
    grep -qE '^\[ *[0-9.]+\] t1 +task t1 <MyThread\(Thread-3, started [0-9]+\)> native_id [0-9]+$' <<<"$output"
    grep -qE '^\[ *[0-9.]+\] t2 +task t2 <MyThread\(Thread-4, started [0-9]+\)> native_id [0-9]+$' <<<"$output"
    # each thread of each way printed its task line, then 2s 1s 0s a lesson second apart
    local way2
    way2=$(line_of 'main +2: class MyThread')
    each_thread_counts_down "$(head -n "$way2" <<<"$output")"
    each_thread_counts_down "$(tail -n "+$way2" <<<"$output")"
    [[ "$output" == *"the two ways printed the same lines, but for the class and the name: Thread(Thread-1 (run)), MyThread(Thread-3)"* ]]
    # main's native_id is the pid: said once in a run
    [ "$(grep -c "native_id (gettid()) is the process's pid" <<<"$output")" -eq 1 ]
    # the two threads alive together had two native ids, and main's is the pid
    local pid
    pid=$(grep -oE 'native_id \(gettid\(\)\) is the process.s pid, [0-9]+' <<<"$output" | head -1 | grep -oE '[0-9]+$')
    grep -q "<_MainThread(MainThread, started [0-9]*)> native_id $pid\$" <<<"$output"
    [ "$(grep -oE '<Thread\(Thread-[12] \(run\), started [0-9]+\)> native_id [0-9]+' <<<"$output" | awk '{ print $NF }' | sort -u | wc -l)" -eq 2 ]
    # the ident reuse note agrees with the count
    if [ "$(result_value reused_idents)" -eq 0 ]; then
        [[ "$output" == *"No ident of way 1 came back in way 2 this run"* ]]
    else
        [[ "$output" == *"$(result_value reused_idents) of way 2's idents were way 1's"* ]]
    fi
}

@test "active_count(): 4 while the 3 threads sleep, 1 after they ended; with --threads 5, 6" {
    # --speed 1.5: main reads 0.5 lesson-seconds, 0.33 s, away from the threads' wake-up
    run "$CONCDEMO" thread --part active --speed 1.5
    [ "$status" -eq 0 ]
    [ "$(result_value while_sleeping)" -eq 4 ]
    [ "$(result_value after_ended)" -eq 1 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] main +4$' <<<"$output")" -eq 1 ]
    [ "$(line_of 'main +4$')" -lt "$(line_of 'main +1$')" ]
    [[ "$output" == *"# 4: the 3 threads, still asleep, and main."* ]]
    run "$CONCDEMO" thread --part active --threads 5 --speed 1.5
    [ "$(result_value while_sleeping)" -eq 6 ]
    [ "$(result_value after_ended)" -eq 1 ]
}

@test "the end of main: return ends the child's threads at 0.5 s, pthread_exit lets them finish at 1 s" {
    local seed
    seed=$(unique_seed)
    # --speed 1.5: main returns 0.5 lesson-seconds, 0.33 s, before the threads wake
    run "$CONCDEMO" thread --part exit --speed 1.5 --seed "$seed"
    [ "$status" -eq 0 ]
    [ "$(result_value return_woke)" -eq 0 ]
    [ "$(result_value pthread_exit_woke)" -eq 3 ]
    within 0.45 "$(result_value return_ended)" 1
    within 0.95 "$(result_value pthread_exit_ended)" 1.6
    # what the child wrote, read from its pipe: active_count() 4 both times, each thread's task line
    [ "$(grep -cE '^\[ *[0-9.]+\] child main +4$' <<<"$output")" -eq 2 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] child t-[0-2] +task t-[0-2]$' <<<"$output")" -eq 6 ]
    # after `return 0` no thread line appeared; after pthread_exit every thread's came, after main's
    local ret pexit
    ret=$(line_of 'child main +return 0$')
    pexit=$(line_of 'child main +pthread_exit\(NULL\)$')
    ! sed -n "${ret},${pexit}p" <<<"$output" | grep -q 'woke after 1 s' || false
    [ "$(sed -n "${pexit},\$p" <<<"$output" | grep -cE 'child t-[0-2] +t-[0-2] woke after 1 s, and ends$')" -eq 3 ]
    [[ "$output" == *"0 of 3 threads' 'woke' lines appeared"* ]]
    [[ "$output" == *"3 of 3 threads' 'woke' lines appeared"* ]]
    [[ "$output" == *"(exit status 0)"* ]]
    none_left "$seed"
}

@test "getResult(): each thread's return value comes back through pthread_join" {
    # --speed 4: a thread 0.3 s late is 1.2 lesson seconds late; loop 1 ends 2 lesson seconds, 0.5 s, first
    run "$CONCDEMO" thread --part result --speed 4
    [ "$status" -eq 0 ]
    [ "$(result_value loops)" = "4,2" ]
    local r0 r1
    r0=$(result_value results | cut -d, -f1)
    r1=$(result_value results | cut -d, -f2)
    within 3.95 "$r0" 5.3
    within 1.95 "$r1" 3.3
    within 3.95 "$(result_value elapsed)" 5.4
    [[ "$output" == *"join() -> getResult(): loop 0 slept $r0 s"* ]]
    [[ "$output" == *"join() -> getResult(): loop 1 slept $r1 s"* ]]
    # the article's order: loop 1 is done before loop 0, and main's lines come last
    [ "$(line_of 'loop 1 done at:')" -lt "$(line_of 'loop 0 done at:')" ]
    [ "$(line_of 'getResult\(\): loop 0')" -gt "$(line_of 'loop 0 done at:')" ]
    [ "$(line_of 'all DONE at:')" -gt "$(line_of 'getResult\(\): loop 1')" ]
    grep -qE '^\[ *[0-9.]+\] loop-0 +starting loop at: ' <<<"$output"
}

@test "the cost of a thread start: --starts threads started and joined, one at a time, timed in real time" {
    run "$CONCDEMO" thread --part cost --starts 50
    [ "$status" -eq 0 ]
    [ "$(result_value starts)" -eq 50 ]
    [[ "$output" == *"$(result_value us_each) us a thread: pthread_create() and pthread_join()"* ]]
}

@test "every part, in order, with its result lines last" {
    run "$CONCDEMO" thread --speed 50 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s '[ .[] | select(.kind == "result") | .data.part ] == ["create", "join", "active", "exit", "result", "cost"]' <<<"$output"
    jq -e -s '.[-1].kind == "result"' <<<"$output"
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # every part at --speed 20; active and exit again at --speed 1.5, as their English test runs
    # them: main reads 0.5 lesson-seconds, 0.33 s, away from the threads' wake-up
    run_in_chinese thread --speed 20 --starts 50
    [ "${lines[0]}" = "concdemo thread: 用两种方式创建线程，join 它们，统计它们，并看 main 的结束如何结束它们" ]
    [ "$(grep -oE '^result: part=[a-z]+' <<<"$output" | cut -d= -f2 | tr '\n' ' ')" = "create join active exit result cost " ]
    [ "$(result_value ways)" -eq 2 ]
    [ "$(result_value idents_apart)" = yes ]
    [ "$(result_value main_native_id_is_pid)" = yes ]
    grep -qE '^\[ *[0-9.]+\] t1 +task t1 <Thread\(Thread-1 \(run\), started [0-9]+\)> native_id [0-9]+$' <<<"$output"
    grep -qE '^\[ *[0-9.]+\] t2 +task t2 <MyThread\(Thread-4, started [0-9]+\)> native_id [0-9]+$' <<<"$output"
    within 0 "$(result_value tasks_before_cost)" 3
    [ "$(grep -c '<_MainThread(MainThread, started [0-9]*)> native_id [0-9]*$' <<<"$output")" -eq 3 ]
    [ "$(result_value loops)" = "4,2" ]
    [[ "$output" == *"join() -> getResult()：loop 1 睡了 "* ]]
    [ "$(result_value starts)" -eq 50 ]
    [[ "$output" == *"每个线程 $(result_value us_each) 微秒"* ]]
    run_in_chinese thread --part active --speed 1.5
    [ "$(result_value while_sleeping)" -eq 4 ]
    [ "$(result_value after_ended)" -eq 1 ]
    [[ "$output" == *"# 4：3 个仍在睡眠的线程，加上主线程。"* ]]
    run_in_chinese thread --part exit --speed 1.5
    [ "$(result_value return_woke)" -eq 0 ]
    [ "$(result_value pthread_exit_woke)" -eq 3 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] child t-[0-2] +t-[0-2] woke after 1 s, and ends$' <<<"$output")" -eq 3 ]
}

@test "bad input for every thread option" {
    usage_error "--threads: '0' is zero" thread --threads 0
    usage_error "--threads: '101' is too large (allowed: 1 to 100)" thread --threads 101
    usage_error "--threads: 'x' is not a whole number" thread --threads x
    usage_error "--part" thread --part nope
    usage_error "--starts: '0' is zero" thread --starts 0
    usage_error "--starts: '100001' is too large (allowed: 1 to 100000)" thread --starts 100001
    usage_error "--starts: '2.5' is not a whole number" thread --starts 2.5
}

@test "Ctrl-C while the threads sleep, and while a child process runs: exit 130, no result, nothing left" {
    local seed
    seed=$(unique_seed)
    interrupt_when 't-0 +3s$' INT thread --part join --speed 1 --seed "$seed"
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    within 0.9 "$(time_of 'interrupted by Ctrl-C')" 1.6
    seed=$(unique_seed)
    interrupt_when 'child main +4$' INT thread --part exit --speed 1 --seed "$seed"
    [ "$status" -eq 130 ]
    [[ "$output" != *"result:"* ]]
    none_left "$seed"
}
