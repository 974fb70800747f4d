/* pool: multiprocessing's Pool and ThreadPool, in C.
 *
 *     pool = Pool(5)                        pool = Pool(PROCESS_POOL, 5, ...)
 *     pool = ThreadPool(5)                  pool = Pool(THREAD_POOL, 5, ...)
 *     pool.apply_async(Foo, (i,), callback=Bar)
 *                                           apply_async(pool, Foo, i, Bar, NULL)
 *     value = pool.apply(Foo, (i,))         apply(pool, Foo, i, &value)
 *     values = pool.map(Foo, range(10))     pool_map(pool, Foo, args, values, 10)
 *     pool.close(); pool.join()             pool_close(pool); pool_join(pool)
 *     pool.terminate()                      pool_terminate(pool)
 *     threading.current_thread().name       current_thread_name()
 *
 * A pool starts its workers once, and every task reuses them: that is the
 * whole point of it.  It is built as Python builds it (pool_internal.h):
 * apply_async() only writes the task down; a task-handler thread puts it
 * into one task queue that every worker reads; the worker that takes it
 * puts its result into one result queue; and a result-handler thread takes
 * the result and runs the callback.  So the callbacks run one at a time, on
 * the result handler, in both kinds.  process_pool.c forks the workers, and
 * its two queues are pipes; thread_pool.c starts threads, and its queues
 * are the queue lesson's (blocking_queue.c).  What both share is in
 * pool_tasks.c.
 *
 * Where this differs from Python, and why:
 *   - error_callback gets the task's number and the error, where Python's
 *     gets the exception alone: C has no exception object to carry both.
 *   - A worker process that dies fails the task it ran (its error_callback
 *     runs), and the pool goes on with the others.  Python's Pool starts a
 *     new worker instead (a third thread, the worker handler, does that),
 *     and the lost task never ends: its error_callback never runs and
 *     join() waits for ever.  Here the result handler watches each worker's
 *     sentinel, as Python's worker handler does, and starts none.
 *   - terminate() kills worker processes with SIGKILL, where Python sends
 *     SIGTERM: these children ignore SIGTERM (process.h).
 *   - The process pool sends a function's address down the pipe, where
 *     Python pickles its name: a forked worker is a copy of this program.
 *   - join() implies close(); Python raises ValueError without one. */
#ifndef CONCDEMO_POOL_H
#define CONCDEMO_POOL_H
#include <stdbool.h>
#include <sys/types.h>

typedef long task_fn(long arg);               /* def Foo(i): return i + 100 */
typedef void callback_fn(long value);         /* def Bar(arg): print(arg) */
typedef void error_callback_fn(long task, const char *error);

/* Inside a task: fail it, as `raise ValueError(...)` does in Python.  Give a
 * string literal; returns 0, for the task to return:
 *     if (bad) return task_raise("ValueError: ..."); */
long task_raise(const char *error);

enum pool_kind { PROCESS_POOL, THREAD_POOL };
enum { POOL_MOST_WORKERS = 64 };
/* map() hands tasks to the workers in chunks, as Python's does: a chunk is
 * one trip through the queue or the pipes for many tasks.  Python's size is
 * len(args) / (4 * workers), rounded up; this pool's is also at most
 * CHUNK_MOST, so that a chunk's order fits in one pipe message (PIPE_BUF). */
enum { CHUNK_MOST = 200 };
long pool_chunksize(int workers, long count);

/* Say a line when each task starts, and when a worker starts and ends;
 * or stay quiet, for many tiny tasks. */
enum pool_voice { SAY_EACH_TASK, QUIETLY };

/* Start `workers` workers.  NULL, said on stderr, if the system refused. */
struct pool *Pool(enum pool_kind kind, int workers, enum pool_voice voice);

/* Hand in fn(arg), and return at once: the task's number, from 0; or -1 if
 * the pool was closed.  When it ends, callback(value) runs, or
 * error_callback(task, error) if it failed; either may be NULL. */
#define apply_async(pool, fn, arg, callback, error_callback) \
    pool_apply_async(pool, #fn, fn, arg, callback, error_callback)
/* fn(arg) on a worker, waiting for its value.  False if the task failed. */
#define apply(pool, fn, arg, value) pool_apply(pool, #fn, fn, arg, value)
/* fn(args[i]) for each i, spread over the workers in chunks; values[i] in
 * the order of args, whatever order they ended in.  False if any failed. */
#define pool_map(pool, fn, args, values, count) pool_map_named(pool, #fn, fn, args, values, count)
/* What the three call, with the function's name as a string ("Foo"). */
long pool_apply_async(struct pool *pool, const char *name, task_fn *fn, long arg, callback_fn *callback,
                      error_callback_fn *error_callback);
bool pool_apply(struct pool *pool, const char *name, task_fn *fn, long arg, long *value);
bool pool_map_named(struct pool *pool, const char *name, task_fn *fn, const long *args, long *values, long count);

/* close(): no more tasks; the workers finish those handed in.
 * terminate(): stop now, and run no callback from now on, as Python's.  A
 * worker process is killed; a worker thread cannot be, so it runs its task
 * to the end and its result is dropped.  What never ran is dropped too.
 * join(): after close() or terminate(), wait until every worker is gone. */
void pool_close(struct pool *pool);
void pool_terminate(struct pool *pool);
void pool_join(struct pool *pool);
void pool_free(struct pool *pool);

/* threading.current_thread().name, as the pool names its threads:
 * "result-handler" in a callback, "worker3" in a task, "main" elsewhere. */
const char *current_thread_name(void);

/* What became of a task: Python's AsyncResult. */
enum task_state {
    TASK_WAITING, /* handed in, no worker said it took it */
    TASK_RUNNING, /* a worker process said it took it */
    TASK_DONE,    /* value holds what fn returned */
    TASK_FAILED,  /* it raised, or its worker process died: error says why */
    TASK_KILLED,  /* its worker was stopped while it ran (terminate) */
    TASK_DROPPED, /* it never ran: terminated, or no worker was left */
};
struct task {
    task_fn *fn;
    const char *name; /* "Foo" */
    long arg;
    callback_fn *callback;
    error_callback_fn *error_callback;
    enum task_state state;
    long value;
    const char *error;
    int died_of;          /* the signal that ended its worker process, or 0 */
    int worker;           /* 1.. the worker that took it; 0 if none did */
    pid_t pid;            /* that worker's process id (process pools) */
    double started, ended; /* lesson seconds */
    bool awaited;         /* apply() waits for this one */
    bool result_dropped;  /* it returned after terminate(): no callback, no value for main */
    int chunk;            /* at a chunk's first task: how many tasks it holds */
};
/* After join(): task n (0 <= n < pool_task_count), and how many workers
 * died while they ran a task (a crash, terminate()). */
const struct task *pool_task(struct pool *pool, long n);
long pool_task_count(struct pool *pool);
int pool_workers_lost(struct pool *pool);
const char *task_state_name(enum task_state state); /* "done", "failed", ... */
const char *signal_name(int signal);                /* "SIGABRT" */

#endif
