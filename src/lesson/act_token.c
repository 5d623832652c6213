/* SPDX-License-Identifier: MIT */
/* act_token — the token endpoint and the calls about a token: exchange, refresh,
 * client-credentials, password-grant, introspect, revoke. */
#include <stdlib.h>
#include <string.h>

#include "lesson/act.h"
#include "lesson/defaults.h"
#include "oauth/pkce.h"

/* ---- exchange [verifier=…] [code=last|used] [client_secret=S] ------------------------------- */

static act_status exchange_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    if (!ep) return ACT_FAILED;
    state_flow *fl = &st->flow;
    const char *which = act_kv(a, "code") ? act_kv(a, "code") : "last";
    const char *code = strcmp(which, "used") == 0 ? fl->used_code : fl->code;
    if (strcmp(which, "used") != 0 && strcmp(which, "last") != 0) code = which;
    if (!code)
        return act_fail(e, "action.no_code",
                        "exchange: there is no %s authorization code (run authorize, signin and "
                        "consent first)",
                        strcmp(which, "used") == 0 ? "used" : "unused");
    const char *vmode = act_kv(a, "verifier") ? act_kv(a, "verifier") : "correct";
    char *verifier = NULL;
    if (strcmp(vmode, "correct") == 0 && fl->verifier)
        verifier = strdup(fl->verifier);
    else if (strcmp(vmode, "wrong") == 0)
        verifier = pkce_verifier_new(e);
    else if (strcmp(vmode, "none") != 0 && strcmp(vmode, "correct") != 0)
        verifier = strdup(vmode);
    if (act_kv(a, "client_secret")) state_set_str(&fl->client_secret, act_kv(a, "client_secret"));
    flow_client c = act_client(st, NULL, NULL);
    const char *ru = act_kv(a, "redirect_uri") ? act_kv(a, "redirect_uri") : fl->redirect_uri;
    /* the code is marked used when the answer shows the server consumed it (exchange_answer) */
    r->s1 = strdup(code);
    r->stage = strcmp(which, "last") == 0;
    http_request *req =
        r->s1 ? flow_token_code_request(ep->token, &c, r->s1, ru, verifier, e) : NULL;
    free(verifier);
    return act_send_status(r, req, e);
}

/* Did the server consume the authorization code this token request carried? RFC 6749 §4.1.2
 * makes a code single-use, and the server marks it used only when it issues tokens: every check
 * (client authentication, grant type, client, expiry, redirect_uri, PKCE) comes first, so a
 * refused exchange leaves the code as it was (server/token.c grant_code). */
static bool code_consumed(const http_exchange *x)
{
    return x->status == 200;
}

static act_status exchange_answer(act_run *r, const http_exchange *x, tl_err *e)
{
    state_flow *fl = &r->ctx.st->flow;
    if (r->s1 && code_consumed(x)) {
        state_set_str(&fl->used_code, r->s1);
        if (r->stage && fl->code && strcmp(fl->code, r->s1) == 0) state_set_str(&fl->code, NULL);
    }
    return act_took_tokens(r, x, e);
}

const action_entry act_exchange = {
    .name = "exchange",
    .usage = "exchange [verifier=correct|wrong|none] [code=last|used] [client_secret=S] "
             "[dpop=off|other]",
    .keys = "verifier code client_secret redirect_uri dpop",
    .start = exchange_start,
    .on_answer = exchange_answer,
};

/* ---- callback [code=last|used|CODE] [state=flow|VALUE|none] [expect=VALUE|none] [check=on|off]
 * ---- The browser of ANOTHER session — the victim's — arrives at the client's redirect URI with a
 * code it did not ask for (login CSRF, RFC 6749 §10.12; RFC 9700 §4.7). That session sent `expect`
 * as its own state (default: a fresh random value; none: it started no login at all) and has no
 * PKCE verifier for this code. The client compares the state the callback carries (default: the one
 * the code's own flow got back) with `expect`; on a mismatch it refuses without asking the server
 * (response.error "state_mismatch"). With check=off it skips that comparison — the bug — and
 * redeems the code for the victim's session, as `exchange` would. */
static bool callback_validate(size_t argc, char *const *argv, tl_err *e)
{
    for (size_t i = 1; i < argc; i++)
        if (strcmp(argv[i], "check=on") != 0 && strcmp(argv[i], "check=off") != 0 &&
            strncmp(argv[i], "check=", 6) == 0)
            return err_set(e, "action.args", "callback: '%s' is not check=on or check=off",
                           argv[i]);
    return true;
}

static act_status callback_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    state_flow *fl = &st->flow;
    const char *cv = act_kv(a, "code");
    const char *code = !cv || strcmp(cv, "last") == 0 ? fl->code
                       : strcmp(cv, "used") == 0      ? fl->used_code
                                                      : cv;
    if (!code)
        return act_fail(e, "action.no_code",
                        "callback: there is no authorization code to deliver (run authorize, "
                        "signin and consent first)");
    const flow_endpoints *ep = act_ep(r, e);
    if (!ep) return ACT_FAILED;
    char *code_copy = strdup(code);
    const char *sv = act_kv(a, "state") ? act_kv(a, "state") : "flow";
    char *carried = strcmp(sv, "none") == 0 ? NULL
                    : strcmp(sv, "flow") == 0
                        ? (fl->returned_state ? strdup(fl->returned_state) : NULL)
                        : strdup(sv);
    const char *ev = act_kv(a, "expect");
    char *expect = NULL;
    if (!ev) {
        expect = pkce_verifier_new(NULL);
        if (expect) expect[22] = '\0';
    } else if (strcmp(ev, "none") != 0) {
        expect = strdup(ev);
    }
    /* the flow is now the victim's: its own state, the code the callback brought, no verifier */
    free(fl->state);
    fl->state = expect;
    free(fl->returned_state);
    fl->returned_state = carried;
    free(fl->code);
    fl->code = code_copy;
    state_set_str(&fl->verifier, NULL);
    state_set_str(&fl->method, NULL);
    state_set_str(&fl->next_step, "redirect");
    if (act_kv(a, "client_secret")) state_set_str(&fl->client_secret, act_kv(a, "client_secret"));
    bool same = (!fl->state && !fl->returned_state) ||
                (fl->state && fl->returned_state && strcmp(fl->state, fl->returned_state) == 0);
    bool check = !act_kv(a, "check") || strcmp(act_kv(a, "check"), "off") != 0;
    if (check && !same) {
        char desc[300];
        snprintf(desc, sizeof desc,
                 "the client refused the callback: its state '%.60s' is not the one this "
                 "session sent ('%.60s'), so the code was not redeemed (RFC 6749 §10.12)",
                 fl->returned_state ? fl->returned_state : "(none)",
                 fl->state ? fl->state : "(none)");
        state_clear_response(st);
        state_set_str(&st->response.method, "GET");
        state_set_str(&st->response.url, fl->redirect_uri);
        state_set_str(&st->response.error, "state_mismatch");
        state_set_str(&st->response.error_description, desc);
        return ACT_OK;
    }
    flow_client c = act_client(st, NULL, NULL);
    r->s1 = strdup(fl->code);
    r->stage = 1;
    http_request *req =
        r->s1 ? flow_token_code_request(ep->token, &c, r->s1, fl->redirect_uri, NULL, e) : NULL;
    return act_send_status(r, req, e);
}

const action_entry act_callback = {
    .name = "callback",
    .usage = "callback [code=last|used|CODE] [state=flow|VALUE|none] [expect=VALUE|none] "
             "[check=on|off] [client_secret=S]",
    .keys = "code state expect check client_secret",
    .validate = callback_validate,
    .start = callback_start,
    .on_answer = exchange_answer,
};

/* ---- refresh [scope="…"] [token=current|old] [client_secret=S] ------------------------------ */

static act_status refresh_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    if (!ep) return ACT_FAILED;
    const char *which = act_kv(a, "token") ? act_kv(a, "token") : "current";
    bool old = strcmp(which, "old") == 0;
    const char *rt = old ? st->old_refresh : st->tokens[STATE_TOK_REFRESH];
    if (!rt)
        return act_fail(e, "action.no_token", "refresh: there is no %s refresh token",
                        old ? "old (rotated)" : "");
    if (act_kv(a, "client_secret"))
        state_set_str(&st->flow.client_secret, act_kv(a, "client_secret"));
    flow_client c = act_client(st, NULL, NULL);
    return act_send_status(r, flow_token_refresh_request(ep->token, &c, rt, act_kv(a, "scope"), e),
                           e);
}

const action_entry act_refresh = {
    .name = "refresh",
    .usage = "refresh [scope=\"…\"] [token=current|old] [client_secret=S] [dpop=off|other]",
    .keys = "scope token client_secret dpop",
    .start = refresh_start,
    .on_answer = act_took_tokens,
};

/* ---- client-credentials client=ID secret=S scope="…" ---------------------------------------- */

static act_status client_credentials_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    const char *id = act_kv(a, "client");
    if (!id) id = defaults_client(DEFAULTS_SERVICE, e);
    if (!ep || !id) return ACT_FAILED;
    flow_client c = {
        .client_id = id, .client_secret = act_kv(a, "secret"), .auth = FLOW_AUTH_BASIC};
    if (act_kv(a, "auth") && strcmp(act_kv(a, "auth"), "post") == 0) c.auth = FLOW_AUTH_POST;
    if (!c.client_secret) c.auth = FLOW_AUTH_NONE;
    state_set_str(&st->flow.client_id, id);
    state_set_str(&st->flow.client_secret, c.client_secret);
    return act_send_status(
        r, flow_token_client_credentials_request(ep->token, &c, act_kv(a, "scope"), e), e);
}

const action_entry act_client_credentials = {
    .name = "client-credentials",
    .usage = "client-credentials client=ID secret=S scope=\"…\" [dpop=off|other]",
    .keys = "client secret scope auth dpop",
    .start = client_credentials_start,
    .on_answer = act_took_tokens,
    .begins = ACTION_STARTS_FRESH,
};

/* ---- password-grant client=ID username=U password=P ----------------------------------------- */

static act_status password_grant_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    const char *web = defaults_client(DEFAULTS_WEB, e);
    const char *id = act_kv(a, "client") ? act_kv(a, "client") : web;
    const char *sec = act_kv(a, "secret");
    if (!ep || !id) return ACT_FAILED;
    err_clear(e); /* a lesson naming its client needs no default one */
    if (!sec && web && strcmp(id, web) == 0) sec = defaults_secret(id);
    flow_client c = {
        .client_id = id, .client_secret = sec, .auth = sec ? FLOW_AUTH_BASIC : FLOW_AUTH_NONE};
    state_set_str(&st->flow.client_id, id);
    state_set_str(&st->flow.client_secret, sec);
    return act_send_status(r,
                           flow_token_password_request(ep->token, &c, act_kv(a, "username"),
                                                       act_kv(a, "password"), act_kv(a, "scope"),
                                                       e),
                           e);
}

const action_entry act_password_grant = {
    .name = "password-grant",
    .usage = "password-grant client=ID username=U password=P",
    .keys = "client username password secret scope",
    .start = password_grant_start,
    .on_answer = act_took_tokens,
    .begins = ACTION_STARTS_FRESH,
};

/* ---- introspect access|refresh, revoke access|refresh --------------------------------------- */

static bool which_token_validate(size_t argc, char *const *argv, tl_err *e)
{
    (void)argc;
    if (strcmp(argv[1], "access") && strcmp(argv[1], "refresh"))
        return err_set(e, "action.args", "%s: '%s' is not access or refresh", argv[0], argv[1]);
    return true;
}

static act_status about_token(act_run *r, bool intro, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    const char *which = act_pos(a, 1);
    const char *tok = ep ? act_token(st, which, e) : NULL;
    if (!tok) return ACT_FAILED;
    const char *id = act_kv(a, "client");
    const char *sec = act_kv(a, "secret");
    if (!id && intro && !st->flow.client_secret) { /* introspection needs a confidential client */
        if (!(id = defaults_client(DEFAULTS_WEB, e))) return ACT_FAILED;
        sec = defaults_secret(id);
    }
    flow_client c = act_client(st, id, sec);
    const char *hint = strcmp(which, "refresh") == 0 ? "refresh_token" : "access_token";
    return act_send_status(r,
                           intro ? flow_introspect_request(ep->introspection, &c, tok, hint, e)
                                 : flow_revoke_request(ep->revocation, &c, tok, hint, e),
                           e);
}

static act_status introspect_start(act_run *r, tl_err *e)
{
    return about_token(r, true, e);
}

static act_status revoke_start(act_run *r, tl_err *e)
{
    return about_token(r, false, e);
}

const action_entry act_introspect = {
    .name = "introspect",
    .usage = "introspect access|refresh",
    .min_pos = 1,
    .max_pos = 1,
    .keys = "client secret",
    .validate = which_token_validate,
    .start = introspect_start,
};

const action_entry act_revoke = {
    .name = "revoke",
    .usage = "revoke access|refresh",
    .min_pos = 1,
    .max_pos = 1,
    .keys = "client secret",
    .validate = which_token_validate,
    .start = revoke_start,
};

/* ---- dpop on|off ------------------------------------------------------------------------------
 */

/* The learner's client starts (or stops) proving possession of a key with every token and API
 * request (RFC 9449): the key pair is made on first use and kept; the proofs are added where the
 * requests are sent (action.c add_dpop; oauth/dpop_proof.c makes them). */
static bool dpop_validate(size_t argc, char *const *argv, tl_err *e)
{
    if (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0) return true;
    return err_set(e, "action.args", "dpop: '%s' is not on or off", argv[1]);
}

static act_status dpop_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    bool on = strcmp(act_pos(r->a, 1), "on") == 0;
    if (on && !st->dpop_key && !jwk_generate(JWS_ES256, 0, &st->dpop_key, e)) {
        st->dpop_key = NULL;
        return ACT_FAILED;
    }
    st->dpop_on = on;
    return ACT_OK;
}

const action_entry act_dpop = {
    .name = "dpop",
    .usage = "dpop on|off",
    .min_pos = 1,
    .max_pos = 1,
    .keys = "",
    .validate = dpop_validate,
    .start = dpop_start,
    .outcome = ACTION_OUTCOME_SETTING,
};
