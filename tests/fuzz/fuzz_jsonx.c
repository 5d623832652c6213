/* SPDX-License-Identifier: MIT */
/* fuzz_jsonx — the strict JSON parser every JOSE header, payload, JWK and request body goes
 * through: duplicate keys rejected, nesting bounded (JSONX_MAX_DEPTH), invalid UTF-8 rejected.
 * Properties: whatever parses serializes (compact and pretty) to text that parses again to an equal
 * value; a failure always has a code and a message; `want_object` only ever yields objects. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int want_object = 0; want_object < 2; want_object++) {
        tl_err e = {0};
        json_t *j = jsonx_parse((const char *)data, size, want_object, &e);
        if (!j) {
            if (!e.code || !e.msg[0]) abort();
            continue;
        }
        if (want_object && !json_is_object(j)) abort();
        char *c = jsonx_compact(j);
        char *p = jsonx_pretty(j);
        if (!c || !p) abort();
        for (int i = 0; i < 2; i++) {
            const char *s = i ? p : c;
            tl_err e2 = {0};
            json_t *back = jsonx_parse(s, strlen(s), false, &e2);
            if (!back || !json_equal(j, back)) {
                fprintf(stderr, "serialized JSON does not parse back to the same value: %s\n%s\n",
                        e2.msg, s);
                abort();
            }
            json_decref(back);
        }
        free(c);
        free(p);
        json_decref(j);
    }
    return 0;
}
