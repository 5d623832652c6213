#!/bin/sh
# SPDX-License-Identifier: MIT
# `make dist`: the source tarball of HEAD, tokenlab-VERSION.tar.gz in OUTDIR (default: .).
# Reproducible: the same commit gives the same bytes, on any machine, at any time: files in name
# order, every mtime the commit's time, owner root/root by number, gzip without a name or time.
# It carries a VERSION file, so a build from the tarball (no .git) knows its version.
# Uncommitted changes are not in it (it is `git archive HEAD`); we say so.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-.}
cd "$root"
if ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "dist: not a git checkout; make dist needs git (it packs HEAD)" >&2
    exit 1
fi
version=$(sh scripts/version.sh)
version=${version%.dirty}
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "dist: note: uncommitted changes are not in the tarball (it packs HEAD)" >&2
fi
name="tokenlab-$version"
when=$(git log -1 --format=%ct HEAD)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive --format=tar --prefix="$name/" HEAD | tar -x -C "$tmp"
echo "$version" >"$tmp/$name/VERSION"
mkdir -p "$out"
out=$(cd "$out" && pwd)
tar -C "$tmp" --sort=name --mtime="@$when" --owner=0 --group=0 --numeric-owner \
    --mode='u+rwX,go+rX,go-w' --format=gnu -cf - "$name" | gzip -9 -n >"$out/$name.tar.gz.tmp"
mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
echo "$out/$name.tar.gz"
