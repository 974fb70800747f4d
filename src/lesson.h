/* The lesson contract, and the lesson table.
 *
 * A lesson is one file in demos/ that defines a `struct lesson NAME_lesson`.
 * It declares its options as specs (options.h); the engine parses and checks
 * them, prints the header, runs the lesson on the lesson clock (clock.h) and
 * sets the exit status.  The lesson prints with say(), note(), result() and
 * result_at_end() (transcript.h), and starts its threads with a team (team.h).
 * say() and note() print their text in the reader's language (i18n.h); the
 * lesson's summary, source and explanation are marked N_("...") for that,
 * and any other text a person reads _("...").  result: lines never change.
 *
 * To add a lesson: write demos/NAME.c (a primitive that it builds by hand
 * and another lesson may use goes in demos/primitives/), add X(NAME) to
 * LESSON_TABLE below, add tests/NAME.bats, and its section in man/concdemo.1
 * and README.md. */
#ifndef CONCDEMO_LESSON_H
#define CONCDEMO_LESSON_H

#include "clock.h"
#include "dice.h"
#include "events.h"
#include "i18n.h"
#include "options.h"
#include "process.h"
#include "refusal.h"
#include "team.h"
#include "transcript.h"

struct lesson {
    const char *name;        /* the subcommand: "race" */
    const char *summary;     /* one line, for `list` and the header */
    const char *source;      /* where in the articles it comes from */
    const struct option_spec *options; /* ends with OPTIONS_END */
    const char *results;     /* the keys of its result: lines, documented */
    const char *explanation; /* a few paragraphs, for help and --explain */

    /* Optional: checks that involve several options, and defaults that depend
     * on other options.  Returns NULL, or the one-line reason for exit 2. */
    const char *(*check)(void);

    /* How long a run at the defaults takes at speed 1, in seconds, as
     * measured (the least of several runs): { 12 }, or { 45, 100 } where it
     * varies with --seed.  `list` shows it: "about 12 s", "45 to 100 s",
     * "under 1 s"; tests/find.bats keeps it honest. */
    double runs_for[2];

    /* Optional: the width of the actor column, if some names pass 8 characters. */
    int actor_width;

    /* Runs the lesson.  Returns 0 if it ran (even when what it shows is a
     * failure), 1 if the system refused it what it needed. */
    int (*run)(void);
};

/* A lesson in parts (rlock, condition, queue, pipe) lists them in order;
 * run_parts() runs the one --part names, or all of them for "all", until one
 * fails or the lesson is stopped.  Returns the first non-zero status. */
struct lesson_part {
    const char *name;
    int (*run)(void);
};

int run_parts(const struct lesson_part *parts, size_t count);

/* The status of a part that could not start what it needed (a thread, a
 * process, a pool): 1, said on stderr already; or 0 if a stop did it. */
int not_started(void);
#define RUN_PARTS(parts) run_parts(parts, sizeof parts / sizeof *parts)

/* The lesson table, in teaching order: one line per lesson. */
#define LESSON_TABLE(X) \
    X(thread) \
    X(daemon) \
    X(gil) \
    X(race) \
    X(mutex) \
    X(rlock) \
    X(semaphore) \
    X(event_traffic_light) \
    X(condition) \
    X(barrier) \
    X(timer) \
    X(process) \
    X(queue) \
    X(pipe) \
    X(manager) \
    X(process_lock) \
    X(pool) \
    X(coroutine) \
    X(deadlock) \
    X(livelock) \
    X(starvation)

#define DECLARE_LESSON(id) extern const struct lesson id##_lesson;
LESSON_TABLE(DECLARE_LESSON)
#undef DECLARE_LESSON

/* The table as an array, in teaching order (main.c), for whatever walks the
 * lessons: dispatch, list, completion, the tour. */
extern const struct lesson *const lesson_table[];
extern const int lesson_count;

/* The place in lesson_table of the lesson named by the first `length` bytes
 * of `name`, or -1. */
int lesson_index(const char *name, size_t length);

/* "concdemo race": the prefix of the running lesson's diagnostics. */
const char *lesson_who(void);

#endif
