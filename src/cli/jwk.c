/* SPDX-License-Identifier: MIT */
/* tokenlab jwk — convert keys between PEM and JWK, strip the private half, thumbprint them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"

enum { OPT_PEM = 1, OPT_KID, OPT_SET, OPT_ALG };

static const args_opt opts[] = {
    {"pem", false, OPT_PEM}, {"kid", true, OPT_KID}, {"set", false, OPT_SET},
    {"alg", true, OPT_ALG},  {NULL, false, 0},
};

static void help(FILE *f)
{
    fputs(
        "usage: tokenlab jwk public|private|thumbprint FILE [--pem] [--set] [--kid ID] [--alg "
        "A]\n\n"
        "Reads a key — PEM (SPKI, PKCS#1, PKCS#8, SEC1, X.509 certificate) or JWK; FILE '-' is\n"
        "stdin — and prints:\n"
        "  public      the public JWK (kid = the RFC 7638 thumbprint unless the key has one)\n"
        "  private     the private JWK (the key must hold its private half)\n"
        "  thumbprint  the RFC 7638 thumbprint: base64url(SHA-256 of the required members)\n\n"
        "options:\n"
        "  --pem         print PEM instead of JWK (public: SPKI, private: PKCS#8)\n"
        "  --set         wrap the public JWK in a JWK Set {\"keys\":[…]} (serve it as jwks.json)\n"
        "  --kid ID      set the kid\n"
        "  -a, --alg A   set the JWK alg (restricts the key to that algorithm)\n"
        "  -h, --help    this help\n\n"
        "exit: 0 done, 1 the key cannot do what was asked (private of a public key),\n"
        "      2 usage error, 3 FILE could not be read or is not a key\n\n"
        "examples:\n"
        "  tokenlab keygen --alg RS256 --out private.pem\n"
        "  tokenlab jwk public private.pem --pem > public.pem\n"
        "  tokenlab jwk public private.pem --set > jwks.json\n"
        "  tokenlab jwk thumbprint public.pem\n",
        f);
}

int cli_jwk_main(int argc, char **argv)
{
    args a;
    args_init(&a, argc, argv);
    const char *what = NULL, *file = NULL, *kid = NULL, *alg = NULL;
    bool pem = false, set = false;
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
            if (!what)
                what = val;
            else if (!file)
                file = val;
            else {
                cli_errorf(a.cmd, "unexpected argument '%.60s'", val);
                return CLI_USAGE;
            }
            break;
        case OPT_PEM:
            pem = true;
            break;
        case OPT_SET:
            set = true;
            break;
        case OPT_KID:
            kid = val;
            break;
        case OPT_ALG:
            alg = val;
            break;
        }
    }
    if (!what || !file) {
        cli_errorf(a.cmd, "usage: tokenlab jwk public|private|thumbprint FILE (see --help)");
        return CLI_USAGE;
    }
    bool pub = strcmp(what, "public") == 0, priv = strcmp(what, "private") == 0;
    bool thumb = strcmp(what, "thumbprint") == 0;
    if (!pub && !priv && !thumb) {
        cli_errorf(a.cmd, "unknown action '%s': use public, private or thumbprint", what);
        return CLI_USAGE;
    }
    if ((pem || set) && thumb) {
        cli_errorf(a.cmd, "--pem and --set do not apply to thumbprint");
        return CLI_USAGE;
    }
    if (pem && set) {
        cli_errorf(a.cmd, "--set makes a JWK Set; it cannot be PEM");
        return CLI_USAGE;
    }
    if (set && priv) {
        cli_errorf(a.cmd, "--set publishes keys: only with public");
        return CLI_USAGE;
    }
    tl_err e = {0};
    if (alg) {
        jws_alg dummy;
        if (!args_parse_alg(alg, false, &dummy, &e)) {
            cli_errorf(a.cmd, "--alg: %s", e.msg);
            return CLI_USAGE;
        }
    }
    jwk *k = NULL;
    if (!args_load_key(file, &k, &e)) {
        cli_errorf(a.cmd, "%s", e.msg);
        return CLI_IO;
    }
    int rc = CLI_OK;
    char *thumbprint = jwk_thumbprint(k, &e);
    if (!thumbprint) {
        cli_errorf(a.cmd, "cannot compute the thumbprint: %s", e.msg);
        jwk_free(k);
        return CLI_IO;
    }
    if (thumb) {
        puts(thumbprint);
        goto done;
    }
    if (priv && !jwk_is_private(k)) {
        cli_errorf(a.cmd, "%s holds a public key only: there is no private half to print", file);
        rc = CLI_INVALID;
        goto done;
    }
    if (pub && jwk_type(k) == JWK_KTY_OCT) {
        cli_errorf(a.cmd,
                   "%s is a symmetric (HMAC) secret: it has no public half — whoever can "
                   "verify with it can also sign",
                   file);
        rc = CLI_INVALID;
        goto done;
    }
    if (kid)
        jwk_set_kid(k, kid);
    else if (!jwk_kid(k))
        jwk_set_kid(k, thumbprint);
    if (alg) {
        jws_alg al = jws_alg_from_name(alg);
        if (!jwk_allows(k, al, false, &e)) {
            cli_errorf(a.cmd, "--alg %s does not fit this %s key: %s", alg,
                       jwk_kty_name(jwk_type(k)), e.msg);
            rc = CLI_USAGE;
            goto done;
        }
        jwk_set_alg(k, alg);
    }
    if (pem) {
        char *p = jwk_to_pem(k, priv, &e);
        if (!p) {
            cli_errorf(a.cmd, "%s", e.msg);
            rc = CLI_INVALID;
            goto done;
        }
        fputs(p, stdout);
        memset(p, 0, strlen(p));
        free(p);
        goto done;
    }
    json_t *j = jwk_to_json(k, priv);
    if (set) {
        json_t *s = json_pack("{s:[o]}", "keys", j);
        j = s;
    }
    char *s = j ? jsonx_pretty(j) : NULL;
    json_decref(j);
    if (!s) {
        cli_errorf(a.cmd, "out of memory");
        rc = CLI_IO;
        goto done;
    }
    puts(s);
    memset(s, 0, strlen(s));
    free(s);
done:
    free(thumbprint);
    jwk_free(k);
    return rc;
}
