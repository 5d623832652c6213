/* SPDX-License-Identifier: MIT */
/* par — pushed authorization requests (see par.h; RFC 9126). */
#include "server/par.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "server/authorize.h"

typedef struct par_req { /* a pushed request, until /authorize uses it */
    char client_id[SRV_ID];
    char *body; /* the form parameters as pushed */
} par_req;

void par_entry_free(void *v)
{
    par_req *p = v;
    if (p) free(p->body);
    free(p);
}

enum MHD_Result par_handle(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, false, &res)) return res;
    const config_client *c = srv_client_auth(r, false, &res);
    if (!c) return res;
    if (srv_form(r, "request_uri"))
        return srv_oauth_error(r, 400, c->client_id, "invalid_request", NULL,
                               "a pushed request must not itself contain request_uri (RFC 9126 "
                               "§2.1)");
    if (!srv_form(r, "client_id"))
        return srv_oauth_error(r, 400, c->client_id, "invalid_request", NULL,
                               "client_id is missing from the pushed request (RFC 9126 §2.1)");
    /* validate exactly as /authorize would: its checks read r->query */
    reqparse_params_free(&r->query);
    r->query = r->form;
    r->form = (reqparse_params){0};
    r->has_query = true;
    r->pushed = true;
    r->pushed_by = c;
    return authorize_start(r);
}

enum MHD_Result par_store(srv_req *r, const char *client_id)
{
    server *s = r->s;
    if (r->pushed_by && strcmp(r->pushed_by->client_id, client_id) != 0)
        return srv_oauth_error(r, 400, r->pushed_by->client_id, "invalid_request", NULL,
                               "the pushed client_id is not the client that authenticated (RFC "
                               "9126 §2.1)");
    char id[SRV_ID];
    if (!srv_random_id(id, 24))
        return srv_oauth_error(r, 500, client_id, "server_error", NULL, "CSPRNG failure");
    par_req *p = xcalloc(1, sizeof *p);
    srv_copy(p->client_id, sizeof p->client_id, client_id);
    p->body = xmalloc(r->body_len + 1);
    memcpy(p->body, r->body ? r->body : "", r->body_len);
    p->body[r->body_len] = '\0';
    int64_t now = srv_now(s);
    server *root = s->root ? s->root : s;
    store_lock(root->par);
    bool ok = store_put_locked(root->par, id, p, now + PAR_TTL, now);
    store_unlock(root->par);
    if (!ok) {
        par_entry_free(p);
        return srv_oauth_error(r, 503, client_id, "temporarily_unavailable", NULL,
                               "too many pushed requests waiting; try again shortly");
    }
    char uri[SRV_ID + 64];
    snprintf(uri, sizeof uri, PAR_URI_PREFIX "%s", id);
    char msg[200];
    snprintf(msg, sizeof msg, "pushed authorization request stored (%s), single use, %d s",
             client_id, PAR_TTL);
    srv_event(s, "info", "/par", client_id, NULL, msg);
    return srv_send_json(r, 201, json_pack("{s:s, s:i}", "request_uri", uri, "expires_in", PAR_TTL),
                         NULL);
}

bool par_resolve(srv_req *r, enum MHD_Result *res)
{
    server *s = r->s, *root = s->root ? s->root : s;
    const char *uri = srv_query(r, "request_uri");
    const char *cid = srv_query(r, "client_id");
    size_t pl = strlen(PAR_URI_PREFIX);
    if (strncmp(uri, PAR_URI_PREFIX, pl) != 0) {
        *res = srv_error_page(
            r, 400, cid, "invalid_request_uri",
            "request_uri is not one this server issued (it starts with " PAR_URI_PREFIX
            "; request objects by reference are not supported)");
        return false;
    }
    int64_t now = srv_now(s);
    par_req p = {{0}, NULL};
    store_lock(root->par);
    par_req *live = store_get_locked(root->par, uri + pl, now);
    if (live && cid && strcmp(live->client_id, cid) == 0) {
        p = *live;
        live->body = NULL;                        /* ours now */
        store_remove_locked(root->par, uri + pl); /* single use (RFC 9126 §4) */
    }
    bool other = live && !p.body;
    store_unlock(root->par);
    if (!p.body) {
        *res = srv_error_page(r, 400, cid, "invalid_request_uri",
                              other ? "this request_uri was pushed by another client; client_id "
                                      "must be the pushing client's (RFC 9126 §4)"
                                    : "unknown, already used or expired request_uri: it is good "
                                      "for one use within 60 seconds (RFC 9126 §2.2, §4)");
        return false;
    }
    reqparse_params q = {0};
    tl_err e = {0};
    bool ok = reqparse_form(p.body, strlen(p.body), &q, &e);
    free(p.body);
    if (!ok) {
        *res = srv_error_page(r, 400, cid, "invalid_request_uri", e.msg);
        return false;
    }
    /* RFC 9126 §4: only the pushed parameters count; the query's others are ignored */
    reqparse_params_free(&r->query);
    r->query = q;
    r->par_used = true;
    return true;
}
