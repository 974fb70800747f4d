#!/bin/sh
# The messages of the given sources (default: all) that po/zh_CN.po lacks or
# marks fuzzy, in PO form: what a translator adds to the end of po/zh_CN.po.
# Prints nothing when the translation is complete (tests/i18n.bats).
cd "$(dirname "$0")/.." || exit 1
template=$(mktemp) || exit 1
trap 'rm -f "$template"' EXIT
po/messages.sh "$@" >"$template" || exit 1
for which in --only-fuzzy --untranslated; do
    msgmerge --quiet --no-fuzzy-matching --no-wrap po/zh_CN.po "$template" -o - |
        msgattrib --no-obsolete "$which" --no-wrap -o -
done | awk 'BEGIN { RS = ""; ORS = "\n\n" } !/(^|\n)msgid ""\nmsgstr ""\n"/' | sed "s/^#, fuzzy, /#, /; /^#, fuzzy$/d"
