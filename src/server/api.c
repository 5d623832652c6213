/* SPDX-License-Identifier: MIT */
/* The protected API (/api/profile, /api/notes), /userinfo (OIDC Core §5.3), and the one function
 * that decides whether a bearer token is good (api_check_token). Errors per RFC 6750 §3. */
#include <stdlib.h>
#include <string.h>

#include "jose/alg.h"
#include "jose/jwt.h"
#include "server/api.h"
#include "server/dpop.h"

/* *as_key: the token was verified with the authorization server's signing keys (an OAuth token),
 * not with the JWT login's HMAC secret. */
static bool verify_signature(server *s, const jws *t, bool *as_key, char *msg, size_t n)
{
    tl_err e = {0};
    /* RFC 8725 §3.1/§3.2: the key decides the algorithm; never the token. */
    if (jws_alg_name_is_none(t->alg_name)) {
        if (srv_lab(s, LAB_ALG_NONE)) return true; /* lab: accepts unsigned tokens */
        snprintf(msg, n,
                 "unsigned token (alg \"%s\") refused: a token must be signed (RFC 8725 "
                 "§3.2)",
                 t->alg_name);
        return false;
    }
    bool is_hmac = alg_is_hmac(t->alg);
    if (srv_lab(s, LAB_ALG_CONFUSION) && is_hmac) {
        /* lab: the vulnerable verifier takes the header's alg and uses "the key" as the HMAC
         * secret — the signing key's public PEM, which anyone can fetch. */
        jwk *all[8];
        size_t nk = keys_all(s->keys, srv_now(s), all, 8);
        bool ok = false;
        for (size_t i = 0; i < nk && !ok; i++) {
            char *pem = jwk_to_pem(all[i], false, NULL);
            for (int nl = 0; pem && nl < 2 && !ok; nl++) {
                size_t pl = strlen(pem);
                if (nl && pl && pem[pl - 1] == '\n') pl--; /* with or without the final newline */
                jwk *hk = jwk_from_secret((const uint8_t *)pem, pl);
                ok = hk && jws_verify(t, hk, &t->alg, 1, NULL);
                jwk_free(hk);
            }
            free(pem);
        }
        for (size_t i = 0; i < nk; i++) jwk_free(all[i]);
        if (ok) return *as_key = true;
    }
    jwk *key = keys_find(s->keys, t->kid, srv_now(s));
    if (key) {
        *as_key = true;
        jws_alg a = keys_alg(s->keys);
        bool ok = jws_verify(t, key, &a, 1, &e);
        jwk_free(key);
        if (!ok) snprintf(msg, n, "%s", e.msg);
        return ok;
    }
    if (is_hmac) {
        /* the JWT login's own tokens: HS256 with the server's secret */
        size_t sl = 0;
        const char *sec = server_login_secret(s, &sl);
        jwk *hk = jwk_from_secret((const uint8_t *)sec, sl);
        jws_alg a = JWS_HS256;
        bool ok = hk && jws_verify(t, hk, &a, 1, &e);
        jwk_free(hk);
        if (!ok) snprintf(msg, n, "%s", e.code ? e.msg : "signature check failed");
        return ok;
    }
    *as_key = true;
    jwk *all[8];
    size_t nk = keys_all(s->keys, srv_now(s), all, 8);
    bool ok = false;
    jws_alg a = keys_alg(s->keys);
    for (size_t i = 0; i < nk && !ok; i++) ok = jws_verify(t, all[i], &a, 1, &e);
    for (size_t i = 0; i < nk; i++) jwk_free(all[i]);
    if (!ok) {
        if (t->kid)
            snprintf(msg, n, "no signing key with kid \"%.64s\" (see /jwks): %s", t->kid, e.msg);
        else
            snprintf(msg, n, "%s", e.code ? e.msg : "no key verifies this token");
    }
    return ok;
}

json_t *api_check_token(server *s, const char *token, bool access_only, char *msg, size_t n)
{
    jws *t = NULL;
    tl_err e = {0};
    if (!jws_parse(token, strlen(token), &t, &e)) {
        snprintf(msg, n, "not a JWT: %s", e.msg);
        return NULL;
    }
    json_t *claims = NULL;
    bool as_key = false;
    if (t->is_jwe) {
        snprintf(msg, n, "encrypted tokens (JWE) are not accepted here");
    } else if (!t->claims) {
        snprintf(msg, n, "%s", t->claims_err.msg);
    } else if (verify_signature(s, t, &as_key, msg, n)) {
        int64_t now = srv_now(s);
        json_t *exp = json_object_get(t->claims, "exp");
        bool skip_exp = srv_lab(s, LAB_SKIP_EXP);
        /* skip-exp lab: check everything else as if the token had not expired yet */
        if (skip_exp && json_is_integer(exp) && json_integer_value(exp) <= now)
            now = (int64_t)json_integer_value(exp) - 1;
        /* RFC 9068 §4: a JWT access token is for this API (aud) and says it is an access token
         * (typ at+jwt), so an ID token signed with the same key is refused on both. The JWT
         * login's HS256 tokens are their own kind (lesson 3) and have no typ rule outside
         * /userinfo. skip-aud lab: only signature, iss and exp are checked. */
        bool skip_aud = srv_lab(s, LAB_SKIP_AUD);
        static const char *const req[] = {"exp", "sub"};
        jwt_rules rules = {.now = now,
                           .leeway = 5,
                           .iss = s->issuer,
                           .aud = skip_aud ? NULL : s->api_audience,
                           .typ = !skip_aud && (access_only || as_key) ? "at+jwt" : NULL,
                           .require = skip_exp ? req + 1 : req,
                           .nrequire = skip_exp ? 1 : 2};
        if (!jwt_check(t, &rules, &e)) {
            snprintf(msg, n, "%s", e.msg);
        } else {
            claims = json_incref(t->claims);
        }
    }
    jws_free(t);
    if (!claims) return NULL;
    /* revocation: jti of tokens from a grant, or revoked one by one (RFC 7009) */
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    if (jti) {
        char gid[SRV_ID] = "";
        bool revoked = false;
        int64_t now = srv_now(s);
        store_lock(s->jtis);
        srv_jti *j = store_get_locked(s->jtis, jti, now);
        if (j) {
            revoked = j->revoked;
            srv_copy(gid, sizeof gid, j->grant_id);
        }
        store_unlock(s->jtis);
        if (!revoked && gid[0]) {
            store_lock(s->grants);
            srv_grant *g = store_get_locked(s->grants, gid, now);
            if (g && g->revoked) {
                revoked = true;
                snprintf(msg, n, "the token was revoked: %s", g->why);
            }
            store_unlock(s->grants);
        } else if (revoked) {
            snprintf(msg, n, "the token was revoked (RFC 7009)");
        }
        if (revoked) {
            json_decref(claims);
            return NULL;
        }
    }
    return claims;
}

/* 401/403 with WWW-Authenticate: Bearer (RFC 6750 §3), or DPoP with the algs it accepts (RFC 9449
 * §7.1) when the request used the DPoP scheme or the token is DPoP-bound. */
static enum MHD_Result auth_error(srv_req *r, unsigned status, bool dpop, const char *code,
                                  const char *msg, const char *scope)
{
    char hdr[900], algs[200] = "";
    if (dpop) {
        size_t o = (size_t)snprintf(algs, sizeof algs, ", algs=\"");
        for (size_t i = 0; DPOP_ALGS[i] && o < sizeof algs; i++)
            o += (size_t)snprintf(algs + o, sizeof algs - o, "%s%s", i ? " " : "", DPOP_ALGS[i]);
        if (o < sizeof algs) snprintf(algs + o, sizeof algs - o, "\"");
    }
    const char *scheme = dpop ? "DPoP" : "Bearer";
    if (!code) {
        snprintf(hdr, sizeof hdr, "%s realm=\"tokenlab\"%s", scheme, algs);
    } else {
        /* RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E — no quote, no
         * backslash, no UTF-8 (a client reads header bytes as Latin-1: "§" became "Â§" in
         * openid-client). "§" is spelled "section ", a dash '-', anything else non-ASCII '?'. */
        char clean[500];
        size_t o = 0;
        for (const unsigned char *p = (const unsigned char *)msg; *p && o + 9 < sizeof clean;) {
            if (p[0] == 0xc2 && p[1] == 0xa7) { /* § */
                o += (size_t)snprintf(clean + o, sizeof clean - o, "section ");
                p += 2;
                if (*p == ' ') p++;
            } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) { /* – — */
                clean[o++] = '-';
                p += 3;
            } else if (*p >= 0x80) {
                clean[o++] = '?';
                for (p++; (*p & 0xc0) == 0x80; p++) /* the rest of this UTF-8 sequence */
                    ;
            } else {
                clean[o++] = (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f) ? '\'' : (char)*p;
                p++;
            }
        }
        clean[o] = '\0';
        snprintf(hdr, sizeof hdr,
                 "%s realm=\"tokenlab\", error=\"%s\", error_description=\"%s\"%s%s%s%s", scheme,
                 code, clean, scope ? ", scope=\"" : "", scope ? scope : "", scope ? "\"" : "",
                 algs);
    }
    srv_hdr h[] = {{"WWW-Authenticate", hdr}, {NULL, NULL}};
    /* RFC 6750 §3.1: to a request with no credentials at all the resource server SHOULD NOT
     * include an error code or other error information: the challenge and an empty JSON object.
     * The event feed (the TUI's trace) still says why. */
    return srv_oauth_error(r, status, NULL, code, h, "%s", msg);
}

static enum MHD_Result bearer_error(srv_req *r, unsigned status, const char *code, const char *msg,
                                    const char *scope)
{
    return auth_error(r, status, false, code, msg, scope);
}

/* RFC 9449 §7.1: a DPoP-bound token (cnf.jkt) is accepted only with the DPoP scheme and a proof
 * for this request, made with the token's key; the DPoP scheme is only for bound tokens. */
static bool check_binding(srv_req *r, const json_t *claims, bool dpop, const char *token,
                          enum MHD_Result *res)
{
    const char *bound = dpop_token_jkt(claims);
    if (!dpop && !bound) return true;
    if (!dpop) {
        *res = auth_error(r, 401, true, "invalid_token",
                          "this access token is DPoP-bound (cnf.jkt): send it as Authorization: "
                          "DPoP with a proof signed by its key, not as a Bearer token (RFC 9449 "
                          "§7.1)",
                          NULL);
        return false;
    }
    if (!bound) {
        *res = auth_error(r, 401, true, "invalid_token",
                          "this access token is not DPoP-bound (no cnf.jkt): send it as "
                          "Authorization: Bearer (RFC 9449 §7.1)",
                          NULL);
        return false;
    }
    char htu[SRV_URI], jkt[SRV_ID];
    tl_err e = {0};
    if (!dpop_check(r, r->method, dpop_htu(r, htu, sizeof htu), token, jkt, &e)) {
        *res = auth_error(r, 401, true, "invalid_dpop_proof", e.msg, NULL);
        return false;
    }
    if (strcmp(jkt, bound) != 0) {
        *res = auth_error(r, 401, true, "invalid_token",
                          "the DPoP proof is signed with another key than the one this token is "
                          "bound to (cnf.jkt): a stolen token is useless without its key (RFC 9449 "
                          "§7.1)",
                          NULL);
        return false;
    }
    return true;
}

/* The access token from the Authorization header (Bearer, or DPoP with a proof: RFC 9449 §7.1),
 * or (POST) the access_token form parameter (RFC 6750 §2.2). Never from the query (RFC 6750 §2.3
 * is a SHOULD NOT; we refuse). */
static json_t *authenticate(srv_req *r, bool access_only, enum MHD_Result *res)
{
    const char *authz = srv_header(r, "Authorization");
    char *token = NULL;
    bool dpop = false;
    tl_err e = {0};
    if (authz) {
        dpop = reqparse_dpop(authz, &token, &e);
        if (!dpop && !err_is(&e, "req.auth_scheme")) {
            *res = auth_error(r, 400, true, "invalid_request", e.msg, NULL);
            return NULL;
        }
        e = (tl_err){0};
        if (!dpop && !reqparse_bearer(authz, &token, &e)) {
            *res = bearer_error(r, 400, "invalid_request", e.msg, NULL);
            return NULL;
        }
    } else if (strcmp(r->method, "POST") == 0 && srv_form(r, "access_token")) {
        token = strdup(srv_form(r, "access_token"));
    } else if (srv_query(r, "access_token")) {
        *res = bearer_error(r, 400, "invalid_request",
                            "send the token in the Authorization header, not in the URL, where it "
                            "ends up in logs (RFC 6750 §2.3)",
                            NULL);
        return NULL;
    }
    if (!token) {
        *res =
            bearer_error(r, 401, NULL, "no access token: send Authorization: Bearer TOKEN", NULL);
        return NULL;
    }
    char msg[400];
    json_t *claims = api_check_token(r->s, token, access_only, msg, sizeof msg);
    if (!claims) {
        *res = auth_error(r, 401, dpop, "invalid_token", msg, NULL);
    } else if (!check_binding(r, claims, dpop, token, res)) {
        json_decref(claims);
        claims = NULL;
    }
    free(token);
    return claims;
}

static bool has_scope(json_t *claims, const char *want)
{
    reqparse_scopes sc = {0};
    reqparse_scope(json_string_value(json_object_get(claims, "scope")), &sc, NULL);
    bool ok = reqparse_scopes_has(&sc, want);
    reqparse_scopes_free(&sc);
    return ok;
}

enum MHD_Result api_profile(srv_req *r)
{
    enum MHD_Result res;
    json_t *claims = authenticate(r, false, &res);
    if (!claims) return res;
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const config_user *u = config_user_by_sub(r->s->cfg, sub);
    json_t *j = json_object();
    json_object_set_new(j, "sub", json_string(sub ? sub : ""));
    if (u) {
        json_object_set_new(j, "email", json_string(u->email));
        if (u->name) json_object_set_new(j, "name", json_string(u->name));
    }
    json_t *cid = json_object_get(claims, "client_id");
    if (cid) json_object_set(j, "client_id", cid);
    json_t *scope = json_object_get(claims, "scope");
    if (scope) json_object_set(j, "scope", scope);
    json_object_set(j, "token_claims", claims);
    json_decref(claims);
    return srv_send_json(r, 200, j, NULL);
}

enum MHD_Result api_notes(srv_req *r)
{
    bool post = strcmp(r->method, "POST") == 0;
    enum MHD_Result res;
    if (post && !srv_parse_body(r, true, &res)) return res;
    json_t *claims = authenticate(r, false, &res);
    if (!claims) return res;
    const char *need = post ? "notes:write" : "notes:read";
    if (!has_scope(claims, need)) {
        json_decref(claims);
        char msg[160];
        snprintf(msg, sizeof msg,
                 "this needs scope %s, which the token does not have (RFC 6750 "
                 "§3.1)",
                 need);
        return bearer_error(r, 403, "insufficient_scope", msg, need);
    }
    server *s = r->s;
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    /* Object-level authorization (OWASP API1:2023): the scope says what kind of thing the client
     * may do, the owner check says to whose data. ?owner=SUB names whose notes are wanted; only
     * the token's own subject gets them (an unknown owner gets the same answer: nothing leaks). */
    const char *owner = srv_query(r, "owner");
    if (!post && owner && (!sub || strcmp(owner, sub) != 0)) {
        enum MHD_Result res403 = srv_oauth_error(
            r, 403, NULL, "forbidden", NULL,
            "these notes are not yours: the token's sub is '%.64s', the notes asked for are "
            "'%.64s'. Scope notes:read allows reading notes, not anybody's notes: the API checks "
            "the owner of every object",
            sub ? sub : "", owner);
        json_decref(claims); /* sub points into claims */
        return res403;
    }
    json_t *out;
    unsigned status = 200;
    pthread_mutex_lock(&s->root->notes_mu);
    json_t *list = json_object_get(s->notes, sub ? sub : "");
    if (!list) {
        list = json_array();
        if (json_object_size(s->notes) < 1000)
            json_object_set_new(s->notes, sub ? sub : "", list);
        else
            json_decref(list), list = NULL;
    }
    if (post) {
        const char *text = srv_form(r, "text");
        if (!text || strlen(text) > 1000 || !list || json_array_size(list) >= 100) {
            pthread_mutex_unlock(&s->root->notes_mu);
            json_decref(claims);
            return srv_oauth_error(r, 400, NULL, "invalid_request", NULL,
                                   !text ? "text is missing"
                                         : "a note is at most 1000 characters, 100 notes per user");
        }
        json_t *n = json_object();
        json_object_set_new(n, "id", json_integer((json_int_t)json_array_size(list) + 1));
        json_object_set_new(n, "text", json_string(text));
        json_object_set_new(n, "created", json_integer(srv_now(s)));
        json_array_append(list, n);
        out = n;
        status = 201;
    } else {
        out = json_object();
        json_object_set_new(out, "sub", json_string(sub ? sub : ""));
        json_object_set_new(out, "notes", list ? json_deep_copy(list) : json_array());
    }
    pthread_mutex_unlock(&s->root->notes_mu);
    json_decref(claims);
    return srv_send_json(r, status, out, NULL);
}

enum MHD_Result api_userinfo(srv_req *r)
{
    enum MHD_Result res;
    if (strcmp(r->method, "POST") == 0 && !srv_parse_body(r, false, &res)) return res;
    json_t *claims = authenticate(r, true, &res);
    if (!claims) return res;
    if (!has_scope(claims, "openid")) {
        json_decref(claims);
        return bearer_error(r, 403, "insufficient_scope",
                            "userinfo needs an access token with scope openid (OIDC Core §5.3)",
                            "openid");
    }
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const config_user *u = config_user_by_sub(r->s->cfg, sub);
    json_t *j = json_object();
    json_object_set_new(j, "sub", json_string(sub ? sub : ""));
    if (u && has_scope(claims, "email")) {
        json_object_set_new(j, "email", json_string(u->email));
        json_object_set_new(j, "email_verified", json_boolean(u->email_verified));
    }
    if (u && has_scope(claims, "profile")) {
        if (u->name) json_object_set_new(j, "name", json_string(u->name));
        if (u->given_name) json_object_set_new(j, "given_name", json_string(u->given_name));
        if (u->family_name) json_object_set_new(j, "family_name", json_string(u->family_name));
    }
    json_decref(claims);
    return srv_send_json(r, 200, j, NULL);
}
