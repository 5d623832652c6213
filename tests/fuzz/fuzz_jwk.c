/* SPDX-License-Identifier: MIT */
/* fuzz_jwk — JWK and JWKS loading (RFC 7517, RFC 7518 §6, RFC 8037) from arbitrary bytes, the way
 * `--key FILE`, `--jwks FILE|URL` and the TUI's JWKS cache take them. Every key that loads goes
 * through keycheck.h (exports re-import to the same thumbprint, algorithms decided by the key). */
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include "jose/jsonx.h"
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
    if (jwk_parse_any((const char *)data, size, &k, &e)) {
        keycheck_key(k);
        jwk_free(k);
    } else {
        keycheck_err(&e, "jwk_parse_any failed without an error");
    }

    tl_err se = {0};
    jwks *set = NULL;
    if (jwks_parse((const char *)data, size, &set, &se)) {
        size_t n = jwks_count(set), npub = 0;
        for (size_t i = 0; i < n; i++) {
            const jwk *m = jwks_get(set, i);
            if (!m) keycheck_fail("jwks_get returned NULL inside the count");
            keycheck_key(m);
            if (jwk_type(m) != JWK_KTY_OCT) npub++;
            const char *kid = jwk_kid(m);
            if (kid && !jwks_find_kid(set, kid))
                keycheck_fail("jwks_find_kid cannot find a member's kid");
        }
        if (jwks_get(set, n) != NULL) keycheck_fail("jwks_get past the end");
        json_t *pub = jwks_to_json(set);
        if (!pub) keycheck_fail("jwks_to_json returned NULL");
        jwks *again = NULL;
        tl_err ae = {0};
        if (!jwks_from_json(pub, &again, &ae)) {
            fprintf(stderr, "our own JWKS export does not import: %s\n", ae.msg);
            abort();
        }
        /* Symmetric keys are never published, everything else is. */
        if (jwks_count(again) != npub)
            keycheck_fail("JWKS round trip changed the number of asymmetric keys");
        jwks_free(again);
        json_decref(pub);
        jwks_free(set);
    } else {
        keycheck_err(&se, "jwks_parse failed without an error");
    }
    return 0;
}
