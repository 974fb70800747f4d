/* pipe: messages between processes through a pipe.
 * Seed 000 §3.1.2 (Pipe), seed 003 (Pipe, Connection), seed 004 (管道pipe).
 *
 * Seed 000's program:
 *
 *     def f(conn):
 *         conn.send([42, None, 'hello'])
 *         conn.close()
 *
 *     parent_conn, child_conn = Pipe()
 *     p = Process(target=f, args=(child_conn,))
 *     p.start()
 *     print(parent_conn.recv())    # prints "[42, None, 'hello']"
 *     p.join()
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
 * socketpair(); one way it is a pipe(), whose first end only reads and second
 * only writes.  Either way the kernel moves bytes, not messages: send() and
 * recv() frame each message with its length (connection.c, beside this
 * file; the pool lesson's process pool uses them too). */
#include "lesson.h"

#include "connection.h"
#include "message.h"

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
    snprintf(text, sizeof text, "%s (%s)", symbol, error == 0 ? "end of file" : strerror(error));
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
    say("main", "part 2, seed 004: conn1, conn2 = Pipe(): a socketpair, both ends send and receive");
    struct connection conn1, conn2;
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
    note("The kernel opened each end of a pipe() one way; Python refuses the same calls first.");
    conn_close(&reader);
    conn_close(&writer);
    result_at_end("part=duplex exchanged=%d child_exit=%d one_way_send=%s one_way_recv=%s", exchanged, exit_status,
                  wrong_write == EBADF ? "EBADF" : "allowed", wrong_read == EBADF ? "EBADF" : "allowed");
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
    note("concdemo ignores SIGPIPE, which would otherwise end a process that writes here.");
    conn_close(&writer);
    if (!lesson_stop_requested())
        result_at_end("part=eof recv_after_close=%s send_without_reader=%s", eof == 0 ? "EOF" : "data",
                      broken == EPIPE ? "EPIPE" : "sent");
    return 0;
}

/* -- part 5, seed 000's warning: several writers on one end ---------------- */

/* Each writer sends records of record_bytes, all of its own letter, each in
 * one write().  A record is torn when another writer's bytes land between
 * its first byte and its last. */
struct writer_job {
    struct connection out;
    int unused_end;        /* the pipe's read end, which this writer must close */
    int start_gun;         /* a pipe's read end: its end of file says "go" */
    int trigger;           /* that pipe's write end, which the writer must close too */
    char letter;
    int records;
    size_t record_bytes;
    pthread_mutex_t *lock; /* NULL: no lock; else process-shared, held around each write */
};

static int write_records(void *arg)
{
    struct writer_job *job = arg;
    close(job->unused_end);
    close(job->trigger); /* else this writer would keep the gun from ever going off */
    char *record = malloc(job->record_bytes);
    if (!record)
        return 1;
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
        ok = write_all(job->out.fd, record, job->record_bytes);
        span_end(actor, job->lock ? SPAN_HOLDING : "writing");
        if (job->lock)
            pthread_mutex_unlock(job->lock);
    }
    free(record);
    return ok ? 0 : 1;
}

/* Read the writers' bytes back in order.  Each writer's bytes arrive in the
 * order it wrote them, so its k-th record is its bytes k*size to (k+1)*size:
 * torn if a byte of another writer came in between.  Returns the torn
 * records, or -1 if not every record came back (a writer ended early). */
static long count_torn(int fd, int writers, long records, size_t record_bytes)
{
    size_t offset[26] = { 0 }; /* bytes read so far of each writer */
    bool broken[26] = { false }; /* its current record was interrupted */
    long torn = 0, whole_records = 0;
    int last = -1;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (ssize_t k = 0; k < n; k++) {
            int w = buf[k] - 'A';
            if (w < 0 || w >= writers)
                return -1;
            if (offset[w] % record_bytes != 0 && last != w)
                broken[w] = true; /* someone else's bytes came in the middle */
            last = w;
            if (++offset[w] % record_bytes == 0) {
                torn += broken[w];
                broken[w] = false;
                whole_records++;
            }
        }
    }
    return whole_records == (long)writers * records ? torn : -1;
}

/* One round: `writers` children, one pipe, started together. */
static long torn_records(int writers, int records, size_t record_bytes, pthread_mutex_t *lock)
{
    struct connection reader, writer, gun_reader, gun;
    if (!Pipe(false, &reader, &writer))
        return -1;
    if (!Pipe(false, &gun_reader, &gun)) {
        conn_close(&reader);
        conn_close(&writer);
        return -1;
    }
    pid_t pids[26];
    int started = 0;
    for (int w = 0; w < writers; w++) {
        struct writer_job job = { writer, reader.fd, gun_reader.fd, gun.fd, (char)('A' + w), records,
                                  record_bytes, lock };
        pids[w] = child_start(write_records, &job); /* the child has its own copy of job */
        if (pids[w] < 0) {
            if (!lesson_stop_requested())
                report_process_refusal(errno, children_alive());
            break;
        }
        started++;
    }
    conn_close(&writer);
    conn_close(&gun_reader);
    conn_close(&gun); /* every writer reads end of file at once: they start together */
    long torn = started == writers ? count_torn(reader.fd, writers, records, record_bytes) : -1;
    conn_close(&reader);
    for (int w = 0; w < started; w++)
        if (child_join(pids[w]) != 0)
            torn = -1;
    return torn;
}

static int part_torn(void)
{
    int writers = (int)option_int("writers"), records = (int)option_int("records");
    size_t big = (size_t)option_int("big-bytes");
    say("main", "part 5, seed 000's warning: %d processes write records to one pipe at once", writers);
    note("POSIX: a write of at most PIPE_BUF (%d) bytes goes into a pipe whole; a larger one may be split.",
         PIPE_BUF);

    /* A round that failed (interrupted, or a writer refused) has nothing to show. */
#define ROUND_OR_RETURN(torn) \
    if ((torn) < 0)           \
        return not_started();

    long small_torn = torn_records(writers, records, PIPE_BUF, NULL);
    ROUND_OR_RETURN(small_torn);
    say("main", "%d x %d records of %d bytes, no lock: %ld torn", writers, records, PIPE_BUF, small_torn);

    long big_torn = torn_records(writers, records, big, NULL);
    ROUND_OR_RETURN(big_torn);
    say("main", "%d x %d records of %zu bytes, no lock: %ld torn", writers, records, big, big_torn);
    if (big_torn > 0)
        note("A write larger than the pipe can hold waits for room, part done; the other writer's bytes land in between.");
    else
        note("This run no record was torn; nothing promised that: POSIX lets a write this size be split.");

    /* A lock in shared memory, held around each write, keeps records whole. */
    pthread_mutex_t *lock = shared_memory(sizeof *lock);
    if (!lock)
        return 1;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(lock, &attr);
    pthread_mutexattr_destroy(&attr);
    long locked_torn = torn_records(writers, records, big, lock);
    shared_memory_free(lock, sizeof *lock); /* no destroy: a killed writer may have held it */
    ROUND_OR_RETURN(locked_torn);
#undef ROUND_OR_RETURN
    say("main", "%d x %d records of %zu bytes, a process-shared lock around each write: %ld torn", writers, records,
        big, locked_torn);
    note("To keep messages whole: write at most PIPE_BUF bytes at once, hold a lock around each");
    note("write, or give each writer a pipe of its own.");
    result_at_end("part=torn writers=%d records=%d small_bytes=%d small_torn=%ld big_bytes=%zu big_torn=%ld "
                  "locked_torn=%ld",
                  writers, records, PIPE_BUF, small_torn, big, big_torn, locked_torn);
    return 0;
}

/* At most this much through the pipe in the torn part's big rounds. */
#define MOST_TORN_BYTES 2000000000.0

static const char *pipe_check(void)
{
    static char problem[160];
    double bytes = (double)option_int("writers") * (double)option_int("records") * (double)option_int("big-bytes");
    if (bytes > MOST_TORN_BYTES) {
        snprintf(problem, sizeof problem,
                 "--writers x --records x --big-bytes is %.0f bytes a round; at most %.0f (2 GB)", bytes,
                 MOST_TORN_BYTES);
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
    OPTION_INT("writers", "2", 2, 26, "processes writing to one pipe in the torn part"),
    OPTION_INT("records", "20", 1, 10000, "records each writer sends in the torn part"),
    OPTION_INT("big-bytes", "100000", 4097, 10000000, "the size of a large record, more than PIPE_BUF"),
    OPTIONS_END,
};

const struct lesson pipe_lesson = {
    .name = "pipe",
    .summary = "processes pass messages through a pipe, framed, both ways, to the end",
    .source = "seed 000 §3.1.2 Pipe; seed 003 Pipe/Connection; seed 004 管道pipe",
    .options = pipe_options,
    .results = "part=send got child_exit; part=duplex exchanged child_exit one_way_send one_way_recv; "
               "part=framing sent raw_reads raw_bytes framed_reads; part=eof recv_after_close "
               "send_without_reader; part=torn writers records small_bytes small_torn big_bytes big_torn "
               "locked_torn",
    .explanation =
        "A pipe joins two processes: what one writes, the other reads.  Python's\n"
        "Pipe() gives two Connections whose send() and recv() move whole objects;\n"
        "the kernel moves only bytes.  This lesson builds send() and recv() on a\n"
        "socketpair() (both ways) or a pipe() (one way), with a length before each\n"
        "message so that recv() knows where it ends.\n"
        "\n"
        "Part 1 is seed 000's: a child sends [42, None, 'hello'] and the parent\n"
        "prints it.  Part 2 is seed 004's: the child sends 'hello world' and waits;\n"
        "the parent replies 'hi son'; and one way, the wrong direction is refused.\n"
        "Part 3 shows two writes arriving as one piece without the lengths.\n"
        "Part 4: recv() after every writer closed is end of file (EOFError);\n"
        "send() with no reader left is EPIPE (BrokenPipeError).\n"
        "Part 5 is seed 000's warning, measured: several processes writing to one\n"
        "pipe.  Writes of up to PIPE_BUF bytes stay whole; larger ones can tear.\n",
    .check = pipe_check,
    .actor_width = 8,
    .run = pipe_run,
};
