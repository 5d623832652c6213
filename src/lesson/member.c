/* SPDX-License-Identifier: MIT */
/* member — joining a class and using the student's account in the lessons (see member.h). */
#include "lesson/member.h"

#include <stdlib.h>
#include <string.h>

#define DEMO_EMAIL    "alice@example.com"
#define DEMO_PASSWORD "wonderland"
#define DEMO_SUB      "alice"

bool member_join(http_client *h, const char *room_url, const char *code, const char *name,
                 json_t **out, tl_err *e)
{
    *out = NULL;
    json_t *body = json_pack("{s:s, s:s}", "code", code ? code : "", "name", name ? name : "");
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    size_t n = strlen(room_url) + sizeof "/class/join";
    char *url = malloc(n);
    http_request *r = NULL;
    if (url) {
        snprintf(url, n, "%s/class/join", room_url);
        r = http_request_new("POST", url);
    }
    free(url);
    if (!txt || !r) {
        free(txt);
        http_request_free(r);
        return err_set(e, "join.io", "out of memory");
    }
    http_request_set_body(r, "application/json", txt, strlen(txt));
    free(txt);
    http_exchange *x = http_send_wait(h, r, e);
    http_request_free(r);
    if (!x) return false;
    if (x->state != HTTP_DONE) {
        err_set(e, "join.io", "%s", x->err.msg);
    } else if (x->status != 201 || !json_is_object(x->json)) {
        const char *d = json_string_value(json_object_get(x->json, "error_description"));
        err_set(e, "join.refused", "the class server did not let you join (%ld): %s", x->status,
                d                  ? d
                : x->status == 404 ? "is it started with tokenlab serve --class?"
                                   : "no reason given");
    } else {
        *out = json_incref(x->json);
    }
    http_exchange_unref(x);
    return *out != NULL;
}

const char *member_lab_url(const json_t *member, const char *room_url)
{
    const char *s = json_string_value(json_object_get(member, "server"));
    return s && *s ? s : room_url;
}

/* Replaces the demo user's email and password inside `*s`, and a value that is exactly the demo
 * subject ("alice", or "x=alice") with the student's. */
static void subst(const char *const to[3], char **s)
{
    if (!s || !*s) return;
    const char *from[2] = {DEMO_EMAIL, DEMO_PASSWORD};
    for (int k = 0; k < 2; k++) {
        char *p;
        while ((p = strstr(*s, from[k]))) {
            size_t pre = (size_t)(p - *s), fl = strlen(from[k]), tl = strlen(to[k]);
            char *n = malloc(strlen(*s) - fl + tl + 1);
            if (!n) return;
            memcpy(n, *s, pre);
            memcpy(n + pre, to[k], tl);
            strcpy(n + pre + tl, p + fl);
            free(*s);
            *s = n;
            if (strstr(to[k], from[k])) break; /* never loop on a replacement containing itself */
        }
    }
    char *eq = strchr(*s, '=');
    const char *v = eq ? eq + 1 : *s;
    if (strcmp(v, DEMO_SUB) == 0) {
        size_t pre = (size_t)(v - *s);
        char *n = malloc(pre + strlen(to[2]) + 1);
        if (!n) return;
        memcpy(n, *s, pre);
        strcpy(n + pre, to[2]);
        free(*s);
        *s = n;
    }
}

static void subst_acts(const char *const to[3], lesson_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < a[i].argc; k++) subst(to, &a[i].argv[k]);
        subst(to, &a[i].text);
    }
}

static void subst_conds(const char *const to[3], lesson_cond *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        subst(to, &c[i].value);
        subst(to, &c[i].text);
    }
}

void member_apply(course *c, const json_t *member)
{
    json_t *user = json_object_get(member, "user");
    const char *to[3] = {json_string_value(json_object_get(user, "email")),
                         json_string_value(json_object_get(user, "password")),
                         json_string_value(json_object_get(user, "sub"))};
    if (!c || !to[0] || !to[1] || !to[2]) return;
    for (size_t l = 0; l < c->n; l++) {
        lesson *les = c->lessons[l];
        for (size_t b = 0; b < les->nblocks; b++) {
            lesson_block *bl = &les->blocks[b];
            if (bl->kind == LESSON_STEP) {
                lesson_step *s = bl->step;
                subst_acts(to, s->acts, s->nacts);
                subst_acts(to, s->solution, s->nsolution);
                subst_conds(to, s->checks, s->nchecks);
                for (size_t f = 0; f < s->nfails; f++) subst_conds(to, &s->fails[f].cond, 1);
            } else if (bl->kind == LESSON_QUIZ) {
                lesson_quiz *q = bl->quiz;
                subst_acts(to, q->solution, q->nsolution);
                subst_conds(to, q->checks, q->nchecks);
            }
        }
    }
}
