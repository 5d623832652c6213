/* SPDX-License-Identifier: MIT */
/* parse — one lesson file (lessons/README.md is the format contract) into a lesson struct: front
 * matter, Markdown prose, fenced ```step and ```quiz blocks. Every problem is reported as
 * `file:line: message` in a diagnostics list; parsing never crashes on any bytes (it is fuzzed). */
#ifndef TL_LESSON_PARSE_H
#define TL_LESSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "lesson/check.h"

#define PARSE_MAX_FILE (1u << 20) /* a lesson larger than 1 MiB is an error */

/* Diagnostics: "file:line: message" strings, in file order. */
typedef struct parse_diags {
    char **msgs; /* owned */
    size_t n, cap;
} parse_diags;

void parse_diags_add(parse_diags *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void parse_diags_free(parse_diags *d);

/* An action line split into words (shell-like quotes removed); argv[0] is the action name. */
typedef struct lesson_action {
    int line;
    size_t argc;
    char **argv;
    char *text; /* as written */
} lesson_action;

typedef struct lesson_fail {
    lesson_cond cond;
    char *text; /* feedback shown when cond holds and the checks fail */
} lesson_fail;

typedef struct lesson_step {
    char *id;
    int line;
    char *title;
    lesson_action *acts; /* do: */
    size_t nacts;
    lesson_cond *checks;
    size_t nchecks;
    char *ok; /* may be NULL */
    lesson_fail *fails;
    size_t nfails;
    char **hints;
    size_t nhints;
    lesson_action *solution; /* run by the reference path after acts */
    size_t nsolution;
} lesson_step;

typedef enum lesson_quiz_type {
    QUIZ_SINGLE,
    QUIZ_MULTI,
    QUIZ_TEXT,
    QUIZ_PRACTICAL
} lesson_quiz_type;

typedef struct lesson_option {
    char *text;
    bool correct;
} lesson_option;

typedef struct lesson_quiz {
    char *id;
    int line;
    lesson_quiz_type type;
    char *question; /* question: or task: */
    lesson_option *opts;
    size_t nopts;
    char **answers; /* text: accepted answers */
    size_t nanswers;
    char *explain;
    char **hints;
    size_t nhints;
    lesson_cond *checks; /* practical */
    size_t nchecks;
    lesson_action *solution; /* practical */
    size_t nsolution;
} lesson_quiz;

typedef enum lesson_block_kind {
    LESSON_PROSE, /* Markdown text between fences (headings, paragraphs, lists, quotes) */
    LESSON_CODE,  /* a fenced block in another language, shown as is */
    LESSON_STEP,
    LESSON_QUIZ,
} lesson_block_kind;

typedef struct lesson_block {
    lesson_block_kind kind;
    int line;
    char *text;        /* PROSE / CODE: the lines, '\n'-separated; NULL otherwise */
    char *lang;        /* CODE: the info string ("json", "http", ""); NULL otherwise */
    lesson_step *step; /* STEP */
    lesson_quiz *quiz; /* QUIZ */
} lesson_block;

typedef struct lesson {
    char *path; /* file as given */
    char *id;
    char *title;
    char *level; /* beginner | intermediate | advanced */
    int minutes;
    char **requires;
    size_t nrequires;
    int requires_line; /* line of `requires:` in the front matter (1 when absent) */
    char **labs;
    size_t nlabs;
    char *lang; /* "en" unless the file is id.LANG.md */
    lesson_block *blocks;
    size_t nblocks;
    size_t nsteps, nquizzes; /* counts of STEP / QUIZ blocks */
} lesson;

/* Parses `len` bytes of `text` read from `file` (used in messages). Appends every problem to
 * `diags`. Returns the lesson (caller frees with parse_lesson_free) when there was no error, else
 * NULL. Course-level rules (unique ids across files, `requires` naming a real lesson) are checked
 * by course.c. */
lesson *parse_lesson(const char *file, const char *text, size_t len, parse_diags *diags);
void parse_lesson_free(lesson *l);

/* Splits an action line into words; false (with a message) on an unterminated quote. */
bool parse_words(const char *s, char ***argv, size_t *argc, tl_err *e);
void parse_words_free(char **argv, size_t argc);

/* The n-th interactive block (steps and quizzes in document order), or NULL. */
const lesson_block *parse_item(const lesson *l, size_t n);
size_t parse_item_count(const lesson *l);

#endif
