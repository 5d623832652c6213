/* SPDX-License-Identifier: MIT */
/* Flow diagrams are data (assets/flows/NAME.flow):
 *     title: TEXT
 *     actor ID NAME…                      (2 to 6 actors, left to right)
 *     step ID FROM -> TO: LABEL          (FROM == TO: something an actor does by itself)
 *     match METHOD PATH-PREFIX [k=v] -> STEP   (the trace moves the highlight)
 * Lines starting with '#' are comments. */
#include "tui/pane_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/assets.h"
#include "base/xalloc.h"
#include "tui/doc.h"

#define FLOW_ACTORS 6
#define FLOW_STEPS  32
#define FLOW_MATCH  16

static const char *const g_flow_names[] = {"jwt-login", "auth-code-pkce", "client-credentials",
                                           "refresh", "device"};
#define NFLOWS (sizeof g_flow_names / sizeof g_flow_names[0])

typedef struct flow_step {
    char id[32];
    int from, to;
    char label[160];
} flow_step;

typedef struct flow_match {
    char method[8], path[64], param[96], step[32];
} flow_match;

typedef struct flow {
    char name[32];
    char title[96];
    char actor_id[FLOW_ACTORS][16];
    char actor[FLOW_ACTORS][40];
    int nactors;
    flow_step step[FLOW_STEPS];
    int nsteps;
    flow_match match[FLOW_MATCH];
    int nmatch;
    char error[160];
} flow;

struct pane_flow {
    app *a;
    flow f[NFLOWS];
    int cur;
    int hl; /* highlighted step, -1 none */
    int scroll;
};

/* Copies with truncation (no format-truncation warnings for fixed fields). */
static void scopy(char *dst, size_t n, const char *src)
{
    size_t l = strnlen(src, n - 1);
    memcpy(dst, src, l);
    dst[l] = '\0';
}

static int actor_index(const flow *f, const char *id)
{
    for (int i = 0; i < f->nactors; i++)
        if (strcmp(f->actor_id[i], id) == 0) return i;
    return -1;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t')) s[--n] = '\0';
}

/* Parses one .flow text; errors end up in f->error as "flows/NAME.flow:LINE: message". */
static void flow_parse(flow *f, const char *name, const char *text)
{
    memset(f, 0, sizeof *f);
    scopy(f->name, sizeof f->name, name);
    int lineno = 0;
    const char *p = text;
    while (*p && !f->error[0]) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        p += n + (e ? 1 : 0);
        lineno++;
        trim(line);
        if (!line[0] || line[0] == '#') continue;
        char a[64], b[64], c[64];
        int off = 0;
        if (strncmp(line, "title:", 6) == 0) {
            scopy(f->title, sizeof f->title, line + 6 + strspn(line + 6, " "));
        } else if (sscanf(line, "actor %15s %n", a, &off) == 1 && off > 0) {
            if (f->nactors == FLOW_ACTORS) {
                snprintf(f->error, sizeof f->error, "flows/%s.flow:%d: more than %d actors", name,
                         lineno, FLOW_ACTORS);
                break;
            }
            scopy(f->actor_id[f->nactors], sizeof f->actor_id[0], a);
            scopy(f->actor[f->nactors], sizeof f->actor[0], line + off);
            f->nactors++;
        } else if (sscanf(line, "step %31s %63s -> %63[^:]:%n", a, b, c, &off) == 3 && off > 0) {
            trim(c);
            int from = actor_index(f, b), to = actor_index(f, c);
            if (from < 0 || to < 0 || f->nsteps == FLOW_STEPS) {
                snprintf(f->error, sizeof f->error, "flows/%s.flow:%d: unknown actor '%s'", name,
                         lineno, from < 0 ? b : c);
                break;
            }
            flow_step *s = &f->step[f->nsteps++];
            scopy(s->id, sizeof s->id, a);
            s->from = from;
            s->to = to;
            scopy(s->label, sizeof s->label, line + off + strspn(line + off, " "));
        } else if (strncmp(line, "match ", 6) == 0 && f->nmatch < FLOW_MATCH) {
            flow_match *m = &f->match[f->nmatch];
            char *arrow = strstr(line, "->");
            if (!arrow) goto bad;
            *arrow = '\0';
            scopy(m->step, sizeof m->step, arrow + 2 + strspn(arrow + 2, " "));
            m->param[0] = '\0';
            if (sscanf(line + 6, "%7s %63s %95s", m->method, m->path, m->param) < 2) goto bad;
            f->nmatch++;
        } else {
        bad:
            snprintf(f->error, sizeof f->error, "flows/%s.flow:%d: cannot read '%.60s'", name,
                     lineno, line);
        }
    }
    if (!f->error[0] && (f->nactors < 2 || f->nsteps < 1))
        snprintf(f->error, sizeof f->error, "flows/%s.flow: needs 2+ actors and a step", name);
}

pane_flow *pane_flow_new(app *a)
{
    pane_flow *p = xcalloc(1, sizeof *p);
    p->a = a;
    p->hl = -1;
    for (size_t i = 0; i < NFLOWS; i++) {
        char path[64], *text = NULL;
        size_t len = 0;
        tl_err e = {0};
        snprintf(path, sizeof path, "flows/%s.flow", g_flow_names[i]);
        if (assets_read(path, &text, &len, &e)) {
            flow_parse(&p->f[i], g_flow_names[i], text);
        } else {
            scopy(p->f[i].name, sizeof p->f[i].name, g_flow_names[i]);
            scopy(p->f[i].error, sizeof p->f[i].error, e.msg);
        }
        free(text);
    }
    return p;
}

void pane_flow_free(pane_flow *p)
{
    free(p);
}

bool pane_flow_select(pane_flow *p, const char *name)
{
    for (size_t i = 0; i < NFLOWS; i++) {
        if (name && strcmp(g_flow_names[i], name) == 0) {
            if ((int)i != p->cur) p->hl = -1;
            p->cur = (int)i;
            p->scroll = 0;
            app_dirty(p->a, PANE_FLOW);
            return true;
        }
    }
    return false;
}

const char *pane_flow_name(const pane_flow *p)
{
    return g_flow_names[p->cur];
}

void pane_flow_highlight(pane_flow *p, const char *step)
{
    const flow *f = &p->f[p->cur];
    p->hl = -1;
    for (int i = 0; step && i < f->nsteps; i++)
        if (strcmp(f->step[i].id, step) == 0) p->hl = i;
    app_dirty(p->a, PANE_FLOW);
}

static bool match_one(const flow_match *m, const char *method, const char *path, const char *form)
{
    if (strcmp(m->method, method) != 0 || strncmp(path, m->path, strlen(m->path)) != 0)
        return false;
    if (m->path[strlen(m->path) - 1] != '/') { /* exact path unless the pattern ends in '/' */
        size_t n = strlen(m->path);
        if (path[n] && path[n] != '?') return false;
    }
    return !m->param[0] || (form && strstr(form, m->param));
}

void pane_flow_follow(pane_flow *p, const char *method, const char *path, const char *form)
{
    if (!method || !path) return;
    /* the current diagram first, then any other that knows this request */
    for (size_t k = 0; k <= NFLOWS; k++) {
        int fi = k == 0 ? p->cur : (int)k - 1;
        const flow *f = &p->f[fi];
        for (int i = 0; i < f->nmatch; i++) {
            if (!match_one(&f->match[i], method, path, form)) continue;
            if (fi != p->cur) pane_flow_select(p, f->name);
            pane_flow_highlight(p, f->match[i].step);
            return;
        }
    }
}

int pane_flow_key(pane_flow *p, int key, tui_action act)
{
    (void)key;
    const flow *f = &p->f[p->cur];
    switch (act) {
    case ACT_NEXT_STEP:
        p->hl = p->hl + 1 < f->nsteps ? p->hl + 1 : f->nsteps - 1;
        break;
    case ACT_PREV_STEP:
        p->hl = p->hl > 0 ? p->hl - 1 : 0;
        break;
    case ACT_DOWN:
    case ACT_PGDN:
        p->cur = (p->cur + 1) % (int)NFLOWS, p->hl = -1, p->scroll = 0;
        break;
    case ACT_UP:
    case ACT_PGUP:
        p->cur = (p->cur + (int)NFLOWS - 1) % (int)NFLOWS, p->hl = -1, p->scroll = 0;
        break;
    default:
        return KEY_R_IGNORED;
    }
    app_dirty(p->a, PANE_FLOW);
    return KEY_R_HANDLED | KEY_R_REDRAW;
}

static void put_clipped(WINDOW *w, int y, int x, int maxx, const char *s, attr_t a)
{
    if (x < 1) x = 1;
    if (x >= maxx) return;
    ui_put(w, y, x, s, maxx - x, a);
}

#define LABEL_ROWS 3

/* Word-wraps `s` into at most `max` rows of `width` columns (the last one ends in an ellipsis when
 * cut); returns the number of rows. Rows are byte ranges of s. */
static int wrap_label(const char *s, int width, int max, const char **row, int *len)
{
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ') s++;
        const char *p = s, *brk = NULL;
        int w = 0;
        while (*p) {
            char one[8];
            int k = 1;
            while ((p[k] & 0xC0) == 0x80 && k < 7) k++;
            memcpy(one, p, (size_t)k);
            one[k] = '\0';
            int cw = ui_width(one);
            if (w + cw > width) break;
            if (*p == ' ') brk = p;
            w += cw;
            p += k;
        }
        if (*p && brk && brk > s) p = brk; /* break at the last space that fits */
        row[n] = s;
        len[n] = (int)(p - s);
        n++;
        s = p;
    }
    return n;
}

/* Where step i's label goes: from x = *lx, wrapped at *wrapw columns (continuation rows 3 further
 * in). Right of where the arrow starts; a self-step on a lifeline near the right edge writes to
 * its left instead, so its words are not squeezed into a sliver. */
static void label_box(const flow *f, int si, const int *col, int maxx, int *lx, int *wrapw)
{
    const flow_step *s = &f->step[si];
    int from = s->from < s->to ? s->from : s->to;
    *lx = col[from] + 2;
    int room = maxx - 1 - *lx;
    if (s->from == s->to && room < 24 && col[from] - 4 > room) {
        int left = col[from] - 2 - 2 > 36 ? 36 : col[from] - 2 - 2;
        *lx = col[from] - 2 - left;
        room = left;
    }
    *wrapw = room > 11 ? room - 3 : 8;
}

/* The rows of step i: its label rows, then the arrow. */
static int step_rows(const flow *f, int si, const int *col, int maxx)
{
    char lab[200];
    snprintf(lab, sizeof lab, "%d. %s", si + 1, f->step[si].label);
    int lx, wrapw;
    label_box(f, si, col, maxx, &lx, &wrapw);
    const char *row[LABEL_ROWS];
    int len[LABEL_ROWS];
    return wrap_label(lab, wrapw, LABEL_ROWS, row, len) + 1;
}

void pane_flow_draw(pane_flow *p, WINDOW *w, bool focused)
{
    int h, wd;
    getmaxyx(w, h, wd);
    werase(w);
    const flow *f = &p->f[p->cur];
    char title[128];
    snprintf(title, sizeof title, "Flow %d/%d: %s", p->cur + 1, (int)NFLOWS,
             f->title[0] ? f->title : f->name);
    ui_box(w, THEME_BORDER, title, focused);
    int maxx = wd - 1;
    if (f->error[0]) {
        put_clipped(w, 1, 2, maxx, f->error, theme_attr(THEME_BAD));
        return;
    }
    int n = f->nactors, left = 2, right = wd - 3;
    if (right - left < n * 4 || h < 6) {
        put_clipped(w, 1, 2, maxx, "(too narrow for this diagram)", theme_attr(THEME_NOTE));
        return;
    }
    /* lifelines from the width: equal spans, the last lifeline leaves room for the labels of the
     * steps that end on it (self-steps write to its right) */
    int col[FLOW_ACTORS];
    int span = (right - left) / n;
    for (int i = 0; i < n; i++) col[i] = left + span * i + span / 2;
    /* actor names centred over their lifelines, on two rows when one is too narrow
     * ("Learner (browser)" -> "Learner" / "(browser)") */
    int head = 1;
    for (int i = 0; i < n; i++) {
        const char *row[2];
        int len[2];
        if (wrap_label(f->actor[i], span - 1, 2, row, len) > 1) head = 2;
    }
    for (int i = 0; i < n; i++) {
        const char *row[2];
        int len[2];
        int k = wrap_label(f->actor[i], span - 1, 2, row, len);
        for (int r = 0; r < k; r++) {
            char nm[48];
            snprintf(nm, sizeof nm, "%.*s", len[r], row[r]);
            int x = col[i] - ui_width(nm) / 2;
            put_clipped(w, 1 + r + (head - k), x, maxx, nm, theme_attr(THEME_TITLE));
        }
    }
    /* each step: its label, wrapped in the room right of where it starts, then its arrow */
    int first[FLOW_STEPS + 1];
    first[0] = 0;
    for (int si = 0; si < f->nsteps; si++) first[si + 1] = first[si] + step_rows(f, si, col, maxx);
    int top = 1 + head, body = h - 1 - top, rows = first[f->nsteps];
    if (p->hl >= 0 && p->hl < f->nsteps) { /* keep the highlighted step in view */
        if (first[p->hl + 1] > p->scroll + body) p->scroll = first[p->hl + 1] - body;
        if (first[p->hl] < p->scroll) p->scroll = first[p->hl];
    }
    if (p->scroll > rows - body) p->scroll = rows - body;
    if (p->scroll < 0) p->scroll = 0;
    int shown_first = -1, shown_last = -1;
    for (int r = 0; r < body; r++) {
        int y = top + r, at = r + p->scroll;
        for (int i = 0; i < n; i++)
            put_clipped(w, y, col[i], maxx, ui_sym(SYM_VLINE), theme_attr(THEME_DIM));
        int si = 0;
        while (si < f->nsteps && first[si + 1] <= at) si++;
        if (si >= f->nsteps) continue;
        if (shown_first < 0) shown_first = si;
        shown_last = si;
        const flow_step *s = &f->step[si];
        bool hl = si == p->hl;
        attr_t a = theme_attr(hl ? THEME_ARROW_ACTIVE : THEME_ARROW);
        int x0 = col[s->from < s->to ? s->from : s->to],
            x1 = col[s->from > s->to ? s->from : s->to];
        int sub = at - first[si], nrows = first[si + 1] - first[si];
        if (sub < nrows - 1) { /* a label row */
            char lab[200];
            snprintf(lab, sizeof lab, "%d. %s", si + 1, s->label);
            int lx, wrapw;
            label_box(f, si, col, maxx, &lx, &wrapw);
            const char *row[LABEL_ROWS];
            int len[LABEL_ROWS];
            int k = wrap_label(lab, wrapw, LABEL_ROWS, row, len);
            if (sub < k) {
                char part[200];
                bool cut = sub == k - 1 && row[sub] + len[sub] < lab + strlen(lab);
                snprintf(part, sizeof part, "%.*s%s", len[sub], row[sub],
                         cut ? ui_sym(SYM_ELLIPSIS) : "");
                int px = lx + (sub ? 3 : 0); /* continuation rows under the text, not the number */
                put_clipped(w, y, px, maxx, part,
                            theme_attr(hl ? THEME_ARROW_ACTIVE : THEME_NORMAL));
            }
        } else if (s->from == s->to) { /* a self-step: back into its own lifeline */
            put_clipped(w, y, col[s->from], maxx, ui_ascii() ? "<-'" : "◀─┘", a);
        } else {
            for (int x = x0 + 1; x < x1; x++) put_clipped(w, y, x, maxx, ui_sym(SYM_HLINE), a);
            if (s->to > s->from)
                put_clipped(w, y, x1 - 1, maxx, ui_ascii() ? ">" : "▶", a);
            else
                put_clipped(w, y, x0 + 1, maxx, ui_ascii() ? "<" : "◀", a);
        }
    }
    if (rows > body && shown_first >= 0) {
        char pos[32];
        snprintf(pos, sizeof pos, " %d-%d/%d ", shown_first + 1, shown_last + 1, f->nsteps);
        put_clipped(w, h - 1, wd - 2 - ui_width(pos), maxx, pos, theme_attr(THEME_BORDER));
    }
}

static const flow *find_flow(const pane_flow *p, const char *name)
{
    for (size_t i = 0; i < NFLOWS; i++)
        if (name && strcmp(g_flow_names[i], name) == 0) return &p->f[i];
    return NULL;
}

const char *pane_flow_error(const pane_flow *p, const char *name)
{
    const flow *f = find_flow(p, name);
    if (!f) return "no such flow";
    return f->error[0] ? f->error : NULL;
}

size_t pane_flow_steps(const pane_flow *p, const char *name, const char **ids, size_t max)
{
    const flow *f = find_flow(p, name);
    size_t n = 0;
    for (int i = 0; f && i < f->nsteps && n + 1 < max; i++) ids[n++] = f->step[i].id;
    if (max) ids[n] = NULL;
    return n;
}
