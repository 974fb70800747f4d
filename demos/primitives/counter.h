/* What race and mutex share: a crowd of threads that each add to one shared
 * counter, the window in which they can lose the CPU, and the evidence each
 * thread keeps.
 *
 * Every thread writes down, in its own slot, the value it read before each
 * increment.  It then wrote that value plus one.  So if two threads read the
 * same value, both wrote the same result -- and one of the two increments is
 * gone.  After the join, find_double_write() looks for such a pair: a lost
 * update caught in the act, not guessed from the final count. */
#ifndef CONCDEMO_COUNTER_H
#define CONCDEMO_COUNTER_H

#include "lesson.h"

#include <stdalign.h>
#include <stdbool.h>

/* What a thread's yields have cost: see lose_the_cpu_here() in counter.c. */
struct yield_budget {
    double began;      /* real seconds: when the first window came */
    double spent;      /* real seconds given away by its yields */
    long taken;        /* yields made */
    long skipped;      /* windows the coin chose, left unwidened: the yields had had their share */
};

struct counter_thread {
    alignas(64) char name[24]; /* "t-811", as the article names them; a cache line each */
    struct yield_budget yields; /* its own: no race */
    int amount;                /* the balance workload: what it deposits, then withdraws */
    int *seen;                 /* its own slots: the value it read, per increment kept */
    long kept;                 /* how many increments it keeps evidence of */
    unsigned long long dice;   /* its own random numbers, from --seed */
    long bad_reads;            /* balance workload: impossible balances it read */
    int first_bad;             /* the first of them */
    bool alone;                /* its team lets no other thread live beside it: no yield */
};

/* Between its read and its write a thread can lose the CPU (see counter.c). */
void lose_the_cpu_here(struct counter_thread *me);

/* How lose_the_cpu_here() widens the window: a yield on a coin toss; a
 * yield made while holding the lesson's one lock (mutex), whose cost every
 * waiting thread pays; none (--bare); or a pause long enough to read
 * (--steps). */
enum window { WINDOW_YIELD, WINDOW_YIELD_HOLDING_LOCK, WINDOW_BARE, WINDOW_STEPS };

/* With --steps, print one step of this thread's work; otherwise nothing. */
void step(struct counter_thread *me, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record what this thread read before increment i (its own slot: no race). */
static inline void remember_read(struct counter_thread *me, long i, int value)
{
    if (i < me->kept)
        me->seen[i] = value;
}

/* True if some order of whole deposits and withdrawals gives this balance:
 * it must be the sum of the amounts of the threads that have deposited and
 * not yet withdrawn (0, 5, 8 or 13 for two threads). */
bool balance_possible(int balance);

/* The balance workload's evidence: a read of an impossible balance means a
 * change was lost before it.  Kept in the thread's own slot. */
static inline void audit_balance(struct counter_thread *me, int seen)
{
    if (!balance_possible(seen) && me->bad_reads++ == 0)
        me->first_bad = seen;
}

struct crowd {
    struct counter_thread *threads;
    long count, iterations;
    int *slots;
    struct team team;
    bool shared; /* threads and slots in shared memory: a crowd of processes */
    size_t threads_bytes, slots_bytes;
};

/* Start thread i of the crowd with fn, as team_start() does. */
bool crowd_start(struct crowd *crowd, void *(*fn)(void *), long i);

/* Returns false, after one line on stderr, if memory is short. */
bool crowd_init(struct crowd *crowd, long threads, long iterations, enum window window);

/* The same for processes (the manager lesson): each member's slot and
 * evidence in shared memory (mmap MAP_SHARED), so that what a child writes
 * there the parent reads after the join.  Members are named "p-0" .. */
bool crowd_init_shared(struct crowd *crowd, long processes, long iterations, enum window window);

/* After the join: how many yields widened the window, for the result; and a
 * note of the windows left unwidened because the yields had used up their
 * time, if any were. */
long tell_yields(const struct crowd *crowd);
void crowd_free(struct crowd *crowd);

struct double_write {
    long a, b;           /* the two threads */
    long a_step, b_step; /* which of their increments */
    int value_read;      /* both read this, both wrote this plus one */
};

/* Two increments that read the same value, from the middle of the run; false
 * if none was kept. */
bool find_double_write(const struct crowd *crowd, struct double_write *found);

/* "t-811 and t-812" or, when threads increment more than once,
 * "t-9's 181st and t-12's 161st increments". */
void describe_pair(const struct crowd *crowd, const struct double_write *pair, char *buf, size_t size);

/* The balance workload's evidence, summed over the threads: how many reads saw
 * an impossible balance, and the first thread that saw one (-1 if none). */
long count_bad_reads(const struct crowd *crowd, long *first);

/* "a balance of 0, 5, 8 or 13" for two threads; the rule for more. */
const char *possible_balances(const struct crowd *crowd);

/* A lesson's options for the counter workloads, shared by race and mutex. */
#define COUNTER_WORKLOAD_OPTIONS                                                                  \
    OPTION_INT("threads", "20000", 1, 1000000,                                                    \
               "threads, all started before any is joined (2 for balance, --steps)"), \
    OPTION_INT("iterations", "1", 1, 1000000, "increments per thread; 100000 with --workload balance"), \
    OPTION_CHOICE("workload", "count", "count|balance",                                          \
                  "count: num += 1 (seed 000); balance: += n then -= n (seed 001)"),              \
    OPTION_FLAG("steps", "print every step; at most 40 increments (threads x iterations)")

/* check() for those options: defaults that follow --workload and --steps, and
 * the limits that span two options.  NULL if all is well. */
const char *check_counter_options(void);

/* "1 thread", "20000 threads"; "once", "100000 times". */
const char *plural(long count, const char *noun);
const char *times(long count);

/* How many seconds of lesson time a thread pauses between read and write
 * under --steps, so the interleaving can be read line by line. */
#define STEP_PAUSE 0.5

#endif
