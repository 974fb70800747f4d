/* connection: multiprocessing's Pipe() and its Connections, in C.
 *
 *     parent_conn, child_conn = Pipe()     Pipe(true, &parent_conn, &child_conn)
 *     conn.send(obj)                       conn_send(&conn, &obj, sizeof obj)
 *     obj = conn.recv()                    conn_recv(&conn, &obj, sizeof obj)
 *
 * Both ways (duplex) a Pipe is a socketpair(); one way it is a pipe(), whose
 * first end only reads and second only writes.  The kernel moves bytes, not
 * messages, so send() puts the message's length before it and recv() reads
 * exactly that many bytes back: see the pipe lesson, part 3. */
#ifndef CONCDEMO_CONNECTION_H
#define CONCDEMO_CONNECTION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* multiprocessing.connection.Connection: one end of a pipe. */
struct connection {
    int fd;
};

/* Pipe(duplex): *a and *b are its two ends.  One way, a reads and b writes.
 * If the system refused, says so on stderr (naming ulimit -n) and returns
 * false. */
bool Pipe(bool duplex, struct connection *a, struct connection *b);
void conn_close(struct connection *c);

/* conn.send(): at most PIPE_BUF - 4 bytes, written with their length in one
 * write(), so that on a pipe it never mixes with another writer's message (a
 * socketpair promises no such thing: the pipe lesson, part 5).  Returns
 * false with errno set: EPIPE when no reader is left, EMSGSIZE when it is
 * too long.  Python's send() has no such limit: its length is 4 bytes,
 * big-endian, and above 16 KiB it writes the length and the message in two
 * writes (send_bytes_as_python() in demos/pipe.c). */
bool conn_send(struct connection *c, const void *bytes, uint32_t n);
/* conn.recv(): one message into bytes[0..room).  Returns its length, or -1:
 * errno 0 is end of file (Python's EOFError), every writer having closed. */
long conn_recv(struct connection *c, void *bytes, uint32_t room);

/* Messages of any length, as Python's Connection.send_bytes() and
 * recv_bytes() move them: the length, then the bytes.  Up to PIPE_BUF - 4
 * bytes go in one write, as conn_send() sends them; a longer one goes as
 * its length and then its bytes, which another writer's may come between:
 * writers must take turns (the process queue's writers' lock).  On an end
 * made non-blocking (O_NONBLOCK), a wait for room or for bytes is a poll()
 * that a stop (Ctrl-C) ends, with errno ECANCELED, and the kernel still
 * fills the pipe as a blocking write() would.  conn_recv_bytes() returns the
 * length, or -1 (errno 0: end of file; EMSGSIZE: longer than room, and the
 * rest of it is left unread). */
bool conn_send_bytes(struct connection *c, const void *bytes, uint32_t n);
long conn_recv_bytes(struct connection *c, void *bytes, uint32_t room);

/* conn.poll(timeout): true when something waits to be read (or every
 * writer has closed), within `seconds` of lesson time; a negative timeout
 * waits for ever, 0 only looks.  False when the time is up, or at a stop. */
bool conn_poll(struct connection *c, double seconds);

/* write() or read() all n bytes; a pipe may move fewer at a time. */
bool write_all(int fd, const void *bytes, size_t n);
bool read_all(int fd, void *bytes, size_t n);
#endif
