/* SPDX-License-Identifier: MIT */
/* token — POST /token: every grant, and the minting of tokens. */
#ifndef TL_SERVER_TOKEN_H
#define TL_SERVER_TOKEN_H

#include "server/srv.h"

enum MHD_Result token_handle(srv_req *r);
/* Marks a grant revoked: its refresh tokens and access tokens stop working. */
void token_revoke_grant(server *s, const char *grant_id, const char *why);

#endif
