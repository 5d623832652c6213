/* SPDX-License-Identifier: MIT */
/* pane_flow — ASCII sequence diagrams (learner / app / authorization server / API) kept as data in
 * assets/flows/ *.flow, drawn to fit the pane, with the current step's arrow highlighted. */
#ifndef TL_TUI_PANE_FLOW_H
#define TL_TUI_PANE_FLOW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/app.h"
#include "tui/keys.h"

typedef struct pane_flow pane_flow;

pane_flow *pane_flow_new(app *a); /* free with pane_flow_free */
void pane_flow_free(pane_flow *p);
/* Shows the diagram `name` ("jwt-login", "auth-code-pkce", "client-credentials", "refresh",
 * "device"); false when there is no such flow. */
bool pane_flow_select(pane_flow *p, const char *name);
/* Highlights the arrow with this id (the diagram's step names), or clears with NULL. */
void pane_flow_highlight(pane_flow *p, const char *step);
/* Picks the diagram and arrow that fit a lesson/step id or an HTTP exchange ("POST /token"). */
void pane_flow_follow(pane_flow *p, const char *method, const char *path, const char *form);
int pane_flow_key(pane_flow *p, int key, tui_action act);
void pane_flow_draw(pane_flow *p, WINDOW *w, bool focused);
const char *pane_flow_name(const pane_flow *p);
/* Why the diagram `name` could not be read ("flows/x.flow:3: unknown actor 'y'"), or NULL when
 * it is fine; "no such flow" for an unknown name. */
const char *pane_flow_error(const pane_flow *p, const char *name);
/* The step ids of diagram `name` in order, NULL-terminated (at most `max` - 1 of them). */
size_t pane_flow_steps(const pane_flow *p, const char *name, const char **ids, size_t max);

#endif
