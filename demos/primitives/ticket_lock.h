/* A fair lock: the ticket lock, as at a bakery counter.  Each thread that
 * wants the lock takes the next number and waits until it is called;
 * unlocking calls the next number.  So the lock goes to the waiters in the
 * order they asked, and a thread that lets go and asks again goes to the back
 * of the line: no one gets in ahead of a thread that asked before it.
 *
 * The waiters sleep on a condition variable rather than spin: on a busy
 * machine a spinning waiter would use up the CPU that the thread whose
 * number is called needs.
 *
 * The cost is the one seed 003 names (公平原则会导致效率降低): the lock
 * cannot go to whichever thread is running now, only to the one whose turn it
 * is, so each hand-over waits for that thread to be woken and given a CPU.
 * The starvation lesson uses it beside a pthread mutex. */
#ifndef CONCDEMO_TICKET_LOCK_H
#define CONCDEMO_TICKET_LOCK_H

#include <pthread.h>

struct ticket_lock {
    unsigned next_ticket;  /* the number the next thread to ask takes */
    unsigned now_serving;  /* the number whose turn it is */
    pthread_mutex_t guard; /* guards the two numbers (held for an instant, not for the turn) */
    pthread_cond_t called; /* broadcast when the next number is called */
};

void ticket_lock_init(struct ticket_lock *lock);
void ticket_lock_destroy(struct ticket_lock *lock);
unsigned ticket_take(struct ticket_lock *lock);              /* take a number */
void ticket_wait(struct ticket_lock *lock, unsigned ticket); /* wait until it is called */
void ticket_lock(struct ticket_lock *lock);                  /* both: ticket_wait(ticket_take()) */
void ticket_unlock(struct ticket_lock *lock);                /* call the next number */

#endif
