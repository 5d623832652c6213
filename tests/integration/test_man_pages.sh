#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages (cmake/man.sh, built into $BUILD/man): one per command that `tokenlab --help`
# lists, plus tokenlab(1) and tokenlab-lessons(5); each lints clean (mandoc -T lint at warning
# level, lexgrog finds its NAME line), renders with man -l without a warning, and says what the
# binary says (every option of `tokenlab CMD --help` is in the page).
set -euo pipefail
: "${TOKENLAB_BUILD_DIR:?}" "${TOKENLAB:?}"
M="$TOKENLAB_BUILD_DIR/man"
[ -f "$M/stamp" ] || { echo "SKIP: no man pages built (help2man missing when cmake ran)"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
source "$TOKENLAB_SOURCE_DIR/tests/integration/cli_lib.sh"

cmds=$("$TOKENLAB" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ -n "$cmds" ] || fail "no commands in tokenlab --help"
pages="$M/tokenlab.1 $M/tokenlab-lessons.5"
for c in $cmds; do
    [ -f "$M/tokenlab-$c.1" ] || fail "no man page for command $c"
    pages="$pages $M/tokenlab-$c.1"
done
# every check runs: a linter that is missing fails the test (scripts/deps.sh test installs mandoc
# and man-db), it does not quietly pass
for t in mandoc lexgrog man; do
    command -v "$t" >/dev/null || fail "$t is not installed (scripts/deps.sh test installs it)"
done
for p in $pages; do
    run 0 mandoc -T lint -W warning "$p"
    [ ! -s "$W/out" ] && [ ! -s "$W/err" ] || fail "mandoc -T lint: $p"
    run 0 lexgrog "$p"
    out_has "$(basename "${p%.*}") - "
    # man-db's default groff warnings on stderr: none allowed.
    MANWIDTH=80 MAN_KEEP_STDERR=1 run 0 man -l "$p"
    [ ! -s "$W/err" ] || fail "man -l warns for $p"
    out_has "NAME"
done

# The page says what --help says: every long option of each command appears in its page.
for c in $cmds; do
    "$TOKENLAB" "$c" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u >"$W/opts"
    man -l "$M/tokenlab-$c.1" 2>/dev/null | col -b >"$W/page"
    while read -r o; do
        grep -qF -- "$o" "$W/page" || fail "tokenlab-$c(1) lacks $o (in tokenlab $c --help)"
    done <"$W/opts"
done
# The lesson format page carries lessons/README.md's sections.
man -l "$M/tokenlab-lessons.5" 2>/dev/null | col -b >"$W/page"
for h in "FRONT MATTER" "STEPS" "QUIZZES" "CONDITIONS"; do
    grep -q "^$h" "$W/page" || fail "tokenlab-lessons(5) lacks the section $h"
done
echo "ok: $(echo "$pages" | wc -w) man pages"
