#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The authorization code flow with PKCE in the trace (fixture lesson demo-code-flow, run with
# --lesson): the /authorize query split one parameter per line with the S256 challenge, the
# redirect's location split into code/state/iss, the /token form body with the code_verifier
# masked (and revealed with r), the token response; the flow diagram switched to the code flow
# with the exchange arrow highlighted; the tokens in the decoder.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fails=0
# any_screen TEXT: some saved trace screen shows TEXT
any_screen() {
    if ! grep -qF -- "$1" "$WORK"/t-*.txt; then
        echo "FAIL: no trace screen shows: $1"
        fails=$((fails + 1))
    fi
}
{
    echo ":resize 100 70"
    echo ":wait-idle"
    echo "<Enter>"
    echo ":wait-idle"
    echo ":save-screen $WORK/lesson.txt"
    echo "t"
    echo "<Home>"
    for i in $(seq 10 30); do
        echo ":save-screen $WORK/t-$i.txt"
        echo "<Down>"
    done
    echo "<Home>"
    echo "r"
    for i in $(seq 40 60); do
        echo ":save-screen $WORK/t-$i.txt"
        echo "<Down>"
    done
    echo "f"
    echo ":save-screen $WORK/flow.txt"
    echo "d"
    echo "<Esc>"
    echo ":save-screen $WORK/decoder.txt"
} >"$WORK/s"
if ! tl_run_script "$WORK/s" "$WORK/state" "" --lesson demo-code-flow 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error"
    exit 1
fi
check "$WORK/lesson.txt" "✓ The tokens arrived on the back channel."
any_screen "query (one parameter per line)"
any_screen "response_type = code"
any_screen "code_challenge_method = S256"
any_screen "redirect location, split:"
any_screen "state = "
any_screen "iss = http://127.0.0.1:#####"
any_screen "form body (one parameter per line)"
any_screen "grant_type = authorization_code"
any_screen "code_verifier = ***** (r reveals)"
any_screen "secrets shown"
any_screen '"token_type": "Bearer",'
any_screen "Tokens in this exchange (Enter opens it, then o next, Enter loads):"
if grep -qE "code_verifier = [A-Za-z0-9_-]{43}" "$WORK"/t-1*.txt "$WORK"/t-2*.txt; then
    echo "FAIL: the code_verifier shows before r"
    fails=$((fails + 1))
fi
if ! grep -qE "code_verifier = [A-Za-z0-9_-]{43}" "$WORK"/t-4*.txt "$WORK"/t-5*.txt; then
    echo "FAIL: r did not reveal the code_verifier"
    fails=$((fails + 1))
fi
check "$WORK/flow.txt" "Authorization code + PKCE"
row=$(grep -n -F "7. POST /token grant_type=authorization_code" "$WORK/flow.txt" | head -1 | cut -d: -f1)
if [ -z "$row" ] || ! grep -q "^$((row - 1)):.*bold,reverse" "$WORK/flow.txt"; then
    echo "FAIL: the code exchange arrow is not highlighted in the flow"
    fails=$((fails + 1))
fi
check "$WORK/decoder.txt" "Token "
check "$WORK/decoder.txt" "✓ signature verified against the server's JWKS (kid"
[ "$fails" = 0 ] && echo "ok: code flow in the trace, flow and decoder"
exit $((fails > 0))
