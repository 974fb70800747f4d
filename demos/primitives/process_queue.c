#define _GNU_SOURCE /* F_GETPIPE_SZ */
#include "process_queue.h"

#include "clock.h"
#include "process.h"
#include "refusal.h"
#include "shared.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* What every process that has the queue shares.  Python's locks are
 * semaphores in shared memory; these are process-shared mutexes, robust:
 * a process killed holding one (Ctrl-C) does not leave it locked for ever. */
struct process_queue_shared {
    pthread_mutex_t rlock;  /* _rlock: among the getters */
    pthread_mutex_t wlock;  /* _wlock: among the feeders */
    atomic_long size;       /* Python: maxsize minus the value of _sem, a
                               BoundedSemaphore(maxsize) that put() takes and
                               get() gives back */
};

/* An item in this process's buffer: the bytes put(), copied. */
struct buffered_item {
    struct buffered_item *next;
    size_t size;
    char bytes[];
};

static void start_afresh(struct process_queue *q);
static void adopt(struct process_queue *q);
static void shared_lock_init(pthread_mutex_t *lock);
static bool shared_lock(pthread_mutex_t *lock);
static int start_feeder(struct process_queue *q);

struct process_queue *process_queue_new(void)
{
    struct process_queue *q = calloc(1, sizeof *q);
    struct process_queue_shared *shared = shared_memory(sizeof *shared);
    if (!q || !shared) {
        report_no_memory(NULL, "a queue");
        free(q);
        shared_memory_free(shared, sizeof *shared);
        return NULL;
    }
    if (!Pipe(false, &q->reader, &q->writer)) { /* Pipe(duplex=False) */
        free(q);
        shared_memory_free(shared, sizeof *shared);
        return NULL;
    }
    /* Both ends non-blocking: the waits for room and for bytes are then
     * poll()s that a stop ends (connection.c); the kernel still fills the
     * pipe as a blocking write() would. */
    fcntl(q->writer.fd, F_SETFL, fcntl(q->writer.fd, F_GETFL) | O_NONBLOCK);
    fcntl(q->reader.fd, F_SETFL, fcntl(q->reader.fd, F_GETFL) | O_NONBLOCK);
    shared_lock_init(&shared->rlock);
    shared_lock_init(&shared->wlock);
    atomic_init(&shared->size, 0);
    q->shared = shared;
    start_afresh(q);
    return q;
}

/* Queue._feed: take the buffer's items one by one, and write each whole to
 * the pipe under the writers' lock.  Ends once the queue is closed and the
 * buffer empty. */
static void *feed(void *arg)
{
    struct process_queue *q = arg;
    pthread_mutex_lock(&q->notempty_lock);
    for (;;) {
        while (!q->first && !q->closed)
            pthread_cond_wait(&q->notempty, &q->notempty_lock);
        struct buffered_item *item = q->first;
        if (!item)
            break; /* closed, and nothing left */
        q->first = item->next;
        if (!q->first)
            q->last = NULL;
        pthread_mutex_unlock(&q->notempty_lock);

        bool sent = false;
        if (shared_lock(&q->shared->wlock)) {
            sent = conn_send_bytes(&q->writer, item->bytes, (uint32_t)item->size); /* waits while the pipe is full */
            pthread_mutex_unlock(&q->shared->wlock);
        }
        free(item);
        if (!sent) /* a stop, or no reader left: as Python's, the item is dropped, and counted out */
            atomic_fetch_sub(&q->shared->size, 1);
        pthread_mutex_lock(&q->notempty_lock);
    }
    pthread_mutex_unlock(&q->notempty_lock);
    return NULL;
}

bool process_queue_put(struct process_queue *q, const void *item, size_t size)
{
    adopt(q);
    struct buffered_item *copy = malloc(sizeof *copy + size); /* Python's feeder pickles it; here put() copies */
    if (!copy) {
        errno = ENOMEM;
        return false;
    }
    copy->next = NULL;
    copy->size = size;
    memcpy(copy->bytes, item, size);

    pthread_mutex_lock(&q->notempty_lock);
    if (!q->feeder_started) { /* the process's first put(): self._start_thread() */
        int rc = start_feeder(q);
        if (rc != 0) {
            pthread_mutex_unlock(&q->notempty_lock);
            free(copy);
            errno = rc;
            return false;
        }
    }
    atomic_fetch_add(&q->shared->size, 1); /* _sem.acquire() */
    if (q->last)
        q->last->next = copy;
    else
        q->first = copy;
    q->last = copy;                    /* self._buffer.append(obj) */
    pthread_cond_signal(&q->notempty); /* self._notempty.notify() */
    pthread_mutex_unlock(&q->notempty_lock);
    return true;
}

enum queue_answer process_queue_get(struct process_queue *q, void *item, size_t room, size_t *size,
                                    double timeout)
{
    if (!shared_lock(&q->shared->rlock)) /* with self._rlock: */
        return QUEUE_SHUT_DOWN;
    enum queue_answer answer = QUEUE_OK;
    if (timeout != WAIT_FOREVER && !conn_poll(&q->reader, timeout)) /* self._poll(timeout) */
        answer = lesson_stop_requested() ? QUEUE_SHUT_DOWN : QUEUE_EMPTY;
    if (answer == QUEUE_OK) {
        long got = conn_recv_bytes(&q->reader, item, room > UINT32_MAX ? UINT32_MAX : (uint32_t)room);
        if (got < 0)
            answer = QUEUE_SHUT_DOWN;
        else {
            if (size)
                *size = (size_t)got;
            atomic_fetch_sub(&q->shared->size, 1); /* self._sem.release() */
        }
    }
    pthread_mutex_unlock(&q->shared->rlock);
    return answer;
}

bool process_queue_empty(struct process_queue *q)
{
    return !conn_poll(&q->reader, NO_WAIT); /* return not self._poll() */
}

long process_queue_qsize(struct process_queue *q)
{
    return atomic_load(&q->shared->size);
}

void process_queue_close(struct process_queue *q)
{
    adopt(q);
    pthread_mutex_lock(&q->notempty_lock);
    q->closed = true; /* Python appends a sentinel to the buffer */
    pthread_cond_signal(&q->notempty);
    pthread_mutex_unlock(&q->notempty_lock);
}

void process_queue_join_thread(struct process_queue *q)
{
    adopt(q);
    if (q->feeder_started) {
        pthread_join(q->feeder, NULL);
        child_thread_stack_free(q->feeder_stack);
        q->feeder_stack = NULL;
        q->feeder_started = false;
    }
}

void process_queue_free(struct process_queue *q)
{
    if (!q)
        return;
    process_queue_close(q);
    process_queue_join_thread(q);
    conn_close(&q->reader);
    conn_close(&q->writer);
    /* No mutex_destroy: a process killed at Ctrl-C may have died holding
     * one.  Every process that used them is gone; the memory goes too. */
    shared_memory_free(q->shared, sizeof *q->shared);
    pthread_cond_destroy(&q->notempty);
    pthread_mutex_destroy(&q->notempty_lock);
    free(q);
}

/* -- below, what the lesson needs and Python has no part in --------------- */

long process_queue_bytes_in_pipe(struct process_queue *q)
{
    int bytes = 0;
    return ioctl(q->reader.fd, FIONREAD, &bytes) == 0 ? bytes : -1;
}

long process_queue_pipe_capacity(struct process_queue *q)
{
    return fcntl(q->reader.fd, F_GETPIPE_SZ);
}

bool process_queue_pipe_has_room(struct process_queue *q)
{
    struct pollfd writer = { .fd = q->writer.fd, .events = POLLOUT };
    return poll(&writer, 1, 0) == 1;
}

long process_queue_buffered(struct process_queue *q)
{
    adopt(q);
    long count = 0;
    pthread_mutex_lock(&q->notempty_lock);
    for (struct buffered_item *item = q->first; item; item = item->next)
        count++;
    pthread_mutex_unlock(&q->notempty_lock);
    return count;
}

/* This process's own part, new: its buffer, its condition, no feeder yet. */
static void start_afresh(struct process_queue *q)
{
    q->owner = getpid();
    pthread_mutex_init(&q->notempty_lock, NULL);
    monotonic_cond_init(&q->notempty);
    q->first = q->last = NULL;
    q->feeder_started = false;
    q->feeder_stack = NULL; /* a parent's stays mapped: a copy, and harmless */
    q->closed = false;
}

/* In a forked child, the parent's buffer and feeder are not this process's:
 * the copy is dropped unread, as Python's _after_fork() drops it. */
static void adopt(struct process_queue *q)
{
    if (q->owner != getpid())
        start_afresh(q);
}

static void shared_lock_init(pthread_mutex_t *lock)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

/* Lock a shared lock, waiting in slices so that a stop ends the wait
 * (false then).  A holder that died leaves it consistent again. */
static bool shared_lock(pthread_mutex_t *lock)
{
    int rc;
    while ((rc = lesson_mutex_timedlock(lock, 3600)) == ETIMEDOUT)
        ;
    if (rc == EOWNERDEAD)
        rc = pthread_mutex_consistent(lock);
    return rc == 0;
}

/* Start the feeder thread: 0, or the error (EAGAIN for a stack refused, as
 * pthread_create says it).  Its stack is its own (process.h says why). */
static int start_feeder(struct process_queue *q)
{
    int rc = child_thread_start(&q->feeder, feed, q, &q->feeder_stack);
    if (rc != 0)
        return rc;
    q->feeder_started = true;
    return 0;
}
