#define _GNU_SOURCE /* pipe2 */
#include "step.h"

#include "clock.h"
#include "wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tty = -1;
static int wake[2] = { -1, -1 };   /* a stop (Ctrl-C) wakes a pause through it */
static pid_t stepping_pid;         /* forked children never pause */
static pthread_mutex_t step_lock = PTHREAD_MUTEX_INITIALIZER; /* one pause at a time */
static bool quit;

static void wake_pause(void)
{
    char byte = 1;
    ssize_t ignored = write(wake[1], &byte, 1);
    (void)ignored;
}

int step_open(void)
{
    tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (tty < 0)
        return errno;
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        int error = errno;
        close(tty);
        tty = -1;
        return error;
    }
    stepping_pid = getpid();
    clock_on_stop(wake_pause);
    static const char hello[] = "[--step: the lesson pauses after each event; Enter goes on, q then Enter quits.\n"
                                "Lesson time runs on while it waits, so the times shown include the pauses.]";
    char *wrapped = wrap_line(hello, 0, 1, output_width());
    const char *shown = wrapped ? wrapped : hello;
    ssize_t ignored = write(tty, shown, strlen(shown));
    ignored = write(tty, "\n", 1);
    (void)ignored;
    free(wrapped);
    return 0;
}

bool stepping(void)
{
    return tty >= 0 && getpid() == stepping_pid;
}

void step_enter(void)
{
    if (stepping())
        pthread_mutex_lock(&step_lock); /* the others wait here, before their next line */
}

void step_pause_and_leave(void)
{
    if (!stepping())
        return;
    while (!quit && !lesson_stop_requested()) {
        char line[64];
        ssize_t n = tty_read(tty, wake[0], line, sizeof line);
        if (n == TTY_WOKEN)
            break; /* a stop */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* the terminal went away: run on without pausing */
            quit = true;
            break;
        }
        if (memchr(line, 'q', (size_t)n)) {
            quit = true;
            clock_request_stop(STOP_QUIT);
            break;
        }
        if (memchr(line, '\n', (size_t)n))
            break; /* Enter: the next event */
    }
    pthread_mutex_unlock(&step_lock);
}

ssize_t tty_read(int tty, int wake, char *buf, size_t size)
{
    struct pollfd fds[2] = { { .fd = tty, .events = POLLIN }, { .fd = wake, .events = POLLIN } };
    if (poll(fds, wake >= 0 ? 2 : 1, -1) < 0)
        return -1;
    if (wake >= 0 && fds[1].revents)
        return TTY_WOKEN;
    return read(tty, buf, size);
}

void step_close(void)
{
    if (tty < 0)
        return;
    clock_forget_stop(wake_pause);
    close(tty);
    close(wake[0]);
    close(wake[1]);
    tty = -1;
}
