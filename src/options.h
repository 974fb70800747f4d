/* Declarative options: a lesson lists its options once, as specs, and the
 * engine derives parsing, validation, --help text and the header's parameter
 * line from that list.  No lesson parses argv itself. */
#ifndef CONCDEMO_OPTIONS_H
#define CONCDEMO_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum option_type {
    OPT_INT,    /* a whole number in [min, max]; fallback "random": a fresh
                   seed; "random 10-20": randint(10, 20) from --seed */
    OPT_REAL,   /* a decimal number in [min, max], or in (0, max] when min
                   is 0; fallback "none": unset until given (test with
                   option_given) */
    OPT_CHOICE, /* one word of `choices`, "a|b|c" */
    OPT_FLAG,   /* present or absent; takes no value */
    OPT_TEXT,   /* any non-empty text, such as a file name; fallback "none":
                   unset until given */
};

struct option_spec {
    const char *name;     /* without the dashes: "threads" */
    enum option_type type;
    const char *fallback; /* the default, as it would be typed */
    double min, max;      /* range of OPT_INT and OPT_REAL */
    const char *choices;  /* OPT_CHOICE: "count|balance" */
    const char *help;     /* one line */
};

#define OPTION_INT(name, fallback, min, max, help) { name, OPT_INT, fallback, min, max, NULL, help }
#define OPTION_REAL(name, fallback, min, max, help) { name, OPT_REAL, fallback, min, max, NULL, help }
#define OPTION_CHOICE(name, fallback, choices, help) { name, OPT_CHOICE, fallback, 0, 0, choices, help }
#define OPTION_FLAG(name, help) { name, OPT_FLAG, NULL, 0, 0, NULL, help }
#define OPTION_TEXT(name, help) { name, OPT_TEXT, "none", 0, 0, NULL, help }
#define OPTIONS_END { NULL, OPT_FLAG, NULL, 0, 0, NULL, NULL }

/* Parse argv (after the lesson name) against the lesson's specs and the common
 * ones.  On bad input prints one line to stderr, prefixed by `who`, and
 * returns false. */
bool options_parse(const char *who, const struct option_spec *lesson_specs, int argc, char **argv);

/* "; did you mean '--threads'?": the options of the lesson (its specs, or
 * NULL for none), the common ones and --help that are close to `typed`
 * (given without its dashes), or "" if none is (suggest.h).  Returns buf. */
const char *options_suggest(const char *typed, const struct option_spec *lesson_specs, char *buf, size_t size);

/* Values, by option name.  Asking for an option the lesson did not declare is
 * a programming error and aborts. */
long long option_int(const char *name);
double option_real(const char *name);
const char *option_choice(const char *name);
bool option_flag(const char *name);
const char *option_text(const char *name); /* NULL until given */
bool option_given(const char *name);   /* typed on the command line? */
void option_set_int(const char *name, long long value); /* adjust a default */

/* "threads=20000 iterations=1 ... seed=N speed=1": every effective parameter. */
void options_format_params(char *buf, size_t size);

/* The option section of --help, generated from the specs. */
void options_print_help(FILE *out, const struct option_spec *lesson_specs);

/* `text`, as a one-line message may quote what was typed: at most size - 1
 * bytes, "..." where it was cut, and anything unprintable (a newline, a byte
 * past ASCII) shown as '?'.  Returns buf. */
const char *printable(const char *text, char *buf, size_t size);

/* Checks a --speed value as a lesson's --speed is checked (the tour's, which
 * runs the lessons): true and *speed set, or false after one line on stderr,
 * "WHO: SOURCE: 'TEXT' is too small (allowed: 0.01 to 10000)". */
bool options_check_speed(const char *who, const char *source, const char *text, double *speed);

/* The common options every lesson takes. */
extern const struct option_spec common_option_specs[];

#endif
