/* SPDX-License-Identifier: MIT */
/* Helpers shared by the jose unit tests (header-only; not a test itself). */
#ifndef TL_TEST_JOSE_UTIL_H
#define TL_TEST_JOSE_UTIL_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "jose/jsonx.h"

/* Loads tests/vectors/<rel> as JSON; fails the test if it cannot. */
static inline json_t *tju_vector(const char *rel)
{
    const char *dir = getenv("TOKENLAB_VECTORS");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/vectors", rel);
    char *text;
    size_t len;
    tl_err e = {0};
    if (!fileio_read(path, 1 << 20, &text, &len, &e)) {
        fprintf(stderr, "cannot read vector %s: %s\n", path, e.msg);
        return NULL;
    }
    json_t *j = jsonx_parse(text, len, true, &e);
    if (!j) fprintf(stderr, "vector %s: %s\n", path, e.msg);
    free(text);
    return j;
}

/* Dotted-path string lookup: tju_str(j, "input", "payload", NULL). */
static inline const char *tju_str(const json_t *j, ...)
{
    va_list ap;
    va_start(ap, j);
    const char *k;
    while (j && (k = va_arg(ap, const char *))) j = json_object_get(j, k);
    va_end(ap);
    return json_string_value(j);
}

#define assert_code(e, c)                                                                          \
    do {                                                                                           \
        if (!(e).code || strcmp((e).code, (c)) != 0)                                               \
            fail_msg("expected error %s, got %s: %s", (c), (e).code ? (e).code : "(none)",         \
                     (e).msg);                                                                     \
    } while (0)

#define assert_contains(s, frag)                                                                   \
    do {                                                                                           \
        if (!strstr((s), (frag))) fail_msg("\"%s\" does not contain \"%s\"", (s), (frag));         \
    } while (0)

#endif
