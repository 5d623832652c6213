#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab crack: finds secrets that are in the list (built-in and custom), fails on a strong one,
# refuses tokens without a shared secret, shows a progress bar only on a terminal.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
PY=/usr/bin/python3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

. "${BASH_SOURCE%/*}/cli_lib.sh"

# The jwt.io example token (made elsewhere), signed with "your-256-bit-secret".
JWTIO='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'
run 0 "$TL" crack "$JWTIO"
out_is "your-256-bit-secret"
err_has "found the HS256 secret"
err_has "candidates/s"

# Secrets from the built-in list, for each HMAC size.
for pair in HS256:changeme HS384:Password1 HS512:qwerty123 HS256:supersecret HS256:1q2w3e4r; do
    alg=${pair%%:*} sec=${pair#*:}
    run 0 "$TL" mint --alg "$alg" --secret "$sec" --sub victim
    run 0 "$TL" crack "$(cat "$W/out")"
    out_is "$sec"
    err_has "found the $alg secret"
done

# --json
run 0 "$TL" mint --alg HS256 --secret secret --sub victim
tok=$(cat "$W/out")
run 0 "$TL" crack "$tok" --json
$PY - "$W/out" <<'PY' || fail "--json found"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["found"] is True and d["secret"] == "secret" and d["alg"] == "HS256", d
assert 1 <= d["tried"] <= d["total"] and d["total"] > 1000, d
assert isinstance(d["seconds"], float) and d["rate"] >= 0
PY

# A strong secret is not in any list: exit 1.
strong=$(head -c 32 /dev/urandom | base64 -w0)
run 0 "$TL" mint --alg HS256 --secret "b64:$strong" --sub victim
run 1 "$TL" crack "$(cat "$W/out")"
[ ! -s "$W/out" ] || fail "nothing on stdout when not found"
err_has "tokenlab crack: not found: none of the"
run 0 "$TL" mint --alg HS512 --secret "b64:$strong"
run 1 "$TL" crack "$(cat "$W/out")" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["found"] is False and d["secret"] is None and d["tried"]==d["total"]' "$W/out" ||
    fail "--json not found"

# A custom wordlist: CRLF endings, a secret with spaces, from a file and from stdin.
printf 'alpha\r\nbeta\r\n\r\ncorrect horse battery staple\r\ngamma\r\n' >"$W/list.txt"
run 0 "$TL" mint --alg HS384 --secret 'correct horse battery staple'
tok=$(cat "$W/out")
run 0 "$TL" crack "$tok" --wordlist "$W/list.txt"
out_is "correct horse battery staple"
err_has "candidate 3 of 4"
run 0 "$TL" crack "$tok" --wordlist - <"$W/list.txt"
out_is "correct horse battery staple"
printf '%s\n' "$tok" | run 0 "$TL" crack - --wordlist "$W/list.txt"
out_is "correct horse battery staple"
run 1 "$TL" crack "$JWTIO" --wordlist "$W/list.txt"
err_has "none of the 4 candidates"

# Tokens without a shared secret, and bad input.
run 0 "$TL" keygen --alg RS256 --out "$W/rsa.pem"
run 0 "$TL" mint --alg RS256 --key "$W/rsa.pem"
run 2 "$TL" crack "$(cat "$W/out")"
err_has "tokenlab crack: RS256 tokens are signed with a private key; there is no shared secret to guess"
run 0 "$TL" keygen --alg ES256 --out "$W/ec.pem"
run 0 "$TL" mint --alg ES256 --key "$W/ec.pem"
run 2 "$TL" crack "$(cat "$W/out")"
err_has "ES256 tokens are signed with a private key"
run 0 "$TL" mint --alg none --unsigned
run 2 "$TL" crack "$(cat "$W/out")"
err_has "unsigned"
run 2 "$TL" crack "not.a"
err_has "tokenlab crack: not a token"
run 2 "$TL" crack
err_has "no token given"
run 2 "$TL" crack - --wordlist - </dev/null
err_has "cannot both come from stdin"
run 3 "$TL" crack "$JWTIO" --wordlist "$W/nope.txt"
err_has "nope.txt"
: >"$W/empty.txt"
run 2 "$TL" crack "$JWTIO" --wordlist "$W/empty.txt"
err_has "is empty"
run 0 "$TL" crack --help
grep -qF -- "--wordlist" "$W/out" || fail "help lacks --wordlist"

# Progress bar: on a terminal only.
seq 1 300000 >"$W/big.txt"
echo 'needle-in-the-haystack' >>"$W/big.txt"
run 0 "$TL" mint --alg HS256 --secret needle-in-the-haystack
tok=$(cat "$W/out")
run 0 "$TL" crack "$tok" --wordlist "$W/big.txt"
! grep -q '\[#' "$W/err" || fail "progress bar on a pipe"
if command -v script >/dev/null; then
    script -qec "$TL crack $tok --wordlist $W/big.txt" /dev/null >"$W/tty" </dev/null
    grep -q 'candidates/s' "$W/tty" || fail "no progress on a tty"
    tr '\r' '\n' <"$W/tty" | grep -q 'candidates/s, [0-9].* left' || fail "no time left in the first progress line"
    grep -qF '[##############################] 300001/300001 (100%)' "$W/tty" || fail "bar never full"
else
    fail "script (util-linux) is not installed: the terminal checks cannot run"
fi
echo "ok: crack"
