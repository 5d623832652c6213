/* SPDX-License-Identifier: MIT */
/* Unit tests for src/jose/jws: RFC 7515 Appendix A, RFC 7520 §4.1-4.4, RFC 8037 A.4 known answers,
 * and every way a token must be refused, each with its error code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jose/b64url.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "unit/jose/jose_test_util.h"

/* ---- RFC 7515 Appendix A ------------------------------------------------------------------ */

#define A_PAYLOAD_B64                                                                              \
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl" \
    "fQ"

static const char a1_token[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." A_PAYLOAD_B64
                               ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char a1_key[] = "{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-"
                             "EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}";

static const char a2_key[] =
    "{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-"
    "Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_"
    "7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
    "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5"
    "ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\","
    "\"e\":\"AQAB\",\"d\":\"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_"
    "GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0"
    "QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1"
    "ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_"
    "RQyGWSeWjnczT0QU91p1DhOVRuOopznQ\"}";
static const char a2_token[] =
    "eyJhbGciOiJSUzI1NiJ9." A_PAYLOAD_B64
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjt"
    "QBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w"
    "9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

static const char a3_key[] =
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
    "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}";
static const char a3_token[] =
    "eyJhbGciOiJFUzI1NiJ9." A_PAYLOAD_B64
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

static const char a4_key[] = "{\"kty\":\"EC\",\"crv\":\"P-521\","
                             "\"x\":\"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_"
                             "NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk\","
                             "\"y\":\"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-"
                             "x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2\","
                             "\"d\":\"AY5pb7A0UFiB3RELSD64fTLOSV_"
                             "jazdF7fLYyuTw8lOfRhWg6Y6rUrPAxerEzgdRhajnu0ferB0d53vM9mE15j2C\"}";
static const char a4_token[] =
    "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-"
    "mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmx"
    "YbSW9ERBXukOXolLzeO_Jn";

static jwk *key_from(const char *json)
{
    jwk *k = NULL;
    tl_err e = {0};
    if (!jwk_parse_any(json, strlen(json), &k, &e)) fail_msg("key: %s", e.msg);
    return k;
}

static jws *parse_ok(const char *tok)
{
    jws *t = NULL;
    tl_err e = {0};
    if (!jws_parse(tok, strlen(tok), &t, &e)) fail_msg("parse: %s: %s", e.code, e.msg);
    return t;
}

static void verify_ok(const char *tok, const jwk *k)
{
    jws *t = parse_ok(tok);
    tl_err e = {0};
    if (!jws_verify(t, k, NULL, 0, &e)) fail_msg("verify: %s: %s", e.code, e.msg);
    jws_free(t);
}

static void verify_fails(const char *tok, const jwk *k, const char *code)
{
    jws *t = parse_ok(tok);
    tl_err e = {0};
    assert_false(jws_verify(t, k, NULL, 0, &e));
    assert_code(e, code);
    jws_free(t);
}

static void test_rfc7515_a1_hs256(void **state)
{
    (void)state;
    jwk *k = key_from(a1_key);
    jws *t = parse_ok(a1_token);
    assert_int_equal(t->alg, JWS_HS256);
    assert_string_equal(t->typ, "JWT");
    assert_int_equal(t->nsegs, 3);
    assert_false(t->is_jwe);
    /* The payload bytes as signed, CR LF included. */
    assert_string_equal(
        (char *)t->payload,
        "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
    assert_int_equal(json_integer_value(json_object_get(t->claims, "exp")), 1300819380);
    char *in = jws_signing_input(t);
    assert_string_equal(in, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." A_PAYLOAD_B64);
    /* Exact signature bytes (A.1.1). */
    uint8_t *sig;
    size_t sl;
    tl_err e = {0};
    assert_true(jws_sign_raw(JWS_HS256, k, (uint8_t *)in, strlen(in), &sig, &sl, &e));
    char *s64 = b64url_encode(sig, sl);
    assert_string_equal(s64, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_true(jws_verify(t, k, NULL, 0, &e));
    free(s64);
    free(sig);
    free(in);
    jws_free(t);
    jwk_free(k);
}

static void test_rfc7515_a2_rs256(void **state)
{
    (void)state;
    jwk *k = key_from(a2_key);
    assert_int_equal(jwk_bits(k), 2048);
    jws *t = parse_ok(a2_token);
    char *in = jws_signing_input(t);
    uint8_t *sig;
    size_t sl;
    tl_err e = {0};
    /* RSASSA-PKCS1-v1_5 is deterministic: the exact bytes of A.2.1. */
    assert_true(jws_sign_raw(JWS_RS256, k, (uint8_t *)in, strlen(in), &sig, &sl, &e));
    assert_int_equal(sl, t->sig_len);
    assert_memory_equal(sig, t->sig, sl);
    assert_true(jws_verify(t, k, NULL, 0, &e));
    free(sig);
    free(in);
    jws_free(t);
    jwk_free(k);
}

static void test_rfc7515_a3_a4_ecdsa(void **state)
{
    (void)state;
    jwk *k3 = key_from(a3_key), *k4 = key_from(a4_key);
    verify_ok(a3_token, k3);
    verify_ok(a4_token, k4);
    /* Each key only does its own curve's alg. */
    verify_fails(a4_token, k3, "jws.alg_not_allowed");
    verify_fails(a3_token, k4, "jws.alg_not_allowed");
    /* ECDSA is randomized: sign anew and verify our own output. */
    jws *t = parse_ok(a4_token);
    char *in = jws_signing_input(t);
    uint8_t *sig;
    size_t sl;
    tl_err e = {0};
    assert_true(jws_sign_raw(JWS_ES512, k4, (uint8_t *)in, strlen(in), &sig, &sl, &e));
    assert_int_equal(sl, 132);
    assert_true(jws_verify_raw(JWS_ES512, k4, (uint8_t *)in, strlen(in), sig, sl, &e));
    free(sig);
    free(in);
    jws_free(t);
    jwk_free(k3);
    jwk_free(k4);
}

/* ---- RFC 7520 §4 and RFC 8037 A.4 ---------------------------------------------------------- */

static void cookbook(const char *file, bool reproducible)
{
    json_t *v = tju_vector(file);
    assert_non_null(v);
    jwk *k = NULL;
    tl_err e = {0};
    if (!jwk_from_json(json_object_get(json_object_get(v, "input"), "key"), &k, &e))
        fail_msg("%s key: %s", file, e.msg);
    const char *payload = tju_str(v, "input", "payload", NULL);
    const char *expect = tju_str(v, "output", "compact", NULL);
    jws_alg alg = jws_alg_from_name(tju_str(v, "input", "alg", NULL));
    assert_int_not_equal(alg, JWS_ALG_UNKNOWN);
    json_t *hdr = json_object_get(json_object_get(v, "signing"), "protected");
    char *tok = NULL;
    if (!jws_sign(hdr, (const uint8_t *)payload, strlen(payload), alg, k, false, &tok, &e))
        fail_msg("%s sign: %s", file, e.msg);
    if (reproducible) {
        assert_string_equal(tok, expect);
    } else {
        /* Same header and payload segments; the signature differs every time. */
        size_t pre = (size_t)(strrchr(expect, '.') - expect);
        assert_memory_equal(tok, expect, pre + 1);
        verify_ok(tok, k);
    }
    verify_ok(expect, k);
    /* And the published token names its key by kid: the JWKS path finds it. */
    jwks *set = jwks_new();
    jwks_add(set, k);
    jws *t = parse_ok(expect);
    const char *used = NULL;
    assert_true(jws_verify_jwks(t, set, NULL, 0, &used, &e));
    assert_ptr_equal(used, jwk_kid(k));
    jws_free(t);
    jwks_free(set);
    free(tok);
    jwk_free(k);
    json_decref(v);
}

static void test_rfc7520_4_1_rs256(void **state)
{
    (void)state;
    cookbook("jose-cookbook/jws/4_1.rsa_v15_signature.json", true);
}

static void test_rfc7520_4_2_ps384(void **state)
{
    (void)state;
    cookbook("jose-cookbook/jws/4_2.rsa-pss_signature.json", false);
}

static void test_rfc7520_4_3_es512(void **state)
{
    (void)state;
    cookbook("jose-cookbook/jws/4_3.ecdsa_signature.json", false);
}

static void test_rfc7520_4_4_hs256(void **state)
{
    (void)state;
    cookbook("jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json", true);
}

static void test_rfc8037_a4_ed25519(void **state)
{
    (void)state;
    /* RFC 8037 A.4: Ed25519 is deterministic, so the exact token. */
    cookbook("jose-cookbook/curve25519/jws.json", true);
}

/* ---- refusals ----------------------------------------------------------------------------- */

static char *mint(jws_alg alg, const jwk *k, const char *claims)
{
    char *tok = NULL;
    tl_err e = {0};
    if (!jws_sign(NULL, (const uint8_t *)claims, strlen(claims), alg, k, false, &tok, &e))
        fail_msg("mint %s: %s", jws_alg_name(alg), e.msg);
    return tok;
}

/* Replaces segment `idx` of `tok` with base64url(bytes). */
static char *with_segment(const char *tok, int idx, const uint8_t *bytes, size_t n)
{
    const char *d1 = strchr(tok, '.'), *d2 = strchr(d1 + 1, '.');
    char *seg = b64url_encode(bytes, n);
    size_t cap = strlen(tok) + strlen(seg) + 4;
    char *out = malloc(cap);
    if (idx == 0)
        snprintf(out, cap, "%s%s", seg, d1);
    else if (idx == 1)
        snprintf(out, cap, "%.*s.%s%s", (int)(d1 - tok), tok, seg, d2);
    else
        snprintf(out, cap, "%.*s.%s", (int)(d2 - tok), tok, seg);
    free(seg);
    return out;
}

static void test_tampering(void **state)
{
    (void)state;
    jwk *rsa = key_from(a2_key), *ec = key_from(a3_key), *hs = key_from(a1_key);
    const jwk *keys[] = {rsa, ec, hs};
    const jws_alg algs[] = {JWS_PS256, JWS_ES256, JWS_HS512};
    for (int i = 0; i < 3; i++) {
        char *tok = mint(algs[i], keys[i], "{\"sub\":\"alice\",\"admin\":false}");
        verify_ok(tok, keys[i]);
        const char *evil = "{\"sub\":\"alice\",\"admin\":true}";
        char *t1 = with_segment(tok, 1, (const uint8_t *)evil, strlen(evil));
        verify_fails(t1, keys[i], "jws.sig_mismatch");
        char hdr[64];
        snprintf(hdr, sizeof hdr, "{\"alg\":\"%s\",\"kid\":\"x\"}", jws_alg_name(algs[i]));
        char *t2 = with_segment(tok, 0, (const uint8_t *)hdr, strlen(hdr));
        verify_fails(t2, keys[i], "jws.sig_mismatch");
        jws *t = parse_ok(tok);
        t->sig[t->sig_len / 2] ^= 0x01;
        char *t3 = with_segment(tok, 2, t->sig, t->sig_len);
        verify_fails(t3, keys[i], "jws.sig_mismatch");
        jws_free(t);
        free(t1);
        free(t2);
        free(t3);
        free(tok);
    }
    jwk_free(rsa);
    jwk_free(ec);
    jwk_free(hs);
}

static void test_wrong_key_and_type(void **state)
{
    (void)state;
    jwk *rsa = key_from(a2_key), *ec = key_from(a3_key), *hs = key_from(a1_key);
    jwk *rsa2 = NULL, *ec2 = NULL, *ed = NULL;
    tl_err e = {0};
    assert_true(jwk_generate(JWS_RS256, 2048, &rsa2, &e));
    assert_true(jwk_generate(JWS_ES256, 0, &ec2, &e));
    assert_true(jwk_generate(JWS_EDDSA, 0, &ed, &e));
    jwk *hs2 = jwk_from_secret((const uint8_t *)"another secret that is 32 bytes!", 32);
    char *rs = mint(JWS_RS256, rsa, "{}"), *es = mint(JWS_ES256, ec, "{}"),
         *h = mint(JWS_HS256, hs, "{}"), *eds = mint(JWS_EDDSA, ed, "{}");
    verify_fails(rs, rsa2, "jws.sig_mismatch");
    verify_fails(es, ec2, "jws.sig_mismatch");
    verify_fails(h, hs2, "jws.sig_mismatch");
    jwk *ed2 = NULL;
    assert_true(jwk_generate(JWS_EDDSA, 0, &ed2, &e));
    verify_fails(eds, ed2, "jws.sig_mismatch");
    /* Wrong key type: the key decides, whatever the token claims. */
    verify_fails(rs, ec, "jws.alg_not_allowed");
    verify_fails(es, rsa, "jws.alg_not_allowed");
    verify_fails(h, rsa, "jws.alg_not_allowed");
    verify_fails(rs, hs, "jws.alg_not_allowed");
    verify_fails(eds, ec, "jws.alg_not_allowed");
    verify_fails(rs, ed, "jws.alg_not_allowed");
    /* The caller's allow-list narrows further. */
    jws *t = parse_ok(rs);
    jws_alg only_ps[] = {JWS_PS256};
    assert_false(jws_verify(t, rsa, only_ps, 1, &e));
    assert_code(e, "jws.alg_not_allowed");
    assert_contains(e.msg, "PS256");
    jws_alg rs_ok[] = {JWS_PS256, JWS_RS256};
    assert_true(jws_verify(t, rsa, rs_ok, 2, &e));
    jws_free(t);
    free(rs);
    free(es);
    free(h);
    free(eds);
    jwk_free(rsa);
    jwk_free(ec);
    jwk_free(hs);
    jwk_free(rsa2);
    jwk_free(ec2);
    jwk_free(hs2);
    jwk_free(ed);
    jwk_free(ed2);
}

static void test_alg_none_every_casing(void **state)
{
    (void)state;
    jwk *hs = key_from(a1_key);
    static const char *const names[] = {"none", "None", "NONE", "nOnE"};
    for (int i = 0; i < 4; i++) {
        char hdr[40], tok[200];
        snprintf(hdr, sizeof hdr, "{\"alg\":\"%s\"}", names[i]);
        char *h64 = b64url_encode((const uint8_t *)hdr, strlen(hdr));
        snprintf(tok, sizeof tok, "%s.eyJzdWIiOiJhZG1pbiJ9.", h64);
        jws *t = parse_ok(tok);
        assert_int_equal(t->alg, i == 0 ? JWS_ALG_NONE : JWS_ALG_UNKNOWN);
        assert_true(jws_alg_name_is_none(t->alg_name));
        tl_err e = {0};
        assert_false(jws_verify(t, hs, NULL, 0, &e));
        assert_code(e, "jws.alg_none");
        jws_free(t);
        /* With a signature attached it is still refused. */
        snprintf(tok, sizeof tok,
                 "%s.eyJzdWIiOiJhZG1pbiJ9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", h64);
        verify_fails(tok, hs, "jws.alg_none");
        free(h64);
    }
    /* Minting "none" needs an explicit request. */
    char *tok = NULL;
    tl_err e = {0};
    assert_false(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_ALG_NONE, NULL, false, &tok, &e));
    assert_code(e, "jws.alg_none");
    assert_true(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_ALG_NONE, NULL, true, &tok, &e));
    assert_string_equal(tok, "eyJhbGciOiJub25lIn0.e30.");
    verify_fails(tok, hs, "jws.alg_none");
    free(tok);
    assert_int_equal(jws_alg_from_name("hs256"), JWS_ALG_UNKNOWN);
    assert_int_equal(jws_alg_from_name("EdDSA"), JWS_EDDSA);
    jwk_free(hs);
}

/* RFC 9864: "Ed25519" is the fully-specified name of what RFC 8037 called "EdDSA" on an Ed25519
 * key. Both verify; a JWK registered under one name works with the other; nothing else does. */
static void test_ed25519_names(void **state)
{
    (void)state;
    tl_err e = {0};
    assert_int_equal(jws_alg_from_name("Ed25519"), JWS_ED25519);
    assert_string_equal(jws_alg_name(JWS_ED25519), "Ed25519");
    assert_int_equal(jws_alg_from_name("ed25519"), JWS_ALG_UNKNOWN); /* case-sensitive */
    jwk *ed = NULL;
    assert_true(jwk_generate(JWS_ED25519, 0, &ed, &e));
    assert_int_equal(jwk_default_alg(ed), JWS_ED25519);
    char *fs = mint(JWS_ED25519, ed, "{}"), *poly = mint(JWS_EDDSA, ed, "{}");
    jws *t = parse_ok(fs);
    assert_string_equal(t->alg_name, "Ed25519");
    assert_true(jws_verify(t, ed, NULL, 0, &e));
    jws_alg only_old[] = {JWS_EDDSA};
    assert_false(jws_verify(t, ed, only_old, 1, &e)); /* the caller's list still decides */
    assert_code(e, "jws.alg_not_allowed");
    jws_free(t);
    t = parse_ok(poly);
    assert_true(jws_verify(t, ed, NULL, 0, &e));
    jws_free(t);
    /* a JWK that says "alg":"EdDSA" verifies an Ed25519 token, and the other way round */
    assert_true(jwk_set_alg(ed, "EdDSA"));
    t = parse_ok(fs);
    assert_true(jws_verify(t, ed, NULL, 0, &e));
    jws_free(t);
    assert_true(jwk_set_alg(ed, "Ed25519"));
    t = parse_ok(poly);
    assert_true(jws_verify(t, ed, NULL, 0, &e));
    jws_free(t);
    jwk *ec = NULL;
    assert_true(jwk_generate(JWS_ES256, 0, &ec, &e));
    verify_fails(fs, ec, "jws.alg_not_allowed");
    jwk_free(ec);
    free(fs);
    free(poly);
    jwk_free(ed);
}

static void test_key_confusion_hs256_with_rsa_pem(void **state)
{
    (void)state;
    jwk *rsa = NULL;
    tl_err e = {0};
    assert_true(jwk_generate(JWS_RS256, 2048, &rsa, &e));
    char *pem = jwk_to_pem(rsa, false, &e);
    assert_non_null(pem);
    assert_contains(pem, "-----BEGIN PUBLIC KEY-----");
    /* The attacker signs HS256 using the public key's PEM text as the HMAC secret. */
    jwk *evil = jwk_from_secret((const uint8_t *)pem, strlen(pem));
    char *tok = mint(JWS_HS256, evil, "{\"sub\":\"admin\"}");
    jws *t = parse_ok(tok);
    assert_false(jws_verify(t, rsa, NULL, 0, &e));
    assert_code(e, "jws.alg_not_allowed");
    assert_contains(e.msg, "key-confusion");
    /* Also when the public key was loaded from that very PEM. */
    jwk *pub = NULL;
    assert_true(jwk_from_pem(pem, strlen(pem), &pub, &e));
    assert_false(jws_verify(t, pub, NULL, 0, &e));
    assert_code(e, "jws.alg_not_allowed");
    jws_free(t);
    free(tok);
    free(pem);
    jwk_free(pub);
    jwk_free(evil);
    jwk_free(rsa);
}

static void test_ecdsa_signature_shapes(void **state)
{
    (void)state;
    jwk *ec = key_from(a3_key), *ec521 = key_from(a4_key);
    jws *t = parse_ok(a3_token);
    char *in = jws_signing_input(t);
    tl_err e = {0};
    uint8_t zero[132] = {0};
    /* Wrong lengths: one short, one long, DER-ish length. */
    assert_false(jws_verify_raw(JWS_ES256, ec, (uint8_t *)in, strlen(in), t->sig, 63, &e));
    assert_code(e, "jws.sig_length");
    assert_contains(e.msg, "64 bytes");
    uint8_t long_sig[65];
    memcpy(long_sig, t->sig, 64);
    long_sig[64] = 0;
    assert_false(jws_verify_raw(JWS_ES256, ec, (uint8_t *)in, strlen(in), long_sig, 65, &e));
    assert_code(e, "jws.sig_length");
    uint8_t der[72] = {0x30, 0x46};
    assert_false(jws_verify_raw(JWS_ES256, ec, (uint8_t *)in, strlen(in), der, 72, &e));
    assert_code(e, "jws.sig_length");
    assert_contains(e.msg, "DER");
    /* All-zero of the right length: the "psychic signature". */
    assert_false(jws_verify_raw(JWS_ES256, ec, (uint8_t *)in, strlen(in), zero, 64, &e));
    assert_code(e, "jws.sig_mismatch");
    assert_contains(e.msg, "CVE-2022-21449");
    char *zt = with_segment(a3_token, 2, zero, 64);
    verify_fails(zt, ec, "jws.sig_mismatch");
    free(zt);
    /* R valid, S zero. */
    uint8_t half[64];
    memcpy(half, t->sig, 32);
    memset(half + 32, 0, 32);
    assert_false(jws_verify_raw(JWS_ES256, ec, (uint8_t *)in, strlen(in), half, 64, &e));
    assert_code(e, "jws.sig_mismatch");
    /* ES384 is 96, ES512 is 132 bytes. */
    jws *t4 = parse_ok(a4_token);
    char *in4 = jws_signing_input(t4);
    assert_int_equal(t4->sig_len, 132);
    assert_false(jws_verify_raw(JWS_ES512, ec521, (uint8_t *)in4, strlen(in4), t4->sig, 130, &e));
    assert_code(e, "jws.sig_length");
    assert_contains(e.msg, "132 bytes");
    assert_false(jws_verify_raw(JWS_ES512, ec521, (uint8_t *)in4, strlen(in4), zero, 132, &e));
    assert_code(e, "jws.sig_mismatch");
    jwk *ec384 = NULL;
    assert_true(jwk_generate(JWS_ES384, 0, &ec384, &e));
    uint8_t *s384;
    size_t l384;
    assert_true(jws_sign_raw(JWS_ES384, ec384, (uint8_t *)in, strlen(in), &s384, &l384, &e));
    assert_int_equal(l384, 96);
    assert_false(jws_verify_raw(JWS_ES384, ec384, (uint8_t *)in, strlen(in), s384, 64, &e));
    assert_code(e, "jws.sig_length");
    assert_contains(e.msg, "96 bytes");
    assert_true(jws_verify_raw(JWS_ES384, ec384, (uint8_t *)in, strlen(in), s384, 96, &e));
    free(s384);
    jwk_free(ec384);
    free(in4);
    jws_free(t4);
    free(in);
    jws_free(t);
    jwk_free(ec);
    jwk_free(ec521);
}

static void test_structure_errors(void **state)
{
    (void)state;
    jws *t = NULL;
    tl_err e = {0};
    const char *two = "eyJhbGciOiJIUzI1NiJ9.e30";
    assert_false(jws_parse(two, strlen(two), &t, &e));
    assert_code(e, "jws.segments");
    assert_contains(e.msg, "found 2");
    const char *six = "a.b.c.d.e.f";
    assert_false(jws_parse(six, strlen(six), &t, &e));
    assert_code(e, "jws.segments");
    assert_contains(e.msg, "found 6");
    assert_false(jws_parse("  \n", 3, &t, &e));
    assert_code(e, "jws.empty");
    /* Header: not base64url, not JSON, duplicate keys, no alg. */
    const char *bad64 = "eyJhbGciOiJIUzI1NiJ9+.e30.";
    assert_false(jws_parse(bad64, strlen(bad64), &t, &e));
    assert_code(e, "jws.header_b64");
    assert_contains(e.msg, "segment 1 (header) is not valid base64url: '+' at offset 20");
    char tok[300];
    char *h = b64url_encode((const uint8_t *)"not json", 8);
    snprintf(tok, sizeof tok, "%s.e30.", h);
    assert_false(jws_parse(tok, strlen(tok), &t, &e));
    assert_code(e, "jws.header_json");
    free(h);
    const char *dup = "{\"alg\":\"HS256\",\"alg\":\"none\"}";
    h = b64url_encode((const uint8_t *)dup, strlen(dup));
    snprintf(tok, sizeof tok, "%s.e30.", h);
    assert_false(jws_parse(tok, strlen(tok), &t, &e));
    assert_code(e, "jws.header_json");
    assert_contains(e.msg, "duplicate");
    free(h);
    h = b64url_encode((const uint8_t *)"[1]", 3);
    snprintf(tok, sizeof tok, "%s.e30.", h);
    assert_false(jws_parse(tok, strlen(tok), &t, &e));
    assert_code(e, "jws.header_json");
    free(h);
    /* No "alg" (or not a string): it decodes, with a warning, and never verifies. */
    static const char *const no_alg[] = {"{\"typ\":\"JWT\"}", "{\"alg\":256}"};
    for (int i = 0; i < 2; i++) {
        h = b64url_encode((const uint8_t *)no_alg[i], strlen(no_alg[i]));
        snprintf(tok, sizeof tok, "%s.e30.c2ln", h);
        assert_true(jws_parse(tok, strlen(tok), &t, &e));
        assert_null(t->alg_name);
        jwt_warning w[JWT_MAX_WARNINGS];
        size_t nw = jwt_warnings(t, NULL, 0, w, JWT_MAX_WARNINGS);
        assert_true(nw >= 1);
        assert_string_equal(w[0].code, "warn.alg_missing");
        jwk *hk = jwk_from_secret((const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
        assert_false(jws_verify(t, hk, NULL, 0, &e));
        assert_code(e, "jws.alg_missing");
        assert_contains(e.msg, i == 0 ? "has no \"alg\"" : "must be a string");
        jwk_free(hk);
        jws_free(t);
        free(h);
    }
    /* Payload and signature segments. */
    assert_false(jws_parse("eyJhbGciOiJIUzI1NiJ9.e3=.", 25, &t, &e));
    assert_code(e, "jws.payload_b64");
    assert_contains(e.msg, "segment 2 (payload)");
    assert_false(jws_parse("eyJhbGciOiJIUzI1NiJ9.e30.a/b", 28, &t, &e));
    assert_code(e, "jws.signature_b64");
    assert_contains(e.msg, "segment 3 (signature)");
}

static void test_payload_not_json_is_still_a_jws(void **state)
{
    (void)state;
    jwk *hs = key_from(a1_key);
    char *tok = NULL;
    tl_err e = {0};
    assert_true(jws_sign(NULL, (const uint8_t *)"hello", 5, JWS_HS256, hs, false, &tok, &e));
    jws *t = parse_ok(tok);
    assert_null(t->claims);
    assert_code(t->claims_err, "json.syntax");
    assert_int_equal(t->payload_len, 5);
    assert_true(jws_verify(t, hs, NULL, 0, &e));
    jws_free(t);
    free(tok);
    /* A duplicate claim is not a JWT either. */
    const char *dup = "{\"sub\":\"a\",\"sub\":\"admin\"}";
    assert_true(jws_sign(NULL, (const uint8_t *)dup, strlen(dup), JWS_HS256, hs, false, &tok, &e));
    t = parse_ok(tok);
    assert_null(t->claims);
    assert_code(t->claims_err, "json.duplicate_key");
    jws_free(t);
    free(tok);
    jwk_free(hs);
}

static void test_huge_token(void **state)
{
    (void)state;
    /* Exactly JWS_MAX_TOKEN bytes parses; one byte more is jws.too_big. */
    const char *head = "eyJhbGciOiJIUzI1NiJ9.";
    size_t n = JWS_MAX_TOKEN;
    char *tok = malloc(n + 2);
    memcpy(tok, head, strlen(head));
    size_t plen = n - strlen(head) - 1;
    plen -= plen % 4; /* keep the payload segment a whole number of groups */
    memset(tok + strlen(head), 'A', plen);
    size_t at = strlen(head) + plen;
    tok[at++] = '.';
    while (at < n) tok[at++] = 'A';
    /* The signature tail may be an impossible length; pad it to a valid one. */
    size_t slen = n - (strlen(head) + plen + 1);
    if (slen % 4 == 1) tok[n - 1] = '\0', n--;
    jws *t = NULL;
    tl_err e = {0};
    assert_true(jws_parse(tok, n, &t, &e));
    jws_free(t);
    memset(tok, 'A', JWS_MAX_TOKEN + 1);
    tok[10] = '.';
    tok[20] = '.';
    assert_false(jws_parse(tok, JWS_MAX_TOKEN + 1, &t, &e));
    assert_code(e, "jws.too_big");
    free(tok);
}

static void test_jwe_and_unknown_alg_and_crit(void **state)
{
    (void)state;
    jwk *hs = key_from(a1_key);
    /* RFC 7516 A.3 style JWE header: decoded, marked, never verified. */
    const char *jwe =
        "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.6KB707dM9YTIgHtLvtgWQ8mKwboJW3"
        "of9locizkDTHzBC2IlrT1oOQ.AxY8DCtDaGlsbGljb3RoZQ.KDlTtXchhZTGufMYmOYGS4HffxPSU"
        "rfmqCHXaI9wOGY.U0m_YmjN04DJvceFICbCVQ";
    jws *t = parse_ok(jwe);
    assert_true(t->is_jwe);
    assert_int_equal(t->nsegs, 5);
    assert_string_equal(t->alg_name, "A128KW");
    assert_string_equal(json_string_value(json_object_get(t->header, "enc")), "A128CBC-HS256");
    assert_null(t->claims);
    tl_err e = {0};
    assert_false(jws_verify(t, hs, NULL, 0, &e));
    assert_code(e, "jws.is_jwe");
    assert_null(jws_signing_input(t));
    jws_free(t);
    /* Every JWE segment is base64url; the IV and the tag are never empty (RFC 7516 §7.1). */
    static const struct {
        const char *tail, *code;
    } bad[] = {{".!!!.@@@.###.$$$", "jwe.segment_b64"},
               {"..AxY8DCtDaGlsbGljb3RoZQ.KDlT.U0m_Ym@", "jwe.segment_b64"},
               {".6KB7..KDlT.U0m_Ym", "jwe.segment_empty"},
               {".6KB7.AxY8.KDlT.", "jwe.segment_empty"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char tok[256];
        snprintf(tok, sizeof tok, "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0%s",
                 bad[i].tail);
        jws *j = NULL;
        assert_false(jws_parse(tok, strlen(tok), &j, &e));
        assert_null(j);
        assert_code(e, bad[i].code);
    }
    /* "dir": no encrypted key, a valid JWE */
    t = parse_ok("eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0..AxY8.KDlT.U0m_");
    assert_true(t->is_jwe);
    jws_free(t);
    /* Unknown algorithms decode, and are refused by verify. */
    char *h = b64url_encode((const uint8_t *)"{\"alg\":\"HS257\"}", 15);
    char tok[200];
    snprintf(tok, sizeof tok, "%s.e30.AAAA", h);
    t = parse_ok(tok);
    assert_int_equal(t->alg, JWS_ALG_UNKNOWN);
    assert_false(jws_verify(t, hs, NULL, 0, &e));
    assert_code(e, "jws.alg_unknown");
    jws_free(t);
    free(h);
    /* crit names an extension we do not implement: RFC 7515 §4.1.11 says reject. */
    json_t *hdr = json_pack("{s:[s],s:b}", "crit", "b64", "b64", 0);
    char *ct = NULL;
    assert_true(jws_sign(hdr, (const uint8_t *)"{}", 2, JWS_HS256, hs, false, &ct, &e));
    verify_fails(ct, hs, "jws.crit");
    json_decref(hdr);
    free(ct);
    jwk_free(hs);
}

static void test_sign_header_and_kid(void **state)
{
    (void)state;
    jwk *hs = key_from(a1_key);
    jwk_set_kid(hs, "k1");
    json_t *hdr = json_pack("{s:s}", "typ", "JWT");
    char *tok = NULL;
    tl_err e = {0};
    assert_true(jws_sign(hdr, (const uint8_t *)"{}", 2, JWS_HS384, hs, false, &tok, &e));
    jws *t = parse_ok(tok);
    char *hj = jsonx_compact(t->header);
    assert_string_equal(hj, "{\"alg\":\"HS384\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
    free(hj);
    assert_string_equal(t->kid, "k1");
    jws_free(t);
    free(tok);
    /* A header "alg" is overwritten in place with the alg actually used. */
    json_object_set_new(hdr, "alg", json_string("none"));
    assert_true(jws_sign(hdr, (const uint8_t *)"{}", 2, JWS_HS256, hs, false, &tok, &e));
    t = parse_ok(tok);
    hj = jsonx_compact(t->header);
    assert_string_equal(hj, "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"k1\"}");
    free(hj);
    jws_free(t);
    free(tok);
    /* Signing needs a private key. */
    jwk *pub = NULL, *rsa = key_from(a2_key);
    json_t *pj = jwk_to_json(rsa, false);
    assert_true(jwk_from_json(pj, &pub, &e));
    assert_false(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_RS256, pub, false, &tok, &e));
    assert_code(e, "key.not_private");
    /* An empty HMAC secret is legal HMAC (RFC 2104) and works, as in other libraries; the
     * short-key warning is what tells the learner (test_jwt). Known answer from Python's hmac
     * module: HMAC-SHA256(key = "", "eyJhbGciOiJIUzI1NiJ9.e30"). */
    jwk *empty = jwk_from_secret((const uint8_t *)"", 0);
    assert_non_null(empty);
    assert_true(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_HS256, empty, false, &tok, &e));
    assert_string_equal(tok,
                        "eyJhbGciOiJIUzI1NiJ9.e30.4E_Bsx-pJi3kOW9wVXN8CgbATwP09D9V5gxh9-9zSZ0");
    verify_ok(tok, empty);
    free(tok);
    jwk_free(empty);
    json_decref(pj);
    json_decref(hdr);
    jwk_free(pub);
    jwk_free(rsa);
    jwk_free(hs);
}

static void test_every_alg_roundtrip(void **state)
{
    (void)state;
    jwk *rsa = NULL; /* one RSA key for the six RS and PS algorithms: keygen is slow */
    for (int a = JWS_HS256; a < JWS_ALG_COUNT; a++) {
        jwk *k = NULL;
        tl_err e = {0};
        if (a >= JWS_RS256 && a <= JWS_PS512 && rsa)
            k = jwk_ref(rsa);
        else
            assert_true(jwk_generate((jws_alg)a, 0, &k, &e));
        if (a == JWS_RS256) rsa = jwk_ref(k);
        char *tok = mint((jws_alg)a, k, "{\"n\":1}");
        jws *t = parse_ok(tok);
        assert_int_equal(t->alg, a);
        if (!jws_verify(t, k, NULL, 0, &e)) fail_msg("%s: %s", jws_alg_name((jws_alg)a), e.msg);
        /* Verifying with the public half alone works too. */
        json_t *pj = jwk_to_json(k, false);
        jwk *pub = NULL;
        assert_true(jwk_from_json(pj, &pub, &e));
        assert_true(jws_verify(t, pub, NULL, 0, &e));
        jws_free(t);
        free(tok);
        json_decref(pj);
        jwk_free(pub);
        jwk_free(k);
    }
    jwk_free(rsa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7515_a1_hs256),
        cmocka_unit_test(test_rfc7515_a2_rs256),
        cmocka_unit_test(test_rfc7515_a3_a4_ecdsa),
        cmocka_unit_test(test_rfc7520_4_1_rs256),
        cmocka_unit_test(test_rfc7520_4_2_ps384),
        cmocka_unit_test(test_rfc7520_4_3_es512),
        cmocka_unit_test(test_rfc7520_4_4_hs256),
        cmocka_unit_test(test_rfc8037_a4_ed25519),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_wrong_key_and_type),
        cmocka_unit_test(test_alg_none_every_casing),
        cmocka_unit_test(test_ed25519_names),
        cmocka_unit_test(test_key_confusion_hs256_with_rsa_pem),
        cmocka_unit_test(test_ecdsa_signature_shapes),
        cmocka_unit_test(test_structure_errors),
        cmocka_unit_test(test_payload_not_json_is_still_a_jws),
        cmocka_unit_test(test_huge_token),
        cmocka_unit_test(test_jwe_and_unknown_alg_and_crit),
        cmocka_unit_test(test_sign_header_and_kid),
        cmocka_unit_test(test_every_alg_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
