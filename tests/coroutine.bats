#!/usr/bin/env bats
# coroutine: greenlet, asyncio and gevent on stackful coroutines, one thread.

load helpers

# The same lesson built with swapcontext() instead of the hand-written switch.
setup_file() {
    if [ "$(uname -m)" = x86_64 ]; then
        # under `make check SANITIZE=...` this builds the same sanitizer's
        make -s -C "$BATS_TEST_DIRNAME/.." CORO=ucontext >/dev/null
        export UCONTEXT_BUILD="$BATS_TEST_DIRNAME/../$(basename "$CONCDEMO")-ucontext"
    else
        export UCONTEXT_BUILD="$CONCDEMO" # the fallback is the only build there
    fi
}

@test "the default runs greenlet, asyncio and gevent, in that order, results at the end" {
    run "$CONCDEMO" coroutine --speed 20
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=article tasks=10000 stack-kib=1 switches=1000000 speed=20 seed="* ]]
    [ "$(line_of 'part 1, seed 000: greenlet')" -lt "$(line_of 'part 2, seed 004')" ]
    [ "$(line_of 'part 2, seed 004')" -lt "$(line_of 'part 3, seed 000: gevent')" ]
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 3 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=greenlet "* ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=asyncio "* ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=gevent "* ]]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
}

greenlet_checks() {
    [ "$status" -eq 0 ]
    # exactly 12 56 34 78, each printed by its greenlet
    [ "$(grep -E '^\[ *[0-9.]+\] gr[12] +[0-9]+$' <<<"$output" | sed -E 's/^\[ *[0-9.]+\] (gr[12]) +([0-9]+)$/\1:\2/' | tr '\n' ' ')" = \
        "gr1:12 gr2:56 gr1:34 gr2:78 " ]
    [ "$(result_value printed)" = "12,56,34,78" ]
    [[ "$output" == *"Printed: 12 56 34 78, on one thread"* ]]
    # every switch is announced before the line it leads to
    [ "$(grep -cE '(main|gr1|gr2) +switch to gr[12]: ' <<<"$output")" -eq 4 ]
    [ "$(line_of 'main +switch to gr1')" -lt "$(line_of 'gr1 +12$')" ]
    [ "$(line_of 'gr1 +switch to gr2')" -lt "$(line_of 'gr2 +56$')" ]
    [ "$(line_of 'gr2 +switch to gr1')" -lt "$(line_of 'gr1 +34$')" ]
    [ "$(line_of 'gr2 +78$')" -lt "$(line_of 'gr2 +returns: control goes back to main')" ]
    [ "$(result_value switches)" -eq 5 ]
    [ "$(result_value gr1_finished)" = no ]
    [ "$(result_value gr2_finished)" = yes ]
}

@test "greenlet with the hand-written switch: 12 56 34 78, every switch shown with its stack pointers" {
    run "$CONCDEMO" coroutine --part greenlet
    greenlet_checks
    grep -qE 'main +switch to gr1: push my registers, save my stack pointer; load gr1.s, 0x[0-9a-f]+, pop its registers' <<<"$output"
}

@test "greenlet with swapcontext (CORO=ucontext): the same order" {
    run "$UCONTEXT_BUILD" coroutine --part greenlet
    greenlet_checks
    [[ "$output" == *"swapcontext() saves my registers and signal mask"* ]]
}

asyncio_checks() {
    [ "$status" -eq 0 ]
    within 2.99 "$(result_value one_by_one)" 3.8
    within 1.99 "$(result_value together)" 2.7
    # both start at once, at 0 (a loaded machine may take a few ms): long before job(1)'s 1 s is up
    local started
    IFS=, read -ra started <<<"$(result_value started)"
    within 0 "${started[0]}" 0.2
    within 0 "${started[1]}" 0.2
    [ "$(result_value threads)" -eq 1 ]
    # both jobs start before either finishes; the one-second job finishes first
    [ "$(line_of 'job\(2\) +job\(2\) starts')" -lt "$(line_of 'job\(1\) +took 1 s')" ]
    [ "$(line_of 'job\(1\) +took 1 s')" -lt "$(line_of 'job\(2\) +took 2 s')" ]
    # one thread: every "starts" line names the same thread id
    [ "$(grep -oE 'starts, thread [0-9]+' <<<"$output" | sort -u | wc -l)" -eq 1 ]
}

@test "asyncio: one after the other 3 s; as coroutines 2 s, both started at 0, one thread" {
    run "$CONCDEMO" coroutine --part asyncio --speed 10
    asyncio_checks
}

@test "asyncio with swapcontext (CORO=ucontext): the same times" {
    run "$UCONTEXT_BUILD" coroutine --part asyncio --speed 10
    asyncio_checks
}

@test "gevent: waits of 1, 2 and 3 s on a timer fd and a child's pipe overlap: 3 s on one thread" {
    run --separate-stderr "$CONCDEMO" coroutine --part gevent --speed 10
    [ "$status" -eq 0 ]
    within 2.99 "$(result_value waits)" 3.6
    [ "$(result_value one_thread)" = yes ]
    local done_at
    IFS=, read -ra done_at <<<"$(result_value done_at)"
    within 0.99 "${done_at[0]}" 1.5
    within 1.99 "${done_at[1]}" 2.6
    within 2.99 "${done_at[2]}" 3.5
    # all three asked before any answered
    [ "$(line_of 'fetch3 +GET: a timer fd, 3 s')" -lt "$(line_of 'fetch1 +8 bytes received')" ]
    [[ "$output" == *"fetch2   20 bytes received from a child process, 2 s"* ]]
    [ -z "$stderr" ] # the child was reaped
}

@test "gevent: a plain sleep in one coroutine stalls the others; a failure calls link_exception, the rest go on" {
    run "$CONCDEMO" coroutine --part gevent --speed 10
    [ "$status" -eq 0 ]
    within 0.9 "$(result_value blocked_late)" 1.5
    [ "$(line_of 'rude +done blocking')" -lt "$(line_of 'polite +woke from a 1 s sleep')" ]
    [[ "$output" == *"nothing runs while one coroutine blocks"* ]]
    [ "$(result_value failed)" -eq 1 ]
    [ "$(result_value finished)" -eq 2 ]
    [ "$(line_of 'worker2 +raise ValueError')" -lt "$(line_of 'hub +link_exception callback: worker2 failed: ValueError: this one fails')" ]
    [ "$(line_of 'link_exception callback')" -lt "$(line_of 'worker1 +finished')" ]
    [ "$(grep -cE 'worker[13] +finished' <<<"$output")" -eq 2 ]
}

@test "scale: 2000 coroutines and 2000 threads sleep 1 s at once; times, memory and stack depth measured" {
    unless_sanitized "thread|address" "each coroutine gets a 64 KiB stack there (instrumented frames are larger), not 1 KiB"
    run "$CONCDEMO" coroutine --part scale --tasks 2000
    [ "$status" -eq 0 ]
    [ "$(result_value tasks)" -eq 2000 ]
    [ "$(result_value threads)" -eq 2000 ]
    [ "$(result_value thread_limit)" = no ]
    # all of them slept at once: about 1 s in all, not 2000
    within 0.99 "$(result_value coro_wall)" 4
    within 0.99 "$(result_value thread_wall)" 8
    [[ "$(result_value coro_kib_each)" =~ ^-?[0-9]+\.[0-9]+$ ]]
    [[ "$(result_value thread_kib_each)" =~ ^-?[0-9]+\.[0-9]+$ ]]
    # a nap used some of its stack, and less than all of it
    [ "$(result_value stack_used)" -gt 0 ]
    [ "$(result_value stack_used)" -lt 1024 ]
    [[ "$output" == *"Each is its stack (1024 bytes, of which a nap used $(result_value stack_used)), its record"* ]]
}

@test "scale with one coroutine: its stack, its record and its timer, measured while it sleeps" {
    run --separate-stderr "$CONCDEMO" coroutine --part scale --tasks 1
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [ "$(result_value tasks)" -eq 1 ]
    [ "$(result_value threads)" -eq 1 ]
    [[ "$output" == *"Each is its stack (1024 bytes, of which a nap used $(result_value stack_used))"* ]]
}

@test "scale past the thread limit: the threads stop at it, and the transcript names it" {
    run bash -c 'ulimit -u 300; exec "$0" coroutine --part scale --tasks 1000' "$CONCDEMO"
    [ "$status" -eq 0 ]
    [ "$(result_value thread_limit)" = yes ]
    [ "$(result_value threads)" -lt 1000 ]
    [[ "$output" == *"threads started: concdemo stops at $(result_value threads), its estimate of what this system allows: ulimit -u"* ]]
    within 0.99 "$(result_value coro_wall)" 4
}

@test "switch: a coroutine switch, a swapcontext and a thread hand-off, each timed" {
    run "$CONCDEMO" coroutine --part switch --switches 20000
    [ "$status" -eq 0 ]
    local key
    for key in coro_ns ucontext_ns thread_ns; do
        [[ "$(result_value "$key")" =~ ^[0-9]+\.[0-9]$ ]]
    done
    [ "$(result_value switch)" = asm ]
    [[ "$output" == *"coroutine switch, the hand-written switch: "*" ns (20000 switches)"* ]]
    run "$UCONTEXT_BUILD" coroutine --part switch --switches 20000
    [ "$status" -eq 0 ]
    [ "$(result_value switch)" = ucontext ]
    [[ "$output" == *"coroutine switch, swapcontext (this build: CORO=ucontext): "* ]]
}

@test "bad input for every coroutine option" {
    usage_error "--part: 'yield' is not one of the choices (allowed: article|greenlet|asyncio|gevent|scale|switch|all)" coroutine --part yield
    usage_error "--tasks: '0' is zero" coroutine --tasks 0
    usage_error "--tasks: '2000001' is too large (allowed: 1 to 2000000)" coroutine --tasks 2000001
    usage_error "--tasks: 'lots' is not a whole number" coroutine --tasks lots
    usage_error "--stack-kib: '0' is zero" coroutine --stack-kib 0
    usage_error "--stack-kib: '1025' is too large (allowed: 1 to 1024)" coroutine --stack-kib 1025
    usage_error "--switches: '999' is too small (allowed: 1000 to 100000000)" coroutine --switches 999
    usage_error "--switches: '-5' is negative" coroutine --switches -5
    usage_error "unknown option '--greenlets'" coroutine --greenlets 3
}

@test "Ctrl-C while the coroutines wait in poll(): exit 130 at once, no result, the child reaped" {
    interrupt_when 'fetch3 +GET: a timer fd' INT coroutine --part gevent --speed 1 --seed 525252
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"bytes received from a timer fd, 3 s"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
    ! pgrep -f 'concdemo coroutine --part gevent --speed 1 --seed 525252'
}

@test "Ctrl-C during a long switch timing: it stops within the run, exit 130" {
    interrupt_when 'part 5: what a switch costs' INT coroutine --part switch --switches 100000000
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    # it stopped in the timing itself, long before the hundred million
    local stopped
    stopped=$(grep -oE 'stopped after [0-9]+ of [0-9]+ (coroutine switches|swapcontext switches|thread hand-offs)' <<<"$output")
    [ -n "$stopped" ]
    [ "$(awk '{ print $3 }' <<<"$stopped")" -lt "$(awk '{ print $5 }' <<<"$stopped")" ]
    [[ "$output" != *"coroutine switch, the hand-written switch"* ]]
}

@test "Ctrl-C while a coroutine blocks the thread: the sleep wakes, exit 130" {
    interrupt_when 'rude +time.sleep\(2\)' INT coroutine --part gevent --speed 1
    [ "$status" -eq 130 ]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"polite   woke"* ]]
}
