/* threading.Event: see event.h. */
#include "event.h"

#include "lesson.h"

void event_init(struct event *e)
{
    e->flag = false;
    pthread_mutex_init(&e->lock, NULL);
    monotonic_cond_init(&e->flag_set); /* so that wait(timeout) counts lesson time */
}

void event_set(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    e->flag = true;
    pthread_cond_broadcast(&e->flag_set);
    pthread_mutex_unlock(&e->lock);
}

void event_clear(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    e->flag = false;
    pthread_mutex_unlock(&e->lock);
}

bool event_is_set(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    bool flag = e->flag;
    pthread_mutex_unlock(&e->lock);
    return flag;
}

void event_wait(struct event *e)
{
    pthread_mutex_lock(&e->lock);
    while (!e->flag) /* a condition variable may wake for nothing: look again */
        pthread_cond_wait(&e->flag_set, &e->lock);
    pthread_mutex_unlock(&e->lock);
}

bool event_wait_until(struct event *e, const struct timespec *deadline)
{
    pthread_mutex_lock(&e->lock);
    int timed_out = 0;
    while (!e->flag && !timed_out)
        timed_out = pthread_cond_timedwait(&e->flag_set, &e->lock, deadline);
    bool flag = e->flag;
    pthread_mutex_unlock(&e->lock);
    return flag;
}

bool event_wait_timeout(struct event *e, double seconds)
{
    struct timespec deadline = lesson_timeout(seconds, CLOCK_MONOTONIC);
    return event_wait_until(e, &deadline);
}

void event_destroy(struct event *e)
{
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->flag_set);
}
