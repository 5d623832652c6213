/* SPDX-License-Identifier: MIT */
/* Percent-decoding (see pct.h). */
#include "base/pct.h"

#include <stdlib.h>

static int pct_hex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool pct_decode(const char *s, size_t len, bool plus_is_space, char **out, size_t *outlen,
                tl_err *e)
{
    *out = NULL;
    if (outlen) *outlen = 0;
    char *r = malloc(len + 1);
    if (!r) return err_set(e, "oom", "out of memory");
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < len ? pct_hex(s[i + 1]) : -1;
            int lo = i + 2 < len ? pct_hex(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(r);
                return err_set(e, "pct.escape",
                               "'%%' at offset %zu is not followed by two hex digits", i);
            }
            c = (char)(hi * 16 + lo);
            if (c == '\0') {
                free(r);
                return err_set(e, "pct.nul", "an encoded NUL byte (%%00) at offset %zu", i);
            }
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if (c == '\0') {
            free(r);
            return err_set(e, "pct.nul", "a NUL byte at offset %zu", i);
        }
        r[o++] = c;
    }
    r[o] = '\0';
    *out = r;
    if (outlen) *outlen = o;
    return true;
}
