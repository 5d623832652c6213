#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing crashes, ever: a server that is down, a 1 MiB paste, tiny terminals (down to 1x1),
# random bytes as keys and as a token, and a script with a bad line (exit 2, with the line).
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fails=0
run() { # run NAME [args]: script $WORK/NAME.s must exit 0
    local name="$1"
    shift
    if ! tl_run_script "$WORK/$name.s" "$WORK/state-$name" "" "$@" 2>"$WORK/$name.err"; then
        echo "FAIL: $name: tokenlab exited with status $?"
        cat "$WORK/$name.err"
        fails=$((fails + 1))
    fi
}

# 1. a remote server that is down (port 9 on loopback refuses): the TUI still works, says why
cat >"$WORK/down.s" <<SCRIPT
:resize 120 36
:wait-idle
:save-screen $WORK/down-1.txt
<Enter>
:wait-idle
t
<Up>
:save-screen $WORK/down-2.txt
d
:paste $TL_TOKEN
<Enter>
:save-screen $WORK/down-3.txt
SCRIPT
hold_closed_port
run down --server "http://127.0.0.1:$CLOSED_PORT"
check "$WORK/down-1.txt" "127.0.0.1:$CLOSED_PORT down"
check "$WORK/down-1.txt" "→ GET    /jwks                        failed"
check "$WORK/down-2.txt" "connection refused"
check "$WORK/down-3.txt" '"sub": "alice@example.com",'

# 2. a 1 MiB paste (bracketed paste), then typing on top of it
head -c 786432 /dev/urandom | base64 -w0 | tr '+/' '-_' | head -c 1048576 >"$WORK/big.txt"
cat >"$WORK/big.s" <<SCRIPT
:resize 120 36
d
:paste-file $WORK/big.txt
:save-screen $WORK/big-1.txt
<Enter>
<Home>
:save-screen $WORK/big-1b.txt
<End>
:save-screen $WORK/big-1c.txt
d
:paste $TL_TOKEN.$(head -c 2000 "$WORK/big.txt")
<Enter>
:save-screen $WORK/big-2.txt
SCRIPT
run big
check "$WORK/big-1.txt" "(1032192 more bytes not shown)"
check "$WORK/big-1b.txt" "Token pasted (1048576 bytes)"
check "$WORK/big-1c.txt" "(an unsigned token still ends with '.'"
check "$WORK/big-2.txt" "✗"

# 3. tiny terminals, each key on each, then back to normal
{
    echo ":resize 120 36"
    for size in "1 1" "2 1" "10 3" "79 23" "80 23" "79 24" "30 100" "300 2"; do
        echo ":resize $size"
        for k in "?" "<Tab>" "d" "x" "<Esc>" "t" "<Down>" "f" "n" "l" "<Enter>" "<Esc>"; do echo "$k"; done
        echo ":save-screen $WORK/tiny-${size/ /x}.txt"
    done
    echo ":resize 80 24"
    echo ":save-screen $WORK/tiny-back.txt"
} >"$WORK/tiny.s"
run tiny
check "$WORK/tiny-10x3.txt" "too small"
check "$WORK/tiny-79x24.txt" "terminal too small (need 80×24, have 79×24)"
check "$WORK/tiny-back.txt" " l Lesson   d Decoder   t Trace   f Flow"

# 4. random bytes as keys and as a token; the seed is printed (SEED=N replays the same input)
SEED="${SEED:-$(( $(date +%s) % 100000 ))}"
echo "random keys: seed $SEED"
{
    echo ":resize 100 30"
    echo "d"
    # (a fixed first letter: an empty field gives l, t, f, q and ? back to the panes)
    /usr/bin/python3 - "$SEED" <<'PY'
import random, string, sys
r = random.Random(int(sys.argv[1]))
printable = "".join(c for c in map(chr, range(32, 127)))
print(":type x" + "".join(r.choice(printable) for _ in range(2000)))
print("<Enter>")
keys = string.ascii_letters.replace("q", "") + string.digits + "?[] "  # no q: it would quit
for _ in range(200):
    print(r.choice(keys))
PY
    echo ":save-screen $WORK/random.txt"
} >"$WORK/random.s"
run random
[ -s "$WORK/random.txt" ] || { echo "FAIL: no screen after random keys"; fails=$((fails + 1)); }

# 5. a bad script line is an error with its line number, exit 2
printf ':resize 80 24\n<NoSuchKey>\n' >"$WORK/bad.s"
tl_run_script "$WORK/bad.s" "$WORK/state-bad" "" 2>"$WORK/bad.err"
rc=$?
if [ "$rc" != 2 ] || ! grep -qF "bad.s:2: unknown key '<NoSuchKey>'" "$WORK/bad.err"; then
    echo "FAIL: bad script line: status $rc, stderr: $(cat "$WORK/bad.err")"
    fails=$((fails + 1))
fi

[ "$fails" = 0 ] && echo "ok: server down, 1 MiB paste, tiny terminals, random input, bad script line"
exit $((fails > 0))
