#include "team.h"

#include "clock.h"
#include "lesson.h"
#include "sanitizer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* Lesson threads do little; a small stack lets tens of thousands coexist. */
enum { TEAM_STACK_BYTES = 128 * 1024 };

void small_stack_attr(pthread_attr_t *attr)
{
    pthread_attr_init(attr);
    pthread_attr_setstacksize(attr, TEAM_STACK_BYTES);
}

static long read_proc_long(const char *path, long fallback)
{
    FILE *f = fopen(path, "r");
    long v = fallback;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = fallback;
        fclose(f);
    }
    return v;
}

/* The most threads this process should keep alive at once, and why. */
static long alive_limit(const char **why)
{
    long limit = read_proc_long("/proc/sys/kernel/pid_max", 32768) * 9 / 10;
    *why = _("kernel.pid_max, less a tenth left for other processes");
    long maps = read_proc_long("/proc/sys/vm/max_map_count", 65530) / 2 - 1000;
    if (maps < limit) {
        limit = maps;
        *why = _("vm.max_map_count: each thread's stack takes two memory mappings");
    }
#ifdef CONCDEMO_TSAN
    /* ThreadSanitizer (make SANITIZE=thread) dies past 8128 threads, and
     * maps more for each: it ran out of mappings near 9000. */
    maps = read_proc_long("/proc/sys/vm/max_map_count", 65530) / 8 - 1000;
    if (maps < limit) {
        limit = maps;
        *why = _("vm.max_map_count: under ThreadSanitizer each thread takes about eight memory mappings");
    }
    if (TSAN_MOST_THREADS < limit) {
        limit = TSAN_MOST_THREADS;
        *why = _("ThreadSanitizer's 8128 threads, less some for its own");
    }
#endif
    long threads_max = read_proc_long("/proc/sys/kernel/threads-max", 1L << 30) * 9 / 10;
    if (threads_max < limit) {
        limit = threads_max;
        *why = "kernel.threads-max";
    }
    struct rlimit nproc;
    if (getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY && (long)nproc.rlim_cur - 16 < limit) {
        limit = (long)nproc.rlim_cur - 16;
        *why = _("ulimit -u (max user processes), less a few for the rest of your session");
    }
    return limit < 1 ? 1 : limit;
}

bool team_init(struct team *team, long capacity)
{
    memset(team, 0, sizeof *team);
    team->threads = calloc((size_t)capacity, sizeof *team->threads);
    if (!team->threads) {
        report_no_memory(N_("ask for fewer"), "%ld threads", capacity);
        return false;
    }
    team->capacity = capacity;
    team->max_alive = alive_limit(&team->limit_reason);
    small_stack_attr(&team->attr);
    return true;
}

bool team_init_together(struct team *team, long capacity)
{
    if (!team_init(team, capacity))
        return false;
    team->together = true;
    return true;
}

void team_limit_alive(struct team *team, long most)
{
    if (most < team->max_alive) {
        team->max_alive = most;
        team->limit_reason = NULL; /* the lesson's choice, not a limit to announce */
    }
}

static void join_oldest(struct team *team)
{
    pthread_join(team->threads[team->joined], NULL);
    team->joined++;
}

bool team_start(struct team *team, void *(*fn)(void *), void *arg)
{
    if (lesson_stop_requested() || team->started == team->capacity)
        return false;
    for (;;) {
        long alive = team->started - team->joined;
        if (team->together && alive >= team->max_alive) {
            team->refused = EAGAIN; /* no window: they may be waiting for each other */
            team->refused_by_estimate = true;
            team->alive_at_refusal = alive;
            return false;
        }
        if (alive >= team->max_alive) {
            if (team->joined == 0 && team->limit_reason) {
                char threads[48]; /* "5 threads": the count and its noun, in the reader's language */
                snprintf(threads, sizeof threads, translate_plural("%ld thread", "%ld threads", (unsigned long)team->max_alive),
                         team->max_alive);
                say("main", "%s started and not yet joined: the most this system should have", threads);
                note("The limit is %s.", team->limit_reason);
                note("So each new thread now waits for the oldest to be joined: a rolling window.");
            }
            join_oldest(team);
        }
        int rc = pthread_create(&team->threads[team->started], &team->attr, fn, arg);
        if (rc == 0)
            break;
        alive = team->started - team->joined;
        if ((rc != EAGAIN && rc != ENOMEM) || alive == 0 || team->together) {
            team->refused = rc;
            team->alive_at_refusal = alive;
            return false;
        }
        /* The system said no before our own estimate did: that is the limit. */
        say("main", "the system refused thread %ld (%s) with %ld alive", team->started, strerror(rc), alive);
        note("From here on, the oldest thread is joined before the next starts: at most %ld alive.", alive);
        team->max_alive = alive;
        team->limit_reason = NULL; /* said already */
    }
    team->started++;
    if (team->started - team->joined > team->peak_alive)
        team->peak_alive = team->started - team->joined;
    return true;
}

bool team_join_next(struct team *team)
{
    if (team->joined == team->started)
        return false;
    join_oldest(team);
    return true;
}

void team_join_all(struct team *team)
{
    while (team->joined < team->started)
        join_oldest(team);
}

void report_thread_refusal(int error, long alive)
{
    /* pthread_create says EAGAIN both for too many threads and for no memory
     * for a stack, so name every limit that is set. */
    char limits[160] = "";
    struct rlimit lim;
    if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        snprintf(limits, sizeof limits, _("ulimit -v is %llu KB; "), (unsigned long long)lim.rlim_cur / 1024);
    if (getrlimit(RLIMIT_NPROC, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        snprintf(limits + strlen(limits), sizeof limits - strlen(limits), _("ulimit -u is %llu; "),
                 (unsigned long long)lim.rlim_cur);
    char running[64];
    snprintf(running, sizeof running, "%s", _("with none running"));
    if (alive > 0)
        snprintf(running, sizeof running, _("with %ld running"), alive);
    fprintf(stderr, _("%s: the system refused to start a thread (%s) %s; %sraise the limits, or free memory\n"),
            lesson_who(), strerror(error), running, limits);
}

int team_report_refusal(struct team *team)
{
    if (!team->refused)
        return 0;
    if (team->refused_by_estimate)
        fprintf(stderr,
                translate_plural("%s: %ld thread alive at once is the most this system should have (%s); these threads "
                                 "wait on one another, so none is joined early: ask for fewer, or raise the limit\n",
                                 "%s: %ld threads alive at once is the most this system should have (%s); these threads "
                                 "wait on one another, so none is joined early: ask for fewer, or raise the limit\n",
                                 (unsigned long)team->max_alive),
                lesson_who(), team->max_alive, team->limit_reason ? team->limit_reason : _("its limits"));
    else
        report_thread_refusal(team->refused, team->alive_at_refusal);
    return 1;
}

void team_free(struct team *team)
{
    pthread_attr_destroy(&team->attr);
    free(team->threads);
    team->threads = NULL;
}
