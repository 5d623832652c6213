/* SPDX-License-Identifier: MIT */
/* POST /introspect (RFC 7662) and POST /revoke (RFC 7009). */
#include <stdlib.h>
#include <string.h>

#include "server/api.h"
#include "server/introspect.h"
#include "server/token.h"

enum MHD_Result introspect_handle(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, false, &res)) return res;
    /* RFC 7662 §2.1: the endpoint requires authorization; here, a confidential client. */
    const config_client *c = srv_client_auth(r, true, &res);
    if (!c) return res;
    const char *token = srv_form(r, "token");
    if (!token)
        return srv_oauth_error(r, 400, c->client_id, "invalid_request", NULL,
                               "token is missing (RFC 7662 §2.1)");
    server *s = r->s;
    int64_t now = srv_now(s);
    json_t *out = json_object();
    /* a refresh token? */
    srv_refresh rt = {0};
    bool is_rt = false;
    store_lock(s->refresh);
    srv_refresh *live = store_get_locked(s->refresh, token, now);
    if (live) {
        rt = *live;
        is_rt = true;
    }
    store_unlock(s->refresh);
    if (is_rt) {
        bool active = !rt.revoked && !rt.rotated && now < rt.exp;
        srv_grant g = {0};
        store_lock(s->grants);
        srv_grant *gl = store_get_locked(s->grants, rt.grant_id, now);
        if (gl) g = *gl;
        store_unlock(s->grants);
        if (!gl || g.revoked) active = false;
        json_object_set_new(out, "active", json_boolean(active));
        if (active) {
            json_object_set_new(out, "token_type", json_string("refresh_token"));
            json_object_set_new(out, "scope", json_string(rt.scope));
            json_object_set_new(out, "client_id", json_string(rt.client_id));
            json_object_set_new(out, "sub", json_string(g.sub));
            json_object_set_new(out, "iss", json_string(s->issuer));
            json_object_set_new(out, "iat", json_integer(rt.iat));
            json_object_set_new(out, "exp", json_integer(rt.exp));
        }
        return srv_send_json(r, 200, out, NULL);
    }
    char msg[400];
    json_t *claims = api_check_token(s, token, false, msg, sizeof msg);
    json_object_set_new(out, "active", json_boolean(claims != NULL));
    if (claims) {
        static const char *const copy[] = {"scope", "client_id", "sub", "exp", "iat",
                                           "nbf",   "aud",       "iss", "jti", NULL};
        for (size_t i = 0; copy[i]; i++) {
            json_t *v = json_object_get(claims, copy[i]);
            if (v) json_object_set(out, copy[i], v);
        }
        const config_user *u =
            config_user_by_sub(s->cfg, json_string_value(json_object_get(claims, "sub")));
        if (u) json_object_set_new(out, "username", json_string(u->email));
        json_object_set_new(out, "token_type", json_string("Bearer"));
        json_decref(claims);
    } else {
        /* RFC 7662 §2.2: an inactive token reveals nothing more; the reason goes to the log */
        snprintf(r->reason, sizeof r->reason, "inactive: %.280s", msg);
    }
    return srv_send_json(r, 200, out, NULL);
}

enum MHD_Result introspect_revoke(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, false, &res)) return res;
    const config_client *c = srv_client_auth(r, false, &res);
    if (!c) return res;
    const char *token = srv_form(r, "token");
    if (!token)
        return srv_oauth_error(r, 400, c->client_id, "invalid_request", NULL,
                               "token is missing (RFC 7009 §2.1)");
    server *s = r->s;
    int64_t now = srv_now(s);
    char gid[SRV_ID] = "";
    bool other_client = false, found_rt = false;
    store_lock(s->refresh);
    srv_refresh *live = store_get_locked(s->refresh, token, now);
    if (live) {
        found_rt = true;
        if (strcmp(live->client_id, c->client_id) != 0) {
            other_client = true;
        } else {
            live->revoked = true;
            srv_copy(gid, sizeof gid, live->grant_id);
        }
    }
    store_unlock(s->refresh);
    if (other_client)
        return srv_oauth_error(r, 400, c->client_id, "unauthorized_client", NULL,
                               "this token was issued to another client (RFC 7009 §2.1)");
    if (found_rt) {
        /* RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of the
         * same grant */
        token_revoke_grant(s, gid, "its refresh token was revoked");
        srv_event(s, "info", "/revoke", c->client_id, NULL, "refresh token and its grant revoked");
        return srv_send(r, 200, "application/json", "{}", 2, NULL);
    }
    char msg[400];
    json_t *claims = api_check_token(s, token, false, msg, sizeof msg);
    if (claims) {
        const char *cid = json_string_value(json_object_get(claims, "client_id"));
        const char *jti = json_string_value(json_object_get(claims, "jti"));
        json_t *expj = json_object_get(claims, "exp");
        int64_t exp = json_is_integer(expj) ? (int64_t)json_integer_value(expj) : now + 3600;
        if (cid && strcmp(cid, c->client_id) != 0) {
            json_decref(claims);
            return srv_oauth_error(r, 400, c->client_id, "unauthorized_client", NULL,
                                   "this token was issued to another client (RFC 7009 §2.1)");
        }
        if (jti) {
            store_lock(s->jtis);
            srv_jti *j = store_get_locked(s->jtis, jti, now);
            if (j) {
                j->revoked = true;
            } else {
                srv_jti *rec = calloc(1, sizeof *rec);
                if (rec) {
                    rec->revoked = true;
                    if (!store_put_locked(s->jtis, jti, rec, exp + 60, now)) free(rec);
                }
            }
            store_unlock(s->jtis);
            srv_event(s, "info", "/revoke", c->client_id, NULL, "access token revoked");
        }
        json_decref(claims);
    }
    /* RFC 7009 §2.2: an unknown or invalid token is answered with 200 too */
    return srv_send(r, 200, "application/json", "{}", 2, NULL);
}
