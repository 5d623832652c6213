/* SPDX-License-Identifier: MIT */
#include "tui/pane_lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "jose/alg.h"
#include "lesson/action.h"
#include "lesson/course.h"
#include "lesson/engine.h"
#include "lesson/parse.h"
#include "lesson/progress.h"
#include "lesson/state.h"
#include "tui/doc.h"
#include "tui/mdview.h"
#include "tui/net.h"

#define MAX_ITEMS  128
#define ANSWER_MAX 512

/* Where the next draw scrolls: nowhere, to the current item (with the prose that leads to it), or
 * to the end of the current item (its feedback, explanation and hints). */
typedef enum follow_mode { FOLLOW_NONE, FOLLOW_ITEM, FOLLOW_END } follow_mode;

typedef struct item_view {
    engine_feedback fb;
    bool has_fb;
    bool chosen[32];
    int cursor; /* option under the cursor */
    bool ask;   /* Enter came with no option chosen: say how to choose (nothing is scored) */
} item_view;

struct pane_lesson {
    app *a;
    net *net;
    course *course;
    progress *prog;
    engine *en;
    char problem[600]; /* why there is no course / engine, shown in the pane */
    char notice[600];
    bool list_mode;
    long list_sel;
    item_view items[MAX_ITEMS];
    size_t items_for; /* lesson index the views belong to */
    bool running;
    bool editing;
    char answer[ANSWER_MAX];
    size_t answer_len;
    doc *d;
    int scroll;
    int hscroll;        /* code blocks and tables, scrolled sideways (Left/Right) */
    follow_mode follow; /* what the next draw scrolls to */
    int view_h, view_w;
    size_t item_line[MAX_ITEMS + 1]; /* doc line where each item starts */
    size_t item_end[MAX_ITEMS + 1];  /* doc line just after each item (its blank separator) */
    size_t nitem_lines;
    bool cur_seen; /* the current item was in view at the last draw */
    char status[200];
    char *seen_tokens[STATE_TOK_COUNT];
    char *seen_decoder;
    char *want_id; /* --lesson */
    bool opened;   /* engine_open ran (after the server came up) */
};

static const char *secret_fn(void *ud, size_t *len)
{
    return net_login_secret(ud, len);
}

static item_view *cur_view(pane_lesson *p)
{
    if (!p->en) return NULL;
    size_t i = engine_item_index(p->en);
    if (engine_lesson_index(p->en) != p->items_for) {
        memset(p->items, 0, sizeof p->items);
        p->items_for = engine_lesson_index(p->en);
    }
    return i < MAX_ITEMS ? &p->items[i] : NULL;
}

/* The item passed in this session and its feedback is on screen. */
static bool item_passed(pane_lesson *p, size_t item)
{
    const item_view *v =
        item < MAX_ITEMS && p->items_for == engine_lesson_index(p->en) ? &p->items[item] : NULL;
    return v && v->has_fb && v->fb.verdict == ENGINE_OK && !p->running && !p->editing &&
           engine_item_done(p->en, item);
}

/* Tokens the engine received land in the decoder (with their names), and the decoder token the
 * lesson set is shown. */
static void sync_tokens(pane_lesson *p)
{
    if (!p->en) return;
    lesson_state *st = engine_state(p->en);
    /* the access token last, so that after a code exchange the decoder shows the token the
     * lessons speak of (the ID token is one [ away in the history) */
    static const state_token order[] = {STATE_TOK_ID, STATE_TOK_REFRESH, STATE_TOK_LOGIN,
                                        STATE_TOK_ACCESS};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        state_token t = order[k];
        const char *now = st->tokens[t];
        if (now && (!p->seen_tokens[t] || strcmp(now, p->seen_tokens[t]) != 0)) {
            free(p->seen_tokens[t]);
            p->seen_tokens[t] = strdup(now);
            if (t != STATE_TOK_REFRESH || (now[0] == 'e' && strchr(now, '.')))
                app_show_token(p->a, state_token_name(t), now);
        }
    }
    const char *dec = st->decoder;
    if (dec && (!p->seen_decoder || strcmp(dec, p->seen_decoder) != 0)) {
        free(p->seen_decoder);
        p->seen_decoder = strdup(dec);
        const char *label = "lesson";
        for (int t = 0; t < STATE_TOK_COUNT; t++)
            if (st->tokens[t] && strcmp(st->tokens[t], dec) == 0)
                label = state_token_name((state_token)t);
        /* a token the lesson made (mint, tamper, resign) comes with the key that signed it, so
         * the decoder checks it with that key; the server's tokens are checked with its keys */
        bool own = strcmp(label, "lesson") == 0;
        app_show_token_key(p->a, label, dec, own ? st->decoder_key : NULL);
    }
}

static void on_change(void *ud)
{
    pane_lesson *p = ud;
    sync_tokens(p);
    app_dirty(p->a, PANE_LESSON);
}

/* A step that cracked a secret says which word it found (the learner signs with it next). */
static void add_crack_result(pane_lesson *p, item_view *v)
{
    const lesson_block *b = p->en ? engine_item(p->en) : NULL;
    const char *secret = p->en ? engine_state(p->en)->crack_secret : NULL;
    if (!b || b->kind != LESSON_STEP || !secret) return;
    bool cracked = false;
    for (size_t i = 0; i < b->step->nacts; i++)
        cracked = cracked || (b->step->acts[i].argc &&
                              action_outcome_of(b->step->acts[i].argv[0]) == ACTION_OUTCOME_CRACK);
    size_t n = strlen(v->fb.message);
    if (cracked && n + 1 < sizeof v->fb.message)
        snprintf(v->fb.message + n, sizeof v->fb.message - n, " The secret is \"%s\".", secret);
}

static void on_done(void *ud, const engine_feedback *fb)
{
    pane_lesson *p = ud;
    p->running = false;
    item_view *v = cur_view(p);
    if (v) {
        v->fb = *fb;
        v->has_fb = true;
        add_crack_result(p, v);
    }
    sync_tokens(p);
    p->follow = FOLLOW_END; /* the feedback and the explanation come into view */
    app_dirty(p->a, PANE_LESSON);
}

static void on_open(void *ud, const engine_feedback *fb)
{
    pane_lesson *p = ud;
    if (fb && fb->verdict == ENGINE_ERROR) app_flash(p->a, "%s", fb->message);
    p->follow = FOLLOW_ITEM;
    app_dirty(p->a, PANE_LESSON);
}

pane_lesson *pane_lesson_new(app *a, struct net *n, const pane_lesson_options *o)
{
    pane_lesson *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->net = n;
    p->d = doc_new();
    p->items_for = (size_t)-1;
    tl_err e = {0};
    parse_diags diags = {0};
    course_options co = {.dir = o->lessons_dir, .lang = o->lang};
    p->course = course_load(&co, &diags, &e);
    if (!p->course) {
        snprintf(p->problem, sizeof p->problem, "No lessons: %s", e.msg);
    } else if (diags.n) {
        snprintf(p->notice, sizeof p->notice, "%zu lesson problem(s), e.g. %s", diags.n,
                 diags.msgs[0]);
    }
    parse_diags_free(&diags);
    if (p->course) {
        char notice[512] = "";
        if (!progress_open(NULL, &p->prog, notice, sizeof notice, &e)) {
            snprintf(p->notice, sizeof p->notice, "progress will not be saved: %s", e.msg);
            p->prog = NULL;
        } else if (notice[0]) {
            snprintf(p->notice, sizeof p->notice, "%s", notice);
        }
        size_t slen = 0;
        const char *secret = net_login_secret(n, &slen);
        engine_options eo = {
            .http = net_http(n),
            .server_url = net_base_url(n),
            .lab_key = net_lab_key(n),
            .login_secret = secret,
            .login_secret_len = slen,
            .login_secret_fn = net_embedded(n) ? secret_fn : NULL,
            .login_secret_ud = n,
            .course = p->course,
            .progress = p->prog,
            /* server_events stays false: the app already receives the server's events (embedded
             * subscription or the remote /lab/events stream) and posts refusals to the engine's
             * state (app.c on_net_event), so a second stream would only double them. */
        };
        if (!engine_new(&eo, &p->en, &e)) {
            snprintf(p->problem, sizeof p->problem, "The lesson engine did not start: %s", e.msg);
            p->en = NULL;
        } else {
            engine_on_change(p->en, on_change, p);
            if (p->course->n == 0) snprintf(p->problem, sizeof p->problem, "No lessons found.");
        }
    }
    p->follow = FOLLOW_ITEM;
    if (o->lesson_id) p->want_id = strdup(o->lesson_id);
    return p;
}

void pane_lesson_connect(pane_lesson *p)
{
    if (p->en) engine_refresh_keys(p->en); /* the server's login secret exists from now on */
    if (p->opened || !p->en || !p->course || p->course->n == 0) return;
    p->opened = true;
    tl_err e = {0};
    if (!engine_open_id(p->en, p->want_id, on_open, p, &e)) {
        snprintf(p->notice, sizeof p->notice, "%s", e.msg);
        engine_open(p->en, 0, on_open, p, NULL);
    }
    p->follow = FOLLOW_ITEM;
    app_dirty(p->a, PANE_LESSON);
}

void pane_lesson_free(pane_lesson *p)
{
    if (!p) return;
    engine_free(p->en);
    progress_free(p->prog);
    course_free(p->course);
    for (int i = 0; i < STATE_TOK_COUNT; i++) free(p->seen_tokens[i]);
    free(p->seen_decoder);
    free(p->want_id);
    doc_free(p->d);
    free(p);
}

/* ---- document ---- */

/* A line of text from a quiz or a task: `code` spans and **bold** as in the prose. */
static void put_inline(doc *d, const char *s, theme_elem base)
{
    bool code = false, strong = false;
    while (*s) {
        const char *next = s;
        while (*next && *next != '`' && !(!code && next[0] == '*' && next[1] == '*')) next++;
        doc_putn(d, code ? THEME_CODE : strong ? THEME_STRONG : base, s, (size_t)(next - s));
        if (!*next) break;
        if (*next == '`') {
            code = !code;
            s = next + 1;
        } else {
            strong = !strong;
            s = next + 2;
        }
    }
}

/* Markdown prose, parsed with md4c (lesson/md.c), rendered by mdview.c. */
static void put_prose(doc *d, const char *text)
{
    mdview_put(d, text);
}

static void put_feedback(doc *d, const item_view *v)
{
    if (v && v->ask) {
        doc_put(d, THEME_WARN,
                "  Choose an answer first: Up/Down move, Space chooses, then Enter answers.");
        doc_hang(d, 4);
        doc_nl(d);
    }
    if (!v || !v->has_fb) return;
    theme_elem el = v->fb.verdict == ENGINE_OK ? THEME_OK : THEME_BAD;
    doc_printf(d, el, "  %s %s", v->fb.verdict == ENGINE_OK ? ui_sym(SYM_CHECK) : ui_sym(SYM_CROSS),
               v->fb.message);
    doc_hang(d, 4);
    doc_nl(d);
    if (v->fb.explain) {
        doc_printf(d, THEME_NOTE, "    %s", v->fb.explain);
        doc_hang(d, 4);
        doc_nl(d);
    }
}

static void put_hints(pane_lesson *p, doc *d, char **hints, size_t nhints, bool current)
{
    size_t shown = current ? engine_hints_shown(p->en) : 0;
    for (size_t i = 0; i < shown && i < nhints; i++) {
        doc_printf(d, THEME_WARN, "  hint %zu/%zu: %s", i + 1, nhints, hints[i]);
        doc_hang(d, 4);
        doc_nl(d);
    }
    if (current && shown < nhints)
        doc_printf(d, THEME_NOTE, "  (i: hint %zu of %zu)\n", shown + 1, nhints);
}

static void build_list(pane_lesson *p)
{
    doc *d = p->d;
    doc_put(d, THEME_HEADING, "Lessons");
    doc_put(d, THEME_NOTE, "  (Enter opens, Esc goes back)\n");
    p->nitem_lines = 0;
    for (size_t i = 0; p->course && i < p->course->n; i++) {
        const lesson *l = p->course->lessons[i];
        const char *st = p->prog ? progress_lesson_status(p->prog, l->id) : NULL;
        const char *mark = !st                          ? " "
                           : strcmp(st, "done") == 0    ? ui_sym(SYM_CHECK)
                           : strcmp(st, "skipped") == 0 ? "-"
                                                        : ui_sym(SYM_BULLET);
        if (p->nitem_lines < MAX_ITEMS) {
            p->item_line[p->nitem_lines] = doc_line_count(d) - 1;
            p->item_end[p->nitem_lines++] = doc_line_count(d);
        }
        doc_printf(d, st && strcmp(st, "done") == 0 ? THEME_OK : THEME_NORMAL, "%s %2zu %s", mark,
                   i + 1, l->title);
        doc_printf(d, THEME_NOTE, "  %s · %d min", l->level ? l->level : "", l->minutes);
        if (st && strcmp(st, "started") == 0) { /* how far a started lesson got */
            size_t steps = 0, answered = 0, correct = 0;
            progress_lesson_counts(p->prog, l->id, &steps, &answered, &correct);
            doc_printf(d, THEME_NOTE, " · %zu/%zu steps, %zu/%zu quizzes", steps, l->nsteps,
                       answered, l->nquizzes);
        } else if (st && strcmp(st, "done") == 0 && l->nquizzes) { /* first-attempt score */
            size_t correct = 0;
            progress_lesson_counts(p->prog, l->id, NULL, NULL, &correct);
            doc_printf(d, THEME_NOTE, " · quizzes %zu/%zu right first time", correct, l->nquizzes);
        }
        doc_nl(d);
    }
}

/* Was the quiz answered right: 1, 0, or -1 when not answered. The latest verdict of this session
 * (a wrong first answer put right later counts as right), else the saved first-attempt result. */
static int quiz_right(pane_lesson *p, const lesson *l, const lesson_quiz *q, const item_view *v)
{
    if (v && v->has_fb && v->fb.verdict != ENGINE_ERROR) return v->fb.verdict == ENGINE_OK;
    if (!p->prog || !l->id || !q->id) return -1;
    return progress_quiz_last(p->prog, l->id, q->id);
}

static void build_lesson(pane_lesson *p)
{
    doc *d = p->d;
    const lesson *l = engine_lesson(p->en);
    if (!l) {
        doc_put(d, THEME_NOTE,
                p->opened ? "No lesson open (l lists them)." : "Starting the server…");
        return;
    }
    size_t cur = engine_item_index(p->en), item = 0;
    p->nitem_lines = 0;
    for (size_t b = 0; b < l->nblocks; b++) {
        const lesson_block *bl = &l->blocks[b];
        if (bl->kind == LESSON_PROSE) {
            put_prose(d, bl->text ? bl->text : "");
            continue;
        }
        if (bl->kind == LESSON_CODE) {
            const char *s = bl->text ? bl->text : "";
            while (*s) {
                const char *e = strchr(s, '\n');
                size_t n = e ? (size_t)(e - s) : strlen(s);
                doc_put(d, THEME_CODE, "    ");
                doc_nowrap(d); /* a token stays whole: Left/Right scroll sideways */
                doc_putn(d, THEME_CODE, s, n);
                doc_nl(d);
                s += n + (e ? 1 : 0);
            }
            continue;
        }
        bool is_cur = item == cur;
        bool done = engine_item_done(p->en, item);
        item_view *v =
            item < MAX_ITEMS && p->items_for == engine_lesson_index(p->en) ? &p->items[item] : NULL;
        if (item < MAX_ITEMS) p->item_line[item] = doc_line_count(d) - 1;
        p->nitem_lines = item + 1 < MAX_ITEMS ? item + 1 : MAX_ITEMS;
        const char *mark = done ? ui_sym(SYM_CHECK) : is_cur ? ui_sym(SYM_ARROW_R) : " ";
        if (bl->kind == LESSON_STEP) {
            const lesson_step *s = bl->step;
            doc_printf(d, is_cur ? THEME_SELECTED : (done ? THEME_OK : THEME_TITLE), "%s Step: %s",
                       mark, s->title ? s->title : s->id);
            doc_nl(d);
            if (is_cur) {
                bool passed = item_passed(p, item);
                const char *label = p->running ? " running… (Esc cancels) "
                                    : passed   ? " Enter: next "
                                    : s->nacts ? " Enter: run "
                                               : " Enter: check ";
                doc_put(d, THEME_NORMAL, "  ");
                doc_put(d, THEME_BUTTON, label);
                if (passed)
                    doc_put(d, THEME_NOTE, s->nacts ? "  R: run again" : "  R: check again");
                for (size_t i = 0; i < s->nacts && !passed; i++)
                    doc_printf(d, THEME_NOTE, "  %s", s->acts[i].text);
                doc_hang(d, 4); /* a long list of actions wraps under the button */
                doc_nl(d);
                put_feedback(d, v);
                put_hints(p, d, s->hints, s->nhints, true);
            } else if (v) {
                put_feedback(d, v);
            }
        } else if (bl->kind == LESSON_QUIZ) {
            const lesson_quiz *q = bl->quiz;
            static const char *const types[] = {"choose one", "choose all that apply",
                                                "type the answer", "do it"};
            int right = done ? quiz_right(p, l, q, v) : -1;
            if (right >= 0) /* ✓ right, ✗ answered wrong (a mark for "answered" would lie) */
                doc_put(d, right ? THEME_OK : THEME_BAD, ui_sym(right ? SYM_CHECK : SYM_CROSS));
            else
                doc_put(d, is_cur ? THEME_SELECTED : THEME_TITLE, mark);
            doc_printf(d, is_cur ? THEME_SELECTED : (right == 1 ? THEME_OK : THEME_TITLE),
                       " Quiz (%s)", types[q->type]);
            doc_nl(d);
            put_inline(d, q->question ? q->question : "", THEME_NORMAL);
            doc_nl(d);
            for (size_t o = 0; o < q->nopts; o++) {
                bool on = v && o < 32 && v->chosen[o];
                bool at = is_cur && v && v->cursor == (int)o;
                const char *box = q->type == QUIZ_SINGLE ? ui_sym(on ? SYM_RADIO_ON : SYM_RADIO_OFF)
                                                         : ui_sym(on ? SYM_BOX_ON : SYM_BOX_OFF);
                doc_printf(d, at ? THEME_SELECTED : THEME_NORMAL, "  %s %s", box, q->opts[o].text);
                doc_hang(d, 3 + ui_width(box));
                doc_nl(d);
            }
            if (is_cur) {
                if (q->type == QUIZ_TEXT) {
                    doc_put(d, THEME_NORMAL, "  answer: ");
                    doc_putn(d, THEME_INPUT, p->answer, p->answer_len);
                    doc_put(d, THEME_INPUT, p->editing ? "_" : " ");
                    doc_put(d, THEME_NOTE,
                            p->editing             ? "  (Enter submits, Esc stops)"
                            : item_passed(p, item) ? "  (Enter: next · R: answer again)"
                                                   : "  (Enter to type)");
                    doc_nl(d);
                } else if (item_passed(p, item)) {
                    doc_put(d, THEME_NORMAL, "  ");
                    doc_put(d, THEME_BUTTON, " Enter: next ");
                    doc_put(d, THEME_NOTE,
                            q->type == QUIZ_PRACTICAL ? "  R: check again" : "  R: answer again");
                    doc_nl(d);
                } else {
                    doc_put(d, THEME_NORMAL, "  ");
                    doc_put(d, THEME_BUTTON,
                            q->type == QUIZ_PRACTICAL ? " Enter: check my work "
                                                      : " Space: choose · Enter: answer ");
                    if (q->type == QUIZ_PRACTICAL) /* console.c */
                        doc_put(d, THEME_NOTE, "  : type actions");
                    doc_nl(d);
                }
                put_feedback(d, v);
                put_hints(p, d, q->hints, q->nhints, true);
            } else if (v) {
                put_feedback(d, v);
            }
        }
        if (item < MAX_ITEMS) p->item_end[item] = doc_line_count(d) - 1;
        doc_nl(d);
        item++;
    }
    if (cur + 1 >= engine_item_count(p->en))
        doc_put(d, THEME_NOTE, "End of the lesson. l opens the list for the next one.\n");
}

static void build(pane_lesson *p)
{
    doc_clear(p->d);
    if (p->notice[0]) doc_printf(p->d, THEME_WARN, "%s\n", p->notice);
    if (p->problem[0]) {
        doc_printf(p->d, THEME_BAD, "%s\n", p->problem);
        doc_put(p->d, THEME_NOTE,
                "The decoder (d), trace (t) and flow diagrams (f) still work. Try --lessons DIR.");
        return;
    }
    if (p->list_mode)
        build_list(p);
    else
        build_lesson(p);
}

/* ---- keys ---- */

static void moved(pane_lesson *p);

/* Enter on an item that has just passed goes on to the next one (as in vimtutor and rustlings: the
 * learner keeps pressing Enter); R runs or answers it again. */
static void advance(pane_lesson *p)
{
    if (engine_next(p->en)) {
        moved(p);
        return;
    }
    app_flash(p->a, "end of the lesson: l opens the list for the next one");
}

static void run_current(pane_lesson *p)
{
    const lesson_block *b = engine_item(p->en);
    if (!b) return;
    item_view *v = cur_view(p);
    tl_err e = {0};
    if (b->kind == LESSON_STEP || (b->kind == LESSON_QUIZ && b->quiz->type == QUIZ_PRACTICAL)) {
        if (engine_busy(p->en)) return;
        if (b->kind == LESSON_STEP && b->step->nacts == 0) {
            engine_feedback fb;
            engine_check(p->en, &fb);
            on_done(p, &fb);
            return;
        }
        if (b->kind == LESSON_QUIZ) {
            engine_feedback fb;
            engine_check(p->en, &fb);
            on_done(p, &fb);
            return;
        }
        p->running = true;
        if (!engine_run(p->en, false, on_done, p, &e)) {
            p->running = false;
            if (v) {
                v->has_fb = true;
                v->fb.verdict = ENGINE_ERROR;
                snprintf(v->fb.message, sizeof v->fb.message, "%s", e.msg);
                v->fb.explain = NULL;
            }
        }
        return;
    }
    const lesson_quiz *q = b->quiz;
    if (q->type == QUIZ_TEXT) {
        if (!p->editing) {
            p->editing = true;
            return;
        }
        engine_feedback fb;
        engine_answer_text(p->en, p->answer, &fb);
        p->editing = false;
        on_done(p, &fb);
        return;
    }
    if (!v) return;
    /* Only an option chosen with Space is an answer: an Enter that meant "next" (the learner
     * pressing Enter through a lesson) must not score option 1. */
    bool any = false;
    for (size_t o = 0; o < q->nopts && o < 32; o++) any = any || v->chosen[o];
    v->ask = !any;
    if (!any) return;
    engine_feedback fb;
    engine_answer_choices(p->en, v->chosen, q->nopts < 32 ? q->nopts : 32, &fb);
    on_done(p, &fb);
}

static void moved(pane_lesson *p)
{
    p->answer_len = 0;
    p->answer[0] = '\0';
    p->editing = false;
    p->follow = FOLLOW_ITEM;
}

static int text_key(pane_lesson *p, int key)
{
    if (key == TK_ESC) {
        p->editing = false;
    } else if (key == '\n' || key == '\r' || key == (TK_FN | KEY_ENTER)) {
        run_current(p);
    } else if (key == 127 || key == 8 || key == (TK_FN | KEY_BACKSPACE)) {
        while (p->answer_len > 0 && ((unsigned char)p->answer[p->answer_len - 1] & 0xC0) == 0x80)
            p->answer_len--;
        if (p->answer_len) p->answer_len--;
        p->answer[p->answer_len] = '\0';
    } else if (!(key & TK_FN) && key >= 32 && key < 0x80 && p->answer_len + 1 < ANSWER_MAX) {
        p->answer[p->answer_len++] = (char)key;
        p->answer[p->answer_len] = '\0';
    } else if (!(key & TK_FN) && key >= 0x80 && key < 0x110000 && p->answer_len + 5 < ANSWER_MAX) {
        char u[5] = {0};
        unsigned c = (unsigned)key;
        size_t n;
        if (c < 0x800) {
            u[0] = (char)(0xC0 | (c >> 6)), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
        } else if (c < 0x10000) {
            u[0] = (char)(0xE0 | (c >> 12)), u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
        } else {
            u[0] = (char)(0xF0 | (c >> 18)), u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F)), n = 4;
        }
        memcpy(p->answer + p->answer_len, u, n);
        p->answer_len += n;
        p->answer[p->answer_len] = '\0';
    } else if (key == TK_CTRL('u')) {
        p->answer_len = 0;
        p->answer[0] = '\0';
    } else if ((key & TK_FN) || key < 32) {
        return KEY_R_IGNORED; /* not text: the app decides (Tab leaves the field) */
    }
    app_dirty(p->a, PANE_LESSON);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

int pane_lesson_key(pane_lesson *p, int key, tui_action act)
{
    if (p->editing) return text_key(p, key);
    int page = p->view_h > 2 ? p->view_h - 2 : 1;
    if (p->list_mode) {
        size_t n = p->course ? p->course->n : 0;
        switch (act) {
        case ACT_UP:
            p->list_sel = p->list_sel > 0 ? p->list_sel - 1 : 0;
            break;
        case ACT_DOWN:
            p->list_sel = p->list_sel + 1 < (long)n ? p->list_sel + 1 : p->list_sel;
            break;
        case ACT_TOP:
            p->list_sel = 0;
            break;
        case ACT_BOTTOM:
            p->list_sel = n ? (long)n - 1 : 0;
            break;
        case ACT_CANCEL:
            p->list_mode = false;
            break;
        case ACT_ACTIVATE:
            if (p->en && n) {
                engine_open(p->en, (size_t)p->list_sel, on_open, p, NULL);
                p->list_mode = false;
                p->scroll = 0;
                moved(p);
            }
            break;
        default:
            return KEY_R_IGNORED;
        }
        p->follow = FOLLOW_ITEM;
        app_dirty(p->a, PANE_LESSON);
        return KEY_R_HANDLED | KEY_R_REDRAW;
    }
    if (!p->en) {
        if (act == ACT_UP)
            p->scroll--;
        else if (act == ACT_DOWN)
            p->scroll++;
        else
            return KEY_R_IGNORED;
        app_dirty(p->a, PANE_LESSON);
        return KEY_R_HANDLED;
    }
    const lesson_block *b = engine_item(p->en);
    item_view *v = cur_view(p);
    bool options = b && b->kind == LESSON_QUIZ && b->quiz->nopts > 0;
    switch (act) {
    case ACT_NEXT_STEP:
        if (engine_next(p->en)) moved(p);
        break;
    case ACT_PREV_STEP:
        if (engine_prev(p->en)) moved(p);
        break;
    case ACT_ACTIVATE:
        if (item_passed(p, engine_item_index(p->en)))
            advance(p);
        else
            run_current(p);
        break;
    case ACT_RERUN:
        run_current(p);
        break;
    case ACT_HINT: {
        const char *h = engine_hint(p->en);
        if (!h) app_flash(p->a, "no more hints for this one");
        p->follow = FOLLOW_END;
        break;
    }
    case ACT_UP:
        if (options && v && v->cursor > 0)
            v->cursor--;
        else
            p->scroll--;
        break;
    case ACT_DOWN:
        if (options && v && v->cursor + 1 < (int)b->quiz->nopts)
            v->cursor++;
        else
            p->scroll++;
        break;
    case ACT_PGUP:
        p->scroll -= page;
        break;
    case ACT_PGDN:
        if (key == ' ' && options && v && v->cursor < 32) { /* Space chooses an option */
            if (b->quiz->type == QUIZ_SINGLE) memset(v->chosen, 0, sizeof v->chosen);
            v->chosen[v->cursor] = !v->chosen[v->cursor];
            v->ask = false;
        } else {
            p->scroll += page;
        }
        break;
    case ACT_LEFT:
    case ACT_RIGHT: /* code blocks and tables scroll sideways (clamped when drawn) */
        p->hscroll += act == ACT_LEFT ? -8 : 8;
        if (p->hscroll < 0) p->hscroll = 0;
        break;
    case ACT_TOP:
        p->scroll = 0;
        break;
    case ACT_BOTTOM:
        p->scroll = 1 << 28;
        break;
    case ACT_CANCEL:
        break;
    default:
        return KEY_R_IGNORED;
    }
    app_dirty(p->a, PANE_LESSON);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

int pane_lesson_click(pane_lesson *p, int y, int x)
{
    (void)x;
    if (y < 1 || y > p->view_h || !p->view_w) return KEY_R_IGNORED;
    int row = p->scroll + y - 1;
    /* which item starts at or above this row? */
    long hit = -1;
    for (size_t i = 0; i < p->nitem_lines; i++)
        if (doc_line_row(p->d, p->item_line[i], p->view_w) <= row) hit = (long)i;
    if (hit < 0) return KEY_R_IGNORED;
    if (p->list_mode) {
        p->list_sel = hit;
        return pane_lesson_key(p, '\n', ACT_ACTIVATE);
    }
    if (p->en && (size_t)hit != engine_item_index(p->en)) {
        engine_goto(p->en, (size_t)hit);
        moved(p);
    } else if (p->en) {
        run_current(p);
    }
    app_dirty(p->a, PANE_LESSON);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

/* The doc line shown at wrapped row `row`. */
static size_t line_at_row(const doc *d, int row, int width)
{
    size_t n = doc_line_count(d), lo = 0, hi = n; /* rows grow with lines: binary search */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc_line_row(d, mid, width) <= row)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Nothing done in this lesson yet and no feedback on screen: the learner has not started. */
static bool lesson_fresh(pane_lesson *p)
{
    for (size_t i = 0; i < engine_item_count(p->en); i++)
        if (engine_item_done(p->en, i)) return false;
    const item_view *v = cur_view(p);
    return !(v && v->has_fb) && !p->running;
}

/* Scrolls so item `idx` is in view (p->follow says which part matters), moving as little as
 * possible: an item already in view stays where it is; else the whole item comes into view and,
 * when following the item itself, the prose that leads to it too (as much of it as fits), so
 * following never hides the text a step belongs to. */
static void follow(pane_lesson *p, size_t idx)
{
    int H = p->view_h, W = p->view_w;
    int r = doc_line_row(p->d, p->item_line[idx], W);
    int e = doc_line_row(p->d, p->item_end[idx], W); /* first row after the item */
    if (p->list_mode) {
        if (r < p->scroll || r >= p->scroll + H) p->scroll = r - H / 2;
        return;
    }
    if (idx == 0 && p->follow == FOLLOW_ITEM && lesson_fresh(p)) {
        p->scroll = 0; /* a fresh lesson opens at its beginning: the intro comes first */
        return;
    }
    if (r >= p->scroll && e <= p->scroll + H) return; /* all of it is in view already */
    int lo = e - H;             /* the smallest scroll that shows the item's last row */
    int hi = r > 0 ? r - 1 : 0; /* the largest that shows its heading with a row above */
    if (lo > hi) {              /* taller than the view: its heading, or its end (the feedback) */
        p->scroll = p->follow == FOLLOW_END ? lo : hi;
        return;
    }
    int top = hi;
    if (p->follow == FOLLOW_ITEM) { /* the prose since the previous item, as far as it fits */
        int ctx = idx == 0 ? 0 : doc_line_row(p->d, p->item_end[idx - 1], W) + 1;
        top = ctx < lo ? lo : ctx < hi ? ctx : hi;
    }
    p->scroll = p->scroll < lo ? lo : p->scroll > top ? top : p->scroll;
}

void pane_lesson_draw(pane_lesson *p, WINDOW *w, bool focused)
{
    int h, wd;
    getmaxyx(w, h, wd);
    werase(w);
    char title[160];
    const lesson *l = p->en ? engine_lesson(p->en) : NULL;
    snprintf(title, sizeof title, "%s",
             p->list_mode    ? "Lessons"
             : l && l->title ? l->title
                             : "Lesson");
    ui_box(w, THEME_BORDER, title, focused);
    int old_w = p->view_w, old_h = p->view_h;
    size_t top_line = old_w > 0 ? line_at_row(p->d, p->scroll, old_w) : 0;
    p->view_h = h - 2;
    p->view_w = wd - 4;
    if (p->view_h < 1 || p->view_w < 1) return;
    build(p);
    int over = doc_nowrap_overflow(p->d, p->view_w - 1);
    if (p->hscroll > over) p->hscroll = over;
    doc_set_hscroll(p->d, p->hscroll);
    int rows = doc_rows(p->d, p->view_w);
    long hl = -1;
    if (p->list_mode && (size_t)p->list_sel < p->nitem_lines) hl = (long)p->item_line[p->list_sel];
    if (p->view_w != old_w || p->view_h != old_h) {
        /* a resize re-wraps the text: keep the current item in view when it was (it is what the
         * learner works on), else keep the line that was at the top */
        if (p->cur_seen && !p->follow)
            p->follow = FOLLOW_ITEM;
        else if (!p->follow && old_w > 0)
            p->scroll = doc_line_row(p->d, top_line, p->view_w);
    }
    size_t idx = p->list_mode ? (size_t)p->list_sel : (p->en ? engine_item_index(p->en) : 0);
    bool have = idx < p->nitem_lines && (p->list_mode || (p->en && engine_lesson(p->en)));
    if (p->follow && have) {
        follow(p, idx);
        p->follow = FOLLOW_NONE;
    }
    if (p->scroll > rows - p->view_h) p->scroll = rows - p->view_h;
    if (p->scroll < 0) p->scroll = 0;
    doc_draw(p->d, w, 1, 2, p->view_h, p->view_w, p->scroll, hl);
    p->cur_seen = false;
    if (have && !p->list_mode) {
        int r = doc_line_row(p->d, p->item_line[idx], p->view_w);
        p->cur_seen = r >= p->scroll && r < p->scroll + p->view_h;
        if (r >= p->scroll + p->view_h) { /* the item to work on is below: say so */
            const lesson_block *b = engine_item(p->en);
            char below[64];
            snprintf(below, sizeof below, " %s %s below: PgDn ", ui_sym(SYM_ARROW_DOWN),
                     b && b->kind == LESSON_QUIZ ? "quiz" : "step");
            ui_put(w, h - 1, 2, below, wd - 4, theme_attr(THEME_BORDER_FOCUS));
        }
    }
    if (rows > p->view_h) {
        char pos[32];
        snprintf(pos, sizeof pos, " %d%% ", (p->scroll + p->view_h) * 100 / rows);
        ui_put(w, h - 1, wd - 2 - ui_width(pos), pos, wd, theme_attr(THEME_BORDER));
    }
}

void pane_lesson_show_list(pane_lesson *p)
{
    p->list_mode = true;
    p->list_sel = p->en ? (long)engine_lesson_index(p->en) : 0;
    p->follow = FOLLOW_ITEM;
    app_dirty(p->a, PANE_LESSON);
}

bool pane_lesson_has_lesson(const pane_lesson *p)
{
    return p && p->en && engine_lesson(p->en);
}

bool pane_lesson_editing(const pane_lesson *p)
{
    return p->editing;
}

const char *pane_lesson_status(const pane_lesson *p, int level, int maxcols)
{
    pane_lesson *q = (pane_lesson *)p;
    const lesson *l = p->en ? engine_lesson(p->en) : NULL;
    if (!l) return "";
    size_t n = engine_item_count(p->en);
    const char *title = l->title ? l->title : l->id;
    char num[24] = "", suffix[48];
    if (level <= 0) snprintf(num, sizeof num, "%zu. ", engine_lesson_index(p->en) + 1);
    snprintf(suffix, sizeof suffix, " · %s%zu/%zu", level >= 2 ? "" : "step ",
             n ? engine_item_index(p->en) + 1 : 0, n);
    snprintf(q->status, sizeof q->status, "%s%s%s", num, title, suffix);
    if (maxcols <= 0 || ui_width(q->status) <= maxcols) return q->status;
    /* too wide: cut the title, never the step ("Authorization code wi… · 3/12") */
    int room = maxcols - ui_width(num) - ui_width(suffix) - ui_width(ui_sym(SYM_ELLIPSIS));
    char cut[200] = "";
    size_t i = 0;
    while (title[i] && i + 8 < sizeof cut) {
        size_t j = i + 1;
        while (((unsigned char)title[j] & 0xC0) == 0x80) j++;
        memcpy(cut, title, j);
        cut[j] = '\0';
        if (ui_width(cut) > room) break;
        i = j;
    }
    cut[i] = '\0';
    while (i > 0 && cut[i - 1] == ' ') cut[--i] = '\0';
    /* (the buffer may cut it shorter still: that is fine for a status line) */
    if (snprintf(q->status, sizeof q->status, "%s%s%s%s", num, cut,
                 room > 0 ? ui_sym(SYM_ELLIPSIS) : "", suffix) < 0)
        q->status[0] = '\0';
    return q->status;
}

const char *pane_lesson_flow(const pane_lesson *p)
{
    const lesson *l = p->en ? engine_lesson(p->en) : NULL;
    if (!l || !l->id) return NULL;
    static const struct {
        const char *part, *flow;
    } map[] = {{"device", "device"},
               {"machine", "client-credentials"},
               {"client-cred", "client-credentials"},
               {"refresh", "refresh"},
               {"tokens-oidc", "refresh"},
               {"auth-code", "auth-code-pkce"},
               {"pkce", "auth-code-pkce"},
               {"oauth", "auth-code-pkce"},
               {"jwt", "jwt-login"},
               {"api-auth", "jwt-login"},
               {"signing", "jwt-login"},
               {"expiry", "jwt-login"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(l->id, map[i].part)) return map[i].flow;
    return NULL;
}

/* A server-signed token the learner brought in (typed, pasted, loaded from the trace) is judged by
 * the decoder pane with the TUI's JWKS; the state gets the same keys when it has none for the
 * token's kid, so decoder.signature says what the pane says (jose/verdict). */
static void share_server_keys(pane_lesson *p, lesson_state *st)
{
    const jws *t = st->decoder_jws;
    if (!t || t->is_jwe || alg_is_hmac(t->alg) || !p->net) return;
    if (st->server_jwks && (!t->kid || jwks_find_kid(st->server_jwks, t->kid))) return;
    const jwks *net_set = net_jwks(p->net, t->kid);
    if (!net_set || jwks_count(net_set) == 0) return;
    jwks *copy = jwks_new();
    if (!copy) return;
    for (size_t i = 0; i < jwks_count(net_set); i++) jwks_add(copy, (jwk *)jwks_get(net_set, i));
    jwks_free(st->server_jwks);
    st->server_jwks = copy;
    state_update_signature(st);
}

void pane_lesson_decoder_changed(pane_lesson *p, const char *token)
{
    if (!p->en) return;
    engine_refresh_keys(p->en);
    lesson_state *st = engine_state(p->en);
    const char *cur = st->decoder ? st->decoder : "";
    if (strcmp(cur, token ? token : "") == 0) return;
    state_set_decoder(st, token);
    share_server_keys(p, st);
    free(p->seen_decoder);
    p->seen_decoder = token ? strdup(token) : NULL;
}

long long pane_lesson_clock_offset(const pane_lesson *p)
{
    return p->en ? (long long)engine_state(p->en)->clock_offset : 0;
}

void pane_lesson_decoder_key(pane_lesson *p, struct jwk *key, const char *what, const char *token)
{
    if (!p->en) return;
    engine_refresh_keys(p->en);
    lesson_state *st = engine_state(p->en);
    state_set_decoder_given(st, key ? jwk_ref(key) : NULL, what, token);
    state_update_signature(st);
}

const struct jwk *pane_lesson_lab_key_held(pane_lesson *p)
{
    return p->en ? engine_state(p->en)->lab_key : NULL;
}

struct jwk *pane_lesson_lab_key(pane_lesson *p)
{
    if (!p->en) return NULL;
    lesson_state *st = engine_state(p->en);
    /* made on first use, like the engine's `key=lab` actions do (one RSA keygen, on request) */
    if (!st->lab_key && !jwk_generate(JWS_RS256, 2048, &st->lab_key, NULL)) st->lab_key = NULL;
    return st->lab_key;
}

struct engine *pane_lesson_engine(pane_lesson *p)
{
    return p ? p->en : NULL;
}

bool pane_lesson_recheck(pane_lesson *p, engine_feedback *out)
{
    const lesson_block *b = p && p->en && !engine_busy(p->en) ? engine_item(p->en) : NULL;
    if (!b) return false;
    bool checks = b->kind == LESSON_STEP ? b->step->nchecks > 0
                                         : b->quiz->type == QUIZ_PRACTICAL && b->quiz->nchecks > 0;
    if (!checks) return false;
    /* A step that passed stays passed: a later console action (say an introspection after the
     * code-reuse step) must not turn its ✓ into "Not yet". A practical quiz is different: the
     * console is how the learner does it, so its checks always run again. */
    if (b->kind == LESSON_STEP && engine_item_done(p->en, engine_item_index(p->en))) return false;
    engine_check(p->en, out);
    on_done(p, out);
    return true;
}

void pane_lesson_put_prose(doc *d, const char *text)
{
    put_prose(d, text ? text : "");
}
