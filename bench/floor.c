/* The floor for `concdemo race` and `concdemo mutex`: the least a program can
 * do and still start 20000 threads before joining any, each adding 1 to an
 * int -- the same stack size as concdemo's threads, no transcript, no
 * evidence.  Prints its wall time in seconds.
 *
 *   bench/floor [threads] [lock|yield|plain] */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv)
{
    long threads = argc > 1 ? atol(argv[1]) : 20000;
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
