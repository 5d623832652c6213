/* SPDX-License-Identifier: MIT */
#include "tui/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "jose/jsonx.h"
#include "oauth/jwkscache.h"
#include "lesson/progress.h"
#include "server/server.h"

struct net {
    http_client *http;
    server *srv;
    /* the embedded server starts on its own thread (key generation takes a while) so the first
     * frame does not wait for it; the thread hands the result back through evpipe */
    pthread_t th;
    bool starting;
    server *th_srv;
    tl_err th_err;
    char listen[64];
    char *key_store; /* the embedded server's kept signing key, or NULL */
    bool fresh_keys;
    char start_err[TL_ERR_MSG_MAX];
    char base[256];
    char *lab_key;
    jwkscache *jc;
    bool up;
    bool started;
    int evpipe[2]; /* server threads -> loop: one net_event* per write */
    uint64_t sse_id, health_id;
    time_t retry_at; /* remote server down: next health check */
    net_event_fn ev_fn;
    void *ev_ud;
    net_change_fn ch_fn;
    void *ch_ud;
};

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void on_server_event(void *ud, const server_event *ev);

/* The marker that tells the loop the embedded server finished starting. */
static net_event g_ready_marker;

static void *start_thread(void *arg)
{
    net *n = arg;
    server_options o = {.listen = n->listen,
                        .lab_key = n->lab_key,
                        .key_store = n->key_store,
                        .fresh_keys = n->fresh_keys};
    if (!server_start(&o, &n->th_srv, &n->th_err)) {
        /* the port we picked was taken in between: any free port will do */
        o.listen = "127.0.0.1:0";
        err_clear(&n->th_err);
        if (!server_start(&o, &n->th_srv, &n->th_err)) n->th_srv = NULL;
    }
    if (n->th_srv) server_subscribe(n->th_srv, on_server_event, n);
    net_event *m = &g_ready_marker;
    ssize_t w = write(n->evpipe[1], &m, sizeof m);
    (void)w;
    return NULL;
}

/* A free loopback port, so the base URL is known before the server has started. */
static int pick_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
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
    copy_str(c->client_id, sizeof c->client_id, ev->client_id);
    copy_str(c->code, sizeof c->code, ev->code);
    copy_str(c->message, sizeof c->message, ev->message);
    if (write(n->evpipe[1], &c, sizeof c) != (ssize_t)sizeof c) free(c);
}

/* Next to the progress file: $XDG_STATE_HOME/tokenlab/server-key.json (caller frees), or NULL
 * when there is no state folder. */
static char *key_store_path(void)
{
    char *prog = progress_default_path();
    char *slash = prog ? strrchr(prog, '/') : NULL;
    if (!slash) {
        free(prog);
        return NULL;
    }
    char buf[4200];
    snprintf(buf, sizeof buf, "%.*s/server-key.json", (int)(slash - prog), prog);
    free(prog);
    return strdup(buf);
}

net *net_new(const char *server_url, const char *lab_key, bool fresh_keys, tl_err *e)
{
    net *n = xcalloc(1, sizeof *n);
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
        int port = pick_port();
        snprintf(n->listen, sizeof n->listen, "127.0.0.1:%d", port);
        snprintf(n->base, sizeof n->base, "http://127.0.0.1:%d", port);
        if (lab_key) {
            n->lab_key = strdup(lab_key);
        } else { /* our own random lab key, known before the server runs */
            unsigned char r[16];
            n->lab_key = malloc(2 * sizeof r + 1);
            if (n->lab_key && RAND_bytes(r, sizeof r) == 1) {
                for (size_t i = 0; i < sizeof r; i++) sprintf(n->lab_key + 2 * i, "%02x", r[i]);
            } else {
                free(n->lab_key);
                n->lab_key = NULL;
            }
        }
        n->key_store = key_store_path();
        n->fresh_keys = fresh_keys;
        n->starting = true;
        if (pthread_create(&n->th, NULL, start_thread, n) != 0) {
            n->starting = false;
            err_set(e, "tui.thread", "cannot start the embedded server thread");
            net_free(n);
            return NULL;
        }
    }
    char url[300];
    snprintf(url, sizeof url, "%s/jwks", n->base);
    n->jc = jwkscache_new(n->http, url);
    return n;
}

void net_free(net *n)
{
    if (!n) return;
    if (n->starting) { /* wait for the start to finish, then stop what it started */
        pthread_join(n->th, NULL);
        n->starting = false;
        n->srv = n->th_srv;
    }
    jwkscache_free(n->jc);
    free(n->key_store);
    http_client_free(n->http);
    server_stop(n->srv); /* joins the server threads: no more events after this */
    if (n->evpipe[0] >= 0) {
        net_event *c;
        while (read(n->evpipe[0], &c, sizeof c) == (ssize_t)sizeof c)
            if (c != &g_ready_marker) free(c);
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

static void open_events(net *n);

/* Remote server: the server's view arrives as SSE from /lab/events. */
static void on_sse(const char *event, const char *data, void *ud)
{
    net *n = ud;
    if (!event) { /* stream ended: the server went away (or never answered) */
        n->sse_id = 0;
        if (n->up) {
            n->up = false;
            changed(n);
        }
        n->retry_at = time(NULL) + 5;
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
        copy_str(ev.client_id, sizeof ev.client_id,
                 json_string_value(json_object_get(j, "client_id")));
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
    if (!up) n->retry_at = time(NULL) + 5;
    if (up && !n->sse_id) open_events(n);
}

/* Every answer from the server says it is up; a transport failure says it is down. */
static void on_any_exchange(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    net *n = ud;
    if (x->state == HTTP_PENDING || x->state == HTTP_CANCELLED || !x->url) return;
    if (strncmp(x->url, n->base, strlen(n->base)) != 0) return;
    bool up = x->state == HTTP_DONE;
    if (up != n->up && !net_embedded(n)) {
        n->up = up;
        if (!up) n->retry_at = time(NULL) + 5;
        changed(n);
    }
}

static void health_check(net *n)
{
    char url[300];
    snprintf(url, sizeof url, "%s/health", n->base);
    http_request *r = http_request_new("GET", url);
    if (!r) return;
    http_request_set_label(r, "is the server up?");
    if (!http_send(n->http, r, on_health, n, &n->health_id, NULL)) n->health_id = 0;
    http_request_free(r);
}

void net_tick(net *n)
{
    if (net_embedded(n) || !n->started) return;
    if (!n->up && !n->health_id && time(NULL) >= n->retry_at) health_check(n);
}

void net_start(net *n)
{
    if (n->started) return;
    n->started = true;
    if (n->starting) return; /* server_ready() calls us again */
    jwkscache_on_update(n->jc, on_jwks, n);
    jwkscache_refresh(n->jc, NULL);
    if (!net_embedded(n)) {
        http_on_exchange(n->http, on_any_exchange, n);
        health_check(n);
        open_events(n);
    }
}

static void open_events(net *n)
{
    char url[300];
    snprintf(url, sizeof url, "%s/lab/events", n->base);
    if (!http_sse_open(n->http, url, on_sse, n, &n->sse_id, NULL)) n->sse_id = 0;
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
    return n->listen[0] != '\0'; /* set only when we start our own server */
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

const jwks *net_jwks(net *n, const char *kid)
{
    if (n->started && !n->starting) {
        /* an unknown kid (a rotated key) starts one refetch, at most once per 10 s */
        jwk *tmp = NULL;
        if (jwkscache_find(n->jc, kid, &tmp, NULL) == JWKSCACHE_FOUND) jwk_free(tmp);
    }
    return jwkscache_keys(n->jc);
}

static void server_ready(net *n)
{
    pthread_join(n->th, NULL);
    n->starting = false;
    n->srv = n->th_srv;
    if (n->srv) {
        copy_str(n->base, sizeof n->base, server_base_url(n->srv));
        n->up = true;
        n->start_err[0] = '\0';
    } else {
        copy_str(n->start_err, sizeof n->start_err, n->th_err.msg);
        n->up = false;
    }
    if (n->started) { /* net_start ran before the server was up: do its work now */
        n->started = false;
        net_start(n);
    }
    changed(n);
}

static void drain_events(net *n)
{
    net_event *c;
    while (read(n->evpipe[0], &c, sizeof c) == (ssize_t)sizeof c) {
        if (c == &g_ready_marker) {
            server_ready(n);
            continue;
        }
        if (n->ev_fn) n->ev_fn(n->ev_ud, c);
        free(c);
    }
}

bool net_ready(const net *n)
{
    return !n->starting;
}

const char *net_start_error(const net *n)
{
    return n->start_err[0] ? n->start_err : NULL;
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
    return n->starting || http_busy(n->http);
}
