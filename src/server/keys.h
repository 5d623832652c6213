/* SPDX-License-Identifier: MIT */
/* keys — the server's signing keys: the current one signs, retired ones stay in the JWKS until
 * every token they signed has expired. The JWKS JSON is built once per change and served as
 * cached bytes. Thread-safe. */
#ifndef TL_SERVER_KEYS_H
#define TL_SERVER_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "jose/jws.h"

typedef struct keys keys;

/* Generates a key for `alg`, or loads `key_file` (PEM or JWK, private). The kid is the RFC 7638
 * thumbprint. Errors "server.keys". */
bool keys_new(jws_alg alg, const char *key_file, keys **out, tl_err *e);
/* Like keys_new without a key file, but the key is kept in `store` (a private JWK, mode 0600,
 * written atomically) and read back at the next start, so a restart does not wait for a new RSA
 * key; `fresh` (or a missing, unreadable or unfitting file) makes a new one and keeps it. Failing
 * to write the file is not an error. Errors "server.keys" (the key could not be generated). */
bool keys_new_kept(jws_alg alg, const char *store, bool fresh, keys **out, tl_err *e);
void keys_free(keys *k);
jws_alg keys_alg(const keys *k);
/* The signing key, with a reference: caller jwk_free()s it. */
jwk *keys_current(keys *k);
/* A key (current or retired) by kid, with a reference (caller jwk_free), or NULL. */
jwk *keys_find(keys *k, const char *kid, int64_t now);
/* All published keys, with references; returns the count (≤ max). Caller frees each. */
size_t keys_all(keys *k, int64_t now, jwk **out, size_t max);
/* Generates a new current key; the old one stays published until now + keep_seconds. */
bool keys_rotate(keys *k, int64_t now, int64_t keep_seconds, tl_err *e);
/* The JWKS document {"keys":[…]} (public members only). The bytes stay valid until keys_free. */
const char *keys_jwks(keys *k, int64_t now, size_t *len);

#endif
