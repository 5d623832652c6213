/* tokenlab serve — run the mock OAuth 2.0 / OpenID Connect server until Ctrl-C. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "server/class.h"
#include "server/server.h"

static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: tokenlab serve [--listen HOST:PORT] [--config FILE] [--issuer URL]\n"
            "                      [--lab SWITCH]... [--lab-key KEY] [--quiet]\n"
            "                      [--per-address-limit N]\n"
            "                      [--class [--class-results FILE] [--class-max N]\n"
            "                       [--class-rate PER_SECOND]]\n\n"
            "Runs the mock authorization server (OAuth 2.0, OpenID Connect, the JWT login and a\n"
            "small protected API). Default listen address 127.0.0.1:8910; port 0 picks a free "
            "one.\n"
            "The first line printed names the base URL; then one line per request.\n\n"
            "lab switches (off by default; each makes the server vulnerable on purpose):\n");
    const char *const *names = server_lab_names();
    for (size_t i = 0; names[i]; i++)
        fprintf(f, "  %-15s %s\n", names[i], server_lab_describe(names[i]));
    fprintf(
        f, "\nThe lab key (printed at start, or --lab-key) guards POST /lab/clock, "
           "/lab/switch\nand /lab/rotate-keys (header X-Tokenlab-Lab-Key). See docs/server.md.\n\n"
           "--class runs a class server: it prints a join code for students (tokenlab --server\n"
           "URL --join CODE --name NAME) and an instructor key (tokenlab class --server URL --key\n"
           "KEY). --class-results FILE keeps the results (JSON, rewritten at most once a second);\n"
           "--class-max caps the students (default 5000); --class-rate limits /class/ requests\n"
           "per second per address (default 20, 0 = off). See docs/class.md.\n\n"
           "--per-address-limit N caps, per client address, the open connections, the pending\n"
           "authorizations and the pending device codes (default 32 each). A class behind one\n"
           "NAT address needs about 3 per student. Limits: docs/server.md.\n");
}

int cli_serve_main(int argc, char **argv)
{
    server_options o = {0};
    const char *labs[32];
    size_t nlabs = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            serve_usage(stdout);
            return CLI_OK;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = true;
            continue;
        } else if (strcmp(a, "--class") == 0) {
            o.class_mode = true;
            continue;
        }
        bool known = strcmp(a, "--listen") == 0 || strcmp(a, "--config") == 0 ||
                     strcmp(a, "--issuer") == 0 || strcmp(a, "--lab") == 0 ||
                     strcmp(a, "--lab-key") == 0 || strcmp(a, "--class-results") == 0 ||
                     strcmp(a, "--class-max") == 0 || strcmp(a, "--class-rate") == 0 ||
                     strcmp(a, "--per-address-limit") == 0;
        if (!known || !v) {
            fprintf(stderr, "tokenlab serve: %s '%s' (see tokenlab serve --help)\n",
                    known ? "missing value for" : "unknown option", a);
            return CLI_USAGE;
        }
        if (strcmp(a, "--listen") == 0) o.listen = v;
        if (strcmp(a, "--config") == 0) o.config_path = v;
        if (strcmp(a, "--issuer") == 0) o.issuer = v;
        if (strcmp(a, "--lab-key") == 0) o.lab_key = v;
        if (strcmp(a, "--class-results") == 0) o.class_results = v;
        if (strcmp(a, "--class-max") == 0 || strcmp(a, "--class-rate") == 0) {
            bool is_max = strcmp(a, "--class-max") == 0;
            char *end = NULL;
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 0 || n > 100000 || (is_max && n == 0)) {
                fprintf(stderr, "tokenlab serve: %s must be a number (%s)\n", a,
                        is_max ? "1-100000" : "0-100000, 0 = no limit");
                return CLI_USAGE;
            }
            if (is_max)
                o.class_max = (size_t)n;
            else
                o.class_rate = n ? (int)n : -1;
        }
        if (strcmp(a, "--per-address-limit") == 0) {
            char *end = NULL;
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 1 || n > 100000) {
                fprintf(stderr,
                        "tokenlab serve: --per-address-limit must be a number (1-100000)\n");
                return CLI_USAGE;
            }
            o.per_address_limit = (unsigned)n;
        }
        if (strcmp(a, "--lab") == 0) {
            if (nlabs == 32) {
                fprintf(stderr, "tokenlab serve: too many --lab switches\n");
                return CLI_USAGE;
            }
            labs[nlabs++] = v;
        }
        i++;
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
    server *s = NULL;
    tl_err e = {0};
    if (!server_start(&o, &s, &e)) {
        fprintf(stderr, "tokenlab serve: %s\n", e.msg);
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
    printf("issuer %s; lab key %s (header X-Tokenlab-Lab-Key); Ctrl-C stops\n", server_issuer(s),
           server_lab_key(s));
    if (o.class_mode) {
        printf("class join code %s (students: tokenlab --server %s --join %s --name NAME)\n",
               class_join_code(s), server_base_url(s), class_join_code(s));
        printf("instructor key %s (tokenlab class --server %s --key KEY)\n",
               class_instructor_key(s), server_base_url(s));
    }
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    if (!quiet) printf("stopping (signal %d)\n", sig);
    server_stop(s);
    return CLI_OK;
}
