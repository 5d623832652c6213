#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make dist` (scripts/dist.sh): the tarball of HEAD is reproducible (two runs a second apart give
# the same bytes), is named after scripts/version.sh, and carries that version in a VERSION file
# that version.sh reads back outside git.
set -euo pipefail
: "${TOKENLAB_SOURCE_DIR:?}"
command -v git >/dev/null || { echo "SKIP: git not installed"; exit 77; }
git -C "$TOKENLAB_SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIP: not a git checkout"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
source "$TOKENLAB_SOURCE_DIR/tests/integration/cli_lib.sh"

run 0 sh "$TOKENLAB_SOURCE_DIR/scripts/dist.sh" "$W/a"
a=$(tail -1 "$W/out")
sleep 1
run 0 sh "$TOKENLAB_SOURCE_DIR/scripts/dist.sh" "$W/b"
b=$(tail -1 "$W/out")
[ "$(basename "$a")" = "$(basename "$b")" ] || fail "names differ: $a $b"
cmp "$a" "$b" || fail "two runs of make dist gave different bytes"
v=$(sh "$TOKENLAB_SOURCE_DIR/scripts/version.sh")
v=${v%.dirty}
[ "$(basename "$a")" = "tokenlab-$v.tar.gz" ] || fail "tarball $(basename "$a") is not named tokenlab-$v.tar.gz"
tar -xzf "$a" -C "$W"
[ -f "$W/tokenlab-$v/LICENSE" ] || fail "no LICENSE in the tarball"
[ "$(sh "$W/tokenlab-$v/scripts/version.sh")" = "$v" ] || fail "version.sh in the unpacked tarball does not say $v"
# Owner and times are fixed, whatever the machine.
tar -tvzf "$a" | awk '{print $2}' | sort -u >"$W/owners"
[ "$(cat "$W/owners")" = "0/0" ] || fail "owners are not 0/0: $(cat "$W/owners")"
echo "ok: $(basename "$a") reproducible"
