#include "connection.h"

#include "refusal.h"

#include <errno.h>
#include <limits.h>
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
