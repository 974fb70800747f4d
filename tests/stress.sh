#!/usr/bin/env bash
# make stress: the suite 10 times in a row, then 3 times pinned to one CPU
# (taskset -c 0), then 3 times with both CPUs kept busy by two other
# processes; and every test that ever failed, with how often.  RUNS,
# ONE_CPU_RUNS and BUSY_RUNS change the counts.  Takes about 40 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
ONE_CPU_RUNS=${ONE_CPU_RUNS:-3}
BUSY_RUNS=${BUSY_RUNS:-3}
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
for ((k = 1; k <= ONE_CPU_RUNS; k++)); do
    run_suite "one-cpu-$k" taskset -c 0 make -s check
done
busy() { while :; do :; done; }
hogs=()
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
if [ "$BUSY_RUNS" -gt 0 ]; then
    busy & hogs+=($!)
    busy & hogs+=($!)
fi
for ((k = 1; k <= BUSY_RUNS; k++)); do
    run_suite "busy-$k" make -s check
done
[ ${#hogs[@]} -eq 0 ] || { kill "${hogs[@]}"; wait "${hogs[@]}" 2>/dev/null; }
hogs=()
tests=$(cat "$logs"/*.log | grep -c '^ok\|^not ok')
echo "stress: $((RUNS + ONE_CPU_RUNS + BUSY_RUNS)) runs, $tests tests run in all; $failed_runs runs failed"
if grep -h '^not ok' "$logs"/*.log | sed -E 's/^not ok [0-9]+ //' | sort | uniq -c | sort -rn | grep .; then
    echo "stress: the tests above failed at least once (counts are runs); logs in $logs"
    exit 1
fi
rm -rf "$logs"
