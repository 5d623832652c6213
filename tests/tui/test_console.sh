#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The action console (`:`): open the device-flow lesson at its practical task ("an access token for
# Bob that can read notes"), check a bad line's message (a typo gets "did you mean", an unknown lab
# switch names the known ones), the `help` list (from the lesson layer's action table), Tab
# completion (action names, argument values from the usage lines, the server's lab switches), the
# history, then solve the task through `:` lines over real HTTP and see it turn
# done (the task's checks: Bob's access token with notes:read): the console says so, the lesson pane
# shows the ✓ and the explanation, the tokens are in the decoder and the exchanges in the trace.
# Esc while an action runs cancels its request and closes the console; the footer says so.
# After a run the console closes (`:` opens it again, Up recalls the line).
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT; echo "$WORK" >&2
fails=0
row() { sed -n "$2p" "$1"; } # row FILE N (1-based)
{
    echo ":resize 120 40"
    echo ":wait-idle"
    echo ":wait-idle" # a slow start (valgrind, a loaded machine): the lesson opens once the server is up
    for ((i = 0; i < 15; i++)); do echo "n"; done
    echo ":save-screen $WORK/0-task.txt"
    echo ":"
    echo ":type logn bob@example.com builder"
    echo "<Enter>"
    echo ":save-screen $WORK/1-typo.txt"
    echo ":type lab on no-such-switch"
    echo "<Enter>"
    echo ":save-screen $WORK/2-lab.txt"
    echo ":type consent maybe"
    echo "<Enter>"
    echo ":save-screen $WORK/3-args.txt"
    echo ":type authorize scope=\"openid"
    echo "<Enter>"
    echo ":save-screen $WORK/3b-quote.txt"
    printf ':type %s\n' "$(head -c 3000 /dev/zero | tr '\0' x)" # longer than the line holds
    echo ":type é€😀"
    echo "<Enter>"
    echo ":save-screen $WORK/3c-long.txt"
    echo "<Enter>" # an empty line does nothing
    echo ":resize 80 24"
    echo ":type help"
    echo "<Enter>"
    echo ":save-screen $WORK/3d-help-small-top.txt"
    for ((i = 0; i < 4; i++)); do echo "<PgDn>"; done # to the end, however long the list grows
    echo ":save-screen $WORK/3d-help-small.txt"
    echo "<Esc>"
    echo ":resize 120 40"
    echo ":type help"
    echo "<Enter>"
    echo ":save-screen $WORK/4-help.txt"
    echo "<Esc>"
    echo ":save-screen $WORK/5-help-closed.txt"
    echo ":type exchange v"
    echo "<Tab>"
    echo ":save-screen $WORK/5b-tab-arg.txt"
    echo "<C-u>"
    echo ":type lab on alg-c"
    echo "<Tab>"
    echo ":save-screen $WORK/5c-tab-lab.txt"
    echo "<C-u>"
    echo ":type dev"
    echo "<Tab>"
    echo ":save-screen $WORK/6-tab.txt"
    echo ":type s"
    echo "<Tab>"
    echo ":type client=tokenlab-cli scope=\"openid notes:read\""
    echo ":save-screen $WORK/7-typed.txt"
    echo "<Enter>"
    echo ":wait-idle"
    echo ":save-screen $WORK/8-started.txt"
    echo ":"
    echo ":type device-approve bob@example.com builder allow"
    echo "<Enter>"
    echo ":wait-idle"
    echo ":"
    echo ":type clock +10s"
    echo "<Enter>"
    echo ":wait-idle"
    echo ":"
    echo "<Up>"
    echo "<Up>"
    echo ":save-screen $WORK/9-history.txt"
    echo "<C-u>"
    echo ":type device-poll"
    echo "<Enter>"
    echo ":wait-idle"
    echo ":save-screen $WORK/10-done.txt"
    echo ":"
    echo ":type api GET /api/notes"
    echo "<Enter>"
    echo "<Esc>"
    echo ":wait-idle"
    echo ":save-screen $WORK/10b-cancelled.txt"
    echo "<Esc>"
    echo ":save-screen $WORK/11-closed.txt"
    echo "q"
} >"$WORK/s"
if ! tl_run_script "$WORK/s" "$WORK/state" "" --lessons "$TOKENLAB_SOURCE_DIR/lessons" \
    --lesson machines-devices 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error"
    exit 1
fi
check "$WORK/0-task.txt" "Use the device flow to get an access token"
check_not "$WORK/0-task.txt" "Start, let Bob approve" # not answered yet
check "$WORK/0-task.txt" "Enter: check my work   : type actions" # the task says where to act
# the console line is the last row of the screen (40)
check "$WORK/1-typo.txt" "unknown action 'logn' (did you mean login?)"
row "$WORK/1-typo.txt" 40 | grep -qF "✗ unknown action 'logn'" ||
    { echo "FAIL: the typo's message is not in the console line"; fails=$((fails + 1)); }
check "$WORK/2-lab.txt" "unknown lab switch 'no-such-switch' (known: "
check "$WORK/3-args.txt" "consent: 'maybe' is not allow or deny"
check "$WORK/3b-quote.txt" "✗ unterminated \" quote"
check "$WORK/3c-long.txt" ": ✗ unknown action 'xxxxxxxx"
check "$WORK/3d-help-small-top.txt" "                    [redirect_uri=URI]" # wrapped under its column
check "$WORK/3d-help-small.txt" "crack               [wordlist=FILE]"   # PgDn scrolled to the end
check "$WORK/4-help.txt" "Actions"
check "$WORK/4-help.txt" "device-approve      EMAIL PASSWORD [allow|deny]"
check "$WORK/4-help.txt" "client-credentials  client=ID secret=S scope="
check "$WORK/4-help.txt" "crack               [wordlist=FILE]"
check_not "$WORK/5-help-closed.txt" "device-approve      EMAIL PASSWORD"
row "$WORK/5b-tab-arg.txt" 40 | grep -qF ":exchange verifier=_  verifier=correct  verifier=wrong  verifier=none" ||
    { echo "FAIL: Tab did not offer exchange's verifier= values:"; row "$WORK/5b-tab-arg.txt" 40; fails=$((fails + 1)); }
row "$WORK/5c-tab-lab.txt" 40 | grep -qF ":lab on alg-confusion _" ||
    { echo "FAIL: Tab did not complete the server's lab switch:"; row "$WORK/5c-tab-lab.txt" 40; fails=$((fails + 1)); }
row "$WORK/6-tab.txt" 40 | grep -qF ":device-_  device-start  device-approve  device-poll" ||
    { echo "FAIL: Tab did not complete to the common prefix and list the candidates:"; row "$WORK/6-tab.txt" 40; fails=$((fails + 1)); }
row "$WORK/7-typed.txt" 40 | grep -qF ':device-start client=tokenlab-cli scope="openid notes:read"_' ||
    { echo "FAIL: the completed line is not 'device-start …':"; row "$WORK/7-typed.txt" 40; fails=$((fails + 1)); }
check "$WORK/8-started.txt" "✓ device-start client=tokenlab-cli scope=\"openid notes:read\" → 200 · not done yet"
check "$WORK/8-started.txt" "→ POST   /device_authorization        200"
row "$WORK/9-history.txt" 40 | grep -qF ":device-approve bob@example.com builder allow_" ||
    { echo "FAIL: Up Up did not recall the device-approve line:"; row "$WORK/9-history.txt" 40; fails=$((fails + 1)); }
check "$WORK/10-done.txt" "✓ device-poll → 200 · task done ✓"
check "$WORK/10-done.txt" "Start, let Bob approve" # the quiz's explanation in the lesson pane
check "$WORK/10-done.txt" "tokens issued (device_code) for bob" # the trace has the server's view
check "$WORK/10-done.txt" "Token access (" # the tokens landed in the decoder (the access token last)
# Esc while an action runs cancels its request; the console closes and the footer says so
row "$WORK/10b-cancelled.txt" 40 | grep -qF " cancelled 1 request in flight" ||
    { echo "FAIL: Esc did not cancel the running action:"; row "$WORK/10b-cancelled.txt" 40; fails=$((fails + 1)); }
check "$WORK/10b-cancelled.txt" "→ GET    /api/notes                   cancelled"
row "$WORK/11-closed.txt" 40 | grep -q "^:" && # closed: the footer (or the result's flash) is back
    { echo "FAIL: Esc did not close the console"; fails=$((fails + 1)); }
exit $((fails > 0))
