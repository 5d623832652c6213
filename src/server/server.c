/* SPDX-License-Identifier: MIT */
/* The server: start/stop on libmicrohttpd, request intake (body caps, query parsing), routing,
 * the public API. Helpers are in srv.c, endpoint logic in one module per endpoint family. */
#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/xalloc.h"
#include "jose/jsonx.h"
#include "server/api.h"
#include "server/class.h"
#include "server/authorize.h"
#include "server/par.h"
#include "server/device.h"
#include "server/discovery.h"
#include "server/introspect.h"
#include "server/labhttp.h"
#include "server/login.h"
#include "server/token.h"
#include "server/html.h"
#include "server/secret.h"
#include "server/srv.h"
#include "server/throttle.h"

/* ---------------------------------------------------------------- routing */

typedef enum MHD_Result (*handler_fn)(srv_req *r);
enum { M_GET = 1, M_POST = 2 };
static const struct route {
    const char *path;
    unsigned methods;
    handler_fn get, post;
} routes[] = {
    {"/", M_GET, discovery_index, NULL},
    {"/.well-known/openid-configuration", M_GET, discovery_handle, NULL},
    {"/.well-known/oauth-authorization-server", M_GET, discovery_handle, NULL},
    {"/jwks", M_GET, discovery_jwks, NULL},
    {"/health", M_GET, discovery_health, NULL},
    {"/authorize", M_GET, authorize_start, NULL},
    {"/authorize/login", M_POST, NULL, authorize_login},
    {"/device/login", M_POST, NULL, authorize_login},
    {"/authorize/consent", M_GET | M_POST, authorize_consent_page, authorize_consent},
    {"/device/consent", M_GET | M_POST, authorize_consent_page, authorize_consent},
    {"/token", M_POST, NULL, token_handle},
    {"/par", M_POST, NULL, par_handle},
    {"/device_authorization", M_POST, NULL, device_authorization},
    {"/device", M_GET | M_POST, device_entry, device_entry},
    {"/userinfo", M_GET | M_POST, api_userinfo, api_userinfo},
    {"/introspect", M_POST, NULL, introspect_handle},
    {"/revoke", M_POST, NULL, introspect_revoke},
    {"/endsession", M_GET, discovery_endsession, NULL},
    {"/login", M_POST, NULL, login_handle},
    {"/api/profile", M_GET, api_profile, NULL},
    {"/api/notes", M_GET | M_POST, api_notes, api_notes},
    {"/lab/events", M_GET, labhttp_events, NULL},
    {"/lab/clock", M_POST, NULL, labhttp_clock},
    {"/lab/switch", M_POST, NULL, labhttp_switch},
    {"/lab/state", M_GET, labhttp_state, NULL},
    {"/lab/rotate-keys", M_POST, NULL, labhttp_rotate},
};

static enum MHD_Result header_check(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    bool *bad = cls;
    if ((key && strlen(key) != key_size) || (value && strlen(value) != value_size)) {
        *bad = true;
        return MHD_NO;
    }
    return MHD_YES;
}

/* RFC 9112 §6.3: a request whose length is ambiguous is refused, or a front end and this server
 * could read different requests out of the same bytes (request smuggling). libmicrohttpd takes the
 * first of two Content-Length values, and Transfer-Encoding over Content-Length. */
typedef struct framing {
    const char *cl;
    bool cl_differs, te;
} framing;

static enum MHD_Result framing_check(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)key_size;
    (void)value_size;
    framing *f = cls;
    if (!key || !value) return MHD_YES;
    if (strcasecmp(key, "Transfer-Encoding") == 0) f->te = true;
    if (strcasecmp(key, "Content-Length") != 0) return MHD_YES;
    if (f->cl && strcmp(f->cl, value) != 0) f->cl_differs = true;
    f->cl = value;
    return MHD_YES;
}

static const char *framing_problem(srv_req *r)
{
    framing f = {0};
    MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, framing_check, &f);
    if (f.cl_differs)
        return "two different Content-Length headers: the body's length is ambiguous (RFC 9112 "
               "§6.3)";
    if (f.cl && f.te)
        return "Content-Length together with Transfer-Encoding: the body's length is ambiguous "
               "(RFC 9112 §6.3)";
    return NULL;
}

static enum MHD_Result dispatch(srv_req *r)
{
    if (r->bad_framing) {
        srv_hdr h[] = {{"Connection", "close"},
                       {NULL, NULL}}; /* the rest of the bytes is not read */
        return srv_oauth_error(r, 400, NULL, "invalid_request", h, "%s", r->bad_framing);
    }
    bool nul = false;
    MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, header_check, &nul);
    if (nul)
        return srv_oauth_error(r, 400, NULL, "invalid_request", NULL,
                               "a request header contains a NUL byte");
    if (r->body_too_big)
        return srv_oauth_error(r, 413, NULL, "invalid_request", NULL,
                               "request body larger than %d bytes", SRV_MAX_BODY);
    const char *q = r->raw_uri ? strchr(r->raw_uri, '?') : NULL;
    if (q) {
        tl_err e = {0};
        if (!reqparse_form(q + 1, strlen(q + 1), &r->query, &e))
            return srv_oauth_error(r, 400, NULL, "invalid_request", NULL, "query string: %s",
                                   e.msg);
        r->has_query = true;
    }
    if (r->s->room && strncmp(r->path, "/s/", 3) == 0) { /* a student's lab (docs/class.md) */
        const char *rest = NULL;
        server *lab = class_lab(r->s, r->path + 3, &rest);
        if (!lab) {
            snprintf(r->reason, sizeof r->reason, "no such student lab");
            return srv_send_json(
                r, 404,
                srv_error_json("not_found", "no such student lab: /s/ID/ exists for each student "
                                            "who joined (/class/join answers with its URL)"),
                NULL);
        }
        r->s = lab;
        r->path = *rest ? rest : "/";
    }
    if (r->s->room && strncmp(r->path, "/class/", 7) == 0) return class_handle(r);
    bool is_get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool is_post = strcmp(r->method, "POST") == 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *rt = &routes[i];
        if (strcmp(rt->path, r->path) != 0) continue;
        if (is_get && (rt->methods & M_GET)) return rt->get(r);
        if (is_post && (rt->methods & M_POST)) return rt->post(r);
        const char *allow = rt->methods == (M_GET | M_POST) ? "GET, POST"
                            : rt->methods == M_GET          ? "GET"
                                                            : "POST";
        srv_hdr h[] = {{"Allow", allow}, {NULL, NULL}};
        return srv_oauth_error(r, 405, NULL, "invalid_request", h,
                               "%s is not allowed on %s (use %s)", r->method, r->path, allow);
    }
    snprintf(r->reason, sizeof r->reason, "no such endpoint");
    return srv_send_json(
        r, 404,
        srv_error_json("not_found", "no such endpoint; see /.well-known/openid-configuration"),
        NULL);
}

/* ---------------------------------------------------------------- request deadline */

/* libmicrohttpd's connection timeout is an idle timeout: a client that sends one header line every
 * few seconds keeps a connection forever. So every connection is watched from its start (or the end
 * of its previous request) until a response is queued, and one that has not sent a whole request
 * within head_timeout seconds has its socket shut down; libmicrohttpd then closes it. */
typedef struct watched {
    struct watched *prev, *next;
    int fd;
    double since;   /* when it began sending the current request (monotonic seconds) */
    bool receiving; /* a request is on its way and has no response yet */
} watched;

struct conn_watch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    watched *list;
    bool stop, started;
    pthread_t th;
};

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct conn_watch *cw = ((server *)cls)->watch;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        watched *w = xcalloc(1, sizeof *w);
        w->fd = ci ? ci->connect_fd : -1;
        w->since = mono_seconds();
        w->receiving = true;
        pthread_mutex_lock(&cw->mu);
        w->next = cw->list;
        if (cw->list) cw->list->prev = w;
        cw->list = w;
        pthread_mutex_unlock(&cw->mu);
        *socket_context = w;
    } else if (*socket_context) { /* closed: libmicrohttpd has not closed the socket yet */
        watched *w = *socket_context;
        pthread_mutex_lock(&cw->mu);
        if (w->prev)
            w->prev->next = w->next;
        else
            cw->list = w->next;
        if (w->next) w->next->prev = w->prev;
        pthread_mutex_unlock(&cw->mu);
        free(w);
        *socket_context = NULL;
    }
}

/* receiving: a new request may now arrive (the clock starts); else a response is queued. */
static void watch_mark(server *s, struct MHD_Connection *conn, bool receiving)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    watched *w = ci ? ci->socket_context : NULL;
    /* A student's lab (/s/st-N) answers on the room's connections: the room's watch holds them. */
    struct conn_watch *cw = s->root ? s->root->watch : s->watch;
    if (!w || !cw) return;
    pthread_mutex_lock(&cw->mu);
    w->receiving = receiving;
    w->since = mono_seconds();
    pthread_mutex_unlock(&cw->mu);
}

static void *watch_main(void *arg)
{
    server *s = arg;
    struct conn_watch *cw = s->watch;
    pthread_mutex_lock(&cw->mu);
    while (!cw->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cw->cv, &cw->mu, &ts);
        double now = mono_seconds();
        size_t cut = 0;
        for (watched *w = cw->list; w; w = w->next) {
            if (!w->receiving || w->fd < 0 || now - w->since < s->head_timeout) continue;
            shutdown(w->fd, SHUT_RDWR);
            w->receiving = false; /* once */
            cut++;
        }
        if (cut && s->log) {
            pthread_mutex_lock(&s->log_mu);
            fprintf(s->log,
                    "httpd: closed %zu connection%s that had not sent a whole request in %u s\n",
                    cut, cut == 1 ? "" : "s", s->head_timeout);
            fflush(s->log);
            pthread_mutex_unlock(&s->log_mu);
        }
    }
    pthread_mutex_unlock(&cw->mu);
    return NULL;
}

static void watch_stop(server *s)
{
    struct conn_watch *cw = s->watch;
    if (!cw) return;
    if (cw->started) {
        pthread_mutex_lock(&cw->mu);
        cw->stop = true;
        pthread_cond_signal(&cw->cv);
        pthread_mutex_unlock(&cw->mu);
        pthread_join(cw->th, NULL);
    }
    pthread_mutex_destroy(&cw->mu);
    pthread_cond_destroy(&cw->cv);
    free(cw);
    s->watch = NULL;
}

/* Answers the request; once a response is queued the request deadline no longer applies. */
static enum MHD_Result respond(srv_req *r)
{
    enum MHD_Result ret = dispatch(r);
    if (r->responded) watch_mark(r->s, r->conn, false);
    return ret;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    srv_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->s = cls;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    /* MHD caps the request line by the connection memory limit, so this copy is bounded. */
    r->raw_uri = uri ? strdup(uri) : NULL;
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    srv_req *r = *con_cls;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) watch_mark(cls, conn, true); /* keep-alive */
    if (!r) return;
    reqparse_params_free(&r->query);
    reqparse_params_free(&r->form);
    free(r->raw_uri);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    srv_req *r = *con_cls;
    if (!r) {
        r = on_uri(s, url, conn);
        if (!r) return MHD_NO;
        *con_cls = r;
    }
    if (!r->conn) { /* first call: headers are in */
        r->conn = conn;
        r->method = method;
        r->path = url;
        r->bad_framing = framing_problem(r);
        if (r->bad_framing) return respond(r); /* before reading a body of unknown length */
        const char *cl = srv_header(r, "Content-Length");
        if (cl) {
            char *end = NULL;
            unsigned long long n = strtoull(cl, &end, 10);
            if (n > SRV_MAX_BODY) {
                r->body_too_big = true;
                return respond(r); /* 413 before reading the body */
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->responded && !r->body_too_big) {
            if (r->body_len + *upload_size > SRV_MAX_BODY) {
                r->body_too_big = true;
                free(r->body);
                r->body = NULL;
                r->body_len = 0;
            } else {
                char *nb = realloc(r->body, r->body_len + *upload_size + 1);
                if (!nb) return MHD_NO;
                memcpy(nb + r->body_len, upload, *upload_size);
                r->body = nb;
                r->body_len += *upload_size;
                r->body[r->body_len] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->responded) return MHD_YES;
    return respond(r);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    server *s = cls;
    if (!s->log) return;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
    char safe[sizeof buf * 4];
    pthread_mutex_lock(&s->log_mu);
    fprintf(s->log, "httpd: %s\n", esc_text(buf, safe, sizeof safe));
    fflush(s->log);
    pthread_mutex_unlock(&s->log_mu);
}

/* ---------------------------------------------------------------- start / stop */

/* The listening socket is made here, not by libmicrohttpd, so a failure says what happened and
 * what to do ("port 8910 is already in use on 127.0.0.1: …") instead of MHD's "Failed to bind to
 * port 0". The daemon takes it over (MHD_OPTION_LISTEN_SOCKET) and closes it when stopped. */
static int listen_socket(const struct sockaddr_storage *ss, bool v6, tl_err *e)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    if (v6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
    }
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err_set(e, "server.listen", "cannot create a socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* a restart reuses the port */
    if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (bind(fd, (const struct sockaddr *)ss, len) == 0 && listen(fd, 128) == 0) return fd;
    int err = errno;
    close(fd);
    const char *lb = v6 ? "[" : "", *rb = v6 ? "]" : "";
    if (err == EADDRINUSE)
        err_set(e, "server.listen",
                "port %u is already in use on %s: another program (perhaps another tokenlab "
                "serve) is listening there; stop it, or choose another port with --listen "
                "%s%s%s:PORT (port 0 picks a free one)",
                port, ip, lb, ip, rb);
    else if (err == EACCES)
        err_set(e, "server.listen",
                "port %u on %s needs privileges (ports below 1024 are for root); choose a port "
                "from 1024 up, e.g. --listen %s%s%s:8910",
                port, ip, lb, ip, rb);
    else if (err == EADDRNOTAVAIL)
        err_set(e, "server.listen",
                "%s is not an address of this machine, so nothing can listen on it; use "
                "127.0.0.1 (this machine only)",
                ip);
    else
        err_set(e, "server.listen", "cannot listen on %s%s%s:%u: %s", lb, ip, rb, port,
                strerror(err));
    return -1;
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, char *host, size_t hostn,
                         bool *v6, tl_err *e)
{
    char buf[256];
    if (strlen(listen) >= sizeof buf) return err_set(e, "server.listen", "listen address too long");
    strcpy(buf, listen);
    char *h = buf, *port;
    if (buf[0] == '[') {
        char *rb = strchr(buf, ']');
        if (!rb || rb[1] != ':')
            return err_set(e, "server.listen", "'%s' is not [IPv6]:PORT", listen);
        *rb = '\0';
        h = buf + 1;
        port = rb + 2;
    } else {
        char *colon = strrchr(buf, ':');
        if (!colon) return err_set(e, "server.listen", "'%s' is not HOST:PORT", listen);
        *colon = '\0';
        port = colon + 1;
    }
    char *end = NULL;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return err_set(e, "server.listen", "'%s': port must be 0-65535", listen);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(h, port, &hints, &res);
    if (rc != 0 || !res)
        return err_set(e, "server.listen", "cannot resolve '%s': %s", h, gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    char numeric[INET6_ADDRSTRLEN];
    if (*v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ss)->sin6_addr, numeric, sizeof numeric);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)ss)->sin_addr, numeric, sizeof numeric);
    if (strcmp(numeric, "0.0.0.0") == 0 || strcmp(numeric, "::") == 0)
        snprintf(host, hostn, "%s", *v6 ? "[::1]" : "127.0.0.1");
    else if (*v6)
        snprintf(host, hostn, "[%s]", numeric);
    else
        snprintf(host, hostn, "%s", strcmp(h, "localhost") == 0 ? "localhost" : numeric);
    return true;
}

static void notes_seed(server *s)
{
    s->notes = json_object();
    for (size_t i = 0; i < s->cfg->nusers; i++) {
        const config_user *u = &s->cfg->users[i];
        json_t *arr = json_array();
        for (size_t k = 0; k < u->nnotes; k++) {
            json_t *n = json_object();
            json_object_set_new(n, "id", json_integer((json_int_t)k + 1));
            json_object_set_new(n, "text", json_string(u->notes[k]));
            json_array_append_new(arr, n);
        }
        json_object_set_new(s->notes, u->sub, arr);
    }
}

bool server_start(const server_options *o, server **out, tl_err *e)
{
    *out = NULL;
    server_options def = {0};
    if (!o) o = &def;
    server *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_mutex_init(&s->notes_mu, NULL);
    s->root = s;
    s->log = o->log;
    for (size_t i = 0; i < o->nlabs; i++) {
        unsigned b = lab_bit(o->labs[i]);
        if (!b) {
            char known[512];
            lab_known(known, sizeof known);
            err_set(e, "server.lab", "unknown lab switch '%s' (known: %s)", o->labs[i], known);
            goto fail;
        }
        atomic_fetch_or(&s->labs, b);
    }
    if (!config_load(o->config_path, &s->cfg, e)) goto fail;
    if (!s->cfg->key_file && o->key_store) {
        if (!keys_new_kept(s->cfg->alg, o->key_store, o->fresh_keys, &s->keys, e)) goto fail;
    } else if (!keys_new(s->cfg->alg, s->cfg->key_file, &s->keys, e)) {
        goto fail;
    }
    char *rnd = secret_random_token(32);
    if (!rnd) {
        err_set(e, "server.keys", "the CSPRNG failed");
        goto fail;
    }
    /* The login secret is the 43 base64url characters themselves (printable, 256 bits). */
    s->login_key = jwk_from_secret((const uint8_t *)rnd, strlen(rnd));
    free(rnd);
    s->weak_key =
        jwk_from_secret((const uint8_t *)LAB_WEAK_SECRET_WORD, strlen(LAB_WEAK_SECRET_WORD));
    if (o->lab_key && !o->lab_key[0]) {
        err_set(e, "server.lab", "the lab key is empty: that would be no key at all");
        goto fail;
    }
    if (o->lab_key) {
        snprintf(s->lab_key, sizeof s->lab_key, "%s", o->lab_key);
    } else {
        char *k = secret_random_token(16);
        snprintf(s->lab_key, sizeof s->lab_key, "%s", k ? k : "");
        free(k);
    }
    s->per_address = o->per_address_limit ? o->per_address_limit : SRV_PER_ADDRESS_DEFAULT;
    s->head_timeout = o->head_timeout ? o->head_timeout : SRV_HEAD_TIMEOUT_DEFAULT;
    s->watch = xcalloc(1, sizeof *s->watch);
    pthread_mutex_init(&s->watch->mu, NULL);
    pthread_cond_init(&s->watch->cv, NULL);
    s->sessions = store_new("sessions", 10000, free);
    s->codes = store_new("codes", 10000, free);
    s->grants = store_new("grants", 50000, free);
    s->refresh = store_new("refresh tokens", 100000, free);
    s->jtis = store_new("access tokens", 100000, free);
    s->devices = store_new("device codes", 10000, free);
    s->user_codes = store_new("user codes", 10000, free);
    s->dpop_jtis = store_new("DPoP proofs", 200000, free);
    s->guesses = throttle_new("guess budgets", 50000);
    s->par = store_new("pushed authorization requests", 10000, par_entry_free);
    s->ev = events_new();
    notes_seed(s);
    if (o->class_mode && !class_start(s, o, e)) goto fail;

    struct sockaddr_storage ss;
    char host[INET6_ADDRSTRLEN + 4];
    bool v6 = false;
    if (!parse_listen(o->listen ? o->listen : "127.0.0.1:8910", &ss, host, sizeof host, &v6, e))
        goto fail;
    /* poll(), not epoll: with epoll a client that sends part of a request and half-closes was
     * only noticed at the connection timeout (found by fuzz_server; test_half_close). */
    /* one address may not take them all: room for others above a raised per-address limit */
    unsigned max_conn = s->per_address + SRV_MAX_CONNECTIONS / 4 > SRV_MAX_CONNECTIONS
                            ? s->per_address + SRV_MAX_CONNECTIONS / 4
                            : SRV_MAX_CONNECTIONS;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    int lfd = listen_socket(&ss, v6, e);
    if (lfd < 0) goto fail;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)lfd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4,
        MHD_OPTION_CONNECTION_LIMIT, max_conn, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->per_address,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)15,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_END);
    if (!s->daemon) { /* lfd: libmicrohttpd closes it on its failure path */
        err_set(e, "server.listen", "cannot start the HTTP server on %s",
                o->listen ? o->listen : "127.0.0.1:8910");
        goto fail;
    }
    if (pthread_create(&s->watch->th, NULL, watch_main, s) != 0) {
        err_set(e, "server.listen", "cannot start the request deadline thread");
        goto fail;
    }
    s->watch->started = true;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    snprintf(s->base_url, sizeof s->base_url, "http://%s:%u", host, (unsigned)s->port);
    snprintf(s->issuer, sizeof s->issuer, "%s", o->issuer ? o->issuer : s->base_url);
    size_t il = strlen(s->issuer);
    while (il > 0 && s->issuer[il - 1] == '/') s->issuer[--il] = '\0';
    snprintf(s->api_audience, sizeof s->api_audience, "%s/api", s->issuer);
    if (!discovery_build(s, e)) goto fail;
    if (!class_ready(s, e)) goto fail;
    *out = s;
    return true;
fail:
    server_stop(s);
    return false;
}

server *srv_lab_new(server *root, const char *id, const char *lab_key, tl_err *e)
{
    server *v = calloc(1, sizeof *v);
    if (!v) {
        err_set(e, "server.nomem", "out of memory");
        return NULL;
    }
    v->root = root;
    snprintf(v->lab_id, sizeof v->lab_id, "%s", id);
    snprintf(v->prefix, sizeof v->prefix, "/s/%s", id);
    if (snprintf(v->base_url, sizeof v->base_url, "%s%s", root->base_url, v->prefix) >=
            (int)sizeof v->base_url ||
        snprintf(v->issuer, sizeof v->issuer, "%s%s", root->issuer, v->prefix) >=
            (int)sizeof v->issuer) {
        free(v);
        err_set(e, "server.lab", "the issuer is too long for a student's lab under it");
        return NULL;
    }
    snprintf(v->api_audience, sizeof v->api_audience, "%s/api", v->issuer);
    snprintf(v->lab_key, sizeof v->lab_key, "%s", lab_key);
    v->port = root->port;
    v->log = root->log;
    v->cfg = root->cfg;
    v->keys = root->keys;
    v->login_key = root->login_key;
    v->weak_key = root->weak_key;
    v->per_address = root->per_address;
    v->head_timeout = root->head_timeout;
    /* Stores of its own: their entries expire by the lab's clock (a classmate's +16m must not
     * sweep this lab's sessions and codes), and the per-address quotas count this lab's flows.
     * Smaller than the room's: one student's worth. */
    v->sessions = store_new("sessions", 500, free);
    v->codes = store_new("codes", 500, free);
    v->grants = store_new("grants", 2000, free);
    v->refresh = store_new("refresh tokens", 5000, free);
    v->jtis = store_new("access tokens", 5000, free);
    v->devices = store_new("device codes", 200, free);
    v->user_codes = store_new("user codes", 200, free);
    v->dpop_jtis = store_new("DPoP proofs", 5000, free);
    v->notes = root->notes;
    v->ev = root->ev;
    if (!discovery_build(v, e)) {
        srv_lab_free(v);
        return NULL;
    }
    return v;
}

void srv_lab_free(server *v)
{
    if (!v) return;
    store_free(v->sessions);
    store_free(v->codes);
    store_free(v->grants);
    store_free(v->refresh);
    store_free(v->jtis);
    store_free(v->devices);
    store_free(v->user_codes);
    store_free(v->dpop_jtis);
    free(v->discovery);
    free(v);
}

void server_stop(server *s)
{
    if (!s) return;
    if (s->ev) events_shutdown(s->ev);
    if (s->daemon) MHD_stop_daemon(s->daemon);
    watch_stop(s);
    class_stop(s);
    events_free(s->ev);
    store_free(s->sessions);
    store_free(s->codes);
    store_free(s->grants);
    store_free(s->refresh);
    store_free(s->jtis);
    store_free(s->devices);
    store_free(s->user_codes);
    store_free(s->dpop_jtis);
    throttle_free(s->guesses);
    store_free(s->par);
    keys_free(s->keys);
    jwk_free(s->login_key);
    jwk_free(s->weak_key);
    config_free(s->cfg);
    json_decref(s->notes);
    free(s->discovery);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->notes_mu);
    free(s);
}

const char *server_base_url(const server *s)
{
    return s->base_url;
}

const char *server_issuer(const server *s)
{
    return s->issuer;
}

uint16_t server_port(const server *s)
{
    return s->port;
}

const char *server_lab_key(const server *s)
{
    return s->lab_key;
}

const char *server_login_secret(const server *s, size_t *len)
{
    const jwk *k = srv_lab((server *)s, LAB_WEAK_SECRET) ? s->weak_key : s->login_key;
    return (const char *)jwk_secret(k, len);
}

bool server_set_lab(server *s, const char *name, bool on, tl_err *e)
{
    unsigned b = lab_bit(name);
    if (!b) return err_set(e, "server.lab", "unknown lab switch '%s'", name ? name : "(null)");
    if (on)
        atomic_fetch_or(&s->labs, b);
    else
        atomic_fetch_and(&s->labs, ~b);
    char msg[160];
    snprintf(msg, sizeof msg, "lab switch %s turned %s", name, on ? "on" : "off");
    srv_event(s, "info", "/lab/switch", NULL, NULL, msg);
    return true;
}

bool server_lab_is_on(server *s, const char *name)
{
    unsigned b = lab_bit(name);
    return b && srv_lab(s, b);
}

const char *const *server_lab_names(void)
{
    return lab_names();
}

const char *server_lab_describe(const char *name)
{
    return lab_describe(name);
}

void server_clock_advance(server *s, int64_t seconds)
{
    atomic_fetch_add(&s->clock_offset, (long long)seconds);
}

void server_clock_reset(server *s)
{
    atomic_store(&s->clock_offset, 0);
}

int64_t server_now(server *s)
{
    return srv_now(s);
}

void server_subscribe(server *s, server_event_fn fn, void *ud)
{
    events_subscribe(s->ev, fn, ud);
}

void server_unsubscribe(server *s, server_event_fn fn, void *ud)
{
    events_unsubscribe(s->ev, fn, ud);
}
