#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The learner's hour (issue 14): keys that do not surprise a beginner, in script mode on the
# fixture lessons of fixtures/ux.
# - the `:` console closes after a run (the result stays in the footer for a moment) so the next
#   n, p, q are commands again; `:` then Up recalls the line;
# - a failed request is not shown with a green ✓ in the console's result;
# - Enter on a quiz with nothing chosen asks the learner to choose and scores nothing (the Enter
#   that pressed on through a lesson answered option 1 before); Space chooses, Enter answers;
# - lesson 12's last task ("send the API an unsigned token … get it refused") is not done by the
#   minting alone on the strength of an old 401 from the item before; the API's own 401 does it
#   (every lesson's items are also played for this by `lessons check`: test_lessons_play);
# - the trace follows the newest exchange unless the learner reads one (its title says which), and
#   a request the learner makes (a console line, a step) brings it back to the newest;
# - a claim's explanation in the decoder is wrapped in full, not cut with an ellipsis;
# - smaller ones: at 80x24 `d` on an empty decoder then `t` goes to the trace (it typed "t"); `l`
#   shows the current lesson (again: the list); the crack step says the secret it found; a text
#   answer may name the kind the question asks for ("Authorization header") — unit-tested in
#   test_engine; after a code exchange the decoder holds the access token — test_console;
# - lesson prose is Markdown parsed with md4c (fixtures/md): a table in columns, links with their
#   target, emphasis without its stars, nested lists indented with wrapped rows hanging under the
#   text, headings without backticks, a code block whose token is not broken (Right scrolls it);
#   `lessons check` names an image and raw HTML, which the pane cannot show;
# - the embedded server keeps its signing key in the state folder (server-key.json, 0600) and the
#   next start serves the same key (no RSA key to make before it is up); --fresh-keys makes a new one;
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
row() { sed -n "$2p" "$1"; } # row FILE N: the Nth line of a screen dump

# The console closes after a run: the next key is a command, not the first letter of a line.
cat >"$WORK/s-console" <<SCRIPT
:resize 100 30
:wait-idle
:wait-idle
:
:type api GET /api/profile token=none
<Enter>
:wait-idle
:save-screen $WORK/c1-ran.txt
?
:save-screen $WORK/c2-key-after.txt
<Esc>
:
<Up>
:save-screen $WORK/c3-recalled.txt
<Esc>
q
SCRIPT
run "$WORK/s-console" "$WORK/st-console"
check "$WORK/c1-ran.txt" "api GET /api/profile token=none → 401"
check_not "$WORK/c1-ran.txt" "✓ api GET /api/profile token=none → 401"
row "$WORK/c1-ran.txt" 30 | grep -q '^:' &&
    { echo "FAIL: the console is still open after a run: $(row "$WORK/c1-ran.txt" 30)"; fails=$((fails + 1)); }
check "$WORK/c2-key-after.txt" "close help"
check_not "$WORK/c2-key-after.txt" ":?_"
row "$WORK/c3-recalled.txt" 30 | grep -qF ':api GET /api/profile token=none_' ||
    { echo "FAIL: Up did not recall the line: $(row "$WORK/c3-recalled.txt" 30)"; fails=$((fails + 1)); }

# The trace follows the newest; Up holds one for reading; a console request shows the new one.
cat >"$WORK/s-trace" <<SCRIPT
:resize 120 36
:wait-idle
:wait-idle
<Enter>
:wait-idle
:save-screen $WORK/t1-after-step.txt
t
<Up>
:save-screen $WORK/t2-reading.txt
:
:type api GET /api/profile token=login
<Enter>
:wait-idle
:save-screen $WORK/t3-new-request.txt
q
SCRIPT
run "$WORK/s-trace" "$WORK/st-trace"
check "$WORK/t1-after-step.txt" "HTTP trace · following the newest"
check "$WORK/t1-after-step.txt" "POST http://127.0.0.1:#####/login"
check "$WORK/t2-reading.txt" "HTTP trace · reading 1 of 3 · Esc: follow the newest"
check "$WORK/t2-reading.txt" "GET http://127.0.0.1:#####/jwks"
check "$WORK/t3-new-request.txt" "HTTP trace · following the newest"
check "$WORK/t3-new-request.txt" "GET http://127.0.0.1:#####/api/profile"

# The decoder's explanations are whole at 80 columns.
cat >"$WORK/s-explain" <<SCRIPT
:resize 80 24
:wait-idle
:wait-idle
d
:paste $TL_TOKEN
<Enter>
:save-screen $WORK/e1-decoder.txt
q
SCRIPT
run "$WORK/s-explain" "$WORK/st-explain"
check "$WORK/e1-decoder.txt" "key, not this field, decides what is accepted (RFC"
check "$WORK/e1-decoder.txt" "a user id (RFC 7519 §4.1.2)"
check_not "$WORK/e1-decoder.txt" "the verifi…"

# d then t on an empty decoder at 80x24; l from another pane shows the lesson, l again the list.
cat >"$WORK/s-tabs" <<SCRIPT
:resize 80 24
:wait-idle
:wait-idle
d
t
:save-screen $WORK/k1-d-t.txt
l
:save-screen $WORK/k2-l.txt
l
:save-screen $WORK/k3-l-again.txt
q
SCRIPT
run "$WORK/s-tabs" "$WORK/st-tabs"
check "$WORK/k1-d-t.txt" "HTTP trace"
check "$WORK/k1-d-t.txt" "┏━ HTTP trace"
check "$WORK/k2-l.txt" "UX-TOP the first line of the lesson"
check "$WORK/k3-l-again.txt" "A second lesson, opened from the list"

# The crack step of lesson 12 shows the word it found.
{
    echo ":resize 120 36"
    echo ":wait-idle"
    echo ":wait-idle"
    echo "n"
    echo "n"
    echo "<Enter>"
    echo ":wait-idle"
    echo ":save-screen $WORK/x1-cracked.txt"
    echo "q"
} >"$WORK/s-crack"
TL_FIXTURE_DATA="$TL_DIR/fixtures/data" run "$WORK/s-crack" "$WORK/st-crack" \
    --lessons "$TOKENLAB_SOURCE_DIR/lessons" --lesson jwt-attacks
check "$WORK/x1-cracked.txt" 'secret is "secret".' # (wrapped after "The")

# The server's key is kept and reused; --fresh-keys replaces it.
kid_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kid"])' "$1"; }
cat >"$WORK/s-keys" <<SCRIPT
:resize 200 80
:wait-idle
:wait-idle
t
<Enter>
:save-screen $WORK/j-SCREEN.txt
q
SCRIPT
KEYF="$WORK/st-keys/tokenlab/server-key.json"
sed 's/SCREEN/1/' "$WORK/s-keys" >"$WORK/s-keys1"
run "$WORK/s-keys1" "$WORK/st-keys"
if [ ! -f "$KEYF" ]; then
    echo "FAIL: no $KEYF after a start"
    fails=$((fails + 1))
else
    [ "$(stat -c %a "$KEYF")" = 600 ] || { echo "FAIL: $KEYF has mode $(stat -c %a "$KEYF")"; fails=$((fails + 1)); }
    grep -q '"d":' "$KEYF" || { echo "FAIL: $KEYF is not a private JWK"; fails=$((fails + 1)); }
    kid1=$(kid_of "$KEYF")
    check "$WORK/j-1.txt" "\"kid\": \"$kid1\""
    cp "$KEYF" "$WORK/key1.json"
    sed 's/SCREEN/2/' "$WORK/s-keys" >"$WORK/s-keys2"
    run "$WORK/s-keys2" "$WORK/st-keys"
    cmp -s "$KEYF" "$WORK/key1.json" || { echo "FAIL: a second start replaced the kept key"; fails=$((fails + 1)); }
    check "$WORK/j-2.txt" "\"kid\": \"$kid1\""
    sed 's/SCREEN/3/' "$WORK/s-keys" >"$WORK/s-keys3"
    run "$WORK/s-keys3" "$WORK/st-keys" --fresh-keys
    kid3=$(kid_of "$KEYF")
    [ "$kid3" != "$kid1" ] || { echo "FAIL: --fresh-keys kept the old key"; fails=$((fails + 1)); }
    check "$WORK/j-3.txt" "\"kid\": \"$kid3\""
    check_not "$WORK/j-3.txt" "\"kid\": \"$kid1\""
fi

# Markdown, rendered.
cat >"$WORK/s-md" <<SCRIPT
:resize 80 40
:wait-idle
:wait-idle
:save-screen $WORK/m1.txt
<Right>
<Right>
<Right>
<Right>
<Right>
<Right>
<Right>
<Right>
:save-screen $WORK/m2.txt
q
SCRIPT
TL_FIXTURE_DATA="$TL_DIR/fixtures/md" run "$WORK/s-md" "$WORK/st-md"
check "$WORK/m1.txt" "┃ MD-TOP the alg header and more "
check "$WORK/m1.txt" "A paragraph with italic words, strong words, code spans and a link to RFC"
check "$WORK/m1.txt" "7519 (https://www.rfc-editor.org/rfc/rfc7519) in it;"
check "$WORK/m1.txt" "┃  Claim │ Meaning              │ RFC "
check "$WORK/m1.txt" "┃ ───────┼──────────────────────┼─────────────"
check "$WORK/m1.txt" "┃  iss   │ who issued the token │ 7519 §4.1.1 "
check "$WORK/m1.txt" "┃ •  first item of the outer list, long enough that it wraps onto a second "
check "$WORK/m1.txt" "┃    row of the pane at eighty columns "
check "$WORK/m1.txt" "┃    •  nested item one "
check "$WORK/m1.txt" "┃       pane at eighty cols "
check "$WORK/m1.txt" "┃ 2. numbered two "
check "$WORK/m1.txt" "┃     eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTc2ND→ ┃"
check_not "$WORK/m1.txt" "MD-CODE-END"
check "$WORK/m2.txt" "MD-CODE-END"
check_not "$WORK/m1.txt" "*italic"
check_not "$WORK/m1.txt" "](https"
check_not "$WORK/m1.txt" "\`alg\`"
# italic and strong carry attributes (the dump lists them per row)
grep -q "italic" "$WORK/m1.txt" || { echo "FAIL: no italic attribute in the Markdown screen"; fails=$((fails + 1)); }
mkdir -p "$WORK/lint"
cat >"$WORK/lint/01-lint.md" <<'MD'
---
id: lint-md
title: Things a terminal cannot show
---
Some text.

![a diagram](diagram.png)

<div>raw html</div>

```step s
title: T
do: login alice@example.com wonderland
check: response.status == 200
hint: h
```
MD
"$TOKENLAB" lessons check "$WORK/lint" --lint-only >"$WORK/lint.out" 2>&1
check "$WORK/lint.out" "01-lint.md:7: an image (diagram.png): a terminal cannot show it; link to it or describe it"
check "$WORK/lint.out" "01-lint.md:9: raw HTML in the prose: the lesson pane shows it as text; write Markdown"

# Double Enter through a passed step does not answer the quiz after it.
cat >"$WORK/s-quiz" <<SCRIPT
:resize 100 40
:wait-idle
:wait-idle
<Enter>
:wait-idle
<Enter>
<Enter>
:wait-idle
<Enter>
<Enter>
:save-screen $WORK/q1-enter.txt
<Down>
<Space>
:save-screen $WORK/q2-chosen.txt
<Enter>
:save-screen $WORK/q3-answered.txt
l
:save-screen $WORK/q4-list.txt
q
SCRIPT
run "$WORK/s-quiz" "$WORK/st-quiz"
check "$WORK/q1-enter.txt" "Choose an answer first: Up/Down move, Space chooses, then Enter answers."
check_not "$WORK/q1-enter.txt" "Not quite"
check_not "$WORK/q1-enter.txt" "✗ Quiz (choose one)"
check_not "$WORK/q2-chosen.txt" "Choose an answer first"
check "$WORK/q3-answered.txt" "✓ Correct"
check "$WORK/q3-answered.txt" "✓ Quiz (choose one)"

# A check about a response reads a response to something done in this task, not an old 401.
{
    echo ":resize 120 36"
    echo ":wait-idle"
    echo ":wait-idle"
    for ((i = 0; i < 16; i++)); do echo "n"; done # to lesson 12's second-to-last item
    for line in "lab off alg-none" "api GET /api/profile token=none"; do
        printf ':\n:type %s\n<Enter>\n:wait-idle\n' "$line"
    done
    echo ":save-screen $WORK/s1-old-401.txt"
    echo "n"
    printf ':\n:type %s\n<Enter>\n:wait-idle\n' "mint alg=none claims='{\"sub\":\"bob\"}'"
    echo ":save-screen $WORK/s2-minted.txt"
    printf ':\n:type %s\n<Enter>\n:wait-idle\n' "api GET /api/profile token=decoder"
    echo ":save-screen $WORK/s3-sent.txt"
    echo "q"
} >"$WORK/s-stale"
TL_FIXTURE_DATA="$TL_DIR/fixtures/data" run "$WORK/s-stale" "$WORK/st-stale" \
    --lessons "$TOKENLAB_SOURCE_DIR/lessons" --lesson jwt-attacks
check "$WORK/s1-old-401.txt" "api GET /api/profile token=none → 401"
check "$WORK/s2-minted.txt" "mint alg=none claims='{\"sub\":\"bob\"}' · not done yet"
check_not "$WORK/s2-minted.txt" "task done"
check "$WORK/s3-sent.txt" "api GET /api/profile token=decoder → 401"
check "$WORK/s3-sent.txt" "task done ✓"

[ "$fails" = 0 ] && echo "ok: the learner's keys (console closes after a run, Enter does not answer a quiz)"
[ "$fails" = 0 ]
