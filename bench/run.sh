#!/usr/bin/env bash
# make bench: each lesson's wall time beside its floor, measured in the same
# run, interleaved, as medians.  Figures print; nothing passes or fails.
# The machine is shared and noisy: read the ratios, not the absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}
THREADS=${THREADS:-20000}

wall() { # run a command, print its wall time in seconds
    local start=$EPOCHREALTIME
    "$@" >/dev/null
    local end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }' 
}

median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'; }

declare -A times
names=(floor race floor-lock mutex race-bare)
for ((r = 1; r <= ROUNDS; r++)); do
    times[floor]+="$(wall bench/floor "$THREADS" plain) "
    times[race]+="$(wall ./concdemo race --threads "$THREADS" --quiet) "
    times[floor-lock]+="$(wall bench/floor "$THREADS" lock) "
    times[mutex]+="$(wall ./concdemo mutex --threads "$THREADS" --quiet) "
    times[race-bare]+="$(wall ./concdemo race --threads "$THREADS" --bare --quiet) "
done
declare -A med
for n in "${names[@]}"; do med[$n]=$(tr ' ' '\n' <<<"${times[$n]}" | grep . | median); done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "concdemo bench: $THREADS threads, started all then joined, median of $ROUNDS interleaved runs"
echo "floor: bench/floor, a bare C program doing the same thread work, one int increment each"
printf '  %-34s %8s s\n' "floor (create+join, num++)" "${med[floor]}"
printf '  %-34s %8s s  %sx floor\n' "concdemo race" "${med[race]}" "$(ratio "${med[race]}" "${med[floor]}")"
printf '  %-34s %8s s  %sx floor\n' "concdemo race --bare" "${med[race-bare]}" "$(ratio "${med[race-bare]}" "${med[floor]}")"
printf '  %-34s %8s s  %sx floor\n' "floor with a mutex around num++" "${med[floor-lock]}" "$(ratio "${med[floor-lock]}" "${med[floor]}")"
printf '  %-34s %8s s  %sx floor, %sx floor-with-mutex\n' "concdemo mutex" "${med[mutex]}" \
    "$(ratio "${med[mutex]}" "${med[floor]}")" "$(ratio "${med[mutex]}" "${med[floor-lock]}")"
echo "goal: race and mutex within 1.5x of the floor"
