/* process_pool: Pool(n) -- n worker processes forked once, each with a
 * pipe that brings it tasks and a pipe that takes its results back.
 *
 *     def worker(tasks, results):          # in each child
 *         while True:
 *             task = tasks.recv()          # EOFError when the pool closes
 *             results.send(run(task))
 *
 * In the parent, one thread (the result handler) waits on every results
 * pipe at once with poll().  When a result comes, it gives that worker the
 * next waiting task and runs the task's callback.  A pipe that ends with no
 * result means the worker died: the handler reaps it and fails the task it
 * was running.  The articles' words: the pool keeps a set of processes; a
 * task takes an idle one, or waits until one is free. */
#include "pool_internal.h"

#include "lesson.h"

#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* What goes down a worker's tasks pipe -- a chunk of tasks, often of one --
 * and comes back up its results pipe.  A forked worker is a copy of this
 * program, so a function's address and a string literal's mean the same
 * thing in it: the parent sends addresses, where Python's pickle sends a
 * function's name.  Only the chunk's part of the arrays is sent, and every
 * message fits in PIPE_BUF (connection.h). */
struct order {
    long first; /* tasks first .. first+count-1 */
    int count;
    task_fn *fn;
    const char *name;
    long args[CHUNK_MOST];
};
struct outcome {
    long first;
    int count;
    struct {
        long value;
        const char *error; /* a string literal given to task_raise(), or NULL */
    } results[CHUNK_MOST];
};
#define ORDER_BYTES(count) (offsetof(struct order, args) + (size_t)(count) * sizeof(long))
#define OUTCOME_BYTES(count) (offsetof(struct outcome, results) + (size_t)(count) * sizeof(((struct outcome *)0)->results[0]))

static int worker_main(void *arg) /* in the child */
{
    struct pool_worker *me = arg; /* the child's own copy of the pool */
    struct pool *pool = me->pool;
    me->pid = getpid();
    /* The parent's ends of every pipe, its own and the earlier workers':
     * a worker holding them would keep the others from ever seeing the
     * end of their pipes. */
    for (int w = 0; w < me->number; w++) {
        conn_close(&pool->workers[w].to_worker);
        conn_close(&pool->workers[w].from_worker);
    }
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core); /* a task that crashes leaves no core file */
    struct order order;
    struct outcome outcome;
    memset(&outcome, 0, sizeof outcome); /* its padding too: every byte sent is defined */
    while (conn_recv(&me->worker_in, &order, sizeof order) >= (long)ORDER_BYTES(1)) {
        outcome.first = order.first;
        outcome.count = order.count;
        for (int k = 0; k < order.count; k++) {
            if (pool->voice == SAY_EACH_TASK)
                say(me->name, "runs %s(%ld) in process %ld", order.name, order.args[k], (long)me->pid);
            span_begin(me->name, SPAN_TASK); /* recorded in shared memory: --timeline sees children too */
            outcome.results[k].value = run_task(order.fn, order.args[k], &outcome.results[k].error);
            span_end(me->name, SPAN_TASK);
        }
        if (!conn_send(&me->worker_out, &outcome, (uint32_t)OUTCOME_BYTES(order.count)))
            return 1;
    }
    return 0; /* end of file: the pool closed its end, there is no more work */
}

/* Give each idle worker the next waiting chunk.  The lock is held.  The
 * write never blocks: an idle worker's pipe is empty. */
static void send_waiting_tasks(struct pool *pool)
{
    if (pool->terminated) /* its workers are being killed: nothing more goes out */
        return;
    for (int w = 0; w < pool->size && pool->next_to_send < pool->count; w++) {
        struct pool_worker *worker = &pool->workers[w];
        if (!worker->alive || worker->task >= 0 || worker->to_worker.fd < 0)
            continue;
        long first = pool->next_to_send;
        const struct task *task = &pool->tasks[first];
        struct order order;
        memset(&order, 0, sizeof order); /* its padding too: every byte sent is defined */
        order.first = first;
        order.count = task->chunk;
        order.fn = task->fn;
        order.name = task->name;
        for (int k = 0; k < order.count; k++)
            order.args[k] = pool->tasks[first + k].arg;
        if (!conn_send(&worker->to_worker, &order, (uint32_t)ORDER_BYTES(order.count)))
            continue; /* it died (EPIPE): the handler will find out and reap it */
        chunk_began(pool, first, order.count, worker);
        worker->task = first;
        worker->chunk = order.count;
        pool->next_to_send += order.count;
    }
}

/* A worker's results pipe ended: it exited or died.  Reap it, and fail the
 * tasks it was running, if any. */
static void worker_ended(struct pool *pool, struct pool_worker *worker)
{
    pthread_mutex_lock(&pool->lock);
    long task = worker->task;
    int chunk = worker->chunk;
    const char *name = task >= 0 ? pool->tasks[task].name : NULL;
    long arg = task >= 0 ? pool->tasks[task].arg : 0;
    worker->task = -1;
    worker->alive = false; /* from now on terminate() leaves its pid alone */
    pool->lost += task >= 0;
    bool terminated = pool->terminated;
    pthread_mutex_unlock(&pool->lock);
    conn_close(&worker->from_worker);
    int status = child_join(worker->pid);
    int died_of = status > 128 ? status - 128 : 0;
    if (task >= 0) {
        if (terminated) {
            say("pool", "%s (process %ld) killed by terminate() while it ran %s(%ld)%s", worker->name,
                (long)worker->pid, name, arg, chunk > 1 ? " and its chunk" : "");
            chunk_lost(pool, task, chunk, TASK_KILLED, "killed by terminate()", died_of);
        } else if (!lesson_stop_requested()) {
            say("pool", "%s (process %ld) died of %s while it ran %s(%ld)%s: %s", worker->name,
                (long)worker->pid, signal_name(died_of), name, arg, chunk > 1 ? " and its chunk" : "",
                chunk > 1 ? "they fail" : "that task fails");
            chunk_lost(pool, task, chunk, TASK_FAILED, "its worker process died", died_of);
        } else
            chunk_lost(pool, task, chunk, TASK_KILLED, "the lesson was stopped", died_of);
    } else if (pool->voice == SAY_EACH_TASK && !lesson_stop_requested())
        say("pool", "%s (process %ld) %s", worker->name, (long)worker->pid,
            status == 0 ? "went home: its tasks pipe was closed" : "ended while idle");
    worker_gone(pool, worker);
}

static void *result_handler(void *arg)
{
    struct pool *pool = arg;
    struct pollfd fds[POOL_MOST_WORKERS];
    int which[POOL_MOST_WORKERS];
    struct outcome outcome;
    long values[CHUNK_MOST];
    const char *errors[CHUNK_MOST];
    for (;;) {
        int watched = 0;
        pthread_mutex_lock(&pool->lock);
        for (int w = 0; w < pool->size; w++)
            if (pool->workers[w].alive) {
                fds[watched] = (struct pollfd){ .fd = pool->workers[w].from_worker.fd, .events = POLLIN };
                which[watched++] = w;
            }
        pthread_mutex_unlock(&pool->lock);
        if (watched == 0)
            break; /* every worker is gone */
        if (poll(fds, (nfds_t)watched, -1) < 0)
            continue; /* EINTR */
        for (int k = 0; k < watched; k++) {
            if (!fds[k].revents)
                continue;
            struct pool_worker *worker = &pool->workers[which[k]];
            if (conn_recv(&worker->from_worker, &outcome, sizeof outcome) < (long)OUTCOME_BYTES(1)) {
                worker_ended(pool, worker);
                continue;
            }
            pthread_mutex_lock(&pool->lock);
            worker->task = -1; /* idle: give it the next chunk at once */
            send_waiting_tasks(pool);
            pthread_mutex_unlock(&pool->lock);
            for (int j = 0; j < outcome.count; j++) {
                values[j] = outcome.results[j].value;
                errors[j] = outcome.results[j].error;
            }
            chunk_ended(pool, outcome.first, outcome.count, values, errors);
        }
    }
    return NULL;
}

bool process_pool_start(struct pool *pool)
{
    /* Fork every worker before the handler thread starts: a fork copies
     * only the calling thread (see process.h). */
    for (int w = 0; w < pool->size; w++) {
        struct pool_worker *worker = &pool->workers[w];
        if (!Pipe(false, &worker->worker_in, &worker->to_worker) ||
            !Pipe(false, &worker->from_worker, &worker->worker_out)) { /* Pipe() said why */
            conn_close(&worker->worker_in);
            conn_close(&worker->to_worker);
            process_pool_terminate(pool);
            process_pool_join(pool);
            return false;
        }
        pid_t pid = child_start(worker_main, worker);
        conn_close(&worker->worker_in); /* the child's ends are the child's now */
        conn_close(&worker->worker_out);
        if (pid < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            conn_close(&worker->to_worker);
            conn_close(&worker->from_worker);
            process_pool_terminate(pool);
            process_pool_join(pool);
            return false;
        }
        worker->pid = pid;
        worker->alive = true;
        pool->alive++;
        if (pool->voice == SAY_EACH_TASK)
            say("pool", "%s is process %ld", worker->name, (long)pid);
    }
    int error = pthread_create(&pool->handler, NULL, result_handler, pool);
    if (error) {
        report_thread_refusal(error, 0);
        process_pool_terminate(pool);
        process_pool_join(pool);
        return false;
    }
    pool->handler_started = true;
    return true;
}

void process_pool_submit(struct pool *pool, long first, int count)
{
    (void)first, (void)count; /* the last in the table: sent in turn */
    pthread_mutex_lock(&pool->lock);
    send_waiting_tasks(pool);
    pthread_mutex_unlock(&pool->lock);
}

/* Python sends SIGTERM; these children ignore it (process.h), so SIGKILL. */
void process_pool_terminate(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    for (int w = 0; w < pool->size; w++)
        if (pool->workers[w].alive) /* not yet reaped: its pid is still its own */
            kill(pool->workers[w].pid, SIGKILL);
    pthread_mutex_unlock(&pool->lock);
}

void process_pool_join(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    if (!pool->terminated)
        while (pool->ended < pool->count && pool->alive > 0) /* every task handed in ends first */
            pthread_cond_wait(&pool->task_ended, &pool->lock);
    for (int w = 0; w < pool->size; w++)
        conn_close(&pool->workers[w].to_worker); /* each worker reads end of file, and goes home */
    pthread_mutex_unlock(&pool->lock);
    if (pool->handler_started)
        pthread_join(pool->handler, NULL); /* it ends when every worker has */
    else /* a start that failed half-way: reap the workers here */
        for (int w = 0; w < pool->size; w++)
            if (pool->workers[w].alive) {
                conn_close(&pool->workers[w].from_worker);
                child_join(pool->workers[w].pid);
                pool->workers[w].alive = false;
                pool->alive--;
            }
    pool->handler_started = false;
}
