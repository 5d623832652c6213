/* SPDX-License-Identifier: MIT */
/* defaults — what an action uses when the lesson does not say: the OAuth client it acts as (by
 * role) and what the server's config says about that client (its secret, its redirect URI). Read
 * once from the default server config (assets/config.json, on disk or compiled in), so a client
 * renamed or a secret changed there moves the lessons with it instead of silently breaking them. */
#ifndef TL_LESSON_DEFAULTS_H
#define TL_LESSON_DEFAULTS_H

#include <stdbool.h>

#include "base/err.h"

typedef enum defaults_role {
    DEFAULTS_PUBLIC,  /* a public (native) client with the device grant: authorize, device-start */
    DEFAULTS_WEB,     /* a confidential client with the code grant: password-grant, introspect */
    DEFAULTS_SERVICE, /* a confidential client with client_credentials: client-credentials */
} defaults_role;

/* The client id for a role: the first client of the config that fits it. NULL with
 * "action.config" (names the config and the role) when none fits or the config does not load. */
const char *defaults_client(defaults_role role, tl_err *e);
/* The secret the config gives client `id`, or NULL (a public or unknown client). */
const char *defaults_secret(const char *id);
/* The redirect URI a lesson sends for client `id`: its first registered one — for a native client
 * on a loopback address without a port, with DEFAULTS_LOOPBACK_PORT added, as a native app's own
 * listener would (RFC 8252 §7.3) — or, for a client without one, the loopback URI
 * http://127.0.0.1:DEFAULTS_LOOPBACK_PORT/callback. Static storage; never NULL. */
const char *defaults_redirect(const char *id);

#define DEFAULTS_LOOPBACK_PORT 8765

#endif
