/* Shell completion, answered by the binary itself.
 *
 * `concdemo completion bash` prints a small bash script; its function hands
 * the words typed so far to `concdemo __complete WORD...` (the last word is
 * the one being completed, maybe empty) and offers what that prints, one
 * word a line.  So the lessons, options and choices it offers are always
 * those of the concdemo that runs, read from its option specs: the script
 * holds no list that could drift from them. */
#ifndef CONCDEMO_COMPLETE_H
#define CONCDEMO_COMPLETE_H

#include <stdio.h>

/* The commands that are not lessons, as `concdemo COMMAND` takes them, for
 * completion and for "did you mean": list, help, source, tour.  Ends with
 * NULL. */
extern const char *const command_names[];

/* `concdemo __complete WORD...`: the words that may replace the last one,
 * one a line on stdout; ":files" alone when a file name goes there.
 * Returns the exit status (0). */
int complete_words(int count, char **words);

/* `concdemo completion bash`: the script, for bash-completion's folder or
 * `source <(concdemo completion bash)`. */
void print_bash_completion(FILE *out);

#endif
