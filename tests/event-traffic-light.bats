#!/usr/bin/env bats
# event-traffic-light: a lighter sets and clears an Event; cars wait on it.

load helpers

# The lesson time of each of the light's colour lines, one a line.
light_seconds() {
    grep -E '^\[ *[0-9.]+\] light +(green|red) light is on\.\.\.$' <<<"$output" \
        | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}

@test "defaults: one car, 2 cycles of 11 s: green 6 s, red 5 s, one light line a second" {
    # --speed 2: the tightest window, the period's (an average of two: a late edge counts
    # half), takes a light 0.4 lesson-seconds late, 0.2 s of real time
    run "$CONCDEMO" event-traffic-light --speed 2
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "cycles=2 cars=1 patience=none car-phase=none speed=2 "* ]]
    [ "$(result_value cycles)" -eq 2 ]
    [ "$(result_value cars)" -eq 1 ]
    within 5.7 "$(result_value green)" 6.3
    within 4.7 "$(result_value red)" 5.3
    within 10.8 "$(result_value period)" 11.2
    within 22.3 "$(result_value elapsed)" 23.8
    # the light speaks 21 times, as the article's does: 6 green, 5 red, then nothing at
    # count 11, 5 green, 5 red, and nothing at the last green edge
    [ "$(light_seconds | wc -l)" -eq 21 ]
    local colours
    colours=$(grep -oE '^\[ *[0-9.]+\] light +(green|red) light is on' <<<"$output" | grep -oE '(green|red) light' \
        | cut -c1 | tr -d '\n')
    [ "$colours" = "ggggggrrrrrgggggrrrrr" ]
    # one a lesson second, on the light's deadlines, and none at 11, the silent green edge
    # (a loaded machine may wake the light late, by up to a lesson second, never early)
    [ "$(light_seconds | paste -d' ' - <(printf '%s\n' 0 1 2 3 4 5 6 7 8 9 10 12 13 14 15 16 17 18 19 20 21) \
        | awk '$1 >= $2 - 0.05 && $1 <= $2 + 1' | wc -l)" -eq 21 ]
    # the first red comes at about 6 s, the second at about 17
    within 5.7 "$(time_of 'light +red light is on')" 6.5
    # the car sees red once a cycle, and starts once at each green edge
    [ "$(grep -c '\[MINI\] sees red light,waiting\.\.\.$' <<<"$output")" -eq 2 ]
    [ "$(grep -c '\[MINI\] green light is on,start going\.\.\.$' <<<"$output")" -eq 2 ]
    [ "$(result_value waits)" -eq 2 ]
    [ "$(result_value starts)" -eq 2 ]
    [[ "$output" == *"# lights out after 2 cycles"* ]]
}

@test "the article's exact lines: the light's and the car's events are the article's strings, and nothing else" {
    # at --speed 10 a car late by less than the red light's 0.5 s still sees it
    run "$CONCDEMO" event-traffic-light --cars 2 --cycles 2 --speed 10 --format jsonl
    [ "$status" -eq 0 ]
    # every event of the light and of the cars is one of the article's five strings
    jq -e -s '[ .[] | select(.kind == "event" and (.actor == "light" or (.actor | startswith("car ")))) | .text ]
              | unique - ["green light is on...", "red light is on...",
                          "[MINI] running...", "[MINI] sees red light,waiting...", "[MINI] green light is on,start going...",
                          "[TAXI] running...", "[TAXI] sees red light,waiting...", "[TAXI] green light is on,start going..."]
              | length == 0' <<<"$output"
    # the article's spelling: no space after the comma
    jq -e -s '[ .[] | select(.kind == "event" and (.text | test("sees red light|start going"))) | .text ]
              | length == 8 and all(test("\\] sees red light,waiting\\.\\.\\.$|\\] green light is on,start going\\.\\.\\.$"))' <<<"$output"
    # what the article leaves out is a note: the silent green edge, and the end
    jq -e -s '[ .[] | select(.kind == "note" and (.text | startswith("count is 11: the light sets the event"))) ]
              | length == 2' <<<"$output"
    jq -e -s '[ .[] | select(.kind == "note" and (.text | startswith("lights out after 2 cycles"))) ] | length == 1' <<<"$output"
}

@test "green lines per cycle: 6 in the first, 5 in each later one (the article prints nothing at count 11)" {
    # --speed 3: a car woken 0.3 s late on a busy machine still starts before the next light
    # line, and green's average of three takes one edge 0.3 s late
    run "$CONCDEMO" event-traffic-light --cycles 3 --speed 3
    [ "$status" -eq 0 ]
    local runs
    runs=$(grep -oE '^\[ *[0-9.]+\] light +(green|red) light is on\.\.\.$' <<<"$output" | grep -oE '(green|red) light' \
        | cut -c1 | tr -d '\n' | grep -oE 'g+|r+' | awk '{ printf "%s%d", (NR > 1 ? "," : ""), length($0) }')
    [ "$runs" = "6,5,5,5,5,5" ]
    # yet green lasts 6 s every cycle: the event is set at count 11, a second before the first green line
    within 5.7 "$(result_value green)" 6.3
    [ "$(result_value cycles)" -eq 3 ]
    # each car start falls at a silent green edge: the light's line before it is red, the
    # silent set() came between, and the green line after it is the next second's
    local starts
    starts=$(grep -E '^\[ *[0-9.]+\] (light +(green|red) light is on|car MINI +\[MINI\] green light is on,start going)' <<<"$output" |
        sed -E 's/^\[ *[0-9.]+\] (light|car MINI) +(\[MINI\] )?(green|red).*/\1 \3/')
    [ "$(grep -c '^car' <<<"$starts")" -eq 3 ] # at 11, 22, and 33, where the road closes
    [ "$(grep -B1 '^car' <<<"$starts" | grep -c '^light red$')" -eq 3 ] || { echo "$starts"; return 1; }
}

@test "start going falls on the green edge, after the light turns green" {
    # --speed 2: start_lag's 0.4 lesson-seconds are 0.2 s of real time for the car's wake-up
    run "$CONCDEMO" event-traffic-light --speed 2
    [ "$status" -eq 0 ]
    local starts
    starts=$(grep -E 'car MINI +\[MINI\] green light is on,start going' <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].*/\1/')
    within 10.95 "$(sed -n 1p <<<"$starts")" 12.0 # absolute: a loaded machine may wake the light late
    within 21.95 "$(sed -n 2p <<<"$starts")" 23.0 # how close to the edge: start_lag, below
    within 0 "$(result_value start_lag)" 0.4
    # the light prints nothing at the green edge; its note comes before the car's start,
    # and its first green line after it
    local note_11 start_11 green_12
    note_11=$(line_of '# count is 11: the light sets the event')
    start_11=$(line_of 'start going')
    green_12=$(grep -nE '^\[ *1[12]\.[0-9]+\] light +green light is on' <<<"$output" | head -1 | cut -d: -f1)
    [ "$note_11" -lt "$start_11" ] && [ "$start_11" -lt "$green_12" ]
}

@test "no car moves after it saw red and before the next green; none prints while it waits (jsonl)" {
    run "$CONCDEMO" event-traffic-light --cars 4 --cycles 2 --speed 40 --format jsonl
    [ "$status" -eq 0 ]
    # Walk the events in order.  A car that saw red may say nothing until the
    # light has turned green again, and then only "start going".  The light
    # turns green at count 11 without a line, as the article's does; its note
    # there, written just before the set(), marks the edge.
    jq -e -s '
        [ .[] | select((.kind == "event" and (.actor == "light" or (.actor | startswith("car "))))
                       or (.kind == "note" and .actor == "light")) ]
        | reduce .[] as $e ({light: "green", waiting: {}, bad: 0, starts: 0, seen_red: 0};
            if $e.actor == "light" then
                (if ($e.text | test("^red light")) then .light = "red"
                 elif ($e.text | test("^green light|^count is 11: the light sets the event")) then .light = "green"
                 else . end)
            elif ($e.text | test("sees red light")) then
                .waiting[$e.actor] = true | .seen_red += 1
            elif ($e.text | test("start going")) then
                (if (.waiting[$e.actor] != true or .light != "green") then .bad += 1 else . end)
                | .waiting[$e.actor] = false | .starts += 1
            elif .waiting[$e.actor] == true then .bad += 1
            else . end)
        | .bad == 0 and .seen_red == 8 and .starts == 8' <<<"$output"
    jq -e -s 'map(select(.kind == "result"))[0].data | .cars == 4 and .waits == 8 and .starts == 8' <<<"$output"
}

@test "four cars: each runs once a second while green, and waits through red" {
    # --speed 2: the light closes the road 0.5 lesson-seconds before the cars' next look,
    # 0.25 s of real time; later, each car would run once more
    run "$CONCDEMO" event-traffic-light --cars 4 --cycles 1 --speed 2
    [ "$status" -eq 0 ]
    local car
    for car in MINI TAXI BUS VAN; do
        [ "$(grep -c "car $car *\[$car\] sees red light" <<<"$output")" -eq 1 ]
        [ "$(grep -c "car $car *\[$car\] green light is on,start going" <<<"$output")" -eq 1 ]
        # 6 green seconds, then 1 after the green edge at 11: running at 0..5 and 11, and
        # once more at 6 if the car looked before the light changed (see ran_red)
        local running
        running=$(grep -c "car $car *\[$car\] running\.\.\.$" <<<"$output")
        [ "$running" -ge 7 ] && [ "$running" -le 8 ]
    done
}

@test "look, then act: a car that looked just before the red is named afterwards and counted" {
    # a car that looks 0.3 s before the red is counted if the red comes less than 0.5 s
    # after its look: the light may be 0.2 lesson-seconds late, the look 0.2; at --speed
    # 1.25 each is 0.16 s of real time (a slower speed would make this test longer still)
    run "$CONCDEMO" event-traffic-light --cars 3 --cycles 2 --car-phase 0.3 --speed 1.25
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "cycles=2 cars=3 patience=none car-phase=0.3 "* ]]
    # each car looks 0.3 s before each red: 3 cars x 2 cycles
    [ "$(result_value ran_red)" -eq 6 ]
    [ "$(grep -cE 'main +(MINI|TAXI|BUS) looked at [0-9.]+ s: green; the light turned red 0\.[0-9]+ s later$' <<<"$output")" -eq 6 ]
    local later
    for later in $(grep -oE 'turned red [0-9.]+ s later' <<<"$output" | cut -d' ' -f3); do
        within 0.09 "$later" 0.51
    done
    [[ "$output" == *"is_set() and the move are two steps"* ]]
    # afterwards: the names come after the join
    [ "$(line_of 'looked at')" -gt "$(line_of 'joined the lighter')" ]
}

@test "without --car-phase, the count and the named cars agree, whichever happened" {
    run "$CONCDEMO" event-traffic-light --cars 5 --cycles 2 --speed 50
    [ "$status" -eq 0 ]
    local ran_red
    ran_red=$(result_value ran_red)
    [ "$(grep -cE 'looked at [0-9.]+ s: green; the light turned red' <<<"$output")" -eq "$ran_red" ]
    if [ "$ran_red" -eq 0 ]; then
        [[ "$output" == *"This run no car looked in the half second before a red"* ]]
    else
        [[ "$output" == *"is_set() and the move are two steps"* ]]
    fi
}

@test "--patience: wait(timeout) returns False while red, and the car waits again" {
    # --speed 2: the windows' 0.5 lesson-seconds above their times are 0.25 s of real time
    run "$CONCDEMO" event-traffic-light --cycles 1 --patience 2 --speed 2
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "cycles=1 cars=1 patience=2 car-phase=none "* ]]
    # red from 6 to 11: the 2-second waits run out at about 8 and 10 (once, at 9,
    # if the car looked just before the change and first saw red at 7)
    local timeouts
    timeouts=$(result_value timeouts)
    [ "$timeouts" -ge 1 ] && [ "$timeouts" -le 2 ]
    [ "$(grep -cE '\[MINI\] still red after [0-9.]+ s, waiting again\.\.\.$' <<<"$output")" -eq "$timeouts" ]
    local waited
    for waited in $(grep -oE 'still red after [0-9.]+ s' <<<"$output" | cut -d' ' -f4); do
        within 1.95 "$waited" 2.5
    done
    within 7.8 "$(time_of 'still red after')" 9.5
    [ "$(line_of 'still red after')" -gt "$(line_of 'sees red light')" ]
    [ "$(line_of 'start going')" -gt "$(grep -n 'still red' <<<"$output" | tail -1 | cut -d: -f1)" ]
    [[ "$output" == *"returned False"* ]]
}

@test "colour: the article's green and red backgrounds, only when colour is on" {
    run "$CONCDEMO" event-traffic-light --cycles 1 --speed 50 --color always
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\e[42;1mgreen light is on...\e[0m'* ]]
    [[ "$output" == *$'\e[41;1mred light is on...\e[0m'* ]]
    run "$CONCDEMO" event-traffic-light --cycles 1 --speed 50
    [[ "$output" != *$'\e['* ]]
    run "$CONCDEMO" event-traffic-light --cycles 1 --speed 50 --format jsonl --color always
    [[ "$output" != *'\u001b'* ]]
    jq -e -s 'map(select(.actor == "light" and .kind == "event" and (.text | endswith("light is on...")))) | length == 11' <<<"$output"
}

@test "bad input for every event-traffic-light option" {
    usage_error "--cycles: '0' is zero" event-traffic-light --cycles 0
    usage_error "--cycles: '101' is too large (allowed: 1 to 100)" event-traffic-light --cycles 101
    usage_error "--cars: '0' is zero" event-traffic-light --cars 0
    usage_error "--cars: '101' is too large (allowed: 1 to 100)" event-traffic-light --cars 101
    usage_error "--cars: 'MINI' is not a whole number" event-traffic-light --cars MINI
    usage_error "--cars: '-1' is negative" event-traffic-light --cars -1
    usage_error "--patience: '0' is zero" event-traffic-light --patience 0
    usage_error "--patience: '61' is too large (allowed: 0.1 to 60)" event-traffic-light --patience 61
    # a wait shorter than that would print a line each time it runs out, thousands a second
    usage_error "--patience: '1e-300' is too small (allowed: 0.1 to 60)" event-traffic-light --patience 1e-300
    usage_error "--patience: 'forever' is not a number" event-traffic-light --patience forever
    usage_error "--patience needs a value" event-traffic-light --patience
    usage_error "--car-phase: '0' is zero" event-traffic-light --car-phase 0
    usage_error "--car-phase: '0.95' is too large (allowed: more than 0, up to 0.9)" event-traffic-light --car-phase 0.95
    usage_error "--car-phase: 'early' is not a number" event-traffic-light --car-phase early
}

@test "past the thread limit: one line naming the limit, exit 1, and nothing waits for ever" {
    run --separate-stderr bash -c 'ulimit -u 40; exec "$0" event-traffic-light --cars 100 --speed 50' "$CONCDEMO"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"the most this system should have (ulimit -u"*"ask for fewer"* ]]
    [[ "$output" != *"result:"* ]]
}

@test "Ctrl-C during a red light: exit 130 at once, the waiting car woken and joined" {
    interrupt_when 'sees red light,waiting' INT event-traffic-light --cars 3 --speed 5
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    # red begins at 6 and lasts 5 s; the interruption ends it long before the green at 11
    within 6 "$(time_of 'interrupted by Ctrl-C')" 8.5
    [[ "$output" != *"start going"* ]]
}

@test "Ctrl-C while cars run on green: exit 130, no car keeps running" {
    interrupt_when 'TAXI\] running' INT event-traffic-light --cars 3 --speed 5
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    within 0 "$(time_of 'interrupted by Ctrl-C')" 1.5
    # no car runs twice within a lesson second: the stop ends its loop
    local car
    for car in MINI TAXI BUS; do
        grep -E "car $car +\[$car\] running" <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].*/\1/' \
            | awk 'NR > 1 && $1 - last < 0.5 { bad = 1 } { last = $1 } END { exit bad }'
    done
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # --cars 4 --cycles 2 --speed 40, as the English jsonl test: counts, not timings
    run_in_chinese event-traffic-light --cars 4 --cycles 2 --speed 40
    [ "${lines[0]}" = "concdemo event-traffic-light: 红绿灯设置和清除一个事件（Event）；红灯时车在它上面等待" ]
    [[ "${lines[1]}" == "cycles=2 cars=4 patience=none car-phase=none speed=40 "* ]]
    [ "$(result_value cycles)" -eq 2 ]
    [ "$(result_value cars)" -eq 4 ]
    [ "$(result_value waits)" -eq 8 ]
    [ "$(result_value starts)" -eq 8 ]
    # the article's program prints the article's lines, in any language: 6 green, 5 red,
    # nothing at count 11, 5 green, 5 red
    local colours
    colours=$(grep -oE '^\[ *[0-9.]+\] light +(green|red) light is on\.\.\.$' <<<"$output" | grep -oE '(green|red) light' \
        | cut -c1 | tr -d '\n')
    [ "$colours" = "ggggggrrrrrgggggrrrrr" ]
    local car
    for car in MINI TAXI BUS VAN; do
        [ "$(grep -c "car $car *\[$car\] sees red light,waiting\.\.\.$" <<<"$output")" -eq 2 ]
        [ "$(grep -c "car $car *\[$car\] green light is on,start going\.\.\.$" <<<"$output")" -eq 2 ]
    done
    [ "$(grep -cE 'main +(MINI|TAXI|BUS|VAN) 在 [0-9.]+ 秒看灯：绿灯；[0-9.]+ 秒后灯变红$' <<<"$output")" -eq "$(result_value ran_red)" ]
    [[ "$output" == *"# 2 个周期之后熄灯：道路关闭（文章里的红绿灯永远运行下去）。"* ]]
    [ "$(grep -c '# count 到了 11：红绿灯设置事件' <<<"$output")" -eq 2 ]
    # --patience: each wait that ran out is said, in Chinese
    run_in_chinese event-traffic-light --cycles 1 --patience 2 --speed 20
    [ "$(result_value timeouts)" -ge 1 ]
    [ "$(grep -cE '\[MINI\] [0-9.]+ 秒后仍是红灯，继续等待\.\.\.$' <<<"$output")" -eq "$(result_value timeouts)" ]
    [[ "$output" == *"返回了 False："* ]]
}
