/* SPDX-License-Identifier: MIT */
/* The lesson `crack` action runs in slices on the caller's loop (src/lesson/action.c over
 * http_work_start): action_start returns before any guess is made, each http_poll turn tries a
 * bounded slice, the secret at the end of a long wordlist is found after many turns, and a
 * cancelled crack reports once, as a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jose/jwk.h"
#include "jose/jws.h"
#include "lesson/action.h"
#include "lesson/parse.h"
#include "lesson/state.h"
#include "oauth/http.h"

#define NWORDS 60000

typedef struct done {
    int calls;
    bool ok;
    char msg[600];
} done;

static void on_done(void *ud, bool ok, const tl_err *e)
{
    done *d = ud;
    d->calls++;
    d->ok = ok;
    snprintf(d->msg, sizeof d->msg, "%s", e && e->code ? e->msg : "");
}

typedef struct fx {
    char wl[64];
    lesson_state *st;
    http_client *h;
    lesson_action a;
    uint64_t inflight;
} fx;

/* A wordlist of NWORDS words, the last one the HS256 secret of the decoder's token. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->wl, sizeof f->wl, "/tmp/tl-crack-XXXXXX");
    int fd = mkstemp(f->wl);
    if (fd < 0) return -1;
    FILE *w = fdopen(fd, "w");
    for (int i = 0; i < NWORDS - 1; i++) fprintf(w, "guess-%d\n", i);
    fprintf(w, "late-bloomer\n");
    fclose(w);
    const char *secret = "late-bloomer";
    jwk *k = jwk_from_secret((const uint8_t *)secret, strlen(secret));
    json_t *hdr = json_pack("{s:s}", "typ", "JWT");
    const char *payload = "{\"sub\":\"alice\"}";
    char *tok = NULL;
    bool ok =
        k && hdr &&
        jws_sign(hdr, (const uint8_t *)payload, strlen(payload), JWS_HS256, k, false, &tok, NULL);
    json_decref(hdr);
    jwk_free(k);
    if (!ok) return -1;
    f->st = state_new();
    state_set_decoder(f->st, tok);
    free(tok);
    f->h = http_client_new();
    char line[128];
    snprintf(line, sizeof line, "crack wordlist=%s", f->wl);
    if (!parse_words(line, &f->a.argv, &f->a.argc, NULL)) return -1;
    f->a.text = strdup(line);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    http_client_free(f->h);
    state_free(f->st);
    parse_words_free(f->a.argv, f->a.argc);
    free(f->a.text);
    unlink(f->wl);
    free(f);
    return 0;
}

static action_ctx ctx_of(fx *f)
{
    return (action_ctx){
        .http = f->h, .server_url = "http://127.0.0.1:9", .st = f->st, .inflight = &f->inflight};
}

static void test_crack_in_slices(void **state)
{
    fx *f = *state;
    action_ctx c = ctx_of(f);
    done d = {0};
    assert_true(action_start(&c, &f->a, on_done, &d, NULL));
    assert_int_equal(d.calls, 0); /* nothing tried inside the call */
    assert_true(f->inflight != 0);
    assert_true(http_busy(f->h));
    int turns = 0;
    while (d.calls == 0 && turns < 1000) {
        http_poll(f->h, NULL, 0, 1000);
        turns++;
    }
    assert_int_equal(d.calls, 1);
    assert_true(d.ok);
    /* 60000 candidates in slices of a few thousand: many turns, never one */
    assert_true(turns >= 10);
    assert_string_equal(f->st->crack_secret, "late-bloomer");
    assert_int_equal(f->st->crack_tried, NWORDS);
    assert_int_equal(f->inflight, 0);
    assert_false(http_busy(f->h));
}

static void test_crack_cancelled(void **state)
{
    fx *f = *state;
    action_ctx c = ctx_of(f);
    done d = {0};
    assert_true(action_start(&c, &f->a, on_done, &d, NULL));
    http_poll(f->h, NULL, 0, 0);
    assert_int_equal(d.calls, 0);
    assert_true(http_cancel(f->h, f->inflight));
    assert_int_equal(d.calls, 1);
    assert_false(d.ok);
    assert_string_equal(d.msg, "crack was cancelled");
    assert_null(f->st->crack_secret);
    assert_false(http_busy(f->h));
}

/* Not an HMAC token: the action fails at once with the reason, and nothing is left running. */
static void test_crack_refuses_unsigned(void **state)
{
    fx *f = *state;
    state_set_decoder(f->st, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.");
    action_ctx c = ctx_of(f);
    done d = {0};
    assert_true(action_start(&c, &f->a, on_done, &d, NULL));
    assert_int_equal(d.calls, 1);
    assert_false(d.ok);
    assert_true(d.msg[0] != '\0');
    assert_false(http_busy(f->h));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crack_in_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crack_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crack_refuses_unsigned, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
