/* SPDX-License-Identifier: MIT */
/* player — the headless player: starts an embedded server (port 0) unless given one, and runs every
 * lesson's reference path: each step's `do:` and `solution:` actions then its checks, each
 * practical quiz's solution then its checks; other quizzes are answered from their reference
 * answers (which must be judged correct). An item whose checks read `response.*` or `server.*`
 * must not pass on entry, before its own actions (no stale answer from an earlier item). Every
 * check that stays red is reported as "file:line: lesson ID, step ID: check 'COND' does not hold
 * (what the state held)". */
#ifndef TL_LESSON_PLAYER_H
#define TL_LESSON_PLAYER_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "lesson/course.h"
#include "lesson/parse.h"

typedef struct player_options {
    const char *server_url; /* NULL = start an embedded server on 127.0.0.1:0 */
    const char *lab_key;    /* for server_url; ignored for the embedded server */
    const char *only;       /* play only this lesson id, or NULL */
    FILE *log;      /* progress lines ("play jwt-anatomy: 4 steps, 8 questions ok"), or NULL */
    int timeout_ms; /* per action; 0 = 20000 */
    /* After each quiz: the answer given ("1,3" for options, the text, NULL for a practical quiz)
     * and whether the engine judged it right; after each lesson with quiz == NULL (a class
     * member reports these, as the TUI does). May be NULL. */
    void (*on_answer)(void *ud, const lesson *l, const lesson_quiz *quiz, const char *answer,
                      bool right);
    void *answer_ud;
} player_options;

typedef struct player_stats {
    size_t lessons, steps, quizzes; /* played */
    size_t failures;                /* red checks / wrong reference answers / failed actions */
} player_stats;

/* Plays the course; problems go to `out` as file:line messages. Returns false (e filled) only when
 * playing could not start (server, transport). */
bool player_run(const course *c, const player_options *o, parse_diags *out, player_stats *stats,
                tl_err *e);

#endif
