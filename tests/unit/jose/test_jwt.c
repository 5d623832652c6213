/* SPDX-License-Identifier: MIT */
/* Unit tests for src/jose/jwt: claim checks (each failure its own code and plain message) and the
 * warnings a beginner sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jose/b64url.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "unit/jose/jose_test_util.h"

#define T0 1795874531 /* 2026-11-28 14:02:11 UTC */

static jwk *hs_key(void)
{
    return jwk_from_secret((const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
}

/* A signed token with these claims and header members (JSON object texts). */
static jws *token(const char *claims, const char *header)
{
    jwk *k = hs_key();
    json_t *h = header ? json_loads(header, 0, NULL) : NULL;
    char *tok = NULL;
    jws *t = NULL;
    tl_err e = {0};
    if (!jws_sign(h, (const uint8_t *)claims, strlen(claims), JWS_HS256, k, false, &tok, &e))
        fail_msg("sign: %s", e.msg);
    if (!jws_parse(tok, strlen(tok), &t, &e)) fail_msg("parse: %s", e.msg);
    free(tok);
    json_decref(h);
    jwk_free(k);
    return t;
}

static void check_fails(const char *claims, const char *header, const jwt_rules *r,
                        const char *code, const char *msg)
{
    jws *t = token(claims, header);
    tl_err e = {0};
    assert_false(jwt_check(t, r, &e));
    assert_code(e, code);
    if (msg) assert_contains(e.msg, msg);
    jws_free(t);
}

static void check_ok(const char *claims, const char *header, const jwt_rules *r)
{
    jws *t = token(claims, header);
    tl_err e = {0};
    if (!jwt_check(t, r, &e)) fail_msg("%s: %s", e.code, e.msg);
    jws_free(t);
}

static void test_times(void **state)
{
    (void)state;
    char c[200];
    jwt_rules r = {.now = T0 + 180};
    snprintf(c, sizeof c, "{\"exp\":%d}", T0);
    check_fails(c, NULL, &r, "jwt.expired", "expired 3 minutes ago at 14:02:11 UTC");
    /* exp is exclusive (RFC 7519 §4.1.4): at exactly exp the token is expired. */
    r.now = T0;
    check_fails(c, NULL, &r, "jwt.expired", "expired just now at 14:02:11 UTC");
    r.now = T0 - 1;
    check_ok(c, NULL, &r);
    /* Leeway tolerates skew. */
    r.now = T0 + 30;
    r.leeway = 60;
    check_ok(c, NULL, &r);
    r.now = T0 + 61;
    check_fails(c, NULL, &r, "jwt.expired", "60s of clock skew");
    /* Long ago: the full date. */
    r.now = T0 + 3 * 86400;
    r.leeway = 0;
    check_fails(c, NULL, &r, "jwt.expired", "3 days ago at 2026-11-28 14:02:11 UTC");
    /* A fractional NumericDate is fine. */
    r.now = T0 - 10;
    check_ok("{\"exp\":1795874531.5}", NULL, &r);

    snprintf(c, sizeof c, "{\"nbf\":%d}", T0);
    r.now = T0 - 120;
    check_fails(c, NULL, &r, "jwt.not_yet_valid", "in 2 minutes");
    r.now = T0;
    check_ok(c, NULL, &r);
    r.now = T0 - 5;
    r.leeway = 10;
    check_ok(c, NULL, &r);
    r.leeway = 0;

    snprintf(c, sizeof c, "{\"iat\":%d}", T0);
    r.now = T0 - 600;
    check_fails(c, NULL, &r, "jwt.iat_future", "10 minutes from now");
    r.now = T0;
    check_ok(c, NULL, &r);

    check_fails("{\"exp\":\"tomorrow\"}", NULL, &r, "jwt.bad_time", "\"exp\"");
    check_fails("{\"nbf\":true}", NULL, &r, "jwt.bad_time", "\"nbf\"");
    check_fails("{\"iat\":[1]}", NULL, &r, "jwt.bad_time", NULL);
    check_fails("{\"exp\":1e300}", NULL, &r, "jwt.bad_time", NULL);
}

static void test_iss_aud_typ_require(void **state)
{
    (void)state;
    jwt_rules r = {.now = T0, .iss = "https://issuer.example"};
    check_ok("{\"iss\":\"https://issuer.example\"}", NULL, &r);
    check_fails("{\"iss\":\"https://evil.example\"}", NULL, &r, "jwt.iss",
                "issued by \"https://evil.example\", expected \"https://issuer.example\"");
    check_fails("{\"iss\":\"https://ISSUER.example\"}", NULL, &r, "jwt.iss", NULL);
    check_fails("{}", NULL, &r, "jwt.iss", "no \"iss\"");
    check_fails("{\"iss\":7}", NULL, &r, "jwt.iss", NULL);

    jwt_rules a = {.now = T0, .aud = "api"};
    check_ok("{\"aud\":\"api\"}", NULL, &a);
    check_ok("{\"aud\":[\"web\",\"api\"]}", NULL, &a);
    check_fails("{\"aud\":\"web\"}", NULL, &a, "jwt.aud", "audience \"web\", not \"api\"");
    check_fails("{\"aud\":[\"web\",\"mobile\"]}", NULL, &a, "jwt.aud", "[\"web\", \"mobile\"]");
    check_fails("{}", NULL, &a, "jwt.aud", "no \"aud\"");
    check_fails("{\"aud\":[1]}", NULL, &a, "jwt.aud", NULL);
    check_fails("{\"aud\":{}}", NULL, &a, "jwt.aud", NULL);

    jwt_rules ty = {.now = T0, .typ = "at+jwt"};
    check_ok("{}", "{\"typ\":\"at+jwt\"}", &ty);
    check_ok("{}", "{\"typ\":\"application/AT+JWT\"}", &ty);
    check_fails("{}", "{\"typ\":\"JWT\"}", &ty, "jwt.typ", "\"JWT\"");
    check_fails("{}", NULL, &ty, "jwt.typ", "no \"typ\"");

    const char *req[] = {"sub", "jti"};
    jwt_rules rq = {.now = T0, .require = req, .nrequire = 2};
    check_ok("{\"sub\":\"a\",\"jti\":\"1\"}", NULL, &rq);
    check_fails("{\"sub\":\"a\"}", NULL, &rq, "jwt.missing_claim", "\"jti\"");

    /* Claims that are not an object. */
    check_fails("[1,2]", NULL, &r, "jwt.not_object", "not a JSON object");
    check_fails("{\"sub\":\"a\",\"sub\":\"b\"}", NULL, &r, "jwt.not_object", "duplicate");
    check_ok("{}", NULL, NULL);
}

static bool has_warning(const jwt_warning *w, size_t n, const char *code, const char *frag)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w[i].code, code) == 0) {
            if (frag && !strstr(w[i].message, frag))
                fail_msg("%s: \"%s\" lacks \"%s\"", code, w[i].message, frag);
            return true;
        }
    return false;
}

static size_t warnings_for(jws *t, const jwk *k, int64_t now, jwt_warning *w)
{
    size_t n = jwt_warnings(t, k, now, w, JWT_MAX_WARNINGS);
    assert_true(n <= JWT_MAX_WARNINGS);
    return n;
}

static void test_warnings(void **state)
{
    (void)state;
    jwt_warning w[JWT_MAX_WARNINGS];
    char c[200];
    /* A well-formed short-lived token: no warnings at all. */
    snprintf(c, sizeof c, "{\"iat\":%d,\"exp\":%d}", T0, T0 + 900);
    jws *t = token(c, "{\"typ\":\"JWT\"}");
    jwk *k = hs_key();
    assert_int_equal(warnings_for(t, k, T0, w), 0);
    /* ...until it expires. */
    size_t n = warnings_for(t, k, T0 + 960, w);
    assert_true(has_warning(w, n, "warn.expired", "expired 1 minute ago"));
    jws_free(t);

    t = token("{\"sub\":\"a\"}", NULL);
    n = warnings_for(t, NULL, T0, w);
    assert_int_equal(n, 1);
    assert_true(has_warning(w, n, "warn.no_exp", "never expires"));
    jws_free(t);

    snprintf(c, sizeof c, "{\"iat\":%d,\"exp\":%d}", T0, T0 + 30 * 86400);
    t = token(c, NULL);
    n = warnings_for(t, NULL, T0, w);
    assert_true(has_warning(w, n, "warn.long_lifetime", "30 days"));
    jws_free(t);
    /* Exactly 24 h is not "long". */
    snprintf(c, sizeof c, "{\"iat\":%d,\"exp\":%d}", T0, T0 + JWT_LONG_LIFETIME);
    t = token(c, NULL);
    n = warnings_for(t, NULL, T0, w);
    assert_false(has_warning(w, n, "warn.long_lifetime", NULL));
    jws_free(t);

    /* HMAC key shorter than the hash: RFC 7518 §3.2. */
    snprintf(c, sizeof c, "{\"exp\":%d}", T0 + 60);
    t = token(c, NULL);
    jwk *short_key = jwk_from_secret((const uint8_t *)"secret", 6);
    n = warnings_for(t, short_key, T0, w);
    assert_true(has_warning(w, n, "warn.short_hmac_key", "6 bytes"));
    assert_int_equal(warnings_for(t, k, T0, w), 0);
    jwk_free(short_key);
    jws_free(t);

    /* Unusual typ; the usual ones do not warn. */
    t = token(c, "{\"typ\":\"JWS\"}");
    n = warnings_for(t, NULL, T0, w);
    assert_true(has_warning(w, n, "warn.typ_unusual", "\"JWS\""));
    jws_free(t);
    const char *usual[] = {"{\"typ\":\"at+jwt\"}", "{\"typ\":\"application/jwt\"}",
                           "{\"typ\":\"application/at+jwt\"}", "{\"typ\":\"JOSE\"}",
                           "{\"typ\":\"jwt\"}"};
    for (int i = 0; i < 5; i++) {
        t = token(c, usual[i]);
        assert_int_equal(warnings_for(t, NULL, T0, w), 0);
        jws_free(t);
    }

    /* Payload not JSON. */
    t = token("just text", NULL);
    n = warnings_for(t, NULL, T0, w);
    assert_true(has_warning(w, n, "warn.payload_not_json", "not a JSON object"));
    jws_free(t);

    /* alg none in any casing, and an unknown alg. */
    const char *nones[] = {"eyJhbGciOiJub25lIn0", "eyJhbGciOiJOb05lIn0"};
    for (int i = 0; i < 2; i++) {
        char tok[200];
        snprintf(tok, sizeof tok, "%s.e30.", nones[i]);
        tl_err e = {0};
        assert_true(jws_parse(tok, strlen(tok), &t, &e));
        n = warnings_for(t, NULL, T0, w);
        assert_true(has_warning(w, n, "warn.alg_none", "not signed"));
        assert_false(has_warning(w, n, "warn.alg_unknown", NULL));
        jws_free(t);
    }
    char *h = b64url_encode((const uint8_t *)"{\"alg\":\"XS256\"}", 15);
    char tok[200];
    snprintf(tok, sizeof tok, "%s.e30.", h);
    free(h);
    tl_err e = {0};
    assert_true(jws_parse(tok, strlen(tok), &t, &e));
    n = warnings_for(t, NULL, T0, w);
    assert_true(has_warning(w, n, "warn.alg_unknown", "XS256"));
    jws_free(t);

    /* JWE. */
    const char *jwe = "eyJhbGciOiJBMTI4S1ciLCJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.6KB7.AxY8.KDlT.U0m_";
    assert_true(jws_parse(jwe, strlen(jwe), &t, &e));
    n = warnings_for(t, NULL, T0, w);
    assert_int_equal(n, 1);
    assert_true(has_warning(w, n, "warn.jwe", "encrypted"));
    tl_err ce = {0};
    assert_false(jwt_check(t, NULL, &ce));
    assert_code(ce, "jwt.not_object");
    jws_free(t);

    /* RSA < 2048 bits (allowed to load, warned). */
    jwk *rsa = NULL;
    assert_true(jwk_generate(JWS_RS256, 1024, &rsa, &e));
    char *rt = NULL;
    assert_true(jws_sign(NULL, (const uint8_t *)c, strlen(c), JWS_RS256, rsa, false, &rt, &e));
    assert_true(jws_parse(rt, strlen(rt), &t, &e));
    n = warnings_for(t, rsa, T0, w);
    assert_true(has_warning(w, n, "warn.weak_rsa", "1024 bits"));
    jws_free(t);
    free(rt);
    jwk_free(rsa);

    /* max is respected. */
    t = token("x", "{\"typ\":\"odd\"}");
    assert_int_equal(jwt_warnings(t, NULL, T0, w, 1), 1);
    assert_int_equal(jwt_warnings(t, NULL, T0, w, 0), 0);
    jws_free(t);
    jwk_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_iss_aud_typ_require),
        cmocka_unit_test(test_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
