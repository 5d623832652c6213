/* SPDX-License-Identifier: MIT */
/* defaults — the lesson's default clients, from the server config. */
#include "lesson/defaults.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "server/config.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static config *cfg;            /* loaded once, kept for the life of the process */
static tl_err cfg_err;         /* why it did not load */
static char redirect[16][256]; /* each client's default redirect URI, "" when it has none */

static void with_port(const char *uri, char *out, size_t n);

static void load(void)
{
    if (!config_load(NULL, &cfg, &cfg_err)) cfg = NULL;
    for (size_t i = 0; cfg && i < cfg->nclients && i < sizeof redirect / sizeof redirect[0]; i++) {
        const config_client *cl = &cfg->clients[i];
        if (cl->nredirect == 0) continue;
        if (cl->native)
            with_port(cl->redirect_uris[0], redirect[i], sizeof redirect[i]);
        else
            snprintf(redirect[i], sizeof redirect[i], "%s", cl->redirect_uris[0]);
    }
}

static const config *get(void)
{
    pthread_once(&once, load);
    return cfg;
}

const char *defaults_client(defaults_role role, tl_err *e)
{
    static const char *const what[] = {
        [DEFAULTS_PUBLIC] = "a public client with the device grant",
        [DEFAULTS_WEB] = "a confidential client with the authorization_code grant",
        [DEFAULTS_SERVICE] = "a confidential client with the client_credentials grant",
    };
    const config *c = get();
    if (!c) {
        err_set(e, "action.config", "the server config does not load: %s", cfg_err.msg);
        return NULL;
    }
    const config_client *cl =
        role == DEFAULTS_PUBLIC
            ? config_client_with(c, false, CONFIG_GRANT_DEVICE)
            : config_client_with(c, true,
                                 role == DEFAULTS_WEB ? CONFIG_GRANT_CODE
                                                      : CONFIG_GRANT_CLIENT_CREDENTIALS);
    if (!cl)
        err_set(e, "action.config",
                "the server config (assets/config.json) has no %s for a lesson to act as; name one "
                "with client=ID",
                what[role]);
    return cl ? cl->client_id : NULL;
}

const char *defaults_secret(const char *id)
{
    const config *c = get();
    const config_client *cl = c ? config_client_by_id(c, id) : NULL;
    return cl && cl->confidential ? cl->secret : NULL;
}

/* "http://127.0.0.1/callback" → "http://127.0.0.1:8765/callback" (a loopback host, no port). */
static void with_port(const char *uri, char *out, size_t n)
{
    const char *host = strstr(uri, "://");
    host = host ? host + 3 : uri;
    size_t hl = strcspn(host, "/?#");
    bool loopback = (hl == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
                    (hl == 9 && strncmp(host, "localhost", 9) == 0) ||
                    (hl == 5 && strncmp(host, "[::1]", 5) == 0);
    if (loopback)
        snprintf(out, n, "%.*s:%d%s", (int)(host - uri) + (int)hl, uri, DEFAULTS_LOOPBACK_PORT,
                 host + hl);
    else
        snprintf(out, n, "%s", uri);
}

const char *defaults_redirect(const char *id)
{
    static const char fallback[] = "http://127.0.0.1:8765/callback";
    _Static_assert(DEFAULTS_LOOPBACK_PORT == 8765, "the fallback URI names the port");
    const config *c = get();
    for (size_t i = 0; c && id && i < c->nclients && i < sizeof redirect / sizeof redirect[0];
         i++) {
        if (strcmp(c->clients[i].client_id, id) == 0 && redirect[i][0]) return redirect[i];
    }
    return fallback;
}
