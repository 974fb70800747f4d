#!/usr/bin/env bats
# rlock: a re-entrant lock lets its owner in again; a plain lock deadlocks.

load helpers

# the four parts' result lines, in order, and nothing but results after the first
assert_rlock_results() {
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(sed -n 1p <<<"$results")" = "result: part=nested threads=2 depth=2 prints=6 together=yes elapsed=$(result_value elapsed)" ]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=deadlock errorcheck=EDEADLK timed=ETIMEDOUT" ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=ownership foreign_release=EPERM extra_release=EPERM" ]]
    [[ "$(sed -n 4p <<<"$results")" == "result: part=counter threads=10 gl_num=10 in_order=yes "* ]]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
}

@test "all four parts run in order, and their results come at the end" {
    run "$CONCDEMO" rlock --speed 20
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "${lines[1]%% speed=*} speed=20 ${lines[1]##* speed=20 }" ]
    [[ "${lines[1]}" == "part=all nested-threads=2 depth=2 counter-threads=10 "* ]]
    [ "$(line_of 'part 1, seed 002')" -lt "$(line_of 'part 2:')" ]
    [ "$(line_of 'part 2:')" -lt "$(line_of 'part 3:')" ]
    [ "$(line_of 'part 3:')" -lt "$(line_of 'part 4, seed 000')" ]
    assert_rlock_results
}

@test "nested: each thread's three prints come out together, 0.1 s apart, about 0.6 s in all" {
    # --speed 0.5: 0.1 lesson-seconds is 0.2 s, and the window's 0.2 lesson-seconds above it
    # are 0.4 s of real time for a busy machine's late wake-up
    run "$CONCDEMO" rlock --part nested --speed 0.5
    [ "$status" -eq 0 ]
    # the prints, in order: "Thread-N  Thread-N i"
    local prints
    prints=$(grep -oE 'Thread-[12] +Thread-[12] [0-9]$' <<<"$output" | awk '{ print $2, $3 }')
    [ "$(wc -l <<<"$prints")" -eq 6 ]
    local first second
    first=$(head -1 <<<"$prints" | cut -d' ' -f1)
    [ "$first" = Thread-1 ] && second=Thread-2 || second=Thread-1
    [ "$prints" = "$first 0"$'\n'"$first 1"$'\n'"$first 2"$'\n'"$second 0"$'\n'"$second 1"$'\n'"$second 2" ]
    # 0.1 lesson-seconds between a thread's prints
    local t0 t1
    t0=$(time_of "$first +$first 0")
    t1=$(time_of "$first +$first 1")
    within 0.08 "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 0.3
    within 0.55 "$(result_value elapsed)" 1.2
    # the level rises to 2 in show() and falls to 0 when test() lets go
    [ -n "$(line_of "$first +test\(\) takes the lock: level 1$")" ]
    [ -n "$(line_of "$first +show\(\) takes the lock: level 2$")" ]
    [ -n "$(line_of "$first +test\(\) lets go: level 0, the lock is free$")" ]
    [ "$(line_of "$first +test\(\) lets go: level 0")" -lt "$(line_of "$second +test\(\) takes the lock: level 1")" ]
}

@test "nested: no two threads ever hold the lock at once (jsonl)" {
    run "$CONCDEMO" rlock --part nested --nested-threads 4 --depth 3 --speed 50 --format jsonl
    [ "$status" -eq 0 ]
    # Walk the level events: a take at level 1 needs a free lock; a take or a
    # let-go by anyone but the holder is a violation.
    jq -e -s '
        [ .[] | select(.kind == "event" and (.text | test("level [0-9]+"))) ]
        | reduce .[] as $e ({holder: null, bad: 0, max: 0};
            ($e.text | capture("level (?<n>[0-9]+)").n | tonumber) as $lvl
            | .max = ([.max, $lvl] | max)
            | if ($e.text | test("takes the lock")) then
                  (if ($lvl == 1 and .holder != null) or ($lvl > 1 and .holder != $e.actor) then .bad += 1 else . end)
                  | .holder = $e.actor
              else
                  (if .holder != $e.actor then .bad += 1 else . end)
                  | (if $lvl == 0 then .holder = null else . end)
              end)
        | .bad == 0 and .max == 3 and .holder == null' <<<"$output"
    jq -e -s 'map(select(.kind == "result"))[0].data | .together == true and .prints == 12 and .depth == 3' <<<"$output"
}

@test "deadlock: an error-checking lock says EDEADLK; a normal one waits, here for 1 s" {
    # --speed 2: 0.6 lesson-seconds above the 1 s wait are 0.3 s of real time
    run "$CONCDEMO" rlock --part deadlock --speed 2
    [ "$status" -eq 0 ]
    [[ "$output" == *"show() takes it again: refused, EDEADLK"* ]]
    [[ "$output" == *"gave up after 1 s: ETIMEDOUT"* ]]
    local waits gave
    waits=$(time_of 'waits for \.\.\. itself')
    gave=$(time_of 'gave up after 1 s')
    within 0.95 "$(awk -v a="$waits" -v b="$gave" 'BEGIN { print b - a }')" 1.6
    [[ "$output" == *"it would wait forever"* ]]
    [ "$(grep '^result:' <<<"$output")" = "result: part=deadlock errorcheck=EDEADLK timed=ETIMEDOUT" ]
}

@test "ownership: another thread's release and one release too many are refused (EPERM)" {
    run "$CONCDEMO" rlock --part ownership --speed 20
    [ "$status" -eq 0 ]
    local level2 intruder letgo extra
    level2=$(line_of 'Thread-1 +takes the lock: level 2')
    intruder=$(line_of 'Thread-2 +releases the lock it does not own: refused, EPERM')
    letgo=$(line_of 'Thread-1 +lets go: level 0, the lock is free')
    extra=$(line_of 'Thread-1 +releases once too often: refused, EPERM')
    [ "$level2" -lt "$intruder" ] && [ "$intruder" -lt "$letgo" ] && [ "$letgo" -lt "$extra" ]
    [ "$(grep '^result:' <<<"$output")" = "result: part=ownership foreign_release=EPERM extra_release=EPERM" ]
}

@test "counter: seed 000's threads print 1..N, one a lesson-second" {
    # --speed 2: each gap's 0.6 lesson-seconds above 1 s are 0.3 s of real time
    run "$CONCDEMO" rlock --part counter --counter-threads 5 --speed 2
    [ "$status" -eq 0 ]
    local values times
    values=$(grep -oE '^\[ *[0-9.]+\] Thread-[0-9]+ +[0-9]+$' <<<"$output" | awk '{ print $NF }' | tr '\n' ' ')
    [ "$values" = "1 2 3 4 5 " ]
    times=$(grep -oE '^\[ *[0-9.]+\] Thread-[0-9]+ +[0-9]+$' <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
    # each print 1 lesson-second after the one before
    awk 'NR > 1 { d = $1 - last; if (d < 0.9 || d > 1.6) exit 1 } { last = $1 }' <<<"$times"
    [[ "$(grep '^result:' <<<"$output")" == "result: part=counter threads=5 gl_num=5 in_order=yes elapsed="* ]]
    within 4.9 "$(result_value elapsed)" 6.5
}

@test "--depth: the level rises to the depth and no further" {
    run "$CONCDEMO" rlock --part nested --depth 4 --nested-threads 1 --speed 50
    [ "$status" -eq 0 ]
    [[ "$output" == *"show() takes the lock: level 4"* ]]
    [[ "$output" != *"level 5"* ]]
    [[ "$(grep '^result:' <<<"$output")" == "result: part=nested threads=1 depth=4 prints=3 together=yes "* ]]
}

@test "bad input for every rlock option" {
    usage_error "--part: 'bogus' is not one of the choices (allowed: all|nested|deadlock|ownership|counter)" rlock --part bogus
    usage_error "--depth: '1' is too small (allowed: 2 to 50)" rlock --depth 1
    usage_error "--depth: '51' is too large" rlock --depth 51
    usage_error "--nested-threads: '0' is zero" rlock --nested-threads 0
    usage_error "--nested-threads: 'x' is not a whole number" rlock --nested-threads x
    usage_error "--counter-threads: '1001' is too large (allowed: 1 to 1000)" rlock --counter-threads 1001
    usage_error "--counter-threads: '-3' is negative" rlock --counter-threads -3
}

@test "Ctrl-C while threads queue for the lock: exit 130, no result" {
    interrupt_when 'Thread-[0-9]+ +1$' INT rlock --part counter --speed 1
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    within 1 "$(time_of 'interrupted by Ctrl-C')" 2.5
}

@test "the article's lines: Thread-N i as Python 2 prints them, and print(gl_num) alone; Python 3's names in a note" {
    run "$CONCDEMO" rlock --part nested --speed 50
    [ "$status" -eq 0 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] Thread-([12]) +Thread-\1 [0-2]$' <<<"$output")" -eq 6 ]
    [[ "$output" == *"as Python 2 prints it: Thread-1 0. Python 3.10 and later name the thread Thread-1 (test)."* ]]
    run "$CONCDEMO" rlock --part counter --counter-threads 4 --speed 50
    [ "$status" -eq 0 ]
    # each print is gl_num and nothing else: 1, 2, 3, 4
    [ "$(grep -oE '^\[ *[0-9.]+\] Thread-[1-4] +[0-9]+$' <<<"$output" | awk '{ print $NF }' | tr '\n' ' ')" = "1 2 3 4 " ]
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" rlock --speed 20 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "concdemo rlock: 可重入锁（递归锁）允许它的所有者再次获取它；普通锁则会死锁" ]
    [[ "${lines[1]}" == "part=all nested-threads=2 depth=2 counter-threads=10 "* ]]
    [ "$(line_of '第 1 部分，seed 002')" -lt "$(line_of '第 2 部分：')" ]
    [ "$(line_of '第 2 部分：')" -lt "$(line_of '第 3 部分：')" ]
    [ "$(line_of '第 3 部分：')" -lt "$(line_of '第 4 部分，seed 000')" ]
    assert_rlock_results
    # the article's prints as its program prints them: Thread-N i, and gl_num alone
    [ "$(grep -cE '^\[ *[0-9.]+\] (Thread-[12]) +\1 [0-2]$' <<<"$output")" -eq 6 ]
    [ "$(grep -oE '^\[ *[0-9.]+\] Thread-[0-9]+ +[0-9]+$' <<<"$output" | awk '{ print $NF }' | tr '\n' ' ')" = \
        "1 2 3 4 5 6 7 8 9 10 " ]
    [[ "$output" == *"test() 释放锁：层级 0，锁已空闲"* ]]
}
