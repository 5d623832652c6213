/* SPDX-License-Identifier: MIT */
/* spki — SubjectPublicKeyInfo read directly for RSA, EC P-256/384/521 and Ed25519 (see spki.h).
 *
 *   SubjectPublicKeyInfo ::= SEQUENCE {                      RFC 5280 §4.1.2.7
 *       algorithm         AlgorithmIdentifier,               SEQUENCE { OID, parameters }
 *       subjectPublicKey  BIT STRING }
 *
 * This reader is deliberately narrow: it accepts only minimal DER (X.690 §10) in the exact shapes
 * below and defers everything else to OpenSSL's decoder, so it can never accept a key OpenSSL
 * would read differently. */
#include "jose/spki.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <stdbool.h>
#include <string.h>

#include "jose/jwk_internal.h"

enum {
    DER_INTEGER = 0x02,
    DER_BIT_STRING = 0x03,
    DER_NULL = 0x05,
    DER_OID = 0x06,
    DER_SEQUENCE = 0x30
};

/* A cursor over DER bytes. */
typedef struct {
    const uint8_t *p, *end;
} der;

/* Reads one element with tag `tag` (X.690 §8.1): its contents in *c, *clen; advances. Definite,
 * minimal lengths up to 65535 only (a 16384-bit RSA SPKI is ~2 KiB). */
static bool der_take(der *d, uint8_t tag, const uint8_t **c, size_t *clen)
{
    if (d->end - d->p < 2 || d->p[0] != tag) return false;
    const uint8_t *q = d->p + 1;
    size_t n = *q++;
    if (n == 0x81) {
        if (d->end - q < 1 || q[0] < 0x80) return false; /* minimal: short form would do */
        n = q[0];
        q += 1;
    } else if (n == 0x82) {
        if (d->end - q < 2 || q[0] == 0) return false; /* minimal: one length byte would do */
        n = (size_t)q[0] << 8 | q[1];
        q += 2;
    } else if (n >= 0x80) {
        return false; /* indefinite or longer lengths: not in a key we read here */
    }
    if ((size_t)(d->end - q) < n) return false;
    *c = q;
    *clen = n;
    d->p = q + n;
    return true;
}

static bool der_is(const uint8_t *c, size_t n, const uint8_t *want, size_t wn)
{
    return n == wn && memcmp(c, want, n) == 0;
}

/* A positive INTEGER's magnitude (X.690 §8.3: two's complement, minimal). */
static bool der_uint(der *d, const uint8_t **c, size_t *n)
{
    if (!der_take(d, DER_INTEGER, c, n) || *n == 0 || ((*c)[0] & 0x80)) return false;
    if ((*c)[0] == 0) {
        if (*n == 1 || !((*c)[1] & 0x80)) return false; /* zero, or a non-minimal leading 00 */
        ++*c;
        --*n;
    }
    return true;
}

/* OID contents (X.690 §8.19). */
static const uint8_t oid_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t oid_ec[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t oid_ed25519[] = {0x2b, 0x65, 0x70};
static const uint8_t oid_p256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_p521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }   RFC 3279 §2.3.1 */
static EVP_PKEY *spki_rsa(const uint8_t *key, size_t len)
{
    der d = {key, key + len}, seq;
    const uint8_t *c, *n, *e;
    size_t clen, nl, el;
    if (!der_take(&d, DER_SEQUENCE, &c, &clen) || d.p != d.end) return NULL;
    seq = (der){c, c + clen};
    if (!der_uint(&seq, &n, &nl) || !der_uint(&seq, &e, &el) || seq.p != seq.end) return NULL;
    BIGNUM *bn = BN_bin2bn(n, (int)nl, NULL), *be = BN_bin2bn(e, (int)el, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bn && be && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
        pkey = jwk_fromdata("RSA", bld, false, NULL);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return pkey;
}

/* ECPoint, uncompressed (SEC 1 §2.3.3: 04 || X || Y) on a named curve   RFC 5480 §2.2 */
static EVP_PKEY *spki_ec(const char *group, size_t flen, const uint8_t *key, size_t len)
{
    if (len != 1 + 2 * flen || key[0] != 0x04) return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *pkey = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, key, len))
        pkey = jwk_fromdata("EC", bld, false, NULL);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

static EVP_PKEY *spki_parse(const uint8_t *in, size_t inlen)
{
    der top = {in, in + inlen}, spki, alg;
    const uint8_t *c, *oid, *bits, *param = NULL;
    size_t clen, oidlen, bitslen, paramlen = 0;
    if (!der_take(&top, DER_SEQUENCE, &c, &clen) || top.p != top.end) return NULL;
    spki = (der){c, c + clen};
    if (!der_take(&spki, DER_SEQUENCE, &c, &clen)) return NULL;
    alg = (der){c, c + clen};
    if (!der_take(&alg, DER_OID, &oid, &oidlen)) return NULL;
    /* AlgorithmIdentifier parameters: absent, NULL, or an OID (the named curve). */
    uint8_t ptag = alg.p != alg.end ? alg.p[0] : 0;
    if (ptag &&
        ((ptag != DER_NULL && ptag != DER_OID) || !der_take(&alg, ptag, &param, &paramlen) ||
         alg.p != alg.end || (ptag == DER_NULL && paramlen != 0)))
        return NULL;
    /* The key bits, a whole number of bytes: the BIT STRING's first byte (unused bits) is 0. */
    if (!der_take(&spki, DER_BIT_STRING, &bits, &bitslen) || spki.p != spki.end || bitslen < 2 ||
        bits[0] != 0)
        return NULL;
    bits++, bitslen--;

    if (der_is(oid, oidlen, oid_rsa, sizeof oid_rsa)) /* RFC 3279 §2.3.1: parameters NULL */
        return ptag == DER_NULL ? spki_rsa(bits, bitslen) : NULL;
    if (der_is(oid, oidlen, oid_ed25519, sizeof oid_ed25519)) /* RFC 8410 §3: absent */
        return ptag == 0 && bitslen == 32
                   ? EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, bits, bitslen)
                   : NULL;
    if (der_is(oid, oidlen, oid_ec, sizeof oid_ec) && ptag == DER_OID) { /* RFC 5480 §2.1.1 */
        if (der_is(param, paramlen, oid_p256, sizeof oid_p256))
            return spki_ec("prime256v1", 32, bits, bitslen);
        if (der_is(param, paramlen, oid_p384, sizeof oid_p384))
            return spki_ec("secp384r1", 48, bits, bitslen);
        if (der_is(param, paramlen, oid_p521, sizeof oid_p521))
            return spki_ec("secp521r1", 66, bits, bitslen);
    }
    return NULL;
}

EVP_PKEY *spki_read(const uint8_t *in, size_t len)
{
    EVP_PKEY *pkey = spki_parse(in, len);
    ERR_clear_error();
    return pkey;
}
