/* SPDX-License-Identifier: MIT */
/* par — pushed authorization requests (RFC 9126): the client sends its authorization request
 * straight to the server (POST /par, authenticated like /token) and gets a short-lived, single-use
 * `request_uri`; the browser then carries only `client_id` and `request_uri` to /authorize. The
 * parameters never travel in the front channel, cannot be changed there, and are validated before
 * the user sees anything. What still passes through the browser: client_id, request_uri and the
 * response (the code and state) — RFC 9126 §4. */
#ifndef TL_SERVER_PAR_H
#define TL_SERVER_PAR_H

#include <stdbool.h>

#include "server/srv.h"

#define PAR_TTL        60 /* seconds a request_uri lives (RFC 9126 §2.2: "short-lived") */
#define PAR_URI_PREFIX "urn:ietf:params:oauth:request_uri:"

/* POST /par: client authentication, then the parameters are validated exactly as /authorize
 * validates them (authorize_start with r->pushed set: its refusals become 400 JSON errors instead
 * of redirects, RFC 9126 §2.3); a `request_uri` among them is refused (§2.1). On success 201
 * {"request_uri": "urn:ietf:params:oauth:request_uri:…", "expires_in": 60}. */
enum MHD_Result par_handle(srv_req *r);

/* Called by authorize_start when it validated a pushed request: stores r->body under a new
 * request_uri and answers 201. */
enum MHD_Result par_store(srv_req *r, const char *client_id);

/* GET /authorize with request_uri: replaces r->query with the pushed parameters (single use; the
 * query's client_id must be the pushing client's, RFC 9126 §4). False with an error page queued
 * in *res when the request_uri is unknown, used, expired or another client's. */
bool par_resolve(srv_req *r, enum MHD_Result *res);

/* Frees a stored pushed request (the store's free function). */
void par_entry_free(void *v);

#endif
