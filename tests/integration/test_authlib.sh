#!/bin/bash
# SPDX-License-Identifier: MIT
# Debian's python3-authlib (an independent OAuth/OIDC client) against `tokenlab serve`.
set -euo pipefail
PY=/usr/bin/python3
if ! $PY -c 'import authlib, requests' 2>/dev/null; then
    echo "python3-authlib / python3-requests not installed (scripts/deps.sh test)"
    exit 77
fi
out=$(mktemp)
"$TOKENLAB" serve --listen 127.0.0.1:0 >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
base=""
for _ in $(seq 100); do
    base=$(head -1 "$out" | grep -o 'http://127\.0\.0\.1:[0-9]*' || true)
    [ -n "$base" ] && break
    sleep 0.1
done
[ -n "$base" ] || { echo "server did not start:"; cat "$out"; exit 1; }
$PY "$TOKENLAB_SOURCE_DIR/tests/integration/test_authlib.py" "$base" || { echo "--- server log"; cat "$out"; exit 1; }
