#!/bin/sh
# SPDX-License-Identifier: MIT
# Every tracked source file states its licence in its first lines (https://spdx.dev):
#   .c .h                  /* SPDX-License-Identifier: MIT */   (line 1)
#   .sh .py .cmake, CMakeLists.txt
#                          # SPDX-License-Identifier: MIT       (line 1, or line 2 after a #!)
# usage: scripts/spdx.sh           add the line to every tracked file that lacks it
#        scripts/spdx.sh --check   list those files; exit 1 if there are any (the test runs this)
# Run it again after adding files; files already carrying an SPDX line are left alone.
set -eu
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = --check ] && check=1
missing=0
files=$(git ls-files '*.c' '*.h' '*.sh' '*.py' '*.cmake' 'CMakeLists.txt' '*/CMakeLists.txt')
for f in $files; do
    [ -f "$f" ] || continue
    head -n 3 "$f" | grep -q 'SPDX-License-Identifier:' && continue
    missing=$((missing + 1))
    if [ $check = 1 ]; then
        echo "$f: no SPDX-License-Identifier line (run scripts/spdx.sh)"
        continue
    fi
    case "$f" in
    *.c | *.h) line='/* SPDX-License-Identifier: MIT */' ;;
    *) line='# SPDX-License-Identifier: MIT' ;;
    esac
    tmp="$f.spdx.tmp"
    if head -n 1 "$f" | grep -q '^#!'; then
        { head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$tmp"
    else
        { echo "$line"; cat "$f"; } >"$tmp"
    fi
    chmod --reference="$f" "$tmp" 2>/dev/null || true
    mv "$tmp" "$f"
    echo "spdx: $f"
done
if [ $check = 1 ] && [ $missing -gt 0 ]; then
    echo "$missing file(s) without an SPDX-License-Identifier line" >&2
    exit 1
fi
exit 0
