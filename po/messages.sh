#!/bin/sh
# The messages a person reads, from the given sources (default: every
# source of the program), as a PO template on stdout.  xgettext finds them as
# the arguments of _() and N_(), of say() and note() (which translate their
# format), of the option macros (their help) and of the refusals.
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- $(ls src/*.[ch] demos/*.c demos/primitives/*.[ch] | sort)
# Some messages quote the articles' Chinese: xgettext warns of each, and
# writes them whole once the template's charset is UTF-8.
{ xgettext --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: --sort-by-file --package-name=concdemo \
    -k -k_ -kN_ -ksay:2 -ksay_in_color:3 -knote:1 -kreport_no_memory:2 -kOPTION_INT:5 -kOPTION_REAL:5 \
    -kOPTION_CHOICE:4 -kOPTION_FLAG:2 -kOPTION_TEXT:2 -ktranslate_plural:1,2 \
    -o - "$@" 2>&1 1>&3 | grep -vE 'non-ASCII|encoding|different from yours|pure ASCII msgid|^ {20,}|invalid multibyte' >&2
} 3>&1 | sed 's/charset=CHARSET/charset=UTF-8/'
