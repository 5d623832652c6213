#!/usr/bin/env bash
# Crash safety of the progress file (issue 7): kill -9 a process that rewrites it through the progress
# API at random moments, a few hundred times. After every kill the file must open cleanly (never
# "moved aside as corrupt") and hold either the last version the writer acknowledged or the one it
# was writing — never a mix, never nothing.
#
# The writer is tests/bench/bench_progress.c ("write" mode); ROUNDS (default 300) and a 60 s budget
# bound the run.
set -u
: "${TOKENLAB_BUILD_DIR:?run through ctest}"
DRIVER="$TOKENLAB_BUILD_DIR/bench_progress"
ROUNDS="${ROUNDS:-300}"
BUDGET="${BUDGET:-60}"
if [ ! -x "$DRIVER" ]; then
    echo "FAIL: $DRIVER is missing (it is built with the tree: tests/bench/bench_progress.c)"
    exit 1
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/tokenlab-crash.XXXXXX")"
trap 'rm -rf "$work"' EXIT
file="$work/progress.json"

fail() {
    echo "FAIL (round $round): $*"
    echo "--- writer output (tail):"; tail -n 5 "$work/out" 2>/dev/null
    echo "--- file:"; head -c 600 "$file" 2>/dev/null; echo
    cp "$file" "$work/../tokenlab-crash-progress-failed.json" 2>/dev/null
    exit 1
}

# Set-up outside the kill loop: create the file and pad it (200 completed steps, several KiB), so
# every killed write below is a whole-file rewrite whose only change is the current item.
"$DRIVER" bench "$file" 1 > /dev/null || { echo "FAIL: cannot create the progress file"; exit 1; }
acked=$("$DRIVER" check "$file") || { echo "FAIL: the fresh progress file does not open"; exit 1; }
SLEEP_MAX_MS="${SLEEP_MAX_MS:-40}"
start=$SECONDS
killed_mid=0
for ((round = 1; round <= ROUNDS; round++)); do
    if ((SECONDS - start > BUDGET)); then
        echo "time budget of ${BUDGET}s reached after $((round - 1)) rounds"
        break
    fi
    : > "$work/out"
    "$DRIVER" write "$file" > "$work/out" 2> "$work/err" &
    pid=$!
    # A random moment 0–SLEEP_MAX_MS ms after start: a write (fsync + rename) takes milliseconds,
    # so many kills land inside one.
    sleep "$(printf '0.%03d' $((RANDOM % SLEEP_MAX_MS)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
    if ((status != 137)) && ((status != 0)); then
        fail "the writer exited with status $status before it was killed: $(cat "$work/err")"
    fi
    last=$(grep -E '^[0-9]+$' "$work/out" | tail -n 1)
    first=$(sed -n 's/^start \([0-9]*\)$/\1/p' "$work/out")
    if [ -n "$last" ]; then acked=$last; elif [ -n "$first" ]; then acked=$first; fi
    [ -e "$file" ] || fail "the progress file disappeared"
    got=$("$DRIVER" check "$file" 2> "$work/cerr") || fail "the file does not open cleanly: $(cat "$work/cerr")"
    if ((got != acked && got != acked + 1)); then
        fail "file holds item-$got, but the writer had acknowledged item-$acked (expected $acked or $((acked + 1)))"
    fi
    ((got == acked + 1)) && killed_mid=$((killed_mid + 1))
    # A kill between write and rename may leave the writer's temp file: that is allowed, the
    # progress file itself is what must be whole. Clear them so they do not pile up.
    rm -f "$work"/progress.json.tmp.* 2>/dev/null
    acked=$got
done
echo "ok: $((round - 1)) kill -9 rounds, the file was always a whole version (last item-$acked; $killed_mid kills landed after the write but before it was acknowledged)"
exit 0
