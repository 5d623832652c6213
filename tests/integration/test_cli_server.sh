#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CLI against the real mock server (tokenlab serve on 127.0.0.1, port 0): verify an issued access
# token through the server's /jwks URL, and the weak-secret attack end to end — crack the login JWT's
# secret, mint a forged token with it, and see the API accept it; with the switch off, crack fails.
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

# start_server NAME [serve options…]: sets URL to the server's base URL.
start_server() {
    local name=$1; shift
    : >"$W/$name.log" # exists before the background job opens it (sed below reads it at once)
    "$TL" serve --listen 127.0.0.1:0 "$@" >"$W/$name.log" 2>&1 &
    PIDS+=($!)
    URL=""
    for _ in $(seq 1 100); do
        URL=$(sed -n 's/^tokenlab server listening on \(http:[^ ]*\).*/\1/p' "$W/$name.log" | head -1)
        [ -n "$URL" ] && return 0
        sleep 0.1
    done
    cat "$W/$name.log"
    fail "tokenlab serve did not start"
}

json_field() { $PY -c 'import json,sys; print(json.loads(sys.stdin.read().split("\n",1)[1])[sys.argv[1]])' "$1"; }

start_server weak --lab weak-secret
WEAK=$URL

# An access token from client_credentials, verified through the issuer's JWKS URL.
resp=$(http POST "$WEAK/token" "grant_type=client_credentials&scope=api:read" \
    "Content-Type: application/x-www-form-urlencoded" \
    "Authorization: Basic $(printf 'demo-service:demo-service-secret' | base64 -w0)")
[ "$(head -1 <<<"$resp")" = 200 ] || fail "client_credentials: $resp"
AT=$(json_field access_token <<<"$resp")
run 0 "$TL" verify "$AT" --jwks "$WEAK/jwks" --iss "$WEAK" --aud "$WEAK/api" --typ at+jwt --alg RS256
out_has "valid: RS256 signature matches (key "
run 1 "$TL" verify "$AT" --jwks "$WEAK/jwks" --iss "$WEAK" --aud "https://someone-else.example"
err_has "someone-else.example"
IFS=. read -r h p s <<<"$AT"
run 1 "$TL" verify "$h.$(printf '{"sub":"admin","scope":"api:write"}' | base64 -w0 | tr '+/' '-_' | tr -d =).$s" \
    --jwks "$WEAK/jwks"
err_has "signature does not match"
run 0 "$TL" decode "$AT" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["header"]["typ"]=="at+jwt" and d["payload"]["scope"]=="api:read"' \
    "$W/out" || fail "decode of the access token"

# The weak-secret attack: log in, crack the login JWT, forge an admin token, the API accepts it.
resp=$(http POST "$WEAK/login" '{"email":"alice@example.com","password":"wonderland"}' \
    "Content-Type: application/json")
[ "$(head -1 <<<"$resp")" = 200 ] || fail "login: $resp"
LT=$(json_field token <<<"$resp")
run 0 "$TL" crack "$LT"
secret=$(cat "$W/out")
[ -n "$secret" ] || fail "crack printed no secret"
err_has "found the HS256 secret"
run 0 "$TL" mint --alg HS256 --secret "$secret" --iss "$WEAK" --aud "$WEAK/api" --sub mallory \
    --claim scope="profile notes:read"
forged=$(cat "$W/out")
resp=$(http GET "$WEAK/api/profile" "" "Authorization: Bearer $forged")
[ "$(head -1 <<<"$resp")" = 200 ] || fail "the server should accept a token signed with its cracked secret: $resp"
grep -q mallory <<<"$resp" || fail "forged identity not used: $resp"

# Secure by default: the login secret is 256 random bits, not in any list.
start_server strong
STRONG=$URL
resp=$(http POST "$STRONG/login" '{"email":"alice@example.com","password":"wonderland"}' \
    "Content-Type: application/json")
LT2=$(json_field token <<<"$resp")
run 1 "$TL" crack "$LT2"
err_has "not found: none of the"
resp=$(http GET "$STRONG/api/profile" "" "Authorization: Bearer $forged")
[ "$(head -1 <<<"$resp")" = 401 ] || fail "a forged token must be refused: $resp"
echo "ok: cli against tokenlab serve"
