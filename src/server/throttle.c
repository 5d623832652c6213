/* SPDX-License-Identifier: MIT */
/* Guess budgets on top of the store (see throttle.h). The store's clock here is monotonic whole
 * seconds, not the lab clock: fast-forwarding the lesson clock must not refill a bucket. */
#include "server/throttle.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/xalloc.h"
#include "server/store.h"

struct throttle {
    store *st;
};

typedef struct bucket {
    double tokens, last;
} bucket;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

throttle *throttle_new(const char *name, size_t max)
{
    throttle *t = xcalloc(1, sizeof *t);
    t->st = store_new(name, max, free);
    return t;
}

void throttle_free(throttle *t)
{
    if (!t) return;
    store_free(t->st);
    free(t);
}

/* The bucket of key, refilled up to now; NULL when it is full (nothing remembered). Locked. */
static bucket *refill(throttle *t, const char *key, double burst, double per_minute, double now)
{
    bucket *b = store_get_locked(t->st, key, (int64_t)now);
    if (!b) return NULL;
    b->tokens += (now - b->last) * per_minute / 60.0;
    b->last = now;
    if (b->tokens >= burst) {
        store_remove_locked(t->st, key);
        return NULL;
    }
    return b;
}

bool throttle_allow(throttle *t, const char *key, double burst, double per_minute, int *retry_after)
{
    double now = mono();
    store_lock(t->st);
    bucket *b = refill(t, key, burst, per_minute, now);
    bool ok = !b || b->tokens >= 1.0;
    if (!ok) *retry_after = (int)ceil((1.0 - b->tokens) * 60.0 / per_minute);
    store_unlock(t->st);
    if (!ok && *retry_after < 1) *retry_after = 1;
    return ok;
}

void throttle_fail(throttle *t, const char *key, double burst, double per_minute)
{
    double now = mono();
    store_lock(t->st);
    bucket *old = refill(t, key, burst, per_minute, now);
    double tokens = old ? old->tokens : burst;
    if (old) store_remove_locked(t->st, key);
    bucket *b = malloc(sizeof *b);
    if (b) {
        b->tokens = tokens >= 1.0 ? tokens - 1.0 : 0.0;
        b->last = now;
        /* forgotten once it has refilled: (burst - tokens) guesses at per_minute */
        int64_t full = (int64_t)ceil(now + (burst - b->tokens) * 60.0 / per_minute) + 1;
        if (!store_put_locked(t->st, key, b, full, (int64_t)now)) free(b);
    }
    store_unlock(t->st);
}
