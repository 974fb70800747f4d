#include "clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static struct timespec clock_origin;
static double clock_speed = 1.0;
static atomic_int stop_reason;

/* Sleepers wait on this condition variable (on the monotonic clock), so a stop
 * request can wake them all at once with one broadcast. */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond;
static pthread_once_t sleep_once = PTHREAD_ONCE_INIT;

void monotonic_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void sleep_cond_init(void)
{
    monotonic_cond_init(&sleep_cond);
}

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

void clock_start(double speed)
{
    pthread_once(&sleep_once, sleep_cond_init);
    clock_speed = speed;
    clock_gettime(CLOCK_MONOTONIC, &clock_origin);
}

double real_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return seconds_between(&clock_origin, &now);
}

double lesson_now(void)
{
    return real_now() * clock_speed;
}

/* The longest real wait the clock asks of the system: a year.  --speed's
 * range keeps every lesson's waits far shorter; this bound keeps a deadline
 * from overflowing time_t whatever a caller asks, so a wait that long sleeps
 * and never spins on a deadline that wrapped into the past. */
#define LONGEST_REAL_WAIT (365.0 * 24 * 3600)

static struct timespec add_seconds(struct timespec t, double seconds)
{
    if (!(seconds > 0)) /* negative, or NaN: the deadline is now */
        seconds = 0;
    if (seconds > LONGEST_REAL_WAIT)
        seconds = LONGEST_REAL_WAIT;
    double whole = (double)(long long)seconds;
    t.tv_sec += (time_t)whole;
    t.tv_nsec += (long)((seconds - whole) * 1e9);
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec += 1;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

struct timespec lesson_timeout(double seconds, clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return add_seconds(now, seconds / clock_speed);
}

static bool earlier(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

int lesson_mutex_timedlock(pthread_mutex_t *mutex, double seconds)
{
    struct timespec deadline = lesson_timeout(seconds, CLOCK_REALTIME);
    for (;;) {
        if (atomic_load(&stop_reason))
            return ECANCELED;
        struct timespec slice_end;
        clock_gettime(CLOCK_REALTIME, &slice_end);
        slice_end = add_seconds(slice_end, 0.05);
        bool last_slice = !earlier(slice_end, deadline);
        int rc = pthread_mutex_timedlock(mutex, last_slice ? &deadline : &slice_end);
        if (rc != ETIMEDOUT || last_slice)
            return rc;
    }
}

bool lesson_sleep_until(double deadline)
{
    pthread_once(&sleep_once, sleep_cond_init);
    struct timespec wake = add_seconds(clock_origin, deadline / clock_speed);
    pthread_mutex_lock(&sleep_lock);
    int rc = 0;
    while (!atomic_load(&stop_reason) && rc == 0)
        rc = pthread_cond_timedwait(&sleep_cond, &sleep_lock, &wake);
    pthread_mutex_unlock(&sleep_lock);
    return !atomic_load(&stop_reason);
}

bool lesson_sleep(double seconds)
{
    return lesson_sleep_until(lesson_now() + seconds);
}

/* The lessons' stop hooks.  Held while they run, so that a lesson that
 * forgets its hook knows it is not running any more. */
enum { MAX_STOP_HOOKS = 4 };
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*stop_hooks[MAX_STOP_HOOKS])(void);
static bool stop_hooks_ran;
static void (*stop_notifier)(void);

void clock_on_stop(void (*wake)(void))
{
    pthread_mutex_lock(&hooks_lock);
    int k = 0;
    while (k < MAX_STOP_HOOKS && stop_hooks[k])
        k++;
    if (k == MAX_STOP_HOOKS)
        abort(); /* more than a lesson needs: a programming error */
    stop_hooks[k] = wake;
    bool late = stop_hooks_ran;
    pthread_mutex_unlock(&hooks_lock);
    if (late) /* the stop came first: wake at once */
        wake();
}

void clock_forget_stop(void (*wake)(void))
{
    pthread_mutex_lock(&hooks_lock);
    for (int k = 0; k < MAX_STOP_HOOKS; k++)
        if (stop_hooks[k] == wake)
            stop_hooks[k] = NULL;
    pthread_mutex_unlock(&hooks_lock);
}

void clock_run_stop_hooks(void)
{
    pthread_mutex_lock(&hooks_lock);
    if (!stop_hooks_ran) {
        stop_hooks_ran = true;
        for (int k = 0; k < MAX_STOP_HOOKS; k++)
            if (stop_hooks[k])
                stop_hooks[k]();
    }
    pthread_mutex_unlock(&hooks_lock);
}

void clock_set_stop_notifier(void (*notify)(void))
{
    stop_notifier = notify;
}

void clock_request_stop(int why)
{
    pthread_once(&sleep_once, sleep_cond_init);
    int expected = 0;
    if (!atomic_compare_exchange_strong(&stop_reason, &expected, why) && expected < 0 && why > 0)
        atomic_store(&stop_reason, why); /* a signal after a closed pipe: report the signal */
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&sleep_cond);
    pthread_mutex_unlock(&sleep_lock);
    if (stop_notifier)
        stop_notifier();
}

int lesson_stop_requested(void)
{
    return atomic_load(&stop_reason);
}
