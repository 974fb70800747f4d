#!/usr/bin/env bats
# The engine in Chinese (--lang zh): the overview, `list`, a lesson's help,
# the tour's help and the tour, the timeline, and every usage error.  What a
# person reads is Chinese and lines up at 60 and 80 columns; what machines
# read (exit codes, option names, result: lines) is what it is in English.

load helpers
load width_helpers

# The display column where $2 starts in the line $1 (1 is the first).
column_of() {
    perl -CS -Mutf8 -e '
        my ($line, $what) = map { utf8::decode($_); $_ } @ARGV;
        my $at = index($line, $what);
        exit 1 if $at < 0;
        my $n = 1;
        $n += (ord($_) >= 0x2e80 && ord($_) <= 0xffe6) ? 2 : 1 for split //, substr($line, 0, $at);
        print "$n\n";
    ' "$1" "$2"
}

# The messages of the engine (src/, demos/primitives/) that the catalog
# should have: their first lines, one a line.  Empty without xgettext.
engine_messages() {
    command -v xgettext >/dev/null || return 0
    "$BATS_TEST_DIRNAME/../po/messages.sh" $(cd "$BATS_TEST_DIRNAME/.." && ls src/*.c demos/primitives/*.c) 2>/dev/null |
        sed -n 's/^msgid "\(..*\)"$/\1/p'
}

# No "untranslated" report on stderr names one of the engine's messages.
# (A lesson's own summary, explanation or option help is the lesson's
# test's business: tests/LESSON.bats checks its own in Chinese.)
engine_translated() {
    local engine reported
    engine=$(engine_messages)
    [ -n "$engine" ] || skip "no xgettext: the engine's messages cannot be listed"
    reported=$(sed -n 's/^concdemo: untranslated: "\(.*\)"\{0,1\}$/\1/p' <<<"$stderr" | sed 's/"$//')
    [ -z "$reported" ] && return 0
    local missed
    missed=$(grep -Fxf <(printf '%s\n' "$engine") <<<"$reported" || true)
    [ -z "$missed" ] || { echo "the engine's messages, untranslated:"; echo "$missed"; return 1; }
}

@test "in Chinese: the overview's own words are Chinese, the commands and option names as they are" {
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" --help --lang zh
    [ "$status" -eq 0 ]
    engine_translated
    [[ "$output" == *"用法： concdemo LESSON [options]"* ]]
    [[ "$output" == *"课程："* ]]
    [[ "$output" == *"通用选项："* ]]
    [[ "$output" == *"示例："* ]]
    [[ "$output" == *"  --speed X "* ]]
    [[ "$output" == *"（默认 随机；0 到 4294967295）"* ]]
    for english in "usage:" "lessons:" "common options:" "examples:" "(default " "show this help" "Start with:"; do
        [[ "$output" != *"$english"* ]] || { echo "English left: $english"; return 1; }
    done
}

@test "in Chinese: the overview's commands and the options' help line up as in English" {
    run "$CONCDEMO" --help --lang zh
    local usage list
    usage=$(grep -m1 'concdemo LESSON \[options\]' <<<"$output")
    list=$(grep -m1 '^ *concdemo list ' <<<"$output")
    [ "$(column_of "$usage" concdemo)" -eq "$(column_of "$list" concdemo)" ]
    [ "$(column_of "$usage" 运行一课)" -eq "$(column_of "$list" 所有课程)" ]
    # the defaults' line starts under the help text, at column 24, as in English
    local defaults
    defaults=$(grep -m1 '（默认 1；' <<<"$output")
    [ "$(column_of "$defaults" （默认)" -eq 24 ]
    [ "$(column_of "$(grep -m1 '^  --speed X ' <<<"$output")" 课程时间)" -eq 24 ]
}

@test "in Chinese: list's time column is padded by display width, so the summaries line up" {
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" list --lang zh
    [ "$status" -eq 0 ]
    engine_translated
    [[ "$output" == *"约 "*" 秒"* ]]
    [[ "$output" == *"不到 1 秒"* ]] || [[ "$output" == *" 到 "*" 秒"* ]]
    [[ "$output" != *" s  "* ]]
    # every summary starts at the same display column
    local columns
    columns=$(perl -CS -ne '
        if (/^(\S+ +.*?\x{79d2} +)\S/) { my $n = 0; $n += (ord($_) >= 0x2e80 && ord($_) <= 0xffe6) ? 2 : 1 for split //, $1; print "$n\n" }
        else { print "no time column: $_" }' <<<"$output" | sort -u)
    [ "$(wc -l <<<"$columns")" -eq 1 ] || { echo "summaries start at columns: $columns"; return 1; }
    [ "${#lines[@]}" -eq "$(CONCDEMO_LANG=en "$CONCDEMO" list | wc -l)" ]
}

@test "in Chinese: a lesson's help has Chinese headings and labels, and the same option names and result keys" {
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" help race --lang zh
    [ "$status" -eq 0 ]
    engine_translated
    [[ "$output" == *"出处："* ]]
    [[ "$output" == *"源码：demos/race.c"* ]]
    [[ "$output" == *"用法：concdemo race [选项]"* ]]
    [[ "$output" == *"本课选项："* ]]
    [[ "$output" == *"  --threads N "* ]]
    [[ "$output" == *"（count|balance；默认 count）"* ]]
    [[ "$output" == *"结果键：num expected lost yields"* ]]
    # the labels stay lines of their own, wrapped or not
    COLUMNS=60 run "$CONCDEMO" help race --lang zh
    [ "$(grep -c '^出处：' <<<"$output")" -eq 1 ]
    [ "$(grep -c '^源码：' <<<"$output")" -eq 1 ]
    [ "$(grep -c '^结果键：' <<<"$output")" -eq 1 ]
}

@test "in Chinese: the tour's help is all Chinese, and its option names are as they are" {
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" tour --help --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [[ "$output" == *"按教学顺序逐课演示"* ]]
    [[ "$output" == *"  --from LESSON     从 LESSON 开始"* ]]
    [[ "$output" == *"默认 2.5"* ]]
    [[ "$output" != *"Walks the lessons"* ]]
}

@test "in Chinese: the help, list and the tour's help fit 60 and 80 columns" {
    local width command
    for width in 60 80; do
        for command in "--help" "help race" "help pool" "help event-traffic-light" "list" "tour --help"; do
            COLUMNS=$width run "$CONCDEMO" $command --lang zh
            [ "$status" -eq 0 ]
            fits "$width" strict || { echo "($command at $width)"; return 1; }
        done
    done
}

@test "in Chinese: the tour's titles and labels, fitted to 60 columns" {
    # semaphore, not race: the tour runs a lesson at its defaults, race's 20000 threads under a sanitizer too
    COLUMNS=60 CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" tour --only semaphore,pipe --speed 100 --lang zh
    [ "$status" -eq 0 ]
    engine_translated
    [[ "$output" == *"concdemo tour：2 课，速度 --speed 100"* ]]
    [[ "$output" == *"出处："* ]]
    [[ "$output" == *"文件：demos/semaphore.c"* ]]
    [[ "$output" == *"文章中的程序："* ]]
    [[ "$output" == *"[concdemo tour：结束：运行了 2 课]"* ]]
    # the program is quoted as the article prints it; the rest fits
    output=$(grep -v '^    ' <<<"$output")
    fits 60 strict
}

@test "in Chinese: the timeline's caption, axis and legend, lined up at 60 and 80 columns" {
    local width
    for width in 60 80; do
        COLUMNS=$width CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" semaphore --speed 50 --quiet --timeline --lang zh
        [ "$status" -eq 0 ]
        engine_translated
        [[ "$output" == *"时间线："*" 个角色，课程时间 0 到 "*" 秒，每列 "*" 秒"* ]]
        [[ "$output" == *"# 持有"*"~ 等待"* ]]
        fits "$width" strict
        # each second's label starts at its tick, ten columns apart
        local ticks labels
        ticks=$(grep -E '^ +\|( +\|)+' <<<"$output" | tail -1)
        labels=$(grep -E '^ +0\.0秒' <<<"$output")
        [ "$(column_of "$ticks" '|')" -eq "$(column_of "$labels" 0.0秒)" ]
        local second
        second=$(awk '{print $2}' <<<"$labels")
        [ "$(column_of "$labels" "$second")" -eq $(($(column_of "$labels" 0.0秒) + 10)) ]
        # the result: lines are English's: 22 threads, 5 permits, never more than 5 in
        [ "$(result_value threads)" = 22 ]
        [ "$(result_value permits)" = 5 ]
        [ "$(result_value peak)" -le 5 ]
    done
}

@test "in Chinese: a bad option value is one Chinese line on stderr, exit 2, the option and value as typed" {
    local args
    for args in "race --threads x" "race --threads 0" "race --speed -1" "race --speed 1e999" "race --format xml" \
        "race --seed -3" "race --quiet=1" "race --threads" "race foo" "race --"; do
        CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" $args --lang zh
        [ "$status" -eq 2 ] || { echo "exit $status for $args"; return 1; }
        [ -z "$output" ]
        [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$args: $stderr"; return 1; }
        [[ "$stderr" == "concdemo race："* ]] || { echo "$args: $stderr"; return 1; }
        [[ "$stderr" != *untranslated* ]]
    done
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" race --threads x --lang zh
    [ "$stderr" = "concdemo race：--threads：'x' 不是整数（允许：1 到 1000000）" ]
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" race --speed 0 --lang zh
    [ "$stderr" = "concdemo race：--speed：'0' 是零，在这里没有意义（允许：0.01 到 10000）" ]
}

@test "in Chinese: unknown names and commands, with 'did you mean', exit 2 as in English" {
    local args
    for args in "rac" "help rac" "help race pool" "list x" "completion zsh" "--threads 3 race" "--speed" "--speed 5" \
        "race --fromat text" "race --bogus" "--bogus" "source" "source rac" "source race pool" "tour --bogus" \
        "tour --only rac" "tour --only ," "tour --from race --only race" "tour --color x" "tour --speed 0" "tour x" \
        "tour --speeed 3" "race --timeline --format jsonl" "race --step --quiet" "mutex --workload balance --steps"; do
        CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" $args --lang zh
        local zh=$status zh_stderr=$stderr
        run --separate-stderr "$CONCDEMO" $args --lang en
        [ "$zh" -eq "$status" ] || { echo "$args: exit $zh in Chinese, $status in English"; return 1; }
        [ "$zh" -eq 2 ]
        [ "$(wc -l <<<"$zh_stderr")" -eq 1 ] || { echo "$args: $zh_stderr"; return 1; }
        [[ "$zh_stderr" != *untranslated* ]] || { echo "$args: $zh_stderr"; return 1; }
        [[ "$zh_stderr" == *[：，；（]* ]] || { echo "$args: not Chinese: $zh_stderr"; return 1; }
    done
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" rac --lang zh
    [ "$stderr" = "concdemo：没有名为 'rac' 的课程；你是想输入 'race' 吗？" ]
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" tour --speeed 3 --lang zh
    [ "$stderr" = "concdemo tour：未知选项 '--speeed'；你是想输入 '--speed' 吗？" ]
}

@test "in Chinese: the same exit codes and result: lines as in English" {
    run --separate-stderr "$CONCDEMO" race --threads 200 --seed 7 --quiet --lang zh
    [ "$status" -eq 0 ]
    [[ "$output" == *"result: num="*" expected=200 lost="* ]]
    [ "$(result_value expected)" = 200 ]
    run "$CONCDEMO" --version --lang zh
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^concdemo\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
    [[ "${lines[1]}" == "许可证：MIT（见 LICENSE）" ]]
}

@test "in Chinese: a refusal by the system is one Chinese line naming the limit, exit 1 as in English" {
    # only stdin, stdout and stderr open, as from a shell: bats keeps more
    local closed='for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-"; done; ulimit -n 5 && exec "$0" "$@"'
    run --separate-stderr bash -c "$closed" "$CONCDEMO" pipe --speed 100 --lang zh
    [ "$status" -eq 1 ]
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; return 1; }
    [[ "$stderr" == "concdemo pipe：系统拒绝了"*"；ulimit -n 为 5；请调高它，或少要一些进程" ]] || { echo "$stderr"; return 1; }
    run --separate-stderr bash -c "$closed" "$CONCDEMO" pipe --speed 100 --lang en
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"ulimit -n is 5; raise it, or ask for fewer processes" ]]
}
