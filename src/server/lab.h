/* SPDX-License-Identifier: MIT */
/* lab — the switches that make the server vulnerable on purpose, one rule at a time. */
#ifndef TL_SERVER_LAB_H
#define TL_SERVER_LAB_H

#include <stdbool.h>
#include <stddef.h>

#define LAB_LIST(X)                                                                                \
    X(ALG_NONE, "alg-none", "the API accepts unsigned tokens (alg \"none\")")                      \
    X(ALG_CONFUSION, "alg-confusion",                                                              \
      "the API verifies with the token's own alg, so HS256 keyed with the public key passes")      \
    X(WEAK_SECRET, "weak-secret", "login JWTs are signed with a dictionary word as the secret")    \
    X(SKIP_EXP, "skip-exp", "the API ignores the exp claim (expired tokens still work)")           \
    X(NO_PKCE, "no-pkce", "PKCE is neither required nor checked")                                  \
    X(LOOSE_REDIRECT, "loose-redirect",                                                            \
      "redirect_uri only has to start with the origin of a registered URI (any path)")             \
    X(CODE_REUSE, "code-reuse", "authorization codes can be exchanged more than once")             \
    X(PASSWORD_GRANT, "password-grant", "the deprecated resource owner password grant is enabled") \
    X(UNBOUND_SESSION, "unbound-session",                                                          \
      "an authorization session id alone is enough to sign in and consent (not bound to the "      \
      "browser or app that started it)")                                                           \
    X(SKIP_AUD, "skip-aud",                                                                        \
      "the API checks only signature, iss and exp: not aud or typ (an ID token passes)")

enum {
#define LAB_ENUM(id, name, desc) LAB_BIT_##id,
    LAB_LIST(LAB_ENUM)
#undef LAB_ENUM
        LAB_COUNT
};
#define LAB_ENUM2(id, name, desc) LAB_##id = 1u << LAB_BIT_##id,
enum { LAB_LIST(LAB_ENUM2) };
#undef LAB_ENUM2

/* The bit for a name, or 0 when unknown. */
unsigned lab_bit(const char *name);
/* NULL-terminated list of names (static). */
const char *const *lab_names(void);
const char *lab_describe(const char *name);
/* "alg-none,skip-exp" for the bits set, into buf. */
char *lab_format(unsigned bits, char *buf, size_t n);
/* "alg-none, alg-confusion, …": every name, for "unknown lab switch" messages, into buf. */
char *lab_known(char *buf, size_t n);

/* The dictionary word that signs login JWTs under weak-secret (in every common wordlist). */
#define LAB_WEAK_SECRET_WORD "secret"

#endif
