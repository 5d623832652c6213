/* SPDX-License-Identifier: MIT */
/* http — libcurl multi transport with exact exchange records. See http.h. */
#include "oauth/http.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HTTP_MAX_OBSERVERS 8
#define SSE_MAX_LINE       (1u << 20)
#define HTTP_CONNECT_MS    5000L

typedef struct dbuf {
    char *p;
    size_t n, cap;
} dbuf;

static bool dbuf_add(dbuf *b, const void *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return false;
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

/* Hands the buffer's bytes to *out (always NUL-terminated, "" when empty). */
static void dbuf_take(dbuf *b, char **out, size_t *len)
{
    if (!b->p) dbuf_add(b, "", 0);
    *out = b->p;
    *len = b->p ? b->n : 0;
    b->p = NULL;
    b->n = b->cap = 0;
}

struct exchange_priv {
    http_exchange x; /* first member: an http_exchange* is an exchange_priv* */
    int refs;
};

typedef struct xfer {
    struct xfer *next;
    http_client *c;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body; /* the request body, owned (libcurl does not copy POSTFIELDS) */
    http_exchange *x;
    http_done_fn fn;
    void *ud;
    long timeout_ms;
    struct timespec t0;
    dbuf req_head, req_body, resp_head, resp_raw, resp_body;
    bool too_big;
    /* SSE */
    bool sse;
    http_sse_fn sse_fn;
    void *sse_ud;
    dbuf line;
    dbuf ev_data;
    char *ev_name;
    bool ev_has_data;
    bool sse_bad; /* not a 200 event stream: collect the body for the reason */
    bool sse_saw_cr;
    bool sse_overflow; /* a line or an event above the caps */
} xfer;

struct http_client {
    CURLM *multi;
    xfer *running;
    uint64_t next_id;
    http_exchange *hist[HTTP_HISTORY_MAX];
    size_t hist_start, hist_n;
    struct {
        http_observer_fn fn;
        void *ud;
    } obs[HTTP_MAX_OBSERVERS];
    size_t nobs;
    struct work *works; /* http_work_start, newest first */
};

typedef struct work {
    struct work *next;
    uint64_t id;
    http_work_fn fn;
    void *ud;
} work;

/* ---- requests -------------------------------------------------------------------------------- */

http_request *http_request_new(const char *method, const char *url)
{
    http_request *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->method = strdup(method ? method : "GET");
    r->url = strdup(url ? url : "");
    if (!r->method || !r->url) {
        http_request_free(r);
        return NULL;
    }
    return r;
}

bool http_request_set_header(http_request *r, const char *name, const char *value)
{
    if (!r || !name || !value) return false;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0) {
            char *v = strdup(value);
            if (!v) return false;
            free(r->headers[i].value);
            r->headers[i].value = v;
            return true;
        }
    }
    http_header *h = realloc(r->headers, (r->nheaders + 1) * sizeof *h);
    if (!h) return false;
    r->headers = h;
    h[r->nheaders].name = strdup(name);
    h[r->nheaders].value = strdup(value);
    if (!h[r->nheaders].name || !h[r->nheaders].value) {
        free(h[r->nheaders].name);
        free(h[r->nheaders].value);
        return false;
    }
    r->nheaders++;
    return true;
}

bool http_request_set_body(http_request *r, const char *content_type, const void *body, size_t len)
{
    if (!r) return false;
    char *b = malloc(len + 1);
    if (!b) return false;
    if (len) memcpy(b, body, len);
    b[len] = '\0';
    free(r->body);
    r->body = b;
    r->body_len = len;
    return content_type ? http_request_set_header(r, "Content-Type", content_type) : true;
}

bool http_request_set_label(http_request *r, const char *label)
{
    char *l = label ? strdup(label) : NULL;
    if (label && !l) return false;
    free(r->label);
    r->label = l;
    return true;
}

const char *http_request_header(const http_request *r, const char *name)
{
    for (size_t i = 0; r && i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

void http_request_free(http_request *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->method);
    free(r->url);
    free(r->body);
    free(r->label);
    free(r);
}

/* ---- exchanges ------------------------------------------------------------------------------- */

static http_exchange *exchange_new(void)
{
    struct exchange_priv *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->refs = 1;
    return &p->x;
}

http_exchange *http_exchange_ref(http_exchange *x)
{
    if (x) ((struct exchange_priv *)x)->refs++;
    return x;
}

void http_exchange_unref(http_exchange *x)
{
    if (!x) return;
    struct exchange_priv *p = (struct exchange_priv *)x;
    if (--p->refs > 0) return;
    free(x->label);
    free(x->method);
    free(x->url);
    free(x->req_head);
    free(x->req_body);
    free(x->resp_head);
    free(x->resp_body);
    free(x->body);
    free(x->status_line);
    for (size_t i = 0; i < x->nresp_headers; i++) {
        free(x->resp_headers[i].name);
        free(x->resp_headers[i].value);
    }
    free(x->resp_headers);
    free(x->content_type);
    free(x->location);
    json_decref(x->json);
    free(p);
}

const char *http_exchange_header(const http_exchange *x, const char *name)
{
    for (size_t i = 0; x && i < x->nresp_headers; i++)
        if (strcasecmp(x->resp_headers[i].name, name) == 0) return x->resp_headers[i].value;
    return NULL;
}

static int64_t now_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Parses the LAST response block of a raw header capture (interim 1xx responses come first). */
static void parse_response_head(http_exchange *x)
{
    const char *h = x->resp_head;
    if (!h || !*h) return;
    const char *last = NULL;
    for (const char *p = h; p && *p;) {
        if (strncmp(p, "HTTP/", 5) == 0) last = p;
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!last) return;
    const char *eol = strpbrk(last, "\r\n");
    size_t n = eol ? (size_t)(eol - last) : strlen(last);
    x->status_line = strndup(last, n);
    const char *p = eol;
    while (p && *p) {
        while (*p == '\r' || *p == '\n') p++;
        if (!*p) break;
        eol = strpbrk(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (colon && colon > p) {
            const char *v = colon + 1;
            const char *end = p + len;
            while (v < end && (*v == ' ' || *v == '\t')) v++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
            http_header *nh = realloc(x->resp_headers, (x->nresp_headers + 1) * sizeof *nh);
            if (!nh) return;
            x->resp_headers = nh;
            nh[x->nresp_headers].name = strndup(p, (size_t)(colon - p));
            nh[x->nresp_headers].value = strndup(v, (size_t)(end - v));
            if (!nh[x->nresp_headers].name || !nh[x->nresp_headers].value) {
                free(nh[x->nresp_headers].name);
                free(nh[x->nresp_headers].value);
                return;
            }
            x->nresp_headers++;
        }
        p = eol;
    }
    const char *ct = http_exchange_header(x, "Content-Type");
    if (ct) x->content_type = strdup(ct);
    const char *loc = http_exchange_header(x, "Location");
    if (loc) x->location = strdup(loc);
}

static bool is_json_type(const char *ct)
{
    if (!ct) return false;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) n--;
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0) return true;
    return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

static void parse_json_body(http_exchange *x)
{
    if (!x->body || !x->body_len) return;
    const char *p = x->body;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    if (!is_json_type(x->content_type) && *p != '{' && *p != '[') return;
    json_error_t je;
    json_t *j = json_loadb(x->body, x->body_len, JSON_REJECT_DUPLICATES, &je);
    if (j && (json_is_object(j) || json_is_array(j)))
        x->json = j;
    else
        json_decref(j);
}

/* ---- observers and history ------------------------------------------------------------------- */

static void notify(http_client *c, http_exchange *x)
{
    for (size_t i = 0; i < c->nobs; i++)
        if (c->obs[i].fn) c->obs[i].fn(c, x, c->obs[i].ud);
}

static void history_push(http_client *c, http_exchange *x)
{
    if (c->hist_n == HTTP_HISTORY_MAX) {
        http_exchange_unref(c->hist[c->hist_start]);
        c->hist[c->hist_start] = http_exchange_ref(x);
        c->hist_start = (c->hist_start + 1) % HTTP_HISTORY_MAX;
    } else {
        c->hist[(c->hist_start + c->hist_n) % HTTP_HISTORY_MAX] = http_exchange_ref(x);
        c->hist_n++;
    }
}

size_t http_history_count(const http_client *c)
{
    return c ? c->hist_n : 0;
}

http_exchange *http_history_get(const http_client *c, size_t i)
{
    if (!c || i >= c->hist_n) return NULL;
    return c->hist[(c->hist_start + i) % HTTP_HISTORY_MAX];
}

http_exchange *http_history_find(const http_client *c, uint64_t id)
{
    for (size_t i = 0; c && i < c->hist_n; i++) {
        http_exchange *x = http_history_get(c, i);
        if (x->id == id) return x;
    }
    return NULL;
}

void http_history_clear(http_client *c)
{
    for (size_t i = 0; i < c->hist_n; i++) http_exchange_unref(http_history_get(c, i));
    c->hist_n = 0;
    c->hist_start = 0;
}

bool http_on_exchange(http_client *c, http_observer_fn fn, void *ud)
{
    if (!c || !fn || c->nobs == HTTP_MAX_OBSERVERS) return false;
    c->obs[c->nobs].fn = fn;
    c->obs[c->nobs].ud = ud;
    c->nobs++;
    return true;
}

void http_off_exchange(http_client *c, http_observer_fn fn, void *ud)
{
    for (size_t i = 0; c && i < c->nobs; i++) {
        if (c->obs[i].fn == fn && c->obs[i].ud == ud) {
            memmove(&c->obs[i], &c->obs[i + 1], (c->nobs - i - 1) * sizeof c->obs[0]);
            c->nobs--;
            return;
        }
    }
}

/* ---- libcurl callbacks ----------------------------------------------------------------------- */

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    xfer *t = ud;
    dbuf *b = NULL;
    switch (type) {
    case CURLINFO_HEADER_OUT:
        b = &t->req_head;
        break;
    case CURLINFO_DATA_OUT:
        b = &t->req_body;
        break;
    case CURLINFO_HEADER_IN:
        b = &t->resp_head;
        break;
    case CURLINFO_DATA_IN:
        if (t->sse) return 0; /* a stream: never buffered whole */
        b = &t->resp_raw;
        break;
    default:
        return 0;
    }
    /* The body cap is enforced by the write callback; this only bounds the raw copy. */
    if (b->n + size > (size_t)HTTP_MAX_BODY + 65536) return 0;
    dbuf_add(b, data, size);
    /* While pending, the record shows the request bytes already sent (borrowed from the
     * buffer; finish() hands the buffer itself over to the record). */
    if (type == CURLINFO_HEADER_OUT) {
        t->x->req_head = t->req_head.p;
        t->x->req_head_len = t->req_head.n;
    } else if (type == CURLINFO_DATA_OUT) {
        t->x->req_body = t->req_body.p;
        t->x->req_body_len = t->req_body.n;
    }
    return 0;
}

static void sse_dispatch(xfer *t)
{
    if (t->ev_has_data) {
        /* the data buffer ends with '\n' after each data line: drop the last one */
        if (t->ev_data.n && t->ev_data.p[t->ev_data.n - 1] == '\n')
            t->ev_data.p[--t->ev_data.n] = '\0';
        t->sse_fn(t->ev_name ? t->ev_name : "message", t->ev_data.p ? t->ev_data.p : "", t->sse_ud);
    }
    free(t->ev_name);
    t->ev_name = NULL;
    t->ev_data.n = 0;
    if (t->ev_data.p) t->ev_data.p[0] = '\0';
    t->ev_has_data = false;
}

/* One line of an event stream (HTML Living Standard §9.2.6). */
static void sse_line(xfer *t, const char *line, size_t n)
{
    if (n == 0) {
        sse_dispatch(t);
        return;
    }
    if (line[0] == ':') return; /* comment / keep-alive */
    const char *colon = memchr(line, ':', n);
    size_t fn = colon ? (size_t)(colon - line) : n;
    const char *v = colon ? colon + 1 : line + n;
    size_t vn = (size_t)(line + n - v);
    if (vn && *v == ' ') {
        v++;
        vn--;
    }
    if (fn == 5 && memcmp(line, "event", 5) == 0) {
        free(t->ev_name);
        t->ev_name = strndup(v, vn);
    } else if (fn == 4 && memcmp(line, "data", 4) == 0) {
        dbuf_add(&t->ev_data, v, vn);
        dbuf_add(&t->ev_data, "\n", 1);
        t->ev_has_data = true;
    }
}

static size_t sse_feed(xfer *t, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '\n' && t->sse_saw_cr) { /* the LF of a CRLF */
            t->sse_saw_cr = false;
            continue;
        }
        t->sse_saw_cr = ch == '\r';
        if (ch == '\r' || ch == '\n') {
            sse_line(t, t->line.p ? t->line.p : "", t->line.n);
            t->line.n = 0;
            if (t->ev_data.n > HTTP_MAX_BODY) { /* an event that never ends */
                t->sse_overflow = true;
                return 0;
            }
        } else {
            if (t->line.n >= SSE_MAX_LINE) { /* a runaway line: fail the stream */
                t->sse_overflow = true;
                return 0;
            }
            if (!dbuf_add(&t->line, &ch, 1)) return 0;
        }
    }
    return n;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ud)
{
    xfer *t = ud;
    size_t n = size * nmemb;
    if (t->sse) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) t->sse_bad = true;
        if (t->sse_bad) {
            if (t->resp_body.n < 4096) dbuf_add(&t->resp_body, data, n);
            return n;
        }
        return sse_feed(t, data, n);
    }
    if (t->resp_body.n + n > HTTP_MAX_BODY) {
        t->too_big = true;
        return 0;
    }
    return dbuf_add(&t->resp_body, data, n) ? n : 0;
}

/* ---- sending --------------------------------------------------------------------------------- */

/* "http://host:port" of a URL, for messages. Caller frees. */
static char *url_origin(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
        size_t n = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + 8;
        out = malloc(n);
        if (out) snprintf(out, n, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out ? out : strdup(url);
}

static bool check_url(const char *url, tl_err *e)
{
    if (!url || !*url) return err_set(e, "http.bad_url", "no URL given");
    CURLU *u = curl_url();
    if (!u) return err_set(e, "http.nomem", "out of memory");
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    char *scheme = NULL;
    bool ok = rc == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
    curl_free(scheme);
    curl_url_cleanup(u);
    if (!ok)
        return err_set(e, "http.bad_url",
                       "not an http(s) URL: '%.200s' (expected http://host:port/path)", url);
    return true;
}

static void xfer_free(xfer *t)
{
    if (!t) return;
    if (t->easy) curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->hdrs);
    free(t->body);
    free(t->req_head.p);
    free(t->req_body.p);
    free(t->resp_head.p);
    free(t->resp_raw.p);
    free(t->resp_body.p);
    free(t->line.p);
    free(t->ev_data.p);
    free(t->ev_name);
    http_exchange_unref(t->x);
    free(t);
}

static xfer *xfer_make(http_client *c, const http_request *req, tl_err *e)
{
    if (!req || !req->method || !*req->method) {
        err_set(e, "http.bad_request", "request has no method");
        return NULL;
    }
    if (!check_url(req->url, e)) return NULL;
    xfer *t = calloc(1, sizeof *t);
    if (!t) goto nomem;
    t->c = c;
    t->x = exchange_new();
    t->easy = curl_easy_init();
    if (!t->x || !t->easy) goto nomem;
    http_exchange *x = t->x;
    x->id = ++c->next_id;
    x->state = HTTP_PENDING;
    x->method = strdup(req->method);
    x->url = strdup(req->url);
    if (req->label) x->label = strdup(req->label);
    if (!x->method || !x->url) goto nomem;
    x->start_ms = now_wall_ms();
    clock_gettime(CLOCK_MONOTONIC, &t->t0);
    t->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT;

    CURL *h = t->easy;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PRIVATE, t);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* each hop is part of the lesson */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* required for the debug callback */
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CONNECT_MS);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tokenlab/" TOKENLAB_VERSION);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);

    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(req->method, "POST") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (req->body || strcmp(req->method, "POST") == 0) {
        t->body = malloc(req->body_len + 1);
        if (!t->body) goto nomem;
        if (req->body_len) memcpy(t->body, req->body, req->body_len);
        t->body[req->body_len] = '\0';
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
    for (size_t i = 0; i < req->nheaders; i++) {
        const http_header *hd = &req->headers[i];
        size_t n = strlen(hd->name) + strlen(hd->value) + 3;
        char *line = malloc(n);
        if (!line) goto nomem;
        /* "Name;" is libcurl's way to send a header with an empty value */
        if (*hd->value)
            snprintf(line, n, "%s: %s", hd->name, hd->value);
        else
            snprintf(line, n, "%s;", hd->name);
        struct curl_slist *s = curl_slist_append(t->hdrs, line);
        free(line);
        if (!s) goto nomem;
        t->hdrs = s;
    }
    /* No "Expect: 100-continue" round trip: the trace should show one request, one answer. */
    struct curl_slist *s = curl_slist_append(t->hdrs, "Expect:");
    if (!s) goto nomem;
    t->hdrs = s;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->hdrs);
    return t;
nomem:
    xfer_free(t);
    err_set(e, "http.nomem", "out of memory");
    return NULL;
}

static bool xfer_start(http_client *c, xfer *t, tl_err *e)
{
    CURLMcode mc = curl_multi_add_handle(c->multi, t->easy);
    if (mc != CURLM_OK) {
        err_set(e, "http.transport", "cannot start the request: %s", curl_multi_strerror(mc));
        xfer_free(t);
        return false;
    }
    t->next = c->running;
    c->running = t;
    return true;
}

bool http_send(http_client *c, const http_request *req, http_done_fn fn, void *ud, uint64_t *id_out,
               tl_err *e)
{
    if (!c) return err_set(e, "http.bad_request", "no http client");
    xfer *t = xfer_make(c, req, e);
    if (!t) return false;
    t->fn = fn;
    t->ud = ud;
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    /* Content-Length is checked up front too, so a huge body is refused before it arrives. */
    curl_easy_setopt(t->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY);
    http_exchange *x = http_exchange_ref(t->x);
    if (!xfer_start(c, t, e)) {
        http_exchange_unref(x);
        return false;
    }
    if (id_out) *id_out = x->id;
    history_push(c, x);
    notify(c, x);
    http_exchange_unref(x);
    return true;
}

bool http_sse_open(http_client *c, const char *url, http_sse_fn fn, void *ud, uint64_t *id_out,
                   tl_err *e)
{
    return http_sse_open_auth(c, url, NULL, fn, ud, id_out, e);
}

bool http_sse_open_auth(http_client *c, const char *url, const char *authorization, http_sse_fn fn,
                        void *ud, uint64_t *id_out, tl_err *e)
{
    if (!c || !fn) return err_set(e, "http.bad_request", "no client or no event callback");
    http_request *req = http_request_new("GET", url);
    if (!req || !http_request_set_header(req, "Accept", "text/event-stream") ||
        !http_request_set_header(req, "Cache-Control", "no-cache") ||
        (authorization && !http_request_set_header(req, "Authorization", authorization))) {
        http_request_free(req);
        return err_set(e, "http.nomem", "out of memory");
    }
    xfer *t = xfer_make(c, req, e);
    http_request_free(req);
    if (!t) return false;
    t->sse = true;
    t->sse_fn = fn;
    t->sse_ud = ud;
    /* no overall timeout for a stream; a dead peer is caught by TCP keepalive */
    curl_easy_setopt(t->easy, CURLOPT_TCP_KEEPALIVE, 1L);
    uint64_t id = t->x->id;
    if (!xfer_start(c, t, e)) return false;
    if (id_out) *id_out = id;
    return true;
}

/* ---- completion ------------------------------------------------------------------------------ */

static void set_transport_error(xfer *t, CURLcode rc, const char *errbuf)
{
    http_exchange *x = t->x;
    char *origin = url_origin(x->url);
    const char *o = origin ? origin : x->url;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        err_set(&x->err, "http.refused", "connection refused: is the server running at %s?", o);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        err_set(&x->err, "http.resolve", "cannot resolve the host of %s: check the server address",
                o);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        err_set(&x->err, "http.timeout", "no answer from %s within %ld ms", o, t->timeout_ms);
        break;
    case CURLE_FILESIZE_EXCEEDED:
        err_set(&x->err, "http.too_big", "response body from %s is larger than %u bytes", o,
                HTTP_MAX_BODY);
        break;
    case CURLE_WRITE_ERROR:
        if (t->too_big) {
            err_set(&x->err, "http.too_big", "response body from %s is larger than %u bytes", o,
                    HTTP_MAX_BODY);
            break;
        }
        /* fall through */
    default:
        err_set(&x->err, "http.transport", "request to %s failed: %s%s%s", o,
                curl_easy_strerror(rc), errbuf && *errbuf ? ": " : "", errbuf ? errbuf : "");
        break;
    }
    free(origin);
}

static void unlink_xfer(http_client *c, xfer *t)
{
    for (xfer **pp = &c->running; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            t->next = NULL;
            return;
        }
    }
}

/* Fills the exchange from the captured bytes, runs the callbacks, frees the transfer. */
static void finish(http_client *c, xfer *t, CURLcode rc, bool cancelled)
{
    unlink_xfer(c, t);
    curl_multi_remove_handle(c->multi, t->easy);
    http_exchange *x = t->x;
    x->duration_ms = elapsed_ms(&t->t0);
    dbuf_take(&t->req_head, &x->req_head, &x->req_head_len);
    dbuf_take(&t->req_body, &x->req_body, &x->req_body_len);
    dbuf_take(&t->resp_head, &x->resp_head, &x->resp_head_len);
    dbuf_take(&t->resp_raw, &x->resp_body, &x->resp_body_len);
    dbuf_take(&t->resp_body, &x->body, &x->body_len);
    parse_response_head(x);
    if (x->status_line) {
        const char *sp = strchr(x->status_line, ' ');
        if (sp) x->status = strtol(sp + 1, NULL, 10);
    }
    if (cancelled) {
        x->state = HTTP_CANCELLED;
        err_set(&x->err, "http.cancelled", "%s %s was cancelled", x->method, x->url);
    } else if (rc != CURLE_OK) {
        x->state = HTTP_FAILED;
        set_transport_error(t, rc, NULL);
    } else {
        x->state = HTTP_DONE;
        parse_json_body(x);
    }
    http_exchange_ref(x); /* callbacks may evict it from the history */
    if (t->sse) {
        /* an event cut off by the end of the stream is discarded (HTML §9.2.6) */
        char reason[TL_ERR_MSG_MAX + 64];
        if (cancelled)
            snprintf(reason, sizeof reason, "closed");
        else if (t->sse_overflow)
            snprintf(reason, sizeof reason,
                     "%s sent an event line above %u bytes or an event above %u bytes", x->url,
                     SSE_MAX_LINE, HTTP_MAX_BODY);
        else if (rc != CURLE_OK)
            snprintf(reason, sizeof reason, "%s", x->err.msg);
        else if (t->sse_bad)
            snprintf(reason, sizeof reason, "%s answered %ld, not an event stream", x->url,
                     x->status);
        else
            snprintf(reason, sizeof reason, "the server ended the event stream");
        t->sse_fn(NULL, reason, t->sse_ud);
    } else {
        if (t->fn) t->fn(c, x, t->ud);
        notify(c, x);
    }
    xfer_free(t);
    http_exchange_unref(x);
}

/* Returns the number of completions dispatched. */
static int dispatch(http_client *c)
{
    CURLMsg *m;
    int left, n = 0;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        xfer *t = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        if (t) {
            finish(c, t, m->data.result, false);
            n++;
        }
    }
    return n;
}

bool http_work_start(http_client *c, http_work_fn fn, void *ud, uint64_t *id_out, tl_err *e)
{
    if (!c || !fn) return err_set(e, "http.bad_request", "no client or no work function");
    work *w = calloc(1, sizeof *w);
    if (!w) return err_set(e, "http.nomem", "out of memory");
    w->id = ++c->next_id;
    w->fn = fn;
    w->ud = ud;
    w->next = c->works;
    c->works = w;
    if (id_out) *id_out = w->id;
    return true;
}

/* Unlinks the work with this id; NULL when there is none (finished or cancelled already). */
static work *work_take(http_client *c, uint64_t id)
{
    for (work **pp = &c->works; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            work *w = *pp;
            *pp = w->next;
            return w;
        }
    }
    return NULL;
}

/* One slice of each work that existed when the turn began. A slice may start or cancel works:
 * each is looked up again by id, never through a pointer kept across a call. */
static void run_works(http_client *c)
{
    uint64_t ids[16];
    size_t n = 0;
    for (work *w = c->works; w && n < 16; w = w->next) ids[n++] = w->id;
    for (size_t i = 0; i < n; i++) {
        work *w = NULL;
        for (w = c->works; w && w->id != ids[i]; w = w->next) {}
        if (!w) continue;
        if (w->fn(w->ud, false)) free(work_take(c, ids[i]));
    }
}

bool http_cancel(http_client *c, uint64_t id)
{
    work *w = c ? work_take(c, id) : NULL;
    if (w) {
        w->fn(w->ud, true);
        free(w);
        return true;
    }
    for (xfer *t = c ? c->running : NULL; t; t = t->next) {
        if (t->x->id == id) {
            finish(c, t, CURLE_OK, true);
            return true;
        }
    }
    return false;
}

void http_cancel_all(http_client *c)
{
    while (c && c->running) finish(c, c->running, CURLE_OK, true);
    while (c && c->works) http_cancel(c, c->works->id);
}

/* ---- the loop -------------------------------------------------------------------------------- */

http_client *http_client_new(void)
{
    static bool inited;
    if (!inited) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return NULL;
        inited = true;
    }
    http_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return NULL;
    }
    return c;
}

void http_client_free(http_client *c)
{
    if (!c) return;
    http_cancel_all(c);
    http_history_clear(c);
    curl_multi_cleanup(c->multi);
    free(c);
}

int http_poll(http_client *c, struct curl_waitfd *extra, unsigned nextra, int timeout_ms)
{
    int running = 0, numfds = 0;
    if (!c) return -1;
    if (!extra) nextra = 0;
    for (unsigned i = 0; i < nextra; i++) extra[i].revents = 0;
    if (curl_multi_perform(c->multi, &running) != CURLM_OK) return -1;
    /* something just completed, or work is waiting: look at the fds, but do not sleep */
    if (dispatch(c) > 0 || timeout_ms < 0 || c->works) timeout_ms = 0;
    if (curl_multi_poll(c->multi, extra, nextra, timeout_ms, &numfds) != CURLM_OK) return -1;
    if (curl_multi_perform(c->multi, &running) != CURLM_OK) return -1;
    dispatch(c);
    run_works(c);
    int ready = 0;
    for (unsigned i = 0; i < nextra; i++)
        if (extra[i].revents) ready++;
    return ready;
}

bool http_busy(const http_client *c)
{
    if (c && c->works) return true;
    for (const xfer *t = c ? c->running : NULL; t; t = t->next)
        if (!t->sse) return true;
    return false;
}

bool http_wait(http_client *c, int timeout_ms)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (http_busy(c)) {
        int slice = 100;
        if (timeout_ms >= 0) {
            long left = timeout_ms - elapsed_ms(&t0);
            if (left <= 0) return false;
            if (left < slice) slice = (int)left;
        }
        if (http_poll(c, NULL, 0, slice) < 0) return false;
    }
    return true;
}

http_exchange *http_send_wait(http_client *c, const http_request *req, tl_err *e)
{
    uint64_t id = 0;
    if (!http_send(c, req, NULL, NULL, &id, e)) return NULL;
    http_exchange *x = http_exchange_ref(http_history_find(c, id));
    while (x && x->state == HTTP_PENDING)
        if (http_poll(c, NULL, 0, 100) < 0) break;
    return x;
}

/* ---- text and masking ------------------------------------------------------------------------ */

static void add_body(dbuf *b, const char *body, size_t n, size_t max)
{
    if (!body || !n) return;
    if (max && n > max) {
        dbuf_add(b, body, max);
        char note[64];
        snprintf(note, sizeof note, "\n[… %zu more bytes]", n - max);
        dbuf_add(b, note, strlen(note));
    } else {
        dbuf_add(b, body, n);
    }
}

char *http_exchange_text(const http_exchange *x, bool mask, size_t max_body)
{
    if (!x) return NULL;
    dbuf b = {0};
    if (x->req_head && x->req_head_len) {
        dbuf_add(&b, x->req_head, x->req_head_len);
    } else {
        dbuf_add(&b, x->method, strlen(x->method));
        dbuf_add(&b, " ", 1);
        dbuf_add(&b, x->url, strlen(x->url));
        dbuf_add(&b, "\r\n\r\n", 4);
    }
    add_body(&b, x->req_body, x->req_body_len, max_body);
    if (x->req_body_len) dbuf_add(&b, "\n", 1);
    dbuf_add(&b, "\n", 1);
    if (x->state == HTTP_PENDING) {
        dbuf_add(&b, "(waiting for the answer)\n", 25);
    } else if (x->resp_head && x->resp_head_len) {
        dbuf_add(&b, x->resp_head, x->resp_head_len);
        add_body(&b, x->body, x->body_len, max_body);
    }
    if (x->state == HTTP_FAILED || x->state == HTTP_CANCELLED) {
        dbuf_add(&b, "\n! ", 3);
        dbuf_add(&b, x->err.msg, strlen(x->err.msg));
        dbuf_add(&b, "\n", 1);
    }
    if (!b.p) dbuf_add(&b, "", 0);
    if (!mask) return b.p;
    char *m = http_mask_secrets(b.p);
    free(b.p);
    return m;
}

static const char *const secret_keys[] = {"password", "client_secret", "code_verifier",
                                          "refresh_token"};
#define MASK "*****"

static bool key_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

/* Length of a secret key name starting at p (whole word), 0 if none. */
static size_t secret_key_at(const char *start, const char *p)
{
    if (p > start && key_char(p[-1])) return 0;
    for (size_t i = 0; i < sizeof secret_keys / sizeof *secret_keys; i++) {
        size_t n = strlen(secret_keys[i]);
        if (strncmp(p, secret_keys[i], n) == 0 && !key_char(p[n])) return n;
    }
    return 0;
}

/* Request headers whose whole value is a secret of the server's (not of the learner's flow). */
static const char *const secret_headers[] = {"X-Tokenlab-Lab-Key:", "X-Tokenlab-Class-Key:"};

/* Length of a secret header's "Name:" at the start of a line at p, 0 if none. */
static size_t secret_header_at(const char *p)
{
    for (size_t i = 0; i < sizeof secret_headers / sizeof *secret_headers; i++) {
        size_t n = strlen(secret_headers[i]);
        if (strncasecmp(p, secret_headers[i], n) == 0) return n;
    }
    return 0;
}

char *http_mask_secrets(const char *text)
{
    if (!text) return NULL;
    dbuf b = {0};
    const char *p = text;
    while (*p) {
        /* the lab and instructor keys: the trace is often on the projector */
        size_t hn = (p == text || p[-1] == '\n') ? secret_header_at(p) : 0;
        if (hn) {
            const char *v = p + hn;
            while (*v == ' ' || *v == '\t') v++;
            dbuf_add(&b, p, (size_t)(v - p));
            dbuf_add(&b, MASK, strlen(MASK));
            p = v + strcspn(v, "\r\n");
            continue;
        }
        /* Authorization: Basic <credentials> */
        if ((p == text || p[-1] == '\n') && strncasecmp(p, "Authorization:", 14) == 0) {
            const char *v = p + 14;
            while (*v == ' ' || *v == '\t') v++;
            if (strncasecmp(v, "Basic", 5) == 0 && (v[5] == ' ' || v[5] == '\t')) {
                const char *cred = v + 5;
                while (*cred == ' ' || *cred == '\t') cred++;
                dbuf_add(&b, p, (size_t)(cred - p));
                dbuf_add(&b, MASK, strlen(MASK));
                p = cred + strcspn(cred, "\r\n");
                continue;
            }
        }
        /* "key": "value" (JSON) */
        if (*p == '"') {
            size_t kn = secret_key_at(text, p + 1);
            if (kn && p[1 + kn] == '"') {
                const char *q = p + 2 + kn;
                while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
                if (*q == ':') {
                    q++;
                    while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
                    if (*q == '"') {
                        const char *end = q + 1;
                        while (*end && *end != '"') {
                            if (*end == '\\' && end[1]) end++;
                            end++;
                        }
                        dbuf_add(&b, p, (size_t)(q + 1 - p));
                        dbuf_add(&b, MASK, strlen(MASK));
                        p = end; /* the closing quote (or the end) is copied next */
                        continue;
                    }
                }
            }
        }
        /* key=value (form) */
        if (p == text || p[-1] == '&' || p[-1] == '?' || p[-1] == '\n' || p[-1] == ' ') {
            size_t kn = secret_key_at(text, p);
            if (kn && p[kn] == '=') {
                dbuf_add(&b, p, kn + 1);
                dbuf_add(&b, MASK, strlen(MASK));
                p += kn + 1;
                p += strcspn(p, "& \r\n");
                continue;
            }
        }
        dbuf_add(&b, p, 1);
        p++;
    }
    if (!b.p) dbuf_add(&b, "", 0);
    return b.p;
}
