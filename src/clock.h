/* The lesson clock: lesson seconds since the lesson began, scaled by --speed.
 *
 * A lesson that sleeps 1 lesson-second sleeps 1/speed real seconds, and the
 * transcript keeps printing lesson seconds, so a run at --speed 50 reads like
 * one at the article's pace.  Every sleep wakes early when the lesson is asked
 * to stop (Ctrl-C, a closed pipe), so no lesson outlives its interruption. */
#ifndef CONCDEMO_CLOCK_H
#define CONCDEMO_CLOCK_H

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

/* Ask every sleeper to wake and the lesson to wind down. */
void clock_request_stop(int why);

/* Non-zero once a stop was requested: the signal number, or -1 for a closed
 * output pipe. */
int lesson_stop_requested(void);

#endif
