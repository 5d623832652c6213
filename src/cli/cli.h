/* SPDX-License-Identifier: MIT */
/* cli — the subcommands. Each is `int cli_NAME_main(int argc, char **argv)` where argv[0] is the
 * subcommand name, in its own file (cli/NAME.c). Exit codes are the same everywhere. */
#ifndef TL_CLI_CLI_H
#define TL_CLI_CLI_H

enum {
    CLI_OK = 0,      /* success; for verify: the token is valid */
    CLI_INVALID = 1, /* the answer is "no": invalid token, failed check */
    CLI_USAGE = 2,   /* bad flags or arguments */
    CLI_IO = 3,      /* a key, file or URL could not be read */
};

/* X-macro: name, function, one-line summary. Generates main's dispatch and `tokenlab --help`. */
/* The light commands need only base + jose (OpenSSL, jansson): the front binary `tokenlab` runs
 * them itself, so `tokenlab verify` starts in a few ms; everything else (and any URL argument) is
 * handed to `tokenlab-full` (libcurl, libmicrohttpd, ncurses) with execv. See src/main.c. */
#define CLI_LIGHT_COMMANDS(X)                                                                      \
    X(decode, cli_decode_main, "decode a JWT/JWS/JWE: header, payload, dates, warnings")           \
    X(verify, cli_verify_main, "verify a token's signature and claims (exit 0 valid, 1 not)")      \
    X(mint, cli_mint_main, "create and sign a JWT")                                                \
    X(keygen, cli_keygen_main, "generate a signing key (PEM or JWK)")                              \
    X(jwk, cli_jwk_main, "convert keys: jwk public|private|thumbprint FILE")                       \
    X(crack, cli_crack_main, "try a wordlist against an HS256/384/512 token's secret")

#define CLI_COMMANDS(X) CLI_LIGHT_COMMANDS(X) CLI_FULL_COMMANDS(X)

#define CLI_FULL_COMMANDS(X)                                                                       \
    X(serve, cli_serve_main, "run the mock OAuth 2.0 / OpenID Connect server")                     \
    X(lessons, cli_lessons_main,                                                                   \
      "lessons list|check|reset: list, lint and play, or reset progress")                          \
    X(quiz, cli_quiz_main, "the final exam: questions from every lesson, scored")                  \
    X(class, cli_class_main, "the class dashboard, or: class export --server URL --key KEY")       \
    X(present, cli_present_main, "presenter mode for a projector: present LESSON [--auto S]")      \
    X(completions, cli_completions_main,                                                           \
      "print a shell completion script: completions bash|zsh|fish")

#define CLI_DECLARE(name, fn, summary) int fn(int argc, char **argv);
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE
/* The hidden `tokenlab __complete WORD… CURRENT` the completion scripts call (cli/complete.c). */
int cli_complete_main(int argc, char **argv);

#endif
