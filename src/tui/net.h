/* SPDX-License-Identifier: MIT */
/* net — the TUI's link to an authorization server: the embedded one (started on 127.0.0.1:0) or a
 * remote one (--server URL); the async HTTP client the whole TUI shares; the JWKS cache; and the
 * server's own view (events from the embedded server's threads through a pipe, or /lab/events SSE
 * from a remote one). */
#ifndef TL_TUI_NET_H
#define TL_TUI_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "oauth/http.h"

typedef struct net net;

typedef struct net_event {
    int64_t time;
    char kind[16];      /* "issued" | "refused" | "info" */
    char endpoint[64];  /* "/token" */
    char client_id[64]; /* the client it is about, or "" */
    char code[64];      /* "invalid_grant" or "" */
    char message[512];
} net_event;

typedef void (*net_event_fn)(void *ud, const net_event *ev);
typedef void (*net_change_fn)(void *ud); /* JWKS fetched, server came up or went down */

/* server_url NULL: start the embedded server on a background thread (net_ready says when it is
 * up; the change callback fires). Its signing key is kept in the state folder
 * ($XDG_STATE_HOME/tokenlab/server-key.json, 0600) and reused, so it is up at once; fresh_keys
 * makes a new one. Never fails for a remote URL that is down (the status dot says so). Caller
 * frees with net_free. */
net *net_new(const char *server_url, const char *lab_key, bool fresh_keys, tl_err *e);
void net_free(net *n);
void net_on_event(net *n, net_event_fn fn, void *ud);
void net_on_change(net *n, net_change_fn fn, void *ud);
/* Starts the slow things (JWKS fetch, SSE stream, health check) after the first frame. */
void net_start(net *n);

/* Once a second: a remote server that is down gets a health check every 5 s (the status dot). */
void net_tick(net *n);
http_client *net_http(net *n); /* borrowed */
const char *net_base_url(const net *n);
const char *net_lab_key(const net *n); /* NULL when unknown (remote server without --lab-key) */
bool net_embedded(const net *n);
struct server *net_server(net *n);                 /* the embedded server or NULL */
bool net_up(const net *n);                         /* the last contact worked */
const char *net_login_secret(net *n, size_t *len); /* embedded only; else NULL */
/* The server's JWKS (NULL until fetched); a kid it does not hold starts a refetch (rate-limited);
 * the change callback fires when the fetch completes. */
const jwks *net_jwks(net *n, const char *kid);

/* Waits for input on `fds` (stdin, a signal pipe), the network and server events, at most
 * timeout_ms; dispatches completions and events. Returns the number of readable `fds`. */
int net_wait(net *n, int *fds, bool *ready, unsigned nfds, int timeout_ms);
bool net_busy(const net *n); /* requests running, or the embedded server still starting */
/* False while the embedded server is starting (its URL and lab key are already known). */
bool net_ready(const net *n);
/* Why the embedded server did not start, or NULL. */
const char *net_start_error(const net *n);

#endif
