/* SPDX-License-Identifier: MIT */
/* The class server: /class/join, /class/report, /class/me for students; /class/state,
 * /class/events, /class/lab, /class/export for the instructor. docs/class.md is the contract. */
#include "server/class.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/timefmt.h"
#include "base/utf8.h"
#include "jose/jsonx.h"
#include "server/classdb.h"
#include "server/secret.h"
#include "server/srv.h"

#define CLASS_MAX_DEFAULT    5000
#define CLASS_RATE_DEFAULT   20
#define CLASS_MAX_ANSWERS    100 /* distinct questions kept per student without a course */
#define CLASS_MAX_COMPLETED  100
#define CLASS_MAX_STR        64 /* lesson, step, quiz id; title and answer are cut to it */
#define CLASS_NAME_MAX       40 /* characters */
#define CLASS_NAME_BYTES     (CLASS_NAME_MAX * 4 + 1)
#define CLASS_BAD_AUTH_COST  10.0
#define CLASS_RATE_SLOTS     4096
#define CLASS_PASSWORD_ITERS 1000 /* random 128-bit passwords: stretching adds nothing */
#define CLASS_EMAIL_DOMAIN   "@class.tokenlab.test"

static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

typedef struct student {
    size_t num; /* st-NUM */
    char id[24];
    char name[CLASS_NAME_BYTES + 32];
    char asked[CLASS_NAME_BYTES]; /* the sanitized name asked for (before " (2)") */
    char *token_secret;
    int64_t joined, last_seen;
    /* progress: guarded by the room mutex */
    char lesson[CLASS_MAX_STR + 1], step[CLASS_MAX_STR + 1], title[CLASS_MAX_STR + 1];
    json_t *completed;    /* array of lesson ids */
    json_t *answers;      /* "lesson/id" → {correct, answer, time, attempts} */
    config_user user;     /* immutable after join */
    config_client client; /* immutable after join */
    server *lab;          /* the student's own lab under /s/st-N (srv_lab_new) */
} student;

typedef struct rate_slot {
    unsigned char addr[16];
    int fam;
    double tokens;
    double last;
} rate_slot;

struct class_room {
    server *s;
    config_ext ext;
    char code[8];
    char *key;
    pthread_mutex_t mu;
    student **st;
    size_t n, max;           /* n: under mu */
    atomic_size_t published; /* == n, for the lock-free lookups */
    json_t *names;           /* sanitized name → how many students have it */
    json_t *attempts;        /* "lesson/id" → attempts (every report counts) */
    server_grader grader;    /* grade == NULL: the client's claim counts */
    json_t *course;          /* the grader's course (own copy), or NULL */
    size_t max_answers;      /* per student: the course's questions, or CLASS_MAX_ANSWERS */
    classdb *db;             /* --class-db: every change is written here first, or NULL */
    /* rate limiting (token bucket per client address) */
    pthread_mutex_t rate_mu;
    double rate, burst; /* rate 0 = off */
    rate_slot *slots;
    /* results file */
    char *results;
    bool dirty, stopping;
    pthread_cond_t cv;
    pthread_t writer;
    bool writer_started;
};

/* ---------------------------------------------------------------- helpers */

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *xstrdup(const char *s)
{
    return strdup(s ? s : "");
}

static enum MHD_Result send_error(srv_req *r, unsigned status, const char *code, const char *msg)
{
    return srv_oauth_error(r, status, NULL, code, NULL, "%s", msg);
}

/* Takes `cost` tokens from the caller's bucket; false (and *retry set) when there are not enough.
 * A cost larger than what is left drives the bucket below zero (penalty). */
static bool rate_take(struct class_room *c, srv_req *r, double cost, bool force, int *retry)
{
    if (c->rate <= 0) return true;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    unsigned char addr[16] = {0};
    int fam = 0;
    if (ci && ci->client_addr) {
        fam = ci->client_addr->sa_family;
        if (fam == AF_INET)
            memcpy(addr, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, 4);
        else if (fam == AF_INET6)
            memcpy(addr, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, 16);
    }
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++) h = (h ^ addr[i]) * 16777619u;
    h = (h ^ (uint32_t)fam) * 16777619u;
    rate_slot *sl = &c->slots[h % CLASS_RATE_SLOTS];
    double now = mono_now();
    bool ok = true;
    pthread_mutex_lock(&c->rate_mu);
    if (sl->fam != fam || memcmp(sl->addr, addr, 16) != 0 || sl->last == 0) {
        /* a new address (or one that collided with it): a full bucket */
        memcpy(sl->addr, addr, 16);
        sl->fam = fam;
        sl->tokens = c->burst;
        sl->last = now;
    }
    sl->tokens += (now - sl->last) * c->rate;
    if (sl->tokens > c->burst) sl->tokens = c->burst;
    sl->last = now;
    if (sl->tokens >= cost || force) {
        sl->tokens -= cost;
        if (sl->tokens < -c->burst) sl->tokens = -c->burst;
    } else {
        ok = false;
        double need = cost - sl->tokens;
        *retry = (int)ceil(need / c->rate);
        if (*retry < 1) *retry = 1;
    }
    pthread_mutex_unlock(&c->rate_mu);
    return ok;
}

static enum MHD_Result too_many(srv_req *r, int retry)
{
    char ra[24];
    snprintf(ra, sizeof ra, "%d", retry);
    srv_hdr h[] = {{"Retry-After", ra}, {NULL, NULL}};
    return srv_oauth_error(r, 429, NULL, "slow_down", h,
                           "too many class requests from your address; retry in %d s", retry);
}

static void mark_dirty(struct class_room *c)
{
    /* needs c->mu */
    c->dirty = true;
}

/* Bearer token or the X-Tokenlab-Class-Key header; NULL when neither. */
static const char *bearer(srv_req *r)
{
    const char *h = srv_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        h += 7;
        while (*h == ' ') h++;
        return *h ? h : NULL;
    }
    return NULL;
}

/* The instructor key check: 401 without a key, 403 with a wrong one (constant-time compare). */
static bool instructor(struct class_room *c, srv_req *r, enum MHD_Result *res)
{
    const char *k = bearer(r);
    if (!k) k = srv_header(r, "X-Tokenlab-Class-Key");
    if (k && secret_equal(k, c->key)) return true;
    int retry = 0;
    rate_take(c, r, CLASS_BAD_AUTH_COST - 1, true, &retry);
    if (!k) {
        srv_hdr h[] = {{"WWW-Authenticate", "Bearer realm=\"tokenlab-class\""}, {NULL, NULL}};
        *res = srv_oauth_error(r, 401, NULL, "invalid_token", h,
                               "the class endpoints need the instructor key "
                               "(Authorization: Bearer KEY, printed by tokenlab serve --class)");
    } else {
        *res = send_error(r, 403, "access_denied", "wrong instructor key");
    }
    return false;
}

/* "st-N" or "st-N.SECRET" → N (0 when malformed). */
static size_t parse_num(const char *p, const char **rest)
{
    if (!p || !isdigit((unsigned char)*p) || *p == '0') return 0;
    size_t n = 0;
    while (isdigit((unsigned char)*p)) {
        if (n > 100000000) return 0;
        n = n * 10 + (size_t)(*p - '0');
        p++;
    }
    if (rest) *rest = p;
    return n;
}

/* Student NUM, or NULL. Lock-free (the room mutex may be held for a while by a state dump): c->st
 * is allocated once, a slot is written before `published` counts it (release/acquire), and
 * students are never freed before class_stop. */
static student *by_num(struct class_room *c, size_t n)
{
    size_t have = atomic_load_explicit(&c->published, memory_order_acquire);
    return n && n <= have ? c->st[n - 1] : NULL;
}

/* The student for a bearer "st-N.SECRET" (borrowed: students live until class_stop). */
static student *student_auth(struct class_room *c, srv_req *r, enum MHD_Result *res)
{
    const char *t = bearer(r);
    student *st = NULL;
    if (t && strncmp(t, "st-", 3) == 0) {
        const char *rest = NULL;
        size_t n = parse_num(t + 3, &rest);
        st = by_num(c, n);
        if (st && !(rest && *rest == '.' && secret_equal(rest + 1, st->token_secret))) st = NULL;
    }
    if (st) return st;
    int retry = 0;
    rate_take(c, r, CLASS_BAD_AUTH_COST - 1, true, &retry);
    srv_hdr h[] = {{"WWW-Authenticate", "Bearer realm=\"tokenlab-class\", error=\"invalid_token\""},
                   {NULL, NULL}};
    *res = srv_oauth_error(r, 401, NULL, "invalid_token", h, "%s",
                           t ? "unknown or wrong student token"
                             : "send the student_token from /class/join as Authorization: Bearer");
    return NULL;
}

/* Characters a name shown on the instructor's screen must not hold: controls (C0, DEL, C1), the
 * invisible and direction-changing ones a name could use to disguise itself or the text after it
 * (zero-width, bidi marks, embeddings, overrides and isolates), and <>"&\ (HTML, CSV). */
static bool name_drop(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
           (cp < 0x80 && strchr("<>\"&\\", (int)cp));
}

/* Display names: the characters above dropped (an apostrophe stays: O'Brien), bytes that are not
 * UTF-8 dropped, white space collapsed, trimmed, at most CLASS_NAME_MAX characters. `out` holds
 * CLASS_NAME_BYTES. */
static void sanitize_name(const char *in, char *out, size_t outn)
{
    size_t o = 0, chars = 0;
    bool space = false;
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    const unsigned char *end = p + strlen((const char *)p);
    while (p < end && chars < CLASS_NAME_MAX) {
        unsigned cp;
        size_t len = utf8_next(p, (size_t)(end - p), &cp);
        if (len == 0) { /* not UTF-8: skip the byte */
            p++;
            continue;
        }
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            space = o > 0;
        } else if (!name_drop(cp)) {
            size_t need = (space ? 1 : 0) + len;
            if (o + need + 1 > outn || chars + (space ? 1 : 0) >= CLASS_NAME_MAX) break;
            if (space) out[o++] = ' ', chars++;
            space = false;
            memcpy(out + o, p, len);
            o += len;
            chars++;
        }
        p += len;
    }
    out[o] = '\0';
}

/* ---------------------------------------------------------------- config_ext lookups */

static const config_user *ext_user_by_email(void *ud, const char *email)
{
    if (strncasecmp(email, "st-", 3) != 0) return NULL;
    student *st = by_num(ud, parse_num(email + 3, NULL));
    return st && strcasecmp(st->user.email, email) == 0 ? &st->user : NULL;
}

static const config_user *ext_user_by_sub(void *ud, const char *sub)
{
    if (strncmp(sub, "class-st-", 9) != 0) return NULL;
    student *st = by_num(ud, parse_num(sub + 9, NULL));
    return st && strcmp(st->user.sub, sub) == 0 ? &st->user : NULL;
}

static const config_client *ext_client_by_id(void *ud, const char *id)
{
    if (strncmp(id, "class-st-", 9) != 0) return NULL;
    student *st = by_num(ud, parse_num(id + 9, NULL));
    return st && strcmp(st->client.client_id, id) == 0 ? &st->client : NULL;
}

/* ---------------------------------------------------------------- JSON views (need c->mu) */

static json_t *student_json(const student *st)
{
    json_t *j = json_object();
    json_object_set_new(j, "student_id", json_string(st->id));
    json_object_set_new(j, "name", json_string(st->name));
    json_object_set_new(j, "joined", json_integer(st->joined));
    json_object_set_new(j, "last_seen", json_integer(st->last_seen));
    json_object_set_new(j, "lesson", st->lesson[0] ? json_string(st->lesson) : json_null());
    json_object_set_new(j, "step", st->step[0] ? json_string(st->step) : json_null());
    json_object_set_new(j, "title", st->title[0] ? json_string(st->title) : json_null());
    json_object_set_new(j, "completed", json_deep_copy(st->completed));
    size_t answered = 0, correct = 0;
    const char *k;
    json_t *v;
    json_object_foreach(st->answers, k, v)
    {
        answered++;
        if (json_is_true(json_object_get(v, "correct"))) correct++;
    }
    json_t *q = json_object();
    json_object_set_new(q, "answered", json_integer((json_int_t)answered));
    json_object_set_new(q, "correct", json_integer((json_int_t)correct));
    json_object_set_new(j, "quiz", q);
    json_object_set_new(j, "answers", json_deep_copy(st->answers));
    return j;
}

static int cmp_wrong(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t wx = json_integer_value(json_object_get(x, "wrong"));
    json_int_t wy = json_integer_value(json_object_get(y, "wrong"));
    if (wx != wy) return wx < wy ? 1 : -1;
    return strcmp(json_string_value(json_object_get(x, "id")),
                  json_string_value(json_object_get(y, "id")));
}

/* From the course: the question's text and type, and per option its text, whether it is right
 * and how many students' latest answers chose it ("1,3" = options 1 and 3). Needs c->mu. */
static void add_question_text(struct class_room *c, json_t *q, const char *key, size_t llen,
                              const char *qid)
{
    char lesson[CLASS_MAX_STR + 1];
    if (!c->course || llen > CLASS_MAX_STR) return;
    memcpy(lesson, key, llen);
    lesson[llen] = '\0';
    json_t *cq =
        json_object_get(json_object_get(json_object_get(c->course, lesson), "questions"), qid);
    if (!cq) return;
    json_object_set(q, "text", json_object_get(cq, "text"));
    json_object_set(q, "type", json_object_get(cq, "type"));
    json_t *copts = json_object_get(cq, "options");
    size_t n = json_array_size(copts);
    if (!n) return;
    json_int_t *count = calloc(n, sizeof *count);
    if (!count) return;
    for (size_t i = 0; i < c->n; i++) {
        const char *a =
            json_string_value(json_object_get(json_object_get(c->st[i]->answers, key), "answer"));
        while (a && *a) {
            char *end = NULL;
            long v = strtol(a, &end, 10);
            if (end == a) break;
            if (v >= 1 && (size_t)v <= n) count[v - 1]++;
            a = end + strspn(end, ", ");
        }
    }
    json_t *opts = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_deep_copy(json_array_get(copts, i));
        json_object_set_new(o, "chosen", json_integer(count[i]));
        json_array_append_new(opts, o);
    }
    free(count);
    json_object_set_new(q, "options", opts);
}

static json_t *questions_json(struct class_room *c)
{
    json_t *stats = json_object(); /* key → [answered, right, wrong] */
    for (size_t i = 0; i < c->n; i++) {
        const char *k;
        json_t *v;
        json_object_foreach(c->st[i]->answers, k, v)
        {
            json_t *s = json_object_get(stats, k);
            if (!s) {
                s = json_pack("[iii]", 0, 0, 0);
                json_object_set_new(stats, k, s);
            }
            bool ok = json_is_true(json_object_get(v, "correct"));
            json_array_set_new(s, 0, json_integer(json_integer_value(json_array_get(s, 0)) + 1));
            json_array_set_new(s, ok ? 1 : 2,
                               json_integer(json_integer_value(json_array_get(s, ok ? 1 : 2)) + 1));
        }
    }
    size_t n = json_object_size(stats), i = 0;
    json_t **rows = calloc(n ? n : 1, sizeof *rows);
    const char *k;
    json_t *v;
    json_object_foreach(stats, k, v)
    {
        const char *slash = strrchr(k, '/');
        json_t *q = json_object();
        json_object_set_new(q, "id", json_string(k));
        json_object_set_new(q, "lesson",
                            slash ? json_stringn(k, (size_t)(slash - k)) : json_string(""));
        json_object_set_new(q, "question", json_string(slash ? slash + 1 : k));
        json_object_set_new(q, "answered", json_incref(json_array_get(v, 0)));
        json_object_set_new(q, "right", json_incref(json_array_get(v, 1)));
        json_object_set_new(q, "wrong", json_incref(json_array_get(v, 2)));
        json_t *att = json_object_get(c->attempts, k);
        json_object_set_new(q, "attempts", json_integer(att ? json_integer_value(att) : 0));
        if (slash) add_question_text(c, q, k, (size_t)(slash - k), slash + 1);
        if (rows)
            rows[i++] = q;
        else
            json_decref(q);
    }
    json_decref(stats);
    json_t *arr = json_array();
    if (rows) {
        qsort(rows, i, sizeof *rows, cmp_wrong);
        for (size_t x = 0; x < i; x++) json_array_append_new(arr, rows[x]);
        free(rows);
    }
    return arr;
}

static json_t *labs_json(server *s)
{
    json_t *j = json_object();
    const char *const *names = lab_names();
    for (size_t i = 0; names[i]; i++)
        json_object_set_new(j, names[i], json_boolean(server_lab_is_on(s, names[i])));
    return j;
}

static json_t *state_json(struct class_room *c, bool for_export)
{
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string(c->code));
    json_object_set_new(j, "now", json_integer(srv_now(c->s)));
    if (for_export) {
        char buf[64];
        json_object_set_new(j, "exported",
                            json_string(timefmt_iso8601(time(NULL), buf, sizeof buf)));
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < c->n; i++) json_array_append_new(arr, student_json(c->st[i]));
    json_object_set_new(j, "students", arr);
    json_object_set_new(j, "questions", questions_json(c));
    json_object_set_new(j, "labs", labs_json(c->s));
    json_object_set_new(j, "max_students", json_integer((json_int_t)c->max));
    return j;
}

/* ---------------------------------------------------------------- results file */

/* A results file from an earlier run (a restarted server, yesterday's class) is the instructor's
 * record: it is renamed to FILE.YYYYMMDDTHHMMSSZ, never overwritten, and the log says where
 * (CSV/JSON export reads the live class; this file is what survives the server). */
static bool keep_old_results(server *s, const char *path, tl_err *e)
{
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size == 0) return true;
    /* A class nobody joined holds nothing worth keeping: overwrite it. Anything else — students,
     * or a file that is not our JSON at all — is kept. */
    json_t *old = json_load_file(path, 0, NULL);
    json_t *students = json_object_get(old, "students");
    bool empty = json_is_array(students) && json_array_size(students) == 0;
    json_decref(old);
    if (empty) return true;
    char kept[4096], stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    int n = snprintf(kept, sizeof kept, "%s.%s", path, stamp);
    for (int i = 2; n > 0 && (size_t)n < sizeof kept && access(kept, F_OK) == 0 && i < 100; i++)
        n = snprintf(kept, sizeof kept, "%s.%s-%d", path, stamp, i);
    if (n <= 0 || (size_t)n >= sizeof kept || rename(path, kept) != 0)
        return err_set(e, "server.class",
                       "the results file %s is from an earlier run and could not be kept aside "
                       "(choose another --class-results FILE)",
                       path);
    FILE *log = s->log ? s->log : stderr;
    fprintf(log, "class: the earlier results in %s are kept as %s\n", path, kept);
    fflush(log);
    return true;
}

static void write_results(struct class_room *c)
{
    pthread_mutex_lock(&c->mu);
    json_t *j = state_json(c, true);
    c->dirty = false;
    pthread_mutex_unlock(&c->mu);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (!text) return;
    tl_err e = {0};
    if (!fileio_write_atomic(c->results, text, strlen(text), &e))
        srv_event(c->s, "info", "/class/results", NULL, NULL, e.msg);
    free(text);
}

static void *writer_main(void *ud)
{
    struct class_room *c = ud;
    pthread_mutex_lock(&c->mu);
    while (!c->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
        if (c->dirty && !c->stopping) {
            pthread_mutex_unlock(&c->mu);
            write_results(c); /* at most once a second */
            pthread_mutex_lock(&c->mu);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* ---------------------------------------------------------------- students */

static void student_free(student *st)
{
    if (!st) return;
    srv_lab_free(st->lab);
    free(st->token_secret);
    json_decref(st->completed);
    json_decref(st->answers);
    config_user *u = &st->user;
    free(u->sub);
    free(u->email);
    free(u->name);
    free(u->given_name);
    free(u->family_name);
    free(u->password_hash);
    config_client *cl = &st->client;
    free(cl->client_id);
    free(cl->name);
    free(cl->secret);
    for (size_t i = 0; i < cl->nredirect; i++) free(cl->redirect_uris[i]);
    free(cl->redirect_uris);
    reqparse_scopes_free(&cl->scopes);
    free(st);
}

/* Where the student's own lab is: `server` is the base URL their programs and TUI use (discovery
 * at server/.well-known/openid-configuration), `issuer` the `iss` of its tokens. Its lab key is
 * the student_token. */
static void lab_json(json_t *j, const student *st)
{
    if (!st->lab) return; /* a restarted room: labs come back once the server listens */
    json_object_set_new(j, "issuer", json_string(st->lab->issuer));
    json_object_set_new(j, "server", json_string(st->lab->base_url));
    json_object_set_new(j, "room_server", json_string(st->lab->root->base_url));
}

static const char *const student_scopes[] = {"openid",         "profile",    "email",
                                             "offline_access", "notes:read", "notes:write"};
static const char *const student_redirects[] = {"http://127.0.0.1/callback",
                                                "http://localhost/callback"};

/* A student's account and client from their number, names and secrets (a join, or a row of the
 * database). Takes the three secrets (freed on failure too); NULL when out of memory. */
static student *student_make(size_t num, const char *asked, const char *name, char *token_secret,
                             char *password_hash, char *client_secret)
{
    student *st = calloc(1, sizeof *st);
    if (!st) {
        free(token_secret);
        free(password_hash);
        free(client_secret);
        return NULL;
    }
    st->num = num;
    snprintf(st->id, sizeof st->id, "st-%zu", num);
    snprintf(st->asked, sizeof st->asked, "%s", asked);
    snprintf(st->name, sizeof st->name, "%s", name);
    st->token_secret = token_secret;
    st->client.secret = client_secret;
    st->user.password_hash = password_hash;
    st->completed = json_array();
    st->answers = json_object();
    st->user.email_verified = true;
    st->client.confidential = true;
    st->client.native = true;
    st->client.grants = CONFIG_GRANT_CODE | CONFIG_GRANT_REFRESH | CONFIG_GRANT_CLIENT_CREDENTIALS |
                        CONFIG_GRANT_DEVICE;
    st->client.redirect_uris = calloc(2, sizeof(char *));
    if (st->client.redirect_uris) {
        for (size_t i = 0; i < 2; i++) st->client.redirect_uris[i] = xstrdup(student_redirects[i]);
        st->client.nredirect = 2;
    }
    for (size_t i = 0; i < sizeof student_scopes / sizeof *student_scopes; i++)
        st->client.scopes.v[st->client.scopes.n++] = xstrdup(student_scopes[i]);
    char buf[CLASS_NAME_BYTES + 64];
    snprintf(buf, sizeof buf, "class-%s", st->id);
    st->user.sub = xstrdup(buf);
    st->client.client_id = xstrdup(buf);
    snprintf(buf, sizeof buf, "%s%s", st->id, CLASS_EMAIL_DOMAIN);
    st->user.email = xstrdup(buf);
    st->user.name = xstrdup(st->name);
    st->user.given_name = xstrdup(st->name);
    st->user.family_name = xstrdup("");
    snprintf(buf, sizeof buf, "%s's client", st->name);
    st->client.name = xstrdup(buf);
    if (!st->token_secret || !st->client.secret || !st->user.password_hash || !st->completed ||
        !st->answers || !st->client.redirect_uris || !st->user.sub || !st->client.client_id ||
        !st->user.email || !st->client.name) {
        student_free(st);
        return NULL;
    }
    return st;
}

static server *student_lab(struct class_room *c, const student *st, tl_err *e)
{
    char tok[200];
    snprintf(tok, sizeof tok, "%s.%s", st->id, st->token_secret);
    return srv_lab_new(c->s, st->id, tok, e);
}

/* Writes the student (and the attempts of `akey`) to the database, when there is one: what the
 * student is told was recorded is. Needs c->mu. */
static bool persist(struct class_room *c, const student *st, const char *akey, int64_t attempts,
                    tl_err *e)
{
    if (!c->db) return true;
    json_t *p = json_pack("{s:s, s:s, s:s, s:O, s:O}", "lesson", st->lesson, "step", st->step,
                          "title", st->title, "completed", st->completed, "answers", st->answers);
    if (!p) return err_set(e, "class.db", "out of memory");
    classdb_student row = {.num = st->num,
                           .asked_name = st->asked,
                           .name = st->name,
                           .token_secret = st->token_secret,
                           .password_hash = st->user.password_hash,
                           .client_secret = st->client.secret,
                           .joined = st->joined,
                           .last_seen = st->last_seen,
                           .progress = p};
    bool ok = classdb_save(c->db, &row, akey, attempts, e);
    json_decref(p);
    return ok;
}

static enum MHD_Result do_join(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res)) return res;
    const char *code = srv_form(r, "code");
    char up[16] = "";
    if (code && strlen(code) < sizeof up)
        for (size_t i = 0; code[i]; i++) {
            up[i] = (char)toupper((unsigned char)code[i]);
            up[i + 1] = '\0';
        }
    if (!code || !secret_equal(up, c->code)) {
        int retry = 0;
        rate_take(c, r, CLASS_BAD_AUTH_COST - 1, true, &retry);
        return send_error(r, 403, "access_denied",
                          code ? "wrong join code" : "send the join code (code=...)");
    }
    char name[CLASS_NAME_BYTES];
    sanitize_name(srv_form(r, "name"), name, sizeof name);
    if (!name[0])
        return send_error(r, 400, "invalid_request",
                          "name is required (1-40 printable characters)");

    char *password = secret_random_token(16);
    char *token_secret = secret_random_token(32), *client_secret = secret_random_token(32);
    char *hash = password ? secret_password_hash(password, CLASS_PASSWORD_ITERS) : NULL;
    if (!password || !token_secret || !client_secret || !hash) {
        free(password);
        free(token_secret);
        free(client_secret);
        free(hash);
        return send_error(r, 500, "server_error", "out of memory");
    }
    int64_t now = srv_now(c->s);
    pthread_mutex_lock(&c->mu);
    if (c->n >= c->max) {
        pthread_mutex_unlock(&c->mu);
        free(password);
        free(token_secret);
        free(client_secret);
        free(hash);
        char msg[80];
        snprintf(msg, sizeof msg, "the class is full (%zu students)", c->max);
        return send_error(r, 503, "temporarily_unavailable", msg);
    }
    json_int_t same = json_integer_value(json_object_get(c->names, name));
    char shown[CLASS_NAME_BYTES + 32];
    if (same > 0)
        snprintf(shown, sizeof shown, "%s (%lld)", name, (long long)same + 1);
    else
        snprintf(shown, sizeof shown, "%s", name);
    student *st = student_make(c->n + 1, name, shown, token_secret, hash, client_secret);
    tl_err le = {0};
    if (st) {
        st->joined = st->last_seen = now;
        st->lab = student_lab(c, st, &le);
    } else {
        err_set(&le, "server.class", "out of memory");
    }
    if (!st || !st->lab || !persist(c, st, NULL, 0, &le)) {
        pthread_mutex_unlock(&c->mu);
        free(password);
        student_free(st);
        return send_error(r, 500, "server_error", le.msg);
    }
    json_object_set_new(c->names, name, json_integer(same + 1));
    c->st[c->n++] = st; /* never freed before class_stop */
    atomic_store_explicit(&c->published, c->n, memory_order_release);
    mark_dirty(c);
    pthread_mutex_unlock(&c->mu);
    char tok[200];
    snprintf(tok, sizeof tok, "%s.%s", st->id, st->token_secret);

    char msg[160];
    /* ids only: the same feed is the open /lab/events every student's TUI reads; names and
     * scores are for the instructor (/class/state) */
    snprintf(msg, sizeof msg, "student %s joined", st->id);
    srv_event(c->s, "info", "/class/join", st->client.client_id, NULL, msg);

    json_t *j = json_object();
    json_object_set_new(j, "student_id", json_string(st->id));
    json_object_set_new(j, "name", json_string(st->name));
    json_object_set_new(j, "student_token", json_string(tok));
    json_t *u = json_object();
    json_object_set_new(u, "sub", json_string(st->user.sub));
    json_object_set_new(u, "email", json_string(st->user.email));
    json_object_set_new(u, "password", json_string(password));
    json_object_set_new(j, "user", u);
    json_t *cl = json_object();
    json_object_set_new(cl, "client_id", json_string(st->client.client_id));
    json_object_set_new(cl, "client_secret", json_string(st->client.secret));
    json_t *ru = json_array();
    for (size_t i = 0; i < st->client.nredirect; i++)
        json_array_append_new(ru, json_string(st->client.redirect_uris[i]));
    json_object_set_new(cl, "redirect_uris", ru);
    json_object_set_new(cl, "native", json_true());
    char *scopes = reqparse_scopes_join(&st->client.scopes);
    json_object_set_new(cl, "scope", json_string(scopes ? scopes : ""));
    free(scopes);
    json_object_set_new(j, "client", cl);
    json_object_set_new(j, "public_client_id", json_string("tokenlab-cli"));
    lab_json(j, st);
    free(password);
    return srv_send_json(r, 201, j, NULL);
}

/* A JSON string member of at most CLASS_MAX_STR bytes (longer: refused, or cut on a UTF-8
 * boundary when `cut`); numbers are accepted and printed. Worst case a student costs about
 * CLASS_MAX_ANSWERS * (2 + 1) * CLASS_MAX_STR bytes of strings. */
static bool str_member(json_t *o, const char *name, char *dst, size_t n, bool cut, const char **bad)
{
    json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v)) return true;
    char buf[64];
    const char *s = NULL;
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        s = buf;
    }
    size_t len = s ? strlen(s) : 0;
    if (s && cut && len > CLASS_MAX_STR && CLASS_MAX_STR < n) {
        len = CLASS_MAX_STR;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
    }
    if (!s || len >= n || len > CLASS_MAX_STR || memchr(s, '\n', len)) {
        *bad = name;
        return false;
    }
    if (dst) {
        memcpy(dst, s, len);
        dst[len] = '\0';
    }
    return true;
}

/* With a course: has `st` answered every question of `lesson` (counting `also`, about to be
 * recorded)? Without one the client's word counts. Needs c->mu. */
static bool lesson_answered(struct class_room *c, student *st, const char *lesson, const char *also)
{
    if (!c->course) return true;
    json_t *qs = json_object_get(json_object_get(c->course, lesson), "questions");
    const char *id;
    json_t *q;
    json_object_foreach(qs, id, q)
    {
        char key[2 * CLASS_MAX_STR + 2];
        snprintf(key, sizeof key, "%s/%s", lesson, id);
        if (!json_object_get(st->answers, key) && strcmp(id, also) != 0) return false;
    }
    return true;
}

static enum MHD_Result do_report(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    student *st = student_auth(c, r, &res);
    if (!st) return res;
    const char *ct = srv_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0)
        return send_error(r, 415, "invalid_request", "send the report as application/json");
    json_error_t je;
    json_t *j = r->body ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return send_error(r, 400, "invalid_request", "the report must be a JSON object");
    }
    char lesson[CLASS_MAX_STR + 1] = "", step[CLASS_MAX_STR + 1] = "",
                                title[CLASS_MAX_STR + 1] = "", qid[CLASS_MAX_STR + 1] = "",
                                answer[CLASS_MAX_STR + 1] = "";
    const char *bad = NULL;
    json_t *quiz = json_object_get(j, "quiz");
    json_t *completed = json_object_get(j, "completed");
    bool ok = str_member(j, "lesson", lesson, sizeof lesson, false, &bad) &&
              str_member(j, "step", step, sizeof step, false, &bad) &&
              str_member(j, "title", title, sizeof title, true, &bad);
    if (ok && quiz && !json_is_null(quiz)) {
        json_t *claim = json_object_get(quiz, "correct");
        if (!json_is_object(quiz) || !json_is_string(json_object_get(quiz, "id")) ||
            (claim ? !json_is_boolean(claim) : !c->grader.grade)) {
            json_decref(j);
            return send_error(r, 400, "invalid_request",
                              c->grader.grade
                                  ? "quiz must be {\"id\": STRING, \"answer\": STRING}"
                                  : "quiz must be {\"id\": STRING, \"correct\": BOOLEAN, "
                                    "\"answer\"?}");
        }
        ok = str_member(quiz, "id", qid, sizeof qid, false, &bad) &&
             str_member(quiz, "answer", answer, sizeof answer, true, &bad);
        if (ok && !qid[0]) ok = false, bad = "quiz.id";
    }
    if (completed && !json_is_boolean(completed)) ok = false, bad = "completed";
    if (!ok) {
        json_decref(j);
        char msg[120];
        snprintf(msg, sizeof msg, "%s must be a string of at most %d characters on one line", bad,
                 CLASS_MAX_STR);
        return send_error(r, 400, "invalid_request", msg);
    }
    if ((qid[0] || json_is_true(completed)) && !lesson[0]) {
        json_decref(j);
        return send_error(r, 400, "invalid_request",
                          "a quiz answer or completed:true needs the lesson");
    }
    bool correct = quiz && json_is_true(json_object_get(quiz, "correct"));
    bool has_answer = quiz && json_is_string(json_object_get(quiz, "answer"));
    bool says_completed = json_is_true(completed);
    json_decref(j);
    /* The server decides (docs/class.md): the answer is graded from the course; `correct` is the
     * client's claim and counts only where an answer proves nothing (a practical quiz). */
    const char *graded_by = "client";
    if (qid[0] && c->grader.grade) {
        int v = c->grader.grade(c->grader.ud, lesson, qid, has_answer ? answer : NULL);
        if (v == -1) {
            char msg[220];
            snprintf(msg, sizeof msg, "no question '%s' in lesson '%s' of this class's course", qid,
                     lesson);
            return send_error(r, 400, "invalid_request", msg);
        }
        if (v >= 0) {
            correct = v == 1;
            graded_by = "server";
        }
    }
    if (says_completed && c->course && !json_object_get(c->course, lesson)) {
        char msg[160];
        snprintf(msg, sizeof msg, "no lesson '%s' in this class's course", lesson);
        return send_error(r, 400, "invalid_request", msg);
    }

    char key[2 * CLASS_MAX_STR + 2];
    snprintf(key, sizeof key, "%s/%s", lesson, qid);
    int64_t now = srv_now(c->s);
    const char *refuse = NULL;
    pthread_mutex_lock(&c->mu);
    if (qid[0] && !json_object_get(st->answers, key) &&
        json_object_size(st->answers) >= c->max_answers)
        refuse = "too many questions for one student";
    bool newly_done = false;
    if (!refuse && says_completed && !lesson_answered(c, st, lesson, qid))
        says_completed = false; /* not every question answered: the lesson is not done yet */
    if (!refuse && says_completed) {
        bool have = false;
        size_t i;
        json_t *v;
        json_array_foreach(st->completed, i, v) if (strcmp(json_string_value(v), lesson) == 0)
            have = true;
        if (!have && json_array_size(st->completed) >= CLASS_MAX_COMPLETED)
            refuse = "too many completed lessons for one student (100)";
        else if (!have) {
            json_array_append_new(st->completed, json_string(lesson));
            newly_done = true;
        }
    }
    if (!refuse) {
        if (lesson[0]) {
            if (strcmp(st->lesson, lesson) != 0) st->step[0] = st->title[0] = '\0';
            memcpy(st->lesson, lesson, sizeof lesson);
            if (step[0]) memcpy(st->step, step, sizeof step);
            if (title[0]) memcpy(st->title, title, sizeof title);
        }
        if (qid[0]) {
            json_t *prev = json_object_get(st->answers, key);
            json_int_t att = prev ? json_integer_value(json_object_get(prev, "attempts")) : 0;
            json_t *a = json_object();
            json_object_set_new(a, "correct", json_boolean(correct));
            json_object_set_new(a, "answer", has_answer ? json_string(answer) : json_null());
            json_object_set_new(a, "time", json_integer(now));
            json_object_set_new(a, "graded_by", json_string(graded_by));
            json_object_set_new(a, "attempts", json_integer(att + 1));
            json_object_set_new(st->answers, key, a);
            if (json_object_get(c->attempts, key) || json_object_size(c->attempts) < 100000) {
                json_int_t all = json_integer_value(json_object_get(c->attempts, key));
                json_object_set_new(c->attempts, key, json_integer(all + 1));
            }
        }
        st->last_seen = now;
        mark_dirty(c);
    }
    tl_err de = {0};
    bool stored =
        refuse || persist(c, st, qid[0] ? key : NULL,
                          qid[0] ? json_integer_value(json_object_get(c->attempts, key)) : 0, &de);
    pthread_mutex_unlock(&c->mu);
    if (refuse) return send_error(r, 400, "invalid_request", refuse);
    if (!stored) return send_error(r, 500, "server_error", de.msg);
    char msg[600];
    if (qid[0]) {
        snprintf(msg, sizeof msg, "student %s answered %s", st->id, key);
        srv_event(c->s, "info", "/class/report", st->client.client_id, NULL, msg);
    }
    if (newly_done) {
        snprintf(msg, sizeof msg, "student %s completed %s", st->id, lesson);
        srv_event(c->s, "info", "/class/report", st->client.client_id, NULL, msg);
    }
    return srv_send(r, 204, "text/plain", "", 0, NULL);
}

static enum MHD_Result do_me(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    student *st = student_auth(c, r, &res);
    if (!st) return res;
    pthread_mutex_lock(&c->mu);
    json_t *j = student_json(st);
    pthread_mutex_unlock(&c->mu);
    json_t *u = json_object();
    json_object_set_new(u, "sub", json_string(st->user.sub));
    json_object_set_new(u, "email", json_string(st->user.email));
    json_object_set_new(j, "user", u);
    json_t *cl = json_object();
    json_object_set_new(cl, "client_id", json_string(st->client.client_id));
    json_object_set_new(cl, "client_secret", json_string(st->client.secret));
    json_t *ru = json_array();
    for (size_t i = 0; i < st->client.nredirect; i++)
        json_array_append_new(ru, json_string(st->client.redirect_uris[i]));
    json_object_set_new(cl, "redirect_uris", ru);
    json_object_set_new(j, "client", cl);
    lab_json(j, st);
    return srv_send_json(r, 200, j, NULL);
}

/* ---------------------------------------------------------------- instructor */

static enum MHD_Result do_state(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    if (!instructor(c, r, &res)) return res;
    pthread_mutex_lock(&c->mu);
    json_t *j = state_json(c, false);
    pthread_mutex_unlock(&c->mu);
    return srv_send_json(r, 200, j, NULL);
}

static enum MHD_Result do_events(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    if (!instructor(c, r, &res)) return res;
    struct MHD_Response *resp = events_sse_response(r->s->ev, r->conn, NULL);
    if (!resp) return send_error(r, 503, "temporarily_unavailable", "too many event streams open");
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    r->responded = true;
    return ret;
}

static bool truthy(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0 ||
                 strcasecmp(v, "yes") == 0);
}

static bool falsy(const char *v)
{
    return v && (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0 ||
                 strcasecmp(v, "no") == 0);
}

static enum MHD_Result do_lab(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    if (!srv_parse_body(r, true, &res) || !instructor(c, r, &res)) return res;
    const char *name = srv_form(r, "name");
    const char *on = srv_form(r, "on");
    if (!name || !lab_bit(name)) {
        char known[512];
        lab_known(known, sizeof known);
        return srv_oauth_error(r, 400, NULL, "invalid_request", NULL,
                               "unknown lab switch '%.60s' (known: %s)", name ? name : "", known);
    }
    if (!truthy(on) && !falsy(on))
        return send_error(r, 400, "invalid_request", "on must be true or false");
    tl_err e = {0};
    if (!server_set_lab(r->s, name, truthy(on), &e))
        return srv_oauth_error(r, 400, NULL, "invalid_request", NULL, "%s", e.msg);
    char msg[200];
    snprintf(msg, sizeof msg, "the instructor turned %s %s for the room", name,
             truthy(on) ? "on" : "off");
    srv_event(r->s, "info", "/class/lab", NULL, NULL, msg);
    pthread_mutex_lock(&c->mu);
    mark_dirty(c);
    pthread_mutex_unlock(&c->mu);
    json_t *j = json_object();
    json_object_set_new(j, "labs", labs_json(r->s));
    return srv_send_json(r, 200, j, NULL);
}

/* The student's completed lessons ("a b c") and latest answers: how many, how many right. Needs
 * c->mu. */
static void student_tally(const student *st, char *comp, size_t n, size_t *answered,
                          size_t *correct)
{
    comp[0] = '\0';
    size_t k;
    json_t *v;
    json_array_foreach(st->completed, k, v)
    {
        if (k) strncat(comp, " ", n - strlen(comp) - 1);
        strncat(comp, json_string_value(v), n - strlen(comp) - 1);
    }
    const char *key;
    json_object_foreach(st->answers, key, v)
    {
        (*answered)++;
        if (json_is_true(json_object_get(v, "correct"))) (*correct)++;
    }
}

/* RFC 4180 field, free of control characters (C0, DEL, C1: a spreadsheet or a terminal would act
 * on them), with a leading = + - @ (or TAB, CR: formulas too) neutralized by a ' prefix. */
static void csv_field(char **buf, size_t *len, size_t *cap, const char *raw, bool last)
{
    char clean[4096];
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)(raw ? raw : "");
    for (size_t i = 0; u[i] && o + 1 < sizeof clean; i++) {
        if (u[i] < 0x20 || u[i] == 0x7F) continue;
        if (u[i] == 0xC2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F) { /* C1 */
            i++;
            continue;
        }
        clean[o++] = (char)u[i];
    }
    clean[o] = '\0';
    bool formula = raw && raw[0] && strchr("=+-@\t\r", raw[0]);
    const char *s = clean;
    size_t need = 2 * strlen(s) + 8;
    if (*len + need >= *cap) {
        size_t nc = (*cap + need) * 2;
        char *nb = realloc(*buf, nc);
        if (!nb) return;
        *buf = nb;
        *cap = nc;
    }
    char *p = *buf + *len;
    bool quote = strpbrk(s, ",\"") != NULL || formula;
    if (formula) {
        *p++ = '"';
        *p++ = '\'';
    } else if (quote) {
        *p++ = '"';
    }
    for (const char *q = s; *q; q++) {
        if (*q == '"') *p++ = '"';
        *p++ = *q;
    }
    if (quote) *p++ = '"';
    if (last) {
        *p++ = '\r';
        *p++ = '\n';
    } else {
        *p++ = ',';
    }
    *len = (size_t)(p - *buf);
}

static char *export_csv(struct class_room *c, size_t *outlen)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    static const char *const hdr[] = {
        "student_id", "name",    "joined",   "lesson",           "step",  "completed",
        "answered",   "correct", "question", "question_correct", "answer"};
    size_t nh = sizeof hdr / sizeof *hdr;
    for (size_t i = 0; i < nh; i++) csv_field(&buf, &len, &cap, hdr[i], i + 1 == nh);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        student *st = c->st[i];
        char joined[64], comp[4096], nans[24], ncor[24];
        timefmt_iso8601(st->joined, joined, sizeof joined);
        size_t answered = 0, correct = 0;
        student_tally(st, comp, sizeof comp, &answered, &correct);
        snprintf(nans, sizeof nans, "%zu", answered);
        snprintf(ncor, sizeof ncor, "%zu", correct);
        const char *key;
        json_t *v;
        const char *pre[] = {st->id, st->name, joined, st->lesson, st->step, comp, nans, ncor};
        if (!answered) {
            for (size_t f = 0; f < 8; f++) csv_field(&buf, &len, &cap, pre[f], false);
            csv_field(&buf, &len, &cap, "", false);
            csv_field(&buf, &len, &cap, "", false);
            csv_field(&buf, &len, &cap, "", true);
            continue;
        }
        json_object_foreach(st->answers, key, v)
        {
            for (size_t f = 0; f < 8; f++) csv_field(&buf, &len, &cap, pre[f], false);
            csv_field(&buf, &len, &cap, key, false);
            csv_field(&buf, &len, &cap,
                      json_is_true(json_object_get(v, "correct")) ? "true" : "false", false);
            csv_field(&buf, &len, &cap, json_string_value(json_object_get(v, "answer")), true);
        }
    }
    pthread_mutex_unlock(&c->mu);
    *outlen = len;
    return buf;
}

/* One row per student: where they are, what they completed, their score. */
static char *export_summary(struct class_room *c, size_t *outlen)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    static const char *const hdr[] = {"student_id", "name",      "joined",
                                      "last_seen",  "lesson",    "step",
                                      "title",      "completed", "lessons_completed",
                                      "answered",   "correct"};
    size_t nh = sizeof hdr / sizeof *hdr;
    for (size_t i = 0; i < nh; i++) csv_field(&buf, &len, &cap, hdr[i], i + 1 == nh);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        student *st = c->st[i];
        char joined[64], seen[64], comp[4096], ncomp[24], nans[24], ncor[24];
        timefmt_iso8601(st->joined, joined, sizeof joined);
        timefmt_iso8601(st->last_seen, seen, sizeof seen);
        size_t answered = 0, correct = 0;
        student_tally(st, comp, sizeof comp, &answered, &correct);
        snprintf(ncomp, sizeof ncomp, "%zu", json_array_size(st->completed));
        snprintf(nans, sizeof nans, "%zu", answered);
        snprintf(ncor, sizeof ncor, "%zu", correct);
        const char *row[] = {st->id,    st->name, joined, seen, st->lesson, st->step,
                             st->title, comp,     ncomp,  nans, ncor};
        for (size_t f = 0; f < nh; f++) csv_field(&buf, &len, &cap, row[f], f + 1 == nh);
    }
    pthread_mutex_unlock(&c->mu);
    *outlen = len;
    return buf;
}

static enum MHD_Result do_export(struct class_room *c, srv_req *r)
{
    enum MHD_Result res;
    if (!instructor(c, r, &res)) return res;
    const char *fmt = srv_query(r, "format");
    bool summary = fmt && strcmp(fmt, "summary") == 0;
    if (!fmt || strcmp(fmt, "csv") == 0 || summary) {
        size_t len = 0;
        char *csv = summary ? export_summary(c, &len) : export_csv(c, &len);
        if (!csv) return send_error(r, 500, "server_error", "out of memory");
        srv_hdr h[] = {{"Cache-Control", "no-store"},
                       {"Content-Disposition", "attachment; filename=\"class-results.csv\""},
                       {NULL, NULL}};
        enum MHD_Result ret = srv_send(r, 200, "text/csv; charset=utf-8", csv, len, h);
        free(csv);
        return ret;
    }
    if (strcmp(fmt, "json") == 0) {
        pthread_mutex_lock(&c->mu);
        json_t *j = state_json(c, true);
        pthread_mutex_unlock(&c->mu);
        return srv_send_json(r, 200, j, NULL);
    }
    return send_error(r, 400, "invalid_request", "format must be csv, summary or json");
}

/* ---------------------------------------------------------------- routing, start, stop */

enum MHD_Result class_handle(srv_req *r)
{
    struct class_room *c = r->s->room;
    int retry = 0;
    if (!rate_take(c, r, 1.0, false, &retry)) return too_many(r, retry);
    static const struct {
        const char *path;
        bool post;
        enum MHD_Result (*fn)(struct class_room *, srv_req *);
    } routes[] = {
        {"/class/join", true, do_join},      {"/class/report", true, do_report},
        {"/class/me", false, do_me},         {"/class/state", false, do_state},
        {"/class/events", false, do_events}, {"/class/lab", true, do_lab},
        {"/class/export", false, do_export},
    };
    bool is_get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool is_post = strcmp(r->method, "POST") == 0;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(routes[i].path, r->path) != 0) continue;
        if ((routes[i].post && is_post) || (!routes[i].post && is_get)) return routes[i].fn(c, r);
        const char *allow = routes[i].post ? "POST" : "GET";
        srv_hdr h[] = {{"Allow", allow}, {NULL, NULL}};
        return srv_oauth_error(r, 405, NULL, "invalid_request", h,
                               "%s is not allowed on %s (use %s)", r->method, r->path, allow);
    }
    snprintf(r->reason, sizeof r->reason, "no such endpoint");
    json_t *j = json_object();
    json_object_set_new(j, "error", json_string("not_found"));
    json_object_set_new(j, "error_description",
                        json_string("no such class endpoint; see docs/class.md"));
    return srv_send_json(r, 404, j, NULL);
}

/* The join code and instructor key: fixed by the options, else kept from the database, else new
 * (31 symbols; the modulo bias of 256 % 31 is irrelevant for a code that also needs the rate
 * limiter's patience: about 8.9e8 codes). Written back to the database. */
static bool room_identity(struct class_room *c, const server_options *o, tl_err *e)
{
    char *code = o->class_code ? strdup(o->class_code) : c->db ? classdb_meta(c->db, "code") : NULL;
    if (code) {
        size_t n = strlen(code);
        for (size_t i = 0; i < n; i++) code[i] = (char)toupper((unsigned char)code[i]);
        bool ok = n == 6 && strspn(code, code_alphabet) == 6;
        if (ok) memcpy(c->code, code, 7);
        free(code);
        if (!ok)
            return err_set(e, "server.class",
                           "a join code is 6 characters of %s (no 0, O, 1, I or L)", code_alphabet);
    } else {
        unsigned char rnd[6];
        if (RAND_bytes(rnd, 6) != 1) return err_set(e, "server.class", "the CSPRNG failed");
        for (int i = 0; i < 6; i++) c->code[i] = code_alphabet[rnd[i] % (sizeof code_alphabet - 1)];
        c->code[6] = '\0';
    }
    c->key = o->class_key ? strdup(o->class_key) : c->db ? classdb_meta(c->db, "key") : NULL;
    if (c->key && strlen(c->key) < 16)
        return err_set(e, "server.class", "the instructor key must be at least 16 characters");
    if (!c->key) c->key = secret_random_token(32);
    if (!c->key) return err_set(e, "server.class", "the CSPRNG failed");
    return !c->db || (classdb_set_meta(c->db, "code", c->code, e) &&
                      classdb_set_meta(c->db, "key", c->key, e));
}

static char *json_dup(const json_t *o, const char *k)
{
    return strdup(
        json_string_value(json_object_get(o, k)) ? json_string_value(json_object_get(o, k)) : "");
}

/* One student from the database (their lab comes in class_ready, once the server listens). */
static bool load_one(void *ud, const classdb_student *row)
{
    struct class_room *c = ud;
    if (row->num != c->n + 1 || c->n >= c->max) return false;
    student *st = student_make(row->num, row->asked_name, row->name, strdup(row->token_secret),
                               strdup(row->password_hash), strdup(row->client_secret));
    if (!st) return false;
    st->joined = row->joined;
    st->last_seen = row->last_seen;
    const json_t *p = row->progress;
    char *t[3] = {json_dup(p, "lesson"), json_dup(p, "step"), json_dup(p, "title")};
    snprintf(st->lesson, sizeof st->lesson, "%s", t[0] ? t[0] : "");
    snprintf(st->step, sizeof st->step, "%s", t[1] ? t[1] : "");
    snprintf(st->title, sizeof st->title, "%s", t[2] ? t[2] : "");
    for (int i = 0; i < 3; i++) free(t[i]);
    json_t *comp = json_object_get(p, "completed"), *ans = json_object_get(p, "answers");
    if (json_is_array(comp)) json_array_extend(st->completed, comp);
    if (json_is_object(ans)) json_object_update(st->answers, ans);
    json_int_t same = json_integer_value(json_object_get(c->names, st->asked));
    json_object_set_new(c->names, st->asked, json_integer(same + 1));
    c->st[c->n++] = st;
    atomic_store_explicit(&c->published, c->n, memory_order_release);
    return true;
}

static bool load_room(struct class_room *c, tl_err *e)
{
    if (!c->db) return true;
    json_t *att = NULL;
    bool ok = classdb_load(c->db, load_one, c, &att, e);
    if (att) {
        json_decref(c->attempts);
        c->attempts = att;
    }
    if (!ok && !e->code)
        err_set(e, "server.class",
                "the class database holds a student this server cannot take "
                "back (ids out of order, or more than --class-max)");
    return ok;
}

bool class_ready(server *s, tl_err *e)
{
    struct class_room *c = s ? s->room : NULL;
    if (!c) return true;
    pthread_mutex_lock(&c->mu);
    bool ok = true;
    for (size_t i = 0; ok && i < c->n; i++)
        if (!c->st[i]->lab) ok = (c->st[i]->lab = student_lab(c, c->st[i], e)) != NULL;
    pthread_mutex_unlock(&c->mu);
    return ok;
}

bool class_start(server *s, const server_options *o, tl_err *e)
{
    struct class_room *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, "server.class", "out of memory");
    c->s = s;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->rate_mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    s->room = c; /* class_stop frees it, whatever happens below */
    c->max = o->class_max ? o->class_max : CLASS_MAX_DEFAULT;
    if (c->max > 100000) return err_set(e, "server.class", "at most 100000 students");
    c->rate = o->class_rate < 0 ? 0 : o->class_rate ? o->class_rate : CLASS_RATE_DEFAULT;
    c->burst = 5 * c->rate;
    c->st = calloc(c->max, sizeof *c->st);
    c->slots = calloc(CLASS_RATE_SLOTS, sizeof *c->slots);
    c->names = json_object();
    c->attempts = json_object();
    c->max_answers = CLASS_MAX_ANSWERS;
    if (o->class_grader && o->class_grader->grade) {
        c->grader = *o->class_grader;
        if (o->class_grader->course)
            c->course = json_deep_copy((const json_t *)o->class_grader->course);
        /* every question of the course can be answered (unknown ones are refused) */
        size_t nq = 0;
        const char *k;
        json_t *l;
        json_object_foreach(c->course, k, l) nq +=
            json_object_size(json_object_get(l, "questions"));
        if (nq > c->max_answers) c->max_answers = nq;
    }
    if (!c->st || !c->slots || !c->names || !c->attempts)
        return err_set(e, "server.class", "out of memory");
    if (o->class_db && !classdb_open(o->class_db, &c->db, e)) return false;
    if (!room_identity(c, o, e) || !load_room(c, e)) return false;
    if (o->class_results) {
        c->results = strdup(o->class_results);
        if (!c->results) return err_set(e, "server.class", "out of memory");
        if (!keep_old_results(s, c->results, e)) return false;
        c->dirty = true; /* an empty class is written at once, so a bad path shows early */
        tl_err we = {0};
        char *empty = NULL;
        json_t *j = state_json(c, true);
        empty = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(j);
        bool ok = empty && fileio_write_atomic(c->results, empty, strlen(empty), &we);
        free(empty);
        if (!ok)
            return err_set(e, "server.class", "cannot write the results file %s: %s", c->results,
                           we.msg);
        c->dirty = false;
        if (pthread_create(&c->writer, NULL, writer_main, c) != 0)
            return err_set(e, "server.class", "cannot start the results writer");
        c->writer_started = true;
    }
    c->ext.ud = c;
    c->ext.user_by_email = ext_user_by_email;
    c->ext.user_by_sub = ext_user_by_sub;
    c->ext.client_by_id = ext_client_by_id;
    s->cfg->ext = &c->ext;
    return true;
}

void class_stop(server *s)
{
    struct class_room *c = s ? s->room : NULL;
    if (!c) return;
    if (c->writer_started) {
        pthread_mutex_lock(&c->mu);
        c->stopping = true;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->writer, NULL);
        if (c->dirty) write_results(c);
    }
    if (s->cfg) s->cfg->ext = NULL;
    for (size_t i = 0; i < c->n; i++) student_free(c->st[i]);
    free(c->st);
    free(c->slots);
    json_decref(c->names);
    json_decref(c->attempts);
    json_decref(c->course);
    classdb_close(c->db);
    free(c->key);
    free(c->results);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->rate_mu);
    pthread_cond_destroy(&c->cv);
    free(c);
    s->room = NULL;
}

server *class_lab(server *s, const char *p, const char **rest)
{
    struct class_room *c = s ? s->room : NULL;
    if (!c || strncmp(p, "st-", 3) != 0) return NULL;
    const char *end = NULL;
    student *st = by_num(c, parse_num(p + 3, &end));
    if (!st || (*end && *end != '/')) return NULL;
    *rest = end;
    return st->lab;
}

const char *class_join_code(const server *s)
{
    return s && s->room ? s->room->code : NULL;
}

const char *class_instructor_key(const server *s)
{
    return s && s->room ? s->room->key : NULL;
}

size_t class_student_count(const server *s)
{
    if (!s || !s->room) return 0;
    pthread_mutex_lock(&s->room->mu);
    size_t n = s->room->n;
    pthread_mutex_unlock(&s->room->mu);
    return n;
}
