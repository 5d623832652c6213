/* SPDX-License-Identifier: MIT */
#include "cli/args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/esc.h"
#include "base/fileio.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "jose/b64url.h"

void args_init(args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = argc > 0 ? argv[0] : "?";
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
    optind = 0; /* glibc: 0 re-initialises getopt completely (a test may parse many times) */
    opterr = 0; /* our own messages, prefixed "tokenlab CMD: " */
}

/* Short forms, one list for every command: a command that has the long option gets the letter.
 * (-h is --help everywhere; -V, --version is the front binary's.) */
static const struct {
    const char *name;
    char c;
} SHORTS[] = {
    {"key", 'k'},   {"secret", 's'}, {"json", 'j'}, {"alg", 'a'},
    {"quiet", 'q'}, {"out", 'o'},    {"yes", 'y'},
};

enum { VAL_BASE = 1000, VAL_HELP = 990, VAL_COLOR = 991, MAX_OPTS = 64 };

static char short_of(const char *name)
{
    for (size_t i = 0; i < sizeof SHORTS / sizeof SHORTS[0]; i++)
        if (strcmp(SHORTS[i].name, name) == 0) return SHORTS[i].c;
    return 0;
}

size_t args_edit_distance(const char *x, size_t nx, const char *y)
{
    size_t ny = strlen(y), row[64];
    if (nx >= 63 || ny >= 63) return 99;
    for (size_t j = 0; j <= ny; j++) row[j] = j;
    for (size_t i = 1; i <= nx; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= ny; j++) {
            size_t up = row[j];
            size_t sub = diag + (x[i - 1] != y[j - 1]);
            size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[ny];
}

/* "unknown option '--sceret' (did you mean --secret?)", or the options it could be when a prefix
 * is ambiguous. */
static void unknown_long(const args *a, const args_opt *opts, const char *arg)
{
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    char list[256] = "";
    int prefixed = 0;
    for (const args_opt *o = opts; o && o->name; o++) {
        if (strncmp(o->name, name, nlen) != 0) continue;
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s--%s", prefixed++ ? ", " : "", o->name);
    }
    if (prefixed > 1) {
        cli_errorf(a->cmd, "option '--%.*s' is ambiguous: it could be %s", (int)nlen, name, list);
        return;
    }
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits away */
    for (const args_opt *o = opts; o && o->name; o++) {
        size_t d = args_edit_distance(name, nlen, o->name);
        if (d < best_d) {
            best_d = d;
            best = o->name;
        }
    }
    if (best)
        cli_errorf(a->cmd, "unknown option '--%.*s' (did you mean --%s?)", (int)nlen, name, best);
    else
        cli_errorf(a->cmd, "unknown option '--%.*s' (see tokenlab %s --help)", (int)nlen, name,
                   a->cmd);
}

static const char *value_name(const args_opt *opts, int val, char *buf, size_t n)
{
    if (val >= VAL_BASE) {
        snprintf(buf, n, "--%s", opts[val - VAL_BASE].name);
    } else {
        for (const args_opt *o = opts; o && o->name; o++)
            if (short_of(o->name) == val) {
                snprintf(buf, n, "-%c (--%s)", val, o->name);
                return buf;
            }
        snprintf(buf, n, "-%c", val);
    }
    return buf;
}

/* getopt_long, GNU style: --name VALUE, --name=VALUE, an unambiguous prefix of a name, short
 * forms (-k FILE, -kFILE) and bundles (-jq). Arguments stay in order ("-" in optstring), so
 * positionals and options interleave as before; "--" ends the options. */
int args_next(args *a, const args_opt *opts, const char **val)
{
    *val = NULL;
    if (a->only_positional) {
        if (a->i >= a->argc) return ARGS_END;
        *val = a->argv[a->i++];
        return ARGS_POSITIONAL;
    }
    struct option lo[MAX_OPTS + 3];
    char shorts[3 * MAX_OPTS + 8] = "-:h";
    size_t n = 0, sl = strlen(shorts);
    for (const args_opt *o = opts; o && o->name && n < MAX_OPTS; o++, n++) {
        lo[n] = (struct option){o->name, o->value ? required_argument : no_argument, NULL,
                                VAL_BASE + (int)n};
        char c = short_of(o->name);
        if (c) {
            shorts[sl++] = c;
            if (o->value) shorts[sl++] = ':';
        }
    }
    shorts[sl] = '\0';
    lo[n++] = (struct option){"help", no_argument, NULL, VAL_HELP};
    lo[n++] = (struct option){"color", optional_argument, NULL, VAL_COLOR};
    lo[n] = (struct option){NULL, 0, NULL, 0};

    int c = getopt_long(a->argc, a->argv, shorts, lo, NULL);
    char nb[64];
    switch (c) {
    case -1: /* the end, or "--": the rest are positionals */
        a->only_positional = true;
        a->i = optind;
        return args_next(a, opts, val);
    case 1:
        *val = optarg;
        return ARGS_POSITIONAL;
    case 'h':
    case VAL_HELP:
        return ARGS_HELP;
    case VAL_COLOR:
        if (!out_set_color(optarg ? optarg : "always")) {
            cli_errorf(a->cmd, "--color wants auto, always or never, not '%s'", optarg);
            return ARGS_ERROR;
        }
        return args_next(a, opts, val);
    case ':':
        cli_errorf(a->cmd, "option %s needs a value (see tokenlab %s --help)",
                   optopt == VAL_COLOR ? "--color" : value_name(opts, optopt, nb, sizeof nb),
                   a->cmd);
        return ARGS_ERROR;
    case '?': {
        const char *arg = a->argv[optind - 1];
        if (optopt >= VAL_BASE || optopt == VAL_HELP)
            cli_errorf(a->cmd, "option %s takes no value",
                       optopt == VAL_HELP ? "--help" : value_name(opts, optopt, nb, sizeof nb));
        else if (optopt == 0 && strncmp(arg, "--", 2) == 0)
            unknown_long(a, opts, arg);
        else
            cli_errorf(a->cmd, "unknown option '-%c' (see tokenlab %s --help)",
                       optopt ? optopt : '?', a->cmd);
        return ARGS_ERROR;
    }
    default:
        if (c >= VAL_BASE && c < VAL_BASE + MAX_OPTS) {
            *val = optarg;
            return opts[c - VAL_BASE].id;
        }
        for (const args_opt *o = opts; o && o->name; o++)
            if (short_of(o->name) == c) {
                *val = optarg;
                return o->id;
            }
        cli_errorf(a->cmd, "internal: unexpected option code %d", c);
        return ARGS_ERROR;
    }
}

__attribute__((format(printf, 3, 0))) static void vmsg(const char *cmd, const char *what,
                                                       const char *fmt, va_list ap)
{
    /* Messages quote tokens, keys and servers: print them terminal-safe (base/esc.h). */
    char raw[TL_ERR_MSG_MAX * 2], safe[TL_ERR_MSG_MAX * 8];
    vsnprintf(raw, sizeof raw, fmt, ap);
    fprintf(stderr, "tokenlab %s: %s%s\n", cmd, what, esc_text(raw, safe, sizeof safe));
}

void cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "", fmt, ap);
    va_end(ap);
}

void cli_warnf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(cmd, "warning: ", fmt, ap);
    va_end(ap);
}

bool args_read_file(const char *path, char **out, size_t *len, tl_err *e)
{
    size_t n = 0;
    if (!fileio_read(path, ARGS_MAX_FILE, out, &n, e)) return false;
    if (len) *len = n;
    return true;
}

bool args_one_token(const char *cmd, const char *val, const char **slot)
{
    if (*slot) {
        cli_errorf(cmd, "one token at a time (got a second argument '%.40s')", val);
        return false;
    }
    *slot = val;
    return true;
}

bool args_read_token(const char *arg, char **out, tl_err *e)
{
    char *buf = NULL;
    size_t n;
    if (!arg || strcmp(arg, "-") == 0) {
        if (!fileio_read("-", ARGS_MAX_FILE, &buf, &n, e))
            return err_prefix(e, "reading the token from stdin: ");
    } else {
        n = strlen(arg);
        buf = xmalloc(n + 1);
        memcpy(buf, arg, n + 1);
    }
    /* A C string would silently end at a NUL byte and the rest would never be looked at. */
    const char *nul = memchr(buf, '\0', n);
    if (nul) {
        size_t at = (size_t)(nul - buf);
        free(buf);
        return err_set(e, "cli.nul",
                       "the token has a NUL byte at offset %zu (a token is text; is this a binary "
                       "file?)",
                       at);
    }
    char *s = buf;
    while (*s && isspace((unsigned char)*s)) s++;
    if (strncasecmp(s, "Bearer ", 7) == 0) s += 7;
    while (*s && isspace((unsigned char)*s)) s++;
    size_t l = strlen(s);
    while (l > 0 && isspace((unsigned char)s[l - 1])) l--;
    if (l == 0) {
        free(buf);
        return err_set(e, "cli.no_token",
                       "no token given (pass it as an argument, or '-' to read it from stdin)");
    }
    memmove(buf, s, l);
    buf[l] = '\0';
    /* "a.b.c\nd.e.f" would otherwise read as one five-segment token (a JWE) */
    size_t lines = 1;
    for (char *p = buf; *p; p++)
        if (*p == '\n' && p[1] && p[1] != '\n' && p[1] != '\r') lines++;
    if (lines > 1) {
        free(buf);
        return err_set(e, "cli.many_tokens",
                       "the input holds %zu tokens, one per line; give them one at a time", lines);
    }
    *out = buf;
    return true;
}

int args_token_exit(const tl_err *e)
{
    return err_is(e, "cli.no_token")                              ? CLI_USAGE
           : err_is(e, "cli.nul") || err_is(e, "cli.many_tokens") ? CLI_INVALID
                                                                  : CLI_IO;
}

/* Standard base64 or base64url, padding optional: normalise to unpadded base64url, then decode
 * strictly. */
static bool decode_any_b64(const char *s, uint8_t **out, size_t *outlen, tl_err *e)
{
    size_t n = strlen(s);
    char *t = xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
        t[k++] = c;
    }
    while (k > 0 && t[k - 1] == '=') k--;
    t[k] = '\0';
    bool ok = b64url_decode(t, k, out, outlen, e);
    free(t);
    return ok;
}

bool args_load_secret(const char *spec, jwk **out, tl_err *e)
{
    *out = NULL;
    if (strncmp(spec, "b64:", 4) == 0) {
        uint8_t *raw = NULL;
        size_t n = 0;
        if (!decode_any_b64(spec + 4, &raw, &n, e)) {
            err_prefix(e, "--secret b64:…: ");
            e->code = "cli.secret";
            return false;
        }
        if (n == 0) {
            free(raw);
            return err_set(e, "cli.secret", "--secret b64: decodes to an empty secret");
        }
        *out = jwk_from_secret(raw, n);
        memset(raw, 0, n);
        free(raw);
        if (!*out) return err_set(e, "oom", "out of memory");
        return true;
    }
    if (spec[0] == '@') {
        char *buf = NULL;
        size_t n = 0;
        if (!args_read_file(spec + 1, &buf, &n, e)) return err_prefix(e, "secret file: ");
        if (n == 0) {
            free(buf);
            return err_set(e, "cli.secret_empty", "secret file %s is empty", spec + 1);
        }
        *out = jwk_from_secret((const uint8_t *)buf, n);
        memset(buf, 0, n);
        free(buf);
        if (!*out) return err_set(e, "oom", "out of memory");
        return true;
    }
    if (!spec[0]) return err_set(e, "cli.secret", "--secret is empty");
    *out = jwk_from_secret((const uint8_t *)spec, strlen(spec));
    if (!*out) return err_set(e, "oom", "out of memory");
    return true;
}

bool args_secret_file_has_newline(const char *spec)
{
    if (!spec || spec[0] != '@' || strcmp(spec, "@-") == 0) return false;
    FILE *f = fopen(spec + 1, "rb");
    if (!f) return false;
    bool nl = fseek(f, -1, SEEK_END) == 0 && fgetc(f) == '\n';
    fclose(f);
    return nl;
}

static bool looks_like_jwks(const char *text)
{
    const char *p = text;
    while (*p && isspace((unsigned char)*p)) p++;
    return *p == '{' && strstr(p, "\"keys\"") != NULL;
}

bool args_load_key(const char *path, jwk **out, tl_err *e)
{
    *out = NULL;
    char *buf = NULL;
    size_t n = 0;
    if (!args_read_file(path, &buf, &n, e)) return false;
    bool ok;
    if (looks_like_jwks(buf)) {
        jwks *set = NULL;
        ok = jwks_parse(buf, n, &set, e);
        if (ok && jwks_count(set) != 1) {
            ok = err_set(e, "key.jwks_many",
                         "a JWK Set with %zu usable keys where one key is expected (verify "
                         "takes a whole set with --jwks)",
                         jwks_count(set));
        } else if (ok) {
            *out = jwk_ref((jwk *)jwks_get(set, 0));
        }
        jwks_free(set);
    } else {
        ok = jwk_parse_any(buf, n, out, e);
    }
    free(buf);
    if (!ok) err_prefix(e, "key %s: ", strcmp(path, "-") == 0 ? "from stdin" : path);
    return ok;
}

static args_fetch_fn g_fetcher;

void args_set_url_fetcher(args_fetch_fn fn)
{
    g_fetcher = fn;
}

static bool fetch_url(const char *url, char **out, size_t *len, tl_err *e)
{
    /* The light front binary (src/main.c) never gets here: it hands any command with a URL to
     * tokenlab-full, which installs the libcurl fetcher (cli/fetch.c) at start. */
    if (!g_fetcher)
        return err_set(e, "cli.http", "cannot fetch %s: this binary was built without libcurl",
                       url);
    return g_fetcher(url, out, len, e);
}

bool args_load_jwks(const char *where, jwks **out, tl_err *e)
{
    *out = NULL;
    char *buf = NULL;
    size_t n = 0;
    bool url = strncmp(where, "http://", 7) == 0 || strncmp(where, "https://", 8) == 0;
    if (url) {
        if (!fetch_url(where, &buf, &n, e)) return false;
    } else if (!args_read_file(where, &buf, &n, e)) {
        return false;
    }
    bool ok = jwks_parse(buf, n, out, e);
    if (!ok && !looks_like_jwks(buf)) {
        /* A single JWK or PEM given to --jwks: accept it as a set of one. */
        jwk *k = NULL;
        tl_err e2 = {0};
        if (jwk_parse_any(buf, n, &k, &e2)) {
            *out = jwks_new();
            ok = *out && jwks_add(*out, k);
            jwk_free(k);
        }
    }
    free(buf);
    if (!ok) err_prefix(e, "JWKS %s: ", strcmp(where, "-") == 0 ? "from stdin" : where);
    return ok;
}

bool args_parse_alg(const char *name, bool allow_none, jws_alg *out, tl_err *e)
{
    jws_alg a = jws_alg_from_name(name);
    if (a == JWS_ALG_NONE && allow_none) {
        *out = a;
        return true;
    }
    if (a == JWS_ALG_UNKNOWN || a == JWS_ALG_NONE) {
        if (jws_alg_name_is_none(name))
            return err_set(e, "cli.alg", "alg '%s' means an unsigned token%s", name,
                           allow_none ? " (write it as 'none')" : ", which is never accepted");
        return err_set(e, "cli.alg",
                       "unknown algorithm '%s' (choose HS256 HS384 HS512 RS256 RS384 RS512 PS256 "
                       "PS384 PS512 ES256 ES384 ES512 Ed25519 EdDSA; names are case-sensitive)",
                       name);
    }
    *out = a;
    return true;
}

bool args_parse_duration(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    } else if (*s == '+') {
        s++;
    }
    int64_t v;
    if (!timefmt_parse_duration(s, &v)) return false;
    *out = neg ? -v : v;
    return true;
}

bool args_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s) return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

bool args_parse_time(const char *s, int64_t *out)
{
    if (args_parse_int(s, 0, 253402300799, out)) return true;
    struct tm tm = {0};
    int n = 0;
    size_t len = strlen(s);
    if (len < 16 || len > 20) return false;
    if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &n) != 5)
        return false;
    if (s[n] == ':') {
        int used = 0;
        if (sscanf(s + n, ":%2d%n", &tm.tm_sec, &used) != 1) return false;
        n += used;
    }
    if (s[n] == 'Z') n++;
    if (s[n] != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return false;
    *out = (int64_t)t;
    return true;
}

int64_t args_now(void)
{
    const char *env = getenv("TOKENLAB_NOW");
    int64_t v;
    if (env && args_parse_time(env, &v)) return v;
    return (int64_t)time(NULL);
}
