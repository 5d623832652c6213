#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End to end in a real terminal: tokenlab in a detached tmux at 120x36 with the embedded server.
# Open help, type a token into the decoder and see its claims and human dates, verify it with the
# secret, tamper with the payload and see the signature fail, resize to 80x24 and 40x10 and back,
# quit with q: exit status 0.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux_lib.sh"

tmux_start "$TMUX_FIXTURE_ENV"

wait_for "tokenlab"
wait_for " up · 14:26:40 UTC" 20 # the embedded server answered
wait_for "A demo lesson for the screen tests"
wait_for "HTTP trace"

# help overlay lists keys from the action table, Esc closes it
keys "?"
wait_for "Help: every key"
wait_for "decoder: when empty, type or paste a token; else e edits"
keys End
wait_for "copy the focused token to the clipboard (OSC 52)"
keys Escape
wait_gone "Help: every key"

# the decoder: d, type the token, Enter
keys d
wait_for "Decoder · editing"
text "$TL_TOKEN"
keys Enter
wait_for '"sub": "alice@example.com",'
wait_for "Subject:"
keys NPage # the dates are further down
wait_for "2025-11-28 14:36:40 UTC" # exp as a human date
wait_for "expires in 10m"
wait_for "issued 5m ago"
wait_for "Issuer:"

# verify with the secret the learner types
keys K
wait_for "Secret, @file (PEM/JWK), lab or login"
text "$TL_SECRET"
keys Enter
keys Home
wait_for "signature verified with your secret (35 bytes)"

# tamper: change the payload, keep the signature
keys P
wait_for "Payload JSON (Enter applies, Esc cancels)"
keys C-u
text '{"sub":"admin","exp":1764340600}'
keys Enter
wait_for '"sub": "admin"'
wait_for "signature does not match: the payload was changed after signing"

# 80x24: tabs; 40x10: too small; back to 120x36: everything again
tmux -L "$SOCK" resize-window -t tl -x 80 -y 24
wait_for " l Lesson   d Decoder   t Trace   f Flow"
tmux -L "$SOCK" resize-window -t tl -x 40 -y 10
wait_for "terminal too small (need 80×24, have"
wait_for "40×10)"
tmux -L "$SOCK" resize-window -t tl -x 120 -y 36
wait_for "HTTP trace"
wait_for '"sub": "admin"'
wait_gone "terminal too small"

# q quits with status 0
keys q
for ((i = 0; i < 100; i++)); do
    [ -s "$WORK/rc" ] && break
    sleep 0.1
done
[ -s "$WORK/rc" ] || fail "tokenlab did not exit after q"
rc="$(cat "$WORK/rc")"
[ "$rc" = 0 ] || {
    cat "$WORK/stderr"
    fail "exit status $rc"
}
echo "ok: help, decoder (claims, dates, verify, tamper), resize 80x24 / 40x10 / back, q exits 0"
