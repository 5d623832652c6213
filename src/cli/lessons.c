/* SPDX-License-Identifier: MIT */
/* lessons — `tokenlab lessons list|check|reset`: the course as data, its linter and headless
 * player, and resetting progress. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/assets.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/lessons.h"
#include "lesson/course.h"
#include "lesson/parse.h"
#include "lesson/member.h"
#include "lesson/player.h"
#include "lesson/progress.h"

course *lessons_load(const char *cmd, const course_options *co, size_t *ndiags)
{
    parse_diags d = {0};
    tl_err e = {0};
    course *c = course_load(co, &d, &e);
    if (ndiags) *ndiags = d.n;
    for (size_t i = 0; i < d.n; i++) fprintf(stderr, "%s\n", d.msgs[i]);
    parse_diags_free(&d);
    if (!c) cli_errorf(cmd, "%s", e.msg);
    return c;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tokenlab lessons list [--json] [--lessons DIR] [--lang LANG]\n"
            "       tokenlab lessons check [DIR] [--lint-only] [--lesson ID] [--lang LANG]\n"
            "                              [--server URL --lab-key KEY]\n"
            "                              [--server URL --join CODE [--name NAME]]\n"
            "       tokenlab lessons reset ID|--all [--yes]\n\n"
            "list    every lesson: id, title, level, minutes, steps, questions, your status\n"
            "check   lint lesson files (file:line: message) and play each lesson's reference path\n"
            "        against an embedded server; exit 1 on any problem. DIR defaults to the\n"
            "        built-in course; translations (ID.LANG.md) are linted, --lang plays one.\n"
            "        --server URL --lab-key KEY plays against a running tokenlab serve;\n"
            "        --server URL --join CODE joins a class server (tokenlab serve --class) as a\n"
            "        student named NAME (default 'lessons check') and plays in that student's\n"
            "        own lab, with the student's own account.\n"
            "reset   forget the progress of one lesson, or of everything (asks unless --yes)\n");
}

enum {
    O_JSON = 1,
    O_LESSONS,
    O_LANG,
    O_LINT,
    O_LESSON,
    O_SERVER,
    O_LABKEY,
    O_JOIN,
    O_NAME,
    O_ALL,
    O_YES
};

static int cmd_list(int argc, char **argv)
{
    static const args_opt opts[] = {{"json", false, O_JSON},
                                    {"lessons", true, O_LESSONS},
                                    {"lang", true, O_LANG},
                                    {NULL, false, 0}};
    args a;
    args_init(&a, argc, argv);
    a.cmd = "lessons list";
    const char *val;
    bool json = false;
    course_options co = {0};
    int id;
    while ((id = args_next(&a, opts, &val)) != ARGS_END) {
        if (id == ARGS_HELP) {
            usage(stdout);
            return CLI_OK;
        }
        if (id == ARGS_ERROR) return CLI_USAGE;
        if (id == ARGS_POSITIONAL) {
            cli_errorf("lessons list", "unexpected argument '%s'", val);
            return CLI_USAGE;
        }
        if (id == O_JSON) json = true;
        if (id == O_LESSONS) co.dir = val;
        if (id == O_LANG) co.lang = val;
    }
    course *c = lessons_load("lessons list", &co, NULL);
    if (!c) return CLI_IO;
    /* the learner's progress, when there is any (reading never creates the file) */
    progress *pr = NULL;
    char notice[1024];
    if (!progress_open(NULL, &pr, notice, sizeof notice, NULL)) pr = NULL;
    if (notice[0]) cli_warnf("lessons list", "%s", notice);
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < c->n; i++) {
            const lesson *l = c->lessons[i];
            json_t *req = json_array();
            for (size_t k = 0; k < l->nrequires; k++)
                json_array_append_new(req, json_string(l->requires[k]));
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:o, s:s, s:s}", "id", l->id,
                               "title", l->title, "level", l->level, "minutes", l->minutes, "steps",
                               (json_int_t)l->nsteps, "questions", (json_int_t)l->nquizzes,
                               "requires", req, "lang", l->lang, "file", l->path));
            const char *st = pr ? progress_lesson_status(pr, l->id) : NULL;
            json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "status",
                                st ? json_string(st) : json_null());
        }
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s ? s : "[]");
        free(s);
        json_decref(arr);
    } else {
        printf("%-3s %-18s %-13s %4s %5s %9s  %-8s %s\n", "#", "id", "level", "min", "steps",
               "questions", "status", "title");
        size_t steps = 0, qs = 0, mins = 0;
        for (size_t i = 0; i < c->n; i++) {
            const lesson *l = c->lessons[i];
            const char *st = pr ? progress_lesson_status(pr, l->id) : NULL;
            printf("%-3zu %-18s %-13s %4d %5zu %9zu  %-8s %s\n", i + 1, l->id, l->level, l->minutes,
                   l->nsteps, l->nquizzes, st ? st : "-", l->title);
            steps += l->nsteps;
            qs += l->nquizzes;
            mins += (size_t)l->minutes;
        }
        printf("%zu lessons, %zu minutes, %zu steps, %zu questions\n", c->n, mins, steps, qs);
    }
    progress_free(pr);
    course_free(c);
    return CLI_OK;
}

/* A joined player reports like the TUI: each answer (the server grades it) and each finished
 * lesson, to the class's room; a 429 waits for its Retry-After (a few times). */
typedef struct class_reporter {
    http_client *h;
    const char *room;
    char auth[300];
    size_t sent, failed;
} class_reporter;

static void report_answer(void *ud, const lesson *l, const lesson_quiz *q, const char *answer,
                          bool right)
{
    class_reporter *cr = ud;
    json_t *body =
        q ? json_pack("{s:s, s:{s:s, s:b}}", "lesson", l->id, "quiz", "id", q->id, "correct", right)
          : json_pack("{s:s, s:b}", "lesson", l->id, "completed", 1);
    if (q && answer)
        json_object_set_new(json_object_get(body, "quiz"), "answer", json_string(answer));
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    char url[1100];
    snprintf(url, sizeof url, "%s/class/report", cr->room);
    long status = 0;
    char why[600] = "";
    for (int attempt = 0; txt && attempt < 5; attempt++) {
        http_request *r = http_request_new("POST", url);
        if (!r) break;
        http_request_set_header(r, "Authorization", cr->auth);
        http_request_set_body(r, "application/json", txt, strlen(txt));
        tl_err e = {0};
        http_exchange *x = http_send_wait(cr->h, r, &e);
        http_request_free(r);
        status = x && x->state == HTTP_DONE ? x->status : 0;
        const char *ra = status == 429 ? http_exchange_header(x, "Retry-After") : NULL;
        const char *d = x ? json_string_value(json_object_get(x->json, "error_description")) : NULL;
        snprintf(why, sizeof why, "%s", d ? d : x && x->state != HTTP_DONE ? e.msg : "");
        http_exchange_unref(x);
        if (status != 429) break;
        sleep((unsigned)(ra && atoi(ra) > 0 && atoi(ra) < 10 ? atoi(ra) : 1));
    }
    free(txt);
    if (status == 204) {
        cr->sent++;
        return;
    }
    cr->failed++;
    fprintf(stderr, "class: the report of %s%s%s was refused (HTTP %ld): %s\n", l->id, q ? "/" : "",
            q ? q->id : " (completed)", status, why);
}

static int cmd_check(int argc, char **argv)
{
    static const args_opt opts[] = {{"lint-only", false, O_LINT}, {"lesson", true, O_LESSON},
                                    {"server", true, O_SERVER},   {"lab-key", true, O_LABKEY},
                                    {"lang", true, O_LANG},       {"join", true, O_JOIN},
                                    {"name", true, O_NAME},       {NULL, false, 0}};
    args a;
    args_init(&a, argc, argv);
    a.cmd = "lessons check";
    const char *val, *dir = NULL, *join = NULL, *name = "lessons check";
    bool lint_only = false;
    player_options po = {.log = stderr};
    course_options co = {0};
    int id;
    while ((id = args_next(&a, opts, &val)) != ARGS_END) {
        if (id == ARGS_HELP) {
            usage(stdout);
            return CLI_OK;
        }
        if (id == ARGS_ERROR) return CLI_USAGE;
        if (id == ARGS_POSITIONAL) {
            if (dir) {
                cli_errorf("lessons check", "only one folder, please ('%s' and '%s')", dir, val);
                return CLI_USAGE;
            }
            dir = val;
        }
        if (id == O_LINT) lint_only = true;
        if (id == O_LESSON) po.only = val;
        if (id == O_SERVER) po.server_url = val;
        if (id == O_LABKEY) po.lab_key = val;
        if (id == O_LANG) co.lang = val;
        if (id == O_JOIN) join = val;
        if (id == O_NAME) name = val;
    }
    if (join && (!po.server_url || po.lab_key)) {
        cli_errorf("lessons check", "%s",
                   po.lab_key ? "--join plays in the student's own lab, whose key is the student "
                                "token: leave out --lab-key"
                              : "--join needs --server URL (the class server)");
        return CLI_USAGE;
    }
    /* The built-in course by default: checked as a folder, so its translations are linted too */
    char builtin[4096];
    if (!dir && assets_data_dir()) {
        snprintf(builtin, sizeof builtin, "%s/lessons", assets_data_dir());
        dir = builtin;
    }
    if (dir) {
        co.dir = dir;
        co.only_dir = true;
    }
    size_t lint_errors = 0;
    course *c = lessons_load("lessons check", &co, &lint_errors);
    if (!c) return CLI_IO;
    if (po.only && !course_find(c, po.only, NULL)) {
        cli_errorf("lessons check", "no lesson with id '%s'", po.only);
        course_free(c);
        return CLI_USAGE;
    }
    if (c->n == 0 && lint_errors == 0) {
        cli_errorf("lessons check", "no lessons in %s (lesson files are NN-id.md)",
                   dir ? dir : "the course");
        course_free(c);
        return CLI_INVALID;
    }
    size_t questions = course_question_count(c);
    fprintf(stderr, "lint: %zu lesson%s, %zu question%s, %zu error%s\n", c->n, c->n == 1 ? "" : "s",
            questions, questions == 1 ? "" : "s", lint_errors, lint_errors == 1 ? "" : "s");
    int rc = lint_errors ? CLI_INVALID : CLI_OK;
    json_t *member = NULL;
    http_client *h = NULL;
    class_reporter cr = {0};
    if (!lint_only && join) { /* a student of the class: their own lab, their own account */
        tl_err je = {0};
        h = http_client_new();
        if (!h || !member_join(h, po.server_url, join, name, &member, &je)) {
            cli_errorf("lessons check", "%s", h ? je.msg : "cannot create the HTTP client");
            http_client_free(h);
            course_free(c);
            return err_is(&je, "join.refused") ? CLI_INVALID : CLI_IO;
        }
        member_apply(c, member);
        cr.h = h;
        cr.room = po.server_url;
        snprintf(cr.auth, sizeof cr.auth, "Bearer %s",
                 json_string_value(json_object_get(member, "student_token")));
        po.on_answer = report_answer;
        po.answer_ud = &cr;
        po.server_url = member_lab_url(member, po.server_url);
        po.lab_key = json_string_value(json_object_get(member, "student_token"));
        fprintf(stderr, "joined as %s: playing in %s\n",
                json_string_value(json_object_get(member, "student_id")), po.server_url);
    }
    if (!lint_only) {
        player_stats st = {0};
        parse_diags pd = {0};
        tl_err e = {0};
        if (!player_run(c, &po, &pd, &st, &e)) {
            cli_errorf("lessons check", "cannot play the lessons: %s", e.msg);
            rc = CLI_IO;
        } else {
            for (size_t i = 0; i < pd.n; i++) fprintf(stderr, "%s\n", pd.msgs[i]);
            fprintf(stderr, "play: %zu lesson%s, %zu step%s, %zu question%s, %zu failure%s\n",
                    st.lessons, st.lessons == 1 ? "" : "s", st.steps, st.steps == 1 ? "" : "s",
                    st.quizzes, st.quizzes == 1 ? "" : "s", st.failures,
                    st.failures == 1 ? "" : "s");
            if (st.failures) rc = CLI_INVALID;
            if (join) {
                fprintf(stderr, "class: %zu report%s sent, %zu refused or lost\n", cr.sent,
                        cr.sent == 1 ? "" : "s", cr.failed);
                if (cr.failed) rc = CLI_INVALID;
            }
        }
        parse_diags_free(&pd);
    }
    json_decref(member);
    http_client_free(h);
    course_free(c);
    return rc;
}

static int cmd_reset(int argc, char **argv)
{
    static const args_opt opts[] = {{"all", false, O_ALL}, {"yes", false, O_YES}, {NULL, false, 0}};
    args a;
    args_init(&a, argc, argv);
    a.cmd = "lessons reset";
    const char *val, *lid = NULL;
    bool all = false, yes = false;
    int id;
    while ((id = args_next(&a, opts, &val)) != ARGS_END) {
        if (id == ARGS_HELP) {
            usage(stdout);
            return CLI_OK;
        }
        if (id == ARGS_ERROR) return CLI_USAGE;
        if (id == ARGS_POSITIONAL) {
            if (lid) {
                cli_errorf("lessons reset", "one lesson at a time, please ('%s' and '%s')", lid,
                           val);
                return CLI_USAGE;
            }
            lid = val;
        }
        if (id == O_ALL) all = true;
        if (id == O_YES) yes = true;
    }
    if (all == (lid != NULL)) {
        cli_errorf("lessons reset", "say which lesson to reset (an id) or --all");
        return CLI_USAGE;
    }
    char notice[1024];
    tl_err e = {0};
    progress *p = NULL;
    if (!progress_open(NULL, &p, notice, sizeof notice, &e)) {
        cli_errorf("lessons reset", "%s", e.msg);
        return CLI_IO;
    }
    if (notice[0]) cli_warnf("lessons reset", "%s", notice);
    if (all && !yes) {
        if (!isatty(STDIN_FILENO)) {
            cli_errorf("lessons reset", "resetting all progress needs confirmation: add --yes");
            progress_free(p);
            return CLI_USAGE;
        }
        fprintf(stderr, "Forget all progress in %s? [y/N] ", progress_path(p));
        char line[16] = "";
        if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
            fprintf(stderr, "nothing changed\n");
            progress_free(p);
            return CLI_INVALID;
        }
    }
    if (!all && !progress_lesson_status(p, lid)) {
        course_options co = {0};
        parse_diags d = {0};
        course *c = course_load(&co, &d, NULL);
        parse_diags_free(&d);
        bool known = c && course_find(c, lid, NULL);
        course_free(c);
        if (!known) {
            cli_errorf("lessons reset", "no lesson with id '%s' (see tokenlab lessons list)", lid);
            progress_free(p);
            return CLI_USAGE;
        }
    }
    bool ok = all ? progress_reset_all(p, &e) : progress_reset_lesson(p, lid, &e);
    if (!ok) {
        cli_errorf("lessons reset", "%s", e.msg);
        progress_free(p);
        return CLI_IO;
    }
    if (all)
        printf("all progress reset (%s)\n", progress_path(p));
    else
        printf("progress of lesson '%s' reset\n", lid);
    progress_free(p);
    return CLI_OK;
}

int cli_lessons_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "list") == 0) return cmd_list(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0) return cmd_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "reset") == 0) return cmd_reset(argc - 1, argv + 1);
    cli_errorf("lessons", "unknown subcommand '%s' (list, check, reset)", argv[1]);
    return CLI_USAGE;
}
