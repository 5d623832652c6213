/* SPDX-License-Identifier: MIT */
/* jwkscache — the server's JWKS, fetched once over http and kept by `kid`. An unknown kid (after
 * a key rotation) triggers one refetch, at most once per JWKSCACHE_MIN_REFETCH_MS, so a token with
 * a made-up kid cannot make us hammer the server. The decoder's signature status uses it. */
#ifndef TL_OAUTH_JWKSCACHE_H
#define TL_OAUTH_JWKSCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jwk.h"
#include "oauth/http.h"

#define JWKSCACHE_MIN_REFETCH_MS 10000

typedef struct jwkscache jwkscache; /* opaque */

/* Called when a fetch completes (ok or not); `e` says why it failed. */
typedef void (*jwkscache_fn)(jwkscache *jc, bool ok, const tl_err *e, void *ud);

/* Does not fetch yet. `http` is borrowed and must outlive the cache. NULL on out of memory. */
jwkscache *jwkscache_new(http_client *http, const char *jwks_url);
/* Cancels a fetch in flight. */
void jwkscache_free(jwkscache *jc);
/* Notified after every fetch (one listener; NULL to remove). */
void jwkscache_on_update(jwkscache *jc, jwkscache_fn fn, void *ud);

typedef enum jwkscache_status {
    JWKSCACHE_FOUND,    /* *out is a new reference (jwk_free) */
    JWKSCACHE_FETCHING, /* not known (yet): a fetch is in flight, ask again on update */
    JWKSCACHE_UNKNOWN,  /* not in the JWKS and refetched less than 10 s ago: e says so */
    JWKSCACHE_ERROR,    /* the last fetch failed: e says why ("connection refused: …") */
} jwkscache_status;

/* Looks up `kid` (NULL kid: the only key when the set has exactly one). Starts a fetch when the
 * cache is empty or the kid is unknown and the last fetch is older than the minimum interval. */
jwkscache_status jwkscache_find(jwkscache *jc, const char *kid, jwk **out, tl_err *e);
/* Starts a fetch now unless one is in flight (ignores the interval: an explicit refresh). */
bool jwkscache_refresh(jwkscache *jc, tl_err *e);
/* Blocking fetch through http_wait (CLI, headless player). */
bool jwkscache_fetch_sync(jwkscache *jc, int timeout_ms, tl_err *e);
/* The current set (borrowed, valid until the next fetch completes), or NULL before the first. */
const jwks *jwkscache_keys(const jwkscache *jc);
/* Number of fetches started so far (for tests and the trace). */
unsigned jwkscache_fetch_count(const jwkscache *jc);
/* For tests: override the minimum refetch interval. */
void jwkscache_set_min_refetch_ms(jwkscache *jc, int64_t ms);

#endif
