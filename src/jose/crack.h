/* SPDX-License-Identifier: MIT */
/* crack — guessing the shared secret of an HMAC-signed JWT (HS256/384/512) from a list of
 * candidates held in memory. It shows why a short or common HMAC secret is no secret at all
 * (RFC 7518 §3.2 asks for a key at least as long as the hash output). No I/O: the caller loads the
 * wordlist (crack_split turns a buffer into candidates) and reports progress.
 *
 * Two ways to drive it:
 *   - crack_run: one call, with a progress callback every `every` candidates (the CLI);
 *   - crack_begin / crack_step / crack_end: a bounded slice per call, so a single-threaded UI can
 *     stay responsive between slices (the TUI). */
#ifndef TL_JOSE_CRACK_H
#define TL_JOSE_CRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jws.h"

/* The wordlist that ships with tokenlab: the name to pass to assets_read() (base/assets.h). */
#define CRACK_DEFAULT_WORDLIST "wordlists/common-secrets.txt"

/* Candidates: pointers + lengths, usually into one buffer owned by the caller. */
typedef struct crack_list {
    const char **word;
    size_t *len;
    size_t n;
} crack_list;

/* Splits `buf` (len bytes) into lines: LF or CRLF endings, empty lines skipped, bytes kept exactly
 * (a secret may contain spaces or '#'). The entries point into `buf`, which must outlive the list.
 * Free with crack_list_free (does not free `buf`). */
bool crack_split(const char *buf, size_t len, crack_list *out, tl_err *e);
void crack_list_free(crack_list *l);

typedef struct crack_progress {
    size_t tried;   /* candidates tried so far */
    size_t total;   /* candidates in the list */
    double elapsed; /* seconds since the start */
    double rate;    /* candidates per second so far (0 until measurable) */
} crack_progress;

/* Return false to stop early (crack_run then returns with found = false, stopped = true). */
typedef bool (*crack_progress_fn)(const crack_progress *p, void *user);

typedef struct crack_result {
    bool found;
    bool stopped;       /* the callback asked to stop */
    size_t index;       /* when found: index of the secret in the list */
    const char *secret; /* when found: points into the list (not NUL-terminated: use secret_len) */
    size_t secret_len;
    crack_progress progress; /* final numbers */
} crack_result;

/* Can this token be cracked? Only HS256/384/512 have a shared secret. Errors (plain words):
 * "crack.not_hmac" ("RS256 tokens are signed with a private key; there is no shared secret to
 * guess"), "crack.alg_none", "crack.jwe", "crack.no_signature". */
bool crack_supported(const jws *t, tl_err *e);

typedef struct crack_state crack_state; /* opaque */

/* Starts a run over `list` (borrowed; must outlive the state). Fails as crack_supported does.
 * Caller frees with crack_end. */
bool crack_begin(const jws *t, const crack_list *list, crack_state **out, tl_err *e);
/* Tries up to `max` more candidates. Returns true when finished (found or list exhausted);
 * `res` is filled every call with the current numbers. */
bool crack_step(crack_state *st, size_t max, crack_result *res);
void crack_end(crack_state *st);

/* The whole run; `cb` (optional) is called every `every` candidates (0: every 1024) and once at
 * the end. */
bool crack_run(const jws *t, const crack_list *list, crack_progress_fn cb, void *user, size_t every,
               crack_result *res, tl_err *e);

#endif
