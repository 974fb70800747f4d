#!/usr/bin/env bats
# race: what the lesson claims, its transcript shows.

load helpers

# The caught pair must be a real lost update: two increments that read the
# same value and both wrote that value plus one.
assert_caught_pair() {
    local caught
    caught=$(grep -oE '# (t-[0-9]+ and t-[0-9]+|t-[0-9]+.s [0-9]+(st|nd|rd|th) and t-[0-9]+.s [0-9]+(st|nd|rd|th) increments) both read [0-9]+ and both wrote [0-9]+\.$' <<<"$output")
    [ -n "$caught" ] || { echo "no lost update named"; return 1; }
    [[ "$output" == *"vanished. One was caught in the act:"* ]]
    local read wrote
    read=$(sed -E 's/.*both read ([0-9]+) .*/\1/' <<<"$caught")
    wrote=$(sed -E 's/.*both wrote ([0-9]+)\.$/\1/' <<<"$caught")
    [ "$wrote" -eq $((read + 1)) ]
}

@test "defaults: 20000 threads lose updates, and the transcript names one" {
    run "$CONCDEMO" race
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=20000 iterations=1 workload=count "* ]]
    [ "$(result_value expected)" -eq 20000 ]
    [ "$(result_value lost)" -gt 0 ]
    [ "$(result_value num)" -eq $((20000 - $(result_value lost))) ]
    assert_caught_pair
}

@test "on one core too, updates are lost" {
    unless_sanitized thread "20000 of its threads on one CPU take minutes; the two-CPU default runs"
    command -v taskset >/dev/null || skip "taskset is not installed"
    run taskset -c 0 "$CONCDEMO" race
    [ "$status" -eq 0 ]
    [ "$(result_value lost)" -gt 0 ]
    assert_caught_pair
}

@test "every thread starts before any is joined, and main reports in order" {
    run "$CONCDEMO" race --threads 500
    [ "$status" -eq 0 ]
    local start started joined num
    start=$(line_of 'main +start 500 threads')
    started=$(line_of 'main +started 500 threads; joining them')
    joined=$(line_of 'main +joined all 500 threads')
    num=$(line_of 'main +num: [0-9]+$')
    [ "$start" -lt "$started" ] && [ "$started" -lt "$joined" ] && [ "$joined" -lt "$num" ]
    [ "$(line_of '^result:')" -gt "$num" ]
}

@test "--iterations: each thread increments N times, and the pair names which increment" {
    unless_sanitized thread "its racing accesses no longer overlap on two CPUs there, so a loss is luck"
    run "$CONCDEMO" race --threads 50 --iterations 200
    [ "$status" -eq 0 ]
    [ "$(result_value expected)" -eq 10000 ]
    [ "$(result_value lost)" -gt 0 ]
    assert_caught_pair
    [[ "$output" =~ t-[0-9]+\'s\ [0-9]+(st|nd|rd|th)\ and\ t-[0-9]+\'s\ [0-9]+(st|nd|rd|th)\ increments ]]
}

@test "--bare: the plain num += 1; whatever it loses, the transcript says so and adds up" {
    run "$CONCDEMO" race --bare --threads 2000
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == *"bare=yes"* ]]
    local lost
    lost=$(result_value lost)
    [ "$(result_value num)" -eq $((2000 - lost)) ]
    if [ "$lost" -eq 0 ]; then
        [[ "$output" == *"Nothing was lost this time"*"the bug is still there"* ]]
    else
        assert_caught_pair
    fi
}

@test "--steps: two threads both read 0 before either writes, and one update is lost" {
    # --speed 1: t-1 may start 0.5 s late and still read before t-0 writes; the first read
    # has 0.3 s of real time, the write 1 s above its 0.5 s pause
    run "$CONCDEMO" race --steps --speed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=2 iterations=1 workload=count steps=yes "* ]]
    local r0 r1 w0 w1
    r0=$(line_of 't-0 +read num = 0$')
    r1=$(line_of 't-1 +read num = 0$')
    w0=$(line_of 't-0 +write num = 0 \+ 1 = 1$')
    w1=$(line_of 't-1 +write num = 0 \+ 1 = 1$')
    [ -n "$r0" ] && [ -n "$r1" ] && [ -n "$w0" ] && [ -n "$w1" ]
    [ "$r0" -lt "$w0" ] && [ "$r0" -lt "$w1" ] && [ "$r1" -lt "$w0" ] && [ "$r1" -lt "$w1" ]
    # the writes come after the 0.5 lesson-second pause
    within 0 "$(time_of 't-0 +read')" 0.3
    within 0.45 "$(time_of 't-0 +write')" 1.5
    [ "$(result_value num)" -eq 1 ]
    [ "$(result_value lost)" -eq 1 ]
    assert_caught_pair
}

# The balance a run ends at is what its lost changes left: nearly always not
# 0, but a stale write can undo earlier damage, and the transcript must say so.
# The corrupt reads are the evidence that never fails to come.
# A machine so busy that the yields ran out may leave no corrupt read (seen
# under ThreadSanitizer beside two other suites, and once with the whole
# suite pinned to one CPU): the transcript must then say so, and why.
balance_explained() {
    if [ "$(result_value bad_reads)" -eq 0 ]; then
        [[ "$output" == *"No thread read an impossible balance this time."* ]]
        yields_accounted $((2 * 100000 * 4))
        [[ "$output" == *"# may then lose little, or nothing."* ]]
        return
    fi
    if [ "$(result_value balance)" -eq 0 ]; then
        [[ "$output" == *"It still ended at 0: a stale write can also undo earlier damage. Luck."* ]]
    else
        [[ "$output" == *"# $(result_value balance) is what the lost changes left behind"* ]]
    fi
}

@test "--workload balance: seed 001's account is corrupted, and a thread caught it" {
    unless_sanitized thread "its racing accesses no longer overlap on two CPUs there (bad_reads=0 in 4 of 4 runs; on one CPU they still do)"
    run "$CONCDEMO" race --workload balance
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=2 iterations=100000 workload=balance "* ]]
    [ "$(result_value expected)" -eq 0 ]
    balance_explained
    [ "$(result_value bad_reads)" -eq 0 ] || [[ "$output" =~ t-[01]\ read\ a\ balance\ of\ -?[0-9]+\.\ No\ order ]]
}

@test "--workload balance on one core" {
    command -v taskset >/dev/null || skip "taskset is not installed"
    run taskset -c 0 "$CONCDEMO" race --workload balance
    [ "$status" -eq 0 ]
    balance_explained
}

# The yields' limit: "N yields widened the window; M more were skipped", and
# the two add up to no more than the windows the coin could choose.
yields_accounted() {
    local windows=$1 note taken skipped
    taken=$(result_value yields)
    note=$(grep -oE '# [0-9]+ yields widened the window; [0-9]+ more were skipped: the yields$' <<<"$output")
    [ -n "$note" ] || { echo "no note of the skipped yields"; return 1; }
    [[ "$output" == *"# had used up their time, a tenth of a second, or a quarter of the time if more."* ]]
    [ "$(awk '{ print $2 }' <<<"$note")" -eq "$taken" ]
    skipped=$(awk '{ print $7 }' <<<"$note")
    [ "$skipped" -gt 0 ] && [ $((taken + skipped)) -le "$windows" ]
}

@test "--workload balance beside a CPU hog on its one core: the yields stop at their limit, and it says so" {
    command -v taskset >/dev/null || skip "taskset is not installed"
    # a busy classroom PC: every yield hands the hog a whole time slice
    taskset -c 0 bash -c 'while :; do :; done' &
    local hog=$!
    run taskset -c 0 "$CONCDEMO" race --workload balance
    kill "$hog"
    [ "$status" -eq 0 ]
    [ "$(result_value yields)" -gt 0 ]
    yields_accounted $((2 * 100000 * 4))
    balance_explained
}

@test "past the system's thread limit the lesson rolls a window, says so, and completes" {
    # ulimit -u makes the limit small enough to reach at once.
    run bash -c "ulimit -u 300 && exec '$CONCDEMO' race --threads 3000"
    [ "$status" -eq 0 ]
    [[ "$output" == *"threads started and not yet joined: the most this system should have"* ]]
    [[ "$output" == *"The limit is ulimit -u"* ]]
    [[ "$output" == *"rolling window"* ]]
    [ "$(result_value expected)" -eq 3000 ]
    [ "$(result_value num)" -eq $((3000 - $(result_value lost))) ]
}

@test "jsonl: the caught pair is in a note and the result is data" {
    unless_sanitized thread "its racing accesses no longer overlap on two CPUs there, so a loss is luck"
    run "$CONCDEMO" race --threads 1000 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s 'map(select(.kind == "note" and (.text | test("^t-[0-9]+ and t-[0-9]+ both read [0-9]+ and both wrote [0-9]+[.]$")))) | length == 1' <<<"$output"
    jq -e -s 'map(select(.kind == "result"))[0].data | .lost > 0 and .num + .lost == 1000' <<<"$output"
}

@test "the article's line: main prints num: N, as print \"num:\", num does; what was expected is a note" {
    run "$CONCDEMO" race --threads 300 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s '(map(select(.kind == "result"))[0].data.num) as $num
              | [ .[] | select(.kind == "event" and .actor == "main" and (.text | startswith("num"))) | .text ]
              == ["num: \($num)"]' <<<"$output"
    jq -e -s '[ .[] | select(.kind == "note" and .text == "Expected 300: 300 threads, once each.") ] | length == 1' <<<"$output"
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" race --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "concdemo race: 多个线程不加锁地往同一个共享 int 上累加，更新消失了" ]
    [[ "${lines[1]}" == "threads=20000 iterations=1 workload=count "* ]]
    [ "$(result_value expected)" -eq 20000 ]
    [ "$(result_value lost)" -gt 0 ]
    [ "$(result_value num)" -eq $((20000 - $(result_value lost))) ]
    # the article's line as its program prints it, in any language
    [ "$(grep -cE '^\[ *[0-9.]+\] main +num: [0-9]+$' <<<"$output")" -eq 1 ]
    # the caught pair, said in Chinese: both read N and both wrote N + 1
    [[ "$output" == *"次递增消失了。有一次被当场抓住："* ]]
    local caught read wrote
    caught=$(grep -oE '都读到了 [0-9]+，也都写入了 [0-9]+。$' <<<"$output")
    [ -n "$caught" ]
    read=$(sed -E 's/都读到了 ([0-9]+)，.*/\1/' <<<"$caught")
    wrote=$(sed -E 's/.*也都写入了 ([0-9]+)。$/\1/' <<<"$caught")
    [ "$wrote" -eq $((read + 1)) ]
}
