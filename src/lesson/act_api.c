/* SPDX-License-Identifier: MIT */
/* act_api — the JWT login and the calls that carry a token: login, api, userinfo. */
#include <stdlib.h>
#include <string.h>

#include "lesson/act.h"

/* ---- login EMAIL PASSWORD ------------------------------------------------------------------- */

static act_status login_start(act_run *r, tl_err *e)
{
    return act_send_status(
        r, flow_login_request(r->ctx.server_url, act_pos(r->a, 1), act_pos(r->a, 2), e), e);
}

static act_status login_answer(act_run *r, const http_exchange *x, tl_err *e)
{
    (void)e;
    lesson_state *st = r->ctx.st;
    if (x->status != 200) return ACT_OK;
    flow_tokens t = {0};
    if (flow_parse_token_response(x, &t, NULL) && t.access_token) {
        state_set_token(st, STATE_TOK_LOGIN, t.access_token);
        state_set_decoder(st, t.access_token);
    }
    flow_tokens_clear(&t);
    return ACT_OK;
}

const action_entry act_login = {
    .name = "login",
    .usage = "login EMAIL PASSWORD",
    .min_pos = 2,
    .max_pos = 2,
    .keys = "",
    .start = login_start,
    .on_answer = login_answer,
    .begins = ACTION_STARTS_FRESH,
};

/* ---- api METHOD PATH [token=…] [body=JSON] -------------------------------------------------- */

static bool api_validate(size_t argc, char *const *argv, tl_err *e)
{
    if (argv[2][0] != '/')
        return err_set(e, "action.args", "api: the path '%s' must start with '/'", argv[2]);
    for (size_t i = 1; i < argc; i++) {
        if (strncmp(argv[i], "token=", 6) != 0) continue;
        const char *v = argv[i] + 6;
        if (strcmp(v, "access") && strcmp(v, "login") && strcmp(v, "decoder") &&
            strcmp(v, "none") && strcmp(v, "id") && strcmp(v, "refresh"))
            return err_set(e, "action.args",
                           "api: token=%s is not access, login, id, refresh, decoder or none", v);
    }
    return true;
}

static act_status api_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    const char *which = act_kv(r->a, "token");
    const char *tok = NULL;
    if (!which) {
        tok = st->tokens[STATE_TOK_ACCESS] ? st->tokens[STATE_TOK_ACCESS]
                                           : st->tokens[STATE_TOK_LOGIN];
    } else if (strcmp(which, "decoder") == 0) {
        tok = st->decoder;
        if (!tok) return act_fail(e, "action.no_token", "api: the decoder is empty");
    } else if (strcmp(which, "none") != 0) {
        if (!(tok = act_token(st, which, e))) return ACT_FAILED;
    }
    char *url = act_url(r, act_pos(r->a, 2));
    http_request *req =
        url ? flow_api_request(act_pos(r->a, 1), url, tok, act_kv(r->a, "body"), e) : NULL;
    free(url);
    return act_send_status(r, req, e);
}

const action_entry act_api = {
    .name = "api",
    .usage = "api METHOD PATH [token=access|login|decoder|none] [body=JSON] [dpop=off|other]",
    .min_pos = 2,
    .max_pos = 2,
    .keys = "token body dpop",
    .validate = api_validate,
    .start = api_start,
};

/* ---- userinfo [token=…] --------------------------------------------------------------------- */

static act_status userinfo_start(act_run *r, tl_err *e)
{
    const flow_endpoints *ep = act_ep(r, e);
    const char *which = act_kv(r->a, "token");
    const char *tok = ep ? act_token(r->ctx.st, which ? which : "access", e) : NULL;
    return tok ? act_send_status(r, flow_userinfo_request(ep->userinfo, tok, e), e) : ACT_FAILED;
}

const action_entry act_userinfo = {
    .name = "userinfo",
    .usage = "userinfo",
    .keys = "token",
    .start = userinfo_start,
};
