/* SPDX-License-Identifier: MIT */
/* Helpers for the server integration tests: an embedded server on port 0, libcurl requests,
 * and the JSON authorize flow. Header-only, included by tests/integration/test_server_*.c. */
#ifndef TL_TEST_SERVER_UTIL_H
#define TL_TEST_SERVER_UTIL_H

/* not every test file uses every helper */
#pragma GCC diagnostic ignored "-Wunused-function"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "jose/b64url.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "server/server.h"

typedef struct resp {
    long status;
    char *body;
    size_t len;
    char *headers;
    size_t hlen;
    json_t *json; /* body parsed, when it is JSON */
} resp;

static size_t tsu_write(char *p, size_t sz, size_t n, void *ud)
{
    char **buf = ud;
    size_t *len = (size_t *)(buf + 1);
    size_t add = sz * n;
    char *nb = realloc(*buf, *len + add + 1);
    if (!nb) return 0;
    memcpy(nb + *len, p, add);
    *len += add;
    nb[*len] = '\0';
    *buf = nb;
    return add;
}

static void resp_free(resp *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* The source address of the next requests ("127.0.0.2": a second machine on loopback), or NULL
 * for the default. Room tests set it to act as several clients. */
static const char *tsu_from;

/* Performs a request. hdrs: NULL-terminated list of "Name: value". body NULL = GET (unless
 * method given). */
static resp http(const char *method, const char *url, const char *const *hdrs, const char *body,
                 size_t body_len)
{
    resp r = {0};
    struct {
        char *p;
        size_t n;
    } b = {0}, h = {0};
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tsu_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, tsu_write);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (tsu_from) curl_easy_setopt(c, CURLOPT_INTERFACE, tsu_from);
    struct curl_slist *sl = NULL;
    for (size_t i = 0; hdrs && hdrs[i]; i++) sl = curl_slist_append(sl, hdrs[i]);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
        bool has_ct = false;
        for (size_t i = 0; hdrs && hdrs[i]; i++)
            if (strncasecmp(hdrs[i], "Content-Type:", 13) == 0) has_ct = true;
        if (!has_ct) sl = curl_slist_append(sl, "Content-Type: application/x-www-form-urlencoded");
    }
    if (method) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (sl) curl_easy_setopt(c, CURLOPT_HTTPHEADER, sl);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    else
        r.status = -(long)rc;
    curl_slist_free_all(sl);
    curl_easy_cleanup(c);
    r.body = b.p ? b.p : strdup("");
    r.len = b.n;
    r.headers = h.p ? h.p : strdup("");
    r.hlen = h.n;
    r.json = json_loadb(r.body, r.len, 0, NULL);
    return r;
}

static resp http_get(const char *url, const char *const *hdrs)
{
    return http(NULL, url, hdrs, NULL, 0);
}

static resp http_post(const char *url, const char *const *hdrs, const char *body)
{
    return http(NULL, url, hdrs, body, strlen(body));
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap, ap2;
    va_start(ap, f);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) vsnprintf(s, (size_t)n + 1, f, ap2);
    va_end(ap2);
    return s;
}

static const char *jstr(const resp *r, const char *key)
{
    return json_string_value(json_object_get(r->json, key));
}

/* True when the response headers contain `name: value-prefix` (case-insensitive name). */
static const char *header_value(const resp *r, const char *name)
{
    static char out[2048];
    size_t nl = strlen(name);
    const char *p = r->headers;
    while (p && *p) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ') v++;
            size_t n = strcspn(v, "\r\n");
            if (n >= sizeof out) n = sizeof out - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
        p = strchr(p, '\n');
        if (p) p++;
    }
    return NULL;
}

/* A server-sent event stream (/lab/events, /class/events) read on its own thread until `until`
 * appears in it or 30 s pass. sse_start returns once the stream is open: the server registers the
 * subscriber before it answers and then sends a ": ping" at once, so every event published after
 * sse_start returns reaches the stream (waiting for readiness, not for time). */
typedef struct sse_stream {
    char *url, *auth; /* auth: a header line or NULL */
    const char *until;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *buf;
    size_t n;
    bool open, done;
    long status;
} sse_stream;

static size_t sse_stream_write(char *p, size_t sz, size_t nm, void *ud)
{
    sse_stream *x = ud;
    size_t add = sz * nm;
    pthread_mutex_lock(&x->mu);
    char *nb = realloc(x->buf, x->n + add + 1);
    if (nb) {
        memcpy(nb + x->n, p, add);
        x->n += add;
        nb[x->n] = '\0';
        x->buf = nb;
    }
    if (!x->open && x->buf && strstr(x->buf, ": ping\n")) x->open = true;
    bool stop = x->buf && strstr(x->buf, x->until);
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    return stop || !nb ? 0 : add;
}

static void *sse_stream_main(void *ud)
{
    sse_stream *x = ud;
    CURL *c = curl_easy_init();
    struct curl_slist *sl = x->auth ? curl_slist_append(NULL, x->auth) : NULL;
    curl_easy_setopt(c, CURLOPT_URL, x->url);
    if (sl) curl_easy_setopt(c, CURLOPT_HTTPHEADER, sl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sse_stream_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(sl);
    curl_easy_cleanup(c);
    pthread_mutex_lock(&x->mu);
    x->status = status;
    x->done = true;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* Opens the stream (url and auth are copied); false when it did not open (then call sse_finish
 * all the same, to join and free). */
static bool sse_start(sse_stream *x, const char *url, const char *auth, const char *until)
{
    memset(x, 0, sizeof *x);
    x->url = strdup(url);
    x->auth = auth ? strdup(auth) : NULL;
    x->until = until;
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    pthread_create(&x->th, NULL, sse_stream_main, x);
    pthread_mutex_lock(&x->mu);
    while (!x->open && !x->done) pthread_cond_wait(&x->cv, &x->mu);
    bool open = x->open;
    pthread_mutex_unlock(&x->mu);
    if (!open)
        fprintf(stderr, "sse_start %s: the stream did not open: %s\n", url, x->buf ? x->buf : "");
    return open;
}

/* Waits until `until` was seen (or the stream ended), joins; x->buf keeps what was read. */
static void sse_finish(sse_stream *x)
{
    pthread_join(x->th, NULL);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    if (!x->buf) x->buf = strdup("");
}

static void sse_free(sse_stream *x)
{
    free(x->buf);
    free(x->url);
    free(x->auth);
    memset(x, 0, sizeof *x);
}

static server *start_server(const char *const *labs, size_t nlabs)
{
    server_options o = {0};
    o.listen = "127.0.0.1:0";
    o.labs = labs;
    o.nlabs = nlabs;
    o.lab_key = "test-lab-key";
    o.log = getenv("TOKENLAB_TEST_LOG") ? stderr : NULL;
    server *s = NULL;
    tl_err e = {0};
    if (!server_start(&o, &s, &e)) {
        fprintf(stderr, "server_start: %s\n", e.msg);
        return NULL;
    }
    return s;
}

#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
/* RFC 7636 Appendix B: the challenge of the verifier above */
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

/* Runs /authorize (JSON) → login → consent(allow) and returns the redirect location (caller
 * frees), or NULL. extra: more query parameters ("&nonce=n"). */
static char *authorize_location(server *s, const char *client_id, const char *redirect_uri,
                                const char *scope, const char *extra, const char *email,
                                const char *password)
{
    const char *json[] = {"Accept: application/json", NULL};
    char *ru = curl_easy_escape(NULL, redirect_uri, 0);
    char *sc = curl_easy_escape(NULL, scope, 0);
    char *url = fmt("%s/authorize?response_type=code&client_id=%s&redirect_uri=%s&scope=%s"
                    "&state=st123%s",
                    server_base_url(s), client_id, ru, sc, extra ? extra : "");
    curl_free(ru);
    curl_free(sc);
    resp a = http_get(url, json);
    free(url);
    char *loc = NULL;
    if (a.status == 200 && jstr(&a, "location")) {
        loc = strdup(jstr(&a, "location"));
    } else if (a.status == 200 && jstr(&a, "session")) {
        char *body = fmt("session=%s&session_secret=%s&email=%s&password=%s", jstr(&a, "session"),
                         jstr(&a, "session_secret"), email, password);
        char *lu = fmt("%s/authorize/login", server_base_url(s));
        resp l = http_post(lu, json, body);
        free(body);
        free(lu);
        if (l.status == 200 && jstr(&l, "csrf")) {
            body = fmt("session=%s&session_secret=%s&csrf=%s&decision=allow", jstr(&l, "session"),
                       jstr(&l, "session_secret"), jstr(&l, "csrf"));
            char *cu = fmt("%s/authorize/consent", server_base_url(s));
            resp c = http_post(cu, json, body);
            if (jstr(&c, "location")) loc = strdup(jstr(&c, "location"));
            free(body);
            free(cu);
            resp_free(&c);
        }
        resp_free(&l);
    }
    resp_free(&a);
    return loc;
}

/* The value of query parameter `name` in a URL (caller frees), or NULL. */
static char *query_param(const char *url, const char *name)
{
    const char *q = strchr(url, '?');
    if (!q) return NULL;
    q++;
    size_t nl = strlen(name);
    while (*q) {
        if (strncmp(q, name, nl) == 0 && q[nl] == '=') {
            const char *v = q + nl + 1;
            size_t n = strcspn(v, "&#");
            int outlen = 0;
            char *d = curl_easy_unescape(NULL, v, (int)n, &outlen);
            char *r = d ? strdup(d) : NULL;
            curl_free(d);
            return r;
        }
        q = strchr(q, '&');
        if (!q) break;
        q++;
    }
    return NULL;
}

/* Gets a code for tokenlab-cli with PKCE (S256 of VERIFIER). Caller frees. */
static char *cli_code(server *s, const char *scope, const char *extra)
{
    char *x = fmt("&code_challenge=" CHALLENGE "&code_challenge_method=S256%s", extra ? extra : "");
    char *loc = authorize_location(s, "tokenlab-cli", "http://127.0.0.1:7777/callback", scope, x,
                                   "alice@example.com", "wonderland");
    free(x);
    char *code = loc ? query_param(loc, "code") : NULL;
    free(loc);
    return code;
}

static resp token_req(server *s, const char *const *hdrs, const char *body)
{
    char *u = fmt("%s/token", server_base_url(s));
    resp r = http_post(u, hdrs, body);
    free(u);
    return r;
}

/* Exchanges a cli code with the right verifier. */
static resp cli_exchange(server *s, const char *code)
{
    char *b = fmt("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=tokenlab-cli"
                  "&code_verifier=" VERIFIER,
                  code, "http%3A%2F%2F127.0.0.1%3A7777%2Fcallback");
    resp r = token_req(s, NULL, b);
    free(b);
    return r;
}

static resp api_get(server *s, const char *path, const char *token)
{
    char *u = fmt("%s%s", server_base_url(s), path);
    char *h = fmt("Authorization: Bearer %s", token);
    const char *hdrs[] = {h, NULL};
    resp r = http_get(u, hdrs);
    free(u);
    free(h);
    return r;
}

static char *url_of(server *s, const char *path)
{
    return fmt("%s%s", server_base_url(s), path);
}

#endif
