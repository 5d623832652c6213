/* SPDX-License-Identifier: MIT */
/* Chained hash map with expiry; see store.h. */
#include "server/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

typedef struct entry {
    struct entry *next;
    void *value;
    int64_t exp;
    uint64_t seq; /* order of the puts: the smallest is the oldest */
    uint32_t hash;
    char key[];
} entry;

struct store {
    const char *name;
    pthread_mutex_t mu;
    entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count, max;
    size_t puts_since_sweep;
    uint64_t seq;
    store_free_fn fr;
};

static uint32_t hash_key(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a: keys are random tokens, so no flooding concern */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

store *store_new(const char *name, size_t max, store_free_fn fr)
{
    store *st = xcalloc(1, sizeof *st);
    st->name = name;
    st->max = max ? max : 1024;
    st->nbuckets = 64;
    while (st->nbuckets < st->max / 2 && st->nbuckets < (1u << 20)) st->nbuckets <<= 1;
    st->buckets = xcalloc(st->nbuckets, sizeof *st->buckets);
    st->fr = fr ? fr : free;
    pthread_mutex_init(&st->mu, NULL);
    return st;
}

static void entry_free(store *st, entry *en)
{
    st->fr(en->value);
    free(en);
    st->count--;
}

static void sweep(store *st, int64_t now)
{
    for (size_t b = 0; b < st->nbuckets; b++) {
        entry **pp = &st->buckets[b];
        while (*pp) {
            entry *en = *pp;
            if (en->exp <= now) {
                *pp = en->next;
                entry_free(st, en);
            } else {
                pp = &en->next;
            }
        }
    }
    st->puts_since_sweep = 0;
}

void store_free(store *st)
{
    if (!st) return;
    for (size_t b = 0; b < st->nbuckets; b++) {
        entry *en = st->buckets[b];
        while (en) {
            entry *nx = en->next;
            entry_free(st, en);
            en = nx;
        }
    }
    free(st->buckets);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

void store_lock(store *st)
{
    pthread_mutex_lock(&st->mu);
}

void store_unlock(store *st)
{
    pthread_mutex_unlock(&st->mu);
}

static entry **find(store *st, const char *key, uint32_t h)
{
    entry **pp = &st->buckets[h & (st->nbuckets - 1)];
    while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key) != 0)) pp = &(*pp)->next;
    return pp;
}

bool store_put_locked(store *st, const char *key, void *value, int64_t exp, int64_t now)
{
    /* Sweep when full, and every max/4 puts, so that expired entries never pile up. */
    if (st->count >= st->max || st->puts_since_sweep >= st->max / 4 + 1) sweep(st, now);
    if (st->count >= st->max) return false;
    uint32_t h = hash_key(key);
    entry **pp = find(st, key, h);
    if (*pp) {
        if ((*pp)->exp > now) return false;
        entry *old = *pp;
        *pp = old->next;
        entry_free(st, old);
    }
    size_t kl = strlen(key);
    entry *en = malloc(sizeof *en + kl + 1);
    if (!en) return false;
    memcpy(en->key, key, kl + 1);
    en->hash = h;
    en->value = value;
    en->exp = exp;
    en->seq = ++st->seq;
    size_t b = h & (st->nbuckets - 1);
    en->next = st->buckets[b];
    st->buckets[b] = en;
    st->count++;
    st->puts_since_sweep++;
    return true;
}

void *store_get_locked(store *st, const char *key, int64_t now)
{
    uint32_t h = hash_key(key);
    entry **pp = find(st, key, h);
    if (!*pp) return NULL;
    if ((*pp)->exp <= now) {
        entry *en = *pp;
        *pp = en->next;
        entry_free(st, en);
        return NULL;
    }
    return (*pp)->value;
}

bool store_remove_locked(store *st, const char *key)
{
    entry **pp = find(st, key, hash_key(key));
    if (!*pp) return false;
    entry *en = *pp;
    *pp = en->next;
    entry_free(st, en);
    return true;
}

void store_foreach_locked(store *st, int64_t now,
                          bool (*fn)(void *ud, const char *key, void *value), void *ud)
{
    for (size_t b = 0; b < st->nbuckets; b++) {
        entry **pp = &st->buckets[b];
        while (*pp) {
            entry *en = *pp;
            if (en->exp <= now || !fn(ud, en->key, en->value)) {
                *pp = en->next;
                entry_free(st, en);
            } else {
                pp = &en->next;
            }
        }
    }
}

size_t store_quota_locked(store *st, int64_t now, bool (*mine)(void *ud, const void *value),
                          void *ud, size_t quota, store_evict_fn on_evict)
{
    for (;;) {
        size_t n = 0;
        entry **oldest = NULL;
        for (size_t b = 0; b < st->nbuckets; b++)
            for (entry **pp = &st->buckets[b]; *pp; pp = &(*pp)->next) {
                entry *en = *pp;
                if (en->exp <= now || !mine(ud, en->value)) continue;
                n++;
                if (!oldest || en->seq < (*oldest)->seq) oldest = pp;
            }
        if (n < quota || !on_evict || !oldest || quota == 0) return n;
        entry *en = *oldest;
        on_evict(ud, en->key, en->value);
        *oldest = en->next;
        entry_free(st, en);
    }
}

size_t store_count(store *st)
{
    pthread_mutex_lock(&st->mu);
    size_t n = st->count;
    pthread_mutex_unlock(&st->mu);
    return n;
}

size_t store_capacity(const store *st)
{
    return st->max;
}

const char *store_name(const store *st)
{
    return st->name;
}
