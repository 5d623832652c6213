#!/bin/sh
# SPDX-License-Identifier: MIT
# The version of this source tree, for `make dist` and `make package`:
#   a tag vX.Y.Z on HEAD            -> X.Y.Z
#   commits after a tag vX.Y.Z      -> X.Y.Z+git.N.gHASH   (N commits since the tag)
#   no tag at all                   -> P+git.N.gHASH        (P = project(VERSION) in CMakeLists.txt,
#                                                            N = commits in HEAD)
#   outside git (a dist tarball)    -> the VERSION file the tarball carries, else P
# "+git…" sorts after X.Y.Z and before X.Y.Z.1 for dpkg, and has no '-' (a Debian revision).
# A tree with uncommitted changes gets ".dirty" appended.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
project=$(sed -n 's/^project(tokenlab VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
# Our own .git only: a tarball unpacked inside some other checkout must not take its history.
if [ ! -e .git ] || ! git rev-parse --git-dir >/dev/null 2>&1; then
    if [ -f VERSION ]; then cat VERSION; else echo "$project"; fi
    exit 0
fi
hash=$(git rev-parse --short=7 HEAD)
if desc=$(git describe --tags --match 'v[0-9]*' --long 2>/dev/null); then
    # vX.Y.Z-N-gHASH
    n=${desc%-g*}
    n=${n##*-}
    tag=${desc%-*-g*}
    tag=${tag#v}
    if [ "$n" = 0 ]; then v=$tag; else v="$tag+git.$n.g$hash"; fi
else
    v="$project+git.$(git rev-list --count HEAD).g$hash"
fi
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then v="$v.dirty"; fi
echo "$v"
