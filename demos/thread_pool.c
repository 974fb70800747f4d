/* thread_pool: ThreadPool(n) -- n threads started once, each taking task
 * after task from one shared Queue until it takes None.
 *
 *     def worker(queue):
 *         while True:
 *             task = queue.get()
 *             if task is None:      # the pool is closing: go home
 *                 break
 *             run(task)
 *
 * The queue is the queue lesson's (blocking_queue.c): get() sleeps while it
 * is empty, so an idle worker costs nothing.  An item names a chunk of tasks
 * in the pool's table: one task for apply_async(), many for map(). */
#include "pool_internal.h"

#include "lesson.h"

#include <stdio.h>

/* How many tasks may wait in the queue.  Past that, apply_async() waits for
 * room: a flood of tasks slows down the one handing them in instead of
 * filling the memory. */
enum { QUEUE_ROOM = 1024 };

static void *worker(void *arg)
{
    struct pool_worker *me = arg;
    struct pool *pool = me->pool;
    struct message order;
    while (queue_get(pool->queue, &order, WAIT_FOREVER) == QUEUE_OK && !message_is_none(&order)) {
        long first = order.values[0].number; /* [first, count]: a chunk of tasks, often of one */
        int count = (int)order.values[1].number;
        long args[CHUNK_MOST], values[CHUNK_MOST];
        const char *errors[CHUNK_MOST];
        pthread_mutex_lock(&pool->lock);
        chunk_began(pool, first, count, me);
        task_fn *fn = pool->tasks[first].fn; /* copies: the table may grow and move */
        const char *name = pool->tasks[first].name;
        for (int k = 0; k < count; k++)
            args[k] = pool->tasks[first + k].arg;
        pthread_mutex_unlock(&pool->lock);
        for (int k = 0; k < count; k++) {
            if (pool->voice == SAY_EACH_TASK)
                say(me->name, "runs %s(%ld)", name, args[k]);
            span_begin(me->name, SPAN_TASK); /* for --timeline and --trace */
            values[k] = run_task(fn, args[k], &errors[k]);
            span_end(me->name, SPAN_TASK);
        }
        chunk_ended(pool, first, count, values, errors);
    }
    /* None, or the queue was shut down (terminate, or Ctrl-C). */
    if (pool->voice == SAY_EACH_TASK)
        say(me->name, "goes home");
    worker_gone(pool, me);
    return NULL;
}

bool thread_pool_start(struct pool *pool)
{
    pool->queue = queue_new(QUEUE_ROOM, false);
    if (!pool->queue) {
        report_no_memory(NULL, "a queue of %d tasks", QUEUE_ROOM);
        return false;
    }
    /* Together: the workers wait on the queue, and joining one early would
     * wait for ever, so a thread refused past the limit fails the pool. */
    if (!team_init_together(&pool->team, pool->size)) {
        queue_free(pool->queue);
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
            queue_shutdown(pool->queue); /* the ones started go home */
            team_join_all(&pool->team);
            if (!lesson_stop_requested())
                team_report_refusal(&pool->team);
            team_free(&pool->team);
            queue_free(pool->queue);
            return false;
        }
    }
    if (pool->voice == SAY_EACH_TASK)
        say("pool", "worker1 to worker%d started: threads of this process, waiting on the queue", pool->size);
    return true;
}

void thread_pool_submit(struct pool *pool, long first, int count)
{
    struct message order = message_list(); /* [first, count]: where the tasks are in the pool's table */
    message_add_int(&order, first);
    message_add_int(&order, count);
    queue_put(pool->queue, &order, WAIT_FOREVER);
}

/* A thread cannot be killed from outside without leaving what it held
 * (a lock, memory) in a broken state.  So terminate() shuts the queue:
 * the tasks waiting there never run, and each worker goes home when the
 * task it is running ends. */
void thread_pool_terminate(struct pool *pool)
{
    queue_shutdown(pool->queue);
}

void thread_pool_join(struct pool *pool)
{
    struct message none = message_none();
    for (int w = 0; w < pool->size; w++) /* after every task: one None for each worker */
        queue_put(pool->queue, &none, WAIT_FOREVER);
    team_join_all(&pool->team);
    team_free(&pool->team);
    queue_free(pool->queue);
    pool->queue = NULL;
}
