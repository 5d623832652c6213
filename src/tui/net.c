#include "tui/net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jose/jsonx.h"
#include "oauth/jwkscache.h"
#include "server/server.h"

struct net {
    http_client *http;
    server *srv;
    char base[256];
    char *lab_key;
    jwkscache *jc;
    bool up;
    bool started;
    int evpipe[2]; /* server threads -> loop: one net_event* per write */
    uint64_t sse_id, health_id;
    net_event_fn ev_fn;
    void *ev_ud;
    net_change_fn ch_fn;
    void *ch_ud;
};

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Runs on a server thread: copy the event and hand it to the loop. Never blocks: when the pipe is
 * full (the loop is stuck), the event is dropped rather than stalling the server. */
static void on_server_event(void *ud, const server_event *ev)
{
    net *n = ud;
    net_event *c = malloc(sizeof *c);
    if (!c) return;
    c->time = ev->time;
    copy_str(c->kind, sizeof c->kind, ev->kind);
    copy_str(c->endpoint, sizeof c->endpoint, ev->endpoint);
    copy_str(c->code, sizeof c->code, ev->code);
    copy_str(c->message, sizeof c->message, ev->message);
    if (write(n->evpipe[1], &c, sizeof c) != (ssize_t)sizeof c) free(c);
}

net *net_new(const char *server_url, const char *lab_key, tl_err *e)
{
    net *n = calloc(1, sizeof *n);
    if (!n) {
        err_set(e, "tui.nomem", "out of memory");
        return NULL;
    }
    n->evpipe[0] = n->evpipe[1] = -1;
    if (pipe(n->evpipe) != 0) {
        err_set(e, "tui.pipe", "cannot create a pipe: %s", strerror(errno));
        free(n);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(n->evpipe[i], F_SETFL, fcntl(n->evpipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(n->evpipe[i], F_SETFD, FD_CLOEXEC);
    }
    n->http = http_client_new();
    if (!n->http) {
        err_set(e, "tui.http", "cannot initialise libcurl");
        net_free(n);
        return NULL;
    }
    if (server_url) {
        copy_str(n->base, sizeof n->base, server_url);
        size_t l = strlen(n->base);
        while (l > 0 && n->base[l - 1] == '/') n->base[--l] = '\0';
        n->lab_key = lab_key ? strdup(lab_key) : NULL;
    } else {
        server_options o = {.listen = "127.0.0.1:0", .lab_key = lab_key};
        if (!server_start(&o, &n->srv, e)) {
            err_prefix(e, "cannot start the embedded server: ");
            net_free(n);
            return NULL;
        }
        copy_str(n->base, sizeof n->base, server_base_url(n->srv));
        n->lab_key = strdup(server_lab_key(n->srv));
        n->up = true;
        server_subscribe(n->srv, on_server_event, n);
    }
    char url[300];
    snprintf(url, sizeof url, "%s/jwks", n->base);
    n->jc = jwkscache_new(n->http, url);
    return n;
}

void net_free(net *n)
{
    if (!n) return;
    jwkscache_free(n->jc);
    http_client_free(n->http);
    server_stop(n->srv); /* joins the server threads: no more events after this */
    if (n->evpipe[0] >= 0) {
        net_event *c;
        while (read(n->evpipe[0], &c, sizeof c) == (ssize_t)sizeof c) free(c);
        close(n->evpipe[0]);
        close(n->evpipe[1]);
    }
    free(n->lab_key);
    free(n);
}

void net_on_event(net *n, net_event_fn fn, void *ud)
{
    n->ev_fn = fn;
    n->ev_ud = ud;
}

void net_on_change(net *n, net_change_fn fn, void *ud)
{
    n->ch_fn = fn;
    n->ch_ud = ud;
}

static void changed(net *n)
{
    if (n->ch_fn) n->ch_fn(n->ch_ud);
}

static void on_jwks(jwkscache *jc, bool ok, const tl_err *e, void *ud)
{
    (void)jc;
    (void)e;
    net *n = ud;
    n->up = ok || n->srv;
    changed(n);
}

/* Remote server: the server's view arrives as SSE from /lab/events. */
static void on_sse(const char *event, const char *data, void *ud)
{
    net *n = ud;
    if (!event) { /* stream ended */
        n->sse_id = 0;
        return;
    }
    if (!n->ev_fn || !data) return;
    net_event ev = {0};
    copy_str(ev.kind, sizeof ev.kind, event);
    json_t *j = jsonx_parse(data, strlen(data), true, NULL);
    if (j) {
        json_t *t = json_object_get(j, "time");
        ev.time = json_is_integer(t) ? json_integer_value(t) : 0;
        if (json_is_string(json_object_get(j, "kind")))
            copy_str(ev.kind, sizeof ev.kind, json_string_value(json_object_get(j, "kind")));
        copy_str(ev.endpoint, sizeof ev.endpoint,
                 json_string_value(json_object_get(j, "endpoint")));
        copy_str(ev.code, sizeof ev.code, json_string_value(json_object_get(j, "code")));
        copy_str(ev.message, sizeof ev.message, json_string_value(json_object_get(j, "message")));
        json_decref(j);
    } else {
        copy_str(ev.message, sizeof ev.message, data);
    }
    n->ev_fn(n->ev_ud, &ev);
}

static void on_health(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    net *n = ud;
    n->health_id = 0;
    bool up = x->state == HTTP_DONE && x->status > 0 && x->status < 500;
    if (up != n->up) {
        n->up = up;
        changed(n);
    }
}

void net_start(net *n)
{
    if (n->started) return;
    n->started = true;
    jwkscache_on_update(n->jc, on_jwks, n);
    jwkscache_refresh(n->jc, NULL);
    if (!n->srv) {
        char url[300];
        snprintf(url, sizeof url, "%s/health", n->base);
        http_request *r = http_request_new("GET", url);
        if (r) {
            http_request_set_label(r, "is the server up?");
            http_send(n->http, r, on_health, n, &n->health_id, NULL);
            http_request_free(r);
        }
        snprintf(url, sizeof url, "%s/lab/events", n->base);
        http_sse_open(n->http, url, on_sse, n, &n->sse_id, NULL);
    }
}

http_client *net_http(net *n)
{
    return n->http;
}

const char *net_base_url(const net *n)
{
    return n->base;
}

const char *net_lab_key(const net *n)
{
    return n->lab_key;
}

bool net_embedded(const net *n)
{
    return n->srv != NULL;
}

struct server *net_server(net *n)
{
    return n->srv;
}

bool net_up(const net *n)
{
    return n->up;
}

const char *net_login_secret(net *n, size_t *len)
{
    return n->srv ? server_login_secret(n->srv, len) : NULL;
}

const jwks *net_jwks(net *n)
{
    const jwks *k = jwkscache_keys(n->jc);
    if (!k && n->started) {
        jwk *tmp = NULL;
        if (jwkscache_find(n->jc, NULL, &tmp, NULL) == JWKSCACHE_FOUND) jwk_free(tmp);
        k = jwkscache_keys(n->jc);
    }
    return k;
}

static void drain_events(net *n)
{
    net_event *c;
    while (read(n->evpipe[0], &c, sizeof c) == (ssize_t)sizeof c) {
        if (n->ev_fn) n->ev_fn(n->ev_ud, c);
        free(c);
    }
}

int net_wait(net *n, int *fds, bool *ready, unsigned nfds, int timeout_ms)
{
    struct curl_waitfd w[8];
    if (nfds > 7) nfds = 7;
    for (unsigned i = 0; i < nfds; i++) {
        w[i] = (struct curl_waitfd){.fd = fds[i], .events = CURL_WAIT_POLLIN};
        ready[i] = false;
    }
    w[nfds] = (struct curl_waitfd){.fd = n->evpipe[0], .events = CURL_WAIT_POLLIN};
    int r = http_poll(n->http, w, nfds + 1, timeout_ms);
    if (r < 0) { /* the multi handle failed: fall back to a plain poll so input still works */
        struct pollfd p[8];
        for (unsigned i = 0; i <= nfds; i++)
            p[i] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
        if (poll(p, nfds + 1, timeout_ms) > 0)
            for (unsigned i = 0; i <= nfds; i++) w[i].revents = p[i].revents ? CURL_WAIT_POLLIN : 0;
    }
    int count = 0;
    for (unsigned i = 0; i < nfds; i++) {
        ready[i] = w[i].revents != 0;
        count += ready[i];
    }
    drain_events(n);
    return count;
}

bool net_busy(const net *n)
{
    return http_busy(n->http);
}
