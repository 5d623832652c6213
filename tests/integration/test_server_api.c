/* SPDX-License-Identifier: MIT */
/* The JWT login, the protected API and the lab: which tokens the API accepts and refuses (with
 * RFC 6750 errors), every lab switch on and off, the lab over HTTP, the event feed (in-process and
 * SSE) and key rotation. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "jose/jsonx.h"
#include "server/srv.h" /* srv_sign_jwt: a token signed with the server's own key */
#include "test_server_util.h"

static server *S;

static int setup(void **st)
{
    (void)st;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    S = start_server(NULL, 0);
    return S ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    server_stop(S);
    curl_global_cleanup();
    return 0;
}

static int reset(void **st)
{
    (void)st;
    const char *const *n = server_lab_names();
    for (size_t i = 0; n[i]; i++) server_set_lab(S, n[i], false, NULL);
    server_clock_reset(S);
    return 0;
}

static char *login(const char *email, const char *password, long *status)
{
    char *u = url_of(S, "/login");
    char *b = fmt("{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    const char *h[] = {"Content-Type: application/json", NULL};
    resp r = http_post(u, h, b);
    free(u);
    free(b);
    *status = r.status;
    char *tok = jstr(&r, "token") ? strdup(jstr(&r, "token")) : NULL;
    resp_free(&r);
    return tok;
}

/* Signs claims (JSON text, freed here) with HS256 and `secret`, header from hdr_json. */
static char *hs256(const char *secret, size_t slen, const char *hdr_json, char *claims)
{
    json_t *h = json_loads(hdr_json ? hdr_json : "{\"typ\":\"JWT\"}", 0, NULL);
    jwk *k = jwk_from_secret((const uint8_t *)secret, slen);
    char *tok = NULL;
    assert_true(
        jws_sign(h, (const uint8_t *)claims, strlen(claims), JWS_HS256, k, false, &tok, NULL));
    jwk_free(k);
    json_decref(h);
    free(claims);
    return tok;
}

static char *claims_for(int64_t iat, int64_t exp, const char *iss, const char *aud)
{
    return fmt("{\"iss\":\"%s\",\"sub\":\"alice\",\"aud\":\"%s\",\"iat\":%lld,\"exp\":%lld,"
               "\"scope\":\"profile notes:read\"}",
               iss, aud, (long long)iat, (long long)exp);
}

static void test_login_and_api(void **st)
{
    (void)st;
    long status = 0;
    char *tok = login("alice@example.com", "wonderland", &status);
    assert_int_equal(status, 200);
    assert_non_null(tok);
    jws *t = NULL;
    assert_true(jws_parse(tok, strlen(tok), &t, NULL));
    assert_int_equal(t->alg, JWS_HS256);
    assert_string_equal(json_string_value(json_object_get(t->claims, "sub")), "alice");
    /* really signed with the server's secret */
    size_t sl = 0;
    const char *sec = server_login_secret(S, &sl);
    jwk *k = jwk_from_secret((const uint8_t *)sec, sl);
    assert_true(jws_verify(t, k, NULL, 0, NULL));
    jwk_free(k);
    jws_free(t);
    resp r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "email"), "alice@example.com");
    resp_free(&r);
    r = api_get(S, "/api/notes", tok);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "notes")) >= 2);
    resp_free(&r);
    /* POST a note (JSON body) and read it back */
    char *u = url_of(S, "/api/notes");
    char *h = fmt("Authorization: Bearer %s", tok);
    const char *hdrs[] = {h, "Content-Type: application/json", NULL};
    r = http_post(u, hdrs, "{\"text\":\"buy milk\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(&r, "text"), "buy milk");
    resp_free(&r);
    r = api_get(S, "/api/notes", tok);
    assert_non_null(strstr(r.body, "buy milk"));
    resp_free(&r);
    free(h);
    free(u);
    free(tok);
    /* wrong password / unknown user: 401 with a reason */
    tok = login("alice@example.com", "nope", &status);
    assert_null(tok);
    assert_int_equal(status, 401);
    tok = login("mallory@example.com", "x", &status);
    assert_int_equal(status, 401);
    /* no account enumeration: an unknown email and a wrong password get the same answer */
    u = url_of(S, "/login");
    r = http_post(u, NULL, "email=alice%40example.com&password=nope");
    resp r2 = http_post(u, NULL, "email=mallory%40example.com&password=nope");
    assert_int_equal(r.status, 401);
    assert_int_equal(r2.status, 401);
    assert_string_equal(jstr(&r, "error_description"), "wrong email or password");
    assert_string_equal(jstr(&r2, "error_description"), jstr(&r, "error_description"));
    resp_free(&r);
    resp_free(&r2);
    free(u);
    /* form body works too */
    u = url_of(S, "/login");
    r = http_post(u, NULL, "email=bob%40example.com&password=builder");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "token_type"), "Bearer");
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 900);
    resp_free(&r);
    free(u);
    /* no token / not Bearer */
    u = url_of(S, "/api/profile");
    r = http_get(u, NULL);
    assert_int_equal(r.status, 401);
    assert_string_equal(header_value(&r, "WWW-Authenticate"), "Bearer realm=\"tokenlab\"");
    /* RFC 6750 §3.1: no credentials, so no error code (nor other error information) either. */
    assert_string_equal(r.body, "{}");
    resp_free(&r);
    const char *basic[] = {"Authorization: Basic YTpi", NULL};
    r = http_get(u, basic);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(header_value(&r, "WWW-Authenticate"), "invalid_request"));
    resp_free(&r);
    free(u);
}

static void test_api_refuses_bad_tokens(void **st)
{
    (void)st;
    size_t sl = 0;
    const char *sec = server_login_secret(S, &sl);
    int64_t now = server_now(S);
    char aud[300];
    snprintf(aud, sizeof aud, "%s/api", server_issuer(S));
    struct {
        const char *name;
        char *token;
        const char *needle;
    } cases[] = {
        {"good", hs256(sec, sl, NULL, claims_for(now, now + 300, server_issuer(S), aud)), NULL},
        {"expired", hs256(sec, sl, NULL, claims_for(now - 900, now - 60, server_issuer(S), aud)),
         "expired"},
        {"not yet valid",
         hs256(sec, sl, NULL,
               fmt("{\"iss\":\"%s\",\"sub\":\"alice\",\"aud\":\"%s\",\"nbf\":%lld,\"exp\":%lld}",
                   server_issuer(S), aud, (long long)(now + 600), (long long)(now + 900))),
         "not valid yet"},
        {"wrong issuer",
         hs256(sec, sl, NULL, claims_for(now, now + 300, "https://evil.example", aud)),
         "issued by \"https://evil.example\""},
        {"wrong audience",
         hs256(sec, sl, NULL, claims_for(now, now + 300, server_issuer(S), "someone-else")), "aud"},
        {"wrong key",
         hs256("not-the-secret", 14, NULL, claims_for(now, now + 300, server_issuer(S), aud)),
         "signature does not match"},
        {"no exp",
         hs256(sec, sl, NULL,
               fmt("{\"iss\":\"%s\",\"sub\":\"alice\",\"aud\":\"%s\"}", server_issuer(S), aud)),
         "\"exp\""},
        {"garbage", strdup("abc.def"), "not a JWT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resp r = api_get(S, "/api/profile", cases[i].token);
        if (!cases[i].needle) {
            assert_int_equal(r.status, 200);
        } else {
            if (r.status != 401 || !strstr(jstr(&r, "error_description"), cases[i].needle))
                fprintf(stderr, "%s: %ld %s\n", cases[i].name, r.status, r.body);
            assert_int_equal(r.status, 401);
            assert_string_equal(jstr(&r, "error"), "invalid_token");
            assert_non_null(strstr(jstr(&r, "error_description"), cases[i].needle));
            assert_non_null(
                strstr(header_value(&r, "WWW-Authenticate"), "error=\"invalid_token\""));
        }
        resp_free(&r);
        free(cases[i].token);
    }
    /* a tampered access token: payload changed after signing */
    resp r = token_req(S, NULL,
                       "grant_type=client_credentials&client_id=demo-service&client_secret=demo-"
                       "service-secret");
    char *at = strdup(jstr(&r, "access_token"));
    resp_free(&r);
    char *dot1 = strchr(at, '.');
    dot1[3] = dot1[3] == 'A' ? 'B' : 'A';
    r = api_get(S, "/api/profile", at);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    free(at);
}

static void test_lab_alg_none(void **st)
{
    (void)st;
    int64_t now = server_now(S);
    char aud[300];
    snprintf(aud, sizeof aud, "%s/api", server_issuer(S));
    char *claims = claims_for(now, now + 300, server_issuer(S), aud);
    const char *hj = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
    char *h = b64url_encode((const uint8_t *)hj, strlen(hj));
    char *p = b64url_encode((const uint8_t *)claims, strlen(claims));
    char *tok = fmt("%s.%s.", h, p);
    resp r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(jstr(&r, "error_description"), "unsigned token"));
    resp_free(&r);
    server_set_lab(S, "alg-none", true, NULL);
    r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "sub"), "alice");
    assert_string_equal(header_value(&r, "X-Tokenlab-Lab"), "alg-none");
    resp_free(&r);
    server_set_lab(S, "alg-none", false, NULL);
    r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    free(claims);
    free(h);
    free(p);
    free(tok);
}

static void test_lab_alg_confusion(void **st)
{
    (void)st;
    /* the attacker: fetch the public key, turn it into PEM, use it as an HMAC secret */
    char *u = url_of(S, "/jwks");
    resp r = http_get(u, NULL);
    free(u);
    json_t *jk = json_array_get(json_object_get(r.json, "keys"), 0);
    jwk *pub = NULL;
    assert_true(jwk_from_json(jk, &pub, NULL));
    char *pem = jwk_to_pem(pub, false, NULL);
    assert_non_null(pem);
    char *hdr = fmt("{\"typ\":\"at+jwt\",\"kid\":\"%s\"}", jwk_kid(pub));
    int64_t now = server_now(S);
    char aud[300];
    snprintf(aud, sizeof aud, "%s/api", server_issuer(S));
    char *claims = claims_for(now, now + 300, server_issuer(S), aud);
    char *tok = hs256(pem, strlen(pem), hdr, claims);
    resp a = api_get(S, "/api/profile", tok);
    assert_int_equal(a.status, 401); /* the key (RSA) decides: HS256 is not allowed with it */
    resp_free(&a);
    server_set_lab(S, "alg-confusion", true, NULL);
    a = api_get(S, "/api/profile", tok);
    assert_int_equal(a.status, 200);
    resp_free(&a);
    server_set_lab(S, "alg-confusion", false, NULL);
    free(tok);
    free(hdr);
    free(pem);
    jwk_free(pub);
    resp_free(&r);
}

static void test_lab_weak_secret(void **st)
{
    (void)st;
    long status;
    char *tok = login("alice@example.com", "wonderland", &status);
    jws *t = NULL;
    jwk *weak = jwk_from_secret((const uint8_t *)"secret", 6);
    assert_true(jws_parse(tok, strlen(tok), &t, NULL));
    assert_false(jws_verify(t, weak, NULL, 0, NULL));
    jws_free(t);
    free(tok);
    server_set_lab(S, "weak-secret", true, NULL);
    tok = login("alice@example.com", "wonderland", &status);
    assert_true(jws_parse(tok, strlen(tok), &t, NULL));
    assert_true(jws_verify(t, weak, NULL, 0, NULL)); /* a dictionary word signs it */
    jws_free(t);
    resp r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(tok);
    server_set_lab(S, "weak-secret", false, NULL);
    jwk_free(weak);
}

static void test_lab_skip_exp_and_clock(void **st)
{
    (void)st;
    long status;
    char *tok = login("alice@example.com", "wonderland", &status);
    resp r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    server_clock_advance(S, 3600);
    r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(jstr(&r, "error_description"), "expired"));
    resp_free(&r);
    server_set_lab(S, "skip-exp", true, NULL);
    r = api_get(S, "/api/profile", tok);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    server_set_lab(S, "skip-exp", false, NULL);
    server_clock_reset(S);
    free(tok);
}

/* RFC 9068 §4: a token signed with the authorization server's key must be an access token (typ
 * at+jwt) for this API (aud). The skip-aud lab switch drops both checks: an ID token gets in. */
static void test_api_wants_access_tokens(void **st)
{
    (void)st;
    int64_t now = server_now(S);
    char aud[300];
    snprintf(aud, sizeof aud, "%s/api", server_issuer(S));
    char *cj = claims_for(now, now + 300, server_issuer(S), aud);
    json_t *claims = json_loads(cj, 0, NULL);
    free(cj);
    char *plain = NULL, *at = NULL;
    assert_true(srv_sign_jwt(S, "JWT", claims, &plain, NULL));
    assert_true(srv_sign_jwt(S, "at+jwt", claims, &at, NULL));
    json_decref(claims);
    resp r = api_get(S, "/api/profile", at);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = api_get(S, "/api/profile", plain);
    assert_int_equal(r.status, 401);
    assert_string_equal(jstr(&r, "error_description"),
                        "the header's typ is \"JWT\", expected \"at+jwt\"");
    resp_free(&r);
    r = api_get(S, "/api/notes", plain);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    /* the ID token: refused on aud first */
    char *code = cli_code(S, "openid notes:read", NULL);
    resp t = cli_exchange(S, code);
    free(code);
    const char *idt = jstr(&t, "id_token");
    assert_non_null(idt);
    r = api_get(S, "/api/profile", idt);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(jstr(&r, "error_description"), "aud"));
    resp_free(&r);
    /* skip-aud: signature, iss and exp are all the API looks at */
    assert_true(server_set_lab(S, "skip-aud", true, NULL));
    r = api_get(S, "/api/profile", idt);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "sub"), "alice");
    resp_free(&r);
    r = api_get(S, "/api/profile", plain);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    server_set_lab(S, "skip-aud", false, NULL);
    r = api_get(S, "/api/profile", idt);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    resp_free(&t);
    free(plain);
    free(at);
}

/* Object-level authorization: Bob's token with notes:read reads Bob's notes, not Alice's. */
static void test_notes_owner(void **st)
{
    (void)st;
    long status;
    char *bob = login("bob@example.com", "builder", &status);
    assert_int_equal(status, 200);
    resp r = api_get(S, "/api/notes?owner=bob", bob);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "sub"), "bob");
    resp_free(&r);
    r = api_get(S, "/api/notes?owner=alice", bob);
    assert_int_equal(r.status, 403);
    assert_string_equal(jstr(&r, "error"), "forbidden");
    assert_non_null(strstr(jstr(&r, "error_description"), "sub is 'bob'"));
    assert_null(json_object_get(r.json, "notes"));
    resp_free(&r);
    r = api_get(S, "/api/notes?owner=nobody", bob); /* the same answer for an unknown owner */
    assert_int_equal(r.status, 403);
    resp_free(&r);
    free(bob);
}

static void test_lab_http(void **st)
{
    (void)st;
    char *u = url_of(S, "/lab/switch");
    resp r = http_post(u, NULL, "name=alg-none&on=1");
    assert_int_equal(r.status, 401);
    resp_free(&r);
    const char *wrong[] = {"X-Tokenlab-Lab-Key: nope", NULL};
    r = http_post(u, wrong, "name=alg-none&on=1");
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_false(server_lab_is_on(S, "alg-none"));
    const char *key[] = {"X-Tokenlab-Lab-Key: test-lab-key", NULL};
    r = http_post(u, key, "name=alg-none&on=1");
    assert_int_equal(r.status, 200);
    assert_true(server_lab_is_on(S, "alg-none"));
    resp_free(&r);
    r = http_post(u, key, "name=no-such-switch&on=1");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    /* JSON, the way the oauth layer sends it */
    const char *keyj[] = {"X-Tokenlab-Lab-Key: test-lab-key", "Content-Type: application/json",
                          NULL};
    r = http_post(u, keyj, "{\"name\":\"alg-none\",\"on\":false}");
    assert_int_equal(r.status, 200);
    assert_false(server_lab_is_on(S, "alg-none"));
    resp_free(&r);
    free(u);
    u = url_of(S, "/lab/clock");
    int64_t before = server_now(S);
    r = http_post(u, keyj, "{\"advance\":120}");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "clock_offset")), 120);
    assert_true(server_now(S) >= before + 120);
    resp_free(&r);
    r = http_post(u, key, "advance=ten");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    r = http_post(u, key, "reset=1");
    assert_int_equal(json_integer_value(json_object_get(r.json, "clock_offset")), 0);
    resp_free(&r);
    free(u);
    u = url_of(S, "/lab/state");
    r = http_get(u, NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    server_set_lab(S, "skip-exp", true, NULL);
    r = http_get(u, key);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "switches"), 0)),
                        "skip-exp");
    resp_free(&r);
    free(u);
}

typedef struct seen {
    pthread_mutex_t mu;
    int refused_token;
    char last_message[300];
} seen;

static void on_event(void *ud, const server_event *ev)
{
    seen *s = ud;
    pthread_mutex_lock(&s->mu);
    if (strcmp(ev->kind, "refused") == 0 && ev->endpoint && strcmp(ev->endpoint, "/token") == 0 &&
        ev->code && strcmp(ev->code, "invalid_grant") == 0) {
        s->refused_token++;
        snprintf(s->last_message, sizeof s->last_message, "%s", ev->message);
    }
    pthread_mutex_unlock(&s->mu);
}

static void test_events(void **st)
{
    (void)st;
    seen s = {.mu = PTHREAD_MUTEX_INITIALIZER};
    server_subscribe(S, on_event, &s);
    sse_stream c;
    char *eu = url_of(S, "/lab/events");
    assert_true(sse_start(&c, eu, NULL, "unknown authorization code"));
    free(eu);
    resp r = cli_exchange(S, "bogus-code");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    sse_finish(&c);
    assert_int_equal(c.status, 200);
    assert_non_null(strstr(c.buf, "event: refused\ndata: {"));
    assert_non_null(strstr(c.buf, "\"code\":\"invalid_grant\""));
    assert_non_null(strstr(c.buf, "\"endpoint\":\"/token\""));
    sse_free(&c);
    pthread_mutex_lock(&s.mu);
    assert_true(s.refused_token >= 1);
    assert_non_null(strstr(s.last_message, "unknown authorization code"));
    int before = s.refused_token;
    pthread_mutex_unlock(&s.mu);
    /* after unsubscribing, no more calls */
    server_unsubscribe(S, on_event, &s);
    r = cli_exchange(S, "another-bogus-code");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    assert_int_equal(s.refused_token, before);
    /* the server keeps serving after the stream closed */
    char *u = url_of(S, "/health");
    r = http_get(u, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(u);
}

static void test_key_rotation(void **st)
{
    (void)st;
    resp r = token_req(S, NULL,
                       "grant_type=client_credentials&client_id=demo-service&client_secret=demo-"
                       "service-secret");
    char *old = strdup(jstr(&r, "access_token"));
    resp_free(&r);
    char *u = url_of(S, "/lab/rotate-keys");
    const char *key[] = {"X-Tokenlab-Lab-Key: test-lab-key", NULL};
    r = http_post(u, key, "");
    free(u);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    u = url_of(S, "/jwks");
    r = http_get(u, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "keys")), 2);
    resp_free(&r);
    /* the old token still verifies, the new one has the new kid */
    r = api_get(S, "/api/profile", old);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = token_req(S, NULL,
                  "grant_type=client_credentials&client_id=demo-service&client_secret=demo-"
                  "service-secret");
    jws *a = NULL, *b = NULL;
    assert_true(jws_parse(old, strlen(old), &a, NULL));
    assert_true(jws_parse(jstr(&r, "access_token"), strlen(jstr(&r, "access_token")), &b, NULL));
    assert_string_not_equal(a->kid, b->kid);
    jws_free(a);
    jws_free(b);
    resp_free(&r);
    /* once the old key's tokens have expired, it leaves the JWKS */
    server_clock_advance(S, 2000);
    r = http_get(u, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "keys")), 1);
    resp_free(&r);
    free(u);
    free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_login_and_api, reset),
        cmocka_unit_test_setup(test_api_refuses_bad_tokens, reset),
        cmocka_unit_test_setup(test_lab_alg_none, reset),
        cmocka_unit_test_setup(test_lab_alg_confusion, reset),
        cmocka_unit_test_setup(test_lab_weak_secret, reset),
        cmocka_unit_test_setup(test_lab_skip_exp_and_clock, reset),
        cmocka_unit_test_setup(test_api_wants_access_tokens, reset),
        cmocka_unit_test_setup(test_notes_owner, reset),
        cmocka_unit_test_setup(test_lab_http, reset),
        cmocka_unit_test_setup(test_events, reset),
        cmocka_unit_test_setup(test_key_rotation, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
