/* SPDX-License-Identifier: MIT */
/* GET /authorize → login → consent → redirect with a code (RFC 6749 §4.1, OIDC Core §3.1), as
 * HTML forms or as the JSON steps of docs/server.md. The device flow's user pages share the login
 * and consent steps (a session of kind SRV_SESSION_DEVICE). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/html.h"
#include "server/authorize.h"
#include "server/par.h"
#include "server/secret.h"

/* RFC 6749 §3.1.2.2 and RFC 9700 §4.1.3: the redirect_uri must match a registered URI exactly, by
 * simple string comparison. RFC 8252 §7.3: for a native client's loopback IP redirect URI, only the
 * port may differ. The loose-redirect lab switch stands for servers that only compare the origin.
 */
static bool redirect_uri_matches(const config_client *c, const char *uri, bool loose)
{
    for (size_t i = 0; i < c->nredirect; i++) {
        const char *reg = c->redirect_uris[i];
        if (strcmp(reg, uri) == 0) return true;
        static const char *const loopbacks[] = {"http://127.0.0.1", "http://[::1]"};
        for (size_t k = 0; c->native && k < 2; k++) {
            size_t hl = strlen(loopbacks[k]);
            if (strncmp(reg, loopbacks[k], hl) != 0 || strncmp(uri, loopbacks[k], hl) != 0)
                continue;
            const char *a = reg + hl, *b = uri + hl;
            if (*a == ':') a += strspn(a + 1, "0123456789") + 1;
            if (*b == ':') {
                size_t nd = strspn(b + 1, "0123456789");
                if (nd < 1 || nd > 5 || atoi(b + 1) < 1 || atoi(b + 1) > 65535) continue;
                b += nd + 1;
            }
            if (strcmp(a, b) == 0) return true;
        }
        if (loose) {
            /* origin = scheme://authority: everything up to the path's first '/' */
            const char *p = strstr(reg, "://");
            const char *slash = p ? strchr(p + 3, '/') : NULL;
            size_t ol = slash ? (size_t)(slash - reg) : strlen(reg);
            if (strncmp(reg, uri, ol) == 0 && (uri[ol] == '/' || uri[ol] == '\0')) return true;
        }
    }
    return false;
}

static json_t *client_json(const config_client *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "client_id", json_string(c->client_id));
    json_object_set_new(j, "name", json_string(c->name));
    return j;
}

/* Appends error or code parameters to the client's redirect_uri (RFC 6749 §4.1.2, RFC 9207). */
static char *build_location(server *s, const char *redirect_uri, const char *const *kv)
{
    html_buf b = {0};
    html_raw(&b, "%s", redirect_uri);
    char sep = strchr(redirect_uri, '?') ? '&' : '?';
    for (size_t i = 0; kv[i]; i += 2) {
        if (!kv[i + 1] || !kv[i + 1][0]) continue;
        char *v = reqparse_urlencode(kv[i + 1]);
        html_raw(&b, "%c%s=%s", sep, kv[i], v ? v : "");
        free(v);
        sep = '&';
    }
    char *iss = reqparse_urlencode(s->issuer);
    html_raw(&b, "%ciss=%s", sep, iss ? iss : ""); /* RFC 9207 §2 */
    free(iss);
    return b.p;
}

/* Every authorization session is bound to the party that started it. A session id alone is not a
 * credential: it travels in links and forms, so an attacker who starts a session and sends the
 * victim its sign-in or consent link would otherwise get the victim's code (lesson 8). Browsers
 * prove it with this cookie (its name carries the session id, so several tabs can sign in at
 * once); JSON callers with the form field session_secret. */
#define SESSION_COOKIE "tl_authz_"

static enum MHD_Result send_location(srv_req *r, const char *loc)
{
    if (srv_wants_json(r)) {
        json_t *j = json_object();
        json_object_set_new(j, "step", json_string("redirect"));
        json_object_set_new(j, "location", json_string(loc));
        return srv_send_json(r, 200, j, NULL);
    }
    return srv_redirect(r, loc);
}

/* An error the client may see: redirect to it (RFC 6749 §4.1.2.1). */
static enum MHD_Result redirect_error(srv_req *r, const config_client *c, const char *redirect_uri,
                                      const char *state, const char *code, const char *msg)
{
    /* a pushed request is refused to the client that pushed it, in JSON (RFC 9126 §2.3) */
    if (r->pushed) return srv_oauth_error(r, 400, c->client_id, code, NULL, "%s", msg);
    srv_refused(r, c->client_id, code, msg);
    const char *kv[] = {"error", code, "error_description", msg, "state", state, NULL};
    char *loc = build_location(r->s, redirect_uri, kv);
    enum MHD_Result ret = send_location(r, loc);
    free(loc);
    return ret;
}

/* The form targets, under the lab's prefix (a student's lab in a class: /s/st-7/…). */
typedef struct action_buf {
    char p[96];
} action_buf;

static const char *login_action(server *s, const srv_session *ss, action_buf *b)
{
    return srv_path(s, ss->kind == SRV_SESSION_DEVICE ? "/device/login" : "/authorize/login", b->p,
                    sizeof b->p);
}

static const char *consent_action(server *s, const srv_session *ss, action_buf *b)
{
    return srv_path(s, ss->kind == SRV_SESSION_DEVICE ? "/device/consent" : "/authorize/consent",
                    b->p, sizeof b->p);
}

/* The JSON steps repeat the session secret to the party that showed it (or started the session),
 * so that a client can send back whatever the last step said; nobody else ever sees it. */
static void add_session(json_t *j, const char *sid, const srv_session *ss, bool proven)
{
    json_object_set_new(j, "session", json_string(sid));
    if (proven) json_object_set_new(j, "session_secret", json_string(ss->binding));
}

static enum MHD_Result send_login(srv_req *r, const char *sid, const srv_session *ss,
                                  const config_client *c, unsigned status, const char *error,
                                  bool proven)
{
    if (srv_wants_json(r)) {
        json_t *j = srv_error_json(error ? "access_denied" : NULL, error);
        json_object_set_new(j, "step", json_string("login"));
        json_object_set_new(j, "action", json_string(login_action(r->s, ss, &(action_buf){0})));
        add_session(j, sid, ss, proven);
        json_object_set_new(j, "client", client_json(c));
        return srv_send_json(r, status, j, NULL);
    }
    html_buf b = {0};
    html_begin(&b, "Sign in");
    html_raw(&b, "<p><b>");
    html_esc(&b, c->name);
    html_raw(&b, "</b> wants you to sign in to the tokenlab server.</p>");
    if (error) {
        html_raw(&b, "<p class=\"err\">");
        html_esc(&b, error);
        html_raw(&b, "</p>");
    }
    html_raw(&b,
             "<form method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"session\" "
             "value=\"",
             login_action(r->s, ss, &(action_buf){0}));
    html_esc(&b, sid);
    html_raw(&b, "\"><label>Email<input name=\"email\" type=\"email\" autocomplete=\"username\" "
                 "required></label><label>Password<input name=\"password\" type=\"password\" "
                 "autocomplete=\"current-password\" required></label><button "
                 "type=\"submit\">Sign in</button></form><p><small>Demo users: "
                 "<code>alice@example.com</code> / <code>wonderland</code>, "
                 "<code>bob@example.com</code> / <code>builder</code>.</small></p>");
    html_end(&b);
    return srv_send_html(r, status, &b);
}

static enum MHD_Result send_consent(srv_req *r, const char *sid, const srv_session *ss, bool proven)
{
    server *s = r->s;
    const config_client *c = config_client_by_id(s->cfg, ss->client_id);
    const config_user *u = config_user_by_sub(s->cfg, ss->sub);
    reqparse_scopes sc = {0};
    reqparse_scope(ss->scope, &sc, NULL);
    if (srv_wants_json(r)) {
        json_t *j = json_object();
        json_object_set_new(j, "step", json_string("consent"));
        json_object_set_new(j, "action", json_string(consent_action(r->s, ss, &(action_buf){0})));
        add_session(j, sid, ss, proven);
        json_object_set_new(j, "csrf", json_string(ss->csrf));
        json_t *uj = json_object();
        json_object_set_new(uj, "sub", json_string(u ? u->sub : ss->sub));
        if (u) json_object_set_new(uj, "email", json_string(u->email));
        if (u && u->name) json_object_set_new(uj, "name", json_string(u->name));
        json_object_set_new(j, "user", uj);
        if (c) json_object_set_new(j, "client", client_json(c));
        json_t *arr = json_array();
        for (size_t i = 0; i < sc.n; i++) {
            const config_scope *d = config_scope_find(s->cfg, sc.v[i]);
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(sc.v[i]));
            json_object_set_new(o, "description", json_string(d ? d->description : ""));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j, "scopes", arr);
        reqparse_scopes_free(&sc);
        return srv_send_json(r, 200, j, NULL);
    }
    html_buf b = {0};
    html_begin(&b, "Allow access?");
    html_raw(&b, "<p>Signed in as <b>");
    html_esc(&b, u ? u->email : ss->sub);
    html_raw(&b, "</b>.</p><p><b>");
    html_esc(&b, c ? c->name : ss->client_id);
    html_raw(&b, "</b> (<code>");
    html_esc(&b, ss->client_id);
    html_raw(&b, "</code>) asks to:</p><ul>");
    for (size_t i = 0; i < sc.n; i++) {
        const config_scope *d = config_scope_find(s->cfg, sc.v[i]);
        html_raw(&b, "<li><code>");
        html_esc(&b, sc.v[i]);
        html_raw(&b, "</code> — ");
        html_esc(&b, d ? d->description : "");
        html_raw(&b, "</li>");
    }
    reqparse_scopes_free(&sc);
    html_raw(&b,
             "</ul><form method=\"post\" action=\"%s\"><input type=\"hidden\" "
             "name=\"session\" value=\"",
             consent_action(r->s, ss, &(action_buf){0}));
    html_esc(&b, sid);
    html_raw(&b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(&b, ss->csrf);
    html_raw(&b, "\"><button name=\"decision\" value=\"allow\">Allow</button><button "
                 "name=\"decision\" value=\"deny\">Deny</button></form>");
    html_end(&b);
    return srv_send_html(r, 200, &b);
}

/* Quotas on the pending sessions (store_quota_locked): per starting address, the oldest gives way
 * to the newest; per client id, the newest is refused. */
typedef struct quota_ud {
    const char *match;
    size_t dropped;
} quota_ud;

static bool same_addr(void *ud, const void *v)
{
    return strcmp(((const srv_session *)v)->addr, ((quota_ud *)ud)->match) == 0;
}

static bool same_client(void *ud, const void *v)
{
    return strcmp(((const srv_session *)v)->client_id, ((quota_ud *)ud)->match) == 0;
}

static void count_dropped(void *ud, const char *key, const void *v)
{
    (void)key;
    (void)v;
    ((quota_ud *)ud)->dropped++;
}

enum MHD_Result authorize_send_login(srv_req *r, srv_session *ss)
{
    server *s = r->s;
    char sid[SRV_ID];
    if (!srv_random_id(sid, 24) || !srv_random_id(ss->binding, 24)) {
        free(ss);
        return srv_error_page(r, 500, NULL, "server_error", "the CSPRNG failed");
    }
    srv_copy(ss->addr, sizeof ss->addr, srv_addr(r));
    srv_session copy = *ss;
    int64_t now = srv_now(s);
    size_t client_max = store_capacity(s->sessions) / SRV_CLIENT_SHARE;
    quota_ud by_addr = {copy.addr, 0}, by_client = {copy.client_id, 0};
    store_lock(s->sessions);
    store_quota_locked(s->sessions, now, same_addr, &by_addr, s->root->per_address, count_dropped);
    bool client_full = store_quota_locked(s->sessions, now, same_client, &by_client, client_max,
                                          NULL) >= client_max;
    bool ok =
        !client_full && store_put_locked(s->sessions, sid, ss, now + s->cfg->session_ttl, now);
    store_unlock(s->sessions);
    if (by_addr.dropped) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "%s has %u authorization requests in progress, the most one address may have: "
                 "its oldest was dropped",
                 copy.addr, s->root->per_address);
        srv_event(s, "info", r->path, copy.client_id, NULL, msg);
    }
    if (!ok) {
        free(ss);
        char msg[200];
        if (client_full)
            snprintf(msg, sizeof msg,
                     "client '%s' has %zu authorization requests in progress, the most one client "
                     "may have; try again shortly",
                     copy.client_id, client_max);
        return srv_error_page(r, 503, copy.client_id, "temporarily_unavailable",
                              client_full ? msg
                                          : "too many authorization requests in progress; try "
                                            "again shortly");
    }
    /* The browser's proof: HttpOnly (no script reads it), SameSite (no other site's form sends it),
     * for the session's lifetime. JSON callers get the same secret as "session_secret". */
    snprintf(r->set_cookie, sizeof r->set_cookie,
             SESSION_COOKIE "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax", sid,
             copy.binding, (long long)s->cfg->session_ttl);
    const config_client *c = config_client_by_id(s->cfg, copy.client_id);
    return send_login(r, sid, &copy, c, 200, NULL, true);
}

enum MHD_Result authorize_start(srv_req *r)
{
    server *s = r->s;
    enum MHD_Result pres;
    if (!r->pushed && srv_query(r, "request_uri") && !par_resolve(r, &pres)) return pres;
    const char *client_id = srv_query(r, "client_id");
    const char *redirect_uri = srv_query(r, "redirect_uri");
    const char *state = srv_query(r, "state");
    if (!client_id)
        return srv_error_page(r, 400, NULL, "invalid_request",
                              "client_id is missing (RFC 6749 §4.1.1)");
    const config_client *c = config_client_by_id(s->cfg, client_id);
    if (!c)
        return srv_error_page(r, 400, client_id, "invalid_client",
                              "unknown client_id; the server will not redirect to an unverified "
                              "redirect_uri (RFC 6749 §4.1.2.1)");
    if (c->require_par && !r->pushed && !r->par_used)
        return srv_error_page(r, 400, client_id, "invalid_request",
                              "this client must push its authorization request to /par first and "
                              "send only client_id and request_uri here (RFC 9126 §5: "
                              "require_pushed_authorization_requests)");
    if (!redirect_uri)
        return srv_error_page(r, 400, client_id, "invalid_request",
                              "redirect_uri is missing; it is required so that it can be compared "
                              "exactly (RFC 9700 §4.1.3)");
    if (strchr(redirect_uri, '#'))
        return srv_error_page(r, 400, client_id, "invalid_request",
                              "redirect_uri must not contain a fragment (RFC 6749 §3.1.2)");
    if (!redirect_uri_matches(c, redirect_uri, srv_lab(s, LAB_LOOSE_REDIRECT)))
        return srv_error_page(r, 400, client_id, "invalid_request",
                              "redirect_uri does not exactly match a registered URI (RFC 6749 "
                              "§3.1.2.2)");
    if (strlen(redirect_uri) >= SRV_URI)
        return srv_error_page(r, 400, client_id, "invalid_request", "redirect_uri is too long");
    /* From here on errors go back to the client. */
    if (state && strlen(state) >= SRV_TEXT)
        return srv_error_page(r, 400, client_id, "invalid_request",
                              "state is longer than 511 characters");
    const char *rt = srv_query(r, "response_type");
    if (!rt || strcmp(rt, "code") != 0)
        return redirect_error(r, c, redirect_uri, state,
                              rt ? "unsupported_response_type" : "invalid_request",
                              rt ? "only response_type=code is supported (RFC 9700 §2.1.2: the "
                                   "implicit grant should not be used)"
                                 : "response_type is missing (RFC 6749 §4.1.1)");
    const char *mode = srv_query(r, "response_mode");
    if (mode && strcmp(mode, "query") != 0)
        return redirect_error(r, c, redirect_uri, state, "invalid_request",
                              "only response_mode=query is supported");
    const char *prompt = srv_query(r, "prompt");
    if (prompt && strstr(prompt, "none"))
        /* OIDC Core §3.1.2.6: there is no signed-in session to reuse; every request signs in */
        return redirect_error(r, c, redirect_uri, state, "login_required",
                              "prompt=none, but this server keeps no sign-in session");
    if (!(c->grants & CONFIG_GRANT_CODE))
        return redirect_error(r, c, redirect_uri, state, "unauthorized_client",
                              "this client may not use the authorization code grant");
    const char *scope = srv_query(r, "scope");
    reqparse_scopes sc = {0};
    tl_err e = {0};
    if (!scope || !reqparse_scope(scope, &sc, &e) || sc.n == 0) {
        reqparse_scopes_free(&sc);
        return redirect_error(r, c, redirect_uri, state, "invalid_scope",
                              scope ? e.msg : "scope is missing (RFC 6749 §3.3)");
    }
    for (size_t i = 0; i < sc.n; i++) {
        char msg[200];
        if (!config_scope_find(s->cfg, sc.v[i]))
            snprintf(msg, sizeof msg, "unknown scope '%.64s' (RFC 6749 §3.3)", sc.v[i]);
        else if (!reqparse_scopes_has(&c->scopes, sc.v[i]))
            snprintf(msg, sizeof msg, "client '%.64s' may not request scope '%.64s'", c->client_id,
                     sc.v[i]);
        else
            continue;
        reqparse_scopes_free(&sc);
        return redirect_error(r, c, redirect_uri, state, "invalid_scope", msg);
    }
    char *scope_norm = reqparse_scopes_join(&sc);
    reqparse_scopes_free(&sc);
    const char *challenge = srv_query(r, "code_challenge");
    const char *method = srv_query(r, "code_challenge_method");
    bool no_pkce = srv_lab(s, LAB_NO_PKCE);
    const char *bad = NULL;
    if (challenge && !no_pkce) {
        if (!method || strcmp(method, "S256") != 0)
            bad = method ? "code_challenge_method must be S256; plain is refused (RFC 9700 "
                           "§2.1.1)"
                         : "code_challenge_method is missing, which means plain; use S256 "
                           "(RFC 7636 §4.3, RFC 9700 §2.1.1)";
        else if (strlen(challenge) != 43 ||
                 strspn(challenge,
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != 43)
            bad = "code_challenge must be BASE64URL(SHA256(code_verifier)): 43 base64url "
                  "characters (RFC 7636 §4.2)";
    } else if (!challenge && !c->confidential && !no_pkce) {
        bad = "PKCE is required for public clients: send code_challenge and "
              "code_challenge_method=S256 (RFC 9700 §2.1.1, RFC 7636 §4.4.1)";
    } else if (!challenge && method && !no_pkce) {
        bad = "code_challenge_method without code_challenge (RFC 7636 §4.3)";
    }
    if (bad) {
        free(scope_norm);
        return redirect_error(r, c, redirect_uri, state, "invalid_request", bad);
    }
    srv_session *ss = calloc(1, sizeof *ss);
    const char *nonce = srv_query(r, "nonce");
    ss->kind = SRV_SESSION_AUTHORIZE;
    bool fits = ss && srv_copy(ss->client_id, sizeof ss->client_id, c->client_id) &&
                srv_copy(ss->redirect_uri, sizeof ss->redirect_uri, redirect_uri) &&
                srv_copy(ss->scope, sizeof ss->scope, scope_norm) &&
                srv_copy(ss->state, sizeof ss->state, state) &&
                srv_copy(ss->nonce, sizeof ss->nonce, nonce) &&
                srv_copy(ss->challenge, sizeof ss->challenge, no_pkce ? NULL : challenge);
    free(scope_norm);
    if (!fits) {
        free(ss);
        return redirect_error(r, c, redirect_uri, state, "invalid_request",
                              "a parameter (scope or nonce) is too long");
    }
    if (r->pushed) { /* validated: keep the parameters for /authorize (par.c) */
        free(ss);
        return par_store(r, c->client_id);
    }
    return authorize_send_login(r, ss);
}

/* Looks up the request's session ("session" from the form, else the query) and checks that the
 * request comes from whoever started it: the session_secret form field, else the session's cookie.
 * Never from the query: a link must not carry the proof. `*proven` says whether it did (false
 * only under the unbound-session lab switch). On failure an error page is queued in *res. */
static bool find_session(srv_req *r, const char **sid_out, srv_session *out, bool *proven,
                         enum MHD_Result *res)
{
    const char *sid = srv_form(r, "session");
    if (!sid) sid = srv_query(r, "session");
    *sid_out = sid;
    if (!sid) {
        *res = srv_error_page(r, 400, NULL, "invalid_request", "session is missing");
        return false;
    }
    server *s = r->s;
    int64_t now = srv_now(s);
    store_lock(s->sessions);
    srv_session *ss = store_get_locked(s->sessions, sid, now);
    if (ss) *out = *ss;
    store_unlock(s->sessions);
    if (!ss) {
        *res = srv_error_page(r, 404, NULL, "invalid_request",
                              "unknown or expired authorization session; start again at "
                              "/authorize");
        return false;
    }
    const char *given = srv_form(r, "session_secret");
    if (!given) {
        char name[sizeof SESSION_COOKIE + SRV_ID];
        snprintf(name, sizeof name, SESSION_COOKIE "%s", sid);
        given = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
    }
    *proven = given && secret_equal(given, out->binding);
    if (*proven) return true;
    if (srv_lab(s, LAB_UNBOUND_SESSION)) {
        srv_event(s, "info", r->path, out->client_id, NULL,
                  "unbound-session lab: a request without the session's cookie or "
                  "session_secret was let in");
        return true;
    }
    *res = srv_error_page(
        r, 403, out->client_id, "access_denied",
        given ? "this authorization session was started by someone else: its session_secret "
                "(or cookie) does not match. Only the browser or app that started a sign-in "
                "may continue it"
              : "this authorization session was started by someone else: the request carries "
                "neither its cookie nor its session_secret. A sign-in or consent link from "
                "another person is a trap (they would get your code); start from the app "
                "itself");
    return false;
}

enum MHD_Result authorize_login(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res)) return res;
    server *s = r->s;
    const char *sid;
    srv_session ss;
    bool proven;
    if (!find_session(r, &sid, &ss, &proven, &res)) return res;
    const config_client *c = config_client_by_id(s->cfg, ss.client_id);
    const char *email = srv_form(r, "email"), *password = srv_form(r, "password");
    const config_user *u = config_user_by_email(s->cfg, email);
    /* throttled before the 33 ms hash, and for unknown emails too (no enumeration) */
    if (!srv_guess_allowed(r, SRV_GUESS_PASSWORD, email ? email : "", true, &res)) return res;
    /* Hash even for unknown users so that timing does not reveal which emails exist. */
    bool ok =
        secret_password_ok(u ? u->password_hash : SECRET_DUMMY_HASH, password ? password : "") && u;
    if (!ok) {
        srv_guess_failed(r, SRV_GUESS_PASSWORD, email ? email : "");
        srv_refused(r, ss.client_id, "access_denied", "wrong email or password");
        return send_login(r, sid, &ss, c, 401, "wrong email or password", proven);
    }
    char csrf[SRV_ID];
    if (!srv_random_id(csrf, 24))
        return srv_error_page(r, 500, NULL, "server_error", "the CSPRNG failed");
    int64_t now = srv_now(s);
    store_lock(s->sessions);
    srv_session *live = store_get_locked(s->sessions, sid, now);
    if (live) {
        live->logged_in = true;
        srv_copy(live->sub, sizeof live->sub, u->sub);
        srv_copy(live->csrf, sizeof live->csrf, csrf);
        live->auth_time = now;
        ss = *live;
    }
    store_unlock(s->sessions);
    if (!live)
        return srv_error_page(r, 404, NULL, "invalid_request",
                              "authorization session expired during login; start again");
    char msg[160];
    snprintf(msg, sizeof msg, "%s signed in", u->email);
    srv_event(s, "info", r->path, ss.client_id, NULL, msg);
    if (srv_wants_json(r)) return send_consent(r, sid, &ss, proven);
    char loc[256];
    snprintf(loc, sizeof loc, "%s?session=%s", consent_action(r->s, &ss, &(action_buf){0}), sid);
    return srv_redirect(r, loc);
}

enum MHD_Result authorize_consent_page(srv_req *r)
{
    const char *sid;
    srv_session ss;
    bool proven;
    enum MHD_Result res;
    if (!find_session(r, &sid, &ss, &proven, &res)) return res;
    if (!ss.logged_in) {
        const config_client *c = config_client_by_id(r->s->cfg, ss.client_id);
        return send_login(r, sid, &ss, c, 200, NULL, proven);
    }
    return send_consent(r, sid, &ss, proven);
}

static enum MHD_Result device_done(srv_req *r, const srv_session *ss, bool allow)
{
    server *s = r->s;
    int64_t now = srv_now(s);
    bool found = false;
    store_lock(s->devices);
    srv_device *d = store_get_locked(s->devices, ss->device_code, now);
    if (d && d->status == SRV_DEVICE_PENDING && d->exp > now) {
        d->status = allow ? SRV_DEVICE_APPROVED : SRV_DEVICE_DENIED;
        srv_copy(d->sub, sizeof d->sub, ss->sub);
        d->auth_time = ss->auth_time;
        found = true;
    }
    store_unlock(s->devices);
    if (!found)
        return srv_error_page(r, 400, ss->client_id, "expired_token",
                              "the device code expired or was already used (RFC 8628 §3.5)");
    const config_client *c = config_client_by_id(s->cfg, ss->client_id);
    char msg[300];
    snprintf(msg, sizeof msg,
             allow ? "%s is now authorized; return to your device."
                   : "You denied %s; return to your device.",
             c ? c->name : ss->client_id);
    srv_event(s, "info", r->path, ss->client_id, NULL,
              allow ? "device authorized by the user" : "device denied by the user");
    if (srv_wants_json(r)) {
        json_t *j = json_object();
        json_object_set_new(j, "step", json_string("done"));
        json_object_set_new(j, "message", json_string(msg));
        return srv_send_json(r, 200, j, NULL);
    }
    html_buf b = {0};
    html_begin(&b, allow ? "Device authorized" : "Access denied");
    html_raw(&b, "<p>");
    html_esc(&b, msg);
    html_raw(&b, "</p>");
    html_end(&b);
    return srv_send_html(r, 200, &b);
}

enum MHD_Result authorize_consent(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res)) return res;
    server *s = r->s;
    const char *sid;
    srv_session ss;
    bool proven;
    if (!find_session(r, &sid, &ss, &proven, &res)) return res;
    if (!ss.logged_in)
        return srv_error_page(r, 400, ss.client_id, "invalid_request",
                              "sign in before giving consent");
    if (!secret_equal(srv_form(r, "csrf"), ss.csrf))
        return srv_error_page(r, 403, ss.client_id, "invalid_request",
                              "the consent form's csrf token is missing or wrong (cross-site "
                              "request forgery protection)");
    const char *decision = srv_form(r, "decision");
    bool allow = decision && strcmp(decision, "allow") == 0;
    if (!allow && !(decision && strcmp(decision, "deny") == 0))
        return srv_error_page(r, 400, ss.client_id, "invalid_request",
                              "decision must be allow or deny");
    int64_t now = srv_now(s);
    store_lock(s->sessions);
    bool still = store_remove_locked(s->sessions, sid); /* one decision per session */
    store_unlock(s->sessions);
    if (!still)
        return srv_error_page(r, 404, ss.client_id, "invalid_request",
                              "this authorization session was already used");
    if (ss.kind == SRV_SESSION_DEVICE) return device_done(r, &ss, allow);
    const config_client *c = config_client_by_id(s->cfg, ss.client_id);
    if (!allow)
        return redirect_error(r, c, ss.redirect_uri, ss.state, "access_denied",
                              "the user denied the request");
    srv_code *code = calloc(1, sizeof *code);
    char cv[SRV_ID];
    if (!code || !srv_random_id(cv, 32)) {
        free(code);
        return srv_error_page(r, 500, NULL, "server_error", "out of memory");
    }
    srv_copy(code->client_id, sizeof code->client_id, ss.client_id);
    srv_copy(code->redirect_uri, sizeof code->redirect_uri, ss.redirect_uri);
    srv_copy(code->scope, sizeof code->scope, ss.scope);
    srv_copy(code->nonce, sizeof code->nonce, ss.nonce);
    srv_copy(code->challenge, sizeof code->challenge, ss.challenge);
    srv_copy(code->sub, sizeof code->sub, ss.sub);
    code->auth_time = ss.auth_time;
    code->exp = now + s->cfg->code_ttl;
    store_lock(s->codes);
    /* kept past expiry so that a late or repeated use gets a precise message */
    bool ok = store_put_locked(s->codes, cv, code, code->exp + 600, now);
    store_unlock(s->codes);
    if (!ok) {
        free(code);
        return redirect_error(r, c, ss.redirect_uri, ss.state, "temporarily_unavailable",
                              "too many outstanding authorization codes");
    }
    srv_event(s, "issued", r->path, ss.client_id, NULL, "authorization code issued");
    const char *kv[] = {"code", cv, "state", ss.state, NULL};
    char *loc = build_location(s, ss.redirect_uri, kv);
    enum MHD_Result ret = send_location(r, loc);
    free(loc);
    return ret;
}
