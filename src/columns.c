#include "columns.h"

#include "wrap.h"

#include <string.h>

int text_width(const char *text)
{
    return display_width(text, strlen(text));
}

void pad_to(FILE *out, const char *text, int columns)
{
    fputs(text, out);
    for (int w = text_width(text); w < columns; w++)
        fputc(' ', out);
}
