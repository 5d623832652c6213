/* SPDX-License-Identifier: MIT */
/* Signing keys and rotation (see keys.h). */
#include "server/keys.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "jose/jsonx.h"

#define KEYS_MAX 8

typedef struct kept {
    jwk *key;
    int64_t retire_at; /* 0 = current */
} kept;

/* Old JWKS documents are kept until keys_free: a response may still be sending them. */
typedef struct old_doc {
    struct old_doc *next;
    char *json;
} old_doc;

struct keys {
    pthread_mutex_t mu;
    jws_alg alg;
    kept k[KEYS_MAX];
    size_t n;
    char *jwks_json;
    size_t jwks_len;
    old_doc *old;
};

static bool new_key(jws_alg alg, jwk **out, tl_err *e)
{
    if (!jwk_generate(alg, alg >= JWS_RS256 && alg <= JWS_PS512 ? 2048 : 0, out, e)) return false;
    char *kid = jwk_thumbprint(*out, e);
    if (!kid) {
        jwk_free(*out);
        return false;
    }
    jwk_set_kid(*out, kid);
    jwk_set_alg(*out, jws_alg_name(alg));
    free(kid);
    return true;
}

static void rebuild(keys *k, int64_t now)
{
    /* drop keys whose tokens have all expired */
    size_t w = 0;
    for (size_t i = 0; i < k->n; i++) {
        if (k->k[i].retire_at && k->k[i].retire_at <= now) {
            jwk_free(k->k[i].key);
            continue;
        }
        k->k[w++] = k->k[i];
    }
    k->n = w;
    json_t *arr = json_array();
    for (size_t i = 0; i < k->n; i++) {
        json_t *pub = jwk_to_json(k->k[i].key, false);
        if (!json_object_get(pub, "use")) json_object_set_new(pub, "use", json_string("sig"));
        json_array_append_new(arr, pub);
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "keys", arr);
    char *s = jsonx_compact(doc);
    json_decref(doc);
    if (k->jwks_json) {
        old_doc *o = malloc(sizeof *o);
        o->json = k->jwks_json;
        o->next = k->old;
        k->old = o;
    }
    k->jwks_json = s;
    k->jwks_len = s ? strlen(s) : 0;
}

/* A private key usable with `alg` from a PEM or JWK file, with its alg and kid filled in. */
static bool load_key(jws_alg alg, const char *path, jwk **out, tl_err *e)
{
    jwk *key = NULL;
    char *text = NULL;
    size_t len = 0;
    if (!fileio_read(path, 1 << 20, &text, &len, e)) {
        err_prefix(e, "signing key %s: ", path);
        e->code = "server.keys";
        return false;
    }
    bool ok = jwk_parse_any(text, len, &key, e);
    free(text);
    if (!ok) {
        err_prefix(e, "signing key %s: ", path);
        e->code = "server.keys";
        return false;
    }
    if (!jwk_is_private(key) || !jwk_allows(key, alg, true, NULL)) {
        jwk_free(key);
        return err_set(e, "server.keys", "signing key %s: not a private key usable with %s", path,
                       jws_alg_name(alg));
    }
    if (!jwk_alg(key)) jwk_set_alg(key, jws_alg_name(alg));
    if (!jwk_kid(key)) {
        char *kid = jwk_thumbprint(key, e);
        if (kid) jwk_set_kid(key, kid);
        free(kid);
    }
    *out = key;
    return true;
}

static keys *keys_with(jws_alg alg, jwk *key);

bool keys_new(jws_alg alg, const char *key_file, keys **out, tl_err *e)
{
    *out = NULL;
    jwk *key = NULL;
    if (key_file) {
        if (!load_key(alg, key_file, &key, e)) return false;
    } else if (!new_key(alg, &key, e)) {
        err_prefix(e, "generating the %s signing key: ", jws_alg_name(alg));
        return false;
    }
    *out = keys_with(alg, key);
    return true;
}

bool keys_new_kept(jws_alg alg, const char *store, bool fresh, keys **out, tl_err *e)
{
    *out = NULL;
    jwk *key = NULL;
    tl_err le = {0};
    /* a key kept by an earlier start (an RSA key takes up to a second or more to make); one
     * that cannot be read or does not fit the algorithm is replaced */
    if (!fresh && load_key(alg, store, &key, &le)) {
        *out = keys_with(alg, key);
        return true;
    }
    if (!new_key(alg, &key, e)) {
        err_prefix(e, "generating the %s signing key: ", jws_alg_name(alg));
        return false;
    }
    json_t *j = jwk_to_json(key, true);
    char *text = j ? jsonx_compact(j) : NULL;
    json_decref(j);
    /* 0600, written atomically (fileio); failing to keep it only costs the next start time */
    if (text) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", store);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            fileio_mkdirs(dir, &le);
        }
        fileio_write_atomic(store, text, strlen(text), &le);
        free(text);
    }
    *out = keys_with(alg, key);
    return true;
}

static keys *keys_with(jws_alg alg, jwk *key)
{
    keys *k = calloc(1, sizeof *k);
    pthread_mutex_init(&k->mu, NULL);
    k->alg = alg;
    k->k[0].key = key;
    k->n = 1;
    rebuild(k, 0);
    return k;
}

void keys_free(keys *k)
{
    if (!k) return;
    for (size_t i = 0; i < k->n; i++) jwk_free(k->k[i].key);
    free(k->jwks_json);
    while (k->old) {
        old_doc *o = k->old;
        k->old = o->next;
        free(o->json);
        free(o);
    }
    pthread_mutex_destroy(&k->mu);
    free(k);
}

jws_alg keys_alg(const keys *k)
{
    return k->alg;
}

jwk *keys_current(keys *k)
{
    pthread_mutex_lock(&k->mu);
    jwk *r = NULL;
    for (size_t i = 0; i < k->n; i++)
        if (k->k[i].retire_at == 0) r = jwk_ref(k->k[i].key);
    pthread_mutex_unlock(&k->mu);
    return r;
}

jwk *keys_find(keys *k, const char *kid, int64_t now)
{
    if (!kid) return NULL;
    pthread_mutex_lock(&k->mu);
    jwk *r = NULL;
    for (size_t i = 0; i < k->n && !r; i++) {
        const char *x = jwk_kid(k->k[i].key);
        if (x && strcmp(x, kid) == 0 && (k->k[i].retire_at == 0 || k->k[i].retire_at > now))
            r = jwk_ref(k->k[i].key);
    }
    pthread_mutex_unlock(&k->mu);
    return r;
}

size_t keys_all(keys *k, int64_t now, jwk **out, size_t max)
{
    pthread_mutex_lock(&k->mu);
    size_t n = 0;
    for (size_t i = 0; i < k->n && n < max; i++)
        if (k->k[i].retire_at == 0 || k->k[i].retire_at > now) out[n++] = jwk_ref(k->k[i].key);
    pthread_mutex_unlock(&k->mu);
    return n;
}

bool keys_rotate(keys *k, int64_t now, int64_t keep_seconds, tl_err *e)
{
    jwk *key = NULL;
    if (!new_key(k->alg, &key, e)) return false;
    pthread_mutex_lock(&k->mu);
    for (size_t i = 0; i < k->n; i++)
        if (k->k[i].retire_at == 0) k->k[i].retire_at = now + keep_seconds;
    if (k->n == KEYS_MAX) { /* the oldest retired key goes first */
        jwk_free(k->k[0].key);
        memmove(&k->k[0], &k->k[1], (KEYS_MAX - 1) * sizeof k->k[0]);
        k->n--;
    }
    k->k[k->n].key = key;
    k->k[k->n].retire_at = 0;
    k->n++;
    rebuild(k, now);
    pthread_mutex_unlock(&k->mu);
    return true;
}

const char *keys_jwks(keys *k, int64_t now, size_t *len)
{
    pthread_mutex_lock(&k->mu);
    for (size_t i = 0; i < k->n; i++)
        if (k->k[i].retire_at && k->k[i].retire_at <= now) {
            rebuild(k, now);
            break;
        }
    const char *s = k->jwks_json;
    *len = k->jwks_len;
    pthread_mutex_unlock(&k->mu);
    return s;
}
