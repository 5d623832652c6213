/* SPDX-License-Identifier: MIT */
/* tokenlab verify — is this token valid for this key and these rules? Exit 0 yes, 1 no. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/esc.h"
#include "base/timefmt.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/show.h"
#include "cli/vopts.h"
#include "jose/jsonx.h"
#include "jose/jws.h"
#include "jose/jwt.h"

enum { OPT_JSON = 1, OPT_QUIET };

static const args_opt opts[] = {
    {"json", false, OPT_JSON}, {"quiet", false, OPT_QUIET}, VOPTS_TABLE_ENTRIES, {NULL, false, 0}};

static void help(FILE *f)
{
    fputs("usage: tokenlab verify [TOKEN|-] (--secret S | --key FILE | --jwks FILE|URL)\n"
          "                       [--alg A]… [--iss X] [--aud X] [--leeway SECONDS]\n"
          "                       [--require CLAIM]… [--typ T] [--signature-only] [--json]\n"
          "                       [--now TIME]\n\n"
          "Checks the signature with YOUR key — the token's own \"alg\" is never trusted: the key\n"
          "decides which algorithms are possible (an RSA key never verifies HS256), a JWK's\n"
          "alg/use/key_ops and --alg narrow that further, and alg \"none\" is always refused.\n"
          "Then the claims: exp, nbf and iat against the clock (with --leeway), and --iss, --aud,\n"
          "--require when given. The token comes from the argument, or stdin ('-' or missing).\n\n"
          "options:\n" VOPTS_HELP "  -j, --json          print "
          "{\"valid\":…,\"alg\":…,\"kid\":…,\"error\":{\"code\":…,\"message\":…}|null,\n"
          "                      \"header\":…,\"payload\":…,\"dates\":{\"exp\":\"2026-…Z\",…},\n"
          "                      \"warnings\":[…]} on stdout (dates: the time claims in UTC)\n"
          "  -q, --quiet         print nothing when valid (the exit status says it); the reason\n"
          "                      still goes to stderr when not\n"
          "  -h, --help          this help\n\n"
          "exit: 0 valid, 1 not valid (the reason on stderr, or in the JSON), 2 usage error,\n"
          "      3 a key, file or URL could not be read\n\n"
          "examples:\n"
          "  tokenlab verify \"$TOKEN\" --secret 'a-long-random-secret' --aud api\n"
          "  tokenlab verify - --jwks http://127.0.0.1:8910/jwks --iss http://127.0.0.1:8910 "
          "< token.txt\n"
          "  tokenlab verify \"$TOKEN\" --key public.pem --alg RS256 --signature-only\n",
          f);
}

static void print_json(const jws *t, bool valid, const char *kid, const tl_err *ve, const vopts *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_boolean(valid));
    json_object_set_new(o, "alg", t && t->alg_name ? json_string(t->alg_name) : json_null());
    json_object_set_new(o, "kid",
                        kid ? json_string(kid) : (t && t->kid ? json_string(t->kid) : json_null()));
    if (valid)
        json_object_set_new(o, "error", json_null());
    else
        json_object_set_new(
            o, "error",
            json_pack("{s:s,s:s}", "code", ve->code ? ve->code : "error", "message", ve->msg));
    json_object_set(o, "header", t ? t->header : json_null());
    json_object_set_new(o, "payload", t ? show_payload_json(t) : json_null());
    json_object_set_new(o, "dates", t ? show_dates_json(t) : json_object());
    json_object_set_new(o, "warnings", t ? show_warnings_json(t, v->k, v->now) : json_array());
    char *s = jsonx_compact(o);
    if (s) puts(s);
    free(s);
    json_decref(o);
}

int cli_verify_main(int argc, char **argv)
{
    args a;
    args_init(&a, argc, argv);
    vopts v;
    vopts_init(&v);
    bool json = false, quiet = false;
    const char *token_arg = NULL;
    const char *val;
    int id, rc;
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
        case OPT_JSON:
            json = true;
            break;
        case OPT_QUIET:
            quiet = true;
            break;
        default:
            if ((rc = vopts_handle(&v, a.cmd, id, val)) != CLI_OK) return rc;
        }
    }
    if (vopts_stdin_clash(&v, a.cmd, token_arg)) return CLI_USAGE;
    if ((rc = vopts_load(&v, a.cmd, true)) != CLI_OK) {
        vopts_free(&v);
        return rc;
    }
    if (!token_arg && isatty(STDIN_FILENO)) {
        cli_errorf(a.cmd, "no token given: tokenlab verify TOKEN … (or '-' to read stdin)");
        vopts_free(&v);
        return CLI_USAGE;
    }

    tl_err e = {0};
    char *tok = NULL;
    if (!args_read_token(token_arg, &tok, &e)) {
        cli_errorf(a.cmd, "%s", e.msg);
        vopts_free(&v);
        return args_token_exit(&e);
    }
    jws *t = NULL;
    bool parsed = jws_parse(tok, strlen(tok), &t, &e);
    free(tok);
    bool valid = false;
    const char *kid = NULL;
    if (parsed) {
        valid = vopts_verify(&v, t, &kid, &e);
    } else {
        err_prefix(&e, "not a token: ");
    }

    if (json) {
        print_json(t, valid, kid, &e, &v);
    } else if (valid && !quiet) {
        char extra[160] = "";
        const json_t *exp = t->claims ? json_object_get(t->claims, "exp") : NULL;
        if (!v.signature_only && json_is_number(exp)) {
            char rel[64];
            snprintf(extra, sizeof extra, "; expires %s",
                     timefmt_relative((int64_t)json_number_value(exp), v.now, rel, sizeof rel));
        }
        char kb[256];
        printf("valid: %s signature matches%s%s%s; %s%s\n", t->alg_name, kid ? " (key " : "",
               kid ? esc_text(kid, kb, sizeof kb) : "", kid ? ")" : "",
               v.signature_only ? "claims not checked (--signature-only)" : "claims are valid",
               extra);
        jwt_warning w[JWT_MAX_WARNINGS];
        size_t n = jwt_warnings(t, v.k, v.now, w, JWT_MAX_WARNINGS);
        for (size_t i = 0; i < n; i++) cli_warnf(a.cmd, "%s", w[i].message);
    }
    if (!valid) cli_errorf(a.cmd, "%s", e.msg);
    jws_free(t);
    vopts_free(&v);
    return valid ? CLI_OK : CLI_INVALID;
}
