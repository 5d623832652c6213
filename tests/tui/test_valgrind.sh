#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A whole scripted session (lesson step over HTTP, decoder edits, key, tamper, re-sign, a console
# mint whose key follows the token through edits and history, a "Bearer" paste, trace, flow, help,
# lesson list, resizes) under valgrind (children traced: the front binary execs tokenlab-full): no
# invalid reads or writes, no leaks of ours.
# (valgrind.supp suppresses the single pseudo-panel ncurses' panel library never frees.)
# A sanitizer build does not register it (cmake/tests.cmake); the other scripted TUI tests run there.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/s" <<SCRIPT
:resize 120 36
:wait-idle
<Enter>
:wait-idle
d
:paste $TL_TOKEN
<Enter>
K
:type $TL_SECRET
<Enter>
P
<C-u>
:type {"sub":"admin"}
<Enter>
S
[
]
:
:type mint alg=HS256 secret=a-secret-for-the-valgrind-session-32 claims='{"sub":"v"}'
<Enter>
:wait-idle
<Esc>
d
P
<C-u>
:type {"sub":"w"}
<Enter>
[
[
:paste Bearer $TL_TOKEN
<Enter>
c
t
<Up>
r
o
<Enter>
f
n
p
?
<End>
<Esc>
l
<Down>
<Esc>
i
:resize 80 24
<Tab>
<Tab>
:resize 40 10
:resize 120 36
:save-screen $WORK/screen.txt
q
SCRIPT
envs=(TOKENLAB_SCRIPT="$WORK/s" TOKENLAB_FAKE_TIME="$TL_FAKE_TIME" TZ=UTC LANG=C.UTF-8
    LC_ALL=C.UTF-8 TOKENLAB_DATA="$TL_FIXTURE_DATA" XDG_STATE_HOME="$WORK/state"
    XDG_DATA_HOME="$WORK/data" NO_COLOR=1)
if nm "$TOKENLAB" 2>/dev/null | grep -q __asan_init; then
    echo "FAIL: $TOKENLAB is built with ASan; memcheck runs on the plain build (a SANITIZE=ON build does not register this test)"
    exit 1
fi
if ! command -v valgrind >/dev/null; then
    echo "FAIL: valgrind is not installed (scripts/deps.sh test installs it)"
    exit 1
fi
env "${envs[@]}" valgrind --quiet --trace-children=yes --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
    --show-leak-kinds=definite,indirect,possible --suppressions="$TL_DIR/valgrind.supp" \
    --error-exitcode=99 --num-callers=30 "$TOKENLAB" 2>"$WORK/log"
rc=$?
tool="valgrind"
if [ "$rc" != 0 ]; then
    cat "$WORK/log"
    echo "FAIL: the scripted session under $tool: status $rc"
    exit 1
fi
if ! grep -qF "HTTP trace" "$WORK/screen.txt"; then
    echo "FAIL: the session did not reach its last screen"
    exit 1
fi
echo "ok: scripted session clean under $tool"
