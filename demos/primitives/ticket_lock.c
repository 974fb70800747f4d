/* The ticket lock: see ticket_lock.h. */
#include "ticket_lock.h"

void ticket_lock_init(struct ticket_lock *lock)
{
    lock->next_ticket = 0;
    lock->now_serving = 0;
    pthread_mutex_init(&lock->guard, NULL);
    pthread_cond_init(&lock->called, NULL);
}

void ticket_lock_destroy(struct ticket_lock *lock)
{
    pthread_cond_destroy(&lock->called);
    pthread_mutex_destroy(&lock->guard);
}

unsigned ticket_take(struct ticket_lock *lock)
{
    pthread_mutex_lock(&lock->guard);
    unsigned mine = lock->next_ticket++;
    pthread_mutex_unlock(&lock->guard);
    return mine;
}

void ticket_wait(struct ticket_lock *lock, unsigned ticket)
{
    pthread_mutex_lock(&lock->guard);
    while (lock->now_serving != ticket) /* not my turn yet */
        pthread_cond_wait(&lock->called, &lock->guard);
    pthread_mutex_unlock(&lock->guard);
}

void ticket_lock(struct ticket_lock *lock)
{
    ticket_wait(lock, ticket_take(lock));
}

void ticket_unlock(struct ticket_lock *lock)
{
    pthread_mutex_lock(&lock->guard);
    lock->now_serving++;                    /* call the next number */
    pthread_cond_broadcast(&lock->called); /* every waiter looks; the one it is goes in */
    pthread_mutex_unlock(&lock->guard);
}
