/* SPDX-License-Identifier: MIT */
/* One test per documented rule that a one-line change used to slip past (issue 13's table), each
 * asserting the exact refusal (status, `error`, the sentence) of docs/server.md and docs/class.md.
 * Time is moved with the server's lab clock, never slept. tests/mutation/mutations.txt holds the
 * one-line changes these tests must kill (`make test-mutation`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/assets.h"
#include "server/class.h"
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

/* Asserts a JSON refusal exactly, naming the rule on failure. */
static void expect_refusal(const char *rule, const resp *r, long status, const char *error,
                           const char *description)
{
    const char *e = jstr(r, "error"), *d = jstr(r, "error_description");
    if (r->status != status || !e || strcmp(e, error) != 0 || !d || strcmp(d, description) != 0)
        fprintf(stderr, "rule broken: %s\n  want %ld %s \"%s\"\n  got  %ld %s\n", rule, status,
                error, description, r->status, r->body);
    assert_int_equal(r->status, status);
    assert_string_equal(e ? e : "(none)", error);
    assert_string_equal(d ? d : "(none)", description);
}

static void expect_status(const char *rule, const resp *r, long status)
{
    if (r->status != status)
        fprintf(stderr, "rule broken: %s\n  want %ld, got %ld %s\n", rule, status, r->status,
                r->body);
    assert_int_equal(r->status, status);
}

/* assets/config.json with `edit` applied, written to a temp file (caller unlinks and frees). */
static char *config_edited(void (*edit)(json_t *cfg))
{
    char *text = NULL;
    size_t len = 0;
    assert_true(assets_read("config.json", &text, &len, NULL));
    json_t *j = json_loadb(text, len, 0, NULL);
    free(text);
    assert_non_null(j);
    edit(j);
    char path[] = "/tmp/tokenlab-rules-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    return strdup(path);
}

static server *start_with_config(const char *path)
{
    server_options o = {.listen = "127.0.0.1:0", .config_path = path, .lab_key = "k"};
    server *s = NULL;
    tl_err e = {0};
    if (!server_start(&o, &s, &e)) fprintf(stderr, "server_start: %s\n", e.msg);
    assert_non_null(s);
    return s;
}

#define CLI_REDIRECT "http%3A%2F%2F127.0.0.1%3A7777%2Fcallback"

/* ---------------------------------------------------------------- /token: the code's redirect_uri
 */

static void test_code_exchange_requires_redirect_uri(void **st)
{
    (void)st;
    const char *rule = "a code exchange repeats the authorization request's redirect_uri (RFC 6749 "
                       "§4.1.3)";
    char *code = cli_code(S, "openid", NULL);
    assert_non_null(code);
    char *b = fmt("grant_type=authorization_code&code=%s&client_id=tokenlab-cli"
                  "&code_verifier=" VERIFIER,
                  code);
    resp r = token_req(S, NULL, b);
    expect_refusal(rule, &r, 400, "invalid_grant",
                   "redirect_uri is missing; it must repeat the one in the authorization request "
                   "(RFC 6749 §4.1.3)");
    resp_free(&r);
    free(b);
    free(code);
    /* the same exchange with it works (control) */
    code = cli_code(S, "openid", NULL);
    r = cli_exchange(S, code);
    expect_status(rule, &r, 200);
    resp_free(&r);
    free(code);
}

/* ---------------------------------------------------------------- /authorize: loopback ports */

static void add_web_loopback_client(json_t *cfg)
{
    json_t *c =
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:[s], s:[s], s:[s]}", "client_id", "web-loopback",
                  "name", "Web app on loopback", "type", "confidential", "secret",
                  "web-loopback-secret", "native", 0, "redirect_uris", "http://127.0.0.1/callback",
                  "grant_types", "authorization_code", "scopes", "openid");
    json_array_append_new(json_object_get(cfg, "clients"), c);
}

static resp authorize_get(server *s, const char *client, const char *redirect_uri)
{
    const char *json[] = {"Accept: application/json", NULL};
    char *ru = curl_easy_escape(NULL, redirect_uri, 0);
    char *u = fmt("%s/authorize?response_type=code&client_id=%s&redirect_uri=%s&scope=openid"
                  "&code_challenge=" CHALLENGE "&code_challenge_method=S256&state=x",
                  server_base_url(s), client, ru);
    curl_free(ru);
    resp r = http_get(u, json);
    free(u);
    return r;
}

static void test_loopback_port_varies_only_for_native(void **st)
{
    (void)st;
    const char *rule = "only a native client's loopback redirect_uri may vary its port (RFC 8252 "
                       "§7.3); anyone else's must match exactly (RFC 6749 §3.1.2.2)";
    char *cfg = config_edited(add_web_loopback_client);
    server *s = start_with_config(cfg);
    resp r = authorize_get(s, "web-loopback", "http://127.0.0.1:5555/callback");
    expect_refusal(rule, &r, 400, "invalid_request",
                   "redirect_uri does not exactly match a registered URI (RFC 6749 §3.1.2.2)");
    assert_null(jstr(&r, "location")); /* never a redirect */
    resp_free(&r);
    r = authorize_get(s, "web-loopback", "http://127.0.0.1/callback"); /* exact: fine */
    expect_status(rule, &r, 200);
    assert_string_equal(jstr(&r, "step"), "login");
    resp_free(&r);
    r = authorize_get(s, "tokenlab-cli", "http://127.0.0.1:5555/callback"); /* native: fine */
    expect_status(rule, &r, 200);
    resp_free(&r);
    server_stop(s);
    unlink(cfg);
    free(cfg);
}

/* ---------------------------------------------------------------- codes live at most 60 s */

static void set_code_lifetime_600(json_t *cfg)
{
    json_object_set_new(json_object_get(cfg, "lifetimes"), "code", json_integer(600));
}

static void test_code_lifetime_clamped_to_60s(void **st)
{
    (void)st;
    const char *rule = "authorization codes live at most 60 s, whatever the config says";
    char *cfg = config_edited(set_code_lifetime_600);
    server *s = start_with_config(cfg);
    char *code = cli_code(s, "openid", NULL);
    assert_non_null(code);
    server_clock_advance(s, 61);
    resp r = cli_exchange(s, code);
    /* the server's clock moved 61 s (plus the real time of the request: under a second) */
    expect_status(rule, &r, 400);
    assert_string_equal(jstr(&r, "error"), "invalid_grant");
    const char *d = jstr(&r, "error_description");
    if (!d || (strcmp(d, "authorization code expired 1 s ago; codes live 60 s (RFC 6749 §4.1.2)") &&
               strcmp(d, "authorization code expired 2 s ago; codes live 60 s (RFC 6749 §4.1.2)")))
        fprintf(stderr, "rule broken: %s\n  got %s\n", rule, r.body);
    assert_non_null(d);
    assert_non_null(strstr(d, "; codes live 60 s (RFC 6749 §4.1.2)"));
    assert_true(strncmp(d, "authorization code expired ", 27) == 0);
    resp_free(&r);
    free(code);
    server_stop(s);
    unlink(cfg);
    free(cfg);
}

/* ---------------------------------------------------------------- no account enumeration */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long login_json(server *s, const char *email)
{
    char *u = url_of(s, "/login");
    char *b = fmt("{\"email\":\"%s\",\"password\":\"not-the-password\"}", email);
    const char *h[] = {"Content-Type: application/json", NULL};
    resp r = http_post(u, h, b);
    long st = r.status;
    if (st == 401) {
        assert_string_equal(jstr(&r, "error"), "invalid_credentials");
        assert_string_equal(jstr(&r, "error_description"), "wrong email or password");
    }
    resp_free(&r);
    free(b);
    free(u);
    return st;
}

static long login_authorize(server *s, const char *email)
{
    const char *json[] = {"Accept: application/json", NULL};
    resp a = authorize_get(s, "tokenlab-cli", "http://127.0.0.1:7777/callback");
    assert_int_equal(a.status, 200);
    char *u = url_of(s, "/authorize/login");
    char *b = fmt("session=%s&session_secret=%s&email=%s&password=not-the-password",
                  jstr(&a, "session"), jstr(&a, "session_secret"), email);
    resp l = http_post(u, json, b);
    long st = l.status;
    if (st == 401) {
        assert_string_equal(jstr(&l, "error"), "access_denied");
        assert_string_equal(jstr(&l, "error_description"), "wrong email or password");
    }
    resp_free(&l);
    resp_free(&a);
    free(b);
    free(u);
    return st;
}

static long login_password_grant(server *s, const char *email)
{
    char *b = fmt("grant_type=password&username=%s&password=not-the-password&client_id=demo-web"
                  "&client_secret=demo-web-secret",
                  email);
    resp r = token_req(s, NULL, b);
    long st = r.status;
    if (st == 400) {
        assert_string_equal(jstr(&r, "error"), "invalid_grant");
        assert_string_equal(jstr(&r, "error_description"), "wrong username or password");
    }
    resp_free(&r);
    free(b);
    return st;
}

/* An unknown email costs the same password hash as a known one with a wrong password, so the
 * answer's timing does not tell which accounts exist. The server runs in this process, so its
 * CPU time is measured exactly (process CPU clock), whatever else the machine is doing. */
static void check_same_cost(const char *rule, long (*try)(server *, const char *), long refused)
{
    double known = 0, unknown = 0;
    for (int i = 0; i < 3; i++) { /* interleaved */
        double t0 = cpu_now();
        assert_int_equal(try(S, "alice@example.com"), refused);
        double t1 = cpu_now();
        assert_int_equal(try(S, "nobody@example.com"), refused);
        double t2 = cpu_now();
        known += t1 - t0;
        unknown += t2 - t1;
    }
    fprintf(stderr, "%s: CPU for 3 wrong passwords %.1f ms, for 3 unknown emails %.1f ms\n", rule,
            known * 1e3, unknown * 1e3);
    if (unknown < known / 2)
        fprintf(stderr, "rule broken: %s: an unknown email is answered without hashing\n", rule);
    assert_true(unknown >= known / 2);
}

static void test_unknown_email_costs_a_hash(void **st)
{
    (void)st;
    check_same_cost("POST /login hashes for an unknown email (no account enumeration by timing)",
                    login_json, 401);
    check_same_cost("POST /authorize/login hashes for an unknown email (no account enumeration by "
                    "timing)",
                    login_authorize, 401);
    server_set_lab(S, "password-grant", true, NULL);
    check_same_cost("grant_type=password hashes for an unknown username (no account enumeration "
                    "by timing)",
                    login_password_grant, 400);
}

/* ---------------------------------------------------------------- /userinfo wants at+jwt */

/* An HS256 token signed with the server's login secret (the API accepts that key), with every
 * claim /userinfo wants, and `typ` as given. */
static char *hs256_token(server *s, const char *typ, const char *scope)
{
    size_t sl = 0;
    const char *sec = server_login_secret(s, &sl);
    jwk *key = jwk_from_secret((const uint8_t *)sec, sl);
    int64_t now = server_now(s);
    char *aud = fmt("%s/api", server_issuer(s));
    json_t *c =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", server_issuer(s), "sub", "alice", "aud",
                  aud, "scope", scope, "iat", (json_int_t)now, "exp", (json_int_t)(now + 300));
    char *payload = json_dumps(c, JSON_COMPACT);
    json_t *hdr = json_pack("{s:s}", "typ", typ);
    char *token = NULL;
    tl_err e = {0};
    assert_true(jws_sign(hdr, (const uint8_t *)payload, strlen(payload), JWS_HS256, key, false,
                         &token, &e));
    json_decref(hdr);
    json_decref(c);
    free(aud);
    free(payload);
    jwk_free(key);
    return token;
}

static void test_userinfo_requires_at_jwt(void **st)
{
    (void)st;
    const char *rule = "/userinfo takes access tokens only: typ at+jwt (RFC 9068 §2.1)";
    char *jwt = hs256_token(S, "JWT", "openid profile");
    resp r = api_get(S, "/userinfo", jwt);
    expect_refusal(rule, &r, 401, "invalid_token",
                   "the header's typ is \"JWT\", expected \"at+jwt\"");
    assert_non_null(strstr(header_value(&r, "WWW-Authenticate"), "error=\"invalid_token\""));
    resp_free(&r);
    char *at = hs256_token(S, "at+jwt", "openid profile"); /* the same claims as at+jwt: fine */
    r = api_get(S, "/userinfo", at);
    expect_status(rule, &r, 200);
    assert_string_equal(jstr(&r, "sub"), "alice");
    resp_free(&r);
    free(jwt);
    free(at);
}

/* ---------------------------------------------------------------- refresh tokens live 86400 s */

static char *cli_refresh_token(server *s)
{
    char *code = cli_code(s, "openid offline_access", NULL);
    assert_non_null(code);
    resp r = cli_exchange(s, code);
    assert_int_equal(r.status, 200);
    assert_non_null(jstr(&r, "refresh_token"));
    char *rt = strdup(jstr(&r, "refresh_token"));
    resp_free(&r);
    free(code);
    return rt;
}

static resp cli_refresh(server *s, const char *rt)
{
    char *b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=tokenlab-cli", rt);
    resp r = token_req(s, NULL, b);
    free(b);
    return r;
}

static void test_refresh_token_lifetime(void **st)
{
    (void)st;
    const char *rule = "refresh tokens live lifetimes.refresh_token (86400 s)";
    char *a = cli_refresh_token(S), *b = cli_refresh_token(S);
    server_clock_advance(S, 86400 - 10);
    resp r = cli_refresh(S, a); /* still alive */
    expect_status(rule, &r, 200);
    resp_free(&r);
    server_clock_advance(S, 11); /* 86401 s after issue */
    r = cli_refresh(S, b);
    expect_refusal(rule, &r, 400, "invalid_grant", "refresh token expired");
    resp_free(&r);
    free(a);
    free(b);
}

/* ---------------------------------------------------------------- API clock-skew leeway 5 s */

static void test_api_leeway_5s(void **st)
{
    (void)st;
    const char *rule = "the API allows 5 s of clock skew past exp, no more";
    resp t = token_req(S, NULL,
                       "grant_type=client_credentials&client_id=demo-service"
                       "&client_secret=demo-service-secret");
    assert_int_equal(t.status, 200);
    const char *at = jstr(&t, "access_token");
    assert_int_equal(json_integer_value(json_object_get(t.json, "expires_in")), 900);
    server_clock_advance(S, 900 + 3); /* 3–4 s past exp: within the leeway */
    resp r = api_get(S, "/api/profile", at);
    expect_status(rule, &r, 200);
    resp_free(&r);
    server_clock_advance(S, 4); /* 7–8 s past exp */
    r = api_get(S, "/api/profile", at);
    expect_status(rule, &r, 401);
    assert_string_equal(jstr(&r, "error"), "invalid_token");
    const char *d = jstr(&r, "error_description");
    if (!d || !strstr(d, " (even allowing 5s of clock skew)"))
        fprintf(stderr, "rule broken: %s\n  got %s\n", rule, r.body);
    assert_true(strncmp(d, "expired ", 8) == 0);
    assert_non_null(strstr(d, " (even allowing 5s of clock skew)"));
    resp_free(&r);
    resp_free(&t);
}

/* ---------------------------------------------------------------- sessions, device codes */

static resp login_step(server *s, const resp *a)
{
    const char *json[] = {"Accept: application/json", NULL};
    char *u = url_of(s, "/authorize/login");
    char *b = fmt("session=%s&session_secret=%s&email=alice@example.com&password=wonderland",
                  jstr(a, "session"), jstr(a, "session_secret"));
    resp l = http_post(u, json, b);
    free(b);
    free(u);
    return l;
}

static void test_authorization_session_lifetime(void **st)
{
    (void)st;
    const char *rule = "an authorization session lives lifetimes.session (600 s)";
    resp a = authorize_get(S, "tokenlab-cli", "http://127.0.0.1:7777/callback");
    resp b = authorize_get(S, "tokenlab-cli", "http://127.0.0.1:7777/callback");
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    server_clock_advance(S, 600 - 10);
    resp l = login_step(S, &a); /* still alive */
    expect_status(rule, &l, 200);
    assert_string_equal(jstr(&l, "step"), "consent");
    resp_free(&l);
    server_clock_advance(S, 11); /* 601 s after it began */
    l = login_step(S, &b);
    expect_refusal(rule, &l, 404, "invalid_request",
                   "unknown or expired authorization session; start again at /authorize");
    resp_free(&l);
    resp_free(&a);
    resp_free(&b);
}

static void test_device_code_lifetime(void **st)
{
    (void)st;
    const char *rule = "a device code lives lifetimes.device_code (600 s), then expired_token";
    char *u = url_of(S, "/device_authorization");
    resp d = http_post(u, NULL, "client_id=tokenlab-cli&scope=openid");
    free(u);
    assert_int_equal(d.status, 200);
    assert_int_equal(json_integer_value(json_object_get(d.json, "expires_in")), 600);
    char *b = fmt("grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code"
                  "&device_code=%s&client_id=tokenlab-cli",
                  jstr(&d, "device_code"));
    resp r = token_req(S, NULL, b); /* control: still pending */
    expect_refusal(rule, &r, 400, "authorization_pending", jstr(&r, "error_description"));
    resp_free(&r);
    server_clock_advance(S, 601);
    r = token_req(S, NULL, b);
    expect_refusal(rule, &r, 400, "expired_token",
                   "the device_code expired; start again (RFC 8628 §3.5)");
    resp_free(&r);
    free(b);
    resp_free(&d);
}

/* ---------------------------------------------------------------- introspection */

static void test_introspect_needs_confidential_client(void **st)
{
    (void)st;
    const char *rule = "/introspect needs a confidential client's authentication (RFC 7662 §2.1)";
    char *u = url_of(S, "/introspect");
    resp r = http_post(u, NULL, "token=anything&client_id=tokenlab-cli");
    expect_status(rule, &r, 401);
    assert_string_equal(jstr(&r, "error"), "invalid_client");
    resp_free(&r);
    r = http_post(u, NULL, "token=anything&client_id=demo-web&client_secret=demo-web-secret");
    expect_status(rule, &r, 200); /* control */
    assert_true(json_is_false(json_object_get(r.json, "active")));
    resp_free(&r);
    free(u);
}

/* ---------------------------------------------------------------- class defaults */

static server *start_class(int rate, size_t max)
{
    server_options o = {
        .listen = "127.0.0.1:0", .class_mode = true, .class_rate = rate, .class_max = max};
    server *s = NULL;
    tl_err e = {0};
    if (!server_start(&o, &s, &e)) fprintf(stderr, "server_start: %s\n", e.msg);
    assert_non_null(s);
    return s;
}

static resp class_post(server *s, const char *path, const char *bearer, const char *json)
{
    char *u = url_of(s, path);
    char *auth = bearer ? fmt("Authorization: Bearer %s", bearer) : NULL;
    const char *h[] = {"Content-Type: application/json", auth, NULL};
    resp r = http_post(u, h, json);
    free(auth);
    free(u);
    return r;
}

static void test_class_defaults(void **st)
{
    (void)st;
    server *s = start_class(0, 0); /* the defaults of `tokenlab serve --class` */
    /* at most 5,000 students by default */
    char *u = url_of(s, "/class/state");
    char *auth = fmt("Authorization: Bearer %s", class_instructor_key(s));
    const char *h[] = {auth, NULL};
    resp r = http_get(u, h);
    expect_status("a class holds 5,000 students by default", &r, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "max_students")), 5000);
    resp_free(&r);
    free(auth);
    free(u);
    /* the rate limit is on by default: burst 100, a wrong join code costs 10 */
    const char *rule = "the class rate limit is on by default (burst 100, a wrong join code costs "
                       "10)";
    int wrong = 0;
    long last = 0;
    for (int i = 0; i < 20 && last != 429; i++) {
        r = class_post(s, "/class/join", NULL, "{\"code\":\"AAAAAA\",\"name\":\"Guess\"}");
        last = r.status;
        if (last == 403) wrong++;
        if (last == 429) {
            expect_refusal(rule, &r, 429, "slow_down", jstr(&r, "error_description"));
            assert_true(strncmp(jstr(&r, "error_description"),
                                "too many class requests from your address; retry in ", 52) == 0);
            assert_non_null(header_value(&r, "Retry-After"));
        }
        resp_free(&r);
    }
    if (last != 429) fprintf(stderr, "rule broken: %s: %d wrong codes, never 429\n", rule, wrong);
    assert_int_equal(last, 429);
    /* 10 wrong codes empty the burst of 100, and at 20 per second the 11th or 12th is refused
     * unless the guesses took more than a second */
    assert_true(wrong >= 10);
    server_stop(s);
}

static void test_class_completed_cap(void **st)
{
    (void)st;
    const char *rule = "at most 100 completed lessons per student";
    server *s = start_class(-1, 0);
    char *code = fmt("{\"code\":\"%s\",\"name\":\"Finisher\"}", class_join_code(s));
    resp a = class_post(s, "/class/join", NULL, code);
    free(code);
    assert_int_equal(a.status, 201);
    const char *tok = jstr(&a, "student_token");
    for (int i = 0; i < 100; i++) {
        char body[96];
        snprintf(body, sizeof body, "{\"lesson\":\"lesson-%d\",\"completed\":true}", i);
        resp r = class_post(s, "/class/report", tok, body);
        expect_status(rule, &r, 204);
        resp_free(&r);
    }
    resp r = class_post(s, "/class/report", tok, "{\"lesson\":\"lesson-100\",\"completed\":true}");
    expect_refusal(rule, &r, 400, "invalid_request",
                   "too many completed lessons for one student (100)");
    resp_free(&r);
    /* completing one already completed is not a new one */
    r = class_post(s, "/class/report", tok, "{\"lesson\":\"lesson-7\",\"completed\":true}");
    expect_status(rule, &r, 204);
    resp_free(&r);
    resp_free(&a);
    server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_code_exchange_requires_redirect_uri, reset),
        cmocka_unit_test_setup(test_loopback_port_varies_only_for_native, reset),
        cmocka_unit_test_setup(test_code_lifetime_clamped_to_60s, reset),
        cmocka_unit_test_setup(test_unknown_email_costs_a_hash, reset),
        cmocka_unit_test_setup(test_userinfo_requires_at_jwt, reset),
        cmocka_unit_test_setup(test_refresh_token_lifetime, reset),
        cmocka_unit_test_setup(test_api_leeway_5s, reset),
        cmocka_unit_test_setup(test_authorization_session_lifetime, reset),
        cmocka_unit_test_setup(test_device_code_lifetime, reset),
        cmocka_unit_test_setup(test_introspect_needs_confidential_client, reset),
        cmocka_unit_test_setup(test_class_defaults, reset),
        cmocka_unit_test_setup(test_class_completed_cap, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
