#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A scripted session against the embedded server, through the same input path as the keyboard:
# run the lesson's login step (real POST /login), see the token land in the decoder verified with
# the server's login secret, read the exchange in the trace with the password masked and then
# revealed, load the token from the trace into the decoder, and see the flow diagram follow.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
[ -n "${KEEP:-}" ] && echo "$WORK" || trap 'rm -rf "$WORK"' EXIT
fails=0
# highlighted FILE TEXT: the row showing TEXT is drawn bold+reverse just above it (flow arrows)
highlighted() {
    local row
    row=$(grep -n -F -- "$2" "$1" | head -1 | cut -d: -f1)
    if [ -z "$row" ] || ! grep -q "^$((row - 1)):.*bold,reverse" "$1"; then
        echo "FAIL: $(basename "$1"): the arrow under '$2' is not highlighted"
        fails=$((fails + 1))
    fi
}
cat >"$WORK/s" <<SCRIPT
:resize 100 50
:wait-idle
:save-screen $WORK/0-start.txt
<Enter>
:wait-idle
:save-screen $WORK/1-after-login.txt
<Tab>
:save-screen $WORK/1b-decoder.txt
<Tab>
:save-screen $WORK/1c-trace.txt
<Up>
<Down>
:save-screen $WORK/2-trace-login.txt
r
:save-screen $WORK/3-revealed.txt
<Enter>
:save-screen $WORK/3b-full.txt
<Enter>
:save-screen $WORK/4-loaded.txt
f
:save-screen $WORK/5-flow.txt
n
:save-screen $WORK/6-next.txt
l
:save-screen $WORK/6b-lesson.txt
l
:save-screen $WORK/7-list.txt
<Esc>
n
i
:save-screen $WORK/8-quiz.txt
<Down>
<Space>
<Enter>
:save-screen $WORK/9-answered.txt
<Tab>
<Tab>
<Tab>
q
SCRIPT
if ! tl_run_script "$WORK/s" "$WORK/state" "" 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error"
    exit 1
fi
check "$WORK/0-start.txt" "up · 14:26:40 UTC"
check "$WORK/0-start.txt" "Step: Log in as Alice"
check "$WORK/0-start.txt" "Step: Log in as Alice"
check "$WORK/1-after-login.txt" "✓ The server checked the password and"
check "$WORK/1-after-login.txt" " Enter: next   R: run again" # a passed step: Enter goes on
check "$WORK/1b-decoder.txt" "Token login (" # the token landed in the decoder by itself
check "$WORK/1b-decoder.txt" "✓ signature verified with the server's login secret (HS256)"
check "$WORK/1b-decoder.txt" '"sub": "alice",'
check "$WORK/1c-trace.txt" "→ GET    /jwks                        200"
check "$WORK/1c-trace.txt" "→ POST   /login                       200"
check "$WORK/1c-trace.txt" "• server issued /login: login JWT issued for alice@example.com"
check "$WORK/2-trace-login.txt" "POST /login HTTP/1.1"
check "$WORK/2-trace-login.txt" '"email": "alice@example.com",'
check "$WORK/2-trace-login.txt" '"password": "***** (r reveals)"'
check_not "$WORK/2-trace-login.txt" 'wonderland'
check "$WORK/2-trace-login.txt" "HTTP/1.1 200 OK"
check "$WORK/2-trace-login.txt" '"token_type": "Bearer",'
check "$WORK/2-trace-login.txt" "→ token: eyJ"
# the trace follows the newest exchange: the step's POST /login is shown without a key
check "$WORK/1c-trace.txt" "HTTP trace · following the newest"
check "$WORK/1c-trace.txt" "POST /login HTTP/1.1"
check "$WORK/2-trace-login.txt" "HTTP trace · reading 2 of 3 · Esc: follow the newest"
# Enter opens the exchange over the whole pane; Enter there loads its token
check "$WORK/3b-full.txt" "HTTP trace · entry 2 of 3 · Esc: back to the list"
check_not "$WORK/3b-full.txt" "→ GET    /jwks"
check "$WORK/3b-full.txt" "Tokens in this exchange (o next, Enter loads):"
check "$WORK/3-revealed.txt" '"password": "wonderland"'
check "$WORK/4-loaded.txt" "Token login (" # the same token: the history keeps one entry
check "$WORK/4-loaded.txt" "history 1/1"
check "$WORK/5-flow.txt" "JWT login (POST /login, then Bearer on every call)"
# the POST /login request moved the highlight to arrow 2; n moves it to 3
highlighted "$WORK/5-flow.txt" "2. POST /login {email, password}"
highlighted "$WORK/6-next.txt" "3. checks the password"
check "$WORK/6b-lesson.txt" "A fixed lesson for golden screens" # l shows the current lesson, l again the list
check_not "$WORK/6b-lesson.txt" "A demo authorization code flow for the screen tests"
check "$WORK/7-list.txt" "A demo lesson for the screen tests  beginner · 5 min · 1/1 steps, 0/1 quizzes"
check "$WORK/7-list.txt" "A demo authorization code flow for the screen tests"
check "$WORK/7-list.txt" "beginner · 5 min"
check "$WORK/8-quiz.txt" "→ Quiz (choose one)"
check "$WORK/8-quiz.txt" "hint 1/1: Did you need a key to read it in the decoder?"
check "$WORK/9-answered.txt" "(•) Anyone who holds the token"
check "$WORK/9-answered.txt" "✓ Quiz (choose one)"
check "$WORK/9-answered.txt" "The payload is base64url-encoded, not encrypted."

# Enter keeps a learner moving (vimtutor, rustlings): it runs the step, and once the step passed
# it goes on to the next item; R runs the passed step again (a second POST /login).
cat >"$WORK/s2" <<SCRIPT
:resize 100 50
:wait-idle
<Enter>
:wait-idle
<Enter>
:save-screen $WORK/10-advanced.txt
p
R
:wait-idle
t
:save-screen $WORK/11-rerun-trace.txt
q
SCRIPT
if ! tl_run_script "$WORK/s2" "$WORK/state2" "" 2>"$WORK/err2"; then
    cat "$WORK/err2"
    echo "FAIL: tokenlab exited with an error (Enter/R script)"
    exit 1
fi
check "$WORK/10-advanced.txt" "→ Quiz (choose one)"
check "$WORK/10-advanced.txt" "✓ Step: Log in as Alice"
[ "$(grep -c "POST   /login" "$WORK/11-rerun-trace.txt")" = 2 ] || {
    echo "FAIL: R did not run the passed step again (expected two POST /login in the trace)"
    fails=$((fails + 1))
}
[ "$fails" = 0 ] && echo "ok: scripted session (lesson step over HTTP, decoder, trace, flow)"
exit $((fails > 0))
