/* SPDX-License-Identifier: MIT */
/* Terminal-safe text (see esc.h). */
#include "base/esc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

const char *esc_text(const char *s, char *buf, size_t n)
{
    if (!n) return buf;
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    const unsigned char *end = p + strlen((const char *)p);
    while (p < end) {
        char piece[8];
        unsigned cp = 0;
        size_t len = utf8_next(p, (size_t)(end - p), &cp), plen;
        if (len == 0) { /* not UTF-8 */
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", p[0]);
            len = 1;
        } else if ((cp < 0x20 && cp != '\t') || cp == 0x7F) { /* C0, DEL */
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", cp);
        } else if (cp >= 0x80 && cp <= 0x9F) { /* C1 */
            plen = (size_t)snprintf(piece, sizeof piece, "\\u%04x", cp);
        } else {
            memcpy(piece, p, len);
            plen = len;
        }
        if (o + plen + 1 > n) { /* no room: end with "…" if it fits */
            static const char ell[] = "\xe2\x80\xa6";
            while (o > 0 && o + sizeof ell > n) o--;
            while (o > 0 && ((unsigned char)buf[o] & 0xC0) == 0x80) o--; /* whole characters */
            if (o + sizeof ell <= n) {
                memcpy(buf + o, ell, sizeof ell);
                return buf;
            }
            break;
        }
        memcpy(buf + o, piece, plen);
        o += plen;
        p += len;
    }
    buf[o] = '\0';
    return buf;
}
