/* SPDX-License-Identifier: MIT */
/* act_authz — the authorization code flow in the browser's place, over the server's JSON variant of
 * /authorize (docs/server.md): authorize, signin, consent. The code the redirect carries waits in
 * state.flow for `exchange` (act_token.c). */
#include <stdlib.h>
#include <string.h>

#include "lesson/act.h"
#include "lesson/defaults.h"
#include "oauth/pkce.h"

/* The state's name of each step (state.flow.next_step, which checks read). */
static const char *const step_names[] = {
    [FLOW_AUTHZ_LOGIN] = "login",       [FLOW_AUTHZ_CONSENT] = "consent",
    [FLOW_AUTHZ_REDIRECT] = "redirect", [FLOW_AUTHZ_USER_CODE] = "user_code",
    [FLOW_AUTHZ_DONE] = "done",         [FLOW_AUTHZ_ERROR] = NULL,
};

void act_authz_take_step(lesson_state *st, const http_exchange *x)
{
    state_flow *f = &st->flow;
    state_set_str(&f->next_step, NULL);
    flow_authz_step s;
    if (!flow_parse_authorize_step(x, &s, NULL)) return; /* not a step: nothing to take */
    state_set_str(&f->next_step, step_names[s.kind]);
    if (s.session) state_set_str(&f->session, s.session);
    if (s.session_secret) state_set_str(&f->session_secret, s.session_secret);
    if (s.csrf) state_set_str(&f->csrf, s.csrf);
    if (s.kind == FLOW_AUTHZ_REDIRECT) {
        state_set_str(&st->response.location, s.location);
        flow_redirect rd = {0};
        flow_parse_redirect(s.location, NULL, NULL, &rd, NULL);
        state_set_str(&f->returned_state, rd.state);
        if (rd.code) state_set_str(&f->code, rd.code);
        if (rd.error) {
            state_set_str(&st->response.error, rd.error);
            state_set_str(&st->response.error_description, rd.error_description);
            act_record_refusal(st, rd.error, rd.error_description);
        }
        flow_redirect_clear(&rd);
    }
    flow_authz_step_clear(&s);
}

bool act_authz_step_at(const act_run *r, const char *path, flow_authz_step *out, tl_err *e)
{
    const state_flow *f = &r->ctx.st->flow;
    memset(out, 0, sizeof *out);
    out->action = act_url(r, path);
    out->session = f->session ? strdup(f->session) : NULL;
    out->session_secret = f->session_secret ? strdup(f->session_secret) : NULL;
    out->csrf = f->csrf ? strdup(f->csrf) : NULL;
    if (out->action && (out->session || !f->session) &&
        (out->session_secret || !f->session_secret) && (out->csrf || !f->csrf))
        return true;
    flow_authz_step_clear(out);
    return err_set(e, "lesson.nomem", "out of memory");
}

static act_status take_step(act_run *r, const http_exchange *x, tl_err *e)
{
    (void)e;
    act_authz_take_step(r->ctx.st, x);
    return ACT_OK;
}

/* ---- authorize client=ID scope="…" [pkce=…] [state=…] [nonce=…] [redirect_uri=URI] ---------- */

static bool authorize_validate(size_t argc, char *const *argv, tl_err *e)
{
    const char *v = NULL;
    for (size_t i = 1; i < argc; i++)
        if (strncmp(argv[i], "pkce=", 5) == 0) v = argv[i] + 5;
    if (v && strcmp(v, "S256") && strcmp(v, "plain") && strcmp(v, "none"))
        return err_set(e, "action.args", "authorize: pkce=%s is not S256, plain or none", v);
    return true;
}

/* state=auto / nonce=auto: 22 random base64url characters (132 bits). */
static void set_random_or(char **slot, const char *v)
{
    state_set_str(slot, NULL);
    if (strcmp(v, "none") == 0) return;
    if (strcmp(v, "auto") != 0) {
        state_set_str(slot, v);
        return;
    }
    char *rnd = pkce_verifier_new(NULL);
    if (rnd) rnd[22] = 0;
    *slot = rnd;
}

static act_status authorize_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    const flow_endpoints *ep = act_ep(r, e);
    const char *client = act_kv(a, "client");
    if (!client) client = defaults_client(DEFAULTS_PUBLIC, e);
    if (!ep || !client) return ACT_FAILED;
    state_flow *fl = &r->ctx.st->flow;
    state_set_str(&fl->client_id, client);
    state_set_str(&fl->client_secret, act_kv(a, "secret"));
    const char *ru = act_kv(a, "redirect_uri");
    state_set_str(&fl->redirect_uri, ru ? ru : defaults_redirect(client));
    state_set_str(&fl->scope, act_kv(a, "scope") ? act_kv(a, "scope") : "openid");
    state_set_str(&fl->code, NULL);
    state_set_str(&fl->session, NULL);
    state_set_str(&fl->session_secret, NULL);
    state_set_str(&fl->csrf, NULL);
    state_set_str(&fl->returned_state, NULL);
    const char *pk = act_kv(a, "pkce") ? act_kv(a, "pkce") : "S256";
    char *challenge = NULL;
    state_set_str(&fl->verifier, NULL);
    state_set_str(&fl->method, NULL);
    if (strcmp(pk, "none") != 0) {
        fl->verifier = pkce_verifier_new(e);
        state_set_str(&fl->method, pk);
        if (fl->verifier)
            challenge = strcmp(pk, "S256") == 0 ? pkce_challenge_s256(fl->verifier, e)
                                                : strdup(fl->verifier);
    }
    set_random_or(&fl->state, act_kv(a, "state") ? act_kv(a, "state") : "auto");
    const char *nv = act_kv(a, "nonce");
    set_random_or(&fl->nonce, nv ? nv : (strstr(fl->scope, "openid") ? "auto" : "none"));
    http_request *req = NULL;
    if (!e->code) {
        flow_authz_params p = {.client_id = client,
                               .redirect_uri = fl->redirect_uri,
                               .scope = fl->scope,
                               .state = fl->state,
                               .nonce = fl->nonce,
                               .code_challenge = challenge,
                               .code_challenge_method = challenge ? fl->method : NULL};
        char *url = flow_authorize_url(ep->authorization, &p, e);
        if (url) req = flow_authorize_json_request(url, e);
        free(url);
    }
    free(challenge);
    return act_send_status(r, req, e);
}

const action_entry act_authorize = {
    .name = "authorize",
    .usage = "authorize client=ID scope=\"…\" [pkce=S256|plain|none] [state=auto|none|VALUE] "
             "[nonce=auto|none] [redirect_uri=URI]",
    .keys = "client scope pkce state nonce redirect_uri secret",
    .validate = authorize_validate,
    .start = authorize_start,
    .on_answer = take_step,
    .begins = ACTION_STARTS_FRESH,
};

/* ---- signin EMAIL PASSWORD, consent allow|deny ---------------------------------------------- */

/* Is the server asking for `want` now? */
static bool at_step(const lesson_state *st, const char *name, const char *want, tl_err *e)
{
    if (!st->flow.session)
        return err_set(e, "action.no_flow",
                       "%s: no authorization in progress (run authorize first)", name);
    if (!st->flow.next_step || strcmp(st->flow.next_step, want) != 0)
        return err_set(e, "action.flow_step",
                       "%s: the server is not asking for %s now (it asked for: %s)", name, want,
                       st->flow.next_step ? st->flow.next_step : "nothing");
    return true;
}

static act_status signin_start(act_run *r, tl_err *e)
{
    flow_authz_step s;
    if (!at_step(r->ctx.st, "signin", "login", e) ||
        !act_authz_step_at(r, "/authorize/login", &s, e))
        return ACT_FAILED;
    /* as=victim: someone who got only the session id (a link), not its secret */
    const char *as = act_kv(r->a, "as");
    if (as && strcmp(as, "victim") == 0) {
        free(s.session_secret);
        s.session_secret = NULL;
    }
    http_request *req = flow_authorize_login_request(&s, act_pos(r->a, 1), act_pos(r->a, 2), e);
    flow_authz_step_clear(&s);
    return act_send_status(r, req, e);
}

static bool signin_validate(size_t argc, char *const *argv, tl_err *e)
{
    for (size_t i = 1; i < argc; i++)
        if (strncmp(argv[i], "as=", 3) == 0 && strcmp(argv[i] + 3, "victim") != 0)
            return err_set(e, "action.args",
                           "signin: as=%s is not victim (the one who has only the session id)",
                           argv[i] + 3);
    return true;
}

const action_entry act_signin = {
    .name = "signin",
    .usage = "signin EMAIL PASSWORD [as=victim]",
    .min_pos = 2,
    .max_pos = 2,
    .keys = "as",
    .validate = signin_validate,
    .start = signin_start,
    .on_answer = take_step,
};

static bool consent_validate(size_t argc, char *const *argv, tl_err *e)
{
    (void)argc;
    if (strcmp(argv[1], "allow") && strcmp(argv[1], "deny"))
        return err_set(e, "action.args", "consent: '%s' is not allow or deny", argv[1]);
    return true;
}

static act_status consent_start(act_run *r, tl_err *e)
{
    flow_authz_step s;
    if (!at_step(r->ctx.st, "consent", "consent", e) ||
        !act_authz_step_at(r, "/authorize/consent", &s, e))
        return ACT_FAILED;
    bool allow = strcmp(act_pos(r->a, 1), "allow") == 0;
    http_request *req = flow_authorize_consent_request(&s, allow, e);
    flow_authz_step_clear(&s);
    return act_send_status(r, req, e);
}

const action_entry act_consent = {
    .name = "consent",
    .usage = "consent allow|deny",
    .min_pos = 1,
    .max_pos = 1,
    .keys = "",
    .validate = consent_validate,
    .start = consent_start,
    .on_answer = take_step,
};
