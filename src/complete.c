#include "complete.h"

#include "lesson.h"
#include "tour.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* source and tour are dispatched beside the lessons in main.c. */
const char *const command_names[] = { "list", "help", "source", "tour", NULL };

static const struct lesson *lesson_named(const char *name)
{
    int k = lesson_index(name, strlen(name));
    return k < 0 ? NULL : lesson_table[k];
}

/* Print `word` if it starts with `typed`. */
static void offer(const char *typed, const char *word)
{
    if (strncmp(word, typed, strlen(typed)) == 0)
        printf("%s\n", word);
}

static void offer_option(const char *typed, const char *name)
{
    char word[80];
    snprintf(word, sizeof word, "--%s", name);
    offer(typed, word);
}

static void offer_lessons(const char *typed)
{
    for (int k = 0; k < lesson_count; k++)
        offer(typed, lesson_table[k]->name);
}

/* The spec of --NAME (or --NAME=...) in the lesson's specs (NULL: none) or
 * the common ones; NULL if there is none. */
static const struct option_spec *spec_of(const char *word, const struct option_spec *lesson_specs)
{
    if (strncmp(word, "--", 2) != 0)
        return NULL;
    size_t len = strcspn(word + 2, "=");
    const struct option_spec *lists[] = { lesson_specs, common_option_specs };
    for (int l = 0; l < 2; l++)
        for (const struct option_spec *s = lists[l]; s && s->name; s++)
            if (strlen(s->name) == len && strncmp(s->name, word + 2, len) == 0)
                return s;
    return NULL;
}

/* Does this word take the next one as its value: --speed, not --speed=5 or --quiet? */
static bool takes_next(const char *word, const struct option_spec *lesson_specs)
{
    const struct option_spec *spec = spec_of(word, lesson_specs);
    return spec && spec->type != OPT_FLAG && !strchr(word, '=');
}

/* The values an option may take that start with `typed`. */
static void offer_values(const struct option_spec *spec, const char *typed)
{
    if (spec->type == OPT_TEXT) {
        printf(":files\n");
        return;
    }
    if (spec->type != OPT_CHOICE)
        return; /* a number: nothing to offer */
    char word[80];
    for (const char *c = spec->choices; *c;) {
        size_t n = strcspn(c, "|");
        snprintf(word, sizeof word, "%.*s", (int)n, c);
        offer(typed, word);
        c += n + (c[n] == '|');
    }
}

static void offer_options(const char *typed, const struct option_spec *lesson_specs)
{
    for (const struct option_spec *s = lesson_specs; s && s->name; s++)
        offer_option(typed, s->name);
    for (const struct option_spec *s = common_option_specs; s->name; s++)
        offer_option(typed, s->name);
    offer_option(typed, "help");
}

/* bash splits "--color=al" at the '=' (it is in COMP_WORDBREAKS): the words
 * come as "--color" "=" "al".  Put them back together. */
static int join_equals(int count, char **words, char **joined)
{
    int n = 0;
    for (int k = 0; k < count; k++) {
        if (strcmp(words[k], "=") == 0 && n > 0 && strncmp(joined[n - 1], "--", 2) == 0 && !strchr(joined[n - 1], '=')) {
            const char *value = k + 1 < count ? words[++k] : "";
            size_t size = strlen(joined[n - 1]) + strlen(value) + 2;
            char *word = malloc(size);
            if (!word)
                return -1;
            snprintf(word, size, "%s=%s", joined[n - 1], value);
            free(joined[n - 1]);
            joined[n - 1] = word;
        } else {
            joined[n] = strdup(words[k]);
            if (!joined[n])
                return -1;
            n++;
        }
    }
    return n;
}

/* concdemo tour: its options (tour.c's specs), --color's values, and lesson
 * names after --from, or after --only and each of its commas. */
static void complete_tour(const char *typed, const char *before)
{
    const char *value = NULL;
    const char *option = before;
    if (strncmp(typed, "--", 2) == 0 && strchr(typed, '=')) {
        option = typed;
        value = strchr(typed, '=') + 1;
    } else if (strncmp(before, "--", 2) == 0 && !strchr(before, '=')) {
        value = typed;
    }
    const struct option_spec *spec = NULL;
    for (const struct option_spec *s = tour_option_specs; value && s->name; s++)
        if (strncmp(option + 2, s->name, strlen(s->name)) == 0 && strchr("=", option[2 + strlen(s->name)]))
            spec = s;
    if (spec && strcmp(spec->name, "from") == 0) {
        offer_lessons(value);
    } else if (spec && strcmp(spec->name, "only") == 0) {
        const char *last = strrchr(value, ',');
        const char *part = last ? last + 1 : value;
        char word[200];
        for (int k = 0; k < lesson_count; k++)
            if (strncmp(lesson_table[k]->name, part, strlen(part)) == 0) {
                snprintf(word, sizeof word, "%.*s%s", (int)(part - value), value, lesson_table[k]->name);
                printf("%s\n", word);
            }
    } else if (spec && spec->type == OPT_CHOICE) {
        offer_values(spec, value);
    } else if (!spec && (typed[0] == '-' || typed[0] == '\0')) {
        for (const struct option_spec *s = tour_option_specs; s->name; s++)
            offer_option(typed, s->name);
        offer_option(typed, "help");
    }
}

static void complete_joined(int n, char **words)
{
    const char *typed = n > 0 ? words[n - 1] : "";
    const char *before = n > 1 ? words[n - 2] : "";

    /* The command: the first word that is not a common option or its value. */
    int at = 0;
    while (at < n - 1 && strncmp(words[at], "--", 2) == 0)
        at += takes_next(words[at], NULL) ? 2 : 1;
    if (at >= n - 1) { /* still before the command */
        const struct option_spec *spec = spec_of(before, NULL);
        if (n > 1 && takes_next(before, NULL)) {
            offer_values(spec, typed);
        } else if (strncmp(typed, "--", 2) == 0 && strchr(typed, '=')) {
            if ((spec = spec_of(typed, NULL)))
                offer_values(spec, strchr(typed, '=') + 1);
        } else if (typed[0] == '-') {
            offer_options(typed, NULL);
            if (n == 1)
                offer(typed, "--version");
        } else {
            offer_lessons(typed);
            for (const char *const *c = command_names; *c && n == 1; c++)
                offer(typed, *c); /* the other commands take no options before them */
        }
        return;
    }

    const char *command = words[at];
    const struct lesson *lesson = lesson_named(command);
    if (lesson) {
        const struct option_spec *spec = spec_of(before, lesson->options);
        if (takes_next(before, lesson->options) && n - 2 >= at) {
            offer_values(spec, typed);
        } else if (strncmp(typed, "--", 2) == 0 && strchr(typed, '=')) {
            if ((spec = spec_of(typed, lesson->options)))
                offer_values(spec, strchr(typed, '=') + 1);
        } else if (typed[0] == '-' || typed[0] == '\0') {
            offer_options(typed, lesson->options);
        }
        return;
    }
    if (strcmp(command, "tour") == 0) {
        complete_tour(typed, before);
        return;
    }
    bool first_argument = n - 1 == at + 1;
    if ((strcmp(command, "help") == 0 || strcmp(command, "source") == 0) && first_argument)
        offer_lessons(typed);
    else if (strcmp(command, "completion") == 0 && first_argument)
        offer(typed, "bash");
}

int complete_words(int count, char **words)
{
    char **joined = calloc((size_t)count + 1, sizeof *joined);
    if (!joined)
        return 1;
    int n = join_equals(count, words, joined);
    if (n >= 0)
        complete_joined(n, joined);
    for (int k = 0; k < count; k++)
        free(joined[k]);
    free(joined);
    return n >= 0 ? 0 : 1;
}

void print_bash_completion(FILE *out)
{
    fputs("# bash completion for concdemo: `concdemo completion bash` prints it.\n"
          "# Installed in bash-completion's folder, or: source <(concdemo completion bash)\n"
          "#\n"
          "# The words come from the concdemo being completed (concdemo __complete\n"
          "# WORD...), read from its own option specs, so they cannot drift from it.\n"
          "_concdemo()\n"
          "{\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} program=${COMP_WORDS[0]}\n"
          "    [[ $program == \"~/\"* ]] && program=$HOME/${program#\"~/\"}\n"
          "    type -P -- \"$program\" >/dev/null 2>&1 || program=concdemo\n"
          "    mapfile -t COMPREPLY < <(\"$program\" __complete \"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null)\n"
          "    local value=$cur\n"
          "    [[ $value == = ]] && value=\n"
          "    [[ $value == --*=* ]] && value=${value#*=}\n"
          "    if [[ ${COMPREPLY[0]-} == :files ]]; then\n"
          "        compopt -o filenames 2>/dev/null\n"
          "        mapfile -t COMPREPLY < <(compgen -f -- \"$value\")\n"
          "    fi\n"
          "    # where COMP_WORDBREAKS lacks '=', the word is all of --color=al\n"
          "    if [[ $cur == --*=* ]]; then\n"
          "        COMPREPLY=(\"${COMPREPLY[@]/#/${cur%%=*}=}\")\n"
          "    fi\n"
          "}\n"
          "complete -F _concdemo concdemo\n",
          out);
}
