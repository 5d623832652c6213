#!/bin/bash
# SPDX-License-Identifier: MIT
# openid-client (npm, v6: an OpenID-certified relying party on oauth4webapi) against `tokenlab
# serve`: discovery, client_credentials + DPoP, a stolen DPoP token refused, authorization code +
# PKCE + PAR + DPoP with the ID token validated, /userinfo, refresh (openid_client_interop.mjs).
# openid-client is installed once into the build folder ($TOKENLAB_BUILD_DIR/npm), never committed.
set -euo pipefail
: "${TOKENLAB:?TOKENLAB must point at the tokenlab binary}"
: "${TOKENLAB_BUILD_DIR:?}" "${TOKENLAB_SOURCE_DIR:?}"
command -v node >/dev/null && command -v npm >/dev/null ||
    { echo "FAIL: node and npm are needed (Node 20+: scripts/deps.sh test)"; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "FAIL: openid-client 6 needs Node 20 or newer, this is $(node -v)"; exit 1; }

NPM_DIR="$TOKENLAB_BUILD_DIR/npm"
if [ ! -f "$NPM_DIR/node_modules/openid-client/package.json" ]; then
    mkdir -p "$NPM_DIR"
    echo "installing openid-client@6 into $NPM_DIR (once)"
    if ! npm install --prefix "$NPM_DIR" --no-audit --no-fund openid-client@6 >"$NPM_DIR/install.log" 2>&1; then
        cat "$NPM_DIR/install.log"
        echo "FAIL: npm could not install openid-client@6 from $(npm config get registry)" \
            "— this test needs the npm registry once (then it reuses $NPM_DIR)"
        exit 1
    fi
fi
echo "openid-client $(node -p "require('$NPM_DIR/node_modules/openid-client/package.json').version")," \
    "node $(node -v)"

W=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && { kill $pid 2>/dev/null; wait $pid 2>/dev/null; }; rm -rf "$W"' EXIT
: >"$W/server.log"
"$TOKENLAB" serve --listen 127.0.0.1:0 >"$W/server.log" 2>&1 &
pid=$!
URL=""
for _ in $(seq 1 100); do
    URL=$(sed -n 's/^tokenlab server listening on \(http:[^ ]*\).*/\1/p' "$W/server.log" | head -1)
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { cat "$W/server.log"; echo "FAIL: tokenlab serve did not start"; exit 1; }

if ! timeout 60 node "$TOKENLAB_SOURCE_DIR/tests/integration/openid_client_interop.mjs" "$URL" \
    "$NPM_DIR/node_modules"; then
    echo "--- server log"; cat "$W/server.log"
    exit 1
fi
