#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tokenlab lessons reset: one lesson, all (confirmation required), and a corrupt progress file moved
# aside with a message instead of a crash.
set -u
T="${TOKENLAB:?TOKENLAB is not set}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME="$work/state"
P="$XDG_STATE_HOME/tokenlab/progress.json"
fail=0
check() { if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
mkdir -p "$(dirname "$P")"
cat >"$P" <<'JSON'
{"version":1,"current":{"lesson":"api-auth","item":"login"},
 "lessons":{"api-auth":{"status":"started","steps":{"login":"2026-01-01T00:00:00Z"},"quizzes":{}},
            "jwt-anatomy":{"status":"done","steps":{"decode":"2026-01-01T00:00:00Z"},"quizzes":{}}},
 "exams":[{"date":"2026-01-01T00:00:00Z","at":1,"correct":3,"total":4,"seed":1}]}
JSON

"$T" lessons reset api-auth >"$work/o" 2>&1; check "reset one lesson exits 0" $?
python3 -c "
import json,sys; d=json.load(open('$P'))
assert 'api-auth' not in d['lessons'] and 'jwt-anatomy' in d['lessons'], d
assert d['current']['item'] is None and len(d['exams'])==1" ; check "only that lesson is forgotten" $?

"$T" lessons reset --all </dev/null >"$work/o" 2>&1
[ $? -eq 2 ]; check "--all without --yes and no terminal refuses (exit 2)" $?
grep -q "needs confirmation: add --yes" "$work/o"; check "and says why" $?
python3 -c "import json; assert 'jwt-anatomy' in json.load(open('$P'))['lessons']"; check "nothing changed" $?

"$T" lessons reset --all --yes >"$work/o" 2>&1; check "--all --yes exits 0" $?
python3 -c "
import json; d=json.load(open('$P'))
assert d['version']==1 and d['lessons']=={} and d['exams']==[], d"; check "everything forgotten" $?

"$T" lessons reset >/dev/null 2>&1; [ $? -eq 2 ]; check "no id and no --all is a usage error" $?
"$T" lessons reset no-such-lesson >"$work/o" 2>&1; [ $? -eq 2 ]; check "an unknown lesson id is a usage error" $?
grep -q "no lesson with id 'no-such-lesson'" "$work/o"; check "and says so" $?

printf '{"version":1, "lessons": ' >"$P"
"$T" lessons reset api-auth >"$work/o" 2>&1; rc=$?
cat "$work/o"
[ $rc -eq 0 ]; check "a corrupt progress file does not crash" $?
grep -q "not valid JSON.*moved aside to .*progress.json.corrupt-" "$work/o"; check "it is moved aside with a message" $?
ls "$XDG_STATE_HOME"/tokenlab/progress.json.corrupt-* >/dev/null 2>&1; check "the corrupt copy is kept" $?
python3 -c "import json; assert json.load(open('$P'))['version']==1"; check "a fresh file replaces it" $?
exit $fail
