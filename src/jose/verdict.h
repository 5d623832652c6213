/* SPDX-License-Identifier: MIT */
/* verdict — the one answer to "is this token's signature good?" that the decoder pane and the
 * lesson check `decoder.signature` both show: a verdict (valid, invalid, unsigned, unknown) and the
 * sentence that explains it, from an ordered list of candidate keys, each with the role that says
 * what its failure means. No I/O, no globals: the callers gather the keys they hold.
 *
 * Roles, and what a key in each role proves:
 *   VERDICT_GIVEN   the learner said "check with this key" (K) for this very token (or an edit of
 *                   it that kept its signature): it alone decides, valid or invalid.
 *   VERDICT_SIGNER  the key known to have signed this token (a lesson's mint/resign): a match is
 *                   valid; a mismatch means it was changed after signing.
 *   VERDICT_ISSUER  the server's key for tokens like this one (its login secret, its JWKS): a match
 *                   is valid; a mismatch says "not signed with it" — unless the signature was
 * copied from a token it did sign (a `tamper`, an H/P edit): then "changed after signing".
 *   VERDICT_MAYBE   a key we hold that may have signed it (the lab key, a key given for another
 *                   token): only a match says anything.
 * The first candidate that verifies names the verdict; keys whose type cannot do the token's alg
 * are skipped (a JWKS is never tried on an HMAC token). */
#ifndef TL_JOSE_VERDICT_H
#define TL_JOSE_VERDICT_H

#include <stddef.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "jose/jws.h"

typedef enum verdict_sig {
    VERDICT_UNKNOWN, /* no key we hold can say (or no token, or a JWE) */
    VERDICT_VALID,
    VERDICT_INVALID,
    VERDICT_UNSIGNED /* alg "none" in any casing */
} verdict_sig;

typedef enum verdict_role {
    VERDICT_GIVEN,
    VERDICT_SIGNER,
    VERDICT_ISSUER,
    VERDICT_MAYBE
} verdict_role;

typedef struct verdict_key {
    verdict_role role;
    const jwk *key;   /* one key, or NULL */
    const jwks *set;  /* or a key set (looked up by the token's kid), or NULL */
    const char *what; /* how the learner knows it: "the server's login secret", "your secret" */
} verdict_key;

/* A token seen before (the decoder's history, the tokens the app holds), so a signature copied
 * from it onto other content is recognised. */
typedef struct verdict_seen {
    const char *label;   /* "login", "access", "pasted" */
    const char *compact; /* the token as seen */
} verdict_seen;

typedef struct verdict {
    verdict_sig sig;
    char message[TL_ERR_MSG_MAX + 256];
} verdict;

/* Judges `t` (NULL: no token; unknown with an empty message). Keys are tried in the given order;
 * NULL entries (no key, no set) are skipped. Never fails. */
void verdict_judge(const jws *t, const verdict_key *keys, size_t nkeys, const verdict_seen *seen,
                   size_t nseen, verdict *out);
/* Is `t` the token `given_for` (compact text), or an edit of it that kept its signature? The rule
 * that binds a key the learner gave (K) to its token: it is VERDICT_GIVEN for these and
 * VERDICT_MAYBE for any other token. False when either is missing or unsigned. */
bool verdict_same_token(const jws *t, const char *given_for);
/* "unknown", "valid", "invalid", "unsigned" — the values of the lesson path decoder.signature. */
const char *verdict_sig_name(verdict_sig s);

#endif
