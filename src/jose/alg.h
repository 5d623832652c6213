/* SPDX-License-Identifier: MIT */
/* alg — the facts about a JWS algorithm (RFC 7518 §3, RFC 8037) that every layer asks, written
 * once: is it HMAC, which hash it uses (and so the HMAC output and minimum secret size, RFC 7518
 * §3.2), the OIDC half-hash (`at_hash`, `c_hash`), and what a freshly minted token gets unless told
 * otherwise. No I/O, no globals. */
#ifndef TL_JOSE_ALG_H
#define TL_JOSE_ALG_H

#include <stdbool.h>
#include <stddef.h>

#include "jose/jws.h"

/* HS256, HS384, HS512: a shared secret signs and verifies. */
bool alg_is_hmac(jws_alg alg);

/* The OpenSSL digest name of the alg's hash: "SHA256" | "SHA384" | "SHA512". EdDSA answers
 * "SHA512" (Ed25519's own hash; OIDC Core §3.1.3.6 uses it for at_hash). NULL for none/unknown. */
const char *alg_hash_name(jws_alg alg);
/* Bytes of that hash: 32, 48 or 64 (0 for none/unknown). For HMAC this is both the MAC size and the
 * smallest secret RFC 7518 §3.2 allows. */
size_t alg_hash_len(jws_alg alg);

/* OIDC Core §3.1.3.6 / §3.3.2.11: base64url of the left half of the alg's hash of `value` (the
 * at_hash of an access token, the c_hash of a code). Caller frees; NULL for none/unknown algs or
 * when out of memory. */
char *alg_half_hash(jws_alg alg, const char *value);

/* What a minted token gets unless the learner says otherwise (`tokenlab mint`, the lesson action
 * `mint`): header "typ": "JWT", claims "iat" = now and "exp" = now + ALG_MINT_TTL seconds. */
#define ALG_MINT_TYP "JWT"
#define ALG_MINT_TTL (15 * 60)

#endif
