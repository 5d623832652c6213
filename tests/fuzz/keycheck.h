/* SPDX-License-Identifier: MIT */
/* keycheck — what fuzz_jwk and fuzz_pem check on every key they manage to load (header-only, for
 * fuzz targets). abort() on any violated property:
 *   - type, curve and size are consistent; every error has a code and a message;
 *   - the algorithm list agrees with jwk_allows, and HMAC is never allowed on an asymmetric key
 *     (nor an asymmetric alg on an oct key) — the key decides, never the token;
 *   - JWK export re-imports to the same RFC 7638 thumbprint, public and private;
 *   - PEM export (asymmetric keys) re-imports to the same thumbprint;
 *   - an oct key signs and verifies its own HMAC. */
#ifndef TL_FUZZ_KEYCHECK_H
#define TL_FUZZ_KEYCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jwk.h"
#include "jose/jws.h"

static void keycheck_fail(const char *what)
{
    fprintf(stderr, "keycheck: %s\n", what);
    abort();
}

static void keycheck_err(const tl_err *e, const char *what)
{
    if (!e->code || !e->msg[0]) keycheck_fail(what);
}

static char *keycheck_thumb(const jwk *k)
{
    tl_err e = {0};
    char *t = jwk_thumbprint(k, &e);
    if (!t) keycheck_err(&e, "jwk_thumbprint failed without an error");
    return t;
}

static void keycheck_same_thumb(const jwk *a, const jwk *b, const char *what)
{
    char *ta = keycheck_thumb(a), *tb = keycheck_thumb(b);
    if (!ta != !tb || (ta && strcmp(ta, tb) != 0)) {
        fprintf(stderr, "keycheck: %s changed the thumbprint: %s -> %s\n", what, ta ? ta : "(none)",
                tb ? tb : "(none)");
        abort();
    }
    free(ta);
    free(tb);
}

static bool keycheck_is_hmac(jws_alg a)
{
    return a == JWS_HS256 || a == JWS_HS384 || a == JWS_HS512;
}

static void keycheck_json_roundtrip(const jwk *k, bool priv)
{
    json_t *j = jwk_to_json(k, priv);
    if (!j) keycheck_fail("jwk_to_json returned NULL");
    if (!json_is_string(json_object_get(j, "kty"))) keycheck_fail("exported JWK has no kty");
    jwk *back = NULL;
    tl_err e = {0};
    if (!jwk_from_json(j, &back, &e)) {
        fprintf(stderr, "keycheck: our own JWK export does not import: %s\n", e.msg);
        abort();
    }
    keycheck_same_thumb(k, back, priv ? "private JWK round trip" : "public JWK round trip");
    if (!priv && jwk_type(back) != JWK_KTY_OCT && jwk_is_private(back))
        keycheck_fail("public JWK export carried private members");
    jwk_free(back);
    json_decref(j);
}

static void keycheck_pem_roundtrip(const jwk *k, bool priv)
{
    tl_err e = {0};
    char *pem = jwk_to_pem(k, priv, &e);
    if (!pem) {
        keycheck_err(&e, "jwk_to_pem failed without an error");
        return;
    }
    jwk *back = NULL;
    tl_err e2 = {0};
    if (!jwk_from_pem(pem, strlen(pem), &back, &e2)) {
        fprintf(stderr, "keycheck: our own PEM export does not import: %s\n%s", e2.msg, pem);
        abort();
    }
    keycheck_same_thumb(k, back, "PEM round trip");
    if (priv != jwk_is_private(back)) keycheck_fail("PEM round trip changed public/private");
    jwk_free(back);
    free(pem);
}

static void keycheck_key(const jwk *k)
{
    jwk_kty kty = jwk_type(k);
    if (!jwk_kty_name(kty)) keycheck_fail("no kty name");
    (void)jwk_bits(k);
    (void)jwk_kid(k);
    (void)jwk_alg(k);
    const char *crv = jwk_curve(k);
    if ((kty == JWK_KTY_EC || kty == JWK_KTY_OKP) && !crv)
        keycheck_fail("EC/OKP key without a curve");
    if ((kty == JWK_KTY_RSA || kty == JWK_KTY_OCT) && crv)
        keycheck_fail("RSA/oct key with a curve");
    size_t slen = 0;
    const uint8_t *sec = jwk_secret(k, &slen);
    if ((kty == JWK_KTY_OCT) != (sec != NULL))
        keycheck_fail("jwk_secret disagrees with the key type");
    if ((kty == JWK_KTY_OCT) != (jwk_evp_pkey(k) == NULL))
        keycheck_fail("jwk_evp_pkey disagrees with the key type");

    jws_alg algs[JWS_ALG_COUNT];
    size_t na = jwk_algs(k, algs);
    if (na > JWS_ALG_COUNT) keycheck_fail("too many algorithms");
    for (int a = JWS_HS256; a < JWS_ALG_COUNT; a++) {
        tl_err e = {0};
        bool allowed = jwk_allows(k, (jws_alg)a, false, &e);
        if (!allowed) keycheck_err(&e, "jwk_allows refused without an error");
        if (allowed && (kty == JWK_KTY_OCT) != keycheck_is_hmac((jws_alg)a)) {
            fprintf(stderr, "keycheck: %s key allows %s\n", jwk_kty_name(kty),
                    jws_alg_name((jws_alg)a));
            abort();
        }
        tl_err e2 = {0};
        if (!jwk_allows(k, (jws_alg)a, true, &e2))
            keycheck_err(&e2, "jwk_allows(sign) refused without an error");
    }
    if (jwk_allows(k, JWS_ALG_NONE, false, NULL) || jwk_allows(k, JWS_ALG_UNKNOWN, false, NULL))
        keycheck_fail("a key allows none/unknown");

    keycheck_json_roundtrip(k, false);
    if (jwk_is_private(k)) keycheck_json_roundtrip(k, true);
    if (kty != JWK_KTY_OCT) {
        keycheck_pem_roundtrip(k, false);
        if (jwk_is_private(k)) keycheck_pem_roundtrip(k, true);
    }

    if (kty == JWK_KTY_OCT && slen > 0) {
        static const uint8_t msg[] = "eyJhbGciOiJIUzI1NiJ9.e30";
        for (int a = JWS_HS256; a <= JWS_HS512; a++) {
            if (!jwk_allows(k, (jws_alg)a, true, NULL) || !jwk_allows(k, (jws_alg)a, false, NULL))
                continue;
            uint8_t *sig = NULL;
            size_t sl = 0;
            tl_err e = {0};
            if (!jws_sign_raw((jws_alg)a, k, msg, sizeof msg - 1, &sig, &sl, &e))
                keycheck_err(&e, "HMAC sign failed without an error");
            else {
                tl_err e2 = {0};
                if (!jws_verify_raw((jws_alg)a, k, msg, sizeof msg - 1, sig, sl, &e2)) {
                    fprintf(stderr, "keycheck: HMAC does not verify its own signature: %s\n",
                            e2.msg);
                    abort();
                }
                sig[0] ^= 1;
                if (jws_verify_raw((jws_alg)a, k, msg, sizeof msg - 1, sig, sl, NULL))
                    keycheck_fail("HMAC verified a flipped signature");
                free(sig);
            }
        }
    }
}

#endif
