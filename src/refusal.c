#include "refusal.h"

#include "lesson.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* The advice and the things the lessons pass to the two reports below,
 * for the catalog: each is translated where it is printed, here. */
static const char *const said_by_callers[] __attribute__((unused)) = {
    N_("ask for fewer"), N_("ask for fewer processes"), N_("ask for fewer --io-threads"), N_("ask for fewer --pages"),
    N_("ask for fewer --processes or --lines"), N_("ask for smaller records"), N_("try again"),
    N_("leave out --timeline and --trace"),
    N_("a pipe"), N_("a socketpair"), N_("a descriptor"), N_("a listening socket"),
    N_("a connection to the manager's server"), N_("a pipe for a child's report"), N_("a pipe for the child's output"),
};

void report_no_memory(const char *advice, const char *what, ...)
{
    char thing[192];
    va_list ap;
    va_start(ap, what);
    vsnprintf(thing, sizeof thing, _(what), ap);
    va_end(ap);
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
        if (advice)
            fprintf(stderr, _("%s: no memory for %s (ulimit -v is %llu KB); raise it, or %s\n"), lesson_who(), thing,
                    (unsigned long long)as.rlim_cur / 1024, _(advice));
        else
            fprintf(stderr, _("%s: no memory for %s (ulimit -v is %llu KB); raise it\n"), lesson_who(), thing,
                    (unsigned long long)as.rlim_cur / 1024);
    } else {
        fprintf(stderr, _("%s: no memory for %s; %s\n"), lesson_who(), thing, advice ? _(advice) : _("free some memory"));
    }
}

void report_no_descriptor(const char *what, int error)
{
    struct rlimit files;
    char limit[32];
    snprintf(limit, sizeof limit, "%s", _("unlimited"));
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        snprintf(limit, sizeof limit, "%llu", (unsigned long long)files.rlim_cur);
    fprintf(stderr, _("%s: the system refused %s (%s); ulimit -n is %s; raise it, or ask for fewer processes\n"),
            lesson_who(), _(what), strerror(error), limit);
}
