/* pool_internal: the insides of a pool, shared by pool_tasks.c,
 * thread_pool.c and process_pool.c.  A lesson needs only pool.h. */
#ifndef CONCDEMO_POOL_INTERNAL_H
#define CONCDEMO_POOL_INTERNAL_H
#include "pool.h"

#include "blocking_queue.h"
#include "connection.h"
#include "team.h"

#include <pthread.h>

struct pool_worker {
    struct pool *pool;
    int number; /* 1.. */
    char name[24]; /* "worker1": its actor in the transcript */
    bool alive;
    long task;  /* the first task of the chunk it runs, or -1 when idle */
    int chunk;  /* how many tasks that chunk holds */
    /* PROCESS_POOL: the process, and the parent's ends of its two pipes
     * (tasks go out on one, results come back on the other) and its own. */
    pid_t pid;
    struct connection to_worker, from_worker;
    struct connection worker_in, worker_out;
};

struct pool {
    enum pool_kind kind;
    int size;
    enum pool_voice voice;
    pthread_mutex_t lock;        /* guards everything below */
    pthread_cond_t task_ended;   /* apply(), map() and join() wait here */
    struct task *tasks;          /* every task handed in, by number */
    long count, room, ended;
    int alive;                   /* workers alive */
    int lost;                    /* workers that died while they ran a task */
    bool closed, terminated;
    struct pool_worker *workers; /* size of them */
    /* THREAD_POOL */
    struct queue *queue;         /* chunks, [first task, count]; then one None per worker */
    struct team team;
    /* PROCESS_POOL */
    long next_to_send;           /* the first task no worker was given yet */
    pthread_t handler;           /* reads results, runs the callbacks */
    bool handler_started;
};

/* pool_tasks.c, for the two kinds. */
long run_task(task_fn *fn, long arg, const char **error); /* fn(arg), catching task_raise */
/* A worker took tasks first..first+count-1 (the lock is held); they ended,
 * each DONE with values[k] or FAILED with errors[k]; or they were lost with
 * their worker.  Each runs the tasks' callbacks, then wakes the waiters. */
void chunk_began(struct pool *pool, long first, int count, const struct pool_worker *worker);
void chunk_ended(struct pool *pool, long first, int count, const long *values, const char *const *errors);
void chunk_lost(struct pool *pool, long first, int count, enum task_state state, const char *error, int died_of);
void worker_gone(struct pool *pool, struct pool_worker *worker); /* a worker ended */

/* thread_pool.c and process_pool.c: each kind's own part. */
bool thread_pool_start(struct pool *pool);
void thread_pool_submit(struct pool *pool, long first, int count);
void thread_pool_terminate(struct pool *pool);
void thread_pool_join(struct pool *pool);
bool process_pool_start(struct pool *pool);
void process_pool_submit(struct pool *pool, long first, int count);
void process_pool_terminate(struct pool *pool);
void process_pool_join(struct pool *pool);
#endif
