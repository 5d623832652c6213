/* SPDX-License-Identifier: MIT */
/* Strict JSON over jansson for JOSE headers, claims and keys. */
#include "jose/jsonx.h"

#include <stdlib.h>
#include <string.h>

/* jansson's own limit is 2048 levels; JOSE objects are shallow, and a low limit keeps hostile
 * input cheap. The scan runs before jansson so that deep input never reaches its recursion. */
/* For the scanners below: is `c` part of a string literal (its quotes included)? Call it on every
 * character in order. */
static bool jsonx_in_string(char c, bool *in_str, bool *esc)
{
    if (*in_str) {
        if (*esc)
            *esc = false;
        else if (c == '\\')
            *esc = true;
        else if (c == '"')
            *in_str = false;
        return true;
    }
    if (c == '"') *in_str = true;
    return *in_str;
}

static bool jsonx_depth_ok(const char *text, size_t len, size_t *where)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (jsonx_in_string(c, &in_str, &esc)) continue;
        if (c == '{' || c == '[') {
            if (++depth > JSONX_MAX_DEPTH) {
                *where = i;
                return false;
            }
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

/* Walks the number literals outside strings (outside a string, JSON has only punctuation,
 * whitespace, true/false/null and numbers, so a '-' or a digit starts a number). For each integer
 * literal that does not fit in 64 bits, calls `hit` with the offset just past it; stops early when
 * `hit` is NULL. Returns how many there are. */
static size_t jsonx_big_ints(const char *text, size_t len, void (*hit)(size_t end, void *ud),
                             void *ud)
{
    size_t found = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (jsonx_in_string(c, &in_str, &esc)) continue;
        if (c != '-' && (c < '0' || c > '9')) continue;
        bool neg = c == '-';
        size_t d0 = neg ? i + 1 : i, d = d0;
        while (d < len && text[d] >= '0' && text[d] <= '9') d++;
        if (d < len && (text[d] == '.' || text[d] == 'e' || text[d] == 'E')) { /* a real */
            while (d < len &&
                   ((text[d] >= '0' && text[d] <= '9') || text[d] == '.' || text[d] == 'e' ||
                    text[d] == 'E' || text[d] == '+' || text[d] == '-'))
                d++;
        } else {
            const char *lim = neg ? "9223372036854775808" : "9223372036854775807";
            size_t nd = d - d0;
            if (nd > 19 || (nd == 19 && memcmp(text + d0, lim, 19) > 0)) {
                found++;
                if (!hit) return found;
                hit(d, ud);
            }
        }
        i = d > i ? d - 1 : i;
    }
    return found;
}

bool jsonx_has_big_int(const char *text, size_t len)
{
    return text && jsonx_big_ints(text, len, NULL, NULL) > 0;
}

typedef struct {
    char *out;
    size_t o, from;
    const char *text;
} jsonx_widen;

static void jsonx_count_hit(size_t end, void *ud)
{
    (void)end, (void)ud;
}

static void jsonx_widen_hit(size_t end, void *ud)
{
    jsonx_widen *w = ud;
    memcpy(w->out + w->o, w->text + w->from, end - w->from);
    w->o += end - w->from;
    memcpy(w->out + w->o, ".0", 2);
    w->o += 2;
    w->from = end;
}

json_t *jsonx_parse(const char *text, size_t len, bool want_object, tl_err *e)
{
    if (!text) {
        err_set(e, "json.syntax", "no JSON text");
        return NULL;
    }
    size_t where = 0;
    if (!jsonx_depth_ok(text, len, &where)) {
        err_set(e, "json.too_deep", "JSON nests deeper than %d levels (at offset %zu)",
                JSONX_MAX_DEPTH, where);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j && json_error_code(&je) == json_error_numeric_overflow) {
        /* An integer beyond 64 bits is valid JSON (RFC 8259 §6 leaves the range to the reader)
         * but jansson refuses it. Read each such integer as a real, as most JWT libraries do
         * (JavaScript's always do): parse again with 123…890 written as 123…890.0. The caller
         * can tell with jsonx_has_big_int. */
        size_t nbig = jsonx_big_ints(text, len, jsonx_count_hit, NULL);
        jsonx_widen w = {nbig ? malloc(len + 2 * nbig + 1) : NULL, 0, 0, text};
        if (w.out) {
            jsonx_big_ints(text, len, jsonx_widen_hit, &w);
            memcpy(w.out + w.o, text + w.from, len - w.from);
            w.o += len - w.from;
            j = json_loadb(w.out, w.o, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
            free(w.out);
        }
    }
    if (!j) {
        switch (json_error_code(&je)) {
        case json_error_duplicate_key:
            /* RFC 7515 §4 / RFC 7519 §4: a duplicate member name must be rejected, otherwise two
             * parsers can read two different tokens out of the same bytes. */
            err_set(e, "json.duplicate_key", "duplicate member name at line %d, column %d: %s",
                    je.line, je.column, je.text);
            break;
        case json_error_invalid_utf8:
            err_set(e, "json.syntax", "invalid UTF-8 at line %d, column %d", je.line, je.column);
            break;
        default:
            err_set(e, "json.syntax", "not valid JSON at line %d, column %d: %s", je.line,
                    je.column, je.text);
            break;
        }
        return NULL;
    }
    if (want_object && !json_is_object(j)) {
        const char *what = json_is_array(j)    ? "an array"
                           : json_is_string(j) ? "a string"
                           : json_is_number(j) ? "a number"
                           : json_is_null(j)   ? "null"
                                               : "a boolean";
        json_decref(j);
        err_set(e, "json.not_object", "expected a JSON object ({...}), found %s", what);
        return NULL;
    }
    return j;
}

char *jsonx_compact(const json_t *j)
{
    if (!j) return NULL;
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

char *jsonx_pretty(const json_t *j)
{
    if (!j) return NULL;
    return json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

/* Returns NULL only when `s` is NULL or not valid UTF-8 (JSON strings must be UTF-8). */
json_t *jsonx_from_arg(const char *s)
{
    if (!s) return NULL;
    json_t *j = jsonx_parse(s, strlen(s), false, NULL);
    if (j) return j;
    return json_string(s);
}
