/* SPDX-License-Identifier: MIT */
/* Known answers for the server's pure request parsers (reqparse) and its bounded store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/reqparse.h"
#include "server/secret.h"
#include "server/store.h"

static void test_form(void **st)
{
    (void)st;
    reqparse_params p;
    tl_err e = {0};
    const char *s = "grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
                    "&scope=openid+notes%3aread&empty=&flag&&x=%C3%A9";
    assert_true(reqparse_form(s, strlen(s), &p, &e));
    assert_int_equal(p.n, 6);
    assert_string_equal(reqparse_get(&p, "grant_type"), "authorization_code");
    assert_string_equal(reqparse_get(&p, "redirect_uri"), "http://127.0.0.1/cb");
    assert_string_equal(reqparse_get(&p, "scope"), "openid notes:read");
    assert_null(reqparse_get(&p, "empty")); /* RFC 6749 §3.1: empty = omitted */
    assert_null(reqparse_get(&p, "flag"));
    assert_null(reqparse_get(&p, "missing"));
    assert_string_equal(reqparse_get(&p, "x"), "\xc3\xa9");
    reqparse_params_free(&p);
    struct {
        const char *in;
        const char *code;
    } bad[] = {
        {"a=1&a=2", "req.duplicate"},   {"a=%zz", "req.percent"},    {"a=%4", "req.percent"},
        {"a=%", "req.percent"},         {"a=%00", "req.nul"},        {"a=%FF", "req.utf8"},
        {"a=%C0%AF", "req.utf8"},       {"a=%ED%A0%80", "req.utf8"}, /* a surrogate */
        {"%F4%90%80%80=1", "req.utf8"},                              /* > U+10FFFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        assert_false(reqparse_form(bad[i].in, strlen(bad[i].in), &p, &e));
        assert_string_equal(e.code, bad[i].code);
        assert_int_equal(p.n, 0);
    }
    /* a raw NUL inside the bytes */
    assert_false(reqparse_form("a=b\0c", 5, &p, &e));
    assert_string_equal(e.code, "req.nul");
    char many[1024] = "";
    for (int i = 0; i < REQPARSE_MAX_PARAMS + 1; i++) {
        char one[16];
        snprintf(one, sizeof one, "%sp%d=1", i ? "&" : "", i);
        strcat(many, one);
    }
    assert_false(reqparse_form(many, strlen(many), &p, &e));
    assert_string_equal(e.code, "req.too_many");
}

static void test_json(void **st)
{
    (void)st;
    reqparse_params p;
    tl_err e = {0};
    const char *j = "{\"email\":\"a@b\",\"n\":3,\"on\":true,\"z\":null}";
    assert_true(reqparse_json(j, strlen(j), &p, &e));
    assert_string_equal(reqparse_get(&p, "email"), "a@b");
    assert_string_equal(reqparse_get(&p, "n"), "3");
    assert_string_equal(reqparse_get(&p, "on"), "true");
    assert_null(reqparse_get(&p, "z"));
    reqparse_params_free(&p);
    assert_false(reqparse_json("{\"a\":{}}", 8, &p, &e));
    assert_string_equal(e.code, "req.json_nested");
    assert_false(reqparse_json("[1]", 3, &p, &e));
    assert_false(reqparse_json("{\"a\":1,\"a\":2}", 13, &p, &e));
    assert_string_equal(e.code, "json.duplicate_key");
    /* an escaped NUL never reaches the server (refused by the JSON parser or by reqparse) */
    assert_false(reqparse_json("{\"a\":\"x\\u0000y\"}", 16, &p, &e));
}

static void test_auth_headers(void **st)
{
    (void)st;
    char *id, *secret, *tok;
    tl_err e = {0};
    /* RFC 6749 §2.3.1: form-urlencoded inside Basic: "a b%" : "p:w" */
    assert_true(reqparse_basic_auth("Basic YStiJTI1OnAlM0F3", &id, &secret, &e));
    assert_string_equal(id, "a b%");
    assert_string_equal(secret, "p:w");
    free(id);
    free(secret);
    assert_true(reqparse_basic_auth("basic ZGVtby13ZWI6ZGVtby13ZWItc2VjcmV0", &id, &secret, &e));
    assert_string_equal(id, "demo-web");
    assert_string_equal(secret, "demo-web-secret");
    free(id);
    free(secret);
    assert_false(reqparse_basic_auth("Bearer abc", &id, &secret, &e));
    assert_string_equal(e.code, "req.auth_scheme");
    assert_false(reqparse_basic_auth("Basic !!!", &id, &secret, &e));
    assert_string_equal(e.code, "req.auth_b64");
    assert_false(reqparse_basic_auth("Basic bm9jb2xvbg==", &id, &secret, &e)); /* "nocolon" */
    assert_string_equal(e.code, "req.auth_format");
    assert_true(reqparse_bearer("Bearer abc.def-_~+/==", &tok, &e));
    assert_string_equal(tok, "abc.def-_~+/==");
    free(tok);
    assert_true(reqparse_bearer("bearer   x ", &tok, &e));
    assert_string_equal(tok, "x");
    free(tok);
    assert_false(reqparse_bearer("Bearer a b", &tok, &e));
    assert_string_equal(e.code, "req.auth_format");
    assert_false(reqparse_bearer("Bearer ", &tok, &e));
    assert_false(reqparse_bearer("Token x", &tok, &e));
    assert_false(reqparse_bearer("Bearer=x", &tok, &e));
}

static void test_scope(void **st)
{
    (void)st;
    reqparse_scopes sc;
    tl_err e = {0};
    assert_true(reqparse_scope("openid  notes:read openid", &sc, &e));
    assert_int_equal(sc.n, 2);
    assert_true(reqparse_scopes_has(&sc, "notes:read"));
    assert_false(reqparse_scopes_has(&sc, "notes"));
    char *j = reqparse_scopes_join(&sc);
    assert_string_equal(j, "openid notes:read");
    free(j);
    reqparse_scopes_free(&sc);
    assert_false(reqparse_scope("a\"b", &sc, &e));
    assert_string_equal(e.code, "req.scope");
    assert_false(reqparse_scope("a\\b", &sc, &e));
    assert_true(reqparse_accepts_json("application/json"));
    assert_true(reqparse_accepts_json("application/json, text/html;q=0.5"));
    assert_false(reqparse_accepts_json("text/html,application/json;q=0.9"));
    assert_false(reqparse_accepts_json(NULL));
    char *u = reqparse_urlencode("a b/é~");
    assert_string_equal(u, "a%20b%2F%C3%A9~");
    free(u);
}

static void test_secret(void **st)
{
    (void)st;
    assert_true(secret_equal("abc", "abc"));
    assert_false(secret_equal("abc", "abd"));
    assert_false(secret_equal("abc", "abcd"));
    assert_false(secret_equal(NULL, "a"));
    char *h = secret_password_hash("wonderland", 1000);
    assert_non_null(h);
    assert_true(strncmp(h, "pbkdf2-sha256$1000$", 19) == 0);
    assert_true(secret_password_ok(h, "wonderland"));
    assert_false(secret_password_ok(h, "Wonderland"));
    assert_false(secret_password_ok("pbkdf2-sha256$1000$x", "wonderland"));
    assert_false(secret_password_ok("md5$abc", "wonderland"));
    free(h);
    char *t = secret_random_token(32);
    assert_int_equal(strlen(t), 43);
    free(t);
}

static void test_store(void **st)
{
    (void)st;
    store *s = store_new("t", 8, free);
    store_lock(s);
    for (int i = 0; i < 8; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        assert_true(store_put_locked(s, k, strdup("v"), i < 4 ? 100 : 1000, 0));
    }
    char *v = strdup("x");
    assert_false(store_put_locked(s, "k8", v, 1000, 50)); /* full of live entries: refused */
    free(v);
    assert_non_null(store_get_locked(s, "k1", 50));
    assert_null(store_get_locked(s, "k1", 100)); /* expired at 100 */
    /* at t=200 the four short-lived entries are swept, so there is room again */
    for (int i = 0; i < 3; i++) {
        char k[8];
        snprintf(k, sizeof k, "n%d", i);
        assert_true(store_put_locked(s, k, strdup("v"), 1000, 200));
    }
    assert_true(store_remove_locked(s, "n0"));
    assert_false(store_remove_locked(s, "n0"));
    /* an existing live key is not replaced */
    v = strdup("dup");
    assert_false(store_put_locked(s, "n1", v, 1000, 200));
    free(v);
    store_unlock(s);
    assert_int_equal(store_count(s), 6);
    store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form),         cmocka_unit_test(test_json),
        cmocka_unit_test(test_auth_headers), cmocka_unit_test(test_scope),
        cmocka_unit_test(test_secret),       cmocka_unit_test(test_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
