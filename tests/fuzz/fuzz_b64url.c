/* SPDX-License-Identifier: MIT */
/* fuzz_b64url — the strict base64url decoder (src/jose/b64url.h) on arbitrary bytes.
 *
 * Besides "no crash, no leak, no over-read" it checks two properties that make the decoder strict
 * and the encoder canonical (RFC 7515 §2, RFC 4648 §5):
 *   - whatever decodes re-encodes to exactly the same text (so there is one spelling per value:
 *     no padding, no whitespace, no stray trailing bits slipped through);
 *   - any bytes encode to text that decodes back to the same bytes, with no '=', '+' or '/'.
 * A failure of either is an abort(), which libFuzzer and the replay driver report as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tl_err e = {0};
    uint8_t *out = NULL;
    size_t outlen = 0;
    if (b64url_decode((const char *)data, size, &out, &outlen, &e)) {
        if (out == NULL || out[outlen] != '\0') abort(); /* promised: NUL-terminated output */
        char *again = b64url_encode(out, outlen);
        if (!again || strlen(again) != size || memcmp(again, data, size) != 0) {
            fprintf(stderr,
                    "decode/encode is not the identity: accepted a non-canonical spelling\n");
            abort();
        }
        free(again);
        free(out);
    } else {
        /* Every failure carries a code and a message a learner can read. */
        if (!e.code || !e.msg[0]) abort();
    }

    char *enc = b64url_encode(data, size);
    if (!enc) return 0;
    size_t elen = strlen(enc);
    if (strpbrk(enc, "=+/") != NULL || elen != (size * 4 + 2) / 3) abort();
    tl_err e2 = {0};
    uint8_t *back = NULL;
    size_t blen = 0;
    if (!b64url_decode(enc, elen, &back, &blen, &e2)) {
        fprintf(stderr, "encoder output rejected by the decoder: %s\n", e2.msg);
        abort();
    }
    if (blen != size || (size && memcmp(back, data, size) != 0)) abort();
    free(back);
    free(enc);
    return 0;
}
