/* SPDX-License-Identifier: MIT */
/* srv — helpers every endpoint uses: the clock and lab bits, events and refusals, responses
 * (standard headers, the log line), body parsing and client authentication. */
#include "server/srv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/esc.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "jose/jsonx.h"
#include "server/html.h"
#include "server/secret.h"
#include "server/throttle.h"

/* ---------------------------------------------------------------- clock, labs, events */

int64_t srv_clock_offset(server *s)
{
    int64_t off = (int64_t)atomic_load(&s->clock_offset);
    if (s->root && s->root != s) off += (int64_t)atomic_load(&s->root->clock_offset);
    return off;
}

int64_t srv_now(server *s)
{
    return (int64_t)time(NULL) + srv_clock_offset(s);
}

unsigned srv_labs(server *s)
{
    unsigned bits = atomic_load(&s->labs);
    if (s->root && s->root != s) bits |= atomic_load(&s->root->labs);
    return bits;
}

bool srv_lab(server *s, unsigned bit)
{
    return (srv_labs(s) & bit) != 0;
}

const char *srv_path(server *s, const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", s->prefix, path);
    return buf;
}

/* Events of a student's lab carry its id (a student's own stream shows only those and the
 * room-wide ones); the room's lab changes are room-wide. */
void srv_event(server *s, const char *kind, const char *endpoint, const char *client_id,
               const char *code, const char *msg)
{
    bool room = !s->lab_id[0] && endpoint &&
                (strncmp(endpoint, "/lab/", 5) == 0 || strcmp(endpoint, "/class/lab") == 0);
    server_event ev = {
        srv_now(s), kind, endpoint, client_id, code, msg, s->lab_id[0] ? s->lab_id : NULL, room};
    events_publish(s->ev, &ev);
}

void srv_refused(srv_req *r, const char *client_id, const char *code, const char *msg)
{
    /* a long reason is cut: it is only the log line's */
    r->reason[0] = '\0';
    const char *parts[] = {code, code ? ": " : NULL, msg};
    for (size_t i = 0; i < 3; i++)
        if (parts[i]) strncat(r->reason, parts[i], sizeof r->reason - strlen(r->reason) - 1);
    srv_event(r->s, "refused", r->path, client_id, code, msg);
}

bool srv_copy(char *dst, size_t n, const char *src)
{
    if (!src) src = "";
    size_t l = strlen(src);
    if (l >= n) return false;
    memcpy(dst, src, l + 1);
    return true;
}

bool srv_random_id(char *dst, size_t nbytes)
{
    char *t = secret_random_token(nbytes);
    bool ok = t && srv_copy(dst, SRV_ID, t);
    free(t);
    return ok;
}

bool srv_sign_jwt(server *s, const char *typ, const json_t *claims, char **out, tl_err *e)
{
    jwk *key = keys_current(s->keys);
    if (!key) return err_set(e, "server.keys", "no signing key");
    char *payload = jsonx_compact(claims);
    json_t *hdr = json_object();
    json_object_set_new(hdr, "typ", json_string(typ));
    bool ok = payload && jws_sign(hdr, (const uint8_t *)payload, strlen(payload), keys_alg(s->keys),
                                  key, false, out, e);
    json_decref(hdr);
    free(payload);
    jwk_free(key);
    return ok;
}

/* ---------------------------------------------------------------- responses */

static void log_line(srv_req *r, unsigned status)
{
    server *s = r->s;
    if (!s->log) return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms =
        (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    /* The path and the reason carry what the client sent, and this log is often on the
     * instructor's projector: print it terminal-safe (base/esc.h). */
    char path[512], reason[sizeof r->reason * 4];
    esc_text(r->path ? r->path : "?", path, sizeof path);
    esc_text(r->reason, reason, sizeof reason);
    pthread_mutex_lock(&s->root->log_mu);
    fprintf(s->log, "%s %s %s%s %u %.1fms%s%s\n", when, r->method ? r->method : "?", s->prefix,
            path, status, ms, r->reason[0] ? " refused: " : "", reason);
    fflush(s->log);
    pthread_mutex_unlock(&s->root->log_mu);
}

static enum MHD_Result queue(srv_req *r, unsigned status, struct MHD_Response *resp,
                             const char *ctype, const srv_hdr *hdrs)
{
    if (!resp) return MHD_NO;
    if (ctype) MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    bool has_cache = false;
    for (size_t i = 0; hdrs && hdrs[i].name; i++) {
        if (!hdrs[i].value) continue;
        MHD_add_response_header(resp, hdrs[i].name, hdrs[i].value);
        if (strcasecmp(hdrs[i].name, "Cache-Control") == 0) has_cache = true;
    }
    if (!has_cache) {
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        MHD_add_response_header(resp, "Pragma", "no-cache");
    }
    if (r->set_cookie[0]) MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->retry_after[0]) MHD_add_response_header(resp, "Retry-After", r->retry_after);
    unsigned labs = srv_labs(r->s);
    if (labs) {
        char buf[256];
        MHD_add_response_header(resp, "X-Tokenlab-Lab", lab_format(labs, buf, sizeof buf));
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->responded = true;
    log_line(r, status);
    return ret;
}

enum MHD_Result srv_send(srv_req *r, unsigned status, const char *ctype, const char *body,
                         size_t len, const srv_hdr *hdrs)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    return queue(r, status, resp, ctype, hdrs);
}

enum MHD_Result srv_send_static(srv_req *r, unsigned status, const char *ctype, const char *body,
                                size_t len, const srv_hdr *hdrs)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    return queue(r, status, resp, ctype, hdrs);
}

enum MHD_Result srv_send_json(srv_req *r, unsigned status, json_t *j, const srv_hdr *hdrs)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!s) return srv_send(r, 500, "text/plain", "out of memory\n", 14, NULL);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
    return queue(r, status, resp, "application/json", hdrs);
}

/* A description as a JSON string even when it is not valid UTF-8 (a message cut mid-character, or
 * quoting bytes a client sent): each invalid byte becomes '?', so the description is never lost. */
static json_t *description(const char *msg)
{
    json_t *v = json_string(msg ? msg : "");
    if (v) return v;
    size_t n = strlen(msg);
    char *c = xmalloc(n + 1);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_next((const unsigned char *)msg + i, n - i, &cp);
        if (l == 0) {
            c[i++] = '?';
            continue;
        }
        memcpy(c + i, msg + i, l);
        i += l;
    }
    c[n] = '\0';
    v = json_string(c);
    free(c);
    return v;
}

json_t *srv_error_json(const char *code, const char *msg)
{
    json_t *j = json_object();
    if (code) {
        json_object_set_new(j, "error", json_string(code));
        json_object_set_new(j, "error_description", description(msg));
    }
    return j;
}

enum MHD_Result srv_oauth_error(srv_req *r, unsigned status, const char *client_id,
                                const char *code, const srv_hdr *hdrs, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    srv_refused(r, client_id, code, msg);
    return srv_send_json(r, status, srv_error_json(code, msg), hdrs);
}

enum MHD_Result srv_send_html(srv_req *r, unsigned status, struct html_buf *b)
{
    srv_hdr h[] = {{"X-Frame-Options", "DENY"},
                   {"Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"},
                   {NULL, NULL}};
    enum MHD_Result ret =
        srv_send(r, status, "text/html; charset=utf-8", b->p ? b->p : "", b->n, h);
    free(b->p);
    b->p = NULL;
    return ret;
}

enum MHD_Result srv_error_page(srv_req *r, unsigned status, const char *client_id, const char *code,
                               const char *msg)
{
    if (srv_wants_json(r)) return srv_oauth_error(r, status, client_id, code, NULL, "%s", msg);
    srv_refused(r, client_id, code, msg);
    html_buf b = {0};
    html_begin(&b, "Request refused");
    html_raw(&b, "<p class=\"err\"><b>");
    html_esc(&b, code);
    html_raw(&b, "</b>: ");
    html_esc(&b, msg);
    html_raw(&b, "</p><p>The server will not send you back to the application, because it "
                 "cannot trust where that would go.</p>");
    html_end(&b);
    return srv_send_html(r, status, &b);
}

enum MHD_Result srv_redirect(srv_req *r, const char *location)
{
    srv_hdr h[] = {{"Location", location}, {NULL, NULL}};
    return srv_send(r, 303, "text/plain; charset=utf-8", "See Other\n", 10, h);
}

/* ---------------------------------------------------------------- request parsing */

const char *srv_header(srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *srv_addr(srv_req *r)
{
    if (r->addr[0]) return r->addr;
    const union MHD_ConnectionInfo *ci =
        r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    bool ok = false;
    if (sa && sa->sa_family == AF_INET)
        ok = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->addr,
                       sizeof r->addr) != NULL;
    else if (sa && sa->sa_family == AF_INET6)
        ok = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->addr,
                       sizeof r->addr) != NULL;
    if (!ok) snprintf(r->addr, sizeof r->addr, "?");
    return r->addr;
}

/* ---------------------------------------------------------------- guess throttling */

static const char *const guess_what[] = {"wrong passwords", "wrong user codes", "wrong lab keys"};
static const char *const guess_tag[] = {"pw", "uc", "lab"};

static void guess_key(char *buf, size_t n, srv_guess kind, const char *who, const char *value)
{
    size_t o = (size_t)snprintf(buf, n, "%s:%s:", guess_tag[kind], who);
    for (const char *p = value; *p && o + 1 < n; p++) /* accounts: emails, case-insensitive */
        buf[o++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    buf[o < n ? o : n - 1] = '\0';
}

bool srv_guess_allowed(srv_req *r, srv_guess kind, const char *account, bool page,
                       enum MHD_Result *res)
{
    server *root = r->s->root;
    double per = root->per_address;
    char key[SRV_TEXT];
    int retry = 0;
    bool by_account = false;
    guess_key(key, sizeof key, kind, "addr", srv_addr(r));
    bool ok = throttle_allow(root->guesses, key, per, per, &retry);
    if (ok && account && kind == SRV_GUESS_PASSWORD) {
        guess_key(key, sizeof key, kind, "acct", account);
        ok = throttle_allow(root->guesses, key, SRV_GUESS_ACCOUNT_BURST, SRV_GUESS_ACCOUNT_BURST,
                            &retry);
        by_account = !ok;
    }
    if (ok) return true;
    char msg[200];
    snprintf(msg, sizeof msg, "too many %s %s; try again in %d s (guesses are throttled)",
             guess_what[kind], by_account ? "for this account" : "from your address", retry);
    snprintf(r->retry_after, sizeof r->retry_after, "%d", retry);
    *res = page ? srv_error_page(r, 429, NULL, "slow_down", msg)
                : srv_oauth_error(r, 429, NULL, "slow_down", NULL, "%s", msg);
    return false;
}

void srv_guess_failed(srv_req *r, srv_guess kind, const char *account)
{
    server *root = r->s->root;
    double per = root->per_address;
    char key[SRV_TEXT];
    guess_key(key, sizeof key, kind, "addr", srv_addr(r));
    throttle_fail(root->guesses, key, per, per);
    if (account && kind == SRV_GUESS_PASSWORD) {
        guess_key(key, sizeof key, kind, "acct", account);
        throttle_fail(root->guesses, key, SRV_GUESS_ACCOUNT_BURST, SRV_GUESS_ACCOUNT_BURST);
    }
}

bool srv_wants_json(srv_req *r)
{
    if (r->pushed) return true; /* /par answers in JSON, whatever it accepts (RFC 9126 §2.3) */
    return reqparse_accepts_json(srv_header(r, "Accept"));
}

const char *srv_query(srv_req *r, const char *name)
{
    return reqparse_get(&r->query, name);
}

const char *srv_form(srv_req *r, const char *name)
{
    return reqparse_get(&r->form, name);
}

bool srv_parse_body(srv_req *r, bool json_ok, enum MHD_Result *result)
{
    if (r->form_parsed) return true;
    const char *ct = srv_header(r, "Content-Type");
    tl_err e = {0};
    bool ok;
    if (r->body_len == 0) {
        ok = true;
    } else if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        ok = reqparse_form(r->body, r->body_len, &r->form, &e);
    } else if (json_ok && ct && strncasecmp(ct, "application/json", 16) == 0) {
        ok = reqparse_json(r->body, r->body_len, &r->form, &e);
    } else {
        *result = srv_oauth_error(
            r, 415, NULL, "invalid_request", NULL,
            "the body must be application/x-www-form-urlencoded%s (RFC 6749 §3.2), not %s",
            json_ok ? " or application/json" : "", ct ? ct : "a body without Content-Type");
        return false;
    }
    if (!ok) {
        *result = srv_oauth_error(r, 400, NULL, "invalid_request", NULL, "request body: %s", e.msg);
        return false;
    }
    r->form_parsed = true;
    return true;
}

const config_client *srv_client_auth(srv_req *r, bool require_confidential, enum MHD_Result *result)
{
    const char *authz = srv_header(r, "Authorization");
    char *id = NULL, *secret = NULL;
    bool basic = false;
    const char *body_id = srv_form(r, "client_id");
    const char *body_secret = srv_form(r, "client_secret");
    if (authz) {
        tl_err e = {0};
        if (!reqparse_basic_auth(authz, &id, &secret, &e)) {
            srv_hdr h[] = {{"WWW-Authenticate", "Basic realm=\"tokenlab\""}, {NULL, NULL}};
            *result = srv_oauth_error(r, 401, NULL, "invalid_client", h,
                                      "client authentication failed: %s (RFC 6749 §2.3.1)", e.msg);
            return NULL;
        }
        basic = true;
        /* RFC 6749 §2.3: a client MUST NOT use more than one authentication method. */
        if (body_secret || (body_id && strcmp(body_id, id) != 0)) {
            *result = srv_oauth_error(r, 400, id, "invalid_request", NULL,
                                      "use one client authentication method: HTTP Basic or "
                                      "client_secret in the body, not both (RFC 6749 §2.3)");
            free(id);
            free(secret);
            return NULL;
        }
    }
    const char *cid = basic ? id : body_id;
    const char *csec = basic ? secret : body_secret;
    const config_client *c = config_client_by_id(r->s->cfg, cid);
    srv_hdr h[] = {{"WWW-Authenticate", "Basic realm=\"tokenlab\""}, {NULL, NULL}};
    if (!cid) {
        *result = srv_oauth_error(r, 401, NULL, "invalid_client", h,
                                  "no client authentication: send HTTP Basic credentials or "
                                  "client_id (RFC 6749 §2.3.1)");
    } else if (!c) {
        *result = srv_oauth_error(r, 401, cid, "invalid_client", basic ? h : NULL,
                                  "unknown client_id '%.64s'", cid);
        c = NULL;
    } else if (c->confidential && !csec) {
        *result = srv_oauth_error(r, 401, cid, "invalid_client", h,
                                  "client '%s' is confidential and must authenticate with its "
                                  "secret (client_secret_basic or client_secret_post, RFC 6749 "
                                  "§2.3.1)",
                                  cid);
        c = NULL;
    } else if (c->confidential && !secret_equal(csec, c->secret)) {
        *result = srv_oauth_error(r, 401, cid, "invalid_client", basic ? h : NULL,
                                  "wrong client secret for '%s'", cid);
        c = NULL;
    } else if (!c->confidential && csec && *csec) {
        *result = srv_oauth_error(r, 401, cid, "invalid_client", basic ? h : NULL,
                                  "client '%s' is public and has no secret; send only client_id "
                                  "(RFC 6749 §2.1)",
                                  cid);
        c = NULL;
    } else if (require_confidential && !c->confidential) {
        *result = srv_oauth_error(r, 401, cid, "invalid_client", NULL,
                                  "this endpoint needs a confidential client; '%s' is public", cid);
        c = NULL;
    }
    free(id);
    free(secret);
    return c;
}
