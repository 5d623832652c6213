/* SPDX-License-Identifier: MIT */
/* Starting the server: other signing algorithms (ES256, EdDSA) and a loaded key, --issuer,
 * and precise errors for a bad config, an unknown lab switch and a bad or busy listen address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "test_server_util.h"

/* Writes assets/config.json with signing.alg = alg (and key_file) to a temp file. */
static char *config_with(const char *alg, const char *key_file)
{
    char *text = NULL;
    size_t len = 0;
    assert_true(assets_read("config.json", &text, &len, NULL));
    json_t *j = json_loadb(text, len, 0, NULL);
    free(text);
    json_t *sig = json_object_get(j, "signing");
    json_object_set_new(sig, "alg", json_string(alg));
    if (key_file) json_object_set_new(sig, "key_file", json_string(key_file));
    char path[] = "/tmp/tokenlab-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    return strdup(path);
}

static void check_alg(const char *alg, const char *kty, const char *key_file)
{
    char *cfg = config_with(alg, key_file);
    server_options o = {
        .listen = "127.0.0.1:0", .config_path = cfg, .issuer = "https://issuer.example/"};
    server *s = NULL;
    tl_err e = {0};
    if (!server_start(&o, &s, &e)) fprintf(stderr, "%s\n", e.msg);
    assert_non_null(s);
    assert_string_equal(server_issuer(s), "https://issuer.example"); /* no trailing slash */
    char *u = url_of(s, "/.well-known/openid-configuration");
    resp r = http_get(u, NULL);
    free(u);
    assert_string_equal(jstr(&r, "issuer"), "https://issuer.example");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(r.json, "id_token_signing_alg_values_supported"), 0)),
                        alg);
    resp_free(&r);
    u = url_of(s, "/jwks");
    r = http_get(u, NULL);
    free(u);
    json_t *k = json_array_get(json_object_get(r.json, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(k, "kty")), kty);
    assert_string_equal(json_string_value(json_object_get(k, "alg")), alg);
    jwk *pub = NULL;
    assert_true(jwk_from_json(k, &pub, NULL));
    resp_free(&r);
    r = token_req(s, NULL,
                  "grant_type=client_credentials&client_id=demo-service&client_secret=demo-service-"
                  "secret");
    assert_int_equal(r.status, 200);
    jws *t = NULL;
    const char *at = jstr(&r, "access_token");
    assert_true(jws_parse(at, strlen(at), &t, NULL));
    assert_string_equal(t->alg_name, alg);
    assert_true(jws_verify(t, pub, NULL, 0, NULL)); /* verifies with the published key */
    assert_string_equal(json_string_value(json_object_get(t->claims, "iss")),
                        "https://issuer.example");
    jws_free(t);
    resp a = api_get(s, "/api/profile", at);
    assert_int_equal(a.status, 200);
    resp_free(&a);
    resp_free(&r);
    jwk_free(pub);
    server_stop(s);
    unlink(cfg);
    free(cfg);
}

static void test_es256(void **st)
{
    (void)st;
    check_alg("ES256", "EC", NULL);
}

static void test_eddsa(void **st)
{
    (void)st;
    check_alg("EdDSA", "OKP", NULL);
}

static void test_loaded_key(void **st)
{
    (void)st;
    jwk *k = NULL;
    assert_true(jwk_generate(JWS_ES256, 0, &k, NULL));
    char *pem = jwk_to_pem(k, true, NULL);
    char path[] = "/tmp/tokenlab-key-XXXXXX";
    int fd = mkstemp(path);
    assert_true(write(fd, pem, strlen(pem)) == (ssize_t)strlen(pem));
    close(fd);
    check_alg("ES256", "EC", path);
    unlink(path);
    free(pem);
    jwk_free(k);
}

static void test_start_errors(void **st)
{
    (void)st;
    server *s = NULL;
    tl_err e = {0};
    const char *bad_lab[] = {"alg-nope"};
    server_options o = {.listen = "127.0.0.1:0", .labs = bad_lab, .nlabs = 1};
    assert_false(server_start(&o, &s, &e));
    assert_true(err_is(&e, "server.lab"));
    assert_non_null(strstr(e.msg, "alg-nope"));
    o = (server_options){.listen = "127.0.0.1"};
    assert_false(server_start(&o, &s, &e));
    assert_true(err_is(&e, "server.listen"));
    o = (server_options){.listen = "127.0.0.1:70000"};
    assert_false(server_start(&o, &s, &e));
    assert_true(err_is(&e, "server.listen"));
    o = (server_options){.listen = "127.0.0.1:0", .config_path = "/nonexistent/config.json"};
    assert_false(server_start(&o, &s, &e));
    assert_true(err_is(&e, "server.config"));
    char *cfg = config_with("HS256", NULL);
    o = (server_options){.listen = "127.0.0.1:0", .config_path = cfg};
    assert_false(server_start(&o, &s, &e));
    assert_true(err_is(&e, "server.config"));
    assert_non_null(strstr(e.msg, "HS256"));
    unlink(cfg);
    free(cfg);
    /* a busy port */
    server *a = NULL;
    o = (server_options){.listen = "127.0.0.1:0"};
    assert_true(server_start(&o, &a, &e));
    char busy[64];
    snprintf(busy, sizeof busy, "127.0.0.1:%u", (unsigned)server_port(a));
    o = (server_options){.listen = busy};
    assert_false(server_start(&o, &s, &e));
    assert_true(err_is(&e, "server.listen"));
    /* labs at start are announced in every response */
    const char *labs[] = {"alg-none", "skip-exp"};
    server *b = NULL;
    o = (server_options){.listen = "127.0.0.1:0", .labs = labs, .nlabs = 2};
    assert_true(server_start(&o, &b, &e));
    char *u = url_of(b, "/health");
    resp r = http_get(u, NULL);
    free(u);
    assert_string_equal(header_value(&r, "X-Tokenlab-Lab"), "alg-none,skip-exp");
    resp_free(&r);
    assert_true(server_lab_is_on(b, "skip-exp"));
    assert_false(server_lab_is_on(b, "no-pkce"));
    server_stop(b);
    server_stop(a);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_es256),
        cmocka_unit_test(test_eddsa),
        cmocka_unit_test(test_loaded_key),
        cmocka_unit_test(test_start_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
