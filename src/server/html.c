/* SPDX-License-Identifier: MIT */
/* Building HTML safely (see html.h). */
#include "server/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static void grow(html_buf *b, size_t more)
{
    if (b->n + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + more + 1) cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

void html_raw(html_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        grow(b, (size_t)n);
        vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap2);
        b->n += (size_t)n;
    }
    va_end(ap2);
}

void html_esc(html_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            html_raw(b, "&amp;");
            break;
        case '<':
            html_raw(b, "&lt;");
            break;
        case '>':
            html_raw(b, "&gt;");
            break;
        case '"':
            html_raw(b, "&quot;");
            break;
        case '\'':
            html_raw(b, "&#39;");
            break;
        default:
            grow(b, 1);
            b->p[b->n++] = *s;
            b->p[b->n] = '\0';
        }
    }
}

void html_begin(html_buf *b, const char *title)
{
    html_raw(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    html_esc(b, title);
    html_raw(b, " — tokenlab</title><style>body{font-family:sans-serif;max-width:34em;"
                "margin:2em auto;padding:0 1em;line-height:1.4}input{display:block;margin:.3em 0 "
                ".8em;padding:.3em;width:100%%}button{padding:.4em 1.2em;margin-right:.5em}"
                ".err{color:#a00}code{background:#eee}</style></head><body><h1>");
    html_esc(b, title);
    html_raw(b, "</h1>\n");
}

void html_end(html_buf *b)
{
    html_raw(b, "<p><small>tokenlab mock authorization server — for learning, not for "
                "production.</small></p></body></html>\n");
}
