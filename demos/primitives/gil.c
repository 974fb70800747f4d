/* A global interpreter lock, after CPython's (gil.h says how). */
#include "gil.h"

#include "clock.h"
#include "events.h"

#include <errno.h>
#include <time.h>

void gil_init(struct gil *gil, enum gil_kind kind, long check_interval, double switch_interval)
{
    *gil = (struct gil){ .kind = kind, .check_interval = check_interval, .switch_interval = switch_interval };
    pthread_mutex_init(&gil->mutex, NULL);
    monotonic_cond_init(&gil->released);
    monotonic_cond_init(&gil->switched);
    atomic_init(&gil->drop_request, false);
    atomic_init(&gil->running, 0);
    atomic_init(&gil->peak_running, 0);
}

void gil_destroy(struct gil *gil)
{
    pthread_cond_destroy(&gil->switched);
    pthread_cond_destroy(&gil->released);
    pthread_mutex_destroy(&gil->mutex);
}

/* Another thread runs ticks now: the evidence that the GIL excludes. */
static void count_in(struct gil *gil)
{
    int now = atomic_fetch_add(&gil->running, 1) + 1;
    int peak = atomic_load(&gil->peak_running);
    while (now > peak && !atomic_compare_exchange_weak(&gil->peak_running, &peak, now))
        ;
}

/* The switch interval from now, on the clock the conditions wait on. */
static struct timespec interval_from_now(double seconds)
{
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    long long ns = at.tv_nsec + (long long)(seconds * 1e9);
    at.tv_sec += (time_t)(ns / 1000000000);
    at.tv_nsec = (long)(ns % 1000000000);
    return at;
}

bool gil_take(struct gil *gil, const char *me)
{
    if (gil->kind == GIL_NONE) { /* plain C threads: nothing to take */
        span_begin(me, SPAN_RUNNING);
        count_in(gil);
        return true;
    }
    pthread_mutex_lock(&gil->mutex);
    bool waited = gil->locked && !gil->stopping;
    if (waited)
        span_begin(me, SPAN_ACQUIRING); /* --timeline: waiting for the GIL */
    while (gil->locked && !gil->stopping) {
        if (gil->kind == GIL_PY2) {
            pthread_cond_wait(&gil->released, &gil->mutex);
            if (gil->locked)
                gil->wasted++; /* woken, and the holder had taken it back already */
            continue;
        }
        unsigned long seen = gil->switch_number;
        struct timespec at = interval_from_now(gil->switch_interval);
        int rc = pthread_cond_timedwait(&gil->released, &gil->mutex, &at);
        if (rc == ETIMEDOUT) {
            if (gil->locked && gil->switch_number == seen) { /* 5 ms and nobody let go: ask */
                atomic_store_explicit(&gil->drop_request, true, memory_order_relaxed);
                gil->drop_requests++;
            }
        } else if (gil->locked) {
            gil->wasted++; /* woken, and another thread took it first */
        }
    }
    if (waited)
        span_end(me, SPAN_ACQUIRING);
    if (gil->stopping) {
        pthread_mutex_unlock(&gil->mutex);
        return false;
    }
    gil->locked = true;
    gil->switch_number++;
    if (gil->holder != me) {
        if (gil->last_drop_switch && gil->holder)
            gil->handoffs++; /* it went to another thread at a switch point */
        if (gil->span_open)
            span_end(gil->holder, SPAN_HOLDING);
        span_begin(me, SPAN_HOLDING);
        gil->span_open = true;
    }
    gil->holder = me;
    if (gil->kind == GIL_PY3) {
        atomic_store_explicit(&gil->drop_request, false, memory_order_relaxed); /* we are the switch */
        pthread_cond_broadcast(&gil->switched);
    }
    pthread_mutex_unlock(&gil->mutex);
    count_in(gil);
    return true;
}

void gil_drop(struct gil *gil, const char *me, enum gil_drop_why why)
{
    atomic_fetch_sub(&gil->running, 1);
    if (gil->kind == GIL_NONE) {
        span_end(me, SPAN_RUNNING);
        return;
    }
    pthread_mutex_lock(&gil->mutex);
    gil->locked = false;
    gil->last_drop_switch = why == GIL_SWITCH;
    if (why == GIL_SWITCH)
        gil->switch_points++;
    if (why == GIL_FOR_IO && gil->span_open) {
        span_end(me, SPAN_HOLDING);
        gil->span_open = false;
    }
    pthread_cond_signal(&gil->released);
    if (gil->kind == GIL_PY3 && why == GIL_SWITCH) {
        /* FORCE_SWITCHING: wait until the thread that asked has taken it,
         * or the holder would simply take it back, as Python 2's did. */
        while (gil->holder == me && !gil->stopping)
            pthread_cond_wait(&gil->switched, &gil->mutex);
    }
    pthread_mutex_unlock(&gil->mutex);
}

bool gil_switch(struct gil *gil, const char *me)
{
    gil_drop(gil, me, GIL_SWITCH);
    return gil_take(gil, me);
}

void gil_stop(struct gil *gil)
{
    pthread_mutex_lock(&gil->mutex);
    gil->stopping = true;
    pthread_cond_broadcast(&gil->released);
    pthread_cond_broadcast(&gil->switched);
    pthread_mutex_unlock(&gil->mutex);
}
