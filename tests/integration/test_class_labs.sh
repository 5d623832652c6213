#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A private lab per student (docs/class.md "Every student's own lab"): three students play every
# lesson of the course at once on one class server (`tokenlab lessons check --server URL --join
# CODE`), each in their own lab under /s/st-N with their own account; then, over HTTP (python's
# urllib, independent of our libcurl code): one student's clock +16m does not expire a classmate's
# token, a forged alg-none token lands in its sender's lab only, a student's lab key is their
# student token (a classmate's is refused), the instructor's room-wide switch shows in every lab,
# and a student's event stream carries their own events and the room's, not a classmate's.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
SRC=${TOKENLAB_SOURCE_DIR:?}
PY=/usr/bin/python3
W=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

start_class serve --listen 127.0.0.1:0 --class-rate 0 # all students share 127.0.0.1

# 1. three students, every lesson, at once (the course's lessons, translations aside)
NL=$(ls "$SRC"/lessons/*.md | grep -v '/README.md$' | grep -cv '\.[a-z][a-z]\.md$')
P=()
for s in 1 2 3; do
    "$TL" lessons check "$SRC/lessons" --server "$URL" --join "$CODE" --name "player $s" \
        >"$W/play$s.out" 2>&1 &
    P+=($!)
done
for s in 1 2 3; do
    set +e; wait "${P[$((s - 1))]}"; rc=$?; set -e
    cat "$W/play$s.out" >"$W/out"
    [ "$rc" = 0 ] || fail "student $s: lessons check exited $rc"
    grep -q "^joined as st-[0-9]*: playing in $URL/s/st-[0-9]*$" "$W/out" || fail "student $s did not play in its own lab"
    grep -q "^play: $NL lessons, .*, 0 failures$" "$W/out" || fail "student $s: not every lesson passed"
    for l in expiry why-oauth pkce-state machines-devices jwt-attacks; do
        grep -q "^play $l .*: ok$" "$W/out" || fail "student $s: lesson $l"
    done
    grep -q "^class: [0-9]* reports sent, 0 refused or lost$" "$W/out" || fail "student $s: reports"
done
echo "ok   3 students played all $NL lessons at once in their own labs"
# the server graded every reference answer right from its own copy of the course, and counts
# every lesson completed
http GET "$URL/class/state" "" "Authorization: Bearer $KEY" >"$W/state"
NL=$NL $PY - "$W/state" <<'PY' || fail "graded results: $(head -c 2000 "$W/state")"
import json, os, sys
d = json.loads(open(sys.argv[1]).read().split("\n", 1)[1])
assert len(d["students"]) == 3, d["students"]
for s in d["students"]:
    a = s["answers"]
    assert len(a) >= 100, (s["name"], len(a))
    wrong = [k for k, v in a.items() if not v["correct"]]
    assert not wrong, (s["name"], wrong)
    by_server = [k for k, v in a.items() if v["graded_by"] == "server"]
    assert len(by_server) >= 90, (s["name"], len(by_server))
    assert len(s["completed"]) == int(os.environ["NL"]), (s["name"], s["completed"])
print("ok   the server graded", len(d["students"][0]["answers"]), "answers per student right")
PY

# --join without --server, or with --lab-key: usage errors that say why
run 2 "$TL" lessons check "$SRC/lessons" --join "$CODE"
err_has "--join needs --server URL"
run 2 "$TL" lessons check "$SRC/lessons" --server "$URL" --join "$CODE" --lab-key x
err_has "leave out --lab-key"
run 1 "$TL" lessons check "$SRC/lessons" --server "$URL" --join WRONG1
err_has "wrong join code"

# 2. the labs are private
$PY - "$URL" "$CODE" "$KEY" <<'PY'
import base64, json, socket, sys, threading, time, urllib.request, urllib.error
url, code, key = sys.argv[1:4]

def http(method, u, body=None, headers=None):
    data = None
    h = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(u, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")

def join(name):
    st, m = http("POST", url + "/class/join", {"code": code, "name": name})
    assert st == 201, (st, m)
    assert m["server"] == url + "/s/" + m["student_id"], m
    assert m["issuer"] == m["server"], m
    return m

def login(m):
    st, j = http("POST", m["server"] + "/login",
                 {"email": m["user"]["email"], "password": m["user"]["password"]})
    assert st == 200, (st, j)
    return j["token"]

def profile(m, tok):
    return http("GET", m["server"] + "/api/profile", headers={"Authorization": "Bearer " + tok})[0]

def lab(m, path, body, tok):
    return http("POST", m["server"] + path, body, {"X-Tokenlab-Lab-Key": tok})

a, b = join("Ada"), join("Bob")
# discovery of a lab names only that lab's endpoints
st, d = http("GET", a["server"] + "/.well-known/openid-configuration")
assert st == 200 and d["issuer"] == a["server"], d
for k, v in d.items():
    if k.endswith("_endpoint") or k == "jwks_uri":
        assert v.startswith(a["server"] + "/"), (k, v)

ta, tb = login(a), login(b)
claims = json.loads(base64.urlsafe_b64decode(ta.split(".")[1] + "=="))
assert claims["iss"] == a["issuer"] and claims["aud"] == a["issuer"] + "/api", claims
assert profile(a, ta) == 200 and profile(b, tb) == 200
# a token of Ada's lab is not one of Bob's (its issuer is Ada's lab)
assert profile(b, ta) == 401

# Bob moves his clock +16m: his token expires, Ada's does not
st, s = lab(b, "/lab/clock", {"advance": 960}, b["student_token"])
assert st == 200 and s["clock_offset"] == 960 and s["lab"] == b["student_id"], (st, s)
assert profile(b, tb) == 401, "Bob's token should have expired in Bob's lab"
assert profile(a, ta) == 200, "Bob's clock expired Ada's token"
st, s = http("GET", a["server"] + "/lab/state", headers={"Authorization": "Bearer " + a["student_token"]})
assert st == 200 and s["clock_offset"] == 0, s

# a student's lab key is their student token; a classmate's token or none is refused
st, e = lab(a, "/lab/switch", {"name": "alg-none", "on": True}, b["student_token"])
assert st == 401 and "another student" in e["error_description"], (st, e)
st, e = http("POST", a["server"] + "/lab/switch", {"name": "alg-none", "on": True})
assert st == 401 and "student_token" in e["error_description"], (st, e)
st, s = lab(a, "/lab/switch", {"name": "alg-none", "on": True}, a["student_token"])
assert st == 200 and s["switches"] == ["alg-none"] and s["room_switches"] == [], s
# rotating the room's signing key is the instructor's
st, e = lab(a, "/lab/rotate-keys", {}, a["student_token"])
assert st == 403, (st, e)

# a forged alg-none token lands in its sender's lab: accepted in Ada's, refused in Bob's
def forged(m):
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
    now = int(time.time())
    return enc({"alg": "none", "typ": "JWT"}) + "." + enc(
        {"iss": m["issuer"], "aud": m["issuer"] + "/api", "sub": m["user"]["sub"],
         "iat": now, "exp": now + 600}) + "."
assert profile(a, forged(a)) == 200, "alg-none is on in Ada's lab"
assert profile(b, forged(b)) == 401, "alg-none is off in Bob's lab"

# Bob's event stream: his own events and the room's, never Ada's
events, ready = [], threading.Event()
def listen():
    host, port = url[7:].split(":")
    s = socket.create_connection((host, int(port)), timeout=10)
    s.sendall(("GET /s/%s/lab/events HTTP/1.1\r\nHost: x\r\n\r\n" % b["student_id"]).encode())
    buf = b""
    end = time.time() + 8
    while time.time() < end and b"the instructor turned skip-exp" not in buf:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        if b": ping" in buf:
            ready.set()  # the server sends a ping as soon as the stream is open
    events.append(buf.decode(errors="replace"))
    s.close()
t = threading.Thread(target=listen)
t.start()
assert ready.wait(5), "Bob's event stream did not open"
login(a)                     # Ada's: not in Bob's stream
login(b)                     # Bob's own
assert profile(a, "bad") == 401
# the instructor turns a switch on for the room: it shows in every lab and in Bob's stream
st, r = http("POST", url + "/class/lab", {"name": "skip-exp", "on": True},
             {"Authorization": "Bearer " + key})
assert st == 200 and r["labs"]["skip-exp"] is True, (st, r)
t.join(10)
feed = events[0]
assert b["user"]["email"] in feed, feed
assert a["user"]["email"] not in feed, "Ada's event reached Bob's stream:\n" + feed
assert '"lab":"%s"' % a["student_id"] not in feed, feed
assert "the instructor turned skip-exp on for the room" in feed, feed
st, s = http("GET", b["server"] + "/lab/state", headers={"Authorization": "Bearer " + b["student_token"]})
assert "skip-exp" in s["switches"] and s["room_switches"] == ["skip-exp"], s
# with the room's skip-exp, Bob's expired token works again (the room's switch applies on top)
assert profile(b, tb) == 200
print("ok   private labs: clock, switches, lab key, forged tokens, event streams, room switches")
PY

# 3. a lab nobody joined for
http GET "$URL/s/st-999/health" >"$W/out"
st=$(head -1 "$W/out")
[ "$st" = 404 ] || fail "an unknown student's lab should be 404 (got $st)"
echo "ok   unknown lab is 404"
