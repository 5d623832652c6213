/* SPDX-License-Identifier: MIT */
/* fuzz_reqparse — everything the mock server parses out of a request before a handler sees it
 * (src/server/reqparse.h): query strings and form bodies, JSON bodies, Basic and Bearer
 * Authorization headers, scope lists, the Accept header, UTF-8 validation, URL encoding.
 *
 * The input is used whole for each parser, and split at its first 0xff byte into two strings for
 * the round trips. Properties (abort() on violation):
 *   - a parsed form/JSON body has at most REQPARSE_MAX_PARAMS members, no duplicate names, and
 * every name and value is valid UTF-8 with no NUL inside; reqparse_get finds each of them;
 *   - reqparse_urlencode(s) parses back to s as a form value (for any UTF-8 s without NUL);
 *   - a Basic header built by the rules of RFC 6749 §2.3.1 (form-encode id and secret, then base64)
 *     parses back to the same id and secret;
 *   - a parsed scope list holds only scope-token characters (RFC 6749 §3.3), no duplicates, and its
 *     joined form parses back to the same list;
 *   - every failure has a code and a message. */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/reqparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void need_err(const tl_err *e, const char *what)
{
    if (!e->code || !e->msg[0]) {
        fprintf(stderr, "%s failed without an error code or message\n", what);
        abort();
    }
}

static void check_params(const reqparse_params *p, const char *what)
{
    if (p->n > REQPARSE_MAX_PARAMS) abort();
    for (size_t i = 0; i < p->n; i++) {
        const char *n = p->v[i].name, *v = p->v[i].value;
        if (!n || !v || !reqparse_utf8_valid(n, strlen(n)) || !reqparse_utf8_valid(v, strlen(v))) {
            fprintf(stderr, "%s: member %zu is missing or not UTF-8\n", what, i);
            abort();
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->v[j].name, n) == 0) {
                fprintf(stderr, "%s: duplicate parameter '%s' accepted\n", what, n);
                abort();
            }
        const char *got = reqparse_get(p, n);
        if (v[0] ? (!got || strcmp(got, v) != 0) : got != NULL) {
            fprintf(stderr, "%s: reqparse_get('%s') disagrees with the parsed list\n", what, n);
            abort();
        }
    }
}

static bool scope_char_ok(unsigned char c)
{
    /* RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
    return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

static void check_scopes(const char *s)
{
    reqparse_scopes sc = {0};
    tl_err e = {0};
    if (!reqparse_scope(s, &sc, &e)) {
        need_err(&e, "reqparse_scope");
        return;
    }
    if (sc.n > REQPARSE_MAX_SCOPES) abort();
    for (size_t i = 0; i < sc.n; i++) {
        if (!sc.v[i] || !sc.v[i][0]) abort();
        for (const char *c = sc.v[i]; *c; c++)
            if (!scope_char_ok((unsigned char)*c)) {
                fprintf(stderr, "scope token with a forbidden character 0x%02x\n", *c & 0xff);
                abort();
            }
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc.v[i], sc.v[j]) == 0) abort();
        if (!reqparse_scopes_has(&sc, sc.v[i])) abort();
    }
    char *joined = reqparse_scopes_join(&sc);
    if (!joined) abort();
    reqparse_scopes again = {0};
    if (sc.n > 0) {
        if (!reqparse_scope(joined, &again, NULL) || again.n != sc.n) abort();
        for (size_t i = 0; i < sc.n; i++)
            if (strcmp(again.v[i], sc.v[i]) != 0) abort();
    }
    reqparse_scopes_free(&again);
    free(joined);
    reqparse_scopes_free(&sc);
}

/* "x=" + urlencode(s) must parse back to s. */
static void check_urlencode(const char *s)
{
    char *enc = reqparse_urlencode(s);
    if (!enc) abort();
    size_t n = strlen(enc) + 3;
    char *form = malloc(n);
    if (!form) abort();
    snprintf(form, n, "x=%s", enc);
    reqparse_params p = {0};
    tl_err e = {0};
    if (!reqparse_form(form, strlen(form), &p, &e)) {
        fprintf(stderr, "urlencoded text does not parse as a form: %s\n%s\n", e.msg, form);
        abort();
    }
    const char *got = reqparse_get(&p, "x");
    if (s[0] ? (!got || strcmp(got, s) != 0) : got != NULL) {
        fprintf(stderr, "urlencode round trip changed the value\n");
        abort();
    }
    reqparse_params_free(&p);
    free(form);
    free(enc);
}

/* RFC 6749 §2.3.1: client_id and secret are form-encoded, joined by ':', then base64. */
static void check_basic(const char *id, const char *secret)
{
    char *eid = reqparse_urlencode(id), *esec = reqparse_urlencode(secret);
    if (!eid || !esec) abort();
    size_t rawlen = strlen(eid) + 1 + strlen(esec);
    char *raw = malloc(rawlen + 1);
    unsigned char *b64 = malloc(4 * (rawlen / 3 + 1) + 1);
    char *hdr = malloc(4 * (rawlen / 3 + 1) + 8);
    if (!raw || !b64 || !hdr) abort();
    snprintf(raw, rawlen + 1, "%s:%s", eid, esec);
    int b64len = EVP_EncodeBlock(b64, (const unsigned char *)raw, (int)rawlen);
    /* reqparse refuses Basic credentials longer than 4096 base64 characters, on purpose. */
    if (b64len > 4096) {
        free(hdr);
        free(b64);
        free(raw);
        free(esec);
        free(eid);
        return;
    }
    sprintf(hdr, "Basic %s", (char *)b64);
    char *gid = NULL, *gsec = NULL;
    tl_err e = {0};
    if (!reqparse_basic_auth(hdr, &gid, &gsec, &e)) {
        fprintf(stderr, "a well-formed Basic header was refused: %s\n%s\n", e.msg, hdr);
        abort();
    }
    if (strcmp(gid, id) != 0 || strcmp(gsec, secret) != 0) {
        fprintf(stderr, "Basic round trip changed the credentials\n");
        abort();
    }
    free(gid);
    free(gsec);
    free(hdr);
    free(b64);
    free(raw);
    free(esec);
    free(eid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    reqparse_params p = {0};
    tl_err e = {0};
    if (reqparse_form(s, size, &p, &e))
        check_params(&p, "reqparse_form");
    else {
        need_err(&e, "reqparse_form");
        if (p.n != 0) abort(); /* promised: left empty on failure */
    }
    reqparse_params_free(&p);

    reqparse_params j = {0};
    tl_err je = {0};
    if (reqparse_json(s, size, &j, &je))
        check_params(&j, "reqparse_json");
    else
        need_err(&je, "reqparse_json");
    reqparse_params_free(&j);

    /* The header-level functions take C strings, as libmicrohttpd hands them over. */
    char *z = malloc(size + 1);
    if (!z) return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    (void)reqparse_utf8_valid(s, size);
    (void)reqparse_accepts_json(z);
    char *id = NULL, *sec = NULL;
    tl_err be = {0};
    if (reqparse_basic_auth(z, &id, &sec, &be)) {
        if (!id || !sec) abort();
        free(id);
        free(sec);
    } else
        need_err(&be, "reqparse_basic_auth");
    char *tok = NULL;
    tl_err te = {0};
    if (reqparse_bearer(z, &tok, &te)) {
        if (!tok || !tok[0] || strchr(tok, ' ')) abort();
        free(tok);
    } else
        need_err(&te, "reqparse_bearer");
    check_scopes(z);

    /* Round trips on UTF-8 text without NUL: split at the first 0xff (never valid UTF-8). */
    size_t zl = strlen(z);
    char *cut = memchr(z, 0xff, zl);
    const char *second = "";
    if (cut) {
        *cut = '\0';
        second = cut + 1;
        if (!reqparse_utf8_valid(second, strlen(second))) second = "";
    }
    if (reqparse_utf8_valid(z, strlen(z))) {
        check_urlencode(z);
        if (z[0]) check_basic(z, second);
    }
    free(z);
    return 0;
}
