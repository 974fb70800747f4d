/* Columns of text that may be Chinese: printf's %-*s pads by bytes, and a
 * Chinese character takes three bytes but two columns.  These pad by the
 * display width (wrap.h's display_width). */
#ifndef CONCDEMO_COLUMNS_H
#define CONCDEMO_COLUMNS_H

#include <stdio.h>

/* The columns `text` takes on a terminal. */
int text_width(const char *text);

/* Prints `text`, then spaces up to `columns` columns (none if it is wider);
 * as fprintf(out, "%-*s", columns, text) does for ASCII. */
void pad_to(FILE *out, const char *text, int columns);

#endif
