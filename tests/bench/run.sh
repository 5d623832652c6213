#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: one table of tokenlab's speed, each figure next to a baseline measured in the same
# run on the same machine (issue 7; the "Speed" sections of issues 2, 3 and 4).
#
#   tests/bench/run.sh [BUILD_DIR]          BUILD_DIR defaults to build/
#   env: BENCH_QUICK=1    shorter runs (a smoke test of this script, numbers are noisier)
#        BENCH_MD=FILE    also write the table (Markdown) and the machine to FILE
#
# Rows:
#   JWS sign/verify per algorithm      tests/bench/bench_jose (jose helper) vs OpenSSL EVP_DigestSign/
#                                      EVP_DigestVerify on the same EVP_PKEY            target >= 0.90
#   `tokenlab verify` RS256 PEM         hyperfine, whole process, vs the Go `jwt` CLI (Debian `jwt`)
#                                                                                       target <= 1.00
#   /token client_credentials RS256     tests/bench/bench_server (server helper, libcurl multi) vs
#                                       `openssl speed -multi 2 rsa2048` sign/s          target >= 0.70
#   TUI start-up to first frame         TOKENLAB_TIMING in script mode, vs `tokenlab --version`
#                                       as a whole process (what starting the binary costs at all)
#                                                                                    target < 100 ms
#   decoder keystroke, 4 KiB token      script mode, one `:type` line per character (each one is
#                                       handled and drawn), vs tests/bench/bench_decode (parse +
#                                       warnings + pretty JSON of the same token, no screen)
#                                                                          target < 16.7 ms (a frame)
#   TUI peak RSS, embedded server       a scripted session, vs `tokenlab serve` alone (peak RSS)
#
# Ratios are tokenlab / baseline. Missing tools or binaries give a row with "n/a" and the reason;
# the script never fails because a figure is slow (the machine is shared): it reports.
set -u
BUILD=${1:-build}
BUILD=$(cd "$BUILD" 2> /dev/null && pwd) || {
    echo "run.sh: build directory ${1:-build} not found (make bench builds it)" >&2
    exit 2
}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TL="$BUILD/tokenlab"
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    JOSE_SECS=0.2 LOAD_SECS=3 SPEED_SECS=1 RUNS=10 KEYS=1024
else
    JOSE_SECS=1 LOAD_SECS=8 SPEED_SECS=3 RUNS=100 KEYS=4096
fi
[ -x "$TL" ] || {
    echo "run.sh: $TL is missing (build first)" >&2
    exit 2
}

work=$(mktemp -d "${TMPDIR:-/tmp}/tokenlab-bench.XXXXXX")
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

rows=()
# row MEASURE TOKENLAB BASELINE_NAME BASELINE RATIO TARGET VERDICT
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
na() { row "$1" "n/a" "$2" "n/a" "n/a" "$3" "n/a: $4"; }
# ratio A B -> A/B with 2 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# verdict VALUE OP LIMIT -> ok | SLOW
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "n/a" || v == "") { print "n/a"; exit }
        ok = (op == ">=") ? (v >= l) : (op == "<=") ? (v <= l) : (op == "<") ? (v < l) : 0
        print ok ? "ok" : "SLOW" }'
}
step() { echo "bench: $*" >&2; }

machine="$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. JWS sign/verify per algorithm vs raw OpenSSL ------------------------------------------
step "JWS sign/verify per algorithm (bench_jose --seconds $JOSE_SECS)"
if [ -x "$BUILD/bench_jose" ]; then
    "$BUILD/bench_jose" --seconds "$JOSE_SECS" > "$work/jose.txt" 2> "$work/jose.err"
    # lines: alg  sign_tl sign_ossl ratio   verify_tl verify_ossl ratio
    while read -r alg st so _ vt vo _; do
        r=$(ratio "$st" "$so")
        row "$alg sign, ops/s" "$st" "OpenSSL EVP_DigestSign" "$so" "$r" ">= 0.90" "$(verdict "$r" ">=" 0.90)"
        r=$(ratio "$vt" "$vo")
        row "$alg verify, ops/s" "$vt" "OpenSSL EVP_DigestVerify" "$vo" "$r" ">= 0.90" "$(verdict "$r" ">=" 0.90)"
    done < <(grep -E '^(HS|RS|PS|ES)[0-9]+ |^EdDSA ' "$work/jose.txt")
    grep -qE '^(HS|RS|PS|ES|Ed)' "$work/jose.txt" ||
        na "JWS sign/verify" "OpenSSL EVP" ">= 0.90" "bench_jose printed no rows: $(head -c 200 "$work/jose.err")"
else
    na "JWS sign/verify" "OpenSSL EVP" ">= 0.90" "$BUILD/bench_jose not built"
fi

# --- 2. tokenlab verify (process) vs the Go jwt CLI -------------------------------------------
step "tokenlab verify vs Go jwt CLI (hyperfine, $RUNS runs each)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/rs.pem" 2> /dev/null
openssl pkey -in "$work/rs.pem" -pubout -out "$work/rs.pub.pem" 2> /dev/null
"$TL" mint --alg RS256 --key "$work/rs.pem" --sub alice --aud api --exp 1h > "$work/rs.jwt" 2> /dev/null
if ! command -v hyperfine > /dev/null; then
    na "tokenlab verify RS256, ms/process" "Go jwt CLI" "<= 1.00" "hyperfine not installed (scripts/deps.sh bench)"
elif ! command -v jwt > /dev/null; then
    na "tokenlab verify RS256, ms/process" "Go jwt CLI" "<= 1.00" "the Go jwt CLI is not installed (Debian package jwt)"
elif [ ! -s "$work/rs.jwt" ]; then
    na "tokenlab verify RS256, ms/process" "Go jwt CLI" "<= 1.00" "tokenlab mint failed"
elif ! "$TL" verify - --key "$work/rs.pub.pem" < "$work/rs.jwt" > /dev/null 2>&1 ||
    ! jwt -key "$work/rs.pub.pem" -alg RS256 -verify - < "$work/rs.jwt" > /dev/null 2>&1; then
    na "tokenlab verify RS256, ms/process" "Go jwt CLI" "<= 1.00" "a verifier rejected the token"
else
    hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/verify.json" \
        -n tokenlab "$TL verify $(cat "$work/rs.jwt") --key $work/rs.pub.pem" \
        -n jwt "jwt -key $work/rs.pub.pem -alg RS256 -verify $work/rs.jwt" > /dev/null 2>&1
    read -r t_tl t_go < <(python3 -c '
import json,sys
r={x["command"]:x["mean"]*1000 for x in json.load(open(sys.argv[1]))["results"]}
print("%.2f %.2f" % (r["tokenlab"], r["jwt"]))' "$work/verify.json" 2> /dev/null)
    if [ -n "${t_tl:-}" ]; then
        r=$(ratio "$t_tl" "$t_go")
        row "tokenlab verify RS256 (PEM), ms/process" "$t_tl" "Go jwt CLI" "$t_go" "$r" "<= 1.00" "$(verdict "$r" "<=" 1.00)"
    else
        na "tokenlab verify RS256, ms/process" "Go jwt CLI" "<= 1.00" "hyperfine failed"
    fi
fi

# --- 3. /token req/s vs the 2-process RSA-2048 signing rate -----------------------------------
step "/token client_credentials vs openssl speed -multi 2 rsa2048 (${LOAD_SECS}s load)"
rsa_sign() { openssl speed -multi 2 -seconds "$SPEED_SECS" rsa2048 2> /dev/null | awk '/^rsa 2048 bits/ {print $6}'; }
if [ -x "$BUILD/bench_server" ]; then
    "$TL" serve --quiet --listen 127.0.0.1:0 > "$work/serve.out" 2>&1 &
    server_pid=$!
    base=""
    for _ in $(seq 1 100); do
        base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -n 1)
        [ -n "$base" ] && break
        sleep 0.1
    done
    if [ -n "$base" ]; then
        cc=(-c 8 -X POST -b grant_type=client_credentials -u demo-service:demo-service-secret)
        "$BUILD/bench_server" "$base/token" "${cc[@]}" -d 1 > /dev/null 2>&1 # warm-up
        s1=$(rsa_sign)
        tok=$("$BUILD/bench_server" "$base/token" "${cc[@]}" -d "$LOAD_SECS" 2>&1)
        s2=$(rsa_sign)
        jw=$("$BUILD/bench_server" "$base/jwks" -c 8 -d 2 2>&1)
        rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<< "$tok")
        p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<< "$tok")
        errs=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<< "$tok")
        sign=$(awk -v a="${s1:-0}" -v b="${s2:-0}" 'BEGIN { printf "%.1f", (a + b) / 2 }')
        r=$(ratio "${rps:-0}" "$sign")
        v=$(verdict "$r" ">=" 0.70)
        [ "${errs:-1}" != 0 ] && v="$v, ${errs:-?} errors"
        row "/token client_credentials RS256, req/s (p99 ${p99:-?} ms)" "${rps:-n/a}" "openssl speed -multi 2 rsa2048, sign/s" "$sign" "$r" ">= 0.70" "$v"
        jrps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<< "$jw")
        jp99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<< "$jw")
        r=$(ratio "${jrps:-0}" "${rps:-0}")
        row "/jwks (cached bytes), req/s (p99 ${jp99:-?} ms)" "${jrps:-n/a}" "/token req/s (above)" "${rps:-n/a}" "$r" "—" "report"
    else
        na "/token req/s" "openssl speed" ">= 0.70" "tokenlab serve did not start: $(head -c 200 "$work/serve.out")"
    fi
    kill "$server_pid" 2> /dev/null
    wait "$server_pid" 2> /dev/null
    server_pid=""
else
    na "/token req/s" "openssl speed -multi 2 rsa2048" ">= 0.70" "$BUILD/bench_server not built"
fi

# --- 4-6. The TUI in script mode ------------------------------------------------------------
tui_env=(TOKENLAB_DATA="$SRC" XDG_STATE_HOME="$work/state" XDG_DATA_HOME="$work/data" TZ=UTC
    LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color NO_COLOR=1)
tui_run() { # tui_run SCRIPT -> stderr of the run in $work/tui.err
    env "${tui_env[@]}" TOKENLAB_TIMING=1 TOKENLAB_SCRIPT="$1" "$TL" > /dev/null 2> "$work/tui.err"
}
printf ':resize 120 36\nq\n' > "$work/start.script"

step "TUI start-up to first frame"
ff=()
for _ in 1 2 3 4 5 6 7 8 9; do
    tui_run "$work/start.script"
    v=$(sed -n 's/^timing: first frame \([0-9.]*\) ms.*/\1/p' "$work/tui.err")
    [ -n "$v" ] && ff+=("$v")
done
if [ ${#ff[@]} -gt 0 ]; then
    first=$(printf '%s\n' "${ff[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    noop=""
    if command -v hyperfine > /dev/null; then
        hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/noop.json" "$TL --version" > /dev/null 2>&1
        noop=$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["mean"]*1000))' "$work/noop.json" 2> /dev/null)
    fi
    r=$(ratio "$first" "${noop:-0}")
    row "TUI start-up to first frame, ms (median of ${#ff[@]})" "$first" "\`tokenlab --version\` process, ms" "${noop:-n/a}" "$r" "< 100 ms" "$(verdict "$first" "<" 100)"
else
    na "TUI start-up to first frame" "tokenlab --version" "< 100 ms" "no 'timing: first frame' line: $(head -c 200 "$work/tui.err")"
fi

step "decoder latency per keystroke, 4 KiB token ($KEYS keystrokes, each handled and drawn)"
pad=$(head -c 2980 /dev/zero | tr '\0' 'x')
"$TL" mint --alg HS256 --secret 'bench-secret-0123456789abcdef-0123' --sub alice --claim "pad=$pad" > "$work/4k.jwt" 2> /dev/null
tok4k=$(tr -d '\n' < "$work/4k.jwt")
if [ ${#tok4k} -lt 3000 ]; then
    na "decoder keystroke, 4 KiB token" "bench_decode" "< 16.7 ms" "could not mint the 4 KiB token"
else
    {
        echo ":resize 120 36"
        echo "d"
        # The last KEYS characters are typed one per line (each is a keystroke and a redraw); the
        # rest is pasted first, so every measured keystroke works on a token of ~4 KiB.
        keep=$((${#tok4k} - KEYS))
        ((keep < 0)) && keep=0
        [ "$keep" -gt 0 ] && echo ":paste ${tok4k:0:keep}"
        for ((i = keep; i < ${#tok4k}; i++)); do echo ":type ${tok4k:i:1}"; done
        echo "q"
    } > "$work/keys.script"
    tui_run "$work/keys.script"
    read -r mean p99 n < <(grep -E '^timing: .*\(:type .\) [0-9.]+ ms' "$work/tui.err" |
        sed 's/.* \([0-9.]*\) ms$/\1/' | sort -n |
        awk '{a[NR]=$1; s+=$1} END { k = int(NR * 0.99); if (k < 1) k = 1; if (NR) printf "%.3f %.3f %d\n", s/NR, a[k], NR }')
    base_us=""
    [ -x "$BUILD/bench_decode" ] && base_us=$("$BUILD/bench_decode" --seconds 1 < "$work/4k.jwt" | sed -n 's/^decode_us=\([0-9.]*\).*/\1/p')
    if [ -n "${mean:-}" ]; then
        base_ms=$(awk -v u="${base_us:-0}" 'BEGIN { printf "%.3f", u / 1000 }')
        r=$(ratio "$mean" "$base_ms")
        row "decoder keystroke on a ${#tok4k}-byte token, ms (mean of $n; p99 $p99)" "$mean" "bench_decode: parse + warnings + pretty JSON, ms" "${base_us:+$base_ms}" "$r" "< 16.7 ms" "$(verdict "$p99" "<" 16.7)"
    else
        na "decoder keystroke, 4 KiB token" "bench_decode" "< 16.7 ms" "no per-line timings: $(head -c 200 "$work/tui.err")"
    fi
fi

step "peak RSS: TUI with the embedded server vs tokenlab serve"
peak_rss() { # peak_rss CMD... -> KiB (max RSS of the child)
    python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
{
    echo ":resize 120 36"
    echo ":wait-idle"
    echo "d"
    echo ":paste $tok4k"
    echo "<Enter>"
    echo "t"
    echo "f"
    echo ":wait-idle"
    echo "q"
} > "$work/rss.script"
tui_rss=$(peak_rss env "${tui_env[@]}" TOKENLAB_SCRIPT="$work/rss.script" "$TL")
srv_rss=$(peak_rss timeout -s INT 2 "$TL" serve --quiet --listen 127.0.0.1:0)
if [ -n "$tui_rss" ] && [ -n "$srv_rss" ]; then
    r=$(ratio "$tui_rss" "$srv_rss")
    row "TUI + embedded server, peak RSS KiB (scripted session)" "$tui_rss" "\`tokenlab serve\` alone, peak RSS KiB" "$srv_rss" "$r" "—" "report"
else
    na "TUI peak RSS" "tokenlab serve" "—" "could not measure"
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "Machine: $machine; load average $load_before before, $load_after after; $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "| measure | tokenlab | baseline (same run) | baseline | ratio | target | verdict |"
    echo "|---|---:|---|---:|---:|---|---|"
    printf '%s\n' "${rows[@]}"
} > "$work/table.md"
cat "$work/table.md"
[ -n "${BENCH_MD:-}" ] && cp "$work/table.md" "$BENCH_MD"
exit 0
