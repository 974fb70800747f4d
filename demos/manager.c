/* manager: data shared between processes.
 * Seed 000 §3.2 (Manager), seed 003 (Value, Array, Manager), seed 004
 * (共享数据), seed 001 (分布式进程).
 *
 * The article's program (seed 000 §3.2, a Manager):
 *
 *     def f(d, l):
 *         d[1] = '1'
 *         d['2'] = 2
 *         d[0.25] = None
 *         l.append(1)
 *         print(l)
 *
 *     if __name__ == '__main__':
 *         with Manager() as manager:
 *             d = manager.dict()
 *             l = manager.list(range(5))
 *             p_list = []
 *             for i in range(10):
 *                 p = Process(target=f, args=(d, l))
 *                 p.start()
 *                 p_list.append(p)
 *             for res in p_list:
 *                 res.join()
 *             print(d)
 *             print(l)
 *
 * Seed 003's Value, in shared memory:
 *
 *     counter = Value(ctypes.c_int, 0)
 *
 * Seed 001 names distributed processes (分布式进程) and points to Liao
 * Xuefeng's task_master.py and task_worker.py: a master serves a task queue
 * and a result queue through a manager on the network, with an authkey;
 * workers elsewhere connect, take tasks and put results.
 *
 * Two ways to share: memory both processes map (Value, Array), which is
 * fast and needs a lock; or a server process that owns the data and serves
 * operations one at a time (Manager), which is slow and works across
 * machines.  The server and its proxies are in primitives/manager_server.c. */
#include "lesson.h"

#include "primitives/connection.h"
#include "primitives/counter.h"
#include "primitives/manager_server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* Plumbing, at the end of this file: starting and joining numbered
 * processes, and the words for what a run showed. */
static long start_processes(pid_t *pids, long count, int (*fn)(void *), void *args, size_t arg_size);
static pid_t start_one(int (*fn)(void *), void *arg);
static int join_processes(const pid_t *pids, long count);
static void number_from_zero(void);       /* the next process started is number 0 */
static int process_number(void);          /* in a child: its number */
static int process_number_of(pid_t pid); /* in main: the number of that child */
static long explain_lost_updates(const struct crowd *crowd, long lost, bool locked); /* the yields */
static void format_int_list(const int *values, int count, char *out, size_t room);
static void strip_spaces(char *text);
static int count_items(const char *python_list);
static int no_shared_memory(void);
static int server_failed(int error); /* 1, said why; 0 after a stop */

/* -- part 1, seed 003: Value and Array in shared memory ---------------------- */

/* Value(ctypes.c_int, 0): an int in memory that every process maps, and the
 * lock that comes with it (counter.get_lock()), process-shared. */
struct Value {
    pthread_mutex_t lock;
    volatile int value;
};

static struct Value *Value(int initial)
{
    struct Value *v = shared_memory(sizeof *v);
    if (!v)
        return NULL;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED); /* a lock other processes can take */
    pthread_mutex_init(&v->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    v->value = initial;
    return v;
}

static struct Value *counter;
static struct crowd crowd; /* each process's slot and evidence, in shared memory too */
static bool with_lock;

/* def add(counter): for _ in range(1000): counter.value += 1 -- the read and
 * the write it is, with the CPU lost between them on a coin toss, as in the
 * race lesson. */
static int add(void *arg)
{
    struct counter_thread *me = arg;
    for (long i = 0; i < crowd.iterations && !lesson_stop_requested(); i++) {
        if (with_lock)
            pthread_mutex_lock(&counter->lock); /* with counter.get_lock(): */
        int seen = counter->value;               /* read */
        lose_the_cpu_here(me);
        counter->value = seen + 1;               /* write */
        if (with_lock)
            pthread_mutex_unlock(&counter->lock);
        remember_read(me, i, seen);
    }
    return 0;
}

static int count_round(bool locked, long processes, long increments, int *final, long *lost, long *yields)
{
    with_lock = locked;
    counter->value = 0;
    if (!crowd_init_shared(&crowd, processes, increments, WINDOW_YIELD))
        return 1;
    pid_t *p = calloc((size_t)processes, sizeof *p);
    long started = p ? start_processes(p, processes, add, crowd.threads, sizeof *crowd.threads) : 0;
    join_processes(p, started); /* for p in ps: p.join() */
    int status = started == processes ? 0 : not_started();
    if (status == 0 && !lesson_stop_requested()) {
        *final = counter->value;
        *lost = processes * increments - *final;
        say("main", "counter.value = %d, expected %ld", *final, processes * increments);
        *yields = explain_lost_updates(&crowd, *lost, locked);
    }
    free(p);
    crowd_free(&crowd);
    return status;
}

/* arr = Array('i', 10): ten ints in shared memory.  Process i writes only
 * arr[i], so no two processes touch one element and no lock is needed. */
static int square_my_element(void *arg)
{
    int *arr = arg;
    int i = process_number();
    arr[i] = i * i;
    return 0;
}

static int part_value(void)
{
    long processes = option_int("processes"), increments = option_int("increments");
    say("main", "part 1, seed 003: counter = Value(ctypes.c_int, 0) in shared memory (mmap MAP_SHARED)");
    say("main", "%ld processes each run `counter.value += 1` %ld times, no lock", processes, increments);
    note("Between reading counter.value and writing it back, a process yields on a coin toss.");
    counter = Value(0);
    if (!counter)
        return no_shared_memory();
    int bare = 0, locked = 0;
    long bare_lost = 0, locked_lost = 0, bare_yields = 0, locked_yields = 0;
    int status = count_round(false, processes, increments, &bare, &bare_lost, &bare_yields);
    if (status == 0 && !lesson_stop_requested()) {
        say("main", "again, each `with counter.get_lock(): counter.value += 1`");
        note("The Value's lock: a pthread mutex made PTHREAD_PROCESS_SHARED, in the same shared page.");
        status = count_round(true, processes, increments, &locked, &locked_lost, &locked_yields);
    }
    shared_memory_free(counter, sizeof *counter);
    if (status != 0 || lesson_stop_requested())
        return status;

    int arr_count = (int)(processes < 10 ? processes : 10);
    say("main", "arr = Array('i', %d); process i sets arr[i] = i * i", arr_count);
    int *arr = shared_memory((size_t)arr_count * sizeof *arr);
    if (!arr)
        return no_shared_memory();
    pid_t p[10];
    number_from_zero();
    long started = start_processes(p, arr_count, square_my_element, arr, 0);
    join_processes(p, started);
    char printed[160];
    format_int_list(arr, arr_count, printed, sizeof printed);
    shared_memory_free(arr, (size_t)arr_count * sizeof *arr);
    if (started < arr_count)
        return not_started();
    say("main", "print(arr[:]): %s", printed);
    note("Each process wrote only its own element: no two touched one int, so no lock was needed.");
    strip_spaces(printed);
    result_at_end("part=value processes=%ld increments=%ld unlocked=%d unlocked_lost=%ld unlocked_yields=%ld "
                  "locked=%d locked_lost=%ld locked_yields=%ld array=%s",
                  processes, increments, bare, bare_lost, bare_yields, locked, locked_lost, locked_yields, printed);
    return 0;
}

/* -- part 2, seed 000: a Manager's dict and list ----------------------------- */

static struct manager manager;
static char authkey[33]; /* Python: the process's authkey, 32 random bytes */
static int *l_lengths;    /* in shared memory: how long an l each process printed */

static int f(void *arg) /* def f(d, l): */
{
    (void)arg;
    char name[16], l_printed[MANAGER_FRAME_MAX];
    snprintf(name, sizeof name, "p-%d", process_number());
    struct proxy d_and_l; /* its own connection to the server: the proxies d and l */
    if (proxy_connect(&d_and_l, &manager.address, authkey) != PROXY_OK)
        return 1;
    bool ok = proxy_dict_set(&d_and_l, "1", "'1'")      /* d[1] = '1' */
              && proxy_dict_set(&d_and_l, "'2'", "2")   /* d['2'] = 2 */
              && proxy_dict_set(&d_and_l, "0.25", "None") /* d[0.25] = None */
              && proxy_list_append(&d_and_l, "1")       /* l.append(1) */
              && proxy_list_repr(&d_and_l, l_printed, sizeof l_printed);
    if (ok) {
        say(name, "%s", l_printed); /* print(l) */
        l_lengths[process_number()] = count_items(l_printed);
    }
    proxy_close(&d_and_l);
    return ok ? 0 : 1;
}

static int part_manager(void)
{
    long processes = option_int("processes");
    say("main", "part 2, seed 000: with Manager() as manager: a server process holds d and l");
    if (!manager_start(&manager, false, authkey))
        return lesson_stop_requested() ? 0 : 1;
    say("main", "the server, process %ld, listens on %s", (long)manager.server, manager.address.path);
    struct proxy main_proxy;
    bool ok = proxy_connect(&main_proxy, &manager.address, authkey) == PROXY_OK;
    for (int i = 0; ok && i < 5; i++) { /* l = manager.list(range(5)) */
        char item[16];
        snprintf(item, sizeof item, "%d", i);
        ok = proxy_list_append(&main_proxy, item);
    }
    int error = ok ? 0 : errno;
    say("main", "d = manager.dict(); l = manager.list(range(5)); %ld processes run f(d, l)", processes);
    pid_t *p = calloc((size_t)processes, sizeof *p);
    l_lengths = shared_memory((size_t)processes * sizeof *l_lengths);
    number_from_zero();
    long started = ok && p && l_lengths ? start_processes(p, processes, f, NULL, 0) : 0;
    int failed = join_processes(p, started);
    free(p);
    int same_printed = 0; /* processes that printed an l as long as another's */
    for (long i = 0; started == processes && i < processes; i++)
        for (long j = 0; j < i; j++)
            if (l_lengths[i] == l_lengths[j]) {
                same_printed++;
                break;
            }
    shared_memory_free(l_lengths, (size_t)processes * sizeof *l_lengths);
    char d_printed[MANAGER_FRAME_MAX] = "", l_printed[MANAGER_FRAME_MAX] = "";
    bool printed = ok && started == processes && proxy_dict_repr(&main_proxy, d_printed, sizeof d_printed) &&
                   proxy_list_repr(&main_proxy, l_printed, sizeof l_printed);
    if (ok && started == processes && !printed)
        error = errno;
    if (printed) {
        say("main", "%s", d_printed); /* print(d) */
        say("main", "%s", l_printed); /* print(l) */
    }
    proxy_close(&main_proxy);
    struct manager_stats stats = { 0 };
    bool answered = manager_shutdown(&manager, authkey, &stats); /* the end of `with`: the server stops */
    if (lesson_stop_requested())
        return 0;
    if (ok && started < processes)
        return not_started(); /* said already */
    if (!ok || !printed)
        return server_failed(error);
    if (failed > 0)
        note("%d of the processes could not do their part (exit status not 0).", failed);
    bool left = access(manager.address.path, F_OK) == 0;
    say("main", "the manager shut down: its server reaped, %s %s", manager.address.path,
        left ? _("still there") : _("removed"));
    note("Each of d[1], d['2'], d[0.25] was set %ld times; a dict keeps one value a key, in the order the "
         "keys first came.", processes);
    note("l.append(1) ran %ld times, one message each: the server did one at a time, so none was lost.", processes);
    if (same_printed > 0)
        note("%d printed an l as long as one printed before: between its append and its print, another "
             "process appended.", same_printed);
    note("python3 3.11 ran seed 000's program here and printed these two lines, the same.");
    strip_spaces(d_printed);
    result_at_end("part=manager dict=%s list_length=%d failed=%d requests=%ld socket_left=%s", d_printed,
                  count_items(l_printed), failed, answered ? stats.served : -1L, left ? "yes" : "no");
    return 0;
}

/* -- part 3: what a proxy operation costs, beside a shared-memory one -------- */

static int part_cost(void)
{
    long ops = option_int("ops");
    say("main", "part 3: %ld x d['k'] = i through a proxy, and %ld x counter.value += 1 under its lock", ops, ops);
    counter = Value(0);
    if (!counter)
        return no_shared_memory();
    if (!manager_start(&manager, false, authkey)) {
        shared_memory_free(counter, sizeof *counter);
        return lesson_stop_requested() ? 0 : 1;
    }
    say("main", "the server, process %ld, listens on %s", (long)manager.server, manager.address.path);
    struct proxy d;
    bool ok = proxy_connect(&d, &manager.address, authkey) == PROXY_OK;
    double began = real_now();
    for (long i = 0; ok && i < ops && !lesson_stop_requested(); i++) {
        char value[24];
        snprintf(value, sizeof value, "%ld", i);
        ok = proxy_dict_set(&d, "'k'", value); /* d['k'] = i: a message there, a reply back */
    }
    double proxy_seconds = real_now() - began;
    int error = ok ? 0 : errno;
    began = real_now();
    for (long i = 0; i < ops; i++) {
        pthread_mutex_lock(&counter->lock); /* with counter.get_lock(): counter.value += 1 */
        counter->value = counter->value + 1;
        pthread_mutex_unlock(&counter->lock);
    }
    double shared_seconds = real_now() - began;
    proxy_close(&d);
    manager_shutdown(&manager, authkey, NULL);
    shared_memory_free(counter, sizeof *counter);
    if (lesson_stop_requested())
        return 0;
    if (!ok)
        return server_failed(error);
    double proxy_ns = proxy_seconds * 1e9 / (double)ops, shared_ns = shared_seconds * 1e9 / (double)ops;
    if (shared_ns <= 0)
        shared_ns = 1e-3;
    say("main", "a proxy operation: %.1f us; a shared-memory one: %.0f ns", proxy_ns / 1000, shared_ns);
    note("One proxy operation cost %.0f shared-memory ones, measured just now.", proxy_ns / shared_ns);
    note("Each proxy operation is two messages through the kernel and two process wake-ups; the "
         "shared one is a lock, an add and an unlock in this process's own memory.");
    result_at_end("part=cost ops=%ld proxy_ns=%.0f shared_ns=%.1f ratio=%.0f", ops, proxy_ns, shared_ns,
                  proxy_ns / shared_ns);
    return 0;
}

/* -- part 4, seed 001: a manager on the network, a master and its workers ---- */

#define NETWORK_AUTHKEY "abc" /* task_master.py: authkey=b'abc' */

static struct {
    int told; /* the doomed worker writes here once it holds a task; -1 in every other worker */
} doomed = { -1 };

/* task_worker.py: take a task, square it, put the result; None ends it. */
static int worker(void *arg)
{
    const char *key = arg;
    char name[16], n_text[MANAGER_TEXT_MAX];
    snprintf(name, sizeof name, "worker %d", process_number());
    struct proxy m;
    enum proxy_status connected = proxy_connect(&m, &manager.address, key);
    if (connected == PROXY_REFUSED) {
        say(name, "authkey b'%s': the server answered #FAILURE#: AuthenticationError('digest sent was "
            "rejected'), as python3's Client raises it", key);
        return 3;
    }
    if (connected != PROXY_OK)
        return 1;
    while (proxy_get(&m, "tasks", n_text, sizeof n_text) && strcmp(n_text, "None") != 0) { /* task.get() */
        long n = atol(n_text);
        say(name, "run task %ld * %ld...", n, n);
        if (doomed.told >= 0) { /* the one that will be killed: tell main, then work for ever */
            ssize_t told = write(doomed.told, "!", 1);
            (void)told;
            lesson_sleep(3600);
            break;
        }
        lesson_sleep(1); /* time.sleep(1) */
        char r[MANAGER_TEXT_MAX];
        snprintf(r, sizeof r, "%ld * %ld = %ld", n, n, n * n);
        if (!proxy_put(&m, "results", r)) /* result.put(r) */
            break;
    }
    proxy_close(&m);
    return 0;
}

static const pid_t *honest;
static long honest_count;

/* While a worker lives, a result may come. */
static bool a_worker_lives(void)
{
    for (long i = 0; i < honest_count; i++)
        if (child_is_alive(honest[i]))
            return !lesson_stop_requested();
    return false;
}

static int part_distributed(void)
{
    long tasks = option_int("tasks"), workers = option_int("workers");
    say("main", "part 4, seed 001: a master serves a task queue and a result queue on the network");
    if (!manager_start(&manager, true, NETWORK_AUTHKEY))
        return lesson_stop_requested() ? 0 : 1;
    say("main", "manager on 127.0.0.1:%d (port 0: the kernel picked it), authkey=b'%s'", manager.address.port,
        NETWORK_AUTHKEY);
    double hold = (double)option_int("hold");
    if (hold > 0) { /* a door for clients from elsewhere: python3's, say */
        say("main", "--hold: serving other clients for %g s; from Python:", hold);
        note("python3 -c \"from multiprocessing.connection import Client; Client(('127.0.0.1', %d), "
             "authkey=b'%s')\"", manager.address.port, NETWORK_AUTHKEY);
        lesson_sleep(hold);
    }
    number_from_zero();
    struct proxy master;
    bool ok = proxy_connect(&master, &manager.address, NETWORK_AUTHKEY) == PROXY_OK;
    struct dice dice = dice_for(4);
    for (long i = 0; ok && i < tasks; i++) {
        char n[24];
        snprintf(n, sizeof n, "%ld", randint(&dice, 0, 10000)); /* n = random.randint(0, 10000) */
        say("main", "Put task %s...", n);
        ok = proxy_put(&master, "tasks", n); /* task.put(n) */
    }
    int error = ok ? 0 : errno;

    /* A worker with the wrong key, one that is killed holding a task, and the honest ones. */
    pid_t intruder = ok ? start_one(worker, "wrong") : -1;
    int intruder_exit = intruder > 0 ? child_join(intruder) : -1;
    int told[2] = { -1, -1 };
    pid_t victim = -1;
    if (ok && pipe(told) == 0) {
        doomed.told = told[1];
        victim = start_one(worker, NETWORK_AUTHKEY);
        close(told[1]);
        doomed.told = -1;
        char byte;
        if (victim > 0 && read(told[0], &byte, 1) == 1) { /* it holds a task now */
            say("main", "kill -9 worker %d, in the middle of its task", process_number_of(victim));
            kill(victim, SIGKILL); /* after the line: the server's word of it cannot come first */
        }
        close(told[0]);
    }
    int victim_exit = victim > 0 ? child_join(victim) : -1;
    pid_t *p = calloc((size_t)workers, sizeof *p);
    long started = ok && victim > 0 && p ? start_processes(p, workers, worker, NETWORK_AUTHKEY, 0) : 0;
    long results = 0;
    char r[MANAGER_TEXT_MAX];
    honest = p;
    honest_count = started;
    while (started == workers && results < tasks && proxy_get_while(&master, "results", r, sizeof r, a_worker_lives)) {
        say("main", "Result: %s", r); /* r = result.get(timeout=10) */
        results++;
    }
    if (results < tasks) { /* every worker gone: the get may still be pending; a new connection */
        proxy_close(&master);
        proxy_connect(&master, &manager.address, NETWORK_AUTHKEY);
    }
    for (long i = 0; i < started; i++) /* then one None each, and the workers leave */
        proxy_put(&master, "tasks", "None");
    join_processes(p, started);
    free(p);
    proxy_close(&master);
    struct manager_stats stats = { 0 };
    bool answered = manager_shutdown(&manager, NETWORK_AUTHKEY, &stats);
    if (lesson_stop_requested())
        return 0;
    if (!ok || !answered)
        return server_failed(error);
    if (started < workers || victim <= 0 || intruder <= 0)
        return not_started();
    if (results < tasks)
        note("Every worker ended before all the results came: %ld missing.", tasks - results);
    say("main", "master exit: %ld of %ld results; the server was shut down and reaped", results, tasks);
    note("The wrong authkey's worker exited with %d: the server's challenge refused it before any request.",
         intruder_exit);
    if (stats.requeued > 0)
        note("The killed worker (exit %d, SIGKILL) held a task: the server saw its connection close and put "
             "the task back, and another worker did it.", victim_exit);
    else
        note("The killed worker (exit %d) held no task when its connection closed: nothing to put back.",
             victim_exit);
    note("Python's manager does not: python3 here, a BaseManager serving a queue.Queue, a worker killed "
         "(exitcode -9) after get() took task 1 of 2: the queue then held task 2 only. Task 1 was lost, "
         "and a master waiting for its result waits for ever.");
    result_at_end("part=distributed tasks=%ld results=%ld refused=%ld killed_exit=%d requeued=%ld lost=%ld", tasks,
                  results, stats.refused_auth, victim_exit, stats.requeued, tasks - results);
    return 0;
}

/* -- part 5: the server never trusts a peer's bytes -------------------------- */

struct hostile_report {
    int refusals_seen; /* error replies the hostile peers read back */
};

/* Read the server's reply to a hostile frame: "E..." is a refusal. */
static void expect_refusal(int fd, const char *what, struct hostile_report *got)
{
    char reply[MANAGER_FRAME_MAX + 1];
    long n = frame_recv(fd, reply, MANAGER_FRAME_MAX);
    if (n > 0 && reply[0] == 'E') {
        reply[n] = '\0';
        got->refusals_seen++;
        say("main", "%s: refused, \"%s\"", what, reply + 1);
    } else {
        say("main", "%s: %s", what, n < 0 ? _("no reply, the connection closed") : _("not refused"));
    }
}

static void send_hostile_frames(struct manager *m, const char *key, struct hostile_report *got)
{
    memset(got, 0, sizeof *got);
    char challenge[MANAGER_AUTH_FRAME_MAX];

    /* 1. Before the challenge is answered: a length of 2 GiB - 1, and no bytes. */
    int fd = manager_dial(&m->address);
    if (fd >= 0 && frame_recv(fd, challenge, sizeof challenge) > 0) {
        static const unsigned char huge[4] = { 0x7f, 0xff, 0xff, 0xff };
        say("main", "a peer sends a length of 2147483647 bytes before the challenge");
        if (write_all(fd, huge, sizeof huge))
            expect_refusal(fd, _("the 2 GiB frame"), got);
    }
    if (fd >= 0)
        close(fd);

    /* 2. Past the challenge: an operation the server does not know. */
    struct proxy p;
    if (proxy_connect(&p, &m->address, key) == PROXY_OK) {
        say("main", "a peer with the authkey sends operation 0x7f");
        static const unsigned char unknown[1] = { 0x7f };
        if (frame_send(p.fd, unknown, sizeof unknown))
            expect_refusal(p.fd, _("operation 0x7f"), got);

        /* 3. A field whose length runs past the end of its frame. */
        say("main", "the same peer sends d[...] = ... with a key of 65535 bytes in a 6-byte frame");
        static const unsigned char lying[6] = { 'S', 0xff, 0xff, 'a', 'b', 'c' };
        if (frame_send(p.fd, lying, sizeof lying))
            expect_refusal(p.fd, _("the lying field"), got);

        /* 4. A frame that says 100 bytes, sends 10, and hangs up. */
        say("main", "the same peer sends 10 bytes of a 100-byte frame, then hangs up");
        static const unsigned char cut[14] = { 0, 0, 0, 100, 'S', 0, 1, 'k', 0, 1, 'v', 'x', 'y', 'z' };
        if (write_all(p.fd, cut, sizeof cut))
            say("main", "sent; no reply can come on a closed connection (the server counts it)");
        proxy_close(&p);
    }
}

static int part_hostile(void)
{
    say("main", "part 5: hostile peers send the server what no proxy would");
    if (!manager_start(&manager, true, NETWORK_AUTHKEY))
        return lesson_stop_requested() ? 0 : 1;
    struct hostile_report got;
    send_hostile_frames(&manager, NETWORK_AUTHKEY, &got); /* each step says what it sent and what came back */

    struct proxy d;
    char printed[MANAGER_FRAME_MAX] = "";
    bool served = proxy_connect(&d, &manager.address, NETWORK_AUTHKEY) == PROXY_OK &&
                  proxy_dict_set(&d, "'still'", "'serving'") && proxy_dict_repr(&d, printed, sizeof printed);
    int error = served ? 0 : errno;
    if (served)
        say("main", "an honest proxy after them: d['still'] = 'serving'; print(d): %s", printed);
    proxy_close(&d);
    struct manager_stats stats = { 0 };
    bool answered = manager_shutdown(&manager, NETWORK_AUTHKEY, &stats);
    if (lesson_stop_requested())
        return 0;
    if (!served || !answered)
        return server_failed(error);
    note("The server refused each: a length over its limit before reading a byte of it, an unknown "
         "operation, a field longer than its frame, a frame cut short; it counted them and went on.");
    result_at_end("part=hostile oversized=%ld unknown_op=%ld malformed=%ld truncated=%ld refusals_seen=%d "
                  "served_after=%s",
                  stats.oversized, stats.unknown_op, stats.malformed, stats.truncated, got.refusals_seen,
                  served ? "yes" : "no");
    return 0;
}

static int manager_run(void)
{
    unsigned char random_key[16];
    if (getrandom(random_key, sizeof random_key, 0) != sizeof random_key)
        memset(random_key, 7, sizeof random_key);
    for (int i = 0; i < 16; i++)
        snprintf(authkey + 2 * i, 3, "%02x", random_key[i]);
    static const struct lesson_part parts[] = {
        { "value", part_value }, { "manager", part_manager }, { "cost", part_cost },
        { "distributed", part_distributed }, { "hostile", part_hostile },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec manager_options[] = {
    OPTION_CHOICE("part", "all", "all|value|manager|cost|distributed|hostile",
                  "which part to run; all runs them in order"),
    OPTION_INT("processes", "10", 1, 50, "processes sharing the Value, the Array's size (at most 10), f(d, l)'s"),
    OPTION_INT("increments", "1000", 1, 100000, "counter.value += 1 per process in the value part"),
    OPTION_INT("ops", "10000", 1, 1000000, "operations timed each way in the cost part"),
    OPTION_INT("tasks", "10", 1, 200, "tasks the master puts in the distributed part"),
    OPTION_INT("workers", "2", 1, 16, "honest workers in the distributed part"),
    OPTION_INT("hold", "0", 0, 3600, "seconds the distributed part's server waits for other clients first"),
    OPTIONS_END,
};

const struct lesson manager_lesson = {
    .name = "manager",
    .summary = N_("processes share data: a Value in shared memory, a Manager's server, one on the network"),
    .runs_for = { 5 }, /* seconds at speed 1, measured: the distributed part, 10 tasks of 1 s on two workers */
    .source = N_("seed 000 §3.2 Manager; seed 003 Value/Array/Manager; seed 004 共享数据; seed 001 分布式进程"),
    .options = manager_options,
    .results = "part=value processes increments unlocked unlocked_lost unlocked_yields locked locked_lost "
               "locked_yields array; part=manager dict list_length failed requests socket_left; part=cost ops "
               "proxy_ns shared_ns ratio; part=distributed tasks results refused killed_exit requeued lost; "
               "part=hostile oversized unknown_op malformed truncated refusals_seen served_after",
    .explanation = N_(
        "Processes do not share memory: a fork copies it.  Two ways to share data\n"
        "anyway.  A Value or an Array lives in memory every process maps (mmap\n"
        "MAP_SHARED): as fast as any memory, and as racy: `counter.value += 1` is a\n"
        "read and a write, and ten processes doing it lose updates unless each\n"
        "takes the Value's lock, a process-shared mutex beside the int.\n"
        "\n"
        "A Manager is a server process that owns a dict and a list; the other\n"
        "processes hold proxies, and every d[k] = v or l.append(x) is a message to\n"
        "the server and a reply.  The server does one operation at a time, so\n"
        "none is lost, but each costs two trips through the kernel: part 3\n"
        "measures how many shared-memory operations one proxy operation costs.\n"
        "\n"
        "The same server can listen on the network (seed 001's distributed\n"
        "processes): a master puts tasks on a queue, workers in other processes\n"
        "take them and put results.  Who connects must know the authkey: the\n"
        "server sends 20 random bytes and wants back their HMAC keyed with it,\n"
        "HMAC-MD5 in Python 3.11's multiprocessing.connection, framed as Python\n"
        "frames it.  A worker killed holding a task: this server puts the task back\n"
        "on the queue; Python's loses it.  Part 5 sends the server bytes no proxy\n"
        "would: too long, unknown, lying, cut short; it refuses each and goes on.\n"
        "\n"
        "The Unix socket is in a private directory under /tmp, removed at the end\n"
        "and after Ctrl-C; every child and the server are reaped.\n"),
    .run = manager_run,
};

/* -- plumbing ------------------------------------------------------------------ */

static int my_number = -1;
static pid_t numbered[256];
static int numbered_count;

struct numbered_start {
    int (*fn)(void *);
    void *arg;
    int number;
};

static int run_numbered(void *arg)
{
    struct numbered_start *start = arg;
    my_number = start->number;
    return start->fn(start->arg);
}

static pid_t start_one(int (*fn)(void *), void *arg)
{
    struct numbered_start start = { fn, arg, numbered_count };
    pid_t pid = child_start(run_numbered, &start);
    if (pid < 0) {
        if (!lesson_stop_requested())
            report_process_refusal(errno, children_alive());
        return -1;
    }
    if (numbered_count < (int)(sizeof numbered / sizeof *numbered))
        numbered[numbered_count++] = pid;
    return pid;
}

/* Start `count` processes: process i runs fn(args + i * arg_size), or
 * fn(args) when arg_size is 0.  Returns how many started. */
static void number_from_zero(void)
{
    numbered_count = 0;
}

static long start_processes(pid_t *pids, long count, int (*fn)(void *), void *args, size_t arg_size)
{
    for (long i = 0; i < count; i++) {
        pids[i] = start_one(fn, (char *)args + (size_t)i * arg_size);
        if (pids[i] < 0)
            return i;
    }
    return count;
}

/* Join them all; returns how many did not exit with 0. */
static int join_processes(const pid_t *pids, long count)
{
    int failed = 0;
    for (long i = 0; i < count; i++)
        failed += child_join(pids[i]) != 0;
    return failed;
}

static int process_number(void)
{
    return my_number;
}

static int process_number_of(pid_t pid)
{
    for (int i = 0; i < numbered_count; i++)
        if (numbered[i] == pid)
            return i;
    return -1;
}

static long explain_lost_updates(const struct crowd *c, long lost, bool locked)
{
    struct double_write caught;
    long yields = tell_yields(c);
    if (lost > 0 && find_double_write(c, &caught)) {
        char pair[96];
        describe_pair(c, &caught, pair, sizeof pair);
        note("%ld increments vanished. One was caught in the act:", lost);
        note("%s both read %d and both wrote %d.", pair, caught.value_read, caught.value_read + 1);
    } else if (lost > 0) {
        note("%ld increments vanished (the evidence kept holds no pair).", lost);
    } else if (c->count == 1) {
        note("Nothing was lost: one process has no one to race with.");
    } else if (locked) {
        note("Exact: the lock let one process at a time between its read and its write, %ld yields "
             "in that window notwithstanding.", yields);
    } else {
        note("Nothing was lost this run, though nothing prevented it. Run it again.");
    }
    return yields;
}

static void format_int_list(const int *values, int count, char *out, size_t room)
{
    size_t n = (size_t)snprintf(out, room, "[");
    for (int i = 0; i < count && n < room; i++)
        n += (size_t)snprintf(out + n, room - n, "%s%d", i ? ", " : "", values[i]);
    if (n < room)
        snprintf(out + n, room - n, "]");
}

static void strip_spaces(char *text)
{
    char *to = text;
    for (const char *from = text; *from; from++)
        if (*from != ' ')
            *to++ = *from;
    *to = '\0';
}

static int count_items(const char *python_list)
{
    if (strcmp(python_list, "[]") == 0)
        return 0;
    int items = 1;
    for (const char *c = python_list; *c; c++)
        items += *c == ',';
    return items;
}

static int no_shared_memory(void)
{
    report_no_memory(_("try again"), "shared memory (mmap MAP_SHARED)");
    return 1;
}

static int server_failed(int error)
{
    if (lesson_stop_requested())
        return 0;
    if (manager.server_exit == MANAGER_SERVER_NO_DESCRIPTOR || error == EMFILE || error == ENFILE)
        report_no_descriptor(_("a connection to the manager's server"), error == ENFILE ? ENFILE : EMFILE);
    else
        fprintf(stderr, _("%s: the manager's server stopped answering (%s)\n"), lesson_who(),
                error ? strerror(error) : _("end of file"));
    return 1;
}
