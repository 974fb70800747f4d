/* barrier: N threads meet, then all go on; the barrier resets for the next round.
 * Seed 003 (Barrier 栅栏).
 *
 * The article describes the Barrier and prints no program: a fixed number
 * of threads call wait(); when the count is reached all of them are
 * released, and the barrier resets.  Written out in Python, and run with
 * python3 3.11 on this machine to check every claim below:
 *
 * The article's program, re-created from its text:
 *
 *     import threading, time, random
 *
 *     def round_done():                  # the action: one thread per round
 *         print("all here")
 *
 *     barrier = threading.Barrier(3, action=round_done)
 *
 *     def runner(name):
 *         for r in range(3):
 *             time.sleep(random.randint(1, 10) / 10)   # arrive at different times
 *             i = barrier.wait()         # the last to arrive runs round_done,
 *             print(name, "goes on", i)  # then all three go on together
 *
 *     for n in ("t-0", "t-1", "t-2"):
 *         threading.Thread(target=runner, args=(n,)).start()
 *
 * Python's last thread to arrive runs the action, before anyone goes on, and
 * its wait() returns parties-1 (the arrival index: 0 for the first).  A
 * wait(timeout) that runs out breaks the barrier: that thread and every
 * other waiter get BrokenBarrierError, and so does every later wait() until
 * reset(); abort() breaks it too.
 *
 * Part 1 runs it on a Barrier built by hand (demos/primitives/barrier.c: a
 * mutex, a condition variable, a count and a generation).  Part 2 runs it on
 * pthread_barrier_t, which has no action and no timeout: it hands one thread
 * PTHREAD_BARRIER_SERIAL_THREAD, which can run the action, but only after
 * every thread is released.  Part 3 breaks the barrier.  Part 4 is
 * multiprocessing.Barrier: a pthread_barrier_t that processes share. */
#include "lesson.h"

#include "primitives/barrier.h"
#include "primitives/event.h"
#include "shared.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOST_THREADS 16
#define MOST_ROUNDS 20

static int thread_count, round_count;
static double timeout_option;

/* What each runner saw in each round: measured, then checked by main. */
struct runner {
    char name[8];
    struct dice dice;
    double arrived_at[MOST_ROUNDS], left_at[MOST_ROUNDS];
    int index[MOST_ROUNDS];       /* what wait() returned */
    bool ran_action[MOST_ROUNDS];
};

static struct runner runners[MOST_THREADS];

/* The action's record: which round, who ran it, and how many times. */
static int round_now;
static int action_runs[MOST_ROUNDS];
static double action_at[MOST_ROUNDS];

static struct barrier barrier;          /* parts 1 and 3 */
static struct event all_started;        /* part 2: main opens it once every runner has started */
static bool all_did_start;
static struct event gave_up;            /* part 3: set when t-0's wait(timeout) has returned */
static pthread_barrier_t pthread_bar;   /* part 2 */

static _Thread_local struct runner *me; /* threading.current_thread(), for the action */

static void round_done(void *unused) /* the action: runs in the last to arrive, its lock held */
{
    (void)unused;
    action_runs[round_now]++;
    action_at[round_now] = lesson_now();
    me->ran_action[round_now] = true;
    say(me->name, "all %d here: round %d done (the action)", thread_count, round_now + 1);
    round_now++;
}

static void arrive(struct runner *r, int round) /* time.sleep(random.randint(1, 10) / 10) */
{
    lesson_sleep(randint(&r->dice, 1, 10) / 10.0);
    r->arrived_at[round] = lesson_now();
    say(r->name, "round %d: at the barrier, waits", round + 1);
}

/* -- part 1: threading.Barrier(3, action=round_done), built by hand -------- */

static void *runner_by_hand(void *arg)
{
    struct runner *r = me = arg;
    for (int round = 0; round < round_count && !lesson_stop_requested(); round++) {
        arrive(r, round);
        int i = barrier_wait(&barrier, -1); /* i = barrier.wait() */
        r->left_at[round] = lesson_now();
        r->index[round] = i;
        if (i == BARRIER_BROKEN)
            return NULL; /* only a stop (Ctrl-C) breaks this barrier: see stop_waiters() */
        say(r->name, "round %d: goes on, wait() returned %d", round + 1, i);
    }
    return NULL;
}

/* -- part 2: pthread_barrier_t -------------------------------------------- */

static void *runner_pthread(void *arg)
{
    struct runner *r = me = arg;
    event_wait(&all_started);
    if (!all_did_start)
        return NULL; /* the system refused a runner: nobody waits on the barrier */
    /* Every runner makes every wait, even after Ctrl-C (its sleeps then end
     * at once): a pthread barrier cannot be broken, and a runner that left
     * early would keep the others waiting for ever. */
    for (int round = 0; round < round_count; round++) {
        arrive(r, round);
        int rc = pthread_barrier_wait(&pthread_bar);
        r->left_at[round] = lesson_now();
        r->index[round] = rc == PTHREAD_BARRIER_SERIAL_THREAD ? 1 : 0;
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD) { /* one thread per round is told it is the serial one */
            say(r->name, "round %d: goes on, PTHREAD_BARRIER_SERIAL_THREAD: runs the action", round + 1);
            action_runs[round]++;
            action_at[round] = lesson_now();
            r->ran_action[round] = true;
        } else
            say(r->name, "round %d: goes on, wait() returned 0", round + 1);
    }
    return NULL;
}

/* What main checks of each round, from the runners' records. */
struct round_check {
    int rounds_together;    /* rounds where no runner went on before the last arrived */
    int rounds_one_action;  /* rounds whose action ran exactly once */
    int action_by_last;     /* rounds whose action ran in the last to arrive */
    int action_before_all;  /* rounds whose action ran before every runner went on */
    int overlaps;           /* rounds where a runner was back for the next before another left this one */
    double worst_spread;    /* the longest from the last arrival to the last to go on, lesson s */
    int actions;            /* the action's runs in all */
};

/* Plumbing, at the end of the file: a Ctrl-C's abort, a fresh record for
 * each part, the team of runners started and joined, and main's check of
 * every round from the runners' records. */
static void stop_waiters(void);
static void reset_record(void);
static int run_team(void *(*runner)(void *), int count);
static struct round_check check_rounds(bool by_index);

static int part_threads(void)
{
    say("main", "part 1: barrier = Barrier(%d, action=round_done), built from a mutex and a condition; "
        "%d runners, %d rounds", thread_count, thread_count, round_count);
    reset_record();
    barrier_init(&barrier, thread_count, round_done, NULL);
    clock_on_stop(stop_waiters);
    int status = run_team(runner_by_hand, thread_count);
    if (status == 0 && !lesson_stop_requested()) {
        char who[MOST_ROUNDS * 8] = "-"; /* who ran the action, round by round: t-2,t-0,t-1 */
        size_t length = 0;
        for (int round = 0; round < round_count; round++)
            for (int t = 0; t < thread_count; t++)
                if (runners[t].ran_action[round]) {
                    int n = snprintf(who + length, sizeof who - length, "%s%s", length ? "," : "", runners[t].name);
                    if (n > 0 && (size_t)n < sizeof who - length)
                        length += (size_t)n;
                }
        struct round_check c = check_rounds(true);
        if (c.action_by_last == round_count && c.action_before_all == round_count && c.rounds_together == round_count)
            note("Each round the last to arrive ran the action, under the barrier's lock, and only then woke "
                 "the others. The count went back to 0 and the generation moved on, so the barrier was ready "
                 "again at once.");
        else
            note("This run is not what a barrier does: of %d rounds, %d let nobody go before the last arrived, "
                 "%d ran the action in the last to arrive, %d before anyone went on.", round_count,
                 c.rounds_together, c.action_by_last, c.action_before_all);
        if (c.overlaps)
            note("In %d round%s a runner was back at the barrier for the next round before another had "
                 "left this one: it waited for the new generation and did not slip through.", c.overlaps,
                 c.overlaps == 1 ? "" : "s");
        result_at_end("part=threads threads=%d rounds=%d together=%d actions=%d one_action=%d action_by_last=%d "
                      "action_before_release=%d overlaps=%d spread=%.4f action_threads=%s",
                      thread_count, round_count, c.rounds_together, round_now, c.rounds_one_action,
                      c.action_by_last, c.action_before_all, c.overlaps, c.worst_spread, who);
    }
    clock_forget_stop(stop_waiters);
    barrier_destroy(&barrier);
    return status;
}

static int part_pthread(void)
{
    say("main", "part 2: the same on pthread_barrier_t: no action, no timeout, one SERIAL_THREAD a round");
    reset_record();
    pthread_barrier_init(&pthread_bar, NULL, (unsigned)thread_count);
    barrier_init(&barrier, thread_count, NULL, NULL); /* unused here; run_team may abort it */
    int status = run_team(runner_pthread, thread_count);
    if (status == 0 && !lesson_stop_requested()) {
        struct round_check c = check_rounds(false);
        note("pthread_barrier_wait told one thread a round that it was PTHREAD_BARRIER_SERIAL_THREAD: it ran "
             "the action after the release, beside the others, not before. It was the last to stamp its "
             "arrival in %d of %d rounds: POSIX does not say which it is.", c.action_by_last, round_count);
        result_at_end("part=pthread threads=%d rounds=%d together=%d serial=%d one_serial=%d serial_last=%d "
                      "spread=%.4f",
                      thread_count, round_count, c.rounds_together, c.actions, c.rounds_one_action,
                      c.action_by_last, c.worst_spread);
    }
    barrier_destroy(&barrier);
    pthread_barrier_destroy(&pthread_bar);
    return status;
}

/* -- part 3: a broken barrier --------------------------------------------- */

enum { STEP_TIMEOUT, STEP_RESET, STEP_ABORT };
static int step;

static void *runner_breaking(void *arg)
{
    struct runner *r = me = arg;
    int t = (int)(r - runners);
    bool late = t == thread_count - 1;
    if (step == STEP_TIMEOUT && late) {
        /* Half a second after t-0 gave up: after the barrier broke, however
         * late a busy machine woke t-0. */
        event_wait(&gave_up);
        lesson_sleep(0.5);
    } else
        lesson_sleep(0.1 * (t + 1));
    r->arrived_at[step] = lesson_now();
    bool with_timeout = step == STEP_TIMEOUT && t == 0;
    if (with_timeout)
        say(r->name, "barrier.wait(timeout=%g)", timeout_option);
    else
        say(r->name, "barrier.wait()");
    int i = barrier_wait(&barrier, with_timeout ? timeout_option : -1);
    r->left_at[step] = lesson_now();
    r->index[step] = i;
    if (lesson_stop_requested())
        ; /* nothing more to say */
    else if (i == BARRIER_BROKEN)
        say(r->name, "BrokenBarrierError after %.3f s%s", r->left_at[step] - r->arrived_at[step],
            with_timeout ? _(": its own timeout ran out") : "");
    else
        say(r->name, "goes on, wait() returned %d", i);
    if (with_timeout)
        event_set(&gave_up); /* the latecomer may come now */
    return NULL;
}

/* How many runners of [0, count) got BARRIER_BROKEN in this step, and when
 * the first and last of them got it. */
static int count_broken(int count, double *first, double *last)
{
    int broken = 0;
    *first = 1e9;
    *last = 0;
    for (int t = 0; t < count; t++) {
        struct runner *r = &runners[t];
        if (r->index[step] != BARRIER_BROKEN)
            continue;
        broken++;
        if (r->left_at[step] < *first)
            *first = r->left_at[step];
        if (r->left_at[step] > *last)
            *last = r->left_at[step];
    }
    return broken;
}

static int part_broken(void)
{
    say("main", "part 3: a broken barrier: t-0 waits with timeout=%g, t-%d comes half a second after it "
        "gives up", timeout_option, thread_count - 1);
    reset_record();
    barrier_init(&barrier, thread_count, NULL, NULL);
    clock_on_stop(stop_waiters);

    step = STEP_TIMEOUT;
    int status = run_team(runner_breaking, thread_count);
    double first = 0, last = 0;
    int timeout_broken = 0, waiters_broken = 0;
    bool late_broken = false;
    if (status == 0 && !lesson_stop_requested()) {
        timeout_broken = barrier.broke_by_timeout;
        waiters_broken = count_broken(thread_count - 1, &first, &last);
        late_broken = runners[thread_count - 1].index[step] == BARRIER_BROKEN;
        say("main", "barrier.broken is %s; %d of %d waiters got BrokenBarrierError, at %.3f..%.3f s",
            barrier_broken(&barrier) ? "True" : "False", waiters_broken, thread_count - 1, first, last);
        if (timeout_broken == 1 && waiters_broken == thread_count - 1 && late_broken)
            note("The timeout broke the barrier for everyone, not only for t-0: each waiter was woken with the "
                 "error, and t-%d, late, got it at once, without waiting. A broken barrier stays broken until "
                 "reset().", thread_count - 1);
        else
            note("This run is not what a broken barrier does: %d timeout%s broke it, %d of %d waiters and %s "
                 "latecomer got the error.", timeout_broken, timeout_broken == 1 ? "" : "s", waiters_broken,
                 /* TRANSLATORS: "the" and "not the" complete "%d of %d waiters and %s latecomer got the error" */
                 thread_count - 1, late_broken ? _("the") : _("not the"));
    }

    int passed = 0;
    if (status == 0 && !lesson_stop_requested()) {
        barrier_reset(&barrier); /* barrier.reset() */
        say("main", "barrier.reset(): broken is %s; all %d wait again", barrier_broken(&barrier) ? "True" : "False",
            thread_count);
        step = STEP_RESET;
        status = run_team(runner_breaking, thread_count);
        for (int t = 0; t < thread_count; t++)
            passed += runners[t].index[step] >= 0;
    }

    int aborted = 0;
    double abort_at = 0, aborted_from = 0, aborted_to = 0;
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "now %d of %d wait: t-%d never comes", thread_count - 1, thread_count, thread_count - 1);
        step = STEP_ABORT;
        struct team team;
        if (!team_init_together(&team, thread_count - 1)) {
            status = 1;
        } else {
            for (int t = 0; t < thread_count - 1; t++)
                if (!team_start(&team, runner_breaking, &runners[t]))
                    break;
            double began = lesson_now();
            lesson_sleep_until(began + 0.1 * thread_count + 0.5);
            abort_at = lesson_now();
            if (!lesson_stop_requested())
                say("main", "barrier.abort()");
            barrier_abort(&barrier); /* barrier.abort() */
            team_join_all(&team);
            status = team_report_refusal(&team);
            team_free(&team);
            aborted = count_broken(thread_count - 1, &aborted_from, &aborted_to);
        }
    }
    if (status == 0 && !lesson_stop_requested()) {
        note("abort() breaks it too, with nobody's timeout: the way out for waiters whose partner will "
             "never come. Ctrl-C does the same here. pthread_barrier_t has neither: a thread that never "
             "arrives leaves the others waiting for ever.");
        result_at_end("part=broken threads=%d timeout=%g timed_out=%d waiters_broken=%d late_broken=%s "
                      "broken_from=%.3f broken_to=%.3f reset_passed=%d aborted=%d abort_at=%.3f aborted_to=%.3f",
                      thread_count, timeout_option, timeout_broken, waiters_broken, late_broken ? "yes" : "no",
                      first, last, passed, aborted, abort_at, aborted_to);
    }
    clock_forget_stop(stop_waiters);
    barrier_destroy(&barrier);
    return status;
}

/* -- part 4: across processes: a process-shared pthread_barrier_t --------- */

/* In memory every child shares (mmap MAP_SHARED): the barrier, and each
 * child's record, which main reads after it has reaped them. */
struct shared_rounds {
    pthread_barrier_t barrier;
    double arrived_at[MOST_THREADS][MOST_ROUNDS], left_at[MOST_THREADS][MOST_ROUNDS];
    bool serial[MOST_THREADS][MOST_ROUNDS];
};

struct process_job {
    struct shared_rounds *shared;
    int k;
};

static int process_runner(void *arg) /* the child p-k: Process(target=runner) */
{
    struct process_job *job = arg;
    char name[8];
    snprintf(name, sizeof name, "p-%u", (unsigned char)job->k);
    struct dice dice = dice_for(100 + (unsigned long long)job->k);
    for (int round = 0; round < round_count; round++) {
        lesson_sleep(randint(&dice, 1, 10) / 10.0);
        job->shared->arrived_at[job->k][round] = lesson_now();
        say(name, "round %d: at the barrier, waits", round + 1);
        int rc = pthread_barrier_wait(&job->shared->barrier); /* barrier.wait(), in another process */
        job->shared->left_at[job->k][round] = lesson_now();
        job->shared->serial[job->k][round] = rc == PTHREAD_BARRIER_SERIAL_THREAD;
        say(name, "round %d: goes on, %s", round + 1,
            rc == PTHREAD_BARRIER_SERIAL_THREAD ? "PTHREAD_BARRIER_SERIAL_THREAD" : _("wait() returned 0"));
    }
    return 0;
}

static int part_process(void)
{
    say("main", "part 4: multiprocessing.Barrier(%d), in C: a pthread_barrier_t in shared memory, "
        "PTHREAD_PROCESS_SHARED; %d processes, %d rounds", thread_count, thread_count, round_count);
    struct shared_rounds *shared = shared_memory(sizeof *shared);
    if (!shared) {
        report_no_memory(NULL, "the barrier in shared memory (mmap MAP_SHARED)");
        return 1;
    }
    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED); /* else only this process's threads may use it */
    pthread_barrier_init(&shared->barrier, &attr, (unsigned)thread_count);
    pthread_barrierattr_destroy(&attr);

    struct process_job jobs[MOST_THREADS];
    pid_t pids[MOST_THREADS];
    int started = 0;
    for (; started < thread_count; started++) {
        jobs[started] = (struct process_job){ .shared = shared, .k = started };
        pids[started] = child_start(process_runner, &jobs[started]);
        if (pids[started] < 0)
            break;
    }
    int status = 0;
    if (started < thread_count) {
        /* The ones that started would wait at the barrier for ever: nothing
         * breaks a pthread barrier.  They are killed. */
        if (!lesson_stop_requested())
            report_process_refusal(errno, children_alive());
        for (int k = 0; k < started; k++)
            kill(pids[k], SIGKILL);
        status = not_started();
    }
    int died = 0;
    for (int k = 0; k < started; k++)
        died += child_join(pids[k]) != 0;
    if (status == 0 && !lesson_stop_requested()) {
        int together = 0, serial_total = 0, one_serial = 0;
        double worst_spread = 0;
        for (int round = 0; round < round_count; round++) {
            double last_arrival = 0, first_left = 1e9, last_left = 0;
            int serial = 0;
            for (int k = 0; k < thread_count; k++) {
                if (shared->arrived_at[k][round] > last_arrival)
                    last_arrival = shared->arrived_at[k][round];
                if (shared->left_at[k][round] < first_left)
                    first_left = shared->left_at[k][round];
                if (shared->left_at[k][round] > last_left)
                    last_left = shared->left_at[k][round];
                serial += shared->serial[k][round];
            }
            together += first_left >= last_arrival;
            serial_total += serial;
            one_serial += serial == 1;
            if (last_left - last_arrival > worst_spread)
                worst_spread = last_left - last_arrival;
            say("main", "round %d: the last arrived at %.3f; all went on %.3f..%.3f", round + 1, last_arrival,
                first_left, last_left);
        }
        if (together == round_count && one_serial == round_count && died == 0)
            note("The same barrier, in memory the processes share, and the attribute PTHREAD_PROCESS_SHARED: "
                 "every round all %d went on together, one of them the serial one.", thread_count);
        else
            note("This run is not what a barrier does: %d of %d rounds together, %d with one serial process, "
                 "%d process%s died.", together, round_count, one_serial, died, died == 1 ? "" : "es");
        note("Python's multiprocessing.Barrier keeps the index, the action, the timeout and the broken state "
             "across processes (python3 3.11 here: a child's timed-out wait left barrier.broken True in the "
             "parent). pthread_barrier_t, shared or not, has none of them.");
        result_at_end("part=process processes=%d rounds=%d together=%d serial=%d one_serial=%d died=%d "
                      "spread=%.4f",
                      thread_count, round_count, together, serial_total, one_serial, died, worst_spread);
    }
    /* no destroy: a killed process may have been inside the barrier */
    shared_memory_free(shared, sizeof *shared);
    return status;
}

static int barrier_run_lesson(void)
{
    thread_count = (int)option_int("threads");
    round_count = (int)option_int("rounds");
    timeout_option = option_real("timeout");
    event_init(&all_started);
    event_init(&gave_up);
    static const struct lesson_part parts[] = {
        { "threads", part_threads }, { "pthread", part_pthread }, { "broken", part_broken },
        { "process", part_process },
    };
    int status = RUN_PARTS(parts);
    event_destroy(&all_started);
    event_destroy(&gave_up);
    return status;
}

static const struct option_spec barrier_options[] = {
    OPTION_CHOICE("part", "all", "all|threads|pthread|broken|process", "which part to run; all runs them in order"),
    OPTION_INT("threads", "3", 2, MOST_THREADS, "the barrier's parties, threads (processes in part 4): Barrier(3)"),
    OPTION_INT("rounds", "3", 1, MOST_ROUNDS, "rounds the runners meet in (parts 1, 2 and 4)"),
    OPTION_REAL("timeout", "1", 0.1, 10, "lesson seconds t-0 waits in part 3 before the barrier breaks"),
    OPTIONS_END,
};

const struct lesson barrier_lesson = {
    .name = "barrier",
    .summary = N_("Barrier(3): threads meet, the last runs the action, all go on; it resets, and it breaks"),
    .runs_for = { 8, 11 }, /* speed 1, defaults: 8.4 to 10.7 s over 8 seeds, measured; 3.6 to 11.7 as the arrivals allow */
    .source = N_("seed 003 Barrier 栅栏"),
    .options = barrier_options,
    .results = "part=threads threads rounds together actions one_action action_by_last action_before_release "
               "overlaps spread action_threads; part=pthread threads rounds together serial one_serial "
               "serial_last spread; part=broken threads timeout timed_out waiters_broken late_broken "
               "broken_from broken_to reset_passed aborted abort_at aborted_to; part=process processes rounds "
               "together serial one_serial died spread",
    .explanation =
        N_("A barrier makes a fixed number of threads wait for one another.  Each\n"
        "calls wait(); the first ones block; when the last arrives, all of them\n"
        "go on together, and the barrier resets for the next round.\n"
        "\n"
        "Part 1 builds Python's threading.Barrier(3, action=round_done) from a\n"
        "mutex, a condition variable, a count and a generation number.  Three\n"
        "runners meet three times, arriving at random moments (--seed).  As in\n"
        "Python, the last to arrive runs the action, before any waiter goes on,\n"
        "and its wait() returns 2, the others 0 and 1 in arrival order.  The\n"
        "transcript checks each round: nobody went on before the last arrived,\n"
        "and the action ran once.\n"
        "\n"
        "Part 2 does the same with pthread_barrier_t.  It has no action: one\n"
        "thread a round gets PTHREAD_BARRIER_SERIAL_THREAD and may run it, but\n"
        "only after everyone is released.\n"
        "\n"
        "Part 3 breaks the barrier.  t-0 waits with a timeout and the last runner\n"
        "comes too late: the timeout breaks the barrier, and every waiter, t-0\n"
        "included, gets the error (Python raises BrokenBarrierError in each);\n"
        "the latecomer gets it at once.  reset() mends it, and a round passes.\n"
        "Then abort() breaks it with no timeout at all.  pthread_barrier_t has\n"
        "no timeout and no abort: a thread that never comes leaves the others\n"
        "waiting for ever.\n"
        "\n"
        "Part 4 is multiprocessing.Barrier: a pthread_barrier_t in shared memory,\n"
        "made with PTHREAD_PROCESS_SHARED, and processes in place of threads.\n"),
    .run = barrier_run_lesson,
};

/* -- plumbing ------------------------------------------------------------ */

/* Ctrl-C: a broken barrier wakes its waiters, as abort() does in Python. */
static void stop_waiters(void)
{
    barrier_abort(&barrier);
    event_set(&gave_up); /* part 3's latecomer waits for it */
}

static void reset_record(void)
{
    event_clear(&all_started);
    event_clear(&gave_up);
    memset(action_runs, 0, sizeof action_runs);
    memset(action_at, 0, sizeof action_at);
    round_now = 0;
    for (int t = 0; t < thread_count; t++) {
        struct runner *r = &runners[t];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "t-%u", (unsigned char)t);
        r->dice = dice_for((unsigned long long)t);
    }
}

/* Start `count` runners, join them all: 1 if the system refused one. */
static int run_team(void *(*runner)(void *), int count)
{
    struct team team;
    if (!team_init_together(&team, count))
        return 1;
    for (int t = 0; t < count; t++)
        if (!team_start(&team, runner, &runners[t]))
            break;
    all_did_start = team.started == count;
    event_set(&all_started); /* part 2's runners wait for it */
    if (!all_did_start)
        barrier_abort(&barrier); /* release the ones that did start */
    team_join_all(&team);
    int status = team_report_refusal(&team);
    team_free(&team);
    return status;
}

/* The last to arrive: in part 1 the runner whose wait() returned parties-1,
 * as the barrier counted them under its lock; in part 2, which has no index,
 * the one that stamped its arrival last, just before its wait (on a busy
 * machine two runners can stamp in one order and reach the barrier in the
 * other). */
static struct round_check check_rounds(bool by_index)
{
    struct round_check c = { 0 };
    for (int round = 0; round < round_count; round++) {
        int last = 0, actor = -1;
        double first_left = 1e9, last_left = 0;
        for (int t = 0; t < thread_count; t++) {
            struct runner *r = &runners[t];
            if (r->ran_action[round])
                actor = t;
            if (r->arrived_at[round] > runners[last].arrived_at[round])
                last = t;
            if (r->left_at[round] < first_left)
                first_left = r->left_at[round];
            if (r->left_at[round] > last_left)
                last_left = r->left_at[round];
        }
        double last_arrival = runners[last].arrived_at[round]; /* every wait() began after it */
        for (int t = 0; by_index && t < thread_count; t++)
            if (runners[t].index[round] == thread_count - 1)
                last = t;
        bool together = first_left >= last_arrival;
        c.rounds_together += together;
        c.rounds_one_action += action_runs[round] == 1;
        c.actions += action_runs[round];
        c.action_by_last += runners[last].ran_action[round];
        c.action_before_all += action_runs[round] == 1 && action_at[round] <= first_left;
        if (last_left - last_arrival > c.worst_spread)
            c.worst_spread = last_left - last_arrival;
        bool overlap = false;
        for (int t = 0; t < thread_count && round + 1 < round_count; t++)
            for (int u = 0; u < thread_count; u++)
                if (runners[t].arrived_at[round + 1] < runners[u].left_at[round])
                    overlap = true;
        c.overlaps += overlap;
        say("main", "round %d: %s arrived last, at %.3f; all went on %.3f..%.3f; action by %s", round + 1,
            runners[last].name, runners[last].arrived_at[round], first_left, last_left, actor >= 0 ? runners[actor].name : _("nobody"));
        if (!together)
            note("Round %d is not what a barrier does: a runner went on at %.3f, before the last arrived.",
                 round + 1, first_left);
    }
    return c;
}
