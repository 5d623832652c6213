/* SPDX-License-Identifier: MIT */
/* tokenlab crack — show that a weak HMAC secret is no secret: try a wordlist against an HS* token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "base/timefmt.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "jose/b64url.h"
#include "jose/crack.h"
#include "jose/jsonx.h"
#include "jose/jws.h"

#define DEFAULT_WORDLIST CRACK_DEFAULT_WORDLIST
/* Wordlists are read whole; big public lists are a few hundred MB. */
#define CRACK_MAX_WORDLIST ((size_t)1 << 30)

enum { OPT_WORDLIST = 1, OPT_JSON, OPT_NO_PROGRESS };

static const args_opt opts[] = {
    {"wordlist", true, OPT_WORDLIST},
    {"json", false, OPT_JSON},
    {"no-progress", false, OPT_NO_PROGRESS},
    {NULL, false, 0},
};

static void help(FILE *f)
{
    fputs(
        "usage: tokenlab crack TOKEN|- [--wordlist FILE] [--json]\n\n"
        "Tries every line of a wordlist as the HMAC secret of an HS256/HS384/HS512 token: the\n"
        "secret is found when HMAC(candidate, header.payload) equals the signature. This is an\n"
        "offline attack — one captured token is enough, and no server sees the attempts — which\n"
        "is why an HMAC secret must be long and random (RFC 7518 §3.2: at least as many bytes as\n"
        "the hash; e.g. tokenlab keygen --alg HS256). RS*, PS*, ES* and Ed25519/EdDSA tokens are "
        "signed\n"
        "with a private key and have no shared secret to guess.\n\n"
        "options:\n"
        "  --wordlist FILE   one candidate per line, exactly as written ('-' reads stdin);\n"
        "                    default: the built-in list assets/" DEFAULT_WORDLIST "\n"
        "  -j, --json        print {\"found\":…,\"secret\":…,\"alg\":…,\"tried\":…,\"total\":…,\n"
        "                    \"seconds\":…,\"rate\":…} (secret null when not found)\n"
        "  --no-progress     no progress bar (it is shown on stderr only when it is a terminal)\n"
        "  -h, --help        this help\n\n"
        "exit: 0 the secret was found (printed on stdout), 1 not in the list,\n"
        "      2 usage error or a token that has no shared secret, 3 the wordlist cannot be "
        "read\n\n"
        "examples:\n"
        "  tokenlab crack \"$(tokenlab mint --alg HS256 --secret secret --sub alice)\"\n"
        "  tokenlab crack - --wordlist rockyou.txt < token.txt\n",
        f);
}

typedef struct progress_ctx {
    bool on;
    double last;
    bool drawn;
} progress_ctx;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human_rate(double r, char *buf, size_t n)
{
    if (r >= 1e6)
        snprintf(buf, n, "%.1fM", r / 1e6);
    else if (r >= 1e3)
        snprintf(buf, n, "%.1fk", r / 1e3);
    else
        snprintf(buf, n, "%.0f", r);
}

static bool on_progress(const crack_progress *p, void *user)
{
    progress_ctx *c = user;
    if (!c->on) return true;
    double t = mono();
    bool last = p->tried >= p->total;
    if (!last && t - c->last < 0.1) return true;
    c->last = t;
    const int width = 30;
    int fill = p->total ? (int)((double)p->tried * width / (double)p->total) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    char rate[32];
    human_rate(p->rate, rate, sizeof rate);
    char eta[48] = "";
    if (!last && p->rate > 0) {
        char d[32];
        double left = (double)(p->total - p->tried) / p->rate;
        snprintf(eta, sizeof eta, ", %s left", timefmt_duration((int64_t)left + 1, d, sizeof d));
    }
    /* \033[K clears what a longer previous line left behind. */
    fprintf(stderr, "\r[%s] %zu/%zu (%3.0f%%)  %s candidates/s%s\033[K", bar, p->tried, p->total,
            p->total ? 100.0 * (double)p->tried / (double)p->total : 100.0, rate, eta);
    fflush(stderr);
    c->drawn = true;
    return true;
}

static json_t *secret_json(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j) return j;
    char *b = b64url_encode((const uint8_t *)s, n);
    char *v = b ? malloc(strlen(b) + 5) : NULL;
    if (v) {
        strcpy(v, "b64:");
        strcat(v, b);
    }
    j = json_string(v ? v : "");
    free(b);
    free(v);
    return j;
}

int cli_crack_main(int argc, char **argv)
{
    args a;
    args_init(&a, argc, argv);
    const char *token_arg = NULL, *wordlist = NULL;
    bool json = false, no_progress = false;
    const char *val;
    int id;
    while ((id = args_next(&a, opts, &val)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR:
            return CLI_USAGE;
        case ARGS_HELP:
            help(stdout);
            return CLI_OK;
        case ARGS_POSITIONAL:
            if (!args_one_token(a.cmd, val, &token_arg)) return CLI_USAGE;
            break;
        case OPT_WORDLIST:
            wordlist = val;
            break;
        case OPT_JSON:
            json = true;
            break;
        case OPT_NO_PROGRESS:
            no_progress = true;
            break;
        }
    }
    if (!token_arg) {
        cli_errorf(a.cmd, "no token given: tokenlab crack TOKEN (or '-' to read stdin)");
        return CLI_USAGE;
    }
    if (wordlist && token_arg && strcmp(wordlist, "-") == 0 && strcmp(token_arg, "-") == 0) {
        cli_errorf(a.cmd, "the token and the wordlist cannot both come from stdin");
        return CLI_USAGE;
    }
    tl_err e = {0};
    char *tok = NULL;
    if (!args_read_token(token_arg, &tok, &e)) {
        cli_errorf(a.cmd, "%s", e.msg);
        return args_token_exit(&e);
    }
    jws *t = NULL;
    bool parsed = jws_parse(tok, strlen(tok), &t, &e);
    free(tok);
    if (!parsed) {
        cli_errorf(a.cmd, "not a token: %s", e.msg);
        return CLI_USAGE;
    }
    if (!crack_supported(t, &e)) {
        cli_errorf(a.cmd, "%s", e.msg);
        jws_free(t);
        return CLI_USAGE;
    }

    char *buf = NULL;
    size_t len = 0;
    bool ok = wordlist ? fileio_read(wordlist, CRACK_MAX_WORDLIST, &buf, &len, &e)
                       : assets_read(DEFAULT_WORDLIST, &buf, &len, &e);
    if (!ok) {
        cli_errorf(a.cmd, "wordlist: %s", e.msg);
        jws_free(t);
        return CLI_IO;
    }
    crack_list list;
    if (!crack_split(buf, len, &list, &e)) {
        cli_errorf(a.cmd, "%s", e.msg);
        free(buf);
        jws_free(t);
        return CLI_IO;
    }
    if (list.n == 0) {
        cli_errorf(a.cmd, "the wordlist %s is empty", wordlist ? wordlist : DEFAULT_WORDLIST);
        crack_list_free(&list);
        free(buf);
        jws_free(t);
        return CLI_USAGE;
    }

    progress_ctx pc = {.on = !no_progress && !json && isatty(STDERR_FILENO), .last = 0};
    crack_result res;
    ok = crack_run(t, &list, on_progress, &pc, 4096, &res, &e);
    if (pc.drawn) fputc('\n', stderr);
    int rc;
    if (!ok) {
        cli_errorf(a.cmd, "%s", e.msg);
        rc = CLI_USAGE;
    } else {
        char rate[32];
        human_rate(res.progress.rate, rate, sizeof rate);
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "found", json_boolean(res.found));
            json_object_set_new(o, "secret",
                                res.found ? secret_json(res.secret, res.secret_len) : json_null());
            json_object_set_new(o, "alg", json_string(jws_alg_name(t->alg)));
            json_object_set_new(o, "tried", json_integer((json_int_t)res.progress.tried));
            json_object_set_new(o, "total", json_integer((json_int_t)res.progress.total));
            json_object_set_new(o, "seconds", json_real(res.progress.elapsed));
            json_object_set_new(o, "rate", json_real(res.progress.rate));
            char *s = jsonx_compact(o);
            if (s) puts(s);
            free(s);
            json_decref(o);
        } else if (res.found) {
            fwrite(res.secret, 1, res.secret_len, stdout);
            fputc('\n', stdout);
        }
        if (res.found) {
            fprintf(stderr,
                    "tokenlab crack: found the %s secret: candidate %zu of %zu, %.2f s, %s "
                    "candidates/s.\n  Anyone holding it can mint tokens the server accepts: use "
                    "a long random secret (tokenlab keygen --alg %s).\n",
                    jws_alg_name(t->alg), res.index + 1, res.progress.total, res.progress.elapsed,
                    rate, jws_alg_name(t->alg));
            rc = CLI_OK;
        } else {
            cli_errorf(a.cmd,
                       "not found: none of the %zu candidates is the secret (%.2f s, %s "
                       "candidates/s). That does not prove the secret is strong — only that it "
                       "is not in this list.",
                       res.progress.tried, res.progress.elapsed, rate);
            rc = CLI_INVALID;
        }
    }
    crack_list_free(&list);
    free(buf);
    jws_free(t);
    return rc;
}
