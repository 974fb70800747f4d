/* race: lost updates.
 * Seed 000 §2.4 (线程锁), seed 001 (the balance example), seed 003 (数据竞争).
 *
 * The article's program:
 *
 *     def run(n):
 *         global num
 *         num += 1
 *
 *     num = 0
 *     for i in range(20000):
 *         t = threading.Thread(target=run, args=("t-%s" % i,))
 *         t.start()
 *         t_obj.append(t)
 *     for t in t_obj:
 *         t.join()
 *     print("num:", num)            # num: 19999 -- an update was lost
 *
 * Here it is in C, with the same shape: start every thread, then join them. */
#include "counter.h"
#include "lesson.h"

#include <sched.h>
#include <string.h>

/* The shared variables.  `volatile` makes every read and write below a real
 * memory access, as in the article; it does NOT make them atomic. */
static volatile int num;     /* seed 000 */
static volatile int balance; /* seed 001 */

static long iterations;
static bool bare, steps;

/* Between its read and its write a thread can lose the CPU, and another
 * thread can read the same old value.  In C that window is a few instructions
 * wide, so this lesson widens it, honestly: the thread gives the CPU away
 * right there (sched_yield), as the end of its time slice would.  Time slices
 * end at random moments, so it yields on a coin toss (seeded by --seed). */
static void lose_the_cpu_here(struct counter_thread *me)
{
    if (steps)
        lesson_sleep(STEP_PAUSE); /* slow enough to read line by line */
    else if (!bare && coin_flip(me))
        sched_yield();
}

/* def run(n): num += 1 -- written out as the read and the write it is. */
static void *run(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations; i++) {
        int seen = num; /* read */
        if (steps)
            say(me->name, "read num = %d", seen);
        lose_the_cpu_here(me);
        num = seen + 1; /* write: whatever others wrote meanwhile is overwritten */
        if (steps)
            say(me->name, "write num = %d + 1 = %d", seen, seen + 1);
        remember_read(me, i, seen); /* evidence, in this thread's own slot */
    }
    return NULL;
}

/* Seed 001: 先存后取，结果应该为0 -- deposit n, then withdraw it again.
 * A time slice can end after any step, so the thread may lose the CPU after
 * each write as well as inside each read-then-write window. */
static void change_it(struct counter_thread *me, int n)
{
    int seen = balance;      /* balance = balance + n */
    audit_balance(me, seen); /* evidence: could any honest order give this? */
    lose_the_cpu_here(me);
    balance = seen + n;
    lose_the_cpu_here(me);

    seen = balance;          /* balance = balance - n */
    audit_balance(me, seen);
    lose_the_cpu_here(me);
    balance = seen - n;
    lose_the_cpu_here(me);
}

static void *run_thread(void *arg) /* for i in range(100000): change_it(n) */
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations; i++)
        change_it(me, me->amount);
    return NULL;
}

static void explain_count(const struct crowd *crowd, long long expected)
{
    long long lost = expected - num;
    say("main", "num = %d, expected %lld", num, expected);
    struct double_write caught;
    if (lost > 0 && find_double_write(crowd, &caught)) {
        char a[48], b[48];
        describe_increment(crowd, caught.a, caught.a_step, a, sizeof a);
        describe_increment(crowd, caught.b, caught.b_step, b, sizeof b);
        note("%lld increment%s vanished. Caught one: %s and %s both read %d and both wrote %d.",
             lost, lost == 1 ? "" : "s", a, b, caught.value_read, caught.value_read + 1);
        note("Each wrote what it had read plus one, so the later write erased the earlier one.");
    } else if (lost > 0) {
        note("%lld increment%s vanished (the evidence kept did not include a pair).", lost, lost == 1 ? "" : "s");
    } else if (bare) {
        note("Nothing was lost this time: the load and the store of `num += 1` are nanoseconds apart.");
        note("A thread rarely loses the CPU between them, but nothing stops it: the bug is still there.");
        note("Run without --bare to widen the window, or build with -fsanitize=thread to see the race.");
        note("CPython 3.11 hides it the same way: it never switches threads inside `num += 1`.");
    } else if (crowd->team.peak_alive == 1) {
        note("Nothing was lost: the system let only one thread live at a time, so none could race.");
    } else {
        note("Nothing was lost this run, though nothing prevented it. Run it again.");
    }
    if (lost > 0 && !bare && !steps) {
        note("The yield only widens the window so that every run hits it; try --bare without it.");
        note("The bare code loses updates now and then: Python 2.7 lost up to 14 of 20000.");
    }
    result("num=%d expected=%lld lost=%lld", num, expected, lost);
}

static void explain_balance(const struct crowd *crowd)
{
    say("main", "balance = %d, expected 0", balance);
    long bad_reads = 0, first = -1;
    for (long t = 0; t < crowd->count; t++) {
        bad_reads += crowd->threads[t].bad_reads;
        if (first < 0 && crowd->threads[t].bad_reads > 0)
            first = t;
    }
    if (first >= 0) {
        note("%s read a balance of %d, which no order of whole deposits and withdrawals gives.",
             crowd->threads[first].name, crowd->threads[first].first_bad);
        note("A correct balance is what is on deposit at that moment: 0, 5, 8 or 13 with two threads.");
        note("%ld of %ld reads saw an impossible balance: once a change is lost, the account stays wrong.",
             bad_reads, crowd->count * crowd->iterations * 2);
    } else {
        note("No thread read an impossible balance this time.");
    }
    if (balance != 0)
        note("%d is what the overwritten changes left behind: deposits or withdrawals that vanished.", balance);
    else if (first >= 0)
        note("It still ended at 0: a write from a stale read also erases earlier damage. Luck, not safety.");
    result("balance=%d expected=0 bad_reads=%ld", balance, bad_reads);
}

static int race_run(void)
{
    long threads = (long)option_int("threads");
    iterations = (long)option_int("iterations");
    bare = option_flag("bare");
    steps = option_flag("steps");
    bool balance_workload = strcmp(option_choice("workload"), "balance") == 0;

    struct crowd crowd;
    if (!crowd_init(&crowd, threads, iterations))
        return 1;
    if (balance_workload)
        say("main", "start %ld threads; each runs change_it(n) %ld times, n = 5 or 8", threads, iterations);
    else
        say("main", "start %ld threads; each runs `num += 1` %s", threads, times(iterations));
    if (bare)
        note("--bare: each read and its write are back to back, as the compiler emits them.");
    else if (steps)
        note("Each thread pauses %.1f s between its read and its write, as if switched out there.", STEP_PAUSE);
    else if (balance_workload)
        note("After each read and each write, a thread yields the CPU on a coin toss (--seed).");
    else
        note("Between reading num and writing it back, a thread yields the CPU on a coin toss (--seed).");

    for (long i = 0; i < threads; i++)
        if (!team_start(&crowd.team, balance_workload ? run_thread : run, &crowd.threads[i]))
            break; /* refused, or interrupted: join those that started */
    say("main", "started %ld threads; joining them", crowd.team.started);
    team_join_all(&crowd.team);

    int status = team_report_refusal(&crowd.team);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "joined all %ld threads", threads);
        if (balance_workload)
            explain_balance(&crowd);
        else
            explain_count(&crowd, (long long)threads * iterations);
    }
    crowd_free(&crowd);
    return status;
}

static const struct option_spec race_options[] = {
    COUNTER_WORKLOAD_OPTIONS,
    OPTION_FLAG("bare", "no yield between read and write: the plain `num += 1`, which rarely loses"),
    OPTIONS_END,
};

const struct lesson race_lesson = {
    .name = "race",
    .summary = "threads add to one shared int with no lock, and updates vanish",
    .source = "seed 000 §2.4 线程锁; seed 001 balance; seed 003 数据竞争",
    .options = race_options,
    .results = "num expected lost (count workload); balance expected bad_reads (balance workload)",
    .explanation =
        "`num += 1` looks like one step, but it is three: read num, add one, write num.\n"
        "Two threads that both read 810 both write 811, and one increment is gone.\n"
        "Nothing here is simulated: 20000 real threads share one int with no lock.\n"
        "\n"
        "In C the read and the write are nanoseconds apart, so a thread rarely loses\n"
        "the CPU in between, and a bare run may lose nothing.  The lesson therefore\n"
        "widens that window the way the scheduler would: each thread yields the CPU\n"
        "between its read and its write.  --bare removes the yield.  Either way the\n"
        "program is wrong; the yield only makes the wrongness show every time.\n"
        "\n"
        "Each thread records the value it read in its own slot.  After the join the\n"
        "lesson looks for two threads that read the same value: they wrote the same\n"
        "result, and the transcript names them.\n"
        "\n"
        "--workload balance is seed 001's bank account: two threads deposit n and\n"
        "withdraw n 100000 times (n = 5 and 8).  The balance should end at 0.\n"
        "--steps runs a handful of threads slowly and prints every read and write.\n"
        "\n"
        "CPython 3.11 loses nothing on the article's program: since 3.10 it never\n"
        "switches threads inside `num += 1`.  Python 2.7 lost up to 14 of 20000.\n"
        "The bug is in the program; an interpreter can hide it.  The fix is the\n"
        "next lesson: concdemo mutex.\n",
    .check = check_counter_options,
    .run = race_run,
};
