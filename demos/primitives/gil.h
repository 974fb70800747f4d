/* A global interpreter lock, built as CPython builds it: one lock that a
 * thread must hold to run "bytecodes", dropped around I/O and at a switch
 * point.  Two switch rules, as the articles describe them:
 *
 *   GIL_PY2  seed 000 §2.3 and seed 002's FAQ: every `check_interval` ticks
 *            (100, sys.setcheckinterval) the holder releases the lock and at
 *            once contends for it again, as Python 2's ceval loop did with a
 *            plain lock.
 *   GIL_PY3  seed 000 §2.3 (a timer, not a count), and CPython 3's
 *            Python/ceval_gil.h: a waiter waits up
 *            to `switch_interval` (5 ms, sys.getswitchinterval()) on a condition;
 *            if no switch happened meanwhile it sets a drop request, which the
 *            holder checks at every tick: it drops the GIL and, "forced
 *            switching", waits until another thread has taken it.
 *   GIL_NONE plain C threads: no lock at all.
 *
 * The GIL keeps its own evidence: hand-offs (the GIL went to another thread
 * at a switch point), switch points (releases at one: the hand-offs plus the
 * times the holder took it straight back), wasted wake-ups (a waiter woken
 * found it taken again), drop requests, and the most threads that were ever
 * between gil_take() and gil_drop() at once. */
#ifndef CONCDEMO_GIL_H
#define CONCDEMO_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

enum gil_kind { GIL_NONE, GIL_PY2, GIL_PY3 };

/* Why a holder lets go: at a switch point, or for good (I/O, the thread ends). */
enum gil_drop_why { GIL_SWITCH, GIL_FOR_IO };

struct gil {
    enum gil_kind kind;
    long check_interval;     /* py2: ticks between releases */
    double switch_interval;  /* py3: real seconds a waiter waits before it asks */
    pthread_mutex_t mutex;
    pthread_cond_t released; /* the GIL was let go */
    pthread_cond_t switched; /* py3: another thread took it (FORCE_SWITCHING) */
    bool locked;
    const char *holder;      /* the thread holding it, or the last one that did */
    bool span_open;          /* holder's "holding" span is open in --timeline */
    bool last_drop_switch;   /* the last release was at a switch point */
    unsigned long switch_number; /* counts every take: a waiter that sees it change knows a switch happened */
    atomic_bool drop_request; /* py3: CPython's gil_drop_request, read at every tick */
    bool stopping;           /* Ctrl-C: nobody waits any longer */
    /* evidence, under mutex */
    long handoffs, switch_points, wasted, drop_requests;
    atomic_int running;      /* threads between gil_take() and gil_drop() */
    atomic_int peak_running; /* the most there ever were */
};

void gil_init(struct gil *gil, enum gil_kind kind, long check_interval, double switch_interval);
void gil_destroy(struct gil *gil);

/* Take the GIL as thread `me` (its name; the pointer identifies it).
 * Returns false, without it, once gil_stop() was called. */
bool gil_take(struct gil *gil, const char *me);

/* Let it go: for I/O or at the thread's end (GIL_FOR_IO), or at a switch
 * point (GIL_SWITCH: gil_tick does that). */
void gil_drop(struct gil *gil, const char *me, enum gil_drop_why why);

/* The switch point: drop and re-take.  Returns false once stopped. */
bool gil_switch(struct gil *gil, const char *me);

/* Called by the holder before each tick, as ceval checks its eval breaker:
 * py2 counts ticks in *ticks, py3 reads the drop request.  Cheap unless it
 * is time to switch.  Returns false once stopped (the GIL is not held then). */
static inline bool gil_tick(struct gil *gil, const char *me, long *ticks)
{
    switch (gil->kind) {
    case GIL_PY2:
        if (++*ticks < gil->check_interval)
            return true;
        *ticks = 0;
        return gil_switch(gil, me);
    case GIL_PY3:
        if (!atomic_load_explicit(&gil->drop_request, memory_order_relaxed))
            return true;
        return gil_switch(gil, me);
    default:
        return true;
    }
}

/* Wake every waiter; no wait starts again, and gil_take() fails from now on (Ctrl-C). */
void gil_stop(struct gil *gil);

#endif
