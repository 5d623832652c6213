/* SPDX-License-Identifier: MIT */
/* JWS compact serialization (RFC 7515 §3.1, §5, §7.1) and the signature algorithms of RFC 7518 §3
 * and RFC 8037 §3.1, over OpenSSL 3 EVP. */
#include "jose/jws.h"

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jose/alg.h"
#include "jose/b64url.h"
#include "jose/jsonx.h"
#include "jose/jwk.h"
#include "jose/jwk_internal.h"

static const char *const jws_alg_names[JWS_ALG_COUNT] = {
    [JWS_ALG_UNKNOWN] = "unknown", [JWS_ALG_NONE] = "none", [JWS_HS256] = "HS256",
    [JWS_HS384] = "HS384",         [JWS_HS512] = "HS512",   [JWS_RS256] = "RS256",
    [JWS_RS384] = "RS384",         [JWS_RS512] = "RS512",   [JWS_PS256] = "PS256",
    [JWS_PS384] = "PS384",         [JWS_PS512] = "PS512",   [JWS_ES256] = "ES256",
    [JWS_ES384] = "ES384",         [JWS_ES512] = "ES512",   [JWS_EDDSA] = "EdDSA",
    [JWS_ED25519] = "Ed25519",
};

const char *jws_alg_name(jws_alg alg)
{
    if (alg < 0 || alg >= JWS_ALG_COUNT) return "unknown";
    return jws_alg_names[alg];
}

jws_alg jws_alg_from_name(const char *name)
{
    if (!name) return JWS_ALG_UNKNOWN;
    /* RFC 7515 §4.1.1: "alg" values are case-sensitive, so "None" is not "none". */
    for (int a = JWS_ALG_NONE; a < JWS_ALG_COUNT; a++)
        if (strcmp(name, jws_alg_names[a]) == 0) return (jws_alg)a;
    return JWS_ALG_UNKNOWN;
}

bool jws_alg_name_is_none(const char *name)
{
    return name && strcasecmp(name, "none") == 0;
}

/* ---- algorithm properties ----------------------------------------------------------------- */

typedef enum { FAM_NONE, FAM_HS, FAM_RS, FAM_PS, FAM_ES, FAM_ED } jws_family;

static jws_family jws_alg_family(jws_alg alg)
{
    switch (alg) {
    case JWS_HS256:
    case JWS_HS384:
    case JWS_HS512:
        return FAM_HS;
    case JWS_RS256:
    case JWS_RS384:
    case JWS_RS512:
        return FAM_RS;
    case JWS_PS256:
    case JWS_PS384:
    case JWS_PS512:
        return FAM_PS;
    case JWS_ES256:
    case JWS_ES384:
    case JWS_ES512:
        return FAM_ES;
    case JWS_EDDSA:
    case JWS_ED25519:
        return FAM_ED;
    default:
        return FAM_NONE;
    }
}

/* 0 = SHA-256, 1 = SHA-384, 2 = SHA-512: the jwk HMAC template index. */
static int jws_hash_index(jws_alg alg)
{
    size_t n = alg_hash_len(alg);
    return n == 32 ? 0 : n == 48 ? 1 : 2;
}

/* ECDSA: size of R and of S in the JOSE signature, RFC 7518 §3.4. */
static size_t jws_ec_half(jws_alg alg)
{
    return alg == JWS_ES256 ? 32 : alg == JWS_ES384 ? 48 : 66;
}

static void jws_drain_ossl(void)
{
    ERR_clear_error();
}

/* ---- raw sign / verify -------------------------------------------------------------------- */

static bool jws_hmac(jws_alg alg, const jwk *key, const uint8_t *in, size_t len, uint8_t *out,
                     size_t *outlen, tl_err *e)
{
    EVP_MAC_CTX *tmpl = jwk_hmac_template(key, jws_hash_index(alg));
    if (!tmpl)
        return err_set(e, "key.unsupported",
                       "OpenSSL cannot use this HMAC key (an empty secret is refused)");
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(tmpl);
    bool ok = ctx && EVP_MAC_update(ctx, in, len) && EVP_MAC_final(ctx, out, outlen, 64);
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        jws_drain_ossl();
        return err_set(e, "jws.crypto", "HMAC computation failed");
    }
    return true;
}

/* Sets up a DigestSign/DigestVerify context with the padding the alg requires. */
static bool jws_md_init(EVP_MD_CTX *mctx, jws_alg alg, const jwk *key, bool sign)
{
    jws_family fam = jws_alg_family(alg);
    const char *md = fam == FAM_ED ? NULL : alg_hash_name(alg);
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *pkey = jwk_evp_pkey(key);
    int r = sign ? EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, pkey, NULL)
                 : EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, pkey, NULL);
    if (r <= 0) return false;
    if (fam == FAM_PS) {
        /* RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output. */
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)
            return false;
    }
    /* RS*: PKCS#1 v1.5 is OpenSSL's default for an RSA key (RSA-PSS-only keys are refused on
     * load), so no extra call on the hot path. */
    return true;
}

bool jws_sign_raw(jws_alg alg, const struct jwk *key, const uint8_t *input, size_t len,
                  uint8_t **sig, size_t *sig_len, tl_err *e)
{
    *sig = NULL;
    *sig_len = 0;
    if (!jwk_allows(key, alg, true, e)) return false;
    jws_family fam = jws_alg_family(alg);
    if (fam == FAM_HS) {
        uint8_t *out = malloc(64);
        size_t n = 0;
        if (!out) return err_set(e, "oom", "out of memory");
        if (!jws_hmac(alg, key, input, len, out, &n, e)) {
            free(out);
            return false;
        }
        *sig = out;
        *sig_len = n;
        return true;
    }
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    uint8_t *der = NULL;
    size_t dlen = 0;
    bool ok = mctx && jws_md_init(mctx, alg, key, true) &&
              EVP_DigestSign(mctx, NULL, &dlen, input, len) > 0 && (der = malloc(dlen)) &&
              EVP_DigestSign(mctx, der, &dlen, input, len) > 0;
    EVP_MD_CTX_free(mctx);
    if (!ok) {
        free(der);
        jws_drain_ossl();
        return err_set(e, "jws.crypto", "OpenSSL could not sign with this %s key",
                       jwk_kty_name(jwk_type(key)));
    }
    if (fam != FAM_ES) {
        *sig = der;
        *sig_len = dlen;
        return true;
    }
    /* RFC 7518 §3.4: JOSE carries R || S, each left-padded to the curve size, not DER. */
    size_t half = jws_ec_half(alg);
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
    free(der);
    uint8_t *raw = malloc(2 * half);
    const BIGNUM *r = NULL, *s = NULL;
    if (es) ECDSA_SIG_get0(es, &r, &s);
    ok = es && raw && BN_bn2binpad(r, raw, (int)half) == (int)half &&
         BN_bn2binpad(s, raw + half, (int)half) == (int)half;
    ECDSA_SIG_free(es);
    if (!ok) {
        free(raw);
        jws_drain_ossl();
        return err_set(e, "jws.crypto", "cannot convert the ECDSA signature to R||S");
    }
    *sig = raw;
    *sig_len = 2 * half;
    return true;
}

static bool jws_mismatch(tl_err *e)
{
    return err_set(e, "jws.sig_mismatch",
                   "signature does not match: the payload was changed after signing, or the key "
                   "is wrong");
}

static bool jws_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

/* R||S -> DER for OpenSSL. NULL when the halves cannot be turned into an ECDSA_SIG. */
static uint8_t *jws_ec_raw_to_der(const uint8_t *sig, size_t half, size_t *dlen)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)half, NULL), *s = BN_bin2bn(sig + half, (int)half, NULL);
    uint8_t *der = NULL;
    if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL; /* owned by es now */
        int n = i2d_ECDSA_SIG(es, &der);
        if (n <= 0)
            der = NULL;
        else
            *dlen = (size_t)n;
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return der;
}

bool jws_verify_raw(jws_alg alg, const struct jwk *key, const uint8_t *input, size_t len,
                    const uint8_t *sig, size_t sig_len, tl_err *e)
{
    if (!jwk_allows(key, alg, false, e)) return false;
    jws_family fam = jws_alg_family(alg);
    const char *an = jws_alg_name(alg);
    if (fam == FAM_HS) {
        uint8_t mac[64];
        size_t n = 0;
        if (!jws_hmac(alg, key, input, len, mac, &n, e)) return false;
        if (sig_len != n)
            return err_set(e, "jws.sig_length", "%s signatures are %zu bytes; this one has %zu", an,
                           n, sig_len);
        /* Constant time: a byte-by-byte early exit leaks how much of a forgery is right. */
        bool same = CRYPTO_memcmp(mac, sig, n) == 0;
        OPENSSL_cleanse(mac, sizeof mac);
        return same ? true : jws_mismatch(e);
    }
    const uint8_t *vsig = sig;
    size_t vlen = sig_len;
    uint8_t *der = NULL;
    if (fam == FAM_ES) {
        size_t half = jws_ec_half(alg);
        if (sig_len != 2 * half)
            return err_set(e, "jws.sig_length",
                           "%s signatures are %zu bytes (R||S, %zu each, RFC 7518 §3.4); this one "
                           "has %zu%s",
                           an, 2 * half, half, sig_len,
                           sig_len > 6 && sig[0] == 0x30 ? " and looks DER-encoded" : "");
        /* r = 0 or s = 0 is never a valid ECDSA signature; verifiers that forgot this accepted
         * an all-zero signature for any message ("psychic signatures", CVE-2022-21449). */
        if (jws_all_zero(sig, half) || jws_all_zero(sig + half, half))
            return err_set(e, "jws.sig_mismatch",
                           "the ECDSA signature has R = 0 or S = 0, which is never valid (the "
                           "\"psychic signatures\" forgery, CVE-2022-21449)");
        der = jws_ec_raw_to_der(sig, half, &vlen);
        if (!der) {
            jws_drain_ossl();
            return err_set(e, "jws.crypto", "cannot convert R||S for OpenSSL");
        }
        vsig = der;
    } else if (fam == FAM_ED) {
        if (sig_len != 64)
            return err_set(e, "jws.sig_length", "Ed25519 signatures are 64 bytes; this one has %zu",
                           sig_len);
    } else {
        size_t want = (size_t)EVP_PKEY_get_size(jwk_evp_pkey(key));
        if (sig_len != want)
            return err_set(e, "jws.sig_length",
                           "%s signatures with this %d-bit key are %zu bytes; this one has %zu", an,
                           jwk_bits(key), want, sig_len);
    }
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    bool ok = mctx && jws_md_init(mctx, alg, key, false);
    int r = ok ? EVP_DigestVerify(mctx, vsig, vlen, input, len) : -1;
    EVP_MD_CTX_free(mctx);
    OPENSSL_free(der);
    jws_drain_ossl();
    if (!ok) return err_set(e, "jws.crypto", "OpenSSL could not set up verification");
    return r == 1 ? true : jws_mismatch(e);
}

/* ---- parse -------------------------------------------------------------------------------- */

void jws_free(jws *t)
{
    if (!t) return;
    free(t->compact);
    json_decref(t->header);
    free(t->alg_name);
    free(t->payload);
    json_decref(t->claims);
    free(t->sig);
    free(t);
}

static bool jws_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *const jws_seg_names[5] = {"header", "payload", "signature", "", ""};

static bool jws_decode_seg(const jws_span *s, int idx, const char *code, uint8_t **out,
                           size_t *outlen, tl_err *e)
{
    if (!b64url_decode(s->p, s->n, out, outlen, e)) {
        if (e) e->code = code;
        return err_prefix(e, "segment %d (%s) is not valid base64url: ", idx + 1,
                          jws_seg_names[idx]);
    }
    return true;
}

/* RFC 7516 §7.1: a JWE's other four segments are base64url too; the IV and the authentication
 * tag are never empty (the encrypted key is, with "dir"; the ciphertext may be). Without this,
 * any five dot-separated strings with a JSON header showed as a JWE. */
static bool jwe_segments_ok(const jws *t, tl_err *e)
{
    static const char *const names[5] = {"", "encrypted key", "initialization vector", "ciphertext",
                                         "authentication tag"};
    for (int i = 1; i < 5; i++) {
        uint8_t *b = NULL;
        size_t bl = 0;
        if (!b64url_decode(t->seg[i].p, t->seg[i].n, &b, &bl, e)) {
            if (e) e->code = "jwe.segment_b64";
            return err_prefix(e, "JWE segment %d (%s) is not valid base64url: ", i + 1, names[i]);
        }
        free(b);
        if (bl == 0 && (i == 2 || i == 4))
            return err_set(e, "jwe.segment_empty",
                           "JWE segment %d (%s) is empty; every JWE has one (RFC 7516 §7.1)", i + 1,
                           names[i]);
    }
    return true;
}

bool jws_parse(const char *token, size_t len, jws **out, tl_err *e)
{
    *out = NULL;
    if (!token) return err_set(e, "jws.empty", "no token given");
    while (len && jws_is_space(*token)) token++, len--;
    while (len && jws_is_space(token[len - 1])) len--;
    if (len == 0) return err_set(e, "jws.empty", "the token is empty");
    if (len > JWS_MAX_TOKEN)
        return err_set(e, "jws.too_big", "the token is %zu bytes; tokenlab reads at most %u", len,
                       JWS_MAX_TOKEN);
    size_t dots = 0;
    for (size_t i = 0; i < len; i++) dots += token[i] == '.';
    size_t nsegs = dots + 1;
    if (nsegs != 3 && nsegs != 5) {
        const char *hint = nsegs < 3
                               ? " (an unsigned token still ends with '.', as in header.payload.)"
                               : " (a JWS has 3 segments, a JWE has 5)";
        return err_set(e, "jws.segments",
                       "expected 3 segments (header.payload.signature) separated by '.', found "
                       "%zu%s",
                       nsegs, hint);
    }
    jws *t = calloc(1, sizeof *t);
    if (!t) return err_set(e, "oom", "out of memory");
    t->compact = malloc(len + 1);
    if (!t->compact) {
        free(t);
        return err_set(e, "oom", "out of memory");
    }
    memcpy(t->compact, token, len);
    t->compact[len] = '\0';
    t->nsegs = nsegs;
    const char *p = t->compact;
    for (size_t i = 0; i < nsegs; i++) {
        const char *dot = memchr(p, '.', (size_t)(t->compact + len - p));
        size_t n = dot ? (size_t)(dot - p) : (size_t)(t->compact + len - p);
        t->seg[i].p = p;
        t->seg[i].n = n;
        p += n + 1;
    }
    t->is_jwe = nsegs == 5;

    uint8_t *hb = NULL;
    size_t hl = 0;
    if (t->seg[0].n == 0) {
        jws_free(t);
        return err_set(e, "jws.header_b64", "segment 1 (header) is empty");
    }
    if (!jws_decode_seg(&t->seg[0], 0, "jws.header_b64", &hb, &hl, e)) {
        jws_free(t);
        return false;
    }
    t->header = jsonx_parse((const char *)hb, hl, true, e);
    free(hb);
    if (!t->header) {
        jws_free(t);
        if (e) e->code = "jws.header_json";
        return err_prefix(e, "segment 1 (header) is not a JSON object: ");
    }
    /* Without a string "alg" this is no valid JWS (RFC 7515 §4.1.1), but it still decodes, so a
     * learner can see it: alg_name stays NULL and verification refuses it (jws_precheck). */
    json_t *alg = json_object_get(t->header, "alg");
    t->alg_name = json_is_string(alg) ? strdup(json_string_value(alg)) : NULL;
    t->alg = t->alg_name ? jws_alg_from_name(t->alg_name) : JWS_ALG_UNKNOWN;
    /* A JWE's alg is a key-management alg (RSA-OAEP, dir, ...), never a JWS one. */
    if (t->is_jwe) t->alg = JWS_ALG_UNKNOWN;
    t->kid = json_string_value(json_object_get(t->header, "kid"));
    t->typ = json_string_value(json_object_get(t->header, "typ"));
    if (t->is_jwe && !jwe_segments_ok(t, e)) {
        jws_free(t);
        return false;
    }
    if (t->is_jwe) {
        err_set(&t->claims_err, "jwe.encrypted",
                "this is a JWE (5 segments): the payload is encrypted and cannot be read "
                "without the recipient's key");
        *out = t;
        return true;
    }
    if (!jws_decode_seg(&t->seg[1], 1, "jws.payload_b64", &t->payload, &t->payload_len, e) ||
        !jws_decode_seg(&t->seg[2], 2, "jws.signature_b64", &t->sig, &t->sig_len, e)) {
        jws_free(t);
        return false;
    }
    t->claims = jsonx_parse((const char *)t->payload, t->payload_len, true, &t->claims_err);
    if (!t->claims) err_prefix(&t->claims_err, "the payload is not a JSON object: ");
    *out = t;
    return true;
}

char *jws_signing_input(const jws *t)
{
    if (!t || t->is_jwe || t->nsegs != 3) return NULL;
    /* RFC 7515 §5.1 step 6: ASCII(BASE64URL(header) || '.' || BASE64URL(payload)) — the raw
     * segments exactly as received, never re-encoded. */
    size_t n = t->seg[0].n + 1 + t->seg[1].n;
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, t->seg[0].p, t->seg[0].n);
    s[t->seg[0].n] = '.';
    memcpy(s + t->seg[0].n + 1, t->seg[1].p, t->seg[1].n);
    s[n] = '\0';
    return s;
}

/* ---- sign --------------------------------------------------------------------------------- */

bool jws_sign(const json_t *header, const uint8_t *payload, size_t payload_len, jws_alg alg,
              const struct jwk *key, bool allow_none, char **token_out, tl_err *e)
{
    *token_out = NULL;
    if (header && !json_is_object(header))
        return err_set(e, "jws.header_json", "the header must be a JSON object");
    if (alg == JWS_ALG_NONE) {
        if (!allow_none)
            return err_set(e, "jws.alg_none",
                           "refusing to create an unsigned token (alg \"none\") without an "
                           "explicit request");
    } else if (!jwk_allows(key, alg, true, e)) {
        return false;
    }
    /* "alg" first (kept in place if the caller already put it somewhere), then the caller's
     * members in their order, then the key's kid when the header names none. */
    json_t *h = json_object();
    if (!h) return err_set(e, "oom", "out of memory");
    if (!header || !json_object_get(header, "alg"))
        json_object_set_new(h, "alg", json_string(jws_alg_name(alg)));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)header, k, v)
    {
        if (strcmp(k, "alg") == 0)
            json_object_set_new(h, "alg", json_string(jws_alg_name(alg)));
        else
            json_object_set(h, k, v);
    }
    if (key && jwk_kid(key) && !json_object_get(h, "kid") && alg != JWS_ALG_NONE)
        json_object_set_new(h, "kid", json_string(jwk_kid(key)));
    char *hjson = jsonx_compact(h);
    json_decref(h);
    char *h64 = hjson ? b64url_encode((const uint8_t *)hjson, strlen(hjson)) : NULL;
    free(hjson);
    char *p64 = b64url_encode(payload ? payload : (const uint8_t *)"", payload_len);
    char *input = NULL;
    bool ok = h64 && p64;
    size_t ilen = 0;
    if (ok) {
        ilen = strlen(h64) + 1 + strlen(p64);
        input = malloc(ilen + 1);
        ok = input != NULL;
        if (ok) snprintf(input, ilen + 1, "%s.%s", h64, p64);
    }
    free(h64);
    free(p64);
    if (!ok) {
        free(input);
        return err_set(e, "oom", "out of memory");
    }
    uint8_t *sig = NULL;
    size_t sl = 0;
    if (alg != JWS_ALG_NONE &&
        !jws_sign_raw(alg, key, (const uint8_t *)input, ilen, &sig, &sl, e)) {
        free(input);
        return false;
    }
    char *s64 = b64url_encode(sig ? sig : (const uint8_t *)"", sl);
    free(sig);
    char *tok = s64 ? malloc(ilen + 2 + strlen(s64)) : NULL;
    if (tok) sprintf(tok, "%s.%s", input, s64);
    free(input);
    free(s64);
    if (!tok) return err_set(e, "oom", "out of memory");
    *token_out = tok;
    return true;
}

/* ---- verify ------------------------------------------------------------------------------- */

/* Everything about the token itself that rules it out before any key is tried. */
static bool jws_precheck(const jws *t, tl_err *e)
{
    if (!t) return err_set(e, "jws.empty", "no token");
    if (t->is_jwe)
        return err_set(e, "jws.is_jwe",
                       "this is an encrypted token (JWE, 5 segments); it has no signature to "
                       "verify, it must be decrypted");
    if (!t->alg_name)
        return err_set(e, "jws.alg_missing",
                       json_object_get(t->header, "alg")
                           ? "the header's \"alg\" must be a string (RFC 7515 §4.1.1)"
                           : "the header has no \"alg\" (RFC 7515 §4.1.1 requires it)");
    if (jws_alg_name_is_none(t->alg_name))
        return err_set(e, "jws.alg_none",
                       "alg \"%s\" means the token is unsigned: anyone could have written it, so "
                       "it is never accepted (RFC 7518 §3.6, RFC 8725 §3.1)",
                       t->alg_name);
    if (t->alg == JWS_ALG_UNKNOWN)
        return err_set(
            e, "jws.alg_unknown",
            "alg \"%s\" is not a signature algorithm tokenlab knows (HS*, RS*, PS*, ES*, "
            "Ed25519, EdDSA; names are case-sensitive)",
            t->alg_name);
    json_t *crit = json_object_get(t->header, "crit");
    if (crit) {
        /* RFC 7515 §4.1.11: a recipient that does not understand a listed extension must reject
         * the token. tokenlab implements none (not even RFC 7797 "b64"). */
        const char *first = json_string_value(json_array_get(crit, 0));
        return err_set(e, "jws.crit",
                       "the header marks \"%s\" as critical (\"crit\", RFC 7515 §4.1.11) and "
                       "tokenlab does not implement it, so it must reject the token",
                       first ? first : "?");
    }
    return true;
}

static bool jws_in_allowed(jws_alg alg, const jws_alg *allowed, size_t nallowed)
{
    if (nallowed == 0) return true;
    for (size_t i = 0; i < nallowed; i++)
        if (allowed[i] == alg) return true;
    return false;
}

static bool jws_verify_with(const jws *t, const jwk *key, tl_err *e)
{
    if (!jwk_allows(key, t->alg, false, e)) return false;
    char *input = jws_signing_input(t);
    if (!input) return err_set(e, "oom", "out of memory");
    bool ok = jws_verify_raw(t->alg, key, (const uint8_t *)input, t->seg[0].n + 1 + t->seg[1].n,
                             t->sig, t->sig_len, e);
    free(input);
    return ok;
}

static bool jws_not_in_list(const jws *t, const jws_alg *allowed, size_t nallowed, tl_err *e)
{
    char list[256] = "";
    size_t off = 0;
    for (size_t i = 0; i < nallowed && off < sizeof list; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                jws_alg_name(allowed[i]));
    return err_set(e, "jws.alg_not_allowed", "alg %s is not among the allowed algorithms (%s)",
                   t->alg_name, list);
}

bool jws_verify(const jws *t, const struct jwk *key, const jws_alg *allowed, size_t nallowed,
                tl_err *e)
{
    if (!jws_precheck(t, e)) return false;
    if (!jws_in_allowed(t->alg, allowed, nallowed)) return jws_not_in_list(t, allowed, nallowed, e);
    return jws_verify_with(t, key, e);
}

bool jws_verify_jwks(const jws *t, const struct jwks *set, const jws_alg *allowed, size_t nallowed,
                     const char **used_kid, tl_err *e)
{
    if (used_kid) *used_kid = NULL;
    if (!jws_precheck(t, e)) return false;
    if (!jws_in_allowed(t->alg, allowed, nallowed)) return jws_not_in_list(t, allowed, nallowed, e);
    size_t n = jwks_count(set), tried = 0;
    tl_err last = {0};
    for (size_t i = 0; i < n; i++) {
        const jwk *k = jwks_get(set, i);
        if (t->kid) {
            /* RFC 7515 §4.1.4: the kid names the key; another key is never tried instead. */
            if (!jwk_kid(k) || strcmp(jwk_kid(k), t->kid) != 0) continue;
        } else if (!jwk_allows(k, t->alg, false, NULL)) {
            continue;
        }
        tried++;
        if (jws_verify_with(t, k, &last)) {
            if (used_kid) *used_kid = jwk_kid(k);
            return true;
        }
    }
    if (tried == 0) {
        if (t->kid)
            return err_set(e, "jwks.no_key", "the JWKS (%zu key%s) has no key with kid \"%s\"", n,
                           n == 1 ? "" : "s", t->kid);
        return err_set(e, "jwks.no_key",
                       "the JWKS (%zu key%s) has no key that can verify %s and the token names "
                       "no kid",
                       n, n == 1 ? "" : "s", t->alg_name);
    }
    if (e) *e = last;
    return false;
}
