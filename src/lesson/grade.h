/* SPDX-License-Identifier: MIT */
/* grade — the class server's own judgement of quiz answers (docs/class.md "Answers the server
 * grades"): the same rules as the engine, applied to what a student's client reports. The server
 * layer cannot read lessons, so `tokenlab serve --class` hands it these as a server_grader. */
#ifndef TL_LESSON_GRADE_H
#define TL_LESSON_GRADE_H

#include <jansson.h>

#include "lesson/course.h"

typedef enum grade_verdict {
    GRADE_WRONG = 0,
    GRADE_RIGHT = 1,
    GRADE_UNKNOWN = -1,    /* no such lesson or question in the course */
    GRADE_UNGRADABLE = -2, /* a practical quiz: its proof is the student's lab state, not text */
} grade_verdict;

/* `answer`: the chosen options as 1-based numbers "1,3" (single, multi) or the text typed. A
 * malformed choice list (not numbers, out of range, repeated) is wrong. */
grade_verdict grade_answer(const course *c, const char *lesson_id, const char *quiz_id,
                           const char *answer);

/* {"LESSON": {"title", "questions": {"ID": {"type", "text", "options": [{"text", "correct"}]}}}}
 * for the dashboard. New reference. */
json_t *grade_course_json(const course *c);

#endif
