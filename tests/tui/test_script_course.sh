#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Walks the whole shipped course in script mode: opens every lesson from the list and, on every
# item, presses Enter (run the step / answer / check), asks for a hint, toggles an option and goes
# on. Whatever the lessons say, nothing may crash and the session must end cleanly.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
n=$(ls "$TOKENLAB_SOURCE_DIR"/lessons/[0-9]*.md 2>/dev/null | grep -vc '\.[a-z][a-z]\.md$')
if [ "$n" -lt 1 ]; then
    echo "FAIL: no lessons in $TOKENLAB_SOURCE_DIR/lessons"
    exit 1
fi
{
    echo ":resize 120 40"
    echo ":wait-idle"
    for ((i = 0; i < n; i++)); do
        echo "l"
        echo "<Home>"
        for ((j = 0; j < i; j++)); do echo "<Down>"; done
        echo "<Enter>"
        echo ":wait-idle"
        for ((k = 0; k < 14; k++)); do
            printf '%s\n' "<Enter>" ":wait-idle" "i" "<Space>" "n"
        done
        echo ":save-screen $WORK/lesson-$i.txt"
    done
    echo "q"
} >"$WORK/s"
if ! env TOKENLAB_SCRIPT="$WORK/s" XDG_STATE_HOME="$WORK/state" XDG_DATA_HOME="$WORK/data" \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 "$TOKENLAB" 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error walking the course"
    exit 1
fi
last=$((n - 1))
if ! grep -q "^ tokenlab  $n\. " "$WORK/lesson-$last.txt"; then
    echo "FAIL: the walk did not reach lesson $n:"
    head -3 "$WORK/lesson-$last.txt"
    exit 1
fi
echo "ok: walked $n lessons"
