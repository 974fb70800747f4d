/* "Did you mean ...?": the names close to a mistyped one.
 *
 * Close means: the same but for case; or a prefix of a name, at least two
 * characters long; or within an edit distance that grows with the length
 * typed (1 up to 5 characters, 2 up to 8, else 3), where an edit is a
 * character inserted, deleted or changed, or two neighbours swapped
 * (optimal string alignment).  Only the closest names are suggested. */
#ifndef CONCDEMO_SUGGEST_H
#define CONCDEMO_SUGGEST_H

#include <stddef.h>

struct suggestion {
    const char *best[3]; /* the closest names, in the order they were offered */
    int count;           /* how many: 0 if nothing was close */
    int score;           /* how close they are: lower is closer */
};

void suggestion_start(struct suggestion *s);

/* Weigh one candidate name against what was typed. */
void suggestion_offer(struct suggestion *s, const char *typed, const char *name);

/* "; did you mean 'race'?", "; did you mean '--threads' or '--timeline'?",
 * each quoted name led by `lead` ("--" for options), or "" if nothing was
 * close.  Returns buf. */
const char *suggestion_text(const struct suggestion *s, const char *lead, char *buf, size_t size);

/* The optimal string alignment distance between a and b, counted in bytes;
 * stops counting at `limit` + 1 (a far pair costs little). */
int edit_distance(const char *a, const char *b, int limit);

#endif
