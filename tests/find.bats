#!/usr/bin/env bats
# Finding your way: suggestions for a mistyped lesson or option, common
# options before the lesson, `list` with how long each lesson runs, the
# overview's common options and examples, and bash completion.

load helpers

# Suggestions, list, help, completion and where common options may go are
# the parser's and the text's work, done before any thread starts: under
# ThreadSanitizer they took a minute of CI's ten and could show it nothing.
# The ASan build runs them; the lessons' threads run under TSan in their own
# files.
setup() {
    unless_sanitized thread "the parser's and the text's work, before any thread starts"
}

# --- suggestions ---------------------------------------------------------

# Exit 2, one line on stderr, and exactly this line.
said() {
    local line=$1
    shift
    usage_error "$line" "$@"
    [ "$stderr" = "$line" ] || { echo "stderr: $stderr"; return 1; }
}

@test "a mistyped lesson gets the lesson it was close to, in the usual one line" {
    said "concdemo: no lesson named 'rac'; did you mean 'race'?" rac
    said "concdemo: no lesson named 'sempahore'; did you mean 'semaphore'?" sempahore # two letters swapped: one edit
    said "concdemo: no lesson named 'mutx'; did you mean 'mutex'?" mutx
    said "concdemo: no lesson named 'Pool'; did you mean 'pool'?" Pool
    said "concdemo: no lesson named 'event'; did you mean 'event-traffic-light'?" event # a prefix
    said "concdemo: no lesson named 'event_traffic_light'; did you mean 'event-traffic-light'?" event_traffic_light
    said "concdemo: no lesson named 'lsit'; did you mean 'list'?" lsit # the commands too
    # the options before it do not change that
    said "concdemo: no lesson named 'rac'; did you mean 'race'?" --speed 50 rac
}

@test "help LESSON mistyped gets a suggestion too" {
    said "concdemo help: no lesson named 'rac'; did you mean 'race'?" help rac
    said "concdemo help: no lesson named 'condtion'; did you mean 'condition'?" help condtion
}

@test "a mistyped option gets the option it was close to" {
    said "concdemo race: unknown option '--colour'; did you mean '--color'?" race --colour always
    said "concdemo race: unknown option '--thread'; did you mean '--threads'?" race --thread 5
    said "concdemo race: unknown option '--thraeds'; did you mean '--threads'?" race --thraeds=5
    said "concdemo semaphore: unknown option '--permit'; did you mean '--permits'?" semaphore --permit 3
    said "concdemo pool: unknown option '--task-second'; did you mean '--task-seconds'?" pool --task-second 1
    said "concdemo race: unknown option '--hlep'; did you mean '--help'?" race --hlep
    # a prefix that several options share: each is named
    said "concdemo race: unknown option '--ste'; did you mean '--steps' or '--step'?" race --ste
    # before the lesson, the common options are the ones it could be
    said "concdemo: unknown option '--colour'; did you mean '--color'?" --colour never race
}

@test "a mistyped choice gets the choice it was close to" {
    said "concdemo queue: --part: 'pol' is not one of the choices (allowed: all|article|blocking|pool|process|empty|deadlock|shared); did you mean 'pool'?" queue --part pol
    said "concdemo race: --color: 'alwyas' is not one of the choices (allowed: auto|always|never); did you mean 'always'?" race --color alwyas
    said "concdemo race: --workload: 'nothing' is not one of the choices (allowed: count|balance)" race --workload nothing
}

@test "nothing close: no suggestion, and the pointer to the list or the help instead" {
    said "concdemo: no lesson named 'xyzzy' (see 'concdemo list')" xyzzy
    said "concdemo: no lesson named 'r' (see 'concdemo list')" r
    said "concdemo help: no lesson named 'xyzzy' (see 'concdemo list')" help xyzzy
    said "concdemo race: unknown option '--xyzzy' (see 'concdemo race --help')" race --xyzzy
    said "concdemo race: unknown option '--t' (see 'concdemo race --help')" race --t 5
    said "concdemo: unknown option '--xyzzy' (see 'concdemo --help')" --xyzzy race
    # a long or unprintable word is no trouble
    usage_error "no lesson named" "$(printf 'x%.0s' $(seq 500))"
    usage_error "unknown option" race "--$(printf 'threads%.0s' $(seq 100))"
    usage_error "no lesson named 'r?ce'" "$(printf 'r\xffce')"
}

# --- the common options before the lesson --------------------------------

@test "common options before the lesson's name work" {
    run --separate-stderr "$CONCDEMO" --speed 50 race --threads 20 --seed 1
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "${lines[1]}" = "threads=20 iterations=1 workload=count steps=no bare=no speed=50 seed=1" ]
    [ "$(result_value expected)" = 20 ]
    run --separate-stderr "$CONCDEMO" --color never --quiet race --threads 100 --seed 2
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "${#lines[@]}" -eq 3 ] # --quiet: the header, the parameters, the result
    [[ "${lines[1]}" == "threads=100 "* ]]
    [[ "$output" != *$'\e['* ]]
    [ "$(result_value expected)" = 100 ]
    run "$CONCDEMO" --format=jsonl --seed 7 semaphore --threads 2 --speed 50
    [ "$status" -eq 0 ]
    jq -e -s '.[1].data.seed == 7 and .[1].data.speed == 50 and all(.[]; has("t"))' <<<"$output" >/dev/null
}

@test "an option given both before and after the lesson's name: the one after wins" {
    run "$CONCDEMO" --speed 1 --seed 5 semaphore --threads 2 --speed 50 --seed 9 --quiet
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "threads=2 permits=5 hold=1 speed=50 seed=9" ]
    run "$CONCDEMO" --quiet --color always race --threads 5 --color never
    [ "$status" -eq 0 ] && [[ "$output" != *$'\e['* ]]
}

@test "a lesson's own option before its name is refused, saying where it goes" {
    said "concdemo: --threads is a lesson's own option: put it after the lesson's name (concdemo race --threads ...)" \
        --threads 5 race
    said "concdemo: --part is a lesson's own option: put it after the lesson's name (concdemo queue --part ...)" \
        --speed 5 --part=pool queue
    # no lesson after it, or one that does not take it: LESSON
    said "concdemo: --threads is a lesson's own option: put it after the lesson's name (concdemo LESSON --threads ...)" \
        --threads 5 pool
}

@test "options before the lesson: no lesson, a missing value, a command that takes none" {
    said "concdemo: options, but no lesson to run (concdemo [options] LESSON [options]; see 'concdemo list')" --speed 50
    said "concdemo: --speed needs a value (see 'concdemo --help')" --speed
    said "concdemo list: takes no common options before it; they go with a lesson (concdemo [options] LESSON [options])" \
        --quiet list
    said "concdemo help: takes no common options before it; they go with a lesson (concdemo [options] LESSON [options])" \
        --quiet help race
    # a bad value before the lesson is checked as one after it is
    said "concdemo race: --speed: 'fast' is not a number (allowed: 0.01 to 10000)" --speed fast race
    # --help among them still asks for help
    run --separate-stderr "$CONCDEMO" --quiet --help race
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [[ "${lines[0]}" == "concdemo race: "* ]] && [[ "$output" == *"usage: concdemo race [options]"* ]]
    run --separate-stderr "$CONCDEMO" --quiet --help
    [ "$status" -eq 0 ] && [[ "$output" == *"usage: concdemo LESSON [options]"* ]]
}

# --- list, and the overview ----------------------------------------------

@test "list: every lesson, how long it runs at speed 1, and its summary" {
    run "$CONCDEMO" list
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq "$(ls "$BATS_TEST_DIRNAME"/../demos/*.c | wc -l)" ] # one line per lesson file
    local line name duration summary
    for line in "${lines[@]}"; do
        [[ "$line" =~ ^([a-z-]+)\ +(about\ [0-9]+\ s|under\ 1\ s|[0-9]+\ to\ [0-9]+\ s)\ \ +(.+)$ ]] ||
            { echo "not NAME DURATION SUMMARY: $line"; return 1; }
        name=${BASH_REMATCH[1]} duration=${BASH_REMATCH[2]} summary=${BASH_REMATCH[3]}
        # the summary is the lesson's own, as its help says it
        [ "$("$CONCDEMO" help "$name" | head -1)" = "concdemo $name: $summary" ] || { echo "$name: '$summary'"; return 1; }
    done
    # the durations and the summaries each start in one column
    [ "$(awk '{ match($0, /^[^ ]+ +/); print RLENGTH }' <<<"$output" | sort -u | wc -l)" -eq 1 ]
    [ "$(awk '{ match($0, /(about [0-9]+ s|under 1 s|[0-9]+ to [0-9]+ s) +/); print RSTART + RLENGTH }' <<<"$output" |
        sort -u | wc -l)" -eq 1 ]
    [[ "$output" == *"semaphore "*" about 5 s  "* ]]
    [[ "$output" == *"queue "*" 25 to 105 s  "* ]]
    [[ "$output" == *"pipe "*" under 1 s  "* ]]
}

@test "list to a pipe: one line per lesson, so its first column is the lessons; COLUMNS wraps it" {
    local names
    names=$(env -u COLUMNS "$CONCDEMO" list | awk '{ print $1 }')
    [ "$names" = "$(env -u COLUMNS "$CONCDEMO" list | cut -d' ' -f1)" ]
    # the same names, in the same order, as the overview's lesson list
    [ "$names" = "$(env -u COLUMNS "$CONCDEMO" help | sed -n '/^lessons:$/,/^$/p' | awk '/^  [a-z]/ { print $1 }')" ]
    [ "$(wc -l <<<"$names")" -eq "$(env -u COLUMNS "$CONCDEMO" list | wc -l)" ]
    # with a width asked for, long summaries wrap under the summary column
    COLUMNS=60 run "$CONCDEMO" list
    [ "${#lines[@]}" -gt "$(wc -l <<<"$names")" ]
    [[ "${lines[1]}" =~ ^\ {20,}[a-z] ]]
}

# The figure `list` gives for a lesson: "about 12 s" -> 12 12; "25 to 105 s"
# -> 25 105; "under 1 s" -> 0 1.
listed() {
    "$CONCDEMO" list | awk -v name="$1" '$1 == name {
        if ($2 == "about") print $3, $3; else if ($2 == "under") print 0, $3; else print $2, $4 }'
}

# The last record's lesson time, for a run in jsonl.
last_t() {
    "$CONCDEMO" "$@" --format jsonl --quiet | tail -1 | jq '.t'
}

# A figure "about F s" is right when the lesson time is F to within its
# rounding (half a second) and a tenth; up to a fifth more, for threads that
# wake late on a busy machine, late by --speed times as much in lesson time.
about() {
    local figure=$1 t=$2
    within "$(awk -v f="$figure" 'BEGIN { print f * 0.9 - 0.5 }')" "$t" "$(awk -v f="$figure" 'BEGIN { print f * 1.2 + 1 }')" ||
        { echo "listed about $figure s; the run took $t lesson seconds"; return 1; }
}

# Lessons whose length is the lesson clock's: lesson time is the same at any
# speed, so a run at --speed 5 tells how long one at speed 1 takes (at 10,
# condition's waits, each 0.1 s late on one loaded CPU, added up to 2 lesson
# seconds over its figure).
@test "list's durations: lessons timed by the lesson clock run as long as listed" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    local lesson least most
    for lesson in rlock semaphore event-traffic-light condition coroutine timer process-lock starvation; do
        read -r least most < <(listed "$lesson")
        [ "$least" = "$most" ] || { echo "$lesson: listed as a range"; return 1; }
        about "$least" "$(last_t "$lesson" --speed 5)" || { echo "in $lesson"; return 1; }
    done
}

# barrier: its length is the arrivals --seed draws (8.4 to 10.7 s over seeds
# 1-8 where the range was measured); seeds 4 and 2, the two ends, run within
# the range listed, less half a second and a fifth more.
@test "list's durations: barrier, its range from the seeds' arrivals" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    local least most seed t
    read -r least most < <(listed barrier)
    for seed in 4 2; do
        t=$(last_t barrier --speed 10 --seed "$seed")
        within "$(awk -v l="$least" 'BEGIN { print l - 0.5 }')" "$t" "$(awk -v m="$most" 'BEGIN { print m * 1.2 + 1 }')" ||
            { echo "barrier listed $least to $most s; seed $seed took $t lesson seconds"; return 1; }
    done
}

# pool: parts 1-3 (article, terminate, failure) run on the lesson clock; the
# cost part times 20000 tasks, which is CPU, not the clock, and so depends on
# the machine (6 s of it at best where the figure was measured, 20 on a busy
# one).  The clock's share is checked; the figure holds it and at most 8 s of
# CPU more.
@test "list's durations: pool, its parts on the lesson clock" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    local least most clock=0 part
    read -r least most < <(listed pool)
    for part in article terminate failure; do
        clock=$(awk -v a="$clock" -v b="$(last_t pool --part "$part" --speed 5)" 'BEGIN { print a + b }')
    done
    within "$clock" "$least" "$(awk -v c="$clock" 'BEGIN { print c + 8 }')" ||
        { echo "pool listed about $least s; its clock parts take $clock s"; return 1; }
}

# Each seed's run of $1 at --speed $2 lies in the range list gives, less a
# tenth and half a second, and a fifth more and a second (a loaded machine's
# late wake-ups add lesson time).
runs_within_listed_range() {
    local lesson=$1 speed=$2 least most seed t
    shift 2
    read -r least most < <(listed "$lesson")
    for seed in "$@"; do
        t=$(last_t "$lesson" --seed "$seed" --speed "$speed")
        within "$(awk -v f="$least" 'BEGIN { print f * 0.9 - 0.5 }')" "$t" "$(awk -v f="$most" 'BEGIN { print f * 1.2 + 1 }')" ||
            { echo "$lesson listed $least to $most s; --seed $seed took $t lesson seconds"; return 1; }
    done
}

# livelock: the random part's back-offs come from --seed, and when the two
# collide from the moment each wakes (2.4 to 4.9 lesson seconds over 80 seeds
# at speeds 5 and 10, measured; a run listed as about 3 s took 4.6 on one
# CPU in make stress); seeds 37 and 41 gave the two ends.
@test "list's durations: livelock, its range over seeds" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    runs_within_listed_range livelock 5 37 41
}

# deadlock: the back-off part's pauses come from --seed (12.5 to 14.9 lesson
# seconds over 30 seeds, measured); each run lies in the listed range.
@test "list's durations: deadlock, its range over seeds" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    runs_within_listed_range deadlock 20 1 2
}

# queue: the article part lasts the reader's sleeps, randint(2, 5) for each
# of randint(10, 20) loops: 20 to 100 s as --seed has it.  The empty and
# shared parts are CPU (under a second at speed 1, and scaled up by --speed),
# left out here; the other parts are on the lesson clock.  So the range is
# 20 s and 100 s, each with the rest added.
@test "list's durations: queue, its range from the article part's and the rest" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    local least most part rest=0 t seed sleeps
    read -r least most < <(listed queue)
    for part in blocking pool process deadlock; do
        rest=$(awk -v a="$rest" -v b="$(last_t queue --part "$part" --speed 5)" 'BEGIN { print a + b }')
    done
    about "$least" "$(awk -v r="$rest" 'BEGIN { print 20 + r }')"
    about "$most" "$(awk -v r="$rest" 'BEGIN { print 100 + r }')"
    # and the article part lasts the reader's sleeps, within that range
    for seed in 1 2; do
        run "$CONCDEMO" queue --part article --seed "$seed" --speed 20 --format jsonl --quiet
        t=$(tail -1 <<<"$output" | jq '.t')
        sleeps=$(tail -1 <<<"$output" | jq '.data.reader_sleeps')
        [ "$sleeps" -ge 20 ] && [ "$sleeps" -le 100 ]
        about "$sleeps" "$t"
    done
}

# pipe does no sleeping at all: its time is the CPU's, so it is run at
# speed 1 (a tenth of a second).  race and mutex are left out: their time is
# starting 20000 threads (and mutex's count part), which depends on the
# machine and its load, not on the lesson clock.
@test "list's durations: pipe, which never sleeps, takes under a second" {
    unless_sanitized 'thread|address' "a run time at speed 1 is the plain build's; a sanitizer's is longer"
    local least most
    read -r least most < <(listed pipe)
    [ "$most" = 1 ]
    within 0 "$(last_t pipe)" 1
}

@test "--help and help list the common options, from their specs, and three examples" {
    run "$CONCDEMO" --help
    [ "$status" -eq 0 ]
    local overview=$output
    run "$CONCDEMO" help
    [ "$output" = "$overview" ]
    [[ "$overview" == *$'\ncommon options:\n'* ]]
    # every common option that a lesson's help lists, with its help line, and nothing else
    local from_lesson from_overview
    from_lesson=$("$CONCDEMO" help race | sed -n '/^common options:/,/^$/p' | sed '/^$/d')
    from_overview=$(sed -n '/^common options:/,/^$/p' <<<"$overview" | grep -v '^Each goes' | sed '/^$/d')
    [ "$from_lesson" = "$from_overview" ] || { diff <(echo "$from_lesson") <(echo "$from_overview"); return 1; }
    local name
    for name in speed seed format color quiet explain timeline trace step; do
        [[ "$from_overview" == *"  --$name"* ]] || { echo "no --$name"; return 1; }
    done
    [[ "$overview" == *"concdemo --speed 5 race"* ]]
    # three examples, each a command
    [ "$(sed -n '/^examples:/,/^$/p' <<<"$overview" | grep -c '^  concdemo ')" -eq 3 ]
    [[ "$overview" == *"  concdemo race"$'\n'* ]]
    [[ "$overview" == *"  concdemo semaphore --speed 5 --timeline"$'\n'* ]]
    [[ "$overview" == *"  concdemo pool --format jsonl | jq -c 'select(.kind == \"result\") | .data'"$'\n'* ]]
    # no line of what this adds is 80 columns or more
    sed -n '/^common options:/,/^Start with/p' <<<"$overview" | awk 'length($0) >= 80 && !/^  --/ { print; bad = 1 } END { exit bad }'
}

@test "the overview's examples run as shown (pool's at --speed 20 here)" {
    run "$CONCDEMO" race --threads 2000
    [ "$status" -eq 0 ] && [ "$(result_value expected)" = 2000 ]
    run "$CONCDEMO" semaphore --speed 5 --timeline --color never
    [ "$status" -eq 0 ] && [ "$(result_value peak)" = 5 ]
    [[ "$output" == *$'\ntimeline'* ]]
    # Under a sanitizer the cost part's 20000 forks of a sanitized process take
    # minutes (one over 6 on a loaded machine): 10 tasks, the article's count.
    local tasks=()
    [ -z "${CONCDEMO_SANITIZER:-}" ] || tasks=(--tasks 10)
    run bash -c '"$0" pool --speed 20 --format jsonl "${@}" | jq -c '\''select(.kind == "result") | .data'\' "$CONCDEMO" "${tasks[@]}"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 4 ]
    [ "$(jq -r '.part' <<<"$output" | tr '\n' ' ')" = "article terminate failure cost " ]
}

# --- bash completion -----------------------------------------------------

setup_completion() {
    command -v bash >/dev/null || skip "no bash"
    SCRIPT=$BATS_TEST_TMPDIR/concdemo.bash
    "$CONCDEMO" completion bash >"$SCRIPT"
}

# What bash offers for a command line whose last word is being completed:
# COMP_WORDS as bash splits them (at '=' too), the binary this suite tests.
offered() {
    run bash -c 'source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _concdemo; printf "%s\n" "${COMPREPLY[@]}"' _ "$SCRIPT" "$CONCDEMO" "$@"
    [ "$status" -eq 0 ] || { echo "_concdemo: exit $status: $output"; return 1; }
    output=$(sort <<<"$output" | sed '/^$/d' | tr '\n' ' ')
}

@test "completion: the script registers itself for concdemo, and bash -n passes it" {
    setup_completion
    bash -n "$SCRIPT"
    run bash -c 'source "$1"; complete -p concdemo' _ "$SCRIPT"
    [ "$status" -eq 0 ]
    [ "$output" = "complete -F _concdemo concdemo" ]
    said "concdemo completion: bash is the one shell it knows: concdemo completion bash (got 'zsh')" completion zsh
}

@test "completion: lessons and commands, then each lesson's options and the common ones" {
    setup_completion
    offered ra
    [ "$output" = "race " ]
    offered ""
    local lessons
    lessons=$("$CONCDEMO" list | awk '{ print $1 }' | sort | tr '\n' ' ')
    [ "$output" = "$(printf '%s\n' $lessons help list source tour | sort | tr '\n' ' ')" ]
    offered race --th
    [ "$output" = "--threads " ]
    offered semaphore --
    # every option of the lesson that its help lists (and --help): none more, none less
    local from_help
    from_help=$("$CONCDEMO" help semaphore | grep -oE '^  (-h, )?--[a-z-]+' | sed 's/.*--/--/' | sort | tr '\n' ' ')
    [ "$output" = "$from_help" ]
    [[ "$output" == *"--permits "*"--speed "* ]]
    offered mutex --c
    [ "$output" = "--color --compare " ]
    # after a value, options again
    offered race --threads 5 --qu
    [ "$output" = "--quiet " ]
    # common options before the lesson, then the lesson
    offered --sp
    [ "$output" = "--speed " ]
    offered --speed 50 ra
    [ "$output" = "race " ]
    offered --color never --quiet race --th
    [ "$output" = "--threads " ]
}

@test "completion: option values, choices and help's lessons" {
    setup_completion
    offered queue --part ""
    [ "$output" = "all article blocking deadlock empty pool process shared " ]
    offered pool --part c
    [ "$output" = "cost " ]
    offered race --color ""
    [ "$output" = "always auto never " ]
    offered race --format j
    [ "$output" = "jsonl " ]
    offered mutex --workload ""
    [ "$output" = "balance count " ]
    offered --format "" # before the lesson too
    [ "$output" = "jsonl text " ]
    # --color=al: bash splits it at '=', and the value is completed after it
    offered race --color = al
    [ "$output" = "always " ]
    offered race --color =
    [ "$output" = "always auto never " ]
    offered --format = j
    [ "$output" = "jsonl " ]
    # where COMP_WORDBREAKS has no '=', the word is whole, and so is the answer
    offered race --color=al
    [ "$output" = "--color=always " ]
    offered help ""
    [ "$output" = "$("$CONCDEMO" list | awk '{ print $1 }' | sort | tr '\n' ' ')" ]
    offered help co
    [ "$output" = "condition coroutine " ]
    # a number: nothing to offer; help takes one lesson only
    offered race --threads ""
    [ "$output" = "" ]
    offered help race ""
    [ "$output" = "" ]
}

@test "completion: the tour's options, --from's lesson, each of --only's, --color's values" {
    setup_completion
    offered tour --
    [ "$output" = "--color --from --help --only --speed " ]
    offered tour --from p
    [ "$output" = "pipe pool process process-lock " ]
    offered tour --only race,m
    [ "$output" = "race,manager race,mutex " ]
    offered tour --only ""
    [ "$output" = "$("$CONCDEMO" list | awk '{ print $1 }' | sort | tr '\n' ' ')" ]
    offered tour --color n
    [ "$output" = "never " ]
    offered tour --speed ""
    [ "$output" = "" ]
    offered --speed 5 tour --o
    [ "$output" = "--only " ]
}

@test "the tour takes --speed and --color before its name too; the one after wins; a mistyped option is suggested" {
    run "$CONCDEMO" --speed 50 tour --only pipe
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "concdemo tour: 1 lesson, at --speed 50" ]
    run "$CONCDEMO" --speed 50 tour --speed 100 --only pipe
    [ "${lines[0]}" = "concdemo tour: 1 lesson, at --speed 100" ]
    said "concdemo tour: unknown option '--quiet' (see 'concdemo tour --help')" --quiet tour
    said "concdemo tour: unknown option '--fro'; did you mean '--from'?" tour --fro pipe
}

@test "completion: --trace completes file names" {
    setup_completion
    mkdir "$BATS_TEST_TMPDIR/files" && touch "$BATS_TEST_TMPDIR/files/run-one.json" "$BATS_TEST_TMPDIR/files/other"
    offered race --trace "$BATS_TEST_TMPDIR/files/ru"
    [ "$output" = "$BATS_TEST_TMPDIR/files/run-one.json " ]
}

@test "make install puts the completion in bash-completion's folder, and it completes with the installed binary" {
    local stage=$BATS_TEST_TMPDIR/stage
    run make -s -C "$BATS_TEST_DIRNAME/.." install SANITIZE= PREFIX=/usr DESTDIR="$stage"
    [ "$status" -eq 0 ]
    local file=$stage/usr/share/bash-completion/completions/concdemo
    [ -f "$file" ]
    [ "$(cat "$file")" = "$("$stage/usr/bin/concdemo" completion bash)" ]
    SCRIPT=$file CONCDEMO=$stage/usr/bin/concdemo offered queue --part p
    [ "$output" = "pool process " ]
    run make -s -C "$BATS_TEST_DIRNAME/.." uninstall SANITIZE= PREFIX=/usr DESTDIR="$stage"
    [ "$status" -eq 0 ]
    [ ! -e "$stage/usr" ] || { find "$stage"; return 1; }
}
