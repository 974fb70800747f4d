/* threading.Event, built from the three things every waiting-for-something
 * needs: a flag, a mutex that guards it, and a condition variable to sleep
 * on until the flag changes.  event-traffic-light and timer use it.
 *
 * Its waits are Python's: they end when the flag is set, or when the
 * timeout runs out, and for nothing else.  A lesson that must not wait out
 * a timeout after Ctrl-C sets the event from its stop hook. */
#ifndef CONCDEMO_EVENT_H
#define CONCDEMO_EVENT_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

struct event {
    bool flag;               /* True: waiters go through */
    pthread_mutex_t lock;    /* guards flag */
    pthread_cond_t flag_set; /* broadcast when flag becomes true */
};

void event_init(struct event *e);     /* threading.Event(): the flag starts false */
void event_set(struct event *e);      /* event.set(): wake every waiter */
void event_clear(struct event *e);    /* event.clear(): later waiters will wait */
bool event_is_set(struct event *e);   /* event.is_set(): true now, maybe not a moment later */
void event_wait(struct event *e);     /* event.wait(): block until the flag is set */

/* event.wait(timeout), `seconds` of lesson time: returns the flag, false if
 * it was still clear at the end, as Python's wait() does. */
bool event_wait_timeout(struct event *e, double seconds);

/* The same until an absolute deadline on CLOCK_MONOTONIC (lesson_timeout()). */
bool event_wait_until(struct event *e, const struct timespec *deadline);

void event_destroy(struct event *e);

#endif
