#!/usr/bin/env bats
# 中文: the language comes from the locale, or from --lang; the catalog is
# complete; what machines read is the same in every language; and a missing
# locale or a broken catalog gives English, with no error.

load helpers

ROOT=$BATS_TEST_DIRNAME/..

# The race lesson's summary, in each language: the header's first line.
ZH_TITLE='concdemo race: 多个线程'
EN_TITLE='concdemo race: threads add to one shared int with no lock, and updates vanish'

# A run in the environment given ("NAME=VALUE ..."), with no language chosen by
# the suite: what the locale alone gives.
run_in_locale() {
    run --separate-stderr env -u CONCDEMO_LANG -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@"
}

has_zh_locale() {
    locale -a 2>/dev/null | grep -qiE '^zh_CN\.utf-?8$'
}

@test "the translation is complete: every message in the sources has its Chinese, none fuzzy" {
    unless_sanitized 'thread|address' "the catalog and the sources are the same in every build"
    command -v xgettext >/dev/null && command -v msgmerge >/dev/null ||
        skip "needs GNU gettext (xgettext, msgmerge): apt-get install -y gettext"
    run --separate-stderr "$ROOT/po/untranslated.sh"
    [ "$status" -eq 0 ]
    [ -z "$output" ] || { echo "messages without Chinese (add them to po/zh_CN.po):"; echo "$output" | grep '^msgid' | head -20; return 1; }
    run msgfmt --check --statistics -o /dev/null "$ROOT/po/zh_CN.po"
    [ "$status" -eq 0 ]
    [[ "$output" == *" translated messages."* ]]
    [[ "$output" != *untranslated* && "$output" != *fuzzy* ]]
}

@test "the completeness test notices a new English message with no translation" {
    unless_sanitized 'thread|address' "the catalog and the sources are the same in every build"
    command -v xgettext >/dev/null || skip "needs GNU gettext (xgettext): apt-get install -y gettext"
    local src=$BATS_TEST_TMPDIR/new.c
    printf 'void note(const char *, ...);\nvoid f(void) { note("A sentence nobody translated yet."); }\n' >"$src"
    run "$ROOT/po/untranslated.sh" "$src"
    [[ "$output" == *'msgid "A sentence nobody translated yet."'* ]]
}

@test "--lang zh: Chinese where only C.UTF-8 is installed, and results as in English" {
    run_in_locale LANG=C.UTF-8 "$CONCDEMO" race --lang zh --threads 300
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [[ "${lines[0]}" == "$ZH_TITLE"* ]]
    # the header's parameters and the result: keys are the machine's, in English
    [[ "${lines[1]}" == "threads=300 iterations=1 workload=count "* ]]
    [ "$(result_value expected)" -eq 300 ]
    [ "$(result_value num)" -eq $((300 - $(result_value lost))) ]
}

@test "--lang zh in the POSIX locale too, and --lang=zh, before the lesson or after" {
    run_in_locale LANG=C "$CONCDEMO" --lang=zh race --threads 50
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "$ZH_TITLE"* ]]
    run_in_locale "$CONCDEMO" race --threads 50 --lang zh
    [[ "${lines[0]}" == "$ZH_TITLE"* ]]
}

@test "--lang en: English, whatever the locale says" {
    run_in_locale LANGUAGE=zh_CN LANG=C.UTF-8 "$CONCDEMO" race --threads 50 --lang en
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$EN_TITLE" ]
}

@test "LANGUAGE=zh_CN chooses Chinese, as GNU programs do, in any locale but C" {
    run_in_locale LANG=C.UTF-8 LANGUAGE=zh_CN "$CONCDEMO" race --threads 50
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "$ZH_TITLE"* ]]
}

@test "LANG, LC_MESSAGES and LC_ALL=zh_CN.UTF-8 choose Chinese where that locale is installed" {
    has_zh_locale || skip "no zh_CN.UTF-8 locale here (.ci/run makes one with localedef)"
    local how
    for how in LANG LC_MESSAGES LC_ALL; do
        run_in_locale "$how=zh_CN.UTF-8" "$CONCDEMO" race --threads 50
        [ "$status" -eq 0 ] && [ -z "$stderr" ]
        [[ "${lines[0]}" == "$ZH_TITLE"* ]] || { echo "$how: ${lines[0]}"; return 1; }
    done
    # and LC_ALL=C wins over LANG, as everywhere
    run_in_locale LANG=zh_CN.UTF-8 LC_ALL=C "$CONCDEMO" race --threads 50
    [ "${lines[0]}" = "$EN_TITLE" ]
}

@test "a zh_CN locale that is not installed gives English, and no error" {
    # LOCPATH: glibc looks for its locales there, and finds none; C.UTF-8 is built in
    run_in_locale LOCPATH=/nonexistent LANG=zh_CN.UTF-8 "$CONCDEMO" race --threads 50
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "$EN_TITLE" ]
}

@test "a broken or empty catalog gives English, and no error" {
    local dir=$BATS_TEST_TMPDIR/locale
    mkdir -p "$dir/zh_CN/LC_MESSAGES"
    head -c 4096 /dev/urandom >"$dir/zh_CN/LC_MESSAGES/concdemo.mo"
    run --separate-stderr env CONCDEMO_LOCALEDIR="$dir" "$CONCDEMO" race --threads 50 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "$EN_TITLE" ]
    : >"$dir/zh_CN/LC_MESSAGES/concdemo.mo"
    run --separate-stderr env CONCDEMO_LOCALEDIR="$dir" "$CONCDEMO" race --threads 50 --lang zh
    [ "$status" -eq 0 ] && [ -z "$stderr" ] && [ "${lines[0]}" = "$EN_TITLE" ]
    # and a catalog cut short: its first 100 bytes
    head -c 100 "$ROOT/build/locale/zh_CN/LC_MESSAGES/concdemo.mo" >"$dir/zh_CN/LC_MESSAGES/concdemo.mo"
    run --separate-stderr env CONCDEMO_LOCALEDIR="$dir" "$CONCDEMO" race --threads 50 --lang zh
    [ "$status" -eq 0 ] && [ -z "$stderr" ] && [ "${lines[0]}" = "$EN_TITLE" ]
}

@test "--lang: a value that is not zh, en or auto, or none, is one line on stderr and exit 2" {
    run --separate-stderr "$CONCDEMO" race --lang fr
    [ "$status" -eq 2 ]
    [ "$stderr" = "concdemo: --lang: 'fr' is not one of auto|zh|en" ]
    run --separate-stderr "$CONCDEMO" race --lang
    [ "$status" -eq 2 ]
    [ "$stderr" = "concdemo: --lang needs a value: zh or en" ]
    [ -z "$output" ]
}

@test "what machines read is the same in Chinese: jsonl keys and kinds, result data, trace names" {
    local seed en zh
    seed=$(unique_seed)
    run "$CONCDEMO" semaphore --speed 20 --seed "$seed" --format jsonl --trace "$BATS_TEST_TMPDIR/en.json"
    [ "$status" -eq 0 ]
    en=$output
    run "$CONCDEMO" semaphore --speed 20 --seed "$seed" --format jsonl --trace "$BATS_TEST_TMPDIR/zh.json" --lang zh
    [ "$status" -eq 0 ]
    zh=$output
    # the same kinds, each with the same keys, and the results' keys the same
    [ "$(jq -c -s 'map({kind, keys: keys}) | unique' <<<"$en")" = "$(jq -c -s 'map({kind, keys: keys}) | unique' <<<"$zh")" ]
    [ "$(jq -c -s 'map(select(.kind == "result") | .data | keys)' <<<"$en")" = \
      "$(jq -c -s 'map(select(.kind == "result") | .data | keys)' <<<"$zh")" ]
    # the Chinese run's events are Chinese, its result values the lesson's own
    jq -e -s 'any(.[]; .kind == "event" and (.text | test("[\u4e00-\u9fff]")))' <<<"$zh"
    jq -e -s 'map(select(.kind == "result"))[0].data | .threads == 22 and .permits == 5 and .peak <= 5' <<<"$zh"
    # the trace's span names and actors are the same set
    [ "$(jq -c '[.traceEvents[] | select(.ph == "B" or .ph == "E" or .ph == "X") | .name] | unique' "$BATS_TEST_TMPDIR/en.json")" = \
      "$(jq -c '[.traceEvents[] | select(.ph == "B" or .ph == "E" or .ph == "X") | .name] | unique' "$BATS_TEST_TMPDIR/zh.json")" ]
}

@test "without msgfmt the build succeeds, in English, and says so once" {
    unless_sanitized 'thread|address' "it builds the plain program, whatever the suite's binary; the plain suite runs it"
    # a copy of the sources, built as a machine without GNU gettext builds
    # them (MSGFMT= is what make finds there), so the suite's binary is left alone
    local copy=$BATS_TEST_TMPDIR/copy
    mkdir -p "$copy"
    cp -r "$ROOT/src" "$ROOT/demos" "$ROOT/po" "$ROOT/Makefile" "$copy/"
    # (make check runs the suite from make: its MAKELEVEL would hide the message, meant for the top level)
    run env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS make -C "$copy" -s MSGFMT= SANITIZE= concdemo
    [ "$status" -eq 0 ]
    [ "$(grep -c 'msgfmt (GNU gettext) not found: building concdemo in English only' <<<"$output")" -eq 1 ]
    [ ! -e "$copy/build/locale" ]
    run --separate-stderr env CONCDEMO_LOCALEDIR="$copy/build/locale" "$copy/concdemo" race --threads 50 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "${lines[0]}" = "$EN_TITLE" ]
}
