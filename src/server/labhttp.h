/* SPDX-License-Identifier: MIT */
/* labhttp — the lab over HTTP: clock, switches, state, key rotation, the SSE feed. */
#ifndef TL_SERVER_LABHTTP_H
#define TL_SERVER_LABHTTP_H

#include "server/srv.h"

enum MHD_Result labhttp_events(srv_req *r);
enum MHD_Result labhttp_clock(srv_req *r);
enum MHD_Result labhttp_switch(srv_req *r);
enum MHD_Result labhttp_state(srv_req *r);
enum MHD_Result labhttp_rotate(srv_req *r);

#endif
