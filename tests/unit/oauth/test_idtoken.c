/* SPDX-License-Identifier: MIT */
/* ID token validation (OIDC Core §3.1.3.7) with tokens minted here, and at_hash known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jwk.h"
#include "jose/jws.h"
#include "oauth/idtoken.h"

#define NOW 1700000000
#define ISS "http://127.0.0.1:8910"

static jwk *key, *other;
static jwks *set;

static int setup(void **state)
{
    tl_err e = {0};
    if (!jwk_generate(JWS_ES256, 0, &key, &e) || !jwk_generate(JWS_ES256, 0, &other, &e)) return -1;
    jwk_set_kid(key, "k1");
    jwk_set_kid(other, "k1"); /* same kid, different key: a forgery attempt */
    set = jwks_new();
    jwks_add(set, key);
    return 0;
}

static int teardown(void **state)
{
    jwks_free(set);
    jwk_free(key);
    jwk_free(other);
    return 0;
}

/* Mints an ID token; `edit` is merged into the default claims (null values delete). */
static char *mint(const jwk *k, const char *edit)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "iss", ISS, "sub", "alice", "aud",
                          "tokenlab-cli", "exp", NOW + 900, "iat", NOW, "nonce", "n-1");
    /* at_hash of "at-123" with SHA-256 */
    json_object_set_new(c, "at_hash", json_string("pZOyhFN0Z9eQivPyniH1Gg"));
    if (edit) {
        json_t *x = json_loads(edit, 0, NULL);
        const char *name;
        json_t *v;
        json_object_foreach(x, name, v)
        {
            if (json_is_null(v))
                json_object_del(c, name);
            else
                json_object_set(c, name, v);
        }
        json_decref(x);
    }
    char *payload = json_dumps(c, JSON_COMPACT);
    json_t *h = json_object();
    char *tok = NULL;
    tl_err e = {0};
    jws_sign(h, (const uint8_t *)payload, strlen(payload), JWS_ES256, k, false, &tok, &e);
    json_decref(h);
    json_decref(c);
    free(payload);
    return tok;
}

static const idtoken_expect expect = {.issuer = ISS,
                                      .client_id = "tokenlab-cli",
                                      .nonce = "n-1",
                                      .access_token = "at-123",
                                      .now = NOW + 60,
                                      .leeway = 5};

static void check_fails(const char *edit, const jwk *k, const idtoken_expect *x, const char *code)
{
    char *t = mint(k, edit);
    assert_non_null(t);
    tl_err e = {0};
    json_t *claims = NULL;
    assert_false(idtoken_check(t, set, x, &claims, &e));
    assert_null(claims);
    if (!err_is(&e, code)) fail_msg("wanted %s, got %s: %s", code, e.code, e.msg);
    free(t);
}

static void half_hash_known_answers(void **state)
{
    /* RS256 example from Ping Identity's developer guide */
    char *h = idtoken_half_hash("RS256", "dNZX1hEZ9wBCzNL40Upu646bdzQA");
    assert_string_equal(h, "wfgvmE9VxjAudsl9lc6TqA");
    free(h);
    const char *at =
        "YmJiZTAwYmYtMzgyOC00NzhkLTkyOTItNjJjNDM3MGYzOWIy9sFhvH8K_x8UIHj1osisS57f5DduL-"
        "ar_qw5jl3lthwpMjm283aVMQXDmoqqqydDSqJfbhptzw8rUVwkuQbolw";
    h = idtoken_half_hash("ES256", at);
    assert_string_equal(h, "x7vk7f6BvQj0jQHYFIk4ag");
    free(h);
    h = idtoken_half_hash("PS384", at);
    assert_string_equal(h, "ups_76_7CCye_J1WIyGHKVG7AAs2olYm");
    free(h);
    h = idtoken_half_hash("HS512", at);
    assert_string_equal(h, "EGEAhGYyfuwDaVTifvrWSoD5MSy_5hZPy6I7Vm-7pTQ");
    free(h);
    h = idtoken_half_hash("EdDSA", at); /* Ed25519 hashes with SHA-512 */
    assert_string_equal(h, "EGEAhGYyfuwDaVTifvrWSoD5MSy_5hZPy6I7Vm-7pTQ");
    free(h);
    h = idtoken_half_hash("RS256", "at-123");
    assert_string_equal(h, "pZOyhFN0Z9eQivPyniH1Gg");
    free(h);
    assert_null(idtoken_half_hash("none", at));
    assert_null(idtoken_half_hash("XS256", at));
    assert_null(idtoken_half_hash(NULL, at));
}

static void a_good_token_passes(void **state)
{
    char *t = mint(key, NULL);
    tl_err e = {0};
    json_t *claims = NULL;
    if (!idtoken_check(t, set, &expect, &claims, &e)) fail_msg("%s: %s", e.code, e.msg);
    assert_string_equal(json_string_value(json_object_get(claims, "sub")), "alice");
    json_decref(claims);
    free(t);
    /* aud as an array with azp = us */
    t = mint(key, "{\"aud\":[\"tokenlab-cli\",\"api\"],\"azp\":\"tokenlab-cli\"}");
    assert_true(idtoken_check(t, set, &expect, NULL, &e));
    free(t);
    /* no nonce sent: none checked; no access token given: at_hash not checked */
    idtoken_expect loose = expect;
    loose.nonce = NULL;
    loose.access_token = NULL;
    t = mint(key, "{\"nonce\":null,\"at_hash\":\"wrong\"}");
    assert_true(idtoken_check(t, set, &loose, NULL, &e));
    free(t);
}

static void each_rule_refuses(void **state)
{
    check_fails(NULL, other, &expect, "jws.sig_mismatch");
    check_fails("{\"iss\":\"http://evil.example\"}", key, &expect, "jwt.iss");
    check_fails("{\"aud\":\"someone-else\"}", key, &expect, "jwt.aud");
    check_fails("{\"aud\":[\"tokenlab-cli\",\"api\"],\"azp\":\"api\"}", key, &expect,
                "idtoken.azp");
    check_fails("{\"exp\":1700000000}", key, &expect, "jwt.expired");
    check_fails("{\"iat\":null}", key, &expect, "jwt.missing_claim");
    check_fails("{\"sub\":null}", key, &expect, "jwt.missing_claim");
    check_fails("{\"nonce\":\"n-2\"}", key, &expect, "idtoken.nonce");
    check_fails("{\"nonce\":null}", key, &expect, "idtoken.nonce");
    check_fails("{\"at_hash\":\"AAAAAAAAAAAAAAAAAAAAAA\"}", key, &expect, "idtoken.at_hash");

    tl_err e = {0};
    assert_false(idtoken_check("not-a-token", set, &expect, NULL, &e));
    assert_non_null(e.code);
    assert_false(idtoken_check(NULL, set, &expect, NULL, &e));
    assert_true(err_is(&e, "idtoken.arg"));
    idtoken_expect none = expect;
    none.issuer = NULL;
    char *t = mint(key, NULL);
    assert_false(idtoken_check(t, set, &none, NULL, &e));
    assert_true(err_is(&e, "idtoken.arg"));
    /* an unsigned copy of a good token never passes: {"alg":"none"} . payload . (empty) */
    const char *payload = strchr(t, '.') + 1;
    size_t plen = strcspn(payload, ".");
    char unsigned_tok[4096];
    snprintf(unsigned_tok, sizeof unsigned_tok, "eyJhbGciOiJub25lIn0.%.*s.", (int)plen, payload);
    assert_false(idtoken_check(unsigned_tok, set, &expect, NULL, &e));
    assert_true(err_is(&e, "jws.alg_none") || err_is(&e, "jwks.no_key"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(half_hash_known_answers),
        cmocka_unit_test(a_good_token_passes),
        cmocka_unit_test(each_rule_refuses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
