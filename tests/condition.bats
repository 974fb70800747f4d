#!/usr/bin/env bats
# condition: wait() lets go of the lock; notify() does not.

load helpers

# the four parts' result lines, in order, and nothing but results after the first
assert_condition_results() {
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 4 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=order sequence=1-0,1-1,1-2,1-3,2-0,2-1,2-2,2-3,2-4,1-4 as_article=yes elapsed="* ]]
    [ "$(sed -n 2p <<<"$results")" = "result: part=predicate waiters=3 if_put=1 if_taken=3 if_empty=2 while_put=3 while_taken=3 while_empty=0" ]
    [ "$(sed -n 3p <<<"$results")" = "result: part=notify waiters=3 after_notify=1 after_notify_all=3" ]
    [[ "$(sed -n 4p <<<"$results")" == "result: part=timeout in_time=yes in_time_waited="*" expired=ETIMEDOUT expired_waited="* ]]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
}

@test "all four parts run in order, and their results come at the end" {
    # --speed 2: in_time=yes needs main's notify within 0.5 lesson-seconds, 0.25 s of real time
    run "$CONCDEMO" condition --speed 2
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=all waiters=3 speed=2 "* ]]
    [ "$(line_of 'part 1, seed 002')" -lt "$(line_of 'part 2:')" ]
    [ "$(line_of 'part 2:')" -lt "$(line_of 'part 3:')" ]
    [ "$(line_of 'part 3:')" -lt "$(line_of 'part 4:')" ]
    assert_condition_results
}

# The prints of seed 002's program, "Thread-N i", one a line.
prints() {
    grep -oE '^\[ *[0-9.]+\] Thread-[12] +Thread-[12] [0-4]$' <<<"$output" | awk '{ print $(NF-1), $NF }'
}

@test "order: tc1 0 1 2 3, tc2 0 1 2 3 4, tc1 4, in about 2.0 s -- every time" {
    local expected="Thread-1 0
Thread-1 1
Thread-1 2
Thread-1 3
Thread-2 0
Thread-2 1
Thread-2 2
Thread-2 3
Thread-2 4
Thread-1 4"
    local k
    # --speed 1: ten sleeps in a row, and 0.5 s of real time for their late wake-ups
    for k in 1 2 3; do
        run "$CONCDEMO" condition --part order --speed 1
        [ "$status" -eq 0 ]
        [ "$(prints)" = "$expected" ]
        [ "$(result_value as_article)" = yes ]
        within 1.9 "$(result_value elapsed)" 2.5
    done
    run taskset -c 0 "$CONCDEMO" condition --part order --speed 20
    [ "$(prints)" = "$expected" ]
    [ "$(result_value sequence)" = "1-0,1-1,1-2,1-3,2-0,2-1,2-2,2-3,2-4,1-4" ]
}

@test "order: tc1 is notified at tc2's first notify, but runs only after tc2 lets go of the lock" {
    # --speed 1: four sleeps in a row, and 0.3 s of real time for their late wake-ups
    run "$CONCDEMO" condition --part order --speed 1
    [ "$status" -eq 0 ]
    # tc1 waits after 4 prints of 0.3 s: at about 1.2 s
    within 1.1 "$(time_of 'Thread-1 +con.wait\(\)')" 1.5
    [ "$(line_of 'Thread-1 +Thread-1 3$')" -lt "$(line_of 'Thread-1 +con.wait\(\)')" ]
    [ "$(line_of 'Thread-1 +con.wait\(\)')" -lt "$(line_of 'Thread-2 +Thread-2 0$')" ]
    # the first notify comes before Thread-2's second print
    [ "$(line_of 'Thread-2 +con.notify\(\)')" -lt "$(line_of 'Thread-2 +Thread-2 1$')" ]
    # Thread-1 is back only after Thread-2 let go
    [ "$(line_of 'leaves `with con`')" -lt "$(line_of 'Thread-1 +woken, and holds the lock again')" ]
    [ "$(line_of 'Thread-1 +woken, and holds the lock again')" -lt "$(line_of 'Thread-1 +Thread-1 4$')" ]
    [[ "$output" == *"it could not go on until tc2 let go of the lock"* ]]
}

@test "predicate: with if, woken waiters take from an empty box; with while, they look again" {
    run "$CONCDEMO" condition --part predicate --waiters 5 --speed 20
    [ "$status" -eq 0 ]
    [ "$(result_value if_put)" -eq 1 ]
    [ "$(result_value if_taken)" -eq 5 ]
    [ "$(result_value if_empty)" -eq 4 ]
    [ "$(result_value while_put)" -eq 5 ]
    [ "$(result_value while_taken)" -eq 5 ]
    [ "$(result_value while_empty)" -eq 0 ]
    [ "$(grep -c -- '-- it was empty!$' <<<"$output")" -eq 4 ]
    [ "$(grep -c 'woken, but the box is empty: someone got there first; waits again$' <<<"$output")" -eq 4 ]
    # the while round: 4 look again before main puts the rest
    [ "$(grep -n 'waits again$' <<<"$output" | tail -1 | cut -d: -f1)" -lt "$(line_of '4 are waiting again')" ]
    # the box never goes below 0 in the while round
    [ "$(sed -n "$(line_of 'while \(items == 0\)'),\$p" <<<"$output" | grep -c 'holds -')" -eq 0 ]
}

@test "notify: one waiter wakes; notify_all wakes the rest (jsonl)" {
    run "$CONCDEMO" condition --part notify --waiters 6 --speed 20 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s 'map(select(.kind == "result"))[0].data | .waiters == 6 and .after_notify == 1 and .after_notify_all == 6' <<<"$output"
    # exactly one waiter goes through between notify() and notify_all()
    jq -e -s '
        [ .[] | select(.kind == "event") | .text ] as $t
        | ($t | index("main calls notify_all()")) as $all
        | ($t | map(test("calls notify\\(\\) once")) | index(true)) as $one
        | [ $t[$one:$all][] | select(test("goes through")) ] | length == 1' <<<"$output"
}

@test "timeout: notified in time returns True; nobody notifies, ETIMEDOUT after the timeout" {
    # --speed 1: main's notify and the waiter's wake-up may both be late: 0.3 s of real time
    run "$CONCDEMO" condition --part timeout --speed 1
    [ "$status" -eq 0 ]
    [ "$(result_value in_time)" = yes ]
    within 0.4 "$(result_value in_time_waited)" 0.8
    [ "$(result_value expired)" = ETIMEDOUT ]
    within 0.95 "$(result_value expired_waited)" 1.4
    [[ "$output" == *"returned False after"*"ETIMEDOUT, and ready is still false"* ]]
}

@test "bad input for every condition option" {
    usage_error "--part: 'wait' is not one of the choices (allowed: all|order|predicate|notify|timeout)" condition --part wait
    usage_error "--waiters: '1' is too small (allowed: 2 to 100)" condition --waiters 1
    usage_error "--waiters: '0' is zero" condition --waiters 0
    usage_error "--waiters: '101' is too large (allowed: 2 to 100)" condition --waiters 101
    usage_error "--waiters: '3.5' is not a whole number" condition --waiters 3.5
    usage_error "--waiters: '99999999999999999999' is too large" condition --waiters 99999999999999999999
}

@test "Ctrl-C while tc1 waits on the condition: exit 130, no result" {
    interrupt_when 'con.wait\(\)' INT condition --speed 2
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    within 1.1 "$(time_of 'interrupted by Ctrl-C')" 2.2
}

@test "past the thread limit: one line naming the limit, exit 1, and no waiter is left waiting" {
    local part
    for part in order predicate notify timeout; do
        run --separate-stderr bash -c 'ulimit -u 18; exec "$0" condition --part "$1" --waiters 100 --speed 50' \
            "$CONCDEMO" "$part"
        if [ "$part" = order ] || [ "$part" = timeout ]; then
            [ "$status" -eq 0 ] # two threads fit
            continue
        fi
        [ "$status" -eq 1 ]
        [ "${#stderr_lines[@]}" -eq 1 ]
        [[ "$stderr" == *"the most this system should have (ulimit -u"*"ask for fewer"* ]]
    done
}

@test "the article's lines: the ten prints are Python 2's Thread-N i; Python 3's names are in a note" {
    run "$CONCDEMO" condition --part order --speed 50
    [ "$status" -eq 0 ]
    # every event of the two threads that is a print is exactly "Thread-N i", its own thread's name
    [ "$(grep -cE '^\[ *[0-9.]+\] Thread-([12]) +Thread-\1 [0-4]$' <<<"$output")" -eq 10 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] Thread-[12] +Thread-[12] ' <<<"$output")" -eq 10 ]
    [[ "$output" == *"as Python 2 prints them: Thread-1 0. Python 3.10 and later name it Thread-1 (tc1)."* ]]
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # --speed 2, as the English test of all four parts
    run_in_chinese condition --speed 2
    [ "${lines[0]}" = "concdemo condition: 条件变量：wait() 释放锁；notify() 不释放" ]
    [[ "${lines[1]}" == "part=all waiters=3 speed=2 "* ]]
    [ "$(line_of '第 1 部分，seed 002')" -lt "$(line_of '第 2 部分：')" ]
    [ "$(line_of '第 2 部分：')" -lt "$(line_of '第 3 部分：')" ]
    [ "$(line_of '第 3 部分：')" -lt "$(line_of '第 4 部分：')" ]
    assert_condition_results
    # the article's prints stay the article's: Thread-1 0 .. Thread-1 4
    [ "$(prints | tr '\n' ' ')" = "Thread-1 0 Thread-1 1 Thread-1 2 Thread-1 3 Thread-2 0 Thread-2 1 Thread-2 2 Thread-2 3 Thread-2 4 Thread-1 4 " ]
    [[ "$output" == *"# 顺序与文章的相同："* ]]
}
