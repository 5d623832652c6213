/* SPDX-License-Identifier: MIT */
/* throttle — guess budgets (token buckets) keyed by a string: an account, a client address. A
 * bucket holds up to `burst` guesses and refills at `per_minute`; a failed guess takes one, and an
 * empty bucket refuses the next guess before any work is done (no PBKDF2 for a throttled guess).
 * Bounded (a store with expiry): a bucket that has refilled is forgotten. Thread-safe. */
#ifndef TL_SERVER_THROTTLE_H
#define TL_SERVER_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct throttle throttle;

/* At most `max` keys remembered at once; beyond that new keys are not throttled (the per-address
 * key, which an attacker cannot multiply at will, still is). */
throttle *throttle_new(const char *name, size_t max);
void throttle_free(throttle *t);

/* May `key` guess now? False (no guess is taken) when its bucket is empty; then *retry_after is
 * the whole seconds until it holds one guess again (>= 1). */
bool throttle_allow(throttle *t, const char *key, double burst, double per_minute,
                    int *retry_after);
/* A failed guess: takes one from the bucket of `key`. */
void throttle_fail(throttle *t, const char *key, double burst, double per_minute);

#endif
