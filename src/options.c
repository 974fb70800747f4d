#include "options.h"

#include "dice.h"
#include "i18n.h"
#include "suggest.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const struct option_spec common_option_specs[] = {
    OPTION_REAL("speed", "1", 0.01, 10000, "lesson time runs X times faster; times shown stay lesson seconds"),
    OPTION_INT("seed", "random", 0, 4294967295.0, "seeds the lesson's own random choices, not the scheduler's"),
    OPTION_CHOICE("format", "text", "text|jsonl", "text for people; jsonl for scripts, one JSON object a line"),
    OPTION_CHOICE("color", "auto", "auto|always|never", "colour; auto: on a terminal, unless NO_COLOR is set"),
    OPTION_FLAG("quiet", "print only the header and the result: lines (and --explain's text)"),
    OPTION_FLAG("explain", "print the lesson's explanation before running it"),
    OPTION_FLAG("timeline", "after the run, draw each actor's time as a row: running, holding, waiting..."),
    OPTION_TEXT("trace", "write the run's events to FILE in Chrome's trace format (open it in Perfetto)"),
    OPTION_FLAG("step", "pause after each event until Enter is pressed (q quits); needs a terminal"),
    OPTION_CHOICE("lang", "auto", "auto|zh|en", "the language: zh, Chinese; en, English; auto: the locale's"),
    OPTIONS_END,
};

/* Parameters that describe the run; the rest (format, colour, ...) only
 * change how it is shown, so the header leaves them out. */
static const char *const run_parameters[] = { "seed", "speed", NULL };

#define MAX_OPTIONS 48

struct option_value {
    const struct option_spec *spec;
    bool given;
    long long i;
    double r;
    const char *s;
    bool flag;
    bool common; /* one of common_option_specs */
};

static struct option_value values[MAX_OPTIONS];
static int value_count;
static const char *error_prefix = "concdemo";

static struct option_value *find(const char *name)
{
    for (int k = 0; k < value_count; k++)
        if (strcmp(values[k].spec->name, name) == 0)
            return &values[k];
    return NULL;
}

static struct option_value *must_find(const char *name, enum option_type type)
{
    struct option_value *v = find(name);
    if (!v || v->spec->type != type) {
        fprintf(stderr, "concdemo: internal error: no option --%s of that type\n", name);
        abort();
    }
    return v;
}

static void format_number(char *buf, size_t size, double x)
{
    snprintf(buf, size, "%.15g", x);
}

/* "1 to 1000000", "0.01 to 10000", or "more than 0, up to 60" */
static void format_range(const struct option_spec *spec, char *buf, size_t size)
{
    char lo[24], hi[24];
    format_number(lo, sizeof lo, spec->min);
    format_number(hi, sizeof hi, spec->max);
    if (spec->type == OPT_REAL && spec->min == 0)
        snprintf(buf, size, _("more than %s, up to %s"), lo, hi);
    else
        snprintf(buf, size, _("%s to %s"), lo, hi);
}

const char *printable(const char *text, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 4 < size; p++)
        buf[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    if (text[n] != '\0' && n + 4 >= size) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* "SOURCE: 'VALUE' WHAT (allowed: ...)HINT": one line on stderr. */
static bool complain_with(const struct option_spec *spec, const char *source, const char *value, const char *what,
                          const char *hint)
{
    char range[96] = "";
    if (spec->type == OPT_INT || spec->type == OPT_REAL) {
        char r[80];
        format_range(spec, r, sizeof r);
        snprintf(range, sizeof range, _(" (allowed: %s)"), r);
    } else if (spec->type == OPT_CHOICE) {
        snprintf(range, sizeof range, _(" (allowed: %s)"), spec->choices);
    }
    char shown[48];
    fprintf(stderr, _("%s: %s: '%s' %s%s%s\n"), error_prefix, source, printable(value, shown, sizeof shown), what, range, hint);
    return false;
}

static bool complain(const struct option_spec *spec, const char *source, const char *value, const char *what)
{
    return complain_with(spec, source, value, what, "");
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool parse_int(const struct option_spec *spec, const char *source, const char *text, long long *out)
{
    bool negative = text[0] == '-';
    const char *digits = negative ? text + 1 : text;
    if (!all_digits(digits))
        return complain(spec, source, text, _("is not a whole number"));
    unsigned long long v = 0;
    for (const char *p = digits; *p; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return complain(spec, source, text, _("is too large"));
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    if (negative && v != 0)
        return complain(spec, source, text, _("is negative"));
    if ((double)v < spec->min)
        return complain(spec, source, text, v == 0 ? _("is zero, which makes no sense here") : _("is too small"));
    if ((double)v > spec->max)
        return complain(spec, source, text, _("is too large"));
    *out = (long long)v;
    return true;
}

static bool parse_real(const struct option_spec *spec, const char *source, const char *text, double *out)
{
    /* Plain decimals only ("0.5", "50", "2e1"): no hex, no inf, no spaces. */
    if (!*text || strspn(text, "0123456789.eE+-") != strlen(text))
        return complain(spec, source, text, _("is not a number"));
    errno = 0;
    char *end;
    double v = strtod(text, &end);
    if (*end != '\0' || end == text)
        return complain(spec, source, text, _("is not a number"));
    bool underflow = errno == ERANGE && fabs(v) < 1;
    if (v < 0 || (underflow && text[0] == '-'))
        return complain(spec, source, text, _("is negative")); /* -1e-400 too, which strtod makes -0 */
    if (!isfinite(v) || (errno == ERANGE && !underflow))
        return complain(spec, source, text, _("is too large"));
    if (underflow) /* 1e-400; or 5e-324, a denormal, closer to 0 than a double can say well */
        return complain(spec, source, text, _("is too small"));
    if (v == 0)
        return complain(spec, source, text, _("is zero, which makes no sense here"));
    if (v < spec->min)
        return complain(spec, source, text, _("is too small"));
    if (v > spec->max)
        return complain(spec, source, text, _("is too large"));
    *out = v;
    return true;
}

bool options_check_speed(const char *who, const char *source, const char *text, double *speed)
{
    const char *saved = error_prefix;
    error_prefix = who;
    const struct option_spec *spec = common_option_specs;
    while (strcmp(spec->name, "speed") != 0)
        spec++;
    bool ok = parse_real(spec, source, text, speed);
    error_prefix = saved;
    return ok;
}

static bool parse_choice(const struct option_spec *spec, const char *source, const char *text, const char **out)
{
    size_t len = strlen(text);
    for (const char *c = spec->choices; *c;) {
        size_t n = strcspn(c, "|");
        if (n == len && len > 0 && strncmp(c, text, n) == 0) {
            *out = text;
            return true;
        }
        c += n + (c[n] == '|');
    }
    /* the choices close to what was typed, each cut out of "a|b|c" */
    char words[256];
    snprintf(words, sizeof words, "%s", spec->choices);
    struct suggestion close;
    suggestion_start(&close);
    for (char *word = words; *word;) {
        size_t n = strcspn(word, "|");
        bool more = word[n] == '|';
        word[n] = '\0';
        suggestion_offer(&close, text, word);
        word += n + more;
    }
    char hint[160];
    return complain_with(spec, source, text, _("is not one of the choices"), suggestion_text(&close, "", hint, sizeof hint));
}

static bool set_value(struct option_value *v, const char *source, const char *text)
{
    switch (v->spec->type) {
    case OPT_INT:
        return parse_int(v->spec, source, text, &v->i);
    case OPT_REAL:
        return parse_real(v->spec, source, text, &v->r);
    case OPT_CHOICE:
        return parse_choice(v->spec, source, text, &v->s);
    case OPT_FLAG:
        v->flag = true;
        return true;
    case OPT_TEXT:
        if (!*text || strspn(text, " \t") == strlen(text))
            return complain(v->spec, source, text, _("is empty"));
        v->s = text;
        return true;
    }
    return false;
}

static unsigned long long fresh_seed(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    unsigned long long x = (unsigned long long)now.tv_nsec ^ ((unsigned long long)now.tv_sec << 20) ^ (unsigned long long)getpid();
    return (x * 0x9E3779B97F4A7C15ULL) >> 32; /* spread the bits; 32-bit result */
}

static void add_specs(const struct option_spec *specs, bool common)
{
    for (const struct option_spec *s = specs; s && s->name; s++) {
        if (value_count == MAX_OPTIONS)
            abort();
        struct option_value *v = &values[value_count++];
        memset(v, 0, sizeof *v);
        v->spec = s;
        v->common = common;
        if (s->type == OPT_INT && strcmp(s->fallback, "random") == 0)
            v->i = (long long)fresh_seed();
        else if (s->type == OPT_INT && strncmp(s->fallback, "random ", 7) == 0)
            v->i = 0; /* "random 10-20": drawn from --seed once it is parsed, below */
        else if (s->type == OPT_REAL && strcmp(s->fallback, "none") == 0)
            v->r = 0; /* unset until given: option_given() tells */
        else if (s->type == OPT_TEXT)
            v->s = NULL;
        else if (s->type != OPT_FLAG)
            set_value(v, "default", s->fallback);
    }
}

const char *options_suggest(const char *typed, const struct option_spec *lesson_specs, char *buf, size_t size)
{
    struct suggestion close;
    suggestion_start(&close);
    for (const struct option_spec *s = lesson_specs; s && s->name; s++)
        suggestion_offer(&close, typed, s->name);
    for (const struct option_spec *s = common_option_specs; s->name; s++)
        suggestion_offer(&close, typed, s->name);
    suggestion_offer(&close, typed, "help");
    return suggestion_text(&close, "--", buf, size);
}

bool options_parse(const char *who, const struct option_spec *lesson_specs, int argc, char **argv)
{
    error_prefix = who;
    value_count = 0;
    add_specs(lesson_specs, false);
    add_specs(common_option_specs, true);

    for (int k = 0; k < argc; k++) {
        const char *arg = argv[k];
        if (strcmp(arg, "--") == 0) {
            fprintf(stderr, _("%s: unexpected '--': a lesson takes only options (see '%s --help')\n"), who, who);
            return false;
        }
        if (strncmp(arg, "--", 2) != 0) {
            char shown[64];
            fprintf(stderr, _("%s: unexpected argument '%s' (options start with --; see '%s --help')\n"), who,
                    printable(arg, shown, sizeof shown), who);
            return false;
        }
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        struct option_value *v = NULL;
        for (int j = 0; j < value_count; j++)
            if (strlen(values[j].spec->name) == name_len && strncmp(values[j].spec->name, arg + 2, name_len) == 0)
                v = &values[j];
        if (!v) {
            char typed[64], shown[64], hint[160];
            snprintf(typed, sizeof typed, "%.*s", (int)(name_len + 2 > 60 ? 60 : name_len + 2), arg);
            options_suggest(typed + 2, lesson_specs, hint, sizeof hint);
            if (*hint)
                fprintf(stderr, _("%s: unknown option '%s'%s\n"), who, printable(typed, shown, sizeof shown), hint);
            else
                fprintf(stderr, _("%s: unknown option '%s' (see '%s --help')\n"), who, printable(typed, shown, sizeof shown), who);
            return false;
        }
        char source[64];
        snprintf(source, sizeof source, "--%s", v->spec->name);
        const char *text;
        if (v->spec->type == OPT_FLAG) {
            if (eq) {
                fprintf(stderr, _("%s: %s takes no value\n"), who, source);
                return false;
            }
            text = "";
        } else if (eq) {
            text = eq + 1;
        } else if (k + 1 < argc) {
            text = argv[++k];
        } else {
            fprintf(stderr, _("%s: %s needs a value (see '%s --help')\n"), who, source, who);
            return false;
        }
        if (!set_value(v, source, text))
            return false;
        v->given = true;
    }
    /* "random 10-20": randint(10, 20), drawn from --seed now that it is known. */
    for (int j = 0, stream = 0; j < value_count; j++) {
        const struct option_spec *spec = values[j].spec;
        long lo, hi;
        if (spec->type == OPT_INT && !values[j].given && sscanf(spec->fallback, "random %ld-%ld", &lo, &hi) == 2) {
            struct dice dice = dice_for((unsigned long long)stream++);
            values[j].i = randint(&dice, lo, hi);
        }
    }
    /* The environment's speed is a default: checked only when it is used. */
    const char *env_speed = getenv("CONCDEMO_SPEED");
    if (!option_given("speed") && env_speed && *env_speed && !set_value(find("speed"), "CONCDEMO_SPEED", env_speed))
        return false;
    return true;
}

long long option_int(const char *name) { return must_find(name, OPT_INT)->i; }
double option_real(const char *name) { return must_find(name, OPT_REAL)->r; }
const char *option_choice(const char *name) { return must_find(name, OPT_CHOICE)->s; }
bool option_flag(const char *name) { return must_find(name, OPT_FLAG)->flag; }
const char *option_text(const char *name) { return must_find(name, OPT_TEXT)->s; }

bool option_given(const char *name)
{
    struct option_value *v = find(name);
    return v && v->given;
}

void option_set_int(const char *name, long long value)
{
    must_find(name, OPT_INT)->i = value;
}

static size_t format_one(char *buf, size_t size, const struct option_value *v)
{
    char number[40];
    const char *shown = number;
    switch (v->spec->type) {
    case OPT_INT: snprintf(number, sizeof number, "%lld", v->i); break;
    case OPT_REAL:
        if (!v->given && strcmp(v->spec->fallback, "none") == 0)
            shown = "none";
        else
            format_number(number, sizeof number, v->r);
        break;
    case OPT_CHOICE: shown = v->s; break;
    case OPT_FLAG: shown = v->flag ? "yes" : "no"; break;
    case OPT_TEXT: shown = v->s ? v->s : "none"; break;
    }
    int n = snprintf(buf, size, "%s=%s", v->spec->name, shown);
    return n < 0 ? 0 : (size_t)n;
}

void options_format_params(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < value_count && used + 1 < size; k++) {
        const struct option_value *v = &values[k];
        if (v->common) {
            bool describes_run = false;
            for (const char *const *p = run_parameters; *p; p++)
                describes_run |= strcmp(*p, v->spec->name) == 0;
            if (!describes_run)
                continue;
        }
        if (used > 0)
            buf[used++] = ' ';
        buf[used] = '\0';
        used += format_one(buf + used, size - used, v);
        if (used >= size)
            used = size - 1;
    }
}

/* A default as the help shows it: "random", "random 10-20" and "none" are
 * words for people; a number is a number. */
static const char *shown_default(const char *fallback, char *buf, size_t size)
{
    if (strcmp(fallback, "random") == 0)
        return _("random");
    if (strcmp(fallback, "none") == 0)
        return _("none");
    if (strncmp(fallback, "random ", 7) == 0) {
        snprintf(buf, size, _("random %s"), fallback + 7);
        return buf;
    }
    return fallback;
}

/* "  --threads N          what it does" and, below it, the default and range. */
static void print_spec_help(FILE *out, const struct option_spec *s)
{
    char left[64];
    const char *meta = s->type == OPT_INT    ? " N"
                       : s->type == OPT_REAL   ? " X"
                       : s->type == OPT_CHOICE ? " WHICH"
                       : s->type == OPT_TEXT   ? " FILE"
                                               : "";
    snprintf(left, sizeof left, "  --%s%s", s->name, meta);
    fprintf(out, "%-22s %s\n", left, _(s->help));
    if (s->type == OPT_INT || s->type == OPT_REAL) {
        char range[80];
        format_range(s, range, sizeof range);
        char shown[64];
        fprintf(out, "%-22s ", "");
        fprintf(out, _("(default %s; %s)\n"), shown_default(s->fallback, shown, sizeof shown), range);
    } else if (s->type == OPT_CHOICE) {
        fprintf(out, "%-22s ", "");
        fprintf(out, _("(%s; default %s)\n"), s->choices, s->fallback);
    }
}

void options_print_help(FILE *out, const struct option_spec *lesson_specs)
{
    if (lesson_specs && lesson_specs->name) {
        fprintf(out, "%s\n", _("lesson options:"));
        for (const struct option_spec *s = lesson_specs; s->name; s++)
            print_spec_help(out, s);
        fputc('\n', out);
    }
    fprintf(out, "%s\n", _("common options:"));
    for (const struct option_spec *s = common_option_specs; s->name; s++)
        print_spec_help(out, s);
    fprintf(out, "%-22s %s\n", "  -h, --help", _("show this help and exit"));
}
