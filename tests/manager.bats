#!/usr/bin/env bats
# manager: data shared between processes: Value/Array, a Manager, one on the
# network, and what the server refuses.

load helpers

setup_file() {
    # the hand-written HMAC-MD5, built alone, to compare with python3's hmac
    cc -O2 -I"$BATS_TEST_DIRNAME/../demos/primitives" -o "$BATS_FILE_TMPDIR/hmac_md5_check" \
        "$BATS_TEST_DIRNAME/hmac_md5_check.c" "$BATS_TEST_DIRNAME/../demos/primitives/hmac_md5.c"
}

# five result lines, one a part, all at the end; the manager's dict and list
assert_manager_results() {
    local results
    results=$(grep '^result:' <<<"$output")
    [ "$(wc -l <<<"$results")" -eq 5 ]
    [ "$(grep -c '^result: part=' <<<"$results")" -eq 5 ]
    [ "$(tail -5 <<<"$output" | grep -c '^result:')" -eq 5 ] # all at the end
    [[ "$(sed -n 2p <<<"$results")" == "result: part=manager dict={1:'1','2':2,0.25:None} list_length=15 failed=0 "* ]]
}

@test "all five parts run in order, every child reaped, and their results come at the end" {
    run --separate-stderr "$CONCDEMO" manager --speed 20
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # every child reaped: no "left unreaped" line
    [[ "${lines[1]}" == "part=all processes=10 increments=1000 ops=10000 tasks=10 workers=2 hold=0 speed=20 "* ]]
    [ "$(line_of 'part 1, seed 003')" -lt "$(line_of 'part 2, seed 000')" ]
    [ "$(line_of 'part 2, seed 000')" -lt "$(line_of 'part 3:')" ]
    [ "$(line_of 'part 3:')" -lt "$(line_of 'part 4, seed 001')" ]
    [ "$(line_of 'part 4, seed 001')" -lt "$(line_of 'part 5:')" ]
    assert_manager_results
}


@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    run --separate-stderr env CONCDEMO_UNTRANSLATED=1 "$CONCDEMO" manager --speed 20 --lang zh
    [ "$status" -eq 0 ]
    [ -z "$stderr" ] # no "untranslated", and every child reaped
    [ "${lines[0]}" = "concdemo manager: 进程共享数据：共享内存中的 Value、Manager 的服务进程、网络上的服务进程" ]
    [ "$(line_of '第 1 部分，seed 003')" -lt "$(line_of '第 2 部分，seed 000')" ]
    [ "$(line_of '第 2 部分，seed 000')" -lt "$(line_of '第 3 部分：')" ]
    [ "$(line_of '第 3 部分：')" -lt "$(line_of '第 4 部分，seed 001')" ]
    [ "$(line_of '第 4 部分，seed 001')" -lt "$(line_of '第 5 部分：')" ]
    assert_manager_results
    [ "$(result_value locked_lost)" -eq 0 ]
    [ "$(result_value array)" = "[0,1,4,9,16,25,36,49,64,81]" ]
    [ "$(result_value results)" -eq 10 ]
    [ "$(result_value refusals_seen)" -eq 3 ]
    # task_master.py and task_worker.py print their own lines, in any language
    [ "$(grep -cE 'main +Put task [0-9]+\.\.\.$' <<<"$output")" -eq 10 ]
    [ "$(grep -cE 'main +Result: [0-9]+ \* [0-9]+ = [0-9]+$' <<<"$output")" -eq 10 ]
}

@test "value: without the lock updates vanish and a pair is caught; with the Value's lock the count is exact" {
    run "$CONCDEMO" manager --part value
    [ "$status" -eq 0 ]
    local unlocked lost
    unlocked=$(result_value unlocked)
    lost=$(result_value unlocked_lost)
    [ "$lost" -gt 0 ]
    [ $((unlocked + lost)) -eq 10000 ]
    [ "$(result_value unlocked_yields)" -gt 0 ]
    # the evidence: two processes read the same value and wrote the same value
    [[ "$output" =~ "# $lost increments vanished. One was caught in the act:" ]]
    [[ "$output" =~ p-[0-9]+\'s\ [0-9]+[a-z]+\ and\ p-[0-9]+\'s\ [0-9]+[a-z]+\ increments\ both\ read\ ([0-9]+)\ and\ both\ wrote\ ([0-9]+)\. ]]
    [ "${BASH_REMATCH[2]}" -eq $((BASH_REMATCH[1] + 1)) ]
    [ "$(result_value locked)" -eq 10000 ]
    [ "$(result_value locked_lost)" -eq 0 ]
    [ "$(result_value locked_yields)" -gt 0 ] # the same window, yields in it, and still exact
    [ "$(result_value array)" = "[0,1,4,9,16,25,36,49,64,81]" ]
    [[ "$output" == *"main     print(arr[:]): [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"* ]]
    # the order: the unlocked round, then the locked one, then the Array
    [ "$(line_of 'counter.value = [0-9]+, expected 10000')" -lt "$(line_of 'with counter.get_lock\(\)')" ]
    [ "$(line_of 'with counter.get_lock\(\)')" -lt "$(line_of 'counter.value = 10000, expected 10000')" ]
}

@test "value: on one CPU too, updates vanish without the lock and none with it" {
    command -v taskset >/dev/null || skip "taskset is not installed"
    run taskset -c 0 "$CONCDEMO" manager --part value --processes 4 --increments 500
    [ "$status" -eq 0 ]
    [ "$(result_value unlocked_lost)" -gt 0 ]
    [ "$(result_value locked)" -eq 2000 ]
    [ "$(result_value array)" = "[0,1,4,9]" ]
}

@test "manager: seed 000's program prints what python3 printed, main's two lines after every child's" {
    # python3 3.11, seed 000 as printed: {1: '1', '2': 2, 0.25: None} and 15 items
    run "$CONCDEMO" manager --part manager --format jsonl
    [ "$status" -eq 0 ]
    local children main_lines
    children=$(jq -r 'select(.kind == "event" and (.actor | test("^p-[0-9]$"))) | .text' <<<"$output")
    [ "$(wc -l <<<"$children")" -eq 10 ]
    # each child printed l after its own append: the 5 of range(5), then 1 to 10 ones
    [ "$(grep -cE '^\[0, 1, 2, 3, 4(, 1){1,10}\]$' <<<"$children")" -eq 10 ]
    grep -qx '\[0, 1, 2, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1\]' <<<"$children" # the last one saw all ten
    main_lines=$(jq -r 'select(.kind == "event" and .actor == "main") | .text' <<<"$output")
    grep -qx "{1: '1', '2': 2, 0.25: None}" <<<"$main_lines"
    grep -qx '\[0, 1, 2, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1\]' <<<"$main_lines"
    # main printed after the last child
    local last_child first_print
    last_child=$(jq -s '[.[] | select(.kind == "event" and (.actor | test("^p-")))] | map(.t) | max' <<<"$output")
    first_print=$(jq -s '[.[] | select(.kind == "event" and .actor == "main" and (.text | startswith("{1:")))][0].t' <<<"$output")
    awk -v a="$last_child" -v b="$first_print" 'BEGIN { exit !(a <= b) }'
}

@test "manager: the socket is in a private directory, gone after the run" {
    run "$CONCDEMO" manager --part manager
    [ "$status" -eq 0 ]
    local path
    path=$(grep -oE '/tmp/concdemo-manager-[A-Za-z0-9]+/listener' <<<"$output" | head -1)
    [ -n "$path" ]
    [ ! -e "$path" ]
    [ ! -e "$(dirname "$path")" ]
    [ "$(result_value socket_left)" = no ]
    [ "$(result_value failed)" -eq 0 ]
    [ "$(result_value list_length)" -eq 15 ]
    # 5 appends by main, 4 operations by each child, 2 prints by main; the shutdown is not counted
    [ "$(result_value requests)" -eq $((5 + 10 * 5 + 2)) ]
}

@test "cost: both figures measured in the same run, and the ratio is theirs" {
    run "$CONCDEMO" manager --part cost --ops 2000
    [ "$status" -eq 0 ]
    local proxy shared ratio
    proxy=$(result_value proxy_ns)
    shared=$(result_value shared_ns)
    ratio=$(result_value ratio)
    [ "$(result_value ops)" -eq 2000 ]
    awk -v p="$proxy" -v s="$shared" -v r="$ratio" 'BEGIN { exit !(p > 0 && s > 0 && (r - p / s) ^ 2 < (0.01 * r + 1) ^ 2) }'
    [[ "$output" == *"# One proxy operation cost $ratio shared-memory ones, measured just now."* ]]
}

@test "distributed: a wrong key refused, a killed worker's task put back and done, every result in" {
    run "$CONCDEMO" manager --part distributed --speed 10
    [ "$status" -eq 0 ]
    [ "$(result_value tasks)" -eq 10 ]
    [ "$(result_value results)" -eq 10 ]
    [ "$(result_value lost)" -eq 0 ]
    [ "$(result_value refused)" -eq 1 ]
    [ "$(result_value killed_exit)" -eq 137 ]
    [ "$(result_value requeued)" -eq 1 ]
    [[ "$output" =~ "manager on 127.0.0.1:"[0-9]+" (port 0: the kernel picked it), authkey=b'abc'" ]]
    # the refused worker: the server says so, and so does the worker
    [ "$(line_of 'server +refused a connection: its answer to the challenge was wrong')" -gt 0 ]
    [[ "$output" == *"worker 0 authkey b'wrong': the server answered #FAILURE#"* ]]
    # the victim took a task, was killed, the server put that task back, and another worker did it
    [[ "$output" =~ worker\ 1\ run\ task\ ([0-9]+)\ \* ]]
    local n=${BASH_REMATCH[1]}
    [ "$(line_of "worker 1 run task $n ")" -lt "$(line_of 'kill -9 worker 1, in the middle of its task')" ]
    [ "$(line_of 'kill -9 worker 1')" -lt "$(line_of "server +a connection closed holding task $n: put back")" ]
    [ "$(line_of "server +a connection closed holding task $n: put back")" -lt "$(line_of "worker [23] +run task $n ")" ]
    [ "$(line_of "worker [23] +run task $n ")" -lt "$(line_of "main +Result: $n \* $n = $((n * n))")" ]
    # every task was put before any was run; each result is its task squared
    [ "$(grep -n 'Put task' <<<"$output" | tail -1 | cut -d: -f1)" -lt "$(line_of 'run task')" ]
    local puts results
    puts=$(grep -oE 'Put task [0-9]+' <<<"$output" | awk '{ print $3 }' | sort -n)
    results=$(grep -oE 'Result: [0-9]+ \* [0-9]+ = [0-9]+' <<<"$output" | awk '$2 == $4 && $6 == $2 * $2 { print $2 }' | sort -n)
    [ "$puts" = "$results" ]
    # a task takes a lesson second: no result before 1 s
    within 1.0 "$(time_of 'main +Result:')" 3.5
}

@test "hostile: each bad frame refused, counted, and the server still serves" {
    run "$CONCDEMO" manager --part hostile
    [ "$status" -eq 0 ]
    [ "$(result_value oversized)" -eq 1 ]
    [ "$(result_value unknown_op)" -eq 1 ]
    [ "$(result_value malformed)" -eq 1 ]
    [ "$(result_value truncated)" -eq 1 ]
    [ "$(result_value refusals_seen)" -eq 3 ]
    [ "$(result_value served_after)" = yes ]
    [[ "$output" == *'the 2 GiB frame: refused, "frame of 2147483647 bytes refused: at most 256"'* ]]
    [[ "$output" == *'operation 0x7f: refused, "unknown operation 0x7f"'* ]]
    [[ "$output" == *'the lying field: refused, "malformed request"'* ]]
    [[ "$output" == *"server   a frame cut short: 14 bytes, then the connection closed; dropped"* ]]
    [[ "$output" == *"print(d): {'still': 'serving'}"* ]]
}

@test "HMAC-MD5 by hand gives python3's hmac.new(key, msg, 'md5') on test vectors" {
    command -v python3 >/dev/null || skip "needs python3"
    local check="$BATS_FILE_TMPDIR/hmac_md5_check" key msg
    # RFC 2104's vectors, an empty key and message, a key longer than a block, a message of many blocks
    while read -r key msg; do
        [ "$("$check" "$key" "$msg")" = "$(python3 -c 'import hmac, sys
h = lambda s: b"" if s == "-" else bytes.fromhex(s)
print(hmac.new(h(sys.argv[1]), h(sys.argv[2]), "md5").hexdigest())' "$key" "$msg")" ] || { echo "differs: $key $msg"; return 1; }
    done <<EOF
0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 4869205468657265
4a656665 7768617420646f2079612077616e7420666f72206e6f7468696e673f
- -
$(printf 'k%.0s' {1..100} | xxd -p | tr -d '\n') 00
6162 $(head -c 1000 /dev/zero | tr '\0' 'q' | xxd -p | tr -d '\n')
$(printf '%s' abc | xxd -p) $(printf '#CHALLENGE#%s' 0123456789abcdefghij | xxd -p | tr -d '\n')
EOF
    [ "$("$check" 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 4869205468657265)" = 9294727a3638bb1c13f48ef8158bfc9d ] # RFC 2104
}

@test "python3's multiprocessing.connection.Client passes the C server's challenge; a wrong key is refused; Ctrl-C leaves nothing" {
    command -v python3 >/dev/null || skip "needs python3"
    local seed fifo fd line port="" rest
    seed=$(unique_seed)
    fifo="$BATS_TEST_TMPDIR/transcript"
    mkfifo "$fifo"
    "$CONCDEMO" manager --part distributed --hold 600 --seed "$seed" --color never >"$fifo" 2>"$BATS_TEST_TMPDIR/stderr" &
    local pid=$!
    exec {fd}<"$fifo"
    while IFS= read -r -u "$fd" line; do
        if [[ "$line" =~ "manager on 127.0.0.1:"([0-9]+) ]]; then
            port=${BASH_REMATCH[1]}
            break
        fi
    done
    [ -n "$port" ]
    run python3 -c "
from multiprocessing.connection import Client, AuthenticationError
c = Client(('127.0.0.1', $port), authkey=b'abc')
print('passed')
c.close()
try:
    Client(('127.0.0.1', $port), authkey=b'wrong')
    print('wrong key accepted')
except AuthenticationError as e:
    print('refused:', e)
"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = passed ]
    [ "${lines[1]}" = "refused: digest sent was rejected" ]
    kill -INT "$pid"
    rest=$(cat <&"$fd")
    exec {fd}<&-
    wait "$pid" || status=$?
    [ "$status" -eq 130 ]
    [[ "$rest" == *"server   refused a connection: its answer to the challenge was wrong"* ]]
    [[ "$rest" == *"interrupted by Ctrl-C"* ]]
    [[ "$rest" != *"result:"* ]]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
    none_left "$seed"
}

@test "Ctrl-C while proxies talk over the Unix socket: exit 130, no process left, the socket's directory removed" {
    local seed path
    seed=$(unique_seed)
    interrupt_when 'listens on' INT manager --part cost --ops 1000000 --seed "$seed" --color never
    [ "$status" -eq 130 ]
    [ ! -s "$BATS_TEST_TMPDIR/stderr" ]
    none_left "$seed"
    path=$(grep -oE '/tmp/concdemo-manager-[A-Za-z0-9]+/listener' <<<"$output" | head -1)
    [ -n "$path" ]
    [ ! -e "$(dirname "$path")" ]
}
