/* SPDX-License-Identifier: MIT */
/* dpop_proof — a DPoP proof for one request (see dpop_proof.h; RFC 9449 §4.2, §7.1). */
#include "oauth/dpop_proof.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jose/b64url.h"
#include "jose/jws.h"

/* The alg a proof by this key is signed with (the key decides, RFC 8725 §3.1). */
static jws_alg proof_alg(const jwk *key)
{
    static const jws_alg tries[] = {JWS_ES256, JWS_ES384, JWS_ES512, JWS_ED25519, JWS_RS256};
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++)
        if (jwk_allows(key, tries[i], true, NULL)) return tries[i];
    return JWS_ALG_UNKNOWN;
}

bool dpop_proof_make(const jwk *key, const char *htm, const char *htu, const char *access_token,
                     int64_t iat, char **out, tl_err *e)
{
    *out = NULL;
    jws_alg alg = key && jwk_is_private(key) ? proof_alg(key) : JWS_ALG_UNKNOWN;
    if (alg == JWS_ALG_UNKNOWN)
        return err_set(e, "dpop.key",
                       "a DPoP proof needs an asymmetric private key (EC, RSA or "
                       "Ed25519), never a shared secret (RFC 9449 §4.2)");
    unsigned char rnd[16];
    char *jti = RAND_bytes(rnd, sizeof rnd) == 1 ? b64url_encode(rnd, sizeof rnd) : NULL;
    char *ath = access_token ? b64url_sha256(access_token, strlen(access_token)) : NULL;
    json_t *pub = jwk_to_json(key, false);
    json_t *h =
        pub ? json_pack("{s:s, s:s, s:o}", "typ", "dpop+jwt", "alg", jws_alg_name(alg), "jwk", pub)
            : NULL;
    json_t *c = jti ? json_pack("{s:s, s:s, s:s%, s:I}", "jti", jti, "htm", htm, "htu", htu,
                                strcspn(htu, "?#"), "iat", (json_int_t)iat)
                    : NULL;
    if (c && ath) json_object_set_new(c, "ath", json_string(ath));
    char *payload = c ? json_dumps(c, JSON_COMPACT) : NULL;
    bool ok = false;
    if (!h || !payload || (access_token && !ath)) {
        err_set(e, "dpop.nomem", "out of memory");
    } else {
        tl_err se = {0};
        ok = jws_sign(h, (const uint8_t *)payload, strlen(payload), alg, key, false, out, &se);
        if (!ok) err_set(e, "dpop.sign", "the DPoP proof could not be signed: %s", se.msg);
    }
    free(payload);
    json_decref(h);
    json_decref(c);
    free(jti);
    free(ath);
    return ok;
}

bool dpop_proof_attach(http_request *req, const jwk *key, int64_t iat, tl_err *e)
{
    const char *authz = http_request_header(req, "Authorization");
    char *token = NULL;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) token = strdup(authz + 7);
    char *proof = NULL;
    bool ok = dpop_proof_make(key, req->method, req->url, token, iat, &proof, e);
    if (ok && token) {
        char *v = malloc(strlen(token) + 6);
        ok = v != NULL;
        if (v) {
            snprintf(v, strlen(token) + 6, "DPoP %s", token);
            ok = http_request_set_header(req, "Authorization", v);
        }
        free(v);
    }
    if (ok) ok = http_request_set_header(req, "DPoP", proof);
    free(proof);
    free(token);
    return ok;
}
