/* SPDX-License-Identifier: MIT */
/* Runs lesson actions to their end in a unit test (shared by the test_action_*.c files; not a
 * test itself): the callback's record, and act_run_line, which starts one action line against a
 * server and polls until the callback ran. */
#ifndef TL_TEST_ACTION_RUN_H
#define TL_TEST_ACTION_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/action.h"
#include "lesson/parse.h"
#include "oauth/http.h"

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

/* Runs `line` with `c` (its http client polled up to 20 s); returns what the callback said, or
 * action_start's refusal as a failure. */
static done act_run_line(const action_ctx *c, const char *line)
{
    lesson_action a = {.line = 1};
    assert_true(parse_words(line, &a.argv, &a.argc, NULL));
    a.text = strdup(line);
    done d = {0};
    tl_err e = {0};
    if (!action_start(c, &a, on_done, &d, &e)) {
        d.calls = 1;
        snprintf(d.msg, sizeof d.msg, "%s", e.msg);
    }
    for (int i = 0; d.calls == 0 && i < 200; i++) http_poll(c->http, NULL, 0, 100);
    assert_int_equal(d.calls, 1);
    parse_words_free(a.argv, a.argc);
    free(a.text);
    return d;
}

#endif
