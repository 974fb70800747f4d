#!/usr/bin/env bats
# semaphore: at most N at once.

load helpers

# the defaults' run: 22 threads, 5 permits, a peak of 5 in at once, waves of 5, 5, 5, 5, 2 in about 5 s
assert_semaphore_defaults() {
    [[ "${lines[1]}" == "threads=22 permits=5 hold=1 speed=1 "* ]]
    [ "$(result_value peak)" -eq 5 ]
    [ "$(result_value waves)" -eq 5 ]
    [ "$(result_value wave_sizes)" = "5,5,5,5,2" ]
    within 4.9 "$(result_value elapsed)" 6
}

@test "defaults: 22 threads, 5 permits, five waves of 5, 5, 5, 5, 2 in about 5 s" {
    # --speed 1: a wave begins up to 0.4 lesson-seconds late, 0.4 s of real time, after the
    # late wake-ups of the waves before it; a holder that wakes up to half a hold late,
    # 0.5 s, still lets its successor into the same wave
    run "$CONCDEMO" semaphore --speed 1
    [ "$status" -eq 0 ]
    assert_semaphore_defaults
    # every thread printed its line exactly once
    [ "$(grep -cE 't-[0-9]+ +run the thread:t-[0-9]+$' <<<"$output")" -eq 22 ]
    [ "$(grep -oE 'run the thread:t-[0-9]+$' <<<"$output" | sort -u | wc -l)" -eq 22 ]
    # the waves begin near 0, 1, 2, 3 and 4 s
    for k in 1 2 3 4 5; do
        local at
        at=$(grep -oE "wave $k: [0-9]+ in at [0-9.]+ s" <<<"$output" | grep -oE '[0-9.]+ s$' | cut -d' ' -f1)
        within "$(awk -v k="$k" 'BEGIN { print k - 1.05 }')" "$at" "$(awk -v k="$k" 'BEGIN { print k - 0.6 }')"
    done
}

@test "the number of holders never exceeds the permits, at any event (jsonl)" {
    # --speed 5: a hold is 0.2 real s. At --speed 20 (0.05 s) CI's ThreadSanitizer run, beside the
    # ASan suite, started threads so slowly that no more than 4 ever held it at once.
    run "$CONCDEMO" semaphore --speed 5 --format jsonl
    [ "$status" -eq 0 ]
    # on a failure, say which: the count of holders at each event, as seen
    jq -e -s '[ .[] | select(.kind == "event" and (.text | test("semaphore: [0-9]+ holding")))
                | .text | capture("(?<n>[0-9]+) holding").n | tonumber ]
              | length == 44 and max <= 5 and min >= 0 and .[-1] == 0' <<<"$output" ||
        { echo "holders at each event: $(jq -c -s '[ .[] | select(.kind == "event") | .text
            | capture("(?<n>[0-9]+) holding").n? ]' <<<"$output")"; return 1; }
    jq -e -s 'map(select(.kind == "result"))[0].data | .peak <= .permits' <<<"$output"
    # the peak reached the permits, or the transcript says it did not (the speed-1 test wants 5)
    jq -e -s 'map(select(.kind == "result"))[0].data.peak == 5' <<<"$output" ||
        jq -e -s 'any(.[]; .kind == "note" and (.text | test("never had all 5 permits in use")))' <<<"$output"
}

@test "a thread holds it about --hold lesson-seconds, and the main thread joins" {
    # at --speed 2 a wake-up 0.3 s late on a busy machine is 0.6 lesson-seconds
    run "$CONCDEMO" semaphore --threads 3 --permits 3 --hold 2 --speed 2
    [ "$status" -eq 0 ]
    local got done
    got=$(time_of 't-0 +acquired the semaphore')
    done=$(time_of 't-0 +run the thread:t-0')
    within 1.95 "$(awk -v a="$got" -v b="$done" 'BEGIN { print b - a }')" 2.6
    [ "$(result_value waves)" -eq 1 ]
    [[ "$output" == *"busy-waits on active_count()"* ]]
    [ "$(line_of 'main +-----all threads done-----$')" -gt "$(line_of 'run the thread:t-2')" ]
    [[ "$output" == *"# All 3 joined. The article's main prints it once active_count() is 1."* ]]
}

@test "the article's lines: run the thread:t-N from each thread, then -----all threads done----- from main" {
    run "$CONCDEMO" semaphore --speed 50
    [ "$status" -eq 0 ]
    # each thread prints the article's string, exactly, once
    [ "$(grep -cE '^\[ *[0-9.]+\] t-([0-9]+) +run the thread:t-\1$' <<<"$output")" -eq 22 ]
    # main's one line, the article's string alone, after the last thread's
    [ "$(grep -cE '^\[ *[0-9.]+\] main +-----all threads done-----$' <<<"$output")" -eq 1 ]
    [ "$(line_of 'main +-----all threads done-----$')" -gt "$(grep -n 'run the thread:' <<<"$output" | tail -1 | cut -d: -f1)" ]
    # what Python prints and the transcript leaves out is said in a note
    [[ "$output" == *'# Each prints the article'"'"'s "run the thread:%s\n"; Python'"'"'s output has an empty line'* ]]
}

@test "no FIFO claim: the transcript says which order this run gave, and that none is promised" {
    run "$CONCDEMO" semaphore --speed 50 --explain
    [ "$status" -eq 0 ]
    # neither the transcript nor the explanation claims Python's or POSIX's order
    ! grep -iE 'FIFO|first in, first out|as Python.s always|always are|in order,? as Python' <<<"$output" || false
    [[ "$output" == *"No order is promised."* ]]
    [[ "$output" == *"(barging)"* ]]
    if [ "$(result_value in_start_order)" = yes ]; then
        [ "$(grep -c '# This run each wave was the next 5 threads in start order\.$' <<<"$output")" -eq 1 ]
    else
        [ "$(grep -c '# This run the waves were not the threads in start order\.$' <<<"$output")" -eq 1 ]
    fi
    run "$CONCDEMO" help semaphore
    ! grep -iE 'FIFO|first in, first out|always are' <<<"$output" || false
    [[ "$output" == *"promised by neither Python nor POSIX"* ]]
    # nor does the manual's section
    local man="$BATS_TEST_DIRNAME/../man/concdemo.1"
    ! sed -n '/^\.SS semaphore$/,/^\.SS /p' "$man" | grep -iE 'FIFO|first in, first out|always are' || false
}

@test "--permits and --threads: waves of the permits' size" {
    # --speed 1: a wave holds together while its entries are within half a hold, 0.25 s of real time
    run "$CONCDEMO" semaphore --threads 7 --permits 3 --hold 0.5 --speed 1
    [ "$status" -eq 0 ]
    [ "$(result_value peak)" -eq 3 ]
    [ "$(result_value wave_sizes)" = "3,3,1" ]
    within 1.45 "$(result_value elapsed)" 2.9 # 3 waves of 0.5 s; one at a time would take 3.5
    run "$CONCDEMO" semaphore --threads 4 --permits 10 --speed 1
    [ "$(result_value peak)" -eq 4 ]
    [ "$(result_value waves)" -eq 1 ]
}

@test "bounded: one release too many is refused; a plain sem_t lets the count grow" {
    run "$CONCDEMO" semaphore --threads 5 --speed 50
    [ "$status" -eq 0 ]
    [[ "$output" == *"BoundedSemaphore: refused -- the count is already 5, its limit"* ]]
    [[ "$output" == *"Semaphore released too many times"* ]]
    [[ "$output" == *"plain sem_t: accepted -- the count is now 6"* ]]
    [ "$(line_of 'BoundedSemaphore: refused')" -lt "$(line_of 'plain sem_t: accepted')" ]
}

@test "the order the waiters got: the waves and the overtaking count agree with the notes" {
    run "$CONCDEMO" semaphore --speed 20
    [ "$status" -eq 0 ]
    local overtaken
    overtaken=$(result_value overtaken)
    if [ "$overtaken" -eq 0 ]; then
        [[ "$output" == *"No waiter was overtaken"* ]]
    else
        [[ "$output" =~ $overtaken\ waiters?\ (was|were)\ overtaken:\ t-[0-9]+\ called\ sem_wait ]]
    fi
    if [ "$(result_value in_start_order)" = yes ]; then
        [[ "$output" == *"This run each wave was the next 5 threads in start order"* ]]
    else
        [[ "$output" == *"This run the waves were not the threads in start order"* ]]
    fi
    # every thread is in exactly one wave
    [ "$(grep -oE 'wave [0-9]+: [0-9]+ in at [0-9.]+ s:.*' <<<"$output" | grep -oE 't-[0-9]+' | sort -u | wc -l)" -eq 22 ]
}

@test "bad input for every semaphore option" {
    usage_error "--permits: '0' is zero" semaphore --permits 0
    usage_error "--permits: '1001' is too large (allowed: 1 to 1000)" semaphore --permits 1001
    usage_error "--threads: '10001' is too large (allowed: 1 to 10000)" semaphore --threads 10001
    usage_error "--threads: '5x' is not a whole number" semaphore --threads 5x
    usage_error "--hold: '0' is zero" semaphore --hold 0
    usage_error "--hold: '61' is too large (allowed: 0.1 to 60)" semaphore --hold 61
    usage_error "--hold: '0.05' is too small (allowed: 0.1 to 60)" semaphore --hold 0.05
    usage_error "--hold: 'long' is not a number" semaphore --hold long
}

@test "Ctrl-C while threads wait at the semaphore: exit 130, no result" {
    interrupt_when 't-[0-9]+ +run the thread:t-' INT semaphore --speed 1
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    within 1 "$(time_of 'interrupted by Ctrl-C')" 2.5
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # --speed 1, as the defaults' test: the waves' windows are in real seconds there
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" semaphore --speed 1 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "concdemo semaphore: 有界信号量一次最多让 22 个线程中的 5 个进入，分波通过" ]
    assert_semaphore_defaults
    # the article's lines, as its program prints them, in any language
    [ "$(grep -cE '^\[ *[0-9.]+\] t-([0-9]+) +run the thread:t-\1$' <<<"$output")" -eq 22 ]
    [ "$(grep -oE 'run the thread:t-[0-9]+$' <<<"$output" | sort -u | wc -l)" -eq 22 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] main +-----all threads done-----$' <<<"$output")" -eq 1 ]
    # the waves, said in Chinese, begin near 0, 1, 2, 3 and 4 s
    for k in 1 2 3 4 5; do
        local at
        at=$(grep -oE "第 $k 波：[0-9]+ 个线程于 [0-9.]+ 秒进入" <<<"$output" | grep -oE '[0-9.]+ 秒' | cut -d' ' -f1)
        within "$(awk -v k="$k" 'BEGIN { print k - 1.05 }')" "$at" "$(awk -v k="$k" 'BEGIN { print k - 0.6 }')"
    done
    [[ "$output" == *"BoundedSemaphore：被拒绝——计数已经是 5，即它的上限"* ]]
}
