/* process_queue: multiprocessing.Queue(), built as Python builds it
 * (Lib/multiprocessing/queues.py, Python 3.11):
 *
 *     self._reader, self._writer = Pipe(duplex=False)   the items travel here, as bytes
 *     self._rlock = Lock()       one getter at a time reads a message, in any process
 *     self._wlock = Lock()       one feeder at a time writes a message, in any process
 *     self._sem                  qsize(): items put and not yet got
 *     self._buffer = deque()     this process's items, put and not yet written
 *     self._notempty             put() wakes the feeder with it
 *     self._thread               the feeder thread: started by the first put()
 *                                in a process, it takes items from the buffer
 *                                and writes each one to the pipe
 *
 * So put() returns as soon as the item is in the buffer, and empty(), which
 * looks at the pipe, may say True right after it.  And a process cannot end
 * while its feeder still writes: as a Python process exits, its finalizers
 * close the queue and join the feeder thread, which waits in write() while
 * the pipe is full.
 *
 * Made before fork(), the queue is the child's too: the pipe and the locks
 * are shared, and the buffer and the feeder start afresh in each process, as
 * Python's _after_fork() makes them. */
#ifndef CONCDEMO_PROCESS_QUEUE_H
#define CONCDEMO_PROCESS_QUEUE_H

#include "blocking_queue.h" /* enum queue_answer, WAIT_FOREVER, NO_WAIT: Python's Queue raises queue.Empty too */
#include "connection.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct process_queue {
    struct connection reader, writer; /* _reader, _writer: Pipe(duplex=False) */
    struct process_queue_shared *shared; /* _rlock, _wlock, the count: in shared memory */

    /* This process's own part. */
    pid_t owner;                /* the process it belongs to; another starts afresh */
    pthread_mutex_t notempty_lock;
    pthread_cond_t notempty;    /* _notempty: the buffer has an item, or the queue closed */
    struct buffered_item *first, *last; /* _buffer: put, and not yet taken by the feeder */
    bool feeder_started;
    pthread_t feeder;           /* _thread */
    void *feeder_stack;
    bool closed;                /* close(): the feeder writes what is left, then ends */
};

/* Queue(): NULL, having said why on stderr (a pipe or memory refused). */
struct process_queue *process_queue_new(void);

/* q.put(obj): the item's bytes are copied into this process's buffer, and
 * the feeder thread, started if this is the process's first put(), writes
 * them to the pipe later.  False with errno set if the system refused the
 * feeder thread (Python: RuntimeError, can't start new thread). */
bool process_queue_put(struct process_queue *q, const void *item, size_t size);

/* q.get(timeout=...): one item, whole, into item[0..room); its size in
 * *size.  Waits for ever (WAIT_FOREVER), not at all (NO_WAIT), or a number
 * of lesson seconds: QUEUE_EMPTY then.  QUEUE_SHUT_DOWN: the lesson is
 * stopping, or the pipe failed. */
enum queue_answer process_queue_get(struct process_queue *q, void *item, size_t room, size_t *size,
                                    double timeout);

/* q.empty(): is the pipe empty?  Items still in a buffer do not count. */
bool process_queue_empty(struct process_queue *q);

/* q.qsize(): items put, in any process, and not yet got. */
long process_queue_qsize(struct process_queue *q);

/* q.close(): no more put()s from this process; the feeder writes what is
 * left and ends.  q.join_thread(): wait until it has.  As a process exits,
 * Python calls both for it. */
void process_queue_close(struct process_queue *q);
void process_queue_join_thread(struct process_queue *q);

/* Bytes waiting in the pipe now (ioctl FIONREAD), and what it can hold
 * (fcntl F_GETPIPE_SZ). */
long process_queue_bytes_in_pipe(struct process_queue *q);
long process_queue_pipe_capacity(struct process_queue *q);

/* Has the pipe room for another write (poll() says POLLOUT)? */
bool process_queue_pipe_has_room(struct process_queue *q);

/* Items in this process's buffer, not yet taken by its feeder. */
long process_queue_buffered(struct process_queue *q);

/* In the process that made it, once every other process using it ended:
 * closes it, joins its feeder, and frees it. */
void process_queue_free(struct process_queue *q);

#endif
