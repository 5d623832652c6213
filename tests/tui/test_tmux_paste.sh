#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# In a real terminal (detached tmux, 120x36): a bracketed paste lands in the decoder from any pane,
# a 256 KiB paste does not hang or crash, `c` copies the token with OSC 52 (tmux turns it into a
# paste buffer), a mouse click focuses a pane, and Ctrl-C quits cleanly with status 0.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux_lib.sh"

tmux_start "$TMUX_FIXTURE_ENV"
tmux -L "$SOCK" set-option -g set-clipboard on >/dev/null 2>&1
wait_for " up · 14:26:40 UTC" 20

# bracketed paste while the lesson pane has the focus: it goes to the decoder
tmux -L "$SOCK" set-buffer -b tok -- "$TL_TOKEN"
tmux -L "$SOCK" paste-buffer -p -b tok -t "$T"
wait_for "Token (288 bytes)"
wait_for '"sub": "alice@example.com",'
wait_for "Decoder · editing"
keys Enter
wait_gone "Decoder · editing"
wait_for "Token pasted (288 bytes) · history 1/1"

# c copies the token with OSC 52; tmux keeps it as a paste buffer
tmux -L "$SOCK" delete-buffer -b tok
keys c
wait_for "copied 288 bytes to the clipboard (OSC 52)"
for ((i = 0; i < 50; i++)); do
    tmux -L "$SOCK" show-buffer 2>/dev/null | grep -qF "$TL_TOKEN" && break
    sleep 0.1
done
tmux -L "$SOCK" show-buffer 2>/dev/null | grep -qF "$TL_TOKEN" ||
    fail "OSC 52 did not reach tmux's clipboard"

# a big paste: 256 KiB of base64url
head -c 196608 /dev/urandom | base64 -w0 | tr '+/' '-_' >"$WORK/big"
tmux -L "$SOCK" load-buffer -b big "$WORK/big"
keys d
tmux -L "$SOCK" paste-buffer -p -b big -t "$T"
wait_for "(245760 more bytes not shown)" 60
keys Enter
keys Home
wait_for "Token pasted (262144 bytes)" 20

# a mouse click (X10 encoding, what TERM=screen's kmous announces) on the trace focuses it
keys Escape
wait_for "┌─ HTTP trace"
# ESC [ M, button 1 press then release, at column 81, row 26 (1-based, each +32)
tmux -L "$SOCK" send-keys -t "$T" -H 1b 5b 4d 20 71 3a
tmux -L "$SOCK" send-keys -t "$T" -H 1b 5b 4d 23 71 3a
wait_for "┏━ HTTP trace"

# Ctrl-C quits cleanly
keys C-c
for ((i = 0; i < 100; i++)); do
    [ -s "$WORK/rc" ] && break
    sleep 0.1
done
[ -s "$WORK/rc" ] || fail "tokenlab did not exit after Ctrl-C"
rc="$(cat "$WORK/rc")"
[ "$rc" = 0 ] || {
    cat "$WORK/stderr"
    fail "exit status $rc after Ctrl-C"
}
echo "ok: bracketed paste (288 B and 256 KiB), OSC 52 copy, mouse click focus, Ctrl-C exits 0"
