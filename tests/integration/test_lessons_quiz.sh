#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab quiz in a pipe: known answers on a fixture lesson whose every question is answered by
# "2", so the score does not depend on the shuffle; the review explains each miss; scores are saved
# to the progress file; the seed makes the order reproducible; bad flags are usage errors.
set -u
T="${TOKENLAB:?TOKENLAB is not set}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME="$work/state"
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

mkdir -p "$work/lessons"
cat >"$work/lessons/99-exam-fixture.md" <<'MD'
---
id: exam-fixture
title: Exam fixture
---
```quiz qa
type: single
question: Alpha?
- [ ] one
- [x] two
explain: Because alpha is two.
hint: h
```
```quiz qb
type: multi
question: Beta?
- [ ] one
- [x] two
- [ ] three
explain: Because beta is two.
hint: h
```
```quiz qc
type: text
question: Gamma?
answer: 2
explain: Because gamma is two.
hint: h
```
```quiz qd
type: practical
task: never asked in the exam
check: response.status == 200
solution: login alice@example.com wonderland
explain: e
hint: h
```
MD

printf '2\n2\n2\n' | "$T" quiz --lessons "$work/lessons" --lesson exam-fixture --count 0 --seed 7 >"$work/right.out" 2>&1
check "quiz exits 0" $?
cat "$work/right.out"
grep -q "^tokenlab final exam: 3 questions (seed 7)" "$work/right.out"; check "practical tasks are left out" $?
grep -q "^score: 3/3 (100%)" "$work/right.out"; check "all right: 3/3" $?
! grep -q "review of" "$work/right.out"; check "no review when nothing was missed" $?

printf '1\n1\n1\n' | "$T" quiz --lessons "$work/lessons" --lesson exam-fixture --count 0 --seed 7 >"$work/wrong.out" 2>&1
cat "$work/wrong.out"
grep -q "^score: 0/3 (0%)" "$work/wrong.out"; check "all wrong: 0/3" $?
grep -q "review of the 3 missed questions" "$work/wrong.out"; check "review lists the misses" $?
for w in alpha beta gamma; do
    grep -q "  why: Because $w is two." "$work/wrong.out"; check "review explains $w" $?
done

# same seed, same order
a=$(grep -F '[' "$work/right.out" | grep -F '/3]'); b=$(grep -F '[' "$work/wrong.out" | grep -F '/3]')
[ -n "$a" ] && [ "$a" = "$b" ]; check "the seed fixes the order" $?

python3 - "$XDG_STATE_HOME/tokenlab/progress.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1
ex = d["exams"]
assert [(e["correct"], e["total"]) for e in ex] == [(3, 3), (0, 3)], ex
PY
check "both scores saved to progress.json" $?

"$T" quiz --count many </dev/null >/dev/null 2>&1
[ $? -eq 2 ]; check "--count many is a usage error" $?
"$T" quiz --lessons "$work/lessons" --lesson nope </dev/null >/dev/null 2>&1
[ $? -eq 2 ]; check "unknown lesson is a usage error" $?
# no answers at all (stdin closed at once): scored, but nothing is saved
"$T" quiz --lessons "$work/lessons" --lesson exam-fixture --seed 1 </dev/null >"$work/none.out" 2>&1
grep -q "no answers: nothing saved" "$work/none.out"; check "an exam without answers is not saved" $?
python3 -c "import json; assert len(json.load(open('$XDG_STATE_HOME/tokenlab/progress.json'))['exams'])==2"
check "still two exams in progress.json" $?
exit $fail
