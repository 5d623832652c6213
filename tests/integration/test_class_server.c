/* SPDX-License-Identifier: MIT */
/* The class server (issue 6, docs/class.md) over HTTP on an embedded server: join codes, the
 * students' own accounts and clients (isolation), the instructor key, room-wide lab switches,
 * the event feed, export content, rate limits, the student cap and the results file. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/fileio.h"
#include "server/class.h"
#include "test_server_util.h"

static server *S;

static server *start_class(int rate, size_t max, const char *results)
{
    server_options o = {0};
    o.listen = "127.0.0.1:0";
    o.lab_key = "test-lab-key";
    o.log = getenv("TOKENLAB_TEST_LOG") ? stderr : NULL;
    o.class_mode = true;
    o.class_rate = rate;
    o.class_max = max;
    o.class_results = results;
    server *s = NULL;
    tl_err e = {0};
    if (!server_start(&o, &s, &e)) fprintf(stderr, "server_start: %s\n", e.msg);
    return s;
}

static int setup(void **st)
{
    (void)st;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    S = start_class(-1, 0, NULL);
    return S ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    server_stop(S);
    curl_global_cleanup();
    return 0;
}

static resp join(server *s, const char *code, const char *name)
{
    char *u = url_of(s, "/class/join");
    json_t *b = json_object();
    if (code) json_object_set_new(b, "code", json_string(code));
    if (name) json_object_set_new(b, "name", json_string(name));
    char *body = json_dumps(b, 0);
    json_decref(b);
    const char *h[] = {"Content-Type: application/json", NULL};
    resp r = http_post(u, h, body);
    free(body);
    free(u);
    return r;
}

static resp join_form(server *s, const char *code, const char *name_urlencoded)
{
    char *u = url_of(s, "/class/join");
    char *body = fmt("code=%s&name=%s", code, name_urlencoded);
    resp r = http_post(u, NULL, body);
    free(body);
    free(u);
    return r;
}

static resp with_key(server *s, const char *method, const char *path, const char *key,
                     const char *body)
{
    char *u = url_of(s, path);
    char *auth = key ? fmt("Authorization: Bearer %s", key) : NULL;
    const char *h[] = {"Content-Type: application/json", auth, NULL};
    resp r = http(method, u, h, body, body ? strlen(body) : 0);
    free(auth);
    free(u);
    return r;
}

static const char *jpath(const resp *r, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(r->json, a), b));
}

static void report(server *s, const char *token, const char *json, long want)
{
    resp r = with_key(s, "POST", "/class/report", token, json);
    if (r.status != want) fprintf(stderr, "report %s: %ld %s\n", json, r.status, r.body);
    assert_int_equal(r.status, want);
    resp_free(&r);
}

/* ---------------------------------------------------------------- join */

static void test_join(void **st)
{
    (void)st;
    const char *code = class_join_code(S);
    assert_non_null(code);
    assert_int_equal(strlen(code), 6);
    assert_int_equal(strspn(code, "ABCDEFGHJKMNPQRSTUVWXYZ23456789"), 6);
    assert_true(strlen(class_instructor_key(S)) >= 22); /* ≥ 128 bits of base64url */

    resp a = join(S, code, "Ada Lovelace");
    assert_int_equal(a.status, 201);
    assert_string_equal(jstr(&a, "name"), "Ada Lovelace");
    const char *sid = jstr(&a, "student_id");
    assert_non_null(sid);
    assert_true(strncmp(jstr(&a, "student_token"), sid, strlen(sid)) == 0);
    assert_non_null(jpath(&a, "user", "email"));
    assert_true(strlen(jpath(&a, "user", "password")) >= 22);
    assert_non_null(jpath(&a, "client", "client_id"));
    assert_true(strlen(jpath(&a, "client", "client_secret")) >= 43);
    assert_true(
        json_array_size(json_object_get(json_object_get(a.json, "client"), "redirect_uris")) >= 1);
    assert_string_equal(jstr(&a, "public_client_id"), "tokenlab-cli");

    /* lower case works; the same name again is told apart */
    char lower[8];
    for (int i = 0; i < 7; i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
    resp b = join(S, lower, "Ada Lovelace");
    assert_int_equal(b.status, 201);
    assert_string_equal(jstr(&b, "name"), "Ada Lovelace (2)");
    assert_string_not_equal(jstr(&a, "student_id"), jstr(&b, "student_id"));
    assert_string_not_equal(jpath(&a, "client", "client_id"), jpath(&b, "client", "client_id"));

    /* names are sanitized and cut */
    resp c = join(S, code, "  <script>\n  alert(1)\x01  ");
    assert_int_equal(c.status, 201);
    assert_string_equal(jstr(&c, "name"), "script alert(1)");
    resp o = join(S, code, "Siobh\xc3\xa1n O'Brien");
    assert_int_equal(o.status, 201);
    assert_string_equal(jstr(&o, "name"), "Siobh\xc3\xa1n O'Brien");
    resp_free(&o);
    /* cut at 40 characters, not bytes: an accented letter or an emoji is one */
    resp u8 = join(S, code, "012345678901234567890123456789012345678\xc3\xa9xyz");
    assert_int_equal(u8.status, 201);
    assert_string_equal(jstr(&u8, "name"), "012345678901234567890123456789012345678\xc3\xa9");
    resp_free(&u8);
    char party[45 * 4 + 1] = "";
    for (int i = 0; i < 45; i++) strcat(party, "\xf0\x9f\x8e\x89"); /* U+1F389 */
    resp emoji = join(S, code, party);
    assert_int_equal(emoji.status, 201);
    assert_int_equal(strlen(jstr(&emoji, "name")), 40 * 4);
    resp_free(&emoji);
    /* C1 controls (8-bit CSI, NEL), bidi overrides and zero-width characters are dropped: a name
     * must not change how the instructor's screen shows it or the text after it */
    resp inv = join(S, code,
                    "\xc2\x85"
                    "nel\xc2\x9b"
                    "31m\xe2\x80\xae"
                    "evil\xe2\x80\x8b"
                    "!\xef\xbb\xbf");
    assert_int_equal(inv.status, 201);
    assert_string_equal(jstr(&inv, "name"), "nel31mevil!");
    resp_free(&inv);
    resp bad8 = join_form(S, code, "Bad%FF%FEName%C3"); /* not UTF-8: refused by the parser */
    assert_int_equal(bad8.status, 400);
    resp_free(&bad8);
    resp d = join(S, code, "0123456789012345678901234567890123456789-too-long");
    assert_int_equal(d.status, 201);
    assert_string_equal(jstr(&d, "name"), "0123456789012345678901234567890123456789");

    /* bad code, no code, no name */
    char wrong[8];
    memcpy(wrong, code, 7);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    resp e = join(S, wrong, "Mallory");
    assert_int_equal(e.status, 403);
    assert_string_equal(jstr(&e, "error"), "access_denied");
    assert_string_equal(jstr(&e, "error_description"), "wrong join code");
    resp f = join(S, NULL, "Mallory");
    assert_int_equal(f.status, 403);
    resp g = join(S, code, " \t ");
    assert_int_equal(g.status, 400);
    resp h = join(S, code, NULL);
    assert_int_equal(h.status, 400);
    resp *all[] = {&a, &b, &c, &d, &e, &f, &g, &h};
    for (size_t i = 0; i < 8; i++) resp_free(all[i]);
}

/* ---------------------------------------------------------------- isolation */

typedef struct who {
    char *client_id, *secret, *email, *password, *token, *sub;
} who;

static who make_student(const char *name)
{
    resp a = join(S, class_join_code(S), name);
    assert_int_equal(a.status, 201);
    who w = {strdup(jpath(&a, "client", "client_id")), strdup(jpath(&a, "client", "client_secret")),
             strdup(jpath(&a, "user", "email")),       strdup(jpath(&a, "user", "password")),
             strdup(jstr(&a, "student_token")),        strdup(jpath(&a, "user", "sub"))};
    resp_free(&a);
    return w;
}

static void who_free(who *w)
{
    free(w->client_id);
    free(w->secret);
    free(w->email);
    free(w->password);
    free(w->token);
    free(w->sub);
}

/* A code for w's own client and w's own user (PKCE S256 as a good client does). */
static char *student_code(const who *client, const who *user)
{
    char *loc = authorize_location(
        S, client->client_id, "http://127.0.0.1:5555/callback", "openid profile offline_access",
        "&code_challenge=" CHALLENGE "&code_challenge_method=S256", user->email, user->password);
    char *code = loc ? query_param(loc, "code") : NULL;
    free(loc);
    return code;
}

static resp exchange(const who *client, const char *code)
{
    char *b =
        fmt("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=%s"
            "&client_secret=%s&code_verifier=" VERIFIER,
            code, "http%3A%2F%2F127.0.0.1%3A5555%2Fcallback", client->client_id, client->secret);
    resp r = token_req(S, NULL, b);
    free(b);
    return r;
}

static resp refresh(const who *client, const char *rt)
{
    char *b = fmt("grant_type=refresh_token&refresh_token=%s&client_id=%s&client_secret=%s", rt,
                  client->client_id, client->secret);
    resp r = token_req(S, NULL, b);
    free(b);
    return r;
}

static void test_isolation(void **st)
{
    (void)st;
    who a = make_student("Alice Student"), b = make_student("Bob Student");

    /* A's code, exchanged by B's client: refused; by A's client: tokens for A */
    char *code = student_code(&a, &a);
    assert_non_null(code);
    resp x = exchange(&b, code);
    assert_int_equal(x.status, 400);
    assert_string_equal(jstr(&x, "error"), "invalid_grant");
    resp_free(&x);
    char *code2 = student_code(&a, &a);
    resp t = exchange(&a, code2);
    assert_int_equal(t.status, 200);
    const char *at = jstr(&t, "access_token"), *rt = jstr(&t, "refresh_token");
    assert_non_null(at);
    assert_non_null(rt);

    /* the API sees A */
    resp p = api_get(S, "/api/profile", at);
    assert_int_equal(p.status, 200);
    assert_string_equal(jstr(&p, "sub"), a.sub);
    resp_free(&p);

    /* A's refresh token never works for B's client */
    resp r1 = refresh(&b, rt);
    assert_int_equal(r1.status, 400);
    assert_string_equal(jstr(&r1, "error"), "invalid_grant");
    resp_free(&r1);
    /* B's secret does not authenticate A's client */
    who mixed = a;
    mixed.secret = b.secret;
    resp r2 = refresh(&mixed, rt);
    assert_int_equal(r2.status, 401);
    resp_free(&r2);
    /* …and A's own client still refreshes */
    resp r3 = refresh(&a, rt);
    assert_int_equal(r3.status, 200);
    resp_free(&r3);

    /* B's password is not A's: logging in as A with B's password fails */
    who fake = a;
    fake.password = b.password;
    char *c3 = student_code(&a, &fake);
    assert_null(c3);

    /* the public client still works for a student */
    char *loc = authorize_location(S, "tokenlab-cli", "http://127.0.0.1:7777/callback", "openid",
                                   "&code_challenge=" CHALLENGE "&code_challenge_method=S256",
                                   b.email, b.password);
    assert_non_null(loc);
    char *pc = query_param(loc, "code");
    resp ct = cli_exchange(S, pc);
    assert_int_equal(ct.status, 200);
    resp_free(&ct);
    free(pc);
    free(loc);

    /* /class/me shows each their own; A's secret with B's id is refused */
    resp m = with_key(S, "GET", "/class/me", a.token, NULL);
    assert_int_equal(m.status, 200);
    assert_string_equal(jstr(&m, "name"), "Alice Student");
    assert_string_equal(jpath(&m, "client", "client_id"), a.client_id);
    resp_free(&m);
    const char *dot = strchr(a.token, '.');
    const char *bdot = strchr(b.token, '.');
    char *forged = fmt("%.*s%s", (int)(bdot - b.token), b.token, dot);
    resp fm = with_key(S, "GET", "/class/me", forged, NULL);
    assert_int_equal(fm.status, 401);
    resp_free(&fm);
    free(forged);
    /* a student token is not the instructor key */
    resp fs = with_key(S, "GET", "/class/state", a.token, NULL);
    assert_int_equal(fs.status, 403);
    resp_free(&fs);

    resp_free(&t);
    free(code);
    free(code2);
    who_free(&a);
    who_free(&b);
}

/* ---------------------------------------------------------------- instructor key */

static void test_instructor_key(void **st)
{
    (void)st;
    const char *paths[] = {"/class/state", "/class/export?format=csv", "/class/export?format=json",
                           "/class/events", "/class/lab"};
    for (size_t i = 0; i < 5; i++) {
        bool post = i == 4;
        const char *body = post ? "{\"name\":\"alg-none\",\"on\":true}" : NULL;
        resp none = with_key(S, post ? "POST" : NULL, paths[i], NULL, body);
        assert_int_equal(none.status, 401);
        assert_non_null(header_value(&none, "WWW-Authenticate"));
        resp wrong = with_key(S, post ? "POST" : NULL, paths[i], "not-the-key", body);
        assert_int_equal(wrong.status, 403);
        assert_string_equal(jstr(&wrong, "error_description"), "wrong instructor key");
        resp_free(&none);
        resp_free(&wrong);
    }
    assert_false(server_lab_is_on(S, "alg-none"));
    resp ok = with_key(S, NULL, "/class/state", class_instructor_key(S), NULL);
    assert_int_equal(ok.status, 200);
    assert_true(json_is_array(json_object_get(ok.json, "students")));
    assert_true(json_is_object(json_object_get(ok.json, "labs")));
    resp_free(&ok);
    /* the key also works as X-Tokenlab-Class-Key */
    char *hk = fmt("X-Tokenlab-Class-Key: %s", class_instructor_key(S));
    const char *hh[] = {hk, NULL};
    char *su = url_of(S, "/class/state");
    resp viah = http_get(su, hh);
    assert_int_equal(viah.status, 200);
    resp_free(&viah);
    free(su);
    free(hk);
    /* the lab key is not the instructor key */
    resp lk = with_key(S, NULL, "/class/state", "test-lab-key", NULL);
    assert_int_equal(lk.status, 403);
    resp_free(&lk);
}

/* ---------------------------------------------------------------- room-wide lab switch */

static void test_lab_room_wide(void **st)
{
    (void)st;
    who a = make_student("Lab Rat");
    char *body = fmt("grant_type=password&username=%s&password=%s&client_id=%s&client_secret=%s",
                     a.email, a.password, a.client_id, a.secret);
    resp before = token_req(S, NULL, body);
    assert_int_equal(before.status, 400);
    assert_string_equal(jstr(&before, "error"), "unsupported_grant_type");
    resp_free(&before);

    resp on = with_key(S, "POST", "/class/lab", class_instructor_key(S),
                       "{\"name\":\"password-grant\",\"on\":\"true\"}");
    assert_int_equal(on.status, 200);
    assert_true(json_is_true(json_object_get(json_object_get(on.json, "labs"), "password-grant")));
    resp_free(&on);
    resp after = token_req(S, NULL, body);
    assert_int_equal(after.status, 200);
    assert_non_null(jstr(&after, "access_token"));
    resp_free(&after);

    resp off = with_key(S, "POST", "/class/lab", class_instructor_key(S),
                        "{\"name\":\"password-grant\",\"on\":false}");
    assert_int_equal(off.status, 200);
    resp_free(&off);
    resp again = token_req(S, NULL, body);
    assert_int_equal(again.status, 400);
    resp_free(&again);

    resp bad = with_key(S, "POST", "/class/lab", class_instructor_key(S),
                        "{\"name\":\"no-such-switch\",\"on\":true}");
    assert_int_equal(bad.status, 400);
    assert_non_null(strstr(jstr(&bad, "error_description"), "alg-none"));
    resp_free(&bad);
    free(body);
    who_free(&a);
}

/* ---------------------------------------------------------------- events */

static void test_events(void **st)
{
    (void)st;
    sse_stream x;
    char *eu = url_of(S, "/class/events");
    char *auth = fmt("Authorization: Bearer %s", class_instructor_key(S));
    /* read until the last event below, the refused join */
    assert_true(sse_start(&x, eu, auth, "wrong join code"));
    free(eu);
    free(auth);
    resp a = join(S, class_join_code(S), "Eventful Eve");
    assert_int_equal(a.status, 201);
    report(S, jstr(&a, "student_token"),
           "{\"lesson\":\"jwt-basics\",\"step\":2,\"quiz\":{\"id\":\"q-ev\",\"correct\":false}}",
           204);
    resp w = join(S, "ZZZZZZ", "Intruder"); /* a refusal, also in the feed */
    sse_finish(&x);
    assert_int_equal(x.status, 200);
    char *joined = fmt("student %s joined", jstr(&a, "student_id"));
    char *answered = fmt("student %s answered jwt-basics/q-ev", jstr(&a, "student_id"));
    assert_non_null(strstr(x.buf, joined));
    assert_non_null(strstr(x.buf, answered));
    assert_null(strstr(x.buf, "Eventful Eve")); /* names stay off the shared feed */
    assert_null(strstr(x.buf, ": wrong"));
    free(joined);
    free(answered);
    assert_non_null(strstr(x.buf, "wrong join code"));
    sse_free(&x);
    resp_free(&a);
    resp_free(&w);
}

/* ---------------------------------------------------------------- reports and export */

static void test_export(void **st)
{
    (void)st;
    server *saved = S;
    S = start_class(-1, 0, NULL); /* a fresh room: known rows */
    assert_non_null(S);
    resp a = join(S, class_join_code(S), "Grace");
    resp b = join(S, class_join_code(S), "=cmd|calc");
    const char *ta = jstr(&a, "student_token"), *tb = jstr(&b, "student_token");
    report(S, ta,
           "{\"lesson\":\"jwt\",\"step\":\"3\",\"quiz\":{\"id\":\"q1\",\"correct\":true,"
           "\"answer\":\"b\"}}",
           204);
    report(S, ta,
           "{\"lesson\":\"jwt\",\"quiz\":{\"id\":\"q2\",\"correct\":false,"
           "\"answer\":\"a, c\"}}",
           204);
    report(S, ta, "{\"lesson\":\"jwt\",\"completed\":true}", 204);
    report(S, tb, "{\"lesson\":\"jwt\",\"quiz\":{\"id\":\"q2\",\"correct\":true}}", 204);
    report(S, tb, "{\"lesson\":\"jwt\",\"quiz\":{\"id\":\"q2\",\"correct\":false}}", 204);
    /* bad reports */
    report(S, ta, "{\"quiz\":{\"id\":\"q1\",\"correct\":true}}", 400);   /* no lesson */
    report(S, ta, "{\"lesson\":\"jwt\",\"quiz\":{\"id\":\"q1\"}}", 400); /* no correct */
    report(S, ta, "[1,2]", 400);
    report(S, ta,
           "{\"lesson\":\"l12345678901234567890123456789012345678901234567890123456789012345\"}",
           400); /* 65 bytes */
    report(S, ta, "{\"lesson\":\"jwt\",\"step\":\"a\\nb\"}", 400);
    report(S, "st-1.nope", "{\"lesson\":\"jwt\"}", 401);
    report(S, NULL, "{\"lesson\":\"jwt\"}", 401);

    resp csv = with_key(S, NULL, "/class/export?format=csv", class_instructor_key(S), NULL);
    assert_int_equal(csv.status, 200);
    assert_non_null(strstr(header_value(&csv, "Content-Type"), "text/csv"));
    const char *hdr = "student_id,name,joined,lesson,step,completed,answered,correct,question,"
                      "question_correct,answer\r\n";
    assert_true(strncmp(csv.body, hdr, strlen(hdr)) == 0);
    const char *row1 = strstr(csv.body, "\r\nst-1,Grace,");
    assert_non_null(row1);
    assert_non_null(strstr(csv.body, ",jwt,3,jwt,2,1,jwt/q1,true,b\r\n"));
    assert_non_null(strstr(csv.body, ",jwt,3,jwt,2,1,jwt/q2,false,\"a, c\"\r\n"));
    /* formula injection neutralized */
    assert_non_null(strstr(csv.body, "\r\nst-2,\"'=cmd|calc\","));
    assert_non_null(strstr(csv.body, ",jwt/q2,false,\r\n"));
    int lines = 0;
    for (const char *p = csv.body; (p = strstr(p, "\r\n")); p += 2) lines++;
    assert_int_equal(lines, 4); /* header + 2 answers of Grace + 1 of the second student */

    resp js = with_key(S, NULL, "/class/export?format=json", class_instructor_key(S), NULL);
    assert_int_equal(js.status, 200);
    json_t *students = json_object_get(js.json, "students");
    assert_int_equal(json_array_size(students), 2);
    json_t *g = json_array_get(students, 0);
    assert_string_equal(json_string_value(json_object_get(g, "name")), "Grace");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(g, "quiz"), "answered")),
                     2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(g, "quiz"), "correct")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(g, "completed"), 0)),
                        "jwt");
    json_t *qs = json_object_get(js.json, "questions");
    assert_int_equal(json_array_size(qs), 2);
    json_t *q0 = json_array_get(qs, 0); /* most wrong first: q2, wrong for both */
    assert_string_equal(json_string_value(json_object_get(q0, "id")), "jwt/q2");
    assert_int_equal(json_integer_value(json_object_get(q0, "answered")), 2);
    assert_int_equal(json_integer_value(json_object_get(q0, "wrong")), 2);
    assert_int_equal(json_integer_value(json_object_get(q0, "right")), 0);
    assert_int_equal(json_integer_value(json_object_get(q0, "attempts")), 3);
    json_t *q1 = json_array_get(qs, 1);
    assert_int_equal(json_integer_value(json_object_get(q1, "right")), 1);
    assert_non_null(json_string_value(json_object_get(js.json, "exported")));

    resp bad = with_key(S, NULL, "/class/export?format=xml", class_instructor_key(S), NULL);
    assert_int_equal(bad.status, 400);
    resp_free(&bad);
    resp_free(&js);
    resp_free(&csv);
    resp_free(&a);
    resp_free(&b);
    server_stop(S);
    S = saved;
}

/* ---------------------------------------------------------------- limits */

static void test_rate_limit(void **st)
{
    (void)st;
    server *s = start_class(2, 0, NULL); /* 2 per second, burst 10 */
    assert_non_null(s);
    long last = 0;
    int ok = 0;
    const char *retry = NULL;
    char ra[32] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 200 && last != 429; i++) {
        resp r = with_key(s, NULL, "/class/state", class_instructor_key(s), NULL);
        last = r.status;
        if (r.status == 200) ok++;
        retry = header_value(&r, "Retry-After");
        if (retry) snprintf(ra, sizeof ra, "%s", retry);
        resp_free(&r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* the burst of 10, plus what 2 per second refilled while the requests ran (however long
     * that took on this machine), plus the token under way */
    int most = 10 + (int)(2 * secs) + 1;
    if (last != 429 || ok < 10 || ok > most)
        fprintf(stderr, "rate limit: %d answered in %.2f s before %ld; want 10..%d\n", ok, secs,
                last, most);
    assert_int_equal(last, 429);
    assert_true(ok >= 10 && ok <= most);
    assert_true(atoi(ra) >= 1);
    /* a wrong code costs 10: on a fresh server one empties the burst of 10 */
    server *s2 = start_class(2, 0, NULL);
    resp w = join(s2, "AAAAAA", "x");
    assert_int_equal(w.status, 403);
    resp_free(&w);
    resp r = join(s2, class_join_code(s2), "Late");
    assert_int_equal(r.status, 429);
    resp_free(&r);
    server_stop(s2);
    server_stop(s);
}

static void test_bounded(void **st)
{
    (void)st;
    server *s = start_class(-1, 3, NULL);
    assert_non_null(s);
    for (int i = 0; i < 3; i++) {
        resp r = join(s, class_join_code(s), "Seat");
        assert_int_equal(r.status, 201);
        resp_free(&r);
    }
    resp r = join(s, class_join_code(s), "Standing");
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(jstr(&r, "error_description"), "full (3 students)"));
    resp_free(&r);
    assert_int_equal(class_student_count(s), 3);
    /* at most 100 distinct questions per student (below) */
    resp j = join(s, class_join_code(s), "x"); /* still full */
    resp_free(&j);
    server_stop(s);
    /* the 101st question is refused */
    s = start_class(-1, 0, NULL);
    resp a = join(s, class_join_code(s), "Quizzy");
    const char *tok = jstr(&a, "student_token");
    for (int i = 0; i < 101; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"lesson\":\"l\",\"quiz\":{\"id\":\"q%d\",\"correct\":true}}",
                 i);
        resp x = with_key(s, "POST", "/class/report", tok, body);
        assert_int_equal(x.status, i < 100 ? 204 : 400);
        resp_free(&x);
    }
    /* a known question can still be answered; a long answer is cut to 64 bytes */
    char longans[200];
    memset(longans, 'x', 150);
    longans[150] = '\0';
    char *body = fmt(
        "{\"lesson\":\"l\",\"quiz\":{\"id\":\"q0\",\"correct\":false,\"answer\":\"%s\"}}", longans);
    resp y = with_key(s, "POST", "/class/report", tok, body);
    assert_int_equal(y.status, 204);
    resp_free(&y);
    free(body);
    resp me = with_key(s, NULL, "/class/me", tok, NULL);
    json_t *q0 = json_object_get(json_object_get(me.json, "answers"), "l/q0");
    assert_int_equal(strlen(json_string_value(json_object_get(q0, "answer"))), 64);
    assert_true(json_is_false(json_object_get(q0, "correct")));
    assert_int_equal(json_integer_value(json_object_get(q0, "attempts")), 2);
    resp_free(&me);
    resp_free(&a);
    server_stop(s);
}

static void test_results_file(void **st)
{
    (void)st;
    char path[] = "/tmp/tokenlab-class-results-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    server *s = start_class(-1, 0, path);
    assert_non_null(s);
    char *text = NULL;
    size_t len = 0;
    tl_err e = {0};
    assert_true(fileio_read(path, 1 << 20, &text, &len, &e)); /* written at start, empty */
    assert_null(strstr(text, "Persistent Pat"));
    free(text);
    resp a = join(s, class_join_code(s), "Persistent Pat");
    assert_int_equal(a.status, 201);
    resp_free(&a);
    /* written at most once a second: wait for it (bounded), not for a fixed time */
    text = NULL;
    for (int i = 0; i < 200; i++) {
        free(text);
        text = NULL;
        if (fileio_read(path, 1 << 20, &text, &len, &e) && strstr(text, "Persistent Pat")) break;
        usleep(50 * 1000);
    }
    assert_non_null(text);
    assert_non_null(strstr(text, "Persistent Pat"));
    json_t *j = json_loads(text, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "students")), 1);
    json_decref(j);
    free(text);
    /* the last change is written at stop */
    resp b = join(s, class_join_code(s), "Last Minute Lou");
    resp_free(&b);
    server_stop(s);
    assert_true(fileio_read(path, 1 << 20, &text, &len, &e));
    assert_non_null(strstr(text, "Last Minute Lou"));
    free(text);
    unlink(path);
    /* an unwritable results file is an error at start */
    server_options o = {0};
    o.listen = "127.0.0.1:0";
    o.class_mode = true;
    o.class_results = "/nonexistent-dir/results.json";
    server *bad = NULL;
    assert_false(server_start(&o, &bad, &e));
    assert_true(err_is(&e, "server.class"));
}

static void test_not_class(void **st)
{
    (void)st;
    server *s = start_server(NULL, 0); /* no --class: no /class/ endpoints */
    assert_null(class_join_code(s));
    resp r = join(s, "ABCDEF", "x");
    assert_int_equal(r.status, 404);
    resp_free(&r);
    server_stop(s);
    resp u = with_key(S, NULL, "/class/nothing", NULL, NULL);
    assert_int_equal(u.status, 404);
    resp_free(&u);
    resp m = with_key(S, NULL, "/class/join", NULL, NULL);
    assert_int_equal(m.status, 405);
    resp_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join),           cmocka_unit_test(test_isolation),
        cmocka_unit_test(test_instructor_key), cmocka_unit_test(test_lab_room_wide),
        cmocka_unit_test(test_events),         cmocka_unit_test(test_export),
        cmocka_unit_test(test_rate_limit),     cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_results_file),   cmocka_unit_test(test_not_class),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
