/* SPDX-License-Identifier: MIT */
/* explain — what each registered claim and header parameter means, as data the TUI and the CLI
 * share (RFC 7515 §4.1, RFC 7516 §4.1 and RFC 7518 §4.6-4.8 for JWE headers, RFC 7519 §4.1, OpenID
 * Connect Core §2 and §5.1, RFC 9068 §2.2, RFC 8693). */
#ifndef TL_JOSE_EXPLAIN_H
#define TL_JOSE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum explain_kind { EXPLAIN_CLAIM, EXPLAIN_HEADER } explain_kind;

typedef struct explain_entry {
    explain_kind kind;
    const char *name;    /* "exp" */
    const char *title;   /* "Expiration Time" */
    const char *summary; /* one line: "after this instant the token must be rejected" */
    const char *source;  /* "RFC 7519 §4.1.4" */
    bool is_time;        /* NumericDate: show as a date */
} explain_entry;

/* NULL when unknown. */
const explain_entry *explain_lookup(explain_kind kind, const char *name);
/* The whole table (for help screens), terminated by an entry with name == NULL. */
const explain_entry *explain_all(void);

#endif
