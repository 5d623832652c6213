/* SPDX-License-Identifier: MIT */
/* http — the one HTTP transport: libcurl's MULTI interface, single-threaded, asynchronous.
 *
 * Every request becomes an `http_exchange`: the request line, headers and body exactly as sent and
 * the status line, headers and body exactly as received (captured by CURLOPT_DEBUGFUNCTION, so it
 * is the real bytes, also against a remote server), plus parsed conveniences. The trace pane and
 * the lessons read these records. Redirects are never followed: a flow shows each hop.
 *
 * Event loop: the TUI calls http_poll() with its own fds (stdin, a signal self-pipe); completions
 * are dispatched inside http_poll/http_wait, on the caller's thread. Nothing here is thread-safe:
 * one client belongs to one thread. */
#ifndef TL_OAUTH_HTTP_H
#define TL_OAUTH_HTTP_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define HTTP_HISTORY_MAX     200
#define HTTP_MAX_BODY        (4u << 20) /* response bodies above this fail with "http.too_big" */
#define HTTP_DEFAULT_TIMEOUT 10000      /* ms, when http_request.timeout_ms is 0 */

typedef struct http_client http_client; /* opaque */

typedef struct http_header {
    char *name;
    char *value;
} http_header;

/* A request to send. Build with http_request_new + the setters (the flow_* builders do this);
 * http_send copies what it needs, so the request may be freed right after sending. */
typedef struct http_request {
    char *method; /* "GET", "POST", ... */
    char *url;
    http_header *headers; /* in order; sent as given */
    size_t nheaders;
    char *body; /* NULL = no body; NUL-terminated for convenience, body_len counts the bytes */
    size_t body_len;
    long timeout_ms; /* whole transfer; 0 = HTTP_DEFAULT_TIMEOUT */
    char *label;     /* optional, what this step is ("code exchange"); shown by the trace */
} http_request;

/* Caller frees with http_request_free. NULL only when out of memory. */
http_request *http_request_new(const char *method, const char *url);
/* Adds a header (a second one with the same name replaces the first, case-insensitively). */
bool http_request_set_header(http_request *r, const char *name, const char *value);
/* Sets the body and its Content-Type header (content_type may be NULL to leave headers alone). */
bool http_request_set_body(http_request *r, const char *content_type, const void *body, size_t len);
bool http_request_set_label(http_request *r, const char *label);
const char *http_request_header(const http_request *r, const char *name); /* NULL if absent */
void http_request_free(http_request *r);

typedef enum http_state {
    HTTP_PENDING,   /* started, no answer yet */
    HTTP_DONE,      /* a complete HTTP response arrived (any status, 4xx/5xx included) */
    HTTP_FAILED,    /* transport failure: see err */
    HTTP_CANCELLED, /* http_cancel / http_cancel_all / http_client_free */
} http_state;

/* One request/response. Owned by the client's history; take a reference (http_exchange_ref) to
 * keep one beyond the callback that handed it to you. All strings are NUL-terminated; the *_len
 * fields count the bytes (bodies may contain NULs). */
typedef struct http_exchange {
    uint64_t id; /* > 0, increasing */
    http_state state;
    char *label;      /* copy of http_request.label or NULL */
    int64_t start_ms; /* wall clock, ms since the epoch */
    long duration_ms; /* until completion (0 while pending) */
    char *method;
    char *url;
    /* as sent (CURLINFO_HEADER_OUT / CURLINFO_DATA_OUT); filled as the bytes go out, so a
     * pending exchange already shows them (NULL until then) */
    char *req_head; /* request line + headers + blank line, CRLFs as on the wire */
    size_t req_head_len;
    char *req_body;
    size_t req_body_len;
    /* as received (CURLINFO_HEADER_IN / CURLINFO_DATA_IN); interim 1xx responses included */
    char *resp_head; /* status line(s) + headers + blank line */
    size_t resp_head_len;
    char *resp_body; /* raw, as on the wire (chunked framing included if the server chunked) */
    size_t resp_body_len;
    char *body; /* the decoded body (what the parsers read): framing and encodings undone */
    size_t body_len;
    /* parsed from the above */
    long status;               /* final HTTP status, 0 when none arrived */
    char *status_line;         /* "HTTP/1.1 200 OK" without CRLF, or NULL */
    http_header *resp_headers; /* final response's headers, in order */
    size_t nresp_headers;
    char *content_type; /* value of Content-Type or NULL */
    char *location;     /* value of Location or NULL (redirects are not followed) */
    json_t *json;       /* body parsed as JSON (object or array) when it is JSON, else NULL */
    tl_err err;         /* FAILED/CANCELLED: why, e.g. "http.refused": "connection refused: is
                           the server running at http://127.0.0.1:8910?" */
} http_exchange;

http_exchange *http_exchange_ref(http_exchange *x);
void http_exchange_unref(http_exchange *x);
/* Value of a response header of the final response (case-insensitive name), or NULL. */
const char *http_exchange_header(const http_exchange *x, const char *name);
/* Whole exchange as text for a trace, a log or `--verbose`: request head + body, blank line,
 * response head + body (bodies cut at max_body bytes, 0 = no cut). With `mask`, secrets are masked
 * as http_mask_secrets does. Caller frees. */
char *http_exchange_text(const http_exchange *x, bool mask, size_t max_body);

/* Error codes left in http_exchange.err (and in tl_err from http_send):
 *   "http.refused"    connection refused (names the URL's origin and asks whether the server runs)
 *   "http.resolve"    host name does not resolve
 *   "http.timeout"    no complete answer within timeout_ms
 *   "http.too_big"    response body above HTTP_MAX_BODY
 *   "http.cancelled"  cancelled by the caller
 *   "http.transport"  any other libcurl failure (curl's own text included)
 *   "http.bad_url"    the URL is not http(s)://host...
 *   "http.nomem"      out of memory */

/* Called once per request when it completes, fails or is cancelled (never synchronously from
 * http_send). `x` is valid during the call; http_exchange_ref it to keep it. */
typedef void (*http_done_fn)(http_client *c, http_exchange *x, void *ud);
/* Observer: called when an exchange starts (x->state == HTTP_PENDING) and when it ends. */
typedef void (*http_observer_fn)(http_client *c, http_exchange *x, void *ud);

/* NULL only on failure (curl_global_init or out of memory). Calls curl_global_init itself. */
http_client *http_client_new(void);
/* Cancels everything still running (callbacks run with HTTP_CANCELLED), then frees. Never call it
 * from inside one of this client's callbacks. */
void http_client_free(http_client *c);

/* Starts `req`. `fn` may be NULL. *id_out (may be NULL) gets the exchange id. Fails only for a
 * bad request (bad URL, no method) or out of memory; transport errors arrive through `fn`. */
bool http_send(http_client *c, const http_request *req, http_done_fn fn, void *ud, uint64_t *id_out,
               tl_err *e);
/* Cancels a request or an SSE stream; its callback runs (inside this call) with HTTP_CANCELLED.
 * Returns false when no such id is running. */
bool http_cancel(http_client *c, uint64_t id);
void http_cancel_all(http_client *c);

/* One turn of the event loop: curl_multi_poll over libcurl's sockets plus `extra` (may be NULL),
 * at most timeout_ms (returns early when anything is ready), then curl_multi_perform and dispatch
 * of completions. Returns the number of `extra` fds with revents set (check revents), -1 on a
 * multi-handle error. */
int http_poll(http_client *c, struct curl_waitfd *extra, unsigned nextra, int timeout_ms);
/* Runs until no request is running (SSE streams do not count) or timeout_ms passes (< 0 = no
 * limit). Returns true when idle. For the CLI and the headless lesson player. */
bool http_wait(http_client *c, int timeout_ms);
/* True while any request (not counting SSE streams) is running. */
bool http_busy(const http_client *c);

/* Synchronous convenience over http_send + http_wait (runs other pending work too). Returns a
 * new reference to the completed exchange (caller unrefs) even when the transfer failed; NULL only
 * when the request could not be started (e filled). */
http_exchange *http_send_wait(http_client *c, const http_request *req, tl_err *e);

/* History: the last HTTP_HISTORY_MAX exchanges, oldest first; SSE streams are not in it.
 * http_history_get returns a borrowed pointer valid until the next http_poll/http_wait/http_send
 * (ref it to keep it), NULL when out of range. */
size_t http_history_count(const http_client *c);
http_exchange *http_history_get(const http_client *c, size_t i);
http_exchange *http_history_find(const http_client *c, uint64_t id); /* borrowed, or NULL */
void http_history_clear(http_client *c);

/* Up to 8 observers. Returns false when full. */
bool http_on_exchange(http_client *c, http_observer_fn fn, void *ud);
void http_off_exchange(http_client *c, http_observer_fn fn, void *ud);

/* Server-Sent Events (GET with Accept: text/event-stream) on the same multi handle, for the
 * server's view (`/lab/events`). fn is called per event with its name ("message" when the stream
 * gives none) and data (multi-line data joined with '\n'). When the stream ends or fails, fn is
 * called once more with event == NULL and data = the reason; then the stream is gone. Close it
 * with http_cancel(id) (that final call happens then too). */
typedef void (*http_sse_fn)(const char *event, const char *data, void *ud);
bool http_sse_open(http_client *c, const char *url, http_sse_fn fn, void *ud, uint64_t *id_out,
                   tl_err *e);
/* The same with an Authorization header value ("Bearer KEY" for /class/events); NULL: none. */
bool http_sse_open_auth(http_client *c, const char *url, const char *authorization, http_sse_fn fn,
                        void *ud, uint64_t *id_out, tl_err *e);

/* Work on the caller's loop, in slices: `fn` is called once per http_poll turn (that turn does not
 * sleep) until it returns true (finished); http_busy is true meanwhile, so http_wait and
 * http_send_wait keep turning. http_cancel(id) ends it with one call fn(ud, true) (its return value
 * ignored), as http_client_free does for the ones left. For CPU work that must not block a UI
 * loop for long (the lesson `crack` action). Returns false (e filled) when out of memory. */
typedef bool (*http_work_fn)(void *ud, bool cancelled);
bool http_work_start(http_client *c, http_work_fn fn, void *ud, uint64_t *id_out, tl_err *e);

/* Masks secrets in a form body, JSON text, a header block or a whole exchange text: the values of
 * password, client_secret, code_verifier and refresh_token (form `k=v`, JSON `"k":"v"`), and the
 * credentials of `Authorization: Basic …` and the server's own keys (`X-Tokenlab-Lab-Key`,
 * `X-Tokenlab-Class-Key`: the trace is often on a projector) become "*****". Everything else is
 * unchanged.
 * Caller frees; NULL only when out of memory. The exchange record itself always keeps real bytes.
 */
char *http_mask_secrets(const char *text);

#endif
