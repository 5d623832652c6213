/* SPDX-License-Identifier: MIT */
/* esc — text from outside (a token's claims and header, an HTTP request's path and parameters)
 * made safe to print on a terminal. Control characters (C0 but tab, DEL, and the C1 range
 * U+0080–U+009F), the bidirectional formatting characters (U+061C, U+200E/F, U+202A–202E,
 * U+2066–2069: they reorder the text shown) and bytes that are not UTF-8 become visible escapes
 * ("\x1b", "\u009b", "\u202e", "\xff"),
 * so a token whose "iss" holds ESC ] 0 ; … BEL cannot retitle the window, clear the screen or
 * fake a line of output. The TUI needs none of this: curses draws control characters visibly. */
#ifndef TL_BASE_ESC_H
#define TL_BASE_ESC_H

#include <stddef.h>

/* Writes the escaped `s` into buf (n > 0; cut short with "…" when it does not fit) and returns
 * buf. NULL prints as "". */
const char *esc_text(const char *s, char *buf, size_t n);

#endif
