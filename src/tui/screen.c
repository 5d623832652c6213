/* SPDX-License-Identifier: MIT */
/* screen — the composed screen (curscr) as text plus a list of attribute runs, for script mode's
 * :save-screen and the golden-screen tests. */
#include "tui/screen.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void put_utf8(FILE *f, wchar_t wc)
{
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(mb, wc, &st);
    if (n == (size_t)-1)
        fputc('?', f);
    else
        fwrite(mb, 1, n, f);
}

static const char *color_name(short c)
{
    static const char *const names[] = {"black", "red",     "green", "yellow",
                                        "blue",  "magenta", "cyan",  "white"};
    return c >= 0 && c < 8 ? names[c] : "default";
}

static void attr_desc(attr_t at, short pair, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t l = 0;
#define ADD(flag, name)                                                                            \
    if (at & (flag)) l += (size_t)snprintf(buf + l, n > l ? n - l : 0, "%s%s", l ? "," : "", name);
    ADD(A_BOLD, "bold")
    ADD(A_REVERSE, "reverse")
    ADD(A_UNDERLINE, "underline")
    ADD(A_DIM, "dim")
    ADD(A_BLINK, "blink")
    ADD(A_ITALIC, "italic")
#undef ADD
    if (pair > 0) {
        short fg, bg;
        pair_content(pair, &fg, &bg);
        snprintf(buf + l, n > l ? n - l : 0, "%s%s/%s", l ? "," : "", color_name(fg),
                 color_name(bg));
    }
}

/* ":PORT" (not followed by another digit) becomes ":#####". */
static void mask_port(const char *port, char *line)
{
    if (!port || !*port) return;
    size_t pl = strlen(port);
    for (char *p = strstr(line, port); p; p = strstr(p + pl, port)) {
        if (p > line && p[-1] == ':' && !(p[pl] >= '0' && p[pl] <= '9')) memset(p, '#', pl);
    }
}

bool screen_dump(const char *path, const char *port, tl_err *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return err_set(e, "tui.dump", "cannot write the screen to %s: %s", path, strerror(errno));
    int H = getmaxy(curscr), W = getmaxx(curscr);
    if (W < 1) W = 1;
    size_t cap = (size_t)W * 8 + 1;
    char *line = malloc(cap);
    FILE *attrs = tmpfile();
    for (int y = 0; y < H && line; y++) {
        FILE *m = fmemopen(line, cap, "w");
        if (!m) break;
        char prev[96] = "", cur[96];
        int run_start = 0;
        for (int x = 0; x < W; x++) {
            cchar_t cc;
            wchar_t wch[CCHARW_MAX + 1] = {0};
            attr_t at = 0;
            short pair = 0;
            if (mvwin_wch(curscr, y, x, &cc) == ERR ||
                getcchar(&cc, wch, &at, &pair, NULL) == ERR) {
                wch[0] = L' ';
                at = 0;
                pair = 0;
            }
            put_utf8(m, wch[0] ? wch[0] : L' ');
            if (wch[0] && wcwidth(wch[0]) == 2) x++;
            attr_desc(at & ~A_CHARTEXT & ~A_COLOR, pair, cur, sizeof cur);
            if (strcmp(cur, prev) != 0) {
                if (prev[0] && attrs) fprintf(attrs, "%d:%d-%d %s\n", y, run_start, x - 1, prev);
                snprintf(prev, sizeof prev, "%s", cur);
                run_start = x;
            }
        }
        if (prev[0] && attrs) fprintf(attrs, "%d:%d-%d %s\n", y, run_start, W - 1, prev);
        fclose(m);
        size_t l = strlen(line);
        while (l > 0 && line[l - 1] == ' ') line[--l] = '\0';
        mask_port(port, line);
        fprintf(f, "%s\n", line);
    }
    free(line);
    if (attrs) {
        fprintf(f, "-- attributes (row:cols) --\n");
        rewind(attrs);
        char buf[256];
        while (fgets(buf, sizeof buf, attrs)) fputs(buf, f);
        fclose(attrs);
    }
    if (fclose(f) != 0)
        return err_set(e, "tui.dump", "cannot write the screen to %s: %s", path, strerror(errno));
    return true;
}
