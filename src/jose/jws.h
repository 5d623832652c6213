/* SPDX-License-Identifier: MIT */
/* jws — JSON Web Signature, compact serialization (RFC 7515) and the algorithms of RFC 7518 §3 and
 * RFC 8037 (EdDSA). Parsing never depends on algorithm support: any well-formed token decodes, so a
 * learner can always look inside. Verification never trusts the token's `alg` (see jws_verify). */
#ifndef TL_JOSE_JWS_H
#define TL_JOSE_JWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef enum jws_alg {
    JWS_ALG_UNKNOWN = 0, /* anything we do not implement: still decodes */
    JWS_ALG_NONE,        /* parsed and shown, never accepted by verify */
    JWS_HS256,
    JWS_HS384,
    JWS_HS512,
    JWS_RS256,
    JWS_RS384,
    JWS_RS512,
    JWS_PS256,
    JWS_PS384,
    JWS_PS512,
    JWS_ES256,
    JWS_ES384,
    JWS_ES512,
    JWS_EDDSA,   /* RFC 8037's polymorphic name; RFC 9864 deprecates it (IANA) */
    JWS_ED25519, /* RFC 9864 §2.2: the fully-specified name; minted by default */
    JWS_ALG_COUNT
} jws_alg;

/* "HS256" ... "EdDSA", "Ed25519", "none". */
const char *jws_alg_name(jws_alg alg);
/* Exact, case-sensitive match (RFC 7515 §4.1.1: alg values are case-sensitive). "None", "NONE"
 * map to JWS_ALG_UNKNOWN, so they can never be confused with a real algorithm. */
jws_alg jws_alg_from_name(const char *name);
/* True for "none" in any casing — for warnings and for refusing it loudly. */
bool jws_alg_name_is_none(const char *name);

typedef struct jws_span {
    const char *p; /* points into jws.compact */
    size_t n;
} jws_span;

typedef struct jws {
    char *compact;   /* owned copy of the input token, surrounding whitespace trimmed */
    size_t nsegs;    /* 3 for JWS; 5 for a JWE (header decoded, nothing else) */
    jws_span seg[5]; /* raw segments as they appear in `compact` */
    json_t *header;  /* JOSE header, always a JSON object */
    char *alg_name;  /* header "alg" as written (NULL if absent or not a string) */
    jws_alg alg;
    const char *kid;  /* header "kid" or NULL (points into header) */
    const char *typ;  /* header "typ" or NULL */
    uint8_t *payload; /* decoded payload bytes (NUL-terminated, not counted) */
    size_t payload_len;
    json_t *claims;    /* payload as a JSON object, or NULL if it is not one */
    tl_err claims_err; /* why `claims` is NULL (payload not JSON / not an object) */
    uint8_t *sig;      /* decoded signature */
    size_t sig_len;
    bool is_jwe; /* 5 segments: an encrypted token; only the header is readable */
} jws;

/* Parses a compact token. Errors name the segment: "jws.segments" (wrong count, e.g. 2 or 6),
 * "jws.empty", "jws.too_big" (> JWS_MAX_TOKEN bytes), "jws.header_b64", "jws.header_json",
 * "jws.payload_b64", "jws.signature_b64". A payload that is not JSON is NOT an error (the token is
 * still a valid JWS): `claims` is NULL and `claims_err` says why. Nor is a header without a string
 * "alg": `alg_name` is NULL, and verification refuses it ("jws.alg_missing").
 * Caller frees with jws_free. */
#define JWS_MAX_TOKEN (1u << 20)
bool jws_parse(const char *token, size_t len, jws **out, tl_err *e);
void jws_free(jws *t);

/* The JWS Signing Input, RFC 7515 §5.1 step 6 / §7.2.1:
 *     ASCII(BASE64URL(UTF8(JWS Protected Header)) || '.' || BASE64URL(JWS Payload))
 * For a parsed token this is exactly the first two raw segments and the dot between them — never a
 * re-serialization, because the signature covers the bytes as sent. Caller frees. */
char *jws_signing_input(const jws *t);

struct jwk;
struct jwks;

/* Signs `payload` under `header` (an object; "alg" is set from `alg`, "kid" from the key's kid when
 * the header has none). Returns the compact token (caller frees). Refuses JWS_ALG_NONE unless
 * `allow_none` (mint --alg none for the attack lessons), and refuses an alg the key does not allow.
 */
bool jws_sign(const json_t *header, const uint8_t *payload, size_t payload_len, jws_alg alg,
              const struct jwk *key, bool allow_none, char **token_out, tl_err *e);

/* Verifies the signature with `key`. The KEY decides which algorithms are possible (RSA: RS*, PS*;
 * EC P-256: ES256 only; Ed25519: EdDSA; oct: HS*), the key's JWK "alg"/"use"/"key_ops" narrow that,
 * and `allowed` (if nallowed > 0) narrows it further. The header's alg must be in what remains.
 * Errors: "jws.alg_none" (unsigned tokens are never accepted), "jws.alg_not_allowed" (e.g. HS256
 * with an RSA key: the key-confusion attack), "jws.alg_unknown", "jws.sig_length" (a signature of
 * the wrong size for the alg: ECDSA R||S 64/96/132 bytes, HMAC the hash size, RSA the modulus size,
 * Ed25519 64), "jws.sig_mismatch" ("signature does not match: the payload was changed after
 * signing, or the key is wrong"; also an ECDSA signature with R = 0 or S = 0), "jws.key_use" (JWK
 * use/key_ops forbid verifying), "jws.is_jwe" (5 segments: nothing to verify), "jws.crit" (a "crit"
 * header names an extension tokenlab does not implement, RFC 7515 §4.1.11), "jws.crypto" (OpenSSL
 * failed). */
bool jws_verify(const jws *t, const struct jwk *key, const jws_alg *allowed, size_t nallowed,
                tl_err *e);
/* Picks the key from a JWKS (by kid, else by key type compatible with the header's alg; an
 * ambiguous choice tries each candidate) and verifies. "jwks.no_key" when nothing fits; a kid
 * absent from the set is "jwks.no_key" too (never a fallback to keys with other kids). `used_kid`
 * (optional) receives the kid of the key that verified (static lifetime of the jwks). */
bool jws_verify_jwks(const jws *t, const struct jwks *set, const jws_alg *allowed, size_t nallowed,
                     const char **used_kid, tl_err *e);

/* Low-level: raw signature over `input` (e.g. the signing input); ECDSA output is JOSE R||S.
 * *sig is malloc'd, caller frees. Both check jwk_allows(key, alg, ...) first. Thread-safe: one jwk
 * may sign and verify from several threads at once. */
bool jws_sign_raw(jws_alg alg, const struct jwk *key, const uint8_t *input, size_t len,
                  uint8_t **sig, size_t *sig_len, tl_err *e);
bool jws_verify_raw(jws_alg alg, const struct jwk *key, const uint8_t *input, size_t len,
                    const uint8_t *sig, size_t sig_len, tl_err *e);

#endif
