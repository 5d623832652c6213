/* SPDX-License-Identifier: MIT */
/* class_dash — the instructor's live class dashboard TUI (issue 6): `tokenlab class --server URL
 * --key KEY`. Talks to the class endpoints of docs/class.md (GET /class/state, /class/events,
 * POST /class/lab) with the instructor key. Implemented by the presenter helper. */
#ifndef TL_TUI_CLASS_DASH_H
#define TL_TUI_CLASS_DASH_H

/* Runs until the instructor quits. server_url: "http://HOST:PORT" (no trailing slash needed);
 * key: the instructor key printed by `tokenlab serve --class`. Returns a CLI exit code (0 ok,
 * 1 the server refused the key, 2 no terminal, 3 the server cannot be reached). */
int tui_class_dashboard(const char *server_url, const char *key);

#endif
