#!/bin/sh
# Install the system packages tokenlab needs to build and test, if any are missing.
# Debian/Ubuntu: apt-get (with sudo when not root). macOS: prints the brew line.
set -e
PKGS="build-essential cmake pkg-config libncurses-dev libssl-dev libjansson-dev \
libcurl4-openssl-dev libmicrohttpd-dev libcmocka-dev"
# Test-only tools: independent JOSE implementations (python3-jwt, the Go `jwt` CLI), an independent
# OAuth/OIDC client (python3-authlib), clang + its sanitizer/fuzzer runtime, tmux for TUI tests.
TEST_PKGS="python3 python3-jwt python3-cryptography python3-authlib python3-requests jwt clang libclang-rt-14-dev \
tmux valgrind curl openssl"
case "${1:-build}" in
    build) want="$PKGS" ;;
    test) want="$PKGS $TEST_PKGS" ;;
    bench) want="$PKGS $TEST_PKGS wrk hyperfine" ;;
    *) echo "usage: deps.sh [build|test|bench]" >&2; exit 2 ;;
esac
if [ "$(uname -s)" = Darwin ]; then
    echo "deps: on macOS run: brew install cmake pkg-config ncurses openssl@3 jansson curl libmicrohttpd cmocka"
    exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian/Ubuntu system; install these by hand: $want" >&2
    exit 0
fi
missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing missing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
