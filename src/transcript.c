#include "transcript.h"

#include "clock.h"
#include "events.h"
#include "i18n.h"
#include "step.h"
#include "wrap.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DEFAULT_ACTOR_WIDTH = 8, LINE_MAX_BYTES = 4096 };

static enum transcript_format out_format;
static bool out_color, out_quiet, out_broken;
static int out_error; /* errno of a failed write other than EPIPE */
static int actor_width = DEFAULT_ACTOR_WIDTH;

/* Held while a line is stamped and written: lines leave in the order of their
 * timestamps, and one write never interleaves with another. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* The actor this thread last spoke as, for its notes in jsonl. */
static _Thread_local char last_actor[32] = "main";
static _Thread_local bool has_spoken;

#define DIM "\33[2m"
#define BOLD "\33[1m"
#define RESET "\33[0m"

void transcript_open(enum transcript_format format, bool color, bool quiet, int width)
{
    actor_width = width > 0 ? width : DEFAULT_ACTOR_WIDTH;
    out_format = format;
    out_color = color && format == FORMAT_TEXT;
    out_quiet = quiet;
}

const char *transcript_actor(void)
{
    return has_spoken ? last_actor : NULL;
}

void transcript_forget_actor(void)
{
    has_spoken = false;
    snprintf(last_actor, sizeof last_actor, "main");
}

bool transcript_broken(void)
{
    pthread_mutex_lock(&out_lock);
    bool broken = out_broken;
    pthread_mutex_unlock(&out_lock);
    return broken;
}

/* A growing line buffer, so no text is ever cut short. */
struct line {
    char *text;
    size_t len, cap;
    char small[LINE_MAX_BYTES];
};

static void line_init(struct line *l)
{
    l->text = l->small;
    l->len = 0;
    l->cap = sizeof l->small;
    l->text[0] = '\0';
}

static void line_reserve(struct line *l, size_t more)
{
    if (l->len + more + 1 <= l->cap)
        return;
    size_t cap = l->cap * 2;
    while (cap < l->len + more + 1)
        cap *= 2;
    char *bigger = malloc(cap);
    if (!bigger)
        abort();
    memcpy(bigger, l->text, l->len + 1);
    if (l->text != l->small)
        free(l->text);
    l->text = bigger;
    l->cap = cap;
}

static void line_vadd(struct line *l, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(l->text + l->len, l->cap - l->len, fmt, ap);
    if (n < 0)
        n = 0;
    if (l->len + (size_t)n + 1 > l->cap) {
        line_reserve(l, (size_t)n);
        vsnprintf(l->text + l->len, l->cap - l->len, fmt, again);
    }
    va_end(again);
    l->len += (size_t)n;
}

static void line_add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line_vadd(l, fmt, ap);
    va_end(ap);
}

static void line_add_json_string(struct line *l, const char *s)
{
    line_add(l, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            line_add(l, "\\%c", *p);
        else if (*p == '\n')
            line_add(l, "\\n");
        else if (*p == '\t')
            line_add(l, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            line_add(l, "\\u%04x", *p);
        else
            line_add(l, "%c", *p);
    }
    line_add(l, "\"");
}

/* True if `s` is a number exactly as JSON spells one (no "01", ".5", "inf"). */
static bool is_json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return false;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* A list "5,5,2" or "1-0,1-1": no brackets, quotes or empty elements (a
 * Python repr such as [42,None,'hello'] stays a string). */
static bool is_list(const char *s)
{
    if (!strchr(s, ',') || strpbrk(s, "[](){}'\"") || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
        return false;
    return true;
}

/* One value, typed: a number, true/false for yes/no (true/false, True/False),
 * an array for a list (of numbers when every element is one), else a string. */
static void line_add_typed_value(struct line *l, char *value)
{
    if (is_json_number(value)) {
        line_add(l, "%s", value);
    } else if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 || strcmp(value, "True") == 0) {
        line_add(l, "true");
    } else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 || strcmp(value, "False") == 0) {
        line_add(l, "false");
    } else if (is_list(value)) {
        /* The elements, cut apart in place: value is the caller's copy. */
        size_t len = strlen(value);
        for (char *comma = strchr(value, ','); comma; comma = strchr(comma + 1, ','))
            *comma = '\0';
        bool numbers = true;
        for (char *e = value; e < value + len; e += strlen(e) + 1)
            numbers = numbers && is_json_number(e);
        line_add(l, "[");
        for (char *e = value; e < value + len; e += strlen(e) + 1) {
            if (e != value)
                line_add(l, ",");
            if (numbers)
                line_add(l, "%s", e);
            else
                line_add_json_string(l, e);
        }
        line_add(l, "]");
    } else {
        line_add_json_string(l, value);
    }
}

/* "a=1 b=x" -> "\"a\":1,\"b\":\"x\"": the members of a JSON object. */
static void line_add_pairs_as_json(struct line *l, const char *pairs)
{
    for (const char *p = pairs; *p;) {
        size_t n = strcspn(p, " ");
        const char *eq = memchr(p, '=', n);
        if (eq) {
            size_t key_len = (size_t)(eq - p), value_len = n - key_len - 1;
            char key[64], value[4096];
            snprintf(key, sizeof key, "%.*s", (int)key_len, p);
            snprintf(value, sizeof value, "%.*s", (int)value_len, eq + 1);
            if (l->len)
                line_add(l, ",");
            line_add_json_string(l, key);
            line_add(l, ":");
            line_add_typed_value(l, value);
        }
        p += n + (p[n] == ' ');
    }
}

static void line_free(struct line *l)
{
    if (l->text != l->small)
        free(l->text);
}

/* Write the whole line at once.  A closed reader ends the lesson quietly. */
static void emit_locked(struct line *l)
{
    if (out_broken)
        return;
    line_add(l, "\n");
    size_t done = 0;
    while (done < l->len) {
        ssize_t n = write(STDOUT_FILENO, l->text + done, l->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            out_broken = true;
            if (n < 0 && errno != EPIPE)
                out_error = errno; /* not a reader gone: a real error, reported */
            clock_request_stop(-1);
            return;
        }
        done += (size_t)n;
    }
}

/* One JSON object per line; the caller holds the output lock. */
/* The version of the jsonl records' layout, in the header record: it goes
 * up when a record or a field changes meaning or goes away. */
enum { JSONL_SCHEMA = 1 };

static void emit_json(const char *kind, const char *actor, double t, const char *text, const char *data)
{
    struct line l;
    line_init(&l);
    line_add(&l, "{\"t\":%.6f,\"actor\":", t);
    line_add_json_string(&l, actor);
    line_add(&l, ",\"kind\":\"%s\",\"text\":", kind);
    line_add_json_string(&l, text);
    if (data)
        line_add(&l, ",\"data\":{%s}", data);
    if (strcmp(kind, "header") == 0)
        line_add(&l, ",\"schema\":%d", JSONL_SCHEMA);
    line_add(&l, "}");
    emit_locked(&l);
    line_free(&l);
}

static const char *actor_color(const char *actor)
{
    static const char *const palette[] = { "\33[36m", "\33[33m", "\33[35m", "\33[34m", "\33[32m", "\33[31m" };
    if (strcmp(actor, "main") == 0)
        return BOLD;
    unsigned h = 5381;
    for (const char *p = actor; *p; p++)
        h = h * 33 + (unsigned char)*p;
    return palette[h % (sizeof palette / sizeof *palette)];
}

void transcript_header(const char *lesson, const char *summary, const char *params)
{
    struct line title;
    line_init(&title);
    line_add(&title, "concdemo %s: %s", lesson, summary);
    pthread_mutex_lock(&out_lock);
    if (out_format == FORMAT_JSONL) {
        emit_json("header", "main", 0, title.text, NULL);
        /* The parameters again as data, so a script need not split them. */
        struct line data;
        line_init(&data);
        line_add_pairs_as_json(&data, params);
        emit_json("params", "main", 0, params, data.text);
        line_free(&data);
    } else {
        /* The title hangs under its summary; the parameters wrap between pairs. */
        int width = output_width();
        int hang = display_width(title.text, strlen("concdemo : ") + strlen(lesson));
        char *title_wrapped = wrap_line(title.text, 0, hang <= width / 2 ? hang : 2, width);
        char *params_wrapped = wrap_line(params, 0, 0, width);
        struct line l;
        line_init(&l);
        line_add(&l, "%s%s%s\n%s\n", out_color ? BOLD : "", title_wrapped ? title_wrapped : title.text,
                 out_color ? RESET : "", params_wrapped ? params_wrapped : params);
        emit_locked(&l);
        line_free(&l);
        free(title_wrapped);
        free(params_wrapped);
    }
    pthread_mutex_unlock(&out_lock);
    line_free(&title);
}

void transcript_explanation(const char *text)
{
    pthread_mutex_lock(&out_lock);
    if (out_format == FORMAT_JSONL) {
        emit_json("explain", "main", 0, text, NULL);
    } else {
        char *wrapped = wrap_paragraphs(text, 0, output_width());
        struct line l;
        line_init(&l);
        line_add(&l, "%s\n", wrapped ? wrapped : text);
        emit_locked(&l);
        line_free(&l);
        free(wrapped);
    }
    pthread_mutex_unlock(&out_lock);
}

enum line_kind { LINE_EVENT, LINE_NOTE, LINE_RESULT };

/* Wrapped text, each of its lines painted with `sgr` (when colour is on):
 * a background colour stops at the end of the text, not of the screen. */
static void add_wrapped(struct line *l, const char *text, int column, int indent, const char *sgr)
{
    char *wrapped = wrap_line(text, column, indent, output_width());
    if (!wrapped) { /* memory is short: unwrapped, then */
        line_add(l, "%s%s%s", sgr ? sgr : "", text, sgr ? RESET : "");
        return;
    }
    const char *from = wrapped;
    for (;;) {
        size_t n = strcspn(from, "\n");
        line_add(l, "%s%.*s%s", sgr ? sgr : "", (int)n, from, sgr ? RESET : "");
        if (from[n] != '\n')
            break;
        line_add(l, "\n%*s", indent, ""); /* the indent, unpainted */
        from += n + 1 + (size_t)indent;
    }
    free(wrapped);
}

/* "[  0.418] main     text", the text wrapped under itself. */
static void add_event(struct line *l, double t, const char *actor, const char *sgr, const char *text)
{
    int shown = display_width(actor, strlen(actor));
    int pad = shown < actor_width ? actor_width - shown : 0;
    int stamp = snprintf(NULL, 0, "[%7.3f] ", t); /* 10 wide, until 1000 lesson seconds: a fast run can pass it */
    line_add(l, "[%7.3f] %s%s%s%*s ", t, out_color ? actor_color(actor) : "", actor, out_color ? RESET : "", pad, "");
    char paint[32] = "";
    if (out_color && sgr)
        snprintf(paint, sizeof paint, "\33[%sm", sgr);
    int column = stamp + shown + pad + 1;
    add_wrapped(l, text, column, column, paint[0] ? paint : NULL);
}

/* "                   # why", indented to the event text, its own text
 * wrapped under itself, after the "# ". */
static void add_note(struct line *l, const char *text)
{
    int column = 10 + actor_width + 1;
    line_add(l, "%*s# ", column, "");
    add_wrapped(l, text, column + 2, column + 2, out_color ? DIM : NULL);
}

/* "result: a=1 b=2": a pair is never broken.  Past the width, the pairs
 * go on on another "result:" line; when the first pair names the part or
 * the variant, each such line starts with it again, so that a line read
 * alone still says what it is about. */
static void add_results(struct line *l, const char *pairs)
{
    static const char label[] = "result: ";
    int width = output_width(), room = width - (int)strlen(label);
    size_t first_len = strcspn(pairs, " ");
    bool repeat_first = strncmp(pairs, "part=", 5) == 0 || strncmp(pairs, "variant=", 8) == 0;
    const char *p = pairs;
    if (!*p)
        line_add(l, "%sresult:%s ", out_color ? BOLD : "", out_color ? RESET : "");
    while (*p) {
        line_add(l, "%sresult:%s ", out_color ? BOLD : "", out_color ? RESET : "");
        int used = 0;
        if (p != pairs && repeat_first) {
            line_add(l, "%.*s", (int)first_len, pairs);
            used = display_width(pairs, first_len);
        }
        bool any = false;
        while (*p) {
            size_t n = strcspn(p, " ");
            int w = display_width(p, n);
            if (n > 0) {
                if (any && used + 1 + w > room)
                    break;
                if (used > 0) {
                    line_add(l, " ");
                    used++;
                }
                line_add(l, "%.*s", (int)n, p);
                used += w;
                any = true;
            }
            p += n;
            while (*p == ' ')
                p++;
        }
        if (*p)
            line_add(l, "\n");
    }
}

/* Format one event, note or result, stamp it and write it as one line. */
static void emit_line(enum line_kind kind, const char *actor, const char *sgr, const char *fmt, va_list ap)
{
    struct line text;
    line_init(&text);
    line_vadd(&text, fmt, ap);

    pthread_mutex_lock(&out_lock);
    double t = lesson_now();
    if (out_format == FORMAT_JSONL) {
        static const char *const kind_names[] = { "event", "note", "result" };
        struct line data;
        line_init(&data);
        if (kind == LINE_RESULT)
            line_add_pairs_as_json(&data, text.text);
        emit_json(kind_names[kind], actor, t, text.text, kind == LINE_RESULT ? data.text : NULL);
        line_free(&data);
    } else {
        struct line l;
        line_init(&l);
        if (kind == LINE_EVENT)
            add_event(&l, t, actor, sgr, text.text);
        else if (kind == LINE_NOTE)
            add_note(&l, text.text);
        else
            add_results(&l, text.text);
        emit_locked(&l);
        line_free(&l);
    }
    pthread_mutex_unlock(&out_lock);
    line_free(&text);
}

/* A text cut short by snprintf, cut back to a whole character: a Chinese
 * character is three bytes, and the trace's JSON wants whole ones. */
static void cut_whole(char *text)
{
    size_t len = strlen(text), start = len;
    while (start > 0 && ((unsigned char)text[start - 1] & 0xc0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)text[start - 1];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (len - (start - 1) < need)
        text[start - 1] = '\0';
}

/* Record a line for --timeline and --trace (cut short: the transcript has it whole). */
static void record_line(const char *actor, const char *kind, const char *fmt, va_list ap)
{
    if (!events_on())
        return;
    char text[72];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(text, sizeof text, fmt, copy);
    va_end(copy);
    if (n >= (int)sizeof text)
        cut_whole(text);
    events_instant(actor, kind, text);
}

static void vsay(const char *actor, const char *sgr, const char *fmt, va_list ap)
{
    fmt = _(fmt);
    snprintf(last_actor, sizeof last_actor, "%s", actor);
    has_spoken = true;
    record_line(actor, "event", fmt, ap);
    if (!out_quiet) {
        step_enter(); /* --step: one line at a time; others wait here, before printing theirs */
        emit_line(LINE_EVENT, actor, sgr, fmt, ap);
        step_pause_and_leave(); /* until Enter */
    }
}

void say(const char *actor, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(actor, NULL, fmt, ap);
    va_end(ap);
}

void say_in_color(const char *actor, const char *sgr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(actor, sgr, fmt, ap);
    va_end(ap);
}

void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt = _(fmt);
    record_line(last_actor, "note", fmt, ap);
    if (!out_quiet)
        emit_line(LINE_NOTE, last_actor, NULL, fmt, ap);
    va_end(ap);
}

void result(const char *fmt, ...)
{
    /* An interrupted lesson has no result: its numbers would mislead. */
    if (lesson_stop_requested() > 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    record_line("main", "result", fmt, ap);
    emit_line(LINE_RESULT, "main", NULL, fmt, ap);
    va_end(ap);
}

/* Results kept by result_at_end(), in order.  Parts run one after another,
 * so only the lesson's main thread keeps and flushes them.  They are kept in
 * room of their own, not in memory asked for then: short of memory (ulimit
 * -v), a lesson's last part may still run, and its result must not be what
 * fails.  Only a line longer than that room asks malloc for more. */
enum { MAX_KEPT_RESULTS = 16 };
static char kept_room[MAX_KEPT_RESULTS][LINE_MAX_BYTES];
static char *kept_results[MAX_KEPT_RESULTS];
static int kept_count;

void result_at_end(const char *fmt, ...)
{
    if (kept_count == MAX_KEPT_RESULTS)
        abort(); /* a lesson with more parts than this is a programming error */
    struct line l;
    line_init(&l);
    va_list ap;
    va_start(ap, fmt);
    line_vadd(&l, fmt, ap);
    va_end(ap);
    if (l.len < LINE_MAX_BYTES) {
        memcpy(kept_room[kept_count], l.text, l.len + 1);
        kept_results[kept_count] = kept_room[kept_count];
    } else {
        kept_results[kept_count] = strdup(l.text);
        if (!kept_results[kept_count])
            abort();
    }
    kept_count++;
    line_free(&l);
}

void transcript_flush_results(bool print)
{
    for (int k = 0; k < kept_count; k++) {
        if (print)
            result("%s", kept_results[k]);
        if (kept_results[k] != kept_room[k])
            free(kept_results[k]);
    }
    kept_count = 0;
}

int transcript_write_error(void)
{
    pthread_mutex_lock(&out_lock);
    int error = out_error;
    pthread_mutex_unlock(&out_lock);
    return error;
}

void transcript_reset_color(void)
{
    if (!out_color)
        return;
    pthread_mutex_lock(&out_lock);
    if (!out_broken && write(STDOUT_FILENO, RESET, sizeof RESET - 1) < 0)
        out_broken = true;
    pthread_mutex_unlock(&out_lock);
}

bool color_wanted(const char *when)
{
    if (strcmp(when, "always") == 0)
        return true;
    if (strcmp(when, "never") == 0)
        return false;
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}
