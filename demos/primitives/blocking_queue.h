/* blocking_queue: Python's queue.Queue(maxsize), and multiprocessing's
 * JoinableQueue, built from one mutex and three condition variables.
 *
 *     put(item)          waits while the queue is full      (not_full)
 *     get()              waits while it is empty            (not_empty)
 *     task_done()/join() join waits until every item put was done (all_done)
 *
 * The same code serves threads and processes: made with across_processes,
 * the queue lives in memory that forked children share, and its mutex and
 * conditions are marked PTHREAD_PROCESS_SHARED.  Items are copied in and
 * out whole, so a message never arrives in pieces. */
#ifndef CONCDEMO_BLOCKING_QUEUE_H
#define CONCDEMO_BLOCKING_QUEUE_H

#include "message.h"

#include <pthread.h>
#include <stdbool.h>

struct queue {
    pthread_mutex_t lock;     /* guards everything below */
    pthread_cond_t not_empty; /* get() sleeps here while count == 0 */
    pthread_cond_t not_full;  /* put() sleeps here while count == capacity */
    pthread_cond_t all_done;  /* join() sleeps here while unfinished > 0 */
    int capacity;             /* maxsize */
    int head, count;          /* the items are a ring: items[head], ... */
    long unfinished;          /* put, and not yet task_done() */
    bool shut_down;           /* queue_shutdown(): every wait ends */
    bool across_processes;
    struct message items[];   /* capacity of them */
};

/* How long put() and get() wait: for ever, not at all (put_nowait,
 * get_nowait), or a number of lesson seconds. */
#define WAIT_FOREVER (-1.0)
#define NO_WAIT 0.0

enum queue_answer {
    QUEUE_OK,
    QUEUE_FULL,      /* queue.Full: no room in time */
    QUEUE_EMPTY,     /* queue.Empty: nothing in time */
    QUEUE_SHUT_DOWN, /* queue.ShutDown (Python 3.13): the lesson is stopping */
};

/* NULL if memory is short.  On Ctrl-C every queue alive is shut down. */
struct queue *queue_new(int capacity, bool across_processes);
void queue_free(struct queue *q);

enum queue_answer queue_put(struct queue *q, const struct message *item, double timeout);
enum queue_answer queue_get(struct queue *q, struct message *item, double timeout);

/* True if this thread's last put() or get() had to wait for room or for an
 * item: measured, not guessed from the time it took. */
bool queue_waited(void);

/* qsize(): true when it is read, and maybe not a moment later. */
int queue_qsize(struct queue *q);

void queue_task_done(struct queue *q);
void queue_join(struct queue *q);

/* Python 3.13's shutdown(immediate=True): every waiting put, get and join
 * returns, and from now on they all do at once. */
void queue_shutdown(struct queue *q);

const char *queue_answer_name(enum queue_answer answer); /* "Full", "Empty", ... */

#endif
