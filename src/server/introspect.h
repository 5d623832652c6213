/* SPDX-License-Identifier: MIT */
/* introspect — POST /introspect (RFC 7662) and POST /revoke (RFC 7009). */
#ifndef TL_SERVER_INTROSPECT_H
#define TL_SERVER_INTROSPECT_H

#include "server/srv.h"

enum MHD_Result introspect_handle(srv_req *r);
enum MHD_Result introspect_revoke(srv_req *r);

#endif
