/* SPDX-License-Identifier: MIT */
/* grade — quiz answers judged from the course (see grade.h). */
#include "lesson/grade.h"

#include <stdlib.h>
#include <string.h>

#include "lesson/engine.h"

static const lesson_quiz *find_quiz(const course *c, const char *lesson_id, const char *quiz_id)
{
    const lesson *l = c && lesson_id ? course_find(c, lesson_id, NULL) : NULL;
    for (size_t b = 0; l && quiz_id && b < l->nblocks; b++) {
        const lesson_block *bl = &l->blocks[b];
        if (bl->kind == LESSON_QUIZ && bl->quiz->id && strcmp(bl->quiz->id, quiz_id) == 0)
            return bl->quiz;
    }
    return NULL;
}

/* "1,3" → chosen[0] and chosen[2]; false when malformed. */
static bool parse_choices(const char *s, bool *chosen, size_t n)
{
    if (!s || !*s) return false;
    while (*s) {
        char *end = NULL;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || (size_t)v > n || chosen[v - 1]) return false;
        chosen[v - 1] = true;
        s = end;
        while (*s == ' ') s++;
        if (*s == ',')
            s++;
        else if (*s)
            return false;
        while (*s == ' ') s++;
    }
    return true;
}

grade_verdict grade_answer(const course *c, const char *lesson_id, const char *quiz_id,
                           const char *answer)
{
    const lesson_quiz *q = find_quiz(c, lesson_id, quiz_id);
    if (!q) return GRADE_UNKNOWN;
    if (q->type == QUIZ_PRACTICAL) return GRADE_UNGRADABLE;
    if (q->type == QUIZ_TEXT)
        return answer && engine_text_correct(q, answer) ? GRADE_RIGHT : GRADE_WRONG;
    bool *chosen = calloc(q->nopts + 1, sizeof *chosen);
    if (!chosen) return GRADE_WRONG;
    bool ok =
        parse_choices(answer, chosen, q->nopts) && engine_choices_correct(q, chosen, q->nopts);
    free(chosen);
    return ok ? GRADE_RIGHT : GRADE_WRONG;
}

json_t *grade_course_json(const course *c)
{
    static const char *const types[] = {"single", "multi", "text", "practical"};
    json_t *out = json_object();
    for (size_t i = 0; c && i < c->n; i++) {
        const lesson *l = c->lessons[i];
        if (!l->id) continue;
        json_t *qs = json_object();
        for (size_t b = 0; b < l->nblocks; b++) {
            const lesson_block *bl = &l->blocks[b];
            if (bl->kind != LESSON_QUIZ || !bl->quiz->id) continue;
            const lesson_quiz *q = bl->quiz;
            json_t *opts = json_array();
            for (size_t k = 0; k < q->nopts; k++)
                json_array_append_new(opts, json_pack("{s:s, s:b}", "text",
                                                      q->opts[k].text ? q->opts[k].text : "",
                                                      "correct", q->opts[k].correct));
            json_object_set_new(qs, q->id,
                                json_pack("{s:s, s:s, s:o}", "type", types[q->type], "text",
                                          q->question ? q->question : "", "options", opts));
        }
        json_object_set_new(
            out, l->id,
            json_pack("{s:s, s:o}", "title", l->title ? l->title : "", "questions", qs));
    }
    return out;
}
