/* SPDX-License-Identifier: MIT */
/* RFC 8628: POST /device_authorization (the device asks) and /device (the user enters the code,
 * then signs in and consents through the shared login/consent steps). The token side is in
 * token.c (grant_device). */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "server/html.h"
#include "server/authorize.h"
#include "server/device.h"

/* RFC 8628 §6.1: 8 characters from 20 consonants (no vowels, no look-alikes), shown as XXXX-XXXX */
static bool make_user_code(char out[10])
{
    static const char set[] = "BCDFGHJKLMNPQRSTVWXZ";
    unsigned char rnd[8];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return false;
    for (int i = 0, o = 0; i < 8; i++) {
        if (i == 4) out[o++] = '-';
        out[o++] = set[rnd[i] % 20]; /* 256 % 20 bias is small and fine for a demo code */
    }
    out[9] = '\0';
    return true;
}

/* "wdjb mjht", "WDJBMJHT", "wdjb-mjht" → "WDJB-MJHT" (RFC 8628 §6.1: be lenient on input) */
static bool normalize_user_code(const char *in, char out[10])
{
    char c8[8];
    int n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-' || *p == ' ') continue;
        if (n == 8) return false;
        c8[n++] = (char)toupper((unsigned char)*p);
    }
    if (n != 8) return false;
    memcpy(out, c8, 4);
    out[4] = '-';
    memcpy(out + 5, c8 + 4, 4);
    out[9] = '\0';
    return true;
}

/* Quotas on the pending device authorizations (store_quota_locked): per address the oldest gives
 * way (its user code goes with it), per client id the newest is refused. */
typedef struct device_quota {
    const char *addr, *client_id;
    int64_t now;
    char dropped[4][16]; /* user codes of evicted requests, to remove from s->user_codes */
    size_t ndropped;
} device_quota;

static bool pending(const device_quota *q, const srv_device *d)
{
    return d->status == SRV_DEVICE_PENDING && d->exp > q->now;
}

static bool device_same_addr(void *ud, const void *v)
{
    const device_quota *q = ud;
    return pending(q, v) && strcmp(((const srv_device *)v)->addr, q->addr) == 0;
}

static bool device_same_client(void *ud, const void *v)
{
    const device_quota *q = ud;
    return pending(q, v) && strcmp(((const srv_device *)v)->client_id, q->client_id) == 0;
}

static void device_dropped(void *ud, const char *key, const void *v)
{
    (void)key;
    device_quota *q = ud;
    if (q->ndropped < sizeof q->dropped / sizeof q->dropped[0])
        srv_copy(q->dropped[q->ndropped], sizeof q->dropped[0], ((const srv_device *)v)->user_code);
    q->ndropped++;
}

/* Makes room for one more request from r's address; false when the client is at its share. */
static bool device_quota_ok(srv_req *r, const config_client *c, int64_t now)
{
    server *s = r->s;
    device_quota q = {.addr = srv_addr(r), .client_id = c->client_id, .now = now};
    size_t client_max = store_capacity(s->devices) / SRV_CLIENT_SHARE;
    store_lock(s->devices);
    store_quota_locked(s->devices, now, device_same_addr, &q, s->root->per_address, device_dropped);
    bool ok =
        store_quota_locked(s->devices, now, device_same_client, &q, client_max, NULL) < client_max;
    store_unlock(s->devices);
    store_lock(s->user_codes);
    for (size_t i = 0; i < q.ndropped && i < sizeof q.dropped / sizeof q.dropped[0]; i++)
        store_remove_locked(s->user_codes, q.dropped[i]);
    store_unlock(s->user_codes);
    if (q.ndropped) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "%s has %u device authorizations in progress, the most one address may have: "
                 "its oldest was dropped",
                 q.addr, s->root->per_address);
        srv_event(s, "info", r->path, c->client_id, NULL, msg);
    }
    return ok;
}

enum MHD_Result device_authorization(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, false, &res)) return res;
    const config_client *c = srv_client_auth(r, false, &res);
    if (!c) return res;
    server *s = r->s;
    if (!(c->grants & CONFIG_GRANT_DEVICE))
        return srv_oauth_error(r, 400, c->client_id, "unauthorized_client", NULL,
                               "client '%s' may not use the device flow", c->client_id);
    reqparse_scopes sc = {0};
    tl_err e = {0};
    if (!reqparse_scope(srv_form(r, "scope"), &sc, &e))
        return srv_oauth_error(r, 400, c->client_id, "invalid_scope", NULL, "%s", e.msg);
    for (size_t i = 0; i < sc.n; i++)
        if (!reqparse_scopes_has(&c->scopes, sc.v[i])) {
            char bad[80];
            snprintf(bad, sizeof bad, "%s", sc.v[i]);
            reqparse_scopes_free(&sc);
            return srv_oauth_error(r, 400, c->client_id, "invalid_scope", NULL,
                                   "client '%s' may not request scope '%s'", c->client_id, bad);
        }
    char *scope = reqparse_scopes_join(sc.n ? &sc : &c->scopes);
    reqparse_scopes_free(&sc);
    int64_t now = srv_now(s);
    if (!device_quota_ok(r, c, now)) {
        free(scope);
        return srv_oauth_error(r, 503, c->client_id, "temporarily_unavailable", NULL,
                               "client '%s' has %zu device authorizations in progress, the most "
                               "one client may have; try again shortly",
                               c->client_id, store_capacity(s->devices) / SRV_CLIENT_SHARE);
    }
    srv_device *d = calloc(1, sizeof *d);
    char dc[SRV_ID];
    bool ok = d && scope && srv_copy(d->scope, sizeof d->scope, scope) && srv_random_id(dc, 32);
    free(scope);
    if (!ok) {
        free(d);
        return srv_oauth_error(r, 400, c->client_id, "invalid_scope", NULL, "scope too long");
    }
    srv_copy(d->client_id, sizeof d->client_id, c->client_id);
    srv_copy(d->addr, sizeof d->addr, srv_addr(r));
    d->exp = now + s->cfg->device_ttl;
    d->interval = s->cfg->device_interval;
    bool stored = false;
    for (int tries = 0; tries < 5 && !stored; tries++) {
        char uc[10];
        if (!make_user_code(uc)) break;
        store_lock(s->user_codes);
        char *dcopy = strdup(dc);
        stored = dcopy && store_put_locked(s->user_codes, uc, dcopy, d->exp, now);
        if (!stored) free(dcopy);
        store_unlock(s->user_codes);
        if (stored) srv_copy(d->user_code, sizeof d->user_code, uc);
    }
    if (stored) {
        store_lock(s->devices);
        stored = store_put_locked(s->devices, dc, d, d->exp + 600, now);
        store_unlock(s->devices);
    }
    if (!stored) {
        free(d);
        return srv_oauth_error(r, 503, c->client_id, "temporarily_unavailable", NULL,
                               "too many device authorizations in progress");
    }
    char uri[420], complete[460];
    snprintf(uri, sizeof uri, "%s/device", s->base_url);
    snprintf(complete, sizeof complete, "%s?user_code=%s", uri, d->user_code);
    json_t *j = json_object();
    json_object_set_new(j, "device_code", json_string(dc));
    json_object_set_new(j, "user_code", json_string(d->user_code));
    json_object_set_new(j, "verification_uri", json_string(uri));
    json_object_set_new(j, "verification_uri_complete", json_string(complete));
    json_object_set_new(j, "expires_in", json_integer(s->cfg->device_ttl));
    json_object_set_new(j, "interval", json_integer(s->cfg->device_interval));
    srv_event(s, "issued", "/device_authorization", c->client_id, NULL,
              "device code issued; waiting for the user");
    return srv_send_json(r, 200, j, NULL);
}

static enum MHD_Result ask_code(srv_req *r, unsigned status, const char *error)
{
    if (srv_wants_json(r)) {
        json_t *j = srv_error_json(error ? "invalid_request" : NULL, error);
        json_object_set_new(j, "step", json_string("user_code"));
        char act[96];
        json_object_set_new(j, "action", json_string(srv_path(r->s, "/device", act, sizeof act)));
        return srv_send_json(r, status, j, NULL);
    }
    html_buf b = {0};
    html_begin(&b, "Connect a device");
    if (error) {
        html_raw(&b, "<p class=\"err\">");
        html_esc(&b, error);
        html_raw(&b, "</p>");
    }
    char act[96];
    html_raw(&b, "<form method=\"post\" action=\"");
    html_esc(&b, srv_path(r->s, "/device", act, sizeof act));
    html_raw(&b, "\"><label>Enter the code shown on your "
                 "device<input name=\"user_code\" autocomplete=\"off\" "
                 "placeholder=\"WDJB-MJHT\"></label><button type=\"submit\">Continue</button>"
                 "</form>");
    html_end(&b);
    return srv_send_html(r, status, &b);
}

enum MHD_Result device_entry(srv_req *r)
{
    enum MHD_Result res;
    bool post = strcmp(r->method, "POST") == 0;
    if (post && !srv_parse_body(r, true, &res)) return res;
    const char *in = post ? srv_form(r, "user_code") : srv_query(r, "user_code");
    if (!in) return ask_code(r, 200, NULL);
    /* RFC 8628 §5.1: user codes are short, so guessing them is throttled per address */
    if (!srv_guess_allowed(r, SRV_GUESS_USER_CODE, NULL, true, &res)) return res;
    server *s = r->s;
    char uc[10];
    char dc[SRV_ID] = "";
    int64_t now = srv_now(s);
    if (normalize_user_code(in, uc)) {
        store_lock(s->user_codes);
        const char *v = store_get_locked(s->user_codes, uc, now);
        if (v) srv_copy(dc, sizeof dc, v);
        store_unlock(s->user_codes);
    }
    srv_device d = {0};
    bool ok = false;
    if (dc[0]) {
        store_lock(s->devices);
        srv_device *live = store_get_locked(s->devices, dc, now);
        if (live && live->status == SRV_DEVICE_PENDING && now < live->exp) {
            d = *live;
            ok = true;
        }
        store_unlock(s->devices);
    }
    if (!ok) {
        srv_guess_failed(r, SRV_GUESS_USER_CODE, NULL);
        srv_refused(r, NULL, "invalid_request", "unknown or expired user code");
        return ask_code(r, 400,
                        "That code is unknown or has expired. Check the code on your "
                        "device (RFC 8628 §3.3).");
    }
    srv_session *ss = calloc(1, sizeof *ss);
    if (!ss) return srv_error_page(r, 500, NULL, "server_error", "out of memory");
    ss->kind = SRV_SESSION_DEVICE;
    srv_copy(ss->client_id, sizeof ss->client_id, d.client_id);
    srv_copy(ss->scope, sizeof ss->scope, d.scope);
    srv_copy(ss->device_code, sizeof ss->device_code, dc);
    return authorize_send_login(r, ss);
}
