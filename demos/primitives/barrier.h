/* threading.Barrier, built from a mutex and a condition variable, in the
 * shape of CPython's (Lib/threading.py): `parties` threads call wait(); the
 * last to arrive runs the action, then wakes them all, and the barrier is
 * ready for the next round (a new generation) at once.
 *
 * A barrier breaks when a waiter's timeout runs out or abort() is called:
 * every thread waiting then, and every later wait(), returns BARRIER_BROKEN
 * (Python raises BrokenBarrierError in each of them) until reset().
 *
 * pthread_barrier_t has no timeout, no action and no broken state; the
 * barrier lesson sets the two side by side. */
#ifndef CONCDEMO_BARRIER_H
#define CONCDEMO_BARRIER_H

#include <pthread.h>
#include <stdbool.h>

#define BARRIER_BROKEN (-1)

struct barrier {
    int parties;               /* Barrier(parties, action) */
    void (*action)(void *);    /* run by the last to arrive, before anyone goes on; may be NULL */
    void *action_arg;
    pthread_mutex_t lock;      /* guards everything below */
    pthread_cond_t changed;    /* broadcast when a round ends, or the barrier breaks or resets */
    int count;                 /* threads waiting in this round */
    unsigned long generation;  /* rounds completed (and resets): a waiter goes on when it changes */
    bool broken;
    int broke_by_timeout;      /* waits whose timeout broke it, for the transcript */
};

void barrier_init(struct barrier *b, int parties, void (*action)(void *), void *action_arg);

/* barrier.wait(timeout): returns this thread's arrival index in its round
 * (0 for the first, parties-1 for the last, which ran the action), or
 * BARRIER_BROKEN.  timeout_seconds < 0: no timeout; else lesson seconds. */
int barrier_wait(struct barrier *b, double timeout_seconds);

void barrier_abort(struct barrier *b);  /* barrier.abort(): break it, wake every waiter */
void barrier_reset(struct barrier *b);  /* barrier.reset(): waiters now get BARRIER_BROKEN; then usable */
bool barrier_broken(struct barrier *b); /* barrier.broken */
int barrier_n_waiting(struct barrier *b); /* barrier.n_waiting */
void barrier_destroy(struct barrier *b);

#endif
