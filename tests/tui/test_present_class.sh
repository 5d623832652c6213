#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The class, end to end with a real `tokenlab serve --class`: two students join with the TUI
# (--join CODE --name NAME): Ada shares her progress and answers the quiz wrong, Bob does not share.
# Ada's lessons run on her own account (the login shows her own subject), her header says she is
# sharing, and running again reuses her membership. A wrong code is refused (exit 1). The
# instructor's dashboard (`tokenlab class`, in tmux) lists both, shows where Ada is and her score,
# flags the question the room got wrong, shows a refused join in the live feed, and flips a lab
# switch for the room after a confirmation. A wrong instructor key exits 1.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tmux_lib.sh"
fails=0

env XDG_STATE_HOME="$WORK/srv" "$TOKENLAB" serve --class --listen 127.0.0.1:0 --class-rate 0 \
    --class-lessons "$TL_FIXTURE_DATA/lessons" \
    >"$WORK/serve.out" 2>&1 &
BG_PIDS+=($!)
for ((i = 0; i < 300; i++)); do
    grep -q "instructor key" "$WORK/serve.out" && break
    sleep 0.1
done
URL=$(sed -n 's/^tokenlab server listening on \(http[^ ]*\).*/\1/p' "$WORK/serve.out" | head -1)
CODE=$(sed -n 's/.*join code \([A-Z0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)
KEY=$(sed -n 's/^instructor key \([^ ]*\).*/\1/p' "$WORK/serve.out" | head -1)
[ -n "$URL" ] && [ -n "$CODE" ] && [ -n "$KEY" ] || fail "serve --class printed: $(cat "$WORK/serve.out")"

# Ada: run the login step, go to the quiz, answer A (wrong)
cat >"$WORK/ada" <<SCRIPT
:resize 120 36
:wait-idle
<Enter>
:wait-idle
n
<Space>
<Enter>
:wait-idle
:wait-for sharing progress
:save-screen $WORK/ada.txt
d
<PgDn>
:save-screen $WORK/ada-payload.txt
SCRIPT
tl_run_script "$WORK/ada" "$WORK/st-ada" x --server "$URL" --join "$CODE" --name Ada --report \
    >"$WORK/ada.out" 2>&1 || fail "Ada's TUI exited $?: $(cat "$WORK/ada.out")"
check "$WORK/ada.out" "Joined the class at $URL as Ada."
check "$WORK/ada.out" "client_id      class-st-1"
check "$WORK/ada.out" "redirect_uri   http://127.0.0.1/callback"
check "$WORK/ada.out" "Your progress and quiz results go to the instructor's dashboard."
check "$WORK/ada.txt" "class: Ada · sharing progress"
check "$WORK/ada-payload.txt" '"sub": "class-st-1"' # her own account, not alice
# again: the saved membership is reused (still st-1), and nobody asks
tl_run_script "$WORK/ada" "$WORK/st-ada" x --server "$URL" --join "$CODE" --name Ada \
    >"$WORK/ada2.out" 2>&1 || fail "Ada's second run exited $?"
check "$WORK/ada2.out" "client_id      class-st-1"
check "$WORK/ada2.out" "Your progress and quiz results go to the instructor's dashboard."
[ -s "$WORK/st-ada/tokenlab/class.json" ] && [ "$(stat -c %a "$WORK/st-ada/tokenlab/class.json")" = 600 ] ||
    { echo "FAIL: the membership file is missing or not 0600"; fails=$((fails + 1)); }

cat >"$WORK/bob" <<SCRIPT
:wait-idle
SCRIPT
tl_run_script "$WORK/bob" "$WORK/st-bob" x --server "$URL" --join "$CODE" --name Bob --no-report \
    >"$WORK/bob.out" 2>&1 || fail "Bob's TUI exited $?"
check "$WORK/bob.out" "Nothing is reported to the instructor"

# the dashboard
tmux_start "NO_COLOR=1" class --server "$URL" --key "$KEY"
wait_for "join code $CODE · 2 joined"
wait_for "Students (2)"
wait_for "Ada "
wait_for "demo-jwt-login · 2 · quiz"
wait_for "0/1" # Ada's score: answered one, none right
wait_for "Bob "
wait_for "! demo-jwt-login/q-payload" # the question the room gets wrong is flagged
wait_for "0/1 right"
wait_for "Who can read the payload of a signed JWT?" # the question's text, from the server's course
wait_for "chose  1: 1   2✓: 0" # Ada chose option 1; option 2 is the right one
wait_for "Room events (live)"

# a refused join shows up in the feed while the dashboard runs
env XDG_STATE_HOME="$WORK/st-eve" TOKENLAB_DATA="$TL_FIXTURE_DATA" "$TOKENLAB" --server "$URL" \
    --join WRONG1 --name Eve --no-report >"$WORK/eve.out" 2>&1
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: a wrong join code exited $rc: $(cat "$WORK/eve.out")"; fails=$((fails + 1)); }
check "$WORK/eve.out" "the class server did not let you join (403): wrong join code"
wait_for "refused  /class/join    access_denied: wrong join code"

# a lab switch for the room, with a confirmation
keys L
wait_for "Lab switches for the whole room"
keys Enter
wait_for "for everyone? y / n"
keys y
wait_for "the instructor turned alg-none on for the room" 10
wait_for "done: the switch is flipped for the whole room"
wait_for "labs on: alg-none" # the header says what the room's server does now
keys L # the overlay now says the switch is on
for ((i = 0; i < 50; i++)); do
    screen | grep -qE "alg-none +ON" && break
    sleep 0.1
done
screen | grep -qE "alg-none +ON" || fail "the lab overlay does not show alg-none ON"
keys Escape
keys q
for ((i = 0; i < 100; i++)); do
    [ -s "$WORK/rc" ] && break
    sleep 0.1
done
[ "$(cat "$WORK/rc" 2>/dev/null)" = 0 ] || fail "the dashboard exited $(cat "$WORK/rc" 2>/dev/null): $(cat "$WORK/stderr")"

"$TOKENLAB" class --server "$URL" --key wrong-key >"$WORK/bad.out" 2>&1
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: a wrong instructor key exited $rc"; fails=$((fails + 1)); }
check "$WORK/bad.out" "wrong instructor key"

[ "$fails" = 0 ] || exit 1
echo "ok: two students joined, the dashboard showed them, their score, the wrong question, a refusal, a lab switch"
