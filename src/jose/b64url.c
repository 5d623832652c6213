/* SPDX-License-Identifier: MIT */
/* base64url without padding: RFC 4648 §5, as profiled by RFC 7515 §2 and Appendix C. */
#include "jose/b64url.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0..63 for alphabet characters, 0xff for everything else. */
static const uint8_t b64url_rev[256] = {
    /* clang-format off */
    ['A'] = 0,  ['B'] = 1,  ['C'] = 2,  ['D'] = 3,  ['E'] = 4,  ['F'] = 5,  ['G'] = 6,
    ['H'] = 7,  ['I'] = 8,  ['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13,
    ['O'] = 14, ['P'] = 15, ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20,
    ['V'] = 21, ['W'] = 22, ['X'] = 23, ['Y'] = 24, ['Z'] = 25,
    ['a'] = 26, ['b'] = 27, ['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31, ['g'] = 32,
    ['h'] = 33, ['i'] = 34, ['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39,
    ['o'] = 40, ['p'] = 41, ['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46,
    ['v'] = 47, ['w'] = 48, ['x'] = 49, ['y'] = 50, ['z'] = 51,
    ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55, ['4'] = 56, ['5'] = 57, ['6'] = 58,
    ['7'] = 59, ['8'] = 60, ['9'] = 61, ['-'] = 62, ['_'] = 63,
    /* clang-format on */
};

/* The table above leaves unlisted bytes at 0, which is also the value of 'A'; this tells them
 * apart without a 256-entry initializer of 0xff. */
static bool b64url_is_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

char *b64url_encode(const uint8_t *data, size_t len)
{
    size_t full = len / 3, rem = len % 3;
    size_t outlen = full * 4 + (rem ? rem + 1 : 0);
    char *out = malloc(outlen + 1);
    if (!out) return NULL;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        *o++ = b64url_alphabet[(v >> 18) & 63];
        *o++ = b64url_alphabet[(v >> 12) & 63];
        *o++ = b64url_alphabet[(v >> 6) & 63];
        *o++ = b64url_alphabet[v & 63];
    }
    if (rem == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        *o++ = b64url_alphabet[(v >> 18) & 63];
        *o++ = b64url_alphabet[(v >> 12) & 63];
    } else if (rem == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        *o++ = b64url_alphabet[(v >> 18) & 63];
        *o++ = b64url_alphabet[(v >> 12) & 63];
        *o++ = b64url_alphabet[(v >> 6) & 63];
    }
    *o = '\0';
    return out;
}

static bool b64url_bad_char(const char *s, size_t i, tl_err *e)
{
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '+':
    case '/':
        return err_set(e, "b64.bad_char", "'%c' at offset %zu (base64url uses '-' and '_')", c, i);
    case '=':
        return err_set(e, "b64.bad_char",
                       "'=' at offset %zu (base64url has no padding: drop the trailing '=')", i);
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '\f':
    case '\v':
        return err_set(e, "b64.bad_char",
                       "whitespace (0x%02x) at offset %zu (base64url allows no spaces or line "
                       "breaks inside a segment)",
                       c, i);
    default:
        if (c >= 0x21 && c < 0x7f)
            return err_set(e, "b64.bad_char",
                           "'%c' at offset %zu is not a base64url character (A-Z a-z 0-9 - _)", c,
                           i);
        return err_set(e, "b64.bad_char",
                       "byte 0x%02x at offset %zu is not a base64url character (A-Z a-z 0-9 - _)",
                       c, i);
    }
}

bool b64url_decode(const char *s, size_t len, uint8_t **out, size_t *outlen, tl_err *e)
{
    *out = NULL;
    *outlen = 0;
    for (size_t i = 0; i < len; i++)
        if (!b64url_is_alpha((unsigned char)s[i])) return b64url_bad_char(s, i, e);
    if (len % 4 == 1)
        return err_set(e, "b64.length",
                       "length %zu is impossible for base64url (a final group of 1 character "
                       "cannot encode a byte; is a character missing or extra?)",
                       len);
    size_t n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    uint8_t *buf = malloc(n + 1);
    if (!buf) return err_set(e, "oom", "out of memory");
    uint8_t *o = buf;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t v = (uint32_t)b64url_rev[(unsigned char)s[i]] << 18 |
                     (uint32_t)b64url_rev[(unsigned char)s[i + 1]] << 12 |
                     (uint32_t)b64url_rev[(unsigned char)s[i + 2]] << 6 |
                     b64url_rev[(unsigned char)s[i + 3]];
        *o++ = (uint8_t)(v >> 16);
        *o++ = (uint8_t)(v >> 8);
        *o++ = (uint8_t)v;
    }
    size_t rem = len - i;
    if (rem) {
        uint32_t v = (uint32_t)b64url_rev[(unsigned char)s[i]] << 18 |
                     (uint32_t)b64url_rev[(unsigned char)s[i + 1]] << 12;
        if (rem == 3) v |= (uint32_t)b64url_rev[(unsigned char)s[i + 2]] << 6;
        /* RFC 4648 §3.5: the unused low bits of the last character must be zero, otherwise two
         * different strings decode to the same bytes (a malleability hole). */
        uint32_t spare = rem == 2 ? (v & 0xffff) : (v & 0xff);
        if (spare) {
            free(buf);
            return err_set(e, "b64.trailing_bits",
                           "the last character '%c' at offset %zu carries non-zero unused bits "
                           "(not a canonical base64url encoding)",
                           s[len - 1], len - 1);
        }
        *o++ = (uint8_t)(v >> 16);
        if (rem == 3) *o++ = (uint8_t)(v >> 8);
    }
    *o = '\0';
    *out = buf;
    *outlen = (size_t)(o - buf);
    return true;
}

char *b64url_sha256(const void *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1) return NULL;
    return b64url_encode(md, n);
}
