#!/usr/bin/env bats
# process: fork, pid and ppid, memory copied not shared, start costs,
# crashes, join(timeout)/terminate()/exitcode/daemon.

load helpers

# The value of `key` on the result: line of part $1.
part_value() {
    grep "^result: part=$1 " <<<"$output" | tr ' ' '\n' | grep -m1 "^$2=" | cut -d= -f2-
}

# The text of actor $1's event lines that start with $2 (the rest of the line).
said() {
    grep -E "^\[ *[0-9.]+\] $1 +$2" <<<"$output" | sed -E "s/^\[ *[0-9.]+\] $1 +$2//"
}

# the article part's child: its own pid, main its parent, exit code 0 (into the caller's parent and child)
assert_article_parent_child() {
    parent=$(part_value article parent_pid)
    child=$(part_value article child_pid)
    [ "$parent" -gt 0 ] && [ "$child" -gt 0 ] && [ "$parent" != "$child" ] || false
    [ "$(part_value article child_ppid)" = "$parent" ]
    [ "$(part_value article exitcode)" -eq 0 ]
}

# the lifecycle part's result: join(0.5) timed out on a live child, terminate() gave -15, the daemon died with its parent
assert_lifecycle_results() {
    within 0.5 "$(part_value lifecycle join_timeout_took)" 0.9
    [ "$(part_value lifecycle alive_after_join)" = yes ]
    [ "$(part_value lifecycle exitcode)" -eq -15 ]
    # the daemon: ended by SIGTERM from its parent's exit, after ticking for the parent's 0.5 s
    [ "$(part_value lifecycle daemon_exitcode)" -eq -15 ]
    [ "$(part_value lifecycle daemon_ticks)" -lt 20 ]
    within 0.5 "$(part_value lifecycle daemon_gone_at)" 1.5
    [ "$(part_value lifecycle parent_exitcode)" -eq 0 ]
}

@test "article at speed 1: main's info, then the child's, whose parent is main; hello bob last" {
    run "$CONCDEMO" process --part article --speed 1
    [ "$status" -eq 0 ]
    [[ "${lines[1]}" == "part=article pages=1024 starts=200 speed=1 "* ]]
    local parent child
    assert_article_parent_child
    # what each printed: its own pid, and its parent's
    [ "$(said main 'process id: ')" = "$parent" ]
    [ "$(said child 'process id: ')" = "$child" ]
    [ "$(said child 'parent process: ')" = "$parent" ]
    [ "$(said main 'parent process: ')" != "$parent" ]
    # the same program name in both: fork copied it
    [ "$(said main 'module name: ')" = "$(said child 'module name: ')" ]
    # in the article's order: main's four lines and three blank ones, the child's, then hello bob
    local order=("main +main process line$" "main +module name: " "main +parent process: " "main +process id: "
        "child +function f$" "child +module name: " "child +parent process: " "child +process id: "
        "child +hello bob$" "main +joined process ")
    local k
    for ((k = 1; k < ${#order[@]}; k++)); do
        [ "$(line_of "${order[k - 1]}")" -lt "$(line_of "${order[k]}")" ] || { echo "out of order: ${order[k]}"; return 1; }
    done
    [ "$(grep -cE '^\[ *[0-9.]+\] main +$' <<<"$output")" -eq 3 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] child +$' <<<"$output")" -eq 3 ]
}

@test "memory: the child's change to a global stays in the child; writing pages faults once each, reading not" {
    run "$CONCDEMO" process --part memory --pages 256
    [ "$status" -eq 0 ]
    [ "$(part_value memory counter_in_child)" -eq 100 ]
    [ "$(part_value memory counter_in_parent)" -eq 0 ]
    # the same address in both processes
    local child_at parent_at
    child_at=$(said child 'counter \+= 100 -> counter = 100, at address ')
    parent_at=$(said main 'joined the child; counter = 0, at address ')
    [ -n "$child_at" ] && [ "$child_at" = "$parent_at" ]
    [ "$(part_value memory pages)" -eq 256 ]
    local read write rewrite
    read=$(part_value memory read_faults)
    write=$(part_value memory write_faults)
    rewrite=$(part_value memory rewrite_faults)
    # one fault a page written (a few more, for the child's own stack and bookkeeping), few to read
    within 230 "$write" 300
    [ "$read" -lt 64 ]
    [ "$rewrite" -lt 64 ]
    [ "$(part_value memory parent_intact)" = yes ]
    [[ "$output" == *"# fork() copied no page"* ]]
}

@test "start: four kinds timed in one run, each as a multiple of a thread's start" {
    run "$CONCDEMO" process --part start --starts 3
    [ "$status" -eq 0 ]
    [ "$(part_value start starts)" -eq 3 ]
    local kind us x thread
    thread=$(part_value start thread_us)
    within 0.01 "$thread" 1e9
    for kind in fork fork_exec posix_spawn; do
        us=$(part_value start "${kind}_us")
        x=$(part_value start "${kind}_x")
        within 0.01 "$us" 1e9
        # the ratio is the two times divided, to its rounding
        awk -v u="$us" -v t="$thread" -v x="$x" 'BEGIN { r = u / t; exit !(r - x < 0.06 && x - r < 0.06 || (r - x) / r < 0.01) }' ||
            { echo "$kind: $x is not $us / $thread"; return 1; }
    done
    for kind in "pthread_create+join" "fork+_exit+waitpid" "fork+exec+waitpid" "posix_spawn+waitpid"; do
        [[ "$output" == *"] main     $kind "*" us "*"x a thread"* ]] || { echo "no line for $kind"; return 1; }
    done
}

@test "start: the mode fork+exec and posix_spawn run exits at once, silently" {
    run --separate-stderr "$CONCDEMO" __exit
    [ "$status" -eq 0 ]
    [ -z "$output" ] && [ -z "$stderr" ]
}

@test "crash: SIGSEGV in a child is reported by waitpid and the sibling finishes; in a thread it takes its process down" {
    # --speed 5: the crash is due at 0.5 lesson s, 0.1 s of real time before the worker's step 3
    # and 0.1 s before its done
    local seed
    seed=$(unique_seed)
    run "$CONCDEMO" process --part crash --speed 5 --seed "$seed"
    [ "$status" -eq 0 ]
    [ "$(part_value crash crash_signal)" -eq 11 ]
    [ "$(part_value crash crash_exitcode)" -eq -11 ]
    [ "$(part_value crash sibling_steps)" -eq 5 ]
    [ "$(part_value crash sibling_done)" = yes ]
    [ "$(part_value crash thread_crash_signal)" -eq 11 ]
    [ "$(part_value crash worker_steps_due)" -eq 5 ]
    [ "$(part_value crash worker_done)" = no ]
    [ "$(part_value crash worker_steps)" -lt 5 ]
    # the sibling's steps go on after the crash, main's report after the sibling's end
    [ "$(line_of 'crasher +\*p = 1')" -lt "$(line_of 'sibling +step 5 of 5$')" ]
    [ "$(line_of 'sibling +done$')" -lt "$(line_of 'main +waitpid: the crasher was killed by signal 11 ')" ]
    # the worker never said done, and never reached step 5
    [ "$(grep -cE '^\[ *[0-9.]+\] worker +(done|step 5 of 5)$' <<<"$output")" -eq 0 ]
    within 0.5 "$(time_of 'main +now a process')" 1.4
    [[ "$output" == *"# A signal for a fault kills the whole process"* ]]
    none_left "$seed"
}

@test "lifecycle: join(0.5) returns with the child alive; terminate() gives -15; a daemon dies with its parent" {
    local seed
    seed=$(unique_seed)
    run "$CONCDEMO" process --part lifecycle --speed 5 --seed "$seed"
    [ "$status" -eq 0 ]
    assert_lifecycle_results
    [ "$(line_of 'parent +my code ends')" -lt "$(line_of "parent +my daemon's exitcode: -15")" ]
    [[ "$output" == *"# It died with its parent"* ]]
    # no tick after the parent's exit
    local last_tick
    last_tick=$(grep -nE '^\[ *[0-9.]+\] daemon ' <<<"$output" | tail -1 | cut -d: -f1)
    [ -z "$last_tick" ] || [ "$last_tick" -lt "$(line_of "parent +my daemon's")" ]
    none_left "$seed"
}

@test "all parts in order, each with its result line; the process table is clean" {
    local seed
    seed=$(unique_seed)
    run "$CONCDEMO" process --speed 10 --starts 2 --pages 16 --quiet --seed "$seed"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^result: part=' <<<"$output")" -eq 5 ]
    [ "$(grep '^result: part=' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')" = \
        "part=article part=memory part=start part=crash part=lifecycle " ]
    none_left "$seed"
}

@test "in Chinese (--lang zh): the same results, and every message translated" {
    unless_sanitized 'thread|address' "the Chinese run's results are the plain suite's to check; i18n.bats runs Chinese under each sanitizer"
    # --speed 5, as the crash and lifecycle tests: the crash is due 0.1 s of real time before the worker's step 3
    local seed
    seed=$(unique_seed)
    run_in_chinese process --speed 5 --starts 3 --pages 256 --seed "$seed"
    [[ "${lines[0]}" == "concdemo process: fork：pid 与 ppid，内存是复制而非共享，"* ]]
    [ "$(grep '^result: part=' <<<"$output" | cut -d' ' -f2 | tr '\n' ' ')" = \
        "part=article part=memory part=start part=crash part=lifecycle " ]
    # article: the child's parent is main
    local parent child
    assert_article_parent_child
    # the article's program prints its own English lines, in the child too
    [ "$(said child 'parent process: ')" = "$parent" ]
    [ "$(grep -cE '^\[ *[0-9.]+\] child +hello bob$' <<<"$output")" -eq 1 ]
    # memory
    [ "$(part_value memory counter_in_child)" -eq 100 ]
    [ "$(part_value memory counter_in_parent)" -eq 0 ]
    within 230 "$(part_value memory write_faults)" 300
    [ "$(part_value memory read_faults)" -lt 64 ]
    [ "$(part_value memory rewrite_faults)" -lt 64 ]
    [ "$(part_value memory parent_intact)" = yes ]
    # start
    [ "$(part_value start starts)" -eq 3 ]
    within 0.01 "$(part_value start fork_x)" 1e9
    # crash
    [ "$(part_value crash crash_signal)" -eq 11 ]
    [ "$(part_value crash crash_exitcode)" -eq -11 ]
    [ "$(part_value crash sibling_steps)" -eq 5 ]
    [ "$(part_value crash sibling_done)" = yes ]
    [ "$(part_value crash thread_crash_signal)" -eq 11 ]
    [ "$(part_value crash worker_done)" = no ]
    [ "$(part_value crash worker_steps)" -lt 5 ]
    # lifecycle
    assert_lifecycle_results
    # the children speak Chinese too: forked from a lesson in Chinese, and a grandchild
    said child 'counter \+= 100 -> counter = 100，地址 ' | grep -q .
    [ "$(grep -cE '^\[ *[0-9.]+\] sibling +第 5 步，共 5 步$' <<<"$output")" -eq 1 ]
    [ "$(grep -cE '^\[ *[0-9.]+\] daemon +嘀嗒 1$' <<<"$output")" -eq 1 ]
    [ "$(grep -cE "^\[ *[0-9.]+\] parent +我的守护进程的 exitcode：-15；我退出$" <<<"$output")" -eq 1 ]
    [[ "$output" == *"# 因故障（fault）而发出的信号会杀死整个进程"* ]]
    none_left "$seed"
}
