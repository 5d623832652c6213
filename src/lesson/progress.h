/* SPDX-License-Identifier: MIT */
/* progress — where the learner is and what they did, per user, in
 * $XDG_STATE_HOME/tokenlab/progress.json (default ~/.local/state/tokenlab/progress.json).
 *
 * Versioned JSON ("version":1): current lesson and item, completed steps (with dates), quiz answers
 * (correct or not, attempts, the answer, date), exam scores. Written with fileio_write_atomic after
 * EVERY change, so killing the program at any instant loses nothing. A file that does not parse, or
 * has another version, is moved aside to `progress.json.corrupt-<unix time>` and a fresh one
 * started; progress_open() says so in `notice` instead of failing. */
#ifndef TL_LESSON_PROGRESS_H
#define TL_LESSON_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define PROGRESS_VERSION 1

typedef struct progress progress; /* opaque */

/* $XDG_STATE_HOME/tokenlab/NAME (or ~/.local/state/tokenlab/NAME): the folder of what tokenlab
 * keeps between runs (the class database, the kept server key). Caller frees. */
char *progress_state_file(const char *name);
/* The default path ($XDG_STATE_HOME/tokenlab/progress.json or ~/.local/state/...). Caller frees. */
char *progress_default_path(void);
/* path NULL = default. `notice` (may be NULL) receives a message when the file was moved aside
 * ("progress file …: not valid JSON (line 3); moved aside to …; starting fresh"), else "".
 * Fails only when memory runs out or the directory cannot be created. Caller frees. */
bool progress_open(const char *path, progress **out, char *notice, size_t notice_len, tl_err *e);
void progress_free(progress *p);
const char *progress_path(const progress *p);
/* Why the last write failed ("cannot write …: Permission denied"), or NULL when it succeeded —
 * callers that pass a NULL tl_err to the setters (the engine) can show it. */
const char *progress_error(const progress *p);

/* Each setter writes the file; false (e filled) when the write failed — the change is kept in
 * memory and written again with the next change. */
bool progress_set_current(progress *p, const char *lesson_id, const char *item_id, tl_err *e);
const char *progress_current_lesson(const progress *p); /* or NULL */
const char *progress_current_item(const progress *p);   /* or NULL */

bool progress_mark_step(progress *p, const char *lesson_id, const char *step_id, tl_err *e);
bool progress_step_done(const progress *p, const char *lesson_id, const char *step_id);

/* Records an answer (answer text may be NULL). The first answer's verdict counts for the score;
 * later attempts only raise `attempts` and keep the latest answer. */
bool progress_record_quiz(progress *p, const char *lesson_id, const char *quiz_id, bool correct,
                          const char *answer, tl_err *e);
/* -1 never answered, 0 answered wrong (first attempt), 1 right. */
int progress_quiz_result(const progress *p, const char *lesson_id, const char *quiz_id);
/* The latest attempt: -1 never answered, 0 wrong, 1 right (a quiz got wrong, then right, is 1). */
int progress_quiz_last(const progress *p, const char *lesson_id, const char *quiz_id);
/* Completed steps and first-attempt-correct quizzes of one lesson. */
void progress_lesson_counts(const progress *p, const char *lesson_id, size_t *steps_done,
                            size_t *quizzes_answered, size_t *quizzes_correct);
/* Marks the lesson finished (or skipped). */
bool progress_mark_lesson(progress *p, const char *lesson_id, bool skipped, tl_err *e);
/* "done", "skipped", "started", or NULL when never opened. Static strings. */
const char *progress_lesson_status(const progress *p, const char *lesson_id);

/* Final exam: appends {date, correct, total, seed}. */
bool progress_record_exam(progress *p, int correct, int total, uint64_t seed, tl_err *e);
size_t progress_exam_count(const progress *p);
bool progress_exam_get(const progress *p, size_t i, int *correct, int *total, int64_t *date);

bool progress_reset_lesson(progress *p, const char *lesson_id, tl_err *e);
bool progress_reset_all(progress *p, tl_err *e);

#endif
