/* SPDX-License-Identifier: MIT */
/* vopts — the verify options that `verify` and `decode` share, and the verification itself:
 * exactly one key source (--secret, --key or --jwks), then the JWS (RFC 7515 §5.2), then, unless
 * --signature-only, the claims (RFC 7519 §7.2). */
#ifndef TL_CLI_VOPTS_H
#define TL_CLI_VOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "cli/args.h"
#include "jose/jwk.h"
#include "jose/jws.h"

#define VOPTS_MAX_REQUIRE 32

enum {
    VOPT_SECRET = 100,
    VOPT_KEY,
    VOPT_JWKS,
    VOPT_ALG,
    VOPT_ISS,
    VOPT_AUD,
    VOPT_LEEWAY,
    VOPT_REQUIRE,
    VOPT_SIGNATURE_ONLY,
    VOPT_NOW,
    VOPT_TYP,
};

/* Splice into an args_opt table. */
/* clang-format off */
#define VOPTS_TABLE_ENTRIES                                                                        \
    {"secret", true, VOPT_SECRET},                                                                 \
    {"key", true, VOPT_KEY},                                                                       \
    {"jwks", true, VOPT_JWKS},                                                                     \
    {"alg", true, VOPT_ALG},                                                                       \
    {"iss", true, VOPT_ISS},                                                                       \
    {"aud", true, VOPT_AUD},                                                                       \
    {"typ", true, VOPT_TYP},                                                                       \
    {"leeway", true, VOPT_LEEWAY},                                                                 \
    {"require", true, VOPT_REQUIRE},                                                               \
    {"signature-only", false, VOPT_SIGNATURE_ONLY},                                                \
    {"now", true, VOPT_NOW}
/* clang-format on */

/* The help lines for these options. */
#define VOPTS_HELP                                                                                 \
    "  -s, --secret S      HMAC secret: a literal, @FILE (its bytes exactly) or b64:BASE64\n"      \
    "  -k, --key FILE      public (or private) key: PEM (SPKI, PKCS#1, PKCS#8, SEC1, X.509\n"      \
    "                      certificate) or JWK; '-' reads stdin\n"                                 \
    "  --jwks FILE|URL     a JWK Set from a file or an http(s) URL; the key is chosen by kid\n"    \
    "  -a, --alg ALG       accept only this algorithm (repeatable); the key decides the rest\n"    \
    "  --iss ISSUER        require this issuer (iss)\n"                                            \
    "  --aud AUDIENCE      require this audience (aud, a string or one of an array)\n"             \
    "  --leeway SECONDS    clock skew tolerated on exp, nbf and iat (default 0)\n"                 \
    "  --require CLAIM     the claim must be present (repeatable)\n"                               \
    "  --typ TYPE          require this header typ (e.g. at+jwt for RFC 9068 access tokens)\n"     \
    "  --signature-only    check the signature only, nothing about claims\n"                       \
    "  --now TIME          check times as if it were this instant: seconds since 1970 or\n"        \
    "                      a UTC time like 2026-11-28T14:02:11Z\n"

typedef struct vopts {
    const char *secret, *key, *jwks; /* at most one */
    jws_alg algs[JWS_ALG_COUNT];
    size_t nalgs;
    const char *iss, *aud, *typ;
    int64_t leeway;
    const char *require[VOPTS_MAX_REQUIRE];
    size_t nrequire;
    bool signature_only;
    int64_t now;
    bool any; /* some verify option was given */
    /* loaded by vopts_load: */
    jwk *k;
    jwks *set;
} vopts;

void vopts_init(vopts *v);
void vopts_free(vopts *v);
/* Handles one option from the table above. Returns CLI_OK, or CLI_USAGE after printing why. */
int vopts_handle(vopts *v, const char *cmd, int id, const char *val);
/* After parsing: checks the combination and loads the key. Returns CLI_OK, CLI_USAGE or CLI_IO
 * (message printed). With `need_key`, no key source is a usage error. */
int vopts_load(vopts *v, const char *cmd, bool need_key);
bool vopts_has_key(const vopts *v);
/* True when the key would be read from stdin (--key -, --jwks -, --secret @-). */
bool vopts_key_from_stdin(const vopts *v);
/* True (after saying so) when the token (`token_arg` NULL or "-") and the key would both be read
 * from stdin: decode and verify then exit CLI_USAGE. */
bool vopts_stdin_clash(const vopts *v, const char *cmd, const char *token_arg);
/* Verifies: the signature, then the claims unless signature_only. `used_kid` (optional) gets the
 * kid of the JWKS key that matched (borrowed). */
bool vopts_verify(const vopts *v, const jws *t, const char **used_kid, tl_err *e);

#endif
