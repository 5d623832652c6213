# SPDX-License-Identifier: MIT
"""An independent OAuth 2.0 / OIDC client (Debian's python3-authlib) against `tokenlab serve`:
authorization code + PKCE (S256) through the server's HTML login and consent forms, the ID token
verified against the JWKS (signature, iss, aud, exp, nonce, at_hash), userinfo, refresh with
rotation, and reuse of the rotated refresh token refused.

usage: /usr/bin/python3 test_authlib.py BASE_URL
"""
import re
import secrets
import sys
import urllib.parse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.integrations.base_client.errors import OAuthError
from authlib.oidc.core import CodeIDToken

base = sys.argv[1]
meta = requests.get(base + "/.well-known/openid-configuration", timeout=10).json()
assert meta["issuer"] == base, meta["issuer"]
assert "S256" in meta["code_challenge_methods_supported"]

client_id = "tokenlab-cli"
redirect_uri = "http://127.0.0.1:8765/callback"  # loopback: any port (RFC 8252 §7.3)
scope = "openid profile email notes:read"
verifier = secrets.token_urlsafe(48)
nonce = secrets.token_urlsafe(16)

sess = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=scope,
                     code_challenge_method="S256", token_endpoint_auth_method="none")
auth_url, state = sess.create_authorization_url(meta["authorization_endpoint"],
                                                code_verifier=verifier, nonce=nonce)

# The "browser": the plain HTML forms, no JavaScript.
browser = requests.Session()
page = browser.get(auth_url, timeout=10)
assert page.status_code == 200, page.text
assert page.headers["X-Frame-Options"] == "DENY"
sid = re.search(r'name="session" value="([^"]+)"', page.text).group(1)
r = browser.post(base + "/authorize/login", data={"session": sid, "email": "alice@example.com",
                                                  "password": "wonderland"},
                 allow_redirects=False, timeout=10)
assert r.status_code == 303, (r.status_code, r.text)
consent = browser.get(urllib.parse.urljoin(base, r.headers["Location"]), timeout=10)
csrf = re.search(r'name="csrf" value="([^"]+)"', consent.text).group(1)
assert "notes:read" in consent.text
r = browser.post(base + "/authorize/consent",
                 data={"session": sid, "csrf": csrf, "decision": "allow"},
                 allow_redirects=False, timeout=10)
assert r.status_code == 303, (r.status_code, r.text)
callback = r.headers["Location"]
q = urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)
assert q["state"] == [state]
assert q["iss"] == [meta["issuer"]]  # RFC 9207

token = sess.fetch_token(meta["token_endpoint"], authorization_response=callback,
                         code_verifier=verifier)
assert token["token_type"].lower() == "bearer"
assert "refresh_token" in token and "id_token" in token

jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken,
                    claims_options={"iss": {"essential": True, "value": meta["issuer"]}},
                    claims_params={"nonce": nonce, "client_id": client_id,
                                   "access_token": token["access_token"]})
claims.validate(leeway=5)  # exp, iat, aud, nonce, at_hash, auth_time
assert claims["sub"] == "alice"
assert claims["email"] == "alice@example.com"
assert claims["name"] == "Alice Liddell"

# The access token is a JWT too (RFC 9068), signed by the same keys.
at = jwt.decode(token["access_token"], jwks)
at.validate(leeway=5)
assert at["client_id"] == client_id and at["iss"] == meta["issuer"]

info = sess.get(meta["userinfo_endpoint"], timeout=10).json()
assert info["sub"] == "alice" and info["email"] == "alice@example.com", info

old_refresh = token["refresh_token"]
new = sess.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
assert new["access_token"] != token["access_token"]
assert new["refresh_token"] != old_refresh  # rotated for a public client
notes = sess.get(base + "/api/notes", timeout=10)
assert notes.status_code == 200, notes.text

try:
    sess.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    raise AssertionError("the rotated refresh token was accepted again")
except OAuthError as e:
    assert e.error == "invalid_grant", e.error

print("authlib: authorization code + PKCE + ID token + userinfo + refresh rotation: ok")
