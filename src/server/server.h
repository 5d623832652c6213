/* SPDX-License-Identifier: MIT */
/* server — the mock OAuth 2.0 / OpenID Connect authorization server (issue 3), on libmicrohttpd.
 *
 * Embeddable: server_start() with listen "127.0.0.1:0" binds a free port, runs on libmicrohttpd's
 * own threads and returns at once; server_stop() joins them and frees everything. Standalone:
 * `tokenlab serve` (cli/serve.c) is a thin wrapper. Endpoints and the JSON variant of /authorize
 * are described in docs/server.md. Secure by default (RFC 9700); lab switches make it vulnerable on
 * purpose, one rule at a time. */
#ifndef TL_SERVER_SERVER_H
#define TL_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

typedef struct server server;

/* The class server's own copy of the course (docs/class.md "Answers the server grades"): the
 * server layer cannot read lessons, so the caller (tokenlab serve --class) provides them. */
struct json_t;
typedef struct server_grader {
    void *ud;
    /* `answer`: "1,3" (1-based options) or the text typed. 1 right, 0 wrong, -1 no such lesson or
     * question, -2 not gradable from an answer (a practical quiz). Called on server threads,
     * concurrently: must only read `ud`. */
    int (*grade)(void *ud, const char *lesson, const char *question, const char *answer);
    /* {"LESSON": {"title", "questions": {"ID": {"type", "text", "options": [{"text",
     * "correct"}]}}}}; copied at start. */
    const struct json_t *course;
} server_grader;

typedef struct server_options {
    const char *listen;      /* "127.0.0.1:0" (port 0 = free port); default "127.0.0.1:8910" */
    const char *config_path; /* NULL = assets/config.json (disk or compiled-in) */
    const char *issuer;      /* NULL = base URL */
    const char *const *labs; /* lab switches to turn on at start */
    size_t nlabs;
    const char *lab_key; /* NULL = random; guards the /lab/ HTTP endpoints */
    FILE *log;           /* one line per request; NULL = silent */
    /* Class mode (issue 6, docs/class.md): the /class/ endpoints, a join code and an instructor
     * key (server/class.h reads them). */
    bool class_mode;
    const char *class_results; /* JSON results file, written atomically; NULL = none */
    size_t class_max;          /* max students; 0 = 5000 */
    int class_rate;            /* /class/ requests per second per address; 0 = 20, <0 = off */
    /* Fairness per client address (docs/server.md "Limits"): open connections, pending
     * authorization sessions and pending device authorizations each; 0 = 32. A class behind one
     * NAT address needs it raised (about 3 per student). */
    unsigned per_address_limit;
    unsigned head_timeout; /* seconds for a request head and body to arrive; 0 = 10 */
    /* A file the signing key is kept in across starts (private JWK, 0600; keys_new_kept), unless
     * the config names a key_file; NULL = a new key at every start. fresh_keys: make a new one. */
    const char *key_store;
    bool fresh_keys;
    const server_grader *class_grader; /* NULL: answers are graded by what the client claims */
    /* The room that survives (docs/class.md): the class's state in this SQLite file (created when
     * missing; a restarted server keeps code, key, ids, accounts and results); NULL = in memory. */
    const char *class_db;
    const char *class_code; /* a join code fixed in advance (6 of A-Z 2-9 but O I L 0 1); NULL */
    const char *class_key;  /* an instructor key fixed in advance (>= 16 characters); NULL */
} server_options;

/* Starts listening and returns once the socket is bound. Errors: "server.listen" (bad address,
 * port in use), "server.config" (config file unreadable or invalid), "server.lab" (unknown switch),
 * "server.keys". Stop with server_stop. */
bool server_start(const server_options *o, server **out, tl_err *e);
/* Stops the threads, closes connections, frees everything. NULL is fine. */
void server_stop(server *s);

const char *server_base_url(const server *s); /* "http://127.0.0.1:PORT", no trailing slash */
const char *server_issuer(const server *s); /* the base URL unless options.issuer said otherwise */
uint16_t server_port(const server *s);
const char *server_lab_key(const server *s);
/* The HS256 secret that signs POST /login tokens (the weak-secret lab swaps it for a dictionary
 * word). Borrowed; valid until the next server_set_lab call or server_stop. */
const char *server_login_secret(const server *s, size_t *len);

/* Lab switches: the names in server/lab.h's LAB_LIST ("alg-none", "no-pkce", "unbound-session",
 * …). Unknown names: "server.lab". */
bool server_set_lab(server *s, const char *name, bool on, tl_err *e);
bool server_lab_is_on(server *s, const char *name);
/* The known lab switch names, NULL-terminated (static). */
const char *const *server_lab_names(void);
/* One-line explanation of a switch ("the API accepts unsigned tokens (alg none)"), or NULL. */
const char *server_lab_describe(const char *name);

/* The server's clock: real time plus an offset that lessons fast-forward. */
void server_clock_advance(server *s, int64_t seconds);
void server_clock_reset(server *s);
int64_t server_now(server *s); /* real time + offset */

typedef struct server_event {
    int64_t time;
    const char *kind;      /* "issued" | "refused" | "info" */
    const char *endpoint;  /* "/token" */
    const char *client_id; /* or NULL */
    const char *code;      /* e.g. "invalid_grant", or NULL */
    const char
        *message;    /* "PKCE code_verifier does not match the code_challenge (RFC 7636 §4.6)" */
    const char *lab; /* class mode: the student lab it happened in ("st-7"), or NULL */
    bool room;       /* a change for the whole room (the room's lab switches, clock, keys) */
} server_event;
/* Called on server threads, one event at a time, under the server's event lock: copy what you need
 * and return quickly; do not call server functions from the callback. The event and its strings
 * are valid only during the call. Up to 16 subscribers; server_stop or server_unsubscribe ends the
 * calls (after either returns, fn is never called again with ud). */
typedef void (*server_event_fn)(void *ud, const server_event *ev);
void server_subscribe(server *s, server_event_fn fn, void *ud);
void server_unsubscribe(server *s, server_event_fn fn, void *ud);

#endif
