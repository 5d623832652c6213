/* SPDX-License-Identifier: MIT */
/* Issue 12 against the real server over loopback, as several machines (127.0.0.2, .3, .4): an
 * authorization session belongs to the party that started it (cookie or session_secret), and the
 * unbound-session lab switch shows the attack that this stops; no address can take the pending
 * authorizations, device codes or connections from the others. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
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

/* ---------------------------------------------------------------- fairness per address */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A TCP connection to srv from the source address `from`, or -1. */
static int connect_from(server *srv, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    dst.sin_port = htons(server_port(srv));
    if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* Whether the server closed fd within `seconds` (EOF or reset), without sending anything. */
static bool closed_within(int fd, double seconds)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)(seconds * 1000)) <= 0) return false;
    char c;
    ssize_t n = recv(fd, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* Starts `n` JSON authorizations from `from`; the sessions and secrets go to sid/sec. */
static void start_many(const char *from, size_t n, char (*sid)[64], char (*sec)[64])
{
    tsu_from = from;
    for (size_t i = 0; i < n; i++) {
        resp a = start_json();
        assert_int_equal(a.status, 200);
        snprintf(sid[i], 64, "%s", jstr(&a, "session"));
        snprintf(sec[i], 64, "%s", jstr(&a, "session_secret"));
        resp_free(&a);
    }
}

/* Signs in to a session with its secret: 200 (consent step) or 404 (gone). */
static long sign_in(server *srv, const char *sid, const char *sec)
{
    char *body = fmt("session=%s&session_secret=%s&email=alice%%40example.com&password=wonderland",
                     sid, sec);
    char *u = url_of(srv, "/authorize/login");
    resp l = http_post(u, JSON, body);
    free(u);
    free(body);
    long st = l.status;
    resp_free(&l);
    return st;
}

/* One address fills its quota (32 by default) and more: its own oldest session gives way; a
 * session another address started before the flood still works. */
static void test_pending_quota_per_address(void **st)
{
    (void)st;
    char sid[40][64], sec[40][64];
    start_many("127.0.0.3", 1, sid + 39, sec + 39);
    start_many("127.0.0.2", 34, sid, sec);
    tsu_from = "127.0.0.4";
    assert_int_equal(sign_in(S, sid[0], sec[0]), 404); /* the two oldest gave way */
    assert_int_equal(sign_in(S, sid[1], sec[1]), 404);
    assert_int_equal(sign_in(S, sid[2], sec[2]), 200); /* the newest 32 are there */
    assert_int_equal(sign_in(S, sid[33], sec[33]), 200);
    assert_int_equal(sign_in(S, sid[39], sec[39]), 200); /* the other address is untouched */
}

/* With --per-address-limit raised (a class behind one NAT address), one address may hold many. */
static void test_pending_quota_raised(void **st)
{
    (void)st;
    server_options o = {
        .listen = "127.0.0.1:0", .lab_key = "test-lab-key", .per_address_limit = 2000};
    server *big = NULL;
    assert_true(server_start(&o, &big, NULL));
    server *keep = S;
    S = big;
    char sid[40][64], sec[40][64];
    start_many("127.0.0.2", 40, sid, sec);
    assert_int_equal(sign_in(S, sid[0], sec[0]), 200);
    assert_int_equal(sign_in(S, sid[39], sec[39]), 200);
    S = keep;
    server_stop(big);
}

/* Device authorizations: the same quota; the evicted request's user code stops working. */
static void test_device_quota_per_address(void **st)
{
    (void)st;
    char codes[34][16];
    tsu_from = "127.0.0.2";
    char *u = url_of(S, "/device_authorization");
    for (int i = 0; i < 34; i++) {
        resp d = http_post(u, NULL, "client_id=tokenlab-cli&scope=openid");
        assert_int_equal(d.status, 200);
        snprintf(codes[i], sizeof codes[i], "%s", jstr(&d, "user_code"));
        resp_free(&d);
    }
    free(u);
    tsu_from = "127.0.0.3";
    u = url_of(S, "/device");
    char *body = fmt("user_code=%s", codes[0]);
    resp e = http_post(u, JSON, body);
    free(body);
    assert_int_equal(e.status, 400); /* gone: evicted by its own address's 33rd and 34th */
    resp_free(&e);
    body = fmt("user_code=%s", codes[33]);
    e = http_post(u, JSON, body);
    free(body);
    free(u);
    assert_int_equal(e.status, 200);
    assert_string_equal(jstr(&e, "step"), "login");
    resp_free(&e);
}

/* The finding: 520 connections from three addresses, each sending a header line now and then,
 * took every connection. Now each address keeps at most 32 (which ones is up to the accepting
 * threads); /health from a fourth answers at once. */
static void test_connections_per_address(void **st)
{
    (void)st;
    enum { PER = 175 };
    static struct pollfd p[3 * PER];
    static bool closed[3 * PER];
    const char *from[3] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
    for (int i = 0; i < 3 * PER; i++) {
        p[i] = (struct pollfd){.fd = connect_from(S, from[i / PER]), .events = POLLIN};
        closed[i] = p[i].fd < 0;
        const char *line = "GET /health HTTP/1.1\r\nHost: x\r\n";
        if (p[i].fd >= 0) send(p[i].fd, line, strlen(line), MSG_NOSIGNAL);
    }
    /* the server closes what is over the limit at once: wait until 3 × 32 are left, or 3 s */
    int open = 3 * PER;
    for (double t0 = mono(); open > 3 * 32 && mono() - t0 < 3;) {
        poll(p, 3 * PER, 100);
        open = 0;
        for (int i = 0; i < 3 * PER; i++) {
            if (!closed[i] && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) closed[i] = true;
            open += !closed[i];
        }
    }
    int kept[3] = {0};
    for (int i = 0; i < 3 * PER; i++) kept[i / PER] += !closed[i];
    tsu_from = "127.0.0.5";
    double t0 = mono();
    char *u = url_of(S, "/health");
    resp h = http_get(u, NULL);
    free(u);
    double took = mono() - t0;
    for (int i = 0; i < 3 * PER; i++)
        if (p[i].fd >= 0) close(p[i].fd);
    for (int a = 0; a < 3; a++) assert_true(kept[a] <= 32);
    assert_int_equal(h.status, 200);
    assert_true(took < 2.0);
    resp_free(&h);
}

/* A client that sends one header line at a time never trips an idle timeout; the whole request
 * must arrive within head_timeout (1 s here), or the connection is closed. */
static void test_request_head_deadline(void **st)
{
    (void)st;
    server_options o = {.listen = "127.0.0.1:0", .lab_key = "test-lab-key", .head_timeout = 1};
    server *srv = NULL;
    assert_true(server_start(&o, &srv, NULL));
    int fd = connect_from(srv, "127.0.0.2");
    assert_true(fd >= 0);
    const char *lines[] = {"GET /health HTTP/1.1\r\n",
                           "Host: x\r\n",
                           "X-A: 1\r\n",
                           "X-B: 2\r\n",
                           "X-C: 3\r\n",
                           "X-D: 4\r\n",
                           "X-E: 5\r\n",
                           "X-F: 6\r\n",
                           NULL};
    double t0 = mono();
    bool closed = false;
    for (int i = 0; lines[i] && !closed; i++) {
        if (send(fd, lines[i], strlen(lines[i]), MSG_NOSIGNAL) < 0) closed = true;
        if (!closed) closed = closed_within(fd, 0.4);
    }
    double took = mono() - t0;
    close(fd);
    assert_true(closed);
    assert_true(took >= 0.9 && took < 2.5);
    /* a request that arrives in time is answered */
    fd = connect_from(srv, "127.0.0.2");
    const char *req = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_true(send(fd, req, strlen(req), MSG_NOSIGNAL) > 0);
    char buf[64] = {0};
    assert_true(recv(fd, buf, sizeof buf - 1, MSG_WAITALL) > 12);
    assert_true(strncmp(buf, "HTTP/1.1 200", 12) == 0);
    close(fd);
    server_stop(srv);
}

/* ---------------------------------------------------------------- guesses */

static resp login_as(const char *email, const char *password)
{
    char *body = fmt("{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    const char *h[] = {"Content-Type: application/json", NULL};
    char *u = url_of(S, "/login");
    resp r = http_post(u, h, body);
    free(u);
    free(body);
    return r;
}

static void assert_throttled(const resp *r, const char *why)
{
    assert_int_equal(r->status, 429);
    assert_string_equal(jstr(r, "error"), "slow_down");
    assert_non_null(strstr(jstr(r, "error_description"), why));
    const char *ra = header_value(r, "Retry-After");
    assert_non_null(ra);
    assert_true(atoi(ra) >= 1 && atoi(ra) <= 60);
}

/* Per account: 10 wrong passwords, then 429 even for the right one (no oracle), and a throttled
 * guess is answered without the 33 ms PBKDF2; Bob, and other addresses' accounts, are unaffected.
 */
static void test_password_guesses_per_account(void **st)
{
    (void)st;
    for (int i = 0; i < 10; i++) {
        tsu_from = i % 2 ? "127.0.0.2" : "127.0.0.3"; /* an attacker with two addresses */
        resp r = login_as("alice@example.com", "guess");
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    resp r = login_as("ALICE@example.com", "wonderland");
    assert_throttled(&r, "too many wrong passwords for this account");
    resp_free(&r);
    double t0 = mono();
    for (int i = 0; i < 20; i++) {
        r = login_as("alice@example.com", "guess");
        assert_int_equal(r.status, 429);
        resp_free(&r);
    }
    assert_true(mono() - t0 < 0.5); /* 20 × 33 ms of PBKDF2 would be 0.66 s */
    /* the same budget at /authorize/login */
    resp a = start_json();
    char *body = fmt("session=%s&session_secret=%s&email=alice%%40example.com&password=wonderland",
                     jstr(&a, "session"), jstr(&a, "session_secret"));
    char *u = url_of(S, "/authorize/login");
    resp l = http_post(u, JSON, body);
    free(u);
    free(body);
    assert_throttled(&l, "for this account");
    resp_free(&l);
    resp_free(&a);
    r = login_as("bob@example.com", "builder");
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* Per address: --per-address-limit (32) wrong passwords for any accounts, then 429 for that
 * address only. */
static void test_password_guesses_per_address(void **st)
{
    (void)st;
    tsu_from = "127.0.0.4";
    /* Wrong guesses until the address is throttled: at least the burst of 32 get an answer, and
     * no more than what the bucket refilled meanwhile (32 a minute; a sanitizer build under load
     * takes seconds for 32 PBKDF2s, so the refill is counted, not assumed to be zero). */
    double t0 = mono();
    int answered = 0;
    resp r = {0};
    for (int i = 0; i < 200; i++) {
        char email[40];
        snprintf(email, sizeof email, "user%d@example.com", i);
        r = login_as(email, "guess");
        if (r.status != 401) break;
        answered++;
        resp_free(&r);
        r = (resp){0};
    }
    assert_throttled(&r, "too many wrong passwords from your address");
    resp_free(&r);
    int refilled = (int)((mono() - t0) * 32.0 / 60.0) + 1;
    if (answered < 32 || answered > 32 + refilled)
        fprintf(stderr, "%d wrong guesses answered before the 429 (burst 32, refill %d)\n",
                answered, refilled);
    assert_true(answered >= 32 && answered <= 32 + refilled);
    r = login_as("bob@example.com", "builder");
    assert_throttled(&r, "too many wrong passwords from your address");
    resp_free(&r);
    tsu_from = "127.0.0.5";
    r = login_as("bob@example.com", "builder");
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* RFC 8628 §5.1: user code guesses, and wrong lab keys, are throttled per address. */
static void test_user_code_and_lab_key_guesses(void **st)
{
    (void)st;
    tsu_from = "127.0.0.6";
    char *u = url_of(S, "/device");
    for (int i = 0; i < 32; i++) {
        resp r = http_post(u, JSON, "user_code=BBBB-CCCC");
        assert_int_equal(r.status, 400);
        resp_free(&r);
    }
    resp r = http_post(u, JSON, "user_code=BBBB-CCCD");
    free(u);
    assert_throttled(&r, "too many wrong user codes from your address");
    resp_free(&r);
    u = url_of(S, "/lab/switch");
    const char *wrong[] = {"X-Tokenlab-Lab-Key: nope", NULL};
    for (int i = 0; i < 32; i++) {
        r = http_post(u, wrong, "name=alg-none&on=1");
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    const char *right[] = {"X-Tokenlab-Lab-Key: test-lab-key", NULL};
    r = http_post(u, right, "name=alg-none&on=1");
    assert_throttled(&r, "too many wrong lab keys from your address");
    resp_free(&r);
    tsu_from = "127.0.0.7";
    r = http_post(u, right, "name=alg-none&on=0");
    free(u);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* A failed redemption (no verifier, a wrong one, another client) leaves the code alone: the real
 * client's exchange then works, and is not told the code "was already used". */
static void test_failed_redemption_keeps_the_code(void **st)
{
    (void)st;
    char *loc = authorize_location(S, "tokenlab-cli", "http://127.0.0.1:7777/callback", "openid",
                                   "&code_challenge=" CHALLENGE "&code_challenge_method=S256",
                                   "bob@example.com", "builder");
    assert_non_null(loc);
    char *code = query_param(loc, "code");
    free(loc);
    const char *tries[] = {
        "client_id=tokenlab-cli", "client_id=tokenlab-cli&code_verifier=" CHALLENGE,
        "client_id=demo-web&client_secret=demo-web-secret&code_verifier=" VERIFIER,
        "client_id=tokenlab-cli&code_verifier=" VERIFIER};
    for (int i = 0; i < 4; i++) {
        char *body =
            fmt("grant_type=authorization_code&code=%s&redirect_uri=http%%3A%%2F%%2F127.0.0."
                "1%%3A7777%%2Fcallback&%s",
                code, tries[i]);
        resp t = token_req(S, NULL, body);
        free(body);
        if (i < 3) {
            assert_int_equal(t.status, 400);
            assert_null(strstr(jstr(&t, "error_description"), "already used"));
        } else {
            assert_int_equal(t.status, 200);
            assert_non_null(jstr(&t, "access_token"));
        }
        resp_free(&t);
    }
    free(code);
}

/* Sends raw bytes from 127.0.0.2 and returns the whole answer (the server closes after it). */
static char *raw_answer(const char *req)
{
    int fd = connect_from(S, "127.0.0.2");
    assert_true(fd >= 0);
    assert_true(send(fd, req, strlen(req), MSG_NOSIGNAL) > 0);
    shutdown(fd, SHUT_WR);
    static char buf[8192];
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < sizeof buf - 1 && poll(&p, 1, 3000) > 0) {
        ssize_t k = recv(fd, buf + n, sizeof buf - 1 - n, 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    close(fd);
    return buf;
}

/* RFC 9112 §6.3: two different Content-Length values, or Content-Length with Transfer-Encoding,
 * leave the body's length ambiguous (request smuggling): 400, whatever the endpoint. */
static void test_ambiguous_length(void **st)
{
    (void)st;
    const char *h = "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    "application/x-www-form-urlencoded\r\n";
    const char *body = "grant_type=client_credentials&scope=api%3Aread";
    char req[1024];
    snprintf(req, sizeof req, "%sContent-Length: 5\r\nContent-Length: %zu\r\n\r\n%s", h,
             strlen(body), body);
    char *a = raw_answer(req);
    assert_true(strncmp(a, "HTTP/1.1 400", 12) == 0);
    assert_non_null(strstr(a, "two different Content-Length headers"));
    snprintf(req, sizeof req,
             "%sContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n", h,
             strlen(body), body);
    a = raw_answer(req);
    assert_true(strncmp(a, "HTTP/1.1 400", 12) == 0);
    assert_non_null(strstr(a, "Content-Length together with Transfer-Encoding"));
    /* the same length twice is one length; chunked alone is fine: both reach /token (401: no
     * client authentication) */
    snprintf(req, sizeof req, "%sContent-Length: %zu\r\nContent-Length: %zu\r\n\r\n%s", h,
             strlen(body), strlen(body), body);
    assert_true(strncmp(raw_answer(req), "HTTP/1.1 401", 12) == 0);
    snprintf(req, sizeof req, "%sTransfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n", h,
             strlen(body), body);
    assert_true(strncmp(raw_answer(req), "HTTP/1.1 401", 12) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_session_refused_to_others, reset),
        cmocka_unit_test_setup(test_browser_cookie, reset),
        cmocka_unit_test_setup(test_unbound_session_lab, reset),
        cmocka_unit_test_setup(test_pending_quota_per_address, reset),
        cmocka_unit_test_setup(test_pending_quota_raised, reset),
        cmocka_unit_test_setup(test_device_quota_per_address, reset),
        cmocka_unit_test_setup(test_connections_per_address, reset),
        cmocka_unit_test_setup(test_request_head_deadline, reset),
        cmocka_unit_test_setup(test_password_guesses_per_account, reset),
        cmocka_unit_test_setup(test_password_guesses_per_address, reset),
        cmocka_unit_test_setup(test_user_code_and_lab_key_guesses, reset),
        cmocka_unit_test_setup(test_failed_redemption_keeps_the_code, reset),
        cmocka_unit_test_setup(test_ambiguous_length, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
