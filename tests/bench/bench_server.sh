#!/bin/bash
# SPDX-License-Identifier: MIT
# The server's speed next to OpenSSL's, in the same run (issue 3, "Speed"):
#   1. /token client_credentials (RS256) req/s vs `openssl speed -multi 2 rsa2048` sign/s
#      (measured before and after the load, averaged: the machine is shared);
#   2. /jwks and discovery req/s (served from cached bytes);
#   3. the server's RSS across BENCH_MEM_REQUESTS (default 200000) mixed requests.
# usage: tests/bench/bench_server.sh [BUILD_DIR]    env: BENCH_SECONDS (8), BENCH_CONN (8)
set -euo pipefail
BUILD=${1:-${TOKENLAB_BUILD_DIR:-build}}
TL=${TOKENLAB:-$BUILD/tokenlab}
LOAD=$BUILD/bench_server
SECS=${BENCH_SECONDS:-8}
CONN=${BENCH_CONN:-8}
MEMN=${BENCH_MEM_REQUESTS:-200000}
[ -x "$TL" ] && [ -x "$LOAD" ] || { echo "build first: $TL and $LOAD are needed" >&2; exit 2; }

rsa_sign() {  # 2-process RSA-2048 signs per second
    openssl speed -multi 2 -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $6}'
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

out=$(mktemp)
"$TL" serve --quiet --listen 127.0.0.1:0 >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
base=""
for _ in $(seq 100); do
    base=$(head -1 "$out" | grep -o 'http://127\.0\.0\.1:[0-9]*' || true)
    [ -n "$base" ] && break
    sleep 0.1
done
[ -n "$base" ] || { echo "server did not start"; cat "$out"; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' /proc/$pid/status; }
cc=(-X POST -b grant_type=client_credentials -u demo-service:demo-service-secret)

echo "== /token client_credentials (RS256) vs openssl speed -multi 2 rsa2048"
"$LOAD" "$base/token" -c "$CONN" -d 1 "${cc[@]}" >/dev/null  # warm-up
s1=$(rsa_sign)
tok=$("$LOAD" "$base/token" -c "$CONN" -d "$SECS" "${cc[@]}")
s2=$(rsa_sign)
echo "openssl sign/s: $s1 (before), $s2 (after)"
echo "/token: $tok"
rps=$(echo "$tok" | field rps)
awk -v r="$rps" -v a="$s1" -v b="$s2" 'BEGIN {
    m = (a + b) / 2; printf "ratio /token req/s : openssl sign/s = %.1f / %.1f = %.0f%% (target >= 70%%)\n", r, m, 100 * r / m }'

echo "== cached documents"
echo "/jwks:      $("$LOAD" "$base/jwks" -c "$CONN" -d 3)"
echo "discovery:  $("$LOAD" "$base/.well-known/openid-configuration" -c "$CONN" -d 3)"

echo "== memory across $MEMN requests (RSS of the server process)"
r0=$(rss)
n5=$((MEMN / 40)); n=$(( (MEMN - n5) / 4 ))
"$LOAD" "$base/jwks" -c "$CONN" -d 600 -n "$n" >/dev/null
r1=$(rss)
"$LOAD" "$base/.well-known/openid-configuration" -c "$CONN" -d 600 -n "$n" >/dev/null
"$LOAD" "$base/api/profile" -c "$CONN" -d 600 -n "$n" -H "Authorization: Bearer e30.e30.x" >/dev/null
"$LOAD" "$base/token" -c "$CONN" -d 600 -n "$n" -X POST -b grant_type=client_credentials -u demo-service:wrong >/dev/null
r2=$(rss)
"$LOAD" "$base/token" -c "$CONN" -d 600 -n "$n5" "${cc[@]}" >/dev/null
r3=$(rss)
echo "RSS KiB: start $r0, after $n /jwks $r1, after $((3 * n)) more $r2, after $n5 token issues $r3"
awk -v a="$r1" -v b="$r3" 'BEGIN { printf "growth after warm-up: %d KiB (%.1f%%)\n", b - a, 100 * (b - a) / a }'
