#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where the lesson pane scrolls (fixture lessons in fixtures/ux with a long intro):
# - a fresh lesson opens at its top, on first launch and from the list, and the bottom border
#   points at the step below the fold;
# - answering a quiz near the bottom of the pane brings the verdict and the explanation into view;
# - a resize keeps the current item in view.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
if [ -n "${KEEP:-}" ]; then echo "screens kept in $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
TL_FIXTURE_DATA="$TL_DIR/fixtures/ux" # its lessons/ are the whole course
fails=0
run() { # run SCRIPT STATE
    if ! tl_run_script "$1" "$2" "" 2>"$WORK/err"; then
        cat "$WORK/err"
        echo "FAIL: tokenlab exited with an error ($(basename "$1"))"
        exit 1
    fi
}

# 1. fresh lessons open at their top
cat >"$WORK/s1" <<SCRIPT
:resize 100 30
:wait-idle
:save-screen $WORK/1-first-launch.txt
l
<Down>
<Enter>
:wait-idle
:save-screen $WORK/1-second-from-list.txt
l
<Up>
<Enter>
:wait-idle
:save-screen $WORK/1-first-from-list.txt
q
SCRIPT
run "$WORK/s1" "$WORK/state1"
check "$WORK/1-first-launch.txt" "┃ UX-TOP the first line of the lesson"
check "$WORK/1-first-launch.txt" "Intro paragraph 1: the TUI tests"
check "$WORK/1-first-launch.txt" "┗━ ↓ step below: PgDn ━"
check_not "$WORK/1-first-launch.txt" "Step: Log in as Alice"
check "$WORK/1-second-from-list.txt" "┃ UX-SECOND-TOP the second lesson starts here"
check "$WORK/1-first-from-list.txt" "┃ UX-TOP the first line of the lesson"

# 2. a quiz answered at the bottom of the pane: the verdict and the explanation come into view;
# 8. a resize keeps the current item in view
{
    echo ":resize 100 30"
    echo ":wait-idle"
    echo "n"
    echo "n"
    for ((i = 0; i < 14; i++)); do echo "<Up>"; done # the quiz options reach the bottom row
    echo ":save-screen $WORK/2-before.txt"
    echo "<Down>"
    echo "<Space>"
    echo "<Enter>"
    echo ":save-screen $WORK/2-answered.txt"
    echo "n"
    echo ":save-screen $WORK/8-at-q2.txt"
    echo ":resize 80 24"
    echo ":save-screen $WORK/8-80x24.txt"
    echo ":resize 120 40"
    echo ":save-screen $WORK/8-120x40.txt"
    echo "q"
} >"$WORK/s2"
run "$WORK/s2" "$WORK/state2"
check_not "$WORK/2-before.txt" "UX-EXPLAIN-1"
check "$WORK/2-answered.txt" "UX-Q1 Which option is right?"
check "$WORK/2-answered.txt" "✓ Correct"
check "$WORK/2-answered.txt" "UX-EXPLAIN-1 the second option was right because the test says so."
check "$WORK/8-at-q2.txt" "UX-Q2 Which option is right this time?"
for f in 8-80x24 8-120x40; do
    check "$WORK/$f.txt" "→ Quiz (choose one)"
    check "$WORK/$f.txt" "UX-Q2 Which option is right this time?"
done

[ "$fails" = 0 ] && echo "ok: lesson pane scrolling (fresh lessons, quiz feedback, resize)"
exit $((fails > 0))
