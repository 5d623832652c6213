/* Issue 12 against the real server over loopback, as several machines (127.0.0.2, .3, .4): an
 * authorization session belongs to the party that started it (cookie or session_secret), and the
 * unbound-session lab switch shows the attack that this stops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_server_util.h"

static server *S;
static const char *JSON[] = {"Accept: application/json", NULL};

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
    tsu_from = NULL;
    return 0;
}

/* GET /authorize as JSON for tokenlab-cli with the RFC 7636 challenge. */
static resp start_json(void)
{
    char *u = fmt("%s/authorize?response_type=code&client_id=tokenlab-cli&redirect_uri=http%%3A%%2F"
                  "%%2F127.0.0.1%%2Fcallback&scope=openid%%20notes%%3Aread&state=s1"
                  "&code_challenge=" CHALLENGE "&code_challenge_method=S256",
                  server_base_url(S));
    resp a = http_get(u, JSON);
    free(u);
    return a;
}

static resp post(const char *path, const char *const *hdrs, const char *body)
{
    char *u = url_of(S, path);
    resp r = http_post(u, hdrs, body);
    free(u);
    return r;
}

static void assert_not_yours(const resp *r, const char *why)
{
    assert_int_equal(r->status, 403);
    assert_string_equal(jstr(r, "error"), "access_denied");
    assert_non_null(strstr(jstr(r, "error_description"), "started by someone else"));
    assert_non_null(strstr(jstr(r, "error_description"), why));
    assert_null(strstr(r->body, "csrf\""));
    assert_null(json_object_get(r->json, "session_secret"));
}

/* The attack of issue 12: Mallory (127.0.0.2) starts a JSON flow with his own PKCE pair and sends
 * Alice (127.0.0.3) the session; she holds no cookie and no secret, so she cannot sign in to it,
 * and nobody without the secret sees its csrf or consents. */
static void test_session_refused_to_others(void **st)
{
    (void)st;
    tsu_from = "127.0.0.2";
    resp a = start_json();
    assert_int_equal(a.status, 200);
    const char *sid = jstr(&a, "session"), *secret = jstr(&a, "session_secret");
    assert_non_null(sid);
    assert_non_null(secret);
    assert_true(strlen(secret) >= 32);

    tsu_from = "127.0.0.3"; /* Alice, who got only the link */
    char *body = fmt("session=%s&email=alice%%40example.com&password=wonderland", sid);
    resp l = post("/authorize/login", JSON, body);
    free(body);
    assert_not_yours(&l, "neither its cookie nor its session_secret");
    resp_free(&l);
    /* a guessed or another session's secret */
    body = fmt("session=%s&session_secret=%s&email=alice%%40example.com&password=wonderland", sid,
               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    l = post("/authorize/login", JSON, body);
    free(body);
    assert_not_yours(&l, "does not match");
    resp_free(&l);
    /* the proof never comes from the query string: a link must not carry it */
    char *u =
        fmt("%s/authorize/consent?session=%s&session_secret=%s", server_base_url(S), sid, secret);
    resp c = http_get(u, JSON);
    free(u);
    assert_not_yours(&c, "neither");
    resp_free(&c);

    /* the one who started it signs in (from another address: the secret is the proof) */
    tsu_from = "127.0.0.4";
    body = fmt("session=%s&session_secret=%s&email=alice%%40example.com&password=wonderland", sid,
               secret);
    l = post("/authorize/login", JSON, body);
    free(body);
    assert_int_equal(l.status, 200);
    assert_string_equal(jstr(&l, "step"), "consent");
    assert_string_equal(jstr(&l, "session_secret"), secret);
    assert_non_null(jstr(&l, "csrf"));

    /* signed in now, but still nobody else's: no csrf to read, no consent to give */
    tsu_from = "127.0.0.3";
    u = fmt("%s/authorize/consent?session=%s", server_base_url(S), sid);
    c = http_get(u, JSON);
    free(u);
    assert_not_yours(&c, "neither");
    resp_free(&c);
    body = fmt("session=%s&csrf=%s&decision=allow", sid, jstr(&l, "csrf"));
    c = post("/authorize/consent", JSON, body);
    free(body);
    assert_not_yours(&c, "neither");
    resp_free(&c);
    /* and the refusals did not use up the session */
    tsu_from = "127.0.0.4";
    body =
        fmt("session=%s&session_secret=%s&csrf=%s&decision=allow", sid, secret, jstr(&l, "csrf"));
    c = post("/authorize/consent", JSON, body);
    free(body);
    assert_int_equal(c.status, 200);
    assert_non_null(strstr(jstr(&c, "location"), "code="));
    resp_free(&c);
    resp_free(&l);
    resp_free(&a);
}

/* Browsers: the cookie from /authorize is the proof; another browser (no cookie, or the cookie of
 * its own session) gets a page that says why. */
static void test_browser_cookie(void **st)
{
    (void)st;
    char *u = fmt("%s/authorize?response_type=code&client_id=demo-web&redirect_uri=http%%3A%%2F%%2F"
                  "localhost%%3A3000%%2Fcallback&scope=openid&state=s1",
                  server_base_url(S));
    tsu_from = "127.0.0.2";
    resp a = http_get(u, NULL);
    tsu_from = "127.0.0.3";
    resp b = http_get(u, NULL);
    free(u);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    assert_null(strstr(a.body, "session_secret")); /* never in the page: only in the cookie */
    const char *p = strstr(a.body, "name=\"session\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"session\" value=\"");
    char sid[80];
    snprintf(sid, sizeof sid, "%.*s", (int)strcspn(p, "\""), p);
    char mine[300], theirs[300];
    const char *sc = header_value(&a, "Set-Cookie");
    snprintf(mine, sizeof mine, "Cookie: %.*s", (int)strcspn(sc, ";"), sc);
    assert_non_null(strstr(sc, "Path=/; Max-Age=600; HttpOnly; SameSite=Lax"));
    sc = header_value(&b, "Set-Cookie");
    snprintf(theirs, sizeof theirs, "Cookie: %.*s", (int)strcspn(sc, ";"), sc);

    /* Bob's browser with its own session's cookie, then with a forged cookie of that name */
    char *body = fmt("session=%s&email=bob%%40example.com&password=builder", sid);
    const char *hb[] = {theirs, NULL};
    resp l = post("/authorize/login", hb, body);
    assert_int_equal(l.status, 403);
    assert_non_null(strstr(header_value(&l, "Content-Type"), "text/html"));
    assert_non_null(strstr(l.body, "started by someone else"));
    resp_free(&l);
    char forged[300];
    snprintf(forged, sizeof forged, "Cookie: tl_authz_%s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sid);
    const char *hf[] = {forged, NULL};
    l = post("/authorize/login", hf, body);
    assert_int_equal(l.status, 403);
    assert_non_null(strstr(l.body, "does not match"));
    resp_free(&l);
    /* the browser that started it, from any address */
    tsu_from = "127.0.0.4";
    const char *hm[] = {mine, NULL};
    l = post("/authorize/login", hm, body);
    free(body);
    assert_int_equal(l.status, 303);
    resp_free(&l);
    resp_free(&a);
    resp_free(&b);
}

/* The lab switch: with unbound-session on, the session id alone is enough and the attack goes
 * all the way to Alice's notes in Mallory's hands. */
static void test_unbound_session_lab(void **st)
{
    (void)st;
    assert_true(server_set_lab(S, "unbound-session", true, NULL));
    tsu_from = "127.0.0.2";
    resp a = start_json();
    const char *sid = jstr(&a, "session"), *secret = jstr(&a, "session_secret");
    tsu_from = "127.0.0.3";
    char *body = fmt("session=%s&email=alice%%40example.com&password=wonderland", sid);
    resp l = post("/authorize/login", JSON, body);
    free(body);
    assert_int_equal(l.status, 200);
    assert_string_equal(jstr(&l, "step"), "consent");
    assert_null(jstr(&l, "session_secret")); /* Alice's answer does not carry Mallory's secret */
    tsu_from = "127.0.0.2";
    body =
        fmt("session=%s&session_secret=%s&csrf=%s&decision=allow", sid, secret, jstr(&l, "csrf"));
    resp c = post("/authorize/consent", JSON, body);
    free(body);
    assert_int_equal(c.status, 200);
    char *code = query_param(jstr(&c, "location"), "code");
    assert_non_null(code);
    body = fmt("grant_type=authorization_code&client_id=tokenlab-cli&code=%s&redirect_uri=http%%3A"
               "%%2F%%2F127.0.0.1%%2Fcallback&code_verifier=" VERIFIER,
               code);
    resp t = token_req(S, NULL, body);
    free(body);
    free(code);
    assert_int_equal(t.status, 200);
    jws *at = NULL;
    assert_true(jws_parse(jstr(&t, "access_token"), strlen(jstr(&t, "access_token")), &at, NULL));
    assert_string_equal(json_string_value(json_object_get(at->claims, "sub")), "alice");
    jws_free(at);
    resp_free(&t);
    resp_free(&c);
    resp_free(&l);
    resp_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_session_refused_to_others, reset),
        cmocka_unit_test_setup(test_browser_cookie, reset),
        cmocka_unit_test_setup(test_unbound_session_lab, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
