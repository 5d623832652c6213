/* SPDX-License-Identifier: MIT */
/* dpop — the DPoP proof check (see dpop.h; RFC 9449 §4.3, step by step). */
#include "server/dpop.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/xalloc.h"
#include "jose/alg.h"
#include "jose/b64url.h"
#include "jose/jwk.h"
#include "jose/jws.h"

const char *const DPOP_ALGS[] = {"ES256", "ES384", "ES512", "RS256", "RS384",   "RS512",
                                 "PS256", "PS384", "PS512", "EdDSA", "Ed25519", NULL};

static bool dpop_alg_ok(const char *name)
{
    for (size_t i = 0; name && DPOP_ALGS[i]; i++)
        if (strcmp(name, DPOP_ALGS[i]) == 0) return true;
    return false;
}

static enum MHD_Result count_dpop(void *ud, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    (void)value;
    if (key && strcasecmp(key, "DPoP") == 0) ++*(int *)ud;
    return MHD_YES;
}

const char *dpop_htu(srv_req *r, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", r->s->base_url, r->path);
    return buf;
}

const char *dpop_token_jkt(const json_t *claims)
{
    return json_string_value(json_object_get(json_object_get(claims, "cnf"), "jkt"));
}

/* Where the scheme and authority of URL u (its first len bytes) end: they compare without case. */
static size_t authority_end(const char *u, size_t len)
{
    const char *p = strstr(u, "://");
    if (!p || (size_t)(p - u) > len) return 0;
    size_t i = (size_t)(p - u) + 3;
    while (i < len && u[i] != '/') i++;
    return i;
}

/* htu compared without query and fragment (§4.3 step 9); scheme and host without case. */
static bool htu_matches(const char *claim, const char *want)
{
    size_t cl = strcspn(claim, "?#"), wl = strcspn(want, "?#");
    if (cl != wl) return false;
    size_t a = authority_end(want, wl);
    return strncasecmp(claim, want, a) == 0 && memcmp(claim + a, want + a, wl - a) == 0;
}

/* The header's jwk: a public key (§4.3 step 7: never a private one) that allows the proof's alg. */
static jwk *proof_key(const jws *t, tl_err *e)
{
    json_t *j = json_object_get(t->header, "jwk");
    if (!json_is_object(j)) {
        err_set(e, "dpop.invalid",
                "the DPoP proof has no jwk header: the public key it is "
                "signed with must travel in it (RFC 9449 §4.2)");
        return NULL;
    }
    jwk *k = NULL;
    tl_err ke = {0};
    if (!jwk_from_json(j, &k, &ke)) {
        err_set(e, "dpop.invalid", "the DPoP proof's jwk header is not a usable key: %s", ke.msg);
        return NULL;
    }
    if (jwk_is_private(k)) {
        jwk_free(k);
        err_set(e, "dpop.invalid",
                "the DPoP proof's jwk header holds a private (or symmetric) key: "
                "send only the public key (RFC 9449 §4.3 step 7)");
        return NULL;
    }
    return k;
}

/* Steps 2–7: a JWT with typ dpop+jwt, an asymmetric alg, and a signature by the header's key. */
static bool proof_signed(const char *proof, jws **out, jwk **key, tl_err *e)
{
    jws *t = NULL;
    tl_err pe = {0};
    if (!jws_parse(proof, strlen(proof), &t, &pe) || t->is_jwe) {
        jws_free(t);
        return err_set(e, "dpop.invalid", "the DPoP header is not a signed JWT: %s",
                       pe.code ? pe.msg : "it has five parts (a JWE)");
    }
    if (!t->typ || strcasecmp(t->typ, "dpop+jwt") != 0) {
        err_set(e, "dpop.invalid", "the DPoP proof's typ is '%.40s', not dpop+jwt (RFC 9449 §4.2)",
                t->typ ? t->typ : "");
        jws_free(t);
        return false;
    }
    if (!dpop_alg_ok(t->alg_name)) {
        char a[48];
        snprintf(a, sizeof a, "%.40s", t->alg_name ? t->alg_name : "(none)");
        jws_free(t);
        return err_set(e, "dpop.invalid",
                       "the DPoP proof's alg %s is not allowed: a proof is signed with an "
                       "asymmetric key, never none or a shared secret (RFC 9449 §4.2)",
                       a);
    }
    jwk *k = proof_key(t, e);
    if (!k) {
        jws_free(t);
        return false;
    }
    jws_alg alg = t->alg;
    tl_err ve = {0};
    if (!jws_verify(t, k, &alg, 1, &ve)) {
        jwk_free(k);
        jws_free(t);
        return err_set(e, "dpop.invalid",
                       "the DPoP proof's signature does not verify with the key in its own jwk "
                       "header: %s",
                       ve.msg);
    }
    *out = t;
    *key = k;
    return true;
}

/* Steps 8–11 and §4.2's ath: the claims name this request, now. */
static bool proof_claims(const json_t *c, const char *htm, const char *htu,
                         const char *access_token, tl_err *e)
{
    const char *jti = json_string_value(json_object_get(c, "jti"));
    const char *m = json_string_value(json_object_get(c, "htm"));
    const char *u = json_string_value(json_object_get(c, "htu"));
    json_t *iat = json_object_get(c, "iat");
    if (!jti || !*jti || !m || !u || !json_is_integer(iat))
        return err_set(e, "dpop.invalid",
                       "the DPoP proof lacks a claim: jti, htm, htu and iat are all required "
                       "(RFC 9449 §4.2)");
    if (strcmp(m, htm) != 0)
        return err_set(e, "dpop.invalid",
                       "the DPoP proof is for %.10s, but this request is %s (htm, RFC 9449 §4.3)",
                       m, htm);
    if (!htu_matches(u, htu))
        return err_set(e, "dpop.invalid",
                       "the DPoP proof is for %.200s, but this request is to %s (htu, RFC 9449 "
                       "§4.3)",
                       u, htu);
    int64_t now = (int64_t)time(NULL), t = (int64_t)json_integer_value(iat);
    if (t < now - DPOP_IAT_WINDOW || t > now + DPOP_IAT_WINDOW)
        return err_set(e, "dpop.invalid",
                       "the DPoP proof was made %lld seconds %s: a proof is fresh for %d seconds "
                       "either way (iat, RFC 9449 §4.3 step 11)",
                       (long long)(t < now ? now - t : t - now), t < now ? "ago" : "in the future",
                       DPOP_IAT_WINDOW);
    if (!access_token) return true;
    const char *ath = json_string_value(json_object_get(c, "ath"));
    char *want = b64url_sha256(access_token, strlen(access_token)); /* RFC 9449 §4.2 */
    bool ok = ath && want && strcmp(ath, want) == 0;
    free(want);
    if (!ok)
        return err_set(e, "dpop.invalid",
                       ath ? "the DPoP proof's ath is not the hash of this access token: the proof "
                             "was made for another token (RFC 9449 §4.3 step 12)"
                           : "the DPoP proof has no ath: with an access token, the proof must "
                             "carry its SHA-256 hash (RFC 9449 §4.2)");
    return true;
}

/* Step 12 (§11.1): each proof is used once; its jti is remembered for the iat window. */
static bool proof_fresh(server *s, const char *jkt, const char *jti, tl_err *e)
{
    char key[SRV_ID * 2 + 260];
    snprintf(key, sizeof key, "%s|%.255s", jkt, jti);
    server *root = s->root ? s->root : s;
    int64_t now = (int64_t)time(NULL);
    char *mark = xstrdup("1");
    store_lock(root->dpop_jtis);
    bool ok = store_put_locked(root->dpop_jtis, key, mark, now + 2 * DPOP_IAT_WINDOW, now);
    bool seen = !ok && store_get_locked(root->dpop_jtis, key, now) != NULL;
    store_unlock(root->dpop_jtis);
    if (ok) return true;
    free(mark);
    if (seen)
        return err_set(e, "dpop.invalid",
                       "this DPoP proof (jti %.64s) was already used: a proof is good for one "
                       "request, so a copied one cannot be replayed (RFC 9449 §11.1)",
                       jti);
    return err_set(e, "dpop.invalid",
                   "too many DPoP proofs at once for the replay cache; send a new one in a moment");
}

static bool one_header(srv_req *r, const char **proof, tl_err *e)
{
    int n = 0;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_dpop, &n);
    *proof = srv_header(r, "DPoP");
    if (!*proof || n == 0)
        return err_set(e, "dpop.missing",
                       "no DPoP header: send a DPoP proof signed with your key "
                       "(RFC 9449 §4.1)");
    if (n > 1)
        return err_set(e, "dpop.invalid",
                       "%d DPoP headers: send exactly one proof (RFC 9449 §4.3 step 1)", n);
    return true;
}

bool dpop_check(srv_req *r, const char *htm, const char *htu, const char *access_token, char *jkt,
                tl_err *e)
{
    const char *proof = NULL;
    if (!one_header(r, &proof, e)) return false;
    jws *t = NULL;
    jwk *k = NULL;
    if (!proof_signed(proof, &t, &k, e)) return false;
    bool ok = false;
    char *tp = NULL;
    if (!t->claims) {
        err_set(e, "dpop.invalid", "the DPoP proof's payload is not a JSON object");
    } else if (proof_claims(t->claims, htm, htu, access_token, e)) {
        tl_err te = {0};
        tp = jwk_thumbprint(k, &te);
        if (!tp)
            err_set(e, "dpop.invalid", "the DPoP proof's key has no thumbprint: %s", te.msg);
        else if (srv_copy(jkt, SRV_ID, tp))
            ok = proof_fresh(r->s, tp, json_string_value(json_object_get(t->claims, "jti")), e);
    }
    free(tp);
    jwk_free(k);
    jws_free(t);
    return ok;
}
