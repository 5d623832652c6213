#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fixes from a beginner's walkthrough, each with the screen that showed the problem (fixture
# lessons in fixtures/ux):
# - a console action after a step passed leaves the step's ✓ and its feedback alone; the result
#   goes to the console line;
# - the decoder checks a token the lesson minted with the lesson's key, and a token signed with
#   another secret is "not signed with the server's login secret", not "changed after signing";
# - d focuses a decoder that holds a token without starting to edit it;
# - a pasted or typed "Bearer eyJ…" decodes the token after Bearer;
# - the help says Space chooses a quiz option;
# - at 100 columns the header and the console line keep what matters.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
if [ -n "${KEEP:-}" ]; then echo "screens kept in $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
TL_FIXTURE_DATA="$TL_DIR/fixtures/ux"
fails=0
run() { # run SCRIPT STATE [args…]
    local s="$1" st="$2"
    shift 2
    if ! tl_run_script "$s" "$st" "" "$@" 2>"$WORK/err"; then
        cat "$WORK/err"
        echo "FAIL: tokenlab exited with an error ($(basename "$s"))"
        exit 1
    fi
}

# A passed step keeps its ✓ when the console runs something its check would not accept.
cat >"$WORK/s-console" <<SCRIPT
:resize 100 40
:wait-idle
<Enter>
:wait-idle
:save-screen $WORK/c1-passed.txt
:
:type api GET /api/profile token=none
<Enter>
:wait-idle
:save-screen $WORK/c2-console.txt
<Esc>
:save-screen $WORK/c3-closed.txt
q
SCRIPT
run "$WORK/s-console" "$WORK/st-console"
check "$WORK/c1-passed.txt" "✓ UX-STEP-OK the server checked the password."
check "$WORK/c2-console.txt" "✗ api GET /api/profile token=none → 401"
for f in c2-console c3-closed; do
    check "$WORK/$f.txt" "✓ Step: Log in as Alice"
    check "$WORK/$f.txt" "✓ UX-STEP-OK the server checked the password."
    check "$WORK/$f.txt" " Enter: next   R: run again"
    check_not "$WORK/$f.txt" "Not yet"
done

# The decoder checks a token a lesson minted with the lesson's key, and does not call a token
# signed with some other secret tampered.
cat >"$WORK/s-keys" <<SCRIPT
:resize 100 40
:wait-idle
<Enter>
:wait-idle
<Enter>
<Enter>
:wait-idle
:save-screen $WORK/k1-minted-lesson.txt
d
:save-screen $WORK/k2-minted-decoder.txt
:paste $TL_TOKEN
<Enter>
:save-screen $WORK/k3-other-secret.txt
[
:save-screen $WORK/k4-history-back.txt
P
<C-u>
:type {"sub":"admin"}
<Enter>
:save-screen $WORK/k5-tampered.txt
q
SCRIPT
run "$WORK/s-keys" "$WORK/st-keys"
check "$WORK/k1-minted-lesson.txt" "✓ UX-MINT-OK the decoder verified it with the secret the lesson used."
check "$WORK/k2-minted-decoder.txt" "✓ signature verified with the key the lesson signed it with (HS256)"
check_not "$WORK/k2-minted-decoder.txt" "signature does not match"
check "$WORK/k3-other-secret.txt" "✗ not signed with the server's login secret (signed with another key, or"
check "$WORK/k3-other-secret.txt" "· K: give the key"
check_not "$WORK/k3-other-secret.txt" "the payload was changed after signing"
check "$WORK/k4-history-back.txt" "✓ signature verified with the key the lesson signed it with (HS256)"
check "$WORK/k5-tampered.txt" "✗ signature does not match: the payload was changed after signing, or the"
check "$WORK/k5-tampered.txt" "with the key the lesson signed it with)"

# A server token changed without the key is still called what it is: its signature is the
# server's, over other content.
cat >"$WORK/s-forge" <<SCRIPT
:resize 100 40
:wait-idle
<Enter>
:wait-idle
d
P
<C-u>
:type {"sub":"mallory@example.com"}
<Enter>
:save-screen $WORK/k6-forged.txt
q
SCRIPT
run "$WORK/s-forge" "$WORK/st-forge"
check "$WORK/k6-forged.txt" "✗ signature does not match: the payload was changed after signing, or the"
check "$WORK/k6-forged.txt" "login secret, which signed the login token this signature was copied from)"

# d on a decoder that holds a token only focuses it: t right after it switches to the trace and
# leaves the token alone; on an empty decoder d starts editing (typing replaces the token).
cat >"$WORK/s-d" <<SCRIPT
:resize 100 40
:wait-idle
d
:save-screen $WORK/d1-empty.txt
<Esc>
l
<Esc>
<Enter>
:wait-idle
d
:save-screen $WORK/d2-focused.txt
t
:save-screen $WORK/d3-trace.txt
d
:save-screen $WORK/d4-decoder.txt
e
:type $TL_TOKEN
<Enter>
:save-screen $WORK/d5-edited.txt
q
SCRIPT
run "$WORK/s-d" "$WORK/st-d"
check "$WORK/d1-empty.txt" "Decoder · editing"
check "$WORK/d2-focused.txt" "Token login ("
check_not "$WORK/d2-focused.txt" "Decoder · editing"
check "$WORK/d3-trace.txt" "→ POST   /login                       200"
check "$WORK/d4-decoder.txt" "Token login ("
check "$WORK/d4-decoder.txt" "✓ signature verified with the server's login secret (HS256)"
check_not "$WORK/d4-decoder.txt" "Token pasted"
check "$WORK/d5-edited.txt" "Token pasted (288 bytes)"

# "Bearer eyJ…" copied from an Authorization header: the decoder keeps the token after Bearer.
cat >"$WORK/s-bearer" <<SCRIPT
:resize 100 40
:wait-idle
:paste Bearer $TL_TOKEN
:save-screen $WORK/b1-pasted.txt
<Enter>
:save-screen $WORK/b2-done.txt
e
:type   bEaReR   $TL_TOKEN  
<Enter>
:save-screen $WORK/b3-typed.txt
:paste Authorization: Bearer $TL_TOKEN
<Enter>
:save-screen $WORK/b4-header.txt
q
SCRIPT
run "$WORK/s-bearer" "$WORK/st-bearer"
check "$WORK/b1-pasted.txt" "Token (288 bytes)" # still editing
for f in b1-pasted b2-done b3-typed b4-header; do
    [ "$f" = b1-pasted ] || check "$WORK/$f.txt" "Token pasted (288 bytes)"
    check "$WORK/$f.txt" '"sub": "alice@example.com",'
    check_not "$WORK/$f.txt" "whitespace"
done
check "$WORK/b1-pasted.txt" 'dropped the "Bearer" prefix'

# The help says what Space does in a quiz (test_script_scroll.sh has the resize half of this fix).
cat >"$WORK/s-help" <<SCRIPT
:resize 120 36
?
:save-screen $WORK/h1-help.txt
q
SCRIPT
run "$WORK/s-help" "$WORK/st-help"
check "$WORK/h1-help.txt" "PgDn Space one page down; in a quiz, Space chooses the option under the cursor"

# 100 columns: the header drops the lesson number and the clock before it cuts the step; a long
# console line's result keeps its verdict (the echo shrinks to the action's name).
cat >"$WORK/s-narrow" <<SCRIPT
:resize 100 30
:wait-idle
:save-screen $WORK/n1-header.txt
<Enter>
:wait-idle
<Enter>
:
:type mint alg=HS256 secret=a-long-secret-for-the-console-line-test-of-tokenlab claims='{"sub":"someone"}'
<Enter>
:wait-idle
:save-screen $WORK/n2-console.txt
<Esc>
:resize 80 24
:save-screen $WORK/n3-header-80.txt
q
SCRIPT
run "$WORK/s-narrow" "$WORK/st-narrow"
row() { sed -n "${2}p" "$1"; }
row "$WORK/n1-header.txt" 1 | grep -qF " tokenlab  A long lesson for the scrolling tests · step 1/5" ||
    { echo "FAIL: the 100-column header cuts the step: $(row "$WORK/n1-header.txt" 1)"; fails=$((fails + 1)); }
row "$WORK/n1-header.txt" 1 | grep -qF "127.0.0.1:##### up" ||
    { echo "FAIL: the 100-column header lost the server: $(row "$WORK/n1-header.txt" 1)"; fails=$((fails + 1)); }
row "$WORK/n3-header-80.txt" 1 | grep -qF "A long lesson for the scrolling tests · 2/5" ||
    { echo "FAIL: the 80-column header cuts the step: $(row "$WORK/n3-header-80.txt" 1)"; fails=$((fails + 1)); }
row "$WORK/n2-console.txt" 30 | grep -qF " ✓ mint … · task done ✓" ||
    { echo "FAIL: the console line cut the verdict: $(row "$WORK/n2-console.txt" 30)"; fails=$((fails + 1)); }

[ "$fails" = 0 ] && echo "ok: walkthrough fixes (console after a passed step, the decoder's keys, d, Bearer, help, narrow header and console)"
exit $((fails > 0))
