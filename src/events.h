/* events: what each actor was doing, and when -- for --timeline, --trace
 * and --step.
 *
 * The transcript records every line it prints as an instant.  A lesson also
 * marks spans, what an actor is doing for a while:
 *
 *     span_begin("t-3", SPAN_WAITING);   sem_wait(&sem);
 *     span_end("t-3", SPAN_WAITING);     span_begin("t-3", SPAN_HOLDING); ...
 *
 * and values that change (value_changed("holders", 4)), and a signal that wakes
 * another actor (flow_out / flow_in with one id).  None of it costs more
 * than a test of one flag unless --timeline or --trace asked for it.  The
 * record lives in shared memory, so forked children add to it too. */
#ifndef CONCDEMO_EVENTS_H
#define CONCDEMO_EVENTS_H
#include <stdbool.h>
#include <stdio.h>

/* The spans the timeline knows how to draw; any other name is drawn with
 * its first letter. */
#define SPAN_RUNNING "running"     /* = doing its work */
#define SPAN_TASK "running a task" /* = a pool's worker, on a task */
#define SPAN_ACQUIRING "acquiring" /* + asking for a lock */
#define SPAN_HOLDING "holding"     /* # holding a lock or a permit */
#define SPAN_WAITING "waiting"     /* ~ waiting for a condition, an event, a queue, a pipe */
#define SPAN_SLEEPING "sleeping"   /* . sleeping */

bool events_on(void);
void span_begin(const char *actor, const char *what);
void span_end(const char *actor, const char *what);
void value_changed(const char *name, long value);
void flow_out(const char *actor, long id);
void flow_in(const char *actor, long id);

/* For the engine. */
bool events_start(void);                          /* false if memory is short */
void events_instant(const char *actor, const char *kind, const char *text); /* a transcript line */
void events_process_gone(int pid);                /* a child was reaped: its open spans end */
long events_dropped(void);                        /* past the record's capacity */
void events_write_trace(FILE *out, const char *lesson); /* Chrome's JSON */
void events_draw_timeline(FILE *out, int width, bool color);
void events_stop(void);
#endif
