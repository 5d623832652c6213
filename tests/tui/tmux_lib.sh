# SPDX-License-Identifier: MIT
# Helpers for the tmux end-to-end tests. Source after lib.sh. Sourcing it skips the test (77)
# when tmux is missing, and sets SOCK (a private tmux -L socket), WORK (a temporary directory), T
# (the target pane) and an exit trap that stops the tmux server, every process in BG_PIDS and
# removes WORK.
if ! command -v tmux >/dev/null; then
    echo "tmux is not installed (make deps installs it)"
    exit 77
fi
SOCK="tokenlab-$(basename "$0" .sh)-$$"
WORK="$(mktemp -d)"
T="tl:0"
BG_PIDS=()
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null
    local p
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# fail MESSAGE: print it and the screen, end the test.
fail() {
    echo "FAIL: $*"
    echo "---- screen ----"
    tmux -L "$SOCK" capture-pane -p -t "$T" 2>/dev/null
    exit 1
}
screen() { tmux -L "$SOCK" capture-pane -p -t "$T"; }
# wait_for TEXT [seconds]: until the screen shows TEXT (fixed string)
wait_for() {
    local i
    for ((i = 0; i < ${2:-10} * 10; i++)); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    fail "did not see '$1'"
}
# wait_gone TEXT [seconds]: until the screen no longer shows TEXT
wait_gone() {
    local i
    for ((i = 0; i < ${2:-10} * 10; i++)); do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1
    done
    fail "'$1' did not go away"
}
keys() { tmux -L "$SOCK" send-keys -t "$T" "$@"; }
text() { tmux -L "$SOCK" send-keys -t "$T" -l -- "$1"; }

# The fixture environment of the TUI tests: fixed clock, fixture lessons, state under $WORK.
TMUX_FIXTURE_ENV="TOKENLAB_FAKE_TIME=$TL_FAKE_TIME TOKENLAB_DATA='$TL_FIXTURE_DATA' \
XDG_STATE_HOME='$WORK/state' XDG_DATA_HOME='$WORK/data'"

# tmux_start "VAR=value …" [tokenlab args…]: runs $TOKENLAB in a detached 120x36 tmux session (a
# fixed size: window-size manual) with a UTF-8 locale, UTC, the sanitizer options and the given
# environment; its stderr goes to $WORK/stderr and its exit status to $WORK/rc.
tmux_start() {
    local envs="$1" args="" a
    shift
    for a in "$@"; do args+=" $(printf '%q' "$a")"; done
    cat >"$WORK/run.sh" <<RUN
#!/usr/bin/env bash
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $envs
export LSAN_OPTIONS='$LSAN_OPTIONS' ASAN_OPTIONS='${ASAN_OPTIONS:-}'
$(printf '%q' "$TOKENLAB")$args 2>'$WORK/stderr'
echo \$? >'$WORK/rc'
RUN
    chmod +x "$WORK/run.sh"
    tmux -L "$SOCK" -f /dev/null new-session -d -s tl -x 120 -y 36 "$WORK/run.sh" ||
        fail "tmux did not start"
    tmux -L "$SOCK" set-option -t tl -g window-size manual >/dev/null 2>&1
}
