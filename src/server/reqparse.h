/* SPDX-License-Identifier: MIT */
/* reqparse — pure parsers for what arrives in an HTTP request: urlencoded query strings and form
 * bodies, flat JSON bodies, the Authorization header (Basic and Bearer), scope lists and the Accept
 * header. No I/O and no server state, so the hardening helper can fuzz every function here. */
#ifndef TL_SERVER_REQPARSE_H
#define TL_SERVER_REQPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define REQPARSE_MAX_PARAMS 64
#define REQPARSE_MAX_SCOPES 32

typedef struct reqparse_kv {
    char *name;  /* decoded, NUL-terminated */
    char *value; /* decoded, NUL-terminated (NULs inside are refused) */
} reqparse_kv;

typedef struct reqparse_params {
    reqparse_kv v[REQPARSE_MAX_PARAMS];
    size_t n;
} reqparse_params;

/* Parses application/x-www-form-urlencoded text (a query string or a form body): '&'-separated
 * name=value pairs, '+' is a space, %XX escapes. Errors: "req.percent" (a bad %XX escape),
 * "req.nul" (a NUL byte, raw or %00), "req.utf8" (invalid UTF-8 after decoding), "req.duplicate" (a
 * parameter given twice, RFC 6749 §3.1), "req.too_many". On failure `out` is left empty. Free with
 * reqparse_params_free. */
bool reqparse_form(const char *s, size_t len, reqparse_params *out, tl_err *e);
/* A flat JSON object whose members are strings (numbers and booleans are converted to text);
 * nested values are "req.json_nested". Syntax, depth and duplicates as jsonx_parse. */
bool reqparse_json(const char *s, size_t len, reqparse_params *out, tl_err *e);
/* The value of `name`, or NULL when absent or empty (RFC 6749 §3.1: a parameter sent without a
 * value is treated as omitted). Borrowed from `p`. */
const char *reqparse_get(const reqparse_params *p, const char *name);
void reqparse_params_free(reqparse_params *p);

/* "Basic base64(id:secret)", where id and secret are form-urlencoded first (RFC 6749 §2.3.1).
 * Errors: "req.auth_scheme" (not Basic), "req.auth_b64", "req.auth_format". Caller frees both. */
bool reqparse_basic_auth(const char *header, char **id, char **secret, tl_err *e);
/* "Bearer TOKEN" (RFC 6750 §2.1: the scheme is case-insensitive, the token is b64token
 * characters). Errors: "req.auth_scheme", "req.auth_format". Caller frees. */
bool reqparse_bearer(const char *header, char **token, tl_err *e);
/* "DPoP TOKEN" (RFC 9449 §7.1), the same rules and errors. */
bool reqparse_dpop(const char *header, char **token, tl_err *e);

/* Splits a scope string on single spaces (RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B /
 * %x5D-7E )). Duplicates are dropped. Error "req.scope". Free with reqparse_scopes_free. */
typedef struct reqparse_scopes {
    char *v[REQPARSE_MAX_SCOPES];
    size_t n;
} reqparse_scopes;
bool reqparse_scope(const char *s, reqparse_scopes *out, tl_err *e);
bool reqparse_scopes_has(const reqparse_scopes *sc, const char *name);
/* Space-joined; caller frees. */
char *reqparse_scopes_join(const reqparse_scopes *sc);
void reqparse_scopes_free(reqparse_scopes *sc);

/* True when `s` (n bytes) is valid UTF-8 without overlongs or surrogates. */
bool reqparse_utf8_valid(const char *s, size_t n);
/* True when an Accept header asks for JSON (application/json anywhere in it, not text/html first).
 */
bool reqparse_accepts_json(const char *accept);
/* Form-urlencodes `s` for a URL query (unreserved characters kept). Caller frees. */
char *reqparse_urlencode(const char *s);

#endif
