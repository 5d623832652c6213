/* SPDX-License-Identifier: MIT */
/* tokenlab class — the instructor's side of a class server (issue 6, docs/class.md):
 *   tokenlab class --server URL --key KEY                 the live dashboard (TUI)
 *   tokenlab class export --server URL --key KEY [--csv|--json] [--out FILE]
 * The key may also come from the environment variable TOKENLAB_CLASS_KEY (keeps it out of ps). */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/fileio.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/fetch.h"
#include "tui/class_dash.h"

#define CLASS_EXPORT_MAX ((size_t)64 << 20)

static void class_usage(FILE *f)
{
    fprintf(f, "usage: tokenlab class --server URL --key KEY\n"
               "       tokenlab class export --server URL --key KEY [--csv|--summary|--json]\n"
               "                             [--out FILE]\n\n"
               "The instructor's side of `tokenlab serve --class` (which prints URL and KEY).\n"
               "Without a subcommand: the live dashboard (who joined, where each student is,\n"
               "quiz scores per question, the room's server events, lab switches for everyone).\n"
               "export writes the results: CSV (default; one row per student and answered\n"
               "question), --summary (CSV, one row per student) or JSON, to FILE (written\n"
               "atomically) or standard output. Dates are ISO 8601 (UTC).\n"
               "The key may be given as TOKENLAB_CLASS_KEY instead of --key.\n"
               "Exit codes: 0 ok, 1 the server refused the key, 2 usage, 3 server unreachable or\n"
               "the file could not be written.\n");
}

static int do_export(const char *server, const char *key, const char *format, const char *out)
{
    size_t sl = strlen(server);
    while (sl && server[sl - 1] == '/') sl--;
    char url[1200];
    if (sl > 1000) {
        fprintf(stderr, "tokenlab class: --server URL too long\n");
        return CLI_USAGE;
    }
    snprintf(url, sizeof url, "%.*s/class/export?format=%s", (int)sl, server, format);
    cli_http_req req = {.url = url, .bearer = key, .max = CLASS_EXPORT_MAX, .timeout = 30};
    char *body = NULL;
    size_t blen = 0;
    long status = 0;
    tl_err e = {0};
    int ret = CLI_OK;
    if (!cli_http_get(&req, &status, &body, &blen, &e)) {
        fprintf(stderr, "tokenlab class: %s\n", e.msg);
        ret = CLI_IO;
    } else if (status != 200) {
        json_t *j = json_loads(body, 0, NULL);
        const char *d = json_string_value(json_object_get(j, "error_description"));
        fprintf(stderr, "tokenlab class: the server answered %ld%s%s\n", status, d ? ": " : "",
                d ? d : (status == 404 ? " (is it running with --class?)" : ""));
        json_decref(j);
        ret = status == 401 || status == 403 ? CLI_INVALID : CLI_IO;
    } else if (out && strcmp(out, "-") != 0) {
        if (!fileio_write_atomic(out, body, blen, &e)) {
            fprintf(stderr, "tokenlab class: %s\n", e.msg);
            ret = CLI_IO;
        }
    } else if (blen && isatty(STDOUT_FILENO)) {
        /* Student names are whatever students typed: on a terminal, print them escaped. */
        char *p = body, *end = body + blen;
        while (p < end) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            char *line = strndup(p, n), safe[4096];
            printf("%s\n", esc_text(line ? line : "", safe, sizeof safe));
            free(line);
            p += n + (nl ? 1 : 0);
        }
    } else if (blen && fwrite(body, 1, blen, stdout) != blen) {
        ret = CLI_IO;
    }
    free(body);
    return ret;
}

int cli_class_main(int argc, char **argv)
{
    const char *server = NULL, *key = getenv("TOKENLAB_CLASS_KEY"), *out = NULL;
    bool export = false, json = false, csv = false, summary = false;
    enum { O_SERVER = 1, O_KEY, O_OUT, O_JSON, O_CSV, O_SUMMARY };
    static const args_opt opts[] = {{"server", true, O_SERVER},
                                    {"key", true, O_KEY},
                                    {"out", true, O_OUT},
                                    {"json", false, O_JSON},
                                    {"csv", false, O_CSV},
                                    {"summary", false, O_SUMMARY},
                                    {NULL, false, 0}};
    args a;
    args_init(&a, argc, argv);
    const char *v;
    int id;
    bool first = true;
    while ((id = args_next(&a, opts, &v)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR:
            return CLI_USAGE;
        case ARGS_HELP:
            class_usage(stdout);
            return CLI_OK;
        case ARGS_POSITIONAL:
            if (first && strcmp(v, "export") == 0) {
                export = true;
                break;
            }
            cli_errorf(a.cmd, "unknown argument '%s' (see tokenlab class --help)", v);
            return CLI_USAGE;
        case O_SERVER:
            server = v;
            break;
        case O_KEY:
            key = v;
            break;
        case O_OUT:
            out = v;
            break;
        case O_JSON:
            json = true;
            break;
        case O_CSV:
            csv = true;
            break;
        case O_SUMMARY:
            summary = true;
            break;
        }
        first = false;
    }
    if (!server || !key || !*key) {
        fprintf(stderr, "tokenlab class: %s (see tokenlab class --help)\n",
                !server ? "--server URL is required"
                        : "--key KEY (or TOKENLAB_CLASS_KEY) is required");
        return CLI_USAGE;
    }
    if (strncmp(server, "http://", 7) != 0 && strncmp(server, "https://", 8) != 0) {
        fprintf(stderr, "tokenlab class: --server must be an http:// or https:// URL\n");
        return CLI_USAGE;
    }
    if (json + csv + summary > 1) {
        fprintf(stderr, "tokenlab class: choose one of --csv, --summary and --json\n");
        return CLI_USAGE;
    }
    if (!export) {
        if (json || csv || summary || out) {
            fprintf(
                stderr,
                "tokenlab class: --csv, --summary, --json and --out belong to `class export`\n");
            return CLI_USAGE;
        }
        return tui_class_dashboard(server, key);
    }
    return do_export(server, key, json ? "json" : summary ? "summary" : "csv", out);
}
