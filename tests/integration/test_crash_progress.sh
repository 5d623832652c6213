#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
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
SLEEP_MAX_MS="${SLEEP_MAX_MS:-20}"
SEED="${SEED:-$(( $(date +%s) % 32768 ))}"
RANDOM=$SEED
echo "seed $SEED (SEED=$SEED replays the same kill moments)"
start=$SECONDS
killed_mid=0
killed_in_write=0
for ((round = 1; round <= ROUNDS; round++)); do
    if ((SECONDS - start > BUDGET)); then
        echo "time budget of ${BUDGET}s reached after $((round - 1)) rounds"
        break
    fi
    : > "$work/out"
    "$DRIVER" write "$file" > "$work/out" 2> "$work/err" &
    pid=$!
    # Wait until the writer is in its loop (it prints "start N" first): waiting for readiness,
    # not for time. Then a random moment 0–SLEEP_MAX_MS ms into the writes: a write (fsync +
    # rename) takes milliseconds, so most kills land inside one.
    for ((w = 0; w < 2000; w++)); do
        grep -q '^start ' "$work/out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.005
    done
    grep -q '^start ' "$work/out" || fail "the writer never started: $(cat "$work/err")"
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
    # A kill between the temp file's creation and the rename leaves it behind: that is allowed
    # (the progress file itself is what must be whole), and it proves the kill landed inside a
    # write. Count them, then clear them so they do not pile up.
    if compgen -G "$work/progress.json.tmp.*" > /dev/null; then
        killed_in_write=$((killed_in_write + 1))
        rm -f "$work"/progress.json.tmp.*
    fi
    acked=$got
done
echo "ok: $((round - 1)) kill -9 rounds, the file was always a whole version (last item-$acked; $killed_in_write kills landed inside a write, $killed_mid after the write but before it was acknowledged)"
# The test proves nothing unless kills land inside writes (between the temp file and the rename).
if ((killed_in_write < 5)); then
    echo "FAIL: only $killed_in_write of $((round - 1)) kills landed inside a write; the test did not test (seed $SEED)"
    exit 1
fi
exit 0
