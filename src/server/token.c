/* SPDX-License-Identifier: MIT */
/* POST /token (RFC 6749 §3.2): every grant, and the tokens it mints — access tokens as JWTs per
 * RFC 9068, ID tokens per OIDC Core §2, opaque refresh tokens of 256 CSPRNG bits. */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "jose/alg.h"
#include "jose/b64url.h"
#include "server/token.h"
#include "server/dpop.h"
#include "server/secret.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

/* RFC 7636 §4.6: the server computes BASE64URL(SHA256(ASCII(code_verifier))) and compares it with
 * the code_challenge bound to the code. RFC 9700 §2.1.1: a code_verifier for a code that was issued
 * without a code_challenge is refused too (PKCE downgrade). The no-pkce lab switch skips it all. */
static bool pkce_verify(const char *challenge, const char *verifier, bool lab_off, const char **err,
                        const char **why)
{
    *err = "invalid_grant";
    if (lab_off) return true;
    if (!challenge[0]) {
        if (!verifier) return true;
        *why = "code_verifier sent, but the authorization request had no code_challenge (PKCE "
               "downgrade, RFC 9700 §2.1.1)";
        return false;
    }
    if (!verifier) {
        *err = "invalid_request";
        *why = "code_verifier is missing; this code is bound to a code_challenge (RFC 7636 §4.5)";
        return false;
    }
    size_t n = strlen(verifier);
    if (n < 43 || n > 128 ||
        strspn(verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") !=
            n) {
        *err = "invalid_request";
        *why = "code_verifier must be 43-128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)";
        return false;
    }
    char *b = b64url_sha256(verifier, n);
    bool ok = b && strlen(b) == strlen(challenge) && CRYPTO_memcmp(b, challenge, strlen(b)) == 0;
    free(b);
    if (!ok) *why = "PKCE code_verifier does not match the code_challenge (RFC 7636 §4.6)";
    return ok;
}

void token_revoke_grant(server *s, const char *grant_id, const char *why)
{
    if (!grant_id || !grant_id[0]) return;
    int64_t now = srv_now(s);
    store_lock(s->grants);
    srv_grant *g = store_get_locked(s->grants, grant_id, now);
    if (g && !g->revoked) {
        g->revoked = true;
        srv_copy(g->why, sizeof g->why, why);
    }
    store_unlock(s->grants);
}

static bool new_grant(server *s, const char *client_id, const char *sub, const char *scope,
                      int64_t auth_time, char *gid)
{
    srv_grant *g = calloc(1, sizeof *g);
    if (!g || !srv_random_id(gid, 18)) {
        free(g);
        return false;
    }
    srv_copy(g->client_id, sizeof g->client_id, client_id);
    srv_copy(g->sub, sizeof g->sub, sub);
    srv_copy(g->scope, sizeof g->scope, scope);
    g->auth_time = auth_time;
    int64_t now = srv_now(s);
    store_lock(s->grants);
    bool ok = store_put_locked(s->grants, gid, g,
                               now + s->cfg->refresh_ttl + s->cfg->access_ttl + 60, now);
    store_unlock(s->grants);
    if (!ok) free(g);
    return ok;
}

typedef struct issue_req {
    const config_client *c;
    const char *sub;   /* user, or NULL for client_credentials */
    const char *scope; /* granted scope of this access token */
    int64_t auth_time;
    const char *nonce;
    const char *grant_id;      /* NULL: no grant (client_credentials) */
    const char *refresh_scope; /* non-NULL: issue a refresh token with this scope */
    const char *grant_type;    /* for the event */
} issue_req;

static enum MHD_Result issue_tokens(srv_req *r, const issue_req *q)
{
    server *s = r->s;
    const config *cfg = s->cfg;
    int64_t now = srv_now(s);
    char jti[SRV_ID];
    if (!srv_random_id(jti, 18))
        return srv_oauth_error(r, 500, q->c->client_id, "server_error", NULL, "CSPRNG failure");
    /* RFC 9068 §2.2 */
    json_t *at = json_object();
    json_object_set_new(at, "iss", json_string(s->issuer));
    json_object_set_new(at, "sub", json_string(q->sub ? q->sub : q->c->client_id));
    json_object_set_new(at, "aud", json_string(s->api_audience));
    json_object_set_new(at, "client_id", json_string(q->c->client_id));
    json_object_set_new(at, "scope", json_string(q->scope));
    json_object_set_new(at, "iat", json_integer(now));
    json_object_set_new(at, "exp", json_integer(now + cfg->access_ttl));
    json_object_set_new(at, "jti", json_string(jti));
    if (q->sub) json_object_set_new(at, "auth_time", json_integer(q->auth_time));
    if (r->dpop_jkt[0]) /* RFC 9449 §6.1: bound to the key that signed the proof */
        json_object_set_new(at, "cnf", json_pack("{s:s}", "jkt", r->dpop_jkt));
    char *access = NULL;
    tl_err e = {0};
    bool ok = srv_sign_jwt(s, "at+jwt", at, &access, &e);
    json_decref(at);
    if (!ok)
        return srv_oauth_error(r, 500, q->c->client_id, "server_error", NULL, "signing failed: %s",
                               e.msg);
    if (q->grant_id) {
        srv_jti *rec = calloc(1, sizeof *rec);
        if (rec) {
            srv_copy(rec->grant_id, sizeof rec->grant_id, q->grant_id);
            store_lock(s->jtis);
            if (!store_put_locked(s->jtis, jti, rec, now + cfg->access_ttl + 60, now)) free(rec);
            store_unlock(s->jtis);
        }
    }
    json_t *resp = json_object();
    json_object_set_new(resp, "access_token", json_string(access));
    json_object_set_new(resp, "token_type", json_string(r->dpop_jkt[0] ? "DPoP" : "Bearer"));
    json_object_set_new(resp, "expires_in", json_integer(cfg->access_ttl));
    json_object_set_new(resp, "scope", json_string(q->scope));
    reqparse_scopes sc = {0};
    reqparse_scope(q->scope, &sc, NULL);
    if (q->sub && reqparse_scopes_has(&sc, "openid")) {
        /* OIDC Core §2 and §5.4 (claims by scope) */
        const config_user *u = config_user_by_sub(cfg, q->sub);
        json_t *id = json_object();
        json_object_set_new(id, "iss", json_string(s->issuer));
        json_object_set_new(id, "sub", json_string(q->sub));
        json_object_set_new(id, "aud", json_string(q->c->client_id));
        json_object_set_new(id, "exp", json_integer(now + cfg->id_ttl));
        json_object_set_new(id, "iat", json_integer(now));
        json_object_set_new(id, "auth_time", json_integer(q->auth_time));
        if (q->nonce && q->nonce[0]) json_object_set_new(id, "nonce", json_string(q->nonce));
        char *ah = alg_half_hash(keys_alg(s->keys), access); /* OIDC Core §3.1.3.6 */
        if (ah) json_object_set_new(id, "at_hash", json_string(ah));
        free(ah);
        if (u && reqparse_scopes_has(&sc, "email")) {
            json_object_set_new(id, "email", json_string(u->email));
            json_object_set_new(id, "email_verified", json_boolean(u->email_verified));
        }
        if (u && reqparse_scopes_has(&sc, "profile")) {
            if (u->name) json_object_set_new(id, "name", json_string(u->name));
            if (u->given_name) json_object_set_new(id, "given_name", json_string(u->given_name));
            if (u->family_name) json_object_set_new(id, "family_name", json_string(u->family_name));
        }
        char *idt = NULL;
        ok = srv_sign_jwt(s, "JWT", id, &idt, &e);
        json_decref(id);
        if (ok) json_object_set_new(resp, "id_token", json_string(idt));
        free(idt);
    }
    reqparse_scopes_free(&sc);
    free(access);
    if (q->refresh_scope && q->grant_id) {
        char rt[SRV_ID];
        srv_refresh *rec = calloc(1, sizeof *rec);
        if (rec && srv_random_id(rt, 32)) {
            srv_copy(rec->grant_id, sizeof rec->grant_id, q->grant_id);
            srv_copy(rec->client_id, sizeof rec->client_id, q->c->client_id);
            srv_copy(rec->scope, sizeof rec->scope, q->refresh_scope);
            /* RFC 9449 §5: a public client's refresh token is bound to its DPoP key too (a
             * confidential client's is bound by its client authentication) */
            if (!q->c->confidential) srv_copy(rec->jkt, sizeof rec->jkt, r->dpop_jkt);
            rec->iat = now;
            rec->exp = now + cfg->refresh_ttl;
            store_lock(s->refresh);
            bool put = store_put_locked(s->refresh, rt, rec, rec->exp + 60, now);
            store_unlock(s->refresh);
            if (put)
                json_object_set_new(resp, "refresh_token", json_string(rt));
            else
                free(rec);
        } else {
            free(rec);
        }
    }
    char msg[200];
    snprintf(msg, sizeof msg, "tokens issued (%s) for %s, scope \"%.100s\"", q->grant_type,
             q->sub ? q->sub : q->c->client_id, q->scope);
    srv_event(s, "issued", "/token", q->c->client_id, NULL, msg);
    return srv_send_json(r, 200, resp, NULL);
}

/* RFC 6749 §4.1.2: a second use of a code that was exchanged is refused, and what the first use
 * produced is revoked. `code`: mark it reused (NULL when already marked). */
static enum MHD_Result code_reused(srv_req *r, const char *cid, const char *code,
                                   const srv_code *cp)
{
    server *s = r->s;
    if (code) {
        store_lock(s->codes);
        srv_code *live = store_get_locked(s->codes, code, srv_now(s));
        if (live) live->reused = true; /* seen by a first use still issuing */
        store_unlock(s->codes);
    }
    token_revoke_grant(s, cp->grant_id, "its authorization code was used twice");
    return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                           "authorization code was already used; the tokens issued from it "
                           "have been revoked (RFC 6749 §4.1.2)");
}

static enum MHD_Result grant_code(srv_req *r, const config_client *c)
{
    server *s = r->s;
    const char *cid = c->client_id;
    if (!(c->grants & CONFIG_GRANT_CODE))
        return srv_oauth_error(r, 400, cid, "unauthorized_client", NULL,
                               "client '%s' may not use the authorization_code grant", cid);
    const char *code = srv_form(r, "code");
    if (!code) return srv_oauth_error(r, 400, cid, "invalid_request", NULL, "code is missing");
    int64_t now = srv_now(s);
    srv_code cp;
    store_lock(s->codes);
    srv_code *live = store_get_locked(s->codes, code, now);
    if (live) cp = *live;
    store_unlock(s->codes);
    if (!live)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "unknown authorization code (never issued, or long expired)");
    if (cp.used && !srv_lab(s, LAB_CODE_REUSE)) return code_reused(r, cid, code, &cp);
    /* Every check before the code is marked used: a failed attempt (wrong client, verifier,
     * redirect_uri) does not burn it, and the real exchange is not told it was "already used". */
    if (strcmp(cp.client_id, cid) != 0)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "authorization code was issued to another client (RFC 6749 "
                               "§4.1.3)");
    if (now >= cp.exp)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "authorization code expired %lld s ago; codes live %lld s (RFC "
                               "6749 §4.1.2)",
                               (long long)(now - cp.exp), (long long)s->cfg->code_ttl);
    const char *ru = srv_form(r, "redirect_uri");
    if (!ru || strcmp(ru, cp.redirect_uri) != 0)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "redirect_uri %s the one in the authorization request (RFC 6749 "
                               "§4.1.3)",
                               ru ? "is not identical to" : "is missing; it must repeat");
    const char *err = NULL, *why = NULL;
    if (!pkce_verify(cp.challenge, srv_form(r, "code_verifier"), srv_lab(s, LAB_NO_PKCE), &err,
                     &why))
        return srv_oauth_error(r, 400, cid, err, NULL, "%s", why);
    /* check and set under one lock: of two valid requests racing, one wins */
    bool won = false;
    store_lock(s->codes);
    live = store_get_locked(s->codes, code, now);
    if (live && !live->used) {
        live->used = won = true;
    } else if (live && !srv_lab(s, LAB_CODE_REUSE)) {
        live->reused = true; /* seen by the first use still issuing (below) */
        cp = *live;
    } else {
        won = live != NULL;
    }
    store_unlock(s->codes);
    if (!won)
        return live ? code_reused(r, cid, NULL, &cp)
                    : srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                                      "unknown authorization code (never issued, or long expired)");
    char gid[SRV_ID];
    if (!new_grant(s, cid, cp.sub, cp.scope, cp.auth_time, gid))
        return srv_oauth_error(r, 503, cid, "temporarily_unavailable", NULL, "grant store full");
    /* A reuse that came while this grant was being made revoked nothing (no grant_id yet): it
     * left the mark `reused`, so this first use revokes its own grant before issuing. The first
     * use is still answered (exactly one use of a code wins, whatever the timing; its tokens are
     * dead on arrival) and every other use was refused as a reuse. */
    bool reused_meanwhile = false;
    store_lock(s->codes);
    live = store_get_locked(s->codes, code, now);
    if (live && !live->grant_id[0]) srv_copy(live->grant_id, sizeof live->grant_id, gid);
    if (live) reused_meanwhile = live->reused;
    store_unlock(s->codes);
    if (reused_meanwhile && !srv_lab(s, LAB_CODE_REUSE))
        token_revoke_grant(s, gid, "its authorization code was used twice");
    issue_req q = {c,
                   cp.sub,
                   cp.scope,
                   cp.auth_time,
                   cp.nonce,
                   gid,
                   (c->grants & CONFIG_GRANT_REFRESH) ? cp.scope : NULL,
                   "authorization_code"};
    return issue_tokens(r, &q);
}

static enum MHD_Result grant_refresh(srv_req *r, const config_client *c)
{
    server *s = r->s;
    const char *cid = c->client_id;
    if (!(c->grants & CONFIG_GRANT_REFRESH))
        return srv_oauth_error(r, 400, cid, "unauthorized_client", NULL,
                               "client '%s' may not use the refresh_token grant", cid);
    const char *rt = srv_form(r, "refresh_token");
    if (!rt)
        return srv_oauth_error(r, 400, cid, "invalid_request", NULL, "refresh_token is missing");
    int64_t now = srv_now(s);
    srv_refresh cp;
    bool found = false, was_rotated = false;
    store_lock(s->refresh);
    srv_refresh *live = store_get_locked(s->refresh, rt, now);
    if (live) {
        found = true;
        cp = *live;
        was_rotated = live->rotated;
    }
    store_unlock(s->refresh);
    if (!found) return srv_oauth_error(r, 400, cid, "invalid_grant", NULL, "unknown refresh token");
    if (strcmp(cp.client_id, cid) != 0)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "refresh token was issued to another client (RFC 6749 §6)");
    if (cp.revoked)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "refresh token was revoked (RFC 7009)");
    if (was_rotated) {
        token_revoke_grant(s, cp.grant_id, "a rotated refresh token was used again");
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "refresh token was already used and replaced; reuse means it may "
                               "have been stolen, so the whole grant is revoked (RFC 9700 "
                               "§4.14.2)");
    }
    if (now >= cp.exp)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL, "refresh token expired");
    if (cp.jkt[0] && strcmp(cp.jkt, r->dpop_jkt) != 0)
        return srv_oauth_error(r, 400, cid, "invalid_dpop_proof", NULL,
                               "this refresh token is bound to the DPoP key it was issued with: "
                               "send a DPoP proof signed with that key (RFC 9449 §5)");
    srv_grant g = {0};
    bool gfound = false;
    store_lock(s->grants);
    srv_grant *gl = store_get_locked(s->grants, cp.grant_id, now);
    if (gl) {
        g = *gl;
        gfound = true;
    }
    store_unlock(s->grants);
    if (!gfound || g.revoked)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL, "the grant was revoked: %s",
                               gfound ? g.why : "it expired");
    /* RFC 6749 §6: a narrower scope may be asked for, never a wider one */
    const char *want = srv_form(r, "scope");
    char scope[SRV_TEXT];
    srv_copy(scope, sizeof scope, cp.scope);
    if (want) {
        reqparse_scopes ws = {0}, have = {0};
        tl_err e = {0};
        if (!reqparse_scope(want, &ws, &e))
            return srv_oauth_error(r, 400, cid, "invalid_scope", NULL, "%s", e.msg);
        reqparse_scope(cp.scope, &have, NULL);
        for (size_t i = 0; i < ws.n; i++) {
            if (!reqparse_scopes_has(&have, ws.v[i])) {
                char bad[80];
                snprintf(bad, sizeof bad, "%s", ws.v[i]);
                reqparse_scopes_free(&ws);
                reqparse_scopes_free(&have);
                return srv_oauth_error(r, 400, cid, "invalid_scope", NULL,
                                       "scope may only be narrowed on refresh: '%s' was not "
                                       "granted (RFC 6749 §6)",
                                       bad);
            }
        }
        char *j = reqparse_scopes_join(&ws);
        srv_copy(scope, sizeof scope, j);
        free(j);
        reqparse_scopes_free(&ws);
        reqparse_scopes_free(&have);
    }
    if (!c->confidential) {
        /* RFC 9700 §4.14.2: a public client gets a new refresh token each time and the old one
         * dies; check and set under one lock so that two racing uses cannot both win */
        store_lock(s->refresh);
        live = store_get_locked(s->refresh, rt, now);
        was_rotated = !live || live->rotated;
        if (live) live->rotated = true;
        store_unlock(s->refresh);
        if (was_rotated) {
            token_revoke_grant(s, cp.grant_id, "a rotated refresh token was used again");
            return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                                   "refresh token was already used and replaced (RFC 9700 "
                                   "§4.14.2)");
        }
    }
    issue_req q = {c,
                   g.sub,
                   scope,
                   g.auth_time,
                   NULL,
                   cp.grant_id,
                   c->confidential ? NULL : cp.scope,
                   "refresh_token"};
    return issue_tokens(r, &q);
}

static enum MHD_Result grant_client_credentials(srv_req *r, const config_client *c)
{
    const char *cid = c->client_id;
    if (!c->confidential || !(c->grants & CONFIG_GRANT_CLIENT_CREDENTIALS))
        return srv_oauth_error(r, 400, cid, "unauthorized_client", NULL,
                               "client '%s' may not use the client_credentials grant (only "
                               "confidential clients registered for it, RFC 6749 §4.4)",
                               cid);
    const char *want = srv_form(r, "scope");
    reqparse_scopes ws = {0};
    tl_err e = {0};
    if (!reqparse_scope(want, &ws, &e))
        return srv_oauth_error(r, 400, cid, "invalid_scope", NULL, "%s", e.msg);
    for (size_t i = 0; i < ws.n; i++) {
        if (!reqparse_scopes_has(&c->scopes, ws.v[i])) {
            char bad[80];
            snprintf(bad, sizeof bad, "%s", ws.v[i]);
            reqparse_scopes_free(&ws);
            return srv_oauth_error(r, 400, cid, "invalid_scope", NULL,
                                   "client '%s' may not request scope '%s'", cid, bad);
        }
    }
    char *scope = reqparse_scopes_join(ws.n ? &ws : &c->scopes);
    reqparse_scopes_free(&ws);
    issue_req q = {c, NULL, scope ? scope : "", 0, NULL, NULL, NULL, "client_credentials"};
    enum MHD_Result ret = issue_tokens(r, &q);
    free(scope);
    return ret;
}

static enum MHD_Result grant_device(srv_req *r, const config_client *c)
{
    server *s = r->s;
    const char *cid = c->client_id;
    if (!(c->grants & CONFIG_GRANT_DEVICE))
        return srv_oauth_error(r, 400, cid, "unauthorized_client", NULL,
                               "client '%s' may not use the device_code grant", cid);
    const char *dc = srv_form(r, "device_code");
    if (!dc) return srv_oauth_error(r, 400, cid, "invalid_request", NULL, "device_code is missing");
    int64_t now = srv_now(s);
    srv_device d;
    bool found = false, slow = false;
    store_lock(s->devices);
    srv_device *live = store_get_locked(s->devices, dc, now);
    if (live) {
        found = true;
        /* RFC 8628 §3.5: polling faster than the interval earns slow_down and +5 s */
        if (live->status == SRV_DEVICE_PENDING && live->last_poll &&
            now - live->last_poll < live->interval) {
            live->interval += 5;
            slow = true;
        }
        live->last_poll = now;
        d = *live;
        if (live->status == SRV_DEVICE_APPROVED && strcmp(live->client_id, cid) == 0 &&
            now < live->exp)
            live->status = SRV_DEVICE_DONE;
    }
    store_unlock(s->devices);
    if (!found) return srv_oauth_error(r, 400, cid, "invalid_grant", NULL, "unknown device_code");
    if (strcmp(d.client_id, cid) != 0)
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "device_code was issued to another client");
    if (now >= d.exp)
        return srv_oauth_error(r, 400, cid, "expired_token", NULL,
                               "the device_code expired; start again (RFC 8628 §3.5)");
    if (slow)
        return srv_oauth_error(r, 400, cid, "slow_down", NULL,
                               "polling too fast; wait at least %lld s between requests (RFC "
                               "8628 §3.5)",
                               (long long)d.interval);
    switch (d.status) {
    case SRV_DEVICE_PENDING:
        snprintf(r->reason, sizeof r->reason, "authorization_pending");
        /* not a refusal: no srv_oauth_error, so no "refused" event per poll */
        return srv_send_json(r, 400,
                             srv_error_json("authorization_pending",
                                            "the user has not finished yet (RFC 8628 §3.5)"),
                             NULL);
    case SRV_DEVICE_DENIED:
        return srv_oauth_error(r, 400, cid, "access_denied", NULL, "the user denied the request");
    case SRV_DEVICE_DONE:
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL,
                               "this device_code was already exchanged for tokens");
    case SRV_DEVICE_APPROVED:
        break;
    }
    char gid[SRV_ID];
    if (!new_grant(s, cid, d.sub, d.scope, d.auth_time, gid))
        return srv_oauth_error(r, 503, cid, "temporarily_unavailable", NULL, "grant store full");
    issue_req q = {c,
                   d.sub,
                   d.scope,
                   d.auth_time,
                   NULL,
                   gid,
                   (c->grants & CONFIG_GRANT_REFRESH) ? d.scope : NULL,
                   "device_code"};
    return issue_tokens(r, &q);
}

static enum MHD_Result grant_password(srv_req *r, const config_client *c)
{
    server *s = r->s;
    const char *cid = c->client_id;
    if (!srv_lab(s, LAB_PASSWORD_GRANT))
        return srv_oauth_error(r, 400, cid, "unsupported_grant_type", NULL,
                               "the password grant is disabled: it hands the user's password to "
                               "the client and MUST NOT be used (RFC 9700 §2.4); the "
                               "password-grant lab switch turns it on");
    const char *name = srv_form(r, "username");
    const config_user *u = config_user_by_email(s->cfg, name);
    const char *pw = srv_form(r, "password");
    enum MHD_Result res;
    if (!srv_guess_allowed(r, SRV_GUESS_PASSWORD, name ? name : "", false, &res)) return res;
    if (!secret_password_ok(u ? u->password_hash : SECRET_DUMMY_HASH, pw ? pw : "") || !u) {
        srv_guess_failed(r, SRV_GUESS_PASSWORD, name ? name : "");
        return srv_oauth_error(r, 400, cid, "invalid_grant", NULL, "wrong username or password");
    }
    reqparse_scopes ws = {0};
    tl_err e = {0};
    if (!reqparse_scope(srv_form(r, "scope"), &ws, &e))
        return srv_oauth_error(r, 400, cid, "invalid_scope", NULL, "%s", e.msg);
    for (size_t i = 0; i < ws.n; i++)
        if (!reqparse_scopes_has(&c->scopes, ws.v[i])) {
            reqparse_scopes_free(&ws);
            return srv_oauth_error(r, 400, cid, "invalid_scope", NULL,
                                   "client '%s' may not request that scope", cid);
        }
    char *scope = reqparse_scopes_join(ws.n ? &ws : &c->scopes);
    reqparse_scopes_free(&ws);
    char gid[SRV_ID];
    enum MHD_Result ret;
    if (!scope || !new_grant(s, cid, u->sub, scope, srv_now(s), gid)) {
        ret = srv_oauth_error(r, 503, cid, "temporarily_unavailable", NULL, "grant store full");
    } else {
        issue_req q = {c,
                       u->sub,
                       scope,
                       srv_now(s),
                       NULL,
                       gid,
                       (c->grants & CONFIG_GRANT_REFRESH) ? scope : NULL,
                       "password"};
        ret = issue_tokens(r, &q);
    }
    free(scope);
    return ret;
}

/* A DPoP proof, when the request carries one or the client always uses DPoP (RFC 9449 §5): its
 * key's thumbprint goes into r->dpop_jkt, and every token issued below is bound to it. */
static bool token_dpop(srv_req *r, const config_client *c, enum MHD_Result *res)
{
    if (!srv_header(r, "DPoP") && !c->dpop_bound) return true;
    char htu[SRV_URI];
    tl_err e = {0};
    if (dpop_check(r, "POST", dpop_htu(r, htu, sizeof htu), NULL, r->dpop_jkt, &e)) return true;
    r->dpop_jkt[0] = '\0';
    *res = srv_oauth_error(r, 400, c->client_id, "invalid_dpop_proof", NULL, "%s%s", e.msg,
                           err_is(&e, "dpop.missing")
                               ? "; this client always uses DPoP (dpop_bound_access_tokens)"
                               : "");
    return false;
}

enum MHD_Result token_handle(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, false, &res)) return res;
    const char *gt = srv_form(r, "grant_type");
    if (!gt)
        return srv_oauth_error(r, 400, srv_form(r, "client_id"), "invalid_request", NULL,
                               "grant_type is missing (RFC 6749 §4.1.3)");
    const config_client *c = srv_client_auth(r, false, &res);
    if (!c) return res;
    if (!token_dpop(r, c, &res)) return res;
    if (strcmp(gt, "authorization_code") == 0) return grant_code(r, c);
    if (strcmp(gt, "refresh_token") == 0) return grant_refresh(r, c);
    if (strcmp(gt, "client_credentials") == 0) return grant_client_credentials(r, c);
    if (strcmp(gt, DEVICE_GRANT) == 0) return grant_device(r, c);
    if (strcmp(gt, "password") == 0) return grant_password(r, c);
    return srv_oauth_error(r, 400, c->client_id, "unsupported_grant_type", NULL,
                           "grant_type '%.64s' is not supported", gt);
}
