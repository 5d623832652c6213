/* SPDX-License-Identifier: MIT */
/* state — the learner's workspace that lesson checks look at: the decoder token (parsed, with its
 * signature status), the tokens the app holds, the last HTTP response, the flow in progress, what
 * the server refused, verify/crack results, the clock offset and the lab switches.
 *
 * The TUI's decoder edits go through state_set_decoder(), so checks always see what is on screen.
 * Checks read the state through state_lookup() with the dotted paths of lessons/README.md. Not
 * thread-safe: use it from the loop thread only. */
#ifndef TL_LESSON_STATE_H
#define TL_LESSON_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "jose/jwk.h"
#include "jose/jws.h"

typedef enum state_token {
    STATE_TOK_ACCESS,
    STATE_TOK_ID,
    STATE_TOK_REFRESH,
    STATE_TOK_LOGIN,
    STATE_TOK_COUNT
} state_token;

/* "access", "id", "refresh", "login" */
const char *state_token_name(state_token t);
/* -1 when unknown */
int state_token_from_name(const char *name);

typedef struct state_response {
    int status;              /* HTTP status of the last request; 0 = none or transport failure */
    char *method, *url;      /* of the last request */
    json_t *json;            /* body as JSON, or NULL */
    char *error;             /* OAuth "error" or RFC 6750 WWW-Authenticate error, or NULL */
    char *error_description; /* or NULL */
    char *location;          /* Location header, or NULL */
    char *transport_error;   /* "connection refused: …" when there was no response, else NULL */
} state_response;

typedef struct state_flow {
    char *client_id, *client_secret, *redirect_uri, *scope;
    char *verifier;       /* PKCE code_verifier (RFC 7636 §4.1), NULL when pkce=none */
    char *method;         /* "S256" | "plain" | NULL */
    char *state;          /* sent state, or NULL */
    char *nonce;          /* sent nonce, or NULL */
    char *session;        /* JSON /authorize session handle */
    char *session_secret; /* proof that we started that session (sent back with it) */
    char *csrf;           /* consent csrf value */
    char *next_step; /* "login" | "consent" | "redirect" | NULL — what the server asked for next */
    char *code;      /* the code from the last redirect, NULL once exchanged */
    char *used_code;      /* the last code that was exchanged */
    char *returned_state; /* state in the redirect */
    char *device_code, *user_code, *verification_uri;
    int device_interval;
} state_flow;

typedef struct lesson_state {
    /* decoder */
    char *decoder;    /* text in the decoder, NULL when empty */
    jws *decoder_jws; /* parsed token, or NULL (decoder_err says why) */
    tl_err decoder_err;
    const char *decoder_sig; /* "valid" | "invalid" | "unsigned" | "unknown" (static) */
    char decoder_sig_why[TL_ERR_MSG_MAX + 256]; /* the sentence the decoder pane shows */
    jwk *decoder_key; /* the key the last mint/resign used (signature checks), or NULL */
    jwk *given_key;   /* the key the learner gave in the decoder (K), or NULL */
    char *given_for;  /* the token it was given for (jose/verdict: verdict_same_token) */
    char *given_what; /* "your secret (12 bytes)" */

    char *tokens[STATE_TOK_COUNT]; /* tokens the app holds, NULL when none */
    char *old_refresh;             /* the refresh token before the last rotation */

    state_response response;
    state_flow flow;

    char *last_refusal;         /* reason code of the server's last refusal ("invalid_grant") */
    char *last_refusal_message; /* the server's plain message */
    char *verify_result;        /* "valid" or the error code of the last verify, NULL = none */
    char *verify_message;
    char *crack_secret; /* secret found by crack, NULL = none / not found */
    uint64_t crack_tried;

    int64_t clock_offset; /* seconds the server's clock was fast-forwarded */
    json_t *labs;         /* object: switch name -> true/false (what we set or read) */

    struct state_inbox *inbox; /* server events posted from other threads (state_post_refusal) */

    jwk *login_secret; /* HS256 key of POST /login tokens when known (embedded server) */
    jwks *server_jwks; /* the server's published keys, when fetched */
    jwk *lab_key;      /* key=lab: an RSA key the lesson engine generated */
    jwk *dpop_key;     /* `dpop on`: the client's DPoP key pair (EC P-256), kept across lessons */
    bool dpop_on;      /* token and API requests carry DPoP proofs by dpop_key (RFC 9449) */
} lesson_state;

lesson_state *state_new(void); /* caller frees with state_free; never NULL (base/xalloc) */
void state_free(lesson_state *st);
/* Forgets tokens, responses, flow, results (not keys, clock or labs): a lesson starts clean. */
void state_clear(lesson_state *st);

/* Now at the (possibly fast-forwarded) clock: time(NULL) + clock_offset. */
int64_t state_now(const lesson_state *st);

/* Replaces the decoder text (NULL/"" clears it), parses it and recomputes the signature status. */
void state_set_decoder(lesson_state *st, const char *token);
/* Recomputes decoder_sig and decoder_sig_why (after keys change) with jose/verdict, from the same
 * keys in the same order as the TUI's decoder pane: the learner's key given for this token, the
 * lesson's signing key (decoder_key), the server's login secret and JWKS, the lab key, the
 * learner's key given for another token. */
void state_update_signature(lesson_state *st);
/* Sets (copies) or clears (NULL) a held token. */
void state_set_token(lesson_state *st, state_token which, const char *token);
void state_set_str(char **slot, const char *value); /* free + strdup helper (NULL clears) */
/* Takes ownership of `key` (may be NULL). */
void state_set_decoder_key(lesson_state *st, jwk *key);
/* The learner gave `key` (owned; NULL clears) for the token `token`, described as `what`: it judges
 * that token and its edits alone, and is only one more candidate for other tokens. Does not
 * recompute the verdict (state_update_signature does). */
void state_set_decoder_given(lesson_state *st, jwk *key, const char *what, const char *token);
void state_set_lab(lesson_state *st, const char *name, bool on);
void state_clear_response(lesson_state *st);

/* The server's own view of a refusal (its event feed: server_subscribe or GET /lab/events).
 * Thread-safe: the embedded server calls it on its threads. Queued refusals are applied to
 * server.last_refusal(_message) by state_drain_events — the action layer drains before it records
 * each answer, so a refusal the answer itself carries (an OAuth error) wins over the feed. */
void state_post_refusal(lesson_state *st, const char *code, const char *message);
void state_drain_events(lesson_state *st);

/* The value at a dotted path (lessons/README.md "Conditions"): a new reference, or NULL when the
 * path holds nothing right now. Strings for text, integers for statuses, true/false for booleans.
 */
json_t *state_lookup(const lesson_state *st, const char *path);
/* Is this a path the condition language knows (lint time)? */
bool state_path_known(const char *path);

/* A short description of what the state holds at `path`, for the player's report:
 * "response.status = 401", "decoder.claim.scope is missing". Writes into buf. */
const char *state_describe(const lesson_state *st, const char *path, char *buf, size_t n);

#endif
