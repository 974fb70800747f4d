/* pool_internal: the insides of a pool, shared by pool_tasks.c,
 * thread_pool.c and process_pool.c.  A lesson needs only pool.h.
 *
 * Both kinds are built the way Python's multiprocessing builds them:
 *
 *   main --apply_async--> the pool's table of tasks
 *        task-handler:    moves each task from the table into the task queue
 *        workers:         each takes the next task from that one queue, runs it,
 *                         and puts its result into the one result queue
 *        result-handler:  takes each result, and runs its callback
 *
 * A process pool's task queue and result queue are pipes; a thread pool's
 * are queues in memory. */
#ifndef CONCDEMO_POOL_INTERNAL_H
#define CONCDEMO_POOL_INTERNAL_H
#include "pool.h"

#include "blocking_queue.h"
#include "connection.h"
#include "team.h"

#include <pthread.h>

struct pool_worker {
    struct pool *pool;
    int number;    /* 1.. */
    char name[24]; /* "worker1": its actor in the transcript */
    bool alive;
    /* PROCESS_POOL: the process; the chunk it said it took and has not
     * returned (-1: none); and its sentinel, the parent's end of a pipe whose
     * other end only the worker holds: it reads end of file when the worker
     * ends, however it ends (Python's Process.sentinel). */
    pid_t pid;
    long task;
    int chunk;
    int sentinel;
};

/* The table of tasks handed in, in blocks that never move once made: a
 * worker reads its task's fields, and writes its result, without the pool's
 * lock.  At most TASK_BLOCK * TASK_BLOCKS tasks in a pool's life. */
enum { TASK_BLOCK = 4096, TASK_BLOCKS = 512 };

struct pool {
    enum pool_kind kind;
    int size;
    enum pool_voice voice;
    pthread_mutex_t lock;          /* guards everything below that changes */
    pthread_cond_t changed;        /* a task handed in or ended, a worker gone, close, terminate */
    struct task *blocks[TASK_BLOCKS];
    long count;                    /* tasks handed in */
    long sent;                     /* of them, those the task handler put into the task queue */
    long ended;                    /* and those whose result the result handler took (or lost) */
    int alive;                     /* workers alive */
    int lost;                      /* workers that died while they ran a task */
    bool closed, terminated;
    bool handler_waits;            /* the task handler sleeps on `changed`: wake it */
    struct pool_worker *workers;   /* size of them */
    pthread_t task_handler, result_handler;
    int handlers;                  /* 2 once both were started, else 0 */
    /* THREAD_POOL: the task queue holds [first, count] orders and then one
     * None per worker; the result queue holds [first, count] of chunks
     * that ended, whose values the workers wrote in the table. */
    struct queue *task_queue, *result_queue;
    struct team team;
    /* PROCESS_POOL: the two pipes, the parent's ends (it writes tasks and
     * reads results) and the workers' (closed in the parent once all are
     * forked); and the lock the workers take to read the task pipe, in
     * memory they share. */
    struct connection task_pipe, result_pipe;
    struct connection tasks_for_workers, results_from_workers;
    pthread_mutex_t *readers;
};

/* Task n of the table.  Its block exists once n < pool->count. */
static inline struct task *task_at(struct pool *pool, long n)
{
    return &pool->blocks[n / TASK_BLOCK][n % TASK_BLOCK];
}

/* pool_tasks.c, for the two kinds. */
long run_task(task_fn *fn, long arg, const char **error); /* fn(arg), catching task_raise */
void set_thread_name(const char *name);                   /* what current_thread_name() says */
/* The task handler's and the result handler's bodies, the same for both
 * kinds.  The task handler calls the kind's send_tasks() and send_nones(). */
void *task_handler(void *pool);
/* Start the task handler and the kind's result handler.  True; or false,
 * said on stderr with the `others` threads of the pool alive beside them,
 * and with the task handler, if it had started, stopped and joined again. */
bool start_handlers(struct pool *pool, void *(*result_handler)(void *), long others);
/* A worker took tasks first..first+count-1 (the result handler tells it,
 * with the lock held).  Then they ended: each DONE with the value and
 * error the worker wrote in the table, or FAILED if error is set; or they
 * were lost with their worker.  Each runs the tasks' callbacks -- or none
 * after terminate() -- and wakes the waiters.  The result handler calls
 * them, without the lock. */
void chunk_taken(struct pool *pool, long first, int count, const struct pool_worker *worker, double at);
void chunk_ended(struct pool *pool, long first, int count);
void chunk_lost(struct pool *pool, long first, int count, enum task_state state, const char *error, int died_of);
void worker_gone(struct pool *pool, struct pool_worker *worker); /* a worker ended */
/* For the transcript: "Foo(3)", or "Foo(0) .. Foo(9)" for a run of tasks. */
void name_tasks(struct pool *pool, long first, long count, char *text, size_t size);

/* thread_pool.c and process_pool.c: each kind's own part.  start() starts
 * the workers and the two handlers; send_tasks() puts tasks first.. into
 * the task queue (false: no worker is left to read them); send_nones()
 * puts one None per worker after the last; terminate() stops the workers
 * that can be stopped; join() waits for every thread and process. */
bool thread_pool_start(struct pool *pool);
bool thread_pool_send_tasks(struct pool *pool, long first, long count);
void thread_pool_send_nones(struct pool *pool);
void thread_pool_terminate(struct pool *pool);
void thread_pool_join(struct pool *pool);
bool process_pool_start(struct pool *pool);
bool process_pool_send_tasks(struct pool *pool, long first, long count);
void process_pool_send_nones(struct pool *pool);
void process_pool_terminate(struct pool *pool);
void process_pool_join(struct pool *pool);
#endif
