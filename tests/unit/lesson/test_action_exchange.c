/* SPDX-License-Identifier: MIT */
/* The lesson `exchange` action against an embedded server: the client-side state marks an
 * authorization code used only when the server consumed it (RFC 6749 §4.1.2). A request refused
 * for client authentication (§5.2 invalid_client) did not touch the code, so the learner can retry
 * with the secret; a request refused for the code itself (invalid_grant) did consume it, and the
 * server then refuses a replay as "already used". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "closed_port.h"
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
    uint64_t inflight;
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

/* Runs one action line to its end; returns what the callback said. */
static done act(fx *f, const char *line)
{
    action_ctx c = {.http = f->h,
                    .server_url = server_base_url(f->srv),
                    .lab_key = server_lab_key(f->srv),
                    .st = f->st,
                    .inflight = &f->inflight};
    return act_run_line(&c, line);
}

static void get_code(fx *f)
{
    assert_true(act(f, "authorize client=demo-web scope=\"openid notes:read notes:write\"").ok);
    assert_true(act(f, "signin alice@example.com wonderland").ok);
    assert_true(act(f, "consent allow").ok);
    assert_non_null(f->st->flow.code);
}

/* The tester's repro (lesson 7's practical quiz): exchange without the secret, then with it. */
static void test_refused_client_keeps_code(void **state)
{
    fx *f = *state;
    get_code(f);
    char *code = strdup(f->st->flow.code);

    done d = act(f, "exchange");
    assert_true(d.ok); /* an HTTP error is not an action failure */
    assert_int_equal(f->st->response.status, 401);
    assert_string_equal(f->st->response.error, "invalid_client");
    assert_non_null(f->st->flow.code); /* the server did not look at it: still unused */
    assert_string_equal(f->st->flow.code, code);
    assert_null(f->st->flow.used_code);
    /* nothing was consumed, so there is nothing to replay */
    d = act(f, "exchange code=used client_secret=demo-web-secret");
    assert_false(d.ok);
    assert_non_null(strstr(d.msg, "there is no used authorization code"));

    d = act(f, "exchange client_secret=demo-web-secret");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_non_null(f->st->tokens[STATE_TOK_ACCESS]);
    assert_null(f->st->flow.code);
    assert_string_equal(f->st->flow.used_code, code);

    /* now it is used: the next plain exchange says so, and a replay is refused by the server */
    d = act(f, "exchange client_secret=demo-web-secret");
    assert_false(d.ok);
    assert_non_null(strstr(d.msg, "there is no unused authorization code"));
    d = act(f, "exchange code=used client_secret=demo-web-secret");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 400);
    assert_string_equal(f->st->response.error, "invalid_grant");
    free(code);
}

/* A refusal of the code itself (here: redirect_uri differs, RFC 6749 §4.1.3) does not use it up
 * (issue 12): the client keeps it, and the exchange that gets it right then works. */
static void test_refused_code_is_used(void **state)
{
    fx *f = *state;
    get_code(f);
    char *code = strdup(f->st->flow.code);
    done d = act(f, "exchange client_secret=demo-web-secret redirect_uri=http://localhost:3000/x");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 400);
    assert_string_equal(f->st->response.error, "invalid_grant");
    assert_string_equal(f->st->flow.code, code);
    assert_null(f->st->flow.used_code);
    d = act(f, "exchange client_secret=demo-web-secret");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_null(f->st->flow.code);
    assert_string_equal(f->st->flow.used_code, code);
    free(code);
}

/* callback: another session's browser arrives with a code it did not ask for (login CSRF, RFC 6749
 * §10.12). A client that compares state refuses it without asking the server; with check=off it
 * redeems the attacker's code into the victim's session. */
static void test_callback_state(void **state)
{
    fx *f = *state;
    assert_true(act(f, "authorize client=demo-web scope=openid pkce=none state=mallory-state").ok);
    assert_true(act(f, "signin bob@example.com builder").ok);
    assert_true(act(f, "consent allow").ok);
    char *code = strdup(f->st->flow.code);
    done d = act(f, "callback client_secret=demo-web-secret expect=alice-state");
    assert_true(d.ok);
    assert_string_equal(f->st->response.error, "state_mismatch");
    assert_non_null(strstr(f->st->response.error_description, "'mallory-state'"));
    assert_non_null(strstr(f->st->response.error_description, "'alice-state'"));
    assert_int_equal(f->st->response.status, 0); /* nothing was sent */
    assert_null(f->st->tokens[STATE_TOK_ACCESS]);
    assert_string_equal(f->st->flow.code, code); /* not redeemed */
    /* a session that started no login at all refuses a callback with a state too */
    d = act(f, "callback client_secret=demo-web-secret expect=none");
    assert_true(d.ok);
    assert_string_equal(f->st->response.error, "state_mismatch");
    /* the bug: no comparison, and the victim's session gets the attacker's account */
    d = act(f, "callback check=off state=mallory-state expect=alice-state "
               "client_secret=demo-web-secret");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 200);
    assert_non_null(f->st->tokens[STATE_TOK_ACCESS]);
    assert_string_equal(f->st->flow.used_code, code);
    /* matching states: the client redeems (here the code is used up: invalid_grant) */
    d = act(f, "callback code=used state=s expect=s client_secret=demo-web-secret");
    assert_true(d.ok);
    assert_int_equal(f->st->response.status, 400);
    assert_string_equal(f->st->response.error, "invalid_grant");
    assert_non_null(strstr(f->st->response.error_description, "already used"));
    free(code);
}

/* No answer at all (a port held closed, tests/closed_port.h): the client cannot know whether the
 * server saw the code, so it stays for a retry. */
static void test_transport_failure_keeps_code(void **state)
{
    fx *f = *state;
    get_code(f);
    char *code = strdup(f->st->flow.code);
    int held = -1;
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", closed_port(&held));
    action_ctx c = {.http = f->h, .server_url = dead, .st = f->st};
    done d = act_run_line(&c, "exchange client_secret=demo-web-secret");
    assert_false(d.ok);
    assert_non_null(f->st->flow.code);
    assert_string_equal(f->st->flow.code, code);
    assert_null(f->st->flow.used_code);
    close(held);
    free(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused_client_keeps_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_code_is_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_failure_keeps_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_state, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
