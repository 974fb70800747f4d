#include "wrap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int width_found;
static bool width_chosen; /* by COLUMNS or by the terminal, not the default */
static pthread_once_t width_once = PTHREAD_ONCE_INIT;

static void find_width(void)
{
    width_found = 80;
    const char *columns = getenv("COLUMNS");
    if (columns && *columns) {
        char *end;
        long n = strtol(columns, &end, 10);
        if (*end == '\0' && n >= 20 && n <= 1000) {
            width_found = (int)n;
            width_chosen = true;
            return;
        }
    }
    struct winsize size;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20)
    {
        width_found = size.ws_col > 1000 ? 1000 : size.ws_col;
        width_chosen = true;
    }
}

int output_width(void)
{
    pthread_once(&width_once, find_width);
    return width_found;
}

bool output_width_chosen(void)
{
    pthread_once(&width_once, find_width);
    return width_chosen;
}

/* -- display width ----------------------------------------------------------- */

/* East Asian wide and fullwidth characters: two columns. */
static bool is_wide(unsigned long c)
{
    static const unsigned long ranges[][2] = {
        { 0x1100, 0x115f },   { 0x2e80, 0x303e },   { 0x3041, 0x33ff },   { 0x3400, 0x4dbf },
        { 0x4e00, 0x9fff },   { 0xa000, 0xa4cf },   { 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },
        { 0xfe30, 0xfe4f },   { 0xff00, 0xff60 },   { 0xffe0, 0xffe6 },   { 0x1f300, 0x1f64f },
        { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
    };
    for (size_t k = 0; k < sizeof ranges / sizeof *ranges; k++)
        if (c >= ranges[k][0] && c <= ranges[k][1])
            return true;
    return false;
}

static bool is_combining(unsigned long c)
{
    return (c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f);
}

int display_width(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    int width = 0;
    while (p < end) {
        if (*p == 0x1b) { /* ESC [ parameters final: a colour, no columns */
            p++;
            if (p < end && *p == '[') {
                p++;
                while (p < end && !(*p >= 0x40 && *p <= 0x7e))
                    p++;
                if (p < end)
                    p++;
            }
            continue;
        }
        if (*p < 0x80) {
            width += *p >= 0x20 && *p != 0x7f;
            p++;
            continue;
        }
        int more = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
        unsigned long c = *p & (more == 3 ? 0x07 : more == 2 ? 0x0f : 0x1f);
        p++;
        for (int k = 0; k < more && p < end && (*p & 0xc0) == 0x80; k++, p++)
            c = (c << 6) | (*p & 0x3f);
        if (more == 0) /* a stray byte: shown as one replacement character */
            width += 1;
        else
            width += is_wide(c) ? 2 : is_combining(c) ? 0 : 1;
    }
    return width;
}

/* -- a growing string ---------------------------------------------------------- */

struct text {
    char *s;
    size_t len, cap;
    bool failed;
};

static void add(struct text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *bigger = realloc(t->s, cap);
        if (!bigger) {
            t->failed = true;
            return;
        }
        t->s = bigger;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void add_spaces(struct text *t, int n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        int k = n < (int)sizeof spaces - 1 ? n : (int)sizeof spaces - 1;
        add(t, spaces, (size_t)k);
        n -= k;
    }
}

static char *finish(struct text *t)
{
    if (t->failed) {
        free(t->s);
        return NULL;
    }
    if (!t->s)
        add(t, "", 0);
    return t->failed ? NULL : t->s;
}

/* -- wrapping ---------------------------------------------------------------- */

/* The character at p (UTF-8): its code, and how many bytes it takes. */
static int char_at(const char *p, unsigned long *code)
{
    const unsigned char *u = (const unsigned char *)p;
    int more = *u >= 0xf0 ? 3 : *u >= 0xe0 ? 2 : *u >= 0xc0 ? 1 : 0;
    unsigned long c = *u & (more == 3 ? 0x07 : more == 2 ? 0x0f : more == 1 ? 0x1f : 0xff);
    int n = 1;
    for (; n <= more && (u[n] & 0xc0) == 0x80; n++)
        c = (c << 6) | (u[n] & 0x3f);
    *code = c;
    return n;
}

/* Chinese punctuation that a line may not start with, and that may not end one. */
static bool closes(unsigned long c)
{
    return c == 0xff0c || c == 0x3002 || c == 0x3001 || c == 0xff1b || c == 0xff1a || c == 0xff01 ||
           c == 0xff1f || c == 0xff09 || c == 0x300d || c == 0x300f || c == 0x300b || c == 0x3009 ||
           c == 0x201d || c == 0x2019 || c == 0x2026;
}
static bool opens(unsigned long c)
{
    return c == 0xff08 || c == 0x300c || c == 0x300e || c == 0x300a || c == 0x3008 || c == 0x201c || c == 0x2018;
}

/* Where the word that starts at p ends: at a space or a newline, as in
 * English, or between two characters either of which is wide: Chinese has
 * no spaces, and a line may break between any two of its characters
 * (though not before a closing mark like ，or after an opening one like （). */
static const char *word_end(const char *p)
{
    unsigned long before = 0, c;
    while (*p && *p != ' ' && *p != '\n') {
        int n = char_at(p, &c);
        if (before && (is_wide(before) || is_wide(c)) && !closes(c) && !opens(before))
            break;
        before = c;
        p += n;
    }
    return p;
}

static void wrap_into(struct text *out, const char *text, int first_col, int indent, int width)
{
    int col = first_col;
    bool has_word = false;
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            add(out, "\n", 1);
            add_spaces(out, indent);
            col = indent;
            has_word = false;
            p++;
            continue;
        }
        const char *gap = p;
        while (*p == ' ')
            p++;
        int gap_width = (int)(p - gap);
        if (*p == '\0' || *p == '\n')
            continue; /* spaces at the end of a line are dropped */
        const char *word = p;
        p = word_end(word);
        int word_width = display_width(word, (size_t)(p - word));
        if (has_word && col + gap_width + word_width > width) {
            add(out, "\n", 1);
            add_spaces(out, indent);
            col = indent;
        } else {
            add(out, gap, (size_t)gap_width);
            col += gap_width;
        }
        /* Still too wide: a list ("a|b|c", "1,2,3") breaks after a '|' or a ','. */
        while (col + word_width > width) {
            const char *cut = NULL;
            for (const char *q = word; q + 1 < p; q++)
                if ((*q == '|' || *q == ',') && col + display_width(word, (size_t)(q + 1 - word)) <= width)
                    cut = q + 1;
            if (!cut)
                break;
            add(out, word, (size_t)(cut - word));
            add(out, "\n", 1);
            add_spaces(out, indent);
            col = indent;
            word = cut;
            word_width = display_width(word, (size_t)(p - word));
        }
        add(out, word, (size_t)(p - word));
        col += word_width;
        has_word = true;
    }
}

char *wrap_line(const char *text, int first_col, int indent, int width)
{
    struct text out = { 0 };
    wrap_into(&out, text, first_col, indent, width);
    return finish(&out);
}

/* Chinese lines join with no space between them: the text so far ends in a
 * wide character, or the next line begins with one. */
static bool joins_without_space(const struct text *so_far, const char *next)
{
    size_t start = so_far->len;
    while (start > 0 && ((unsigned char)so_far->s[start - 1] & 0xc0) == 0x80)
        start--;
    unsigned long last = 0, first;
    if (start > 0)
        char_at(so_far->s + start - 1, &last);
    char_at(next, &first);
    return is_wide(last) || is_wide(first);
}

/* A paragraph: its lines as written, and the same joined into one line. */
struct paragraph {
    struct text written, joined;
};

/* A paragraph whose lines all fit keeps its author's line breaks; one with
 * a line too long is reflowed whole. */
static void flush_paragraph(struct text *out, struct paragraph *para, int indent, int width)
{
    if (para->joined.len == 0)
        return;
    bool fits = true;
    for (const char *line = para->written.s; fits && line && *line;) {
        size_t n = strcspn(line, "\n");
        fits = indent + display_width(line, n) <= width;
        line += n + (line[n] == '\n');
    }
    if (fits && !para->written.failed) {
        for (const char *line = para->written.s; *line;) {
            size_t n = strcspn(line, "\n");
            add_spaces(out, indent);
            add(out, line, n);
            add(out, "\n", 1);
            line += n + (line[n] == '\n');
        }
    } else {
        add_spaces(out, indent);
        wrap_into(out, para->joined.s, indent, indent, width);
        add(out, "\n", 1);
    }
    out->failed |= para->joined.failed || para->written.failed;
    para->joined.len = para->written.len = 0;
    para->joined.s[0] = '\0';
    if (para->written.s)
        para->written.s[0] = '\0';
}

char *wrap_paragraphs(const char *text, int indent, int width)
{
    struct text out = { 0 };
    struct paragraph para = { { 0 }, { 0 } };
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        size_t blank = strspn(line, " ");
        if (blank >= n) { /* an empty line: the end of a paragraph */
            flush_paragraph(&out, &para, indent, width);
            add(&out, "\n", 1);
        } else if (line[0] == ' ') { /* code or a table: kept, unless too long */
            flush_paragraph(&out, &para, indent, width);
            add_spaces(&out, indent);
            if (indent + display_width(line, n) <= width) {
                add(&out, line, n);
            } else {
                char *copy = strndup(line, n);
                if (copy)
                    wrap_into(&out, copy, indent, indent + (int)blank, width);
                else
                    out.failed = true;
                free(copy);
            }
            add(&out, "\n", 1);
        } else {
            if (line[0] == '-')
                flush_paragraph(&out, &para, indent, width);
            if (para.joined.len > 0) { /* joined: two spaces after a sentence, as the texts are written */
                char last = para.joined.s[para.joined.len - 1];
                if (!joins_without_space(&para.joined, line))
                    add(&para.joined, "  ", last == '.' || last == '?' || last == '!' ? 2 : 1);
            }
            add(&para.joined, line, n);
            add(&para.written, line, n);
            add(&para.written, "\n", 1);
        }
        line += n + (line[n] == '\n');
    }
    flush_paragraph(&out, &para, indent, width);
    free(para.joined.s);
    free(para.written.s);
    return finish(&out);
}

void print_wrapped(FILE *out, const char *text, int first_col, int indent)
{
    char *wrapped = wrap_line(text, first_col, indent, output_width());
    fputs(wrapped ? wrapped : text, out);
    fputc('\n', out);
    free(wrapped);
}

void print_paragraphs(FILE *out, const char *text)
{
    char *wrapped = wrap_paragraphs(text, 0, output_width());
    fputs(wrapped ? wrapped : text, out);
    free(wrapped);
}

/* -- help text, fitted line by line ----------------------------------------- */

/* The column of the text after a column gap ("  --threads N          threads"),
 * or -1 if the line has none. */
static int gap_column(const char *line, size_t n)
{
    size_t lead = strspn(line, " ");
    for (size_t k = lead; k + 2 < n; k++)
        if (line[k] != ' ' && line[k + 1] == ' ' && line[k + 2] == ' ') {
            size_t text = k + 1 + strspn(line + k + 1, " ");
            return text < n ? display_width(line, text) : -1;
        }
    return -1;
}

/* The column after a short label at the start of the line ("from: ",
 * "result keys: "), or -1. */
static int label_column(const char *line, size_t n, int width)
{
    size_t lead = strspn(line, " ");
    for (size_t k = lead; k + 1 < n && display_width(line, k) < width / 2; k++) {
        if (line[k] == ' ' && line[k + 1] != ' ')
            continue;
        if (line[k] == ':' && line[k + 1] == ' ')
            return display_width(line, k + 2);
        if (k + 3 < n && memcmp(line + k, "\xef\xbc\x9a", 3) == 0) /* U+FF1A, the Chinese colon */
            return display_width(line, k + 3);
        if (line[k] == ' ')
            break;
    }
    return -1;
}

/* Prose: at the left margin, with no column gap. */
static bool is_prose(const char *line, size_t n)
{
    return n > 0 && line[0] != ' ' && gap_column(line, n) < 0;
}

void print_fitted(FILE *out, const char *text, int hang)
{
    int width = output_width();
    int table_column = -1; /* the text column of the last line with a column gap */
    size_t table_lead = 0;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        /* Lines of prose that go on: a paragraph, reflowed whole if a line is too wide. */
        const char *end = line + n;
        bool too_wide = display_width(line, n) > width;
        int lines = 1;
        if (hang < 0 && is_prose(line, n))
            while (*end == '\n' && is_prose(end + 1, strcspn(end + 1, "\n")) &&
                   label_column(end + 1, strcspn(end + 1, "\n"), width) < 0) {
                size_t m = strcspn(end + 1, "\n");
                too_wide |= display_width(end + 1, m) > width;
                end += 1 + m;
                lines++;
            }
        char *copy = strndup(line, (size_t)(end - line));
        char *wrapped = NULL;
        if (copy && too_wide && lines > 1) {
            wrapped = wrap_paragraphs(copy, 0, width); /* ends with a newline */
            if (wrapped && *wrapped)
                wrapped[strlen(wrapped) - 1] = '\0';
        } else if (copy && too_wide) {
            int indent = hang;
            if (indent < 0) {
                size_t lead = strspn(copy, " ");
                int gap = gap_column(copy, n), label = label_column(copy, n, width);
                if (gap >= 0 && (gap <= width / 2 || gap <= width - 20))
                    indent = gap;
                else if (gap < 0 && table_column >= 0 && lead == table_lead && (size_t)table_column < n &&
                         copy[table_column - 1] == ' ')
                    indent = table_column; /* a row of the table above, whose name filled its column */
                else if (label >= 0)
                    indent = label;
                else
                    indent = display_width(copy, lead);
            }
            wrapped = wrap_line(copy, 0, indent, width);
        }
        if (copy && lines == 1) {
            int gap = gap_column(copy, n);
            if (gap >= 0) {
                table_column = gap;
                table_lead = strspn(copy, " ");
            } else if (n == 0) {
                table_column = -1;
            }
        }
        if (wrapped)
            fputs(wrapped, out);
        else
            fwrite(line, 1, (size_t)(end - line), out);
        if (*end == '\n')
            fputc('\n', out);
        free(wrapped);
        free(copy);
        line = end + (*end == '\n');
    }
}

FILE *fit_begin(char **buffer, size_t *size)
{
    *buffer = NULL;
    return open_memstream(buffer, size);
}

void fit_end(FILE *memory, char *const *buffer, FILE *out, int hang)
{
    if (fclose(memory) == 0 && *buffer)
        print_fitted(out, *buffer, hang);
    free(*buffer);
}
