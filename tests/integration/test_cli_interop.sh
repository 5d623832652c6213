#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interop, every algorithm, both directions, with two independent implementations:
#   the Go jwt CLI (golang-jwt, Debian package "jwt") and PyJWT (python3-jwt + python3-cryptography).
# Also keys made by openssl in every common PEM shape, and JWKs read by PyJWT.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
PY=/usr/bin/python3
command -v jwt >/dev/null || { echo "skip: the Go jwt CLI is not installed (scripts/deps.sh test)"; exit 77; }
$PY -c 'import jwt, cryptography' 2>/dev/null || { echo "skip: python3-jwt is not installed"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

# PyJWT helper: sign CLAIMS_JSON with a key file, or verify a token (stdin) with a key file.
cat >"$W/pyjwt.py" <<'PY'
import json, sys, jwt
mode, alg, keyfile = sys.argv[1:4]
key = open(keyfile, "rb").read()
if keyfile.endswith(".jwk"):
    key = jwt.PyJWK(json.loads(key), algorithm=alg).key
if mode == "sign":
    print(jwt.encode(json.loads(sys.argv[4]), key, algorithm=alg, headers={"kid": "py"}))
else:
    claims = jwt.decode(sys.stdin.read().strip(), key, algorithms=[alg],
                        options={"require": ["exp", "iat"]}, audience="interop")
    print(json.dumps(claims, sort_keys=True))
PY

SECRET_FILE="$W/hmac.secret"
head -c 64 /dev/urandom >"$SECRET_FILE"
NOW=$(date +%s)
CLAIMS="{\"sub\":\"other\",\"aud\":\"interop\",\"iat\":$NOW,\"exp\":$((NOW + 600)),\"n\":7}"

for a in HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA; do
    if [[ $a == HS* ]]; then
        sign_key=$SECRET_FILE verify_key=$SECRET_FILE mine=(--secret "@$SECRET_FILE")
        vmine=(--secret "@$SECRET_FILE")
    else
        run 0 "$TL" keygen --alg "$a" --out "$W/$a.pem"
        "$TL" jwk public "$W/$a.pem" --pem >"$W/$a.pub.pem"
        "$TL" jwk public "$W/$a.pem" >"$W/$a.pub.jwk"
        sign_key=$W/$a.pem verify_key=$W/$a.pub.pem mine=(--key "$W/$a.pem")
        vmine=(--key "$W/$a.pub.pem")
    fi
    # tokenlab -> Go and Python
    run 0 "$TL" mint --alg "$a" "${mine[@]}" --sub alice --aud interop --claim admin=true
    tok=$(cat "$W/out")
    printf '%s' "$tok" | jwt -alg "$a" -verify - -key "$verify_key" >"$W/out" 2>"$W/err" ||
        fail "$a: Go jwt rejects our token"
    out_has '"sub": "alice"'
    printf '%s' "$tok" | $PY "$W/pyjwt.py" verify "$a" "$verify_key" >"$W/out" 2>"$W/err" ||
        fail "$a: PyJWT rejects our token"
    out_has '"admin": true'
    if [[ $a != HS* ]]; then
        printf '%s' "$tok" | $PY "$W/pyjwt.py" verify "$a" "$W/$a.pub.jwk" >"$W/out" 2>"$W/err" ||
            fail "$a: PyJWT rejects our token with our JWK"
        out_has '"sub": "alice"'
    fi
    # Go -> tokenlab
    g=$(printf '%s' "$CLAIMS" | jwt -alg "$a" -sign - -key "$sign_key") || fail "$a: Go jwt cannot sign"
    run 0 "$TL" verify "$g" "${vmine[@]}" --aud interop --alg "$a"
    out_has "valid: $a signature matches; claims are valid"
    # Python -> tokenlab
    p=$($PY "$W/pyjwt.py" sign "$a" "$sign_key" "$CLAIMS") || fail "$a: PyJWT cannot sign"
    run 0 "$TL" verify "$p" "${vmine[@]}" --aud interop
    out_has "valid: $a signature matches; claims are valid"
    # ...and a changed payload of theirs is caught.
    IFS=. read -r h _ s <<<"$p"
    forged=$(printf '%s' "${CLAIMS/other/admin}" | base64 -w0 | tr '+/' '-_' | tr -d '=')
    run 1 "$TL" verify "$h.$forged.$s" "${vmine[@]}"
    grep -qF "signature does not match" "$W/err" || fail "$a: forged payload message"
done

# Keys from openssl, in every common PEM shape, sign here and verify in Go.
openssl genrsa -traditional -out "$W/pkcs1.pem" 2048 2>/dev/null
grep -q 'BEGIN RSA PRIVATE KEY' "$W/pkcs1.pem" || fail "openssl did not write PKCS#1"
openssl rsa -in "$W/pkcs1.pem" -pubout -out "$W/pkcs1.pub" 2>/dev/null
openssl rsa -in "$W/pkcs1.pem" -RSAPublicKey_out -out "$W/rsapub1.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$W/sec1.pem" 2>/dev/null
grep -q 'BEGIN EC PRIVATE KEY' "$W/sec1.pem" || fail "openssl did not write SEC1"
openssl ec -in "$W/sec1.pem" -pubout -out "$W/sec1.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$W/ed.pem" 2>/dev/null
openssl pkey -in "$W/ed.pem" -pubout -out "$W/ed.pub" 2>/dev/null
openssl req -x509 -new -key "$W/sec1.pem" -subj /CN=tokenlab-test -days 2 -out "$W/cert.pem" 2>/dev/null
for spec in "RS256 pkcs1.pem pkcs1.pub" "PS512 pkcs1.pem rsapub1.pem" "ES256 sec1.pem sec1.pub" \
    "ES256 sec1.pem cert.pem" "EdDSA ed.pem ed.pub"; do
    read -r a priv pub <<<"$spec"
    run 0 "$TL" mint --alg "$a" --key "$W/$priv" --sub openssl-key
    tok=$(cat "$W/out")
    run 0 "$TL" verify "$tok" --key "$W/$pub"
    out_has "valid: $a"
    if [ "$pub" != cert.pem ] && [ "$pub" != rsapub1.pem ]; then
        printf '%s' "$tok" | jwt -alg "$a" -verify - -key "$W/$pub" >"$W/out" 2>"$W/err" ||
            fail "$a ($priv): Go jwt rejects our token"
    fi
done
echo "ok: interop"
