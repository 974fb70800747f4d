/* The floor for `concdemo race` and `concdemo mutex`: the least a program can
 * do and still start 20000 threads before joining any, each adding 1 to an
 * int -- the same stack size as concdemo's threads, no transcript, no
 * evidence.  Prints its wall time in seconds.
 *
 *   bench/floor [threads] [lock|yield|plain]
 *
 * And the floors for the pool lesson's "one per task": N tiny tasks, each in
 * a new thread (pthread_create+join) or a new process (fork+waitpid), W at
 * a time, the oldest joined before the next starts.
 *
 *   bench/floor N thread-per-task W
 *   bench/floor N process-per-task W
 *
 * And the floors for the process lesson's start part: N starts of one kind,
 * one at a time, each waited for before the next; the exec'd program is
 * this one, run as `bench/floor __exit`, which exits at once.
 *
 *   bench/floor N start thread|fork|fork-exec|posix-spawn
 *
 * And the floor for the starvation lesson's contest: for SECONDS, 4 threads
 * take one lock (a pthread mutex, or the lesson's ticket lock) and hold it
 * 10 us busy; t-1 asks again at once, the others step away 20 us first.
 * No counting of overtakes, no transcript.  Prints turns a second.
 *
 *   bench/floor SECONDS contest mutex|ticket */
#include <pthread.h>
#include <spawn.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../demos/primitives/ticket_lock.h"

static volatile int num;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int mode; /* 0 plain, 1 yield, 2 lock */

static void *add_one(void *unused)
{
    (void)unused;
    if (mode == 2)
        pthread_mutex_lock(&lock);
    int seen = num;
    if (mode >= 1)
        sched_yield();
    num = seen + 1;
    if (mode == 2)
        pthread_mutex_unlock(&lock);
    return NULL;
}

static double seconds_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void *tiny_task(void *arg)
{
    long *value = arg;
    *value += 100;
    return NULL;
}

/* N tasks, a new thread or process each, at most `window` alive. */
static int per_task(long tasks, bool processes, int window)
{
    pthread_t threads[64];
    pid_t pids[64];
    long values[64];
    if (window < 1 || window > 64)
        return 1;
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < tasks; i++) {
        int slot = (int)(i % window);
        if (i >= window) {
            if (processes)
                waitpid(pids[slot], NULL, 0);
            else
                pthread_join(threads[slot], NULL);
        }
        values[slot] = i;
        if (processes) {
            pids[slot] = fork();
            if (pids[slot] == 0)
                _exit((int)(values[slot] + 100) & 1);
            if (pids[slot] < 0)
                return 1;
        } else if (pthread_create(&threads[slot], NULL, tiny_task, &values[slot]) != 0)
            return 1;
    }
    for (long i = tasks - window < 0 ? 0 : tasks - window; i < tasks; i++) {
        if (processes)
            waitpid(pids[i % window], NULL, 0);
        else
            pthread_join(threads[i % window], NULL);
    }
    printf("%.6f\n", seconds_since(&a));
    return 0;
}

extern char **environ;

/* N starts of one kind, one at a time; the exec'd program is this one. */
static int starts(long n, const char *kind)
{
    char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        return 1;
    self[length] = '\0';
    char *const argv[] = { "floor", "__exit", NULL };
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        pid_t pid = -1;
        if (strcmp(kind, "thread") == 0) {
            pthread_t t;
            if (pthread_create(&t, NULL, tiny_task, &(long){ 0 }) != 0)
                return 1;
            pthread_join(t, NULL);
            continue;
        } else if (strcmp(kind, "fork") == 0) {
            pid = fork();
            if (pid == 0)
                _exit(0);
        } else if (strcmp(kind, "fork-exec") == 0) {
            pid = fork();
            if (pid == 0) {
                execv(self, argv);
                _exit(127);
            }
        } else if (strcmp(kind, "posix-spawn") == 0) {
            if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0)
                return 1;
        } else {
            return 1;
        }
        if (pid < 0)
            return 1;
        waitpid(pid, NULL, 0);
    }
    printf("%.6f\n", seconds_since(&a));
    return 0;
}

static struct ticket_lock ticket;
static bool contest_fair;
static atomic_bool contest_stop;
static long contest_turns[4];

static void busy_us(double us)
{
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    while (seconds_since(&a) < us / 1e6)
        continue;
}

static void *contender(void *arg)
{
    long i = (long)arg;
    while (!atomic_load_explicit(&contest_stop, memory_order_relaxed)) {
        if (contest_fair)
            ticket_lock(&ticket);
        else
            pthread_mutex_lock(&lock);
        contest_turns[i]++;
        busy_us(10);
        if (contest_fair)
            ticket_unlock(&ticket);
        else
            pthread_mutex_unlock(&lock);
        if (i > 0)
            busy_us(20);
    }
    return NULL;
}

static int contest(double seconds, const char *which)
{
    contest_fair = strcmp(which, "ticket") == 0;
    ticket_lock_init(&ticket);
    pthread_t ids[4];
    for (long i = 0; i < 4; i++)
        if (pthread_create(&ids[i], NULL, contender, (void *)i) != 0)
            return 1;
    struct timespec pause = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    nanosleep(&pause, NULL);
    atomic_store(&contest_stop, true);
    long total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(ids[i], NULL);
        total += contest_turns[i];
    }
    ticket_lock_destroy(&ticket);
    printf("%.0f\n", (double)total / seconds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 3 && strcmp(argv[2], "contest") == 0)
        return contest(atof(argv[1]), argv[3]);
    if (argc == 2 && strcmp(argv[1], "__exit") == 0)
        return 0;
    if (argc > 3 && strcmp(argv[2], "start") == 0)
        return starts(atol(argv[1]), argv[3]);
    long threads = argc > 1 ? atol(argv[1]) : 20000;
    if (argc > 3 && strcmp(argv[2], "thread-per-task") == 0)
        return per_task(threads, false, atoi(argv[3]));
    if (argc > 3 && strcmp(argv[2], "process-per-task") == 0)
        return per_task(threads, true, atoi(argv[3]));
    if (argc > 2)
        mode = strcmp(argv[2], "lock") == 0 ? 2 : strcmp(argv[2], "yield") == 0 ? 1 : 0;
    pthread_t *ids = malloc((size_t)threads * sizeof *ids);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < threads; i++)
        if (pthread_create(&ids[i], &attr, add_one, NULL) != 0)
            return 1;
    for (long i = 0; i < threads; i++)
        pthread_join(ids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    free(ids);
    return num > 0 ? 0 : 1;
}
