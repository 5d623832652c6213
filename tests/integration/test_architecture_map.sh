#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/architecture.md is the contributor's map: every module in src/ (every header) has its line
# there, as `layer/name` in backticks, and every `layer/name` row of its module tables is a module
# that exists. A new module without a line, or a line left behind by a removed one, fails here.
set -u
ROOT="${TOKENLAB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
MAP="$ROOT/docs/architecture.md"
[ -f "$MAP" ] || {
    echo "FAIL: $MAP is missing"
    exit 1
}
fails=0
cd "$ROOT/src" || exit 1
for h in */*.h; do
    m="${h%.h}"
    if ! grep -qF "\`$m\`" "$MAP"; then
        echo "FAIL: src/$h has no line in docs/architecture.md (add \"| \`$m\` | its header's first sentence |\")"
        fails=$((fails + 1))
    fi
done
# rows of the module tables: | `layer/name` | …
while IFS= read -r m; do
    if [ ! -f "$m.h" ]; then
        echo "FAIL: docs/architecture.md names \`$m\`, but src/$m.h does not exist"
        fails=$((fails + 1))
    fi
done < <(sed -n 's/^| `\([a-z_]*\/[a-z0-9_]*\)` |.*/\1/p' "$MAP")
# the layers the build enforces (CMakeLists.txt tl_layer_includes) are the layers of the map
for d in */; do
    d="${d%/}"
    grep -qF "### $d/" "$MAP" || {
        echo "FAIL: src/$d/ has no section in docs/architecture.md"
        fails=$((fails + 1))
    }
    grep -q "tl_layer_includes(tl_[a-z_]* .*\b$d\b" "$ROOT/CMakeLists.txt" || {
        echo "FAIL: src/$d/ has no include folder in CMakeLists.txt (tl_layer_includes)"
        fails=$((fails + 1))
    }
done
[ "$fails" -eq 0 ] || exit 1
n=$(ls */*.h | wc -l)
echo "ok: the $n modules of src/ are on the map, and the map names no other"
