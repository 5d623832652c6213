/* SPDX-License-Identifier: MIT */
/* discovery — OIDC Discovery / RFC 8414 metadata, the JWKS, /health, /endsession, the index page.
 */
#ifndef TL_SERVER_DISCOVERY_H
#define TL_SERVER_DISCOVERY_H

#include "server/srv.h"

bool discovery_build(server *s, tl_err *e);
enum MHD_Result discovery_handle(srv_req *r);
enum MHD_Result discovery_jwks(srv_req *r);
enum MHD_Result discovery_health(srv_req *r);
enum MHD_Result discovery_index(srv_req *r);
enum MHD_Result discovery_endsession(srv_req *r);

#endif
