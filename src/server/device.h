/* SPDX-License-Identifier: MIT */
/* device — RFC 8628: /device_authorization and the /device user pages. */
#ifndef TL_SERVER_DEVICE_H
#define TL_SERVER_DEVICE_H

#include "server/srv.h"

enum MHD_Result device_authorization(srv_req *r);
enum MHD_Result device_entry(srv_req *r);

#endif
