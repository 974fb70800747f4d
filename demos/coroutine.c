/* coroutine: many tasks on one thread, each giving control back by itself.
 * Seed 000 §4 (协程: yield, greenlet, gevent), seed 004 (协程: generators,
 * greenlet, gevent, asyncio).
 *
 * The article's program (seed 000, greenlet):
 *
 *     from greenlet import greenlet
 *
 *     def test1():
 *         print(12)
 *         gr2.switch()
 *         print(34)
 *         gr2.switch()
 *
 *     def test2():
 *         print(56)
 *         gr1.switch()
 *         print(78)
 *
 *     gr1 = greenlet(test1)
 *     gr2 = greenlet(test2)
 *     gr1.switch()              # prints 12 56 34 78
 *
 * Seed 004's asyncio program:
 *
 *     async def job(t):
 *         await asyncio.sleep(t)     # waits t seconds, running other tasks
 *         print('用了%s秒' % t)       # "took t s"
 *
 *     tasks = [loop.create_task(job(t)) for t in range(1, 3)]
 *     loop.run_until_complete(asyncio.wait(tasks))   # 2 s, not 1 + 2
 *
 * Seed 000's gevent program begins with monkey.patch_all(), and its f(url)
 * prints 'GET: %s' and '%d bytes received from %s.'.
 *
 * The stackful coroutines and their loop are in coro.c; the switch itself
 * is coro_switch_x86_64.S, a dozen lines.  The stackless generators of
 * part 2 are generator.h, a few macros. */
#define _GNU_SOURCE /* gettid(), timerfd */
#include "lesson.h"

#include "primitives/coro.h"
#include "primitives/generator.h"
#include "pyfloat.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <ucontext.h>
#include <unistd.h>

/* Which thread is speaking: the proof that the coroutines share one. */
static long thread_id(void)
{
    return (long)gettid();
}

/* -- part 1, seed 000: greenlet --------------------------------------------- */

static struct coro *gr1, *gr2;
static char printed[64];      /* what print() printed, in order */
static const char *speaking;  /* part 2: the generator that runs now */

static void print(int number)
{
    say(speaking ? speaking : coro_current()->name, "%d", number);
    size_t used = strlen(printed);
    snprintf(printed + used, sizeof printed - used, "%s%d", used ? "," : "", number);
}

static void test1(void *unused) /* def test1(): */
{
    (void)unused;
    print(12);
    coro_switch(gr2); /* gr2.switch() */
    print(34);
    coro_switch(gr2);
}

static void test2(void *unused) /* def test2(): */
{
    (void)unused;
    print(56);
    coro_switch(gr1); /* gr1.switch() */
    print(78);
}

static int part_greenlet(void)
{
    say("main", "part 1, seed 000: greenlet -- two coroutines that switch to each other by name");
    printed[0] = '\0';
    gr1 = greenlet("gr1", test1, NULL); /* gr1 = greenlet(test1) */
    gr2 = greenlet("gr2", test2, NULL); /* gr2 = greenlet(test2) */
    if (!gr1 || !gr2) {
        report_no_memory(NULL, "a coroutine's stack");
        coro_free(gr1);
        coro_free(gr2);
        return 1;
    }
    note("Here each has its own 64 KiB stack, with a guard page below it.  A switch keeps the "
         "running one's registers on its stack and loads the other's stack pointer.  greenlet itself "
         "runs every greenlet on the thread's one C stack, and copies the part a suspended one used "
         "to the heap (1272 bytes in CPython 3.11, more when it switched from inside C calls: its "
         "_stack_saved).");
    unsigned long before = coro_switches();
    coro_trace_switches(true);
    span_begin("main", SPAN_RUNNING);
    coro_switch(gr1); /* gr1.switch(): runs until control comes back to main */
    span_end("main", SPAN_RUNNING);
    coro_trace_switches(false);
    unsigned long switches = coro_switches() - before;
    say("main", "back in main: test2 returned, and its greenlet's parent is main");
    char spaced[64];
    snprintf(spaced, sizeof spaced, "%s", printed);
    for (char *comma = strchr(spaced, ','); comma; comma = strchr(comma, ','))
        *comma = ' ';
    note("Printed: %s, on one thread (%ld), in %lu switches.", spaced, thread_id(), switches);
    note("gr1 never finished: it waits after its second switch.  Python would raise GreenletExit in "
         "it when it is collected; here its stack is simply freed.");
    result_at_end("part=greenlet printed=%s switches=%lu gr1_finished=%s gr2_finished=%s", printed, switches,
                  gr1->dead ? "yes" : "no", gr2->dead ? "yes" : "no");
    coro_free(gr1);
    coro_free(gr2);
    return 0;
}

/* -- part 2, seeds 000 and 004: generators, coroutines without a stack ------- */

/* Seed 000 says Python makes coroutines "through yield"; seed 004, that yield
 * suspends a generator until next() or send() resumes it, and that a
 * scheduler loop can run a set of them.  Part 1's program, written so:
 *
 *     def test1():              def test2():
 *         print(12)                 print(56)
 *         yield                     yield
 *         print(34)                 print(78)
 *         yield
 *
 *     tasks = [test1(), test2()]
 *     while tasks:                      # the scheduler loop
 *         for task in list(tasks):
 *             try:
 *                 next(task)            # run it to its next yield
 *             except StopIteration:     # it returned
 *                 tasks.remove(task)    # prints 12 56 34 78 */

static bool test1_yield(struct generator *self) /* def test1(): */
{
    GENERATOR_BEGIN(self);
    print(12);
    YIELD(self); /* yield, where part 1 had gr2.switch() */
    print(34);
    YIELD(self);
    GENERATOR_END(self);
}

static bool test2_yield(struct generator *self) /* def test2(): */
{
    GENERATOR_BEGIN(self);
    print(56);
    YIELD(self); /* yield, where part 1 had gr1.switch() */
    print(78);
    GENERATOR_END(self);
}

struct task {
    const char *name;
    bool (*generator_function)(struct generator *);
    struct generator state; /* the generator object: here, only where it stopped */
    bool removed;
};

/* next(task): run it to its next yield.  False when it returned instead
 * (StopIteration). */
static bool next(struct task *task)
{
    if (task->state.resume_at)
        say("main", "next(%s): resume_at is %d: its switch jumps to just after the YIELD on line %d of coroutine.c",
            task->name, task->state.resume_at, task->state.resume_at);
    else
        say("main", "next(%s): resume_at is 0: its switch jumps to its start", task->name);
    speaking = task->name;
    bool yielded = task->generator_function(&task->state);
    speaking = NULL;
    return yielded;
}

/* send() passes a value in: `n = yield r` returns it.  Not in the seeds,
 * which only name send(); this is the usual program that shows it:
 *
 *     def consumer():
 *         r = ''
 *         while True:
 *             n = yield r
 *             if not n:
 *                 return
 *             print('[CONSUMER] Consuming %s...' % n)
 *             r = '200 OK'
 *
 *     def produce(c):
 *         c.send(None)
 *         n = 0
 *         while n < 5:
 *             n = n + 1
 *             print('[PRODUCER] Producing %s...' % n)
 *             r = c.send(n)
 *             print('[PRODUCER] Consumer return: %s' % r)
 *         c.close()
 *
 *     c = consumer()
 *     produce(c) */
struct consumer {   /* def consumer(): what must outlive its yields */
    int resume_at;
    int n;          /* n = yield r: what send() passed in (0 for None) */
    const char *r;  /* ... and what the yield hands out */
};

static bool consumer(struct consumer *self)
{
    GENERATOR_BEGIN(self);
    self->r = "";
    for (;;) {
        YIELD(self); /* n = yield r */
        if (!self->n)
            GENERATOR_RETURN(self);
        say("consumer", "[CONSUMER] Consuming %d...", self->n);
        self->r = "200 OK";
    }
    GENERATOR_END(self);
}

static long sends;

static const char *send(struct consumer *c, int n) /* c.send(n) */
{
    c->n = n;
    consumer(c);
    sends++;
    return c->r;
}

static void produce(struct consumer *c) /* def produce(c): */
{
    send(c, 0); /* c.send(None): run it to its first yield */
    int n = 0;
    while (n < 5) {
        n = n + 1;
        say("producer", "[PRODUCER] Producing %d...", n);
        const char *r = send(c, n);
        say("producer", "[PRODUCER] Consumer return: %s", r);
    }
    generator_close(c); /* c.close() */
}

static int part_generator(void)
{
    say("main", "part 2, seeds 000 and 004: generators -- part 1's program with yield, run by a loop");
    note("A generator keeps no stack: a struct holds where it stopped (resume_at), and each call of "
         "its function jumps there with a C switch statement (demos/primitives/generator.h).  Each "
         "yield returns to the loop, as Python's yield does.");
    printed[0] = '\0';
    struct task tasks[] = { /* tasks = [test1(), test2()] */
        { "test1", test1_yield, GENERATOR_NEW, false },
        { "test2", test2_yield, GENERATOR_NEW, false },
    };
    size_t left = 2;
    long resumes = 0;
    while (left > 0) /* while tasks: */
        for (size_t k = 0; k < 2; k++) { /* for task in list(tasks): */
            if (tasks[k].removed)
                continue;
            resumes++;
            if (!next(&tasks[k])) { /* except StopIteration: tasks.remove(task) */
                say("main", "%s returned: StopIteration, and the loop drops it", tasks[k].name);
                tasks[k].removed = true;
                left--;
            }
        }
    char spaced[64];
    snprintf(spaced, sizeof spaced, "%s", printed);
    for (char *comma = strchr(spaced, ','); comma; comma = strchr(comma, ','))
        *comma = ' ';
    note("Printed: %s, as in part 1, in %ld calls and no switch of stacks.  While suspended, a "
         "generator here keeps %zu bytes, its resume_at; a greenlet of part 1 kept %zu: its stack, "
         "its guard page and its record.  Python keeps a generator's frame (locals, the line it "
         "stopped at) in the generator object, on the heap: about 200 bytes each in CPython 3.11 "
         "(sys.getsizeof).",
         spaced, resumes, sizeof(struct generator), greenlet_bytes());
    note("The price of no stack: a yield can only be in the generator itself, not in a function it "
         "calls; a greenlet can switch from any depth of calls.");

    say("main", "send(): a value goes in at the yield -- a consumer, and a producer that sends to it");
    struct consumer c = { 0, 0, NULL }; /* c = consumer() */
    sends = 0;
    produce(&c);
    note("The consumer's local variables n and r outlive its yields, so they are in its struct: %zu bytes.",
         sizeof(struct consumer));
    note("Python keeps them in its frame (gi_frame.f_locals).  Each send() is one call of consumer().");
    result_at_end("part=generator printed=%s resumes=%ld sends=%ld generator_bytes=%zu consumer_bytes=%zu "
                  "greenlet_bytes=%zu",
                  printed, resumes, sends, sizeof(struct generator), sizeof(struct consumer), greenlet_bytes());
    return 0;
}

/* -- part 3, seed 004: asyncio ------------------------------------------------ */

static double started_at[2];
static long started_on[2];

static void job_blocking(double t) /* def job(t): time.sleep(t) */
{
    say("main", "job(%g) starts, thread %ld", t, thread_id());
    lesson_sleep(t);
    say("main", "用了%g", t); /* print('用了%s' % t) */
}

static void job(void *arg) /* async def job(t): */
{
    double t = *(double *)arg;
    int k = (int)t - 1;
    started_at[k] = lesson_now();
    started_on[k] = thread_id();
    say(coro_current()->name, "job(%g) starts, thread %ld", t, started_on[k]);
    coro_sleep(t); /* await asyncio.sleep(t): the loop runs the other job meanwhile */
    say(coro_current()->name, "用了%g秒", t); /* print('用了%s秒' % t) */
}

static int part_asyncio(void)
{
    say("main", "part 3, seed 004: job(1) and job(2), one after the other, then as coroutines");
    char elapsed[PYFLOAT_BYTES];
    double began = lesson_now(); /* start = time.time() */
    job_blocking(1); /* [job(t) for t in range(1, 3)] */
    job_blocking(2);
    double one_by_one = lesson_now() - began;
    say("main", "%s", python_float(one_by_one, elapsed)); /* print(time.time()-start) */
    note("One after the other: 1 + 2 = 3 s (lesson seconds; the article prints time.time() - start).");
    if (lesson_stop_requested())
        return 0;

    struct loop loop;
    if (!loop_init(&loop, 0, 0))
        return 1;
    static double seconds[2] = { 1, 2 };
    note("As coroutines: each job parks on a timer, and the loop sleeps in poll() until the nearest.");
    began = lesson_now();
    spawn(&loop, "job(1)", job, &seconds[0]); /* loop.create_task(job(1)) */
    spawn(&loop, "job(2)", job, &seconds[1]);
    loop_run(&loop); /* loop.run_until_complete(asyncio.wait(tasks)) */
    double together = lesson_now() - began;
    loop_free(&loop);
    if (lesson_stop_requested())
        return 0;
    int threads = 1 + (started_on[0] != started_on[1]) + (started_on[0] != thread_id());
    say("main", "%s", python_float(together, elapsed)); /* print(time.time()-start) */
    note("As coroutines: both on thread %ld, both started at once, %.2f s and %.2f s in; the longer "
         "wait sets the time: 2 s, not 1 + 2.",
         thread_id(), started_at[0] - began, started_at[1] - began);
    note("What a suspended job keeps, in CPython 3.11: its own frame, stopped at `await "
         "asyncio.sleep(t)`, and the frame of the sleep() coroutine it awaits, stopped at `return "
         "await future` and holding the Future that the loop's timer will complete.  cr_await links "
         "them (task.get_stack() shows only job's).  Each frame lives in its coroutine object, on "
         "the heap; no C stack is kept, and a resume re-enters the frames from job down.  So a job "
         "can stop only where every frame of the chain is at an await; a plain function it calls "
         "cannot await.  These C coroutines keep a stack each instead, as a greenlet does, and could "
         "switch from any depth of calls.");
    result_at_end("part=asyncio one_by_one=%.2f together=%.2f started=%.2f,%.2f threads=%d", one_by_one, together,
                  started_at[0] - began, started_at[1] - began, threads);
    return 0;
}

/* -- part 4, seed 000: gevent, waiting on real descriptors -------------------- */

struct fetch {
    const char *what;
    int fd;          /* ready when the answer is there */
    double done_at;  /* lesson seconds */
    long thread;
};

static void fetch(void *arg) /* def f(url): */
{
    struct fetch *f = arg;
    say(coro_current()->name, "GET: %s", _(f->what)); /* print('GET: %s' % url) */
    wait_readable(f->fd); /* resp = requests.get(url): the hub runs the others meanwhile */
    char buf[64];
    ssize_t got = read(f->fd, buf, sizeof buf);
    f->done_at = lesson_now();
    f->thread = thread_id();
    say(coro_current()->name, "%zd bytes received from %s.", got, _(f->what)); /* print('%d bytes ...' % ...) */
}

/* The "server" behind one of them: a child process that answers in 2 s. */
static int slow_server(void *arg)
{
    int *ends = arg;
    close(ends[0]);
    lesson_sleep(2);
    return write(ends[1], "hello from the child", 20) == 20 ? 0 : 1;
}

/* A timer fd: readable `seconds` of lesson time from now. */
static int timer_fd(double seconds)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (fd < 0)
        return -1;
    struct itimerspec when = { .it_value = lesson_timeout(seconds, CLOCK_MONOTONIC) };
    timerfd_settime(fd, TFD_TIMER_ABSTIME, &when, NULL);
    return fd;
}

/* time.sleep, as the thread has it: the whole thread sleeps, the hub too. */
static void blocking_sleep(double seconds)
{
    span_begin(coro_current()->name, "blocking the thread");
    lesson_sleep(seconds);
    span_end(coro_current()->name, "blocking the thread");
}

/* gevent.sleep: park in the hub, which runs the others meanwhile. */
static void gevent_sleep(double seconds)
{
    coro_sleep(seconds);
}

static void (*time_sleep)(double) = blocking_sleep; /* what the name time.sleep calls */

static void monkey_patch_all(void) /* its part that matters here: time.sleep = gevent.sleep */
{
    time_sleep = gevent_sleep;
}

struct sleeper {
    double started, woke; /* lesson seconds */
};

static void sleeper(void *arg) /* def f(): time.sleep(1) */
{
    struct sleeper *s = arg;
    s->started = lesson_now();
    say(coro_current()->name, "time.sleep(1), %s", time_sleep == gevent_sleep
                                                      ? _("patched: it is gevent.sleep, and parks me in the hub")
                                                      : _("unpatched: the whole thread sleeps"));
    time_sleep(1);
    s->woke = lesson_now();
    say(coro_current()->name, "woke");
}

/* Three sleepers under joinall; how long they took in all. */
static double three_sleepers(struct sleeper sleepers[3])
{
    struct loop loop;
    if (!loop_init(&loop, 0, 0))
        return -1;
    double began = lesson_now();
    spawn(&loop, "sleeper1", sleeper, &sleepers[0]); /* gevent.joinall([gevent.spawn(f) ...]) */
    spawn(&loop, "sleeper2", sleeper, &sleepers[1]);
    spawn(&loop, "sleeper3", sleeper, &sleepers[2]);
    loop_run(&loop);
    loop_free(&loop);
    for (int k = 0; k < 3; k++) {
        sleepers[k].started -= began;
        sleepers[k].woke -= began;
    }
    return lesson_now() - began;
}

static void polite(void *arg) /* gevent.sleep(1): gives control back */
{
    double *late = arg;
    coro_sleep(1);
    *late = coro_current()->woke_late;
    say(coro_current()->name, "woke from a 1 s sleep, %.2f s late", *late);
}

static void rude(void *unused) /* time.sleep(2), unpatched: keeps the thread */
{
    (void)unused;
    say(coro_current()->name, "time.sleep(2), unpatched: the thread sleeps, and the loop cannot run");
    time_sleep(2);
    say(coro_current()->name, "done blocking");
}

static void fails(void *unused)
{
    (void)unused;
    coro_sleep(0.5);
    say(coro_current()->name, "raise ValueError");
    coro_raise("ValueError: this one fails");
}

static void works(void *unused)
{
    (void)unused;
    coro_sleep(1);
    say(coro_current()->name, "finished");
}

static void on_exception(struct coro *g) /* g.link_exception(callback) */
{
    say("hub", "link_exception callback: %s failed: %s", g->name, g->error);
    note("gevent's hub would also print the traceback (hub.handle_error); C has none to print.");
}

static int part_gevent(void)
{
    say("main", "part 4, seed 000: gevent -- three waits on real descriptors, on one thread");
    say("main", "monkey.patch_all()");
    monkey_patch_all();
    note("As the article's program begins.  From here time.sleep is gevent.sleep, and a socket's "
         "wait for an answer waits in gevent's hub (gevent 22.10 in CPython 3.11: time.sleep is "
         "gevent.sleep and socket.socket is gevent.socket.socket after it).  Here the answers come "
         "on descriptors.");
    int ends[2] = { -1, -1 };
    double began = lesson_now(); /* the waits are counted from here, before the first is armed */
    struct fetch fetches[3] = {
        { N_("a timer fd, 1 s"), timer_fd(1), 0, 0 },
        { N_("a child process, 2 s"), -1, 0, 0 },
        { N_("a timer fd, 3 s"), timer_fd(3), 0, 0 },
    };
    pid_t child = -1;
    bool piped = pipe(ends) == 0;
    if (piped)
        child = child_start(slow_server, ends);
    fetches[1].fd = ends[0];
    if (ends[1] >= 0)
        close(ends[1]);
    if (child < 0 || fetches[0].fd < 0 || fetches[2].fd < 0) {
        if (!piped || fetches[0].fd < 0 || fetches[2].fd < 0)
            report_no_descriptor(N_("a descriptor"), errno);
        else if (!lesson_stop_requested())
            report_process_refusal(errno, children_alive());
        for (int k = 0; k < 3; k++)
            if (fetches[k].fd >= 0)
                close(fetches[k].fd);
        if (child > 0)
            child_join(child);
        return not_started();
    }
    struct loop loop;
    if (!loop_init(&loop, 0, 0)) {
        for (int k = 0; k < 3; k++)
            close(fetches[k].fd);
        child_join(child);
        return 1;
    }
    spawn(&loop, "fetch1", fetch, &fetches[0]); /* gevent.joinall([gevent.spawn(f, url), ...]) */
    spawn(&loop, "fetch2", fetch, &fetches[1]);
    spawn(&loop, "fetch3", fetch, &fetches[2]);
    loop_run(&loop);
    double waits = lesson_now() - began;
    loop_free(&loop);
    for (int k = 0; k < 3; k++)
        close(fetches[k].fd);
    child_join(child);
    if (lesson_stop_requested())
        return 0;
    bool one_thread = fetches[0].thread == thread_id() && fetches[1].thread == thread_id() &&
                      fetches[2].thread == thread_id();
    say("main", "joinall: %.2f s for waits of 1, 2 and 3 s, all on thread %ld", waits, thread_id());
    note("The hub sat in poll() on all three descriptors at once: 3 s, not 1 + 2 + 3 = 6.");

    note("Three coroutines that each call time.sleep(1), patched as the article's program has it:");
    struct sleeper patched[3], unpatched[3];
    double patched_s = three_sleepers(patched);
    if (patched_s < 0)
        return 1;
    if (lesson_stop_requested())
        return 0;
    say("main", "joinall, patched time.sleep: %.2f s for three sleeps of 1 s", patched_s);
    if (patched_s < 1.5)
        note("All three slept at once, parked in the hub: the others ran on.");
    else
        note("That took longer than one sleep this time: the machine was slow to run the loop.");

    say("main", "time.sleep = the thread's own, as in a program without monkey.patch_all()");
    time_sleep = blocking_sleep;
    double unpatched_s = three_sleepers(unpatched);
    if (unpatched_s < 0)
        return 1;
    if (lesson_stop_requested())
        return 0;
    say("main", "joinall, unpatched time.sleep: %.2f s for three sleeps of 1 s", unpatched_s);
    if (unpatched[1].started >= 0.9)
        note("Each sleep stalled every coroutine: sleeper2 could not even start until sleeper1 woke, %.2f s in.",
             unpatched[1].started);
    else
        note("sleeper2 started %.2f s in, before sleeper1 woke: the stall did not show this time.",
             unpatched[1].started);
    note("With gevent 22.10 in CPython 3.11 the same three sleeps took 1.0 s patched and 3.0 s unpatched.");

    note("And a coroutine that gives control back beside one that does not:");
    double late = 0;
    if (!loop_init(&loop, 0, 0))
        return 1;
    spawn(&loop, "polite", polite, &late);
    spawn(&loop, "rude", rude, NULL);
    loop_run(&loop);
    loop_free(&loop);
    if (lesson_stop_requested())
        return 0;
    if (late > 0.5)
        note("polite asked for 1 s and got %.2f s: nothing runs while one coroutine blocks.", 1 + late);
    else
        note("polite was only %.2f s late this time: the block did not show.", late);

    note("And a coroutine that fails: the hub calls its link_exception callback; the others go on.");
    if (!loop_init(&loop, 0, 0))
        return 1;
    struct coro *bad = spawn(&loop, "worker2", fails, NULL);
    spawn(&loop, "worker1", works, NULL);
    spawn(&loop, "worker3", works, NULL);
    link_exception(bad, on_exception);
    loop_run(&loop);
    long failed = loop.failed, finished = loop.spawned - loop.failed;
    loop_free(&loop);
    if (lesson_stop_requested())
        return 0;
    result_at_end("part=gevent waits=%.2f done_at=%.2f,%.2f,%.2f one_thread=%s blocked_late=%.2f failed=%ld "
                  "finished=%ld patched=%.2f patched_started=%.2f,%.2f,%.2f unpatched=%.2f "
                  "unpatched_started=%.2f,%.2f,%.2f",
                  waits, fetches[0].done_at - began, fetches[1].done_at - began, fetches[2].done_at - began,
                  one_thread ? "yes" : "no", late, failed, finished, patched_s, patched[0].started,
                  patched[1].started, patched[2].started, unpatched_s, unpatched[0].started, unpatched[1].started,
                  unpatched[2].started);
    return 0;
}

/* -- part 5, seed 004: ten thousand of them ------------------------------------ */

/* The resident memory of this process now, in KiB. */
static long resident_kib(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long kib = 0;
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (status)
        fclose(status);
    return kib;
}

static long asleep_kib; /* measured once every sleeper is asleep */

static void nap(void *unused) /* async def nap(): await asyncio.sleep(1) */
{
    (void)unused;
    coro_sleep(1);
}

static void measure_when_all_asleep(void) /* the loop calls it on its own stack */
{
    asleep_kib = resident_kib();
}

/* vm.max_map_count, as this machine has it. */
static long max_map_count(void)
{
    long most = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &most) != 1)
            most = 65530;
        fclose(f);
    }
    return most;
}

static pthread_mutex_t asleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_asleep = PTHREAD_COND_INITIALIZER;
static long threads_asleep, threads_started;

static void *nap_thread(void *unused) /* a thread that does time.sleep(1) */
{
    (void)unused;
    pthread_mutex_lock(&asleep_lock);
    threads_asleep++;
    pthread_cond_broadcast(&all_asleep);
    pthread_mutex_unlock(&asleep_lock);
    lesson_sleep(1);
    return NULL;
}

static int part_scale(void)
{
    long tasks = option_int("tasks");
    size_t stack_bytes = (size_t)option_int("stack-kib") * 1024;
    say("main", "part 5, seed 004: coroutines that each sleep 1 s, %ld of them, then as many threads", tasks);
    note("Their stacks, %zu KiB each, are packed in one mapping.  A stack of its own with a guard "
         "page would cost at least two pages each, and two memory mappings (vm.max_map_count is %ld "
         "here).",
         stack_bytes / 1024, max_map_count());

    long before_kib = resident_kib();
    double wall = real_now();
    struct loop loop;
    if (!loop_init(&loop, tasks, stack_bytes))
        return 1;
    long spawned = 0;
    struct coro *first = NULL;
    for (; spawned < tasks && !lesson_stop_requested(); spawned++) {
        struct coro *c = spawn(&loop, "nap", nap, NULL); /* loop.create_task(nap()) */
        if (!c)
            break;
        if (!first)
            coro_paint_stack(first = c); /* to see how deep a nap's stack goes */
    }
    if (spawned < tasks && !lesson_stop_requested()) {
        report_no_memory(N_("ask for fewer"), "more than %ld coroutines", spawned);
        loop_free(&loop);
        return 1;
    }
    loop.when_all_parked = measure_when_all_asleep;
    loop_run(&loop);
    double coro_wall = real_now() - wall;
    size_t deepest = first ? coro_stack_used(first) : 0;
    loop_free(&loop);
    if (lesson_stop_requested())
        return 0;
    double coro_kib = (double)(asleep_kib - before_kib) / (double)tasks;
    char counted[48]; /* "10000 coroutines", in the reader's language */
    snprintf(counted, sizeof counted, translate_plural("%ld coroutine", "%ld coroutines", (unsigned long)tasks), tasks);
    say("main", "%s: all done in %.2f s of wall time; %.0f KiB more memory while all slept, %.2f KiB each", counted,
        coro_wall, (double)(asleep_kib - before_kib), coro_kib);
    note("Each is its stack (%zu bytes, of which a nap used %zu), its record (%zu bytes) and a timer.",
         stack_bytes, deepest, sizeof(struct coro));

    /* The same with threads, as many as the system lets be alive at once. */
    struct team team;
    if (!team_init_together(&team, tasks))
        return 1;
    threads_asleep = 0;
    before_kib = resident_kib();
    wall = real_now();
    for (threads_started = 0; threads_started < tasks; threads_started++)
        if (!team_start(&team, nap_thread, NULL))
            break;
    pthread_mutex_lock(&asleep_lock);
    while (threads_asleep < threads_started)
        pthread_cond_wait(&all_asleep, &asleep_lock);
    pthread_mutex_unlock(&asleep_lock);
    long threads_kib = resident_kib();
    team_join_all(&team);
    double thread_wall = real_now() - wall;
    char limit[200] = "";
    if (team.refused && team.refused_by_estimate)
        snprintf(limit, sizeof limit, _("concdemo stops at %ld, its estimate of what this system allows: %s"),
                 threads_started, team.limit_reason ? _(team.limit_reason) : _("its limits"));
    else if (team.refused)
        snprintf(limit, sizeof limit, _("the system refused thread %ld: %s"), threads_started + 1,
                 strerror(team.refused));
    team_free(&team);
    if (lesson_stop_requested())
        return 0;
    double thread_kib = threads_started ? (double)(threads_kib - before_kib) / (double)threads_started : 0;
    snprintf(counted, sizeof counted, translate_plural("%ld thread", "%ld threads", (unsigned long)threads_started),
             threads_started);
    say("main", "%s: all done in %.2f s of wall time; %.0f KiB more memory while all slept, %.2f KiB each", counted,
        thread_wall, (double)(threads_kib - before_kib), thread_kib);
    if (limit[0])
        note("Only %ld of %ld threads started: %s.", threads_started, tasks, limit);
    note("Each thread has a 128 KiB stack, of which it touches a page or two, and the kernel's own records.");
    note("Memory is the resident set (VmRSS), read while every sleeper slept; times are wall-clock.");
    result_at_end("part=scale tasks=%ld coro_wall=%.2f coro_kib_each=%.2f stack_used=%zu threads=%ld "
                  "thread_wall=%.2f thread_kib_each=%.2f thread_limit=%s",
                  tasks, coro_wall, coro_kib, deepest, threads_started, thread_wall, thread_kib, limit[0] ? "yes" : "no");
    return 0;
}

/* -- part 6: what a switch costs ------------------------------------------------ */

static bool ticker(struct generator *self) /* def ticker(): while True: yield */
{
    GENERATOR_BEGIN(self);
    for (;;)
        YIELD(self);
    GENERATOR_END(self);
}

static struct coro *ping, *pong;
static long rounds;

static void ping_pong(void *arg) /* switch to the other, `rounds` times */
{
    struct coro **other = arg;
    for (long k = 0; k < rounds; k++) {
        if (k % 4096 == 0 && lesson_stop_requested())
            return; /* back to main, which stops */
        coro_switch(*other);
    }
}

static ucontext_t uc_main, uc_a, uc_b;
static long uc_rounds_done;

static void uc_loop(void)
{
    for (uc_rounds_done = 0; uc_rounds_done < rounds; uc_rounds_done++) {
        if (uc_rounds_done % 4096 == 0 && lesson_stop_requested())
            return;
        swapcontext(&uc_a, &uc_b);
    }
}

static void uc_other(void)
{
    for (;;)
        swapcontext(&uc_b, &uc_a);
}

static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn;
static bool quit; /* one side saw a stop: the other must not wait for its turn */
static long hand_offs, hand_offs_done;

static void *hand_off(void *arg) /* wait for my turn, give it to the other: a thread "switch" */
{
    int me = *(int *)arg;
    for (long k = 0; k < hand_offs; k++) {
        pthread_mutex_lock(&turn_lock);
        if (k % 4096 == 0 && lesson_stop_requested())
            quit = true;
        while (turn != me && !quit)
            pthread_cond_wait(&turn_changed, &turn_lock);
        turn = 1 - me;
        hand_offs_done++;
        pthread_cond_signal(&turn_changed);
        bool done = quit;
        pthread_mutex_unlock(&turn_lock);
        if (done) {
            pthread_mutex_lock(&turn_lock);
            pthread_cond_broadcast(&turn_changed);
            pthread_mutex_unlock(&turn_lock);
            break;
        }
    }
    return NULL;
}

static int part_switch(void)
{
    long switches = option_int("switches");
    say("main", "part 6: what a switch costs -- generators, coroutines, ucontext, and threads");
    /* a generator: the loop resumes it, it runs to its next yield and returns */
    struct generator tick = GENERATOR_NEW;
    bool (*volatile resume)(struct generator *) = ticker; /* through a pointer, as a scheduler loop calls
                                                             its tasks: the compiler cannot fold it away */
    double t = real_now();
    long resumed = 0;
    for (; resumed < switches; resumed++) {
        if (resumed % 4096 == 0 && lesson_stop_requested())
            break;
        resume(&tick);
    }
    double generator_ns = (real_now() - t) / (double)switches * 1e9;
    if (lesson_stop_requested()) {
        say("main", "stopped after %ld of %ld generator resumes", resumed, switches);
        return 0;
    }

    /* coroutines: ping switches to pong, pong back to ping */
    rounds = switches / 2;
    ping = greenlet("ping", ping_pong, &pong);
    pong = greenlet("pong", ping_pong, &ping);
    if (!ping || !pong) {
        report_no_memory(NULL, "a coroutine's stack");
        coro_free(ping);
        coro_free(pong);
        return 1;
    }
    t = real_now();
    unsigned long before = coro_switches();
    coro_switch(ping);
    double coro_ns = (real_now() - t) / (double)(2 * rounds) * 1e9;
    unsigned long made = coro_switches() - before - 1; /* less main's switch into ping */
    coro_free(ping);
    coro_free(pong);
    if (lesson_stop_requested()) {
        say("main", "stopped after %lu of %ld coroutine switches", made, 2 * rounds);
        return 0;
    }

    /* swapcontext, straight */
    static char stack_a[64 * 1024], stack_b[64 * 1024];
    getcontext(&uc_a);
    uc_a.uc_stack = (stack_t){ .ss_sp = stack_a, .ss_size = sizeof stack_a };
    uc_a.uc_link = &uc_main;
    makecontext(&uc_a, uc_loop, 0);
    getcontext(&uc_b);
    uc_b.uc_stack = (stack_t){ .ss_sp = stack_b, .ss_size = sizeof stack_b };
    makecontext(&uc_b, uc_other, 0);
    t = real_now();
    swapcontext(&uc_main, &uc_a);
    double uc_ns = (real_now() - t) / (double)(2 * rounds) * 1e9;
    if (lesson_stop_requested()) {
        say("main", "stopped after %ld of %ld swapcontext switches", 2 * uc_rounds_done, 2 * rounds);
        return 0;
    }

    /* threads: a mutex and a condition variable pass the turn */
    hand_offs = switches / 100 > 1000 ? switches / 100 : 1000;
    struct team team;
    static int sides[2] = { 0, 1 };
    turn = 0;
    quit = false;
    hand_offs_done = 0;
    if (!team_init_together(&team, 2))
        return 1;
    t = real_now();
    bool started = team_start(&team, hand_off, &sides[0]) && team_start(&team, hand_off, &sides[1]);
    if (!started) { /* the one started waits for a turn that will not come: release it */
        pthread_mutex_lock(&turn_lock);
        quit = true;
        pthread_cond_broadcast(&turn_changed);
        pthread_mutex_unlock(&turn_lock);
    }
    team_join_all(&team);
    double thread_ns = (real_now() - t) / (double)(2 * hand_offs) * 1e9;
    int status = team_report_refusal(&team);
    team_free(&team);
    if (!status && lesson_stop_requested())
        say("main", "stopped after %ld of %ld thread hand-offs", hand_offs_done, 2 * hand_offs);
    if (status || lesson_stop_requested())
        return status;
#ifdef CORO_UCONTEXT
    const char *how = _("swapcontext (this build: CORO=ucontext)");
#else
    const char *how = _("the hand-written switch");
#endif
    say("main", "generator, resumed to its next yield and back: %.1f ns (%ld resumes)", generator_ns, switches);
    say("main", "coroutine switch, %s: %.1f ns (%ld switches)", how, coro_ns, 2 * rounds);
    say("main", "swapcontext switch: %.1f ns (%ld switches)", uc_ns, 2 * rounds);
    say("main", "thread hand-off, mutex and condition variable: %.1f ns (%ld hand-offs)", thread_ns, 2 * hand_offs);
    note("A generator's resume is a round trip, a call and a return: set it beside two coroutine "
         "switches, there and back, %.1f ns.  It switches no stack: what it keeps is in its struct "
         "already.",
         2 * coro_ns);
    note("swapcontext also saves and restores the signal mask: a system call each time.  A thread "
         "hand-off goes through the kernel's scheduler: the other thread must be woken.");
    result_at_end("part=switch coro_ns=%.1f ucontext_ns=%.1f thread_ns=%.1f switch=%s generator_ns=%.1f", coro_ns,
                  uc_ns, thread_ns,
#ifdef CORO_UCONTEXT
                  "ucontext",
#else
                  "asm",
#endif
                  generator_ns);
    return 0;
}

/* -- the lesson ------------------------------------------------------------------ */

static int coroutine_run(void)
{
    static const struct lesson_part parts[] = {
        { "greenlet", part_greenlet }, { "generator", part_generator }, { "asyncio", part_asyncio },
        { "gevent", part_gevent },     { "scale", part_scale },         { "switch", part_switch },
    };
    if (strcmp(option_choice("part"), "article") == 0) { /* the articles' four: greenlet ... gevent */
        int status = 0;
        for (int k = 0; k < 4 && status == 0 && !lesson_stop_requested(); k++)
            status = parts[k].run();
        return status;
    }
    return RUN_PARTS(parts);
}

static const struct option_spec coroutine_options[] = {
    OPTION_CHOICE("part", "article", "article|greenlet|generator|asyncio|gevent|scale|switch|all",
                  "which part; article: greenlet, generator, asyncio, gevent; all: every part"),
    OPTION_INT("tasks", "10000", 1, 2000000, "coroutines (and threads) that sleep at once in the scale part"),
    OPTION_INT("stack-kib", "1", 1, 1024, "each coroutine's stack in the scale part, in KiB"),
    OPTION_INT("switches", "1000000", 1000, 100000000, "switches (and generator resumes) to time in the switch part"),
    OPTIONS_END,
};

const struct lesson coroutine_lesson = {
    .name = "coroutine",
    .summary = N_("coroutines: many tasks on one thread, each switching away by itself"),
    .runs_for = { 15 }, /* seconds at speed 1 at the defaults, measured */
    .source = N_("seed 000 §4 协程 yield, greenlet, gevent; seed 004 协程, 生成器, asyncio, 原生协程"),
    .options = coroutine_options,
    .results = "part=greenlet printed switches gr1_finished gr2_finished; part=generator printed resumes sends "
               "generator_bytes consumer_bytes greenlet_bytes; part=asyncio one_by_one together started threads; "
               "part=gevent waits done_at one_thread blocked_late failed finished patched patched_started unpatched "
               "unpatched_started; part=scale tasks coro_wall coro_kib_each stack_used threads thread_wall "
               "thread_kib_each thread_limit; part=switch coro_ns ucontext_ns thread_ns switch generator_ns",
    .explanation = N_(
        "A coroutine is a function that gives control away by itself, instead of\n"
        "being interrupted as a thread is.  The stackful ones here have a stack of\n"
        "their own: a switch saves a few registers on it and loads another\n"
        "coroutine's stack pointer (demos/primitives/coro_switch_x86_64.S).  A generator has\n"
        "no stack: a struct keeps where it stopped, and each call jumps back there\n"
        "with a switch on that label (demos/primitives/generator.h).\n"
        "\n"
        "Part 1 is seed 000's greenlet program: 12 56 34 78, every switch shown.\n"
        "Part 2 is the same program with yield, as seeds 000 and 004 teach it: two\n"
        "generators under a scheduler loop print 12 56 34 78, on no stack of their\n"
        "own; then send() passes values into a consumer, as Python prints it.\n"
        "Part 3 is seed 004's asyncio: job(1) and job(2) take 3 s one after the\n"
        "other, 2 s as coroutines on one thread.\n"
        "Part 4 is seed 000's gevent, after its monkey.patch_all(): three waits on\n"
        "real descriptors (timer fds and a child's pipe) overlap in poll(), 3 s\n"
        "not 6; three time.sleep(1) take 1 s patched (gevent.sleep parks each in\n"
        "the hub) and 3 s unpatched (each sleeps the whole thread); a coroutine\n"
        "that fails calls its link_exception callback and the others go on.\n"
        "Part 5 (--part scale): 10000 coroutines that each sleep 1 s against as\n"
        "many threads, time and memory.  Part 6 (--part switch): what a switch\n"
        "costs: a generator's resume, a coroutine switch, swapcontext() and a\n"
        "hand-off between threads.\n"),
    .actor_width = 8,
    .run = coroutine_run,
};
