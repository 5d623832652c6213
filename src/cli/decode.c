/* SPDX-License-Identifier: MIT */
/* tokenlab decode — look inside a token. Never needs the algorithm to be supported, and never
 * needs a key; with verify options it also gives the verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/esc.h"
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/show.h"
#include "cli/vopts.h"
#include "jose/jsonx.h"
#include "jose/jws.h"

enum { OPT_JSON = 1 };

static const args_opt opts[] = {{"json", false, OPT_JSON}, VOPTS_TABLE_ENTRIES, {NULL, false, 0}};

static void help(FILE *f)
{
    fputs(
        "usage: tokenlab decode [TOKEN|-] [--json] [verify options]\n\n"
        "Shows a JWT/JWS: the header and payload (pretty JSON), every time claim as a date with\n"
        "\"in 4m 12s\" / \"3m ago\", what each registered claim means, the signature in hex and\n"
        "base64url, and warnings. A JWE (5 segments) shows its header; its payload is encrypted.\n"
        "Decoding needs no key and works for any algorithm. With a key it also verifies.\n"
        "The token comes from the argument, or from stdin when it is '-' or missing;\n"
        "a leading \"Bearer \" is ignored.\n\n"
        "options:\n"
        "  -j, --json          print {\"header\":…,\"payload\":…,\"signature\":\"…\",\n"
        "                      "
        "\"warnings\":[{\"code\":…,\"message\":…}],\"verified\":true|false|null}\n"
        "                      (verified is null without a key); \"dates\" has the time\n"
        "                      claims as UTC dates: "
        "{\"exp\":\"2026-11-28T14:02:11Z\",…}\n" VOPTS_HELP "  -h, --help          this help\n\n"
        "exit: 0 decoded (and verified, when a key was given), 1 not a token or not valid,\n"
        "      2 usage error, 3 a key, file or URL could not be read\n\n"
        "examples:\n"
        "  tokenlab decode eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2ln\n"
        "  curl -s …/token | jq -r .access_token | tokenlab decode - --json\n"
        "  tokenlab decode \"$TOKEN\" --secret 'your-256-bit-secret'\n",
        f);
}

int cli_decode_main(int argc, char **argv)
{
    args a;
    args_init(&a, argc, argv);
    vopts v;
    vopts_init(&v);
    bool json = false;
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
        default:
            if ((rc = vopts_handle(&v, a.cmd, id, val)) != CLI_OK) return rc;
        }
    }
    if (!token_arg && isatty(STDIN_FILENO)) {
        cli_errorf(a.cmd, "no token given: tokenlab decode TOKEN (or '-' to read stdin)");
        return CLI_USAGE;
    }
    if (vopts_stdin_clash(&v, a.cmd, token_arg)) return CLI_USAGE;
    if ((rc = vopts_load(&v, a.cmd, false)) != CLI_OK) {
        vopts_free(&v);
        return rc;
    }

    tl_err e = {0};
    char *tok = NULL;
    jws *t = NULL;
    if (!args_read_token(token_arg, &tok, &e)) {
        cli_errorf(a.cmd, "%s", e.msg);
        vopts_free(&v);
        return args_token_exit(&e);
    }
    if (!jws_parse(tok, strlen(tok), &t, &e)) {
        cli_errorf(a.cmd, "not a token: %s", e.msg);
        free(tok);
        vopts_free(&v);
        return CLI_INVALID;
    }
    free(tok);

    bool verified = false;
    tl_err ve = {0};
    const char *kid = NULL;
    if (vopts_has_key(&v)) verified = vopts_verify(&v, t, &kid, &ve);
    const jwk *wkey = v.k;

    if (json) {
        json_t *o = json_object();
        json_object_set(o, "header", t->header);
        json_object_set_new(o, "payload", show_payload_json(t));
        json_object_set_new(o, "dates", show_dates_json(t));
        json_object_set_new(
            o, "signature",
            json_stringn(t->is_jwe ? "" : t->seg[2].p, t->is_jwe ? 0 : t->seg[2].n));
        json_object_set_new(o, "warnings", show_warnings_json(t, wkey, v.now));
        json_object_set_new(o, "verified",
                            vopts_has_key(&v) ? json_boolean(verified) : json_null());
        char *s = jsonx_compact(o);
        if (s) puts(s);
        free(s);
        json_decref(o);
    } else {
        bool color = out_color_wanted(stdout);
        show_token(stdout, t, wkey, v.now, color);
        if (vopts_has_key(&v)) {
            fprintf(stdout, "%sVerdict%s\n", out_c(color, OUT_TITLE), out_c(color, OUT_RESET));
            char kb[256], mb[sizeof ve.msg * 4];
            if (verified)
                fprintf(stdout, "  %svalid%s: %s signature matches%s%s%s%s\n", out_c(color, OUT_OK),
                        out_c(color, OUT_RESET), t->alg_name ? t->alg_name : "",
                        kid ? " (key " : "", kid ? esc_text(kid, kb, sizeof kb) : "",
                        kid ? ")" : "",
                        v.signature_only ? "; claims not checked (--signature-only)"
                                         : "; claims are valid");
            else
                fprintf(stdout, "  %sinvalid%s: %s\n", out_c(color, OUT_BAD),
                        out_c(color, OUT_RESET), esc_text(ve.msg, mb, sizeof mb));
        }
    }
    bool failed = vopts_has_key(&v) && !verified;
    if (failed) cli_errorf(a.cmd, "%s", ve.msg);
    jws_free(t);
    vopts_free(&v);
    return failed ? CLI_INVALID : CLI_OK;
}
