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
 *   bench/floor N process-per-task W */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
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
