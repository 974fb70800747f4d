#!/usr/bin/env bats
# The documents: the manual lints clean and covers every lesson, the
# README's lesson plan has a row for every lesson, and the licence is named.
load helpers

ROOT=$BATS_TEST_DIRNAME/..

# The documents are the same in every build: under a sanitizer (CI runs the
# whole suite under two) they are not checked again.
setup() {
    unless_sanitized 'thread|address' "the documents do not change with the build"
}
PAGE=$BATS_TEST_DIRNAME/../man/concdemo.1

# The lessons, as `concdemo list` names them: the first word of each line.
lessons() {
    "$CONCDEMO" list | awk '{ print $1 }'
}

@test "the manual is clean under groff -ww" {
    command -v groff >/dev/null || skip "groff is not installed (apt-get install -y groff-base)"
    run --separate-stderr groff -ww -man -Tutf8 "$PAGE"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] || { echo "$stderr"; return 1; }
    [ -n "$output" ]
}

@test "the manual is clean under mandoc -Tlint" {
    command -v mandoc >/dev/null || skip "mandoc is not installed (apt-get install -y mandoc)"
    run mandoc -Tlint "$PAGE"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ -z "$output" ] || { echo "$output"; return 1; }
}

@test "man -l renders the manual from the source tree" {
    command -v man >/dev/null || skip "man is not installed"
    command -v groff >/dev/null || skip "groff is not installed"
    run env MANPAGER=cat MANWIDTH=80 man -l "$PAGE"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == "CONCDEMO(1)"* ]]
    [[ "$output" == *"concdemo source LESSON"* ]]
}

@test "the manual's sections come in man-pages(7) order, and NAME is one line under 80 columns" {
    local got
    got=$(sed -n 's/^\.SH //p' "$PAGE" | tr -d '"' | paste -sd, -)
    [ "$got" = "NAME,SYNOPSIS,DESCRIPTION,OPTIONS,LESSONS,EXIT STATUS,ENVIRONMENT,FILES,EXAMPLES,COPYRIGHT,SEE ALSO" ] ||
        { echo "sections: $got"; return 1; }
    local name
    name=$(sed -n '/^\.SH NAME$/,/^\.SH /p' "$PAGE" | sed '1d;$d')
    [ "$(wc -l <<<"$name")" -eq 1 ]
    [[ "$name" == 'concdemo \- '* ]]
    [ "${#name}" -lt 80 ]
}

@test "every lesson in concdemo list has a section in the manual, naming its source" {
    local lesson section n=0
    for lesson in $(lessons); do
        n=$((n + 1))
        section=$(sed 's/\\-/-/g' "$PAGE" | sed -n "/^\.SS $lesson\$/,/^\.S[SH] /p")
        [ -n "$section" ] || { echo "no section for $lesson"; return 1; }
        [[ "$section" == *"demos/$lesson.c"* ]] || { echo "$lesson: the section does not name demos/$lesson.c"; return 1; }
        [[ "$section" == *"concdemo source $lesson"* ]] || { echo "$lesson: no 'concdemo source $lesson'"; return 1; }
    done
    [ "$n" -ge 10 ]
}

@test "every lesson in concdemo list has a row in the README's lesson plan" {
    local plan lesson n=0
    plan=$(sed -n '/^## Lesson plan/,/^## /p' "$ROOT/README.md")
    [ -n "$plan" ] || { echo "README.md has no '## Lesson plan'"; return 1; }
    for lesson in $(lessons); do
        n=$((n + 1))
        grep -q "^| \`$lesson\` |" <<<"$plan" || { echo "no row for $lesson"; return 1; }
    done
    [ "$n" -ge 10 ]
    # and no row for a lesson that does not exist
    local row
    for row in $(grep -o '^| `[a-z-]*` |' <<<"$plan" | tr -d '|` '); do
        lessons | grep -qx "$row" || { echo "a row for $row, which concdemo list does not name"; return 1; }
    done
}

@test "the manual's ENVIRONMENT names every variable the program reads" {
    local env var
    env=$(sed -n '/^\.SH ENVIRONMENT$/,/^\.SH /p' "$PAGE")
    local vars
    vars=$(grep -rhoE 'getenv\("[A-Z_]+"\)' "$ROOT/src" "$ROOT/demos" | sed -E 's/getenv\("([A-Z_]+)"\)/\1/' | sort -u)
    [ -n "$vars" ]
    for var in $vars; do
        grep -qx "\.B $var" <<<"$env" || { echo "ENVIRONMENT lacks $var"; return 1; }
    done
    for var in COLUMNS NO_COLOR CONCDEMO_SPEED TERM; do
        grep -qx "\.B $var" <<<"$env" || { echo "ENVIRONMENT lacks $var"; return 1; }
    done
}

@test "the manual's EXAMPLES show the tour, source, --timeline, --trace and --step" {
    local examples
    examples=$(sed -n '/^\.SH EXAMPLES$/,/^\.SH /p' "$PAGE" | sed 's/\\-/-/g')
    local want
    for want in "concdemo tour" "concdemo source " "--timeline" "--trace " "--step"; do
        [[ "$examples" == *"$want"* ]] || { echo "EXAMPLES lacks $want"; return 1; }
    done
}

@test "--version names the licence, and LICENSE is the MIT licence it names" {
    run "$CONCDEMO" --version
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^concdemo\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
    [ "${lines[1]}" = "License: MIT (see LICENSE)" ]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(head -1 "$ROOT/LICENSE")" = "MIT License" ]
    grep -q '^Copyright (c) 2026 the concdemo authors$' "$ROOT/LICENSE"
    sed -n '/^\.SH COPYRIGHT$/,/^\.SH /p' "$PAGE" | grep -q 'MIT'
}

@test "the README's first screen: what it is, a transcript, the two quick-start commands" {
    local top
    top=$(head -60 "$ROOT/README.md")
    [[ "$top" == *"result: num="* ]] || { echo "no transcript near the top"; return 1; }
    [[ "$top" == *"make && ./concdemo"* ]]
    [[ "$top" == *"make check"* ]]
    grep -q '(HACKING.md)' "$ROOT/README.md"
}

# The Chinese manual and README: the same page, section for section.
ZH_PAGE=$BATS_TEST_DIRNAME/../man/zh_CN/concdemo.1

@test "the Chinese manual, as installed (with its break points), is clean under groff -ww; mandoc warns of nothing" {
    command -v groff >/dev/null || skip "groff is not installed (apt-get install -y groff-base)"
    run --separate-stderr bash -c '"$1" "$2" | groff -k -ww -man -Tutf8' - "$ROOT/man/zh_CN/breaks.sh" "$ZH_PAGE"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] || { echo "$stderr"; return 1; }
    [[ "$output" == *"线程"* ]]
    # no Chinese paragraph ran past the page (the example transcripts, English as
    # the program prints them, are as wide as in the English manual)
    [ -z "$(sed 's/.\x08//g' <<<"$output" | perl -CS -ne 'chomp; my $n = 0; $n += (ord($_) >= 0x2e80 && ord($_) <= 0x9fff || ord($_) >= 0xff00 && ord($_) <= 0xff60) ? 2 : 1 for split //; print "$n: $_\n" if $n > 80 && /[\x{4e00}-\x{9fff}]/')" ]
    command -v mandoc >/dev/null || skip "mandoc is not installed (apt-get install -y mandoc)"
    run mandoc -Tlint -Wwarning "$ZH_PAGE"
    [ -z "$output" ] || { echo "$output"; return 1; }
}

@test "the Chinese manual has the English one's sections, every lesson's among them, in the same order" {
    [ "$(grep -c '^\.SH' "$ZH_PAGE")" -eq "$(grep -c '^\.SH' "$PAGE")" ]
    local lesson section
    for lesson in $(lessons); do
        section=$(sed 's/\\-/-/g' "$ZH_PAGE" | sed -n "/^\.SS $lesson\$/,/^\.S[SH] /p")
        [ -n "$section" ] || { echo "no section for $lesson"; return 1; }
        [[ "$section" == *"demos/$lesson.c"* ]] || { echo "$lesson: the section does not name demos/$lesson.c"; return 1; }
        [[ "$section" == *"concdemo source $lesson"* ]] || { echo "$lesson: no 'concdemo source $lesson'"; return 1; }
    done
    # the lessons in the English page's order
    [ "$(sed -n 's/^\.SS //p' "$PAGE" | sed 's/\\-/-/g' | grep -xF -f <(lessons))" = \
      "$(sed -n 's/^\.SS //p' "$ZH_PAGE" | sed 's/\\-/-/g' | grep -xF -f <(lessons))" ]
}

@test "README.md links README.zh_CN.md at its top, which links back and has a row for every lesson" {
    head -5 "$ROOT/README.md" | grep -q '(README.zh_CN.md)'
    head -5 "$ROOT/README.zh_CN.md" | grep -q '(README.md)'
    local lesson
    for lesson in $(lessons); do
        grep -q "^| \`$lesson\` |" "$ROOT/README.zh_CN.md" || { echo "README.zh_CN.md: no row for $lesson"; return 1; }
    done
    [[ "$(cat "$ROOT/README.zh_CN.md")" == *"--lang zh"* ]]
}
