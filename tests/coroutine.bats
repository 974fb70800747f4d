#!/usr/bin/env bats
# coroutine: greenlet, asyncio and gevent on stackful coroutines, one thread;
# generators on no stack at all.

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

@test "the default runs greenlet, generator, asyncio and gevent, in that order, results at the end" {
    run "$CONCDEMO" coroutine --speed 20
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=article tasks=10000 stack-kib=1 switches=1000000 speed=20 seed="* ]]
    [ "$(line_of 'part 1, seed 000: greenlet')" -lt "$(line_of 'part 2, seeds 000 and 004: generators')" ]
    [ "$(line_of 'part 2, seeds 000 and 004: generators')" -lt "$(line_of 'part 3, seed 004')" ]
    [ "$(line_of 'part 3, seed 004')" -lt "$(line_of 'part 4, seed 000: gevent')" ]
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 4 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=greenlet "* ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=generator "* ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=asyncio "* ]]
    [[ "$(sed -n 4p <<<"$results")" == "result: part=gevent "* ]]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # every part: the article's four at the first test's speed, then scale and switch made small;
    # with whichever build $CONCDEMO is (its switch is asm or ucontext)
    run_in_chinese coroutine --part all --speed 20 --tasks 200 --switches 20000
    [ "${lines[0]}" = "concdemo coroutine: 协程：一个线程上的许多任务，各自主动切换出去" ]
    [[ "${lines[1]}" == "part=all tasks=200 stack-kib=1 switches=20000 speed=20 seed="* ]]
    [ "$(line_of '第 1 部分，seed 000：greenlet')" -lt "$(line_of '第 2 部分，seed 000 和 004：生成器')" ]
    [ "$(line_of '第 2 部分，seed 000 和 004：生成器')" -lt "$(line_of '第 3 部分，seed 004')" ]
    [ "$(line_of '第 3 部分，seed 004')" -lt "$(line_of '第 4 部分，seed 000：gevent')" ]
    [ "$(line_of '第 4 部分，seed 000：gevent')" -lt "$(line_of '第 5 部分，seed 004')" ]
    [ "$(line_of '第 5 部分，seed 004')" -lt "$(line_of '第 6 部分')" ]
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 6 ]
    [[ "$(sed -n 1p <<<"$results")" == "result: part=greenlet printed=12,56,34,78 switches=5 gr1_finished=no gr2_finished=yes" ]]
    [[ "$(sed -n 2p <<<"$results")" == "result: part=generator printed=12,56,34,78 resumes=5 sends=6 generator_bytes=4 "* ]]
    [[ "$(sed -n 3p <<<"$results")" == "result: part=asyncio "*" threads=1" ]]
    [[ "$(sed -n 4p <<<"$results")" == "result: part=gevent "*" one_thread=yes "*" failed=1 finished=2 "* ]]
    [[ "$(sed -n 5p <<<"$results")" == "result: part=scale tasks=200 "*" threads=200 "*" thread_limit=no" ]]
    [[ "$(sed -n 6p <<<"$results")" =~ ^"result: part=switch coro_ns="[0-9]+\.[0-9]" ucontext_ns="[0-9]+\.[0-9]" thread_ns="[0-9]+\.[0-9]" switch="(asm|ucontext)" generator_ns="[0-9]+\.[0-9]$ ]]
    [ "$(sed -n "$(line_of '^result:'),\$p" <<<"$output" | grep -vc '^result:')" -eq 0 ]
    # the articles' programs print what they print: seed 004's Chinese, the producer's English
    [ "$(grep -oE '(main|job\([12]\)) +用了[12]秒?$' <<<"$output" | sed -E 's/ +/ /' | tr '\n' ';')" = "main 用了1;main 用了2;job(1) 用了1秒;job(2) 用了2秒;" ]
    [ "$(grep -cE '^\[ *[0-9.]+\] producer +\[PRODUCER\] Consumer return: 200 OK$' <<<"$output")" -eq 5 ]
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

generator_checks() {
    [ "$status" -eq 0 ]
    # seed 000's program with yield: the same 12 56 34 78, each printed by its generator
    [ "$(grep -E '^\[ *[0-9.]+\] test[12] +[0-9]+$' <<<"$output" | sed -E 's/^\[ *[0-9.]+\] (test[12]) +([0-9]+)$/\1:\2/' | tr '\n' ' ')" = \
        "test1:12 test2:56 test1:34 test2:78 " ]
    [ "$(result_value printed)" = "12,56,34,78" ]
    # the loop's five next() calls, in the order of the Python loop: first from the start, then from a YIELD
    [ "$(grep -oE 'next\(test[12]\): resume_at is [0-9]+' <<<"$output" | sed -E 's/resume_at is [1-9][0-9]*/resumed/; s/resume_at is 0/started/' | tr '\n' ' ')" = \
        "next(test1): started next(test2): started next(test1): resumed next(test2): resumed next(test1): resumed " ]
    [ "$(result_value resumes)" -eq 5 ]
    [ "$(line_of 'test2 +78$')" -lt "$(line_of 'test2 returned: StopIteration')" ]
    [ "$(line_of 'test2 returned: StopIteration')" -lt "$(line_of 'test1 returned: StopIteration')" ]
    # send(): the producer and the consumer print what Python 3.11 printed, line for line
    local python_printed='[PRODUCER] Producing 1...
[CONSUMER] Consuming 1...
[PRODUCER] Consumer return: 200 OK
[PRODUCER] Producing 2...
[CONSUMER] Consuming 2...
[PRODUCER] Consumer return: 200 OK
[PRODUCER] Producing 3...
[CONSUMER] Consuming 3...
[PRODUCER] Consumer return: 200 OK
[PRODUCER] Producing 4...
[CONSUMER] Consuming 4...
[PRODUCER] Consumer return: 200 OK
[PRODUCER] Producing 5...
[CONSUMER] Consuming 5...
[PRODUCER] Consumer return: 200 OK'
    [ "$(grep -E '^\[ *[0-9.]+\] (producer|consumer) ' <<<"$output" | sed -E 's/^\[ *[0-9.]+\] [a-z]+ +//')" = "$python_printed" ]
    [ "$(result_value sends)" -eq 6 ] # c.send(None), then 1 to 5
    # what a suspended generator keeps, against a greenlet
    [ "$(result_value generator_bytes)" -eq 4 ]
    [ "$(result_value consumer_bytes)" -ge 12 ]
    [ "$(result_value consumer_bytes)" -le 16 ]
    [ "$(result_value greenlet_bytes)" -gt 65536 ]
    [[ "$output" == *"generator here keeps 4 bytes, its resume_at; a greenlet of part 1 kept $(result_value greenlet_bytes):"* ]]
}

@test "generator: part 1's program with yield, run by a loop: 12 56 34 78 on no stack; send() as Python prints it" {
    run "$CONCDEMO" coroutine --part generator
    generator_checks
    # no coroutine switch in it: every line is main's or a generator's, on the caller's stack
    [ "$(grep -cE 'switch to ' <<<"$output")" -eq 0 ]
}

@test "generator in the swapcontext build (CORO=ucontext): the same" {
    run "$UCONTEXT_BUILD" coroutine --part generator
    generator_checks
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
    [ "$(line_of 'job\(2\) +job\(2\) starts')" -lt "$(line_of 'job\(1\) +用了1秒$')" ]
    [ "$(line_of 'job\(1\) +用了1秒$')" -lt "$(line_of 'job\(2\) +用了2秒$')" ]
    # the article's own lines, in order: print('用了%s' % t) twice, print(time.time()-start),
    # then print('用了%s秒' % t) twice and the time again, a float as Python prints one
    local said
    said=$(grep -E '^\[ *[0-9.]+\] (main|job\([12]\)) +(用了|[0-9]+\.[0-9]+$)' <<<"$output" | sed -E 's/^\[ *[0-9.]+\] [^ ]+ +//')
    [ "$(sed -n 1,2p <<<"$said" | tr '\n' ' ')" = "用了1 用了2 " ]
    within 2.99 "$(sed -n 3p <<<"$said")" 3.8
    [ "$(sed -n 4,5p <<<"$said" | tr '\n' ' ')" = "用了1秒 用了2秒 " ]
    within 1.99 "$(sed -n 6p <<<"$said")" 2.7
    [ "$(wc -l <<<"$said")" -eq 6 ]
    # one thread: every "starts" line names the same thread id
    [ "$(grep -oE 'starts, thread [0-9]+' <<<"$output" | sort -u | wc -l)" -eq 1 ]
}

# --speed 1: "started at 0" allows 0.2 lesson-seconds, 0.2 s of real time for a
# thread the machine runs late; the 3 s and 2 s have 0.7 s or more
@test "asyncio: one after the other 3 s; as coroutines 2 s, both started at 0, one thread" {
    run "$CONCDEMO" coroutine --part asyncio --speed 1
    asyncio_checks
}

@test "asyncio with swapcontext (CORO=ucontext): the same times" {
    run "$UCONTEXT_BUILD" coroutine --part asyncio --speed 1
    asyncio_checks
}

# The gevent part at --speed 2: its windows' 0.5 lesson-seconds or more above the
# expected time are 0.25 s of real time or more for a late wake-up.
@test "gevent: waits of 1, 2 and 3 s on a timer fd and a child's pipe overlap: 3 s on one thread" {
    run --separate-stderr "$CONCDEMO" coroutine --part gevent --speed 2
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
    # the article's print('%d bytes received from %s.' % ...), its full stop too
    grep -qE '\] fetch2 +20 bytes received from a child process, 2 s\.$' <<<"$output"
    [ "$(grep -cE '\] fetch[123] +GET: ' <<<"$output")" -eq 3 ]
    [ "$(grep -cE '\] fetch[123] +[0-9]+ bytes received from .*\.$' <<<"$output")" -eq 3 ]
    [ -z "$stderr" ] # the child was reaped
}

@test "gevent: monkey.patch_all(), then three time.sleep(1): patched 1 s, all at once; unpatched 3 s, one by one" {
    run "$CONCDEMO" coroutine --part gevent --speed 2
    [ "$status" -eq 0 ]
    [ "$(line_of 'main +monkey.patch_all\(\)$')" -lt "$(line_of 'fetch1 +GET: ')" ]
    # patched: time.sleep is gevent.sleep; all three park at once and wake together
    # (well under the 3 s of one after another, on a loaded machine too)
    within 0.99 "$(result_value patched)" 2.2
    local started
    IFS=, read -ra started <<<"$(result_value patched_started)"
    within 0 "${started[0]}" 0.5
    within 0 "${started[1]}" 0.5
    within 0 "${started[2]}" 0.5
    [ "$(grep -cE 'sleeper[123] +time.sleep\(1\), patched: it is gevent.sleep' <<<"$output")" -eq 3 ]
    [ "$(line_of 'sleeper3 +time.sleep\(1\), patched')" -lt "$(line_of 'sleeper1 +woke')" ]
    # unpatched: each sleep holds the thread; the next coroutine starts only when it wakes
    # (the lower ends are the point; three wake-ups' delays add up on a loaded single CPU)
    within 2.99 "$(result_value unpatched)" 5
    IFS=, read -ra started <<<"$(result_value unpatched_started)"
    within 0 "${started[0]}" 0.5
    within 0.99 "${started[1]}" 2.5
    within 1.99 "${started[2]}" 4
    [ "$(grep -cE 'sleeper[123] +time.sleep\(1\), unpatched: the whole thread sleeps' <<<"$output")" -eq 3 ]
    local unpatched_from
    unpatched_from=$(line_of 'time.sleep = the thread.s own')
    [ "$(sed -n "$unpatched_from,\$p" <<<"$output" | grep -E '^\[ *[0-9.]+\] sleeper[123] +(time.sleep|woke)' | sed -E 's/^\[ *[0-9.]+\] (sleeper[123]) +(time|woke).*/\1:\2/' | tr '\n' ' ')" = \
        "sleeper1:time sleeper1:woke sleeper2:time sleeper2:woke sleeper3:time sleeper3:woke " ]
    [[ "$output" == *"sleeper2 could not even start until sleeper1 woke"* ]]
}

@test "gevent: a plain sleep in one coroutine stalls the others; a failure calls link_exception, the rest go on" {
    run "$CONCDEMO" coroutine --part gevent --speed 2
    [ "$status" -eq 0 ]
    within 0.9 "$(result_value blocked_late)" 2
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
    # all slept at once: seconds, not a thousand (an instrumented build, on a busy machine, took 4.7)
    local most=4
    [ -z "${CONCDEMO_SANITIZER:-}" ] || most=10
    within 0.99 "$(result_value coro_wall)" "$most"
}

@test "switch: a generator resume, a coroutine switch, a swapcontext and a thread hand-off, each timed" {
    run "$CONCDEMO" coroutine --part switch --switches 20000
    [ "$status" -eq 0 ]
    local key
    for key in generator_ns coro_ns ucontext_ns thread_ns; do
        [[ "$(result_value "$key")" =~ ^[0-9]+\.[0-9]$ ]]
    done
    [ "$(result_value switch)" = asm ]
    [[ "$output" == *"coroutine switch, the hand-written switch: "*" ns (20000 switches)"* ]]
    [[ "$output" == *"generator, resumed to its next yield and back: "*" ns (20000 resumes)"* ]]
    run "$UCONTEXT_BUILD" coroutine --part switch --switches 20000
    [ "$status" -eq 0 ]
    [ "$(result_value switch)" = ucontext ]
    [[ "$output" == *"coroutine switch, swapcontext (this build: CORO=ucontext): "* ]]
}

@test "bad input for every coroutine option" {
    usage_error "--part: 'yield' is not one of the choices (allowed: article|greenlet|generator|asyncio|gevent|scale|switch|all)" coroutine --part yield
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
    ! pgrep -f 'concdemo coroutine --part gevent --speed 1 --seed 525252' || false
}

@test "Ctrl-C during a long switch timing: it stops within the run, exit 130" {
    interrupt_when 'part 6: what a switch costs' INT coroutine --part switch --switches 100000000
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    # it stopped in the timing itself, long before the hundred million
    local stopped
    stopped=$(grep -oE 'stopped after [0-9]+ of [0-9]+ (generator resumes|coroutine switches|swapcontext switches|thread hand-offs)' <<<"$output")
    [ -n "$stopped" ]
    [ "$(awk '{ print $3 }' <<<"$stopped")" -lt "$(awk '{ print $5 }' <<<"$stopped")" ]
    [[ "$output" != *"coroutine switch, the hand-written switch"* ]]
}

@test "Ctrl-C while a coroutine blocks the thread: the sleep wakes, exit 130" {
    # speed 2: rude is 7 lesson-seconds into the part; its sleep still lasts a whole second
    interrupt_when 'rude +time.sleep\(2\)' INT coroutine --part gevent --speed 2
    [ "$status" -eq 130 ]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"polite   woke"* ]]
}

@test "Ctrl-C while the unpatched time.sleep holds the thread: exit 130, long before the three sleeps end" {
    # speed 2: the three sleeps take 1.5 s of wall time after the cue
    interrupt_when 'sleeper1 +time.sleep\(1\), unpatched' INT coroutine --part gevent --speed 2
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"joinall, unpatched time.sleep"* ]]
    [[ "$output" != *"sleeper3 time.sleep(1), unpatched"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}
