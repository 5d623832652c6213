/* route — every endpoint handler, one module each; server.c dispatches on method and path. */
#ifndef TL_SERVER_ROUTE_H
#define TL_SERVER_ROUTE_H

#include "server/srv.h"

/* discovery.c */
bool discovery_build(server *s, tl_err *e);
enum MHD_Result discovery_handle(srv_req *r);
enum MHD_Result discovery_jwks(srv_req *r);
enum MHD_Result discovery_health(srv_req *r);
enum MHD_Result discovery_index(srv_req *r);
enum MHD_Result discovery_endsession(srv_req *r);
/* authorize.c */
enum MHD_Result authorize_start(srv_req *r);
enum MHD_Result authorize_login(srv_req *r);
enum MHD_Result authorize_consent_page(srv_req *r);
enum MHD_Result authorize_consent(srv_req *r);
/* Stores a validated session (takes it) and answers with the login step. */
enum MHD_Result authorize_send_login(srv_req *r, srv_session *ss);
/* token.c */
enum MHD_Result token_handle(srv_req *r);
/* Marks a grant revoked: its refresh tokens and access tokens stop working. */
void token_revoke_grant(server *s, const char *grant_id, const char *why);
/* device.c */
enum MHD_Result device_authorization(srv_req *r);
enum MHD_Result device_entry(srv_req *r);
/* api.c */
/* Validates a bearer token the way the API does (signature, alg, iss, aud, exp, revocation, and
 * the lab switches). access_only: only RFC 9068 access tokens (typ at+jwt), for /userinfo.
 * Returns the claims (new ref) or NULL with *code ("invalid_token") and msg filled. */
json_t *api_check_token(server *s, const char *token, bool access_only, char *msg, size_t n);
enum MHD_Result api_profile(srv_req *r);
enum MHD_Result api_notes(srv_req *r);
enum MHD_Result api_userinfo(srv_req *r);
/* introspect.c */
enum MHD_Result introspect_handle(srv_req *r);
enum MHD_Result introspect_revoke(srv_req *r);
/* login.c */
enum MHD_Result login_handle(srv_req *r);
/* labhttp.c */
enum MHD_Result labhttp_events(srv_req *r);
enum MHD_Result labhttp_clock(srv_req *r);
enum MHD_Result labhttp_switch(srv_req *r);
enum MHD_Result labhttp_state(srv_req *r);
enum MHD_Result labhttp_rotate(srv_req *r);

#endif
