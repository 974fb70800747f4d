#include "counter.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Evidence is kept for at most this many increments in all (16 MB). */
enum { EVIDENCE_BUDGET = 4 * 1024 * 1024, STEPS_MAX_INCREMENTS = 40 };

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

bool crowd_init(struct crowd *crowd, long threads, long iterations)
{
    memset(crowd, 0, sizeof *crowd);
    long keep = iterations;
    if ((long long)threads * keep > EVIDENCE_BUDGET)
        keep = EVIDENCE_BUDGET / threads > 0 ? EVIDENCE_BUDGET / threads : 1;
    crowd->threads = calloc((size_t)threads, sizeof *crowd->threads);
    crowd->slots = calloc((size_t)(threads * keep), sizeof *crowd->slots);
    if (!crowd->threads || !crowd->slots || !team_init(&crowd->team, threads)) {
        if (!crowd->threads || !crowd->slots)
            fprintf(stderr, "%s: not enough memory for %ld threads; try fewer\n", lesson_who(), threads);
        free(crowd->threads);
        free(crowd->slots);
        return false;
    }
    crowd->count = threads;
    fives = (threads + 1) / 2;
    eights = threads / 2;
    crowd->iterations = iterations;
    for (long i = 0; i < threads; i++) {
        struct counter_thread *t = &crowd->threads[i];
        snprintf(t->name, sizeof t->name, "t-%ld", i);
        t->amount = i % 2 == 0 ? 5 : 8; /* seed 001: run_thread(5), run_thread(8) */
        t->seen = crowd->slots + i * keep;
        t->kept = keep;
        t->dice = ((unsigned long long)option_int("seed") + 1) * 0x9E3779B97F4A7C15ULL + (unsigned long long)i * 0xBF58476D1CE4E5B9ULL;
        if (t->dice == 0)
            t->dice = 1;
    }
    return true;
}

void crowd_free(struct crowd *crowd)
{
    team_free(&crowd->team);
    free(crowd->threads);
    free(crowd->slots);
}

struct kept_increment {
    int value_read;
    long thread, step;
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
            all[n++] = (struct kept_increment){ crowd->threads[t].seen[s], t, s };
    qsort(all, (size_t)n, sizeof *all, by_value_then_thread);
    bool any = false;
    for (long k = 1; k < n && !any; k++) {
        if (all[k].value_read == all[k - 1].value_read) {
            *found = (struct double_write){ all[k - 1].thread, all[k].thread, all[k - 1].step, all[k].step,
                                            all[k].value_read };
            any = true;
        }
    }
    free(all);
    return any;
}

void describe_increment(const struct crowd *crowd, long thread, long step, char *buf, size_t size)
{
    if (crowd->iterations == 1)
        snprintf(buf, size, "%s", crowd->threads[thread].name);
    else
        snprintf(buf, size, "%s (its increment %ld)", crowd->threads[thread].name, step + 1);
}

const char *check_counter_options(void)
{
    static char problem[160];
    bool balance = strcmp(option_choice("workload"), "balance") == 0;
    bool steps = option_flag("steps");
    if (balance && steps)
        return "--steps shows the count workload; use it without --workload balance";
    if ((balance || steps) && !option_given("threads"))
        option_set_int("threads", 2);
    if (balance && !option_given("iterations"))
        option_set_int("iterations", 100000);
    long long increments = option_int("threads") * option_int("iterations");
    if (increments > INT_MAX / 8) {
        snprintf(problem, sizeof problem,
                 "--threads x --iterations is %lld increments; at most %d, so the int counter cannot overflow",
                 increments, INT_MAX / 8);
        return problem;
    }
    if (steps && increments > STEPS_MAX_INCREMENTS) {
        snprintf(problem, sizeof problem,
                 "--steps prints every step: use at most %d increments (threads x iterations), not %lld",
                 STEPS_MAX_INCREMENTS, increments);
        return problem;
    }
    return NULL;
}

const char *times(long count)
{
    static _Thread_local char text[32];
    if (count == 1)
        return "once";
    snprintf(text, sizeof text, "%ld times", count);
    return text;
}
