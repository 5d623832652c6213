#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab serve and its secrets (issue 12): an empty or short --lab-key is a usage error (exit 2);
# the lab key and instructor key are shown once, before the request log and never in it; with
# --keys-file they go to a 0600 file and not to the screen at all.
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

run 2 "$TL" serve --listen 127.0.0.1:0 --lab-key ""
err_has "--lab-key must be at least 12 characters"
run 2 "$TL" serve --listen 127.0.0.1:0 --lab-key short-key
err_has "--lab-key must be at least 12 characters"

# start NAME [options…]: serve in the background until the request log starts; sets URL
start() {
    local name=$1; shift
    : >"$W/$name.log"
    "$TL" serve --listen 127.0.0.1:0 "$@" >"$W/$name.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        grep -q '^request log:' "$W/$name.log" && break
        sleep 0.1
    done
    URL=$(sed -n 's/^tokenlab server listening on \(http:[^ ]*\).*/\1/p' "$W/$name.log" | head -1)
    [ -n "$URL" ] || { cat "$W/$name.log"; fail "tokenlab serve did not start"; }
}

# Shown once, under a line that says so, before the request log; requests never repeat it.
start shown --class --class-db "$W/shown.db" --lab-key the-lab-key-0123
grep -q '^secrets (shown once' "$W/shown.log" || fail "no line says the keys are secrets"
grep -q '^lab key the-lab-key-0123 ' "$W/shown.log" || fail "the lab key is not shown"
KEY=$(sed -n 's/^instructor key \([^ ]*\) .*/\1/p' "$W/shown.log")
[ -n "$KEY" ] || fail "the instructor key is not shown"
http POST "$URL/lab/switch" "name=alg-none&on=1" "X-Tokenlab-Lab-Key: the-lab-key-0123" >/dev/null
http GET "$URL/class/state" "" "Authorization: Bearer $KEY" >/dev/null
[ "$(grep -c 'the-lab-key-0123' "$W/shown.log")" = 1 ] || fail "the lab key appears more than once"
[ "$(grep -c -- "$KEY" "$W/shown.log")" = 1 ] || fail "the instructor key appears more than once"
sed -n '/^request log:/,$p' "$W/shown.log" | grep -q 'POST /lab/switch' || fail "no request log"

# --keys-file: mode 0600, the keys there and not on the screen.
start filed --class --class-db "$W/filed.db" --keys-file "$W/keys.txt"
[ "$(stat -c %a "$W/keys.txt")" = 600 ] || fail "keys file mode $(stat -c %a "$W/keys.txt")"
grep -q '^lab key ' "$W/keys.txt" || fail "no lab key in the file"
grep -q '^instructor key ' "$W/keys.txt" || fail "no instructor key in the file"
grep -q 'written to .*keys.txt (mode 0600)' "$W/filed.log" || fail "the screen does not say where"
LK=$(sed -n 's/^lab key \([^ ]*\) .*/\1/p' "$W/keys.txt")
! grep -q -- "$LK" "$W/filed.log" || fail "the lab key is on the screen"
echo "ok"
