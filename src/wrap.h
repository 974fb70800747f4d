/* Width: every line the program prints for people fits the screen.
 *
 *   [  0.418] main     num = 19868, expected 20000; 132 increments
 *                      vanished                     <- a hanging indent,
 *                      # t-811 and t-812 both read     under the text
 *                        810 and both wrote 811
 *
 * The width is $COLUMNS when it is a number from 20 to 1000, else the
 * terminal's own (stdout's), else 80 (then `list` alone does not wrap).
 * Widths are display columns: colour escapes take none, a Chinese character
 * two.  Nothing here depends on the process's locale. */
#ifndef CONCDEMO_WRAP_H
#define CONCDEMO_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The width to fit, in columns: worked out once, then remembered. */
int output_width(void);

/* Whether COLUMNS or a terminal chose that width, rather than the default 80
 * that output to a pipe or a file gets. */
bool output_width_chosen(void);

/* Display columns of the first n bytes of UTF-8 text s (colour escapes
 * skipped; East Asian wide characters count 2, combining marks 0). */
int display_width(const char *s, size_t n);

/* One logical line, wrapped at spaces: its first line starts at column
 * first_col (what is already printed before it); continuation lines start
 * with `indent` spaces.  A '\n' in text is a hard break, continued at the
 * indent too.  A word wider than the room is left whole, on a line of its
 * own.  Returns a malloc'd string without a final newline, or NULL if
 * memory is short. */
char *wrap_line(const char *text, int first_col, int indent, int width);

/* Text of paragraphs (a lesson's explanation), reflowed to the width:
 * paragraphs (split by blank lines) are kept; within one, lines are joined
 * and wrapped, except that a line starting with a space (code, a table) is
 * kept as it is unless too long, and a line starting with '-' begins a new
 * line.  Every line is prefixed with `indent` spaces.  Returns a malloc'd
 * string ending in a newline, or NULL if memory is short. */
char *wrap_paragraphs(const char *text, int indent, int width);

/* fputs() of wrap_line(text, first_col, indent, output_width()) and a
 * newline; the text unwrapped if memory is short. */
void print_wrapped(FILE *out, const char *text, int first_col, int indent);

/* fputs() of wrap_paragraphs(text, 0, output_width()). */
void print_paragraphs(FILE *out, const char *text);

/* Help text, fitted: each line wider than the width is wrapped, its
 * continuations at column `hang`, or, when hang is -1, under the text
 * after a column gap ("  --threads N          threads, ..."), else after
 * a short label ("from: "), else under its own first character.  Lines
 * that fit are printed as they are. */
void print_fitted(FILE *out, const char *text, int hang);

/* A memory stream to print help into, then fitted to `out`:
 *     char *buf; size_t size; FILE *m = fit_begin(&buf, &size);
 *     print_overview(m); fit_end(m, &buf, stdout, -1);
 * fit_begin returns NULL if memory is short (print straight to out then). */
FILE *fit_begin(char **buffer, size_t *size);
void fit_end(FILE *memory, char *const *buffer, FILE *out, int hang);

#endif
