/* SPDX-License-Identifier: MIT */
/* show — a decoded token for people (decode's text view) and for programs (its --json pieces). */
#ifndef TL_CLI_SHOW_H
#define TL_CLI_SHOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "jose/jwk.h"
#include "jose/jws.h"

/* The payload as JSON when it is JSON (any JSON value), else as a string (base64url when it is not
 * UTF-8); JSON null for a JWE, whose payload is encrypted. New ref. */
json_t *show_payload_json(const jws *t);
/* The time claims (iat, nbf, exp, auth_time) as UTC dates beside their epochs:
 * {"iat":"2023-11-14T22:13:20Z",…}; only those present and numeric. New ref. */
json_t *show_dates_json(const jws *t);
/* [{"code":…,"message":…},…] from jwt_warnings. `key` optional. New ref. */
json_t *show_warnings_json(const jws *t, const jwk *key, int64_t now);
/* Header, payload, times, explanations, signature and warnings, as text. */
void show_token(FILE *f, const jws *t, const jwk *key, int64_t now, bool color);

#endif
