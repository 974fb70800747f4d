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
#include <stdatomic.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* lock = threading.Lock() */
static volatile int num;
static volatile int balance;

static long iterations;

/* Seed 003's update_counter(name), with its prints, on the race lesson's
 * threads: the same window (lose_the_cpu_here), now inside the lock.
 * C has no try/finally: nothing between lock and unlock may return early. */
static void *run(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++) {
        double asked = lesson_now(); /* to show how long the lock made it wait */
        step(me, "ready to update num");
        span_begin(me->name, SPAN_ACQUIRING); /* spans: what --timeline and --trace draw */
        pthread_mutex_lock(&lock); /* lock.acquire(): waits while another holds it */
        span_end(me->name, SPAN_ACQUIRING);
        span_begin(me->name, SPAN_HOLDING);
        step(me, "acquired the lock, after waiting %.3f s", lesson_now() - asked);

        int seen = num;
        step(me, "current value %d", seen);
        lose_the_cpu_here(me); /* others may run now, but they wait at the lock */
        num = seen + 1;
        step(me, "updated to %d", seen + 1);

        step(me, "releasing the lock"); /* said while holding it, so no line can come first */
        value_changed("num", seen + 1);
        span_end(me->name, SPAN_HOLDING);
        pthread_mutex_unlock(&lock); /* lock.release(): the next waiter may go */
        remember_read(me, i, seen);
    }
    return NULL;
}

/* Seed 001's change_it(n), exactly as in the race lesson ... */
static void change_it(struct counter_thread *me, int n)
{
    int seen = balance;
    audit_balance(me, seen);
    lose_the_cpu_here(me);
    balance = seen + n;
    lose_the_cpu_here(me);

    seen = balance;
    audit_balance(me, seen);
    lose_the_cpu_here(me);
    balance = seen - n;
    lose_the_cpu_here(me);
}

/* ... called only while holding the lock:
 *
 *     def run_thread(n):
 *         for i in range(100000):
 *             lock.acquire()          # 先要获取锁
 *             try:
 *                 change_it(n)        # 放心地改吧
 *             finally:
 *                 lock.release()      # 改完了一定要释放锁 */
static void *run_thread(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++) {
        pthread_mutex_lock(&lock);
        change_it(me, me->amount);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

/* --compare: the plain `num += 1` three ways, to put a price on correctness. */
static volatile int plain_num;
static atomic_int atomic_num;

static void *add_unlocked(void *unused) /* wrong: a data race, as in `race --bare` */
{
    (void)unused;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++)
        plain_num = plain_num + 1;
    return NULL;
}

static void *add_with_mutex(void *unused)
{
    (void)unused;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++) {
        pthread_mutex_lock(&lock);
        plain_num = plain_num + 1;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *add_atomically(void *unused) /* one indivisible read-modify-write */
{
    (void)unused;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++)
        atomic_fetch_add(&atomic_num, 1);
    return NULL;
}

enum { COMPARE_ROUNDS = 3 };

struct variant {
    const char *name;
    void *(*body)(void *);
    double seconds[COMPARE_ROUNDS]; /* real seconds, thread start and join included */
    int num;                         /* from the median round */
    int nums[COMPARE_ROUNDS];
};

static bool time_variant(struct variant *v, long threads, int round)
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
    v->seconds[round] = real_now() - began;
    v->nums[round] = v->body == add_atomically ? atomic_load(&atomic_num) : plain_num;
    bool ok = team_report_refusal(&team) == 0 && !lesson_stop_requested();
    team_free(&team);
    return ok;
}

/* The median of the rounds' times; its round's count goes with it. */
static double median_seconds(struct variant *v)
{
    int order[COMPARE_ROUNDS] = { 0, 1, 2 };
    for (int a = 0; a < COMPARE_ROUNDS; a++)
        for (int b = a + 1; b < COMPARE_ROUNDS; b++)
            if (v->seconds[order[b]] < v->seconds[order[a]]) {
                int t = order[a];
                order[a] = order[b];
                order[b] = t;
            }
    v->num = v->nums[order[COMPARE_ROUNDS / 2]];
    return v->seconds[order[COMPARE_ROUNDS / 2]];
}

static int compare(long threads)
{
    long long expected = (long long)threads * iterations;
    struct variant variants[] = {
        { "unlocked", add_unlocked, { 0 }, 0, { 0 } },
        { "mutex", add_with_mutex, { 0 }, 0, { 0 } },
        { "atomic", add_atomically, { 0 }, 0, { 0 } },
    };
    enum { VARIANTS = sizeof variants / sizeof *variants };
    say("main", "the same work three ways: %s x %s of plain `num += 1`", plural(threads, "thread"),
        plural(iterations, "increment"));
    note("Each way runs %d times, taking turns; the median wall time counts.", COMPARE_ROUNDS);
    for (int round = 0; round < COMPARE_ROUNDS; round++)
        for (int k = 0; k < VARIANTS; k++)
            if (!time_variant(&variants[k], threads, round))
                return lesson_stop_requested() ? 0 : 1;
    double seconds[VARIANTS];
    for (int k = 0; k < VARIANTS; k++) {
        struct variant *v = &variants[k];
        seconds[k] = median_seconds(v);
        say("main", "%-8s num = %d of %lld in %.4f s (%.1f ns per increment)", v->name, v->num, expected,
            seconds[k], seconds[k] * 1e9 / (double)expected);
    }
    if (iterations < 1000) {
        note("With so few increments per thread, starting and joining threads takes");
        note("nearly all of the time, and the three differ by noise. To time the");
        note("increments themselves, try --threads 2 --iterations 1000000.");
    } else {
        note("The price of the right answer: the mutex took %.1fx, the atomic %.1fx",
             seconds[1] / seconds[0], seconds[2] / seconds[0]);
        note("the time of the unlocked way, which lost %lld.", expected - variants[0].num);
        if (seconds[2] < seconds[1]) {
            note("The atomic add is one indivisible instruction; the mutex adds two");
            note("calls, and when contended a sleep in the kernel.");
        } else {
            note("Here the atomic was slower. A likely reason: every atomic add moves the");
            note("counter's cache line between the cores, while the mutex's holder adds");
            note("again and again before the other thread gets a turn.");
        }
    }
    for (int k = 0; k < VARIANTS; k++)
        result("variant=%s num=%d expected=%lld lost=%lld seconds=%.6f", variants[k].name, variants[k].num,
               expected, expected - variants[k].num, seconds[k]);
    return 0;
}

static int mutex_run(void)
{
    long threads = (long)option_int("threads");
    iterations = (long)option_int("iterations");
    bool steps = option_flag("steps");
    bool balance_workload = strcmp(option_choice("workload"), "balance") == 0;
    if (option_flag("compare"))
        return compare(threads);

    struct crowd crowd;
    if (!crowd_init(&crowd, threads, iterations, steps ? WINDOW_STEPS : WINDOW_YIELD_HOLDING_LOCK))
        return 1;
    say("main", "start %s; each takes the lock around %s %s", plural(threads, "thread"),
        balance_workload ? "change_it(n)" : "`num += 1`", times(iterations));
    if (steps)
        note("Each thread pauses %.1f s between its read and its write, holding the lock.", STEP_PAUSE);
    else
        note("The race lesson's threads, coin-toss yields and all, with a lock around.");

    for (long i = 0; i < threads; i++) /* t = Thread(target=run); t.start() */
        if (!team_start(&crowd.team, balance_workload ? run_thread : run, &crowd.threads[i]))
            break;
    say("main", "started %s; joining them", plural(crowd.team.started, "thread"));
    team_join_all(&crowd.team); /* for t in t_obj: t.join() */

    int status = team_report_refusal(&crowd.team);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "joined all %s", plural(threads, "thread"));
        if (balance_workload) {
            say("main", "balance = %d, expected 0", balance);
            long first;
            long bad_reads = count_bad_reads(&crowd, &first);
            if (bad_reads == 0)
                note("No thread ever read an impossible balance: each change saw the last.");
            else
                note("Yet %ld reads saw an impossible balance: the lock failed?!", bad_reads);
            result("balance=%d expected=0 bad_reads=%ld", balance, bad_reads);
        } else {
            long long expected = (long long)threads * iterations;
            say("main", "num = %d, expected %lld", num, expected);
            struct double_write caught;
            if (find_double_write(&crowd, &caught)) {
                note("Yet two increments read the same value (%d): the lock failed?!", caught.value_read);
            } else {
                note("No two increments read the same value: each saw the one before it.");
                note("The lock makes read-and-write one step that no thread can split.");
            }
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
    OPTION_FLAG("compare", "time `num += 1` unlocked, under the mutex and atomically, side by side"),
    OPTIONS_END,
};

const struct lesson mutex_lesson = {
    .name = "mutex",
    .summary = "the race's threads take a lock around the update, and nothing is lost",
    .source = "seed 000 §2.5 互斥锁; seed 001 lock; seed 003 线程(共享变量)",
    .options = mutex_options,
    .results = "num expected lost (count); balance expected bad_reads (balance); with --compare, one "
               "line per variant: variant num expected lost seconds",
    .explanation =
        "A mutex (mutual exclusion lock) lets one thread at a time past\n"
        "pthread_mutex_lock(); the others wait there until pthread_mutex_unlock().\n"
        "Put it around the read and the write of `num += 1` and no thread can read\n"
        "num while another is between its read and its write.\n"
        "\n"
        "The threads are the race lesson's, coin-toss yields and all: the window is\n"
        "still open, but only the lock holder is inside it.  So num ends at exactly\n"
        "threads x iterations, every run, and no two threads read the same value.\n"
        "\n"
        "Every lock must be released on every path, which Python's try/finally and\n"
        "`with lock:` guarantee.  In C the rule is plain discipline: no return, break\n"
        "or goto between lock and unlock.\n"
        "\n"
        "--steps shows seed 003's two threads: ready, acquired, current value,\n"
        "updated, releasing -- the second waits at the lock while the first sleeps.\n"
        "--compare times plain `num += 1` unlocked, under the mutex and as a C11\n"
        "atomic add, in one run, each three times (the median counts): the price\n"
        "of being right.\n",
    .check = check_mutex_options,
    .run = mutex_run,
};
