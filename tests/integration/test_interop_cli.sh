#!/bin/bash
# Interop through the command line, every algorithm, both directions: `tokenlab mint` tokens verify
# in python3-jwt and the Go `jwt` CLI; their tokens pass `tokenlab verify --alg ALG`; and a token
# under another key fails everywhere with the right reason. Keys come from `tokenlab keygen` (so
# its PEM output is what the other tools read) or, for HMAC, a secret file. Missing tools fail.
set -u
: "${TOKENLAB:?TOKENLAB must point at the binary}"
PY=/usr/bin/python3
GOJWT=/usr/bin/jwt
for tool in "$PY" "$GOJWT"; do
    if [ ! -x "$tool" ]; then
        echo "FAIL: $tool is required (scripts/deps.sh test installs python3-jwt and jwt)" >&2
        exit 1
    fi
done
if ! "$PY" -c 'import jwt, cryptography' 2>/dev/null; then
    echo "FAIL: $PY cannot import jwt and cryptography (Debian: python3-jwt python3-cryptography)" >&2
    exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/py.py" <<'PYEOF'
import sys, jwt
mode, alg, keyfile = sys.argv[1:4]
key = open(keyfile, 'rb').read()
if mode == 'verify':
    print(jwt.decode(sys.argv[4], key, algorithms=[alg])['sub'])
else:
    print(jwt.encode({'sub': 'from-python', 'exp': 4102444800}, key, algorithm=alg))
PYEOF
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

for alg in HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA; do
    case $alg in
    HS*)
        # 64 printable bytes: the same secret as a literal for tokenlab and as a file for the others
        head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 64 >"$dir/$alg.key"
        head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 64 >"$dir/$alg.other"
        priv=$dir/$alg.key pub=$dir/$alg.key opub=$dir/$alg.other
        mint_key=(--secret "@$priv") ver_key=(--secret "@$pub") over_key=(--secret "@$opub")
        ;;
    *)
        "$TOKENLAB" keygen --alg "$alg" --out "$dir/$alg.pem" >/dev/null 2>&1 ||
            { bad "$alg: tokenlab keygen"; continue; }
        "$TOKENLAB" keygen --alg "$alg" --out "$dir/$alg.other.pem" >/dev/null 2>&1
        openssl pkey -in "$dir/$alg.pem" -pubout -out "$dir/$alg.pub" 2>/dev/null ||
            { bad "$alg: keygen output is not a private key openssl can read"; continue; }
        openssl pkey -in "$dir/$alg.other.pem" -pubout -out "$dir/$alg.other.pub" 2>/dev/null
        priv=$dir/$alg.pem pub=$dir/$alg.pub opub=$dir/$alg.other.pub
        mint_key=(--key "$priv") ver_key=(--key "$pub") over_key=(--key "$opub")
        ;;
    esac

    tok=$("$TOKENLAB" mint --alg "$alg" "${mint_key[@]}" --sub from-tokenlab 2>"$dir/err") ||
        { bad "$alg: tokenlab mint: $(cat "$dir/err")"; continue; }
    out=$("$PY" "$dir/py.py" verify "$alg" "$pub" "$tok" 2>&1)
    [ "$out" = from-tokenlab ] && ok "$alg tokenlab mint -> python3-jwt" ||
        bad "$alg tokenlab mint -> python3-jwt: $out"
    out=$("$PY" "$dir/py.py" verify "$alg" "$opub" "$tok" 2>&1)
    case $out in *InvalidSignatureError*) ok "$alg python3-jwt refuses it under another key" ;;
    *) bad "$alg python3-jwt under another key: $out" ;; esac
    out=$(echo "$tok" | "$GOJWT" -verify - -key "$pub" -alg "$alg" 2>&1)
    case $out in *from-tokenlab*) ok "$alg tokenlab mint -> go jwt" ;;
    *) bad "$alg tokenlab mint -> go jwt: $out" ;; esac

    ptok=$("$PY" "$dir/py.py" sign "$alg" "$priv" 2>&1) || { bad "$alg python3-jwt sign: $ptok"; continue; }
    gtok=$(echo '{"sub":"from-go","exp":4102444800}' | "$GOJWT" -sign - -key "$priv" -alg "$alg" 2>&1) ||
        { bad "$alg go jwt sign: $gtok"; continue; }
    for pair in "python3-jwt:$ptok" "go jwt:$gtok"; do
        who=${pair%%:*} t=${pair#*:}
        if "$TOKENLAB" verify "$t" "${ver_key[@]}" --alg "$alg" >/dev/null 2>"$dir/err"; then
            ok "$alg $who -> tokenlab verify"
        else
            bad "$alg $who -> tokenlab verify: $(cat "$dir/err")"
        fi
        "$TOKENLAB" verify "$t" "${over_key[@]}" --alg "$alg" --json >"$dir/json" 2>/dev/null
        rc=$?
        if [ $rc -eq 1 ] && grep -q '"jws.sig_mismatch"' "$dir/json"; then
            ok "$alg tokenlab verify refuses the $who token under another key (exit 1)"
        else
            bad "$alg tokenlab verify, $who token, another key: exit $rc, $(cat "$dir/json")"
        fi
    done
done
echo "$fails failure(s)"
[ $fails -eq 0 ]
