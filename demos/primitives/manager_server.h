/* manager_server: multiprocessing's Manager, in C.
 *
 *     with Manager() as manager:            manager_start(&manager, NULL, authkey)
 *         d = manager.dict()                 the server holds one dict, one list
 *         l = manager.list(range(5))         and two queues (tasks, results)
 *         d[1] = '1'                         proxy_dict_set(&proxy, "1", "'1'")
 *         l.append(1)                        proxy_list_append(&proxy, "1")
 *         print(l)                           proxy_list_repr(&proxy, text, room)
 *
 * A server process holds the objects; every other process holds a proxy,
 * a connection to the server, and each operation on a proxy is a message
 * to the server and its reply.  The server serves one message at a time,
 * so no operation ever sees another half done.
 *
 * Python pickles the objects; C has none, so values travel as their Python
 * repr ("'1'", "2", "None", "0.25") and the server prints them back as
 * Python does.  A message is Python's frame: a 4-byte big-endian length,
 * then the bytes.  Connecting, both sides prove they know the authkey with
 * Python 3.11's HMAC-MD5 challenge (hmac_md5.h), so Python's
 * multiprocessing.connection.Client passes this server's challenge.
 *
 * The server trusts no peer: a length over MANAGER_FRAME_MAX (256 bytes
 * before the challenge is passed, as Python's recv_bytes(256)), an unknown
 * operation, malformed fields, a frame cut short by end of file: each is
 * refused with a reply where one can go, counted, and said; the server goes
 * on serving the others. */
#ifndef CONCDEMO_MANAGER_SERVER_H
#define CONCDEMO_MANAGER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { MANAGER_FRAME_MAX = 4096, MANAGER_AUTH_FRAME_MAX = 256, MANAGER_TEXT_MAX = 64 };

/* The server's exit status when it ended on its own for want of a
 * descriptor for a connection (ulimit -n). */
enum { MANAGER_SERVER_NO_DESCRIPTOR = 3 };

/* Where the server listens: a Unix socket at a path inside a private
 * directory (Python: /tmp/pymp-XXXX/listener-XXXX), or 127.0.0.1:port. */
struct manager_address {
    bool tcp;
    char path[108];
    int port;
};

struct manager {
    pid_t server;
    int server_exit; /* once shut down: its exit status (MANAGER_SERVER_NO_DESCRIPTOR: it ran out of descriptors), or -1 */
    struct manager_address address;
    char dir[64]; /* the Unix socket's private directory, "" for TCP */
};

/* What the server counted, sent back when it is shut down. */
struct manager_stats {
    long connections, refused_auth, oversized, unknown_op, malformed, truncated, requeued, served;
};

/* Start the server process: on a Unix socket (tcp false), or on 127.0.0.1
 * with the port the kernel picks.  Says the address.  False, said on
 * stderr, if the system refused a socket, a directory or the process. */
bool manager_start(struct manager *m, bool tcp, const char *authkey);

/* Shut the server down, reap it, and remove its socket and directory.
 * Fills *stats if the server answered.  Safe after a stop (Ctrl-C): the
 * engine has killed the server; what is on disk is removed all the same. */
bool manager_shutdown(struct manager *m, const char *authkey, struct manager_stats *stats);

/* A proxy: one connection to the server. */
struct proxy {
    int fd;
};

enum proxy_status { PROXY_OK = 0, PROXY_REFUSED = 1, PROXY_FAILED = -1 };

/* Connect, and pass the challenge both ways as Python's Client() does.
 * PROXY_REFUSED: the server said #FAILURE#, the authkey was wrong. */
enum proxy_status proxy_connect(struct proxy *p, const struct manager_address *a, const char *authkey);
void proxy_close(struct proxy *p);

/* d[key] = value, l.append(value), repr(d), repr(l) */
bool proxy_dict_set(struct proxy *p, const char *key, const char *value);
bool proxy_list_append(struct proxy *p, const char *value);
bool proxy_dict_repr(struct proxy *p, char *text, size_t room);
bool proxy_list_repr(struct proxy *p, char *text, size_t room);

/* queue.put(item), item = queue.get() (waits for one), on the server's
 * queue named "tasks" or "results".  A connection that gets from "tasks"
 * holds that task until it puts to "results"; if it closes first (its
 * process died), the server puts the task back on "tasks". */
bool proxy_put(struct proxy *p, const char *queue, const char *item);
bool proxy_get(struct proxy *p, const char *queue, char *item, size_t room);
/* The same, giving up when still_worth_it() (asked every 50 ms) says no:
 * the workers that would put a result have all gone.  The get is then still
 * pending on the server: close the proxy. */
bool proxy_get_while(struct proxy *p, const char *queue, char *item, size_t room, bool (*still_worth_it)(void));

/* A bare connection to the server, nothing sent: for a hostile peer. */
int manager_dial(const struct manager_address *a);

/* The raw frames, for a lesson that sends what a hostile peer would: a
 * frame (length, then bytes) and its reply ('K' or 'E', then text). */
bool frame_send(int fd, const void *bytes, uint32_t n);
long frame_recv(int fd, void *bytes, size_t room);
/* One request: op and its fields; the reply's text.  True on a 'K' reply. */
bool proxy_call(struct proxy *p, char op, const char *const *fields, int count, char *reply, size_t room);

#endif
