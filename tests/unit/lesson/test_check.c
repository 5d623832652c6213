/* SPDX-License-Identifier: MIT */
/* Unit tests for src/lesson/check.c and state.c: each operator, `not`, missing paths, the paths
 * the condition language knows, and the decoder's signature status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "lesson/check.h"
#include "lesson/parse.h"
#include "lesson/state.h"

static bool holds(const lesson_state *st, const char *text)
{
    lesson_cond c;
    tl_err e = {0};
    if (!check_parse(text, &c, &e)) fail_msg("check_parse(%s): %s", text, e.msg);
    bool r = check_eval(&c, st, NULL, 0);
    check_cond_free(&c);
    return r;
}

/* An HS256 token with the given claims, signed with `secret`. Caller frees. */
static char *hs256(const char *claims, const char *secret)
{
    json_t *h = json_pack("{s:s}", "typ", "JWT");
    jwk *k = jwk_from_secret((const uint8_t *)secret, strlen(secret));
    char *tok = NULL;
    assert_true(
        jws_sign(h, (const uint8_t *)claims, strlen(claims), JWS_HS256, k, false, &tok, NULL));
    json_decref(h);
    jwk_free(k);
    return tok;
}

static void test_ops(void **state)
{
    (void)state;
    lesson_state *st = state_new();
    /* nothing yet: every positive op is false, `not` flips it */
    assert_false(holds(st, "response.status == 200"));
    assert_false(holds(st, "response.status exists"));
    assert_true(holds(st, "not response.status exists"));
    assert_false(holds(
        st, "response.status != 200")); /* a missing value equals nothing, differs from nothing */
    assert_false(holds(st, "decoder.claim.sub exists"));

    st->response.status = 401;
    state_set_str(&st->response.url, "http://x/api");
    state_set_str(&st->response.error, "invalid_token");
    st->response.json = json_pack("{s:s, s:i, s:[s,s], s:{s:b}}", "scope", "openid notes:read",
                                  "expires_in", 300, "aud", "a", "b", "nested", "active", 1);
    assert_true(holds(st, "response.status == 401"));
    assert_true(holds(st, "response.status != 200"));
    assert_false(holds(st, "response.status == 4010"));
    assert_true(holds(st, "response.status > 400"));
    assert_true(holds(st, "response.status < 402"));
    assert_false(holds(st, "response.status < 401"));
    assert_true(holds(st, "response.error == invalid_token"));
    assert_true(holds(st, "response.error contains token"));
    assert_true(holds(st, "not response.error contains grant"));
    assert_true(holds(st, "response.json.scope contains notes:read"));
    assert_false(holds(st, "response.json.scope contains notes:write"));
    assert_true(holds(st, "response.json.scope == \"openid notes:read\""));
    assert_true(holds(st, "response.json.expires_in == 300"));
    assert_true(holds(st, "response.json.expires_in > 299"));
    assert_true(holds(st, "response.json.aud contains b"));
    assert_false(holds(st, "response.json.aud contains c"));
    assert_true(holds(st, "response.json.nested.active == true"));
    assert_false(holds(st, "response.json.missing exists"));
    /* < and > on a string that is not a number are false */
    assert_false(holds(st, "response.error > 3"));
    /* an empty string is there, but does not count as existing */
    json_object_set_new(st->response.json, "empty", json_string(""));
    assert_false(holds(st, "response.json.empty exists"));
    assert_true(holds(st, "not response.json.empty exists"));
    assert_true(holds(st, "response.json.scope exists"));

    char why[256];
    lesson_cond c;
    assert_true(check_parse("response.status == 200", &c, NULL));
    assert_false(check_eval(&c, st, why, sizeof why));
    assert_string_equal(why, "response.status = 401");
    check_cond_free(&c);
    assert_true(check_parse("response.json.nope exists", &c, NULL));
    assert_false(check_eval(&c, st, why, sizeof why));
    assert_string_equal(why, "response.json.nope is missing");
    check_cond_free(&c);

    assert_true(holds(st, "lab.alg-none == off"));
    state_set_lab(st, "alg-none", true);
    assert_true(holds(st, "lab.alg-none == on"));
    state_free(st);
}

static void test_decoder_and_tokens(void **state)
{
    (void)state;
    lesson_state *st = state_new();
    int64_t now = (int64_t)time(NULL);
    char claims[256];
    snprintf(claims, sizeof claims, "{\"sub\":\"alice\",\"scope\":\"notes:read\",\"exp\":%lld}",
             (long long)(now + 600));
    char *tok = hs256(claims, "a-very-long-secret-that-is-32-bytes!");
    state_set_decoder(st, tok);
    assert_true(holds(st, "decoder.claim.sub == alice"));
    assert_true(holds(st, "decoder.header.alg == HS256"));
    assert_true(holds(st, "decoder.expired == false"));
    assert_true(holds(st, "decoder.signature == unknown")); /* no key known yet */
    st->login_secret = jwk_from_secret((const uint8_t *)"a-very-long-secret-that-is-32-bytes!", 36);
    state_update_signature(st);
    assert_true(holds(st, "decoder.signature == valid"));
    /* fast-forward past exp */
    st->clock_offset = 601;
    assert_true(holds(st, "decoder.expired == true"));
    st->clock_offset = 0;
    /* one changed byte in the payload: invalid */
    char *bad = strdup(tok);
    char *dot = strchr(bad, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    state_set_decoder(st, bad);
    assert_true(holds(st, "decoder.signature == invalid"));
    free(bad);
    /* unsigned */
    state_set_decoder(st, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.");
    assert_true(holds(st, "decoder.signature == unsigned"));
    assert_true(holds(st, "decoder.claim.sub == mallory"));
    /* garbage: no claims, an error */
    state_set_decoder(st, "not a token");
    assert_false(holds(st, "decoder.claim.sub exists"));
    assert_true(holds(st, "decoder.error exists"));
    state_set_decoder(st, NULL);
    assert_false(holds(st, "decoder.signature exists"));

    state_set_token(st, STATE_TOK_ACCESS, tok);
    assert_true(holds(st, "tokens.access exists"));
    assert_true(holds(st, "tokens.access.claim.scope contains notes:read"));
    assert_true(holds(st, "tokens.access.expired == false"));
    assert_false(holds(st, "tokens.refresh exists"));
    assert_false(holds(st, "tokens.refresh.claim.sub exists"));
    state_clear(st);
    assert_false(holds(st, "tokens.access exists"));
    free(tok);
    state_free(st);
}

static void test_paths(void **state)
{
    (void)state;
    const char *known[] = {"response.status",
                           "response.error",
                           "response.json.x",
                           "decoder.header.kid",
                           "decoder.claim.https://example.com/roles",
                           "decoder.signature",
                           "decoder.expired",
                           "tokens.access",
                           "tokens.id.claim.nonce",
                           "tokens.refresh",
                           "tokens.login.expired",
                           "server.last_refusal",
                           "verify.result",
                           "crack.secret",
                           "lab.alg-none",
                           "flow.code",
                           NULL};
    for (size_t i = 0; known[i]; i++) {
        if (!state_path_known(known[i])) fail_msg("should be known: %s", known[i]);
    }
    const char *unknown[] = {"response",
                             "response.json.",
                             "decoder.claim.",
                             "tokens.bearer",
                             "tokens.access.claim.",
                             "tokens.accessx",
                             "server",
                             "lab.",
                             "verify",
                             "",
                             NULL};
    for (size_t i = 0; unknown[i]; i++) {
        if (state_path_known(unknown[i])) fail_msg("should be unknown: '%s'", unknown[i]);
    }
    assert_int_equal(state_token_from_name("refresh"), STATE_TOK_REFRESH);

    lesson_state *st = state_new();
    assert_false(holds(st, "flow.state_matches exists")); /* no redirect yet */
    state_set_str(&st->flow.next_step, "redirect");
    state_set_str(&st->flow.state, "abc");
    state_set_str(&st->flow.returned_state, "abc");
    assert_true(holds(st, "flow.state_matches == true"));
    state_set_str(&st->flow.returned_state, "evil");
    assert_true(holds(st, "flow.state_matches == false"));
    state_set_str(&st->flow.returned_state, NULL);
    assert_true(holds(st, "flow.state_matches == false"));
    state_free(st);
    assert_int_equal(state_token_from_name("bearer"), -1);
}

static void *poster(void *ud)
{
    lesson_state *st = ud;
    for (int i = 0; i < 200; i++)
        state_post_refusal(st, "invalid_grant", "PKCE code_verifier does not match");
    return NULL;
}

/* The server's view: refusals posted from other threads land in server.* when drained. */
static void test_server_events(void **state)
{
    (void)state;
    lesson_state *st = state_new();
    state_post_refusal(st, "invalid_request", "first");
    state_post_refusal(st, NULL, "a refusal without a code keeps the last code");
    assert_false(holds(st, "server.last_refusal exists")); /* not before the drain */
    state_drain_events(st);
    assert_true(holds(st, "server.last_refusal == invalid_request"));
    assert_true(holds(st, "server.last_refusal_message contains \"without a code\""));
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, poster, st);
    for (int k = 0; k < 50; k++) state_drain_events(st);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    state_drain_events(st);
    assert_true(holds(st, "server.last_refusal == invalid_grant"));
    state_post_refusal(st, "stale", "from before the lesson started");
    state_clear(st);
    state_drain_events(st);
    assert_false(holds(st, "server.last_refusal exists"));
    state_post_refusal(st, "x", "left in the inbox: freed with the state");
    state_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops),
        cmocka_unit_test(test_decoder_and_tokens),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_server_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
