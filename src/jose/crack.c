/* SPDX-License-Identifier: MIT */
#include "jose/crack.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jose/alg.h"

struct crack_state {
    const crack_list *list;
    EVP_MAC *mac;
    EVP_MAC_CTX *ctx;
    char *input; /* the JWS signing input: what the HMAC covers */
    size_t input_len;
    uint8_t sig[64];
    size_t sig_len;
    size_t next;
    double t0;
    bool done;
    bool found;
    size_t found_at;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool crack_split(const char *buf, size_t len, crack_list *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n') cap++;
    cap++;
    out->word = malloc(cap * sizeof *out->word);
    out->len = malloc(cap * sizeof *out->len);
    if (!out->word || !out->len) {
        crack_list_free(out);
        return err_set(e, "oom", "out of memory");
    }
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && buf[i] != '\n') continue;
        size_t end = i;
        if (end > start && buf[end - 1] == '\r') end--;
        if (end > start) {
            out->word[out->n] = buf + start;
            out->len[out->n] = end - start;
            out->n++;
        }
        start = i + 1;
    }
    return true;
}

void crack_list_free(crack_list *l)
{
    if (!l) return;
    free(l->word);
    free(l->len);
    memset(l, 0, sizeof *l);
}

bool crack_supported(const jws *t, tl_err *e)
{
    if (t->is_jwe)
        return err_set(e, "crack.jwe",
                       "this is an encrypted token (JWE): it has no signature to test secrets "
                       "against");
    if (t->alg == JWS_ALG_NONE || (t->alg_name && jws_alg_name_is_none(t->alg_name)))
        return err_set(e, "crack.alg_none",
                       "this token is unsigned (alg \"%s\"): there is no secret to guess — anyone "
                       "can forge it, which is why verifiers must refuse it",
                       t->alg_name ? t->alg_name : "none");
    if (!alg_is_hmac(t->alg)) {
        const char *name = t->alg_name ? t->alg_name : "(missing)";
        if (t->alg == JWS_EDDSA || t->alg == JWS_ED25519 ||
            (t->alg >= JWS_RS256 && t->alg <= JWS_ES512))
            return err_set(e, "crack.not_hmac",
                           "%s tokens are signed with a private key; there is no shared secret to "
                           "guess (only HS256, HS384 and HS512 use one)",
                           name);
        return err_set(e, "crack.not_hmac",
                       "alg \"%s\" is not an HMAC algorithm; only HS256, HS384 and HS512 tokens "
                       "have a shared secret to guess",
                       name);
    }
    if (t->sig_len != alg_hash_len(t->alg))
        return err_set(e, "crack.no_signature",
                       "the signature is %zu bytes but %s produces %zu: it cannot match any secret",
                       t->sig_len, jws_alg_name(t->alg), alg_hash_len(t->alg));
    return true;
}

bool crack_begin(const jws *t, const crack_list *list, crack_state **out, tl_err *e)
{
    *out = NULL;
    if (!crack_supported(t, e)) return false;
    crack_state *st = calloc(1, sizeof *st);
    if (!st) return err_set(e, "oom", "out of memory");
    st->list = list;
    st->input = jws_signing_input(t);
    st->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    st->ctx = st->mac ? EVP_MAC_CTX_new(st->mac) : NULL;
    if (!st->input || !st->ctx) {
        crack_end(st);
        return err_set(e, "crack.openssl", "cannot set up HMAC (OpenSSL EVP_MAC)");
    }
    st->input_len = strlen(st->input);
    char digest[16];
    strcpy(digest, alg_hash_name(t->alg));
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!EVP_MAC_CTX_set_params(st->ctx, params)) {
        crack_end(st);
        return err_set(e, "crack.openssl", "cannot select %s for HMAC", digest);
    }
    memcpy(st->sig, t->sig, t->sig_len);
    st->sig_len = t->sig_len;
    st->t0 = now_seconds();
    *out = st;
    return true;
}

static void fill(const crack_state *st, crack_result *res)
{
    memset(res, 0, sizeof *res);
    res->found = st->found;
    res->progress.tried = st->next;
    res->progress.total = st->list->n;
    res->progress.elapsed = now_seconds() - st->t0;
    if (res->progress.elapsed > 1e-6) res->progress.rate = (double)st->next / res->progress.elapsed;
    if (st->found) {
        res->index = st->found_at;
        res->secret = st->list->word[st->found_at];
        res->secret_len = st->list->len[st->found_at];
    }
}

/* One candidate: HMAC(secret, signing input) == signature? (RFC 7518 §3.2) */
static bool try_one(crack_state *st, const char *w, size_t n)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    /* OpenSSL treats a NULL key as "keep the previous one"; candidates are never empty. */
    if (!EVP_MAC_init(st->ctx, (const unsigned char *)w, n, NULL)) return false;
    if (!EVP_MAC_update(st->ctx, (const unsigned char *)st->input, st->input_len)) return false;
    if (!EVP_MAC_final(st->ctx, mac, &maclen, sizeof mac)) return false;
    return maclen == st->sig_len && CRYPTO_memcmp(mac, st->sig, maclen) == 0;
}

bool crack_step(crack_state *st, size_t max, crack_result *res)
{
    size_t end = st->next + max;
    if (end > st->list->n || end < st->next) end = st->list->n;
    while (!st->done && st->next < end) {
        size_t i = st->next++;
        if (st->list->len[i] > 0 && try_one(st, st->list->word[i], st->list->len[i])) {
            st->found = true;
            st->found_at = i;
            st->done = true;
        }
    }
    if (st->next >= st->list->n) st->done = true;
    fill(st, res);
    return st->done;
}

void crack_end(crack_state *st)
{
    if (!st) return;
    EVP_MAC_CTX_free(st->ctx);
    EVP_MAC_free(st->mac);
    free(st->input);
    free(st);
}

bool crack_run(const jws *t, const crack_list *list, crack_progress_fn cb, void *user, size_t every,
               crack_result *res, tl_err *e)
{
    crack_state *st;
    if (!crack_begin(t, list, &st, e)) return false;
    if (every == 0) every = 1024;
    bool done = false;
    while (!done) {
        done = crack_step(st, every, res);
        if (cb && !cb(&res->progress, user)) {
            res->stopped = !done;
            break;
        }
    }
    crack_end(st);
    return true;
}
