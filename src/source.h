/* source: the lessons' own files, demos/NAME.c, built into the binary
 * (src/embed_sources.sh writes build/sources.c from them), so that
 * `concdemo source NAME` prints one wherever concdemo is installed. */
#ifndef CONCDEMO_SOURCE_H
#define CONCDEMO_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct embedded_source {
    const char *name;            /* the lesson: "race" */
    const char *path;            /* as in the source tree: "demos/race.c" */
    const unsigned char *bytes;  /* the file, byte for byte */
    size_t length;
};

extern const struct embedded_source embedded_sources[];
extern const int embedded_source_count;

/* The lesson's file, or NULL. */
const struct embedded_source *source_find(const char *lesson);

/* `concdemo source LESSON`: argv after "source".  Returns the exit status. */
int source_main(int argc, char **argv);

/* The article's program, from the head comment of the lesson's file: the
 * line "The article's program...:" and the block indented by four spaces
 * under it, each line printed after `indent`.  Returns false if the file has
 * none. */
bool source_print_snippet(FILE *out, const char *lesson, const char *indent);

#endif
