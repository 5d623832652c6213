#!/usr/bin/env bash
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

start_class room --listen 127.0.0.1:0 --class-results "$W/results.json"
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

# export: CSV to stdout, JSON to a file, the key from the environment
run 0 "$TL" class export --server "$URL" --key "$KEY"
out_has "student_id,name,joined,lesson,step,completed,answered,correct,question,question_correct,answer"
out_has "st-1,Ada,"
out_has ",jwt-basics,4,,1,1,jwt-basics/q-alg,true,RS256"
out_has ",jwt-basics,2,,1,0,jwt-basics/q-alg,false,none"
[ "$(wc -l <"$W/out")" = 3 ] || fail "CSV should have 3 lines"
TOKENLAB_CLASS_KEY=$KEY run 0 "$TL" class export --server "$URL/" --json --out "$W/export.json"
$PY - "$W/export.json" <<'PY' || fail "JSON export shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["name"] for s in d["students"]] == ["Ada", "Linus"], d["students"]
q = d["questions"][0]
assert q["id"] == "jwt-basics/q-alg" and q["answered"] == 2 and q["right"] == 1 and q["wrong"] == 1, q
assert d["students"][0]["quiz"] == {"answered": 1, "correct": 1}
assert "exported" in d and "labs" in d
PY

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
run 3 "$TL" serve --class --listen 127.0.0.1:0 --class-results /nonexistent-dir/r.json
err_has "cannot write the results file"
start_class open --listen 0.0.0.0:0
grep -q "not a loopback address" "$W/open.err" || fail "no non-loopback warning"
echo "ok"
