/* SPDX-License-Identifier: MIT */
/* doc — a scrollable document of styled text lines that panes build and then draw: each byte of
 * a line carries a theme element; lines wrap at word boundaries (or hard, for tokens) to the pane
 * width. Building is cheap, so panes rebuild their doc whenever their data changes. */
#ifndef TL_TUI_DOC_H
#define TL_TUI_DOC_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/theme.h"

typedef struct doc doc;

doc *doc_new(void); /* caller frees with doc_free */
void doc_free(doc *d);
void doc_clear(doc *d);
/* Appends UTF-8 text to the current line; '\n' starts a new line. Invalid bytes are shown as '?'.
 */
void doc_put(doc *d, theme_elem el, const char *s);
void doc_putn(doc *d, theme_elem el, const char *s, size_t n);
void doc_printf(doc *d, theme_elem el, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void doc_nl(doc *d);
/* Continuation rows of the current line start `cols` columns in (list items, quiz options). */
void doc_hang(doc *d, int cols);
/* The current line is drawn on one row and clipped, never wrapped (code, tables): what is on it
 * so far (its indentation) stays put, the rest scrolls sideways by doc_set_hscroll; arrows at the
 * edges say more is there. */
void doc_nowrap(doc *d);
void doc_set_hscroll(doc *d, int cols);
/* How many columns the widest nowrap line needs beyond `width` (0: all fit). */
int doc_nowrap_overflow(const doc *d, int width);
/* Appends at most `cols` columns of `s`, ending in an ellipsis when cut. */
void doc_put_fit(doc *d, theme_elem el, const char *s, int cols);
/* Display width of the current (last) line so far. */
int doc_cur_width(const doc *d);
/* Number of lines (the current, possibly empty, last line included). */
size_t doc_line_count(const doc *d);
/* Row (after wrapping to `width`) where line `line` starts. */
int doc_line_row(const doc *d, size_t line, int width);
/* Total rows after wrapping to `width`. */
int doc_rows(const doc *d, int width);
/* Draws rows [scroll, scroll+h) of the wrapped doc into `w` at (y, x), `width` columns wide.
 * `hl_line` (or -1) is drawn with THEME_SELECTED across the full width. */
void doc_draw(const doc *d, WINDOW *w, int y, int x, int h, int width, int scroll, long hl_line);

/* Like doc_draw without wrapping: line i on one row, clipped; starts at line `first`. */
void doc_draw_lines(const doc *d, WINDOW *w, int y, int x, int h, int width, int first,
                    long hl_line);
/* Pretty, syntax-coloured JSON at `indent` levels (2 spaces each); JWT-looking strings are drawn
 * as THEME_TOKEN. Short arrays of scalars stay on one line. */
void doc_json(doc *d, const json_t *v, int indent);
/* "eyJ…" with two (JWS) or four (JWE) dots and only base64url characters. */
bool doc_looks_like_jwt(const char *s);

/* Display width of a UTF-8 string (invalid bytes count 1). */
int ui_width(const char *s);
/* Writes at most `maxw` columns of UTF-8 `s` at (y, x) with `attr`; returns columns written. */
int ui_put(WINDOW *w, int y, int x, const char *s, int maxw, attr_t attr);
/* Symbols with an ASCII fallback. */
typedef enum ui_symbol {
    SYM_ARROW_R,
    SYM_ARROW_L,
    SYM_DOT,
    SYM_BAR_FULL,
    SYM_BAR_EMPTY,
    SYM_CHECK,
    SYM_CROSS,
    SYM_ELLIPSIS,
    SYM_BULLET,
    SYM_HLINE,
    SYM_VLINE,
    SYM_RADIO_ON,
    SYM_RADIO_OFF,
    SYM_BOX_ON,
    SYM_BOX_OFF,
    SYM_TIMES,
    SYM_ARROW_DOWN,
    SYM_COUNT
} ui_symbol;
const char *ui_sym(ui_symbol s);
/* Like ui_put, ending in an ellipsis when `s` is cut. */
int ui_put_fit(WINDOW *w, int y, int x, const char *s, int maxw, attr_t attr);
/* Box drawing and symbols: ASCII when `ascii` (also forced when the locale is not UTF-8). */
void ui_set_ascii(bool ascii);
bool ui_ascii(void);
void ui_box(WINDOW *w, theme_elem el, const char *title, bool focused);
void ui_hline(WINDOW *w, int y, int x, int n, attr_t attr);

#endif
