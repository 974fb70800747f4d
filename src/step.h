/* step: --step, classroom pacing.  After each event the lesson waits for
 * Enter on the terminal (/dev/tty, so that a piped stdin does not matter);
 * the thread that spoke stops there, and every other thread stops before
 * its next line, so the teacher talks over a frozen state.  Lesson time
 * runs on while paused, and forked children do not pause.  q ends it. */
#ifndef CONCDEMO_STEP_H
#define CONCDEMO_STEP_H
#include <stdbool.h>
#include <sys/types.h>

/* The stop reason clock_request_stop() gets when q is pressed. */
enum { STOP_QUIT = 1000 };

/* Open the terminal.  Returns 0, or the errno that says why not. */
int step_open(void);
bool stepping(void);
/* Called by the transcript around an event line: enter before printing
 * it (another thread's pause holds this one back), then wait for Enter. */
void step_enter(void);
void step_pause_and_leave(void);
void step_close(void);

/* Wait until the terminal `tty` has input, then read what was typed (a line,
 * unless the terminal was set otherwise) into buf.  `wake`, if not -1, is a
 * descriptor whose becoming readable ends the wait: TTY_WOKEN.  Returns the
 * bytes read, 0 if the terminal went away, or -1 with errno (EINTR: a signal
 * came).  --step and the tour's pause read keys with it. */
enum { TTY_WOKEN = -2 };
ssize_t tty_read(int tty, int wake, char *buf, size_t size);
#endif
