/* SPDX-License-Identifier: MIT */
/* md — lesson prose through md4c (see md.h). */
#include "lesson/md.h"

#include <md4c.h>
#include <string.h>

typedef struct walk {
    const md_sink *s;
    void *ud;
    unsigned spans;
    /* link targets, innermost last (links do not nest in CommonMark, images may sit in links) */
    const char *href[4];
    size_t href_n[4];
    int nlinks;
} walk;

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    walk *w = ud;
    unsigned d = 0;
    md_block b;
    switch (type) {
    case MD_BLOCK_DOC:
        return 0;
    case MD_BLOCK_QUOTE:
        b = MD_B_QUOTE;
        break;
    case MD_BLOCK_UL:
        b = MD_B_UL;
        break;
    case MD_BLOCK_OL:
        b = MD_B_OL;
        d = ((MD_BLOCK_OL_DETAIL *)detail)->start;
        break;
    case MD_BLOCK_LI:
        b = MD_B_LI;
        break;
    case MD_BLOCK_HR:
        b = MD_B_HR;
        break;
    case MD_BLOCK_H:
        b = MD_B_HEADING;
        d = ((MD_BLOCK_H_DETAIL *)detail)->level;
        break;
    case MD_BLOCK_CODE:
        b = MD_B_CODE;
        break;
    case MD_BLOCK_HTML:
        b = MD_B_HTML;
        break;
    case MD_BLOCK_P:
        b = MD_B_PARA;
        break;
    case MD_BLOCK_TABLE:
        b = MD_B_TABLE;
        break;
    case MD_BLOCK_TR:
        b = MD_B_TR;
        break;
    case MD_BLOCK_TH:
        b = MD_B_TH;
        break;
    case MD_BLOCK_TD:
        b = MD_B_TD;
        break;
    default: /* THEAD, TBODY: the rows say enough */
        return 0;
    }
    if (w->s->enter) w->s->enter(w->ud, b, d);
    return 0;
}

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    walk *w = ud;
    (void)detail;
    static const struct {
        MD_BLOCKTYPE t;
        md_block b;
    } map[] = {{MD_BLOCK_QUOTE, MD_B_QUOTE}, {MD_BLOCK_UL, MD_B_UL},     {MD_BLOCK_OL, MD_B_OL},
               {MD_BLOCK_LI, MD_B_LI},       {MD_BLOCK_HR, MD_B_HR},     {MD_BLOCK_H, MD_B_HEADING},
               {MD_BLOCK_CODE, MD_B_CODE},   {MD_BLOCK_HTML, MD_B_HTML}, {MD_BLOCK_P, MD_B_PARA},
               {MD_BLOCK_TABLE, MD_B_TABLE}, {MD_BLOCK_TR, MD_B_TR},     {MD_BLOCK_TH, MD_B_TH},
               {MD_BLOCK_TD, MD_B_TD}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].t == type && w->s->leave) w->s->leave(w->ud, map[i].b);
    return 0;
}

static unsigned span_bit(MD_SPANTYPE type)
{
    switch (type) {
    case MD_SPAN_EM:
        return MD_S_EM;
    case MD_SPAN_STRONG:
        return MD_S_STRONG;
    case MD_SPAN_CODE:
        return MD_S_CODE;
    case MD_SPAN_A:
        return MD_S_LINK;
    case MD_SPAN_DEL:
        return MD_S_DEL;
    default:
        return 0;
    }
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    walk *w = ud;
    w->spans |= span_bit(type);
    if (type == MD_SPAN_A && w->nlinks < 4) {
        MD_SPAN_A_DETAIL *a = detail;
        w->href[w->nlinks] = a->href.text;
        w->href_n[w->nlinks++] = a->href.size;
    }
    return 0;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    walk *w = ud;
    (void)detail;
    w->spans &= ~span_bit(type);
    if (type == MD_SPAN_A && w->nlinks > 0) {
        w->nlinks--;
        if (w->s->link_end) w->s->link_end(w->ud, w->href[w->nlinks], w->href_n[w->nlinks]);
    }
    return 0;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    walk *w = ud;
    if (!w->s->text) return 0;
    switch (type) {
    case MD_TEXT_BR:
        w->s->text(w->ud, w->spans, "\n", 1);
        break;
    case MD_TEXT_SOFTBR:
        w->s->text(w->ud, w->spans, " ", 1);
        break;
    case MD_TEXT_NULLCHAR:
        w->s->text(w->ud, w->spans, "\xEF\xBF\xBD", 3);
        break;
    case MD_TEXT_ENTITY: { /* the few a lesson uses; others stay as written */
        static const struct {
            const char *e, *u;
        } ent[] = {{"&amp;", "&"},
                   {"&lt;", "<"},
                   {"&gt;", ">"},
                   {"&quot;", "\""},
                   {"&nbsp;", " "},
                   {"&mdash;", "\xE2\x80\x94"},
                   {"&ndash;", "\xE2\x80\x93"},
                   {"&rarr;", "\xE2\x86\x92"},
                   {"&hellip;", "\xE2\x80\xA6"}};
        for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
            if (strlen(ent[i].e) == size && memcmp(ent[i].e, text, size) == 0) {
                w->s->text(w->ud, w->spans, ent[i].u, strlen(ent[i].u));
                return 0;
            }
        w->s->text(w->ud, w->spans, text, size);
        break;
    }
    default:
        w->s->text(w->ud, w->spans, text, size);
    }
    return 0;
}

static const unsigned g_flags =
    MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTMLSPANS | MD_FLAG_PERMISSIVEURLAUTOLINKS;

bool md_walk(const char *text, size_t n, const md_sink *sink, void *ud)
{
    walk w = {.s = sink, .ud = ud};
    MD_PARSER p = {.abi_version = 0,
                   .flags = g_flags,
                   .enter_block = on_enter_block,
                   .leave_block = on_leave_block,
                   .enter_span = on_enter_span,
                   .leave_span = on_leave_span,
                   .text = on_text};
    return md_parse(text, (MD_SIZE)n, &p, &w) == 0;
}

/* ---- lint ---- */

typedef struct lint {
    const char *file, *base;
    size_t len;
    int line, added;
    bool in_html, html_named; /* inside a raw HTML block: named once, at its first line */
    parse_diags *out;
} lint;

/* The line of a pointer into the prose; md4c hands out pointers into the text it parses, and a
 * few into its own constants ("\n"), which count as the block's first line. */
static int line_of(const lint *l, const char *p)
{
    int ln = l->line;
    if (p < l->base || p > l->base + l->len) return ln;
    for (const char *c = l->base; c < p; c++)
        if (*c == '\n') ln++;
    return ln;
}

static int lint_enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    (void)detail;
    lint *l = ud;
    if (type == MD_BLOCK_HTML) {
        l->in_html = true;
        l->html_named = false;
    }
    return 0;
}

static int lint_leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    (void)detail;
    lint *l = ud;
    if (type == MD_BLOCK_HTML) l->in_html = false;
    return 0;
}

static int lint_enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    lint *l = ud;
    if (type == MD_SPAN_IMG) {
        MD_SPAN_IMG_DETAIL *img = detail;
        parse_diags_add(l->out, l->file, line_of(l, img->src.text),
                        "an image (%.*s): a terminal cannot show it; link to it or describe it",
                        (int)img->src.size, img->src.text);
        l->added++;
    }
    return 0;
}

static int lint_noop_span(MD_SPANTYPE t, void *d, void *u)
{
    (void)t, (void)d, (void)u;
    return 0;
}
static int lint_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
    lint *l = ud;
    if (l->in_html && !l->html_named) {
        parse_diags_add(l->out, l->file, line_of(l, text),
                        "raw HTML in the prose: the lesson pane shows it as text; write Markdown");
        l->html_named = true;
        l->added++;
    } else if (!l->in_html && type == MD_TEXT_HTML) {
        parse_diags_add(l->out, l->file, line_of(l, text),
                        "inline HTML '%.*s': the lesson pane shows it as text; write Markdown",
                        (int)(size > 40 ? 40 : size), text);
        l->added++;
    }
    return 0;
}

int md_lint(const char *text, const char *file, int line, parse_diags *out)
{
    lint l = {.file = file, .base = text, .len = strlen(text), .line = line, .out = out};
    MD_PARSER p = {.abi_version = 0,
                   .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEURLAUTOLINKS,
                   .enter_block = lint_enter_block,
                   .leave_block = lint_leave_block,
                   .enter_span = lint_enter_span,
                   .leave_span = lint_noop_span,
                   .text = lint_text};
    md_parse(text, (MD_SIZE)l.len, &p, &l);
    return l.added;
}
