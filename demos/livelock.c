/* livelock: two polite tasks that give way to each other for ever.
 * Seed 003 (活锁).
 *
 * The article's program, which seed 003 gives in words, not in code:
 *
 *     任务1和任务2两个并发线程执行需要两个资源，任务1执行先对资源1进行了加锁，
 *     任务2执行先对资源2进行了加锁，当任务1需要用资源2，因为被任务2持有，没法
 *     获取，于是他就释放了资源1，任务2也是一样 ... 一直循环下去就形成了活锁。
 *
 * (Task 1 locks resource 1, task 2 resource 2; each then needs the other's,
 * finds it held, and releases its own; and so on for ever: a livelock.)
 *
 * In C: each task takes its own lock, reaches for the other's with
 * pthread_mutex_trylock(), and on EBUSY puts its own down, backs off, and
 * tries again.  Nobody blocks, both stay busy, nobody gets both.
 *
 * Two threads on two CPUs do not stay in step by themselves: the first to
 * let go would hand the second its chance.  The politeness here keeps them
 * in step, as two people in a corridor stepping aside at the same pace: they
 * start together (a start gun), each holds its own lock while it reaches and
 * hesitates a while before it lets go (so a task woken late still finds the
 * other holding), and each backs off to the same beat of the clock.  The
 * lesson measures whether they really stayed in step, and says so if a task
 * got through.  Part 2 backs off for a random time instead. */
#include "lesson.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t resource1 = PTHREAD_MUTEX_INITIALIZER; /* 资源1 */
static pthread_mutex_t resource2 = PTHREAD_MUTEX_INITIALIZER; /* 资源2 */

/* The pace of one attempt, in lesson seconds. */
#define REACH 0.08    /* holding its own lock, it reaches for the other's */
static double hesitate; /* --hesitate: the other's is busy: "after you"; then it lets go */
#define BEAT 0.2      /* an attempt every beat: the fixed back-off ends on the next */
#define WORK 0.02     /* with both resources: the task's work */
#define SHOWN 3       /* attempts printed in full, per task */
#define MOST_ATTEMPTS 2000
#define RANDOM_LIMIT 10 /* part 2 gives up after this long: it never has, so far */

struct task {
    const char *name;           /* 任务1: "task1" */
    pthread_mutex_t *mine, *theirs;
    const char *mine_name, *theirs_name;
    bool random_backoff;        /* part 2 */
    struct dice dice;
    double start_gun, deadline; /* lesson times */
    int attempts;
    int failed;                 /* attempts that found the other's lock busy */
    double took_at[MOST_ATTEMPTS];  /* when it held its own lock, per attempt */
    double tried_at[MOST_ATTEMPTS]; /* when it tried the other's, per attempt */
    bool got_through[MOST_ATTEMPTS];
    double done_at;             /* when it finished its work, or -1 */
    double cpu_seconds;         /* the CPU time its thread used */
};

static struct task task1, task2;

static void task_init(struct task *t, const char *name, pthread_mutex_t *mine, const char *mine_name,
                      pthread_mutex_t *theirs, const char *theirs_name, bool random_backoff, double start_gun,
                      double deadline, unsigned long long stream)
{
    *t = (struct task){ .name = name, .mine = mine, .theirs = theirs, .mine_name = mine_name,
                        .theirs_name = theirs_name, .random_backoff = random_backoff, .dice = dice_for(stream),
                        .start_gun = start_gun, .deadline = deadline, .done_at = -1 };
}

/* One polite attempt: take mine, reach for theirs.  True if it got both. */
static bool attempt(struct task *t)
{
    pthread_mutex_lock(t->mine); /* free: the other only ever tries it */
    t->took_at[t->attempts] = lesson_now();
    lesson_sleep(REACH);
    t->tried_at[t->attempts] = lesson_now();
    bool both = pthread_mutex_trylock(t->theirs) == 0;
    t->got_through[t->attempts] = both;
    t->attempts++;
    if (both)
        return true;
    t->failed++;
    lesson_sleep(hesitate);      /* "after you" */
    pthread_mutex_unlock(t->mine); /* it gives way: 于是他就释放了资源1 */
    return false;
}

static void *polite_task(void *arg)
{
    struct task *t = arg;
    double next = t->start_gun;
    while (lesson_sleep_until(next) && lesson_now() < t->deadline && t->attempts < MOST_ATTEMPTS) {
        bool both = attempt(t);
        if (t->attempts <= SHOWN || both)
            say(t->name, "attempt %d: has %s; %s %s", t->attempts, t->mine_name, t->theirs_name,
                both ? _("free: has both") : _("busy: lets go"));
        if (both) {
            lesson_sleep(WORK); /* the work that needs both */
            t->done_at = lesson_now();
            say(t->name, "done, after %d attempts", t->attempts); /* said before the other can have both */
            pthread_mutex_unlock(t->theirs);
            pthread_mutex_unlock(t->mine);
            break;
        }
        if (t->random_backoff)
            next = lesson_now() + randint(&t->dice, 0, 600) / 1000.0; /* a random back-off */
        else
            next = t->start_gun + BEAT * t->attempts; /* the fixed back-off: to the next beat */
    }
    struct timespec cpu;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    t->cpu_seconds = (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
    return NULL;
}

/* Start both tasks from one start gun and join them.  1 if refused. */
static int run_both(bool random_backoff, double seconds)
{
    double gun = lesson_now() + 0.1; /* time enough to start both threads */
    task_init(&task1, "task1", &resource1, _("resource1"), &resource2, _("resource2"), random_backoff, gun, gun + seconds, 1);
    task_init(&task2, "task2", &resource2, _("resource2"), &resource1, _("resource1"), random_backoff, gun, gun + seconds, 2);
    struct team team;
    if (!team_init_together(&team, 2))
        return 1;
    if (team_start(&team, polite_task, &task1))
        team_start(&team, polite_task, &task2);
    team_join_all(&team);
    int status = team_report_refusal(&team);
    team_free(&team);
    return status;
}

static int progress(void)
{
    return (task1.done_at >= 0) + (task2.done_at >= 0);
}

/* -- part 1: the fixed back-off ------------------------------------------- */

static double seconds_option;

static int part_polite(void)
{
    say("main", "part 1: task1 and task2, each polite, for %g s", seconds_option);
    note("Each takes its own resource, holds it %g s while reaching for the other's, and if that is "
         "busy waits %g s, lets go and tries again on the next beat (every %g s), from one start gun.",
         REACH, hesitate, BEAT);
    if (run_both(false, seconds_option) != 0)
        return 1;
    if (lesson_stop_requested())
        return 0;

    /* Were they in step?  Attempt k of each is on beat k: both failed, and how far apart. */
    int rounds = task1.attempts < task2.attempts ? task1.attempts : task2.attempts;
    int in_step = 0;
    double max_skew = 0, max_take_skew = 0;
    for (int k = 0; k < rounds; k++) {
        double skew = task1.tried_at[k] - task2.tried_at[k];
        skew = skew < 0 ? -skew : skew;
        max_skew = skew > max_skew ? skew : max_skew;
        double take_skew = task1.took_at[k] - task2.took_at[k];
        take_skew = take_skew < 0 ? -take_skew : take_skew;
        max_take_skew = take_skew > max_take_skew ? take_skew : max_take_skew;
        in_step += !task1.got_through[k] && !task2.got_through[k];
    }
    say("main", "task1: %d attempts, %d found resource2 busy", task1.attempts, task1.failed);
    say("main", "task2: %d attempts, %d found resource1 busy", task2.attempts, task2.failed);
    say("main", "in step: %d of %d beats; they tried at most %.6f s apart", in_step, rounds, max_skew);
    int done = progress();
    if (done == 0 && in_step == rounds && rounds > 0) {
        note("A livelock: %d attempts in %g s, both busy all along, and neither got both resources. "
             "Nothing was blocked: each let go every time, and each found the other's resource held.",
             task1.attempts + task2.attempts, seconds_option);
        note("The seed says 活锁占CPU: livelocked threads keep running. These sleep while they reach "
             "and back off, so they cost little CPU (task1 %.4f s, task2 %.4f s, measured); tasks that "
             "retried at once, without a sleep, would keep a CPU busy (not shown here).", task1.cpu_seconds, task2.cpu_seconds);
    } else {
        note("Not a livelock this run: %d of %d beats in step, and %d task%s finished (task1 %s, task2 %s).",
             in_step, rounds, done, done == 1 ? "" : "s", task1.done_at >= 0 ? _("done") : _("not done"),
             task2.done_at >= 0 ? _("done") : _("not done"));
        if (max_skew > hesitate)
            note("They tried %.6f s apart, more than the %g s a task hesitates holding its lock: one "
                 "reached after the other had let go, and got through.", max_skew, hesitate);
        else if (max_take_skew > REACH)
            note("One took its own lock %.6f s after the other, more than the %g s the other reaches: "
                 "the other found it free, and got through.", max_take_skew, REACH);
    }
    result_at_end("part=polite livelock=%s progress=%d attempts1=%d attempts2=%d in_step=%d beats=%d "
                  "max_skew=%.6f seconds=%g",
                  done == 0 && in_step == rounds && rounds > 0 ? "yes" : "no", done, task1.attempts, task2.attempts,
                  in_step, rounds, max_skew, seconds_option);
    return 0;
}

/* -- part 2: a random back-off -------------------------------------------- */

static int part_random(void)
{
    say("main", "part 2: the same tasks, backing off a random 0 to 0.6 s");
    note("A random back-off should let their attempts drift apart, so that one reaches while the other has let go.");
    double began = lesson_now();
    if (run_both(true, RANDOM_LIMIT) != 0)
        return 1;
    if (lesson_stop_requested())
        return 0;
    double took = lesson_now() - began;
    int done = progress();
    say("main", "finished: %d of 2, task1 in %d attempts, task2 in %d, in %.3f s", done, task1.attempts,
        task2.attempts, took);
    if (done == 2)
        note("Both finished: a random back-off broke the step. Ethernet backs off the same way after "
             "a collision (a random number of slots).");
    else
        note("Not both finished within %d s this run: %d attempts found the other's resource busy.", RANDOM_LIMIT,
             task1.failed + task2.failed);
    result_at_end("part=random finished=%d attempts1=%d attempts2=%d failed=%d seconds=%.3f", done,
                  task1.attempts, task2.attempts, task1.failed + task2.failed, took);
    return 0;
}

static int livelock_run(void)
{
    seconds_option = option_real("seconds");
    hesitate = option_real("hesitate");
    static const struct lesson_part parts[] = { { "polite", part_polite }, { "random", part_random } };
    return RUN_PARTS(parts);
}

static const struct option_spec livelock_options[] = {
    OPTION_REAL("seconds", "2", 0.2, 60, "how long the polite part lets the tasks try, in lesson seconds"),
    OPTION_REAL("hesitate", "0.1", 0.001, 0.11, "how long a task, finding the other's lock busy, holds its own before it lets go"),
    OPTION_CHOICE("part", "all", "all|polite|random", "which part to run; all: in this order"),
    OPTIONS_END,
};

const struct lesson livelock_lesson = {
    .name = "livelock",
    .summary = N_("two polite tasks give way to each other for ever; a random back-off lets both finish"),
    .runs_for = { 2.4, 5 }, /* 2 s polite, then the random part: 2.4 to 4.9 s over 80 seeds at speeds 5 and 10, measured */
    .source = N_("seed 003 活锁"),
    .options = livelock_options,
    .results = "part=polite livelock progress attempts1 attempts2 in_step beats max_skew seconds; "
               "part=random finished attempts1 attempts2 failed seconds",
    .explanation = N_(
        "A livelock: threads that are all running, all busy, and none gets anywhere.\n"
        "Seed 003's story: task 1 locks resource 1, task 2 locks resource 2; each\n"
        "then needs the other's, finds it held, politely releases its own, and tries\n"
        "again -- at the same moment as the other, for ever.\n"
        "\n"
        "Part 1, polite: each task takes its own lock, holds it while it reaches for\n"
        "the other's with pthread_mutex_trylock(), and on EBUSY hesitates, lets go,\n"
        "and backs off to the next beat of a shared clock.  They start from one start\n"
        "gun.  The lesson counts the attempts and the tasks that finished (none), and\n"
        "measures whether they stayed in step: on each beat both failed, and how far\n"
        "apart they tried.  If they drifted apart and one got through, the\n"
        "transcript and the result say so (livelock=no).\n"
        "\n"
        "Part 2, random: the same tasks back off a random time (0 to 0.6 s) instead.\n"
        "Their attempts fall apart, one gets both resources, does its work and lets\n"
        "go, and then the other: both finish, in a measured time (the part gives up\n"
        "after 10 s, and says so).\n"),
    .run = livelock_run,
};
