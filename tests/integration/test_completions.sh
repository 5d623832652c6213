#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The completion scripts (`tokenlab completions bash|zsh|fish`, installed from
# $BUILD/completions), exercised by the shells themselves: bash through `complete -p` and its
# completion function with COMP_WORDS/COMP_CWORD set as readline sets them; fish through
# `complete -C` (its real completion engine); zsh interactively in tmux (type, press Tab, read
# the screen). Each checks commands, options, --alg values, lesson ids, lab switches and files.
set -euo pipefail
: "${TOKENLAB:?}" "${TOKENLAB_BUILD_DIR:?}" "${TOKENLAB_SOURCE_DIR:?}"
C="$TOKENLAB_BUILD_DIR/completions"
W=$(mktemp -d)
SOCK="tokenlab-completions-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$W"' EXIT
source "$TOKENLAB_SOURCE_DIR/tests/integration/cli_lib.sh"
mkdir -p "$W/bin" "$W/files"
ln -s "$TOKENLAB" "$W/bin/tokenlab"
touch "$W/files/key.pem" "$W/files/other.txt"
export PATH="$W/bin:$PATH"

# The installed files are exactly what the binary prints.
for sh in bash zsh fish; do
    f=$C/tokenlab; [ $sh = zsh ] && f=$C/_tokenlab; [ $sh = fish ] && f=$C/tokenlab.fish
    "$TOKENLAB" completions $sh | cmp - "$f" || fail "$f differs from tokenlab completions $sh"
done
run 2 "$TOKENLAB" completions tcsh
err_has "bash, zsh or fish"

# ---- bash
cat >"$W/bash.sh" <<EOS
source "$C/tokenlab"
complete -p tokenlab
t() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); COMPREPLY=(); _tokenlab; echo "[\$*] \${COMPREPLY[*]}"; }
t tokenlab ve
t tokenlab verify --alg ""
t tokenlab verify --alg = E
t tokenlab verify --ke
t tokenlab verify --key "$W/files/ke"
t tokenlab verify -k "$W/files/ot"
t tokenlab lessons ""
t tokenlab lessons reset jwt-an
t tokenlab serve --lab alg-n
t tokenlab help ver
t tokenlab --th
t tokenlab --theme h
EOS
run 0 bash --norc --noprofile "$W/bash.sh"
out_has "complete -F _tokenlab tokenlab"
out_has "[tokenlab ve] verify"
out_has "[tokenlab verify --alg ] HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
out_has "[tokenlab verify --alg = E] ES256 ES384 ES512 EdDSA"
out_has "[tokenlab verify --ke] --key"
out_has "[tokenlab verify --key $W/files/ke] $W/files/key.pem"
out_has "[tokenlab lessons ] list check reset"
out_has "[tokenlab lessons reset jwt-an] jwt-anatomy"
out_has "[tokenlab serve --lab alg-n] alg-none"
out_has "[tokenlab help ver] verify"
out_has "[tokenlab --th] --theme"
out_has "[tokenlab --theme h] high-contrast"

# ---- fish
if command -v fish >/dev/null; then
    run 0 fish --no-config -c "source $C/tokenlab.fish
        complete -C'tokenlab ver'; complete -C'tokenlab verify --alg E'; complete -C'tokenlab verify --alg=H'
        complete -C'tokenlab mint --ke'; complete -C'tokenlab verify --key $W/files/ke'
        complete -C'tokenlab present jwt-l'; complete -C'tokenlab serve --lab weak'"
    out_has "verify	verify a token's signature"
    out_has "EdDSA"
    out_has "--alg=HS384"
    out_has "--key"
    out_has "$W/files/key.pem"
    out_has "jwt-login	Logging in with a JWT"
    out_has "weak-secret"
else
    fail "fish is not installed (scripts/deps.sh test installs it): its completion not exercised"
fi

# ---- zsh, interactive in tmux: the real compsys, as a user gets it from fpath.
if command -v zsh >/dev/null && command -v tmux >/dev/null; then
    mkdir -p "$W/zfunc"
    cp "$C/_tokenlab" "$W/zfunc/"
    tmux -L "$SOCK" new-session -d -x 150 -y 30 \
        "env -i PATH='$PATH' HOME='$W' TERM=xterm-256color TOKENLAB_DATA='${TOKENLAB_DATA:-}' zsh -f"
    screen() { tmux -L "$SOCK" capture-pane -p; }
    wait_for() {
        local i
        for ((i = 0; i < 100; i++)); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
        screen >"$W/out"
        fail "zsh: did not see '$1'"
    }
    tmux -L "$SOCK" send-keys -l "PS1='%% '; fpath=($W/zfunc \$fpath); autoload -U compinit; compinit -u -D; echo READY"
    tmux -L "$SOCK" send-keys Enter
    wait_for READY
    z() { # TYPED WANT: type, Tab, wait for WANT on the screen, clear the line
        tmux -L "$SOCK" send-keys C-l
        tmux -L "$SOCK" send-keys -l "$1"
        tmux -L "$SOCK" send-keys Tab
        wait_for "$2"
        tmux -L "$SOCK" send-keys C-u
    }
    z "tokenlab verify --ke" "% tokenlab verify --key"
    z "tokenlab verify --alg E" "ES384"
    z "tokenlab verify --alg E" "EdDSA"
    z "tokenlab lessons reset jwt-a" "jwt-anatomy  -- Anatomy of a JWT"
    z "tokenlab serve --lab alg-c" "% tokenlab serve --lab alg-confusion"
    z "tokenlab verify --key $W/files/ke" "% tokenlab verify --key $W/files/key.pem"
    z "tokenlab dec" "% tokenlab decode"
else
    fail "zsh or tmux is not installed (scripts/deps.sh test installs them): zsh completion not exercised"
fi
echo "ok: completions for bash, fish and zsh"
