#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A room that survives (docs/class.md): the class server is killed with SIGKILL in the middle of a
# burst of reports from five students and started again on the same --class-db: every report it
# answered 204 is in /class/state, the join code, the instructor key and the ids are the same, the
# students' tokens still work, and the next student to join gets the next id. Also: a second server
# on the same database is refused, and --class-code / TOKENLAB_CLASS_KEY fix code and key.
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

# a course of 40 text questions (answer: 42)
mkdir -p "$W/course"
{
    printf -- '---\nid: burst\ntitle: Burst\n---\n'
    for i in $(seq 1 40); do
        printf '```quiz q%d\ntype: text\nquestion: Question %d?\nanswer: 42\nexplain: e\nhint: h\n```\n' "$i" "$i"
    done
} >"$W/course/01-burst.md"

start_class room --listen 127.0.0.1:0 --class-rate 0 --class-lessons "$W/course"
PID1=$LAST_PID URL1=$URL CODE1=$CODE KEY1=$KEY
grep -q "^class state in $W/room.db (0 students)$" "$W/room.log" || fail "no state line: $(cat "$W/room.log")"

# five students, then reports from all of them at once; SIGKILL after the 60th answered report
$PY - "$URL1" "$CODE1" "$PID1" "$W/acked.json" <<'PY'
import json, os, signal, sys, threading, urllib.request, urllib.error
url, code, pid, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def post(path, body, tok=None):
    h = {"Content-Type": "application/json"}
    if tok: h["Authorization"] = "Bearer " + tok
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST", headers=h)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except Exception as e:
        return 0, str(e).encode()
students = []
for i in range(5):
    st, b = post("/class/join", {"code": code, "name": "s%d" % i})
    assert st == 201, (st, b)
    students.append(json.loads(b))
acked, lock, killed = [], threading.Lock(), threading.Event()
def burst(m):
    for q in range(1, 41):
        ans = "42" if q % 3 else "41"
        st, _ = post("/class/report", {"lesson": "burst", "quiz": {"id": "q%d" % q, "answer": ans}},
                     m["student_token"])
        if st == 204:
            with lock:
                acked.append([m["student_id"], "burst/q%d" % q, ans == "42"])
                if len(acked) == 60 and not killed.is_set():
                    os.kill(pid, signal.SIGKILL)
                    killed.set()
        elif st != 0:
            raise SystemExit("unexpected answer %d before the kill" % st)
ts = [threading.Thread(target=burst, args=(m,)) for m in students]
for t in ts: t.start()
for t in ts: t.join()
assert killed.is_set(), "the server was not killed"
json.dump({"acked": acked, "students": students}, open(out, "w"))
print("ok   %d reports answered 204 before SIGKILL" % len(acked))
PY
wait "$PID1" 2>/dev/null || true

# the same database again: same code and key, every acknowledged report, the same ids
start_class room --listen 127.0.0.1:0 --class-rate 0 --class-lessons "$W/course"
[ "$CODE" = "$CODE1" ] || fail "the join code changed: $CODE1 -> $CODE"
[ "$KEY" = "$KEY1" ] || fail "the instructor key changed"
grep -q "^class state in $W/room.db (5 students)$" "$W/room.log" || fail "no state line: $(cat "$W/room.log")"
$PY - "$URL" "$CODE" "$KEY" "$W/acked.json" <<'PY'
import json, sys, urllib.request
url, code, key, f = sys.argv[1:5]
d = json.load(open(f))
def call(method, path, tok, body=None):
    h = {"Authorization": "Bearer " + tok}
    data = None
    if body is not None:
        data = json.dumps(body).encode(); h["Content-Type"] = "application/json"
    req = urllib.request.Request(url + path, data=data, method=method, headers=h)
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status, json.loads(r.read() or b"{}")
st, state = call("GET", "/class/state", key)
by_id = {s["student_id"]: s for s in state["students"]}
assert sorted(by_id) == sorted(m["student_id"] for m in d["students"]), by_id.keys()
for sid, qkey, right in d["acked"]:
    a = by_id[sid]["answers"].get(qkey)
    assert a is not None, ("lost an acknowledged report", sid, qkey)
    assert a["correct"] is right, (sid, qkey, a)
for m in d["students"]:
    st, me = call("GET", "/class/me", m["student_token"])
    assert st == 200 and me["student_id"] == m["student_id"] and me["name"] == m["name"], me
    assert me["client"]["client_secret"] == m["client"]["client_secret"], me
    # the account still logs in, in the student's own lab
    req = urllib.request.Request(me["server"] + "/login", method="POST",
        data=json.dumps({"email": m["user"]["email"], "password": m["user"]["password"]}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 200
req = urllib.request.Request(url + "/class/join", method="POST",
    data=json.dumps({"code": code, "name": "s0"}).encode(), headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=5) as r:
    j = json.loads(r.read())
assert j["student_id"] == "st-6" and j["name"] == "s0 (2)", j
print("ok   all %d acknowledged reports, code, key, ids, accounts kept" % len(d["acked"]))
PY

# one room per database
run 3 "$TL" serve --class --quiet --class-db "$W/room.db" --listen 127.0.0.1:0 --class-lessons "$W/course"
err_has "is in use by another tokenlab serve --class"

# code and key fixed in advance
TOKENLAB_CLASS_KEY=a-key-chosen-in-advance-1234 start_class fixed --listen 127.0.0.1:0 --class-code abc234 --class-lessons "$W/course"
[ "$CODE" = ABC234 ] && [ "$KEY" = a-key-chosen-in-advance-1234 ] || fail "fixed code/key: $CODE $KEY"
run 3 "$TL" serve --class --quiet --class-db "$W/x.db" --listen 127.0.0.1:0 --class-code ABC10L --class-lessons "$W/course"
err_has "a join code is 6 characters of"
echo ok
