#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Against a remote server (`tokenlab serve` in another process, --server URL): the status dot says
# up, a lesson step goes over HTTP to it, the server's view arrives through /lab/events (SSE) into
# the trace, and when the server dies the dot turns to down; when it is back, up again.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
fails=0
start_server() { # start_server LISTEN: sets SERVER_PID and PORT
    "$TOKENLAB" serve --listen "$1" --lab-key test-lab-key >"$WORK/serve.log" 2>&1 &
    SERVER_PID=$!
    for ((i = 0; i < 300; i++)); do
        PORT=$(sed -n 's|^tokenlab server listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/serve.log")
        [ -n "$PORT" ] && return 0
        sleep 0.1
    done
    echo "FAIL: tokenlab serve did not start:"
    cat "$WORK/serve.log"
    exit 1
}
start_server 127.0.0.1:0
# The script waits for what it must see (:wait-for), never for a time: up, then down once the
# test has killed the server, then up again once the test has restarted it on the same port.
cat >"$WORK/s" <<SCRIPT
:resize 100 40
:wait-idle
:wait-for 127.0.0.1:$PORT up
<Enter>
:wait-idle
t
:wait-for server issued /login
:save-screen $WORK/1-up.txt
:wait-for 127.0.0.1:$PORT down
:save-screen $WORK/2-down.txt
:wait-for 127.0.0.1:$PORT up
:save-screen $WORK/3-back.txt
SCRIPT
tl_run_script "$WORK/s" "$WORK/state" "" --server "http://127.0.0.1:$PORT" --lab-key test-lab-key \
    2>"$WORK/err" &
TUI=$!
# wait_file FILE: until the TUI has saved that screen (or has exited)
wait_file() {
    for ((i = 0; i < 600; i++)); do
        [ -s "$1" ] && return 0
        kill -0 "$TUI" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
# once the TUI has logged in through the remote server and saved that screen, the server dies;
# once it has seen that, the server comes back on the same port
wait_file "$WORK/1-up.txt"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
wait_file "$WORK/2-down.txt"
start_server "127.0.0.1:$PORT"
if ! wait "$TUI"; then
    cat "$WORK/err"
    echo "FAIL: tokenlab exited with an error"
    exit 1
fi
check "$WORK/1-up.txt" "127.0.0.1:$PORT up"
check "$WORK/1-up.txt" "→ POST   /login                       200"
check "$WORK/1-up.txt" "• server issued /login: login JWT issued for alice@example.com"
check "$WORK/2-down.txt" "127.0.0.1:$PORT down"
check "$WORK/3-back.txt" "127.0.0.1:$PORT up"
[ "$fails" = 0 ] && echo "ok: remote server: up, SSE server view, down when it dies, up when back"
exit $((fails > 0))
