# SPDX-License-Identifier: MIT
# Helpers shared by the tests/integration/test_cli_*.sh scripts (sourced after $W and $PY are set;
# not a test itself). Each command's stdout goes to $W/out and its stderr to $W/err.
fail() {
    echo "FAIL: $*"
    echo "--- stdout:"; cat "$W/out" 2>/dev/null || true
    echo "--- stderr:"; cat "$W/err" 2>/dev/null || true
    exit 1
}
# run WANT_RC CMD… : runs it, stdout in $W/out, stderr in $W/err, checks the exit code.
run() {
    local want=$1; shift
    set +e; "$@" >"$W/out" 2>"$W/err"; local rc=$?; set -e
    [ "$rc" = "$want" ] || fail "exit $rc, wanted $want: $*"
}
out_has() { grep -qF -- "$1" "$W/out" || fail "stdout lacks: $1"; }
err_has() { grep -qF -- "$1" "$W/err" || fail "stderr lacks: $1"; }
out_lacks() { ! grep -qF -- "$1" "$W/out" || fail "stdout should not contain: $1"; }
err_lacks() { ! grep -qF -- "$1" "$W/err" || fail "stderr should not contain: $1"; }
out_is() { [ "$(cat "$W/out")" = "$1" ] || fail "stdout is not exactly: $1"; }
b64u() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
json_get() { $PY -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(eval(sys.argv[1], {"d": d})))' "$1"; }
. "${TOKENLAB_SOURCE_DIR:?}/tests/closed_port.sh" # hold_closed_port: a port that refuses
# http METHOD URL [BODY] [HEADER…]: one request with python's urllib (independent of our libcurl
# code); prints the status, then the body.
http() {
    $PY - "$@" <<'PY'
import sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
body = sys.argv[3].encode() if len(sys.argv) > 3 and sys.argv[3] else None
req = urllib.request.Request(url, data=body, method=method)
for h in sys.argv[4:]:
    k, v = h.split(":", 1)
    req.add_header(k.strip(), v.strip())
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode())
PY
}

# (class tests: $TL, $W and the array PIDS set)
# start_class NAME [serve options…]: sets URL, CODE, KEY.
start_class() {
    local name=$1; shift
    # the files exist before the server starts: the background job opens its redirections only
    # when it runs, and a sed on a missing file under pipefail ends the test without a word
    : >"$W/$name.log"
    : >"$W/$name.err"
    "$TL" serve --class --quiet --class-db "$W/$name.db" "$@" >"$W/$name.log" 2>"$W/$name.err" &
    PIDS+=($!)
    LAST_PID=$!
    URL=""; CODE=""; KEY=""
    for _ in $(seq 1 100); do
        KEY=$(sed -n 's/^instructor key \([A-Za-z0-9_-]*\) .*/\1/p' "$W/$name.log" | head -1)
        if [ -n "$KEY" ]; then
            URL=$(sed -n 's/^tokenlab server listening on \(http:[^ ]*\).*/\1/p' "$W/$name.log")
            CODE=$(sed -n 's/^class join code \([A-Z0-9]*\) .*/\1/p' "$W/$name.log")
            return 0
        fi
        sleep 0.1
    done
    cat "$W/$name.log" "$W/$name.err"
    fail "tokenlab serve --class did not start"
}

