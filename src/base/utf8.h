/* SPDX-License-Identifier: MIT */
/* utf8 — the one UTF-8 decoder (RFC 3629 §4): every place that must tell valid UTF-8 from bytes
 * that only look like it (form parameters, class names, terminal-safe text, screen widths). */
#ifndef TL_BASE_UTF8_H
#define TL_BASE_UTF8_H

#include <stddef.h>

/* Decodes the character at s[0..n): its length in bytes (1–4) and *cp, or 0 when s does not start
 * with a valid UTF-8 sequence (overlong forms, surrogates, code points past U+10FFFF, and
 * sequences cut short by n are all invalid). n must be at least 1. */
size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp);

#endif
