/* SPDX-License-Identifier: MIT */
/* jwk_internal — what jws.c needs from inside a jwk and nobody else should use. */
#ifndef TL_JOSE_JWK_INTERNAL_H
#define TL_JOSE_JWK_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdbool.h>

#include "jose/jwk.h"

/* The HMAC context keyed with this oct key for SHA-256 (0), SHA-384 (1), SHA-512 (2); NULL when
 * not an oct key or when OpenSSL refused the key (e.g. empty). Borrowed and shared: duplicate it
 * (EVP_MAC_CTX_dup) before use. */
EVP_MAC_CTX *jwk_hmac_template(const jwk *k, int hash_index);

/* A key of OpenSSL type `type` ("RSA", "EC") from the parameters in `bld` (a key pair with priv,
 * else the public half) — how JWK members and SPKI parts become an EVP_PKEY. NULL with "key.jwk"
 * (OpenSSL's reason in the message) when OpenSSL refuses them; `e` may be NULL. */
EVP_PKEY *jwk_fromdata(const char *type, OSSL_PARAM_BLD *bld, bool priv, tl_err *e);

#endif
