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
 *     print "num:", num             # num: 19999 -- an update was lost
 *
 * Here it is in C, with the same shape: start every thread, then join them. */
#include "primitives/counter.h"
#include "lesson.h"

#include <string.h>

/* The shared variables.  `volatile` makes every read and write below a real
 * memory access, like Python's; it does NOT make them atomic.  In C, two
 * threads touching one variable with no lock is a data race: undefined
 * behaviour, of which a wrong sum is the mildest kind. */
static volatile int num;     /* seed 000 */
static volatile int balance; /* seed 001 */

static long iterations;

/* def run(n): num += 1 -- written out as the read and the write it is.
 * lose_the_cpu_here() (counter.c) widens the window between them: a yield
 * on a coin toss, as the end of a time slice would. */
static void *run(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++) {
        span_begin(me->name, SPAN_RUNNING); /* spans: what --timeline and --trace draw */
        int seen = num; /* read */
        step(me, _("read num = %d"), seen);
        lose_the_cpu_here(me);
        num = seen + 1; /* write: whatever others wrote meanwhile is overwritten */
        step(me, _("write num = %d + 1 = %d"), seen, seen + 1);
        span_end(me->name, SPAN_RUNNING);
        value_changed("num", seen + 1);
        remember_read(me, i, seen); /* evidence, in this thread's own slot */
    }
    return NULL;
}

/* Seed 001:
 *
 *     def change_it(n):
 *         # 先存后取，结果应该为0 -- deposit, then withdraw: should end at 0
 *         global balance
 *         balance = balance + n
 *         balance = balance - n
 *
 * A time slice can end after any step, so the thread may lose the CPU after
 * each write as well as between each read and its write. */
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

static void *run_thread(void *arg) /* def run_thread(n): for i in range(100000): change_it(n) */
{
    struct counter_thread *me = arg;
    for (long i = 0; i < iterations && !lesson_stop_requested(); i++)
        change_it(me, me->amount);
    return NULL;
}

static void explain_count(const struct crowd *crowd, long long expected, bool bare, bool steps)
{
    long long lost = expected - num;
    say("main", "num: %d", num); /* print "num:", num */
    note("Expected %lld: %s, %s each.", expected, plural(crowd->count, "thread"), times(crowd->iterations));
    struct double_write caught;
    if (lost > 0 && find_double_write(crowd, &caught)) {
        char pair[96];
        describe_pair(crowd, &caught, pair, sizeof pair);
        note(lost == 1 ? N_("%lld increment vanished. One was caught in the act:")
                       : N_("%lld increments vanished. One was caught in the act:"),
             lost);
        note("%s both read %d and both wrote %d.", pair, caught.value_read, caught.value_read + 1);
        note("Each wrote what it had read plus one: the later write erased the other.");
    } else if (lost > 0) {
        note(lost == 1 ? N_("%lld increment vanished (the evidence kept holds no pair).")
                       : N_("%lld increments vanished (the evidence kept holds no pair)."),
             lost);
    } else if (crowd->count == 1) {
        note("Nothing was lost: one thread has no one to race with.");
    } else if (crowd->team.peak_alive == 1) {
        note("Nothing was lost: the system let one thread live at a time, so none raced.");
    } else if (bare) {
        note("Nothing was lost this time. Without the yield only a few instructions separate the read "
             "from the write, and a thread rarely loses the CPU there. But nothing stops it: the bug is "
             "still there, only rarer.");
        note("CPython 3.11 hides it too: it never switches threads inside `num += 1`.");
    } else {
        note("Nothing was lost this run, though nothing prevented it. Run it again.");
    }
    if (lost > 0 && !bare && !steps) {
        note("The yield makes every run hit the window. Without it (--bare) updates vanish only now and "
             "then: Python 2.7 lost up to 14 of 20000.");
    }
    result("num=%d expected=%lld lost=%lld yields=%ld", num, expected, lost, tell_yields(crowd));
}

static void explain_balance(const struct crowd *crowd)
{
    say("main", "balance = %d, expected 0", balance);
    long first;
    long bad_reads = count_bad_reads(crowd, &first);
    if (first >= 0) {
        note("%s read a balance of %d. No order of whole deposits and withdrawals gives that: a true "
             "balance is what is on deposit, %s.",
             crowd->threads[first].name, crowd->threads[first].first_bad, possible_balances(crowd));
        note("%ld of %ld reads saw an impossible balance: once a change is lost, the reads after it see "
             "a wrong balance too, until another loss undoes it.",
             bad_reads, crowd->count * crowd->iterations * 2);
    } else {
        note("No thread read an impossible balance this time.");
    }
    if (balance != 0)
        note("%d is what the lost changes left behind: erased deposits, withdrawals.", balance);
    else if (first >= 0)
        note("It still ended at 0: a stale write can also undo earlier damage. Luck.");
    result("balance=%d expected=0 bad_reads=%ld yields=%ld", balance, bad_reads, tell_yields(crowd));
}

static int race_run(void)
{
    long threads = (long)option_int("threads");
    iterations = (long)option_int("iterations");
    bool bare = option_flag("bare");
    bool steps = option_flag("steps");
    bool balance_workload = strcmp(option_choice("workload"), "balance") == 0;

    struct crowd crowd;
    if (!crowd_init(&crowd, threads, iterations, bare ? WINDOW_BARE : steps ? WINDOW_STEPS : WINDOW_YIELD))
        return 1;
    if (balance_workload)
        say("main", "start %s; each runs change_it(n) %s, n = 5 or 8", plural(threads, "thread"),
            times(iterations));
    else
        say("main", "start %s; each runs `num += 1` %s", plural(threads, "thread"), times(iterations));
    if (bare)
        note("--bare: no yield; only a few instructions between each read and write.");
    else if (steps)
        note("Each thread pauses %.1f s between its read and its write.", STEP_PAUSE);
    else if (balance_workload)
        note("After each read and each write, a thread yields the CPU on a coin toss.");
    else
        note("Between reading num and writing it back, a thread yields on a coin toss.");

    for (long i = 0; i < threads; i++) /* t = Thread(target=run); t.start() */
        if (!crowd_start(&crowd, balance_workload ? run_thread : run, i))
            break; /* refused, or interrupted: join those that started */
    say("main", "started %s; joining them", plural(crowd.team.started, "thread"));
    team_join_all(&crowd.team); /* for t in t_obj: t.join() */

    int status = team_report_refusal(&crowd.team);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "joined all %s", plural(threads, "thread"));
        if (balance_workload)
            explain_balance(&crowd);
        else
            explain_count(&crowd, (long long)threads * iterations, bare, steps);
    }
    crowd_free(&crowd);
    return status;
}

static const struct option_spec race_options[] = {
    COUNTER_WORKLOAD_OPTIONS,
    OPTION_FLAG("bare", "no yield between read and write: plain `num += 1`, which rarely loses"),
    OPTIONS_END,
};

const struct lesson race_lesson = {
    .name = "race",
    .summary = N_("threads add to one shared int with no lock, and updates vanish"),
    .runs_for = { 1 }, /* seconds at speed 1, measured: starting 20000 threads, not the lesson clock */
    .source = N_("seed 000 §2.4 线程锁; seed 001 balance; seed 003 数据竞争"),
    .options = race_options,
    .results = "num expected lost yields (count workload); balance expected bad_reads yields (balance "
               "workload)",
    .explanation = N_(
        "`num += 1` looks like one step, but it is three: read num, add one, write num.\n"
        "Two threads that both read 810 both write 811, and one increment is gone.\n"
        "Nothing here is simulated: 20000 real threads share one int with no lock.\n"
        "\n"
        "In C the read and the write are nanoseconds apart, so a thread rarely loses\n"
        "the CPU in between, and a bare run may lose nothing.  The lesson therefore\n"
        "widens that window the way the scheduler would: between its read and its\n"
        "write, each thread yields the CPU on a coin toss.  --bare removes the\n"
        "yield.  Either way the program is wrong; the yield only makes the\n"
        "wrongness show every time.  On a busy machine a yield can hand a whole\n"
        "time slice to another program, so the yields stop once they have taken\n"
        "a tenth of a second or a quarter of a thread's time; the transcript counts\n"
        "them (yields=) and says how many were skipped.\n"
        "\n"
        "Each thread records the value it read in its own slot.  After the join the\n"
        "lesson looks for two threads that read the same value: they wrote the same\n"
        "result, and the transcript names them.\n"
        "\n"
        "--workload balance is seed 001's bank account: two threads deposit n and\n"
        "withdraw n 100000 times (n = 5 and 8).  The balance should end at 0.  A\n"
        "thread that reads a balance no honest order could give (with two threads,\n"
        "anything but 0, 5, 8 or 13) has caught the account corrupt: bad_reads.\n"
        "--steps runs a handful of threads slowly and prints every read and write.\n"
        "\n"
        "CPython 3.11 loses nothing on the article's program: since 3.10 it never\n"
        "switches threads inside `num += 1`.  Python 2.7 lost up to 14 of 20000,\n"
        "and C with --bare loses a few now and then.\n"
        "The bug is in the program; an interpreter can hide it.  The fix is the\n"
        "next lesson: concdemo mutex.\n"),
    .check = check_counter_options,
    .run = race_run,
};
