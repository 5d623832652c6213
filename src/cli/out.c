/* SPDX-License-Identifier: MIT */
#include "cli/out.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } g_color = COLOR_AUTO;

bool out_set_color(const char *when)
{
    if (strcmp(when, "auto") == 0)
        g_color = COLOR_AUTO;
    else if (strcmp(when, "always") == 0)
        g_color = COLOR_ALWAYS;
    else if (strcmp(when, "never") == 0)
        g_color = COLOR_NEVER;
    else
        return false;
    return true;
}

bool out_color_wanted(FILE *f)
{
    if (g_color != COLOR_AUTO) return g_color == COLOR_ALWAYS;
    const char *nc = getenv("NO_COLOR");
    if (nc && nc[0]) return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(fileno(f)) == 1;
}

const char *out_c(bool color, out_el el)
{
    static const char *const sgr[OUT_COUNT] = {
        [OUT_RESET] = "\033[0m",  [OUT_TITLE] = "\033[1m", [OUT_KEY] = "\033[34;1m",
        [OUT_STR] = "\033[32m",   [OUT_NUM] = "\033[36m",  [OUT_LIT] = "\033[35m",
        [OUT_DIM] = "\033[2m",    [OUT_OK] = "\033[32;1m", [OUT_WARN] = "\033[33;1m",
        [OUT_BAD] = "\033[31;1m",
    };
    if (!color || el < 0 || el >= OUT_COUNT) return "";
    return sgr[el];
}

static void scalar(FILE *f, const json_t *j, bool color, out_el el)
{
    char *s = json_dumps(j, JSON_ENCODE_ANY);
    fprintf(f, "%s%s%s", out_c(color, el), s ? s : "?", out_c(color, OUT_RESET));
    free(s);
}

static void pad(FILE *f, int n)
{
    for (int i = 0; i < n; i++) fputc(' ', f);
}

static void emit(FILE *f, const json_t *j, bool color, int indent, int depth)
{
    if (depth > 200) { /* jsonx caps nesting far below this; never recurse without bound */
        fputs("…", f);
        return;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        if (json_object_size(j) == 0) {
            fputs("{}", f);
            return;
        }
        fputs("{\n", f);
        const char *k;
        json_t *v;
        size_t i = 0, n = json_object_size(j);
        json_object_foreach((json_t *)j, k, v)
        {
            pad(f, indent + 2);
            json_t *ks = json_string(k);
            scalar(f, ks, color, OUT_KEY);
            json_decref(ks);
            fputs(": ", f);
            emit(f, v, color, indent + 2, depth + 1);
            fputs(++i < n ? ",\n" : "\n", f);
        }
        pad(f, indent);
        fputc('}', f);
        return;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (n == 0) {
            fputs("[]", f);
            return;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < n; i++) {
            pad(f, indent + 2);
            emit(f, json_array_get(j, i), color, indent + 2, depth + 1);
            fputs(i + 1 < n ? ",\n" : "\n", f);
        }
        pad(f, indent);
        fputc(']', f);
        return;
    }
    case JSON_STRING:
        scalar(f, j, color, OUT_STR);
        return;
    case JSON_INTEGER:
    case JSON_REAL:
        scalar(f, j, color, OUT_NUM);
        return;
    default:
        scalar(f, j, color, OUT_LIT);
        return;
    }
}

void out_json(FILE *f, const json_t *j, bool color, int indent)
{
    emit(f, j, color, indent, 0);
}

int out_width(FILE *f)
{
    struct winsize ws;
    if (!isatty(fileno(f)) || ioctl(fileno(f), TIOCGWINSZ, &ws) != 0 || ws.ws_col < 20) return 0;
    return ws.ws_col > 100 ? 100 : ws.ws_col;
}

/* UTF-8 characters in s[0..n) (continuation bytes do not count). */
static int out_chars(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

void out_wrapped(FILE *f, const char *s, int width, int hang)
{
    if (width <= hang + 10) {
        fprintf(f, "%s\n", s);
        return;
    }
    size_t lead = strspn(s, " "); /* the line's own indentation is kept as it is */
    fwrite(s, 1, lead, f);
    int col = (int)lead, start = col; /* start: where this line's first word went */
    s += lead;
    while (*s) {
        size_t sp = strspn(s, " "), w = strcspn(s + sp, " ");
        int n = out_chars(s + sp, w);
        if (col > start && col + (int)(sp ? 1 : 0) + n > width) { /* the word goes on a new line */
            fprintf(f, "\n%*s", hang, "");
            col = start = hang;
            s += sp;
            sp = 0;
        } else if (sp) {
            fputc(' ', f);
            col++;
        }
        fwrite(s + sp, 1, w, f);
        col += n;
        s += sp + w;
    }
    fputc('\n', f);
}
