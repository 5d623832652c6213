/* SPDX-License-Identifier: MIT */
/* html — the few HTML pages (login, consent, device code entry, errors): plain forms, no
 * JavaScript, every interpolated value escaped. */
#ifndef TL_SERVER_HTML_H
#define TL_SERVER_HTML_H

#include <stdarg.h>
#include <stddef.h>

typedef struct html_buf {
    char *p;
    size_t n, cap;
} html_buf;

/* Appends printf-formatted raw HTML (the format is trusted, arguments are not escaped). */
void html_raw(html_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends `s` with & < > " ' escaped. */
void html_esc(html_buf *b, const char *s);
/* Starts a page with <head> and the heading; html_end closes it. */
void html_begin(html_buf *b, const char *title);
void html_end(html_buf *b);

#endif
