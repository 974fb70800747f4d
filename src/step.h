/* step: --step, classroom pacing.  After each event the lesson waits for
 * Enter on the terminal (/dev/tty, so that a piped stdin does not matter);
 * the thread that spoke stops there, and every other thread stops before
 * its next line, so the teacher talks over a frozen state.  Lesson time
 * runs on while paused, and forked children do not pause.  q ends it. */
#ifndef CONCDEMO_STEP_H
#define CONCDEMO_STEP_H
#include <stdbool.h>

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
#endif
