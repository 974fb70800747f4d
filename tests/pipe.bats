#!/usr/bin/env bats
# pipe: processes pass messages through a pipe.

load helpers

# the five parts' result lines, in order
assert_pipe_results() {
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 5 ]
    [ "$(sed -n 1p <<<"$results")" = "result: part=send got=[42,None,'hello'] child_exit=0" ]
    [ "$(sed -n 2p <<<"$results")" = "result: part=duplex exchanged=2 child_exit=0 one_way_send=EBADF one_way_recv=EBADF same_process=hello" ]
    [ "$(sed -n 3p <<<"$results")" = "result: part=framing sent=2 raw_reads=1 raw_bytes=17 framed_reads=2" ]
    [ "$(sed -n 4p <<<"$results")" = "result: part=eof recv_after_close=EOF send_without_reader=EPIPE" ]
    [[ "$(sed -n 5p <<<"$results")" == "result: part=torn writers=2 records=20 small_bytes=4096 small_torn=0 big_bytes=100000 big_torn="* ]]
    [[ "$(sed -n 5p <<<"$results")" == *" framed_bytes=20480 framed_torn="*" socket_small_torn="*" medium=both" ]]
}

@test "all five parts run in order, and their results come at the end" {
    run --separate-stderr "$CONCDEMO" pipe
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # every child reaped: no "left unreaped" line
    [[ "${lines[1]}" == "part=all writers=2 records=20 big-bytes=100000 framed-bytes=20480 medium=both speed=1 "* ]]
    [ "$(line_of 'part 1, seed 000')" -lt "$(line_of 'part 2, seeds 003 and 004')" ]
    [ "$(line_of 'part 2, seeds 003 and 004')" -lt "$(line_of 'part 3:')" ]
    [ "$(line_of 'part 3:')" -lt "$(line_of 'part 4:')" ]
    [ "$(line_of 'part 4:')" -lt "$(line_of "part 5, seed 000's warning")" ]
    assert_pipe_results
}


@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" pipe --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # no "untranslated", and every child reaped
    [ "${lines[0]}" = "concdemo pipe: 进程通过管道传递消息：分帧、双向、直到结束" ]
    [ "$(line_of '第 1 部分，seed 000')" -lt "$(line_of '第 2 部分，seed 003 和 004')" ]
    [ "$(line_of '第 2 部分，seed 003 和 004')" -lt "$(line_of '第 3 部分：')" ]
    [ "$(line_of '第 3 部分：')" -lt "$(line_of '第 4 部分：')" ]
    [ "$(line_of '第 4 部分：')" -lt "$(line_of '第 5 部分，seed 000 的警告')" ]
    # the articles' programs print what they print, in any language
    [ "$(line_of "main +\[42, None, 'hello'\]$")" -gt 0 ]
    [ "$(line_of 'child +hi son$')" -gt 0 ]
    assert_pipe_results
    [ "$(result_value locked_torn)" -eq 0 ]
    [ "$(result_value socket_locked_torn)" -eq 0 ]
}

@test "the articles' programs print their own lines, by the process that prints them, in their order" {
    # python3 3.11 printed, seed 000: [42, None, 'hello']; seed 003: hello;
    # seed 004: hello world (the parent), then hi son (the child)
    run "$CONCDEMO" pipe --part send --format jsonl
    [ "$status" -eq 0 ]
    [ "$(jq -r 'select(.kind == "event" and .text == "[42, None, '"'"'hello'"'"']") | .actor' <<<"$output")" = main ]
    run "$CONCDEMO" pipe --part duplex --format jsonl
    [ "$status" -eq 0 ]
    local printed
    printed=$(jq -r 'select(.kind == "event" and (.text == "hello" or .text == "hello world" or .text == "hi son"))
        | "\(.actor): \(.text)"' <<<"$output")
    [ "$printed" = $'main: hello\nmain: hello world\nchild: hi son' ]
}

@test "send: the child's list arrives whole, after the child sent it" {
    run "$CONCDEMO" pipe --part send
    [ "$status" -eq 0 ]
    [ "$(line_of "child +conn.send\(\[42, None, 'hello'\]\)")" -lt "$(line_of "main +\[42, None, 'hello'\]$")" ]
    [ "$(line_of "main +\[42, None, 'hello'\]$")" -lt "$(line_of 'joined the child')" ]
    [ "$(result_value got)" = "[42,None,'hello']" ]
}

@test "duplex: seed 003's hello; the child sends and waits; the parent prints and replies; the child prints the reply" {
    run "$CONCDEMO" pipe --part duplex
    [ "$status" -eq 0 ]
    # seed 003 first, in one process: send on one end, receive on the other
    [ "$(line_of "main +conn1.send\('hello'\)$")" -lt "$(line_of 'main +hello$')" ]
    [ "$(line_of 'main +hello$')" -lt "$(line_of "child +sk.send\('hello world'\)")" ]
    [ "$(result_value same_process)" = hello ]
    [ "$(line_of "child +sk.send\('hello world'\)")" -lt "$(line_of 'main +hello world$')" ]
    [ "$(line_of 'main +hello world$')" -lt "$(line_of "main +conn2.send\('hi son'\)")" ]
    [ "$(line_of "main +conn2.send\('hi son'\)")" -lt "$(line_of 'child +hi son$')" ]
    [ "$(line_of 'child +hi son$')" -lt "$(line_of 'joined the child: it exited with 0')" ]
    # one way: the wrong direction is refused by the kernel
    [[ "$output" == *"reader.send('hello'): refused, EBADF"* ]]
    [[ "$output" == *"writer.recv(): refused, EBADF"* ]]
    [ "$(result_value one_way_send)" = EBADF ]
    [ "$(result_value one_way_recv)" = EBADF ]
}

@test "framing: two writes come out of one read glued; with lengths, two messages" {
    run "$CONCDEMO" pipe --part framing
    [ "$status" -eq 0 ]
    [[ "$output" == *"read() -> 'hello worldhi son': 17 bytes, one piece"* ]]
    [ "$(grep -cE "main +recv\(\) -> '(hello world|hi son)'$" <<<"$output")" -eq 2 ]
    [ "$(line_of "recv\(\) -> 'hello world'")" -lt "$(line_of "recv\(\) -> 'hi son'")" ]
    [ "$(result_value raw_reads)" -eq 1 ]
    [ "$(result_value framed_reads)" -eq 2 ]
}

@test "eof: recv after every writer closed is EOF; send with no reader is EPIPE" {
    run "$CONCDEMO" pipe --part eof
    [ "$status" -eq 0 ]
    [ "$(line_of "recv\(\) -> 'bye'")" -lt "$(line_of 'recv\(\) again: EOF')" ]
    [[ "$output" == *"recv() again: EOF (end of file) -- Python raises EOFError"* ]]
    [[ "$output" == *"send('anyone?'): EPIPE (Broken pipe) -- Python raises BrokenPipeError"* ]]
    [ "$(result_value recv_after_close)" = EOF ]
    [ "$(result_value send_without_reader)" = EPIPE ]
}

# Part 5's rounds, one per line: "MEDIUM COUNT SAW_NONE", where SAW_NONE is 1
# if the notes under the round say "This run saw none torn", else 0.
torn_rounds() {
    awk '
        /^\[ *[0-9.]+\] main +(pipe|socketpair): .*: [0-9]+ torn/ {
            if (round != "") print round, saw
            match($0, /: [0-9]+ torn/); count = substr($0, RSTART + 2, RLENGTH - 7)
            medium = ($0 ~ /\] main +pipe: /) ? "pipe" : "socketpair"
            what = ($0 ~ /lock around each write/) ? "locked" : ($0 ~ /sent as Python does/) ? "framed" : \
                   ($0 ~ /records of 4096 bytes/) ? "small" : "big"
            round = medium " " what " " count; saw = 0; next
        }
        /^\[/ { if (round != "") print round, saw; round = "" }
        round != "" && /# This run saw none torn; nothing promised that\./ { saw = 1 }
        END { if (round != "") print round, saw }' <<<"$output"
}

# Every round on both media: each record whole or counted torn; what POSIX or
# the lock guarantees holds; elsewhere "This run saw none torn" is said
# exactly when the run saw none (a tear is never promised either).
torn_rounds_hold() {
    local writers=$1 records=$2 medium what count saw
    [[ "$output" == *"main     every record came back, whole or counted torn"* ]] || { echo "no accounting line"; return 1; }
    [ "$(torn_rounds | wc -l)" -eq 8 ] || { echo "not 8 rounds: $(torn_rounds)"; return 1; }
    while read -r medium what count saw; do
        [ "$count" -ge 0 ] && [ "$count" -le $((writers * records)) ] || { echo "$medium $what: $count torn"; return 1; }
        case $medium-$what in
        pipe-small | *-locked)
            [ "$count" -eq 0 ] && [ "$saw" -eq 0 ] || { echo "$medium $what: $count torn, sentence $saw"; return 1; } ;;
        *)
            [ "$saw" -eq $((count == 0)) ] || { echo "$medium $what: $count torn, sentence $saw"; return 1; } ;;
        esac
    done < <(torn_rounds)
    [ "$(result_value small_torn)" -eq 0 ]
    [ "$(result_value locked_torn)" -eq 0 ]
    [ "$(result_value socket_locked_torn)" -eq 0 ]
    [ "$(result_value framed_between)" -le "$(result_value framed_torn)" ]
    [ "$(result_value socket_framed_between)" -le "$(result_value socket_framed_torn)" ]
    # the result keys are the counts the transcript said
    [ "$(torn_rounds | awk '$1 == "pipe" && $2 == "big" { print $3 }')" -eq "$(result_value big_torn)" ]
    [ "$(torn_rounds | awk '$1 == "socketpair" && $2 == "small" { print $3 }')" -eq "$(result_value socket_small_torn)" ]
    [ "$(torn_rounds | awk '$1 == "socketpair" && $2 == "big" { print $3 }')" -eq "$(result_value socket_big_torn)" ]
    [ "$(torn_rounds | awk '$1 == "socketpair" && $2 == "framed" { print $3 }')" -eq "$(result_value socket_framed_torn)" ]
}

@test "torn, on a pipe and a socketpair: what is promised holds, and a run that saw no tear says so" {
    local run_with
    for run_with in "" "taskset -c 0"; do
        run $run_with "$CONCDEMO" pipe --part torn --writers 3 --records 30
        [ "$status" -eq 0 ]
        [ "$(result_value small_bytes)" -eq 4096 ]
        [ "$(result_value medium)" = both ]
        torn_rounds_hold 3 30
        [ "$(line_of '\] main +pipe: ')" -lt "$(line_of '\] main +socketpair: ')" ]
        [[ "$output" == *"# POSIX: a write of at most PIPE_BUF (4096) bytes goes into a pipe whole."* ]]
        [[ "$output" == *"# POSIX's PIPE_BUF promise is for pipes: to a stream socket, no size of write is sure to stay whole."* ]]
        [[ "$output" == *"pipe: 3 x 30 records of 100000 bytes, no lock: $(result_value big_torn) torn"* ]]
        [[ "$output" == *"socketpair: 3 x 30 messages of 20480 bytes, sent as Python does: $(result_value socket_framed_torn) torn, $(result_value socket_framed_between) between length and message"* ]]
        [[ "$output" == *"# Above 16 KiB, Python's send() writes the length, then the message: two writes, and"* ]]
    done
}

@test "torn: records larger than the pipe (64 KiB) and the socket's send buffer must wait part done, and tear on both" {
    # A write that cannot fit waits with part of it sent, while the other
    # writers, started together with as much to write, wait to write too.
    local run_with
    for run_with in "" "taskset -c 0"; do
        run $run_with "$CONCDEMO" pipe --part torn --writers 3 --records 30 --big-bytes 300000
        [ "$status" -eq 0 ]
        torn_rounds_hold 3 30
        [ "$(result_value big_torn)" -gt 0 ]
        [ "$(result_value socket_big_torn)" -gt 0 ]
        [[ "$output" == *"# A write larger than PIPE_BUF may go in part by part, as the pipe has room; another"* ]]
        [[ "$output" == *"# The kernel took a long write in pieces, and another writer's pieces came between them."* ]]
    done
}

@test "torn: sent as Python does, up to 16 KiB the length and the message go in one write; on a pipe, whole up to PIPE_BUF" {
    run "$CONCDEMO" pipe --part torn --medium pipe --writers 3 --records 30 --framed-bytes 4092
    [ "$status" -eq 0 ]
    [ "$(result_value framed_bytes)" -eq 4092 ]
    [ "$(result_value framed_torn)" -eq 0 ]
    [ "$(result_value framed_between)" -eq 0 ]
    [[ "$output" == *"# Up to 16 KiB, Python's send() writes the length and the message in one write."* ]]
    [ "$(torn_rounds | awk '$2 == "framed" { print $3, $4 }')" = "0 0" ] # promised: no "saw none"
    run "$CONCDEMO" pipe --part torn --medium socketpair --writers 3 --records 30 --framed-bytes 16384
    [ "$status" -eq 0 ]
    [[ "$output" == *"# Up to 16 KiB, Python's send() writes the length and the message in one write."* ]]
    local count saw
    read -r count saw < <(torn_rounds | awk '$2 == "framed" { print $3, $4 }')
    [ "$saw" -eq $((count == 0)) ] # a socket promises nothing
}

@test "torn: --medium runs one medium, and its keys only" {
    run "$CONCDEMO" pipe --part torn --medium pipe
    [ "$status" -eq 0 ]
    [ "$(torn_rounds | awk '{ print $1 }' | sort -u)" = pipe ]
    [[ "$output" == *"# pipe: a pipe(), what Pipe(duplex=False) makes."* ]]
    [[ "$output" != *"# socketpair:"* ]]
    [[ "$(grep '^result:' <<<"$output")" == *" locked_torn=0 framed_bytes=20480 framed_torn="*" medium=pipe" ]]
    [[ "$output" != *"socket_"* ]]
    run "$CONCDEMO" pipe --part torn --medium socketpair
    [ "$status" -eq 0 ]
    [ "$(torn_rounds | awk '{ print $1 }' | sort -u)" = socketpair ]
    [[ "$output" == *"# socketpair: a socketpair(), a stream socket, what Pipe() makes."* ]]
    [ "$(grep '^result:' <<<"$output")" = "result: part=torn writers=2 records=20 small_bytes=4096 big_bytes=100000 framed_bytes=20480 socket_small_torn=$(result_value socket_small_torn) socket_big_torn=$(result_value socket_big_torn) socket_locked_torn=0 socket_framed_torn=$(result_value socket_framed_torn) socket_framed_between=$(result_value socket_framed_between) medium=socketpair" ]
    # the note on Python's two writes comes on the first medium that ran
    [[ "$output" == *"# Above 16 KiB, Python's send() writes the length, then the message: two writes, and"* ]]
}

@test "bad input for every pipe option" {
    usage_error "--part: 'pickle' is not one of the choices (allowed: all|send|duplex|framing|eof|torn)" pipe --part pickle
    usage_error "--writers: '1' is too small (allowed: 2 to 26)" pipe --writers 1
    usage_error "--writers: '27' is too large (allowed: 2 to 26)" pipe --writers 27
    usage_error "--records: '0' is zero" pipe --records 0
    usage_error "--records: '10001' is too large (allowed: 1 to 10000)" pipe --records 10001
    usage_error "--big-bytes: '4096' is too small (allowed: 4097 to 10000000)" pipe --big-bytes 4096
    usage_error "--big-bytes: '1e6' is not a whole number" pipe --big-bytes 1e6
    usage_error "--framed-bytes: '0' is zero" pipe --framed-bytes 0
    usage_error "--framed-bytes: '10000001' is too large (allowed: 1 to 10000000)" pipe --framed-bytes 10000001
    usage_error "--medium: 'fifo' is not one of the choices (allowed: both|pipe|socketpair)" pipe --medium fifo
    usage_error "--writers x --records x --big-bytes (or --framed-bytes) is 40000000000 bytes a round; at most 2000000000 (2 GB)" \
        pipe --writers 4 --records 10000 --big-bytes 1000000
    usage_error "--writers x --records x --big-bytes (or --framed-bytes) is 20000000000 bytes a round; at most 2000000000 (2 GB)" \
        pipe --writers 2 --records 10000 --framed-bytes 1000000
}

@test "Ctrl-C at a terminal, to the whole process group: exit 130, nothing torn is claimed, none left" {
    INTERRUPT_GROUP=1 interrupt_when "records of 4096 bytes" INT pipe --part torn --records 400 --big-bytes 1000000 --writers 4
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"-1 torn"* ]]
    [[ "$output" != *"This run saw none torn"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "Ctrl-C while writers fill the pipe: exit 130, no process left behind" {
    interrupt_when "part 5, seed 000's warning" INT pipe --records 400 --big-bytes 1000000 --writers 4
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ] # no "left unreaped"
}
