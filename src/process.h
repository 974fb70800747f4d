/* Child processes, as the articles' multiprocessing.Process: started with
 * fork(), joined with waitpid().
 *
 * The engine's part is to leave nothing behind.  A child gets the default
 * own signal mask back (the parent blocks signals for its watcher thread),
 * ignores Ctrl-C and SIGTERM, and dies with its parent; the engine keeps a
 * list of the children alive, and on Ctrl-C, SIGTERM or a closed pipe it
 * sends each one SIGKILL, after the lesson's own stop hooks have woken every
 * wait, so that every wait for a child ends. */
#ifndef CONCDEMO_PROCESS_H
#define CONCDEMO_PROCESS_H

#include "shared.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

/* Start fn(arg) in a child process, which exits with fn's return value.
 * Call it from the lesson's main thread while no other lesson thread runs:
 * a fork copies only the calling thread, and a lock another thread held
 * (the transcript's, malloc's) would stay locked in the child for ever.
 * Returns the child's pid, or -1 with errno set (a refused fork, or a stop
 * already requested: ECANCELED). */
pid_t child_start(int (*fn)(void *), void *arg);

/* Wait for the child to end, and reap it.  Returns its exit status, or 128+N
 * if signal N ended it. */
int child_join(pid_t pid);

/* p.is_alive(): true while the child runs.  It is not reaped here. */
bool child_is_alive(pid_t pid);

/* p.join(timeout): wait at most `seconds` of lesson time for the child to
 * end.  Returns its exit status, as child_join() does, having reaped it; or
 * CHILD_RUNNING if it still runs when the time is up, or when a stop ended
 * the wait: it is not reaped then, and may be joined again. */
#define CHILD_RUNNING (-1)
int child_join_timeout(pid_t pid, double seconds);

/* For the engine: SIGKILL every child still alive, and any started later. */
void children_stop_all(void);

/* One line on stderr: the system refused a process (errno `error`) with
 * `alive` of the lesson's children running, and the limit that may be why. */
void report_process_refusal(int error, long alive);

/* For the engine, once the lesson is over: the children that child_start
 * started and that are still in the process table, zombies included; 0
 * after a lesson that reaped every child it started. */
long children_in_process_table(void);

/* How many of the lesson's children are alive now. */
long children_alive(void);

/* How many threads the kernel counts in this process now (the entries of
 * /proc/self/task: main, the lesson's threads, and any a library started,
 * such as glibc's for a timer), or -1 where it cannot tell. */
int threads_in_process(void);

/* pthread_create() for a thread started in a forked child, on a stack of its
 * own: mapped here with a guard page below it.  In a forked child glibc hands
 * a new thread the cached stack of a parent's thread that the fork left
 * behind, and ThreadSanitizer, which keys its threads by their stacks, then
 * takes the new thread for that one and stops ("dup thread with used id").
 * The stack is 1 MiB, as the thread's TLS goes at its top and
 * ThreadSanitizer's is large; only the pages used are backed by memory.
 * Returns 0, or the error pthread_create gave (EAGAIN for a stack refused).
 * *stack gets the mapping, for child_thread_stack_free() once the thread is
 * joined; pass NULL for a thread never joined: its stack ends with the
 * process. */
int child_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg, void **stack);
void child_thread_stack_free(void *stack);

#endif
