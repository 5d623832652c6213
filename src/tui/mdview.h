/* SPDX-License-Identifier: MIT */
/* mdview — lesson prose (Markdown, parsed by lesson/md.c with md4c) rendered into a doc:
 * headings without their markers, emphasis, strong, code spans, links with their target, nested
 * lists indented (wrapped lines hang under the item's text), quotes, rules, tables with aligned
 * columns, and code blocks that keep their lines whole (they scroll sideways: doc_nowrap).
 * Internal to src/tui/. */
#ifndef TL_TUI_MDVIEW_H
#define TL_TUI_MDVIEW_H

#include "tui/doc.h"

void mdview_put(doc *d, const char *text);

#endif
