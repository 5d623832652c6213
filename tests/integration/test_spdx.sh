#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every tracked .c/.h/.sh/.py/.cmake file (and CMakeLists.txt) names its licence with an SPDX
# line (scripts/spdx.sh --check; `scripts/spdx.sh` adds the missing ones). Also: the LICENSE is
# MIT, the identifier every file uses.
set -euo pipefail
: "${TOKENLAB_SOURCE_DIR:?}"
command -v git >/dev/null || { echo "SKIP: git not installed"; exit 77; }
git -C "$TOKENLAB_SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIP: not a git checkout"; exit 77; }
head -n 1 "$TOKENLAB_SOURCE_DIR/LICENSE" | grep -qx "MIT License" || { echo "FAIL: LICENSE is not MIT"; exit 1; }
sh "$TOKENLAB_SOURCE_DIR/scripts/spdx.sh" --check
# Nothing but MIT is declared (a file under another licence must be listed in docs/licenses.md).
others=$(cd "$TOKENLAB_SOURCE_DIR" && git ls-files '*.c' '*.h' '*.sh' '*.py' '*.cmake' |
    while read -r f; do [ -f "$f" ] && head -n 3 "$f"; done |
    grep -o 'SPDX-License-Identifier: [A-Za-z0-9.+-]*' | sort -u | grep -v ': MIT$' || true)
[ -z "$others" ] || { echo "FAIL: other licences declared: $others"; exit 1; }
echo "ok: every source file carries SPDX-License-Identifier: MIT"
