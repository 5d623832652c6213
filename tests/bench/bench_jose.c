/* SPDX-License-Identifier: MIT */
/* Sign and verify speed per JWS algorithm: tokenlab's jws_sign_raw / jws_verify_raw next to
 * OpenSSL's own EVP_DigestSign / EVP_DigestVerify with the same EVP_PKEY, in the same run.
 *
 *   bench_jose [--seconds N] [--alg NAME]... [--min-ratio R] [--tsv]
 *
 * --seconds: time per cell (default 1; tokenlab and OpenSSL alternate within it). --min-ratio: exit
 * 1 when any tokenlab/OpenSSL ratio is below R (the issue asks for 0.9; left off by default because
 * a shared machine is noisy). */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jose/jwk.h"
#include "jose/jws.h"

/* A typical signing input: a small header and an access-token-sized payload. */
static const char input[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsxIn0."
    "eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjg0NDMiLCJzdWIiOiJhbGljZSIsImF1ZCI6ImFwaSIsImV4cCI6MTc5NTg3"
    "NDUzMSwiaWF0IjoxNzk1ODczNjMxLCJqdGkiOiI0ZjE3YjgzYSIsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgcmVhZDpub"
    "3RlcyIsImNsaWVudF9pZCI6ImRlbW8tYXBwIn0";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct cell {
    jws_alg alg;
    const jwk *key;
    EVP_PKEY *pkey; /* the same key as OpenSSL sees it (an HMAC EVP_PKEY for HS*) */
    uint8_t sig[1024];
    size_t sig_len; /* tokenlab's JOSE signature */
    uint8_t osig[1024];
    size_t osig_len; /* OpenSSL's native signature (DER for ECDSA) */
} cell;

static const char *md_of(jws_alg a)
{
    switch (a) {
    case JWS_HS256:
    case JWS_RS256:
    case JWS_PS256:
    case JWS_ES256:
        return "SHA256";
    case JWS_HS384:
    case JWS_RS384:
    case JWS_PS384:
    case JWS_ES384:
        return "SHA384";
    case JWS_EDDSA:
    case JWS_ED25519:
        return NULL;
    default:
        return "SHA512";
    }
}

static bool is_pss(jws_alg a)
{
    return a == JWS_PS256 || a == JWS_PS384 || a == JWS_PS512;
}

static bool is_hs(jws_alg a)
{
    return a == JWS_HS256 || a == JWS_HS384 || a == JWS_HS512;
}

/* What a careful caller of raw OpenSSL writes: one EVP_MD_CTX reused, one init per message. */
static bool ossl_init(EVP_MD_CTX *ctx, const cell *c, bool sign)
{
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX_reset(ctx);
    int r = sign ? EVP_DigestSignInit_ex(ctx, &pctx, md_of(c->alg), NULL, NULL, c->pkey, NULL)
                 : EVP_DigestVerifyInit_ex(ctx, &pctx, md_of(c->alg), NULL, NULL, c->pkey, NULL);
    if (r <= 0) return false;
    if (is_pss(c->alg))
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
    return true;
}

static bool ossl_sign(EVP_MD_CTX *ctx, cell *c)
{
    c->osig_len = sizeof c->osig;
    return ossl_init(ctx, c, true) &&
           EVP_DigestSign(ctx, c->osig, &c->osig_len, (const uint8_t *)input, sizeof input - 1) > 0;
}

static bool ossl_verify(EVP_MD_CTX *ctx, cell *c)
{
    if (is_hs(c->alg)) { /* HMAC has no DigestVerify: recompute and compare, as any caller must */
        uint8_t mac[64];
        size_t n = sizeof mac;
        return ossl_init(ctx, c, true) &&
               EVP_DigestSign(ctx, mac, &n, (const uint8_t *)input, sizeof input - 1) > 0 &&
               n == c->osig_len && CRYPTO_memcmp(mac, c->osig, n) == 0;
    }
    return ossl_init(ctx, c, false) &&
           EVP_DigestVerify(ctx, c->osig, c->osig_len, (const uint8_t *)input, sizeof input - 1) ==
               1;
}

static bool tl_sign(cell *c)
{
    uint8_t *sig;
    size_t n;
    if (!jws_sign_raw(c->alg, c->key, (const uint8_t *)input, sizeof input - 1, &sig, &n, NULL))
        return false;
    free(sig);
    return true;
}

static bool tl_verify(cell *c)
{
    return jws_verify_raw(c->alg, c->key, (const uint8_t *)input, sizeof input - 1, c->sig,
                          c->sig_len, NULL);
}

typedef enum { TL_SIGN, OSSL_SIGN, TL_VERIFY, OSSL_VERIFY } what;

static bool run_op(cell *c, what w, EVP_MD_CTX *ctx)
{
    switch (w) {
    case TL_SIGN:
        return tl_sign(c);
    case OSSL_SIGN:
        return ossl_sign(ctx, c);
    case TL_VERIFY:
        return tl_verify(c);
    default:
        return ossl_verify(ctx, c);
    }
}

/* Runs `w` for about `slice` seconds; adds to *ops and *secs. */
static void run_slice(cell *c, what w, double slice, EVP_MD_CTX *ctx, double *ops, double *secs)
{
    long n = 0;
    double t0 = now_s(), t = t0;
    do {
        for (int i = 0; i < 8; i++) {
            if (!run_op(c, w, ctx)) {
                fprintf(stderr, "%s: operation %d failed\n", jws_alg_name(c->alg), (int)w);
                exit(2);
            }
        }
        n += 8;
        t = now_s();
    } while (t - t0 < slice);
    *ops += (double)n;
    *secs += t - t0;
}

/* tokenlab and OpenSSL alternate in 20 short slices each, so that load from other processes on
 * the machine hits both sides alike. */
static void rate_pair(cell *c, what mine, what theirs, double seconds, EVP_MD_CTX *ctx,
                      double *r_mine, double *r_theirs)
{
    double om = 0, sm = 0, ot = 0, st = 0;
    for (int i = 0; i < 20; i++) {
        run_slice(c, i % 2 ? mine : theirs, seconds / 20, ctx, i % 2 ? &om : &ot,
                  i % 2 ? &sm : &st);
        run_slice(c, i % 2 ? theirs : mine, seconds / 20, ctx, i % 2 ? &ot : &om,
                  i % 2 ? &st : &sm);
    }
    *r_mine = om / sm;
    *r_theirs = ot / st;
}

int main(int argc, char **argv)
{
    double seconds = 1, min_ratio = 0;
    bool tsv = false;
    bool want[JWS_ALG_COUNT] = {0}, any = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (strcmp(argv[i], "--tsv") == 0) {
            tsv = true;
        } else if (strcmp(argv[i], "--min-ratio") == 0 && i + 1 < argc) {
            min_ratio = atof(argv[++i]);
        } else if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
            jws_alg a = jws_alg_from_name(argv[++i]);
            if (a < JWS_HS256) {
                fprintf(stderr, "bench_jose: unknown alg %s\n", argv[i]);
                return 2;
            }
            want[a] = any = true;
        } else {
            fprintf(stderr,
                    "usage: bench_jose [--seconds N] [--alg NAME]... [--min-ratio R] [--tsv]\n");
            return 2;
        }
    }
    if (seconds <= 0) seconds = 1;
    if (tsv) {
        printf("alg\tsign_tl\tsign_ossl\tsign_ratio\tverify_tl\tverify_ossl\tverify_ratio\n");
    } else {
        printf("JWS sign/verify, ops/s: tokenlab (jws_sign_raw/jws_verify_raw) vs OpenSSL "
               "EVP_DigestSign/Verify, same key, %.1fs per cell, %zu-byte input\n",
               seconds, sizeof input - 1);
        printf("%-6s %12s %12s %6s   %12s %12s %6s\n", "alg", "sign tl", "sign ossl", "ratio",
               "verify tl", "verify ossl", "ratio");
    }
    int below = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    for (int a = JWS_HS256; a < JWS_ALG_COUNT; a++) {
        if (any && !want[a]) continue;
        cell c = {.alg = (jws_alg)a};
        jwk *k = NULL;
        tl_err e = {0};
        if (!jwk_generate(c.alg, 0, &k, &e)) {
            fprintf(stderr, "%s: %s\n", jws_alg_name(c.alg), e.msg);
            return 2;
        }
        c.key = k;
        if (is_hs(c.alg)) {
            size_t n;
            const uint8_t *s = jwk_secret(k, &n);
            c.pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, s, n);
        } else {
            c.pkey = jwk_evp_pkey(k);
            EVP_PKEY_up_ref(c.pkey);
        }
        uint8_t *sig;
        if (!c.pkey ||
            !jws_sign_raw(c.alg, k, (const uint8_t *)input, sizeof input - 1, &sig, &c.sig_len,
                          &e) ||
            !ossl_sign(ctx, &c)) {
            fprintf(stderr, "%s: setup failed: %s\n", jws_alg_name(c.alg), e.msg);
            return 2;
        }
        memcpy(c.sig, sig, c.sig_len);
        free(sig);
        double ts, os, tv, ov;
        rate_pair(&c, TL_SIGN, OSSL_SIGN, seconds, ctx, &ts, &os);
        rate_pair(&c, TL_VERIFY, OSSL_VERIFY, seconds, ctx, &tv, &ov);
        double rs = ts / os, rv = tv / ov;
        printf(tsv ? "%s\t%.0f\t%.0f\t%.2f\t%.0f\t%.0f\t%.2f\n"
                   : "%-6s %12.0f %12.0f %6.2f   %12.0f %12.0f %6.2f\n",
               jws_alg_name(c.alg), ts, os, rs, tv, ov, rv);
        fflush(stdout);
        if (min_ratio > 0 && (rs < min_ratio || rv < min_ratio)) below++;
        EVP_PKEY_free(c.pkey);
        jwk_free(k);
    }
    EVP_MD_CTX_free(ctx);
    if (below) {
        fprintf(stderr, "%d algorithm(s) below the %.2f ratio\n", below, min_ratio);
        return 1;
    }
    return 0;
}
