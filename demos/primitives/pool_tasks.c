/* pool_tasks: what a process pool and a thread pool share -- the table of
 * tasks handed in, the task handler that feeds them to the workers, the
 * results and their callbacks, and the waits of apply(), map() and join().
 * Each kind's own part is in thread_pool.c and process_pool.c. */
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
        report_no_memory(N_("ask for fewer"), "a pool of %d workers", workers);
        free(pool);
        return NULL;
    }
    pool->kind = kind;
    pool->size = workers;
    pool->voice = voice;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->changed, NULL);
    pool->task_pipe.fd = pool->result_pipe.fd = -1;
    pool->tasks_for_workers.fd = pool->results_from_workers.fd = -1;
    for (int w = 0; w < workers; w++) {
        struct pool_worker *worker = &pool->workers[w];
        worker->pool = pool;
        worker->number = w + 1;
        worker->task = -1;
        worker->sentinel = -1;
        snprintf(worker->name, sizeof worker->name, "worker%d", w + 1);
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
    pthread_cond_destroy(&pool->changed);
    for (int b = 0; b < TASK_BLOCKS && pool->blocks[b]; b++)
        free(pool->blocks[b]);
    free(pool->workers);
    free(pool);
}

/* -- the threads' names ---------------------------------------------------- */

static _Thread_local const char *thread_name;

void set_thread_name(const char *name)
{
    thread_name = name;
}

const char *current_thread_name(void)
{
    return thread_name ? thread_name : "main";
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

/* Put fn(args[0..count)) in the table, in chunks of `chunk`, for the task
 * handler to send.  Returns the first task's number, or -1.  Like Python's
 * apply_async(), it never waits for the workers: the table grows instead. */
static long hand_in(struct pool *pool, const char *name, task_fn *fn, const long *args, long count, int chunk,
                    callback_fn *callback, error_callback_fn *error_callback)
{
    pthread_mutex_lock(&pool->lock);
    if (pool->closed) { /* Python raises ValueError("Pool not running") */
        pthread_mutex_unlock(&pool->lock);
        return -1;
    }
    if (pool->count + count > (long)TASK_BLOCK * TASK_BLOCKS) {
        pthread_mutex_unlock(&pool->lock);
        report_no_memory(N_("ask for fewer"), "more than %ld tasks in one pool", (long)TASK_BLOCK * TASK_BLOCKS);
        return -1;
    }
    for (long b = pool->count / TASK_BLOCK; b <= (pool->count + count - 1) / TASK_BLOCK; b++)
        if (!pool->blocks[b] && !(pool->blocks[b] = malloc(TASK_BLOCK * sizeof(struct task)))) {
            pthread_mutex_unlock(&pool->lock);
            report_no_memory(N_("ask for fewer"), "%ld tasks", (b + 1) * TASK_BLOCK);
            return -1;
        }
    long first = pool->count;
    for (long i = 0; i < count; i++)
        *task_at(pool, first + i) = (struct task){ .fn = fn, .name = name, .arg = args[i], .callback = callback,
                                                   .error_callback = error_callback, .state = TASK_WAITING };
    for (long i = 0; i < count; i += chunk)
        task_at(pool, first + i)->chunk = (int)(count - i < chunk ? count - i : chunk);
    pool->count += count;
    /* Wake the task handler only if it sleeps: while it works, it finds
     * this task the next time it looks, with every other one handed in by
     * then -- one wake-up for many tasks. */
    if (pool->handler_waits)
        pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
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
        pthread_cond_wait(&pool->changed, &pool->lock);
}

bool pool_apply(struct pool *pool, const char *name, task_fn *fn, long arg, long *value)
{
    long n = pool_apply_async(pool, name, fn, arg, NULL, NULL);
    if (n < 0)
        return false;
    pthread_mutex_lock(&pool->lock);
    struct task *task = task_at(pool, n);
    task->awaited = true;
    while (task->state < TASK_DONE && pool->alive > 0)
        pthread_cond_wait(&pool->changed, &pool->lock);
    bool done = task->state == TASK_DONE && !task->result_dropped;
    *value = task->value;
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
        const struct task *task = task_at(pool, first + i);
        values[i] = task->value;
        all_done = all_done && task->state == TASK_DONE && !task->result_dropped;
    }
    pthread_mutex_unlock(&pool->lock);
    return all_done;
}

/* -- the task handler -------------------------------------------------------- */

void name_tasks(struct pool *pool, long first, long count, char *text, size_t size)
{
    const struct task *a = task_at(pool, first), *b = task_at(pool, first + count - 1);
    if (count == 1)
        snprintf(text, size, "%s(%ld)", a->name, a->arg);
    else
        snprintf(text, size, "%s(%ld) .. %s(%ld)", a->name, a->arg, b->name, b->arg);
}

bool start_handlers(struct pool *pool, void *(*result_handler)(void *), long others)
{
    int error = pthread_create(&pool->task_handler, NULL, task_handler, pool);
    if (!error) {
        error = pthread_create(&pool->result_handler, NULL, result_handler, pool);
        if (error) { /* the task handler goes home: a terminated pool has nothing for it */
            pthread_mutex_lock(&pool->lock);
            pool->closed = pool->terminated = true;
            pthread_cond_broadcast(&pool->changed);
            pthread_mutex_unlock(&pool->lock);
            pthread_join(pool->task_handler, NULL);
            others++;
        }
    }
    if (error && !lesson_stop_requested())
        report_thread_refusal(error, others);
    pool->handlers = error ? 0 : 2;
    return !error;
}

/* Python's _handle_tasks: take what apply_async() and map() wrote in the
 * table, and put it into the task queue, where the workers take it.  When
 * the pool is closed and every task has ended, put one None per worker:
 * each worker that takes one goes home.  After terminate(), stop. */
void *task_handler(void *arg)
{
    struct pool *pool = arg;
    set_thread_name("task-handler");
    bool (*send_tasks)(struct pool *, long, long) =
        pool->kind == THREAD_POOL ? thread_pool_send_tasks : process_pool_send_tasks;
    const char *queue = pool->kind == THREAD_POOL ? _("task queue") : _("task pipe");
    pthread_mutex_lock(&pool->lock);
    while (!pool->terminated && pool->alive > 0) {
        if (pool->sent < pool->count) { /* every task handed in since the last look, in one go */
            long first = pool->sent, count = pool->count - pool->sent;
            pool->sent = pool->count;
            pthread_mutex_unlock(&pool->lock);
            if (pool->voice == SAY_EACH_TASK) {
                char tasks[80];
                name_tasks(pool, first, count, tasks, sizeof tasks);
                say("task-handler", "puts %s into the %s", tasks, queue);
            }
            bool sent = send_tasks(pool, first, count);
            pthread_mutex_lock(&pool->lock);
            if (!sent) /* no worker is left to read it */
                break;
        } else if (pool->closed && pool->ended == pool->count) {
            pthread_mutex_unlock(&pool->lock);
            if (pool->voice == SAY_EACH_TASK && !lesson_stop_requested())
                say("task-handler", "every task has ended: puts one None per worker into the %s", queue);
            if (pool->kind == THREAD_POOL)
                thread_pool_send_nones(pool);
            else
                process_pool_send_nones(pool);
            pthread_mutex_lock(&pool->lock);
            break;
        } else {
            pool->handler_waits = true;
            pthread_cond_wait(&pool->changed, &pool->lock);
            pool->handler_waits = false;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* -- a chunk's life, told by the result handler ------------------------------ */

void chunk_taken(struct pool *pool, long first, int count, const struct pool_worker *worker, double at)
{
    pthread_mutex_lock(&pool->lock);
    for (long n = first; n < first + count; n++) {
        struct task *task = task_at(pool, n);
        task->state = TASK_RUNNING;
        task->worker = worker->number;
        task->pid = worker->pid;
        task->started = at;
    }
    pthread_mutex_unlock(&pool->lock);
}

/* Record how tasks first.. ended, run their callbacks, then count them.
 * values: DONE, or FAILED where the worker wrote an error; else they were
 * lost, as lost_as. */
static void record(struct pool *pool, long first, int count, bool values, enum task_state lost_as,
                   const char *lost_error, int died_of)
{
    bool any_callback = false;
    double now = lesson_now();
    pthread_mutex_lock(&pool->lock);
    bool terminated = pool->terminated;
    for (int k = 0; k < count; k++) {
        struct task *task = task_at(pool, first + k);
        if (values)
            task->state = task->error ? TASK_FAILED : TASK_DONE;
        else {
            task->state = lost_as;
            task->error = lost_error;
            task->died_of = died_of;
        }
        task->ended = now;
        task->result_dropped = values && terminated;
        any_callback = any_callback || task->callback || task->error_callback;
    }
    pthread_mutex_unlock(&pool->lock);
    if (values && terminated && pool->voice == SAY_EACH_TASK) {
        char tasks[80];
        name_tasks(pool, first, count, tasks, sizeof tasks);
        say(current_thread_name(), "%s returned after terminate(): its result is dropped, no callback runs",
            tasks);
    }
    /* As in Python, the callbacks run on this thread, one at a time, and
     * before the tasks count as ended: join() returns after the last one.
     * After terminate() none runs: Python's result handler stops there. */
    for (int k = 0; any_callback && k < count; k++) {
        pthread_mutex_lock(&pool->lock);
        struct task task = *task_at(pool, first + k);
        bool stop = pool->terminated || lesson_stop_requested();
        pthread_mutex_unlock(&pool->lock);
        if (stop)
            break;
        if (task.state == TASK_DONE && task.callback)
            task.callback(task.value);
        else if (task.state != TASK_DONE && task.error_callback)
            task.error_callback(first + k, task.error);
    }
    pthread_mutex_lock(&pool->lock);
    pool->ended += count;
    /* Wake a waiter only when what it waits for may have come: a task that
     * apply() waits for, or the last one (map(), join(), and the task
     * handler's Nones).  Waking them at every one of 100000 tiny tasks
     * would cost more than the tasks. */
    bool awaited = false;
    for (int k = 0; k < count; k++)
        awaited = awaited || task_at(pool, first + k)->awaited;
    if (awaited || pool->ended == pool->count)
        pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
}

void chunk_ended(struct pool *pool, long first, int count)
{
    record(pool, first, count, true, TASK_DONE, NULL, 0);
}

void chunk_lost(struct pool *pool, long first, int count, enum task_state state, const char *error, int died_of)
{
    record(pool, first, count, false, state, error, died_of);
}

void worker_gone(struct pool *pool, struct pool_worker *worker)
{
    pthread_mutex_lock(&pool->lock);
    worker->alive = false;
    pool->alive--;
    pthread_cond_broadcast(&pool->changed); /* with no worker left, no wait may go on */
    pthread_mutex_unlock(&pool->lock);
}

/* -- close, terminate, join ------------------------------------------------- */

void pool_close(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->closed = true;
    pthread_cond_broadcast(&pool->changed); /* the task handler may send the Nones */
    pthread_mutex_unlock(&pool->lock);
}

void pool_terminate(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->closed = pool->terminated = true;
    pthread_cond_broadcast(&pool->changed); /* the task handler stops */
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
    /* in English: a task's error is translated where it is printed */
    const char *why = pool->terminated         ? N_("never ran: the pool was terminated")
                      : lesson_stop_requested() ? N_("never ran: the lesson was stopped")
                                                : N_("never ran: no worker was left");
    for (long n = 0; n < pool->count; n++)
        if (task_at(pool, n)->state == TASK_WAITING) {
            task_at(pool, n)->state = TASK_DROPPED;
            task_at(pool, n)->error = why;
            pool->ended++;
        }
    pthread_mutex_unlock(&pool->lock);
}

/* -- after join ------------------------------------------------------------- */

const struct task *pool_task(struct pool *pool, long n)
{
    return task_at(pool, n);
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
    static const char *const names[] = { N_("waiting"), N_("running"), N_("done"), N_("failed"), N_("killed"),
                                         N_("dropped") };
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
    default: return _("a signal");
    }
}
