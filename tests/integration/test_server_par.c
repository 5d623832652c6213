/* SPDX-License-Identifier: MIT */
/* Pushed authorization requests (RFC 9126) against the real server: /par validates the request as
 * /authorize would and answers 201 with a request_uri; /authorize with that request_uri runs the
 * pushed parameters (the query's others are ignored), once, within 60 s, for the pushing client
 * only; a client registered with require_pushed_authorization_requests cannot skip /par. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "test_server_util.h"

static server *S;
static char CONFIG[256];
#define CLI_REDIRECT "http%3A%2F%2F127.0.0.1%3A7777%2Fcallback"

static int setup(void **st)
{
    (void)st;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    json_error_t je;
    json_t *cfg = json_load_file("assets/config.json", 0, &je);
    if (!cfg) return -1;
    /* the demo config plus a public client that must push */
    json_array_append_new(json_object_get(cfg, "clients"),
                          json_pack("{s:s, s:s, s:b, s:[s], s:[s], s:[s, s], s:b}", "client_id",
                                    "par-only", "type", "public", "native", 1, "redirect_uris",
                                    "http://127.0.0.1:7777/callback", "grant_types",
                                    "authorization_code", "scopes", "openid", "profile",
                                    "require_pushed_authorization_requests", 1));
    snprintf(CONFIG, sizeof CONFIG, "/tmp/tokenlab-par-%d.json", (int)getpid());
    if (json_dump_file(cfg, CONFIG, 0) != 0) return -1;
    json_decref(cfg);
    server_options o = {.listen = "127.0.0.1:0", .config_path = CONFIG, .lab_key = "test-lab-key"};
    tl_err e = {0};
    if (!server_start(&o, &S, &e)) {
        fprintf(stderr, "server_start: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    server_stop(S);
    unlink(CONFIG);
    curl_global_cleanup();
    return 0;
}

static resp push(const char *body)
{
    char *u = url_of(S, "/par");
    resp r = http_post(u, NULL, body);
    free(u);
    return r;
}

static char *cli_push(const char *client, const char *scope)
{
    char *b = fmt("response_type=code&client_id=%s&redirect_uri=%s&scope=%s"
                  "&state=st1&code_challenge=" CHALLENGE "&code_challenge_method=S256",
                  client, CLI_REDIRECT, scope);
    resp r = push(b);
    free(b);
    if (r.status != 201) fprintf(stderr, "push: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 60);
    char *uri = strdup(jstr(&r, "request_uri"));
    resp_free(&r);
    assert_int_equal(strncmp(uri, "urn:ietf:params:oauth:request_uri:", 34), 0);
    return uri;
}

/* GET /authorize?client_id=…&request_uri=…(&extra) as the JSON variant. */
static resp authorize_by_ref(const char *client, const char *uri, const char *extra)
{
    char *e = curl_easy_escape(NULL, uri, 0);
    char *u = fmt("%s/authorize?client_id=%s&request_uri=%s%s", server_base_url(S), client, e,
                  extra ? extra : "");
    curl_free(e);
    const char *json[] = {"Accept: application/json", NULL};
    resp r = http_get(u, json);
    free(u);
    return r;
}

static void expect(resp *r, long status, const char *error, const char *sentence)
{
    if (r->status != status || !jstr(r, "error") || strcmp(jstr(r, "error"), error) != 0 ||
        !strstr(jstr(r, "error_description"), sentence))
        fprintf(stderr, "got %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, status);
    assert_string_equal(jstr(r, "error"), error);
    assert_non_null(strstr(jstr(r, "error_description"), sentence));
}

static void test_metadata(void **st)
{
    (void)st;
    char *u = url_of(S, "/.well-known/oauth-authorization-server");
    resp r = http_get(u, NULL);
    char *want = url_of(S, "/par");
    assert_string_equal(jstr(&r, "pushed_authorization_request_endpoint"), want);
    assert_true(json_is_false(json_object_get(r.json, "require_pushed_authorization_requests")));
    free(u);
    free(want);
    resp_free(&r);
}

/* The whole flow: push, sign in through the request_uri, consent, exchange the code. */
static void test_pushed_flow_and_single_use(void **st)
{
    (void)st;
    char *uri = cli_push("tokenlab-cli", "openid%20profile");
    /* a scope in the query is ignored: only the pushed parameters count (RFC 9126 §4) */
    resp a = authorize_by_ref("tokenlab-cli", uri, "&scope=notes%3Awrite");
    assert_int_equal(a.status, 200);
    assert_non_null(jstr(&a, "session"));
    char *body = fmt("session=%s&session_secret=%s&email=alice@example.com&password=wonderland",
                     jstr(&a, "session"), jstr(&a, "session_secret"));
    char *lu = url_of(S, "/authorize/login");
    const char *json[] = {"Accept: application/json", NULL};
    resp l = http_post(lu, json, body);
    assert_int_equal(l.status, 200);
    char *cb = fmt("session=%s&session_secret=%s&csrf=%s&decision=allow", jstr(&l, "session"),
                   jstr(&l, "session_secret"), jstr(&l, "csrf"));
    char *cu = url_of(S, "/authorize/consent");
    resp c = http_post(cu, json, cb);
    assert_non_null(jstr(&c, "location"));
    char *code = query_param(jstr(&c, "location"), "code");
    char *state = query_param(jstr(&c, "location"), "state");
    assert_string_equal(state, "st1");
    resp t = cli_exchange(S, code);
    assert_int_equal(t.status, 200);
    assert_string_equal(jstr(&t, "scope"), "openid profile");
    /* the request_uri was used: a second visit is refused */
    resp again = authorize_by_ref("tokenlab-cli", uri, NULL);
    expect(&again, 400, "invalid_request_uri", "already used or expired");
    free(uri);
    free(body);
    free(lu);
    free(cb);
    free(cu);
    free(code);
    free(state);
    resp_free(&a);
    resp_free(&l);
    resp_free(&c);
    resp_free(&t);
    resp_free(&again);
}

static void test_request_uri_rules(void **st)
{
    (void)st;
    /* another client cannot use it */
    char *uri = cli_push("tokenlab-cli", "openid");
    resp other = authorize_by_ref("par-only", uri, NULL);
    expect(&other, 400, "invalid_request_uri", "pushed by another client");
    free(uri);
    resp_free(&other);
    /* it expires after 60 s of the server's clock */
    uri = cli_push("tokenlab-cli", "openid");
    char *lab = url_of(S, "/lab/clock");
    const char *key[] = {"X-Tokenlab-Lab-Key: test-lab-key", NULL};
    resp adv = http_post(lab, key, "advance=61");
    assert_int_equal(adv.status, 200);
    resp late = authorize_by_ref("tokenlab-cli", uri, NULL);
    expect(&late, 400, "invalid_request_uri", "within 60 seconds");
    resp reset = http_post(lab, key, "reset=1");
    assert_int_equal(reset.status, 200);
    free(uri);
    free(lab);
    resp_free(&adv);
    resp_free(&late);
    resp_free(&reset);
    /* not one of ours */
    resp foreign = authorize_by_ref("tokenlab-cli", "https://attacker.example/request.jwt", NULL);
    expect(&foreign, 400, "invalid_request_uri", "not one this server issued");
    resp_free(&foreign);
}

/* /par validates as /authorize does, and answers in JSON instead of redirecting. */
static void test_push_is_validated(void **st)
{
    (void)st;
    resp r =
        push("response_type=code&client_id=tokenlab-cli&redirect_uri=https%3A%2F%2Fevil."
             "example%2Fcb&scope=openid&code_challenge=" CHALLENGE "&code_challenge_method=S256");
    expect(&r, 400, "invalid_request", "does not exactly match a registered URI");
    resp_free(&r);
    r = push("response_type=code&client_id=tokenlab-cli&redirect_uri=" CLI_REDIRECT
             "&scope=openid");
    expect(&r, 400, "invalid_request", "PKCE is required for public clients");
    resp_free(&r);
    r = push("response_type=code&client_id=tokenlab-cli&redirect_uri=" CLI_REDIRECT
             "&scope=admin&code_challenge=" CHALLENGE "&code_challenge_method=S256");
    expect(&r, 400, "invalid_scope", "unknown scope 'admin'");
    resp_free(&r);
    r = push(
        "response_type=code&client_id=tokenlab-cli&request_uri=urn%3Ax&redirect_uri=" CLI_REDIRECT
        "&scope=openid");
    expect(&r, 400, "invalid_request", "must not itself contain request_uri");
    resp_free(&r);
    /* a confidential client authenticates at /par as at /token */
    r = push(
        "response_type=code&client_id=demo-web&client_secret=wrong&redirect_uri=x&scope=openid");
    assert_int_equal(r.status, 401);
    assert_string_equal(jstr(&r, "error"), "invalid_client");
    resp_free(&r);
}

static void test_required_par(void **st)
{
    (void)st;
    char *u = fmt("%s/authorize?response_type=code&client_id=par-only&redirect_uri=%s"
                  "&scope=openid&code_challenge=" CHALLENGE "&code_challenge_method=S256",
                  server_base_url(S), CLI_REDIRECT);
    const char *json[] = {"Accept: application/json", NULL};
    resp r = http_get(u, json);
    expect(&r, 400, "invalid_request", "must push its authorization request");
    free(u);
    resp_free(&r);
    char *uri = cli_push("par-only", "openid");
    resp ok = authorize_by_ref("par-only", uri, NULL);
    assert_int_equal(ok.status, 200);
    assert_non_null(jstr(&ok, "session"));
    free(uri);
    resp_free(&ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata),          cmocka_unit_test(test_pushed_flow_and_single_use),
        cmocka_unit_test(test_request_uri_rules), cmocka_unit_test(test_push_is_validated),
        cmocka_unit_test(test_required_par),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
