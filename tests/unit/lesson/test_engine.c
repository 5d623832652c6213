/* SPDX-License-Identifier: MIT */
/* Unit tests for src/lesson/engine.c on the fixture lessons in fixtures/ (offline actions only):
 * step feedback (ok / first matching fail / generic), hints in order, quiz scoring of every type,
 * answer normalization, navigation and progress saved after every change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lesson/course.h"
#include "lesson/engine.h"
#include "lesson/progress.h"
#include "oauth/http.h"
#include "server/server.h"

typedef struct fx {
    course *c;
    http_client *h;
    progress *p;
    engine *en;
    char dir[64];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    course_options o = {
        .dir = TOKENLAB_SOURCE_DIR "/tests/unit/lesson/fixtures", .only_dir = true, .lang = "en"};
    parse_diags d = {0};
    f->c = course_load(&o, &d, NULL);
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s\n", d.msgs[i]);
    if (!f->c || d.n) return -1;
    parse_diags_free(&d);
    f->h = http_client_new();
    snprintf(f->dir, sizeof f->dir, "/tmp/tl-engine-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/progress.json", f->dir);
    if (!progress_open(path, &f->p, NULL, 0, NULL)) return -1;
    engine_options eo = {
        .http = f->h, .server_url = "http://127.0.0.1:9", .course = f->c, .progress = f->p};
    if (!engine_new(&eo, &f->en, NULL)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    engine_free(f->en);
    progress_free(f->p);
    http_client_free(f->h);
    course_free(f->c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

typedef struct got {
    int calls;
    engine_feedback fb;
} got;

static void on_done(void *ud, const engine_feedback *fb)
{
    got *g = ud;
    g->calls++;
    g->fb = *fb;
}

static void open_lesson(fx *f)
{
    got g = {0};
    assert_true(engine_open(f->en, 0, on_done, &g, NULL));
    assert_int_equal(g.calls, 1); /* no lab switches: done at once */
    assert_int_equal(g.fb.verdict, ENGINE_OK);
    assert_int_equal(engine_item_count(f->en), 7);
}

static void test_step_feedback(void **state)
{
    fx *f = *state;
    open_lesson(f);
    got g = {0};
    /* step 1: mint; checks hold, ok text */
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.fb.verdict, ENGINE_OK);
    assert_string_equal(g.fb.message, "Minted.");
    assert_true(engine_item_done(f->en, 0));
    /* step 2: tamper; the check fails and the FIRST matching fail: text is shown */
    assert_true(engine_next(f->en));
    g = (got){0};
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_int_equal(g.fb.verdict, ENGINE_FAIL);
    assert_string_equal(g.fb.message, "The signature broke, as it should.");
    assert_non_null(strstr(g.fb.detail, "check 'decoder.signature == valid' does not hold"));
    assert_non_null(strstr(g.fb.detail, "decoder.signature = \"invalid\""));
    assert_false(engine_item_done(f->en, 1));
    /* step 3: nothing to run; checking now fails with the generic message, then the learner edits
     */
    assert_true(engine_next(f->en));
    engine_feedback fb;
    engine_check(f->en, &fb);
    assert_int_equal(fb.verdict, ENGINE_FAIL);
    assert_string_equal(
        fb.message,
        "Not yet: decoder.claim.role is missing (expected: decoder.claim.role == admin).");
    g = (got){0};
    assert_true(engine_run(f->en, true, on_done, &g, NULL)); /* with the solution */
    assert_int_equal(g.fb.verdict, ENGINE_OK);
    assert_string_equal(g.fb.message, "You did it.");
    /* progress holds the done steps, and where we are */
    assert_true(progress_step_done(f->p, "offline", "mint"));
    assert_false(progress_step_done(f->p, "offline", "tamper"));
    assert_true(progress_step_done(f->p, "offline", "by-hand"));
    assert_string_equal(progress_current_item(f->p), "by-hand");
}

static void test_hints_in_order(void **state)
{
    fx *f = *state;
    open_lesson(f);
    assert_true(engine_goto(f->en, 1));
    assert_int_equal(engine_hints_shown(f->en), 0);
    assert_string_equal(engine_hint(f->en), "first");
    assert_string_equal(engine_hint(f->en), "second");
    assert_int_equal(engine_hints_shown(f->en), 2);
    assert_string_equal(engine_hint(f->en), "third");
    assert_null(engine_hint(f->en));
    assert_int_equal(engine_hints_shown(f->en), 3);
    /* another item has its own count */
    assert_true(engine_goto(f->en, 0));
    assert_int_equal(engine_hints_shown(f->en), 0);
    assert_string_equal(engine_hint(f->en), "nudge");
    assert_false(engine_goto(f->en, 99));
}

static void test_quiz_scoring(void **state)
{
    fx *f = *state;
    open_lesson(f);
    engine_feedback fb;
    /* single: wrong first (counts), then right */
    assert_true(engine_goto(f->en, 3));
    bool pick_a[3] = {true, false, false};
    engine_answer_choices(f->en, pick_a, 3, &fb);
    assert_int_equal(fb.verdict, ENGINE_FAIL);
    assert_string_equal(fb.message, "Not quite. The answer: b");
    assert_string_equal(fb.explain, "b is right.");
    bool pick_b[3] = {false, true, false};
    engine_answer_choices(f->en, pick_b, 3, &fb);
    assert_int_equal(fb.verdict, ENGINE_OK);
    assert_int_equal(progress_quiz_result(f->p, "offline", "q-single"), 0);
    /* nothing chosen is not an answer */
    bool none[3] = {false, false, false};
    engine_answer_choices(f->en, none, 3, &fb);
    assert_int_equal(fb.verdict, ENGINE_ERROR);
    assert_null(fb.explain); /* the explanation would give the answer away */
    /* multi: nothing chosen first — no explanation, and no attempt recorded */
    assert_true(engine_goto(f->en, 4));
    engine_answer_choices(f->en, none, 3, &fb);
    assert_int_equal(fb.verdict, ENGINE_ERROR);
    assert_null(fb.explain);
    assert_int_equal(progress_quiz_result(f->p, "offline", "q-multi"), -1);
    /* multi: all and only the right ones */
    bool partial[3] = {true, false, false};
    const lesson_quiz *q = engine_item(f->en)->quiz;
    assert_false(engine_choices_correct(q, partial, 3));
    bool extra[3] = {true, true, true};
    assert_false(engine_choices_correct(q, extra, 3));
    bool right[3] = {true, false, true};
    engine_answer_choices(f->en, right, 3, &fb);
    assert_int_equal(fb.verdict, ENGINE_OK);
    assert_non_null(fb.explain);
    assert_int_equal(progress_quiz_result(f->p, "offline", "q-multi"), 1); /* first real try */
    /* text: normalized */
    assert_true(engine_goto(f->en, 5));
    engine_answer_text(f->en, "  authorization   HEADER. ", &fb);
    assert_int_equal(fb.verdict, ENGINE_OK);
    q = engine_item(f->en)->quiz;
    assert_true(engine_text_correct(q, "`Authorization`"));
    assert_true(engine_text_correct(q, "authorization!"));
    assert_false(engine_text_correct(q, "Authorisation"));
    assert_false(engine_text_correct(q, ""));
    engine_answer_text(f->en, "   ", &fb);
    assert_int_equal(fb.verdict, ENGINE_ERROR);
    assert_null(fb.explain);
    /* choosing on a text question is refused */
    engine_answer_choices(f->en, right, 3, &fb);
    assert_int_equal(fb.verdict, ENGINE_ERROR);
    /* practical: not yet, then solved */
    assert_true(engine_goto(f->en, 6));
    got g = {0};
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_int_equal(g.fb.verdict, ENGINE_FAIL); /* the decoder is empty */
    assert_int_equal(progress_quiz_result(f->p, "offline", "q-practical"),
                     -1); /* not a wrong answer */
    /* the reference path needs a token in the decoder first */
    assert_true(engine_goto(f->en, 0));
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_true(engine_goto(f->en, 6));
    g = (got){0};
    assert_true(engine_run(f->en, true, on_done, &g, NULL));
    assert_int_equal(g.fb.verdict, ENGINE_OK);
    assert_string_equal(g.fb.explain, "tamper changes claims without re-signing.");
    /* steps 2 (tamper, still red) keeps the lesson open; once it is done the lesson is done */
    assert_string_equal(progress_lesson_status(f->p, "offline"), "started");
    assert_true(engine_goto(f->en, 2));
    g = (got){0};
    assert_true(engine_run(f->en, true, on_done, &g, NULL)); /* by-hand, with its solution */
    assert_true(engine_goto(f->en, 1));
    lesson_state *st = engine_state(f->en);
    assert_true(engine_goto(f->en, 0));
    assert_true(engine_run(f->en, false, on_done, &g, NULL)); /* a fresh valid token */
    assert_true(engine_goto(f->en, 1));
    engine_feedback fb2;
    engine_check(f->en, &fb2); /* "tamper" wants a valid signature: the fresh token has one */
    assert_int_equal(fb2.verdict, ENGINE_OK);
    assert_string_equal(st->decoder_sig, "valid");
    assert_string_equal(progress_lesson_status(f->p, "offline"), "done");
    size_t c, a, t;
    engine_score(f->en, &c, &a, &t);
    assert_int_equal(t, 4);
    assert_int_equal(a, 4);
    assert_int_equal(c, 3); /* q-single's first answer was wrong */
}

static void test_normalize(void **state)
{
    (void)state;
    char b[64];
    engine_normalize("  Hello   World?! ", b, sizeof b);
    assert_string_equal(b, "hello world");
    engine_normalize("\"RS256\"", b, sizeof b);
    assert_string_equal(b, "rs256");
    engine_normalize("", b, sizeof b);
    assert_string_equal(b, "");
    engine_normalize(NULL, b, sizeof b);
    assert_string_equal(b, "");
}

static bool says(const char *question, const char *answer, const char *given)
{
    char *answers[] = {(char *)answer};
    lesson_quiz q = {
        .type = QUIZ_TEXT, .question = (char *)question, .answers = answers, .nanswers = 1};
    return engine_text_correct(&q, given);
}

/* Reasonable phrasings of a right answer pass; wrong numbers and other words do not. */
static void test_text_phrasings(void **state)
{
    (void)state;
    const char *least = "How many bytes should a random HS256 secret have, at least?";
    assert_true(says(least, "32", "32"));
    assert_true(says(least, "32", " At least 32. "));
    assert_true(says(least, "32", "at least 32 bytes"));
    assert_true(says(least, "32", "32 bytes"));
    assert_true(says(least, "32", "32 or more"));
    assert_true(says(least, "32", "32 bytes or more"));
    assert_true(says(least, "32", ">= 32"));
    assert_true(says(least, "32", ">=32"));
    assert_true(says(least, "32", "\u2265 32"));
    assert_true(says(least, "32", "minimum 32"));
    assert_true(says(least, "at least 32", "32"));
    assert_false(says(least, "32", "16"));
    assert_false(says(least, "32", "at least 16"));
    assert_false(says(least, "32", "320"));
    assert_false(says(least, "32", "32 bits"));    /* a unit the question does not use */
    assert_false(says(least, "32", "32 bytes 2")); /* not one unit word */
    assert_false(says(least, "32", "at most 32"));
    assert_false(says(least, "32", "at least"));
    assert_false(says(least, "32", "minutes 32"));
    /* without "at least" in the question, the qualifier is not dropped */
    const char *parts = "How many dot-separated parts does a signed JWT have?";
    assert_true(says(parts, "3", "3 parts"));
    assert_false(says(parts, "3", "at least 3"));
    assert_false(says(parts, "3", "3 bytes"));
    /* an empty answer is never right, even against an accepted answer that normalizes to nothing */
    assert_false(says(parts, "?", ""));
    assert_false(says(parts, "\"\"", "  "));
    /* a word answer takes no unit */
    assert_false(says("Which header parameter names the algorithm?", "alg", "alg header"));
    /* the kind the question names may be said again; an RFC's joined words may be written apart */
    const char *hdr = "Which HTTP request header carries a bearer token to an API? (the header "
                      "name only)";
    assert_true(says(hdr, "Authorization", "Authorization header"));
    assert_true(says(hdr, "Authorization", "the Authorization header"));
    assert_false(says(hdr, "Authorization", "Bearer header"));
    const char *code = "Which OAuth error code did the server return for the reused code?";
    assert_true(says(code, "invalid_grant", "invalid grant"));
    assert_true(says(code, "invalid_grant", "invalid_grant error"));
    assert_false(says(code, "invalid_grant", "invalid request"));
    const char *most = "How many times may an authorization code be used, at most?";
    assert_true(says(most, "1", "at most 1"));
    assert_true(says(most, "1", "1 or less"));
    assert_true(says(most, "1", "1 times"));
    assert_false(says(most, "1", "at least 1"));
}

static void test_resume(void **state)
{
    fx *f = *state;
    open_lesson(f);
    assert_true(engine_goto(f->en, 5));
    /* a new engine on the same progress resumes at the saved item */
    engine *en2 = NULL;
    engine_options eo = {
        .http = f->h, .server_url = "http://127.0.0.1:9", .course = f->c, .progress = f->p};
    assert_true(engine_new(&eo, &en2, NULL));
    got g = {0};
    assert_true(engine_open_id(en2, NULL, on_done, &g, NULL));
    assert_int_equal(engine_item_index(en2), 5);
    tl_err e = {0};
    assert_false(engine_open_id(en2, "no-such-lesson", on_done, &g, &e));
    assert_string_equal(e.msg, "no lesson with id 'no-such-lesson'");
    engine_free(en2);
}

/* The state (decoder, tokens, codes) lives while the lesson is open; progress survives a restart.
 * A step that finds nothing to work on says which earlier step to run, and after a restart that
 * tokens are not kept between runs. */
static void test_advice_after_restart(void **state)
{
    fx *f = *state;
    open_lesson(f);
    got g = {0};
    /* before step 1 was done: do it first */
    assert_true(engine_goto(f->en, 1));
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_int_equal(g.fb.verdict, ENGINE_ERROR);
    assert_string_equal(
        g.fb.message, "tamper: the decoder is empty. Do the earlier step \"Mint a token\" first.");
    /* step 1 done, decoder emptied by hand: run it again (no word about restarts) */
    assert_true(engine_goto(f->en, 0));
    g = (got){0};
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_int_equal(g.fb.verdict, ENGINE_OK);
    state_set_decoder(engine_state(f->en), NULL);
    assert_true(engine_goto(f->en, 1));
    g = (got){0};
    assert_true(engine_run(f->en, false, on_done, &g, NULL));
    assert_string_equal(
        g.fb.message, "tamper: the decoder is empty. Run the earlier step \"Mint a token\" again.");

    /* quit and restart: a new engine on the same progress resumes at step 2 with step 1 done */
    engine *en2 = NULL;
    engine_options eo = {
        .http = f->h, .server_url = "http://127.0.0.1:9", .course = f->c, .progress = f->p};
    assert_true(engine_new(&eo, &en2, NULL));
    g = (got){0};
    assert_true(engine_open_id(en2, NULL, on_done, &g, NULL));
    assert_int_equal(engine_item_index(en2), 1);
    assert_true(engine_item_done(en2, 0));
    g = (got){0};
    assert_true(engine_run(en2, false, on_done, &g, NULL));
    assert_int_equal(g.fb.verdict, ENGINE_ERROR);
    assert_string_equal(
        g.fb.message, "tamper: the decoder is empty. Run the earlier step \"Mint a token\" again: "
                      "tokens are not kept between runs.");
    assert_non_null(strstr(g.fb.detail, "action 'tamper claim.sub=mallory' failed"));
    /* running step 1 again brings the token back */
    assert_true(engine_goto(en2, 0));
    g = (got){0};
    assert_true(engine_run(en2, false, on_done, &g, NULL)); /* step 1 again: mints */
    assert_true(engine_goto(en2, 1));
    g = (got){0};
    assert_true(engine_run(en2, false, on_done, &g, NULL)); /* now tamper has a token */
    assert_int_equal(g.fb.verdict, ENGINE_FAIL);
    assert_string_equal(g.fb.message, "The signature broke, as it should.");
    engine_free(en2);

    /* a check on something the restart lost: a by-hand step after steps done in a previous run;
     * "Tamper with it" needs a token, so the advice goes back to the step that mints one */
    progress_mark_step(f->p, "offline", "tamper", NULL);
    assert_true(engine_new(&eo, &en2, NULL));
    g = (got){0};
    assert_true(engine_open_id(en2, NULL, on_done, &g, NULL));
    assert_true(engine_goto(en2, 2));
    engine_feedback fb;
    engine_check(en2, &fb);
    assert_int_equal(fb.verdict, ENGINE_FAIL);
    assert_string_equal(fb.message,
                        "Not yet: decoder.claim.role is missing (expected: decoder.claim.role == "
                        "admin). Run the earlier steps from \"Mint a token\" to \"Tamper with it\" "
                        "again: tokens are not kept between runs.");
    engine_free(en2);
}

/* A request in flight when the engine is freed: its callback runs once (cancelled) and nothing
 * else of the transport is touched. The "server" accepts connections and never answers. */
static void test_free_while_running(void **state)
{
    fx *f = *state;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(ls, 4), 0);
    socklen_t sl = sizeof sa;
    getsockname(ls, (struct sockaddr *)&sa, &sl);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    engine *en = NULL;
    engine_options eo = {.http = f->h, .server_url = url, .course = f->c};
    assert_true(engine_new(&eo, &en, NULL));
    got g = {0};
    assert_true(engine_open(en, 1, on_done, &g, NULL));
    assert_string_equal(engine_lesson(en)->id, "network");
    g = (got){0};
    assert_true(engine_run(en, false, on_done, &g, NULL));
    http_wait(f->h, 300); /* connected, waiting for an answer that never comes */
    assert_int_equal(g.calls, 0);
    assert_true(engine_busy(en));
    tl_err e = {0};
    assert_false(engine_run(en, false, on_done, &g, &e));
    assert_string_equal(e.code, "engine.busy");
    engine_free(en);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.fb.verdict, ENGINE_ERROR);
    close(ls);
}

/* Sends a request the server refuses (an unknown grant_type), then pumps the transport for up to
 * 2 s and reports whether the engine's state learnt of the refusal from the server's feed. */
static bool refusal_reaches_state(http_client *h, engine *en, const char *base)
{
    /* http_wait returns at once when only streams are open; http_poll really waits */
    for (int i = 0; i < 3; i++) http_poll(h, NULL, 0, 100); /* let the stream connect */
    char url[128];
    snprintf(url, sizeof url, "%s/token", base);
    http_request *r = http_request_new("POST", url);
    assert_non_null(r);
    const char *body = "grant_type=no-such-grant&client_id=tokenlab-cli";
    assert_true(http_request_set_body(r, "application/x-www-form-urlencoded", body, strlen(body)));
    http_exchange *x = http_send_wait(h, r, NULL);
    http_request_free(r);
    assert_non_null(x);
    assert_int_equal(x->status, 400);
    http_exchange_unref(x);
    lesson_state *st = engine_state(en);
    for (int waited = 0; waited < 2000; waited += 100) {
        state_drain_events(st);
        if (st->last_refusal) return true;
        http_poll(h, NULL, 0, 100);
    }
    return false;
}

/* A remote server's refusals reach the lesson state through GET /lab/events (server_events), and
 * do not without it: the engine, not a server subscription, reads them here. */
static void test_remote_refusals(void **state)
{
    fx *f = *state;
    server_options so = {.listen = "127.0.0.1:0"};
    server *srv = NULL;
    assert_true(server_start(&so, &srv, NULL));
    const char *base = server_base_url(srv);

    engine *plain = NULL;
    engine_options eo = {.http = f->h, .server_url = base, .course = f->c};
    assert_true(engine_new(&eo, &plain, NULL));
    assert_false(refusal_reaches_state(f->h, plain, base));
    engine_free(plain);

    engine *en = NULL;
    eo.server_events = true;
    assert_true(engine_new(&eo, &en, NULL));
    assert_true(refusal_reaches_state(f->h, en, base));
    lesson_state *st = engine_state(en);
    assert_string_equal(st->last_refusal, "unsupported_grant_type");
    assert_non_null(st->last_refusal_message);
    engine_free(en); /* closes the stream: its final callback runs while the engine is whole */
    assert_false(http_busy(f->h));
    server_stop(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_step_feedback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hints_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quiz_scoring, setup, teardown),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_text_phrasings),
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advice_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_while_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
