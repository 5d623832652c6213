/* SPDX-License-Identifier: MIT */
/* join — a student joins a class server (issue 6): `tokenlab --server URL --join CODE --name NAME`.
 * Before the TUI starts it joins (POST /class/join; or reuses the membership saved for this server,
 * code and name if GET /class/me still knows it), prints the student's own user, client id/secret
 * and redirect URIs (so their own programs can use the server too), and asks once whether to share
 * lesson progress and quiz results with the instructor (the answer is saved; --report/--no-report
 * answer it without asking). In the lessons, the demo user alice@example.com / wonderland becomes
 * the student's own account. While the TUI runs, reporting (when shared) sends POST /class/report
 * on every step change and quiz answer; the header says which class and whether it is shared. */
#ifndef TL_TUI_JOIN_H
#define TL_TUI_JOIN_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

struct engine;

typedef struct join_opts {
    const char *code; /* --join CODE */
    const char *name; /* --name NAME */
    int report;       /* 0: ask once; --report 1, --no-report 2 */
} join_opts;

typedef struct join join;

/* Option hook for tui_main: 1 when argv[*i] was ours (value consumed), 0 not ours, -1 bad. */
int join_parse_opt(join_opts *o, int argc, char **argv, int *i);
void join_usage(FILE *f);
/* Joins before curses starts. NULL without error when there is no --join; NULL with `e` set
 * ("join.refused", "join.io", "join.usage") when it failed. Free with join_free. */
join *join_start(const join_opts *o, const char *server_url, tl_err *e);
/* Puts the student's account into the course the engine runs (before any step runs); reports
 * follow this engine (borrowed: the TUI's lesson pane's or the line mode's). */
void join_attach(join *j, struct engine *en);
/* Reports what changed (step, quiz answers, a finished lesson); cheap, call every loop turn. */
void join_poll(join *j);
/* "class: Ada · sharing progress", for the header; "" without a class. Borrowed. */
/* The student's own lab on the class server (docs/class.md): the URL the TUI uses as its server
 * and the key of its /lab/ endpoints (the student token); NULL without a class. */
const char *join_lab_url(const join *j);
const char *join_lab_key(const join *j);
const char *join_header(const join *j);
/* Is a server event about another student of the class (their client, or their class account
 * named in the message)? False without a class. */
bool join_event_is_others(const join *j, const char *client_id, const char *message);
/* Reports what changed, then waits up to timeout_ms for the reports in flight to be answered (at
 * quit: a report still queued when the program leaves would be lost). */
void join_flush(join *j, int timeout_ms);
void join_free(join *j);

#endif
