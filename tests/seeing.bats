#!/usr/bin/env bats
# Seeing it: --timeline, --trace and --step, for every lesson, from the engine.

load helpers

# The timeline's rows: the lines from "timeline:" up to the axis.
timeline_rows() {
    sed -n '/^timeline: /,$p' <<<"$output" | sed -n '2,$p' | grep -E '^[^ ].*\|$'
}

@test "timeline: the semaphore's waves, one row per thread, each row the width asked for" {
    unless_sanitized "thread|address" "where the marks fall moves with every late wake-up, and an instrumented build beside another suite wakes threads over 0.5 s late; the drawing itself runs under the sanitizer in the tests below"
    # --speed 4: a thread started 0.2 s late on a busy machine still waits in line
    COLUMNS=72 run "$CONCDEMO" semaphore --speed 4 --timeline --color never
    [ "$status" -eq 0 ]
    [[ "$output" == *"timeline: 23 actors, 0 to "*" lesson seconds"* ]]
    # after the results
    [ "$(line_of '^result:')" -lt "$(line_of '^timeline: ')" ]
    local rows
    rows=$(timeline_rows)
    [ "$(wc -l <<<"$rows")" -eq 23 ]
    # every row is exactly COLUMNS wide
    [ "$(awk '{ print length($0) }' <<<"$rows" | sort -u)" = "72" ]
    # each thread (once started: a loaded machine may start one late) waited (~),
    # unless it was in the first wave, then held (#) once
    [ "$(grep -cE '^t-[0-9]+ +\| *~*#+ *\|$' <<<"$rows")" -eq 22 ]
    # most waited: only the first wave got in at once
    [ "$(grep -cE '^t-[0-9]+ +\| *~+#' <<<"$rows")" -ge 15 ]
    # the legend and the axis
    [[ "$output" == *"# holding + acquiring ~ waiting = running . sleeping * event | next task"* ]]
    grep -qE '^ +0\.0s +' <<<"$output"
}

@test "timeline: rlock's counter threads hold the lock one after another" {
    unless_sanitized "thread|address" "where the marks fall moves with every late wake-up, and an instrumented build beside another suite wakes threads over 0.5 s late; the drawing itself runs under the sanitizer in the tests below"
    # --speed 5: a thread started 0.2 s late still asks for the lock before its turn
    COLUMNS=80 run "$CONCDEMO" rlock --part counter --speed 5 --timeline --color never
    [ "$status" -eq 0 ]
    local rows
    rows=$(timeline_rows | grep -E '^Thread-')
    [ "$(wc -l <<<"$rows")" -eq 10 ]
    # where each row's holding starts: ten different places, in ten steps
    [ "$(awk -F'|' '{ print index($2, "#") }' <<<"$rows" | sort -un | wc -l)" -ge 9 ]
    # all but the first asked for the lock first (+), then held it (#)
    [ "$(grep -cE '^Thread-[0-9]+ *\| *\++#+' <<<"$rows")" -eq 9 ]
}

@test "timeline: the traffic light's green and red, and the cars waiting at red" {
    unless_sanitized "thread|address" "where the marks fall moves with every late wake-up, and an instrumented build beside another suite wakes threads over 0.5 s late; the drawing itself runs under the sanitizer in the tests below"
    COLUMNS=80 run "$CONCDEMO" event-traffic-light --speed 20 --cars 2 --timeline --color never
    [ "$status" -eq 0 ]
    # (a light started late on a busy machine begins its row with a blank)
    grep -qE '^light +\| *g+r+g+r+' <<<"$(timeline_rows)" || { timeline_rows; return 1; }
    # running (a loaded machine may leave a gap or an event mark between two seconds), waiting, and again
    [ "$(grep -cE '^car [A-Z]+ +\|[=* ]*=[=* ]*~+[=* ]*=[=* ]*~+' <<<"$(timeline_rows)")" -eq 2 ]
    [[ "$(paste -sd' ' <<<"$output")" == *"next task g green r red"* ]] # the legend may wrap, never inside an item
}

@test "timeline: the pool's two waves, a seam between each worker's two tasks" {
    unless_sanitized "thread|address" "where the marks fall moves with every late wake-up, and an instrumented build beside another suite wakes threads over 0.5 s late; the drawing itself runs under the sanitizer in the tests below"
    # --speed 5: a worker 2 lesson-seconds behind the others, 0.4 s of real time, would run one task, not two
    COLUMNS=80 run "$CONCDEMO" pool --part article --speed 5 --timeline --color never
    [ "$status" -eq 0 ]
    # two runs of '=', apart: a seam where the second task began in the column the first ended,
    # or a gap where a loaded machine gave the worker its next task a column or more later;
    # an event (*) may stand beside them: "runs Foo(0)", and "takes None: goes home" at the end
    [ "$(grep -cE '^worker[1-5] +\|[ *]*=+(\||[ *]+)=+[ *]*\|$' <<<"$(timeline_rows)")" -eq 5 ] || {
        echo "$output" # what the rows were, to see why
        return 1
    }
}

@test "timeline: 2000 threads are aggregated beyond 16 rows, and it says so" {
    COLUMNS=70 run "$CONCDEMO" race --threads 2000 --timeline --quiet --color never
    [ "$status" -eq 0 ]
    [[ "$output" == *"timeline: 2001 actors"* ]]
    [[ "$output" == *"1985 more actors, aggregated: a row for each thing they did"* ]]
    [ "$(timeline_rows | wc -l)" -le 24 ]
    grep -qE '^= x[0-9]+ +\|' <<<"$output"
    [ "$(timeline_rows | awk '{ print length($0) }' | sort -u)" = "70" ]
}

@test "timeline: two actors, and a narrow terminal, still draw" {
    COLUMNS=30 run "$CONCDEMO" mutex --steps --part count --speed 50 --timeline --color never
    [ "$status" -eq 0 ]
    [ "$(timeline_rows | wc -l)" -eq 3 ]
    [ "$(timeline_rows | awk '{ print length($0) }' | sort -u)" = "30" ]
    # each thread's row shows it holding the lock (a busy machine may add blanks and marks before)
    [ "$(grep -cE '^t-[01] +\|.*#' <<<"$(timeline_rows)")" -eq 2 ] || { timeline_rows; return 1; }
}

@test "timeline and trace with a million packed coroutines' small stacks: no crash, the record's writes need no stack" {
    run "$CONCDEMO" coroutine --part scale --tasks 300 --quiet --timeline --trace "$BATS_TEST_TMPDIR/co.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"timeline: "* ]]
    jq -e '.traceEvents | length > 0' "$BATS_TEST_TMPDIR/co.json" >/dev/null
}

@test "trace: terminate()'s killed workers' tasks end where they were reaped, marked unfinished" {
    unless_sanitized "thread|address" "its margin is 0.1 s of real time, less than an instrumented build's killed workers take to go beside another suite"
    # --speed 2: the workers take their tasks within 0.5 s of real time, and are reaped within 0.25 s
    run "$CONCDEMO" pool --part terminate --speed 2 --quiet --trace "$BATS_TEST_TMPDIR/t.json"
    [ "$status" -eq 0 ]
    local t=$BATS_TEST_TMPDIR/t.json
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "running a task" and .args.unfinished == true)] | length' "$t")" -eq 5 ]
    # none of them runs past the end of the part: 1 s of lesson time, terminate() at 1 s
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "running a task") | .ts + .dur] | max < 1500000' "$t")" = true ]
}

@test "a full record of events: one line on stderr, the timeline says where it filled, status 0" {
    COLUMNS=80 run --separate-stderr "$CONCDEMO" race --threads 2000 --iterations 200 --timeline --quiet
    [ "$status" -eq 0 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"the record of events was full: the last "*" were not kept for --trace and --timeline; ask for fewer"* ]]
    [[ "$(paste -sd' ' <<<"$output" | tr -s ' ')" == *"(the record of 1048576 events filled at "*" later events are not drawn)"* ]] # wrapped at 80
}

@test "trace: valid JSON for every lesson, with thread names and spans" {
    local lesson args
    while read -r lesson args; do
        # shellcheck disable=SC2086
        run "$CONCDEMO" "$lesson" $args --quiet --trace "$BATS_TEST_TMPDIR/$lesson.json"
        [ "$status" -eq 0 ]
        jq -e '.traceEvents | length > 0' "$BATS_TEST_TMPDIR/$lesson.json" >/dev/null
        jq -e '[.traceEvents[] | select(.ph == "M" and .name == "thread_name")] | length > 0' "$BATS_TEST_TMPDIR/$lesson.json" >/dev/null
        jq -e '[.traceEvents[] | select(.ph == "X")] | length > 0' "$BATS_TEST_TMPDIR/$lesson.json" >/dev/null
        # times in microseconds of lesson time, never negative
        jq -e '[.traceEvents[] | select(.ts != null) | .ts] | min >= 0' "$BATS_TEST_TMPDIR/$lesson.json" >/dev/null
    done <<'EOF'
race --threads 50
mutex --threads 50 --speed 50
rlock --speed 50
semaphore --speed 50
event-traffic-light --speed 50 --cycles 1
condition --speed 50
queue --speed 100 --loops 3
pipe --records 3
pool --speed 50 --tasks 4
coroutine --speed 50
EOF
}

@test "trace: the semaphore's holders counter never passes 5, and its spans say waiting and holding" {
    # --speed 5: a hold is 0.2 s, so five threads are in at once even if they start late
    run "$CONCDEMO" semaphore --speed 5 --quiet --trace "$BATS_TEST_TMPDIR/s.json"
    [ "$status" -eq 0 ]
    local t=$BATS_TEST_TMPDIR/s.json
    [ "$(jq '[.traceEvents[] | select(.ph == "C" and .name == "holders") | .args.holders] | max' "$t")" -eq 5 ]
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "holding")] | length' "$t")" -eq 22 ]
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "waiting")] | length' "$t")" -eq 22 ]
    [ "$(jq -r '[.traceEvents[] | select(.ph == "M" and .name == "thread_name") | .args.name] | map(select(startswith("t-"))) | length' "$t")" -eq 22 ]
    # the result is a global instant
    jq -e '[.traceEvents[] | select(.ph == "i" and .s == "g" and .cat == "result")] | length == 1' "$t" >/dev/null
}

@test "trace: condition's notify is a flow to the wake-up it causes" {
    run "$CONCDEMO" condition --part order --speed 50 --quiet --trace "$BATS_TEST_TMPDIR/c.json"
    [ "$status" -eq 0 ]
    local t=$BATS_TEST_TMPDIR/c.json
    jq -e '[.traceEvents[] | select(.cat == "flow")] | map(.ph) == ["s", "f"]' "$t" >/dev/null
    # it starts on Thread-2 and ends on Thread-1, later
    local from to
    from=$(jq '[.traceEvents[] | select(.ph == "M" and .args.name == "Thread-2")][0].tid' "$t")
    to=$(jq '[.traceEvents[] | select(.ph == "M" and .args.name == "Thread-1")][0].tid' "$t")
    [ "$(jq '[.traceEvents[] | select(.cat == "flow" and .ph == "s")][0].tid' "$t")" -eq "$from" ]
    [ "$(jq '[.traceEvents[] | select(.cat == "flow" and .ph == "f")][0].tid' "$t")" -eq "$to" ]
    jq -e '[.traceEvents[] | select(.cat == "flow")] | .[0].ts < .[1].ts' "$t" >/dev/null
}

@test "trace: a process pool's workers are their own processes, with their tasks" {
    # --speed 10: each worker takes a task unless it starts 4 lesson-seconds, 0.4 s, behind the others
    run "$CONCDEMO" pool --part article --speed 10 --quiet --trace "$BATS_TEST_TMPDIR/p.json"
    [ "$status" -eq 0 ]
    local t=$BATS_TEST_TMPDIR/p.json
    [ "$(jq '[.traceEvents[] | select(.ph == "M" and .name == "process_name")] | length' "$t")" -eq 6 ]
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "running a task")] | length' "$t")" -eq 10 ]
    [ "$(jq '[.traceEvents[] | select(.ph == "X" and .name == "running a task") | .pid] | unique | length' "$t")" -eq 5 ]
}

@test "step: pauses after each event until Enter, and q ends the lesson cleanly" {
    local keys=$BATS_TEST_TMPDIR/keys screen=$BATS_TEST_TMPDIR/screen
    mkfifo "$keys" "$screen"
    # script(1) gives the lesson a terminal; we type into it and read what it shows
    script -qfec "'$CONCDEMO' semaphore --threads 3 --permits 1 --hold 0.2 --step --color never" /dev/null \
        <"$keys" >"$screen" &
    local pid=$! to from
    exec {to}>"$keys"
    exec {from}<"$screen"
    local line seen="" next
    # the first event comes, and then nothing until Enter
    while IFS= read -r -t 10 line <&"$from"; do
        seen+="$line"$'\n'
        [[ "$line" == *"start 3 threads"* ]] && break
    done
    [[ "$seen" == *"start 3 threads"* ]]
    ! IFS= read -r -t 1 line <&"$from" || false # paused: the lesson prints nothing
    printf '\n' >&"$to"
    # one more event, whichever thread says it (the terminal echoes the Enter as an empty line)
    while IFS= read -r -t 10 line <&"$from"; do
        seen+="$line"$'\n'
        [[ "$line" == "["* ]] && next=$line && break
    done
    [ -n "$next" ]
    # and then nothing again: every thread waits before its next line
    while IFS= read -r -t 1 line <&"$from"; do
        [[ "$line" != "["* ]] || { echo "printed while paused: $line"; return 1; }
    done
    printf 'q\n' >&"$to"
    while IFS= read -r -t 10 line <&"$from"; do
        seen+="$line"$'\n'
        [[ "$line" == *"stopped: q was pressed"* ]] && break
    done
    exec {to}>&-
    cat <&"$from" >/dev/null
    exec {from}<&-
    wait "$pid"
    [[ "$seen" == *"stopped: q was pressed; every thread was stopped and joined; no result"* ]]
    [[ "$seen" != *"result:"* ]]
    [[ "$seen" == *"[--step: the lesson pauses after each event"* ]]
}

@test "bad input: an unwritable --trace, an empty one, --step without a terminal, --timeline with jsonl" {
    usage_error "--trace: cannot write '/nonexistent/dir/t.json': No such file or directory" race --trace /nonexistent/dir/t.json
    usage_error "--trace: '' is empty" race --trace ''
    usage_error "--trace needs a value" race --trace
    usage_error "--timeline draws text; with --format jsonl, use --trace FILE" race --timeline --format jsonl
    usage_error "--timeline takes no value" race --timeline=yes
    usage_error "--step pauses after each line shown; with --quiet none is" race --step --quiet
    # a refused --step leaves an existing trace file as it was
    echo keep >"$BATS_TEST_TMPDIR/old.json"
    run --separate-stderr setsid -w "$CONCDEMO" race --threads 5 --step --trace "$BATS_TEST_TMPDIR/old.json"
    [ "$status" -eq 2 ]
    [ "$(cat "$BATS_TEST_TMPDIR/old.json")" = keep ]
    run --separate-stderr setsid -w "$CONCDEMO" race --threads 5 --step
    [ "$status" -eq 2 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"--step needs a terminal to read Enter from (/dev/tty: "* ]]
    [ -z "$output" ]
}

@test "jsonl with --trace: the transcript stays JSON, the trace goes to its file" {
    run "$CONCDEMO" semaphore --speed 50 --format jsonl --trace "$BATS_TEST_TMPDIR/j.json"
    [ "$status" -eq 0 ]
    jq -e . <<<"$output" >/dev/null
    jq -e '.traceEvents | length > 0' "$BATS_TEST_TMPDIR/j.json" >/dev/null
}

@test "Ctrl-C with --trace: the trace of what ran is still written" {
    interrupt_when 'acquired the semaphore' INT semaphore --speed 2 --trace "$BATS_TEST_TMPDIR/i.json"
    [ "$status" -eq 130 ]
    jq -e '[.traceEvents[] | select(.ph == "X")] | length > 0' "$BATS_TEST_TMPDIR/i.json" >/dev/null
}
