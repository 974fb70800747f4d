/* pool_tasks: what a process pool and a thread pool share -- the table of
 * tasks handed in, their results, the callbacks, and the waits of apply(),
 * map() and join().  Each kind's own part is in thread_pool.c and
 * process_pool.c. */
#include "pool_internal.h"

#include "clock.h"
#include "lesson.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool *Pool(enum pool_kind kind, int workers, enum pool_voice voice)
{
    struct pool *pool = calloc(1, sizeof *pool);
    if (pool)
        pool->workers = calloc((size_t)workers, sizeof *pool->workers);
    if (!pool || !pool->workers) {
        report_no_memory("ask for fewer", "a pool of %d workers", workers);
        free(pool);
        return NULL;
    }
    pool->kind = kind;
    pool->size = workers;
    pool->voice = voice;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->task_ended, NULL);
    for (int w = 0; w < workers; w++) {
        struct pool_worker *worker = &pool->workers[w];
        worker->pool = pool;
        worker->number = w + 1;
        worker->task = -1;
        snprintf(worker->name, sizeof worker->name, "worker%d", w + 1);
        worker->to_worker.fd = worker->from_worker.fd = worker->worker_in.fd = worker->worker_out.fd = -1;
    }
    if (!(kind == THREAD_POOL ? thread_pool_start(pool) : process_pool_start(pool))) {
        pool_free(pool);
        return NULL;
    }
    return pool;
}

void pool_free(struct pool *pool)
{
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->task_ended);
    free(pool->tasks);
    free(pool->workers);
    free(pool);
}

/* -- a task's `raise` ------------------------------------------------------ */

/* Each worker runs one task at a time, so "the task running here" is a
 * per-thread variable (a worker process has one thread). */
static _Thread_local const char *raised;

long task_raise(const char *error)
{
    raised = error;
    return 0;
}

long run_task(task_fn *fn, long arg, const char **error)
{
    raised = NULL;
    long value = fn(arg);
    *error = raised;
    return value;
}

/* -- handing tasks in ------------------------------------------------------ */

/* Put fn(args[0..count)) in the table, in chunks of `chunk`, and hand each
 * chunk to the pool's kind.  Returns the first task's number, or -1. */
static long hand_in(struct pool *pool, const char *name, task_fn *fn, const long *args, long count, int chunk,
                    callback_fn *callback, error_callback_fn *error_callback)
{
    pthread_mutex_lock(&pool->lock);
    if (pool->closed) { /* Python raises ValueError("Pool not running") */
        pthread_mutex_unlock(&pool->lock);
        return -1;
    }
    if (pool->count + count > pool->room) {
        long room = pool->room ? pool->room : 64;
        while (room < pool->count + count)
            room *= 2;
        struct task *bigger = realloc(pool->tasks, (size_t)room * sizeof *bigger);
        if (!bigger) {
            pthread_mutex_unlock(&pool->lock);
            report_no_memory("ask for fewer", "%ld tasks", room);
            return -1;
        }
        pool->tasks = bigger;
        pool->room = room;
    }
    long first = pool->count;
    for (long i = 0; i < count; i++)
        pool->tasks[first + i] = (struct task){ .fn = fn, .name = name, .arg = args[i], .callback = callback,
                                                .error_callback = error_callback, .state = TASK_WAITING };
    for (long i = 0; i < count; i += chunk)
        pool->tasks[first + i].chunk = (int)(count - i < chunk ? count - i : chunk);
    pool->count += count;
    pthread_mutex_unlock(&pool->lock);
    for (long i = 0; i < count; i += chunk) {
        int size = (int)(count - i < chunk ? count - i : chunk);
        if (pool->kind == THREAD_POOL)
            thread_pool_submit(pool, first + i, size);
        else
            process_pool_submit(pool, first + i, size);
    }
    return first;
}

long pool_apply_async(struct pool *pool, const char *name, task_fn *fn, long arg, callback_fn *callback,
                      error_callback_fn *error_callback)
{
    return hand_in(pool, name, fn, &arg, 1, 1, callback, error_callback);
}

/* Wait until every task handed in has ended, or no worker is left to end
 * them (all died, or a stop).  The lock is held. */
static void wait_for_all(struct pool *pool)
{
    while (pool->ended < pool->count && pool->alive > 0)
        pthread_cond_wait(&pool->task_ended, &pool->lock);
}

bool pool_apply(struct pool *pool, const char *name, task_fn *fn, long arg, long *value)
{
    long n = pool_apply_async(pool, name, fn, arg, NULL, NULL);
    if (n < 0)
        return false;
    pthread_mutex_lock(&pool->lock);
    pool->tasks[n].awaited = true;
    while (pool->tasks[n].state < TASK_DONE && pool->alive > 0)
        pthread_cond_wait(&pool->task_ended, &pool->lock);
    bool done = pool->tasks[n].state == TASK_DONE;
    *value = pool->tasks[n].value;
    pthread_mutex_unlock(&pool->lock);
    return done;
}

long pool_chunksize(int workers, long count)
{
    long chunk = count / (4L * workers) + (count % (4L * workers) != 0); /* Python's chunksize */
    if (chunk > CHUNK_MOST)
        chunk = CHUNK_MOST;
    return chunk < 1 ? 1 : chunk;
}

bool pool_map_named(struct pool *pool, const char *name, task_fn *fn, const long *args, long *values, long count)
{
    long chunk = pool_chunksize(pool->size, count);
    long first = hand_in(pool, name, fn, args, count, (int)chunk, NULL, NULL);
    if (first < 0)
        return false;
    pthread_mutex_lock(&pool->lock);
    wait_for_all(pool);
    bool all_done = true;
    for (long i = 0; i < count; i++) { /* task first+i is args[i]: the order they were handed in */
        const struct task *task = &pool->tasks[first + i];
        values[i] = task->value;
        all_done = all_done && task->state == TASK_DONE;
    }
    pthread_mutex_unlock(&pool->lock);
    return all_done;
}

/* -- a chunk's life, told by the workers ------------------------------------ */

void chunk_began(struct pool *pool, long first, int count, const struct pool_worker *worker)
{
    double now = lesson_now();
    for (long n = first; n < first + count; n++) {
        struct task *task = &pool->tasks[n];
        task->state = TASK_RUNNING;
        task->worker = worker->number;
        task->pid = worker->pid;
        task->started = now;
    }
}

/* Record how tasks first.. ended, run their callbacks, then count them. */
static void record(struct pool *pool, long first, int count, const long *values, const char *const *errors,
                   enum task_state lost_as, const char *lost_error, int died_of)
{
    bool any_callback = false;
    double now = lesson_now();
    pthread_mutex_lock(&pool->lock);
    for (int k = 0; k < count; k++) {
        struct task *task = &pool->tasks[first + k];
        if (values) {
            task->state = errors[k] ? TASK_FAILED : TASK_DONE;
            task->value = values[k];
            task->error = errors[k];
        } else {
            task->state = lost_as;
            task->error = lost_error;
            task->died_of = died_of;
        }
        task->ended = now;
        any_callback = any_callback || task->callback || task->error_callback;
    }
    if (any_callback) {
        pthread_mutex_unlock(&pool->lock);
        /* As in Python, the callbacks run before the tasks count as ended,
         * so that join() returns only after every callback has run. */
        for (int k = 0; k < count; k++) {
            pthread_mutex_lock(&pool->lock);
            struct task task = pool->tasks[first + k]; /* a copy: the table may move */
            pthread_mutex_unlock(&pool->lock);
            if (task.state == TASK_DONE && task.callback)
                task.callback(task.value);
            else if (task.state != TASK_DONE && task.error_callback)
                task.error_callback(first + k, task.error);
        }
        pthread_mutex_lock(&pool->lock);
    }
    pool->ended += count;
    /* Wake a waiter only when what it waits for may have come: a task that
     * apply() waits for, or the last one.  Waking map() at every one of
     * 100000 tiny tasks would cost more than the tasks. */
    bool awaited = false;
    for (int k = 0; k < count; k++)
        awaited = awaited || pool->tasks[first + k].awaited;
    if (awaited || pool->ended == pool->count)
        pthread_cond_broadcast(&pool->task_ended);
    pthread_mutex_unlock(&pool->lock);
}

void chunk_ended(struct pool *pool, long first, int count, const long *values, const char *const *errors)
{
    record(pool, first, count, values, errors, TASK_DONE, NULL, 0);
}

void chunk_lost(struct pool *pool, long first, int count, enum task_state state, const char *error, int died_of)
{
    record(pool, first, count, NULL, NULL, state, error, died_of);
}

void worker_gone(struct pool *pool, struct pool_worker *worker)
{
    pthread_mutex_lock(&pool->lock);
    worker->alive = false;
    pool->alive--;
    pthread_cond_broadcast(&pool->task_ended); /* with no worker left, no wait may go on */
    pthread_mutex_unlock(&pool->lock);
}

/* -- close, terminate, join ------------------------------------------------- */

void pool_close(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->closed = true;
    pthread_mutex_unlock(&pool->lock);
}

void pool_terminate(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->closed = pool->terminated = true;
    pthread_mutex_unlock(&pool->lock);
    if (pool->kind == THREAD_POOL)
        thread_pool_terminate(pool);
    else
        process_pool_terminate(pool);
}

void pool_join(struct pool *pool)
{
    pool_close(pool); /* Python insists on close() or terminate() first; here join() implies close() */
    span_begin("main", SPAN_WAITING); /* for --timeline and --trace: join() is main's, in these lessons */
    if (pool->kind == THREAD_POOL)
        thread_pool_join(pool);
    else
        process_pool_join(pool);
    span_end("main", SPAN_WAITING);
    /* Every worker is gone.  What no worker took never ran. */
    pthread_mutex_lock(&pool->lock);
    const char *why = pool->terminated         ? "never ran: the pool was terminated"
                      : lesson_stop_requested() ? "never ran: the lesson was stopped"
                                                : "never ran: no worker was left";
    for (long n = 0; n < pool->count; n++)
        if (pool->tasks[n].state == TASK_WAITING) {
            pool->tasks[n].state = TASK_DROPPED;
            pool->tasks[n].error = why;
            pool->ended++;
        }
    pthread_mutex_unlock(&pool->lock);
}

/* -- after join ------------------------------------------------------------- */

const struct task *pool_task(struct pool *pool, long n)
{
    return &pool->tasks[n];
}

long pool_task_count(struct pool *pool)
{
    return pool->count;
}

int pool_workers_lost(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    int lost = pool->lost;
    pthread_mutex_unlock(&pool->lock);
    return lost;
}

const char *task_state_name(enum task_state state)
{
    static const char *const names[] = { "waiting", "running", "done", "failed", "killed", "dropped" };
    return names[state];
}

const char *signal_name(int signal)
{
    switch (signal) {
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "a signal";
    }
}
