#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab verify --jwks: from a file, from stdin, over HTTP (a python http.server on 127.0.0.1),
# key choice by kid, and the failures: unknown kid (1), HTTP 404 (3), nothing listening (3).
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
PY=/usr/bin/python3
W=$(mktemp -d)
SRV_PID=""
cleanup() {
    if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; fi
    rm -rf "$W"
}
trap cleanup EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

# Three keys; the published set holds only their public halves.
mkdir -p "$W/www"
run 0 "$TL" keygen --alg RS256 --kid rsa-1 --out "$W/rsa.pem"
run 0 "$TL" keygen --alg ES256 --jwk --kid ec-1
cp "$W/out" "$W/ec.jwk"
run 0 "$TL" keygen --alg EdDSA --jwk --kid ed-1
cp "$W/out" "$W/ed.jwk"
"$TL" jwk public "$W/rsa.pem" --set --kid rsa-1 >"$W/a.json"
"$TL" jwk public "$W/ec.jwk" --set >"$W/b.json"
"$TL" jwk public "$W/ed.jwk" --set >"$W/c.json"
$PY - "$W/a.json" "$W/b.json" "$W/c.json" >"$W/www/jwks.json" <<'PY'
import json, sys
keys = [k for f in sys.argv[1:] for k in json.load(open(f))["keys"]]
assert not any("d" in k for k in keys), "private member in a public set"
print(json.dumps({"keys": keys}))
PY

run 0 "$TL" mint --alg RS256 --key "$W/rsa.pem" --kid rsa-1 --sub a
t_rsa=$(cat "$W/out")
run 0 "$TL" mint --alg ES256 --key "$W/ec.jwk" --sub b
t_ec=$(cat "$W/out")
run 0 "$TL" mint --alg EdDSA --key "$W/ed.jwk" --sub c
t_ed=$(cat "$W/out")

# From a file: each token finds its key by kid.
run 0 "$TL" verify "$t_rsa" --jwks "$W/www/jwks.json"
out_has "valid: RS256 signature matches (key rsa-1)"
run 0 "$TL" verify "$t_ec" --jwks "$W/www/jwks.json"
out_has "valid: ES256 signature matches (key ec-1)"
run 0 "$TL" verify "$t_ed" --jwks "$W/www/jwks.json"
out_has "valid: EdDSA signature matches (key ed-1)"
run 0 "$TL" verify "$t_ec" --jwks - <"$W/www/jwks.json"
out_has "(key ec-1)"
run 0 "$TL" decode "$t_ec" --jwks "$W/www/jwks.json" --json
$PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["verified"] is True' "$W/out" || fail "decode --jwks"

# A kid the set does not have; a set without the signer's key.
run 0 "$TL" mint --alg RS256 --key "$W/rsa.pem" --kid rotated-away --sub a
run 1 "$TL" verify "$(cat "$W/out")" --jwks "$W/www/jwks.json"
err_has "tokenlab verify:"
err_has "rotated-away"
run 1 "$TL" verify "$t_rsa" --jwks "$W/b.json"
err_has "tokenlab verify:"
# Not a JWKS at all
echo '{"nope":1}' >"$W/bad.json"
run 3 "$TL" verify "$t_rsa" --jwks "$W/bad.json"
err_has "tokenlab verify: JWKS $W/bad.json:"
run 3 "$TL" verify "$t_rsa" --jwks "$W/missing.json"
err_has "missing.json"

# Over HTTP.
# Port 0: the server picks a free port and says which (a port found free and then bound by us
# could be taken by another test under ctest -j in between).
: >"$W/http.log"
$PY -u -m http.server 0 --bind 127.0.0.1 --directory "$W/www" >"$W/http.log" 2>&1 &
SRV_PID=$!
PORT=""
for _ in $(seq 1 200); do
    PORT=$(sed -n 's/^Serving HTTP on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$W/http.log" | head -1)
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || fail "python3 -m http.server did not start: $(cat "$W/http.log")"
run 0 "$TL" verify "$t_rsa" --jwks "http://127.0.0.1:$PORT/jwks.json"
out_has "valid: RS256 signature matches (key rsa-1)"
run 0 "$TL" verify "$t_ed" --jwks "http://127.0.0.1:$PORT/jwks.json" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid"] and d["kid"]=="ed-1", d' "$W/out" ||
    fail "jwks over http --json"
grep -q 'GET /jwks.json' "$W/http.log" || fail "the server never saw the request"
run 3 "$TL" verify "$t_rsa" --jwks "http://127.0.0.1:$PORT/missing.json"
err_has "HTTP 404"
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true; SRV_PID=""

# Nothing listening: a port on 127.0.0.1 held closed (not the server's old port: under ctest -j
# another test may have taken it since).
hold_closed_port
run 3 "$TL" verify "$t_rsa" --jwks "http://127.0.0.1:$CLOSED_PORT/jwks.json"
err_has "tokenlab verify: cannot fetch http://127.0.0.1:$CLOSED_PORT/jwks.json"
# Only http(s) URLs are fetched; anything else is a file name.
run 3 "$TL" verify "$t_rsa" --jwks "file:///etc/passwd"
err_has "file:///etc/passwd"
echo "ok: jwks"
