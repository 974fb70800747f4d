#!/usr/bin/env bash
# Run every lesson at small sizes under a sanitizer or valgrind, and fail on
# any report.  ThreadSanitizer runs out of memory near 10000 live threads, so
# sizes stay small.
#   tests/sanitize.sh ./concdemo-thread            (make tsan)
#   tests/sanitize.sh ./concdemo-address-undefined (make asan)
#   tests/sanitize.sh valgrind ./concdemo          (make memcheck)
#   tests/sanitize.sh helgrind ./concdemo          (make helgrind)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=(
    "race --threads 200"
    "race --threads 20 --iterations 50"
    "race --bare --threads 200"
    "race --workload balance --iterations 2000"
    "race --steps --speed 50"
    "mutex --threads 200 --part count"
    "mutex --workload balance --iterations 2000 --part count"
    "mutex --steps --speed 50"
    "mutex --part owner --speed 50"
    "mutex --part with"
    "mutex --compare --threads 4 --iterations 1000"
    "race --threads 50 --format jsonl --explain"
    "rlock --speed 50 --counter-threads 3"
    "semaphore --speed 50"
    "semaphore --threads 7 --permits 3 --hold 0.5 --speed 50"
    "event-traffic-light --cycles 1 --cars 3 --speed 50"
    "event-traffic-light --cycles 1 --patience 2 --speed 50 --format jsonl"
    "condition --speed 50"
    "condition --part predicate --waiters 8 --speed 50"
    "queue --speed 100 --loops 5 --items 20 --tries 50 --messages 500"
    "queue --part pool --processes --items 10 --speed 100"
    "queue --part process"
    "queue --part empty --tries 200"
    "queue --part deadlock --speed 50"
    "queue --part shared --messages 2000"
    "pipe --records 5"
    "pipe --part torn --medium socketpair --records 3 --framed-bytes 100"
    "pool --speed 50 --tasks 6"
    "pool --kind thread --speed 50 --tasks 6"
    "pool --part article --mode map --kind thread --speed 50"
    "pool --part article --mode sync --tasks 3 --speed 50"
    "pool --part article --mode sync --kind thread --tasks 3 --speed 50"
    "pool --part cost --tasks 300 --workers 3"
    "coroutine --speed 50"
    "coroutine --part scale --tasks 300"
    "coroutine --part scale --tasks 1"
    "coroutine --part switch --switches 20000"
    "starvation --speed 10 --threads 3" # part 3 (SCHED_FIFO) skips itself under valgrind, and says why
    "daemon --speed 50"
    "daemon --part daemon --threads 8 --format jsonl --speed 20"
    "timer --speed 50"
    "timer --part cancel --interval 0.2 --cancel-after 0.1"
    "barrier --speed 50 --rounds 2"
    "barrier --part threads --threads 8 --rounds 3 --speed 50"
    "barrier --part process --rounds 2 --speed 50"
    "deadlock --speed 50"
    "gil --countdown 20000 --io-threads 2 --speed 50"
    "gil --part cpu --gil py2 --countdown 20000 --timeline"
    "thread --speed 50 --starts 200"
    "thread --part exit --threads 2 --speed 20"
    "process-lock --speed 50 --processes 4"
    "process-lock --part torn --processes 3 --lines 2 --speed 50 --format jsonl"
    "livelock --seconds 0.3"
    "semaphore --speed 50 --timeline --trace /dev/null"
    "pool --part article --speed 50 --timeline --trace /dev/null"
    "race --threads 300 --timeline --trace /dev/null --color always"
    "manager --speed 50 --processes 3 --increments 100 --ops 100 --tasks 4"
    "manager --part hostile"
    "list"
    "help queue"
    "--help"
    "source coroutine"
    "2:rac"
    "2:race --thread 5"
    "--speed 50 --color always race --threads 30"
    "tour --only pipe,semaphore --speed 100"
    "__complete tour --only race,m"
    "__complete queue --part p"
    "completion bash"
    "process --part article"
    "process --part memory --pages 64"
    "process --part start --starts 3"
    "process --part lifecycle --speed 20"
    # in Chinese: the catalog read, the locale set, the wrapping of wide characters
    "semaphore --speed 50 --lang zh --timeline --explain"
    "process --part article --lang zh"
    "help pool --lang zh"
    "2:race --thread 5 --lang zh"
)
# The process lesson's crash part crashes a child on purpose: valgrind
# reports the write through NULL in that child's log, as it must, so it runs
# under the sanitizers only (the crashing code gives SIGSEGV back its default
# action first, so a sanitizer's handler does not report it).
if [ "$1" != valgrind ] && [ "$1" != helgrind ]; then
    runs+=("process --part crash --speed 10")
fi
# The width the lines are fitted to: narrow, so the wrapping runs too.
export COLUMNS=60
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 exitcode=66 second_deadlock_stack=1"
export ASAN_OPTIONS="detect_leaks=1 halt_on_error=1 exitcode=66"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 exitcode=66"
failed=0
mode=$1
# valgrind: one log per process.  --quiet logs only errors, so the lesson's
# own log must be empty.  A forked child's log must hold no error either, but
# its leak records are dropped: a child ends with _exit() holding a copy of
# all the parent's memory, and the stacks of the parent's threads, which
# were never its own to free.
valgrind_run() {
    local logs
    logs=$(mktemp -d)
    local tool=(--leak-check=full --show-leak-kinds=definite,indirect,possible
        --errors-for-leak-kinds=definite,indirect,possible --suppressions="$PWD/tests/memcheck.supp")
    [ "$mode" = helgrind ] && tool=(--tool=helgrind --suppressions="$PWD/tests/helgrind.supp")
    # shellcheck disable=SC2016
    timeout 300 bash -c 'echo $$ >"$0/lesson"; exec valgrind --quiet --error-exitcode=66 --log-file="$0/%p" "$@" >/dev/null' \
        "$logs" "${tool[@]}" "$@"
    local rc=$? lesson log
    lesson=$(cat "$logs/lesson")
    for log in "$logs"/[0-9]*; do
        if [ "$log" = "$logs/$lesson" ]; then
            cat "$log"
        else
            awk '/ lost in loss record / { leak = 1 } !leak { print } /^==[0-9]+== $/ { leak = 0 }' "$log" |
                grep -vE '^==[0-9]+== $' || true
        fi
    done
    rm -rf "$logs"
    return "$rc"
}
for args in "${runs[@]}"; do
    expected=0 # "2:ARGS": a usage error, exit 2, is what this run must give
    if [[ $args =~ ^([0-9]+):(.*)$ ]]; then
        expected=${BASH_REMATCH[1]}
        args=${BASH_REMATCH[2]}
    fi
    # shellcheck disable=SC2086
    if [ "$mode" = valgrind ] || [ "$mode" = helgrind ]; then
        out=$(valgrind_run "$2" $args 2>&1)
    else
        out=$(timeout 300 "$1" $args 2>&1 >/dev/null)
    fi
    rc=$?
    if [ "$rc" -ne "$expected" ] || grep -qE 'ThreadSanitizer|AddressSanitizer|LeakSanitizer|runtime error|^==[0-9]+== ' <<<"$out"; then
        echo "FAIL ($rc): $* $args"
        echo "$out" | head -40
        failed=1
    else
        echo "ok: $args"
    fi
done
exit "$failed"
