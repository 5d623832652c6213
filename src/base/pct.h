/* SPDX-License-Identifier: MIT */
/* pct — percent-decoding (RFC 3986 §2.1), the one copy both sides use: the server reading query
 * strings and form bodies (server/reqparse.c) and the client reading redirects and responses
 * (oauth/flow.c).
 *
 * With plus_is_space, '+' means a space, as application/x-www-form-urlencoded says (the HTML URL
 * standard; RFC 6749 Appendix B). A '%' must be followed by two hex digits ("pct.escape"), and a
 * NUL byte, literal or written %00, is refused ("pct.nul"): every caller hands the result on as a C
 * string, where a NUL would silently cut it short. Messages name the offset in the input. */
#ifndef TL_BASE_PCT_H
#define TL_BASE_PCT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Decodes `len` bytes of `s` into a new NUL-terminated string (*out, caller frees; *outlen its
 * length, may be NULL). Errors: "pct.escape", "pct.nul", "oom". */
bool pct_decode(const char *s, size_t len, bool plus_is_space, char **out, size_t *outlen,
                tl_err *e);

#endif
