/* SPDX-License-Identifier: MIT */
/* member — a learner's membership of a class server (docs/class.md), for the TUI (tui/join.c) and
 * the headless player (`tokenlab lessons check --server URL --join CODE`): joining, and the
 * student's own account put into the course in place of the demo user's. */
#ifndef TL_LESSON_MEMBER_H
#define TL_LESSON_MEMBER_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "lesson/course.h"
#include "oauth/http.h"

/* POST ROOM/class/join {code, name}. On 201 *out is the server's answer (new reference: student_id,
 * student_token, user, client, server = the student's own lab). Errors: "join.io" (unreachable),
 * "join.refused" (the server's error_description, or what a 404 means). */
bool member_join(http_client *h, const char *room_url, const char *code, const char *name,
                 json_t **out, tl_err *e);

/* The student's lab: member.server (their own issuer and /lab/ endpoints, docs/class.md), or
 * `room_url` when the server predates per-student labs. Borrowed from `member`/`room_url`. */
const char *member_lab_url(const json_t *member, const char *room_url);

/* Puts the student's account (member.user: email, password, sub) into every action and check of
 * `c` in place of the demo user alice@example.com / wonderland / alice. */
void member_apply(course *c, const json_t *member);

#endif
