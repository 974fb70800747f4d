#define _GNU_SOURCE /* mkdtemp(), accept4(), strnlen() */
#include "manager_server.h"

#include "hmac_md5.h"
#include "lesson.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Python 3.11, Lib/multiprocessing/connection.py */
#define CHALLENGE "#CHALLENGE#"
#define WELCOME "#WELCOME#"
#define FAILURE "#FAILURE#"
enum { MESSAGE_LENGTH = 20, CHALLENGE_LEN = sizeof CHALLENGE - 1 };

/* -- frames: a 4-byte big-endian length, then the bytes -------------------- */

static bool send_all(int fd, const void *bytes, size_t n)
{
    for (const char *p = bytes; n > 0;) {
        ssize_t done = send(fd, p, n, MSG_NOSIGNAL); /* a closed peer: EPIPE, not SIGPIPE */
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false;
        p += done;
        n -= (size_t)done;
    }
    return true;
}

/* Wait until fd has bytes, a tenth of a second at a time: false once the
 * lesson is asked to stop.  A connection the kernel completed just as the
 * server was killed can be left open with no one at the other end and no
 * reset sent (seen here, 1 run in 60 beside two CPU hogs): a plain recv()
 * would then wait for ever. */
static bool readable_unless_stopped(int fd)
{
    struct pollfd ready = { .fd = fd, .events = POLLIN };
    for (;;) {
        int n = poll(&ready, 1, 100);
        if (n > 0)
            return true;
        if (n < 0 && errno != EINTR)
            return false;
        if (lesson_stop_requested())
            return false;
    }
}

static bool recv_all(int fd, void *bytes, size_t n)
{
    for (char *p = bytes; n > 0;) {
        ssize_t done = recv(fd, p, n, MSG_DONTWAIT);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!readable_unless_stopped(fd))
                return false;
            continue;
        }
        if (done <= 0)
            return false;
        p += done;
        n -= (size_t)done;
    }
    return true;
}

bool frame_send(int fd, const void *bytes, uint32_t n)
{
    unsigned char frame[4 + MANAGER_FRAME_MAX];
    if (n > MANAGER_FRAME_MAX)
        return false;
    frame[0] = (unsigned char)(n >> 24);
    frame[1] = (unsigned char)(n >> 16);
    frame[2] = (unsigned char)(n >> 8);
    frame[3] = (unsigned char)n;
    memcpy(frame + 4, bytes, n);
    return send_all(fd, frame, 4 + n); /* one send: length and bytes together */
}

long frame_recv(int fd, void *bytes, size_t room)
{
    unsigned char length[4];
    if (!recv_all(fd, length, 4))
        return -1;
    uint32_t n = (uint32_t)length[0] << 24 | (uint32_t)length[1] << 16 | (uint32_t)length[2] << 8 | length[3];
    if (n > room)
        return -1;
    return recv_all(fd, bytes, n) ? (long)n : -1;
}

/* -- the challenge, both ways, as Python's Client and Listener -------------- */

static void digest_of(const char *authkey, const unsigned char *message, unsigned char digest[MD5_DIGEST_BYTES])
{
    hmac_md5(authkey, strlen(authkey), message, MESSAGE_LENGTH, digest);
}

/* answer_challenge(): read '#CHALLENGE#' + 20 bytes, send their HMAC, read
 * '#WELCOME#'. */
static enum proxy_status answer_challenge(int fd, const char *authkey)
{
    unsigned char message[MANAGER_AUTH_FRAME_MAX], digest[MD5_DIGEST_BYTES];
    long n = frame_recv(fd, message, sizeof message);
    if (n != CHALLENGE_LEN + MESSAGE_LENGTH || memcmp(message, CHALLENGE, CHALLENGE_LEN) != 0)
        return PROXY_FAILED;
    digest_of(authkey, message + CHALLENGE_LEN, digest);
    if (!frame_send(fd, digest, sizeof digest))
        return PROXY_FAILED;
    n = frame_recv(fd, message, sizeof message);
    if (n == sizeof WELCOME - 1 && memcmp(message, WELCOME, (size_t)n) == 0)
        return PROXY_OK;
    return n == sizeof FAILURE - 1 && memcmp(message, FAILURE, (size_t)n) == 0 ? PROXY_REFUSED : PROXY_FAILED;
}

/* deliver_challenge(), the client's half: send a challenge, check the answer. */
static enum proxy_status deliver_challenge(int fd, const char *authkey)
{
    unsigned char challenge[CHALLENGE_LEN + MESSAGE_LENGTH], answer[MANAGER_AUTH_FRAME_MAX], digest[MD5_DIGEST_BYTES];
    memcpy(challenge, CHALLENGE, CHALLENGE_LEN);
    if (getrandom(challenge + CHALLENGE_LEN, MESSAGE_LENGTH, 0) != MESSAGE_LENGTH)
        return PROXY_FAILED;
    if (!frame_send(fd, challenge, sizeof challenge))
        return PROXY_FAILED;
    long n = frame_recv(fd, answer, sizeof answer);
    digest_of(authkey, challenge + CHALLENGE_LEN, digest);
    bool good = n == MD5_DIGEST_BYTES && memcmp(answer, digest, sizeof digest) == 0;
    frame_send(fd, good ? WELCOME : FAILURE, good ? sizeof WELCOME - 1 : sizeof FAILURE - 1);
    return good ? PROXY_OK : PROXY_REFUSED;
}

/* -- the proxy's side -------------------------------------------------------- */

static int open_socket(const struct manager_address *a, bool listening)
{
    int fd = socket(a->tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)a->port) };
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(un.sun_path, sizeof un.sun_path, "%s", a->path);
    struct sockaddr *sa = a->tcp ? (struct sockaddr *)&in : (struct sockaddr *)&un;
    socklen_t len = a->tcp ? sizeof in : sizeof un;
    if (a->tcp) /* each frame goes at once: Nagle's wait for an ACK cost 40 ms a request */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    int rc = listening ? bind(fd, sa, len) : connect(fd, sa, len);
    if (rc == 0 && listening)
        rc = listen(fd, 64);
    if (rc != 0) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

int manager_dial(const struct manager_address *a)
{
    return open_socket(a, false);
}

enum proxy_status proxy_connect(struct proxy *p, const struct manager_address *a, const char *authkey)
{
    p->fd = open_socket(a, false);
    if (p->fd < 0)
        return PROXY_FAILED;
    enum proxy_status status = answer_challenge(p->fd, authkey); /* Client(): answer first, */
    if (status == PROXY_OK)
        status = deliver_challenge(p->fd, authkey); /* then challenge the server */
    if (status != PROXY_OK)
        proxy_close(p);
    return status;
}

void proxy_close(struct proxy *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

/* A request: the op, then each field as a 2-byte length and its bytes. */
bool proxy_call(struct proxy *p, char op, const char *const *fields, int count, char *reply, size_t room)
{
    char request[MANAGER_FRAME_MAX];
    size_t n = 0;
    request[n++] = op;
    for (int i = 0; i < count; i++) {
        size_t len = strlen(fields[i]);
        if (n + 2 + len > sizeof request)
            return false;
        request[n++] = (char)(len >> 8);
        request[n++] = (char)len;
        memcpy(request + n, fields[i], len);
        n += len;
    }
    char answer[MANAGER_FRAME_MAX + 1];
    if (!frame_send(p->fd, request, (uint32_t)n))
        return false;
    long got = frame_recv(p->fd, answer, MANAGER_FRAME_MAX);
    if (got < 1)
        return false;
    answer[got] = '\0';
    if (reply)
        snprintf(reply, room, "%s", answer + 1);
    return answer[0] == 'K';
}

bool proxy_dict_set(struct proxy *p, const char *key, const char *value)
{
    return proxy_call(p, 'S', (const char *const[]){ key, value }, 2, NULL, 0);
}

bool proxy_list_append(struct proxy *p, const char *value)
{
    return proxy_call(p, 'A', (const char *const[]){ value }, 1, NULL, 0);
}

bool proxy_dict_repr(struct proxy *p, char *text, size_t room)
{
    return proxy_call(p, 'D', NULL, 0, text, room);
}

bool proxy_list_repr(struct proxy *p, char *text, size_t room)
{
    return proxy_call(p, 'L', NULL, 0, text, room);
}

bool proxy_put(struct proxy *p, const char *queue, const char *item)
{
    return proxy_call(p, 'P', (const char *const[]){ queue, item }, 2, NULL, 0);
}

bool proxy_get(struct proxy *p, const char *queue, char *item, size_t room)
{
    return proxy_call(p, 'G', (const char *const[]){ queue }, 1, item, room);
}

bool proxy_get_while(struct proxy *p, const char *queue, char *item, size_t room, bool (*still_worth_it)(void))
{
    char request[MANAGER_FRAME_MAX];
    size_t len = strlen(queue);
    if (3 + len > sizeof request)
        return false;
    request[0] = 'G';
    request[1] = (char)(len >> 8);
    request[2] = (char)len;
    memcpy(request + 3, queue, len);
    if (!frame_send(p->fd, request, (uint32_t)(3 + len)))
        return false;
    struct pollfd ready = { .fd = p->fd, .events = POLLIN };
    for (;;) {
        int n = poll(&ready, 1, 50);
        if (n > 0)
            break;
        if (n < 0 && errno != EINTR)
            return false;
        if (!still_worth_it())
            return false; /* the get stays pending on the server: close this proxy */
    }
    char answer[MANAGER_FRAME_MAX + 1];
    long got = frame_recv(p->fd, answer, MANAGER_FRAME_MAX);
    if (got < 1)
        return false;
    answer[got] = '\0';
    snprintf(item, room, "%s", answer + 1);
    return answer[0] == 'K';
}

/* -- the server ----------------------------------------------------------- */

typedef char text[MANAGER_TEXT_MAX];

enum { CLIENTS_MAX = 64, DICT_MAX = 256, LIST_MAX = 1024, QUEUE_MAX = 256 };

enum stage { SENT_CHALLENGE, AWAIT_THEIR_CHALLENGE, AWAIT_THEIR_WELCOME, SERVING };

struct client {
    int fd;
    enum stage stage;
    unsigned char challenge[MESSAGE_LENGTH];
    unsigned char buf[4 + MANAGER_FRAME_MAX];
    size_t have;
    int waiting;        /* -1, or the queue whose get() it waits on */
    long waiting_since; /* who waited first is served first */
    bool holds_task;
    text task;          /* the task it took and has not answered */
};

struct fifo {
    text items[QUEUE_MAX];
    int head, count;
};

static struct server {
    const char *authkey;
    int listen_fd;
    struct client clients[CLIENTS_MAX];
    int clients_count;
    text dict_keys[DICT_MAX], dict_values[DICT_MAX];
    int dict_count;
    text list[LIST_MAX];
    int list_count;
    struct fifo queues[2]; /* tasks, results */
    long waits;
    struct manager_stats stats;
    bool shutting_down;
} server;

static const char *const queue_names[2] = { "tasks", "results" };

static void reply(struct client *c, char status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reply(struct client *c, char status, const char *fmt, ...)
{
    char answer[MANAGER_FRAME_MAX];
    answer[0] = status;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(answer + 1, sizeof answer - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof answer - 2)
        n = (int)sizeof answer - 2;
    frame_send(c->fd, answer, (uint32_t)n + 1); /* a peer gone: its end of file comes next */
}

static void fifo_push(struct fifo *q, const char *item, bool front)
{
    if (q->count == QUEUE_MAX)
        return;
    int at = front ? (q->head + QUEUE_MAX - 1) % QUEUE_MAX : (q->head + q->count) % QUEUE_MAX;
    if (front)
        q->head = at;
    size_t n = strnlen(item, sizeof(text) - 1); /* item may be a client's own copy of it */
    memmove(q->items[at], item, n);
    q->items[at][n] = '\0';
    q->count++;
}

static void fifo_pop(struct fifo *q, char *item)
{
    memcpy(item, q->items[q->head], sizeof(text));
    q->head = (q->head + 1) % QUEUE_MAX;
    q->count--;
}

/* Hand waiting get()s what their queue now holds, first come first served. */
static void serve_waiters(int which)
{
    struct fifo *q = &server.queues[which];
    while (q->count > 0) {
        struct client *first = NULL;
        for (int i = 0; i < server.clients_count; i++) {
            struct client *c = &server.clients[i];
            if (c->waiting == which && (!first || c->waiting_since < first->waiting_since))
                first = c;
        }
        if (!first)
            return;
        text item;
        fifo_pop(q, item);
        first->waiting = -1;
        if (which == 0 && strcmp(item, "None") != 0) { /* None ends a worker: no task to hold */
            first->holds_task = true;
            memcpy(first->task, item, sizeof item);
        }
        reply(first, 'K', "%s", item);
    }
}

static void format_dict(char *out, size_t room)
{
    size_t n = (size_t)snprintf(out, room, "{");
    for (int i = 0; i < server.dict_count && n < room; i++)
        n += (size_t)snprintf(out + n, room - n, "%s%s: %s", i ? ", " : "", server.dict_keys[i],
                              server.dict_values[i]);
    if (n < room)
        snprintf(out + n, room - n, "}");
}

static void format_list(char *out, size_t room)
{
    size_t n = (size_t)snprintf(out, room, "[");
    for (int i = 0; i < server.list_count && n < room; i++)
        n += (size_t)snprintf(out + n, room - n, "%s%s", i ? ", " : "", server.list[i]);
    if (n < room)
        snprintf(out + n, room - n, "]");
}

static int queue_named(const char *name)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(name, queue_names[i]) == 0)
            return i;
    return -1;
}

/* One request from a client that passed the challenge.  Every field's
 * length is checked against what is left of the frame before it is read. */
static void serve_request(struct client *c, const unsigned char *request, size_t n)
{
    text fields[2];
    int count = 0;
    size_t at = 1;
    while (at < n) {
        if (count == 2 || at + 2 > n) {
            server.stats.malformed++;
            say("server", "refused a malformed request: %zu bytes past its fields", n - at);
            reply(c, 'E', "malformed request");
            return;
        }
        size_t len = (size_t)request[at] << 8 | request[at + 1];
        at += 2;
        if (len > n - at || len >= sizeof(text)) {
            server.stats.malformed++;
            say("server", "refused a malformed request: a field of %zu bytes, %zu left", len, n - at);
            reply(c, 'E', "malformed request");
            return;
        }
        memcpy(fields[count], request + at, len);
        fields[count++][len] = '\0';
        at += len;
    }
    char op = (char)request[0];
    static const struct { char op; int fields; } known[] = { { 'S', 2 }, { 'A', 1 }, { 'D', 0 }, { 'L', 0 },
                                                           { 'P', 2 }, { 'G', 1 }, { 'Q', 0 } };
    int expected = -1;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i].op == op)
            expected = known[i].fields;
    if (expected < 0) {
        server.stats.unknown_op++;
        say("server", "refused unknown operation 0x%02x", (unsigned char)op);
        reply(c, 'E', "unknown operation 0x%02x", (unsigned char)op);
        return;
    }
    int queue = op == 'P' || op == 'G' ? queue_named(fields[0]) : 0;
    if (count != expected || queue < 0) {
        server.stats.malformed++;
        say("server", "refused a malformed '%c' request: %d fields", op, count);
        reply(c, 'E', "malformed request");
        return;
    }
    if (op != 'Q')
        server.stats.served++; /* the shutdown is not a request served */
    char out[MANAGER_FRAME_MAX - 1];
    switch (op) {
    case 'S': { /* d[key] = value: a new key goes last, an old one keeps its place */
        int i = 0;
        while (i < server.dict_count && strcmp(server.dict_keys[i], fields[0]) != 0)
            i++;
        if (i == DICT_MAX) {
            reply(c, 'E', "dict full");
            return;
        }
        if (i == server.dict_count)
            memcpy(server.dict_keys[server.dict_count++], fields[0], sizeof(text));
        memcpy(server.dict_values[i], fields[1], sizeof(text));
        reply(c, 'K', "None");
        return;
    }
    case 'A':
        if (server.list_count == LIST_MAX) {
            reply(c, 'E', "list full");
            return;
        }
        memcpy(server.list[server.list_count++], fields[0], sizeof(text));
        reply(c, 'K', "None");
        return;
    case 'D':
        format_dict(out, sizeof out);
        reply(c, 'K', "%s", out);
        return;
    case 'L':
        format_list(out, sizeof out);
        reply(c, 'K', "%s", out);
        return;
    case 'P':
        if (server.queues[queue].count == QUEUE_MAX) {
            reply(c, 'E', "queue full");
            return;
        }
        if (queue == 1)
            c->holds_task = false; /* its result is in: the task is done */
        fifo_push(&server.queues[queue], fields[1], false);
        reply(c, 'K', "None");
        serve_waiters(queue);
        return;
    case 'G':
        c->waiting = queue;
        c->waiting_since = ++server.waits;
        serve_waiters(queue);
        return;
    case 'Q':
        server.shutting_down = true;
        reply(c, 'K', "connections=%ld refused_auth=%ld oversized=%ld unknown_op=%ld malformed=%ld truncated=%ld "
                      "requeued=%ld served=%ld",
              server.stats.connections, server.stats.refused_auth, server.stats.oversized, server.stats.unknown_op,
              server.stats.malformed, server.stats.truncated, server.stats.requeued, server.stats.served);
        return;
    }
}

/* One whole frame from a client, at whatever stage it is. */
static bool serve_frame(struct client *c, const unsigned char *bytes, size_t n)
{
    unsigned char digest[MD5_DIGEST_BYTES];
    switch (c->stage) {
    case SENT_CHALLENGE: /* their answer to ours */
        digest_of(server.authkey, c->challenge, digest);
        if (n != MD5_DIGEST_BYTES || memcmp(bytes, digest, sizeof digest) != 0) {
            server.stats.refused_auth++;
            say("server", "refused a connection: its answer to the challenge was wrong (authkey)");
            frame_send(c->fd, FAILURE, sizeof FAILURE - 1);
            return false;
        }
        frame_send(c->fd, WELCOME, sizeof WELCOME - 1);
        c->stage = AWAIT_THEIR_CHALLENGE;
        return true;
    case AWAIT_THEIR_CHALLENGE: /* theirs to us: answer it */
        if (n != CHALLENGE_LEN + MESSAGE_LENGTH || memcmp(bytes, CHALLENGE, CHALLENGE_LEN) != 0) {
            server.stats.malformed++;
            say("server", "refused a connection: it sent no challenge of its own");
            return false;
        }
        digest_of(server.authkey, bytes + CHALLENGE_LEN, digest);
        frame_send(c->fd, digest, sizeof digest);
        c->stage = AWAIT_THEIR_WELCOME;
        return true;
    case AWAIT_THEIR_WELCOME:
        if (n != sizeof WELCOME - 1 || memcmp(bytes, WELCOME, n) != 0)
            return false; /* it did not accept our answer */
        c->stage = SERVING;
        return true;
    case SERVING:
        if (n == 0) {
            server.stats.malformed++;
            say("server", "refused an empty request");
            reply(c, 'E', "empty request");
            return true;
        }
        serve_request(c, bytes, n);
        return true;
    }
    return false;
}

static void drop_client(int i)
{
    struct client *c = &server.clients[i];
    if (c->holds_task) { /* its process died with the task: put it back for another */
        server.stats.requeued++;
        say("server", "a connection closed holding task %s: put back on the task queue", c->task);
        fifo_push(&server.queues[0], c->task, true);
    }
    close(c->fd);
    server.clients[i] = server.clients[--server.clients_count];
    serve_waiters(0);
}

/* Read what a client sent; serve each whole frame.  False: drop it. */
static bool serve_readable(struct client *c)
{
    size_t limit = c->stage == SERVING ? MANAGER_FRAME_MAX : MANAGER_AUTH_FRAME_MAX;
    ssize_t got = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, MSG_DONTWAIT);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (got <= 0) {
        if (c->have > 0) {
            server.stats.truncated++;
            say("server", "a frame cut short: %zu bytes, then the connection closed; dropped", c->have);
        }
        return false;
    }
    c->have += (size_t)got;
    while (c->have >= 4) {
        uint32_t n = (uint32_t)c->buf[0] << 24 | (uint32_t)c->buf[1] << 16 | (uint32_t)c->buf[2] << 8 | c->buf[3];
        if (n > limit) { /* Python's "!i" is signed: 0x80000000 and up are negative, refused too */
            server.stats.oversized++;
            say("server", "refused a frame of %u bytes (at most %zu): connection closed", n, limit);
            reply(c, 'E', "frame of %u bytes refused: at most %zu", n, limit);
            return false;
        }
        if (c->have < 4 + n)
            return true; /* the rest is still on its way */
        bool keep = serve_frame(c, c->buf + 4, n);
        memmove(c->buf, c->buf + 4 + n, c->have - 4 - n);
        c->have -= 4 + n;
        if (!keep)
            return false;
    }
    return true;
}

/* False if the server cannot go on: it has no descriptor for a connection
 * (ulimit -n).  It ends then, with MANAGER_SERVER_NO_DESCRIPTOR, and says
 * nothing: the lesson says it, once.  The connections waiting are reset,
 * and their peers see it. */
static bool accept_client(void)
{
    int fd = accept4(server.listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE))
        return false;
    if (fd < 0)
        return true;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int)); /* fails harmlessly on a Unix socket */
    if (server.clients_count == CLIENTS_MAX) {
        close(fd);
        return true;
    }
    struct client *c = &server.clients[server.clients_count];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->waiting = -1;
    unsigned char challenge[CHALLENGE_LEN + MESSAGE_LENGTH];
    memcpy(challenge, CHALLENGE, CHALLENGE_LEN);
    if (getrandom(c->challenge, MESSAGE_LENGTH, 0) != MESSAGE_LENGTH) {
        close(fd);
        return true;
    }
    memcpy(challenge + CHALLENGE_LEN, c->challenge, MESSAGE_LENGTH);
    server.clients_count++;
    server.stats.connections++;
    frame_send(fd, challenge, sizeof challenge); /* deliver_challenge(): ours first */
    return true;
}

static int serve(void *arg)
{
    (void)arg;
    int status = 0;
    struct pollfd fds[CLIENTS_MAX + 1];
    while (!server.shutting_down) {
        fds[0] = (struct pollfd){ .fd = server.listen_fd, .events = POLLIN };
        for (int i = 0; i < server.clients_count; i++)
            fds[i + 1] = (struct pollfd){ .fd = server.clients[i].fd, .events = POLLIN };
        int count = server.clients_count;
        if (poll(fds, (nfds_t)count + 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        for (int i = count - 1; i >= 0; i--) /* backwards: a drop moves the last client into i */
            if (fds[i + 1].revents && !serve_readable(&server.clients[i]))
                drop_client(i);
        if ((fds[0].revents & POLLIN) && !accept_client()) {
            status = MANAGER_SERVER_NO_DESCRIPTOR;
            break;
        }
    }
    for (int i = server.clients_count - 1; i >= 0; i--)
        close(server.clients[i].fd);
    close(server.listen_fd);
    return status;
}

bool manager_start(struct manager *m, bool tcp, const char *authkey)
{
    memset(m, 0, sizeof *m);
    m->server = -1;
    m->server_exit = -1;
    m->address.tcp = tcp;
    if (!tcp) {
        snprintf(m->dir, sizeof m->dir, "/tmp/concdemo-manager-XXXXXX"); /* mode 0700: only we can reach it */
        if (!mkdtemp(m->dir)) {
            fprintf(stderr, _("%s: could not make a private directory in /tmp: %s\n"), lesson_who(), strerror(errno));
            m->dir[0] = '\0';
            return false;
        }
        snprintf(m->address.path, sizeof m->address.path, "%s/listener", m->dir);
    }
    int fd = open_socket(&m->address, true);
    if (fd < 0) {
        report_no_descriptor("a listening socket", errno);
        manager_shutdown(m, authkey, NULL);
        return false;
    }
    if (tcp) {
        struct sockaddr_in in;
        socklen_t len = sizeof in;
        getsockname(fd, (struct sockaddr *)&in, &len);
        m->address.port = ntohs(in.sin_port);
    }
    memset(&server, 0, sizeof server);
    server.authkey = authkey;
    server.listen_fd = fd;
    m->server = child_start(serve, NULL);
    int error = errno;
    close(fd); /* the server's now: once it ends, a connect() is refused */
    if (m->server < 0) {
        if (!lesson_stop_requested())
            report_process_refusal(error, children_alive());
        manager_shutdown(m, authkey, NULL);
        return false;
    }
    return true;
}

bool manager_shutdown(struct manager *m, const char *authkey, struct manager_stats *stats)
{
    bool answered = false;
    if (m->server > 0) {
        struct proxy p;
        char text[MANAGER_FRAME_MAX];
        bool ending = false; /* its listener closed: it is on its way out, on its own */
        if (!lesson_stop_requested()) {
            if (proxy_connect(&p, &m->address, authkey) == PROXY_OK) {
                answered = proxy_call(&p, 'Q', NULL, 0, text, sizeof text);
                proxy_close(&p);
            } else {
                ending = errno == ECONNREFUSED;
            }
        }
        if (answered && stats)
            answered = sscanf(text,
                              "connections=%ld refused_auth=%ld oversized=%ld unknown_op=%ld malformed=%ld "
                              "truncated=%ld requeued=%ld served=%ld",
                              &stats->connections, &stats->refused_auth, &stats->oversized, &stats->unknown_op,
                              &stats->malformed, &stats->truncated, &stats->requeued, &stats->served) == 8;
        if (!answered && !ending)
            kill(m->server, SIGKILL);
        m->server_exit = child_join(m->server);
        m->server = -1;
    }
    if (m->dir[0]) { /* Python's Manager removes its /tmp/pymp-* directory the same way */
        unlink(m->address.path);
        rmdir(m->dir);
        m->dir[0] = '\0';
    }
    return answered;
}
