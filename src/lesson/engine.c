/* SPDX-License-Identifier: MIT */
/* engine — a lesson session: items, runs, checks, feedback, hints, quizzes, scores, progress. */
#include "lesson/engine.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "jose/jsonx.h"
#include "lesson/action.h"
#include "lesson/check.h"

enum run_kind { RUN_NONE, RUN_STEP, RUN_ACTIONS, RUN_LABS };

struct engine {
    http_client *http;
    char *server_url, *lab_key, *wordlist;
    const course *course;
    progress *prog;
    lesson_state *st;
    engine_change_fn chg;
    void *chg_ud;
    const char *(*secret_fn)(void *ud, size_t *len);
    void *secret_ud;
    char *secret_seen; /* last login secret applied (for change detection) */
    size_t secret_seen_len;

    bool open;
    size_t lesson_idx;
    size_t item;
    size_t nitems;
    size_t *hints_shown; /* per item */
    signed char *result; /* per item: -1 nothing, 0 wrong / not done, 1 right / done */
    bool *done_here;     /* per item: a step done since the lesson was opened (not from progress) */
    char **answer;       /* per item: the scored (first) answer given since the lesson was opened */

    /* the run in flight */
    int kind;
    const lesson_action **queue;
    size_t nqueue, next;
    engine_done_fn fn;
    void *ud;
    size_t run_item;
    lesson_action *lab_acts; /* synthesized "lab on|off X" actions */
    size_t nlab_acts;
    char lab_errors[512];
    uint64_t inflight;  /* id of the request an action is waiting for, 0 when none */
    bool server_events; /* read refusals from /lab/events (remote server) */
    uint64_t sse_id;    /* the open /lab/events stream, 0 when none */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A remote server's view of its refusals: /lab/events sends `event: refused` with JSON data
 * {"kind":"refused","code":…,"message":…} (server/events.c). Runs inside http_poll/http_wait. */
static void on_server_sse(const char *event, const char *data, void *ud)
{
    engine *en = ud;
    if (!event) { /* the stream ended (server gone, or cancelled): reopened at the next run */
        en->sse_id = 0;
        return;
    }
    if (strcmp(event, "refused") != 0 || !data) return;
    json_t *j = jsonx_parse(data, strlen(data), true, NULL);
    if (!j) return;
    state_post_refusal(en->st, json_string_value(json_object_get(j, "code")),
                       json_string_value(json_object_get(j, "message")));
    json_decref(j);
}

static void open_server_events(engine *en)
{
    if (!en->server_events || en->sse_id) return;
    size_t n = strlen(en->server_url) + sizeof "/lab/events";
    char *url = malloc(n);
    if (!url) return;
    snprintf(url, n, "%s/lab/events", en->server_url);
    if (!http_sse_open(en->http, url, on_server_sse, en, &en->sse_id, NULL)) en->sse_id = 0;
    free(url);
}

bool engine_new(const engine_options *o, engine **out, tl_err *e)
{
    if (!o || !o->http || !o->course || !o->server_url)
        return err_set(e, "engine.args", "engine: http, course and server_url are required");
    engine *en = xcalloc(1, sizeof *en);
    en->http = o->http;
    en->course = o->course;
    en->prog = o->progress;
    en->server_url = xstrdup(o->server_url);
    size_t n = strlen(en->server_url);
    while (n && en->server_url[n - 1] == '/') en->server_url[--n] = 0;
    en->lab_key = dup_or_null(o->lab_key);
    en->wordlist = dup_or_null(o->wordlist);
    en->st = state_new();
    if (o->login_secret)
        en->st->login_secret =
            jwk_from_secret((const uint8_t *)o->login_secret,
                            o->login_secret_len ? o->login_secret_len : strlen(o->login_secret));
    en->secret_fn = o->login_secret_fn;
    en->secret_ud = o->login_secret_ud;
    en->server_events = o->server_events;
    open_server_events(en);
    *out = en;
    return true;
}

/* Picks up a changed login secret (weak-secret lab) so decoder.signature stays right. */
static void refresh_login_secret(engine *en)
{
    if (!en->secret_fn) return;
    size_t len = 0;
    const char *s = en->secret_fn(en->secret_ud, &len);
    if (!s) return;
    if (!len) len = strlen(s);
    if (en->secret_seen && en->secret_seen_len == len && memcmp(en->secret_seen, s, len) == 0)
        return;
    free(en->secret_seen);
    en->secret_seen = malloc(len + 1);
    if (!en->secret_seen) return;
    memcpy(en->secret_seen, s, len);
    en->secret_seen_len = len;
    jwk_free(en->st->login_secret);
    en->st->login_secret = jwk_from_secret((const uint8_t *)en->secret_seen, len);
    state_update_signature(en->st);
}

void engine_refresh_keys(engine *en)
{
    if (en) refresh_login_secret(en);
}

static void free_answers(engine *en)
{
    for (size_t i = 0; en->answer && i < en->nitems; i++) free(en->answer[i]);
    free(en->answer);
    en->answer = NULL;
}

static void free_lab_acts(engine *en)
{
    for (size_t i = 0; i < en->nlab_acts; i++) {
        parse_words_free(en->lab_acts[i].argv, en->lab_acts[i].argc);
        free(en->lab_acts[i].text);
    }
    free(en->lab_acts);
    en->lab_acts = NULL;
    en->nlab_acts = 0;
}

void engine_free(engine *en)
{
    if (!en) return;
    /* a run in flight would call back into freed memory: cancel its request (its callback runs
     * now, while the engine is still whole); the caller's other requests are left alone */
    if (en->kind != RUN_NONE && en->inflight) http_cancel(en->http, en->inflight);
    if (en->sse_id) http_cancel(en->http, en->sse_id); /* its final callback zeroes sse_id */
    free(en->queue);
    free_lab_acts(en);
    free(en->hints_shown);
    free(en->result);
    free(en->done_here);
    free_answers(en);
    state_free(en->st);
    free(en->secret_seen);
    free(en->server_url);
    free(en->lab_key);
    free(en->wordlist);
    free(en);
}

void engine_on_change(engine *en, engine_change_fn fn, void *ud)
{
    en->chg = fn;
    en->chg_ud = ud;
}

lesson_state *engine_state(engine *en)
{
    return en->st;
}

const course *engine_course(const engine *en)
{
    return en->course;
}

const lesson *engine_lesson(const engine *en)
{
    return en->open ? en->course->lessons[en->lesson_idx] : NULL;
}

size_t engine_lesson_index(const engine *en)
{
    return en->lesson_idx;
}

size_t engine_item_count(const engine *en)
{
    return en->open ? en->nitems : 0;
}

size_t engine_item_index(const engine *en)
{
    return en->item;
}

const lesson_block *engine_item(const engine *en)
{
    return en->open ? parse_item(engine_lesson(en), en->item) : NULL;
}

bool engine_busy(const engine *en)
{
    return en->kind != RUN_NONE;
}

static const char *item_id(const lesson_block *b)
{
    if (!b) return NULL;
    return b->kind == LESSON_STEP ? b->step->id : b->quiz->id;
}

static void save_current(engine *en)
{
    const lesson *l = engine_lesson(en);
    if (en->prog && l) progress_set_current(en->prog, l->id, item_id(engine_item(en)), NULL);
}

static void changed(engine *en)
{
    if (en->chg) en->chg(en->chg_ud);
}

/* ---- runs ----------------------------------------------------------------------------------- */

static action_ctx ctx_of(engine *en)
{
    action_ctx c = {.http = en->http,
                    .server_url = en->server_url,
                    .lab_key = en->lab_key,
                    .wordlist = en->wordlist,
                    .st = en->st,
                    .inflight = &en->inflight};
    return c;
}

static void run_finish(engine *en, engine_feedback *fb)
{
    engine_done_fn fn = en->fn;
    void *ud = en->ud;
    en->kind = RUN_NONE;
    free(en->queue);
    en->queue = NULL;
    en->nqueue = en->next = 0;
    en->fn = NULL;
    changed(en);
    if (fn) fn(ud, fb);
}

static void eval_item(engine *en, size_t idx, engine_feedback *fb);

/* The nearest step before item `idx` that does something (`do:` or `solution:`), or NULL. */
static const lesson_step *earlier_step(const engine *en, size_t idx, size_t *at)
{
    const lesson *l = engine_lesson(en);
    for (size_t i = idx; l && i-- > 0;) {
        const lesson_block *b = parse_item(l, i);
        if (b && b->kind == LESSON_STEP && (b->step->nacts || b->step->nsolution)) {
            *at = i;
            return b->step;
        }
    }
    return NULL;
}

/* Does the step start from nothing: is its first action (lab switches and the clock aside) one
 * that makes a token or starts a flow by itself? (`exchange`, `verify`, `api`… need an earlier
 * one.)
 */
static bool starts_fresh(const lesson_step *s)
{
    const lesson_action *acts = s->nacts ? s->acts : s->solution;
    size_t n = s->nacts ? s->nacts : s->nsolution;
    for (size_t i = 0; i < n; i++) {
        action_begins b = action_begins_of(&acts[i]);
        if (b != ACTION_SETS_UP) return b == ACTION_STARTS_FRESH;
    }
    return false;
}

static const char *step_title(const lesson_step *s)
{
    return s->title ? s->title : s->id;
}

/* Advice for a step that found nothing to work on (no token, no code, no flow): the state lives
 * only as long as the lesson is open, while progress survives a restart, so a step resumed after
 * quitting finds the earlier steps marked done and their tokens gone. Names the nearest earlier
 * step when it was not done; else the steps to run again, from the nearest one that starts from
 * nothing (a login, an authorize, a mint …) up to the nearest one. Appended to `msg`. With
 * `only_resumed`, says something only after a restart. */
static void advise_earlier(const engine *en, size_t idx, bool only_resumed, char *msg, size_t n)
{
    size_t near = 0;
    const lesson_step *s = earlier_step(en, idx, &near);
    if (!s) return;
    bool resumed = en->result[near] == 1 && !en->done_here[near];
    if (only_resumed && !resumed) return;
    size_t l = strlen(msg);
    const char *sep = l && msg[l - 1] == '.' ? " " : ". ";
    if (en->result[near] != 1) {
        snprintf(msg + l, n - l, "%sDo the earlier step \"%s\" first.", sep, step_title(s));
        return;
    }
    const lesson_step *from = s;
    for (size_t at = near; !starts_fresh(from);) {
        const lesson_step *prev = earlier_step(en, at, &at);
        if (!prev) { /* nothing starts from scratch: the nearest step is the best advice */
            from = s;
            break;
        }
        from = prev;
    }
    const char *why = resumed ? ": tokens are not kept between runs." : ".";
    if (from == s)
        snprintf(msg + l, n - l, "%sRun the earlier step \"%s\" again%s", sep, step_title(s), why);
    else
        snprintf(msg + l, n - l, "%sRun the earlier steps from \"%s\" to \"%s\" again%s", sep,
                 step_title(from), step_title(s), why);
}

static bool nothing_to_work_on(const tl_err *e)
{
    return e && e->code &&
           (strcmp(e->code, "action.no_token") == 0 || strcmp(e->code, "action.no_code") == 0 ||
            strcmp(e->code, "action.no_flow") == 0);
}

static void run_next(engine *en);
static void refresh_login_secret(engine *en);

static void on_action(void *ud, bool ok, const tl_err *e)
{
    engine *en = ud;
    if (!ok && en->kind != RUN_LABS) {
        engine_feedback fb = {.verdict = ENGINE_ERROR};
        const lesson_action *a = en->queue[en->next - 1];
        snprintf(fb.message, sizeof fb.message, "%s", e && e->code ? e->msg : "the action failed");
        const lesson_block *b = parse_item(engine_lesson(en), en->run_item);
        if (en->kind == RUN_STEP && b && b->kind == LESSON_STEP && nothing_to_work_on(e))
            advise_earlier(en, en->run_item, false, fb.message, sizeof fb.message);
        snprintf(fb.detail, sizeof fb.detail, "line %d: action '%s' failed: %s", a->line, a->text,
                 e && e->code ? e->msg : "?");
        run_finish(en, &fb);
        return;
    }
    if (!ok && en->kind == RUN_LABS) {
        size_t l = strlen(en->lab_errors);
        snprintf(en->lab_errors + l, sizeof en->lab_errors - l, "%s%s", l ? "; " : "",
                 e && e->code ? e->msg : "lab switch failed");
    }
    refresh_login_secret(en);
    changed(en);
    run_next(en);
}

static void run_next(engine *en)
{
    while (en->next < en->nqueue) {
        const lesson_action *a = en->queue[en->next++];
        action_ctx c = ctx_of(en);
        tl_err e = {0};
        if (action_start(&c, a, on_action, en, &e)) return; /* continues in on_action */
        on_action(en, false, &e);
        return;
    }
    engine_feedback fb = {.verdict = ENGINE_OK};
    if (en->kind == RUN_STEP) {
        eval_item(en, en->run_item, &fb);
    } else if (en->kind == RUN_LABS && en->lab_errors[0]) {
        fb.verdict = ENGINE_ERROR;
        snprintf(fb.message, sizeof fb.message, "%s", en->lab_errors);
    } else {
        snprintf(fb.message, sizeof fb.message, "done");
    }
    run_finish(en, &fb);
}

/* Two lists of actions run one after the other. */
static bool run_two(engine *en, int kind, const lesson_action *a, size_t na, const lesson_action *b,
                    size_t nb, engine_done_fn fn, void *ud, tl_err *e)
{
    if (!a) na = 0;
    if (!b) nb = 0;
    if (en->kind != RUN_NONE)
        return err_set(e, "engine.busy",
                       "still working on the previous step; wait for it to finish");
    en->queue = xcalloc(na + nb + 1, sizeof *en->queue);
    for (size_t i = 0; i < na; i++) en->queue[i] = &a[i];
    for (size_t i = 0; i < nb; i++) en->queue[na + i] = &b[i];
    en->nqueue = na + nb;
    en->next = 0;
    en->kind = kind;
    en->fn = fn;
    en->ud = ud;
    en->lab_errors[0] = 0;
    refresh_login_secret(en);
    open_server_events(en); /* again, if the server closed the stream since */
    run_next(en);
    return true;
}

/* ---- checks and feedback -------------------------------------------------------------------- */

const char *engine_item_answer(const engine *en, size_t item)
{
    return en->open && en->answer && item < en->nitems ? en->answer[item] : NULL;
}

static void mark(engine *en, size_t idx, bool right, const char *answer)
{
    const lesson *l = engine_lesson(en);
    const lesson_block *b = parse_item(l, idx);
    if (!b) return;
    if (en->result[idx] < 0 && b->kind == LESSON_QUIZ && answer && !en->answer[idx])
        en->answer[idx] = strdup(answer);
    if (en->result[idx] < 0 || b->kind == LESSON_STEP) en->result[idx] = right ? 1 : 0;
    if (right) en->done_here[idx] = true;
    if (!en->prog) return;
    if (b->kind == LESSON_STEP) {
        if (right) progress_mark_step(en->prog, l->id, b->step->id, NULL);
    } else {
        progress_record_quiz(en->prog, l->id, b->quiz->id, right, answer, NULL);
    }
    /* every step done and every question answered: the lesson is finished */
    for (size_t i = 0; i < en->nitems; i++)
        if (en->result[i] < 0) return;
    const char *status = progress_lesson_status(en->prog, l->id);
    if (!status || strcmp(status, "done") != 0) progress_mark_lesson(en->prog, l->id, false, NULL);
}

static void eval_item(engine *en, size_t idx, engine_feedback *fb)
{
    const lesson_block *b = parse_item(engine_lesson(en), idx);
    memset(fb, 0, sizeof *fb);
    if (!b) {
        fb->verdict = ENGINE_ERROR;
        snprintf(fb->message, sizeof fb->message, "no such item");
        return;
    }
    const lesson_cond *checks;
    size_t nchecks;
    const lesson_step *s = b->kind == LESSON_STEP ? b->step : NULL;
    if (s) {
        checks = s->checks;
        nchecks = s->nchecks;
    } else {
        checks = b->quiz->checks;
        nchecks = b->quiz->nchecks;
    }
    const lesson_cond *failed = NULL;
    char why[512] = "";
    for (size_t i = 0; i < nchecks; i++)
        if (!check_eval(&checks[i], en->st, why, sizeof why)) {
            failed = &checks[i];
            break;
        }
    if (!failed) {
        fb->verdict = ENGINE_OK;
        if (s)
            snprintf(fb->message, sizeof fb->message, "%s", s->ok ? s->ok : "Done.");
        else
            snprintf(fb->message, sizeof fb->message, "Correct.");
        if (!s) fb->explain = b->quiz->explain; /* after the task is done, never before */
        mark(en, idx, true, NULL);
        return;
    }
    fb->verdict = ENGINE_FAIL;
    snprintf(fb->detail, sizeof fb->detail, "line %d: check '%s' does not hold (%s)", failed->line,
             failed->text, why);
    if (s)
        for (size_t i = 0; i < s->nfails; i++)
            if (check_eval(&s->fails[i].cond, en->st, NULL, 0)) {
                snprintf(fb->message, sizeof fb->message, "%s", s->fails[i].text);
                return;
            }
    /* a practical task is done when achieved: a failed check is not a wrong answer */
    snprintf(fb->message, sizeof fb->message, "Not yet: %s (expected: %s).", why, failed->text);
    json_t *held = s ? state_lookup(en->st, failed->path) : NULL;
    if (s && !held) advise_earlier(en, idx, true, fb->message, sizeof fb->message);
    json_decref(held);
}

bool engine_run(engine *en, bool with_solution, engine_done_fn fn, void *ud, tl_err *e)
{
    const lesson_block *b = engine_item(en);
    if (!b) return err_set(e, "engine.no_item", "no lesson step here");
    en->run_item = en->item;
    if (b->kind == LESSON_STEP) {
        const lesson_step *s = b->step;
        return run_two(en, RUN_STEP, s->acts, s->nacts, s->solution,
                       with_solution ? s->nsolution : 0, fn, ud, e);
    }
    if (b->quiz->type != QUIZ_PRACTICAL)
        return err_set(e, "engine.not_practical",
                       "this question is answered by choosing or typing");
    const lesson_quiz *q = b->quiz;
    return run_two(en, RUN_STEP, q->solution, with_solution ? q->nsolution : 0, NULL, 0, fn, ud, e);
}

void engine_check(engine *en, engine_feedback *out)
{
    eval_item(en, en->item, out);
    changed(en);
}

bool engine_run_actions(engine *en, const lesson_action *acts, size_t n, engine_done_fn fn,
                        void *ud, tl_err *e)
{
    return run_two(en, RUN_ACTIONS, acts, n, NULL, 0, fn, ud, e);
}

/* ---- lessons -------------------------------------------------------------------------------- */

static bool add_synth(engine *en, const char *text)
{
    lesson_action *na = realloc(en->lab_acts, (en->nlab_acts + 1) * sizeof *na);
    if (!na) return false;
    en->lab_acts = na;
    lesson_action a = {.line = 0};
    if (!parse_words(text, &a.argv, &a.argc, NULL)) return false;
    a.text = strdup(text);
    en->lab_acts[en->nlab_acts++] = a;
    return true;
}

static bool add_lab_act(engine *en, bool on, const char *name)
{
    char text[160];
    snprintf(text, sizeof text, "lab %s %s", on ? "on" : "off", name);
    return add_synth(en, text);
}

/* A lesson that fast-forwarded the clock leaves it as it found it. */
static bool add_clock_reset(engine *en)
{
    return add_synth(en, "clock reset");
}

static bool reset_items(engine *en)
{
    const lesson *l = engine_lesson(en);
    free_answers(en);
    en->nitems = parse_item_count(l);
    free(en->hints_shown);
    free(en->result);
    free(en->done_here);
    en->hints_shown = calloc(en->nitems + 1, sizeof *en->hints_shown);
    en->result = malloc(en->nitems + 1);
    en->done_here = calloc(en->nitems + 1, sizeof *en->done_here);
    en->answer = calloc(en->nitems + 1, sizeof *en->answer);
    if (!en->hints_shown || !en->result || !en->done_here || !en->answer) return false;
    for (size_t i = 0; i < en->nitems; i++) {
        const lesson_block *b = parse_item(l, i);
        en->result[i] = -1;
        if (en->prog && b->kind == LESSON_STEP && progress_step_done(en->prog, l->id, b->step->id))
            en->result[i] = 1;
        if (en->prog && b->kind == LESSON_QUIZ) {
            int r = progress_quiz_result(en->prog, l->id, b->quiz->id);
            if (r >= 0) en->result[i] = (signed char)r;
        }
    }
    return true;
}

bool engine_open(engine *en, size_t idx, engine_done_fn fn, void *ud, tl_err *e)
{
    if (idx >= en->course->n)
        return err_set(e, "engine.no_lesson", "no lesson number %zu", idx + 1);
    if (en->kind != RUN_NONE)
        return err_set(e, "engine.busy",
                       "still working on the previous step; wait for it to finish");
    free_lab_acts(en);
    if (en->open && en->lab_key) {
        const lesson *old = engine_lesson(en);
        for (size_t i = 0; i < old->nlabs; i++) add_lab_act(en, false, old->labs[i]);
    }
    en->open = true;
    en->lesson_idx = idx;
    const lesson *l = engine_lesson(en);
    if (!reset_items(en)) return err_set(e, "lesson.nomem", "out of memory");
    en->item = 0;
    if (en->prog && progress_current_lesson(en->prog) &&
        strcmp(progress_current_lesson(en->prog), l->id) == 0 && progress_current_item(en->prog)) {
        for (size_t i = 0; i < en->nitems; i++)
            if (strcmp(item_id(parse_item(l, i)), progress_current_item(en->prog)) == 0)
                en->item = i;
    }
    if (en->st->clock_offset != 0 && en->lab_key) add_clock_reset(en);
    en->st->clock_offset = 0;
    state_clear(en->st);
    for (size_t i = 0; i < l->nlabs; i++) add_lab_act(en, true, l->labs[i]);
    save_current(en);
    if (en->nlab_acts && !en->lab_key) {
        /* Labs need the lab key; say so but keep the lesson open. */
        engine_feedback fb = {.verdict = ENGINE_ERROR};
        snprintf(fb.message, sizeof fb.message,
                 "this lesson needs lab switches, but there is no lab key for the server");
        free_lab_acts(en);
        changed(en);
        if (fn) fn(ud, &fb);
        return true;
    }
    return run_two(en, RUN_LABS, en->lab_acts, en->nlab_acts, NULL, 0, fn, ud, e);
}

bool engine_open_id(engine *en, const char *id, engine_done_fn fn, void *ud, tl_err *e)
{
    size_t idx = 0;
    if (!id && en->prog) id = progress_current_lesson(en->prog);
    if (id && !course_find(en->course, id, &idx)) {
        if (en->prog && id == progress_current_lesson(en->prog))
            idx = 0; /* a lesson that no longer exists: start at the beginning */
        else
            return err_set(e, "engine.no_lesson", "no lesson with id '%s'", id);
    }
    return engine_open(en, idx, fn, ud, e);
}

bool engine_close(engine *en, engine_done_fn fn, void *ud, tl_err *e)
{
    if (!en->open) {
        if (fn) {
            engine_feedback fb = {.verdict = ENGINE_OK};
            fn(ud, &fb);
        }
        return true;
    }
    if (en->kind != RUN_NONE)
        return err_set(e, "engine.busy",
                       "still working on the previous step; wait for it to finish");
    free_lab_acts(en);
    const lesson *l = engine_lesson(en);
    if (en->lab_key)
        for (size_t i = 0; i < l->nlabs; i++) add_lab_act(en, false, l->labs[i]);
    if (en->st->clock_offset != 0 && en->lab_key) add_clock_reset(en);
    en->st->clock_offset = 0;
    en->open = false;
    return run_two(en, RUN_LABS, en->lab_acts, en->nlab_acts, NULL, 0, fn, ud, e);
}

bool engine_goto(engine *en, size_t item)
{
    if (!en->open || item >= en->nitems) return false;
    /* A check about a response is about a response to something the learner did in this item:
     * an old 401 must not pass "send it and get it refused" after only the minting. */
    if (item != en->item) {
        state_clear_response(en->st);
        state_set_str(&en->st->last_refusal, NULL);
        state_set_str(&en->st->last_refusal_message, NULL);
    }
    en->item = item;
    save_current(en);
    changed(en);
    return true;
}

bool engine_next(engine *en)
{
    return engine_goto(en, en->item + 1);
}

bool engine_prev(engine *en)
{
    return en->item > 0 && engine_goto(en, en->item - 1);
}

bool engine_skip(engine *en, engine_done_fn fn, void *ud, tl_err *e)
{
    if (!en->open) return err_set(e, "engine.no_lesson", "no lesson is open");
    if (en->prog) progress_mark_lesson(en->prog, engine_lesson(en)->id, true, NULL);
    if (en->lesson_idx + 1 >= en->course->n)
        return err_set(e, "engine.last", "this is the last lesson");
    return engine_open(en, en->lesson_idx + 1, fn, ud, e);
}

bool engine_item_done(const engine *en, size_t item)
{
    return en->open && item < en->nitems && en->result[item] >= 0 &&
           (en->result[item] == 1 || parse_item(engine_lesson(en), item)->kind == LESSON_QUIZ);
}

/* ---- hints ---------------------------------------------------------------------------------- */

const char *engine_hint(engine *en)
{
    const lesson_block *b = engine_item(en);
    if (!b) return NULL;
    char **hints = b->kind == LESSON_STEP ? b->step->hints : b->quiz->hints;
    size_t n = b->kind == LESSON_STEP ? b->step->nhints : b->quiz->nhints;
    size_t *shown = &en->hints_shown[en->item];
    if (*shown >= n) return NULL;
    changed(en);
    return hints[(*shown)++];
}

size_t engine_hints_shown(const engine *en)
{
    return en->open && en->nitems ? en->hints_shown[en->item] : 0;
}

/* ---- quizzes -------------------------------------------------------------------------------- */

void engine_normalize(const char *in, char *out, size_t n)
{
    if (!n) return;
    size_t o = 0;
    bool space = false;
    const char *p = in ? in : "";
    while (*p && isspace((unsigned char)*p)) p++;
    for (; *p && o + 1 < n; p++) {
        unsigned char c = (unsigned char)*p;
        if (isspace(c)) {
            space = true;
            continue;
        }
        if (space && o) out[o++] = ' ';
        space = false;
        if (o + 1 < n) out[o++] = (char)tolower(c);
    }
    out[o] = 0;
    /* trailing punctuation, then surrounding quotes/backticks */
    while (o && strchr(".,;:!?", out[o - 1])) out[--o] = 0;
    while (o >= 2 && strchr("\"'`", out[0]) && out[o - 1] == out[0]) {
        memmove(out, out + 1, o - 2);
        o -= 2;
        out[o] = 0;
    }
    while (o && out[o - 1] == ' ') out[--o] = 0;
}

/* A bound the question states may be repeated in the answer: "at least 32" and "32 bytes or more"
 * answer "How many bytes …, at least?" as "32" does. Answers are normalized (lower case). */
typedef struct bound {
    const char *in_question;
    const char *prefixes[6];
    const char *suffixes[4];
} bound;

static const bound bounds[] = {
    {"at least",
     {"at least", "minimum", "min", ">=", "\u2265", NULL},
     {"or more", "minimum", NULL}},
    {"at most", {"at most", "maximum", "max", "<=", "\u2264", NULL}, {"or less", "or fewer", NULL}},
    /* the kind of thing the question asks for, said again: "the Authorization header" */
    {"request header", {"the", NULL}, {"header", NULL}},
    {"error code", {"the", NULL}, {"error code", "error", NULL}},
};

/* Drops one of `words` (whole words) from the start (or end) of `s`, in place. */
static void drop_word(char *s, const char *const *words, bool at_end)
{
    size_t n = strlen(s);
    for (size_t i = 0; words[i]; i++) {
        size_t w = strlen(words[i]);
        if (w >= n) continue;
        if (!at_end && strncmp(s, words[i], w) == 0 &&
            (s[w] == ' ' || !isalnum((unsigned char)s[w - 1]))) {
            size_t k = w;
            while (s[k] == ' ') k++;
            memmove(s, s + k, n - k + 1);
            return;
        }
        if (at_end && strcmp(s + n - w, words[i]) == 0 && s[n - w - 1] == ' ') {
            s[n - w - 1] = 0;
            return;
        }
    }
}

/* Is `w` a whole word of `text`? */
static bool has_word(const char *text, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(text, w); p; p = strstr(p + 1, w))
        if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return true;
    return false;
}

/* `a` is the accepted number `b` followed by one unit word the question itself uses ("32 bytes"
 * for "How many bytes …?"). */
static bool number_with_unit(const char *a, const char *b, const char *question)
{
    size_t n = strlen(b);
    if (!n || !isdigit((unsigned char)b[0]) || strncmp(a, b, n) != 0 || a[n] != ' ') return false;
    const char *unit = a + n + 1;
    if (!*unit || strchr(unit, ' ')) return false;
    return has_word(question, unit);
}

/* Normalized, without a bound the question states (both sides go through it). */
static void canonical(const char *text, const char *question, char *out, size_t n)
{
    engine_normalize(text, out, n);
    /* "invalid grant" is invalid_grant: a learner writes the words, the RFC joins them */
    for (char *c = out; *c; c++)
        if (*c == '_') *c = ' ';
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++)
        if (strstr(question, bounds[i].in_question)) {
            drop_word(out, bounds[i].prefixes, false);
            drop_word(out, bounds[i].suffixes, true);
        }
}

bool engine_text_correct(const lesson_quiz *q, const char *answer)
{
    char a[512], b[512], qn[1024];
    engine_normalize(q->question, qn, sizeof qn);
    canonical(answer, qn, a, sizeof a);
    if (!*a) return false;
    for (size_t i = 0; i < q->nanswers; i++) {
        canonical(q->answers[i], qn, b, sizeof b);
        if (strcmp(a, b) == 0 || number_with_unit(a, b, qn)) return true;
    }
    return false;
}

bool engine_choices_correct(const lesson_quiz *q, const bool *chosen, size_t n)
{
    if (n != q->nopts) return false;
    for (size_t i = 0; i < n; i++)
        if (chosen[i] != q->opts[i].correct) return false;
    return true;
}

static const lesson_quiz *current_quiz(engine *en, engine_feedback *out)
{
    memset(out, 0, sizeof *out);
    const lesson_block *b = engine_item(en);
    if (!b || b->kind != LESSON_QUIZ) {
        out->verdict = ENGINE_ERROR;
        snprintf(out->message, sizeof out->message, "this is not a question");
        return NULL;
    }
    /* The explanation gives the answer away: the callers set it only once an answer is judged
     * ("choose an answer first" shows none, and records no attempt). */
    return b->quiz;
}

void engine_answer_choices(engine *en, const bool *chosen, size_t n, engine_feedback *out)
{
    const lesson_quiz *q = current_quiz(en, out);
    if (!q) return;
    if (q->type != QUIZ_SINGLE && q->type != QUIZ_MULTI) {
        out->verdict = ENGINE_ERROR;
        snprintf(out->message, sizeof out->message, "this question is not multiple choice");
        return;
    }
    size_t nchosen = 0;
    char ans[256] = "";
    for (size_t i = 0; i < n; i++)
        if (chosen[i]) {
            nchosen++;
            size_t l = strlen(ans);
            snprintf(ans + l, sizeof ans - l, "%s%zu", l ? "," : "", i + 1);
        }
    if (nchosen == 0) {
        out->verdict = ENGINE_ERROR;
        snprintf(out->message, sizeof out->message, "choose an answer first");
        return;
    }
    bool right = engine_choices_correct(q, chosen, n);
    out->verdict = right ? ENGINE_OK : ENGINE_FAIL;
    if (right) {
        snprintf(out->message, sizeof out->message, "Correct.");
    } else {
        size_t l = (size_t)snprintf(out->message, sizeof out->message, "Not quite. The answer: ");
        bool first = true;
        for (size_t i = 0; i < q->nopts && l < sizeof out->message; i++)
            if (q->opts[i].correct) {
                l += (size_t)snprintf(out->message + l, sizeof out->message - l, "%s%s",
                                      first ? "" : "; ", q->opts[i].text);
                first = false;
            }
    }
    out->explain = q->explain;
    mark(en, en->item, right, ans);
    changed(en);
}

void engine_answer_text(engine *en, const char *answer, engine_feedback *out)
{
    const lesson_quiz *q = current_quiz(en, out);
    if (!q) return;
    if (q->type != QUIZ_TEXT) {
        out->verdict = ENGINE_ERROR;
        snprintf(out->message, sizeof out->message, "this question is not answered by typing");
        return;
    }
    char norm[512];
    engine_normalize(answer, norm, sizeof norm);
    if (!*norm) {
        out->verdict = ENGINE_ERROR;
        snprintf(out->message, sizeof out->message, "type an answer first");
        return;
    }
    bool right = engine_text_correct(q, answer);
    out->verdict = right ? ENGINE_OK : ENGINE_FAIL;
    if (right)
        snprintf(out->message, sizeof out->message, "Correct.");
    else
        snprintf(out->message, sizeof out->message, "Not quite. The answer: %s", q->answers[0]);
    out->explain = q->explain;
    mark(en, en->item, right, answer);
    changed(en);
}

void engine_score(const engine *en, size_t *correct, size_t *answered, size_t *total)
{
    size_t c = 0, a = 0, t = 0;
    const lesson *l = engine_lesson(en);
    for (size_t i = 0; l && i < en->nitems; i++) {
        const lesson_block *b = parse_item(l, i);
        if (b->kind != LESSON_QUIZ) continue;
        t++;
        if (en->result[i] >= 0) a++;
        if (en->result[i] == 1) c++;
    }
    if (correct) *correct = c;
    if (answered) *answered = a;
    if (total) *total = t;
}
