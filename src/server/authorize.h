/* SPDX-License-Identifier: MIT */
/* authorize — GET /authorize, the login and consent steps (HTML and JSON). */
#ifndef TL_SERVER_AUTHORIZE_H
#define TL_SERVER_AUTHORIZE_H

#include "server/srv.h"

enum MHD_Result authorize_start(srv_req *r);
enum MHD_Result authorize_login(srv_req *r);
enum MHD_Result authorize_consent_page(srv_req *r);
enum MHD_Result authorize_consent(srv_req *r);
/* Stores a validated session (takes it) and answers with the login step. */
enum MHD_Result authorize_send_login(srv_req *r, srv_session *ss);

#endif
