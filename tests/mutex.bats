#!/usr/bin/env bats
# mutex: the race's threads with a lock are exact, every time.

load helpers

@test "defaults: 20000 threads, nothing lost" {
    run "$CONCDEMO" mutex
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=20000 iterations=1 workload=count steps=no compare=no "* ]]
    [[ "$(grep '^result:' <<<"$output")" == "result: num=20000 expected=20000 lost=0" ]]
    [[ "$output" == *"No two increments read the same value"* ]]
}

@test "exact on one core too" {
    unless_sanitized thread "20000 of its threads on one CPU take minutes; the two-CPU default runs"
    command -v taskset >/dev/null || skip "taskset is not installed"
    run taskset -c 0 "$CONCDEMO" mutex
    [ "$status" -eq 0 ]
    [[ "$(grep '^result:' <<<"$output")" == "result: num=20000 expected=20000 lost=0" ]]
}

@test "--iterations: exact with many increments per thread" {
    run "$CONCDEMO" mutex --threads 8 --iterations 5000
    [ "$status" -eq 0 ]
    [[ "$(grep '^result:' <<<"$output")" == "result: num=40000 expected=40000 lost=0" ]]
}

@test "--workload balance: seed 001's account ends at 0" {
    run "$CONCDEMO" mutex --workload balance
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "threads=2 iterations=100000 workload=balance "* ]]
    [[ "$(grep '^result:' <<<"$output")" == "result: balance=0 expected=0 bad_reads=0" ]]
    [[ "$output" == *"No thread ever read an impossible balance"* ]]
}

@test "--steps: seed 003's transcript; the second thread waits for the first to release" {
    run "$CONCDEMO" mutex --steps --speed 10
    [ "$status" -eq 0 ]
    # Whichever thread got the lock first is "first"; the other waited.
    local first second
    first=$(grep -m1 -oE 't-[01] +acquired' <<<"$output" | cut -d' ' -f1)
    [ "$first" = t-0 ] && second=t-1 || second=t-0
    for who in "$first" "$second"; do
        local ready acquired current updated released
        ready=$(line_of "$who +ready to update num")
        acquired=$(line_of "$who +acquired the lock")
        current=$(line_of "$who +current value")
        updated=$(line_of "$who +updated to")
        released=$(line_of "$who +releasing the lock")
        [ "$ready" -lt "$acquired" ] && [ "$acquired" -lt "$current" ]
        [ "$current" -lt "$updated" ] && [ "$updated" -lt "$released" ]
    done
    [ "$(line_of "$first +releasing the lock")" -lt "$(line_of "$second +acquired the lock")" ]
    [[ "$output" == *"$first "*"current value 0"* ]]
    [[ "$output" == *"$second "*"current value 1"* ]]
    # the second waited about the first's 0.5 lesson-second pause
    local waited
    waited=$(grep -oE "$second +acquired the lock, after waiting [0-9.]+" <<<"$output" | grep -oE '[0-9.]+$')
    within 0.4 "$waited" 1.5
    within 0.45 "$(time_of "$second +acquired")" 1.5
    [[ "$(grep '^result:' <<<"$output")" == "result: num=2 expected=2 lost=0" ]]
}

@test "--compare: unlocked, mutex and atomic timed in one run; the locked two are exact" {
    run "$CONCDEMO" mutex --compare --threads 2 --iterations 200000
    [ "$status" -eq 0 ]
    [ "$(grep -c '^result: variant=' <<<"$output")" -eq 3 ]
    [ "$(variant_value mutex lost)" -eq 0 ]
    [ "$(variant_value atomic lost)" -eq 0 ]
    [ "$(variant_value atomic num)" -eq 400000 ]
    local unlocked_lost
    unlocked_lost=$(variant_value unlocked lost)
    [ "$(variant_value unlocked num)" -eq $((400000 - unlocked_lost)) ]
    for v in unlocked mutex atomic; do
        within 0.000000001 "$(variant_value $v seconds)" 1000
    done
    [ "$(line_of 'main +unlocked ')" -lt "$(line_of 'main +mutex ')" ]
    [ "$(line_of 'main +mutex ')" -lt "$(line_of 'main +atomic ')" ]
    [[ "$output" == *"The price of the right answer"* ]]
}

@test "jsonl: the result is data" {
    run "$CONCDEMO" mutex --threads 300 --format jsonl
    [ "$status" -eq 0 ]
    jq -e -s 'map(select(.kind == "result"))[0].data == {"num": 300, "expected": 300, "lost": 0}' <<<"$output"
}
