#!/usr/bin/env bats
# timer: Timer(1, hello), cancel() before and after it fires, and the POSIX
# timer (timer_create with SIGEV_THREAD, timer_delete) beside it.

load helpers

@test "the article's program: Timer(1, hello) prints hello, world once, 1 s after start" {
    # --speed 1: a timer thread that wakes 0.3 s late is still inside the window
    run "$CONCDEMO" timer --part article --speed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=article interval=1 cancel-after=none speed=1 "* ]]
    [ "$(result_value fired)" = yes ]
    [ "$(result_value runs)" -eq 1 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] Thread-1 +hello, world$' <<<"$output")" -eq 1 ]
    within 1 "$(time_of 'Thread-1 +hello, world')" 1.4
    # measured, and never before it was due
    within "$(result_value due)" "$(result_value fired_at)" 1.4
    within 0 "$(result_value late)" 0.4
    [ "$(line_of 'main +t.start\(\) returned')" -lt "$(line_of 'Thread-1 +hello, world')" ]
    [ "$(line_of 'Thread-1 +hello, world')" -lt "$(line_of 'main +joined: hello ran 1 time')" ]
    [[ "$output" == *"# The article's main ends here. Python still waits for the timer"* ]]
}

@test "cancel() before it is due: the wait ends at once, hello never runs, even well past the due time" {
    # 3.5 lesson-seconds between the cancel and the due time: 0.44 s at --speed 8
    run "$CONCDEMO" timer --part cancel --interval 4 --cancel-after 0.5 --speed 8
    [ "$status" -eq 0 ]
    [ "$(result_value cancelled_runs)" -eq 0 ]
    ! grep -qE 'Thread-2 +hello, world' <<<"$output" || false
    local cancelled ended checked
    cancelled=$(result_value cancelled_at)
    ended=$(result_value wait_ended_at)
    checked=$(result_value checked_at)
    # the timer thread's wait ended at the cancel, not at its timeout (4 s after start)
    within "$cancelled" "$ended" "$(awk -v c="$cancelled" 'BEGIN { print c + 2.4 }')"
    within 0.5 "$cancelled" 3
    # and main looked again half a second past the due time
    within 4.5 "$checked" 7
    [[ "$output" == *"past the due time"*"hello ran 0 times"* ]]
}

@test "cancel() after it fired: returns, changes nothing; the hello had run once" {
    run "$CONCDEMO" timer --part cancel --interval 4 --cancel-after 0.5 --speed 8
    [ "$status" -eq 0 ]
    [ "$(result_value late_runs)" -eq 1 ]
    [ "$(grep -cE 'Thread-3 +hello, world$' <<<"$output")" -eq 1 ]
    [ "$(line_of 'Thread-3 +hello, world')" -lt "$(line_of 'main +t.cancel\(\) after it fired: returns, and hello ran 1 time')" ]
    [[ "$output" == *"Python's returns None, raises nothing"* ]]
}

@test "the POSIX timer: SIGEV_THREAD runs hello on a thread glibc made; timer_delete before it is due cancels it" {
    unless_sanitized thread "ThreadSanitizer crashes in the threads glibc starts for SIGEV_THREAD (google/sanitizers#1612); the part says so, tested below"
    run "$CONCDEMO" timer --part posix --interval 4 --cancel-after 0.5 --speed 8
    [ "$status" -eq 0 ]
    [ "$(result_value ran)" = yes ]
    [ "$(result_value runs)" -eq 1 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] glibc-1 +hello, world$' <<<"$output")" -eq 1 ]
    within "$(result_value due)" "$(result_value fired_at)" "$(awk -v d="$(result_value due)" 'BEGIN { print d + 2.4 }')"
    # B, deleted 0.5 s after it was armed, never ran, looked at past its due time
    [ "$(result_value deleted_runs)" -eq 0 ]
    ! grep -q 'timer B: this must not happen' <<<"$output" || false
    within 0.4 "$(result_value deleted_at)" 3
    within "$(result_value due)" "$(result_value checked_at)" 1e300
    [ "$(line_of 'timer_delete\(B\)')" -lt "$(line_of 'glibc-1 +hello, world')" ]
}

@test "the POSIX timer: glibc's helper thread appears at timer_create and outlives timer_delete; the child takes it away" {
    unless_sanitized thread "ThreadSanitizer crashes in the threads glibc starts for SIGEV_THREAD (google/sanitizers#1612)"
    run "$CONCDEMO" timer --part posix --interval 4 --cancel-after 0.5 --speed 8
    [ "$status" -eq 0 ]
    [ "$(result_value threads_before)" -eq 1 ]
    [ "$(result_value threads_armed)" -eq 2 ]
    [ "$(result_value threads_during)" -eq 3 ]
    [ "$(result_value threads_after)" -eq 2 ]
    [[ "$output" == *"main     joined the child: every thread glibc made for it ended with it"* ]]
}

@test "the POSIX timer: timer_delete while its function runs returns at once and does not stop it" {
    unless_sanitized thread "ThreadSanitizer crashes in the threads glibc starts for SIGEV_THREAD (google/sanitizers#1612)"
    run "$CONCDEMO" timer --part posix --interval 4 --cancel-after 0.5 --speed 8
    [ "$status" -eq 0 ]
    # C's function waits for main's word, given once timer_delete(C) has
    # returned: no timing decides it.  Had timer_delete waited for the
    # function, the function's wait would have timed out: "no".
    [ "$(result_value running_outlived_delete)" = yes ]
    within "$(result_value running_deleted_at)" "$(result_value running_done_at)" 1e300
    [ "$(line_of 'glibc-2 +hello, world; now it waits for main to say timer_delete\(C\) returned')" -lt "$(line_of 'child +timer_delete\(C\) returned')" ]
    [ "$(line_of 'child +timer_delete\(C\) returned')" -lt "$(line_of 'glibc-2 +main says timer_delete\(C\) returned; and now half a second of work')" ]
    [ "$(line_of 'glibc-2 +main says timer_delete\(C\) returned; and now half a second of work')" -lt "$(line_of 'glibc-2 +done$')" ]
    # and it worked its half second after timer_delete(C) returned (0.499: both times are rounded)
    within 0.499 "$(awk -v a="$(result_value running_deleted_at)" -v b="$(result_value running_done_at)" 'BEGIN { print b - a }')" 1e300
    [[ "$output" == *"child    timer_delete(C) returned at "*", while C's function still runs"* ]]
    [[ "$output" == *"deleting C did not wait for its running function"* ]]
}

@test "under ThreadSanitizer the POSIX part says why it does not run" {
    [[ "${CONCDEMO_SANITIZER:-}" =~ thread ]] || skip "only a ThreadSanitizer build skips the POSIX part"
    run "$CONCDEMO" timer --part posix --speed 50
    [ "$status" -eq 0 ]
    [ "$(result_value ran)" = no ]
    [[ "$output" == *"ThreadSanitizer cannot follow the threads glibc starts for SIGEV_THREAD"* ]]
}

@test "all three parts, in order, at --speed 50" {
    run "$CONCDEMO" timer --speed 50
    [ "$status" -eq 0 ]
    [ "$(grep -c '^result: part=article ' <<<"$output")" -eq 1 ]
    [ "$(grep -c '^result: part=cancel ' <<<"$output")" -eq 1 ]
    [ "$(grep -c '^result: part=posix ' <<<"$output")" -eq 1 ]
    [ "$(line_of 'main +part 1,')" -lt "$(line_of 'main +part 2:')" ]
    [ "$(line_of 'main +part 2:')" -lt "$(line_of 'main +part 3:')" ]
    # the results come last
    [ "$(grep -n '' <<<"$output" | grep -v ':result: ' | tail -1 | cut -d: -f1)" -lt "$(line_of '^result: ')" ]
}

@test "--cancel-after must come before --interval: one line, exit 2" {
    run --separate-stderr "$CONCDEMO" timer --interval 1 --cancel-after 1
    [ "$status" -eq 2 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"--cancel-after must be less than --interval"* ]]
    [ -z "$output" ]
}

@test "--cancel-after's default is half the interval" {
    # --speed 1: half a second between the cancel and the due time
    run --separate-stderr "$CONCDEMO" timer --part cancel --interval 1 --speed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=cancel interval=1 cancel-after=none speed=1 "* ]]
    [[ "$output" == *"main     part 2: cancel() 0.5 s after start, before hello is due at 1 s"* ]]
    within 0.5 "$(result_value cancelled_at)" 0.9
    within "$(result_value cancelled_at)" "$(result_value wait_ended_at)" 0.95
    # what the transcript says agrees with what the run measured
    if [ "$(result_value cancelled_runs)" -eq 0 ]; then
        ! grep -qE 'Thread-2 +hello, world' <<<"$output" || false
        [[ "$output" != *"the cancel came too late"* ]]
    else
        grep -qE 'Thread-2 +hello, world' <<<"$output"
        [[ "$output" == *"# This run the cancel came too late"* ]]
    fi
    # and, but for an instrumented build that wakes main half a second late, the cancel was in time
    if [ -z "${CONCDEMO_SANITIZER:-}" ]; then
        [ "$(result_value cancelled_runs)" -eq 0 ]
        [[ "$output" == *"# cancel() wakes the wait at once: the thread sees the Event set and ends without calling hello."* ]]
    fi
    # the timer left to fire is Timer(0.5, hello)
    [[ "$output" == *"main     now a Timer(0.5, hello) that is left to fire"* ]]
}

@test "Ctrl-C while the timer waits, and while the POSIX timer's child waits: exit 130 at once, nothing left" {
    local seed cue cued stopped budget=0.5 parts=(article posix)
    [ -z "${CONCDEMO_SANITIZER:-}" ] || budget=2
    [[ "${CONCDEMO_SANITIZER:-}" =~ thread ]] && parts=(article) # no POSIX part under ThreadSanitizer
    for part in "${parts[@]}"; do
        seed=$(unique_seed)
        cue='t.start\(\) returned'
        [ "$part" = posix ] && cue='timer_delete\(B\)'
        interrupt_when "$cue" INT timer --part "$part" --interval 20 --cancel-after 0.5 --seed "$seed"
        [ "$status" -eq 130 ]
        [[ "$output" != *"result:"* ]]
        [[ "$output" != *"hello, world"* ]]
        cued=$(time_of "$cue")
        stopped=$(time_of 'interrupted by ')
        within_always "$cued" "$stopped" "$(awk -v c="$cued" -v b="$budget" 'BEGIN { print c + b }')"
        [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
        none_left "$seed"
    done
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # the three parts at the speeds of the English tests' cancel and POSIX parts
    run_in_chinese timer --interval 4 --cancel-after 0.5 --speed 8
    [ "${lines[0]}" = "concdemo timer: Timer(1, hello)：一个线程在事件上等待 1 秒，然后调用 hello，除非被取消" ]
    [[ "${lines[1]}" == "part=all interval=4 cancel-after=0.5 speed=8 "* ]]
    # part 1: the article's hello, once, never before it was due
    [ "$(result_value fired)" = yes ]
    [ "$(grep -cE '^\[ *[0-9.]+\] Thread-1 +hello, world$' <<<"$output")" -eq 1 ]
    within "$(result_value due)" "$(result_value fired_at)" "$(awk -v d="$(result_value due)" 'BEGIN { print d + 2.4 }')"
    # part 2: cancelled in time, hello never ran; cancelled after it fired, it had run once
    [ "$(result_value cancelled_runs)" -eq 0 ]
    ! grep -qE 'Thread-2 +hello, world' <<<"$output" || false
    within "$(result_value cancelled_at)" "$(result_value wait_ended_at)" "$(awk -v c="$(result_value cancelled_at)" 'BEGIN { print c + 2.4 }')"
    [ "$(result_value late_runs)" -eq 1 ]
    [[ "$output" == *"已过应运行的时间"*"hello 运行了 0 次"* ]]
    # part 3: the POSIX timer (ThreadSanitizer's build says why it does not run)
    if [[ "${CONCDEMO_SANITIZER:-}" =~ thread ]]; then
        [[ "$output" == *"result: part=posix ran=no"* ]]
    else
        [[ "$output" == *"result: part=posix ran=yes "* ]]
        [ "$(grep -cE '^\[ *[0-9.]+\] glibc-1 +hello, world$' <<<"$output")" -eq 1 ]
        [ "$(result_value deleted_runs)" -eq 0 ]
        [ "$(result_value running_outlived_delete)" = yes ]
        [[ "$output" == *"删除 C 时没有等待它正在运行的函数"* ]]
    fi
    # a refusal, in Chinese too
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" timer --lang zh --interval 1 --cancel-after 1
    [ "$status" -eq 2 ]
    [ "$stderr" = "concdemo timer：--cancel-after 必须小于 --interval：cancel 必须在定时器到期之前到来" ]
}
