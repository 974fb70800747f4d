/* concdemo: dispatch.
 *
 *   concdemo [common options] LESSON [options] | list | help [LESSON]
 *            | source LESSON | tour [options] | --version | --help
 *            | completion bash */
#include "lesson.h"

#include "columns.h"
#include "complete.h"
#include "events.h"
#include "i18n.h"
#include "source.h"
#include "step.h"
#include "suggest.h"
#include "wrap.h"
#include "tour.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CONCDEMO_VERSION "0.1.0"

#define LESSON_POINTER(id) &id##_lesson,
const struct lesson *const lesson_table[] = { LESSON_TABLE(LESSON_POINTER) };
#undef LESSON_POINTER
enum { LESSON_COUNT = sizeof lesson_table / sizeof *lesson_table };
const int lesson_count = LESSON_COUNT;

static char who[64] = "concdemo";

const char *lesson_who(void)
{
    return who;
}

int run_parts(const struct lesson_part *parts, size_t count)
{
    const char *chosen = option_choice("part");
    bool all = strcmp(chosen, "all") == 0;
    int status = 0;
    for (size_t k = 0; k < count && status == 0 && !lesson_stop_requested(); k++)
        if (all || strcmp(chosen, parts[k].name) == 0)
            status = parts[k].run();
    return status;
}

int not_started(void)
{
    return lesson_stop_requested() ? 0 : 1;
}

int lesson_index(const char *name, size_t length)
{
    for (int k = 0; k < LESSON_COUNT; k++)
        if (strlen(lesson_table[k]->name) == length && strncmp(lesson_table[k]->name, name, length) == 0)
            return k;
    return -1;
}

static const struct lesson *find_lesson(const char *name)
{
    int k = lesson_index(name, strlen(name));
    return k < 0 ? NULL : lesson_table[k];
}

/* The width of the name column in `list` and the overview. */
static int name_width(void)
{
    int width = 0;
    for (int k = 0; k < LESSON_COUNT; k++)
        if ((int)strlen(lesson_table[k]->name) > width)
            width = (int)strlen(lesson_table[k]->name);
    return width;
}

/* "about 12 s", "45 to 100 s", "under 1 s": how long a lesson runs at speed 1. */
static const char *runs_for(const struct lesson *lesson, char *buf, size_t size)
{
    double least = lesson->runs_for[0], most = lesson->runs_for[1];
    if (most > least)
        snprintf(buf, size, _("%.0f to %.0f s"), least, most);
    else if (least < 1)
        snprintf(buf, size, "%s", _("under 1 s"));
    else
        snprintf(buf, size, _("about %.0f s"), least);
    return buf;
}

/* `concdemo list`: name, how long it runs at speed 1, summary; in columns.
 * Returns the summaries' column, where a wrapped summary goes on. */
static int print_list(FILE *out)
{
    char time[40];
    int time_width = 0;
    for (int k = 0; k < LESSON_COUNT; k++)
        if (text_width(runs_for(lesson_table[k], time, sizeof time)) > time_width)
            time_width = text_width(time);
    for (int k = 0; k < LESSON_COUNT; k++) {
        fprintf(out, "%-*s ", name_width(), lesson_table[k]->name);
        pad_to(out, runs_for(lesson_table[k], time, sizeof time), time_width); /* display columns: it may be Chinese */
        fprintf(out, "  %s\n", _(lesson_table[k]->summary));
    }
    return name_width() + 1 + time_width + 2;
}

/* The overview's common options, from their specs, and examples that run. */
static void print_common_options_and_examples(FILE *out)
{
    fputc('\n', out);
    options_print_help(out, NULL);
    fputs(_("Each goes after the lesson's name, or before it: concdemo --speed 5 race.\n"), out);
    fprintf(out, "\n%s\n", _("examples:"));
    fprintf(out, "  concdemo race\n      %s\n", _("20000 threads add to one int with no lock, and updates vanish"));
    fprintf(out, "  concdemo semaphore --speed 5 --timeline\n      %s\n",
            _("five times faster; then each thread's waits and holds, as rows"));
    fprintf(out, "  concdemo pool --format jsonl | jq -c 'select(.kind == \"result\") | .data'\n      %s\n\n",
            _("one JSON object a line, for scripts: here each part's result"));
}

/* "; did you mean 'race'?": the lessons (and, with `commands`, the other
 * commands) close to what was typed, or "". */
static const char *lesson_hint(const char *typed, bool commands, char *buf, size_t size)
{
    struct suggestion close;
    suggestion_start(&close);
    for (int k = 0; k < LESSON_COUNT; k++)
        suggestion_offer(&close, typed, lesson_table[k]->name);
    for (const char *const *c = command_names; commands && *c; c++)
        suggestion_offer(&close, typed, *c);
    return suggestion_text(&close, "", buf, size);
}

/* "concdemo: no lesson named 'rac'; did you mean 'race'?" or, when nothing
 * is close, "... (see 'concdemo list')". */
static int no_lesson(const char *who_said, const char *typed, bool commands)
{
    char shown[64], hint[160];
    lesson_hint(typed, commands, hint, sizeof hint);
    fprintf(stderr, _("%s: no lesson named '%s'%s\n"), who_said, printable(typed, shown, sizeof shown),
            *hint ? hint : _(" (see 'concdemo list')"));
    return 2;
}

/* "usage: COMMAND   what it does": the commands in a column after the
 * word "usage:", which may be Chinese (so padded by display width). */
static void print_usage_lines(FILE *out)
{
    static const char *const commands[][2] = {
        { "concdemo LESSON [options]", N_("run a lesson and print its timed transcript") },
        { "concdemo list", N_("the lessons, one per line") },
        { "concdemo help [LESSON]", N_("this overview, or one lesson in full") },
        { "concdemo source LESSON", N_("print demos/LESSON.c, the lesson's source") },
        { "concdemo tour [options]", N_("the lessons in order, paced for a class") },
        { "concdemo --help | --version", NULL },
    };
    const char *usage = _("usage:");
    int lead = text_width(usage) + 1;
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++) {
        pad_to(out, k == 0 ? usage : "", lead);
        if (commands[k][1]) {
            pad_to(out, commands[k][0], 28);
            fprintf(out, "%s\n", _(commands[k][1]));
        } else {
            fprintf(out, "%s\n", commands[k][0]);
        }
    }
}

static void print_overview(FILE *out)
{
    fprintf(out, "%s\n\n",
            _("concdemo: concurrency lessons you can run -- threads, daemons, the GIL,\n"
              "locks, semaphores, events, conditions, timers, queues, pipes, pools and\n"
              "coroutines -- re-created in C with POSIX threads, processes and\n"
              "coroutines from five Python articles."));
    print_usage_lines(out);
    fprintf(out, "\n%s\n", _("lessons:"));
    for (int k = 0; k < LESSON_COUNT; k++)
        fprintf(out, "  %-*s %s\n", name_width(), lesson_table[k]->name, _(lesson_table[k]->summary));
    print_common_options_and_examples(out);
    fputs(_("Start with:  concdemo race     then:  concdemo help race\n"), out);
    fputs(_("The manual:  man concdemo (once installed), or man ./man/concdemo.1 in the source tree\n"), out);
}

static void print_lesson_help(FILE *out, const struct lesson *lesson)
{
    fprintf(out, "concdemo %s: %s\n", lesson->name, _(lesson->summary));
    fprintf(out, _("from: %s\n"), _(lesson->source));
    bool long_name = strlen(lesson->name) > 17; /* 45 + 2 x the name: past 79 columns */
    const char *source_line = _("source: demos/%s.c%s(concdemo source %s prints it)\n\n");
    /* A long name puts the parenthesis on a line of its own, under the path:
     * as far in as the label is wide ("source: ", 8; its translation's own). */
    const char *path = strstr(source_line, "demos/");
    char under[40] = "\n        ";
    if (path) {
        char label[64];
        snprintf(label, sizeof label, "%.*s", (int)(path - source_line), source_line);
        snprintf(under, sizeof under, "\n%*s", text_width(label) < 30 ? text_width(label) : 8, "");
    }
    fprintf(out, source_line, lesson->name, long_name ? under : " ", lesson->name);
    fprintf(out, _("usage: concdemo %s [options]\n\n"), lesson->name);
    options_print_help(out, lesson->options);
    fprintf(out, _("\nresult keys: %s\n\n"), lesson->results); /* wrapped by print_fitting() */
    print_paragraphs(out, _(lesson->explanation));
}

/* Help, fitted to the width (wrap.h). */
static void print_fitting(FILE *out, void (*print)(FILE *, const struct lesson *), const struct lesson *lesson)
{
    char *buffer;
    size_t size;
    FILE *memory = fit_begin(&buffer, &size);
    if (!memory) {
        print(out, lesson);
        return;
    }
    print(memory, lesson);
    fit_end(memory, &buffer, out, -1);
}

static void print_overview_for(FILE *out, const struct lesson *unused)
{
    (void)unused;
    print_overview(out);
}

/* Stopping runs on a thread of its own, so that the watcher stays free for
 * a second Ctrl-C even if a lesson's stop hook is slow: first the lesson's
 * hooks wake its waits, then its child processes are ended. */
static pthread_t stopper;
static atomic_bool stopper_started;

static void *stop_everything(void *unused)
{
    (void)unused;
    clock_run_stop_hooks();
    children_stop_all();
    return NULL;
}

static void start_stopper(void)
{
    if (atomic_exchange(&stopper_started, true))
        return;
    pthread_attr_t attr;
    small_stack_attr(&attr);
    if (pthread_create(&stopper, &attr, stop_everything, NULL) != 0) {
        atomic_store(&stopper_started, false);
        stop_everything(NULL); /* no thread to spare: stop from here */
    }
    pthread_attr_destroy(&attr);
}

/* Ctrl-C and SIGTERM are taken by this one thread, never by a lesson thread
 * in the middle of a lock: it asks the lesson to stop, and every sleep wakes.
 * A second signal while stopping leaves at once. */
static atomic_bool lesson_finished;

/* The lesson starts only once the watcher runs.  A thread still starting
 * may hold a lock of the runtime's (AddressSanitizer's allocator takes one
 * as a thread starts), and a child forked at that moment inherits it held:
 * a thread started in that child then waits for ever (seen in CI). */
static pthread_mutex_t watcher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watcher_started = PTHREAD_COND_INITIALIZER;
static bool watcher_running;

static void *signal_watcher(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&watcher_lock);
    watcher_running = true;
    pthread_cond_signal(&watcher_started);
    pthread_mutex_unlock(&watcher_lock);
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGUSR1);
    struct timespec first_signal = { 0, 0 };
    bool signalled = false;
    for (;;) {
        int sig;
        if (sigwait(&watched, &sig) != 0)
            continue;
        if (sig == SIGUSR1) {
            if (atomic_load(&lesson_finished))
                return NULL;
            if (lesson_stop_requested()) /* a closed pipe, or a lesson's own stop */
                start_stopper();
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (signalled) {
            /* `timeout` and a terminal may send one signal twice, to the
             * program and to its group: a second one counts only later. */
            double since = (double)(now.tv_sec - first_signal.tv_sec) + (double)(now.tv_nsec - first_signal.tv_nsec) / 1e9;
            if (since < 0.3)
                continue;
            /* No lock here: a thread may be stuck writing to a stalled terminal. */
            if (write(STDOUT_FILENO, "\33[0m", 4) < 0) {
                /* nothing more to do: we are leaving */
            }
            _exit(128 + sig);
        }
        signalled = true;
        first_signal = now;
        clock_request_stop(sig);
        start_stopper();
    }
}

/* clock_request_stop() pokes the watcher, so the lesson's stop hooks run
 * there, whichever thread asked to stop, and whatever locks it holds. */
static pthread_t watcher;

static void poke_watcher(void)
{
    pthread_kill(watcher, SIGUSR1);
}

static bool want_color(void)
{
    return color_wanted(option_choice("color"));
}

/* --timeline, --trace and --step: checked before the lesson starts.
 * Returns 0, or the exit status (2), having said why on stderr. */
static int open_viewers(FILE **trace)
{
    *trace = NULL;
    bool jsonl = strcmp(option_choice("format"), "jsonl") == 0;
    if (option_flag("timeline") && jsonl) {
        fprintf(stderr, _("%s: --timeline draws text; with --format jsonl, use --trace FILE\n"), who);
        return 2;
    }
    if (option_flag("step") && option_flag("quiet")) {
        fprintf(stderr, _("%s: --step pauses after each line shown; with --quiet none is\n"), who);
        return 2;
    }
    if (option_flag("step")) {
        int error = step_open();
        if (error) {
            fprintf(stderr, _("%s: --step needs a terminal to read Enter from (/dev/tty: %s)\n"), who, strerror(error));
            return 2;
        }
    }
    const char *path = option_text("trace");
    if ((option_flag("timeline") || path) && !events_start()) {
        report_no_memory(N_("leave out --timeline and --trace"), "the run's record of events");
        step_close();
        return 1;
    }
    if (path) { /* last: a refusal above leaves an existing file alone */
        *trace = fopen(path, "w");
        if (!*trace) {
            char shown[200];
            fprintf(stderr, _("%s: --trace: cannot write '%s': %s\n"), who, printable(path, shown, sizeof shown), strerror(errno));
            events_stop();
            step_close();
            return 2;
        }
    }
    return 0;
}

/* After the run: the trace file and the timeline. */
static int close_viewers(FILE *trace, const char *lesson)
{
    int status = 0;
    if (trace) {
        char name[80];
        snprintf(name, sizeof name, "concdemo %s", lesson);
        events_write_trace(trace, name);
        bool failed = ferror(trace) != 0;
        if (fclose(trace) != 0 || failed) {
            char shown[200];
            fprintf(stderr, _("%s: --trace: cannot write '%s': %s\n"), who, printable(option_text("trace"), shown, sizeof shown),
                    strerror(errno));
            status = 1;
        }
    }
    long dropped = events_dropped();
    if (dropped)
        fprintf(stderr, _("%s: the record of events was full: the last %ld were not kept for --trace and "
                          "--timeline; ask for fewer threads or iterations\n"),
                who, dropped);
    if (option_flag("timeline") && !transcript_broken()) {
        fflush(stdout);
        events_draw_timeline(stdout, output_width(), want_color());
        fflush(stdout);
    }
    events_stop();
    step_close();
    return status;
}

static int run_lesson(const struct lesson *lesson, int argc, char **argv)
{
    snprintf(who, sizeof who, "concdemo %s", lesson->name);
    for (int k = 0; k < argc; k++) {
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            print_fitting(stdout, print_lesson_help, lesson);
            return 0;
        }
    }
    if (!options_parse(who, lesson->options, argc, argv))
        return 2;
    if (lesson->check) {
        const char *problem = lesson->check();
        if (problem) {
            fprintf(stderr, _("%s: %s\n"), who, problem);
            return 2;
        }
    }

    FILE *trace;
    int refused_viewer = open_viewers(&trace);
    if (refused_viewer)
        return refused_viewer;
    bool jsonl = strcmp(option_choice("format"), "jsonl") == 0;
    transcript_open(jsonl ? FORMAT_JSONL : FORMAT_TEXT, want_color(), option_flag("quiet"), lesson->actor_width);

    /* Block the signals in every thread; the watcher alone takes them. */
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &watched, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed reader shows up as EPIPE instead */
    pthread_attr_t attr;
    small_stack_attr(&attr);
    int refused = pthread_create(&watcher, &attr, signal_watcher, NULL);
    pthread_attr_destroy(&attr);
    if (refused) {
        report_thread_refusal(refused, 0);
        if (trace)
            fclose(trace);
        events_stop();
        step_close();
        return 1;
    }
    pthread_mutex_lock(&watcher_lock);
    while (!watcher_running)
        pthread_cond_wait(&watcher_started, &watcher_lock);
    pthread_mutex_unlock(&watcher_lock);
    clock_set_stop_notifier(poke_watcher);

    clock_start(option_real("speed"));
    if (option_flag("explain"))
        transcript_explanation(_(lesson->explanation));
    char params[1024];
    options_format_params(params, sizeof params);
    transcript_header(lesson->name, _(lesson->summary), params);

    int status = lesson->run();
    int stop = lesson_stop_requested(); /* read once: the results and the status agree */
    /* Every child reaped: what the process table says, not what we meant. */
    long unreaped = children_in_process_table();
    if (unreaped > 0) {
        fprintf(stderr,
                translate_plural("%s: %ld child process left unreaped: a bug in the lesson\n",
                                 "%s: %ld child processes left unreaped: a bug in the lesson\n", (unsigned long)unreaped),
                who, unreaped);
        if (status == 0)
            status = 1;
    }
    transcript_flush_results(status == 0 && stop <= 0);

    int write_error = transcript_write_error();
    if (stop == STOP_QUIT) {
        say("main", "stopped: q was pressed; every thread was stopped and joined; no result");
        transcript_reset_color();
    } else if (stop > 0) {
        say("main", "interrupted by %s: every thread was stopped and joined; no result", stop == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM");
        transcript_reset_color();
        status = 128 + stop;
    } else if (write_error) {
        fprintf(stderr, _("%s: cannot write the transcript: %s\n"), who, strerror(write_error));
        status = 1;
    } else if (stop < 0 && status == 0) {
        status = 0; /* the reader went away: end quietly */
    }
    int viewer_status = close_viewers(trace, lesson->name);
    if (status == 0)
        status = viewer_status;
    atomic_store(&lesson_finished, true);
    pthread_kill(watcher, SIGUSR1);
    pthread_join(watcher, NULL);
    if (atomic_load(&stopper_started))
        pthread_join(stopper, NULL);
    return status;
}

/* The spec named by the first `len` bytes of `name`, in `specs`, or NULL. */
static const struct option_spec *spec_named(const struct option_spec *specs, const char *name, size_t len)
{
    for (const struct option_spec *s = specs; s && s->name; s++)
        if (strlen(s->name) == len && strncmp(s->name, name, len) == 0)
            return s;
    return NULL;
}

/* Is that an option of some lesson? The first lesson that has it, if so. */
static const struct lesson *lesson_with_option(const char *name, size_t len)
{
    for (int k = 0; k < LESSON_COUNT; k++)
        if (spec_named(lesson_table[k]->options, name, len))
            return lesson_table[k];
    return NULL;
}

/* `concdemo --speed 50 race --threads 100`: the common options may come
 * before the lesson's name.  They count as if given first after it, so one
 * given after the name too wins there (the last one wins, as when repeated).
 * A lesson's own options must follow its name.  Returns the lesson's status,
 * or 2 having said why on stderr. */
static int run_with_leading_options(int argc, char **argv)
{
    int at = 1; /* the first word that is not a leading option or its value */
    bool help = false;
    for (; at < argc && strncmp(argv[at], "--", 2) == 0 && argv[at][2] != '\0'; at++) {
        const char *name = argv[at] + 2;
        size_t len = strcspn(name, "=");
        const struct option_spec *spec = spec_named(common_option_specs, name, len);
        char typed[64], shown[64];
        snprintf(typed, sizeof typed, "%.*s", (int)(len + 2 > 60 ? 60 : len + 2), argv[at]);
        printable(typed, shown, sizeof shown);
        if (len == 4 && strncmp(name, "help", 4) == 0) {
            help = true;
            continue;
        }
        if (spec) {
            if (spec->type != OPT_FLAG && !name[len] && ++at == argc) {
                fprintf(stderr, _("concdemo: %s needs a value (see 'concdemo --help')\n"), shown);
                return 2;
            }
            continue;
        }
        if (lesson_with_option(name, len)) {
            /* name the lesson typed after it, if it is one of its options */
            const struct lesson *named = NULL;
            for (int k = at + 1; k < argc && !named; k++)
                named = find_lesson(argv[k]);
            if (named && !spec_named(named->options, name, len))
                named = NULL;
            fprintf(stderr, _("concdemo: %s is a lesson's own option: put it after the lesson's name (concdemo %s %s ...)\n"),
                    shown, named ? named->name : "LESSON", shown);
            return 2;
        }
        char hint[160];
        options_suggest(typed + 2, NULL, hint, sizeof hint);
        fprintf(stderr, _("concdemo: unknown option '%s'%s\n"), shown, *hint ? hint : _(" (see 'concdemo --help')"));
        return 2;
    }
    if (at == argc) {
        if (help) {
            print_fitting(stdout, print_overview_for, NULL);
            return 0;
        }
        fputs(_("concdemo: options, but no lesson to run (concdemo [options] LESSON [options]; see 'concdemo list')\n"), stderr);
        return 2;
    }
    const struct lesson *lesson = find_lesson(argv[at]);
    bool tour = !lesson && strcmp(argv[at], "tour") == 0; /* it takes --speed and --color itself */
    if (!lesson && !tour) {
        for (const char *const *c = command_names; *c; c++)
            if (strcmp(argv[at], *c) == 0) {
                fprintf(stderr, _("concdemo %s: takes no common options before it; they go with a lesson "
                                  "(concdemo [options] LESSON [options])\n"), *c);
                return 2;
            }
        return no_lesson("concdemo", argv[at], false);
    }
    /* As if typed after the name: the program, the name, the options before
     * it, then those after it. */
    char **args = malloc(sizeof *args * ((size_t)argc + 1));
    if (!args) {
        report_no_memory(NULL, N_("the command line"));
        return 1;
    }
    int count = 0;
    args[count++] = argv[0];
    args[count++] = argv[at];
    for (int k = 1; k < at; k++)
        args[count++] = argv[k];
    for (int k = at + 1; k < argc; k++)
        args[count++] = argv[k];
    args[count] = NULL;
    int status = tour ? tour_main(count, args) : run_lesson(lesson, count - 2, args + 2);
    free(args);
    return status;
}

/* A file opened later (--trace's, a pipe's ends) must never land on a
 * standard descriptor that was closed: the transcript would go into it.  So
 * a closed stdin or stderr is filled with /dev/null, and a closed stdout,
 * where the transcript goes, is refused.  Returns false after saying so. */
static bool standard_descriptors_open(void)
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        if (fd == STDOUT_FILENO) {
            fputs(_("concdemo: standard output is closed: there is nowhere to print to\n"), stderr);
            return false;
        }
        int null = open("/dev/null", O_RDWR);
        if (null != fd) { /* open() takes the lowest free number: this one */
            if (null >= 0)
                close(null);
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    /* `concdemo __exit`: exit at once, for the process lesson's fork+exec
     * and posix_spawn, which time the start of a fresh program as Python's
     * spawn starts a fresh python3. */
    if (argc == 2 && strcmp(argv[1], "__exit") == 0)
        return 0;
    if (!standard_descriptors_open())
        return 1;
    int lang_status = i18n_start(&argc, argv); /* --lang zh|en, or the locale's */
    if (lang_status != 0)
        return lang_status;
    if (argc < 2) {
        print_fitting(stdout, print_overview_for, NULL);
        return 0;
    }
    const char *command = argv[1];
    if (strcmp(command, "__complete") == 0)
        return complete_words(argc - 2, argv + 2);
    if (strcmp(command, "completion") == 0) {
        if (argc != 3 || strcmp(argv[2], "bash") != 0) {
            char shown[64];
            fprintf(stderr, _("concdemo completion: bash is the one shell it knows: concdemo completion bash%s%s%s\n"),
                    argc > 2 ? _(" (got '") : "", argc > 2 ? printable(argv[2], shown, sizeof shown) : "", argc > 2 ? _("')") : "");
            return 2;
        }
        print_bash_completion(stdout);
        return 0;
    }
    bool bare_command = strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
                        strcmp(command, "--version") == 0 || strcmp(command, "list") == 0;
    if (bare_command && argc > 2) {
        char shown[64];
        fprintf(stderr, _("concdemo %s: takes no arguments, got '%s'\n"), command, printable(argv[2], shown, sizeof shown));
        return 2;
    }
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        print_fitting(stdout, print_overview_for, NULL);
        return 0;
    }
    if (strcmp(command, "--version") == 0) {
        printf("concdemo %s\n", CONCDEMO_VERSION);
        fputs(_("License: MIT (see LICENSE)\n"), stdout);
        return 0;
    }
    if (strncmp(command, "--", 2) == 0 && command[2] != '\0') {
        int status = run_with_leading_options(argc, argv);
        fflush(stdout);
        return status;
    }
    if (strcmp(command, "list") == 0) {
        char *buffer;
        size_t size;
        /* To a pipe or a file, one line per lesson, whatever its length, so
         * that `concdemo list | cut -d' ' -f1` reads the names. */
        FILE *memory = output_width_chosen() ? fit_begin(&buffer, &size) : NULL;
        int summaries = print_list(memory ? memory : stdout);
        if (memory)
            fit_end(memory, &buffer, stdout, summaries); /* under the summaries */
        return 0;
    }
    if (strcmp(command, "help") == 0) {
        if (argc == 2) {
            print_fitting(stdout, print_overview_for, NULL);
            return 0;
        }
        const struct lesson *lesson = find_lesson(argv[2]);
        if (!lesson && argc == 3)
            return no_lesson("concdemo help", argv[2], false);
        if (!lesson || argc > 3) {
            char shown[64];
            fprintf(stderr,
                    lesson ? _("concdemo help: one lesson at a time, not '%s' (see 'concdemo list')\n")
                           : _("concdemo help: no lesson named '%s' (see 'concdemo list')\n"),
                    printable(argc > 3 ? argv[3] : argv[2], shown, sizeof shown));
            return 2;
        }
        print_fitting(stdout, print_lesson_help, lesson);
        return 0;
    }
    if (strcmp(command, "source") == 0)
        return source_main(argc - 2, argv + 2);
    if (strcmp(command, "tour") == 0)
        return tour_main(argc, argv);
    const struct lesson *lesson = find_lesson(command);
    if (!lesson)
        return no_lesson("concdemo", command, true);
    int status = run_lesson(lesson, argc - 2, argv + 2);
    fflush(stdout);
    return status;
}
