/* SPDX-License-Identifier: MIT */
/* /lab/...: the lab over HTTP, so the TUI and lessons work the same against a remote class server.
 * Changes need the header X-Tokenlab-Lab-Key (compared in constant time); /lab/events is open. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/labhttp.h"
#include "server/secret.h"

enum MHD_Result labhttp_events(srv_req *r)
{
    struct MHD_Response *resp = events_sse_response(r->s->ev, r->conn, r->s->lab_id);
    if (!resp)
        return srv_oauth_error(r, 503, NULL, "temporarily_unavailable", NULL,
                               "too many event streams open");
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    unsigned labs = srv_labs(r->s);
    char buf[256];
    if (labs) MHD_add_response_header(resp, "X-Tokenlab-Lab", lab_format(labs, buf, sizeof buf));
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    r->responded = true;
    return ret;
}

/* The lab key; a student's lab also takes the room's (the instructor's) and, as Authorization:
 * Bearer, the student token that is its own key. */
static bool authorized(srv_req *r, enum MHD_Result *res)
{
    const char *key = srv_header(r, "X-Tokenlab-Lab-Key");
    server *s = r->s;
    if (!key && s->root != s) {
        const char *h = srv_header(r, "Authorization");
        if (h && strncasecmp(h, "Bearer ", 7) == 0) key = h + 7;
    }
    if (key && !srv_guess_allowed(r, SRV_GUESS_LAB_KEY, NULL, false, res)) return false;
    if (secret_equal(key, s->lab_key) || (s->root != s && secret_equal(key, s->root->lab_key)))
        return true;
    if (key) srv_guess_failed(r, SRV_GUESS_LAB_KEY, NULL);
    if (s->root != s) {
        *res = srv_oauth_error(r, 401, NULL, "invalid_client", NULL,
                               key ? "this lab is another student's: its key is that student's "
                                     "student_token"
                                   : "your lab's key is your student_token (X-Tokenlab-Lab-Key or "
                                     "Authorization: Bearer)");
        return false;
    }
    *res = srv_oauth_error(r, 401, NULL, "invalid_client", NULL,
                           key ? "wrong X-Tokenlab-Lab-Key"
                               : "lab control needs the header X-Tokenlab-Lab-Key (printed by "
                                 "tokenlab serve at start)");
    return false;
}

static bool truthy(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 ||
                 strcmp(v, "yes") == 0);
}

static json_t *state_json(server *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "now", json_integer(srv_now(s)));
    json_object_set_new(j, "clock_offset", json_integer((json_int_t)srv_clock_offset(s)));
    json_t *on = json_array();
    json_t *all = json_object();
    unsigned labs = srv_labs(s);
    const char *const *names = lab_names();
    for (size_t i = 0; names[i]; i++) {
        if (labs & (1u << i)) json_array_append_new(on, json_string(names[i]));
        json_object_set_new(all, names[i], json_string(lab_describe(names[i])));
    }
    json_object_set_new(j, "switches", on);
    if (s->root != s) { /* a student's lab: which switches and offset are the room's */
        json_t *room = json_array();
        unsigned rl = atomic_load(&s->root->labs);
        for (size_t i = 0; names[i]; i++)
            if (rl & (1u << i)) json_array_append_new(room, json_string(names[i]));
        json_object_set_new(j, "room_switches", room);
        json_object_set_new(j, "room_clock_offset",
                            json_integer((json_int_t)atomic_load(&s->root->clock_offset)));
        json_object_set_new(j, "lab", json_string(s->lab_id));
    }
    json_object_set_new(j, "known_switches", all);
    json_object_set_new(j, "issuer", json_string(s->issuer));
    return j;
}

enum MHD_Result labhttp_state(srv_req *r)
{
    enum MHD_Result res;
    if (!authorized(r, &res)) return res;
    return srv_send_json(r, 200, state_json(r->s), NULL);
}

enum MHD_Result labhttp_clock(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res) || !authorized(r, &res)) return res;
    const char *adv = srv_form(r, "advance");
    if (truthy(srv_form(r, "reset"))) {
        server_clock_reset(r->s);
    } else if (adv) {
        char *end = NULL;
        long long n = strtoll(adv, &end, 10);
        if (!*adv || *end || n < -365LL * 86400 * 10 || n > 365LL * 86400 * 10)
            return srv_oauth_error(r, 400, NULL, "invalid_request", NULL,
                                   "advance must be a number of seconds (within ±10 years)");
        server_clock_advance(r->s, n);
    } else {
        return srv_oauth_error(r, 400, NULL, "invalid_request", NULL,
                               "send advance=SECONDS or reset=1");
    }
    char msg[120];
    snprintf(msg, sizeof msg, "clock offset is now %+lld s", (long long)srv_clock_offset(r->s));
    srv_event(r->s, "info", "/lab/clock", NULL, NULL, msg);
    return srv_send_json(r, 200, state_json(r->s), NULL);
}

enum MHD_Result labhttp_switch(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res) || !authorized(r, &res)) return res;
    const char *name = srv_form(r, "name");
    tl_err e = {0};
    if (!server_set_lab(r->s, name, truthy(srv_form(r, "on")), &e))
        return srv_oauth_error(r, 400, NULL, "invalid_request", NULL, "%s", e.msg);
    return srv_send_json(r, 200, state_json(r->s), NULL);
}

enum MHD_Result labhttp_rotate(srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res) || !authorized(r, &res)) return res;
    server *s = r->s;
    if (s->root != s && !secret_equal(srv_header(r, "X-Tokenlab-Lab-Key"), s->root->lab_key))
        return srv_oauth_error(r, 403, NULL, "access_denied", NULL,
                               "the signing key is the whole room's: only the instructor (the "
                               "room's lab key) can rotate it");
    tl_err e = {0};
    int64_t keep = s->cfg->access_ttl > s->cfg->id_ttl ? s->cfg->access_ttl : s->cfg->id_ttl;
    if (!keys_rotate(s->keys, srv_now(s), keep + 60, &e))
        return srv_oauth_error(r, 500, NULL, "server_error", NULL, "%s", e.msg);
    srv_event(s, "info", "/lab/rotate-keys", NULL, NULL,
              "signing key rotated; the old key stays in /jwks until its tokens expire");
    size_t len = 0;
    return srv_send(r, 200, "application/json", keys_jwks(s->keys, srv_now(s), &len), len, NULL);
}
