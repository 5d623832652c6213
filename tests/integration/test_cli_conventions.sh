#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line conventions (cli/args.c on getopt_long, main_full.c, server.c's listen socket):
# short options and bundles, --opt=value, unambiguous prefixes, "did you mean", every long option
# name the commands had before getopt_long still accepted, `help CMD`, -V, --color, '-' for stdin,
# and tokenlab's own message for a port already in use.
set -euo pipefail
: "${TOKENLAB:?}"
TL=$TOKENLAB
W=$(mktemp -d)
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$W"' EXIT
PY=python3
source "$TOKENLAB_SOURCE_DIR/tests/integration/cli_lib.sh"
K=a-long-random-secret-for-the-conventions-test-0123456789
NOW=1700000000

# Short forms, bundles, --opt=value, prefixes.
run 0 "$TL" mint -a HS256 -s "$K" --claim sub=alice --now $NOW
tok=$(cat "$W/out")
run 0 "$TL" verify "$tok" -s "$K" --now $NOW
out_has "valid: HS256"
run 0 "$TL" verify "$tok" -js "$K" --now=$NOW
out_has '"valid":true'
run 0 "$TL" verify "$tok" -jqs"$K" --now $NOW
out_has '"valid":true'
run 0 "$TL" verify "$tok" --secret="$K" --sig
out_has "claims not checked (--signature-only)"
run 0 "$TL" verify "$tok" --sec "$K" --no $NOW
out_has "valid: HS256"
printf '%s' "$K" >"$W/k"
run 0 "$TL" verify "$tok" -a HS256 --secret "@$W/k" --now $NOW
run 0 "$TL" keygen -a ES256 -o "$W/es.pem"
run 0 "$TL" mint -a ES256 -k "$W/es.pem" --now $NOW
run 0 "$TL" verify "$(cat "$W/out")" -k "$W/es.pem" --now $NOW
out_has "valid: ES256"
# "--" ends the options: a token that starts with '-' would be taken as one.
run 0 "$TL" verify -s "$K" --now $NOW -- "$tok"

# --json carries the time claims as dates beside the epochs.
run 0 "$TL" decode "$tok" -j
out_has '"dates":{"iat":"2023-11-14T22:13:20Z","exp":"2023-11-14T22:28:20Z"}'
run 0 "$TL" verify "$tok" -js "$K" --now $NOW
out_has '"dates":{"iat":"2023-11-14T22:13:20Z","exp":"2023-11-14T22:28:20Z"}'

# Errors that teach.
run 2 "$TL" verify "$tok" --sceret "$K"
err_has "tokenlab verify: unknown option '--sceret' (did you mean --secret?)"
run 2 "$TL" verify "$tok" --s "$K"
err_has "option '--s' is ambiguous: it could be --secret, --signature-only"
run 2 "$TL" verify "$tok" --json=yes -s "$K"
err_has "option --json takes no value"
run 2 "$TL" verify "$tok" -k
err_has "option -k (--key) needs a value"
run 2 "$TL" verify "$tok" -x
err_has "unknown option '-x'"
run 2 "$TL" verfy "$tok"
err_has "unknown command 'verfy' (did you mean verify?"
run 2 "$TL" lesson list
err_has "did you mean lessons?"

# Every long option the commands had keeps working: a flag is followed by an unknown option (so
# nothing runs and the error names that one), a valued option stands last (so it "needs a value").
check_opts() { # CMD… -- FLAGS… -- VALUED…
    local cmd=() flags=() valued=() part=0 a
    for a in "$@"; do
        if [ "$a" = -- ]; then part=$((part + 1)); continue; fi
        case $part in 0) cmd+=("$a") ;; 1) flags+=("$a") ;; 2) valued+=("$a") ;; esac
    done
    for a in "${flags[@]}"; do
        run 2 "${cmd[@]}" "--$a" --zz-not-an-option </dev/null
        err_has "unknown option '--zz-not-an-option'"
    done
    for a in "${valued[@]}"; do
        run 2 "${cmd[@]}" "--$a" </dev/null
        err_has "option --$a needs a value"
    done
}
VOPTS="secret key jwks alg iss aud typ leeway require now"
check_opts "$TL" verify -- json quiet signature-only -- $VOPTS
check_opts "$TL" decode -- json signature-only -- $VOPTS
check_opts "$TL" mint -- no-exp no-iat unsigned -- alg secret key claim payload header exp nbf iss sub aud kid now typ
check_opts "$TL" keygen -- jwk -- alg bits out kid
check_opts "$TL" jwk public -- pem set -- kid alg
check_opts "$TL" crack -- json no-progress -- wordlist
check_opts "$TL" lessons list -- json -- lessons lang
check_opts "$TL" lessons check -- lint-only -- lesson server lab-key lang
check_opts "$TL" lessons reset -- all yes --
check_opts "$TL" quiz -- no-save -- count lesson seed lessons lang
check_opts "$TL" serve -- quiet class -- listen config issuer lab lab-key class-results class-max class-rate
check_opts "$TL" class -- json csv -- server key out

# help CMD is CMD --help; -V is --version.
"$TL" verify --help >"$W/a"
"$TL" help verify >"$W/b"
cmp "$W/a" "$W/b" || fail "tokenlab help verify differs from tokenlab verify --help"
run 2 "$TL" help nosuch
err_has "no command 'nosuch'"
run 0 "$TL" -V
out_has "tokenlab "
[ "$(cat "$W/out")" = "$("$TL" --version)" ] || fail "-V and --version differ"

# --color: always colours even piped and under NO_COLOR; never does not; anything else is an error.
run 0 env NO_COLOR=1 "$TL" decode "$tok" --color=always
grep -q $'\033\\[' "$W/out" || fail "--color=always printed no colour"
run 0 env -u NO_COLOR "$TL" decode "$tok" --color=never
! grep -q $'\033\\[' "$W/out" || fail "--color=never printed colour"
run 2 "$TL" decode "$tok" --color=sometimes
err_has "--color wants auto, always or never, not 'sometimes'"

# '-' reads stdin wherever a file is read.
printf 'nope\n%s\n' "$K" | run 0 "$TL" crack "$tok" --wordlist -
out_has "$K"
run 0 "$TL" jwk public - <"$W/es.pem"
out_has '"kty": "EC"'

# A port already in use: tokenlab's own sentence, not libmicrohttpd's "Failed to bind to port 0".
"$TL" serve --listen 127.0.0.1:0 --quiet >"$W/serve.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do grep -q "listening on" "$W/serve.out" && break; sleep 0.05; done
port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$W/serve.out")
[ -n "$port" ] || fail "the first server did not start: $(cat "$W/serve.out")"
run 3 "$TL" serve --listen "127.0.0.1:$port"
err_has "tokenlab serve: port $port is already in use on 127.0.0.1: another program (perhaps another tokenlab serve) is listening there; stop it, or choose another port with --listen 127.0.0.1:PORT (port 0 picks a free one)"
err_lacks "httpd:"
out_lacks "httpd:"
echo "ok: command-line conventions"
