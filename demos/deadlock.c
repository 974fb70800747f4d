/* deadlock: threads that each hold a lock and wait for the next one's.
 * Seed 003 (并发编程的问题: 死锁).
 *
 * The article has no code here, only the picture: "A线程、B线程、C线程形成
 * A等B、B等C、C等A，造成闭环死锁" (A waits for B, B for C, C for A: a closed
 * loop).  Written out in Python, the lesson runs it in C.
 *
 * The article's program, re-created from that picture:
 *
 *     from threading import Lock, Thread
 *     from time import sleep
 *
 *     locks = [Lock(), Lock(), Lock()]          # A, B, C
 *
 *     def work(i):
 *         with locks[i]:                        # its own
 *             sleep(0.5)
 *             with locks[(i + 1) % 3]:          # then the next one's
 *                 sleep(0.5)
 *
 *     for i in range(3):
 *         Thread(target=work, args=(i,)).start()
 *
 * It hangs for ever, printing nothing (checked with Python 3.11: still
 * waiting when killed after 5 s).  Nobody watches the waits.  Here a
 * watchdog (main) looks at who holds what and who waits for what -- the
 * wait-for graph, kept by the locks of primitives/wait_for.c -- finds the
 * loop, names it, and ends it by telling one thread of the loop to stop
 * waiting.
 *
 * The watchdog is the article's 检测 (detection).  Then the two fixes its
 * 预防 points to (make one of the four conditions impossible): one global
 * lock order, which breaks the circular wait; and try-and-back-off, which
 * breaks hold-and-wait.  Its 忽略 (ignore it, run again) and 规避 (avoidance,
 * such as the banker's algorithm) are not shown.  Last, the dining
 * philosophers: the same loop with five threads and five forks. */
#include "primitives/errno_names.h"
#include "primitives/wait_for.h"
#include "lesson.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORK 0.5         /* lesson seconds a thread works holding one lock, then both */
#define WATCH_EVERY 0.25 /* how often the watchdog looks at the graph */

enum plan {
    OWN_THEN_NEXT, /* seed 003's loop: its own lock, then the next one's */
    IN_ORDER,      /* the fix: the lower-lettered lock first, always */
    BACK_OFF,      /* the fix: its own, then try the next; if busy, let go and wait a while */
};

static struct wait_for_graph graph; /* the locks, and who holds and waits for which */
static struct gate start_gun;       /* every thread starts reaching at once */
static enum plan plan;
static atomic_int backoffs;
static atomic_int worked; /* threads that got both their locks and worked */
static double last_return; /* lesson time the last thread returned; under graph.guard */

struct worker {
    int me;
    int own, next; /* lock numbers: its own, and the next thread's */
};

/* -- what each thread does ------------------------------------------------ */

static const char *name(int thread) { return graph.thread_names[thread]; }
static const char *lock_name(int lock) { return graph.lock_names[lock]; }

/* Takes the lock, waiting as long as it takes; says so.  false: told to give up. */
static bool take(struct worker *w, int lock)
{
    say(name(w->me), "reaches for %s", lock_name(lock));
    int answer = graph_lock(&graph, w->me, lock);
    if (answer == 0)
        say(name(w->me), "takes %s", lock_name(lock));
    else if (answer == EDEADLK)
        say(name(w->me), "stops waiting for %s: the watchdog said so", lock_name(lock));
    return answer == 0;
}

static void let_go(struct worker *w, int lock)
{
    say(name(w->me), "lets go of %s", lock_name(lock)); /* said first: the next taker's line comes after */
    graph_unlock(&graph, w->me, lock);
}

static void work_with_both(struct worker *w, int first, int second)
{
    say(name(w->me), "has %s and %s: works %.1f s", lock_name(first), lock_name(second), WORK);
    lesson_sleep(WORK);
    atomic_fetch_add(&worked, 1);
    let_go(w, second);
}

/* Seed 003's loop, and the fix by order: the same code, only `first` differs. */
static void hold_and_wait(struct worker *w)
{
    int first = w->own, second = w->next;
    if (plan == IN_ORDER && second < first) /* the global order: A before B before C ... */
        first = w->next, second = w->own;
    if (!take(w, first))
        return;
    /* In the loop, the gun goes once every thread holds its own lock: the
     * unlucky interleaving, made certain on any machine at any speed. */
    if (plan == OWN_THEN_NEXT && !gate_wait(&start_gun)) {
        let_go(w, first);
        return;
    }
    lesson_sleep(WORK);
    if (take(w, second)) /* holds `first` all the while it waits: hold and wait */
        work_with_both(w, first, second);
    let_go(w, first);
}

/* The fix by backing off: never wait for a lock while holding one. */
static void try_and_back_off(struct worker *w, struct dice *dice)
{
    for (;;) {
        if (!take(w, w->own))
            return;
        lesson_sleep(WORK);
        if (graph_trylock(&graph, w->me, w->next)) {
            say(name(w->me), "tries %s: free, takes it", lock_name(w->next));
            work_with_both(w, w->own, w->next);
            let_go(w, w->own);
            return;
        }
        double pause = (double)randint(dice, 1, 10) / 10; /* 0.1 to 1 s, its own dice */
        say(name(w->me), "finds %s taken: lets go of %s, backs off %.1f s", lock_name(w->next),
            lock_name(w->own), pause);
        graph_unlock(&graph, w->me, w->own);
        atomic_fetch_add(&backoffs, 1);
        if (!lesson_sleep(pause))
            return;
    }
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    if (plan == BACK_OFF) {
        struct dice dice = dice_for((unsigned long long)w->me);
        if (gate_wait(&start_gun))
            try_and_back_off(w, &dice);
    } else if (plan == OWN_THEN_NEXT || gate_wait(&start_gun)) {
        hold_and_wait(w);
    }
    pthread_mutex_lock(&graph.guard);
    last_return = lesson_now();
    pthread_mutex_unlock(&graph.guard);
    atomic_fetch_add(&graph.finished, 1);
    return NULL;
}

/* -- the watchdog: main ------------------------------------------------- */

struct round {
    int threads;
    int cycle_length;
    char cycle[256]; /* t1>t2>t3>t1, for the result line */
    double found_at; /* lesson seconds from the round's start */
    int scans;
    double elapsed;  /* from the round's start until every thread returned */
    int preempt;     /* what pthread_mutex_unlock answered main, for a lock it does not hold */
    const char *victim;
};

/* "t1 holds A, waits for B; t2 holds B, waits for C; ..." */
static void name_the_cycle(const int *cycle, int length, struct round *round)
{
    char text[1024] = "";
    size_t used = 0;
    round->cycle[0] = '\0';
    size_t cycle_used = 0;
    for (int k = 0; k < length; k++) {
        int t = cycle[k], waits = graph.waits_for[t], holds = -1;
        for (int l = 0; l < graph.locks && holds < 0; l++)
            if (graph.holder[l] == t)
                holds = l;
        used += (size_t)snprintf(text + used, sizeof text - used, _("%s%s holds %s, waits for %s"),
                                 k ? _("; ") : "", name(t), holds < 0 ? "?" : lock_name(holds),
                                 lock_name(waits));
        cycle_used += (size_t)snprintf(round->cycle + cycle_used, sizeof round->cycle - cycle_used, "%s>",
                                       name(t));
        if (used >= sizeof text || cycle_used >= sizeof round->cycle)
            break;
    }
    if (cycle_used < sizeof round->cycle)
        snprintf(round->cycle + cycle_used, sizeof round->cycle - cycle_used, "%s", name(cycle[0]));
    say("main", "a cycle: %s", text);
}

/* Main looks at the graph every WATCH_EVERY lesson seconds until every
 * thread has returned; on a cycle it says what it saw and ends it. */
static void watch(struct round *round, double began)
{
    int *cycle = calloc((size_t)graph.threads, sizeof *cycle);
    while (cycle && atomic_load(&graph.finished) < graph.threads && lesson_sleep(WATCH_EVERY)) {
        round->scans++;
        int length = graph_find_cycle(&graph, cycle);
        if (length == 0 || round->cycle_length)
            continue;
        round->cycle_length = length;
        round->found_at = lesson_now() - began;
        say("main", "the watchdog's look %d at the wait-for graph finds a loop of %d threads", round->scans,
            length);
        pthread_mutex_lock(&graph.guard); /* nothing in a cycle moves, but others may */
        name_the_cycle(cycle, length, round);
        int a_lock = graph.waits_for[cycle[length - 1]]; /* held by the first of the loop */
        int first_waits = graph.waits_for[cycle[0]];
        pthread_mutex_unlock(&graph.guard);
        note("How it knew: each waits for a lock the next holds, and the next is waiting too, "
             "so nobody in the loop can ever let go.  Nothing is guessed from time.");
        note("The four conditions, all met here:");
        note("1 mutual exclusion: %s is a mutex; one holder at a time.", lock_name(a_lock));
        note("2 hold and wait: %s holds %s while it waits for %s.", name(cycle[0]), lock_name(a_lock),
             lock_name(first_waits));
        /* No preemption: nobody can take a lock from its holder.  Main tries. */
        round->preempt = pthread_mutex_unlock(&graph.mutexes[a_lock]);
        note("3 no preemption: main's unlock of %s, held by another: %s.", lock_name(a_lock),
             errno_name(round->preempt));
        note("  (Python's Lock() has no owner: main's release() would pass, and break the lock.)");
        note("4 circular wait: each waits for the next; the last for the first.");
        round->victim = name(cycle[length - 1]);
        say("main", "ends it: tells %s to stop waiting", round->victim);
        note("%s gives up its wait, so hold and wait no longer holds for it.", round->victim);
        atomic_store(&graph.give_up[cycle[length - 1]], true);
    }
    free(cycle);
}

/* One round: `threads` threads on `threads` locks, following `how`. */
static int run_round(enum plan how, const char *const *thread_names, const char *const *lock_names, int threads,
                     struct round *round)
{
    plan = how;
    *round = (struct round){ .threads = threads, .victim = "none" };
    atomic_store(&backoffs, 0);
    atomic_store(&worked, 0);
    if (!graph_init(&graph, threads, thread_names, threads, lock_names))
        return 1;
    gate_init(&start_gun, threads);
    struct worker *workers = calloc((size_t)threads, sizeof *workers);
    struct team team;
    if (!workers || !team_init_together(&team, threads)) {
        if (!workers)
            report_no_memory("ask for fewer", "%d threads", threads);
        free(workers);
        gate_destroy(&start_gun);
        graph_free(&graph);
        return 1;
    }
    double began = lesson_now();
    last_return = began;
    for (int i = 0; i < threads; i++) {
        workers[i] = (struct worker){ .me = i, .own = i, .next = (i + 1) % threads };
        if (!team_start(&team, worker_run, &workers[i])) {
            gate_cancel(&start_gun); /* the ones started must not wait for the rest */
            break;
        }
    }
    if (team.started == threads)
        watch(round, began);
    team_join_all(&team);
    round->elapsed = last_return - began; /* not when main noticed, a look later */
    int status = team_report_refusal(&team) ? 1 : 0;
    if (status == 0 && team.started < threads)
        status = not_started();
    team_free(&team);
    free(workers);
    gate_destroy(&start_gun);
    graph_free(&graph);
    return status;
}

/* -- the parts ------------------------------------------------------------ */

static char *names_with(const char *prefix, int count, bool letters, const char **names)
{
    size_t each = strlen(prefix) + 4;
    char *text = calloc((size_t)count, each);
    for (int i = 0; text && i < count; i++) {
        if (letters)
            snprintf(text + (size_t)i * each, each, "%s%c", prefix, 'A' + i);
        else
            snprintf(text + (size_t)i * each, each, "%s%d", prefix, i + 1);
        names[i] = text + (size_t)i * each;
    }
    return text;
}

/* One round of a part, and its result line. */
static int loop_part(const char *part, const char *thread_prefix, const char *lock_prefix, bool letters, int threads,
                     enum plan how)
{
    const char **thread_names = calloc((size_t)threads, sizeof *thread_names);
    const char **lock_names = calloc((size_t)threads, sizeof *lock_names);
    char *thread_text = thread_names ? names_with(thread_prefix, threads, false, thread_names) : NULL;
    char *lock_text = lock_names ? names_with(lock_prefix, threads, letters, lock_names) : NULL;
    if (!thread_text || !lock_text) {
        report_no_memory("ask for fewer", "%d threads", threads);
        free(thread_names), free(lock_names), free(thread_text), free(lock_text);
        return 1;
    }
    struct round round;
    int status = run_round(how, thread_names, lock_names, threads, &round);
    if (status == 0 && !lesson_stop_requested()) {
        if (how == OWN_THEN_NEXT) {
            if (round.cycle_length)
                say("main", "all %d returned: the loop was found at %.2f s and broken", threads, round.found_at);
            else
                say("main", "all %d returned, and no loop was seen?!", threads);
            result_at_end("part=%s threads=%d deadlock=%s cycle=%s found_at=%.2f preempt=%s victim=%s worked=%d "
                          "elapsed=%.2f",
                          part, threads, round.cycle_length ? "yes" : "no",
                          round.cycle_length ? round.cycle : "none", round.found_at,
                          round.cycle_length ? errno_symbol(round.preempt) : "none", round.victim,
                          atomic_load(&worked), round.elapsed);
        } else {
            say("main", "all %d finished; the watchdog looked %d times and saw no loop%s", threads, round.scans,
                round.cycle_length ? _("?! It did") : "");
            result_at_end("part=%s threads=%d deadlock=%s worked=%d scans=%d backoffs=%d elapsed=%.2f", part,
                          threads, round.cycle_length ? "yes" : "no", atomic_load(&worked), round.scans,
                          atomic_load(&backoffs), round.elapsed);
        }
    }
    free(thread_names), free(lock_names), free(thread_text), free(lock_text);
    return status;
}

static int cycle_part(void)
{
    int threads = (int)option_int("threads");
    say("main", "seed 003's loop: %d threads, %d locks; each takes its own, then the next one's", threads,
        threads);
    note("Each holds its own lock and waits until all do before it reaches for the next: the unlucky "
         "interleaving, made certain so that it happens in every run.  Python's program hangs here for "
         "ever, printing nothing.  Main watches.");
    return loop_part("cycle", "t", "", true, threads, OWN_THEN_NEXT);
}

static int order_part(void)
{
    int threads = (int)option_int("threads");
    say("main", "the fix by order: every thread takes the lower-lettered lock first");
    note("The last thread takes A before its own: no loop can close (no circular wait).");
    return loop_part("order", "t", "", true, threads, IN_ORDER);
}

static int backoff_part(void)
{
    int threads = (int)option_int("threads");
    say("main", "the fix by backing off: take your own, try the next; if it is taken, let go, wait, retry");
    note("Nobody waits while holding a lock (no hold and wait).  Each waits a random time, its own dice.");
    return loop_part("backoff", "t", "", true, threads, BACK_OFF);
}

static int philosophers_part(void)
{
    int count = (int)option_int("philosophers");
    say("main", "the dining philosophers: %d at a round table, a fork between each two", count);
    note("Each takes the fork on the left, then the one on the right.");
    int status = loop_part("philosophers", "p", _("fork"), false, count, OWN_THEN_NEXT);
    if (status != 0 || lesson_stop_requested())
        return status;
    say("main", "again, with the forks in order: the last philosopher takes fork1 first");
    return loop_part("philosophers-ordered", "p", _("fork"), false, count, IN_ORDER);
}

static int deadlock_run(void)
{
    static const struct lesson_part parts[] = {
        { "cycle", cycle_part },
        { "order", order_part },
        { "backoff", backoff_part },
        { "philosophers", philosophers_part },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec deadlock_options[] = {
    OPTION_CHOICE("part", "all", "all|cycle|order|backoff|philosophers", "which part to run; all: in this order"),
    OPTION_INT("threads", "3", 2, 26, "threads and locks in the loop (seed 003: 3)"),
    OPTION_INT("philosophers", "5", 2, 26, "philosophers and forks at the table"),
    OPTIONS_END,
};

const struct lesson deadlock_lesson = {
    .name = "deadlock",
    .summary = N_("each thread holds a lock and waits for the next one's: a loop, caught and fixed"),
    .runs_for = { 12, 15 }, /* lesson seconds at the defaults, measured: 12.5 to 14.9 over 30 seeds (backoff varies) */
    .source = N_("seed 003 并发编程的问题: 死锁"),
    .options = deadlock_options,
    .results = "one line per part: part=cycle threads deadlock cycle found_at preempt victim worked "
               "elapsed; "
               "part=order and part=backoff threads deadlock worked scans backoffs elapsed; "
               "part=philosophers as part=cycle; part=philosophers-ordered as part=order",
    .explanation = N_(
        "Seed 003: threads A, B and C, where A waits for B, B for C and C for A:\n"
        "a closed loop, and nobody can move.  Here t1, t2 and t3 each take their\n"
        "own lock (A, B, C), work 0.5 s, then reach for the next one's.  Python's\n"
        "program of that shape hangs for ever, printing nothing.  In this lesson\n"
        "main is a watchdog: every 0.25 s it reads the wait-for graph (who holds\n"
        "each lock, which lock each thread waits for), finds the loop, prints it\n"
        "(t1 holds A, waits for B; ...), and ends it by telling the last thread of\n"
        "the loop to stop waiting and let go of its lock.\n"
        "\n"
        "A deadlock needs all four Coffman conditions, and the lesson names each\n"
        "where it appears: mutual exclusion (a mutex has one holder), hold and wait\n"
        "(each holds its own lock while it waits), no preemption (main's unlock of\n"
        "a lock another thread holds is refused: EPERM) and circular wait (the\n"
        "loop).  Break any one and there is no deadlock.\n"
        "\n"
        "Two fixes, each shown finishing: one global lock order (every thread takes\n"
        "the lower-lettered lock first, so t3 takes A before C: no loop can close),\n"
        "and try-and-back-off (take your own lock, try the next with\n"
        "pthread_mutex_trylock; if it is taken, let go of yours and wait a random\n"
        "while: nobody waits while holding).  Last, the dining philosophers: five\n"
        "threads, five forks, each takes the left fork then the right; the loop is\n"
        "caught, then fixed by order (the last philosopher takes fork1 first).\n"
        "\n"
        "The lesson makes the deadlock certain: in the loop parts, each thread\n"
        "waits until every thread holds its own lock before it reaches for the\n"
        "next.  Without that, a slow start could let one thread take both locks\n"
        "before the others begin, and the loop would not close.\n"),
    .run = deadlock_run,
};
