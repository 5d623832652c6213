/* SPDX-License-Identifier: MIT */
/* act_lab — the server's lab over HTTP (/lab/clock, /lab/switch, with the lab key), so the same
 * lesson runs against a remote class server: clock, lab. */
#include <string.h>

#include "base/timefmt.h"
#include "lesson/act.h"
#include "server/server.h"

static bool have_lab_key(const act_run *r, tl_err *e)
{
    if (r->ctx.lab_key) return true;
    return err_set(e, "action.no_lab_key",
                   "%s: no lab key for this server (start tokenlab with --lab-key KEY, as printed "
                   "by tokenlab serve)",
                   r->entry->name);
}

/* The server says which switches are in force (its own and, in a class, the room's: the lab
 * state that /lab/switch and /lab/clock answer with): the checks read that, not what this lesson
 * asked for. */
static void labs_from_server(lesson_state *st, const json_t *j)
{
    json_t *on = json_object_get(j, "switches");
    if (!json_is_array(on)) return;
    const char *const *names = server_lab_names();
    for (size_t i = 0; names[i]; i++) {
        bool is_on = false;
        size_t k;
        json_t *v;
        json_array_foreach(on, k, v) if (json_is_string(v) &&
                                         strcmp(json_string_value(v), names[i]) == 0) is_on = true;
        state_set_lab(st, names[i], is_on);
    }
}

/* ---- clock +DURATION | clock reset ---------------------------------------------------------- */

static bool clock_validate(size_t argc, char *const *argv, tl_err *e)
{
    (void)argc;
    int64_t d;
    if (strcmp(argv[1], "reset") != 0 &&
        (argv[1][0] != '+' || !timefmt_parse_duration(argv[1] + 1, &d)))
        return err_set(e, "action.args", "clock: '%s' is not +DURATION (e.g. +15m, +2h) or reset",
                       argv[1]);
    return true;
}

static act_status clock_start(act_run *r, tl_err *e)
{
    if (!have_lab_key(r, e)) return ACT_FAILED;
    const char *v = act_pos(r->a, 1);
    if (strcmp(v, "reset") == 0)
        return act_send_status(
            r, flow_lab_clock_reset_request(r->ctx.server_url, r->ctx.lab_key, e), e);
    int64_t d = 0;
    timefmt_parse_duration(v + 1, &d);
    return act_send_status(r, flow_lab_clock_request(r->ctx.server_url, r->ctx.lab_key, (long)d, e),
                           e);
}

static act_status clock_answer(act_run *r, const http_exchange *x, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    if (x->status != 200)
        return act_fail(e, "action.lab", "the server refused to move its clock (HTTP %ld)",
                        x->status);
    const char *v = act_pos(r->a, 1);
    int64_t d = 0;
    if (strcmp(v, "reset") == 0)
        st->clock_offset = 0;
    else if (timefmt_parse_duration(v + 1, &d))
        st->clock_offset += d;
    json_t *off = json_is_object(x->json) ? json_object_get(x->json, "offset") : NULL;
    if (!off && json_is_object(x->json)) off = json_object_get(x->json, "clock_offset");
    if (json_is_integer(off)) st->clock_offset = json_integer_value(off);
    labs_from_server(st, x->json);
    state_update_signature(st);
    return ACT_OK;
}

const action_entry act_clock = {
    .name = "clock",
    .usage = "clock +DURATION | clock reset",
    .min_pos = 1,
    .max_pos = 1,
    .keys = "",
    .validate = clock_validate,
    .start = clock_start,
    .on_answer = clock_answer,
    .begins = ACTION_SETS_UP,
};

/* ---- lab on|off SWITCH ---------------------------------------------------------------------- */

static bool lab_validate(size_t argc, char *const *argv, tl_err *e)
{
    (void)argc;
    if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
        return err_set(e, "action.args", "lab: '%s' is not on or off", argv[1]);
    if (!action_lab_known(argv[2], e)) return err_prefix(e, "lab: ");
    return true;
}

static act_status lab_start(act_run *r, tl_err *e)
{
    if (!have_lab_key(r, e)) return ACT_FAILED;
    bool on = strcmp(act_pos(r->a, 1), "on") == 0;
    return act_send_status(
        r, flow_lab_switch_request(r->ctx.server_url, r->ctx.lab_key, act_pos(r->a, 2), on, e), e);
}

static act_status lab_answer(act_run *r, const http_exchange *x, tl_err *e)
{
    lesson_state *st = r->ctx.st;
    if (x->status == 200) {
        state_set_lab(st, act_pos(r->a, 2), strcmp(act_pos(r->a, 1), "on") == 0);
        labs_from_server(st, x->json);
        return ACT_OK;
    }
    return act_fail(e, "action.lab", "the server refused lab switch '%s' (HTTP %ld%s%s)",
                    act_pos(r->a, 2), x->status, st->response.error_description ? ": " : "",
                    st->response.error_description ? st->response.error_description : "");
}

/* `lab on|off SWITCH`: the switches the server knows, for the console's Tab completion. */
static const char *const *lab_values(size_t word)
{
    return word == 2 ? server_lab_names() : NULL;
}

const action_entry act_lab = {
    .name = "lab",
    .usage = "lab on|off SWITCH",
    .min_pos = 2,
    .max_pos = 2,
    .keys = "",
    .validate = lab_validate,
    .start = lab_start,
    .on_answer = lab_answer,
    .arg_values = lab_values,
    .begins = ACTION_SETS_UP,
};
