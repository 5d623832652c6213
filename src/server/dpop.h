/* SPDX-License-Identifier: MIT */
/* dpop — the DPoP proof check, in one place (RFC 9449 §4.3): a client that holds a key pair proves
 * possession of it with every request by sending a fresh signed JWT in the `DPoP` header; the
 * authorization server binds the tokens it issues to that key (`cnf.jkt`, the key's RFC 7638
 * thumbprint, §6.1), and the API accepts such a token only with a proof signed by the same key
 * (`Authorization: DPoP TOKEN`, §7.1). A stolen DPoP-bound token is useless without the key: the
 * alternative to refresh-token rotation that RFC 9700 §2.2.2 names. */
#ifndef TL_SERVER_DPOP_H
#define TL_SERVER_DPOP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "server/srv.h"

/* How far a proof's iat may be from the server's (lab) clock, in seconds, either way (§4.3 step
 * 11 leaves the window to the server; §11.1 says keep it short). Its jti is remembered for as
 * long, so a replay inside the window is caught (step 12). */
#define DPOP_IAT_WINDOW 60

/* The algorithms a proof may be signed with (the metadata's dpop_signing_alg_values_supported,
 * RFC 9449 §5.1): asymmetric only, never none or HMAC (§4.2). NULL-terminated. */
extern const char *const DPOP_ALGS[];

/* Checks the request's `DPoP` header for `htm` + `htu` (the request's URL without query or
 * fragment) and, for a resource request, `access_token` (its hash must be the proof's `ath`); on
 * success writes the thumbprint of the proof's key into jkt[SRV_ID]. The jti goes into the replay
 * cache (the room's, shared by every lab). Errors, each with a sentence naming the rule:
 *   "dpop.missing"   no DPoP header (§4.1)
 *   "dpop.invalid"   anything §4.3 refuses: two headers, not a JWT, typ not dpop+jwt, alg none,
 *                    HMAC or unsupported, no jwk or a private one, bad signature, htm/htu
 *                    mismatch, iat outside the window, no jti, replayed jti, ath missing or wrong
 * Both are the OAuth error `invalid_dpop_proof` (RFC 9449 §5 at /token, §7.1 at the API). */
bool dpop_check(srv_req *r, const char *htm, const char *htu, const char *access_token, char *jkt,
                tl_err *e);

/* The URL the proof's htu must name for this request: the server's (or the student's lab's)
 * base URL and the request path. Writes into buf. */
const char *dpop_htu(srv_req *r, char *buf, size_t n);

/* The access token's cnf.jkt (RFC 9449 §6.1), or NULL when it is not DPoP-bound. Borrowed. */
const char *dpop_token_jkt(const json_t *claims);

#endif
