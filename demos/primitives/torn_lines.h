/* torn_lines: what the process-lock lesson reads back from a pipe that
 * several processes wrote lines to, a piece at a time, and the start gun
 * that lets those processes go at once. */
#ifndef CONCDEMO_TORN_LINES_H
#define CONCDEMO_TORN_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* A pipe whose end of file says "go": each writer waits in
 * start_gun_wait() until the parent calls start_gun_fire(). */
struct start_gun {
    int wait_end, fire_end;
};
bool start_gun_load(struct start_gun *gun);
void start_gun_wait(struct start_gun *gun); /* in a child: close fire_end, wait, close wait_end */
void start_gun_fire(struct start_gun *gun); /* in the parent: close both ends */

/* Everything read from fd until end of file, '\0'-ended: malloc'd, or NULL
 * (errno set). */
char *read_to_end(int fd, size_t *length);

/* The lines of `text`, each checked against "hello world N" with N one of
 * 0 .. processes-1: `torn` counts those that read otherwise (pieces of
 * several lines run together, or a line missing its pieces); `first_torn`
 * is the first of them (or NULL), cut at its newline. */
struct line_tally {
    int lines, torn;
    const char *first_torn;
    size_t first_torn_length;
};
void tally_lines(const char *text, int processes, struct line_tally *tally);

#endif
