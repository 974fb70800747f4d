#define _GNU_SOURCE /* MAP_NORESERVE */
#include "events.h"

#include "clock.h"
#include "columns.h"
#include "i18n.h"
#include "wrap.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum event_kind { EV_INSTANT, EV_BEGIN, EV_END, EV_COUNTER, EV_FLOW_OUT, EV_FLOW_IN, EV_GONE };

struct event {
    double t; /* lesson seconds */
    long seq;        /* its place in the record: the order of events at the same time */
    int kind;
    int pid;
    atomic_bool written; /* set last: a child killed half-way leaves it false */
    long value;      /* a counter's value, a flow's id, a process that ended */
    char actor[24];  /* or a counter's name */
    char what[72];   /* a span's name, or an instant's text (cut short) */
    char line[8];    /* an instant's kind: event, note, result */
};

/* In memory that forked children share: they record into it too. */
struct record {
    atomic_long next;
    atomic_long dropped;
    long capacity;
    struct event events[];
};

enum { CAPACITY = 1 << 20 };

static struct record *record;
static size_t record_bytes;

bool events_on(void)
{
    return record != NULL;
}

bool events_start(void)
{
    record_bytes = sizeof *record + (size_t)CAPACITY * sizeof(struct event);
    void *memory = mmap(NULL, record_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED)
        return false;
    record = memory;
    atomic_init(&record->next, 0);
    atomic_init(&record->dropped, 0);
    record->capacity = CAPACITY;
    return true;
}

void events_stop(void)
{
    if (record)
        munmap(record, record_bytes);
    record = NULL;
}

/* Copy text, cut short if need be, but never inside a UTF-8 character. */
static void copy_text(char *to, size_t room, const char *text)
{
    size_t n = text ? strnlen(text, room - 1) : 0;
    if (text && text[n] != '\0')
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80) /* text[n] continues a character */
            n--;
    if (n)
        memcpy(to, text, n);
    to[n] = '\0';
}

static void add(int kind, const char *actor, const char *what, long value, const char *line)
{
    if (!record)
        return;
    long k = atomic_fetch_add(&record->next, 1);
    if (k >= record->capacity) {
        atomic_fetch_add(&record->dropped, 1);
        return;
    }
    struct event *e = &record->events[k];
    e->t = lesson_now();
    e->seq = k;
    e->kind = kind;
    e->pid = (int)getpid();
    e->value = value;
    /* No stdio here: a coroutine with a 1 KiB stack records too. */
    copy_text(e->actor, sizeof e->actor, actor);
    copy_text(e->what, sizeof e->what, what);
    copy_text(e->line, sizeof e->line, line);
    atomic_store_explicit(&e->written, true, memory_order_release);
}

void span_begin(const char *actor, const char *what) { add(EV_BEGIN, actor, what, 0, NULL); }
void span_end(const char *actor, const char *what) { add(EV_END, actor, what, 0, NULL); }
void value_changed(const char *name, long value) { add(EV_COUNTER, name, NULL, value, NULL); }
void flow_out(const char *actor, long id) { add(EV_FLOW_OUT, actor, "wakes", id, NULL); }
void flow_in(const char *actor, long id) { add(EV_FLOW_IN, actor, "wakes", id, NULL); }
void events_instant(const char *actor, const char *kind, const char *text) { add(EV_INSTANT, actor, text, 0, kind); }
void events_process_gone(int pid) { add(EV_GONE, "", NULL, pid, NULL); }

long events_dropped(void)
{
    return record ? atomic_load(&record->dropped) : 0;
}

/* -- reading the record back ------------------------------------------------ */

struct actor {
    char name[24];
    int pid;
    long first; /* its first event, by time */
};

struct span {
    int actor;
    const char *what;
    double begin, end;
    bool cut; /* it did not end: its process was killed, or the lesson stopped */
};

struct reading {
    struct event *events; /* sorted by time */
    long count;
    long dropped;         /* events past the record's end */
    double filled_at;     /* when the record filled, if it did */
    int *event_actor;     /* events[k] is actors[event_actor[k]]'s; -1 for a counter */
    struct actor *actors;
    int actor_count, actor_room;
    int *table;           /* a hash table of actors: index + 1, 0 when empty */
    size_t table_size;
    struct span *spans;
    long span_count, span_room;
    double end;
};

static int by_begin(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

static int by_time(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->seq > y->seq) - (x->seq < y->seq); /* ties: the order they were recorded in */
}

static size_t hash(int pid, const char *name)
{
    size_t h = (size_t)pid * 2654435761u;
    for (const char *p = name; *p; p++)
        h = h * 31 + (unsigned char)*p;
    return h;
}

/* The actor's index; a new one is added.  -1 if memory is short. */
static int actor_of(struct reading *r, const struct event *e)
{
    if ((size_t)r->actor_count * 2 >= r->table_size) { /* keep the table at most half full */
        size_t size = r->table_size ? r->table_size * 2 : 256;
        int *table = calloc(size, sizeof *table);
        if (!table)
            return -1;
        for (int k = 0; k < r->actor_count; k++) {
            size_t at = hash(r->actors[k].pid, r->actors[k].name) & (size - 1);
            while (table[at])
                at = (at + 1) & (size - 1);
            table[at] = k + 1;
        }
        free(r->table);
        r->table = table;
        r->table_size = size;
    }
    size_t at = hash(e->pid, e->actor) & (r->table_size - 1);
    for (; r->table[at]; at = (at + 1) & (r->table_size - 1)) {
        const struct actor *a = &r->actors[r->table[at] - 1];
        if (a->pid == e->pid && strcmp(a->name, e->actor) == 0)
            return r->table[at] - 1;
    }
    if (r->actor_count == r->actor_room) {
        int room = r->actor_room ? r->actor_room * 2 : 64;
        struct actor *bigger = realloc(r->actors, (size_t)room * sizeof *bigger);
        if (!bigger)
            return -1;
        r->actors = bigger;
        r->actor_room = room;
    }
    struct actor *a = &r->actors[r->actor_count];
    memcpy(a->name, e->actor, sizeof a->name);
    a->pid = e->pid;
    a->first = e - r->events;
    r->table[at] = r->actor_count + 1;
    return r->actor_count++;
}

static void add_span(struct reading *r, int actor, const char *what, double begin, double end, bool cut)
{
    if (r->span_count == r->span_room) {
        long room = r->span_room ? r->span_room * 2 : 256;
        struct span *bigger = realloc(r->spans, (size_t)room * sizeof *bigger);
        if (!bigger)
            return;
        r->spans = bigger;
        r->span_room = room;
    }
    r->spans[r->span_count++] = (struct span){ actor, what, begin, end, cut };
}

/* Sort the events, name the actors, and pair each span's begin with its end.
 * One that never ended is cut: where its process was reaped, or where the
 * run ended.  Counters are not actors. */
static bool read_back(struct reading *r)
{
    memset(r, 0, sizeof *r);
    long n = atomic_load(&record->next);
    r->count = n < record->capacity ? n : record->capacity;
    size_t n_alloc = (size_t)(r->count ? r->count : 1);
    r->events = malloc(n_alloc * sizeof *r->events);
    r->event_actor = malloc(n_alloc * sizeof *r->event_actor);
    long *open = malloc(n_alloc * sizeof *open);
    if (!r->events || !r->event_actor || !open) {
        free(r->events);
        free(r->event_actor);
        free(open);
        return false;
    }
    long kept = 0;
    for (long k = 0; k < r->count; k++) /* a slot a killed child left half-written is skipped */
        if (atomic_load_explicit(&record->events[k].written, memory_order_acquire))
            memcpy(&r->events[kept++], &record->events[k], sizeof *r->events);
    r->count = kept;
    r->dropped = atomic_load(&record->dropped);
    if (r->count > 0)
        qsort(r->events, (size_t)r->count, sizeof *r->events, by_time);
    r->end = r->count ? r->events[r->count - 1].t : 0;
    long open_count = 0;
    int *actor_index = r->event_actor;
    for (long k = 0; k < r->count; k++) {
        const struct event *e = &r->events[k];
        actor_index[k] = e->kind == EV_COUNTER || e->kind == EV_GONE ? -1 : actor_of(r, e);
        if (e->kind == EV_GONE) { /* a child was reaped: what it had begun ends here, cut */
            for (long j = open_count; j-- > 0;)
                if (r->events[open[j]].pid == (int)e->value) {
                    add_span(r, actor_index[open[j]], r->events[open[j]].what, r->events[open[j]].t, e->t, true);
                    open[j] = open[--open_count];
                }
            continue;
        }
        if (e->kind == EV_BEGIN)
            open[open_count++] = k;
        else if (e->kind == EV_END) {
            for (long j = open_count; j-- > 0;) { /* the latest begin of the same actor and span */
                const struct event *b = &r->events[open[j]];
                if (actor_index[open[j]] == actor_index[k] && strcmp(b->what, e->what) == 0) {
                    add_span(r, actor_index[k], b->what, b->t, e->t, false);
                    open[j] = open[--open_count];
                    break;
                }
            }
        }
    }
    if (r->dropped && r->count) /* the record filled: what was open then has no known end */
        r->filled_at = r->events[r->count - 1].t;
    for (long j = 0; j < open_count; j++)
        if (!r->dropped) /* past a full record, an open span's end is unknown: not drawn */
            add_span(r, actor_index[open[j]], r->events[open[j]].what, r->events[open[j]].t, r->end, true);
    free(open);
    return true;
}

static void forget_reading(struct reading *r)
{
    free(r->events);
    free(r->event_actor);
    free(r->table);
    free(r->actors);
    free(r->spans);
}

/* -- the trace: Chrome's Trace Event Format ----------------------------------- */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void events_write_trace(FILE *out, const char *lesson)
{
    struct reading r;
    if (!record || !read_back(&r))
        return;
    int main_pid = (int)getpid();
    fprintf(out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"lesson\":");
    json_string(out, lesson);
    fprintf(out, ",\"dropped_events\":%ld,\"record_filled_at_us\":%.3f},\n\"traceEvents\":[\n", r.dropped,
            r.dropped ? r.filled_at * 1e6 : 0.0);
    fprintf(out, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":", main_pid);
    json_string(out, lesson);
    fprintf(out, "}}");
    for (int a = 0; a < r.actor_count; a++) {
        const struct actor *actor = &r.actors[a];
        if (actor->pid != main_pid) {
            bool seen = false; /* one process_name for each child */
            for (int b = 0; b < a; b++)
                seen = seen || r.actors[b].pid == actor->pid;
            if (!seen) {
                char name[64];
                snprintf(name, sizeof name, "child process %d (%s)", actor->pid, actor->name);
                fprintf(out, ",\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":",
                        actor->pid);
                json_string(out, name);
                fprintf(out, "}}");
            }
        }
        fprintf(out, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":", actor->pid,
                a + 1);
        json_string(out, actor->name);
        fprintf(out, "}}");
    }
    for (long k = 0; k < r.span_count; k++) {
        const struct span *s = &r.spans[k];
        fprintf(out, ",\n{\"name\":");
        json_string(out, s->what);
        fprintf(out, ",\"cat\":\"span\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%d,\"tid\":%d%s}",
                s->begin * 1e6, (s->end - s->begin) * 1e6, r.actors[s->actor].pid, s->actor + 1,
                s->cut ? ",\"args\":{\"unfinished\":true}" : "");
    }
    for (long k = 0; k < r.count; k++) {
        const struct event *e = &r.events[k];
        int a = r.event_actor[k];
        if (e->kind == EV_INSTANT) {
            bool global = strcmp(e->line, "result") == 0;
            fprintf(out, ",\n{\"name\":");
            json_string(out, e->what);
            fprintf(out, ",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"%s\",\"ts\":%.3f,\"pid\":%d,\"tid\":%d}", e->line,
                    global ? "g" : "t", e->t * 1e6, e->pid, a + 1);
        } else if (e->kind == EV_COUNTER) {
            fprintf(out, ",\n{\"name\":");
            json_string(out, e->actor);
            fprintf(out, ",\"ph\":\"C\",\"ts\":%.3f,\"pid\":%d,\"tid\":0,\"args\":{", e->t * 1e6, e->pid);
            json_string(out, e->actor);
            fprintf(out, ":%ld}}", e->value);
        } else if (e->kind == EV_FLOW_OUT || e->kind == EV_FLOW_IN) {
            fprintf(out, ",\n{\"name\":\"wakes\",\"cat\":\"flow\",\"ph\":\"%s\",%s\"id\":%ld,\"ts\":%.3f,\"pid\":%d,"
                         "\"tid\":%d}",
                    e->kind == EV_FLOW_OUT ? "s" : "f", e->kind == EV_FLOW_IN ? "\"bp\":\"e\"," : "", e->value,
                    e->t * 1e6, e->pid, a + 1);
        }
    }
    fprintf(out, "\n]}\n");
    forget_reading(&r);
}

/* -- the timeline: one row per actor ------------------------------------------- */

struct look {
    const char *span;
    char mark;
    int rank;        /* a higher one is drawn over a lower one */
    const char *sgr; /* its colour */
};

static const struct look looks[] = {
    { SPAN_HOLDING, '#', 6, "41;97" },  { SPAN_ACQUIRING, '+', 5, "45;97" }, { SPAN_WAITING, '~', 4, "43;30" },
    { SPAN_TASK, '=', 3, "42;30" },     { SPAN_RUNNING, '=', 3, "42;30" },   { SPAN_SLEEPING, '.', 2, "44;97" },
};

static struct look look_of(const char *span)
{
    for (size_t k = 0; k < sizeof looks / sizeof *looks; k++)
        if (strcmp(looks[k].span, span) == 0)
            return looks[k];
    return (struct look){ span, span[0] ? span[0] : '?', 3, "46;30" };
}

enum { MOST_ROWS = 24, SHOWN_WHEN_AGGREGATED = 16, LONGEST_LABEL = 16 };

static void draw_cell(FILE *out, char mark, bool color)
{
    if (!color || mark == ' ' || mark == '*' || mark == '|') {
        fputc(mark, out);
        return;
    }
    for (size_t k = 0; k < sizeof looks / sizeof *looks; k++)
        if (looks[k].mark == mark) {
            fprintf(out, "\33[%sm%c\33[0m", looks[k].sgr, mark);
            return;
        }
    fprintf(out, "\33[46;30m%c\33[0m", mark);
}

/* A caption under or over the drawing, wrapped to its width. */
static void caption(FILE *out, int width, int hang, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void caption(FILE *out, int width, int hang, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char *wrapped = wrap_line(text, 0, hang, width);
    fprintf(out, "%s\n", wrapped ? wrapped : text);
    free(wrapped);
}

void events_draw_timeline(FILE *out, int width, bool color)
{
    struct reading r;
    if (!record || !read_back(&r))
        return;
    /* Names shown: a name two processes share gets its pid, so that the
     * rows can be told apart. */
    char (*names)[LONGEST_LABEL + 8] = calloc((size_t)(r.actor_count ? r.actor_count : 1), sizeof *names);
    int label = 10; /* the longest name shown, and a space; within reason */
    for (int a = 0; names && a < r.actor_count; a++) {
        bool shared = false;
        for (int b = 0; b < r.actor_count && !shared && a < MOST_ROWS; b++)
            shared = b != a && r.actors[b].pid != r.actors[a].pid && strcmp(r.actors[b].name, r.actors[a].name) == 0;
        if (shared)
            snprintf(names[a], sizeof names[a], "%.12s@%d", r.actors[a].name, r.actors[a].pid);
        else
            snprintf(names[a], sizeof names[a], "%s", r.actors[a].name);
        int n = (int)strlen(names[a]) + 1;
        if (a < MOST_ROWS)
            label = n > label ? (n > LONGEST_LABEL ? LONGEST_LABEL : n) : label;
    }
    if (label > width / 3) /* a narrow terminal: names give way to the cells */
        label = width / 3 > 4 ? width / 3 : 4;
    const int LABEL = label;
    int cells = width - LABEL - 1; /* a row: the name in LABEL - 1, '|', the cells, '|' */
    if (cells < 10)
        cells = 10;
    double end = r.dropped ? r.filled_at : r.end;
    if (end <= 0)
        end = 1;
    char *grid = malloc((size_t)(r.actor_count ? r.actor_count : 1) * (size_t)cells);
    unsigned char *rank = calloc((size_t)(r.actor_count ? r.actor_count : 1) * (size_t)cells, 1);
    if (!grid || !rank || !names) {
        free(grid);
        free(rank);
        free(names);
        forget_reading(&r);
        return;
    }
    memset(grid, ' ', (size_t)r.actor_count * (size_t)cells);
    if (r.span_count > 0) /* none (a lesson that marks only events): spans is NULL, which qsort may not take */
        qsort(r.spans, (size_t)r.span_count, sizeof *r.spans, by_begin);
    int *last_end = malloc((size_t)(r.actor_count ? r.actor_count : 1) * sizeof *last_end);
    char *last_mark = calloc((size_t)(r.actor_count ? r.actor_count : 1), 1);
    for (int a = 0; last_end && a < r.actor_count; a++)
        last_end[a] = -2;
    for (long k = 0; k < r.span_count; k++) {
        const struct span *s = &r.spans[k];
        struct look look = look_of(s->what);
        int from = (int)(s->begin / end * cells), to = (int)(s->end / end * cells);
        if (from >= cells)
            from = cells - 1;
        if (to >= cells)
            to = cells - 1;
        for (int c = from; c <= to; c++) {
            size_t at = (size_t)s->actor * (size_t)cells + (size_t)c;
            if (look.rank > rank[at]) {
                grid[at] = look.mark;
                rank[at] = (unsigned char)look.rank;
            }
        }
        /* A task straight after a task: draw the seam, so that two tasks in
         * a row read as two, not one long one. */
        if (last_end && last_mark && strcmp(s->what, SPAN_TASK) == 0 && last_mark[s->actor] == look.mark &&
            (last_end[s->actor] == from || last_end[s->actor] + 1 == from) && from > 0) /* the same or the next column */
            grid[(size_t)s->actor * (size_t)cells + (size_t)from] = '|';
        if (last_end && last_mark && to >= last_end[s->actor]) {
            last_end[s->actor] = to;
            last_mark[s->actor] = look.mark;
        }
    }
    free(last_end);
    free(last_mark);
    for (long k = 0; k < r.count; k++) { /* an event, where the actor was doing nothing marked */
        const struct event *e = &r.events[k];
        if (e->kind != EV_INSTANT || strcmp(e->line, "event") != 0 || e->t > end)
            continue;
        int c = (int)(e->t / end * cells), a = r.event_actor[k];
        if (c >= cells)
            c = cells - 1;
        if (a >= 0 && grid[(size_t)a * (size_t)cells + (size_t)c] == ' ')
            grid[(size_t)a * (size_t)cells + (size_t)c] = '*';
    }

    fputc('\n', out);
    caption(out, width, 10,
            translate_plural("timeline: %d actor, 0 to %.2f lesson seconds, %.3f s a column",
                             "timeline: %d actors, 0 to %.2f lesson seconds, %.3f s a column", (unsigned long)r.actor_count),
            r.actor_count, end, end / cells);
    if (r.dropped)
        caption(out, width, 1, _("(the record of %d events filled at %.2f s: %ld later events are not drawn)"), CAPACITY,
                r.filled_at, r.dropped);
    int shown = r.actor_count > MOST_ROWS ? SHOWN_WHEN_AGGREGATED : r.actor_count;
    for (int a = 0; a < shown; a++) {
        fprintf(out, "%-*.*s|", LABEL - 1, LABEL - 1, names[a]);
        for (int c = 0; c < cells; c++)
            draw_cell(out, grid[(size_t)a * (size_t)cells + (size_t)c], color);
        fprintf(out, "|\n");
    }
    if (shown < r.actor_count) {
        /* The rest, one row for each mark: the darker, the more actors. */
        static const char density[] = " .:-=+*%@";
        int rest = r.actor_count - shown;
        caption(out, width, 2,
                _("%d more actors, aggregated: a row for each thing they did, darker where more did it"
                  " (xN: the most in one column)"),
                rest);
        for (size_t m = 0; m <= sizeof looks / sizeof *looks; m++) {
            char mark = m < sizeof looks / sizeof *looks ? looks[m].mark : '*';
            if (m > 0 && m < sizeof looks / sizeof *looks && looks[m - 1].mark == mark)
                continue; /* running and running a task share '=' */
            int *how_many = calloc((size_t)cells, sizeof *how_many);
            int most = 0;
            for (int a = shown; how_many && a < r.actor_count; a++)
                for (int c = 0; c < cells; c++)
                    how_many[c] += grid[(size_t)a * (size_t)cells + (size_t)c] == mark;
            for (int c = 0; how_many && c < cells; c++)
                most = how_many[c] > most ? how_many[c] : most;
            if (most > 0) {
                fprintf(out, "%c x%-*d|", mark, LABEL - 4 > 1 ? LABEL - 4 : 1, most);
                for (int c = 0; c < cells; c++)
                    fputc(density[how_many[c] == 0 ? 0 : 1 + (how_many[c] * 7 + most - 1) / most], out);
                fprintf(out, "|\n");
            }
            free(how_many);
        }
    }
    /* the time axis: a tick every ten columns, with its lesson second */
    fprintf(out, "%*s", LABEL, "");
    for (int c = 0; c < cells; c += 10)
        fprintf(out, "%-*s", cells - c < 10 ? cells - c : 10, "|");
    fprintf(out, "\n%*s", LABEL, "");
    for (int c = 0; c + 10 <= cells || c == 0; c += 10) {
        char label[16];
        double at = end * c / cells;
        if (end < 1)
            snprintf(label, sizeof label, _("%.0fms"), at * 1000);
        else
            snprintf(label, sizeof label, end < 100 ? _("%.1fs") : _("%.0fs"), at);
        pad_to(out, label, 10); /* display columns: 秒 takes two */
    }
    fputc('\n', out);
    /* The legend, "# holding" and the rest, a mark never apart from its name. */
    static const char *const legend[] = { N_("# holding"), N_("+ acquiring"), N_("~ waiting"), N_("= running"),
                                          N_(". sleeping"), N_("* event"),   N_("| next task") };
    const char *items[16];
    for (int k = 0; k < 7; k++)
        items[k] = _(legend[k]);
    char own[6][40];
    int item_count = 7;
    const char *others[6]; /* spans of the lesson's own, drawn by their first letter */
    int other_count = 0;
    for (long k = 0; k < r.span_count && other_count < 6; k++) {
        bool known = false;
        for (size_t m = 0; m < sizeof looks / sizeof *looks; m++)
            known = known || strcmp(looks[m].span, r.spans[k].what) == 0;
        for (int o = 0; o < other_count; o++)
            known = known || strcmp(others[o], r.spans[k].what) == 0;
        if (!known) {
            snprintf(own[other_count], sizeof own[other_count], "%c %s", r.spans[k].what[0], r.spans[k].what);
            items[item_count++] = own[other_count];
            others[other_count++] = r.spans[k].what;
        }
    }
    int column = 0;
    for (int k = 0; k < item_count; k++) {
        int w = display_width(items[k], strlen(items[k]));
        if (column > 0 && column + 1 + w > width) {
            fputc('\n', out);
            column = 0;
        }
        fprintf(out, "%s%s", column > 0 ? " " : "", items[k]);
        column += (column > 0) + w;
    }
    fputc('\n', out);
    free(names);
    free(grid);
    free(rank);
    forget_reading(&r);
}
