#!/usr/bin/env bats
# 中文 fits the screen too: at COLUMNS=60 and 80, in Chinese, no line of a
# lesson's transcript, --explain text, --timeline drawing or help is wider
# than the screen (a Chinese character takes two columns, and a line breaks
# between any two of them).

load helpers
load width_helpers

@test "each lesson below is tested in Chinese: the list of lessons and the tests agree" { each_lesson_tested; }

@test "thread fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits thread zh; }
@test "daemon fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits daemon zh; }
@test "gil fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits gil zh; }
@test "race fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits race zh; }
@test "mutex fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits mutex zh; }
@test "rlock fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits rlock zh; }
@test "semaphore fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits semaphore zh; }
@test "event-traffic-light fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits event-traffic-light zh; }
@test "condition fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits condition zh; }
@test "barrier fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits barrier zh; }
@test "timer fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits timer zh; }
@test "process fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits process zh; }
@test "queue fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits queue zh; }
@test "pipe fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits pipe zh; }
@test "manager fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits manager zh; }
@test "process-lock fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits process-lock zh; }
@test "pool fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits pool zh; }
@test "coroutine fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits coroutine zh; }
@test "deadlock fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits deadlock zh; }
@test "livelock fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits livelock zh; }
@test "starvation fits 60 and 80 columns in Chinese: transcript, --explain, --timeline, help" { lesson_fits starvation zh; }

@test "help, --help and list fit 60 and 80 columns in Chinese, and line up" {
    export CONCDEMO_LANG=zh
    help_and_list_fit
    # list: each lesson's summary starts in one column, counted in display columns
    COLUMNS=1000 run "$CONCDEMO" list
    local starts
    starts=$(perl -CS -ne '/^(\S+ +\S.*?\S {2,})(?=\S)/ or next; my $n = 0;
        $n += (ord($_) >= 0x2e80 && ord($_) <= 0x9fff || ord($_) >= 0xff00 && ord($_) <= 0xff60) ? 2 : 1 for split //, $1;
        print "$n\n"' <<<"$output" | sort -u)
    [ "$(wc -l <<<"$starts")" -eq 1 ] || { echo "summaries start at columns: $starts"; echo "$output"; return 1; }
}

@test "the tour's own text fits 60 and 80 columns in Chinese" {
    local width
    export CONCDEMO_LANG=zh
    for width in 60 80; do
        COLUMNS=$width run "$CONCDEMO" tour --only semaphore,condition --speed 100
        [ "$status" -eq 0 ]
        output=$(awk '/^\$ concdemo /{ skip = 1 } /^[0-9]+\/[0-9]+  /{ skip = 0 } !skip && !/^    /' <<<"$output")
        grep -q '^2/2  condition: ' <<<"$output"
        fits "$width"
        COLUMNS=$width run "$CONCDEMO" tour --help
        [ "$status" -eq 0 ]
        fits "$width"
    done
}
