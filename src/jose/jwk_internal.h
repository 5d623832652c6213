/* jwk_internal — what jws.c needs from inside a jwk and nobody else should use. */
#ifndef TL_JOSE_JWK_INTERNAL_H
#define TL_JOSE_JWK_INTERNAL_H

#include <openssl/evp.h>

#include "jose/jwk.h"

/* The HMAC context keyed with this oct key for SHA-256 (0), SHA-384 (1), SHA-512 (2); NULL when
 * not an oct key or when OpenSSL refused the key (e.g. empty). Borrowed and shared: duplicate it
 * (EVP_MAC_CTX_dup) before use. */
EVP_MAC_CTX *jwk_hmac_template(const jwk *k, int hash_index);

#endif
