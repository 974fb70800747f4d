/* condition: wait until another thread says so.
 * Seed 002 (Condition), seed 003 (Condition 条件).
 *
 * The article's program (seed 002):
 *
 *     from threading import Condition, current_thread, Thread
 *
 *     con = Condition()
 *
 *     def tc1():
 *         with con:
 *             for i in range(5):
 *                 print(current_thread().name, i)
 *                 sleep(0.3)
 *                 if i == 3:
 *                     con.wait()      # lets go of the lock, sleeps, retakes it
 *
 *     def tc2():
 *         with con:
 *             for i in range(5):
 *                 print(current_thread().name, i)
 *                 sleep(0.1)
 *                 con.notify()        # wakes tc1, but keeps the lock
 *
 *     Thread(target=tc1).start()
 *     Thread(target=tc2).start()
 *
 * (The article prints with Python 2's print statement, `print
 * current_thread().name, i`, which Python 3 refuses (SyntaxError), so it is
 * print() here.  As printed, the program also lacks `from time import sleep`:
 * each thread stops at its first sleep(), with NameError, after its first
 * line.  With it, Python 2 prints the ten lines the article shows, "Thread-1
 * 0" to "Thread-1 4", in 2.0 s; Python 3.10 and later name the threads
 * "Thread-1 (tc1)" and "Thread-2 (tc2)".)
 *
 * A Python Condition is a lock and a condition variable in one object.  In
 * POSIX they are two: a pthread_mutex_t, and a pthread_cond_t that is always
 * waited on with that mutex held. */
#include "lesson.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -- part 1, seed 002: notify() does not hand over the lock ---------------- */

static pthread_mutex_t con_lock = PTHREAD_MUTEX_INITIALIZER; /* con = Condition(): its lock */
static pthread_cond_t con;                                   /* ... and its condition variable */
static int notifies;          /* how many times tc2 called notify(): tc1's predicate */
static sem_t tc1_holds_lock;  /* tc1 tells main that it holds con, so tc2 may start */

/* Who printed what, in order: both print only while they hold con_lock. */
static char sequence[128];

static void print_line(int thread, int i)
{
    char name[16];
    snprintf(name, sizeof name, "Thread-%d", thread);
    say(name, "%s %d", name, i); /* print(current_thread().name, i) */
    size_t used = strlen(sequence);
    snprintf(sequence + used, sizeof sequence - used, "%s%d-%d", used ? "," : "", thread, i);
}

static void *tc1(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&con_lock); /* with con: */
    span_begin("Thread-1", SPAN_HOLDING); /* spans and flows: what --timeline and --trace draw */
    sem_post(&tc1_holds_lock);
    for (int i = 0; i < 5; i++) {
        print_line(1, i);
        if (!lesson_sleep(0.3))
            break;
        if (i == 3) {
            say("Thread-1", "con.wait(): lets go of the lock and sleeps");
            span_end("Thread-1", SPAN_HOLDING);
            span_begin("Thread-1", SPAN_WAITING);
            while (notifies == 0) /* C may wake for nothing; Python never does */
                pthread_cond_wait(&con, &con_lock);
            span_end("Thread-1", SPAN_WAITING);
            span_begin("Thread-1", SPAN_HOLDING);
            flow_in("Thread-1", 1); /* inside the span it binds to */
            say("Thread-1", "woken, and holds the lock again: wait() returns");
            note("Notified at tc2's first notify(), it could not go on until tc2 let go of the lock.");
        }
    }
    span_end("Thread-1", SPAN_HOLDING);
    pthread_mutex_unlock(&con_lock);
    return NULL;
}

static void *tc2(void *unused)
{
    (void)unused;
    span_begin("Thread-2", SPAN_ACQUIRING);
    pthread_mutex_lock(&con_lock); /* with con: waits here until tc1 waits */
    span_end("Thread-2", SPAN_ACQUIRING);
    span_begin("Thread-2", SPAN_HOLDING);
    for (int i = 0; i < 5 && !lesson_stop_requested(); i++) {
        print_line(2, i);
        bool slept = lesson_sleep(0.1);
        notifies++;
        if (i == 0)
            flow_out("Thread-2", 1); /* this notify is what wakes Thread-1 */
        pthread_cond_signal(&con); /* con.notify(): wakes tc1; tc2 keeps the lock */
        if (i == 0) {
            say("Thread-2", "con.notify(): Thread-1 is woken, and now waits for the lock");
            note("notify() moves tc1 from waiting for a notify to waiting for the lock. tc2 holds it.");
        }
        if (!slept)
            break;
    }
    if (lesson_stop_requested()) { /* Ctrl-C: still wake tc1, so that it can leave */
        notifies++;
        pthread_cond_signal(&con);
    }
    say("Thread-2", "leaves `with con`: lets go of the lock");
    span_end("Thread-2", SPAN_HOLDING);
    pthread_mutex_unlock(&con_lock);
    return NULL;
}

static const char article_sequence[] = "1-0,1-1,1-2,1-3,2-0,2-1,2-2,2-3,2-4,1-4";

static int part_order(void)
{
    say("main", "part 1, seed 002: tc1 waits at 3; tc2 notifies after each of its prints");
    note("The prints are the article's `print current_thread().name, i`, as Python 2 prints them: "
         "Thread-1 0. Python 3.10 and later name it Thread-1 (tc1).");
    monotonic_cond_init(&con);
    sem_init(&tc1_holds_lock, 0, 0);
    struct team team;
    if (!team_init_together(&team, 2))
        return 1;
    double began = lesson_now();
    if (team_start(&team, tc1, NULL)) {
        /* Python's start() returns once the thread runs, and tc1 takes the
         * lock at once.  Here main waits for that: had tc2 taken the lock
         * first, its notifies would reach nobody and tc1 would wait forever. */
        while (sem_wait(&tc1_holds_lock) != 0 && errno == EINTR)
            ;
        if (!team_start(&team, tc2, NULL)) { /* refused: tc1 must not wait for it */
            pthread_mutex_lock(&con_lock);
            notifies++;
            pthread_cond_signal(&con);
            pthread_mutex_unlock(&con_lock);
        }
    }
    team_join_all(&team);
    int status = team_report_refusal(&team);
    double elapsed = lesson_now() - began;
    if (status == 0 && !lesson_stop_requested()) {
        bool as_article = strcmp(sequence, article_sequence) == 0;
        say("main", "both joined after %.2f s", elapsed);
        note("The order was %s: tc1 0 1 2 3, tc2 0 1 2 3 4, tc1 4.", as_article ? _("the article's") : _("NOT the article's"));
        note("tc1 slept 4 x 0.3 s holding the lock, tc2 5 x 0.1 s, tc1 0.3 s more: 2.0 s.");
        result_at_end("part=order sequence=%s as_article=%s elapsed=%.2f", sequence, as_article ? "yes" : "no", elapsed);
    }
    team_free(&team);
    sem_destroy(&tc1_holds_lock);
    pthread_cond_destroy(&con);
    return status;
}

/* -- part 2: wait in a while loop, not an if -------------------------------- */

/* A box of items that waiters take from, and main puts into. */
static pthread_mutex_t box_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t item_put;     /* main notifies: there are items */
static pthread_cond_t waiter_moved; /* for main: a waiter began to wait, looked again, or took one */
static int items, put, taken;

struct waiter {
    char name[24];
    int took;  /* items it took */
    int empty; /* of those, taken from an empty box */
};

/* What main watches, to know when to put: the waiters inside wait(), and
 * those that woke to an empty box.  Changed under box_lock. */
static int waiting, looked_again;

static void tell_main(int *counter, int change)
{
    *counter += change;
    pthread_cond_signal(&waiter_moved);
}

static void take_item(struct waiter *me)
{
    items--;
    taken++;
    me->took++;
    if (items < 0) {
        me->empty++;
        say(me->name, "takes an item: the box now holds %d -- it was empty!", items);
    } else
        say(me->name, "takes an item: the box now holds %d", items);
    pthread_cond_signal(&waiter_moved);
}

static void *wait_with_if(void *arg)
{
    struct waiter *me = arg;
    pthread_mutex_lock(&box_lock);
    tell_main(&waiting, +1);
    if (items == 0) /* WRONG: checks once, and trusts every wake-up */
        pthread_cond_wait(&item_put, &box_lock);
    tell_main(&waiting, -1);
    take_item(me);
    pthread_mutex_unlock(&box_lock);
    return NULL;
}

static void *wait_with_while(void *arg)
{
    struct waiter *me = arg;
    pthread_mutex_lock(&box_lock);
    tell_main(&waiting, +1);
    while (items == 0) { /* RIGHT: after every wake-up, look again */
        pthread_cond_wait(&item_put, &box_lock);
        if (items == 0) {
            say(me->name, "woken, but the box is empty: someone got there first; waits again");
            tell_main(&looked_again, +1);
        }
    }
    tell_main(&waiting, -1);
    take_item(me);
    pthread_mutex_unlock(&box_lock);
    return NULL;
}

/* Main, holding box_lock: put n items and wake every waiter. */
static void put_items(int n)
{
    items += n;
    put += n;
    pthread_cond_broadcast(&item_put); /* notify_all() */
}

/* One round: `count` waiters running fn wait at an empty box; main puts one
 * item and wakes them all.  With `while` it then gives the rest theirs. */
static int round_of(const char *how, void *(*fn)(void *), struct waiter *waiters, int count)
{
    struct team team;
    if (!team_init_together(&team, count))
        return 1;
    items = put = taken = waiting = looked_again = 0;
    int started = 0;
    while (started < count && team_start(&team, fn, &waiters[started]))
        started++;
    pthread_mutex_lock(&box_lock);
    if (started == count) {
        while (waiting < count) /* until every waiter is inside wait() */
            pthread_cond_wait(&waiter_moved, &box_lock);
        say("main", "%d waiters in `%s`; main puts 1 item and calls notify_all()", count, how);
        put_items(1);
        if (fn == wait_with_while) {
            /* One takes it; main waits until the rest have looked again. */
            while (taken < 1 || looked_again < count - 1)
                pthread_cond_wait(&waiter_moved, &box_lock);
            say("main", "%d are waiting again; main puts %d more and calls notify_all()", waiting, count - 1);
            put_items(count - 1);
        }
    } else {
        put_items(started); /* a thread was refused: give those started theirs, and end */
    }
    pthread_mutex_unlock(&box_lock);
    team_join_all(&team);
    int status = team_report_refusal(&team);
    team_free(&team);
    return status;
}

static int empty_takes(const struct waiter *waiters, int count)
{
    int empty = 0;
    for (int i = 0; i < count; i++)
        empty += waiters[i].empty;
    return empty;
}

static void name_waiters(struct waiter *waiters, int count)
{
    memset(waiters, 0, (size_t)count * sizeof *waiters);
    for (int i = 0; i < count; i++)
        snprintf(waiters[i].name, sizeof waiters[i].name, "waiter-%d", i + 1);
}

static int part_predicate(void)
{
    int count = (int)option_int("waiters");
    say("main", "part 2: %d waiters take items from a box; a waiter must look again after waking", count);
    monotonic_cond_init(&item_put);
    monotonic_cond_init(&waiter_moved);
    struct waiter *waiters = calloc((size_t)count, sizeof *waiters);
    if (!waiters)
        return 1;

    name_waiters(waiters, count);
    int status = round_of("if (items == 0) wait()", wait_with_if, waiters, count);
    int put_with_if = put, taken_with_if = taken, empty_with_if = empty_takes(waiters, count);
    if (status == 0 && !lesson_stop_requested()) {
        note("%d item%s, %d taken: notify_all() woke every waiter, the first to get the lock took the "
             "item, and the other %d, checked only before they slept, took one that was gone.",
             put_with_if, put_with_if == 1 ? "" : "s", taken_with_if, empty_with_if);
        name_waiters(waiters, count);
        status = round_of("while (items == 0) wait()", wait_with_while, waiters, count);
    }
    if (status == 0 && !lesson_stop_requested()) {
        int empty_with_while = empty_takes(waiters, count);
        note("%d items, %d taken, %d from an empty box: each waiter that lost the race looked again and "
             "slept on. A wake-up says \"look now\", not \"it is yours\".",
             put, taken, empty_with_while);
        result_at_end("part=predicate waiters=%d if_put=%d if_taken=%d if_empty=%d while_put=%d while_taken=%d "
                      "while_empty=%d",
                      count, put_with_if, taken_with_if, empty_with_if, put, taken, empty_with_while);
    }
    free(waiters);
    pthread_cond_destroy(&item_put);
    pthread_cond_destroy(&waiter_moved);
    return status;
}

/* -- part 3: notify() wakes one, notify_all() wakes every waiter ----------- */

static pthread_mutex_t door_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t door_opened; /* main notifies: the door is open */
static pthread_cond_t door_moved;  /* for main: a waiter is waiting, or went through */
static bool door_open;
static int at_door, through;

static void *wait_at_door(void *arg)
{
    struct waiter *me = arg;
    pthread_mutex_lock(&door_lock);
    at_door++;
    pthread_cond_signal(&door_moved);
    while (!door_open)
        pthread_cond_wait(&door_opened, &door_lock);
    at_door--;
    through++;
    say(me->name, "woken: the door is open, goes through (%d through)", through);
    pthread_cond_signal(&door_moved);
    pthread_mutex_unlock(&door_lock);
    return NULL;
}

static int part_notify(void)
{
    int count = (int)option_int("waiters");
    say("main", "part 3: %d waiters wait for a door to open; notify() against notify_all()", count);
    monotonic_cond_init(&door_opened);
    monotonic_cond_init(&door_moved);
    struct waiter *waiters = calloc((size_t)count, sizeof *waiters);
    struct team team;
    if (!waiters || !team_init_together(&team, count)) {
        free(waiters);
        return 1;
    }
    name_waiters(waiters, count);
    door_open = false;
    at_door = through = 0;
    int after_notify = 0, started = 0;
    while (started < count && team_start(&team, wait_at_door, &waiters[started]))
        started++;

    pthread_mutex_lock(&door_lock);
    if (started == count) {
        while (at_door < count)
            pthread_cond_wait(&door_moved, &door_lock);
        say("main", "all %d wait; main opens the door and calls notify() once", count);
        door_open = true;
        pthread_cond_signal(&door_opened); /* con.notify(): one waiter */
        while (through < 1)
            pthread_cond_wait(&door_moved, &door_lock);
        pthread_mutex_unlock(&door_lock);
        lesson_sleep(0.5); /* give any other waiter time to wake, if it were going to */
        pthread_mutex_lock(&door_lock);
        after_notify = through;
        say("main", "0.5 s after notify(): %d through, %d still asleep at an open door", after_notify, at_door);
        note("notify() wakes one waiter. The others never looked again: nobody told them.");
        say("main", "main calls notify_all()");
    }
    door_open = true;
    pthread_cond_broadcast(&door_opened); /* con.notify_all(): every waiter */
    pthread_mutex_unlock(&door_lock);
    team_join_all(&team);
    int after_notify_all = through;
    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "after notify_all(): %d of %d through", after_notify_all, count);
        note("Use notify() when any one waiter can do the work; notify_all() when every waiter must see "
             "the change, or when waiters wait for different things.");
        result_at_end("part=notify waiters=%d after_notify=%d after_notify_all=%d", count, after_notify,
                      after_notify_all);
    }
    team_free(&team);
    free(waiters);
    pthread_cond_destroy(&door_opened);
    pthread_cond_destroy(&door_moved);
    return status;
}

/* -- part 4: wait(timeout) ------------------------------------------------- */

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_changed;
static bool ready;

/* con.wait_for(lambda: ready, timeout), with the deadline given as a time:
 * false if still not ready by then. */
static bool wait_for_ready(const struct timespec *deadline, int *answer)
{
    pthread_mutex_lock(&ready_lock);
    int rc = 0;
    while (!ready && rc == 0 && !lesson_stop_requested()) /* Ctrl-C: leave early */
        rc = pthread_cond_timedwait(&ready_changed, &ready_lock, deadline);
    bool got = ready;
    pthread_mutex_unlock(&ready_lock);
    *answer = rc;
    return got;
}

/* On Ctrl-C, a timed wait need not wait out its timeout. */
static void wake_timed_waiters(void)
{
    pthread_mutex_lock(&ready_lock);
    pthread_cond_broadcast(&ready_changed);
    pthread_mutex_unlock(&ready_lock);
}

struct timed_waiter {
    const char *name;
    double began;  /* lesson time the timeout counts from */
    struct timespec deadline;
    bool got;
    int answer;
    double waited;
};

static void *timed_waiter(void *arg)
{
    struct timed_waiter *me = arg;
    say(me->name, "con.wait_for(ready, timeout=1)");
    me->got = wait_for_ready(&me->deadline, &me->answer);
    me->waited = lesson_now() - me->began;
    if (lesson_stop_requested())
        return NULL;
    if (me->got)
        say(me->name, "returned True after %.2f s: ready was set in time", me->waited);
    else
        say(me->name, "returned False after %.2f s: %s, and ready is still false", me->waited,
            me->answer == ETIMEDOUT ? "ETIMEDOUT" : _("no answer"));
    return NULL;
}

/* Start a waiter whose 1 s timeout counts from now; false if refused. */
static bool start_timed_waiter(struct team *team, struct timed_waiter *w)
{
    w->began = lesson_now();
    w->deadline = lesson_timeout(1, CLOCK_MONOTONIC);
    return team_start(team, timed_waiter, w);
}

static int part_timeout(void)
{
    say("main", "part 4: wait with a timeout, once notified in time and once not");
    struct team team;
    if (!team_init_together(&team, 2))
        return 1;
    monotonic_cond_init(&ready_changed);
    clock_on_stop(wake_timed_waiters);
    ready = false;
    struct timed_waiter in_time = { .name = "Thread-1" }, too_late = { .name = "Thread-2" };
    if (start_timed_waiter(&team, &in_time)) {
        lesson_sleep_until(in_time.began + 0.5); /* half the timeout, from the same start */
        pthread_mutex_lock(&ready_lock);
        ready = true;
        say("main", "sets ready and calls notify()");
        pthread_cond_signal(&ready_changed);
        pthread_mutex_unlock(&ready_lock);
        team_join_all(&team);
        ready = false; /* no thread runs now: the next waiter waits for nothing */
        if (!lesson_stop_requested() && start_timed_waiter(&team, &too_late)) {
            say("main", "this time nobody sets ready");
            team_join_all(&team);
        }
    }
    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested()) {
        note("A timed wait gives up at its deadline: pthread_cond_timedwait returns ETIMEDOUT, and "
             "Python's wait_for() returns False. Look at the predicate, not the timer.");
        result_at_end("part=timeout in_time=%s in_time_waited=%.2f expired=%s expired_waited=%.2f",
                      in_time.got ? "yes" : "no", in_time.waited, too_late.answer == ETIMEDOUT ? "ETIMEDOUT" : "none",
                      too_late.waited);
    }
    team_free(&team);
    clock_forget_stop(wake_timed_waiters);
    pthread_cond_destroy(&ready_changed);
    return status;
}

static int condition_run(void)
{
    static const struct lesson_part parts[] = {
        { "order", part_order }, { "predicate", part_predicate }, { "notify", part_notify }, { "timeout", part_timeout },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec condition_options[] = {
    OPTION_CHOICE("part", "all", "all|order|predicate|notify|timeout", "which part to run; all runs them in order"),
    OPTION_INT("waiters", "3", 2, 100, "waiters in the predicate and notify parts"),
    OPTIONS_END,
};

const struct lesson condition_lesson = {
    .name = "condition",
    .summary = N_("a condition variable: wait() lets go of the lock; notify() does not"),
    .runs_for = { 4 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 002 Condition; seed 003 Condition 条件"),
    .options = condition_options,
    .results = "part=order sequence as_article elapsed; part=predicate waiters if_put if_taken if_empty while_put "
               "while_taken while_empty; part=notify waiters after_notify after_notify_all; part=timeout in_time "
               "in_time_waited expired expired_waited",
    .explanation =
        N_("A condition variable lets a thread sleep until another thread changes\n"
        "something.  It always goes with a lock: wait() lets go of the lock and\n"
        "sleeps, and takes the lock back before it returns; notify() wakes a\n"
        "waiter but keeps the lock.\n"
        "\n"
        "Part 1 is seed 002's program: tc1 holds the condition, prints 0..3 and\n"
        "waits; tc2 prints 0..4 and notifies after each line.  tc1 is woken at\n"
        "tc2's first notify, yet prints its 4 only after tc2's 4: it needs the\n"
        "lock back, and tc2 holds it to the end.  Always that order, 2.0 s.\n"
        "\n"
        "Part 2: wait in a while loop, never an if.  A wake-up means \"look now\":\n"
        "another waiter may have taken what you were woken for.  With `if`, the\n"
        "waiters take items from an empty box; with `while` they sleep again.\n"
        "\n"
        "Part 3: notify() wakes one waiter; notify_all() wakes them all.\n"
        "Part 4: a wait with a timeout gives up, and says so (ETIMEDOUT).\n"),
    .actor_width = 10,
    .run = condition_run,
};
