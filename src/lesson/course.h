/* SPDX-License-Identifier: MIT */
/* course — every lesson the learner can take: the built-in ones (assets_data_dir()/lessons), the
 * user lessons folder ($XDG_DATA_HOME/tokenlab/lessons, default ~/.local/share/tokenlab/lessons)
 * and an extra folder (--lessons DIR). Ordered by file name; a lesson id seen again in a later
 * folder replaces the earlier one. Translations `ID.LANG.md` replace `ID.md` when LANG is chosen
 * (`--lang`, else $LANG's language part); English is the fallback. */
#ifndef TL_LESSON_COURSE_H
#define TL_LESSON_COURSE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "lesson/parse.h"

typedef struct course_options {
    const char *dir;  /* --lessons DIR, or NULL */
    const char *lang; /* --lang, or NULL = from $LANG */
    bool only_dir;    /* read only `dir` (lessons check DIR): no built-in or user lessons */
} course_options;

typedef struct course {
    lesson **lessons; /* owned, in course order */
    size_t n;
    char *lang; /* chosen language ("en" when none) */
} course;

/* Loads and lints. Lessons with errors are left out; every problem (file and course level:
 * duplicate ids, `requires` naming an unknown lesson) goes to `diags` as "file:line: message".
 * Returns NULL (e filled) only when nothing could be read at all (no folder found, out of memory).
 * Caller frees with course_free. */
course *course_load(const course_options *o, parse_diags *diags, tl_err *e);
void course_free(course *c);
/* The lesson with this id, or NULL. Index in *idx when found (idx may be NULL). */
lesson *course_find(const course *c, const char *id, size_t *idx);
/* Total number of quiz questions. */
size_t course_question_count(const course *c);
/* The language part of a locale name: "de_DE.UTF-8" -> "de"; "C"/"POSIX"/NULL -> "en". buf >= 8. */
const char *course_lang_from_locale(const char *locale, char *buf, size_t n);

#endif
