/* SPDX-License-Identifier: MIT */
/* The lesson action `verify-id`: the ID token from a real code flow is checked as a client must
 * (OIDC Core §3.1.3.7, oauth/idtoken.c) — valid as issued; refused when the nonce the client sent
 * differs (a replayed token), when the token was issued to another client, and when the access
 * token beside it is not the one it was issued with (at_hash, §3.1.3.8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/action.h"
#include "lesson/parse.h"
#include "lesson/state.h"
#include "oauth/http.h"
#include "server/server.h"

#include "action_run.h"

typedef struct fx {
    server *srv;
    http_client *h;
    lesson_state *st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    server_options so = {.listen = "127.0.0.1:0"};
    if (!f || !server_start(&so, &f->srv, NULL)) return -1;
    f->h = http_client_new();
    f->st = state_new();
    if (!f->h || !f->st) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    http_client_free(f->h);
    state_free(f->st);
    server_stop(f->srv);
    free(f);
    return 0;
}

static done act(fx *f, const char *line)
{
    action_ctx c = {.http = f->h, .server_url = server_base_url(f->srv), .st = f->st};
    return act_run_line(&c, line);
}

static void verify_id_says(fx *f, const char *result)
{
    done d = act(f, "verify-id");
    assert_true(d.ok); /* the verdict is in verify.*, the action itself succeeded */
    assert_non_null(f->st->verify_result);
    if (strcmp(f->st->verify_result, result) != 0)
        fail_msg("verify.result is %s (%s), wanted %s", f->st->verify_result,
                 f->st->verify_message ? f->st->verify_message : "", result);
}

static void test_verify_id(void **state)
{
    fx *f = *state;
    done d = act(f, "verify-id");
    assert_false(d.ok);
    assert_non_null(strstr(d.msg, "verify-id: there is no ID token yet"));

    assert_true(act(f, "authorize client=demo-web scope=openid").ok);
    assert_true(act(f, "signin alice@example.com wonderland").ok);
    assert_true(act(f, "consent allow").ok);
    assert_true(act(f, "exchange client_secret=demo-web-secret").ok);
    assert_int_equal(f->st->response.status, 200);
    assert_non_null(f->st->tokens[STATE_TOK_ID]);
    verify_id_says(f, "valid");

    char *nonce = strdup(f->st->flow.nonce);
    state_set_str(&f->st->flow.nonce, "not-the-nonce-we-sent");
    verify_id_says(f, "idtoken.nonce");
    state_set_str(&f->st->flow.nonce, nonce);
    free(nonce);

    state_set_str(&f->st->flow.client_id, "tokenlab-cli");
    verify_id_says(f, "jwt.aud");
    state_set_str(&f->st->flow.client_id, "demo-web");

    state_set_token(f->st, STATE_TOK_ACCESS, "another.access.token");
    verify_id_says(f, "idtoken.at_hash");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_id, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
