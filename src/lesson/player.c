/* SPDX-License-Identifier: MIT */
/* player — plays every lesson's reference path headless against a real server. */
#include "lesson/player.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/check.h"
#include "lesson/engine.h"
#include "oauth/http.h"
#include "server/server.h"

typedef struct waiter {
    bool done;
    engine_feedback fb;
} waiter;

static void on_done(void *ud, const engine_feedback *fb)
{
    waiter *w = ud;
    w->fb = *fb;
    w->done = true;
}

/* Waits for a run started with `w` as its user data. */
static bool wait_for(http_client *h, waiter *w, int timeout_ms)
{
    int waited = 0;
    while (!w->done && waited < timeout_ms && http_busy(h)) {
        http_wait(h, 100);
        waited += 100;
    }
    return w->done;
}

/* The embedded server's refusals reach the state on the server's threads; the feed outlives the
 * engine (there is no unsubscribe), so it is detached before the engine goes. */
typedef struct feed {
    pthread_mutex_t mu;
    lesson_state *st;
} feed;

static void on_server_event(void *ud, const server_event *ev)
{
    feed *f = ud;
    if (!ev->kind || strcmp(ev->kind, "refused") != 0) return;
    pthread_mutex_lock(&f->mu);
    if (f->st) state_post_refusal(f->st, ev->code, ev->message);
    pthread_mutex_unlock(&f->mu);
}

static const char *secret_of(void *ud, size_t *len)
{
    return server_login_secret((server *)ud, len);
}

static void report(parse_diags *out, player_stats *st, const lesson *l, int line, const char *kind,
                   const char *id, const char *what)
{
    parse_diags_add(out, l->path, line, "lesson %s, %s %s: %s", l->id, kind, id, what);
    st->failures++;
}

/* An item whose checks read a response (or the server's last refusal) must not pass before anything
 * was done in it: its response is the answer to something the learner did here, not an old 401
 * from an earlier step (the engine forgets the response when the learner moves to an item). Returns
 * the check path that made it pass on entry, or NULL when the item is not satisfied yet. */
static const char *passes_on_entry(engine *en, const lesson_block *b)
{
    const lesson_cond *cs = b->kind == LESSON_STEP ? b->step->checks : b->quiz->checks;
    size_t n = b->kind == LESSON_STEP ? b->step->nchecks : b->quiz->nchecks;
    const char *about = NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(cs[i].path, "response.", 9) == 0 || strncmp(cs[i].path, "server.", 7) == 0)
            about = cs[i].path;
    if (!about) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!check_eval(&cs[i], engine_state(en), NULL, 0)) return NULL;
    return about;
}

bool player_run(const course *c, const player_options *o, parse_diags *out, player_stats *stats,
                tl_err *e)
{
    player_options def = {0};
    if (!o) o = &def;
    player_stats local = {0};
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    int timeout = o->timeout_ms > 0 ? o->timeout_ms : 20000;
    server *srv = NULL;
    const char *url = o->server_url, *key = o->lab_key;
    if (!url) {
        server_options so = {.listen = "127.0.0.1:0"};
        if (!server_start(&so, &srv, e)) return err_prefix(e, "starting the embedded server: ");
        url = server_base_url(srv);
        key = server_lab_key(srv);
    }
    http_client *h = http_client_new();
    if (!h) {
        server_stop(srv);
        return err_set(e, "lesson.nomem", "cannot create the HTTP client");
    }
    /* a remote server's refusals come from its /lab/events; the embedded one's by subscription */
    engine_options eo = {
        .http = h, .server_url = url, .lab_key = key, .course = c, .server_events = !srv};
    if (srv) {
        eo.login_secret_fn = secret_of;
        eo.login_secret_ud = srv;
    }
    engine *en = NULL;
    if (!engine_new(&eo, &en, e)) {
        http_client_free(h);
        server_stop(srv);
        return false;
    }
    feed fd = {.st = engine_state(en)};
    pthread_mutex_init(&fd.mu, NULL);
    if (srv) server_subscribe(srv, on_server_event, &fd);
    for (size_t li = 0; li < c->n; li++) {
        const lesson *l = c->lessons[li];
        if (o->only && strcmp(o->only, l->id) != 0) continue;
        size_t fails_before = stats->failures;
        stats->lessons++;
        waiter w = {0};
        tl_err oe = {0};
        if (!engine_open(en, li, on_done, &w, &oe)) {
            report(out, stats, l, 1, "lesson", l->id, oe.msg);
            continue;
        }
        if (!wait_for(h, &w, timeout)) {
            report(out, stats, l, 1, "lesson", l->id, "turning its lab switches on timed out");
            continue;
        }
        if (w.fb.verdict != ENGINE_OK) report(out, stats, l, 1, "lesson", l->id, w.fb.message);
        engine_goto(en, 0);
        for (size_t i = 0; i < engine_item_count(en); i++) {
            engine_goto(en, i);
            const lesson_block *b = engine_item(en);
            const char *stale = passes_on_entry(en, b);
            if (stale) {
                char why[300];
                snprintf(why, sizeof why,
                         "its checks hold before anything was done in it (%s is left from an "
                         "earlier item)",
                         stale);
                report(out, stats, l, b->line, b->kind == LESSON_STEP ? "step" : "quiz",
                       b->kind == LESSON_STEP ? b->step->id : b->quiz->id, why);
            }
            if (b->kind == LESSON_STEP) {
                stats->steps++;
                waiter sw = {0};
                tl_err re = {0};
                if (!engine_run(en, true, on_done, &sw, &re)) {
                    report(out, stats, l, b->line, "step", b->step->id, re.msg);
                    continue;
                }
                if (!wait_for(h, &sw, timeout)) {
                    report(out, stats, l, b->line, "step", b->step->id, "timed out");
                    continue;
                }
                if (sw.fb.verdict != ENGINE_OK)
                    report(out, stats, l, b->line, "step", b->step->id,
                           sw.fb.detail[0] ? sw.fb.detail : sw.fb.message);
                continue;
            }
            const lesson_quiz *q = b->quiz;
            stats->quizzes++;
            engine_feedback fb = {0};
            if (q->type == QUIZ_PRACTICAL) {
                waiter sw = {0};
                tl_err re = {0};
                if (!engine_run(en, true, on_done, &sw, &re)) {
                    report(out, stats, l, b->line, "quiz", q->id, re.msg);
                    continue;
                }
                if (!wait_for(h, &sw, timeout)) {
                    report(out, stats, l, b->line, "quiz", q->id, "timed out");
                    continue;
                }
                fb = sw.fb;
            } else if (q->type == QUIZ_TEXT) {
                engine_answer_text(en, q->answers[0], &fb);
            } else {
                bool *chosen = calloc(q->nopts + 1, sizeof *chosen);
                for (size_t k = 0; chosen && k < q->nopts; k++) chosen[k] = q->opts[k].correct;
                engine_answer_choices(en, chosen, q->nopts, &fb);
                free(chosen);
            }
            if (fb.verdict != ENGINE_OK)
                report(out, stats, l, b->line, "quiz", q->id,
                       fb.detail[0] ? fb.detail : fb.message);
            if (o->on_answer)
                o->on_answer(o->answer_ud, l, q, engine_item_answer(en, i),
                             fb.verdict == ENGINE_OK);
        }
        if (o->on_answer) o->on_answer(o->answer_ud, l, NULL, NULL, true);
        waiter cw = {0};
        tl_err ce = {0};
        if (engine_close(en, on_done, &cw, &ce) && wait_for(h, &cw, timeout) &&
            cw.fb.verdict != ENGINE_OK)
            report(out, stats, l, 1, "lesson", l->id, cw.fb.message);
        if (o->log)
            fprintf(o->log, "play %-18s %zu step%s, %zu question%s: %s\n", l->id, l->nsteps,
                    l->nsteps == 1 ? "" : "s", l->nquizzes, l->nquizzes == 1 ? "" : "s",
                    stats->failures == fails_before ? "ok" : "FAILED");
    }
    pthread_mutex_lock(&fd.mu);
    fd.st = NULL;
    pthread_mutex_unlock(&fd.mu);
    engine_free(en);
    http_client_free(h);
    server_stop(srv); /* joins the server threads: nothing calls on_server_event after this */
    pthread_mutex_destroy(&fd.mu);
    return true;
}
