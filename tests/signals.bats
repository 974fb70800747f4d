#!/usr/bin/env bats
# Ctrl-C and SIGTERM, for every lesson: once it has started, while it works.
# It stops, exits 128 + the signal, prints no result, resets the colour, and
# leaves no process and no file in /dev/shm behind.

load helpers

# A run of each lesson long enough to be interrupted after its first event.
lesson_runs() {
    cat <<'EOF'
race --steps --speed 0.5
mutex --steps --speed 0.5
rlock
semaphore
event-traffic-light --cars 3
condition
queue --part pool --processes --items 200
pipe --part torn --records 400 --big-bytes 1000000 --writers 4
pool
coroutine
EOF
}

@test "every lesson: SIGINT and SIGTERM after it started stop it cleanly, colour reset, nothing left behind" {
    local shm_before signal lesson args seed=777000
    shm_before=$(ls /dev/shm 2>/dev/null | sort)
    while read -r lesson args; do
        for signal in INT TERM; do
            seed=$((seed + 1))
            # shellcheck disable=SC2086
            interrupt_when '^\[ *[0-9.]+\]' "$signal" "$lesson" $args --color always --seed "$seed"
            local expected=130
            [ "$signal" = TERM ] && expected=143
            [ "$status" -eq "$expected" ] || { echo "$lesson $signal: exit $status"; return 1; }
            [[ "$output" != *"result:"* ]] || { echo "$lesson $signal: a result after the signal"; return 1; }
            [[ "$output" == *"interrupted by "* ]] || { echo "$lesson $signal: no interrupted line"; return 1; }
            # the last thing written resets the colour
            [[ "$output" == *$'\e[0m' ]] || { echo "$lesson $signal: colour not reset at the end"; return 1; }
            [ ! -s "$BATS_TEST_TMPDIR/stderr" ] || { echo "$lesson $signal: stderr: $(cat "$BATS_TEST_TMPDIR/stderr")"; return 1; }
            ! pgrep -f -- "--seed $seed\$" || { echo "$lesson $signal: a process was left"; return 1; }
        done
    done < <(lesson_runs)
    [ "$(ls /dev/shm 2>/dev/null | sort)" = "$shm_before" ]
}
