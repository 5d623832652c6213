/* action — the verbs of lesson steps, run asynchronously over the oauth transport. Each request's
 * answer is recorded in the state (status, JSON, OAuth / RFC 6750 error, Location) before the
 * action's own continuation looks at it. */
#include "lesson/action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "base/timefmt.h"
#include "jose/alg.h"
#include "jose/b64url.h"
#include "jose/crack.h"
#include "jose/jsonx.h"
#include "jose/jwt.h"
#include "oauth/flow.h"
#include "oauth/pkce.h"
#include "server/server.h"

/* ---- the action table (lint) ---------------------------------------------------------------- */

typedef struct spec {
    const char *name;
    int min_pos, max_pos;
    const char *keys;  /* space-separated allowed key=value keys */
    const char *usage; /* for messages */
} spec;

static const spec specs[] = {
    {"login", 2, 2, "", "login EMAIL PASSWORD"},
    {"api", 2, 2, "token body", "api METHOD PATH [token=access|login|decoder|none] [body=JSON]"},
    {"decode", 1, 1, "", "decode TOKEN|access|id|refresh|login"},
    {"mint", 0, 0, "alg secret key claims exp header kid",
     "mint alg=ALG secret=S|key=lab [claims=JSON] [exp=DURATION|none]"},
    {"tamper", 1, 8, "", "tamper header.NAME=VALUE|claim.NAME=VALUE …"},
    {"resign", 0, 1, "alg secret key",
     "resign alg=ALG secret=S|key=lab|key=server-public-pem|none"},
    {"verify", 0, 1, "secret key", "verify [secret=S|jwks|key=lab]"},
    {"authorize", 0, 0, "client scope pkce state nonce redirect_uri secret",
     "authorize client=ID scope=\"…\" [pkce=S256|plain|none] [state=auto|none|VALUE] "
     "[nonce=auto|none] [redirect_uri=URI]"},
    {"signin", 2, 2, "as", "signin EMAIL PASSWORD [as=victim]"},
    {"consent", 1, 1, "", "consent allow|deny"},
    {"exchange", 0, 0, "verifier code client_secret redirect_uri",
     "exchange [verifier=correct|wrong|none] [code=last|used] [client_secret=S]"},
    {"refresh", 0, 0, "scope token client_secret",
     "refresh [scope=\"…\"] [token=current|old] [client_secret=S]"},
    {"client-credentials", 0, 0, "client secret scope auth",
     "client-credentials client=ID secret=S scope=\"…\""},
    {"password-grant", 0, 0, "client username password secret scope",
     "password-grant client=ID username=U password=P"},
    {"device-start", 0, 0, "client scope", "device-start client=ID scope=\"…\""},
    {"device-approve", 2, 3, "", "device-approve EMAIL PASSWORD [allow|deny]"},
    {"device-poll", 0, 0, "", "device-poll"},
    {"userinfo", 0, 0, "token", "userinfo"},
    {"introspect", 1, 1, "client secret", "introspect access|refresh"},
    {"revoke", 1, 1, "client secret", "revoke access|refresh"},
    {"clock", 1, 1, "", "clock +DURATION | clock reset"},
    {"lab", 2, 2, "", "lab on|off SWITCH"},
    {"crack", 0, 0, "wordlist", "crack [wordlist=FILE]"},
};
#define NSPECS (sizeof specs / sizeof specs[0])

const char *const *action_names(void)
{
    static const char *names[NSPECS + 1];
    if (!names[0])
        for (size_t i = 0; i < NSPECS; i++) names[i] = specs[i].name;
    return names;
}

static const spec *find_spec(const char *name)
{
    for (size_t i = 0; i < NSPECS; i++)
        if (strcmp(specs[i].name, name) == 0) return &specs[i];
    return NULL;
}

const char *action_usage(const char *name)
{
    const spec *s = name ? find_spec(name) : NULL;
    return s ? s->usage : NULL;
}

/* Levenshtein distance, capped: names are short (under 32 bytes); longer words never match. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31) return 99;
    size_t row[32];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *action_suggest(const char *name)
{
    if (!name || !*name) return NULL;
    const char *best = NULL;
    size_t bestd = 99;
    for (size_t i = 0; i < NSPECS; i++) {
        size_t d = edit_distance(name, specs[i].name);
        if (d < bestd) {
            bestd = d;
            best = specs[i].name;
        }
    }
    /* one or two edits, and never more than a third of the word */
    size_t len = strlen(name);
    return best && bestd > 0 && bestd <= 2 && bestd * 3 <= len + 1 ? best : NULL;
}

static bool key_allowed(const spec *s, const char *key, size_t klen)
{
    const char *p = s->keys;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        if (n == klen && strncmp(p, key, n) == 0) return true;
        if (!sp) break;
        p = sp + 1;
    }
    return false;
}

/* key=value arguments; for tamper every argument is header.X=V / claim.X=V (positional). */
static const char *arg_eq(const char *a)
{
    const char *eq = strchr(a, '=');
    if (!eq || eq == a) return NULL;
    for (const char *p = a; p < eq; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_')) return NULL;
    return eq;
}

bool action_lab_known(const char *name, tl_err *e)
{
    const char *const *names = server_lab_names();
    char known[256] = "";
    for (size_t i = 0; names && names[i]; i++) {
        if (strcmp(names[i], name) == 0) return true;
        size_t l = strlen(known);
        snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "", names[i]);
    }
    return err_set(e, "action.lab", "unknown lab switch '%s' (known: %s)", name, known);
}

bool action_validate(size_t argc, char *const *argv, tl_err *e)
{
    if (argc == 0) return err_set(e, "action.args", "empty action");
    const spec *s = find_spec(argv[0]);
    if (!s) {
        const char *near = action_suggest(argv[0]);
        if (near)
            return err_set(e, "action.unknown", "unknown action '%s' (did you mean %s?)", argv[0],
                           near);
        char known[512] = "";
        for (size_t i = 0; i < NSPECS; i++) {
            strncat(known, specs[i].name, sizeof known - strlen(known) - 1);
            if (i + 1 < NSPECS) strncat(known, ", ", sizeof known - strlen(known) - 1);
        }
        return err_set(e, "action.unknown", "unknown action '%s' (known: %s)", argv[0], known);
    }
    int pos = 0;
    for (size_t i = 1; i < argc; i++) {
        const char *eq = strcmp(s->name, "tamper") == 0 ? NULL : arg_eq(argv[i]);
        if (eq) {
            if (!key_allowed(s, argv[i], (size_t)(eq - argv[i])))
                return err_set(e, "action.args", "%s: unknown argument '%.*s' (usage: %s)", s->name,
                               (int)(eq - argv[i]), argv[i], s->usage);
        } else {
            pos++;
        }
    }
    if (pos < s->min_pos || pos > s->max_pos) {
        char want[32];
        if (s->min_pos == s->max_pos)
            snprintf(want, sizeof want, "%d", s->min_pos);
        else
            snprintf(want, sizeof want, "%d to %d", s->min_pos, s->max_pos);
        return err_set(e, "action.args",
                       "%s: expected %s positional argument%s, got %d (usage: %s)", s->name, want,
                       s->max_pos == 1 ? "" : "s", pos, s->usage);
    }
    /* value checks that need no state */
    if (strcmp(s->name, "tamper") == 0) {
        for (size_t i = 1; i < argc; i++) {
            if ((strncmp(argv[i], "header.", 7) != 0 && strncmp(argv[i], "claim.", 6) != 0) ||
                !strchr(argv[i], '=') || strchr(argv[i], '=') == strchr(argv[i], '.') + 1)
                return err_set(e, "action.args",
                               "tamper: '%s' is not header.NAME=VALUE or claim.NAME=VALUE",
                               argv[i]);
        }
    } else if (strcmp(s->name, "consent") == 0) {
        if (strcmp(argv[1], "allow") && strcmp(argv[1], "deny"))
            return err_set(e, "action.args", "consent: '%s' is not allow or deny", argv[1]);
    } else if (strcmp(s->name, "device-approve") == 0 && argc == 4) {
        if (strcmp(argv[3], "allow") && strcmp(argv[3], "deny"))
            return err_set(e, "action.args", "device-approve: '%s' is not allow or deny", argv[3]);
    } else if (strcmp(s->name, "lab") == 0) {
        if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
            return err_set(e, "action.args", "lab: '%s' is not on or off", argv[1]);
        if (!action_lab_known(argv[2], e)) return err_prefix(e, "lab: ");
    } else if (strcmp(s->name, "clock") == 0) {
        int64_t d;
        if (strcmp(argv[1], "reset") != 0 &&
            (argv[1][0] != '+' || !timefmt_parse_duration(argv[1] + 1, &d)))
            return err_set(e, "action.args",
                           "clock: '%s' is not +DURATION (e.g. +15m, +2h) or reset", argv[1]);
    } else if (strcmp(s->name, "introspect") == 0 || strcmp(s->name, "revoke") == 0) {
        if (strcmp(argv[1], "access") && strcmp(argv[1], "refresh"))
            return err_set(e, "action.args", "%s: '%s' is not access or refresh", s->name, argv[1]);
    } else if (strcmp(s->name, "api") == 0) {
        if (argv[2][0] != '/')
            return err_set(e, "action.args", "api: the path '%s' must start with '/'", argv[2]);
    }
    for (size_t i = 1; i < argc; i++) {
        const char *eq = strcmp(s->name, "tamper") == 0 ? NULL : arg_eq(argv[i]);
        if (!eq) continue;
        const char *v = eq + 1;
        size_t kl = (size_t)(eq - argv[i]);
        if (kl == 2 && strncmp(argv[i], "as", 2) == 0 && strcmp(v, "victim") != 0)
            return err_set(e, "action.args",
                           "signin: as=%s is not victim (the one who has only the session id)", v);
        if (kl == 3 && strncmp(argv[i], "alg", 3) == 0 && strcmp(v, "none") != 0 &&
            jws_alg_from_name(v) == JWS_ALG_UNKNOWN)
            return err_set(e, "action.args", "%s: unknown alg '%s'", s->name, v);
        if (kl == 4 && strncmp(argv[i], "pkce", 4) == 0 && strcmp(v, "S256") &&
            strcmp(v, "plain") && strcmp(v, "none"))
            return err_set(e, "action.args", "authorize: pkce=%s is not S256, plain or none", v);
        if (kl == 6 && strncmp(argv[i], "claims", 6) == 0) {
            tl_err je = {0};
            json_t *j = jsonx_parse(v, strlen(v), true, &je);
            if (!j) return err_set(e, "action.args", "mint: bad claims: %s", je.msg);
            json_decref(j);
        }
        if (kl == 3 && strncmp(argv[i], "exp", 3) == 0 && strcmp(v, "none") != 0) {
            int64_t d;
            const char *dv = v[0] == '-' ? v + 1 : v;
            if (!timefmt_parse_duration(dv, &d))
                return err_set(e, "action.args", "mint: exp=%s is not a duration (15m, -5m, none)",
                               v);
        }
        if (kl == 5 && strncmp(argv[i], "token", 5) == 0 && strcmp(s->name, "api") == 0 &&
            strcmp(v, "access") && strcmp(v, "login") && strcmp(v, "decoder") &&
            strcmp(v, "none") && strcmp(v, "id") && strcmp(v, "refresh"))
            return err_set(e, "action.args",
                           "api: token=%s is not access, login, id, refresh, decoder or none", v);
    }
    return true;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static const char *kv(const lesson_action *a, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 1; i < a->argc; i++)
        if (strncmp(a->argv[i], key, kl) == 0 && a->argv[i][kl] == '=') return a->argv[i] + kl + 1;
    return NULL;
}

/* The n-th positional argument (1-based, not counting key=value ones). */
static const char *pos(const lesson_action *a, int n)
{
    int k = 0;
    for (size_t i = 1; i < a->argc; i++) {
        if (strcmp(a->argv[0], "tamper") != 0 && arg_eq(a->argv[i])) continue;
        if (++k == n) return a->argv[i];
    }
    return NULL;
}

typedef struct run {
    action_ctx ctx;
    const lesson_action *a;
    action_done_fn fn;
    void *ud;
    int stage;
    bool approve_allow;
    bool silent;   /* the request in flight is the JWKS fetch: not the learner's "last response" */
    char *s1, *s2; /* action-specific strings (email/password) */
} run;

static void finish(run *r, bool ok, const tl_err *e)
{
    action_done_fn fn = r->fn;
    void *ud = r->ud;
    free(r->s1);
    free(r->s2);
    free(r);
    if (fn) fn(ud, ok, e);
}

static void record_refusal(lesson_state *st, const char *code, const char *desc)
{
    state_set_str(&st->last_refusal, code);
    state_set_str(&st->last_refusal_message, desc);
}

/* Records a completed exchange in state.response. False when there was no HTTP answer. */
static bool record(lesson_state *st, const http_exchange *x, tl_err *e)
{
    state_drain_events(st); /* the server's view first; the answer's own error code wins below */
    state_clear_response(st);
    state_response *r = &st->response;
    state_set_str(&r->method, x->method);
    state_set_str(&r->url, x->url);
    if (x->state != HTTP_DONE) {
        state_set_str(&r->transport_error, x->err.msg);
        if (e) *e = x->err;
        if (e && !e->code) err_set(e, "http.transport", "the request did not complete");
        return false;
    }
    r->status = (int)x->status;
    if (x->json) r->json = json_incref(x->json);
    state_set_str(&r->location, x->location);
    const char *err = NULL, *desc = NULL;
    if (json_is_object(x->json)) {
        err = json_string_value(json_object_get(x->json, "error"));
        desc = json_string_value(json_object_get(x->json, "error_description"));
    }
    flow_bearer_challenge ch = {0};
    const char *www = http_exchange_header(x, "WWW-Authenticate");
    if (!err && www && flow_parse_www_authenticate(www, &ch, NULL)) {
        err = ch.error;
        desc = ch.error_description;
    }
    state_set_str(&r->error, err);
    state_set_str(&r->error_description, desc);
    if (x->status >= 400 && err) record_refusal(st, err, desc);
    flow_bearer_challenge_clear(&ch);
    return true;
}

static void on_http(http_client *c, http_exchange *x, void *ud);

static bool send_req(run *r, http_request *req, tl_err *e)
{
    if (!req) return false;
    bool ok = http_send(r->ctx.http, req, on_http, r, r->ctx.inflight, e);
    http_request_free(req);
    return ok;
}

static void send_or_fail(run *r, http_request *req, tl_err *e)
{
    if (!send_req(r, req, e)) finish(r, false, e);
}

static char *url_join(const char *base, const char *path)
{
    size_t n = strlen(base) + strlen(path) + 1;
    char *u = malloc(n);
    if (u) snprintf(u, n, "%s%s", base, path);
    return u;
}

static void add_accept_json(http_request *req)
{
    if (req) http_request_set_header(req, "Accept", "application/json");
}

static http_request *form_post(const char *url, flow_form *f, tl_err *e)
{
    http_request *req = http_request_new("POST", url);
    if (!req) {
        err_set(e, "lesson.nomem", "out of memory");
        return NULL;
    }
    http_request_set_body(req, "application/x-www-form-urlencoded", f->buf ? f->buf : "", f->len);
    add_accept_json(req);
    return req;
}

static void take_tokens(lesson_state *st, const http_exchange *x, bool decoder_access)
{
    flow_tokens t = {0};
    if (!flow_parse_token_response(x, &t, NULL)) return;
    if (t.refresh_token && st->tokens[STATE_TOK_REFRESH] &&
        strcmp(t.refresh_token, st->tokens[STATE_TOK_REFRESH]) != 0)
        state_set_str(&st->old_refresh, st->tokens[STATE_TOK_REFRESH]);
    state_set_token(st, STATE_TOK_ACCESS, t.access_token);
    if (t.id_token) state_set_token(st, STATE_TOK_ID, t.id_token);
    if (t.refresh_token) state_set_token(st, STATE_TOK_REFRESH, t.refresh_token);
    if (decoder_access) state_set_decoder(st, t.access_token);
    flow_tokens_clear(&t);
}

static const char *default_redirect(const char *client)
{
    if (strcmp(client, "demo-web") == 0) return "http://localhost:3000/callback";
    return "http://127.0.0.1:8765/callback";
}

static flow_client client_of(lesson_state *st, const char *id, const char *secret)
{
    flow_client c = {.client_id =
                         id ? id : (st->flow.client_id ? st->flow.client_id : "tokenlab-cli")};
    c.client_secret = secret ? secret : (id ? NULL : st->flow.client_secret);
    c.auth = c.client_secret ? FLOW_AUTH_BASIC : FLOW_AUTH_NONE;
    return c;
}

/* A JSON /authorize or /device step answer: remembers session/csrf/next step and, on a redirect,
 * the code or error it carries. */
static void take_authz_step(lesson_state *st, const http_exchange *x)
{
    state_flow *f = &st->flow;
    state_set_str(&f->next_step, NULL);
    const char *loc = NULL;
    if (json_is_object(x->json)) {
        json_t *j = x->json;
        const char *step = json_string_value(json_object_get(j, "step"));
        const char *sess = json_string_value(json_object_get(j, "session"));
        const char *csrf = json_string_value(json_object_get(j, "csrf"));
        const char *secret = json_string_value(json_object_get(j, "session_secret"));
        if (step) state_set_str(&f->next_step, step);
        if (sess) state_set_str(&f->session, sess);
        if (secret) state_set_str(&f->session_secret, secret);
        if (csrf) state_set_str(&f->csrf, csrf);
        loc = json_string_value(json_object_get(j, "location"));
    }
    if (!loc && x->status >= 300 && x->status < 400) loc = x->location;
    if (!loc) return;
    state_set_str(&f->next_step, "redirect");
    state_set_str(&st->response.location, loc);
    flow_redirect rd = {0};
    flow_parse_redirect(loc, NULL, NULL, &rd, NULL);
    state_set_str(&f->returned_state, rd.state);
    if (rd.code) state_set_str(&f->code, rd.code);
    if (rd.error) {
        state_set_str(&st->response.error, rd.error);
        state_set_str(&st->response.error_description, rd.error_description);
        record_refusal(st, rd.error, rd.error_description);
    }
    flow_redirect_clear(&rd);
}

/* ---- offline actions ------------------------------------------------------------------------ */

static jwk *key_from_spec(const action_ctx *ctx, const char *secret, const char *key, tl_err *e)
{
    lesson_state *st = ctx->st;
    if (secret) return jwk_from_secret((const uint8_t *)secret, strlen(secret));
    if (!key || strcmp(key, "lab") == 0) {
        if (!st->lab_key && !jwk_generate(JWS_RS256, 2048, &st->lab_key, e)) return NULL;
        return jwk_ref(st->lab_key);
    }
    if (strcmp(key, "server-public-pem") == 0) {
        if (!st->server_jwks || jwks_count(st->server_jwks) == 0) {
            err_set(e, "action.no_jwks", "the server's public key is not known yet");
            return NULL;
        }
        char *pem = jwk_to_pem(jwks_get(st->server_jwks, 0), false, e);
        if (!pem) return NULL;
        jwk *k = jwk_from_secret((const uint8_t *)pem, strlen(pem));
        free(pem);
        return k;
    }
    if (strcmp(key, "login") == 0 && st->login_secret) return jwk_ref(st->login_secret);
    err_set(e, "action.args", "unknown key '%s' (use secret=S, key=lab or key=server-public-pem)",
            key);
    return NULL;
}

static char *b64_json(const json_t *j)
{
    char *s = jsonx_compact(j);
    if (!s) return NULL;
    char *b = b64url_encode((const uint8_t *)s, strlen(s));
    free(s);
    return b;
}

/* Signs header+claims into the decoder. alg none: "h.p." with no signature. */
static bool sign_into_decoder(const action_ctx *ctx, json_t *header, json_t *claims, jws_alg alg,
                              jwk *key, tl_err *e)
{
    char *payload = jsonx_compact(claims);
    if (!payload) return err_set(e, "lesson.nomem", "out of memory");
    char *tok = NULL;
    bool ok;
    if (alg == JWS_ALG_NONE) {
        json_object_set_new(header, "alg", json_string("none"));
        char *h = b64_json(header);
        char *p = b64url_encode((const uint8_t *)payload, strlen(payload));
        size_t n = (h ? strlen(h) : 0) + (p ? strlen(p) : 0) + 3;
        tok = (h && p) ? malloc(n) : NULL;
        if (tok) snprintf(tok, n, "%s.%s.", h, p);
        free(h);
        free(p);
        ok = tok != NULL;
        if (!ok) err_set(e, "lesson.nomem", "out of memory");
    } else {
        ok = jws_sign(header, (const uint8_t *)payload, strlen(payload), alg, key, true, &tok, e);
    }
    free(payload);
    if (!ok) return false;
    state_set_decoder_key(ctx->st, key ? jwk_ref(key) : NULL);
    state_set_decoder(ctx->st, tok);
    free(tok);
    return true;
}

static bool do_mint(const action_ctx *ctx, const lesson_action *a, tl_err *e)
{
    lesson_state *st = ctx->st;
    const char *algn = kv(a, "alg");
    jws_alg alg = algn ? (strcmp(algn, "none") == 0 ? JWS_ALG_NONE : jws_alg_from_name(algn))
                       : (kv(a, "secret") ? JWS_HS256 : JWS_RS256);
    if (alg == JWS_ALG_UNKNOWN) return err_set(e, "action.args", "mint: unknown alg '%s'", algn);
    jwk *key = NULL;
    if (alg != JWS_ALG_NONE && !(key = key_from_spec(ctx, kv(a, "secret"), kv(a, "key"), e)))
        return false;
    json_t *claims = NULL;
    const char *cj = kv(a, "claims");
    claims = cj ? jsonx_parse(cj, strlen(cj), true, e) : json_object();
    if (!claims) {
        jwk_free(key);
        return false;
    }
    int64_t now = state_now(st);
    if (!json_object_get(claims, "iat")) json_object_set_new(claims, "iat", json_integer(now));
    const char *exp = kv(a, "exp");
    if (!exp || strcmp(exp, "none") != 0) {
        int64_t d = ALG_MINT_TTL;
        if (exp) {
            bool neg = exp[0] == '-';
            timefmt_parse_duration(neg ? exp + 1 : exp, &d);
            if (neg) d = -d;
        }
        if (!json_object_get(claims, "exp"))
            json_object_set_new(claims, "exp", json_integer(now + d));
    }
    json_t *header = NULL;
    const char *hj = kv(a, "header");
    header = hj ? jsonx_parse(hj, strlen(hj), true, e) : json_pack("{s:s}", "typ", ALG_MINT_TYP);
    if (!header) {
        json_decref(claims);
        jwk_free(key);
        return false;
    }
    if (kv(a, "kid")) json_object_set_new(header, "kid", json_string(kv(a, "kid")));
    bool ok = sign_into_decoder(ctx, header, claims, alg, key, e);
    json_decref(header);
    json_decref(claims);
    jwk_free(key);
    return ok;
}

static bool need_decoder(const lesson_state *st, const char *what, tl_err *e)
{
    if (!st->decoder) return err_set(e, "action.no_token", "%s: the decoder is empty", what);
    if (!st->decoder_jws)
        return err_set(e, "action.bad_token", "%s: the decoder token does not parse: %s", what,
                       st->decoder_err.msg);
    if (st->decoder_jws->is_jwe)
        return err_set(e, "action.bad_token", "%s: the decoder holds an encrypted token (JWE)",
                       what);
    return true;
}

static bool do_tamper(const action_ctx *ctx, const lesson_action *a, tl_err *e)
{
    lesson_state *st = ctx->st;
    if (!need_decoder(st, "tamper", e)) return false;
    const jws *t = st->decoder_jws;
    json_t *header = json_deep_copy(t->header);
    json_t *claims = t->claims ? json_deep_copy(t->claims) : json_object();
    for (size_t i = 1; i < a->argc; i++) {
        const char *arg = a->argv[i];
        bool is_h = strncmp(arg, "header.", 7) == 0;
        const char *name = arg + (is_h ? 7 : 6);
        const char *eq = strchr(name, '=');
        char nm[128];
        size_t nl = (size_t)(eq - name);
        if (nl >= sizeof nm) nl = sizeof nm - 1;
        memcpy(nm, name, nl);
        nm[nl] = 0;
        json_t *v = jsonx_from_arg(eq + 1);
        json_object_set_new(is_h ? header : claims, nm, v);
    }
    char *h = b64_json(header), *p = b64_json(claims);
    json_decref(header);
    json_decref(claims);
    const jws_span *sig = &t->seg[2];
    size_t n = (h ? strlen(h) : 0) + (p ? strlen(p) : 0) + sig->n + 3;
    char *tok = h && p ? malloc(n) : NULL;
    if (tok) snprintf(tok, n, "%s.%s.%.*s", h, p, (int)sig->n, sig->p);
    free(h);
    free(p);
    if (!tok) return err_set(e, "lesson.nomem", "out of memory");
    state_set_decoder(st, tok);
    free(tok);
    return true;
}

static bool do_resign(const action_ctx *ctx, const lesson_action *a, tl_err *e)
{
    lesson_state *st = ctx->st;
    if (!need_decoder(st, "resign", e)) return false;
    const char *algn = kv(a, "alg");
    const char *p1 = pos(a, 1);
    if (p1 && strcmp(p1, "none") == 0) algn = "none";
    jws_alg alg = algn ? (strcmp(algn, "none") == 0 ? JWS_ALG_NONE : jws_alg_from_name(algn))
                       : st->decoder_jws->alg;
    if (alg == JWS_ALG_UNKNOWN)
        return err_set(e, "action.args", "resign: say which alg (alg=HS256, alg=none, …)");
    jwk *key = NULL;
    if (alg != JWS_ALG_NONE && !(key = key_from_spec(ctx, kv(a, "secret"), kv(a, "key"), e)))
        return false;
    json_t *header = json_deep_copy(st->decoder_jws->header);
    json_object_del(header, "alg");
    json_t *claims =
        st->decoder_jws->claims ? json_deep_copy(st->decoder_jws->claims) : json_object();
    bool ok = sign_into_decoder(ctx, header, claims, alg, key, e);
    json_decref(header);
    json_decref(claims);
    jwk_free(key);
    return ok;
}

static bool verify_with(lesson_state *st, const jwk *key, const jwks *set, tl_err *e)
{
    const jws *t = st->decoder_jws;
    bool ok = set ? jws_verify_jwks(t, set, NULL, 0, NULL, e) : jws_verify(t, key, NULL, 0, e);
    if (ok) {
        jwt_rules rules = {.now = state_now(st)};
        ok = jwt_check(t, &rules, e);
    }
    return ok;
}

static void set_verify(lesson_state *st, bool ok, const tl_err *e)
{
    state_set_str(&st->verify_result, ok ? "valid" : (e->code ? e->code : "invalid"));
    state_set_str(&st->verify_message, ok ? "signature and times are valid" : e->msg);
}

static bool load_wordlist(const action_ctx *ctx, const char *path, char **buf, size_t *len,
                          tl_err *e)
{
    if (path) return fileio_read(path, 64u << 20, buf, len, e);
    if (ctx->wordlist) return fileio_read(ctx->wordlist, 64u << 20, buf, len, e);
    return assets_read("wordlists/common-secrets.txt", buf, len, e);
}

/* `crack` runs in slices on the caller's loop (http_work_start): CRACK_SLICE candidates per
 * http_poll turn — a few milliseconds of HMAC — so the TUI keeps drawing and reading keys while a
 * long wordlist is tried. The job owns the wordlist; crack_begin copied what it needs of the
 * token, so the decoder may change meanwhile. */
#define CRACK_SLICE 4096

typedef struct crack_job {
    action_ctx ctx;
    action_done_fn fn;
    void *ud;
    char *buf;
    crack_list list;
    crack_state *cs;
} crack_job;

static void crack_job_free(crack_job *j)
{
    crack_end(j->cs);
    crack_list_free(&j->list);
    free(j->buf);
    free(j);
}

static bool crack_slice(void *ud, bool cancelled)
{
    crack_job *j = ud;
    crack_result res = {0};
    tl_err e = {0};
    if (cancelled) {
        if (j->ctx.inflight) *j->ctx.inflight = 0;
        err_set(&e, "action.cancelled", "crack was cancelled");
        if (j->fn) j->fn(j->ud, false, &e);
        crack_job_free(j);
        return true;
    }
    if (!crack_step(j->cs, CRACK_SLICE, &res)) return false;
    if (j->ctx.inflight) *j->ctx.inflight = 0;
    lesson_state *st = j->ctx.st;
    st->crack_tried = res.progress.tried;
    if (res.found) {
        char *sec = malloc(res.secret_len + 1);
        if (sec) {
            memcpy(sec, res.secret, res.secret_len);
            sec[res.secret_len] = 0;
        }
        free(st->crack_secret);
        st->crack_secret = sec;
    } else {
        state_set_str(&st->crack_secret, NULL);
    }
    action_done_fn fn = j->fn;
    void *fud = j->ud;
    crack_job_free(j);
    if (fn) fn(fud, true, &e);
    return true;
}

/* Starts the sliced crack. False (e filled) when it cannot start: no token, no wordlist, not an
 * HMAC token; then no slice runs. */
static bool start_crack(const action_ctx *ctx, const lesson_action *a, action_done_fn fn, void *ud,
                        tl_err *e)
{
    lesson_state *st = ctx->st;
    if (!need_decoder(st, "crack", e)) return false;
    crack_job *j = calloc(1, sizeof *j);
    if (!j) return err_set(e, "lesson.nomem", "out of memory");
    j->ctx = *ctx;
    j->fn = fn;
    j->ud = ud;
    size_t len = 0;
    uint64_t id = 0;
    if (!load_wordlist(ctx, kv(a, "wordlist"), &j->buf, &len, e) ||
        !crack_split(j->buf, len, &j->list, e) ||
        !crack_begin(st->decoder_jws, &j->list, &j->cs, e) ||
        !http_work_start(ctx->http, crack_slice, j, &id, e)) {
        crack_job_free(j);
        return false;
    }
    if (ctx->inflight) *ctx->inflight = id;
    return true;
}

static bool do_decode(const action_ctx *ctx, const lesson_action *a, tl_err *e)
{
    lesson_state *st = ctx->st;
    const char *what = pos(a, 1);
    int t = state_token_from_name(what);
    if (t >= 0) {
        if (!st->tokens[t])
            return err_set(e, "action.no_token",
                           "decode: there is no %s token yet (run the step that gets one first)",
                           what);
        state_set_decoder(st, st->tokens[t]);
    } else {
        state_set_decoder(st, what);
    }
    return true;
}

/* Fetches the server's JWKS without touching state.response (it is tokenlab's own look-up, not a
 * request the lesson made). */
static bool fetch_jwks(run *r, tl_err *e)
{
    flow_endpoints ep = {0};
    http_request *req = NULL;
    if (flow_endpoints_default(&ep, r->ctx.server_url, e)) req = flow_jwks_request(ep.jwks, e);
    flow_endpoints_clear(&ep);
    r->silent = true;
    if (send_req(r, req, e)) return true;
    r->silent = false;
    return false;
}

/* Does the decoder hold a server-signed (non-HMAC) token whose key we do not have yet? */
static bool decoder_needs_jwks(const lesson_state *st)
{
    const jws *t = st->decoder_jws;
    if (!t || t->is_jwe || t->alg == JWS_ALG_NONE || t->alg == JWS_ALG_UNKNOWN) return false;
    if (alg_is_hmac(t->alg)) return false;
    if (!st->server_jwks) return true;
    return t->kid && !jwks_find_kid(st->server_jwks, t->kid); /* a rotated key */
}

static void got_jwks(run *r, http_exchange *x)
{
    lesson_state *st = r->ctx.st;
    const char *name = r->a->argv[0];
    tl_err e = {0};
    jwks *set = NULL;
    if (x->state == HTTP_DONE && x->status == 200 && jwks_from_json(x->json, &set, &e)) {
        jwks_free(st->server_jwks);
        st->server_jwks = set;
        state_update_signature(st);
    } else if (!e.code) {
        if (x->state != HTTP_DONE)
            e = x->err;
        else
            err_set(&e, "action.no_jwks", "could not fetch the server's keys (HTTP %ld)",
                    x->status);
    }
    bool needed =
        strcmp(name, "verify") == 0 || strcmp(name, "resign") == 0 || strcmp(name, "mint") == 0;
    if (!needed) { /* only to show the signature status: the action itself already succeeded */
        finish(r, true, NULL);
        return;
    }
    if (!e.code) {
        if (name[0] == 'v') {
            bool ok = verify_with(st, NULL, st->server_jwks, &e);
            set_verify(st, ok, &e);
            err_clear(&e);
        } else if (name[0] == 'r') {
            do_resign(&r->ctx, r->a, &e);
        } else {
            do_mint(&r->ctx, r->a, &e);
        }
    }
    finish(r, !e.code, &e);
}

/* ---- network actions: one continuation per answer ------------------------------------------- */

static void cont(run *r, http_exchange *x);
static void got_jwks(run *r, http_exchange *x);

static void on_http(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    run *r = ud;
    tl_err e = {0};
    if (r->ctx.inflight) *r->ctx.inflight = 0;
    if (r->silent) {
        r->silent = false;
        got_jwks(r, x);
        return;
    }
    if (!record(r->ctx.st, x, &e)) {
        finish(r, false, &e);
        return;
    }
    cont(r, x);
}

static const char *tok_arg(lesson_state *st, const char *which, tl_err *e)
{
    int t = state_token_from_name(which);
    if (t < 0) {
        err_set(e, "action.args", "'%s' is not access, id, refresh or login", which);
        return NULL;
    }
    if (!st->tokens[t]) {
        err_set(e, "action.no_token", "there is no %s token yet (run the step that gets one first)",
                which);
        return NULL;
    }
    return st->tokens[t];
}

static void start_net(run *r)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const char *base = r->ctx.server_url;
    const char *name = a->argv[0];
    tl_err e = {0};
    flow_endpoints ep = {0};
    if (!flow_endpoints_default(&ep, base, &e)) {
        finish(r, false, &e);
        return;
    }
    http_request *req = NULL;
    flow_form f = {0};
    if (strcmp(name, "login") == 0) {
        req = flow_login_request(base, pos(a, 1), pos(a, 2), &e);
    } else if (strcmp(name, "api") == 0) {
        const char *which = kv(a, "token");
        const char *tok = NULL;
        if (!which) {
            tok = st->tokens[STATE_TOK_ACCESS] ? st->tokens[STATE_TOK_ACCESS]
                                               : st->tokens[STATE_TOK_LOGIN];
        } else if (strcmp(which, "decoder") == 0) {
            tok = st->decoder;
            if (!tok) err_set(&e, "action.no_token", "api: the decoder is empty");
        } else if (strcmp(which, "none") != 0) {
            tok = tok_arg(st, which, &e);
        }
        if (!e.code) {
            char *url = url_join(base, pos(a, 2));
            req = url ? http_request_new(pos(a, 1), url) : NULL;
            free(url);
            if (req && tok) {
                size_t n = strlen(tok) + 8;
                char *h = malloc(n);
                if (h) snprintf(h, n, "Bearer %s", tok);
                http_request_set_header(req, "Authorization", h);
                free(h);
            }
            const char *body = kv(a, "body");
            if (req && body) http_request_set_body(req, "application/json", body, strlen(body));
            add_accept_json(req);
        }
    } else if (strcmp(name, "authorize") == 0) {
        const char *client = kv(a, "client") ? kv(a, "client") : "tokenlab-cli";
        state_flow *fl = &st->flow;
        state_set_str(&fl->client_id, client);
        state_set_str(&fl->client_secret, kv(a, "secret"));
        state_set_str(&fl->redirect_uri,
                      kv(a, "redirect_uri") ? kv(a, "redirect_uri") : default_redirect(client));
        state_set_str(&fl->scope, kv(a, "scope") ? kv(a, "scope") : "openid");
        state_set_str(&fl->code, NULL);
        state_set_str(&fl->session, NULL);
        state_set_str(&fl->session_secret, NULL);
        state_set_str(&fl->csrf, NULL);
        state_set_str(&fl->returned_state, NULL);
        const char *pk = kv(a, "pkce") ? kv(a, "pkce") : "S256";
        char *challenge = NULL;
        state_set_str(&fl->verifier, NULL);
        state_set_str(&fl->method, NULL);
        if (strcmp(pk, "none") != 0) {
            fl->verifier = pkce_verifier_new(&e);
            state_set_str(&fl->method, pk);
            if (fl->verifier)
                challenge = strcmp(pk, "S256") == 0 ? pkce_challenge_s256(fl->verifier, &e)
                                                    : strdup(fl->verifier);
        }
        const char *sv = kv(a, "state") ? kv(a, "state") : "auto";
        state_set_str(&fl->state, NULL);
        if (strcmp(sv, "none") != 0) {
            if (strcmp(sv, "auto") == 0) {
                char *rnd = pkce_verifier_new(NULL);
                if (rnd) rnd[22] = 0;
                fl->state = rnd;
            } else {
                state_set_str(&fl->state, sv);
            }
        }
        const char *nv =
            kv(a, "nonce") ? kv(a, "nonce") : (strstr(fl->scope, "openid") ? "auto" : "none");
        state_set_str(&fl->nonce, NULL);
        if (strcmp(nv, "none") != 0) {
            if (strcmp(nv, "auto") == 0) {
                char *rnd = pkce_verifier_new(NULL);
                if (rnd) rnd[22] = 0;
                fl->nonce = rnd;
            } else {
                state_set_str(&fl->nonce, nv);
            }
        }
        if (!e.code) {
            flow_authz_params p = {.client_id = client,
                                   .redirect_uri = fl->redirect_uri,
                                   .scope = fl->scope,
                                   .state = fl->state,
                                   .nonce = fl->nonce,
                                   .code_challenge = challenge,
                                   .code_challenge_method = challenge ? fl->method : NULL};
            char *url = flow_authorize_url(ep.authorization, &p, &e);
            if (url) req = flow_authorize_json_request(url, &e);
            free(url);
        }
        free(challenge);
    } else if (strcmp(name, "signin") == 0 || strcmp(name, "consent") == 0) {
        bool login = name[0] == 's';
        const char *want = login ? "login" : "consent";
        if (!st->flow.session) {
            err_set(&e, "action.no_flow", "%s: no authorization in progress (run authorize first)",
                    name);
        } else if (!st->flow.next_step || strcmp(st->flow.next_step, want) != 0) {
            err_set(&e, "action.flow_step",
                    "%s: the server is not asking for %s now (it asked for: %s)", name, want,
                    st->flow.next_step ? st->flow.next_step : "nothing");
        } else {
            flow_form_add(&f, "session", st->flow.session);
            /* as=victim: someone who got only the session id (a link), not its secret */
            if (!(kv(a, "as") && strcmp(kv(a, "as"), "victim") == 0))
                flow_form_add(&f, "session_secret", st->flow.session_secret);
            if (login) {
                flow_form_add(&f, "email", pos(a, 1));
                flow_form_add(&f, "password", pos(a, 2));
            } else {
                flow_form_add(&f, "csrf", st->flow.csrf);
                flow_form_add(&f, "decision", pos(a, 1));
            }
            char *url = url_join(base, login ? "/authorize/login" : "/authorize/consent");
            req = url ? form_post(url, &f, &e) : NULL;
            free(url);
        }
    } else if (strcmp(name, "exchange") == 0) {
        state_flow *fl = &st->flow;
        const char *which = kv(a, "code") ? kv(a, "code") : "last";
        const char *code = strcmp(which, "used") == 0 ? fl->used_code : fl->code;
        if (strcmp(which, "used") != 0 && strcmp(which, "last") != 0) code = which;
        const char *vmode = kv(a, "verifier") ? kv(a, "verifier") : "correct";
        char *verifier = NULL;
        if (!code) {
            err_set(
                &e, "action.no_code",
                "exchange: there is no %s authorization code (run authorize, signin and consent "
                "first)",
                strcmp(which, "used") == 0 ? "used" : "unused");
        } else {
            if (strcmp(vmode, "correct") == 0 && fl->verifier)
                verifier = strdup(fl->verifier);
            else if (strcmp(vmode, "wrong") == 0)
                verifier = pkce_verifier_new(&e);
            else if (strcmp(vmode, "none") != 0 && strcmp(vmode, "correct") != 0)
                verifier = strdup(vmode);
            if (kv(a, "client_secret")) state_set_str(&fl->client_secret, kv(a, "client_secret"));
            flow_client c = client_of(st, NULL, NULL);
            const char *ru = kv(a, "redirect_uri") ? kv(a, "redirect_uri") : fl->redirect_uri;
            /* the code is marked used when the answer shows the server consumed it (cont) */
            r->s1 = strdup(code);
            r->stage = strcmp(which, "last") == 0;
            req = r->s1 ? flow_token_code_request(ep.token, &c, r->s1, ru, verifier, &e) : NULL;
        }
        free(verifier);
    } else if (strcmp(name, "refresh") == 0) {
        const char *which = kv(a, "token") ? kv(a, "token") : "current";
        const char *rt =
            strcmp(which, "old") == 0 ? st->old_refresh : st->tokens[STATE_TOK_REFRESH];
        if (!rt) {
            err_set(&e, "action.no_token", "refresh: there is no %s refresh token",
                    strcmp(which, "old") == 0 ? "old (rotated)" : "");
        } else {
            if (kv(a, "client_secret"))
                state_set_str(&st->flow.client_secret, kv(a, "client_secret"));
            flow_client c = client_of(st, NULL, NULL);
            req = flow_token_refresh_request(ep.token, &c, rt, kv(a, "scope"), &e);
        }
    } else if (strcmp(name, "client-credentials") == 0) {
        const char *id = kv(a, "client") ? kv(a, "client") : "demo-service";
        flow_client c = {
            .client_id = id, .client_secret = kv(a, "secret"), .auth = FLOW_AUTH_BASIC};
        if (kv(a, "auth") && strcmp(kv(a, "auth"), "post") == 0) c.auth = FLOW_AUTH_POST;
        if (!c.client_secret) c.auth = FLOW_AUTH_NONE;
        state_set_str(&st->flow.client_id, id);
        state_set_str(&st->flow.client_secret, c.client_secret);
        req = flow_token_client_credentials_request(ep.token, &c, kv(a, "scope"), &e);
    } else if (strcmp(name, "password-grant") == 0) {
        const char *id = kv(a, "client") ? kv(a, "client") : "demo-web";
        const char *sec = kv(a, "secret");
        if (!sec && strcmp(id, "demo-web") == 0) sec = "demo-web-secret";
        flow_client c = {
            .client_id = id, .client_secret = sec, .auth = sec ? FLOW_AUTH_BASIC : FLOW_AUTH_NONE};
        state_set_str(&st->flow.client_id, id);
        state_set_str(&st->flow.client_secret, sec);
        req = flow_token_password_request(ep.token, &c, kv(a, "username"), kv(a, "password"),
                                          kv(a, "scope"), &e);
    } else if (strcmp(name, "device-start") == 0) {
        const char *id = kv(a, "client") ? kv(a, "client") : "tokenlab-cli";
        flow_client c = {.client_id = id, .auth = FLOW_AUTH_NONE};
        state_set_str(&st->flow.client_id, id);
        state_set_str(&st->flow.client_secret, NULL);
        req = flow_device_authorization_request(ep.device_authorization, &c, kv(a, "scope"), &e);
    } else if (strcmp(name, "device-approve") == 0) {
        if (!st->flow.user_code) {
            err_set(&e, "action.no_flow",
                    "device-approve: no device flow started (run device-start)");
        } else {
            r->s1 = strdup(pos(a, 1));
            r->s2 = strdup(pos(a, 2));
            r->approve_allow = !pos(a, 3) || strcmp(pos(a, 3), "allow") == 0;
            flow_form_add(&f, "user_code", st->flow.user_code);
            char *url = url_join(base, "/device");
            req = url ? form_post(url, &f, &e) : NULL;
            free(url);
        }
    } else if (strcmp(name, "device-poll") == 0) {
        if (!st->flow.device_code) {
            err_set(&e, "action.no_flow", "device-poll: no device flow started (run device-start)");
        } else {
            flow_client c = client_of(st, NULL, NULL);
            req = flow_token_device_request(ep.token, &c, st->flow.device_code, &e);
        }
    } else if (strcmp(name, "userinfo") == 0) {
        const char *tok = tok_arg(st, kv(a, "token") ? kv(a, "token") : "access", &e);
        if (tok) req = flow_userinfo_request(ep.userinfo, tok, &e);
    } else if (strcmp(name, "introspect") == 0 || strcmp(name, "revoke") == 0) {
        const char *which = pos(a, 1);
        const char *tok = tok_arg(st, which, &e);
        if (tok) {
            bool intro = name[0] == 'i';
            const char *id = kv(a, "client");
            const char *sec = kv(a, "secret");
            if (!id && intro && !st->flow.client_secret) {
                id = "demo-web";
                sec = "demo-web-secret";
            }
            flow_client c = client_of(st, id, sec);
            const char *hint = strcmp(which, "refresh") == 0 ? "refresh_token" : "access_token";
            req = intro ? flow_introspect_request(ep.introspection, &c, tok, hint, &e)
                        : flow_revoke_request(ep.revocation, &c, tok, hint, &e);
        }
    } else if (strcmp(name, "clock") == 0 || strcmp(name, "lab") == 0) {
        if (!r->ctx.lab_key) {
            err_set(
                &e, "action.no_lab_key",
                "%s: no lab key for this server (start tokenlab with --lab-key KEY, as printed by "
                "tokenlab serve)",
                name);
        } else {
            bool clock = name[0] == 'c';
            if (clock) {
                const char *v = pos(a, 1);
                if (strcmp(v, "reset") == 0) {
                    flow_form_add(&f, "reset", "1");
                } else {
                    int64_t d = 0;
                    timefmt_parse_duration(v + 1, &d);
                    char b[32];
                    snprintf(b, sizeof b, "%lld", (long long)d);
                    flow_form_add(&f, "advance", b);
                }
            } else {
                flow_form_add(&f, "name", pos(a, 2));
                flow_form_add(&f, "on", strcmp(pos(a, 1), "on") == 0 ? "1" : "0");
            }
            char *url = url_join(base, clock ? "/lab/clock" : "/lab/switch");
            req = url ? form_post(url, &f, &e) : NULL;
            if (req) http_request_set_header(req, "X-Tokenlab-Lab-Key", r->ctx.lab_key);
            free(url);
        }
    } else {
        err_set(&e, "action.unknown", "unknown action '%s'", name);
    }
    flow_form_clear(&f);
    flow_endpoints_clear(&ep);
    if (!req) {
        if (!e.code) err_set(&e, "lesson.nomem", "%s: could not build the request", name);
        finish(r, false, &e);
        return;
    }
    send_or_fail(r, req, &e);
}

/* Did the server consume the authorization code this token request carried? RFC 6749 §4.1.2
 * makes a code single-use on the server, but the server authenticates the client first (§3.2.1,
 * §5.2 invalid_client) and checks the grant type before it looks the code up: a request refused
 * there leaves the code unused. Any other answer — tokens, or a refusal of the code itself
 * (invalid_grant: unknown, expired, another client's, wrong redirect_uri; PKCE; a full store) —
 * came after the lookup, which marks the code used (server/token.c grant_code). */
static bool code_consumed(const http_exchange *x)
{
    if (x->status == 200) return true;
    if (x->status == 401) return false;
    const char *err =
        json_is_object(x->json) ? json_string_value(json_object_get(x->json, "error")) : NULL;
    return !err || (strcmp(err, "invalid_client") != 0 && strcmp(err, "unauthorized_client") != 0 &&
                    strcmp(err, "unsupported_grant_type") != 0);
}

/* After each answer (already recorded in state.response). */
static void cont(run *r, http_exchange *x)
{
    lesson_state *st = r->ctx.st;
    const char *name = r->a->argv[0];
    tl_err e = {0};
    if (strcmp(name, "exchange") == 0 && r->s1 && code_consumed(x)) {
        state_flow *fl = &st->flow;
        state_set_str(&fl->used_code, r->s1);
        if (r->stage && fl->code && strcmp(fl->code, r->s1) == 0) state_set_str(&fl->code, NULL);
    }
    if (strcmp(name, "login") == 0) {
        if (x->status == 200) {
            flow_tokens t = {0};
            if (flow_parse_token_response(x, &t, NULL) && t.access_token) {
                state_set_token(st, STATE_TOK_LOGIN, t.access_token);
                state_set_decoder(st, t.access_token);
            }
            flow_tokens_clear(&t);
        }
    } else if (strcmp(name, "authorize") == 0 || strcmp(name, "signin") == 0 ||
               strcmp(name, "consent") == 0) {
        take_authz_step(st, x);
    } else if (strcmp(name, "exchange") == 0 || strcmp(name, "refresh") == 0 ||
               strcmp(name, "client-credentials") == 0 || strcmp(name, "password-grant") == 0 ||
               strcmp(name, "device-poll") == 0) {
        if (x->status == 200) {
            take_tokens(st, x, true);
            if (decoder_needs_jwks(st) && fetch_jwks(r, &e)) return; /* finishes in got_jwks */
            err_clear(&e); /* no keys: the signature status stays "unknown", the step goes on */
        }
    } else if (strcmp(name, "device-start") == 0) {
        flow_device_auth d = {0};
        if (flow_parse_device_auth(x, &d, NULL)) {
            state_set_str(&st->flow.device_code, d.device_code);
            state_set_str(&st->flow.user_code, d.user_code);
            state_set_str(&st->flow.verification_uri, d.verification_uri);
            st->flow.device_interval = (int)d.interval;
        }
        flow_device_auth_clear(&d);
    } else if (strcmp(name, "device-approve") == 0) {
        /* stages: 0 user code → login step; 1 login → consent; 2 consent → done */
        take_authz_step(st, x);
        const char *next = st->flow.next_step;
        flow_form f = {0};
        http_request *req = NULL;
        char *url = NULL;
        if (r->stage == 0 && next && strcmp(next, "login") == 0) {
            flow_form_add(&f, "session", st->flow.session);
            flow_form_add(&f, "session_secret", st->flow.session_secret);
            flow_form_add(&f, "email", r->s1);
            flow_form_add(&f, "password", r->s2);
            url = url_join(r->ctx.server_url, "/authorize/login");
        } else if (r->stage == 1 && next && strcmp(next, "consent") == 0) {
            flow_form_add(&f, "session", st->flow.session);
            flow_form_add(&f, "session_secret", st->flow.session_secret);
            flow_form_add(&f, "csrf", st->flow.csrf);
            flow_form_add(&f, "decision", r->approve_allow ? "allow" : "deny");
            url = url_join(r->ctx.server_url, "/authorize/consent");
        }
        if (url) {
            req = form_post(url, &f, &e);
            free(url);
            flow_form_clear(&f);
            r->stage++;
            send_or_fail(r, req, &e);
            return;
        }
        flow_form_clear(&f);
    } else if (strcmp(name, "clock") == 0) {
        if (x->status == 200) {
            const char *v = pos(r->a, 1);
            int64_t d = 0;
            if (strcmp(v, "reset") == 0)
                st->clock_offset = 0;
            else if (timefmt_parse_duration(v + 1, &d))
                st->clock_offset += d;
            json_t *off = json_is_object(x->json) ? json_object_get(x->json, "offset") : NULL;
            if (!off && json_is_object(x->json)) off = json_object_get(x->json, "clock_offset");
            if (json_is_integer(off)) st->clock_offset = json_integer_value(off);
            state_update_signature(st);
        } else {
            err_set(&e, "action.lab", "the server refused to move its clock (HTTP %ld)", x->status);
        }
    } else if (strcmp(name, "lab") == 0) {
        if (x->status == 200)
            state_set_lab(st, pos(r->a, 2), strcmp(pos(r->a, 1), "on") == 0);
        else
            err_set(&e, "action.lab", "the server refused lab switch '%s' (HTTP %ld%s%s)",
                    pos(r->a, 2), x->status, st->response.error_description ? ": " : "",
                    st->response.error_description ? st->response.error_description : "");
    }
    finish(r, !e.code, &e);
}

static bool needs_jwks(const action_ctx *ctx, const lesson_action *a)
{
    const char *name = a->argv[0];
    if (strcmp(name, "verify") == 0) {
        const char *p = pos(a, 1);
        if (kv(a, "secret") || kv(a, "key")) return false;
        if (p && strcmp(p, "jwks") == 0) return true;
        /* default: HS tokens with the login secret, else the server's JWKS */
        const jws *t = ctx->st->decoder_jws;
        return !(t && alg_is_hmac(t->alg) && ctx->st->login_secret);
    }
    const char *k = kv(a, "key");
    return k && strcmp(k, "server-public-pem") == 0;
}

bool action_start(const action_ctx *ctx, const lesson_action *a, action_done_fn fn, void *ud,
                  tl_err *e)
{
    if (!a || a->argc == 0) return err_set(e, "action.args", "empty action");
    const char *name = a->argv[0];
    tl_err le = {0};
    bool ok = true, offline = true;
    lesson_state *st = ctx->st;
    if (needs_jwks(ctx, a)) {
        if (strcmp(name, "verify") == 0 && !need_decoder(st, "verify", e)) return false;
        offline = false;
    } else if (strcmp(name, "decode") == 0) {
        ok = do_decode(ctx, a, &le);
    } else if (strcmp(name, "mint") == 0) {
        ok = do_mint(ctx, a, &le);
    } else if (strcmp(name, "tamper") == 0) {
        ok = do_tamper(ctx, a, &le);
    } else if (strcmp(name, "resign") == 0) {
        ok = do_resign(ctx, a, &le);
    } else if (strcmp(name, "verify") == 0) {
        if (!need_decoder(st, "verify", e)) return false;
        jwk *key = NULL;
        if (kv(a, "secret") || kv(a, "key"))
            key = key_from_spec(ctx, kv(a, "secret"), kv(a, "key"), &le);
        else
            key = st->login_secret ? jwk_ref(st->login_secret) : NULL;
        if (key) {
            bool v = verify_with(st, key, NULL, &le);
            set_verify(st, v, &le);
            err_clear(&le);
            jwk_free(key);
        } else {
            ok = false;
        }
    } else if (strcmp(name, "crack") == 0) {
        /* sliced: the callback runs from http_poll; a failure to start is the action's failure */
        if (start_crack(ctx, a, fn, ud, &le)) return true;
        ok = false;
    } else {
        offline = false;
    }
    if (offline) {
        if (fn) fn(ud, ok, &le);
        return true;
    }
    run *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, "lesson.nomem", "out of memory");
    r->ctx = *ctx;
    r->a = a;
    r->fn = fn;
    r->ud = ud;
    if (needs_jwks(ctx, a)) {
        if (!fetch_jwks(r, e)) {
            free(r);
            return false;
        }
        return true;
    }
    start_net(r);
    return true;
}
