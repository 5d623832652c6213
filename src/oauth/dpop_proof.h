/* SPDX-License-Identifier: MIT */
/* dpop_proof — the client's half of DPoP (RFC 9449): a fresh proof JWT for one request, and the
 * request rewritten to carry it. The server's check is src/server/dpop.c; this is what a client
 * library (openid-client's getDPoPHandle, oauth4webapi) does before each token or API request. */
#ifndef TL_OAUTH_DPOP_PROOF_H
#define TL_OAUTH_DPOP_PROOF_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "oauth/http.h"

/* The proof (RFC 9449 §4.2): header {typ: dpop+jwt, alg, jwk: the PUBLIC key}, claims {jti: 16
 * random bytes, htm, htu (query and fragment dropped), iat, and ath = base64url(SHA-256(token))
 * when access_token is not NULL}, signed with `key` (ES256 for an EC P-256 key; RS256, Ed25519 for
 * the others). Caller frees *out. Errors: "dpop.key" (no private key, or an HMAC key: a proof is
 * asymmetric), "dpop.sign" (what jws_sign said), "dpop.nomem". */
bool dpop_proof_make(const jwk *key, const char *htm, const char *htu, const char *access_token,
                     int64_t iat, char **out, tl_err *e);

/* Adds a proof by `key` to `req` for its method and URL; a Bearer Authorization header becomes
 * "DPoP TOKEN" and the proof carries that token's ath (RFC 9449 §7.1). */
bool dpop_proof_attach(http_request *req, const jwk *key, int64_t iat, tl_err *e);

#endif
