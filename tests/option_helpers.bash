# What options.bats and ranges.bats share: every lesson's options, read from
# its own help, and how a value is judged refused or accepted.

# "name TYPE min max ENDS" for each option of a lesson, from `concdemo help
# LESSON`.  TYPE is N (whole number), X (decimal), WHICH (a choice), FILE or
# FLAG.  ENDS is "closed" for a range "MIN to MAX", where MIN is allowed,
# "open" for "more than MIN, up to MAX", where it is not, and "-" for none.
options_of() {
    "$CONCDEMO" help "$1" | awk '
        /^result keys:/ { exit } # the options end here
        /^  --[a-z-]+/ {
            if (pending != "") print pending, "-", "-", "-" # it had no range line: a FILE
            name = substr($1, 3); type = ($2 ~ /^(N|X|WHICH|FILE)$/) ? $2 : "FLAG"
            if (type == "FLAG" && name != "help") print name, type, "-", "-", "-"
            pending = (type == "FLAG") ? "" : name " " type
            next
        }
        pending != "" && /default/ {
            lo = "-"; hi = "-"; ends = "-"
            if (match($0, /[0-9.e+]+ to [0-9.e+]+\)/)) { split(substr($0, RSTART, RLENGTH - 1), r, " to "); lo = r[1]; hi = r[2]; ends = "closed" }
            if (match($0, /more than [0-9.]+, up to [0-9.e+]+\)/)) { split(substr($0, RSTART + 10, RLENGTH - 11), r, ", up to "); lo = r[1]; hi = r[2]; ends = "open" }
            print pending, lo, hi, ends; pending = ""
        }
        END { if (pending != "") print pending, "-", "-", "-" }'
}

# The lessons, each tested on its own below, so that the suite's jobs share
# them out; a lesson missing here fails the first test.
lessons() {
    "$CONCDEMO" list | awk '{ print $1 }'
}

# Refused: exit 2, exactly one line on stderr naming the option, nothing on stdout.
refused() {
    local lesson=$1 option=$2 value=$3
    run --separate-stderr "$CONCDEMO" "$lesson" "--$option" "$value"
    if [ "$status" -ne 2 ] || [ "${#stderr_lines[@]}" -ne 1 ] || [ -n "$output" ] || [[ "$stderr" != *"--$option"* ]]; then
        echo "$lesson --$option '${value:0:40}': exit $status, stderr: $stderr, stdout: ${output:0:200}"
        return 1
    fi
}

# Run a lesson with its output cut after the parameter line: a reader that
# goes away ends a lesson quietly (status 0), so a huge value is accepted and
# shown without running for hours.  Sets status (the lesson's) and params.
cut_run() {
    local out
    local fast=(--speed 10000)
    [ "$2" != --speed ] || fast=() # its own ends are what is tested
    out=$(timeout -k 5 60 "$CONCDEMO" "$@" "${fast[@]}" 2>"$BATS_TEST_TMPDIR/stderr" </dev/null | head -n 2; echo "status ${PIPESTATUS[0]}")
    status=$(tail -n 1 <<<"$out" | cut -d' ' -f2)
    params=$(sed -n 2p <<<"$out")
}

# Accepted: status 0; or one line on stderr with 1 (the system refused a
# resource) or 2 (with the other options' defaults it cannot run: race's
# million iterations for 20000 threads would overflow its int); never a
# crash or a hang.
accepted() {
    local said="$*: exit $status, stderr: $(head -c 200 "$BATS_TEST_TMPDIR/stderr")"
    case $status in
    0) [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "$said"; return 1; } ;;
    1) [ "$(wc -l <"$BATS_TEST_TMPDIR/stderr")" -eq 1 ] || { echo "$said"; return 1; } ;;
    2) # one line, and not the parser refusing the value itself
        [ "$(wc -l <"$BATS_TEST_TMPDIR/stderr")" -eq 1 ] && ! grep -q -- ": --[a-z-]*: '" "$BATS_TEST_TMPDIR/stderr" ||
            { echo "$said"; return 1; } ;;
    *) echo "$said"; return 1 ;;
    esac
}

