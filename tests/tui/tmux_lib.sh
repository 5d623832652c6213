# Helpers for the tmux end-to-end tests. Source after setting SOCK (the tmux -L socket name) and T
# (the target pane, e.g. "tl:0").

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
