/* starvation: an unfair lock starves threads; a fair one gives each its turn.
 * Seed 003 资源不足 (resource starvation) and 优先级反转 (priority inversion).
 *
 * The article gives only the idea: a task that cannot get the resource it
 * needs starves; fairness -- taking turns, like a queue -- cures it, at a cost
 * in speed (公平原则会导致效率降低).
 *
 * The article's program (seed 003 gives none: this is the lesson's, in Python):
 *
 *     lock = threading.Lock()
 *     taken = [0] * 4
 *
 *     def worker(i):
 *         while not stop:
 *             with lock:               # hold it 10 us, using the resource
 *                 taken[i] += 1
 *                 use_the_resource()
 *             if i > 0:                # t-2, t-3, t-4 are polite:
 *                 use_what_it_got()    # 20 us away from the lock
 *             # t-1 is greedy: it lets go and at once asks again
 *
 *     for i in range(4): Thread(target=worker, args=(i,)).start()
 *
 * Part 1 runs it in C with a pthread mutex, part 2 with a ticket lock
 * (primitives/ticket_lock.c), and each counts how often each thread got in.
 * Part 3 is seed 003's 优先级反转 (priority inversion), further down: three
 * threads of fixed priority on one CPU, and the mutex that fixes it. */
#include "primitives/event.h"
#include "primitives/ticket_lock.h"
#include "lesson.h"
#include "realtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER; /* unfair: whoever asks when it is free gets it */
static struct ticket_lock ticket;                         /* fair: first come, first served */
static bool fair;                                         /* which of the two this part uses */

static atomic_bool go, stop; /* the start and the end of the contest */

struct greedy {
    char name[24];
    atomic_uint asked;   /* when it last asked for the lock */
    atomic_bool waiting; /* asked, and not in yet */
    long taken;  /* how often it got the lock: written only while holding it */
};

static int last_holder = -1; /* who had the lock last: guarded by it */
static long handoffs;        /* how often it went to another thread: guarded by it */

static struct greedy *threads;
static long count;        /* how many there are */
static atomic_uint asks;  /* numbers the mutex's askers take, only to know who asked first */
static double mutex_rate;  /* part 1's turns a second, for part 2 to compare */
static long overtakes;    /* turns taken while one that asked earlier still waited: guarded by the lock */

/* Take the lock, noting when this thread asked: the ticket lock's own number,
 * or for the mutex one taken just before asking it. */
static void lock(struct greedy *me)
{
    unsigned asked = fair ? ticket_take(&ticket) : atomic_fetch_add(&asks, 1);
    atomic_store(&me->asked, asked);
    atomic_store(&me->waiting, true);
    if (fair)
        ticket_wait(&ticket, asked);
    else
        pthread_mutex_lock(&mutex);
    atomic_store(&me->waiting, false);
    /* Did anyone who asked before me still wait?  Then I overtook them. */
    for (long j = 0; j < count; j++)
        if (atomic_load(&threads[j].waiting) && (int)(atomic_load(&threads[j].asked) - asked) < 0) {
            overtakes++;
            break;
        }
}

static void unlock(void)
{
    if (fair)
        ticket_unlock(&ticket);
    else
        pthread_mutex_unlock(&mutex);
}

/* Busy for `microseconds` of real time (not lesson time: the contest is about
 * the CPU, and --speed must not change it). */
static void busy_for(double microseconds)
{
    double until = real_now() + microseconds / 1e6;
    while (real_now() < until)
        continue;
}

/* Each holds the lock 10 us, using the resource: it holds it nearly all the
 * time and lets go only for an instant, as a busy thread does. */
static void use_the_resource(void)
{
    busy_for(10);
}

/* A polite thread then does something with what it got, away from the lock,
 * for 20 us -- less than the others' turns take, so in a fair line it is back
 * before its turn comes round.  Then it asks again. */
static void use_what_it_got(void)
{
    busy_for(20);
}

static void *worker(void *arg) /* def worker(i): while not stop: with lock: ... */
{
    struct greedy *me = arg;
    int i = (int)(me - threads);
    while (!atomic_load(&go) && !atomic_load(&stop))
        sched_yield(); /* wait for the others to be started: nobody gets a head start */
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        lock(me);
        me->taken += 1;
        use_the_resource();
        handoffs += last_holder != i;
        last_holder = i;
        unlock();
        if (i > 0)
            use_what_it_got(); /* the polite ones step away a moment; t-1, greedy, asks again at once */
    }
    return NULL;
}

/* A thread that got less than half of an equal share was starved. */
static int count_starved(long count, long total)
{
    int starved = 0;
    for (long i = 0; i < count; i++)
        starved += threads[i].taken * count * 2 < total;
    return starved;
}

static int contest(int part, bool use_ticket_lock)
{
    count = (long)option_int("threads");
    double seconds = option_real("seconds");
    fair = use_ticket_lock;
    threads = calloc((size_t)count, sizeof *threads);
    if (!threads) {
        report_no_memory("ask for fewer", "%ld threads", count);
        return 1;
    }
    ticket_lock_init(&ticket);
    atomic_store(&go, false);
    atomic_store(&stop, false);
    last_holder = -1;
    handoffs = 0;
    overtakes = 0;
    atomic_store(&asks, 0);

    const char *lock_name = fair ? _("a ticket lock (fair)") : _("a pthread mutex (unfair)");
    say("main", "part %d: %ld threads, one %s; t-1 lets go and at once asks again", part, count,
        lock_name);
    if (fair)
        note("Each takes a ticket and waits for its number: who lets go goes to the back of the line.");
    else
        note("Whoever asks when it is free gets it. t-1 asks again at once, before a waiter it "
             "woke can run; the others step away 20 us first.");

    struct team team;
    if (!team_init_together(&team, count)) {
        free(threads);
        ticket_lock_destroy(&ticket);
        return 1;
    }
    for (long i = 0; i < count; i++) {
        snprintf(threads[i].name, sizeof threads[i].name, "t-%d", (int)i + 1);
        if (!team_start(&team, worker, &threads[i]))
            break;
    }
    bool all_started = team.started == count;
    double began = 0;
    if (all_started) {
        began = real_now();
        atomic_store(&go, true); /* they race for the lock from here */
        lesson_sleep(seconds);
    }
    atomic_store(&stop, true); /* stop = True */
    double elapsed = real_now() - began;
    team_join_all(&team);
    int status = team_report_refusal(&team);
    team_free(&team);
    if (status != 0 || !all_started || lesson_stop_requested()) {
        free(threads);
        ticket_lock_destroy(&ticket);
        return status ? status : not_started();
    }

    long total = 0, top = 0;
    for (long i = 0; i < count; i++) {
        total += threads[i].taken;
        if (threads[i].taken > threads[top].taken)
            top = i;
    }
    char shares[1024] = "";
    size_t used = 0;
    for (long i = 0; i < count; i++) {
        double share = total ? 100.0 * (double)threads[i].taken / (double)total : 0;
        say(threads[i].name, "%s got the lock %ld times: %.1f %%", i == 0 ? _("greedy,") : _("polite,"),
            threads[i].taken, share);
        if (used < sizeof shares)
            used += (size_t)snprintf(shares + used, sizeof shares - used, "%s%.1f", i ? "," : "", share);
    }
    double top_share = total ? 100.0 * (double)threads[top].taken / (double)total : 0;
    int starved = count_starved(count, total);
    say("main", "%ld acquisitions in %.2f s of real time; %ld went to another thread than the last", total, elapsed,
        handoffs);
    say("main", "%ld got in while a thread that asked earlier still waited", overtakes);
    double rate = elapsed > 0 ? (double)total / elapsed : 0;
    if (!fair)
        mutex_rate = rate;
    else if (mutex_rate > 0 && rate > 0)
        say("main", "%.0f turns a real second, against the mutex's %.0f: %.1f times %s", rate, mutex_rate,
            rate < mutex_rate ? mutex_rate / rate : rate / mutex_rate, rate < mutex_rate ? _("slower") : _("faster"));
    if (fair)
        note("A ticket lock lets no one in ahead of an earlier number: %s.",
             overtakes == 0 ? _("none did") : _("yet some did -- a bug in the lock"));
    else
        note("The mutex keeps no line: it goes to whoever asks when it is free, often the thread that "
             "just let go.");
    double equal = 100.0 / (double)count;
    if (count == 1)
        note("One thread has no one to starve.");
    else if (fair && top_share < 1.5 * equal && starved == 0)
        note("Every thread got near an equal share (%.1f %%): they took turns, the greedy one too.", equal);
    else if (fair && overtakes == 0)
        note("%s got %.1f %%, against an equal %.1f %%. The line let no one in ahead, but it serves only "
             "those in it: a polite thread not back in line in time misses its turn.",
             threads[top].name, top_share, equal);
    else if (top == 0 && top_share >= 1.5 * equal)
        note("t-1, the greedy one, took %.1f %%, %.1f times an equal share (%.1f %%); %s. The lock went "
             "to another thread only %ld times.",
             top_share, top_share / equal, equal,
             starved ? _("the polite ones were starved") : _("the polite ones got less than an equal share"), handoffs);
    else
        note("No thread crowded the others out this run: the largest share was %.1f %% (%s), against "
             "an equal %.1f %%. %s",
             top_share, threads[top].name, equal,
             fair ? _("A fair lock should not do this: a thread may have been kept off the CPU.")
                  : _("The mutex promises no order; this time it happened to spread the lock."));
    result_at_end("part=%s lock=%s threads=%ld acquisitions=%ld handoffs=%ld overtakes=%ld rate=%.0f shares=%s top=%.1f "
                  "top_vs_equal=%.2f starved=%d",
                  fair ? "fair" : "unfair", fair ? "ticket" : "mutex", count, total, handoffs, overtakes,
                  rate, shares, top_share, top_share / equal, starved);
    free(threads);
    ticket_lock_destroy(&ticket);
    return 0;
}

static int unfair(void)
{
    return contest(1, false);
}

static int fair_part(void)
{
    return contest(2, true);
}

/* Part 3: priority inversion (seed 003 优先级反转).  Three threads of fixed
 * (SCHED_FIFO) priority share one CPU, where the highest that is ready always
 * runs.  low takes the lock and needs some CPU inside it; high then asks for
 * the lock and must wait for low; medium, which never touches the lock, wakes
 * and spins -- and keeps low, and so high, off the CPU.  A mutex with
 * PTHREAD_PRIO_INHERIT lends low high's priority while high waits for it. */
enum { LOW = 10, MEDIUM = 20, HIGH = 30, MAIN = 40 }; /* SCHED_FIFO priorities: higher runs first */

static pthread_mutex_t resource;     /* the lock low and high share */
static double low_work, medium_spin; /* real seconds: low's CPU work in the lock; medium's spin */

enum moment { LOW_TOOK, HIGH_ASKED, MEDIUM_BEGAN, MEDIUM_DONE, LOW_LET_GO, HIGH_GOT, MOMENTS };
static _Atomic double at[MOMENTS]; /* when each happened, in real seconds; 0: not yet */

static void mark(enum moment what)
{
    atomic_store(&at[what], real_now());
}

/* Each one's cue is the one before: low's taking the lock wakes high, and
 * high's asking wakes medium.  The story is the same on any machine, however
 * slowly it starts threads; what the CPU then does is measured. */
static struct event high_wakes, medium_wakes;
static bool story_goes_on; /* false: a thread was refused, or a stop; the others leave */

static void *low_priority(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&resource);
    mark(LOW_TOOK);
    event_set(&high_wakes); /* high needs the lock now, while low holds it */
    realtime_work_cpu(low_work, 1 + 10 * (low_work + medium_spin)); /* CPU work: off the CPU, it waits */
    mark(LOW_LET_GO);
    pthread_mutex_unlock(&resource);
    return NULL;
}

static void *high_priority(void *unused)
{
    (void)unused;
    event_wait(&high_wakes); /* on one CPU it runs at once, above low */
    if (!story_goes_on)
        return NULL;
    mark(HIGH_ASKED);
    event_set(&medium_wakes);      /* medium is ready; it runs once high waits */
    pthread_mutex_lock(&resource); /* low has it: high waits for low */
    mark(HIGH_GOT);
    pthread_mutex_unlock(&resource);
    return NULL;
}

static void *medium_priority(void *unused)
{
    (void)unused;
    event_wait(&medium_wakes);
    if (!story_goes_on)
        return NULL;
    mark(MEDIUM_BEGAN);
    realtime_spin(medium_spin); /* busy, and never touches the lock */
    mark(MEDIUM_DONE);
    return NULL;
}

struct inversion_run {
    double high_waited;        /* real seconds from high's asking to its getting the lock */
    double medium_within_wait; /* real seconds medium spun while high waited */
    bool high_asked_in_time;   /* high asked while low still held the lock */
    bool medium_went_first;    /* medium ended its spin before high got the lock */
    bool high_went_first;      /* high got the lock before medium began */
    char order[128];           /* "low-took,high-asked,...": the moments in the order they came */
};

/* Plumbing, at the end of the file: main watches the moments and tells
 * each as it comes; measure() takes the figures from them. */
static bool watch_until(enum moment what);
static void tell_moments(void);
static void measure(struct inversion_run *run);
static void forget_moments(void);

/* While the three spin, no ordinary thread gets their CPU: after each run,
 * main leaves it idle as long again (other programs, and the signal watcher,
 * catch up). */
static void let_the_cpu_rest(void)
{
    lesson_sleep((medium_spin + low_work) * option_real("speed"));
}

/* One run: low takes the lock, high asks for it, medium wakes.  Returns 0, or
 * the errno of a thread the system refused. */
static int one_inversion(struct realtime *rt, bool inherit, struct inversion_run *run)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setprotocol(&attr, inherit ? PTHREAD_PRIO_INHERIT : PTHREAD_PRIO_NONE);
    pthread_mutex_init(&resource, &attr);
    pthread_mutexattr_destroy(&attr);
    forget_moments();
    say("main", "%s mutex; low, medium, high on CPU %d", inherit ? _("a PTHREAD_PRIO_INHERIT") : _("a plain"), rt->cpu);

    event_init(&high_wakes);
    event_init(&medium_wakes);
    story_goes_on = true;
    pthread_t low, high, medium; /* high and medium wait for their cues; low starts the story */
    bool high_up = false, medium_up = false, low_up = false;
    int error = realtime_start(rt, &high, high_priority, NULL, HIGH);
    high_up = error == 0;
    if (high_up)
        medium_up = (error = realtime_start(rt, &medium, medium_priority, NULL, MEDIUM)) == 0;
    if (medium_up)
        low_up = (error = realtime_start(rt, &low, low_priority, NULL, LOW)) == 0;
    if (!low_up) { /* refused: the waiting ones are let go */
        story_goes_on = false;
        event_set(&high_wakes);
        event_set(&medium_wakes);
    } else if (watch_until(HIGH_GOT)) {
        watch_until(MEDIUM_DONE);
    }
    if (low_up)
        pthread_join(low, NULL);
    if (medium_up)
        pthread_join(medium, NULL);
    if (high_up)
        pthread_join(high, NULL);
    tell_moments();
    event_destroy(&high_wakes);
    event_destroy(&medium_wakes);
    pthread_mutex_destroy(&resource);
    measure(run);
    return error;
}

static int inversion(void)
{
    double speed = option_real("speed"), spin = option_real("spin");
    double to_real = spin / speed > 0.3 ? 0.3 / spin : 1 / speed; /* at most 0.3 s of spin, real: a safety cap */
    medium_spin = spin * to_real;
    low_work = 0.02 * to_real; /* 20 ms, lesson time */
    say("main", "part 3: priority inversion; low, medium, high are SCHED_FIFO %d, %d, %d", LOW, MEDIUM, HIGH);
    note("On one CPU the highest-priority thread that is ready runs. low holds a lock high needs; "
         "medium needs only the CPU.");
    note("Seed 003 tells the bounded case: low runs first, lets go, then high goes on. The harm needs "
         "a third thread, medium, which the seed does not name; the inheriting mutex gives back the "
         "seed's order.");
    if (speed != 1)
        note("The +ms figures are real milliseconds since low took the lock; the clock on the left runs "
             "%g times faster.", speed);

    if (realtime_under_valgrind()) {
        note("Under valgrind threads run one at a time, and one waiting for its turn may spin: at a fixed "
             "priority it would keep the one whose turn it is off the CPU for ever. This part is skipped.");
        result_at_end("part=inversion skipped=valgrind");
        return 0;
    }
    struct realtime rt;
    if (!realtime_begin(&rt, MAIN, 1.0)) { /* main above the three, to watch them and stop them */
        realtime_say_how_to_allow(&rt);
        result_at_end("part=inversion refused=SCHED_FIFO priority=%d error=%s", rt.refused_priority,
                      realtime_error_name(rt.error));
        return 0;
    }
    struct inversion_run plain = { 0 }, inherit = { 0 };
    int error = one_inversion(&rt, false, &plain);
    let_the_cpu_rest();
    if (error == 0 && !lesson_stop_requested()) {
        error = one_inversion(&rt, true, &inherit);
        let_the_cpu_rest();
    }
    realtime_end(&rt);
    if (error != 0) {
        realtime_say_how_to_allow(&rt);
        result_at_end("part=inversion refused=SCHED_FIFO priority=%d error=%s", rt.refused_priority,
                      realtime_error_name(error));
        return 0;
    }
    if (lesson_stop_requested())
        return 0;

    /* The verdicts, from the times measured: medium held high up when high
     * waited at least half medium's spin, and medium ended before high got in. */
    bool inverted = plain.high_asked_in_time && plain.high_waited >= medium_spin / 2 && plain.medium_went_first;
    bool fixed = inherit.high_asked_in_time && inherit.high_waited < medium_spin / 2 && inherit.high_went_first;
    double ratio = inherit.high_waited > 0 ? plain.high_waited / inherit.high_waited : 0;
    say("main", "high waited %.1f ms behind a plain mutex, %.1f ms behind an inheriting one", plain.high_waited * 1e3,
        inherit.high_waited * 1e3);
    if (inverted)
        note("Plain mutex: medium spun %.1f ms of high's wait. It never touched the lock, yet it kept low "
             "off the CPU, and so kept high, the most urgent, waiting.",
             plain.medium_within_wait * 1e3);
    else
        note("Plain mutex: high waited %.1f ms, against medium's %.1f ms spin: this run did not show the "
             "inversion (%s).",
             plain.high_waited * 1e3, medium_spin * 1e3,
             !plain.high_asked_in_time ? _("high asked only after low let go: it had nothing to wait for")
             : plain.medium_went_first ? _("medium ran first, yet high waited less than half its spin")
                                       : _("low let go before medium ended its spin"));
    if (fixed)
        note("PTHREAD_PRIO_INHERIT: while high waited, low ran at high's priority, above medium, and "
             "finished its work: high waited %.1f times less. medium ran after.",
             ratio);
    else
        note("PTHREAD_PRIO_INHERIT: high waited %.1f times less than with the plain mutex, but this run did "
             "not show the fix: %s.",
             ratio,
             !inherit.high_asked_in_time ? _("high asked only after low let go: there was nothing to fix")
             : inherit.high_went_first   ? _("high waited half medium's spin or more")
                                         : _("medium began before high got in"));
    result_at_end("part=inversion cpu=%d spin_ms=%.1f work_ms=%.1f plain_wait_ms=%.1f inherit_wait_ms=%.1f "
                  "ratio=%.1f inverted=%s fixed=%s plain_order=%s inherit_order=%s refused=none",
                  rt.cpu, medium_spin * 1e3, low_work * 1e3, plain.high_waited * 1e3, inherit.high_waited * 1e3,
                  ratio, inverted ? "yes" : "no", fixed ? "yes" : "no", plain.order, inherit.order);
    return 0;
}

/* Plumbing for part 3: main, above the three, watches the moments and tells
 * each as it comes, with its real time since low took the lock. */
static bool told[MOMENTS];
static const char *moment_names[MOMENTS] = { "low-took", "high-asked", "medium-began", "medium-done", "low-let-go",
                                             "high-got" };

static void forget_moments(void)
{
    for (int i = 0; i < MOMENTS; i++) {
        atomic_store(&at[i], 0.0);
        told[i] = false;
    }
}

static int next_moment(const bool *done)
{
    int next = -1;
    for (int i = 0; i < MOMENTS; i++)
        if (!done[i] && at[i] > 0 && (next < 0 || at[i] < at[next]))
            next = i;
    return next;
}

static void tell_moments(void)
{
    for (int next; (next = next_moment(told)) >= 0;) {
        told[next] = true;
        double ms = (at[next] - at[LOW_TOOK]) * 1e3;
        switch ((enum moment)next) {
        case LOW_TOOK: say("low", "+%.1f ms: takes the lock; needs %.1f ms of CPU in it", ms, low_work * 1e3); break;
        case HIGH_ASKED: say("high", "+%.1f ms: asks for the lock, and waits for low", ms); break;
        case MEDIUM_BEGAN: say("medium", "+%.1f ms: runs; spins %.1f ms, no lock", ms, medium_spin * 1e3); break;
        case MEDIUM_DONE: say("medium", "+%.1f ms: done spinning", ms); break;
        case LOW_LET_GO: say("low", "+%.1f ms: lets go of the lock", ms); break;
        case HIGH_GOT:
            say("high", "+%.1f ms: gets the lock, after waiting %.1f ms", ms, (at[HIGH_GOT] - at[HIGH_ASKED]) * 1e3);
            break;
        case MOMENTS: break;
        }
    }
}

/* Tell the moments as they come until `what` has happened; false if stopped. */
static bool watch_until(enum moment what)
{
    while (at[what] == 0) {
        tell_moments();
        if (!lesson_sleep(0.001 * option_real("speed"))) /* 1 ms, real */
            return false;
    }
    tell_moments();
    return true;
}


static void measure(struct inversion_run *run)
{
    run->high_waited = at[HIGH_GOT] > 0 ? at[HIGH_GOT] - at[HIGH_ASKED] : 0;
    run->high_asked_in_time = at[HIGH_ASKED] > 0 && at[HIGH_ASKED] < at[LOW_LET_GO];
    run->medium_went_first = at[MEDIUM_DONE] > 0 && at[MEDIUM_DONE] < at[HIGH_GOT];
    run->high_went_first = at[HIGH_GOT] > 0 && at[HIGH_GOT] < at[MEDIUM_BEGAN];
    double from = at[MEDIUM_BEGAN] > at[HIGH_ASKED] ? at[MEDIUM_BEGAN] : at[HIGH_ASKED];
    double to = at[MEDIUM_DONE] < at[HIGH_GOT] ? at[MEDIUM_DONE] : at[HIGH_GOT];
    run->medium_within_wait = at[MEDIUM_BEGAN] > 0 && to > from ? to - from : 0;
    bool listed[MOMENTS] = { false };
    size_t used = 0;
    run->order[0] = '\0';
    for (int next; (next = next_moment(listed)) >= 0 && used < sizeof run->order;) {
        used += (size_t)snprintf(run->order + used, sizeof run->order - used, "%s%s", used ? "," : "",
                                 moment_names[next]);
        listed[next] = true;
    }
}

static int starvation_run(void)
{
    static const struct lesson_part parts[] = { { "unfair", unfair }, { "fair", fair_part }, { "inversion", inversion } };
    return RUN_PARTS(parts);
}

static const struct option_spec starvation_options[] = {
    OPTION_CHOICE("part", "all", "all|unfair|fair|inversion", "which part to run; all: in this order"),
    OPTION_INT("threads", "4", 1, 64, "threads contending for the lock"),
    OPTION_REAL("seconds", "2", 0.1, 60, "lesson seconds each part lets them contend"),
    OPTION_REAL("spin", "0.15", 0.05, 0.3, "lesson seconds medium spins in part 3 (at most 0.3 s real)"),
    OPTIONS_END,
};

const struct lesson starvation_lesson = {
    .name = "starvation",
    .summary = N_("an unfair lock favours the thread that just let go; a ticket lock is fair; priority inversion"),
    .runs_for = { 4.7 }, /* seconds at speed 1 at the defaults, measured (4.69, 4.73) */
    .source = N_("seed 003 资源不足, 优先级反转"),
    .options = starvation_options,
    .results = "one line per part: part=unfair|fair lock=mutex|ticket threads acquisitions handoffs overtakes rate "
               "shares top top_vs_equal starved; part=inversion cpu spin_ms work_ms plain_wait_ms inherit_wait_ms "
               "ratio inverted fixed plain_order inherit_order refused=none, or refused=SCHED_FIFO priority error, or "
               "skipped=valgrind",
    .explanation = /* xgettext:no-c-format */ N_(
        "A thread starves when it is never given what it needs to go on, though\n"
        "nothing is stuck: others keep getting it first.  Here four threads share a\n"
        "lock, each holding it 10 us at a time.  t-1 is greedy: it lets go and at\n"
        "once asks again.  t-2 to t-4 are polite: they step away 20 us first.\n"
        "\n"
        "Part 1 uses a pthread mutex.  It is unfair: it goes to whoever asks when\n"
        "it is free, and t-1, still running, asks before a waiter it woke has been\n"
        "given a CPU.  t-1 takes about half of all turns, twice an equal share.\n"
        "Part 2 uses a ticket lock, built in a few lines\n"
        "(demos/primitives/ticket_lock.c): each asker takes a number and waits for\n"
        "it to be called, so the lock goes round in turn, t-1 included.  Shares are\n"
        "measured, not assumed: top_vs_equal is the largest share over an equal\n"
        "one, and a thread with less than half an equal share counts as starved.\n"
        "rate is acquisitions per real second.  Seed 003 says fairness costs\n"
        "speed: each hand-over waits for the thread whose number is called to be\n"
        "woken.  Measured here, the ticket lock ran 1.4 to 2.7 times slower than\n"
        "the mutex, and on a loaded machine once as fast (the mutex's holder is\n"
        "kept off the CPU too).\n"
        "The contest runs on real time; give it --seconds of at least 0.3 real\n"
        "seconds (--seconds over --speed) for the shares to settle.\n"
        "\n"
        "With other --threads the ticket lock's shares are less even (here t-1\n"
        "got 63 % of 2 threads' turns, 52 % of 3, 21 % of 8): it still lets no\n"
        "one in ahead (overtakes=0), but a polite thread that is not back in line\n"
        "when its number would come misses its turn.\n"
        "\n"
        "Python 3.11 on this machine, the same program with threading.Lock: t-1\n"
        "took 49 to 58 % of the turns in three runs of 2 s.\n"
        "\n"
        "Part 3, priority inversion (seed 003 优先级反转).  Three SCHED_FIFO threads\n"
        "share one CPU, where the highest-priority thread that is ready always\n"
        "runs: low (10), medium (20) and high (30).  low takes a lock and needs\n"
        "20 ms of CPU inside it.  high wakes and asks for the lock: it must wait\n"
        "for low.  medium wakes and spins --spin lesson seconds (0.15: 150 ms at\n"
        "speed 1; never more than 0.3 s real), never touching the lock, and since\n"
        "it is above low, low does not run: high waits for medium, a thread of\n"
        "lower priority that it shares nothing with.  Then the same with a mutex\n"
        "made PTHREAD_PRIO_INHERIT: while high waits for it, low runs at high's\n"
        "priority, medium cannot preempt it, and high waits only for low's work.\n"
        "Both waits are measured, in real ms, and the verdicts come from them.\n"
        "Measured here at speed 1: about 169 ms against 19 ms, 9 times.\n"
        "Real-time priorities need CAP_SYS_NICE or RLIMIT_RTPRIO (ulimit -r); if\n"
        "the system refuses them, the part says what was refused and how to\n"
        "allow it, and the lesson still ends with status 0.  A spinning\n"
        "SCHED_FIFO thread starves every ordinary one on its CPU, so the spins\n"
        "end by the clock, and RLIMIT_RTTIME is lowered as a safety net.\n"
        "Python 3.11's threading has no priorities, and threading.Lock no\n"
        "protocol to choose; on Linux os.sched_setscheduler(\n"
        "threading.get_native_id(), os.SCHED_FIFO, ...) does set one thread's\n"
        "policy (checked here), but threading.Lock has only acquire, release and\n"
        "locked: no priority inheritance to ask for.\n"),
    .run = starvation_run,
};
