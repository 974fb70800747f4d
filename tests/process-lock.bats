#!/usr/bin/env bats
# process-lock: processes print under one lock; what the lock is for; a
# holder that dies.

load helpers

# the three parts' result lines, in order
assert_process_lock_results() {
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 3 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=article processes=10 printed=10 "* ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=torn processes=10 lines=1 unlocked_lines=10 "* ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=robust holder_status=137 plain=ETIMEDOUT "* ]]
}

@test "all three parts run in order, and their results come at the end" {
    run --separate-stderr "$CONCDEMO" process-lock --speed 50
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # every child reaped: no "left unreaped" line
    [[ "${lines[1]}" == "part=all processes=10 lines=1 pause=0.01 timeout=1 speed=50 "* ]]
    [ "$(line_of "part 1, the article's program")" -lt "$(line_of "part 2, the reader's question")" ]
    [ "$(line_of "part 2, the reader's question")" -lt "$(line_of 'part 3: a process dies')" ]
    assert_process_lock_results
    # nothing after the results
    [[ "${lines[-1]}" == "result: part=robust "* ]]
}


@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" process-lock --speed 50 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # no "untranslated", and every child reaped
    [ "${lines[0]}" = "concdemo process-lock: 多个进程在同一把 Lock 下打印：锁让每行保持完整，而不是按顺序" ]
    [ "$(line_of '第 1 部分，文章的程序')" -lt "$(line_of '第 2 部分，读者的问题')" ]
    [ "$(line_of '第 2 部分，读者的问题')" -lt "$(line_of '第 3 部分：')" ]
    # the article's program prints 'hello world i', in any language
    [ "$(grep -cE '^\[ *[0-9.]+\] p-([0-9]+) +hello world [0-9]+$' <<<"$output")" -eq 10 ]
    assert_process_lock_results
    [ "$(result_value locked_torn)" -eq 0 ]
    [ "$(result_value repaired)" = yes ]
    [ "$(result_value record_after)" = hello_world_1 ]
    [[ "${lines[-1]}" == "result: part=robust "* ]]
}

@test "article: each of the 10 processes prints its own 'hello world i' once, under the lock, in the order the result names" {
    run --separate-stderr "$CONCDEMO" process-lock --part article --format jsonl
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    local printed expected order
    printed=$(jq -r 'select(.kind == "event" and (.text | test("^hello world [0-9]+$"))) | "\(.actor) \(.text)"' <<<"$output")
    [ "$(wc -l <<<"$printed")" -eq 10 ]
    # each by the process whose number it prints, each number once
    [ "$(awk '{ if ($1 != "p-" $4) bad++ } END { print bad + 0 }' <<<"$printed")" -eq 0 ]
    [ "$(awk '{ print $4 }' <<<"$printed" | sort -n | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 8 9 " ]
    # the order the result reports is the order the lines came out
    order=$(jq -r 'select(.kind == "result") | .data.order | map(tostring) | join(",")' <<<"$output")
    [ "$(awk '{ print $4 }' <<<"$printed" | paste -sd,)" = "$order" ]
    [ "$(jq -r 'select(.kind == "result") | .data.printed' <<<"$output")" -eq 10 ]
}

@test "torn: without the lock lines come out torn and one is named; with it none, and the lines are in the order the processes took the lock" {
    run --separate-stderr "$CONCDEMO" process-lock --part torn --speed 50
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(result_value unlocked_lines)" -eq 10 ]
    [ "$(result_value locked_lines)" -eq 10 ]
    [ "$(result_value locked_torn)" -eq 0 ]
    # a run that saw none torn says so; this test asks for torn lines every run
    [ "$(result_value torn_seen)" = yes ]
    [ "$(result_value unlocked_torn)" -ge 1 ]
    [[ "$output" == *"# Torn: 'hello world"* ]]
    [ "$(line_of 'without the lock: 10 lines read, [1-9][0-9]* torn')" -lt "$(line_of 'with the process-shared lock: 10 lines read, 0 torn')" ]
    # with the lock: the lines read, between the two counts, are whole and in the order they finished
    local whole
    whole=$(sed -n "$(line_of 'without the lock: 10 lines')"',$p' <<<"$output" |
        grep -E "main +read 'hello world [0-9]+'$" | sed -E "s/.*'hello world ([0-9]+)'$/\1/" | paste -sd,)
    [ "$whole" = "$(result_value locked_order)" ]
    # each process finished its one line once, in both rounds
    [ "$(result_value unlocked_order | tr , '\n' | sort -n | paste -sd,)" = "0,1,2,3,4,5,6,7,8,9" ]
    [ "$(result_value locked_order | tr , '\n' | sort -n | paste -sd,)" = "0,1,2,3,4,5,6,7,8,9" ]
}

@test "torn: several lines each, with the lock every line whole, and the lock waits show in lesson time" {
    # speed 5: 36 pauses one after another, each woken a few ms late on a busy machine
    run "$CONCDEMO" process-lock --part torn --processes 3 --lines 4 --pause 0.1 --speed 5
    [ "$status" -eq 0 ]
    [ "$(result_value unlocked_lines)" -eq 12 ]
    [ "$(result_value locked_lines)" -eq 12 ]
    [ "$(result_value locked_torn)" -eq 0 ]
    [ "$(result_value unlocked_torn)" -ge 1 ]
    [ "$(result_value locked_order | tr , '\n' | wc -l)" -eq 12 ]
    # without the lock the 3 processes pause side by side: 4 lines x 3 pauses of 0.1 lesson-s;
    # with it the 12 lines go one after another: 12 x 3 pauses
    local start middle end
    start=$(time_of "part 2, the reader's question")
    middle=$(time_of 'without the lock: 12 lines read')
    end=$(time_of 'with the process-shared lock: 12 lines read')
    within 1.2 "$(awk -v a="$start" -v b="$middle" 'BEGIN { print b - a }')" 2.4
    within 3.6 "$(awk -v a="$middle" -v b="$end" 'BEGIN { print b - a }')" 6
}

@test "robust: a holder killed; the plain mutex times out naming the dead owner; the robust one hands over with EOWNERDEAD, repaired" {
    run --separate-stderr "$CONCDEMO" process-lock --part robust --speed 10
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(result_value holder_status)" -eq 137 ]
    [ "$(result_value robust_holder_status)" -eq 137 ]
    [ "$(result_value plain)" = ETIMEDOUT ]
    [ "$(result_value plain_owner_dead)" = yes ]
    [ "$(result_value robust)" = EOWNERDEAD ]
    [ "$(result_value repaired)" = yes ]
    [ "$(result_value robust_after)" = 0 ]
    [ "$(result_value record_after)" = hello_world_1 ]
    # the timed lock waited its whole second of lesson time, after the holder died
    [ "$(line_of 'was killed by signal 9')" -lt "$(line_of 'p-1 +pthread_mutex_timedlock')" ]
    local asked gave_up
    asked=$(time_of 'p-1 +pthread_mutex_timedlock')
    gave_up=$(time_of "p-1's lock: ETIMEDOUT")
    within 1 "$(awk -v a="$asked" -v b="$gave_up" 'BEGIN { print b - a }')" 1.8
    [[ "$output" == *"the mutex still names thread "*" as its owner, the p-0 that waitpid reported killed"* ]]
    # the robust round: EOWNERDEAD, the repair, consistent, then the next one locks at once
    local robust
    robust=$(sed -n "$(line_of 'then a robust one')"',$p' <<<"$output")
    output=$robust
    [ "$(line_of 'p-0 +locked')" -lt "$(line_of 'p-1 +EOWNERDEAD: .* half-written$')" ]
    [ "$(line_of 'p-1 +EOWNERDEAD')" -lt "$(line_of 'p-1 +dropped the half line; pthread_mutex_consistent')" ]
    [ "$(line_of 'pthread_mutex_consistent')" -lt "$(line_of "p-2 +locked: 0; the record reads 'hello world 1', whole")" ]
}

@test "robust: --timeout sets how long the plain mutex's waiter waits" {
    run "$CONCDEMO" process-lock --part robust --timeout 3 --speed 10
    [ "$status" -eq 0 ]
    [ "$(result_value plain)" = ETIMEDOUT ]
    local asked gave_up
    asked=$(time_of 'p-1 +pthread_mutex_timedlock')
    gave_up=$(time_of "p-1's lock: ETIMEDOUT")
    within 3 "$(awk -v a="$asked" -v b="$gave_up" 'BEGIN { print b - a }')" 3.8
}

@test "--processes takes 2 to 100: the article's lines and the torn part's count follow it" {
    run "$CONCDEMO" process-lock --part article --processes 2
    [ "$status" -eq 0 ]
    [ "$(result_value printed)" -eq 2 ]
    run "$CONCDEMO" process-lock --part torn --processes 30 --speed 50
    [ "$status" -eq 0 ]
    [ "$(result_value unlocked_lines)" -eq 30 ]
    [ "$(result_value locked_torn)" -eq 0 ]
    run --separate-stderr "$CONCDEMO" process-lock --processes 101
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--processes"*"2 to 100"* ]]
}
