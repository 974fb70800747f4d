#!/usr/bin/env bats
# daemon: daemon threads die with the process; their later lines never appear.

load helpers

# The value of `key` on the result: line of part $1.
part_value() {
    grep "^result: part=$1 " <<<"$output" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2-
}

# How many event lines of actor $1 say exactly $2.
said_by() {
    grep -cE "^\[ *[0-9.]+\] $1 +$2\$" <<<"$output" || true
}

@test "the article's program at speed 1: task t-0..t-2, then 4, then the end; no 3, 2 or 1 ever comes" {
    # --speed 1: main's line is due 0.5 s after the start; it may come 0.3 s late on a busy
    # machine, and the daemons' first 3 is due only at 1 s
    run "$CONCDEMO" daemon --part daemon --speed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=daemon threads=3 main-sleep=0.5 speed=1 "* ]]
    [ "$(part_value daemon lines)" -eq 4 ]
    [ "$(part_value daemon expected)" -eq 13 ]
    [ "$(part_value daemon missing)" -eq 9 ]
    [ "$(part_value daemon countdown)" -eq 0 ]
    [ "$(part_value daemon ended)" -eq 0 ] # no daemon finished its code: only main did
    [ "$(part_value daemon count)" -eq 4 ]
    [ "$(part_value daemon kernel_threads)" -eq 4 ]
    [ "$(part_value daemon child_exit)" -eq 0 ]
    # each thread's first line once, then main's count, after all three
    for i in 0 1 2; do
        [ "$(said_by "t-$i" "task t-$i")" -eq 1 ]
        [ "$(line_of "main +4$")" -gt "$(line_of "t-$i +task t-$i$")" ]
    done
    # no thread printed anything else: the countdown never came
    [ "$(grep -cE '^\[ *[0-9.]+\] t-[0-9]+ ' <<<"$output")" -eq 3 ]
    # main's line at 0.5 s, and the pipe's end of file right after the child's end, before 1 s
    within 0.5 "$(part_value daemon count_at)" 0.85
    local exit_at eof_at
    exit_at=$(part_value daemon exit_at)
    eof_at=$(part_value daemon eof_at)
    within 0.5 "$exit_at" 0.9
    within "$exit_at" "$eof_at" "$(awk -v t="$exit_at" 'BEGIN { print t + 0.3 }')"
    within "$eof_at" "$(time_of 'parent +end of file')" 1.3
    [[ "$output" == *"# None of the threads' 9 lines 3, 2, 1, due at 1, 2 and 3 s, came"* ]]
    [[ "$output" == *"# None of its 3 threads finished its code: main's ended at $exit_at s"* ]]
}

@test "without setDaemon, Python's exit joins them: all 13 lines, 3 2 1 a second apart, the end at 3 s" {
    # --speed 2, main's sleep 0.1: main's 4 is due 0.45 s of real time before the first 3;
    # each window is 0.35 s of real time or more
    run "$CONCDEMO" daemon --part wait --main-sleep 0.1 --speed 2
    [ "$status" -eq 0 ]
    [ "$(part_value wait lines)" -eq 13 ]
    [ "$(part_value wait missing)" -eq 0 ]
    [ "$(part_value wait countdown)" -eq 9 ]
    [ "$(part_value wait ended)" -eq 3 ] # Python's exit waited for each
    [ "$(part_value wait count)" -eq 4 ]
    [ "$(part_value wait child_exit)" -eq 0 ]
    for i in 0 1 2; do
        for n in 3 2 1; do
            [ "$(said_by "t-$i" "$n")" -eq 1 ]
        done
        # each thread counts down in order, after main's 4
        [ "$(line_of "t-$i +3$")" -gt "$(line_of "main +4$")" ]
        [ "$(line_of "t-$i +2$")" -gt "$(line_of "t-$i +3$")" ]
        [ "$(line_of "t-$i +1$")" -gt "$(line_of "t-$i +2$")" ]
        [ "$(line_of 'parent +end of file')" -gt "$(line_of "t-$i +1$")" ]
    done
    within 1 "$(time_of 't-0 +3$')" 1.7
    within 2 "$(time_of 't-0 +2$')" 2.8
    within 3 "$(time_of 't-0 +1$')" 3.9
    within 3 "$(part_value wait eof_at)" 4.1
    # the note gives the measured time of the last 3, 2, 1, not a fixed one
    local last
    last=$(grep -oE "All 9 of the threads' 3, 2, 1 came, the last at [0-9.]+ s" <<<"$output" | cut -d' ' -f13)
    within 3 "$last" 3.9
}

@test "C: main returns and every thread dies with it; with pthread_exit() the process lives until the last" {
    local seed
    seed=$(unique_seed)
    # --speed 2, main's sleep 0.1: main ends 0.45 s of real time before the threads' first 3
    run "$CONCDEMO" daemon --part return --main-sleep 0.1 --speed 2 --seed "$seed"
    [ "$status" -eq 0 ]
    [ "$(part_value return lines)" -eq 4 ]
    [ "$(part_value return countdown)" -eq 0 ]
    [ "$(part_value return ended)" -eq 0 ]
    [ "$(part_value return kernel_threads)" -eq 4 ]
    [ "$(part_value return count)" -eq 4 ] # the kernel's count, printed by main
    within 0.1 "$(part_value return eof_at)" 0.95
    none_left "$seed"
    run "$CONCDEMO" daemon --part pthread-exit --main-sleep 0.1 --speed 2 --seed "$seed"
    [ "$status" -eq 0 ]
    [ "$(part_value pthread-exit lines)" -eq 13 ]
    [ "$(part_value pthread-exit countdown)" -eq 9 ]
    [ "$(part_value pthread-exit ended)" -eq 3 ] # after main's end: the process lived on
    [ "$(part_value pthread-exit child_exit)" -eq 0 ]
    within 3 "$(part_value pthread-exit exit_at)" 3.9
    within 3 "$(part_value pthread-exit eof_at)" 4.1
    [ "$(line_of 'parent +end of file')" -gt "$(grep -nE 't-[0-9] +1$' <<<"$output" | tail -1 | cut -d: -f1)" ]
    none_left "$seed"
}

@test "the flag must be set before start(): after it, refused as Python's RuntimeError, even once the thread ended" {
    run "$CONCDEMO" daemon --part flag --speed 20
    [ "$status" -eq 0 ]
    [ "$(result_value before_start)" = accepted ]
    [ "$(result_value after_start)" = refused ]
    [ "$(result_value after_end)" = refused ]
    [[ "$output" == *"-> RuntimeError: cannot set daemon status of active thread"* ]]
    # the thread that was not a daemon at start is joined by the exit's join
    [[ "$output" =~ "the exit's join waited "[0-9.]+" s for t-0" ]]
}

@test "honest when main sleeps past the first 3: those lines came, the later ones did not" {
    # main sleeps 1.5 lesson-seconds: each daemon's 3 (due at 1) comes, its 2 (due at 2) does not;
    # at --speed 1 each is 0.5 s of real time from main's end
    run "$CONCDEMO" daemon --part daemon --threads 5 --main-sleep 1.5 --speed 1
    [ "$status" -eq 0 ]
    [ "$(part_value daemon countdown)" -eq 5 ]
    [ "$(part_value daemon lines)" -eq 11 ]
    [ "$(part_value daemon expected)" -eq 21 ]
    [ "$(part_value daemon count)" -eq 6 ]
    [ "$(part_value daemon ended)" -eq 0 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] t-[0-9] +2$' <<<"$output")" -eq 0 ]
    [[ "$output" == *"# 5 of the threads' lines 3, 2, 1 came before the process ended"* ]]
}

@test "all parts in order, in jsonl: each child line is an event of its thread, each part ends at end of file" {
    run "$CONCDEMO" daemon --speed 20 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s '[ .[] | select(.kind == "result") | .data.part ] == ["daemon","wait","return","pthread-exit","flag"]' <<<"$output"
    # what does not depend on timing: every line of the waiting parts came, and each part's count of
    # lines and of 3, 2, 1 agrees with the events that came (the daemons' depend on when main woke)
    jq -e -s '[ .[] | select(.kind == "result" and .data.lines != null) | .data.lines ] | .[1] == 13 and .[3] == 13' <<<"$output"
    jq -e -s '[ .[] | select(.kind == "result" and .data.lines != null) | .data.lines == 4 + .data.countdown ] | all and length == 4' <<<"$output"
    jq -e -s '[ .[] | select(.kind == "event" and .actor == "parent" and (.text | startswith("end of file"))) ] | length == 4' <<<"$output"
    jq -e -s '([ .[] | select(.kind == "event" and (.actor | test("^t-[0-9]$")) and (.text | test("^[321]$"))) ] | length)
              == ([ .[] | select(.kind == "result" and .data.countdown != null) | .data.countdown ] | add)' <<<"$output"
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # --speed 2, main's sleep 0.1: main ends 0.45 s of real time before the threads' first 3
    run_in_chinese daemon --main-sleep 0.1 --speed 2
    [ "${lines[0]}" = "concdemo daemon: 守护线程随进程一起死去：它们后面的行永远不会出现" ]
    [ "$(grep -oE '^result: part=[a-z-]+' <<<"$output" | tr '\n' ' ')" = \
        "result: part=daemon result: part=wait result: part=return result: part=pthread-exit result: part=flag " ]
    local part
    for part in daemon return; do # main's end ended every thread: no 3, 2, 1
        [ "$(part_value $part lines)" -eq 4 ]
        [ "$(part_value $part countdown)" -eq 0 ]
        [ "$(part_value $part ended)" -eq 0 ]
        [ "$(part_value $part count)" -eq 4 ]
        [ "$(part_value $part child_exit)" -eq 0 ]
    done
    [ "$(part_value daemon missing)" -eq 9 ]
    for part in wait pthread-exit; do # the process lived until the last thread ended: all 13 lines
        [ "$(part_value $part lines)" -eq 13 ]
        [ "$(part_value $part missing)" -eq 0 ]
        [ "$(part_value $part countdown)" -eq 9 ]
        [ "$(part_value $part ended)" -eq 3 ]
        [ "$(part_value $part child_exit)" -eq 0 ]
    done
    [ "$(part_value wait count)" -eq 4 ]
    within 3 "$(part_value wait eof_at)" 4.1
    within 3 "$(part_value pthread-exit eof_at)" 4.1
    [ "$(result_value before_start)" = accepted ]
    [ "$(result_value after_start)" = refused ]
    [ "$(result_value after_end)" = refused ]
    # the article's program prints what it prints; Python's error stays Python's
    [ "$(said_by t-0 'task t-0')" -eq 4 ]
    [[ "$output" == *"-> RuntimeError: cannot set daemon status of active thread"* ]]
    [[ "$output" == *"u.daemon = True -> 已接受"* ]]
}

@test "bad input: a part, a thread count or a sleep out of range is refused with one line" {
    usage_error "--part" daemon --part deamon
    usage_error "--threads" daemon --threads 0
    usage_error "--threads" daemon --threads 65
    usage_error "--main-sleep" daemon --main-sleep 0
    usage_error "--main-sleep" daemon --main-sleep 5.5
}
