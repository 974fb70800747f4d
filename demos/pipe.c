/* pipe: messages between processes through a pipe.
 * Seed 000 §3.1.2 (Pipe), seed 003 (Pipe, Connection), seed 004 (管道pipe).
 *
 * The article's program (seed 000):
 *
 *     from multiprocessing import Process, Pipe
 *
 *     def f(conn):
 *         conn.send([42, None, 'hello'])
 *         conn.close()
 *
 *     if __name__ == '__main__':
 *         parent_conn, child_conn = Pipe()
 *         p = Process(target=f, args=(child_conn,))
 *         p.start()
 *         print(parent_conn.recv())    # prints "[42, None, 'hello']"
 *         p.join()
 *
 * Seed 003's, in one process:
 *
 *     conn1, conn2 = Pipe()
 *     conn1.send('hello')
 *     print(conn2.recv())          # hello
 *
 * Seed 004's, both ways:
 *
 *     def foo(sk):
 *         sk.send('hello world')
 *         print(sk.recv())
 *
 *     conn1, conn2 = multiprocessing.Pipe()   # Pipe(False): one way only
 *     p = multiprocessing.Process(target=foo, args=(conn1,))
 *     p.start()
 *     print(conn2.recv())
 *     conn2.send('hi son')
 *
 * A Pipe() is two Connections.  Both ways (duplex, the default) it is a
 * socketpair(), a stream socket; one way it is a pipe(), whose first end only
 * reads and second only writes.  Either way the kernel moves bytes, not
 * messages: send() and recv() frame each message with its length
 * (connection.c, beside this file; the pool lesson's process pool uses them
 * too).  Seed 000 warns that two processes using one end at once can corrupt
 * the data: part 5 measures where, on both kinds. */
#include "lesson.h"

#include "primitives/connection.h"
#include "primitives/message.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool send_text(struct connection *c, const char *text)
{
    return conn_send(c, text, (uint32_t)strlen(text));
}

static bool recv_text(struct connection *c, char *text, size_t room)
{
    long n = conn_recv(c, text, (uint32_t)room - 1);
    if (n < 0)
        return false;
    text[n] = '\0';
    return true;
}

/* "EPIPE (Broken pipe)", and "EOF" for errno 0. */
static const char *error_name(int error)
{
    static _Thread_local char text[64];
    const char *symbol = error == 0 ? "EOF" : error == EPIPE ? "EPIPE" : error == EBADF ? "EBADF" : "error";
    snprintf(text, sizeof text, "%s (%s)", symbol, error == 0 ? _("end of file") : strerror(error));
    return text;
}

/* Start fn(mine) in a child process.  Each side then closes the end it
 * does not use: the child `theirs`, the parent `mine`.  A process holding an
 * end it does not use would keep the other side from ever seeing end of
 * file.  Returns the pid, or -1 (said, and both ends closed). */
struct child_ends {
    int (*fn)(struct connection *);
    struct connection mine, theirs;
};

static int child_main(void *arg)
{
    struct child_ends *ends = arg;
    conn_close(&ends->theirs);
    return ends->fn(&ends->mine);
}

static pid_t start_child(int (*fn)(struct connection *), struct connection *mine, struct connection *theirs)
{
    struct child_ends ends = { fn, *mine, *theirs }; /* the child gets its own copy */
    pid_t pid = child_start(child_main, &ends);
    conn_close(mine); /* the child's end is the child's now */
    if (pid < 0) {
        if (!lesson_stop_requested())
            report_process_refusal(errno, children_alive());
        conn_close(theirs);
    }
    return pid;
}

/* -- part 1, seed 000: the child sends [42, None, 'hello'] ----------------- */

static int f(struct connection *conn) /* def f(conn): */
{
    struct message m = message_list();
    message_add_int(&m, 42);
    message_add_none(&m);
    message_add_str(&m, "hello");
    say("child", "conn.send([42, None, 'hello']); conn.close()");
    bool sent = conn_send(conn, &m, sizeof m);
    conn_close(conn);
    return sent ? 0 : 1;
}

static int part_send(void)
{
    say("main", "part 1, seed 000: parent_conn, child_conn = Pipe(); the child sends a list");
    struct connection parent_conn, child_conn;
    if (!Pipe(true, &parent_conn, &child_conn))
        return 1;
    pid_t p = start_child(f, &child_conn, &parent_conn);
    if (p < 0)
        return not_started();
    struct message got;
    char text[96], packed[96] = "nothing";
    span_begin("main", SPAN_WAITING); /* for --timeline and --trace */
    long received = conn_recv(&parent_conn, &got, sizeof got);
    span_end("main", SPAN_WAITING);
    if (received == (long)sizeof got) { /* print(parent_conn.recv()) */
        message_format(&got, text, sizeof text);
        message_format_packed(&got, packed, sizeof packed);
        say("main", "%s", text);
    }
    int exit_status = child_join(p);
    conn_close(&parent_conn);
    if (lesson_stop_requested())
        return 0;
    say("main", "joined the child, process %ld: it exited with %d", (long)p, exit_status);
    note("recv() got the whole list: send() wrote its length first, so recv() knew where it ends.");
    result_at_end("part=send got=%s child_exit=%d", packed, exit_status);
    return 0;
}

/* -- part 2, seed 004: both ways, then one way ------------------------------ */

static int foo(struct connection *sk) /* def foo(sk): */
{
    char reply[64];
    say("child", "sk.send('hello world')");
    if (!send_text(sk, "hello world"))
        return 1;
    if (!recv_text(sk, reply, sizeof reply)) /* waits for the parent's answer */
        return 1;
    say("child", "%s", reply); /* print(sk.recv()) */
    return 0;
}

static int part_duplex(void)
{
    say("main", "part 2, seeds 003 and 004: conn1, conn2 = Pipe(): a socketpair, both ends send and receive");
    struct connection conn1, conn2;
    if (!Pipe(true, &conn1, &conn2))
        return 1;
    /* seed 003, in one process: conn1.send('hello'); print(conn2.recv()) */
    say("main", "conn1.send('hello')");
    char same_process[16] = "";
    if (send_text(&conn1, "hello") && recv_text(&conn2, same_process, sizeof same_process))
        say("main", "%s", same_process);
    note("Seed 003's: one process, one end to the other; the socket held 'hello' until recv().");
    conn_close(&conn1);
    conn_close(&conn2);

    /* seed 004: a child at the other end */
    if (!Pipe(true, &conn1, &conn2))
        return 1;
    pid_t p = start_child(foo, &conn1, &conn2);
    if (p < 0)
        return not_started();
    char heard[64] = "";
    int exchanged = 0;
    if (recv_text(&conn2, heard, sizeof heard)) { /* print(conn2.recv()) */
        exchanged++;
        say("main", "%s", heard);
        say("main", "conn2.send('hi son')");
        exchanged += send_text(&conn2, "hi son");
    }
    int exit_status = child_join(p);
    conn_close(&conn2);
    if (lesson_stop_requested())
        return 0;
    say("main", "joined the child: it exited with %d", exit_status);
    note("The child waited in recv() for the reply: a duplex Pipe carries messages both ways.");

    say("main", "Pipe(duplex=False): a pipe(); the first end only receives, the second only sends");
    struct connection reader, writer;
    if (!Pipe(false, &reader, &writer))
        return 1;
    int wrong_write = send_text(&reader, "hello") ? 0 : errno;
    say("main", "reader.send('hello'): refused, %s", error_name(wrong_write));
    char byte;
    int wrong_read = read(writer.fd, &byte, 1) < 0 ? errno : 0;
    say("main", "writer.recv(): refused, %s", error_name(wrong_read));
    note("The kernel opened each end of a pipe() one way.  Python refuses both calls before the "
         "kernel sees them: OSError('connection is read-only') and OSError('connection is "
         "write-only').");
    conn_close(&reader);
    conn_close(&writer);
    result_at_end("part=duplex exchanged=%d child_exit=%d one_way_send=%s one_way_recv=%s same_process=%s",
                  exchanged, exit_status, wrong_write == EBADF ? "EBADF" : "allowed",
                  wrong_read == EBADF ? "EBADF" : "allowed", same_process[0] ? same_process : "nothing");
    return 0;
}

/* -- part 3: bytes, not messages ------------------------------------------- */

static int two_raw_writes(struct connection *out)
{
    say("child", "write('hello world'), write('hi son'): two writes, no lengths");
    return write_all(out->fd, "hello world", 11) && write_all(out->fd, "hi son", 6) ? 0 : 1;
}

static int two_sends(struct connection *out)
{
    say("child", "send('hello world'), send('hi son'): each with its length first");
    return send_text(out, "hello world") && send_text(out, "hi son") ? 0 : 1;
}

static int part_framing(void)
{
    say("main", "part 3: a pipe carries bytes; two messages written, then one read");
    struct connection reader, writer;
    if (!Pipe(false, &reader, &writer))
        return 1;
    pid_t p = start_child(two_raw_writes, &writer, &reader);
    if (p < 0)
        return not_started();
    child_join(p); /* both writes are in the pipe now */
    say("main", "the child has exited, so both writes wait in the pipe; one read():");
    char buf[128];
    ssize_t n = read(reader.fd, buf, sizeof buf - 1); /* one read, as much as there is */
    int raw_reads = n > 0;
    buf[n > 0 ? n : 0] = '\0';
    say("main", "read() -> '%s': %zd bytes, one piece", buf, n);
    note("The pipe kept no boundary between the two writes: the reader cannot tell them apart.");
    conn_close(&reader);
    if (lesson_stop_requested() || !Pipe(false, &reader, &writer))
        return not_started();

    p = start_child(two_sends, &writer, &reader);
    if (p < 0)
        return not_started();
    child_join(p);
    int framed = 0;
    char text[64];
    while (recv_text(&reader, text, sizeof text)) {
        framed++;
        say("main", "recv() -> '%s'", text);
    }
    note("With a length before each message, recv() reads exactly one message each time.");
    conn_close(&reader);
    if (!lesson_stop_requested())
        result_at_end("part=framing sent=2 raw_reads=%d raw_bytes=%zd framed_reads=%d", raw_reads, n, framed);
    return 0;
}

/* -- part 4: end of file, and a broken pipe -------------------------------- */

static int send_one_and_leave(struct connection *out)
{
    say("child", "send('bye'), and exits: its end of the pipe closes");
    return send_text(out, "bye") ? 0 : 1;
}

static int leave_without_reading(struct connection *in)
{
    (void)in;
    say("child", "exits without reading: the last reader is gone");
    return 0;
}

static int part_eof(void)
{
    say("main", "part 4: recv() when every writer has closed; send() when no reader is left");
    struct connection reader, writer;
    if (!Pipe(false, &reader, &writer))
        return 1;
    /* start_child closes this process's copy of the writing end: else it
     * would still be a writer, and recv() would wait for ever. */
    pid_t p = start_child(send_one_and_leave, &writer, &reader);
    if (p < 0)
        return not_started();
    char text[64];
    if (recv_text(&reader, text, sizeof text))
        say("main", "recv() -> '%s'", text);
    int eof = recv_text(&reader, text, sizeof text) ? -1 : errno;
    say("main", "recv() again: %s -- Python raises EOFError", error_name(eof));
    note("End of file comes only once every copy of the write end is closed, the parent's too.");
    child_join(p);
    conn_close(&reader);
    if (lesson_stop_requested() || !Pipe(false, &reader, &writer))
        return not_started();

    p = start_child(leave_without_reading, &reader, &writer);
    if (p < 0)
        return not_started();
    child_join(p);
    int broken = send_text(&writer, "anyone?") ? 0 : errno;
    say("main", "send('anyone?'): %s -- Python raises BrokenPipeError", error_name(broken));
    note("concdemo ignores SIGPIPE, which would otherwise end a process that writes here; Python "
         "ignores it from start-up too, so its write raises instead.");
    conn_close(&writer);
    if (!lesson_stop_requested())
        result_at_end("part=eof recv_after_close=%s send_without_reader=%s", eof == 0 ? "EOF" : "data",
                      broken == EPIPE ? "EPIPE" : "sent");
    return 0;
}

/* -- part 5, seed 000's warning: several writers on one end ---------------- */

/* What the writers share: what Pipe(duplex=False) makes, or what Pipe() makes. */
enum medium { ON_A_PIPE, ON_A_SOCKETPAIR };

/* How a writer sends each record: in one write(), or as Python's Connection
 * sends a message, its length first. */
enum way { ONE_WRITE, AS_PYTHON };

/* Python's Connection._send_bytes, in CPython 3.11's
 * multiprocessing/connection.py:
 *
 *     header = struct.pack("!i", n)       # the length: 4 bytes, big-endian
 *     if n > 16384:
 *         self._send(header)              # two writes: another writer's
 *         self._send(buf)                 # can come between them
 *     else:
 *         self._send(header + buf)        # one write
 *
 * frame holds the 4 bytes of the length, then the n bytes of the message. */
static bool send_bytes_as_python(int fd, const unsigned char *frame, size_t n)
{
    if (n > 16384)
        return write_all(fd, frame, 4) && write_all(fd, frame + 4, n);
    return write_all(fd, frame, 4 + n);
}

static void put_length(unsigned char *header, size_t n) /* struct.pack("!i", n) */
{
    for (int k = 0; k < 4; k++)
        header[k] = (unsigned char)(n >> (8 * (3 - k)));
}

/* Each writer sends records of record_bytes, all of its own letter.  A
 * record is torn when another writer's bytes land between its first byte
 * and its last (or, sent as Python does, between its length and its first). */
struct writer_job {
    struct connection out;   /* the end every writer shares */
    int unused_end;          /* the reader's end, which this writer must close */
    int start_gun;           /* a pipe's read end: its end of file says "go" */
    int trigger;             /* that pipe's write end, which the writer must close too */
    char letter;
    int records;
    size_t record_bytes;
    enum way way;
    unsigned char *frame;    /* the length, then room for a record (the parent's, copied) */
    pthread_mutex_t *lock;   /* NULL: no lock; else process-shared, held around each send */
};

static int write_records(void *arg)
{
    struct writer_job *job = arg;
    close(job->unused_end);
    close(job->trigger); /* else this writer would keep the gun from ever going off */
    unsigned char *record = job->frame + 4;
    memset(record, job->letter, job->record_bytes);
    char go;
    while (read(job->start_gun, &go, 1) < 0 && errno == EINTR) /* wait for the others */
        ;
    bool ok = true;
    char actor[16];
    snprintf(actor, sizeof actor, "writer %c", job->letter); /* for --timeline and --trace */
    for (int i = 0; ok && i < job->records; i++) {
        if (job->lock) {
            span_begin(actor, SPAN_ACQUIRING);
            pthread_mutex_lock(job->lock);
            span_end(actor, SPAN_ACQUIRING);
        }
        span_begin(actor, job->lock ? SPAN_HOLDING : "writing");
        if (job->way == ONE_WRITE)
            ok = write_all(job->out.fd, record, job->record_bytes);
        else
            ok = send_bytes_as_python(job->out.fd, job->frame, job->record_bytes);
        span_end(actor, job->lock ? SPAN_HOLDING : "writing");
        if (job->lock)
            pthread_mutex_unlock(job->lock);
    }
    return ok ? 0 : 1;
}

/* What the reader found in one round. */
struct tally {
    long torn;    /* records another writer's bytes interrupted */
    long between; /* of those, sent as Python does: bytes came between the length and the record */
};

/* Read the writers' bytes back in order.  Each writer's bytes arrive in the
 * order it wrote them, so its k-th record is its bytes k*size to
 * (k+1)*size: torn if a byte of another writer came in between.  A length
 * begins with a 0 byte (a record is under 16 MB), which no letter is.  False
 * if not every byte is accounted for: a writer that ended early. */
static bool count_torn(int fd, int writers, long records, size_t record_bytes, enum way way, struct tally *tally)
{
    enum { LENGTH = -2 };
    unsigned char length[4];
    put_length(length, record_bytes);
    size_t offset[26] = { 0 };   /* bytes read so far of each writer's records */
    bool broken[26] = { false }; /* its current record was interrupted */
    long records_read = 0, lengths = 0;
    int last = -1;     /* whose byte came before: a writer, or LENGTH */
    int in_length = 0; /* bytes of a length read so far */
    *tally = (struct tally){ 0, 0 };
    unsigned char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        for (ssize_t k = 0; k < n; k++) {
            if (in_length > 0 || (way == AS_PYTHON && buf[k] == 0)) {
                if (buf[k] != length[in_length])
                    return false;
                in_length = (in_length + 1) % 4;
                lengths += in_length == 0;
                last = LENGTH;
                continue;
            }
            int w = buf[k] - 'A';
            if (w < 0 || w >= writers)
                return false;
            bool first = offset[w] % record_bytes == 0;
            if (first && way == AS_PYTHON && last != LENGTH) {
                broken[w] = true; /* its length came, then someone else's bytes */
                tally->between++;
            }
            if (!first && last != w)
                broken[w] = true; /* someone else's bytes came in the middle */
            last = w;
            if (++offset[w] % record_bytes == 0) {
                tally->torn += broken[w];
                broken[w] = false;
                records_read++;
            }
        }
    }
    long expected = (long)writers * records;
    return records_read == expected && in_length == 0 && (way == ONE_WRITE || lengths == expected);
}

/* One round: `writers` children share one end of a pipe or a socketpair,
 * start together, and send; this process reads the other end. */
static bool torn_round(enum medium medium, size_t record_bytes, enum way way, pthread_mutex_t *lock,
                       struct tally *tally)
{
    int writers = (int)option_int("writers"), records = (int)option_int("records");
    struct connection reader, shared, gun_reader, gun;
    if (!Pipe(medium == ON_A_SOCKETPAIR, &reader, &shared))
        return false;
    if (!Pipe(false, &gun_reader, &gun)) {
        conn_close(&reader);
        conn_close(&shared);
        return false;
    }
    unsigned char *frame = malloc(4 + record_bytes); /* each writer fills its copy */
    if (!frame) {
        report_no_memory(_("ask for smaller records"), "a record of %zu bytes", record_bytes);
        conn_close(&reader);
        conn_close(&shared);
        conn_close(&gun_reader);
        conn_close(&gun);
        return false;
    }
    put_length(frame, record_bytes);
    pid_t pids[26];
    int started = 0;
    for (int w = 0; w < writers; w++) {
        struct writer_job job = { shared, reader.fd, gun_reader.fd, gun.fd, (char)('A' + w), records,
                                  record_bytes, way, frame, lock };
        pids[w] = child_start(write_records, &job); /* the child has its own copy of job */
        if (pids[w] < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            break;
        }
        started++;
    }
    free(frame);
    conn_close(&shared);
    conn_close(&gun_reader);
    conn_close(&gun); /* every writer reads end of file at once: they start together */
    bool counted = started == writers && count_torn(reader.fd, writers, records, record_bytes, way, tally);
    conn_close(&reader); /* a writer still writing gets EPIPE, and ends */
    bool writers_ok = true;
    for (int w = 0; w < started; w++)
        writers_ok &= child_join(pids[w]) == 0;
    if (started == writers && !(counted && writers_ok) && !lesson_stop_requested()) /* a bug: say so */
        fprintf(stderr, _("%s: a round of the torn part went wrong: %s\n"), lesson_who(),
                writers_ok ? _("the reader could not account for every byte") : _("a writer failed"));
    return counted && writers_ok;
}

/* The torn rounds of one medium, as the result keys name them. */
struct medium_rounds {
    long small_torn, big_torn, locked_torn;
    struct tally framed;
};

/* "pipe: 2 x 20 records of 4096 bytes, no lock: 0 torn", and, when it saw
 * none torn where nothing promised that, says so. */
static void say_round(const char *medium, const char *what, long torn, bool promised_whole)
{
    say("main", "%s: %d x %d %s: %ld torn", medium, (int)option_int("writers"), (int)option_int("records"), what,
        torn);
    if (torn == 0 && !promised_whole)
        note("This run saw none torn; nothing promised that.");
}

/* The four rounds on one medium: records of PIPE_BUF bytes; larger records,
 * without a lock and with one; and messages sent as Python sends them. */
static bool torn_rounds(enum medium medium, pthread_mutex_t *lock, struct medium_rounds *got)
{
    bool pipe = medium == ON_A_PIPE;
    const char *name = pipe ? "pipe" : "socketpair";
    size_t big = (size_t)option_int("big-bytes"), framed = (size_t)option_int("framed-bytes");
    char what[128];
    struct tally small_round, big_round, locked_round;

    if (!torn_round(medium, PIPE_BUF, ONE_WRITE, NULL, &small_round))
        return false;
    got->small_torn = small_round.torn;
    snprintf(what, sizeof what, _("records of %d bytes, no lock"), PIPE_BUF);
    say_round(name, what, small_round.torn, pipe);
    if (pipe)
        note("POSIX: a write of at most PIPE_BUF (%d) bytes goes into a pipe whole.", PIPE_BUF);
    else
        note("POSIX's PIPE_BUF promise is for pipes: to a stream socket, no size of write is sure to stay whole.");

    if (!torn_round(medium, big, ONE_WRITE, NULL, &big_round))
        return false;
    got->big_torn = big_round.torn;
    snprintf(what, sizeof what, _("records of %zu bytes, no lock"), big);
    say_round(name, what, big_round.torn, false);
    if (big_round.torn > 0 && pipe) {
        note("A write larger than PIPE_BUF may go in part by part, as the pipe has room; another "
             "writer's bytes landed in between.");
    } else if (big_round.torn > 0) {
        note("The kernel took a long write in pieces, and another writer's pieces came between them.");
    }

    if (!torn_round(medium, big, ONE_WRITE, lock, &locked_round))
        return false;
    got->locked_torn = locked_round.torn;
    snprintf(what, sizeof what, _("records of %zu bytes, a process-shared lock around each write"), big);
    say_round(name, what, locked_round.torn, true);

    if (!torn_round(medium, framed, AS_PYTHON, NULL, &got->framed))
        return false;
    long torn = got->framed.torn, between = got->framed.between;
    say("main", "%s: %d x %d messages of %zu bytes, sent as Python does: %ld torn, %ld between length and message",
        name, (int)option_int("writers"), (int)option_int("records"), framed, torn, between);
    bool first_medium = pipe || strcmp(option_choice("medium"), "socketpair") == 0;
    if (first_medium && framed > 16384) {
        note("Above 16 KiB, Python's send() writes the length, then the message: two writes, and another "
             "writer's write may come between them.");
    } else if (first_medium) {
        note("Up to 16 KiB, Python's send() writes the length and the message in one write.");
    }
    if (torn == 0 && !(pipe && 4 + framed <= PIPE_BUF))
        note("This run saw none torn; nothing promised that.");
    if (torn > between)
        note("The other %ld tore inside the message: %s", torn - between,
             pipe ? _("a write larger than PIPE_BUF may be split.") : _("the kernel took a long write in pieces."));
    return true;
}

static int part_torn(void)
{
    int writers = (int)option_int("writers"), records = (int)option_int("records");
    const char *medium = option_choice("medium");
    bool on_pipe = strcmp(medium, "socketpair") != 0, on_socketpair = strcmp(medium, "pipe") != 0;
    say("main", "part 5, seed 000's warning: %d processes write records to one end at once", writers);
    note("A record is one letter repeated, in one write(); torn if another writer's bytes land inside it.");
    if (on_pipe)
        note("pipe: a pipe(), what Pipe(duplex=False) makes.");
    if (on_socketpair)
        note("socketpair: a socketpair(), a stream socket, what Pipe() makes.");

    /* A lock in shared memory, held around each write, keeps records whole. */
    pthread_mutex_t *lock = shared_memory(sizeof *lock);
    if (!lock) {
        report_no_memory(NULL, "a lock in shared memory (mmap MAP_SHARED)");
        return 1;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(lock, &attr);
    pthread_mutexattr_destroy(&attr);
    struct medium_rounds pipe = { 0 }, socket = { 0 };
    bool ran = (!on_pipe || torn_rounds(ON_A_PIPE, lock, &pipe)) &&
               (!on_socketpair || torn_rounds(ON_A_SOCKETPAIR, lock, &socket));
    shared_memory_free(lock, sizeof *lock); /* no destroy: a killed writer may have held it */
    if (!ran)
        return not_started();
    say("main", "every record came back, whole or counted torn");
    note("Python's recv() reads a length, then that many bytes: after a torn message it reads every "
         "length in the wrong place (python3 raised UnpicklingError or UnicodeDecodeError).");
    note("To keep messages whole: on a pipe, at most PIPE_BUF bytes a message, its length included; "
         "or a lock around each whole send, as multiprocessing.Queue holds one; or a pipe per "
         "writer.");

    char keys[512] = "";
    size_t used = 0;
#define KEYS(...) used += (size_t)snprintf(keys + used, used < sizeof keys ? sizeof keys - used : 0, __VA_ARGS__)
    if (on_pipe)
        KEYS(" small_torn=%ld big_bytes=%lld big_torn=%ld locked_torn=%ld framed_bytes=%lld framed_torn=%ld "
             "framed_between=%ld",
             pipe.small_torn, option_int("big-bytes"), pipe.big_torn, pipe.locked_torn, option_int("framed-bytes"),
             pipe.framed.torn, pipe.framed.between);
    else
        KEYS(" big_bytes=%lld framed_bytes=%lld", option_int("big-bytes"), option_int("framed-bytes"));
    if (on_socketpair)
        KEYS(" socket_small_torn=%ld socket_big_torn=%ld socket_locked_torn=%ld socket_framed_torn=%ld "
             "socket_framed_between=%ld",
             socket.small_torn, socket.big_torn, socket.locked_torn, socket.framed.torn, socket.framed.between);
#undef KEYS
    result_at_end("part=torn writers=%d records=%d small_bytes=%d%s medium=%s", writers, records, PIPE_BUF, keys,
                  medium);
    return 0;
}

/* At most this much through one end in a round of the torn part. */
#define MOST_TORN_BYTES 2000000000.0

static const char *pipe_check(void)
{
    static char problem[200];
    double most = (double)(option_int("big-bytes") > option_int("framed-bytes") ? option_int("big-bytes")
                                                                               : option_int("framed-bytes"));
    double bytes = (double)option_int("writers") * (double)option_int("records") * most;
    if (bytes > MOST_TORN_BYTES) {
        snprintf(problem, sizeof problem,
                 _("--writers x --records x --big-bytes (or --framed-bytes) is %.0f bytes a round; "
                   "at most %.0f (2 GB)"),
                 bytes, MOST_TORN_BYTES);
        return problem;
    }
    return NULL;
}

static int pipe_run(void)
{
    static const struct lesson_part parts[] = {
        { "send", part_send }, { "duplex", part_duplex }, { "framing", part_framing },
        { "eof", part_eof },   { "torn", part_torn },
    };
    return RUN_PARTS(parts);
}

static const struct option_spec pipe_options[] = {
    OPTION_CHOICE("part", "all", "all|send|duplex|framing|eof|torn", "which part to run; all runs them in order"),
    OPTION_INT("writers", "2", 2, 26, "processes writing to one end in the torn part"),
    OPTION_INT("records", "20", 1, 10000, "records each writer sends in the torn part"),
    OPTION_INT("big-bytes", "100000", 4097, 10000000, "the size of a large record, more than PIPE_BUF"),
    OPTION_INT("framed-bytes", "20480", 1, 10000000, "a message sent as Python does: 2 writes above 16384"),
    OPTION_CHOICE("medium", "both", "both|pipe|socketpair", "the torn part's shared end: pipe, socketpair, or both"),
    OPTIONS_END,
};

const struct lesson pipe_lesson = {
    .name = "pipe",
    .summary = N_("processes pass messages through a pipe, framed, both ways, to the end"),
    .runs_for = { 0.1 }, /* seconds at speed 1, measured: no sleeps, only the CPU */
    .source = N_("seed 000 §3.1.2 Pipe; seed 003 Pipe/Connection; seed 004 管道pipe"),
    .options = pipe_options,
    .results = "part=send got child_exit; part=duplex exchanged child_exit one_way_send one_way_recv "
               "same_process; part=framing sent raw_reads raw_bytes framed_reads; part=eof recv_after_close "
               "send_without_reader; part=torn writers records small_bytes small_torn big_bytes big_torn "
               "locked_torn framed_bytes framed_torn framed_between socket_small_torn socket_big_torn "
               "socket_locked_torn socket_framed_torn socket_framed_between medium",
    .explanation = N_(
        "A pipe joins two processes: what one writes, the other reads.  Python's\n"
        "Pipe() gives two Connections whose send() and recv() move whole objects;\n"
        "the kernel moves only bytes.  Pipe() is a socketpair() (a stream socket,\n"
        "both ways); Pipe(duplex=False) is a pipe() (one way).  This lesson builds\n"
        "send() and recv() on them, with a length before each message so that\n"
        "recv() knows where it ends.\n"
        "\n"
        "Part 1 is seed 000's: a child sends [42, None, 'hello'] and the parent\n"
        "prints it.  Part 2 is seed 003's, 'hello' through a Pipe() in one\n"
        "process, and seed 004's: the child sends 'hello world' and waits; the\n"
        "parent replies 'hi son'; and one way, the wrong direction is refused.\n"
        "Part 3 shows two writes arriving as one piece without the lengths.\n"
        "Part 4: recv() after every writer closed is end of file (EOFError);\n"
        "send() with no reader left is EPIPE (BrokenPipeError).\n"
        "Part 5 is seed 000's warning, measured: several processes writing to one\n"
        "end, of a pipe and of a socketpair (--medium).  On a pipe, writes of up\n"
        "to PIPE_BUF bytes stay whole; larger ones can tear.  A stream socket\n"
        "promises no size.  Python's send() writes the length and, above 16 KiB,\n"
        "the message in a second write: another writer's message can come in\n"
        "between, on either.  A process-shared lock around each send keeps them\n"
        "whole.\n"),
    .check = pipe_check,
    .actor_width = 8,
    .run = pipe_run,
};
