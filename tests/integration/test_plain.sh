#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The line mode (tokenlab --plain, issue 20): lessons 1, 2, 7 and 12 played through a pipe by their
# reference paths, typed as a learner would type them (run, the solution's actions, check, answer N,
# next). Every transcript line is free of escape sequences and box drawing, and each lesson ends
# "passed". The commands come from the lesson files themselves (a small reader below, independent
# of the C parser), so a lesson change cannot leave this test behind.
set -u
T="${TOKENLAB:?TOKENLAB is not set}"
SRC="${TOKENLAB_SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

# The reference path of one lesson as line-mode commands.
commands() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
out = []
items = re.findall(r"^```(step|quiz)[^\n]*\n(.*?)^```", text, re.S | re.M)
for n, (kind, body) in enumerate(items):
    lines = body.splitlines()
    sol = [l[len("solution:"):].strip() for l in lines if l.startswith("solution:")]
    if kind == "step":
        out.append("run")
        if sol:
            out += sol
            out.append("check")
    else:
        typ = next(l.split(":", 1)[1].strip() for l in lines if l.startswith("type:"))
        if typ == "practical":
            out += sol
            out.append("check")
        elif typ == "text":
            out.append("answer " + next(l.split(":", 1)[1].strip() for l in lines if l.startswith("answer:")))
        else:
            opts = [l for l in lines if re.match(r"^- \[[ xX]\] ", l)]
            right = [str(i + 1) for i, l in enumerate(opts) if l[3] in "xX"]
            out.append("answer " + " ".join(right))
    if n + 1 < len(items):
        out.append("next")
out.append("status")
out.append("quit")
print("\n".join(out))
PY
}

for f in 01-api-auth 02-jwt-anatomy 07-auth-code 12-jwt-attacks; do
    id=$(sed -n 's/^id: *//p' "$SRC/lessons/$f.md" | head -1)
    commands "$SRC/lessons/$f.md" >"$work/$f.in"
    # no --plain: stdout is a pipe, so the line mode is chosen by itself (a fresh progress file)
    XDG_STATE_HOME="$work/state-$f" timeout 120 "$T" --lessons "$SRC/lessons" --lesson "$id" \
        <"$work/$f.in" >"$work/$f.out" 2>"$work/$f.err"
    rc=$?
    check "$f: exits 0 through a pipe ($rc)" $rc
    grep -q "line mode" "$work/$f.out"; check "$f: the line mode was chosen for a pipe" $?
    grep -q "^Lesson $id passed: every step done" "$work/$f.out"
    check "$f: the lesson ends passed" $?
    ! grep -q "^Question [0-9]* wrong" "$work/$f.out"; check "$f: every reference answer is right" $?
    ! grep -q "^Could not run it" "$work/$f.out"; check "$f: every action ran" $?
    ! LC_ALL=C grep -q $'\x1b' "$work/$f.out"; check "$f: no escape sequences" $?
    ! grep -qP '[\x{2500}-\x{259F}]' "$work/$f.out"; check "$f: no box drawing" $?
    ! grep -qE '✓|✗' "$work/$f.out"; check "$f: no symbol carries a verdict (words instead)" $?
    if [ $rc -ne 0 ] || ! grep -q "^Lesson $id passed" "$work/$f.out"; then
        tail -40 "$work/$f.out"; cat "$work/$f.err"
    fi
done

# TERM=dumb chooses the line mode too; --plain asks for it; a decode reads dates in words
printf 'login alice@example.com wonderland\ndecode\nquit\n' |
    TERM=dumb XDG_STATE_HOME="$work/state-dumb" timeout 60 "$T" --plain --lessons "$SRC/lessons" \
        --lesson api-auth >"$work/dumb.out" 2>&1
grep -q "A new login token arrived" "$work/dumb.out"; check "an action says what changed" $?
grep -qE "^  exp = [0-9]+: expires in 15 minutes, at " "$work/dumb.out"
check "decode reads exp in words" $?
grep -q "^Signature: valid" "$work/dumb.out"; check "decode says the signature verdict in words" $?

# bad input: an unknown action gets the console's message and nothing is lost
printf 'logn alice\nanswer 9\nquit\n' | XDG_STATE_HOME="$work/state-bad" timeout 60 "$T" --plain \
    --lessons "$SRC/lessons" --lesson api-auth >"$work/bad.out" 2>&1
check "exits 0 after bad lines" $?
grep -q "unknown action 'logn' (did you mean login?)" "$work/bad.out"; check "a typo gets did-you-mean" $?
grep -q "This is a step, not a question" "$work/bad.out"; check "answer on a step says why not" $?

# class mode: a student in the line mode joins a class server; the instructor's export shows the
# student where they are and the answer they gave (reports go out as they happen, and the last one
# still arrives when the student quits right after answering)
"$T" serve --class --quiet --class-db "$work/class.db" --listen 127.0.0.1:0 >"$work/class.log" 2>"$work/class.err" &
spid=$!
for _ in $(seq 1 100); do grep -q "^instructor key" "$work/class.log" && break; sleep 0.1; done
URL=$(sed -n 's/^tokenlab server listening on \(http:[^ ]*\).*/\1/p' "$work/class.log")
CODE=$(sed -n 's/^class join code \([A-Z0-9]*\) .*/\1/p' "$work/class.log")
KEY=$(sed -n 's/^instructor key \([A-Za-z0-9_-]*\) .*/\1/p' "$work/class.log")
printf 'run\nnext\nrun\nnext\nrun\nnext\nrun\nnext\nanswer 2\nquit\n' |
    XDG_STATE_HOME="$work/state-class" timeout 60 "$T" --plain --server "$URL" --join "$CODE" \
        --name "Ada Lovelace" --report --lessons "$SRC/lessons" --lesson api-auth \
        >"$work/class.out" 2>&1
check "a class student in the line mode exits 0" $?
grep -q "^Question 1 right" "$work/class.out"; check "the student answered in the line mode" $?
! grep -qE "^The server answered [0-9]+ to GET /s/st-[0-9]+/(jwks|health|lab/events)" "$work/class.out"
check "in a class, tokenlab's own look-ups in the student's lab are not news" $?
grep -qE "^The server answered 401 to GET /s/st-[0-9]+/api/profile" "$work/class.out"
check "in a class, the learner's own requests are news" $?
"$T" class export --server "$URL" --key "$KEY" --json >"$work/export.json" 2>&1
check "the instructor's export works" $?
python3 - "$work/export.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d if isinstance(d, list) else d.get("students", d.get("rows", []))
text = json.dumps(d)
assert "Ada Lovelace" in text, "the student is not in the export"
assert "api-auth" in text, "the lesson is not in the export"
assert "q-api-authn-question" in text, "the answer given in the line mode did not reach the class"
PY
check "the class sees the line-mode student's lesson and answer" $?
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null

exit $fail
