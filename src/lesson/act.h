/* SPDX-License-Identifier: MIT */
/* act — what the action families (act_*.c) share: the table entry of one action, the run of one
 * action in flight, and the helpers every family uses (arguments, sending a request through the
 * oauth transport, the server's keys, the tokens an answer carries). Internal to src/lesson/:
 * callers use action.h. The table itself (ACTION_LIST) is in action.c; docs/architecture.md
 * "…a lesson action" says how to add one. */
#ifndef TL_LESSON_ACT_H
#define TL_LESSON_ACT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "lesson/action.h"
#include "oauth/flow.h"
#include "oauth/http.h"

/* Where an action is after a phase. */
typedef enum act_status {
    ACT_OK,      /* finished, succeeded */
    ACT_FAILED,  /* finished, failed: e says why (an HTTP error status is NOT a failure) */
    ACT_PENDING, /* a request or a slice of work is in flight; the action continues later */
    ACT_REFUSED, /* start only: cannot even start; action_start returns false, no callback */
} act_status;

typedef struct act_run act_run;

/* One action: one entry in ACTION_LIST (action.c), defined in its family's file as
 * `const action_entry act_NAME = {...}`. */
typedef struct action_entry {
    const char *name;
    /* one line of usage: the lint messages, the console's `help` and its Tab completion read it */
    const char *usage;
    int min_pos, max_pos; /* positional arguments (the words without '=') */
    const char *keys;     /* allowed key=value keys, space-separated */
    bool positional_only; /* every argument is positional, even with '=' in it (tamper) */
    /* lint: value checks that need no state, after the counts and keys passed; NULL = none */
    bool (*validate)(size_t argc, char *const *argv, tl_err *e);
    /* run: ACT_OK / ACT_FAILED when done at once, ACT_PENDING after act_send_status or
     * act_fetch_jwks (or work started with http_work_start), ACT_REFUSED when it cannot start at
     * all */
    act_status (*start)(act_run *r, tl_err *e);
    /* after each answer to a request this action sent, already recorded in state.response:
     * ACT_PENDING after sending the next one, else done. NULL = done, ok. */
    act_status (*on_answer)(act_run *r, const http_exchange *x, tl_err *e);
    /* how it stands to the actions before it; begins_of (optional) decides from the arguments */
    action_begins begins;
    action_begins (*begins_of)(const lesson_action *a);
    /* what the action leaves to report (ACTION_OUTCOME_RESPONSE, the zero, for HTTP actions) */
    action_outcome outcome;
    /* the console's Tab completion: the values argument `word` (1-based) can take, when the usage
     * line cannot say them (the server's lab switches); NULL = read the usage line */
    const char *const *(*arg_values)(size_t word);
} action_entry;

/* The action in flight. Freed by act_finish; families keep their own strings in s1/s2. */
struct act_run {
    action_ctx ctx;
    const lesson_action *a;
    const action_entry *entry;
    action_done_fn fn;
    void *ud;
    int stage;         /* for actions of several requests */
    bool flag;         /* family-specific (device-approve: allow) */
    char *s1, *s2;     /* family-specific owned strings, freed by act_finish */
    flow_endpoints ep; /* act_ep's, filled on first use */
    bool silent;       /* the request in flight is the JWKS fetch: not the learner's response */
    /* after act_fetch_jwks: what to do with the server's keys (NULL = nothing, done ok) */
    act_status (*with_jwks)(act_run *r, tl_err *e);
};

/* Fills e (as err_set) and returns ACT_FAILED: `return act_fail(e, "action.no_token", "…");` */
act_status act_fail(tl_err *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ACT_OK when ok, else ACT_FAILED (e already says why). */
static inline act_status act_status_of(bool ok)
{
    return ok ? ACT_OK : ACT_FAILED;
}

/* Ends the run: calls the action's callback once, frees the run. */
void act_finish(act_run *r, bool ok, const tl_err *e);

/* ---- arguments ----------------------------------------------------------------------------- */

/* The value of key=VALUE, or NULL. */
const char *act_kv(const lesson_action *a, const char *key);
/* The n-th positional argument (1-based, not counting key=value ones), or NULL. */
const char *act_pos(const lesson_action *a, int n);
/* The '=' of a key=value argument (a lowercase key), or NULL for a positional one. */
const char *act_arg_eq(const char *arg);

/* ---- requests ------------------------------------------------------------------------------ */

/* The server's endpoints (tokenlab's own paths under ctx.server_url), or NULL with e set. */
const flow_endpoints *act_ep(act_run *r, tl_err *e);
/* ctx.server_url + path. Caller frees; NULL when out of memory. */
char *act_url(const act_run *r, const char *path);
/* Sends `req` (always freed; NULL: e already says why) through the oauth transport; its answer
 * is recorded in state.response and handed to the entry's on_answer. ACT_PENDING when sent,
 * ACT_FAILED (e filled) when not. */
act_status act_send_status(act_run *r, http_request *req, tl_err *e);
/* Fetches the server's JWKS into state.server_jwks without touching state.response (tokenlab's
 * own look-up, not a request the lesson made); then runs `then` (NULL: finish ok). */
bool act_fetch_jwks(act_run *r, act_status (*then)(act_run *r, tl_err *e), tl_err *e);
/* The token named access|id|refresh|login, or NULL with "action.args" / "action.no_token". */
const char *act_token(lesson_state *st, const char *which, tl_err *e);
/* The client for a request: `id` and `secret` when given, else the flow's client. */
flow_client act_client(lesson_state *st, const char *id, const char *secret);
/* A token endpoint answer: 200 → the tokens go to the state and the access token to the decoder,
 * then (ACT_PENDING) the server's keys are fetched when the decoder's signature needs them. */
act_status act_took_tokens(act_run *r, const http_exchange *x, tl_err *e);
/* A JSON /authorize or /device step answer: remembers session, csrf and the next step and, on a
 * redirect, the code or error it carries. (act_authz.c) */
void act_authz_take_step(lesson_state *st, const http_exchange *x);
/* The step of the server's JSON authorization flow that the next form answers (for
 * flow_authorize_login_request, flow_authorize_consent_request, flow_device_user_code_request):
 * posted to {server}{path} with the flow's session and csrf. Clear with flow_authz_step_clear. */
bool act_authz_step_at(const act_run *r, const char *path, flow_authz_step *out, tl_err *e);
/* Records a refusal the learner caused (a check can look at state.last_refusal). */
void act_record_refusal(lesson_state *st, const char *code, const char *desc);

/* ---- the decoder --------------------------------------------------------------------------- */

/* False with "action.no_token" / "action.bad_token" when the decoder holds no usable JWS. */
bool act_need_decoder(const lesson_state *st, const char *what, tl_err *e);

#endif
