/* When the system refuses a lesson what it needs -- memory, a descriptor --
 * the lesson ends with status 1 and one line on stderr that says what was
 * refused, the limit in force (ulimit -v, ulimit -n), and what to try.
 * Threads and processes have their own: report_thread_refusal (team.h) and
 * report_process_refusal (process.h). */
#ifndef CONCDEMO_REFUSAL_H
#define CONCDEMO_REFUSAL_H

/* report_no_memory("ask for fewer", "%ld threads", n):
 * "race: no memory for 20000 threads (ulimit -v is 5000 KB); raise it, or
 * ask for fewer".  With no advice (NULL): raise it, or free some memory. */
void report_no_memory(const char *advice, const char *what, ...) __attribute__((format(printf, 2, 3)));

/* "pipe: the system refused a pipe (Too many open files); ulimit -n is 4;
 * raise it, or ask for fewer processes" */
void report_no_descriptor(const char *what, int error);

#endif
