/* SPDX-License-Identifier: MIT */
/* Pure request parsers (see reqparse.h). Everything here is bounded by its input and allocates
 * only what it returns. */
#include "server/reqparse.h"

#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/pct.h"
#include "base/utf8.h"
#include "jose/b64url.h"
#include "jose/jsonx.h"

bool reqparse_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned cp;
    for (size_t i = 0, len; i < n; i += len)
        if ((len = utf8_next(s + i, n - i, &cp)) == 0) return false;
    return true;
}

/* Decodes one urlencoded component (base/pct.h); NULs, bad escapes and bad UTF-8 are errors. */
static char *form_decode(const char *s, size_t n, tl_err *e)
{
    char *out;
    size_t o;
    if (!pct_decode(s, n, true, &out, &o, e)) {
        if (e)
            e->code = err_is(e, "pct.escape") ? "req.percent"
                      : err_is(e, "pct.nul")  ? "req.nul"
                                              : "req.nomem";
        return NULL;
    }
    if (!reqparse_utf8_valid(out, o)) {
        free(out);
        err_set(e, "req.utf8", "a parameter is not valid UTF-8");
        return NULL;
    }
    return out;
}

void reqparse_params_free(reqparse_params *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].name);
        free(p->v[i].value);
    }
    p->n = 0;
}

static bool params_add(reqparse_params *p, char *name, char *value, tl_err *e)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->v[i].name, name) == 0) {
            /* RFC 6749 §3.1: request parameters MUST NOT be included more than once. */
            err_set(e, "req.duplicate", "parameter '%.64s' is given more than once (RFC 6749 §3.1)",
                    name);
            free(name);
            free(value);
            return false;
        }
    }
    if (p->n >= REQPARSE_MAX_PARAMS) {
        err_set(e, "req.too_many", "more than %d parameters", REQPARSE_MAX_PARAMS);
        free(name);
        free(value);
        return false;
    }
    p->v[p->n].name = name;
    p->v[p->n].value = value;
    p->n++;
    return true;
}

bool reqparse_form(const char *s, size_t len, reqparse_params *out, tl_err *e)
{
    out->n = 0;
    if (!s) return true;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '&') j++;
        if (j > i) {
            size_t eq = i;
            while (eq < j && s[eq] != '=') eq++;
            char *name = form_decode(s + i, eq - i, e);
            if (!name) goto fail;
            char *value = eq < j ? form_decode(s + eq + 1, j - eq - 1, e) : strdup("");
            if (!value) {
                free(name);
                goto fail;
            }
            if (!params_add(out, name, value, e)) goto fail;
        }
        i = j + 1;
    }
    return true;
fail:
    reqparse_params_free(out);
    return false;
}

bool reqparse_json(const char *s, size_t len, reqparse_params *out, tl_err *e)
{
    out->n = 0;
    json_t *j = jsonx_parse(s, len, true, e);
    if (!j) return false;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        char *val = NULL;
        if (json_is_string(v)) {
            size_t n = json_string_length(v);
            const char *sv = json_string_value(v);
            if (memchr(sv, '\0', n)) {
                err_set(e, "req.nul", "member '%.64s' contains a NUL character", k);
                goto fail;
            }
            val = strdup(sv);
        } else if (json_is_integer(v)) {
            char buf[32];
            snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            val = strdup(buf);
        } else if (json_is_boolean(v)) {
            val = strdup(json_is_true(v) ? "true" : "false");
        } else if (json_is_null(v)) {
            val = strdup("");
        } else {
            err_set(e, "req.json_nested", "member '%.64s' must be a string, not %s", k,
                    json_is_object(v)  ? "an object"
                    : json_is_array(v) ? "an array"
                                       : "a number");
            goto fail;
        }
        if (!val || !params_add(out, strdup(k), val, e)) goto fail;
    }
    json_decref(j);
    return true;
fail:
    json_decref(j);
    reqparse_params_free(out);
    return false;
}

const char *reqparse_get(const reqparse_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].name, name) == 0) return p->v[i].value[0] ? p->v[i].value : NULL;
    return NULL;
}

static const char *skip_scheme(const char *h, const char *scheme)
{
    size_t n = strlen(scheme);
    if (!h || strncasecmp(h, scheme, n) != 0 || h[n] != ' ') return NULL;
    h += n;
    while (*h == ' ') h++;
    return h;
}

bool reqparse_basic_auth(const char *header, char **id, char **secret, tl_err *e)
{
    *id = *secret = NULL;
    const char *p = skip_scheme(header, "Basic");
    if (!p) return err_set(e, "req.auth_scheme", "the Authorization header is not HTTP Basic");
    /* Standard base64 (RFC 7617), not base64url: translate, then decode strictly. */
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == ' ') n--;
    if (n == 0 || n > 4096)
        return err_set(e, "req.auth_b64", "Basic credentials are empty or too long");
    char *t = malloc(n + 1);
    if (!t) return err_set(e, "req.nomem", "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
        else if (c == '=') {
            /* padding only at the end */
            for (size_t k = i; k < n; k++)
                if (p[k] != '=') {
                    free(t);
                    return err_set(e, "req.auth_b64", "Basic credentials are not valid base64");
                }
            break;
        } else if (c == '-' || c == '_') {
            free(t);
            return err_set(e, "req.auth_b64", "Basic credentials are not valid base64");
        }
        t[m++] = c;
    }
    t[m] = '\0';
    uint8_t *dec = NULL;
    size_t dlen = 0;
    tl_err e2 = {0};
    bool ok = b64url_decode(t, m, &dec, &dlen, &e2);
    free(t);
    if (!ok) return err_set(e, "req.auth_b64", "Basic credentials are not valid base64");
    char *colon = memchr(dec, ':', dlen);
    if (!colon || memchr(dec, '\0', dlen)) {
        free(dec);
        return err_set(e, "req.auth_format", "Basic credentials must be client_id:client_secret");
    }
    /* RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
    *id = form_decode((char *)dec, (size_t)(colon - (char *)dec), e);
    if (*id) *secret = form_decode(colon + 1, dlen - (size_t)(colon + 1 - (char *)dec), e);
    free(dec);
    if (!*id || !*secret) {
        free(*id);
        free(*secret);
        *id = *secret = NULL;
        return false;
    }
    return true;
}

/* "SCHEME TOKEN" for the token schemes Bearer (RFC 6750 §2.1) and DPoP (RFC 9449 §7.1): the
 * scheme is case-insensitive, the token is b64token characters. */
static bool token_scheme(const char *header, const char *scheme, char **token, tl_err *e)
{
    *token = NULL;
    const char *p = skip_scheme(header, scheme);
    if (!p)
        return err_set(e, "req.auth_scheme", "the Authorization header is not a %s token", scheme);
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == ' ') n--;
    if (n == 0) return err_set(e, "req.auth_format", "the %s token is empty", scheme);
    /* RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)p[i]) || strchr("-._~+/", p[i]))) i++;
    while (i < n && p[i] == '=') i++;
    if (i != n)
        return err_set(e, "req.auth_format",
                       "the %s token contains a character outside the b64token set at offset "
                       "%zu (RFC 6750 §2.1)",
                       scheme, i);
    *token = strndup(p, n);
    if (!*token) return err_set(e, "req.nomem", "out of memory");
    return true;
}

bool reqparse_bearer(const char *header, char **token, tl_err *e)
{
    return token_scheme(header, "Bearer", token, e);
}

bool reqparse_dpop(const char *header, char **token, tl_err *e)
{
    return token_scheme(header, "DPoP", token, e);
}

bool reqparse_scope(const char *s, reqparse_scopes *out, tl_err *e)
{
    out->n = 0;
    if (!s) return true;
    const char *p = s;
    while (*p) {
        if (*p == ' ') {
            p++;
            continue;
        }
        const char *q = p;
        while (*q && *q != ' ') {
            unsigned char c = (unsigned char)*q;
            if (c < 0x21 || c == 0x22 || c == 0x5C || c > 0x7E) {
                reqparse_scopes_free(out);
                return err_set(e, "req.scope",
                               "scope contains a character not allowed in a scope token "
                               "(RFC 6749 §3.3)");
            }
            q++;
        }
        size_t n = (size_t)(q - p);
        bool dup = false;
        for (size_t i = 0; i < out->n; i++)
            if (strlen(out->v[i]) == n && memcmp(out->v[i], p, n) == 0) dup = true;
        if (!dup) {
            if (out->n >= REQPARSE_MAX_SCOPES) {
                reqparse_scopes_free(out);
                return err_set(e, "req.scope", "more than %d scopes", REQPARSE_MAX_SCOPES);
            }
            out->v[out->n++] = strndup(p, n);
        }
        p = q;
    }
    return true;
}

bool reqparse_scopes_has(const reqparse_scopes *sc, const char *name)
{
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->v[i], name) == 0) return true;
    return false;
}

char *reqparse_scopes_join(const reqparse_scopes *sc)
{
    size_t n = 1;
    for (size_t i = 0; i < sc->n; i++) n += strlen(sc->v[i]) + 1;
    char *out = malloc(n);
    if (!out) return NULL;
    out[0] = '\0';
    size_t o = 0;
    for (size_t i = 0; i < sc->n; i++) {
        size_t l = strlen(sc->v[i]);
        if (i) out[o++] = ' ';
        memcpy(out + o, sc->v[i], l);
        o += l;
    }
    out[o] = '\0';
    return out;
}

void reqparse_scopes_free(reqparse_scopes *sc)
{
    for (size_t i = 0; i < sc->n; i++) free(sc->v[i]);
    sc->n = 0;
}

bool reqparse_accepts_json(const char *accept)
{
    if (!accept) return false;
    const char *j = strstr(accept, "application/json");
    if (!j) return false;
    const char *h = strstr(accept, "text/html");
    return !h || j < h;
}

char *reqparse_urlencode(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}
