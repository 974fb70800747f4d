/* The ticket lock: see ticket_lock.h. */
#include "ticket_lock.h"

#include <sched.h>

void ticket_lock_init(struct ticket_lock *lock)
{
    atomic_init(&lock->next_ticket, 0);
    atomic_init(&lock->now_serving, 0);
}

void ticket_lock(struct ticket_lock *lock)
{
    unsigned my_ticket = atomic_fetch_add(&lock->next_ticket, 1); /* take a number */
    while (atomic_load_explicit(&lock->now_serving, memory_order_acquire) != my_ticket)
        sched_yield(); /* not my turn: let the thread whose turn it is run (one CPU may be all there is) */
}

void ticket_unlock(struct ticket_lock *lock)
{
    unsigned mine = atomic_load_explicit(&lock->now_serving, memory_order_relaxed);
    atomic_store_explicit(&lock->now_serving, mine + 1, memory_order_release); /* the next number */
}
