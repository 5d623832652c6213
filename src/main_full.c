/* SPDX-License-Identifier: MIT */
/* main_full — `tokenlab-full`: every command, the TUI, the server. Dispatch only. The front binary
 * (main.c) execs this one for anything beyond the light commands; it also runs them itself when
 * called directly. */
#include <stdio.h>
#include <string.h>

#include "base/assets.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/fetch.h"
#include "tui/tui.h"

static void usage(FILE *f)
{
    fprintf(f,
            "tokenlab %s — learn how API authentication really works (JWT, OAuth 2.0, OIDC)\n\n"
            "usage: tokenlab [TUI options]          start the lessons in the terminal UI\n"
            "       tokenlab COMMAND [options]      run one command (COMMAND --help for more)\n"
            "       tokenlab help COMMAND           the same as tokenlab COMMAND --help\n"
            "       tokenlab -V|--version           print the version\n\n"
            "commands:\n",
            TOKENLAB_VERSION);
#define CLI_USAGE_LINE(name, fn, summary) fprintf(f, "  %-12s %s\n", #name, summary);
    CLI_COMMANDS(CLI_USAGE_LINE)
#undef CLI_USAGE_LINE
    fprintf(f,
            "\nOptions may be abbreviated (--sig for --signature-only) and written --opt=value;\n"
            "the common ones have short forms (-k --key, -s --secret, -a --alg, -j --json,\n"
            "-q --quiet, -o --out) that bundle (-jq). -h/--help everywhere. Colour: NO_COLOR,\n"
            "or --color=auto|always|never.\n\n");
    tui_usage(f);
    fprintf(f,
            "\nexit codes: 0 ok, 1 invalid/failed check, 2 usage error, 3 cannot read a key, file "
            "or URL\n");
}

/* "unknown command 'verfy' (did you mean verify?)": a command at most two edits away. */
static void unknown_command(const char *w)
{
    const char *best = NULL;
    size_t best_d = 3;
#define CLI_NEAR(name, fn, summary)                                                                \
    if (args_edit_distance(w, strlen(w), #name) < best_d) {                                        \
        best_d = args_edit_distance(w, strlen(w), #name);                                          \
        best = #name;                                                                              \
    }
    CLI_COMMANDS(CLI_NEAR)
#undef CLI_NEAR
    if (best)
        fprintf(stderr, "tokenlab: unknown command '%s' (did you mean %s? see tokenlab --help)\n",
                w, best);
    else
        fprintf(stderr, "tokenlab: unknown command '%s' (see tokenlab --help)\n", w);
}

int main(int argc, char **argv)
{
    assets_init(argv[0]);
    args_set_url_fetcher(cli_fetch_url);
    /* `tokenlab help CMD` is `tokenlab CMD --help`. */
    if (argc == 3 && strcmp(argv[1], "help") == 0) {
        char *help_argv[] = {argv[2], "--help", NULL};
#define CLI_HELP(name, fn, summary)                                                                \
    if (strcmp(argv[2], #name) == 0) return fn(2, help_argv);
        CLI_COMMANDS(CLI_HELP)
#undef CLI_HELP
        fprintf(stderr, "tokenlab: no command '%s' (see tokenlab --help)\n", argv[2]);
        return 2;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("tokenlab %s\n", TOKENLAB_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "__complete") == 0)
        return cli_complete_main(argc - 1, argv + 1);
    if (argc >= 2 && argv[1][0] != '-') {
#define CLI_DISPATCH(name, fn, summary)                                                            \
    if (strcmp(argv[1], #name) == 0) return fn(argc - 1, argv + 1);
        CLI_COMMANDS(CLI_DISPATCH)
#undef CLI_DISPATCH
        unknown_command(argv[1]);
        return 2;
    }
    return tui_main(argc, argv);
}
