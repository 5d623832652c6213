/* SPDX-License-Identifier: MIT */
/* jwt — the claims side of a JSON Web Token (RFC 7519): time claims with leeway, issuer, audience,
 * type, required claims; and the warnings a beginner needs to see. */
#ifndef TL_JOSE_JWT_H
#define TL_JOSE_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jws.h"
#include "jose/jwk.h"

typedef struct jwt_rules {
    int64_t now;     /* seconds since the epoch (callers pass their clock; no globals) */
    int64_t leeway;  /* seconds of clock skew tolerated on exp/nbf/iat */
    const char *iss; /* required issuer, or NULL */
    const char *aud; /* required audience (string or member of the array), or NULL */
    const char *typ; /* required header typ (case-insensitive, "application/" optional) */
    const char *const *require; /* claims that must be present */
    size_t nrequire;
} jwt_rules;

/* Checks claims against the rules. Error codes, each with a plain message:
 * "jwt.not_object" (payload is not a JSON object), "jwt.expired" ("expired 3 minutes ago at
 * 14:02:11 UTC"), "jwt.not_yet_valid", "jwt.iat_future", "jwt.bad_time" (exp/nbf/iat not a number),
 * "jwt.iss" (wrong or missing issuer), "jwt.aud" (wrong or missing audience), "jwt.typ",
 * "jwt.missing_claim". `t` supplies the header (for typ) and claims. */
bool jwt_check(const jws *t, const jwt_rules *rules, tl_err *e);

typedef struct jwt_warning {
    const char *code; /* "warn.no_exp", "warn.long_lifetime", "warn.short_hmac_key",
                         "warn.alg_none", "warn.typ_unusual", "warn.jwe", "warn.expired",
                         "warn.payload_not_json", "warn.alg_unknown", "warn.alg_missing",
                         "warn.big_number", "warn.weak_rsa" */
    char message[256];
} jwt_warning;

#define JWT_MAX_WARNINGS 12
/* Fills up to `max` warnings for a parsed token; `key` (optional) enables key checks such as an
 * HMAC key shorter than the hash output (RFC 7518 §3.2). Returns the count. */
size_t jwt_warnings(const jws *t, const jwk *key, int64_t now, jwt_warning *out, size_t max);

/* Lifetime above which warn.long_lifetime fires (24 hours). */
#define JWT_LONG_LIFETIME (24 * 3600)

#endif
