/* Real-time scheduling, for a lesson that needs threads of fixed priority on
 * one CPU (starvation's priority inversion).
 *
 * A SCHED_FIFO thread runs until it blocks or one of higher priority wants its
 * CPU: a spinning one starves every ordinary thread there.  So the lesson's
 * spinners end by the clock, and realtime_begin() lowers RLIMIT_RTTIME's soft
 * limit as a safety net (past it the kernel sends SIGXCPU, which ends the
 * process).  realtime_end() puts back what realtime_begin() changed.
 *
 * Real-time priorities may be refused (EPERM: no CAP_SYS_NICE, and
 * RLIMIT_RTPRIO below the priority asked).  Then `refused` says what was
 * refused, and realtime_say_how_to_allow() tells the student how to allow it. */
#ifndef CONCDEMO_REALTIME_H
#define CONCDEMO_REALTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/resource.h>

struct realtime {
    int cpu;                   /* the one CPU every real-time thread is pinned to */
    int cpus_allowed;          /* how many CPUs the process may use */
    int main_policy;           /* the main thread's policy and priority, to put back */
    int main_priority;
    struct rlimit rttime;      /* RLIMIT_RTTIME as it was */
    bool began;
    int error;                 /* errno of a refusal, or 0 */
    int refused_priority;      /* the priority refused */
    char refused[160];         /* "SCHED_FIFO priority 4 for the main thread" */
};

/* Pick the CPU (the last one the process may use), set RLIMIT_RTTIME's soft
 * limit to `most_seconds` of real-time CPU without blocking, and make the
 * calling (main) thread SCHED_FIFO at `main_priority`, above the lesson's
 * threads, so that it can always run and stop them.  Returns false if the
 * system refused: rt->error and rt->refused say what. */
bool realtime_begin(struct realtime *rt, int main_priority, double most_seconds);

/* Start fn(arg) as SCHED_FIFO at `priority`, pinned to rt->cpu.  Returns 0,
 * or the errno pthread_create gave (rt->refused then says what). */
int realtime_start(struct realtime *rt, pthread_t *thread, void *(*fn)(void *), void *arg, int priority);

/* Put back the main thread's policy and RLIMIT_RTTIME. */
void realtime_end(struct realtime *rt);

/* Notes in the transcript: what was refused, and how to allow it. */
void realtime_say_how_to_allow(const struct realtime *rt);

/* "EPERM", "EINVAL": the errno's name, for a result line. */
const char *realtime_error_name(int error);

/* True when running under valgrind.  valgrind runs one thread at a time, and
 * a thread waiting for its turn may spin: a SCHED_FIFO one that spins while
 * the thread whose turn it is cannot get their CPU never ends (measured:
 * helgrind, main at priority 40, 10 minutes, killed).  A lesson skips its
 * real-time part there. */
bool realtime_under_valgrind(void);

/* Busy on the CPU until this thread has used `seconds` of CPU time (time
 * spent off the CPU does not count), or `most_real` real seconds have gone by,
 * or the lesson is stopped.  Returns the CPU seconds used. */
double realtime_work_cpu(double seconds, double most_real);

/* Busy until `seconds` of real time have gone by, or the lesson is stopped. */
void realtime_spin(double seconds);

#endif
