/* coro: stackful coroutines, as greenlet has them, and a loop that runs
 * many of them on one thread, as asyncio and gevent do.
 *
 *     gr = greenlet(fn)                 struct coro *gr = greenlet("gr", fn, arg)
 *     gr.switch()                       coro_switch(gr)
 *     gevent.spawn(fn) / create_task    spawn(&loop, "name", fn, arg)
 *     await asyncio.sleep(t)            coro_sleep(t)
 *     gevent's wait_read(fd)            wait_readable(fd)
 *     gevent.joinall / run_until_complete   loop_run(&loop)
 *     g.link_exception(callback)        link_exception(gr, callback)
 *
 * A coroutine is a function with its own stack.  Switching to another one
 * saves the few registers a called function must keep (the callee-saved
 * ones) on the current stack, stores the stack pointer, loads the other
 * coroutine's stack pointer and pops its registers: coro_switch_x86_64.S,
 * a dozen lines.  Everything else a coroutine was doing -- its local
 * variables, where to return to -- is already on its stack.  So the stack
 * pointer is the whole trick.  (The floating-point control words are
 * callee-saved too; these coroutines share them with the whole thread, on
 * purpose: none of them changes the rounding mode.)  Built with CORO=ucontext (the fallback on
 * machines other than x86-64), swapcontext() does the same job, and more
 * slowly: it also saves and restores the signal mask, a system call. */
#ifndef CONCDEMO_CORO_H
#define CONCDEMO_CORO_H
#include <stdbool.h>
#include <stddef.h>

#ifdef CORO_UCONTEXT
#include <ucontext.h>
#endif

struct loop;

struct coro {
    const char *name;      /* its actor in the transcript */
#ifdef CORO_UCONTEXT
    ucontext_t context;    /* swapcontext() keeps everything here */
#else
    void *stack_pointer;   /* where its registers are, while it is not running */
#endif
    void (*fn)(void *);
    void *arg;
    struct coro *parent;   /* where control goes when fn returns (greenlet's parent) */
    bool started, dead;
    const char *error;     /* set by coro_raise(): it failed */
    void (*on_exception)(struct coro *); /* link_exception */
    /* its stack: [stack, stack + stack_bytes), with a guard page below; or,
     * packed with others in one mapping, a canary word at its lowest address
     * when it is smaller than a page (then the word costs nothing) */
    char *stack;
    size_t stack_bytes;
    bool guarded;
    /* the loop's part */
    struct loop *loop;
    struct coro *next_ready;
    double woke_late;      /* coro_sleep: how late the loop woke it, lesson seconds */
    unsigned valgrind_stack; /* valgrind's, ThreadSanitizer's and AddressSanitizer's records of it */
    void *sanitizer_fiber;
    void *sanitizer_fake_stack;
    const void *sanitizer_stack_bottom;
    size_t sanitizer_stack_size;
};

/* -- greenlet: explicit switches ------------------------------------------- */

/* A coroutine that will run fn(arg) on a stack of its own (64 KiB, with a
 * guard page below it), when first switched to.  NULL if memory is short. */
struct coro *greenlet(const char *name, void (*fn)(void *), void *arg);
/* The memory a greenlet() holds: its stack, its guard page, its record. */
size_t greenlet_bytes(void);
/* Run `to` from where it last switched away (or from its start) until it
 * switches to another: the current coroutine stops here, and goes on from
 * here when something switches back to it. */
void coro_switch(struct coro *to);
/* The coroutine running now; the main one is "main", the thread's own. */
struct coro *coro_current(void);
/* Free a coroutine that is not running.  If it never finished, its stack
 * simply goes: greenlet would first raise GreenletExit inside it. */
void coro_free(struct coro *c);
/* Inside a coroutine: fail, as `raise ValueError(...)` would.  Give a
 * string literal; returns, for the coroutine to return too. */
void coro_raise(const char *error);
/* Print each switch: who to whom, and the two stack pointers. */
void coro_trace_switches(bool on);
/* How many switches were made. */
unsigned long coro_switches(void);

/* -- the loop: many coroutines, one thread --------------------------------- */

struct loop {
    struct coro *ready_head, *ready_tail; /* their turn has come */
    struct coro **all;                    /* every coroutine it spawned, to free */
    size_t all_count, all_room;
    void (*when_all_parked)(void);        /* called once, on the loop's own stack, when
                                             every coroutine has run and parked */
    struct timer *timers;                 /* a heap: the nearest deadline first */
    size_t timer_count, timer_room;
    struct fd_wait *fd_waits;             /* coroutines waiting for a descriptor */
    size_t fd_wait_count, fd_wait_room;
    long alive;                           /* spawned and not yet ended */
    long spawned, failed;
    int stop_pipe[2];                     /* Ctrl-C wakes poll() through it */
    /* Packed stacks, for many coroutines: one mapping, no guard pages. */
    char *pack;
    size_t pack_bytes, pack_stack_bytes, pack_used;
};

/* stack_bytes 0: the usual guarded 64 KiB.  Otherwise each stack is that
 * size, carved from one mapping made for `most` of them: one memory mapping
 * instead of two a coroutine (vm.max_map_count), and no page of its own
 * each.  No guard pages between them: each switch checks the canary (or,
 * for stacks of a page or more, the stack pointer) of the coroutine that
 * switches away, and stops the program if it ran past its stack.  Returns
 * false, said on stderr, if memory is short. */
bool loop_init(struct loop *loop, long most, size_t stack_bytes);
void loop_free(struct loop *loop); /* frees every coroutine it spawned */
/* gevent.spawn(fn, arg): it runs when the loop gets to it. */
struct coro *spawn(struct loop *loop, const char *name, void (*fn)(void *), void *arg);
/* Inside a spawned coroutine: park for `seconds` of lesson time while the
 * loop runs the others.  False if the lesson was stopped. */
bool coro_sleep(double seconds);
/* Inside a spawned coroutine: park until fd can be read. */
bool wait_readable(int fd);
/* Run until every coroutine spawned has ended, or a stop (Ctrl-C). */
void loop_run(struct loop *loop);
/* How deep a coroutine's stack went: paint its top 64 KiB before it first
 * runs, read the high-water mark after.  Bytes. */
void coro_paint_stack(struct coro *c);
size_t coro_stack_used(const struct coro *c);
/* g.link_exception(callback): callback(g) runs, on the loop, if g fails. */
void link_exception(struct coro *c, void (*callback)(struct coro *));
#endif
