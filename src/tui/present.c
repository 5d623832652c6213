/* SPDX-License-Identifier: MIT */
/* present — presenter mode, auto-advance, recording and replay (see present.h). */
#include "tui/present.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "lesson/engine.h"
#include "tui/doc.h"
#include "tui/keys.h"
#include "tui/net.h"
#include "tui/pane_lesson.h"
#include "tui/record.h"

#define MAX_ITEMS 128

struct present {
    app *a;
    struct pane_lesson *pl;
    net *net;
    present_opts o;
    bool active;
    /* the lesson as we last saw it */
    const lesson *les;
    size_t item;
    bool reset_done; /* went to the first item after the lesson opened */
    bool ran[MAX_ITEMS];
    bool running;
    engine_feedback fb;
    bool has_fb;
    bool revealed;
    int scroll;
    doc *d;
    /* recording */
    record *rec;
    double t0;
    /* replay */
    replay rp;
    bool replaying;
    size_t rp_next;
    double rp_clock, last_mono, speed;
    bool paused, rp_done, injecting;
    long check; /* the replayed key whose `step` line is still to be compared, or -1 */
    size_t diverged;
    /* auto-advance */
    double auto_next;
    bool auto_done;
    bool pending; /* Space while a step ran: advance when it is done */
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rec_t(const present *p)
{
    return p->replaying ? p->rp_clock : mono() - p->t0;
}

/* ---------- options ---------- */

void present_usage(FILE *f)
{
    fprintf(f,
            "Presenter options:\n"
            "  --present           start in presenter mode (F5 toggles it in the TUI)\n"
            "  --auto SECONDS      advance by itself every SECONDS (0.5 to 3600)\n"
            "  --record FILE       write what the presenter does to FILE (readable text)\n"
            "  --replay FILE       play a recording back against a fresh embedded server\n"
            "  --speed X           replay speed (0.125 to 64; + and - change it while running)\n");
}

static bool num_opt(const char *name, const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d) || d < lo || d > hi) {
        fprintf(stderr, "tokenlab: %s needs a number from %g to %g, got '%s'\n", name, lo, hi, v);
        return false;
    }
    *out = d;
    return true;
}

int present_parse_opt(present_opts *o, int argc, char **argv, int *i)
{
    const char *s = argv[*i];
    if (strcmp(s, "--present") == 0) {
        o->on = true;
        return 1;
    }
    bool is_auto = strcmp(s, "--auto") == 0, is_speed = strcmp(s, "--speed") == 0;
    bool is_rec = strcmp(s, "--record") == 0, is_rep = strcmp(s, "--replay") == 0;
    if (!is_auto && !is_speed && !is_rec && !is_rep) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tokenlab: %s needs a value\n", s);
        return -1;
    }
    const char *v = argv[++*i];
    if (is_auto && !num_opt("--auto", v, 0.5, 3600, &o->auto_s)) return -1;
    if (is_speed && !num_opt("--speed", v, 0.125, 64, &o->speed)) return -1;
    if (is_rec) o->record = v;
    if (is_rep) o->replay = v;
    o->on = true; /* every presenter option implies presenter mode */
    return 1;
}

/* ---------- life cycle ---------- */

/* Every request of the demo goes into the recording when it completes: "http POST /login 200". */
static void on_exchange(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    present *p = ud;
    if (!p->rec || x->state == HTTP_PENDING) return;
    const char *u = x->url ? strstr(x->url, "://") : NULL;
    const char *path = u ? strchr(u + 3, '/') : NULL;
    if (x->state == HTTP_DONE)
        record_event(p->rec, rec_t(p), "http", "%s %s %ld", x->method ? x->method : "?",
                     path ? path : "/", x->status);
    else
        record_event(p->rec, rec_t(p), "http", "%s %s failed: %s", x->method ? x->method : "?",
                     path ? path : "/", x->err.msg);
}

void present_attach(present *p, struct pane_lesson *pl)
{
    if (p) p->pl = pl;
}

present *present_new(app *a, net *n, const present_opts *o, tl_err *e)
{
    present *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->net = n;
    p->o = *o;
    p->active = o->on;
    p->speed = o->speed > 0 ? o->speed : 1;
    p->d = doc_new();
    p->t0 = mono();
    p->last_mono = p->t0;
    p->item = (size_t)-1;
    p->check = -1;
    if (o->replay) {
        if (!replay_load(o->replay, &p->rp, e)) {
            present_free(p);
            return NULL;
        }
        p->replaying = true;
    }
    if (o->record) {
        p->rec = record_open(o->record, p->rp.lesson, e);
        if (!p->rec) {
            present_free(p);
            return NULL;
        }
        if (n && net_http(n)) http_on_exchange(net_http(n), on_exchange, p);
    }
    return p;
}

void present_free(present *p)
{
    if (!p) return;
    if (p->rec && p->net && net_http(p->net)) http_off_exchange(net_http(p->net), on_exchange, p);
    if (p->rec) record_event(p->rec, rec_t(p), "end", "%s", "");
    record_close(p->rec);
    replay_free(&p->rp);
    doc_free(p->d);
    free(p);
}

bool present_active(const present *p)
{
    return p && p->active;
}

theme_id present_set(present *p, bool on, theme_id normal)
{
    if (!p) return normal;
    p->active = on;
    p->scroll = 0;
    if (!on) return normal;
    const char *nc = getenv("NO_COLOR");
    return nc && *nc ? THEME_ID_MONO : THEME_ID_HIGH_CONTRAST;
}

/* ---------- stepping ---------- */

static engine *eng(const present *p)
{
    return pane_lesson_engine(p->pl);
}

static const char *item_id(const lesson_block *b)
{
    if (!b) return "";
    if (b->kind == LESSON_STEP) return b->step->id ? b->step->id : "";
    if (b->kind == LESSON_QUIZ) return b->quiz->id ? b->quiz->id : "";
    return "";
}

/* The loop may feed the next key: the server is up, the lesson is open and nothing runs. */
static bool ready(const present *p)
{
    engine *en = eng(p);
    return en && net_ready(p->net) && engine_lesson(en) && p->reset_done && !engine_busy(en) &&
           !net_busy(p->net);
}

static void moved(present *p)
{
    engine *en = eng(p);
    p->revealed = false;
    p->has_fb = false;
    p->scroll = 0;
    p->item = engine_item_index(en);
    const lesson_block *b = engine_item(en);
    if (p->rec)
        record_event(p->rec, rec_t(p), "step", "%zu/%zu %s %s", p->item + 1, engine_item_count(en),
                     b && b->kind == LESSON_QUIZ ? "quiz" : "step", item_id(b));
    p->auto_next = mono() + p->o.auto_s;
    app_dirty(p->a, PANE_LESSON);
}

static void on_done(void *ud, const engine_feedback *fb)
{
    present *p = ud;
    p->running = false;
    p->fb = *fb;
    p->has_fb = true;
    if (p->rec)
        record_event(p->rec, rec_t(p), "done", "%s \"%s\"",
                     fb->verdict == ENGINE_OK     ? "ok"
                     : fb->verdict == ENGINE_FAIL ? "fail"
                                                  : "error",
                     fb->message);
    p->auto_next = mono() + p->o.auto_s;
    app_dirty(p->a, PANE_LESSON);
}

/* Runs the current step's actions (again, with `again`). */
static void run_step(present *p, bool again)
{
    engine *en = eng(p);
    const lesson_block *b = en ? engine_item(en) : NULL;
    if (!b || b->kind != LESSON_STEP) {
        app_flash(p->a, "r runs a step's requests again; this is a quiz");
        return;
    }
    if (engine_busy(en)) {
        app_flash(p->a, "still running (Esc cancels)");
        return;
    }
    size_t idx = engine_item_index(en);
    if (idx < MAX_ITEMS) p->ran[idx] = true;
    if (p->rec)
        record_event(p->rec, rec_t(p), again ? "rerun" : "run", "%s \"%s\"", item_id(b),
                     b->step->title ? b->step->title : "");
    if (b->step->nacts == 0) {
        engine_feedback fb;
        engine_check(en, &fb);
        on_done(p, &fb);
        return;
    }
    tl_err e = {0};
    p->running = true;
    p->has_fb = false;
    if (!engine_run(en, false, on_done, p, &e)) {
        engine_feedback fb = {.verdict = ENGINE_ERROR};
        snprintf(fb.message, sizeof fb.message, "%s", e.msg);
        on_done(p, &fb);
    }
    app_dirty(p->a, PANE_LESSON);
}

/* Space / Right: run the current step if it has not run yet, else go to the next item. */
static void advance(present *p)
{
    engine *en = eng(p);
    if (!en || !engine_lesson(en)) return;
    if (engine_busy(en)) {
        p->pending = true; /* a quick second press: next, once the requests are done */
        app_flash(p->a, "still running: moving on when it is done (Esc cancels)");
        return;
    }
    p->pending = false;
    const lesson_block *b = engine_item(en);
    size_t idx = engine_item_index(en);
    if (b && b->kind == LESSON_STEP && idx < MAX_ITEMS && !p->ran[idx]) {
        run_step(p, false);
        return;
    }
    if (engine_next(en))
        moved(p);
    else {
        app_flash(p->a, "end of the lesson");
        p->auto_done = true;
    }
}

static void back(present *p)
{
    engine *en = eng(p);
    p->pending = false;
    if (en && !engine_busy(en) && engine_prev(en)) moved(p);
}

int present_key(present *p, int key)
{
    if (!p || !p->active) return KEY_R_IGNORED;
    bool user = !p->injecting;
    if (p->replaying && user) { /* while a replay runs, the keyboard controls the replay */
        if (key == ' ') {
            p->paused = !p->paused;
            app_flash(p->a, p->paused ? "replay paused (Space resumes)" : "replay resumed");
        } else if (key == '+' || key == '=') {
            p->speed = p->speed * 2 > 64 ? 64 : p->speed * 2;
            app_flash(p->a, "replay speed %gx", p->speed);
        } else if (key == '-') {
            p->speed = p->speed / 2 < 0.125 ? 0.125 : p->speed / 2;
            app_flash(p->a, "replay speed %gx", p->speed);
        } else if (key == 'q' || key == '?' || key == TK_ESC || key == (TK_FN | KEY_F(1))) {
            return KEY_R_IGNORED;
        }
        return KEY_R_HANDLED | KEY_R_REDRAW;
    }
    int r = KEY_R_HANDLED | KEY_R_REDRAW;
    /* the key line goes before the lines of what it caused; replayed and auto keys are written by
     * feed() */
    static const int acting[] = {' ', 'n', '\n', '\r', TK_FN | KEY_RIGHT, 'p', TK_FN | KEY_LEFT,
                                 'r', 'a', 'i'};
    for (size_t i = 0; user && p->rec && i < sizeof acting / sizeof acting[0]; i++)
        if (key == acting[i]) record_key(p->rec, rec_t(p), key);
    switch (key) {
    case ' ':
    case 'n':
    case '\n':
    case '\r':
    case TK_FN | KEY_RIGHT:
        advance(p);
        break;
    case 'p':
    case TK_FN | KEY_LEFT:
        back(p);
        break;
    case 'r':
        run_step(p, true);
        break;
    case 'a':
        p->revealed = !p->revealed;
        if (p->rec) {
            engine *en = eng(p);
            record_event(p->rec, rec_t(p), "reveal", "%s %s", en ? item_id(engine_item(en)) : "",
                         p->revealed ? "shown" : "hidden");
        }
        break;
    case 'i':
        if (eng(p) && !engine_hint(eng(p))) app_flash(p->a, "no more hints for this one");
        break;
    case TK_FN | KEY_UP:
    case 'k':
        p->scroll--;
        break;
    case TK_FN | KEY_DOWN:
    case 'j':
        p->scroll++;
        break;
    case TK_FN | KEY_PPAGE:
        p->scroll -= 10;
        break;
    case TK_FN | KEY_NPAGE:
        p->scroll += 10;
        break;
    case 'q':
    case '?':
    case TK_ESC:
    case TK_FN | KEY_F(1):
    case TK_FN | KEY_F(5):
        if (key == TK_ESC) p->pending = false;
        return KEY_R_IGNORED; /* the app's: quit, help, leave presenter mode */
    default:
        return KEY_R_HANDLED; /* no stray keys on a projector */
    }
    app_dirty(p->a, PANE_LESSON);
    return r;
}

/* ---------- the loop ---------- */

static void track_lesson(present *p)
{
    engine *en = eng(p);
    const lesson *l = en ? engine_lesson(en) : NULL;
    if (!l) return;
    if (l != p->les) {
        p->les = l;
        p->reset_done = false;
        memset(p->ran, 0, sizeof p->ran);
        p->has_fb = false;
    }
    if (!p->reset_done && !engine_busy(en)) {
        /* a demo (tokenlab present) starts at the top, whatever the saved progress says; F5 in
         * the TUI presents from where the learner is */
        if (p->o.on) engine_goto(en, 0);
        p->reset_done = true;
        p->auto_next = mono() + p->o.auto_s;
        if (p->rec)
            record_event(p->rec, rec_t(p), "open", "%s \"%s\"", l->id ? l->id : "",
                         l->title ? l->title : "");
        moved(p);
    }
    if (engine_item_index(en) != p->item) moved(p); /* moved by the mouse or the lesson pane */
}

int present_timeout(const present *p, int timeout_ms)
{
    if (!p || !p->active) return timeout_ms;
    double wait = -1;
    if (p->replaying && !p->paused && p->rp_next < p->rp.n)
        wait = (p->rp.ev[p->rp_next].t - p->rp_clock) / p->speed;
    else if (p->o.auto_s > 0 && !p->auto_done && !p->replaying)
        wait = p->auto_next - mono();
    if (wait < 0)
        return p->replaying || p->o.auto_s > 0 ? (timeout_ms < 50 ? timeout_ms : 50) : timeout_ms;
    int ms = (int)(wait * 1000) + 1;
    if (ms < 10) ms = 10;
    return ms < timeout_ms ? ms : timeout_ms;
}

static void feed(present *p, int key)
{
    if (p->rec) record_key(p->rec, rec_t(p), key);
    p->injecting = true;
    app_key(p->a, key);
    p->injecting = false;
}

/* Once the engine is idle after a replayed key: is the demo where the recording says it went? */
static void compare(present *p)
{
    if (p->check < 0 || !ready(p)) return;
    const replay_event *ev = &p->rp.ev[p->check];
    p->check = -1;
    if (!ev->expect[0]) return;
    engine *en = eng(p);
    const lesson_block *b = engine_item(en);
    char now[96];
    snprintf(now, sizeof now, "%zu/%zu %s %s", engine_item_index(en) + 1, engine_item_count(en),
             b && b->kind == LESSON_QUIZ ? "quiz" : "step", item_id(b));
    if (strcmp(now, ev->expect) == 0) return;
    p->diverged++;
    app_flash(p->a, "the replay went another way: at %.3f s the recording reached %s, now %s",
              ev->t, ev->expect, now);
    if (p->rec) record_event(p->rec, rec_t(p), "diverged", "want %s, got %s", ev->expect, now);
}

void present_poll(present *p)
{
    if (!p) return;
    double now = mono(), dt = now - p->last_mono;
    p->last_mono = now;
    track_lesson(p);
    if (!p->active) return;
    engine *en = eng(p);
    if (p->pending && en && !engine_busy(en)) {
        p->pending = false;
        advance(p);
    }
    if (p->replaying) {
        if (!ready(p) || p->paused) return; /* the demo's clock stops while requests run */
        p->rp_clock += dt * p->speed;
        while (p->rp_next < p->rp.n && p->rp.ev[p->rp_next].t <= p->rp_clock && ready(p)) {
            compare(p);
            p->check = (long)p->rp_next;
            feed(p, p->rp.ev[p->rp_next++].key);
        }
        compare(p);
        if (p->rp_next >= p->rp.n && !p->rp_done && ready(p)) {
            p->rp_done = true;
            app_flash(p->a, "replay finished (%zu keys)", p->rp.n);
            app_dirty(p->a, PANE_LESSON);
        }
        return;
    }
    if (p->o.auto_s > 0 && !p->auto_done) {
        if (!ready(p)) {
            p->auto_next = now + p->o.auto_s;
        } else if (now >= p->auto_next) {
            size_t i = engine_item_index(en);
            const lesson_block *b = engine_item(en);
            bool stepped = !b || b->kind != LESSON_STEP || (i < MAX_ITEMS && p->ran[i]);
            if (i + 1 >= engine_item_count(en) && stepped) { /* the end: the footer says so */
                p->auto_done = true;
                app_dirty(p->a, PANE_LESSON);
                return;
            }
            feed(p, ' ');
            p->auto_next = now + p->o.auto_s;
        }
    }
}

/* ---------- drawing ---------- */

static void put_item(present *p, doc *d, const lesson_block *b)
{
    if (b->kind == LESSON_STEP) {
        const lesson_step *s = b->step;
        doc_printf(d, THEME_HEADING, "%s %s", ui_sym(SYM_ARROW_R), s->title ? s->title : s->id);
        doc_nl(d);
        doc_nl(d);
        for (size_t i = 0; i < s->nacts; i++) {
            doc_printf(d, THEME_CODE, "  %s", s->acts[i].text);
            doc_nl(d);
        }
        if (s->nacts) doc_nl(d);
        if (p->running) {
            doc_put(d, THEME_WARN, "  running…");
            doc_nl(d);
        } else if (p->has_fb) {
            bool ok = p->fb.verdict == ENGINE_OK;
            doc_printf(d, ok ? THEME_OK : THEME_BAD, "  %s %s", ui_sym(ok ? SYM_CHECK : SYM_CROSS),
                       p->fb.message);
            doc_hang(d, 4);
            doc_nl(d);
        }
        size_t shown = engine_hints_shown(eng(p));
        for (size_t i = 0; i < shown && i < s->nhints; i++) {
            doc_printf(d, THEME_WARN, "  hint: %s", s->hints[i]);
            doc_hang(d, 4);
            doc_nl(d);
        }
        return;
    }
    const lesson_quiz *q = b->quiz;
    doc_put(d, THEME_HEADING, "? ");
    doc_put(d, THEME_HEADING, q->question ? q->question : "");
    doc_hang(d, 2);
    doc_nl(d);
    doc_nl(d);
    for (size_t o = 0; o < q->nopts; o++) {
        theme_elem el = !p->revealed ? THEME_NORMAL : q->opts[o].correct ? THEME_OK : THEME_DIM;
        const char *mark = !p->revealed ? " " : q->opts[o].correct ? ui_sym(SYM_CHECK) : " ";
        doc_printf(d, el, " %s %c) %s", mark, (char)('A' + (o % 26)), q->opts[o].text);
        doc_hang(d, 6);
        doc_nl(d);
    }
    if (q->type == QUIZ_TEXT && p->revealed && q->nanswers) {
        doc_printf(d, THEME_OK, "  answer: %s", q->answers[0]);
        doc_nl(d);
    }
    doc_nl(d);
    if (!p->revealed) {
        doc_put(d, THEME_DIM, "  (a reveals the answer)");
        doc_nl(d);
    } else if (q->explain) {
        doc_printf(d, THEME_NOTE, "  %s", q->explain);
        doc_hang(d, 2);
        doc_nl(d);
    }
}

void present_draw_lesson(present *p, WINDOW *w)
{
    int h, wd;
    getmaxyx(w, h, wd);
    werase(w);
    engine *en = eng(p);
    const lesson *l = en ? engine_lesson(en) : NULL;
    ui_box(w, THEME_BORDER, l && l->title ? l->title : "Lesson", true);
    int vh = h - 2, vw = wd - 6;
    if (vh < 1 || vw < 1) return;
    doc *d = p->d;
    doc_clear(d);
    if (!l) {
        doc_put(d, THEME_NOTE, "Starting the server…");
        doc_draw(d, w, 1, 3, vh, vw, 0, -1);
        return;
    }
    /* progress: one mark per item */
    size_t n = engine_item_count(en), cur = engine_item_index(en);
    for (size_t i = 0; i < n && i < 60; i++)
        doc_put(d,
                i == cur                  ? THEME_SELECTED
                : engine_item_done(en, i) ? THEME_OK
                                          : THEME_DIM,
                i <= cur ? ui_sym(SYM_BAR_FULL) : ui_sym(SYM_BAR_EMPTY));
    doc_printf(d, THEME_NOTE, "  %zu / %zu", cur + 1, n);
    doc_nl(d);
    doc_nl(d);
    /* the prose that leads to the current item, then the item */
    size_t item = 0, from = 0, at = l->nblocks;
    for (size_t b = 0; b < l->nblocks; b++) {
        if (l->blocks[b].kind != LESSON_STEP && l->blocks[b].kind != LESSON_QUIZ) continue;
        if (item == cur) {
            at = b;
            break;
        }
        from = b + 1;
        item++;
    }
    for (size_t b = from; b < at && b < l->nblocks; b++) {
        const lesson_block *bl = &l->blocks[b];
        if (bl->kind == LESSON_PROSE) pane_lesson_put_prose(d, bl->text);
        if (bl->kind == LESSON_CODE && bl->text) {
            const char *s = bl->text;
            while (*s) {
                const char *e = strchr(s, '\n');
                size_t k = e ? (size_t)(e - s) : strlen(s);
                doc_put(d, THEME_CODE, "  ");
                doc_putn(d, THEME_CODE, s, k);
                doc_nl(d);
                s += k + (e ? 1 : 0);
            }
            doc_nl(d);
        }
    }
    size_t item_line = doc_line_count(d) - 1;
    if (at < l->nblocks) put_item(p, d, &l->blocks[at]);
    int rows = doc_rows(d, vw), irow = doc_line_row(d, item_line, vw);
    /* the item stays on screen: scroll the lead-in prose away when it does not fit */
    int base = rows - vh > 0 ? rows - vh : 0;
    if (base > irow) base = irow;
    int sc = base + p->scroll;
    if (sc > rows - vh) sc = rows - vh;
    if (sc < 0) sc = 0;
    p->scroll = sc - base;
    doc_draw(d, w, 1, 3, vh, vw, sc, -1);
}

void present_draw_footer(present *p, WINDOW *w)
{
    int W = getmaxx(w);
    wbkgdset(w, ' ' | theme_attr(THEME_FOOTER));
    werase(w);
    char left[160] = "";
    size_t o = 0;
    if (p->rec) o += (size_t)snprintf(left + o, sizeof left - o, " %s REC ", ui_sym(SYM_DOT));
    if (p->replaying && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " replay %gx%s%s ", p->speed,
                              p->paused ? " paused" : "", p->rp_done ? " finished" : "");
    if (p->replaying && p->diverged && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " %zu step%s off the recording ",
                              p->diverged, p->diverged == 1 ? "" : "s");
    else if (p->o.auto_s > 0 && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " auto %gs%s ", p->o.auto_s,
                              p->auto_done ? " (end)" : "");
    int x = ui_put(w, 0, 0, left, W, theme_attr(p->rec ? THEME_BAD : THEME_FOOTER));
    const char *hint = p->replaying ? "Space pause  + - speed  q quit"
                                    : "Space next  \xe2\x86\x90 back  r again  a answer  F5 leave";
    if (ui_ascii() && !p->replaying) hint = "Space next  <- back  r again  a answer  F5 leave";
    int hw = ui_width(hint);
    if (W - hw - 1 > x) ui_put(w, 0, W - hw - 1, hint, hw, theme_attr(THEME_DIM));
}
