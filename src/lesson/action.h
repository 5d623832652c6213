/* SPDX-License-Identifier: MIT */
/* action — the verbs of `do:` and `solution:` lines (lessons/README.md "Actions"), executed
 * asynchronously over the oauth http transport; each fills the lesson state (last response, tokens,
 * flow, results). Lab switches and the clock go over HTTP `/lab/...` with the lab key, so the same
 * lesson runs against a remote class server. */
#ifndef TL_LESSON_ACTION_H
#define TL_LESSON_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "lesson/parse.h"
#include "lesson/state.h"
#include "oauth/http.h"

/* Lint: is this a known action with acceptable arguments? Pure (no I/O). Errors "action.unknown",
 * "action.args" with a plain message ("login needs EMAIL PASSWORD"). */
bool action_validate(size_t argc, char *const *argv, tl_err *e);
/* Is `name` a lab switch the server knows (server_lab_names)? Error "action.lab" lists them. */
bool action_lab_known(const char *name, tl_err *e);
/* The known action names, NULL-terminated. */
const char *const *action_names(void);
/* One line of usage for a known action ("login EMAIL PASSWORD"), or NULL. Static. */
const char *action_usage(const char *name);
/* For the console's Tab completion: the values argument `word` (1-based) of action `name` can take
 * when its usage line cannot list them (`lab on|off SWITCH`: the server's switches), or NULL. */
const char *const *action_arg_values(const char *name, size_t word);
/* What an action leaves for its caller to report (the console's one-line summary). */
typedef enum action_outcome {
    ACTION_OUTCOME_RESPONSE, /* an HTTP answer in state.response (status, error) */
    ACTION_OUTCOME_DECODER,  /* a token in the decoder, which shows itself */
    ACTION_OUTCOME_VERIFY,   /* a verdict in state.verify_result / verify_message */
    ACTION_OUTCOME_CRACK,    /* state.crack_secret, or none found */
    ACTION_OUTCOME_SETTING,  /* a setting of the learner's client (dpop on): nothing to report */
} action_outcome;
/* The outcome of a known action; ACTION_OUTCOME_RESPONSE for an unknown name. */
action_outcome action_outcome_of(const char *name);
/* How an action stands to the ones before it (the engine's advice for a step resumed after a
 * restart, when the tokens of earlier steps are gone). */
typedef enum action_begins {
    ACTION_NEEDS_EARLIER, /* works on what an earlier action made (exchange, verify, api, …) */
    ACTION_STARTS_FRESH, /* makes a token or starts a flow by itself (login, authorize, mint, …) */
    ACTION_SETS_UP,      /* lab switches and the clock: neither */
} action_begins;
/* For a known action (argv[0]); ACTION_NEEDS_EARLIER for an unknown one. */
action_begins action_begins_of(const lesson_action *a);
/* The known action one or two typing mistakes away from `name` ("logn" -> "login"), or NULL.
 * action_validate's "unknown action" message uses it. Static. */
const char *action_suggest(const char *name);

typedef struct action_ctx {
    http_client *http;      /* borrowed */
    const char *server_url; /* base URL, no trailing slash */
    const char *lab_key;    /* or NULL */
    const char
        *wordlist; /* default crack wordlist path, or NULL = assets/wordlists/common-secrets.txt */
    lesson_state *st;   /* borrowed */
    uint64_t *inflight; /* optional: receives the id of the request in flight, 0 when none */
} action_ctx;

/* Called once when the action finished: ok, or !ok with e describing why it could not run (an
 * HTTP error status is NOT a failure — it lands in state.response for the checks). */
typedef void (*action_done_fn)(void *ud, bool ok, const tl_err *e);

/* Starts one action. The callback runs from http_poll/http_wait for network actions and for
 * `crack` (tried in slices of a few milliseconds, one per http_poll turn: see http_work_start;
 * ctx->inflight gets its id, and http_cancel ends it), and inside this call for the other actions
 * without I/O (decode, mint, tamper, resign, verify). Returns false (e filled, no callback) when
 * the action cannot even start. */
bool action_start(const action_ctx *ctx, const lesson_action *a, action_done_fn fn, void *ud,
                  tl_err *e);

#endif
