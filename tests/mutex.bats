#!/usr/bin/env bats
# mutex: the race's threads with a lock are exact, every time.

load helpers

@test "defaults: 20000 threads, nothing lost; then the owner and with parts" {
    run "$CONCDEMO" mutex --speed 50
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=20000 iterations=1 workload=count steps=no compare=no part=all "* ]]
    [[ "$(grep -m1 '^result:' <<<"$output")" == "result: num=20000 expected=20000 lost=0 yields="* ]]
    [[ "$output" == *"No two increments read the same value"* ]]
    # the article's line, its words and spacing: print "num:", num
    [ "$(grep -cE '^\[ *[0-9.]+\] main +num: 20000$' <<<"$output")" -eq 1 ]
    # three parts, in order, their results last and in the same order
    [ "$(grep -c '^result:' <<<"$output")" -eq 3 ]
    [ "$(line_of 'main +part 1: ')" -lt "$(line_of 'main +part 2, seed 002')" ]
    [ "$(line_of 'main +part 2, seed 002')" -lt "$(line_of 'main +part 3, seed 003')" ]
    [[ "$(grep '^result:' <<<"$output" | sed -n 2p)" == "result: part=owner "* ]]
    [[ "$(grep '^result:' <<<"$output" | sed -n 3p)" == "result: part=with "* ]]
    [ "$(line_of '^result: num=')" -gt "$(line_of 'main +part 3, seed 003')" ]
}

@test "exact on one core too" {
    unless_sanitized thread "20000 of its threads on one CPU take minutes; the two-CPU default runs"
    command -v taskset >/dev/null || skip "taskset is not installed"
    run taskset -c 0 "$CONCDEMO" mutex --part count
    [ "$status" -eq 0 ]
    [[ "$(grep '^result:' <<<"$output")" == "result: num=20000 expected=20000 lost=0 yields="* ]]
}

@test "--iterations: exact with many increments per thread" {
    run "$CONCDEMO" mutex --threads 8 --iterations 5000 --part count
    [ "$status" -eq 0 ]
    [[ "$(grep '^result:' <<<"$output")" == "result: num=40000 expected=40000 lost=0 yields="* ]]
}

@test "--workload balance: seed 001's account ends at 0" {
    run "$CONCDEMO" mutex --workload balance --part count
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=2 iterations=100000 workload=balance "* ]]
    [[ "$(grep '^result:' <<<"$output")" == "result: balance=0 expected=0 bad_reads=0 yields="* ]]
    [[ "$output" == *"No thread ever read an impossible balance"* ]]
}

@test "--steps: seed 003's program and its own prints; the second thread waits for the first to release" {
    # --speed 0.5: the second thread, if the machine starts it late, still asks for the lock
    # within 0.1 lesson-seconds, 0.2 s of real time, of the first taking it; and a late wake-up
    # has 1 lesson-second, 2 s of real time, above the 0.5 s pause
    run "$CONCDEMO" mutex --steps --part count --speed 0.5
    [ "$status" -eq 0 ]
    # Whichever thread got the lock first is "first"; the other waited.
    local first second
    first=$(grep -m1 -oE 't-[01] +t-[01]: 已获得锁。$' <<<"$output" | cut -d' ' -f1)
    [ "$first" = t-0 ] && second=t-1 || second=t-0
    # each thread prints the article's five lines, its words and spacing, in the article's order
    for who in "$first" "$second"; do
        [ "$(grep -cE "^\[ *[0-9.]+\] $who +$who: " <<<"$output")" -eq 5 ]
        local ready acquired current updated released
        ready=$(line_of "$who +$who: 准备更新计数器。$")
        acquired=$(line_of "$who +$who: 已获得锁。$")
        current=$(line_of "$who +$who: 当前计数器值为 [0-9]+。$")
        updated=$(line_of "$who +$who: 更新后的计数器值为 [0-9]+。$")
        released=$(line_of "$who +$who: 已释放锁。$")
        [ "$ready" -lt "$acquired" ] && [ "$acquired" -lt "$current" ]
        [ "$current" -lt "$updated" ] && [ "$updated" -lt "$released" ]
    done
    # the lock orders them: the first's update before the second gets the lock (the
    # first's 已释放锁 is printed after its release, as the article's, so it may come later)
    [ "$(line_of "$first +$first: 更新后的计数器值为 1。$")" -lt "$(line_of "$second +$second: 已获得锁。$")" ]
    [[ "$output" == *"$first: 当前计数器值为 0。"* ]]
    [[ "$output" == *"$second: 当前计数器值为 1。"* ]]
    # main's last line is the article's
    [ "$(grep -cE '^\[ *[0-9.]+\] main +最终计数器值为 2。$' <<<"$output")" -eq 1 ]
    [ "$(line_of 'main +最终计数器值为 2。$')" -gt "$(line_of "$second +$second: 已释放锁。$")" ]
    # the English is in notes; the second waited about the first's 0.5 lesson-second pause
    [[ "$output" == *"# Seed 003's update_counter(name), with the article's prints"* ]]
    local waited
    waited=$(grep -oE "# $second waited [0-9.]+ s for the lock" <<<"$output" | grep -oE '[0-9.]+ s' | cut -d' ' -f1)
    within 0.4 "$waited" 1.5
    within 0.45 "$(time_of "$second +$second: 已获得锁")" 1.5
    [[ "$(grep '^result:' <<<"$output")" == "result: num=2 expected=2 lost=0 yields="* ]]
}

@test "--compare: unlocked, mutex and atomic timed in one run; the locked two are exact" {
    run "$CONCDEMO" mutex --compare --threads 2 --iterations 200000
    [ "$status" -eq 0 ]
    [ "$(grep -c '^result: variant=' <<<"$output")" -eq 3 ]
    [ "$(variant_value mutex lost)" -eq 0 ]
    [ "$(variant_value atomic lost)" -eq 0 ]
    [ "$(variant_value atomic num)" -eq 400000 ]
    local unlocked_lost
    unlocked_lost=$(variant_value unlocked lost)
    [ "$(variant_value unlocked num)" -eq $((400000 - unlocked_lost)) ]
    for v in unlocked mutex atomic; do
        within 0.000000001 "$(variant_value $v seconds)" 1000
    done
    [ "$(line_of 'main +unlocked ')" -lt "$(line_of 'main +mutex ')" ]
    [ "$(line_of 'main +mutex ')" -lt "$(line_of 'main +atomic ')" ]
    [[ "$output" == *"The price of the right answer"* ]]
}

@test "jsonl: the result is data" {
    run "$CONCDEMO" mutex --threads 300 --part count --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s 'map(select(.kind == "result"))[0].data | del(.yields) == {"num": 300, "expected": 300, "lost": 0}' <<<"$output"
    jq -e -s 'map(select(.kind == "event" and .actor == "main" and .text == "num: 300")) | length == 1' <<<"$output"
}

@test "owner: seed 002's program -- main takes each lock, the thread that did not take it releases it" {
    # --speed 2: the windows' 0.5 lesson-seconds or more are 0.25 s of real time or more
    run "$CONCDEMO" mutex --part owner --speed 2
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == *" part=owner "* ]]
    # the article's lines, with lesson seconds for time(), in the program's order
    local starting l0 l1 d0 d1 done_
    starting=$(line_of '^\[ *[0-9.]+\] main +starting at: [0-9]+\.[0-9]{3}$')
    l0=$(line_of '^\[ *[0-9.]+\] loop 0 +start loop 0 at: [0-9]+\.[0-9]{3}$')
    l1=$(line_of '^\[ *[0-9.]+\] loop 1 +start loop 1 at: [0-9]+\.[0-9]{3}$')
    d1=$(line_of '^\[ *[0-9.]+\] loop 1 +loop 1 done at: [0-9]+\.[0-9]{3}$')
    d0=$(line_of '^\[ *[0-9.]+\] loop 0 +loop 0 done at: [0-9]+\.[0-9]{3}$')
    done_=$(line_of '^\[ *[0-9.]+\] main +all DONE at: [0-9]+\.[0-9]{3}$')
    [ "$starting" -lt "$l0" ] && [ "$starting" -lt "$l1" ]
    [ "$l0" -lt "$d1" ] && [ "$l1" -lt "$d1" ] && [ "$d1" -lt "$d0" ] && [ "$d0" -lt "$done_" ]
    # loops = [4, 2]: done 2 and 4 lesson seconds after they start; main waits for the last
    within 1.95 "$(time_of 'loop 1 done at')" 2.6
    within 3.95 "$(time_of 'loop 0 done at')" 4.6
    within 3.95 "$(result_value elapsed)" 4.7
    # the time each line prints is its own lesson time, read just before the line is stamped
    local stamp said
    while read -r stamp said; do
        within "$(awk -v s="$stamp" 'BEGIN { print s - 0.5 }')" "$said" "$(awk -v s="$stamp" 'BEGIN { print s + 0.002 }')"
    done < <(grep -E ' at: [0-9.]+$' <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].* at: ([0-9.]+)$/\1 \2/')
    # a semaphore of 1, like Python's Lock, is released by a thread that never took it
    [ "$(result_value foreign_post)" = none ]
    [[ "$output" == *"# loop 1 released the lock main took: sem_post() said 0, accepted."* ]]
    # a pthread mutex is owned: an error-checking one refuses another thread's unlock
    [ "$(result_value foreign_unlock)" = EPERM ]
    [ "$(grep -cE 'loop 0 +pthread_mutex_unlock\(\) on the mutex main locked: EPERM \(Operation not permitted\)$' <<<"$output")" -eq 1 ]
    [ "$(line_of 'main, its owner, unlocks it: 0, accepted$')" -gt "$(line_of 'EPERM \(Operation not permitted\)$')" ]
    # where the semaphore and Python's Lock part: a release while free counts up
    [ "$(result_value extra_post_count)" -eq 2 ]
    [[ "$output" == *"RuntimeError: release unlocked lock"* ]]
    [[ "$output" == *"RuntimeError: cannot"*"release un-acquired lock"* ]]
    [ "$(grep -c '^result:' <<<"$output")" -eq 1 ]
}

@test "with: a for-loop WITH_LOCK is left held by return and break; SCOPED_LOCK (cleanup) never is" {
    run "$CONCDEMO" mutex --part with
    [ "$status" -eq 0 ]
    [ "$(grep '^result:' <<<"$output")" = \
        "result: part=with end=free return=held break=held scoped_return=free scoped_break=free counter=6" ]
    [[ "$output" == *"main     WITH_LOCK(&lock) { counter += 1; }: afterwards the lock is free"* ]]
    [[ "$output" == *"main     WITH_LOCK(&lock) { counter += 1; return; }: afterwards the lock is held"* ]]
    [[ "$output" == *"main     WITH_LOCK(&lock) { counter += 1; break; }: afterwards the lock is held"* ]]
    # said honestly: the traps, and that the safe form is not standard C
    [[ "$output" == *"# return and break leave the for loop without its third clause"* ]]
    [[ "$output" == *"a GCC and Clang"*"extension"* ]]
}

@test "--part: one part alone; --compare, --steps and --workload refuse a part they do not change" {
    run "$CONCDEMO" mutex --part with --speed 50
    [ "$status" -eq 0 ]
    [[ "$output" != *"part 1:"* && "$output" != *"part 2,"* ]]
    usage_error "--compare times the plain count workload alone; use it without --part" mutex --compare --part count
    usage_error "--steps and --workload change the count part; use them with --part count or all" mutex --steps --part owner
    usage_error "--steps and --workload change the count part; use them with --part count or all" \
        mutex --workload balance --part with
    usage_error "--part: 'lock' is not one of the choices (allowed: all|count|owner|with)" mutex --part lock
}

@test "Ctrl-C while main waits for a lock that a loop thread will release: exit 130, no result" {
    interrupt_when 'start loop 1 at' INT mutex --part owner --speed 2
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"all DONE at"* ]]
    within 0 "$(time_of 'interrupted by Ctrl-C')" 1
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" mutex --speed 50 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "concdemo mutex: race 课的线程在更新外面加锁，什么也没丢" ]
    [[ "${lines[1]}" == "threads=20000 iterations=1 workload=count steps=no compare=no part=all "* ]]
    [[ "$(grep -m1 '^result:' <<<"$output")" == "result: num=20000 expected=20000 lost=0 yields="* ]]
    [[ "$output" == *"没有两次递增读到同一个值"* ]]
    # the article's lines, its words and spacing, in any language
    [ "$(grep -cE '^\[ *[0-9.]+\] main +num: 20000$' <<<"$output")" -eq 1 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] main +all DONE at: [0-9]+\.[0-9]{3}$' <<<"$output")" -eq 1 ]
    # three parts, in order, their results last and in the same order
    [ "$(grep -c '^result:' <<<"$output")" -eq 3 ]
    [ "$(line_of 'main +第 1 部分：')" -lt "$(line_of 'main +第 2 部分，seed 002')" ]
    [ "$(line_of 'main +第 2 部分，seed 002')" -lt "$(line_of 'main +第 3 部分，seed 003')" ]
    [ "$(grep '^result:' <<<"$output" | sed -n 2p)" = \
        "result: part=owner foreign_post=none foreign_unlock=EPERM extra_post_count=2 elapsed=$(result_value elapsed)" ]
    [ "$(grep '^result:' <<<"$output" | sed -n 3p)" = \
        "result: part=with end=free return=held break=held scoped_return=free scoped_break=free counter=6" ]
    [ "$(line_of '^result: num=')" -gt "$(line_of 'main +第 3 部分，seed 003')" ]
    # a refusal is said in Chinese too
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" mutex --compare --part count --lang zh
    [ "$status" -eq 2 ]
    [ "$stderr" = "concdemo mutex：--compare 只对普通的 count 工作负载计时；使用它时不要加 --part" ]
}
