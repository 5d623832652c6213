/* SPDX-License-Identifier: MIT */
/* fuzz_lesson — the lesson parser (src/lesson/parse.h) on arbitrary bytes, as `tokenlab lessons
 * check` and the TUI read files written by others; every condition that parses is then evaluated
 * against a learner state holding a decoded token (check.h), and each line of the input also goes
 * through check_parse and parse_words on its own.
 *
 * Properties (abort() on violation): a lesson is returned exactly when no diagnostic was added;
 * every diagnostic reads "fuzz.md:LINE: message" with 1 <= LINE <= lines in the input + 1; a
 * returned lesson's counts match its blocks and parse_item agrees with them; a parsed action has
 * argv[0]; conditions that need a value have one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/check.h"
#include "lesson/parse.h"
#include "lesson/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lesson_state *st;

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_lesson: %s\n", why);
    abort();
}

static void eval_conds(const lesson_cond *c, size_t n)
{
    char why[256];
    for (size_t i = 0; i < n; i++) {
        if (!c[i].path || !c[i].text) fail("condition without path or text");
        if (c[i].op != LESSON_OP_EXISTS && !c[i].value) fail("condition without a value");
        (void)check_eval(&c[i], st, why, sizeof why);
        if (!memchr(why, '\0', sizeof why)) fail("check_eval left `why` unterminated");
    }
}

static void check_acts(const lesson_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].argc == 0 || !a[i].argv || !a[i].argv[0] || !a[i].text)
            fail("action without a name");
}

static void check_lesson(const lesson *l)
{
    if (!l->id || !l->title) fail("lesson without id or title");
    size_t steps = 0, quizzes = 0;
    for (size_t i = 0; i < l->nblocks; i++) {
        const lesson_block *b = &l->blocks[i];
        if (b->kind == LESSON_STEP) {
            const lesson_step *s = b->step;
            if (!s || !s->id) fail("step block without a step");
            steps++;
            check_acts(s->acts, s->nacts);
            check_acts(s->solution, s->nsolution);
            eval_conds(s->checks, s->nchecks);
            for (size_t j = 0; j < s->nfails; j++) {
                eval_conds(&s->fails[j].cond, 1);
                if (!s->fails[j].text) fail("fail: without text");
            }
        } else if (b->kind == LESSON_QUIZ) {
            const lesson_quiz *q = b->quiz;
            if (!q || !q->id || !q->question || !q->explain)
                fail("quiz without id, question or explain");
            quizzes++;
            if (q->type == QUIZ_SINGLE) {
                size_t right = 0;
                for (size_t j = 0; j < q->nopts; j++) right += q->opts[j].correct;
                if (right != 1)
                    fail("single-choice quiz accepted without exactly one right option");
            }
            check_acts(q->solution, q->nsolution);
            eval_conds(q->checks, q->nchecks);
        } else if (!b->text) {
            fail("prose/code block without text");
        }
    }
    if (steps != l->nsteps || quizzes != l->nquizzes)
        fail("step/quiz counts disagree with the blocks");
    if (parse_item_count(l) != steps + quizzes) fail("parse_item_count disagrees with the blocks");
    for (size_t i = 0; i < steps + quizzes; i++) {
        const lesson_block *b = parse_item(l, i);
        if (!b || (b->kind != LESSON_STEP && b->kind != LESSON_QUIZ))
            fail("parse_item returned a non-item");
    }
    if (parse_item(l, steps + quizzes) != NULL) fail("parse_item past the end");
}

static void check_diag(const char *msg, size_t lines)
{
    static const char prefix[] = "fuzz.md:";
    if (strncmp(msg, prefix, sizeof prefix - 1) != 0)
        fail("diagnostic does not start with the file name");
    char *end = NULL;
    long line = strtol(msg + sizeof prefix - 1, &end, 10);
    if (end == msg + sizeof prefix - 1 || *end != ':' || line < 1 || (size_t)line > lines + 1) {
        fprintf(stderr, "fuzz_lesson: bad location in diagnostic (input has %zu lines): %s\n",
                lines, msg);
        abort();
    }
    if (end[1] != ' ' || !end[2]) fail("diagnostic without a message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!st) {
        st = state_new();
        if (!st) abort();
        /* RFC 7515 A.1: a decoded token with claims for decoder.* paths. */
        state_set_decoder(
            st, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEz"
                "MDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4C"
                "VP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        state_set_token(st, STATE_TOK_ACCESS, "not-a-jwt");
        state_set_lab(st, "alg-none", true);
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';

    parse_diags d = {0};
    lesson *l = parse_lesson("fuzz.md", (const char *)data, size, &d);
    if (l && d.n > 0) fail("a lesson was returned together with errors");
    if (!l && d.n == 0) fail("no lesson and no diagnostic");
    for (size_t i = 0; i < d.n; i++) check_diag(d.msgs[i], lines);
    if (l) {
        check_lesson(l);
        parse_lesson_free(l);
    }
    parse_diags_free(&d);

    /* Each line alone, as a condition and as an action line. */
    char *z = malloc(size + 1);
    if (!z) return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    char *save = NULL;
    size_t n = 0;
    for (char *line = strtok_r(z, "\n", &save); line && n < 64;
         line = strtok_r(NULL, "\n", &save), n++) {
        lesson_cond c = {0};
        tl_err e = {0};
        if (check_parse(line, &c, &e)) {
            eval_conds(&c, 1);
            check_cond_free(&c);
        } else if (!e.code || !e.msg[0]) {
            fail("check_parse failed without an error");
        }
        char **argv = NULL;
        size_t argc = 0;
        tl_err we = {0};
        if (parse_words(line, &argv, &argc, &we))
            parse_words_free(argv, argc);
        else if (!we.code || !we.msg[0])
            fail("parse_words failed without an error");
    }
    free(z);
    return 0;
}
