/* gil: one global lock, so one thread runs Python at a time.
 * Seed 000 §2.3 (GIL), seed 002 (全局解释器锁, and its FAQ).
 *
 * The article's program (seed 002, its FAQ's pseudo-code of the interpreter):
 *
 *     while True:
 *         acquire GIL
 *         for i in 1000:
 *             do something
 *         release GIL
 *         # Give Operating System a chance to do thread scheduling
 *
 * (Pseudo-code: its last line is a C comment there, and python3 refuses
 * it, SyntaxError at `acquire GIL`; `for i in 1000` alone is TypeError:
 * 'int' object is not iterable.)  What
 * a student runs to see it is the countdown that the articles' sources time:
 *
 *     def countdown(n):
 *         while n > 0:
 *             n -= 1              # CPU-bound: holds the GIL but at switch points
 *
 *     countdown(N)                                      # 1 thread
 *     ts = [Thread(target=countdown, args=(N // 2,)) for _ in range(2)]
 *     for t in ts: t.start()
 *     for t in ts: t.join()                             # 2 threads: no faster
 *     ps = [Process(target=countdown, args=(N // 2,)) for _ in range(2)]
 *     for p in ps: p.start()
 *     for p in ps: p.join()                             # 2 processes: 2x
 *
 * and threads that wait on I/O, `time.sleep(1)` in 4 threads, which take 1 s
 * together: the GIL is let go around the wait.
 *
 * C has no GIL: its threads run on every CPU at once.  The GIL here is built
 * for real in demos/primitives/gil.c, with both of Python's switch rules
 * (--gil py2, py3), and the countdown is C ticks run only while holding it. */
#define _GNU_SOURCE /* sched_getaffinity(): the CPUs this run may use */
#include "lesson.h"
#include "primitives/gil.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* The GIL of the run that is on now, for the stop hook. */
static pthread_mutex_t live_guard = PTHREAD_MUTEX_INITIALIZER;
static struct gil *live_gil;

static void stop_live_gil(void)
{
    pthread_mutex_lock(&live_guard);
    if (live_gil)
        gil_stop(live_gil);
    pthread_mutex_unlock(&live_guard);
}

static void gil_goes_live(struct gil *gil)
{
    pthread_mutex_lock(&live_guard);
    live_gil = gil;
    if (lesson_stop_requested())
        gil_stop(gil);
    pthread_mutex_unlock(&live_guard);
}

static enum gil_kind chosen_gil(void)
{
    const char *kind = option_choice("gil");
    return strcmp(kind, "py2") == 0 ? GIL_PY2 : strcmp(kind, "py3") == 0 ? GIL_PY3 : GIL_NONE;
}

static void gil_open(struct gil *gil, enum gil_kind kind)
{
    gil_init(gil, kind, (long)option_int("check-interval"), option_real("switch-interval"));
}

/* -- part 1: CPU-bound, the countdown ---------------------------------------- */

struct counter {
    const char *name;
    struct gil *gil;
    long long ticks;   /* its share of the countdown */
    long long counted; /* how far it got */
    unsigned long long sink; /* the work's result, kept so the compiler does the work */
};

/* One tick: one pass of the loop, `n -= 1` and the test `n > 0`, which is
 * 8 bytecodes in CPython 3.11 and 9 in 2.7 (dis.dis(countdown)); here a few
 * dependent multiplications stand for them.  Python 2's "ticks" were
 * bytecodes (2.7 skips the count for some fast ones), so its 100 were 11
 * passes or more; the lesson's --check-interval counts passes. */
static inline unsigned long long tick(unsigned long long x)
{
    for (int k = 0; k < 8; k++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
}

static void *countdown(void *arg)
{
    struct counter *me = arg;
    long since_check = 0;
    if (!gil_take(me->gil, me->name))
        return NULL;
    long long n = me->ticks;
    unsigned long long x = (unsigned long long)n;
    while (n > 0) {                                        /* while n > 0: */
        if (!gil_tick(me->gil, me->name, &since_check))   /* the switch point; false: stopped */
            return NULL;
        x = tick(x);
        n -= 1;                                            /*     n -= 1 */
        if ((n & 0xffff) == 0 && lesson_stop_requested()) /* Ctrl-C: every 65536 ticks, about 0.6 ms */
            break;
    }
    me->counted = me->ticks - n;
    me->sink = x;
    gil_drop(me->gil, me->name, GIL_FOR_IO); /* the thread ends: it lets go for good */
    return NULL;
}

/* What one way of running the countdown cost. */
struct row {
    const char *name;   /* threads-1, threads-2, threads-4, nogil-2, processes-2 */
    const char *label;
    int workers;
    bool processes;
    enum gil_kind kind;
    double wall, cpu, speedup;
    long handoffs, switch_points, wasted, drop_requests;
    int peak_running;
    long long counted;
};

static double cpu_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec + now.tv_nsec / 1e9;
}

static double children_cpu_seconds(void)
{
    struct rusage used;
    getrusage(RUSAGE_CHILDREN, &used);
    return (double)used.ru_utime.tv_sec + used.ru_utime.tv_usec / 1e6 + (double)used.ru_stime.tv_sec +
           used.ru_stime.tv_usec / 1e6;
}

static const char *const worker_names[] = { "t-0", "t-1", "t-2", "t-3" };
static const char *const process_names[] = { "p-0", "p-1" };

enum { CHILD_UNFINISHED = 3, CHILD_NOT_EXCLUSIVE = 4 }; /* a countdown child's exit statuses */

/* A child process: its own interpreter, its own GIL, one thread. */
static int countdown_in_child(void *arg)
{
    struct counter *me = arg;
    struct gil own;
    gil_open(&own, me->gil->kind);
    me->gil = &own;
    countdown(me);
    bool one_at_a_time = atomic_load(&own.peak_running) <= 1;
    gil_destroy(&own);
    return !one_at_a_time ? CHILD_NOT_EXCLUSIVE : me->counted == me->ticks ? 0 : CHILD_UNFINISHED;
}

static int run_row(struct row *row, long long total)
{
    struct gil gil;
    gil_open(&gil, row->kind);
    struct counter counters[4];
    for (int i = 0; i < row->workers; i++)
        counters[i] = (struct counter){ .name = row->processes ? process_names[i] : worker_names[i], .gil = &gil,
                                        .ticks = total / row->workers + (i < total % row->workers) };
    int status = 0;
    double wall0 = real_now(), cpu0 = cpu_seconds(), children0 = children_cpu_seconds();
    if (row->processes) {
        pid_t pids[2] = { -1, -1 };
        for (int i = 0; i < row->workers; i++) {
            pids[i] = child_start(countdown_in_child, &counters[i]); /* Process(target=countdown).start() */
            if (pids[i] < 0) {
                if (!lesson_stop_requested())
                    report_process_refusal(errno, children_alive()), status = 1;
                break;
            }
        }
        row->peak_running = 1;
        for (int i = 0; i < row->workers; i++) {
            if (pids[i] <= 0)
                continue;
            int exit_status = child_join(pids[i]); /* p.join() */
            if (exit_status == 0)
                row->counted += counters[i].ticks; /* it counted them all, one thread at a time */
            else if (exit_status == CHILD_NOT_EXCLUSIVE)
                row->peak_running = 2; /* more than one thread ran in its interpreter at once */
        }
    } else {
        struct team team;
        if (!team_init_together(&team, row->workers)) {
            gil_destroy(&gil);
            return 1;
        }
        gil_goes_live(&gil);
        for (int i = 0; i < row->workers; i++) /* t.start() */
            if (!team_start(&team, countdown, &counters[i]))
                break;
        team_join_all(&team);                   /* t.join() */
        status = team_report_refusal(&team);
        team_free(&team);
        pthread_mutex_lock(&live_guard); /* joined: a stop must not reach this GIL once destroyed */
        live_gil = NULL;
        pthread_mutex_unlock(&live_guard);
        for (int i = 0; i < row->workers; i++)
            row->counted += counters[i].counted;
    }
    row->wall = real_now() - wall0;
    row->cpu = cpu_seconds() - cpu0 + children_cpu_seconds() - children0;
    row->handoffs = gil.handoffs;
    row->switch_points = gil.switch_points;
    row->wasted = gil.wasted;
    row->drop_requests = gil.drop_requests;
    if (!row->processes)
        row->peak_running = atomic_load(&gil.peak_running);
    gil_destroy(&gil);
    return status;
}

static int cpus_to_run_on(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

static const char *gil_words(enum gil_kind kind)
{
    return kind == GIL_PY2 ? "GIL py2" : kind == GIL_PY3 ? "GIL py3" : _("no GIL");
}

static int part_cpu(void)
{
    enum gil_kind kind = chosen_gil();
    long long total = option_int("countdown");
    int cpus = cpus_to_run_on();
    struct row rows[] = {
        { .name = "threads-1", .label = N_("1 thread"), .workers = 1, .kind = kind },
        { .name = "threads-2", .label = N_("2 threads"), .workers = 2, .kind = kind },
        { .name = "threads-4", .label = N_("4 threads"), .workers = 4, .kind = kind },
        { .name = "nogil-2", .label = N_("2 no GIL"), .workers = 2, .kind = GIL_NONE },
        { .name = "processes-2", .label = N_("2 processes"), .workers = 2, .processes = true, .kind = kind },
    };
    say("main", "part 1: CPU-bound: countdown(%lld), shared out among the workers; %d %s to run on", total, cpus,
        translate_plural("CPU", "CPUs", (unsigned long)cpus));
    if (kind == GIL_PY2)
        note("GIL py2: the holder lets go every %lld ticks and at once asks again (sys.setcheckinterval, "
             "Python 2.7; Python 3.11 has none).", option_int("check-interval"));
    else if (kind == GIL_PY3)
        note("GIL py3: a waiter waits %g ms, then asks the holder to drop it; the holder waits until the "
             "waiter has it (sys.getswitchinterval() is 0.005 in Python 3.11).",
             option_real("switch-interval") * 1000);
    else
        note("--gil none: every row runs plain C threads, with no GIL; the rows 'under the GIL' too.");
    note("wall and cpu are real seconds, whatever --speed says: CPU work does not go faster (the [times] on the "
         "left are lesson time). CPUs: cpu/wall, the CPUs the row kept busy. speed: 1 thread's wall over the "
         "row's. wasted: wake-ups that found the GIL taken.");
    say("main", "%-11s %6s %6s %4s %6s %9s %6s", "", _("wall s"), _("cpu s"), _("CPUs"), _("speed"),
        _("hand-offs"), _("wasted"));
    int status = 0;
    size_t count = sizeof rows / sizeof *rows;
    for (size_t i = 0; i < count && status == 0 && !lesson_stop_requested(); i++) {
        struct row *row = &rows[i];
        status = run_row(row, total);
        if (status != 0 || lesson_stop_requested())
            break;
        /* to the hundredth, as printed: the verdicts below read the figures the class sees */
        row->speedup = round(100 * rows[0].wall / row->wall) / 100;
        say("main", "%-11s %6.3f %6.3f %4.1f %5.2fx %9ld %6ld", _(row->label), row->wall, row->cpu, row->cpu / row->wall,
            row->speedup, row->handoffs, row->wasted);
        if (row->kind != GIL_NONE && row->peak_running > 1)
            note("%d threads ran ticks at once under one GIL: the GIL is broken.", row->peak_running);
        if (row->kind == GIL_PY2 && row->workers > 1 && row->switch_points > 0)
            note("%ld switch points: the holder took the GIL straight back at %.2f%% of them.", row->switch_points,
                 100.0 * (double)(row->switch_points - row->handoffs) / (double)row->switch_points);
        if (row->kind == GIL_NONE && row->workers > 1 && !row->processes)
            note(row->peak_running > 1 ? N_("Without a GIL, %d threads were inside the countdown at once; they kept "
                                            "%.1f %s busy%s.")
                                       : N_("Without a GIL, yet %d thread at a time was inside the countdown; they "
                                            "kept %.1f %s busy%s."),
                 row->peak_running, row->cpu / row->wall,
                 translate_plural("CPU", "CPUs", row->cpu / row->wall < 1.05 ? 1 : 2),
                 cpus < 2 ? _(": on 1 CPU they still took turns") : "");
        if (row->counted != total)
            note("The countdown did not finish: %lld of %lld ticks.", row->counted, total);
        result_at_end("part=cpu row=%s gil=%s workers=%d wall=%.3f cpu=%.3f speedup=%.2f handoffs=%ld "
                      "switch_points=%ld wasted=%ld drop_requests=%ld peak_running=%d counted=%lld expected=%lld",
                      row->name, row->kind == GIL_NONE ? "none" : option_choice("gil"), row->workers, row->wall,
                      row->cpu, row->speedup, row->handoffs, row->switch_points, row->wasted, row->drop_requests,
                      row->peak_running, row->counted, total);
    }
    if (status != 0 || lesson_stop_requested())
        return status;

    /* What this run showed: the figures, and what they mean. */
    const struct row *gil2 = &rows[1], *gil4 = &rows[2], *free2 = &rows[3], *procs = &rows[4];
    int gil_peak = gil2->peak_running > gil4->peak_running ? gil2->peak_running : gil4->peak_running;
    if (rows[0].peak_running > gil_peak)
        gil_peak = rows[0].peak_running;
    if (kind != GIL_NONE) {
        if (gil_peak <= 1)
            note("Under the GIL, at most 1 thread was inside the countdown at once, in every row.");
        double slowest = gil2->speedup < gil4->speedup ? gil2->speedup : gil4->speedup;
        double fastest = gil2->speedup > gil4->speedup ? gil2->speedup : gil4->speedup;
        if (fastest > 1.1 && gil_peak <= 1)
            note("Under the GIL: 2 threads %.2fx, 4 threads %.2fx the speed of one: faster, though the ticks never "
                 "ran in parallel. The rows kept %.1f, %.1f and %.1f CPUs busy: they got different shares of the "
                 "machine.",
                 gil2->speedup, gil4->speedup, rows[0].cpu / rows[0].wall, gil2->cpu / gil2->wall,
                 gil4->cpu / gil4->wall);
        else
            note("Under the GIL: 2 threads %.2fx, 4 threads %.2fx the speed of one%s", gil2->speedup, gil4->speedup,
                 fastest > 1.1   ? _(": faster, and threads ran at once: the GIL did not exclude.")
                 : slowest < 0.9 ? _(": slower, the time lost in switching.")
                                 : _(": about the speed of one."));
        if (kind == GIL_PY2 && gil2->wasted + gil4->wasted > 0)
            note("Seed 002's convoy: %ld waiters woken found the GIL taken again, as the holder re-took it at once.",
                 gil2->wasted + gil4->wasted);
    }
    double free_cpus = free2->cpu / free2->wall, procs_cpus = procs->cpu / procs->wall;
    bool parallel = free2->speedup >= 1.6 && procs->speedup >= 1.6;
    if (cpus < 2)
        note("One CPU to run on (taskset?): nothing can run in parallel, so no row can be 2x.");
    else
        note("Without the GIL %.2fx, in 2 processes %.2fx the speed of one; they kept %.2f and %.2f CPUs busy, "
             "of %d%s",
             free2->speedup, procs->speedup, free_cpus, procs_cpus, cpus,
             parallel ? _(": close to 2x, both CPUs counted.")
             : free_cpus < 0.8 * cpus || procs_cpus < 0.8 * cpus
                 ? _(": the machine's other work had the rest; the shape the articles describe did not appear.")
                 : _(": the shape the articles describe did not appear."));
    bool gil_flat = kind == GIL_NONE || (gil2->speedup < 1.25 && gil4->speedup < 1.25);
    result_at_end("part=cpu gil=%s cpus=%d countdown=%lld speedup_threads_2=%.2f speedup_threads_4=%.2f "
                  "speedup_nogil_2=%.2f speedup_processes_2=%.2f cpus_busy_nogil_2=%.2f cpus_busy_processes_2=%.2f "
                  "shape=%s",
                  option_choice("gil"), cpus, total, gil2->speedup, gil4->speedup, free2->speedup, procs->speedup,
                  free_cpus, procs_cpus, cpus >= 2 && gil_flat && gil_peak <= 1 && parallel ? "seen" : "not_seen");
    return 0;
}

/* -- part 2: I/O-bound --------------------------------------------------------- */

struct io_thread {
    char name[16];
    struct gil *gil;
    bool holds_gil_in_io; /* a C extension that forgot to let it go */
    double done_at;
};

static void *io_bound(void *arg)
{
    struct io_thread *me = arg;
    long since_check = 0;
    if (!gil_take(me->gil, me->name))
        return NULL;
    for (int i = 0; i < 1000; i++) /* a little Python before the I/O */
        if (!gil_tick(me->gil, me->name, &since_check))
            return NULL;
    if (!me->holds_gil_in_io)
        gil_drop(me->gil, me->name, GIL_FOR_IO); /* Py_BEGIN_ALLOW_THREADS */
    say(me->name, "time.sleep(1)%s", me->holds_gil_in_io ? _(", the GIL held") : _(", the GIL let go"));
    span_begin(me->name, SPAN_SLEEPING);
    bool slept = lesson_sleep(1);
    span_end(me->name, SPAN_SLEEPING);
    if (!me->holds_gil_in_io && !gil_take(me->gil, me->name)) /* Py_END_ALLOW_THREADS */
        return NULL;
    me->done_at = lesson_now();
    if (slept)
        say(me->name, "back from the sleep");
    gil_drop(me->gil, me->name, GIL_FOR_IO);
    return NULL;
}

/* n threads that each sleep 1 s: lesson seconds from the first start to the last join. */
static int io_run(int n, bool held, double *elapsed)
{
    struct gil gil;
    gil_open(&gil, chosen_gil());
    struct io_thread *threads = calloc((size_t)n, sizeof *threads);
    struct team team;
    if (!threads || !team_init_together(&team, n)) {
        if (!threads)
            report_no_memory(_("ask for fewer --io-threads"), "%d threads", n);
        free(threads);
        gil_destroy(&gil);
        return 1;
    }
    gil_goes_live(&gil);
    double began = lesson_now();
    for (int i = 0; i < n; i++) {
        snprintf(threads[i].name, sizeof threads[i].name, "io-%d", i);
        threads[i].gil = &gil;
        threads[i].holds_gil_in_io = held;
        if (!team_start(&team, io_bound, &threads[i]))
            break;
    }
    team_join_all(&team);
    *elapsed = lesson_now() - began;
    int status = team_report_refusal(&team);
    team_free(&team);
    pthread_mutex_lock(&live_guard);
    live_gil = NULL;
    pthread_mutex_unlock(&live_guard);
    if (status == 0 && !lesson_stop_requested() && atomic_load(&gil.peak_running) > 1 && gil.kind != GIL_NONE)
        note("More than one thread held the GIL at once: the GIL is broken.");
    gil_destroy(&gil);
    free(threads);
    return status;
}

static int part_io(void)
{
    int n = (int)option_int("io-threads");
    double one = 0, overlapped = 0, held = 0;
    say("main", "part 2: I/O-bound: threads that each block 1 s in time.sleep(1), %s", gil_words(chosen_gil()));
    note("CPython lets go of the GIL around a blocking call (Py_BEGIN_ALLOW_THREADS), so others run meanwhile.");
    int status = io_run(1, false, &one);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "1 thread: %.2f s", one);
        status = io_run(n, false, &overlapped);
    }
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "%d threads, GIL let go in the sleep: %.2f s together", n, overlapped);
        if (overlapped < 1.5)
            note("They waited side by side: %d sleeps of 1 s took about the time of one (python3: 4 threads of "
                 "time.sleep(1) took 1.01 s).", n);
        else
            note("%d sleeps of 1 s took %.2f s, not about 1 s: they did not all wait side by side in this run.", n,
                 overlapped);
        status = io_run(n, true, &held);
    }
    if (status != 0 || lesson_stop_requested())
        return status;
    say("main", "%d threads, GIL held in the sleep: %.2f s", n, held);
    if (chosen_gil() == GIL_NONE)
        note("--gil none: there is no GIL to hold, so these overlapped too.");
    else if (held >= n - 0.5)
        note("Holding the GIL while blocked, as a C extension that forgets to let it go would, the sleeps "
             "ran one after another: %d x 1 s.", n);
    else
        note("Held through the sleep, the GIL should have made it %d x 1 s; it took %.2f s: the sleeps "
             "overlapped, the GIL did not exclude.", n, held);
    result_at_end("part=io gil=%s io_threads=%d one=%.2f overlapped=%.2f held=%.2f", option_choice("gil"), n, one,
                  overlapped, held);
    return 0;
}

static int gil_run(void)
{
    clock_on_stop(stop_live_gil);
    static const struct lesson_part parts[] = { { "cpu", part_cpu }, { "io", part_io } };
    int status = RUN_PARTS(parts);
    clock_forget_stop(stop_live_gil);
    return status;
}

static const struct option_spec gil_options[] = {
    OPTION_CHOICE("part", "all", "all|cpu|io", "which part to run; all runs them in order"),
    OPTION_CHOICE("gil", "py3", "py3|py2|none", "py3: 5 ms switch interval; py2: every 100 ticks; none: C threads"),
    OPTION_INT("countdown", "50000000", 100, 100000000, "ticks of CPU work in each row, shared out (real time)"),
    OPTION_INT("check-interval", "100", 10, 1000000, "--gil py2: ticks between releases"),
    OPTION_REAL("switch-interval", "0.005", 0.0001, 1, "--gil py3: real seconds a waiter waits before it asks"),
    OPTION_INT("io-threads", "4", 1, 200, "threads in the I/O part"),
    OPTIONS_END,
};

const struct lesson gil_lesson = {
    .name = "gil",
    .summary = N_("the GIL: CPU-bound threads take turns, I/O-bound threads overlap"),
    .runs_for = { 8 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §2.3 GIL; seed 002 全局解释器锁 and FAQ"),
    .options = gil_options,
    .results = "part=cpu row wall cpu speedup handoffs switch_points wasted drop_requests peak_running counted "
               "expected; part=cpu cpus countdown speedup_threads_2 speedup_threads_4 speedup_nogil_2 "
               "speedup_processes_2 cpus_busy_nogil_2 cpus_busy_processes_2 shape; part=io io_threads one overlapped held",
    .explanation = N_(
        "CPython has one lock per interpreter, the GIL: a thread must hold it to\n"
        "run bytecodes.  So however many CPUs there are, one Python thread runs\n"
        "at a time.  The holder lets go around blocking I/O, and at a switch\n"
        "point.  Python 2 let go every 100 ticks (seed 000) and at once asked\n"
        "again, and usually won: a waiter woken on another CPU found it taken\n"
        "again (seed 002's FAQ).  A tick there was a bytecode; one pass of\n"
        "the countdown's loop (n -= 1) is 9 of them in 2.7, 8 in 3.11 (dis).\n"
        "Python 3 switches by time (seed 000): a waiter\n"
        "waits 5 ms (sys.getswitchinterval()), then asks; the holder drops it\n"
        "and waits until the waiter has it.  On this 2-CPU VM, busy with other\n"
        "work (load 9 to 20), a countdown in 2 threads took 0.5 to 1.0x the\n"
        "time of one in Python 2.7.18 (1.0 to 1.3x pinned to one CPU), 0.5 to\n"
        "1.2x in 3.11, run to run: the machine's noise hid the GIL's cost.\n"
        "\n"
        "Part 1 builds that GIL (--gil py2 or py3) and times a CPU-bound\n"
        "countdown: on 1 thread, 2 and 4 threads under the GIL, 2 threads\n"
        "without it and 2 processes, each with its own GIL.  It counts the\n"
        "hand-offs and the wasted wake-ups, and checks that at most one thread\n"
        "ever ran ticks at once.  The articles expect threads under the GIL no\n"
        "faster than one (py2: slower); without it, and in processes, near 2x\n"
        "on 2 CPUs when the machine is idle; the CPUs column (cpu/wall) says\n"
        "what it gave.  wall and cpu are real seconds: --speed does not\n"
        "change them.  A tick here is one pass of the loop; --check-interval\n"
        "counts those.\n"
        "\n"
        "Part 2: threads that block in time.sleep(1) let go of the GIL, so 4 of\n"
        "them take 1 s, not 4.  Held through the sleep, it serialises them.\n"),
    .run = gil_run,
};
