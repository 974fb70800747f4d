/* The reader's language: gettext, as GNU tools do.
 *
 * The locale chooses (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), and --lang zh|en
 * overrides it.  Messages are English in the source; po/zh_CN.po holds their
 * Chinese, built by make into build/locale/ and installed under
 * $(PREFIX)/share/locale.  What machines read is never translated: result:
 * keys and values, jsonl keys and kinds, trace names, option names. */
#ifndef CONCDEMO_I18N_H
#define CONCDEMO_I18N_H

#include <stdbool.h>

/* A message in the reader's language: _("...") where it is printed. */
const char *translate(const char *english) __attribute__((format_arg(1), returns_nonnull));
#define _(english) translate(english)

/* Marks a message kept in a table, translated where it is printed. */
#define N_(english) english

/* A count and its noun: "1 thread" or "3 threads", in the reader's language. */
const char *translate_plural(const char *one, const char *many, unsigned long count) __attribute__((format_arg(1)))
__attribute__((format_arg(2)));

/* Chooses the language, before anything is printed: takes every --lang X
 * (or --lang=X) out of argv.  Returns 0, or 2 after one line on stderr for
 * a --lang that is neither zh nor en.  A lesson's child processes inherit
 * the choice (CONCDEMO_LANG in the environment). */
int i18n_start(int *argc, char **argv);

/* True when messages are being printed in Chinese. */
bool i18n_chinese(void);

#endif
