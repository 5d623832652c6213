#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab decode: RFC 7515 A.1 known answer, dates, --json shape, JWE, stdin, errors, exit codes.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

# RFC 7515 Appendix A.1: HS256, with its JWK (A.1.1).
A1='eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
A1K='{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}'
printf '%s' "$A1K" >"$W/a1.jwk"

# Text view: header, claims, exp as a UTC date relative to --now, explanations, signature.
run 0 "$TL" decode "$A1" --now 1300819128
out_has '"typ": "JWT"'
out_has '"alg": "HS256"'
out_has '"iss": "joe"'
out_has '"exp": 1300819380'
out_has '"http://example.com/is_root": true'
out_has '2011-03-22 18:43:00 UTC  (in 4m 12s)'
out_has 'iss  Issuer'
out_has 'Expiration Time'
out_has 'RFC 7519 §4.1.4'
out_has 'Signature (HS256, 32 bytes)'
out_has '7418dfb49799e0254ffa607dd8adbbba16d4254d69d6bff05b58055853848d79'
out_has 'base64url dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
out_lacks 'warn.expired'
out_lacks 'Verdict'
# Three minutes after exp: "3m ago" and the expiry warning; the clock may also come from the env.
run 0 env TOKENLAB_NOW=1300819560 "$TL" decode "$A1"
out_has '2011-03-22 18:43:00 UTC  (3m ago)'
out_has 'warn.expired'
out_has 'expired 3 minutes ago'

# --now also takes a UTC time.
run 0 "$TL" decode "$A1" --now 2011-03-22T18:38:48Z
out_has '2011-03-22 18:43:00 UTC  (in 4m 12s)'
run 0 "$TL" decode "$A1" --now "2011-03-22 18:40"
out_has '(in 3m)'
run 2 "$TL" decode "$A1" --now 2011-13-01T00:00:00Z
err_has "--now wants seconds since 1970 or a UTC time"

# Far-away times read in words; absurd ones are called out instead of printed as dates.
run 0 "$TL" decode "$A1" --now 1773000000
out_has '2011-03-22 18:43:00 UTC  (14 years ago)'
run 0 "$TL" decode "$(b64u '{"alg":"HS256"}').$(b64u '{"exp":1e300,"nbf":"soon"}').$(b64u sig)"
out_has 'outside the years 1..9999'
out_has 'not a number'

# With a key: the verdict, and exit 1 when it does not hold.
run 0 "$TL" decode "$A1" --key "$W/a1.jwk" --now 1300819000
out_has 'Verdict'
out_has 'valid: HS256 signature matches; claims are valid'
run 1 "$TL" decode "$A1" --key "$W/a1.jwk" --now 1300819500
out_has 'invalid: expired 2 minutes ago'
err_has 'tokenlab decode: expired 2 minutes ago'
run 1 "$TL" decode "$A1" --secret wrong-secret-wrong-secret-wrong-secret
err_has 'signature does not match: the payload was changed after signing, or the key is wrong'

# --json: exactly these members, in this order, with these types.
run 0 "$TL" decode "$A1" --json --now 1300819000
$PY - "$W/out" <<'PY' || fail "--json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["header", "payload", "dates", "signature", "warnings", "verified"], list(d)
assert d["header"] == {"typ": "JWT", "alg": "HS256"}, d["header"]
assert d["payload"] == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
assert d["dates"] == {"exp": "2011-03-22T18:43:00Z"}, d["dates"]  # RFC 7515 A.1: exp 1300819380
assert d["signature"] == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
assert d["warnings"] == [], d["warnings"]
assert d["verified"] is None
PY
run 0 "$TL" decode "$A1" --json --key "$W/a1.jwk" --now 1300819000
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verified"] is True' "$W/out" ||
    fail "verified true"
run 1 "$TL" decode "$A1" --json --key "$W/a1.jwk" --now 1400000000
$PY - "$W/out" <<'PY' || fail "verified false + warnings"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verified"] is False
assert [w["code"] for w in d["warnings"]] == ["warn.expired"], d["warnings"]
assert all(set(w) == {"code", "message"} for w in d["warnings"])
PY
err_has 'expired'

# A payload that is not JSON is a string in --json; an unknown alg still decodes.
ODD="$(b64u '{"alg":"XY999"}').$(b64u 'hello world').$(b64u sig)"
run 0 "$TL" decode "$ODD" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["payload"]=="hello world", d
assert "warn.alg_unknown" in [w["code"] for w in d["warnings"]]' "$W/out" || fail "odd token json"
run 0 "$TL" decode "$ODD"
out_has 'Payload (not a JSON object)'
out_has '"hello world"'
out_has 'Signature (XY999, 3 bytes)'

# JWE: header shown, payload said to be encrypted.
JWE="$(b64u '{"alg":"RSA-OAEP","enc":"A256GCM"}').$(b64u key).$(b64u iv).$(b64u ciphertext).$(b64u tag)"
run 0 "$TL" decode "$JWE"
out_has 'Header (JWE protected header)'
out_has '"enc": "A256GCM"'
out_has 'encrypted: this is a JWE'
out_lacks 'Signature ('
run 0 "$TL" decode "$JWE" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["payload"] is None and d["header"]["enc"]=="A256GCM"
assert "warn.jwe" in [w["code"] for w in d["warnings"]]' "$W/out" || fail "jwe json"

# stdin: '-' and no argument, with whitespace and a "Bearer " prefix (a pasted header).
printf '  Bearer %s\n\n' "$A1" | run 0 "$TL" decode - --json
out_has '"iss":"joe"'
printf '%s\n' "$A1" | run 0 "$TL" decode --json
out_has '"signature":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"'

# Not a token: exit 1 with the reason; never a crash on junk.
run 1 "$TL" decode "a.b"
err_has "tokenlab decode: not a token: expected 3 segments"
run 1 "$TL" decode "a.b.c.d.e.f"
err_has "tokenlab decode: not a token:"
run 1 "$TL" decode "eyJhbGciOiJIUzI1NiJ9+.e30.c2ln"
err_has "'+' at offset"
head -c 3000 /dev/urandom | base64 -w0 >"$W/junk"
run 1 "$TL" decode - <"$W/junk"
err_has "tokenlab decode: not a token"
printf '' | run 2 "$TL" decode -
err_has "no token given"
# Two tokens on stdin are not one five-segment JWE (issue 12); JWE-shaped garbage is not a JWE.
printf '%s\n%s\n' "$A1" "$A1" | run 1 "$TL" decode -
err_has "the input holds 2 tokens, one per line"
run 1 "$TL" decode "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0.!!!.@@@.###.\$\$\$"
err_has "JWE segment 2 (encrypted key) is not valid base64url"

# Usage and I/O errors.
run 2 "$TL" decode "$A1" --frobnicate
err_has "tokenlab decode: unknown option '--frobnicate'"
run 2 "$TL" decode "$A1" --leeway
err_has "option --leeway needs a value"
run 2 "$TL" decode "$A1" --secret a --key "$W/a1.jwk"
err_has "give only one of --secret, --key and --jwks"
run 2 "$TL" decode "$A1" --aud x
err_has "verify options need a key"
run 3 "$TL" decode "$A1" --key "$W/does-not-exist.pem"
err_has "does-not-exist.pem"
run 0 "$TL" decode --help
out_has "usage: tokenlab decode"
out_has "--signature-only"
out_has "examples:"

# Colour: on a terminal unless NO_COLOR; never when piped.
if command -v script >/dev/null; then
    env -u NO_COLOR TERM=xterm script -qec "$TL decode $A1" /dev/null >"$W/tty" </dev/null
    grep -q $'\033\[' "$W/tty" || fail "no colour on a tty"
    env NO_COLOR=1 TERM=xterm script -qec "$TL decode $A1" /dev/null >"$W/tty" </dev/null
    ! grep -q $'\033\[' "$W/tty" || fail "colour despite NO_COLOR"
else
    fail "script (util-linux) is not installed: the terminal checks cannot run"
fi
env -u NO_COLOR "$TL" decode "$A1" >"$W/out"
! grep -q $'\033\[' "$W/out" || fail "colour in a pipe"
echo "ok: decode"
