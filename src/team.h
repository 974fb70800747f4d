/* A team of threads started one after another and joined at the end, as the
 * articles do: `for i in range(N): t.start()` then `for t in ts: t.join()`.
 *
 * The engine's part is the system's limits.  A machine lets only so many
 * threads be alive at once (kernel.pid_max, vm.max_map_count, ulimit -u).
 * When a team would pass that, it joins its oldest thread before starting the
 * next one -- a rolling window -- and says so in the transcript, instead of
 * failing half-way. */
#ifndef CONCDEMO_TEAM_H
#define CONCDEMO_TEAM_H

#include <pthread.h>
#include <stdbool.h>

struct team {
    pthread_t *threads;
    long capacity;    /* how many threads the team may start in all */
    long started;     /* threads[0..started) were started */
    long joined;      /* threads[0..joined) were joined */
    long max_alive;   /* the most threads alive at once */
    long peak_alive;  /* the most that really were */
    const char *limit_reason; /* which system limit set max_alive */
    long alive_at_refusal;
    int refused;      /* errno of a start the system refused with none alive */
    bool together;    /* its threads wait on one another: no rolling window */
    bool refused_by_estimate; /* refused by max_alive, not by pthread_create */
    pthread_attr_t attr;
};

/* Returns false, having printed one line on stderr, if memory is short. */
bool team_init(struct team *team, long capacity);

/* The same, for threads that wait on one another (a lighter and its cars, a
 * producer and its consumers): joining the oldest early could wait for ever,
 * so past the limit a start is refused instead, and the lesson ends with
 * status 1.  The lesson must then release the threads it did start. */
bool team_init_together(struct team *team, long capacity);

/* At most `most` of its threads alive at once (a lesson's own window, such
 * as one thread per task with as many at a time as a pool has workers):
 * the oldest is joined before another starts, without a word. */
void team_limit_alive(struct team *team, long most);
/* Start fn(arg).  Returns false if the lesson must stop starting threads:
 * a stop was requested, or the system refused a thread with none alive. */
bool team_start(struct team *team, void *(*fn)(void *), void *arg);

/* Join the oldest thread started and not yet joined, as in
 * `for t in threads: t.join(); print(t.getResult())`.  Returns false if
 * every thread started was joined already. */
bool team_join_next(struct team *team);

/* Join every thread started and not yet joined. */
void team_join_all(struct team *team);

/* If the system refused threads, print one line on stderr naming the limit
 * and what to try, and return 1 (the exit status); otherwise return 0. */
int team_report_refusal(struct team *team);

void team_free(struct team *team);

/* One line on stderr: a thread was refused (errno `error`) while `alive`
 * others ran, and the limits in force (ulimit -v, ulimit -u) that may be why. */
void report_thread_refusal(int error, long alive);

/* Attributes for a thread that needs little stack (lesson threads do). */
void small_stack_attr(pthread_attr_t *attr);

#endif
