#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Soak test of `tokenlab serve` (issue 7, "Load and soak"): tests/bench/bench_soak keeps 16
# connections busy with every endpoint family — discovery, JWKS, /token, /login, the API, /health —
# with malformed requests mixed in (bad %-escapes, wrong secrets, nested and non-UTF-8 JSON, NUL
# bytes, an unknown client, a garbage bearer token, a 2 MiB body, a 64 KiB header, raw broken
# request lines). Good requests must all answer 200, bad ones 4xx (never 5xx, never a hang), the
# server must survive, and its RSS after warm-up must stay flat (within 8 MiB; not checked in
# sanitizer builds, whose allocators hold freed memory on purpose).
#
# Bounded: SOAK_REQUESTS (default 2000) or SOAK_SECONDS (default 30), whichever comes first.
# `make bench` and tests/bench/bench_server.sh run the long version (200k requests).
set -u
: "${TOKENLAB:?run through ctest}"
: "${TOKENLAB_BUILD_DIR:?run through ctest}"
SOAK="$TOKENLAB_BUILD_DIR/bench_soak"
[ -x "$SOAK" ] || {
    echo "FAIL: $SOAK is missing (built with the tree from tests/bench/bench_soak.c)"
    exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenlab-soak.XXXXXX")
pid=""
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$TOKENLAB" serve --quiet --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.err" &
pid=$!
base=""
for _ in $(seq 1 300); do
    base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -n 1)
    [ -n "$base" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
done
[ -n "$base" ] || {
    echo "FAIL: tokenlab serve did not start: $(head -c 300 "$work/serve.out" "$work/serve.err")"
    exit 1
}
rss_args=()
if nm -an "$TOKENLAB" 2> /dev/null | grep -q '__asan_init\|__tsan_init\|__msan_init'; then
    rss_args=(--no-rss)
fi
"$SOAK" "$base" --pid "$pid" -c 16 -n "${SOAK_REQUESTS:-2000}" -d "${SOAK_SECONDS:-30}" "${rss_args[@]}"
status=$?
if ! kill -0 "$pid" 2> /dev/null; then
    echo "FAIL: the server died during the soak: $(tail -n 20 "$work/serve.err")"
    exit 1
fi
# Still serving after the storm.
if ! curl -sf --max-time 10 "$base/health" > /dev/null; then
    echo "FAIL: the server stopped answering /health after the soak"
    exit 1
fi
kill -TERM "$pid"
wait "$pid"
stop=$?
pid=""
if ((stop != 0)); then
    echo "FAIL: tokenlab serve exited with status $stop after SIGTERM"
    exit 1
fi
((status == 0)) || {
    echo "FAIL: bench_soak reported failures (see above)"
    exit 1
}
echo "ok: soak passed"
