# Shared helpers for the bats suite.  Tests read the transcript's result:
# lines, the order of its events, and lesson-time windows -- never wall time.
bats_require_minimum_version 1.5.0
shopt -s extglob

CONCDEMO="${CONCDEMO:-$BATS_TEST_DIRNAME/../concdemo}"

# The lessons' tests read what a lesson printed, a note or a result line
# whole: a screen wide enough that nothing wraps.  tests/width.bats sets its
# own COLUMNS and checks the wrapping.
export COLUMNS=1000

# In English, whatever the machine's locale: a test of Chinese says --lang zh
# (which wins over this), and tests/i18n.bats unsets it to test the locale.
export CONCDEMO_LANG=en

# Under `make check SANITIZE=...` the binary is instrumented.  A test whose
# effect the instrumentation itself changes is skipped, saying how; every
# other test runs as it is.
unless_sanitized() { # which sanitizers (a regex: thread, address, thread|address), and why
    if [ -n "${CONCDEMO_SANITIZER:-}" ] && [[ "$CONCDEMO_SANITIZER" =~ $1 ]]; then
        skip "a $CONCDEMO_SANITIZER build: $2"
    fi
}

# FRESH_USER: a prefix that runs a command as a user id that no process has,
# for tests of ulimit -u: RLIMIT_NPROC counts all of a user's processes on
# the machine, so nobody's, or another test's, would count too.  Needs root
# and setpriv, else the test is skipped.
fresh_user() {
    [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv to run as another user"
    local uid=$((1500000000 + ($$ % 10000) * 100 + RANDOM % 100))
    FRESH_USER=(setpriv --reuid="$uid" --regid="$uid" --clear-groups)
}

# A --seed that no other run has: children of a lesson are forks, with its
# command line, so `none_left SEED` finds any process of that run left behind.
# (A pid seen in the transcript cannot tell: other tests' threads reuse pids
# within milliseconds.)
unique_seed() {
    echo $((3000000000 + RANDOM * 32768 + RANDOM))
}
none_left() {
    ! pgrep -f -- "--seed $1( |\$)" >/dev/null
}

# Runs the lesson (its arguments) in Chinese, with every message the
# catalog lacks named on stderr (CONCDEMO_UNTRANSLATED): it must exit 0 and
# name none.  $output, $stderr and $lines are the run's, as after `run`.
run_in_chinese() {
    CONCDEMO_UNTRANSLATED=1 run --separate-stderr "$CONCDEMO" "$@" --lang zh
    [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
    [ -z "$stderr" ] || { echo "on stderr: $stderr"; return 1; }
}

# The value of `key` on the first result: line of $output that has it.
result_value() {
    local key=$1
    grep '^result:' <<<"$output" | tr ' ' '\n' | grep -m1 "^$key=" | cut -d= -f2-
}

# The value of `key` on the result: line whose variant is $1.
variant_value() {
    grep "^result: variant=$1 " <<<"$output" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2-
}

# Line number of the first transcript line matching an extended regex.
line_of() {
    grep -n -m1 -E "$1" <<<"$output" | cut -d: -f1
}

# Lesson time, in seconds, of the first event line matching a regex.
time_of() {
    grep -m1 -E "$1" <<<"$output" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}

# True if $1 <= $2 <= $3 (decimals).
# Under a sanitizer only the lower bound counts: an instrumented build in CI,
# beside another instrumented suite, was seen to wake threads more than half
# a second late, and no window sized for the plain build holds that.  The
# lower bound is the proof that nothing came early, and it stays; how soon
# it came is the plain suite's to check.
within() {
    local hi=$3
    [ -z "${CONCDEMO_SANITIZER:-}" ] || hi=1e300
    within_always "$1" "$2" "$hi"
}

# Both bounds, in every build: for how soon a signal stops a lesson, which a
# test sizes for an instrumented build itself.
within_always() {
    awk -v lo="$1" -v x="$2" -v hi="$3" 'BEGIN { exit !(x != "" && lo <= x && x <= hi) }'
}

# Assert a usage error: exit 2 and exactly one line on stderr, which names
# the given text.
usage_error() {
    local expect=$1
    shift
    run --separate-stderr "$CONCDEMO" "$@"
    [ "$status" -eq 2 ] || { echo "exit $status for: $*"; return 1; }
    [ "${#stderr_lines[@]}" -eq 1 ] || { echo "stderr had ${#stderr_lines[@]} lines: $stderr"; return 1; }
    [ -z "$output" ] || { echo "stdout not empty: $output"; return 1; }
    [[ "$stderr" == *"$expect"* ]] || { echo "stderr lacks '$expect': $stderr"; return 1; }
}

# Start a lesson writing into a fifo, read until a line matches $1, send the
# signal $2, and collect the rest: the lesson's own output is the cue, not
# a sleep.
interrupt_when() {
    local cue=$1 signal=$2
    shift 2
    local fifo
    fifo=$(mktemp -u "$BATS_TEST_TMPDIR/transcript.XXXXXX")
    mkfifo "$fifo"
    # INTERRUPT_GROUP=1: as a terminal's Ctrl-C, to the whole process group
    if [ -n "${INTERRUPT_GROUP:-}" ]; then
        setsid "$CONCDEMO" "$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/stderr" &
    else
        "$CONCDEMO" "$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/stderr" &
    fi
    local pid=$!
    local fd # bats keeps fd 3 for itself
    exec {fd}<"$fifo"
    local line seen=""
    # INTERRUPT_AT=N: at the Nth line that matches the cue, not the first
    local matched=0
    while IFS= read -r line <&"$fd"; do
        seen+="$line"$'\n'
        [[ "${line//$'\e['*([0-9;])m/}" =~ $cue ]] && matched=$((matched + 1)) # colour codes left out
        [ "$matched" -ge "${INTERRUPT_AT:-1}" ] && break
    done
    if [ -n "${INTERRUPT_GROUP:-}" ]; then
        kill "-$signal" -- "-$pid" 2>/dev/null || { echo "the lesson ended before the cue '$cue'"; return 1; }
    else
        kill "-$signal" "$pid" 2>/dev/null || { echo "the lesson ended before the cue '$cue'"; return 1; }
    fi
    # INTERRUPT_TWICE=1: the same signal again at once, as `timeout` sends it
    [ -z "${INTERRUPT_TWICE:-}" ] || kill "-$signal" "$pid" 2>/dev/null || true
    seen+=$(cat <&"$fd")
    exec {fd}<&-
    status=0
    wait "$pid" || status=$? # returns once it has ended, and reaps it
    output=$seen
}
