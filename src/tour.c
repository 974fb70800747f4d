/* tour: `concdemo tour`, the classroom walkthrough.
 *
 * Each lesson runs as a child process of this same binary, `concdemo LESSON
 * --speed X --color WHEN`, so that every lesson starts in a fresh process,
 * and the tour waits for it.  Ctrl-C and SIGTERM reach the child (from the
 * terminal, or passed on by the tour), which stops cleanly; then the tour
 * stops too, with the same status.  The pause reads the terminal, /dev/tty,
 * as --step does, and only when the tour's output is a terminal: piped into
 * `less`, or run by a test, it runs straight through. */
#include "tour.h"

#include "i18n.h"
#include "lesson.h"
#include "source.h"
#include "step.h"
#include "suggest.h"
#include "wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>


/* The default pace.  At --speed 1 with their defaults, the lessons took
 * (the lowest of two or three runs, on the busy 2-CPU VM): queue 42-65 s,
 * event-traffic-light 23 s, pool 16 s, coroutine 15 s, rlock 11.6 s, mutex,
 * semaphore and condition 4-5 s, race 0.8 s, pipe 0.1 s.  queue varies with
 * the seed: its article part draws 10 to 20 loops and 2 to 5 s sleeps, 35 to
 * 104 lesson seconds over 40 seeds (median 61), and its other parts add
 * about 8 (`concdemo list`: 25 to 105 s).  At 2.5 queue takes about 30 s,
 * and under 50 s at the very worst; a 1 s tick of the articles' is 0.4 s,
 * a pace a class can still follow. */
#define TOUR_SPEED "2.5"

enum { MOST_CHOSEN = 256 };

static volatile sig_atomic_t stop_signal;   /* SIGINT or SIGTERM, once one came */
static volatile sig_atomic_t running_child; /* its pid while a lesson runs, else 0 */
static bool color;

static void on_stop_signal(int sig)
{
    int saved = errno;
    stop_signal = sig;
    if (running_child > 0)
        kill((pid_t)running_child, sig); /* a kill of the tour alone reaches the lesson too */
    errno = saved;
}

static const char *dim(void)
{
    return color ? "\33[2m" : "";
}

static const char *bold(void)
{
    return color ? "\33[1m" : "";
}

static const char *plain(void)
{
    return color ? "\33[0m" : "";
}

/* One line of text, wrapped at spaces to the width (wrap.h); the lines after
 * the first are indented by `hang` columns.  `style`, a colour or "", holds
 * for each line, up to its end. */
static void print_wrapped_text(const char *text, int hang, const char *style)
{
    char *wrapped = wrap_line(text, 0, hang, output_width());
    const char *line = wrapped ? wrapped : text;
    for (;;) {
        size_t length = strcspn(line, "\n");
        printf("%s%.*s%s\n", style, (int)length, line, *style ? plain() : "");
        if (line[length] == '\0')
            break;
        line += length + 1;
    }
    free(wrapped);
}

static void print_rule(char c)
{
    int width = output_width() - 1;
    printf("%s", dim());
    for (int k = 0; k < width; k++)
        putchar(c);
    printf("%s\n", plain());
}

static void print_lesson_intro(int place, int count, const struct lesson *lesson)
{
    const struct embedded_source *source = source_find(lesson->name);
    char line[1024];
    print_rule('=');
    int hang = snprintf(line, sizeof line, "%d/%d  ", place, count);
    snprintf(line + hang, sizeof line - (size_t)hang, "%s: %s", lesson->name, _(lesson->summary));
    print_wrapped_text(line, hang, bold());
    snprintf(line, sizeof line, _("from: %s"), _(lesson->source));
    print_wrapped_text(line, 6, "");
    if (source) {
        snprintf(line, sizeof line, _("file: %s (concdemo source %s prints it)"), source->path, lesson->name);
        print_wrapped_text(line, 6, "");
    }
    print_rule('-');
    if (!source_print_snippet(stdout, lesson->name, ""))
        printf(_("(the head comment of demos/%s.c has no program from the article)\n"), lesson->name);
    print_rule('-');
    print_paragraphs(stdout, _(lesson->explanation));
    print_rule('-');
}

/* Runs `concdemo LESSON --speed X --color WHEN` as a child of this binary
 * and waits for it.  Returns its wait status, or -1 if it could not start
 * (said on stderr). */
static int run_lesson_child(const char *self, const char *lesson, const char *speed)
{
    printf("%s$ concdemo %s --speed %s%s\n\n", dim(), lesson, speed, plain());
    fflush(stdout); /* before the fork: the child's lines come after these */
    char *args[] = { "concdemo", (char *)lesson, "--speed", (char *)speed, "--color", color ? "always" : "never", NULL };
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigprocmask(SIG_BLOCK, &stops, &old);
    if (stop_signal) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        /* The path it was started by, if it was given one (under valgrind
         * /proc/self/exe is valgrind's); else what PATH found, which
         * /proc/self/exe names; without /proc, PATH again. */
        if (strchr(self, '/')) {
            execv(self, args);
        } else {
            execv("/proc/self/exe", args);
            execvp(self, args);
        }
        fprintf(stderr, _("concdemo tour: cannot run concdemo %s: %s: %s\n"), lesson, self, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        int error = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        fprintf(stderr, _("concdemo tour: cannot start concdemo %s: fork: %s\n"), lesson, strerror(error));
        return -1;
    }
    running_child = (sig_atomic_t)pid;
    sigprocmask(SIG_SETMASK, &old, NULL); /* a signal held back until now goes on to the child */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    running_child = 0;
    return status;
}

enum answer { GO_ON, AGAIN, QUIT, SIGNALLED, NO_TERMINAL };

/* The teacher's turn: a line typed on the terminal.  Keys pressed while the
 * lesson ran do not count. */
static enum answer pause_for_teacher(int tty, const char *lesson, const char *next)
{
    tcflush(tty, TCIFLUSH);
    printf("%s", bold());
    if (next)
        printf(_("[Enter: on to %s.  b Enter: %s again.  q Enter: quit.]"), next, lesson);
    else
        printf(_("[Enter: end the tour.  b Enter: %s again.  q Enter: quit.]"), lesson);
    printf("%s\n", plain());
    fflush(stdout);
    for (;;) {
        if (stop_signal)
            return SIGNALLED;
        char line[64];
        ssize_t n = tty_read(tty, -1, line, sizeof line);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NO_TERMINAL;
        if (memchr(line, 'q', (size_t)n))
            return QUIT;
        if (memchr(line, 'b', (size_t)n))
            return AGAIN;
        if (memchr(line, '\n', (size_t)n))
            return GO_ON;
    }
}

static bool bad_name(const char *option, const char *name, size_t length)
{
    char typed[64], shown[64];
    snprintf(typed, sizeof typed, "%.*s", (int)(length < 63 ? length : 63), name);
    if (length == 0)
        fprintf(stderr, _("concdemo tour: %s: an empty lesson name (see 'concdemo list')\n"), option);
    else
        fprintf(stderr, _("concdemo tour: %s: no lesson named '%s' (see 'concdemo list')\n"), option,
                printable(typed, shown, sizeof shown));
    return false;
}

/* --only's list, by index in teaching order, in the order given. */
static bool parse_only(const char *list, int *chosen, int *count)
{
    *count = 0;
    for (const char *name = list;;) {
        size_t length = strcspn(name, ",");
        int k = lesson_index(name, length);
        if (k < 0)
            return bad_name("--only", name, length);
        if (*count == MOST_CHOSEN) {
            fprintf(stderr, _("concdemo tour: --only: at most %d lessons\n"), MOST_CHOSEN);
            return false;
        }
        chosen[(*count)++] = k;
        if (name[length] == '\0')
            return true;
        name += length + 1;
    }
}

static void print_tour_help_to(FILE *out)
{
    /* One logical line each: fit_end() wraps them to the width. */
    fprintf(out, "%s concdemo tour [--from LESSON | --only LESSON,...] [--speed X] [--color WHEN]\n\n", _("usage:"));
    fprintf(out, "%s\n\n",
            _("Walks the lessons in teaching order, for a class.  For each: its title and the article "
              "section it comes from, the article's program, the lesson's explanation, then the lesson "
              "itself, run as `concdemo LESSON --speed X`, then a pause for the teacher: Enter goes on, "
              "b then Enter runs the lesson again, q then Enter quits.  When the output is not a "
              "terminal (a pipe, a file) or there is no terminal to read keys from, it runs straight "
              "through."));
    fprintf(out, "%s\n", _("options:"));
    fprintf(out, "  --from LESSON     %s\n", _("start at LESSON and go on to the last one"));
    fprintf(out, "  --only L1,L2,...  %s\n", _("only these lessons, in the order given"));
    fprintf(out, "  --speed X         ");
    fprintf(out,
            _("lesson time runs X times faster (0.01 to 10000); default %s, at which the longest lesson, "
              "queue, takes about 30 s; CONCDEMO_SPEED, if set, is the default instead"),
            TOUR_SPEED);
    fprintf(out, "\n  --color WHEN      %s\n", _("auto, always or never (auto: on a terminal, unless NO_COLOR is set)"));
    fprintf(out, "  -h, --help        %s\n\n", _("this text"));
    fprintf(out, "%s\n",
            _("Ctrl-C stops the lesson that runs and the tour (exit 130).  A lesson that cannot run "
              "(exit 1) is reported and the tour goes on; it then ends with 1."));
}

/* The help, fitted to the width (wrap.h). */
static void print_tour_help(void)
{
    char *buffer;
    size_t size;
    FILE *memory = fit_begin(&buffer, &size);
    print_tour_help_to(memory ? memory : stdout);
    if (memory)
        fit_end(memory, &buffer, stdout, -1);
}

/* The tour's options: its parser, its suggestions and the shell's completion
 * (complete.c) read them from here.  The parser's slots follow this order. */
const struct option_spec tour_option_specs[] = {
    OPTION_TEXT("from", "start at this lesson, and go on from there"),
    OPTION_TEXT("only", "only these lessons, comma-separated, in this order"),
    OPTION_TEXT("speed", "the pace of every lesson (default " TOUR_SPEED ", or CONCDEMO_SPEED)"),
    OPTION_CHOICE("color", "auto", "auto|always|never", "colour; auto: on a terminal, unless NO_COLOR is set"),
    OPTIONS_END,
};

/* The value of --name VALUE or --name=VALUE at argv[*k]; NULL if argv[*k]
 * is not --name.  *missing is set when the value is missing. */
static const char *option_value(char **argv, int argc, int *k, const char *name, bool *missing)
{
    size_t length = strlen(name);
    const char *arg = argv[*k];
    if (strncmp(arg, name, length) != 0)
        return NULL;
    if (arg[length] == '=')
        return arg + length + 1;
    if (arg[length] != '\0')
        return NULL;
    if (*k + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*k];
}

int tour_main(int argc, char **argv)
{
    const char *from = NULL, *only = NULL, *speed_text = NULL, *when = "auto";
    for (int k = 2; k < argc; k++) {
        const char *arg = argv[k];
        char shown[64];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_tour_help();
            return 0;
        }
        bool missing = false;
        const char *value;
        const char **slots[] = { &from, &only, &speed_text, &when }; /* as in tour_option_specs */
        bool known = false;
        for (size_t n = 0; tour_option_specs[n].name && !known; n++) {
            char name[32];
            snprintf(name, sizeof name, "--%s", tour_option_specs[n].name);
            value = option_value(argv, argc, &k, name, &missing);
            if (missing) {
                fprintf(stderr, _("concdemo tour: %s needs a value (see 'concdemo tour --help')\n"), name);
                return 2;
            }
            if (value) {
                *slots[n] = value;
                known = true;
            }
        }
        if (known)
            continue;
        if (arg[0] == '-') {
            char typed[64], hint[160];
            snprintf(typed, sizeof typed, "%.*s", (int)strcspn(arg, "="), arg);
            struct suggestion close;
            suggestion_start(&close);
            for (const struct option_spec *spec = tour_option_specs; spec->name; spec++)
                suggestion_offer(&close, typed + strspn(typed, "-"), spec->name);
            suggestion_offer(&close, typed + strspn(typed, "-"), "help");
            suggestion_text(&close, "--", hint, sizeof hint);
            fprintf(stderr, _("concdemo tour: unknown option '%s'%s\n"), printable(typed, shown, sizeof shown),
                    *hint ? hint : _(" (see 'concdemo tour --help')"));
        } else
            fprintf(stderr, _("concdemo tour: takes options, not '%s' (see 'concdemo tour --help')\n"), printable(arg, shown, sizeof shown));
        return 2;
    }

    static int chosen[MOST_CHOSEN];
    int count = 0;
    if (from && only) {
        fputs(_("concdemo tour: --from and --only both choose the lessons: give one of them\n"), stderr);
        return 2;
    }
    if (only) {
        if (!parse_only(only, chosen, &count))
            return 2;
    } else {
        int first = 0;
        if (from && (first = lesson_index(from, strlen(from))) < 0) {
            bad_name("--from", from, strlen(from));
            return 2;
        }
        for (int k = first; k < lesson_count; k++)
            chosen[count++] = k;
    }
    double speed;
    const char *env_speed = getenv("CONCDEMO_SPEED");
    if (speed_text) {
        if (!options_check_speed("concdemo tour", "--speed", speed_text, &speed))
            return 2;
    } else if (env_speed && *env_speed) {
        if (!options_check_speed("concdemo tour", "CONCDEMO_SPEED", env_speed, &speed))
            return 2;
        speed_text = env_speed;
    } else {
        speed_text = TOUR_SPEED;
    }
    if (strcmp(when, "always") == 0 || strcmp(when, "never") == 0 || strcmp(when, "auto") == 0) {
        color = color_wanted(when);
    } else {
        char shown[64];
        fprintf(stderr, _("concdemo tour: --color: '%s' is not one of the choices (allowed: auto|always|never)\n"),
                printable(when, shown, sizeof shown));
        return 2;
    }

    /* Pauses only where the teacher sees the output: piped into `less`, which
     * reads the keys itself, or into a file, the tour runs straight through. */
    int tty = -1;
    if (isatty(STDOUT_FILENO))
        tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal; /* no SA_RESTART: a wait for a key ends */
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);

    printf("%s", bold());
    printf(translate_plural("concdemo tour: %d lesson, at --speed %s", "concdemo tour: %d lessons, at --speed %s",
                            (unsigned long)count),
           count, speed_text);
    printf("%s\n", plain());
    if (tty >= 0)
        fputs(_("After each lesson: Enter goes on, b then Enter runs it again, q then Enter\n"
                "quits.  Ctrl-C stops the tour.\n"),
              stdout);
    printf("\n");

    int failed = 0, runs = 0;
    bool quit = false;
    for (int place = 0; place < count && !quit && !stop_signal; place++) {
        const struct lesson *lesson = lesson_table[chosen[place]];
        print_lesson_intro(place + 1, count, lesson);
        for (bool again = true; again && !stop_signal;) {
            again = false;
            int status = run_lesson_child(argv[0], lesson->name, speed_text);
            fflush(stdout);
            int signalled = status == -1 ? 0 : WIFSIGNALED(status) ? WTERMSIG(status) : 0;
            int code = status == -1 ? 1 : WIFEXITED(status) ? WEXITSTATUS(status) : 0;
            if (stop_signal || signalled == SIGINT || signalled == SIGTERM || code == 130 || code == 143) {
                if (!stop_signal)
                    stop_signal = signalled ? signalled : code - 128;
                break;
            }
            runs++;
            if (signalled) {
                printf(_("\n[concdemo tour: %s was ended by signal %d (%s)]\n"), lesson->name, signalled, strsignal(signalled));
                failed++;
            } else if (code != 0) {
                printf(_("\n[concdemo tour: %s could not run: exit %d; the reason is above]\n"), lesson->name, code);
                failed++;
            }
            if (tty < 0) {
                printf("\n");
                continue;
            }
            printf("\n");
            const char *next = place + 1 < count ? lesson_table[chosen[place + 1]]->name : NULL;
            switch (pause_for_teacher(tty, lesson->name, next)) {
            case GO_ON:
                break;
            case AGAIN:
                again = true;
                printf("\n");
                break;
            case QUIT:
                quit = true;
                break;
            case SIGNALLED:
                break;
            case NO_TERMINAL: /* the terminal went away: on without pausing */
                close(tty);
                tty = -1;
                break;
            }
        }
    }
    if (tty >= 0)
        close(tty);
    if (stop_signal) {
        printf("%s", bold());
        printf(_("[concdemo tour: stopped by %s]"), stop_signal == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM");
        printf("%s\n", plain());
        fflush(stdout);
        return 128 + stop_signal;
    }
    printf("%s", bold());
    if (quit)
        printf("%s", _("[concdemo tour: q was pressed: the end]"));
    else if (failed)
        printf(translate_plural("[concdemo tour: the end: %d lesson run; %d could not run]",
                                "[concdemo tour: the end: %d lessons run; %d could not run]", (unsigned long)runs),
               runs, failed);
    else
        printf(translate_plural("[concdemo tour: the end: %d lesson run]", "[concdemo tour: the end: %d lessons run]",
                                (unsigned long)runs),
               runs);
    printf("%s\n", plain());
    fflush(stdout);
    return failed ? 1 : 0;
}
