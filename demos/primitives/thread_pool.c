/* thread_pool: ThreadPool(n) -- n threads started once, each taking task
 * after task from one shared task queue until it takes None, and putting
 * each result into one shared result queue:
 *
 *     def worker(tasks, results):
 *         while True:
 *             task = tasks.get()
 *             if task is None:      # the pool is closing: go home
 *                 break
 *             results.put(run(task))
 *
 * Two more threads, as in Python: the task handler (pool_tasks.c) puts the
 * tasks handed in into the task queue, and the result handler below takes
 * the results and runs the callbacks.  The queues are the queue lesson's
 * (blocking_queue.c): get() sleeps while one is empty, so an idle thread
 * costs nothing.  An item names a chunk of tasks in the pool's table: one
 * task for apply_async(), many for map().  The worker writes the values in
 * the table and puts only [first, count] into the result queue -- threads
 * share memory, as a Python queue passes a reference to the result and not
 * a copy of it. */
#include "pool_internal.h"

#include "lesson.h"

#include <stdio.h>

/* How many items each queue holds.  Past that, the task handler waits for
 * room, so a flood of tasks waits in the pool's table, not in the queue. */
enum { QUEUE_ROOM = 1024 };

static void *worker(void *arg)
{
    struct pool_worker *me = arg;
    struct pool *pool = me->pool;
    set_thread_name(me->name);
    struct message order;
    enum queue_answer got;
    while ((got = queue_get(pool->task_queue, &order, WAIT_FOREVER)) == QUEUE_OK && !message_is_none(&order)) {
        long first = order.values[0].number; /* [first, count]: a chunk of tasks, often of one */
        int count = (int)order.values[1].number;
        for (long n = first; n < first + count; n++) {
            struct task *task = task_at(pool, n); /* this worker's alone until it puts the result */
            if (pool->voice == SAY_EACH_TASK)
                say(me->name, "runs %s(%ld)", task->name, task->arg);
            task->worker = me->number;
            task->started = lesson_now();
            span_begin(me->name, SPAN_TASK); /* for --timeline and --trace */
            task->value = run_task(task->fn, task->arg, &task->error);
            span_end(me->name, SPAN_TASK);
        }
        queue_put(pool->result_queue, &order, WAIT_FOREVER); /* these ended: their values are in the table */
    }
    if (pool->voice == SAY_EACH_TASK && !lesson_stop_requested()) {
        if (got == QUEUE_OK)
            say(me->name, "takes None: goes home");
        else
            say(me->name, "goes home: terminate() shut the task queue");
    }
    worker_gone(pool, me);
    return NULL;
}

/* Python's _handle_results: take each result, and run its callback. */
static void *result_handler(void *arg)
{
    struct pool *pool = arg;
    set_thread_name("result-handler");
    struct message done;
    while (queue_get(pool->result_queue, &done, WAIT_FOREVER) == QUEUE_OK && !message_is_none(&done))
        chunk_ended(pool, done.values[0].number, (int)done.values[1].number);
    return NULL;
}

/* Undo a start that failed half-way: every thread started goes home. */
static void abandon(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->closed = pool->terminated = true;
    pthread_cond_broadcast(&pool->changed);
    pthread_mutex_unlock(&pool->lock);
    queue_shutdown(pool->task_queue);
    queue_shutdown(pool->result_queue);
    if (pool->handlers) {
        pthread_join(pool->task_handler, NULL);
        pthread_join(pool->result_handler, NULL);
    }
    team_join_all(&pool->team);
    if (!lesson_stop_requested())
        team_report_refusal(&pool->team);
    team_free(&pool->team);
    queue_free(pool->task_queue);
    queue_free(pool->result_queue);
}

bool thread_pool_start(struct pool *pool)
{
    pool->task_queue = queue_new(QUEUE_ROOM, false);
    pool->result_queue = queue_new(QUEUE_ROOM, false);
    if (!pool->task_queue || !pool->result_queue) {
        report_no_memory(NULL, "two queues of %d items", QUEUE_ROOM);
        queue_free(pool->task_queue);
        queue_free(pool->result_queue);
        return false;
    }
    /* Together: the workers wait on the queue, and joining one early would
     * wait for ever, so a thread refused past the limit fails the pool. */
    if (!team_init_together(&pool->team, pool->size)) {
        queue_free(pool->task_queue);
        queue_free(pool->result_queue);
        return false;
    }
    for (int w = 0; w < pool->size; w++) {
        pthread_mutex_lock(&pool->lock);
        pool->workers[w].alive = true;
        pool->alive++;
        pthread_mutex_unlock(&pool->lock);
        if (!team_start(&pool->team, worker, &pool->workers[w])) {
            pthread_mutex_lock(&pool->lock);
            pool->workers[w].alive = false;
            pool->alive--;
            pthread_mutex_unlock(&pool->lock);
            abandon(pool);
            return false;
        }
    }
    if (!start_handlers(pool, result_handler, pool->size)) {
        abandon(pool);
        return false;
    }
    if (pool->voice == SAY_EACH_TASK) {
        say("pool", "worker1 to worker%d, task-handler and result-handler started: threads of this process",
            pool->size);
        note("The workers share one task queue and one result queue.");
    }
    return true;
}

bool thread_pool_send_tasks(struct pool *pool, long first, long count)
{
    for (long n = first; n < first + count; n += task_at(pool, n)->chunk) {
        struct message order = message_list(); /* [first, count]: where the tasks are in the pool's table */
        message_add_int(&order, n);
        message_add_int(&order, task_at(pool, n)->chunk);
        if (queue_put(pool->task_queue, &order, WAIT_FOREVER) != QUEUE_OK)
            return false; /* shut down: terminate(), or a stop */
    }
    return true;
}

void thread_pool_send_nones(struct pool *pool)
{
    struct message none = message_none();
    for (int w = 0; w < pool->size; w++)
        queue_put(pool->task_queue, &none, WAIT_FOREVER);
}

/* A thread cannot be killed from outside: it shares the process's memory
 * and locks, and stopped in the middle of a task it could leave a lock held
 * or memory half-written.  So terminate() only shuts the task queue, which
 * does what Python's does (empty the queue, and put a None for each worker
 * at its head): the tasks still waiting never run, and each worker goes
 * home when the task it runs has ended. */
void thread_pool_terminate(struct pool *pool)
{
    queue_shutdown(pool->task_queue);
}

void thread_pool_join(struct pool *pool)
{
    pthread_join(pool->task_handler, NULL); /* it sent the Nones, or stopped at terminate() */
    team_join_all(&pool->team);              /* every worker took its None, or the queue shut */
    struct message none = message_none();
    queue_put(pool->result_queue, &none, WAIT_FOREVER); /* after the last result: the handler's turn to go */
    pthread_join(pool->result_handler, NULL);
    team_free(&pool->team);
    queue_free(pool->task_queue);
    queue_free(pool->result_queue);
    pool->task_queue = pool->result_queue = NULL;
}
