/* check — the condition language of lessons/README.md (`[not] PATH OP [VALUE]`, ops ==, !=,
 * contains, exists, <, >) evaluated on the learner's state. Parsing lives in parse.c (parse_cond);
 * this is evaluation. A path that holds nothing makes every op false except `not …`. */
#ifndef TL_LESSON_CHECK_H
#define TL_LESSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson/parse.h"
#include "lesson/state.h"

/* True when the condition holds. `why` (may be NULL) receives what the state held
 * ("response.status = 401", "decoder.claim.scope is missing"). */
bool check_eval(const lesson_cond *c, const lesson_state *st, char *why, size_t why_len);

#endif
