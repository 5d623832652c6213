#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The class server from the command line: `tokenlab serve --class` prints a join code and an
# instructor key (and the non-loopback warning when it applies); students join and report over
# HTTP (python's urllib, independent of our libcurl code); `tokenlab class export` writes CSV and
# JSON with the reported results, refuses a wrong key (exit 1) and bad usage (exit 2); the results
# file holds the room at stop.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
PY=/usr/bin/python3
W=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

jget() { $PY -c 'import json,sys; d=json.loads(sys.stdin.read().split("\n",1)[1]); print(eval("d"+sys.argv[1]))' "$1"; }

# the class's course: the server grades answers from it (docs/class.md)
mkdir -p "$W/course"
cat >"$W/course/01-jwt-basics.md" <<'MD'
---
id: jwt-basics
title: JWT basics
---
```quiz q-alg
type: text
question: Which algorithm signs with an RSA private key and SHA-256?
answer: RS256
explain: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
hint: R, S, and a hash size.
```
```quiz q-pick
type: single
question: Who can read the payload of a signed JWT?
- [ ] only the server that signed it
- [x] anyone who holds the token
explain: signed is not encrypted
hint: base64url is not encryption
```
MD
start_class room --listen 127.0.0.1:0 --class-results "$W/results.json" --class-lessons "$W/course"
[[ "$CODE" =~ ^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$ ]] || fail "join code '$CODE'"
[ "${#KEY}" -ge 22 ] || fail "instructor key too short: '$KEY'"
grep -qF -- "--join $CODE --name NAME" "$W/room.log" || fail "no student command line"
[ ! -s "$W/room.err" ] || fail "unexpected warning on loopback: $(cat "$W/room.err")"

# two students; one answers right, one wrong
J1=$(http POST "$URL/class/join" "{\"code\":\"$CODE\",\"name\":\"Ada\"}" "Content-Type: application/json")
[ "$(echo "$J1" | head -1)" = 201 ] || fail "join: $J1"
T1=$(echo "$J1" | jget '["student_token"]')
J2=$(http POST "$URL/class/join" "code=$CODE&name=Linus" "Content-Type: application/x-www-form-urlencoded")
[ "$(echo "$J2" | head -1)" = 201 ] || fail "form join: $J2"
T2=$(echo "$J2" | jget '["student_token"]')
BAD=$(http POST "$URL/class/join" "{\"code\":\"WRONG1\",\"name\":\"Eve\"}" "Content-Type: application/json")
[ "$(echo "$BAD" | head -1)" = 403 ] || fail "bad code: $BAD"
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","step":"4","quiz":{"id":"q-alg","correct":true,"answer":"RS256"}}' \
    "Content-Type: application/json" "Authorization: Bearer $T1")
[ "$(echo "$R" | head -1)" = 204 ] || fail "report: $R"
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","step":"2","quiz":{"id":"q-alg","correct":false,"answer":"none"}}' \
    "Content-Type: application/json" "Authorization: Bearer $T2")
[ "$(echo "$R" | head -1)" = 204 ] || fail "report 2: $R"
# the server grades: a claim of correct:true with a wrong answer scores 0, and a right answer with
# correct:false scores 1; an unknown question is refused
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","quiz":{"id":"q-pick","correct":true,"answer":"1"}}' \
    "Content-Type: application/json" "Authorization: Bearer $T2")
[ "$(echo "$R" | head -1)" = 204 ] || fail "report 3: $R"
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","quiz":{"id":"q-pick","correct":false,"answer":"2"}}' \
    "Content-Type: application/json" "Authorization: Bearer $T1")
[ "$(echo "$R" | head -1)" = 204 ] || fail "report 4: $R"
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","quiz":{"id":"q-nope","answer":"2"}}' \
    "Content-Type: application/json" "Authorization: Bearer $T1")
[ "$(echo "$R" | head -1)" = 400 ] || fail "unknown question: $R"
echo "$R" | grep -q "no question 'q-nope' in lesson 'jwt-basics' of this class's course" || fail "unknown question: $R"
# completed:true counts only once every question of the lesson is answered
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","completed":true}' \
    "Content-Type: application/json" "Authorization: Bearer $T1")
[ "$(echo "$R" | head -1)" = 204 ] || fail "completed: $R"
S=$(http GET "$URL/class/state" "" "Authorization: Bearer $KEY")
echo "$S" | $PY -c '
import json, sys
d = json.loads(sys.stdin.read().split("\n", 1)[1])
ada, linus = d["students"]
assert ada["quiz"] == {"answered": 2, "correct": 2}, ada
assert linus["quiz"] == {"answered": 2, "correct": 0}, linus
assert linus["answers"]["jwt-basics/q-pick"]["correct"] is False, linus
assert linus["answers"]["jwt-basics/q-pick"]["graded_by"] == "server", linus
assert ada["completed"] == ["jwt-basics"], ada
assert linus["completed"] == [], linus
q = {x["id"]: x for x in d["questions"]}["jwt-basics/q-pick"]
assert q["text"] == "Who can read the payload of a signed JWT?" and q["type"] == "single", q
assert [(o["text"], o["correct"], o["chosen"]) for o in q["options"]] == [
    ("only the server that signed it", False, 1), ("anyone who holds the token", True, 1)], q
' || fail "graded state: $S"

# export: CSV to stdout, JSON to a file, the key from the environment
run 0 "$TL" class export --server "$URL" --key "$KEY"
out_has "student_id,name,joined,lesson,step,completed,answered,correct,question,question_correct,answer"
out_has "st-1,Ada,"
out_has ",jwt-basics,4,jwt-basics,2,2,jwt-basics/q-alg,true,RS256"
out_has ",jwt-basics,4,jwt-basics,2,2,jwt-basics/q-pick,true,2"
out_has ",jwt-basics,2,,2,0,jwt-basics/q-alg,false,none"
out_has ",jwt-basics,2,,2,0,jwt-basics/q-pick,false,1"
[ "$(wc -l <"$W/out")" = 5 ] || fail "CSV should have 5 lines"
TOKENLAB_CLASS_KEY=$KEY run 0 "$TL" class export --server "$URL/" --json --out "$W/export.json"
$PY - "$W/export.json" <<'PY' || fail "JSON export shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["name"] for s in d["students"]] == ["Ada", "Linus"], d["students"]
q = d["questions"][0]
assert q["id"] == "jwt-basics/q-alg" and q["answered"] == 2 and q["right"] == 1 and q["wrong"] == 1, q
assert d["students"][0]["quiz"] == {"answered": 2, "correct": 2}
assert "exported" in d and "labs" in d
PY

# --summary: one row per student, ISO 8601 dates, no control characters, formulas neutralised
# (a leading TAB or CR is one too)
R=$(http POST "$URL/class/report" '{"lesson":"jwt-basics","step":"\t=1+1","title":"\u001b[31mred\r"}' \
    "Content-Type: application/json" "Authorization: Bearer $T2")
[ "$(echo "$R" | head -1)" = 204 ] || fail "report 5: $R"
run 0 "$TL" class export --server "$URL" --key "$KEY" --summary
out_has "student_id,name,joined,last_seen,lesson,step,title,completed,lessons_completed,answered,correct"
[ "$(wc -l <"$W/out")" = 3 ] || fail "the summary should have 3 lines"
$PY - "$W/out" <<'PY' || fail "summary rows"
import csv, re, sys
raw = open(sys.argv[1], "rb").read()
assert not re.search(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]", raw), raw  # CRLF ends rows, nothing else
rows = list(csv.reader(open(sys.argv[1], newline="")))
ada, linus = rows[1], rows[2]
assert ada[0] == "st-1" and ada[1] == "Ada" and ada[7] == "jwt-basics" and ada[8:] == ["1", "2", "2"], ada
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ada[2]) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ada[3]), ada
assert linus[5] == "'=1+1" and linus[6] == "[31mred" and linus[8:] == ["0", "2", "0"], linus
PY
run 2 "$TL" class export --server "$URL" --key "$KEY" --summary --json
err_has "choose one of --csv, --summary and --json"

# wrong key, no key, bad usage, nothing listening
run 1 "$TL" class export --server "$URL" --key wrong-key
err_has "wrong instructor key"
run 2 "$TL" class export --server "$URL"
err_has "--key KEY (or TOKENLAB_CLASS_KEY) is required"
run 2 "$TL" class export --key "$KEY"
run 2 "$TL" class export --server "$URL" --key "$KEY" --csv --json
run 2 "$TL" class export --server ftp://x --key "$KEY"
run 2 "$TL" class --bogus
hold_closed_port
run 3 "$TL" class export --server "http://127.0.0.1:$CLOSED_PORT" --key "$KEY"
run 0 "$TL" class --help
out_has "tokenlab class export --server URL --key KEY"

# room-wide lab switch over HTTP, then the results file at stop
L=$(http POST "$URL/class/lab" '{"name":"alg-none","on":true}' "Content-Type: application/json" "Authorization: Bearer $KEY")
[ "$(echo "$L" | head -1)" = 200 ] || fail "lab: $L"
S=$(http GET "$URL/lab/state" "" "X-Tokenlab-Lab-Key: $(sed -n 's/.*lab key \([^ ]*\) .*/\1/p' "$W/room.log")")
echo "$S" | grep -q '"alg-none"' || fail "lab state does not show alg-none: $S"
kill "$LAST_PID"; wait "$LAST_PID" 2>/dev/null || true
$PY - "$W/results.json" <<'PY' || fail "results file"
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["name"] for s in d["students"]] == ["Ada", "Linus"], d
assert d["labs"]["alg-none"] is True, d["labs"]
PY

# a restarted server keeps the earlier results aside instead of overwriting them
start_class again --listen 127.0.0.1:0 --class-results "$W/results.json"
kept=$(ls "$W"/results.json.*)
[ -n "$kept" ] || fail "the earlier results file was not kept"
grep -qF "class: the earlier results in $W/results.json are kept as $kept" "$W/again.err" ||
    fail "no notice of the kept results: $(cat "$W/again.err")"
$PY - "$kept" "$W/results.json" <<'PY' || fail "kept results"
import json, sys
assert [s["name"] for s in json.load(open(sys.argv[1]))["students"]] == ["Ada", "Linus"]
assert json.load(open(sys.argv[2]))["students"] == []
PY

# bad options; the non-loopback warning stays
run 2 "$TL" serve --class --class-max 0
run 2 "$TL" serve --class --class-rate abc
run 3 "$TL" serve --class --class-db "$W/bad.db" --listen 127.0.0.1:0 --class-results /nonexistent-dir/r.json
err_has "cannot write the results file"
run 3 "$TL" serve --class --listen 127.0.0.1:0 --class-lessons "$W/nonexistent"
err_has "no lessons to grade the class with in $W/nonexistent"
start_class open --listen 0.0.0.0:0
grep -q "not a loopback address" "$W/open.err" || fail "no non-loopback warning"
echo "ok"
