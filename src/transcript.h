/* The transcript: timed, annotated, thread-safe output.
 *
 *   [  0.418] main     joined all 20000 threads          <- say()
 *                      # 132 increments vanished ...     <- note()
 *   result: num=19868 expected=20000 lost=132            <- result()
 *
 * Every line is built whole and written with one write(2), so lines from two
 * threads never run together.  With --format jsonl each line is instead one
 * JSON object carrying the same content. */
#ifndef CONCDEMO_TRANSCRIPT_H
#define CONCDEMO_TRANSCRIPT_H

#include <stdbool.h>

enum transcript_format { FORMAT_TEXT, FORMAT_JSONL };

/* actor_width: the actor column's width (0: the usual 8). */
void transcript_open(enum transcript_format format, bool color, bool quiet, int actor_width);

/* --color's choice: "always", "never", or "auto": on when stdout is a
 * terminal, unless NO_COLOR is set or TERM is dumb. */
bool color_wanted(const char *when);

/* The first two lines: what the lesson does, and every effective parameter. */
void transcript_header(const char *lesson, const char *summary, const char *params);

/* The lesson's explanation (--explain), printed before the header. */
void transcript_explanation(const char *text);

/* An event: "[lesson-seconds] actor text". */
void say(const char *actor, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An event whose text is painted with an SGR code ("42;1": bold on a green
 * background) when colour is on; plain otherwise, and in jsonl. */
void say_in_color(const char *actor, const char *sgr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A note that says why, under the last event.  In jsonl its actor is the one
 * this thread last spoke as. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "result: key=value key=value", no spaces inside values.  In jsonl the pairs
 * are also given as "data", numbers as numbers.  Dropped once the lesson was
 * interrupted: a half-run's numbers would mislead. */
void result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A result kept until the lesson ends, for a lesson in parts: each part
 * reports as it ends, and the results still come last, in that order. */
void result_at_end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the kept results (the engine calls it after a lesson that ran), or
 * only drop them. */
void transcript_flush_results(bool print);

/* The actor this thread last spoke as, or NULL if it never spoke: for a
 * span marked by shared code that does not know whose thread it runs on. */
const char *transcript_actor(void);
/* For a forked child: it has not spoken yet, whoever its parent spoke as. */
void transcript_forget_actor(void);
/* True once stdout was found closed (a reader such as `head` went away). */
bool transcript_broken(void);

/* The errno of a write that failed for another reason than a reader gone
 * (EPIPE): a full disk, say.  0 if none. */
int transcript_write_error(void);

/* Reset the terminal's colour, if colour is on (after an interruption). */
void transcript_reset_color(void);

#endif
