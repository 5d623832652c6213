/* SPDX-License-Identifier: MIT */
#include "cli/show.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/esc.h"
#include "base/err.h"
#include "base/timefmt.h"
#include "cli/out.h"
#include "jose/b64url.h"
#include "jose/explain.h"
#include "jose/jsonx.h"
#include "jose/jwt.h"

json_t *show_payload_json(const jws *t)
{
    if (t->is_jwe) return json_null();
    if (t->claims) return json_incref(t->claims);
    tl_err e = {0};
    json_t *j = jsonx_parse((const char *)t->payload, t->payload_len, false, &e);
    if (j) return j;
    j = json_stringn((const char *)t->payload, t->payload_len);
    if (j) return j;
    char *b = b64url_encode(t->payload, t->payload_len);
    j = json_string(b ? b : "");
    free(b);
    return j;
}

json_t *show_dates_json(const jws *t)
{
    static const char *const names[] = {"iat", "nbf", "exp", "auth_time"};
    json_t *o = json_object();
    for (size_t i = 0; t->claims && i < sizeof names / sizeof names[0]; i++) {
        const json_t *v = json_object_get(t->claims, names[i]);
        if (!json_is_number(v)) continue;
        double d = json_number_value(v);
        if (d < 0 || d > 253402300799.0) continue; /* beyond year 9999: no calendar date */
        time_t secs = (time_t)d;
        struct tm tm;
        char buf[32];
        if (!gmtime_r(&secs, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
            continue;
        json_object_set_new(o, names[i], json_string(buf));
    }
    return o;
}

json_t *show_warnings_json(const jws *t, const jwk *key, int64_t now)
{
    jwt_warning w[JWT_MAX_WARNINGS];
    size_t n = jwt_warnings(t, key, now, w, JWT_MAX_WARNINGS);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "code", w[i].code ? w[i].code : "",
                                             "message", w[i].message));
    return arr;
}

static void title(FILE *f, bool color, const char *s)
{
    fprintf(f, "%s%s%s\n", out_c(color, OUT_TITLE), s, out_c(color, OUT_RESET));
}

/* RFC 7516 §4.1.1–4.1.2: in a JWE, "alg" and "enc" are about encryption, not signing. */
static bool explain_jwe(FILE *f, const char *k, bool color)
{
    const char *what =
        strcmp(k, "alg") == 0   ? "Algorithm: how the content key is encrypted for the recipient"
        : strcmp(k, "enc") == 0 ? "Encryption: the algorithm that encrypts the payload"
                                : NULL;
    if (!what) return false;
    fprintf(f, "%s %s[RFC 7516 §4.1.%d]%s\n", what, out_c(color, OUT_DIM), k[0] == 'a' ? 1 : 2,
            out_c(color, OUT_RESET));
    return true;
}

static void explain_members(FILE *f, const json_t *obj, explain_kind kind, bool jwe, bool color)
{
    const char *k;
    json_t *v;
    size_t w = 0;
    json_object_foreach((json_t *)obj, k, v)
    {
        size_t l = strlen(k);
        if (l > w && l <= 24) w = l;
    }
    json_object_foreach((json_t *)obj, k, v)
    {
        const explain_entry *x = explain_lookup(kind, k);
        char kb[256];
        fprintf(f, "  %s%-*s%s  ", out_c(color, OUT_KEY), (int)w, esc_text(k, kb, sizeof kb),
                out_c(color, OUT_RESET));
        if (jwe && explain_jwe(f, k, color)) continue;
        if (x)
            fprintf(f, "%s: %s%s [%s]%s\n", x->title, out_c(color, OUT_DIM), x->summary, x->source,
                    out_c(color, OUT_RESET));
        else
            fprintf(f, "%s%s%s\n", out_c(color, OUT_DIM),
                    kind == EXPLAIN_CLAIM
                        ? "not a registered claim: its meaning is whatever the issuer says"
                        : "not a registered header parameter",
                    out_c(color, OUT_RESET));
    }
}

static bool times(FILE *f, const json_t *claims, int64_t now, bool color)
{
    const char *k;
    json_t *v;
    bool any = false;
    json_object_foreach((json_t *)claims, k, v)
    {
        const explain_entry *x = explain_lookup(EXPLAIN_CLAIM, k);
        bool is_time =
            x ? x->is_time
              : (strcmp(k, "exp") == 0 || strcmp(k, "nbf") == 0 || strcmp(k, "iat") == 0);
        if (!is_time) continue;
        if (!any) title(f, color, "Times");
        any = true;
        if (!json_is_number(v)) {
            fprintf(f,
                    "  %s%-9s%s %snot a number: a NumericDate must be seconds since 1970 "
                    "(RFC 7519 §2)%s\n",
                    out_c(color, OUT_KEY), k, out_c(color, OUT_RESET), out_c(color, OUT_BAD),
                    out_c(color, OUT_RESET));
            continue;
        }
        double d = json_number_value(v);
        /* Years 0001..9999 only: beyond that no clock will ever reach it (or already passed). */
        if (!(d >= -62135596800.0 && d <= 253402300799.0)) {
            fprintf(f, "  %s%-9s%s %g %s(outside the years 1..9999: not a sensible date)%s\n",
                    out_c(color, OUT_KEY), k, out_c(color, OUT_RESET), d, out_c(color, OUT_BAD),
                    out_c(color, OUT_RESET));
            continue;
        }
        int64_t ts = (int64_t)d;
        char date[64], rel[64];
        timefmt_utc(ts, date, sizeof date);
        if (ts - now > 60 * 86400 || now - ts > 60 * 86400) {
            /* Far away: "15 years ago" reads better than "5479d 3h ago". */
            char words[48];
            timefmt_duration_words(ts - now, words, sizeof words);
            snprintf(rel, sizeof rel, ts > now ? "in %s" : "%s ago", words);
        } else {
            timefmt_relative(ts, now, rel, sizeof rel);
        }
        out_el el = OUT_DIM;
        if (strcmp(k, "exp") == 0)
            el = ts <= now ? OUT_BAD : OUT_OK;
        else if (strcmp(k, "nbf") == 0 && ts > now)
            el = OUT_WARN;
        fprintf(f, "  %s%-9s%s %s  %s(%s)%s\n", out_c(color, OUT_KEY), k, out_c(color, OUT_RESET),
                date, out_c(color, el), rel, out_c(color, OUT_RESET));
    }
    return any;
}

static void hex_lines(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 32) {
        fputs(i == 0 ? "  hex       " : "            ", f);
        for (size_t j = i; j < n && j < i + 32; j++) fprintf(f, "%02x", p[j]);
        fputc('\n', f);
    }
}

void show_token(FILE *f, const jws *t, const jwk *key, int64_t now, bool color)
{
    title(f, color, t->is_jwe ? "Header (JWE protected header)" : "Header");
    fputs("  ", f);
    out_json(f, t->header, color, 2);
    fputc('\n', f);
    explain_members(f, t->header, EXPLAIN_HEADER, t->is_jwe, color);
    fputc('\n', f);

    if (t->is_jwe) {
        title(f, color, "Payload");
        fprintf(f,
                "  %sencrypted%s: this is a JWE (RFC 7516, 5 segments). Only the holder of the "
                "decryption key\n  can read the payload; the header above is all anyone else "
                "can see.\n",
                out_c(color, OUT_WARN), out_c(color, OUT_RESET));
    } else if (t->claims) {
        title(f, color, "Payload (claims)");
        fputs("  ", f);
        out_json(f, t->claims, color, 2);
        fputc('\n', f);
        fputc('\n', f);
        bool had_times = times(f, t->claims, now, color);
        if (json_object_size(t->claims) > 0) {
            if (had_times) fputc('\n', f);
            title(f, color, "Claims explained");
            explain_members(f, t->claims, EXPLAIN_CLAIM, false, color);
        }
    } else {
        title(f, color, "Payload (not a JSON object)");
        json_t *p = show_payload_json(t);
        fputs("  ", f);
        out_json(f, p, color, 2);
        json_decref(p);
        fputc('\n', f);
    }
    fputc('\n', f);

    if (!t->is_jwe) {
        char head[160];
        char ab[96];
        const char *alg = t->alg_name ? esc_text(t->alg_name, ab, sizeof ab) : "no alg";
        snprintf(head, sizeof head, "Signature (%s, %zu bytes)", alg, t->sig_len);
        title(f, color, head);
        if (t->sig_len == 0) {
            fprintf(f, "  %sempty%s: nothing proves who made this token\n", out_c(color, OUT_BAD),
                    out_c(color, OUT_RESET));
        } else {
            hex_lines(f, t->sig, t->sig_len);
            fprintf(f, "  base64url %.*s\n", (int)t->seg[2].n, t->seg[2].p);
        }
        fputc('\n', f);
    }

    jwt_warning w[JWT_MAX_WARNINGS];
    size_t n = jwt_warnings(t, key, now, w, JWT_MAX_WARNINGS);
    if (n > 0) {
        title(f, color, "Warnings");
        for (size_t i = 0; i < n; i++) {
            char mb[sizeof w[i].message * 4];
            fprintf(f, "  %s!%s %s %s(%s)%s\n", out_c(color, OUT_WARN), out_c(color, OUT_RESET),
                    esc_text(w[i].message, mb, sizeof mb), out_c(color, OUT_DIM),
                    w[i].code ? w[i].code : "", out_c(color, OUT_RESET));
        }
    }
}
