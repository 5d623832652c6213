/* SPDX-License-Identifier: MIT */
/* idtoken — what a client must check before it believes an ID token (OpenID Connect Core 1.0
 * §3.1.3.7): the signature against the issuer's JWKS (the key decides the algorithm; "none" never
 * passes), iss, aud and azp, exp/iat, the nonce it sent, and at_hash against the access token that
 * came with it (§3.1.3.8). */
#ifndef TL_OAUTH_IDTOKEN_H
#define TL_OAUTH_IDTOKEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"

typedef struct idtoken_expect {
    const char *issuer;       /* required: must equal "iss" exactly */
    const char *client_id;    /* required: must be in "aud"; "azp", when present, must equal it */
    const char *nonce;        /* the nonce sent with the request, or NULL when none was sent */
    const char *access_token; /* when given and the token has "at_hash", it must match */
    int64_t now;              /* seconds since the epoch */
    int64_t leeway;           /* clock skew allowed on exp/iat, seconds */
} idtoken_expect;

/* Checks `id_token` in the order of §3.1.3.7. On success *claims_out (may be NULL) gets a new
 * reference to the claims. Errors keep the JOSE codes where the rule is a JOSE rule (jws.*, jwks.*,
 * jwt.expired, jwt.iss, jwt.aud, jwt.missing_claim) and add:
 *   "idtoken.azp"     azp present and not our client_id (§3.1.3.7 step 5)
 *   "idtoken.nonce"   nonce missing or different (§3.1.3.7 step 11: replay)
 *   "idtoken.at_hash" at_hash does not match the access token (§3.1.3.8)
 *   "idtoken.arg"     missing issuer, client_id or keys */
bool idtoken_check(const char *id_token, const jwks *keys, const idtoken_expect *x,
                   json_t **claims_out, tl_err *e);

/* at_hash / c_hash of `value` for a JWS alg name (§3.1.3.6): base64url of the left half of the
 * hash that the alg uses (SHA-256 for *256, SHA-384, SHA-512; EdDSA: SHA-512). Caller frees; NULL
 * for an unknown alg. */
char *idtoken_half_hash(const char *alg, const char *value);

#endif
