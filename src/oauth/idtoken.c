/* SPDX-License-Identifier: MIT */
/* idtoken — OIDC Core §3.1.3.7 ID token validation on the client side. */
#include "oauth/idtoken.h"

#include <stdlib.h>
#include <string.h>

#include "jose/alg.h"
#include "jose/jws.h"
#include "jose/jwt.h"

char *idtoken_half_hash(const char *alg, const char *value)
{
    return alg ? alg_half_hash(jws_alg_from_name(alg), value) : NULL;
}

static const char *claim_str(const json_t *claims, const char *name)
{
    return json_string_value(json_object_get(claims, name));
}

bool idtoken_check(const char *id_token, const jwks *keys, const idtoken_expect *x,
                   json_t **claims_out, tl_err *e)
{
    if (claims_out) *claims_out = NULL;
    if (!x || !x->issuer || !x->client_id || !keys)
        return err_set(e, "idtoken.arg",
                       "an ID token check needs the issuer, the client_id and "
                       "the issuer's keys");
    if (!id_token) return err_set(e, "idtoken.arg", "no ID token");
    jws *t = NULL;
    if (!jws_parse(id_token, strlen(id_token), &t, e)) return false;
    bool ok = false;
    /* step 6: the signature, with the issuer's keys; the key decides the algorithm */
    if (!jws_verify_jwks(t, keys, NULL, 0, NULL, e)) goto out;
    if (!t->claims) {
        err_set(e, "jwt.not_object", "the ID token's payload is not a JSON object: %s",
                t->claims_err.msg);
        goto out;
    }
    /* steps 2, 3, 9, 10: iss exact, aud contains client_id, exp in the future, iat present */
    static const char *const required[] = {"iss", "sub", "aud", "exp", "iat"};
    jwt_rules rules = {.now = x->now,
                       .leeway = x->leeway,
                       .iss = x->issuer,
                       .aud = x->client_id,
                       .require = required,
                       .nrequire = sizeof required / sizeof *required};
    if (!jwt_check(t, &rules, e)) goto out;
    /* steps 4, 5: azp */
    const char *azp = claim_str(t->claims, "azp");
    if (azp && strcmp(azp, x->client_id) != 0) {
        err_set(
            e, "idtoken.azp",
            "the ID token was issued to '%.80s' (azp), not to us ('%.80s') (OIDC Core §3.1.3.7)",
            azp, x->client_id);
        goto out;
    }
    /* step 11: the nonce we sent must come back, unchanged (replay protection) */
    if (x->nonce) {
        const char *nonce = claim_str(t->claims, "nonce");
        if (!nonce) {
            err_set(e, "idtoken.nonce",
                    "we sent a nonce but the ID token has none: it may be a "
                    "replayed token (OIDC Core §3.1.3.7)");
            goto out;
        }
        if (strcmp(nonce, x->nonce) != 0) {
            err_set(e, "idtoken.nonce",
                    "the ID token's nonce '%.60s' is not the one we sent: a replayed or "
                    "substituted token (OIDC Core §3.1.3.7)",
                    nonce);
            goto out;
        }
    }
    /* §3.1.3.8: at_hash binds the access token to this ID token */
    const char *at_hash = claim_str(t->claims, "at_hash");
    if (at_hash && x->access_token) {
        char *want = idtoken_half_hash(t->alg_name, x->access_token);
        bool match = want && strcmp(want, at_hash) == 0;
        free(want);
        if (!match) {
            err_set(e, "idtoken.at_hash",
                    "at_hash does not match the access token: the two tokens were not issued "
                    "together (OIDC Core §3.1.3.8)");
            goto out;
        }
    }
    if (claims_out) *claims_out = json_incref(t->claims);
    ok = true;
out:
    jws_free(t);
    return ok;
}
