/* SPDX-License-Identifier: MIT */
/* Discovery (OIDC Discovery §3, RFC 8414 §2), /jwks, /health, /endsession and the index page.
 * The discovery document and the JWKS are built once and served from cached bytes. */
#include <stdlib.h>
#include <string.h>

#include "jose/jsonx.h"
#include "server/html.h"
#include "server/discovery.h"
#include "server/dpop.h"

static json_t *strs(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v[i]; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

bool discovery_build(server *s, tl_err *e)
{
    json_t *d = json_object();
    char url[700];
#define EP(key, path)                                                                              \
    snprintf(url, sizeof url, "%s%s", s->base_url, path);                                          \
    json_object_set_new(d, key, json_string(url))
    json_object_set_new(d, "issuer", json_string(s->issuer));
    EP("authorization_endpoint", "/authorize");
    EP("token_endpoint", "/token");
    EP("pushed_authorization_request_endpoint", "/par"); /* RFC 9126 §5 */
    EP("userinfo_endpoint", "/userinfo");
    EP("jwks_uri", "/jwks");
    EP("introspection_endpoint", "/introspect");
    EP("revocation_endpoint", "/revoke");
    EP("device_authorization_endpoint", "/device_authorization");
    EP("end_session_endpoint", "/endsession");
#undef EP
    json_t *sc = json_array();
    for (size_t i = 0; i < s->cfg->nscopes; i++)
        json_array_append_new(sc, json_string(s->cfg->scopes[i].name));
    json_object_set_new(d, "scopes_supported", sc);
    static const char *const rt[] = {"code", NULL};
    static const char *const rm[] = {"query", NULL};
    static const char *const gt[] = {"authorization_code", "refresh_token", "client_credentials",
                                     "urn:ietf:params:oauth:grant-type:device_code", NULL};
    static const char *const st[] = {"public", NULL};
    static const char *const am[] = {"client_secret_basic", "client_secret_post", "none", NULL};
    static const char *const am2[] = {"client_secret_basic", "client_secret_post", NULL};
    static const char *const pk[] = {"S256", NULL};
    static const char *const cl[] = {
        "iss",       "sub",        "aud",         "exp",   "iat",
        "auth_time", "nonce",      "at_hash",     "email", "email_verified",
        "name",      "given_name", "family_name", NULL};
    const char *alg[] = {jws_alg_name(keys_alg(s->keys)), NULL};
    json_object_set_new(d, "response_types_supported", strs(rt));
    json_object_set_new(d, "response_modes_supported", strs(rm));
    json_object_set_new(d, "grant_types_supported", strs(gt));
    json_object_set_new(d, "subject_types_supported", strs(st));
    json_object_set_new(d, "id_token_signing_alg_values_supported", strs(alg));
    json_object_set_new(d, "token_endpoint_auth_methods_supported", strs(am));
    json_object_set_new(d, "introspection_endpoint_auth_methods_supported", strs(am2));
    json_object_set_new(d, "revocation_endpoint_auth_methods_supported", strs(am));
    json_object_set_new(d, "code_challenge_methods_supported", strs(pk));
    json_object_set_new(d, "claims_supported", strs(cl));
    json_object_set_new(d, "authorization_response_iss_parameter_supported", json_true());
    json_object_set_new(d, "request_parameter_supported", json_false());
    json_object_set_new(d, "dpop_signing_alg_values_supported",
                        strs(DPOP_ALGS)); /* RFC 9449 §5.1 */
    json_object_set_new(d, "require_pushed_authorization_requests", json_false()); /* per client */
    s->discovery = json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(d);
    if (!s->discovery) return err_set(e, "server.nomem", "out of memory");
    s->discovery_len = strlen(s->discovery);
    return true;
}

static const srv_hdr cached[] = {
    {"Cache-Control", "public, max-age=60"}, {"Access-Control-Allow-Origin", "*"}, {NULL, NULL}};

enum MHD_Result discovery_handle(srv_req *r)
{
    return srv_send_static(r, 200, "application/json", r->s->discovery, r->s->discovery_len,
                           cached);
}

enum MHD_Result discovery_jwks(srv_req *r)
{
    size_t len = 0;
    const char *j = keys_jwks(r->s->keys, srv_now(r->s), &len);
    return srv_send_static(r, 200, "application/jwk-set+json", j, len, cached);
}

enum MHD_Result discovery_health(srv_req *r)
{
    return srv_send(r, 200, "application/json", "{\"status\":\"ok\"}", 15, NULL);
}

enum MHD_Result discovery_index(srv_req *r)
{
    html_buf b = {0};
    html_begin(&b, "tokenlab mock authorization server");
    html_raw(&b, "<p>Issuer: <code>");
    html_esc(&b, r->s->issuer);
    char disc[300], keys_at[300];
    srv_path(r->s, "/.well-known/openid-configuration", disc, sizeof disc);
    srv_path(r->s, "/jwks", keys_at, sizeof keys_at);
    html_raw(&b, "</code>. Discovery: <a href=\"");
    html_esc(&b, disc);
    html_raw(&b, "\">");
    html_esc(&b, disc);
    html_raw(&b, "</a>; keys: <a href=\"");
    html_esc(&b, keys_at);
    html_raw(&b, "\">");
    html_esc(&b, keys_at);
    html_raw(&b, "</a>.</p>");
    unsigned labs = srv_labs(r->s);
    if (labs) {
        char buf[256];
        html_raw(&b, "<p class=\"err\">Lab switches on: ");
        html_esc(&b, lab_format(labs, buf, sizeof buf));
        html_raw(&b, " — this server is vulnerable on purpose.</p>");
    }
    html_end(&b);
    return srv_send_html(r, 200, &b);
}

/* OIDC RP-Initiated Logout 1.0 §2-§3: there is no browser session to end here (every /authorize
 * asks for a login), so this only validates post_logout_redirect_uri and sends the user back. */
enum MHD_Result discovery_endsession(srv_req *r)
{
    server *s = r->s;
    const char *post = srv_query(r, "post_logout_redirect_uri");
    const char *cid = srv_query(r, "client_id");
    const char *hint = srv_query(r, "id_token_hint");
    if (hint && !cid) {
        jws *t = NULL;
        if (jws_parse(hint, strlen(hint), &t, NULL) && t->claims) {
            const char *aud = json_string_value(json_object_get(t->claims, "aud"));
            const config_client *c = config_client_by_id(s->cfg, aud);
            if (c) cid = c->client_id;
        }
        jws_free(t);
    }
    if (post) {
        const config_client *c = config_client_by_id(s->cfg, cid);
        bool ok = false;
        for (size_t i = 0; c && i < c->npost_logout; i++)
            if (strcmp(c->post_logout_uris[i], post) == 0) ok = true;
        if (!ok)
            return srv_error_page(r, 400, cid, "invalid_request",
                                  "post_logout_redirect_uri is not registered for this client "
                                  "(OIDC RP-Initiated Logout §3)");
        const char *state = srv_query(r, "state");
        char *st = state ? reqparse_urlencode(state) : NULL;
        size_t n = strlen(post) + (st ? strlen(st) : 0) + 16;
        char *loc = malloc(n);
        if (!loc) {
            free(st);
            return srv_error_page(r, 500, cid, "server_error", "out of memory");
        }
        snprintf(loc, n, "%s%s%s", post, st ? (strchr(post, '?') ? "&state=" : "?state=") : "",
                 st ? st : "");
        free(st);
        enum MHD_Result ret = srv_redirect(r, loc);
        free(loc);
        return ret;
    }
    html_buf b = {0};
    html_begin(&b, "Signed out");
    html_raw(&b, "<p>You are signed out of the tokenlab server.</p>");
    html_end(&b);
    return srv_send_html(r, 200, &b);
}
