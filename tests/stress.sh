#!/usr/bin/env bash
# make stress: the suite 10 times in a row, then pinned to one CPU
# (taskset -c 0), then with both CPUs kept busy by two other processes; and
# every test that ever failed, with how often.  Takes about 30 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
logs=$(mktemp -d)
failed_runs=0
run_suite() { # name, then the command that runs the suite
    local name=$1
    shift
    local start=$EPOCHSECONDS
    if "$@" >"$logs/$name.log" 2>&1; then
        echo "stress: $name passed in $((EPOCHSECONDS - start)) s"
    else
        failed_runs=$((failed_runs + 1))
        echo "stress: $name FAILED in $((EPOCHSECONDS - start)) s"
    fi
}
for ((k = 1; k <= RUNS; k++)); do
    run_suite "run-$k" make -s check
done
run_suite taskset taskset -c 0 make -s check
busy() { while :; do :; done; }
busy & b1=$!
busy & b2=$!
run_suite busy make -s check
kill "$b1" "$b2"
wait "$b1" "$b2" 2>/dev/null
tests=$(grep -h -c '^ok\|^not ok' "$logs"/run-1.log)
echo "stress: $((RUNS + 2)) runs of $tests tests; $failed_runs failed"
if grep -h '^not ok' "$logs"/*.log | sed -E 's/^not ok [0-9]+ //' | sort | uniq -c | sort -rn | grep .; then
    echo "stress: the tests above failed at least once (counts are runs); logs in $logs"
    exit 1
fi
rm -rf "$logs"
