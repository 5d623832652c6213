/* SPDX-License-Identifier: MIT */
/* store — a bounded, thread-safe map from string keys to owned values with an expiry time.
 * One mutex per store. Expired entries are swept when the store grows (so memory stays flat under
 * load); when it is full of live entries, store_put refuses instead of growing. */
#ifndef TL_SERVER_STORE_H
#define TL_SERVER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;
typedef void (*store_free_fn)(void *value);

/* `max` live entries at most; `fr` frees values (may be NULL for plain malloc'd values: free).
 * Never NULL: out of memory aborts (base/xalloc). */
store *store_new(const char *name, size_t max, store_free_fn fr);
void store_free(store *st);

void store_lock(store *st);
void store_unlock(store *st);

/* All *_locked calls need store_lock held. */
/* Takes ownership of `value` on success. False when the key exists or the store is full of live
 * entries (the value is then NOT taken). Entries expire at `exp` (server clock). */
bool store_put_locked(store *st, const char *key, void *value, int64_t exp, int64_t now);
/* The value or NULL (absent or expired). Borrowed while the lock is held. */
void *store_get_locked(store *st, const char *key, int64_t now);
/* Removes and frees; false when absent. */
bool store_remove_locked(store *st, const char *key);
/* Calls fn for each live entry; fn returns false to remove (and free) the entry. */
void store_foreach_locked(store *st, int64_t now,
                          bool (*fn)(void *ud, const char *key, void *value), void *ud);
/* Quotas (fairness per address, per client): counts the live entries whose value `mine` accepts.
 * With `on_evict`, while there are `quota` or more of them, removes the oldest (first put), calling
 * on_evict(ud, key, value) before it is freed; returns how many are left (< quota). Without it,
 * only counts; a quota of 0 evicts nothing. O(entries). */
typedef void (*store_evict_fn)(void *ud, const char *key, const void *value);
size_t store_quota_locked(store *st, int64_t now, bool (*mine)(void *ud, const void *value),
                          void *ud, size_t quota, store_evict_fn on_evict);
size_t store_count(store *st);
const char *store_name(const store *st);
/* The `max` it was made with. */
size_t store_capacity(const store *st);

#endif
