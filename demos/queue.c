/* queue: producers and consumers pass items through a queue.
 * Seed 002 (生产者-消费者问题和 Queue 模块, and its FAQ exercise), seed 000
 * §3.1.1 (Queue), seed 003 (Queue, JoinableQueue), seed 004 (进程队列).
 *
 * The article's program (seed 002), in part:
 *
 *     def writeQ(queue):
 *         print 'producing object for Q...'
 *         queue.put('xxx', 1)
 *         print "size now", queue.qsize()
 *
 *     def readQ(queue):
 *         queue.get(1)
 *         print("consumed object from Q... size now", queue.qsize())
 *
 *     def writer(queue, loops):
 *         for i in range(loops):
 *             writeQ(queue)
 *             sleep(1)
 *
 *     def reader(queue, loops):
 *         for i in range(loops):
 *             readQ(queue)
 *             sleep(randint(2, 5))
 *
 *     nloops = randint(10, 20)
 *     q = Queue(32)
 *     # start writer and reader threads, join them, print 'all DONE'
 *
 * The thread queue, put and get that wait, is in blocking_queue.c: one mutex
 * and three condition variables.  The queue between processes, Python's
 * multiprocessing.Queue, is in process_queue.c: a pipe, two locks and a
 * feeder thread.  Parts 5 and 6 show what that structure does (empty()
 * right after put(), and a child that cannot be joined before its item is
 * got); part 7 sets it beside a queue in shared memory. */
#include "lesson.h"

#include "primitives/blocking_queue.h"
#include "primitives/message.h"
#include "primitives/process_queue.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A queue, or one line on stderr and NULL. */
static struct queue *open_queue(int capacity, bool across_processes)
{
    struct queue *q = queue_new(capacity, across_processes);
    if (!q)
        report_no_memory(NULL, "a queue of %d items", capacity);
    return q;
}

/* -- part 1, seed 002: a writer and a reader -------------------------------- */

static struct queue *q;   /* q = Queue(32) */
static int loops;         /* nloops = randint(10, 20) */
static int *reader_sleeps; /* the reader's randint(2, 5)s, drawn from --seed */
static int put_waits, get_waits, largest;

static void *writer(void *unused) /* def writer(queue, loops): */
{
    (void)unused;
    struct message xxx = message_str("xxx");
    double next = lesson_now();
    say("writer", "starting writer at: %.3f", next); /* print 'starting', self.name, 'at:', time() */
    for (int i = 0; i < loops; i++) {
        say("writer", "producing object for Q...");
        double asked = lesson_now();
        if (queue_put(q, &xxx, WAIT_FOREVER) != QUEUE_OK) /* queue.put('xxx', 1) */
            break;
        if (queue_waited()) {
            put_waits++;
            say("writer", "put() waited %.2f s: the queue was full until the reader took one", lesson_now() - asked);
            next = lesson_now(); /* its seconds count from here now */
        }
        int size = queue_qsize(q);
        if (size > largest)
            largest = size;
        say("writer", "size now %d", size);
        next += 1;
        if (!lesson_sleep_until(next)) /* sleep(1), to a deadline so that the seconds do not drift */
            break;
    }
    say("writer", "writer finished at: %.3f", lesson_now()); /* print self.name, 'finished at:', time() */
    return NULL;
}

static void *reader(void *unused) /* def reader(queue, loops): */
{
    (void)unused;
    struct message item;
    say("reader", "starting reader at: %.3f", lesson_now());
    for (int i = 0; i < loops; i++) {
        double asked = lesson_now();
        if (queue_get(q, &item, WAIT_FOREVER) != QUEUE_OK) /* queue.get(1) */
            break;
        if (queue_waited()) {
            get_waits++;
            say("reader", "get() waited %.2f s: the queue was empty until the writer put one", lesson_now() - asked);
        }
        /* print("consumed object from Q... size now", queue.qsize()): in Python 2 a
         * print statement given one tuple, which it prints as a tuple */
        say("reader", "('consumed object from Q... size now', %d)", queue_qsize(q));
        if (!lesson_sleep(reader_sleeps[i])) /* sleep(randint(2, 5)) */
            break;
    }
    say("reader", "reader finished at: %.3f", lesson_now());
    return NULL;
}

static int part_article(void)
{
    int size = (int)option_int("size");
    loops = (int)option_int("loops");
    say("main", "part 1, seed 002: Queue(%d), a writer and a reader, %d loops each", size, loops);
    reader_sleeps = calloc((size_t)loops, sizeof *reader_sleeps);
    struct dice dice = dice_for(1);
    long total_sleep = 0;
    for (int i = 0; reader_sleeps && i < loops; i++)
        total_sleep += reader_sleeps[i] = (int)randint(&dice, 2, 5);
    struct team team;
    if (!reader_sleeps || !(q = open_queue(size, false)) || !team_init_together(&team, 2)) {
        free(reader_sleeps);
        if (q)
            queue_free(q);
        return 1;
    }
    note("The writer puts one a second; the reader takes one, then sleeps 2 to 5 s:");
    note("the queue grows, and the run lasts as long as the reader's sleeps, %ld s.", total_sleep);
    note("time() here is the lesson clock, the left column; the article's is seconds since 1970.");
    note("The article's program is Python 2: its print statement, given the reader's pair in "
         "parentheses, prints one tuple, as here; Python 3's print() prints the words:");
    note("consumed object from Q... size now 1");
    double began = lesson_now();
    if (team_start(&team, writer, NULL) && !team_start(&team, reader, NULL))
        queue_shutdown(q); /* no reader: the writer must not wait for one */
    /* for i in nfuncs: threads[i].join(); print threads[i].getResult() */
    bool all_started = team.started == 2;
    while (team_join_next(&team))
        if (all_started && !lesson_stop_requested())
            say("main", "None"); /* writer() and reader() return nothing */
    int status = team_report_refusal(&team);
    double elapsed = lesson_now() - began;
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "all DONE");
        note("After %.2f s, as long as the reader's sleeps.", elapsed);
        note("The largest size was %d of %d. qsize() is only a glimpse: by the time it is printed, the "
             "other thread may have changed it.",
             largest, size);
        if (put_waits)
            note("put() waited %d %s, for a full queue (see above).", put_waits,
                 translate_plural("time", "times", (unsigned long)put_waits));
        result_at_end("part=article loops=%d size=%d largest=%d put_waits=%d get_waits=%d reader_sleeps=%ld "
                      "elapsed=%.2f",
                      loops, size, largest, put_waits, get_waits, total_sleep, elapsed);
    }
    team_free(&team);
    queue_free(q);
    free(reader_sleeps);
    return status;
}

/* -- part 2: a full queue blocks put(), an empty one get(); timeouts -------- */

static struct queue *small; /* Queue(2) */

/* They speak before they act, so that the line comes before what it causes. */
static void *late_getter(void *unused)
{
    (void)unused;
    struct message item;
    if (lesson_sleep(1)) {
        say("consumer", "after 1 s: get(), which takes 'a' and makes room");
        queue_get(small, &item, WAIT_FOREVER);
    }
    return NULL;
}

static void *late_putter(void *unused)
{
    (void)unused;
    struct message d = message_str("d");
    if (lesson_sleep(1)) {
        say("producer", "after 1 s: put('d')");
        queue_put(small, &d, WAIT_FOREVER);
    }
    return NULL;
}

/* put or get with a timeout, said and timed. */
static enum queue_answer timed(bool put, const char *call, double timeout, double *waited)
{
    struct message item = message_str("z");
    double asked = lesson_now();
    enum queue_answer answer = put ? queue_put(small, &item, timeout) : queue_get(small, &item, timeout);
    *waited = lesson_now() - asked;
    say("main", "%s -> queue.%s after %.2f s", call, queue_answer_name(answer), *waited);
    return answer;
}

static int part_blocking(void)
{
    say("main", "part 2: Queue(2): put() waits while it is full, get() while it is empty");
    struct team team;
    if (!(small = open_queue(2, false)) || !team_init_together(&team, 2)) {
        if (small)
            queue_free(small);
        return 1;
    }
    struct message a = message_str("a"), b = message_str("b"), c = message_str("c"), item;
    char text[64];
    double put_waited = 0, get_waited = 0, get_timeout_waited = 0, put_timeout_waited = 0, unused;
    enum queue_answer get_timeout = QUEUE_OK, get_nowait = QUEUE_OK, put_timeout = QUEUE_OK, put_nowait = QUEUE_OK;

    queue_put(small, &a, WAIT_FOREVER);
    queue_put(small, &b, WAIT_FOREVER);
    say("main", "put('a'), put('b'): size %d of 2, full; a consumer will get() in 1 s", queue_qsize(small));
    if (team_start(&team, late_getter, NULL)) {
        say("main", "put('c') waits...");
        double asked = lesson_now();
        if (queue_put(small, &c, WAIT_FOREVER) == QUEUE_OK) {
            put_waited = lesson_now() - asked;
            say("main", "put('c') returned after %.2f s, once the consumer made room", put_waited);
        }
        team_join_all(&team);
    }
    while (!lesson_stop_requested() && queue_get(small, &item, NO_WAIT) == QUEUE_OK) {
        message_format(&item, text, sizeof text);
        say("main", "get() -> %s", text);
    }
    if (!lesson_stop_requested() && team_start(&team, late_putter, NULL)) {
        say("main", "empty now; a producer will put('d') in 1 s; get() waits...");
        double asked = lesson_now();
        if (queue_get(small, &item, WAIT_FOREVER) == QUEUE_OK) {
            get_waited = lesson_now() - asked;
            message_format(&item, text, sizeof text);
            say("main", "get() -> %s after %.2f s, once the producer put it", text, get_waited);
        }
        team_join_all(&team);
    }
    if (!lesson_stop_requested()) {
        note("Timeouts: on an empty queue, get(timeout=0.5) gives up with Empty, get_nowait() at once.");
        get_timeout = timed(false, "get(timeout=0.5)", 0.5, &get_timeout_waited);
        get_nowait = timed(false, "get_nowait()", NO_WAIT, &unused);
        queue_put(small, &a, NO_WAIT);
        queue_put(small, &b, NO_WAIT);
        note("Full again (2 of 2): put(timeout=0.5) gives up with Full, put_nowait() at once.");
        put_timeout = timed(true, "put('z', timeout=0.5)", 0.5, &put_timeout_waited);
        put_nowait = timed(true, "put_nowait('z')", NO_WAIT, &unused);
    }
    int status = team_report_refusal(&team);
    if (status == 0 && !lesson_stop_requested())
        result_at_end("part=blocking put_waited=%.2f get_waited=%.2f get_timeout=%s get_timeout_waited=%.2f "
                      "get_nowait=%s put_timeout=%s put_timeout_waited=%.2f put_nowait=%s",
                      put_waited, get_waited, queue_answer_name(get_timeout), get_timeout_waited,
                      queue_answer_name(get_nowait), queue_answer_name(put_timeout), put_timeout_waited,
                      queue_answer_name(put_nowait));
    team_free(&team);
    queue_free(small);
    return status;
}

/* -- part 3, seed 002's exercise: many producers, a pool of consumers ------- */

/* What the producers and consumers share, in memory that forked processes
 * share too: how often each item was consumed, and by whom. */
struct ledger {
    int producers, items;        /* items per producer */
    atomic_int *consumed_by;     /* [consumer]: how many it got */
    atomic_int times_consumed[]; /* [producer * items + k], then consumed_by's counts */
};

static struct queue *work;
static struct ledger *ledger;
static bool in_processes;

struct worker {
    int number;
    char name[24];
};

static int produce(void *arg)
{
    struct worker *me = arg;
    struct dice dice = dice_for(100 + (unsigned long long)me->number);
    for (int k = 0; k < ledger->items; k++) {
        struct message item = message_list(); /* [producer, k] */
        message_add_int(&item, me->number);
        message_add_int(&item, k);
        say(me->name, "put([%d, %d])", me->number, k); /* said first, so no get comes before it */
        double asked = lesson_now();
        if (queue_put(work, &item, WAIT_FOREVER) != QUEUE_OK)
            return 1;
        if (queue_waited())
            say(me->name, "... waited %.2f s: the queue was full", lesson_now() - asked);
        span_begin(me->name, SPAN_RUNNING); /* for --timeline and --trace */
        bool slept = lesson_sleep(randint(&dice, 0, 20) / 100.0); /* making the next takes 0 to 0.2 s */
        span_end(me->name, SPAN_RUNNING);
        if (!slept)
            return 1;
    }
    return 0;
}

static int consume(void *arg)
{
    struct worker *me = arg;
    struct dice dice = dice_for(200 + (unsigned long long)me->number);
    for (;;) {
        struct message item;
        if (queue_get(work, &item, WAIT_FOREVER) != QUEUE_OK)
            return 1;
        if (message_is_none(&item)) { /* the sentinel: no more work */
            queue_task_done(work);
            say(me->name, "get() -> None: goes home");
            return 0;
        }
        int producer = (int)item.values[0].number, k = (int)item.values[1].number;
        atomic_fetch_add(&ledger->times_consumed[producer * ledger->items + k], 1);
        atomic_fetch_add(&ledger->consumed_by[me->number], 1);
        say(me->name, "get() -> [%d, %d]", producer, k);
        span_begin(me->name, SPAN_TASK);
        lesson_sleep(randint(&dice, 10, 50) / 100.0); /* working on it takes 0.1 to 0.5 s */
        span_end(me->name, SPAN_TASK);
        queue_task_done(work);                       /* q.task_done(): this one is done */
    }
}

static void *produce_thread(void *arg) { produce(arg); return NULL; }
static void *consume_thread(void *arg) { consume(arg); return NULL; }

/* Start one producer or consumer: a thread in its team, or a process. */
static bool start_worker(struct team *team, pid_t *pid, bool producer, struct worker *w)
{
    if (!in_processes)
        return team_start(team, producer ? produce_thread : consume_thread, w);
    *pid = child_start(producer ? produce : consume, w);
    if (*pid < 0) {
        if (!lesson_stop_requested())
            report_process_refusal(errno, children_alive());
        return false;
    }
    say("main", "%s is process %ld", w->name, (long)*pid);
    return true;
}

/* Join the producers or the consumers: their team, or their processes. */
static void join_workers(struct team *team, pid_t *pids, int count)
{
    team_join_all(team);
    for (int i = 0; i < count; i++)
        if (pids[i] > 0)
            child_join(pids[i]);
}

/* After the run: was every item consumed exactly once? */
static void report_pool(const char *kind, int producers, int consumers, long total, double elapsed)
{
    long consumed = 0, duplicates = 0, missing = 0;
    for (long k = 0; k < total; k++) {
        int times = atomic_load(&ledger->times_consumed[k]);
        consumed += times;
        duplicates += times > 1 ? times - 1 : 0;
        missing += times == 0;
    }
    size_t room = (size_t)consumers * 12 + 1;
    char *shares = calloc(room, 1);
    if (!shares)
        return;
    size_t used = 0;
    for (int i = 0; i < consumers; i++)
        used += (size_t)snprintf(shares + used, room - used, "%s%d", i ? "," : "",
                                 atomic_load(&ledger->consumed_by[i]));
    say("main", "all joined after %.2f s: %ld produced, %ld consumed (%s by consumer)", elapsed, total, consumed,
        shares);
    if (duplicates == 0 && missing == 0)
        note("Every item was consumed exactly once: a get() takes an item out under the queue's lock.");
    else
        note("NOT exactly once: %ld duplicates, %ld missing.", duplicates, missing);
    if (in_processes) {
        note("With --processes this part's queue is the one in shared memory (blocking_queue.c, see part "
             "7), its mutex and conditions process-shared, and so is the tally.");
        note("Python's JoinableQueue is a pipe with a feeder thread (parts 4 to 6), with semaphores "
             "shared between the processes that count for task_done() and join().");
    }
    result_at_end("part=pool kind=%s producers=%d consumers=%d produced=%ld consumed=%ld duplicates=%ld "
                  "missing=%ld per_consumer=%s elapsed=%.2f",
                  kind, producers, consumers, total, consumed, duplicates, missing, shares, elapsed);
    free(shares);
}

static int part_pool(void)
{
    int producers = (int)option_int("producers"), consumers = (int)option_int("consumers");
    int items = (int)option_int("items");
    in_processes = option_flag("processes");
    const char *kind = in_processes ? N_("processes") : N_("threads");
    long total = (long)producers * items;
    say("main", "part 3, seed 002's exercise: %d producer %s, a pool of %d consumer %s, %ld items", producers,
        _(kind), consumers, _(kind), total);
    size_t ledger_size = sizeof *ledger + (size_t)(total + consumers) * sizeof ledger->times_consumed[0];
    ledger = shared_memory(ledger_size); /* shared with the consumers, threads or processes */
    struct worker *workers = calloc((size_t)(producers + consumers), sizeof *workers);
    pid_t *pids = calloc((size_t)(producers + consumers), sizeof *pids);
    pid_t *consumer_pids = pids ? pids + producers : NULL;
    struct team producer_team, consumer_team;
    if (!ledger || !workers || !pids)
        report_no_memory(N_("ask for fewer"), "the ledger of %ld items", total); /* open_queue says its own */
    bool ready = ledger && workers && pids && (work = open_queue((int)option_int("size"), in_processes));
    if (ready && !team_init_together(&producer_team, producers))
        ready = false;
    if (ready && !team_init_together(&consumer_team, consumers)) {
        team_free(&producer_team);
        ready = false;
    }
    if (!ready) {
        if (work)
            queue_free(work);
        shared_memory_free(ledger, ledger_size);
        free(workers);
        free(pids);
        return 1;
    }
    ledger->producers = producers;
    ledger->items = items;
    ledger->consumed_by = &ledger->times_consumed[total]; /* shared too: the same address after fork */
    note("JoinableQueue: each get() is answered by a task_done(), and join() waits for all of them.");

    double began = lesson_now();
    bool started = true;
    for (int i = 0; started && i < consumers; i++) {
        struct worker *w = &workers[producers + i];
        w->number = i;
        snprintf(w->name, sizeof w->name, "consumer-%d", i);
        started = start_worker(&consumer_team, &consumer_pids[i], false, w);
    }
    for (int i = 0; started && i < producers; i++) {
        struct worker *w = &workers[i];
        w->number = i;
        snprintf(w->name, sizeof w->name, "producer-%d", i);
        started = start_worker(&producer_team, &pids[i], true, w);
    }
    if (!started)
        queue_shutdown(work); /* the ones started go home */
    join_workers(&producer_team, pids, producers);
    /* Only now: a join() before the producers are done could find nothing
     * unfinished yet, and return at once. */
    queue_join(work); /* q.join(): until every item put was task_done() */
    if (started && !lesson_stop_requested()) {
        say("main", "q.join() returned: all %ld items done; one None per consumer sends them home", total);
        struct message none = message_none();
        for (int i = 0; i < consumers; i++)
            queue_put(work, &none, WAIT_FOREVER);
    }
    join_workers(&consumer_team, consumer_pids, consumers);
    double elapsed = lesson_now() - began;

    int status = started || lesson_stop_requested() ? 0 : 1;
    if (status == 0)
        status = team_report_refusal(&producer_team) | team_report_refusal(&consumer_team);
    if (status == 0 && !lesson_stop_requested())
        report_pool(kind, producers, consumers, total, elapsed);
    team_free(&producer_team);
    team_free(&consumer_team);
    queue_free(work);
    shared_memory_free(ledger, ledger_size);
    free(workers);
    free(pids);
    return status;
}

/* -- parts 4 to 7: multiprocessing.Queue, a pipe and a feeder thread ------- */

/* How a Python process ends: multiprocessing's finalizers close each queue
 * it put into, then join the queue's feeder thread, which first writes
 * every item left in the buffer.  So a child cannot end before its items
 * are in the pipe.  A put() refused its feeder thread is said here. */
static int exit_as_python_does(struct process_queue *q, bool put)
{
    if (!put) {
        report_thread_refusal(errno, 0);
        return 1;
    }
    process_queue_close(q);             /* q.close() */
    span_begin("child", SPAN_WAITING);  /* for --timeline and --trace */
    process_queue_join_thread(q);       /* q.join_thread() */
    span_end("child", SPAN_WAITING);
    return 0;
}

/* q.get(), from a queue only `child` puts into.  Python's would wait for
 * ever if the child ended without putting; this one looks whether it still
 * runs at every tenth of a lesson second, and then gives up. */
static enum queue_answer get_from(pid_t child, struct process_queue *q, void *item, size_t room, size_t *size)
{
    for (;;) {
        enum queue_answer answer = process_queue_get(q, item, room, size, 0.1);
        if (answer != QUEUE_EMPTY)
            return answer;
        if (!child_is_alive(child))
            return process_queue_get(q, item, room, size, NO_WAIT) == QUEUE_OK ? QUEUE_OK : QUEUE_SHUT_DOWN;
    }
}

/* Start a child, or say why not: the pid, or -1. */
static pid_t start_child(int (*fn)(void *), void *arg)
{
    pid_t pid = child_start(fn, arg);
    if (pid < 0 && !lesson_stop_requested())
        report_process_refusal(errno, children_alive());
    return pid;
}

/* -- part 4, seed 000 §3.1.1: a queue between processes -------------------- */

static int f(void *q) /* def f(q): q.put([42, None, 'hello']) */
{
    struct message m = message_list();
    message_add_int(&m, 42);
    message_add_none(&m);
    message_add_str(&m, "hello");
    say("child", "q.put([42, None, 'hello'])");
    return exit_as_python_does(q, process_queue_put(q, &m, sizeof m));
}

static int part_process(void)
{
    say("main", "part 4, seed 000: a child process puts [42, None, 'hello']; the parent gets it");
    struct process_queue *q = process_queue_new(); /* q = Queue() */
    if (!q)
        return 1;
    pid_t p = start_child(f, q); /* p = Process(target=f, args=(q,)); p.start() */
    if (p < 0) {
        process_queue_free(q);
        return not_started();
    }
    say("main", "started the child, process %ld; q.get() waits", (long)p);
    struct message got;
    char text[64], packed[64] = "nothing";
    if (get_from(p, q, &got, sizeof got, NULL) == QUEUE_OK) { /* print(q.get()) */
        message_format(&got, text, sizeof text);
        message_format_packed(&got, packed, sizeof packed);
        say("main", "%s", text);
    }
    int exit_status = child_join(p); /* p.join() */
    int status = 0;
    if (!lesson_stop_requested() && exit_status != 0)
        status = 1; /* the child said why */
    else if (!lesson_stop_requested()) {
        say("main", "joined the child: it exited with %d", exit_status);
        note("The child has its own copy of the parent's memory. The list crossed as bytes:");
        note("the child's feeder thread wrote them into the queue's pipe, and get() read them.");
        note("Python pickles the list into those bytes; here the message struct is sent whole.");
        result_at_end("part=process got=%s child_exit=%d", packed, exit_status);
    }
    process_queue_free(q);
    return status;
}

/* -- part 5, seed 004's q.empty(): "the result is not reliable" ------------ */

static int refused; /* the errno of a put() refused its feeder thread, or 0 */

/* q.put(1); then at once q.empty() and q.qsize(); then q.get(). */
static bool put_then_empty(struct process_queue *q, int *qsize_one)
{
    struct message one = message_int(1), got;
    if (!process_queue_put(q, &one, sizeof one)) {
        refused = errno;
        return false;
    }
    bool empty = process_queue_empty(q);
    *qsize_one += process_queue_qsize(q) == 1;
    process_queue_get(q, &got, sizeof got, NULL, WAIT_FOREVER);
    return empty;
}

static int part_empty(void)
{
    int tries = (int)option_int("tries");
    say("main", "part 5, seed 004: q.empty() right after q.put(1)");
    struct process_queue *q = process_queue_new();
    if (!q)
        return 1;
    struct message one = message_int(1), got;
    say("main", "q = Queue(); q.put(1)");
    if (!process_queue_put(q, &one, sizeof one)) {
        report_thread_refusal(errno, 0);
        process_queue_free(q);
        return 1;
    }
    bool first_empty = process_queue_empty(q);
    long first_qsize = process_queue_qsize(q);
    long buffered = process_queue_buffered(q), in_pipe = process_queue_bytes_in_pipe(q); /* a moment later */
    say("main", "q.empty() -> %s", first_empty ? "True" : "False");
    say("main", "q.qsize() -> %ld", first_qsize);
    if (first_empty)
        note("put() appended 1 to this process's buffer, and started the feeder thread that");
    else
        note("This time the feeder had already written 1 into the pipe: a race, counted below.");
    if (first_empty)
        note("writes it into the pipe; empty() looks only at the pipe, and found nothing there.");
    note("qsize() counts the put()s not yet matched by a get(), wherever the items are.");
    note("A moment later: %ld %s in the buffer, %ld bytes in the pipe.", buffered,
         translate_plural("item", "items", (unsigned long)buffered), in_pipe);
    if (process_queue_get(q, &got, sizeof got, NULL, WAIT_FOREVER) == QUEUE_OK)
        say("main", "q.get() -> %ld", got.values[0].number);
    process_queue_free(q);

    /* The same, many times: a fresh queue each time, whose feeder the put()
     * starts; then one queue, whose feeder runs already. */
    int fresh_empty = 0, running_empty = 0, qsize_one = 0, warm_up = 0;
    for (int k = 0; k < tries && !refused && !lesson_stop_requested(); k++) {
        struct process_queue *fresh = process_queue_new();
        if (!fresh)
            return 1;
        fresh_empty += put_then_empty(fresh, &qsize_one);
        process_queue_free(fresh);
    }
    struct process_queue *running = process_queue_new();
    if (!running)
        return 1;
    put_then_empty(running, &warm_up); /* its feeder runs from now on */
    for (int k = 0; k < tries && !refused && !lesson_stop_requested(); k++)
        running_empty += put_then_empty(running, &qsize_one);
    process_queue_free(running);
    if (refused) {
        report_thread_refusal(refused, 0);
        return 1;
    }
    if (lesson_stop_requested())
        return 0;
    say("main", "%d tries, a fresh Queue each: empty() right after put() said True %d times", tries, fresh_empty);
    say("main", "%d tries, one Queue whose feeder runs already: True %d times", tries, running_empty);
    note("A race between this thread and the feeder, which must wake (or first start) and write the "
         "item before empty() can see it. qsize() said 1 after %d of the %d put()s. Seed 004: "
         "empty() \"is not reliable\". Python's Queue is built so too.",
         qsize_one, 2 * tries);
    result_at_end("part=empty first_empty=%s first_qsize=%ld tries=%d fresh_empty=%d running_empty=%d qsize_one=%d",
                  first_empty ? "True" : "False", first_qsize, tries, fresh_empty, running_empty, qsize_one);
    return 0;
}

/* -- part 6: joining a process that put more than its pipe holds ---------- */

static size_t item_bytes; /* the child's item: b'x' * item_bytes */

static int put_bytes(void *q) /* def f(q): q.put(b'x' * n) */
{
    char *item = malloc(item_bytes);
    if (!item) {
        report_no_memory(NULL, "an item of %zu bytes", item_bytes);
        return 1;
    }
    memset(item, 'x', item_bytes);
    say("child", "q.put(b'x' * %zu)", item_bytes);
    bool put = process_queue_put(q, item, item_bytes);
    free(item);
    if (put)
        say("child", "put() returned; f() returns; at exit Python joins the queue's feeder thread");
    return exit_as_python_does(q, put);
}

/* The child's item, got: its size, or 0 (stopped, or the child died). */
static size_t get_item(pid_t p, struct process_queue *q)
{
    char *item = malloc(item_bytes);
    size_t size = 0;
    if (item && get_from(p, q, item, item_bytes, &size) == QUEUE_OK)
        say("main", "q.get() -> %zu bytes", size);
    free(item);
    return size;
}

static int part_deadlock(void)
{
    say("main", "part 6: p.join() on a child whose put() is still in its feeder thread");
    struct process_queue *q = process_queue_new();
    if (!q)
        return 1;
    long capacity = process_queue_pipe_capacity(q);
    say("main", "the queue's pipe holds %ld bytes (F_GETPIPE_SZ); a message is its bytes and a 4-byte length",
        capacity);

    /* First an item that fits: p.join() before q.get() returns. */
    item_bytes = (size_t)capacity - 4;
    say("main", "a child puts %zu bytes, %ld with the length: the pipe takes it all", item_bytes, capacity);
    pid_t p = start_child(put_bytes, q);
    if (p < 0) {
        process_queue_free(q);
        return not_started();
    }
    int fits_exit = child_join(p); /* p.join(): safe, the whole message fits in the empty pipe */
    if (lesson_stop_requested() || fits_exit != 0) {
        process_queue_free(q);
        return fits_exit != 0 && !lesson_stop_requested() ? 1 : 0; /* the child said why */
    }
    say("main", "p.join() returned: the child exited with %d before anyone got its item", fits_exit);
    size_t fits_got = get_item(p, q);

    /* Then one byte more: p.join() would never return. */
    item_bytes = (size_t)capacity - 3;
    say("main", "a child puts %zu bytes, %ld with the length: one byte more than the pipe holds", item_bytes,
        capacity + 1);
    p = start_child(put_bytes, q);
    if (p < 0) {
        process_queue_free(q);
        return not_started();
    }
    say("main", "p.join(timeout=1) waits for the child, process %ld...", (long)p);
    double asked = lesson_now();
    span_begin("main", SPAN_WAITING);
    int timed = child_join_timeout(p, 1); /* p.join(timeout=1) */
    span_end("main", SPAN_WAITING);
    double waited = lesson_now() - asked;
    long in_pipe = process_queue_bytes_in_pipe(q);
    bool pipe_full = !process_queue_pipe_has_room(q), alive = timed == CHILD_RUNNING;
    if (lesson_stop_requested()) {
        if (alive)
            child_join(p); /* the engine ends it */
        process_queue_free(q);
        return 0;
    }
    if (alive) {
        say("main", "p.join(timeout=1) returned after %.2f s; p.is_alive() -> True", waited);
        if (pipe_full) {
            note("Deadlock: the child's feeder wrote %ld bytes, the pipe has no room left, and its write() "
                 "waits for room for the rest; the child's exit waits for its feeder; and only a get() makes "
                 "room, while the parent waits for the child.",
                 in_pipe);
            note("A p.join() with no timeout would never return.");
            if (in_pipe < capacity) {
                note("(%ld, not %ld: the kernel keeps a pipe in pages of 4096 bytes. The 4-byte length took the "
                     "first, the item's write began on the next, and its last page was not there.)",
                     in_pipe, capacity);
            }
        } else
            note("The pipe still has room: the child's feeder has written %ld bytes so far (a slow start).",
                 in_pipe);
    } else
        say("main", "p.join(timeout=1): the child exited with %d, without waiting", timed);
    size_t big_got = get_item(p, q);
    double got_at = lesson_now();
    int big_exit = alive ? child_join(p) : timed; /* p.join() */
    if (lesson_stop_requested()) {
        process_queue_free(q);
        return 0;
    }
    if (alive)
        say("main", "p.join() returned %.2f s after the get: the child exited with %d", lesson_now() - got_at,
            big_exit);
    note("So get() what a process put before you join it: the multiprocessing docs' \"Joining "
         "processes that use queues\".");
    process_queue_free(q);
    if (big_exit != 0)
        return 1; /* the child said why */
    result_at_end("part=deadlock capacity=%ld fits=%zu fits_joined=yes fits_got=%zu big=%zu timed_join=%s "
                  "waited=%.2f in_pipe=%ld pipe_full=%s big_got=%zu child_exit=%d",
                  capacity, (size_t)capacity - 4, fits_got, item_bytes, alive ? "timeout" : "exited", waited,
                  in_pipe, pipe_full ? "yes" : "no", big_got, big_exit);
    return 0;
}

/* -- part 7: what a queue in shared memory would cost ----------------------- */

struct put_timing {
    double seconds; /* spent in put(), in the child */
};
static struct put_timing *timing; /* in shared memory */
static int messages;
static struct queue *shared_q;

static int put_many_into_pipe_queue(void *q)
{
    struct message item = message_list();
    message_add_int(&item, 0);
    bool put = true;
    double began = real_now();
    for (int k = 0; k < messages && put; k++) {
        item.values[0].number = k;
        put = process_queue_put(q, &item, sizeof item);
    }
    timing->seconds = real_now() - began;
    return exit_as_python_does(q, put);
}

static int put_many_into_shared_queue(void *unused)
{
    (void)unused;
    struct message item = message_list();
    message_add_int(&item, 0);
    double began = real_now();
    for (int k = 0; k < messages; k++) {
        item.values[0].number = k;
        if (queue_put(shared_q, &item, WAIT_FOREVER) != QUEUE_OK)
            return 1;
    }
    timing->seconds = real_now() - began;
    return 0;
}

/* A child puts `messages` items, the parent gets them all and joins it:
 * the seconds that took, or a negative number if it could not be done. */
static double move_messages(bool through_pipe, void *q)
{
    double began = real_now();
    pid_t p = start_child(through_pipe ? put_many_into_pipe_queue : put_many_into_shared_queue, q);
    if (p < 0)
        return -1;
    struct message item;
    bool all = true;
    for (int k = 0; k < messages && all; k++)
        all = (through_pipe ? get_from(p, q, &item, sizeof item, NULL) : queue_get(q, &item, WAIT_FOREVER)) ==
                  QUEUE_OK &&
              item.values[0].number == k;
    int exit_status = child_join(p);
    return all && exit_status == 0 ? real_now() - began : -1;
}

static int part_shared(void)
{
    messages = (int)option_int("messages");
    say("main", "part 7: what a queue in shared memory would cost: %d messages, child to parent", messages);
    timing = shared_memory(sizeof *timing);
    struct process_queue *pipe_q = timing ? process_queue_new() : NULL;
    shared_q = pipe_q ? open_queue(32, true) : NULL;
    if (!shared_q) {
        if (!timing)
            report_no_memory(NULL, "a timing");
        process_queue_free(pipe_q);
        shared_memory_free(timing, sizeof *timing);
        return 1;
    }
    double pipe_seconds = move_messages(true, pipe_q), pipe_put = timing->seconds;
    double shared_seconds = pipe_seconds < 0 ? -1 : move_messages(false, shared_q), shared_put = timing->seconds;
    process_queue_free(pipe_q);
    queue_free(shared_q);
    shared_memory_free(timing, sizeof *timing);
    if (lesson_stop_requested())
        return 0;
    if (pipe_seconds < 0 || shared_seconds < 0)
        return 1; /* said already */
    double pipe_us = pipe_seconds / messages * 1e6, shared_us = shared_seconds / messages * 1e6;
    say("main", "multiprocessing's Queue, a pipe and a feeder thread: %.2f us a message; put() %.2f us", pipe_us,
        pipe_put / messages * 1e6);
    say("main", "a queue in shared memory, 32 slots (blocking_queue.c): %.2f us a message; put() %.2f us",
        shared_us, shared_put / messages * 1e6);
    note("Measured in this run, from the child's start to its join. In shared memory a message "
         "crosses with no system call unless one side must wait; through the pipe it is written and "
         "read. Here the pipe took %.2f times as long.",
         pipe_us / shared_us);
    note("What the shared queue costs instead: its slots are fixed in size when it is made (%zu "
         "bytes here; part 6's item needs 64 KiB), it must exist before the fork, and a process "
         "killed holding its lock leaves it half-changed (its robust mutex tells the next locker, "
         "and blocking_queue.c shuts the queue down). The pipe takes a message of any length, and "
         "put() never waits: the putting process's buffer grows.",
         sizeof(struct message));
    result_at_end("part=shared messages=%d pipe_us=%.2f pipe_put_us=%.2f shared_us=%.2f shared_put_us=%.2f "
                  "ratio=%.2f",
                  messages, pipe_us, pipe_put / messages * 1e6, shared_us, shared_put / messages * 1e6,
                  pipe_us / shared_us);
    return 0;
}

/* --------------------------------------------------------------------------- */

static int queue_run(void)
{
    static const struct lesson_part parts[] = {
        { "article", part_article }, { "blocking", part_blocking }, { "pool", part_pool },
        { "process", part_process }, { "empty", part_empty },       { "deadlock", part_deadlock },
        { "shared", part_shared },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec queue_options[] = {
    OPTION_CHOICE("part", "all", "all|article|blocking|pool|process|empty|deadlock|shared",
                  "which part to run; all runs them in order"),
    OPTION_INT("size", "32", 1, 10000, "the queue's maxsize, in the article and pool parts: Queue(32)"),
    OPTION_INT("loops", "random 10-20", 1, 1000, "the article's loops: randint(10, 20), drawn from --seed"),
    OPTION_INT("producers", "2", 1, 100, "producers in the pool part"),
    OPTION_INT("consumers", "3", 1, 100, "consumers in the pool part: the pool"),
    OPTION_INT("items", "10", 1, 100000, "items each producer makes in the pool part"),
    OPTION_FLAG("processes", "the pool part's producers and consumers are processes, not threads"),
    OPTION_INT("tries", "1000", 1, 100000, "times the empty part puts and asks empty(), each way"),
    OPTION_INT("messages", "20000", 1, 1000000, "messages the shared part sends through each queue"),
    OPTIONS_END,
};

const struct lesson queue_lesson = {
    .name = "queue",
    .summary = N_("producers and consumers pass items through a blocking queue"),
    /* seconds at speed 1: the article part lasts the reader's sleeps, 20 to 100 s
     * by --seed (35 to 89 in 40 seeds); the other parts 6 s, measured */
    .runs_for = { 25, 105 },
    .source = N_("seed 002 生产者-消费者问题和 Queue 模块; seed 000 §3.1.1 Queue; seed 003 Queue/JoinableQueue; "
                 "seed 004 进程队列"),
    .options = queue_options,
    .results = "part=article loops size largest put_waits get_waits reader_sleeps elapsed; part=blocking "
               "put_waited get_waited get_timeout get_timeout_waited get_nowait put_timeout put_timeout_waited "
               "put_nowait; part=pool kind producers consumers produced consumed duplicates missing "
               "per_consumer elapsed; part=process got child_exit; part=empty first_empty first_qsize tries "
               "fresh_empty running_empty qsize_one; part=deadlock capacity fits fits_joined fits_got big "
               "timed_join waited in_pipe pipe_full big_got child_exit; part=shared messages pipe_us "
               "pipe_put_us shared_us shared_put_us ratio",
    .explanation = N_(
        "A queue passes items from threads that make them to threads that use\n"
        "them, and does the locking for both.  put() waits while the queue is\n"
        "full, get() while it is empty; with a timeout they give up with Full or\n"
        "Empty.  The thread queue here is a mutex and three condition variables\n"
        "(demos/primitives/blocking_queue.c).\n"
        "\n"
        "Part 1 is seed 002's program: a writer puts one item a second into\n"
        "Queue(32), a reader takes one and sleeps 2 to 5 s, for 10 to 20 loops\n"
        "(--seed repeats the choices).  The queue grows; the run lasts as long\n"
        "as the reader's sleeps.  Its lines are the program's own, as its\n"
        "Python 2 prints them.  Part 2 fills a Queue(2) to show put() and get()\n"
        "waiting, and their timeouts.  Part 3 is the article's exercise: several\n"
        "producers and a pool of consumers, every item consumed exactly once,\n"
        "with task_done() and join(), and with --processes, in processes,\n"
        "through a queue in shared memory.\n"
        "\n"
        "Python's multiprocessing.Queue is not a queue in shared memory.  It is\n"
        "a pipe, a lock among the getters, a lock among the writers, and in each\n"
        "process that puts, a buffer and a feeder thread that writes the\n"
        "buffered items into the pipe (demos/primitives/process_queue.c, built as\n"
        "Lib/multiprocessing/queues.py is).  Part 4 is seed 000's: a child puts\n"
        "[42, None, 'hello'] and the parent gets it.  Part 5: right after put(),\n"
        "empty() can say True, the item still in the buffer, while qsize() says\n"
        "1.  Part 6: a child that put more than the pipe holds cannot end before\n"
        "its item is got, so joining it first never returns; a timed join\n"
        "catches it, and a get() first solves it.  Part 7 measures what a queue\n"
        "in shared memory would cost, side by side with the pipe queue.\n"),
    .actor_width = 10,
    .run = queue_run,
};
