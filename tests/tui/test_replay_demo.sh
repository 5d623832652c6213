#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Recorded demos: present the fixture lesson live in script mode with --record (run the login step,
# go to the quiz, reveal the answer, go back, run the step's request again, forward again), then
# --replay the recording twice against fresh embedded servers. Both replays end on the same screen
# (text and attributes, byte for byte) and on the screen the live run ended on (the footer aside).
# Pause and speed keys work during a replay; --auto advances by itself; bad options and broken
# recordings fail with exit 2 / 3 and a file:line message.
set -u
. "$(dirname "$0")/lib.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fails=0
# the screen text without its last (footer) row, and without the attribute section
body() { sed -n '1,/^-- attributes/p' "$1" | sed '/^-- attributes/d' | sed '$d'; }

cat >"$WORK/live" <<SCRIPT
:resize 120 36
:wait-idle
<Space>
:wait-idle
<Space>
:wait-idle
a
<Left>
r
:wait-idle
<Right>
:wait-idle
:save-screen $WORK/live.txt
SCRIPT
tl_run_script "$WORK/live" "$WORK/st-live" x present demo-jwt-login --record "$WORK/demo.rec" ||
    { echo "FAIL: the live run exited $?"; exit 1; }
check "$WORK/live.txt" "2 / 2"
check "$WORK/live.txt" "(a reveals the answer)" # back on the quiz: hidden again
[ "$(grep -c '^[0-9.]* key ' "$WORK/demo.rec")" = 6 ] ||
    { echo "FAIL: the recording should hold 6 keys"; cat "$WORK/demo.rec"; fails=$((fails + 1)); }

for i in 1 2; do
    cat >"$WORK/replay$i" <<SCRIPT
:resize 120 36
:wait-idle
:wait-for replay finished (6 keys)
:wait-idle
:save-screen $WORK/replay$i.txt
SCRIPT
    # the presenter's state dir is not the live run's: a replay starts from a clean slate anyway
    tl_run_script "$WORK/replay$i" "$WORK/st-replay$i" x present --replay "$WORK/demo.rec" \
        --speed 8 --record "$WORK/again$i.rec" || { echo "FAIL: replay $i exited $?"; fails=$((fails + 1)); }
done
# the replay went where the recording went: same keys, same steps, no divergence
for i in 1 2; do
    if grep -q ' diverged ' "$WORK/again$i.rec" ||
        ! diff <(grep -E '^[0-9.]+ (key|step) ' "$WORK/demo.rec" | cut -d' ' -f2-) \
            <(grep -E '^[0-9.]+ (key|step) ' "$WORK/again$i.rec" | cut -d' ' -f2-) >/dev/null; then
        echo "FAIL: replay $i did not retrace the recording"
        diff <(grep -E '^[0-9.]+ (key|step) ' "$WORK/demo.rec") <(grep -E '^[0-9.]+ (key|step) ' "$WORK/again$i.rec")
        fails=$((fails + 1))
    fi
done
# a recording that says the demo went elsewhere: the replay notices and says where
sed 's/ step 2\/2 quiz q-payload$/ step 2\/2 quiz q-elsewhere/' "$WORK/demo.rec" >"$WORK/tampered.rec"
tl_run_script "$WORK/replay1" "$WORK/st-tampered" x present --replay "$WORK/tampered.rec" --speed 8 \
    --record "$WORK/tampered-again.rec" || { echo "FAIL: the tampered replay exited $?"; fails=$((fails + 1)); }
check "$WORK/tampered-again.rec" "diverged want 2/2 quiz q-elsewhere, got 2/2 quiz q-payload"
if ! cmp -s "$WORK/replay1.txt" "$WORK/replay2.txt"; then
    echo "FAIL: two replays of one recording ended on different screens"
    diff "$WORK/replay1.txt" "$WORK/replay2.txt" | head -20
    fails=$((fails + 1))
fi
check "$WORK/replay1.txt" "replay finished (6 keys)"
if ! diff <(body "$WORK/live.txt") <(body "$WORK/replay1.txt") >/dev/null; then
    echo "FAIL: the replay did not end where the live run ended"
    diff <(body "$WORK/live.txt") <(body "$WORK/replay1.txt") | head -20
    fails=$((fails + 1))
fi
[ "$(grep -cF 'POST   /login' "$WORK/replay1.txt")" = 2 ] ||
    { echo "FAIL: the replay should show two POST /login (run and r)"; fails=$((fails + 1)); }

# pause right away (Space), the demo stays on its first step; + doubles the speed; Space resumes
cat >"$WORK/pause" <<SCRIPT
:resize 120 36
:wait-idle
<Space>
+
:wait 1500
:save-screen $WORK/paused.txt
<Space>
:wait-for replay finished (6 keys)
:wait-idle
:save-screen $WORK/resumed.txt
SCRIPT
tl_run_script "$WORK/pause" "$WORK/st-pause" x present --replay "$WORK/demo.rec" ||
    { echo "FAIL: the pause run exited $?"; fails=$((fails + 1)); }
check "$WORK/paused.txt" "replay speed 2x"
check "$WORK/paused.txt" "1 / 2"
check_not "$WORK/paused.txt" "POST   /login"
check "$WORK/resumed.txt" "2 / 2"

# --auto: hands-free, the step runs and the quiz comes up
cat >"$WORK/auto" <<SCRIPT
:resize 120 36
:wait-idle
:wait-for auto 0.5s (end)
:wait-idle
:save-screen $WORK/auto.txt
SCRIPT
tl_run_script "$WORK/auto" "$WORK/st-auto" x present demo-jwt-login --auto 0.5 ||
    { echo "FAIL: the --auto run exited $?"; fails=$((fails + 1)); }
check "$WORK/auto.txt" "2 / 2"
check "$WORK/auto.txt" "auto 0.5s (end)"
check "$WORK/auto.txt" "POST   /login"

# F5 in the TUI presents from where the learner is (saved progress), not from the top
printf ':resize 120 36\n:wait-idle\nn\n' >"$WORK/f5a"
printf ':resize 120 36\n:wait-idle\n<F5>\n:save-screen %s\n' "$WORK/f5.txt" >"$WORK/f5b"
tl_run_script "$WORK/f5a" "$WORK/st-f5" x && tl_run_script "$WORK/f5b" "$WORK/st-f5" x ||
    { echo "FAIL: the F5 runs exited $?"; fails=$((fails + 1)); }
check "$WORK/f5.txt" "2 / 2"
check "$WORK/f5.txt" "Space next"

# errors: plain messages and the documented exit codes
expect() { # expect CODE TEXT command…
    local code="$1" text="$2"
    shift 2
    "$@" >"$WORK/out" 2>&1
    local rc=$?
    if [ "$rc" != "$code" ] || ! grep -qF -- "$text" "$WORK/out"; then
        echo "FAIL: '$*' gave $rc (want $code) and: $(cat "$WORK/out")"
        fails=$((fails + 1))
    fi
}
export TOKENLAB_DATA="$TL_FIXTURE_DATA" XDG_STATE_HOME="$WORK/st-err"
expect 2 "--auto needs a number from 0.5 to 3600, got '0'" "$TOKENLAB" present demo-jwt-login --auto 0
expect 2 "--speed needs a number" "$TOKENLAB" present demo-jwt-login --replay x --speed fast
expect 2 "which lesson?" "$TOKENLAB" present
expect 2 "no lesson 'nope' (tokenlab lessons list shows the 2 there are)" "$TOKENLAB" present nope
expect 2 "drop --server" "$TOKENLAB" present --replay "$WORK/demo.rec" --server http://127.0.0.1:1
expect 3 "cannot read the recording $WORK/nope" "$TOKENLAB" present --replay "$WORK/nope"
printf 'lesson demo-jwt-login\n0.5 key <Space>\n0.2 key a\n' >"$WORK/back.rec"
expect 3 "back.rec:3: the time goes backwards" "$TOKENLAB" present --replay "$WORK/back.rec"
printf 'lesson demo-jwt-login\n0.5 key <Spacebar>\n' >"$WORK/badkey.rec"
expect 3 "badkey.rec:2: unknown key '<Spacebar>'" "$TOKENLAB" present --replay "$WORK/badkey.rec"
printf 'lesson demo-jwt-login\nsoon key a\n' >"$WORK/badtime.rec"
expect 3 "badtime.rec:2: expected 'SECONDS EVENT ARGS'" "$TOKENLAB" present --replay "$WORK/badtime.rec"

[ "$fails" = 0 ] || exit 1
echo "ok: live run, two identical replays, pause/speed, --auto, errors"
