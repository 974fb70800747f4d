#!/usr/bin/env bats
# Fit the screen: at COLUMNS=60 and 80 no line of a lesson's transcript, of
# its --explain text, of its --timeline drawing or of any help is wider than
# the screen, unless it is one word that fits nowhere.  Notes and event texts
# wrap under their own text.

load helpers

load width_helpers

@test "each lesson below is tested: the list of lessons and the tests agree" { each_lesson_tested; }

@test "race fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits race; }
@test "mutex fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits mutex; }
@test "rlock fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits rlock; }
@test "semaphore fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits semaphore; }
@test "event-traffic-light fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits event-traffic-light; }
@test "condition fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits condition; }
@test "queue fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits queue; }
@test "pipe fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits pipe; }
@test "pool fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits pool; }
@test "coroutine fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits coroutine; }
@test "livelock fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits livelock; }
@test "starvation fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits starvation; }
@test "daemon fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits daemon; }
@test "timer fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits timer; }
@test "barrier fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits barrier; }
@test "deadlock fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits deadlock; }
@test "process fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits process; }
@test "manager fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits manager; }
@test "gil fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits gil; }
@test "thread fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits thread; }
@test "process-lock fits 60 and 80 columns: transcript, --explain, --timeline, help" { lesson_fits process-lock; }
@test "help, --help and list fit 60 and 80 columns" { help_and_list_fit; }

@test "the tour's own text and its help fit 60 and 80 columns; the article's program is quoted as printed" {
    local width
    for width in 60 80; do
        COLUMNS=$width run "$CONCDEMO" tour --only semaphore,condition --speed 100
        [ "$status" -eq 0 ]
        # the tour's lines up to each run, without the program's (four spaces in)
        output=$(awk '/^\$ concdemo /{ skip = 1 } /^[0-9]+\/[0-9]+  /{ skip = 0 } !skip && !/^    /' <<<"$output")
        grep -q '^2/2  condition: ' <<<"$output"
        grep -q '^from: ' <<<"$output"
        fits "$width"
        COLUMNS=$width run "$CONCDEMO" tour --help
        [ "$status" -eq 0 ]
        fits "$width"
    done
}

@test "the checker sees a line too wide, and lets one long word through" {
    local wide
    wide=$(too_wide 10 <<<$'1234 567890\n1234567890\n    a-very-long-unbreakable-word\nresult: part=x a-very-long=pair\nresult: a=1 b=22222222')
    [ "$wide" = $'11: 1234 567890\n22: result: a=1 b=22222222' ]
    wide=$(too_wide 10 <<<$'\e[1mabcdefghij\e[0m\n中文中文中\n中文 中文中文\n中文中文中文')
    # Chinese breaks anywhere: a line of it with no space is not one long word
    [ "$wide" = $'13: 中文 中文中文\n12: 中文中文中文' ]
}

@test "without COLUMNS and without a terminal, lines fit 80" {
    run env -u COLUMNS "$CONCDEMO" help queue
    [ "$status" -eq 0 ]
    fits 80
    # queue's from: line is 133 wide unwrapped: it did wrap
    [ "$(grep -c '' <<<"$output")" -gt "$(COLUMNS=1000 "$CONCDEMO" help queue | grep -c '')" ]
}

@test "a bad COLUMNS is ignored: 80" {
    for columns in abc 5 -60 100000 ""; do
        COLUMNS=$columns run "$CONCDEMO" help queue
        [ "$status" -eq 0 ]
        fits 80
        [ -n "$(too_wide 60 <<<"$output")" ] # it did use more than 60
    done
}

# The stamp "[%7.3f]" widens past 999.999 lesson seconds, which a fast run of
# a lesson with real-time parts reaches (make stress: manager at --speed 100
# on one CPU, [1060.529]); the event's text then starts a column later.
@test "past 1000 lesson seconds the stamp is wider, and an event's text still fits and hangs under itself" {
    COLUMNS=60 run "$CONCDEMO" manager --speed 10000 --ops 1000
    [ "$status" -eq 0 ]
    grep -qE '^\[[0-9]{4,}\.[0-9]{3}\] ' <<<"$output" || skip "this run stayed under 1000 lesson seconds"
    fits 60
    local at
    at=$(line_of '^\[[0-9]{4,}\.[0-9]{3}\] main +master exit: ')
    [ -n "$at" ]
    # the next line starts under the text, however wide the stamp grew
    [[ "$(sed -n "${at}p" <<<"$output")" =~ ^(\[[0-9.]+\]\ main\ +) ]]
    local text_column=${#BASH_REMATCH[1]}
    [ "$text_column" -ge 20 ]
    [[ "$(sed -n "$((at + 1))p" <<<"$output")" =~ ^\ {$text_column}[^\ ] ]]
}

@test "a wrapped note hangs under its text, after the '# '; an event's text under itself" {
    COLUMNS=60 run "$CONCDEMO" race --threads 50 --seed 3
    [ "$status" -eq 0 ]
    # the first note: "Between reading num and writing it back, a thread yields on a coin toss."
    local at
    at=$(line_of '^ {19}# Between reading num')
    [ -n "$at" ]
    [ "$(sed -n "$((at + 1))p" <<<"$output")" = "                     back, a thread yields on a coin toss." ]
    # every line after the header is an event, a note, a continuation at
    # the text's column (19, or 21 under a note's text), or a result
    local line
    while IFS= read -r line; do
        [[ "$line" =~ ^\[\ *[0-9.]+\]\ [a-z] || "$line" =~ ^\ {19}(#\ |\ \ )?[^\ ] || "$line" =~ ^result:\  ]] ||
            { echo "unexpected: '$line'"; return 1; }
    done < <(sed '1,/^$/d' <<<"$output")
    # an event's text: "start 50 threads; each runs `num += 1` once" goes on under itself
    COLUMNS=40 run "$CONCDEMO" race --threads 50 --seed 3
    at=$(line_of '^\[ *[0-9.]+\] main +start 50 threads')
    [ -n "$at" ]
    [[ "$(sed -n "$((at + 1))p" <<<"$output")" =~ ^\ {19}[^\ #] ]]
    fits 40
}

@test "Chinese counts two columns a character: help queue's from: line wraps at 60 under itself" {
    local at
    COLUMNS=60 run "$CONCDEMO" help queue
    # "from: seed 002 生产者-消费者问题和 Queue 模块; ..." wraps under "from: "
    at=$(line_of '^from: ')
    [[ "$(sed -n "$((at + 1))p" <<<"$output")" =~ ^\ {6}[^\ ] ]]
    fits 60
}

@test "a result wider than the screen goes on on more result: lines, no pair broken, part= repeated" {
    COLUMNS=1000 run "$CONCDEMO" pipe --part torn --records 5 --seed 1
    local whole
    whole=$(grep '^result: ' <<<"$output")
    COLUMNS=60 run "$CONCDEMO" pipe --part torn --records 5 --seed 1
    [ "$status" -eq 0 ]
    local split
    split=$(grep '^result: ' <<<"$output")
    [ "$(grep -c '' <<<"$split")" -ge 3 ]
    ! grep -v '^result: part=torn' <<<"$split" || false # every line says which part
    # the keys, in order, with the repeated part= dropped, are the whole line's
    [ "$(sed 's/^result: part=torn//' <<<"$split" | tr ' ' '\n' | grep -v '^$' | cut -d= -f1 | paste -sd' ')" = \
      "$(sed 's/^result: part=torn//' <<<"$whole" | tr ' ' '\n' | grep -v '^$' | cut -d= -f1 | paste -sd' ')" ]
    fits 60
    # result_value reads a key from any of the lines
    [ "$(result_value medium)" = both ]
    [ "$(result_value writers)" = 2 ]
}

@test "the header's title hangs under the summary; the parameters wrap between pairs" {
    COLUMNS=40 run "$CONCDEMO" race --threads 5 --seed 3
    [ "${lines[0]}" = "concdemo race: threads add to one shared" ]
    [[ "${lines[1]}" =~ ^\ {15}int\ with ]]
    # the parameters: every pair whole, over lines that fit
    [ "$(sed -n '4,5p' <<<"$output" | tr ' ' '\n' | grep -c '=')" -eq 7 ]
    fits 40
}

@test "--color always: escapes do not count, and a wrapped note's lines are each dim" {
    COLUMNS=60 run "$CONCDEMO" race --threads 50 --seed 3 --color always
    fits 60
    local at
    at=$(line_of 'Between reading num')
    [[ "$(sed -n "${at}p" <<<"$output")" == *$'\e[2m'*$'\e[0m' ]]
    [[ "$(sed -n "$((at + 1))p" <<<"$output")" == "                     "$'\e[2m'*$'\e[0m' ]]
}
