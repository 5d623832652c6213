/* SPDX-License-Identifier: MIT */
/* pane_lesson — the lesson pane on the lesson engine: the lesson list, the current lesson's prose
 * wrapped and scrollable, the current step highlighted, steps as buttons, quiz widgets, hints and
 * feedback. */
#ifndef TL_TUI_PANE_LESSON_H
#define TL_TUI_PANE_LESSON_H

#include <curses.h>
#include <stdbool.h>

#include "tui/app.h"
#include "tui/keys.h"

typedef struct pane_lesson pane_lesson;
struct net;
struct jwk;

typedef struct pane_lesson_options {
    const char *lessons_dir; /* --lessons */
    const char *lang;        /* --lang */
    const char *lesson_id;   /* --lesson: jump there */
} pane_lesson_options;

/* Loads the course and opens the saved (or requested) lesson. Never fails: problems are shown in
 * the pane. Free with pane_lesson_free. */
pane_lesson *pane_lesson_new(app *a, struct net *n, const pane_lesson_options *o);
void pane_lesson_free(pane_lesson *p);
/* The server is reachable (the embedded one finished starting): open the saved or asked lesson. */
void pane_lesson_connect(pane_lesson *p);
int pane_lesson_key(pane_lesson *p, int key, tui_action act);
/* A mouse click at (y, x) inside the pane window. */
int pane_lesson_click(pane_lesson *p, int y, int x);
void pane_lesson_draw(pane_lesson *p, WINDOW *w, bool focused);
/* Opens the lesson list. */
void pane_lesson_show_list(pane_lesson *p);
/* A lesson is open (the `l` key shows it; with none open, l shows the list). */
bool pane_lesson_has_lesson(const pane_lesson *p);
/* True while a text field (quiz answer) owns the keyboard. */
bool pane_lesson_editing(const pane_lesson *p);
/* For the header, "" when no lesson is open. level 0: "3. Lesson title · step 2/5"; 1 drops the
 * number; 2 also the word "step" ("Lesson title · 2/5"). With maxcols > 0 a longer text keeps its
 * step and cuts the title with an ellipsis (it may still be wider when even that cannot fit). */
const char *pane_lesson_status(const pane_lesson *p, int level, int maxcols);
/* The flow diagram that goes with the current lesson, or NULL. */
const char *pane_lesson_flow(const pane_lesson *p);
/* The decoder token changed (the learner edited it): the state sees it. */
void pane_lesson_decoder_changed(pane_lesson *p, const char *token);
/* The learner's decoder key given for `token` (NULL clears), shared with the state the checks
 * read (state_set_decoder_given). */
void pane_lesson_decoder_key(pane_lesson *p, struct jwk *key, const char *what, const char *token);
/* The engine's lab key, generated on first use; NULL without a lesson engine (borrowed). */
struct jwk *pane_lesson_lab_key(pane_lesson *p);
/* The lab key if it exists already; never generates one. Borrowed. */
const struct jwk *pane_lesson_lab_key_held(pane_lesson *p);
/* Seconds the clock was fast-forwarded by the lesson. */
long long pane_lesson_clock_offset(const pane_lesson *p);
/* For presenter mode (present.c): the lesson engine (NULL when none; borrowed), and the pane's
 * light-Markdown prose renderer. */
struct engine *pane_lesson_engine(pane_lesson *p);
/* The action console (console.c) ran something: re-evaluates the current step's / practical
 * quiz's checks and shows the feedback as Run does. False (out untouched) when the current item has
 * no checks (a choice or text quiz, a step without check:, no lesson), is a step that has already
 * passed (its ✓ and feedback stay), or the engine is busy. */
struct engine_feedback;
bool pane_lesson_recheck(pane_lesson *p, struct engine_feedback *out);
struct doc;
void pane_lesson_put_prose(struct doc *d, const char *text);

#endif
