/* The floor for the coroutine lesson's switch: the hand-written switch,
 * coro_switch_context, called bare in a ping-pong between two stacks, with
 * none of the lesson's bookkeeping.  Prints nanoseconds per switch.
 *
 *   bench/coro_bench [switches] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void coro_switch_context(void **save_here, void *resume); /* demos/primitives/coro_switch_x86_64.S */

static void *main_sp, *other_sp;
static long rounds;

/* Called by coro_switch_context's first entry with r12 = what prepare() put
 * there: here, nothing; it just switches back, forever. */
void coro_start(void *unused);
void coro_start(void *unused)
{
    (void)unused;
    for (;;)
        coro_switch_context(&other_sp, main_sp);
}

void coro_first_entry(void);

int main(int argc, char **argv)
{
    long switches = argc > 1 ? atol(argv[1]) : 10000000;
    rounds = switches / 2;
    static char stack[64 * 1024];
    uintptr_t top = ((uintptr_t)(stack + sizeof stack)) & ~(uintptr_t)15;
    void **frame = (void **)(top - 72);
    memset(frame, 0, 72);
    void (*entry)(void) = coro_first_entry;
    memcpy(&frame[6], &entry, sizeof entry);
    other_sp = frame;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long k = 0; k < rounds; k++)
        coro_switch_context(&main_sp, other_sp); /* there and, from coro_start, back: two switches */
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%.3f\n", seconds / (double)(2 * rounds) * 1e9);
    return 0;
}
