/* SPDX-License-Identifier: MIT */
/* action — the table of lesson actions and the machinery every action runs on: lint, start, one
 * continuation per answer. Each request's answer is recorded in the state (status, JSON, OAuth /
 * RFC 6750 error, Location) before the action's own on_answer looks at it. The actions themselves
 * live in their family's file (act_api.c, act_jwt.c, act_crack.c, act_authz.c, act_token.c,
 * act_device.c, act_lab.c); act.h is what they share. */
#include "lesson/action.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jose/alg.h"
#include "lesson/act.h"
#include "lesson/defaults.h"
#include "oauth/dpop_proof.h"
#include "server/lab.h"

/* ---- the table: one line per action, in the order `help` lists them ------------------------- */

#define ACTION_LIST(X)                                                                             \
    X(login)                                                                                       \
    X(api)                                                                                         \
    X(decode)                                                                                      \
    X(mint)                                                                                        \
    X(tamper)                                                                                      \
    X(resign)                                                                                      \
    X(verify)                                                                                      \
    X(verify_id)                                                                                   \
    X(authorize)                                                                                   \
    X(signin)                                                                                      \
    X(consent)                                                                                     \
    X(exchange)                                                                                    \
    X(callback)                                                                                    \
    X(refresh)                                                                                     \
    X(client_credentials)                                                                          \
    X(password_grant)                                                                              \
    X(device_start)                                                                                \
    X(device_approve)                                                                              \
    X(device_poll)                                                                                 \
    X(userinfo)                                                                                    \
    X(introspect)                                                                                  \
    X(revoke)                                                                                      \
    X(clock)                                                                                       \
    X(lab)                                                                                         \
    X(crack)                                                                                       \
    X(dpop)

#define ACT_DECLARE(id) extern const action_entry act_##id;
ACTION_LIST(ACT_DECLARE)
#undef ACT_DECLARE

static const action_entry *const actions[] = {
#define ACT_ENTRY(id) &act_##id,
    ACTION_LIST(ACT_ENTRY)
#undef ACT_ENTRY
};
#define NACTIONS (sizeof actions / sizeof actions[0])

const char *const *action_names(void)
{
    static const char *names[NACTIONS + 1];
    if (!names[0])
        for (size_t i = 0; i < NACTIONS; i++) names[i] = actions[i]->name;
    return names;
}

static const action_entry *find_entry(const char *name)
{
    for (size_t i = 0; name && i < NACTIONS; i++)
        if (strcmp(actions[i]->name, name) == 0) return actions[i];
    return NULL;
}

const char *action_usage(const char *name)
{
    const action_entry *a = find_entry(name);
    return a ? a->usage : NULL;
}

const char *const *action_arg_values(const char *name, size_t word)
{
    const action_entry *a = find_entry(name);
    return a && a->arg_values ? a->arg_values(word) : NULL;
}

action_outcome action_outcome_of(const char *name)
{
    const action_entry *a = find_entry(name);
    return a ? a->outcome : ACTION_OUTCOME_RESPONSE;
}

action_begins action_begins_of(const lesson_action *a)
{
    const action_entry *s = a && a->argc ? find_entry(a->argv[0]) : NULL;
    if (!s) return ACTION_NEEDS_EARLIER;
    return s->begins_of ? s->begins_of(a) : s->begins;
}

/* ---- lint ----------------------------------------------------------------------------------- */

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
    for (size_t i = 0; i < NACTIONS; i++) {
        size_t d = edit_distance(name, actions[i]->name);
        if (d < bestd) {
            bestd = d;
            best = actions[i]->name;
        }
    }
    /* one or two edits, and never more than a third of the word */
    size_t len = strlen(name);
    return best && bestd > 0 && bestd <= 2 && bestd * 3 <= len + 1 ? best : NULL;
}

static bool key_allowed(const action_entry *s, const char *key, size_t klen)
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

const char *act_arg_eq(const char *a)
{
    const char *eq = strchr(a, '=');
    if (!eq || eq == a) return NULL;
    for (const char *p = a; p < eq; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_')) return NULL;
    return eq;
}

bool action_lab_known(const char *name, tl_err *e)
{
    if (lab_bit(name)) return true;
    char known[512];
    return err_set(e, "action.lab", "unknown lab switch '%s' (known: %s)", name,
                   lab_known(known, sizeof known));
}

static bool unknown_action(const char *name, tl_err *e)
{
    const char *near = action_suggest(name);
    if (near)
        return err_set(e, "action.unknown", "unknown action '%s' (did you mean %s?)", name, near);
    char known[512] = "";
    for (size_t i = 0; i < NACTIONS; i++) {
        strncat(known, actions[i]->name, sizeof known - strlen(known) - 1);
        if (i + 1 < NACTIONS) strncat(known, ", ", sizeof known - strlen(known) - 1);
    }
    return err_set(e, "action.unknown", "unknown action '%s' (known: %s)", name, known);
}

bool action_validate(size_t argc, char *const *argv, tl_err *e)
{
    if (argc == 0) return err_set(e, "action.args", "empty action");
    const action_entry *s = find_entry(argv[0]);
    if (!s) return unknown_action(argv[0], e);
    int pos = 0;
    for (size_t i = 1; i < argc; i++) {
        const char *eq = s->positional_only ? NULL : act_arg_eq(argv[i]);
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
    return !s->validate || s->validate(argc, argv, e);
}

/* ---- arguments ------------------------------------------------------------------------------ */

const char *act_kv(const lesson_action *a, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 1; i < a->argc; i++)
        if (strncmp(a->argv[i], key, kl) == 0 && a->argv[i][kl] == '=') return a->argv[i] + kl + 1;
    return NULL;
}

const char *act_pos(const lesson_action *a, int n)
{
    const action_entry *s = find_entry(a->argv[0]);
    int k = 0;
    for (size_t i = 1; i < a->argc; i++) {
        if (!(s && s->positional_only) && act_arg_eq(a->argv[i])) continue;
        if (++k == n) return a->argv[i];
    }
    return NULL;
}

/* ---- the run -------------------------------------------------------------------------------- */

void act_finish(act_run *r, bool ok, const tl_err *e)
{
    action_done_fn fn = r->fn;
    void *ud = r->ud;
    flow_endpoints_clear(&r->ep);
    free(r->s1);
    free(r->s2);
    free(r);
    if (fn) fn(ud, ok, e);
}

act_status act_fail(tl_err *e, const char *code, const char *fmt, ...)
{
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(e, code, "%s", msg);
    return ACT_FAILED;
}

static void done(act_run *r, act_status s, const tl_err *e)
{
    if (s != ACT_PENDING) act_finish(r, s == ACT_OK, e);
}

const flow_endpoints *act_ep(act_run *r, tl_err *e)
{
    if (!r->ep.base && !flow_endpoints_default(&r->ep, r->ctx.server_url, e)) return NULL;
    return &r->ep;
}

void act_record_refusal(lesson_state *st, const char *code, const char *desc)
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
    if (x->status >= 400 && err) act_record_refusal(st, err, desc);
    flow_bearer_challenge_clear(&ch);
    return true;
}

/* The server's keys arrived (or did not): keep them, then what the action wanted them for. */
static void got_jwks(act_run *r, http_exchange *x)
{
    lesson_state *st = r->ctx.st;
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
    act_status (*then)(act_run *, tl_err *) = r->with_jwks;
    r->with_jwks = NULL;
    if (!then) { /* only to show the signature status: the action itself already succeeded */
        act_finish(r, true, NULL);
        return;
    }
    done(r, e.code ? ACT_FAILED : then(r, &e), &e);
}

static void on_http(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    act_run *r = ud;
    tl_err e = {0};
    if (r->ctx.inflight) *r->ctx.inflight = 0;
    if (r->silent) {
        r->silent = false;
        got_jwks(r, x);
        return;
    }
    if (!record(r->ctx.st, x, &e)) {
        act_finish(r, false, &e);
        return;
    }
    done(r, r->entry->on_answer ? r->entry->on_answer(r, x, &e) : ACT_OK, &e);
}

char *act_url(const act_run *r, const char *path)
{
    size_t n = strlen(r->ctx.server_url) + strlen(path) + 1;
    char *u = malloc(n);
    if (u) snprintf(u, n, "%s%s", r->ctx.server_url, path);
    return u;
}

/* Does this request get a DPoP proof once the learner said `dpop on`: a token request, or a
 * request that carries an access token (the API, userinfo)? Lab, authorize and JWKS requests
 * never do. */
static bool wants_dpop(const http_request *req)
{
    const char *authz = http_request_header(req, "Authorization");
    bool bearer = authz && strncasecmp(authz, "Bearer ", 7) == 0;
    const char *p = strstr(req->url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    size_t n = p ? strcspn(p, "?#") : 0;
    bool token = p && n >= 6 && strncmp(p + n - 6, "/token", 6) == 0;
    return bearer || (token && strcmp(req->method, "POST") == 0);
}

/* `dpop on` (RFC 9449): every token and API request carries a fresh proof by the learner's key.
 * dpop=off sends this one without (a thief who has the token but not the key); dpop=other signs
 * it with a new key (a thief with a key of their own). */
static bool add_dpop(act_run *r, http_request *req, tl_err *e)
{
    const char *mode = act_kv(r->a, "dpop");
    lesson_state *st = r->ctx.st;
    bool on = mode ? strcmp(mode, "off") != 0 : st->dpop_on;
    if (!on || !wants_dpop(req)) return true;
    jwk *key = st->dpop_key, *other = NULL;
    if ((mode && strcmp(mode, "other") == 0) || !key) {
        if (!jwk_generate(JWS_ES256, 0, &other, e)) return false;
        if (!key && !(mode && strcmp(mode, "other") == 0)) st->dpop_key = jwk_ref(other);
        key = other;
    }
    bool ok = dpop_proof_attach(req, key, (int64_t)time(NULL), e);
    jwk_free(other);
    return ok;
}

static bool act_send(act_run *r, http_request *req, tl_err *e)
{
    if (!req) {
        if (e && !e->code)
            err_set(e, "lesson.nomem", "%s: could not build the request", r->entry->name);
        return false;
    }
    if (!r->silent && !add_dpop(r, req, e)) {
        http_request_free(req);
        return false;
    }
    bool ok = http_send(r->ctx.http, req, on_http, r, r->ctx.inflight, e);
    http_request_free(req);
    return ok;
}

act_status act_send_status(act_run *r, http_request *req, tl_err *e)
{
    return act_send(r, req, e) ? ACT_PENDING : ACT_FAILED;
}

bool act_fetch_jwks(act_run *r, act_status (*then)(act_run *r, tl_err *e), tl_err *e)
{
    const flow_endpoints *ep = act_ep(r, e);
    http_request *req = ep ? flow_jwks_request(ep->jwks, e) : NULL;
    r->silent = true;
    r->with_jwks = then;
    if (act_send(r, req, e)) return true;
    r->silent = false;
    r->with_jwks = NULL;
    return false;
}

/* ---- shared by the families ----------------------------------------------------------------- */

const char *act_token(lesson_state *st, const char *which, tl_err *e)
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

flow_client act_client(lesson_state *st, const char *id, const char *secret)
{
    flow_client c = {.client_id =
                         id ? id
                            : (st->flow.client_id ? st->flow.client_id
                                                  : defaults_client(DEFAULTS_PUBLIC, NULL))};
    c.client_secret = secret ? secret : (id ? NULL : st->flow.client_secret);
    c.auth = c.client_secret ? FLOW_AUTH_BASIC : FLOW_AUTH_NONE;
    return c;
}

bool act_need_decoder(const lesson_state *st, const char *what, tl_err *e)
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

/* Does the decoder hold a server-signed (non-HMAC) token whose key we do not have yet? */
static bool decoder_needs_jwks(const lesson_state *st)
{
    const jws *t = st->decoder_jws;
    if (!t || t->is_jwe || t->alg == JWS_ALG_NONE || t->alg == JWS_ALG_UNKNOWN) return false;
    if (alg_is_hmac(t->alg)) return false;
    if (!st->server_jwks) return true;
    return t->kid && !jwks_find_kid(st->server_jwks, t->kid); /* a rotated key */
}

act_status act_took_tokens(act_run *r, const http_exchange *x, tl_err *e)
{
    if (x->status != 200) return ACT_OK;
    lesson_state *st = r->ctx.st;
    flow_tokens t = {0};
    if (flow_parse_token_response(x, &t, NULL)) {
        if (t.refresh_token && st->tokens[STATE_TOK_REFRESH] &&
            strcmp(t.refresh_token, st->tokens[STATE_TOK_REFRESH]) != 0)
            state_set_str(&st->old_refresh, st->tokens[STATE_TOK_REFRESH]);
        state_set_token(st, STATE_TOK_ACCESS, t.access_token);
        if (t.id_token) state_set_token(st, STATE_TOK_ID, t.id_token);
        if (t.refresh_token) state_set_token(st, STATE_TOK_REFRESH, t.refresh_token);
        state_set_decoder(st, t.access_token);
    }
    flow_tokens_clear(&t);
    if (decoder_needs_jwks(st) && act_fetch_jwks(r, NULL, e)) return ACT_PENDING;
    err_clear(e); /* no keys: the signature status stays "unknown", the step goes on */
    return ACT_OK;
}

/* ---- start ---------------------------------------------------------------------------------- */

bool action_start(const action_ctx *ctx, const lesson_action *a, action_done_fn fn, void *ud,
                  tl_err *e)
{
    if (!a || a->argc == 0) return err_set(e, "action.args", "empty action");
    act_run *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, "lesson.nomem", "out of memory");
    r->ctx = *ctx;
    r->a = a;
    r->fn = fn;
    r->ud = ud;
    r->entry = find_entry(a->argv[0]);
    tl_err le = {0};
    if (!r->entry) {
        err_set(&le, "action.unknown", "unknown action '%s'", a->argv[0]);
        act_finish(r, false, &le);
        return true;
    }
    act_status s = r->entry->start(r, &le);
    if (s == ACT_REFUSED) {
        if (e) *e = le;
        flow_endpoints_clear(&r->ep);
        free(r->s1);
        free(r->s2);
        free(r);
        return false;
    }
    done(r, s, &le);
    return true;
}
