/* SPDX-License-Identifier: MIT */
/* tokenlab serve — run the mock OAuth 2.0 / OpenID Connect server until Ctrl-C. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/lessons.h"
#include "lesson/grade.h"
#include "lesson/progress.h"
#include "server/class.h"
#include "server/server.h"

static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: tokenlab serve [--listen HOST:PORT] [--config FILE] [--issuer URL]\n"
            "                      [--lab SWITCH]... [--lab-key KEY] [--quiet]\n"
            "                      [--per-address-limit N] [--keys-file FILE]\n"
            "                      [--class [--class-results FILE] [--class-max N]\n"
            "                       [--class-rate PER_SECOND] [--class-lessons DIR]\n"
            "                       [--class-db FILE] [--class-code CODE]]\n\n"
            "Runs the mock authorization server (OAuth 2.0, OpenID Connect, the JWT login and a\n"
            "small protected API). Default listen address 127.0.0.1:8910; port 0 picks a free "
            "one.\n"
            "The first line printed names the base URL; then one line per request.\n\n"
            "lab switches (off by default; each makes the server vulnerable on purpose):\n");
    const char *const *names = server_lab_names();
    for (size_t i = 0; names[i]; i++)
        fprintf(f, "  %-15s %s\n", names[i], server_lab_describe(names[i]));
    fprintf(
        f, "\nThe lab key (printed once at start, or --lab-key KEY of 12+ characters; --keys-file\n"
           "FILE writes it, and the instructor key, to FILE with mode 0600 instead) guards POST "
           "/lab/clock, "
           "/lab/switch\nand /lab/rotate-keys (header X-Tokenlab-Lab-Key). See docs/server.md.\n\n"
           "--class runs a class server: it prints a join code for students (tokenlab --server\n"
           "URL --join CODE --name NAME) and an instructor key (tokenlab class --server URL --key\n"
           "KEY). --class-results FILE keeps the results (JSON, rewritten at most once a second);\n"
           "--class-max caps the students (default 5000); --class-rate limits /class/ requests\n"
           "per second per address (default 20, 0 = off). The server grades the students'\n"
           "answers from its own copy of the course: the built-in lessons, or --class-lessons\n"
           "DIR (the same folder the students use). The room survives a restart: its state\n"
           "is in --class-db FILE (SQLite; default $XDG_STATE_HOME/tokenlab/class.db), which\n"
           "keeps the join code, the instructor key, every student and every result.\n"
           "--class-code CODE and the environment variable TOKENLAB_CLASS_KEY fix the code and\n"
           "the key in advance. See docs/class.md.\n\n"
           "--per-address-limit N caps, per client address, the open connections, the pending\n"
           "authorizations and the pending device codes (default 32 each). A class behind one\n"
           "NAT address needs about 3 per student. Limits: docs/server.md.\n");
}

static int grade_of(void *ud, const char *lesson_id, const char *question, const char *answer)
{
    return (int)grade_answer(ud, lesson_id, question, answer);
}

#define SERVE_LAB_KEY_MIN 12

/* The lab key and the instructor key control the server. They are shown once, before the request
 * log starts and under a line that says they are secrets, or, with --keys-file, written to a
 * file only the owner can read (the screen may be on a projector). */
static bool print_keys(server *s, bool class_mode, const char *keys_file)
{
    char text[512];
    int n =
        snprintf(text, sizeof text, "lab key %s (header X-Tokenlab-Lab-Key)\n", server_lab_key(s));
    if (class_mode)
        snprintf(text + n, sizeof text - (size_t)n,
                 "instructor key %s (tokenlab class --server %s --key KEY)\n",
                 class_instructor_key(s), server_base_url(s));
    if (keys_file) {
        tl_err e = {0};
        if (!fileio_write_atomic(keys_file, text, strlen(text), &e)) {
            fprintf(stderr, "tokenlab serve: --keys-file: %s\n", e.msg);
            return false;
        }
        printf("the %s written to %s (mode 0600), not shown here\n",
               class_mode ? "lab key and the instructor key are" : "lab key is", keys_file);
    } else {
        printf("secrets (shown once, never in the request log; --keys-file FILE keeps them off "
               "the screen):\n%s",
               text);
    }
    printf("request log:\n");
    return true;
}

int cli_serve_main(int argc, char **argv)
{
    server_options o = {0};
    const char *labs[32];
    size_t nlabs = 0;
    bool quiet = false;
    const char *lessons_dir = NULL, *keys_file = NULL;
    enum {
        O_LISTEN = 1,
        O_CONFIG,
        O_ISSUER,
        O_LAB,
        O_LABKEY,
        O_QUIET,
        O_CLASS,
        O_RESULTS,
        O_MAX,
        O_RATE,
        O_PER_ADDRESS,
        O_LESSONS,
        O_KEYS_FILE,
        O_DB,
        O_CODE
    };
    static const args_opt opts[] = {{"listen", true, O_LISTEN},
                                    {"config", true, O_CONFIG},
                                    {"issuer", true, O_ISSUER},
                                    {"lab", true, O_LAB},
                                    {"lab-key", true, O_LABKEY},
                                    {"quiet", false, O_QUIET},
                                    {"class", false, O_CLASS},
                                    {"class-results", true, O_RESULTS},
                                    {"class-max", true, O_MAX},
                                    {"class-rate", true, O_RATE},
                                    {"per-address-limit", true, O_PER_ADDRESS},
                                    {"class-lessons", true, O_LESSONS},
                                    {"keys-file", true, O_KEYS_FILE},
                                    {"class-db", true, O_DB},
                                    {"class-code", true, O_CODE},
                                    {NULL, false, 0}};
    args a;
    args_init(&a, argc, argv);
    const char *v;
    int id;
    int64_t n;
    while ((id = args_next(&a, opts, &v)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR:
            return CLI_USAGE;
        case ARGS_HELP:
            serve_usage(stdout);
            return CLI_OK;
        case ARGS_POSITIONAL:
            cli_errorf(a.cmd, "unexpected argument '%s' (see tokenlab serve --help)", v);
            return CLI_USAGE;
        case O_LISTEN:
            o.listen = v;
            break;
        case O_CONFIG:
            o.config_path = v;
            break;
        case O_ISSUER:
            o.issuer = v;
            break;
        case O_LABKEY:
            /* an empty key was no key at all; a short one is guessed (they are throttled too) */
            if (strlen(v) < SERVE_LAB_KEY_MIN) {
                cli_errorf(a.cmd,
                           "--lab-key must be at least %d characters (it guards the lab "
                           "switches and the clock; leave it out for a random one)",
                           SERVE_LAB_KEY_MIN);
                return CLI_USAGE;
            }
            o.lab_key = v;
            break;
        case O_KEYS_FILE:
            keys_file = v;
            break;
        case O_QUIET:
            quiet = true;
            break;
        case O_CLASS:
            o.class_mode = true;
            break;
        case O_RESULTS:
            o.class_results = v;
            break;
        case O_LESSONS:
            lessons_dir = v;
            break;
        case O_DB:
            o.class_db = v;
            break;
        case O_CODE:
            o.class_code = v;
            break;
        case O_MAX:
            if (!args_parse_int(v, 1, 100000, &n)) {
                cli_errorf(a.cmd, "--class-max must be a number (1-100000), not '%s'", v);
                return CLI_USAGE;
            }
            o.class_max = (size_t)n;
            break;
        case O_RATE:
            if (!args_parse_int(v, 0, 100000, &n)) {
                cli_errorf(a.cmd,
                           "--class-rate must be a number (0-100000, 0 = no limit), not '%s'", v);
                return CLI_USAGE;
            }
            o.class_rate = n ? (int)n : -1;
            break;
        case O_PER_ADDRESS:
            if (!args_parse_int(v, 1, 100000, &n)) {
                cli_errorf(a.cmd, "--per-address-limit must be a number (1-100000), not '%s'", v);
                return CLI_USAGE;
            }
            o.per_address_limit = (unsigned)n;
            break;
        case O_LAB:
            if (nlabs == 32) {
                cli_errorf(a.cmd, "too many --lab switches");
                return CLI_USAGE;
            }
            labs[nlabs++] = v;
            break;
        }
    }
    o.labs = labs;
    o.nlabs = nlabs;
    o.log = quiet ? NULL : stdout;
    /* Block the stop signals before the server threads start, so only sigwait sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* The class grades answers from its own copy of the course (English: translations keep the
     * order of the options, so "option 2" is the same answer in every language). */
    course *c = NULL;
    server_grader grader = {0};
    char *db_default = NULL;
    if (o.class_mode && !o.class_db) { /* the room survives by default */
        db_default = progress_state_file("class.db");
        char *slash = db_default ? strrchr(db_default, '/') : NULL;
        if (slash) {
            *slash = '\0';
            fileio_mkdirs(db_default, NULL);
            *slash = '/';
        }
        o.class_db = db_default;
    }
    const char *env_key = getenv("TOKENLAB_CLASS_KEY");
    if (o.class_mode && env_key && *env_key) o.class_key = env_key;
    if (o.class_mode) {
        course_options co = {.dir = lessons_dir, .only_dir = lessons_dir != NULL, .lang = "en"};
        c = lessons_load("serve", &co, NULL);
        if (!c || c->n == 0) {
            fprintf(stderr, "tokenlab serve: no lessons to grade the class with%s%s\n",
                    lessons_dir ? " in " : "", lessons_dir ? lessons_dir : "");
            course_free(c);
            free(db_default);
            return CLI_IO;
        }
        grader.ud = c;
        grader.grade = grade_of;
        grader.course = grade_course_json(c);
        o.class_grader = &grader;
    }
    server *s = NULL;
    tl_err e = {0};
    bool started = server_start(&o, &s, &e);
    json_decref((json_t *)grader.course); /* the server keeps its own copy */
    if (!started) {
        fprintf(stderr, "tokenlab serve: %s\n", e.msg);
        course_free(c);
        free(db_default);
        return err_is(&e, "server.lab") ? CLI_USAGE : CLI_IO;
    }
    const char *listen = o.listen ? o.listen : "127.0.0.1:8910";
    if (strncmp(listen, "127.", 4) != 0 && strncmp(listen, "[::1]:", 6) != 0 &&
        strncmp(listen, "localhost:", 10) != 0)
        fprintf(stderr,
                "tokenlab serve: warning: %s is not a loopback address; anyone who can "
                "reach it can use this deliberately teachable server\n",
                listen);
    char on[256] = "";
    for (size_t i = 0; i < nlabs; i++) {
        if (strstr(on, labs[i])) continue;
        if (on[0]) strncat(on, ",", sizeof on - strlen(on) - 1);
        strncat(on, labs[i], sizeof on - strlen(on) - 1);
    }
    printf("tokenlab server listening on %s%s%s%s\n", server_base_url(s),
           on[0] ? " — LAB SWITCHES ON: " : "", on, on[0] ? " (vulnerable on purpose)" : "");
    printf("issuer %s; Ctrl-C stops\n", server_issuer(s));
    if (o.class_mode)
        printf("class join code %s (students: tokenlab --server %s --join %s --name NAME)\n",
               class_join_code(s), server_base_url(s), class_join_code(s));
    if (!print_keys(s, o.class_mode, keys_file)) {
        server_stop(s);
        course_free(c);
        return CLI_IO;
    }
    if (o.class_mode) {
        printf("class state in %s (%zu student%s)\n", o.class_db, class_student_count(s),
               class_student_count(s) == 1 ? "" : "s");
    }
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    if (!quiet) printf("stopping (signal %d)\n", sig);
    server_stop(s);
    course_free(c);
    free(db_default);
    return CLI_OK;
}
