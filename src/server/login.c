/* SPDX-License-Identifier: MIT */
/* POST /login — the article's JWT login: the server checks a password and returns a JWT signed
 * with its own HS256 secret ("you control both ends"). With weak-secret on, that secret is a
 * dictionary word, and `tokenlab crack` finds it. */
#include <stdlib.h>
#include <string.h>

#include "jose/jsonx.h"
#include "server/login.h"
#include "server/secret.h"

enum MHD_Result login_handle(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res)) return res;
    server *s = r->s;
    const char *email = srv_form(r, "email"), *password = srv_form(r, "password");
    if (!email || !password)
        return srv_oauth_error(r, 400, NULL, "invalid_request", NULL,
                               "send email and password (JSON or form)");
    const config_user *u = config_user_by_email(s->cfg, email);
    /* throttled before the 33 ms hash, and for unknown emails too (no enumeration) */
    if (!srv_guess_allowed(r, SRV_GUESS_PASSWORD, email, false, &res)) return res;
    /* one answer for an unknown email and a wrong password: no account enumeration (the
     * dummy hash keeps the timing the same too) */
    if (!secret_password_ok(u ? u->password_hash : SECRET_DUMMY_HASH, password) || !u) {
        srv_guess_failed(r, SRV_GUESS_PASSWORD, email);
        srv_hdr h[] = {{"WWW-Authenticate", "Bearer realm=\"tokenlab\""}, {NULL, NULL}};
        return srv_oauth_error(r, 401, NULL, "invalid_credentials", h, "wrong email or password");
    }
    int64_t now = srv_now(s);
    char jti[SRV_ID];
    srv_random_id(jti, 18);
    json_t *c = json_object();
    json_object_set_new(c, "iss", json_string(s->issuer));
    json_object_set_new(c, "sub", json_string(u->sub));
    json_object_set_new(c, "aud", json_string(s->api_audience));
    json_object_set_new(c, "email", json_string(u->email));
    if (u->name) json_object_set_new(c, "name", json_string(u->name));
    /* a first-party login acts as the user: every user scope of the demo API */
    json_object_set_new(c, "scope", json_string("profile notes:read notes:write"));
    json_object_set_new(c, "iat", json_integer(now));
    json_object_set_new(c, "exp", json_integer(now + s->cfg->login_ttl));
    json_object_set_new(c, "jti", json_string(jti));
    char *payload = jsonx_compact(c);
    json_decref(c);
    json_t *hdr = json_object();
    json_object_set_new(hdr, "typ", json_string("JWT"));
    size_t sl = 0;
    const char *sec = server_login_secret(s, &sl);
    jwk *key = jwk_from_secret((const uint8_t *)sec, sl);
    char *token = NULL;
    tl_err e = {0};
    bool ok =
        payload && key &&
        jws_sign(hdr, (const uint8_t *)payload, strlen(payload), JWS_HS256, key, false, &token, &e);
    jwk_free(key);
    json_decref(hdr);
    free(payload);
    if (!ok)
        return srv_oauth_error(r, 500, NULL, "server_error", NULL, "signing failed: %s", e.msg);
    json_t *out = json_object();
    json_object_set_new(out, "token", json_string(token));
    json_object_set_new(out, "token_type", json_string("Bearer"));
    json_object_set_new(out, "expires_in", json_integer(s->cfg->login_ttl));
    free(token);
    char msg[160];
    snprintf(msg, sizeof msg, "login JWT issued for %s", u->email);
    srv_event(s, "issued", "/login", NULL, NULL, msg);
    return srv_send_json(r, 200, out, NULL);
}
