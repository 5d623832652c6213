/* SPDX-License-Identifier: MIT */
/* fuzz_spki — the direct SubjectPublicKeyInfo reader (src/jose/spki.c) against OpenSSL's own
 * d2i_PUBKEY on the same bytes. The reader may refuse anything (the caller then asks OpenSSL), but
 * whatever it accepts OpenSSL must accept too, as one whole element, and as the same key. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jose/spki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void spki_fail(const char *what)
{
    fprintf(stderr, "fuzz_spki: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    EVP_PKEY *mine = spki_read(data, size);
    if (ERR_peek_error()) spki_fail("spki_read left an error on the queue");
    if (!mine) return 0;
    const unsigned char *p = data;
    EVP_PKEY *ref = d2i_PUBKEY(NULL, &p, (long)size);
    if (!ref) spki_fail("spki_read accepted a key OpenSSL's d2i_PUBKEY refuses");
    if (p != data + size) spki_fail("spki_read accepted trailing bytes");
    if (EVP_PKEY_eq(mine, ref) != 1) spki_fail("spki_read and d2i_PUBKEY read different keys");
    EVP_PKEY_free(ref);
    EVP_PKEY_free(mine);
    ERR_clear_error();
    return 0;
}
