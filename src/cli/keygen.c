/* SPDX-License-Identifier: MIT */
/* tokenlab keygen — a new signing key, as PEM (default) or as a private JWK. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"

enum { OPT_ALG = 1, OPT_BITS, OPT_OUT, OPT_JWK, OPT_KID };

static const args_opt opts[] = {
    {"alg", true, OPT_ALG},  {"bits", true, OPT_BITS}, {"out", true, OPT_OUT},
    {"jwk", false, OPT_JWK}, {"kid", true, OPT_KID},   {NULL, false, 0},
};

static void help(FILE *f)
{
    fputs(
        "usage: tokenlab keygen --alg ALG [--bits N] [--out FILE] [--jwk] [--kid ID]\n\n"
        "Generates a key for ALG: RSA for RS*/PS* (2048 bits unless --bits), EC P-256/P-384/P-521\n"
        "for ES256/ES384/ES512, Ed25519 for Ed25519/EdDSA, and a random secret as long as the hash "
        "for\n"
        "HS256/384/512 (RFC 7518 §3.2). Prints the PRIVATE key: PEM (PKCS#8) by default, or a JWK\n"
        "with --jwk (HMAC secrets have no PEM form and are always a JWK). The JWK's kid is the\n"
        "RFC 7638 thumbprint unless --kid is given, and its alg is ALG.\n"
        "Get the public half with: tokenlab jwk public FILE [--pem]\n\n"
        "options:\n"
        "  -a, --alg ALG       HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256\n"
        "                      ES384 ES512 Ed25519 EdDSA (the same operation: RFC 9864\n"
        "                      deprecates EdDSA)\n"
        "  --bits N            RSA modulus size: 2048 (default), 3072, 4096 (1024..8192\n"
        "                      accepted; less than 2048 only for the weak-key lessons)\n"
        "  -o, --out FILE      write to FILE (mode 0600, replaced atomically); '-' is stdout\n"
        "                      (default)\n"
        "  --jwk               print a private JWK instead of PEM\n"
        "  --kid ID            key id (default: the RFC 7638 thumbprint)\n"
        "  -h, --help          this help\n\n"
        "exit: 0 done, 2 usage error, 3 FILE could not be written\n\n"
        "examples:\n"
        "  tokenlab keygen --alg RS256 --out private.pem\n"
        "  tokenlab keygen --alg ES256 --jwk --kid k1 > es256.jwk\n",
        f);
}

int cli_keygen_main(int argc, char **argv)
{
    args a;
    args_init(&a, argc, argv);
    const char *alg_s = NULL, *out = NULL, *kid = NULL;
    int64_t bits = 0;
    bool as_jwk = false;
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
            cli_errorf(a.cmd, "unexpected argument '%.60s'", val);
            return CLI_USAGE;
        case OPT_ALG:
            alg_s = val;
            break;
        case OPT_BITS:
            if (!args_parse_int(val, 2048, 16384, &bits)) {
                cli_errorf(a.cmd, "--bits wants an RSA size from 2048 to 16384, not '%s'", val);
                return CLI_USAGE;
            }
            break;
        case OPT_OUT:
            out = val;
            break;
        case OPT_JWK:
            as_jwk = true;
            break;
        case OPT_KID:
            kid = val;
            break;
        }
    }
    tl_err e = {0};
    jws_alg alg;
    if (!alg_s) {
        cli_errorf(a.cmd, "--alg is required (e.g. --alg ES256); see tokenlab keygen --help");
        return CLI_USAGE;
    }
    if (!args_parse_alg(alg_s, false, &alg, &e)) {
        cli_errorf(a.cmd, "--alg: %s", e.msg);
        return CLI_USAGE;
    }
    bool rsa = alg >= JWS_RS256 && alg <= JWS_PS512;
    if (bits && !rsa) {
        cli_errorf(a.cmd, "--bits applies to RSA keys only; %s fixes its own key size",
                   jws_alg_name(alg));
        return CLI_USAGE;
    }
    jwk *k = NULL;
    if (!jwk_generate(alg, (int)bits, &k, &e)) {
        cli_errorf(a.cmd, "cannot generate a %s key: %s", jws_alg_name(alg), e.msg);
        return CLI_IO;
    }
    jwk_set_alg(k, jws_alg_name(alg));
    char *thumb = NULL;
    if (kid) {
        jwk_set_kid(k, kid);
    } else if ((thumb = jwk_thumbprint(k, &e)) != NULL) {
        jwk_set_kid(k, thumb);
    }
    bool oct = jwk_type(k) == JWK_KTY_OCT;
    if (oct && !as_jwk && out && strcmp(out, "-") != 0)
        cli_warnf(a.cmd, "HMAC secrets have no PEM form; writing a JWK");
    char *text = NULL;
    if (as_jwk || oct) {
        json_t *j = jwk_to_json(k, true);
        char *s = j ? jsonx_pretty(j) : NULL;
        json_decref(j);
        if (s && (text = malloc(strlen(s) + 2)) != NULL) {
            strcpy(text, s);
            strcat(text, "\n");
        }
        free(s);
    } else {
        text = jwk_to_pem(k, true, &e);
    }
    int rc = CLI_OK;
    if (!text) {
        cli_errorf(a.cmd, "cannot export the key: %s", e.msg[0] ? e.msg : "out of memory");
        rc = CLI_IO;
    } else if (out && strcmp(out, "-") != 0) {
        if (!fileio_write_atomic(out, text, strlen(text), &e)) {
            cli_errorf(a.cmd, "%s", e.msg);
            rc = CLI_IO;
        } else {
            fprintf(stderr,
                    "tokenlab keygen: wrote the private key for %s (%s %d-bit%s%s%s) to %s\n",
                    jws_alg_name(alg), jwk_kty_name(jwk_type(k)), jwk_bits(k),
                    jwk_kid(k) ? ", kid " : "", jwk_kid(k) ? jwk_kid(k) : "",
                    (as_jwk || oct) ? ", JWK" : ", PEM", out);
        }
    } else {
        fputs(text, stdout);
    }
    if (text) {
        memset(text, 0, strlen(text));
        free(text);
    }
    free(thumb);
    jwk_free(k);
    return rc;
}
