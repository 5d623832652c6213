#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Presenter mode in a real terminal (tmux, 120x36): `tokenlab present demo-jwt-login --record F`.
# The projector layout (lesson left, flow and trace right, no decoder, one-line footer), Space runs
# the login step over real HTTP and shows its feedback, Space/Right moves to the quiz, whose answer
# stays hidden until `a`, Left goes back, `r` sends the step's request again (two POST /login in
# the trace), F5 leaves presenter mode and comes back, q quits with 0; the recording names every
# key, step, run and result in order.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux_lib.sh"
not_shown() { screen | grep -qF -- "$1" && fail "the screen shows '$1'"; return 0; }

tmux_start "$TMUX_FIXTURE_ENV NO_COLOR=1" present demo-jwt-login --record "$WORK/demo.rec"

wait_for " up · 14:26:40 UTC" 30
wait_for "1 / 2" 10
wait_for "Log in as Alice"
wait_for "Flow 1/5: JWT login"
wait_for "HTTP trace"
wait_for "REC"
wait_for "Space next"
not_shown "Decoder" # no decoder on a projector
not_shown "Help"    # no key-hint clutter: the normal footer is gone

keys Space # runs the step: a real POST /login
wait_for "✓ The server checked the password" 20
wait_for "POST   /login"
keys Space # it ran: on to the quiz
wait_for "2 / 2"
wait_for "Who can read the payload of a signed JWT?"
wait_for "(a reveals the answer)"
not_shown "The payload is base64url-encoded, not encrypted."
not_shown "✓ B)"
keys a
wait_for "✓ B) Anyone who holds the token"
wait_for "The payload is base64url-encoded, not encrypted."
keys Left
wait_for "1 / 2"
keys r # the same request once more
for ((i = 0; i < 100; i++)); do
    [ "$(screen | grep -cF 'POST   /login')" -ge 2 ] && break
    sleep 0.1
done
[ "$(screen | grep -cF 'POST   /login')" -ge 2 ] || fail "r did not send the login request again"
keys Right # perhaps while the request still runs: then it moves on once it is done
wait_for "2 / 2"
wait_for "(a reveals the answer)" # a new item hides the answer again

keys F5 # the normal TUI
wait_for "Decoder"
wait_gone "Space next"
keys F5
wait_for "Space next"
wait_gone "Decoder"

keys q
for ((i = 0; i < 100; i++)); do
    [ -s "$WORK/rc" ] && break
    sleep 0.1
done
[ "$(cat "$WORK/rc" 2>/dev/null)" = 0 ] || fail "exit status $(cat "$WORK/rc" 2>/dev/null), stderr: $(cat "$WORK/stderr")"

# the recording: readable lines in the order things happened
R="$WORK/demo.rec"
want=(
    'open demo-jwt-login "A demo lesson for the screen tests"'
    'step 1/2 step login'
    'key <Space>'
    'run login "Log in as Alice"'
    'done ok "The server checked the password and sent back a signed JWT."'
    'key <Space>'
    'step 2/2 quiz q-payload'
    'key a'
    'reveal q-payload shown'
    'key <Left>'
    'step 1/2 step login'
    'key r'
    'rerun login "Log in as Alice"'
    'key <Right>'
    'step 2/2 quiz q-payload'
    'end'
)
got="$(grep -v '^#' "$R" | sed -E 's/^[0-9]+\.[0-9]{3} //')"
line=0
for w in "${want[@]}"; do
    n=$(printf '%s\n' "$got" | tail -n +$((line + 1)) | grep -nF -- "$w" | head -1 | cut -d: -f1)
    [ -n "$n" ] || { echo "---- recording ----"; cat "$R"; fail "recording lacks (in order): $w"; }
    line=$((line + n))
done
[ "$(grep -c ' done ok ' "$R")" = 2 ] || fail "the recording should hold two 'done ok' lines"
[ "$(grep -c ' http POST /login 200$' "$R")" = 2 ] || fail "the recording should hold both requests"
# times never go backwards
awk '/^[0-9]/ { if ($1 + 0 < last) { print "time goes back at line " NR; exit 1 } last = $1 + 0 }' "$R" ||
    fail "recording times go backwards"
echo "ok: presenter mode stepped through the lesson; recording has $(grep -c '^[0-9]' "$R") events"
