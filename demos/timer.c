/* timer: run a function once, a while from now, unless cancelled.
 * Seed 000 §2.10 (定时器 Timer类), seed 002 (threading 模块: Timer).
 *
 * The article's program (seed 000):
 *
 *     from threading import Timer
 *
 *     def hello():
 *         print("hello, world")
 *
 *     t = Timer(1, hello)
 *     t.start() # after 1 seconds, "hello, world" will be printed
 *
 * Python's Timer is a Thread whose run() waits on an Event, with a timeout
 * (CPython 3.11, Lib/threading.py):
 *
 *     class Timer(Thread):
 *         def cancel(self):
 *             self.finished.set()
 *         def run(self):
 *             self.finished.wait(self.interval)
 *             if not self.finished.is_set():
 *                 self.function(*self.args, **self.kwargs)
 *             self.finished.set()
 *
 * Pthreads has neither an Event nor a Timer.  The Event is built in
 * demos/primitives/event.c (a flag, a mutex and a condition variable, as
 * event-traffic-light uses it); the Timer is built below, in Python's shape:
 * a thread, and a timed wait on that Event.
 *
 * What C offers instead is the POSIX timer: timer_create() with
 * SIGEV_THREAD asks the C library to call a function on a new thread when
 * the timer expires, and timer_delete() is its cancel().  Part 3 shows it,
 * and what glibc does behind it: one helper thread that lives until the
 * process ends, and a new thread for each expiry. */
#include "lesson.h"

#include "sanitizer.h"
#include "primitives/event.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* -- Timer: a thread that waits on its Event, then calls the function ----- */

struct timer {
    const char *name;        /* Python names it Thread-1 */
    double interval;         /* Timer(1, hello): lesson seconds */
    void (*function)(struct timer *);
    struct event finished;
    double started_at;       /* lesson time of t.start() */
    double wait_ended_at;    /* when finished.wait() returned */
    bool woken_by_set;       /* what it returned: true, the Event was set; false, it timed out */
    double ran_at;           /* when the function began, or -1 */
    int runs;                /* how many times it ran */
};

static void timer_init(struct timer *t, const char *name, double interval, void (*function)(struct timer *))
{
    *t = (struct timer){ .name = name, .interval = interval, .function = function, .ran_at = -1 };
    event_init(&t->finished);
}

static void *timer_run(void *arg) /* Timer.run() */
{
    struct timer *t = arg;
    span_begin(t->name, SPAN_WAITING); /* spans: what --timeline and --trace draw */
    t->woken_by_set = event_wait_timeout(&t->finished, t->interval); /* self.finished.wait(self.interval) */
    span_end(t->name, SPAN_WAITING);
    t->wait_ended_at = lesson_now();
    if (!event_is_set(&t->finished) && !lesson_stop_requested()) /* if not self.finished.is_set(): */
        t->function(t);                                          /*     self.function() */
    event_set(&t->finished);                                     /* self.finished.set() */
    return NULL;
}

static bool timer_start(struct timer *t, struct team *team) /* t.start() */
{
    t->started_at = lesson_now();
    return team_start(team, timer_run, t);
}

static void timer_cancel(struct timer *t) /* t.cancel(): only sets the Event */
{
    event_set(&t->finished);
}

static void hello(struct timer *t) /* def hello(): print("hello, world") */
{
    t->ran_at = lesson_now();
    t->runs++;
    say(t->name, "hello, world");
}

/* The timers the parts start.  On Ctrl-C they are cancelled, so that none
 * waits out its interval; run() also looks at the stop before it calls. */
static struct timer t1, t2, t3;

static void cancel_timers(void)
{
    timer_cancel(&t1);
    timer_cancel(&t2);
    timer_cancel(&t3);
}

/* -- part 1, seed 000: Timer(1, hello) ------------------------------------ */

static double interval_option, cancel_option;

static int part_article(void)
{
    say("main", "part 1, seed 000: t = Timer(%g, hello); t.start()", interval_option);
    struct team team;
    if (!team_init(&team, 1))
        return 1;
    if (timer_start(&t1, &team)) {
        say("main", "t.start() returned: the timer thread waits on its Event for %g s", interval_option);
        note("The article's main ends here. Python still waits for the timer: it joins every "
             "non-daemon thread at exit, and a Timer is one. Here main joins it.");
        team_join_all(&team); /* what Python's exit does */
    }
    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested()) {
        double due = t1.started_at + interval_option;
        say("main", "joined: hello ran %d time%s, at %.3f s; due at %.3f s", t1.runs, t1.runs == 1 ? "" : "s",
            t1.ran_at, due);
        if (t1.runs == 1 && !t1.woken_by_set)
            note("Its wait timed out at the deadline, the Event was not set, so it called hello, once.");
        else
            note("This run is not what a Timer does: its wait %s at %.3f s and hello ran %d time%s.",
                 t1.woken_by_set ? _("saw the Event set") : _("timed out"), t1.wait_ended_at, t1.runs,
                 t1.runs == 1 ? "" : "s");
        result_at_end("part=article fired=%s runs=%d due=%.3f fired_at=%.3f late=%.4f", t1.runs ? "yes" : "no",
                      t1.runs, due, t1.ran_at, t1.ran_at - due);
    }
    team_free(&team);
    return status;
}

/* -- part 2: cancel() before it fires, and after ---------------------------- */

static int part_cancel(void)
{
    say("main", "part 2: cancel() %g s after start, before hello is due at %g s", cancel_option, interval_option);
    struct team team;
    if (!team_init(&team, 2))
        return 1;
    double began = lesson_now();
    double check_at = 0, cancelled_at = 0, late_cancel_at = 0;
    if (timer_start(&t2, &team)) {
        lesson_sleep_until(began + cancel_option);
        cancelled_at = lesson_now();
        timer_cancel(&t2); /* t.cancel() */
        say("main", "t.cancel(): sets the timer's Event");
        team_join_next(&team);
        if (!lesson_stop_requested()) {
            say("main", "joined the timer thread: its wait ended at %.3f s, %s", t2.wait_ended_at,
                t2.woken_by_set ? _("the Event set") : _("timed out"));
            if (t2.runs == 0 && t2.woken_by_set)
                note("cancel() wakes the wait at once: the thread sees the Event set and ends without "
                     "calling hello.");
            else if (t2.runs == 0)
                note("The wait timed out, but cancel() had set the Event before the thread looked: it ended "
                     "without calling hello.");
            else
                note("This run the cancel came too late: main woke at %.3f s, after the timer's wait had "
                     "ended at %.3f s, and hello ran.", cancelled_at, t2.wait_ended_at);
        }
        /* Wait past the due time, to see that nothing comes. */
        lesson_sleep_until(t2.started_at + interval_option + cancel_option);
        check_at = lesson_now();
        if (!lesson_stop_requested()) {
            say("main", "%.3f s, past the due time %.3f s: hello ran %d time%s", check_at,
                t2.started_at + interval_option, t2.runs, t2.runs == 1 ? "" : "s");
            say("main", "now a Timer(%g, hello) that is left to fire", cancel_option);
        }
        if (!lesson_stop_requested() && timer_start(&t3, &team)) {
            team_join_next(&team);
            late_cancel_at = lesson_now();
            timer_cancel(&t3); /* t.cancel(), too late */
            if (!lesson_stop_requested()) {
                say("main", "t.cancel() after it fired: returns, and hello ran %d time%s", t3.runs,
                    t3.runs == 1 ? "" : "s");
                note("Too late to matter: cancel() only sets the Event, and nobody waits on it any more. "
                     "Python's returns None, raises nothing, and does not wait for a hello that is running.");
            }
        }
    }
    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested())
        result_at_end("part=cancel cancelled_at=%.3f wait_ended_at=%.3f checked_at=%.3f cancelled_runs=%d "
                      "late_cancel_at=%.3f late_runs=%d",
                      cancelled_at, t2.wait_ended_at, check_at, t2.runs, late_cancel_at, t3.runs);
    team_free(&team);
    return status;
}

/* -- part 3: the POSIX timer, timer_create() with SIGEV_THREAD ------------- */

/* What the child measured, for the parent's result line. */
struct posix_record {
    double due, fired_at;       /* timer A: armed, left to fire */
    int a_runs, b_runs;         /* timer B: deleted before it was due */
    double b_deleted_at, b_checked_at;
    double c_started_at, c_deleted_at, c_done_at; /* timer C: deleted while its function ran */
    bool c_outlived_delete;     /* C's function saw main's word that timer_delete(C) had returned */
    int threads_before, threads_armed, threads_during, threads_after;
    bool ran;                   /* false: the child stopped early, and said why */
};

static struct posix_record *record;
static struct event a_ran, c_started, c_done; /* each function's sign to the child's main */
static struct event c_deleted;                 /* main's sign to C's function */

/* Wait for a sign, `seconds` of lesson time and 5 real seconds more: false
 * if it never came (glibc drops a notification whose thread it cannot
 * create). */
static bool wait_for(struct event *sign, double seconds)
{
    struct timespec deadline = lesson_timeout(seconds, CLOCK_MONOTONIC);
    deadline.tv_sec += 5;
    return event_wait_until(sign, &deadline);
}

/* The notification functions: glibc calls each on a thread it creates. */
static void hello_a(union sigval unused)
{
    (void)unused;
    record->fired_at = lesson_now();
    record->a_runs++;
    record->threads_during = threads_in_process();
    say("glibc-1", "hello, world");
    event_set(&a_ran);
}

static void hello_b(union sigval unused)
{
    (void)unused;
    record->b_runs++;
    say("glibc-?", "hello, world (timer B: this must not happen)");
}

/* A hello that waits for main's word that timer_delete(C) has returned,
 * then works half a second: had timer_delete waited for it, neither would
 * go on, and its wait would time out. */
static void slow_hello_c(union sigval unused)
{
    (void)unused;
    record->c_started_at = lesson_now();
    say("glibc-2", "hello, world; now it waits for main to say timer_delete(C) returned");
    event_set(&c_started);
    record->c_outlived_delete = wait_for(&c_deleted, 1);
    if (record->c_outlived_delete) {
        say("glibc-2", "main says timer_delete(C) returned; and now half a second of work");
        lesson_sleep(0.5);
    }
    record->c_done_at = lesson_now();
    say("glibc-2", record->c_outlived_delete ? "done" : N_("done: main never said timer_delete(C) returned"));
    event_set(&c_done);
}

/* timer_create(CLOCK_MONOTONIC, SIGEV_THREAD calling fn), or false. */
static bool make_timer(timer_t *timer, void (*fn)(union sigval))
{
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = fn;
    if (timer_create(CLOCK_MONOTONIC, &sev, timer) == 0)
        return true;
    fprintf(stderr, _("%s: timer_create refused: %s\n"), lesson_who(), strerror(errno));
    return false;
}

/* Arm a timer to expire once, `seconds` of lesson time from now, or false. */
static bool arm(timer_t timer, double seconds)
{
    struct itimerspec once = { .it_value = lesson_timeout(seconds, CLOCK_MONOTONIC) };
    if (timer_settime(timer, TIMER_ABSTIME, &once, NULL) == 0)
        return true;
    fprintf(stderr, _("%s: timer_settime refused: %s\n"), lesson_who(), strerror(errno));
    return false;
}

static bool no_thread_came(const char *which)
{
    say("child", "%s: no thread ran the function", which);
    fprintf(stderr, _("%s: glibc started no thread for a SIGEV_THREAD timer (%d threads were running); "
            "try a larger ulimit -u or ulimit -v\n"), lesson_who(), threads_in_process());
    return false;
}

/* The threads glibc made for the functions are detached: nobody can join
 * them.  Wait until their count is back to `expected`, at most a second. */
static int settle_threads(int expected)
{
    int count = threads_in_process();
    for (int i = 0; i < 1000 && count > expected; i++) {
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
        count = threads_in_process();
    }
    return count;
}

static bool posix_timers(void)
{
    event_init(&a_ran);
    event_init(&c_started);
    event_init(&c_done);
    event_init(&c_deleted);
    record->threads_before = threads_in_process();
    timer_t a, b, c;
    if (!make_timer(&a, hello_a))
        return false;
    if (!make_timer(&b, hello_b)) {
        timer_delete(a);
        return false;
    }
    record->threads_armed = threads_in_process();
    double began = lesson_now();
    record->due = began + interval_option;
    if (!arm(a, interval_option) || !arm(b, interval_option)) {
        timer_delete(a);
        timer_delete(b);
        return false;
    }
    say("child", "timer_create() twice, SIGEV_THREAD; timer_settime(): A and B due at %.3f s", record->due);
    if (record->threads_armed > record->threads_before)
        note("%d thread%s here before timer_create, %d after: glibc started a helper thread, which waits "
             "for the timers' signal.", record->threads_before, record->threads_before == 1 ? "" : "s",
             record->threads_armed);
    else
        note("%d thread%s here before timer_create, %d after: this glibc started no helper thread.",
             record->threads_before, record->threads_before == 1 ? "" : "s", record->threads_armed);

    lesson_sleep_until(began + cancel_option);
    timer_delete(b); /* B's cancel() */
    record->b_deleted_at = lesson_now();
    say("child", "timer_delete(B): B is disarmed and gone");

    bool fired = wait_for(&a_ran, interval_option + 5);
    timer_delete(a);
    if (!fired)
        return no_thread_came(_("timer A"));
    say("child", "A's function ran on a new thread at %.3f s; %d threads then", record->fired_at,
        record->threads_during);
    lesson_sleep_until(record->due + cancel_option); /* past B's due time */
    record->b_checked_at = lesson_now();
    say("child", "%.3f s, past B's due time: B's function ran %d time%s", record->b_checked_at, record->b_runs,
        record->b_runs == 1 ? "" : "s");
    if (record->b_runs)
        note("This run timer_delete(B) came too late: at %.3f s, after B was due.", record->b_deleted_at);
    record->threads_after = settle_threads(record->threads_armed);

    if (!make_timer(&c, slow_hello_c))
        return false;
    if (!arm(c, 0.2)) {
        timer_delete(c);
        return false;
    }
    say("child", "timer C, due in 0.2 s; its function waits for main's word, then works 0.5 s");
    if (!wait_for(&c_started, 5)) {
        timer_delete(c);
        return no_thread_came(_("timer C"));
    }
    timer_delete(c); /* while its function runs */
    record->c_deleted_at = lesson_now();
    say("child", "timer_delete(C) returned at %.3f s, %s", record->c_deleted_at,
        event_is_set(&c_done) ? _("after C's function had ended") : _("while C's function still runs"));
    event_set(&c_deleted); /* C's function may finish now */
    if (!wait_for(&c_done, 1)) {
        fprintf(stderr, _("%s: timer C's function did not finish in 1 lesson-second and 5 real seconds after "
                "timer_delete(C)\n"), lesson_who());
        return false;
    }
    if (record->c_outlived_delete)
        note("timer_delete() stops the timer, not a function already called: like Python's cancel(), it "
             "does not wait. The program must wait for the function itself: here, for its Event.");
    else
        note("C's function never heard that timer_delete(C) returned: this run timer_delete() waited for it.");
    settle_threads(record->threads_armed);
    say("child", "C's function is done: %d threads left; glibc's helper stays until the process ends",
        threads_in_process());
    /* The four Events are not destroyed: the detached threads that set
     * them ended (the count above says so) with no join to tell a checker
     * such as helgrind, and the child's exit frees them. */
    record->ran = true;
    return true;
}

static int posix_child(void *unused)
{
    (void)unused;
    return posix_timers() ? 0 : 1;
}

static int part_posix(void)
{
    say("main", "part 3: the POSIX timer, timer_create() with SIGEV_THREAD, in a child process");
#ifdef CONCDEMO_TSAN
    note("Not in this build: ThreadSanitizer cannot follow the threads glibc starts for SIGEV_THREAD "
         "(it does not see them created, and crashes in them: google/sanitizers#1612).");
    result_at_end("part=posix ran=no");
    return 0;
#endif
    note("glibc's helper thread lives until its process ends, and nobody can join it: in a child, it "
         "ends when the child does, before the lesson goes on.");
    record = shared_memory(sizeof *record);
    if (!record) {
        report_no_memory(NULL, "the child's measurements in shared memory (mmap MAP_SHARED)");
        return 1;
    }
    pid_t child = child_start(posix_child, NULL);
    if (child < 0) {
        if (!lesson_stop_requested())
            report_process_refusal(errno, children_alive());
        shared_memory_free(record, sizeof *record);
        return not_started();
    }
    int exit_status = child_join(child);
    int status = 0;
    if (lesson_stop_requested())
        status = 0;
    else if (exit_status > 128) {
        fprintf(stderr, _("%s: the child running the POSIX timers died of signal %d\n"), lesson_who(), exit_status - 128);
        status = 1;
    } else if (exit_status != 0 || !record->ran)
        status = 1; /* the child said why */
    else {
        say("main", "joined the child: every thread glibc made for it ended with it");
        char b_said[120];
        if (record->b_runs == 0)
            snprintf(b_said, sizeof b_said, _("B, deleted in time, never fired"));
        else
            snprintf(b_said, sizeof b_said, _("B, deleted at %.3f s, fired %d time%s all the same"),
                     record->b_deleted_at, record->b_runs, record->b_runs == 1 ? "" : "s");
        note("A fired %s on a thread glibc created for it, detached; %s; deleting C %s for its running "
             "function.", record->a_runs == 1 ? _("once") : _("more than once"), b_said,
             record->c_outlived_delete ? _("did not wait") : _("waited"));
        result_at_end("part=posix ran=yes due=%.3f fired_at=%.3f late=%.4f runs=%d deleted_runs=%d "
                      "deleted_at=%.3f checked_at=%.3f threads_before=%d threads_armed=%d threads_during=%d "
                      "threads_after=%d running_deleted_at=%.3f running_done_at=%.3f running_outlived_delete=%s",
                      record->due, record->fired_at, record->fired_at - record->due, record->a_runs,
                      record->b_runs, record->b_deleted_at, record->b_checked_at, record->threads_before,
                      record->threads_armed, record->threads_during, record->threads_after,
                      record->c_deleted_at, record->c_done_at, record->c_outlived_delete ? "yes" : "no");
    }
    shared_memory_free(record, sizeof *record);
    return status;
}

static int timer_run_lesson(void)
{
    interval_option = option_real("interval");
    cancel_option = option_given("cancel-after") ? option_real("cancel-after") : interval_option / 2;
    timer_init(&t1, "Thread-1", interval_option, hello); /* t = Timer(1, hello) */
    timer_init(&t2, "Thread-2", interval_option, hello);
    timer_init(&t3, "Thread-3", cancel_option, hello);
    clock_on_stop(cancel_timers);
    static const struct lesson_part parts[] = {
        { "article", part_article }, { "cancel", part_cancel }, { "posix", part_posix },
    };
    int status = RUN_PARTS(parts);
    clock_forget_stop(cancel_timers);
    event_destroy(&t1.finished);
    event_destroy(&t2.finished);
    event_destroy(&t3.finished);
    return status;
}

static const char *timer_check(void)
{
    if (option_given("cancel-after") && option_real("cancel-after") >= option_real("interval"))
        return _("--cancel-after must be less than --interval: the cancel must come before the timer is due");
    return NULL;
}

static const struct option_spec timer_options[] = {
    OPTION_CHOICE("part", "all", "all|article|cancel|posix", "which part to run; all runs them in order"),
    OPTION_REAL("interval", "1", 0.1, 60, "lesson seconds until the timer fires: Timer(1, hello)"),
    OPTION_REAL("cancel-after", "none", 0.05, 59, "lesson seconds after start that cancel() comes; none: half the interval"),
    OPTIONS_END,
};

const struct lesson timer_lesson = {
    .name = "timer",
    .summary = N_("Timer(1, hello): a thread waits 1 s on an Event, then calls hello, unless cancelled"),
    .runs_for = { 5 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §2.10 定时器 Timer类; seed 002 threading 模块 Timer"),
    .options = timer_options,
    .check = timer_check,
    .results = "part=article fired runs due fired_at late; part=cancel cancelled_at wait_ended_at checked_at "
               "cancelled_runs late_cancel_at late_runs; part=posix ran due fired_at late runs deleted_runs "
               "deleted_at checked_at threads_before threads_armed threads_during threads_after "
               "running_deleted_at running_done_at running_outlived_delete",
    .explanation =
        N_("A timer runs a function once, a while from now, unless it is cancelled\n"
        "first.  Seed 000's program is Timer(1, hello): \"hello, world\" one second\n"
        "after t.start().\n"
        "\n"
        "Python's Timer is a thread.  Its run() waits on an Event with a timeout;\n"
        "if the wait ends and the Event is still not set, it calls the function.\n"
        "cancel() only sets the Event: before the time is up it wakes the wait, and\n"
        "the function never runs; after, it changes nothing.  This lesson builds the\n"
        "same Timer in C: a thread, and pthread_cond_timedwait on a condition\n"
        "variable, a mutex and a flag.\n"
        "\n"
        "Part 1 is the article's program: the transcript measures when hello ran.\n"
        "Part 2 cancels a timer half-way and waits past its due time to show that\n"
        "nothing came; then cancels one that has fired already.\n"
        "\n"
        "Part 3 is what C offers instead: timer_create() with SIGEV_THREAD, and\n"
        "timer_delete() as its cancel.  glibc starts one helper thread at the\n"
        "first such timer, which lives until the process ends, and a new detached\n"
        "thread for each expiry, which nobody can join.  timer_delete() does not\n"
        "wait for a function already running.  The part runs in a child process,\n"
        "so every thread glibc made is gone when the child is reaped.\n"),
    .run = timer_run_lesson,
};
