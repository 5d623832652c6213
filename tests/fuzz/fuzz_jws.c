/* SPDX-License-Identifier: MIT */
/* fuzz_jws — the token decoder as the CLI and the TUI's decoder pane drive it: jws_parse, the
 * signing input, claim checks, beginner warnings, claim/header explanations, pretty JSON, and
 * verification with an HMAC key, an RSA key and a JWKS holding both.
 *
 * Properties checked (abort() on violation):
 *   - a parsed token has 3 segments (or 5 for a JWE), a JSON-object header, an alg that matches
 *     its name, a NUL-terminated payload, and a signing input that is exactly the first two raw
 *     segments (RFC 7515 §5.1) — never a re-serialization;
 *   - `none`, in any casing, never verifies; an HMAC token never verifies under the RSA key (the
 *     key-confusion attack); nothing verifies under a key it was not signed with;
 *   - every failure has a code and a message; warnings are bounded and terminated;
 *   - header and claims serialize to JSON that the strict parser accepts again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/explain.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jwk *hs_key, *rsa_key;
static jwks *both;

static void fuzz_keys(void)
{
    if (hs_key) return;
    static const uint8_t secret[] = "fuzzing-secret-that-is-32-bytes!";
    hs_key = jwk_from_secret(secret, sizeof secret - 1);
    tl_err e = {0};
    if (!hs_key || !jwk_generate(JWS_RS256, 2048, &rsa_key, &e)) {
        fprintf(stderr, "fuzz_jws: cannot set up keys: %s\n", e.msg);
        abort();
    }
    jwk_set_kid(rsa_key, "rsa-1");
    jwk_set_kid(hs_key, "hs-1");
    both = jwks_new();
    if (!both || !jwks_add(both, rsa_key) || !jwks_add(both, hs_key)) abort();
}

static void must_have_error(const tl_err *e, const char *what)
{
    if (!e->code || !e->msg[0]) {
        fprintf(stderr, "%s failed without an error code or message\n", what);
        abort();
    }
}

static void check_json_roundtrip(const json_t *j)
{
    if (!j) return;
    char *pretty = jsonx_pretty(j);
    char *compact = jsonx_compact(j);
    if (!pretty || !compact) abort();
    tl_err e = {0};
    json_t *again = jsonx_parse(compact, strlen(compact), false, &e);
    if (!again) {
        fprintf(stderr, "our own JSON output does not parse again: %s\n%s\n", e.msg, compact);
        abort();
    }
    json_decref(again);
    free(pretty);
    free(compact);
}

static void explain_members(const json_t *obj, explain_kind kind)
{
    if (!json_is_object(obj)) return;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        const explain_entry *x = explain_lookup(kind, k);
        if (x && (!x->name || strcmp(x->name, k) != 0 || !x->title || !x->summary || !x->source))
            abort();
    }
}

static bool is_hmac(jws_alg a)
{
    return a == JWS_HS256 || a == JWS_HS384 || a == JWS_HS512;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_keys();
    tl_err e = {0};
    jws *t = NULL;
    if (!jws_parse((const char *)data, size, &t, &e)) {
        must_have_error(&e, "jws_parse");
        return 0;
    }
    if (!t || !(t->nsegs == 3 || (t->nsegs == 5 && t->is_jwe)) || !json_is_object(t->header))
        abort();
    /* A JWE's alg is a key-management algorithm: it may stay JWS_ALG_UNKNOWN. */
    if (!t->is_jwe && t->alg_name && jws_alg_from_name(t->alg_name) != t->alg) abort();
    if (t->payload && t->payload[t->payload_len] != '\0') abort();
    if (!t->is_jwe) {
        char *si = jws_signing_input(t);
        if (!si) abort();
        size_t n0 = t->seg[0].n, n1 = t->seg[1].n;
        if (strlen(si) != n0 + 1 + n1 || memcmp(si, t->seg[0].p, n0) != 0 || si[n0] != '.' ||
            memcmp(si + n0 + 1, t->seg[1].p, n1) != 0 || t->seg[1].p != t->seg[0].p + n0 + 1) {
            fprintf(stderr, "signing input is not the raw first two segments\n");
            abort();
        }
        free(si);
    }

    explain_members(t->header, EXPLAIN_HEADER);
    explain_members(t->claims, EXPLAIN_CLAIM);
    check_json_roundtrip(t->header);
    check_json_roundtrip(t->claims);

    jwt_warning w[JWT_MAX_WARNINGS];
    const jwk *wkeys[] = {NULL, hs_key, rsa_key};
    for (size_t i = 0; i < 3; i++) {
        size_t nw = jwt_warnings(t, wkeys[i], 1700000000, w, JWT_MAX_WARNINGS);
        if (nw > JWT_MAX_WARNINGS) abort();
        for (size_t j = 0; j < nw; j++)
            if (!w[j].code || memchr(w[j].message, '\0', sizeof w[j].message) == NULL) abort();
    }

    static const char *const req[] = {"sub", "exp"};
    jwt_rules rules = {.now = 1700000000,
                       .leeway = 60,
                       .iss = "https://issuer.example",
                       .aud = "api",
                       .typ = "JWT",
                       .require = req,
                       .nrequire = 2};
    tl_err ce = {0};
    if (!jwt_check(t, &rules, &ce)) must_have_error(&ce, "jwt_check");
    jwt_rules loose = {.now = 1700000000};
    tl_err le = {0};
    if (!jwt_check(t, &loose, &le)) must_have_error(&le, "jwt_check");

    bool none = t->alg == JWS_ALG_NONE || (t->alg_name && jws_alg_name_is_none(t->alg_name));
    tl_err ve = {0};
    bool ok_hs = jws_verify(t, hs_key, NULL, 0, &ve);
    if (!ok_hs) must_have_error(&ve, "jws_verify(hs)");
    tl_err re = {0};
    bool ok_rsa = jws_verify(t, rsa_key, NULL, 0, &re);
    if (!ok_rsa) must_have_error(&re, "jws_verify(rsa)");
    if (ok_rsa && is_hmac(t->alg)) {
        fprintf(stderr, "an HMAC token verified under an RSA key (key confusion)\n");
        abort();
    }
    /* A fuzzer cannot forge these: a "valid" verdict means verification is broken. */
    if (ok_hs || ok_rsa || (none && (ok_hs || ok_rsa))) {
        fprintf(stderr, "fuzzed token verified (alg %s)\n", t->alg_name ? t->alg_name : "?");
        abort();
    }
    const jws_alg only_rs = JWS_RS256;
    (void)jws_verify(t, rsa_key, &only_rs, 1, NULL);
    const char *kid = NULL;
    tl_err je = {0};
    if (jws_verify_jwks(t, both, NULL, 0, &kid, &je)) abort();
    must_have_error(&je, "jws_verify_jwks");

    jws_free(t);
    return 0;
}
