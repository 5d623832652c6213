/* Strict JSON over jansson for JOSE headers, claims and keys. */
#include "jose/jsonx.h"

#include <stdlib.h>
#include <string.h>

/* jansson's own limit is 2048 levels; JOSE objects are shallow, and a low limit keeps hostile
 * input cheap. The scan runs before jansson so that deep input never reaches its recursion. */
static bool jsonx_depth_ok(const char *text, size_t len, size_t *where)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
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
