#define _GNU_SOURCE /* pthread_attr_setaffinity_np, cpu_set_t */
/* Real-time scheduling for the lessons: see realtime.h. */
#include "realtime.h"

#include "clock.h"
#include "i18n.h"
#include "team.h"
#include "transcript.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int last_allowed_cpu(int *count)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    *count = 0;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return 0;
    int last = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &allowed)) {
            last = cpu;
            ++*count;
        }
    return last;
}

bool realtime_begin(struct realtime *rt, int main_priority, double most_seconds)
{
    memset(rt, 0, sizeof *rt);
    rt->cpu = last_allowed_cpu(&rt->cpus_allowed);
    struct sched_param param;
    pthread_getschedparam(pthread_self(), &rt->main_policy, &param);
    rt->main_priority = param.sched_priority;
    getrlimit(RLIMIT_RTTIME, &rt->rttime);
    struct rlimit safety = rt->rttime;
    rlim_t most = (rlim_t)(most_seconds * 1e6);
    if (safety.rlim_max == RLIM_INFINITY || safety.rlim_max > most)
        safety.rlim_cur = most; /* the soft limit only: it can be put back */
    setrlimit(RLIMIT_RTTIME, &safety);
    param.sched_priority = main_priority;
    int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    if (error != 0) {
        rt->error = error;
        rt->refused_priority = main_priority;
        snprintf(rt->refused, sizeof rt->refused, _("SCHED_FIFO at priority %d for the main thread (%s)"),
                 main_priority, strerror(error));
        setrlimit(RLIMIT_RTTIME, &rt->rttime);
        return false;
    }
    rt->began = true;
    return true;
}

int realtime_start(struct realtime *rt, pthread_t *thread, void *(*fn)(void *), void *arg, int priority)
{
    pthread_attr_t attr;
    small_stack_attr(&attr);
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    struct sched_param param = { .sched_priority = priority };
    pthread_attr_setschedparam(&attr, &param);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(rt->cpu, &one);
    pthread_attr_setaffinity_np(&attr, sizeof one, &one);
    int error = pthread_create(thread, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    if (error != 0) {
        rt->error = error;
        rt->refused_priority = priority;
        snprintf(rt->refused, sizeof rt->refused, _("a SCHED_FIFO thread at priority %d on CPU %d (%s)"), priority,
                 rt->cpu, strerror(error));
    }
    return error;
}

void realtime_end(struct realtime *rt)
{
    if (rt->began) {
        struct sched_param param = { .sched_priority = rt->main_priority };
        pthread_setschedparam(pthread_self(), rt->main_policy, &param);
        setrlimit(RLIMIT_RTTIME, &rt->rttime);
        rt->began = false;
    }
}

const char *realtime_error_name(int error)
{
    switch (error) {
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    default: return "other";
    }
}

void realtime_say_how_to_allow(const struct realtime *rt)
{
    struct rlimit rtprio = { 0, 0 };
    getrlimit(RLIMIT_RTPRIO, &rtprio);
    note("The system refused %s.", rt->refused);
    if (rt->error == EPERM) {
        char limit[32];
        if (rtprio.rlim_cur == RLIM_INFINITY)
            snprintf(limit, sizeof limit, "%s", _("unlimited"));
        else
            snprintf(limit, sizeof limit, "%lu", (unsigned long)rtprio.rlim_cur);
        note("Real-time priorities need CAP_SYS_NICE (root has it), or RLIMIT_RTPRIO at least the "
             "priority asked; here `ulimit -r` is %s. To allow it: run as root, or raise the limit "
             "for this shell (sudo prlimit --rtprio=99 --pid $$), or for a user in "
             "/etc/security/limits.conf (USER - rtprio 99).",
             limit);
    }
    note("This part is skipped; the others run as they did.");
}

static double thread_cpu_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

double realtime_work_cpu(double seconds, double most_real)
{
    double cpu_began = thread_cpu_now(), real_until = real_now() + most_real;
    double used = 0;
    while (used < seconds && real_now() < real_until && !lesson_stop_requested())
        used = thread_cpu_now() - cpu_began;
    return used;
}

void realtime_spin(double seconds)
{
    double until = real_now() + seconds;
    while (real_now() < until && !lesson_stop_requested())
        continue;
}

bool realtime_under_valgrind(void)
{
#ifdef RUNNING_ON_VALGRIND
    if (RUNNING_ON_VALGRIND)
        return true;
#endif
    FILE *maps = fopen("/proc/self/maps", "r"); /* valgrind preloads its vgpreload_*.so */
    char line[512];
    bool found = false;
    while (maps && !found && fgets(line, sizeof line, maps))
        found = strstr(line, "vgpreload") != NULL;
    if (maps)
        fclose(maps);
    return found;
}
