/* SPDX-License-Identifier: MIT */
/* Unit tests for src/jose/jwk: PEM in every common shape (made with the openssl CLI in a temp
 * dir), every JWK kty and its refusals, export round trips, RFC 7638 / RFC 8037 thumbprints,
 * what a key allows, and JWKS selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/fileio.h"
#include "jose/b64url.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "jose/spki.h"
#include "unit/jose/jose_test_util.h"

static char tmpdir[256];

static jwk *key_json(const char *json, const char *code)
{
    jwk *k = NULL;
    tl_err e = {0};
    bool ok = jwk_parse_any(json, strlen(json), &k, &e);
    if (code) {
        assert_false(ok);
        assert_null(k);
        assert_code(e, code);
        return NULL;
    }
    if (!ok) fail_msg("%s: %s", json, e.msg);
    return k;
}

static char *slurp(const char *name)
{
    char path[512], *text;
    size_t len;
    tl_err e = {0};
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    if (!fileio_read(path, 1 << 20, &text, &len, &e)) fail_msg("%s: %s", path, e.msg);
    return text;
}

static jwk *pem_file(const char *name, const char *code)
{
    char *text = slurp(name);
    jwk *k = NULL;
    tl_err e = {0};
    bool ok = jwk_parse_any(text, strlen(text), &k, &e);
    free(text);
    if (code) {
        if (ok) fail_msg("%s: expected %s, it loaded", name, code);
        assert_code(e, code);
        return NULL;
    }
    if (!ok) fail_msg("%s: %s: %s", name, e.code, e.msg);
    return k;
}

static int setup_pems(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tokenlab-jwk-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "(cd %s && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem "
             "&& openssl pkey -in rsa.pem -pubout -out rsa_spki.pem "
             "&& openssl rsa -in rsa.pem -traditional -out rsa_pkcs1.pem "
             "&& openssl rsa -in rsa.pem -RSAPublicKey_out -out rsa_pkcs1_pub.pem "
             "&& openssl req -x509 -key rsa.pem -subj /CN=tokenlab -days 1 -out rsa_cert.pem "
             "&& openssl ecparam -name prime256v1 -genkey -out ec_sec1.pem "
             "&& openssl pkey -in ec_sec1.pem -out ec_pkcs8.pem "
             "&& openssl pkey -in ec_sec1.pem -pubout -out ec_spki.pem "
             "&& openssl ecparam -name secp384r1 -genkey -noout -out ec384.pem "
             "&& openssl ecparam -name secp521r1 -genkey -noout -out ec521.pem "
             "&& openssl ecparam -name secp256k1 -genkey -noout -out k1.pem "
             "&& openssl genpkey -algorithm ed25519 -out ed.pem "
             "&& openssl pkey -in ed.pem -pubout -out ed_spki.pem "
             "&& openssl pkey -in ec384.pem -pubout -out ec384_spki.pem "
             "&& openssl pkey -in ec521.pem -pubout -out ec521_spki.pem "
             "&& openssl ec -in ec_sec1.pem -pubout -conv_form compressed -out ec_compressed.pem "
             "&& openssl ec -in ec_sec1.pem -pubout -param_enc explicit -out ec_explicit.pem "
             "&& openssl pkey -in k1.pem -pubout -out k1_spki.pem "
             "&& openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:1024 -out pss.pem "
             "&& openssl pkey -in pss.pem -pubout -out pss_spki.pem "
             "&& openssl genpkey -algorithm x25519 -out x25519.pem "
             "&& openssl pkey -in rsa.pem -aes256 -passout pass:secret -out rsa_enc.pem "
             "&& openssl rsa -in rsa.pem -traditional -aes256 -passout pass:secret "
             "-out rsa_enc_trad.pem) "
             ">/dev/null 2>&1",
             tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "openssl CLI failed: the PEM tests need it (scripts/deps.sh)\n");
        return -1;
    }
    return 0;
}

static int teardown_pems(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *thumb(const jwk *k)
{
    tl_err e = {0};
    char *t = jwk_thumbprint(k, &e);
    if (!t) fail_msg("thumbprint: %s", e.msg);
    return t;
}

static void test_pem_every_shape(void **state)
{
    (void)state;
    jwk *priv8 = pem_file("rsa.pem", NULL), *spki = pem_file("rsa_spki.pem", NULL),
        *pkcs1 = pem_file("rsa_pkcs1.pem", NULL), *pkcs1pub = pem_file("rsa_pkcs1_pub.pem", NULL),
        *cert = pem_file("rsa_cert.pem", NULL);
    assert_true(jwk_is_private(priv8));
    assert_true(jwk_is_private(pkcs1));
    assert_false(jwk_is_private(spki));
    assert_false(jwk_is_private(pkcs1pub));
    assert_false(jwk_is_private(cert));
    /* One key, five shapes: the same thumbprint. */
    char *t0 = thumb(priv8);
    const jwk *all[] = {spki, pkcs1, pkcs1pub, cert};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(jwk_type(all[i]), JWK_KTY_RSA);
        assert_int_equal(jwk_bits(all[i]), 2048);
        char *t = thumb(all[i]);
        assert_string_equal(t, t0);
        free(t);
    }
    /* Sign with the PKCS#1 private key, verify with the certificate. */
    char *tok = NULL;
    tl_err e = {0};
    assert_true(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_PS512, pkcs1, false, &tok, &e));
    jws *t = NULL;
    assert_true(jws_parse(tok, strlen(tok), &t, &e));
    assert_true(jws_verify(t, cert, NULL, 0, &e));
    assert_true(jws_verify(t, pkcs1pub, NULL, 0, &e));
    jws_free(t);
    free(tok);
    free(t0);

    jwk *sec1 = pem_file("ec_sec1.pem", NULL), *ec8 = pem_file("ec_pkcs8.pem", NULL),
        *ecpub = pem_file("ec_spki.pem", NULL), *ec384 = pem_file("ec384.pem", NULL),
        *ec521 = pem_file("ec521.pem", NULL), *ed = pem_file("ed.pem", NULL),
        *edpub = pem_file("ed_spki.pem", NULL);
    assert_string_equal(jwk_curve(sec1), "P-256");
    assert_true(jwk_is_private(sec1));
    assert_false(jwk_is_private(ecpub));
    char *a = thumb(sec1), *b = thumb(ec8), *c = thumb(ecpub);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    free(a), free(b), free(c);
    assert_string_equal(jwk_curve(ec384), "P-384");
    assert_int_equal(jwk_default_alg(ec384), JWS_ES384);
    assert_string_equal(jwk_curve(ec521), "P-521");
    assert_int_equal(jwk_bits(ec521), 521);
    assert_int_equal(jwk_default_alg(ec521), JWS_ES512);
    assert_int_equal(jwk_type(ed), JWK_KTY_OKP);
    assert_string_equal(jwk_curve(ed), "Ed25519");
    assert_int_equal(jwk_default_alg(edpub), JWS_ED25519); /* RFC 9864: fully specified */
    a = thumb(ed), b = thumb(edpub);
    assert_string_equal(a, b);
    free(a), free(b);

    /* Refusals. */
    pem_file("k1.pem", "key.unsupported");
    pem_file("x25519.pem", "key.unsupported");
    pem_file("rsa_enc.pem", "key.pem");
    pem_file("rsa_enc_trad.pem", "key.pem");
    tl_err e2 = {0};
    jwk *k = NULL;
    const char *junk = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    assert_false(jwk_from_pem(junk, strlen(junk), &k, &e2));
    assert_code(e2, "key.pem");
    const char *csr =
        "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
    assert_false(jwk_from_pem(csr, strlen(csr), &k, &e2));
    assert_code(e2, "key.pem");
    assert_false(jwk_parse_any("hello", 5, &k, &e2));
    assert_code(e2, "key.unsupported");
    assert_false(jwk_from_pem("", 0, &k, &e2));
    assert_code(e2, "key.pem");

    jwk *free_list[] = {priv8, spki,  pkcs1, pkcs1pub, cert, sec1,
                        ec8,   ecpub, ec384, ec521,    ed,   edpub};
    for (size_t i = 0; i < sizeof free_list / sizeof *free_list; i++) jwk_free(free_list[i]);
}

/* The DER inside a PEM file of tmpdir (caller frees). */
static uint8_t *pem_der(const char *name, size_t *len)
{
    char *text = slurp(name);
    BIO *bio = BIO_new_mem_buf(text, -1);
    char *label = NULL, *header = NULL;
    unsigned char *der = NULL;
    long n = 0;
    if (!PEM_read_bio(bio, &label, &header, &der, &n)) fail_msg("%s: not PEM", name);
    BIO_free(bio);
    free(text);
    OPENSSL_free(label);
    OPENSSL_free(header);
    uint8_t *out = malloc((size_t)n);
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    *len = (size_t)n;
    return out;
}

/* spki_read gives the same key as OpenSSL's d2i_PUBKEY (direct), or NULL (deferred). */
static void spki_vs_openssl(const uint8_t *der, size_t len, bool direct, const char *what)
{
    EVP_PKEY *mine = spki_read(der, len);
    if (!direct) {
        if (mine) fail_msg("%s: read directly, expected it to be left to OpenSSL", what);
        return;
    }
    if (!mine) fail_msg("%s: not read directly", what);
    const unsigned char *p = der;
    EVP_PKEY *ref = d2i_PUBKEY(NULL, &p, (long)len);
    assert_non_null(ref);
    if (EVP_PKEY_eq(mine, ref) != 1) fail_msg("%s: a different key than OpenSSL reads", what);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(ref);
}

static void test_spki_direct(void **state)
{
    (void)state;
    /* RFC 8410 §10.1: an Ed25519 public key and its SubjectPublicKeyInfo. */
    static const char rfc8410[] = "-----BEGIN PUBLIC KEY-----\n"
                                  "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                                  "-----END PUBLIC KEY-----\n";
    static const uint8_t rfc8410_raw[32] = {0x19, 0xbf, 0x44, 0x09, 0x69, 0x84, 0xcd, 0xfe,
                                            0x85, 0x41, 0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96,
                                            0xc8, 0x50, 0x86, 0xaa, 0x30, 0xb6, 0xb6, 0xcb,
                                            0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1};
    uint8_t *der;
    size_t dlen;
    tl_err e = {0};
    assert_true(b64url_decode("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE", 59,
                              &der, &dlen, &e));
    EVP_PKEY *ed = spki_read(der, dlen);
    assert_non_null(ed);
    uint8_t raw[32];
    size_t rawlen = sizeof raw;
    assert_true(EVP_PKEY_get_raw_public_key(ed, raw, &rawlen));
    assert_int_equal(rawlen, 32);
    assert_memory_equal(raw, rfc8410_raw, 32);
    EVP_PKEY_free(ed);
    jwk *k = NULL;
    assert_true(jwk_from_pem(rfc8410, strlen(rfc8410), &k, &e));
    json_t *j = jwk_to_json(k, false);
    assert_string_equal(json_string_value(json_object_get(j, "x")),
                        "Gb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE");
    json_decref(j);
    jwk_free(k);

    /* Bytes the reader must refuse (and leave to OpenSSL): each a small change to the above. */
    uint8_t bad[64];
    memcpy(bad, der, dlen);
    spki_vs_openssl(bad, dlen, true, "RFC 8410 example");
    spki_vs_openssl(bad, dlen - 1, false, "truncated");
    bad[dlen] = 0;
    spki_vs_openssl(bad, dlen + 1, false, "a trailing byte");
    bad[11] = 1; /* BIT STRING unused-bits byte */
    spki_vs_openssl(bad, dlen, false, "unused bits in the key");
    memcpy(bad, der, dlen);
    bad[8] = 0x71; /* 1.3.101.113: Ed448's OID */
    spki_vs_openssl(bad, dlen, false, "another algorithm");
    /* A non-minimal length: 30 81 2a instead of 30 2a. */
    bad[0] = 0x30, bad[1] = 0x81, bad[2] = 0x2a;
    memcpy(bad + 3, der + 2, dlen - 2);
    spki_vs_openssl(bad, dlen + 1, false, "a non-minimal length");
    free(der);

    /* Keys the openssl CLI made: the JOSE shapes are read directly, the rest are deferred. */
    static const struct {
        const char *file;
        bool direct;
    } shapes[] = {{"rsa_spki.pem", true},     {"ec_spki.pem", true},  {"ec384_spki.pem", true},
                  {"ec521_spki.pem", true},   {"ed_spki.pem", true},  {"ec_compressed.pem", false},
                  {"ec_explicit.pem", false}, {"k1_spki.pem", false}, {"pss_spki.pem", false}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        der = pem_der(shapes[i].file, &dlen);
        spki_vs_openssl(der, dlen, shapes[i].direct, shapes[i].file);
        free(der);
    }
    /* Deferred is not refused: a compressed point still loads, through OpenSSL, as the same key. */
    jwk *full = pem_file("ec_spki.pem", NULL), *comp = pem_file("ec_compressed.pem", NULL);
    char *t1 = thumb(full), *t2 = thumb(comp);
    assert_string_equal(t1, t2);
    free(t1), free(t2);
    jwk_free(full), jwk_free(comp);
    pem_file("k1_spki.pem", "key.unsupported");
}

/* PEM text for an EC P-256 private key whose d does not belong to the public point (built with
 * EVP_PKEY_fromdata, which does not check) — or, with good_d, a consistent one. */
static char *ec_pem_with_d(bool good_d)
{
    static const uint8_t x[32] = {0x7f, 0xcd, 0xce, 0x27, 0x70, 0xf6, 0xc4, 0x5d, 0x41, 0x83, 0xcb,
                                  0xee, 0x6f, 0xdb, 0x4b, 0x7b, 0x58, 0x07, 0x33, 0x35, 0x7b, 0xe9,
                                  0xef, 0x13, 0xba, 0xcf, 0x6e, 0x3c, 0x7b, 0xd1, 0x54, 0x45};
    static const uint8_t y[32] = {0xc7, 0xf1, 0x44, 0xcd, 0x1b, 0xbd, 0x9b, 0x7e, 0x87, 0x2c, 0xdf,
                                  0xed, 0xb9, 0xee, 0xb9, 0xf4, 0xb3, 0x69, 0x5d, 0x6e, 0xa9, 0x0b,
                                  0x24, 0xad, 0x8a, 0x46, 0x23, 0x28, 0x85, 0x88, 0xe5, 0xad};
    static const uint8_t d[32] = {0x8e, 0x9b, 0x10, 0x9e, 0x71, 0x90, 0x98, 0xbf, 0x98, 0x04, 0x87,
                                  0xdf, 0x1f, 0x5d, 0x77, 0xe9, 0xcb, 0x29, 0x60, 0x6e, 0xbe, 0xd2,
                                  0x26, 0x3b, 0x5f, 0x57, 0xc2, 0x13, 0xdf, 0x84, 0xf4, 0xb2};
    uint8_t pt[65] = {4}, dd[32];
    memcpy(pt + 1, x, 32);
    memcpy(pt + 33, y, 32);
    memcpy(dd, d, 32);
    if (!good_d) dd[31] ^= 1;
    BIGNUM *bn = BN_bin2bn(dd, 32, NULL);
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, 65);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, bn);
    OSSL_PARAM *p = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    assert_true(EVP_PKEY_fromdata_init(ctx) > 0);
    assert_true(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, p) > 0);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL));
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    char *out = calloc(1, (size_t)n + 1);
    memcpy(out, data, (size_t)n);
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(p);
    OSSL_PARAM_BLD_free(b);
    BN_free(bn);
    return out;
}

static void test_pem_inconsistent_and_unterminated(void **state)
{
    (void)state;
    jwk *k = NULL;
    tl_err e = {0};
    char *good = ec_pem_with_d(true), *bad = ec_pem_with_d(false);
    assert_true(jwk_from_pem(good, strlen(good), &k, &e));
    jwk_free(k);
    assert_false(jwk_from_pem(bad, strlen(bad), &k, &e));
    assert_code(e, "key.pem");
    assert_contains(e.msg, "does not match");
    /* The input is a counted buffer: nothing past `len` may be read (ASan checks this). */
    const char *body = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n";
    size_t n = strlen(body);
    char *exact = malloc(n);
    memcpy(exact, body, n);
    assert_false(jwk_from_pem(exact, n, &k, &e));
    assert_code(e, "key.pem");
    assert_false(jwk_parse_any(exact, n, &k, &e));
    free(exact);
    free(good);
    free(bad);
}

static void test_pem_export_roundtrip(void **state)
{
    (void)state;
    static const jws_alg algs[] = {JWS_RS256, JWS_ES256, JWS_ES384, JWS_ES512, JWS_EDDSA};
    for (size_t i = 0; i < 5; i++) {
        jwk *k = NULL, *back = NULL, *pub = NULL;
        tl_err e = {0};
        assert_true(jwk_generate(algs[i], 0, &k, &e));
        char *pp = jwk_to_pem(k, true, &e), *pu = jwk_to_pem(k, false, &e);
        assert_contains(pp, "-----BEGIN PRIVATE KEY-----");
        assert_contains(pu, "-----BEGIN PUBLIC KEY-----");
        assert_true(jwk_from_pem(pp, strlen(pp), &back, &e));
        assert_true(jwk_from_pem(pu, strlen(pu), &pub, &e));
        char *t1 = thumb(k), *t2 = thumb(back), *t3 = thumb(pub);
        assert_string_equal(t1, t2);
        assert_string_equal(t1, t3);
        free(t1), free(t2), free(t3), free(pp), free(pu);
        jwk_free(k), jwk_free(back), jwk_free(pub);
    }
    jwk *oct = jwk_from_secret((const uint8_t *)"s", 1);
    tl_err e = {0};
    assert_null(jwk_to_pem(oct, true, &e));
    assert_code(e, "key.no_pem");
    /* RFC 7515 A.2's key has n, e, d only: PEM needs the CRT members, a JWK does not. */
    json_t *v = tju_vector("jose-cookbook/jwk/3_4.rsa_private_key.json");
    json_t *ned = json_pack("{s:s,s:O,s:O,s:O}", "kty", "RSA", "n", json_object_get(v, "n"), "e",
                            json_object_get(v, "e"), "d", json_object_get(v, "d"));
    jwk *rk = NULL;
    assert_true(jwk_from_json(ned, &rk, &e));
    assert_null(jwk_to_pem(rk, true, &e));
    assert_code(e, "key.no_pem");
    char *pub = jwk_to_pem(rk, false, &e);
    assert_non_null(pub);
    free(pub);
    jwk_free(rk);
    json_decref(ned);
    json_decref(v);
    jwk_free(oct);
}

static void test_rfc7638_thumbprint(void **state)
{
    (void)state;
    /* RFC 7638 §3.1: optional members (alg, kid) do not change it. */
    jwk *k = key_json(
        "{\"kty\":\"RSA\",\"n\":"
        "\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK"
        "7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_"
        "RN5w6Cf0h4"
        "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNL"
        "yrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
        "kEgU8awapJzKnqDKgw"
        "\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}",
        NULL);
    char *t = thumb(k);
    assert_string_equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    free(t);
    assert_string_equal(jwk_kid(k), "2011-04-29");
    jwk_free(k);
    /* RFC 8037 A.3: the Ed25519 public key's thumbprint. */
    k = key_json("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                 "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                 NULL);
    t = thumb(k);
    assert_string_equal(t, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    free(t);
    jwk_free(k);
}

static void test_jwk_every_kty(void **state)
{
    (void)state;
    const char *files[] = {
        "jose-cookbook/jwk/3_1.ec_public_key.json", "jose-cookbook/jwk/3_2.ec_private_key.json",
        "jose-cookbook/jwk/3_3.rsa_public_key.json", "jose-cookbook/jwk/3_4.rsa_private_key.json",
        "jose-cookbook/jwk/3_5.symmetric_key_mac_computation.json"};
    const jwk_kty kty[] = {JWK_KTY_EC, JWK_KTY_EC, JWK_KTY_RSA, JWK_KTY_RSA, JWK_KTY_OCT};
    const bool priv[] = {false, true, false, true, true};
    for (int i = 0; i < 5; i++) {
        json_t *v = tju_vector(files[i]);
        assert_non_null(v);
        jwk *k = NULL;
        tl_err e = {0};
        if (!jwk_from_json(v, &k, &e)) fail_msg("%s: %s", files[i], e.msg);
        assert_int_equal(jwk_type(k), kty[i]);
        assert_int_equal(jwk_is_private(k), priv[i]);
        /* Export reproduces every member of the published key (kty, crv, key material, kid,
         * use, alg). */
        json_t *out = jwk_to_json(k, true);
        const char *name;
        json_t *val;
        json_object_foreach(v, name, val)
        {
            json_t *o = json_object_get(out, name);
            if (!o || !json_equal(o, val))
                fail_msg("%s: member %s differs on export", files[i], name);
        }
        assert_int_equal(json_object_size(out), json_object_size(v));
        /* Public export drops the private members. */
        json_t *pub = jwk_to_json(k, false);
        if (kty[i] != JWK_KTY_OCT) {
            assert_null(json_object_get(pub, "d"));
            assert_null(json_object_get(pub, "p"));
        }
        json_decref(pub);
        json_decref(out);
        json_decref(v);
        jwk_free(k);
    }
    jwk *ed =
        key_json("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZ"
                 "cDusAxyuf2A\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
                 NULL);
    assert_true(jwk_is_private(ed));
    jwk_free(ed);
    key_json("{\"kty\":\"oct\",\"k\":\"\"}", "key.empty_secret"); /* verify --key */
    jwk *hs = key_json("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", NULL);
    size_t n;
    assert_memory_equal(jwk_secret(hs, &n), "secret", 6);
    assert_int_equal(n, 6);
    assert_int_equal(jwk_bits(hs), 48);
    jwk_free(hs);
}

static void test_jwk_refusals(void **state)
{
    (void)state;
    key_json("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"}", "key.unsupported");
    key_json("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AA\"}", "key.unsupported");
    key_json("{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AA\"}", "key.unsupported");
    key_json("{\"kty\":\"DSA\"}", "key.unsupported");
    key_json("{\"n\":\"AQAB\",\"e\":\"AQAB\"}", "key.jwk");
    key_json("{\"kty\":\"RSA\",\"e\":\"AQAB\"}", "key.jwk");
    key_json("{\"kty\":\"RSA\",\"n\":\"a+b\",\"e\":\"AQAB\"}", "key.jwk");
    key_json("{\"kty\":\"oct\"}", "key.jwk");
    key_json("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kty\":\"oct\"}", "json.duplicate_key");
    key_json("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"oth\":[]}", "key.unsupported");
    /* P-256 point with y changed: not on the curve (invalid-curve attack). */
    key_json(
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1\"}",
        "key.jwk");
    /* Coordinates of the wrong length. */
    key_json(
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRV\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
        "key.jwk");
    /* d that does not belong to x/y. */
    key_json(
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
        "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LA\"}",
        "key.jwk");
    key_json("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"nWGxne_"
             "9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\","
             "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURA\"}",
             "key.jwk");
    key_json("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qY\"}", "key.jwk");
    key_json("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"key_ops\":\"sign\"}", "key.jwk");
    key_json("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"},{\"kty\":\"oct\",\"k\":\"AA\"}]}",
             "key.jwk");
}

static void test_allows_narrowing(void **state)
{
    (void)state;
    tl_err e = {0};
    jwk *k = key_json("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"alg\":\"HS384\"}", NULL);
    assert_false(jwk_allows(k, JWS_HS256, false, &e));
    assert_code(e, "jws.alg_not_allowed");
    assert_contains(e.msg, "HS384");
    assert_true(jwk_allows(k, JWS_HS384, false, &e));
    jws_alg list[JWS_ALG_COUNT];
    assert_int_equal(jwk_algs(k, list), 1);
    assert_int_equal(list[0], JWS_HS384);
    assert_int_equal(jwk_default_alg(k), JWS_HS384);
    jwk_free(k);

    k = key_json("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"use\":\"enc\"}", NULL);
    assert_false(jwk_allows(k, JWS_HS256, false, &e));
    assert_code(e, "jws.key_use");
    jwk_free(k);

    k = key_json("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"key_ops\":[\"verify\"]}", NULL);
    assert_true(jwk_allows(k, JWS_HS256, false, &e));
    assert_false(jwk_allows(k, JWS_HS256, true, &e));
    assert_code(e, "jws.key_use");
    char *tok = NULL;
    assert_false(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_HS256, k, false, &tok, &e));
    assert_code(e, "jws.key_use");
    jwk_free(k);

    jwk *rsa = NULL;
    assert_true(jwk_generate(JWS_PS256, 0, &rsa, &e));
    assert_int_equal(jwk_algs(rsa, list), 6);
    assert_false(jwk_allows(rsa, JWS_ES256, false, &e));
    assert_code(e, "jws.alg_not_allowed");
    assert_false(jwk_allows(rsa, JWS_ALG_NONE, false, &e));
    assert_code(e, "jws.alg_none");
    assert_false(jwk_allows(rsa, JWS_ALG_UNKNOWN, false, &e));
    assert_code(e, "jws.alg_unknown");
    jwk *r2 = jwk_ref(rsa);
    jwk_free(rsa);
    assert_true(jwk_allows(r2, JWS_RS512, true, &e)); /* still alive: one reference left */
    jwk_free(r2);

    jwk *ec = NULL;
    assert_true(jwk_generate(JWS_ES256, 0, &ec, &e));
    assert_int_equal(jwk_algs(ec, list), 1);
    assert_false(jwk_allows(ec, JWS_ES384, false, &e));
    assert_code(e, "jws.alg_not_allowed");
    assert_false(jwk_allows(ec, JWS_HS256, false, &e));
    assert_code(e, "jws.alg_not_allowed");
    assert_contains(e.msg, "key-confusion");
    jwk_free(ec);

    jwk *weak = NULL;
    assert_false(jwk_generate(JWS_RS256, 512, &weak, &e));
    assert_code(e, "key.bits");
    jwk *hs = NULL;
    assert_true(jwk_generate(JWS_HS512, 0, &hs, &e));
    assert_int_equal(jwk_bits(hs), 512);
    jwk_free(hs);
}

static const char jwks_text[] =
    "{\"keys\":["
    "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\",\"kid\":\"k1\"},"
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
    "\"not a key\","
    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed\","
    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";

static void test_jwks(void **state)
{
    (void)state;
    jwks *set = NULL;
    tl_err e = {0};
    assert_true(jwks_parse(jwks_text, strlen(jwks_text), &set, &e));
    assert_int_equal(jwks_count(set), 2);
    assert_int_equal(jwks_skipped_count(set), 2);
    assert_contains(jwks_skipped(set, 0), "keys[0]");
    assert_contains(jwks_skipped(set, 1), "keys[2]");
    assert_null(jwks_skipped(set, 2));
    assert_non_null(jwks_find_kid(set, "ed"));
    assert_null(jwks_find_kid(set, "k1"));
    json_t *j = jwks_to_json(set);
    assert_int_equal(json_array_size(json_object_get(j, "keys")), 2);
    json_decref(j);

    /* RFC 8037 A.4 token, no kid: found by key type. */
    const char *tok =
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1P"
        "POt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    jws *t = NULL;
    assert_true(jws_parse(tok, strlen(tok), &t, &e));
    const char *used = NULL;
    assert_true(jws_verify_jwks(t, set, NULL, 0, &used, &e));
    assert_string_equal(used, "ed");
    jws_free(t);

    /* A kid that is not in the set: no fallback to other keys. */
    json_t *hdr = json_pack("{s:s}", "kid", "missing");
    jwk *ed = NULL;
    assert_true(jwk_generate(JWS_EDDSA, 0, &ed, &e));
    char *tk = NULL;
    assert_true(jws_sign(hdr, (const uint8_t *)"{}", 2, JWS_EDDSA, ed, false, &tk, &e));
    assert_true(jws_parse(tk, strlen(tk), &t, &e));
    assert_false(jws_verify_jwks(t, set, NULL, 0, &used, &e));
    assert_code(e, "jwks.no_key");
    assert_contains(e.msg, "missing");
    jws_free(t);
    free(tk);
    /* The right kid but the wrong key: a signature mismatch, not a fallback. */
    json_object_set_new(hdr, "kid", json_string("ed"));
    assert_true(jws_sign(hdr, (const uint8_t *)"{}", 2, JWS_EDDSA, ed, false, &tk, &e));
    assert_true(jws_parse(tk, strlen(tk), &t, &e));
    assert_false(jws_verify_jwks(t, set, NULL, 0, &used, &e));
    assert_code(e, "jws.sig_mismatch");
    jws_free(t);
    free(tk);
    /* No kid and no key of a fitting type. */
    jwk *rsa = NULL;
    assert_true(jwk_generate(JWS_RS256, 0, &rsa, &e));
    assert_true(jws_sign(NULL, (const uint8_t *)"{}", 2, JWS_RS256, rsa, false, &tk, &e));
    assert_true(jws_parse(tk, strlen(tk), &t, &e));
    assert_false(jws_verify_jwks(t, set, NULL, 0, &used, &e));
    assert_code(e, "jwks.no_key");
    /* Two candidates without kids: each is tried. */
    jwk *rsa_other = NULL;
    assert_true(jwk_generate(JWS_RS256, 0, &rsa_other, &e));
    jwks_add(set, rsa_other);
    jwks_add(set, rsa);
    assert_true(jws_verify_jwks(t, set, NULL, 0, &used, &e));
    assert_null(used);
    jws_free(t);
    free(tk);
    json_decref(hdr);
    jwk_free(ed);
    jwk_free(rsa);
    jwk_free(rsa_other);
    jwks_free(set);

    assert_false(jwks_parse("{\"keys\":{}}", 11, &set, &e));
    assert_code(e, "jwks.invalid");
    assert_false(jwks_parse("[]", 2, &set, &e));
    assert_code(e, "json.not_object");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pem_every_shape),
        cmocka_unit_test(test_spki_direct),
        cmocka_unit_test(test_pem_export_roundtrip),
        cmocka_unit_test(test_pem_inconsistent_and_unterminated),
        cmocka_unit_test(test_rfc7638_thumbprint),
        cmocka_unit_test(test_jwk_every_kty),
        cmocka_unit_test(test_jwk_refusals),
        cmocka_unit_test(test_allows_narrowing),
        cmocka_unit_test(test_jwks),
    };
    return cmocka_run_group_tests(tests, setup_pems, teardown_pems);
}
