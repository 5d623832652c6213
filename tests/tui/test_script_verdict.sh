#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The decoder pane and the lesson check `decoder.signature` give one verdict (jose/verdict), and a
# key the learner types with K belongs to the token it was typed for (issue 14 item 3: after K
# with one token's secret, the server's genuine login token showed "signature does not match: the
# payload was changed after signing" while the lesson check called it valid).
# Each situation runs the TUI headless (fixture lesson fixtures/verdict: its steps report what the
# state says as "STATE-SAYS-<step> <verdict>") at 200 columns, where the lesson and the decoder are side
# by side, and checks that the pane's mark and the state's verdict are the same.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
if [ -n "${KEEP:-}" ]; then echo "screens kept in $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
TL_FIXTURE_DATA="$TL_DIR/fixtures/verdict"
UNSIGNED='eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.'
fails=0
run() { # run NAME: runs $WORK/s-NAME, screens in $WORK/NAME-*.txt
    if ! tl_run_script "$WORK/s-$1" "$WORK/st-$1" "" 2>"$WORK/err"; then
        cat "$WORK/err"
        echo "FAIL: tokenlab exited with an error ($1)"
        exit 1
    fi
}
# agree FILE VERDICT: the decoder pane's verdict line starts with the mark of VERDICT (right after
# the pane's border, whichever pane has the focus) and the lesson state says VERDICT in step 2
agree() {
    local f="$1" v="$2" mark
    case "$v" in
    valid) mark="✓ signature verified" ;;
    invalid) mark="✗ " ;;
    unsigned) mark="✗ unsigned \\(alg none\\)" ;;
    unknown) mark="? " ;;
    esac
    grep -qE "[│┃] $mark" "$f" || {
        echo "FAIL: $(basename "$f"): the decoder does not say $v ($mark…)"
        fails=$((fails + 1))
    }
    check "$f" "STATE-SAYS-2 $v"
    for o in valid invalid unsigned unknown; do
        [ "$o" = "$v" ] || check_not "$f" "STATE-SAYS-2 $o"
    done
}
# Keys that bring the lesson pane to the front and leave the decoder as it is.
TO_LESSON=$'l\n<Esc>'
HEAD=$':resize 200 40\n:wait-idle'

# 1. Issue 14.3: a secret given for a pasted token, then the server's own login token.
cat >"$WORK/s-given" <<SCRIPT
$HEAD
:paste $TL_TOKEN
<Enter>
K
:type $TL_SECRET
<Enter>
:save-screen $WORK/given-1.txt
$TO_LESSON
<Enter>
:wait-idle
:save-screen $WORK/given-2.txt
d
[
:save-screen $WORK/given-3.txt
q
SCRIPT
run given
check "$WORK/given-1.txt" "✓ signature verified with your secret (35 bytes)"
check "$WORK/given-2.txt" "STATE-SAYS-1 valid"
check_not "$WORK/given-2.txt" "STATE-SAYS-1 invalid"
check "$WORK/given-2.txt" "✓ signature verified with the server's login secret (HS256)"
check_not "$WORK/given-2.txt" "signature does not match"
check "$WORK/given-2.txt" "Token login ("
# back in the history, the pasted token is judged by the key given for it again
check "$WORK/given-3.txt" "✓ signature verified with your secret (35 bytes)"

# 2. The server's login token, edited without the key: its signature was copied onto other content.
cat >"$WORK/s-forged" <<SCRIPT
$HEAD
<Enter>
:wait-idle
d
P
<C-u>
:type {"sub":"mallory@example.com"}
<Enter>
$TO_LESSON
n
<Enter>
:save-screen $WORK/forged-1.txt
q
SCRIPT
run forged
agree "$WORK/forged-1.txt" invalid
check "$WORK/forged-1.txt" "✗ signature does not match: the payload was changed after signing"

# 3. A token signed with another secret, no key given: not the server's, not proven tampered.
# 4. The same with the right secret given (K), 5. with a wrong one, 6. an unsigned token.
situation() { # situation NAME TOKEN [K-text]
    {
        printf '%s\n' "$HEAD" ":paste $2" "<Enter>"
        [ -z "${3:-}" ] || printf '%s\n' K ":type $3" "<Enter>"
        printf '%s\n' "$TO_LESSON" n "<Enter>" ":save-screen $WORK/$1-1.txt" q
    } >"$WORK/s-$1"
    run "$1"
}
situation other "$TL_TOKEN"
agree "$WORK/other-1.txt" invalid
check "$WORK/other-1.txt" "✗ not signed with the server's login secret (signed with another key, or changed after"
situation right "$TL_TOKEN" "$TL_SECRET"
agree "$WORK/right-1.txt" valid
check "$WORK/right-1.txt" "✓ signature verified with your secret (35 bytes)"
situation wrong "$TL_TOKEN" "not-the-secret"
agree "$WORK/wrong-1.txt" invalid
check "$WORK/wrong-1.txt" "✗ signature does not match: the payload was changed after signing"
check "$WORK/wrong-1.txt" "(checked with your secret"
situation unsigned "$UNSIGNED"
agree "$WORK/unsigned-1.txt" unsigned

# 7. A token the lesson minted with the lab key (its RSA key): checked with the key that signed it.
cat >"$WORK/s-lab" <<SCRIPT
$HEAD
:
:type mint key=lab claims='{"sub":"lab"}'
<Enter>
:wait-idle
<Esc>
$TO_LESSON
n
<Enter>
:save-screen $WORK/lab-1.txt
q
SCRIPT
run lab
agree "$WORK/lab-1.txt" valid
check "$WORK/lab-1.txt" "✓ signature verified with the key the lesson signed it with (RS256)"

# 8. A token the server signed with its RSA key, pasted: the pane checks it against the server's
# JWKS, and so does the check (it had no JWKS of its own until a lesson action fetched one).
# The token comes from a `tokenlab serve` the TUI is connected to (--server), by client_credentials.
"$TOKENLAB" serve --listen 127.0.0.1:0 --lab-key test-lab-key >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
PORT=""
for ((i = 0; i < 300; i++)); do
    PORT=$(sed -n 's|^tokenlab server listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/serve.log")
    [ -n "$PORT" ] && break
    sleep 0.1 # the server prints its port when it listens (test_script_remote.sh does the same)
done
[ -n "$PORT" ] || {
    cat "$WORK/serve.log"
    echo "FAIL: tokenlab serve did not start"
    exit 1
}
SRV_TOKEN=$(curl -sf -u demo-service:demo-service-secret -d grant_type=client_credentials \
    -d scope=api:read "http://127.0.0.1:$PORT/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$SRV_TOKEN" ] || {
    echo "FAIL: no access token from the server"
    exit 1
}
{
    printf '%s\n' ":resize 200 40" ":wait-idle" ":wait-for 127.0.0.1:$PORT up" ":paste $SRV_TOKEN" "<Enter>"
    printf '%s\n' "$TO_LESSON" n "<Enter>" ":save-screen $WORK/server-1.txt" q
} >"$WORK/s-server"
if ! tl_run_script "$WORK/s-server" "$WORK/st-server" "" --server "http://127.0.0.1:$PORT" \
    --lab-key test-lab-key 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error (server)"
    exit 1
fi
agree "$WORK/server-1.txt" valid
check "$WORK/server-1.txt" "✓ signature verified against the server's JWKS (kid"

[ "$fails" -eq 0 ] || {
    for f in "$WORK"/*.txt; do # what each screen said, to tell a race from a wrong verdict
        echo "--- $(basename "$f")"
        grep -E "STATE-SAYS|[│┃] [✓✗?] " "$f" | sed 's/  */ /g'
    done
    echo "$fails check(s) failed (KEEP=1 keeps the screens)"
    exit 1
}
echo "ok: the decoder pane and decoder.signature agree in every situation; K keys stay with their token"
