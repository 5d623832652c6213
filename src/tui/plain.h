/* SPDX-License-Identifier: MIT */
/* plain — the course as a line-oriented dialogue (`tokenlab --plain`), for a screen reader, a
 * braille display or a plain pipe. It uses the same server link (net.h: the embedded server or
 * --server URL), lesson engine, progress file and class membership (join.h) as the full-screen
 * TUI, and never moves the cursor, draws boxes or lets colour carry meaning. Lesson prose is
 * printed once, as paragraphs; after each command it says what changed, once ("The server
 * answered 200 to POST /login. A new login token is in the decoder. Step 3 passed."), so a screen
 * reader speaks only news. Commands are read one per line (`help` lists them); any other line is
 * an action of the `:` console (lessons/README.md "Actions"). docs/accessibility.md is the guide.
 */
#ifndef TL_TUI_PLAIN_H
#define TL_TUI_PLAIN_H

#include <stdio.h>

#include "tui/join.h"

typedef struct plain_opts {
    const char *server_url;  /* NULL: start the embedded server */
    const char *lab_key;     /* the remote server's lab key, or NULL */
    const char *lessons_dir; /* --lessons DIR, or NULL */
    const char *lang;        /* --lang, or NULL */
    const char *lesson_id;   /* --lesson ID, or NULL: resume */
    join_opts join;          /* --join CODE --name NAME (class mode), code NULL without */
    bool fresh_keys;         /* --fresh-keys: the embedded server makes a new signing key */
} plain_opts;

/* Runs the dialogue on stdin/stdout until `quit` or end of input. Returns the exit status: 0, 1
 * when the server or the lessons could not start, 2 for a join usage error, 3 when a class server
 * could not be reached. */
int plain_main(const plain_opts *o);

#endif
