/* A fair lock: the ticket lock, as at a bakery counter.  Each thread that
 * wants the lock takes the next ticket and waits until the display shows its
 * number; unlocking moves the display on by one.  So the lock goes to the
 * waiters in the order they asked, and a thread that lets go and asks again
 * goes to the back of the line: no one can take it twice while another waits.
 *
 * The cost is the one seed 003 names (公平原则会导致效率降低): the lock
 * cannot go to whichever thread is running now, only to the one whose turn it
 * is, so each hand-over waits for that thread to be given a CPU.  The starvation
 * lesson uses it beside a pthread mutex. */
#ifndef CONCDEMO_TICKET_LOCK_H
#define CONCDEMO_TICKET_LOCK_H

#include <stdatomic.h>

struct ticket_lock {
    atomic_uint next_ticket; /* the number the next thread to ask takes */
    atomic_uint now_serving; /* the number whose turn it is */
};

void ticket_lock_init(struct ticket_lock *lock);
void ticket_lock(struct ticket_lock *lock);   /* take a ticket, wait for its turn */
void ticket_unlock(struct ticket_lock *lock); /* call the next number */

#endif
