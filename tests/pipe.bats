#!/usr/bin/env bats
# pipe: processes pass messages through a pipe.

load helpers

@test "all five parts run in order, and their results come at the end" {
    run --separate-stderr "$CONCDEMO" pipe
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # every child reaped: no "left unreaped" line
    [[ "${lines[1]}" == "part=all writers=2 records=20 big-bytes=100000 speed=1 "* ]]
    [ "$(line_of 'part 1, seed 000')" -lt "$(line_of 'part 2, seed 004')" ]
    [ "$(line_of 'part 2, seed 004')" -lt "$(line_of 'part 3:')" ]
    [ "$(line_of 'part 3:')" -lt "$(line_of 'part 4:')" ]
    [ "$(line_of 'part 4:')" -lt "$(line_of "part 5, seed 000's warning")" ]
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 5 ]
    [ "$(sed -n 1p <<<"$results")" = "result: part=send got=[42,None,'hello'] child_exit=0" ]
    [ "$(sed -n 2p <<<"$results")" = "result: part=duplex exchanged=2 child_exit=0 one_way_send=EBADF one_way_recv=EBADF" ]
    [ "$(sed -n 3p <<<"$results")" = "result: part=framing sent=2 raw_reads=1 raw_bytes=17 framed_reads=2" ]
    [ "$(sed -n 4p <<<"$results")" = "result: part=eof recv_after_close=EOF send_without_reader=EPIPE" ]
    [[ "$(sed -n 5p <<<"$results")" == "result: part=torn writers=2 records=20 small_bytes=4096 small_torn=0 big_bytes=100000 big_torn="* ]]
}

@test "send: the child's list arrives whole, after the child sent it" {
    run "$CONCDEMO" pipe --part send
    [ "$status" -eq 0 ]
    [ "$(line_of "child +conn.send\(\[42, None, 'hello'\]\)")" -lt "$(line_of "main +\[42, None, 'hello'\]$")" ]
    [ "$(line_of "main +\[42, None, 'hello'\]$")" -lt "$(line_of 'joined the child')" ]
    [ "$(result_value got)" = "[42,None,'hello']" ]
}

@test "duplex: the child sends and waits; the parent prints and replies; the child prints the reply" {
    run "$CONCDEMO" pipe --part duplex
    [ "$status" -eq 0 ]
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

@test "torn: records of PIPE_BUF stay whole; larger ones tear; a lock keeps them whole" {
    local run_with
    for run_with in "" "taskset -c 0"; do
        run $run_with "$CONCDEMO" pipe --part torn --writers 3 --records 30
        [ "$status" -eq 0 ]
        [ "$(result_value small_bytes)" -eq 4096 ]
        [ "$(result_value small_torn)" -eq 0 ]
        [ "$(result_value big_torn)" -gt 0 ]
        [ "$(result_value big_torn)" -le 90 ]
        [ "$(result_value locked_torn)" -eq 0 ]
        [[ "$output" == *"3 x 30 records of 100000 bytes, no lock: $(result_value big_torn) torn"* ]]
    done
}

@test "bad input for every pipe option" {
    usage_error "--part: 'pickle' is not one of the choices (allowed: all|send|duplex|framing|eof|torn)" pipe --part pickle
    usage_error "--writers: '1' is too small (allowed: 2 to 26)" pipe --writers 1
    usage_error "--writers: '27' is too large (allowed: 2 to 26)" pipe --writers 27
    usage_error "--records: '0' is zero" pipe --records 0
    usage_error "--records: '10001' is too large (allowed: 1 to 10000)" pipe --records 10001
    usage_error "--big-bytes: '4096' is too small (allowed: 4097 to 10000000)" pipe --big-bytes 4096
    usage_error "--big-bytes: '1e6' is not a whole number" pipe --big-bytes 1e6
    usage_error "--writers x --records x --big-bytes is 40000000000 bytes a round; at most 2000000000 (2 GB)" \
        pipe --writers 4 --records 10000 --big-bytes 1000000
}

@test "Ctrl-C at a terminal, to the whole process group: exit 130, nothing torn is claimed, none left" {
    INTERRUPT_GROUP=1 interrupt_when "records of 4096 bytes" INT pipe --part torn --records 400 --big-bytes 1000000 --writers 4
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [[ "$output" != *"-1 torn"* ]]
    [[ "$output" != *"This run no record was torn"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
}

@test "Ctrl-C while writers fill the pipe: exit 130, no process left behind" {
    interrupt_when "part 5, seed 000's warning" INT pipe --records 400 --big-bytes 1000000 --writers 4
    [ "$status" -eq 130 ]
    [[ "$output" == *"interrupted by Ctrl-C"* ]]
    [[ "$output" != *"result:"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ] # no "left unreaped"
}
