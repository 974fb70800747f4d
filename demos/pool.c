/* pool: workers started once and reused for many tasks.
 * Seed 000 §3.4 (进程池), seed 003 (进程/线程池), seed 004 (进程池, 线程池).
 *
 * The article's program (seed 000):
 *
 *     from multiprocessing import Process, Pool
 *     import time
 *
 *     def Foo(i):
 *         time.sleep(2)
 *         return i+100
 *
 *     def Bar(arg):
 *         print('-->exec done:', arg)
 *
 *     pool = Pool(5)
 *     for i in range(10):
 *         pool.apply_async(func=Foo, args=(i,), callback=Bar)
 *         #pool.apply(func=Foo, args=(i,))
 *     print('end')
 *     pool.close()
 *     pool.join()
 *
 * The pools are in process_pool.c (forked workers, pipes) and thread_pool.c
 * (threads, queues); pool.h says how each call maps to Python's, and how a
 * pool is built: a task handler, one task queue for all the workers, one
 * result queue, and a result handler that runs the callbacks. */
#include "lesson.h"

#include "primitives/pool.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum pool_kind kind;   /* --kind: Pool or ThreadPool */
static int workers;           /* Pool(5) */
static long tasks;            /* range(10) */
static double task_seconds;   /* time.sleep(2) */
static atomic_int *delivered; /* [i]: how often Foo(i)'s result reached main */
static void tally(long value); /* the lesson's evidence: does each result come once, and on which thread? */

static long Foo(long i) /* def Foo(i): */
{
    lesson_sleep(task_seconds); /* time.sleep(2) */
    return i + 100;
}

static void Bar(long arg) /* def Bar(arg): runs in main's process, on the pool's result-handler thread */
{
    say(current_thread_name(), "-->exec done: %ld", arg); /* print('-->exec done:', arg) */
    tally(arg);
}

static const char *pool_name(void)
{
    return kind == PROCESS_POOL ? "Pool" : "ThreadPool";
}

/* What the transcript says after a run, from the pool's record of each
 * task: at the end of this file. */
static int tell_waves(struct pool *pool);
static void tell_workers(struct pool *pool);
static long list_tasks(struct pool *pool, enum task_state state, char *list, size_t size);
static void count_delivered(long *total, long *duplicates, long *missing);
static const char *callback_thread(void);
static int count_per_worker(struct pool *pool, char *list, size_t size);
static void tell_turns(struct pool *pool);

/* -- part 1, seed 000: Pool(5), ten tasks of 2 s --------------------------- */

static void article_async(struct pool *pool, double *end_at)
{
    for (long i = 0; i < tasks; i++)
        apply_async(pool, Foo, i, Bar, NULL); /* pool.apply_async(func=Foo, args=(i,), callback=Bar) */
    say("main", "end"); /* print('end'): every apply_async() has returned at once */
    *end_at = lesson_now();
    say("main", "pool.close(); pool.join(): no more tasks, and wait for the workers");
    pool_close(pool);
    pool_join(pool);
}

static void article_sync(struct pool *pool, double *end_at)
{
    for (long i = 0; i < tasks; i++) {
        long value;
        if (!apply(pool, Foo, i, &value)) /* pool.apply(func=Foo, args=(i,)) waits for its result */
            break;
        say("main", "apply(Foo, (%ld,)) -> %ld", i, value);
        atomic_fetch_add(&delivered[value - 100], 1);
    }
    say("main", "end");
    *end_at = lesson_now();
    pool_close(pool);
    pool_join(pool);
}

static void article_map(struct pool *pool, double *end_at)
{
    long *args = calloc((size_t)tasks, sizeof *args), *values = calloc((size_t)tasks, sizeof *values);
    if (args && values) {
        for (long i = 0; i < tasks; i++)
            args[i] = i;
        say("main", "values = pool.map(Foo, range(%ld)): waits for them all", tasks);
        if (pool_map(pool, Foo, args, values, tasks)) {
            char text[120];
            size_t used = 0;
            for (long i = 0; i < tasks && used < sizeof text - 30; i++)
                used += (size_t)snprintf(text + used, sizeof text - used, "%s%ld", i ? ", " : "", values[i]);
            say("main", "values -> [%s%s]", text, used >= sizeof text - 30 ? ", ..." : "");
            for (long i = 0; i < tasks; i++)
                atomic_fetch_add(&delivered[values[i] - 100], 1);
        }
    }
    free(args);
    free(values);
    say("main", "end");
    *end_at = lesson_now();
    pool_close(pool);
    pool_join(pool);
}

static int part_article(void)
{
    const char *mode = option_choice("mode");
    callback_thread(); /* forget any earlier part's */
    say("main", "part 1, seed 000: pool = %s(%d); %ld tasks Foo(i): sleep(%g), return i+100", pool_name(),
        workers, tasks, task_seconds);
    if (strcmp(mode, "async") == 0) {
        note("apply_async() writes the task down and returns at once.  The task-handler puts it into the "
             "task %s, a worker takes it, and the result-handler runs Bar(result) when it comes back.",
             kind == PROCESS_POOL ? _("pipe") : _("queue"));
    } else if (strcmp(mode, "sync") == 0)
        note("apply() hands a task in and waits for its result, so one task runs at a time, whatever the pool's size.");
    else
        note("map() hands them all in, waits for all, and gives the values in the order of its arguments.");
    delivered = calloc((size_t)tasks, sizeof *delivered);
    struct pool *pool = delivered ? Pool(kind, workers, SAY_EACH_TASK) : NULL; /* pool = Pool(5) */
    if (!pool) {
        free(delivered);
        return not_started();
    }
    double began = lesson_now(), end_at = 0;
    if (strcmp(mode, "async") == 0)
        article_async(pool, &end_at);
    else if (strcmp(mode, "sync") == 0)
        article_sync(pool, &end_at);
    else
        article_map(pool, &end_at);
    double elapsed = lesson_now() - began;
    if (!lesson_stop_requested()) {
        /* One task after another with apply(); else as many at once as there
         * are workers, and map() hands each worker a chunk of tasks at a time. */
        long chunk = strcmp(mode, "map") == 0 ? pool_chunksize(workers, tasks) : 1;
        long chunks = (tasks + chunk - 1) / chunk;
        long rounds = strcmp(mode, "sync") == 0 ? tasks : (chunks + workers - 1) / workers * chunk;
        double expected = (double)rounds * task_seconds;
        say("main", "pool.join() returned after %.2f s; %ld %s of %g s make %.2f s", elapsed, rounds,
            translate_plural("round", "rounds", (unsigned long)rounds), task_seconds, expected);
        int waves = tell_waves(pool);
        tell_workers(pool);
        char per_worker[POOL_MOST_WORKERS * 8];
        int used = count_per_worker(pool, per_worker, sizeof per_worker);
        if (strcmp(mode, "sync") == 0)
            tell_turns(pool);
        long done = 0, total, duplicates, missing;
        for (long n = 0; n < pool_task_count(pool); n++)
            done += pool_task(pool, n)->state == TASK_DONE;
        count_delivered(&total, &duplicates, &missing);
        if (duplicates == 0 && missing == 0)
            note("Every result reached main exactly once.");
        else
            note("NOT exactly once: %ld results twice, %ld never.", duplicates, missing);
        const char *on = callback_thread();
        if (strcmp(on, "result-handler") == 0)
            note("Every callback ran on the result-handler, one at a time, as Python's run on _handle_results.");
        else if (strcmp(on, "none") != 0)
            note("The callbacks ran on %s, NOT on the result handler alone.", on);
        result_at_end("part=article kind=%s mode=%s workers=%d tasks=%ld done=%ld delivered=%ld duplicates=%ld "
                      "missing=%ld end_at=%.2f waves=%d elapsed=%.2f expected=%.2f callback_thread=%s "
                      "workers_used=%d per_worker=%s",
                      option_choice("kind"), mode, workers, tasks, done, total, duplicates, missing,
                      end_at - began, waves, elapsed, expected, on, used, per_worker);
    }
    pool_free(pool);
    free(delivered);
    return 0;
}

/* -- part 2: terminate() while the tasks run ------------------------------- */

static int part_terminate(void)
{
    say("main", "part 2: pool = %s(%d), %ld tasks of %g s; pool.terminate() after %g s", pool_name(), workers,
        tasks, task_seconds, task_seconds / 2);
    delivered = calloc((size_t)tasks, sizeof *delivered);
    struct pool *pool = delivered ? Pool(kind, workers, SAY_EACH_TASK) : NULL;
    if (!pool) {
        free(delivered);
        return not_started();
    }
    for (long i = 0; i < tasks; i++)
        apply_async(pool, Foo, i, Bar, NULL);
    lesson_sleep(task_seconds / 2);
    say("main", "pool.terminate(): stop now, finished or not");
    long before, duplicates, missing;
    count_delivered(&before, &duplicates, &missing);
    double asked = lesson_now();
    pool_terminate(pool);
    pool_join(pool);
    double join_after = lesson_now() - asked;
    if (!lesson_stop_requested()) {
        long counts[TASK_DROPPED + 1] = { 0 }, dropped_results = 0, after;
        for (long n = 0; n < pool_task_count(pool); n++) {
            counts[pool_task(pool, n)->state]++;
            dropped_results += pool_task(pool, n)->result_dropped;
        }
        count_delivered(&after, &duplicates, &missing);
        long callbacks = after - before; /* Bar's own count: the callbacks that ran after terminate() */
        say("main", "pool.join() returned %.2f s after terminate(): %ld ran to their end, %ld killed running, "
            "%ld never ran; %ld callbacks", join_after, counts[TASK_DONE] + counts[TASK_FAILED],
            counts[TASK_KILLED], counts[TASK_DROPPED], callbacks);
        char listed[80];
        if (counts[TASK_KILLED]) {
            list_tasks(pool, TASK_KILLED, listed, sizeof listed);
            note("killed while running: tasks %s", listed);
        }
        if (dropped_results)
            note("ran to their end, results dropped: %ld tasks", dropped_results);
        list_tasks(pool, TASK_DROPPED, listed, sizeof listed);
        note("never ran: tasks %s", counts[TASK_DROPPED] ? listed : _("none"));
        if (callbacks == 0)
            note("No callback ran after terminate(), as in Python: its result handler stops there.");
        else
            note("%ld callbacks ran after terminate(): Python's would run none.", callbacks);
        if (kind == PROCESS_POOL) {
            note("A process can be killed: its memory is its own, and the kernel takes all of it back.");
            note("The workers were killed (SIGKILL) and reaped: the tasks they ran are lost, not finished.");
        } else {
            note("A thread cannot be killed: it shares the process's memory and locks, and stopped in the "
                 "middle of a task it could leave a lock held or memory half-written.  pthread_cancel() acts "
                 "only where the thread waits (cancellation points); Python's threads have no kill() at all.");
            note("So the running tasks ran to their end, join() waited for them, and their results were dropped.");
        }
        result_at_end("part=terminate kind=%s workers=%d tasks=%ld done=%ld killed=%ld dropped=%ld "
                      "join_after=%.2f callbacks_after_terminate=%ld results_dropped=%ld",
                      option_choice("kind"), workers, tasks, counts[TASK_DONE], counts[TASK_KILLED],
                      counts[TASK_DROPPED], join_after, callbacks, dropped_results);
    }
    pool_free(pool);
    free(delivered);
    return 0;
}

/* -- part 3: a task that fails, and a worker that dies ---------------------- */

static long Risky(long i) /* Foo, except that task 1 raises and task 2 crashes its worker */
{
    lesson_sleep(task_seconds);
    if (i == 1)
        return task_raise(N_("ValueError: Risky(1) refuses"));
    if (i == 2 && kind == PROCESS_POOL)
        abort(); /* the worker process dies of SIGABRT, as if it had crashed */
    return i + 100;
}

static void Oops(long task, const char *error) /* error_callback: on the result-handler thread too */
{
    say(current_thread_name(), "-->exec failed: task %ld: %s", task, _(error));
}

static int part_failure(void)
{
    say("main", "part 3: pool = %s(%d), %ld tasks Risky(i): task 1 raises%s", pool_name(), workers, tasks,
        kind == PROCESS_POOL ? _(", task 2 crashes its worker") : "");
    if (kind == THREAD_POOL) {
        note("A crash in a thread would end the whole program, main too: threads share one process.");
        note("So no task crashes here; --kind process shows a worker die and the pool go on.");
    }
    delivered = calloc((size_t)tasks, sizeof *delivered);
    struct pool *pool = delivered ? Pool(kind, workers, SAY_EACH_TASK) : NULL;
    if (!pool) {
        free(delivered);
        return not_started();
    }
    double began = lesson_now();
    for (long i = 0; i < tasks; i++)
        apply_async(pool, Risky, i, Bar, Oops);
    pool_close(pool);
    pool_join(pool);
    double elapsed = lesson_now() - began;
    if (!lesson_stop_requested()) {
        long done = 0, failed = 0, crashed = 0;
        for (long n = 0; n < pool_task_count(pool); n++) {
            const struct task *task = pool_task(pool, n);
            done += task->state == TASK_DONE;
            failed += task->state != TASK_DONE;
            crashed += task->died_of != 0;
        }
        int left = workers - pool_workers_lost(pool);
        say("main", "pool.join() returned after %.2f s: %ld done, %ld failed", elapsed, done, failed);
        char failed_tasks[64]; /* tasks 1 and 2 fail: it fits */
        list_tasks(pool, TASK_FAILED, failed_tasks, sizeof failed_tasks);
        for (long n = 0; n < pool_task_count(pool); n++) {
            const struct task *task = pool_task(pool, n);
            if (task->state != TASK_DONE && task->died_of)
                note("task %ld, %s(%ld): %s, of %s", n, task->name, task->arg, _(task->error),
                     signal_name(task->died_of));
            else if (task->state != TASK_DONE)
                note("task %ld, %s(%ld): %s: %s", n, task->name, task->arg, _(task_state_name(task->state)),
                     _(task->error));
        }
        note("Each failure is reported against its own task; the others' results are whole.");
        int waves = tell_waves(pool);
        if (crashed && left == 0)
            note("A worker died, and no worker was left: the tasks still waiting never ran.");
        else if (crashed && waves > (tasks + workers - 1) / workers)
            note("A worker died: the pool went on with the other %d, so the rest took more waves.", left);
        else if (crashed)
            note("A worker died: the pool went on with the other %d.", left);
        if (crashed)
            note("Python's Pool would start a new worker, but the lost task would never end: its error_callback");
        if (crashed)
            note("would never run, and join() would wait for ever.  Here the task fails, and the pool goes on.");
        result_at_end("part=failure kind=%s workers=%d tasks=%ld done=%ld failed=%ld failed_tasks=%s crashed=%ld "
                      "workers_left=%d waves=%d elapsed=%.2f",
                      option_choice("kind"), workers, tasks, done, failed, failed_tasks, crashed, left, waves,
                      elapsed);
    }
    pool_free(pool);
    free(delivered);
    return 0;
}

/* -- part 4: why pools exist ------------------------------------------------ */

static long Quick(long i) /* Foo without the sleep: a task that is all overhead */
{
    return i + 100;
}

struct one_task {
    long arg;
    long *value; /* where its result goes: shared memory, for a process */
};

static void *one_task_thread(void *arg)
{
    struct one_task *job = arg;
    *job->value = Quick(job->arg);
    return NULL;
}

static int one_task_process(void *arg)
{
    struct one_task *job = arg;
    *job->value = Quick(job->arg);
    return 0;
}

/* How many results are wrong: perfbook's mismatch check. */
static long mismatches(const long *values, long count)
{
    long wrong = 0;
    for (long i = 0; i < count; i++)
        wrong += values[i] != Quick(i);
    return wrong;
}

/* Quick over `count` arguments on a pool of `workers`, each task handed in
 * alone with apply_async(), or all at once with map(); seconds, or -1. */
static double through_a_pool(enum pool_kind which, bool by_map, const long *args, long *values, long count)
{
    double started = real_now();
    struct pool *pool = Pool(which, workers, QUIETLY);
    if (!pool)
        return -1;
    bool ok = true;
    if (by_map)
        ok = pool_map(pool, Quick, args, values, count);
    else
        for (long i = 0; ok && i < count; i++)
            ok = apply_async(pool, Quick, args[i], NULL, NULL) >= 0;
    pool_close(pool);
    pool_join(pool);
    for (long i = 0; !by_map && ok && i < count; i++) {
        ok = pool_task(pool, i)->state == TASK_DONE;
        values[i] = pool_task(pool, i)->value;
    }
    pool_free(pool);
    return ok && !lesson_stop_requested() ? real_now() - started : -1;
}

/* Quick, one thread per task, at most `workers` at a time; seconds, or -1. */
static double a_thread_per_task(long *values, long count)
{
    struct one_task *jobs = calloc((size_t)count, sizeof *jobs);
    struct team team;
    if (!jobs || !team_init(&team, count)) {
        free(jobs);
        return -1;
    }
    team_limit_alive(&team, workers);
    double started = real_now();
    for (long i = 0; i < count; i++) {
        jobs[i] = (struct one_task){ i, &values[i] };
        if (!team_start(&team, one_task_thread, &jobs[i]))
            break;
    }
    team_join_all(&team);
    double seconds = real_now() - started;
    bool all = team.started == count;
    if (team_report_refusal(&team) != 0)
        all = false;
    team_free(&team);
    free(jobs);
    return all ? seconds : -1;
}

/* Quick, one forked process per task, at most `workers` at a time. */
static double a_process_per_task(long *shared_values, long count)
{
    pid_t window[POOL_MOST_WORKERS] = { 0 };
    double started = real_now();
    long i;
    for (i = 0; i < count; i++) {
        pid_t *slot = &window[i % workers];
        if (*slot > 0)
            child_join(*slot); /* the oldest ends before the next starts */
        struct one_task job = { i, &shared_values[i] }; /* the child gets its own copy */
        *slot = child_start(one_task_process, &job);
        if (*slot < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            break;
        }
    }
    for (int w = 0; w < workers; w++)
        if (window[w] > 0)
            child_join(window[w]);
    return i == count ? real_now() - started : -1;
}

/* The three ways, for one kind: seconds in times[0..2], or -1 at the first
 * that failed.  Adds the results found wrong to *wrong. */
static bool measure_kind(enum pool_kind which, const long *args, long *values, long *shared_values, long count,
                         double times[3], long *wrong)
{
    size_t bytes = (size_t)count * sizeof *values;
    for (int way = 0; way < 3; way++) {
        long *into = way == 2 && which == PROCESS_POOL ? shared_values : values;
        memset(into, 0, bytes);
        if (way < 2)
            times[way] = through_a_pool(which, way == 1, args, into, count);
        else
            times[way] = which == THREAD_POOL ? a_thread_per_task(into, count) : a_process_per_task(into, count);
        if (times[way] < 0)
            return false;
        *wrong += mismatches(into, count);
    }
    return true;
}

static void tell_cost(const char *kind_name, long count, const double times[3])
{
    long chunk = pool_chunksize(workers, count);
    char ways[3][48];
    snprintf(ways[0], sizeof ways[0], _("%s pool, apply_async() one by one"), _(kind_name));
    snprintf(ways[1], sizeof ways[1], _("%s pool, map() in chunks of %ld"), _(kind_name), chunk);
    snprintf(ways[2], sizeof ways[2], _("a new %s for each task"), _(kind_name));
    for (int way = 0; way < 3; way++)
        say("main", "%s: %ld tasks in %.6f s of wall time, %.3f us a task", ways[way], count, times[way],
            times[way] / (double)count * 1e6);
    if (times[1] < times[2] && times[0] < times[2])
        note("map() was %.1fx faster than a new %s per task, apply_async() %.1fx: the pool started %d once.",
             times[2] / times[1], _(kind_name), times[2] / times[0], workers);
    else
        note("In this run a pool was NOT faster than a new %s per task (map %.2fx, apply_async %.2fx).", _(kind_name),
             times[2] / times[1], times[2] / times[0]);
    note("map() also sends the tasks %ld at a time, one trip through the %s for each chunk.", chunk,
         strcmp(kind_name, "thread") == 0 ? _("queue") : _("pipes"));
}

static int part_cost(void)
{
    long count = option_given("tasks") ? tasks : 20000;
    say("main", "part 4, why pools exist: %ld tiny tasks Quick(i) = i+100, %d workers at a time", count, workers);
    note("Seed 000 says a thread is cheap to start, so threads need no pool; seed 004 says it is costly.");
    note("Measured here: a pool of %d against a new thread (and a new process) for each task.", workers);
    note("These times are wall-clock seconds, whatever --speed says; the tasks do not sleep.");
    size_t bytes = (size_t)count * sizeof(long);
    long *args = malloc(bytes), *values = malloc(bytes);
    long *shared_values = shared_memory(bytes); /* a child's result must reach the parent */
    if (!args || !values || !shared_values) {
        report_no_memory(N_("ask for fewer"), "%ld tasks", count);
        free(args);
        free(values);
        shared_memory_free(shared_values, bytes);
        return 1;
    }
    for (long i = 0; i < count; i++)
        args[i] = i;
    long wrong = 0;
    double threads[3], processes[3];
    bool measured = measure_kind(THREAD_POOL, args, values, shared_values, count, threads, &wrong);
    if (measured)
        tell_cost(N_("thread"), count, threads);
    measured = measured && measure_kind(PROCESS_POOL, args, values, shared_values, count, processes, &wrong);
    if (measured)
        tell_cost(N_("process"), count, processes);
    int status = 0;
    if (!measured)
        status = not_started();
    else {
        if (wrong == 0)
            note("Every result of all six runs was checked: none wrong.");
        else
            note("%ld results were WRONG.", wrong);
        result_at_end("part=cost tasks=%ld workers=%d thread_async_s=%.6f thread_map_s=%.6f thread_each_s=%.6f "
                      "thread_ratio=%.2f process_async_s=%.6f process_map_s=%.6f process_each_s=%.6f "
                      "process_ratio=%.2f mismatches=%ld",
                      count, workers, threads[0], threads[1], threads[2], threads[2] / threads[1], processes[0],
                      processes[1], processes[2], processes[2] / processes[1], wrong);
    }
    free(args);
    free(values);
    shared_memory_free(shared_values, bytes);
    return status;
}

/* -- what the transcript says after a run ---------------------------------- */

static int by_end_time(const void *a, const void *b)
{
    const struct task *x = *(const struct task *const *)a, *y = *(const struct task *const *)b;
    return (x->ended > y->ended) - (x->ended < y->ended);
}

/* Group the tasks that ended into waves: a wave ends where more than half a
 * task's time passes with nothing ending.  Says each wave; returns how many. */
static int tell_waves(struct pool *pool)
{
    long count = pool_task_count(pool), ended = 0;
    const struct task **order = calloc((size_t)count, sizeof *order);
    if (!order)
        return 0;
    for (long n = 0; n < count; n++)
        if (pool_task(pool, n)->state == TASK_DONE)
            order[ended++] = pool_task(pool, n);
    qsort(order, (size_t)ended, sizeof *order, by_end_time);
    int waves = 0;
    char values[96];
    size_t used = 0;
    for (long k = 0; k < ended; k++) {
        bool new_wave = k == 0 || order[k]->ended - order[k - 1]->ended > task_seconds / 2;
        if (new_wave) {
            waves++;
            used = 0;
        }
        if (used < sizeof values - 24)
            used += (size_t)snprintf(values + used, sizeof values - used, " %ld", order[k]->value);
        else if (used < sizeof values - 4)
            used += (size_t)snprintf(values + used, sizeof values - used, " ...");
        bool wave_ends = k + 1 == ended || order[k + 1]->ended - order[k]->ended > task_seconds / 2;
        if (wave_ends && waves <= 6)
            note("wave %d, ended by %.2f s:%s", waves, order[k]->ended, values);
    }
    if (waves > 6)
        note("... %d waves in all", waves);
    free(order);
    return waves;
}

/* "1,2", "5,6,7,...", or "none": the tasks that worker w ran (0: any), or
 * that are in `state`, as many as fit.  Returns how many there are. */
static long list_matching(struct pool *pool, int w, enum task_state state, char *list, size_t size, pid_t *pid)
{
    size_t used = 0;
    long found = 0;
    bool cut = false;
    snprintf(list, size, "none");
    for (long n = 0; n < pool_task_count(pool); n++) {
        const struct task *task = pool_task(pool, n);
        if (w ? task->worker != w : task->state != state)
            continue;
        if (pid)
            *pid = task->pid;
        if (used + 24 < size)
            used += (size_t)snprintf(list + used, size - used, "%s%ld", found ? "," : "", n);
        else if (!cut) {
            snprintf(list + used, size - used, ",...");
            cut = true;
        }
        found++;
    }
    return found;
}

static long list_tasks(struct pool *pool, enum task_state state, char *list, size_t size)
{
    return list_matching(pool, 0, state, list, size, NULL);
}

/* Which worker ran which task: one note per worker, for up to 8 workers. */
static void tell_workers(struct pool *pool)
{
    for (int w = 1; w <= workers && w <= 8; w++) {
        char ran[80];
        pid_t pid = 0;
        long count = list_matching(pool, w, TASK_DONE, ran, sizeof ran, &pid);
        if (kind == PROCESS_POOL && pid)
            note("worker%d (process %ld) ran %ld %s: %s", w, (long)pid, count,
                 translate_plural("task", "tasks", (unsigned long)count), count ? ran : _("none"));
        else
            note("worker%d ran %ld %s: %s", w, count, translate_plural("task", "tasks", (unsigned long)count),
                 count ? ran : _("none"));
    }
    if (workers > 8)
        note("... and %d workers more", workers - 8);
}

/* How many tasks each worker took, "2,2,2,2,2"; returns how many workers
 * took any. */
static int count_per_worker(struct pool *pool, char *list, size_t size)
{
    int used = 0;
    size_t at = 0;
    list[0] = '\0';
    for (int w = 1; w <= workers; w++) {
        long took = 0;
        for (long n = 0; n < pool_task_count(pool); n++)
            took += pool_task(pool, n)->worker == w;
        used += took > 0;
        if (at < size)
            at += (size_t)snprintf(list + at, size - at, "%s%ld", w > 1 ? "," : "", took);
    }
    return used;
}

/* apply(): which worker took each task, in the order they were handed in. */
static void tell_turns(struct pool *pool)
{
    char order[96];
    size_t at = 0;
    for (long n = 0; n < pool_task_count(pool) && at < sizeof order - 8; n++)
        at += (size_t)snprintf(order + at, sizeof order - at, " %d", pool_task(pool, n)->worker);
    if (at >= sizeof order - 8)
        snprintf(order + at, sizeof order - at, " ...");
    note("apply() waits for each result, so one worker has a task at a time, and the idle ones wait "
         "their turn at the task %s.  The workers that took the tasks, in order:%s",
         kind == PROCESS_POOL ? _("pipe") : _("queue"), order);
    if (kind == PROCESS_POOL)
        note("Python's Pool passes them round too, and promises no order: in runs here each of its 5");
    else
        note("Python's ThreadPool promises no order either: in runs here it passed the tasks round 3 of");
    if (kind == PROCESS_POOL)
        note("workers took 2 of the 10 in about 6 runs of 10.");
    else
        note("its 5 threads in most runs.");
}

/* Did each result reach main exactly once? */
static void count_delivered(long *total, long *duplicates, long *missing)
{
    *total = *duplicates = *missing = 0;
    for (long i = 0; i < tasks; i++) {
        int times = atomic_load(&delivered[i]);
        *total += times;
        *duplicates += times > 1 ? times - 1 : 0;
        *missing += times == 0;
    }
}

/* The callbacks' tally: each result counted, and the thread each ran on. */
static _Atomic(const char *) first_callback_thread;
static atomic_bool callback_threads_differ;

static void tally(long value)
{
    atomic_fetch_add(&delivered[value - 100], 1);
    const char *first = NULL, *name = current_thread_name();
    if (!atomic_compare_exchange_strong(&first_callback_thread, &first, name) && strcmp(first, name) != 0)
        atomic_store(&callback_threads_differ, true);
}

/* "result-handler", "none" if no callback ran, or "several"; and forget. */
static const char *callback_thread(void)
{
    const char *name = atomic_exchange(&first_callback_thread, NULL);
    bool several = atomic_exchange(&callback_threads_differ, false);
    return !name ? "none" : several ? "several" : name;
}

/* -- the lesson -------------------------------------------------------------- */

static const char *pool_check(void)
{
    const char *part = option_choice("part");
    bool failure_runs = strcmp(part, "failure") == 0 || strcmp(part, "all") == 0;
    if (failure_runs && option_int("tasks") < 3)
        return _("--tasks must be 3 or more for the failure part (task 1 raises, task 2 crashes); "
                 "or choose another --part");
    if (strcmp(part, "cost") == 0 && !option_given("tasks"))
        option_set_int("tasks", 20000);
    return NULL;
}

static int pool_run(void)
{
    kind = strcmp(option_choice("kind"), "thread") == 0 ? THREAD_POOL : PROCESS_POOL;
    workers = (int)option_int("workers");
    tasks = option_int("tasks");
    task_seconds = option_real("task-seconds");
    static const struct lesson_part parts[] = {
        { "article", part_article },
        { "terminate", part_terminate },
        { "failure", part_failure },
        { "cost", part_cost },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec pool_options[] = {
    OPTION_CHOICE("part", "all", "all|article|terminate|failure|cost", "which part to run; all runs them in order"),
    OPTION_CHOICE("kind", "process", "process|thread", "a pool of forked processes (Pool) or of threads (ThreadPool)"),
    OPTION_CHOICE("mode", "async", "async|sync|map", "how part 1 hands tasks in: apply_async, apply, or map"),
    OPTION_INT("workers", "5", 1, POOL_MOST_WORKERS, "workers in the pool: Pool(5)"),
    OPTION_INT("tasks", "10", 1, 1000000, "tasks each part hands in; the cost part's default is 20000"),
    OPTION_REAL("task-seconds", "2", 0.1, 60, "how long Foo sleeps, in lesson seconds: time.sleep(2)"),
    OPTIONS_END,
};

const struct lesson pool_lesson = {
    .name = "pool",
    .summary = N_("a pool of workers, started once, runs many tasks: Pool and ThreadPool"),
    .runs_for = { 17 }, /* seconds at speed 1, measured: 11 on the lesson clock, 6 of CPU in the cost part */
    .source = N_("seed 000 §3.4 进程池; seed 003 进程/线程池; seed 004 进程池, 线程池"),
    .options = pool_options,
    .results = "part=article kind mode workers tasks done delivered duplicates missing end_at waves elapsed "
               "expected callback_thread workers_used per_worker; part=terminate kind workers tasks done killed "
               "dropped join_after callbacks_after_terminate results_dropped; part=failure kind workers tasks "
               "done failed failed_tasks crashed workers_left waves elapsed; part=cost tasks workers "
               "thread_async_s thread_map_s thread_each_s thread_ratio process_async_s process_map_s "
               "process_each_s process_ratio mismatches",
    .explanation = N_(
        "A pool starts a fixed number of workers once; every task handed in waits\n"
        "for a free worker and reuses it.  It is built as Python builds it:\n"
        "apply_async() writes the task down and returns; a task-handler thread\n"
        "puts it into one task queue that all the workers read; the worker that\n"
        "takes it puts its result into one result queue; and a result-handler\n"
        "thread takes the result and runs the callback, one at a time.  Pool(5)\n"
        "is five forked processes, whose queues are pipes (a lock lets one worker\n"
        "read at a time); ThreadPool(5) is five threads, whose queues are in memory.\n"
        "\n"
        "Part 1 is seed 000's program: ten apply_async() calls return at once, so\n"
        "'end' comes first; five workers run ten 2-second tasks in two waves, and\n"
        "the callback prints each result on the result handler, 4 s in all.\n"
        "--mode sync uses apply(), which waits for each result, so the workers\n"
        "take turns at the task queue, 20 s in all.  --mode map waits for all.\n"
        "Part 2: terminate() while tasks run.  No callback runs after it, as in\n"
        "Python.  Worker processes are killed; a thread cannot be (it shares the\n"
        "process's memory and locks), so a thread pool's running tasks run to\n"
        "their end, join() waits for them, and their results are dropped.\n"
        "Part 3: one task raises, one crashes its worker process; each is\n"
        "reported against its task, and the pool goes on with the others.\n"
        "(Python's Pool replaces a dead worker, but never ends its task:\n"
        "join() then waits for ever.)\n"
        "Part 4 measures why pools exist: many tiny tasks through a pool against\n"
        "a new thread, or a new process, for each one.\n"),
    .check = pool_check,
    .actor_width = 14,
    .run = pool_run,
};
