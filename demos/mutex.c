/* mutex: the fix.
 * Seed 000 §2.5 (互斥锁), seed 001 (lock with try/finally), seed 002 (the
 * thread module's locks), seed 003 (线程 共享变量, and `with lock:`).
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
 *     ...                       # 20000 threads started, then joined
 *     print "num:", num
 *
 * The race lesson's threads, with a pthread mutex around the read and the
 * write.  The window between them is still there -- the thread still gives
 * the CPU away in the middle -- but no other thread can get in.
 *
 * Part 2 asks whose lock it is: Python's Lock has no owner, a pthread mutex
 * has one.  Part 3 writes seed 003's `with lock:` in C. */
#include "primitives/counter.h"
#include "primitives/errno_names.h"
#include "lesson.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* lock = threading.Lock() */
static volatile int num;
static volatile int balance;

static long iterations;
static bool steps; /* --steps: seed 003's program, its prints and all */

/* Seed 003's update_counter(name), with its prints, on the race lesson's
 * threads: the same window (lose_the_cpu_here), now inside the lock.
 *
 *     print(f"{name}: 准备更新计数器。")
 *     lock.acquire()
 *     try:
 *         print(f"{name}: 已获得锁。")
 *         current_counter = counter
 *         print(f"{name}: 当前计数器值为 {current_counter}。")
 *         counter = current_counter + 1
 *         print(f"{name}: 更新后的计数器值为 {counter}。")
 *     finally:
 *         lock.release()
 *         print(f"{name}: 已释放锁。")
 *
 * C has no try/finally: nothing between lock and unlock may return early. */
static void *run(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++) {
        double asked = lesson_now(); /* to show how long the lock made it wait */
        step(me, "%s: 准备更新计数器。", me->name);
        span_begin(me->name, SPAN_ACQUIRING); /* spans: what --timeline and --trace draw */
        pthread_mutex_lock(&lock); /* lock.acquire(): waits while another holds it */
        span_end(me->name, SPAN_ACQUIRING);
        span_begin(me->name, SPAN_HOLDING);
        step(me, "%s: 已获得锁。", me->name);
        if (steps)
            note("%s waited %.3f s for the lock.", me->name, lesson_now() - asked);

        int seen = num;
        step(me, "%s: 当前计数器值为 %d。", me->name, seen);
        lose_the_cpu_here(me); /* others may run now, but they wait at the lock */
        num = seen + 1;
        step(me, "%s: 更新后的计数器值为 %d。", me->name, seen + 1);

        value_changed("num", seen + 1);
        span_end(me->name, SPAN_HOLDING);
        pthread_mutex_unlock(&lock); /* lock.release(): the next waiter may go */
        step(me, "%s: 已释放锁。", me->name); /* after the release, as the article prints it */
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
        note("With so few increments per thread, starting and joining threads takes nearly all of the "
             "time, and the three differ by noise. To time the increments themselves, try --threads 2 "
             "--iterations 1000000.");
    } else {
        note("The price of the right answer: the mutex took %.1fx, the atomic %.1fx the time of the "
             "unlocked way, which lost %lld.",
             seconds[1] / seconds[0], seconds[2] / seconds[0], expected - variants[0].num);
        if (seconds[2] < seconds[1]) {
            note("The atomic add is one indivisible instruction; the mutex adds two calls, and when "
                 "contended a sleep in the kernel.");
        } else {
            note("Here the atomic was slower. A likely reason: every atomic add moves the counter's cache "
                 "line between the cores, while the mutex's holder adds again and again before the other "
                 "thread gets a turn.");
        }
    }
    for (int k = 0; k < VARIANTS; k++)
        result("variant=%s num=%d expected=%lld lost=%lld seconds=%.6f", variants[k].name, variants[k].num,
               expected, expected - variants[k].num, seconds[k]);
    return 0;
}

/* -- part 1: the count, seed 000's program (001's and 003's with options) -- */

static int part_count(void)
{
    long threads = (long)option_int("threads");
    bool balance_workload = strcmp(option_choice("workload"), "balance") == 0;

    struct crowd crowd;
    if (!crowd_init(&crowd, threads, iterations, steps ? WINDOW_STEPS : WINDOW_YIELD_HOLDING_LOCK))
        return 1;
    say("main", "part 1: start %s; each takes the lock around %s %s", plural(threads, "thread"),
        balance_workload ? "change_it(n)" : "`num += 1`", times(iterations));
    if (steps) {
        note("Seed 003's update_counter(name), with the article's prints (its threads are 线程1 and 线程2, "
             "these t-0 and t-1): 准备更新计数器 ready to update the counter; 已获得锁 got the lock; 当前计数器值为 the "
             "counter is now; 更新后的计数器值为 after the update it is; 已释放锁 released the lock; 最终计数器值为 the "
             "final count is.");
        note("Each thread pauses %.1f s between its read and its write, holding the lock.", STEP_PAUSE);
    } else {
        note("The race lesson's threads, coin-toss yields and all, with a lock around.");
    }

    for (long i = 0; i < threads; i++) /* t = Thread(target=run); t.start() */
        if (!crowd_start(&crowd, balance_workload ? run_thread : run, i))
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
            result_at_end("balance=%d expected=0 bad_reads=%ld yields=%ld", balance, bad_reads, tell_yields(&crowd));
        } else {
            long long expected = (long long)threads * iterations;
            if (steps)
                say("main", "最终计数器值为 %d。", num); /* print(f"最终计数器值为 {counter}。") */
            else
                say("main", "num: %d", num); /* print "num:", num */
            note("Expected %lld: %s, %s each.", expected, plural(threads, "thread"), times(iterations));
            struct double_write caught;
            if (find_double_write(&crowd, &caught)) {
                note("Yet two increments read the same value (%d): the lock failed?!", caught.value_read);
            } else {
                note("No two increments read the same value: each saw the one before it.");
                note("The lock makes read-and-write one step that no thread can split.");
            }
            result_at_end("num=%d expected=%lld lost=%lld yields=%ld", num, expected, expected - num,
                          tell_yields(&crowd));
        }
    }
    crowd_free(&crowd);
    return status;
}

/* -- part 2, seed 002: whose lock is it? ----------------------------------
 *
 *     def loop(nloop, nsec, lock):
 *         print('start loop %s at: %s' % (nloop, time()))
 *         sleep(nsec)
 *         print('loop %s done at: %s' % (nloop, time()))
 *         lock.release()              # a lock that main acquired
 *
 *     def main():
 *         print('starting at:', time())
 *         for i in nloops:            # loops = [4, 2]
 *             lock = thread.allocate_lock()
 *             lock.acquire()
 *             locks.append(lock)
 *         for i in nloops:
 *             thread.start_new_thread(loop, (i, loops[i], locks[i]))
 *         for i in nloops:
 *             while locks[i].locked(): pass
 *         print('all DONE at:', time())
 *
 * Main takes each lock, and another thread releases it: Python's Lock has no
 * owner.  Nor has a POSIX semaphore, so a sem_t of 1 is its lock here.  A
 * pthread mutex has an owner, and only the owner may unlock it. */

static const int loops[] = { 4, 2 };
enum { LOOPS = sizeof loops / sizeof *loops };

struct loop_thread {
    char name[24];
    int nloop, nsec;
    sem_t *lock;
    int answer; /* what its release answered: 0, or an errno */
};

static void *loop(void *arg)
{
    struct loop_thread *me = arg;
    say(me->name, "start loop %d at: %.3f", me->nloop, lesson_now());
    bool slept = lesson_sleep(me->nsec); /* sleep(nsec); false: Ctrl-C */
    if (slept)
        say(me->name, "loop %d done at: %.3f", me->nloop, lesson_now());
    me->answer = sem_post(me->lock) == 0 ? 0 : errno; /* lock.release(): main took it */
    static atomic_flag noted = ATOMIC_FLAG_INIT; /* one note, from the first loop done */
    if (slept && !atomic_flag_test_and_set(&noted)) {
        note("%s released the lock main took: sem_post() said %s.", me->name, errno_name(me->answer));
        note("Python's Lock has no owner either: any thread may release it.");
    }
    return NULL;
}

/* An error-checking mutex that main holds, and a thread that unlocks it. */
static pthread_mutex_t owned_lock;
static int foreign_unlock_answer;

/* The misuse, kept in one function so that the sanitizers are told to let
 * exactly this pass (tests/tsan.supp, tests/helgrind.supp).  It says what
 * the call answered itself: the call then stays in this function's frame. */
static __attribute__((noinline)) int unlock_a_mutex_it_does_not_own(pthread_mutex_t *mutex, const char *who)
{
    int answer = pthread_mutex_unlock(mutex);
    say(who, "pthread_mutex_unlock() on the mutex main locked: %s", errno_name(answer));
    return answer;
}

static void *unlock_mains_mutex(void *arg)
{
    struct loop_thread *me = arg;
    foreign_unlock_answer = unlock_a_mutex_it_does_not_own(&owned_lock, me->name);
    return NULL;
}

/* Start fn(arg) on a thread and join it; false, said on stderr, if refused. */
static bool run_one_thread(void *(*fn)(void *), void *arg)
{
    struct team team;
    if (!team_init(&team, 1))
        return false;
    team_start(&team, fn, arg);
    team_join_all(&team);
    bool ok = team_report_refusal(&team) == 0;
    team_free(&team);
    return ok;
}

static int part_owner(void)
{
    say("main", "part 2, seed 002: main acquires a lock for each loop; each loop thread releases it");
    double began = lesson_now();
    say("main", "starting at: %.3f", began); /* print('starting at:', time()) */
    note("time() is lesson seconds here. The article wrote it for Python 2, which prints the tuple "
         "('starting at:', 1489387024.886667); Python 3 prints as here.");

    sem_t locks[LOOPS];
    struct loop_thread threads[LOOPS];
    struct team team;
    if (!team_init_together(&team, LOOPS))
        return 1;
    for (int i = 0; i < LOOPS; i++) {
        sem_init(&locks[i], 0, 1);      /* lock = thread.allocate_lock(): a semaphore of 1 */
        while (sem_wait(&locks[i]) != 0 && errno == EINTR) /* lock.acquire(): main takes it */
            ;
        threads[i] = (struct loop_thread){ .nloop = i, .nsec = loops[i], .lock = &locks[i] };
        snprintf(threads[i].name, sizeof threads[i].name, "loop %d", i);
    }
    int started = 0;
    while (started < LOOPS && team_start(&team, loop, &threads[started])) /* start_new_thread */
        started++;
    for (int i = 0; i < started; i++) /* while locks[i].locked(): pass */
        while (sem_wait(&locks[i]) != 0 && errno == EINTR)
            ;
    team_join_all(&team);
    int status = team_report_refusal(&team);
    for (int i = 0; i < LOOPS; i++)
        sem_destroy(&locks[i]);
    team_free(&team);
    if (status != 0 || lesson_stop_requested())
        return status;
    double elapsed = lesson_now() - began;
    say("main", "all DONE at: %.3f", lesson_now()); /* print('all DONE at:', time()) */
    note("main slept in sem_wait() until each loop released its lock; the article spins on locked(), "
         "burning CPU all the %d s.",
         loops[0]);

    /* The same with a pthread mutex: it remembers the thread that locked it. */
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&owned_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_mutex_lock(&owned_lock);
    say("main", "now an error-checking pthread mutex: main locks it, a loop thread unlocks it");
    struct loop_thread intruder = { .name = "loop 0" };
    bool ran = run_one_thread(unlock_mains_mutex, &intruder);
    int own_unlock = pthread_mutex_unlock(&owned_lock); /* main, its owner, may */
    pthread_mutex_destroy(&owned_lock);
    if (!ran)
        return not_started();
    if (lesson_stop_requested())
        return 0;
    note("A pthread mutex is owned: only the thread that locked it may unlock it. An error-checking "
         "one refuses anyone else; with a normal one, POSIX says the behaviour is undefined. "
         "Python's RLock refuses too: RuntimeError: cannot release un-acquired lock (see concdemo "
         "rlock).");
    say("main", "main, its owner, unlocks it: %s", errno_name(own_unlock));

    /* Where a semaphore of 1 and Python's Lock part: a release while free. */
    sem_t spare;
    sem_init(&spare, 0, 1);
    sem_post(&spare);
    int count;
    sem_getvalue(&spare, &count);
    sem_destroy(&spare);
    say("main", "a sem_t of 1 released while nobody holds it: accepted, its count is now %d", count);
    note("Python's Lock refuses that: RuntimeError: release unlocked lock. A semaphore counts: from "
         "now on %d threads could hold this \"lock\" at once.",
         count);

    result_at_end("part=owner foreign_post=%s foreign_unlock=%s extra_post_count=%d elapsed=%.2f",
                  errno_symbol(threads[0].answer), errno_symbol(foreign_unlock_answer), count, elapsed);
    return 0;
}

/* -- part 3, seed 003: `with lock:` ----------------------------------------
 *
 *     with lock:                  # 等价于: the same as
 *         # do something          lock.acquire()
 *                                 try:
 *                                     # do something
 *                                 finally:
 *                                     lock.release()
 *
 * C has neither with nor finally.  A for loop that runs its body once can
 * lock in its first clause and unlock in its third -- standard C: */
#define WITH_LOCK(mutex) for (bool once_ = lock_then_true(mutex); once_; once_ = false, pthread_mutex_unlock(mutex))

static bool lock_then_true(pthread_mutex_t *mutex)
{
    pthread_mutex_lock(mutex);
    return true;
}

/* But return and break leave a for loop without its third clause: they
 * leave the lock held.  GCC and Clang (not standard C) can call a function
 * when a variable goes out of scope, however its block is left: */
#define SCOPED_LOCK(mutex) \
    pthread_mutex_t *scoped_lock_ __attribute__((cleanup(unlock_scoped), unused)) = lock_then(mutex)

static pthread_mutex_t *lock_then(pthread_mutex_t *mutex)
{
    pthread_mutex_lock(mutex);
    return mutex;
}

static void unlock_scoped(pthread_mutex_t **held)
{
    pthread_mutex_unlock(*held);
}

static pthread_mutex_t counter_lock; /* error-checking: a lock left held cannot hang the lesson */
static int counter;                  /* seed 003's counter */

static void with_to_the_end(void)
{
    WITH_LOCK(&counter_lock) {
        counter += 1;
    } /* the third clause unlocks */
}

static void with_then_return(void)
{
    WITH_LOCK(&counter_lock) {
        counter += 1;
        return; /* leaves without the third clause: still locked! */
    }
}

static void with_then_break(void)
{
    WITH_LOCK(&counter_lock) {
        counter += 1;
        break; /* leaves WITH_LOCK's own loop, without the third clause: still locked! */
    }
}

static void scoped_then_return(void)
{
    SCOPED_LOCK(&counter_lock);
    counter += 1;
    return; /* scoped_lock_ goes out of scope: unlocked */
}

static void scoped_then_break(void)
{
    for (int i = 0;; i++) {
        SCOPED_LOCK(&counter_lock);
        counter += 1;
        if (i == 1)
            break; /* leaves the for loop, as Python's would; unlocked on the way */
    }
}

/* Run one way out of a block, then ask trylock whether the lock is free:
 * "free" or "held".  A lock left held is released by hand, so the lesson
 * can go on. */
static const char *left_by(const char *shown, void (*way)(void))
{
    way();
    int answer = pthread_mutex_trylock(&counter_lock);
    const char *state = answer == 0 ? N_("free") : answer == EBUSY ? N_("held") : N_("other");
    if (answer == 0 || answer == EBUSY)
        pthread_mutex_unlock(&counter_lock);
    say("main", "%s: afterwards the lock is %s", shown, _(state));
    return state;
}

static int part_with(void)
{
    say("main", "part 3, seed 003: `with lock:` in C, a lock released however its block is left");
    note("Python's with lock: releases the lock when its block ends, and when it is left by return, "
         "break or an exception: lock.acquire(); try: ... finally: release().");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&counter_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    counter = 0;

    const char *end = left_by("WITH_LOCK(&lock) { counter += 1; }", with_to_the_end);
    note("WITH_LOCK is a for loop that runs once: lock in its first clause, unlock in its third.");
    const char *returned = left_by("WITH_LOCK(&lock) { counter += 1; return; }", with_then_return);
    const char *broke = left_by("WITH_LOCK(&lock) { counter += 1; break; }", with_then_break);
    note("return and break leave the for loop without its third clause, so the lock stays held (the "
         "lesson unlocks it by hand). And break inside WITH_LOCK leaves only its own one-pass loop, "
         "not the loop around it, as Python's break would.");

    const char *scoped_returned = left_by("{ SCOPED_LOCK(&lock); counter += 1; return; }", scoped_then_return);
    const char *scoped_broke =
        left_by("for (...) { SCOPED_LOCK(&lock); counter += 1; if (...) break; }", scoped_then_break);
    note("SCOPED_LOCK declares a variable with __attribute__((cleanup)), a GCC and Clang extension: "
         "the unlock runs when the variable goes out of scope, at the block's end or by return, "
         "break or goto. It holds the lock to the end of the enclosing block, as `with` does, and "
         "break leaves the loop around it.");
    pthread_mutex_destroy(&counter_lock);

    result_at_end("part=with end=%s return=%s break=%s scoped_return=%s scoped_break=%s counter=%d", end, returned,
                  broke, scoped_returned, scoped_broke, counter);
    return 0;
}

static int mutex_run(void)
{
    iterations = (long)option_int("iterations");
    steps = option_flag("steps");
    if (option_flag("compare"))
        return compare((long)option_int("threads"));
    static const struct lesson_part parts[] = {
        { "count", part_count }, { "owner", part_owner }, { "with", part_with },
    };
    return RUN_PARTS(parts);
}

static const char *check_mutex_options(void)
{
    if (option_flag("compare") && (option_flag("steps") || strcmp(option_choice("workload"), "count") != 0))
        return _("--compare times the plain count workload; use it without --steps or --workload balance");
    if (option_flag("compare") && option_given("part"))
        return _("--compare times the plain count workload alone; use it without --part");
    const char *part = option_choice("part");
    if ((option_flag("steps") || strcmp(option_choice("workload"), "count") != 0) && strcmp(part, "all") != 0 &&
        strcmp(part, "count") != 0)
        return _("--steps and --workload change the count part; use them with --part count or all");
    return check_counter_options();
}

static const struct option_spec mutex_options[] = {
    COUNTER_WORKLOAD_OPTIONS,
    OPTION_FLAG("compare", "time `num += 1` unlocked, under the mutex and atomically, side by side"),
    OPTION_CHOICE("part", "all", "all|count|owner|with", "which part to run; all: in this order"),
    OPTIONS_END,
};

const struct lesson mutex_lesson = {
    .name = "mutex",
    .summary = N_("the race's threads take a lock around the update, and nothing is lost"),
    .runs_for = { 5 }, /* seconds at speed 1, measured: the count part is CPU, owner and with the clock */
    .source = N_("seed 000 §2.5 互斥锁; 001 lock; 002 thread; 003 线程(共享变量), with lock"),
    .options = mutex_options,
    .results = "num expected lost yields (count); balance expected bad_reads yields (balance); part=owner foreign_post "
               "foreign_unlock extra_post_count elapsed; part=with end return break scoped_return scoped_break "
               "counter; with --compare, one line per variant: variant num expected lost seconds",
    .explanation = N_(
        "A mutex (mutual exclusion lock) lets one thread at a time past\n"
        "pthread_mutex_lock(); the others wait there until pthread_mutex_unlock().\n"
        "Put it around the read and the write of `num += 1` and no thread can read\n"
        "num while another is between its read and its write.\n"
        "\n"
        "Part 1, count: the threads are the race lesson's, coin-toss yields and all:\n"
        "the window is still open, but only the lock holder is inside it.  So num\n"
        "ends at exactly threads x iterations, every run, and no two threads read\n"
        "the same value.  main prints the article's `num: 20000`.\n"
        "\n"
        "Part 2, owner: whose lock is it?  Seed 002's program: main acquires a lock\n"
        "for each loop thread, and the thread releases it when done.  Python's Lock\n"
        "has no owner, and any thread may release it; so has a semaphore of 1, which\n"
        "is its lock here.  A pthread mutex has an owner: an error-checking one\n"
        "refuses an unlock by another thread (EPERM).  And a semaphore of 1 released\n"
        "while free counts up to 2, where Python's Lock raises RuntimeError.\n"
        "\n"
        "Part 3, with: every lock must be released on every path, which Python's\n"
        "try/finally and `with lock:` guarantee.  A for-loop macro, WITH_LOCK, is\n"
        "the closest standard C comes, and return or break out of it leaves the lock\n"
        "held: the transcript shows it.  SCOPED_LOCK, with GCC's and Clang's\n"
        "cleanup attribute, unlocks however the block is left.\n"
        "\n"
        "--steps shows seed 003's two threads with the article's own prints: ready,\n"
        "got the lock, current value, updated, released -- the second waits at the\n"
        "lock while the first sleeps.  --compare times plain `num += 1` unlocked,\n"
        "under the mutex and as a C11 atomic add, in one run, each three times (the\n"
        "median counts): the price of being right.\n"),
    .check = check_mutex_options,
    .run = mutex_run,
};
