/* SPDX-License-Identifier: MIT */
/* present — presenter mode for a projector (issue 6): the lesson's current step large on the left,
 * the flow diagram and the trace large on the right, no decoder, a one-line footer, a high-contrast
 * theme. Space / Right runs the current step (or, once it ran, goes to the next item), Left goes
 * back, `r` runs the current step's requests again, `a` reveals a quiz's answer, `--auto SECONDS`
 * advances by itself. `--record FILE` writes what the presenter did; `--replay FILE` plays a
 * recording back (Space pauses, + and - change the speed). Internal to src/tui/; app.c calls it. */
#ifndef TL_TUI_PRESENT_H
#define TL_TUI_PRESENT_H

#include <curses.h>
#include <stdbool.h>

#include "base/err.h"
#include "tui/app.h"
#include "tui/theme.h"

struct pane_lesson;
struct net;

typedef struct present_opts {
    bool on;            /* --present: start in presenter mode */
    double auto_s;      /* --auto SECONDS (0 = off) */
    const char *record; /* --record FILE */
    const char *replay; /* --replay FILE */
    double speed;       /* --speed X (0 = 1) */
} present_opts;

typedef struct present present;

/* Option parsing hook for tui_main: 1 when argv[*i] was a presenter option (its value consumed,
 * *i advanced), 0 when not ours, -1 on a bad value (message printed to stderr). */
int present_parse_opt(present_opts *o, int argc, char **argv, int *i);
/* Prints the presenter options for `tokenlab --help` / `tokenlab present --help`. */
void present_usage(FILE *f);

/* NULL with `e` set when the recording cannot be written or the replay file read. Free with
 * present_free (closes the recording). */
present *present_new(app *a, struct net *n, const present_opts *o, tl_err *e);
/* The lesson pane it presents (before the first key). */
void present_attach(present *p, struct pane_lesson *pl);
void present_free(present *p);
bool present_active(const present *p);
/* Turns presenter mode on or off (the F5 key); returns the theme to apply. */
theme_id present_set(present *p, bool on, theme_id normal);
/* A key while presenter mode is on: KEY_R_* flags, KEY_R_IGNORED to let the app handle it. */
int present_key(present *p, int key);
void present_draw_lesson(present *p, WINDOW *w);
void present_draw_footer(present *p, WINDOW *w);
/* How long the loop may sleep before present_poll has work (replay, auto-advance), capped. */
int present_timeout(const present *p, int timeout_ms);
/* Auto-advance and replay: call after every turn of the loop (also in script mode). */
void present_poll(present *p);

#endif
