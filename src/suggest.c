#include "suggest.h"

#include "i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { LONGEST = 64 }; /* names and typed words longer than this are never close */

int edit_distance(const char *a, const char *b, int limit)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > LONGEST || m > LONGEST)
        return limit + 1;
    if ((n > m ? n - m : m - n) > (size_t)limit)
        return limit + 1;
    /* Three rows of the table: two back for a swap, one back, this one. */
    int rows[3][LONGEST + 1];
    int *before = rows[0], *last = rows[1], *row = rows[2];
    for (size_t j = 0; j <= m; j++)
        last[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        row[0] = (int)i;
        int smallest = row[0];
        for (size_t j = 1; j <= m; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = last[j] + 1; /* deleted */
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1; /* inserted */
            if (last[j - 1] + cost < best)
                best = last[j - 1] + cost; /* kept or changed */
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && before[j - 2] + 1 < best)
                best = before[j - 2] + 1; /* two neighbours swapped */
            row[j] = best;
            if (best < smallest)
                smallest = best;
        }
        if (smallest > limit)
            return limit + 1;
        int *spare = before;
        before = last;
        last = row;
        row = spare;
    }
    return last[m] > limit ? limit + 1 : last[m];
}

void suggestion_start(struct suggestion *s)
{
    memset(s, 0, sizeof *s);
}

/* Scores: 0 the same but for case, 1 a prefix, then 1 + the edit distance. */
void suggestion_offer(struct suggestion *s, const char *typed, const char *name)
{
    size_t len = strlen(typed);
    int allowed = len <= 5 ? 1 : len <= 8 ? 2 : 3;
    int score;
    int distance = edit_distance(typed, name, allowed);
    if (distance == 0)
        score = 0;
    else if (len >= 2 && len < strlen(name) && strncmp(typed, name, len) == 0)
        score = 1;
    else if (distance <= allowed)
        score = 1 + distance;
    else
        return;
    if (s->count > 0 && score > s->score)
        return;
    if (s->count == 0 || score < s->score) {
        s->count = 0;
        s->score = score;
    }
    for (int k = 0; k < s->count; k++)
        if (strcmp(s->best[k], name) == 0)
            return; /* offered twice: a name two tables share */
    if (s->count < (int)(sizeof s->best / sizeof *s->best))
        s->best[s->count++] = name;
}

const char *suggestion_text(const struct suggestion *s, const char *lead, char *buf, size_t size)
{
    buf[0] = '\0';
    if (s->count == 0)
        return buf;
    /* "'race'", "'race' or 'rlock'", "'a', 'b' or 'c'" */
    char names[160];
    size_t used = 0;
    names[0] = '\0';
    for (int k = 0; k < s->count && used < sizeof names; k++) {
        const char *joint = k == 0 ? "" : k == s->count - 1 ? _(" or ") : _(", ");
        used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s%s'", joint, lead, s->best[k]);
    }
    snprintf(buf, size, _("; did you mean %s?"), names);
    return buf;
}
