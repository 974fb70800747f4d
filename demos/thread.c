/* thread: two ways to make a thread, join, active_count(), the end of main,
 * and a thread's return value.
 * Seed 000 §2.1.1-2.1.3 (Thread类, 计算子线程执行的时间, 统计当前活跃的线程数),
 * seed 001 (threading 模块, getResult()), seed 002 (Thread 类).
 *
 * The article's program (seed 000 §2.1.2):
 *
 *     def run(n):
 *         print("task", n, threading.current_thread())  # 输出当前的线程
 *         time.sleep(1)
 *         print('3s')
 *         time.sleep(1)
 *         print('2s')
 *         time.sleep(1)
 *         print('1s')
 *
 *     start_time = time.time()
 *     t_obj = []
 *     for i in range(3):
 *         t = threading.Thread(target=run, args=("t-%s" % i,))
 *         t.start()
 *         t_obj.append(t)
 *     for tmp in t_obj:
 *         tmp.join()      # 主线程就会等这些子线程执行完之后再执行
 *     print("cost:", time.time() - start_time)
 *     print(threading.current_thread())
 *
 * Python's Thread is a class: Thread(target=run, args=("t-0",)) runs
 * run("t-0"), and a subclass (class MyThread(Thread)) overrides run().  In C
 * the class is a struct whose first member is its run function, and one
 * helper, start(), hands the struct to pthread_create.  Thread.join() is
 * pthread_join; current_thread().ident is pthread_self(), .native_id is
 * gettid().  Python waits for its threads when main ends (a hidden join);
 * C does not: returning from main ends the process and every thread in it,
 * unless main ends with pthread_exit(). */
#define _GNU_SOURCE /* gettid() */
#include "lesson.h"

#include <errno.h>
#include <fcntl.h> /* O_CLOEXEC */
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* -- threading.Thread, in C ---------------------------------------------- */

/* A Thread: its first member is what the new thread runs, so that a
 * "subclass" (a struct whose first member is a struct thread) is a thread. */
struct thread {
    void *(*run)(struct thread *self); /* def run(self): its return is the thread's */
    const char *class_name;            /* "Thread" or "MyThread", as Python prints it */
    char name[32];                     /* "Thread-1 (run)" */
    char actor[24];                    /* its column in the transcript: the article's n */
    pthread_t handle;                  /* what pthread_create gave, for pthread_join */
    unsigned long ident;               /* pthread_self(), as the thread sees itself */
    pid_t native_id;                   /* gettid(): the kernel's id for it */
    bool running;                      /* set by the new thread before run(): self._started */
    long printed[2];                   /* the order numbers of its first two lines (print_line) */
    int prints;
};

/* threading.active_count(): threads started and not yet through run(), plus
 * main.  Python counts the same way: start() enters the thread in its table,
 * and the end of run() takes it out. */
static atomic_int active = 1;
static int thread_counter; /* Python's Thread-N numbers, counted from 1 */

static void thread_init(struct thread *t, void *(*run)(struct thread *), const char *class_name,
                        const char *target_name, const char *actor)
{
    memset(t, 0, sizeof *t);
    t->run = run;
    t->class_name = class_name;
    thread_counter++;
    if (target_name) /* Python 3.11 adds the target's name */
        snprintf(t->name, sizeof t->name, "Thread-%d (%s)", thread_counter, target_name);
    else
        snprintf(t->name, sizeof t->name, "Thread-%d", thread_counter);
    snprintf(t->actor, sizeof t->actor, "%s", actor);
}

/* self._started: start() waits on it, as Python's does, until the new
 * thread runs; _bootstrap_inner sets it just before run(). */
static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started_changed = PTHREAD_COND_INITIALIZER;

static void *bootstrap(void *arg) /* what the new thread runs first, as Python's _bootstrap */
{
    struct thread *self = arg;
    self->ident = (unsigned long)pthread_self();
    self->native_id = gettid();
    pthread_mutex_lock(&started_lock);
    self->running = true; /* self._started.set(), before run(), as in Python */
    pthread_cond_broadcast(&started_changed);
    pthread_mutex_unlock(&started_lock);
    span_begin(self->actor, SPAN_RUNNING); /* for --timeline and --trace */
    void *result = self->run(self);
    span_end(self->actor, SPAN_RUNNING);
    atomic_fetch_sub(&active, 1);
    return result;
}

/* t.start(): returns once the new thread runs, as Python's does.  0, or
 * the errno of a thread the system refused. */
static int start(struct thread *t)
{
    pthread_attr_t attr;
    small_stack_attr(&attr);
    atomic_fetch_add(&active, 1);
    int refused = pthread_create(&t->handle, &attr, bootstrap, t);
    pthread_attr_destroy(&attr);
    if (refused) {
        atomic_fetch_sub(&active, 1);
        return refused;
    }
    pthread_mutex_lock(&started_lock);
    while (!t->running) /* self._started.wait() */
        pthread_cond_wait(&started_changed, &started_lock);
    pthread_mutex_unlock(&started_lock);
    return 0;
}

static void *join(struct thread *t) /* t.join(), and what run() returned */
{
    void *result;
    int error = pthread_join(t->handle, &result);
    if (error) { /* a thread started and not yet joined: only a bug gets here */
        fprintf(stderr, "concdemo thread: pthread_join: %s\n", strerror(error));
        abort();
    }
    return result;
}

/* print(): one transcript line, numbered in the order the lines went out, so
 * that main can tell afterwards whose came first.  Returns its number. */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;
static long lines_printed;

static long print_line(struct thread *self, const char *actor, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static long print_line(struct thread *self, const char *actor, const char *fmt, ...)
{
    char text[160];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    pthread_mutex_lock(&print_lock);
    say(actor, "%s", text);
    long number = ++lines_printed;
    if (self && self->prints < 2)
        self->printed[self->prints++] = number;
    pthread_mutex_unlock(&print_lock);
    return number;
}

/* print(threading.current_thread()), as Python 3.11 prints it. */
static const char *current_thread(const struct thread *t, char *buf, size_t size)
{
    snprintf(buf, size, "<%s(%s, started %lu)>", t->class_name, t->name, t->ident);
    return buf;
}

static void say_main_thread(void)
{
    say("main", "<_MainThread(MainThread, started %lu)> native_id %d", (unsigned long)pthread_self(), (int)gettid());
    static bool told; /* once a run */
    if (gettid() == getpid() && !told) {
        told = true;
        note("The main thread's native_id (gettid()) is the process's pid, %d.", (int)getpid());
    }
}

/* Start every thread of `threads`; join them all if one is refused.  Returns
 * false, having said why on stderr, if the system refused one. */
static bool start_all(struct thread **threads, int count)
{
    for (int i = 0; i < count; i++) {
        int refused = start(threads[i]);
        if (refused) {
            for (int k = 0; k < i; k++)
                join(threads[k]);
            report_thread_refusal(refused, i);
            return false;
        }
    }
    return true;
}

/* -- part 1, seed 000 §2.1.1: Thread(target=...) and class MyThread(Thread) -- */

/* Both ways run the same steps, so their lines can be set side by side. */
static void *task(struct thread *self, const char *n)
{
    char text[96];
    say(self->actor, "task %s %s native_id %d", n, current_thread(self, text, sizeof text), (int)self->native_id);
    double began = lesson_now();
    const char *after[] = { "2s", "1s", "0s" };
    for (int k = 0; k < 3; k++) {
        if (!lesson_sleep_until(began + k + 1)) /* time.sleep(1), to a deadline */
            return NULL;
        say(self->actor, "%s", after[k]);
    }
    lesson_sleep_until(began + 4); /* the article sleeps once more after '0s' */
    return NULL;
}

/* Thread(target=run, args=(n,)): a Thread whose run() calls target(*args). */
struct target_thread {
    struct thread thread; /* first: a target_thread is a Thread */
    void *(*target)(struct thread *self, const char *n);
    const char *args;
};

static void *run(struct thread *self, const char *n) /* def run(n): */
{
    return task(self, n);
}

static void *call_target(struct thread *self) /* Thread.run(): self._target(*self._args) */
{
    struct target_thread *t = (struct target_thread *)self;
    return t->target(self, t->args);
}

/* class MyThread(threading.Thread): its own run(), and its own field n. */
struct my_thread {
    struct thread thread; /* first: super(MyThread, self).__init__() */
    const char *n;
};

static void *my_thread_run(struct thread *self) /* def run(self): */
{
    struct my_thread *me = (struct my_thread *)self;
    return task(self, me->n);
}

/* Distinct idents among threads alive together? */
static bool distinct(struct thread **threads, int count, bool native)
{
    for (int i = 0; i < count; i++)
        for (int k = i + 1; k < count; k++)
            if (native ? threads[i]->native_id == threads[k]->native_id : threads[i]->ident == threads[k]->ident)
                return false;
    return true;
}

static int part_create(void)
{
    say("main", "part 1, seed 000 §2.1.1: two ways to make a thread");
    double began = lesson_now();
    struct target_thread t1, t2;
    thread_counter = 0;
    thread_init(&t1.thread, call_target, "Thread", "run", "t1");
    thread_init(&t2.thread, call_target, "Thread", "run", "t2");
    t1.target = t2.target = run;
    t1.args = "t1";
    t2.args = "t2";
    say("main", "1: t1 = Thread(target=run, args=(\"t1\",)); t2 likewise; t1.start(); t2.start()");
    note("start() is pthread_create(): the struct goes to the new thread, which calls its run(), "
         "and run() calls run(\"t1\").");
    struct thread *way1[] = { &t1.thread, &t2.thread };
    if (!start_all(way1, 2))
        return 1;
    for (int i = 0; i < 2; i++)
        join(way1[i]);
    if (lesson_stop_requested())
        return 0;
    say("main", "both ended; the article's main has no join, and Python waits for them at exit: here, "
                "pthread_join()");
    note("ident is pthread_self(): on glibc the address of the thread's descriptor, the number Python "
         "prints. native_id is gettid(), the kernel's id.");
    say_main_thread();

    struct my_thread m1, m2;
    thread_init(&m1.thread, my_thread_run, "MyThread", NULL, "t1");
    thread_init(&m2.thread, my_thread_run, "MyThread", NULL, "t2");
    m1.n = "t1";
    m2.n = "t2";
    say("main", "2: class MyThread(Thread) with its own run(); t1 = MyThread(\"t1\"); t2 likewise; start both");
    note("In C: a struct whose first member is a struct thread, whose first member is run. start() is "
         "the same helper: it knows only that first member.");
    struct thread *way2[] = { &m1.thread, &m2.thread };
    if (!start_all(way2, 2))
        return 1;
    for (int i = 0; i < 2; i++)
        join(way2[i]);
    if (lesson_stop_requested())
        return 0;
    int reused = (m1.thread.ident == t1.thread.ident || m1.thread.ident == t2.thread.ident) +
                 (m2.thread.ident == t1.thread.ident || m2.thread.ident == t2.thread.ident);
    bool apart = distinct(way1, 2, false) && distinct(way2, 2, false) && distinct(way1, 2, true) &&
                 distinct(way2, 2, true);
    say("main", "both ended: the two ways printed the same lines, but for the class and the name: "
                "Thread(Thread-1 (run)), MyThread(Thread-3)");
    note("Python 3.11 names them so too: a target adds its name, \"Thread-1 (run)\"; a subclass's "
         "thread is plain \"Thread-3\". The count goes on from way 1: Thread-N counts every Thread made.");
    note("Two threads alive together never share an ident or a native_id (this run: %s).",
         apart ? _("none shared") : _("SHARED, which should never happen"));
    if (reused)
        note("%d of way 2's idents were way 1's: an ended thread's ident is reused, in C and in Python "
             "alike (its docs: identifiers may be recycled).",
             reused);
    else
        note("No ident of way 1 came back in way 2 this run; they may: an ended thread's ident is reused.");
    result_at_end("part=create ways=2 threads=4 idents_apart=%s reused_idents=%d main_native_id_is_pid=%s elapsed=%.2f",
                  apart ? "yes" : "no", reused, gettid() == getpid() ? "yes" : "no", lesson_now() - began);
    return 0;
}

/* -- part 2, seed 000 §2.1.2: three threads, and the time they take -------- */

static void *countdown(struct thread *self, const char *n) /* def run(n): */
{
    char text[96];
    print_line(self, self->actor, "task %s %s", n, current_thread(self, text, sizeof text));
    double began = lesson_now();
    const char *left[] = { "3s", "2s", "1s" };
    for (int k = 0; k < 3; k++) {
        if (!lesson_sleep_until(began + k + 1)) /* time.sleep(1) */
            return NULL;
        print_line(self, self->actor, "%s", left[k]);
    }
    return NULL;
}

/* The threads of parts 2 and 3: Thread(target=..., args=("t-%s" % i,)). */
static struct target_thread *threads;
static struct thread **handles;
static int count;                   /* --threads */
static char (*names)[16];           /* "t-0", "t-1", ... */

static void make_threads(void *(*target)(struct thread *, const char *), const char *target_name)
{
    for (int i = 0; i < count; i++) {
        thread_init(&threads[i].thread, call_target, "Thread", target_name, names[i]);
        threads[i].target = target;
        threads[i].args = names[i];
        handles[i] = &threads[i].thread;
    }
}

static int part_join(void)
{
    say("main", "part 2, seed 000 §2.1.2: %d threads print 3s 2s 1s, a second apart; main times them", count);
    thread_counter = 0;
    make_threads(countdown, "run");
    double start_time = lesson_now(); /* start_time = time.time() */
    if (!start_all(handles, count))
        return 1;
    for (int i = 0; i < count; i++) /* for tmp in t_obj: tmp.join() */
        join(handles[i]);
    if (lesson_stop_requested())
        return 0;
    double cost_joined = lesson_now() - start_time;
    say("main", "cost: %.4f", cost_joined); /* print("cost:", time.time() - start_time) */
    say_main_thread();                        /* print(threading.current_thread()) */
    note("%d threads of 3 s each took %.2f s in all, not %d: they slept at the same time.", count, cost_joined,
         3 * count);

    say("main", "again, without the join");
    thread_counter = 0;
    make_threads(countdown, "run");
    start_time = lesson_now();
    if (!start_all(handles, count))
        return 1;
    double cost_unjoined = lesson_now() - start_time;
    long cost_line = print_line(NULL, "main", "cost: %.4f", cost_unjoined);
    say_main_thread();
    note("Main did not wait: its cost: is only the time to start %d threads, each start() returning once "
         "its thread ran.", count);
    note("Here Python's main would end, then wait for the threads at exit (its hidden join). The lesson "
         "does the same: it joins them now.");
    for (int i = 0; i < count; i++)
        join(handles[i]);
    if (lesson_stop_requested())
        return 0;
    double ended = lesson_now() - start_time;
    int tasks_first = 0, ticks_after = 0;
    for (int i = 0; i < count; i++) {
        tasks_first += handles[i]->prints > 0 && handles[i]->printed[0] < cost_line;
        ticks_after += handles[i]->prints > 1 && handles[i]->printed[1] > cost_line;
    }
    bool cost_first = ticks_after == count;
    say("main", "the %d threads ended %.2f s after they started", count, ended);
    note("This run %d of the %d task lines came before main's cost:. start() waits until its thread runs, "
         "as Python's does, but the thread prints after that: the order is the scheduler's. Python 3.11, "
         "20 runs here: all three task lines before cost: in 12; in 8, cost: came among them, at times inside "
         "a task's line.",
         tasks_first, count);
    if (cost_first)
        note("Main's cost: line came before every thread's 3s, which each prints a second after its task line.");
    else
        note("This run a thread's 3s came before main's cost: line: main was that late.");
    note("Python 3.11 prints a line in pieces: two threads' prints ran together in a run here "
         "(\"task t-2 cost: 0.0014...\"). Each transcript line is one write, so they never do.");
    result_at_end("part=join threads=%d cost_joined=%.2f cost_unjoined=%.4f tasks_before_cost=%d "
                  "cost_before_ticks=%s unjoined_ended=%.2f",
                  count, cost_joined, cost_unjoined, tasks_first, cost_first ? "yes" : "no", ended);
    return 0;
}

/* -- part 3, seed 000 §2.1.3: active_count() ------------------------------ */

static double thread_sleep; /* the threads' time.sleep() in this program */

static void *sleeper(struct thread *self, const char *n) /* def run(n): */
{
    say(self->actor, "task %s", n); /* print("task", n) */
    lesson_sleep(thread_sleep);     /* time.sleep(1), or 0.5 */
    return NULL;
}

static int kernel_count;

/* One of the article's two programs: threads sleep `threads_for`, main
 * `main_for`, then prints active_count().  Returns the count, or -1. */
static int count_active(double threads_for, double main_for)
{
    thread_counter = 0;
    thread_sleep = threads_for;
    make_threads(sleeper, "run");
    if (!start_all(handles, count))
        return -1;
    lesson_sleep(main_for); /* time.sleep(0.5) */
    int seen = atomic_load(&active);
    kernel_count = threads_in_process(); /* at the same moment, for a note */
    say("main", "%d", seen); /* print(threading.active_count()) */
    for (int i = 0; i < count; i++) /* what Python's exit would wait for */
        join(handles[i]);
    return seen;
}

static int part_active(void)
{
    say("main", "part 3, seed 000 §2.1.3: active_count() while %d threads sleep, and after they ended", count);
    note("active_count() counts main and every thread started whose run() has not returned.");
    say("main", "threads sleep 1 s, main 0.5 s, then prints active_count():");
    int sleeping = count_active(1, 0.5);
    if (sleeping < 0)
        return 1;
    if (lesson_stop_requested())
        return 0;
    int kernel = kernel_count;
    if (sleeping == count + 1)
        note("%d: the %d threads, still asleep, and main. The article prints 4 for its 3.", sleeping, count);
    else
        note("%d, not %d: main woke late, after some thread had already ended.", sleeping, count + 1);
    say("main", "threads sleep 0.5 s, main 1 s, then prints active_count():");
    int after = count_active(0.5, 1);
    if (after < 0)
        return 1;
    if (lesson_stop_requested())
        return 0;
    if (after == 1)
        note("1: main alone. The threads had ended, though no one joined them yet.");
    else
        note("%d, not 1: a thread woke late, and had not yet ended.", after);
    note("Main joined each program's threads after its count, as Python does at exit.");
    if (kernel > sleeping)
        note("At the first count the kernel saw %d threads in this process (/proc/self/task): "
             "those %d, and %d more: the engine's own (its signal watcher), or a sanitizer's.",
             kernel, sleeping, kernel - sleeping);
    else if (kernel > 0)
        note("At the first count the kernel saw %d threads in this process (/proc/self/task), "
             "active_count() %d.", kernel, sleeping);
    else
        note("The kernel's count of this process's threads (/proc/self/task) was not to be had.");
    result_at_end("part=active threads=%d while_sleeping=%d after_ended=%d", count, sleeping, after);
    return 0;
}

/* -- part 4, seed 000 §2.1.3: the end of main: Python's hidden join, C's exit -- */

/* The program of part 3 again, in a child process, its lines written to a
 * pipe: "actor\ttext\n", one write each, so the parent reads what appeared. */
static int pipe_in, pipe_out;
static bool by_pthread_exit;

static void child_says(const char *actor, const char *text)
{
    char line[128];
    int n = snprintf(line, sizeof line, "%s\t%s\n", actor, text);
    if (write(pipe_out, line, (size_t)n) < 0)
        _exit(2); /* the reader is gone: the lesson is stopping */
}

static void *child_run(struct thread *self, const char *n) /* def run(n): print("task", n); sleep(1); print(...) */
{
    char text[64];
    snprintf(text, sizeof text, "task %s", n);
    child_says(self->actor, text);
    if (lesson_sleep(1)) {
        snprintf(text, sizeof text, "%s woke after 1 s, and ends", n);
        child_says(self->actor, text);
    }
    return NULL;
}

/* When its last thread ends, glibc calls exit(0).  The exit handlers made
 * before the fork are the parent's (a sanitizer's leak check among them), and
 * run after this one: end here, as child_start's _exit() does. */
static void skip_the_parents_atexit(void)
{
    _exit(0);
}

static int child_main(void *unused) /* the child's main(): the article's program */
{
    (void)unused;
    close(pipe_in); /* the parent's end: kept here, a write could never fail for want of a reader */
    thread_counter = 0;
    make_threads(child_run, "run");
    if (!start_all(handles, count))
        return 1;
    lesson_sleep(0.5); /* time.sleep(0.5) */
    char text[64];
    snprintf(text, sizeof text, "%d", atomic_load(&active)); /* print(threading.active_count()) */
    child_says("main", text);
    if (by_pthread_exit) {
        atexit(skip_the_parents_atexit);
        child_says("main", "pthread_exit(NULL)");
        pthread_exit(NULL); /* main ends; the process lives on while any thread runs */
    }
    child_says("main", "return 0");
    return 0; /* the end of main: exit(), and every thread with it */
}

struct ending {
    int woke;        /* how many "woke" lines the parent read */
    double ended_at; /* when the pipe closed: the process was gone */
    int status;
};

/* Read the child's lines as they come, and say each; EOF is its end. */
static bool run_child(struct ending *seen)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        report_no_descriptor(_("a pipe"), errno);
        return false;
    }
    pipe_in = fds[0];
    pipe_out = fds[1];
    double began = lesson_now();
    pid_t pid = child_start(child_main, NULL);
    close(fds[1]);
    if (pid < 0) {
        int error = errno;
        close(fds[0]);
        if (error != ECANCELED)
            report_process_refusal(error, 0);
        return error == ECANCELED;
    }
    char buf[4096];
    size_t held = 0;
    ssize_t got;
    seen->woke = 0;
    while ((got = read(fds[0], buf + held, sizeof buf - 1 - held)) > 0 || (got < 0 && errno == EINTR)) {
        held += got > 0 ? (size_t)got : 0;
        buf[held] = '\0';
        char *line = buf, *end;
        while ((end = strchr(line, '\n'))) {
            *end = '\0';
            char *tab = strchr(line, '\t');
            if (tab) {
                *tab = '\0';
                char actor[24];
                snprintf(actor, sizeof actor, "child %.15s", line);
                say(actor, "%s", tab + 1);
                seen->woke += strstr(tab + 1, " woke ") != NULL;
            }
            line = end + 1;
        }
        held = (size_t)(buf + held - line);
        memmove(buf, line, held);
        if (held == sizeof buf - 1)
            held = 0; /* a line too long to be one of ours */
    }
    seen->ended_at = lesson_now() - began;
    close(fds[0]);
    seen->status = child_join(pid);
    /* 1: the system refused the child a thread, and it said so on stderr.  (A
     * tool may give another status: valgrind's for the leaks a fork copies.) */
    return seen->status != 1 || lesson_stop_requested();
}

static int part_exit(void)
{
    say("main", "part 4: the end of main. Python waits for its threads; C does not");
    note("The program of part 3 (threads sleep 1 s, main 0.5 s), each thread printing once more when it "
         "wakes, runs in a child process; the lesson reads its lines through a pipe.");
    note("Python 3.11 ran it: main's lines at 0.5 s, each thread's at 1.0 s, and the process ended after "
         "them: at exit it waits for every thread that is not a daemon (threading._shutdown).");
    struct ending returned, exited;
    by_pthread_exit = false;
    say("main", "1: the child's main returns after printing active_count()");
    if (!run_child(&returned))
        return 1;
    if (lesson_stop_requested())
        return 0;
    say("main", "the child ended %.2f s after it started (exit status %d); %d of %d threads' 'woke' lines appeared",
        returned.ended_at, returned.status, returned.woke, count);
    if (returned.woke == 0)
        note("Returning from main calls exit(), which ends the process and every thread in it, asleep or "
             "not. (Here main's return is child_start's _exit(): exit() without the atexit handlers.)");
    else
        note("Some thread woke before main's return ended the process: main, due to return at 0.5 s, "
             "was late; the child ended only at %.2f s.",
             returned.ended_at);
    by_pthread_exit = true;
    say("main", "2: the child's main ends with pthread_exit(NULL) instead");
    if (!run_child(&exited))
        return 1;
    if (lesson_stop_requested())
        return 0;
    say("main", "the child ended %.2f s after it started (exit status %d); %d of %d threads' 'woke' lines appeared",
        exited.ended_at, exited.status, exited.woke, count);
    note("pthread_exit() in main ends only main; the process ends when its last thread does. That is "
         "C's form of Python's wait at exit, though Python's joins, and C's does not.");
    result_at_end("part=exit threads=%d return_woke=%d return_ended=%.2f pthread_exit_woke=%d pthread_exit_ended=%.2f",
                  count, returned.woke, returned.ended_at, exited.woke, exited.ended_at);
    return 0;
}

/* -- part 5, seeds 001 and 002: getResult(), the value join hands back ------ */

/* class MyThread(Thread): __init__(self, func, args, name); run(self):
 * self.res = self.func(*self.args).  Here run() returns it, and pthread_join
 * hands it to main. */
struct func_thread {
    struct thread thread;
    void *(*func)(int nloop, int nsec);
    int nloop, nsec; /* args */
};

struct loop_result {
    int nloop;
    double slept;
};

static void *loop(int nloop, int nsec) /* def loop(nloop, nsec): */
{
    char actor[16];
    snprintf(actor, sizeof actor, "loop-%d", nloop); /* the thread it runs in */
    say(actor, "start loop %d at: %.3f", nloop, lesson_now());
    double began = lesson_now();
    lesson_sleep(nsec); /* sleep(nsec) */
    say(actor, "loop %d done at: %.3f", nloop, lesson_now());
    struct loop_result *res = malloc(sizeof *res); /* outlives this thread: not on its stack */
    if (res)
        *res = (struct loop_result){ nloop, lesson_now() - began };
    return res;
}

static void *func_thread_run(struct thread *self) /* def run(self): */
{
    struct func_thread *me = (struct func_thread *)self;
    say(self->actor, "starting %s at: %.3f", self->name, lesson_now());
    void *res = me->func(me->nloop, me->nsec); /* self.res = self.func(*self.args) */
    say(self->actor, "%s finished at: %.3f", self->name, lesson_now());
    return res; /* the thread's return value: what pthread_join gives main */
}

static int part_result(void)
{
    static const int loops[] = { 4, 2 };
    say("main", "part 5, seeds 001 and 002: MyThread(loop, (i, loops[i]), loop.__name__), loops = [4, 2]");
    say("main", "starting at: %.3f", lesson_now());
    double began = lesson_now();
    struct func_thread t[2];
    struct thread *both[2];
    for (int i = 0; i < 2; i++) {
        char actor[24];
        snprintf(actor, sizeof actor, "loop-%d", i);
        thread_init(&t[i].thread, func_thread_run, "MyThread", NULL, actor);
        snprintf(t[i].thread.name, sizeof t[i].thread.name, "loop"); /* self.name = name */
        t[i].func = loop;
        t[i].nloop = i;
        t[i].nsec = loops[i];
        both[i] = &t[i].thread;
    }
    if (!start_all(both, 2))
        return 1;
    double got[2] = { -1, -1 };
    for (int i = 0; i < 2; i++) { /* threads[i].join(); print(threads[i].getResult()) */
        struct loop_result *res = join(both[i]);
        if (res && !lesson_stop_requested()) {
            got[i] = res->slept;
            say("main", "join() -> getResult(): loop %d slept %.2f s", res->nloop, res->slept);
        }
        free(res);
    }
    if (lesson_stop_requested())
        return 0;
    say("main", "all DONE at: %.3f", lesson_now());
    note("pthread_join(t, &res) hands main the pointer run() returned. Python's join() returns None "
         "(checked); its MyThread keeps the value in self.res for getResult().");
    note("The article's loop() returns nothing, so its getResult() gives None (python3 printed None "
         "twice); this loop returns what it measured, in memory that outlives the thread.");
    note("time() here is the lesson clock, the left column; the article's is seconds since 1970.");
    result_at_end("part=result loops=4,2 results=%.2f,%.2f elapsed=%.2f", got[0], got[1], lesson_now() - began);
    return 0;
}

/* -- part 6: what a thread start costs --------------------------------------- */

static void *nothing(struct thread *self) /* def run(self): pass */
{
    (void)self;
    return NULL;
}

static int part_cost(void)
{
    long starts = (long)option_int("starts");
    say("main", "part 6: %ld threads started and joined one at a time, each running nothing", starts);
    struct thread t;
    double began = real_now(); /* real seconds: a cost, not lesson time */
    long done = 0;
    for (; done < starts && !lesson_stop_requested(); done++) {
        thread_init(&t, nothing, "Thread", NULL, "t");
        int refused = start(&t);
        if (refused) {
            report_thread_refusal(refused, 0);
            return 1;
        }
        join(&t);
    }
    if (lesson_stop_requested())
        return 0;
    double us_each = (real_now() - began) / (double)done * 1e6;
    say("main", "%.2f us a thread: pthread_create() and pthread_join(), through start() and join()", us_each);
    note("Real time, whatever --speed says. start() waits until the new thread runs, as Python's does: "
         "python3 3.11 took 0.1 to 0.5 ms a thread here, in runs of 2000 on a shared machine.");
    result_at_end("part=cost starts=%ld us_each=%.2f", done, us_each);
    return 0;
}

static int thread_run(void)
{
    count = (int)option_int("threads");
    threads = calloc((size_t)count, sizeof *threads);
    handles = calloc((size_t)count, sizeof *handles);
    names = calloc((size_t)count, sizeof *names);
    if (!threads || !handles || !names) {
        report_no_memory(_("ask for fewer"), "%d threads", count);
        free(threads);
        free(handles);
        free(names);
        return 1;
    }
    for (int i = 0; i < count; i++)
        snprintf(names[i], sizeof names[i], "t-%d", i);
    static const struct lesson_part parts[] = {
        { "create", part_create }, { "join", part_join },     { "active", part_active },
        { "exit", part_exit },     { "result", part_result }, { "cost", part_cost },
    };
    int status = RUN_PARTS(parts);
    free(threads);
    free(handles);
    free(names);
    return status;
}

static const struct option_spec thread_options[] = {
    OPTION_CHOICE("part", "all", "all|create|join|active|exit|result|cost", "which part to run; all runs them in order"),
    OPTION_INT("threads", "3", 1, 100, "threads in the join, active and exit parts: range(3)"),
    OPTION_INT("starts", "2000", 1, 100000, "threads the cost part starts and joins, one at a time"),
    OPTIONS_END,
};

const struct lesson thread_lesson = {
    .name = "thread",
    .summary = N_("make threads two ways, join them, count them, and see how main's end ends them"),
    .runs_for = { 22 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §2.1.1-2.1.3 Thread类, 计算子线程执行的时间, 统计当前活跃的线程数; seed 001 threading "
                 "模块 getResult(); seed 002 Thread 类"),
    .options = thread_options,
    .results = "part=create ways threads idents_apart reused_idents main_native_id_is_pid elapsed; part=join "
               "threads cost_joined cost_unjoined tasks_before_cost cost_before_ticks unjoined_ended; part=active threads "
               "while_sleeping after_ended; part=exit threads return_woke return_ended pthread_exit_woke "
               "pthread_exit_ended; part=result loops results elapsed; part=cost starts us_each",
    .explanation = N_(
        "A thread is a second line of work inside one process: same memory,\n"
        "its own stack.  pthread_create() starts one; pthread_join() waits for\n"
        "it to end and takes what it returned.\n"
        "\n"
        "Part 1 (seed 000 §2.1.1): Python makes a thread two ways, a function\n"
        "with arguments, Thread(target=run, args=(\"t1\",)), or a class with its\n"
        "own run(), class MyThread(Thread).  In C both are a struct whose first\n"
        "member is the run function, started by one helper.  Each thread prints\n"
        "itself as current_thread() does: its name, its ident (pthread_self())\n"
        "and its native_id (gettid(), the kernel's id).\n"
        "\n"
        "Part 2 (§2.1.2): three threads each print 3s 2s 1s, a second apart.\n"
        "Joined, they take 3 s in all, not 9: they sleep at the same time.\n"
        "Without the join, main's cost: comes at once, before any 3s.\n"
        "\n"
        "Part 3 (§2.1.3): active_count() is 4 while the three still sleep, and\n"
        "1 once they ended.  Part 4: at its end Python waits for its threads (a\n"
        "hidden join); in C, returning from main ends every thread, which a\n"
        "child process shows.  pthread_exit() in main is C's way to wait.\n"
        "\n"
        "Part 5 (seeds 001, 002): getResult().  A thread's return value comes\n"
        "back to main through pthread_join().  Part 6 measures what a thread\n"
        "start costs: pthread_create() and pthread_join(), one at a time.\n"),
    .actor_width = 10,
    .run = thread_run,
};
