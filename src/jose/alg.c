/* SPDX-License-Identifier: MIT */
/* Algorithm facts (see alg.h). */
#include "jose/alg.h"

#include <openssl/evp.h>
#include <string.h>

#include "jose/b64url.h"

bool alg_is_hmac(jws_alg alg)
{
    return alg == JWS_HS256 || alg == JWS_HS384 || alg == JWS_HS512;
}

size_t alg_hash_len(jws_alg alg)
{
    switch (alg) {
    case JWS_HS256:
    case JWS_RS256:
    case JWS_PS256:
    case JWS_ES256:
        return 32;
    case JWS_HS384:
    case JWS_RS384:
    case JWS_PS384:
    case JWS_ES384:
        return 48;
    case JWS_HS512:
    case JWS_RS512:
    case JWS_PS512:
    case JWS_ES512:
    case JWS_EDDSA:
    case JWS_ED25519: /* Ed25519 hashes with SHA-512 (RFC 8032 §5.1) */
        return 64;
    default:
        return 0;
    }
}

const char *alg_hash_name(jws_alg alg)
{
    size_t n = alg_hash_len(alg);
    return n == 32 ? "SHA256" : n == 48 ? "SHA384" : n == 64 ? "SHA512" : NULL;
}

char *alg_half_hash(jws_alg alg, const char *value)
{
    const char *name = alg_hash_name(alg);
    if (!name || !value) return NULL;
    EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    int ok = md && EVP_Digest(value, strlen(value), h, &hl, md, NULL) == 1;
    EVP_MD_free(md);
    return ok ? b64url_encode(h, hl / 2) : NULL;
}
