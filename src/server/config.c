/* SPDX-License-Identifier: MIT */
/* Loading the server configuration (see config.h). */
#include "server/config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "jose/jsonx.h"

static char *dupstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? strdup(s) : NULL;
}

static char **dup_list(const json_t *arr, size_t *n)
{
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0) return NULL;
    char **v = calloc(json_array_size(arr), sizeof *v);
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (json_is_string(x)) v[(*n)++] = strdup(json_string_value(x));
    }
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int64_t num(const json_t *o, const char *k, int64_t def)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : def;
}

bool config_parse(const char *text, size_t len, config **out, tl_err *e)
{
    *out = NULL;
    tl_err je = {0};
    json_t *j = jsonx_parse(text, len, true, &je);
    if (!j) return err_set(e, "server.config", "config is not valid JSON: %s", je.msg);
    config *c = calloc(1, sizeof *c);
    json_t *sig = json_object_get(j, "signing");
    const char *alg = json_string_value(json_object_get(sig, "alg"));
    c->alg = alg ? jws_alg_from_name(alg) : JWS_RS256;
    if (c->alg != JWS_RS256 && c->alg != JWS_ES256 && c->alg != JWS_EDDSA &&
        c->alg != JWS_ED25519 && c->alg != JWS_PS256 && c->alg != JWS_RS384 &&
        c->alg != JWS_RS512 && c->alg != JWS_ES384 && c->alg != JWS_PS384 && c->alg != JWS_PS512 &&
        c->alg != JWS_ES512) {
        err_set(e, "server.config",
                "signing.alg '%s' is not an asymmetric JWS algorithm (use RS256, ES256 or Ed25519)",
                alg ? alg : "?");
        json_decref(j);
        config_free(c);
        return false;
    }
    c->key_file = dupstr(sig, "key_file");
    json_t *lt = json_object_get(j, "lifetimes");
    c->access_ttl = num(lt, "access_token", 900);
    c->id_ttl = num(lt, "id_token", 900);
    c->refresh_ttl = num(lt, "refresh_token", 86400);
    c->code_ttl = num(lt, "code", 60);
    if (c->code_ttl > 60) c->code_ttl = 60; /* RFC 6749 §4.1.2: 10 minutes max; we keep ≤ 60 s */
    c->login_ttl = num(lt, "login_token", 900);
    c->device_ttl = num(lt, "device_code", 600);
    c->session_ttl = num(lt, "session", 600);
    c->device_interval = num(j, "device_poll_interval", 5);

    json_t *arr = json_object_get(j, "scopes");
    size_t i;
    json_t *x;
    c->scopes = calloc(json_array_size(arr) + 1, sizeof *c->scopes);
    json_array_foreach(arr, i, x)
    {
        if (!json_is_string(json_object_get(x, "name"))) continue;
        c->scopes[c->nscopes].name = dupstr(x, "name");
        c->scopes[c->nscopes].description = dupstr(x, "description");
        if (!c->scopes[c->nscopes].description) c->scopes[c->nscopes].description = strdup("");
        c->nscopes++;
    }
    arr = json_object_get(j, "users");
    c->users = calloc(json_array_size(arr) + 1, sizeof *c->users);
    json_array_foreach(arr, i, x)
    {
        config_user *u = &c->users[c->nusers];
        u->sub = dupstr(x, "sub");
        u->email = dupstr(x, "email");
        u->password_hash = dupstr(x, "password_hash");
        if (!u->sub || !u->email || !u->password_hash) {
            json_decref(j);
            c->nusers++;
            config_free(c);
            return err_set(e, "server.config", "users[%zu] needs sub, email and password_hash", i);
        }
        u->name = dupstr(x, "name");
        u->given_name = dupstr(x, "given_name");
        u->family_name = dupstr(x, "family_name");
        u->email_verified = json_is_true(json_object_get(x, "email_verified"));
        u->notes = dup_list(json_object_get(x, "notes"), &u->nnotes);
        c->nusers++;
    }
    arr = json_object_get(j, "clients");
    c->clients = calloc(json_array_size(arr) + 1, sizeof *c->clients);
    json_array_foreach(arr, i, x)
    {
        config_client *cl = &c->clients[c->nclients++];
        cl->client_id = dupstr(x, "client_id");
        cl->name = dupstr(x, "name");
        const char *type = json_string_value(json_object_get(x, "type"));
        cl->confidential = type && strcmp(type, "confidential") == 0;
        cl->native = json_is_true(json_object_get(x, "native"));
        cl->dpop_bound = json_is_true(json_object_get(x, "dpop_bound_access_tokens"));
        cl->require_par = json_is_true(json_object_get(x, "require_pushed_authorization_requests"));
        cl->secret = dupstr(x, "secret");
        if (!cl->client_id || (cl->confidential && !cl->secret)) {
            json_decref(j);
            config_free(c);
            return err_set(e, "server.config",
                           "clients[%zu] needs a client_id (and a secret when confidential)", i);
        }
        if (!cl->name) cl->name = strdup(cl->client_id);
        cl->redirect_uris = dup_list(json_object_get(x, "redirect_uris"), &cl->nredirect);
        cl->post_logout_uris =
            dup_list(json_object_get(x, "post_logout_redirect_uris"), &cl->npost_logout);
        size_t k;
        json_t *g;
        json_array_foreach(json_object_get(x, "grant_types"), k, g)
        {
            const char *gs = json_string_value(g);
            if (!gs) continue;
            if (strcmp(gs, "authorization_code") == 0) cl->grants |= CONFIG_GRANT_CODE;
            if (strcmp(gs, "refresh_token") == 0) cl->grants |= CONFIG_GRANT_REFRESH;
            if (strcmp(gs, "client_credentials") == 0)
                cl->grants |= CONFIG_GRANT_CLIENT_CREDENTIALS;
            if (strcmp(gs, "urn:ietf:params:oauth:grant-type:device_code") == 0)
                cl->grants |= CONFIG_GRANT_DEVICE;
        }
        json_array_foreach(json_object_get(x, "scopes"), k, g)
        {
            if (json_is_string(g) && cl->scopes.n < REQPARSE_MAX_SCOPES)
                cl->scopes.v[cl->scopes.n++] = strdup(json_string_value(g));
        }
    }
    json_decref(j);
    *out = c;
    return true;
}

bool config_load(const char *path, config **out, tl_err *e)
{
    char *text = NULL;
    size_t len = 0;
    tl_err re = {0};
    bool ok = path ? fileio_read(path, 1 << 20, &text, &len, &re)
                   : assets_read("config.json", &text, &len, &re);
    if (!ok)
        return err_set(e, "server.config", "cannot read %s: %s", path ? path : "assets/config.json",
                       re.msg);
    ok = config_parse(text, len, out, e);
    free(text);
    if (!ok) err_prefix(e, "%s: ", path ? path : "assets/config.json");
    return ok;
}

void config_free(config *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nusers; i++) {
        config_user *u = &c->users[i];
        free(u->sub);
        free(u->email);
        free(u->name);
        free(u->given_name);
        free(u->family_name);
        free(u->password_hash);
        free_list(u->notes, u->nnotes);
    }
    for (size_t i = 0; i < c->nclients; i++) {
        config_client *cl = &c->clients[i];
        free(cl->client_id);
        free(cl->name);
        free(cl->secret);
        free_list(cl->redirect_uris, cl->nredirect);
        free_list(cl->post_logout_uris, cl->npost_logout);
        reqparse_scopes_free(&cl->scopes);
    }
    for (size_t i = 0; i < c->nscopes; i++) {
        free(c->scopes[i].name);
        free(c->scopes[i].description);
    }
    free(c->users);
    free(c->clients);
    free(c->scopes);
    free(c->key_file);
    free(c);
}

const config_user *config_user_by_email(const config *c, const char *email)
{
    if (!email) return NULL;
    for (size_t i = 0; i < c->nusers; i++)
        if (strcasecmp(c->users[i].email, email) == 0) return &c->users[i];
    return c->ext ? c->ext->user_by_email(c->ext->ud, email) : NULL;
}

const config_user *config_user_by_sub(const config *c, const char *sub)
{
    if (!sub) return NULL;
    for (size_t i = 0; i < c->nusers; i++)
        if (strcmp(c->users[i].sub, sub) == 0) return &c->users[i];
    return c->ext ? c->ext->user_by_sub(c->ext->ud, sub) : NULL;
}

const config_client *config_client_by_id(const config *c, const char *id)
{
    if (!id) return NULL;
    for (size_t i = 0; i < c->nclients; i++)
        if (strcmp(c->clients[i].client_id, id) == 0) return &c->clients[i];
    return c->ext ? c->ext->client_by_id(c->ext->ud, id) : NULL;
}

const config_client *config_client_with(const config *c, bool confidential, unsigned grant)
{
    for (size_t i = 0; i < c->nclients; i++)
        if (c->clients[i].confidential == confidential && (c->clients[i].grants & grant) == grant)
            return &c->clients[i];
    return NULL;
}

const config_scope *config_scope_find(const config *c, const char *name)
{
    for (size_t i = 0; i < c->nscopes; i++)
        if (strcmp(c->scopes[i].name, name) == 0) return &c->scopes[i];
    return NULL;
}
