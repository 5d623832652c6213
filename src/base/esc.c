/* SPDX-License-Identifier: MIT */
/* Terminal-safe text (see esc.h). */
#include "base/esc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

/* Unicode's bidirectional formatting characters (UAX #9 §2): they reorder what a terminal shows,
 * so "evil\u202Etxt.exe" could read as something else ("Trojan Source", CVE-2021-42574). */
static bool is_bidi(unsigned cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

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
        } else if ((cp >= 0x80 && cp <= 0x9F) || is_bidi(cp)) { /* C1, bidi controls */
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
