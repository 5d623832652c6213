/* SPDX-License-Identifier: MIT */
/* srv — the server's internals shared by the endpoint modules: the server struct, one request's
 * context, and the helpers that send responses, log and publish events. Not for other layers
 * (they use server.h). */
#ifndef TL_SERVER_SRV_H
#define TL_SERVER_SRV_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "jose/jwk.h"
#include "server/config.h"
#include "server/events.h"
#include "server/keys.h"
#include "server/lab.h"
#include "server/reqparse.h"
#include "server/server.h"
#include "server/store.h"

#define SRV_MAX_BODY             (64 * 1024) /* request bodies above this are refused with 413 */
#define SRV_MAX_CONNECTIONS      512         /* open connections, all clients together */
#define SRV_PER_ADDRESS_DEFAULT  32          /* --per-address-limit */
#define SRV_HEAD_TIMEOUT_DEFAULT 10          /* seconds for a whole request to arrive */

struct server {
    /* In a class every student has a lab of their own: a `server` that shares the room's daemon,
     * config, keys, notes and events but has its own switches, clock offset, issuer, endpoints
     * under prefix "/s/st-N" and stores (docs/class.md). `root` is the room's server, or the
     * server itself; `prefix` and `lab_id` are "" there. */
    server *root;
    char prefix[32];
    char lab_id[24];
    struct MHD_Daemon *daemon;
    char base_url[384];
    char issuer[512];
    char api_audience[600];
    uint16_t port;
    char lab_key[64];
    FILE *log;
    pthread_mutex_t log_mu;
    config *cfg;
    keys *keys;
    atomic_uint labs;
    atomic_llong clock_offset;
    jwk *login_key; /* HS256, 32 random bytes */
    jwk *weak_key;  /* HS256, LAB_WEAK_SECRET */
    char *discovery;
    size_t discovery_len;
    store *sessions; /* authorization requests in progress (login → consent) */
    store *codes;    /* authorization codes */
    store *grants;   /* one per user authorization: refresh tokens and access tokens hang off it */
    store *refresh;  /* refresh tokens */
    store *jtis;     /* access-token jti → grant, and revoked jtis */
    store *devices;  /* device_code → device request */
    store *user_codes; /* user_code → device_code */
    store *dpop_jtis;  /* DPoP proofs seen (jkt|jti), the room's: replay cache (dpop.c) */
    store *par;        /* pushed authorization requests by request_uri id (par.c) */
    pthread_mutex_t notes_mu;
    json_t *notes; /* {"sub": [ {id, text, created}, … ]} */
    events *ev;
    struct class_room *room; /* class mode (class.c), or NULL */
    /* Fairness (docs/server.md "Limits"): per client address, at most per_address connections,
     * pending authorization sessions and device authorizations; a request head (and body) must
     * arrive within head_timeout seconds. */
    unsigned per_address, head_timeout;
    struct throttle *guesses; /* wrong passwords, user codes and lab keys (srv_guess_allowed) */
    struct conn_watch *watch; /* the connections still sending a request (server.c) */
};

/* Each client id may hold at most this share of a pending-request store (sessions, device codes),
 * so that one client's users cannot fill it for every other client. */
#define SRV_CLIENT_SHARE 4 /* a quarter */

/* Records kept in the stores: flat structs (fixed-size strings, freed with free()). Inputs longer
 * than a field are refused before they get here (srv_copy). */
#define SRV_ID   64
#define SRV_URI  1024
#define SRV_TEXT 512

typedef enum srv_session_kind { SRV_SESSION_AUTHORIZE, SRV_SESSION_DEVICE } srv_session_kind;

typedef struct srv_session { /* an authorization request between login and consent */
    srv_session_kind kind;
    char addr[48]; /* the address that started it (quota per address) */
    char client_id[SRV_ID], redirect_uri[SRV_URI], scope[SRV_TEXT], state[SRV_TEXT],
        nonce[SRV_TEXT], challenge[SRV_ID], device_code[SRV_ID];
    bool logged_in;
    char sub[SRV_ID], csrf[SRV_ID];
    char binding[SRV_ID]; /* secret of the party that started it: cookie, or session_secret */
    int64_t auth_time;
} srv_session;

typedef struct srv_code {
    char client_id[SRV_ID], redirect_uri[SRV_URI], scope[SRV_TEXT], nonce[SRV_TEXT],
        challenge[SRV_ID], sub[SRV_ID], grant_id[SRV_ID];
    int64_t auth_time, exp;
    bool used;
    bool reused; /* a second exchange came: the first one's grant is revoked (RFC 6749 §4.1.2) */
} srv_code;

typedef struct srv_grant { /* one user authorization; revoking it kills its tokens */
    char client_id[SRV_ID], sub[SRV_ID], scope[SRV_TEXT];
    int64_t auth_time;
    bool revoked;
    char why[160];
} srv_grant;

typedef struct srv_refresh {
    char grant_id[SRV_ID], client_id[SRV_ID], scope[SRV_TEXT];
    char
        jkt[SRV_ID]; /* a public client's DPoP key: the token is bound to it (RFC 9449 §5), or "" */
    int64_t exp, iat;
    bool rotated; /* replaced by a newer token: using it again revokes the grant */
    bool revoked;
} srv_refresh;

typedef struct srv_jti { /* an access token the server may have to revoke */
    char grant_id[SRV_ID];
    bool revoked;
} srv_jti;

typedef enum srv_device_status {
    SRV_DEVICE_PENDING,
    SRV_DEVICE_APPROVED,
    SRV_DEVICE_DENIED,
    SRV_DEVICE_DONE
} srv_device_status;

typedef struct srv_device {
    char user_code[16], client_id[SRV_ID], scope[SRV_TEXT], sub[SRV_ID];
    char addr[48]; /* the address that asked (quota per address) */
    srv_device_status status;
    int64_t exp, auth_time, last_poll, interval;
} srv_device;

/* Signs `claims` with the current signing key under header {"typ": typ}; caller frees *out. */
bool srv_sign_jwt(server *s, const char *typ, const json_t *claims, char **out, tl_err *e);
/* A new random identifier (base64url of `nbytes` CSPRNG bytes) into dst[SRV_ID]. */
bool srv_random_id(char *dst, size_t nbytes);

/* Copies src into dst[n]; false (dst untouched) when it does not fit. */
bool srv_copy(char *dst, size_t n, const char *src);

typedef struct srv_req {
    server *s;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    char *raw_uri; /* as received, with the query string */
    char *body;
    size_t body_len;
    bool body_too_big;
    const char *bad_framing; /* why the body's length is ambiguous (static text), or NULL */
    bool has_query;
    reqparse_params query;
    reqparse_params form; /* the body: urlencoded form or flat JSON, see srv_parse_body */
    bool form_parsed;
    struct timespec t0;
    char reason[300];     /* why the request was refused, for the log line */
    char set_cookie[256]; /* a Set-Cookie value for the response, or "" */
    char addr[48];        /* the client's address as text, see srv_addr */
    char retry_after[16]; /* a Retry-After value for the response, or "" */
    bool responded;
    char dpop_jkt[SRV_ID]; /* /token: the thumbprint of a checked DPoP proof's key, or "" */
    bool pushed;           /* /par: /authorize's checks run on a pushed request (par.c) */
    const config_client *pushed_by; /* /par: the authenticated client */
    bool par_used;                  /* /authorize: the parameters came from a request_uri */
} srv_req;

typedef struct srv_hdr {
    const char *name, *value;
} srv_hdr;

/* The lab's clock: real time + the room's offset + (for a student's lab) the student's own. */
int64_t srv_now(server *s);
int64_t srv_clock_offset(server *s);
/* The switches in force for `s`: its own, and the room's on top. */
unsigned srv_labs(server *s);
bool srv_lab(server *s, unsigned bit);
/* `path` under the lab's prefix ("/authorize/login" → "/s/st-7/authorize/login") into buf. */
const char *srv_path(server *s, const char *path, char *buf, size_t n);

/* A student's lab in the class room `root` (class.c): endpoints under "/s/ID", issuer
 * ROOT_ISSUER/s/ID, `lab_key` (the student's token) guards its /lab/ endpoints besides the room's
 * lab key. Caller frees with srv_lab_free (never while requests may reach it). */
server *srv_lab_new(server *root, const char *id, const char *lab_key, tl_err *e);
void srv_lab_free(server *lab);

/* Sends a response (body copied) with the standard headers plus `hdrs` (NULL-terminated by a
 * NULL name, or NULL), logs the line. */
enum MHD_Result srv_send(srv_req *r, unsigned status, const char *ctype, const char *body,
                         size_t len, const srv_hdr *hdrs);
/* Same, body not copied: `body` must outlive the response (cached bytes). */
enum MHD_Result srv_send_static(srv_req *r, unsigned status, const char *ctype, const char *body,
                                size_t len, const srv_hdr *hdrs);
/* Serializes `j` (reference stolen). Adds Cache-Control: no-store. */
enum MHD_Result srv_send_json(srv_req *r, unsigned status, json_t *j, const srv_hdr *hdrs);
/* {"error":code,"error_description":msg} (RFC 6749 §5.2), or {} when code is NULL; the body of
 * every OAuth error answer. New reference. */
json_t *srv_error_json(const char *code, const char *msg);
/* {"error": code, "error_description": msg} (RFC 6749 §5.2), logged as a refusal and published as
 * a "refused" event for `endpoint`. */
enum MHD_Result srv_oauth_error(srv_req *r, unsigned status, const char *client_id,
                                const char *code, const srv_hdr *hdrs, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* An HTML page (frees b->p) with X-Frame-Options: DENY and CSP frame-ancestors 'none'. */
struct html_buf;
enum MHD_Result srv_send_html(srv_req *r, unsigned status, struct html_buf *b);
/* An error page (HTML, or JSON {"error","error_description"} when the client asked for JSON),
 * logged as a refusal. For errors that must never be redirected (RFC 6749 §4.1.2.1). */
enum MHD_Result srv_error_page(srv_req *r, unsigned status, const char *client_id, const char *code,
                               const char *msg);
/* A 303 See Other to `location`. */
enum MHD_Result srv_redirect(srv_req *r, const char *location);

/* Records a refusal: the log reason and a "refused" event. */
void srv_refused(srv_req *r, const char *client_id, const char *code, const char *msg);
void srv_event(server *s, const char *kind, const char *endpoint, const char *client_id,
               const char *code, const char *msg);

/* Parses the body by Content-Type (form or JSON) into r->form. On failure an error response has
 * been queued (400/415) and *result holds what to return. `json_ok` allows application/json. */
bool srv_parse_body(srv_req *r, bool json_ok, enum MHD_Result *result);
const char *srv_form(srv_req *r, const char *name);
const char *srv_query(srv_req *r, const char *name);
const char *srv_header(srv_req *r, const char *name);
/* The client's address ("127.0.0.2", "::1"), the unit of fairness; "?" when unknown. */
const char *srv_addr(srv_req *r);

/* Guess throttling (docs/server.md "Limits"). `kind` names what is guessed: SRV_GUESS_PASSWORD
 * (budget per address and per account), SRV_GUESS_USER_CODE, SRV_GUESS_LAB_KEY (per address).
 * srv_guess_allowed is asked BEFORE the guess is checked (so a throttled guess costs nothing):
 * false when the address or the account (NULL for none) has no guesses left; then a 429
 * slow_down with Retry-After has been queued in *res (`page`: an HTML page unless the client
 * asked for JSON, as on the sign-in pages; else JSON). srv_guess_failed takes one
 * guess from both. */
typedef enum srv_guess { SRV_GUESS_PASSWORD, SRV_GUESS_USER_CODE, SRV_GUESS_LAB_KEY } srv_guess;
bool srv_guess_allowed(srv_req *r, srv_guess kind, const char *account, bool page,
                       enum MHD_Result *res);
void srv_guess_failed(srv_req *r, srv_guess kind, const char *account);
/* Per account: 10 wrong passwords at once, then 10 a minute. Per address: --per-address-limit at
 * once, then as many a minute. */
#define SRV_GUESS_ACCOUNT_BURST 10
bool srv_wants_json(srv_req *r);

/* Client authentication at /token, /introspect, /revoke, /device_authorization (RFC 6749 §2.3):
 * client_secret_basic or client_secret_post for confidential clients, client_id alone for public
 * ones. On failure a 401 invalid_client (or 400) has been queued. */
const config_client *srv_client_auth(srv_req *r, bool require_confidential,
                                     enum MHD_Result *result);

#endif
