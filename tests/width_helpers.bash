# The width checks of tests/width.bats and tests/width-zh.bats: fit the
# screen at COLUMNS=60 and 80, in English and in Chinese.

# The lines of stdin wider than $1 display columns, each with its width:
# colour escapes count nothing, an East Asian wide character two.  A line
# that is one word, after its indent (and, for a result line, after
# "result:" and the part= or variant= it repeats), cannot be broken and is
# let through, unless it holds Chinese: a line breaks between any two
# Chinese characters, so a Chinese line never needs to be too wide.  With
# $2 = strict no line is let through, one word or not.
too_wide() {
    perl -CS -ne '
        BEGIN { $w = shift @ARGV; $strict = shift @ARGV }
        chomp; my $l = $_; $l =~ s/\e\[[0-9;]*[A-Za-z]//g;
        my $n = 0;
        for my $c (split //, $l) {
            my $o = ord $c;
            $n += ($o >= 0x1100 && ($o <= 0x115f || ($o >= 0x2e80 && $o <= 0xa4cf) || ($o >= 0xac00 && $o <= 0xd7a3)
                   || ($o >= 0xf900 && $o <= 0xfaff) || ($o >= 0xfe30 && $o <= 0xfe4f) || ($o >= 0xff00 && $o <= 0xff60)
                   || ($o >= 0xffe0 && $o <= 0xffe6) || ($o >= 0x20000 && $o <= 0x3fffd))) ? 2 : 1;
        }
        next if $n <= $w;
        (my $rest = $l) =~ s/^result: ((part|variant)=\S+ )?//;
        next if !$strict && (split " ", $rest) == 1 && $rest !~ /[\x{2e80}-\x{9fff}\x{ff00}-\x{ff60}]/;
        print "$n: $l\n";
    ' "$1" "${2:-}"
}

# Every line of $output fits $1 columns (as too_wide counts, $2 = strict
# as there); else the ones that do not, and fail.
fits() {
    local wide
    wide=$(too_wide "$1" "${2:-}" <<<"$output")
    [ -z "$wide" ] || { echo "wider than $1:"; echo "$wide"; return 1; }
}

# Every lesson of `concdemo list`, and no other, has a test "LESSON fits ..." in the running .bats file.
each_lesson_tested() {
    local listed tested
    listed=$(COLUMNS=1000 "$CONCDEMO" list | awk '{ print $1 }' | sort)
    tested=$(grep -oE '^@test "[a-z-]+ fits' "$BATS_TEST_FILENAME" | cut -d'"' -f2 | cut -d' ' -f1 | sort)
    [ "$listed" = "$tested" ]
}

# help, --help and list exit 0 and fit 60 and 80 columns, in $CONCDEMO_LANG.
help_and_list_fit() {
    local width command
    for width in 60 80; do
        for command in help --help list; do
            COLUMNS=$width run "$CONCDEMO" $command
            [ "$status" -eq 0 ]
            fits "$width"
        done
    done
}

# Each lesson at a speed and size that still prints its notes, fast.
fast_args() {
    case $1 in
    race) echo --threads 300 ;;
    mutex) echo --speed 100 --threads 300 --iterations 3 ;;
    queue) echo --speed 100 --tries 100 --messages 500 --loops 3 ;;
    pipe) echo --records 5 ;;
    process) echo --speed 100 --starts 3 --pages 64 ;;
    manager) echo --speed 100 --ops 1000 ;;
    pool) echo --speed 100 --tasks 10 ;;
    coroutine) echo --speed 100 --tasks 100 --switches 1000 ;;
    livelock) echo --seconds 0.3 ;;
    gil) echo --speed 100 --countdown 2000000 ;;
    *) echo --speed 100 ;;
    esac
}

# A lesson's every text fits: lesson_fits LESSON [LANG] (en unless zh is given).
lesson_fits() {
    unless_sanitized 'thread|address' "widths do not change with the build; tests/sanitize.sh runs the wrapping under each sanitizer"
    local lesson=$1 width
    local CONCDEMO_LANG=${2:-en}
    export CONCDEMO_LANG
    for width in 60 80; do
        # shellcheck disable=SC2046
        COLUMNS=$width run "$CONCDEMO" "$lesson" $(fast_args "$lesson") --seed 7 --explain --color always
        [ "$status" -eq 0 ] || { echo "$lesson at $width: exit $status"; return 1; }
        fits "$width"
        output=$(sed $'s/\e\\[[0-9;]*m//g' <<<"$output") # colour left out
        grep -q '^result: ' <<<"$output"
        grep -qE '^ +# ' <<<"$output" # notes were printed
        COLUMNS=$width run "$CONCDEMO" "$lesson" $(fast_args "$lesson") --seed 7 --timeline
        [ "$status" -eq 0 ]
        grep -qE '^(timeline: |时间线：)' <<<"$output"
        fits "$width"
        COLUMNS=$width run "$CONCDEMO" help "$lesson"
        [ "$status" -eq 0 ]
        fits "$width"
        COLUMNS=$width run "$CONCDEMO" "$lesson" --help
        [ "$status" -eq 0 ]
        fits "$width"
    done
}
