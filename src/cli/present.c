/* SPDX-License-Identifier: MIT */
/* present — `tokenlab present LESSON [--auto SECONDS] [--record FILE] [--replay FILE] [--speed X]
 * [--server URL]`: the TUI in presenter mode on one lesson (issue 6). A thin wrapper over
 * tui_main: it picks the lesson, defaults the theme to high-contrast, and gives a replay a scratch
 * progress store so it starts from a clean slate and leaves the presenter's progress alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lesson/course.h"
#include "lesson/parse.h"
#include "tui/tui.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tokenlab present LESSON [--auto SECONDS] [--record FILE] [--speed X]\n"
            "                               [--server URL] [TUI options]\n"
            "       tokenlab present [LESSON] --replay FILE [--speed X]\n\n"
            "Presenter mode for a projector: the lesson large on the left, the flow diagram and\n"
            "the HTTP trace on the right, a high-contrast theme, no key hints.\n"
            "  Space, Right    run the current step, or once it ran, go to the next\n"
            "  Left            back one step\n"
            "  r               run the current step's requests again\n"
            "  a               reveal (hide) the quiz answer\n"
            "  F5              leave presenter mode (the normal TUI)      q  quit\n"
            "  --auto SECONDS  advance by itself every SECONDS\n"
            "  --record FILE   write what you do (keys, steps, requests, with times) to FILE\n"
            "  --replay FILE   play a recording back against a fresh embedded server, from a\n"
            "                  clean progress store; Space pauses, + and - change the speed\n"
            "  --speed X       replay speed (default 1)\n"
            "LESSON is a lesson id (tokenlab lessons list) or its number; with --replay it\n"
            "defaults to the recorded lesson.\n");
}

static bool takes_value(const char *s)
{
    static const char *const v[] = {"--auto",    "--record", "--replay",  "--speed", "--server",
                                    "--lab-key", "--theme",  "--lessons", "--lang",  "--lesson"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (strcmp(s, v[i]) == 0) return true;
    return false;
}

/* The recorded lesson: the `lesson ID` line or the first `open ID` event. Caller frees. */
static char *recorded_lesson(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char line[512], *id = NULL;
    while (!id && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *s = NULL;
        if (strncmp(line, "lesson ", 7) == 0)
            s = line + 7;
        else if (strstr(line, " open ") && line[0] >= '0' && line[0] <= '9')
            s = strstr(line, " open ") + 6;
        if (s) id = strndup(s, strcspn(s, " "));
    }
    fclose(f);
    return id;
}

/* The lesson's id: `want` is an id or a number as `tokenlab lessons list` numbers them. NULL
 * (message printed) when the course has no such lesson. Caller frees. */
static char *find_lesson(const char *want, const char *dir, const char *lang)
{
    tl_err e = {0};
    parse_diags diags = {0};
    course_options co = {.dir = dir, .lang = lang};
    course *c = course_load(&co, &diags, &e);
    parse_diags_free(&diags);
    if (!c) {
        fprintf(stderr, "tokenlab present: no lessons: %s\n", e.msg);
        return NULL;
    }
    char *end, *id = NULL;
    long n = strtol(want, &end, 10);
    if (end != want && !*end && n >= 1 && (size_t)n <= c->n) id = strdup(c->lessons[n - 1]->id);
    for (size_t i = 0; !id && i < c->n; i++)
        if (c->lessons[i]->id && strcmp(c->lessons[i]->id, want) == 0) id = strdup(want);
    if (!id)
        fprintf(
            stderr,
            "tokenlab present: no lesson '%s' (tokenlab lessons list shows the %zu there are)\n",
            want, c->n);
    course_free(c);
    return id;
}

int cli_present_main(int argc, char **argv)
{
    const char *want = NULL, *replay = NULL, *theme = NULL, *server = NULL, *dir = NULL,
               *lang = NULL;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        }
        if (takes_value(s)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tokenlab present: %s needs a value\n", s);
                return CLI_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(s, "--replay") == 0) replay = v;
            if (strcmp(s, "--theme") == 0) theme = v;
            if (strcmp(s, "--server") == 0) server = v;
            if (strcmp(s, "--lessons") == 0) dir = v;
            if (strcmp(s, "--lang") == 0) lang = v;
            if (strcmp(s, "--lesson") == 0) want = v;
            continue;
        }
        if (s[0] == '-') continue; /* flags: tui_main checks them */
        if (want) {
            fprintf(stderr, "tokenlab present: one lesson at a time ('%s' and '%s')\n", want, s);
            return CLI_USAGE;
        }
        want = s;
    }
    if (replay && server) {
        fprintf(stderr, "tokenlab present: --replay plays against a fresh embedded server; drop "
                        "--server\n");
        return CLI_USAGE;
    }
    char *from_file = NULL, *by_num = NULL;
    if (!want && replay) {
        if (access(replay, R_OK) != 0) {
            fprintf(stderr, "tokenlab present: cannot read the recording %s: %s\n", replay,
                    strerror(errno));
            return CLI_IO;
        }
        want = from_file = recorded_lesson(replay);
    }
    if (!want) {
        fprintf(stderr, "tokenlab present: which lesson? (tokenlab present LESSON; tokenlab "
                        "lessons list shows them)\n");
        usage(stderr);
        return CLI_USAGE;
    }
    if (!(by_num = find_lesson(want, dir, lang))) {
        free(from_file);
        return CLI_USAGE;
    }
    want = by_num;

    char scratch[] = "/tmp/tokenlab-replay-XXXXXX";
    bool made_scratch = false;
    if (replay) { /* a clean slate: no saved progress, no done marks, the presenter's untouched */
        if (!mkdtemp(scratch)) {
            fprintf(stderr, "tokenlab present: cannot make a scratch directory: %s\n",
                    strerror(errno));
            free(from_file);
            free(by_num);
            return CLI_IO;
        }
        made_scratch = true;
        setenv("XDG_STATE_HOME", scratch, 1);
    }
    char **av = calloc((size_t)argc + 8, sizeof *av);
    if (!av) return CLI_IO;
    int n = 0;
    av[n++] = "tokenlab";
    av[n++] = "--present";
    av[n++] = "--lesson";
    av[n++] = (char *)want;
    if (!theme) {
        av[n++] = "--theme";
        av[n++] = "high-contrast";
    }
    for (int i = 1; i < argc; i++) {
        if (takes_value(argv[i])) {
            if (strcmp(argv[i], "--lesson") == 0) {
                i++;
                continue;
            }
            av[n++] = argv[i];
            av[n++] = argv[++i];
        } else if (argv[i][0] == '-') {
            av[n++] = argv[i];
        }
    }
    int rc = tui_main(n, av);
    free(av);
    free(from_file);
    free(by_num);
    if (made_scratch) { /* the progress file and its directory, nothing else */
        char cmd[128];
        snprintf(cmd, sizeof cmd, "%s/tokenlab", scratch);
        char path[200];
        snprintf(path, sizeof path, "%s/progress.json", cmd);
        unlink(path);
        snprintf(path, sizeof path, "%s/progress.json.tmp", cmd);
        unlink(path);
        rmdir(cmd);
        rmdir(scratch);
    }
    return rc;
}
