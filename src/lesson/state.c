/* SPDX-License-Identifier: MIT */
/* state — the learner's workspace and the dotted paths checks read. */
#include "lesson/state.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "jose/verdict.h"

static const char *const tok_names[STATE_TOK_COUNT] = {"access", "id", "refresh", "login"};

const char *state_token_name(state_token t)
{
    return (unsigned)t < STATE_TOK_COUNT ? tok_names[t] : "?";
}

int state_token_from_name(const char *name)
{
    for (int i = 0; i < STATE_TOK_COUNT; i++)
        if (name && strcmp(name, tok_names[i]) == 0) return i;
    return -1;
}

void state_set_str(char **slot, const char *value)
{
    char *v = value ? strdup(value) : NULL;
    free(*slot);
    *slot = v;
}

#define INBOX_MAX 32

struct state_inbox {
    pthread_mutex_t mu;
    char *code[INBOX_MAX], *message[INBOX_MAX];
    size_t n;
};

lesson_state *state_new(void)
{
    lesson_state *st = xcalloc(1, sizeof *st);
    st->labs = json_object();
    st->decoder_sig = "unknown";
    st->inbox = xcalloc(1, sizeof *st->inbox);
    if (!st->labs) xalloc_die(sizeof(json_t));
    pthread_mutex_init(&st->inbox->mu, NULL);
    return st;
}

void state_post_refusal(lesson_state *st, const char *code, const char *message)
{
    if (!st || !st->inbox) return;
    struct state_inbox *b = st->inbox;
    pthread_mutex_lock(&b->mu);
    if (b->n == INBOX_MAX) { /* keep the newest */
        free(b->code[0]);
        free(b->message[0]);
        memmove(b->code, b->code + 1, (INBOX_MAX - 1) * sizeof b->code[0]);
        memmove(b->message, b->message + 1, (INBOX_MAX - 1) * sizeof b->message[0]);
        b->n--;
    }
    b->code[b->n] = code ? strdup(code) : NULL;
    b->message[b->n] = message ? strdup(message) : NULL;
    b->n++;
    pthread_mutex_unlock(&b->mu);
}

void state_drain_events(lesson_state *st)
{
    if (!st || !st->inbox) return;
    struct state_inbox *b = st->inbox;
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < b->n; i++) {
        if (b->code[i]) state_set_str(&st->last_refusal, b->code[i]);
        state_set_str(&st->last_refusal_message, b->message[i]);
        free(b->code[i]);
        free(b->message[i]);
    }
    b->n = 0;
    pthread_mutex_unlock(&b->mu);
}

void state_clear_response(lesson_state *st)
{
    state_response *r = &st->response;
    r->status = 0;
    state_set_str(&r->method, NULL);
    state_set_str(&r->url, NULL);
    json_decref(r->json);
    r->json = NULL;
    state_set_str(&r->error, NULL);
    state_set_str(&r->error_description, NULL);
    state_set_str(&r->location, NULL);
    state_set_str(&r->transport_error, NULL);
}

static void clear_flow(state_flow *f)
{
    char **strs[] = {&f->client_id, &f->client_secret,   &f->redirect_uri,   &f->scope,
                     &f->verifier,  &f->method,          &f->state,          &f->nonce,
                     &f->session,   &f->session_secret,  &f->csrf,           &f->next_step,
                     &f->code,      &f->used_code,       &f->returned_state, &f->device_code,
                     &f->user_code, &f->verification_uri};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) state_set_str(strs[i], NULL);
    f->device_interval = 0;
}

void state_clear(lesson_state *st)
{
    if (!st) return;
    state_set_decoder(st, NULL);
    state_set_decoder_key(st, NULL);
    for (int i = 0; i < STATE_TOK_COUNT; i++) state_set_str(&st->tokens[i], NULL);
    state_set_str(&st->old_refresh, NULL);
    state_clear_response(st);
    clear_flow(&st->flow);
    state_drain_events(st); /* refusals from before the clean start are not this lesson's */
    state_set_str(&st->last_refusal, NULL);
    state_set_str(&st->last_refusal_message, NULL);
    state_set_str(&st->verify_result, NULL);
    state_set_str(&st->verify_message, NULL);
    state_set_str(&st->crack_secret, NULL);
    st->crack_tried = 0;
    st->dpop_on = false; /* each lesson starts as a plain bearer client */
}

void state_free(lesson_state *st)
{
    if (!st) return;
    state_clear(st);
    json_decref(st->labs);
    jwk_free(st->login_secret);
    jwks_free(st->server_jwks);
    jwk_free(st->lab_key);
    jwk_free(st->dpop_key);
    state_set_decoder_given(st, NULL, NULL, NULL);
    if (st->inbox) {
        for (size_t i = 0; i < st->inbox->n; i++) {
            free(st->inbox->code[i]);
            free(st->inbox->message[i]);
        }
        pthread_mutex_destroy(&st->inbox->mu);
        free(st->inbox);
    }
    free(st);
}

int64_t state_now(const lesson_state *st)
{
    return (int64_t)time(NULL) + (st ? st->clock_offset : 0);
}

void state_update_signature(lesson_state *st)
{
    const jws *t = st->decoder_jws;
    bool given = st->given_key && verdict_same_token(t, st->given_for);
    verdict_key keys[] = {
        {VERDICT_SIGNER, st->decoder_key, NULL, "the key the lesson signed it with"},
        {VERDICT_ISSUER, st->login_secret, NULL, "the server's login secret"},
        {VERDICT_ISSUER, NULL, st->server_jwks, "the server's JWKS"},
        {VERDICT_MAYBE, st->lab_key, NULL, "the lab key"},
        {given ? VERDICT_GIVEN : VERDICT_MAYBE, st->given_key, NULL,
         st->given_what ? st->given_what : "your key"},
    };
    verdict_seen seen[STATE_TOK_COUNT];
    size_t nseen = 0;
    for (int i = 0; i < STATE_TOK_COUNT; i++)
        if (st->tokens[i]) seen[nseen++] = (verdict_seen){tok_names[i], st->tokens[i]};
    verdict v;
    verdict_judge(t, keys, sizeof keys / sizeof keys[0], seen, nseen, &v);
    st->decoder_sig = verdict_sig_name(v.sig);
    snprintf(st->decoder_sig_why, sizeof st->decoder_sig_why, "%s", v.message);
}

void state_set_decoder(lesson_state *st, const char *token)
{
    if (!st) return;
    jws_free(st->decoder_jws);
    st->decoder_jws = NULL;
    err_clear(&st->decoder_err);
    if (token && !*token) token = NULL;
    state_set_str(&st->decoder, token);
    if (st->decoder)
        jws_parse(st->decoder, strlen(st->decoder), &st->decoder_jws, &st->decoder_err);
    state_update_signature(st);
}

void state_set_decoder_key(lesson_state *st, jwk *key)
{
    jwk_free(st->decoder_key);
    st->decoder_key = key;
}

void state_set_decoder_given(lesson_state *st, jwk *key, const char *what, const char *token)
{
    jwk_free(st->given_key);
    st->given_key = key;
    state_set_str(&st->given_for, key ? token : NULL);
    state_set_str(&st->given_what, key ? what : NULL);
}

void state_set_token(lesson_state *st, state_token which, const char *token)
{
    if ((unsigned)which < STATE_TOK_COUNT) state_set_str(&st->tokens[which], token);
}

void state_set_lab(lesson_state *st, const char *name, bool on)
{
    json_object_set_new(st->labs, name, json_boolean(on));
}

/* ---- paths ---------------------------------------------------------------------------------- */

static bool has_prefix(const char *s, const char *p, const char **rest)
{
    size_t n = strlen(p);
    if (strncmp(s, p, n) != 0) return false;
    if (rest) *rest = s + n;
    return true;
}

/* A member by dotted name: the whole rest first (claim names may contain dots, e.g. URLs), then
 * object nesting. Borrowed. */
static json_t *member(json_t *obj, const char *name)
{
    if (!json_is_object(obj) || !*name) return NULL;
    json_t *v = json_object_get(obj, name);
    if (v) return v;
    const char *dot = strchr(name, '.');
    while (dot) {
        char head[256];
        size_t n = (size_t)(dot - name);
        if (n < sizeof head) {
            memcpy(head, name, n);
            head[n] = 0;
            json_t *sub = json_object_get(obj, head);
            if (sub) {
                json_t *r = member(sub, dot + 1);
                if (r) return r;
            }
        }
        dot = strchr(dot + 1, '.');
    }
    return NULL;
}

static const char *const token_suffixes[] = {"claim.", "header.", NULL};

/* Valid tails after "tokens.NAME": "", ".expired", ".claim.X", ".header.X". */
static bool token_tail_known(const char *tail)
{
    if (!*tail || strcmp(tail, ".expired") == 0 || strcmp(tail, ".signature") == 0) return true;
    if (*tail != '.') return false;
    tail++;
    for (size_t i = 0; token_suffixes[i]; i++) {
        const char *r;
        if (has_prefix(tail, token_suffixes[i], &r) && *r) return true;
    }
    return false;
}

static const char *const simple_paths[] = {"response.status",
                                           "response.error",
                                           "response.error_description",
                                           "response.location",
                                           "response.transport_error",
                                           "response.body",
                                           "decoder.token",
                                           "decoder.signature",
                                           "decoder.expired",
                                           "decoder.alg",
                                           "decoder.error",
                                           "server.last_refusal",
                                           "server.last_refusal_message",
                                           "verify.result",
                                           "verify.message",
                                           "crack.secret",
                                           "crack.tried",
                                           "clock.offset",
                                           "flow.code",
                                           "flow.used_code",
                                           "flow.state",
                                           "flow.returned_state",
                                           "flow.verifier",
                                           "flow.nonce",
                                           "flow.step",
                                           "flow.device_code",
                                           "flow.user_code",
                                           "flow.verification_uri",
                                           "flow.state_matches",
                                           NULL};

bool state_path_known(const char *path)
{
    if (!path) return false;
    for (size_t i = 0; simple_paths[i]; i++)
        if (strcmp(path, simple_paths[i]) == 0) return true;
    const char *r;
    if (has_prefix(path, "response.json.", &r) && *r) return true;
    if (has_prefix(path, "response.header.", &r) && *r) return true;
    if (has_prefix(path, "decoder.header.", &r) && *r) return true;
    if (has_prefix(path, "decoder.claim.", &r) && *r) return true;
    if (has_prefix(path, "lab.", &r) && *r) return true;
    if (has_prefix(path, "tokens.", &r)) {
        for (int i = 0; i < STATE_TOK_COUNT; i++) {
            size_t n = strlen(tok_names[i]);
            if (strncmp(r, tok_names[i], n) == 0 && (r[n] == 0 || r[n] == '.'))
                return token_tail_known(r + n);
        }
    }
    return false;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : NULL;
}

static json_t *expired_of(const jws *t, int64_t now)
{
    if (!t || !json_is_object(t->claims)) return NULL;
    json_t *exp = json_object_get(t->claims, "exp");
    if (!json_is_number(exp)) return json_false();
    return json_boolean((int64_t)json_number_value(exp) <= now);
}

static json_t *token_lookup(const lesson_state *st, const char *tok, const char *tail)
{
    if (!tok) return NULL;
    if (!*tail) return json_string(tok);
    jws *t = NULL;
    if (!jws_parse(tok, strlen(tok), &t, NULL)) return NULL;
    json_t *r = NULL;
    const char *rest;
    if (strcmp(tail, ".expired") == 0) {
        r = expired_of(t, state_now(st));
    } else if (has_prefix(tail, ".claim.", &rest)) {
        r = json_incref(member(t->claims, rest));
    } else if (has_prefix(tail, ".header.", &rest)) {
        r = json_incref(member(t->header, rest));
    }
    jws_free(t);
    return r;
}

json_t *state_lookup(const lesson_state *st, const char *path)
{
    if (!st || !path) return NULL;
    const char *r;
    const state_response *resp = &st->response;
    if (strcmp(path, "response.status") == 0)
        return resp->status || resp->url ? json_integer(resp->status) : NULL;
    if (strcmp(path, "response.error") == 0) return str_or_null(resp->error);
    if (strcmp(path, "response.error_description") == 0)
        return str_or_null(resp->error_description);
    if (strcmp(path, "response.location") == 0) return str_or_null(resp->location);
    if (strcmp(path, "response.transport_error") == 0) return str_or_null(resp->transport_error);
    if (strcmp(path, "response.body") == 0) return resp->json ? json_incref(resp->json) : NULL;
    if (has_prefix(path, "response.json.", &r)) return json_incref(member(resp->json, r));
    if (has_prefix(path, "response.header.", &r)) return NULL; /* headers live in the trace */

    const jws *d = st->decoder_jws;
    if (strcmp(path, "decoder.token") == 0) return str_or_null(st->decoder);
    if (strcmp(path, "decoder.error") == 0)
        return st->decoder && !d ? json_string(st->decoder_err.msg) : NULL;
    if (strcmp(path, "decoder.signature") == 0)
        return st->decoder ? json_string(st->decoder_sig) : NULL;
    if (strcmp(path, "decoder.expired") == 0) return expired_of(d, state_now(st));
    if (strcmp(path, "decoder.alg") == 0) return d ? str_or_null(d->alg_name) : NULL;
    if (has_prefix(path, "decoder.header.", &r))
        return d ? json_incref(member(d->header, r)) : NULL;
    if (has_prefix(path, "decoder.claim.", &r)) return d ? json_incref(member(d->claims, r)) : NULL;

    if (has_prefix(path, "tokens.", &r)) {
        for (int i = 0; i < STATE_TOK_COUNT; i++) {
            size_t n = strlen(tok_names[i]);
            if (strncmp(r, tok_names[i], n) == 0 && (r[n] == 0 || r[n] == '.'))
                return token_lookup(st, st->tokens[i], r + n);
        }
        return NULL;
    }
    if (strcmp(path, "server.last_refusal") == 0) return str_or_null(st->last_refusal);
    if (strcmp(path, "server.last_refusal_message") == 0)
        return str_or_null(st->last_refusal_message);
    if (strcmp(path, "verify.result") == 0) return str_or_null(st->verify_result);
    if (strcmp(path, "verify.message") == 0) return str_or_null(st->verify_message);
    if (strcmp(path, "crack.secret") == 0) return str_or_null(st->crack_secret);
    if (strcmp(path, "crack.tried") == 0) return json_integer((json_int_t)st->crack_tried);
    if (strcmp(path, "clock.offset") == 0) return json_integer(st->clock_offset);
    if (has_prefix(path, "lab.", &r)) {
        json_t *v = json_object_get(st->labs, r);
        return json_string(json_is_true(v) ? "on" : "off");
    }
    const state_flow *f = &st->flow;
    if (strcmp(path, "flow.code") == 0) return str_or_null(f->code);
    if (strcmp(path, "flow.used_code") == 0) return str_or_null(f->used_code);
    if (strcmp(path, "flow.state") == 0) return str_or_null(f->state);
    if (strcmp(path, "flow.returned_state") == 0) return str_or_null(f->returned_state);
    if (strcmp(path, "flow.state_matches") == 0) {
        /* the client's CSRF check (RFC 6749 §10.12): the redirect must carry the state we sent */
        if (f->next_step == NULL || strcmp(f->next_step, "redirect") != 0) return NULL;
        bool same = (!f->state && !f->returned_state) ||
                    (f->state && f->returned_state && strcmp(f->state, f->returned_state) == 0);
        return json_boolean(same);
    }
    if (strcmp(path, "flow.verifier") == 0) return str_or_null(f->verifier);
    if (strcmp(path, "flow.nonce") == 0) return str_or_null(f->nonce);
    if (strcmp(path, "flow.step") == 0) return str_or_null(f->next_step);
    if (strcmp(path, "flow.device_code") == 0) return str_or_null(f->device_code);
    if (strcmp(path, "flow.user_code") == 0) return str_or_null(f->user_code);
    if (strcmp(path, "flow.verification_uri") == 0) return str_or_null(f->verification_uri);
    return NULL;
}

const char *state_describe(const lesson_state *st, const char *path, char *buf, size_t n)
{
    json_t *v = state_lookup(st, path);
    if (!v) {
        snprintf(buf, n, "%s is missing", path);
        return buf;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = strlen(s);
        if (len > 120)
            snprintf(buf, n, "%s = \"%.100s…\"", path, s);
        else
            snprintf(buf, n, "%s = \"%s\"", path, s);
    } else {
        char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, n, "%s = %.200s", path, j ? j : "?");
        free(j);
    }
    json_decref(v);
    return buf;
}
