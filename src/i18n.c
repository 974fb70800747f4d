#include "i18n.h"

#include "options.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdint.h>
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
    if (!english)
        return "";
    if (!translating || !*english)
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

/* A 32-bit word of a catalog, in its byte order. */
static uint32_t word_at(const unsigned char *mo, size_t at, bool swapped)
{
    uint32_t w = (uint32_t)mo[at] | (uint32_t)mo[at + 1] << 8 | (uint32_t)mo[at + 2] << 16 | (uint32_t)mo[at + 3] << 24;
    return swapped ? (w >> 24) | ((w >> 8) & 0xff00) | ((w << 8) & 0xff0000) | (w << 24) : w;
}

/* A table of n (length, offset) pairs at `table`, each naming a string
 * that ends with a NUL inside the file. */
static bool strings_inside(const unsigned char *mo, size_t size, uint32_t n, uint32_t table, bool swapped)
{
    if ((uint64_t)table + (uint64_t)n * 8 > size)
        return false;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t length = word_at(mo, table + (size_t)k * 8, swapped);
        uint64_t offset = word_at(mo, table + (size_t)k * 8 + 4, swapped);
        if (offset + length >= size || mo[offset + length] != '\0')
            return false;
    }
    return true;
}

/* Whether a catalog gettext would read is whole: glibc trusts a .mo file's
 * tables, and one cut short or overwritten crashed the program (SIGSEGV in
 * the first translation). A missing file is fine: gettext then finds none. */
static bool catalog_whole(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return true;
    unsigned char *mo = NULL;
    struct stat st;
    bool whole = fstat(fileno(file), &st) == 0 && st.st_size >= 28 && st.st_size <= 64 << 20;
    size_t size = whole ? (size_t)st.st_size : 0;
    whole = whole && (mo = malloc(size)) && fread(mo, 1, size, file) == size;
    fclose(file);
    if (whole) {
        uint32_t magic = word_at(mo, 0, false);
        bool swapped = magic == 0xde120495u;
        whole = (magic == 0x950412deu || swapped) && word_at(mo, 4, swapped) == 0; /* revision 0: msgfmt's */
        uint32_t n = whole ? word_at(mo, 8, swapped) : 0;
        uint32_t hash_size = whole ? word_at(mo, 20, swapped) : 0, hash_at = whole ? word_at(mo, 24, swapped) : 0;
        whole = whole && strings_inside(mo, size, n, word_at(mo, 12, swapped), swapped) &&
                strings_inside(mo, size, n, word_at(mo, 16, swapped), swapped) &&
                (uint64_t)hash_at + (uint64_t)hash_size * 4 <= size;
        for (uint32_t k = 0; whole && k < hash_size; k++) /* each slot: 0, or 1 + an index */
            whole = word_at(mo, hash_at + (size_t)k * 4, swapped) <= n;
    }
    free(mo);
    return whole;
}

/* Every concdemo catalog under dir, whichever language gettext picks, whole. */
static bool catalogs_whole(const char *dir)
{
    DIR *languages = opendir(dir);
    if (!languages)
        return true;
    bool whole = true;
    char path[2 * PATH_MAX];
    for (struct dirent *entry; whole && (entry = readdir(languages));) {
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/" DOMAIN ".mo", dir, entry->d_name);
        whole = catalog_whole(path);
    }
    closedir(languages);
    return whole;
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
    const char *catalogs = catalog_directory(dir, sizeof dir);
    if (!catalogs_whole(catalogs))
        return; /* a broken catalog: English, as with none */
    bindtextdomain(DOMAIN, catalogs);
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
    if (*argc > 1 && strcmp(argv[1], "__complete") == 0) { /* completing a --lang: the words stay */
        choose(lang && (strcmp(lang, "zh") == 0 || strcmp(lang, "en") == 0) ? lang : NULL);
        return 0;
    }
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
