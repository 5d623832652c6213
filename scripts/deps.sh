#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the system packages tokenlab needs to build and test, if any are missing.
# Debian 12 and 13, Ubuntu 24.04 (apt-get, with sudo when not root): says what it will install and
# why before it asks for a password. Elsewhere: names what to install by hand.
set -e
# To build: a C compiler and CMake, the libraries tokenlab links, help2man for the man pages.
PKGS="build-essential cmake pkg-config libncurses-dev libssl-dev libjansson-dev \
libcurl4-openssl-dev libmicrohttpd-dev libmd4c-dev libsqlite3-dev libcmocka-dev help2man"
# Test-only tools: independent JOSE implementations (python3-jwt, the Go `jwt` CLI), an independent
# OAuth/OIDC client (python3-authlib), clang + its sanitizer/fuzzer runtime (the libclang-rt-N-dev
# matching the clang that is installed, or that apt would install), tmux for TUI tests, mandoc and
# man-db (lexgrog, man -l) to lint the man pages, zsh and fish to exercise their completions,
# dpkg-dev for the .deb test.
TEST_PKGS="python3 python3-jwt python3-cryptography python3-authlib python3-requests jwt clang \
tmux valgrind curl openssl mandoc man-db zsh fish dpkg-dev git"

clang_rt() {
    v=""
    if command -v clang >/dev/null 2>&1; then
        v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -1)
    elif command -v apt-cache >/dev/null 2>&1; then
        v=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -1)
    fi
    [ -n "$v" ] && echo "libclang-rt-$v-dev"
    return 0
}

case "${1:-build}" in
    build) want="$PKGS"; why="to build tokenlab" ;;
    test) want="$PKGS $TEST_PKGS $(clang_rt)"; why="to build and test tokenlab" ;;
    bench) want="$PKGS $TEST_PKGS $(clang_rt) wrk hyperfine"; why="to build, test and benchmark tokenlab" ;;
    *) echo "usage: deps.sh [build|test|bench]" >&2; exit 2 ;;
esac
# Installed is not enough: what the tests run is checked by command and module, so that a package
# that is broken or named differently on this release fails here, by name, and not later as a
# skipped test (make test refuses skips).
need_tools() {
    [ "${1:-build}" = build ] && return 0
    bad=""
    for c in python3 jwt clang tmux valgrind curl openssl mandoc lexgrog man zsh fish git cpack dpkg-deb \
        dpkg-shlibdeps help2man; do
        command -v "$c" >/dev/null 2>&1 || bad="$bad $c"
    done
    /usr/bin/python3 -c 'import jwt, cryptography, authlib, requests' 2>/dev/null ||
        bad="$bad python3-jwt/python3-cryptography/python3-authlib/python3-requests (for /usr/bin/python3)"
    if [ -n "$bad" ]; then
        echo "deps: FAILED: the tests need these and they are not there:$bad" >&2
        exit 1
    fi
}
missing_pkgs() {
    m=""
    for p in $want; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
            m="$m $p"
        fi
    done
    echo "$m"
}
if [ "$(uname -s)" = Darwin ]; then
    echo "deps: on macOS run: brew install cmake pkg-config ncurses openssl@3 jansson curl libmicrohttpd md4c cmocka help2man"
    [ "${1:-build}" = build ] && exit 0
    echo "deps: FAILED: the test tools cannot be installed here automatically (set TOKENLAB_DEPS_BY_HAND=1 once they are)" >&2
    [ "${TOKENLAB_DEPS_BY_HAND:-0}" = 1 ] && { need_tools "${1:-build}"; exit 0; }
    exit 1
fi
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    cat >&2 <<EOF
deps: this is not Debian or Ubuntu, so nothing is installed automatically. Install by hand:
  a C17 compiler, CMake >= 3.18, pkg-config, and the development files of
  ncursesw (with panel, menu, form), OpenSSL >= 3.0, jansson >= 2.13, libcurl >= 7.80,
  libmicrohttpd >= 0.9.70, md4c, cmocka >= 1.1 (tests); help2man (man pages).
  Fedora: dnf install gcc cmake pkgconf-pkg-config ncurses-devel openssl-devel jansson-devel \\
          libcurl-devel libmicrohttpd-devel md4c-devel libcmocka-devel help2man
  Arch:   pacman -S base-devel cmake pkgconf ncurses openssl jansson curl libmicrohttpd md4c cmocka help2man
  (Debian package names, for reference: $want)
EOF
    [ "${1:-build}" = build ] && exit 0
    echo "deps: FAILED: the test tools cannot be installed here automatically (set TOKENLAB_DEPS_BY_HAND=1 once they are)" >&2
    [ "${TOKENLAB_DEPS_BY_HAND:-0}" = 1 ] && { need_tools "${1:-build}"; exit 0; }
    exit 1
fi
missing=$(missing_pkgs)
if [ -z "$missing" ]; then
    need_tools "${1:-build}"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps: these Debian packages are needed $why and are missing:$missing" >&2
        echo "deps: there is no sudo here; as root run: apt-get install$missing" >&2
        exit 1
    fi
    SUDO="sudo"
fi
echo "deps: these Debian packages are needed $why and are not installed:"
echo "deps:  $missing"
echo "deps: running: $SUDO apt-get update && $SUDO apt-get install --no-install-recommends$missing"
[ -n "$SUDO" ] && echo "deps: (sudo may ask for your password; Ctrl-C to stop and install them yourself)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# A package this release does not have (e.g. the Go `jwt` CLI on some Ubuntu releases) must not
# stop the others: install what apt knows, then fail naming the rest. A build can do without test
# tools; a test run cannot (make test refuses skipped tests).
have="" lack=""
for p in $missing; do
    if apt-cache show "$p" >/dev/null 2>&1; then have="$have $p"; else lack="$lack $p"; fi
done
# shellcheck disable=SC2086
[ -z "$have" ] || $SUDO apt-get install -y -qq --no-install-recommends $have ||
    echo "deps: apt-get install failed (above)" >&2
still=$(missing_pkgs)
if [ -n "$still" ]; then
    echo "deps: FAILED: could not install:$still${lack:+ (not available on this release:$lack)}" >&2
    exit 1
fi
need_tools "${1:-build}"
