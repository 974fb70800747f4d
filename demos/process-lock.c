/* process-lock: one lock shared by processes, and what it is for.
 * Seed 000 §3.3 (进程锁).
 *
 * The article's program (seed 000):
 *
 *     from multiprocessing import Process, Lock
 *
 *     def f(l, i):
 *         l.acquire()
 *         try:
 *             print('hello world', i)
 *         finally:
 *             l.release()
 *
 *     if __name__ == '__main__':
 *         lock = Lock()
 *
 *         for num in range(10):
 *             Process(target=f, args=(lock, num)).start()
 *
 * A reader asked under the article: with or without the lock the order is
 * random, so what is the lock for?  Part 2 answers: the lock does not order
 * the processes; it keeps each line whole while one process writes it in
 * pieces.  Part 3: a process that dies holding the lock.  A plain mutex
 * then stays locked for ever; a robust one tells the next process, which
 * repairs what the dead one left half-done. */
#include "lesson.h"

#include "primitives/connection.h"
#include "primitives/errno_names.h"
#include "primitives/torn_lines.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MOST_PROCESSES = 100, MOST_LINES = 100 };

/* Lock(): a mutex in memory that every forked process shares, not copies.
 * Process-shared, so that its waiters may sleep in another process; robust,
 * in part 3, so that the kernel tells the next locker when its owner died. */
static void process_lock_init(pthread_mutex_t *lock, bool robust)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (robust)
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(lock, &attr);
    pthread_mutexattr_destroy(&attr);
}

/* What the processes share: the lock, and the order they finished their
 * lines in (kept only to show it, not to make it). */
struct shared_state {
    pthread_mutex_t lock;
    atomic_int finished;
    int order[MOST_PROCESSES * MOST_LINES];
};

struct job {
    struct shared_state *shared;
    int i;
    bool locked;           /* part 2: with the lock, or without */
    int out;               /* part 2: the pipe's write end */
    int unused;            /* part 2: the pipe's read end, which the child closes */
    struct start_gun gun;  /* part 2: the writers start together */
};

static void finished_line(struct shared_state *shared, int i)
{
    shared->order[atomic_fetch_add(&shared->finished, 1)] = i;
}

/* Plumbing, at the end of the file: start and reap the children; an order
 * as text. */
static char *actor_of(int i, char *name, size_t size);
static int start_all(int (*fn)(void *), struct job *jobs, int processes, pid_t *pids);
static void join_all(const pid_t *pids, int started);
static int no_shared_memory(void);
static void format_order(const int *order, int count, char separator, int most, char *text, size_t size);
static bool in_number_order(const int *order, int count);

/* -- part 1, the article's program ------------------------------------------ */

static int f(void *arg) /* def f(l, i): */
{
    struct job *job = arg;
    char me[16];
    pthread_mutex_lock(&job->shared->lock);                /* l.acquire() */
    say(actor_of(job->i, me, sizeof me), "hello world %d", job->i); /* print('hello world', i) */
    finished_line(job->shared, job->i);
    pthread_mutex_unlock(&job->shared->lock);              /* l.release() */
    return 0;
}

static int part_article(void)
{
    int processes = (int)option_int("processes");
    struct shared_state *shared = shared_memory(sizeof *shared);
    if (!shared)
        return no_shared_memory();
    process_lock_init(&shared->lock, false); /* lock = Lock() */
    say("main", "part 1, the article's program: %d processes print under one Lock", processes);

    struct job jobs[MOST_PROCESSES];
    pid_t pids[MOST_PROCESSES];
    for (int num = 0; num < processes; num++) /* for num in range(10): */
        jobs[num] = (struct job){ .shared = shared, .i = num };
    double began = real_now();
    int started = start_all(f, jobs, processes, pids); /* Process(target=f, args=(lock, num)).start() */
    join_all(pids, started); /* Python joins them as the main process exits */
    double took = real_now() - began;
    if (started < processes || lesson_stop_requested()) {
        shared_memory_free(shared, sizeof *shared);
        return not_started();
    }
    char order[512], listed[512];
    format_order(shared->order, processes, ',', processes, order, sizeof order);
    format_order(shared->order, processes, ' ', 20, listed, sizeof listed);
    say("main", "joined all %d in %.3f s: they printed in the order %s", processes, took, listed);
    bool in_order = in_number_order(shared->order, processes);
    if (in_order)
        note("Each process took the lock when it got there.  This run they got there in the order they "
             "were started; nothing promised that.");
    else
        note("Each process took the lock when it got there: the order they came, not the order they "
             "were started in.");
    note("python3 3.11 ran the article's program in 0.10 s here, in another order each run "
         "(0 2 1 3 5 8 4 6 7 9, then 1 0 2 4 3 ...).");
    note("Here each line went out in one write(), whole with the lock or without it.  Part 2 "
         "writes each line in pieces, as python3 may.");
    result_at_end("part=article processes=%d printed=%d in_order=%s order=%s seconds=%.6f", processes,
                  atomic_load(&shared->finished), in_order ? "yes" : "no", order, took);
    shared_memory_free(shared, sizeof *shared); /* no destroy: a killed process may have held it */
    return 0;
}

/* -- part 2, the reader's question: what is the lock for? ------------------- */

/* print('hello world', i) as python3 3.11 makes it with PYTHONUNBUFFERED=1
 * (strace here): four write()s, "hello world", " ", "3", "\n".  Between
 * pieces this process pauses, so that another may run and write its own. */
static int print_in_pieces(void *arg)
{
    struct job *job = arg;
    close(job->unused);
    start_gun_wait(&job->gun);
    char number[16];
    snprintf(number, sizeof number, "%d", job->i);
    const char *pieces[] = { "hello world", " ", number, "\n" };
    double pause = option_real("pause");
    for (int line = 0; line < (int)option_int("lines"); line++) {
        if (job->locked)
            pthread_mutex_lock(&job->shared->lock);
        for (size_t k = 0; k < sizeof pieces / sizeof *pieces; k++) {
            if (k > 0 && !lesson_sleep(pause)) /* another process may run now */
                return 1;
            if (!write_all(job->out, pieces[k], strlen(pieces[k])))
                return 1;
        }
        finished_line(job->shared, job->i);
        if (job->locked)
            pthread_mutex_unlock(&job->shared->lock);
    }
    return 0;
}

struct round {
    struct line_tally tally;
    char *text;         /* all that came through the pipe */
    int finished;
    int order[MOST_PROCESSES * MOST_LINES];
};

/* One round: the processes write their lines into one pipe, and this
 * process reads it to its end. */
static bool run_round(struct shared_state *shared, bool locked, struct round *round)
{
    int processes = (int)option_int("processes");
    int ends[2];
    struct start_gun gun;
    if (pipe(ends) != 0) {
        report_no_descriptor(_("a pipe"), errno);
        return false;
    }
    if (!start_gun_load(&gun)) {
        report_no_descriptor(_("a pipe"), errno);
        close(ends[0]);
        close(ends[1]);
        return false;
    }
    atomic_store(&shared->finished, 0);
    struct job jobs[MOST_PROCESSES];
    pid_t pids[MOST_PROCESSES];
    for (int num = 0; num < processes; num++)
        jobs[num] = (struct job){ shared, num, locked, ends[1], ends[0], gun };
    int started = start_all(print_in_pieces, jobs, processes, pids);
    close(ends[1]); /* else this process, a writer too, would keep end of file from coming */
    start_gun_fire(&gun);
    size_t length = 0;
    round->text = read_to_end(ends[0], &length);
    int error = errno;
    close(ends[0]);
    join_all(pids, started);
    if (started < processes || lesson_stop_requested()) {
        free(round->text);
        round->text = NULL;
        return false;
    }
    if (!round->text) {
        report_no_memory(_("ask for fewer --processes or --lines"), "%s", strerror(error));
        return false;
    }
    tally_lines(round->text, processes, &round->tally);
    round->finished = atomic_load(&shared->finished);
    memcpy(round->order, shared->order, sizeof round->order);
    return true;
}

/* The lines as read, torn ones marked; then the count, and one torn line. */
static void show_round(const char *what, struct round *round)
{
    enum { SHOWN = 12 };
    int shown = 0, empty = 0;
    for (const char *line = round->text; *line && shown < SHOWN; shown++) {
        const char *end = strchr(line, '\n');
        int length = (int)(end ? end - line : (long)strlen(line));
        say("main", "read '%.*s'", length, line);
        empty += length == 0;
        line += length + (end ? 1 : 0);
    }
    if (round->tally.lines > shown)
        note("... and %d more lines.", round->tally.lines - shown);
    say("main", "%s: %d lines read, %d torn", what, round->tally.lines, round->tally.torn);
    if (round->tally.first_torn)
        note("Torn: '%.*s': pieces of several processes' lines ran together.",
             (int)round->tally.first_torn_length, round->tally.first_torn);
    if (empty)
        note("An empty line is torn too: a process's last piece, its '\\n', came straight after "
             "another's, its words having gone into a line before.");
    char listed[256];
    format_order(round->order, round->finished, ' ', 20, listed, sizeof listed);
    say("main", "the processes finished their lines in the order %s", listed);
}

static int part_torn(void)
{
    int processes = (int)option_int("processes"), lines = (int)option_int("lines");
    say("main", "part 2, the reader's question: the order is random with or without the lock; what is it for?");
    char times[32]; /* "1 time", "3 times" */
    snprintf(times, sizeof times, translate_plural("%d time", "%d times", (unsigned long)lines), lines);
    note("Each of %d processes writes 'hello world i' %s in 4 pieces, one write() each, "
         "pausing %g lesson-s between pieces so that another process may run; "
         "this process reads the pipe they share.",
         processes, times, option_real("pause"));
    note("python3 3.11, seen with strace here: print('hello world', i) to a terminal is one write; "
         "to a pipe it waits in a buffer until the process exits, after release(); with "
         "PYTHONUNBUFFERED=1 it is these 4 writes, and 10 processes printing 50 lines each without "
         "a lock tore 57 to 132 of their 500 lines in 3 runs.");
    struct shared_state *shared = shared_memory(sizeof *shared);
    if (!shared)
        return no_shared_memory();
    process_lock_init(&shared->lock, false);
    static struct round unlocked, locked; /* static: the order arrays are large */
    bool ran = run_round(shared, false, &unlocked);
    if (ran) {
        show_round(_("without the lock"), &unlocked);
        if (unlocked.tally.torn == 0)
            note("This run saw no torn line: the processes happened not to write between each other's "
                 "pieces.  Nothing promised that.");
        else
            note("Without the lock a process's pieces wait for nothing: another's land in between.");
        ran = run_round(shared, true, &locked);
    }
    if (ran) {
        show_round(_("with the process-shared lock"), &locked);
        note("With the lock each process writes its 4 pieces while the others wait: %d torn.",
             locked.tally.torn);
        bool unordered_free = in_number_order(unlocked.order, unlocked.finished);
        bool ordered_locked = in_number_order(locked.order, locked.finished);
        note("The order: %s without the lock, %s with it.  The lock keeps each line whole; "
             "it does not say who goes first.",
             unordered_free ? _("by number") : _("not by number"),
             ordered_locked ? _("by number") : _("not by number"));
        char unlocked_order[MOST_PROCESSES * MOST_LINES * 4], locked_order[MOST_PROCESSES * MOST_LINES * 4];
        format_order(unlocked.order, unlocked.finished, ',', unlocked.finished, unlocked_order, sizeof unlocked_order);
        format_order(locked.order, locked.finished, ',', locked.finished, locked_order, sizeof locked_order);
        result_at_end("part=torn processes=%d lines=%d unlocked_lines=%d unlocked_torn=%d torn_seen=%s "
                      "locked_lines=%d locked_torn=%d unlocked_order=%s locked_order=%s",
                      processes, lines, unlocked.tally.lines, unlocked.tally.torn,
                      unlocked.tally.torn > 0 ? "yes" : "no", locked.tally.lines, locked.tally.torn,
                      unlocked_order, locked_order);
    }
    free(unlocked.text);
    free(locked.text);
    unlocked.text = locked.text = NULL;
    shared_memory_free(shared, sizeof *shared); /* no destroy: a stopped writer may have held it */
    return ran ? 0 : not_started();
}

/* -- part 3, a process that dies holding the lock ---------------------------- */

/* What the lock guards: a record written a piece at a time, and what the
 * processes that came after saw. */
struct ledger {
    pthread_mutex_t lock;
    char line[32];      /* the record */
    bool complete;      /* set once the line is whole */
    int answer;         /* what p-1's lock call answered */
    pid_t owner_named;  /* the owner the mutex still named then */
    bool repaired;
    int after;          /* what p-2's lock call answered */
    char seen_after[32];
};

static int die_holding_the_lock(void *arg) /* p-0 */
{
    struct ledger *ledger = arg;
    pthread_mutex_lock(&ledger->lock);
    say("p-0", "locked; writes 'hello world' of 'hello world 0', then is killed");
    strcpy(ledger->line, "hello world"); /* the first piece only */
    ledger->complete = false;
    kill(getpid(), SIGKILL); /* dies holding the lock, as a crash would */
    return 1;
}

/* p-1 holds the lock after EOWNERDEAD: it makes the record sound, says so,
 * and goes on as usual. */
static void repair_and_go_on(struct ledger *ledger)
{
    say("p-1", "EOWNERDEAD: the owner died; the record reads '%s', %s", ledger->line,
        ledger->complete ? _("whole") : _("half-written"));
    if (!ledger->complete) {
        ledger->line[0] = '\0'; /* the repair: drop the dead one's half line */
        ledger->repaired = true;
    }
    pthread_mutex_consistent(&ledger->lock); /* the state is sound again: the lock may go on */
    say("p-1", "dropped the half line; pthread_mutex_consistent(); writes its own");
    strcpy(ledger->line, "hello world 1");
    ledger->complete = true;
    pthread_mutex_unlock(&ledger->lock);
}

static int next_one(void *arg) /* p-1 */
{
    struct ledger *ledger = arg;
    double timeout = option_real("timeout");
    say("p-1", "pthread_mutex_timedlock(), %g lesson-s at most", timeout);
    int answer = lesson_mutex_timedlock(&ledger->lock, timeout);
    ledger->answer = answer;
    ledger->owner_named = ledger->lock.__data.__owner; /* glibc keeps the owner's thread id here */
    if (answer == EOWNERDEAD)
        repair_and_go_on(ledger);
    else if (answer == 0)
        pthread_mutex_unlock(&ledger->lock);
    return 0;
}

static int after_them(void *arg) /* p-2 */
{
    struct ledger *ledger = arg;
    int answer = lesson_mutex_timedlock(&ledger->lock, option_real("timeout"));
    ledger->after = answer;
    if (answer == 0) {
        snprintf(ledger->seen_after, sizeof ledger->seen_after, "%s", ledger->line);
        say("p-2", "locked: 0; the record reads '%s', %s", ledger->line,
            ledger->complete ? _("whole") : _("half-written"));
        pthread_mutex_unlock(&ledger->lock);
    }
    return 0;
}

/* "0" for a lock taken, else the error's name. */
static const char *lock_answer(int answer)
{
    return answer == 0 ? "0" : errno_symbol(answer);
}

/* p-0 dies holding the lock; then p-1 tries it, and, if p-1 got it, p-2.
 * Each runs after the one before has ended. */
static bool dead_owner_round(struct ledger *ledger, int *holder_status, pid_t *holder)
{
    int (*turns[])(void *) = { die_holding_the_lock, next_one, after_them };
    for (int k = 0; k < 3; k++) {
        if (k == 2 && ledger->answer != EOWNERDEAD)
            break; /* p-1 never had the lock: p-2 would wait as it did */
        pid_t pid = child_start(turns[k], ledger);
        if (pid < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            return false;
        }
        int status = child_join(pid);
        if (lesson_stop_requested())
            return false;
        if (k == 0) {
            *holder_status = status;
            *holder = pid;
            say("main", "waitpid: p-0, process %ld, was killed by signal %d (SIGKILL) holding the lock",
                (long)pid, status - 128);
        }
    }
    return true;
}

static int part_robust(void)
{
    say("main", "part 3: a process dies holding the lock");
    struct ledger *plain = shared_memory(sizeof *plain), *robust = shared_memory(sizeof *robust);
    if (!plain || !robust) {
        shared_memory_free(plain, sizeof *plain);
        shared_memory_free(robust, sizeof *robust);
        return no_shared_memory();
    }
    process_lock_init(&plain->lock, false);
    process_lock_init(&robust->lock, true);
    int plain_holder = 0, robust_holder = 0;
    pid_t plain_pid = 0, robust_pid = 0;
    bool owner_dead = false;
    say("main", "first, an ordinary process-shared mutex");
    bool ran = dead_owner_round(plain, &plain_holder, &plain_pid);
    if (ran) {
        say("main", "p-1's lock: %s", errno_name(plain->answer));
        owner_dead = plain->answer == ETIMEDOUT && plain->owner_named == plain_pid &&
                     kill(plain_pid, 0) != 0 && errno == ESRCH; /* reaped: no such process now */
        if (owner_dead)
            note("How the lesson knew it would wait for ever: the mutex still names thread %ld as its owner, "
                 "the p-0 that waitpid reported killed.  Nothing is left to unlock it; pthread_mutex_lock() "
                 "would never return.  The timed lock gave up after %g lesson-s.",
                 (long)plain->owner_named, option_real("timeout"));
        else if (plain->answer == ETIMEDOUT)
            note("The timed lock gave up, but the mutex names thread %ld as its owner, not p-0 (%ld): "
                 "this run cannot say who holds it.", (long)plain->owner_named, (long)plain_pid);
        note("python3 3.11 here: a multiprocessing.Lock held by a process killed with SIGKILL; "
             "acquire(timeout=1) returned False after 1.00 s, acquire(timeout=3) after 3.00 s.  It is a "
             "SemLock of kind SEMAPHORE, a POSIX semaphore with no owner: Python cannot tell that its "
             "holder died.");
        say("main", "then a robust one (PTHREAD_MUTEX_ROBUST)");
        ran = dead_owner_round(robust, &robust_holder, &robust_pid);
    }
    if (ran) {
        say("main", "p-1's lock: %s; repaired: %s; p-2's lock: %s", errno_symbol(robust->answer),
            robust->repaired ? _("yes") : _("no"), lock_answer(robust->after));
        note("When a robust mutex's owner dies, the kernel hands it to the next locker with EOWNERDEAD: "
             "it has the lock, and must make the state sound (here, drop a half-written line) and call "
             "pthread_mutex_consistent(); else the mutex becomes unusable (ENOTRECOVERABLE).");
        char seen[40];
        snprintf(seen, sizeof seen, "%s", robust->seen_after[0] ? robust->seen_after : "none");
        for (char *c = seen; *c; c++)
            if (*c == ' ')
                *c = '_';
        result_at_end("part=robust holder_status=%d plain=%s plain_owner_dead=%s robust_holder_status=%d "
                      "robust=%s repaired=%s robust_after=%s record_after=%s",
                      plain_holder, lock_answer(plain->answer), owner_dead ? "yes" : "no", robust_holder,
                      lock_answer(robust->answer), robust->repaired ? "yes" : "no", lock_answer(robust->after),
                      seen);
    }
    /* no destroy: the plain one is locked for ever by a dead process */
    shared_memory_free(plain, sizeof *plain);
    shared_memory_free(robust, sizeof *robust);
    return ran ? 0 : not_started();
}

/* -- plumbing --------------------------------------------------------------- */

static char *actor_of(int i, char *name, size_t size)
{
    snprintf(name, size, "p-%d", i);
    return name;
}

/* Start fn(&jobs[k]) in `processes` children; returns how many started
 * (all, or said on stderr why not). */
static int start_all(int (*fn)(void *), struct job *jobs, int processes, pid_t *pids)
{
    for (int k = 0; k < processes; k++) {
        pids[k] = child_start(fn, &jobs[k]);
        if (pids[k] < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            return k;
        }
    }
    return processes;
}

static void join_all(const pid_t *pids, int started)
{
    for (int k = 0; k < started; k++)
        child_join(pids[k]);
}

/* mmap refused the shared memory (ulimit -v, most likely): said once, exit 1. */
static int no_shared_memory(void)
{
    report_no_memory(NULL, "the lock in shared memory (mmap MAP_SHARED)");
    return 1;
}

/* "3,0,1,2": the order, for a result line; or "3 0 1 2", cut after `most`. */
static void format_order(const int *order, int count, char separator, int most, char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (int k = 0; k < count && used + 2 < size; k++) {
        if (k == most) {
            snprintf(text + used, size - used, " ...");
            break;
        }
        if (k > 0)
            text[used++] = separator;
        used += (size_t)snprintf(text + used, size - used, "%d", order[k]);
    }
}

static bool in_number_order(const int *order, int count)
{
    for (int k = 1; k < count; k++)
        if (order[k] < order[k - 1])
            return false;
    return true;
}

static int process_lock_run(void)
{
    static const struct lesson_part parts[] = {
        { "article", part_article },
        { "torn", part_torn },
        { "robust", part_robust },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec process_lock_options[] = {
    OPTION_CHOICE("part", "all", "all|article|torn|robust", "which part to run; all runs them in order"),
    OPTION_INT("processes", "10", 2, MOST_PROCESSES, "processes that print, in the article and torn parts"),
    OPTION_INT("lines", "1", 1, MOST_LINES, "lines each process writes in the torn part"),
    OPTION_REAL("pause", "0.01", 0.001, 1, "lesson seconds between the pieces of a line, torn part"),
    OPTION_REAL("timeout", "1", 0.1, 60, "lesson seconds a timed lock waits, robust part"),
    OPTIONS_END,
};

const struct lesson process_lock_lesson = {
    .name = "process-lock",
    .summary = N_("processes print under one Lock: it keeps lines whole, not in order"),
    .runs_for = { 1.3 }, /* seconds at speed 1, measured: the robust part's 1 s timeout, the locked round's 0.3 s */
    .source = N_("seed 000 §3.3 进程锁"),
    .options = process_lock_options,
    .results = "part=article processes printed in_order order seconds; part=torn processes lines unlocked_lines "
               "unlocked_torn torn_seen locked_lines locked_torn unlocked_order locked_order; part=robust "
               "holder_status plain plain_owner_dead robust_holder_status robust repaired robust_after record_after",
    .explanation = N_(
        "Seed 000's program starts 10 processes that each print 'hello world i'\n"
        "while holding one multiprocessing.Lock.  A reader asked: with or\n"
        "without the lock the order is random, so what is the lock for?\n"
        "\n"
        "Part 1 is the article's program: 10 forked processes, one\n"
        "process-shared mutex in shared memory, each prints under it.\n"
        "Part 2 answers the reader.  Each process writes its line in 4 pieces,\n"
        "as python3 does with PYTHONUNBUFFERED=1, pausing between them, into\n"
        "one pipe: without the lock lines come out torn, pieces of several run\n"
        "together; with it none.  The order differs run to run either way: a\n"
        "lock makes one process wait for another, it does not choose who goes\n"
        "first.\n"
        "Part 3: a process killed while it holds the lock.  An ordinary mutex\n"
        "stays locked for ever (a timed lock gives up: ETIMEDOUT); so does\n"
        "Python's Lock, a semaphore with no owner.  A robust mutex gives the\n"
        "next process EOWNERDEAD: it repairs the half-written record, calls\n"
        "pthread_mutex_consistent(), and goes on.\n"),
    .run = process_lock_run,
};
