/* SPDX-License-Identifier: MIT */
/* quiz — `tokenlab quiz`: the final exam in the terminal. Plain line-based prompts, so it works in
 * a pipe (answers read from stdin, one per line); questions drawn from every lesson (practical
 * tasks need the TUI and are left out), shuffled, scored, the missed ones reviewed with their
 * explanation, the score saved to progress. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/lessons.h"
#include "cli/out.h"
#include "lesson/course.h"
#include "lesson/engine.h"
#include "lesson/progress.h"

enum { O_COUNT = 1, O_LESSON, O_SEED, O_LESSONS, O_LANG, O_NOSAVE };

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tokenlab quiz [--count N] [--lesson ID] [--seed N] [--lessons DIR] [--lang LANG]\n"
        "                     [--no-save]\n\n"
        "The final exam: questions from every lesson (or one), shuffled, scored, with a review\n"
        "of the missed ones. Answers are read from stdin, one per line:\n"
        "  single choice    the option number (2)\n"
        "  multiple choice  every right option number (1,3 or 1 3)\n"
        "  free text        the answer (case, spacing and final punctuation do not matter)\n"
        "An empty line skips a question. The score is saved to your progress file.\n"
        "  --count N    number of questions (default 20; 0 = all)\n"
        "  --seed N     the same seed gives the same questions in the same order\n");
}

typedef struct pick {
    const lesson *l;
    const lesson_quiz *q;
    bool right;
    bool answered;
    char answer[256];
} pick;

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: enough to shuffle questions reproducibly from a seed */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ULL;
}

/* One line from stdin without its newline; false at EOF. */
static bool read_line(char *buf, size_t n)
{
    if (!fgets(buf, (int)n, stdin)) return false;
    size_t l = strlen(buf);
    if (l && buf[l - 1] != '\n' && !feof(stdin)) {
        int c;
        while ((c = getchar()) != EOF && c != '\n') {}
    }
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r')) buf[--l] = 0;
    return true;
}

/* "1,3" / "1 3" / "2" into chosen[]; false (with why) when anything is not an option number. */
static bool parse_choices(const char *s, bool *chosen, size_t n, bool single, char *why, size_t wn)
{
    memset(chosen, 0, n * sizeof *chosen);
    size_t count = 0;
    const char *p = s;
    while (*p) {
        while (*p && (isspace((unsigned char)*p) || *p == ',')) p++;
        if (!*p) break;
        if (!isdigit((unsigned char)*p)) {
            snprintf(why, wn, "answer with option numbers from 1 to %zu", n);
            return false;
        }
        char *end;
        long v = strtol(p, &end, 10);
        if (v < 1 || (size_t)v > n) {
            snprintf(why, wn, "there is no option %ld (1 to %zu)", v, n);
            return false;
        }
        if (!chosen[v - 1]) count++;
        chosen[v - 1] = true;
        p = end;
    }
    if (count == 0) {
        snprintf(why, wn, "answer with option numbers from 1 to %zu", n);
        return false;
    }
    if (single && count > 1) {
        snprintf(why, wn, "choose exactly one option");
        return false;
    }
    return true;
}

static void print_right_answer(const lesson_quiz *q)
{
    if (q->type == QUIZ_TEXT) {
        printf("%s", q->answers[0]);
        return;
    }
    bool first = true;
    for (size_t i = 0; i < q->nopts; i++)
        if (q->opts[i].correct) {
            printf("%s%zu) %s", first ? "" : "; ", i + 1, q->opts[i].text);
            first = false;
        }
}

int cli_quiz_main(int argc, char **argv)
{
    static const args_opt opts[] = {{"count", true, O_COUNT}, {"lesson", true, O_LESSON},
                                    {"seed", true, O_SEED},   {"lessons", true, O_LESSONS},
                                    {"lang", true, O_LANG},   {"no-save", false, O_NOSAVE},
                                    {NULL, false, 0}};
    args a;
    args_init(&a, argc, argv);
    const char *val, *only = NULL;
    int64_t count = 20, seed = -1;
    bool save = true;
    course_options co = {0};
    int id;
    while ((id = args_next(&a, opts, &val)) != ARGS_END) {
        switch (id) {
        case ARGS_HELP:
            usage(stdout);
            return CLI_OK;
        case ARGS_ERROR:
            return CLI_USAGE;
        case ARGS_POSITIONAL:
            cli_errorf("quiz", "unexpected argument '%s'", val);
            return CLI_USAGE;
        case O_COUNT:
            if (!args_parse_int(val, 0, 10000, &count)) {
                cli_errorf("quiz", "--count wants a number of questions, not '%s'", val);
                return CLI_USAGE;
            }
            break;
        case O_SEED:
            if (!args_parse_int(val, 0, INT64_MAX, &seed)) {
                cli_errorf("quiz", "--seed wants a non-negative number, not '%s'", val);
                return CLI_USAGE;
            }
            break;
        case O_LESSON:
            only = val;
            break;
        case O_LESSONS:
            co.dir = val;
            break;
        case O_LANG:
            co.lang = val;
            break;
        case O_NOSAVE:
            save = false;
            break;
        }
    }
    course *c = lessons_load("quiz", &co, NULL);
    if (!c) return CLI_IO;
    if (only && !course_find(c, only, NULL)) {
        cli_errorf("quiz", "no lesson with id '%s' (see tokenlab lessons list)", only);
        course_free(c);
        return CLI_USAGE;
    }
    size_t total = course_question_count(c);
    pick *picks = calloc(total + 1, sizeof *picks);
    size_t n = 0;
    for (size_t i = 0; picks && i < c->n; i++) {
        const lesson *l = c->lessons[i];
        if (only && strcmp(only, l->id) != 0) continue;
        for (size_t k = 0; k < parse_item_count(l); k++) {
            const lesson_block *b = parse_item(l, k);
            if (b->kind != LESSON_QUIZ || b->quiz->type == QUIZ_PRACTICAL) continue;
            picks[n].l = l;
            picks[n].q = b->quiz;
            n++;
        }
    }
    if (n == 0) {
        cli_errorf("quiz", "no questions to ask");
        free(picks);
        course_free(c);
        return CLI_INVALID;
    }
    uint64_t s = seed >= 0 ? (uint64_t)seed : ((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16));
    uint64_t used_seed = s;
    if (s == 0) s = 0x9E3779B97F4A7C15ULL;
    for (size_t i = n - 1; i > 0; i--) { /* Fisher–Yates */
        size_t j = (size_t)(rng_next(&s) % (i + 1));
        pick t = picks[i];
        picks[i] = picks[j];
        picks[j] = t;
    }
    if (count > 0 && (size_t)count < n) n = (size_t)count;

    printf("tokenlab final exam: %zu question%s (seed %llu)\n", n, n == 1 ? "" : "s",
           (unsigned long long)used_seed);
    size_t right = 0;
    bool eof = false;
    int width = out_width(stdout); /* 0 when piped: one line per question, as before */
    for (size_t i = 0; i < n && !eof; i++) {
        pick *p = &picks[i];
        const lesson_quiz *q = p->q;
        char text[2048];
        snprintf(text, sizeof text, "[%zu/%zu] %s  (lesson: %s)", i + 1, n, q->question,
                 p->l->title);
        fputc('\n', stdout);
        out_wrapped(stdout, text, width, 2);
        for (size_t k = 0; k < q->nopts; k++) {
            snprintf(text, sizeof text, "  %zu) %s", k + 1, q->opts[k].text);
            out_wrapped(stdout, text, width, 5);
        }
        const char *prompt = q->type == QUIZ_SINGLE ? "your answer (one number): "
                             : q->type == QUIZ_MULTI
                                 ? "your answer (every right number, e.g. 1,3): "
                                 : "your answer: ";
        for (int attempt = 0; attempt < 3; attempt++) {
            printf("%s", prompt);
            fflush(stdout);
            char line[256];
            if (!read_line(line, sizeof line)) {
                eof = true;
                printf("\n");
                break;
            }
            if (!isatty(STDIN_FILENO)) printf("%s\n", line); /* echo piped answers into the log */
            char norm[256];
            engine_normalize(line, norm, sizeof norm);
            if (!*norm) {
                printf("skipped\n");
                break;
            }
            if (q->type == QUIZ_TEXT) {
                p->answered = true;
                p->right = engine_text_correct(q, line);
            } else {
                bool chosen[64];
                char why[128];
                if (q->nopts > 64 || !parse_choices(line, chosen, q->nopts, q->type == QUIZ_SINGLE,
                                                    why, sizeof why)) {
                    printf("%s\n", q->nopts > 64 ? "too many options" : why);
                    continue;
                }
                p->answered = true;
                p->right = engine_choices_correct(q, chosen, q->nopts);
            }
            snprintf(p->answer, sizeof p->answer, "%s", line);
            break;
        }
        if (!p->answered) continue;
        if (p->right) {
            right++;
            printf("correct\n");
        } else {
            printf("wrong — the answer: ");
            print_right_answer(q);
            printf("\n");
        }
    }
    size_t missed = n - right;
    printf("\nscore: %zu/%zu (%zu%%)\n", right, n, n ? right * 100 / n : 0);
    if (missed) {
        printf("\nreview of the %zu missed question%s:\n", missed, missed == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) {
            pick *p = &picks[i];
            if (p->right) continue;
            char text[2048];
            snprintf(text, sizeof text, "- %s  (lesson: %s)", p->q->question, p->l->id);
            fputc('\n', stdout);
            out_wrapped(stdout, text, width, 2);
            printf("  you: %s\n  answer: ", p->answered ? p->answer : "(no answer)");
            print_right_answer(p->q);
            snprintf(text, sizeof text, "  why: %s", p->q->explain ? p->q->explain : "");
            fputc('\n', stdout);
            out_wrapped(stdout, text, width, 7);
        }
    }
    int rc = CLI_OK;
    size_t answered = 0;
    for (size_t i = 0; i < n; i++) answered += picks[i].answered;
    if (save && answered == 0) {
        printf("\nno answers: nothing saved\n");
    } else if (save) {
        progress *pr = NULL;
        char notice[1024];
        tl_err e = {0};
        if (progress_open(NULL, &pr, notice, sizeof notice, &e)) {
            if (notice[0]) cli_warnf("quiz", "%s", notice);
            if (!progress_record_exam(pr, (int)right, (int)n, used_seed, &e))
                cli_warnf("quiz", "score not saved: %s", e.msg);
            else
                printf("\nsaved to %s\n", progress_path(pr));
            progress_free(pr);
        } else {
            cli_warnf("quiz", "score not saved: %s", e.msg);
        }
    }
    free(picks);
    course_free(c);
    return rc;
}
