#!/usr/bin/env bats
# `concdemo source LESSON` and `concdemo tour`: the lesson files travel with
# the binary, and the tour walks the lessons, pausing only on a terminal.

load helpers

# The line number of the first line after line $1 that matches regex $2.
line_after() {
    awk -v from="$1" -v re="$2" 'NR > from && $0 ~ re { print NR; found = 1; exit } END { exit !found }' <<<"$output"
}

@test "source: every lesson's output is its file, byte for byte" {
    local lesson
    for lesson in $("$CONCDEMO" list | awk '{ print $1 }'); do
        [ -f "$BATS_TEST_DIRNAME/../demos/$lesson.c" ] || { echo "no demos/$lesson.c"; return 1; }
        "$CONCDEMO" source "$lesson" | cmp - "$BATS_TEST_DIRNAME/../demos/$lesson.c" || { echo "source $lesson differs"; return 1; }
    done
}

@test "source: each lesson file opens with the article's program, where the tour finds it" {
    local lesson
    for lesson in $("$CONCDEMO" list | awk '{ print $1 }'); do
        # in the head comment: the label, a blank line, then the program, indented four spaces
        "$CONCDEMO" source "$lesson" | awk '
            /\*\// { exit }
            label && /^ \*     [^ ]/ { found = 1; exit }
            label && !/^ \*$/ { exit }
            /^ \* The article.s program.*:$/ { label = 1 }
            END { exit !found }' || { echo "$lesson: no program after \"The article's program...:\""; return 1; }
    done
}

@test "help LESSON names the source file and the command that prints it" {
    run "$CONCDEMO" help race
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\n'"source: demos/race.c (concdemo source race prints it)"$'\n'* ]]
    # a long name: on two lines, each under 80 columns
    run "$CONCDEMO" help event-traffic-light
    [ "$status" -eq 0 ]
    [[ "$output" == *$'\n'"source: demos/event-traffic-light.c"$'\n'"        (concdemo source event-traffic-light prints it)"$'\n'* ]]
}

@test "source: bad input is one line and exit 2" {
    usage_error "concdemo source: no lesson named 'rac' (see 'concdemo list')" source rac
    usage_error "concdemo source: which lesson?" source
    usage_error "concdemo source: one lesson at a time, not 'mutex'" source race mutex
}

@test "make install: the installed binary prints the sources, with no source tree beside it" {
    local stage=$BATS_TEST_TMPDIR/stage
    # SANITIZE= : under `make check SANITIZE=...` too, the plain build is what installs
    run make -s -C "$BATS_TEST_DIRNAME/.." install SANITIZE= PREFIX=/usr DESTDIR="$stage"
    [ "$status" -eq 0 ]
    cd "$BATS_TEST_TMPDIR"
    "$stage/usr/bin/concdemo" source race | cmp - "$BATS_TEST_DIRNAME/../demos/race.c"
    "$stage/usr/bin/concdemo" source coroutine | cmp - "$BATS_TEST_DIRNAME/../demos/coroutine.c"
}

@test "make install: every installed path the manual's FILES names is there, and the installed manual renders" {
    command -v groff >/dev/null && command -v man >/dev/null || skip "groff or man is not installed"
    local stage=$BATS_TEST_TMPDIR/stage page path named=0
    run make -s -C "$BATS_TEST_DIRNAME/.." install SANITIZE= PREFIX=/usr/local DESTDIR="$stage"
    [ "$status" -eq 0 ]
    page=$stage/usr/local/share/man/man1/concdemo.1
    # the FILES section's paths under the default PREFIX
    for path in $(awk '/^\.SH FILES/ { on = 1; next } /^\.SH/ { on = 0 } on && /^\.I \/usr\/local\// { print $2 }' "$page" | sed 's/\\-/-/g'); do
        [ -e "$stage$path" ] || { echo "the manual names $path; make install did not put it there"; return 1; }
        named=$((named + 1))
    done
    [ "$named" -eq 5 ] # the program, the manual, the completion, the Chinese messages and manual
    run --separate-stderr env MANPAGER=cat MANWIDTH=80 man -l "$page"
    [ "$status" -eq 0 ]
    [[ "$output" == *"concdemo source"* ]]
}

@test "the build remakes the embedded sources when a lesson file changes" {
    # a dry run, as if demos/race.c had just changed: nothing is touched
    run make -n -C "$BATS_TEST_DIRNAME/.." -W demos/race.c SANITIZE=
    [ "$status" -eq 0 ]
    [[ "$output" == *"src/embed_sources.sh demos/"*"race.c"*" >build/sources.c."*".tmp && mv build/sources.c."*".tmp build/sources.c"* ]]
}

@test "tour --only race,mutex without a terminal: each lesson's title, program and explanation, then its run, in order" {
    unless_sanitized thread "race and mutex start 20000 threads at their defaults; ThreadSanitizer runs out of memory near 10000"
    run --separate-stderr "$CONCDEMO" tour --only race,mutex --speed 50
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "concdemo tour: 2 lessons, at --speed 50" ]
    # no pause: no prompt, and no key was waited for
    [[ "$output" != *"[Enter:"* ]]
    local title program explained ran result
    title=$(line_of '^1/2  race: threads add to one shared int')
    line_after "$title" '^from: seed 000 §2.4'
    program=$(line_after "$title" "^The article's program:$")
    line_after "$program" '^    def run\(n\):$'
    line_after "$program" '^    print "num:", num'
    explained=$(line_after "$program" '^`num \+= 1` looks like one step')
    ran=$(line_after "$explained" '^\$ concdemo race --speed 50$')
    line_after "$ran" '^concdemo race: threads add to one shared int'
    result=$(line_after "$ran" '^result: num=[0-9]+ expected=20000 lost=[0-9]+')

    title=$(line_after "$result" '^2/2  mutex: the race.s threads take a lock')
    program=$(line_after "$title" "^The article's program:$")
    line_after "$program" '^        lock.acquire\(\)'
    explained=$(line_after "$program" '^A mutex \(mutual exclusion lock\) lets one thread at a time past')
    ran=$(line_after "$explained" '^\$ concdemo mutex --speed 50$')
    result=$(line_after "$ran" '^result: num=20000 expected=20000 lost=0')
    line_after "$result" '^\[concdemo tour: the end: 2 lessons run\]$'
    # (width.bats checks that the tour's own text fits the screen)
}

@test "tour --from pool starts at pool and goes on to the last lesson; a reader that goes away ends it quietly" {
    # head leaves after pool's title: the tour ends at its next write, quietly
    local from_pool # pool and the lessons listed after it
    from_pool=$("$CONCDEMO" list | awk '{ print $1 }' | sed -n '/^pool$/,$p' | wc -l)
    run --separate-stderr bash -c "'$CONCDEMO' tour --from pool --speed 1000 | head -4"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "concdemo tour: $from_pool lessons, at --speed 1000" ]
    [[ "${lines[1]}" == "====="* ]] # (bats leaves out empty lines)
    [[ "${lines[2]}" == "1/$from_pool  pool: a pool of workers, started once"* ]]
}

@test "tour: bad input is one line and exit 2" {
    usage_error "concdemo tour: --only: no lesson named 'nope' (see 'concdemo list')" tour --only race,nope
    usage_error "concdemo tour: --only: an empty lesson name" tour --only race,,mutex
    usage_error "concdemo tour: --from: no lesson named 'rac' (see 'concdemo list')" tour --from rac
    usage_error "concdemo tour: --from and --only both choose the lessons" tour --from race --only mutex
    usage_error "concdemo tour: --speed: '0' is zero, which makes no sense here (allowed: 0.01 to 10000)" tour --speed 0
    usage_error "concdemo tour: --speed: '-1' is negative" tour --speed -1
    usage_error "concdemo tour: --speed: '5e-324' is too small" tour --speed 5e-324
    usage_error "concdemo tour: --speed: '1e9' is too large" tour --speed 1e9
    # the tour checks a speed as every lesson does: the same words after the prefix
    local v
    for v in 0 -1 5e-324 1e-400 0x10 1e9 inf ' 5'; do
        [ "$("$CONCDEMO" tour --speed "$v" 2>&1 | sed 's/^concdemo tour: //')" = \
          "$("$CONCDEMO" race --speed "$v" 2>&1 | sed 's/^concdemo race: //')" ]
    done
    usage_error "concdemo tour: --speed: 'fast' is not a number" tour --speed=fast
    usage_error "concdemo tour: --speed needs a value" tour --speed
    usage_error "concdemo tour: --color: 'blue' is not one of the choices" tour --color blue
    usage_error "concdemo tour: unknown option '--step'" tour --step
    usage_error "concdemo tour: takes options, not 'race'" tour race
    CONCDEMO_SPEED=x usage_error "concdemo tour: CONCDEMO_SPEED: 'x' is not a number" tour
}

@test "tour --help says what it does and how to stop it" {
    # at 80 columns, the width without a terminal (the suite's own COLUMNS is 1000)
    COLUMNS=80 run "$CONCDEMO" tour --help
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "usage: concdemo tour "* ]]
    [[ "$output" == *"--only L1,L2,..."* ]]
    [[ "$output" == *"Ctrl-C stops the lesson"* ]]
    ! awk 'length($0) > 80 { bad = 1 } END { exit !bad }' <<<"$output" || false
    run "$CONCDEMO" --help
    [[ "$output" == *"concdemo source LESSON"* ]]
    [[ "$output" == *"concdemo tour [options]"* ]]
}

@test "tour: a lesson the system refuses is said, the tour goes on, and it ends with 1" {
    fresh_user
    # 6 processes and threads, for a user that has none: too few for pool's
    # 5 workers beside the tour, the lesson and its signal watcher; pipe fits
    run --separate-stderr "${FRESH_USER[@]}" bash -c "ulimit -u 6; '$CONCDEMO' tour --only pool,pipe --speed 100"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "concdemo pool: the system refused to start a process"* ]]
    [ "${#stderr_lines[@]}" -eq 1 ]
    local refused
    refused=$(line_of '^\[concdemo tour: pool could not run: exit 1; the reason is above\]$')
    line_after "$refused" '^2/2  pipe: '
    line_after "$refused" '^result: part=send got=\[42,None,.hello.\] child_exit=0$'
    [ "${lines[-1]}" = "[concdemo tour: the end: 2 lessons run; 1 could not run]" ]
}

# Start the tour in a session of its own, writing into a fifo; read until a
# line matches $1, then send the signal $2 to the tour alone ($3 = tour) or
# to its whole group, as a terminal's Ctrl-C does ($3 = group).  Sets
# $output, $status, and $session, the session every process it started is in.
tour_interrupted() {
    local cue=$1 signal=$2 whom=$3
    shift 3
    local fifo=$BATS_TEST_TMPDIR/tour.fifo
    rm -f "$fifo"
    mkfifo "$fifo"
    setsid "$CONCDEMO" tour "$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/stderr" &
    local pid=$!
    session=$pid
    local fd line seen=""
    exec {fd}<"$fifo"
    while IFS= read -r line <&"$fd"; do
        seen+="$line"$'\n'
        [[ "$line" =~ $cue ]] && break
    done
    if [ "$whom" = group ]; then
        kill "-$signal" -- "-$pid" || { echo "the tour ended before the cue '$cue'"; return 1; }
    else
        kill "-$signal" "$pid" || { echo "the tour ended before the cue '$cue'"; return 1; }
    fi
    seen+=$(cat <&"$fd")
    exec {fd}<&-
    status=0
    wait "$pid" || status=$?
    output=$seen
}

@test "tour: Ctrl-C or SIGTERM during a lesson stops the lesson and the tour, and leaves no process" {
    local signal whom expected
    for whom in group tour; do
        for signal in INT TERM; do
            # pool's workers are processes: the lesson's children must go too
            tour_interrupted 'runs Foo' "$signal" "$whom" --only pool,race --speed 5
            expected=130
            [ "$signal" = TERM ] && expected=143
            [ "$status" -eq "$expected" ] || { echo "$signal to the $whom: exit $status"; return 1; }
            [[ "$output" == *"interrupted by "* ]] || { echo "$signal to the $whom: the lesson did not say it stopped"; return 1; }
            [[ "$output" == *"[concdemo tour: stopped by "* ]] || { echo "$signal to the $whom: the tour did not say it stopped"; return 1; }
            [[ "$output" != *"2/2  race"* ]] || { echo "$signal to the $whom: the tour went on"; return 1; }
            [[ "$output" != *"result:"* ]]
            [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "stderr: $(cat "$BATS_TEST_TMPDIR/stderr")"; return 1; }
            ! pgrep -s "$session" >/dev/null || { echo "$signal to the $whom: left behind:"; pgrep -a -s "$session"; return 1; }
        done
    done
}

# The tour on a terminal: script(1) gives it one; we type into it and read
# what it shows.  Opens $to and $from, and sets $pid.
start_tour_on_a_terminal() {
    command -v script >/dev/null || skip "script(1) is not installed"
    local keys=$BATS_TEST_TMPDIR/keys screen=$BATS_TEST_TMPDIR/screen
    mkfifo "$keys" "$screen"
    script -qfec "'$CONCDEMO' tour $* --color never" /dev/null <"$keys" >"$screen" &
    pid=$!
    exec {to}>"$keys"
    exec {from}<"$screen"
    seen=""
}

# Read what the terminal shows until a line matches $1.
read_until() {
    local line
    while IFS= read -r -t 30 line <&"$from"; do
        line=${line%$'\r'}
        seen+="$line"$'\n'
        [[ "$line" =~ $1 ]] && return 0
    done
    echo "never saw '$1'; saw: $seen"
    return 1
}

@test "tour on a terminal: it pauses after each lesson; b runs it again, Enter goes on, q quits" {
    start_tour_on_a_terminal --only pipe,condition --speed 50
    read_until '^\[Enter: on to condition\.  b Enter: pipe again\.  q Enter: quit\.\]'
    [[ "$seen" == *"After each lesson: Enter goes on, b then Enter runs it again"* ]]
    [ "$(grep -c '^\$ concdemo pipe --speed 50' <<<"$seen")" -eq 1 ]
    # paused: nothing more comes until a key
    local line
    ! IFS= read -r -t 1 line <&"$from" || false
    printf 'b\n' >&"$to"
    read_until '^\$ concdemo pipe --speed 50'
    read_until '^\[Enter: on to condition\.'
    [ "$(grep -c '^\$ concdemo pipe --speed 50' <<<"$seen")" -eq 2 ]
    [[ "$seen" != *"2/2  condition"* ]]
    printf '\n' >&"$to"
    read_until '^2/2  condition: '
    read_until '^\[Enter: end the tour\.  b Enter: condition again\.  q Enter: quit\.\]'
    printf 'q\n' >&"$to"
    read_until '^\[concdemo tour: q was pressed: the end\]'
    exec {to}>&-
    cat <&"$from" >/dev/null
    exec {from}<&-
    wait "$pid"
}

@test "tour on a terminal: Ctrl-C at the pause ends the tour with 130" {
    start_tour_on_a_terminal --only pipe,condition --speed 50
    read_until '^\[Enter: on to condition\.'
    printf '\003' >&"$to"
    read_until '\[concdemo tour: stopped by Ctrl-C \(SIGINT\)\]'
    exec {to}>&-
    cat <&"$from" >/dev/null
    exec {from}<&-
    local status=0
    wait "$pid" || status=$?
    [ "$status" -eq 130 ]
    [[ "$seen" != *"2/2  condition"* ]]
}
