#!/usr/bin/env bats
# livelock: two polite tasks in step make no progress; a random back-off lets both finish.

load helpers

# The polite part's result line, checked against itself: livelock=yes only
# with no progress and every beat in step, and the note says which it was.
polite_is_livelock() {
    local line
    line=$(grep '^result: part=polite ' <<<"$output")
    [ -n "$line" ]
    [ "$(result_value livelock)" = yes ] || { echo "not in step this run: $line"; return 1; }
    [ "$(result_value progress)" -eq 0 ]
    [ "$(result_value in_step)" -eq "$(result_value beats)" ]
    [[ "$output" == *"# A livelock: "* ]]
    [[ "$output" != *"Not a livelock"* ]]
    # nobody ever printed that it had both, or that it was done, before part 2
    if awk '/ main +part 2:/ { exit } { print }' <<<"$output" |
        grep -qE '^\[ *[0-9.]+\] task[12] +(attempt [0-9]+: .* free: has both|done, after)'; then
        echo "a task got both resources in the polite part"
        return 1
    fi
}

@test "polite: attempts counted every beat, every one failed, nobody finished" {
    run "$CONCDEMO" livelock --part polite --seconds 1
    echo "$output" # shown if the test fails
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "seconds=1 hesitate=0.1 part=polite "* ]]
    polite_is_livelock
    # 1 s, a beat every 0.2 s: 5 attempts each (one fewer if the machine was slow to start a thread)
    [ "$(result_value attempts1)" -ge 4 ] && [ "$(result_value attempts1)" -le 5 ]
    [ "$(result_value attempts2)" -ge 4 ] && [ "$(result_value attempts2)" -le 5 ]
    [ "$(result_value beats)" -ge 4 ]
    # each found the other's resource busy, every time
    [[ "$output" == *"task1: $(result_value attempts1) attempts, $(result_value attempts1) found resource2 busy"* ]]
    [[ "$output" == *"task2: $(result_value attempts2) attempts, $(result_value attempts2) found resource1 busy"* ]]
    # in step: on each beat they tried the other's lock less than the 0.1 s hesitation apart
    within 0 "$(result_value max_skew)" 0.1
    # the first attempts, in full: each holds its own and finds the other's busy
    grep -qE '^\[ *[0-9.]+\] task1 +attempt 1: has resource1; resource2 busy: lets go$' <<<"$output"
    grep -qE '^\[ *[0-9.]+\] task2 +attempt 1: has resource2; resource1 busy: lets go$' <<<"$output"
    # the first attempt starts at the start gun, 0.1 s in, and fails 0.18 s later; the last beat within the 1 s
    within 0.28 "$(time_of 'task[12] +attempt 1:')" 0.45
    within 1.0 "$(time_of 'main +task1: ')" 1.3
}

@test "random: both finish, one after the other, each failing every attempt but its last" {
    run "$CONCDEMO" livelock --part random
    [ "$status" -eq 0 ]
    [[ "$(grep '^result:' <<<"$output")" == "result: part=random finished=2 "* ]]
    echo "$output" # shown if the test fails
    # each task failed every attempt but its last (the first ones, at the start gun, usually collide)
    [ "$(result_value failed)" -eq $(($(result_value attempts1) - 1 + $(result_value attempts2) - 1)) ]
    [ "$(grep -cE '^\[ *[0-9.]+\] task[12] +done, after [0-9]+ attempts$' <<<"$output")" -eq 2 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] task[12] +attempt [0-9]+: .* free: has both$' <<<"$output")" -eq 2 ]
    [[ "$output" == *"# Both finished: a random back-off broke the step."* ]]
    # one at a time: the first is done before the second has both
    local got_both
    got_both=$(grep -n -E '^\[ *[0-9.]+\] task[12] +attempt [0-9]+: .* free: has both$' <<<"$output" | cut -d: -f1 | tr '\n' ' ')
    local first_done=$(line_of '^\[ *[0-9.]+\] task[12] +done, after')
    [ "${got_both%% *}" -lt "$first_done" ]
    [ "$first_done" -lt "$(echo $got_both | cut -d' ' -f2)" ]
    # the first attempts come 0.1 s in, then at least one more each; the part gives up at 10 s
    within 0.15 "$(result_value seconds)" 10
}

@test "defaults: the polite part, then the random part; results last, in order" {
    run "$CONCDEMO" livelock --seconds 0.5
    echo "$output" # shown if the test fails
    [ "$status" -eq 0 ]
    polite_is_livelock
    [ "$(line_of 'main +part 1: ')" -lt "$(line_of 'main +part 2: ')" ]
    [[ "$(grep '^result:' <<<"$output" | sed -n 1p)" == "result: part=polite livelock=yes progress=0 "* ]]
    [[ "$(grep '^result:' <<<"$output" | sed -n 2p)" == "result: part=random finished=2 "* ]]
    [ "$(line_of '^result: ')" -gt "$(line_of 'main +finished: ')" ]
}

@test "in step on one CPU too" {
    command -v taskset >/dev/null || skip "taskset is not installed"
    run taskset -c 0 "$CONCDEMO" livelock --seconds 0.5
    [ "$status" -eq 0 ]
    polite_is_livelock
    [[ "$(grep '^result:' <<<"$output" | sed -n 2p)" == "result: part=random finished=2 "* ]]
}

@test "a run that gets through says so: the note and the result agree" {
    # --hesitate 0.001: a task that found the other's lock busy lets go of its own 1
    # millisecond later; the two may still meet on every beat (they wake on the same tick)
    # -- or one may get through
    run "$CONCDEMO" livelock --part polite --seconds 0.5 --hesitate 0.001
    [ "$status" -eq 0 ]
    if [ "$(result_value livelock)" = yes ]; then
        polite_is_livelock
    else
        [[ "$output" == *"# Not a livelock this run: "* ]]
        [[ "$output" != *"# A livelock: "* ]]
        [ "$(result_value progress)" -ge 1 ] || [ "$(result_value in_step)" -lt "$(result_value beats)" ]
    fi
}

@test "bad values" {
    usage_error "--seconds" livelock --seconds 0
    usage_error "--seconds" livelock --seconds 61
    usage_error "--hesitate" livelock --hesitate 0.12
    usage_error "--hesitate" livelock --hesitate x
    usage_error "--part" livelock --part nope
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" livelock --seconds 0.5 --lang zh
    echo "$output" # shown if the test fails
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] || { echo "$stderr"; return 1; }
    [ "${lines[0]}" = "concdemo livelock: 两个礼让的任务永远互相让路；随机退避让两者都能完成" ]
    # polite: a livelock, as in English
    [[ "$(grep '^result:' <<<"$output" | sed -n 1p)" == "result: part=polite livelock=yes progress=0 "* ]]
    [ "$(result_value in_step)" -eq "$(result_value beats)" ]
    [[ "$output" == *"# 活锁："* ]]
    [[ "$output" != *"这次不是活锁"* ]]
    grep -qE '^\[ *[0-9.]+\] task1 +第 1 次尝试：持有资源1；资源2被占用：放手$' <<<"$output"
    # random: both finish, each failing every attempt but its last
    local random
    random=$(grep '^result: part=random ' <<<"$output")
    [[ "$random" == "result: part=random finished=2 "* ]]
    output=$random
    [ "$(result_value failed)" -eq $(($(result_value attempts1) - 1 + $(result_value attempts2) - 1)) ]
}
