#!/usr/bin/env bats
# The command line: dispatch, help, bad input, output formats, signals.

load helpers

@test "concdemo alone prints the overview and the lessons" {
    run "$CONCDEMO"
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage: concdemo LESSON [options]"* ]]
    [[ "$output" == *"race "* ]]
    [[ "$output" == *"mutex "* ]]
}

@test "--help and help print the overview" {
    run "$CONCDEMO" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage:"* ]]
    run "$CONCDEMO" help
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage:"* ]]
}

@test "--version prints a version" {
    run "$CONCDEMO" --version
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^concdemo\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "list prints one lesson per line, name first, in teaching order" {
    run "$CONCDEMO" list
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq "$(ls "$BATS_TEST_DIRNAME"/../demos/*.c | wc -l)" ] # one line per lesson file
    # in teaching order: seed 000's order (§2.1 threads, §2.2 daemons, §2.3 the GIL, locks, ...
    # §2.10 the timer; seed 003's Barrier beside the Condition it follows there), then §3's
    # processes (a process, Queue, Pipe, Manager, the process lock, the pool) and §4's
    # coroutines; then seed 003's hazards, last as it lists them (死锁, 活锁, 资源不足)
    [ "$(awk '{ print $1 }' <<<"$output" | tr '\n' ' ')" = \
      "thread daemon gil race mutex rlock semaphore event-traffic-light condition barrier timer process queue pipe manager process-lock pool coroutine deadlock livelock starvation " ]
    # the summaries start in one column
    [ "$(awk '{ match($0, /^[^ ]+ +/); print RLENGTH }' <<<"$output" | sort -u | wc -l)" -eq 1 ]
}

@test "help LESSON and LESSON --help give options, result keys and the explanation" {
    run "$CONCDEMO" help race
    [ "$status" -eq 0 ]
    local from_help=$output
    [[ "$output" == *"--threads N"*"default 20000; 1 to 1000000"* ]]
    [[ "$output" == *"--speed X"* ]]
    [[ "$output" == *"result keys: num expected lost"* ]]
    [[ "$output" == *"three: read num, add one, write num"* ]]
    run "$CONCDEMO" race --help
    [ "$status" -eq 0 ]
    [ "$output" = "$from_help" ]
    run "$CONCDEMO" mutex -h
    [ "$status" -eq 0 ]
    [[ "$output" == *"--compare"* ]]
}

@test "--help wins over other arguments, even bad ones, before or after it" {
    # asking for help is never an error: a user who typed a bad option and then
    # --help wants the options listed, not told off
    run "$CONCDEMO" race --threads abc --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage: concdemo race"* ]]
    run --separate-stderr "$CONCDEMO" race --help --bogus
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [[ "$output" == *"usage: concdemo race"* ]]
}

@test "a repeated option: the last one wins, as with most command-line tools" {
    run "$CONCDEMO" race --threads 10 --threads 20 --quiet --seed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=20 "* ]]
    [ "$(result_value expected)" = 20 ]
    run "$CONCDEMO" semaphore --speed 1 --speed 50 --quiet --threads 2 --seed 1
    [[ " ${lines[1]} " == *" speed=50 "* ]]
}

@test "COLUMNS that is not a width (0, -5, abc, huge) is ignored: 80 columns without a terminal" {
    local columns width
    for columns in 0 -5 abc 99999999999 ""; do
        run env COLUMNS="$columns" "$CONCDEMO" semaphore --threads 6 --speed 50 --seed 1 --timeline --color never
        [ "$status" -eq 0 ] || { echo "COLUMNS=$columns: exit $status"; return 1; }
        [ "$(result_value peak)" -le 5 ]
        width=$(sed -n '/^timeline/,$p' <<<"$output" | awk '{ if (length($0) > w) w = length($0) } END { print w }')
        [ "$width" -le 80 ] && [ "$width" -ge 60 ] || { echo "COLUMNS=$columns: timeline $width wide"; return 1; }
    done
}

@test "a closed standard output: one line and exit 1, and --trace does not take its place" {
    run --separate-stderr bash -c '"$0" race --threads 10 --trace "$1" >&-' "$CONCDEMO" "$BATS_TEST_TMPDIR/t.json"
    [ "$status" -eq 1 ]
    [ "$stderr" = "concdemo: standard output is closed: there is nowhere to print to" ]
    [ ! -s "$BATS_TEST_TMPDIR/t.json" ]
    run --separate-stderr bash -c '"$0" race --threads 10 >&-' "$CONCDEMO"
    [ "$status" -eq 1 ] && [ "${#stderr_lines[@]}" -eq 1 ]
    # a closed stdin or stderr is no problem, and the trace is still valid JSON
    run bash -c '"$0" race --threads 10 --quiet --trace "$1" <&- 2>&-' "$CONCDEMO" "$BATS_TEST_TMPDIR/t.json"
    [ "$status" -eq 0 ] && [[ "$output" == *"result: "* ]]
    jq -e '.traceEvents | length > 0' "$BATS_TEST_TMPDIR/t.json" >/dev/null
}

@test "bad input: unknown lesson, option, argument" {
    usage_error "no lesson named 'nosuchlesson'" nosuchlesson
    usage_error "no lesson named 'nosuch'" help nosuch
    usage_error "unknown option '--nosuchoption'" race --nosuchoption
    usage_error "unexpected argument 'extra'" race extra
    usage_error "unexpected argument '-t'" race -t 5
    usage_error "takes no arguments" list extra
    usage_error "concdemo --version: takes no arguments, got 'x'" --version x
    usage_error "unexpected '--': a lesson takes only options" race -- --threads 3
    usage_error "--bare takes no value" race --bare=yes
}

@test "bad input: every malformed number names the option, the value and the range" {
    usage_error "--threads needs a value" race --threads
    usage_error "--threads: 'abc' is not a whole number (allowed: 1 to 1000000)" race --threads abc
    usage_error "--threads: '12abc' is not a whole number" race --threads 12abc
    usage_error "--threads: '' is not a whole number" race --threads=
    usage_error "--threads: ' 5' is not a whole number" race --threads ' 5'
    usage_error "--threads: '1.5' is not a whole number" race --threads 1.5
    usage_error "--threads: '-1' is negative (allowed: 1 to 1000000)" race --threads -1
    usage_error "--threads: '0' is zero" race --threads 0
    usage_error "--threads: '99999999999999999999' is too large" race --threads 99999999999999999999
    usage_error "--threads: '1000001' is too large (allowed: 1 to 1000000)" race --threads 1000001
    usage_error "--iterations: '0' is zero" mutex --iterations 0
    usage_error "--iterations: '1000001' is too large" mutex --iterations 1000001
    usage_error "--seed: '4294967296' is too large (allowed: 0 to 4294967295)" race --seed 4294967296
    usage_error "--seed: '-5' is negative" race --seed -5
}

@test "bad input: speed, choices and combinations" {
    usage_error "--speed: '0' is zero" race --speed 0
    usage_error "--speed: '-2' is negative" race --speed -2
    usage_error "--speed: 'fast' is not a number (allowed: 0.01 to 10000)" race --speed fast
    usage_error "--speed: '0x10' is not a number" race --speed 0x10
    usage_error "--speed: 'inf' is not a number" race --speed inf
    usage_error "--speed: '1e999' is too large" race --speed 1e999
    usage_error "--speed: '20000' is too large" race --speed 20000
    # the lesson clock's own floor: a hundred times slower than the article, no slower
    usage_error "--speed: '0.009' is too small (allowed: 0.01 to 10000)" race --speed 0.009
    usage_error "--speed: '1e-20' is too small" semaphore --speed 1e-20
    usage_error "--speed: '5e-324' is too small" queue --speed 5e-324
    usage_error "--speed: '1e-400' is too small" race --speed 1e-400
    usage_error "--speed: '-1e-400' is negative" race --speed -1e-400
    usage_error "--speed: '-0' is zero" race --speed -0
    usage_error "--speed: '0e5' is zero" race --speed 0e5
    CONCDEMO_SPEED=1e-20 usage_error "CONCDEMO_SPEED: '1e-20' is too small" race
    usage_error "--workload: 'bank' is not one of the choices (allowed: count|balance)" race --workload bank
    usage_error "--format: 'xml' is not one of the choices (allowed: text|jsonl)" race --format xml
    usage_error "--color: 'yes' is not one of the choices (allowed: auto|always|never)" race --color=yes
    usage_error "--steps prints every step: use at most 40 increments" race --steps --threads 41
    usage_error "--steps shows the count workload" race --steps --workload balance
    usage_error "--compare times the plain count workload" mutex --compare --steps
    usage_error "at most 268435455, so the int counter cannot overflow" race --threads 1000000 --iterations 1000
}

@test "bad input: CONCDEMO_SPEED is checked like --speed, when it is used" {
    CONCDEMO_SPEED=abc usage_error "CONCDEMO_SPEED: 'abc' is not a number" race
    CONCDEMO_SPEED=0 usage_error "CONCDEMO_SPEED: '0' is zero" race
    # --speed overrides it, so a bad default does not matter then
    CONCDEMO_SPEED=abc run "$CONCDEMO" race --threads 10 --speed 2 --quiet
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == *"speed=2 "* ]]
}

@test "the header names every effective parameter, defaults adjusted by options included" {
    run "$CONCDEMO" race --threads 50 --seed 7 --speed 2.5
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "concdemo race: "* ]]
    [ "${lines[1]}" = "threads=50 iterations=1 workload=count steps=no bare=no speed=2.5 seed=7" ]
    run "$CONCDEMO" race --workload balance --quiet --seed 7
    [ "${lines[1]}" = "threads=2 iterations=100000 workload=balance steps=no bare=no speed=1 seed=7" ]
}

@test "a fresh seed each run unless --seed is given" {
    run "$CONCDEMO" race --threads 2 --quiet
    local first=${lines[1]}
    run "$CONCDEMO" race --threads 2 --quiet
    [ "${lines[1]}" != "$first" ]
}

@test "event lines are [lesson-seconds] actor text, notes are indented #" {
    run "$CONCDEMO" race --threads 100
    [ "$status" -eq 0 ]
    [ -z "${lines[2]:-}" ] || [[ "${lines[2]}" == "["* ]]
    local events notes
    events=$(grep -cE '^\[ *[0-9]+\.[0-9]{3}\] [a-z0-9-]+ +[^ ]' <<<"$output")
    notes=$(grep -cE '^ {19}# ' <<<"$output")
    [ "$events" -ge 3 ]
    [ "$notes" -ge 1 ]
    # every line is a header, an event, a note or a result
    local other
    [ -z "$(sed -n 3p <<<"$output")" ]
    other=$(sed -n '4,$p' <<<"$output" | grep -vcE '^\[ *[0-9.]+\] |^ {19}# |^result: ' || true)
    [ "$other" -eq 0 ]
}

@test "--quiet prints only the header and the result lines" {
    run "$CONCDEMO" race --threads 100 --quiet
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [[ "${lines[0]}" == "concdemo race:"* ]]
    [[ "${lines[2]}" == "result: num="* ]]
}

@test "--explain prints the lesson's explanation before the header" {
    run "$CONCDEMO" race --threads 10 --explain --quiet
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == '`num += 1` looks like one step'* ]]
    [ "$(line_of '^concdemo race:')" -gt 5 ]
}

@test "jsonl: every line is a JSON object with the same content, results carry data" {
    run bash -c "'$CONCDEMO' race --threads 200 --format jsonl --seed 3"
    [ "$status" -eq 0 ]
    # every line parses, and has t, actor, kind and text
    jq -e -c 'select((.t|type) == "number" and (.actor|type) == "string" and (.text|type) == "string")' <<<"$output" >/dev/null
    [ "$(jq -s 'length' <<<"$output")" -eq "${#lines[@]}" ]
    [ "$(jq -s 'map(select(.t == null or .kind == null)) | length' <<<"$output")" -eq 0 ]
    [ "$(jq -r -s '.[0].kind + " " + .[1].kind' <<<"$output")" = "header params" ]
    [ "$(jq -r -s '.[1].data.threads' <<<"$output")" = "200" ]
    [ "$(jq -r -s '.[1].data.seed' <<<"$output")" = "3" ]
    [ "$(jq -r -s '.[1].data.workload' <<<"$output")" = "count" ]
    [ "$(jq -s 'map(select(.kind == "event")) | length' <<<"$output")" -ge 3 ]
    [ "$(jq -s 'map(select(.kind == "note")) | length' <<<"$output")" -ge 1 ]
    # the result carries numbers, and they add up
    jq -e -s 'map(select(.kind == "result"))[0].data | (.num|type) == "number" and .num + .lost == .expected and .expected == 200' <<<"$output"
    # lesson times never go backwards
    jq -e -s 'map(.t) | . == sort' <<<"$output"
}

@test "no colour codes when stdout is not a terminal, unless --color=always" {
    run "$CONCDEMO" race --threads 50
    [[ "$output" != *$'\e['* ]]
    run "$CONCDEMO" race --threads 50 --color=always
    [[ "$output" == *$'\e['* ]]
    run "$CONCDEMO" race --threads 50 --color=always --format jsonl
    [[ "$output" != *$'\e['* ]]
}

@test "on a terminal colour is on, NO_COLOR and --color=never turn it off" {
    command -v script >/dev/null || skip "script(1) is not installed"
    run script -qec "'$CONCDEMO' race --threads 50" /dev/null
    [[ "$output" == *$'\e['* ]]
    run env NO_COLOR=1 script -qec "'$CONCDEMO' race --threads 50" /dev/null
    [[ "$output" == *"result: num="* ]]
    [[ "$output" != *$'\e['* ]]
    run script -qec "'$CONCDEMO' race --threads 50 --color=never" /dev/null
    [[ "$output" == *"result: num="* ]]
    [[ "$output" != *$'\e['* ]]
}

@test "--speed and CONCDEMO_SPEED compress lesson time; the transcript keeps lesson seconds" {
    # --steps pauses 0.5 lesson-seconds between read and write; at --speed 2 the
    # window's 1 lesson-second above it is 0.5 s of real time for a late wake-up
    run "$CONCDEMO" race --steps --speed 2
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == *"speed=2 "* ]]
    within 0.45 "$(time_of 't-0 +write')" 1.5
    CONCDEMO_SPEED=2 run "$CONCDEMO" race --steps
    [[ "${lines[1]}" == *"speed=2 "* ]]
    within 0.45 "$(time_of 't-0 +write')" 1.5
    CONCDEMO_SPEED=10 run "$CONCDEMO" race --steps --speed 20
    [[ "${lines[1]}" == *"speed=20"* ]]
}

@test "a closed pipe ends the lesson quietly" {
    run --separate-stderr bash -c "'$CONCDEMO' race | head -1; exit \${PIPESTATUS[0]}"
    [ "$status" -eq 0 ]
    [ "$output" = "concdemo race: threads add to one shared int with no lock, and updates vanish" ]
    [ -z "$stderr" ]
}

@test "Ctrl-C while threads start: exit 130, every thread joined, no result" {
    interrupt_when 'start 1000000 threads' INT race --threads 1000000
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C (SIGINT): every thread was stopped and joined"* ]]
    [[ "$output" != *"result:"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "Ctrl-C while threads wait at a lock and sleep: exit 130" {
    interrupt_when ': 准备更新计数器' INT mutex --steps --speed 1
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
}

@test "Ctrl-C while threads are deep in their loops: they stop, not finish" {
    # 50 threads x 1000000 yielding increments would take many seconds to finish.
    # They stop within 2 s; an instrumented build on a busy machine schedules them slower.
    local budget=2
    [ -z "${CONCDEMO_SANITIZER:-}" ] || budget=8
    interrupt_when 'started 50 threads' INT race --threads 50 --iterations 1000000
    [ "$status" -eq 130 ]
    within_always 0 "$(time_of 'interrupted by Ctrl-C')" "$budget"
    interrupt_when 'started 2 threads' INT mutex --workload balance --iterations 1000000
    [ "$status" -eq 130 ]
    within_always 0 "$(time_of 'interrupted by Ctrl-C')" "$budget"
}

@test "SIGTERM: exit 143" {
    interrupt_when 'read num' TERM race --steps --speed 1
    [ "$status" -eq 143 ]
    [[ "$output" == *"interrupted by SIGTERM"* ]]
}

@test "a refused thread is one line naming the limit, exit 1" {
    unless_sanitized address "LeakSanitizer must start a thread at exit to look for leaks, and ulimit -u 1 refuses it"
    # As a user with ulimit -u 1 the process may not start a single thread.
    fresh_user
    run --separate-stderr "${FRESH_USER[@]}" \
        bash -c "ulimit -u 1; exec '$CONCDEMO' race --threads 10"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"refused to start a thread"*"ulimit -u is 1"* ]]
}

@test "make install and uninstall honour PREFIX and DESTDIR" {
    local stage=$BATS_TEST_TMPDIR/stage
    # SANITIZE= : under `make check SANITIZE=...` too, the plain build is what installs
    run make -s -C "$BATS_TEST_DIRNAME/.." install SANITIZE= PREFIX=/opt/cd DESTDIR="$stage"
    [ "$status" -eq 0 ]
    [ -x "$stage/opt/cd/bin/concdemo" ]
    [ -f "$stage/opt/cd/share/man/man1/concdemo.1" ]
    [ -f "$stage/opt/cd/share/bash-completion/completions/concdemo" ]
    run "$stage/opt/cd/bin/concdemo" --version
    [[ "$output" == "concdemo "* ]]
    # the Chinese: its catalog where gettext looks under PREFIX, found by the
    # installed program; its manual where man looks for a zh_CN locale
    [ -f "$stage/opt/cd/share/man/zh_CN/man1/concdemo.1" ]
    if command -v msgfmt >/dev/null; then
        [ -f "$stage/opt/cd/share/locale/zh_CN/LC_MESSAGES/concdemo.mo" ]
        run "$stage/opt/cd/bin/concdemo" race --threads 50 --lang zh
        [[ "${lines[0]}" == "concdemo race: 多个线程"* ]]
    fi
    run make -s -C "$BATS_TEST_DIRNAME/.." uninstall SANITIZE= PREFIX=/opt/cd DESTDIR="$stage"
    [ "$status" -eq 0 ]
    [ ! -e "$stage/opt/cd/bin/concdemo" ]
    [ ! -e "$stage/opt/cd/share/man/man1/concdemo.1" ]
    [ ! -e "$stage/opt/cd/share/bash-completion/completions/concdemo" ]
    [ ! -e "$stage/opt/cd/share/man/zh_CN/man1/concdemo.1" ]
    [ ! -e "$stage/opt/cd/share/locale/zh_CN/LC_MESSAGES/concdemo.mo" ]
    # and the folders it made, now empty, are gone: nothing is left under PREFIX
    [ ! -e "$stage/opt/cd" ] || { find "$stage"; return 1; }
    # a folder that holds something else stays, with what it holds
    mkdir -p "$stage/opt/cd/bin" && touch "$stage/opt/cd/bin/other"
    run make -s -C "$BATS_TEST_DIRNAME/.." install SANITIZE= PREFIX=/opt/cd DESTDIR="$stage"
    run make -s -C "$BATS_TEST_DIRNAME/.." uninstall SANITIZE= PREFIX=/opt/cd DESTDIR="$stage"
    [ -e "$stage/opt/cd/bin/other" ] && [ ! -e "$stage/opt/cd/bin/concdemo" ] && [ ! -e "$stage/opt/cd/share" ]
}

@test "the manual renders without warnings and documents every lesson and its result keys" {
    command -v groff >/dev/null || skip "groff is not installed"
    local page=$BATS_TEST_DIRNAME/../man/concdemo.1
    run --separate-stderr groff -man -ww -z "$page"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    local text
    text=$(groff -man -Tascii -P-cbu "$page" 2>/dev/null)
    local lesson key
    for lesson in $("$CONCDEMO" list | cut -d' ' -f1); do
        sed 's/\\-/-/g' "$page" | grep -q "^\.SS $lesson\$" || { echo "no section for $lesson"; return 1; }
        # every result key that `help LESSON` lists is in the manual
        for key in $("$CONCDEMO" help "$lesson" | sed -n '/^result keys:/,/^$/p' | sed 's/^result keys://' \
            | tr ' ;' '\n\n' | sed 's/=.*//' | grep -E '^[a-z_]+$'); do
            [[ "$text" == *"$key"* ]] || { echo "$lesson: result key $key is not in the manual"; return 1; }
        done
    done
    [[ "$text" == *"result: num=N expected=N lost=N"* ]]
    [[ "$text" == *"result: balance=N expected=0 bad_reads=N"* ]]
    [[ "$text" == *"result: variant=unlocked num=N expected=N lost=N seconds=S"* ]]
}

@test "one signal sent twice at once still stops the lesson in order" {
    INTERRUPT_TWICE=1 interrupt_when 'acquired the semaphore' TERM semaphore --speed 1
    [ "$status" -eq 143 ]
    [[ "$output" == *"interrupted by SIGTERM: every thread was stopped and joined; no result"* ]]
}

@test "a write error other than a closed reader is one line on stderr and exit 1" {
    [ -w /dev/full ] || skip "no /dev/full"
    run --separate-stderr bash -c 'exec "$0" race --threads 10 >/dev/full' "$CONCDEMO"
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [[ "$stderr" == *"cannot write the transcript: No space left on device"* ]]
}

@test "a child the lesson did not start is not counted as unreaped" {
    run --separate-stderr sh -c 'sleep 2 & exec "$0" race --threads 10 --quiet' "$CONCDEMO"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
}
