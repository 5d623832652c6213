/* SPDX-License-Identifier: MIT */
#include "tui/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/utf8.h"
#include "base/xalloc.h"

typedef struct doc_line {
    char *t;
    unsigned char *el;
    size_t len, cap;
    int hang;    /* continuation rows start this many columns in */
    bool nowrap; /* one row, clipped: code keeps its tokens whole and scrolls sideways */
} doc_line;

struct doc {
    doc_line *l;
    size_t n, cap;
    int hscroll; /* columns the nowrap lines are scrolled left, after their hang */
};

static bool g_ascii;

doc *doc_new(void)
{
    doc *d = xcalloc(1, sizeof *d);
    doc_clear(d);
    return d;
}

void doc_free(doc *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->cap; i++) {
        free(d->l[i].t);
        free(d->l[i].el);
    }
    free(d->l);
    free(d);
}

void doc_clear(doc *d)
{
    for (size_t i = 0; i < d->n; i++) d->l[i].len = 0;
    d->n = 0;
    doc_nl(d);
}

void doc_nl(doc *d)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 32;
        d->l = xrealloc(d->l, nc * sizeof *d->l);
        memset(d->l + d->cap, 0, (nc - d->cap) * sizeof *d->l);
        d->cap = nc;
    }
    d->l[d->n].hang = 0;
    d->l[d->n].nowrap = false;
    d->l[d->n++].len = 0;
}

void doc_hang(doc *d, int cols)
{
    d->l[d->n - 1].hang = cols < 0 ? 0 : cols;
}

void doc_nowrap(doc *d)
{
    doc_line *ln = &d->l[d->n - 1];
    ln->nowrap = true;
    ln->hang = doc_cur_width(d); /* what is already there (indentation) does not scroll */
}

void doc_set_hscroll(doc *d, int cols)
{
    d->hscroll = cols < 0 ? 0 : cols;
}

static int line_width(const doc_line *ln);

int doc_nowrap_overflow(const doc *d, int width)
{
    int over = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->l[i].nowrap && line_width(&d->l[i]) - width > over)
            over = line_width(&d->l[i]) - width;
    return over;
}

void doc_putn(doc *d, theme_elem el, const char *s, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) : n;
        doc_line *ln = &d->l[d->n - 1];
        if (ln->len + k > ln->cap) {
            size_t nc = ln->cap ? ln->cap : 64;
            while (nc < ln->len + k) nc *= 2;
            ln->t = xrealloc(ln->t, nc);
            ln->el = xrealloc(ln->el, nc);
            ln->cap = nc;
        }
        if (k) { /* s may be NULL when n is 0: memcpy(…, NULL, 0) is still undefined */
            memcpy(ln->t + ln->len, s, k);
            memset(ln->el + ln->len, (int)el, k);
            ln->len += k;
        }
        if (!nl) break;
        doc_nl(d);
        s += k + 1;
        n -= k + 1;
    }
}

void doc_put(doc *d, theme_elem el, const char *s)
{
    doc_putn(d, el, s, strlen(s));
}

void doc_printf(doc *d, theme_elem el, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof buf) {
        doc_putn(d, el, buf, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    doc_putn(d, el, big, (size_t)n);
    free(big);
}

static size_t doc_cp(const unsigned char *s, size_t n, long *cp);
static int cp_width(long cp);

int doc_cur_width(const doc *d)
{
    return line_width(&d->l[d->n - 1]);
}

static int line_width(const doc_line *ln)
{
    const unsigned char *t = (const unsigned char *)ln->t;
    int w = 0;
    for (size_t i = 0; i < ln->len;) {
        long cp;
        i += doc_cp(t + i, ln->len - i, &cp);
        w += cp_width(cp);
    }
    return w;
}

void doc_put_fit(doc *d, theme_elem el, const char *s, int cols)
{
    if (cols <= 0) return;
    if (ui_width(s) <= cols) {
        doc_put(d, el, s);
        return;
    }
    const char *ell = ui_sym(SYM_ELLIPSIS);
    int budget = cols - ui_width(ell), w = 0;
    const unsigned char *t = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        long cp;
        size_t k = doc_cp(t + i, n - i, &cp);
        if (w + cp_width(cp) > budget) break;
        w += cp_width(cp);
        i += k;
    }
    doc_putn(d, el, s, i);
    if (budget >= 0) doc_put(d, el, ell);
}

size_t doc_line_count(const doc *d)
{
    return d->n;
}

/* Decodes one UTF-8 character at s[0..n) (base/utf8.h); returns its byte length (>= 1) and its
 * code point, or -1 for an invalid sequence (which then counts as one byte). */
static size_t doc_cp(const unsigned char *s, size_t n, long *cp)
{
    unsigned u;
    size_t len = utf8_next(s, n, &u);
    *cp = len ? (long)u : -1;
    return len ? len : 1;
}

/* Columns a code point takes on screen; control and zero-width characters are drawn as '?'. */
static int cp_width(long cp)
{
    if (cp < 0x20 || cp == 0x7F || cp < 0) return 1;
    if (cp < 0x7F) return 1;
    if (g_ascii) return 1;
    int w = wcwidth((wchar_t)cp);
    return w == 2 ? 2 : 1;
}

static bool cp_printable(long cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return false;
    if (cp >= 0x80 && (g_ascii || wcwidth((wchar_t)cp) <= 0)) return false;
    return true;
}

int ui_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int w = 0;
    while (n > 0) {
        long cp;
        size_t k = doc_cp(p, n, &cp);
        w += cp_width(cp);
        p += k;
        n -= k;
    }
    return w;
}

/* In ASCII mode, the few non-ASCII characters our own text uses get a one-column stand-in. */
static int ascii_for(long cp)
{
    static const struct {
        long cp;
        char c;
    } map[] = {{0xB7, '-'},    {0x2026, '.'},  {0x2192, '>'}, {0x2190, '<'}, {0xD7, 'x'},
               {0x2022, '*'},  {0x2713, '+'},  {0x2717, 'x'}, {0x2013, '-'}, {0x2014, '-'},
               {0x2018, '\''}, {0x2019, '\''}, {0x201C, '"'}, {0x201D, '"'}, {0xA7, 'S'},
               {0x25CF, '*'},  {0x2502, '|'},  {0x2500, '-'}, {0x2588, '#'}, {0x2591, '.'}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].cp == cp) return map[i].c;
    return '?';
}

static void put_char(WINDOW *w, int y, int x, const unsigned char *p, size_t k, long cp, attr_t a)
{
    wattrset(w, a);
    if (cp_printable(cp) && k < 8) {
        char one[8]; /* curses may look past n bytes: hand it a terminated copy */
        memcpy(one, p, k);
        one[k] = '\0';
        mvwaddstr(w, y, x, one);
    } else if (g_ascii && cp >= 0x80) {
        mvwaddch(w, y, x, (chtype)ascii_for(cp));
    } else {
        mvwaddch(w, y, x, cp == '\t' ? ' ' : '?');
    }
}

int ui_put(WINDOW *w, int y, int x, const char *s, int maxw, attr_t attr)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int col = 0;
    while (n > 0) {
        long cp;
        size_t k = doc_cp(p, n, &cp);
        int cw = cp_width(cp);
        if (col + cw > maxw) break;
        put_char(w, y, x + col, p, k, cp, attr);
        col += cw;
        p += k;
        n -= k;
    }
    return col;
}

int ui_put_fit(WINDOW *w, int y, int x, const char *s, int maxw, attr_t attr)
{
    if (maxw <= 0) return 0;
    if (ui_width(s) <= maxw) return ui_put(w, y, x, s, maxw, attr);
    const char *ell = ui_sym(SYM_ELLIPSIS);
    int n = ui_put(w, y, x, s, maxw - ui_width(ell), attr);
    return n + ui_put(w, y, x + n, ell, maxw - n, attr);
}

/* Splits a line into rows of at most `width` columns, breaking after the last space when there is
 * one in the row; continuation rows are `hang` columns narrower (drawn indented). Calls
 * fn(start, end, indent) for each row; returns the number of rows (>= 1). */
typedef void (*row_fn)(void *ud, size_t start, size_t end, int indent);

static int wrap_line(const doc_line *ln, int width, row_fn fn, void *ud)
{
    if (width < 1) width = 1;
    if (ln->nowrap) {
        if (fn) fn(ud, 0, ln->len, 0);
        return 1;
    }
    int hang = ln->hang > 0 && width - ln->hang >= 12 ? ln->hang : 0;
    const unsigned char *t = (const unsigned char *)ln->t;
    size_t start = 0, i = 0, last_space = 0;
    bool text = false; /* a non-space in this row: the indentation before it is no break point */
    int col = 0, rows = 0, room = width;
    while (i < ln->len) {
        long cp;
        size_t k = doc_cp(t + i, ln->len - i, &cp);
        int cw = cp_width(cp);
        if (col + cw > room && i > start) {
            size_t brk = (last_space > start) ? last_space : i;
            if (fn) fn(ud, start, brk, rows ? hang : 0);
            rows++;
            room = width - hang;
            start = brk;
            while (start < ln->len && t[start] == ' ') start++; /* no row starts with a space */
            if (start > i) i = start;
            /* re-measure the carried-over part, then look at the character at i again */
            col = 0;
            last_space = 0;
            text = start < i;
            for (size_t j = start; j < i;) {
                long c2;
                j += doc_cp(t + j, ln->len - j, &c2);
                col += cp_width(c2);
            }
            continue;
        }
        col += cw;
        i += k;
        if (cp != ' ')
            text = true;
        else if (text)
            last_space = i;
    }
    if (rows > 0 && start >= ln->len) return rows; /* only spaces were left after a break */
    if (fn) fn(ud, start, ln->len, rows ? hang : 0);
    return rows + 1;
}

int doc_rows(const doc *d, int width)
{
    int rows = 0;
    for (size_t i = 0; i < d->n; i++) rows += wrap_line(&d->l[i], width, NULL, NULL);
    return rows;
}

int doc_line_row(const doc *d, size_t line, int width)
{
    int rows = 0;
    for (size_t i = 0; i < d->n && i < line; i++) rows += wrap_line(&d->l[i], width, NULL, NULL);
    return rows;
}

typedef struct draw_ctx {
    const doc_line *ln;
    WINDOW *w;
    int y, x, h, width, scroll, row, hscroll;
    bool hl;
} draw_ctx;

/* A nowrap row: its hang (indentation) stays, the rest is shifted by hscroll; an arrow at an edge
 * says more is there. */
static void draw_nowrap(draw_ctx *c, int y)
{
    const unsigned char *t = (const unsigned char *)c->ln->t;
    int col = 0, skip = c->hscroll, hang = c->ln->hang;
    bool cut_left = false, cut_right = false;
    for (size_t i = 0; i < c->ln->len;) {
        long cp;
        size_t k = doc_cp(t + i, c->ln->len - i, &cp);
        int cw = cp_width(cp);
        if (col >= hang && skip > 0) {
            skip -= cw;
            cut_left = true;
            i += k;
            continue;
        }
        if (col + cw > c->width) {
            cut_right = true;
            break;
        }
        attr_t a = c->hl ? theme_attr(THEME_SELECTED) : theme_attr((theme_elem)c->ln->el[i]);
        put_char(c->w, y, c->x + col, t + i, k, cp, a);
        col += cw;
        i += k;
    }
    const char *l = ui_ascii() ? "<" : "←", *r = ui_ascii() ? ">" : "→";
    if (cut_left && hang < c->width) ui_put(c->w, y, c->x + hang, l, 1, theme_attr(THEME_NOTE));
    if (cut_right) ui_put(c->w, y, c->x + c->width - 1, r, 1, theme_attr(THEME_NOTE));
}

static void draw_row(void *ud, size_t start, size_t end, int indent)
{
    draw_ctx *c = ud;
    int r = c->row++;
    if (r < c->scroll || r >= c->scroll + c->h) return;
    int y = c->y + r - c->scroll;
    const unsigned char *t = (const unsigned char *)c->ln->t;
    int col = 0;
    if (c->hl) {
        wattrset(c->w, theme_attr(THEME_SELECTED));
        mvwhline(c->w, y, c->x, ' ', c->width);
    }
    if (c->ln->nowrap) {
        draw_nowrap(c, y);
        return;
    }
    size_t i = start;
    col = indent;
    while (i < end) {
        long cp;
        size_t k = doc_cp(t + i, c->ln->len - i, &cp);
        int cw = cp_width(cp);
        if (col + cw > c->width) break;
        attr_t a = c->hl ? theme_attr(THEME_SELECTED) : theme_attr((theme_elem)c->ln->el[i]);
        put_char(c->w, y, c->x + col, t + i, k, cp, a);
        col += cw;
        i += k;
    }
}

void doc_draw(const doc *d, WINDOW *w, int y, int x, int h, int width, int scroll, long hl_line)
{
    draw_ctx c = {
        .w = w, .y = y, .x = x, .h = h, .width = width, .scroll = scroll, .hscroll = d->hscroll};
    for (size_t i = 0; i < d->n && c.row < scroll + h; i++) {
        c.ln = &d->l[i];
        c.hl = (long)i == hl_line;
        int before = c.row;
        /* skip whole lines above the scroll position cheaply */
        if (before < scroll) {
            int n = wrap_line(c.ln, width, NULL, NULL);
            if (before + n <= scroll) {
                c.row += n;
                continue;
            }
        }
        wrap_line(c.ln, width, draw_row, &c);
    }
    wattrset(w, A_NORMAL);
}

void doc_draw_lines(const doc *d, WINDOW *w, int y, int x, int h, int width, int first,
                    long hl_line)
{
    draw_ctx c = {.w = w, .y = y, .x = x, .h = h, .width = width, .scroll = 0};
    for (int r = 0; r < h && first + r < (int)d->n; r++) {
        c.ln = &d->l[first + r];
        c.hl = (long)(first + r) == hl_line;
        c.row = r;
        c.scroll = 0;
        draw_row(&c, 0, c.ln->len, 0);
    }
    wattrset(w, A_NORMAL);
}

static const char *const g_sym_utf8[SYM_COUNT] = {
    [SYM_ARROW_R] = "→",     [SYM_ARROW_L] = "←",  [SYM_DOT] = "●",       [SYM_BAR_FULL] = "█",
    [SYM_BAR_EMPTY] = "░",   [SYM_CHECK] = "✓",    [SYM_CROSS] = "✗",     [SYM_ELLIPSIS] = "…",
    [SYM_BULLET] = "•",      [SYM_HLINE] = "─",    [SYM_VLINE] = "│",     [SYM_RADIO_ON] = "(•)",
    [SYM_RADIO_OFF] = "( )", [SYM_BOX_ON] = "[x]", [SYM_BOX_OFF] = "[ ]", [SYM_TIMES] = "×",
    [SYM_ARROW_DOWN] = "↓",
};
static const char *const g_sym_ascii[SYM_COUNT] = {
    [SYM_ARROW_R] = ">",     [SYM_ARROW_L] = "<",  [SYM_DOT] = "*",       [SYM_BAR_FULL] = "#",
    [SYM_BAR_EMPTY] = ".",   [SYM_CHECK] = "+",    [SYM_CROSS] = "x",     [SYM_ELLIPSIS] = "...",
    [SYM_BULLET] = "*",      [SYM_HLINE] = "-",    [SYM_VLINE] = "|",     [SYM_RADIO_ON] = "(*)",
    [SYM_RADIO_OFF] = "( )", [SYM_BOX_ON] = "[x]", [SYM_BOX_OFF] = "[ ]", [SYM_TIMES] = "x",
    [SYM_ARROW_DOWN] = "v",
};

const char *ui_sym(ui_symbol s)
{
    return g_ascii ? g_sym_ascii[s] : g_sym_utf8[s];
}

void ui_set_ascii(bool ascii)
{
    g_ascii = ascii;
}

bool ui_ascii(void)
{
    return g_ascii;
}

void ui_hline(WINDOW *w, int y, int x, int n, attr_t attr)
{
    for (int i = 0; i < n; i++) {
        wattrset(w, attr);
        mvwaddstr(w, y, x + i, ui_sym(SYM_HLINE));
    }
}

void ui_box(WINDOW *w, theme_elem el, const char *title, bool focused)
{
    int h, wd;
    getmaxyx(w, h, wd);
    if (h < 2 || wd < 2) return;
    attr_t a = theme_attr(focused ? THEME_BORDER_FOCUS : el);
    const char *tl = g_ascii ? "+" : (focused ? "┏" : "┌");
    const char *tr = g_ascii ? "+" : (focused ? "┓" : "┐");
    const char *bl = g_ascii ? "+" : (focused ? "┗" : "└");
    const char *br = g_ascii ? "+" : (focused ? "┛" : "┘");
    const char *hz = g_ascii ? (focused ? "=" : "-") : (focused ? "━" : "─");
    const char *vt = g_ascii ? "|" : (focused ? "┃" : "│");
    wattrset(w, a);
    for (int x = 1; x < wd - 1; x++) {
        mvwaddstr(w, 0, x, hz);
        mvwaddstr(w, h - 1, x, hz);
    }
    for (int y = 1; y < h - 1; y++) {
        mvwaddstr(w, y, 0, vt);
        mvwaddstr(w, y, wd - 1, vt);
    }
    mvwaddstr(w, 0, 0, tl);
    mvwaddstr(w, 0, wd - 1, tr);
    mvwaddstr(w, h - 1, 0, bl);
    /* at the screen's bottom-right corner this returns ERR (scrollok is off) but draws the cell */
    mvwaddstr(w, h - 1, wd - 1, br);
    if (title && wd > 6) {
        char buf[256];
        snprintf(buf, sizeof buf, " %s ", title);
        ui_put(w, 0, 2, buf, wd - 4, theme_attr(focused ? THEME_BORDER_FOCUS : THEME_TITLE));
    }
    wattrset(w, A_NORMAL);
}

bool doc_looks_like_jwt(const char *s)
{
    if (!s || strncmp(s, "eyJ", 3) != 0) return false;
    int dots = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (c == '.')
            dots++;
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_'))
            return false;
    }
    return (dots == 2 || dots == 4) && n >= 10;
}

static void put_indent(doc *d, int n)
{
    for (int i = 0; i < n; i++) doc_put(d, THEME_NORMAL, "  ");
}

static void put_scalar(doc *d, const json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY);
    theme_elem el = json_is_string(v)   ? THEME_JSON_STRING
                    : json_is_number(v) ? THEME_JSON_NUMBER
                                        : THEME_JSON_LITERAL;
    doc_put(d, el, s ? s : "?");
    free(s);
}

void doc_json(doc *d, const json_t *v, int indent)
{
    if (json_is_object(v)) {
        if (json_object_size(v) == 0) {
            doc_put(d, THEME_JSON_PUNCT, "{}");
            return;
        }
        doc_put(d, THEME_JSON_PUNCT, "{\n");
        const char *k;
        json_t *x;
        size_t i = 0, n = json_object_size(v);
        json_object_foreach((json_t *)v, k, x)
        {
            put_indent(d, indent + 1);
            json_t *ks = json_string(k);
            char *kq = ks ? json_dumps(ks, JSON_ENCODE_ANY) : NULL;
            doc_put(d, THEME_JSON_KEY, kq ? kq : k);
            free(kq);
            json_decref(ks);
            doc_put(d, THEME_JSON_PUNCT, ": ");
            doc_json(d, x, indent + 1);
            doc_put(d, THEME_JSON_PUNCT, ++i < n ? ",\n" : "\n");
        }
        put_indent(d, indent);
        doc_put(d, THEME_JSON_PUNCT, "}");
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        bool simple = n <= 8;
        for (size_t i = 0; i < n && simple; i++)
            if (json_is_object(json_array_get(v, i)) || json_is_array(json_array_get(v, i)))
                simple = false;
        if (simple) { /* short arrays of scalars on one line: ["a", "b"] */
            doc_put(d, THEME_JSON_PUNCT, "[");
            for (size_t i = 0; i < n; i++) {
                if (i) doc_put(d, THEME_JSON_PUNCT, ", ");
                put_scalar(d, json_array_get(v, i));
            }
            doc_put(d, THEME_JSON_PUNCT, "]");
            return;
        }
        doc_put(d, THEME_JSON_PUNCT, "[\n");
        for (size_t i = 0; i < n; i++) {
            put_indent(d, indent + 1);
            doc_json(d, json_array_get(v, i), indent + 1);
            doc_put(d, THEME_JSON_PUNCT, i + 1 < n ? ",\n" : "\n");
        }
        put_indent(d, indent);
        doc_put(d, THEME_JSON_PUNCT, "]");
    } else {
        put_scalar(d, v);
    }
}
