/* SPDX-License-Identifier: MIT */
/* api — the protected API, /userinfo, and bearer-token validation. */
#ifndef TL_SERVER_API_H
#define TL_SERVER_API_H

#include "server/srv.h"

/* Validates a bearer token the way the API does (signature, alg, iss, aud, exp, revocation, and
 * the lab switches). access_only: only RFC 9068 access tokens (typ at+jwt), for /userinfo.
 * Returns the claims (new ref) or NULL with *code ("invalid_token") and msg filled. */
json_t *api_check_token(server *s, const char *token, bool access_only, char *msg, size_t n);
enum MHD_Result api_profile(srv_req *r);
enum MHD_Result api_notes(srv_req *r);
enum MHD_Result api_userinfo(srv_req *r);

#endif
