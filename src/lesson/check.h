/* SPDX-License-Identifier: MIT */
/* check — the condition language of lessons/README.md (`[not] PATH OP [VALUE]`, ops ==, !=,
 * contains, exists, <, >): parsing a condition and evaluating it on the learner's state. A path
 * that holds nothing makes every op false except `not …`. */
#ifndef TL_LESSON_CHECK_H
#define TL_LESSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "lesson/state.h"

typedef enum lesson_op {
    LESSON_OP_EQ,       /* == */
    LESSON_OP_NE,       /* != */
    LESSON_OP_CONTAINS, /* contains */
    LESSON_OP_EXISTS,   /* exists (no value) */
    LESSON_OP_LT,       /* < (numbers) */
    LESSON_OP_GT,       /* > (numbers) */
} lesson_op;

typedef struct lesson_cond {
    int line;
    bool negate;
    char *path; /* "response.status" (state_path_known) */
    lesson_op op;
    char *value; /* unquoted; NULL for exists */
    char *text;  /* the condition as written (for messages) */
} lesson_cond;

/* Parses one condition (`check:` / `fail:` left side), validating the path and the operator.
 * Errors: "lesson.cond" (empty, no operator, missing or extra value, '<'/'>' on a non-number),
 * "lesson.path" (unknown path), "lesson.op" (unknown operator), "lesson.nomem"; plus
 * parse_words' error for an unterminated quote. Free `out` with check_cond_free. */
bool check_parse(const char *s, lesson_cond *out, tl_err *e);
void check_cond_free(lesson_cond *c);

/* True when the condition holds. `why` (may be NULL) receives what the state held
 * ("response.status = 401", "decoder.claim.scope is missing"). */
bool check_eval(const lesson_cond *c, const lesson_state *st, char *why, size_t why_len);

#endif
