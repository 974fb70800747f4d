/* Locks that keep a wait-for graph: who holds each lock, and which lock each
 * thread waits for.  The deadlock lesson's watchdog reads it to find a cycle
 * (t1 waits for a lock t2 holds, t2 for one t3 holds, ... back to t1), and
 * can tell one thread of the cycle to give up its wait, which ends it.
 *
 * The locks are real error-checking pthread mutexes: a thread that waits for
 * one really blocks in pthread_mutex_timedlock.  It wakes every few
 * milliseconds only to see whether the watchdog (or Ctrl-C) told it to give
 * up; without that word it goes straight back to waiting. */
#ifndef CONCDEMO_WAIT_FOR_H
#define CONCDEMO_WAIT_FOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define NOBODY (-1)

struct wait_for_graph {
    int threads, locks;
    const char *const *thread_names;
    const char *const *lock_names;
    pthread_mutex_t *mutexes;   /* the locks themselves: PTHREAD_MUTEX_ERRORCHECK */
    pthread_mutex_t guard;      /* guards the graph: holder[] and waits_for[] */
    int *holder;                /* per lock: the thread that holds it, or NOBODY */
    int *waits_for;             /* per thread: the lock it waits for, or NOBODY */
    atomic_bool *give_up;       /* per thread: the watchdog's word to stop waiting */
    atomic_int finished;        /* threads that have returned */
};

/* Returns false, having said so on stderr, if memory is short. */
bool graph_init(struct wait_for_graph *graph, int threads, const char *const *thread_names, int locks,
                const char *const *lock_names);
void graph_free(struct wait_for_graph *graph);

/* Thread `me` takes lock `lock`, waiting as long as it takes.  Returns 0;
 * EDEADLK if the watchdog told it to give up; ECANCELED if the lesson was
 * stopped. */
int graph_lock(struct wait_for_graph *graph, int me, int lock);

/* Takes it only if it is free at once (pthread_mutex_trylock). */
bool graph_trylock(struct wait_for_graph *graph, int me, int lock);

void graph_unlock(struct wait_for_graph *graph, int me, int lock);

/* Looks for a cycle in the wait-for graph, as it is at one instant.  Returns
 * its length (0 if there is none) and puts its threads, in order, in
 * cycle[], which has room for graph->threads.  Every edge it follows is true
 * at that instant: a holder is recorded after its pthread_mutex_lock returns
 * and cleared before its unlock, so a thread shown waiting for a lock whose
 * recorded holder is another thread cannot have it.  A cycle found is a
 * deadlock: nobody in it can move until somebody outside it acts. */
int graph_find_cycle(struct wait_for_graph *graph, int *cycle);

/* A start gun that waits for `count` threads, as pthread_barrier_wait does,
 * but which Ctrl-C, or main (when the system refused one of the threads),
 * can open: then gate_wait returns false. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t all_here;
    int count, arrived;
    bool cancelled;
};
void gate_init(struct gate *gate, int count);
bool gate_wait(struct gate *gate);
void gate_cancel(struct gate *gate);
void gate_destroy(struct gate *gate);
#endif
