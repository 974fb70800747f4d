/* Locks that keep a wait-for graph: see wait_for.h. */
#include "wait_for.h"

#include "clock.h"
#include "events.h"
#include "i18n.h"
#include "refusal.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

bool graph_init(struct wait_for_graph *graph, int threads, const char *const *thread_names, int locks,
                const char *const *lock_names)
{
    *graph = (struct wait_for_graph){
        .threads = threads,
        .locks = locks,
        .thread_names = thread_names,
        .lock_names = lock_names,
        .mutexes = calloc((size_t)locks, sizeof *graph->mutexes),
        .holder = calloc((size_t)locks, sizeof *graph->holder),
        .waits_for = calloc((size_t)threads, sizeof *graph->waits_for),
        .give_up = calloc((size_t)threads, sizeof *graph->give_up),
    };
    if (!graph->mutexes || !graph->holder || !graph->waits_for || !graph->give_up) {
        report_no_memory(N_("ask for fewer"), "%d threads", threads);
        free(graph->mutexes);
        free(graph->holder);
        free(graph->waits_for);
        free(graph->give_up);
        return false;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    for (int l = 0; l < locks; l++) {
        pthread_mutex_init(&graph->mutexes[l], &attr);
        graph->holder[l] = NOBODY;
    }
    pthread_mutexattr_destroy(&attr);
    for (int t = 0; t < threads; t++) {
        graph->waits_for[t] = NOBODY;
        atomic_init(&graph->give_up[t], false);
    }
    pthread_mutex_init(&graph->guard, NULL);
    atomic_init(&graph->finished, 0);
    return true;
}

void graph_free(struct wait_for_graph *graph)
{
    for (int l = 0; l < graph->locks; l++)
        pthread_mutex_destroy(&graph->mutexes[l]);
    pthread_mutex_destroy(&graph->guard);
    free(graph->mutexes);
    free(graph->holder);
    free(graph->waits_for);
    free(graph->give_up);
}

static void record(struct wait_for_graph *graph, int me, int lock, bool got_it)
{
    pthread_mutex_lock(&graph->guard);
    graph->waits_for[me] = NOBODY;
    if (got_it)
        graph->holder[lock] = me;
    pthread_mutex_unlock(&graph->guard);
}

int graph_lock(struct wait_for_graph *graph, int me, int lock)
{
    const char *who = graph->thread_names[me];
    pthread_mutex_lock(&graph->guard);
    graph->waits_for[me] = lock;
    pthread_mutex_unlock(&graph->guard);
    span_begin(who, SPAN_ACQUIRING);
    int answer;
    for (;;) {
        if (atomic_load(&graph->give_up[me])) {
            answer = EDEADLK;
            break;
        }
        if (lesson_stop_requested()) {
            answer = ECANCELED;
            break;
        }
        /* Wait for the lock; every 5 ms look up, to see whether to give up. */
        struct timespec slice;
        clock_gettime(CLOCK_REALTIME, &slice);
        slice.tv_nsec += 5000000;
        if (slice.tv_nsec >= 1000000000) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000;
        }
        answer = pthread_mutex_timedlock(&graph->mutexes[lock], &slice);
        if (answer != ETIMEDOUT)
            break;
    }
    span_end(who, SPAN_ACQUIRING);
    record(graph, me, lock, answer == 0);
    return answer;
}

bool graph_trylock(struct wait_for_graph *graph, int me, int lock)
{
    bool got_it = pthread_mutex_trylock(&graph->mutexes[lock]) == 0;
    if (got_it)
        record(graph, me, lock, true);
    return got_it;
}

void graph_unlock(struct wait_for_graph *graph, int me, int lock)
{
    (void)me;
    pthread_mutex_lock(&graph->guard);
    graph->holder[lock] = NOBODY; /* cleared before the unlock: see graph_find_cycle */
    pthread_mutex_unlock(&graph->guard);
    pthread_mutex_unlock(&graph->mutexes[lock]);
}

int graph_find_cycle(struct wait_for_graph *graph, int *cycle)
{
    int length = 0;
    pthread_mutex_lock(&graph->guard);
    /* From each thread, follow "waits for a lock held by" until the walk
     * ends, or comes back to where it started. */
    for (int start = 0; start < graph->threads && length == 0; start++) {
        int at = start, steps = 0;
        while (steps < graph->threads) {
            cycle[steps++] = at;
            int lock = graph->waits_for[at];
            int next = lock == NOBODY ? NOBODY : graph->holder[lock];
            if (next == NOBODY || next == at)
                break;
            if (next == start) {
                length = steps;
                break;
            }
            at = next;
        }
    }
    pthread_mutex_unlock(&graph->guard);
    return length;
}

void gate_init(struct gate *gate, int count)
{
    pthread_mutex_init(&gate->lock, NULL);
    monotonic_cond_init(&gate->all_here);
    gate->count = count;
    gate->arrived = 0;
    gate->cancelled = false;
}

bool gate_wait(struct gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    if (++gate->arrived >= gate->count)
        pthread_cond_broadcast(&gate->all_here);
    while (gate->arrived < gate->count && !gate->cancelled && !lesson_stop_requested()) {
        /* every 5 ms, look whether the lesson was stopped */
        struct timespec slice;
        clock_gettime(CLOCK_MONOTONIC, &slice);
        slice.tv_nsec += 5000000;
        if (slice.tv_nsec >= 1000000000) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&gate->all_here, &gate->lock, &slice);
    }
    bool open = gate->arrived >= gate->count && !gate->cancelled;
    pthread_mutex_unlock(&gate->lock);
    return open && !lesson_stop_requested();
}

void gate_cancel(struct gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    gate->cancelled = true;
    pthread_cond_broadcast(&gate->all_here);
    pthread_mutex_unlock(&gate->lock);
}

void gate_destroy(struct gate *gate)
{
    pthread_mutex_destroy(&gate->lock);
    pthread_cond_destroy(&gate->all_here);
}
