#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A FIFO named *.md in a lessons folder (issue 12): lessons check must not wait for a writer that
# never comes; it names the file and says why, and checks the other lessons.
set -euo pipefail
TL=${TOKENLAB:?TOKENLAB must point at the tokenlab binary}
SRC=${TOKENLAB_SOURCE_DIR:?}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir "$W/lessons"
cp "$SRC/lessons/01-api-auth.md" "$W/lessons/"
mkfifo "$W/lessons/02-trap.md"
set +e
timeout 20 "$TL" lessons check "$W/lessons" >"$W/out" 2>&1
rc=$?
set -e
[ "$rc" != 124 ] || { echo "FAIL: lessons check hung on a FIFO"; exit 1; }
[ "$rc" = 1 ] || { echo "FAIL: exit $rc, wanted 1"; cat "$W/out"; exit 1; }
grep -q "02-trap.md.*is not a regular file" "$W/out" || { echo "FAIL: no reason given"; cat "$W/out"; exit 1; }
grep -q "api-auth" "$W/out" || { echo "FAIL: the other lesson was not checked"; cat "$W/out"; exit 1; }
echo ok
