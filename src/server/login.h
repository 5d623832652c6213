/* SPDX-License-Identifier: MIT */
/* login — POST /login: the JWT login (HS256, the server's own secret). */
#ifndef TL_SERVER_LOGIN_H
#define TL_SERVER_LOGIN_H

#include "server/srv.h"

enum MHD_Result login_handle(srv_req *r);

#endif
