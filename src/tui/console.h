/* SPDX-License-Identifier: MIT */
/* console — the action console (vim/tig style `:`): one line of the lesson action vocabulary
 * (lessons/README.md "Actions": `login bob@example.com builder`, `authorize client=… scope="…"`,
 * `crack`, `lab on alg-none`, `clock +20m`, …) run through the lesson engine, asynchronously, with
 * the result in the console line and the current step's / practical quiz's checks re-evaluated in
 * the lesson pane. `help` lists the actions (from the lesson layer's action table), Up/Down walk
 * the history, Tab completes action names, Esc closes (or, while an action runs, cancels it).
 * Internal to src/tui/. */
#ifndef TL_TUI_CONSOLE_H
#define TL_TUI_CONSOLE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/app.h"

typedef struct console console;
struct pane_lesson;

/* Caller frees with console_free AFTER the lesson pane (a run cancelled while the engine is freed
 * reports back here). `lp` (the lesson pane) is borrowed. */
console *console_new(app *a, struct pane_lesson *lp);
void console_free(console *c);

void console_open(console *c);
bool console_active(const console *c);
/* A key while the console is open: KEY_R_* flags; KEY_R_IGNORED for Esc while an action runs (the
 * app then cancels the requests in flight as usual). */
int console_key(console *c, int key);
/* Bracketed paste into the line (newlines become spaces). */
void console_paste(console *c, const char *s, size_t n);
/* The console line, drawn over the footer window. */
void console_draw_line(console *c, WINDOW *footer);
/* The `help` list as a window over the panes (rows × cols of the screen, footer row excluded);
 * removes it when it is not shown. Returns true when the panes under it need a redraw. Call it
 * with 0, 0 before curses stops (that deletes the window). */
bool console_draw_popup(console *c, int rows, int cols);

#endif
