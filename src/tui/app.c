/* SPDX-License-Identifier: MIT */
/* app — the TUI: options, the single-threaded loop (stdin + signal self-pipe + libcurl multi +
 * server events + a 1 s timer), layout (all panes, tabs, too small), header/footer/help, script
 * mode and screen dumps. */
#include "tui/app.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <openssl/evp.h>
#include <panel.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "base/timefmt.h"
#include "lesson/engine.h"
#include "lesson/state.h"
#include "tui/console.h"
#include "tui/doc.h"
#include "tui/keys.h"
#include "tui/net.h"
#include "tui/pane_decoder.h"
#include "tui/pane_flow.h"
#include "tui/pane_lesson.h"
#include "tui/pane_trace.h"
#include "tui/plain.h"
#include "tui/join.h"
#include "tui/present.h"
#include "tui/screen.h"
#include "tui/theme.h"
#include "tui/tui.h"

#define MIN_W     80
#define MIN_H     24
#define FULL_W    120
#define FULL_H    36
#define PASTE_MAX ((size_t)(2u << 20))

typedef enum layout_mode { LAYOUT_FULL, LAYOUT_TABS, LAYOUT_SMALL, LAYOUT_PRESENT } layout_mode;

typedef struct tui_opts {
    const char *server_url, *lab_key, *theme, *lessons_dir, *lang, *lesson_id;
    bool ascii, no_mouse, plain, fresh_keys;
    present_opts pres; /* presenter mode (present.c) */
    join_opts join;    /* --join CODE --name NAME (join.c) */
} tui_opts;

struct app {
    tui_opts o;
    theme_id theme;
    bool script_mode;
    SCREEN *scr;
    FILE *term_out, *term_in;
    layout_mode layout;
    int rows, cols;
    pane_id focus;
    bool bottom_flow; /* full layout: the bottom right shows the flow instead of the trace */
    bool help;
    int help_scroll;
    bool quit;
    WINDOW *hdr, *ftr, *tabs, *small, *helpw;
    PANEL *hdr_p, *ftr_p, *tabs_p, *small_p, *help_p;
    WINDOW *pw[PANE_COUNT];
    PANEL *pp[PANE_COUNT];
    bool dirty[PANE_COUNT];
    bool chrome_dirty;
    pane_decoder *dec;
    pane_trace *trace;
    pane_flow *flow;
    pane_lesson *lesson;
    console *console; /* the `:` action console */
    net *net;
    present *pres;
    join *join;
    char net_err[TL_ERR_MSG_MAX];
    bool has_fake;
    int64_t fake_time;
    char flash[300];
    int64_t flash_until;
    int sigpipe[2];
    bool pasting;
    char *paste;
    size_t paste_len, paste_cap;
    unsigned spin;
    char *pending_copy;
    bool timing, server_seen;
    struct timespec t0;
};

static volatile sig_atomic_t g_sigfd = -1;

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}
static struct sigaction g_old_winch;

/* ---------- services for the panes ---------- */

int64_t app_now(const app *a)
{
    int64_t base = a->has_fake ? a->fake_time : (int64_t)time(NULL);
    return base + app_clock_offset(a);
}

bool app_fake_time(const app *a)
{
    return a->has_fake;
}

int64_t app_clock_offset(const app *a)
{
    return a->lesson ? (int64_t)pane_lesson_clock_offset(a->lesson) : 0;
}

const char *app_login_secret(app *a, size_t *len)
{
    return a->net ? net_login_secret(a->net, len) : NULL;
}

const struct jwks *app_jwks(app *a, const char *kid)
{
    return a->net ? net_jwks(a->net, kid) : NULL;
}

void app_flash(app *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->flash, sizeof a->flash, fmt, ap);
    va_end(ap);
    a->flash_until = (int64_t)time(NULL) + 4;
    a->chrome_dirty = true;
}

void app_copy(app *a, const char *text)
{
    size_t n = strlen(text);
    free(a->pending_copy);
    a->pending_copy = malloc(4 * ((n + 2) / 3) + 1);
    if (!a->pending_copy) return;
    EVP_EncodeBlock((unsigned char *)a->pending_copy, (const unsigned char *)text, (int)n);
    app_flash(a, "copied %zu bytes to the clipboard (OSC 52)", n);
}

void app_dirty(app *a, pane_id p)
{
    if (p < PANE_COUNT) a->dirty[p] = true;
}

void app_show_token(app *a, const char *label, const char *token)
{
    app_show_token_key(a, label, token, NULL);
}

void app_show_token_key(app *a, const char *label, const char *token, struct jwk *key)
{
    pane_decoder_set_token_key(a->dec, label, token, key);
    if (a->lesson) pane_lesson_decoder_changed(a->lesson, token);
}

void app_decoder_key(app *a, struct jwk *key, const char *what, const char *token)
{
    if (a->lesson) pane_lesson_decoder_key(a->lesson, key, what, token);
}

const struct jwk *app_lab_key_held(app *a)
{
    return a->lesson ? pane_lesson_lab_key_held(a->lesson) : NULL;
}

struct jwk *app_lab_key(app *a)
{
    return a->lesson ? pane_lesson_lab_key(a->lesson) : NULL;
}

void app_http_seen(app *a, const char *method, const char *url, const char *body)
{
    const char *s = url ? strstr(url, "://") : NULL;
    const char *path = s ? strchr(s + 3, '/') : NULL;
    if (a->flow && method && path) pane_flow_follow(a->flow, method, path, body);
}

/* ---------- layout ---------- */

static bool pane_visible(const app *a, pane_id p)
{
    if (a->layout == LAYOUT_SMALL) return false;
    if (a->layout == LAYOUT_TABS) return p == a->focus;
    if (a->layout == LAYOUT_PRESENT) return p != PANE_DECODER;
    if (p == PANE_TRACE) return !a->bottom_flow;
    if (p == PANE_FLOW) return a->bottom_flow;
    return true;
}

static void free_windows(app *a)
{
    PANEL **ps[] = {&a->hdr_p, &a->ftr_p, &a->tabs_p, &a->small_p, &a->help_p};
    WINDOW **ws[] = {&a->hdr, &a->ftr, &a->tabs, &a->small, &a->helpw};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        if (*ps[i]) del_panel(*ps[i]);
        if (*ws[i]) delwin(*ws[i]);
        *ps[i] = NULL;
        *ws[i] = NULL;
    }
    for (int i = 0; i < PANE_COUNT; i++) {
        if (a->pp[i]) del_panel(a->pp[i]);
        if (a->pw[i]) delwin(a->pw[i]);
        a->pp[i] = NULL;
        a->pw[i] = NULL;
    }
}

static WINDOW *mkwin(int h, int w, int y, int x, PANEL **p)
{
    if (h < 1) h = 1;
    if (w < 1) w = 1;
    WINDOW *win = newwin(h, w, y, x);
    if (!win) return NULL;
    keypad(win, TRUE);
    *p = new_panel(win);
    return win;
}

static void layout(app *a)
{
    getmaxyx(stdscr, a->rows, a->cols);
    free_windows(a);
    werase(stdscr);
    wnoutrefresh(stdscr);
    int H = a->rows, W = a->cols;
    if (W < MIN_W || H < MIN_H) {
        a->layout = LAYOUT_SMALL;
        a->small = mkwin(H, W, 0, 0, &a->small_p);
    } else {
        a->layout = (W >= FULL_W && H >= FULL_H) ? LAYOUT_FULL : LAYOUT_TABS;
        a->hdr = mkwin(1, W, 0, 0, &a->hdr_p);
        a->ftr = mkwin(1, W, H - 1, 0, &a->ftr_p);
        if (present_active(a->pres)) { /* projector: lesson left, flow and trace large right */
            int body = H - 2, lw = W / 2, rw = W - lw, fh = body / 2;
            a->layout = LAYOUT_PRESENT;
            a->focus = PANE_LESSON;
            a->pw[PANE_LESSON] = mkwin(body, lw, 1, 0, &a->pp[PANE_LESSON]);
            a->pw[PANE_DECODER] = mkwin(body, rw, 1, lw, &a->pp[PANE_DECODER]);
            a->pw[PANE_FLOW] = mkwin(fh, rw, 1, lw, &a->pp[PANE_FLOW]);
            a->pw[PANE_TRACE] = mkwin(body - fh, rw, 1 + fh, lw, &a->pp[PANE_TRACE]);
        } else if (a->layout == LAYOUT_FULL) {
            int body = H - 2, lw = W * 2 / 5, rw = W - lw, dh = body * 3 / 5;
            a->pw[PANE_LESSON] = mkwin(body, lw, 1, 0, &a->pp[PANE_LESSON]);
            a->pw[PANE_DECODER] = mkwin(dh, rw, 1, lw, &a->pp[PANE_DECODER]);
            a->pw[PANE_TRACE] = mkwin(body - dh, rw, 1 + dh, lw, &a->pp[PANE_TRACE]);
            a->pw[PANE_FLOW] = mkwin(body - dh, rw, 1 + dh, lw, &a->pp[PANE_FLOW]);
        } else {
            a->tabs = mkwin(1, W, 1, 0, &a->tabs_p);
            for (int i = 0; i < PANE_COUNT; i++) a->pw[i] = mkwin(H - 3, W, 2, 0, &a->pp[i]);
        }
        for (int i = 0; i < PANE_COUNT; i++)
            if (a->pp[i] && !pane_visible(a, (pane_id)i)) hide_panel(a->pp[i]);
        if (a->help) {
            int hh = H - 4, hw = W > 100 ? 96 : W - 4;
            a->helpw = mkwin(hh, hw, 2, (W - hw) / 2, &a->help_p);
        }
    }
    for (int i = 0; i < PANE_COUNT; i++) a->dirty[i] = true;
    a->chrome_dirty = true;
}

static void show_panes(app *a)
{
    for (int i = 0; i < PANE_COUNT; i++) {
        if (!a->pp[i]) continue;
        if (pane_visible(a, (pane_id)i)) {
            show_panel(a->pp[i]);
            a->dirty[i] = true;
        } else {
            hide_panel(a->pp[i]);
        }
    }
    if (a->help_p) top_panel(a->help_p);
    a->chrome_dirty = true;
}

void app_focus(app *a, pane_id p)
{
    if (p == PANE_TRACE) a->bottom_flow = false;
    if (p == PANE_FLOW) a->bottom_flow = true;
    if (a->focus != p) a->dirty[a->focus] = true;
    a->focus = p;
    a->dirty[p] = true;
    show_panes(a);
}

static void set_help(app *a, bool on)
{
    a->help = on;
    a->help_scroll = 0;
    layout(a);
}

/* ---------- drawing ---------- */

static const char *const g_pane_names[PANE_COUNT] = {"Lesson", "Decoder", "Trace", "Flow"};

static void draw_header(app *a)
{
    WINDOW *w = a->hdr;
    int W = getmaxx(w);
    wbkgdset(w, ' ' | theme_attr(THEME_HEADER));
    werase(w);
    int x = ui_put(w, 0, 0, " tokenlab ", W, theme_attr(THEME_HEADER_ACCENT));
    char right[400], clock[48], off[32] = "";
    int64_t now = app_now(a);
    timefmt_utc_time(now, clock, sizeof clock);
    int64_t o = app_clock_offset(a);
    if (o) {
        char d[24];
        timefmt_duration(o, d, sizeof d);
        snprintf(off, sizeof off, " (%s%s)", o > 0 ? "+" : "-", d);
    }
    const char *url = a->net ? net_base_url(a->net) : "no server";
    if (strncmp(url, "http://", 7) == 0) url += 7;
    bool up = a->net && net_up(a->net);
    static const char *const spin[] = {"|", "/", "-", "\\"};
    const char *busy = a->net && net_busy(a->net) ? spin[a->spin % 4] : " ";
    const char *st = !a->net || !net_ready(a->net) ? "starting" : up ? "up" : "down";
    const char *cls = join_header(a->join);
    /* When the lesson and step do not fit, drop the lesson number first, then the clock (a
     * fast-forward offset stays), then the word "step", and only then cut the title. */
    static const struct {
        int level;
        bool clock;
    } tries[] = {{0, true}, {1, true}, {1, false}, {2, false}};
    const char *ls = "";
    int rw = 0;
    for (size_t t = 0; t < sizeof tries / sizeof tries[0]; t++) {
        bool last = t + 1 == sizeof tries / sizeof tries[0];
        if (tries[t].clock)
            snprintf(right, sizeof right, "%s%s%s %s · %s%s ", cls, cls[0] ? " · " : "", url, st,
                     clock, off);
        else
            snprintf(right, sizeof right, "%s%s%s %s%s%s ", cls, cls[0] ? " · " : "", url, st,
                     off[0] ? " ·" : "", off);
        rw = ui_width(right) + 4;
        int room = W - x - rw - 2; /* one space before the status, one before the dot */
        ls = a->lesson ? pane_lesson_status(a->lesson, tries[t].level, last ? room : 0) : "";
        if (!ls[0] || ui_width(ls) <= room) break;
    }
    if (ls[0]) {
        char mid[200];
        snprintf(mid, sizeof mid, " %s", ls);
        ui_put_fit(w, 0, x, mid, W - x - rw - 1, theme_attr(THEME_HEADER));
    }
    int rx = W - rw;
    if (rx > x) {
        ui_put(w, 0, rx, busy, 1, theme_attr(THEME_HEADER));
        ui_put(w, 0, rx + 2, ui_sym(SYM_DOT), 2,
               theme_attr(up ? THEME_STATUS_UP : THEME_STATUS_DOWN));
        ui_put(w, 0, rx + 4, right, W - rx - 4, theme_attr(THEME_HEADER));
    }
}

static int focus_ctx(const app *a)
{
    static const int ctx[PANE_COUNT] = {CTX_LESSON, CTX_DECODER, CTX_TRACE, CTX_FLOW};
    return ctx[a->focus] | CTX_GLOBAL;
}

static void draw_footer(app *a)
{
    WINDOW *w = a->ftr;
    int W = getmaxx(w);
    wbkgdset(w, ' ' | theme_attr(THEME_FOOTER));
    werase(w);
    if (console_active(a->console)) {
        console_draw_line(a->console, w);
        return;
    }
    if (a->flash[0] && (int64_t)time(NULL) <= a->flash_until) { /* cut with an ellipsis */
        ui_put_fit(w, 0, 1, a->flash, W - 2, theme_attr(THEME_FOOTER));
        return;
    }
    a->flash[0] = '\0';
    if (a->layout == LAYOUT_PRESENT && !a->help) {
        present_draw_footer(a->pres, w);
        return;
    }
    const char *hint = NULL;
    if (a->help)
        hint = "close help (? too) · Up/Down PgUp/PgDn scroll";
    else if (a->focus == PANE_DECODER)
        hint = pane_decoder_mode_hint(a->dec);
    if (hint) {
        ui_put(w, 0, 0, "Esc", W, theme_attr(THEME_FOOTER_KEY));
        ui_put(w, 0, 4, hint, W - 5, theme_attr(THEME_FOOTER));
        return;
    }
    size_t n;
    const keys_entry *k = keys_table(&n);
    int ctx = focus_ctx(a), x = 0;
    for (size_t i = 0; i < n && x < W; i++) {
        if (!k[i].label || !(k[i].ctx & ctx)) continue;
        const char *kn = keys_name(k[i].key);
        int need = ui_width(kn) + ui_width(k[i].label) + 2;
        if (x + need > W) break;
        x += ui_put(w, 0, x, kn, W - x, theme_attr(THEME_FOOTER_KEY));
        x += ui_put(w, 0, x, " ", W - x, theme_attr(THEME_FOOTER));
        x += ui_put(w, 0, x, k[i].label, W - x, theme_attr(THEME_FOOTER));
        x += ui_put(w, 0, x, "  ", W - x, theme_attr(THEME_FOOTER));
    }
}

static void draw_tabs(app *a)
{
    WINDOW *w = a->tabs;
    int W = getmaxx(w);
    wbkgdset(w, ' ' | theme_attr(THEME_TAB));
    werase(w);
    int x = 0;
    static const char *const keys[PANE_COUNT] = {"l", "d", "t", "f"};
    for (int i = 0; i < PANE_COUNT && x < W; i++) {
        char buf[48];
        snprintf(buf, sizeof buf, " %s %s ", keys[i], g_pane_names[i]);
        x += ui_put(w, 0, x, buf, W - x,
                    theme_attr(i == (int)a->focus ? THEME_TAB_ACTIVE : THEME_TAB));
        x += ui_put(w, 0, x, " ", W - x, theme_attr(THEME_TAB));
    }
}

static void draw_small(app *a)
{
    WINDOW *w = a->small;
    werase(w);
    char msg[96];
    const char *times = ui_sym(SYM_TIMES);
    snprintf(msg, sizeof msg, "terminal too small (need %d%s%d, have %d%s%d)", MIN_W, times, MIN_H,
             a->cols, times, a->rows);
    int H = a->rows, W = a->cols;
    /* wrap the message by hand so a 20-column terminal still reads it */
    const char *lines[3] = {msg, "enlarge the window, or press q to quit", NULL};
    int y = H / 2 - 1;
    for (int i = 0; lines[i]; i++) {
        const char *s = lines[i];
        int len = (int)strlen(s);
        while (len > 0 && y < H) {
            int take = len > W ? W : len;
            if (take < len) {
                int sp = take;
                while (sp > 0 && s[sp] != ' ') sp--;
                if (sp > 0)
                    take = sp;
                else /* no space: cut on a character boundary */
                    while (take > 1 && ((unsigned char)s[take] & 0xC0) == 0x80) take--;
            }
            char buf[128];
            snprintf(buf, sizeof buf, "%.*s", take, s);
            int x = (W - ui_width(buf)) / 2;
            ui_put(w, y < 0 ? 0 : y, x < 0 ? 0 : x, buf, W,
                   theme_attr(i == 0 ? THEME_WARN : THEME_NORMAL));
            y++;
            s += take;
            len -= take;
            while (*s == ' ') {
                s++;
                len--;
            }
        }
    }
}

static void draw_help(app *a)
{
    WINDOW *w = a->helpw;
    int h, wd;
    getmaxyx(w, h, wd);
    wbkgdset(w, ' ' | theme_attr(THEME_NORMAL));
    werase(w);
    ui_box(w, THEME_BORDER, "Help: every key", true);
    doc *d = doc_new();
    size_t n;
    const keys_entry *k = keys_table(&n);
    static const struct {
        int ctx;
        const char *name;
    } groups[] = {{CTX_GLOBAL, "Everywhere"},  {CTX_ALL_PANES, "In every pane"},
                  {CTX_LESSON, "Lesson pane"}, {CTX_DECODER, "Decoder"},
                  {CTX_TRACE, "Trace"},        {CTX_FLOW, "Flow diagram"}};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        doc_printf(d, THEME_HEADING, "%s\n", groups[g].name);
        for (size_t i = 0; i < n; i++) {
            bool in = groups[g].ctx == CTX_ALL_PANES ? k[i].ctx == CTX_ALL_PANES
                      : groups[g].ctx == CTX_GLOBAL
                          ? (k[i].ctx & CTX_GLOBAL) != 0
                          : (k[i].ctx & groups[g].ctx) && k[i].ctx != CTX_ALL_PANES &&
                                !(k[i].ctx & CTX_GLOBAL);
            if (!in) continue;
            char keyname[40];
            snprintf(keyname, sizeof keyname, "%s", keys_name(k[i].key));
            if (k[i].act == ACT_HELP)
                snprintf(keyname, sizeof keyname, "? F1");
            else if (k[i].alt && k[i].alt != '\r') {
                size_t l = strlen(keyname);
                snprintf(keyname + l, sizeof keyname - l, " %s", keys_name(k[i].alt));
            }
            doc_printf(d, THEME_FOOTER_KEY, "  %-10s", keyname);
            doc_printf(d, THEME_NORMAL, " %s", k[i].help);
            doc_hang(d, 13); /* a long text wraps under itself, not under the keys */
            doc_nl(d);
        }
    }
    doc_put(d, THEME_NOTE,
            "While editing a field every key is text; Esc or Enter leaves it.\n"
            "Mouse: click a pane to focus it, a button to press it.");
    int rows = doc_rows(d, wd - 4);
    if (a->help_scroll > rows - (h - 2)) a->help_scroll = rows - (h - 2);
    if (a->help_scroll < 0) a->help_scroll = 0;
    doc_draw(d, w, 1, 2, h - 2, wd - 4, a->help_scroll, -1);
    if (rows > h - 2) {
        char pos[48];
        snprintf(pos, sizeof pos, " %s %d%% ", a->help_scroll + h - 2 < rows ? "Down: more" : "end",
                 (a->help_scroll + h - 2) * 100 / rows);
        ui_put(w, h - 1, wd - 2 - ui_width(pos), pos, wd, theme_attr(THEME_BORDER_FOCUS));
    }
    doc_free(d);
}

static void draw_pane(app *a, pane_id p)
{
    WINDOW *w = a->pw[p];
    if (!w) return;
    bool f = a->focus == p;
    wbkgdset(w, ' ' | theme_attr(THEME_NORMAL));
    switch (p) {
    case PANE_LESSON:
        if (a->layout == LAYOUT_PRESENT)
            present_draw_lesson(a->pres, w);
        else
            pane_lesson_draw(a->lesson, w, f);
        break;
    case PANE_DECODER:
        pane_decoder_draw(a->dec, w, f);
        break;
    case PANE_TRACE:
        pane_trace_draw(a->trace, w, f);
        break;
    case PANE_FLOW:
        pane_flow_draw(a->flow, w, f);
        break;
    default:
        break;
    }
}

static void draw(app *a)
{
    if (a->layout == LAYOUT_SMALL) {
        if (a->chrome_dirty) draw_small(a);
    } else {
        for (int i = 0; i < PANE_COUNT; i++) {
            if (a->dirty[i] && pane_visible(a, (pane_id)i)) {
                draw_pane(a, (pane_id)i);
                a->dirty[i] = false;
            }
        }
        if (a->chrome_dirty) {
            draw_header(a);
            draw_footer(a);
            if (a->tabs) draw_tabs(a);
            if (a->helpw) draw_help(a);
            if (console_draw_popup(a->console, a->rows, a->cols))
                for (int i = 0; i < PANE_COUNT; i++) a->dirty[i] = true;
        }
    }
    a->chrome_dirty = false;
    update_panels(); /* wnoutrefresh of the panels, in stacking order */
    doupdate();
    if (a->pending_copy) {
        if (!a->script_mode) {
            fprintf(stdout, "\033]52;c;%s\a", a->pending_copy);
            fflush(stdout);
        }
        free(a->pending_copy);
        a->pending_copy = NULL;
    }
}

/* ---------- input ---------- */

static void handle_key(app *a, int key);

void app_key(app *a, int key)
{
    handle_key(a, key);
}

static void paste_add(app *a, int key)
{
    if (key & TK_FN) return;
    if (a->paste_len + 4 >= a->paste_cap) {
        if (a->paste_cap >= PASTE_MAX) return;
        size_t nc = a->paste_cap ? a->paste_cap * 2 : 4096;
        char *np = realloc(a->paste, nc);
        if (!np) return;
        a->paste = np;
        a->paste_cap = nc;
    }
    unsigned c = (unsigned)key;
    char *o = a->paste + a->paste_len;
    if (c < 0x80)
        *o++ = (char)c;
    else if (c < 0x800) {
        *o++ = (char)(0xC0 | (c >> 6));
        *o++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *o++ = (char)(0xE0 | (c >> 12));
        *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (c >> 18));
        *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    }
    a->paste_len = (size_t)(o - a->paste);
}

static void handle_mouse(app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return;
    if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))) return;
    if (a->layout == LAYOUT_SMALL || a->help) return;
    if (a->tabs && wenclose(a->tabs, ev.y, ev.x)) {
        int x = 0;
        for (int i = 0; i < PANE_COUNT; i++) {
            int w = (int)strlen(g_pane_names[i]) + 5;
            if (ev.x >= x && ev.x < x + w) app_focus(a, (pane_id)i);
            x += w;
        }
        return;
    }
    for (int i = 0; i < PANE_COUNT; i++) {
        if (!a->pw[i] || !pane_visible(a, (pane_id)i) || !wenclose(a->pw[i], ev.y, ev.x)) continue;
        app_focus(a, (pane_id)i);
        if (i == PANE_LESSON && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_RELEASED))) {
            int by, bx;
            getbegyx(a->pw[i], by, bx);
            pane_lesson_click(a->lesson, ev.y - by, ev.x - bx);
        }
        return;
    }
}

static int pane_key(app *a, pane_id p, int key, tui_action act)
{
    switch (p) {
    case PANE_LESSON:
        return pane_lesson_key(a->lesson, key, act);
    case PANE_DECODER:
        return pane_decoder_key(a->dec, key, act);
    case PANE_TRACE:
        return pane_trace_key(a->trace, key, act);
    case PANE_FLOW:
        return pane_flow_key(a->flow, key, act);
    default:
        return KEY_R_IGNORED;
    }
}

static pane_id cycle(const app *a, int dir)
{
    if (a->layout == LAYOUT_FULL) {
        pane_id order[3] = {PANE_LESSON, PANE_DECODER, a->bottom_flow ? PANE_FLOW : PANE_TRACE};
        int cur = 0;
        for (int i = 0; i < 3; i++)
            if (order[i] == a->focus) cur = i;
        return order[(cur + 3 + dir) % 3];
    }
    return (pane_id)((a->focus + PANE_COUNT + dir) % PANE_COUNT);
}

/* Every key, from the terminal or from a script, comes through here. */
static void handle_key(app *a, int key)
{
    if (key == (TK_FN | KEY_RESIZE)) {
        layout(a);
        return;
    }
    if (key == TK_PASTE_BEGIN) {
        a->pasting = true;
        a->paste_len = 0;
        return;
    }
    if (a->pasting) {
        if (key != TK_PASTE_END) {
            paste_add(a, key);
            return;
        }
        a->pasting = false;
        if (console_active(a->console)) {
            console_paste(a->console, a->paste ? a->paste : "", a->paste_len);
            a->chrome_dirty = true;
            return;
        }
        if (a->focus != PANE_DECODER && !(a->lesson && pane_lesson_editing(a->lesson)))
            app_focus(a, PANE_DECODER);
        if (a->focus == PANE_DECODER) {
            pane_decoder_paste(a->dec, a->paste ? a->paste : "", a->paste_len);
        } else {
            for (size_t i = 0; i < a->paste_len; i++)
                pane_lesson_key(a->lesson, (unsigned char)a->paste[i], ACT_NONE);
        }
        a->chrome_dirty = true;
        return;
    }
    if (key == TK_PASTE_END) return;
    if (key == (TK_FN | KEY_MOUSE)) {
        handle_mouse(a);
        return;
    }
    if (key == TK_CTRL('c')) {
        a->quit = true;
        return;
    }
    if (a->layout == LAYOUT_SMALL) { /* only quitting works until the terminal is big enough */
        if (key == 'q') a->quit = true;
        return;
    }
    if (console_active(a->console) && console_key(a->console, key) != KEY_R_IGNORED) {
        a->chrome_dirty = true;
        return;
    }
    if (key == TK_CTRL('l')) { /* redraw everything, as every terminal program does */
        clearok(curscr, TRUE);
        a->chrome_dirty = true;
        return;
    }
    if (a->help) {
        tui_action act = keys_lookup(key, CTX_GLOBAL | CTX_ALL_PANES);
        int page = a->helpw ? getmaxy(a->helpw) - 3 : 10;
        /* q closes the help first, as Esc does (as in less, man, htop); q again quits */
        if (act == ACT_CANCEL || act == ACT_HELP || act == ACT_QUIT)
            set_help(a, false);
        else if (act == ACT_UP)
            a->help_scroll--;
        else if (act == ACT_DOWN)
            a->help_scroll++;
        else if (act == ACT_PGUP)
            a->help_scroll -= page;
        else if (act == ACT_PGDN)
            a->help_scroll += page;
        else if (act == ACT_TOP)
            a->help_scroll = 0;
        else if (act == ACT_BOTTOM)
            a->help_scroll = 1 << 20; /* clamped when drawn */
        a->chrome_dirty = true;
        return;
    }
    if (a->layout == LAYOUT_PRESENT && present_key(a->pres, key) != KEY_R_IGNORED) {
        a->chrome_dirty = true;
        return;
    }
    /* a text field owns the keyboard; a key it does not take (Tab, F1, arrows) first closes the
     * field as Esc would, then does its usual job */
    /* an empty token field that `d` opened does not swallow the pane keys: a token does not
     * start with l, t, f, q or ? (d then t at 80x24 typed "t") */
    if (a->focus == PANE_DECODER && pane_decoder_editing(a->dec) && !*pane_decoder_token(a->dec) &&
        key < 0x80 && strchr("ltfq?", key) && key) {
        pane_decoder_key(a->dec, TK_ESC, ACT_NONE);
        a->chrome_dirty = true;
    }
    if (a->focus == PANE_DECODER && pane_decoder_editing(a->dec)) {
        int r = pane_decoder_key(a->dec, key, ACT_NONE);
        if (r == KEY_R_IGNORED) pane_decoder_key(a->dec, TK_ESC, ACT_NONE);
        if (!pane_decoder_editing(a->dec) && a->lesson)
            pane_lesson_decoder_changed(a->lesson, pane_decoder_token(a->dec));
        a->chrome_dirty = true;
        if (r != KEY_R_IGNORED) return;
    }
    if (a->focus == PANE_LESSON && a->lesson && pane_lesson_editing(a->lesson)) {
        int r = pane_lesson_key(a->lesson, key, ACT_NONE);
        if (r == KEY_R_IGNORED) pane_lesson_key(a->lesson, TK_ESC, ACT_NONE);
        a->chrome_dirty = true;
        if (r != KEY_R_IGNORED) return;
    }
    int ctx = focus_ctx(a);
    tui_action act = keys_lookup(key, ctx & ~CTX_GLOBAL);
    if (act == ACT_NONE) act = keys_lookup(key, CTX_GLOBAL);
    switch (act) {
    case ACT_HELP:
        set_help(a, true);
        return;
    case ACT_QUIT:
        a->quit = true;
        return;
    case ACT_PRESENT:
        if (a->pres) theme_apply(present_set(a->pres, !present_active(a->pres), a->theme));
        layout(a);
        return;
    case ACT_NEXT_PANE:
        app_focus(a, cycle(a, 1));
        return;
    case ACT_PREV_PANE:
        app_focus(a, cycle(a, -1));
        return;
    case ACT_LESSONS: /* the current lesson; l again (or with none open) the list */
        if (a->focus == PANE_LESSON || !pane_lesson_has_lesson(a->lesson))
            pane_lesson_show_list(a->lesson);
        app_focus(a, PANE_LESSON);
        return;
    case ACT_DECODER:
        app_focus(a, PANE_DECODER);
        /* an empty decoder waits for a token; one that holds a token only takes the focus, so the
         * next key (t, l, …) is a command, not the first letter of a new token (e edits) */
        if (!*pane_decoder_token(a->dec)) pane_decoder_begin_edit(a->dec);
        return;
    case ACT_TRACE:
        app_focus(a, PANE_TRACE);
        return;
    case ACT_CONSOLE:
        console_open(a->console);
        a->chrome_dirty = true;
        return;
    case ACT_FLOW:
        if (a->lesson && pane_lesson_flow(a->lesson))
            pane_flow_select(a->flow, pane_lesson_flow(a->lesson));
        app_focus(a, PANE_FLOW);
        return;
    case ACT_CANCEL:
        if (a->net && http_busy(net_http(a->net))) {
            /* cancel the requests in flight, not the server-events stream */
            http_client *h = net_http(a->net);
            uint64_t ids[64];
            size_t n = 0;
            for (size_t i = 0; i < http_history_count(h) && n < 64; i++) {
                http_exchange *x = http_history_get(h, i);
                if (x && x->state == HTTP_PENDING) ids[n++] = x->id;
            }
            for (size_t i = 0; i < n; i++) http_cancel(h, ids[i]);
            app_flash(a, "cancelled %zu request%s in flight", n, n == 1 ? "" : "s");
        }
        pane_key(a, a->focus, key, act);
        return;
    default:
        break;
    }
    int r = pane_key(a, a->focus, key, act);
    if (r & KEY_R_QUIT) a->quit = true;
    a->chrome_dirty = true;
    if (a->focus == PANE_DECODER && a->lesson && (r & KEY_R_HANDLED))
        pane_lesson_decoder_changed(a->lesson, pane_decoder_token(a->dec));
}

static int read_key(app *a, bool *got)
{
    wint_t wc;
    int r = wget_wch(stdscr, &wc);
    *got = r != ERR;
    (void)a;
    if (r == KEY_CODE_YES) return TK_FN | (int)wc;
    return (int)wc;
}

/* ---------- signals ---------- */

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGWINCH) { /* ncurses' own handler first: it turns into KEY_RESIZE */
        if (g_old_winch.sa_flags & SA_SIGINFO) {
            if (g_old_winch.sa_sigaction) g_old_winch.sa_sigaction(sig, NULL, NULL);
        } else if (g_old_winch.sa_handler != SIG_DFL && g_old_winch.sa_handler != SIG_IGN &&
                   g_old_winch.sa_handler) {
            g_old_winch.sa_handler(sig);
        }
    }
    if (g_sigfd >= 0) {
        char c = sig == SIGWINCH ? 'W' : 'Q';
        ssize_t n = write(g_sigfd, &c, 1);
        (void)n;
    }
    errno = saved;
}

static void install_signals(app *a)
{
    if (pipe(a->sigpipe) != 0) {
        a->sigpipe[0] = a->sigpipe[1] = -1;
        return;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(a->sigpipe[i], F_SETFL, fcntl(a->sigpipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(a->sigpipe[i], F_SETFD, FD_CLOEXEC);
    }
    g_sigfd = a->sigpipe[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGWINCH, &sa, &g_old_winch);
    signal(SIGPIPE, SIG_IGN);
}

static void drain_signals(app *a)
{
    char buf[64];
    ssize_t n;
    while (a->sigpipe[0] >= 0 && (n = read(a->sigpipe[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == 'Q') a->quit = true;
}

/* ---------- periodic work ---------- */

static void tick(app *a)
{
    a->spin++;
    a->chrome_dirty = true; /* the clock */
    if (pane_decoder_tick(a->dec)) a->dirty[PANE_DECODER] = true;
    if (a->net) net_tick(a->net);
}

static void on_net_event(void *ud, const net_event *ev)
{
    app *a = ud;
    /* In a class the server's feed carries every student's events: keep this student's own and
     * the room-wide ones, or the trace (and server.last_refusal) fills with the classmates'. */
    if (join_event_is_others(a->join, ev->client_id, ev->message)) return;
    pane_trace_server_event(a->trace, ev);
    a->dirty[PANE_TRACE] = true;
    /* The lesson checks see the server's refusals too (server.last_refusal). */
    struct engine *en = a->lesson ? pane_lesson_engine(a->lesson) : NULL;
    if (en && strcmp(ev->kind, "refused") == 0)
        state_post_refusal(engine_state(en), ev->code, ev->message);
}

static void on_net_change(void *ud)
{
    app *a = ud;
    if (net_ready(a->net) && !a->server_seen) {
        a->server_seen = true;
        if (a->timing) fprintf(stderr, "timing: embedded server up %.1f ms\n", ms_since(&a->t0));
    }
    if (net_ready(a->net)) {
        if (a->lesson) pane_lesson_connect(a->lesson);
        if (a->flow && a->lesson && pane_lesson_flow(a->lesson))
            pane_flow_select(a->flow, pane_lesson_flow(a->lesson));
        if (net_start_error(a->net))
            app_flash(a, "the embedded server did not start: %s", net_start_error(a->net));
    }
    pane_decoder_rekey(a->dec);
    a->chrome_dirty = true;
}

/* Waits for input, the network, signals or the timeout. True when stdin is readable. */
static bool pump(app *a, int timeout_ms)
{
    int fds[2] = {a->script_mode ? -1 : STDIN_FILENO, a->sigpipe[0]};
    bool ready[2] = {false, false};
    timeout_ms = present_timeout(a->pres, timeout_ms);
    if (a->net) {
        net_wait(a->net, fds, ready, 2, timeout_ms);
    } else {
        struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
        poll(p, 2, timeout_ms);
        ready[0] = p[0].revents != 0;
    }
    drain_signals(a);
    present_poll(a->pres);
    join_poll(a->join);
    return ready[0];
}

/* ---------- screen dump (script mode) ---------- */

/* Replaces the embedded server's port in dumps, so golden screens do not depend on it. */
static bool save_screen(app *a, const char *path)
{
    draw(a);
    const char *url = a->net && net_embedded(a->net) ? net_base_url(a->net) : NULL;
    const char *colon = url ? strrchr(url, ':') : NULL;
    tl_err e = {0};
    if (!screen_dump(path, colon && colon[1] ? colon + 1 : NULL, &e)) {
        fprintf(stderr, "tokenlab: %s\n", e.msg);
        return false;
    }
    return true;
}

/* ---------- script mode ---------- */

static void feed_text(app *a, const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = strlen(s);
    while (n > 0) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, n, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            wc = (unsigned char)*s;
            k = 1;
            memset(&st, 0, sizeof st);
        }
        handle_key(a, (int)wc);
        s += k;
        n -= k;
    }
}

/* Runs the loop until the network is quiet (at most max_ms), or, with `exact`, for max_ms. */
static void wait_idle(app *a, int max_ms, bool exact)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t last = time(NULL);
    for (;;) {
        pump(a, 20);
        if (time(NULL) != last) { /* the 1 s timer keeps running in script mode */
            last = time(NULL);
            tick(a);
        }
        bool busy = a->net && net_busy(a->net);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if ((!exact && !busy && ms >= 50) || ms > max_ms) break;
    }
    draw(a);
}

/* Does any row of the screen show `text`? */
static bool screen_shows(const char *text)
{
    char row[1024];
    int w = COLS < (int)sizeof row - 1 ? COLS : (int)sizeof row - 1;
    for (int y = 0; y < LINES; y++)
        if (mvwinnstr(curscr, y, 0, row, w) > 0 && strstr(row, text)) return true;
    return false;
}

/* Runs the loop until the screen shows `text` (true), or max_ms pass (false): a script waits for
 * what it needs to see, not for a time that is enough on an idle machine. */
static bool wait_for_text(app *a, const char *text, int max_ms)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t last = time(NULL);
    for (;;) {
        draw(a);
        if (screen_shows(text)) return true;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > max_ms)
            return false;
        pump(a, 20);
        if (time(NULL) != last) {
            last = time(NULL);
            tick(a);
        }
    }
}

/* Returns 0 on success, 2 on a bad line, 3 when the file cannot be read, 4 when a :wait-for
 * text never showed. */
static int run_script(app *a, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        endwin();
        fprintf(stderr, "tokenlab: cannot read TOKENLAB_SCRIPT %s: %s\n", path, strerror(errno));
        return 3;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while (!a->quit && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        struct timespec lt0;
        clock_gettime(CLOCK_MONOTONIC, &lt0);
        if (strncmp(line, ":type ", 6) == 0) {
            feed_text(a, line + 6);
        } else if (strncmp(line, ":paste ", 7) == 0) {
            handle_key(a, TK_PASTE_BEGIN);
            feed_text(a, line + 7);
            handle_key(a, TK_PASTE_END);
        } else if (strncmp(line, ":paste-file ", 12) == 0) {
            FILE *pf = fopen(line + 12, "rb");
            if (!pf) {
                fprintf(stderr, "%s:%d: cannot read %s\n", path, lineno, line + 12);
                rc = 2;
                break;
            }
            handle_key(a, TK_PASTE_BEGIN);
            int c;
            while ((c = fgetc(pf)) != EOF) handle_key(a, c);
            fclose(pf);
            handle_key(a, TK_PASTE_END);
        } else if (strncmp(line, ":resize ", 8) == 0) {
            int w = 0, h = 0;
            if (sscanf(line + 8, "%d %d", &w, &h) != 2 || w < 1 || h < 1 || w > 1000 || h > 1000) {
                fprintf(stderr, "%s:%d: :resize needs WIDTH HEIGHT\n", path, lineno);
                rc = 2;
                break;
            }
            resizeterm(h, w);
            handle_key(a, TK_FN | KEY_RESIZE);
        } else if (strcmp(line, ":wait-idle") == 0) {
            wait_idle(a, 30000, false); /* the embedded server may take seconds to make its keys on
                                    a busy machine */
        } else if (strncmp(line, ":wait-for ", 10) == 0) {
            if (!wait_for_text(a, line + 10, 30000)) {
                fprintf(stderr, "%s:%d: the screen never showed '%s' (30 s)\n", path, lineno,
                        line + 10);
                rc = 4;
                break;
            }
        } else if (strncmp(line, ":wait ", 6) == 0) {
            wait_idle(a, atoi(line + 6), true);
        } else if (strncmp(line, ":advance ", 9) == 0) {
            a->fake_time += atoll(line + 9);
            tick(a);
        } else if (strncmp(line, ":save-screen ", 13) == 0) {
            if (!save_screen(a, line + 13)) {
                rc = 3;
                break;
            }
        } else if (line[0] == ':' && len > 1) {
            fprintf(stderr, "%s:%d: unknown command '%s'\n", path, lineno, line);
            rc = 2;
            break;
        } else {
            int k = keys_parse(line);
            if (k < 0) {
                fprintf(stderr, "%s:%d: unknown key '%s' (use :type for text)\n", path, lineno,
                        line);
                rc = 2;
                break;
            }
            handle_key(a, k);
        }
        draw(a);
        if (getenv("TOKENLAB_TIMING")) {
            struct timespec lt1;
            clock_gettime(CLOCK_MONOTONIC, &lt1);
            fprintf(stderr, "timing: %s:%d (%.20s%s) %.2f ms\n", path, lineno, line,
                    len > 20 ? "…" : "",
                    (double)(lt1.tv_sec - lt0.tv_sec) * 1e3 +
                        (double)(lt1.tv_nsec - lt0.tv_nsec) / 1e6);
        }
    }
    free(line);
    fclose(f);
    return rc;
}

/* ---------- options ---------- */

void tui_usage(FILE *f)
{
    fprintf(f,
            "TUI options:\n"
            "  --server URL        use a remote (class) server instead of the embedded one\n"
            "  --lab-key KEY       the remote server's lab key (for clock and lab switches)\n"
            "  --theme NAME        dark (default), light, high-contrast, mono\n"
            "  --ascii             ASCII box drawing (automatic when the locale is not UTF-8)\n"
            "  --lessons DIR       read the lessons from DIR\n"
            "  --lang LANG         lesson language (default: $LANG, falling back to English)\n"
            "  --lesson ID         open this lesson\n"
            "  --no-mouse          do not capture the mouse\n"
            "  --fresh-keys        the embedded server makes a new signing key (it keeps one in\n"
            "                      the state folder, server-key.json, and reuses it)\n"
            "  --plain             line mode for a screen reader, a braille display or a pipe:\n"
            "                      the same course, one command per line (automatic when\n"
            "                      TERM=dumb or there is no terminal; docs/accessibility.md)\n"
            "  environment: NO_COLOR (monochrome), TOKENLAB_SCRIPT=FILE (script mode),\n"
            "               TOKENLAB_FAKE_TIME=EPOCH (fixed clock for the display)\n");
    present_usage(f);
    join_usage(f);
}

static int parse_opts(int argc, char **argv, tui_opts *o)
{
    for (int i = 1, r; i < argc; i++) {
        const char *s = argv[i];
        const char **dst = NULL;
        if (strcmp(s, "--ascii") == 0)
            o->ascii = true;
        else if (strcmp(s, "--no-mouse") == 0)
            o->no_mouse = true;
        else if (strcmp(s, "--fresh-keys") == 0)
            o->fresh_keys = true;
        else if (strcmp(s, "--plain") == 0)
            o->plain = true;
        else if (strcmp(s, "--server") == 0)
            dst = &o->server_url;
        else if (strcmp(s, "--lab-key") == 0)
            dst = &o->lab_key;
        else if (strcmp(s, "--theme") == 0)
            dst = &o->theme;
        else if (strcmp(s, "--lessons") == 0)
            dst = &o->lessons_dir;
        else if (strcmp(s, "--lang") == 0)
            dst = &o->lang;
        else if (strcmp(s, "--lesson") == 0)
            dst = &o->lesson_id;
        else if ((r = present_parse_opt(&o->pres, argc, argv, &i)) != 0 ||
                 (r = join_parse_opt(&o->join, argc, argv, &i)) != 0) {
            if (r < 0) return 2;
        } else {
            fprintf(stderr, "tokenlab: unknown option '%s' (see tokenlab --help)\n", s);
            return 2;
        }
        if (dst) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tokenlab: %s needs a value\n", s);
                return 2;
            }
            *dst = argv[++i];
        }
    }
    if (o->server_url && strncmp(o->server_url, "http://", 7) != 0 &&
        strncmp(o->server_url, "https://", 8) != 0) {
        fprintf(stderr, "tokenlab: --server needs an http:// or https:// URL, got '%s'\n",
                o->server_url);
        return 2;
    }
    theme_id t;
    if (o->theme && !theme_parse(o->theme, &t)) {
        fprintf(stderr, "tokenlab: unknown theme '%s' (dark, light, high-contrast, mono)\n",
                o->theme);
        return 2;
    }
    return 0;
}

/* ---------- start and stop ---------- */

static bool start_curses(app *a)
{
    if (a->script_mode) {
        /* headless: a real terminal description, output thrown away, input from the script */
        a->term_out = fopen("/dev/null", "w");
        a->term_in = fopen("/dev/null", "r");
        if (!a->term_out || !a->term_in) return false;
        a->scr = newterm("xterm-256color", a->term_out, a->term_in);
        if (!a->scr) a->scr = newterm("xterm", a->term_out, a->term_in);
        if (!a->scr) return false;
        set_term(a->scr);
        resizeterm(MIN_H, MIN_W);
    } else {
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
            fprintf(stderr, "tokenlab: the TUI needs a terminal (see tokenlab --help for the "
                            "commands that work in a pipe)\n");
            return false;
        }
        const char *term = getenv("TERM");
        a->scr = newterm(term && *term ? term : "xterm", stdout, stdin);
        if (!a->scr) {
            fprintf(stderr, "tokenlab: cannot use terminal type '%s'\n", term ? term : "");
            return false;
        }
        set_term(a->scr);
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    define_key("\033[200~", TK_PASTE_BEGIN & ~TK_FN);
    define_key("\033[201~", TK_PASTE_END & ~TK_FN);
    if (!a->script_mode) {
        if (!a->o.no_mouse) mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED, NULL);
        fputs("\033[?2004h", stdout); /* bracketed paste */
        fflush(stdout);
    }
    theme_id want = THEME_ID_DARK;
    if (a->o.theme) theme_parse(a->o.theme, &want);
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) want = THEME_ID_MONO; /* https://no-color.org */
    a->theme = theme_apply(want);
    return true;
}

static void stop_curses(app *a)
{
    if (!a->scr) return;
    free_windows(a);
    if (!a->script_mode) {
        fputs("\033[?2004l", stdout);
        fflush(stdout);
    }
    endwin();
    delscreen(a->scr);
    a->scr = NULL;
    if (a->term_out) fclose(a->term_out);
    if (a->term_in) fclose(a->term_in);
}

/* The line mode (plain.c) when asked for, or when there is no screen to draw on: TERM=dumb, or
 * stdin/stdout not a terminal. The presenter needs a screen, so it keeps its error. */
static bool wants_plain(const tui_opts *o, bool script_mode)
{
    if (o->plain) return true;
    if (script_mode || o->pres.on || o->pres.replay || o->pres.record) return false;
    const char *term = getenv("TERM");
    return (term && strcmp(term, "dumb") == 0) || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO);
}

int tui_main(int argc, char **argv)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *timing = getenv("TOKENLAB_TIMING");
    app *a = calloc(1, sizeof *a);
    if (!a) return 1;
    a->t0 = t0;
    a->timing = timing != NULL;
    int rc = parse_opts(argc, argv, &a->o);
    if (rc) {
        free(a);
        return rc;
    }
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    bool utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    ui_set_ascii(a->o.ascii || !utf8);
    const char *ft = getenv("TOKENLAB_FAKE_TIME");
    if (ft && *ft) {
        a->has_fake = true;
        a->fake_time = atoll(ft);
    }
    const char *script = getenv("TOKENLAB_SCRIPT");
    a->script_mode = script && *script;
    if (wants_plain(&a->o, a->script_mode)) {
        plain_opts po = {.server_url = a->o.server_url,
                         .lab_key = a->o.lab_key,
                         .lessons_dir = a->o.lessons_dir,
                         .lang = a->o.lang,
                         .lesson_id = a->o.lesson_id,
                         .join = a->o.join,
                         .fresh_keys = a->o.fresh_keys};
        free(a);
        return plain_main(&po);
    }
    a->sigpipe[0] = a->sigpipe[1] = -1;
    a->focus = PANE_LESSON;

    tl_err e = {0};
    /* A student of a class works in their own lab (docs/class.md): its URL is the TUI's server */
    a->join = join_start(&a->o.join, a->o.server_url, &e);
    if (!a->join && e.code) {
        fprintf(stderr, "tokenlab: %s\n", e.msg);
        free(a);
        return err_is(&e, "join.usage") ? 2 : err_is(&e, "join.refused") ? 1 : 3;
    }
    a->net = a->join ? net_new(join_lab_url(a->join), join_lab_key(a->join), false, &e)
                     : net_new(a->o.server_url, a->o.lab_key, a->o.fresh_keys, &e);
    if (!a->net) {
        fprintf(stderr, "tokenlab: %s\n", e.msg);
        join_free(a->join);
        free(a);
        return 1;
    }
    a->pres = present_new(a, a->net, &a->o.pres, &e);
    if (!a->pres) {
        fprintf(stderr, "tokenlab: %s\n", e.msg);
        net_free(a->net);
        join_free(a->join);
        free(a);
        return 3;
    }
    if (!start_curses(a)) {
        join_free(a->join);
        present_free(a->pres);
        net_free(a->net);
        free(a);
        return 1;
    }
    if (timing)
        fprintf(stderr, "timing: terminal ready, embedded server starting %.1f ms\n",
                ms_since(&t0));
    install_signals(a);
    net_on_event(a->net, on_net_event, a);
    net_on_change(a->net, on_net_change, a);
    a->dec = pane_decoder_new(a);
    a->trace = pane_trace_new(a, net_http(a->net));
    a->flow = pane_flow_new(a);
    pane_lesson_options lo = {a->o.lessons_dir, a->o.lang, a->o.lesson_id};
    a->lesson = pane_lesson_new(a, a->net, &lo);
    a->console = console_new(a, a->lesson);
    present_attach(a->pres, a->lesson);
    join_attach(a->join, pane_lesson_engine(a->lesson));
    if (net_ready(a->net)) on_net_change(a);
    if (timing) fprintf(stderr, "timing: panes and lesson engine ready %.1f ms\n", ms_since(&t0));
    layout(a);
    draw(a); /* first frame before anything slow */
    if (timing) fprintf(stderr, "timing: first frame %.1f ms\n", ms_since(&t0));
    net_start(a->net);

    if (a->script_mode) {
        rc = run_script(a, script);
    } else {
        struct timespec ts;
        int silent = 0;
        while (!a->quit) {
            clock_gettime(CLOCK_REALTIME, &ts);
            int to = 1000 - (int)(ts.tv_nsec / 1000000);
            int64_t before = (int64_t)ts.tv_sec;
            bool readable = pump(a, to < 1 ? 1 : to);
            bool got;
            int n = 0;
            do {
                int k = read_key(a, &got);
                if (got) handle_key(a, k);
            } while (got && !a->quit && ++n < 1 << 22);
            /* stdin readable yet nothing to read, again and again: the terminal is gone (EOF,
             * hang-up without SIGHUP). Leave instead of spinning. */
            silent = readable && n == 0 && !got ? silent + 1 : 0;
            if (silent > 200) a->quit = true;
            clock_gettime(CLOCK_REALTIME, &ts);
            if ((int64_t)ts.tv_sec != before) tick(a);
            if (!a->quit) draw(a);
        }
    }
    console_draw_popup(a->console, 0, 0); /* its window goes before the screen */
    stop_curses(a);
    /* no more callbacks into the panes while the network winds down */
    net_on_event(a->net, NULL, NULL);
    net_on_change(a->net, NULL, NULL);
    join_flush(a->join, 2000); /* an answer given just before q still reaches the class */
    join_free(a->join);
    pane_lesson_free(a->lesson);
    console_free(a->console); /* after the lesson pane: a cancelled run reports back to it */
    present_free(a->pres);    /* likewise: a step the presenter ran reports back to it */
    pane_flow_free(a->flow);
    pane_trace_free(a->trace);
    pane_decoder_free(a->dec);
    net_free(a->net);
    g_sigfd = -1;
    if (a->sigpipe[0] >= 0) {
        close(a->sigpipe[0]);
        close(a->sigpipe[1]);
    }
    free(a->paste);
    free(a->pending_copy);
    free(a);
    return rc;
}
