/* SPDX-License-Identifier: MIT */
#include "tui/console.h"

#include <panel.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "lesson/action.h"
#include "lesson/engine.h"
#include "lesson/parse.h"
#include "lesson/state.h"
#include "tui/doc.h"
#include "tui/keys.h"
#include "tui/pane_lesson.h"
#include "tui/theme.h"

#define LINE_MAX_BYTES 2048
#define HISTORY_MAX    100

struct console {
    app *a;
    pane_lesson *lesson;
    bool active;
    char line[LINE_MAX_BYTES];
    size_t len;
    char *history[HISTORY_MAX]; /* oldest first, owned */
    size_t nhist;
    size_t hist_pos;            /* == nhist: the line being typed */
    char draft[LINE_MAX_BYTES]; /* the line being typed while walking the history */
    bool busy;
    char running[LINE_MAX_BYTES]; /* the line in flight */
    lesson_action act;            /* the action in flight (the engine borrows it) */
    bool has_act;
    char msg[1200];
    int msg_kind; /* 0 note, 1 ok, 2 bad */
    bool cands;   /* msg lists completions: shown after the line being typed */
    bool help;
    int help_scroll;
    WINDOW *pop;
    PANEL *pop_p;
    int pop_h, pop_w;
};

console *console_new(app *a, struct pane_lesson *lp)
{
    console *c = xcalloc(1, sizeof *c);
    c->a = a;
    c->lesson = lp;
    return c;
}

static void free_act(console *c)
{
    if (!c->has_act) return;
    parse_words_free(c->act.argv, c->act.argc);
    free(c->act.text);
    memset(&c->act, 0, sizeof c->act);
    c->has_act = false;
}

void console_free(console *c)
{
    if (!c) return;
    free_act(c);
    for (size_t i = 0; i < c->nhist; i++) free(c->history[i]);
    /* the popup window went with console_draw_popup(c, 0, 0) before curses stopped */
    free(c);
}

void console_open(console *c)
{
    c->active = true;
    c->len = 0;
    c->line[0] = '\0';
    c->hist_pos = c->nhist;
    c->msg[0] = '\0';
}

bool console_active(const console *c)
{
    return c && c->active;
}

static void set_msg(console *c, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(console *c, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->msg_kind = kind;
    c->cands = false;
}

/* ---- the line ---- */

static void set_line(console *c, const char *s)
{
    snprintf(c->line, sizeof c->line, "%s", s);
    c->len = strlen(c->line);
}

static void put_cp(console *c, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else if (cp < 0x110000) {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    } else {
        return;
    }
    if (c->len + n >= sizeof c->line) return;
    memcpy(c->line + c->len, b, n);
    c->len += n;
    c->line[c->len] = '\0';
}

static void backspace(console *c)
{
    while (c->len > 0) {
        unsigned char ch = (unsigned char)c->line[--c->len];
        if ((ch & 0xC0) != 0x80) break; /* stop at the first byte of the character */
    }
    c->line[c->len] = '\0';
}

static void delete_word(console *c)
{
    while (c->len > 0 && c->line[c->len - 1] == ' ') c->len--;
    while (c->len > 0 && c->line[c->len - 1] != ' ') c->len--;
    c->line[c->len] = '\0';
}

void console_paste(console *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n && c->len + 1 < sizeof c->line; i++) {
        char ch = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
        if ((unsigned char)ch < 0x20) continue;
        c->line[c->len++] = ch;
    }
    c->line[c->len] = '\0';
}

/* ---- history ---- */

static void history_add(console *c, const char *s)
{
    if (c->nhist && strcmp(c->history[c->nhist - 1], s) == 0) return;
    if (c->nhist == HISTORY_MAX) {
        free(c->history[0]);
        memmove(c->history, c->history + 1, (HISTORY_MAX - 1) * sizeof c->history[0]);
        c->nhist--;
    }
    char *d = strdup(s);
    if (d) c->history[c->nhist++] = d;
}

static void history_move(console *c, int dir)
{
    if (dir < 0) {
        if (c->hist_pos == 0) return;
        if (c->hist_pos == c->nhist) snprintf(c->draft, sizeof c->draft, "%s", c->line);
        c->hist_pos--;
        set_line(c, c->history[c->hist_pos]);
    } else {
        if (c->hist_pos >= c->nhist) return;
        c->hist_pos++;
        set_line(c, c->hist_pos == c->nhist ? c->draft : c->history[c->hist_pos]);
    }
}

/* ---- completion: the first word against the action table ---- */

#define MAX_CANDS 64

typedef struct cands {
    char v[MAX_CANDS][64];
    size_t n;
} cands;

static void cand_add(cands *cs, const char *s, size_t len)
{
    if (len == 0 || len >= sizeof cs->v[0] || cs->n >= MAX_CANDS) return;
    for (size_t i = 0; i < cs->n; i++)
        if (strlen(cs->v[i]) == len && strncmp(cs->v[i], s, len) == 0) return;
    memcpy(cs->v[cs->n], s, len);
    cs->v[cs->n][len] = '\0';
    cs->n++;
}

static bool all_placeholder(const char *s, size_t n) /* ID, ALG, DURATION, "…" */
{
    if (n == 0) return true;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' || s[i] == '"' || (s[i] & 0x80)))
            return false;
    return true;
}

/* The words an argument of action `name` can start with, read from its usage line
 * ("exchange [verifier=correct|wrong|none] [code=last|used]" gives verifier=correct,
 * verifier=wrong, …, code=last, …; a placeholder value gives just "key="), plus the server's lab
 * switches for the last word of `lab on|off` (action_arg_values). */
static void arg_cands(const char *name, size_t word, cands *cs)
{
    const char *const *values = action_arg_values(name, word);
    if (values) {
        for (size_t i = 0; values[i]; i++) cand_add(cs, values[i], strlen(values[i]));
        return;
    }
    const char *u = action_usage(name);
    if (!u) return;
    u += strlen(name);
    char key[64] = ""; /* "token=" while reading token=access|login|… */
    while (*u) {
        size_t n = strcspn(u, " []|");
        if (n == 0) {
            if (*u == ' ' || *u == '[' || *u == ']') key[0] = '\0';
            u++;
            continue;
        }
        const char *eq = memchr(u, '=', n);
        if (eq) {
            size_t kl = (size_t)(eq - u) + 1;
            bool lower_key = true;
            for (size_t i = 0; i + 1 < kl; i++)
                if (!((u[i] >= 'a' && u[i] <= 'z') || u[i] == '_')) lower_key = false;
            if (lower_key && kl < sizeof key) {
                memcpy(key, u, kl);
                key[kl] = '\0';
                if (all_placeholder(eq + 1, n - kl))
                    cand_add(cs, key, kl);
                else
                    cand_add(cs, u, n);
            }
        } else if (!all_placeholder(u, n) && !(strlen(name) == n && strncmp(u, name, n) == 0)) {
            char full[128];
            int fl = snprintf(full, sizeof full, "%s%.*s", key, (int)n, u);
            if (fl > 0 && (size_t)fl < sizeof full) cand_add(cs, full, (size_t)fl);
        }
        u += n;
    }
}

static void complete(console *c)
{
    /* the word under the cursor (the end of the line) and its index */
    size_t ws = c->len;
    while (ws > 0 && c->line[ws - 1] != ' ') ws--;
    const char *word = c->line + ws;
    size_t wl = c->len - ws, index = 0;
    char name[64] = "";
    for (size_t i = 0; i < ws; i++)
        if (c->line[i] != ' ' && (i == 0 || c->line[i - 1] == ' ')) index++;
    if (index > 0) {
        size_t i = 0;
        while (c->line[i] == ' ') i++;
        size_t n = strcspn(c->line + i, " ");
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : 0), c->line + i);
    }
    cands cs = {.n = 0};
    if (index == 0) {
        const char *const *names = action_names();
        for (size_t i = 0; names[i]; i++) cand_add(&cs, names[i], strlen(names[i]));
        cand_add(&cs, "help", 4);
    } else {
        arg_cands(name, index, &cs);
    }
    const char *first = NULL;
    size_t common = 0, nmatch = 0;
    char list[600] = "";
    for (size_t i = 0; i < cs.n; i++) {
        if (strncmp(cs.v[i], word, wl) != 0) continue;
        if (!first) {
            first = cs.v[i];
            common = strlen(first);
        } else {
            size_t k = 0;
            while (k < common && first[k] == cs.v[i][k]) k++;
            common = k;
        }
        nmatch++;
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", l ? "  " : "", cs.v[i]);
    }
    if (!first) {
        if (index == 0)
            set_msg(c, 2, "no action starts with '%.*s' (help lists them)", (int)wl, word);
        else if (action_usage(name))
            set_msg(c, 0, "usage: %s", action_usage(name));
        else
            set_msg(c, 2, "unknown action '%s'", name);
        c->cands = true;
        return;
    }
    char buf[LINE_MAX_BYTES];
    bool open_value = common && first[common - 1] == '=';
    snprintf(buf, sizeof buf, "%.*s%.*s%s", (int)ws, c->line, (int)common, first,
             nmatch == 1 && !open_value ? " " : "");
    set_line(c, buf);
    if (nmatch > 1) {
        set_msg(c, 0, "%s", list);
        c->cands = true;
    } else {
        c->msg[0] = '\0';
    }
}

/* ---- running ---- */

/* A network action's answer, in a few words: "→ 200", "→ 401 invalid_token". Returns false when
 * the answer is a refusal (4xx/5xx) or no answer at all, which the line then does not mark ✓. */
static bool summarize(console *c, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    struct engine *en = pane_lesson_engine(c->lesson);
    if (!en) return true;
    const lesson_state *st = engine_state(en);
    switch (action_outcome_of(name)) {
    case ACTION_OUTCOME_CRACK:
        if (st->crack_secret)
            snprintf(out, n, ": the secret is \"%s\"", st->crack_secret);
        else
            snprintf(out, n, ": no word in the list signs this token");
        return st->crack_secret != NULL;
    case ACTION_OUTCOME_VERIFY:
        if (st->verify_result)
            snprintf(out, n, ": %s%s%s", st->verify_result, st->verify_message ? " — " : "",
                     st->verify_message ? st->verify_message : "");
        return true;
    case ACTION_OUTCOME_DECODER:
    case ACTION_OUTCOME_SETTING:
        return true;
    case ACTION_OUTCOME_RESPONSE:
        break;
    }
    const state_response *r = &st->response;
    if (r->transport_error)
        snprintf(out, n, " %s %s", ui_sym(SYM_ARROW_R), r->transport_error);
    else if (r->status)
        snprintf(out, n, " %s %d%s%s", ui_sym(SYM_ARROW_R), r->status, r->error ? " " : "",
                 r->error ? r->error : "");
    return !r->transport_error && r->status < 400;
}

/* A run has finished: the console closes (its result stays in the footer for a moment and `:` Up
 * recalls the line), so the next n, p or q is a command again, unless the learner has already
 * started typing the next line. */
static void close_after_run(console *c)
{
    app_flash(c->a, "%s", c->msg);
    if (c->len == 0 && !c->help) c->active = false;
}

static void on_done(void *ud, const engine_feedback *fb)
{
    console *c = ud;
    c->busy = false;
    if (fb->verdict != ENGINE_OK) {
        set_msg(c, 2, "%s %s", ui_sym(SYM_CROSS), fb->message[0] ? fb->message : "failed");
        close_after_run(c);
        app_dirty(c->a, PANE_LESSON);
        return;
    }
    char sum[400];
    const char *name = c->has_act && c->act.argc ? c->act.argv[0] : "";
    bool answered = summarize(c, name, sum, sizeof sum);
    engine_feedback chk;
    char task[700] = "";
    bool done = false;
    if (pane_lesson_recheck(c->lesson, &chk)) {
        done = chk.verdict == ENGINE_OK;
        if (done)
            snprintf(task, sizeof task, " · task done %s", ui_sym(SYM_CHECK));
        else /* the engine's sentence already says "Not yet: …" */
            snprintf(task, sizeof task, " · not done yet: %.600s",
                     strncmp(chk.message, "Not yet: ", 9) == 0 ? chk.message + 9 : chk.message);
    }
    /* The answer and the verdict matter more than the echo of the line: when they would be cut,
     * the echo shrinks to the action's name ("✓ authorize … → 200 · task done ✓"). The why of a
     * "not done yet" may still be cut; the lesson pane shows it in full. */
    const char *mark = ui_sym(answered ? SYM_CHECK : SYM_CROSS);
    int kind = answered ? 1 : 2;
    int need = ui_width(mark) + 1 + ui_width(c->running) + ui_width(sum) +
               (task[0] ? ui_width(done ? task : " · not done yet") : 0);
    if (name[0] && strcmp(name, c->running) != 0 && need > COLS - 2)
        set_msg(c, kind, "%s %s %s%s%s", mark, name, ui_sym(SYM_ELLIPSIS), sum, task);
    else
        set_msg(c, kind, "%s %s%s%s", mark, c->running, sum, task);
    close_after_run(c);
    app_dirty(c->a, PANE_LESSON);
}

static void run_line(console *c)
{
    char text[LINE_MAX_BYTES];
    const char *s = c->line;
    while (*s == ' ') s++;
    if (*s == ':') s++; /* ":help" typed after the ':' that opened the console */
    snprintf(text, sizeof text, "%s", s);
    size_t tl = strlen(text);
    while (tl && text[tl - 1] == ' ') text[--tl] = '\0';
    if (!tl) return;
    history_add(c, text);
    c->hist_pos = c->nhist;
    c->len = 0;
    c->line[0] = '\0';
    if (strcmp(text, "help") == 0 || strcmp(text, "?") == 0) {
        c->help = true;
        c->help_scroll = 0;
        c->msg[0] = '\0';
        return;
    }
    if (c->busy) {
        set_msg(c, 2, "still running '%s'; wait for it or press Esc to cancel it", c->running);
        return;
    }
    struct engine *en = pane_lesson_engine(c->lesson);
    if (!en || !engine_lesson(en)) {
        set_msg(c, 2, "no lesson is open yet (the server may still be starting)");
        return;
    }
    char **argv = NULL;
    size_t argc = 0;
    tl_err e = {0};
    if (!parse_words(text, &argv, &argc, &e)) {
        set_msg(c, 2, "%s %s", ui_sym(SYM_CROSS), e.msg);
        return;
    }
    if (!action_validate(argc, argv, &e)) {
        set_msg(c, 2, "%s %s", ui_sym(SYM_CROSS), e.msg);
        parse_words_free(argv, argc);
        return;
    }
    free_act(c); /* the previous run has finished: the engine no longer holds it */
    c->act.line = 0;
    c->act.argc = argc;
    c->act.argv = argv;
    c->act.text = strdup(text);
    c->has_act = true;
    snprintf(c->running, sizeof c->running, "%s", text);
    set_msg(c, 0, "running %s %s (Esc cancels)", text, ui_sym(SYM_ELLIPSIS));
    c->busy = true;
    if (!engine_run_actions(en, &c->act, 1, on_done, c, &e)) {
        c->busy = false;
        set_msg(c, 2, "%s %s", ui_sym(SYM_CROSS), e.msg);
    }
}

int console_key(console *c, int key)
{
    const int done = KEY_R_HANDLED | KEY_R_REDRAW;
    if (c->help) {
        if (key == (TK_FN | KEY_NPAGE) || key == (TK_FN | KEY_DOWN)) {
            c->help_scroll += key == (TK_FN | KEY_DOWN) ? 1 : 10;
            return done;
        }
        if (key == (TK_FN | KEY_PPAGE) || key == (TK_FN | KEY_UP)) {
            c->help_scroll -= key == (TK_FN | KEY_UP) ? 1 : 10;
            if (c->help_scroll < 0) c->help_scroll = 0;
            return done;
        }
        c->help = false; /* any other key closes the list and then does its job */
        if (key == TK_ESC) return done;
    }
    switch (key) {
    case TK_ESC:
        if (c->busy) return KEY_R_IGNORED; /* the app cancels the requests in flight */
        c->active = false;
        c->msg[0] = '\0';
        return done;
    case '\n':
    case '\r':
        run_line(c);
        return done;
    case '\t':
        complete(c);
        return done;
    case TK_FN | KEY_UP:
        history_move(c, -1);
        return done;
    case TK_FN | KEY_DOWN:
        history_move(c, 1);
        return done;
    case TK_FN | KEY_BACKSPACE:
    case 127:
    case 8:
        if (c->len == 0 && !c->busy) { /* like vim: backspace on an empty line leaves */
            c->active = false;
            c->msg[0] = '\0';
            return done;
        }
        backspace(c);
        return done;
    case TK_CTRL('u'):
        c->len = 0;
        c->line[0] = '\0';
        return done;
    case TK_CTRL('w'):
        delete_word(c);
        return done;
    default:
        break;
    }
    if (key & TK_FN) return done; /* other function keys do nothing here */
    if (key < 0x20) return done;
    put_cp(c, (unsigned)key);
    return done;
}

/* ---- drawing ---- */

void console_draw_line(console *c, WINDOW *w)
{
    int W = getmaxx(w);
    wbkgdset(w, ' ' | theme_attr(THEME_INPUT));
    werase(w);
    ui_put(w, 0, 0, ":", W, theme_attr(THEME_FOOTER_KEY));
    if (c->len == 0 && c->msg[0]) {
        theme_elem el = c->msg_kind == 1 ? THEME_OK : c->msg_kind == 2 ? THEME_BAD : THEME_NOTE;
        ui_put_fit(w, 0, 2, c->msg, W - 2, theme_attr(el));
        return;
    }
    /* the end of the line stays visible: skip whole characters from the front */
    const char *s = c->line;
    int avail = W - 3;
    while (*s && ui_width(s) > avail) {
        s++;
        while ((*s & 0xC0) == 0x80) s++;
    }
    int x = 1 + ui_put(w, 0, 1, s, W - 1, theme_attr(THEME_INPUT));
    x += ui_put(w, 0, x, "_", W - x, theme_attr(THEME_INPUT));
    if (c->len && c->cands && x + 3 < W)
        ui_put_fit(w, 0, x + 2, c->msg, W - x - 2, theme_attr(THEME_DIM));
    if (c->len == 0 && W > 40)
        ui_put(w, 0, 3,
               "an action (help lists them) · Tab completes · Up/Down history · Esc closes", W - 4,
               theme_attr(THEME_DIM));
}

bool console_draw_popup(console *c, int rows, int cols)
{
    if (!c) return false;
    bool want = c->active && c->help && rows >= 6 && cols >= 30;
    if (!want) {
        if (!c->pop) return false;
        del_panel(c->pop_p);
        delwin(c->pop);
        c->pop = NULL;
        c->pop_p = NULL;
        return true;
    }
    doc *d = doc_new();
    const char *const *names = action_names();
    size_t n = 0;
    for (; names[n]; n++) {
        const char *u = action_usage(names[n]);
        doc_printf(d, THEME_FOOTER_KEY, "%-19s", names[n]);
        doc_hang(d, 20);
        const char *args = u ? u + strlen(names[n]) : "";
        while (*args == ' ') args++;
        doc_printf(d, THEME_NORMAL, " %s\n", args);
    }
    doc_put(d, THEME_NOTE,
            "Enter runs a line; the current step's or task's checks are evaluated after it.\n"
            "Tab completes an action, Up/Down recall earlier lines, Esc closes.");
    int inner_w = cols - 6 > 110 ? 110 : cols - 6;
    int body = doc_rows(d, inner_w);
    int h = body + 2 > rows - 2 ? rows - 2 : body + 2, wd = inner_w + 4;
    if (!c->pop || c->pop_h != h || c->pop_w != wd) {
        if (c->pop_p) del_panel(c->pop_p);
        if (c->pop) delwin(c->pop);
        c->pop = newwin(h, wd, rows - 1 - h, (cols - wd) / 2);
        c->pop_p = c->pop ? new_panel(c->pop) : NULL;
        c->pop_h = h;
        c->pop_w = wd;
    }
    if (!c->pop) {
        doc_free(d);
        return false;
    }
    top_panel(c->pop_p);
    if (c->help_scroll > body - (h - 2)) c->help_scroll = body - (h - 2);
    if (c->help_scroll < 0) c->help_scroll = 0;
    wbkgdset(c->pop, ' ' | theme_attr(THEME_NORMAL));
    werase(c->pop);
    ui_box(c->pop, THEME_BORDER_FOCUS, "Actions", true);
    doc_draw(d, c->pop, 1, 2, h - 2, inner_w, c->help_scroll, -1);
    doc_free(d);
    return false;
}
