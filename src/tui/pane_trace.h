/* SPDX-License-Identifier: MIT */
/* pane_trace — browser devtools for the flow: every HTTP exchange the TUI made (from the oauth
 * transport's records: the real bytes), the selected one in detail (request line, headers, form
 * body one parameter per line, response status, headers, pretty JSON, a redirect's Location split
 * into its query parameters), secrets masked until revealed, tokens highlighted (Enter loads one
 * into the decoder), and the server's own events interleaved as the server's view. */
#ifndef TL_TUI_PANE_TRACE_H
#define TL_TUI_PANE_TRACE_H

#include <curses.h>
#include <stdbool.h>

#include "oauth/http.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/net.h"

typedef struct pane_trace pane_trace;

pane_trace *pane_trace_new(app *a, http_client *http); /* http may be NULL; free with _free */
void pane_trace_free(pane_trace *p);
/* The server's view: an event from the embedded server or /lab/events. */
void pane_trace_server_event(pane_trace *p, const net_event *ev);
int pane_trace_key(pane_trace *p, int key, tui_action act);
void pane_trace_draw(pane_trace *p, WINDOW *w, bool focused);
/* Number of requests still running (for the header spinner). */
int pane_trace_pending(const pane_trace *p);
/* Text for the placeholder-port substitution in screen dumps is handled by the app. */

#endif
