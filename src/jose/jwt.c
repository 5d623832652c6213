/* SPDX-License-Identifier: MIT */
/* JWT claims (RFC 7519 §4.1, §7.2) and the warnings a learner should see. */
#include "jose/jwt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/timefmt.h"
#include "jose/alg.h"
#include "jose/jsonx.h"

/* A NumericDate (RFC 7519 §2) may have a fraction; whole seconds are what we compare. */
static bool jwt_time_claim(const json_t *claims, const char *name, bool *present, int64_t *out,
                           tl_err *e)
{
    json_t *v = json_object_get(claims, name);
    *present = v != NULL;
    if (!v) return true;
    if (!json_is_number(v))
        return err_set(e, "jwt.bad_time",
                       "\"%s\" must be a number of seconds since 1970 (NumericDate, RFC 7519 §2)",
                       name);
    double d = json_number_value(v);
    if (!isfinite(d) || d > 253402300799.0 || d < -62135596800.0)
        return err_set(e, "jwt.bad_time", "\"%s\" is not a plausible date", name);
    *out = (int64_t)floor(d);
    return true;
}

/* "14:02:11 UTC" when within a day of now, else "2026-11-28 14:02:11 UTC". */
static char *jwt_when(int64_t t, int64_t now, char *buf, size_t n)
{
    int64_t d = t > now ? t - now : now - t;
    return d < 86400 ? timefmt_utc_time(t, buf, n) : timefmt_utc(t, buf, n);
}

/* "3 minutes ago", or "just now" at the very second. */
static char *jwt_ago(int64_t seconds, char *buf, size_t n)
{
    if (seconds == 0) {
        snprintf(buf, n, "just now");
        return buf;
    }
    char d[40];
    snprintf(buf, n, "%s ago", timefmt_duration_words(seconds, d, sizeof d));
    return buf;
}

static bool jwt_typ_matches(const char *have, const char *want)
{
    /* RFC 7515 §4.1.9: "application/" may be omitted, and the comparison is case-insensitive. */
    if (strncasecmp(have, "application/", 12) == 0) have += 12;
    if (strncasecmp(want, "application/", 12) == 0) want += 12;
    return strcasecmp(have, want) == 0;
}

static bool jwt_check_aud(const json_t *claims, const char *want, tl_err *e)
{
    json_t *aud = json_object_get(claims, "aud");
    if (!aud) return err_set(e, "jwt.aud", "the token has no \"aud\"; expected \"%s\"", want);
    /* RFC 7519 §4.1.3: a string, or an array of strings of which one must be ours. */
    if (json_is_string(aud)) {
        if (strcmp(json_string_value(aud), want) == 0) return true;
        return err_set(e, "jwt.aud",
                       "the token is for audience \"%s\", not \"%s\" (RFC 7519 §4.1.3)",
                       json_string_value(aud), want);
    }
    if (!json_is_array(aud))
        return err_set(e, "jwt.aud", "\"aud\" must be a string or an array of strings");
    size_t i;
    json_t *v;
    char list[200] = "";
    size_t off = 0;
    json_array_foreach(aud, i, v)
    {
        const char *s = json_string_value(v);
        if (!s) return err_set(e, "jwt.aud", "\"aud\" must be a string or an array of strings");
        if (strcmp(s, want) == 0) return true;
        if (off < sizeof list)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s\"%s\"", i ? ", " : "", s);
    }
    return err_set(e, "jwt.aud", "\"%s\" is not among the token's audiences [%s] (RFC 7519 §4.1.3)",
                   want, list);
}

bool jwt_check(const jws *t, const jwt_rules *rules, tl_err *e)
{
    if (!t) return err_set(e, "jwt.not_object", "no token");
    if (t->is_jwe || !t->claims)
        return err_set(e, "jwt.not_object", "the claims must be a JSON object: %s",
                       t->claims_err.code ? t->claims_err.msg : "no payload");
    static const jwt_rules none = {0};
    if (!rules) rules = &none;
    const json_t *c = t->claims;
    int64_t now = rules->now, leeway = rules->leeway < 0 ? 0 : rules->leeway;
    bool has_exp, has_nbf, has_iat;
    int64_t exp = 0, nbf = 0, iat = 0;
    if (!jwt_time_claim(c, "exp", &has_exp, &exp, e) ||
        !jwt_time_claim(c, "nbf", &has_nbf, &nbf, e) ||
        !jwt_time_claim(c, "iat", &has_iat, &iat, e))
        return false;
    char when[48], dur[48], lw[64] = "";
    if (leeway) snprintf(lw, sizeof lw, " (even allowing %llds of clock skew)", (long long)leeway);
    /* RFC 7519 §4.1.4: the current time must be before exp. */
    if (has_exp && now - leeway >= exp)
        return err_set(e, "jwt.expired", "expired %s at %s%s", jwt_ago(now - exp, dur, sizeof dur),
                       jwt_when(exp, now, when, sizeof when), lw);
    /* RFC 7519 §4.1.5: not before nbf. */
    if (has_nbf && now + leeway < nbf)
        return err_set(e, "jwt.not_yet_valid", "not valid yet: usable from %s, in %s%s",
                       jwt_when(nbf, now, when, sizeof when),
                       timefmt_duration_words(nbf - now, dur, sizeof dur), lw);
    if (has_iat && now + leeway < iat)
        return err_set(
            e, "jwt.iat_future",
            "issued in the future (iat is %s, %s from now)%s: one of the clocks is wrong",
            jwt_when(iat, now, when, sizeof when),
            timefmt_duration_words(iat - now, dur, sizeof dur), lw);
    if (rules->iss) {
        json_t *iss = json_object_get(c, "iss");
        if (!iss)
            return err_set(e, "jwt.iss", "the token has no \"iss\"; expected \"%s\"", rules->iss);
        if (!json_is_string(iss)) return err_set(e, "jwt.iss", "\"iss\" must be a string");
        /* RFC 7519 §4.1.1: case-sensitive StringOrURI. */
        if (strcmp(json_string_value(iss), rules->iss) != 0)
            return err_set(e, "jwt.iss", "issued by \"%s\", expected \"%s\"",
                           json_string_value(iss), rules->iss);
    }
    if (rules->aud && !jwt_check_aud(c, rules->aud, e)) return false;
    if (rules->typ) {
        if (!t->typ)
            return err_set(e, "jwt.typ", "the header has no \"typ\"; expected \"%s\"", rules->typ);
        if (!jwt_typ_matches(t->typ, rules->typ))
            return err_set(e, "jwt.typ", "the header's typ is \"%s\", expected \"%s\"", t->typ,
                           rules->typ);
    }
    for (size_t i = 0; i < rules->nrequire; i++)
        if (rules->require[i] && !json_object_get(c, rules->require[i]))
            return err_set(e, "jwt.missing_claim", "required claim \"%s\" is missing",
                           rules->require[i]);
    return true;
}

/* ---- warnings ----------------------------------------------------------------------------- */

typedef struct jwt_wlist {
    jwt_warning *out;
    size_t n, max;
} jwt_wlist;

__attribute__((format(printf, 3, 4))) static void jwt_warn(jwt_wlist *w, const char *code,
                                                           const char *fmt, ...)
{
    if (w->n >= w->max) return;
    jwt_warning *x = &w->out[w->n++];
    x->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof x->message, fmt, ap);
    va_end(ap);
}

static bool jwt_typ_usual(const char *typ)
{
    static const char *const ok[] = {"JWT", "at+jwt", "application/jwt", "application/at+jwt",
                                     "JOSE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcasecmp(typ, ok[i]) == 0) return true;
    return false;
}

size_t jwt_warnings(const jws *t, const jwk *key, int64_t now, jwt_warning *out, size_t max)
{
    jwt_wlist w = {out, 0, max};
    if (!t || !out) return 0;
    if (t->is_jwe) {
        jwt_warn(&w, "warn.jwe",
                 "this is an encrypted token (JWE, 5 segments): only the header is readable; the "
                 "payload is encrypted for its recipient");
        return w.n;
    }
    if (!t->alg_name)
        jwt_warn(&w, "warn.alg_missing",
                 "the header has no \"alg\" (or not as a string): this is not a valid JWS (RFC "
                 "7515 §4.1.1), and no verifier accepts it");
    else if (jws_alg_name_is_none(t->alg_name))
        jwt_warn(&w, "warn.alg_none",
                 "alg \"%s\": the token is not signed, so anyone could have written it; verifiers "
                 "must reject it",
                 t->alg_name);
    else if (t->alg == JWS_ALG_UNKNOWN)
        jwt_warn(&w, "warn.alg_unknown",
                 "alg \"%s\" is not a JWS algorithm tokenlab knows (names are case-sensitive)",
                 t->alg_name ? t->alg_name : "");
    if (t->typ && !jwt_typ_usual(t->typ))
        jwt_warn(&w, "warn.typ_unusual",
                 "typ \"%s\" is unusual: JWTs normally say \"JWT\" (or \"at+jwt\" for access "
                 "tokens, RFC 9068)",
                 t->typ);
    else if (!t->typ && t->header && json_object_get(t->header, "typ"))
        jwt_warn(&w, "warn.typ_unusual",
                 "typ is not a string: it must be one, such as \"JWT\" (RFC 7515 §4.1.9)");
    if (t->claims && jsonx_has_big_int((const char *)t->payload, t->payload_len))
        jwt_warn(&w, "warn.big_number",
                 "the payload has an integer beyond 64 bits: it is shown rounded, as most JWT "
                 "libraries would read it (send such ids as strings)");
    if (!t->claims) {
        jwt_warn(&w, "warn.payload_not_json", "%s (still a valid JWS, but not a JWT)",
                 t->claims_err.msg);
    } else {
        json_t *expv = json_object_get(t->claims, "exp");
        json_t *iatv = json_object_get(t->claims, "iat");
        if (!expv) {
            jwt_warn(&w, "warn.no_exp",
                     "no \"exp\": this token never expires, so a stolen copy works forever");
        } else if (json_is_number(expv) && fabs(json_number_value(expv)) <= 253402300799.0) {
            /* Only plausible dates (years 1..9999): a cast of 1e300 to int64_t is undefined. */
            int64_t exp = (int64_t)floor(json_number_value(expv));
            char when[48], dur[48];
            if (now >= exp)
                jwt_warn(&w, "warn.expired", "expired %s at %s",
                         jwt_ago(now - exp, dur, sizeof dur),
                         jwt_when(exp, now, when, sizeof when));
            int64_t from = json_is_number(iatv) && fabs(json_number_value(iatv)) <= 253402300799.0
                               ? (int64_t)floor(json_number_value(iatv))
                               : now;
            if (exp - from > JWT_LONG_LIFETIME)
                jwt_warn(&w, "warn.long_lifetime",
                         "lives %s%s: long-lived tokens are hard to take back; minutes are "
                         "typical for access tokens",
                         timefmt_duration_words(exp - from, dur, sizeof dur),
                         json_is_number(iatv) ? " (from iat to exp)" : " from now");
        }
    }
    if (key && jwk_type(key) == JWK_KTY_OCT) {
        size_t len = 0, need = alg_is_hmac(t->alg) ? alg_hash_len(t->alg) : 0;
        jwk_secret(key, &len);
        if (need && len < need)
            jwt_warn(&w, "warn.short_hmac_key",
                     "the HMAC key is %zu bytes; %s needs a key at least as long as its hash "
                     "(%zu bytes, RFC 7518 §3.2), or it can be brute-forced",
                     len, jws_alg_name(t->alg), need);
    }
    if (key && jwk_type(key) == JWK_KTY_RSA && jwk_bits(key) < 2048)
        jwt_warn(&w, "warn.weak_rsa",
                 "the RSA key is only %d bits; RFC 7518 §3.3 requires 2048 or more", jwk_bits(key));
    return w.n;
}
