/* SPDX-License-Identifier: MIT */
/* fuzz_pem — PEM key loading in every shape tokenlab accepts (SPKI, PKCS#8, PKCS#1, SEC1,
 * X.509 certificate) from arbitrary bytes. Every key that loads goes through keycheck.h. */
#include <stdint.h>
#include <string.h>

#include "keycheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_PAD_NUL /* exploration only: hide over-reads past `size` to look for other bugs */
    static char padded[1 << 17];
    if (size >= sizeof padded) return 0;
    memcpy(padded, data, size);
    padded[size] = '\0';
    data = (const uint8_t *)padded;
#endif
    tl_err e = {0};
    jwk *k = NULL;
    if (jwk_from_pem((const char *)data, size, &k, &e)) {
        if (jwk_type(k) == JWK_KTY_OCT) keycheck_fail("a PEM loaded as an oct key");
        keycheck_key(k);
        jwk_free(k);
    } else {
        keycheck_err(&e, "jwk_from_pem failed without an error");
    }
    return 0;
}
