/* SPDX-License-Identifier: MIT */
/* pkce — RFC 7636. */
#include "oauth/pkce.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jose/b64url.h"

char *pkce_verifier_new(tl_err *e)
{
    unsigned char rnd[32];
    /* RFC 7636 §7.1: 32 octets of entropy → a 43-character verifier */
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        err_set(e, "pkce.rand", "the random number generator failed");
        return NULL;
    }
    char *v = b64url_encode(rnd, sizeof rnd); /* RFC 7636 Appendix A */
    if (!v) err_set(e, "pkce.nomem", "out of memory");
    return v;
}

bool pkce_verifier_check(const char *v, tl_err *e)
{
    if (!v) return err_set(e, "pkce.length", "no code_verifier given");
    size_t n = strlen(v);
    /* RFC 7636 §4.1: code-verifier = 43*128unreserved */
    if (n < PKCE_VERIFIER_MIN || n > PKCE_VERIFIER_MAX)
        return err_set(e, "pkce.length",
                       "code_verifier is %zu characters; RFC 7636 §4.1 requires 43 to 128", n);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~';
        if (!ok) {
            if (ch >= 0x21 && ch < 0x7f)
                return err_set(e, "pkce.bad_char",
                               "code_verifier has '%c' at offset %zu; only A-Z a-z 0-9 - . _ ~ "
                               "are allowed (RFC 7636 §4.1)",
                               ch, i);
            return err_set(e, "pkce.bad_char",
                           "code_verifier has byte 0x%02X at offset %zu; only A-Z a-z 0-9 - . _ ~ "
                           "are allowed (RFC 7636 §4.1)",
                           ch, i);
        }
    }
    return true;
}

char *pkce_challenge_s256(const char *verifier, tl_err *e)
{
    if (!pkce_verifier_check(verifier, e)) return NULL;
    /* RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) */
    char *c = b64url_sha256(verifier, strlen(verifier));
    if (!c) err_set(e, "pkce.nomem", "out of memory (or SHA-256 failed)");
    return c;
}
