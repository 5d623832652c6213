#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Terminal key conventions: q closes the help before it quits (as Esc does; q again quits), and
# Ctrl-L redraws without changing anything.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fails=0
cat >"$WORK/s" <<SCRIPT
:resize 120 36
:wait-idle
?
:save-screen $WORK/k1-help.txt
q
:save-screen $WORK/k2-closed.txt
<C-l>
:save-screen $WORK/k3-redrawn.txt
q
:save-screen $WORK/k4-never.txt
SCRIPT
if ! tl_run_script "$WORK/s" "$WORK/state" "" 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error"
    exit 1
fi
check "$WORK/k1-help.txt" "show this help; Esc closes it"
[ -f "$WORK/k2-closed.txt" ] || { echo "FAIL: q in the help quit the program instead of closing the help"; exit 1; }
check_not "$WORK/k2-closed.txt" "show this help; Esc closes it"
cmp -s "$WORK/k2-closed.txt" "$WORK/k3-redrawn.txt" || { echo "FAIL: Ctrl-L changed the screen"; fails=$((fails + 1)); }
[ ! -f "$WORK/k4-never.txt" ] || { echo "FAIL: q outside the help did not quit"; fails=$((fails + 1)); }
[ "$fails" = 0 ] || exit 1
echo "ok: q closes the help, Ctrl-L redraws, q quits"
