#!/bin/sh
# SPDX-License-Identifier: MIT
# ctest as `make test` runs it: an empty test set is an error (--no-tests=error: a regex or label
# that stopped matching, fuzzers no longer registered), and so is a skipped test — a test that
# exits 77 because a tool is missing proves nothing, and a green run must mean every test ran.
# The skip count comes from ctest's JUnit report (--output-junit), not from its console output.
#
# usage: sh scripts/ctest-strict.sh BUILD_DIR [ctest arguments…]
set -u
dir=${1:?usage: ctest-strict.sh BUILD_DIR [ctest arguments]}
shift
junit="$(cd "$dir" && pwd)/ctest-junit.xml"
rm -f "$junit"
(cd "$dir" && ctest --no-tests=error --output-junit "$junit" "$@")
rc=$?
if [ ! -s "$junit" ]; then
    echo "ctest-strict: ctest wrote no JUnit report ($junit); exit status $rc" >&2
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
fi
# <testcase name="…" … status="notrun"> is a test that was skipped (exit 77) or disabled
skipped=$(grep -c 'status="notrun"' "$junit")
if [ "$skipped" -ne 0 ]; then
    echo "ctest-strict: $skipped test(s) did not run in $dir; make test refuses skips:" >&2
    sed -n 's/.*<testcase name="\([^"]*\)".*status="notrun".*/  \1/p' "$junit" >&2
    echo "ctest-strict: install what they need (sh scripts/deps.sh test) and run again" >&2
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
fi
exit "$rc"
