#include "refusal.h"

#include "lesson.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

void report_no_memory(const char *advice, const char *what, ...)
{
    char thing[96];
    va_list ap;
    va_start(ap, what);
    vsnprintf(thing, sizeof thing, what, ap);
    va_end(ap);
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
        fprintf(stderr, "%s: no memory for %s (ulimit -v is %llu KB); raise it%s%s\n", lesson_who(), thing,
                (unsigned long long)as.rlim_cur / 1024, advice ? ", or " : "", advice ? advice : "");
    else
        fprintf(stderr, "%s: no memory for %s; %s\n", lesson_who(), thing, advice ? advice : "free some memory");
}

void report_no_descriptor(const char *what, int error)
{
    struct rlimit files;
    char limit[32] = "unlimited";
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        snprintf(limit, sizeof limit, "%llu", (unsigned long long)files.rlim_cur);
    fprintf(stderr, "%s: the system refused %s (%s); ulimit -n is %s; raise it, or ask for fewer processes\n",
            lesson_who(), what, strerror(error), limit);
}
