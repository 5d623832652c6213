/* SPDX-License-Identifier: MIT */
/* tokenlab mint — build a JWT and sign it (RFC 7519 §7.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "jose/alg.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"

enum {
    OPT_ALG = 1,
    OPT_SECRET,
    OPT_KEY,
    OPT_CLAIM,
    OPT_PAYLOAD,
    OPT_HEADER,
    OPT_EXP,
    OPT_NO_EXP,
    OPT_NBF,
    OPT_ISS,
    OPT_SUB,
    OPT_AUD,
    OPT_KID,
    OPT_NO_IAT,
    OPT_UNSIGNED,
    OPT_NOW,
    OPT_TYP,
};

static const args_opt opts[] = {
    {"alg", true, OPT_ALG},     {"secret", true, OPT_SECRET},   {"key", true, OPT_KEY},
    {"claim", true, OPT_CLAIM}, {"payload", true, OPT_PAYLOAD}, {"header", true, OPT_HEADER},
    {"exp", true, OPT_EXP},     {"no-exp", false, OPT_NO_EXP},  {"nbf", true, OPT_NBF},
    {"iss", true, OPT_ISS},     {"sub", true, OPT_SUB},         {"aud", true, OPT_AUD},
    {"kid", true, OPT_KID},     {"no-iat", false, OPT_NO_IAT},  {"unsigned", false, OPT_UNSIGNED},
    {"now", true, OPT_NOW},     {"typ", true, OPT_TYP},         {NULL, false, 0},
};

static void help(FILE *f)
{
    fputs(
        "usage: tokenlab mint --alg ALG (--secret S | --key FILE) [--claim k=v]…\n"
        "                     [--payload JSON|@FILE] [--header k=v]… [--exp DURATION|--no-exp]\n"
        "                     [--nbf DURATION] [--iss X] [--sub X] [--aud X] [--kid ID] "
        "[--no-iat]\n\n"
        "Builds a JWT and prints it. By default it gets \"iat\" (now) and an \"exp\" 15 minutes\n"
        "ahead, and the header {\"alg\":ALG,\"typ\":\"JWT\"} plus the key's kid when it has "
        "one.\n\n"
        "options:\n"
        "  -a, --alg ALG       HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256\n"
        "                      ES384 ES512 Ed25519 EdDSA (default: what the key is for: RS256,\n"
        "                      ES256…, Ed25519, HS256)\n"
        "  -s, --secret S      HMAC secret: a literal, @FILE (its bytes exactly) or b64:BASE64\n"
        "                      (base64url or standard base64)\n"
        "  -k, --key FILE      private key, PEM or JWK ('-' reads stdin; see tokenlab keygen)\n"
        "  --claim k=v         a claim; v is JSON when it parses as JSON (admin=true, n=3,\n"
        "                      roles='[\"a\"]'), else a string (repeatable)\n"
        "  --payload JSON|@F   start from this JSON object (a file with @FILE, stdin with @-)\n"
        "  --header k=v        an extra header parameter, same value rules (repeatable);\n"
        "                      a member with its own flag (--iss, --sub, --aud, --exp, --nbf,\n"
        "                      --kid, --typ) is set there, not also with --claim/--header\n"
        "  --exp DURATION      expire this long from now: 30s, 15m, 2h, 1d, 1h30m; negative\n"
        "                      (-5m) makes an already expired token (default 15m)\n"
        "  --no-exp            no exp at all (a warning: such a token is valid forever)\n"
        "  --nbf DURATION      not valid before now + DURATION (may be negative)\n"
        "  --iss X, --sub X    issuer, subject\n"
        "  --aud X             audience (repeat for an array)\n"
        "  --kid ID            key id in the header\n"
        "  --typ T             header typ (default JWT; e.g. at+jwt for RFC 9068)\n"
        "  --no-iat            leave out iat\n"
        "  --now TIME          mint as if it were this instant: seconds since 1970 or a UTC time\n"
        "                      like 2026-11-28T14:02:11Z\n"
        "  --unsigned          required with --alg none: an unsigned token, for the attack\n"
        "                      lessons only (no honest verifier accepts one)\n"
        "  -h, --help          this help\n\n"
        "exit: 0 printed, 2 usage error (including a key that cannot sign with ALG),\n"
        "      3 a key or file could not be read\n\n"
        "examples:\n"
        "  tokenlab mint --alg HS256 --secret b64:$(openssl rand -base64 32) --sub alice\n"
        "  tokenlab mint --alg RS256 --key private.pem --iss https://issuer.example "
        "--aud api \\\n"
        "      --claim scope='notes:read' --claim admin=false --exp 5m\n"
        "  tokenlab mint --alg none --unsigned --sub mallory --claim admin=true\n",
        f);
}

/* "k=v" -> key and JSON value. */
static bool split_kv(const char *cmd, const char *opt, const char *s, char **k, json_t **v)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s) {
        cli_errorf(cmd, "--%s wants NAME=VALUE, not '%s'", opt, s);
        return false;
    }
    *k = strndup(s, (size_t)(eq - s));
    *v = jsonx_from_arg(eq + 1);
    if (!*k || !*v) {
        free(*k);
        json_decref(*v);
        cli_errorf(cmd, "out of memory");
        return false;
    }
    if (!json_is_string(*v) && jsonx_has_big_int(eq + 1, strlen(eq + 1))) {
        cli_errorf(cmd,
                   "--%s %s: an integer beyond 64 bits cannot be signed exactly (JSON libraries, "
                   "this one too, round it); send it as a string: %s='\"%s\"'",
                   opt, *k, *k, eq + 1);
        free(*k);
        json_decref(*v);
        return false;
    }
    return true;
}

typedef struct kv {
    const char *s;
    bool header;
} kv;

/* The flags that set one member themselves; --claim/--header for the same member would leave one
 * of the two silently ignored, so that is refused. */
typedef struct mint_flags {
    const char *iss, *sub, *exp_s, *nbf_s, *kid;
    size_t naud;
    bool no_exp, no_iat, typ_given;
} mint_flags;

static const char *mint_clash(const mint_flags *f, bool header, const char *k)
{
    if (header)
        return f->kid && strcmp(k, "kid") == 0         ? "--kid"
               : f->typ_given && strcmp(k, "typ") == 0 ? "--typ"
                                                       : NULL;
    return f->iss && strcmp(k, "iss") == 0                    ? "--iss"
           : f->sub && strcmp(k, "sub") == 0                  ? "--sub"
           : f->naud && strcmp(k, "aud") == 0                 ? "--aud"
           : (f->exp_s || f->no_exp) && strcmp(k, "exp") == 0 ? (f->exp_s ? "--exp" : "--no-exp")
           : f->nbf_s && strcmp(k, "nbf") == 0                ? "--nbf"
           : f->no_iat && strcmp(k, "iat") == 0               ? "--no-iat"
                                                              : NULL;
}

int cli_mint_main(int argc, char **argv)
{
    args a;
    args_init(&a, argc, argv);
    const char *alg_s = NULL, *secret = NULL, *keyfile = NULL, *payload = NULL, *exp_s = NULL;
    const char *nbf_s = NULL, *iss = NULL, *sub = NULL, *kid = NULL, *typ = ALG_MINT_TYP;
    const char *auds[64];
    size_t naud = 0;
    kv *kvs = calloc((size_t)argc + 1, sizeof *kvs);
    size_t nkv = 0;
    bool no_exp = false, no_iat = false, unsigned_ok = false, typ_given = false;
    int64_t now = args_now(), dur;
    int rc = CLI_USAGE;
    json_t *claims = NULL, *header = NULL;
    jwk *key = NULL;
    char *token = NULL;
    tl_err e = {0};
    const char *val;
    int id;
    if (!kvs) return CLI_IO;
    while ((id = args_next(&a, opts, &val)) != ARGS_END) {
        switch (id) {
        case ARGS_ERROR:
            goto out;
        case ARGS_HELP:
            help(stdout);
            rc = CLI_OK;
            goto out;
        case ARGS_POSITIONAL:
            cli_errorf(a.cmd, "unexpected argument '%.60s' (claims go in --claim k=v)", val);
            goto out;
        case OPT_ALG:
            alg_s = val;
            break;
        case OPT_SECRET:
            secret = val;
            break;
        case OPT_KEY:
            keyfile = val;
            break;
        case OPT_CLAIM:
            kvs[nkv++] = (kv){val, false};
            break;
        case OPT_HEADER:
            kvs[nkv++] = (kv){val, true};
            break;
        case OPT_PAYLOAD:
            payload = val;
            break;
        case OPT_EXP:
            exp_s = val;
            break;
        case OPT_NO_EXP:
            no_exp = true;
            break;
        case OPT_NBF:
            nbf_s = val;
            break;
        case OPT_ISS:
            iss = val;
            break;
        case OPT_SUB:
            sub = val;
            break;
        case OPT_AUD:
            if (naud == sizeof auds / sizeof auds[0]) {
                cli_errorf(a.cmd, "too many --aud");
                goto out;
            }
            auds[naud++] = val;
            break;
        case OPT_KID:
            kid = val;
            break;
        case OPT_TYP:
            typ = val;
            typ_given = true;
            break;
        case OPT_NO_IAT:
            no_iat = true;
            break;
        case OPT_UNSIGNED:
            unsigned_ok = true;
            break;
        case OPT_NOW:
            if (!args_parse_time(val, &now)) {
                cli_errorf(a.cmd,
                           "--now wants seconds since 1970 or a UTC time like "
                           "2026-11-28T14:02:11Z, not '%s'",
                           val);
                goto out;
            }
            break;
        }
    }

    if (payload && strcmp(payload, "@-") == 0 &&
        ((keyfile && strcmp(keyfile, "-") == 0) || (secret && strcmp(secret, "@-") == 0))) {
        cli_errorf(a.cmd, "the payload and the key cannot both come from stdin");
        goto out;
    }
    /* The algorithm and the key. */
    jws_alg alg = JWS_ALG_UNKNOWN;
    if (alg_s && !args_parse_alg(alg_s, true, &alg, &e)) {
        cli_errorf(a.cmd, "--alg: %s", e.msg);
        goto out;
    }
    if (secret && keyfile) {
        cli_errorf(a.cmd, "give --secret or --key, not both");
        goto out;
    }
    if (alg == JWS_ALG_NONE) {
        if (!unsigned_ok) {
            cli_errorf(a.cmd, "--alg none makes an unsigned token that anyone can forge; add "
                              "--unsigned if that is what you want (attack lessons)");
            goto out;
        }
        if (secret || keyfile) {
            cli_errorf(a.cmd, "--alg none signs nothing: drop --secret/--key");
            goto out;
        }
    } else {
        if (unsigned_ok) {
            cli_errorf(a.cmd, "--unsigned goes only with --alg none");
            goto out;
        }
        if (!secret && !keyfile) {
            cli_errorf(a.cmd, "a key is needed: --secret S (HS256/384/512) or --key FILE (see "
                              "tokenlab keygen)");
            goto out;
        }
        bool ok = secret ? args_load_secret(secret, &key, &e) : args_load_key(keyfile, &key, &e);
        if (!ok) {
            cli_errorf(a.cmd, "%s", e.msg);
            rc = err_is(&e, "cli.secret") ? CLI_USAGE : CLI_IO;
            goto out;
        }
        if (secret && args_secret_file_has_newline(secret))
            cli_warnf(a.cmd,
                      "the secret file %s ends with a newline, which is part of the secret "
                      "(write it with printf '%%s' to leave it out)",
                      secret + 1);
        if (!alg_s) alg = jwk_default_alg(key);
        if (!jwk_is_private(key)) {
            cli_errorf(a.cmd, "%s is a public key: signing needs the private key", keyfile);
            goto out;
        }
        if (!jwk_allows(key, alg, true, &e)) {
            cli_errorf(a.cmd, "cannot sign %s with this %s key: %s", jws_alg_name(alg),
                       jwk_kty_name(jwk_type(key)), e.msg);
            goto out;
        }
    }

    /* The claims. */
    if (payload) {
        char *buf = NULL;
        size_t n = 0;
        if (payload[0] == '@') {
            if (!args_read_file(payload + 1, &buf, &n, &e)) {
                cli_errorf(a.cmd, "--payload: %s", e.msg);
                rc = CLI_IO;
                goto out;
            }
        } else {
            buf = strdup(payload);
            n = buf ? strlen(buf) : 0;
        }
        if (buf && jsonx_has_big_int(buf, n)) {
            free(buf);
            cli_errorf(a.cmd, "--payload has an integer beyond 64 bits, which cannot be signed "
                              "exactly (JSON libraries, this one too, round it); write it as a "
                              "string");
            goto out;
        }
        claims = buf ? jsonx_parse(buf, n, true, &e) : NULL;
        free(buf);
        if (!claims) {
            cli_errorf(a.cmd, "--payload must be a JSON object: %s", e.msg);
            goto out;
        }
    } else {
        claims = json_object();
    }
    header = json_object();
    json_object_set_new(header, "alg", json_string(jws_alg_name(alg)));
    if (typ[0]) json_object_set_new(header, "typ", json_string(typ));
    if (kid) json_object_set_new(header, "kid", json_string(kid));
    if (iss) json_object_set_new(claims, "iss", json_string(iss));
    if (sub) json_object_set_new(claims, "sub", json_string(sub));
    if (naud == 1) json_object_set_new(claims, "aud", json_string(auds[0]));
    if (naud > 1) {
        json_t *arr = json_array();
        for (size_t i = 0; i < naud; i++) json_array_append_new(arr, json_string(auds[i]));
        json_object_set_new(claims, "aud", arr);
    }
    mint_flags flags = {iss, sub, exp_s, nbf_s, kid, naud, no_exp, no_iat, typ_given};
    for (size_t i = 0; i < nkv; i++) {
        char *k;
        json_t *v;
        if (!split_kv(a.cmd, kvs[i].header ? "header" : "claim", kvs[i].s, &k, &v)) goto out;
        const char *clash = mint_clash(&flags, kvs[i].header, k);
        if (clash) {
            cli_errorf(a.cmd, "--%s %s=… and %s both set \"%s\": give one of them",
                       kvs[i].header ? "header" : "claim", k, clash, k);
            free(k);
            json_decref(v);
            goto out;
        }
        if (kvs[i].header && strcmp(k, "alg") == 0) {
            cli_errorf(a.cmd, "set the algorithm with --alg, not --header alg=…");
            free(k);
            json_decref(v);
            goto out;
        }
        json_object_set_new(kvs[i].header ? header : claims, k, v);
        free(k);
    }
    /* RFC 7519 §4.1.4–4.1.6: NumericDate, seconds since the epoch. */
    if (exp_s && no_exp) {
        cli_errorf(a.cmd, "--exp and --no-exp contradict each other");
        goto out;
    }
    if (!no_iat && !json_object_get(claims, "iat"))
        json_object_set_new(claims, "iat", json_integer(now));
    if (nbf_s) {
        if (!args_parse_duration(nbf_s, &dur)) {
            cli_errorf(a.cmd, "--nbf wants a duration like 30s, 5m, 1h30m or -2m, not '%s'", nbf_s);
            goto out;
        }
        json_object_set_new(claims, "nbf", json_integer(now + dur));
    }
    if (no_exp) {
        json_object_del(claims, "exp");
    } else if (exp_s) {
        if (!args_parse_duration(exp_s, &dur)) {
            cli_errorf(a.cmd, "--exp wants a duration like 30s, 15m, 2h, 1d or -5m, not '%s'",
                       exp_s);
            goto out;
        }
        json_object_set_new(claims, "exp", json_integer(now + dur));
    } else if (!json_object_get(claims, "exp")) {
        json_object_set_new(claims, "exp", json_integer(now + ALG_MINT_TTL));
    }

    char *body = jsonx_compact(claims);
    if (!body) {
        cli_errorf(a.cmd, "out of memory");
        rc = CLI_IO;
        goto out;
    }
    bool ok = jws_sign(header, (const uint8_t *)body, strlen(body), alg, key, alg == JWS_ALG_NONE,
                       &token, &e);
    free(body);
    if (!ok) {
        cli_errorf(a.cmd, "cannot sign: %s", e.msg);
        goto out;
    }
    puts(token);
    /* RFC 7519 sets no size limit, but the places a token travels do. */
    size_t toklen = strlen(token);
    if (toklen > JWS_MAX_TOKEN)
        cli_warnf(
            a.cmd,
            "the token is %zu bytes: more than tokenlab decode/verify read (%u), and far more "
            "than servers accept in a request header (often 8 KiB)",
            toklen, JWS_MAX_TOKEN);
    else if (toklen > 8192)
        cli_warnf(a.cmd,
                  "the token is %zu bytes: many servers refuse request headers over 8 KiB, so it "
                  "may not fit in an Authorization header",
                  toklen);

    /* What a reviewer of this token would warn about, on stderr. */
    jws *t = NULL;
    bool warned_no_exp = false;
    if (jws_parse(token, strlen(token), &t, &e)) {
        jwt_warning w[JWT_MAX_WARNINGS];
        size_t n = jwt_warnings(t, key, now, w, JWT_MAX_WARNINGS);
        for (size_t i = 0; i < n; i++) {
            if (w[i].code && strcmp(w[i].code, "warn.no_exp") == 0) warned_no_exp = true;
            cli_warnf(a.cmd, "%s", w[i].message);
        }
        jws_free(t);
    }
    if (no_exp && !warned_no_exp)
        cli_warnf(a.cmd, "no exp: this token never expires; if it leaks it works forever");
    rc = CLI_OK;
out:
    free(kvs);
    free(token);
    json_decref(claims);
    json_decref(header);
    jwk_free(key);
    return rc;
}
