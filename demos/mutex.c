/* mutex: the fix.
 * Seed 000 §2.5 (互斥锁), seed 001 (lock with try/finally), seed 003 (线程 共享变量).
 *
 * The article's program:
 *
 *     def run(n):
 *         lock.acquire()        # 获取锁
 *         global num
 *         num += 1
 *         lock.release()        # 释放锁
 *
 *     lock = threading.Lock()
 *
 * The race lesson's threads, with a pthread mutex around the read and the
 * write.  The window between them is still there -- the thread still gives
 * the CPU away in the middle -- but no other thread can get in. */
#include "counter.h"
#include "lesson.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* lock = threading.Lock() */
static volatile int num;
static volatile int balance;

static long iterations;
static bool steps;

/* The same widened window as in the race lesson. */
static void lose_the_cpu_here(void)
{
    if (steps)
        lesson_sleep(STEP_PAUSE);
    else
        sched_yield();
}

/* Seed 003's update_counter(name), with its prints.  C has no try/finally:
 * the rule is that nothing between lock and unlock may return early. */
static void *run(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations; i++) {
        double asked = lesson_now();
        if (steps)
            say(me->name, "ready to update num");
        pthread_mutex_lock(&lock); /* lock.acquire(): waits while another holds it */
        if (steps)
            say(me->name, "acquired the lock, after waiting %.3f s", lesson_now() - asked);

        int seen = num;
        if (steps)
            say(me->name, "current value %d", seen);
        lose_the_cpu_here(); /* others may run now, but they wait at the lock */
        num = seen + 1;
        if (steps)
            say(me->name, "updated to %d", seen + 1);

        if (steps) /* said before unlocking, so no other thread's line can come first */
            say(me->name, "releasing the lock");
        pthread_mutex_unlock(&lock); /* lock.release(): the next waiter may go */
        remember_read(me, i, seen);
    }
    return NULL;
}

/* Seed 001: the same change_it(n), called only while holding the lock. */
static void change_it(int n)
{
    int seen = balance;
    lose_the_cpu_here();
    balance = seen + n;

    seen = balance;
    lose_the_cpu_here();
    balance = seen - n;
}

static void *run_thread(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&lock); /* 先要获取锁 */
        change_it(me->amount);     /* 放心地改吧 */
        pthread_mutex_unlock(&lock); /* 改完了一定要释放锁 */
    }
    return NULL;
}

/* --compare: the plain `num += 1` three ways, to put a price on correctness. */
static volatile int plain_num;
static atomic_int atomic_num;

static void *add_unlocked(void *unused) /* wrong: a data race, as in `race --bare` */
{
    (void)unused;
    for (long i = 0; i < iterations; i++)
        plain_num = plain_num + 1;
    return NULL;
}

static void *add_with_mutex(void *unused)
{
    (void)unused;
    for (long i = 0; i < iterations; i++) {
        pthread_mutex_lock(&lock);
        plain_num = plain_num + 1;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *add_atomically(void *unused) /* one indivisible read-modify-write */
{
    (void)unused;
    for (long i = 0; i < iterations; i++)
        atomic_fetch_add(&atomic_num, 1);
    return NULL;
}

struct variant {
    const char *name;
    void *(*body)(void *);
    double seconds;
    int num;
};

static bool time_variant(struct variant *v, long threads)
{
    plain_num = 0;
    atomic_store(&atomic_num, 0);
    struct team team;
    if (!team_init(&team, threads))
        return false;
    double began = real_now();
    for (long i = 0; i < threads; i++)
        if (!team_start(&team, v->body, NULL))
            break;
    team_join_all(&team);
    v->seconds = real_now() - began;
    v->num = v->body == add_atomically ? atomic_load(&atomic_num) : plain_num;
    bool ok = team_report_refusal(&team) == 0 && !lesson_stop_requested();
    team_free(&team);
    return ok;
}

static int compare(long threads)
{
    long long expected = (long long)threads * iterations;
    struct variant variants[] = {
        { "unlocked", add_unlocked, 0, 0 },
        { "mutex", add_with_mutex, 0, 0 },
        { "atomic", add_atomically, 0, 0 },
    };
    say("main", "the same work three ways: %ld threads x %ld plain `num += 1`, timed", threads, iterations);
    for (size_t k = 0; k < sizeof variants / sizeof *variants; k++) {
        struct variant *v = &variants[k];
        if (!time_variant(v, threads))
            return lesson_stop_requested() ? 0 : 1;
        say("main", "%-8s num = %d of %lld in %.3f real s (%.1f ns per increment)", v->name, v->num, expected,
            v->seconds, v->seconds * 1e9 / (double)expected);
    }
    struct variant *unlocked = &variants[0], *mutex = &variants[1], *atomic = &variants[2];
    note("The price of the right answer: mutex %.1fx, atomic %.1fx the time of unlocked, which lost %lld.",
         mutex->seconds / unlocked->seconds, atomic->seconds / unlocked->seconds, expected - unlocked->num);
    if (iterations < 1000)
        note("With few increments per thread, starting threads costs most: try --threads 2 --iterations 1000000.");
    else if (atomic->seconds < mutex->seconds)
        note("The atomic add is one indivisible instruction; the mutex adds calls and, when contended, a sleep.");
    else {
        note("Here the atomic was slower: every add moves the counter's cache line between the cores.");
        note("A thread that holds the mutex adds again and again before the other gets a turn.");
    }
    for (size_t k = 0; k < sizeof variants / sizeof *variants; k++)
        result("variant=%s num=%d expected=%lld lost=%lld seconds=%.6f", variants[k].name, variants[k].num,
               expected, expected - variants[k].num, variants[k].seconds);
    return 0;
}

static int mutex_run(void)
{
    long threads = (long)option_int("threads");
    iterations = (long)option_int("iterations");
    steps = option_flag("steps");
    bool balance_workload = strcmp(option_choice("workload"), "balance") == 0;
    if (option_flag("compare"))
        return compare(threads);

    struct crowd crowd;
    if (!crowd_init(&crowd, threads, iterations))
        return 1;
    say("main", "start %ld threads; each takes the lock around %s %s", threads,
        balance_workload ? "change_it(n)" : "`num += 1`", times(iterations));
    if (steps)
        note("Each thread pauses %.1f s between its read and its write, holding the lock.", STEP_PAUSE);
    else
        note("These are the race lesson's threads, yield inside the read-then-write window and all.");

    for (long i = 0; i < threads; i++)
        if (!team_start(&crowd.team, balance_workload ? run_thread : run, &crowd.threads[i]))
            break;
    say("main", "started %ld threads; joining them", crowd.team.started);
    team_join_all(&crowd.team);

    int status = team_report_refusal(&crowd.team);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "joined all %ld threads", threads);
        if (balance_workload) {
            say("main", "balance = %d, expected 0", balance);
            note("Every deposit was withdrawn again before another thread could look.");
            result("balance=%d expected=0", balance);
        } else {
            long long expected = (long long)threads * iterations;
            say("main", "num = %d, expected %lld", num, expected);
            struct double_write caught;
            if (find_double_write(&crowd, &caught))
                note("Yet two increments read the same value (%d): the lock failed?!", caught.value_read);
            else
                note("No two increments read the same value: each saw the one before it.");
            note("The lock makes read-and-write one step that no other thread can split.");
            result("num=%d expected=%lld lost=%lld", num, expected, expected - num);
        }
    }
    crowd_free(&crowd);
    return status;
}

static const char *check_mutex_options(void)
{
    if (option_flag("compare") && (option_flag("steps") || strcmp(option_choice("workload"), "count") != 0))
        return "--compare times the plain count workload; use it without --steps or --workload balance";
    return check_counter_options();
}

static const struct option_spec mutex_options[] = {
    COUNTER_WORKLOAD_OPTIONS,
    OPTION_FLAG("compare", "time plain `num += 1` unlocked, with the mutex and atomically, side by side"),
    OPTIONS_END,
};

const struct lesson mutex_lesson = {
    .name = "mutex",
    .summary = "the race's threads take a lock around the update, and nothing is lost",
    .source = "seed 000 §2.5 互斥锁; seed 001 lock; seed 003 线程(共享变量)",
    .options = mutex_options,
    .results = "num expected lost (count); balance expected (balance); with --compare, one line per "
               "variant: variant num expected lost seconds",
    .explanation =
        "A mutex (mutual exclusion lock) lets one thread at a time past\n"
        "pthread_mutex_lock(); the others wait there until pthread_mutex_unlock().\n"
        "Put it around the read and the write of `num += 1` and no thread can read\n"
        "num while another is between its read and its write.\n"
        "\n"
        "The threads are the race lesson's, yield and all: the window is still open,\n"
        "but only the lock holder is inside it.  So num ends at exactly threads x\n"
        "iterations, every run, and no two threads ever read the same value.\n"
        "\n"
        "Every lock must be released on every path, which Python's try/finally and\n"
        "`with lock:` guarantee.  In C the rule is plain discipline: no return, break\n"
        "or goto between lock and unlock.\n"
        "\n"
        "--steps shows seed 003's two threads: ready, acquired, current value,\n"
        "updated, releasing -- the second waits at the lock while the first sleeps.\n"
        "--compare times plain `num += 1` unlocked, under the mutex and as a C11\n"
        "atomic add, in one run: the price of being right.\n",
    .check = check_mutex_options,
    .run = mutex_run,
};
