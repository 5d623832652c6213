/* SPDX-License-Identifier: MIT */
/* pkce — Proof Key for Code Exchange (RFC 7636): the verifier a client keeps and the challenge it
 * sends with the authorization request. */
#ifndef TL_OAUTH_PKCE_H
#define TL_OAUTH_PKCE_H

#include <stdbool.h>

#include "base/err.h"

#define PKCE_VERIFIER_MIN 43
#define PKCE_VERIFIER_MAX 128

/* A fresh verifier: 32 bytes from the CSPRNG (RAND_bytes), base64url = 43 characters of the
 * unreserved set (RFC 7636 §4.1, §7.1). Caller frees. NULL (and e: "pkce.rand") if the CSPRNG
 * fails. */
char *pkce_verifier_new(tl_err *e);
/* True when `v` is 43..128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1). Errors:
 * "pkce.length", "pkce.bad_char" (names the character and its offset). */
bool pkce_verifier_check(const char *v, tl_err *e);
/* BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2 — 43 characters. Caller frees. NULL (and e)
 * when the verifier is invalid per pkce_verifier_check. */
char *pkce_challenge_s256(const char *verifier, tl_err *e);

#endif
