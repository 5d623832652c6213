/* SPDX-License-Identifier: MIT */
/* The shipped course (lessons/) against an embedded server: practical quizzes pass only when the
 * task is done (not on a half-way state), and text quizzes accept the reasonable phrasings of the
 * right answer while still refusing wrong ones. Each case is a learner's path from a walkthrough.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lesson/course.h"
#include "lesson/engine.h"
#include "lesson/progress.h"
#include "oauth/http.h"
#include "server/server.h"

typedef struct fx {
    course *c;
    server *srv;
    http_client *h;
    engine *en;
} fx;

static const char *secret_of(void *ud, size_t *len)
{
    return server_login_secret((server *)ud, len);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    course_options o = {.dir = TOKENLAB_SOURCE_DIR "/lessons", .only_dir = true, .lang = "en"};
    parse_diags d = {0};
    f->c = course_load(&o, &d, NULL);
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s\n", d.msgs[i]);
    bool clean = d.n == 0;
    parse_diags_free(&d);
    if (!f->c || !clean) return -1;
    server_options so = {.listen = "127.0.0.1:0"};
    if (!server_start(&so, &f->srv, NULL)) return -1;
    f->h = http_client_new();
    engine_options eo = {.http = f->h,
                         .server_url = server_base_url(f->srv),
                         .lab_key = server_lab_key(f->srv),
                         .login_secret_fn = secret_of,
                         .login_secret_ud = f->srv,
                         .course = f->c};
    if (!f->h || !engine_new(&eo, &f->en, NULL)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    engine_free(f->en);
    http_client_free(f->h);
    server_stop(f->srv);
    course_free(f->c);
    free(f);
    return 0;
}

typedef struct got {
    bool done;
    engine_feedback fb;
} got;

static void on_done(void *ud, const engine_feedback *fb)
{
    got *g = ud;
    g->done = true;
    g->fb = *fb;
}

static void wait_got(fx *f, got *g)
{
    for (int i = 0; !g->done && i < 100; i++) http_wait(f->h, 100);
    assert_true(g->done);
}

/* Opens lesson `lid` and goes to item `item` (a step or quiz id). */
static void go(fx *f, const char *lid, const char *item)
{
    size_t idx = 0;
    assert_non_null(course_find(f->c, lid, &idx));
    got g = {0};
    assert_true(engine_open(f->en, idx, on_done, &g, NULL));
    wait_got(f, &g);
    for (size_t i = 0; i < engine_item_count(f->en); i++) {
        assert_true(engine_goto(f->en, i));
        const lesson_block *b = engine_item(f->en);
        const char *id = b->kind == LESSON_STEP ? b->step->id : b->quiz->id;
        if (strcmp(id, item) == 0) return;
    }
    fail_msg("no item %s in lesson %s", item, lid);
}

/* Runs one action line as the action console does, then evaluates the current item's checks. */
static engine_verdict console(fx *f, const char *line, engine_feedback *fb)
{
    lesson_action a = {.line = 1};
    assert_true(parse_words(line, &a.argv, &a.argc, NULL));
    a.text = strdup(line);
    got g = {0};
    assert_true(engine_run_actions(f->en, &a, 1, on_done, &g, NULL));
    wait_got(f, &g);
    parse_words_free(a.argv, a.argc);
    free(a.text);
    assert_int_equal(g.fb.verdict, ENGINE_OK); /* the action itself ran */
    engine_check(f->en, fb);
    return fb->verdict;
}

/* Lesson 1: logging in as Bob is half the task; the API call with his token is the other half. */
static void test_api_login_bob_needs_the_call(void **state)
{
    fx *f = *state;
    engine_feedback fb;
    go(f, "api-auth", "q-api-login-bob");
    assert_int_equal(console(f, "login bob@example.com builder", &fb), ENGINE_FAIL);
    assert_int_equal(console(f, "api GET /api/profile token=login", &fb), ENGINE_OK);
    /* Alice's token in the call does not count either */
    go(f, "api-auth", "q-api-login-bob");
    assert_int_equal(console(f, "login bob@example.com builder", &fb), ENGINE_FAIL);
    assert_int_equal(console(f, "decode login", &fb), ENGINE_FAIL);
    lesson_state *st = engine_state(f->en);
    assert_non_null(st->tokens[STATE_TOK_LOGIN]);
    char *bob = strdup(st->tokens[STATE_TOK_LOGIN]);
    assert_int_equal(console(f, "login alice@example.com wonderland", &fb), ENGINE_FAIL);
    assert_int_equal(console(f, "api GET /api/profile token=login", &fb), ENGINE_FAIL);
    state_set_token(st, STATE_TOK_LOGIN, bob); /* Bob's token held, Alice's answer last */
    engine_check(f->en, &fb);
    assert_int_equal(fb.verdict, ENGINE_FAIL);
    free(bob);
}

/* Lesson 2: a token whose payload was edited (stale signature) is not "signed with HS256". */
static void test_mint_role_needs_a_valid_signature(void **state)
{
    fx *f = *state;
    engine_feedback fb;
    go(f, "jwt-anatomy", "q-jwt-mint-role");
    assert_int_equal(
        console(f, "mint alg=HS256 secret=lesson-secret claims='{\"role\":\"admin\"}'", &fb),
        ENGINE_FAIL);
    assert_int_equal(console(f, "tamper claim.role=reader", &fb), ENGINE_FAIL);
    assert_non_null(strstr(fb.message, "decoder.signature = \"invalid\""));
    /* the same edit on a server token */
    assert_int_equal(console(f, "login alice@example.com wonderland", &fb), ENGINE_FAIL);
    assert_int_equal(console(f, "tamper claim.role=reader", &fb), ENGINE_FAIL);
    /* re-signing the edited token does the task */
    assert_int_equal(console(f, "resign alg=HS256 secret=my-own-secret", &fb), ENGINE_OK);
    go(f, "jwt-anatomy", "q-jwt-mint-role");
    assert_int_equal(
        console(f, "mint alg=HS256 secret=lesson-secret claims='{\"role\":\"reader\"}'", &fb),
        ENGINE_OK);
}

/* Lesson 12: "How many bytes should a random HS256 secret have, at least?" */
static void test_secret_length_phrasings(void **state)
{
    fx *f = *state;
    size_t idx = 0;
    const lesson *l = course_find(f->c, "jwt-attacks", &idx);
    assert_non_null(l);
    const lesson_quiz *q = NULL;
    for (size_t i = 0; i < parse_item_count(l); i++) {
        const lesson_block *b = parse_item(l, i);
        if (b->kind == LESSON_QUIZ && strcmp(b->quiz->id, "q-atk-secret-length") == 0) q = b->quiz;
    }
    assert_non_null(q);
    const char *right[] = {"32",          "32 bytes",
                           "at least 32", "At least 32 bytes.",
                           "32 or more",  ">= 32",
                           "thirty-two",  "at least thirty-two bytes",
                           "256 bits",    "at least 256 bits"};
    for (size_t i = 0; i < sizeof right / sizeof right[0]; i++)
        if (!engine_text_correct(q, right[i])) fail_msg("'%s' was judged wrong", right[i]);
    const char *wrong[] = {"16", "at least 16", "64 bytes", "256", "32 bits", "at most 32"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        if (engine_text_correct(q, wrong[i])) fail_msg("'%s' was judged right", wrong[i]);
}

static char *slurp(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TOKENLAB_SOURCE_DIR, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, fp);
    fclose(fp);
    buf[n] = 0;
    return buf;
}

/* The `step NAME …` line of a flow file, or fails. */
static const char *flow_step(const char *flow, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\nstep %s ", name);
    const char *p = strstr(flow, key);
    if (!p) fail_msg("flow has no step %s", name);
    return p + 1;
}

/* Lesson 7 and its flow diagram say what the server does: the browser carries the authorization
 * request (front channel), the redirect with the code is a 303, and the token answer for the
 * lesson's scope has a refresh token. */
static void test_auth_code_text_and_diagram_match_the_server(void **state)
{
    fx *f = *state;
    engine_feedback fb;
    go(f, "auth-code", "exchange");
    assert_int_equal(
        console(f, "authorize client=demo-web scope=\"openid profile notes:read\"", &fb),
        ENGINE_FAIL);
    assert_int_equal(console(f, "signin alice@example.com wonderland", &fb), ENGINE_FAIL);
    /* the consent form as a browser posts it (no Accept: application/json): a real redirect */
    lesson_state *st = engine_state(f->en);
    char url[256], body[512];
    snprintf(url, sizeof url, "%s/authorize/consent", server_base_url(f->srv));
    snprintf(body, sizeof body, "session=%s&session_secret=%s&csrf=%s&decision=allow",
             st->flow.session, st->flow.session_secret, st->flow.csrf);
    http_request *req = http_request_new("POST", url);
    assert_true(
        http_request_set_body(req, "application/x-www-form-urlencoded", body, strlen(body)));
    http_exchange *x = http_send_wait(f->h, req, NULL);
    http_request_free(req);
    assert_non_null(x);
    long status = x->status;
    const char *loc = x->location;
    assert_non_null(loc);
    assert_non_null(strstr(loc, "code="));
    http_exchange_unref(x);

    char *text = slurp("lessons/07-auth-code.md");
    char *flow = slurp("assets/flows/auth-code-pkce.flow");
    char want[32];
    snprintf(want, sizeof want, "HTTP/1.1 %ld ", status);
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof want, "%ld to redirect_uri", status);
    assert_non_null(strstr(flow_step(flow, "redirect"), want));
    assert_null(strstr(flow, status == 303 ? "302" : "303"));
    /* both front-channel legs go through the browser */
    assert_true(strncmp(flow_step(flow, "authorize"), "step authorize learner -> as:", 29) == 0);
    assert_true(strncmp(flow_step(flow, "redirect"), "step redirect as -> learner:", 28) == 0);

    /* the lesson's own exchange: a refresh token comes along, as the diagram and the text say */
    go(f, "auth-code", "exchange");
    assert_int_equal(
        console(f, "authorize client=demo-web scope=\"openid profile notes:read\"", &fb),
        ENGINE_FAIL);
    assert_int_equal(console(f, "signin alice@example.com wonderland", &fb), ENGINE_FAIL);
    assert_int_equal(console(f, "consent allow", &fb), ENGINE_FAIL);
    assert_int_equal(console(f, "exchange client_secret=demo-web-secret", &fb), ENGINE_OK);
    bool refresh = st->tokens[STATE_TOK_REFRESH] != NULL;
    const char *tokens = flow_step(flow, "tokens");
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(tokens, "\n"), tokens);
    assert_int_equal(refresh, strstr(line, "refresh_token") != NULL);
    assert_int_equal(refresh, strstr(text, "\"refresh_token\":") != NULL);
    free(text);
    free(flow);
}

/* Lesson 1, step 1: no credential at all. RFC 6750 §3.1: the challenge then carries no error code,
 * and the lesson says so. */
static void test_no_credential_challenge(void **state)
{
    fx *f = *state;
    char url[256];
    snprintf(url, sizeof url, "%s/api/profile", server_base_url(f->srv));
    http_request *req = http_request_new("GET", url);
    http_exchange *x = http_send_wait(f->h, req, NULL);
    http_request_free(req);
    assert_non_null(x);
    assert_int_equal(x->status, 401);
    const char *ch = http_exchange_header(x, "WWW-Authenticate");
    assert_non_null(ch);
    assert_true(strncmp(ch, "Bearer", 6) == 0);
    assert_null(strstr(ch, "error="));
    http_exchange_unref(x);
    char *text = slurp("lessons/01-api-auth.md");
    const char *step = strstr(text, "```step no-token");
    assert_non_null(step);
    const char *ok = strstr(step, "\nok: ");
    assert_non_null(ok);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(ok + 1, "\n"), ok + 1);
    assert_non_null(strstr(line, "names no error code"));
    free(text);
}

/* Lesson 7 resumed after a restart at "Read Alice's notes": the steps before it are done in
 * progress, but the access token is gone. The advice goes back to the step that starts the flow. */
static void test_resumed_flow_advice(void **state)
{
    fx *f = *state;
    char dir[] = "/tmp/tl-content-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/progress.json", dir);
    progress *p = NULL;
    assert_true(progress_open(path, &p, NULL, 0, NULL));
    const char *done[] = {"authorize", "signin", "consent", "exchange"};
    for (size_t i = 0; i < 4; i++) assert_true(progress_mark_step(p, "auth-code", done[i], NULL));
    engine_options eo = {.http = f->h,
                         .server_url = server_base_url(f->srv),
                         .lab_key = server_lab_key(f->srv),
                         .course = f->c,
                         .progress = p};
    engine *en = NULL;
    assert_true(engine_new(&eo, &en, NULL));
    engine *keep = f->en;
    f->en = en;
    go(f, "auth-code", "read-notes");
    got g = {0};
    assert_true(engine_run(en, false, on_done, &g, NULL));
    wait_got(f, &g);
    assert_int_equal(g.fb.verdict, ENGINE_ERROR);
    assert_non_null(strstr(g.fb.message, "there is no access token yet"));
    assert_non_null(strstr(g.fb.message,
                           "Run the earlier steps from \"Send Alice to the authorization server\" "
                           "to \"Exchange the code for tokens\" again: tokens are not kept between "
                           "runs."));
    f->en = keep;
    engine_free(en);
    progress_free(p);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_api_login_bob_needs_the_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mint_role_needs_a_valid_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_length_phrasings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_credential_challenge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resumed_flow_advice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_code_text_and_diagram_match_the_server, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
