/* SPDX-License-Identifier: MIT */
/* b64url — base64url without padding (RFC 7515 §2 and Appendix C; RFC 4648 §5).
 * Decoding is strict: no '=' padding, no '+' or '/', no whitespace, no impossible final
 * group (length % 4 == 1) and no non-zero bits left over in the last character. */
#ifndef TL_JOSE_B64URL_H
#define TL_JOSE_B64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* NUL-terminated, caller frees. NULL only when out of memory. */
char *b64url_encode(const uint8_t *data, size_t len);
/* Decodes `len` chars of `s`. *out is NUL-terminated (not counted in *outlen), caller frees.
 * Errors: "b64.bad_char" (with offset and a hint for '+', '/', '=', whitespace), "b64.length",
 * "b64.trailing_bits". The message names the offset: "'+' at offset 17 (base64url uses '-' and
 * '_')". */
bool b64url_decode(const char *s, size_t len, uint8_t **out, size_t *outlen, tl_err *e);
/* base64url(SHA-256(data)), 43 characters: PKCE's S256 code_challenge (RFC 7636 §4.2) and DPoP's
 * ath (RFC 9449 §4.2). Caller frees; NULL only when out of memory or the digest fails. */
char *b64url_sha256(const void *data, size_t len);

#endif
