/* process: fork, pid and ppid, memory that is copied and not shared, the cost
 * of starting a process, a crash that stays in its process, and a process's
 * life: join(timeout), terminate(), exitcode, daemon.
 * Seed 000 §3 (多进程), seed 001 (多进程 vs. 多线程), seed 003 (进程创建/启动/停止).
 *
 * The article's program (seed 000):
 *
 *     def info(title):
 *         print(title)
 *         print('module name:', __name__)
 *         print('parent process:', os.getppid())
 *         print('process id:', os.getpid())
 *         print("\n\n")
 *
 *     def f(name):
 *         info('\033[31mfunction f\033[0m')
 *         print('hello', name)
 *
 *     if __name__ == '__main__':
 *         info('\033[32mmain process line\033[0m')
 *         p = Process(target=f, args=('bob',))
 *         p.start()
 *         p.join()
 *
 * On Linux, Python 3.11's Process starts with fork(): the child is a copy of
 * the parent, and runs f in that copy.  C's fork() is the same call. */
#define _GNU_SOURCE /* program_invocation_short_name */
#include "lesson.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Plumbing, at the end of the file: a child's few numbers for its parent,
 * Python's exitcode, timing. */
static int report = -1; /* in a child: the write end of a pipe to the parent */
static int exitcode(int status); /* p.exitcode: -N for signal N, as Python reports it */
static int open_report(void);   /* a pipe the next children report on: its read end, or -1 */
static void close_report(void); /* they started: the parent keeps only the read end */
static void tell(int fd, long value);
static bool hear(int fd, long *value);
static long minor_faults(void);
static double median(double *values, int count);

/* -- part 1: the article's program ------------------------------------------ */

static void info(const char *actor, const char *color, const char *title)
{
    say_in_color(actor, color, "%s", title); /* print(title), in its colour */
    /* C has no __name__; the program's name is the nearest, and fork copies it. */
    say(actor, "module name: %s", program_invocation_short_name);
    say(actor, "parent process: %ld", (long)getppid()); /* os.getppid() */
    say(actor, "process id: %ld", (long)getpid());      /* os.getpid() */
    for (int line = 0; line < 3; line++)
        say(actor, "%s", ""); /* print("\n\n"): two newlines and print's own */
}

static int f(void *name) /* def f(name): runs in the child */
{
    tell(report, (long)getppid()); /* for the parent's result line */
    info("child", "31", "function f");
    say("child", "hello %s", (const char *)name);
    return 0;
}

static int part_article(void)
{
    say("main", "part 1, seed 000: info() in main, then Process(target=f, args=('bob',))");
    info("main", "32", "main process line");
    int from_child = open_report();
    if (from_child < 0)
        return 1;
    pid_t p = child_start(f, "bob"); /* p.start(): fork() */
    close_report();
    long child_ppid = -1;
    if (p >= 0)
        hear(from_child, &child_ppid);
    close(from_child);
    if (p < 0)
        return not_started();
    int status = child_join(p); /* p.join(): waitpid() */
    if (lesson_stop_requested())
        return 0;
    say("main", "joined process %ld: exitcode %d", (long)p, exitcode(status));
    note("The child's parent process is main's process id: fork() made the child, and getppid() names "
         "who did. main's own parent is the shell, or whatever started concdemo.");
    note("Python 3.11 here prints \"module name: __main__\" in both: fork copies the module, names and "
         "all. Under the spawn start method the child prints __mp_main__ (both run here). C has no "
         "module name; the program's name stands in.");
    result_at_end("part=article parent_pid=%ld child_pid=%ld child_ppid=%ld exitcode=%d", (long)getpid(), (long)p,
                  child_ppid, exitcode(status));
    return 0;
}

/* -- part 2: memory is copied, and lazily ----------------------------------- */

static int counter = 0; /* a global: the child changes its copy */
static long page_size, pages;
static char *buffer;    /* `pages` pages, filled by the parent */

static int change_global(void *unused)
{
    (void)unused;
    counter += 100;
    say("child", "counter += 100 -> counter = %d, at address %p", counter, (void *)&counter);
    tell(report, counter);
    return 0;
}

/* One byte of each page, read or written, counting the minor page faults it
 * costs this process (getrusage's ru_minflt). */
static long touch_pages(bool write)
{
    long before = minor_faults();
    volatile char sum = 0;
    for (long k = 0; k < pages; k++) {
        if (write)
            buffer[k * page_size] = 'c'; /* the child's own copy of this page, made now */
        else
            sum += buffer[k * page_size];
    }
    (void)sum;
    return minor_faults() - before;
}

static int read_then_write(void *unused)
{
    (void)unused;
    tell(report, touch_pages(false)); /* read every page */
    tell(report, touch_pages(true));  /* write every page: copy-on-write */
    tell(report, touch_pages(true));  /* write them again: copied already */
    return 0;
}

static int part_memory(void)
{
    say("main", "part 2: memory is copied, not shared");
    say("main", "counter = %d, at address %p", counter, (void *)&counter);
    int from_child = open_report();
    if (from_child < 0)
        return 1;
    pid_t p = child_start(change_global, NULL);
    close_report();
    long counter_in_child = -1;
    bool heard = p >= 0 && hear(from_child, &counter_in_child);
    close(from_child);
    if (p < 0)
        return not_started();
    child_join(p);
    if (!heard || lesson_stop_requested())
        return 0;
    say("main", "joined the child; counter = %d, at address %p", counter, (void *)&counter);
    note("The same address in both, and two values: each process has its own memory, and the child's "
         "change went to its copy. Python gives the same (a global, Process, join: run here).");

    size_t bytes = (size_t)(pages * page_size);
    buffer = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer == MAP_FAILED) {
        report_no_memory(N_("ask for fewer --pages"), "%ld pages", pages);
        return 1;
    }
    madvise(buffer, bytes, MADV_NOHUGEPAGE); /* one fault per 4 KiB page, not per 2 MiB */
    memset(buffer, 'p', bytes);
    say("main", "filled %ld pages (%ld KiB) of a buffer with 'p'; a child reads them all, then writes them all",
        pages, (long)(bytes / 1024));
    if ((from_child = open_report()) < 0) {
        munmap(buffer, bytes);
        return 1;
    }
    p = child_start(read_then_write, NULL);
    close_report();
    long read_faults = -1, write_faults = -1, rewrite_faults = -1;
    heard = p >= 0 && hear(from_child, &read_faults) && hear(from_child, &write_faults) &&
            hear(from_child, &rewrite_faults);
    close(from_child);
    if (p >= 0)
        child_join(p);
    bool intact = buffer[0] == 'p' && buffer[bytes - 1] == 'p';
    munmap(buffer, bytes);
    if (p < 0)
        return not_started();
    if (!heard || lesson_stop_requested())
        return 0;
    say("child", "read %ld pages: %ld minor page faults", pages, read_faults);
    say("child", "wrote %ld pages: %ld minor page faults", pages, write_faults);
    say("child", "wrote them again: %ld minor page faults", rewrite_faults);
    say("main", "the buffer here still holds 'p': %s", intact ? _("yes") : _("NO"));
    if (write_faults >= pages * 9 / 10 && read_faults < pages / 4)
        note("fork() copied no page: parent and child share each one, marked read-only, until one of them "
             "writes it. Reading cost %ld faults; the first write to each page faulted (%ld), and the "
             "kernel copied the page then: copy-on-write.",
             read_faults, write_faults);
    else
        note("This run did not show the lazy copy plainly: %ld faults to read %ld pages, %ld to write them.",
             read_faults, pages, write_faults);
    result_at_end("part=memory counter_in_child=%ld counter_in_parent=%d pages=%ld read_faults=%ld "
                  "write_faults=%ld rewrite_faults=%ld parent_intact=%s",
                  counter_in_child, counter, pages, read_faults, write_faults, rewrite_faults, intact ? "yes" : "no");
    return 0;
}

/* -- part 3: what a start costs --------------------------------------------- */

static long starts; /* starts of each kind, a round */
static char self_path[4096];

static void *nothing(void *unused)
{
    return unused;
}

enum start_kind { START_THREAD, START_FORK, START_FORK_EXEC, START_POSIX_SPAWN, START_KINDS };

/* `starts` starts of one kind, each waited for before the next; the seconds
 * each took, or -1 if one was refused (errno set). */
static double time_starts(enum start_kind kind)
{
    /* exec runs this program again, in a mode that exits at once
     * (main.c): Python's spawn starts a fresh python3 the same way. */
    char *const argv[] = { "concdemo", "__exit", NULL };
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none); /* the engine blocks signals for its watcher */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    double began = real_now();
    for (long k = 0; k < starts && !lesson_stop_requested(); k++) {
        pid_t pid = 0;
        int error = 0;
        if (kind == START_THREAD) {
            pthread_t t;
            error = pthread_create(&t, NULL, nothing, NULL);
            if (error) {
                errno = error;
                posix_spawnattr_destroy(&attr);
                return -1;
            }
            pthread_join(t, NULL);
            continue;
        } else if (kind == START_FORK) {
            pid = fork();
            if (pid == 0)
                _exit(0);
        } else if (kind == START_FORK_EXEC) {
            pid = fork();
            if (pid == 0) {
                pthread_sigmask(SIG_SETMASK, &none, NULL);
                execv(self_path, argv);
                _exit(127);
            }
        } else {
            error = posix_spawn(&pid, self_path, NULL, &attr, argv, environ);
        }
        if (error || pid < 0) {
            errno = error ? error : errno;
            posix_spawnattr_destroy(&attr);
            return -1;
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    posix_spawnattr_destroy(&attr);
    return (real_now() - began) / (double)starts;
}

static int part_start(void)
{
    enum { ROUNDS = 5 };
    static const char *const names[] = { "pthread_create+join", "fork+_exit+waitpid",
                                         "fork+exec+waitpid", "posix_spawn+waitpid" };
    say("main", "part 3, seed 003: what a start costs; %ld starts of each kind, %d rounds in turn", starts, ROUNDS);
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n <= 0) {
        fprintf(stderr, _("%s: cannot find its own program in /proc/self/exe (%s)\n"), lesson_who(), strerror(errno));
        return 1;
    }
    self_path[n] = '\0';
    double each[START_KINDS][ROUNDS];
    for (int round = 0; round < ROUNDS; round++)
        for (int kind = 0; kind < START_KINDS; kind++) {
            each[kind][round] = time_starts((enum start_kind)kind);
            if (lesson_stop_requested())
                return 0;
            if (each[kind][round] < 0) {
                if (kind == START_THREAD)
                    report_thread_refusal(errno, 0);
                else
                    report_process_refusal(errno, 0);
                return 1;
            }
        }
    double us[START_KINDS];
    for (int kind = 0; kind < START_KINDS; kind++) {
        us[kind] = median(each[kind], ROUNDS) * 1e6;
        say("main", "%-20s %9.1f us  %6.1fx a thread", names[kind], us[kind], us[kind] / us[START_THREAD]);
    }
    note("fork copies the page tables of this process (its memory is copied later, when written). exec "
         "then throws the copy away and loads this program afresh, as Python's spawn starts a fresh "
         "python3: the exec'd run does nothing but exit (a hidden mode of concdemo), so its cost is the "
         "load. posix_spawn skips the copy: glibc starts the child sharing the parent's memory until "
         "the exec (clone with CLONE_VM|CLONE_VFORK).");
    note("A thread shares everything and copies nothing: seed 001's 创建进程的代价大, measured.");
    result_at_end("part=start starts=%ld thread_us=%.1f fork_us=%.1f fork_exec_us=%.1f posix_spawn_us=%.1f "
                  "fork_x=%.1f fork_exec_x=%.1f posix_spawn_x=%.1f",
                  starts, us[START_THREAD], us[START_FORK], us[START_FORK_EXEC], us[START_POSIX_SPAWN],
                  us[START_FORK] / us[START_THREAD], us[START_FORK_EXEC] / us[START_THREAD],
                  us[START_POSIX_SPAWN] / us[START_THREAD]);
    return 0;
}

/* -- part 4: a crash stays in its process ----------------------------------- */

enum { WORK_STEPS = 5 };
static const double STEP = 0.2, CRASH_AT = 0.5;

/* *p = 1 where p is NULL: SIGSEGV.  The sanitizers catch SIGSEGV to print a
 * report; the default action back, this crashes as a plain program does.
 * No core file: the crash is the lesson, not a thing to debug. */
__attribute__((noinline, no_sanitize("address", "undefined", "thread"))) static void crash(void)
{
    struct sigaction plain = { .sa_handler = SIG_DFL };
    sigaction(SIGSEGV, &plain, NULL);
    prctl(PR_SET_DUMPABLE, 0);
    volatile int *volatile p = NULL; /* volatile both: the store must happen */
    *p = 1;
}

/* A worker: a line a step, a byte down the pipe for the parent to count. */
static void work(const char *actor)
{
    for (int step = 1; step <= WORK_STEPS; step++) {
        if (!lesson_sleep(STEP))
            return;
        say(actor, "step %d of %d", step, WORK_STEPS);
        tell(report, step);
    }
    say(actor, "done");
    tell(report, 0);
}

static int worker_process(void *unused)
{
    (void)unused;
    work("sibling");
    return 0;
}

static int crashing_process(void *unused)
{
    (void)unused;
    lesson_sleep(CRASH_AT);
    say("crasher", "*p = 1, with p NULL");
    crash();
    return 0;
}

static void *worker_thread(void *unused)
{
    (void)unused;
    work("worker");
    return NULL;
}

static void *crashing_thread(void *unused)
{
    crashing_process(unused);
    return NULL;
}

static int two_threads(void *unused) /* one process: a worker thread, and one that crashes */
{
    (void)unused;
    pthread_t worker, crasher;
    if (child_thread_start(&worker, worker_thread, NULL, NULL) || child_thread_start(&crasher, crashing_thread, NULL, NULL))
        return 1;
    pthread_join(worker, NULL);
    pthread_join(crasher, NULL);
    return 0;
}

/* Count the worker's steps until every writer of the pipe is gone. */
static int count_steps(int fd, bool *done)
{
    int steps = 0;
    long value;
    *done = false;
    while (hear(fd, &value)) {
        if (value == 0)
            *done = true;
        else
            steps++;
    }
    return steps;
}

static int part_crash(void)
{
    say("main", "part 4, seed 001: a child process crashes; main and the other child go on");
    int from_children = open_report();
    if (from_children < 0)
        return 1;
    pid_t sibling = child_start(worker_process, NULL);
    pid_t crasher = sibling < 0 ? -1 : child_start(crashing_process, NULL);
    close_report();
    bool sibling_done = false;
    int sibling_steps = sibling < 0 ? 0 : count_steps(from_children, &sibling_done);
    close(from_children);
    int crash_status = crasher < 0 ? 0 : child_join(crasher);
    int sibling_status = sibling < 0 ? 0 : child_join(sibling);
    if (sibling < 0 || crasher < 0)
        return not_started();
    if (lesson_stop_requested())
        return 0;
    if (crash_status > 128)
        say("main", "waitpid: the crasher was killed by signal %d (%s); Python's exitcode: %d", crash_status - 128,
            strsignal(crash_status - 128), exitcode(crash_status));
    else
        say("main", "waitpid: the crasher exited with %d; it did not crash", crash_status);
    say("main", "the sibling did %d of %d steps%s, exitcode %d; main goes on", sibling_steps, WORK_STEPS,
        sibling_done ? _(" and said done") : "", exitcode(sibling_status));
    if (crash_status == 128 + SIGSEGV && sibling_done)
        note("The kernel killed only the process that touched address 0. Python's multiprocessing reports "
             "such a child as exitcode -11 (run here: ctypes.string_at(0) in the child).");
    say("main", "now a process with two threads, a worker and one that crashes");
    int from_child = open_report();
    if (from_child < 0)
        return 1;
    pid_t both = child_start(two_threads, NULL);
    close_report();
    bool worker_done = false;
    int worker_steps = both < 0 ? 0 : count_steps(from_child, &worker_done);
    close(from_child);
    if (both < 0)
        return not_started();
    int both_status = child_join(both);
    if (lesson_stop_requested())
        return 0;
    if (both_status > 128)
        say("main", "the process was killed by signal %d (%s); its worker thread did %d of %d steps, %s",
            both_status - 128, strsignal(both_status - 128), worker_steps, WORK_STEPS,
            worker_done ? _("and said done") : _("and never said done"));
    else
        say("main", "the process exited with %d; its worker thread did %d of %d steps", both_status, worker_steps,
            WORK_STEPS);
    if (both_status == 128 + SIGSEGV && !worker_done)
        note("A signal for a fault kills the whole process, every thread in it: the worker's steps after "
             "%.1f s never came. Seed 001: 任何一个线程挂掉都可能直接造成整个进程崩溃. The lesson ran that "
             "process as a child, so that main could watch it die.",
             CRASH_AT);
    else
        note("This run did not show it: the worker %s.",
             worker_done ? _("finished") : _("stopped, but not by the crash"));
    note("Python 3.11 does the same with ctypes.string_at(0) in a thread: steps 1 and 2, then the whole "
         "python3 dies of SIGSEGV (run here). An uncaught Python exception in a thread is not a crash: "
         "it ends that thread only, and the worker finishes (run here).");
    result_at_end("part=crash crash_signal=%d crash_exitcode=%d sibling_steps=%d sibling_done=%s "
                  "thread_crash_signal=%d worker_steps=%d worker_steps_due=%d worker_done=%s",
                  crash_status > 128 ? crash_status - 128 : 0, exitcode(crash_status), sibling_steps,
                  sibling_done ? "yes" : "no", both_status > 128 ? both_status - 128 : 0, worker_steps, WORK_STEPS,
                  worker_done ? "yes" : "no");
    return 0;
}

/* -- part 5: join(timeout), terminate(), exitcode, daemon -------------------- */

static const double JOIN_TIMEOUT = 0.5, TICK = 0.2, PARENT_LIVES = 0.5;
enum { TICKS = 20 };

static int sleeper(void *unused) /* time.sleep(10) */
{
    (void)unused;
    signal(SIGTERM, SIG_DFL); /* a Python child dies of SIGTERM (the engine's children ignore it) */
    lesson_sleep(10);
    return 0;
}

static int daemon_ticker(void *unused) /* the daemon: a tick every 0.2 s, for 4 s */
{
    (void)unused;
    signal(SIGTERM, SIG_DFL);
    for (int tick = 1; tick <= TICKS; tick++) {
        if (!lesson_sleep(TICK))
            return 0;
        say("daemon", "tick %d", tick);
        tell(report, tick);
    }
    return 0;
}

/* What Python's exit does in a process with children
 * (multiprocessing.util._exit_function, an atexit hook): terminate() each
 * daemonic child, then join every child.  Returns the daemon's status. */
static int python_exit_children(pid_t daemon_child)
{
    kill(daemon_child, SIGTERM); /* p._popen.terminate() */
    return child_join(daemon_child);
}

static int parent_with_daemon(void *unused) /* a child of the lesson, with a daemon of its own */
{
    (void)unused;
    pid_t d = child_start(daemon_ticker, NULL); /* Process(target=ticker, daemon=True).start() */
    if (d < 0)
        return 1;
    lesson_sleep(PARENT_LIVES);
    say("parent", "my code ends: exit terminates my daemon, then joins it");
    int status = python_exit_children(d);
    say("parent", "my daemon's exitcode: %d; I exit", exitcode(status));
    tell(report, exitcode(status)); /* <= 0, after the daemon's ticks */
    return 0;
}

static int part_lifecycle(void)
{
    say("main", "part 5, seed 003: p.join(timeout), p.is_alive(), p.terminate(), p.exitcode");
    pid_t p = child_start(sleeper, NULL); /* Process(target=time.sleep, args=(10,)).start() */
    if (p < 0)
        return not_started();
    double began = lesson_now();
    int status = child_join_timeout(p, JOIN_TIMEOUT); /* p.join(0.5) */
    double join_took = lesson_now() - began;
    bool alive = status == CHILD_RUNNING && child_is_alive(p);
    say("main", "p.join(%.1f) returned after %.2f s; p.is_alive() -> %s, p.exitcode -> None", JOIN_TIMEOUT, join_took,
        alive ? "True" : "False");
    note("join(timeout) returns when the time is up, whether or not the child ended; only is_alive() or "
         "exitcode says which.");
    if (status == CHILD_RUNNING) {
        kill(p, SIGTERM); /* p.terminate() */
        say("main", "p.terminate(): kill(pid, SIGTERM)");
        status = child_join(p); /* p.join() */
    }
    if (lesson_stop_requested())
        return 0;
    say("main", "p.join() -> p.exitcode = %d, p.is_alive() -> False", exitcode(status));
    note("A child killed by a signal has a negative exitcode in Python: -15 is SIGTERM (Python 3.11, run "
         "here: join(0.5), is_alive() True, terminate(), join(), exitcode -15).");

    say("main", "daemon=True: a child that dies when its parent exits");
    int from_child = open_report();
    if (from_child < 0)
        return 1;
    began = lesson_now();
    pid_t parent = child_start(parent_with_daemon, NULL);
    close_report();
    int ticks = 0;
    long heard_value, daemon_exitcode = 1;
    double daemon_gone = -1;
    while (parent >= 0 && hear(from_child, &heard_value)) {
        if (heard_value > 0) {
            ticks++;
        } else {
            daemon_exitcode = heard_value; /* the parent reaped its daemon */
            daemon_gone = lesson_now() - began;
        }
    }
    close(from_child);
    if (parent < 0)
        return not_started();
    int parent_status = child_join(parent);
    if (lesson_stop_requested())
        return 0;
    say("main", "the daemon ticked %d of %d times, and was reaped %.2f s after its parent started; exitcode %ld",
        ticks, TICKS, daemon_gone, daemon_exitcode);
    if (daemon_exitcode == -SIGTERM && ticks < TICKS)
        note("It died with its parent: the parent's exit sent it SIGTERM and joined it. Python does this in "
             "an atexit hook (multiprocessing.util._exit_function): at a normal exit it calls terminate() "
             "on each daemonic child, joins every child, then exits. Python 3.11 here: the daemon got "
             "signal 15 as its parent exited (run here).");
    else
        note("This run did not show it: the daemon ticked %d of %d times and ended with exitcode %ld.", ticks,
             TICKS, daemon_exitcode);
    note("A parent killed by SIGKILL runs no atexit: Python's daemon then outlived it, still ticking (run "
         "here). In C, prctl(PR_SET_PDEATHSIG) asks the kernel to kill a child when its parent dies; "
         "concdemo gives its children that, so that none outlives a Ctrl-C.");
    result_at_end("part=lifecycle join_timeout_took=%.3f alive_after_join=%s exitcode=%d daemon_ticks=%d "
                  "daemon_exitcode=%ld daemon_gone_at=%.3f parent_exitcode=%d",
                  join_took, alive ? "yes" : "no", exitcode(status), ticks, daemon_exitcode, daemon_gone,
                  exitcode(parent_status));
    return 0;
}

static int process_run(void)
{
    page_size = sysconf(_SC_PAGESIZE);
    pages = option_int("pages");
    starts = option_int("starts");
    static const struct lesson_part parts[] = {
        { "article", part_article }, { "memory", part_memory }, { "start", part_start },
        { "crash", part_crash },     { "lifecycle", part_lifecycle },
    };
    return RUN_PARTS(parts);
}

/* -- plumbing ---------------------------------------------------------------- */

static int exitcode(int status) /* child_join's 128+N for signal N -> -N */
{
    return status > 128 ? -(status - 128) : status;
}

static int open_report(void)
{
    int ends[2];
    if (pipe(ends) != 0) {
        report_no_descriptor(N_("a pipe for a child's report"), errno);
        return -1;
    }
    report = ends[1]; /* what the children started next inherit and write to */
    return ends[0];
}

static void close_report(void)
{
    close(report); /* the children have their copies: theirs closing is the end */
    report = -1;
}

static void tell(int fd, long value)
{
    if (fd < 0)
        return;
    ssize_t written = write(fd, &value, sizeof value); /* at most PIPE_BUF: whole */
    (void)written; /* the parent reads until the end: nothing to do if it went away */
}

static bool hear(int fd, long *value)
{
    for (;;) {
        ssize_t got = read(fd, value, sizeof *value);
        if (got == (ssize_t)sizeof *value)
            return true;
        if (got < 0 && errno == EINTR && !lesson_stop_requested())
            continue;
        return false;
    }
}

static long minor_faults(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof *values, by_value);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static const struct option_spec process_options[] = {
    OPTION_CHOICE("part", "all", "all|article|memory|start|crash|lifecycle", "which part to run; all: in this order"),
    OPTION_INT("pages", "1024", 1, 65536, "pages of the buffer the child reads, then writes (memory)"),
    OPTION_INT("starts", "200", 1, 2000, "starts of each kind in each of 5 rounds (start)"),
    OPTIONS_END,
};

const struct lesson process_lesson = {
    .name = "process",
    .summary = N_("fork: pid and ppid, memory copied not shared, start costs, crashes, join/terminate/daemon"),
    .runs_for = { 4.5 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §3 多进程; seed 001 多进程 vs. 多线程; seed 003 进程创建/启动/停止"),
    .options = process_options,
    .results = "one line per part: part=article parent_pid child_pid child_ppid exitcode; part=memory counter_in_child "
               "counter_in_parent pages read_faults write_faults rewrite_faults parent_intact; part=start starts "
               "thread_us fork_us fork_exec_us posix_spawn_us fork_x fork_exec_x posix_spawn_x; part=crash "
               "crash_signal crash_exitcode sibling_steps sibling_done thread_crash_signal worker_steps "
               "worker_steps_due worker_done; part=lifecycle join_timeout_took alive_after_join exitcode "
               "daemon_ticks daemon_exitcode daemon_gone_at parent_exitcode",
    .explanation = N_(
        "A process is a program running with its own memory.  Python's\n"
        "multiprocessing.Process starts one with fork() on Linux: the child is\n"
        "a copy of the parent and runs the target in that copy.\n"
        "\n"
        "Part article is seed 000's program: info() prints the title, the\n"
        "module name, the parent's pid (getppid) and its own (getpid), in main\n"
        "and then in the child, which also prints \"hello bob\".  The child's\n"
        "parent is main.  Python prints __main__ as the module name in both\n"
        "under fork (__mp_main__ in the child under spawn); C has no module\n"
        "name, and the lesson prints the program's.\n"
        "\n"
        "Part memory: a global the child changes is unchanged in the parent;\n"
        "and the copy is lazy.  A child reads, then writes, --pages pages the\n"
        "parent filled, and counts its minor page faults: reading costs none,\n"
        "the first write to each page one (the kernel copies the page then:\n"
        "copy-on-write), a second write none.\n"
        "\n"
        "Part start times --starts starts of each kind, in 5 rounds: a thread\n"
        "(pthread_create+join), fork+_exit+waitpid, fork+exec of this program\n"
        "in a mode that exits at once (as Python's spawn starts a fresh\n"
        "python3), and posix_spawn of the same; each as a multiple of the\n"
        "thread.\n"
        "\n"
        "Part crash, seed 001: a child that writes through a NULL pointer dies\n"
        "of SIGSEGV, waitpid says so (Python's exitcode -11), and main and a\n"
        "sibling child go on.  Then a process with two threads, one of which\n"
        "crashes: the whole process dies, and its worker's later steps never\n"
        "come.\n"
        "\n"
        "Part lifecycle, seed 003: join(0.5) on a child that sleeps 10 s\n"
        "returns with the child alive; terminate() sends SIGTERM and the\n"
        "exitcode is -15.  A child with a daemon child of its own exits: as\n"
        "Python's exit does, it terminates its daemon and joins it first.\n"),
    .run = process_run,
};
