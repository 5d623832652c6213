/* SPDX-License-Identifier: MIT */
/* jwkscache — JWKS by kid, refetched on an unknown kid at most once per interval. */
#include "oauth/jwkscache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oauth/flow.h"

struct jwkscache {
    http_client *http;
    char *url;
    jwks *keys;
    uint64_t inflight; /* exchange id of the fetch in flight, 0 = none */
    int64_t last_fetch_ms;
    int64_t min_refetch_ms;
    unsigned fetches;
    bool have_fetched;
    tl_err last_err; /* of the last fetch; code NULL when it worked */
    jwkscache_fn fn;
    void *ud;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

jwkscache *jwkscache_new(http_client *http, const char *jwks_url)
{
    if (!http || !jwks_url) return NULL;
    jwkscache *jc = calloc(1, sizeof *jc);
    if (!jc) return NULL;
    jc->http = http;
    jc->url = strdup(jwks_url);
    jc->min_refetch_ms = JWKSCACHE_MIN_REFETCH_MS;
    if (!jc->url) {
        free(jc);
        return NULL;
    }
    return jc;
}

void jwkscache_free(jwkscache *jc)
{
    if (!jc) return;
    if (jc->inflight) {
        uint64_t id = jc->inflight;
        jc->fn = NULL;
        http_cancel(jc->http, id); /* on_done sees the cancel and must not touch a freed cache */
    }
    jwks_free(jc->keys);
    free(jc->url);
    free(jc);
}

void jwkscache_on_update(jwkscache *jc, jwkscache_fn fn, void *ud)
{
    jc->fn = fn;
    jc->ud = ud;
}

static void on_done(http_client *c, http_exchange *x, void *ud)
{
    jwkscache *jc = ud;
    jc->inflight = 0;
    if (x->state == HTTP_CANCELLED) return;
    tl_err e = {0};
    bool ok = false;
    if (x->state != HTTP_DONE) {
        err_set(&e, "jwks.fetch", "%s", x->err.msg);
    } else if (x->status != 200) {
        err_set(&e, "jwks.fetch", "GET %s answered %ld", x->url, x->status);
    } else {
        jwks *set = NULL;
        if (jwks_parse(x->body, x->body_len, &set, &e)) {
            jwks_free(jc->keys);
            jc->keys = set;
            ok = true;
        } else {
            err_prefix(&e, "JWKS from %s: ", x->url);
        }
    }
    jc->last_err = e;
    if (jc->fn) jc->fn(jc, ok, ok ? NULL : &jc->last_err, jc->ud);
}

bool jwkscache_refresh(jwkscache *jc, tl_err *e)
{
    if (jc->inflight) return true;
    http_request *r = flow_jwks_request(jc->url, e);
    if (!r) return false;
    uint64_t id = 0;
    bool ok = http_send(jc->http, r, on_done, jc, &id, e);
    http_request_free(r);
    if (!ok) return false;
    jc->inflight = id;
    jc->last_fetch_ms = mono_ms();
    jc->have_fetched = true;
    jc->fetches++;
    return true;
}

jwkscache_status jwkscache_find(jwkscache *jc, const char *kid, jwk **out, tl_err *e)
{
    *out = NULL;
    if (jc->keys) {
        const jwk *k = NULL;
        if (kid)
            k = jwks_find_kid(jc->keys, kid);
        else if (jwks_count(jc->keys) == 1)
            k = jwks_get(jc->keys, 0);
        if (k) {
            *out = jwk_ref((jwk *)k);
            return JWKSCACHE_FOUND;
        }
    }
    if (jc->inflight) return JWKSCACHE_FETCHING;
    bool may = !jc->have_fetched || mono_ms() - jc->last_fetch_ms >= jc->min_refetch_ms;
    if (may && (kid || !jc->keys)) {
        tl_err le = {0};
        if (!jwkscache_refresh(jc, &le)) {
            if (e) *e = le;
            return JWKSCACHE_ERROR;
        }
        return JWKSCACHE_FETCHING;
    }
    if (jc->last_err.code) {
        if (e) *e = jc->last_err;
        return JWKSCACHE_ERROR;
    }
    if (!kid)
        err_set(e, "jwks.no_kid",
                "the token has no kid and the server's JWKS has %zu keys: cannot tell which one",
                jc->keys ? jwks_count(jc->keys) : 0);
    else
        err_set(e, "jwks.unknown_kid",
                "no key with kid '%.80s' in the server's JWKS (fetched again less than %lld s ago)",
                kid, (long long)(jc->min_refetch_ms / 1000));
    return JWKSCACHE_UNKNOWN;
}

bool jwkscache_fetch_sync(jwkscache *jc, int timeout_ms, tl_err *e)
{
    if (!jwkscache_refresh(jc, e)) return false;
    while (jc->inflight) {
        if (!http_wait(jc->http, timeout_ms)) {
            if (jc->inflight) http_cancel(jc->http, jc->inflight);
            return err_set(e, "jwks.fetch", "no JWKS from %s within %d ms", jc->url, timeout_ms);
        }
    }
    if (jc->last_err.code) {
        if (e) *e = jc->last_err;
        return false;
    }
    return true;
}

const jwks *jwkscache_keys(const jwkscache *jc)
{
    return jc->keys;
}

unsigned jwkscache_fetch_count(const jwkscache *jc)
{
    return jc->fetches;
}

void jwkscache_set_min_refetch_ms(jwkscache *jc, int64_t ms)
{
    jc->min_refetch_ms = ms;
}
