/* SPDX-License-Identifier: MIT */
/* Unit tests for src/jose/verdict: one signature verdict for the decoder pane and the lesson check
 * decoder.signature. A table of tokens × the keys the learner's tools hold, each with the verdict
 * and the sentence both must show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/verdict.h"

#define LOGIN_SECRET "the-server-login-secret-of-43-characters-xx"
#define OTHER_SECRET "tokenlab-demo-secret-with-32-bytes!"

typedef struct fixture {
    jwk *login, *other, *lab, *server;
    jwks *server_set;
    char *login_tok;  /* HS256, the server's login secret */
    char *other_tok;  /* HS256, another secret */
    char *forged_tok; /* login_tok's header and signature over another payload */
    char *lab_tok;    /* ES256, the lab key */
    char *server_tok; /* ES256, the server's key (kid k1) */
} fixture;

static char *sign(const char *payload, jws_alg alg, const jwk *k)
{
    json_t *h = json_pack("{s:s}", "typ", "JWT");
    char *tok = NULL;
    tl_err e = {0};
    if (!jws_sign(h, (const uint8_t *)payload, strlen(payload), alg, k, false, &tok, &e))
        fail_msg("sign: %s", e.msg);
    json_decref(h);
    return tok;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->login = jwk_from_secret((const uint8_t *)LOGIN_SECRET, strlen(LOGIN_SECRET));
    f->other = jwk_from_secret((const uint8_t *)OTHER_SECRET, strlen(OTHER_SECRET));
    assert_true(jwk_generate(JWS_ES256, 0, &f->lab, NULL));
    assert_true(jwk_generate(JWS_ES256, 0, &f->server, NULL));
    assert_true(jwk_set_kid(f->server, "k1"));
    f->server_set = jwks_new();
    assert_true(jwks_add(f->server_set, f->server));
    f->login_tok = sign("{\"sub\":\"alice\"}", JWS_HS256, f->login);
    f->other_tok = sign("{\"sub\":\"alice\"}", JWS_HS256, f->other);
    const char *sig = strrchr(f->login_tok, '.');
    f->forged_tok = malloc(strlen(f->login_tok) + 64);
    /* {"sub":"mallory"} */
    sprintf(f->forged_tok, "%.*s.eyJzdWIiOiJtYWxsb3J5In0%s",
            (int)(strchr(f->login_tok, '.') - f->login_tok), f->login_tok, sig);
    f->lab_tok = sign("{\"sub\":\"lab\"}", JWS_ES256, f->lab);
    f->server_tok = sign("{\"sub\":\"srv\"}", JWS_ES256, f->server);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    jwk_free(f->login);
    jwk_free(f->other);
    jwk_free(f->lab);
    jwk_free(f->server);
    jwks_free(f->server_set);
    free(f->login_tok);
    free(f->other_tok);
    free(f->forged_tok);
    free(f->lab_tok);
    free(f->server_tok);
    free(f);
    return 0;
}

/* The keys as the TUI and the lesson state list them (pane_decoder.c verify, state.c
 * state_update_signature): signer, login secret, JWKS, lab key, the learner's key. */
static void judge(const fixture *f, const char *token, const jwk *signer, const jwk *given,
                  const char *given_for, verdict *v)
{
    jws *t = NULL;
    if (token) assert_true(jws_parse(token, strlen(token), &t, NULL));
    verdict_key keys[] = {
        {VERDICT_SIGNER, signer, NULL, "the key the lesson signed it with"},
        {VERDICT_ISSUER, f->login, NULL, "the server's login secret"},
        {VERDICT_ISSUER, NULL, f->server_set, "the server's JWKS"},
        {VERDICT_MAYBE, f->lab, NULL, "the lab key"},
        {verdict_same_token(t, given_for) ? VERDICT_GIVEN : VERDICT_MAYBE, given, NULL,
         "your secret"},
    };
    verdict_seen seen[] = {{"login", f->login_tok}};
    verdict_judge(t, keys, sizeof keys / sizeof keys[0], seen, 1, v);
    jws_free(t);
}

static void expect(const verdict *v, verdict_sig sig, const char *text)
{
    if (v->sig != sig || !strstr(v->message, text))
        fail_msg("got %s \"%s\", wanted %s with \"%s\"", verdict_sig_name(v->sig), v->message,
                 verdict_sig_name(sig), text);
}

static void table(void **state)
{
    fixture *f = *state;
    static const char *const unsigned_tok = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.";
    struct {
        const char *what;
        const char *token;
        const jwk *signer, *given;
        const char *given_for; /* NULL: the token itself */
        verdict_sig sig;
        const char *text;
    } rows[] = {
        {"server login token", f->login_tok, NULL, NULL, NULL, VERDICT_VALID,
         "signature verified with the server's login secret (HS256)"},
        /* issue 14.3: a secret given for another token does not stick to this one */
        {"login token, key given for another token", f->login_tok, NULL, f->other, f->other_tok,
         VERDICT_VALID, "signature verified with the server's login secret (HS256)"},
        {"login token, wrong key given for it", f->login_tok, NULL, f->other, NULL, VERDICT_INVALID,
         "(checked with your secret)"},
        {"login token edited: signature copied", f->forged_tok, NULL, NULL, NULL, VERDICT_INVALID,
         "which signed the login token this signature was copied from"},
        {"another secret's token", f->other_tok, NULL, NULL, NULL, VERDICT_INVALID,
         "not signed with the server's login secret"},
        {"another secret's token, its key given", f->other_tok, NULL, f->other, NULL, VERDICT_VALID,
         "signature verified with your secret"},
        {"edit of a token whose key was given", f->forged_tok, NULL, f->login, f->login_tok,
         VERDICT_INVALID, "signature does not match"},
        {"another secret's token, the lesson's key", f->other_tok, f->other, NULL, NULL,
         VERDICT_VALID, "signature verified with the key the lesson signed it with (HS256)"},
        {"the lesson's key does not fit, the server's does", f->login_tok, f->other, NULL, NULL,
         VERDICT_VALID, "the server's login secret"},
        {"tampered lesson token", f->forged_tok, f->login, NULL, NULL, VERDICT_INVALID,
         "(checked with the key the lesson signed it with)"},
        /* the pane did not try the lab key: it said "not verified" where the check said valid */
        {"lab-key token from elsewhere", f->lab_tok, NULL, NULL, NULL, VERDICT_VALID,
         "signature verified with the lab key (ES256)"},
        {"server-signed token", f->server_tok, NULL, NULL, NULL, VERDICT_VALID,
         "signature verified against the server's JWKS (kid k1)"},
        {"unsigned", unsigned_tok, NULL, NULL, NULL, VERDICT_UNSIGNED, "anyone could have"},
        {"no token", NULL, NULL, NULL, NULL, VERDICT_UNKNOWN, ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        verdict v;
        judge(f, rows[i].token, rows[i].signer, rows[i].given,
              rows[i].given_for ? rows[i].given_for : rows[i].token, &v);
        if (v.sig != rows[i].sig || !strstr(v.message, rows[i].text))
            fail_msg("%s: got %s \"%s\", wanted %s with \"%s\"", rows[i].what,
                     verdict_sig_name(v.sig), v.message, verdict_sig_name(rows[i].sig),
                     rows[i].text);
    }
}

static void no_key_fits(void **state)
{
    fixture *f = *state;
    jws *t = NULL;
    assert_true(jws_parse(f->other_tok, strlen(f->other_tok), &t, NULL));
    verdict v;
    verdict_judge(t, NULL, 0, NULL, 0, &v);
    expect(&v, VERDICT_UNKNOWN, "not verified: no key for HS256 yet (press K");
    /* a set is never tried on an HMAC token, and a kid the set lacks is "not verified" */
    verdict_key set_only[] = {{VERDICT_ISSUER, NULL, f->server_set, "the server's JWKS"}};
    verdict_judge(t, set_only, 1, NULL, 0, &v);
    expect(&v, VERDICT_UNKNOWN, "no key for HS256 yet");
    jws_free(t);
    assert_true(jws_parse(f->lab_tok, strlen(f->lab_tok), &t, NULL));
    verdict_judge(t, set_only, 1, NULL, 0, &v);
    expect(&v, VERDICT_INVALID, "(checked against the server's JWKS)");
    jws_free(t);
}

static void same_token_rule(void **state)
{
    fixture *f = *state;
    jws *t = NULL;
    assert_true(jws_parse(f->forged_tok, strlen(f->forged_tok), &t, NULL));
    assert_true(verdict_same_token(t, f->login_tok)); /* an edit keeps the signature */
    assert_false(verdict_same_token(t, f->other_tok));
    assert_false(verdict_same_token(t, NULL));
    assert_false(verdict_same_token(NULL, f->login_tok));
    jws_free(t);
    assert_string_equal(verdict_sig_name(VERDICT_UNSIGNED), "unsigned");
    assert_string_equal(verdict_sig_name(VERDICT_INVALID), "invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(no_key_fits),
        cmocka_unit_test(same_token_rule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
