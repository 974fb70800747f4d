#!/usr/bin/env bats
# queue: producers and consumers pass items through a blocking queue.

load helpers

# Lesson times of the event lines matching a regex, one a line.
times_of() {
    grep -E "$1" <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}

@test "all four parts run in order, and their results come at the end" {
    run "$CONCDEMO" queue --speed 50 --seed 3
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=all size=32 loops="*" producers=2 consumers=3 items=10 processes=no speed=50 seed=3" ]]
    [ "$(line_of 'part 1, seed 002')" -lt "$(line_of 'part 2:')" ]
    [ "$(line_of 'part 2:')" -lt "$(line_of 'part 3, ')" ]
    [ "$(line_of 'part 3, ')" -lt "$(line_of 'part 4, seed 000')" ]
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 4 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=article "* ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=blocking "* ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=pool kind=threads producers=2 consumers=3 produced=20 consumed=20 duplicates=0 missing=0 "* ]]
    [ "$(sed -n 4p <<<"$results")" = "result: part=process got=[42,None,'hello'] child_exit=0" ]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
}

@test "article: one put a second, a get then a 2-5 s sleep; the run lasts the reader's sleeps" {
    run "$CONCDEMO" queue --part article --seed 7 --speed 20
    [ "$status" -eq 0 ]
    local loops sleeps
    loops=$(result_value loops)
    sleeps=$(result_value reader_sleeps)
    [ "$loops" -ge 10 ] && [ "$loops" -le 20 ]
    [ "$(grep -cE 'writer +producing object for Q\.\.\.$' <<<"$output")" -eq "$loops" ]
    [ "$(grep -cE 'reader +consumed object from Q\.\.\. size now [0-9]+$' <<<"$output")" -eq "$loops" ]
    # the sum of the reader's sleeps: between 2 and 5 s each
    [ "$sleeps" -ge $((2 * loops)) ] && [ "$sleeps" -le $((5 * loops)) ]
    within "$(awk -v s="$sleeps" 'BEGIN { print s - 0.2 }')" "$(result_value elapsed)" "$(awk -v s="$sleeps" 'BEGIN { print s + 3 }')"
    # the writer's puts come a second apart
    local gaps
    gaps=$(times_of 'writer +producing object' | awk 'NR > 1 { print $1 - last } { last = $1 }')
    while read -r gap; do within 0.7 "$gap" 1.6; done <<<"$gaps"
    # the reader's gets come 2 to 5 s apart
    gaps=$(times_of 'reader +consumed object' | awk 'NR > 1 { print $1 - last } { last = $1 }')
    while read -r gap; do within 1.7 "$gap" 5.8; done <<<"$gaps"
    # the queue grows: the writer outpaces the reader, and a size never passes 32
    [ "$(result_value largest)" -ge 3 ]
    [ "$(grep -oE 'size now [0-9]+' <<<"$output" | cut -d' ' -f3 | sort -n | tail -1)" -le 32 ]
}

@test "article: --seed repeats the run's choices" {
    run "$CONCDEMO" queue --part article --seed 11 --speed 50 --quiet
    local first
    first="$(result_value loops) $(result_value reader_sleeps)"
    run "$CONCDEMO" queue --part article --seed 11 --speed 50 --quiet
    [ "$(result_value loops) $(result_value reader_sleeps)" = "$first" ]
    run "$CONCDEMO" queue --part article --seed 11 --loops 3 --speed 50 --quiet
    [ "$(result_value loops)" -eq 3 ]
}

@test "article with --size 2: the full queue makes the writer wait for the reader" {
    run "$CONCDEMO" queue --part article --size 2 --seed 7 --speed 20
    [ "$status" -eq 0 ]
    local waits
    waits=$(result_value put_waits)
    [ "$waits" -ge 1 ]
    [ "$(grep -cE 'writer +put\(\) waited [0-9.]+ s: the queue was full' <<<"$output")" -eq "$waits" ]
    [ "$(grep -oE 'size now [0-9]+' <<<"$output" | cut -d' ' -f3 | sort -n | tail -1)" -le 2 ]
    # a wait ends when the reader takes one: each "waited" line is within half a
    # second of a "consumed" line (the reader's gets are 2 s or more apart)
    local t consumed
    consumed=$(times_of 'reader +consumed object')
    for t in $(times_of 'writer +put\(\) waited'); do
        awk -v t="$t" '{ d = $1 - t; if (d < 0) d = -d; if (d < 0.5) found = 1 } END { exit !found }' <<<"$consumed"
    done
}

@test "blocking: put waits on a full queue, get on an empty one; the timeouts give up" {
    run "$CONCDEMO" queue --part blocking --speed 20
    [ "$status" -eq 0 ]
    within 0.9 "$(result_value put_waited)" 1.4
    within 0.9 "$(result_value get_waited)" 1.4
    [ "$(result_value get_timeout)" = Empty ]
    within 0.45 "$(result_value get_timeout_waited)" 0.9
    [ "$(result_value get_nowait)" = Empty ]
    [ "$(result_value put_timeout)" = Full ]
    within 0.45 "$(result_value put_timeout_waited)" 0.9
    [ "$(result_value put_nowait)" = Full ]
    [ "$(line_of "put\('c'\) waits")" -lt "$(line_of "consumer +after 1 s: get\(\)")" ]
    [ "$(line_of "consumer +after 1 s: get\(\)")" -lt "$(line_of "put\('c'\) returned")" ]
    [ "$(line_of "producer +after 1 s: put\('d'\)")" -lt "$(line_of "get\(\) -> 'd' after")" ]
}

@test "pool: every item consumed exactly once, by a pool of consumers, then None sends them home" {
    run "$CONCDEMO" queue --part pool --producers 3 --consumers 4 --items 30 --speed 50
    [ "$status" -eq 0 ]
    [ "$(result_value produced)" -eq 90 ]
    [ "$(result_value consumed)" -eq 90 ]
    [ "$(result_value duplicates)" -eq 0 ]
    [ "$(result_value missing)" -eq 0 ]
    [ "$(result_value per_consumer | tr ',' '\n' | awk '{ s += $1 } END { print s }')" -eq 90 ]
    # the transcript agrees: 90 different items got, each once, each put before it was got
    [ "$(grep -oE 'get\(\) -> \[[0-9]+, [0-9]+\]$' <<<"$output" | sort -u | wc -l)" -eq 90 ]
    [ "$(grep -cE 'get\(\) -> \[[0-9]+, [0-9]+\]$' <<<"$output")" -eq 90 ]
    local item
    for item in '[0, 0]' '[2, 29]' '[1, 17]'; do
        [ "$(line_of "put\(\\$item\)" | head -1)" -lt "$(grep -nF "get() -> $item" <<<"$output" | cut -d: -f1)" ]
    done
    # join() returns after the last item is got, and the four None after it
    [ "$(grep -nE 'get\(\) -> \[' <<<"$output" | tail -1 | cut -d: -f1)" -lt "$(line_of 'q.join\(\) returned')" ]
    [ "$(grep -c 'get() -> None: goes home' <<<"$output")" -eq 4 ]
    [ "$(line_of 'q.join\(\) returned')" -lt "$(line_of 'None: goes home')" ]
}

@test "pool --processes: the same, across processes, and every child reaped" {
    run --separate-stderr "$CONCDEMO" queue --part pool --processes --producers 2 --consumers 3 --items 25 --speed 50
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # no "left unreaped" line
    [ "$(result_value kind)" = processes ]
    [ "$(result_value consumed)" -eq 50 ]
    [ "$(result_value duplicates)" -eq 0 ]
    [ "$(result_value missing)" -eq 0 ]
    [ "$(grep -cE 'main +(producer|consumer)-[0-9] is process [0-9]+$' <<<"$output")" -eq 5 ]
    # five different pids, none of them the lesson's own
    [ "$(grep -oE 'is process [0-9]+$' <<<"$output" | sort -u | wc -l)" -eq 5 ]
}

@test "process: the child's [42, None, 'hello'] crosses to the parent" {
    run "$CONCDEMO" queue --part process
    [ "$status" -eq 0 ]
    [ "$(result_value got)" = "[42,None,'hello']" ]
    [ "$(result_value child_exit)" -eq 0 ]
    [ "$(line_of "child +q.put\(\[42, None, 'hello'\]\)")" -lt "$(line_of "main +\[42, None, 'hello'\]$")" ]
    [[ "$output" =~ started\ the\ child,\ process\ [0-9]+ ]]
}

@test "bad input for every queue option" {
    usage_error "--part: 'writer' is not one of the choices" queue --part writer
    usage_error "--size: '0' is zero" queue --size 0
    usage_error "--size: '10001' is too large (allowed: 1 to 10000)" queue --size 10001
    usage_error "--loops: '0' is zero" queue --loops 0
    usage_error "--loops: '1001' is too large (allowed: 1 to 1000)" queue --loops 1001
    usage_error "--producers: '101' is too large (allowed: 1 to 100)" queue --producers 101
    usage_error "--consumers: '-2' is negative" queue --consumers -2
    usage_error "--items: '100001' is too large (allowed: 1 to 100000)" queue --items 100001
    usage_error "--items: '5k' is not a whole number" queue --items 5k
    usage_error "--processes takes no value" queue --processes=yes
}

@test "Ctrl-C while the reader sleeps: exit 130, no result" {
    interrupt_when 'consumed object from Q' INT queue --part article --speed 2
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
}

@test "Ctrl-C while processes pass items: exit 130, no process left behind" {
    interrupt_when 'get\(\) -> \[' INT queue --part pool --processes --items 5000 --consumers 4 --speed 1
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ] # no "left unreaped"
    # the process table holds no child of that run
    local pids pid
    pids=$(grep -oE 'is process [0-9]+$' <<<"$output" | cut -d' ' -f3)
    [ "$(wc -l <<<"$pids")" -eq 6 ]
    for pid in $pids; do
        ! kill -0 "$pid" 2>/dev/null
    done
}

@test "Ctrl-C at a terminal, to the whole process group: the processes' pool stops, none left" {
    local k
    for k in 1 2 3 4 5; do
        INTERRUPT_GROUP=1 interrupt_when 'get\(\) -> \[' INT queue --part pool --processes --items 5000 --consumers 8 --speed 20
        [ "$status" -eq 130 ]
        [[ "$output" == *"interrupted by Ctrl-C"* ]]
        [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
        local pid
        for pid in $(grep -oE 'is process [0-9]+$' <<<"$output" | cut -d' ' -f3); do
            ! kill -0 "$pid" 2>/dev/null
        done
    done
}

@test "a closed pipe ends the processes' pool quietly, with status 0" {
    run bash -c '"$0" queue --part pool --processes --items 2000 --consumers 4 --speed 50 | head -3; exit "${PIPESTATUS[0]}"' "$CONCDEMO"
    [ "$status" -eq 0 ]
}
