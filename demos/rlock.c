/* rlock: the re-entrant lock.
 * Seed 002 (Lock & RLock), seed 000 §2.6 (递归锁), seed 003 (RLock 递归锁).
 *
 * The article's program (seed 002), mended as the note below says:
 *
 *     from time import sleep
 *     from threading import RLock, current_thread, Thread
 *
 *     lock = RLock()
 *
 *     def show(i):
 *         with lock:
 *             print(current_thread().name, i)
 *             sleep(0.1)
 *
 *     def test():
 *         with lock:
 *             for i in range(3):
 *                 show(i)
 *
 *     for i in range(2):
 *         Thread(target=test).start()
 *
 * (The article writes `lock = Rlock()`, imports no RLock, writes `def show():`
 * with no i, and prints with Python 2's statement, `print
 * current_thread().name, i`, which Python 3 refuses (SyntaxError).  With
 * print(), Python stops at once with NameError: name 'Rlock' is not defined;
 * with RLock spelled right and imported, each thread stops with TypeError:
 * show() takes 0 positional arguments but 1 was given.  Mended, as above, it
 * prints what the lesson prints.)
 *
 * test() holds the lock while show() takes it again.  An RLock allows that:
 * it remembers its owning thread and counts how deep the owner holds it (the
 * "recursion level").  A plain lock does not, and the same code waits for
 * itself forever.  In POSIX the RLock is a mutex of type RECURSIVE. */
#include "primitives/errno_names.h"
#include "lesson.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t rlock; /* lock = RLock(): a PTHREAD_MUTEX_RECURSIVE mutex */
static int level;             /* how deep its owner holds it; only the owner touches it */
static int depth;             /* --depth: the deepest level, test() included */

/* `in` names the function taking it, as in "show() takes the lock: level 2". */
static void acquire(const char *who, const char *in)
{
    span_begin(who, SPAN_ACQUIRING); /* spans: what --timeline and --trace draw */
    pthread_mutex_lock(&rlock); /* the owner passes at once; others wait */
    span_end(who, SPAN_ACQUIRING);
    span_begin(who, SPAN_HOLDING);
    level++;
    value_changed("level", level);
    say(who, "%s%stakes the lock: level %d", in, *in ? " " : "", level);
}

static void release(const char *who, const char *in)
{
    level--;
    value_changed("level", level);
    say(who, "%s%slets go: level %d%s", in, *in ? " " : "", level, level == 0 ? _(", the lock is free") : "");
    span_end(who, SPAN_HOLDING);
    pthread_mutex_unlock(&rlock); /* only the last unlock frees it */
}

/* -- part 1: seed 002's nesting ------------------------------------------ */

/* The order the prints came out in, to check that each thread's are together.
 * Written only while holding the lock. */
static int *print_log;
static int printed;

struct named_thread {
    char name[24];
    int number;
};

static void show(struct named_thread *me, int i) /* def show(i): with lock: */
{
    for (int d = 1; d < depth; d++)
        acquire(me->name, "show()");
    say(me->name, "%s %d", me->name, i); /* print(current_thread().name, i) */
    print_log[printed++] = me->number;
    lesson_sleep(0.1);
    for (int d = 1; d < depth; d++)
        release(me->name, "show()");
}

static void *test(void *arg) /* def test(): with lock: for i in range(3): show(i) */
{
    struct named_thread *me = arg;
    acquire(me->name, "test()");
    for (int i = 0; i < 3 && !lesson_stop_requested(); i++)
        show(me, i);
    release(me->name, "test()");
    return NULL;
}

/* Start `count` threads, each running fn, and join them all.  Unnamed ones
 * are named Thread-1, Thread-2, ... as Python names them.  Returns false,
 * having said why on stderr, if the system refused one. */
static bool run_threads(struct named_thread *threads, long count, void *(*fn)(void *))
{
    struct team team;
    if (!team_init(&team, count))
        return false;
    for (long i = 0; i < count; i++) {
        if (!threads[i].name[0])
            snprintf(threads[i].name, sizeof threads[i].name, "Thread-%d", (int)i + 1);
        threads[i].number = (int)i;
        if (!team_start(&team, fn, &threads[i])) /* Thread(target=fn).start() */
            break;
    }
    team_join_all(&team);
    bool ok = team_report_refusal(&team) == 0;
    team_free(&team);
    return ok;
}

static int nested(void)
{
    long count = (long)option_int("nested-threads");
    struct named_thread *threads = calloc((size_t)count, sizeof *threads);
    print_log = calloc((size_t)count * 3, sizeof *print_log);
    if (!threads || !print_log) {
        report_no_memory(N_("ask for fewer"), "%ld threads", count);
        free(threads);
        free(print_log);
        return 1;
    }
    printed = 0;
    double began = lesson_now();
    say("main", "part 1, seed 002: test() holds the lock while show() takes it again");
    note("An RLock lets its owner in again: the level counts how deep it holds it.");
    note("Each print is the article's `print current_thread().name, i`, as Python 2 prints it: "
         "Thread-1 0. Python 3.10 and later name the thread Thread-1 (test).");
    int status = run_threads(threads, count, test) ? 0 : 1;
    if (status == 0 && !lesson_stop_requested()) {
        /* Each thread's prints together, one thread after another? */
        int switches = 0;
        for (int k = 1; k < printed; k++)
            switches += print_log[k] != print_log[k - 1];
        bool together = switches == count - 1;
        say("main", "all %ld joined after %.2f s", count, lesson_now() - began);
        if (together) {
            note("Each thread's prints came out together: it held the lock from test() through every show(): "
                 "its level stayed at 1 or more until test() ended.");
        } else {
            note("The prints of two threads mixed: the lock let go between show() calls?!");
        }
        result_at_end("part=nested threads=%ld depth=%d prints=%d together=%s elapsed=%.2f", count, depth, printed,
               together ? "yes" : "no", lesson_now() - began);
    }
    free(threads);
    free(print_log);
    return status;
}

/* -- part 2: the same nesting with a plain lock -------------------------- */

static int errorcheck_answer, timed_answer;

static void *test_with_plain_lock(void *arg)
{
    struct named_thread *me = arg;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);

    /* An error-checking mutex knows who holds it, and says so. */
    pthread_mutex_t checked;
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&checked, &attr);
    pthread_mutex_lock(&checked);
    say(me->name, "test() takes an error-checking plain lock");
    errorcheck_answer = pthread_mutex_lock(&checked); /* show() takes it again */
    say(me->name, "show() takes it again: refused, %s", errno_name(errorcheck_answer));
    note("It knows its owner is asking again, and that waiting would never end.");
    pthread_mutex_unlock(&checked);
    pthread_mutex_destroy(&checked);

    /* A normal mutex, like Python's Lock, just waits -- here, for 1 s only. */
    pthread_mutex_t plain;
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_NORMAL);
    pthread_mutex_init(&plain, &attr);
    pthread_mutex_lock(&plain);
    span_begin(me->name, SPAN_HOLDING); /* for --timeline and --trace */
    say(me->name, "test() takes a normal plain lock, as Python's Lock()");
    say(me->name, "show() takes it again, and waits for ... itself");
    span_begin(me->name, SPAN_ACQUIRING);
    /* pthread_mutex_timedlock with a 1 s limit (clock.c), which Ctrl-C ends too */
    timed_answer = lesson_mutex_timedlock(&plain, 1.0);
    span_end(me->name, SPAN_ACQUIRING);
    if (timed_answer != ECANCELED) {
        say(me->name, "gave up after 1 s: %s", errno_name(timed_answer));
        note("Without the time limit it would wait forever: it holds what it waits for.");
        note("That is Python's program with Lock(): it hangs, printing nothing.");
    }
    span_end(me->name, SPAN_HOLDING);
    pthread_mutex_unlock(&plain);
    pthread_mutex_destroy(&plain);
    pthread_mutexattr_destroy(&attr);
    return NULL;
}

static int self_deadlock(void)
{
    struct named_thread thread = { .name = "" };
    say("main", "part 2: the same nesting with a plain lock, which has no owner or level");
    if (!run_threads(&thread, 1, test_with_plain_lock))
        return 1;
    if (!lesson_stop_requested())
        result_at_end("part=deadlock errorcheck=%s timed=%s", errno_symbol(errorcheck_answer),
                    errno_symbol(timed_answer));
    return 0;
}

/* -- part 3: only the owner may release ---------------------------------- */

static int foreign_answer, extra_answer;
static bool intruder_ran;

static void *intruder(void *arg)
{
    struct named_thread *me = arg;
    foreign_answer = pthread_mutex_unlock(&rlock); /* Thread-1 holds it, at level 2 */
    say(me->name, "releases the lock it does not own: refused, %s", errno_name(foreign_answer));
    note("An RLock must be released by the thread that holds it (EPERM).");
    return NULL;
}

static void *owner(void *arg)
{
    struct named_thread *me = arg;
    acquire(me->name, "");
    acquire(me->name, "");
    /* While it holds the lock, it starts and joins a thread that tries to release it. */
    struct named_thread other = { .name = "Thread-2" };
    intruder_ran = run_threads(&other, 1, intruder);
    release(me->name, "");
    release(me->name, "");
    if (!intruder_ran)
        return NULL;
    extra_answer = pthread_mutex_unlock(&rlock); /* once more than it took it */
    say(me->name, "releases once too often: refused, %s", errno_name(extra_answer));
    note("Acquires and releases must pair up: Python raises RuntimeError here.");
    return NULL;
}

static int ownership(void)
{
    struct named_thread thread = { .name = "" };
    say("main", "part 3: the lock remembers its owner");
    if (!run_threads(&thread, 1, owner))
        return 1; /* a thread was refused, and the line that says so is out */
    if (!intruder_ran) /* refused, said already; or never started: the lesson was stopped first */
        return not_started();
    result_at_end("part=ownership foreign_release=%s extra_release=%s", errno_symbol(foreign_answer),
                errno_symbol(extra_answer));
    return 0;
}

/* -- part 4: seed 000's program ------------------------------------------
 *
 *     def Func():
 *         lock.acquire()
 *         global gl_num
 *         gl_num += 1
 *         time.sleep(1)
 *         print(gl_num)
 *         lock.release()
 */
static int gl_num;
static int in_order_so_far; /* each print one more than the last: written under the lock */

static void *func(void *arg)
{
    struct named_thread *me = arg;
    span_begin(me->name, SPAN_ACQUIRING);
    pthread_mutex_lock(&rlock); /* lock.acquire() */
    span_end(me->name, SPAN_ACQUIRING);
    span_begin(me->name, SPAN_HOLDING);
    gl_num += 1;
    lesson_sleep(1);
    say(me->name, "%d", gl_num); /* print(gl_num) */
    in_order_so_far += in_order_so_far == gl_num - 1;
    span_end(me->name, SPAN_HOLDING);
    pthread_mutex_unlock(&rlock); /* lock.release() */
    return NULL;
}

static int counter(void)
{
    long count = (long)option_int("counter-threads");
    struct named_thread *threads = calloc((size_t)count, sizeof *threads);
    if (!threads) {
        report_no_memory(N_("ask for fewer"), "%ld threads", count);
        return 1;
    }
    gl_num = 0;
    in_order_so_far = 0;
    double began = lesson_now();
    say("main", "part 4, seed 000: %ld threads each take the lock, add 1, sleep 1 s, print", count);
    note("One holder at a time: each print comes a second after the last.");
    int status = run_threads(threads, count, func) ? 0 : 1;
    if (status == 0 && !lesson_stop_requested()) {
        double elapsed = lesson_now() - began;
        say("main", "all %ld joined after %.2f s: the lock serialised them", count, elapsed);
        result_at_end("part=counter threads=%ld gl_num=%d in_order=%s elapsed=%.2f", count, gl_num,
               in_order_so_far == gl_num ? "yes" : "no", elapsed);
    }
    free(threads);
    return status;
}

static int rlock_run(void)
{
    depth = (int)option_int("depth");
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&rlock, &attr);
    pthread_mutexattr_destroy(&attr);

    static const struct lesson_part parts[] = {
        { "nested", nested }, { "deadlock", self_deadlock }, { "ownership", ownership }, { "counter", counter },
    };
    int status = RUN_PARTS(parts);
    pthread_mutex_destroy(&rlock);
    return status;
}

static const struct option_spec rlock_options[] = {
    OPTION_CHOICE("part", "all", "all|nested|deadlock|ownership|counter", "which part to run; all: in this order"),
    OPTION_INT("nested-threads", "2", 1, 100, "threads running test() in the nested part (seed 002)"),
    OPTION_INT("depth", "2", 2, 50, "how deep the nesting goes: test() takes the lock, show() the rest"),
    OPTION_INT("counter-threads", "10", 1, 1000, "threads in the counter part (seed 000)"),
    OPTIONS_END,
};

const struct lesson rlock_lesson = {
    .name = "rlock",
    .summary = N_("a re-entrant lock lets its owner take it again; a plain lock deadlocks"),
    .runs_for = { 12 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 002 Lock & RLock; seed 000 §2.6 递归锁; seed 003 RLock 递归锁"),
    .options = rlock_options,
    .results = "one line per part: part=nested threads depth prints together elapsed; part=deadlock "
               "errorcheck timed; part=ownership foreign_release extra_release; part=counter threads "
               "gl_num in_order elapsed",
    .explanation = N_(
        "A lock that a function takes may be taken again by a function it calls.\n"
        "With a plain lock the second acquire waits for the first to be released --\n"
        "by the very thread that is now waiting.  It waits forever: a deadlock with\n"
        "one thread.  An RLock (re-entrant, or recursive, lock) remembers which\n"
        "thread owns it and counts how many times that thread has taken it; each\n"
        "release counts down, and only the last one frees the lock.\n"
        "\n"
        "Part 1 runs seed 002's test() and show(): each thread's three prints come\n"
        "out together, 0.1 s apart, because it holds the lock throughout.  Part 2\n"
        "runs the same nesting with plain locks: an error-checking mutex refuses with\n"
        "EDEADLK, and a normal one, like Python's Lock, waits -- here for 1 s only.\n"
        "Part 3 shows that only the owner may release the lock, and only as often\n"
        "as it took it (EPERM).  Part 4 is seed 000's program: 10 threads, each\n"
        "holding the lock for 1 s, print 1 to 10, one a second.\n"
        "\n"
        "In POSIX an RLock is a pthread mutex of type PTHREAD_MUTEX_RECURSIVE.\n"),
    .run = rlock_run,
    .actor_width = 9, /* "Thread-10" */
};
