#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CLI (keygen, mint, decode, verify, jwk) and a short `tokenlab serve` session under valgrind
# memcheck: zero errors and zero definite leaks (issue 7). Each command must also give its documented
# exit status, so a command that fails early cannot pass by doing nothing.
#
# Label "valgrind" (cmake/tests.cmake); a sanitizer build does not register it — valgrind cannot run an ASan
# binary. Runs in about a minute on 2 cores.
set -u
: "${TOKENLAB:?run through ctest (TOKENLAB = the binary)}"
: "${TOKENLAB_SOURCE_DIR:?run through ctest}"
if ! command -v valgrind > /dev/null; then
    echo "FAIL: valgrind is not installed (scripts/deps.sh test installs it)"
    exit 1
fi
if ! command -v curl > /dev/null; then
    echo "FAIL: curl is not installed"
    exit 1
fi
if nm -an "$TOKENLAB" 2> /dev/null | grep -q '__asan_init\|__tsan_init'; then
    echo "FAIL: $TOKENLAB is built with a sanitizer; memcheck runs on the plain build (a SANITIZE=ON build does not register this test)"
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/tokenlab-vg.XXXXXX")"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -9 "$server_pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
# --trace-children: `tokenlab` execs `tokenlab-full` for serve (and URLs); check both processes.
VG=(valgrind -q --trace-children=yes --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --track-origins=no --num-callers=30)
failures=0
runs=0

# vg EXPECTED_STATUS NAME -- ARGS... [< stdin via VG_STDIN]
vg() {
    local want=$1 name=$2
    shift 2
    local log="$work/vg.$runs.log"
    runs=$((runs + 1))
    "${VG[@]}" --log-file="$log" "$TOKENLAB" "$@" < "${VG_STDIN:-/dev/null}" \
        > "$work/out" 2> "$work/err"
    local got=$?
    if ((got == 99)) || [ -s "$log" ]; then
        echo "FAIL: $name: valgrind reports errors or definite leaks:"
        sed 's/^/    /' "$log" | head -n 60
        failures=$((failures + 1))
    elif ((got != want)); then
        echo "FAIL: $name: exit status $got, expected $want"
        sed 's/^/    /' "$work/err" | head -n 10
        failures=$((failures + 1))
    else
        echo "ok: $name (exit $got, memcheck clean)"
    fi
}

cd "$work" || exit 1
# One run per code path that matters (each valgrind start costs seconds on a busy 2-core machine).
# Two things are slow under memcheck and are done natively instead: RSA key generation, and loading
# an RSA *private* key (the PEM loader's pairwise check tests the primes: ~60 ms natively, a minute
# under memcheck). RSA runs here as verification with the public key; signing under memcheck uses
# EC and Ed25519 keys.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rs.pem 2> /dev/null &&
    openssl pkey -in rs.pem -pubout -out rs.pub.pem 2> /dev/null &&
    "$TOKENLAB" mint --alg RS256 --key rs.pem --sub alice --claim admin=true --aud api > rs.jwt &&
    "$TOKENLAB" mint --alg HS256 --secret @rs.pub.pem --sub mallory > confused.jwt || {
    echo "FAIL: cannot make the RSA key and tokens natively"
    exit 1
}
vg 0 "keygen EdDSA PEM" keygen --alg EdDSA --out ed.pem
vg 0 "keygen ES256 JWK" keygen --alg ES256 --jwk --out es.jwk
vg 0 "jwk thumbprint (RSA public PEM)" jwk thumbprint rs.pub.pem
vg 0 "mint ES256 (JWK key)" mint --alg ES256 --key es.jwk --sub bob --exp 5m --claim admin=true
cp out es.jwt
vg 0 "mint EdDSA (PEM key)" mint --alg EdDSA --key ed.pem --sub carol --aud api
cp out ed.jwt
tok=$(tr -d '\n' < rs.jwt)
vg 0 "decode --json" decode --json "$tok"
VG_STDIN=es.jwt vg 0 "decode - (stdin)" decode -
VG_STDIN=/dev/null
vg 0 "verify RS256 (public PEM)" verify "$tok" --key rs.pub.pem --aud api
vg 0 "verify ES256 --json" verify "$(tr -d '\n' < es.jwt)" --key es.jwk --json
vg 0 "verify EdDSA" verify "$(tr -d '\n' < ed.jwt)" --key ed.pem --aud api
tampered="${tok%.*}x.${tok##*.}"
vg 1 "verify tampered (invalid)" verify "$tampered" --key rs.pub.pem
vg 1 "verify HS256 made with the RSA public key (key confusion refused)" \
    verify "$(tr -d '\n' < confused.jwt)" --key rs.pub.pem
grep -q "key-confusion" "$work/err" || {
    echo "FAIL: the key-confusion token was refused for another reason: $(head -c 300 "$work/err")"
    failures=$((failures + 1))
}
vg 3 "verify with a missing key file" verify "$tok" --key does-not-exist.pem
vg 1 "decode garbage" decode 'not.a.token!'

# A short server session: discovery, JWKS, a client_credentials token, the JWT login, the API with
# and without a token, and malformed requests; then SIGTERM and a clean exit. The server signs with
# ES256 here (signing.alg in a config copy), for the same reason as above.
/usr/bin/python3 - "$TOKENLAB_SOURCE_DIR/assets/config.json" "$work/rs.pem" > "$work/config.json" << 'PY' || exit 1
import json, sys
c = json.load(open(sys.argv[1]))
c.setdefault("signing", {})["alg"] = "ES256"
c["signing"].pop("key_file", None)
print(json.dumps(c))
PY
"${VG[@]}" --log-file="$work/vg.server.log" "$TOKENLAB" serve --listen 127.0.0.1:0 \
    --config "$work/config.json" \
    > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
base=""
for _ in $(seq 1 1200); do
    base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/server.out" | head -n 1)
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2> /dev/null || break
    sleep 0.1
done
if [ -z "$base" ]; then
    echo "FAIL: tokenlab serve under valgrind did not print its address in 120 s"
    cat "$work/server.out" "$work/server.err" | head -n 20
    exit 1
fi
req() { # req EXPECTED_STATUS curl-args...
    local want=$1
    shift
    local got
    got=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 30 "$@")
    if [ "$got" != "$want" ]; then
        echo "FAIL: server: curl $* -> $got, expected $want: $(head -c 200 "$work/body")"
        failures=$((failures + 1))
    fi
}
req 200 "$base/.well-known/openid-configuration"
req 200 "$base/jwks"
req 200 -u demo-service:demo-service-secret -d grant_type=client_credentials -d 'scope=api:read' "$base/token"
req 401 -u demo-service:wrong -d grant_type=client_credentials "$base/token"
req 200 -H 'Content-Type: application/json' -d '{"email":"alice@example.com","password":"wonderland"}' "$base/login"
login=$(sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' "$work/body")
req 200 -H "Authorization: Bearer $login" "$base/api/profile"
req 401 -H "Authorization: Bearer ${login}x" "$base/api/profile"
req 400 -d 'grant_type=%zz' "$base/token"
req 400 -H 'Content-Type: application/json' -d '{"email":{"deep":[[[[1]]]]}}' "$base/login"
req 200 "$base/health"
kill -TERM "$server_pid"
for _ in $(seq 1 300); do
    kill -0 "$server_pid" 2> /dev/null || break
    sleep 0.1
done
if kill -0 "$server_pid" 2> /dev/null; then
    echo "FAIL: tokenlab serve did not exit within 30 s of SIGTERM"
    failures=$((failures + 1))
else
    wait "$server_pid"
    status=$?
    server_pid=""
    if ((status == 99)) || [ -s "$work/vg.server.log" ]; then
        echo "FAIL: server session: valgrind reports errors or definite leaks:"
        sed 's/^/    /' "$work/vg.server.log" | head -n 80
        failures=$((failures + 1))
    elif ((status != 0)); then
        echo "FAIL: tokenlab serve exited with status $status after SIGTERM (expected 0)"
        tail -n 5 "$work/server.err"
        failures=$((failures + 1))
    else
        echo "ok: server session ($(grep -c ' /' "$work/server.out") requests logged, memcheck clean)"
    fi
fi

if ((failures > 0)); then
    echo "$failures failure(s) under valgrind"
    exit 1
fi
echo "all $runs CLI runs and the server session are memcheck-clean"
