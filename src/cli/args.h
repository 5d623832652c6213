/* SPDX-License-Identifier: MIT */
/* args — what every subcommand shares: option parsing (getopt_long), messages prefixed "tokenlab
 * CMD: ", reading a token / file / stdin, and loading keys (secrets, PEM, JWK, JWKS from a file or
 * URL). */
#ifndef TL_CLI_ARGS_H
#define TL_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "jose/jws.h"

/* One option: "--name" (the table holds "name"); `value` true when it takes an argument. `id` is
 * returned by args_next. */
typedef struct args_opt {
    const char *name;
    bool value;
    int id;
} args_opt;

typedef struct args {
    const char *cmd; /* subcommand name, for messages */
    int argc;
    char **argv;
    int i;
    bool only_positional; /* after "--" */
} args;

enum {
    ARGS_END = -1,        /* no more arguments */
    ARGS_ERROR = -2,      /* unknown option or missing value: the message is printed */
    ARGS_POSITIONAL = -3, /* *val is the argument ("-" included) */
    ARGS_HELP = -4,       /* --help or -h */
};

/* Parsing is getopt_long's (GNU conventions), in argument order: "--name VALUE", "--name=VALUE",
 * any unambiguous prefix ("--sig" for --signature-only), short forms for the common options
 * (-k --key, -s --secret, -j --json, -a --alg, -q --quiet, -o --out, -y --yes: one list in args.c,
 * given to every command that has the long option), bundles ("-jq", "-kFILE"), "--" ending the
 * options, and "-" as a positional (stdin). Every command also takes --help/-h and
 * --color[=auto|always|never] (handled here). Errors name the option and teach: "did you mean
 * --secret?", "option '--s' is ambiguous: it could be --secret, --signature-only".
 * args_init resets getopt's global state, so one process may parse several times. */
void args_init(args *a, int argc, char **argv);
int args_next(args *a, const args_opt *opts, const char **val);
/* Levenshtein distance between x[0..nx) and y, for "did you mean" (commands and options). */
size_t args_edit_distance(const char *x, size_t nx, const char *y);

/* "tokenlab CMD: message\n" on stderr. */
void cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "tokenlab CMD: warning: message\n" on stderr. */
void cli_warnf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The positional TOKEN of decode/verify/crack: stores `val` in *slot, or says "one token at a
 * time" and returns false when *slot already holds one (then exit CLI_USAGE). */
bool args_one_token(const char *cmd, const char *val, const char **slot);

/* Maximum size of any file we read (keys, JWKS, payloads, tokens). */
#define ARGS_MAX_FILE (4u << 20)

/* Reads a file, or stdin for "-". Caller frees. */
bool args_read_file(const char *path, char **out, size_t *len, tl_err *e);
/* The token: `arg` itself, or stdin when `arg` is "-" or NULL. Surrounding whitespace and a
 * "Bearer " prefix are dropped (pasting an Authorization header works). Caller frees.
 * "cli.no_token" when there is nothing, "cli.nul" when it holds a NUL byte. */
bool args_read_token(const char *arg, char **out, tl_err *e);
/* The exit status for an args_read_token failure: CLI_USAGE (no token), CLI_INVALID (not text),
 * CLI_IO (could not read). */
int args_token_exit(const tl_err *e);

/* --secret: a literal, "@FILE" (the file's bytes exactly, '-' = stdin) or "b64:…" (base64url or
 * standard base64, padding optional). Caller frees with jwk_free. Error codes: "cli.secret"
 * (bad base64 or empty), or the file error. */
bool args_load_secret(const char *spec, jwk **out, tl_err *e);
/* For @FILE secrets: does the file end with a newline (which is part of the secret)? */
bool args_secret_file_has_newline(const char *spec);
/* --key: a PEM or JWK file ('-' = stdin); a JWKS holding exactly one key is accepted too. */
bool args_load_key(const char *path, jwk **out, tl_err *e);
/* --jwks: a file, '-', or an http(s) URL fetched with libcurl (10 s timeout; an HTTP status other
 * than 2xx is an error naming it: "cli.http"). */
bool args_load_jwks(const char *where, jwks **out, tl_err *e);
/* How URLs are fetched (cli/fetch.c's cli_fetch_url in tokenlab-full). Without one, a URL is an
 * error "cli.http". */
typedef bool (*args_fetch_fn)(const char *url, char **out, size_t *len, tl_err *e);
void args_set_url_fetcher(args_fetch_fn fn);

/* "HS256" etc. -> alg; false (with a message listing the choices) for anything else.
 * With allow_none, "none" is accepted too. */
bool args_parse_alg(const char *name, bool allow_none, jws_alg *out, tl_err *e);
/* A signed duration: "15m", "-5m", "1h30m", "90" (seconds). */
bool args_parse_duration(const char *s, int64_t *out);
/* A whole number within [min, max]. */
bool args_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* An instant: seconds since 1970 ("1700000000") or UTC "2026-11-28T14:02:11Z" (also with a space
 * instead of 'T', and without seconds). */
bool args_parse_time(const char *s, int64_t *out);
/* Current time, or $TOKENLAB_NOW when set (tests and lessons replay fixed times). */
int64_t args_now(void);

#endif
