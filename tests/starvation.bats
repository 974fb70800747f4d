#!/usr/bin/env bats
# starvation: a greedy thread crowds the others out of a pthread mutex; a
# ticket lock gives each its turn.  Shares are measured, so the bounds are
# wide: an equal share of 4 threads is 25 %; "dominant" is at least 40 %, and
# "near equal" is every share within 10 % and 45 %.  Measured at these
# settings: t-1's share of the mutex 49.6 to 77 %, idle, on one CPU and beside
# two hogs; the ticket lock's largest share 26 to 36 % (over 37.5 % in 2 runs
# of 16 beside other tests: a polite thread off the CPU misses its turn).
# --speed 4 --seconds 1.2: each contest lasts 0.3 s of real time, long enough
# for the shares to settle (0.1 s was not, measured).

load helpers

# The value of `key` on the result line of part $1 (the parts' lines wrap).
part_value() {
    grep "^result: part=$1 " <<<"$output" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2-
}

@test "both parts run in order; the greedy thread dominates the mutex and not the ticket lock" {
    run "$CONCDEMO" starvation --speed 4 --seconds 1.2
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=all threads=4 seconds=1.2 speed=4 "* ]]
    [ "$(line_of 'part 1: 4 threads, one a pthread mutex')" -lt "$(line_of 'part 2: 4 threads, one a ticket lock')" ]
    [ "$(part_value unfair lock)" = mutex ]
    [ "$(part_value fair lock)" = ticket ]
    # unfair: t-1, the greedy one, takes at least 1.5 times an equal share
    local shares top
    shares=$(part_value unfair shares)
    top=$(part_value unfair top)
    [ "$(cut -d, -f1 <<<"$shares")" = "$top" ]
    awk -v t="$top" 'BEGIN { exit !(t >= 40) }'
    grep -q 't-1, the greedy one, took' <<<"$output"
    # fair: every share near equal, nobody starved
    shares=$(part_value fair shares)
    [ "$(tr ',' '\n' <<<"$shares" | wc -l)" -eq 4 ]
    tr ',' '\n' <<<"$shares" | awk '{ if ($1 < 10 || $1 > 45) bad = 1 } END { exit bad }'
    [ "$(part_value fair starved)" -eq 0 ]
    # (the note may say t-1 got more: a polite thread off the CPU misses its turn)
    # the shares add up to 100 % (rounded), and the counts to the acquisitions
    for part in unfair fair; do
        part_value $part shares | tr ',' '\n' | awk '{ s += $1 } END { exit !(s > 99.7 && s < 100.3) }'
    done
    [ "$(grep -E '^\[ *[0-9.]+\] t-[1-4] ' <<<"$output" | sed -n '1,4p' | grep -oE '[0-9]+ times' | awk '{ s += $1 } END { print s }')" = "$(part_value unfair acquisitions)" ]
}

@test "the ticket lock lets no one in ahead of an earlier asker; the mutex does, often" {
    run "$CONCDEMO" starvation --speed 4 --seconds 1.2
    [ "$status" -eq 0 ]
    [ "$(part_value fair overtakes)" -eq 0 ]
    grep -q 'none did' <<<"$output"
    # measured: 40 % to 94 % of the mutex's turns overtook an earlier asker
    [ "$(part_value unfair overtakes)" -ge $(( $(part_value unfair acquisitions) / 4 )) ]
    # (hand-overs are not asserted: with the polite threads off the CPU, the
    # ticket lock too gives t-1 turn after turn: 1 run in 10 passed it on less
    # than 3 times in 4)
}

@test "one thread has no one to starve, and says so" {
    run "$CONCDEMO" starvation --part unfair --threads 1 --speed 50
    [ "$status" -eq 0 ]
    grep -q 'One thread has no one to starve' <<<"$output"
    [ "$(part_value unfair shares)" = 100.0 ]
}

@test "bad input for every starvation option" {
    usage_error "--part: 'bogus' is not one of the choices (allowed: all|unfair|fair)" starvation --part bogus
    usage_error "--threads: '0' is zero" starvation --threads 0
    usage_error "--threads: '65' is too large (allowed: 1 to 64)" starvation --threads 65
    usage_error "--threads: 'x' is not a whole number" starvation --threads x
    usage_error "--seconds: '-1' is negative" starvation --seconds -1
}

@test "Ctrl-C in a contest stops it at once: exit 130, no result" {
    interrupt_when 'part 1: ' INT starvation --speed 1 --seconds 60
}
