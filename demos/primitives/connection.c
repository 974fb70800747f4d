#include "connection.h"

#include "clock.h"
#include "refusal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool Pipe(bool duplex, struct connection *a, struct connection *b)
{
    int fds[2];
    if ((duplex ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) != 0) {
        report_no_descriptor(duplex ? "a socketpair" : "a pipe", errno);
        return false;
    }
    a->fd = fds[0];
    b->fd = fds[1];
    return true;
}

void conn_close(struct connection *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

bool write_all(int fd, const void *bytes, size_t n)
{
    for (const char *p = bytes; n > 0;) {
        ssize_t done = write(fd, p, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false; /* errno: EPIPE when no reader is left */
        p += done;
        n -= (size_t)done;
    }
    return true;
}

bool read_all(int fd, void *bytes, size_t n)
{
    for (char *p = bytes; n > 0;) {
        ssize_t done = read(fd, p, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0) {
            if (done == 0)
                errno = 0; /* end of file: every writer closed its end */
            return false;
        }
        p += done;
        n -= (size_t)done;
    }
    return true;
}

/* The length, then the message, in one write: on a pipe, a message of up
 * to PIPE_BUF bytes then never mixes with another writer's. */
bool conn_send(struct connection *c, const void *bytes, uint32_t n)
{
    char frame[PIPE_BUF];
    if (n > sizeof frame - sizeof n) {
        errno = EMSGSIZE;
        return false;
    }
    memcpy(frame, &n, sizeof n);
    memcpy(frame + sizeof n, bytes, n);
    return write_all(c->fd, frame, sizeof n + n);
}

/* Read a length, then exactly that many bytes. */
long conn_recv(struct connection *c, void *bytes, uint32_t room)
{
    uint32_t n;
    if (!read_all(c->fd, &n, sizeof n))
        return -1;
    if (n > room) {
        errno = EMSGSIZE;
        return -1;
    }
    return read_all(c->fd, bytes, n) ? (long)n : -1;
}

/* Wait until fd is ready for `events` or `until` (NULL: no limit) has
 * passed, in slices of at most 50 ms so that a stop ends the wait too.
 * Returns 1 when ready, 0 when the time is up, -1 with errno ECANCELED at a
 * stop (or the error poll gave). */
static int wait_ready(int fd, short events, const struct timespec *until)
{
    for (;;) {
        if (lesson_stop_requested()) {
            errno = ECANCELED;
            return -1;
        }
        int slice_ms = 50;
        if (until) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double left_ms = (double)(until->tv_sec - now.tv_sec) * 1e3 + (double)(until->tv_nsec - now.tv_nsec) / 1e6;
            if (left_ms < slice_ms)
                slice_ms = left_ms > 0 ? (int)left_ms + 1 : 0;
        }
        struct pollfd p = { .fd = fd, .events = events };
        int rc = poll(&p, 1, slice_ms);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc == 0 && slice_ms < 50) /* the last slice: the time is up */
            return 0;
    }
}

/* All n bytes: whatever the pipe takes, then a wait for room, and again. */
static bool send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t done = write(fd, p, n);
        if (done > 0) {
            p += done;
            n -= (size_t)done;
        } else if (done < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_ready(fd, POLLOUT, NULL) < 0)
                return false;
        } else if (!(done < 0 && errno == EINTR)) {
            return false; /* errno: EPIPE when no reader is left */
        }
    }
    return true;
}

/* All n bytes: whatever the pipe has, then a wait for more, and again. */
static bool receive_all(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t done = read(fd, p, n);
        if (done > 0) {
            p += done;
            n -= (size_t)done;
        } else if (done == 0) {
            errno = 0; /* end of file: every writer closed its end */
            return false;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_ready(fd, POLLIN, NULL) < 0)
                return false;
        } else if (errno != EINTR) {
            return false;
        }
    }
    return true;
}

bool conn_send_bytes(struct connection *c, const void *bytes, uint32_t n)
{
    char frame[PIPE_BUF];
    if (n <= sizeof frame - sizeof n) { /* one write: whole, never mixed with another */
        memcpy(frame, &n, sizeof n);
        memcpy(frame + sizeof n, bytes, n);
        return send_all(c->fd, frame, sizeof n + n);
    }
    return send_all(c->fd, (const char *)&n, sizeof n) && send_all(c->fd, bytes, n);
}

long conn_recv_bytes(struct connection *c, void *bytes, uint32_t room)
{
    uint32_t n;
    if (!receive_all(c->fd, (char *)&n, sizeof n))
        return -1;
    if (n > room) {
        errno = EMSGSIZE;
        return -1;
    }
    return receive_all(c->fd, bytes, n) ? (long)n : -1;
}

bool conn_poll(struct connection *c, double seconds)
{
    struct timespec until = lesson_timeout(seconds > 0 ? seconds : 0, CLOCK_MONOTONIC);
    return wait_ready(c->fd, POLLIN, seconds < 0 ? NULL : &until) == 1;
}
