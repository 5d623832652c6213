/* SPDX-License-Identifier: MIT */
/* md — lesson prose as Markdown (CommonMark + GFM tables and strikethrough), parsed with md4c.
 * The lesson layer owns the parsing so that `tokenlab lessons check` can lint what a renderer
 * would meet; a front end (the TUI's lesson pane) renders the neutral events below.
 *
 * Events arrive in document order: md_enter/md_leave bracket blocks (nested: a list holds items,
 * an item paragraphs and lists), md_text carries text with the spans active around it. */
#ifndef TL_LESSON_MD_H
#define TL_LESSON_MD_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson/parse.h"

typedef enum md_block {
    MD_B_PARA,
    MD_B_HEADING, /* detail: level 1..6 */
    MD_B_QUOTE,
    MD_B_UL,
    MD_B_OL, /* detail: the first number */
    MD_B_LI,
    MD_B_CODE, /* an indented or fenced code block inside prose */
    MD_B_HR,
    MD_B_TABLE,
    MD_B_TR,
    MD_B_TH,
    MD_B_TD,
    MD_B_HTML, /* raw HTML: a renderer shows it as text; `lessons check` names it */
} md_block;

enum md_span {
    MD_S_EM = 1,
    MD_S_STRONG = 2,
    MD_S_CODE = 4,
    MD_S_LINK = 8,
    MD_S_DEL = 16,
};

typedef struct md_sink {
    void (*enter)(void *ud, md_block b, unsigned detail);
    void (*leave)(void *ud, md_block b);
    /* text with the spans (md_span bits) around it; "\n" for a hard break, " " for a soft one */
    void (*text)(void *ud, unsigned spans, const char *s, size_t n);
    /* a link ends: its target (the renderer may show it after the text) */
    void (*link_end)(void *ud, const char *href, size_t n);
} md_sink;

/* Walks `text` (n bytes). Returns false when md4c gave up (it does not on valid UTF-8). */
bool md_walk(const char *text, size_t n, const md_sink *sink, void *ud);

/* Names what the lesson pane cannot show: images, raw HTML. `line` is the first line of the
 * prose block in `file`; messages are "file:line: …" in `out`. Returns the number added. */
int md_lint(const char *text, const char *file, int line, parse_diags *out);

#endif
