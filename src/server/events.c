/* SPDX-License-Identifier: MIT */
/* Event fan-out and the SSE feed (see events.h). */
#include "server/events.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "jose/jsonx.h"

#define RING         256
#define MAX_SUBS     16
#define MAX_SSE      64
#define PING_SECONDS 5

typedef struct sse_client {
    struct MHD_Connection *conn;
    events *ev;
    uint64_t next; /* sequence number of the next event to send */
    bool suspended, want_ping;
    atomic_bool gone;
    atomic_int refs;
    char *pending; /* formatted bytes not yet copied out */
    size_t pending_len, pending_off;
    char lab[24]; /* "" = every event; else this student lab's and the room-wide ones */
} sse_client;

typedef struct ring_entry {
    char *text; /* formatted "event: …\ndata: …\n\n" */
    char lab[24];
    bool room;
} ring_entry;

struct events {
    pthread_mutex_t mu;
    struct {
        server_event_fn fn;
        void *ud;
    } subs[MAX_SUBS];
    size_t nsubs;
    ring_entry ring[RING];
    uint64_t seq; /* number of events ever published */
    sse_client *clients[MAX_SSE];
    size_t nclients;
    bool closing;
    pthread_t ticker;
    pthread_cond_t cv;
    bool ticker_started;
};

static void client_unref(sse_client *c)
{
    if (atomic_fetch_sub(&c->refs, 1) == 1) {
        free(c->pending);
        free(c);
    }
}

/* Drops clients whose connection is gone. Needs ev->mu. */
static void prune(events *ev)
{
    size_t w = 0;
    for (size_t i = 0; i < ev->nclients; i++) {
        sse_client *c = ev->clients[i];
        if (atomic_load(&c->gone) && !c->suspended)
            client_unref(c);
        else
            ev->clients[w++] = c;
    }
    ev->nclients = w;
}

static void *ticker_main(void *arg)
{
    events *ev = arg;
    pthread_mutex_lock(&ev->mu);
    while (!ev->closing) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += PING_SECONDS;
        pthread_cond_timedwait(&ev->cv, &ev->mu, &ts);
        if (ev->closing) break;
        /* Resume idle streams for a keep-alive comment: a write is how a dead peer is noticed. */
        for (size_t i = 0; i < ev->nclients; i++) {
            sse_client *c = ev->clients[i];
            if (c->suspended) {
                c->want_ping = true;
                c->suspended = false;
                MHD_resume_connection(c->conn);
            }
        }
        prune(ev);
    }
    pthread_mutex_unlock(&ev->mu);
    return NULL;
}

events *events_new(void)
{
    events *ev = xcalloc(1, sizeof *ev);
    pthread_mutex_init(&ev->mu, NULL);
    pthread_cond_init(&ev->cv, NULL);
    ev->ticker_started = pthread_create(&ev->ticker, NULL, ticker_main, ev) == 0;
    return ev;
}

void events_shutdown(events *ev)
{
    if (!ev) return;
    pthread_mutex_lock(&ev->mu);
    ev->closing = true;
    for (size_t i = 0; i < ev->nclients; i++) {
        sse_client *c = ev->clients[i];
        if (c->suspended) {
            c->suspended = false;
            MHD_resume_connection(c->conn);
        }
    }
    pthread_cond_broadcast(&ev->cv);
    pthread_mutex_unlock(&ev->mu);
    if (ev->ticker_started) pthread_join(ev->ticker, NULL);
    ev->ticker_started = false;
}

void events_free(events *ev)
{
    if (!ev) return;
    events_shutdown(ev);
    for (size_t i = 0; i < ev->nclients; i++) client_unref(ev->clients[i]);
    for (size_t i = 0; i < RING; i++) free(ev->ring[i].text);
    pthread_cond_destroy(&ev->cv);
    pthread_mutex_destroy(&ev->mu);
    free(ev);
}

void events_subscribe(events *ev, server_event_fn fn, void *ud)
{
    pthread_mutex_lock(&ev->mu);
    if (ev->nsubs < MAX_SUBS) {
        ev->subs[ev->nsubs].fn = fn;
        ev->subs[ev->nsubs].ud = ud;
        ev->nsubs++;
    }
    pthread_mutex_unlock(&ev->mu);
}

void events_unsubscribe(events *ev, server_event_fn fn, void *ud)
{
    pthread_mutex_lock(&ev->mu);
    size_t w = 0;
    for (size_t i = 0; i < ev->nsubs; i++)
        if (!(ev->subs[i].fn == fn && ev->subs[i].ud == ud)) ev->subs[w++] = ev->subs[i];
    ev->nsubs = w;
    pthread_mutex_unlock(&ev->mu);
}

static char *format_sse(const server_event *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "time", json_integer(e->time));
    json_object_set_new(j, "kind", json_string(e->kind ? e->kind : "info"));
    if (e->endpoint) json_object_set_new(j, "endpoint", json_string(e->endpoint));
    if (e->client_id) json_object_set_new(j, "client_id", json_string(e->client_id));
    if (e->code) json_object_set_new(j, "code", json_string(e->code));
    if (e->message) json_object_set_new(j, "message", json_string(e->message));
    if (e->lab) json_object_set_new(j, "lab", json_string(e->lab));
    char *data = jsonx_compact(j);
    json_decref(j);
    if (!data) return NULL;
    size_t n = strlen(data) + 64;
    char *out = malloc(n);
    if (out) snprintf(out, n, "event: %s\ndata: %s\n\n", e->kind ? e->kind : "info", data);
    free(data);
    return out;
}

/* Does a stream with filter `lab` carry this event? */
static bool wanted(const char *lab, const ring_entry *r)
{
    return !lab[0] || r->room || strcmp(lab, r->lab) == 0;
}

void events_publish(events *ev, const server_event *e)
{
    char *msg = format_sse(e);
    pthread_mutex_lock(&ev->mu);
    /* Subscribers are called under the lock so that server_stop never races a callback. */
    for (size_t i = 0; i < ev->nsubs; i++) ev->subs[i].fn(ev->subs[i].ud, e);
    if (msg) {
        ring_entry *slot = &ev->ring[ev->seq % RING];
        free(slot->text);
        slot->text = msg;
        snprintf(slot->lab, sizeof slot->lab, "%s", e->lab ? e->lab : "");
        slot->room = e->room;
        ev->seq++;
        for (size_t i = 0; i < ev->nclients; i++) {
            sse_client *c = ev->clients[i];
            if (c->suspended && wanted(c->lab, slot)) {
                c->suspended = false;
                MHD_resume_connection(c->conn);
            }
        }
    }
    pthread_mutex_unlock(&ev->mu);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse_client *c = cls;
    events *ev = c->ev;
    pthread_mutex_lock(&ev->mu);
    if (ev->closing) {
        pthread_mutex_unlock(&ev->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (!c->pending) {
        if (ev->seq > c->next) {
            if (ev->seq - c->next > RING) c->next = ev->seq - RING; /* a slow reader skips */
            /* batch everything pending */
            size_t total = 0;
            for (uint64_t q = c->next; q < ev->seq; q++)
                if (wanted(c->lab, &ev->ring[q % RING])) total += strlen(ev->ring[q % RING].text);
            c->pending = total ? malloc(total + 1) : NULL;
            if (c->pending) {
                size_t o = 0;
                for (uint64_t q = c->next; q < ev->seq; q++) {
                    const ring_entry *re = &ev->ring[q % RING];
                    if (!wanted(c->lab, re)) continue;
                    size_t l = strlen(re->text);
                    memcpy(c->pending + o, re->text, l);
                    o += l;
                }
                c->pending_len = o;
                c->pending_off = 0;
            }
            c->next = ev->seq;
        } else if (c->want_ping) {
            c->want_ping = false;
            c->pending = strdup(": ping\n\n");
            c->pending_len = c->pending ? 8 : 0;
            c->pending_off = 0;
        }
    }
    if (!c->pending) {
        c->suspended = true;
        MHD_suspend_connection(c->conn);
        pthread_mutex_unlock(&ev->mu);
        return 0;
    }
    size_t n = c->pending_len - c->pending_off;
    if (n > max) n = max;
    memcpy(buf, c->pending + c->pending_off, n);
    c->pending_off += n;
    if (c->pending_off == c->pending_len) {
        free(c->pending);
        c->pending = NULL;
    }
    pthread_mutex_unlock(&ev->mu);
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    sse_client *c = cls;
    atomic_store(&c->gone, true);
    client_unref(c);
}

struct MHD_Response *events_sse_response(events *ev, struct MHD_Connection *conn, const char *lab)
{
    pthread_mutex_lock(&ev->mu);
    prune(ev);
    if (ev->closing || ev->nclients >= MAX_SSE) {
        pthread_mutex_unlock(&ev->mu);
        return NULL;
    }
    sse_client *c = calloc(1, sizeof *c);
    if (!c) {
        pthread_mutex_unlock(&ev->mu);
        return NULL;
    }
    c->conn = conn;
    c->ev = ev;
    snprintf(c->lab, sizeof c->lab, "%s", lab ? lab : "");
    c->next = ev->seq;
    c->want_ping = true; /* send something at once so clients see the stream open */
    atomic_init(&c->refs, 2);
    atomic_init(&c->gone, false);
    ev->clients[ev->nclients++] = c;
    pthread_mutex_unlock(&ev->mu);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, c, sse_free);
    if (!r) {
        atomic_store(&c->gone, true);
        client_unref(c);
    }
    return r;
}
