/* Terminal-safe text (see esc.h). */
#include "base/esc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one (RFC 3629 §4). */
static size_t esc_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t need;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, cp = c & 0x07;
    else
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0; /* also stops at the NUL terminator */
        cp = cp << 6 | (s[k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need + 1;
}

const char *esc_text(const char *s, char *buf, size_t n)
{
    if (!n) return buf;
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        char piece[8];
        size_t len = esc_utf8_len(p), plen;
        if (len == 0) { /* not UTF-8 */
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", p[0]);
            len = 1;
        } else if ((p[0] < 0x20 && p[0] != '\t') || p[0] == 0x7F) { /* C0, DEL */
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", p[0]);
        } else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) { /* C1 */
            plen = (size_t)snprintf(piece, sizeof piece, "\\u%04x", (unsigned)p[1]);
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
