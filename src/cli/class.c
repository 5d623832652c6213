/* tokenlab class — the instructor's side of a class server (issue 6, docs/class.md):
 *   tokenlab class --server URL --key KEY                 the live dashboard (TUI)
 *   tokenlab class export --server URL --key KEY [--csv|--json] [--out FILE]
 * The key may also come from the environment variable TOKENLAB_CLASS_KEY (keeps it out of ps). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "tui/class_dash.h"

#define CLASS_EXPORT_MAX (64u << 20)

static void class_usage(FILE *f)
{
    fprintf(f, "usage: tokenlab class --server URL --key KEY\n"
               "       tokenlab class export --server URL --key KEY [--csv|--json] [--out FILE]\n\n"
               "The instructor's side of `tokenlab serve --class` (which prints URL and KEY).\n"
               "Without a subcommand: the live dashboard (who joined, where each student is,\n"
               "quiz scores per question, the room's server events, lab switches for everyone).\n"
               "export writes the results: CSV (default; one row per student and answered\n"
               "question) or JSON, to FILE (written atomically) or standard output.\n"
               "The key may be given as TOKENLAB_CLASS_KEY instead of --key.\n"
               "Exit codes: 0 ok, 1 the server refused the key, 2 usage, 3 server unreachable or\n"
               "the file could not be written.\n");
}

typedef struct buf {
    char *p;
    size_t n;
    bool too_big;
} buf;

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = sz * n;
    if (b->n + add > CLASS_EXPORT_MAX) {
        b->too_big = true;
        return 0;
    }
    char *nb = realloc(b->p, b->n + add + 1);
    if (!nb) return 0;
    memcpy(nb + b->n, p, add);
    b->n += add;
    nb[b->n] = '\0';
    b->p = nb;
    return add;
}

static int do_export(const char *server, const char *key, bool json, const char *out)
{
    size_t sl = strlen(server);
    while (sl && server[sl - 1] == '/') sl--;
    char url[1200];
    if (sl > 1000) {
        fprintf(stderr, "tokenlab class: --server URL too long\n");
        return CLI_USAGE;
    }
    snprintf(url, sizeof url, "%.*s/class/export?format=%s", (int)sl, server,
             json ? "json" : "csv");
    CURL *c = curl_easy_init();
    if (!c) {
        fprintf(stderr, "tokenlab class: cannot start libcurl\n");
        return CLI_IO;
    }
    char auth[600];
    snprintf(auth, sizeof auth, "Authorization: Bearer %.500s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    buf b = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    int ret = CLI_OK;
    if (rc != CURLE_OK) {
        fprintf(stderr, "tokenlab class: %s: %s\n", url,
                b.too_big ? "the export is larger than 64 MiB" : curl_easy_strerror(rc));
        ret = CLI_IO;
    } else if (status != 200) {
        json_t *j = b.p ? json_loads(b.p, 0, NULL) : NULL;
        const char *d = json_string_value(json_object_get(j, "error_description"));
        fprintf(stderr, "tokenlab class: the server answered %ld%s%s\n", status, d ? ": " : "",
                d ? d : (status == 404 ? " (is it running with --class?)" : ""));
        json_decref(j);
        ret = status == 401 || status == 403 ? CLI_INVALID : CLI_IO;
    } else if (out && strcmp(out, "-") != 0) {
        tl_err e = {0};
        if (!fileio_write_atomic(out, b.p ? b.p : "", b.n, &e)) {
            fprintf(stderr, "tokenlab class: %s\n", e.msg);
            ret = CLI_IO;
        }
    } else if (b.n && isatty(STDOUT_FILENO)) {
        /* Student names are whatever students typed: on a terminal, print them escaped. */
        char *p = b.p, *end = b.p + b.n;
        while (p < end) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            char *line = strndup(p, n), safe[4096];
            printf("%s\n", esc_text(line ? line : "", safe, sizeof safe));
            free(line);
            p += n + (nl ? 1 : 0);
        }
    } else if (b.n && fwrite(b.p, 1, b.n, stdout) != b.n) {
        ret = CLI_IO;
    }
    free(b.p);
    return ret;
}

int cli_class_main(int argc, char **argv)
{
    const char *server = NULL, *key = getenv("TOKENLAB_CLASS_KEY"), *out = NULL;
    bool export = false, json = false, csv = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            class_usage(stdout);
            return CLI_OK;
        } else if (i == 1 && strcmp(a, "export") == 0) {
            export = true;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--csv") == 0) {
            csv = true;
        } else if (strcmp(a, "--server") == 0 || strcmp(a, "--key") == 0 ||
                   strcmp(a, "--out") == 0) {
            if (!v) {
                fprintf(stderr, "tokenlab class: missing value for %s\n", a);
                return CLI_USAGE;
            }
            if (a[2] == 's') server = v;
            if (a[2] == 'k') key = v;
            if (a[2] == 'o') out = v;
            i++;
        } else {
            fprintf(stderr, "tokenlab class: unknown %s '%s' (see tokenlab class --help)\n",
                    a[0] == '-' ? "option" : "argument", a);
            return CLI_USAGE;
        }
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
    if (json && csv) {
        fprintf(stderr, "tokenlab class: choose one of --csv and --json\n");
        return CLI_USAGE;
    }
    if (!export) {
        if (json || csv || out) {
            fprintf(stderr, "tokenlab class: --csv, --json and --out belong to `class export`\n");
            return CLI_USAGE;
        }
        return tui_class_dashboard(server, key);
    }
    return do_export(server, key, json, out);
}
