/* daemon: daemon threads die with the process; their later lines never appear.
 * Seed 000 §2.2 (守护进程), seed 002 (守护线程), seed 003 (守护进程/线程).
 *
 * The article's program (seed 000):
 *
 *     def run(n):
 *         print("task", n)
 *         time.sleep(1)
 *         print('3')
 *         time.sleep(1)
 *         print('2')
 *         time.sleep(1)
 *         print('1')
 *
 *     for i in range(3):
 *         t = threading.Thread(target=run, args=("t-%s" % i,))
 *         t.setDaemon(True)    # 必须在start()之前设置
 *         t.start()
 *
 *     time.sleep(0.5)
 *     print(threading.active_count())     # 4: main and the three daemons
 *
 * The lesson runs that program in a child process, as a shell runs
 * `python3 art.py`, and reads what it prints through a pipe.  Every thread
 * of the child shares the pipe's write end, so the pipe reaches end of file
 * only when no thread of the child is left: the proof that no daemon
 * outlived the process, and that the lines missing never came.
 *
 * Python's daemon flag is a rule of its exit, not of the thread: at exit,
 * the main thread joins every thread that was not a daemon when it started
 * (threading._shutdown).  A C process has no such rule: exit(), and
 * returning from main, end every thread at once.  The small Thread below
 * gives C Python's rule, so that both can run side by side. */
#define _GNU_SOURCE /* pipe2 */
#include "lesson.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int threads; /* range(3) */
static double main_sleep; /* time.sleep(0.5) */

/* The child's print() and its facts for the parent, and its threads' start:
 * plumbing, at the end of the file. */
static int stdout_pipe = -1; /* in the child: the pipe's write end, its stdout */
static void print_line(const char *actor, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell_parent(const char *fact, double value);
static int create_thread(pthread_t *id, void *(*fn)(void *), void *arg);

/* -- the article's program, in the child ------------------------------------ */

static void run(const char *n) /* def run(n): */
{
    print_line(n, "task %s", n); /* print("task", n) */
    for (int left = 3; left >= 1; left--) {
        lesson_sleep(1); /* time.sleep(1) */
        print_line(n, "%d", left); /* print('3'), print('2'), print('1') */
    }
}

/* -- a Python Thread in C: the daemon flag, and the join at exit ------------ */

struct thread {
    pthread_t id;
    char name[16];
    void (*target)(const char *name); /* Thread(target=run, args=(name,)) */
    bool daemon;  /* t.daemon: read once, by start() */
    bool started; /* start() was called */
    bool running; /* the thread runs: start() waits for it, as Python's does */
};

static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t running_changed = PTHREAD_COND_INITIALIZER;

/* threading.active_count(): main, and every thread started and not yet ended. */
static atomic_int active = 1;

/* The threads that exit must join: each non-daemon thread, added by start(),
 * as Thread._set_tstate_lock adds it to _shutdown_locks in Python 3.11. */
static struct thread *exit_joins[64];
static int exit_join_count;

static void *thread_main(void *arg)
{
    struct thread *me = arg;
    pthread_mutex_lock(&running_lock);
    me->running = true;
    pthread_cond_broadcast(&running_changed);
    pthread_mutex_unlock(&running_lock);
    me->target(me->name);
    atomic_fetch_sub(&active, 1);
    tell_parent("end", lesson_now());
    return NULL;
}

/* t.daemon = value.  False, as Python's RuntimeError: "cannot set daemon
 * status of active thread", once start() was called: the flag was read then. */
static bool thread_set_daemon(struct thread *t, bool value)
{
    if (t->started)
        return false;
    t->daemon = value;
    return true;
}

/* t.start(): returns once the thread runs.  Returns the error
 * pthread_create gave, or 0. */
static int thread_start(struct thread *t)
{
    t->started = true;
    atomic_fetch_add(&active, 1);
    int error = create_thread(&t->id, thread_main, t);
    if (error) {
        atomic_fetch_sub(&active, 1);
        return error;
    }
    if (!t->daemon && exit_join_count < (int)(sizeof exit_joins / sizeof *exit_joins))
        exit_joins[exit_join_count++] = t;
    pthread_mutex_lock(&running_lock);
    while (!t->running) /* self._started.wait() */
        pthread_cond_wait(&running_changed, &running_lock);
    pthread_mutex_unlock(&running_lock);
    return 0;
}

/* What Python does when main's code ends (threading._shutdown): join every
 * non-daemon thread.  Whatever still runs after that dies with the process. */
static void python_exit(void)
{
    for (int k = 0; k < exit_join_count; k++)
        pthread_join(exit_joins[k]->id, NULL);
    exit_join_count = 0;
}

/* -- the rest of the program: how main ends --------------------------------- */

/* How the child's main ends, which is the whole lesson. */
enum ending {
    PYTHON_DAEMONS,  /* t.setDaemon(True), then Python's exit */
    PYTHON_PLAIN,    /* no setDaemon: Python's exit joins them */
    C_RETURN,        /* plain pthreads; main returns */
    C_PTHREAD_EXIT,  /* plain pthreads; main calls pthread_exit() */
};

struct program {
    enum ending ending;
    int read_end, write_end;
};

static void *c_thread(void *arg)
{
    run(arg);
    tell_parent("end", lesson_now());
    return NULL;
}

/* Python's threads, as the article starts them. */
static int start_python_threads(bool daemon, struct thread *ts)
{
    for (int i = 0; i < threads; i++) {
        snprintf(ts[i].name, sizeof ts[i].name, "t-%d", i);
        ts[i].target = run;
        thread_set_daemon(&ts[i], daemon); /* t.setDaemon(True): before start() */
        int error = thread_start(&ts[i]); /* t.start() */
        if (error)
            return error;
    }
    return 0;
}

/* The same threads, as C starts them: no flag to set, none to forget. */
static int start_c_threads(char (*names)[16], pthread_t *ids)
{
    int error = 0;
    for (int i = 0; i < threads && !error; i++) {
        snprintf(names[i], 16, "t-%d", i);
        error = create_thread(&ids[i], c_thread, names[i]); /* pthread_create() */
    }
    return error;
}

static void end_child(void)
{
    _exit(0);
}

static int article_program(void *arg) /* the child process: python3 art.py */
{
    const struct program *p = arg;
    close(p->read_end);
    stdout_pipe = p->write_end;
    static struct thread ts[64];
    static char names[64][16];
    static pthread_t ids[64];
    bool python = p->ending == PYTHON_DAEMONS || p->ending == PYTHON_PLAIN;
    int error = python ? start_python_threads(p->ending == PYTHON_DAEMONS, ts) : start_c_threads(names, ids);
    if (error) {
        tell_parent("refused", error);
        return 1; /* the threads started die with the process */
    }

    lesson_sleep(main_sleep); /* time.sleep(0.5) */
    int count = python ? atomic_load(&active) : threads_in_process();
    tell_parent("kernel_threads", threads_in_process());
    print_line("main", "%d", count); /* print(threading.active_count()) */

    if (python)
        python_exit(); /* joins the non-daemon threads: none, with setDaemon(True) */
    tell_parent("main_end", lesson_now());
    if (p->ending == C_PTHREAD_EXIT) {
        /* After the last thread, the process ends as by exit(0), which runs
         * the atexit handlers: the parent's copies are not the child's.  The
         * last registered runs first, and ends the child at once. */
        atexit(end_child);
        pthread_exit(NULL); /* main ends; the process lives while a thread does */
    }
    return 0; /* into _exit(), as main returns into exit(): every thread ends here */
}

/* -- the parent: run the program, read what it printed ---------------------- */

struct watch {
    double began;         /* when the child was started; the times below count from it */
    int lines;            /* lines printed that came through */
    int countdown;        /* of them, the threads' 3, 2, 1 */
    int count;            /* what main printed for active_count() */
    int kernel_threads;   /* what the kernel counted then */
    double count_at;      /* when main's line came */
    double last_countdown_at; /* when the last of the threads' 3, 2, 1 came */
    int ended;            /* the threads that finished run(), as the child told it */
    double threads_end_at; /* the last of those ends */
    double main_end_at;   /* when main's code ended, as the child told it */
    double exit_at;       /* the last end of a thread's code, main's included */
    double eof_at;        /* when the pipe reached end of file */
    int child_exit;
    int refused;          /* errno of a thread the child could not start */
};

/* One line from the child: a fact, or a printed line to show. */
static void take_line(char *line, struct watch *w)
{
    char *tab = strchr(line, '\t');
    if (!tab)
        return;
    *tab = '\0';
    char *text = tab + 1;
    if (strcmp(line, "=") == 0) {
        char *value = strchr(text, '\t');
        if (!value)
            return;
        *value++ = '\0';
        double v = strtod(value, NULL);
        bool main_end = strcmp(text, "main_end") == 0;
        if (main_end || strcmp(text, "end") == 0) {
            if (main_end)
                w->main_end_at = v - w->began;
            else if (++w->ended && v - w->began > w->threads_end_at)
                w->threads_end_at = v - w->began;
            if (v - w->began > w->exit_at)
                w->exit_at = v - w->began;
        } else if (strcmp(text, "kernel_threads") == 0)
            w->kernel_threads = (int)v;
        else if (strcmp(text, "refused") == 0)
            w->refused = (int)v;
        return;
    }
    say(line, "%s", text);
    w->lines++;
    if (strcmp(line, "main") == 0) {
        w->count = atoi(text);
        w->count_at = lesson_now() - w->began;
    } else if (strncmp(text, "task ", 5) != 0) {
        w->countdown++;
        w->last_countdown_at = lesson_now() - w->began;
    }
}

/* Start the program in a child, relay its lines until the pipe's end of
 * file, and reap it.  Returns 0, or 1 (said) if the system refused. */
static int run_program(enum ending ending, struct watch *w)
{
    memset(w, 0, sizeof *w);
    w->count = -1;
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) {
        report_no_descriptor(_("a pipe for the child's output"), errno);
        return 1;
    }
    struct program program = { ending, ends[0], ends[1] };
    w->began = lesson_now();
    pid_t child = child_start(article_program, &program);
    close(ends[1]); /* the child's now: while the parent kept it, no end of file could come */
    if (child < 0) {
        int error = errno;
        close(ends[0]);
        if (!lesson_stop_requested())
            report_process_refusal(error, children_alive());
        return not_started();
    }
    span_begin("parent", SPAN_WAITING); /* for --timeline and --trace */
    char buffer[4096];
    size_t held = 0;
    for (;;) {
        ssize_t got = read(ends[0], buffer + held, sizeof buffer - held - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* end of file: no thread of the child holds the write end now */
        held += (size_t)got;
        buffer[held] = '\0';
        char *start = buffer, *newline;
        while ((newline = strchr(start, '\n'))) {
            *newline = '\0';
            take_line(start, w);
            start = newline + 1;
        }
        held = (size_t)(buffer + held - start);
        memmove(buffer, start, held);
        if (held == sizeof buffer - 1)
            held = 0; /* a line longer than the buffer: not one of ours */
    }
    w->eof_at = lesson_now() - w->began;
    span_end("parent", SPAN_WAITING);
    close(ends[0]);
    w->child_exit = child_join(child);
    if (w->refused && !lesson_stop_requested()) {
        report_thread_refusal(w->refused, threads);
        return 1;
    }
    return 0;
}

static bool eof_explained; /* the end of file's meaning: said in full once a run */

static void say_outcome(const struct watch *w)
{
    int expected = 4 * threads + 1;
    say("parent", "end of file %.3f s after the start; the child exited with %d: %d of %d lines came, %d never did",
        w->eof_at, w->child_exit, w->lines, expected, expected - w->lines);
    double after_ms = (w->eof_at - w->exit_at) / option_real("speed") * 1000;
    if (w->ended == threads)
        note("All %d of its threads finished their code, the last at %.3f s, and main its own at %.3f s; the "
             "end of file came %.2f ms after the later.",
             threads, w->threads_end_at, w->main_end_at, after_ms);
    else if (w->ended == 0)
        note("None of its %d threads finished its code: main's ended at %.3f s, and the end of file came %.2f ms "
             "later, with the process.",
             threads, w->main_end_at, after_ms);
    else
        note("%d of its %d threads finished their code; main's ended at %.3f s, and the end of file came %.2f ms "
             "after the last end, with the process.",
             w->ended, threads, w->main_end_at, after_ms);
    if (!eof_explained)
        note("At the end of file no thread of the child held the pipe's write end any more, so nothing could "
             "ever come through it again.");
    eof_explained = true;
}

static void result_for(const char *part, const struct watch *w)
{
    result_at_end("part=%s threads=%d lines=%d expected=%d missing=%d countdown=%d ended=%d count=%d "
                  "kernel_threads=%d count_at=%.3f exit_at=%.3f eof_at=%.3f child_exit=%d",
                  part, threads, w->lines, 4 * threads + 1, 4 * threads + 1 - w->lines, w->countdown, w->ended,
                  w->count, w->kernel_threads, w->count_at, w->exit_at, w->eof_at, w->child_exit);
}

/* What a run shows about the threads' later lines, said plainly either way. */
static void say_countdown(const struct watch *w, bool expected_all)
{
    int due = 3 * threads;
    if (w->countdown == due)
        note("All %d of the threads' 3, 2, 1 came, the last at %.3f s%s.", due, w->last_countdown_at,
             expected_all ? "" : _(": main's code ended after the threads' own"));
    else if (expected_all)
        note("Only %d of the threads' %d lines 3, 2, 1 came: the run was cut short.", w->countdown, due);
    else if (w->countdown == 0)
        note("None of the threads' %d lines 3, 2, 1, due at 1, 2 and 3 s, came: the threads died with the "
             "process, in their first sleep.",
             due);
    else if (main_sleep >= 1)
        note("%d of the threads' lines 3, 2, 1 came before the process ended: main slept %g s, past the "
             "first at 1 s. The rest never came.",
             w->countdown, main_sleep);
    else
        note("%d of the threads' lines 3, 2, 1 came before the process ended: main printed %.2f s after "
             "the start, late for its %g s sleep. The rest never came.",
             w->countdown, w->count_at, main_sleep);
}

static int part_daemon(void)
{
    say("parent", "part 1, seed 000: the article's program, t.setDaemon(True) before each start()");
    note("A child process runs it, as a shell runs `python3 art.py`; the parent reads what it prints "
         "through a pipe, and shows each line as it comes.");
    note("Python 3.11 runs it, and prints on stderr, once: \"DeprecationWarning: setDaemon() is deprecated, "
         "set the daemon attribute instead\" (3.10 to 3.13 do; 3.9 did not). t.daemon = True is the "
         "spelling now.");
    struct watch w;
    int status = run_program(PYTHON_DAEMONS, &w);
    if (status || lesson_stop_requested())
        return status;
    say_outcome(&w);
    if (w.count == threads + 1)
        note("main printed %d: itself and its %d daemons (the kernel counted %d threads in the child).", w.count,
             threads, w.kernel_threads);
    else
        note("main printed %d, not %d: itself and the daemons still running; %d had finished their code (the "
             "kernel's count of the child's threads: %d). Python 3.11 counts the same way (run here).",
             w.count, threads + 1, threads + 1 - w.count, w.kernel_threads);
    note("Then its code ended, and Python's exit joins only threads that are not daemons: none here.");
    say_countdown(&w, false);
    result_for("daemon", &w);
    return 0;
}

static int part_wait(void)
{
    say("parent", "part 2: the same program without setDaemon(True): Python waits");
    struct watch w;
    int status = run_program(PYTHON_PLAIN, &w);
    if (status || lesson_stop_requested())
        return status;
    say_outcome(&w);
    note("main printed %d %.2f s after the start, but then Python's exit joined the threads "
         "(threading._shutdown): each was not a daemon when it started. Python 3.11 prints all %d lines "
         "too (run here).",
         w.count, w.count_at, 4 * threads + 1);
    say_countdown(&w, true);
    result_for("wait", &w);
    return 0;
}

static int part_return(void)
{
    say("parent", "part 3, C: the same threads with pthread_create(), and main returns");
    struct watch w;
    int status = run_program(C_RETURN, &w);
    if (status || lesson_stop_requested())
        return status;
    say_outcome(&w);
    note("C has no daemon flag and no join at exit: main's return calls exit(), and exit() ends every thread "
         "of the process at once. Every C thread is a daemon. (The count is the kernel's; C has no "
         "active_count().)");
    note("The child's main returns into _exit(), as a forked child must; a program's main returns into "
         "exit(), which ends its threads the same way.");
    say_countdown(&w, false);
    result_for("return", &w);
    return 0;
}

static int part_pthread_exit(void)
{
    say("parent", "part 4, C: main calls pthread_exit(NULL) instead of returning");
    struct watch w;
    int status = run_program(C_PTHREAD_EXIT, &w);
    if (status || lesson_stop_requested())
        return status;
    say_outcome(&w);
    note("pthread_exit() ends only the main thread. The process lives while any thread does, and exits with "
         "0 when the last one ends: the C form of Python's wait, for every thread.");
    say_countdown(&w, true);
    result_for("pthread-exit", &w);
    return 0;
}

/* -- part 5: the flag is read at start() ------------------------------------ */

static void nap(const char *name) /* a thread that sleeps a little */
{
    (void)name;
    lesson_sleep(0.2);
}

static const char *answer(bool accepted)
{
    return accepted ? _("accepted") : "RuntimeError: cannot set daemon status of active thread";
}

static int part_flag(void)
{
    say("parent", "part 5: the daemon flag must be set before start()");
    struct thread t = { .name = "t-0", .target = nap };
    int error = thread_start(&t);
    if (error) {
        if (!lesson_stop_requested())
            report_thread_refusal(error, 0);
        return not_started();
    }
    say("main", "t = Thread(target=nap); t.start(); then t.daemon = True");
    bool after_start = thread_set_daemon(&t, true);
    say("main", "-> %s", answer(after_start));
    note("Python 3.11 raises the same (run here). start() read the flag once: t-0 was not a daemon, so it "
         "went on the list that exit joins, and a later True could not take it off.");
    double began = lesson_now();
    python_exit(); /* the join at exit */
    say("main", "the exit's join waited %.2f s for t-0: it is on the list", lesson_now() - began);
    bool after_end = thread_set_daemon(&t, true);
    say("main", "t.daemon = True after t-0 ended -> %s", answer(after_end));
    note("Python refuses it after the end too: it asks only whether start() was called.");
    struct thread u = { .name = "t-1", .target = nap };
    bool before_start = thread_set_daemon(&u, true);
    say("main", "u = Thread(target=nap); u.daemon = True before u.start() -> %s", answer(before_start));
    error = thread_start(&u);
    if (error) {
        if (!lesson_stop_requested())
            report_thread_refusal(error, 0);
        return not_started();
    }
    pthread_join(u.id, NULL); /* a daemon is not on exit's list: the lesson joins it itself */
    if (lesson_stop_requested())
        return 0;
    note("POSIX threads have no such flag. The detach state set before pthread_create() says whether a "
         "thread can be joined, not whether exit waits: a detached thread dies with the process too.");
    result_at_end("part=flag before_start=%s after_start=%s after_end=%s", before_start ? "accepted" : "refused",
                  after_start ? "accepted" : "refused", after_end ? "accepted" : "refused");
    return 0;
}

static int daemon_run(void)
{
    threads = (int)option_int("threads");
    main_sleep = option_real("main-sleep");
    eof_explained = false;
    static const struct lesson_part parts[] = {
        { "daemon", part_daemon },
        { "wait", part_wait },
        { "return", part_return },
        { "pthread-exit", part_pthread_exit },
        { "flag", part_flag },
    };
    return RUN_PARTS(parts);
}

/* -- plumbing: the child's print(), its facts, its threads' start ---------- */

/* print(): "actor<TAB>text\n" in one write(), so that lines from the child's
 * threads never mix (a write of up to PIPE_BUF bytes to a pipe is atomic).
 * An actor of "=" marks a fact for the parent, not a printed line. */
static void print_line(const char *actor, const char *fmt, ...)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s\t", actor);
    va_list args;
    va_start(args, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, args);
    va_end(args);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t written = write(stdout_pipe, line, (size_t)n);
    (void)written; /* the parent reads until the end: nothing to do if it went away */
}

/* The facts the parent needs beside the printed lines. */
static void tell_parent(const char *fact, double value)
{
    if (stdout_pipe >= 0) /* in the child only */
        print_line("=", "%s\t%.6f", fact, value);
}

/* pthread_create(); in the child, on a stack of its own (process.h says why).
 * The child never frees it: it ends with its threads. */
static int create_thread(pthread_t *id, void *(*fn)(void *), void *arg)
{
    if (stdout_pipe >= 0)
        return child_thread_start(id, fn, arg, NULL);
    pthread_attr_t attr;
    small_stack_attr(&attr);
    int error = pthread_create(id, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    return error;
}
static const struct option_spec daemon_options[] = {
    OPTION_CHOICE("part", "all", "all|daemon|wait|return|pthread-exit|flag", "which part to run; all: in this order"),
    OPTION_INT("threads", "3", 1, 64, "threads that count down 3, 2, 1: range(3)"),
    OPTION_REAL("main-sleep", "0.5", 0.1, 5, "lesson seconds main sleeps before it prints the count"),
    OPTIONS_END,
};

const struct lesson daemon_lesson = {
    .name = "daemon",
    .summary = N_("daemon threads die with the process: their later lines never appear"),
    .runs_for = { 7.4 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §2.2 守护进程; seed 002 守护线程; seed 003 守护进程/线程"),
    .options = daemon_options,
    .results = "one line per part: part=daemon|wait|return|pthread-exit threads lines expected missing countdown "
               "ended count kernel_threads count_at exit_at eof_at child_exit; part=flag before_start after_start "
               "after_end",
    .explanation = N_(
        "A daemon thread is one the program does not wait for.  Seed 000's\n"
        "program starts three threads that print \"task t-N\", then 3, 2 and 1 a\n"
        "second apart; it marks them daemons, sleeps 0.5 s, prints the count of\n"
        "threads (4) and ends.  The process ends with it, and the daemons die in\n"
        "their first sleep: their 3, 2, 1 never appear.\n"
        "\n"
        "The lesson runs each program in a child process and reads what it\n"
        "prints through a pipe, as a shell would.  Every thread of the child\n"
        "shares the pipe, so its end of file comes only when no thread of the\n"
        "child is left: the lines missing can never come.\n"
        "\n"
        "Part 1 is the article's program.  Part 2 leaves out setDaemon(True):\n"
        "Python's exit joins every thread that was not a daemon when it\n"
        "started, and all 13 lines come, the last at 3 s.  Part 3 is C's\n"
        "default: return from main, or exit(), ends every thread at once, so\n"
        "every C thread is a daemon.  Part 4: pthread_exit() in main ends only\n"
        "main, and the process lives until its last thread ends.  Part 5: the\n"
        "flag must be set before start(); after it, Python 3.11 raises\n"
        "RuntimeError: cannot set daemon status of active thread.\n"
        "\n"
        "setDaemon() is deprecated since Python 3.10: Python 3.11 runs the\n"
        "article's program but prints a DeprecationWarning on stderr.  Write\n"
        "t.daemon = True, or Thread(..., daemon=True).  In Python a thread's\n"
        "flag starts as that of the thread that creates it.\n"),
    .run = daemon_run,
};
