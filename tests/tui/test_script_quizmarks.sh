#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The mark in front of a quiz says how it was answered, not only that it was: ✓ right, ✗ wrong
# (answered again and right: ✓), and a finished lesson shows its first-attempt score in the list.
# Fixture lessons in fixtures/ux.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
if [ -n "${KEEP:-}" ]; then echo "screens kept in $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
TL_FIXTURE_DATA="$TL_DIR/fixtures/ux"
fails=0
cat >"$WORK/s" <<SCRIPT
:resize 100 40
:wait-idle
<Enter>
:wait-idle
<Enter>
<Enter>
:wait-idle
<Enter>
<Space>
<Enter>
:save-screen $WORK/1-wrong.txt
R
<Down>
<Space>
<Enter>
:save-screen $WORK/2-right-later.txt
<Enter>
<Space>
<Enter>
:save-screen $WORK/3-q2-right.txt
<Enter>
<Space>
<Down>
<Down>
<Space>
<Enter>
:save-screen $WORK/4-q3-right.txt
l
:save-screen $WORK/5-list.txt
q
SCRIPT
if ! tl_run_script "$WORK/s" "$WORK/state" "" 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error"
    exit 1
fi
# q-one answered with the first option (wrong): a cross, not a check
check "$WORK/1-wrong.txt" "✗ Not quite"
check "$WORK/1-wrong.txt" "✗ Quiz (choose one)"
check_not "$WORK/1-wrong.txt" "✓ Quiz (choose one)"
# answered again, right: the check mark
check "$WORK/2-right-later.txt" "✓ Correct"
check "$WORK/2-right-later.txt" "✓ Quiz (choose one)"
check_not "$WORK/2-right-later.txt" "✗ Quiz (choose one)"
check "$WORK/3-q2-right.txt" "UX-EXPLAIN-2"
check "$WORK/4-q3-right.txt" "✓ Quiz (choose all that apply)"
# the lesson is finished: q-one's first attempt was wrong, q-two and q-three right
check "$WORK/5-list.txt" "✓  1 A long lesson for the scrolling tests  beginner · 5 min · quizzes 2/3 right first time"

# after a restart the marks come from the progress file: q-one's latest attempt was right
cat >"$WORK/s2" <<SCRIPT
:resize 100 40
:wait-idle
<Enter>
:wait-idle
:save-screen $WORK/6-restart.txt
q
SCRIPT
if ! tl_run_script "$WORK/s2" "$WORK/state" "" 2>"$WORK/err2"; then
    cat "$WORK/err2"
    echo "FAIL: tokenlab exited with an error (restart)"
    exit 1
fi
check_not "$WORK/6-restart.txt" "✗ Quiz (choose one)"
check "$WORK/6-restart.txt" "✓ Quiz (choose one)"

[ "$fails" = 0 ] && echo "ok: quiz marks (✓ right, ✗ wrong) and the score of a finished lesson"
exit $((fails > 0))
