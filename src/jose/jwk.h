/* SPDX-License-Identifier: MIT */
/* jwk — keys: JWK / JWKS (RFC 7517, 7518 §6, RFC 8037), PEM in every common shape, generation,
 * RFC 7638 thumbprints. A jwk wraps an OpenSSL EVP_PKEY (RSA, EC P-256/384/521, Ed25519) or the
 * bytes of a symmetric ("oct") key, plus the JWK metadata that constrains its use. */
#ifndef TL_JOSE_JWK_H
#define TL_JOSE_JWK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jws.h"

typedef enum jwk_kty { JWK_KTY_RSA, JWK_KTY_EC, JWK_KTY_OKP, JWK_KTY_OCT } jwk_kty;

typedef struct jwk jwk;   /* opaque */
typedef struct jwks jwks; /* opaque */

/* Parses PEM (PUBLIC KEY / PRIVATE KEY / RSA PUBLIC KEY / RSA PRIVATE KEY / EC PRIVATE KEY /
 * CERTIFICATE), a JWK object, or — for jwk_parse_any — raw text that is neither (an error).
 * "key.pem", "key.jwk", "key.unsupported" (e.g. EC curve secp256k1, RSA < 2048 bits is allowed but
 * warned elsewhere). Caller frees with jwk_free. */
bool jwk_from_pem(const char *pem, size_t len, jwk **out, tl_err *e);
bool jwk_from_json(const json_t *obj, jwk **out, tl_err *e);
bool jwk_parse_any(const char *text, size_t len, jwk **out, tl_err *e);
/* A symmetric key from raw bytes (an HMAC secret; even an empty one, which jwt_warnings flags).
 * NULL only when out of memory. */
jwk *jwk_from_secret(const uint8_t *secret, size_t len);
/* Generates a key suitable for `alg`: RSA (bits, default 2048), EC on the alg's curve, Ed25519, or
 * a random oct key as long as the hash. */
bool jwk_generate(jws_alg alg, int bits, jwk **out, tl_err *e);
void jwk_free(jwk *k);
jwk *jwk_ref(jwk *k); /* reference counted: jwk_free drops one reference */

jwk_kty jwk_type(const jwk *k);
const char *jwk_kty_name(jwk_kty kty); /* "RSA", "EC", "OKP", "oct" */
bool jwk_is_private(const jwk *k);     /* oct keys count as private */
int jwk_bits(const jwk *k);            /* RSA modulus / EC field / oct length in bits */
const char *jwk_curve(const jwk *k);   /* "P-256", "P-384", "P-521", "Ed25519" or NULL */
const char *jwk_kid(const jwk *k);     /* NULL if none */
bool jwk_set_kid(jwk *k, const char *kid);
const char *jwk_alg(const jwk *k); /* the JWK "alg" member or NULL */
bool jwk_set_alg(jwk *k, const char *alg);
const uint8_t *jwk_secret(const jwk *k, size_t *len); /* oct only, else NULL */

/* May this key be used with `alg` to sign (for_sign) or verify? Combines the key type and curve
 * (an RSA key never does HS256; a P-256 key only ES256), the JWK "alg", "use" and "key_ops".
 * Errors: "jws.alg_not_allowed", "jws.key_use", "jws.alg_none", "jws.alg_unknown", and
 * "key.not_private" when for_sign and the key is public. */
bool jwk_allows(const jwk *k, jws_alg alg, bool for_sign, tl_err *e);
/* The algorithms this key can do, in preference order; returns the count (<= JWS_ALG_COUNT). */
size_t jwk_algs(const jwk *k, jws_alg *out);
/* The default algorithm for a key (RS256, ES256/384/512 by curve, EdDSA, HS256). */
jws_alg jwk_default_alg(const jwk *k);

/* JWK JSON with members in RFC 7638 order plus kid/use/alg/key_ops; private members only when asked
 * and present (an oct key always carries "k": it has no public part). New ref. */
json_t *jwk_to_json(const jwk *k, bool include_private);
/* PEM: SPKI for public, PKCS#8 for private. Caller frees. Not for oct keys ("key.no_pem"). */
char *jwk_to_pem(const jwk *k, bool include_private, tl_err *e);
/* RFC 7638 thumbprint: base64url(SHA-256(required members, lexicographic order, no whitespace)).
 * Caller frees. */
char *jwk_thumbprint(const jwk *k, tl_err *e);
/* The underlying EVP_PKEY (NULL for oct), for benchmarks against raw OpenSSL. Borrowed. */
void *jwk_evp_pkey(const jwk *k);

/* JWKS {"keys":[...]}. Members it cannot use are skipped with the reason kept (jwks_skipped). */
bool jwks_parse(const char *text, size_t len, jwks **out, tl_err *e);
bool jwks_from_json(const json_t *obj, jwks **out, tl_err *e);
jwks *jwks_new(void);
bool jwks_add(jwks *set, jwk *k); /* takes a reference */
size_t jwks_count(const jwks *set);
/* Members that were skipped while parsing, each "keys[2]: <why>"; NULL past the end. */
size_t jwks_skipped_count(const jwks *set);
const char *jwks_skipped(const jwks *set, size_t i);
const jwk *jwks_get(const jwks *set, size_t i);
const jwk *jwks_find_kid(const jwks *set, const char *kid);
json_t *jwks_to_json(const jwks *set); /* public members only; oct keys are left out */
void jwks_free(jwks *set);

#endif
