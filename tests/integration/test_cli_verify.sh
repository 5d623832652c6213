#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab keygen / mint / verify / jwk: round trips for every algorithm, mint's defaults and claim
# parsing, every way a token can fail verification (exit 1 + message), usage (2) and I/O (3) errors.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

ALGS="HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"

# --- keygen, mint, verify: every algorithm, PEM and JWK, private and public halves ------------------
for a in $ALGS; do
    run 0 "$TL" keygen --alg "$a" --out "$W/$a.key"
    err_has "wrote the private key for $a"
    run 0 "$TL" keygen --alg "$a" --jwk --kid "k-$a"
    cp "$W/out" "$W/$a.jwk"
    out_has "\"kid\": \"k-$a\""
    out_has "\"alg\": \"$a\""
    run 0 "$TL" mint --alg "$a" --key "$W/$a.key" --sub alice --aud api
    tok=$(cat "$W/out")
    [ "$(tr -cd . <<<"$tok" | wc -c)" = 2 ] || fail "$a: not a compact JWS: $tok"
    run 0 "$TL" verify "$tok" --key "$W/$a.key" --aud api
    out_has "valid: $a signature matches"
    case $a in
    HS*)
        run 1 "$TL" jwk public "$W/$a.key"
        err_has "symmetric (HMAC) secret: it has no public half"
        ;;
    *)
        run 0 "$TL" jwk public "$W/$a.key" --pem
        cp "$W/out" "$W/$a.pub.pem"
        out_has "-----BEGIN PUBLIC KEY-----"
        run 0 "$TL" verify "$tok" --key "$W/$a.pub.pem"
        out_has "valid: $a"
        run 0 "$TL" jwk public "$W/$a.jwk"
        cp "$W/out" "$W/$a.pub.jwk"
        ! grep -q '"d"' "$W/$a.pub.jwk" || fail "$a public JWK has a private member"
        run 0 "$TL" mint --alg "$a" --key "$W/$a.jwk" --iss me
        tok2=$(cat "$W/out")
        run 0 "$TL" verify "$tok2" --key "$W/$a.pub.jwk" --iss me
        out_has "valid: $a signature matches"
        # The kid from the JWK is in the header.
        run 0 "$TL" decode "$tok2" --json
        [ "$(json_get 'd["header"]["kid"]' <"$W/out")" = "\"k-$a\"" ] || fail "$a: kid not in header"
        # A public key cannot sign.
        run 2 "$TL" mint --alg "$a" --key "$W/$a.pub.pem"
        err_has "is a public key: signing needs the private key"
        ;;
    esac
done

# keygen details: default kid is the RFC 7638 thumbprint; --bits; bad combinations.
run 0 "$TL" keygen --alg ES256 --jwk
cp "$W/out" "$W/es.jwk"
kid=$(json_get 'd["kid"]' <"$W/es.jwk" | tr -d '"')
run 0 "$TL" jwk thumbprint "$W/es.jwk"
[ "$(cat "$W/out")" = "$kid" ] || fail "keygen kid is not the thumbprint"
run 0 "$TL" keygen --alg RS256 --bits 3072 --jwk
[ "$(json_get 'len(d["n"])' <"$W/out")" = 512 ] || fail "3072-bit modulus is 384 bytes = 512 b64url chars"
run 2 "$TL" keygen --alg ES256 --bits 4096
err_has "--bits applies to RSA keys only"
run 2 "$TL" keygen --alg ES257
err_has "unknown algorithm 'ES257'"
run 2 "$TL" keygen
err_has "--alg is required"
run 3 "$TL" keygen --alg ES256 --out "$W/no/such/dir/k.pem"
err_has "cannot write"
[ "$(stat -c %a "$W/RS256.key")" = 600 ] || fail "private key file is not mode 0600"
(cd "$W" && run 0 "$TL" keygen --alg EdDSA --out -)
grep -qF -- "-----BEGIN PRIVATE KEY-----" "$W/out" || fail "keygen --out - prints to stdout"
[ ! -e "$W/-" ] || fail "keygen --out - created a file named '-'"

# RFC 7638 §3.1 known answer.
cat >"$W/7638.jwk" <<'J'
{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
J
run 0 "$TL" jwk thumbprint "$W/7638.jwk"
[ "$(cat "$W/out")" = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" ] || fail "RFC 7638 thumbprint"
run 1 "$TL" jwk private "$W/7638.jwk"
err_has "holds a public key only"
run 2 "$TL" jwk publik "$W/7638.jwk"
err_has "unknown action 'publik'"
run 3 "$TL" jwk public "$W/missing.pem"
err_has "missing.pem"
echo "not a key" >"$W/junk.pem"
run 3 "$TL" jwk public "$W/junk.pem"
err_has "tokenlab jwk: key $W/junk.pem:"
run 0 "$TL" jwk public - <"$W/ES256.key"
out_has '"kty": "EC"'

# --- mint: defaults and claim parsing ---------------------------------------------------------------
run 0 "$TL" mint --alg HS256 --secret b64:"$(head -c 32 /dev/urandom | base64 -w0)" --now 1700000000 \
    --claim admin=true --claim n=3 --claim name=bob --claim 'roles=["a","b"]' --claim quoted='"7"' \
    --aud api --aud web --iss https://issuer.example --sub alice --kid k1 --header x-lesson=4 \
    --nbf -1m
tok=$(cat "$W/out")
err_lacks "warning"
run 0 "$TL" decode "$tok" --json
$PY - "$W/out" <<'PY' || fail "mint claims"
import json, sys
d = json.load(open(sys.argv[1]))
p, h = d["payload"], d["header"]
assert h == {"alg": "HS256", "typ": "JWT", "kid": "k1", "x-lesson": 4}, h
assert p["admin"] is True and p["n"] == 3 and p["name"] == "bob", p
assert p["roles"] == ["a", "b"] and p["quoted"] == "7", p
assert p["aud"] == ["api", "web"] and p["iss"] == "https://issuer.example" and p["sub"] == "alice"
assert p["iat"] == 1700000000 and p["exp"] == 1700000000 + 900 and p["nbf"] == 1700000000 - 60, p
PY
run 0 "$TL" mint --alg HS256 --secret 'a-secret-that-is-long-enough-for-hs256!' --now 1700000000 \
    --exp 2h --no-iat --payload '{"scope":"notes:read","exp":1}'
run 0 "$TL" decode "$(cat "$W/out")" --json
[ "$(json_get 'd["payload"]' <"$W/out")" = '{"scope": "notes:read", "exp": 1700007200}' ] ||
    fail "--payload + --exp + --no-iat"
echo '{"sub":"from-file"}' >"$W/payload.json"
run 0 "$TL" mint --alg HS256 --secret 'a-secret-that-is-long-enough-for-hs256!' --payload @"$W/payload.json"
run 0 "$TL" decode "$(cat "$W/out")" --json
[ "$(json_get 'd["payload"]["sub"]' <"$W/out")" = '"from-file"' ] || fail "--payload @file"
run 0 "$TL" mint --alg HS256 --secret 'a-secret-that-is-long-enough-for-hs256!' --no-exp
err_has "tokenlab mint: warning:"
err_has "exp"
run 0 "$TL" mint --alg HS256 --secret short
err_has "RFC 7518 §3.2"
run 2 "$TL" mint --alg none --sub mallory
err_has "add --unsigned"
run 0 "$TL" mint --alg none --unsigned --sub mallory --claim admin=true
none_tok=$(cat "$W/out")
[[ "$none_tok" == *. ]] || fail "unsigned token must end with '.'"
err_has 'alg "none"'
run 2 "$TL" mint --alg HS256 --key "$W/RS256.key"
err_has "cannot sign HS256 with this RSA key"
run 2 "$TL" mint --alg RS256 --secret abc
err_has "cannot sign RS256"
run 2 "$TL" mint --alg HS256
err_has "a key is needed"
run 2 "$TL" mint --alg HS256 --secret x --claim novalue
err_has "--claim wants NAME=VALUE"
run 2 "$TL" mint --alg HS256 --secret x --exp soon
err_has "--exp wants a duration"
run 2 "$TL" mint --alg HS256 --secret x --exp 5m --no-exp
err_has "contradict"
run 2 "$TL" mint --alg HS256 --secret x --payload '[1,2]'
err_has "--payload must be a JSON object"
run 2 "$TL" mint --alg hs256 --secret x
err_has "names are case-sensitive"
run 3 "$TL" mint --alg RS256 --key "$W/nope.pem"
err_has "nope.pem"
run 0 "$TL" mint --help
out_has "--unsigned"
out_has "examples:"

# --secret forms: literal, @file (bytes exactly), b64: (standard with padding, and base64url).
S='my secret with spaces + symbols/=?!'
run 0 "$TL" mint --alg HS256 --secret "$S" --sub s
t1=$(cat "$W/out")
printf '%s' "$S" >"$W/secret.bin"
run 0 "$TL" verify "$t1" --secret @"$W/secret.bin"
run 0 "$TL" verify "$t1" --secret b64:"$(printf '%s' "$S" | base64 -w0)"
run 0 "$TL" verify "$t1" --secret b64:"$(b64u "$S")"
printf '%s\n' "$S" >"$W/secret-nl.bin"
run 1 "$TL" verify "$t1" --secret @"$W/secret-nl.bin"
err_has "signature does not match"
err_has "the secret file ends with a newline"
run 0 "$TL" mint --alg HS256 --secret @"$W/secret-nl.bin"
err_has "ends with a newline, which is part of the secret"
run 0 "$TL" verify "$(cat "$W/out")" --secret @"$W/secret-nl.bin"
run 2 "$TL" verify "$t1" --secret 'b64:not*base64'
err_has "--secret b64:"
run 3 "$TL" verify "$t1" --secret @"$W/no-such-secret"
err_has "no-such-secret"

# --- verify: every failure is exit 1 with its reason --------------------------------------------
K='a-secret-that-is-long-enough-for-hs256!'
NOW=1700000000
run 0 "$TL" mint --alg HS256 --secret "$K" --now $NOW --iss https://issuer.example --aud api --sub alice
good=$(cat "$W/out")
IFS=. read -r h p s <<<"$good"
run 0 "$TL" verify "$good" --secret "$K" --now $NOW --iss https://issuer.example --aud api
out_has "valid: HS256 signature matches; claims are valid; expires in 15m"
run 0 "$TL" verify "$good" --secret "$K" --now $NOW --quiet
[ ! -s "$W/out" ] && [ ! -s "$W/err" ] || fail "--quiet printed something for a valid token"
run 1 "$TL" verify "$good" --secret "$K" --now $((NOW + 3600)) --quiet
[ ! -s "$W/out" ] || fail "--quiet printed on stdout"
err_has "expired"
# tampered payload, header, signature
run 1 "$TL" verify "$h.$(b64u '{"sub":"admin","iss":"https://issuer.example","aud":"api"}').$s" --secret "$K" --now $NOW
err_has "tokenlab verify: signature does not match: the payload was changed after signing, or the key is wrong"
run 1 "$TL" verify "$(b64u '{"alg":"HS256","typ":"JWT","kid":"x"}').$p.$s" --secret "$K" --now $NOW
err_has "signature does not match"
flipped=$(printf '%s' "$s" | sed 's/^./A/;t' )
[ "$flipped" != "$s" ] || flipped=$(printf '%s' "$s" | sed 's/^./B/')
run 1 "$TL" verify "$h.$p.$flipped" --secret "$K" --now $NOW
err_has "signature does not match"
# wrong key
run 1 "$TL" verify "$good" --secret "another-secret-that-is-long-enough!!" --now $NOW
err_has "signature does not match"
# expired / not yet valid / leeway
run 1 "$TL" verify "$good" --secret "$K" --now $((NOW + 960))
err_has "tokenlab verify: expired 1 minute ago"
run 0 "$TL" verify "$good" --secret "$K" --now $((NOW + 960)) --leeway 120
run 0 "$TL" mint --alg HS256 --secret "$K" --now $NOW --nbf 10m
run 1 "$TL" verify "$(cat "$W/out")" --secret "$K" --now $NOW
err_has "not valid yet"
# wrong audience / issuer / missing claim / --alg restriction
run 1 "$TL" verify "$good" --secret "$K" --now $NOW --aud billing
err_has 'audience'
err_has '"billing"'
run 1 "$TL" verify "$good" --secret "$K" --now $NOW --iss https://evil.example
err_has 'https://evil.example'
run 1 "$TL" verify "$good" --secret "$K" --now $NOW --require scope
err_has 'scope'
run 1 "$TL" verify "$good" --secret "$K" --now $NOW --alg HS512
err_has 'HS256'
# typ (RFC 9068 access tokens say at+jwt; "application/" is optional)
run 0 "$TL" mint --alg HS256 --secret "$K" --now $NOW --typ at+jwt
run 0 "$TL" verify "$(cat "$W/out")" --secret "$K" --now $NOW --typ application/at+jwt
run 1 "$TL" verify "$good" --secret "$K" --now $NOW --typ at+jwt
err_has 'typ is "JWT", expected "at+jwt"'
# alg none, in every casing, is refused (even though "none" needs no key)
run 1 "$TL" verify "$none_tok" --secret "$K"
err_has 'alg "none" means the token is unsigned'
for n in None NONE nOnE; do
    run 1 "$TL" verify "$(b64u "{\"alg\":\"$n\"}").$(b64u '{"sub":"x"}')." --secret "$K"
    err_has "alg \"$n\" means the token is unsigned" # refused as none, not as an unknown alg
done
# key confusion: HS256 "signed" with the RSA public key's PEM must not verify with that key
run 0 "$TL" mint --alg HS256 --secret @"$W/RS256.pub.pem" --sub mallory --claim admin=true
run 1 "$TL" verify "$(cat "$W/out")" --key "$W/RS256.pub.pem"
err_has "key-confusion"
# an EC P-256 key verifies ES256 only
run 0 "$TL" mint --alg ES384 --key "$W/ES384.key"
run 1 "$TL" verify "$(cat "$W/out")" --key "$W/ES256.pub.pem"
err_has "ES384"
# not a token
run 1 "$TL" verify "a.b" --secret "$K"
err_has "tokenlab verify: not a token"

# --signature-only: a JWS whose payload is not JSON (made by python's hmac, independent of us)
ODD=$($PY - "$K" <<'PY'
import base64, hashlib, hmac, sys
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
si = b(b'{"alg":"HS256"}') + "." + b(b"just some bytes")
print(si + "." + b(hmac.new(sys.argv[1].encode(), si.encode(), hashlib.sha256).digest()))
PY
)
run 0 "$TL" verify "$ODD" --secret "$K" --signature-only
out_has "claims not checked (--signature-only)"
run 1 "$TL" verify "$ODD" --secret "$K"
err_has "the signature is valid, but"
err_has "--signature-only"

# --json
run 1 "$TL" verify "$good" --secret "$K" --now $((NOW + 3600)) --json
$PY - "$W/out" <<'PY' || fail "verify --json (invalid)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is False and d["alg"] == "HS256"
assert d["error"]["code"] == "jwt.expired" and "expired" in d["error"]["message"], d["error"]
assert d["payload"]["sub"] == "alice"
PY
run 0 "$TL" verify "$good" --secret "$K" --now $NOW --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid"] is True and d["error"] is None' "$W/out" ||
    fail "verify --json (valid)"

# stdin, usage, I/O
printf '%s\n' "$good" | run 0 "$TL" verify - --secret "$K" --now $NOW
printf '%s\n' "$good" | run 0 "$TL" verify --secret "$K" --now $NOW
run 2 "$TL" verify "$good"
err_has "a key is needed"
run 2 "$TL" verify "$good" --secret "$K" --leeway -5
err_has "--leeway wants a number of seconds"
run 2 "$TL" verify "$good" --secret "$K" --alg HS999
err_has "unknown algorithm 'HS999'"
printf '%s\n' "$good" | run 2 "$TL" verify - --key -
err_has "the token and the key cannot both come from stdin"
printf '%s' "$K" | run 2 "$TL" verify --secret @-
err_has "cannot both come from stdin"
printf '%s' "$K" | run 0 "$TL" verify "$good" --secret @- --now $NOW
run 2 "$TL" mint --alg HS256 --secret @- --payload @- </dev/null
err_has "the payload and the key cannot both come from stdin"
run 2 "$TL" verify "$good" "$good" --secret "$K"
err_has "one token at a time"
run 2 "$TL" verify "$good" --secret "$K" -x
err_has "unknown option '-x'"
run 3 "$TL" verify "$good" --key "$W/missing-key.pem"
err_has "tokenlab verify: cannot read $W/missing-key.pem"
run 3 "$TL" verify "$good" --key "$W/junk.pem"
err_has "tokenlab verify: key $W/junk.pem:"
run 0 "$TL" verify --help
out_has "--signature-only"
out_has "examples:"

# --- what a hostile or odd token cannot do -------------------------------------------------------
# Terminal escapes in claims and header reach the terminal only as visible escapes.
evil=$("$TL" mint --alg HS256 --secret "$K" --iss $'\e]0;pwned\a' --typ $'x\e[2J' 2>/dev/null)
run 1 "$TL" verify "$evil" --secret "$K" --iss good
err_has 'issued by "\x1b]0;pwned\x07", expected "good"'
! grep -q $'\e' "$W/err" || fail "an ESC byte from the token reached stderr"
run 0 "$TL" decode "$evil"
out_has 'typ "x\x1b[2J" is unusual'
! grep -q $'\e' "$W/out" || fail "an ESC byte from the token reached stdout"
# A NUL byte is not silently the end of the token.
printf '%s\0junk.more' "$good" | run 1 "$TL" verify - --secret "$K" --now $NOW
err_has "the token has a NUL byte at offset ${#good}"
# An integer beyond 64 bits is valid JSON: the token verifies, with a warning.
bh=$(b64u '{"alg":"HS256","typ":"JWT"}')
bp=$(b64u '{"sub":"a","n":12345678901234567890,"exp":9999999999}')
bs=$(printf '%s' "$bh.$bp" | openssl dgst -sha256 -hmac "$K" -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')
run 0 "$TL" verify "$bh.$bp.$bs" --secret "$K"
err_has "the payload has an integer beyond 64 bits"
run 0 "$TL" decode "$bh.$bp.$bs" --json
out_has '"n":1.2345678901234567e19'
out_has '"code":"warn.big_number"'
run 2 "$TL" mint --alg HS256 --secret "$K" --claim n=12345678901234567890
err_has "send it as a string: n='\"12345678901234567890\"'"
# No "alg": it decodes with a warning, and never verifies.
na="$(b64u '{"typ":"JWT"}').$(b64u '{"sub":"a"}').c2ln"
run 0 "$TL" decode "$na" --json
out_has '"code":"warn.alg_missing"'
run 1 "$TL" verify "$na" --secret "$K"
err_has 'the header has no "alg" (RFC 7515 §4.1.1 requires it)'
# A typ that is not a string is unusual too.
run 0 "$TL" decode "$(b64u '{"alg":"HS256","typ":5}').$(b64u '{"exp":9999999999}').c2ln" --json
out_has '"code":"warn.typ_unusual"'
# mint: a dedicated flag and --claim/--header for the same member is refused, not silently merged.
run 2 "$TL" mint --alg HS256 --secret "$K" --iss X --claim iss=Y
err_has '--claim iss=… and --iss both set "iss"'
run 2 "$TL" mint --alg HS256 --secret "$K" --kid B --header kid=A
err_has '--header kid=… and --kid both set "kid"'
# mint: a token too big for an Authorization header gets a warning.
$PY -c 'print("{\"x\":\"" + "a" * 9000 + "\"}")' >"$W/big.json"
run 0 "$TL" mint --alg HS256 --secret "$K" --payload "@$W/big.json"
err_has "many servers refuse request headers over 8 KiB"
echo "ok: keygen/mint/verify/jwk"
