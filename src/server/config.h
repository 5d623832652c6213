/* SPDX-License-Identifier: MIT */
/* config — the server's users, clients, scopes, lifetimes and signing settings, loaded from a JSON
 * file (default: assets/config.json, on disk or compiled in). Read-only after loading. */
#ifndef TL_SERVER_CONFIG_H
#define TL_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "jose/jws.h"
#include "server/reqparse.h"

enum {
    CONFIG_GRANT_CODE = 1,
    CONFIG_GRANT_REFRESH = 2,
    CONFIG_GRANT_CLIENT_CREDENTIALS = 4,
    CONFIG_GRANT_DEVICE = 8,
};

typedef struct config_user {
    char *sub, *email, *name, *given_name, *family_name;
    bool email_verified;
    char *password_hash; /* "pbkdf2-sha256$ITER$SALT$HASH" (base64url) */
    char **notes;
    size_t nnotes;
} config_user;

typedef struct config_client {
    char *client_id, *name;
    bool confidential;
    bool native;      /* RFC 8252: loopback redirect URIs may use any port */
    bool require_par; /* require_pushed_authorization_requests (RFC 9126 §6) */
    bool dpop_bound;  /* dpop_bound_access_tokens: every token request needs a DPoP proof (RFC 9449
                         §5.2) */
    char *secret;
    char **redirect_uris;
    size_t nredirect;
    char **post_logout_uris;
    size_t npost_logout;
    unsigned grants; /* CONFIG_GRANT_* */
    reqparse_scopes scopes;
} config_client;

typedef struct config_scope {
    char *name, *description;
} config_scope;

/* Run-time additions (the class server's students): consulted by the lookups below when the
 * loaded config has no match. Returned pointers must stay valid until the server stops. */
typedef struct config_ext {
    void *ud;
    const struct config_user *(*user_by_email)(void *ud, const char *email);
    const struct config_user *(*user_by_sub)(void *ud, const char *sub);
    const struct config_client *(*client_by_id)(void *ud, const char *id);
} config_ext;

typedef struct config {
    const config_ext *ext; /* NULL unless a class is running; set before the daemon starts */
    config_user *users;
    size_t nusers;
    config_client *clients;
    size_t nclients;
    config_scope *scopes;
    size_t nscopes;
    jws_alg alg;
    char *key_file; /* PEM or JWK of the signing key, or NULL = generate at start */
    int64_t access_ttl, id_ttl, refresh_ttl, code_ttl, login_ttl, device_ttl, session_ttl;
    int64_t device_interval;
} config;

/* path NULL = assets/config.json. Errors "server.config" with the file and what is wrong. */
bool config_load(const char *path, config **out, tl_err *e);
bool config_parse(const char *text, size_t len, config **out, tl_err *e);
void config_free(config *c);

const config_user *config_user_by_email(const config *c, const char *email);
const config_user *config_user_by_sub(const config *c, const char *sub);
const config_client *config_client_by_id(const config *c, const char *id);
/* The first client of the loaded config (not the run-time additions) that is confidential or public
 * as asked and allows every grant in `grant` (CONFIG_GRANT_* bits), or NULL. */
const config_client *config_client_with(const config *c, bool confidential, unsigned grant);
const config_scope *config_scope_find(const config *c, const char *name);

#endif
