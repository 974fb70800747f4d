#include "counter.h"

#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Evidence is kept for at most this many increments in all: 8 MB of slots,
 * and 24 MB more while find_double_write() sorts them. */
enum { EVIDENCE_BUDGET = 2 * 1024 * 1024, STEPS_MAX_INCREMENTS = 40 };

static enum window window;

/* A coin toss from this thread's own generator (xorshift64): no shared state. */
static bool coin_flip(struct counter_thread *me)
{
    me->dice ^= me->dice << 13;
    me->dice ^= me->dice >> 7;
    me->dice ^= me->dice << 17;
    return me->dice >> 63;
}

/* How much time yields may take: a tenth of a real second, or a quarter of the
 * time since they began, whichever is more -- of a thread's own time, or,
 * for yields made holding the lock, of the lesson's (only the holder yields
 * there, and every waiter waits for it). */
#define YIELD_ALLOWANCE 0.1
#define YIELD_SHARE 0.25

/* One budget for the yields made holding the lock: only the holder touches
 * it, so the lock guards it too. */
static struct yield_budget holder_yields;

/* Between its read and its write a thread can lose the CPU, and another
 * thread can then read the same old value.  In C that window is a few
 * instructions wide and rarely hit, so the lessons widen it, honestly: the
 * thread gives the CPU away right there with sched_yield(), as the end of its
 * time slice would.  Time slices end at random moments, so it yields on a coin
 * toss.  --bare: no yield.  --steps: a pause long enough to read.
 *
 * On an idle machine a yield costs a microsecond or hands the CPU to another
 * of the lesson's threads.  On a busy one it can give a whole time slice, a
 * few ms, to another program, and a lesson of 400000 yields would take
 * minutes.  So each yield is timed, and once the yields have taken more than
 * their share of the time, the window is left as it is until they are back
 * under it: the lesson's cost stays bounded however busy the machine. */
void lose_the_cpu_here(struct counter_thread *me)
{
    if (window == WINDOW_STEPS) {
        lesson_sleep(STEP_PAUSE);
        return;
    }
    if (window == WINDOW_BARE || me->alone || !coin_flip(me) || lesson_stop_requested())
        return; /* after Ctrl-C, no yield: the threads queued at a lock get through faster */
    struct yield_budget *budget = window == WINDOW_YIELD_HOLDING_LOCK ? &holder_yields : &me->yields;
    double now = real_now();
    if (budget->began == 0) /* this thread's first window */
        budget->began = now;
    double allowed = YIELD_SHARE * (now - budget->began);
    if (budget->spent > (allowed > YIELD_ALLOWANCE ? allowed : YIELD_ALLOWANCE)) {
        budget->skipped++;
        return;
    }
    sched_yield();
    budget->spent += real_now() - now;
    budget->taken++;
}

long tell_yields(const struct crowd *crowd)
{
    long taken = holder_yields.taken, skipped = holder_yields.skipped;
    for (long t = 0; t < crowd->count; t++) {
        taken += crowd->threads[t].yields.taken;
        skipped += crowd->threads[t].yields.skipped;
    }
    if (skipped > 0) {
        note("%ld yields widened the window; %ld more were skipped: the yields", taken, skipped);
        note("had used up their time, a tenth of a second, or a quarter of the time if more.");
        note("Each yield skipped leaves a window narrow: on a busy machine, a run");
        note("may then lose little, or nothing.");
    }
    return taken;
}

void step(struct counter_thread *me, const char *fmt, ...)
{
    if (window != WINDOW_STEPS)
        return;
    char text[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    say(me->name, "%s", text);
}

/* The threads deposit 5, 8, 5, 8, ...: how many of each there are. */
static long fives, eights;

bool balance_possible(int balance)
{
    /* balance = 5a + 8b with 0 <= a <= fives and 0 <= b <= eights.  Since
     * 5 * 5 = 25 = 1 (mod 8), a must be 5 * balance (mod 8), plus multiples of 8. */
    if (balance < 0)
        return false;
    long v = balance;
    long a = (5 * v) % 8;
    long fewest = v - 8 * eights > 0 ? (v - 8 * eights + 4) / 5 : 0; /* so that b <= eights */
    if (a < fewest)
        a += (fewest - a + 7) / 8 * 8;
    return a <= fives && 5 * a <= v;
}

static void crowd_memory_free(struct crowd *crowd)
{
    if (crowd->shared) {
        shared_memory_free(crowd->threads, crowd->threads_bytes);
        shared_memory_free(crowd->slots, crowd->slots_bytes);
    } else {
        free(crowd->threads);
        free(crowd->slots);
    }
}

static bool crowd_setup(struct crowd *crowd, long threads, long iterations, enum window how, bool shared)
{
    memset(crowd, 0, sizeof *crowd);
    long keep = iterations;
    if ((long long)threads * keep > EVIDENCE_BUDGET)
        keep = EVIDENCE_BUDGET / threads > 0 ? EVIDENCE_BUDGET / threads : 1;
    crowd->shared = shared;
    crowd->threads_bytes = (size_t)threads * sizeof *crowd->threads;
    crowd->slots_bytes = (size_t)(threads * keep) * sizeof *crowd->slots;
    if (shared) { /* page-aligned, so 64-aligned too */
        crowd->threads = shared_memory(crowd->threads_bytes);
        crowd->slots = shared_memory(crowd->slots_bytes);
    } else {
        crowd->threads = aligned_alloc(64, crowd->threads_bytes);
        crowd->slots = calloc((size_t)(threads * keep), sizeof *crowd->slots);
    }
    if (!crowd->threads || !crowd->slots) {
        if (shared)
            report_no_memory(N_("ask for fewer"), "%ld processes", threads);
        else
            report_no_memory(N_("ask for fewer"), "%ld threads", threads);
        crowd_memory_free(crowd);
        return false;
    }
    if (!team_init(&crowd->team, shared ? 1 : threads)) {
        crowd_memory_free(crowd);
        return false;
    }
    memset(crowd->threads, 0, (size_t)threads * sizeof *crowd->threads);
    crowd->count = threads;
    crowd->iterations = iterations;
    window = how;
    holder_yields = (struct yield_budget){ .began = real_now() };
    fives = (threads + 1) / 2;
    eights = threads / 2;
    unsigned long long seed = (unsigned long long)option_int("seed");
    for (long i = 0; i < threads; i++) {
        struct counter_thread *t = &crowd->threads[i];
        snprintf(t->name, sizeof t->name, "t-%ld", i);
        t->amount = i % 2 == 0 ? 5 : 8; /* seed 001: run_thread(5), run_thread(8) */
        t->seen = crowd->slots + i * keep;
        t->kept = keep;
        t->dice = (seed + 1) * 0x9E3779B97F4A7C15ULL + (unsigned long long)i * 0xBF58476D1CE4E5B9ULL;
        if (t->dice == 0)
            t->dice = 1;
    }
    return true;
}

bool crowd_start(struct crowd *crowd, void *(*fn)(void *), long i)
{
    /* With one thread alive at a time (a small ulimit -u), none can race, and
     * each yield only hands a time slice to other programs: 10000 of them took
     * minutes on a busy machine, as the per-thread budget never ran out. */
    crowd->threads[i].alone = crowd->team.max_alive <= 1;
    return team_start(&crowd->team, fn, &crowd->threads[i]);
}

bool crowd_init(struct crowd *crowd, long threads, long iterations, enum window how)
{
    return crowd_setup(crowd, threads, iterations, how, false);
}

bool crowd_init_shared(struct crowd *crowd, long processes, long iterations, enum window how)
{
    if (!crowd_setup(crowd, processes, iterations, how, true))
        return false;
    for (long i = 0; i < processes; i++)
        snprintf(crowd->threads[i].name, sizeof crowd->threads[i].name, "p-%ld", i);
    return true;
}

void crowd_free(struct crowd *crowd)
{
    team_free(&crowd->team);
    crowd_memory_free(crowd);
}

struct kept_increment {
    int value_read;
    int thread, step;
};

static int by_value_then_thread(const void *x, const void *y)
{
    const struct kept_increment *a = x, *b = y;
    if (a->value_read != b->value_read)
        return a->value_read < b->value_read ? -1 : 1;
    if (a->thread != b->thread)
        return a->thread < b->thread ? -1 : 1;
    return (a->step > b->step) - (a->step < b->step);
}

bool find_double_write(const struct crowd *crowd, struct double_write *found)
{
    long total = crowd->count * crowd->threads[0].kept;
    struct kept_increment *all = malloc((size_t)total * sizeof *all);
    if (!all)
        return false;
    long n = 0;
    for (long t = 0; t < crowd->count; t++)
        for (long s = 0; s < crowd->threads[t].kept; s++)
            all[n++] = (struct kept_increment){ crowd->threads[t].seen[s], (int)t, (int)s };
    qsort(all, (size_t)n, sizeof *all, by_value_then_thread);
    /* Every value read twice is a lost update; name one from the middle of the
     * run, not the first few values, which every run shares. */
    long doubles = 0;
    for (long k = 1; k < n; k++)
        doubles += all[k].value_read == all[k - 1].value_read && (k < 2 || all[k - 1].value_read != all[k - 2].value_read);
    long wanted = doubles / 2;
    bool any = false;
    for (long k = 1; k < n && !any; k++) {
        if (all[k].value_read == all[k - 1].value_read && (k < 2 || all[k - 1].value_read != all[k - 2].value_read) &&
            wanted-- == 0) {
            *found = (struct double_write){ all[k - 1].thread, all[k].thread, all[k - 1].step, all[k].step,
                                            all[k].value_read };
            any = true;
        }
    }
    free(all);
    return any;
}

/* "1st", "2nd", "11th": n with its ordinal suffix, in the reader's language. */
static const char *ordinal(long n, char *buf, size_t size)
{
    const char *format = n % 100 >= 11 && n % 100 <= 13 ? _("%ldth")
                         : n % 10 == 1                  ? _("%ldst")
                         : n % 10 == 2                  ? _("%ldnd")
                         : n % 10 == 3                  ? _("%ldrd")
                                                        : _("%ldth");
    snprintf(buf, size, format, n);
    return buf;
}

void describe_pair(const struct crowd *crowd, const struct double_write *pair, char *buf, size_t size)
{
    const char *a = crowd->threads[pair->a].name, *b = crowd->threads[pair->b].name;
    if (crowd->iterations == 1)
        snprintf(buf, size, _("%s and %s"), a, b);
    else {
        char first[32], second[32];
        snprintf(buf, size, _("%s's %s and %s's %s increments"), a, ordinal(pair->a_step + 1, first, sizeof first), b,
                 ordinal(pair->b_step + 1, second, sizeof second));
    }
}

long count_bad_reads(const struct crowd *crowd, long *first)
{
    long bad_reads = 0;
    *first = -1;
    for (long t = 0; t < crowd->count; t++) {
        bad_reads += crowd->threads[t].bad_reads;
        if (*first < 0 && crowd->threads[t].bad_reads > 0)
            *first = t;
    }
    return bad_reads;
}

const char *possible_balances(const struct crowd *crowd)
{
    if (crowd->count == 1)
        return _("0 or 5");
    if (crowd->count == 2)
        return _("0, 5, 8 or 13");
    return _("a sum of 5s and 8s");
}

const char *check_counter_options(void)
{
    static char problem[160];
    bool balance = strcmp(option_choice("workload"), "balance") == 0;
    bool steps = option_flag("steps");
    if (balance && steps)
        return _("--steps shows the count workload; use it without --workload balance");
    if ((balance || steps) && !option_given("threads"))
        option_set_int("threads", 2);
    if (balance && !option_given("iterations"))
        option_set_int("iterations", 100000);
    long long increments = option_int("threads") * option_int("iterations");
    if (increments > INT_MAX / 8) {
        snprintf(problem, sizeof problem,
                 _("--threads x --iterations is %lld increments; at most %d, so the int counter cannot overflow"),
                 increments, INT_MAX / 8);
        return problem;
    }
    if (steps && increments > STEPS_MAX_INCREMENTS) {
        snprintf(problem, sizeof problem,
                 _("--steps prints every step: use at most %d increments (threads x iterations), not %lld"),
                 STEPS_MAX_INCREMENTS, increments);
        return problem;
    }
    return NULL;
}

const char *plural(long count, const char *noun)
{
    static _Thread_local char text[2][48];
    static _Thread_local int which;
    which ^= 1;
    /* The nouns the lessons count, whole, so that a translation can say them its own way. */
    const char *format = strcmp(noun, "thread") == 0      ? translate_plural("%ld thread", "%ld threads", (unsigned long)count)
                         : strcmp(noun, "increment") == 0 ? translate_plural("%ld increment", "%ld increments", (unsigned long)count)
                         : strcmp(noun, "process") == 0   ? translate_plural("%ld process", "%ld processes", (unsigned long)count)
                                                          : NULL;
    if (format)
        snprintf(text[which], sizeof text[which], format, count);
    else
        snprintf(text[which], sizeof text[which], "%ld %s%s", count, noun, count == 1 ? "" : "s");
    return text[which];
}

const char *times(long count)
{
    static _Thread_local char text[32];
    if (count == 1)
        return _("once");
    snprintf(text, sizeof text, _("%ld times"), count);
    return text;
}
