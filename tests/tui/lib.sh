# SPDX-License-Identifier: MIT
# Shared by the TUI tests: a known-answer token and a runner for script mode.
# The token is HS256 over {"sub":"alice@example.com",…,"iat":1764339700,"exp":1764340600} with the
# secret below (computed independently with Python's hmac); TL_FAKE_TIME is 5 minutes after iat.
TL_TOKEN='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZUBleGFtcGxlLmNvbSIsImlzcyI6Imh0dHA6Ly8xMjcuMC4wLjE6ODkxMCIsImF1ZCI6InRva2VubGFiLWNsaSIsImlhdCI6MTc2NDMzOTcwMCwiZXhwIjoxNzY0MzQwNjAwLCJzY29wZSI6Im9wZW5pZCBub3RlczpyZWFkIiwianRpIjoiZGVtby0xIn0.T-QGc5TDOoGkSQjhPWT-D1jVOm7AkAGijhW_FWyzFtw'
TL_SECRET='tokenlab-demo-secret-with-32-bytes!'
TL_FAKE_TIME=1764340000
TL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TL_FIXTURE_DATA="$TL_DIR/fixtures/data"

: "${TOKENLAB:?TOKENLAB must point to the tokenlab binary (ctest sets it)}"

# In an ASan build, LeakSanitizer would report the one block ncurses' panel library never frees
# (its stdscr pseudo-panel); suppress exactly that, nothing of ours (see lsan.supp).
export LSAN_OPTIONS="suppressions=$TL_DIR/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

. "${TOKENLAB_SOURCE_DIR:?}/tests/closed_port.sh" # hold_closed_port: a port that refuses

# tl_run_script SCRIPT_FILE STATE_DIR [colour] [tokenlab args…]
# Runs the TUI headless on the script with a fixed clock, UTC, a UTF-8 locale and the fixture
# lessons. "colour" as third argument drops NO_COLOR so the colour themes apply.
tl_run_script() {
    local script="$1" state="$2" colour="$3"
    shift 3
    local envs=(TOKENLAB_SCRIPT="$script" TOKENLAB_FAKE_TIME="$TL_FAKE_TIME" TZ=UTC LANG=C.UTF-8
        LC_ALL=C.UTF-8 TOKENLAB_DATA="$TL_FIXTURE_DATA" XDG_STATE_HOME="$state"
        XDG_DATA_HOME="$state/data" TERM=xterm-256color)
    if [ "$colour" = colour ]; then
        env -u NO_COLOR "${envs[@]}" "$TOKENLAB" "$@"
    else
        env NO_COLOR=1 "${envs[@]}" "$TOKENLAB" "$@"
    fi
}

# check FILE TEXT / check_not FILE TEXT: the screen dump FILE shows (does not show) TEXT; a miss
# is printed and counted in $fails, which the test sets to 0 and reports at its end.
check() {
    if ! grep -qF -- "$2" "$1"; then
        echo "FAIL: $(basename "$1") does not show: $2"
        fails=$((fails + 1))
    fi
}
check_not() {
    if grep -qF -- "$2" "$1"; then
        echo "FAIL: $(basename "$1") shows: $2"
        fails=$((fails + 1))
    fi
}
