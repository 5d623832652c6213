/* SPDX-License-Identifier: MIT */
/* join — joining a class server as a student (see join.h; docs/class.md is the server's side). */
#include "tui/join.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "lesson/course.h"
#include "lesson/engine.h"
#include "lesson/member.h"
#include "lesson/progress.h"
#include "oauth/http.h"

#define MAX_ITEMS 128

struct join {
    char base[1024];
    char *name, *student_id, *token, *email, *password, *sub, *client_id, *client_secret;
    char *lab_url;  /* the student's own lab (member.server): the TUI's server */
    json_t *member; /* the server's join answer, for join_attach */
    bool report;
    char header[200];
    http_client *http; /* the reports' own client: they stay out of the learner's trace */
    engine *en;        /* borrowed: the lesson engine of the TUI or of the line mode */
    const lesson *les;
    size_t item;
    bool done[MAX_ITEMS];
    bool completed_sent;
    size_t correct_seen; /* the engine's first-attempt score when we last looked */
};

int join_parse_opt(join_opts *o, int argc, char **argv, int *i)
{
    const char *s = argv[*i];
    if (strcmp(s, "--report") == 0 || strcmp(s, "--no-report") == 0) {
        o->report = s[2] == 'r' ? 1 : 2;
        return 1;
    }
    const char **dst = strcmp(s, "--join") == 0   ? &o->code
                       : strcmp(s, "--name") == 0 ? &o->name
                                                  : NULL;
    if (!dst) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tokenlab: %s needs a value\n", s);
        return -1;
    }
    *dst = argv[++*i];
    return 1;
}

void join_usage(FILE *f)
{
    fprintf(f, "Class options (with --server URL of `tokenlab serve --class`):\n"
               "  --join CODE         join the class with the code the instructor shows\n"
               "  --name NAME         your name on the instructor's dashboard\n"
               "  --report, --no-report  share (or not) your progress and quiz results with the\n"
               "                      instructor, without being asked\n");
}

static char *dup_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? strdup(s) : NULL;
}

static char *saved_path(void)
{
    char *p = progress_default_path();
    if (!p) return NULL;
    char *slash = strrchr(p, '/');
    const char *file = "class.json";
    size_t dir = slash ? (size_t)(slash - p + 1) : 0;
    char *out = malloc(dir + strlen(file) + 1);
    if (out) {
        memcpy(out, p, dir);
        strcpy(out + dir, file);
    }
    free(p);
    return out;
}

/* The membership saved for this server, code and name, or NULL. New reference. */
static json_t *load_saved(const char *base, const join_opts *o)
{
    char *path = saved_path();
    json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
    free(path);
    const char *sv = json_string_value(json_object_get(j, "server"));
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *name = json_string_value(json_object_get(j, "asked_name"));
    if (!sv || !code || !name || strcmp(sv, base) || strcasecmp(code, o->code) ||
        strcmp(name, o->name)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static void save(const join *j, const join_opts *o, json_t *member)
{
    char *path = saved_path();
    if (!path) return;
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        fileio_mkdirs(path, NULL);
        *slash = '/';
    }
    json_t *doc = json_pack("{s:s, s:s, s:s, s:b, s:O}", "server", j->base, "code", o->code,
                            "asked_name", o->name, "report", j->report, "member", member);
    char *txt = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    tl_err e = {0};
    /* the file holds the student's own password and client secret: only for its owner */
    if (txt && fileio_write_atomic(path, txt, strlen(txt), &e)) chmod(path, 0600);
    free(txt);
    json_decref(doc);
    free(path);
}

static http_exchange *call(http_client *c, const char *method, const char *url, const char *auth,
                           const char *json_body, tl_err *e)
{
    http_request *r = http_request_new(method, url);
    if (!r) {
        err_set(e, "join.io", "out of memory");
        return NULL;
    }
    if (auth) http_request_set_header(r, "Authorization", auth);
    if (json_body) http_request_set_body(r, "application/json", json_body, strlen(json_body));
    http_exchange *x = http_send_wait(c, r, e);
    http_request_free(r);
    return x;
}

static bool ask_report(void)
{
    if (!isatty(STDIN_FILENO)) return false;
    printf("Share your lesson progress and quiz results with the instructor? [y/N] ");
    fflush(stdout);
    char line[32];
    if (!fgets(line, sizeof line, stdin)) return false;
    return line[0] == 'y' || line[0] == 'Y';
}

join *join_start(const join_opts *o, const char *server_url, tl_err *e)
{
    if (!o->code && !o->name && !o->report) return NULL;
    if (!o->code || !o->name) {
        err_set(e, "join.usage", "%s",
                o->code ? "--join needs --name NAME (how the instructor "
                          "sees you)"
                        : "--name and --report go with --join CODE");
        return NULL;
    }
    if (!server_url) {
        err_set(e, "join.usage",
                "--join needs --server URL (the class server, e.g. "
                "http://HOST:8910)");
        return NULL;
    }
    join *j = calloc(1, sizeof *j);
    if (!j || !(j->http = http_client_new())) {
        free(j);
        err_set(e, "join.io", "out of memory");
        return NULL;
    }
    size_t bl = strlen(server_url);
    while (bl && server_url[bl - 1] == '/') bl--;
    if (bl >= sizeof j->base - 32) bl = sizeof j->base - 32;
    memcpy(j->base, server_url, bl);
    char url[1100];
    json_t *member = NULL, *saved = load_saved(j->base, o);
    int asked_before = -1;
    if (saved) { /* the same class: is this membership still known (the server may have restarted)?
                  */
        json_t *m = json_object_get(saved, "member");
        const char *tok = json_string_value(json_object_get(m, "student_token"));
        char auth[400];
        snprintf(auth, sizeof auth, "Bearer %s", tok ? tok : "");
        snprintf(url, sizeof url, "%s/class/me", j->base);
        tl_err e2 = {0};
        http_exchange *x = tok ? call(j->http, "GET", url, auth, NULL, &e2) : NULL;
        if (x && x->state == HTTP_DONE && x->status == 200) {
            member = json_deep_copy(m);
            json_t *lab = json_object_get(x->json, "server"); /* where this server keeps our lab */
            if (member && json_is_string(lab)) json_object_set(member, "server", lab);
            asked_before = json_is_true(json_object_get(saved, "report"));
        }
        if (x) http_exchange_unref(x);
        json_decref(saved);
    }
    if (!member && !member_join(j->http, j->base, o->code, o->name, &member, e)) {
        join_free(j);
        return NULL;
    }
    json_t *user = json_object_get(member, "user"), *client = json_object_get(member, "client");
    j->name = dup_str(member, "name");
    j->student_id = dup_str(member, "student_id");
    j->token = dup_str(member, "student_token");
    j->email = dup_str(user, "email");
    j->password = dup_str(user, "password");
    j->sub = dup_str(user, "sub");
    j->client_id = dup_str(client, "client_id");
    j->client_secret = dup_str(client, "client_secret");
    j->lab_url = strdup(member_lab_url(member, j->base));
    j->member = json_incref(member);
    if (!j->token || !j->email || !j->password || !j->sub) {
        json_decref(member);
        join_free(j);
        err_set(e, "join.refused", "the class server's answer lacks the student's account");
        return NULL;
    }
    printf("\nJoined the class at %s as %s.\n\n", j->base, j->name ? j->name : o->name);
    printf("Your own account on this server (the lessons use it instead of alice@example.com):\n"
           "  user           %s\n  password       %s\n  subject (sub)  %s\n",
           j->email, j->password, j->sub);
    printf("Your own client, for your own programs:\n  client_id      %s\n  client_secret  %s\n",
           j->client_id ? j->client_id : "-", j->client_secret ? j->client_secret : "-");
    json_t *uris = json_object_get(client, "redirect_uris");
    for (size_t i = 0; i < json_array_size(uris); i++)
        printf("  redirect_uri   %s%s\n", json_string_value(json_array_get(uris, i)),
               i == 0 ? "  (any port on loopback, RFC 8252 §7.3)" : "");
    printf("Your own lab (switches and clock only you change; its lab key is your student token):\n"
           "  server         %s\n  discovery      %s/.well-known/openid-configuration\n\n",
           j->lab_url ? j->lab_url : j->base, j->lab_url ? j->lab_url : j->base);
    if (o->report)
        j->report = o->report == 1;
    else if (asked_before >= 0)
        j->report = asked_before;
    else
        j->report = ask_report(); /* asked once: the answer is saved with the membership */
    printf("%s\n", j->report ? "Your progress and quiz results go to the instructor's dashboard."
                             : "Nothing is reported to the instructor (--report changes that).");
    save(j, o, member);
    json_decref(member);
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        printf("Press Enter to start the lessons. ");
        fflush(stdout);
        char line[16];
        if (!fgets(line, sizeof line, stdin)) { /* EOF: go on */
        }
    }
    snprintf(j->header, sizeof j->header, "class: %s · %s", j->name ? j->name : o->name,
             j->report ? "sharing progress" : "not sharing");
    return j;
}

/* ---------- the student's account in the lessons ---------- */

void join_attach(join *j, engine *en)
{
    if (!j) return;
    j->en = en;
    /* The course is the front end's own heap copy (the engine only borrows it as const); the
     * student's account goes into its actions and checks before anything runs. */
    member_apply(en ? (course *)engine_course(en) : NULL, j->member);
}

/* ---------- reports ---------- */

static void on_report(http_client *c, http_exchange *x, void *ud)
{
    (void)c;
    (void)x;
    (void)ud; /* best effort: a missed report is not worth interrupting a lesson */
}

static void report(join *j, json_t *body)
{
    char url[1100], auth[400];
    snprintf(url, sizeof url, "%s/class/report", j->base);
    snprintf(auth, sizeof auth, "Bearer %s", j->token);
    char *txt = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    http_request *r = txt ? http_request_new("POST", url) : NULL;
    if (r) {
        http_request_set_header(r, "Authorization", auth);
        http_request_set_body(r, "application/json", txt, strlen(txt));
        http_send(j->http, r, on_report, j, NULL, NULL);
    }
    http_request_free(r);
    free(txt);
}

static const char *block_id(const lesson_block *b)
{
    if (!b) return "";
    if (b->kind == LESSON_STEP) return b->step->id ? b->step->id : "";
    return b->kind == LESSON_QUIZ && b->quiz->id ? b->quiz->id : "";
}

void join_poll(join *j)
{
    if (!j) return;
    http_poll(j->http, NULL, 0, 0);
    if (!j->report) return;
    engine *en = j->en;
    const lesson *l = en ? engine_lesson(en) : NULL;
    if (!l || !l->id) return;
    size_t item = engine_item_index(en), n = engine_item_count(en);
    bool new_lesson = l != j->les;
    if (new_lesson) {
        j->les = l;
        j->completed_sent = false;
        for (size_t i = 0; i < MAX_ITEMS; i++) j->done[i] = i < n && engine_item_done(en, i);
        size_t c0 = 0, a0 = 0, t0 = 0;
        engine_score(en, &c0, &a0, &t0);
        j->correct_seen = c0;
    }
    if (new_lesson || item != j->item) {
        j->item = item;
        const lesson_block *b = engine_item(en);
        const char *title = b && b->kind == LESSON_STEP && b->step->title ? b->step->title
                            : b && b->kind == LESSON_QUIZ                 ? "quiz"
                                                                          : "";
        char step[24];
        snprintf(step, sizeof step, "%zu", item + 1);
        report(j, json_pack("{s:s, s:s, s:s}", "lesson", l->id, "step", step, "title", title));
    }
    size_t correct = 0, answered = 0, total = 0;
    engine_score(en, &correct, &answered, &total);
    bool all = n > 0;
    for (size_t i = 0; i < n && i < MAX_ITEMS; i++) {
        bool d = engine_item_done(en, i);
        all = all && d;
        if (d == j->done[i]) continue;
        j->done[i] = d;
        if (!d || i != item) continue;
        const lesson_block *b = engine_item(en);
        if (!b || b->kind != LESSON_QUIZ) continue;
        /* the engine scores first attempts: right when this answer made `correct` grow; the
         * server grades the answer itself ("correct" is only our claim, docs/class.md) */
        bool right = correct > j->correct_seen;
        j->correct_seen = correct;
        const char *ans = engine_item_answer(en, i);
        json_t *q = json_pack("{s:s, s:b}", "id", block_id(b), "correct", right);
        if (q && ans) json_object_set_new(q, "answer", json_string(ans));
        report(j, json_pack("{s:s, s:o}", "lesson", l->id, "quiz", q));
    }
    if (all && !j->completed_sent) {
        j->completed_sent = true;
        report(j, json_pack("{s:s, s:b}", "lesson", l->id, "completed", 1));
    }
}

const char *join_lab_url(const join *j)
{
    return j ? j->lab_url : NULL;
}

const char *join_lab_key(const join *j)
{
    return j ? j->token : NULL;
}

const char *join_header(const join *j)
{
    return j ? j->header : "";
}

bool join_event_is_others(const join *j, const char *client_id, const char *message)
{
    if (!j || !j->client_id || !j->email) return false;
    if (client_id && client_id[0]) return strcmp(client_id, j->client_id) != 0;
    /* Events without a client (a /login, an API call) name the account: every class account
     * shares the domain of ours ("st-7@class.tokenlab.test"). */
    const char *at = strchr(j->email, '@');
    return at && message && strstr(message, at) && !strstr(message, j->email);
}

void join_flush(join *j, int timeout_ms)
{
    if (!j) return;
    join_poll(j);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (http_busy(j->http)) {
        http_poll(j->http, NULL, 0, 50);
        clock_gettime(CLOCK_MONOTONIC, &t);
        long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms >= timeout_ms) break;
    }
}

void join_free(join *j)
{
    if (!j) return;
    http_client_free(j->http);
    free(j->name);
    free(j->student_id);
    free(j->token);
    free(j->email);
    free(j->password);
    free(j->sub);
    free(j->client_id);
    free(j->client_secret);
    free(j->lab_url);
    json_decref(j->member);
    free(j);
}
