/* process_pool: Pool(n) -- n worker processes forked once, which all read
 * their tasks from one pipe and write their results into another:
 *
 *     def worker(tasks, results):          # in each child
 *         while True:
 *             with tasks_lock:             # one reader at a time
 *                 task = tasks.recv()
 *             if task is None:             # the pool is closing: go home
 *                 break
 *             results.send(run(task))
 *
 * In the parent, as in Python, the task handler (pool_tasks.c) writes the
 * tasks handed in into the task pipe, and the result handler below reads
 * the result pipe and runs the callbacks.  Whichever idle worker gets the
 * lock first reads the next task: the articles' words, a task takes an idle
 * process, or waits until one is free.
 *
 * One result pipe for all means the parent can no longer see a worker die
 * by the end of its own pipe.  So a worker says which task it took before
 * it runs it, and the result handler also watches each worker's sentinel,
 * a pipe that ends when the worker does: if the worker had said "took"
 * with no result after, its task died with it.  (A worker killed from
 * outside between reading a task and saying so would lose that task
 * unseen, and join() would wait for it, as Python's does for any lost
 * task; in this lesson only terminate() and Ctrl-C kill workers, and both
 * end them all.) */
#include "pool_internal.h"

#include "lesson.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* What goes down the task pipe -- a chunk of tasks, often of one; or None,
 * a chunk of none.  A forked worker is a copy of this program, so a
 * function's address and a string literal's mean the same thing in it: the
 * parent sends addresses, where Python's pickle sends a function's name.
 * Only the chunk's part of args is sent. */
struct order {
    long first; /* tasks first .. first+count-1 */
    int count;  /* 0: None */
    task_fn *fn;
    const char *name;
    long args[CHUNK_MOST];
};
/* What comes up the result pipe: "took" before a chunk runs, and "ended"
 * with its results after. */
struct report {
    enum { TOOK, ENDED } what;
    int worker; /* 1.. */
    long first;
    int count;
    double at; /* lesson seconds, when it took the chunk */
    struct {
        long value;
        const char *error; /* a string literal given to task_raise(), or NULL */
    } results[CHUNK_MOST];
};
#define ORDER_BYTES(count) (offsetof(struct order, args) + (size_t)(count) * sizeof(long))
#define REPORT_BYTES(count) (offsetof(struct report, results) + (size_t)(count) * sizeof(((struct report *)0)->results[0]))
/* Many workers write the result pipe, and no lock is taken among them:
 * each report, with its length, is one write of at most PIPE_BUF bytes,
 * which POSIX writes whole, never mixed with another writer's (connection.h).
 * Python takes a lock there (its SimpleQueue's _wlock), since a pickled
 * result can be longer than that.  The largest report must fit, or the
 * build fails: */
_Static_assert(sizeof(uint32_t) + REPORT_BYTES(CHUNK_MOST) <= PIPE_BUF, "a report must fit in PIPE_BUF");

/* The lock among the readers of the task pipe: a message is read in two
 * parts, its length and then its bytes, and two readers must not split
 * one.  It is robust: if a worker is killed while it holds it, the next
 * reader is told (EOWNERDEAD) and takes it over, instead of waiting for
 * ever. */
static void lock_readers(pthread_mutex_t *readers)
{
    if (pthread_mutex_lock(readers) == EOWNERDEAD)
        pthread_mutex_consistent(readers);
}

static int worker_main(void *arg) /* in the child */
{
    struct pool_worker *me = arg; /* the child's own copy of the pool */
    struct pool *pool = me->pool;
    me->pid = getpid();
    set_thread_name(me->name);
    conn_close(&pool->task_pipe); /* the parent's ends, and its ends of the sentinels */
    conn_close(&pool->result_pipe);
    for (int w = 0; w < me->number; w++)
        close(pool->workers[w].sentinel);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core); /* a task that crashes leaves no core file */
    struct order order;
    struct report report;
    memset(&report, 0, sizeof report); /* its padding too: every byte sent is defined */
    report.worker = me->number;
    for (;;) {
        lock_readers(pool->readers);
        long got = conn_recv(&pool->tasks_for_workers, &order, sizeof order);
        pthread_mutex_unlock(pool->readers);
        if (got < (long)ORDER_BYTES(0) || order.count == 0)
            break; /* None: go home */
        report.what = TOOK;
        report.first = order.first;
        report.count = order.count;
        report.at = lesson_now();
        if (!conn_send(&pool->results_from_workers, &report, (uint32_t)REPORT_BYTES(0)))
            return 1;
        for (int k = 0; k < order.count; k++) {
            if (pool->voice == SAY_EACH_TASK)
                say(me->name, "runs %s(%ld) in process %ld", order.name, order.args[k], (long)me->pid);
            span_begin(me->name, SPAN_TASK); /* recorded in shared memory: --timeline sees children too */
            report.results[k].value = run_task(order.fn, order.args[k], &report.results[k].error);
            span_end(me->name, SPAN_TASK);
        }
        report.what = ENDED;
        if (!conn_send(&pool->results_from_workers, &report, (uint32_t)REPORT_BYTES(order.count)))
            return 1;
    }
    if (pool->voice == SAY_EACH_TASK)
        say(me->name, "takes None: goes home (process %ld)", (long)me->pid);
    return 0;
}

/* -- the result handler ------------------------------------------------------- */

/* The result pipe, read in big gulps: one read() brings every report that
 * is waiting, and the handler goes through them before it sleeps again. */
struct gulp {
    char bytes[65536 + sizeof(uint32_t) + sizeof(struct report)];
    size_t held; /* bytes read and not yet used: the start of a report cut by the gulp's end */
};

static void handle(struct pool *pool, const struct report *report)
{
    struct pool_worker *worker = &pool->workers[report->worker - 1];
    if (report->what == TOOK) {
        pthread_mutex_lock(&pool->lock);
        worker->task = report->first;
        worker->chunk = report->count;
        pthread_mutex_unlock(&pool->lock);
        chunk_taken(pool, report->first, report->count, worker, report->at);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    worker->task = -1;
    pthread_mutex_unlock(&pool->lock);
    for (int k = 0; k < report->count; k++) { /* the table's slots of a chunk that ended: this thread's */
        task_at(pool, report->first + k)->value = report->results[k].value;
        task_at(pool, report->first + k)->error = report->results[k].error;
    }
    chunk_ended(pool, report->first, report->count);
}

/* Read and handle every report waiting in the result pipe (the parent's
 * end does not block).  False at end of file: no worker is left. */
static bool read_reports(struct pool *pool, struct gulp *gulp)
{
    for (;;) {
        ssize_t got = read(pool->result_pipe.fd, gulp->bytes + gulp->held, sizeof gulp->bytes - gulp->held);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0; /* EAGAIN: nothing more now */
        gulp->held += (size_t)got;
        size_t used = 0;
        uint32_t length;
        struct report report;
        while (gulp->held - used >= sizeof length) {
            memcpy(&length, gulp->bytes + used, sizeof length);
            if (length > sizeof report)
                return false; /* not a report: cannot happen, as only workers write here */
            if (gulp->held - used < sizeof length + length)
                break; /* the rest of it is still in the pipe */
            memcpy(&report, gulp->bytes + used + sizeof length, length);
            used += sizeof length + length;
            handle(pool, &report);
        }
        memmove(gulp->bytes, gulp->bytes + used, gulp->held - used);
        gulp->held -= used;
    }
}

/* A worker's sentinel ended: it exited or died.  Every report it wrote is
 * in the result pipe, and was read just before.  Reap it, and fail the
 * chunk it took and did not return, if any. */
static void worker_ended(struct pool *pool, struct pool_worker *worker)
{
    pthread_mutex_lock(&pool->lock);
    long task = worker->task;
    int chunk = worker->chunk;
    worker->task = -1;
    worker->alive = false; /* from now on terminate() leaves its pid alone */
    pool->lost += task >= 0;
    bool terminated = pool->terminated;
    pthread_mutex_unlock(&pool->lock);
    close(worker->sentinel);
    worker->sentinel = -1;
    int status = child_join(worker->pid);
    int died_of = status > 128 ? status - 128 : 0;
    if (task >= 0) {
        const char *name = task_at(pool, task)->name;
        long arg = task_at(pool, task)->arg;
        const char *actor = current_thread_name();
        if (terminated) {
            say(actor, "%s (process %ld) killed by terminate() while it ran %s(%ld)%s", worker->name,
                (long)worker->pid, name, arg, chunk > 1 ? _(" and its chunk") : "");
            chunk_lost(pool, task, chunk, TASK_KILLED, N_("killed by terminate()"), died_of);
        } else if (!lesson_stop_requested()) {
            say(actor, "%s (process %ld) died of %s while it ran %s(%ld)%s: %s", worker->name, (long)worker->pid,
                signal_name(died_of), name, arg, chunk > 1 ? _(" and its chunk") : "",
                chunk > 1 ? _("they fail") : _("that task fails"));
            chunk_lost(pool, task, chunk, TASK_FAILED, N_("its worker process died"), died_of);
        } else
            chunk_lost(pool, task, chunk, TASK_KILLED, N_("the lesson was stopped"), died_of);
    } else if (status != 0 && !terminated && !lesson_stop_requested())
        say(current_thread_name(), "%s (process %ld) ended while idle, with status %d", worker->name,
            (long)worker->pid, status);
    worker_gone(pool, worker);
}

/* Python's _handle_results, with the watch on the sentinels that Python's
 * worker handler keeps. */
static void *result_handler(void *arg)
{
    struct pool *pool = arg;
    set_thread_name("result-handler");
    struct gulp gulp = { .held = 0 }; /* 68 KiB on this thread's stack */
    struct pollfd fds[1 + POOL_MOST_WORKERS];
    int which[1 + POOL_MOST_WORKERS];
    for (;;) {
        int watched = 1;
        fds[0] = (struct pollfd){ .fd = pool->result_pipe.fd, .events = POLLIN };
        pthread_mutex_lock(&pool->lock);
        for (int w = 0; w < pool->size; w++)
            if (pool->workers[w].alive) {
                fds[watched] = (struct pollfd){ .fd = pool->workers[w].sentinel, .events = POLLIN };
                which[watched++] = w;
            }
        pthread_mutex_unlock(&pool->lock);
        if (watched == 1)
            break; /* every worker is gone */
        if (poll(fds, (nfds_t)watched, -1) < 0)
            continue; /* EINTR */
        if (fds[0].revents)
            read_reports(pool, &gulp);
        for (int k = 1; k < watched; k++)
            if (fds[k].revents) {
                read_reports(pool, &gulp); /* first, what it wrote before it ended */
                worker_ended(pool, &pool->workers[which[k]]);
            }
    }
    read_reports(pool, &gulp); /* the last reports, if any */
    return NULL;
}

/* -- starting, sending, stopping ---------------------------------------------- */

/* Undo a start that failed half-way: kill and reap the workers forked. */
static void abandon(struct pool *pool)
{
    for (int w = 0; w < pool->size; w++)
        if (pool->workers[w].alive) {
            kill(pool->workers[w].pid, SIGKILL);
            child_join(pool->workers[w].pid);
            pool->workers[w].alive = false;
            pool->alive--;
        }
    for (int w = 0; w < pool->size; w++)
        if (pool->workers[w].sentinel >= 0)
            close(pool->workers[w].sentinel);
    conn_close(&pool->task_pipe);
    conn_close(&pool->result_pipe);
    conn_close(&pool->tasks_for_workers);
    conn_close(&pool->results_from_workers);
    shared_memory_free(pool->readers, sizeof *pool->readers);
}

bool process_pool_start(struct pool *pool)
{
    pool->readers = shared_memory(sizeof *pool->readers); /* what a fork() shares instead of copying */
    if (!pool->readers) {
        report_no_memory(NULL, "a lock shared with the workers");
        return false;
    }
    pthread_mutexattr_t shared;
    pthread_mutexattr_init(&shared);
    pthread_mutexattr_setpshared(&shared, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&shared, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(pool->readers, &shared);
    pthread_mutexattr_destroy(&shared);
    if (!Pipe(false, &pool->tasks_for_workers, &pool->task_pipe) ||
        !Pipe(false, &pool->result_pipe, &pool->results_from_workers)) { /* Pipe() said why */
        abandon(pool);
        return false;
    }
    /* Fork every worker before the handler threads start: a fork copies
     * only the calling thread (see process.h). */
    for (int w = 0; w < pool->size; w++) {
        struct pool_worker *worker = &pool->workers[w];
        struct connection sentinel, its_end;
        if (!Pipe(false, &sentinel, &its_end)) {
            abandon(pool);
            return false;
        }
        worker->sentinel = sentinel.fd;
        pid_t pid = child_start(worker_main, worker);
        conn_close(&its_end); /* the child's alone now: it closes when the child ends */
        if (pid < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            abandon(pool);
            return false;
        }
        worker->pid = pid;
        worker->alive = true;
        pool->alive++;
        if (pool->voice == SAY_EACH_TASK)
            say("pool", "%s is process %ld", worker->name, (long)pid);
    }
    conn_close(&pool->tasks_for_workers); /* the workers' ends are theirs */
    conn_close(&pool->results_from_workers);
    fcntl(pool->result_pipe.fd, F_SETFL, fcntl(pool->result_pipe.fd, F_GETFL) | O_NONBLOCK);
    if (!start_handlers(pool, result_handler, 0)) {
        abandon(pool);
        return false;
    }
    if (pool->voice == SAY_EACH_TASK) {
        say("pool", "task-handler and result-handler started: threads of this process");
        note("The workers share one task pipe (a lock lets one read at a time) and one result pipe.");
    }
    return true;
}

/* Only this thread writes the task pipe, so it writes many orders at once:
 * the readers' lock, not the size of a write, keeps each order whole for
 * one reader.  False if no worker is left to read them (EPIPE). */
bool process_pool_send_tasks(struct pool *pool, long first, long count)
{
    char batch[65536]; /* on this thread's stack */
    size_t used = 0;
    struct order order;
    memset(&order, 0, sizeof order); /* its padding too: every byte sent is defined */
    for (long n = first; n < first + count; n += order.count) {
        const struct task *task = task_at(pool, n);
        order.first = n;
        order.count = task->chunk;
        order.fn = task->fn;
        order.name = task->name;
        for (int k = 0; k < order.count; k++)
            order.args[k] = task_at(pool, n + k)->arg;
        uint32_t length = (uint32_t)ORDER_BYTES(order.count);
        if (used + sizeof length + length > sizeof batch) {
            if (!write_all(pool->task_pipe.fd, batch, used))
                return false;
            used = 0;
        }
        memcpy(batch + used, &length, sizeof length); /* framed as conn_send() frames it */
        memcpy(batch + used + sizeof length, &order, length);
        used += sizeof length + length;
    }
    return write_all(pool->task_pipe.fd, batch, used);
}

void process_pool_send_nones(struct pool *pool)
{
    struct order none;
    memset(&none, 0, sizeof none); /* count 0 */
    for (int w = 0; w < pool->size; w++)
        if (!conn_send(&pool->task_pipe, &none, (uint32_t)ORDER_BYTES(0)))
            return;
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
    pthread_join(pool->task_handler, NULL);   /* it sent the Nones, or stopped at terminate() */
    pthread_join(pool->result_handler, NULL); /* it ends when every worker has */
    conn_close(&pool->task_pipe);
    conn_close(&pool->result_pipe);
    /* No destroy: a worker killed while it waited for the lock (terminate,
     * Ctrl-C) never said it stopped waiting.  Every worker is gone. */
    shared_memory_free(pool->readers, sizeof *pool->readers);
    pool->readers = NULL;
}
