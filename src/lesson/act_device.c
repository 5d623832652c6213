/* SPDX-License-Identifier: MIT */
/* act_device — the device authorization grant (RFC 8628) from both sides: device-start (the
 * device asks), device-approve (the user, on "another device", enters the code, signs in and
 * consents), device-poll (the device asks for its tokens). */
#include <stdlib.h>
#include <string.h>

#include "lesson/act.h"
#include "lesson/defaults.h"

/* ---- device-start client=ID scope="…" ------------------------------------------------------- */

static act_status device_start_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    const char *id = act_kv(r->a, "client");
    if (!id) id = defaults_client(DEFAULTS_PUBLIC, e);
    if (!ep || !id) return ACT_FAILED;
    flow_client c = {.client_id = id, .auth = FLOW_AUTH_NONE};
    state_set_str(&st->flow.client_id, id);
    state_set_str(&st->flow.client_secret, NULL);
    return act_send_status(
        r,
        flow_device_authorization_request(ep->device_authorization, &c, act_kv(r->a, "scope"), e),
        e);
}

static act_status device_start_answer(act_run *r, const http_exchange *x, tl_err *e)
{
    (void)e;
    state_flow *f = &r->ctx.st->flow;
    flow_device_auth d = {0};
    if (flow_parse_device_auth(x, &d, NULL)) {
        state_set_str(&f->device_code, d.device_code);
        state_set_str(&f->user_code, d.user_code);
        state_set_str(&f->verification_uri, d.verification_uri);
        f->device_interval = (int)d.interval;
    }
    flow_device_auth_clear(&d);
    return ACT_OK;
}

const action_entry act_device_start = {
    .name = "device-start",
    .usage = "device-start client=ID scope=\"…\"",
    .keys = "client scope",
    .start = device_start_start,
    .on_answer = device_start_answer,
    .begins = ACTION_STARTS_FRESH,
};

/* ---- device-approve EMAIL PASSWORD [allow|deny] --------------------------------------------- */

static bool device_approve_validate(size_t argc, char *const *argv, tl_err *e)
{
    if (argc == 4 && strcmp(argv[3], "allow") && strcmp(argv[3], "deny"))
        return err_set(e, "action.args", "device-approve: '%s' is not allow or deny", argv[3]);
    return true;
}

static act_status device_approve_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    if (!st->flow.user_code)
        return act_fail(e, "action.no_flow",
                        "device-approve: no device flow started (run device-start)");
    r->s1 = strdup(act_pos(r->a, 1));
    r->s2 = strdup(act_pos(r->a, 2));
    r->flag = !act_pos(r->a, 3) || strcmp(act_pos(r->a, 3), "allow") == 0;
    flow_authz_step s;
    if (!act_authz_step_at(r, "/device", &s, e)) return ACT_FAILED;
    http_request *req = flow_device_user_code_request(&s, st->flow.user_code, e);
    flow_authz_step_clear(&s);
    return act_send_status(r, req, e);
}

/* stages: 0 user code → the login step; 1 login → the consent step; 2 consent → done */
static act_status device_approve_answer(act_run *r, const http_exchange *x, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    act_authz_take_step(st, x);
    const char *next = st->flow.next_step;
    bool login = r->stage == 0 && next && strcmp(next, "login") == 0;
    bool consent = r->stage == 1 && next && strcmp(next, "consent") == 0;
    if (!login && !consent) return ACT_OK;
    flow_authz_step s;
    if (!act_authz_step_at(r, login ? "/authorize/login" : "/authorize/consent", &s, e))
        return ACT_FAILED;
    http_request *req = login ? flow_authorize_login_request(&s, r->s1, r->s2, e)
                              : flow_authorize_consent_request(&s, r->flag, e);
    flow_authz_step_clear(&s);
    r->stage++;
    return act_send_status(r, req, e);
}

const action_entry act_device_approve = {
    .name = "device-approve",
    .usage = "device-approve EMAIL PASSWORD [allow|deny]",
    .min_pos = 2,
    .max_pos = 3,
    .keys = "",
    .validate = device_approve_validate,
    .start = device_approve_start,
    .on_answer = device_approve_answer,
};

/* ---- device-poll ---------------------------------------------------------------------------- */

static act_status device_poll_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    if (!ep) return ACT_FAILED;
    if (!st->flow.device_code)
        return act_fail(e, "action.no_flow",
                        "device-poll: no device flow started (run device-start)");
    flow_client c = act_client(st, NULL, NULL);
    return act_send_status(r, flow_token_device_request(ep->token, &c, st->flow.device_code, e), e);
}

const action_entry act_device_poll = {
    .name = "device-poll",
    .usage = "device-poll",
    .keys = "",
    .start = device_poll_start,
    .on_answer = act_took_tokens,
};
