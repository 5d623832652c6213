/* SPDX-License-Identifier: MIT */
/* events — what the server decided and why: in-process subscribers (server_subscribe) and the
 * server-sent-events feed GET /lab/events. SSE connections are suspended while idle (no thread
 * is held) and resumed when an event arrives or every few seconds for a keep-alive comment. */
#ifndef TL_SERVER_EVENTS_H
#define TL_SERVER_EVENTS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "server/server.h"

typedef struct events events;

events *events_new(void); /* never NULL: out of memory aborts (base/xalloc) */
/* Resumes and ends every SSE stream; call before MHD_stop_daemon. */
void events_shutdown(events *ev);
void events_free(events *ev);
void events_subscribe(events *ev, server_event_fn fn, void *ud);
void events_unsubscribe(events *ev, server_event_fn fn, void *ud);
/* Delivers to subscribers and SSE clients. Thread-safe. */
void events_publish(events *ev, const server_event *e);
/* A streaming response for GET /lab/events on `conn` (the daemon needs
 * MHD_ALLOW_SUSPEND_RESUME). `lab` NULL or "": every event; "st-7": that student lab's events and
 * the room-wide ones only. NULL when shutting down or too many streams. */
struct MHD_Response *events_sse_response(events *ev, struct MHD_Connection *conn, const char *lab);

#endif
