#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package as a user gets it: build it with CPack (`make package`'s config), unpack it
# with dpkg-deb -x into a temporary root, and run the installed copy from there, with nothing of
# the build tree in its environment: it must find tokenlab-full in libexec, the course in share,
# and pass `tokenlab lessons check`. Also: the package declares its library dependencies, ships the
# licence, the man pages and completions, and `make dist` is reproducible.
set -euo pipefail
: "${TOKENLAB_BUILD_DIR:?}" "${TOKENLAB_SOURCE_DIR:?}"
for t in cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# shellcheck source=cli_lib.sh
source "$TOKENLAB_SOURCE_DIR/tests/integration/cli_lib.sh"

# Build the .deb into our own directory (CPack's staging area goes there too, so a concurrent
# `make package` is not disturbed).
(cd "$TOKENLAB_BUILD_DIR" && cpack -G DEB -B "$W/pkg" >"$W/cpack.log" 2>&1) ||
    { cat "$W/cpack.log"; fail "cpack failed"; }
deb=$(ls "$W"/pkg/tokenlab_*.deb)
[ -f "$deb" ] || fail "no .deb in $W/pkg"

run 0 dpkg-deb -f "$deb" Package Depends
out_has "Package: tokenlab"
# From dpkg-shlibdeps: the libraries the binaries really link.
for lib in libssl3 libjansson4 libcurl4 libmicrohttpd12 libncursesw6 libc6; do out_has "$lib"; done

R="$W/root"
dpkg-deb -x "$deb" "$R"
for f in usr/bin/tokenlab usr/libexec/tokenlab/tokenlab-full usr/share/doc/tokenlab/copyright \
    usr/share/tokenlab/lessons/01-api-auth.md usr/share/tokenlab/assets/config.json; do
    [ -e "$R/$f" ] || fail "the package lacks /$f"
done
grep -q "MIT License" "$R/usr/share/doc/tokenlab/copyright" || fail "copyright is not the licence"
for f in bash-completion/completions/tokenlab zsh/vendor-completions/_tokenlab \
    fish/vendor_completions.d/tokenlab.fish; do
    [ -f "$R/usr/share/$f" ] || fail "the package lacks /usr/share/$f"
done
if [ -f "$TOKENLAB_BUILD_DIR/man/stamp" ]; then
    for f in man1/tokenlab.1 man1/tokenlab-verify.1 man5/tokenlab-lessons.5; do
        [ -f "$R/usr/share/man/$f" ] || fail "the package lacks /usr/share/man/$f"
    done
fi

# The installed copy, with no hint of the build tree: no TOKENLAB_FULL / TOKENLAB_DATA, run from /.
inst() { (cd / && env -u TOKENLAB_FULL -u TOKENLAB_DATA -u TOKENLAB -u TOKENLAB_SOURCE_DIR \
    XDG_STATE_HOME="$W/state" XDG_DATA_HOME="$W/data" HOME="$W/home" "$R/usr/bin/tokenlab" "$@"); }
run 0 inst --version
out_has "tokenlab "
# --help is answered by tokenlab-full: proves the front binary found it in libexec.
run 0 inst --help
out_has "usage: tokenlab"
run 0 inst lessons list --json
out_has "\"file\": \"$R/usr/share/tokenlab/lessons/01-api-auth.md\""
run 0 inst lessons check
err_has "0 errors"
err_has "0 failures"
# A light command, in the front binary alone.
run 0 inst mint --alg HS256 --secret "a-long-enough-secret-for-hs256-abcdef" --claim sub=alice
tok=$(cat "$W/out")
run 0 inst verify "$tok" --secret "a-long-enough-secret-for-hs256-abcdef"
out_has "valid: HS256"
# The packaged bash completion works against the packaged binary.
run 0 bash --norc --noprofile -c "PATH='$R/usr/bin':\$PATH; source '$R/usr/share/bash-completion/completions/tokenlab'
    COMP_WORDS=(tokenlab verify --alg E); COMP_CWORD=3; _tokenlab; echo \"\${COMPREPLY[*]}\""
out_has "ES256 ES384 ES512 EdDSA"
echo "ok: $(basename "$deb") unpacked and run from $R"
