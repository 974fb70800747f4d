/* condition: wait until another thread says so.
 * Seed 002 (Condition), seed 003 (Condition 条件).
 *
 * Seed 002's program:
 *
 *     con = Condition()
 *
 *     def tc1():
 *         with con:
 *             for i in range(5):
 *                 print(current_thread().name, i)
 *                 sleep(0.3)
 *                 if i == 3:
 *                     con.wait()      # lets go of the lock, sleeps, takes it back
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

/* A condition variable whose timed waits count on the monotonic clock. */
static void condition_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* Start fn on each of args[0..count); false if the system refused a thread. */
static bool start_all(struct team *team, void *(*fn)(void *), void *args, size_t arg_size, int count)
{
    for (int i = 0; i < count; i++)
        if (!team_start(team, fn, (char *)args + (size_t)i * arg_size))
            return false;
    return true;
}

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
    sem_post(&tc1_holds_lock);
    for (int i = 0; i < 5; i++) {
        print_line(1, i);
        if (!lesson_sleep(0.3))
            break;
        if (i == 3) {
            say("Thread-1", "con.wait(): lets go of the lock and sleeps");
            int seen = notifies;
            while (notifies == seen) /* C may wake for nothing; Python never does */
                pthread_cond_wait(&con, &con_lock);
            say("Thread-1", "woken, and holds the lock again: wait() returns");
            note("Notified at tc2's first notify(), it could not go on until tc2 let go of the lock.");
        }
    }
    pthread_mutex_unlock(&con_lock);
    return NULL;
}

static void *tc2(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&con_lock); /* with con: waits here until tc1 waits */
    for (int i = 0; i < 5; i++) {
        print_line(2, i);
        bool slept = lesson_sleep(0.1);
        notifies++;
        pthread_cond_signal(&con); /* con.notify(): wakes tc1; tc2 keeps the lock */
        if (i == 0) {
            say("Thread-2", "con.notify(): Thread-1 is woken, and now waits for the lock");
            note("notify() moves tc1 from waiting for a notify to waiting for the lock. tc2 holds it.");
        }
        if (!slept)
            break;
    }
    say("Thread-2", "leaves `with con`: lets go of the lock");
    pthread_mutex_unlock(&con_lock);
    return NULL;
}

static const char article_sequence[] = "1-0,1-1,1-2,1-3,2-0,2-1,2-2,2-3,2-4,1-4";

static int part_order(void)
{
    say("main", "part 1, seed 002: tc1 waits at 3; tc2 notifies after each of its prints");
    condition_init(&con);
    sem_init(&tc1_holds_lock, 0, 0);
    struct team team;
    if (!team_init(&team, 2))
        return 1;
    double began = lesson_now();
    if (team_start(&team, tc1, NULL)) {
        /* Python's start() returns once the thread runs, and tc1 takes the
         * lock at once.  Here main waits for that: had tc2 taken the lock
         * first, its notifies would reach nobody and tc1 would wait forever. */
        while (sem_wait(&tc1_holds_lock) != 0 && errno == EINTR)
            ;
        team_start(&team, tc2, NULL);
    }
    team_join_all(&team);
    int status = team_report_refusal(&team);
    double elapsed = lesson_now() - began;
    if (status == 0 && !lesson_stop_requested()) {
        bool as_article = strcmp(sequence, article_sequence) == 0;
        say("main", "both joined after %.2f s", elapsed);
        note("The order was %s: tc1 0 1 2 3, tc2 0 1 2 3 4, tc1 4.", as_article ? "the article's" : "NOT the article's");
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
static pthread_cond_t waiter_ready; /* a waiter is waiting, or has left */
static int items, waiting, taken, left;
static int looked_again; /* wake-ups that found the box empty */

struct waiter {
    char name[24];
    int took;  /* items it took */
    int empty; /* of those, taken from an empty box */
};

static void take_item(struct waiter *me)
{
    items--;
    me->took++;
    if (items < 0) {
        me->empty++;
        say(me->name, "takes an item: the box now holds %d -- it was empty!", items);
    } else
        say(me->name, "takes an item: the box now holds %d", items);
    taken++;
    left++;
    pthread_cond_signal(&waiter_ready);
}

static void *wait_with_if(void *arg)
{
    struct waiter *me = arg;
    pthread_mutex_lock(&box_lock);
    waiting++;
    pthread_cond_signal(&waiter_ready);
    if (items == 0) /* WRONG: checks once, and trusts every wake-up */
        pthread_cond_wait(&item_put, &box_lock);
    waiting--;
    take_item(me);
    pthread_mutex_unlock(&box_lock);
    return NULL;
}

static void *wait_with_while(void *arg)
{
    struct waiter *me = arg;
    pthread_mutex_lock(&box_lock);
    waiting++;
    pthread_cond_signal(&waiter_ready);
    while (items == 0) { /* RIGHT: after every wake-up, look again */
        pthread_cond_wait(&item_put, &box_lock);
        if (items == 0) {
            say(me->name, "woken, but the box is empty: someone got there first; waits again");
            looked_again++;
            pthread_cond_signal(&waiter_ready);
        }
    }
    waiting--;
    take_item(me);
    pthread_mutex_unlock(&box_lock);
    return NULL;
}

/* One round: `count` waiters running fn wait at an empty box; main puts one
 * item and wakes them all.  With `while` it then gives the rest their items. */
static int round_of(const char *how, void *(*fn)(void *), struct waiter *waiters, int count, int *empty)
{
    struct team team;
    if (!team_init(&team, count))
        return 1;
    items = waiting = taken = left = looked_again = 0;
    pthread_mutex_lock(&box_lock);
    bool all = start_all(&team, fn, waiters, sizeof *waiters, count);
    if (all) {
        while (waiting < count) /* until every waiter is inside wait() */
            pthread_cond_wait(&waiter_ready, &box_lock);
        say("main", "%d waiters in `%s`; main puts 1 item and calls notify_all()", count, how);
        items = 1;
        pthread_cond_broadcast(&item_put);
        if (fn == wait_with_while) {
            /* One takes it; main waits until the rest have looked again. */
            while (left < 1 || looked_again < count - 1)
                pthread_cond_wait(&waiter_ready, &box_lock);
            say("main", "%d are waiting again; main puts %d more and calls notify_all()", waiting, count - 1);
            items += count - 1;
            pthread_cond_broadcast(&item_put);
        }
    }
    pthread_mutex_unlock(&box_lock);
    team_join_all(&team);
    *empty = 0;
    for (int i = 0; i < count; i++)
        *empty += waiters[i].empty;
    int status = team_report_refusal(&team);
    team_free(&team);
    if (!all && status == 0)
        status = 1;
    return status;
}

static int part_predicate(int count)
{
    say("main", "part 2: %d waiters take items from a box; a waiter must look again after waking", count);
    condition_init(&item_put);
    condition_init(&waiter_ready);
    struct waiter *waiters = calloc((size_t)count, sizeof *waiters);
    if (!waiters)
        return 1;
    for (int i = 0; i < count; i++)
        snprintf(waiters[i].name, sizeof waiters[i].name, "waiter-%d", i + 1);

    int empty_with_if = 0, empty_with_while = 0;
    int status = round_of("if (items == 0) wait()", wait_with_if, waiters, count, &empty_with_if);
    int taken_with_if = taken;
    if (status == 0 && !lesson_stop_requested()) {
        note("1 item, %d taken: notify_all() woke every waiter, the first to get the lock took", taken_with_if);
        note("the item, and the other %d, checked only before they slept, took one that was gone.",
             empty_with_if);
        memset(waiters, 0, (size_t)count * sizeof *waiters);
        for (int i = 0; i < count; i++)
            snprintf(waiters[i].name, sizeof waiters[i].name, "waiter-%d", i + 1);
        status = round_of("while (items == 0) wait()", wait_with_while, waiters, count, &empty_with_while);
    }
    if (status == 0 && !lesson_stop_requested()) {
        note("%d items, %d taken, none from an empty box: each waiter that lost the race", count, taken);
        note("looked again and slept on. A wake-up says \"look now\", not \"it is yours\".");
        result_at_end("part=predicate waiters=%d if_put=1 if_taken=%d if_empty=%d while_put=%d while_taken=%d "
                    "while_empty=%d",
                    count, taken_with_if, empty_with_if, count, taken, empty_with_while);
    }
    free(waiters);
    pthread_cond_destroy(&item_put);
    pthread_cond_destroy(&waiter_ready);
    return status;
}

/* -- part 3: notify() wakes one, notify_all() wakes every waiter ----------- */

static pthread_mutex_t door_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t door_opened; /* main notifies: the door is open */
static pthread_cond_t door_event;  /* a waiter is waiting, or went through */
static bool door_open;
static int at_door, through;

static void *wait_at_door(void *arg)
{
    struct waiter *me = arg;
    pthread_mutex_lock(&door_lock);
    at_door++;
    pthread_cond_signal(&door_event);
    while (!door_open)
        pthread_cond_wait(&door_opened, &door_lock);
    at_door--;
    through++;
    say(me->name, "woken: the door is open, goes through (%d through)", through);
    pthread_cond_signal(&door_event);
    pthread_mutex_unlock(&door_lock);
    return NULL;
}

static int part_notify(int count)
{
    say("main", "part 3: %d waiters wait for a door to open; notify() against notify_all()", count);
    condition_init(&door_opened);
    condition_init(&door_event);
    struct waiter *waiters = calloc((size_t)count, sizeof *waiters);
    struct team team;
    if (!waiters || !team_init(&team, count)) {
        free(waiters);
        return 1;
    }
    for (int i = 0; i < count; i++)
        snprintf(waiters[i].name, sizeof waiters[i].name, "waiter-%d", i + 1);
    door_open = false;
    at_door = through = 0;
    int after_notify = 0, after_notify_all = 0;

    pthread_mutex_lock(&door_lock);
    bool all = start_all(&team, wait_at_door, waiters, sizeof *waiters, count);
    if (all) {
        while (at_door < count)
            pthread_cond_wait(&door_event, &door_lock);
        say("main", "all %d wait; main opens the door and calls notify() once", count);
        door_open = true;
        pthread_cond_signal(&door_opened); /* con.notify(): one waiter */
        while (through < 1)
            pthread_cond_wait(&door_event, &door_lock);
        pthread_mutex_unlock(&door_lock);
        lesson_sleep(0.5); /* give any other waiter time to wake, if it were going to */
        pthread_mutex_lock(&door_lock);
        after_notify = through;
        say("main", "0.5 s after notify(): %d through, %d still asleep at an open door", after_notify, at_door);
        note("notify() wakes one waiter. The others never looked again: nobody told them.");
        say("main", "main calls notify_all()");
        pthread_cond_broadcast(&door_opened); /* con.notify_all(): every waiter */
    }
    pthread_mutex_unlock(&door_lock);
    team_join_all(&team);
    after_notify_all = through;
    int status = team_report_refusal(&team);
    if (!all && status == 0)
        status = 1;
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "after notify_all(): %d of %d through", after_notify_all, count);
        note("Use notify() when any one waiter can do the work; notify_all() when every waiter");
        note("must see the change, or when waiters wait for different things.");
        result_at_end("part=notify waiters=%d after_notify=%d after_notify_all=%d", count, after_notify, after_notify_all);
    }
    team_free(&team);
    free(waiters);
    pthread_cond_destroy(&door_opened);
    pthread_cond_destroy(&door_event);
    return status;
}

/* -- part 4: wait(timeout) ------------------------------------------------- */

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_changed;
static bool ready;

/* con.wait_for(lambda: ready, timeout): false if still not ready in time. */
static bool wait_for_ready(double timeout, int *answer)
{
    struct timespec deadline = lesson_timeout(timeout, CLOCK_MONOTONIC);
    pthread_mutex_lock(&ready_lock);
    int rc = 0;
    while (!ready && rc == 0)
        rc = pthread_cond_timedwait(&ready_changed, &ready_lock, &deadline);
    bool got = ready;
    pthread_mutex_unlock(&ready_lock);
    *answer = rc;
    return got;
}

struct timed_waiter {
    const char *name;
    double timeout;
    bool got;
    int answer;
    double waited;
};

static void *timed_waiter(void *arg)
{
    struct timed_waiter *me = arg;
    double began = lesson_now();
    say(me->name, "con.wait_for(ready, timeout=%g)", me->timeout);
    me->got = wait_for_ready(me->timeout, &me->answer);
    me->waited = lesson_now() - began;
    if (me->got)
        say(me->name, "returned True after %.2f s: ready was set in time", me->waited);
    else
        say(me->name, "returned False after %.2f s: %s, and ready is still false", me->waited,
            me->answer == ETIMEDOUT ? "ETIMEDOUT" : "no answer");
    return NULL;
}

static int part_timeout(void)
{
    say("main", "part 4: wait with a timeout, once notified in time and once not");
    condition_init(&ready_changed);
    ready = false;
    struct timed_waiter in_time = { .name = "Thread-1", .timeout = 1 }, too_late = { .name = "Thread-2", .timeout = 1 };
    struct team team;
    if (!team_init(&team, 2))
        return 1;
    if (team_start(&team, timed_waiter, &in_time)) {
        lesson_sleep(0.5);
        pthread_mutex_lock(&ready_lock);
        ready = true;
        say("main", "sets ready and calls notify()");
        pthread_cond_signal(&ready_changed);
        pthread_mutex_unlock(&ready_lock);
        team_join_all(&team);
        ready = false; /* no thread runs now: the next waiter waits for nothing */
        if (!lesson_stop_requested() && team_start(&team, timed_waiter, &too_late)) {
            say("main", "this time nobody sets ready");
            team_join_all(&team);
        }
    }
    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested()) {
        note("A timed wait gives up at its deadline: pthread_cond_timedwait returns ETIMEDOUT,");
        note("and Python's wait_for() returns False. Look at the predicate, not the timer.");
        result_at_end("part=timeout in_time=%s in_time_waited=%.2f expired=%s expired_waited=%.2f",
                    in_time.got ? "yes" : "no", in_time.waited, too_late.answer == ETIMEDOUT ? "ETIMEDOUT" : "none",
                    too_late.waited);
    }
    team_free(&team);
    pthread_cond_destroy(&ready_changed);
    return status;
}

static int condition_run(void)
{
    const char *part = option_choice("part");
    bool all = strcmp(part, "all") == 0;
    int waiters = (int)option_int("waiters");
    int status = 0;
    if (status == 0 && !lesson_stop_requested() && (all || strcmp(part, "order") == 0))
        status = part_order();
    if (status == 0 && !lesson_stop_requested() && (all || strcmp(part, "predicate") == 0))
        status = part_predicate(waiters);
    if (status == 0 && !lesson_stop_requested() && (all || strcmp(part, "notify") == 0))
        status = part_notify(waiters);
    if (status == 0 && !lesson_stop_requested() && (all || strcmp(part, "timeout") == 0))
        status = part_timeout();
    return status;
}

static const struct option_spec condition_options[] = {
    OPTION_CHOICE("part", "all", "all|order|predicate|notify|timeout", "which part to run; all runs them in order"),
    OPTION_INT("waiters", "3", 2, 100, "waiters in the predicate and notify parts"),
    OPTIONS_END,
};

const struct lesson condition_lesson = {
    .name = "condition",
    .summary = "a condition variable: wait() lets go of the lock; notify() does not",
    .source = "seed 002 Condition; seed 003 Condition 条件",
    .options = condition_options,
    .results = "part=order sequence as_article elapsed; part=predicate waiters if_put if_taken if_empty while_put "
               "while_taken while_empty; part=notify waiters after_notify after_notify_all; part=timeout in_time "
               "in_time_waited expired expired_waited",
    .explanation =
        "A condition variable lets a thread sleep until another thread changes\n"
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
        "Part 4: a wait with a timeout gives up, and says so (ETIMEDOUT).\n",
    .actor_width = 10,
    .run = condition_run,
};
