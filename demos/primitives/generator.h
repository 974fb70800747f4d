/* generator: Python's generators in C, stackless.
 *
 *     def test1():                  static bool test1(struct generator *self)
 *                                   {
 *                                       GENERATOR_BEGIN(self);
 *         print(12)                     print(12);
 *         yield                         YIELD(self);
 *         print(34)                     print(34);
 *                                       GENERATOR_END(self);
 *                                   }
 *
 *     g = test1()                   struct generator g = GENERATOR_NEW;
 *     next(g)                       test1(&g)  -- false once it has returned,
 *                                                 where Python raises StopIteration
 *     g.close()                     generator_close(&g)
 *
 * A Python generator keeps its frame -- its local variables and the line it
 * stopped at -- in the generator object, and next() runs that frame on from
 * there.  A C function keeps its locals on the stack, and they are gone when
 * it returns.  So a generator here is two things:
 *   - a struct that holds what must outlive a yield: where to resume
 *     (resume_at, always a member) and the variables used across a yield;
 *   - a function that, each time it is called, jumps to where it stopped,
 *     by a switch on resume_at.
 * YIELD(self) stores "resume at this line" and returns true; the next call's
 * switch lands just after it.  (The trick is Duff's device: a case label may
 * sit inside a loop in the switch.  Simon Tatham's coroutines and
 * protothreads are built on it.)
 *
 * The cost of a resume is a call, a jump and a return: no stack of its own,
 * no stack to switch.  The limits, which Python's generators share: a yield
 * can only be in the generator function itself, not in a function it calls;
 * and a local variable does not survive a yield -- keep it in the struct.
 * One more, C's own: no `switch` statement of yours around a YIELD. */
#ifndef CONCDEMO_GENERATOR_H
#define CONCDEMO_GENERATOR_H
#include <stdbool.h>

/* A generator that keeps nothing but where it stopped.  A generator with
 * variables declares its own struct, with an `int resume_at` in it. */
struct generator {
    int resume_at; /* 0: not started; a line number: after that YIELD; -1: returned */
};

#define GENERATOR_NEW { 0 }

#define GENERATOR_BEGIN(self) \
    switch ((self)->resume_at) { \
    case 0:

#define YIELD(self) \
    do { \
        (self)->resume_at = __LINE__; \
        return true; \
    case __LINE__:; \
    } while (0)

/* `return` inside a generator: it ends, and the caller's next() says so. */
#define GENERATOR_RETURN(self) \
    do { \
        (self)->resume_at = -1; \
        return false; \
    } while (0)

#define GENERATOR_END(self) \
    } \
    (self)->resume_at = -1; \
    return false

/* g.close(): it will not run again.  (Python raises GeneratorExit at its
 * yield, so that its `finally` blocks run; these generators have none.) */
#define generator_close(self) ((self)->resume_at = -1)

#endif
