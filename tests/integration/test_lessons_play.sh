#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shipped course: every lesson lints clean and its reference path plays green against an
# embedded server (tokenlab lessons check). Also list --json and the failure path on a broken lesson.
set -u
T="${TOKENLAB:?TOKENLAB is not set}"
SRC="${TOKENLAB_SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { # name, condition result
    if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}

# 1. the course: lint + play
"$T" lessons check "$SRC/lessons" >"$work/out" 2>&1
rc=$?
cat "$work/out"
check "lessons check exits 0 on the shipped course" $rc
grep -q "^lint: [0-9]* lessons, [0-9]* questions, 0 errors" "$work/out"; check "lint summary" $?
grep -q "^play: .* 0 failures" "$work/out"; check "play summary" $?
n=$(grep -c "^play .* ok$" "$work/out")
[ "$n" -ge 12 ]; check "at least 12 lessons played green ($n)" $?

# 1b. every translation shipped is played too (each language once)
for lang in $(ls "$SRC"/lessons/*.md | sed -n 's/.*\.\([a-z][a-z]\)\.md$/\1/p' | sort -u); do
    "$T" lessons check "$SRC/lessons" --lang "$lang" >"$work/out.$lang" 2>&1
    rc=$?
    grep -v ": ok$" "$work/out.$lang"
    [ $rc -eq 0 ]; check "the course in '$lang' lints and plays" $?
done

# 2. list --json: ids, counts, at least 80 questions in all
"$T" lessons list --json --lessons "$SRC/lessons" >"$work/list.json"
check "lessons list --json exits 0" $?
python3 - "$work/list.json" <<'PY'
import json, sys
ls = json.load(open(sys.argv[1]))
ids = [l["id"] for l in ls]
assert len(ids) == len(set(ids)), "duplicate ids"
assert len(ls) >= 12, len(ls)
assert sum(l["questions"] for l in ls) >= 80
for l in ls:
    assert set(l) >= {"id", "title", "level", "minutes", "steps", "questions"}, l
PY
check "list --json has every lesson with its counts" $?

# 3. a broken lesson: exit 1 and file:line messages
mkdir -p "$work/bad"
cat >"$work/bad/01-bad.md" <<'MD'
---
id: bad
title: Broken on purpose
---
```step s
title: T
do: login alice@example.com wonderland
check: response.status == 418
hint: h
```
```quiz q
type: single
question: Q
- [x] a
- [x] b
explain: e
hint: h
```
MD
"$T" lessons check "$work/bad" >"$work/bad.out" 2>&1
rc=$?
cat "$work/bad.out"
[ $rc -eq 1 ]; check "a broken lesson exits 1" $?
grep -q "01-bad.md:12: single-choice quiz 'q' needs exactly one \[x\] option, found 2" "$work/bad.out"
check "lint message with file:line" $?

# 4. a lesson that lints but whose check stays red: reported by the player
sed -i 's/^- \[x\] b/- [ ] b/' "$work/bad/01-bad.md"
"$T" lessons check "$work/bad" >"$work/red.out" 2>&1
rc=$?
cat "$work/red.out"
[ $rc -eq 1 ]; check "a red check exits 1" $?
grep -q "01-bad.md:5: lesson bad, step s: line 8: check 'response.status == 418' does not hold (response.status = 200)" "$work/red.out"
check "the player names the failing check and what the state held" $?
"$T" lessons check "$work/bad" --lint-only >/dev/null 2>&1
check "--lint-only passes the same lesson" $?

# 5. the state the checks see: a server-signed access token verifies against the server's JWKS
#    (fetched by tokenlab itself, which does not replace the learner's last response), a tampered
#    one does not; the refresh token rotates; a reused code is refused. A check about a response
#    reads one made in its own step (the verify step refreshes first: the exchange's answer of the
#    step before is forgotten when the learner moves on)
mkdir -p "$work/state"
cat >"$work/state/01-state.md" <<'MD'
---
id: state-fixture
title: What the checks see
---
```step get
title: Code flow with PKCE
do: authorize client=tokenlab-cli scope="openid notes:read offline_access"
do: signin alice@example.com wonderland
do: consent allow
do: exchange
check: response.status == 200
check: flow.state_matches == true
check: decoder.signature == valid
check: decoder.header.typ == at+jwt
check: tokens.id.claim.nonce exists
check: tokens.refresh exists
hint: h
```
```step tamper
title: Tamper
do: tamper claim.scope=admin
check: decoder.signature == invalid
hint: h
```
```step verify
title: Verify the ID token against the JWKS
do: refresh
do: decode id
do: verify jwks
check: verify.result == valid
check: response.json.access_token exists
hint: h
```
```step reuse
title: Reuse the code
do: exchange code=used
check: response.status == 400
check: response.error == invalid_grant
check: server.last_refusal == invalid_grant
hint: h
```
MD
"$T" lessons check "$work/state" >"$work/state.out" 2>&1
rc=$?
cat "$work/state.out"
[ $rc -eq 0 ]; check "state fixture: signature status, state check, verify, code reuse" $?

# 6. the same player against a separate `tokenlab serve` (as for a class server): lab and clock
#    actions go over HTTP /lab/* with the lab key; without the key they fail with a plain message
"$T" serve --listen 127.0.0.1:0 --lab-key test-lab-key >"$work/serve.log" 2>&1 &
spid=$!
url=""
for _ in $(seq 1 100); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ]; check "tokenlab serve started ($url)" $?
"$T" lessons check "$SRC/lessons" --lesson expiry --server "$url" --lab-key test-lab-key >"$work/remote.out" 2>&1
rc=$?
cat "$work/remote.out"
[ $rc -eq 0 ]; check "a lesson that moves the clock plays against a remote server" $?
"$T" lessons check "$SRC/lessons" --lesson expiry --server "$url" >"$work/nokey.out" 2>&1
rc=$?
[ $rc -eq 1 ]; check "without the lab key it fails" $?
grep -q "no lab key for this server" "$work/nokey.out"; check "and says why" $?
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null

exit $fail
