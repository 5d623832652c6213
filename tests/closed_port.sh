# SPDX-License-Identifier: MIT
# hold_closed_port: sets CLOSED_PORT to a port on 127.0.0.1 that refuses connections until this
# test's shell exits (tests/closed_port.py holds it bound, never listening). Sourced by
# tests/integration/cli_lib.sh and tests/tui/lib.sh; not a test itself.
hold_closed_port() {
    local f i
    f=$(mktemp)
    /usr/bin/python3 "${TOKENLAB_SOURCE_DIR:?}/tests/closed_port.py" > "$f" 2> /dev/null &
    for ((i = 0; i < 1000; i++)); do
        [ -s "$f" ] && break
        sleep 0.01
    done
    CLOSED_PORT=$(cat "$f")
    rm -f "$f"
    [ -n "$CLOSED_PORT" ] || { echo "FAIL: tests/closed_port.py gave no port"; exit 1; }
}
