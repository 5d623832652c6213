/* SPDX-License-Identifier: MIT */
/* The mock authorization server over real HTTP (libcurl against an embedded server on port 0):
 * discovery, the authorization code flow in HTML and JSON, every grant, and each rule of issue 3
 * in both directions (allowed, and refused with the expected error and status). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

/* each test leaves the server as it found it */
static int reset(void **st)
{
    (void)st;
    const char *const *n = server_lab_names();
    for (size_t i = 0; n[i]; i++) server_set_lab(S, n[i], false, NULL);
    server_clock_reset(S);
    return 0;
}

static void test_discovery(void **st)
{
    (void)st;
    char *u = url_of(S, "/.well-known/openid-configuration");
    resp r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "issuer"), server_base_url(S));
    char *tok = fmt("%s/token", server_base_url(S));
    assert_string_equal(jstr(&r, "token_endpoint"), tok);
    free(tok);
    json_t *pk = json_object_get(r.json, "code_challenge_methods_supported");
    assert_int_equal(json_array_size(pk), 1);
    assert_string_equal(json_string_value(json_array_get(pk, 0)), "S256");
    assert_true(
        json_is_true(json_object_get(r.json, "authorization_response_iss_parameter_supported")));
    resp_free(&r);
    u = url_of(S, "/.well-known/oauth-authorization-server");
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "issuer"), server_base_url(S));
    resp_free(&r);
    /* JWKS: one RSA key with a kid, no private members */
    u = url_of(S, "/jwks");
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    json_t *k = json_array_get(json_object_get(r.json, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(k, "kty")), "RSA");
    assert_non_null(json_object_get(k, "kid"));
    assert_null(json_object_get(k, "d"));
    assert_null(json_object_get(k, "p"));
    resp_free(&r);
    u = url_of(S, "/health");
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "status"), "ok");
    resp_free(&r);
    u = url_of(S, "/nope");
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    u = url_of(S, "/token");
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 405);
    assert_string_equal(header_value(&r, "Allow"), "POST");
    resp_free(&r);
}

static void test_html_flow(void **st)
{
    (void)st;
    /* the browser flow: login form, 303 to consent, consent form, 303 to the client */
    char *u = fmt("%s/authorize?response_type=code&client_id=demo-web&redirect_uri=http%%3A%%2F%%2F"
                  "localhost%%3A3000%%2Fcallback&scope=openid%%20email&state=s1&nonce=n1",
                  server_base_url(S));
    resp r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(header_value(&r, "Content-Type"), "text/html"));
    assert_string_equal(header_value(&r, "X-Frame-Options"), "DENY");
    assert_non_null(strstr(header_value(&r, "Content-Security-Policy"), "frame-ancestors 'none'"));
    assert_non_null(strstr(r.body, "<form method=\"post\" action=\"/authorize/login\""));
    assert_null(strstr(r.body, "<script"));
    const char *p = strstr(r.body, "name=\"session\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"session\" value=\"");
    char sid[80];
    snprintf(sid, sizeof sid, "%.*s", (int)strcspn(p, "\""), p);
    /* the session is bound to this browser by an HttpOnly, SameSite cookie named after it */
    const char *sc = header_value(&r, "Set-Cookie");
    assert_non_null(sc);
    assert_non_null(strstr(sc, "; HttpOnly"));
    assert_non_null(strstr(sc, "; SameSite=Lax"));
    char cookie[300];
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(sc, ";"), sc);
    assert_true(strncmp(cookie + 8, "tl_authz_", 9) == 0 && strstr(cookie, sid));
    const char *browser[] = {cookie, NULL};
    resp_free(&r);
    char *body = fmt("session=%s&email=alice%%40example.com&password=wonderland", sid);
    u = url_of(S, "/authorize/login");
    r = http_post(u, browser, body);
    free(u);
    free(body);
    assert_int_equal(r.status, 303);
    char *loc = fmt("%s%s", server_base_url(S), header_value(&r, "Location"));
    resp_free(&r);
    r = http_get(loc, browser);
    free(loc);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "email</code> — Read your email address"));
    p = strstr(r.body, "name=\"csrf\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"csrf\" value=\"");
    char csrf[80];
    snprintf(csrf, sizeof csrf, "%.*s", (int)strcspn(p, "\""), p);
    resp_free(&r);
    /* a wrong csrf token is refused (and does not use up the session) */
    body = fmt("session=%s&csrf=forged&decision=allow", sid);
    u = url_of(S, "/authorize/consent");
    r = http_post(u, browser, body);
    free(body);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    body = fmt("session=%s&csrf=%s&decision=allow", sid, csrf);
    r = http_post(u, browser, body);
    free(body);
    assert_int_equal(r.status, 303);
    const char *l = header_value(&r, "Location");
    assert_true(strncmp(l, "http://localhost:3000/callback?code=", 36) == 0);
    assert_non_null(strstr(l, "&state=s1&iss="));
    char *code = query_param(l, "code");
    resp_free(&r);
    /* a second consent on the same session is refused */
    body = fmt("session=%s&csrf=%s&decision=allow", sid, csrf);
    r = http_post(u, browser, body);
    free(body);
    free(u);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    /* confidential client, client_secret_basic, no PKCE needed */
    const char *basic[] = {"Authorization: Basic ZGVtby13ZWI6ZGVtby13ZWItc2VjcmV0", NULL};
    body =
        fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A3000"
            "%%2Fcallback",
            code);
    r = token_req(S, basic, body);
    free(body);
    free(code);
    assert_int_equal(r.status, 200);
    assert_string_equal(header_value(&r, "Cache-Control"), "no-store");
    assert_string_equal(jstr(&r, "token_type"), "Bearer");
    assert_non_null(jstr(&r, "id_token"));
    assert_non_null(jstr(&r, "refresh_token"));
    /* the ID token: aud = client, nonce echoed, email by scope, no name (no profile scope) */
    jws *t = NULL;
    assert_true(jws_parse(jstr(&r, "id_token"), strlen(jstr(&r, "id_token")), &t, NULL));
    assert_string_equal(json_string_value(json_object_get(t->claims, "aud")), "demo-web");
    assert_string_equal(json_string_value(json_object_get(t->claims, "nonce")), "n1");
    assert_string_equal(json_string_value(json_object_get(t->claims, "email")),
                        "alice@example.com");
    assert_null(json_object_get(t->claims, "name"));
    assert_non_null(json_object_get(t->claims, "at_hash"));
    assert_non_null(json_object_get(t->claims, "auth_time"));
    jws_free(t);
    /* the access token per RFC 9068 */
    assert_true(jws_parse(jstr(&r, "access_token"), strlen(jstr(&r, "access_token")), &t, NULL));
    assert_string_equal(t->typ, "at+jwt");
    assert_string_equal(json_string_value(json_object_get(t->claims, "client_id")), "demo-web");
    assert_string_equal(json_string_value(json_object_get(t->claims, "scope")), "openid email");
    assert_non_null(json_object_get(t->claims, "jti"));
    jws_free(t);
    resp_free(&r);
}

static void test_login_wrong_password(void **st)
{
    (void)st;
    char *loc = authorize_location(S, "tokenlab-cli", "http://127.0.0.1:7777/callback", "openid",
                                   "&code_challenge=" CHALLENGE "&code_challenge_method=S256",
                                   "alice@example.com", "wrong");
    assert_null(loc);
    /* the JSON step says so with 401 and keeps the session usable */
    const char *json[] = {"Accept: application/json", NULL};
    char *u = fmt("%s/authorize?response_type=code&client_id=tokenlab-cli&redirect_uri=http%%3A%%2F"
                  "%%2F127.0.0.1%%2Fcallback&scope=openid&code_challenge=" CHALLENGE
                  "&code_challenge_method=S256",
                  server_base_url(S));
    resp a = http_get(u, json);
    free(u);
    assert_int_equal(a.status, 200);
    assert_string_equal(jstr(&a, "step"), "login");
    char *body = fmt("session=%s&session_secret=%s&email=alice@example.com&password=nope",
                     jstr(&a, "session"), jstr(&a, "session_secret"));
    u = url_of(S, "/authorize/login");
    resp l = http_post(u, json, body);
    free(body);
    assert_int_equal(l.status, 401);
    assert_string_equal(jstr(&l, "step"), "login");
    assert_string_equal(jstr(&l, "error"), "access_denied");
    assert_string_equal(jstr(&l, "session_secret"), jstr(&a, "session_secret"));
    resp_free(&l);
    body = fmt("session=%s&session_secret=%s&email=alice@example.com&password=wonderland",
               jstr(&a, "session"), jstr(&a, "session_secret"));
    l = http_post(u, json, body);
    free(body);
    free(u);
    assert_int_equal(l.status, 200);
    assert_string_equal(jstr(&l, "step"), "consent");
    resp_free(&l);
    resp_free(&a);
}

static void test_redirect_uri_rules(void **st)
{
    (void)st;
    const char *json[] = {"Accept: application/json", NULL};
    struct {
        const char *client, *uri;
        long status;
    } cases[] = {
        /* exact match required, never a redirect on failure */
        {"demo-web", "http://localhost:3000/callback/../evil", 400},
        {"demo-web", "http://localhost:3000/callbackx", 400},
        {"demo-web", "https://localhost:3000/callback", 400},
        {"demo-web", "http://localhost:3001/callback", 400},
        {"demo-web", "http://localhost:3000/callback#frag", 400},
        /* RFC 8252 §7.3: a native client's loopback port may vary, nothing else */
        {"tokenlab-cli", "http://127.0.0.1:51234/callback", 200},
        {"tokenlab-cli", "http://127.0.0.1/callback", 200},
        {"tokenlab-cli", "http://127.0.0.1:51234/other", 400},
        {"tokenlab-cli", "http://localhost:51234/callback", 400},
        {"tokenlab-cli", "http://127.0.0.1:99999/callback", 400},
        {"nobody", "http://localhost:3000/callback", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *ru = curl_easy_escape(NULL, cases[i].uri, 0);
        char *u = fmt("%s/authorize?response_type=code&client_id=%s&redirect_uri=%s&scope=openid"
                      "&code_challenge=" CHALLENGE "&code_challenge_method=S256&state=x",
                      server_base_url(S), cases[i].client, ru);
        curl_free(ru);
        resp r = http_get(u, json);
        free(u);
        if (r.status != cases[i].status) fprintf(stderr, "case %zu: %s\n", i, r.body);
        assert_int_equal(r.status, cases[i].status);
        if (cases[i].status == 400) {
            assert_null(jstr(&r, "location")); /* an error page, never a redirect */
            assert_non_null(jstr(&r, "error"));
        }
        resp_free(&r);
    }
    /* the message names the rule */
    char *u = fmt("%s/authorize?response_type=code&client_id=demo-web&redirect_uri=http%%3A%%2F%%2F"
                  "evil.example%%2Fcallback&scope=openid",
                  server_base_url(S));
    resp r = http_get(u, json);
    assert_string_equal(jstr(&r, "error_description"),
                        "redirect_uri does not exactly match a registered URI (RFC 6749 §3.1.2.2)");
    resp_free(&r);
    /* loose-redirect lab: same origin, any path passes */
    server_set_lab(S, "loose-redirect", true, NULL);
    free(u);
    u = fmt("%s/authorize?response_type=code&client_id=demo-web&redirect_uri=http%%3A%%2F%%2F"
            "localhost%%3A3000%%2Fattacker&scope=openid",
            server_base_url(S));
    r = http_get(u, json);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "step"), "login");
    assert_string_equal(header_value(&r, "X-Tokenlab-Lab"), "loose-redirect");
    resp_free(&r);
    server_set_lab(S, "loose-redirect", false, NULL);
    r = http_get(u, json);
    assert_int_equal(r.status, 400);
    assert_null(header_value(&r, "X-Tokenlab-Lab"));
    resp_free(&r);
    free(u);
}

static void test_authorize_errors_redirect(void **st)
{
    (void)st;
    const char *json[] = {"Accept: application/json", NULL};
    struct {
        const char *extra, *error, *needle;
    } cases[] = {
        {"&scope=openid&response_type=token", "unsupported_response_type", "implicit"},
        {"&scope=openid&response_type=code", "invalid_request", "PKCE is required"},
        {"&scope=openid&response_type=code&code_challenge=" CHALLENGE
         "&code_challenge_method=plain",
         "invalid_request", "plain is refused"},
        {"&scope=openid&response_type=code&code_challenge=" CHALLENGE, "invalid_request",
         "code_challenge_method is missing"},
        {"&scope=openid%20api%3Aread&response_type=code&code_challenge=" CHALLENGE
         "&code_challenge_method=S256",
         "invalid_scope", "may not request scope 'api:read'"},
        {"&scope=nonsense&response_type=code&code_challenge=" CHALLENGE
         "&code_challenge_method=S256",
         "invalid_scope", "unknown scope"},
        {"&response_type=code&code_challenge=" CHALLENGE "&code_challenge_method=S256",
         "invalid_scope", "scope is missing"},
        {"&scope=openid&response_type=code&prompt=none&code_challenge=" CHALLENGE
         "&code_challenge_method=S256",
         "login_required", "prompt=none"},
        {"&scope=openid&response_type=code&response_mode=fragment&code_challenge=" CHALLENGE
         "&code_challenge_method=S256",
         "invalid_request", "response_mode=query"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *u = fmt("%s/authorize?client_id=tokenlab-cli&redirect_uri=http%%3A%%2F%%2F127.0.0.1"
                      "%%3A8000%%2Fcallback&state=abc%s",
                      server_base_url(S), cases[i].extra);
        resp r = http_get(u, json);
        free(u);
        assert_int_equal(r.status, 200);
        assert_string_equal(jstr(&r, "step"), "redirect");
        const char *loc = jstr(&r, "location");
        char *err = query_param(loc, "error"), *desc = query_param(loc, "error_description"),
             *state = query_param(loc, "state"), *iss = query_param(loc, "iss");
        assert_string_equal(err, cases[i].error);
        if (!strstr(desc, cases[i].needle)) fprintf(stderr, "case %zu: %s\n", i, desc);
        assert_non_null(strstr(desc, cases[i].needle));
        assert_string_equal(state, "abc");
        assert_string_equal(iss, server_base_url(S)); /* RFC 9207 */
        free(err);
        free(desc);
        free(state);
        free(iss);
        resp_free(&r);
    }
}

static void test_code_grant_pkce(void **st)
{
    (void)st;
    /* right verifier: tokens */
    char *code = cli_code(S, "openid profile notes:read", "&nonce=abc");
    assert_non_null(code);
    resp r = cli_exchange(S, code);
    assert_int_equal(r.status, 200);
    assert_non_null(jstr(&r, "refresh_token"));
    assert_true(strlen(jstr(&r, "refresh_token")) >= 22); /* ≥ 128 bits */
    resp_free(&r);
    free(code);
    /* wrong verifier */
    code = cli_code(S, "openid", NULL);
    char *b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A"
                  "7777%%2Fcallback&client_id=tokenlab-cli&code_verifier=%s",
                  code, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    assert_string_equal(jstr(&r, "error_description"),
                        "PKCE code_verifier does not match the code_challenge (RFC 7636 §4.6)");
    resp_free(&r);
    free(code);
    /* missing verifier */
    code = cli_code(S, "openid", NULL);
    b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A7777"
            "%%2Fcallback&client_id=tokenlab-cli",
            code);
    r = token_req(S, NULL, b);
    free(b);
    free(code);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_request");
    assert_non_null(strstr(jstr(&r, "error_description"), "code_verifier is missing"));
    resp_free(&r);
    /* a verifier without a challenge (confidential client, no PKCE in the request): downgrade */
    char *loc = authorize_location(S, "demo-web", "http://localhost:3000/callback", "openid", NULL,
                                   "bob@example.com", "builder");
    code = query_param(loc, "code");
    free(loc);
    b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2Flocalhost%%3A3000"
            "%%2Fcallback&client_id=demo-web&client_secret=demo-web-secret&code_verifier=" VERIFIER,
            code);
    r = token_req(S, NULL, b);
    free(b);
    free(code);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    assert_non_null(strstr(jstr(&r, "error_description"), "PKCE downgrade"));
    resp_free(&r);
    /* no-pkce lab: a public client without PKCE gets a code and tokens */
    server_set_lab(S, "no-pkce", true, NULL);
    loc = authorize_location(S, "tokenlab-cli", "http://127.0.0.1:7777/callback", "openid", NULL,
                             "alice@example.com", "wonderland");
    assert_non_null(loc);
    code = query_param(loc, "code");
    free(loc);
    assert_non_null(code);
    b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A7777"
            "%%2Fcallback&client_id=tokenlab-cli",
            code);
    r = token_req(S, NULL, b);
    free(b);
    free(code);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    server_set_lab(S, "no-pkce", false, NULL);
}

static void test_code_binding_and_reuse(void **st)
{
    (void)st;
    /* redirect_uri must repeat exactly */
    char *code = cli_code(S, "openid", NULL);
    char *b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A"
                  "7778%%2Fcallback&client_id=tokenlab-cli&code_verifier=" VERIFIER,
                  code);
    resp r = token_req(S, NULL, b);
    free(b);
    free(code);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    assert_non_null(strstr(jstr(&r, "error_description"), "RFC 6749 §4.1.3"));
    resp_free(&r);
    /* bound to the client: demo-web cannot redeem tokenlab-cli's code */
    code = cli_code(S, "openid", NULL);
    b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A7777"
            "%%2Fcallback&client_id=demo-web&client_secret=demo-web-secret&code_verifier=" VERIFIER,
            code);
    r = token_req(S, NULL, b);
    free(b);
    free(code);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(jstr(&r, "error_description"), "another client"));
    resp_free(&r);
    /* single use: the second exchange fails and revokes the first one's tokens */
    code = cli_code(S, "openid notes:read", NULL);
    r = cli_exchange(S, code);
    assert_int_equal(r.status, 200);
    char *at = strdup(jstr(&r, "access_token"));
    char *rt = strdup(jstr(&r, "refresh_token"));
    resp_free(&r);
    resp a = api_get(S, "/api/notes", at);
    assert_int_equal(a.status, 200);
    resp_free(&a);
    r = cli_exchange(S, code);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    assert_non_null(strstr(jstr(&r, "error_description"), "already used"));
    resp_free(&r);
    a = api_get(S, "/api/notes", at);
    assert_int_equal(a.status, 401);
    assert_non_null(strstr(header_value(&a, "WWW-Authenticate"), "error=\"invalid_token\""));
    resp_free(&a);
    b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli", rt);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(jstr(&r, "error_description"), "revoked"));
    resp_free(&r);
    free(at);
    free(rt);
    free(code);
    /* code-reuse lab: the second exchange works */
    server_set_lab(S, "code-reuse", true, NULL);
    code = cli_code(S, "openid", NULL);
    r = cli_exchange(S, code);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = cli_exchange(S, code);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(code);
    server_set_lab(S, "code-reuse", false, NULL);
    /* codes live ≤ 60 s */
    code = cli_code(S, "openid", NULL);
    server_clock_advance(S, 61);
    r = cli_exchange(S, code);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    assert_non_null(strstr(jstr(&r, "error_description"), "expired"));
    resp_free(&r);
    free(code);
    server_clock_reset(S);
    /* an unknown code */
    r = cli_exchange(S, "not-a-code");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    resp_free(&r);
}

static void test_refresh(void **st)
{
    (void)st;
    char *code = cli_code(S, "openid profile notes:read notes:write", NULL);
    resp r = cli_exchange(S, code);
    free(code);
    char *rt1 = strdup(jstr(&r, "refresh_token"));
    resp_free(&r);
    /* scope may be narrowed */
    char *b =
        fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli&scope=notes%%3Aread",
            rt1);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "scope"), "notes:read");
    assert_null(jstr(&r, "id_token"));             /* no openid in the narrowed scope */
    char *rt2 = strdup(jstr(&r, "refresh_token")); /* rotated for a public client */
    assert_string_not_equal(rt1, rt2);
    char *at = strdup(jstr(&r, "access_token"));
    resp_free(&r);
    resp a = api_get(S, "/api/notes", at);
    assert_int_equal(a.status, 200);
    resp_free(&a);
    /* the narrowed token cannot write */
    char *u = url_of(S, "/api/notes");
    char *h = fmt("Authorization: Bearer %s", at);
    const char *hdrs[] = {h, NULL};
    a = http_post(u, hdrs, "text=hello");
    assert_int_equal(a.status, 403);
    assert_non_null(strstr(header_value(&a, "WWW-Authenticate"), "error=\"insufficient_scope\""));
    assert_non_null(strstr(header_value(&a, "WWW-Authenticate"), "scope=\"notes:write\""));
    resp_free(&a);
    free(h);
    free(u);
    /* never widened */
    b = fmt(
        "grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli&scope=openid%%20email",
        rt2);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_scope");
    assert_non_null(strstr(jstr(&r, "error_description"), "'email' was not granted"));
    resp_free(&r);
    /* bound to the client */
    b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=demo-web&client_secret=demo-web-"
            "secret",
            rt2);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(jstr(&r, "error_description"), "another client"));
    resp_free(&r);
    /* rt2 still good (full scope again) → rt3 */
    b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli", rt2);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "scope"), "openid profile notes:read notes:write");
    char *at3 = strdup(jstr(&r, "access_token"));
    resp_free(&r);
    /* reusing rotated rt1 revokes the whole grant, including at3 */
    b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli", rt1);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    assert_non_null(strstr(jstr(&r, "error_description"), "RFC 9700 §4.14.2"));
    resp_free(&r);
    a = api_get(S, "/api/profile", at3);
    assert_int_equal(a.status, 401);
    resp_free(&a);
    free(rt1);
    free(rt2);
    free(at);
    free(at3);
}

static void test_client_credentials_and_auth(void **st)
{
    (void)st;
    char *code, *b;
    const char *basic[] = {"Authorization: Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ=",
                           NULL};
    resp r = token_req(S, basic, "grant_type=client_credentials&scope=api%3Aread");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "scope"), "api:read");
    assert_null(jstr(&r, "refresh_token"));
    assert_null(jstr(&r, "id_token"));
    resp a = api_get(S, "/api/profile", jstr(&r, "access_token"));
    assert_int_equal(a.status, 200);
    assert_string_equal(jstr(&a, "sub"), "demo-service");
    resp_free(&a);
    resp_free(&r);
    /* client_secret_post */
    r = token_req(
        S, NULL,
        "grant_type=client_credentials&client_id=demo-service&client_secret=demo-service-secret");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "scope"), "api:read api:write");
    resp_free(&r);
    /* wrong secret: 401 invalid_client with WWW-Authenticate for Basic */
    const char *bad[] = {"Authorization: Basic ZGVtby1zZXJ2aWNlOndyb25n", NULL};
    r = token_req(S, bad, "grant_type=client_credentials");
    assert_int_equal(r.status, 401);
    assert_string_equal(jstr(&r, "error"), "invalid_client");
    assert_non_null(header_value(&r, "WWW-Authenticate"));
    resp_free(&r);
    /* a public client may send Basic with an empty secret, never a real one */
    code = cli_code(S, "openid", NULL);
    const char *pub_basic[] = {"Authorization: Basic dG9rZW5sYWItY2xpOg==", NULL};
    b = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A7777"
            "%%2Fcallback&code_verifier=" VERIFIER,
            code);
    r = token_req(S, pub_basic, b);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(b);
    free(code);
    r = token_req(S, NULL, "grant_type=client_credentials&client_id=tokenlab-cli&client_secret=x");
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(jstr(&r, "error_description"), "public"));
    resp_free(&r);
    r = token_req(S, NULL, "grant_type=client_credentials&client_id=demo-service");
    assert_int_equal(r.status, 401);
    assert_string_equal(jstr(&r, "error"), "invalid_client");
    resp_free(&r);
    /* two methods at once */
    r = token_req(S, basic, "grant_type=client_credentials&client_secret=demo-service-secret");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_request");
    resp_free(&r);
    /* scope outside the client's */
    r = token_req(S, basic, "grant_type=client_credentials&scope=notes%3Aread");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_scope");
    resp_free(&r);
    /* a public client may not use client_credentials; demo-web is not registered for it */
    r = token_req(S, NULL, "grant_type=client_credentials&client_id=tokenlab-cli");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "unauthorized_client");
    resp_free(&r);
    r = token_req(S, NULL,
                  "grant_type=client_credentials&client_id=demo-web&client_secret=demo-web-secret");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "unauthorized_client");
    resp_free(&r);
    /* unknown grant, missing grant, duplicate parameter, JSON body */
    r = token_req(S, basic, "grant_type=magic");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "unsupported_grant_type");
    resp_free(&r);
    r = token_req(S, basic, "scope=api%3Aread");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_request");
    resp_free(&r);
    r = token_req(S, basic, "grant_type=client_credentials&grant_type=client_credentials");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(jstr(&r, "error_description"), "more than once"));
    resp_free(&r);
    const char *jh[] = {"Authorization: Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ=",
                        "Content-Type: application/json", NULL};
    r = token_req(S, jh, "{\"grant_type\":\"client_credentials\"}");
    assert_int_equal(r.status, 415);
    resp_free(&r);
}

static void test_password_grant(void **st)
{
    (void)st;
    const char *body = "grant_type=password&username=alice%40example.com&password=wonderland"
                       "&client_id=demo-web&client_secret=demo-web-secret&scope=openid";
    resp r = token_req(S, NULL, body);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "unsupported_grant_type");
    assert_non_null(strstr(jstr(&r, "error_description"), "RFC 9700 §2.4"));
    resp_free(&r);
    server_set_lab(S, "password-grant", true, NULL);
    r = token_req(S, NULL, body);
    assert_int_equal(r.status, 200);
    assert_non_null(jstr(&r, "id_token"));
    resp_free(&r);
    r = token_req(S, NULL,
                  "grant_type=password&username=alice%40example.com&password=nope"
                  "&client_id=demo-web&client_secret=demo-web-secret");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    resp_free(&r);
    server_set_lab(S, "password-grant", false, NULL);
}

static void test_device_flow(void **st)
{
    (void)st;
    char *u = url_of(S, "/device_authorization");
    resp d = http_post(u, NULL, "client_id=tokenlab-cli&scope=openid%20notes%3Aread");
    free(u);
    assert_int_equal(d.status, 200);
    const char *uc = jstr(&d, "user_code");
    assert_int_equal(strlen(uc), 9);
    assert_int_equal(uc[4], '-');
    char *vu = fmt("%s/device", server_base_url(S));
    assert_string_equal(jstr(&d, "verification_uri"), vu);
    assert_int_equal(json_integer_value(json_object_get(d.json, "interval")), 5);
    char *poll = fmt("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code"
                     "&device_code=%s&client_id=tokenlab-cli",
                     jstr(&d, "device_code"));
    resp t = token_req(S, NULL, poll);
    assert_int_equal(t.status, 400);
    assert_string_equal(jstr(&t, "error"), "authorization_pending");
    resp_free(&t);
    t = token_req(S, NULL, poll); /* again at once: too fast */
    assert_string_equal(jstr(&t, "error"), "slow_down");
    resp_free(&t);
    /* the user: code entry (lowercase, no dash is fine), login, consent */
    const char *json[] = {"Accept: application/json", NULL};
    resp e = http_get(vu, json);
    assert_string_equal(jstr(&e, "step"), "user_code");
    resp_free(&e);
    e = http_post(vu, json, "user_code=AAAA-BBBB");
    assert_int_equal(e.status, 400);
    resp_free(&e);
    char lc[16];
    snprintf(lc, sizeof lc, "%.4s%s", uc, uc + 5);
    for (char *p = lc; *p; p++) *p = (char)(*p | 0x20);
    char *body = fmt("user_code=%s", lc);
    e = http_post(vu, json, body);
    free(body);
    assert_int_equal(e.status, 200);
    assert_string_equal(jstr(&e, "step"), "login");
    assert_string_equal(jstr(&e, "action"), "/device/login");
    body = fmt("session=%s&session_secret=%s&email=bob%%40example.com&password=builder",
               jstr(&e, "session"), jstr(&e, "session_secret"));
    u = url_of(S, "/device/login");
    resp l = http_post(u, json, body);
    free(u);
    free(body);
    assert_string_equal(jstr(&l, "step"), "consent");
    body = fmt("session=%s&session_secret=%s&csrf=%s&decision=allow", jstr(&l, "session"),
               jstr(&l, "session_secret"), jstr(&l, "csrf"));
    u = url_of(S, "/device/consent");
    resp c = http_post(u, json, body);
    free(u);
    free(body);
    assert_int_equal(c.status, 200);
    assert_string_equal(jstr(&c, "step"), "done");
    resp_free(&c);
    resp_free(&l);
    resp_free(&e);
    server_clock_advance(S, 20); /* past the (slowed) interval */
    t = token_req(S, NULL, poll);
    assert_int_equal(t.status, 200);
    jws *j = NULL;
    assert_true(jws_parse(jstr(&t, "id_token"), strlen(jstr(&t, "id_token")), &j, NULL));
    assert_string_equal(json_string_value(json_object_get(j->claims, "sub")), "bob");
    jws_free(j);
    resp_free(&t);
    server_clock_advance(S, 20);
    t = token_req(S, NULL, poll); /* exchanged once only */
    assert_int_equal(t.status, 400);
    assert_string_equal(jstr(&t, "error"), "invalid_grant");
    resp_free(&t);
    free(poll);
    resp_free(&d);
    /* expiry and denial */
    u = url_of(S, "/device_authorization");
    d = http_post(u, NULL, "client_id=tokenlab-cli&scope=openid");
    free(u);
    poll = fmt("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code"
               "&device_code=%s&client_id=tokenlab-cli",
               jstr(&d, "device_code"));
    server_clock_advance(S, 601);
    t = token_req(S, NULL, poll);
    assert_string_equal(jstr(&t, "error"), "expired_token");
    resp_free(&t);
    free(poll);
    resp_free(&d);
    free(vu);
    /* demo-web is not registered for the device grant */
    u = url_of(S, "/device_authorization");
    d = http_post(u, NULL, "client_id=demo-web&client_secret=demo-web-secret");
    free(u);
    assert_int_equal(d.status, 400);
    assert_string_equal(jstr(&d, "error"), "unauthorized_client");
    resp_free(&d);
}

static void test_userinfo_introspect_revoke(void **st)
{
    (void)st;
    char *code = cli_code(S, "openid email profile", NULL);
    resp r = cli_exchange(S, code);
    free(code);
    char *at = strdup(jstr(&r, "access_token")), *rt = strdup(jstr(&r, "refresh_token"));
    char *idt = strdup(jstr(&r, "id_token"));
    resp_free(&r);
    resp u = api_get(S, "/userinfo", at);
    assert_int_equal(u.status, 200);
    assert_string_equal(jstr(&u, "sub"), "alice");
    assert_string_equal(jstr(&u, "email"), "alice@example.com");
    assert_string_equal(jstr(&u, "name"), "Alice Liddell");
    resp_free(&u);
    /* an ID token is not an access token */
    u = api_get(S, "/userinfo", idt);
    assert_int_equal(u.status, 401);
    resp_free(&u);
    /* POST with the token in the body (RFC 6750 §2.2) */
    char *url = url_of(S, "/userinfo");
    char *body = fmt("access_token=%s", at);
    u = http_post(url, NULL, body);
    free(body);
    assert_int_equal(u.status, 200);
    resp_free(&u);
    /* ... but not in the query (RFC 6750 §2.3) */
    char *qu = fmt("%s?access_token=%s", url, at);
    u = http_get(qu, NULL);
    free(qu);
    assert_int_equal(u.status, 400);
    resp_free(&u);
    free(url);
    u = api_get(S, "/userinfo", "garbage");
    assert_int_equal(u.status, 401);
    assert_non_null(strstr(header_value(&u, "WWW-Authenticate"), "invalid_token"));
    resp_free(&u);
    /* introspection needs a confidential client */
    url = url_of(S, "/introspect");
    body = fmt("token=%s", at);
    r = http_post(url, NULL, body);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    const char *basic[] = {"Authorization: Basic ZGVtby13ZWI6ZGVtby13ZWItc2VjcmV0", NULL};
    r = http_post(url, basic, body);
    free(body);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "active")));
    assert_string_equal(jstr(&r, "client_id"), "tokenlab-cli");
    assert_string_equal(jstr(&r, "username"), "alice@example.com");
    resp_free(&r);
    /* the API introspects with its own credential (RFC 7662 §2.1): demo-api, a resource server */
    const char *rs[] = {"Authorization: Basic ZGVtby1hcGk6ZGVtby1hcGktc2VjcmV0", NULL};
    body = fmt("token=%s", at);
    r = http_post(url, rs, body);
    free(body);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "active")));
    assert_string_equal(jstr(&r, "client_id"), "tokenlab-cli");
    resp_free(&r);
    /* ... and it asks for no tokens of its own */
    r = token_req(S, rs, "grant_type=client_credentials&scope=api:read");
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "unauthorized_client");
    resp_free(&r);
    body = fmt("token=%s&token_type_hint=refresh_token", rt);
    r = http_post(url, basic, body);
    free(body);
    assert_true(json_is_true(json_object_get(r.json, "active")));
    assert_string_equal(jstr(&r, "token_type"), "refresh_token");
    resp_free(&r);
    r = http_post(url, basic, "token=nothing");
    assert_int_equal(r.status, 200);
    assert_true(json_is_false(json_object_get(r.json, "active")));
    assert_int_equal(json_object_size(r.json), 1);
    resp_free(&r);
    /* revoke: another client's token is refused; the owner's works; unknown tokens get 200 */
    char *rv = url_of(S, "/revoke");
    body = fmt("token=%s", rt);
    r = http_post(rv, basic, body);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "unauthorized_client");
    resp_free(&r);
    free(body);
    body = fmt("token=%s&client_id=tokenlab-cli", at);
    r = http_post(rv, NULL, body);
    free(body);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    u = api_get(S, "/userinfo", at);
    assert_int_equal(u.status, 401);
    assert_non_null(strstr(jstr(&u, "error_description"), "revoked"));
    resp_free(&u);
    body = fmt("token=%s", at);
    r = http_post(url, basic, body);
    free(body);
    assert_true(json_is_false(json_object_get(r.json, "active")));
    resp_free(&r);
    body = fmt("token=%s&client_id=tokenlab-cli", rt);
    r = http_post(rv, NULL, body);
    free(body);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    body = fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli", rt);
    r = token_req(S, NULL, body);
    free(body);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    r = http_post(rv, NULL, "token=unknown&client_id=tokenlab-cli");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(rv);
    free(url);
    /* end session: registered post-logout URI redirects, others are refused */
    url = fmt("%s/endsession?client_id=demo-web&post_logout_redirect_uri=http%%3A%%2F%%2Flocalhost"
              "%%3A3000%%2F&state=z",
              server_base_url(S));
    r = http_get(url, NULL);
    free(url);
    assert_int_equal(r.status, 303);
    assert_string_equal(header_value(&r, "Location"), "http://localhost:3000/?state=z");
    resp_free(&r);
    url = fmt("%s/endsession?client_id=demo-web&post_logout_redirect_uri=http%%3A%%2F%%2Fevil",
              server_base_url(S));
    r = http_get(url, NULL);
    free(url);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    free(at);
    free(rt);
    free(idt);
}

#define REUSE_REFUSAL                                                                              \
    "authorization code was already used; the tokens issued from it have been revoked (RFC 6749 "  \
    "§4.1.2)"

/* Eight simultaneous exchanges of one code: exactly one wins (check-and-set under one lock), every
 * other one is refused as a reuse, and the reuse revokes what the winner got (RFC 6749 §4.1.2),
 * even when it arrives while the winner is still being issued its tokens. */
static void test_code_race(void **st)
{
    (void)st;
    char *code = cli_code(S, "openid", NULL);
    char *body = fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0.1"
                     "%%3A7777%%2Fcallback&client_id=tokenlab-cli&code_verifier=" VERIFIER,
                     code);
    char *u = url_of(S, "/token");
    CURLM *m = curl_multi_init();
    CURL *h[8];
    for (int i = 0; i < 8; i++) {
        h[i] = curl_easy_init();
        curl_easy_setopt(h[i], CURLOPT_URL, u);
        curl_easy_setopt(h[i], CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, tsu_write);
        char **sink = calloc(2, sizeof(char *)); /* tsu_write's {buffer, length} */
        curl_easy_setopt(h[i], CURLOPT_WRITEDATA, sink);
        curl_easy_setopt(h[i], CURLOPT_PRIVATE, sink);
        curl_easy_setopt(h[i], CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 30L);
        curl_multi_add_handle(m, h[i]);
    }
    int running = 1;
    while (running) {
        curl_multi_perform(m, &running);
        if (running) curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    int ok = 0, reuse = 0;
    char *at = NULL, *rt = NULL, report[8 * 300] = "";
    for (int i = 0; i < 8; i++) {
        long status = 0;
        curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &status);
        char **sink = NULL;
        curl_easy_getinfo(h[i], CURLINFO_PRIVATE, &sink);
        json_t *j = sink[0] ? json_loads(sink[0], 0, NULL) : NULL;
        const char *err = json_string_value(json_object_get(j, "error"));
        const char *desc = json_string_value(json_object_get(j, "error_description"));
        if (status == 200) {
            ok++;
            at = strdup(json_string_value(json_object_get(j, "access_token")));
            rt = strdup(json_string_value(json_object_get(j, "refresh_token")));
        } else if (status == 400 && err && strcmp(err, "invalid_grant") == 0 && desc &&
                   strcmp(desc, REUSE_REFUSAL) == 0) {
            reuse++;
        }
        size_t o = strlen(report);
        snprintf(report + o, sizeof report - o, "  exchange %d: %ld %.250s\n", i, status,
                 sink[0] ? sink[0] : "(no body)");
        json_decref(j);
        free(sink[0]);
        free(sink);
        curl_multi_remove_handle(m, h[i]);
        curl_easy_cleanup(h[i]);
    }
    curl_multi_cleanup(m);
    if (ok != 1 || reuse != 7)
        fprintf(stderr,
                "code race: %d exchanges won and %d were refused as a reuse; want exactly 1 and "
                "7%s\n%s",
                ok, reuse,
                ok == 0 ? " (none won: the first use of a code must be answered with tokens even "
                          "when a reuse arrives while they are being issued)"
                        : "",
                report);
    assert_int_equal(ok, 1);
    assert_int_equal(reuse, 7);
    /* the reuses revoked the winner's tokens */
    resp r = api_get(S, "/api/profile", at);
    assert_int_equal(r.status, 401);
    assert_string_equal(jstr(&r, "error"), "invalid_token");
    assert_string_equal(jstr(&r, "error_description"),
                        "the token was revoked: its authorization code was used twice");
    resp_free(&r);
    char *b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli", rt);
    r = token_req(S, NULL, b);
    free(b);
    assert_int_equal(r.status, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    resp_free(&r);
    free(at);
    free(rt);
    free(u);
    free(body);
    free(code);
}

/* The same rule one request at a time: the first exchange wins, each later one is refused as a
 * reuse (the same sentence every time), and the first one's tokens die at the first reuse. */
static void test_code_exactly_once_sequential(void **st)
{
    (void)st;
    char *code = cli_code(S, "openid", NULL);
    resp r = cli_exchange(S, code);
    assert_int_equal(r.status, 200);
    char *at = strdup(jstr(&r, "access_token"));
    resp_free(&r);
    resp a = api_get(S, "/api/profile", at);
    assert_int_equal(a.status, 200); /* alive until the code is reused */
    resp_free(&a);
    for (int i = 0; i < 3; i++) {
        r = cli_exchange(S, code);
        assert_int_equal(r.status, 400);
        assert_string_equal(jstr(&r, "error"), "invalid_grant");
        assert_string_equal(jstr(&r, "error_description"), REUSE_REFUSAL);
        resp_free(&r);
    }
    a = api_get(S, "/api/profile", at);
    assert_int_equal(a.status, 401);
    assert_string_equal(jstr(&a, "error_description"),
                        "the token was revoked: its authorization code was used twice");
    resp_free(&a);
    free(at);
    free(code);
}

static void test_html_pages(void **st)
{
    (void)st;
    char *u = url_of(S, "/device");
    resp r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<form method=\"post\" action=\"/device\">"));
    assert_string_equal(header_value(&r, "X-Frame-Options"), "DENY");
    resp_free(&r);
    u = url_of(S, "/");
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "/.well-known/openid-configuration"));
    resp_free(&r);
    /* user input is escaped in pages: a client name cannot be injected, and an error page
     * does not reflect raw markup */
    u = fmt("%s/authorize?client_id=%%3Cscript%%3E", server_base_url(S));
    r = http_get(u, NULL);
    free(u);
    assert_int_equal(r.status, 400);
    assert_null(strstr(r.body, "<script>"));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_discovery, reset),
        cmocka_unit_test_setup(test_html_flow, reset),
        cmocka_unit_test_setup(test_login_wrong_password, reset),
        cmocka_unit_test_setup(test_redirect_uri_rules, reset),
        cmocka_unit_test_setup(test_authorize_errors_redirect, reset),
        cmocka_unit_test_setup(test_code_grant_pkce, reset),
        cmocka_unit_test_setup(test_code_binding_and_reuse, reset),
        cmocka_unit_test_setup(test_refresh, reset),
        cmocka_unit_test_setup(test_client_credentials_and_auth, reset),
        cmocka_unit_test_setup(test_password_grant, reset),
        cmocka_unit_test_setup(test_device_flow, reset),
        cmocka_unit_test_setup(test_userinfo_introspect_revoke, reset),
        cmocka_unit_test_setup(test_code_race, reset),
        cmocka_unit_test_setup(test_code_exactly_once_sequential, reset),
        cmocka_unit_test_setup(test_html_pages, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
