/* The lesson clock: lesson seconds since the lesson began, scaled by --speed.
 *
 * A lesson that sleeps 1 lesson-second sleeps 1/speed real seconds, and the
 * transcript keeps printing lesson seconds, so a run at --speed 50 reads like
 * one at the article's pace.  Every sleep wakes early when the lesson is asked
 * to stop (Ctrl-C, a closed pipe), so no lesson outlives its interruption. */
#ifndef CONCDEMO_CLOCK_H
#define CONCDEMO_CLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

/* Start the clock at lesson time 0 with the given speed (> 0). */
void clock_start(double speed);

/* Lesson seconds elapsed since clock_start(). */
double lesson_now(void);

/* Real (unscaled) seconds since clock_start(), for measured timings. */
double real_now(void);

/* Sleep for `seconds` of lesson time.  Returns false if woken by a stop. */
bool lesson_sleep(double seconds);

/* Sleep until lesson time `deadline`, so periodic ticks do not drift.
 * Returns false if woken by a stop. */
bool lesson_sleep_until(double deadline);

/* The absolute time, on `clock`, that lies `seconds` of lesson time from now:
 * the deadline for a POSIX timed wait (pthread_cond_timedwait on a condition
 * set to CLOCK_MONOTONIC, pthread_mutex_timedlock on CLOCK_REALTIME). */
struct timespec lesson_timeout(double seconds, clockid_t clock);

/* pthread_mutex_timedlock for `seconds` of lesson time, waited in slices of
 * at most 50 ms, so that a stop (Ctrl-C) ends the wait too: a mutex wait
 * cannot be woken any other way.  Returns 0 with the lock held, ETIMEDOUT,
 * ECANCELED when a stop ended the wait, or the error timedlock gave. */
int lesson_mutex_timedlock(pthread_mutex_t *mutex, double seconds);

/* A condition variable whose timed waits count on CLOCK_MONOTONIC, the
 * clock lesson_timeout(..., CLOCK_MONOTONIC) gives deadlines on. */
void monotonic_cond_init(pthread_cond_t *cond);

/* Ask every sleeper to wake and the lesson to wind down. */
void clock_request_stop(int why);

/* Register a function that wakes what a lesson's own waits block on (its
 * queue's condition variables, its child processes) once a stop is
 * requested; lesson_sleep() needs none.  It runs once, on the engine's
 * watcher thread, which holds no lesson lock; if the stop came first, it
 * runs at once.  Forget it before what it wakes is destroyed. */
void clock_on_stop(void (*wake)(void));
void clock_forget_stop(void (*wake)(void));

/* For the engine: run the registered functions, once; and a function that
 * clock_request_stop() calls to get them run (it must be async-safe). */
void clock_run_stop_hooks(void);
void clock_set_stop_notifier(void (*notify)(void));

/* Non-zero once a stop was requested: the signal number, or -1 for a closed
 * output pipe. */
int lesson_stop_requested(void);

#endif
