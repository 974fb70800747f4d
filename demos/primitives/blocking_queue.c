#include "blocking_queue.h"

#include "clock.h"
#include "events.h"
#include "shared.h"
#include "transcript.h"

#include <errno.h>
#include <stdlib.h>

/* Every queue alive, so that Ctrl-C can shut them all down: a stop hook
 * (clock.h) wakes every put, get and join that waits, in every process. */
enum { MAX_QUEUES = 8 };
static pthread_mutex_t queues_lock = PTHREAD_MUTEX_INITIALIZER;
static struct queue *queues[MAX_QUEUES];

static void shut_down_every_queue(void)
{
    pthread_mutex_lock(&queues_lock);
    for (int k = 0; k < MAX_QUEUES; k++)
        if (queues[k])
            queue_shutdown(queues[k]);
    pthread_mutex_unlock(&queues_lock);
}

static bool remember(struct queue *q)
{
    pthread_mutex_lock(&queues_lock);
    int k = 0;
    while (k < MAX_QUEUES && queues[k])
        k++;
    bool first = true;
    for (int j = 0; j < MAX_QUEUES; j++)
        first = first && !queues[j];
    if (k < MAX_QUEUES)
        queues[k] = q;
    pthread_mutex_unlock(&queues_lock);
    if (k < MAX_QUEUES && first)
        clock_on_stop(shut_down_every_queue); /* outside queues_lock: it may run at once */
    return k < MAX_QUEUES;
}

static void forget(struct queue *q)
{
    pthread_mutex_lock(&queues_lock);
    bool none_left = true;
    for (int k = 0; k < MAX_QUEUES; k++) {
        if (queues[k] == q)
            queues[k] = NULL;
        none_left = none_left && !queues[k];
    }
    pthread_mutex_unlock(&queues_lock);
    if (none_left)
        clock_forget_stop(shut_down_every_queue);
}

struct queue *queue_new(int capacity, bool across_processes)
{
    size_t size = sizeof(struct queue) + (size_t)capacity * sizeof(struct message);
    struct queue *q;
    q = across_processes ? shared_memory(size) /* what a fork() shares instead of copying */
                         : malloc(size);
    if (!q)
        return NULL;
    q->capacity = capacity;
    q->head = q->count = 0;
    q->unfinished = 0;
    q->shut_down = false;
    q->across_processes = across_processes;

    int shared = across_processes ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
    pthread_mutexattr_t lock_attr;
    pthread_mutexattr_init(&lock_attr);
    pthread_mutexattr_setpshared(&lock_attr, shared);
    if (across_processes) /* a process may die holding it: the next locker is told */
        pthread_mutexattr_setrobust(&lock_attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&q->lock, &lock_attr);
    pthread_mutexattr_destroy(&lock_attr);
    pthread_condattr_t cond_attr;
    pthread_condattr_init(&cond_attr);
    pthread_condattr_setpshared(&cond_attr, shared);
    pthread_condattr_setclock(&cond_attr, CLOCK_MONOTONIC); /* timeouts in lesson time */
    pthread_cond_init(&q->not_empty, &cond_attr);
    pthread_cond_init(&q->not_full, &cond_attr);
    pthread_cond_init(&q->all_done, &cond_attr);
    pthread_condattr_destroy(&cond_attr);
    if (!remember(q)) {
        queue_free(q);
        return NULL;
    }
    return q;
}

void queue_free(struct queue *q)
{
    if (!q)
        return;
    forget(q); /* first: the stop hook must not reach it any more */
    if (q->across_processes) {
        /* No destroy: a process killed while it waited (Ctrl-C) never says
         * it woke, and pthread_cond_destroy would wait for it for ever.
         * Every process that used the queue is gone; the memory goes too. */
        shared_memory_free(q, sizeof(struct queue) + (size_t)q->capacity * sizeof(struct message));
        return;
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->all_done);
    free(q);
}

/* A process that died holding the lock (killed at Ctrl-C) left the queue
 * half-changed: the next locker gets EOWNERDEAD, and shuts the queue down. */
static void owner_died(struct queue *q, int error)
{
    if (error == EOWNERDEAD) {
        pthread_mutex_consistent(&q->lock);
        q->shut_down = true;
    }
}

static void lock(struct queue *q)
{
    owner_died(q, pthread_mutex_lock(&q->lock));
}

static _Thread_local bool last_call_waited;

bool queue_waited(void)
{
    return last_call_waited;
}

/* Wait on `cond` until `ready` is true, the timeout passes, or shutdown.
 * The caller holds q->lock.  Returns false if it gave up. */
static bool wait_until(struct queue *q, pthread_cond_t *cond, bool (*ready)(struct queue *), double timeout)
{
    last_call_waited = false;
    if (timeout == NO_WAIT)
        return ready(q);
    struct timespec deadline = lesson_timeout(timeout > 0 ? timeout : 0, CLOCK_MONOTONIC);
    bool gave_up = false;
    const char *actor = transcript_actor(); /* for --timeline and --trace: a thread that has spoken */
    if (actor && !ready(q) && !q->shut_down)
        span_begin(actor, SPAN_WAITING);
    while (!ready(q) && !q->shut_down && !gave_up) {
        last_call_waited = true;
        int error = timeout < 0 ? pthread_cond_wait(cond, &q->lock)
                                : pthread_cond_timedwait(cond, &q->lock, &deadline);
        owner_died(q, error);
        gave_up = error == ETIMEDOUT;
    }
    if (actor && last_call_waited)
        span_end(actor, SPAN_WAITING);
    if (gave_up)
        return ready(q); /* timed out: only whether it became ready in the end counts */
    return ready(q) && !q->shut_down;
}

static bool has_room(struct queue *q) { return q->count < q->capacity; }
static bool has_item(struct queue *q) { return q->count > 0; }

enum queue_answer queue_put(struct queue *q, const struct message *item, double timeout)
{
    last_call_waited = false;
    lock(q);
    enum queue_answer answer = QUEUE_FULL;
    if (q->shut_down)
        answer = QUEUE_SHUT_DOWN;
    else if (wait_until(q, &q->not_full, has_room, timeout)) {
        q->items[(q->head + q->count) % q->capacity] = *item; /* copied in whole */
        q->count++;
        q->unfinished++;
        value_changed("qsize", q->count);
        pthread_cond_signal(&q->not_empty); /* one getter may go on */
        answer = QUEUE_OK;
    } else if (q->shut_down)
        answer = QUEUE_SHUT_DOWN;
    pthread_mutex_unlock(&q->lock);
    return answer;
}

enum queue_answer queue_get(struct queue *q, struct message *item, double timeout)
{
    last_call_waited = false;
    lock(q);
    enum queue_answer answer = QUEUE_EMPTY;
    if (q->shut_down)
        answer = QUEUE_SHUT_DOWN;
    else if (wait_until(q, &q->not_empty, has_item, timeout)) {
        *item = q->items[q->head]; /* copied out whole */
        q->head = (q->head + 1) % q->capacity;
        q->count--;
        value_changed("qsize", q->count);
        pthread_cond_signal(&q->not_full); /* one putter may go on */
        answer = QUEUE_OK;
    } else if (q->shut_down)
        answer = QUEUE_SHUT_DOWN;
    pthread_mutex_unlock(&q->lock);
    return answer;
}

int queue_qsize(struct queue *q)
{
    lock(q);
    int count = q->count;
    pthread_mutex_unlock(&q->lock);
    return count;
}

void queue_task_done(struct queue *q)
{
    lock(q);
    if (q->unfinished > 0 && --q->unfinished == 0)
        pthread_cond_broadcast(&q->all_done); /* every join() may return */
    pthread_mutex_unlock(&q->lock);
}

void queue_join(struct queue *q)
{
    lock(q);
    while (q->unfinished > 0 && !q->shut_down)
        owner_died(q, pthread_cond_wait(&q->all_done, &q->lock));
    pthread_mutex_unlock(&q->lock);
}

void queue_shutdown(struct queue *q)
{
    lock(q);
    q->shut_down = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->all_done);
    pthread_mutex_unlock(&q->lock);
}

const char *queue_answer_name(enum queue_answer answer)
{
    static const char *const names[] = { "OK", "Full", "Empty", "ShutDown" };
    return names[answer];
}
