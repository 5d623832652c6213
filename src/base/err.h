/* SPDX-License-Identifier: MIT */
/* err — the one error record every layer fills: a stable code plus a plain message.
 *
 * Functions that can fail return bool (true = success) and take a `tl_err *` last; on failure they
 * set it with err_set(). The code is a stable dotted string ("b64.bad_char", "jws.segments",
 * "jwt.expired") that tests and --json output use; the message is what a learner reads.
 * A NULL `tl_err *` is allowed everywhere and means "the caller does not care". */
#ifndef TL_BASE_ERR_H
#define TL_BASE_ERR_H

#include <stdbool.h>

#define TL_ERR_MSG_MAX 512

typedef struct tl_err {
    const char *code; /* static string, NULL when no error */
    char msg[TL_ERR_MSG_MAX];
} tl_err;

/* Sets code and a printf-formatted message; always returns false so callers can
 * `return err_set(e, "x.y", "...")`. */
bool err_set(tl_err *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with more context ("key file k.pem: " + msg). */
bool err_prefix(tl_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(tl_err *e);
/* True when `e` holds exactly this code. */
bool err_is(const tl_err *e, const char *code);

#endif
