/* SPDX-License-Identifier: MIT */
/* flow — the client side of every OAuth 2.0 / OIDC / JWT-login step as pure REQUEST BUILDERS and
 * RESPONSE PARSERS. No I/O here: a caller (the lesson engine, the CLI, a test) builds a request,
 * sends it with http_send, and hands the completed exchange to the matching parser.
 *
 *     r = flow_token_code_request(ep.token, &client, code, redirect_uri, verifier, e);
 *     http_send(http, r, on_done, ud, &id, e);
 *     http_request_free(r);
 *     ... in on_done: if (flow_parse_token_response(x, &tokens, e)) ...
 *
 * Builders return a new request (caller frees with http_request_free), NULL with `e` set on bad
 * arguments ("flow.arg": which one) or out of memory ("flow.nomem"). Parsers take the completed
 * exchange (status + parsed JSON + headers) and fill an output struct whose strings are owned
 * copies (free with the matching *_clear); on failure they return false with a stable code:
 *   "flow.transport"    the exchange failed (the http error message is carried over)
 *   "flow.not_json"     the body is not the JSON object the step needs (content type named)
 *   "flow.missing"      a required member is absent ("token response has no access_token")
 *   "flow.bad_member"   a member has the wrong type ("expires_in must be a number")
 *   "flow.http_status"  an unexpected status with no OAuth error body
 *   "flow.duplicate"    a redirect carries a parameter twice (RFC 6749 §3.1)
 *   "oauth.<error>"     an RFC 6749 §5.2 / RFC 8628 §3.5 / RFC 6750 §3.1 error from the server:
 *                       oauth.invalid_request, oauth.invalid_client, oauth.invalid_grant,
 *                       oauth.unauthorized_client, oauth.unsupported_grant_type,
 *                       oauth.invalid_scope, oauth.access_denied, oauth.server_error,
 *                       oauth.temporarily_unavailable, oauth.unsupported_response_type,
 *                       oauth.invalid_token, oauth.insufficient_scope, oauth.invalid_target,
 *                       oauth.authorization_pending, oauth.slow_down, oauth.expired_token,
 *                       oauth.login_required, oauth.consent_required, oauth.unsupported_token_type;
 *                       anything else "oauth.other". The message reads "invalid_grant: <the
 *                       server's error_description>". */
#ifndef TL_OAUTH_FLOW_H
#define TL_OAUTH_FLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "oauth/http.h"

/* ---- encoding helpers ------------------------------------------------------------------------ */

/* RFC 3986 percent-encoding: unreserved [A-Za-z0-9-._~] kept, every other byte %XX (uppercase),
 * so space is %20 and '+' is %2B. Caller frees. */
char *flow_pct_encode(const char *s);
/* application/x-www-form-urlencoded (HTML / RFC 6749 Appendix B): like flow_pct_encode but space
 * becomes '+'. Caller frees. */
char *flow_form_encode(const char *s);
/* Decodes %XX (and '+' as space when `plus_is_space`). Errors "flow.bad_escape" (offset named),
 * "flow.nul" (an encoded NUL). Caller frees. */
bool flow_pct_decode(const char *s, size_t len, bool plus_is_space, char **out, tl_err *e);
/* "Basic " + base64(form_encode(id) ":" form_encode(secret)) — RFC 6749 §2.3.1 says encode id and
 * secret with application/x-www-form-urlencoded BEFORE base64, so ':' and non-ASCII survive.
 * Caller frees. */
char *flow_basic_auth(const char *client_id, const char *client_secret);

/* A form body built pair by pair (k=v&k=v, both form-encoded). */
typedef struct flow_form {
    char *buf;
    size_t len, cap;
} flow_form;
bool flow_form_add(flow_form *f, const char *key, const char *value); /* value NULL = skip */
void flow_form_clear(flow_form *f);

/* ---- endpoints ------------------------------------------------------------------------------- */

/* The endpoint URLs a flow needs. Owned strings; NULL when unknown. */
typedef struct flow_endpoints {
    char *base; /* server base URL, no trailing slash: for /login, /lab/..., /api/... */
    char *issuer;
    char *authorization, *token, *userinfo, *jwks, *introspection, *revocation;
    char *device_authorization, *end_session;
} flow_endpoints;

/* tokenlab's own paths under `base` (issuer = base): /authorize, /token, /userinfo, /jwks,
 * /introspect, /revoke, /device_authorization, /endsession. A trailing '/' on base is dropped. */
bool flow_endpoints_default(flow_endpoints *ep, const char *base, tl_err *e);
/* GET {base}/.well-known/openid-configuration */
http_request *flow_discovery_request(const char *base, tl_err *e);
/* Fills `ep` from a discovery document (OIDC Discovery §3 / RFC 8414 §2). "issuer",
 * "authorization_endpoint", "token_endpoint" and "jwks_uri" are required ("flow.missing"); the
 * rest are optional. `base` becomes ep->base. */
bool flow_parse_discovery(const http_exchange *x, const char *base, flow_endpoints *ep, tl_err *e);
void flow_endpoints_clear(flow_endpoints *ep);
/* GET jwks_uri */
http_request *flow_jwks_request(const char *jwks_uri, tl_err *e);

/* ---- the client making the calls ------------------------------------------------------------- */

typedef enum flow_auth {
    FLOW_AUTH_NONE,  /* public client: client_id in the body, no secret */
    FLOW_AUTH_BASIC, /* client_secret_basic, RFC 6749 §2.3.1 */
    FLOW_AUTH_POST,  /* client_secret_post: client_id + client_secret in the body */
} flow_auth;

typedef struct flow_client {
    const char *client_id;
    const char *client_secret; /* NULL for a public client */
    flow_auth auth;
} flow_client;

/* ---- JWT login (the article's "you control both ends") --------------------------------------- */

/* POST {base}/login, Content-Type: application/json, {"email":…,"password":…} */
http_request *flow_login_request(const char *base, const char *email, const char *password,
                                 tl_err *e);
/* Bearer call to an API: `method` (NULL = GET) `url` with Authorization: Bearer <token>, or with
 * no credentials when access_token is NULL (to see the 401). json_body, when not NULL, is sent as
 * given as application/json — a lesson may send a malformed one on purpose. Used for /api/profile,
 * /api/notes and the lessons' `api` action. */
http_request *flow_api_request(const char *method, const char *url, const char *access_token,
                               const char *json_body, tl_err *e);

/* ---- authorization code flow ----------------------------------------------------------------- */

typedef struct flow_authz_params {
    const char *client_id;             /* required */
    const char *redirect_uri;          /* required */
    const char *scope;                 /* space-separated, may be NULL */
    const char *state;                 /* recommended; NULL = omitted (a lesson shows why not) */
    const char *nonce;                 /* OIDC, may be NULL */
    const char *code_challenge;        /* PKCE, may be NULL */
    const char *code_challenge_method; /* "S256" (default when a challenge is given) or "plain" */
    const char *prompt;                /* may be NULL */
} flow_authz_params;

/* {authorize_endpoint}?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…&nonce=…
 * &code_challenge=…&code_challenge_method=S256 — values percent-encoded (RFC 3986, space as %20),
 * appended with '&' when the endpoint already has a query (RFC 6749 §4.1.1, §3.1). Caller frees. */
char *flow_authorize_url(const char *authorize_endpoint, const flow_authz_params *p, tl_err *e);

/* The JSON variant of /authorize and /device (Accept: application/json; docs/server.md) that lets
 * the TUI render login and consent natively. Each answer is one step. */
typedef enum flow_authz_kind {
    FLOW_AUTHZ_LOGIN,     /* the server wants the user's credentials (error set after a failure) */
    FLOW_AUTHZ_CONSENT,   /* the server asks the user to allow the listed scopes */
    FLOW_AUTHZ_REDIRECT,  /* done: `location` is the redirect to the client (code or error) */
    FLOW_AUTHZ_USER_CODE, /* /device: the server wants the user code */
    FLOW_AUTHZ_DONE,      /* /device: authorized; `message` says to return to the device */
    FLOW_AUTHZ_ERROR,     /* the server refused and will NOT redirect (bad client / redirect_uri /
                             session): `error`, `error_description` */
} flow_authz_kind;

typedef struct flow_scope_info {
    char *name;
    char *description; /* what the scope means, or NULL */
} flow_scope_info;

typedef struct flow_authz_step {
    flow_authz_kind kind;
    long status;          /* HTTP status of the answer */
    char *action;         /* absolute URL to submit this step to (resolved against the request) */
    char *session;        /* "session" to send back, or NULL */
    char *session_secret; /* "session_secret" to send back: proves this client started the
                             session (the server refuses the session to anyone else), or NULL */
    char *csrf;           /* "csrf" to send back (consent), or NULL */
    char *client_id;      /* the client asking, or NULL */
    char *client_name;
    flow_scope_info *scopes; /* consent */
    size_t nscopes;
    char *user_sub, *user_email, *user_name; /* consent: who is logged in, or NULL */
    char *location;                          /* REDIRECT: the Location */
    char *message;                           /* DONE: the server's message */
    char *error; /* LOGIN (a failed attempt) or ERROR: the server's error code */
    char *error_description;
} flow_authz_step;

/* GET the authorization URL (or /device) with Accept: application/json. */
http_request *flow_authorize_json_request(const char *authorize_url, tl_err *e);
/* Parses any answer of the JSON flow: a JSON step (200, or 401 for a failed login), a 303 with
 * Location (REDIRECT), an error object without a step (ERROR) — true for all of those; false only
 * for a transport failure ("flow.transport") or an answer that is none of them ("flow.not_json",
 * "flow.missing", "flow.bad_member"). Relative actions are resolved against x->url. */
bool flow_parse_authorize_step(const http_exchange *x, flow_authz_step *out, tl_err *e);
/* POST action: session=…&session_secret=…&email=…&password=… (form, Accept: application/json) */
http_request *flow_authorize_login_request(const flow_authz_step *s, const char *email,
                                           const char *password, tl_err *e);
/* POST action: session=…&session_secret=…&csrf=…&decision=allow|deny */
http_request *flow_authorize_consent_request(const flow_authz_step *s, bool allow, tl_err *e);
/* POST action (/device): user_code=… */
http_request *flow_device_user_code_request(const flow_authz_step *s, const char *user_code,
                                            tl_err *e);
void flow_authz_step_clear(flow_authz_step *s);

/* The redirect back to the client, RFC 6749 §4.1.2 / §4.1.2.1 and RFC 9207. */
typedef struct flow_redirect {
    char *code;
    char *state;
    char *iss;
    char *error;
    char *error_description;
} flow_redirect;

/* Parses the query of a redirect Location (fragment ignored). Checks, in this order:
 *   - error present: returns false with "oauth.<error>" (out is still filled);
 *   - expected_state != NULL and state differs or is missing: "flow.state_mismatch" (CSRF,
 *     RFC 6749 §10.12);
 *   - expected_iss != NULL and iss differs: "flow.iss_mismatch" (mix-up, RFC 9207 §2.4); a
 *     missing iss is accepted;
 *   - no code: "flow.missing".
 * Malformed escapes: "flow.bad_escape"; a parameter given twice: "flow.duplicate".
 * Clear `out` with flow_redirect_clear whatever the result. */
bool flow_parse_redirect(const char *location, const char *expected_state, const char *expected_iss,
                         flow_redirect *out, tl_err *e);
void flow_redirect_clear(flow_redirect *r);

/* ---- token endpoint requests (all POST application/x-www-form-urlencoded, Accept: JSON) ------ */

/* grant_type=authorization_code, code, redirect_uri, code_verifier (RFC 6749 §4.1.3, RFC 7636
 * §4.5); code_verifier may be NULL. */
http_request *flow_token_code_request(const char *token_endpoint, const flow_client *c,
                                      const char *code, const char *redirect_uri,
                                      const char *code_verifier, tl_err *e);
/* grant_type=refresh_token, refresh_token, scope (optional, may only narrow) — RFC 6749 §6 */
http_request *flow_token_refresh_request(const char *token_endpoint, const flow_client *c,
                                         const char *refresh_token, const char *scope, tl_err *e);
/* grant_type=client_credentials, scope (optional) — RFC 6749 §4.4 */
http_request *flow_token_client_credentials_request(const char *token_endpoint,
                                                    const flow_client *c, const char *scope,
                                                    tl_err *e);
/* grant_type=password, username, password, scope — RFC 6749 §4.3 (deprecated: RFC 9700 §2.4) */
http_request *flow_token_password_request(const char *token_endpoint, const flow_client *c,
                                          const char *username, const char *password,
                                          const char *scope, tl_err *e);

/* ---- device flow (RFC 8628) ------------------------------------------------------------------ */

/* POST device_authorization_endpoint: client_id (+ auth), scope — §3.1 */
http_request *flow_device_authorization_request(const char *endpoint, const flow_client *c,
                                                const char *scope, tl_err *e);

typedef struct flow_device_auth {
    char *device_code;
    char *user_code;
    char *verification_uri;
    char *verification_uri_complete; /* or NULL */
    long expires_in;                 /* seconds */
    long interval;                   /* seconds; 5 when the server gives none (§3.2) */
} flow_device_auth;

/* §3.2: device_code, user_code, verification_uri, expires_in required. */
bool flow_parse_device_auth(const http_exchange *x, flow_device_auth *out, tl_err *e);
void flow_device_auth_clear(flow_device_auth *d);

/* grant_type=urn:ietf:params:oauth:grant-type:device_code, device_code, client_id — §3.4 */
http_request *flow_token_device_request(const char *token_endpoint, const flow_client *c,
                                        const char *device_code, tl_err *e);

/* ---- token responses ------------------------------------------------------------------------- */

typedef struct flow_tokens {
    char *access_token; /* also the /login "token" member */
    char *token_type;   /* "Bearer" */
    long expires_in;    /* seconds, -1 when absent */
    char *refresh_token;
    char *id_token;
    char *scope; /* granted scope when the server says it, else NULL */
} flow_tokens;

/* A token endpoint (or /login) answer: 200 with a JSON object holding access_token (or "token" for
 * /login) and token_type (RFC 6749 §5.1); any OAuth error JSON becomes "oauth.<error>" (§5.2). */
bool flow_parse_token_response(const http_exchange *x, flow_tokens *out, tl_err *e);
void flow_tokens_clear(flow_tokens *t);

/* The stable tl_err code for an OAuth error string: "oauth.invalid_grant", …, "oauth.other". */
const char *flow_oauth_error_code(const char *error);

/* Device-flow polling state (RFC 8628 §3.5). Pure: the caller owns the timer. */
typedef enum flow_poll_result {
    FLOW_POLL_DONE,    /* tokens issued: `tokens` filled */
    FLOW_POLL_PENDING, /* authorization_pending: poll again after `interval` seconds */
    FLOW_POLL_SLOW,    /* slow_down: interval increased by 5 s, poll again after it */
    FLOW_POLL_EXPIRED, /* expired_token: start over */
    FLOW_POLL_DENIED,  /* access_denied: the user said no */
    FLOW_POLL_ERROR,   /* anything else: e says what */
} flow_poll_result;

typedef struct flow_device_poll {
    long interval; /* seconds between polls, starts at flow_device_auth.interval */
} flow_device_poll;

/* Classifies one poll answer. For PENDING/SLOW/EXPIRED/DENIED `e` also gets the "oauth.<error>"
 * code and the server's description, for display. */
flow_poll_result flow_device_poll_update(flow_device_poll *p, const http_exchange *x,
                                         flow_tokens *tokens, tl_err *e);

/* ---- resource-side calls --------------------------------------------------------------------- */

/* GET userinfo with Authorization: Bearer (OIDC Core §5.3.1). */
http_request *flow_userinfo_request(const char *userinfo_endpoint, const char *access_token,
                                    tl_err *e);
/* POST introspection: token, token_type_hint (may be NULL) + client auth — RFC 7662 §2.1 */
http_request *flow_introspect_request(const char *endpoint, const flow_client *c, const char *token,
                                      const char *token_type_hint, tl_err *e);
/* POST revocation: token, token_type_hint (may be NULL) + client auth — RFC 7009 §2.1 */
http_request *flow_revoke_request(const char *endpoint, const flow_client *c, const char *token,
                                  const char *token_type_hint, tl_err *e);

/* A 200 JSON object answer (userinfo, introspection, /api/..., /lab/state): returns a new ref.
 * 401/403 with WWW-Authenticate Bearer → "oauth.<error>" from the challenge; other errors as for
 * token responses. */
json_t *flow_parse_json_object(const http_exchange *x, tl_err *e);

typedef struct flow_introspection {
    bool active;
    char *scope, *client_id, *username, *sub, *token_type; /* each NULL when absent */
    long exp;                                              /* -1 when absent */
} flow_introspection;
/* RFC 7662 §2.2: "active" is required and must be a boolean. */
bool flow_parse_introspection(const http_exchange *x, flow_introspection *out, tl_err *e);
void flow_introspection_clear(flow_introspection *i);
/* RFC 7009 §2.2: 200 (any body) means revoked or already invalid; else the OAuth error. */
bool flow_parse_revoke(const http_exchange *x, tl_err *e);

/* RFC 6750 §3: WWW-Authenticate: Bearer realm="…", error="…", error_description="…", scope="…" */
typedef struct flow_bearer_challenge {
    char *scheme;                                                /* "Bearer" as written */
    char *realm, *error, *error_description, *error_uri, *scope; /* NULL when absent */
} flow_bearer_challenge;
/* Parses one challenge (auth-params as token or quoted-string with \-escapes, RFC 9110 §11.2).
 * Errors: "flow.www_auth" (names what is wrong and where), "flow.not_bearer" (another scheme). */
bool flow_parse_www_authenticate(const char *header, flow_bearer_challenge *out, tl_err *e);
void flow_bearer_challenge_clear(flow_bearer_challenge *b);

/* ---- lab calls (the server's lab switches and clock) -------------------------------------------
 * lab_key is sent as X-Tokenlab-Lab-Key when not NULL. */
/* POST {base}/lab/clock {"advance": seconds} — fast-forwards the server's clock. */
http_request *flow_lab_clock_request(const char *base, const char *lab_key, long advance_seconds,
                                     tl_err *e);
/* POST {base}/lab/clock {"reset": true} — back to the real time. */
http_request *flow_lab_clock_reset_request(const char *base, const char *lab_key, tl_err *e);
/* POST {base}/lab/switch {"name": switch, "on": bool} */
http_request *flow_lab_switch_request(const char *base, const char *lab_key, const char *name,
                                      bool on, tl_err *e);
/* GET {base}/lab/state */
http_request *flow_lab_state_request(const char *base, const char *lab_key, tl_err *e);

#endif
