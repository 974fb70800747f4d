#!/usr/bin/env bats
# deadlock: seed 003's loop (t1 waits for t2, t2 for t3, t3 for t1) caught by
# the watchdog's wait-for graph and ended; the four conditions; the fixes by
# lock order and by try-and-back-off; the dining philosophers.

load helpers

# The value of `key` on the result: line of part $1.
part_value() {
    grep "^result: part=$1 " <<<"$output" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2-
}

@test "seed 003's loop: the cycle is found, named, and ended; the lesson finishes" {
    run "$CONCDEMO" deadlock --part cycle --speed 10
    [ "$status" -eq 0 ]
    [ "$(part_value cycle deadlock)" = yes ]
    [ "$(part_value cycle cycle)" = "t1>t2>t3>t1" ]
    [[ "$output" == *"a cycle: t1 holds A, waits for B; t2 holds B, waits for C; t3 holds C, waits for A"* ]]
    # nobody reaches for the next lock before 0.5 s of work; the watchdog looks every 0.25 s
    local found elapsed
    found=$(part_value cycle found_at)
    elapsed=$(part_value cycle elapsed)
    within 0.5 "$found" 1.3 || { echo "found_at=$found"; return 1; }
    # ended: t3 gave up, t2 then t1 each got both and worked 0.5 s
    [ "$(part_value cycle victim)" = t3 ]
    [ "$(part_value cycle worked)" -eq 2 ]
    # ... one after the other, from the moment the loop was broken: 1 s more, never less
    within "$(awk -v f="$found" 'BEGIN { print f + 1 }')" "$elapsed" "$(awk -v f="$found" 'BEGIN { print f + 1.8 }')" ||
        { echo "found_at=$found elapsed=$elapsed"; return 1; }
    [ "$(line_of 'main +ends it: tells t3')" -lt "$(line_of 't3 +stops waiting for A')" ]
    [ "$(line_of 't3 +lets go of C')" -lt "$(line_of 't2 +takes C')" ]
    [ "$(line_of 't2 +lets go of B')" -lt "$(line_of 't1 +takes B')" ]
}

@test "the loop closes only once every thread holds its own lock" {
    run "$CONCDEMO" deadlock --part cycle --speed 10
    [ "$status" -eq 0 ]
    local last_take first_reach
    last_take=$(grep -nE '(t1 +takes A|t2 +takes B|t3 +takes C)$' <<<"$output" | tail -1 | cut -d: -f1)
    first_reach=$(line_of '(t1 +reaches for B|t2 +reaches for C|t3 +reaches for A)$')
    [ "$last_take" -lt "$first_reach" ]
}

@test "the four conditions are named where they appear, and no preemption is shown: EPERM" {
    run "$CONCDEMO" deadlock --part cycle --speed 10
    [ "$status" -eq 0 ]
    [ "$(part_value cycle preempt)" = EPERM ]
    [[ "$output" == *"# 1 mutual exclusion: A is a mutex"* ]]
    [[ "$output" == *"# 2 hold and wait: t1 holds A while it waits for B"* ]]
    [[ "$output" == *"# How it knew: each waits for a lock the next holds"* ]]
    [[ "$output" == *"# 3 no preemption: main's unlock of A, held by another: EPERM"* ]]
    [[ "$output" == *"# 4 circular wait"* ]]
}

@test "two threads make the shortest loop; any length is named" {
    run "$CONCDEMO" deadlock --part cycle --threads 2 --speed 10
    [ "$status" -eq 0 ]
    [ "$(part_value cycle cycle)" = "t1>t2>t1" ]
    run "$CONCDEMO" deadlock --part cycle --threads 6 --speed 10
    [ "$status" -eq 0 ]
    [ "$(part_value cycle cycle)" = "t1>t2>t3>t4>t5>t6>t1" ]
    [[ "$output" == *"t6 holds F, waits for A"* ]]
}

@test "the fix by order: no loop, all three work, in 2 or 2.5 s" {
    run "$CONCDEMO" deadlock --part order --speed 10
    [ "$status" -eq 0 ]
    [ "$(part_value order deadlock)" = no ]
    [ "$(part_value order worked)" -eq 3 ]
    [ "$(part_value order scans)" -ge 5 ]
    # each 0.5 s with one lock and 0.5 s with two: 2.5 s if t3 waits for t2's C
    # before t1 can have A; 2 s if t3 takes C first, so t1 and t2 work together
    within 2 "$(part_value order elapsed)" 3.5 || { echo "elapsed=$(part_value order elapsed)"; return 1; }
    # t3 takes A before C
    [ "$(line_of 't3 +reaches for A')" -lt "$(line_of 't3 +reaches for C')" ]
    ! grep -q 'a cycle:' <<<"$output" || false
}

@test "the fix by backing off: no loop, all three work, every back-off counted" {
    run "$CONCDEMO" deadlock --part backoff --speed 10 --seed 7
    [ "$status" -eq 0 ]
    [ "$(part_value backoff deadlock)" = no ]
    [ "$(part_value backoff worked)" -eq 3 ]
    # all three hold their own at 0.5 s, so someone finds the next taken
    [ "$(part_value backoff backoffs)" -ge 1 ]
    [ "$(grep -cE 'finds [A-C] taken: lets go of [A-C], backs off' <<<"$output")" -eq "$(part_value backoff backoffs)" ]
    within 1 "$(part_value backoff elapsed)" 30
    ! grep -q 'a cycle:' <<<"$output" || false
}

@test "the dining philosophers: five in a loop, caught; then in order, all eat" {
    run "$CONCDEMO" deadlock --part philosophers --speed 10
    [ "$status" -eq 0 ]
    [ "$(part_value philosophers cycle)" = "p1>p2>p3>p4>p5>p1" ]
    [[ "$output" == *"p5 holds fork5, waits for fork1"* ]]
    [ "$(part_value philosophers worked)" -eq 4 ]
    [ "$(part_value philosophers-ordered deadlock)" = no ]
    [ "$(part_value philosophers-ordered worked)" -eq 5 ]
    # in order, p5 takes fork1 before fork5
    local ordered
    ordered=$(sed -n '/again, with the forks in order/,$p' <<<"$output")
    output=$ordered
    [ "$(line_of 'p5 +reaches for fork1')" -lt "$(line_of 'p5 +reaches for fork5')" ]
    ! grep -q 'a cycle:' <<<"$ordered" || false
}

@test "the whole lesson: every part, in order, and each says it ended" {
    run "$CONCDEMO" deadlock --speed 40 --seed 3
    [ "$status" -eq 0 ]
    [ "$(grep -c '^result: part=' <<<"$output")" -eq 5 ]
    [ "$(grep '^result: part=' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')" = \
        "part=cycle part=order part=backoff part=philosophers part=philosophers-ordered " ]
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run_in_chinese deadlock --speed 10
    [ "${lines[0]}" = "concdemo deadlock: 每个线程持有一把锁，又等下一个线程的锁：一个环，被发现并修复" ]
    [ "$(grep '^result: part=' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')" = \
        "part=cycle part=order part=backoff part=philosophers part=philosophers-ordered " ]
    # seed 003's loop: found, named (the pieces of the sentence too), ended
    [[ "$output" == *"一个环：t1 持有 A，等待 B；t2 持有 B，等待 C；t3 持有 C，等待 A"* ]]
    [ "$(part_value cycle deadlock)" = yes ]
    [ "$(part_value cycle cycle)" = "t1>t2>t3>t1" ]
    [ "$(part_value cycle preempt)" = EPERM ]
    [ "$(part_value cycle victim)" = t3 ]
    [ "$(part_value cycle worked)" -eq 2 ]
    within 0.5 "$(part_value cycle found_at)" 1.3 || { echo "found_at=$(part_value cycle found_at)"; return 1; }
    # the fixes: no loop, all three work
    [ "$(part_value order deadlock)" = no ]
    [ "$(part_value order worked)" -eq 3 ]
    [ "$(part_value backoff deadlock)" = no ]
    [ "$(part_value backoff worked)" -eq 3 ]
    [ "$(grep -cE '发现 [A-C] 已被占用：放开 [A-C]，退避' <<<"$output")" -eq "$(part_value backoff backoffs)" ]
    # the philosophers: caught with five, then all eat in order
    [ "$(part_value philosophers cycle)" = "p1>p2>p3>p4>p5>p1" ]
    [ "$(part_value philosophers worked)" -eq 4 ]
    [ "$(part_value philosophers-ordered deadlock)" = no ]
    [ "$(part_value philosophers-ordered worked)" -eq 5 ]
}
