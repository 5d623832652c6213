/* SPDX-License-Identifier: MIT */
/* xalloc — the one out-of-memory policy outside jose/: allocate or abort with a message.
 *
 * Out of memory is not a lesson: the TUI, the server, the lesson engine and the CLI call these
 * instead of checking every malloc, so a failed allocation never turns into a misleading error
 * code ("server.nomem", "flow.nomem", …) or a silent NULL. On failure they print
 * "tokenlab: out of memory (N bytes)" to stderr and abort(). jose/ (the fuzzed library) does NOT
 * use them: it propagates every error to its caller. None of them ever returns NULL. */
#ifndef TL_BASE_XALLOC_H
#define TL_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);                  /* n == 0 allocates 1 byte */
void *xcalloc(size_t count, size_t size); /* zeroed; aborts on count × size overflow too */
void *xrealloc(void *p, size_t n);        /* n == 0 keeps a 1-byte block (never frees) */
char *xstrdup(const char *s);             /* s must not be NULL */
char *xstrndup(const char *s, size_t n);  /* at most n bytes of s, NUL-terminated */

/* What every x* function calls on failure: prints the message and aborts. */
_Noreturn void xalloc_die(size_t n);

#endif
