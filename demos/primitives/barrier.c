/* threading.Barrier: see barrier.h. */
#include "barrier.h"

#include "lesson.h"

#include <errno.h>

void barrier_init(struct barrier *b, int parties, void (*action)(void *), void *action_arg)
{
    *b = (struct barrier){ .parties = parties, .action = action, .action_arg = action_arg };
    pthread_mutex_init(&b->lock, NULL);
    monotonic_cond_init(&b->changed); /* so that wait(timeout) counts lesson time */
}

/* Called with the lock held: break the barrier and wake everyone. */
static void break_it(struct barrier *b)
{
    b->broken = true;
    pthread_cond_broadcast(&b->changed);
}

int barrier_wait(struct barrier *b, double timeout_seconds)
{
    struct timespec deadline = { 0, 0 };
    if (timeout_seconds >= 0)
        deadline = lesson_timeout(timeout_seconds, CLOCK_MONOTONIC);
    pthread_mutex_lock(&b->lock);
    if (b->broken) { /* a broken barrier lets nobody wait: BrokenBarrierError at once */
        pthread_mutex_unlock(&b->lock);
        return BARRIER_BROKEN;
    }
    int index = b->count++;
    if (b->count == b->parties) {
        /* The last to arrive: run the action, then start the next round and
         * release this one.  Python runs its action here too, with the lock
         * held, before any waiter goes on. */
        if (b->action)
            b->action(b->action_arg);
        b->count = 0;
        b->generation++;
        pthread_cond_broadcast(&b->changed);
        pthread_mutex_unlock(&b->lock);
        return index;
    }
    /* Wait for this round to end.  The generation, not the count, says so: a
     * fast thread may be back for the next round before a slow one wakes. */
    unsigned long my_generation = b->generation;
    while (b->generation == my_generation && !b->broken) {
        int rc = timeout_seconds >= 0 ? pthread_cond_timedwait(&b->changed, &b->lock, &deadline)
                                      : pthread_cond_wait(&b->changed, &b->lock);
        if (rc == ETIMEDOUT && b->generation == my_generation && !b->broken) {
            b->broke_by_timeout++; /* Python: a timed-out wait breaks the barrier for all */
            break_it(b);
        }
    }
    if (b->generation != my_generation) { /* released: the round ended */
        pthread_mutex_unlock(&b->lock);
        return index;
    }
    /* Broken: leave the round; the last to leave lets reset() finish. */
    if (--b->count == 0)
        pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    return BARRIER_BROKEN;
}

void barrier_abort(struct barrier *b)
{
    pthread_mutex_lock(&b->lock);
    break_it(b);
    pthread_mutex_unlock(&b->lock);
}

void barrier_reset(struct barrier *b)
{
    pthread_mutex_lock(&b->lock);
    if (b->count > 0) { /* threads still waiting get BARRIER_BROKEN, as in Python */
        break_it(b);
        while (b->count > 0)
            pthread_cond_wait(&b->changed, &b->lock);
    }
    b->broken = false;
    b->generation++;
    pthread_mutex_unlock(&b->lock);
}

bool barrier_broken(struct barrier *b)
{
    pthread_mutex_lock(&b->lock);
    bool broken = b->broken;
    pthread_mutex_unlock(&b->lock);
    return broken;
}

int barrier_n_waiting(struct barrier *b)
{
    pthread_mutex_lock(&b->lock);
    int n = b->broken ? 0 : b->count;
    pthread_mutex_unlock(&b->lock);
    return n;
}

void barrier_destroy(struct barrier *b)
{
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->changed);
}
