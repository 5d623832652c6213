/* SPDX-License-Identifier: MIT */
/* act_jwt — the token in the decoder, offline: decode, mint, tamper, resign, verify. Only the
 * server's keys come over the network (act_fetch_jwks), when a step needs them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "jose/alg.h"
#include "jose/b64url.h"
#include "jose/jsonx.h"
#include "jose/jwt.h"
#include "lesson/act.h"
#include "oauth/idtoken.h"

/* alg=, claims= and exp= mean the same for every action that takes them. */
static bool jwt_validate(size_t argc, char *const *argv, tl_err *e)
{
    for (size_t i = 1; i < argc; i++) {
        const char *eq = act_arg_eq(argv[i]);
        if (!eq) continue;
        const char *v = eq + 1;
        size_t kl = (size_t)(eq - argv[i]);
        if (kl == 3 && strncmp(argv[i], "alg", 3) == 0 && strcmp(v, "none") != 0 &&
            jws_alg_from_name(v) == JWS_ALG_UNKNOWN)
            return err_set(e, "action.args", "%s: unknown alg '%s'", argv[0], v);
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
    }
    return true;
}

/* secret=S, key=lab (made on first use), key=server-public-pem (the confusion attack's "secret"),
 * key=login. Caller frees. */
static jwk *key_from_spec(const act_run *r, const char *secret, const char *key, tl_err *e)
{
    lesson_state *st = r->ctx.st;
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

/* key=server-public-pem: the key is the server's, fetched first. */
static bool wants_server_key(const lesson_action *a)
{
    const char *k = act_kv(a, "key");
    return k && strcmp(k, "server-public-pem") == 0;
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
static bool sign_into_decoder(lesson_state *st, json_t *header, json_t *claims, jws_alg alg,
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
    state_set_decoder_key(st, key ? jwk_ref(key) : NULL);
    state_set_decoder(st, tok);
    free(tok);
    return true;
}

/* alg=NAME or alg=none; `fallback` when the action names none. JWS_ALG_UNKNOWN for a bad name. */
static jws_alg alg_arg(const char *name, jws_alg fallback)
{
    if (!name) return fallback;
    return strcmp(name, "none") == 0 ? JWS_ALG_NONE : jws_alg_from_name(name);
}

/* sign_into_decoder, then releases header, claims and key (each may be NULL). */
static act_status sign_and_release(lesson_state *st, json_t *header, json_t *claims, jws_alg alg,
                                   jwk *key, tl_err *e)
{
    bool ok = header && claims && sign_into_decoder(st, header, claims, alg, key, e);
    json_decref(header);
    json_decref(claims);
    jwk_free(key);
    return act_status_of(ok);
}

/* ---- decode TOKEN|access|id|refresh|login --------------------------------------------------- */

static act_status decode_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    const char *what = act_pos(r->a, 1);
    int t = state_token_from_name(what);
    if (t < 0) {
        state_set_decoder(st, what);
        return ACT_OK;
    }
    if (!st->tokens[t])
        return act_fail(e, "action.no_token",
                        "decode: there is no %s token yet (run the step that gets one first)",
                        what);
    state_set_decoder(st, st->tokens[t]);
    return ACT_OK;
}

/* decode of a literal token starts fresh; decode of a held one (access, id, …) needs its step */
static action_begins decode_begins(const lesson_action *a)
{
    const char *what = act_pos(a, 1);
    return what && state_token_from_name(what) < 0 ? ACTION_STARTS_FRESH : ACTION_NEEDS_EARLIER;
}

const action_entry act_decode = {
    .name = "decode",
    .usage = "decode TOKEN|access|id|refresh|login",
    .min_pos = 1,
    .max_pos = 1,
    .keys = "",
    .start = decode_start,
    .outcome = ACTION_OUTCOME_DECODER,
    .begins_of = decode_begins,
};

/* ---- mint alg=ALG secret=S|key=lab [claims=JSON] [exp=DURATION|none] ------------------------ */

static act_status mint_now(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    const char *algn = act_kv(a, "alg");
    jws_alg alg = alg_arg(algn, act_kv(a, "secret") ? JWS_HS256 : JWS_RS256);
    if (alg == JWS_ALG_UNKNOWN) return act_fail(e, "action.args", "mint: unknown alg '%s'", algn);
    jwk *key = NULL;
    if (alg != JWS_ALG_NONE && !(key = key_from_spec(r, act_kv(a, "secret"), act_kv(a, "key"), e)))
        return ACT_FAILED;
    const char *cj = act_kv(a, "claims");
    json_t *claims = cj ? jsonx_parse(cj, strlen(cj), true, e) : json_object();
    if (!claims) return sign_and_release(st, NULL, NULL, alg, key, e);
    int64_t now = state_now(st);
    if (!json_object_get(claims, "iat")) json_object_set_new(claims, "iat", json_integer(now));
    const char *exp = act_kv(a, "exp");
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
    const char *hj = act_kv(a, "header");
    json_t *header =
        hj ? jsonx_parse(hj, strlen(hj), true, e) : json_pack("{s:s}", "typ", ALG_MINT_TYP);
    if (header && act_kv(a, "kid"))
        json_object_set_new(header, "kid", json_string(act_kv(a, "kid")));
    return sign_and_release(st, header, claims, alg, key, e);
}

static act_status mint_start(act_run *r, tl_err *e)
{
    if (!wants_server_key(r->a)) return mint_now(r, e);
    return act_fetch_jwks(r, mint_now, e) ? ACT_PENDING : ACT_REFUSED;
}

const action_entry act_mint = {
    .name = "mint",
    .usage = "mint alg=ALG secret=S|key=lab [claims=JSON] [exp=DURATION|none]",
    .keys = "alg secret key claims exp header kid",
    .validate = jwt_validate,
    .start = mint_start,
    .outcome = ACTION_OUTCOME_DECODER,
    .begins = ACTION_STARTS_FRESH,
};

/* ---- tamper header.NAME=VALUE|claim.NAME=VALUE … -------------------------------------------- */

static bool tamper_validate(size_t argc, char *const *argv, tl_err *e)
{
    for (size_t i = 1; i < argc; i++) {
        if ((strncmp(argv[i], "header.", 7) != 0 && strncmp(argv[i], "claim.", 6) != 0) ||
            !strchr(argv[i], '=') || strchr(argv[i], '=') == strchr(argv[i], '.') + 1)
            return err_set(e, "action.args",
                           "tamper: '%s' is not header.NAME=VALUE or claim.NAME=VALUE", argv[i]);
    }
    return true;
}

static act_status tamper_start(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    if (!act_need_decoder(st, "tamper", e)) return ACT_FAILED;
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
    if (!tok) return act_fail(e, "lesson.nomem", "out of memory");
    state_set_decoder(st, tok);
    free(tok);
    return ACT_OK;
}

const action_entry act_tamper = {
    .name = "tamper",
    .usage = "tamper header.NAME=VALUE|claim.NAME=VALUE …",
    .min_pos = 1,
    .max_pos = 8,
    .keys = "",
    .positional_only = true,
    .validate = tamper_validate,
    .start = tamper_start,
    .outcome = ACTION_OUTCOME_DECODER,
};

/* ---- resign alg=ALG secret=S|key=lab|key=server-public-pem|none ----------------------------- */

static act_status resign_now(act_run *r, tl_err *e)
{
    const lesson_action *a = r->a;
    lesson_state *st = r->ctx.st;
    if (!act_need_decoder(st, "resign", e)) return ACT_FAILED;
    const char *algn = act_kv(a, "alg");
    const char *p1 = act_pos(a, 1);
    if (p1 && strcmp(p1, "none") == 0) algn = "none";
    jws_alg alg = alg_arg(algn, st->decoder_jws->alg);
    if (alg == JWS_ALG_UNKNOWN)
        return act_fail(e, "action.args", "resign: say which alg (alg=HS256, alg=none, …)");
    jwk *key = NULL;
    if (alg != JWS_ALG_NONE && !(key = key_from_spec(r, act_kv(a, "secret"), act_kv(a, "key"), e)))
        return ACT_FAILED;
    json_t *header = json_deep_copy(st->decoder_jws->header);
    json_object_del(header, "alg");
    json_t *claims =
        st->decoder_jws->claims ? json_deep_copy(st->decoder_jws->claims) : json_object();
    return sign_and_release(st, header, claims, alg, key, e);
}

static act_status resign_start(act_run *r, tl_err *e)
{
    if (!wants_server_key(r->a)) return resign_now(r, e);
    return act_fetch_jwks(r, resign_now, e) ? ACT_PENDING : ACT_REFUSED;
}

const action_entry act_resign = {
    .name = "resign",
    .usage = "resign alg=ALG secret=S|key=lab|key=server-public-pem|none",
    .max_pos = 1,
    .keys = "alg secret key",
    .validate = jwt_validate,
    .start = resign_start,
    .outcome = ACTION_OUTCOME_DECODER,
};

/* ---- verify [secret=S|jwks|key=lab] --------------------------------------------------------- */

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

/* The verdict goes to state.verify_*; the action itself succeeded. */
static void set_verify(lesson_state *st, bool ok, tl_err *e)
{
    state_set_str(&st->verify_result, ok ? "valid" : (e->code ? e->code : "invalid"));
    state_set_str(&st->verify_message, ok ? "signature and times are valid" : e->msg);
    err_clear(e);
}

static act_status verify_with_jwks(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    set_verify(st, verify_with(st, NULL, st->server_jwks, e), e);
    return ACT_OK;
}

/* Default: an HMAC token with the login secret when we know it, else the server's JWKS. */
static bool verify_needs_jwks(const act_run *r)
{
    const lesson_action *a = r->a;
    if (act_kv(a, "secret") || act_kv(a, "key")) return false;
    const char *p = act_pos(a, 1);
    if (p && strcmp(p, "jwks") == 0) return true;
    const jws *t = r->ctx.st->decoder_jws;
    return !(t && alg_is_hmac(t->alg) && r->ctx.st->login_secret);
}

static act_status verify_start(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    if (!act_need_decoder(st, "verify", e)) return ACT_REFUSED;
    if (verify_needs_jwks(r))
        return act_fetch_jwks(r, verify_with_jwks, e) ? ACT_PENDING : ACT_REFUSED;
    const lesson_action *a = r->a;
    jwk *key = NULL;
    if (act_kv(a, "secret") || act_kv(a, "key"))
        key = key_from_spec(r, act_kv(a, "secret"), act_kv(a, "key"), e);
    else
        key = st->login_secret ? jwk_ref(st->login_secret) : NULL;
    if (!key) return ACT_FAILED;
    set_verify(st, verify_with(st, key, NULL, e), e);
    jwk_free(key);
    return ACT_OK;
}

const action_entry act_verify = {
    .name = "verify",
    .usage = "verify [secret=S|jwks|key=lab]",
    .max_pos = 1,
    .keys = "secret key",
    .validate = jwt_validate,
    .start = verify_start,
    .outcome = ACTION_OUTCOME_VERIFY,
};

/* ---- verify-id: the ID token, checked as a client must (OIDC Core §3.1.3.7) ----------------- */

static act_status verify_id_with_jwks(act_run *r, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    const flow_endpoints *ep = act_ep(r, e);
    if (!ep) return ACT_FAILED;
    idtoken_expect x = {.issuer = ep->issuer,
                        .client_id = st->flow.client_id,
                        .nonce = st->flow.nonce,
                        .access_token = st->tokens[STATE_TOK_ACCESS],
                        .now = state_now(st)};
    set_verify(st, idtoken_check(st->tokens[STATE_TOK_ID], st->server_jwks, &x, NULL, e), e);
    return ACT_OK;
}

static act_status verify_id_start(act_run *r, tl_err *e)
{
    const lesson_state *st = r->ctx.st;
    if (!st->tokens[STATE_TOK_ID] || !st->flow.client_id)
        return act_fail(e, "action.no_token",
                        "verify-id: there is no ID token yet (run authorize with scope openid, "
                        "signin, consent and exchange first)");
    return act_fetch_jwks(r, verify_id_with_jwks, e) ? ACT_PENDING : ACT_FAILED;
}

const action_entry act_verify_id = {
    .name = "verify-id",
    .usage = "verify-id",
    .keys = "",
    .start = verify_id_start,
    .outcome = ACTION_OUTCOME_VERIFY,
};
