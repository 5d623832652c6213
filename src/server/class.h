/* SPDX-License-Identifier: MIT */
/* class — the class server (issue 6, docs/class.md): students join with a code and get their own
 * user account and confidential client, report lesson progress and quiz answers; the instructor
 * (a key) reads the room's state, its event feed, exports the results and flips lab switches for
 * everyone. In-memory and bounded; the optional results file is the only persistence. */
#ifndef TL_SERVER_CLASS_H
#define TL_SERVER_CLASS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "base/err.h"
#include "server/server.h"

struct srv_req;

/* Called by server_start (o->class_mode) before the daemon starts; error "server.class". */
bool class_start(server *s, const server_options *o, tl_err *e);
/* Called by server_stop after the daemon stopped: writes the results file one last time, frees. */
/* Called by server_start once the base URL is known: the labs of the students a restarted room
 * took back from its database. */
bool class_ready(server *s, tl_err *e);
void class_stop(server *s);
/* Every request whose path starts with /class/ (class mode only). */
enum MHD_Result class_handle(struct srv_req *r);

/* The join code ("ABC234") and the instructor key; NULL when not in class mode. Borrowed. */
/* The lab of the student named at the start of `p` ("st-7/token" → st-7's lab, *rest = "/token"),
 * or NULL when there is no such student. Borrowed: labs live until class_stop. */
server *class_lab(server *s, const char *p, const char **rest);
const char *class_join_code(const server *s);
const char *class_instructor_key(const server *s);
size_t class_student_count(const server *s);

#endif
