/* coro: coroutines with stacks of their own, and the loop that runs many of
 * them on one thread.  See coro.h for what each call is in Python. */
#define _GNU_SOURCE /* MAP_NORESERVE, ppoll */
#include "coro.h"

#include "clock.h"
#include "lesson.h"
#include "sanitizer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* -- the sanitizers and valgrind must be told when the stack changes ------- */

#ifdef CONCDEMO_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef CONCDEMO_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#define CORO_VALGRIND 1
#endif
#endif

static _Thread_local struct coro main_coro = { .name = "main", .started = true };
static _Thread_local struct coro *current;
static _Thread_local struct coro *switched_from;
static _Thread_local bool trace;
static _Thread_local unsigned long switch_count;

struct coro *coro_current(void)
{
    return current ? current : &main_coro;
}

void coro_trace_switches(bool on)
{
    trace = on;
}

unsigned long coro_switches(void)
{
    return switch_count;
}

static void sanitizer_before(struct coro *from, struct coro *to, bool from_ends)
{
#ifdef CONCDEMO_TSAN
    if (!main_coro.sanitizer_fiber)
        main_coro.sanitizer_fiber = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(to->sanitizer_fiber, 0);
#endif
#ifdef CONCDEMO_ASAN
    __sanitizer_start_switch_fiber(from_ends ? NULL : &from->sanitizer_fake_stack, to->sanitizer_stack_bottom,
                                   to->sanitizer_stack_size);
#endif
    (void)from, (void)to, (void)from_ends;
}

static void sanitizer_after(struct coro *self)
{
#ifdef CONCDEMO_ASAN
    struct coro *from = switched_from;
    __sanitizer_finish_switch_fiber(self->sanitizer_fake_stack, &from->sanitizer_stack_bottom,
                                    &from->sanitizer_stack_size);
#endif
    (void)self;
}

/* -- stacks ------------------------------------------------------------------ */

enum { GUARDED_STACK_BYTES = 64 * 1024 };

static size_t page_bytes(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* A packed stack has no guard page.  One smaller than a page carries a
 * canary word at its lowest address, which a coroutine that ran past its
 * stack has overwritten; a larger one is checked by where its stack
 * pointer was when it switched away. */
static const uint64_t CANARY = 0x5eed5eed5eed5eedULL;

static bool has_canary(const struct coro *c)
{
    return !c->guarded && c->stack && c->stack_bytes < page_bytes();
}

/* A stack of its own: one mapping, whose lowest page is made inaccessible,
 * so that a coroutine that runs off the end of its stack is stopped there
 * (SIGSEGV) instead of writing over someone else's memory. */
static bool guarded_stack(struct coro *c)
{
    size_t guard = page_bytes();
    char *base = mmap(NULL, guard + GUARDED_STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return false;
    if (mprotect(base, guard, PROT_NONE) != 0) {
        munmap(base, guard + GUARDED_STACK_BYTES);
        return false;
    }
    c->stack = base + guard;
    c->stack_bytes = GUARDED_STACK_BYTES;
    c->guarded = true;
    return true;
}

#ifndef CORO_UCONTEXT
void coro_switch_context(void **save_here, void *resume); /* coro_switch_x86_64.S */
void coro_first_entry(void);
#endif
void coro_start(struct coro *c);

#ifdef CORO_UCONTEXT
/* makecontext() passes int arguments: the pointer comes in two halves. */
static void coro_start_halves(unsigned high, unsigned low)
{
    coro_start((struct coro *)(((uintptr_t)high << 32) | low));
}
#endif

/* Make c ready to start at coro_start(c) when first switched to. */
static void prepare(struct coro *c)
{
#ifdef CORO_VALGRIND
    c->valgrind_stack = VALGRIND_STACK_REGISTER(c->stack, c->stack + c->stack_bytes);
#endif
#ifdef CONCDEMO_TSAN
    c->sanitizer_fiber = __tsan_create_fiber(0);
#endif
    c->sanitizer_stack_bottom = c->stack;
    c->sanitizer_stack_size = c->stack_bytes;
    if (has_canary(c))
        memcpy(c->stack, &CANARY, sizeof CANARY);
#ifdef CORO_UCONTEXT
    getcontext(&c->context);
    c->context.uc_stack.ss_sp = c->stack;
    c->context.uc_stack.ss_size = c->stack_bytes;
    c->context.uc_link = NULL;
    uintptr_t address = (uintptr_t)c;
    makecontext(&c->context, (void (*)(void))coro_start_halves, 2, (unsigned)(address >> 32),
                (unsigned)(address & 0xffffffffu));
#else
    /* The stack as coro_switch_context will find it: six registers to pop
     * (r12 holding c), then a return address, coro_first_entry, which sees
     * a stack pointer that is a multiple of 16, as a call would leave it. */
    uintptr_t top = ((uintptr_t)(c->stack + c->stack_bytes)) & ~(uintptr_t)15;
    void **frame = (void **)(top - 72);
    memset(frame, 0, 72);
    void (*entry)(void) = coro_first_entry;
    memcpy(&frame[6], &entry, sizeof entry); /* top - 24: where ret goes */
    frame[3] = c; /* top - 48: popped into r12 (r15, r14, r13 come off first) */
    c->stack_pointer = frame;
#endif
}

size_t greenlet_bytes(void)
{
    return page_bytes() + GUARDED_STACK_BYTES + sizeof(struct coro);
}

struct coro *greenlet(const char *name, void (*fn)(void *), void *arg)
{
    struct coro *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (!guarded_stack(c)) {
        free(c);
        return NULL;
    }
    c->name = name;
    c->fn = fn;
    c->arg = arg;
    c->parent = coro_current(); /* as greenlet: the creator gets control back at the end */
    prepare(c);
    return c;
}

/* What every coroutine's end frees but its memory. */
static void forget(struct coro *c)
{
#ifdef CORO_VALGRIND
    VALGRIND_STACK_DEREGISTER(c->valgrind_stack);
#endif
#ifdef CONCDEMO_TSAN
    if (c->sanitizer_fiber)
        __tsan_destroy_fiber(c->sanitizer_fiber);
#endif
    (void)c;
}

void coro_free(struct coro *c)
{
    if (!c)
        return;
    forget(c);
    if (c->guarded) {
        size_t guard = page_bytes();
        munmap(c->stack - guard, guard + c->stack_bytes);
    }
    free(c);
}

/* -- the switch -------------------------------------------------------------- */

static void stack_check(const struct coro *c)
{
    if (c == &main_coro || c->guarded)
        return;
    uint64_t word;
    memcpy(&word, c->stack, sizeof word);
    bool overrun = has_canary(c) && word != CANARY;
#ifndef CORO_UCONTEXT
    overrun = overrun || (c->stack_pointer && (const char *)c->stack_pointer < c->stack);
#endif
    if (overrun) {
        fprintf(stderr, _("%s: coroutine %s ran past the end of its %zu-byte stack\n"), lesson_who(), c->name,
                c->stack_bytes);
        abort();
    }
}

static void switch_from_to(struct coro *from, struct coro *to, bool from_ends)
{
    if (trace) { /* who runs when, for --timeline and --trace */
        span_end(from->name, SPAN_RUNNING);
        span_begin(to->name, SPAN_RUNNING);
    }
    switch_count++;
    current = to;
    switched_from = from;
    sanitizer_before(from, to, from_ends);
#ifdef CORO_UCONTEXT
    swapcontext(&from->context, &to->context);
#else
    coro_switch_context(&from->stack_pointer, to->stack_pointer);
#endif
    stack_check(switched_from); /* whoever switched to us has parked or ended */
    sanitizer_after(from); /* `from` runs again: someone switched back to it */
}

void coro_switch(struct coro *to)
{
    struct coro *from = coro_current();
    if (to == from || to->dead)
        return;
    if (trace) {
#ifdef CORO_UCONTEXT
        say(from->name, "switch to %s: swapcontext() saves my registers and signal mask, loads its", to->name);
#else
        say(from->name, "switch to %s: push my registers, save my stack pointer; load %s's, %p, pop its registers",
            to->name, to->name, to->stack_pointer);
#endif
    }
    to->started = true;
    switch_from_to(from, to, false);
}

/* Where every coroutine begins, on its own stack. */
void coro_start(struct coro *c)
{
    sanitizer_after(c);
    c->fn(c->arg);
    c->dead = true;
    if (trace)
        say(c->name, "returns: control goes back to %s", c->parent->name);
    switch_from_to(c, c->parent, true); /* and never comes back here */
    abort();
}

enum { PAINT = 0xa5, PREPARED_FRAME_BYTES = 128 };

/* The part painted: the top of the stack, below the frame prepare() built,
 * above the canary; no more than 64 KiB, so that a big stack stays untouched. */
static void painted_part(const struct coro *c, char **from, size_t *bytes)
{
    size_t low = has_canary(c) ? sizeof CANARY : 0, high = c->stack_bytes - PREPARED_FRAME_BYTES;
    if (high - low > 64 * 1024)
        low = high - 64 * 1024;
    *from = c->stack + low;
    *bytes = high - low;
}

void coro_paint_stack(struct coro *c)
{
    char *from;
    size_t bytes;
    painted_part(c, &from, &bytes);
    memset(from, PAINT, bytes);
}

size_t coro_stack_used(const struct coro *c)
{
    char *from;
    size_t bytes, untouched = 0;
    painted_part(c, &from, &bytes);
#ifdef CORO_VALGRIND
    VALGRIND_MAKE_MEM_DEFINED(from, bytes); /* reading what lies below its stack pointer, on purpose */
#endif
    while (untouched < bytes && (unsigned char)from[untouched] == PAINT)
        untouched++;
    return (size_t)(c->stack + c->stack_bytes - from) - untouched;
}

void coro_raise(const char *error)
{
    coro_current()->error = error;
}

void link_exception(struct coro *c, void (*callback)(struct coro *))
{
    c->on_exception = callback;
}

/* -- the loop ------------------------------------------------------------------ */

struct timer {
    double deadline; /* lesson seconds */
    struct coro *c;
};

struct fd_wait {
    int fd;
    struct coro *c;
};

static struct loop *running_loop; /* for the stop hook */

static void wake_loop_on_stop(void)
{
    if (running_loop) {
        char byte = 1;
        ssize_t ignored = write(running_loop->stop_pipe[1], &byte, 1);
        (void)ignored;
    }
}

bool loop_init(struct loop *loop, long most, size_t stack_bytes)
{
    memset(loop, 0, sizeof *loop);
#ifdef CONCDEMO_TSAN
    if (most > TSAN_MOST_THREADS) { /* each coroutine is a fiber to it, and it counts fibers as threads */
        fprintf(stderr, _("%s: under ThreadSanitizer, at most %d coroutines (it dies past 8128 threads, and counts "
                          "each as one); ask for fewer\n"), lesson_who(), TSAN_MOST_THREADS);
        return false;
    }
#endif
    if (pipe2(loop->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        report_no_descriptor("a pipe", errno);
        return false;
    }
#if defined(CONCDEMO_ASAN) || defined(CONCDEMO_TSAN)
    if (stack_bytes && stack_bytes < GUARDED_STACK_BYTES)
        stack_bytes = GUARDED_STACK_BYTES; /* instrumented code has far larger frames */
#endif
    if (stack_bytes) {
        loop->pack_stack_bytes = stack_bytes;
        loop->pack_bytes = (size_t)most * stack_bytes;
        /* MAP_NORESERVE: a page costs memory only once a coroutine touches it */
        loop->pack = mmap(NULL, loop->pack_bytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (loop->pack == MAP_FAILED) {
            report_no_memory(N_("ask for fewer"), "%ld stacks of %zu bytes", most, stack_bytes);
            close(loop->stop_pipe[0]);
            close(loop->stop_pipe[1]);
            return false;
        }
    }
    if (most > 0) { /* room for every timer now: a realloc inside a small stack could overflow it */
        loop->timers = malloc((size_t)most * sizeof *loop->timers);
        loop->timer_room = loop->timers ? (size_t)most : 0;
        if (!loop->timers) {
            report_no_memory(N_("ask for fewer"), "the timers of %ld coroutines", most);
            if (loop->pack)
                munmap(loop->pack, loop->pack_bytes);
            close(loop->stop_pipe[0]);
            close(loop->stop_pipe[1]);
            return false;
        }
    }
    running_loop = loop;
    clock_on_stop(wake_loop_on_stop);
    return true;
}

void loop_free(struct loop *loop)
{
    clock_forget_stop(wake_loop_on_stop);
    running_loop = NULL;
    for (size_t k = 0; k < loop->all_count; k++) {
        if (!loop->all[k]->guarded) { /* its stack goes with the pack */
            forget(loop->all[k]);
            free(loop->all[k]);
        } else
            coro_free(loop->all[k]);
    }
    free(loop->all);
    if (loop->pack)
        munmap(loop->pack, loop->pack_bytes);
    free(loop->timers);
    free(loop->fd_waits);
    close(loop->stop_pipe[0]);
    close(loop->stop_pipe[1]);
}

static void make_ready(struct loop *loop, struct coro *c)
{
    c->next_ready = NULL;
    if (loop->ready_tail)
        loop->ready_tail->next_ready = c;
    else
        loop->ready_head = c;
    loop->ready_tail = c;
}

struct coro *spawn(struct loop *loop, const char *name, void (*fn)(void *), void *arg)
{
    if (loop->all_count == loop->all_room) {
        size_t room = loop->all_room ? loop->all_room * 2 : 64;
        struct coro **bigger = realloc(loop->all, room * sizeof *bigger);
        if (!bigger)
            return NULL;
        loop->all = bigger;
        loop->all_room = room;
    }
    struct coro *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (loop->pack) {
        if (loop->pack_used + loop->pack_stack_bytes > loop->pack_bytes) {
            free(c);
            return NULL;
        }
        c->stack = loop->pack + loop->pack_used;
        c->stack_bytes = loop->pack_stack_bytes;
        loop->pack_used += loop->pack_stack_bytes;
    } else if (!guarded_stack(c)) {
        free(c);
        return NULL;
    }
    c->name = name;
    c->fn = fn;
    c->arg = arg;
    c->loop = loop;
    prepare(c);
    loop->all[loop->all_count++] = c;
    loop->alive++;
    loop->spawned++;
    make_ready(loop, c);
    return c;
}

static void timer_push(struct loop *loop, struct timer timer)
{
    if (loop->timer_count == loop->timer_room) {
        size_t room = loop->timer_room ? loop->timer_room * 2 : 64;
        struct timer *bigger = realloc(loop->timers, room * sizeof *bigger);
        if (!bigger) {
            fprintf(stderr, _("%s: out of memory for timers\n"), lesson_who());
            abort();
        }
        loop->timers = bigger;
        loop->timer_room = room;
    }
    size_t k = loop->timer_count++;
    while (k > 0 && loop->timers[(k - 1) / 2].deadline > timer.deadline) { /* sift up */
        loop->timers[k] = loop->timers[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    loop->timers[k] = timer;
}

static struct timer timer_pop(struct loop *loop)
{
    struct timer first = loop->timers[0], last = loop->timers[--loop->timer_count];
    size_t k = 0, n = loop->timer_count;
    for (;;) { /* sift down */
        size_t child = 2 * k + 1;
        if (child >= n)
            break;
        if (child + 1 < n && loop->timers[child + 1].deadline < loop->timers[child].deadline)
            child++;
        if (loop->timers[child].deadline >= last.deadline)
            break;
        loop->timers[k] = loop->timers[child];
        k = child;
    }
    if (n > 0)
        loop->timers[k] = last;
    return first;
}

/* Park the running coroutine: back to the loop, until it is made ready. */
static void park(void)
{
    struct coro *self = coro_current();
    switch_from_to(self, self->parent, false);
}

bool coro_sleep(double seconds)
{
    struct coro *self = coro_current();
    double deadline = lesson_now() + seconds;
    timer_push(self->loop, (struct timer){ deadline, self });
    /* For --timeline and --trace; not for the many packed ones, which all
     * share one name and would fill the record. */
    if (self->guarded)
        span_begin(self->name, SPAN_SLEEPING);
    park();
    if (self->guarded)
        span_end(self->name, SPAN_SLEEPING);
    self->woke_late = lesson_now() - deadline;
    return !lesson_stop_requested();
}

bool wait_readable(int fd)
{
    struct coro *self = coro_current();
    struct loop *loop = self->loop;
    if (loop->fd_wait_count == loop->fd_wait_room) {
        size_t room = loop->fd_wait_room ? loop->fd_wait_room * 2 : 16;
        struct fd_wait *bigger = realloc(loop->fd_waits, room * sizeof *bigger);
        if (!bigger)
            return false;
        loop->fd_waits = bigger;
        loop->fd_wait_room = room;
    }
    loop->fd_waits[loop->fd_wait_count++] = (struct fd_wait){ fd, self };
    span_begin(self->name, SPAN_WAITING);
    park();
    span_end(self->name, SPAN_WAITING);
    return !lesson_stop_requested();
}

/* Wait, in poll(), for a descriptor to be ready or the nearest timer. */
static void wait_for_something(struct loop *loop)
{
    size_t n = loop->fd_wait_count;
    struct pollfd *fds = calloc(n + 1, sizeof *fds);
    if (!fds)
        return;
    for (size_t k = 0; k < n; k++)
        fds[k] = (struct pollfd){ .fd = loop->fd_waits[k].fd, .events = POLLIN };
    fds[n] = (struct pollfd){ .fd = loop->stop_pipe[0], .events = POLLIN };
    struct timespec relative, *timeout = NULL;
    if (loop->timer_count) {
        double left = loop->timers[0].deadline - lesson_now();
        struct timespec deadline = lesson_timeout(left > 0 ? left : 0, CLOCK_MONOTONIC), now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long ns = (long long)(deadline.tv_sec - now.tv_sec) * 1000000000LL + (deadline.tv_nsec - now.tv_nsec);
        if (ns < 0)
            ns = 0;
        relative = (struct timespec){ (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
        timeout = &relative;
    }
    int ready = ppoll(fds, (nfds_t)n + 1, timeout, NULL);
    if (ready > 0)
        for (size_t k = n; k-- > 0;)
            if (fds[k].revents) { /* ready: out of the waits, into the ready queue */
                make_ready(loop, loop->fd_waits[k].c);
                loop->fd_waits[k] = loop->fd_waits[--loop->fd_wait_count];
            }
    free(fds);
}

void loop_run(struct loop *loop)
{
    struct coro *self = coro_current();
    while (loop->alive > 0 && !lesson_stop_requested()) {
        while (loop->ready_head && !lesson_stop_requested()) {
            struct coro *c = loop->ready_head;
            loop->ready_head = c->next_ready;
            if (!loop->ready_head)
                loop->ready_tail = NULL;
            c->parent = self; /* when it parks or ends, control comes back here */
            coro_switch(c);
            if (c->dead) {
                loop->alive--;
                if (c->error) {
                    loop->failed++;
                    if (c->on_exception)
                        c->on_exception(c); /* as gevent's hub calls link_exception's callback */
                }
            }
        }
        if (loop->alive == 0 || lesson_stop_requested())
            break;
        if (loop->when_all_parked) { /* here, on the loop's own stack, not a small one */
            loop->when_all_parked();
            loop->when_all_parked = NULL;
        }
        double now = lesson_now();
        if (!loop->timer_count || loop->timers[0].deadline > now)
            wait_for_something(loop);
        now = lesson_now();
        while (loop->timer_count && loop->timers[0].deadline <= now)
            make_ready(loop, timer_pop(loop).c);
    }
}
