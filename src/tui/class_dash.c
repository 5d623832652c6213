/* SPDX-License-Identifier: MIT */
/* class_dash — the instructor's live class dashboard (issue 6): who joined and where each student
 * is, quiz results per question (the ones the room gets wrong highlighted), the room's server
 * events as they happen (refusals are the teachable moments), and lab switches for the whole room
 * (with a confirmation). Polls GET /class/state every 2 s and follows GET /class/events (SSE) with
 * the instructor key; docs/class.md is the contract. Single-threaded: one libcurl multi loop. */
#include "tui/class_dash.h"

#include <jansson.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "base/timefmt.h"
#include "oauth/http.h"
#include "tui/doc.h"
#include "tui/keys.h"
#include "tui/theme.h"

#define FEED_MAX 200
#define POLL_MS  2000
#define LABS_MAX 32
#define MIN_COLS 60
#define MIN_ROWS 16

typedef struct feed_line {
    int64_t time;
    char kind[16];
    char endpoint[48];
    char text[400];
} feed_line;

typedef struct dash {
    http_client *http;
    char base[1024];
    char auth[400];
    json_t *state; /* last GET /class/state, or NULL */
    char problem[TL_ERR_MSG_MAX + 100];
    bool state_pending;
    double next_poll;
    uint64_t sse_id;
    bool sse_up;
    double sse_retry;
    feed_line feed[FEED_MAX];
    size_t feed_n, feed_head; /* ring */
    int stud_scroll;
    /* lab switches overlay */
    bool labs_open;
    int lab_sel;
    char lab_names[LABS_MAX][48];
    bool lab_on[LABS_MAX];
    int nlabs;
    int confirm; /* -1: none; else the switch asked about */
    char flash[TL_ERR_MSG_MAX + 300];
    double flash_until;
    bool quit;
    bool dirty;
} dash;

static volatile sig_atomic_t g_stop;
static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void dash_flash(dash *d, const char *msg)
{
    snprintf(d->flash, sizeof d->flash, "%s", msg);
    d->flash_until = now_s() + 5;
    d->dirty = true;
}

/* ---------- the feed ---------- */

static void feed_add(dash *d, int64_t t, const char *kind, const char *endpoint, const char *text)
{
    feed_line *f = &d->feed[d->feed_head];
    d->feed_head = (d->feed_head + 1) % FEED_MAX;
    if (d->feed_n < FEED_MAX) d->feed_n++;
    f->time = t;
    snprintf(f->kind, sizeof f->kind, "%s", kind ? kind : "");
    snprintf(f->endpoint, sizeof f->endpoint, "%s", endpoint ? endpoint : "");
    snprintf(f->text, sizeof f->text, "%s", text ? text : "");
    for (char *c = f->text; *c; c++)
        if ((unsigned char)*c < 32) *c = ' ';
    d->dirty = true;
}

/* "class-st-4" → "Ada Lovelace" when the last /class/state knows the student; else the id. */
static const char *student_label(const dash *d, const char *client)
{
    if (!client || strncmp(client, "class-", 6) != 0 || !d->state) return client;
    json_t *st = json_object_get(d->state, "students");
    for (size_t i = 0; i < json_array_size(st); i++) {
        json_t *s = json_array_get(st, i);
        const char *id = json_string_value(json_object_get(s, "student_id"));
        const char *name = json_string_value(json_object_get(s, "name"));
        if (id && name && strcmp(id, client + 6) == 0) return name;
    }
    return client;
}

static void on_sse(const char *event, const char *data, void *ud)
{
    dash *d = ud;
    if (!event) { /* the stream ended: say so and reopen in a few seconds */
        d->sse_up = false;
        d->sse_id = 0;
        d->sse_retry = now_s() + 3;
        feed_add(d, (int64_t)time(NULL), "info", "", data ? data : "event stream closed");
        return;
    }
    d->sse_up = true;
    json_error_t je;
    json_t *j = json_loads(data ? data : "", 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *kind = json_string_value(json_object_get(j, "kind"));
    const char *ep = json_string_value(json_object_get(j, "endpoint"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *client = student_label(d, json_string_value(json_object_get(j, "client_id")));
    json_t *tv = json_object_get(j, "time");
    int64_t t = json_is_integer(tv) ? (int64_t)json_integer_value(tv) : (int64_t)time(NULL);
    char text[400];
    snprintf(text, sizeof text, "%s%s%s%s%s%s", code && *code ? code : "",
             code && *code ? ": " : "", msg ? msg : "", client && *client ? " (" : "",
             client && *client ? client : "", client && *client ? ")" : "");
    feed_add(d, t, kind ? kind : event, ep, text);
    json_decref(j);
}

static void open_sse(dash *d)
{
    char url[1200];
    snprintf(url, sizeof url, "%s/class/events", d->base);
    tl_err e = {0};
    d->sse_up = true; /* until the stream says it ended (a refused key ends it at once) */
    if (!http_sse_open_auth(d->http, url, d->auth, on_sse, d, &d->sse_id, &e)) {
        d->sse_up = false;
        d->sse_id = 0;
        d->sse_retry = now_s() + 5;
        feed_add(d, (int64_t)time(NULL), "info", "", e.msg);
    }
}

/* ---------- state ---------- */

static void read_labs(dash *d)
{
    json_t *labs = d->state ? json_object_get(d->state, "labs") : NULL;
    const char *k;
    json_t *v;
    d->nlabs = 0;
    json_object_foreach(labs, k, v)
    {
        if (d->nlabs >= LABS_MAX) break;
        snprintf(d->lab_names[d->nlabs], sizeof d->lab_names[0], "%s", k);
        d->lab_on[d->nlabs] = json_is_true(v);
        d->nlabs++;
    }
    if (d->lab_sel >= d->nlabs) d->lab_sel = d->nlabs ? d->nlabs - 1 : 0;
}

/* A refusal of the key or a server error as a sentence; true when the answer is usable JSON. */
static bool answer_ok(const http_exchange *x, char *why, size_t n)
{
    if (x->state != HTTP_DONE) {
        snprintf(why, n, "%s", x->err.msg[0] ? x->err.msg : "no answer from the server");
        return false;
    }
    if (x->status != 200) {
        const char *desc =
            x->json ? json_string_value(json_object_get(x->json, "error_description")) : NULL;
        snprintf(why, n, "the server answered %ld%s%s", x->status, desc ? ": " : "",
                 desc ? desc : (x->status == 404 ? " (is it started with --class?)" : ""));
        return false;
    }
    if (!json_is_object(x->json)) {
        snprintf(why, n, "the server's answer is not a JSON object");
        return false;
    }
    return true;
}

static void on_state(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    dash *d = ud;
    d->state_pending = false;
    d->dirty = true;
    char why[TL_ERR_MSG_MAX + 100];
    if (!answer_ok(x, why, sizeof why)) {
        snprintf(d->problem, sizeof d->problem, "%s", why);
        return;
    }
    d->problem[0] = '\0';
    json_decref(d->state);
    d->state = json_incref(x->json);
    read_labs(d);
}

static http_request *request(dash *d, const char *method, const char *path)
{
    char url[1200];
    snprintf(url, sizeof url, "%s%s", d->base, path);
    http_request *r = http_request_new(method, url);
    if (r) http_request_set_header(r, "Authorization", d->auth);
    return r;
}

static void poll_state(dash *d)
{
    if (d->state_pending) return;
    http_request *r = request(d, "GET", "/class/state");
    if (!r) return;
    http_request_set_label(r, "class state");
    d->state_pending = http_send(d->http, r, on_state, d, NULL, NULL);
    http_request_free(r);
    d->next_poll = now_s() + POLL_MS / 1000.0;
}

static void on_lab(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    dash *d = ud;
    char why[TL_ERR_MSG_MAX + 100];
    if (!answer_ok(x, why, sizeof why)) {
        char msg[TL_ERR_MSG_MAX + 200];
        snprintf(msg, sizeof msg, "the lab switch did not change: %s", why);
        dash_flash(d, msg);
        return;
    }
    dash_flash(d, "done: the switch is flipped for the whole room");
    d->next_poll = 0; /* show it now */
}

static void flip_lab(dash *d, int i)
{
    if (i < 0 || i >= d->nlabs) return;
    http_request *r = request(d, "POST", "/class/lab");
    if (!r) return;
    json_t *body = json_pack("{s:s, s:b}", "name", d->lab_names[i], "on", !d->lab_on[i]);
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (txt) http_request_set_body(r, "application/json", txt, strlen(txt));
    http_send(d->http, r, on_lab, d, NULL, NULL);
    free(txt);
    json_decref(body);
    http_request_free(r);
}

/* ---------- drawing ---------- */

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static void draw_students(dash *d, WINDOW *w)
{
    int h, W;
    getmaxyx(w, h, W);
    json_t *st = d->state ? json_object_get(d->state, "students") : NULL;
    size_t n = json_array_size(st);
    char title[80];
    snprintf(title, sizeof title, "Students (%zu)", n);
    ui_box(w, THEME_BORDER, title, true);
    int64_t now = d->state && json_is_integer(json_object_get(d->state, "now"))
                      ? (int64_t)json_integer_value(json_object_get(d->state, "now"))
                      : (int64_t)time(NULL);
    /* "where" is what an instructor reads most: the other columns take only what they need
     * (the longest name up to a quarter of the width, "12/12", "59m ago"). */
    int longest = 4;
    for (size_t i = 0; i < n; i++) {
        int l = ui_width(str(json_array_get(st, i), "name"));
        if (l > longest) longest = l;
    }
    int nw = longest < W / 4 ? longest : (W / 4 > 8 ? W / 4 : 8), qw = 5, sw = 9;
    int pw = W - 4 - nw - qw - sw - 3;
    if (pw < 6) pw = 6;
    ui_put(w, 1, 2, "name", nw, theme_attr(THEME_HEADING));
    ui_put(w, 1, 2 + nw + 1, "where", pw, theme_attr(THEME_HEADING));
    ui_put(w, 1, 2 + nw + 1 + pw + 1, "quiz", qw, theme_attr(THEME_HEADING));
    ui_put(w, 1, 2 + nw + 1 + pw + 1 + qw + 1, "seen", sw, theme_attr(THEME_HEADING));
    if (n == 0) {
        ui_put(w, 3, 2, "nobody has joined yet", W - 4, theme_attr(THEME_NOTE));
        return;
    }
    int rows = h - 3;
    if (d->stud_scroll > (int)n - rows) d->stud_scroll = (int)n - rows;
    if (d->stud_scroll < 0) d->stud_scroll = 0;
    for (int r = 0; r < rows && (size_t)(r + d->stud_scroll) < n; r++) {
        json_t *s = json_array_get(st, (size_t)(r + d->stud_scroll));
        int y = 2 + r, x = 2;
        ui_put(w, y, x, str(s, "name"), nw, theme_attr(THEME_NORMAL));
        x += nw + 1;
        char where[300];
        const char *les = str(s, "lesson"), *step = str(s, "step"), *ti = str(s, "title");
        if (!*les)
            snprintf(where, sizeof where, "-");
        else if (pw < 32) /* narrow: the lesson and the step, not the step's title */
            snprintf(where, sizeof where, "%s%s%s", les, *step ? " · " : "", step);
        else
            snprintf(where, sizeof where, "%s%s%s%s%s", les, *step ? " · " : "", step,
                     *ti ? " · " : "", ti);
        ui_put(w, y, x, where, pw, theme_attr(*les ? THEME_NORMAL : THEME_DIM));
        x += pw + 1;
        json_t *q = json_object_get(s, "quiz");
        long ans = num(q, "answered"), ok = num(q, "correct");
        char qs[32];
        snprintf(qs, sizeof qs, "%ld/%ld", ok, ans);
        ui_put(w, y, x, ans ? qs : "-", qw,
               theme_attr(!ans           ? THEME_DIM
                          : ok * 2 < ans ? THEME_BAD
                                         : THEME_OK));
        x += qw + 1;
        char seen[48] = "-";
        json_t *ls = json_object_get(s, "last_seen");
        if (json_is_integer(ls))
            timefmt_relative((int64_t)json_integer_value(ls), now, seen, sizeof seen);
        ui_put(w, y, x, seen, sw, theme_attr(THEME_DIM));
    }
}

/* Two rows under a question: its text, then per option "N: count" (✓ on the right ones). */
static void draw_question_detail(WINDOW *w, int y, int W, json_t *q)
{
    const char *text = str(q, "text");
    if (text[0]) ui_put_fit(w, y, 4, text, W - 6, theme_attr(THEME_DIM));
    json_t *opts = json_object_get(q, "options");
    char line[400] = "";
    size_t o = 0;
    for (size_t k = 0; k < json_array_size(opts) && o < sizeof line - 40; k++) {
        json_t *op = json_array_get(opts, k);
        o += (size_t)snprintf(line + o, sizeof line - o, "%s%zu%s: %ld", k ? "   " : "chose  ",
                              k + 1,
                              json_is_true(json_object_get(op, "correct")) ? ui_sym(SYM_CHECK) : "",
                              num(op, "chosen"));
    }
    if (line[0]) ui_put_fit(w, y + 1, 4, line, W - 6, theme_attr(THEME_NORMAL));
}

static void draw_questions(dash *d, WINDOW *w)
{
    int h, W;
    getmaxyx(w, h, W);
    ui_box(w, THEME_BORDER,
           W >= 50 ? "Quiz results per question (most wrong first)" : "Quizzes, most wrong first",
           false);
    json_t *qs = d->state ? json_object_get(d->state, "questions") : NULL;
    size_t n = json_array_size(qs);
    if (n == 0) {
        ui_put(w, 1, 2, "no answers yet", W - 4, theme_attr(THEME_NOTE));
        return;
    }
    /* the question id matters more than the bar: a narrow pane shrinks the bar, then drops the
     * lesson prefix ("api-auth/q-api-login" → "q-api-login") and " right" */
    int barw = W >= 60 ? 10 : 4, idw = W - 4 - 2 - barw - 1 - (W >= 50 ? 13 : 7);
    if (idw < 6) idw = 6;
    /* with room, each question also shows its text and how many chose each option (the server
     * reads both from its own copy of the course) */
    int per = h - 2 >= (int)n * 3 ? 3 : 1;
    for (size_t i = 0; i < n && 1 + (int)i * per < h - 1; i++) {
        json_t *q = json_array_get(qs, i);
        long right = num(q, "right"), wrong = num(q, "wrong"), ans = num(q, "answered");
        bool bad = ans > 0 && wrong * 2 >= ans; /* half the room or more got it wrong */
        int y = 1 + (int)i * per, x = 2;
        if (per == 3) draw_question_detail(w, y + 1, W, q);
        ui_put(w, y, x, bad ? "!" : " ", 1, theme_attr(THEME_BAD));
        x += 2;
        const char *id = str(q, "id"), *slash = strchr(id, '/');
        if (slash && ui_width(id) > idw) id = slash + 1;
        ui_put(w, y, x, id, idw, theme_attr(bad ? THEME_BAD : THEME_NORMAL));
        x += idw + 1;
        int full = ans ? (int)(right * barw / ans) : 0;
        for (int b = 0; b < barw; b++)
            ui_put(w, y, x + b, ui_sym(b < full ? SYM_BAR_FULL : SYM_BAR_EMPTY), 1,
                   theme_attr(b < full ? THEME_OK
                              : bad    ? THEME_BAD
                                       : THEME_DIM));
        x += barw + 1;
        char t[48];
        snprintf(t, sizeof t, W >= 50 ? "%ld/%ld right" : "%ld/%ld", right, ans);
        ui_put(w, y, x, t, W - x - 1, theme_attr(bad ? THEME_BAD : THEME_NORMAL));
    }
}

static void draw_feed(dash *d, WINDOW *w)
{
    int h, W;
    getmaxyx(w, h, W);
    ui_box(w, THEME_BORDER, d->sse_up ? "Room events (live)" : "Room events (reconnecting…)",
           false);
    int rows = h - 2;
    size_t show = d->feed_n < (size_t)rows ? d->feed_n : (size_t)rows;
    for (size_t i = 0; i < show; i++) { /* newest at the bottom */
        size_t idx = (d->feed_head + FEED_MAX - show + i) % FEED_MAX;
        feed_line *f = &d->feed[idx];
        int y = 1 + (int)i, x = 2;
        char t[16];
        timefmt_utc_time(f->time, t, sizeof t);
        t[8] = '\0';
        x += ui_put(w, y, x, t, 8, theme_attr(THEME_DIM)) + 1;
        bool refused = strcmp(f->kind, "refused") == 0;
        theme_elem el = refused                          ? THEME_BAD
                        : strcmp(f->kind, "issued") == 0 ? THEME_OK
                                                         : THEME_NOTE;
        char k[24];
        snprintf(k, sizeof k, "%-8s", f->kind);
        x += ui_put(w, y, x, k, 8, theme_attr(el)) + 1;
        char ep[32];
        snprintf(ep, sizeof ep, "%-14.14s", f->endpoint);
        x += ui_put(w, y, x, ep, 14, theme_attr(THEME_CODE)) + 1;
        ui_put(w, y, x, f->text, W - x - 1, theme_attr(refused ? THEME_BAD : THEME_NORMAL));
    }
    if (!d->feed_n)
        ui_put(w, 1, 2, "quiet so far: refusals (the teachable moments) show up here in red", W - 4,
               theme_attr(THEME_NOTE));
}

static void draw_labs(dash *d, int H, int W)
{
    int h = d->nlabs + 6, w = 60;
    if (h > H - 2) h = H - 2;
    if (w > W - 2) w = W - 2;
    WINDOW *o = newwin(h, w, (H - h) / 2, (W - w) / 2);
    if (!o) return;
    wbkgdset(o, ' ' | theme_attr(THEME_NORMAL));
    werase(o);
    ui_box(o, THEME_BORDER_FOCUS, "Lab switches for the whole room", true);
    for (int i = 0; i < d->nlabs && i < h - 5; i++) {
        char line[80];
        snprintf(line, sizeof line, " %s %-32s %s ", i == d->lab_sel ? ui_sym(SYM_ARROW_R) : " ",
                 d->lab_names[i], d->lab_on[i] ? "ON " : "off");
        ui_put(o, 1 + i, 2, line, w - 4,
               theme_attr(i == d->lab_sel ? THEME_SELECTED
                          : d->lab_on[i]  ? THEME_WARN
                                          : THEME_NORMAL));
    }
    if (d->nlabs == 0)
        ui_put(o, 1, 2, "(the server lists no lab switches)", w - 4, theme_attr(THEME_NOTE));
    char q[160];
    if (d->confirm >= 0 && d->confirm < d->nlabs)
        snprintf(q, sizeof q, "Turn %s %s for everyone? y / n", d->lab_names[d->confirm],
                 d->lab_on[d->confirm] ? "OFF" : "ON");
    else
        snprintf(q, sizeof q, "Enter flips the switch · Esc closes");
    ui_put(o, h - 2, 2, q, w - 4, theme_attr(d->confirm >= 0 ? THEME_WARN : THEME_NOTE));
    wnoutrefresh(o);
    delwin(o);
}

static void draw(dash *d)
{
    int H, W;
    getmaxyx(stdscr, H, W);
    werase(stdscr);
    if (W < MIN_COLS || H < MIN_ROWS) {
        char m[96];
        snprintf(m, sizeof m, "terminal too small (need %dx%d); q quits", MIN_COLS, MIN_ROWS);
        ui_put(stdscr, 0, 0, m, W, theme_attr(THEME_WARN));
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    wnoutrefresh(stdscr);
    /* header */
    WINDOW *hw = newwin(1, W, 0, 0);
    if (hw) {
        wbkgdset(hw, ' ' | theme_attr(THEME_HEADER));
        werase(hw);
        int x = ui_put(hw, 0, 0, " tokenlab class ", W, theme_attr(THEME_HEADER_ACCENT));
        char mid[1400];
        const char *code = d->state ? str(d->state, "code") : "";
        snprintf(mid, sizeof mid, " join code %s · %zu joined · %s", *code ? code : "?",
                 d->state ? json_array_size(json_object_get(d->state, "students")) : 0, d->base);
        x += ui_put(hw, 0, x, mid, W - x - 9, theme_attr(THEME_HEADER));
        char on[300] = "";
        size_t o = 0;
        for (int i = 0; i < d->nlabs && o < sizeof on; i++) /* what the room's server does now */
            if (d->lab_on[i])
                o += (size_t)snprintf(on + o, sizeof on - o, "%s%s",
                                      o ? ", " : " · labs on: ", d->lab_names[i]);
        if (on[0] && x < W - 9) ui_put(hw, 0, x, on, W - x - 9, theme_attr(THEME_WARN));
        bool up = d->state && !d->problem[0];
        ui_put(hw, 0, W - 8, ui_sym(SYM_DOT), 2,
               theme_attr(up ? THEME_STATUS_UP : THEME_STATUS_DOWN));
        ui_put(hw, 0, W - 6, up ? "up" : "down", 5, theme_attr(THEME_HEADER));
        wnoutrefresh(hw);
        delwin(hw);
    }
    int body = H - 2, top = body * 3 / 5, lw = W * 11 / 20;
    WINDOW *sw = newwin(top, lw, 1, 0), *qw = newwin(top, W - lw, 1, lw),
           *fw = newwin(body - top, W, 1 + top, 0);
    if (sw && qw && fw) {
        WINDOW *ws[3] = {sw, qw, fw};
        for (int i = 0; i < 3; i++) {
            wbkgdset(ws[i], ' ' | theme_attr(THEME_NORMAL));
            werase(ws[i]);
        }
        draw_students(d, sw);
        draw_questions(d, qw);
        draw_feed(d, fw);
        for (int i = 0; i < 3; i++) wnoutrefresh(ws[i]);
    }
    if (sw) delwin(sw);
    if (qw) delwin(qw);
    if (fw) delwin(fw);
    /* footer */
    WINDOW *f = newwin(1, W, H - 1, 0);
    if (f) {
        wbkgdset(f, ' ' | theme_attr(THEME_FOOTER));
        werase(f);
        if (d->flash[0] && now_s() < d->flash_until)
            ui_put(f, 0, 1, d->flash, W - 2, theme_attr(THEME_FOOTER));
        else if (d->problem[0])
            ui_put(f, 0, 1, d->problem, W - 2, theme_attr(THEME_BAD));
        else
            ui_put(f, 0, 1, "L lab switches   Up/Down students   q quit", W - 2,
                   theme_attr(THEME_FOOTER));
        wnoutrefresh(f);
        delwin(f);
    }
    if (d->labs_open) draw_labs(d, H, W);
    doupdate();
}

/* ---------- keys ---------- */

static void key(dash *d, int k)
{
    d->dirty = true;
    if (d->labs_open) {
        if (d->confirm >= 0) {
            if (k == 'y' || k == 'Y') {
                flip_lab(d, d->confirm);
                dash_flash(d, "asking the server…");
                d->labs_open = false; /* the feed shows the server's word on it */
            }
            d->confirm = -1; /* anything else: no */
            return;
        }
        if (k == TK_ESC || k == 'L' || k == 'l' || k == 'q')
            d->labs_open = false;
        else if ((k == (TK_FN | KEY_UP) || k == 'k') && d->lab_sel > 0)
            d->lab_sel--;
        else if ((k == (TK_FN | KEY_DOWN) || k == 'j') && d->lab_sel + 1 < d->nlabs)
            d->lab_sel++;
        else if ((k == '\n' || k == '\r' || k == (TK_FN | KEY_ENTER) || k == ' ') && d->nlabs)
            d->confirm = d->lab_sel;
        return;
    }
    if (k == 'q' || k == TK_CTRL('c'))
        d->quit = true;
    else if (k == 'L' || k == 'l') {
        d->labs_open = true;
        d->confirm = -1;
    } else if (k == (TK_FN | KEY_UP) || k == 'k')
        d->stud_scroll--;
    else if (k == (TK_FN | KEY_DOWN) || k == 'j')
        d->stud_scroll++;
    else if (k == (TK_FN | KEY_PPAGE))
        d->stud_scroll -= 10;
    else if (k == (TK_FN | KEY_NPAGE))
        d->stud_scroll += 10;
}

/* ---------- main ---------- */

int tui_class_dashboard(const char *server_url, const char *key_s)
{
    dash *d = calloc(1, sizeof *d);
    if (!d) return 3;
    size_t bl = strlen(server_url);
    while (bl && server_url[bl - 1] == '/') bl--;
    if (bl >= sizeof d->base - 32 || strlen(key_s) > 300) {
        fprintf(stderr, "tokenlab class: the server URL or key is too long\n");
        free(d);
        return 2;
    }
    memcpy(d->base, server_url, bl);
    snprintf(d->auth, sizeof d->auth, "Bearer %s", key_s);
    d->confirm = -1;
    d->http = http_client_new();
    if (!d->http) {
        free(d);
        return 3;
    }
    /* first contact before the screen changes: a wrong key or a dead server is a plain message */
    http_request *r = request(d, "GET", "/class/state");
    tl_err e = {0};
    http_exchange *x = r ? http_send_wait(d->http, r, &e) : NULL;
    http_request_free(r);
    char why[TL_ERR_MSG_MAX + 100];
    int rc = 0;
    if (!x) {
        fprintf(stderr, "tokenlab class: %s\n", e.msg[0] ? e.msg : "out of memory");
        rc = 3;
    } else if (!answer_ok(x, why, sizeof why)) {
        fprintf(stderr, "tokenlab class: %s\n", why);
        rc = x->state == HTTP_DONE && (x->status == 401 || x->status == 403) ? 1 : 3;
    } else {
        d->state = json_incref(x->json);
        read_labs(d);
    }
    if (x) http_exchange_unref(x);
    if (rc) {
        http_client_free(d->http);
        free(d);
        return rc;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "tokenlab class: the dashboard needs a terminal (tokenlab class export "
                        "writes the results in a pipe)\n");
        json_decref(d->state);
        http_client_free(d->http);
        free(d);
        return 2;
    }
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    ui_set_ascii(!(cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0)));
    const char *term = getenv("TERM");
    SCREEN *scr = newterm(term && *term ? term : "xterm", stdout, stdin);
    if (!scr) {
        fprintf(stderr, "tokenlab class: cannot use terminal type '%s'\n", term ? term : "");
        json_decref(d->state);
        http_client_free(d->http);
        free(d);
        return 3;
    }
    set_term(scr);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    const char *nc = getenv("NO_COLOR");
    theme_apply(nc && *nc ? THEME_ID_MONO : THEME_ID_HIGH_CONTRAST); /* a projector, again */
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    signal(SIGPIPE, SIG_IGN);
    g_stop = 0;

    open_sse(d);
    d->next_poll = now_s() + POLL_MS / 1000.0;
    d->dirty = true;
    double last_draw = 0;
    int silent = 0;
    while (!d->quit && !g_stop) {
        struct curl_waitfd in = {.fd = STDIN_FILENO, .events = CURL_WAIT_POLLIN};
        int ready = http_poll(d->http, &in, 1, 200);
        double t = now_s();
        if (t >= d->next_poll) poll_state(d);
        if (!d->sse_id && d->sse_retry && t >= d->sse_retry) {
            d->sse_retry = 0;
            open_sse(d);
        }
        int n = 0;
        wint_t wc;
        int got;
        while ((got = wget_wch(stdscr, &wc)) != ERR && n < 256) {
            n++;
            int k = got == KEY_CODE_YES ? (int)(TK_FN | (int)wc) : (int)wc;
            if (k == (TK_FN | KEY_RESIZE)) {
                d->dirty = true;
                continue;
            }
            key(d, k);
        }
        silent = ready > 0 && (in.revents & CURL_WAIT_POLLIN) && n == 0 ? silent + 1 : 0;
        if (silent > 200) d->quit = true; /* the terminal is gone */
        if (d->dirty || t - last_draw >= 1.0) {
            draw(d);
            d->dirty = false;
            last_draw = t;
        }
    }
    endwin();
    delscreen(scr);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    http_client_free(d->http);
    json_decref(d->state);
    free(d);
    return 0;
}
