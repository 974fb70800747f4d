#include "i18n.h"

#include "options.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

#define DOMAIN "concdemo"

static bool translating;      /* a catalog was found for the chosen language */
static bool report_untranslated; /* CONCDEMO_UNTRANSLATED=1: say each message the catalog lacks */

const char *translate(const char *english)
{
    if (!translating || !english || !*english)
        return english;
    const char *found = dgettext(DOMAIN, english);
    if (found == english && report_untranslated)
        fprintf(stderr, "concdemo: untranslated: \"%s\"\n", english);
    return found;
}

const char *translate_plural(const char *one, const char *many, unsigned long count)
{
    if (!translating)
        return count == 1 ? one : many;
    const char *found = dngettext(DOMAIN, one, many, count);
    if ((found == one || found == many) && report_untranslated)
        fprintf(stderr, "concdemo: untranslated: \"%s\"\n", one);
    return found;
}

bool i18n_chinese(void)
{
    return translating;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the catalogs are: CONCDEMO_LOCALEDIR; else beside the program, as
 * built (./build/locale) or as installed (../share/locale); else LOCALEDIR. */
static const char *catalog_directory(char *buf, size_t size)
{
    const char *given = getenv("CONCDEMO_LOCALEDIR");
    if (given && *given)
        return given;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, size, "%s/build/locale", exe);
            if (is_directory(buf))
                return buf;
            snprintf(buf, size, "%s/../share/locale", exe);
            if (is_directory(buf))
                return buf;
        }
    }
    return LOCALEDIR;
}

/* Messages by the locale; for --lang zh, Chinese even where the locale is C
 * or has no zh_CN installed: LANGUAGE is read by gettext in any locale but
 * C and POSIX, and C.UTF-8 is always there (glibc 2.35 and later). */
static void choose(const char *lang)
{
    if (lang && strcmp(lang, "en") == 0) {
        setlocale(LC_MESSAGES, "C");
        return;
    }
    const char *messages = setlocale(LC_MESSAGES, "");
    if (lang && strcmp(lang, "zh") == 0) {
        if (!messages || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0)
            if (!setlocale(LC_MESSAGES, "C.UTF-8"))
                setlocale(LC_MESSAGES, "C.utf8");
        setenv("LANGUAGE", "zh_CN", 1);
    }
    char dir[PATH_MAX + 32];
    bindtextdomain(DOMAIN, catalog_directory(dir, sizeof dir));
    bind_textdomain_codeset(DOMAIN, "UTF-8");
    /* strerror() and strsignal() speak the same language, from glibc's own
     * catalog: in UTF-8 too, though LC_CTYPE stays C (else "???"). */
    bind_textdomain_codeset("libc", "UTF-8");
    /* The catalog's header is its translation of "": found only if a catalog is. */
    translating = *dgettext(DOMAIN, "") != '\0';
    report_untranslated = translating && getenv("CONCDEMO_UNTRANSLATED") && strcmp(getenv("CONCDEMO_UNTRANSLATED"), "1") == 0;
}

int i18n_start(int *argc, char **argv)
{
    const char *lang = getenv("CONCDEMO_LANG");
    int kept = 1;
    for (int k = 1; k < *argc; k++) {
        const char *value = NULL;
        if (strcmp(argv[k], "--lang") == 0) {
            if (k + 1 >= *argc) {
                fprintf(stderr, "concdemo: --lang needs a value: zh or en\n");
                return 2;
            }
            value = argv[++k];
        } else if (strncmp(argv[k], "--lang=", 7) == 0) {
            value = argv[k] + 7;
        } else {
            argv[kept++] = argv[k];
            continue;
        }
        if (strcmp(value, "zh") != 0 && strcmp(value, "en") != 0 && strcmp(value, "auto") != 0) {
            char shown[48];
            fprintf(stderr, "concdemo: --lang: '%s' is not one of auto|zh|en\n", printable(value, shown, sizeof shown));
            return 2;
        }
        lang = value;
        if (strcmp(value, "auto") == 0)
            unsetenv("CONCDEMO_LANG"), lang = NULL;
    }
    *argc = kept;
    argv[kept] = NULL;
    if (lang && (strcmp(lang, "zh") == 0 || strcmp(lang, "en") == 0))
        setenv("CONCDEMO_LANG", lang, 1); /* for a child that runs concdemo again */
    else
        lang = NULL;
    choose(lang);
    return 0;
}
