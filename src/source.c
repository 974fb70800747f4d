/* source: `concdemo source LESSON`, and the article's program that the
 * tour shows, both from the lesson files built into the binary. */
#include "source.h"

#include "i18n.h"
#include "options.h"

#include <errno.h>
#include <string.h>

const struct embedded_source *source_find(const char *lesson)
{
    for (int k = 0; k < embedded_source_count; k++)
        if (strcmp(embedded_sources[k].name, lesson) == 0)
            return &embedded_sources[k];
    return NULL;
}

int source_main(int argc, char **argv)
{
    char shown[64];
    if (argc == 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(_("usage: concdemo source LESSON   print the lesson's C source, demos/LESSON.c,\n"
                "                                the article's Python program at its top\n"),
              stdout);
        return 0;
    }
    if (argc != 1) {
        if (argc == 0)
            fputs(_("concdemo source: which lesson? (see 'concdemo list')\n"), stderr);
        else
            fprintf(stderr, _("concdemo source: one lesson at a time, not '%s' (see 'concdemo list')\n"),
                    printable(argv[1], shown, sizeof shown));
        return 2;
    }
    const struct embedded_source *source = source_find(argv[0]);
    if (!source) {
        fprintf(stderr, _("concdemo source: no lesson named '%s' (see 'concdemo list')\n"), printable(argv[0], shown, sizeof shown));
        return 2;
    }
    if (fwrite(source->bytes, 1, source->length, stdout) != source->length || fflush(stdout) != 0) {
        if (errno == EPIPE)
            return 0; /* the reader went away: end quietly */
        fprintf(stderr, _("concdemo source: cannot write %s: %s\n"), source->path, strerror(errno));
        return 1;
    }
    return 0;
}

/* The text of a head-comment line: after " * " (or " *" alone). */
static bool comment_text(const char *line, size_t length, const char **text, size_t *text_length)
{
    if (length >= 3 && strncmp(line, " * ", 3) == 0) {
        *text = line + 3;
        *text_length = length - 3;
        return true;
    }
    if (length == 2 && strncmp(line, " *", 2) == 0) {
        *text = line + 2;
        *text_length = 0;
        return true;
    }
    return false;
}

/* The lessons' head comments introduce the article's program in one of
 * these lines; printed, each is translated whole (an unknown one is printed
 * as it is, and CONCDEMO_UNTRANSLATED=1 names it). */
static const char *const program_labels[] __attribute__((unused)) = {
    N_("The article's program:"),
    N_("The article's program (seed 000):"),
    N_("The article's program (seed 000 §2.1.2):"),
    N_("The article's program (seed 000 §3.2, a Manager):"),
    N_("The article's program (seed 000, greenlet):"),
    N_("The article's program (seed 002):"),
    N_("The article's program (seed 002), in part:"),
    N_("The article's program (seed 002), mended as the note below says:"),
    N_("The article's program (seed 002, its FAQ's pseudo-code of the interpreter):"),
    N_("The article's program (seed 003 gives none: this is the lesson's, in Python):"),
    N_("The article's program, re-created from its text:"),
    N_("The article's program, re-created from that picture:"),
    N_("The article's program, which seed 003 gives in words, not in code:"),
};

bool source_print_snippet(FILE *out, const char *lesson, const char *indent)
{
    const struct embedded_source *source = source_find(lesson);
    if (!source)
        return false;
    static const char label[] = "The article's program";
    const char *text = (const char *)source->bytes;
    const char *end = text + source->length;
    const char *comment_end = strstr(text, "*/"); /* the head comment only */
    if (comment_end && comment_end < end)
        end = comment_end;
    bool found = false;
    size_t blank_lines = 0; /* held back: none is printed after the block */
    for (const char *line = text; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        size_t length = (size_t)((newline ? newline : end) - line);
        const char *body;
        size_t body_length;
        bool in_comment = comment_text(line, length, &body, &body_length);
        if (!found) {
            if (in_comment && body_length >= sizeof label && strncmp(body, label, sizeof label - 1) == 0 &&
                body[body_length - 1] == ':') {
                found = true;
                char shown[256];
                snprintf(shown, sizeof shown, "%.*s", (int)body_length, body);
                fprintf(out, "%s%s\n", indent, _(shown));
            }
        } else if (in_comment && body_length == 0) {
            blank_lines++;
        } else if (in_comment && body_length > 4 && strncmp(body, "    ", 4) == 0) {
            for (; blank_lines; blank_lines--)
                fprintf(out, "\n");
            fprintf(out, "%s%.*s\n", indent, (int)body_length, body);
        } else {
            break;
        }
        line += length + 1;
    }
    return found;
}
