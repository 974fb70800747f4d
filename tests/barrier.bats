#!/usr/bin/env bats
# barrier: threading.Barrier built from a mutex and a condition, its rounds
# and its action; pthread_barrier_t beside it; a barrier broken by a timeout
# and by abort(), and mended by reset().

load helpers

# Reads the transcript of part 1 or 2 and checks every round from the lines
# themselves: all N arrivals of round r come before its action line, the
# action line comes before every "round r: goes on" line, there is one action
# a round and they come in round order, and each round's wait() returned
# each index 0..N-1 once, N-1 in the thread that ran the action.
# $1: N, $2: rounds, $3: the action line's pattern (part 1 or part 2).
rounds_in_order() {
    awk -v n="$1" -v rounds="$2" -v part="$3" '
        function fail(why) { print "line " NR ": " why ": " $0; bad = 1; exit 1 }
        !/^\[ *[0-9.]+\] t-[0-9]+ / { next }
        {
            line = $0; sub(/^\[ *[0-9.]+\] /, "", line)
            who = line; sub(/ .*/, "", who)
            text = line; sub(/^t-[0-9]+ +/, "", text)
        }
        text ~ /^round [0-9]+: at the barrier, waits$/ {
            r = text; sub(/^round /, "", r); sub(/:.*/, "", r)
            if (done[r]) fail("arrived after round " r " was done")
            arrived[r]++; next
        }
        part == 1 && text ~ /^all [0-9]+ here: round [0-9]+ done \(the action\)$/ {
            r = text; sub(/^all [0-9]+ here: round /, "", r); sub(/ .*/, "", r)
            if (arrived[r] != n) fail("action with " arrived[r] " of " n " arrived")
            if (r != actions + 1) fail("action of round " r " after " actions " actions")
            if (gone[r]) fail("action after a runner went on")
            actions++; done[r] = 1; actor[r] = who; next
        }
        text ~ /^round [0-9]+: goes on, / {
            r = text; sub(/^round /, "", r); sub(/:.*/, "", r)
            how = text; sub(/^round [0-9]+: goes on, /, "", how)
            if (arrived[r] != n) fail("went on with " arrived[r] " of " n " arrived")
            if (part == 2 && how ~ /^PTHREAD_BARRIER_SERIAL_THREAD/) { serial[r]++; actions++; done[r] = 1 }
            if (part == 1) {
                if (!done[r]) fail("went on before the action")
                if (how !~ /^wait\(\) returned [0-9]+$/) fail("no index")
                i = how; sub(/^wait\(\) returned /, "", i)
                if (seen[r, i]++) fail("index " i " twice")
                if (i == n - 1 && who != actor[r]) fail("index " n - 1 " not in the action thread")
            }
            gone[r]++; next
        }
        END {
            if (bad) exit 1
            for (r = 1; r <= rounds; r++) {
                if (arrived[r] != n || gone[r] != n) { print "round " r ": " arrived[r] " arrived, " gone[r] " went on"; exit 1 }
                if (part == 2 && serial[r] != 1) { print "round " r ": " serial[r] " serial threads"; exit 1 }
            }
            if (actions != rounds) { print actions " actions for " rounds " rounds"; exit 1 }
        }' <<<"$output"
}

@test "part 1: three runners meet three times; the last to arrive runs the action, once a round, then all go on" {
    run "$CONCDEMO" barrier --part threads --speed 20
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=threads threads=3 rounds=3 timeout=1 speed=20 "* ]]
    rounds_in_order 3 3 1
    [ "$(result_value together)" -eq 3 ]
    [ "$(result_value actions)" -eq 3 ]
    [ "$(result_value one_action)" -eq 3 ]
    [ "$(result_value action_by_last)" -eq 3 ]
    [ "$(result_value action_before_release)" -eq 3 ]
    [[ "$output" == *"# Each round the last to arrive ran the action"* ]]
}

@test "part 1 with 8 runners and 6 rounds: the generations stay apart" {
    run "$CONCDEMO" barrier --part threads --threads 8 --rounds 6 --speed 40
    [ "$status" -eq 0 ]
    rounds_in_order 8 6 1
    [ "$(result_value together)" -eq 6 ]
    [ "$(result_value one_action)" -eq 6 ]
    [ "$(result_value action_by_last)" -eq 6 ]
    [ "$(grep -c 'all 8 here: round' <<<"$output")" -eq 6 ]
}

@test "part 1 at speed 1: each round ends in the window its arrivals allow (0.1 to 1 s of sleep each)" {
    run "$CONCDEMO" barrier --part threads --rounds 2 --speed 1
    [ "$status" -eq 0 ]
    rounds_in_order 3 2 1
    within 0.1 "$(time_of 'round 1 done')" 1.4
    within 0.2 "$(time_of 'round 2 done')" 2.5
    # from the last arrival to the last runner going on: a wake-up, not a sleep
    within 0 "$(result_value spread)" 0.3
}

@test "part 2: pthread_barrier_t releases all together and names one SERIAL_THREAD a round" {
    run "$CONCDEMO" barrier --part pthread --threads 4 --speed 20
    [ "$status" -eq 0 ]
    rounds_in_order 4 3 2
    [ "$(result_value together)" -eq 3 ]
    [ "$(result_value serial)" -eq 3 ]
    [ "$(result_value one_serial)" -eq 3 ]
    [[ "$output" == *"# pthread_barrier_wait told one thread a round"* ]]
}

@test "part 3: a timeout breaks the barrier, every waiter gets BrokenBarrierError, the latecomer at once" {
    run "$CONCDEMO" barrier --part broken --speed 20
    [ "$status" -eq 0 ]
    [ "$(result_value timed_out)" -eq 1 ]
    [ "$(result_value waiters_broken)" -eq 2 ]
    [ "$(result_value late_broken)" = yes ]
    # t-0 arrived at 0.1 and waited 1 s: broken at 1.1, never before
    within 1.1 "$(result_value broken_from)" 1.6
    within "$(result_value broken_from)" "$(result_value broken_to)" 2
    [ "$(grep -cE '^\[ *[0-9.]+\] t-0 +BrokenBarrierError after [0-9.]+ s: its own timeout ran out$' <<<"$output")" -eq 1 ]
    # the latecomer came after t-0 gave up, and its error came at once
    [ "$(line_of 't-0 +BrokenBarrierError')" -lt "$(line_of 't-2 +barrier.wait\(\)')" ]
    [ "$(line_of 't-2 +barrier.wait\(\)')" -lt "$(line_of 't-2 +BrokenBarrierError')" ]
    [[ "$output" == *"main     barrier.broken is True; 2 of 2 waiters got BrokenBarrierError"* ]]
}

@test "part 3: reset() mends it and a round passes; abort() breaks it for every waiter" {
    run "$CONCDEMO" barrier --part broken --threads 5 --timeout 0.5 --speed 20
    [ "$status" -eq 0 ]
    [ "$(result_value waiters_broken)" -eq 4 ]
    [ "$(result_value late_broken)" = yes ]
    [ "$(result_value reset_passed)" -eq 5 ]
    [ "$(result_value aborted)" -eq 4 ]
    within "$(result_value abort_at)" "$(result_value aborted_to)" "$(awk -v a="$(result_value abort_at)" 'BEGIN { print a + 1 }')"
    [ "$(line_of 'main +barrier.reset\(\): broken is False')" -lt "$(line_of 'goes on, wait\(\) returned 4')" ]
    [ "$(line_of 'main +barrier.abort\(\)')" -lt "$(grep -n 'BrokenBarrierError' <<<"$output" | tail -1 | cut -d: -f1)" ]
}

@test "all parts run in order and the lesson keeps its result keys" {
    run "$CONCDEMO" barrier --speed 40 --quiet
    [ "$status" -eq 0 ]
    [ "$(grep -c '^result: part=threads' <<<"$output")" -ge 1 ]
    [ "$(grep -c '^result: part=pthread' <<<"$output")" -ge 1 ]
    [ "$(grep -c '^result: part=broken' <<<"$output")" -ge 1 ]
}

@test "part 4: processes meet at a process-shared pthread_barrier_t, round after round" {
    run "$CONCDEMO" barrier --part process --threads 4 --speed 20
    [ "$status" -eq 0 ]
    [ "$(result_value together)" -eq 3 ]
    [ "$(result_value serial)" -eq 3 ]
    [ "$(result_value one_serial)" -eq 3 ]
    [ "$(result_value died)" -eq 0 ]
    # every process's "goes on" of round r after all four arrivals of round r
    awk '
        /^\[ *[0-9.]+\] p-[0-9]+ +round [0-9]+: at the barrier, waits$/ { r = $0; sub(/.*round /, "", r); sub(/:.*/, "", r); arrived[r]++ }
        /^\[ *[0-9.]+\] p-[0-9]+ +round [0-9]+: goes on/ { r = $0; sub(/.*round /, "", r); sub(/:.*/, "", r)
            if (arrived[r] != 4) { print "went on with " arrived[r] " arrived: " $0; exit 1 }; gone[r]++ }
        END { for (r = 1; r <= 3; r++) if (gone[r] != 4) { print "round " r ": " gone[r] " went on"; exit 1 } }' <<<"$output"
    [ "$(grep -c 'PTHREAD_BARRIER_SERIAL_THREAD$' <<<"$output")" -eq 3 ]
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # all four parts at --speed 20, the English tests' speed for each of them
    run_in_chinese barrier --speed 20
    [ "${lines[0]}" = "concdemo barrier: Barrier(3)：线程相互等待，最后到达者运行 action，然后全部继续；栅栏会重置，也会被打破" ]
    [[ "${lines[1]}" == "part=all threads=3 rounds=3 timeout=1 speed=20 "* ]]
    part_value() { grep "^result: part=$1 " <<<"$output" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2-; }
    # part 1: the last to arrive runs the action, once a round, before anyone goes on
    [ "$(part_value threads together)" -eq 3 ]
    [ "$(part_value threads actions)" -eq 3 ]
    [ "$(part_value threads one_action)" -eq 3 ]
    [ "$(part_value threads action_by_last)" -eq 3 ]
    [ "$(part_value threads action_before_release)" -eq 3 ]
    [ "$(grep -c '3 个全到了：第 [0-9] 轮完成（这是 action）$' <<<"$output")" -eq 3 ]
    # part 2: pthread_barrier_t, one SERIAL_THREAD a round
    [ "$(part_value pthread together)" -eq 3 ]
    [ "$(part_value pthread serial)" -eq 3 ]
    [ "$(part_value pthread one_serial)" -eq 3 ]
    # part 3: broken by the timeout for every waiter, mended by reset(), broken by abort()
    [ "$(part_value broken timed_out)" -eq 1 ]
    [ "$(part_value broken waiters_broken)" -eq 2 ]
    [ "$(part_value broken late_broken)" = yes ]
    [ "$(part_value broken reset_passed)" -eq 3 ]
    [ "$(part_value broken aborted)" -eq 2 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] t-0 +[0-9.]+ 秒后得到 BrokenBarrierError：它自己的超时到了$' <<<"$output")" -eq 1 ]
    [[ "$output" == *"main     barrier.broken 为 True；2 个（共 2 个）等待者得到 BrokenBarrierError"* ]]
    # part 4: processes at a process-shared pthread_barrier_t
    [ "$(part_value process together)" -eq 3 ]
    [ "$(part_value process serial)" -eq 3 ]
    [ "$(part_value process one_serial)" -eq 3 ]
    [ "$(part_value process died)" -eq 0 ]
}
