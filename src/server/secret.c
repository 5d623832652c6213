/* SPDX-License-Identifier: MIT */
/* Random tokens, constant-time comparison and PBKDF2 password hashes over OpenSSL. */
#include "server/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/b64url.h"

char *secret_random_token(size_t nbytes)
{
    uint8_t buf[64];
    if (nbytes > sizeof buf || RAND_bytes(buf, (int)nbytes) != 1) return NULL;
    return b64url_encode(buf, nbytes);
}

bool secret_equal(const char *a, const char *b)
{
    if (!a || !b) return false;
    unsigned char da[32], db[32];
    unsigned int la = 0, lb = 0;
    if (!EVP_Digest(a, strlen(a), da, &la, EVP_sha256(), NULL) ||
        !EVP_Digest(b, strlen(b), db, &lb, EVP_sha256(), NULL))
        return false;
    return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

bool secret_password_ok(const char *stored, const char *password)
{
    if (!stored || !password) return false;
    const char *pfx = "pbkdf2-sha256$";
    if (strncmp(stored, pfx, strlen(pfx)) != 0) return false;
    const char *p = stored + strlen(pfx);
    char *end = NULL;
    long iter = strtol(p, &end, 10);
    if (!end || *end != '$' || iter < 1000 || iter > 10000000) return false;
    const char *salt = end + 1;
    const char *dollar = strchr(salt, '$');
    if (!dollar) return false;
    uint8_t *s = NULL, *h = NULL;
    size_t sl = 0, hl = 0;
    bool ok = false;
    if (b64url_decode(salt, (size_t)(dollar - salt), &s, &sl, NULL) &&
        b64url_decode(dollar + 1, strlen(dollar + 1), &h, &hl, NULL) && hl > 0 && hl <= 64) {
        uint8_t out[64];
        if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), s, (int)sl, (int)iter, EVP_sha256(),
                              (int)hl, out) == 1)
            ok = CRYPTO_memcmp(out, h, hl) == 0;
    }
    free(s);
    free(h);
    return ok;
}

char *secret_password_hash(const char *password, int iterations)
{
    uint8_t salt[16], out[32];
    if (RAND_bytes(salt, sizeof salt) != 1 ||
        PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof salt, iterations,
                          EVP_sha256(), sizeof out, out) != 1)
        return NULL;
    char *s = b64url_encode(salt, sizeof salt), *h = b64url_encode(out, sizeof out);
    char *res = NULL;
    if (s && h) {
        size_t n = strlen(s) + strlen(h) + 48;
        res = malloc(n);
        if (res) snprintf(res, n, "pbkdf2-sha256$%d$%s$%s", iterations, s, h);
    }
    free(s);
    free(h);
    return res;
}
