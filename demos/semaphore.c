/* semaphore: at most N at once.
 * Seed 000 §2.7 (信号量 BoundedSemaphore), seed 003 (Semaphore 信号量).
 *
 * The article's program:
 *
 *     def run(n):
 *         semaphore.acquire()   # 加锁
 *         time.sleep(1)
 *         print("run the thread:%s\n" % n)
 *         semaphore.release()   # 释放
 *
 *     semaphore = threading.BoundedSemaphore(5)   # 最多允许5个线程同时运行
 *     for i in range(22):
 *         t = threading.Thread(target=run, args=("t-%s" % i,))
 *         t.start()
 *     while threading.active_count() != 1:
 *         pass                   # busy-waits: burns CPU all 5 s
 *     else:
 *         print('-----all threads done-----')
 *
 * A POSIX sem_t is the counting semaphore; C has no bounded one, so it is
 * built below in a few lines.
 *
 * Which waiter goes next is promised by neither.  Python's acquire() waits
 * on a Condition in a loop, so a thread that asks while a permit is free
 * takes it, even if a waiter was woken for that permit (barging); its docs
 * say the order of wake-ups "should not be relied on".  POSIX leaves it to
 * sem_post which waiter to wake. */
#include "lesson.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BoundedSemaphore: a sem_t that refuses to count past its starting value.
 * The check and the post happen under a mutex, so two releases cannot both
 * pass the check; a concurrent sem_wait only lowers the value, so the check
 * stays true until the post. */
struct bounded_semaphore {
    sem_t sem;
    int limit;
    pthread_mutex_t release_lock;
};

static void bounded_init(struct bounded_semaphore *s, int permits)
{
    sem_init(&s->sem, 0, (unsigned)permits);
    s->limit = permits;
    pthread_mutex_init(&s->release_lock, NULL);
}

static void bounded_acquire(struct bounded_semaphore *s)
{
    while (sem_wait(&s->sem) != 0 && errno == EINTR)
        ; /* a signal interrupted the wait: wait again */
}

/* Returns false, like Python's "ValueError: Semaphore released too many
 * times", if the count is already at its limit. */
static bool bounded_release(struct bounded_semaphore *s)
{
    pthread_mutex_lock(&s->release_lock);
    int value;
    sem_getvalue(&s->sem, &value);
    bool allowed = value < s->limit;
    if (allowed)
        sem_post(&s->sem);
    pthread_mutex_unlock(&s->release_lock);
    return allowed;
}

static void bounded_destroy(struct bounded_semaphore *s)
{
    sem_destroy(&s->sem);
    pthread_mutex_destroy(&s->release_lock);
}

static struct bounded_semaphore semaphore; /* BoundedSemaphore(5) */
static double hold;                         /* time.sleep(1) */

/* The instrument: how many threads hold the semaphore right now.  It is
 * changed and printed under one lock, so the transcript's order of changes is
 * the true one; it counts a thread only between its acquire and its release,
 * so it can never read more than the real number of holders. */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int holders, peak;

static void count_holder(const char *who, int change)
{
    pthread_mutex_lock(&count_lock);
    holders += change;
    if (holders > peak)
        peak = holders;
    value_changed("holders", holders); /* for --trace's counter */
    if (change > 0)
        say(who, "acquired the semaphore: %d holding", holders);
    else
        say(who, "releasing the semaphore: %d holding", holders);
    pthread_mutex_unlock(&count_lock);
}

struct sem_thread {
    char name[24];
    double asked_at;    /* lesson time it called sem_wait, in its own slot */
    double acquired_at; /* lesson time it got in */
    int wave;           /* which wave it got in with, worked out afterwards */
};

static void *run(void *arg) /* def run(n): */
{
    struct sem_thread *me = arg;
    me->asked_at = lesson_now();
    span_begin(me->name, SPAN_WAITING); /* spans: what --timeline and --trace draw */
    bounded_acquire(&semaphore); /* semaphore.acquire(): waits while 5 hold it */
    span_end(me->name, SPAN_WAITING);
    span_begin(me->name, SPAN_HOLDING);
    me->acquired_at = lesson_now();
    count_holder(me->name, +1);

    lesson_sleep(hold); /* time.sleep(1) */
    say(me->name, "run the thread:%s", me->name); /* print("run the thread:%s\n" % n) */

    count_holder(me->name, -1);
    span_end(me->name, SPAN_HOLDING);
    bounded_release(&semaphore); /* semaphore.release(): one waiter may go */
    return NULL;
}

/* After the run: group the threads into waves by the time they got in (a new
 * wave starts when an entry comes more than half a hold after the wave's
 * first), and compare each wave with the article's {t-0..t-4}, {t-5..t-9}. */
struct entry {
    double at;
    long thread;
};

static int by_time(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    return (a->at > b->at) - (a->at < b->at);
}

static int report_waves(struct sem_thread *threads, long count, int permits, bool *in_start_order,
                        char *sizes, size_t size)
{
    struct entry *entries = malloc((size_t)count * sizeof *entries);
    if (!entries)
        return 0;
    for (long i = 0; i < count; i++)
        entries[i] = (struct entry){ threads[i].acquired_at, i };
    qsort(entries, (size_t)count, sizeof *entries, by_time);

    int waves = 0;
    size_t used = 0;
    *in_start_order = true;
    sizes[0] = '\0';
    for (long first = 0; first < count;) {
        long end = first;
        while (end < count && entries[end].at - entries[first].at < hold / 2)
            end++;
        waves++;
        char members[512];
        size_t m = 0;
        members[0] = '\0';
        for (long k = first; k < end; k++) {
            long t = entries[k].thread;
            threads[t].wave = waves;
            if (t / permits != waves - 1) /* not the article's wave for t */
                *in_start_order = false;
            if (m < sizeof members - 40)
                m += (size_t)snprintf(members + m, sizeof members - m, " %s", threads[t].name);
            else if (k == end - 1)
                m += (size_t)snprintf(members + m, sizeof members - m, " ...");
        }
        say("main", "wave %d: %ld in at %.2f s:%s", waves, end - first, entries[first].at, members);
        used += (size_t)snprintf(sizes + used, used < size ? size - used : 0, "%s%ld", waves > 1 ? "," : "",
                                 end - first);
        first = end;
    }
    free(entries);
    return waves;
}

/* Was any waiter overtaken: let in a wave later than a thread that called
 * sem_wait after it?  Counts them, and names one pair in a note. */
static int by_asking_time(const void *x, const void *y)
{
    const struct sem_thread *a = *(struct sem_thread *const *)x, *b = *(struct sem_thread *const *)y;
    return (a->asked_at > b->asked_at) - (a->asked_at < b->asked_at);
}

static long report_overtaking(struct sem_thread *threads, long count)
{
    struct sem_thread **by_ask = malloc((size_t)count * sizeof *by_ask);
    if (!by_ask)
        return 0;
    for (long i = 0; i < count; i++)
        by_ask[i] = &threads[i];
    qsort(by_ask, (size_t)count, sizeof *by_ask, by_asking_time);
    /* Sweep from the last to ask: remember the earliest wave among later askers. */
    long overtaken = 0;
    const struct sem_thread *victim = NULL, *overtaker = NULL, *earliest_later = NULL;
    for (long k = count - 1; k >= 0; k--) {
        if (earliest_later && earliest_later->wave < by_ask[k]->wave) {
            overtaken++;
            victim = by_ask[k];
            overtaker = earliest_later;
        }
        if (!earliest_later || by_ask[k]->wave < earliest_later->wave)
            earliest_later = by_ask[k];
    }
    if (victim) {
        note(overtaken == 1 ? N_("%ld waiter was overtaken: %s called sem_wait at %.4f s, before %s at %.4f s, "
                                 "yet got in a wave after it.")
                            : N_("%ld waiters were overtaken: %s called sem_wait at %.4f s, before %s at %.4f s, "
                                 "yet got in a wave after it."),
             overtaken, victim->name, victim->asked_at, overtaker->name, overtaker->asked_at);
    } else
        note("No waiter was overtaken: they got in in the order they called sem_wait.");
    free(by_ask);
    return overtaken;
}

/* Seed 000's BoundedSemaphore against a plain counting semaphore, when one
 * release too many is made. */
static void release_too_many(int permits)
{
    say("main", "now one release too many, with no thread holding it");
    if (!bounded_release(&semaphore))
        say("main", "BoundedSemaphore: refused -- the count is already %d, its limit", permits);
    note("Python raises ValueError: Semaphore released too many times.");

    sem_t plain;
    sem_init(&plain, 0, (unsigned)permits);
    sem_post(&plain);
    int value;
    sem_getvalue(&plain, &value);
    say("main", "plain sem_t: accepted -- the count is now %d", value);
    note("A plain semaphore just counts: from now on %d threads could get in at once.", value);
    sem_destroy(&plain);
}

static int semaphore_run(void)
{
    long count = (long)option_int("threads");
    int permits = (int)option_int("permits");
    hold = option_real("hold");

    struct sem_thread *threads = calloc((size_t)count, sizeof *threads);
    struct team team;
    if (!threads || !team_init(&team, count)) {
        free(threads);
        return 1;
    }
    for (long i = 0; i < count; i++)
        snprintf(threads[i].name, sizeof threads[i].name, "t-%ld", i);
    bounded_init(&semaphore, permits);

    say("main", "start %ld threads; each holds the semaphore (%d permits) for %g s", count, permits, hold);
    note("Each prints the article's \"run the thread:%%s\\n\"; Python's output has an empty line "
         "after each, from that \\n, which the transcript leaves out.");
    for (long i = 0; i < count; i++)
        if (!team_start(&team, run, &threads[i]))
            break;
    say("main", "started %ld threads; joining them", team.started);
    note("The article busy-waits on active_count() here, burning CPU. Join sleeps.");
    team_join_all(&team);

    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested()) {
        double elapsed = lesson_now();
        say("main", "-----all threads done-----");
        note("All %ld joined. The article's main prints it once active_count() is 1.", count);
        bool in_start_order = true;
        char sizes[256];
        int waves = report_waves(threads, count, permits, &in_start_order, sizes, sizeof sizes);
        note("The peak was %d holders, with %d permits: %ld threads took %d waves of %g s.", peak, permits,
             count, waves, hold);
        if (peak < permits && count >= permits)
            note("This run never had all %d permits in use at once: the threads started more slowly "
                 "than the holders let go.", permits);
        if (count < permits)
            note("With %ld threads and %d permits no thread had to wait for a permit.", count, permits);
        else if (in_start_order)
            note("This run each wave was the next %d threads in start order.", permits);
        else
            note("This run the waves were not the threads in start order.");
        long overtaken = report_overtaking(threads, count);
        note("No order is promised. The article's Python gave start-order waves in 20 runs of 20 here, "
             "but its acquire() is a wait on a Condition, in a loop: a thread that asks while a permit "
             "is free takes it, even if a waiter was woken for it (barging), and its docs say the "
             "wake-up order should not be relied on. POSIX leaves it to sem_post which waiter wakes; a "
             "thread started first may also call sem_wait after one started later.");
        release_too_many(permits);
        result("threads=%ld permits=%d peak=%d waves=%d wave_sizes=%s in_start_order=%s overtaken=%ld elapsed=%.2f",
               count, permits, peak, waves, sizes, in_start_order ? "yes" : "no", overtaken, elapsed);
    }
    bounded_destroy(&semaphore);
    team_free(&team);
    free(threads);
    return status;
}

static const struct option_spec semaphore_options[] = {
    OPTION_INT("threads", "22", 1, 10000, "threads that want the semaphore"),
    OPTION_INT("permits", "5", 1, 1000, "how many may hold it at once: BoundedSemaphore(5)"),
    OPTION_REAL("hold", "1", 0.1, 60, "lesson seconds each thread holds it: time.sleep(1)"),
    OPTIONS_END,
};

const struct lesson semaphore_lesson = {
    .name = "semaphore",
    .summary = N_("a bounded semaphore lets at most 5 of 22 threads in at once, in waves"),
    .runs_for = { 5 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §2.7 信号量 BoundedSemaphore; seed 003 Semaphore 信号量"),
    .options = semaphore_options,
    .results = "threads permits peak waves wave_sizes in_start_order overtaken elapsed",
    .explanation = N_(
        "A semaphore is a counter of permits.  sem_wait() takes one, and waits\n"
        "while there are none; sem_post() gives one back and lets a waiter in.\n"
        "A lock is a semaphore of one permit: here five threads may hold it at once.\n"
        "\n"
        "Seed 000's program starts 22 threads against BoundedSemaphore(5).  Each\n"
        "holds it for 1 s, so they go through in waves: 5, 5, 5, 5 and 2, ending\n"
        "near 1, 2, 3, 4 and 5 s.  The transcript counts the holders at every change;\n"
        "the peak never passes the permits.\n"
        "\n"
        "Bounded means one release too many is an error, as Python's ValueError:\n"
        "Semaphore released too many times.  POSIX has no bounded semaphore, so\n"
        "this lesson builds one from a sem_t, and shows that a plain sem_t would\n"
        "have let the count grow past its start.\n"
        "\n"
        "Which waiter goes next is promised by neither Python nor POSIX.  The\n"
        "article's program gave waves t-0..t-4, t-5..t-9, ... in every run here,\n"
        "but Python's docs say the wake-up order should not be relied on, and a\n"
        "thread that asks while a permit is free can take it before a woken waiter\n"
        "(barging).  POSIX leaves the choice to sem_post.  The transcript lists\n"
        "each wave and says which order this run gave.\n"),
    .run = semaphore_run,
};
