/* SPDX-License-Identifier: MIT */
/* secret — random tokens from the CSPRNG, constant-time comparison, password hashes. */
#ifndef TL_SERVER_SECRET_H
#define TL_SERVER_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* `nbytes` random bytes (RAND_bytes) as base64url; caller frees. NULL only on CSPRNG failure. */
char *secret_random_token(size_t nbytes);
/* Compares two strings in time independent of where they differ (and of their lengths): both
 * are hashed with SHA-256 and the digests compared with CRYPTO_memcmp. NULL never equals. */
bool secret_equal(const char *a, const char *b);
/* Checks a password against "pbkdf2-sha256$ITER$SALT$HASH" (PKCS5_PBKDF2_HMAC, constant-time). */
bool secret_password_ok(const char *stored, const char *password);
/* A valid hash of a random password, same cost as the demo users': checked for unknown users so
 * that timing does not reveal which emails exist. */
#define SECRET_DUMMY_HASH                                                                          \
    "pbkdf2-sha256$60000$eVT33OFY0NyHKRsTCwYmsg$gZvYy2h1XnX64mK-yGpGOAK_YAXZ0cO4-j3rJ_ACHQ4"
/* A fresh password hash in the format above; caller frees. */
char *secret_password_hash(const char *password, int iterations);

#endif
