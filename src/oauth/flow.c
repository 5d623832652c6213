/* SPDX-License-Identifier: MIT */
/* flow — request builders and response parsers for each OAuth / OIDC / JWT-login step. */
#include "oauth/flow.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pct.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define JSON_TYPE "application/json"

/* ---- encoding -------------------------------------------------------------------------------- */

static bool unreserved(unsigned char ch)
{
    /* RFC 3986 §2.3 */
    return isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

static char *encode(const char *s, bool plus_for_space)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) s = "";
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1);
    if (!out) return NULL;
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p) && *p < 0x80) {
            *o++ = (char)*p;
        } else if (*p == ' ' && plus_for_space) {
            *o++ = '+';
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

char *flow_pct_encode(const char *s)
{
    return encode(s, false);
}

char *flow_form_encode(const char *s)
{
    return encode(s, true);
}

bool flow_pct_decode(const char *s, size_t len, bool plus_is_space, char **out, tl_err *e)
{
    if (pct_decode(s, len, plus_is_space, out, NULL, e)) return true;
    if (e)
        e->code = err_is(e, "pct.escape") ? "flow.bad_escape"
                  : err_is(e, "pct.nul")  ? "flow.nul"
                                          : "flow.nomem";
    return false;
}

char *flow_basic_auth(const char *client_id, const char *client_secret)
{
    /* RFC 6749 §2.3.1: the client identifier and secret are encoded with
     * application/x-www-form-urlencoded (Appendix B) BEFORE being joined with ':' and base64'd. */
    char *id = flow_form_encode(client_id);
    char *sec = flow_form_encode(client_secret);
    char *out = NULL;
    if (id && sec) {
        size_t n = strlen(id) + 1 + strlen(sec);
        char *plain = malloc(n + 1);
        out = malloc(6 + 4 * ((n + 2) / 3) + 1);
        if (plain && out) {
            snprintf(plain, n + 1, "%s:%s", id, sec);
            memcpy(out, "Basic ", 6);
            EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)plain, (int)n);
        } else {
            free(out);
            out = NULL;
        }
        free(plain);
    }
    free(id);
    free(sec);
    return out;
}

bool flow_form_add(flow_form *f, const char *key, const char *value)
{
    if (!value) return true;
    char *k = flow_form_encode(key), *v = flow_form_encode(value);
    bool ok = false;
    if (k && v) {
        size_t need = f->len + strlen(k) + strlen(v) + 3;
        if (need > f->cap) {
            size_t cap = f->cap ? f->cap : 128;
            while (cap < need) cap *= 2;
            char *b = realloc(f->buf, cap);
            if (b) {
                f->buf = b;
                f->cap = cap;
            }
        }
        if (need <= f->cap) {
            f->len += (size_t)snprintf(f->buf + f->len, f->cap - f->len, "%s%s=%s",
                                       f->len ? "&" : "", k, v);
            ok = true;
        }
    }
    free(k);
    free(v);
    return ok;
}

void flow_form_clear(flow_form *f)
{
    free(f->buf);
    f->buf = NULL;
    f->len = f->cap = 0;
}

/* ---- request helpers ------------------------------------------------------------------------- */

static bool need(const char *what, const char *v, tl_err *e)
{
    if (v && *v) return true;
    return err_set(e, "flow.arg", "%s is required", what);
}

static char *join_url(const char *base, const char *path)
{
    size_t bn = strlen(base);
    while (bn && base[bn - 1] == '/') bn--;
    size_t n = bn + strlen(path) + 1;
    char *u = malloc(n);
    if (u) snprintf(u, n, "%.*s%s", (int)bn, base, path);
    return u;
}

static http_request *nomem(http_request *r, tl_err *e)
{
    http_request_free(r);
    err_set(e, "flow.nomem", "out of memory");
    return NULL;
}

static http_request *new_request(const char *method, const char *url, const char *label, tl_err *e)
{
    http_request *r = http_request_new(method, url);
    if (!r || !http_request_set_header(r, "Accept", JSON_TYPE) || !http_request_set_label(r, label))
        return nomem(r, e);
    return r;
}

/* Adds client authentication to a form request (RFC 6749 §2.3.1). */
static bool add_client(http_request *r, flow_form *f, const flow_client *c, tl_err *e)
{
    if (!c || !need("client_id", c->client_id, e)) return c ? false : need("client", NULL, e);
    switch (c->auth) {
    case FLOW_AUTH_NONE:
        return flow_form_add(f, "client_id", c->client_id);
    case FLOW_AUTH_BASIC: {
        if (!c->client_secret)
            return err_set(e, "flow.arg", "client_secret_basic needs a client_secret");
        char *h = flow_basic_auth(c->client_id, c->client_secret);
        bool ok = h && http_request_set_header(r, "Authorization", h);
        free(h);
        return ok;
    }
    case FLOW_AUTH_POST:
        if (!c->client_secret)
            return err_set(e, "flow.arg", "client_secret_post needs a client_secret");
        return flow_form_add(f, "client_id", c->client_id) &&
               flow_form_add(f, "client_secret", c->client_secret);
    }
    return err_set(e, "flow.arg", "unknown client authentication method");
}

/* Finishes a form POST: body from `f` (freed), client auth added first. */
static http_request *form_post(const char *url, const char *label, const flow_client *c,
                               flow_form *f, tl_err *e)
{
    http_request *r = new_request("POST", url, label, e);
    if (!r) {
        flow_form_clear(f);
        return NULL;
    }
    if (c) {
        tl_err le = {0};
        if (!add_client(r, f, c, &le)) {
            flow_form_clear(f);
            http_request_free(r);
            if (!le.code) return nomem(NULL, e);
            if (e) *e = le;
            return NULL;
        }
    }
    bool ok = http_request_set_body(r, FORM_TYPE, f->buf ? f->buf : "", f->len);
    flow_form_clear(f);
    return ok ? r : nomem(r, e);
}

static http_request *json_post(const char *url, const char *label, const json_t *body, tl_err *e)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text) return nomem(NULL, e);
    http_request *r = new_request("POST", url, label, e);
    if (r && !http_request_set_body(r, JSON_TYPE, text, strlen(text))) r = nomem(r, e);
    free(text);
    return r;
}

static http_request *bearer_request(const char *method, const char *url, const char *label,
                                    const char *token, tl_err *e)
{
    if (!need("URL", url, e) || !need("access token", token, e)) return NULL;
    http_request *r = new_request(method, url, label, e);
    if (!r) return NULL;
    size_t n = strlen(token) + 8;
    char *h = malloc(n);
    if (!h) return nomem(r, e);
    snprintf(h, n, "Bearer %s", token);
    bool ok = http_request_set_header(r, "Authorization", h);
    free(h);
    return ok ? r : nomem(r, e);
}

/* ---- endpoints ------------------------------------------------------------------------------- */

void flow_endpoints_clear(flow_endpoints *ep)
{
    if (!ep) return;
    free(ep->base);
    free(ep->issuer);
    free(ep->authorization);
    free(ep->token);
    free(ep->userinfo);
    free(ep->jwks);
    free(ep->introspection);
    free(ep->revocation);
    free(ep->device_authorization);
    free(ep->end_session);
    memset(ep, 0, sizeof *ep);
}

bool flow_endpoints_default(flow_endpoints *ep, const char *base, tl_err *e)
{
    memset(ep, 0, sizeof *ep);
    if (!need("server base URL", base, e)) return false;
    ep->base = join_url(base, "");
    ep->issuer = join_url(base, "");
    ep->authorization = join_url(base, "/authorize");
    ep->token = join_url(base, "/token");
    ep->userinfo = join_url(base, "/userinfo");
    ep->jwks = join_url(base, "/jwks");
    ep->introspection = join_url(base, "/introspect");
    ep->revocation = join_url(base, "/revoke");
    ep->device_authorization = join_url(base, "/device_authorization");
    ep->end_session = join_url(base, "/endsession");
    if (!ep->base || !ep->issuer || !ep->authorization || !ep->token || !ep->userinfo ||
        !ep->jwks || !ep->introspection || !ep->revocation || !ep->device_authorization ||
        !ep->end_session) {
        flow_endpoints_clear(ep);
        return err_set(e, "flow.nomem", "out of memory");
    }
    return true;
}

http_request *flow_discovery_request(const char *base, tl_err *e)
{
    if (!need("server base URL", base, e)) return NULL;
    char *u = join_url(base, "/.well-known/openid-configuration");
    if (!u) return nomem(NULL, e);
    http_request *r = new_request("GET", u, "discovery", e);
    free(u);
    return r;
}

http_request *flow_jwks_request(const char *jwks_uri, tl_err *e)
{
    if (!need("jwks_uri", jwks_uri, e)) return NULL;
    return new_request("GET", jwks_uri, "JWKS", e);
}

/* ---- response basics ------------------------------------------------------------------------- */

static const char *const oauth_errors[] = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "server_error",
    "temporarily_unavailable",
    "unsupported_response_type",
    "invalid_token",
    "insufficient_scope",
    "invalid_target",
    "authorization_pending",
    "slow_down",
    "expired_token",
    "login_required",
    "consent_required",
    "unsupported_token_type",
};
static const char *const oauth_codes[] = {
    "oauth.invalid_request",
    "oauth.invalid_client",
    "oauth.invalid_grant",
    "oauth.unauthorized_client",
    "oauth.unsupported_grant_type",
    "oauth.invalid_scope",
    "oauth.access_denied",
    "oauth.server_error",
    "oauth.temporarily_unavailable",
    "oauth.unsupported_response_type",
    "oauth.invalid_token",
    "oauth.insufficient_scope",
    "oauth.invalid_target",
    "oauth.authorization_pending",
    "oauth.slow_down",
    "oauth.expired_token",
    "oauth.login_required",
    "oauth.consent_required",
    "oauth.unsupported_token_type",
};

const char *flow_oauth_error_code(const char *error)
{
    for (size_t i = 0; error && i < sizeof oauth_errors / sizeof *oauth_errors; i++)
        if (strcmp(error, oauth_errors[i]) == 0) return oauth_codes[i];
    return "oauth.other";
}

static bool set_oauth_err(tl_err *e, const char *error, const char *desc)
{
    if (desc && *desc) return err_set(e, flow_oauth_error_code(error), "%s: %s", error, desc);
    return err_set(e, flow_oauth_error_code(error), "%s", error);
}

static bool transport_ok(const http_exchange *x, tl_err *e)
{
    if (!x) return err_set(e, "flow.transport", "no exchange");
    if (x->state == HTTP_DONE) return true;
    if (x->state == HTTP_PENDING)
        return err_set(e, "flow.transport", "%s %s has not completed yet", x->method, x->url);
    return err_set(e, "flow.transport", "%s", x->err.msg[0] ? x->err.msg : "request failed");
}

/* "POST /token answered 500 Internal Server Error (text/html): <first bytes>" */
static bool status_err(const http_exchange *x, tl_err *e)
{
    const char *sl = x->status_line ? x->status_line : "";
    const char *reason = strchr(sl, ' ');
    char snippet[121] = "";
    if (x->body && x->body_len) {
        size_t n = x->body_len < 120 ? x->body_len : 120;
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)x->body[i];
            snippet[i] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
        }
        snippet[n] = '\0';
    }
    const char *ct = x->content_type;
    return err_set(e, "flow.http_status", "%s %s answered %s%s%s%s%s%s", x->method, x->url,
                   reason ? reason + 1 : "with no status", ct ? " (" : "", ct ? ct : "",
                   ct ? ")" : "", *snippet ? ": " : "", snippet);
}

/* If the answer carries an OAuth error (JSON body or a Bearer challenge), report it. */
static bool oauth_error_in(const http_exchange *x, tl_err *e)
{
    if (json_is_object(x->json)) {
        json_t *err = json_object_get(x->json, "error");
        if (json_is_string(err)) {
            set_oauth_err(e, json_string_value(err),
                          json_string_value(json_object_get(x->json, "error_description")));
            return true;
        }
    }
    if (x->status == 401 || x->status == 403) {
        const char *h = http_exchange_header(x, "WWW-Authenticate");
        flow_bearer_challenge b;
        if (h && flow_parse_www_authenticate(h, &b, NULL)) {
            bool have = b.error != NULL;
            if (have) set_oauth_err(e, b.error, b.error_description);
            flow_bearer_challenge_clear(&b);
            if (have) return true;
        }
    }
    return false;
}

/* The body as a JSON object from a 200 answer, or the precise reason it is not. Borrowed. */
static const json_t *ok_object(const http_exchange *x, const char *what, tl_err *e)
{
    if (!transport_ok(x, e)) return NULL;
    if (oauth_error_in(x, e)) return NULL;
    if (x->status != 200) {
        status_err(x, e);
        return NULL;
    }
    if (!json_is_object(x->json)) {
        json_error_t je;
        json_t *j = x->json ? NULL : json_loadb(x->body ? x->body : "", x->body_len, 0, &je);
        if (!x->json && !j && x->body_len)
            err_set(e, "flow.not_json",
                    "the %s is not valid JSON (Content-Type: %s): %s at line %d, "
                    "column %d",
                    what, x->content_type ? x->content_type : "none", je.text, je.line, je.column);
        else
            err_set(e, "flow.not_json", "the %s is not a JSON object (Content-Type: %s)", what,
                    x->content_type ? x->content_type : "none");
        json_decref(j);
        return NULL;
    }
    return x->json;
}

/* Optional string member: absent/null → NULL and true; wrong type → false. */
static bool opt_str(const json_t *o, const char *key, char **out, const char *what, tl_err *e)
{
    *out = NULL;
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v))
        return err_set(e, "flow.bad_member", "%s member \"%s\" must be a string", what, key);
    *out = strdup(json_string_value(v));
    return *out ? true : err_set(e, "flow.nomem", "out of memory");
}

static bool req_str(const json_t *o, const char *key, char **out, const char *what, tl_err *e)
{
    if (!opt_str(o, key, out, what, e)) return false;
    if (!*out) return err_set(e, "flow.missing", "%s has no \"%s\"", what, key);
    return true;
}

/* Optional integer member (seconds): absent → dflt. */
static bool opt_long(const json_t *o, const char *key, long dflt, long *out, const char *what,
                     tl_err *e)
{
    *out = dflt;
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return true;
    if (json_is_integer(v)) {
        *out = (long)json_integer_value(v);
        return true;
    }
    if (json_is_real(v) && json_real_value(v) == (double)(long)json_real_value(v)) {
        *out = (long)json_real_value(v);
        return true;
    }
    return err_set(e, "flow.bad_member", "%s member \"%s\" must be a whole number of seconds", what,
                   key);
}

bool flow_parse_discovery(const http_exchange *x, const char *base, flow_endpoints *ep, tl_err *e)
{
    memset(ep, 0, sizeof *ep);
    const char *w = "discovery document";
    const json_t *o = ok_object(x, w, e);
    if (!o) return false;
    bool ok = req_str(o, "issuer", &ep->issuer, w, e) &&
              req_str(o, "authorization_endpoint", &ep->authorization, w, e) &&
              req_str(o, "token_endpoint", &ep->token, w, e) &&
              req_str(o, "jwks_uri", &ep->jwks, w, e) &&
              opt_str(o, "userinfo_endpoint", &ep->userinfo, w, e) &&
              opt_str(o, "introspection_endpoint", &ep->introspection, w, e) &&
              opt_str(o, "revocation_endpoint", &ep->revocation, w, e) &&
              opt_str(o, "device_authorization_endpoint", &ep->device_authorization, w, e) &&
              opt_str(o, "end_session_endpoint", &ep->end_session, w, e);
    if (ok && base) {
        ep->base = join_url(base, "");
        if (!ep->base) ok = err_set(e, "flow.nomem", "out of memory");
    }
    if (!ok) flow_endpoints_clear(ep);
    return ok;
}

/* ---- JWT login and APIs ---------------------------------------------------------------------- */

http_request *flow_login_request(const char *base, const char *email, const char *password,
                                 tl_err *e)
{
    if (!need("server base URL", base, e) || !need("email", email, e) ||
        !need("password", password, e))
        return NULL;
    char *u = join_url(base, "/login");
    json_t *body = json_pack("{s:s, s:s}", "email", email, "password", password);
    http_request *r = u && body ? json_post(u, "JWT login", body, e) : nomem(NULL, e);
    free(u);
    json_decref(body);
    return r;
}

http_request *flow_api_request(const char *method, const char *url, const char *access_token,
                               const char *json_body, tl_err *e)
{
    if (!method) method = "GET";
    http_request *r = access_token ? bearer_request(method, url, "API call", access_token, e)
                      : need("URL", url, e) ? new_request(method, url, "API call", e)
                                            : NULL;
    if (r && json_body && !http_request_set_body(r, JSON_TYPE, json_body, strlen(json_body)))
        r = nomem(r, e);
    return r;
}

/* ---- authorization code flow ----------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static bool sbuf_add(sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n + 1);
    b->n += n;
    return true;
}

static bool add_param(sbuf *b, bool *first, const char *k, const char *v)
{
    if (!v) return true;
    char *ev = flow_pct_encode(v);
    bool ok = ev && sbuf_add(b, *first ? "" : "&") && sbuf_add(b, k) && sbuf_add(b, "=") &&
              sbuf_add(b, ev);
    free(ev);
    *first = false;
    return ok;
}

char *flow_authorize_url(const char *authorize_endpoint, const flow_authz_params *p, tl_err *e)
{
    if (!need("authorization endpoint", authorize_endpoint, e) || !p ||
        !need("client_id", p->client_id, e) || !need("redirect_uri", p->redirect_uri, e))
        return p ? NULL : (err_set(e, "flow.arg", "no parameters"), NULL);
    if (strchr(authorize_endpoint, '#')) {
        err_set(e, "flow.arg",
                "the authorization endpoint must not have a fragment (RFC 6749 §3.1)");
        return NULL;
    }
    sbuf b = {0};
    /* RFC 6749 §3.1: the endpoint may have a query, which must be retained */
    const char *q = strchr(authorize_endpoint, '?');
    bool ok = sbuf_add(&b, authorize_endpoint);
    bool first = true;
    if (ok && !q)
        ok = sbuf_add(&b, "?");
    else if (ok && q[1] && authorize_endpoint[strlen(authorize_endpoint) - 1] != '&')
        first = false;
    const char *method = p->code_challenge_method;
    if (p->code_challenge && !method) method = "S256";
    /* RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3 */
    ok = ok && add_param(&b, &first, "response_type", "code") &&
         add_param(&b, &first, "client_id", p->client_id) &&
         add_param(&b, &first, "redirect_uri", p->redirect_uri) &&
         add_param(&b, &first, "scope", p->scope) && add_param(&b, &first, "state", p->state) &&
         add_param(&b, &first, "nonce", p->nonce) &&
         add_param(&b, &first, "code_challenge", p->code_challenge) &&
         add_param(&b, &first, "code_challenge_method", p->code_challenge ? method : NULL) &&
         add_param(&b, &first, "prompt", p->prompt);
    if (!ok) {
        free(b.p);
        err_set(e, "flow.nomem", "out of memory");
        return NULL;
    }
    return b.p;
}

http_request *flow_authorize_json_request(const char *authorize_url, tl_err *e)
{
    if (!need("authorization URL", authorize_url, e)) return NULL;
    return new_request("GET", authorize_url, "authorization request", e);
}

/* Resolves `ref` against `base` (RFC 3986 §5). Caller frees. */
static char *resolve_url(const char *base, const char *ref)
{
    CURLU *u = curl_url();
    char *out = NULL, *s = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
        out = strdup(s);
    curl_free(s);
    curl_url_cleanup(u);
    return out;
}

void flow_authz_step_clear(flow_authz_step *s)
{
    if (!s) return;
    free(s->action);
    free(s->session);
    free(s->session_secret);
    free(s->csrf);
    free(s->client_id);
    free(s->client_name);
    for (size_t i = 0; i < s->nscopes; i++) {
        free(s->scopes[i].name);
        free(s->scopes[i].description);
    }
    free(s->scopes);
    free(s->user_sub);
    free(s->user_email);
    free(s->user_name);
    free(s->location);
    free(s->message);
    free(s->error);
    free(s->error_description);
    memset(s, 0, sizeof *s);
}

static bool parse_step_json(const http_exchange *x, const json_t *o, flow_authz_step *s, tl_err *e)
{
    const char *w = "authorization step";
    json_t *step = json_object_get(o, "step");
    if (!opt_str(o, "error", &s->error, w, e) ||
        !opt_str(o, "error_description", &s->error_description, w, e))
        return false;
    if (!step) {
        if (!s->error)
            return err_set(e, "flow.missing",
                           "the /authorize answer has neither \"step\" nor "
                           "\"error\"");
        s->kind = FLOW_AUTHZ_ERROR;
        return true;
    }
    if (!json_is_string(step))
        return err_set(e, "flow.bad_member", "%s member \"step\" must be a string", w);
    const char *k = json_string_value(step);
    if (strcmp(k, "login") == 0)
        s->kind = FLOW_AUTHZ_LOGIN;
    else if (strcmp(k, "consent") == 0)
        s->kind = FLOW_AUTHZ_CONSENT;
    else if (strcmp(k, "redirect") == 0)
        s->kind = FLOW_AUTHZ_REDIRECT;
    else if (strcmp(k, "user_code") == 0)
        s->kind = FLOW_AUTHZ_USER_CODE;
    else if (strcmp(k, "done") == 0)
        s->kind = FLOW_AUTHZ_DONE;
    else
        return err_set(e, "flow.bad_member", "unknown authorization step \"%.40s\"", k);

    char *action = NULL;
    if (!opt_str(o, "action", &action, w, e)) return false;
    if (action) {
        s->action = resolve_url(x->url, action);
        free(action);
        if (!s->action) return err_set(e, "flow.bad_member", "step action is not a usable URL");
    }
    if (!opt_str(o, "session", &s->session, w, e) ||
        !opt_str(o, "session_secret", &s->session_secret, w, e) ||
        !opt_str(o, "csrf", &s->csrf, w, e) || !opt_str(o, "location", &s->location, w, e) ||
        !opt_str(o, "message", &s->message, w, e))
        return false;
    json_t *client = json_object_get(o, "client");
    if (json_is_object(client) && (!opt_str(client, "client_id", &s->client_id, w, e) ||
                                   !opt_str(client, "name", &s->client_name, w, e)))
        return false;
    json_t *user = json_object_get(o, "user");
    if (json_is_object(user) && (!opt_str(user, "sub", &s->user_sub, w, e) ||
                                 !opt_str(user, "email", &s->user_email, w, e) ||
                                 !opt_str(user, "name", &s->user_name, w, e)))
        return false;
    json_t *scopes = json_object_get(o, "scopes");
    if (scopes && !json_is_array(scopes))
        return err_set(e, "flow.bad_member", "%s member \"scopes\" must be an array", w);
    size_t n = json_array_size(scopes);
    if (n) {
        s->scopes = calloc(n, sizeof *s->scopes);
        if (!s->scopes) return err_set(e, "flow.nomem", "out of memory");
        for (size_t i = 0; i < n; i++) {
            json_t *it = json_array_get(scopes, i);
            if (json_is_string(it)) {
                s->scopes[i].name = strdup(json_string_value(it));
            } else if (!json_is_object(it) ||
                       !req_str(it, "name", &s->scopes[i].name, "scope entry", e) ||
                       !opt_str(it, "description", &s->scopes[i].description, w, e)) {
                s->nscopes = i + 1;
                return e && e->code ? false
                                    : err_set(e, "flow.bad_member",
                                              "each scope must be a string or {name, description}");
            }
            s->nscopes = i + 1;
        }
    }
    if (s->kind == FLOW_AUTHZ_REDIRECT && !s->location)
        return err_set(e, "flow.missing", "redirect step has no \"location\"");
    if ((s->kind == FLOW_AUTHZ_LOGIN || s->kind == FLOW_AUTHZ_CONSENT ||
         s->kind == FLOW_AUTHZ_USER_CODE) &&
        !s->action)
        return err_set(e, "flow.missing", "%s step has no \"action\"", k);
    return true;
}

bool flow_parse_authorize_step(const http_exchange *x, flow_authz_step *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!transport_ok(x, e)) return false;
    out->status = x->status;
    bool ok;
    if (x->status >= 300 && x->status < 400 && x->location) {
        out->kind = FLOW_AUTHZ_REDIRECT;
        out->location = strdup(x->location);
        ok = out->location ? true : err_set(e, "flow.nomem", "out of memory");
    } else if (json_is_object(x->json)) {
        ok = parse_step_json(x, x->json, out, e);
    } else if (x->status != 200) {
        ok = status_err(x, e);
    } else {
        ok = err_set(e, "flow.not_json",
                     "the /authorize answer is not JSON (Content-Type: %s); "
                     "was Accept: application/json sent?",
                     x->content_type ? x->content_type : "none");
    }
    if (!ok) flow_authz_step_clear(out);
    return ok;
}

static http_request *step_post(const flow_authz_step *s, const char *label, flow_form *f, tl_err *e)
{
    if (!s || !s->action) {
        flow_form_clear(f);
        err_set(e, "flow.arg", "this step has no action to submit to");
        return NULL;
    }
    return form_post(s->action, label, NULL, f, e);
}

http_request *flow_authorize_login_request(const flow_authz_step *s, const char *email,
                                           const char *password, tl_err *e)
{
    if (!need("email", email, e) || !need("password", password, e)) return NULL;
    flow_form f = {0};
    if (!flow_form_add(&f, "session", s ? s->session : NULL) ||
        !flow_form_add(&f, "session_secret", s ? s->session_secret : NULL) ||
        !flow_form_add(&f, "email", email) || !flow_form_add(&f, "password", password)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return step_post(s, "login", &f, e);
}

http_request *flow_authorize_consent_request(const flow_authz_step *s, bool allow, tl_err *e)
{
    flow_form f = {0};
    if (!flow_form_add(&f, "session", s ? s->session : NULL) ||
        !flow_form_add(&f, "session_secret", s ? s->session_secret : NULL) ||
        !flow_form_add(&f, "csrf", s ? s->csrf : NULL) ||
        !flow_form_add(&f, "decision", allow ? "allow" : "deny")) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return step_post(s, allow ? "consent: allow" : "consent: deny", &f, e);
}

http_request *flow_device_user_code_request(const flow_authz_step *s, const char *user_code,
                                            tl_err *e)
{
    if (!need("user code", user_code, e)) return NULL;
    flow_form f = {0};
    if (!flow_form_add(&f, "user_code", user_code)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return step_post(s, "device: user code", &f, e);
}

/* ---- the redirect back ----------------------------------------------------------------------- */

void flow_redirect_clear(flow_redirect *r)
{
    if (!r) return;
    free(r->code);
    free(r->state);
    free(r->iss);
    free(r->error);
    free(r->error_description);
    memset(r, 0, sizeof *r);
}

bool flow_parse_redirect(const char *location, const char *expected_state, const char *expected_iss,
                         flow_redirect *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!location || !*location) return err_set(e, "flow.missing", "no redirect location");
    const char *q = strchr(location, '?');
    const char *end = location + strcspn(location, "#");
    if (q && q > end) q = NULL;
    struct {
        const char *name;
        char **slot;
    } known[] = {{"code", &out->code},
                 {"state", &out->state},
                 {"iss", &out->iss},
                 {"error", &out->error},
                 {"error_description", &out->error_description}};
    for (const char *p = q ? q + 1 : end; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        const char *ke = eq ? eq : pe;
        char *k = NULL, *v = NULL;
        if (!flow_pct_decode(p, (size_t)(ke - p), true, &k, e)) goto fail;
        if (!flow_pct_decode(eq ? eq + 1 : pe, eq ? (size_t)(pe - eq - 1) : 0, true, &v, e)) {
            free(k);
            goto fail;
        }
        bool used = false;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
            if (strcmp(k, known[i].name) != 0) continue;
            if (*known[i].slot) {
                /* RFC 6749 §3.1: parameters MUST NOT be included more than once */
                err_set(e, "flow.duplicate",
                        "the redirect has \"%s\" more than once (RFC 6749 §3.1)", k);
                free(k);
                free(v);
                goto fail;
            }
            *known[i].slot = v;
            used = true;
            break; /* names are distinct: v has its one owner */
        }
        if (!used) free(v);
        free(k);
        p = amp ? amp + 1 : end;
    }
    if (out->error) {
        set_oauth_err(e, out->error, out->error_description);
        return false;
    }
    /* RFC 6749 §10.12: the state binds the answer to the request this client made */
    if (expected_state && !out->state)
        return err_set(e, "flow.state_mismatch",
                       "the redirect has no state, but we sent one (CSRF, RFC 6749 §10.12)");
    if (expected_state && strcmp(out->state, expected_state) != 0)
        return err_set(e, "flow.state_mismatch",
                       "state in the redirect ('%.60s') is not the one we sent: this answer is not "
                       "for our request (CSRF, RFC 6749 §10.12)",
                       out->state);
    /* RFC 9207 §2.4: iss, when present, must be the issuer we talk to (mix-up defence) */
    if (expected_iss && out->iss && strcmp(out->iss, expected_iss) != 0) {
        err_set(e, "flow.iss_mismatch",
                "iss in the redirect ('%.80s') is not our issuer ('%.80s'): mix-up attack? "
                "(RFC 9207 §2.4)",
                out->iss, expected_iss);
        return false;
    }
    if (!out->code || !*out->code) return err_set(e, "flow.missing", "the redirect has no code");
    return true;
fail:
    flow_redirect_clear(out);
    return false;
}

/* ---- token endpoint -------------------------------------------------------------------------- */

http_request *flow_token_code_request(const char *token_endpoint, const flow_client *c,
                                      const char *code, const char *redirect_uri,
                                      const char *code_verifier, tl_err *e)
{
    if (!need("token endpoint", token_endpoint, e) || !need("code", code, e) ||
        !need("redirect_uri", redirect_uri, e))
        return NULL;
    flow_form f = {0};
    /* RFC 6749 §4.1.3, RFC 7636 §4.5 */
    if (!flow_form_add(&f, "grant_type", "authorization_code") ||
        !flow_form_add(&f, "code", code) || !flow_form_add(&f, "redirect_uri", redirect_uri) ||
        !flow_form_add(&f, "code_verifier", code_verifier)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(token_endpoint, "code exchange", c, &f, e);
}

http_request *flow_token_refresh_request(const char *token_endpoint, const flow_client *c,
                                         const char *refresh_token, const char *scope, tl_err *e)
{
    if (!need("token endpoint", token_endpoint, e) || !need("refresh token", refresh_token, e))
        return NULL;
    flow_form f = {0};
    /* RFC 6749 §6 */
    if (!flow_form_add(&f, "grant_type", "refresh_token") ||
        !flow_form_add(&f, "refresh_token", refresh_token) || !flow_form_add(&f, "scope", scope)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(token_endpoint, "refresh", c, &f, e);
}

http_request *flow_token_client_credentials_request(const char *token_endpoint,
                                                    const flow_client *c, const char *scope,
                                                    tl_err *e)
{
    if (!need("token endpoint", token_endpoint, e)) return NULL;
    if (c && c->auth == FLOW_AUTH_NONE) {
        /* RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients */
        err_set(e, "flow.arg",
                "client credentials need an authenticated (confidential) client "
                "(RFC 6749 §4.4)");
        return NULL;
    }
    flow_form f = {0};
    if (!flow_form_add(&f, "grant_type", "client_credentials") ||
        !flow_form_add(&f, "scope", scope)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(token_endpoint, "client credentials", c, &f, e);
}

http_request *flow_token_password_request(const char *token_endpoint, const flow_client *c,
                                          const char *username, const char *password,
                                          const char *scope, tl_err *e)
{
    if (!need("token endpoint", token_endpoint, e) || !need("username", username, e) ||
        !need("password", password, e))
        return NULL;
    flow_form f = {0};
    /* RFC 6749 §4.3.2 */
    if (!flow_form_add(&f, "grant_type", "password") || !flow_form_add(&f, "username", username) ||
        !flow_form_add(&f, "password", password) || !flow_form_add(&f, "scope", scope)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(token_endpoint, "password grant", c, &f, e);
}

/* ---- device flow ----------------------------------------------------------------------------- */

http_request *flow_device_authorization_request(const char *endpoint, const flow_client *c,
                                                const char *scope, tl_err *e)
{
    if (!need("device authorization endpoint", endpoint, e)) return NULL;
    flow_form f = {0};
    /* RFC 8628 §3.1 */
    if (!flow_form_add(&f, "scope", scope)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(endpoint, "device authorization", c, &f, e);
}

void flow_device_auth_clear(flow_device_auth *d)
{
    if (!d) return;
    free(d->device_code);
    free(d->user_code);
    free(d->verification_uri);
    free(d->verification_uri_complete);
    memset(d, 0, sizeof *d);
}

bool flow_parse_device_auth(const http_exchange *x, flow_device_auth *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    const char *w = "device authorization response";
    const json_t *o = ok_object(x, w, e);
    /* RFC 8628 §3.2 */
    bool ok = o && req_str(o, "device_code", &out->device_code, w, e) &&
              req_str(o, "user_code", &out->user_code, w, e) &&
              req_str(o, "verification_uri", &out->verification_uri, w, e) &&
              opt_str(o, "verification_uri_complete", &out->verification_uri_complete, w, e) &&
              opt_long(o, "expires_in", -1, &out->expires_in, w, e) &&
              opt_long(o, "interval", 5, &out->interval, w, e);
    if (ok && out->expires_in < 0) ok = err_set(e, "flow.missing", "%s has no \"expires_in\"", w);
    if (ok && out->interval < 1) ok = err_set(e, "flow.bad_member", "%s: interval must be >= 1", w);
    if (!ok) flow_device_auth_clear(out);
    return ok;
}

http_request *flow_token_device_request(const char *token_endpoint, const flow_client *c,
                                        const char *device_code, tl_err *e)
{
    if (!need("token endpoint", token_endpoint, e) || !need("device_code", device_code, e))
        return NULL;
    flow_form f = {0};
    /* RFC 8628 §3.4 */
    if (!flow_form_add(&f, "grant_type", "urn:ietf:params:oauth:grant-type:device_code") ||
        !flow_form_add(&f, "device_code", device_code)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(token_endpoint, "device poll", c, &f, e);
}

/* ---- token responses ------------------------------------------------------------------------- */

void flow_tokens_clear(flow_tokens *t)
{
    if (!t) return;
    free(t->access_token);
    free(t->token_type);
    free(t->refresh_token);
    free(t->id_token);
    free(t->scope);
    memset(t, 0, sizeof *t);
    t->expires_in = -1;
}

bool flow_parse_token_response(const http_exchange *x, flow_tokens *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    out->expires_in = -1;
    const char *w = "token response";
    const json_t *o = ok_object(x, w, e);
    if (!o) return false;
    /* RFC 6749 §5.1; /login answers "token" instead of "access_token" */
    const char *key = json_object_get(o, "access_token") ? "access_token" : "token";
    bool ok = opt_str(o, key, &out->access_token, w, e) &&
              opt_str(o, "token_type", &out->token_type, w, e) &&
              opt_long(o, "expires_in", -1, &out->expires_in, w, e) &&
              opt_str(o, "refresh_token", &out->refresh_token, w, e) &&
              opt_str(o, "id_token", &out->id_token, w, e) &&
              opt_str(o, "scope", &out->scope, w, e);
    if (ok && !out->access_token)
        ok = err_set(e, "flow.missing", "the token response has no access_token (RFC 6749 §5.1)");
    if (ok && !out->token_type)
        ok = err_set(e, "flow.missing", "the token response has no token_type (RFC 6749 §5.1)");
    if (!ok) flow_tokens_clear(out);
    return ok;
}

flow_poll_result flow_device_poll_update(flow_device_poll *p, const http_exchange *x,
                                         flow_tokens *tokens, tl_err *e)
{
    tl_err le = {0};
    if (flow_parse_token_response(x, tokens, &le)) return FLOW_POLL_DONE;
    if (e) *e = le;
    /* RFC 8628 §3.5 */
    if (err_is(&le, "oauth.authorization_pending")) return FLOW_POLL_PENDING;
    if (err_is(&le, "oauth.slow_down")) {
        if (p) p->interval += 5; /* "the interval MUST be increased by 5 seconds" */
        return FLOW_POLL_SLOW;
    }
    if (err_is(&le, "oauth.expired_token")) return FLOW_POLL_EXPIRED;
    if (err_is(&le, "oauth.access_denied")) return FLOW_POLL_DENIED;
    return FLOW_POLL_ERROR;
}

/* ---- resource side --------------------------------------------------------------------------- */

http_request *flow_userinfo_request(const char *userinfo_endpoint, const char *access_token,
                                    tl_err *e)
{
    return bearer_request("GET", userinfo_endpoint, "userinfo", access_token, e);
}

static http_request *token_op(const char *endpoint, const char *label, const flow_client *c,
                              const char *token, const char *hint, tl_err *e)
{
    if (!need("endpoint", endpoint, e) || !need("token", token, e)) return NULL;
    flow_form f = {0};
    if (!flow_form_add(&f, "token", token) || !flow_form_add(&f, "token_type_hint", hint)) {
        flow_form_clear(&f);
        return nomem(NULL, e);
    }
    return form_post(endpoint, label, c, &f, e);
}

http_request *flow_introspect_request(const char *endpoint, const flow_client *c, const char *token,
                                      const char *token_type_hint, tl_err *e)
{
    return token_op(endpoint, "introspection", c, token, token_type_hint, e); /* RFC 7662 §2.1 */
}

http_request *flow_revoke_request(const char *endpoint, const flow_client *c, const char *token,
                                  const char *token_type_hint, tl_err *e)
{
    return token_op(endpoint, "revocation", c, token, token_type_hint, e); /* RFC 7009 §2.1 */
}

json_t *flow_parse_json_object(const http_exchange *x, tl_err *e)
{
    const json_t *o = ok_object(x, "answer", e);
    return o ? json_incref((json_t *)o) : NULL;
}

void flow_introspection_clear(flow_introspection *i)
{
    if (!i) return;
    free(i->scope);
    free(i->client_id);
    free(i->username);
    free(i->sub);
    free(i->token_type);
    memset(i, 0, sizeof *i);
    i->exp = -1;
}

bool flow_parse_introspection(const http_exchange *x, flow_introspection *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    out->exp = -1;
    const char *w = "introspection response";
    const json_t *o = ok_object(x, w, e);
    if (!o) return false;
    json_t *active = json_object_get(o, "active");
    /* RFC 7662 §2.2: "active" REQUIRED, a boolean */
    if (!active) return err_set(e, "flow.missing", "%s has no \"active\" (RFC 7662 §2.2)", w);
    if (!json_is_boolean(active))
        return err_set(e, "flow.bad_member", "%s member \"active\" must be true or false", w);
    out->active = json_is_true(active);
    bool ok =
        opt_str(o, "scope", &out->scope, w, e) && opt_str(o, "client_id", &out->client_id, w, e) &&
        opt_str(o, "username", &out->username, w, e) && opt_str(o, "sub", &out->sub, w, e) &&
        opt_str(o, "token_type", &out->token_type, w, e) && opt_long(o, "exp", -1, &out->exp, w, e);
    if (!ok) flow_introspection_clear(out);
    return ok;
}

bool flow_parse_revoke(const http_exchange *x, tl_err *e)
{
    if (!transport_ok(x, e)) return false;
    if (x->status == 200) return true; /* RFC 7009 §2.2: also for an already invalid token */
    if (oauth_error_in(x, e)) return false;
    return status_err(x, e);
}

/* ---- WWW-Authenticate (RFC 6750 §3, RFC 9110 §11) -------------------------------------------- */

void flow_bearer_challenge_clear(flow_bearer_challenge *b)
{
    if (!b) return;
    free(b->scheme);
    free(b->realm);
    free(b->error);
    free(b->error_description);
    free(b->error_uri);
    free(b->scope);
    memset(b, 0, sizeof *b);
}

static bool tchar(char ch)
{
    /* RFC 9110 §5.6.2 */
    return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

bool flow_parse_www_authenticate(const char *header, flow_bearer_challenge *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    if (!header) return err_set(e, "flow.www_auth", "no WWW-Authenticate header");
    const char *p = skip_ows(header);
    const char *s = p;
    while (tchar(*p)) p++;
    if (p == s) return err_set(e, "flow.www_auth", "WWW-Authenticate has no auth scheme");
    out->scheme = strndup(s, (size_t)(p - s));
    if (!out->scheme) return err_set(e, "flow.nomem", "out of memory");
    if (strcasecmp(out->scheme, "Bearer") != 0) {
        err_set(e, "flow.not_bearer", "WWW-Authenticate scheme is '%.40s', not Bearer",
                out->scheme);
        flow_bearer_challenge_clear(out);
        return false;
    }
    struct {
        const char *name;
        char **slot;
    } known[] = {{"realm", &out->realm},
                 {"error", &out->error},
                 {"error_description", &out->error_description},
                 {"error_uri", &out->error_uri},
                 {"scope", &out->scope}};
    p = skip_ows(p);
    while (*p) {
        if (*p == ',') {
            p = skip_ows(p + 1);
            continue;
        }
        const char *ns = p;
        while (tchar(*p)) p++;
        if (p == ns) {
            err_set(e, "flow.www_auth", "WWW-Authenticate: expected a parameter name at offset %zu",
                    (size_t)(p - header));
            goto fail;
        }
        size_t nlen = (size_t)(p - ns);
        const char *after = skip_ows(p);
        if (*after != '=') {
            /* a name not followed by '=' starts the next challenge: ours ends here */
            if (p != after || !*p) break;
            err_set(e, "flow.www_auth", "WWW-Authenticate: expected '=' after '%.*s' at offset %zu",
                    (int)(nlen > 40 ? 40 : nlen), ns, (size_t)(p - header));
            goto fail;
        }
        p = skip_ows(after + 1);
        char *val;
        if (*p == '"') {
            sbuf b = {0};
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1]) p++;
                char one[2] = {*p, 0};
                if (!sbuf_add(&b, one)) {
                    free(b.p);
                    err_set(e, "flow.nomem", "out of memory");
                    goto fail;
                }
                p++;
            }
            if (*p != '"') {
                free(b.p);
                err_set(e, "flow.www_auth",
                        "WWW-Authenticate: unterminated quoted string for '%.*s'",
                        (int)(nlen > 40 ? 40 : nlen), ns);
                goto fail;
            }
            p++;
            val = b.p ? b.p : strdup("");
        } else {
            const char *vs = p;
            while (tchar(*p)) p++;
            if (p == vs) {
                err_set(e, "flow.www_auth", "WWW-Authenticate: '%.*s' has no value",
                        (int)(nlen > 40 ? 40 : nlen), ns);
                goto fail;
            }
            val = strndup(vs, (size_t)(p - vs));
        }
        if (!val) {
            err_set(e, "flow.nomem", "out of memory");
            goto fail;
        }
        bool used = false;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
            if (strlen(known[i].name) != nlen || strncasecmp(ns, known[i].name, nlen) != 0)
                continue;
            if (*known[i].slot) {
                free(val);
                /* RFC 6750 §3: these attributes MUST NOT appear more than once */
                err_set(e, "flow.www_auth",
                        "WWW-Authenticate has '%s' more than once (RFC 6750 §3)", known[i].name);
                goto fail;
            }
            *known[i].slot = val;
            used = true;
        }
        if (!used) free(val);
        p = skip_ows(p);
        if (*p && *p != ',') {
            err_set(e, "flow.www_auth", "WWW-Authenticate: expected ',' at offset %zu",
                    (size_t)(p - header));
            goto fail;
        }
    }
    return true;
fail:
    flow_bearer_challenge_clear(out);
    return false;
}

/* ---- lab ------------------------------------------------------------------------------------- */

static http_request *lab_request(const char *method, const char *base, const char *path,
                                 const char *lab_key, const json_t *body, const char *label,
                                 tl_err *e)
{
    if (!need("server base URL", base, e)) return NULL;
    char *u = join_url(base, path);
    if (!u) return nomem(NULL, e);
    http_request *r = body ? json_post(u, label, body, e) : new_request(method, u, label, e);
    free(u);
    if (r && lab_key && !http_request_set_header(r, "X-Tokenlab-Lab-Key", lab_key)) r = nomem(r, e);
    return r;
}

http_request *flow_lab_clock_request(const char *base, const char *lab_key, long advance_seconds,
                                     tl_err *e)
{
    json_t *body = json_pack("{s:I}", "advance", (json_int_t)advance_seconds);
    if (!body) return nomem(NULL, e);
    http_request *r = lab_request("POST", base, "/lab/clock", lab_key, body, "lab: clock", e);
    json_decref(body);
    return r;
}

http_request *flow_lab_clock_reset_request(const char *base, const char *lab_key, tl_err *e)
{
    json_t *body = json_pack("{s:b}", "reset", 1);
    if (!body) return nomem(NULL, e);
    http_request *r = lab_request("POST", base, "/lab/clock", lab_key, body, "lab: clock reset", e);
    json_decref(body);
    return r;
}

http_request *flow_lab_switch_request(const char *base, const char *lab_key, const char *name,
                                      bool on, tl_err *e)
{
    if (!need("lab switch name", name, e)) return NULL;
    json_t *body = json_pack("{s:s, s:b}", "name", name, "on", on);
    if (!body) return nomem(NULL, e);
    http_request *r = lab_request("POST", base, "/lab/switch", lab_key, body, "lab: switch", e);
    json_decref(body);
    return r;
}

http_request *flow_lab_state_request(const char *base, const char *lab_key, tl_err *e)
{
    return lab_request("GET", base, "/lab/state", lab_key, NULL, "lab: state", e);
}
