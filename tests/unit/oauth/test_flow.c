/* SPDX-License-Identifier: MIT */
/* flow: encoding, request builders and every parser, including malformed input. No network:
 * parsers get hand-made exchange records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/flow.h"

/* A completed exchange as the transport would leave it. Headers: "Name", "Value", ..., NULL. */
typedef struct fake {
    http_exchange x;
    http_header h[8];
} fake;

static void fake_init(fake *f, long status, const char *ctype, const char *body, ...)
{
    memset(f, 0, sizeof *f);
    f->x.state = HTTP_DONE;
    f->x.method = "POST";
    f->x.url = "http://127.0.0.1:8910/token";
    f->x.status = status;
    f->x.status_line = status == 200   ? "HTTP/1.1 200 OK"
                       : status == 400 ? "HTTP/1.1 400 Bad Request"
                       : status == 401 ? "HTTP/1.1 401 Unauthorized"
                       : status == 303 ? "HTTP/1.1 303 See Other"
                                       : "HTTP/1.1 500 Internal Server Error";
    f->x.content_type = (char *)ctype;
    f->x.body = (char *)body;
    f->x.body_len = body ? strlen(body) : 0;
    if (body && ctype && strstr(ctype, "json")) f->x.json = json_loads(body, 0, NULL);
    va_list ap;
    va_start(ap, body);
    const char *n;
    while ((n = va_arg(ap, const char *)) && f->x.nresp_headers < 8) {
        f->h[f->x.nresp_headers].name = (char *)n;
        f->h[f->x.nresp_headers].value = va_arg(ap, char *);
        if (strcmp(n, "Location") == 0) f->x.location = f->h[f->x.nresp_headers].value;
        f->x.nresp_headers++;
    }
    va_end(ap);
    f->x.resp_headers = f->h;
}

static void fake_clear(fake *f)
{
    json_decref(f->x.json);
}

#define JSONT "application/json"

/* ---- encoding ---- */

static void pct_encoding_keeps_unreserved_only(void **state)
{
    char *s = flow_pct_encode("AZaz09-._~ +/?&=%:é");
    assert_string_equal(s, "AZaz09-._~%20%2B%2F%3F%26%3D%25%3A%C3%A9");
    free(s);
    s = flow_form_encode("a b+c");
    assert_string_equal(s, "a+b%2Bc");
    free(s);

    tl_err e = {0};
    char *d = NULL;
    assert_true(flow_pct_decode("a+b%2Bc%C3%A9", 13, true, &d, &e));
    assert_string_equal(d, "a b+cé");
    free(d);
    assert_true(flow_pct_decode("a+b", 3, false, &d, &e));
    assert_string_equal(d, "a+b");
    free(d);
    assert_false(flow_pct_decode("ab%4", 4, true, &d, &e));
    assert_true(err_is(&e, "flow.bad_escape"));
    assert_non_null(strstr(e.msg, "offset 2"));
    assert_false(flow_pct_decode("%zz", 3, true, &d, &e));
    assert_true(err_is(&e, "flow.bad_escape"));
    assert_false(flow_pct_decode("a%00b", 5, true, &d, &e));
    assert_true(err_is(&e, "flow.nul"));
    assert_null(d);
}

static void basic_auth_form_encodes_before_base64(void **state)
{
    /* RFC 6749 §2.3.1: "my:client" / "pä ss:+/" → my%3Aclient:p%C3%A4+ss%3A%2B%2F */
    char *h = flow_basic_auth("my:client", "pä ss:+/");
    assert_string_equal(h, "Basic bXklM0FjbGllbnQ6cCVDMyVBNCtzcyUzQSUyQiUyRg==");
    free(h);
    h = flow_basic_auth("demo-service", "demo-service-secret");
    assert_string_equal(h, "Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ=");
    free(h);
}

/* ---- builders ---- */

static void authorize_url_is_encoded_and_complete(void **state)
{
    tl_err e = {0};
    flow_authz_params p = {.client_id = "tokenlab-cli",
                           .redirect_uri = "http://127.0.0.1:5000/callback",
                           .scope = "openid notes:read",
                           .state = "s+1/2",
                           .nonce = "n 1",
                           .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"};
    char *u = flow_authorize_url("http://127.0.0.1:8910/authorize", &p, &e);
    assert_non_null(u);
    assert_string_equal(u, "http://127.0.0.1:8910/authorize?response_type=code"
                           "&client_id=tokenlab-cli"
                           "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback"
                           "&scope=openid%20notes%3Aread&state=s%2B1%2F2&nonce=n%201"
                           "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                           "&code_challenge_method=S256");
    free(u);

    /* an endpoint with a query keeps it (RFC 6749 §3.1); optional members are left out */
    flow_authz_params q = {.client_id = "c", .redirect_uri = "http://localhost/cb"};
    u = flow_authorize_url("https://as.example/auth?tenant=x", &q, &e);
    assert_string_equal(u, "https://as.example/auth?tenant=x&response_type=code&client_id=c"
                           "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb");
    free(u);

    q.redirect_uri = NULL;
    assert_null(flow_authorize_url("https://as.example/auth", &q, &e));
    assert_true(err_is(&e, "flow.arg"));
    assert_non_null(strstr(e.msg, "redirect_uri"));
    q.redirect_uri = "http://localhost/cb";
    assert_null(flow_authorize_url("https://as.example/auth#frag", &q, &e));
    assert_true(err_is(&e, "flow.arg"));
}

static void token_requests_carry_the_right_form(void **state)
{
    tl_err e = {0};
    flow_client pub = {.client_id = "tokenlab-cli", .auth = FLOW_AUTH_NONE};
    http_request *r =
        flow_token_code_request("http://h/token", &pub, "abc", "http://127.0.0.1/cb", "ver", &e);
    assert_non_null(r);
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->body, "grant_type=authorization_code&code=abc"
                                 "&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_verifier=ver"
                                 "&client_id=tokenlab-cli");
    assert_string_equal(http_request_header(r, "Content-Type"),
                        "application/x-www-form-urlencoded");
    assert_string_equal(http_request_header(r, "Accept"), "application/json");
    assert_null(http_request_header(r, "Authorization"));
    http_request_free(r);

    flow_client basic = {"demo-service", "demo-service-secret", FLOW_AUTH_BASIC};
    r = flow_token_client_credentials_request("http://h/token", &basic, "api:read api:write", &e);
    assert_string_equal(r->body, "grant_type=client_credentials&scope=api%3Aread+api%3Awrite");
    assert_string_equal(http_request_header(r, "Authorization"),
                        "Basic ZGVtby1zZXJ2aWNlOmRlbW8tc2VydmljZS1zZWNyZXQ=");
    http_request_free(r);

    flow_client post = {"demo-web", "s&cret", FLOW_AUTH_POST};
    r = flow_token_refresh_request("http://h/token", &post, "rt", NULL, &e);
    assert_string_equal(r->body, "grant_type=refresh_token&refresh_token=rt&client_id=demo-web"
                                 "&client_secret=s%26cret");
    http_request_free(r);
    r = flow_token_refresh_request("http://h/token", &post, "rt", "openid", &e);
    assert_non_null(strstr(r->body, "&scope=openid&"));
    http_request_free(r);

    r = flow_token_device_request("http://h/token", &pub, "dc", &e);
    assert_string_equal(r->body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                                 "&device_code=dc&client_id=tokenlab-cli");
    http_request_free(r);

    r = flow_token_password_request("http://h/token", &pub, "alice@example.com", "wonder land",
                                    NULL, &e);
    assert_string_equal(r->body, "grant_type=password&username=alice%40example.com"
                                 "&password=wonder+land&client_id=tokenlab-cli");
    http_request_free(r);

    /* argument errors */
    assert_null(flow_token_client_credentials_request("http://h/token", &pub, NULL, &e));
    assert_true(err_is(&e, "flow.arg"));
    flow_client nosecret = {"x", NULL, FLOW_AUTH_BASIC};
    assert_null(flow_token_refresh_request("http://h/token", &nosecret, "rt", NULL, &e));
    assert_true(err_is(&e, "flow.arg"));
    assert_non_null(strstr(e.msg, "client_secret"));
    assert_null(flow_token_code_request("http://h/token", &pub, "", "http://x", NULL, &e));
    assert_true(err_is(&e, "flow.arg"));
}

static void other_builders(void **state)
{
    tl_err e = {0};
    http_request *r = flow_login_request("http://h:1/", "alice@example.com", "wonderland", &e);
    assert_string_equal(r->url, "http://h:1/login");
    assert_string_equal(r->body, "{\"email\":\"alice@example.com\",\"password\":\"wonderland\"}");
    assert_string_equal(http_request_header(r, "Content-Type"), "application/json");
    http_request_free(r);

    r = flow_userinfo_request("http://h/userinfo", "tok", &e);
    assert_string_equal(r->method, "GET");
    assert_string_equal(http_request_header(r, "Authorization"), "Bearer tok");
    http_request_free(r);

    flow_client c = {"demo-web", "demo-web-secret", FLOW_AUTH_BASIC};
    r = flow_introspect_request("http://h/introspect", &c, "t", "access_token", &e);
    assert_string_equal(r->body, "token=t&token_type_hint=access_token");
    assert_non_null(http_request_header(r, "Authorization"));
    http_request_free(r);
    r = flow_revoke_request("http://h/revoke", &c, "t", NULL, &e);
    assert_string_equal(r->body, "token=t");
    http_request_free(r);

    r = flow_lab_switch_request("http://h", "k3y", "no-pkce", true, &e);
    assert_string_equal(r->url, "http://h/lab/switch");
    assert_string_equal(r->body, "{\"name\":\"no-pkce\",\"on\":true}");
    assert_string_equal(http_request_header(r, "X-Tokenlab-Lab-Key"), "k3y");
    http_request_free(r);

    r = flow_discovery_request("http://h/", &e);
    assert_string_equal(r->url, "http://h/.well-known/openid-configuration");
    http_request_free(r);

    flow_endpoints ep;
    assert_true(flow_endpoints_default(&ep, "http://h:9/", &e));
    assert_string_equal(ep.issuer, "http://h:9");
    assert_string_equal(ep.token, "http://h:9/token");
    assert_string_equal(ep.device_authorization, "http://h:9/device_authorization");
    flow_endpoints_clear(&ep);

    /* steps post back session and csrf, to the resolved action */
    flow_authz_step s = {.kind = FLOW_AUTHZ_CONSENT,
                         .action = "http://h/authorize/consent",
                         .session = "S 1",
                         .csrf = "C"};
    r = flow_authorize_consent_request(&s, false, &e);
    assert_string_equal(r->url, "http://h/authorize/consent");
    assert_string_equal(r->body, "session=S+1&csrf=C&decision=deny");
    http_request_free(r);
    s.action = NULL;
    assert_null(flow_authorize_consent_request(&s, true, &e));
    assert_true(err_is(&e, "flow.arg"));
}

/* ---- parsers ---- */

static void token_response(void **state)
{
    tl_err e = {0};
    fake f;
    flow_tokens t;
    fake_init(&f, 200, JSONT,
              "{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"expires_in\":900,"
              "\"refresh_token\":\"rt\",\"id_token\":\"it\",\"scope\":\"openid\"}",
              NULL);
    assert_true(flow_parse_token_response(&f.x, &t, &e));
    assert_string_equal(t.access_token, "at");
    assert_string_equal(t.token_type, "Bearer");
    assert_int_equal(t.expires_in, 900);
    assert_string_equal(t.refresh_token, "rt");
    assert_string_equal(t.id_token, "it");
    assert_string_equal(t.scope, "openid");
    flow_tokens_clear(&t);
    fake_clear(&f);

    /* /login answers "token" */
    fake_init(&f, 200, JSONT, "{\"token\":\"jwt\",\"token_type\":\"Bearer\"}", NULL);
    assert_true(flow_parse_token_response(&f.x, &t, &e));
    assert_string_equal(t.access_token, "jwt");
    assert_int_equal(t.expires_in, -1);
    assert_null(t.refresh_token);
    flow_tokens_clear(&t);
    fake_clear(&f);

    /* OAuth error JSON, RFC 6749 §5.2 */
    fake_init(&f, 400, JSONT,
              "{\"error\":\"invalid_grant\",\"error_description\":\"code already used\"}", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "oauth.invalid_grant"));
    assert_string_equal(e.msg, "invalid_grant: code already used");
    assert_null(t.access_token);
    fake_clear(&f);

    fake_init(&f, 400, JSONT, "{\"error\":\"made_up\"}", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "oauth.other"));
    fake_clear(&f);

    /* malformed */
    fake_init(&f, 200, JSONT, "{\"token_type\":\"Bearer\"}", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.missing"));
    assert_non_null(strstr(e.msg, "access_token"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"access_token\":\"a\"}", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.missing"));
    assert_non_null(strstr(e.msg, "token_type"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT,
              "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"3600\"}", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    assert_non_null(strstr(e.msg, "expires_in"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"access_token\":7,\"token_type\":\"Bearer\"}", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    fake_clear(&f);
    fake_init(&f, 200, "text/html", "<html>hi</html>", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.not_json"));
    assert_non_null(strstr(e.msg, "text/html"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"access_token\":", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.not_json"));
    assert_non_null(strstr(e.msg, "not valid JSON"));
    assert_non_null(strstr(e.msg, "line 1"));
    fake_clear(&f);
    fake_init(&f, 500, "text/plain", "boom\nline", NULL);
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.http_status"));
    assert_non_null(strstr(e.msg, "500 Internal Server Error"));
    assert_non_null(strstr(e.msg, "boom line"));
    fake_clear(&f);

    /* a failed transfer passes its message on */
    fake_init(&f, 0, NULL, NULL, NULL);
    f.x.state = HTTP_FAILED;
    err_set(&f.x.err, "http.refused", "connection refused: is the server running at http://x:1?");
    assert_false(flow_parse_token_response(&f.x, &t, &e));
    assert_true(err_is(&e, "flow.transport"));
    assert_non_null(strstr(e.msg, "connection refused"));
}

static void oauth_error_code(void **state)
{
    (void)state;
    assert_string_equal(flow_oauth_error_code("slow_down"), "oauth.slow_down");
    assert_string_equal(flow_oauth_error_code("invalid_client"), "oauth.invalid_client");
    assert_string_equal(flow_oauth_error_code("made_up"), "oauth.other");
}

static void redirect_location(void **state)
{
    tl_err e = {0};
    flow_redirect r;
    assert_true(flow_parse_redirect("http://127.0.0.1:5000/callback?code=a%2Bb&state=xyz"
                                    "&iss=http%3A%2F%2F127.0.0.1%3A8910#frag",
                                    "xyz", "http://127.0.0.1:8910", &r, &e));
    assert_string_equal(r.code, "a+b");
    assert_string_equal(r.state, "xyz");
    assert_string_equal(r.iss, "http://127.0.0.1:8910");
    flow_redirect_clear(&r);

    assert_false(flow_parse_redirect("http://c/cb?code=a&state=other", "xyz", NULL, &r, &e));
    assert_true(err_is(&e, "flow.state_mismatch"));
    assert_non_null(strstr(e.msg, "other"));
    flow_redirect_clear(&r);
    assert_false(flow_parse_redirect("http://c/cb?code=a", "xyz", NULL, &r, &e));
    assert_true(err_is(&e, "flow.state_mismatch"));
    flow_redirect_clear(&r);
    assert_false(flow_parse_redirect("http://c/cb?code=a&iss=http%3A%2F%2Fevil", NULL,
                                     "http://good", &r, &e));
    assert_true(err_is(&e, "flow.iss_mismatch"));
    assert_non_null(strstr(e.msg, "RFC 9207"));
    flow_redirect_clear(&r);
    assert_false(
        flow_parse_redirect("http://c/cb?error=access_denied&error_description=user+said+no"
                            "&state=xyz",
                            "xyz", NULL, &r, &e));
    assert_true(err_is(&e, "oauth.access_denied"));
    assert_string_equal(e.msg, "access_denied: user said no");
    assert_string_equal(r.error_description, "user said no");
    flow_redirect_clear(&r);
    assert_false(flow_parse_redirect("http://c/cb?state=xyz", "xyz", NULL, &r, &e));
    assert_true(err_is(&e, "flow.missing"));
    flow_redirect_clear(&r);
    assert_false(flow_parse_redirect("http://c/cb?code=&state=xyz", "xyz", NULL, &r, &e));
    assert_true(err_is(&e, "flow.missing"));
    flow_redirect_clear(&r);
    assert_false(flow_parse_redirect("http://c/cb?code=a&code=b", NULL, NULL, &r, &e));
    assert_true(err_is(&e, "flow.duplicate"));
    assert_false(flow_parse_redirect("http://c/cb?code=%G1", NULL, NULL, &r, &e));
    assert_true(err_is(&e, "flow.bad_escape"));
    assert_false(flow_parse_redirect("http://c/cb#code=a", NULL, NULL, &r, &e));
    assert_true(err_is(&e, "flow.missing"));
    flow_redirect_clear(&r);
    assert_false(flow_parse_redirect("", NULL, NULL, &r, &e));
    assert_true(err_is(&e, "flow.missing"));
}

static void www_authenticate(void **state)
{
    tl_err e = {0};
    flow_bearer_challenge b;
    assert_true(flow_parse_www_authenticate(
        "Bearer realm=\"tokenlab\", error=\"invalid_token\", "
        "error_description=\"the token \\\"expired\\\" 3m ago\", scope=\"notes:read\"",
        &b, &e));
    assert_string_equal(b.scheme, "Bearer");
    assert_string_equal(b.realm, "tokenlab");
    assert_string_equal(b.error, "invalid_token");
    assert_string_equal(b.error_description, "the token \"expired\" 3m ago");
    assert_string_equal(b.scope, "notes:read");
    flow_bearer_challenge_clear(&b);

    assert_true(flow_parse_www_authenticate("bearer", &b, &e));
    assert_null(b.error);
    flow_bearer_challenge_clear(&b);
    /* a second challenge after ours is not ours */
    assert_true(
        flow_parse_www_authenticate("Bearer error=invalid_token, Basic realm=\"x\"", &b, &e));
    assert_string_equal(b.error, "invalid_token");
    assert_null(b.realm);
    flow_bearer_challenge_clear(&b);

    assert_false(flow_parse_www_authenticate("Basic realm=\"x\"", &b, &e));
    assert_true(err_is(&e, "flow.not_bearer"));
    assert_false(flow_parse_www_authenticate("Bearer error=\"unterminated", &b, &e));
    assert_true(err_is(&e, "flow.www_auth"));
    assert_non_null(strstr(e.msg, "unterminated"));
    assert_false(flow_parse_www_authenticate("Bearer error=a, error=b", &b, &e));
    assert_true(err_is(&e, "flow.www_auth"));
    assert_non_null(strstr(e.msg, "more than once"));
    assert_false(flow_parse_www_authenticate("Bearer error=", &b, &e));
    assert_true(err_is(&e, "flow.www_auth"));
    assert_false(flow_parse_www_authenticate("Bearer error=\"x\" junk", &b, &e));
    assert_true(err_is(&e, "flow.www_auth"));
    /* ':' is not a token character (RFC 9110 §5.6.2): such a value must be quoted */
    assert_false(flow_parse_www_authenticate("Bearer scope=notes:read", &b, &e));
    assert_true(err_is(&e, "flow.www_auth"));
    assert_false(flow_parse_www_authenticate("", &b, &e));
    assert_true(err_is(&e, "flow.www_auth"));
    assert_false(flow_parse_www_authenticate(NULL, &b, &e));

    /* a 401 with only the challenge becomes the OAuth error (RFC 6750 §3.1) */
    fake f;
    fake_init(&f, 401, NULL, NULL, "WWW-Authenticate",
              "Bearer error=\"insufficient_scope\", error_description=\"needs notes:read\"", NULL);
    json_t *j = flow_parse_json_object(&f.x, &e);
    assert_null(j);
    assert_true(err_is(&e, "oauth.insufficient_scope"));
    assert_string_equal(e.msg, "insufficient_scope: needs notes:read");
}

static void device_flow(void **state)
{
    tl_err e = {0};
    fake f;
    flow_device_auth d;
    fake_init(&f, 200, JSONT,
              "{\"device_code\":\"dc\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"http://h/"
              "device\",\"expires_in\":600}",
              NULL);
    assert_true(flow_parse_device_auth(&f.x, &d, &e));
    assert_string_equal(d.user_code, "WDJB-MJHT");
    assert_int_equal(d.interval, 5); /* RFC 8628 §3.2 default */
    assert_int_equal(d.expires_in, 600);
    assert_null(d.verification_uri_complete);
    flow_device_auth_clear(&d);
    fake_clear(&f);
    fake_init(&f, 200, JSONT,
              "{\"device_code\":\"dc\",\"user_code\":\"U\",\"verification_uri\":\"v\"}", NULL);
    assert_false(flow_parse_device_auth(&f.x, &d, &e));
    assert_true(err_is(&e, "flow.missing"));
    assert_non_null(strstr(e.msg, "expires_in"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT,
              "{\"device_code\":\"dc\",\"user_code\":\"U\",\"verification_uri\":\"v\","
              "\"expires_in\":600,\"interval\":0}",
              NULL);
    assert_false(flow_parse_device_auth(&f.x, &d, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    fake_clear(&f);

    /* polling, RFC 8628 §3.5 */
    flow_device_poll p = {.interval = 5};
    flow_tokens t;
    fake_init(&f, 400, JSONT, "{\"error\":\"authorization_pending\"}", NULL);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_PENDING);
    assert_int_equal(p.interval, 5);
    fake_clear(&f);
    fake_init(&f, 400, JSONT, "{\"error\":\"slow_down\"}", NULL);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_SLOW);
    assert_int_equal(p.interval, 10);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_SLOW);
    assert_int_equal(p.interval, 15);
    fake_clear(&f);
    fake_init(&f, 400, JSONT, "{\"error\":\"expired_token\"}", NULL);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_EXPIRED);
    assert_true(err_is(&e, "oauth.expired_token"));
    fake_clear(&f);
    fake_init(&f, 400, JSONT, "{\"error\":\"access_denied\"}", NULL);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_DENIED);
    fake_clear(&f);
    fake_init(&f, 400, JSONT, "{\"error\":\"invalid_client\"}", NULL);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_ERROR);
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"access_token\":\"a\",\"token_type\":\"Bearer\"}", NULL);
    assert_int_equal(flow_device_poll_update(&p, &f.x, &t, &e), FLOW_POLL_DONE);
    assert_string_equal(t.access_token, "a");
    flow_tokens_clear(&t);
    fake_clear(&f);
}

static void authorize_steps(void **state)
{
    tl_err e = {0};
    fake f;
    flow_authz_step s;
    fake_init(&f, 200, JSONT,
              "{\"step\":\"consent\",\"action\":\"/authorize/consent\",\"session\":\"SID\","
              "\"csrf\":\"CS\",\"user\":{\"sub\":\"alice\",\"email\":\"alice@example.com\","
              "\"name\":\"Alice Liddell\"},\"client\":{\"client_id\":\"tokenlab-cli\",\"name\":"
              "\"tokenlab CLI\"},\"scopes\":[{\"name\":\"openid\",\"description\":\"who you are\"},"
              "{\"name\":\"notes:read\"}]}",
              NULL);
    f.x.url = "http://127.0.0.1:8910/authorize/login";
    assert_true(flow_parse_authorize_step(&f.x, &s, &e));
    assert_int_equal(s.kind, FLOW_AUTHZ_CONSENT);
    assert_string_equal(s.action, "http://127.0.0.1:8910/authorize/consent");
    assert_string_equal(s.session, "SID");
    assert_string_equal(s.csrf, "CS");
    assert_string_equal(s.user_name, "Alice Liddell");
    assert_string_equal(s.client_name, "tokenlab CLI");
    assert_int_equal(s.nscopes, 2);
    assert_string_equal(s.scopes[0].description, "who you are");
    assert_null(s.scopes[1].description);
    flow_authz_step_clear(&s);
    fake_clear(&f);

    /* a failed login stays a login step, with the error */
    fake_init(&f, 401, JSONT,
              "{\"error\":\"access_denied\",\"error_description\":\"wrong email or password\","
              "\"step\":\"login\",\"action\":\"/authorize/login\",\"session\":\"SID\"}",
              NULL);
    assert_true(flow_parse_authorize_step(&f.x, &s, &e));
    assert_int_equal(s.kind, FLOW_AUTHZ_LOGIN);
    assert_int_equal(s.status, 401);
    assert_string_equal(s.error_description, "wrong email or password");
    flow_authz_step_clear(&s);
    fake_clear(&f);

    fake_init(&f, 200, JSONT, "{\"step\":\"redirect\",\"location\":\"http://127.0.0.1/cb?code=c\"}",
              NULL);
    assert_true(flow_parse_authorize_step(&f.x, &s, &e));
    assert_int_equal(s.kind, FLOW_AUTHZ_REDIRECT);
    assert_string_equal(s.location, "http://127.0.0.1/cb?code=c");
    flow_authz_step_clear(&s);
    fake_clear(&f);

    fake_init(&f, 303, NULL, NULL, "Location", "http://127.0.0.1/cb?code=d", NULL);
    assert_true(flow_parse_authorize_step(&f.x, &s, &e));
    assert_int_equal(s.kind, FLOW_AUTHZ_REDIRECT);
    assert_string_equal(s.location, "http://127.0.0.1/cb?code=d");
    flow_authz_step_clear(&s);

    fake_init(
        &f, 400, JSONT,
        "{\"error\":\"invalid_request\",\"error_description\":\"redirect_uri does not exactly "
        "match a registered URI (RFC 6749 §3.1.2.2)\"}",
        NULL);
    assert_true(flow_parse_authorize_step(&f.x, &s, &e));
    assert_int_equal(s.kind, FLOW_AUTHZ_ERROR);
    assert_non_null(strstr(s.error_description, "§3.1.2.2"));
    flow_authz_step_clear(&s);
    fake_clear(&f);

    /* malformed */
    fake_init(&f, 200, JSONT, "{\"step\":\"dance\"}", NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"step\":\"login\"}", NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.missing"));
    assert_non_null(strstr(e.msg, "action"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"step\":\"redirect\"}", NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.missing"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"step\":\"consent\",\"action\":\"/c\",\"scopes\":\"openid\"}",
              NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"step\":\"consent\",\"action\":\"/c\",\"scopes\":[3]}", NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    fake_clear(&f);
    fake_init(&f, 200, "text/html", "<form>", NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.not_json"));
    assert_non_null(strstr(e.msg, "Accept: application/json"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"hello\":1}", NULL);
    assert_false(flow_parse_authorize_step(&f.x, &s, &e));
    assert_true(err_is(&e, "flow.missing"));
    fake_clear(&f);
}

static void introspection_discovery_revoke(void **state)
{
    tl_err e = {0};
    fake f;
    flow_introspection in;
    fake_init(&f, 200, JSONT,
              "{\"active\":true,\"scope\":\"openid\",\"client_id\":\"c\",\"sub\":\"alice\","
              "\"exp\":1700000000}",
              NULL);
    assert_true(flow_parse_introspection(&f.x, &in, &e));
    assert_true(in.active);
    assert_string_equal(in.sub, "alice");
    assert_int_equal(in.exp, 1700000000);
    flow_introspection_clear(&in);
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"active\":false}", NULL);
    assert_true(flow_parse_introspection(&f.x, &in, &e));
    assert_false(in.active);
    flow_introspection_clear(&in);
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"active\":\"true\"}", NULL);
    assert_false(flow_parse_introspection(&f.x, &in, &e));
    assert_true(err_is(&e, "flow.bad_member"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"scope\":\"x\"}", NULL);
    assert_false(flow_parse_introspection(&f.x, &in, &e));
    assert_true(err_is(&e, "flow.missing"));
    assert_non_null(strstr(e.msg, "RFC 7662"));
    fake_clear(&f);

    flow_endpoints ep;
    fake_init(&f, 200, JSONT,
              "{\"issuer\":\"http://h\",\"authorization_endpoint\":\"http://h/authorize\","
              "\"token_endpoint\":\"http://h/token\",\"jwks_uri\":\"http://h/jwks\","
              "\"device_authorization_endpoint\":\"http://h/device_authorization\"}",
              NULL);
    assert_true(flow_parse_discovery(&f.x, "http://h/", &ep, &e));
    assert_string_equal(ep.base, "http://h");
    assert_string_equal(ep.jwks, "http://h/jwks");
    assert_string_equal(ep.device_authorization, "http://h/device_authorization");
    assert_null(ep.userinfo);
    flow_endpoints_clear(&ep);
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"issuer\":\"http://h\",\"authorization_endpoint\":\"a\"}", NULL);
    assert_false(flow_parse_discovery(&f.x, NULL, &ep, &e));
    assert_true(err_is(&e, "flow.missing"));
    assert_non_null(strstr(e.msg, "token_endpoint"));
    fake_clear(&f);

    fake_init(&f, 200, NULL, NULL, NULL);
    assert_true(flow_parse_revoke(&f.x, &e));
    fake_init(&f, 401, JSONT, "{\"error\":\"invalid_client\"}", NULL);
    assert_false(flow_parse_revoke(&f.x, &e));
    assert_true(err_is(&e, "oauth.invalid_client"));
    fake_clear(&f);
    fake_init(&f, 503, NULL, NULL, NULL);
    assert_false(flow_parse_revoke(&f.x, &e));
    assert_true(err_is(&e, "flow.http_status"));

    fake_init(&f, 200, JSONT, "[1,2]", NULL);
    assert_null(flow_parse_json_object(&f.x, &e));
    assert_true(err_is(&e, "flow.not_json"));
    fake_clear(&f);
    fake_init(&f, 200, JSONT, "{\"sub\":\"alice\"}", NULL);
    json_t *j = flow_parse_json_object(&f.x, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "sub")), "alice");
    json_decref(j);
    fake_clear(&f);
}

/* Nothing may crash on any input: a fixed-seed stream of hostile strings through every string
 * parser, with invariants that must hold whatever the verdict. */
static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void random_inputs_never_crash(void **state)
{
    static const char alphabet[] = "=&?#%+ :,\"\\abcAZ09-._~\r\n\x80\xff";
    static const char *const words[] = {
        "code", "state", "error",         "password",       "Bearer ",         "Basic ", "realm",
        "%2",   "%00",   "\"password\":", "refresh_token=", "Authorization: ", "iss",    "=\""};
    char buf[160];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 0, len = next() % 120;
        while (n < len) {
            if (next() % 4 == 0) {
                const char *w = words[next() % (sizeof words / sizeof *words)];
                size_t wl = strlen(w);
                if (n + wl >= sizeof buf - 1) break;
                memcpy(buf + n, w, wl);
                n += wl;
            } else {
                buf[n++] = alphabet[next() % (sizeof alphabet - 1)];
            }
        }
        buf[n] = '\0';
        tl_err e = {0};

        flow_redirect r;
        if (!flow_parse_redirect(buf, next() % 2 ? "s" : NULL, next() % 2 ? "i" : NULL, &r, &e))
            assert_non_null(e.code);
        else
            assert_non_null(r.code);
        flow_redirect_clear(&r);

        flow_bearer_challenge b;
        err_clear(&e);
        if (flow_parse_www_authenticate(buf, &b, &e)) {
            assert_non_null(b.scheme);
            flow_bearer_challenge_clear(&b);
        } else {
            assert_non_null(e.code);
        }

        char *m = http_mask_secrets(buf);
        char *mm = http_mask_secrets(m);
        assert_string_equal(m, mm); /* masking is idempotent */
        free(m);
        free(mm);

        /* percent-encoding round-trips every string */
        char *enc = flow_pct_encode(buf), *dec = NULL;
        assert_int_equal(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-._~%"),
                         strlen(enc));
        assert_true(flow_pct_decode(enc, strlen(enc), false, &dec, &e));
        assert_string_equal(dec, buf);
        free(enc);
        free(dec);
        enc = flow_form_encode(buf);
        assert_true(flow_pct_decode(enc, strlen(enc), true, &dec, &e));
        assert_string_equal(dec, buf);
        free(enc);
        free(dec);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pct_encoding_keeps_unreserved_only),
        cmocka_unit_test(basic_auth_form_encodes_before_base64),
        cmocka_unit_test(authorize_url_is_encoded_and_complete),
        cmocka_unit_test(token_requests_carry_the_right_form),
        cmocka_unit_test(other_builders),
        cmocka_unit_test(token_response),
        cmocka_unit_test(oauth_error_code),
        cmocka_unit_test(redirect_location),
        cmocka_unit_test(www_authenticate),
        cmocka_unit_test(device_flow),
        cmocka_unit_test(authorize_steps),
        cmocka_unit_test(introspection_discovery_revoke),
        cmocka_unit_test(random_inputs_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
