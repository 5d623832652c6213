/* SPDX-License-Identifier: MIT */
/* The HTTP transport against a tiny libmicrohttpd responder inside this test: exact bytes in the
 * exchange record, redirects not followed, a refused connection's message, cancel, timeouts, the
 * body cap, chunked bodies, http_poll with the caller's fds, SSE, the bounded history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "closed_port.h"
#include "oauth/http.h"

static struct MHD_Daemon *daemon_;
static char base[64];

typedef struct conn_state {
    char *body;
    size_t len;
} conn_state;

static ssize_t events_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    static const char *const parts[] = {
        ": keep-alive comment\n\n",
        "event: issued\ndata: {\"endpoint\":\"/token\"}\n\n",
        "data: line one\r\ndata: line two\r\n\r\n",
        "event: refused\ndata: PKCE verifier does not match\n\nevent: tail\ndata: x",
    };
    size_t *i = cls;
    if (*i >= sizeof parts / sizeof *parts) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = strlen(parts[*i]);
    if (n > max) n = max;
    memcpy(buf, parts[*i], n);
    (*i)++;
    return (ssize_t)n;
}

static void free_counter(void *cls)
{
    free(cls);
}

static ssize_t chunk_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    static const char text[] = "{\"chunked\":true,\"pad\":\"0123456789\"}";
    if (pos >= sizeof text - 1) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = sizeof text - 1 - (size_t)pos;
    if (n > 10) n = 10; /* several chunks */
    if (n > max) n = max;
    memcpy(buf, text + pos, n);
    return (ssize_t)n;
}

static ssize_t big_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    if (pos > HTTP_MAX_BODY + 100) return MHD_CONTENT_READER_END_OF_STREAM;
    memset(buf, 'y', max);
    return (ssize_t)max;
}

static ssize_t endless_line(void *cls, uint64_t pos, char *buf, size_t max)
{
    if (pos > (2u << 20)) return MHD_CONTENT_READER_END_OF_STREAM;
    memset(buf, 'z', max);
    if (pos == 0 && max > 6) memcpy(buf, "data: ", 6);
    return (ssize_t)max;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    conn_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_size) {
        st->body = realloc(st->body, st->len + *upload_size + 1);
        memcpy(st->body + st->len, upload, *upload_size);
        st->len += *upload_size;
        st->body[st->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *r;
    unsigned status = 200;
    if (strcmp(url, "/hello") == 0) {
        const char *j = "{\"hi\":\"there\"}";
        r = MHD_create_response_from_buffer(strlen(j), (void *)j, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "application/json");
    } else if (strcmp(url, "/echo") == 0) {
        r = MHD_create_response_from_buffer(st->len, st->body ? st->body : "",
                                            MHD_RESPMEM_MUST_COPY);
        MHD_add_response_header(r, "Content-Type", "text/plain");
        MHD_add_response_header(r, "X-Method", method);
    } else if (strcmp(url, "/redirect") == 0) {
        r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Location", "/hello?from=redirect");
        status = 303;
    } else if (strcmp(url, "/slow") == 0) {
        sleep(2);
        r = MHD_create_response_from_buffer(4, "slow", MHD_RESPMEM_PERSISTENT);
    } else if (strcmp(url, "/big") == 0) {
        size_t n = HTTP_MAX_BODY + 100;
        char *big = malloc(n);
        memset(big, 'x', n);
        r = MHD_create_response_from_buffer(n, big, MHD_RESPMEM_MUST_FREE);
    } else if (strcmp(url, "/bigchunked") == 0) { /* no Content-Length: caught while reading */
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, big_reader, NULL, NULL);
    } else if (strcmp(url, "/chunked") == 0) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64, chunk_reader, NULL, NULL);
        MHD_add_response_header(r, "Content-Type", "application/json");
    } else if (strcmp(url, "/endless") == 0) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, endless_line, NULL, NULL);
        MHD_add_response_header(r, "Content-Type", "text/event-stream");
    } else if (strcmp(url, "/events") == 0) {
        size_t *counter = calloc(1, sizeof *counter);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, events_reader, counter,
                                              free_counter);
        MHD_add_response_header(r, "Content-Type", "text/event-stream");
    } else {
        r = MHD_create_response_from_buffer(9, "not found", MHD_RESPMEM_PERSISTENT);
        status = 404;
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    conn_state *st = *con_cls;
    if (st) free(st->body);
    free(st);
    *con_cls = NULL;
}

static int setup(void **state)
{
    daemon_ = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_SOCK_ADDR,
        &(struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
        MHD_OPTION_END);
    if (!daemon_) return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)info->port);
    return 0;
}

static int teardown(void **state)
{
    MHD_stop_daemon(daemon_);
    return 0;
}

static char *url(const char *path)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s%s", base, path);
    return buf;
}

typedef struct seen {
    int starts, ends, done_calls;
    http_state last_state;
    uint64_t last_id;
} seen;

static void observer(http_client *c, http_exchange *x, void *ud)
{
    seen *s = ud;
    if (x->state == HTTP_PENDING)
        s->starts++;
    else
        s->ends++;
}

static void on_done(http_client *c, http_exchange *x, void *ud)
{
    seen *s = ud;
    s->done_calls++;
    s->last_state = x->state;
    s->last_id = x->id;
}

static void exchange_holds_exact_bytes(void **state)
{
    http_client *c = http_client_new();
    seen s = {0};
    assert_true(http_on_exchange(c, observer, &s));
    http_request *r = http_request_new("POST", url("/echo"));
    const char body[] = "grant_type=password&password=hunter2&x=%20";
    http_request_set_body(r, "application/x-www-form-urlencoded", body, strlen(body));
    http_request_set_header(r, "X-Test", "one two");
    http_request_set_label(r, "echo");
    tl_err e = {0};
    uint64_t id = 0;
    assert_true(http_send(c, r, on_done, &s, &id, &e));
    http_request_free(r);
    assert_true(id > 0);
    assert_int_equal(s.starts, 1);     /* the observer saw it start */
    assert_int_equal(s.done_calls, 0); /* never synchronously */
    assert_true(http_busy(c));
    assert_true(http_wait(c, 5000));
    assert_int_equal(s.done_calls, 1);
    assert_int_equal(s.ends, 1);
    assert_int_equal(s.last_id, id);

    http_exchange *x = http_history_find(c, id);
    assert_non_null(x);
    assert_int_equal(x->state, HTTP_DONE);
    assert_string_equal(x->label, "echo");
    char want_line[128];
    snprintf(want_line, sizeof want_line, "POST /echo HTTP/1.1\r\nHost: %s\r\n", base + 7);
    assert_memory_equal(x->req_head, want_line, strlen(want_line));
    assert_non_null(strstr(x->req_head, "\r\nX-Test: one two\r\n"));
    assert_non_null(strstr(x->req_head, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
    assert_non_null(strstr(x->req_head, "\r\nContent-Length: 42\r\n"));
    assert_null(strstr(x->req_head, "Expect:"));
    assert_int_equal(x->req_head_len, strlen(x->req_head));
    assert_string_equal(x->req_head + x->req_head_len - 4, "\r\n\r\n");
    assert_int_equal(x->req_body_len, strlen(body));
    assert_memory_equal(x->req_body, body, strlen(body));

    assert_int_equal(x->status, 200);
    assert_string_equal(x->status_line, "HTTP/1.1 200 OK");
    assert_memory_equal(x->resp_head, "HTTP/1.1 200 OK\r\n", 17);
    assert_string_equal(x->resp_head + x->resp_head_len - 4, "\r\n\r\n");
    assert_string_equal(http_exchange_header(x, "x-method"), "POST");
    assert_string_equal(x->content_type, "text/plain");
    assert_int_equal(x->body_len, strlen(body));
    assert_memory_equal(x->body, body, strlen(body));
    assert_int_equal(x->resp_body_len, strlen(body)); /* Content-Length: raw == decoded */
    assert_null(x->json);
    assert_true(x->start_ms > 1600000000000LL);

    /* the trace text masks, the record does not */
    char *t = http_exchange_text(x, true, 0);
    assert_non_null(strstr(t, "password=*****"));
    assert_null(strstr(t, "hunter2"));
    free(t);
    t = http_exchange_text(x, false, 0);
    assert_non_null(strstr(t, "password=hunter2"));
    free(t);

    /* a JSON answer is parsed */
    r = http_request_new("GET", url("/hello"));
    x = http_send_wait(c, r, &e);
    http_request_free(r);
    assert_non_null(x);
    assert_int_equal(x->status, 200);
    assert_non_null(x->json);
    assert_string_equal(json_string_value(json_object_get(x->json, "hi")), "there");
    assert_non_null(strstr(x->req_head, "GET /hello HTTP/1.1\r\n"));
    assert_int_equal(x->req_body_len, 0);
    http_exchange_unref(x);
    assert_int_equal(http_history_count(c), 2);
    http_client_free(c);
}

static void redirects_are_not_followed(void **state)
{
    http_client *c = http_client_new();
    tl_err e = {0};
    http_request *r = http_request_new("GET", url("/redirect"));
    http_exchange *x = http_send_wait(c, r, &e);
    http_request_free(r);
    assert_int_equal(x->state, HTTP_DONE);
    assert_int_equal(x->status, 303);
    assert_string_equal(x->location, "/hello?from=redirect");
    assert_int_equal(http_history_count(c), 1); /* one hop, one exchange */
    http_exchange_unref(x);
    http_client_free(c);
}

static void refused_connection_says_so(void **state)
{
    http_client *c = http_client_new();
    char u[128], want[160];
    int held = -1, port = closed_port(&held);
    snprintf(u, sizeof u, "http://127.0.0.1:%d/token", port);
    snprintf(want, sizeof want, "connection refused: is the server running at http://127.0.0.1:%d?",
             port);
    http_request *r = http_request_new("POST", u);
    tl_err e = {0};
    http_exchange *x = http_send_wait(c, r, &e);
    http_request_free(r);
    assert_non_null(x);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.refused"));
    assert_string_equal(x->err.msg, want);
    assert_int_equal(x->status, 0);
    http_exchange_unref(x);
    close(held);

    /* bad URLs are refused up front */
    r = http_request_new("GET", "ftp://127.0.0.1/x");
    assert_false(http_send(c, r, NULL, NULL, NULL, &e));
    assert_true(err_is(&e, "http.bad_url"));
    http_request_free(r);
    r = http_request_new("GET", "not a url");
    assert_false(http_send(c, r, NULL, NULL, NULL, &e));
    assert_true(err_is(&e, "http.bad_url"));
    http_request_free(r);
    http_client_free(c);
}

static void cancel_and_timeout(void **state)
{
    http_client *c = http_client_new();
    seen s = {0};
    tl_err e = {0};
    http_request *r = http_request_new("GET", url("/slow"));
    uint64_t id;
    assert_true(http_send(c, r, on_done, &s, &id, &e));
    for (int i = 0; i < 3; i++) http_poll(c, NULL, 0, 20);
    assert_int_equal(s.done_calls, 0);
    /* while it waits, the record already shows what was sent */
    http_exchange *pending = http_history_find(c, id);
    assert_int_equal(pending->state, HTTP_PENDING);
    assert_non_null(pending->req_head);
    assert_memory_equal(pending->req_head, "GET /slow HTTP/1.1\r\n", 20);
    assert_true(http_cancel(c, id));
    assert_int_equal(s.done_calls, 1); /* inside http_cancel */
    assert_int_equal(s.last_state, HTTP_CANCELLED);
    assert_false(http_busy(c));
    assert_false(http_cancel(c, id)); /* already gone */
    http_exchange *x = http_history_find(c, id);
    assert_true(err_is(&x->err, "http.cancelled"));

    /* cancel_all */
    assert_true(http_send(c, r, on_done, &s, NULL, &e));
    assert_true(http_send(c, r, on_done, &s, NULL, &e));
    http_cancel_all(c);
    assert_int_equal(s.done_calls, 3);
    assert_false(http_busy(c));

    /* a timeout */
    r->timeout_ms = 300;
    x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.timeout"));
    assert_non_null(strstr(x->err.msg, "within 300 ms"));
    /* the 300 ms applied, not some other limit: /slow answers after 2 s, so a timeout of a
     * second or more (or none) would show here; 1.2 s of slack for a loaded machine */
    if (x->duration_ms < 290 || x->duration_ms >= 1500)
        fprintf(stderr, "a 300 ms timeout fired after %ld ms\n", (long)x->duration_ms);
    assert_true(x->duration_ms >= 290 && x->duration_ms < 1500);
    http_exchange_unref(x);
    http_request_free(r);

    /* a pending request is cancelled when the client goes away */
    seen s2 = {0};
    r = http_request_new("GET", url("/slow"));
    assert_true(http_send(c, r, on_done, &s2, NULL, &e));
    http_request_free(r);
    http_client_free(c);
    assert_int_equal(s2.done_calls, 1);
    assert_int_equal(s2.last_state, HTTP_CANCELLED);
}

static void body_cap_and_chunked(void **state)
{
    http_client *c = http_client_new();
    tl_err e = {0};
    http_request *r = http_request_new("GET", url("/big"));
    http_exchange *x = http_send_wait(c, r, &e);
    http_request_free(r);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.too_big"));
    assert_non_null(strstr(x->err.msg, "larger than 4194304 bytes"));
    http_exchange_unref(x);
    r = http_request_new("GET", url("/bigchunked"));
    x = http_send_wait(c, r, &e);
    http_request_free(r);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.too_big"));
    assert_true(x->body_len <= HTTP_MAX_BODY);
    http_exchange_unref(x);

    r = http_request_new("GET", url("/chunked"));
    x = http_send_wait(c, r, &e);
    http_request_free(r);
    assert_int_equal(x->state, HTTP_DONE);
    const char want[] = "{\"chunked\":true,\"pad\":\"0123456789\"}";
    assert_int_equal(x->body_len, strlen(want));
    assert_memory_equal(x->body, want, strlen(want));
    assert_non_null(x->json);
    assert_true(json_is_true(json_object_get(x->json, "chunked")));
    /* the raw bytes keep the chunk framing: sizes in hex and the last-chunk */
    assert_non_null(strstr(x->resp_head, "Transfer-Encoding: chunked"));
    assert_true(x->resp_body_len > x->body_len);
    assert_int_equal(strncasecmp(x->resp_body, "a\r\n{\"chunked\"", 13), 0);
    assert_string_equal(x->resp_body + x->resp_body_len - 5, "0\r\n\r\n");
    http_exchange_unref(x);
    http_client_free(c);
}

static void poll_reports_extra_fds(void **state)
{
    http_client *c = http_client_new();
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct curl_waitfd w = {.fd = p[0], .events = CURL_WAIT_POLLIN};
    assert_int_equal(http_poll(c, &w, 1, 30), 0);
    assert_int_equal(w.revents, 0);
    assert_int_equal(write(p[1], "k", 1), 1);
    assert_int_equal(http_poll(c, &w, 1, 1000), 1);
    assert_true(w.revents & CURL_WAIT_POLLIN);

    /* while a request runs, the fd still wakes the loop at once */
    seen s = {0};
    http_request *r = http_request_new("GET", url("/slow"));
    tl_err e = {0};
    assert_true(http_send(c, r, on_done, &s, NULL, &e));
    http_request_free(r);
    assert_int_equal(http_poll(c, &w, 1, 1000), 1); /* the byte is still unread */
    char ch;
    assert_int_equal(read(p[0], &ch, 1), 1);
    int ready = http_poll(c, &w, 1, 50);
    assert_int_equal(ready, 0);
    assert_true(http_wait(c, 5000));
    assert_int_equal(s.done_calls, 1);
    assert_int_equal(s.last_state, HTTP_DONE);
    close(p[0]);
    close(p[1]);
    http_client_free(c);
}

typedef struct sse_log {
    char names[8][32];
    char data[8][128];
    int n;
    char end[256];
    bool ended;
} sse_log;

static void on_event(const char *event, const char *data, void *ud)
{
    sse_log *l = ud;
    if (!event) {
        snprintf(l->end, sizeof l->end, "%s", data);
        l->ended = true;
        return;
    }
    if (l->n < 8) {
        snprintf(l->names[l->n], sizeof l->names[0], "%s", event);
        snprintf(l->data[l->n], sizeof l->data[0], "%s", data);
        l->n++;
    }
}

static void sse_events_arrive(void **state)
{
    http_client *c = http_client_new();
    sse_log l = {0};
    tl_err e = {0};
    uint64_t id;
    assert_true(http_sse_open(c, url("/events"), on_event, &l, &id, &e));
    assert_false(http_busy(c)); /* a stream does not keep http_wait busy */
    for (int i = 0; i < 200 && !l.ended; i++) http_poll(c, NULL, 0, 20);
    assert_true(l.ended);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.names[0], "issued");
    assert_string_equal(l.data[0], "{\"endpoint\":\"/token\"}");
    assert_string_equal(l.names[1], "message");
    assert_string_equal(l.data[1], "line one\nline two");
    assert_string_equal(l.names[2], "refused");
    assert_string_equal(l.data[2], "PKCE verifier does not match");
    /* "event: tail / data: x" has no blank line before the end: discarded (HTML §9.2.6) */
    assert_string_equal(l.end, "the server ended the event stream");
    assert_int_equal(http_history_count(c), 0);

    /* not an event stream */
    sse_log l2 = {0};
    assert_true(http_sse_open(c, url("/nope"), on_event, &l2, &id, &e));
    for (int i = 0; i < 200 && !l2.ended; i++) http_poll(c, NULL, 0, 20);
    assert_int_equal(l2.n, 0);
    assert_non_null(strstr(l2.end, "answered 404, not an event stream"));

    /* a line that never ends is cut off at the cap, with the reason */
    sse_log l4 = {0};
    assert_true(http_sse_open(c, url("/endless"), on_event, &l4, &id, &e));
    for (int i = 0; i < 500 && !l4.ended; i++) http_poll(c, NULL, 0, 20);
    assert_true(l4.ended);
    assert_int_equal(l4.n, 0);
    assert_non_null(strstr(l4.end, "event line above 1048576 bytes"));

    /* closing by cancel tells the listener */
    sse_log l3 = {0};
    assert_true(http_sse_open(c, url("/slow"), on_event, &l3, &id, &e));
    http_poll(c, NULL, 0, 20);
    assert_true(http_cancel(c, id));
    assert_string_equal(l3.end, "closed");
    http_client_free(c);
}

static void history_is_bounded(void **state)
{
    http_client *c = http_client_new();
    tl_err e = {0};
    http_request *r = http_request_new("GET", url("/hello"));
    uint64_t first = 0, id = 0;
    for (int batch = 0; batch < 21; batch++) {
        for (int i = 0; i < 10; i++) {
            assert_true(http_send(c, r, NULL, NULL, &id, &e));
            if (!first) first = id;
        }
        assert_true(http_wait(c, 10000));
    }
    http_request_free(r);
    assert_int_equal(http_history_count(c), HTTP_HISTORY_MAX);
    assert_null(http_history_find(c, first));                            /* the oldest went */
    assert_int_equal(http_history_get(c, HTTP_HISTORY_MAX - 1)->id, id); /* the newest is last */
    assert_int_equal(http_history_get(c, 0)->id, id - HTTP_HISTORY_MAX + 1);
    assert_null(http_history_get(c, HTTP_HISTORY_MAX));
    for (size_t i = 0; i < http_history_count(c); i++)
        assert_int_equal(http_history_get(c, i)->status, 200);
    /* a reference outlives the history */
    http_exchange *keep = http_exchange_ref(http_history_get(c, 0));
    http_history_clear(c);
    assert_int_equal(http_history_count(c), 0);
    assert_int_equal(keep->status, 200);
    http_exchange_unref(keep);
    http_client_free(c);
}

/* ---- a raw TCP peer that answers with canned bytes: odd, broken and truncated replies ---- */

static const char *const raw_replies[] = {
    "HTTP/1.1 201 Created\r\nX-A:   spaced out  \r\nX-Empty:\r\n"
    "Content-Type: application/json; charset=utf-8\r\nContent-Length: 9\r\n\r\n{\"a\":[1]}",
    "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
    "HTTP/1.1 202 Accepted\r\nX-Final: yes\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", /* then the peer closes: truncated */
    "",                                                 /* closes at once: empty reply */
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"a\":",
};

static void *raw_server(void *arg)
{
    int ls = *(int *)arg;
    for (size_t i = 0; i < sizeof raw_replies / sizeof *raw_replies; i++) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) break;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf); /* the request (small, one read is enough here) */
        (void)n;
        size_t len = strlen(raw_replies[i]);
        if (len && write(fd, raw_replies[i], len) < 0) break;
        close(fd);
    }
    return NULL;
}

static void odd_and_broken_replies(void **state)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(ls, 4), 0);
    socklen_t alen = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &alen);
    pthread_t th;
    pthread_create(&th, NULL, raw_server, &ls);
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%d/x", ntohs(a.sin_port));
    http_client *c = http_client_new();
    http_request *r = http_request_new("GET", u);
    tl_err e = {0};

    /* odd header lines are skipped, values trimmed, the media type's parameters allowed */
    http_exchange *x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_DONE);
    assert_int_equal(x->status, 201);
    assert_string_equal(x->status_line, "HTTP/1.1 201 Created");
    assert_string_equal(http_exchange_header(x, "x-a"), "spaced out");
    assert_string_equal(http_exchange_header(x, "X-Empty"), "");
    assert_non_null(x->json);
    assert_true(json_is_array(json_object_get(x->json, "a")));
    http_exchange_unref(x);

    /* an interim 1xx stays in the raw bytes; the parsed fields are the final response's */
    x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_DONE);
    assert_int_equal(x->status, 202);
    assert_string_equal(x->status_line, "HTTP/1.1 202 Accepted");
    assert_memory_equal(x->resp_head, "HTTP/1.1 100 Continue\r\n", 23);
    assert_string_equal(http_exchange_header(x, "X-Final"), "yes");
    assert_null(http_exchange_header(x, "X-Interim"));
    http_exchange_unref(x);

    /* a header line without a colon: libcurl refuses the reply, and we say so */
    x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.transport"));
    http_exchange_unref(x);

    /* truncated body: a transport failure that keeps what did arrive */
    x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.transport"));
    assert_int_equal(x->status, 200);
    assert_string_equal(x->body, "abc");
    http_exchange_unref(x);

    /* nothing at all */
    x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_FAILED);
    assert_true(err_is(&x->err, "http.transport"));
    assert_non_null(strstr(x->err.msg, "http://127.0.0.1:")); /* names the origin */
    assert_int_equal(x->status, 0);
    http_exchange_unref(x);

    /* JSON content type, invalid JSON: no json, the body kept for the parsers to explain */
    x = http_send_wait(c, r, &e);
    assert_int_equal(x->state, HTTP_DONE);
    assert_null(x->json);
    assert_string_equal(x->body, "{\"a\":");
    http_exchange_unref(x);

    http_request_free(r);
    http_client_free(c);
    pthread_join(th, NULL);
    close(ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exchange_holds_exact_bytes), cmocka_unit_test(redirects_are_not_followed),
        cmocka_unit_test(refused_connection_says_so), cmocka_unit_test(cancel_and_timeout),
        cmocka_unit_test(body_cap_and_chunked),       cmocka_unit_test(poll_reports_extra_fds),
        cmocka_unit_test(sse_events_arrive),          cmocka_unit_test(history_is_bounded),
        cmocka_unit_test(odd_and_broken_replies),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
