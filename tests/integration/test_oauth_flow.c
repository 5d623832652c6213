/* SPDX-License-Identifier: MIT */
/* The client layer against the REAL embedded server (port 0): every flow the lessons drive, built
 * with flow_* builders, sent with the libcurl transport, read with the flow_* parsers — JWT login,
 * authorization code + PKCE through the JSON /authorize steps, refresh with rotation, client
 * credentials (basic and post), device flow with slow_down, userinfo, introspection, revocation,
 * RFC 6750 challenges, discovery, the JWKS cache, the SSE feed, lab calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closed_port.h"
#include "jose/jws.h"
#include "oauth/flow.h"
#include "oauth/idtoken.h"
#include "oauth/jwkscache.h"
#include "oauth/pkce.h"
#include "server/server.h"

static server *srv;
static const char *base;
static flow_endpoints ep;
static http_client *http;

#define REDIRECT "http://127.0.0.1:5555/callback"
static const flow_client cli = {"tokenlab-cli", NULL, FLOW_AUTH_NONE};
static const flow_client svc_basic = {"demo-service", "demo-service-secret", FLOW_AUTH_BASIC};
static const flow_client svc_post = {"demo-service", "demo-service-secret", FLOW_AUTH_POST};
static const flow_client web = {"demo-web", "demo-web-secret", FLOW_AUTH_BASIC};

static int setup(void **state)
{
    tl_err e = {0};
    server_options o = {.listen = "127.0.0.1:0", .lab_key = "test-lab-key"};
    if (!server_start(&o, &srv, &e)) {
        fprintf(stderr, "server_start: %s\n", e.msg);
        return -1;
    }
    base = server_base_url(srv);
    http = http_client_new();
    return http && flow_endpoints_default(&ep, base, &e) ? 0 : -1;
}

static int teardown(void **state)
{
    flow_endpoints_clear(&ep);
    http_client_free(http);
    server_stop(srv);
    return 0;
}

/* Sends a built request (asserting it could be built) and waits for the completed exchange. */
static http_exchange *run(http_request *r)
{
    assert_non_null(r);
    tl_err e = {0};
    http_exchange *x = http_send_wait(http, r, &e);
    http_request_free(r);
    assert_non_null(x);
    if (x->state != HTTP_DONE) fail_msg("%s %s: %s", x->method, x->url, x->err.msg);
    return x;
}

static void discovery_matches_defaults(void **state)
{
    tl_err e = {0};
    http_exchange *x = run(flow_discovery_request(base, &e));
    flow_endpoints d;
    assert_true(flow_parse_discovery(x, base, &d, &e));
    assert_string_equal(d.issuer, server_issuer(srv));
    assert_string_equal(d.token, ep.token);
    assert_string_equal(d.authorization, ep.authorization);
    assert_string_equal(d.jwks, ep.jwks);
    assert_string_equal(d.device_authorization, ep.device_authorization);
    assert_string_equal(d.introspection, ep.introspection);
    assert_string_equal(d.revocation, ep.revocation);
    flow_endpoints_clear(&d);
    http_exchange_unref(x);
}

static void jwt_login_and_api(void **state)
{
    tl_err e = {0};
    flow_tokens t;
    http_exchange *x = run(flow_login_request(base, "alice@example.com", "wonderland", &e));
    assert_true(flow_parse_token_response(x, &t, &e));
    assert_string_equal(t.token_type, "Bearer");
    assert_true(t.expires_in > 0);
    /* the exact bytes we sent are in the record */
    assert_string_equal(x->req_body,
                        "{\"email\":\"alice@example.com\",\"password\":\"wonderland\"}");
    http_exchange_unref(x);

    char url[256];
    snprintf(url, sizeof url, "%s/api/profile", base);
    x = run(flow_api_request("GET", url, t.access_token, NULL, &e));
    json_t *p = flow_parse_json_object(x, &e);
    assert_non_null(p);
    http_exchange_unref(x);
    json_decref(p);
    flow_tokens_clear(&t);

    x = run(flow_login_request(base, "alice@example.com", "wrong", &e));
    assert_int_equal(x->status, 401);
    assert_false(flow_parse_token_response(x, &t, &e));
    assert_non_null(e.code);
    assert_true(strncmp(e.code, "oauth.", 6) == 0 || strcmp(e.code, "flow.http_status") == 0);
    http_exchange_unref(x);

    /* RFC 6750: no token → 401 with a Bearer challenge; a garbage token → invalid_token */
    snprintf(url, sizeof url, "%s/api/notes", base);
    http_request *r = http_request_new("GET", url);
    x = run(r);
    assert_int_equal(x->status, 401);
    flow_bearer_challenge b;
    assert_true(flow_parse_www_authenticate(http_exchange_header(x, "WWW-Authenticate"), &b, &e));
    assert_string_equal(b.scheme, "Bearer");
    flow_bearer_challenge_clear(&b);
    http_exchange_unref(x);
    x = run(flow_api_request("GET", url, "not.a.token", NULL, &e));
    assert_int_equal(x->status, 401);
    assert_null(flow_parse_json_object(x, &e));
    assert_true(err_is(&e, "oauth.invalid_token"));
    http_exchange_unref(x);
}

/* Runs login + consent through the JSON /authorize steps; returns the redirect Location. */
static char *authorize(const char *authz_url, bool allow)
{
    tl_err e = {0};
    flow_authz_step s;
    http_exchange *x = run(flow_authorize_json_request(authz_url, &e));
    if (!flow_parse_authorize_step(x, &s, &e)) fail_msg("authorize: %s", e.msg);
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_LOGIN);
    assert_non_null(s.session);
    assert_string_equal(s.client_id, "tokenlab-cli");

    /* a wrong password keeps us on the login step, with the reason */
    x = run(flow_authorize_login_request(&s, "alice@example.com", "nope", &e));
    flow_authz_step again;
    assert_true(flow_parse_authorize_step(x, &again, &e));
    assert_int_equal(again.kind, FLOW_AUTHZ_LOGIN);
    assert_int_equal(again.status, 401);
    assert_non_null(again.error_description);
    flow_authz_step_clear(&again);
    http_exchange_unref(x);

    x = run(flow_authorize_login_request(&s, "alice@example.com", "wonderland", &e));
    flow_authz_step_clear(&s);
    if (!flow_parse_authorize_step(x, &s, &e)) fail_msg("login step: %s", e.msg);
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_CONSENT);
    assert_non_null(s.csrf);
    assert_string_equal(s.user_name, "Alice Liddell");
    assert_true(s.nscopes >= 2);
    assert_non_null(s.scopes[0].description);

    x = run(flow_authorize_consent_request(&s, allow, &e));
    flow_authz_step_clear(&s);
    if (!flow_parse_authorize_step(x, &s, &e)) fail_msg("consent step: %s", e.msg);
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_REDIRECT);
    char *loc = strdup(s.location);
    flow_authz_step_clear(&s);
    return loc;
}

static void authorization_code_with_pkce_and_refresh(void **state)
{
    tl_err e = {0};
    char *verifier = pkce_verifier_new(&e);
    char *challenge = pkce_challenge_s256(verifier, &e);
    flow_authz_params p = {.client_id = "tokenlab-cli",
                           .redirect_uri = REDIRECT,
                           .scope = "openid profile offline_access notes:read",
                           .state = "st-123",
                           .nonce = "n-456",
                           .code_challenge = challenge};
    char *u = flow_authorize_url(ep.authorization, &p, &e);
    assert_non_null(u);
    char *loc = authorize(u, true);
    assert_true(strncmp(loc, REDIRECT "?", strlen(REDIRECT) + 1) == 0);

    /* the wrong state is caught (CSRF), the right one gives the code; iss per RFC 9207 */
    flow_redirect rd;
    assert_false(flow_parse_redirect(loc, "other-state", NULL, &rd, &e));
    assert_true(err_is(&e, "flow.state_mismatch"));
    flow_redirect_clear(&rd);
    assert_false(flow_parse_redirect(loc, "st-123", "http://evil.example", &rd, &e));
    assert_true(err_is(&e, "flow.iss_mismatch"));
    flow_redirect_clear(&rd);
    if (!flow_parse_redirect(loc, "st-123", server_issuer(srv), &rd, &e))
        fail_msg("redirect: %s", e.msg);
    assert_non_null(rd.iss);

    flow_tokens t;
    http_exchange *x =
        run(flow_token_code_request(ep.token, &cli, rd.code, REDIRECT, verifier, &e));
    if (!flow_parse_token_response(x, &t, &e)) fail_msg("code exchange: %s", e.msg);
    assert_non_null(strstr(x->req_body, "code_verifier="));
    char *masked = http_exchange_text(x, true, 0);
    assert_null(strstr(masked, verifier));          /* the trace hides the verifier ... */
    assert_non_null(strstr(x->req_body, verifier)); /* ... the record keeps it */
    free(masked);
    http_exchange_unref(x);
    assert_non_null(t.id_token);
    assert_non_null(t.refresh_token);
    assert_string_equal(t.token_type, "Bearer");

    /* the code is single-use */
    flow_tokens t2;
    x = run(flow_token_code_request(ep.token, &cli, rd.code, REDIRECT, verifier, &e));
    assert_false(flow_parse_token_response(x, &t2, &e));
    assert_true(err_is(&e, "oauth.invalid_grant"));
    http_exchange_unref(x);

    /* RFC 9700 §4.2.4 / RFC 6749 §4.1.2: the reuse revoked what the code had issued */
    x = run(flow_userinfo_request(ep.userinfo, t.access_token, &e));
    assert_null(flow_parse_json_object(x, &e));
    assert_true(err_is(&e, "oauth.invalid_token"));
    assert_int_equal(x->status, 401);
    http_exchange_unref(x);
    flow_tokens_clear(&t);
    flow_redirect_clear(&rd);
    free(loc);

    /* a fresh authorization for the rest */
    loc = authorize(u, true);
    assert_true(flow_parse_redirect(loc, "st-123", server_issuer(srv), &rd, &e));
    x = run(flow_token_code_request(ep.token, &cli, rd.code, REDIRECT, verifier, &e));
    if (!flow_parse_token_response(x, &t, &e)) fail_msg("code exchange: %s", e.msg);
    http_exchange_unref(x);

    /* the ID token passes every client-side check of OIDC Core §3.1.3.7, against the JWKS */
    jwkscache *jc = jwkscache_new(http, ep.jwks);
    if (!jwkscache_fetch_sync(jc, 5000, &e)) fail_msg("jwks: %s", e.msg);
    idtoken_expect ie = {.issuer = server_issuer(srv),
                         .client_id = "tokenlab-cli",
                         .nonce = "n-456",
                         .access_token = t.access_token,
                         .now = server_now(srv),
                         .leeway = 5};
    json_t *idc = NULL;
    if (!idtoken_check(t.id_token, jwkscache_keys(jc), &ie, &idc, &e))
        fail_msg("id token: %s: %s", e.code, e.msg);
    assert_string_equal(json_string_value(json_object_get(idc, "sub")), "alice");
    json_decref(idc);
    ie.nonce = "another-nonce";
    assert_false(idtoken_check(t.id_token, jwkscache_keys(jc), &ie, NULL, &e));
    assert_true(err_is(&e, "idtoken.nonce"));
    ie.nonce = "n-456";
    ie.access_token = "some-other-access-token"; /* the server sets at_hash (issue 3) */
    assert_false(idtoken_check(t.id_token, jwkscache_keys(jc), &ie, NULL, &e));
    assert_true(err_is(&e, "idtoken.at_hash"));
    jwkscache_free(jc);

    /* userinfo */
    x = run(flow_userinfo_request(ep.userinfo, t.access_token, &e));
    json_t *ui = flow_parse_json_object(x, &e);
    if (!ui) fail_msg("userinfo: %s", e.msg);
    assert_string_equal(json_string_value(json_object_get(ui, "sub")), "alice");
    json_decref(ui);
    http_exchange_unref(x);

    /* refresh: a public client's refresh token rotates */
    x = run(flow_token_refresh_request(ep.token, &cli, t.refresh_token, NULL, &e));
    if (!flow_parse_token_response(x, &t2, &e)) fail_msg("refresh: %s", e.msg);
    http_exchange_unref(x);
    assert_non_null(t2.access_token);
    assert_non_null(t2.refresh_token);
    assert_string_not_equal(t2.refresh_token, t.refresh_token);
    /* introspection (confidential client only) */
    flow_introspection in;
    x = run(flow_introspect_request(ep.introspection, &web, t2.access_token, "access_token", &e));
    if (!flow_parse_introspection(x, &in, &e)) fail_msg("introspect: %s", e.msg);
    assert_true(in.active);
    assert_string_equal(in.client_id, "tokenlab-cli");
    flow_introspection_clear(&in);
    http_exchange_unref(x);
    x = run(flow_introspect_request(ep.introspection, &cli, t2.access_token, NULL, &e));
    assert_false(flow_parse_introspection(x, &in, &e));
    assert_true(err_is(&e, "oauth.invalid_client"));
    http_exchange_unref(x);

    /* replaying the rotated-out refresh token is refused and revokes the grant (RFC 9700 §4.14) */
    flow_tokens t3;
    x = run(flow_token_refresh_request(ep.token, &cli, t.refresh_token, NULL, &e));
    assert_false(flow_parse_token_response(x, &t3, &e));
    assert_true(err_is(&e, "oauth.invalid_grant"));
    http_exchange_unref(x);
    x = run(flow_introspect_request(ep.introspection, &web, t2.access_token, NULL, &e));
    assert_true(flow_parse_introspection(x, &in, &e));
    assert_false(in.active);
    flow_introspection_clear(&in);
    http_exchange_unref(x);

    /* revocation (RFC 7009) on a fresh grant */
    flow_tokens_clear(&t);
    flow_redirect_clear(&rd);
    free(loc);
    loc = authorize(u, true);
    assert_true(flow_parse_redirect(loc, "st-123", server_issuer(srv), &rd, &e));
    x = run(flow_token_code_request(ep.token, &cli, rd.code, REDIRECT, verifier, &e));
    assert_true(flow_parse_token_response(x, &t, &e));
    http_exchange_unref(x);
    x = run(flow_introspect_request(ep.introspection, &web, t.refresh_token, "refresh_token", &e));
    assert_true(flow_parse_introspection(x, &in, &e));
    assert_true(in.active);
    flow_introspection_clear(&in);
    http_exchange_unref(x);
    x = run(flow_revoke_request(ep.revocation, &cli, t.refresh_token, "refresh_token", &e));
    if (!flow_parse_revoke(x, &e)) fail_msg("revoke: %s", e.msg);
    http_exchange_unref(x);
    x = run(flow_introspect_request(ep.introspection, &web, t.refresh_token, "refresh_token", &e));
    assert_true(flow_parse_introspection(x, &in, &e));
    assert_false(in.active);
    flow_introspection_clear(&in);
    http_exchange_unref(x);
    x = run(flow_token_refresh_request(ep.token, &cli, t.refresh_token, NULL, &e));
    assert_false(flow_parse_token_response(x, &t3, &e));
    assert_true(err_is(&e, "oauth.invalid_grant"));
    http_exchange_unref(x);

    flow_tokens_clear(&t);
    flow_tokens_clear(&t2);
    flow_redirect_clear(&rd);
    free(loc);

    /* deny: the redirect carries access_denied */
    loc = authorize(u, false);
    assert_false(flow_parse_redirect(loc, "st-123", NULL, &rd, &e));
    assert_true(err_is(&e, "oauth.access_denied"));
    flow_redirect_clear(&rd);
    free(loc);

    /* a wrong verifier is refused (RFC 7636 §4.6) */
    loc = authorize(u, true);
    assert_true(flow_parse_redirect(loc, "st-123", NULL, &rd, &e));
    char *other = pkce_verifier_new(&e);
    x = run(flow_token_code_request(ep.token, &cli, rd.code, REDIRECT, other, &e));
    assert_false(flow_parse_token_response(x, &t, &e));
    assert_true(err_is(&e, "oauth.invalid_grant"));
    http_exchange_unref(x);
    free(other);
    flow_redirect_clear(&rd);
    free(loc);

    /* an unregistered redirect_uri is an error step, never a redirect (RFC 6749 §4.1.2.1) */
    p.redirect_uri = "http://attacker.example/cb";
    char *bad = flow_authorize_url(ep.authorization, &p, &e);
    flow_authz_step s;
    x = run(flow_authorize_json_request(bad, &e));
    assert_true(flow_parse_authorize_step(x, &s, &e));
    assert_int_equal(s.kind, FLOW_AUTHZ_ERROR);
    assert_int_equal(s.status, 400);
    assert_null(x->location);
    flow_authz_step_clear(&s);
    http_exchange_unref(x);
    free(bad);

    free(u);
    free(verifier);
    free(challenge);
}

static void client_credentials(void **state)
{
    tl_err e = {0};
    flow_tokens t;
    http_exchange *x =
        run(flow_token_client_credentials_request(ep.token, &svc_basic, "api:read", &e));
    if (!flow_parse_token_response(x, &t, &e)) fail_msg("client credentials: %s", e.msg);
    assert_non_null(strstr(x->req_head, "Authorization: Basic "));
    char *masked = http_exchange_text(x, true, 0);
    assert_non_null(strstr(masked, "Authorization: Basic *****"));
    free(masked);
    assert_null(t.refresh_token); /* RFC 6749 §4.4.3: SHOULD NOT */
    flow_tokens_clear(&t);
    http_exchange_unref(x);

    x = run(flow_token_client_credentials_request(ep.token, &svc_post, NULL, &e));
    assert_true(flow_parse_token_response(x, &t, &e));
    assert_non_null(strstr(x->req_body, "client_secret=demo-service-secret"));
    flow_tokens_clear(&t);
    http_exchange_unref(x);

    flow_client wrong = {"demo-service", "not-the-secret", FLOW_AUTH_BASIC};
    x = run(flow_token_client_credentials_request(ep.token, &wrong, NULL, &e));
    assert_int_equal(x->status, 401);
    assert_false(flow_parse_token_response(x, &t, &e));
    assert_true(err_is(&e, "oauth.invalid_client"));
    http_exchange_unref(x);
}

static void device_flow_with_slow_down(void **state)
{
    tl_err e = {0};
    flow_device_auth d;
    http_exchange *x = run(
        flow_device_authorization_request(ep.device_authorization, &cli, "openid notes:read", &e));
    if (!flow_parse_device_auth(x, &d, &e)) fail_msg("device authorization: %s", e.msg);
    http_exchange_unref(x);
    assert_true(d.interval >= 1);
    flow_device_poll p = {.interval = d.interval};
    flow_tokens t;

    x = run(flow_token_device_request(ep.token, &cli, d.device_code, &e));
    assert_int_equal(flow_device_poll_update(&p, x, &t, &e), FLOW_POLL_PENDING);
    http_exchange_unref(x);
    /* polling again at once is too fast: slow_down, and the interval grows by 5 s */
    x = run(flow_token_device_request(ep.token, &cli, d.device_code, &e));
    assert_int_equal(flow_device_poll_update(&p, x, &t, &e), FLOW_POLL_SLOW);
    assert_int_equal(p.interval, d.interval + 5);
    http_exchange_unref(x);

    /* the user enters the code, logs in and allows */
    flow_authz_step s;
    char url[256];
    snprintf(url, sizeof url, "%s/device", base);
    x = run(flow_authorize_json_request(url, &e));
    if (!flow_parse_authorize_step(x, &s, &e)) fail_msg("/device: %s", e.msg);
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_USER_CODE);
    x = run(flow_device_user_code_request(&s, d.user_code, &e));
    flow_authz_step_clear(&s);
    if (!flow_parse_authorize_step(x, &s, &e)) fail_msg("user code: %s", e.msg);
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_LOGIN);
    x = run(flow_authorize_login_request(&s, "bob@example.com", "builder", &e));
    flow_authz_step_clear(&s);
    assert_true(flow_parse_authorize_step(x, &s, &e));
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_CONSENT);
    x = run(flow_authorize_consent_request(&s, true, &e));
    flow_authz_step_clear(&s);
    assert_true(flow_parse_authorize_step(x, &s, &e));
    http_exchange_unref(x);
    assert_int_equal(s.kind, FLOW_AUTHZ_DONE);
    assert_non_null(s.message);
    flow_authz_step_clear(&s);

    /* wait out the (grown) interval on the server's clock, then the tokens come */
    server_clock_advance(srv, p.interval + 1);
    x = run(flow_token_device_request(ep.token, &cli, d.device_code, &e));
    flow_poll_result pr = flow_device_poll_update(&p, x, &t, &e);
    if (pr != FLOW_POLL_DONE) fail_msg("device poll: %d %s", pr, e.msg);
    http_exchange_unref(x);
    assert_non_null(t.access_token);
    flow_tokens_clear(&t);
    flow_device_auth_clear(&d);
}

static void jwks_cache_by_kid(void **state)
{
    tl_err e = {0};
    flow_tokens t;
    http_exchange *x = run(flow_token_client_credentials_request(ep.token, &svc_basic, NULL, &e));
    assert_true(flow_parse_token_response(x, &t, &e));
    http_exchange_unref(x);
    jws *tok = NULL;
    assert_true(jws_parse(t.access_token, strlen(t.access_token), &tok, &e));
    assert_non_null(tok->kid);

    jwkscache *jc = jwkscache_new(http, ep.jwks);
    jwk *k = NULL;
    assert_int_equal(jwkscache_find(jc, tok->kid, &k, &e), JWKSCACHE_FETCHING);
    assert_true(http_wait(http, 5000));
    assert_int_equal(jwkscache_find(jc, tok->kid, &k, &e), JWKSCACHE_FOUND);
    assert_true(jws_verify(tok, k, NULL, 0, &e));
    jwk_free(k);
    assert_int_equal(jwkscache_fetch_count(jc), 1);

    /* an unknown kid refetches once, then not again within the interval */
    assert_int_equal(jwkscache_find(jc, "no-such-kid", &k, &e), JWKSCACHE_UNKNOWN);
    assert_true(err_is(&e, "jwks.unknown_kid"));
    assert_int_equal(jwkscache_fetch_count(jc), 1);
    jwkscache_set_min_refetch_ms(jc, 0);
    assert_int_equal(jwkscache_find(jc, "no-such-kid", &k, &e), JWKSCACHE_FETCHING);
    assert_true(http_wait(http, 5000));
    jwkscache_set_min_refetch_ms(jc, 60000);
    assert_int_equal(jwkscache_find(jc, "no-such-kid", &k, &e), JWKSCACHE_UNKNOWN);
    assert_int_equal(jwkscache_fetch_count(jc), 2);
    jwkscache_free(jc);

    /* a dead server: the error says so */
    int held = -1;
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d/jwks", closed_port(&held));
    jc = jwkscache_new(http, dead);
    assert_false(jwkscache_fetch_sync(jc, 5000, &e));
    assert_true(err_is(&e, "jwks.fetch"));
    assert_non_null(strstr(e.msg, "connection refused"));
    jwkscache_free(jc);
    close(held);
    jws_free(tok);
    flow_tokens_clear(&t);
}

typedef struct evlog {
    int n;
    bool refused_seen;
    char last[512];
} evlog;

static void on_event(const char *event, const char *data, void *ud)
{
    evlog *l = ud;
    if (!event) return;
    l->n++;
    snprintf(l->last, sizeof l->last, "%s: %s", event, data);
    if (strstr(data, "refused") || strcmp(event, "refused") == 0) l->refused_seen = true;
}

static void server_view_over_sse_and_lab(void **state)
{
    tl_err e = {0};
    evlog l = {0};
    char url[256];
    snprintf(url, sizeof url, "%s/lab/events", base);
    uint64_t id;
    assert_true(http_sse_open(http, url, on_event, &l, &id, &e));
    for (int i = 0; i < 10; i++) http_poll(http, NULL, 0, 20); /* connected */

    flow_client wrong = {"demo-service", "nope", FLOW_AUTH_POST};
    http_exchange *x = run(flow_token_client_credentials_request(ep.token, &wrong, NULL, &e));
    http_exchange_unref(x);
    for (int i = 0; i < 100 && !l.refused_seen; i++) http_poll(http, NULL, 0, 20);
    assert_true(l.refused_seen);
    assert_true(http_cancel(http, id));

    /* lab calls: the key is required */
    x = run(flow_lab_state_request(base, "test-lab-key", &e));
    json_t *st = flow_parse_json_object(x, &e);
    if (!st) fail_msg("lab state: %s", e.msg);
    json_decref(st);
    http_exchange_unref(x);
    x = run(flow_lab_state_request(base, "wrong-key", &e));
    assert_true(x->status == 401 || x->status == 403);
    http_exchange_unref(x);
    x = run(flow_lab_switch_request(base, "test-lab-key", "password-grant", true, &e));
    assert_int_equal(x->status, 200);
    http_exchange_unref(x);
    assert_true(server_lab_is_on(srv, "password-grant"));

    flow_tokens t;
    x = run(flow_token_password_request(ep.token, &cli, "alice@example.com", "wonderland", "openid",
                                        &e));
    if (!flow_parse_token_response(x, &t, &e)) fail_msg("password grant: %s", e.msg);
    flow_tokens_clear(&t);
    http_exchange_unref(x);
    x = run(flow_lab_switch_request(base, "test-lab-key", "password-grant", false, &e));
    http_exchange_unref(x);
    assert_false(server_lab_is_on(srv, "password-grant"));

    int64_t before = server_now(srv);
    x = run(flow_lab_clock_request(base, "test-lab-key", 3600, &e));
    if (x->status != 200) fail_msg("lab clock: %ld %s", x->status, x->body);
    http_exchange_unref(x);
    assert_true(server_now(srv) >= before + 3600);
    server_clock_reset(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovery_matches_defaults),
        cmocka_unit_test(jwt_login_and_api),
        cmocka_unit_test(authorization_code_with_pkce_and_refresh),
        cmocka_unit_test(client_credentials),
        cmocka_unit_test(device_flow_with_slow_down),
        cmocka_unit_test(jwks_cache_by_kid),
        cmocka_unit_test(server_view_over_sse_and_lab),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
