#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden screens in script mode: every pane at 120x36 and 80x24, each theme, ASCII, help and the
# too-small screen. TOKENLAB_UPDATE_GOLDEN=1 rewrites tests/tui/golden/*.txt (review the diff!).
set -u
. "$(dirname "$0")/lib.sh"
GOLDEN="$TL_DIR/golden"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# name | WxH | theme ("" = default, mono under NO_COLOR) | extra args | keys separated by ';'
CASES=(
    "lesson-120x36|120 36|||"
    "decoder-120x36|120 36|||d;:paste $TL_TOKEN;<Enter>"
    "decoder-key-120x36|120 36|||d;:paste $TL_TOKEN;<Enter>;K;:type $TL_SECRET;<Enter>"
    "decoder-tampered-120x36|120 36|||d;:paste $TL_TOKEN;<Enter>;K;:type $TL_SECRET;<Enter>;P;<C-u>;:type {\"sub\":\"admin\",\"exp\":1764340600};<Enter>"
    "decoder-expired-120x36|120 36|dark||d;:paste $TL_TOKEN;<Enter>;:advance 700;<Down>;<Down>;<Down>;<Down>;<Down>;<Down>;<Down>;<Down>"
    "trace-120x36|120 36|||t"
    "flow-120x36|120 36|||f;n;n"
    "help-120x36|120 36|||?"
    "lesson-80x24|80 24|||"
    "decoder-80x24|80 24|||d;:paste $TL_TOKEN;<Enter>"
    "trace-80x24|80 24|||t"
    "flow-80x24|80 24|||f;n"
    "help-80x24|80 24|||?"
    "flow-100x30|100 30|||f;n"
    "trace-100x30|100 30|||<Enter>;:wait-idle;t"
    "trace-step-80x24|80 24|||<Enter>;:wait-idle;t"
    "flow-pkce-80x24|80 24|||f;<Down>"
    "flow-pkce-100x30|100 30|||f;<Down>"
    "flow-pkce-120x36|120 36|||f;<Down>"
    "too-small-79x24|79 24|||"
    "too-small-40x10|40 10|||"
    "theme-dark-120x36|120 36|dark||d;:paste $TL_TOKEN;<Enter>"
    "theme-light-120x36|120 36|light||d;:paste $TL_TOKEN;<Enter>"
    "theme-high-contrast-120x36|120 36|high-contrast||d;:paste $TL_TOKEN;<Enter>"
    "theme-mono-120x36|120 36|mono||d;:paste $TL_TOKEN;<Enter>"
    "ascii-120x36|120 36||--ascii|d;:paste $TL_TOKEN;<Enter>"
    "resize-back-120x36|120 36|||d;:paste $TL_TOKEN;<Enter>;:resize 40 10;:resize 80 24;:resize 120 36"
)

fail=0
n=0
for c in "${CASES[@]}"; do
    IFS='|' read -r name size theme args keys <<<"$c"
    n=$((n + 1))
    script="$WORK/$name.script"
    out="$WORK/$name.txt"
    state="$WORK/state-$name"
    mkdir -p "$state"
    {
        echo ":resize $size"
        echo ":wait-idle"
        IFS=';' read -r -a ks <<<"$keys"
        for k in "${ks[@]}"; do [ -n "$k" ] && printf '%s\n' "$k"; done
        echo ":wait-idle"
        echo ":save-screen $out"
    } >"$script"
    targs=()
    colour=""
    if [ -n "$theme" ]; then
        targs+=(--theme "$theme")
        [ "$theme" != mono ] && colour=colour
    fi
    # shellcheck disable=SC2206
    [ -n "$args" ] && targs+=($args)
    if ! tl_run_script "$script" "$state" "$colour" "${targs[@]}" 2>"$WORK/$name.err"; then
        echo "FAIL $name: tokenlab exited with an error:"
        cat "$WORK/$name.err"
        fail=1
        continue
    fi
    if [ ! -s "$out" ]; then
        echo "FAIL $name: no screen saved"
        fail=1
        continue
    fi
    # the trace shows the newest exchange, with the server's real Date header: same width, no time
    sed -E -i 's/Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT/Date: ###, ## ### #### ##:##:## GMT/' "$out"
    if [ "${TOKENLAB_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$out" "$GOLDEN/$name.txt"
        echo "updated $name"
    elif [ ! -f "$GOLDEN/$name.txt" ]; then
        echo "FAIL $name: no golden file $GOLDEN/$name.txt (run with TOKENLAB_UPDATE_GOLDEN=1)"
        fail=1
    elif ! diff -u "$GOLDEN/$name.txt" "$out"; then
        echo "FAIL $name: screen differs from golden/$name.txt"
        fail=1
    fi
done
echo "$n golden screens checked"
exit $fail
