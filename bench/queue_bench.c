/* Items per second through the queue and pipe lessons' own code, and the
 * floor beside them: a bare one-byte ping-pong between two processes over
 * two pipes.  Prints the wall time, in seconds, of moving N items.
 *
 *   bench/queue_bench threads P C N   P producer and C consumer threads,
 *                                     N items in all, demos/primitives/blocking_queue.c
 *   bench/queue_bench processes N     a producer process and the parent as
 *                                     consumer, the same queue in shared memory
 *   bench/queue_bench mpqueue N       the same two, through multiprocessing's
 *                                     Queue: a pipe and a feeder thread,
 *                                     demos/primitives/process_queue.c
 *   bench/queue_bench pipe N          framed struct messages from a child
 *                                     to the parent, as pipe.c's send/recv
 *   bench/queue_bench pingpong N      N one-byte round trips: the floor */
#include "blocking_queue.h"
#include "clock.h"
#include "process_queue.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { QUEUE_SIZE = 32 };

static struct queue *q;
static long per_producer, per_consumer;

static void *producer(void *unused)
{
    (void)unused;
    struct message item = message_list();
    message_add_int(&item, 0);
    for (long k = 0; k < per_producer; k++) {
        item.values[0].number = k;
        queue_put(q, &item, WAIT_FOREVER);
    }
    return NULL;
}

static void *consumer(void *unused)
{
    (void)unused;
    struct message item;
    for (long k = 0; k < per_consumer; k++)
        queue_get(q, &item, WAIT_FOREVER);
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int threads(int producers, int consumers, long items)
{
    q = queue_new(QUEUE_SIZE, false);
    per_producer = items / producers;
    per_consumer = per_producer * producers / consumers; /* the caller makes these divide */
    pthread_t t[64];
    int n = 0;
    for (int i = 0; i < consumers; i++)
        pthread_create(&t[n++], NULL, consumer, NULL);
    for (int i = 0; i < producers; i++)
        pthread_create(&t[n++], NULL, producer, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    queue_free(q);
    return 0;
}

static int processes(long items)
{
    q = queue_new(QUEUE_SIZE, true);
    per_producer = per_consumer = items;
    pid_t pid = fork();
    if (pid == 0) {
        producer(NULL);
        _exit(0);
    }
    consumer(NULL);
    waitpid(pid, NULL, 0);
    queue_free(q);
    return 0;
}

/* Through multiprocessing's Queue: the child's put()s go to its buffer, and
 * its feeder thread writes them; the child ends once the feeder has. */
static int mpqueue(long items)
{
    struct process_queue *mq = process_queue_new();
    if (!mq)
        return 1;
    struct message item = message_list();
    message_add_int(&item, 0);
    pid_t pid = fork();
    if (pid == 0) {
        for (long k = 0; k < items; k++) {
            item.values[0].number = k;
            process_queue_put(mq, &item, sizeof item);
        }
        process_queue_close(mq);
        process_queue_join_thread(mq);
        _exit(0);
    }
    for (long k = 0; k < items; k++)
        process_queue_get(mq, &item, sizeof item, NULL, WAIT_FOREVER);
    waitpid(pid, NULL, 0);
    process_queue_free(mq);
    return 0;
}

/* Diagnostics of the engine's refusal lines name the program. */
const char *lesson_who(void)
{
    return "queue_bench";
}

static void full(int fd, void *buf, size_t n, bool writing)
{
    for (char *p = buf; n > 0;) {
        ssize_t done = writing ? write(fd, p, n) : read(fd, p, n);
        if (done <= 0)
            exit(1);
        p += done;
        n -= (size_t)done;
    }
}

static int pipe_messages(long items)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) { /* send(): the length, then the message, in one write */
        close(fds[0]);
        struct message m = message_list();
        message_add_int(&m, 0);
        char frame[sizeof(uint32_t) + sizeof m];
        uint32_t n = sizeof m;
        for (long k = 0; k < items; k++) {
            m.values[0].number = k;
            memcpy(frame, &n, sizeof n);
            memcpy(frame + sizeof n, &m, sizeof m);
            full(fds[1], frame, sizeof frame, true);
        }
        _exit(0);
    }
    close(fds[1]);
    for (long k = 0; k < items; k++) { /* recv(): the length, then that many bytes */
        uint32_t n;
        struct message m;
        full(fds[0], &n, sizeof n, false);
        full(fds[0], &m, n, false);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

static int pingpong(long items)
{
    int there[2], back[2];
    if (pipe(there) != 0 || pipe(back) != 0)
        return 1;
    pid_t pid = fork();
    char byte = 0;
    if (pid == 0) {
        for (long k = 0; k < items; k++) {
            full(there[0], &byte, 1, false);
            full(back[1], &byte, 1, true);
        }
        _exit(0);
    }
    for (long k = 0; k < items; k++) {
        full(there[1], &byte, 1, true);
        full(back[0], &byte, 1, false);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

int main(int argc, char **argv)
{
    clock_start(1);
    double began = now();
    int rc = 2;
    if (argc == 5 && strcmp(argv[1], "threads") == 0)
        rc = threads(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
    else if (argc == 3 && strcmp(argv[1], "processes") == 0)
        rc = processes(atol(argv[2]));
    else if (argc == 3 && strcmp(argv[1], "mpqueue") == 0)
        rc = mpqueue(atol(argv[2]));
    else if (argc == 3 && strcmp(argv[1], "pipe") == 0)
        rc = pipe_messages(atol(argv[2]));
    else if (argc == 3 && strcmp(argv[1], "pingpong") == 0)
        rc = pingpong(atol(argv[2]));
    else
        fprintf(stderr, "usage: queue_bench threads P C N | processes N | mpqueue N | pipe N | pingpong N\n");
    if (rc == 0)
        printf("%.6f\n", now() - began);
    return rc;
}
