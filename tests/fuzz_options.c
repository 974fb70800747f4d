/* libFuzzer harness for the option parser (src/options.c): `make fuzz`.
 * It drives options_parse() and the lesson's check(), not main(): the
 * quoting of a lesson name or a --trace path is tested in options.bats.
 *
 * An input is a lesson (its first byte, modulo the number of lessons) and its
 * arguments (the rest, split at NUL bytes).  Whatever the bytes, the parser
 * must not crash, and must keep the command line's contract:
 *   - refused: exactly one line on stderr, "concdemo LESSON: ...";
 *   - accepted: nothing on stderr, every whole number within its range, and
 *     a parameter line (the transcript's header) of one line. */
#include "lesson.h"
#include "options.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LESSON_POINTER(id) &id##_lesson,
static const struct lesson *const lessons[] = { LESSON_TABLE(LESSON_POINTER) };
enum { LESSON_COUNT = sizeof lessons / sizeof *lessons, MOST_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int holds, const char *what, const char *said)
{
    if (!holds) {
        fprintf(stderr, "fuzz_options: %s; stderr was: '%s'\n", what, said ? said : "");
        fflush(stderr);
        abort();
    }
}

static size_t count_lines(const char *text, size_t len)
{
    size_t lines = 0;
    for (size_t k = 0; k < len; k++)
        lines += text[k] == '\n';
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const struct lesson *lesson = lessons[data[0] % LESSON_COUNT];
    /* The arguments: copies, each ending in NUL, as argv's are. */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[MOST_ARGS];
    int argc = 0;
    for (char *p = text; p < text + size - 1 && argc < MOST_ARGS; p += strlen(p) + 1)
        argv[argc++] = p;

    char who[64];
    snprintf(who, sizeof who, "concdemo %s", lesson->name);
    char *said = NULL;
    size_t said_len = 0;
    FILE *real_stderr = stderr;
    stderr = open_memstream(&said, &said_len);
    bool accepted = options_parse(who, lesson->options, argc, argv);
    const char *problem = accepted && lesson->check ? lesson->check() : NULL;
    fclose(stderr);
    stderr = real_stderr;

    if (!accepted) {
        must(said_len > 0 && said[said_len - 1] == '\n' && count_lines(said, said_len) == 1,
             "a refusal is not exactly one line", said);
        must(strncmp(said, who, strlen(who)) == 0 && said[strlen(who)] == ':', "a refusal does not name the lesson", said);
    } else {
        must(said_len == 0, "an accepted command line printed on stderr", said);
        must(!problem || !strchr(problem, '\n'), "a check's reason is more than one line", problem);
        for (const struct option_spec *specs[] = { lesson->options, common_option_specs }, **set = specs; set < specs + 2; set++)
            for (const struct option_spec *s = *set; s->name; s++)
                if (s->type == OPT_INT)
                    must(option_int(s->name) >= s->min && option_int(s->name) <= s->max, "a whole number out of range",
                         s->name);
        char params[1024];
        options_format_params(params, sizeof params);
        must(!strchr(params, '\n'), "the parameter line is more than one line", params);
    }
    free(said);
    free(text);
    return 0;
}
