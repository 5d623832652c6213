/* SPDX-License-Identifier: MIT */
/* Keys: JWK (RFC 7517), key types and curves (RFC 7518 §6, RFC 8037 §2), PEM, generation and
 * RFC 7638 thumbprints, all over OpenSSL 3 EVP_PKEY. A jwk is immutable once built (apart from
 * jwk_set_kid/jwk_set_alg, which callers use before sharing it), so it may be used from several
 * threads at once; the reference count is atomic. */
#include "jose/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/alg.h"
#include "jose/b64url.h"
#include "jose/jsonx.h"
#include "jose/jwk_internal.h"
#include "jose/spki.h"

enum { KEY_OP_SIGN = 1, KEY_OP_VERIFY = 2, KEY_OP_OTHER = 4 };

struct jwk {
    atomic_int refs;
    jwk_kty kty;
    EVP_PKEY *pkey;  /* RSA / EC / Ed25519; NULL for oct */
    uint8_t *secret; /* oct */
    size_t secret_len;
    bool priv;
    int bits;
    const char *crv; /* static: "P-256", ... "Ed25519" */
    char *kid;
    char *alg;
    char *use;
    bool has_key_ops;
    unsigned key_ops;
    /* HMAC contexts keyed once per hash, duplicated per signature (jws.c). */
    EVP_MAC_CTX *hmac[3];
};

struct jwks {
    jwk **keys;
    size_t n, cap;
    char **skipped;
    size_t nskipped;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static char *jwk_strdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static jwk *jwk_alloc(jwk_kty kty)
{
    jwk *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    atomic_init(&k->refs, 1);
    k->kty = kty;
    return k;
}

/* The OpenSSL error queue is per thread; keep its top entry for the message and leave it empty. */
static const char *jwk_ossl_reason(char *buf, size_t n)
{
    unsigned long code = ERR_peek_last_error();
    if (!code) {
        snprintf(buf, n, "OpenSSL gave no reason");
    } else {
        const char *r = ERR_reason_error_string(code);
        snprintf(buf, n, "%s", r ? r : "unknown OpenSSL error");
    }
    ERR_clear_error();
    return buf;
}

static const char *const jwk_hmac_digests[3] = {"SHA256", "SHA384", "SHA512"};

static bool jwk_prepare_hmac(jwk *k)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!mac) return false;
    bool ok = true;
    for (int i = 0; i < 3 && ok; i++) {
        OSSL_PARAM params[2] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)jwk_hmac_digests[i], 0),
            OSSL_PARAM_construct_end()};
        k->hmac[i] = EVP_MAC_CTX_new(mac);
        /* If OpenSSL ever refuses a key (an empty one, on some versions), jws.c reports it. */
        if (!k->hmac[i])
            ok = false;
        else if (!EVP_MAC_init(k->hmac[i], k->secret, k->secret_len, params)) {
            EVP_MAC_CTX_free(k->hmac[i]);
            k->hmac[i] = NULL;
            ERR_clear_error();
        }
    }
    EVP_MAC_free(mac);
    return ok;
}

EVP_MAC_CTX *jwk_hmac_template(const jwk *k, int hash_index)
{
    if (!k || k->kty != JWK_KTY_OCT || hash_index < 0 || hash_index > 2) return NULL;
    return k->hmac[hash_index];
}

/* Classifies an EVP_PKEY we were handed (PEM, generation) and takes ownership of it. */
static bool jwk_from_pkey(EVP_PKEY *pkey, bool priv, jwk **out, tl_err *e)
{
    jwk_kty kty;
    const char *crv = NULL;
    int bits = EVP_PKEY_get_bits(pkey);
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        kty = JWK_KTY_RSA;
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[64] = "";
        size_t glen = 0;
        if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                            &glen))
            group[0] = '\0';
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
            crv = "P-256";
            bits = 256;
        } else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
            crv = "P-384";
            bits = 384;
        } else if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0) {
            crv = "P-521";
            bits = 521;
        } else {
            EVP_PKEY_free(pkey);
            ERR_clear_error();
            return err_set(e, "key.unsupported",
                           "EC curve %s is not used by JOSE (RFC 7518 §6.2.1.1 lists P-256, "
                           "P-384 and P-521)",
                           group[0] ? group : "(explicit parameters)");
        }
        kty = JWK_KTY_EC;
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        kty = JWK_KTY_OKP;
        crv = "Ed25519";
        bits = 256;
    } else {
        const char *name = EVP_PKEY_get0_type_name(pkey);
        char nb[64];
        snprintf(nb, sizeof nb, "%s", name ? name : "unknown");
        EVP_PKEY_free(pkey);
        return err_set(e, "key.unsupported",
                       "%s keys are not supported (use RSA, EC P-256/384/521 or Ed25519)", nb);
    }
    jwk *k = jwk_alloc(kty);
    if (!k) {
        EVP_PKEY_free(pkey);
        return err_set(e, "oom", "out of memory");
    }
    k->pkey = pkey;
    k->priv = priv;
    k->crv = crv;
    k->bits = bits;
    *out = k;
    return true;
}

/* ---- PEM ---------------------------------------------------------------------------------- */

static int jwk_no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

/* memmem without _GNU_SOURCE: PEM input is a counted buffer, not a C string. */
static const char *jwk_mem_find(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0) return hay + i;
    return NULL;
}

/* Finds the first PEM block whose label we know, skipping "EC PARAMETERS" and friends. */
static const char *jwk_pem_label(const char *pem, size_t len, char *label, size_t lsz)
{
    const char *p = pem, *end = pem + len;
    static const char begin[] = "-----BEGIN ";
    while (p < end) {
        const char *b = NULL;
        for (const char *q = p; q + sizeof begin - 1 <= end; q++)
            if (memcmp(q, begin, sizeof begin - 1) == 0) {
                b = q;
                break;
            }
        if (!b) return NULL;
        const char *l = b + sizeof begin - 1, *le = l;
        while (le < end && *le != '-' && *le != '\n') le++;
        size_t n = (size_t)(le - l);
        if (n >= lsz) n = lsz - 1;
        memcpy(label, l, n);
        label[n] = '\0';
        if (strcmp(label, "EC PARAMETERS") != 0) return b;
        p = le;
    }
    return NULL;
}

/* Does the private part belong to the public part? For RSA, OpenSSL's pairwise check also runs
 * primality tests on p and q (~60 ms of CPU for a 2048-bit key, paid on every `mint --key`); a
 * signature over a fixed digest that the public half verifies catches the same damage (a wrong d,
 * p, q or CRT member) in well under a millisecond. EC and Ed25519 use the pairwise check, which
 * is cheap for them. */
static bool jwk_pair_consistent(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    bool ok = false;
    if (cctx && !EVP_PKEY_is_a(pkey, "RSA")) {
        ok = EVP_PKEY_pairwise_check(cctx) > 0;
    } else if (cctx) {
        static const unsigned char digest[32] = "tokenlab pairwise check digest";
        unsigned char sig[2048];
        size_t siglen = sizeof sig;
        ok = EVP_PKEY_sign_init(cctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(cctx, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(cctx, EVP_sha256()) > 0 &&
             EVP_PKEY_sign(cctx, sig, &siglen, digest, sizeof digest) > 0 &&
             EVP_PKEY_verify_init(cctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(cctx, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(cctx, EVP_sha256()) > 0 &&
             EVP_PKEY_verify(cctx, sig, siglen, digest, sizeof digest) == 1;
    }
    EVP_PKEY_CTX_free(cctx);
    ERR_clear_error();
    return ok;
}

/* A "PUBLIC KEY" block in one of the shapes JOSE uses, read without OpenSSL's decoder search
 * (spki.h says why); NULL for anything else, which then goes to PEM_read_bio_PUBKEY. */
static EVP_PKEY *jwk_spki_direct(BIO *bio)
{
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long n = 0;
    EVP_PKEY *pkey = NULL;
    if (PEM_read_bio(bio, &name, &header, &der, &n) && strcmp(name, "PUBLIC KEY") == 0 &&
        header[0] == '\0' && n > 0)
        pkey = spki_read(der, (size_t)n);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    ERR_clear_error();
    return pkey;
}

bool jwk_from_pem(const char *pem, size_t len, jwk **out, tl_err *e)
{
    *out = NULL;
    char label[64];
    const char *start = jwk_pem_label(pem, len, label, sizeof label);
    if (!start) return err_set(e, "key.pem", "no \"-----BEGIN ...-----\" line: this is not PEM");
    size_t rest = len - (size_t)(start - pem);
    if (rest > INT32_MAX) return err_set(e, "key.pem", "PEM input is too large");
    ERR_clear_error();
    BIO *bio = BIO_new_mem_buf(start, (int)rest);
    if (!bio) return err_set(e, "oom", "out of memory");
    EVP_PKEY *pkey = NULL;
    bool priv = false;
    char why[160];
    if (strcmp(label, "PUBLIC KEY") == 0) {
        pkey = jwk_spki_direct(bio);
        if (!pkey) {
            BIO_free(bio);
            bio = BIO_new_mem_buf(start, (int)rest);
            if (!bio) return err_set(e, "oom", "out of memory");
            pkey = PEM_read_bio_PUBKEY(bio, NULL, jwk_no_passphrase, NULL);
        }
    } else if (strcmp(label, "RSA PUBLIC KEY") == 0) {
        /* PKCS#1 RSAPublicKey: PEM_read_bio_RSAPublicKey is deprecated, the decoder is not. */
        OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", "type-specific", "RSA",
                                                               EVP_PKEY_PUBLIC_KEY, NULL, NULL);
        if (dctx) {
            if (!OSSL_DECODER_from_bio(dctx, bio)) pkey = NULL;
            OSSL_DECODER_CTX_free(dctx);
        }
    } else if (strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "RSA PRIVATE KEY") == 0 ||
               strcmp(label, "EC PRIVATE KEY") == 0) {
        pkey = PEM_read_bio_PrivateKey(bio, NULL, jwk_no_passphrase, NULL);
        priv = true;
    } else if (strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "TRUSTED CERTIFICATE") == 0) {
        X509 *x = PEM_read_bio_X509(bio, NULL, jwk_no_passphrase, NULL);
        if (x) {
            pkey = X509_get_pubkey(x);
            X509_free(x);
        }
    } else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
        BIO_free(bio);
        return err_set(e, "key.pem",
                       "the private key is encrypted with a passphrase; decrypt it first "
                       "(openssl pkey -in KEY -out plain.pem)");
    } else {
        BIO_free(bio);
        return err_set(e, "key.pem",
                       "PEM block \"%s\" is not a key (expected PUBLIC KEY, PRIVATE KEY, RSA "
                       "PUBLIC KEY, RSA PRIVATE KEY, EC PRIVATE KEY or CERTIFICATE)",
                       label);
    }
    BIO_free(bio);
    if (!pkey) {
        if (jwk_mem_find(start, rest, "Proc-Type: 4,ENCRYPTED")) {
            ERR_clear_error();
            return err_set(e, "key.pem",
                           "the private key is encrypted with a passphrase; decrypt it first "
                           "(openssl pkey -in KEY -out plain.pem)");
        }
        return err_set(e, "key.pem", "the \"%s\" PEM block is damaged or truncated (OpenSSL: %s)",
                       label, jwk_ossl_reason(why, sizeof why));
    }
    /* A PEM file can hold a private scalar that does not belong to its public point (or an
     * off-curve point); such a key signs tokens nobody can verify, so refuse it on load. */
    bool sane;
    if (priv) {
        sane = jwk_pair_consistent(pkey);
    } else {
        EVP_PKEY_CTX *cctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        sane = cctx && (!EVP_PKEY_is_a(pkey, "EC") || EVP_PKEY_public_check(cctx) > 0);
        EVP_PKEY_CTX_free(cctx);
    }
    if (!sane) {
        ERR_clear_error();
        EVP_PKEY_free(pkey);
        return err_set(e, "key.pem", "the \"%s\" PEM block holds an inconsistent key: %s", label,
                       priv ? "the private part does not match the public part"
                            : "the public point is not on its curve");
    }
    return jwk_from_pkey(pkey, priv, out, e);
}

/* ---- JWK import --------------------------------------------------------------------------- */

/* Reads a base64url member into bytes. Missing and !required: *out NULL, true. */
static bool jwk_member_bytes(const json_t *obj, const char *name, bool required, uint8_t **out,
                             size_t *outlen, tl_err *e)
{
    *out = NULL;
    *outlen = 0;
    json_t *v = json_object_get(obj, name);
    if (!v) {
        if (required) return err_set(e, "key.jwk", "required member \"%s\" is missing", name);
        return true;
    }
    if (!json_is_string(v)) return err_set(e, "key.jwk", "member \"%s\" must be a string", name);
    if (!b64url_decode(json_string_value(v), json_string_length(v), out, outlen, e)) {
        if (e) e->code = "key.jwk";
        return err_prefix(e, "member \"%s\" is not valid base64url: ", name);
    }
    return true;
}

static BIGNUM *jwk_member_bn(const json_t *obj, const char *name, bool required, bool *ok,
                             tl_err *e)
{
    uint8_t *b;
    size_t n;
    *ok = jwk_member_bytes(obj, name, required, &b, &n, e);
    if (!*ok || !b) return NULL;
    if (n == 0) {
        free(b);
        *ok = err_set(e, "key.jwk", "member \"%s\" is empty", name);
        return NULL;
    }
    BIGNUM *bn = BN_bin2bn(b, (int)n, NULL);
    OPENSSL_clear_free(b, n);
    if (!bn) *ok = err_set(e, "oom", "out of memory");
    return bn;
}

EVP_PKEY *jwk_fromdata(const char *type, OSSL_PARAM_BLD *bld, bool priv, tl_err *e)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0) {
        if (EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <=
            0)
            pkey = NULL;
    }
    char why[160];
    if (!pkey)
        err_set(e, "key.jwk", "OpenSSL refused the key: %s", jwk_ossl_reason(why, sizeof why));
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

static bool jwk_import_rsa(const json_t *obj, jwk *k, tl_err *e)
{
    static const char *const priv_names[] = {"p", "q", "dp", "dq", "qi"};
    static const char *const ossl_names[] = {
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    if (json_object_get(obj, "oth"))
        return err_set(e, "key.unsupported",
                       "multi-prime RSA keys (\"oth\", RFC 7518 §6.3.2.7) are not supported");
    bool ok = true;
    BIGNUM *n = NULL, *ee = NULL, *d = NULL, *crt[5] = {0};
    OSSL_PARAM_BLD *bld = NULL;
    n = jwk_member_bn(obj, "n", true, &ok, e);
    if (ok) ee = jwk_member_bn(obj, "e", true, &ok, e);
    if (ok) d = jwk_member_bn(obj, "d", false, &ok, e);
    int ncrt = 0;
    for (int i = 0; ok && d && i < 5; i++) {
        crt[i] = jwk_member_bn(obj, priv_names[i], false, &ok, e);
        if (crt[i]) ncrt++;
    }
    if (ok && ncrt != 0 && ncrt != 5)
        ok = err_set(e, "key.jwk",
                     "an RSA private key needs all of p, q, dp, dq, qi or none of them "
                     "(RFC 7518 §6.3.2)");
    if (ok && (bld = OSSL_PARAM_BLD_new()) == NULL) ok = err_set(e, "oom", "out of memory");
    if (ok) {
        ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ee);
        if (ok && d) ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d);
        for (int i = 0; ok && ncrt == 5 && i < 5; i++)
            ok = OSSL_PARAM_BLD_push_BN(bld, ossl_names[i], crt[i]);
        if (!ok) err_set(e, "oom", "out of memory");
    }
    if (ok) {
        k->pkey = jwk_fromdata("RSA", bld, d != NULL, e);
        ok = k->pkey != NULL;
    }
    if (ok && ncrt == 5) {
        /* OpenSSL can only check consistency with the CRT members present. */
        if (!jwk_pair_consistent(k->pkey))
            ok = err_set(e, "key.jwk", "the private members do not belong to n and e");
    }
    if (ok) {
        k->priv = d != NULL;
        k->bits = EVP_PKEY_get_bits(k->pkey);
        if (k->bits < 512)
            ok = err_set(e, "key.unsupported", "RSA modulus of %d bits is too small to use",
                         k->bits);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(ee);
    BN_clear_free(d);
    for (int i = 0; i < 5; i++) BN_clear_free(crt[i]);
    return ok;
}

static bool jwk_curve_info(const char *crv, const char **group, int *bits, size_t *flen)
{
    if (strcmp(crv, "P-256") == 0) {
        *group = "prime256v1", *bits = 256, *flen = 32;
    } else if (strcmp(crv, "P-384") == 0) {
        *group = "secp384r1", *bits = 384, *flen = 48;
    } else if (strcmp(crv, "P-521") == 0) {
        *group = "secp521r1", *bits = 521, *flen = 66;
    } else {
        return false;
    }
    return true;
}

static bool jwk_import_ec(const json_t *obj, jwk *k, tl_err *e)
{
    const char *crv = json_string_value(json_object_get(obj, "crv"));
    if (!crv) return err_set(e, "key.jwk", "required member \"crv\" is missing");
    const char *group;
    int bits;
    size_t flen;
    if (!jwk_curve_info(crv, &group, &bits, &flen))
        return err_set(e, "key.unsupported",
                       "EC curve \"%s\" is not supported (RFC 7518 §6.2.1.1: P-256, P-384, P-521)",
                       crv);
    uint8_t *x = NULL, *y = NULL, *d = NULL;
    size_t xl, yl, dl;
    bool ok = jwk_member_bytes(obj, "x", true, &x, &xl, e) &&
              jwk_member_bytes(obj, "y", true, &y, &yl, e) &&
              jwk_member_bytes(obj, "d", false, &d, &dl, e);
    /* RFC 7518 §6.2.1.2/3 and §6.2.2.1: coordinates and d are exactly the field size. */
    if (ok && (xl != flen || yl != flen))
        ok = err_set(e, "key.jwk",
                     "\"x\" and \"y\" of a %s key must be %zu bytes each (got %zu and %zu)", crv,
                     flen, xl, yl);
    if (ok && d && dl != flen)
        ok = err_set(e, "key.jwk", "\"d\" of a %s key must be %zu bytes (got %zu)", crv, flen, dl);
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *dbn = NULL;
    uint8_t point[1 + 2 * 66];
    if (ok) {
        point[0] = 0x04; /* uncompressed SEC1 point */
        memcpy(point + 1, x, flen);
        memcpy(point + 1 + flen, y, flen);
        bld = OSSL_PARAM_BLD_new();
        if (d) dbn = BN_bin2bn(d, (int)dl, NULL);
        ok = bld && (!d || dbn) &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * flen) &&
             (!d || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, dbn));
        if (!ok) err_set(e, "oom", "out of memory");
    }
    if (ok) {
        k->pkey = jwk_fromdata("EC", bld, d != NULL, e);
        ok = k->pkey != NULL;
    }
    if (ok) {
        /* An off-curve point enables invalid-curve attacks: check it. */
        EVP_PKEY_CTX *cctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
        if (!cctx || EVP_PKEY_public_check(cctx) <= 0)
            ok = err_set(e, "key.jwk", "the point (x, y) is not on curve %s", crv);
        if (ok && d && EVP_PKEY_pairwise_check(cctx) <= 0)
            ok = err_set(e, "key.jwk", "\"d\" does not belong to the public point (x, y)");
        EVP_PKEY_CTX_free(cctx);
        ERR_clear_error();
    }
    if (ok) {
        k->priv = d != NULL;
        k->crv = crv[2] == '2' ? "P-256" : crv[2] == '3' ? "P-384" : "P-521";
        k->bits = bits;
    }
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(dbn);
    free(x);
    free(y);
    if (d) OPENSSL_clear_free(d, dl);
    return ok;
}

static bool jwk_import_okp(const json_t *obj, jwk *k, tl_err *e)
{
    const char *crv = json_string_value(json_object_get(obj, "crv"));
    if (!crv) return err_set(e, "key.jwk", "required member \"crv\" is missing");
    if (strcmp(crv, "Ed25519") != 0)
        return err_set(e, "key.unsupported",
                       "OKP curve \"%s\" is not supported for signatures here (only Ed25519, RFC "
                       "8037 §3.1)",
                       crv);
    uint8_t *x = NULL, *d = NULL;
    size_t xl, dl;
    bool ok = jwk_member_bytes(obj, "x", true, &x, &xl, e) &&
              jwk_member_bytes(obj, "d", false, &d, &dl, e);
    if (ok && xl != 32)
        ok = err_set(e, "key.jwk", "\"x\" of an Ed25519 key must be 32 bytes (got %zu)", xl);
    if (ok && d && dl != 32)
        ok = err_set(e, "key.jwk", "\"d\" of an Ed25519 key must be 32 bytes (got %zu)", dl);
    if (ok) {
        k->pkey = d ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, dl)
                    : EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xl);
        if (!k->pkey) {
            char why[160];
            ok = err_set(e, "key.jwk", "OpenSSL refused the key: %s",
                         jwk_ossl_reason(why, sizeof why));
        }
    }
    if (ok && d) {
        uint8_t pub[32];
        size_t pl = sizeof pub;
        if (!EVP_PKEY_get_raw_public_key(k->pkey, pub, &pl) || pl != 32 ||
            CRYPTO_memcmp(pub, x, 32) != 0)
            ok = err_set(e, "key.jwk", "\"x\" is not the public key that belongs to \"d\"");
    }
    if (ok) {
        k->priv = d != NULL;
        k->crv = "Ed25519";
        k->bits = 256;
    }
    free(x);
    if (d) OPENSSL_clear_free(d, dl);
    return ok;
}

static bool jwk_import_meta(const json_t *obj, jwk *k, tl_err *e)
{
    json_t *v;
    if ((v = json_object_get(obj, "kid"))) {
        if (!json_is_string(v))
            return err_set(e, "key.jwk", "\"kid\" must be a string (RFC 7517 §4.5)");
        k->kid = jwk_strdup(json_string_value(v));
    }
    if ((v = json_object_get(obj, "alg"))) {
        if (!json_is_string(v))
            return err_set(e, "key.jwk", "\"alg\" must be a string (RFC 7517 §4.4)");
        k->alg = jwk_strdup(json_string_value(v));
    }
    if ((v = json_object_get(obj, "use"))) {
        if (!json_is_string(v))
            return err_set(e, "key.jwk", "\"use\" must be a string (RFC 7517 §4.2)");
        k->use = jwk_strdup(json_string_value(v));
    }
    if ((v = json_object_get(obj, "key_ops"))) {
        if (!json_is_array(v))
            return err_set(e, "key.jwk", "\"key_ops\" must be an array of strings (RFC 7517 §4.3)");
        k->has_key_ops = true;
        size_t i;
        json_t *op;
        json_array_foreach(v, i, op)
        {
            const char *s = json_string_value(op);
            if (!s)
                return err_set(e, "key.jwk",
                               "\"key_ops\" must be an array of strings (RFC 7517 §4.3)");
            k->key_ops |= strcmp(s, "sign") == 0     ? KEY_OP_SIGN
                          : strcmp(s, "verify") == 0 ? KEY_OP_VERIFY
                                                     : KEY_OP_OTHER;
        }
    }
    return true;
}

bool jwk_from_json(const json_t *obj, jwk **out, tl_err *e)
{
    *out = NULL;
    if (!json_is_object(obj)) return err_set(e, "key.jwk", "a JWK must be a JSON object");
    json_t *ktyv = json_object_get(obj, "kty");
    const char *kty = json_string_value(ktyv);
    if (!kty) return err_set(e, "key.jwk", "required member \"kty\" is missing (RFC 7517 §4.1)");
    jwk *k;
    bool ok;
    ERR_clear_error();
    if (strcmp(kty, "RSA") == 0) {
        k = jwk_alloc(JWK_KTY_RSA);
        ok = k && jwk_import_rsa(obj, k, e);
    } else if (strcmp(kty, "EC") == 0) {
        k = jwk_alloc(JWK_KTY_EC);
        ok = k && jwk_import_ec(obj, k, e);
    } else if (strcmp(kty, "OKP") == 0) {
        k = jwk_alloc(JWK_KTY_OKP);
        ok = k && jwk_import_okp(obj, k, e);
    } else if (strcmp(kty, "oct") == 0) {
        k = jwk_alloc(JWK_KTY_OCT);
        ok = k && jwk_member_bytes(obj, "k", true, &k->secret, &k->secret_len, e);
        if (ok && k->secret_len == 0) /* as --secret "" is refused: anyone could sign */
            ok = err_set(e, "key.empty_secret",
                         "the oct key's \"k\" is empty: an empty HMAC secret is no secret "
                         "(RFC 7518 §3.2 wants one at least as long as the hash)");
        if (ok) {
            k->priv = true;
            k->bits = (int)(k->secret_len * 8);
            ok = jwk_prepare_hmac(k) || err_set(e, "oom", "cannot set up HMAC");
        }
    } else {
        return err_set(e, "key.unsupported",
                       "key type \"%s\" is not supported (RSA, EC, OKP, oct; RFC 7518 §6.1)", kty);
    }
    if (!k) return err_set(e, "oom", "out of memory");
    if (ok) ok = jwk_import_meta(obj, k, e);
    if (!ok) {
        jwk_free(k);
        return false;
    }
    *out = k;
    return true;
}

bool jwk_parse_any(const char *text, size_t len, jwk **out, tl_err *e)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i < len && text[i] == '{') {
        json_t *j = jsonx_parse(text, len, true, e);
        if (!j) return err_prefix(e, "key is not valid JSON: ");
        bool ok;
        if (json_is_array(json_object_get(j, "keys"))) {
            json_t *keys = json_object_get(j, "keys");
            size_t nkeys = json_array_size(keys);
            if (nkeys != 1) {
                json_decref(j);
                return err_set(e, "key.jwk",
                               "this is a JWKS with %zu keys; pass one key, or use it as a JWKS",
                               nkeys);
            }
            ok = jwk_from_json(json_array_get(keys, 0), out, e);
        } else {
            ok = jwk_from_json(j, out, e);
        }
        json_decref(j);
        return ok;
    }
    char label[64];
    if (jwk_pem_label(text + i, len - i, label, sizeof label))
        return jwk_from_pem(text + i, len - i, out, e);
    return err_set(e, "key.unsupported",
                   "the key is neither PEM (-----BEGIN ...-----) nor a JWK ({\"kty\": ...})");
}

jwk *jwk_from_secret(const uint8_t *secret, size_t len)
{
    jwk *k = jwk_alloc(JWK_KTY_OCT);
    if (!k) return NULL;
    k->secret = malloc(len ? len : 1);
    if (!k->secret) {
        free(k);
        return NULL;
    }
    if (len) memcpy(k->secret, secret, len);
    k->secret_len = len;
    k->priv = true;
    k->bits = (int)(len * 8);
    if (!jwk_prepare_hmac(k)) {
        jwk_free(k);
        return NULL;
    }
    return k;
}

static size_t jwk_hash_len(jws_alg alg)
{
    switch (alg) {
    case JWS_HS256:
        return 32;
    case JWS_HS384:
        return 48;
    case JWS_HS512:
        return 64;
    default:
        return 0;
    }
}

bool jwk_generate(jws_alg alg, int bits, jwk **out, tl_err *e)
{
    *out = NULL;
    EVP_PKEY *pkey = NULL;
    char why[160];
    switch (alg) {
    case JWS_HS256:
    case JWS_HS384:
    case JWS_HS512: {
        size_t n = bits > 0 ? (size_t)(bits + 7) / 8 : jwk_hash_len(alg);
        if (n > 1024)
            return err_set(e, "key.bits", "an HMAC key of %d bits is absurdly long", bits);
        uint8_t buf[1024];
        if (RAND_bytes(buf, (int)n) != 1) return err_set(e, "key.generate", "no randomness");
        *out = jwk_from_secret(buf, n);
        OPENSSL_cleanse(buf, sizeof buf);
        return *out ? true : err_set(e, "oom", "out of memory");
    }
    case JWS_RS256:
    case JWS_RS384:
    case JWS_RS512:
    case JWS_PS256:
    case JWS_PS384:
    case JWS_PS512:
        if (bits <= 0) bits = 2048;
        if (bits < 1024 || bits > 8192)
            return err_set(e, "key.bits",
                           "RSA keys must be 1024..8192 bits (2048 or more for real use, RFC 7518 "
                           "§3.3); got %d",
                           bits);
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
        break;
    case JWS_ES256:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        break;
    case JWS_ES384:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
        break;
    case JWS_ES512:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
        break;
    case JWS_EDDSA:
    case JWS_ED25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    default:
        return err_set(e, "key.generate", "cannot generate a key for alg \"%s\"",
                       jws_alg_name(alg));
    }
    if (!pkey)
        return err_set(e, "key.generate", "key generation failed: %s",
                       jwk_ossl_reason(why, sizeof why));
    return jwk_from_pkey(pkey, true, out, e);
}

void jwk_free(jwk *k)
{
    if (!k) return;
    if (atomic_fetch_sub(&k->refs, 1) != 1) return;
    EVP_PKEY_free(k->pkey);
    if (k->secret) OPENSSL_clear_free(k->secret, k->secret_len ? k->secret_len : 1);
    for (int i = 0; i < 3; i++) EVP_MAC_CTX_free(k->hmac[i]);
    free(k->kid);
    free(k->alg);
    free(k->use);
    free(k);
}

jwk *jwk_ref(jwk *k)
{
    if (k) atomic_fetch_add(&k->refs, 1);
    return k;
}

jwk_kty jwk_type(const jwk *k)
{
    return k->kty;
}

const char *jwk_kty_name(jwk_kty kty)
{
    switch (kty) {
    case JWK_KTY_RSA:
        return "RSA";
    case JWK_KTY_EC:
        return "EC";
    case JWK_KTY_OKP:
        return "OKP";
    case JWK_KTY_OCT:
        return "oct";
    }
    return "?";
}

bool jwk_is_private(const jwk *k)
{
    return k->priv;
}

int jwk_bits(const jwk *k)
{
    return k->bits;
}

const char *jwk_curve(const jwk *k)
{
    return k->crv;
}

const char *jwk_kid(const jwk *k)
{
    return k->kid;
}

bool jwk_set_kid(jwk *k, const char *kid)
{
    char *d = NULL;
    if (kid && !(d = jwk_strdup(kid))) return false;
    free(k->kid);
    k->kid = d;
    return true;
}

const char *jwk_alg(const jwk *k)
{
    return k->alg;
}

bool jwk_set_alg(jwk *k, const char *alg)
{
    char *d = NULL;
    if (alg && !(d = jwk_strdup(alg))) return false;
    free(k->alg);
    k->alg = d;
    return true;
}

const uint8_t *jwk_secret(const jwk *k, size_t *len)
{
    if (k->kty != JWK_KTY_OCT) return NULL;
    if (len) *len = k->secret_len;
    return k->secret;
}

void *jwk_evp_pkey(const jwk *k)
{
    return k->pkey;
}

/* ---- what a key may do -------------------------------------------------------------------- */

static bool jwk_alg_fits_key(const jwk *k, jws_alg alg)
{
    switch (alg) {
    case JWS_HS256:
    case JWS_HS384:
    case JWS_HS512:
        return k->kty == JWK_KTY_OCT;
    case JWS_RS256:
    case JWS_RS384:
    case JWS_RS512:
    case JWS_PS256:
    case JWS_PS384:
    case JWS_PS512:
        return k->kty == JWK_KTY_RSA;
    case JWS_ES256:
        return k->kty == JWK_KTY_EC && strcmp(k->crv, "P-256") == 0;
    case JWS_ES384:
        return k->kty == JWK_KTY_EC && strcmp(k->crv, "P-384") == 0;
    case JWS_ES512:
        return k->kty == JWK_KTY_EC && strcmp(k->crv, "P-521") == 0;
    case JWS_EDDSA:
    case JWS_ED25519:
        return k->kty == JWK_KTY_OKP; /* Ed25519 is the only OKP curve a jwk holds */
    default:
        return false;
    }
}

static const jws_alg jwk_pref_order[] = {JWS_RS256, JWS_RS384, JWS_RS512, JWS_PS256, JWS_PS384,
                                         JWS_PS512, JWS_ES256, JWS_ES384, JWS_ES512, JWS_ED25519,
                                         JWS_EDDSA, JWS_HS256, JWS_HS384, JWS_HS512};

/* "RS256, RS384, ..." — what the key type and curve allow, ignoring the JWK "alg". */
static void jwk_fit_list(const jwk *k, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof jwk_pref_order / sizeof *jwk_pref_order && off < n; i++)
        if (jwk_alg_fits_key(k, jwk_pref_order[i]))
            off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "",
                                    jws_alg_name(jwk_pref_order[i]));
}

static void jwk_describe(const jwk *k, char *buf, size_t n)
{
    if (k->crv)
        snprintf(buf, n, "%s %s key", jwk_kty_name(k->kty), k->crv);
    else if (k->kty == JWK_KTY_OCT)
        snprintf(buf, n, "symmetric (oct) key");
    else
        snprintf(buf, n, "%s key", jwk_kty_name(k->kty));
}

/* A JWK "alg" names `alg`. "EdDSA" on an Ed25519 key and "Ed25519" are the same operation (RFC
 * 9864 §2.2; its key representation differs only in "alg"), so a key registered under either name
 * works with both: keys published before the rename keep verifying tokens minted after it. */
static bool jwk_alg_named(const char *jwk_alg, jws_alg alg)
{
    jws_alg named = jws_alg_from_name(jwk_alg);
    if (named == alg) return true;
    return (named == JWS_EDDSA || named == JWS_ED25519) && (alg == JWS_EDDSA || alg == JWS_ED25519);
}

bool jwk_allows(const jwk *k, jws_alg alg, bool for_sign, tl_err *e)
{
    const char *an = jws_alg_name(alg);
    if (alg == JWS_ALG_NONE)
        return err_set(e, "jws.alg_none",
                       "alg \"none\" means no signature at all; no key can %s it",
                       for_sign ? "sign" : "verify");
    if (alg <= JWS_ALG_UNKNOWN || alg >= JWS_ALG_COUNT)
        return err_set(e, "jws.alg_unknown", "unknown algorithm");
    if (!k) return err_set(e, "jws.alg_not_allowed", "no key given");
    char desc[64];
    jwk_describe(k, desc, sizeof desc);
    if (!jwk_alg_fits_key(k, alg)) {
        char fits[96];
        jwk_fit_list(k, fits, sizeof fits);
        if (k->kty == JWK_KTY_RSA && alg_is_hmac(alg))
            return err_set(e, "jws.alg_not_allowed",
                           "%s is an HMAC algorithm but the key is an RSA key: accepting it would "
                           "let anyone holding the public key forge tokens (the RS256-to-HS256 "
                           "key-confusion attack); this key only does RS* and PS*",
                           an);
        if (k->kty != JWK_KTY_OCT && alg_is_hmac(alg))
            return err_set(e, "jws.alg_not_allowed",
                           "%s is an HMAC algorithm but the key is an %s: a public key must never "
                           "be used as an HMAC secret (key-confusion attack); this key does %s",
                           an, desc, fits);
        return err_set(e, "jws.alg_not_allowed", "alg %s does not fit this %s (it does %s)", an,
                       desc, fits);
    }
    if (k->alg && !jwk_alg_named(k->alg, alg))
        return err_set(e, "jws.alg_not_allowed",
                       "the key's JWK \"alg\" is \"%s\", so it may not be used with %s (RFC 7517 "
                       "§4.4)",
                       k->alg, an);
    if (k->use && strcmp(k->use, "sig") != 0)
        return err_set(e, "jws.key_use",
                       "the key's JWK \"use\" is \"%s\", not \"sig\": it is not meant for "
                       "signatures (RFC 7517 §4.2)",
                       k->use);
    unsigned need = for_sign ? KEY_OP_SIGN : KEY_OP_VERIFY;
    if (k->has_key_ops && !(k->key_ops & need))
        return err_set(e, "jws.key_use",
                       "the key's JWK \"key_ops\" does not include \"%s\" (RFC 7517 §4.3)",
                       for_sign ? "sign" : "verify");
    if (for_sign && !k->priv)
        return err_set(e, "key.not_private", "this is a public %s: signing needs the private key",
                       desc);
    return true;
}

size_t jwk_algs(const jwk *k, jws_alg *out)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof jwk_pref_order / sizeof *jwk_pref_order; i++) {
        jws_alg a = jwk_pref_order[i];
        if (!jwk_alg_fits_key(k, a)) continue;
        if (k->alg && !jwk_alg_named(k->alg, a)) continue;
        out[n++] = a;
    }
    return n;
}

jws_alg jwk_default_alg(const jwk *k)
{
    if (k->alg) {
        jws_alg a = jws_alg_from_name(k->alg);
        if (a != JWS_ALG_UNKNOWN && jwk_alg_fits_key(k, a)) return a;
    }
    switch (k->kty) {
    case JWK_KTY_RSA:
        return JWS_RS256;
    case JWK_KTY_EC:
        return strcmp(k->crv, "P-256") == 0   ? JWS_ES256
               : strcmp(k->crv, "P-384") == 0 ? JWS_ES384
                                              : JWS_ES512;
    case JWK_KTY_OKP:
        return JWS_ED25519; /* RFC 9864: the fully-specified name */
    case JWK_KTY_OCT:
        return JWS_HS256;
    }
    return JWS_ALG_UNKNOWN;
}

/* ---- export ------------------------------------------------------------------------------- */

static bool jwk_put_bytes(json_t *o, const char *name, const uint8_t *b, size_t n)
{
    char *s = b64url_encode(b, n);
    if (!s) return false;
    json_object_set_new(o, name, json_string(s));
    free(s);
    return true;
}

/* Big-endian bytes of a BN param, left-padded to `pad` bytes (0: minimal). */
static bool jwk_put_bn(json_t *o, const char *name, const EVP_PKEY *pkey, const char *param,
                       size_t pad)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, param, &bn)) {
        ERR_clear_error();
        return false;
    }
    size_t n = (size_t)BN_num_bytes(bn);
    if (pad > n) n = pad;
    if (n == 0) n = 1;
    uint8_t *b = malloc(n);
    bool ok = b && BN_bn2binpad(bn, b, (int)n) == (int)n && jwk_put_bytes(o, name, b, n);
    if (b) OPENSSL_clear_free(b, n);
    BN_clear_free(bn);
    return ok;
}

static json_t *jwk_required_members(const jwk *k, bool include_private)
{
    json_t *o = json_object();
    if (!o) return NULL;
    bool ok = true;
    size_t flen = k->bits == 521 ? 66 : (size_t)k->bits / 8;
    switch (k->kty) {
    case JWK_KTY_RSA:
        /* RFC 7638 §3.2: lexicographic order e, kty, n. */
        ok = jwk_put_bn(o, "e", k->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        json_object_set_new(o, "kty", json_string("RSA"));
        ok = ok && jwk_put_bn(o, "n", k->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        if (ok && include_private && k->priv) {
            ok = jwk_put_bn(o, "d", k->pkey, OSSL_PKEY_PARAM_RSA_D, 0);
            /* CRT members are optional: a key imported from n/e/d alone has none. */
            if (ok && jwk_put_bn(o, "p", k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, 0)) {
                ok = jwk_put_bn(o, "q", k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, 0) &&
                     jwk_put_bn(o, "dp", k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0) &&
                     jwk_put_bn(o, "dq", k->pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0) &&
                     jwk_put_bn(o, "qi", k->pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
            }
        }
        break;
    case JWK_KTY_EC:
        json_object_set_new(o, "crv", json_string(k->crv));
        json_object_set_new(o, "kty", json_string("EC"));
        ok = jwk_put_bn(o, "x", k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, flen) &&
             jwk_put_bn(o, "y", k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, flen);
        if (ok && include_private && k->priv)
            ok = jwk_put_bn(o, "d", k->pkey, OSSL_PKEY_PARAM_PRIV_KEY, flen);
        break;
    case JWK_KTY_OKP: {
        uint8_t raw[32];
        size_t n = sizeof raw;
        json_object_set_new(o, "crv", json_string("Ed25519"));
        json_object_set_new(o, "kty", json_string("OKP"));
        ok = EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) && jwk_put_bytes(o, "x", raw, n);
        if (ok && include_private && k->priv) {
            n = sizeof raw;
            ok = EVP_PKEY_get_raw_private_key(k->pkey, raw, &n) && jwk_put_bytes(o, "d", raw, n);
            OPENSSL_cleanse(raw, sizeof raw);
        }
        break;
    }
    case JWK_KTY_OCT:
        ok = jwk_put_bytes(o, "k", k->secret, k->secret_len);
        json_object_set_new(o, "kty", json_string("oct"));
        break;
    }
    if (!ok) {
        json_decref(o);
        ERR_clear_error();
        return NULL;
    }
    return o;
}

json_t *jwk_to_json(const jwk *k, bool include_private)
{
    if (!k) return NULL;
    /* An oct key is nothing but its secret: "public" export still has to carry it. */
    json_t *o = jwk_required_members(k, include_private || k->kty == JWK_KTY_OCT);
    if (!o) return NULL;
    if (k->kid) json_object_set_new(o, "kid", json_string(k->kid));
    if (k->use) json_object_set_new(o, "use", json_string(k->use));
    if (k->alg) json_object_set_new(o, "alg", json_string(k->alg));
    if (k->has_key_ops) {
        json_t *ops = json_array();
        if (k->key_ops & KEY_OP_SIGN) json_array_append_new(ops, json_string("sign"));
        if (k->key_ops & KEY_OP_VERIFY) json_array_append_new(ops, json_string("verify"));
        json_object_set_new(o, "key_ops", ops);
    }
    return o;
}

char *jwk_to_pem(const jwk *k, bool include_private, tl_err *e)
{
    if (!k || k->kty == JWK_KTY_OCT) {
        err_set(e, "key.no_pem", "a symmetric (oct) key has no PEM form; export it as a JWK");
        return NULL;
    }
    if (include_private && !k->priv) {
        err_set(e, "key.not_private", "this is a public key; there is no private part to export");
        return NULL;
    }
    if (include_private && k->kty == JWK_KTY_RSA) {
        BIGNUM *p = NULL;
        bool crt = EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) == 1;
        BN_clear_free(p);
        ERR_clear_error();
        if (!crt) {
            err_set(e, "key.no_pem",
                    "this RSA private key has only n, e and d (no p, q, dp, dq, qi), which PKCS#8 "
                    "cannot hold; export it as a JWK");
            return NULL;
        }
    }
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) {
        err_set(e, "oom", "out of memory");
        return NULL;
    }
    int ok = include_private ? PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)
                             : PEM_write_bio_PUBKEY(bio, k->pkey);
    char *out = NULL;
    if (ok) {
        char *data;
        long n = BIO_get_mem_data(bio, &data);
        out = malloc((size_t)n + 1);
        if (out) {
            memcpy(out, data, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(bio);
    if (!out) {
        char why[160];
        err_set(e, "key.pem", "cannot write PEM: %s", jwk_ossl_reason(why, sizeof why));
    }
    return out;
}

char *jwk_thumbprint(const jwk *k, tl_err *e)
{
    /* RFC 7638 §3: SHA-256 over the required members only, sorted, no whitespace. */
    json_t *o = k ? jwk_required_members(k, false) : NULL;
    if (k && k->kty == JWK_KTY_OCT) {
        json_decref(o);
        o = jwk_required_members(k, true);
    }
    if (!o) {
        err_set(e, "key.thumbprint", "cannot export the key's members");
        return NULL;
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s) {
        err_set(e, "oom", "out of memory");
        return NULL;
    }
    uint8_t md[32];
    unsigned mdlen = 0;
    int ok = EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL);
    free(s);
    if (!ok) {
        err_set(e, "key.thumbprint", "SHA-256 failed");
        return NULL;
    }
    return b64url_encode(md, mdlen);
}

/* ---- JWKS --------------------------------------------------------------------------------- */

jwks *jwks_new(void)
{
    return calloc(1, sizeof(jwks));
}

bool jwks_add(jwks *set, jwk *k)
{
    if (!set || !k) return false;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 4;
        jwk **keys = realloc(set->keys, cap * sizeof *keys);
        if (!keys) return false;
        set->keys = keys;
        set->cap = cap;
    }
    set->keys[set->n++] = jwk_ref(k);
    return true;
}

static void jwks_skip(jwks *set, size_t i, const tl_err *why)
{
    char **s = realloc(set->skipped, (set->nskipped + 1) * sizeof *s);
    if (!s) return;
    set->skipped = s;
    char buf[TL_ERR_MSG_MAX + 32];
    snprintf(buf, sizeof buf, "keys[%zu]: %s", i, why->msg);
    s[set->nskipped] = jwk_strdup(buf);
    if (s[set->nskipped]) set->nskipped++;
}

bool jwks_from_json(const json_t *obj, jwks **out, tl_err *e)
{
    *out = NULL;
    json_t *keys = json_is_object(obj) ? json_object_get(obj, "keys") : NULL;
    if (!json_is_array(keys))
        return err_set(e, "jwks.invalid",
                       "a JWKS is an object with a \"keys\" array (RFC 7517 §5)");
    jwks *set = jwks_new();
    if (!set) return err_set(e, "oom", "out of memory");
    size_t i;
    json_t *v;
    json_array_foreach(keys, i, v)
    {
        jwk *k;
        tl_err why = {0};
        if (!jwk_from_json(v, &k, &why)) {
            /* RFC 7517 §5: members that cannot be used are ignored, not fatal. */
            jwks_skip(set, i, &why);
            continue;
        }
        jwks_add(set, k);
        jwk_free(k);
    }
    *out = set;
    return true;
}

bool jwks_parse(const char *text, size_t len, jwks **out, tl_err *e)
{
    *out = NULL;
    json_t *j = jsonx_parse(text, len, true, e);
    if (!j) return err_prefix(e, "JWKS is not valid JSON: ");
    bool ok = jwks_from_json(j, out, e);
    json_decref(j);
    return ok;
}

size_t jwks_count(const jwks *set)
{
    return set ? set->n : 0;
}

const jwk *jwks_get(const jwks *set, size_t i)
{
    return set && i < set->n ? set->keys[i] : NULL;
}

const jwk *jwks_find_kid(const jwks *set, const char *kid)
{
    if (!set || !kid) return NULL;
    for (size_t i = 0; i < set->n; i++)
        if (set->keys[i]->kid && strcmp(set->keys[i]->kid, kid) == 0) return set->keys[i];
    return NULL;
}

size_t jwks_skipped_count(const jwks *set)
{
    return set ? set->nskipped : 0;
}

const char *jwks_skipped(const jwks *set, size_t i)
{
    return set && i < set->nskipped ? set->skipped[i] : NULL;
}

json_t *jwks_to_json(const jwks *set)
{
    json_t *arr = json_array();
    for (size_t i = 0; set && i < set->n; i++) {
        /* Public members only: a JWKS is published. Symmetric keys are never published. */
        if (set->keys[i]->kty == JWK_KTY_OCT) continue;
        json_t *k = jwk_to_json(set->keys[i], false);
        if (k) json_array_append_new(arr, k);
    }
    json_t *o = json_object();
    json_object_set_new(o, "keys", arr);
    return o;
}

void jwks_free(jwks *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) jwk_free(set->keys[i]);
    for (size_t i = 0; i < set->nskipped; i++) free(set->skipped[i]);
    free(set->keys);
    free(set->skipped);
    free(set);
}
