/* SPDX-License-Identifier: MIT */
/* mdview — Markdown prose into a doc (see mdview.h). */
#include "tui/mdview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "lesson/md.h"

#define DEPTH_MAX 8
#define CELLS_MAX 256

typedef struct cell {
    char *text;
    bool head;
    int row;
} cell;

typedef struct view {
    doc *d;
    /* lists, outermost first: ordered or not, the next number */
    bool ordered[DEPTH_MAX];
    unsigned next[DEPTH_MAX];
    int depth;
    int quote;
    bool item_start; /* the next text starts a list item: its marker comes first */
    bool at_line_start;
    bool blank_before; /* a block ended: the next one starts after an empty line */
    bool in_code, in_heading;
    int heading;
    /* a table: its cells, laid out when it ends */
    bool in_table;
    cell cells[CELLS_MAX];
    int ncells, row;
    char *cur;
    size_t cur_len;
} view;

static int indent_of(const view *v)
{
    return 2 * v->quote + (v->depth > 0 ? 2 + 3 * (v->depth - 1) : 0);
}

/* Starts a line inside the current quotes and lists: the quote bars, the list indentation, and
 * for the first line of an item its marker; continuation rows hang under the text. */
static void line_start(view *v)
{
    for (int q = 0; q < v->quote; q++) {
        doc_put(v->d, THEME_NOTE, ui_sym(SYM_VLINE));
        doc_put(v->d, THEME_NOTE, " ");
    }
    if (v->depth > 0) {
        int pad = 3 * (v->depth - 1);
        doc_printf(v->d, THEME_NORMAL, "%*s", pad, "");
        if (v->item_start) {
            int k = v->depth - 1;
            if (v->ordered[k]) {
                char num[16];
                snprintf(num, sizeof num, "%u.", v->next[k]++);
                doc_printf(v->d, THEME_NORMAL, "%-3s", num);
            } else {
                doc_put(v->d, THEME_NORMAL, ui_sym(SYM_BULLET));
                doc_put(v->d, THEME_NORMAL, "  ");
            }
            v->item_start = false;
        } else {
            doc_put(v->d, THEME_NORMAL, "   ");
        }
    }
    doc_hang(v->d, indent_of(v) + (v->depth > 0 ? 1 : 0));
    v->at_line_start = false;
}

static void end_line(view *v)
{
    if (!v->at_line_start) doc_nl(v->d);
    v->at_line_start = true;
}

static void block_gap(view *v)
{
    end_line(v);
    if (v->blank_before) {
        for (int q = 0; q < v->quote; q++) doc_put(v->d, THEME_NOTE, ui_sym(SYM_VLINE));
        doc_nl(v->d);
    }
    v->blank_before = false;
}

static theme_elem elem_of(const view *v, unsigned spans)
{
    if (v->in_heading) return THEME_HEADING;
    if (spans & MD_S_CODE) return THEME_CODE;
    if (spans & MD_S_LINK) return THEME_LINK;
    if (spans & MD_S_STRONG) return THEME_STRONG;
    if (spans & MD_S_EM) return THEME_EMPHASIS;
    if (v->quote) return THEME_NOTE;
    return THEME_NORMAL;
}

static void cell_add(view *v, const char *s, size_t n)
{
    v->cur = xrealloc(v->cur, v->cur_len + n + 1);
    memcpy(v->cur + v->cur_len, s, n);
    v->cur_len += n;
    v->cur[v->cur_len] = '\0';
}

static void on_text(void *ud, unsigned spans, const char *s, size_t n)
{
    view *v = ud;
    if (v->in_table) {
        cell_add(v, s, n);
        return;
    }
    if (v->in_code) { /* whole lines, never wrapped: they scroll sideways */
        while (n > 0) {
            const char *nl = memchr(s, '\n', n);
            size_t k = nl ? (size_t)(nl - s) : n;
            if (v->at_line_start) {
                line_start(v);
                doc_put(v->d, THEME_CODE, "    ");
                doc_nowrap(v->d);
            }
            doc_putn(v->d, THEME_CODE, s, k);
            if (!nl) break;
            end_line(v);
            s += k + 1;
            n -= k + 1;
        }
        return;
    }
    if (n == 1 && s[0] == '\n') { /* a hard break */
        end_line(v);
        return;
    }
    if (v->at_line_start) line_start(v);
    doc_putn(v->d, elem_of(v, spans), s, n);
}

static void on_link_end(void *ud, const char *href, size_t n)
{
    view *v = ud;
    if (v->in_table || !n || v->in_heading) return;
    /* the target after the text, unless the text is the target (an autolink) */
    const doc *d = v->d;
    (void)d;
    if (n > 7 && (strncmp(href, "http://", 7) == 0 || strncmp(href, "https://", 8) == 0)) {
        doc_put(v->d, THEME_NOTE, " (");
        doc_putn(v->d, THEME_NOTE, href, n);
        doc_put(v->d, THEME_NOTE, ")");
    }
}

/* The table's cells laid out in columns (as wide as their widest cell), a rule under the head. */
static void put_table(view *v)
{
    int ncol = 0, widths[32] = {0};
    for (int i = 0, c = 0, r = -1; i < v->ncells; i++) {
        c = v->cells[i].row == r ? c + 1 : 0;
        r = v->cells[i].row;
        if (c < 32) {
            int w = ui_width(v->cells[i].text);
            if (w > widths[c]) widths[c] = w;
            if (c + 1 > ncol) ncol = c + 1;
        }
    }
    block_gap(v);
    for (int i = 0, c = 0, r = -1; i < v->ncells; i++) {
        bool new_row = v->cells[i].row != r;
        if (new_row) {
            if (r >= 0) {
                end_line(v);
                if (v->cells[i - 1].head) { /* the rule under the head */
                    line_start(v);
                    doc_nowrap(v->d);
                    for (int k = 0; k < ncol; k++) {
                        for (int j = 0; j < widths[k] + 2; j++)
                            doc_put(v->d, THEME_BORDER, ui_sym(SYM_HLINE));
                        if (k + 1 < ncol) doc_put(v->d, THEME_BORDER, ui_ascii() ? "+" : "┼");
                    }
                    end_line(v);
                }
            }
            line_start(v);
            doc_nowrap(v->d);
            c = 0;
            r = v->cells[i].row;
        } else {
            c++;
            doc_put(v->d, THEME_BORDER, " ");
            doc_put(v->d, THEME_BORDER, ui_sym(SYM_VLINE));
        }
        doc_put(v->d, THEME_NORMAL, " ");
        doc_put(v->d, v->cells[i].head ? THEME_STRONG : THEME_NORMAL, v->cells[i].text);
        int pad = (c < 32 ? widths[c] : 0) - ui_width(v->cells[i].text);
        if (pad > 0 && c + 1 < ncol) doc_printf(v->d, THEME_NORMAL, "%*s", pad, "");
    }
    end_line(v);
    for (int i = 0; i < v->ncells; i++) free(v->cells[i].text);
    v->ncells = 0;
    v->blank_before = true;
}

static void on_enter(void *ud, md_block b, unsigned detail)
{
    view *v = ud;
    switch (b) {
    case MD_B_PARA:
        if (v->depth > 0 && !v->item_start)
            block_gap(v); /* a second paragraph of an item */
        else if (v->depth == 0)
            block_gap(v);
        break;
    case MD_B_HEADING:
        block_gap(v);
        v->in_heading = true;
        break;
    case MD_B_QUOTE:
        block_gap(v);
        v->quote++;
        break;
    case MD_B_UL:
    case MD_B_OL:
        if (v->depth == 0) block_gap(v);
        end_line(v);
        if (v->depth < DEPTH_MAX) {
            v->ordered[v->depth] = b == MD_B_OL;
            v->next[v->depth] = b == MD_B_OL ? detail : 0;
        }
        v->depth++;
        break;
    case MD_B_LI:
        end_line(v);
        v->item_start = true;
        v->blank_before = false;
        break;
    case MD_B_CODE:
        block_gap(v);
        v->in_code = true;
        break;
    case MD_B_HR:
        block_gap(v);
        line_start(v);
        for (int i = 0; i < 40; i++) doc_put(v->d, THEME_BORDER, ui_sym(SYM_HLINE));
        end_line(v);
        v->blank_before = true;
        break;
    case MD_B_TABLE:
        v->in_table = true;
        v->row = -1;
        break;
    case MD_B_TR:
        v->row++;
        break;
    case MD_B_TH:
    case MD_B_TD:
        free(v->cur);
        v->cur = NULL;
        v->cur_len = 0;
        cell_add(v, "", 0);
        break;
    case MD_B_HTML:
        block_gap(v);
        v->in_code = true;
        break;
    }
}

static void on_leave(void *ud, md_block b)
{
    view *v = ud;
    switch (b) {
    case MD_B_PARA:
    case MD_B_HEADING:
        end_line(v);
        v->in_heading = false;
        v->blank_before = v->depth == 0 || b == MD_B_HEADING;
        break;
    case MD_B_QUOTE:
        end_line(v);
        v->quote--;
        v->blank_before = true;
        break;
    case MD_B_UL:
    case MD_B_OL:
        end_line(v);
        v->depth--;
        v->blank_before = v->depth == 0;
        break;
    case MD_B_LI:
        end_line(v);
        break;
    case MD_B_CODE:
    case MD_B_HTML:
        end_line(v);
        v->in_code = false;
        v->blank_before = true;
        break;
    case MD_B_TH:
    case MD_B_TD:
        if (v->ncells < CELLS_MAX) {
            v->cells[v->ncells].text = v->cur ? v->cur : xstrdup("");
            v->cells[v->ncells].head = b == MD_B_TH;
            v->cells[v->ncells].row = v->row;
            v->ncells++;
        } else {
            free(v->cur);
        }
        v->cur = NULL;
        v->cur_len = 0;
        break;
    case MD_B_TABLE:
        v->in_table = false;
        put_table(v);
        break;
    default:
        break;
    }
}

void mdview_put(doc *d, const char *text)
{
    view v = {.d = d, .at_line_start = true};
    static const md_sink sink = {
        .enter = on_enter, .leave = on_leave, .text = on_text, .link_end = on_link_end};
    /* the doc may already hold a line in progress: prose starts on a line of its own */
    if (doc_cur_width(d) > 0) doc_nl(d);
    md_walk(text, strlen(text), &sink, &v);
    end_line(&v);
    doc_nl(d); /* the gap before what follows (a step, a quiz) */
    for (int i = 0; i < v.ncells; i++) free(v.cells[i].text);
    free(v.cur);
}
