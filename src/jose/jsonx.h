/* SPDX-License-Identifier: MIT */
/* jsonx — JSON the way JOSE needs it, over jansson: strict parsing (duplicate keys rejected,
 * bounded nesting, a top-level object required where asked), and stable output. */
#ifndef TL_JOSE_JSONX_H
#define TL_JOSE_JSONX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define JSONX_MAX_DEPTH 64

/* Parses `len` bytes. Rejects duplicate keys ("json.duplicate_key"), nesting deeper than
 * JSONX_MAX_DEPTH ("json.too_deep"), invalid UTF-8 and syntax errors ("json.syntax", with line and
 * column). With `want_object`, anything but an object is "json.not_object". An integer beyond 64
 * bits is read as a real (rounded), as most JSON libraries do. Returns a new ref. */
json_t *jsonx_parse(const char *text, size_t len, bool want_object, tl_err *e);
/* Does the JSON text hold an integer literal beyond 64 bits (which jsonx_parse rounds)? */
bool jsonx_has_big_int(const char *text, size_t len);
/* Compact serialization with keys in insertion order; caller frees. */
char *jsonx_compact(const json_t *j);
/* Two-space indented; caller frees. */
char *jsonx_pretty(const json_t *j);
/* A claim value given on a command line: JSON when it parses as JSON (true, 3, [..], {..}, "s"),
 * else the string itself. New ref. */
json_t *jsonx_from_arg(const char *s);

#endif
