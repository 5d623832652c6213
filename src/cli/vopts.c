/* SPDX-License-Identifier: MIT */
#include "cli/vopts.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "jose/jwt.h"

void vopts_init(vopts *v)
{
    memset(v, 0, sizeof *v);
    v->now = args_now();
}

void vopts_free(vopts *v)
{
    jwk_free(v->k);
    jwks_free(v->set);
    v->k = NULL;
    v->set = NULL;
}

int vopts_handle(vopts *v, const char *cmd, int id, const char *val)
{
    tl_err e = {0};
    int64_t n;
    v->any = true;
    switch (id) {
    case VOPT_SECRET:
        v->secret = val;
        break;
    case VOPT_KEY:
        v->key = val;
        break;
    case VOPT_JWKS:
        v->jwks = val;
        break;
    case VOPT_ALG:
        if (!args_parse_alg(val, false, &v->algs[v->nalgs], &e)) {
            cli_errorf(cmd, "--alg: %s", e.msg);
            return CLI_USAGE;
        }
        for (size_t i = 0; i < v->nalgs; i++)
            if (v->algs[i] == v->algs[v->nalgs]) return CLI_OK;
        v->nalgs++;
        break;
    case VOPT_ISS:
        v->iss = val;
        break;
    case VOPT_AUD:
        v->aud = val;
        break;
    case VOPT_TYP:
        v->typ = val;
        break;
    case VOPT_LEEWAY:
        if (!args_parse_int(val, 0, 10L * 365 * 86400, &n)) {
            cli_errorf(cmd, "--leeway wants a number of seconds (0 or more), not '%s'", val);
            return CLI_USAGE;
        }
        v->leeway = n;
        break;
    case VOPT_REQUIRE:
        if (v->nrequire == VOPTS_MAX_REQUIRE) {
            cli_errorf(cmd, "too many --require options (at most %d)", VOPTS_MAX_REQUIRE);
            return CLI_USAGE;
        }
        v->require[v->nrequire++] = val;
        break;
    case VOPT_SIGNATURE_ONLY:
        v->signature_only = true;
        break;
    case VOPT_NOW:
        if (!args_parse_time(val, &n)) {
            cli_errorf(
                cmd,
                "--now wants seconds since 1970 or a UTC time like 2026-11-28T14:02:11Z, not '%s'",
                val);
            return CLI_USAGE;
        }
        v->now = n;
        break;
    default:
        cli_errorf(cmd, "internal: unhandled option");
        return CLI_USAGE;
    }
    return CLI_OK;
}

bool vopts_has_key(const vopts *v)
{
    return v->secret || v->key || v->jwks;
}

bool vopts_key_from_stdin(const vopts *v)
{
    return (v->key && strcmp(v->key, "-") == 0) || (v->jwks && strcmp(v->jwks, "-") == 0) ||
           (v->secret && strcmp(v->secret, "@-") == 0);
}

bool vopts_stdin_clash(const vopts *v, const char *cmd, const char *token_arg)
{
    if ((token_arg && strcmp(token_arg, "-") != 0) || !vopts_key_from_stdin(v)) return false;
    cli_errorf(cmd, "the token and the key cannot both come from stdin");
    return true;
}

int vopts_load(vopts *v, const char *cmd, bool need_key)
{
    int sources = !!v->secret + !!v->key + !!v->jwks;
    if (sources > 1) {
        cli_errorf(cmd, "give only one of --secret, --key and --jwks");
        return CLI_USAGE;
    }
    if (sources == 0) {
        if (need_key) {
            cli_errorf(cmd,
                       "a key is needed: --secret S, --key FILE or --jwks FILE|URL (see "
                       "tokenlab %s --help)",
                       cmd);
            return CLI_USAGE;
        }
        if (v->nalgs || v->iss || v->aud || v->typ || v->nrequire || v->signature_only ||
            v->leeway) {
            cli_errorf(cmd, "verify options need a key: --secret, --key or --jwks");
            return CLI_USAGE;
        }
        return CLI_OK;
    }
    tl_err e = {0};
    bool ok;
    if (v->secret)
        ok = args_load_secret(v->secret, &v->k, &e);
    else if (v->key)
        ok = args_load_key(v->key, &v->k, &e);
    else
        ok = args_load_jwks(v->jwks, &v->set, &e);
    if (!ok) {
        cli_errorf(cmd, "%s", e.msg);
        return err_is(&e, "cli.secret") ? CLI_USAGE : CLI_IO;
    }
    if (v->set && jwks_count(v->set) == 0) {
        cli_errorf(cmd, "the JWKS %s holds no key tokenlab can use", v->jwks);
        return CLI_IO;
    }
    return CLI_OK;
}

bool vopts_verify(const vopts *v, const jws *t, const char **used_kid, tl_err *e)
{
    if (used_kid) *used_kid = NULL;
    if (t->is_jwe)
        return err_set(e, "cli.jwe",
                       "this is an encrypted token (JWE, 5 segments); tokenlab verifies signed "
                       "tokens (JWS) only");
    /* RFC 7515 §5.2: the signature first; a forged token's claims mean nothing. */
    bool ok = v->set ? jws_verify_jwks(t, v->set, v->algs, v->nalgs, used_kid, e)
                     : jws_verify(t, v->k, v->algs, v->nalgs, e);
    if (!ok) {
        if (err_is(e, "jws.sig_mismatch") && args_secret_file_has_newline(v->secret) &&
            strlen(e->msg) + 100 < sizeof e->msg)
            strcat(e->msg, " (note: the secret file ends with a newline, which counts as part of "
                           "the secret)");
        return false;
    }
    if (v->signature_only) return true;
    jwt_rules r = {
        .now = v->now,
        .leeway = v->leeway,
        .iss = v->iss,
        .aud = v->aud,
        .typ = v->typ,
        .require = v->require,
        .nrequire = v->nrequire,
    };
    if (!jwt_check(t, &r, e)) {
        if (err_is(e, "jwt.not_object")) err_prefix(e, "the signature is valid, but ");
        if (err_is(e, "jwt.not_object") && strlen(e->msg) + 60 < sizeof e->msg)
            strcat(e->msg, " (use --signature-only to check only the signature)");
        return false;
    }
    return true;
}
