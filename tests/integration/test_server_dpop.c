/* SPDX-License-Identifier: MIT */
/* DPoP (RFC 9449) against the real server: /token binds the tokens to the proof's key (cnf.jkt,
 * token_type DPoP, a public client's refresh token too), the API accepts a bound token only with
 * the DPoP scheme and a fresh proof by the same key, and every rule of the proof check (§4.3) is
 * refused with its own sentence: replay, another key, htm, htu, ath, iat, alg, typ, a private jwk,
 * two headers. A client with dpop_bound_access_tokens cannot get a token without a proof. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>
#include <unistd.h>

#include "jose/alg.h"
#include "test_server_util.h"

static server *S;
static jwk *K1, *K2; /* two client key pairs: the right one and an attacker's */
static char CONFIG[256];

static int setup(void **st)
{
    (void)st;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    /* the demo config plus a client that always uses DPoP */
    json_error_t je;
    json_t *cfg = json_load_file("assets/config.json", 0, &je);
    if (!cfg) return -1;
    json_array_append_new(
        json_object_get(cfg, "clients"),
        json_pack("{s:s, s:s, s:s, s:[], s:[s], s:[s], s:b}", "client_id", "dpop-service", "type",
                  "confidential", "secret", "dpop-service-secret", "redirect_uris", "grant_types",
                  "client_credentials", "scopes", "api:read", "dpop_bound_access_tokens", 1));
    snprintf(CONFIG, sizeof CONFIG, "/tmp/tokenlab-dpop-%d.json", (int)getpid());
    if (json_dump_file(cfg, CONFIG, 0) != 0) return -1;
    json_decref(cfg);
    server_options o = {.listen = "127.0.0.1:0", .config_path = CONFIG, .lab_key = "k"};
    tl_err e = {0};
    if (!server_start(&o, &S, &e)) {
        fprintf(stderr, "server_start: %s\n", e.msg);
        return -1;
    }
    if (!jwk_generate(JWS_ES256, 0, &K1, &e) || !jwk_generate(JWS_ES256, 0, &K2, &e)) return -1;
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    server_stop(S);
    jwk_free(K1);
    jwk_free(K2);
    unlink(CONFIG);
    curl_global_cleanup();
    return 0;
}

typedef struct proof_opts {
    jwk *key;
    const char *alg; /* default ES256 */
    const char *typ; /* default dpop+jwt */
    const char *htm;
    const char *htu;   /* full URL */
    const char *token; /* ath of it, or NULL */
    const char *ath;   /* a literal ath instead */
    int64_t iat_off;
    bool private_jwk;
    jwk *sign_key; /* sign with this one instead (for HS256) */
} proof_opts;

static char *proof(const proof_opts *p)
{
    static int n;
    json_t *h = json_pack("{s:s, s:s, s:o}", "typ", p->typ ? p->typ : "dpop+jwt", "alg",
                          p->alg ? p->alg : "ES256", "jwk", jwk_to_json(p->key, p->private_jwk));
    char jti[64];
    snprintf(jti, sizeof jti, "jti-%d-%ld", ++n, (long)time(NULL));
    json_t *c = json_pack("{s:s, s:s, s:s, s:I}", "jti", jti, "htm", p->htm, "htu", p->htu, "iat",
                          (json_int_t)(time(NULL) + p->iat_off));
    if (p->token) {
        unsigned char md[32];
        unsigned int ml = 0;
        EVP_Digest(p->token, strlen(p->token), md, &ml, EVP_sha256(), NULL);
        char *a = b64url_encode(md, ml);
        json_object_set_new(c, "ath", json_string(a));
        free(a);
    } else if (p->ath) {
        json_object_set_new(c, "ath", json_string(p->ath));
    }
    char *payload = json_dumps(c, JSON_COMPACT);
    char *out = NULL;
    tl_err e = {0};
    jws_alg alg = jws_alg_from_name(p->alg ? p->alg : "ES256");
    bool ok = jws_sign(h, (const uint8_t *)payload, strlen(payload), alg,
                       p->sign_key ? p->sign_key : p->key, false, &out, &e);
    if (!ok) fprintf(stderr, "proof: %s\n", e.msg);
    free(payload);
    json_decref(h);
    json_decref(c);
    return out;
}

/* A DPoP-bound token pair for tokenlab-cli (a public client), proof by `key`. */
static resp dpop_exchange(jwk *key)
{
    char *code = cli_code(S, "openid profile notes:read", NULL);
    assert_non_null(code);
    char *tu = url_of(S, "/token");
    char *pf = proof(&(proof_opts){.key = key, .htm = "POST", .htu = tu});
    char *h = fmt("DPoP: %s", pf);
    const char *hdrs[] = {h, NULL};
    char *b = fmt("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=tokenlab-cli"
                  "&code_verifier=" VERIFIER,
                  code, "http%3A%2F%2F127.0.0.1%3A7777%2Fcallback");
    resp r = token_req(S, hdrs, b);
    free(b);
    free(h);
    free(pf);
    free(tu);
    free(code);
    return r;
}

/* GET path with Authorization: SCHEME token and the given DPoP header value (NULL: none). */
static resp api_call(const char *path, const char *scheme, const char *token, const char *pf)
{
    char *u = url_of(S, path);
    char *a = fmt("Authorization: %s %s", scheme, token);
    char *d = pf ? fmt("DPoP: %s", pf) : NULL;
    const char *hdrs[] = {a, d, NULL};
    resp r = http_get(u, hdrs);
    free(u);
    free(a);
    free(d);
    return r;
}

static char *claim_of(const char *token, const char *path1, const char *path2)
{
    jws *t = NULL;
    tl_err e = {0};
    if (!jws_parse(token, strlen(token), &t, &e)) return NULL;
    json_t *v = json_object_get(t->claims, path1);
    if (path2) v = json_object_get(v, path2);
    char *s = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
    jws_free(t);
    return s;
}

static void expect_refusal(resp *r, long status, const char *error, const char *sentence)
{
    if (r->status != status || !jstr(r, "error") || strcmp(jstr(r, "error"), error) != 0 ||
        !jstr(r, "error_description") || !strstr(jstr(r, "error_description"), sentence))
        fprintf(stderr, "got %ld %s\n%s\n", r->status, r->body, r->headers);
    assert_int_equal(r->status, status);
    assert_string_equal(jstr(r, "error"), error);
    assert_non_null(strstr(jstr(r, "error_description"), sentence));
}

static void test_discovery_names_dpop_algs(void **st)
{
    (void)st;
    char *u = url_of(S, "/.well-known/openid-configuration");
    resp r = http_get(u, NULL);
    free(u);
    json_t *a = json_object_get(r.json, "dpop_signing_alg_values_supported");
    assert_true(json_is_array(a));
    bool es256 = false;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *n = json_string_value(v);
        assert_false(strcmp(n, "none") == 0 || strncmp(n, "HS", 2) == 0); /* RFC 9449 §4.2 */
        es256 = es256 || strcmp(n, "ES256") == 0;
    }
    assert_true(es256);
    resp_free(&r);
}

static void test_token_binds_and_api_accepts_only_its_key(void **st)
{
    (void)st;
    resp t = dpop_exchange(K1);
    assert_int_equal(t.status, 200);
    assert_string_equal(jstr(&t, "token_type"), "DPoP");
    const char *at = jstr(&t, "access_token");
    char *jkt = claim_of(at, "cnf", "jkt");
    char *want = jwk_thumbprint(K1, NULL);
    assert_non_null(jkt);
    assert_string_equal(jkt, want); /* RFC 9449 §6.1 */
    char *pu = url_of(S, "/api/profile");
    /* the right key, a fresh proof: accepted */
    char *p1 = proof(&(proof_opts){.key = K1, .htm = "GET", .htu = pu, .token = at});
    resp ok = api_call("/api/profile", "DPoP", at, p1);
    assert_int_equal(ok.status, 200);
    /* the same proof again: a replay */
    resp again = api_call("/api/profile", "DPoP", at, p1);
    expect_refusal(&again, 401, "invalid_dpop_proof", "was already used");
    assert_non_null(strstr(header_value(&again, "WWW-Authenticate"), "DPoP "));
    /* the stolen token as a bearer token: refused */
    resp bearer = api_call("/api/profile", "Bearer", at, NULL);
    expect_refusal(&bearer, 401, "invalid_token", "DPoP-bound");
    assert_non_null(strstr(header_value(&bearer, "WWW-Authenticate"), "algs=\"ES256"));
    /* the stolen token with the thief's own key: refused */
    char *p2 = proof(&(proof_opts){.key = K2, .htm = "GET", .htu = pu, .token = at});
    resp thief = api_call("/api/profile", "DPoP", at, p2);
    expect_refusal(&thief, 401, "invalid_token", "another key");
    /* the DPoP scheme with no proof at all */
    resp none = api_call("/api/profile", "DPoP", at, NULL);
    expect_refusal(&none, 401, "invalid_dpop_proof", "no DPoP header");
    free(p1);
    free(p2);
    free(pu);
    free(jkt);
    free(want);
    resp_free(&ok);
    resp_free(&again);
    resp_free(&bearer);
    resp_free(&thief);
    resp_free(&none);
    resp_free(&t);
}

/* RFC 6750 §3 (and RFC 9449 §7.1 for DPoP): error_description in WWW-Authenticate is
 * %x20-21 / %x23-5B / %x5D-7E only — openid-client decoded our "§" as Latin-1 ("Â§"). */
static void assert_ascii_challenge(resp *r)
{
    const char *h = header_value(r, "WWW-Authenticate");
    assert_non_null(h);
    const char *d = strstr(h, "error_description=\"");
    assert_non_null(d);
    for (const char *p = d + strlen("error_description=\""); *p && *p != '"'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c > 0x7e || c == '\\') fail_msg("byte 0x%02x in challenge: %s", c, h);
    }
    assert_non_null(strstr(h, "section 7.1")); /* "§" spelled out */
}

static void test_challenge_is_ascii(void **st)
{
    (void)st;
    resp t = dpop_exchange(K1);
    assert_int_equal(t.status, 200);
    const char *at = jstr(&t, "access_token");
    char *pu = url_of(S, "/api/profile");
    resp bearer = api_call("/api/profile", "Bearer", at, NULL);
    expect_refusal(&bearer, 401, "invalid_token", "DPoP-bound");
    assert_ascii_challenge(&bearer);
    char *p2 = proof(&(proof_opts){.key = K2, .htm = "GET", .htu = pu, .token = at});
    resp thief = api_call("/api/profile", "DPoP", at, p2);
    expect_refusal(&thief, 401, "invalid_token", "another key");
    assert_ascii_challenge(&thief);
    free(p2);
    free(pu);
    resp_free(&bearer);
    resp_free(&thief);
    resp_free(&t);
}

/* Each rule of RFC 9449 §4.3, broken once, refused with its sentence. */
static void test_proof_rules(void **st)
{
    (void)st;
    resp t = dpop_exchange(K1);
    assert_int_equal(t.status, 200);
    const char *at = jstr(&t, "access_token");
    char *pu = url_of(S, "/api/profile");
    char *other = url_of(S, "/api/notes");
    jwk *hs = jwk_from_secret((const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
    struct {
        proof_opts o;
        const char *sentence;
    } cases[] = {
        {{.key = K1, .htm = "POST", .htu = pu, .token = at},
         "is for POST, but this request is GET"},
        {{.key = K1, .htm = "GET", .htu = other, .token = at}, "(htu, RFC 9449"},
        {{.key = K1, .htm = "GET", .htu = pu}, "has no ath"},
        {{.key = K1, .htm = "GET", .htu = pu, .ath = "AAAA"}, "not the hash of this access token"},
        {{.key = K1, .htm = "GET", .htu = pu, .token = at, .iat_off = -300}, "300 seconds ago"},
        {{.key = K1, .htm = "GET", .htu = pu, .token = at, .iat_off = 300}, "in the future"},
        {{.key = K1, .htm = "GET", .htu = pu, .token = at, .typ = "JWT"}, "not dpop+jwt"},
        /* a typ quoted up to 40 bytes is cut inside the "é": the description survives, '?' */
        {{.key = K1,
          .htm = "GET",
          .htu = pu,
          .token = at,
          .typ = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\u00e9"},
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx?', not dpop+jwt"},
        {{.key = K1, .htm = "GET", .htu = pu, .token = at, .private_jwk = true}, "private"},
        {{.key = K1, .sign_key = hs, .alg = "HS256", .htm = "GET", .htu = pu, .token = at},
         "alg HS256 is not allowed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *pf = proof(&cases[i].o);
        assert_non_null(pf);
        resp r = api_call("/api/profile", "DPoP", at, pf);
        expect_refusal(&r, 401, "invalid_dpop_proof", cases[i].sentence);
        resp_free(&r);
        free(pf);
    }
    /* a proof whose signature is not by its own jwk (K2's key in the header, K1 signs) */
    char *pf =
        proof(&(proof_opts){.key = K2, .sign_key = K1, .htm = "GET", .htu = pu, .token = at});
    resp bad = api_call("/api/profile", "DPoP", at, pf);
    expect_refusal(&bad, 401, "invalid_dpop_proof", "does not verify with the key in its own jwk");
    free(pf);
    resp_free(&bad);
    /* two DPoP headers */
    char *a = proof(&(proof_opts){.key = K1, .htm = "GET", .htu = pu, .token = at});
    char *b = proof(&(proof_opts){.key = K1, .htm = "GET", .htu = pu, .token = at});
    char *ha = fmt("Authorization: DPoP %s", at), *h1 = fmt("DPoP: %s", a),
         *h2 = fmt("DPoP: %s", b);
    const char *hdrs[] = {ha, h1, h2, NULL};
    resp two = http_get(pu, hdrs);
    expect_refusal(&two, 401, "invalid_dpop_proof", "2 DPoP headers");
    free(a);
    free(b);
    free(ha);
    free(h1);
    free(h2);
    resp_free(&two);
    jwk_free(hs);
    free(pu);
    free(other);
    resp_free(&t);
}

static void test_public_refresh_token_is_bound(void **st)
{
    (void)st;
    resp t = dpop_exchange(K1);
    assert_int_equal(t.status, 200);
    const char *rt = jstr(&t, "refresh_token");
    assert_non_null(rt);
    char *tu = url_of(S, "/token");
    char *body = fmt("grant_type=refresh_token&client_id=tokenlab-cli&refresh_token=%s", rt);
    /* without a proof, or with the thief's key: refused, and the token is not burnt */
    resp plain = token_req(S, NULL, body);
    expect_refusal(&plain, 400, "invalid_dpop_proof", "bound to the DPoP key");
    char *p2 = proof(&(proof_opts){.key = K2, .htm = "POST", .htu = tu});
    char *h2 = fmt("DPoP: %s", p2);
    const char *hd2[] = {h2, NULL};
    resp thief = token_req(S, hd2, body);
    expect_refusal(&thief, 400, "invalid_dpop_proof", "bound to the DPoP key");
    /* the owner's key: new tokens, still bound */
    char *p1 = proof(&(proof_opts){.key = K1, .htm = "POST", .htu = tu});
    char *h1 = fmt("DPoP: %s", p1);
    const char *hd1[] = {h1, NULL};
    resp ok = token_req(S, hd1, body);
    assert_int_equal(ok.status, 200);
    assert_string_equal(jstr(&ok, "token_type"), "DPoP");
    free(tu);
    free(body);
    free(p1);
    free(p2);
    free(h1);
    free(h2);
    resp_free(&plain);
    resp_free(&thief);
    resp_free(&ok);
    resp_free(&t);
}

static void test_dpop_bound_client_needs_a_proof(void **st)
{
    (void)st;
    const char *body = "grant_type=client_credentials&client_id=dpop-service"
                       "&client_secret=dpop-service-secret&scope=api%3Aread";
    resp no = token_req(S, NULL, body);
    expect_refusal(&no, 400, "invalid_dpop_proof", "always uses DPoP");
    char *tu = url_of(S, "/token");
    char *pf = proof(&(proof_opts){.key = K1, .htm = "POST", .htu = tu});
    char *h = fmt("DPoP: %s", pf);
    const char *hdrs[] = {h, NULL};
    resp ok = token_req(S, hdrs, body);
    assert_int_equal(ok.status, 200);
    assert_string_equal(jstr(&ok, "token_type"), "DPoP");
    /* a client without the setting and without a proof still gets a Bearer token */
    resp bearer = token_req(S, NULL,
                            "grant_type=client_credentials&client_id=demo-service"
                            "&client_secret=demo-service-secret&scope=api%3Aread");
    assert_int_equal(bearer.status, 200);
    assert_string_equal(jstr(&bearer, "token_type"), "Bearer");
    /* and its unbound token is refused under the DPoP scheme */
    char *pu = url_of(S, "/api/profile");
    char *p3 = proof(
        &(proof_opts){.key = K1, .htm = "GET", .htu = pu, .token = jstr(&bearer, "access_token")});
    resp unbound = api_call("/api/profile", "DPoP", jstr(&bearer, "access_token"), p3);
    expect_refusal(&unbound, 401, "invalid_token", "not DPoP-bound");
    free(p3);
    free(pu);
    free(tu);
    free(pf);
    free(h);
    resp_free(&no);
    resp_free(&ok);
    resp_free(&bearer);
    resp_free(&unbound);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery_names_dpop_algs),
        cmocka_unit_test(test_token_binds_and_api_accepts_only_its_key),
        cmocka_unit_test(test_challenge_is_ascii),
        cmocka_unit_test(test_proof_rules),
        cmocka_unit_test(test_public_refresh_token_is_bound),
        cmocka_unit_test(test_dpop_bound_client_needs_a_proof),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
