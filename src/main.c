/* SPDX-License-Identifier: MIT */
/* main — the front binary `tokenlab`. Dispatch only.
 *
 * The light commands (decode, verify, mint, keygen, jwk, crack) need nothing but OpenSSL and
 * jansson, and are often run in pipelines and loops, so this binary links only those: it starts in
 * a few milliseconds instead of the ~30 ms that loading libcurl, libmicrohttpd (gnutls) and ncurses
 * costs. Everything else — the TUI, serve, lessons, quiz, class, present, --help, and any light
 * command given a URL (`verify --jwks https://…`) — is handed to `tokenlab-full` with execv (same
 * process, same pid, same stdin). */
#include <errno.h>
#include <openssl/crypto.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/assets.h"
#include "cli/cli.h"

#define FULL_NAME "tokenlab-full"

static bool runnable(const char *p)
{
    return access(p, X_OK) == 0;
}

/* $TOKENLAB_FULL, then beside this binary (the build tree), then ../libexec/tokenlab/ (installed),
 * then the configured libexec dir. */
static bool find_full(char *out, size_t n)
{
    const char *env = getenv("TOKENLAB_FULL");
    if (env && *env && runnable(env)) {
        snprintf(out, n, "%s", env);
        return true;
    }
    char exe[PATH_MAX];
    if (assets_exe_dir(exe, sizeof exe)) {
        snprintf(out, n, "%s/" FULL_NAME, exe);
        if (runnable(out)) return true;
        snprintf(out, n, "%s/../libexec/tokenlab/" FULL_NAME, exe);
        if (runnable(out)) return true;
    }
    snprintf(out, n, "%s/" FULL_NAME, TOKENLAB_LIBEXECDIR);
    return runnable(out);
}

static int exec_full(char **argv)
{
    char full[PATH_MAX + 64];
    if (!find_full(full, sizeof full)) {
        fprintf(stderr,
                "tokenlab: cannot find %s (looked beside this binary, in ../libexec/tokenlab and "
                "in %s; set TOKENLAB_FULL to its path)\n",
                FULL_NAME, TOKENLAB_LIBEXECDIR);
        return CLI_IO;
    }
    fflush(NULL);
    execv(full, argv);
    fprintf(stderr, "tokenlab: cannot run %s: %s\n", full, strerror(errno));
    return CLI_IO;
}

static bool has_url(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strstr(argv[i], "http://") || strstr(argv[i], "https://")) return true;
    return false;
}

int main(int argc, char **argv)
{
    /* Start-up of OpenSSL 3, trimmed to what the light commands use (each line is a measured part
     * of a `tokenlab verify` process; docs/performance.md):
     * - no system-wide openssl.cnf (TLS cipher policy, mostly; these commands do no TLS). A config
     *   the user names in OPENSSL_CONF (e.g. for a FIPS provider) is still loaded.
     * - no legacy cipher/digest name tables: the first fetch would copy ~400 legacy names into the
     *   provider name map (a third of the process). We fetch by provider names only ("SHA256",
     *   "RSA", "HMAC"), which providers register themselves.
     * - no clean-up at exit: the process is ending, the kernel frees its memory.
     * Error strings stay loaded: our messages quote OpenSSL's reason when it refuses a key. */
    uint64_t opts =
        OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS | OPENSSL_INIT_NO_ATEXIT;
    if (!getenv("OPENSSL_CONF")) opts |= OPENSSL_INIT_NO_LOAD_CONFIG;
    OPENSSL_init_crypto(opts, NULL);
    assets_init(argv[0]);
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("tokenlab %s\n", TOKENLAB_VERSION);
        return 0;
    }
    if (argc >= 2 && !has_url(argc, argv)) {
#define CLI_LIGHT_DISPATCH(name, fn, summary)                                                      \
    if (strcmp(argv[1], #name) == 0) return fn(argc - 1, argv + 1);
        CLI_LIGHT_COMMANDS(CLI_LIGHT_DISPATCH)
#undef CLI_LIGHT_DISPATCH
    }
    return exec_full(argv);
}
