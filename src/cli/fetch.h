/* SPDX-License-Identifier: MIT */
/* fetch — the libcurl URL fetcher behind `--jwks URL`. Lives apart from cli/args.c so that the
 * light front binary (decode, verify, mint, keygen, jwk, crack) does not load libcurl at start-up.
 */
#ifndef TL_CLI_FETCH_H
#define TL_CLI_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* GET url (http/https only; https never redirected to http; 10 s timeout; body capped at
 * ARGS_MAX_FILE). Non-2xx statuses are errors naming the status. *out NUL-terminated, caller frees.
 */
bool cli_fetch_url(const char *url, char **out, size_t *len, tl_err *e);

typedef struct cli_http_req {
    const char *url;
    const char *bearer; /* sent as Authorization: Bearer …, or NULL */
    size_t max;         /* body cap in bytes */
    long timeout;       /* seconds */
    bool follow;        /* follow redirects (an https URL never to http) */
} cli_http_req;

/* One GET (http/https only). True when a response arrived, whatever its status: *status, *body
 * (NUL-terminated, caller frees) and *len. False ("cli.http") when none did or the body is over
 * the cap; the message names the URL. */
bool cli_http_get(const cli_http_req *r, long *status, char **body, size_t *len, tl_err *e);

#endif
