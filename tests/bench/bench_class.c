/* SPDX-License-Identifier: MIT */
/* bench_class — the class-server simulator (issue 6, "Scale"): an embedded class server on
 * 127.0.0.1 and N simulated students driven by one libcurl multi loop. Each student joins once
 * (at a random moment of the first period), then once every PERIOD seconds runs one cycle:
 *
 *   GET /authorize (JSON, PKCE S256) → POST /authorize/login → POST /authorize/consent →
 *   POST /token (code, its own confidential client) → GET /api/profile → POST /token (refresh)
 *   → POST /class/report (a quiz answer)
 *
 * Every request's latency (libcurl total time, so queueing in the client counts against us) and
 * every unexpected answer is recorded. A run passes when p99 < 100 ms and there are no errors.
 *
 *   bench_class [--students N] [--seconds S] [--period P] [--alg RS256|ES256|...]
 *               [--dashboard S]   (an instructor polls GET /class/state every S s; default 2,
 *                                  0 = off; its latency is reported, not part of the bar)
 *   bench_class --ramp 250,500,1000,1500,2000 [--seconds S] [--alg A]
 *
 * --ramp runs each N on a fresh server and stops after the first N that misses the bar; it prints
 * the largest N that met it. Loopback only; bounded: at most 20,000 students, 300 s per run. The
 * class rate limit is off and the per-address limit raised (every student shares 127.0.0.1, a class
 * behind one NAT address); everything else is the normal server.
 */
#define _GNU_SOURCE 1
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "server/class.h"
#include "server/server.h"

#define VERIFIER  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" /* RFC 7636 Appendix B */
#define REDIRECT  "http%3A%2F%2F127.0.0.1%3A5555%2Fcallback"
#define MAX_CONNS                                                                                  \
    200 /* every student shares 127.0.0.1: the server's --per-address-limit is raised */

enum step {
    S_IDLE,
    S_JOIN,
    S_AUTHZ,
    S_LOGIN,
    S_CONSENT,
    S_EXCHANGE,
    S_API,
    S_REFRESH,
    S_REPORT,
    S_STATE /* the instructor's dashboard polling /class/state */
};
static const char *const step_names[] = {"idle",     "join", "authorize", "login",  "consent",
                                         "exchange", "api",  "refresh",   "report", "state"};
#define NSTEPS 10

typedef struct student {
    int idx;
    enum step step;
    double next; /* when the next cycle starts (monotonic s) */
    char *email, *password, *client_id, *secret, *token;
    char *session, *session_secret, *csrf, *code, *access, *refresh;
    char *body; /* the request body (kept until the transfer ends) */
    struct curl_slist *hdrs;
    struct {
        char *p;
        size_t n;
    } resp;
    int cycles;
    CURL *easy; /* reused: one per student, as each student is a separate client */
} student;

typedef struct lat {
    double *v;
    size_t n, cap;
} lat;

static lat all, per_step[NSTEPS];
static long errors;
static long error_prints;
static CURLM *multi;
static const char *base;
static const char *join_code;
static const char *instructor_key;
static int active;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void lat_add(lat *l, double ms)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4096;
        double *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = ms;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(lat *l, double p)
{
    if (!l->n) return 0;
    qsort(l->v, l->n, sizeof *l->v, cmp_d);
    size_t i = (size_t)ceil(p / 100.0 * (double)l->n);
    if (i) i--;
    if (i >= l->n) i = l->n - 1;
    return l->v[i];
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    student *s = ud;
    size_t add = sz * n;
    char *nb = realloc(s->resp.p, s->resp.n + add + 1);
    if (!nb) return 0;
    memcpy(nb + s->resp.n, p, add);
    s->resp.n += add;
    nb[s->resp.n] = '\0';
    s->resp.p = nb;
    return add;
}

static void set(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? strdup(v) : NULL;
}

static void fail(student *s, const char *what, long status)
{
    errors++;
    if (error_prints++ < 5)
        fprintf(stderr, "bench_class: student %d %s: %s (HTTP %ld) %.200s\n", s->idx,
                step_names[s->step], what, status, s->resp.p ? s->resp.p : "");
    s->step = S_IDLE; /* try again next period */
}

/* Starts the request for s->step. */
static void send_step(student *s)
{
    char url[1024];
    char *body = NULL;
    struct curl_slist *h = NULL;
    switch (s->step) {
    case S_JOIN:
        snprintf(url, sizeof url, "%s/class/join", base);
        body = malloc(128);
        snprintf(body, 128, "code=%s&name=Student+%d", join_code, s->idx);
        break;
    case S_AUTHZ:
        snprintf(url, sizeof url,
                 "%s/authorize?response_type=code&client_id=%s&redirect_uri=%s"
                 "&scope=openid+profile+offline_access&state=s%d&code_challenge=" CHALLENGE
                 "&code_challenge_method=S256",
                 base, s->client_id, REDIRECT, s->cycles);
        h = curl_slist_append(h, "Accept: application/json");
        break;
    case S_LOGIN:
        snprintf(url, sizeof url, "%s/authorize/login", base);
        body = malloc(512);
        snprintf(body, 512, "session=%s&session_secret=%s&email=%s&password=%s", s->session,
                 s->session_secret, s->email, s->password);
        h = curl_slist_append(h, "Accept: application/json");
        break;
    case S_CONSENT:
        snprintf(url, sizeof url, "%s/authorize/consent", base);
        body = malloc(512);
        snprintf(body, 512, "session=%s&session_secret=%s&csrf=%s&decision=allow", s->session,
                 s->session_secret, s->csrf);
        h = curl_slist_append(h, "Accept: application/json");
        break;
    case S_EXCHANGE:
        snprintf(url, sizeof url, "%s/token", base);
        body = malloc(1024);
        snprintf(body, 1024,
                 "grant_type=authorization_code&code=%s&redirect_uri=%s"
                 "&client_id=%s&client_secret=%s&code_verifier=" VERIFIER,
                 s->code, REDIRECT, s->client_id, s->secret);
        break;
    case S_API: {
        snprintf(url, sizeof url, "%s/api/profile", base);
        char *a = malloc(strlen(s->access) + 32);
        sprintf(a, "Authorization: Bearer %s", s->access);
        h = curl_slist_append(h, a);
        free(a);
        break;
    }
    case S_REFRESH:
        snprintf(url, sizeof url, "%s/token", base);
        body = malloc(strlen(s->refresh) + 512);
        sprintf(body, "grant_type=refresh_token&refresh_token=%s&client_id=%s&client_secret=%s",
                s->refresh, s->client_id, s->secret);
        break;
    case S_REPORT: {
        snprintf(url, sizeof url, "%s/class/report", base);
        body = malloc(200);
        snprintf(body, 200,
                 "{\"lesson\":\"bench\",\"step\":\"%d\",\"quiz\":{\"id\":\"q%d\",\"correct\":%s}}",
                 s->cycles, s->cycles % 10, (s->idx + s->cycles) % 3 ? "true" : "false");
        char a[300];
        snprintf(a, sizeof a, "Authorization: Bearer %s", s->token);
        h = curl_slist_append(h, a);
        h = curl_slist_append(h, "Content-Type: application/json");
        break;
    }
    case S_STATE: {
        snprintf(url, sizeof url, "%s/class/state", base);
        char a[300];
        snprintf(a, sizeof a, "Authorization: Bearer %s", instructor_key);
        h = curl_slist_append(h, a);
        break;
    }
    default:
        return;
    }
    if (!s->easy)
        s->easy = curl_easy_init();
    else
        curl_easy_reset(s->easy);
    CURL *c = s->easy;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_PRIVATE, s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (h) curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    free(s->body);
    s->body = body;
    curl_slist_free_all(s->hdrs);
    s->hdrs = h;
    free(s->resp.p);
    s->resp.p = NULL;
    s->resp.n = 0;
    curl_multi_add_handle(multi, c);
    active++;
}

static const char *code_from(const char *loc)
{
    static char buf[128];
    const char *p = loc ? strstr(loc, "code=") : NULL;
    if (!p) return NULL;
    p += 5;
    size_t n = strcspn(p, "&#");
    if (n >= sizeof buf) return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* Handles a finished transfer and starts the next step (or goes idle). */
static void done(student *s, long status, CURLcode rc)
{
    if (rc != CURLE_OK) {
        fail(s, curl_easy_strerror(rc), 0);
        return;
    }
    json_t *j = s->resp.p ? json_loads(s->resp.p, 0, NULL) : NULL;
#define STR(k) json_string_value(json_object_get(j, k))
    switch (s->step) {
    case S_JOIN:
        if (status != 201) break;
        set(&s->email, json_string_value(json_object_get(json_object_get(j, "user"), "email")));
        set(&s->password,
            json_string_value(json_object_get(json_object_get(j, "user"), "password")));
        set(&s->client_id,
            json_string_value(json_object_get(json_object_get(j, "client"), "client_id")));
        set(&s->secret,
            json_string_value(json_object_get(json_object_get(j, "client"), "client_secret")));
        set(&s->token, STR("student_token"));
        json_decref(j);
        s->step = S_IDLE;
        return;
    case S_AUTHZ:
        if (status != 200 || !STR("session")) break;
        set(&s->session, STR("session"));
        set(&s->session_secret, STR("session_secret"));
        s->step = S_LOGIN;
        json_decref(j);
        send_step(s);
        return;
    case S_LOGIN:
    case S_CONSENT:
        if (status != 200) break;
        if (STR("location") && code_from(STR("location"))) {
            set(&s->code, code_from(STR("location")));
            s->step = S_EXCHANGE;
        } else if (s->step == S_LOGIN && STR("csrf")) {
            set(&s->session, STR("session"));
            set(&s->csrf, STR("csrf"));
            s->step = S_CONSENT;
        } else {
            break;
        }
        json_decref(j);
        send_step(s);
        return;
    case S_EXCHANGE:
    case S_REFRESH:
        /* confidential clients keep their refresh token (no rotation, RFC 9700 §4.14.2) */
        if (status != 200 || !STR("access_token") ||
            (s->step == S_EXCHANGE && !STR("refresh_token")))
            break;
        set(&s->access, STR("access_token"));
        if (STR("refresh_token")) set(&s->refresh, STR("refresh_token"));
        s->step = s->step == S_EXCHANGE ? S_API : S_REPORT;
        json_decref(j);
        send_step(s);
        return;
    case S_API:
        if (status != 200) break;
        s->step = S_REFRESH;
        json_decref(j);
        send_step(s);
        return;
    case S_STATE:
        if (status != 200 || !json_is_array(json_object_get(j, "students"))) break;
        s->step = S_IDLE;
        json_decref(j);
        return;
    case S_REPORT:
        if (status != 204) break;
        s->cycles++;
        s->step = S_IDLE;
        json_decref(j);
        return;
    default:
        break;
    }
#undef STR
    json_decref(j);
    fail(s, "unexpected answer", status);
}

typedef struct result {
    int n;
    long requests, errors, late;
    double p50, p99, max, rps, cpu;
    long cycles, state_polls;
    double server_ms_per_cycle, client_ms_per_cycle;
    double step_p99[NSTEPS];
} result;

static result run(int n, double seconds, double period, double dash_every, const char *config_path)
{
    result r = {0};
    r.n = n;
    server_options o = {0};
    o.listen = "127.0.0.1:0";
    o.class_mode = true;
    o.class_rate = -1;
    o.class_max = (size_t)n + 10;
    o.per_address_limit = 3 * (unsigned)n + MAX_CONNS; /* one pending session each, and streams */
    o.config_path = config_path;
    server *srv = NULL;
    tl_err e = {0};
    if (!server_start(&o, &srv, &e)) {
        fprintf(stderr, "bench_class: server_start: %s\n", e.msg);
        r.errors = -1;
        return r;
    }
    base = server_base_url(srv);
    join_code = class_join_code(srv);
    instructor_key = class_instructor_key(srv);
    student dash = {.idx = -1, .step = S_IDLE, .next = now_s() + dash_every};
    all.n = 0;
    for (int i = 0; i < NSTEPS; i++) per_step[i].n = 0;
    errors = error_prints = 0;
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)MAX_CONNS);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)MAX_CONNS);
    student *st = calloc((size_t)n, sizeof *st);
    double t0 = now_s();
    srand(42);
    for (int i = 0; i < n; i++) {
        st[i].idx = i;
        st[i].step = S_IDLE;
        st[i].next = t0 + period * (double)rand() / RAND_MAX; /* join moment */
    }
    struct rusage ru0, ru1, th0, th1;
    getrusage(RUSAGE_SELF, &ru0);
    getrusage(RUSAGE_THREAD, &th0); /* this thread is the client; the rest is the server */
    double end = t0 + seconds;
    long late = 0;
    for (;;) {
        double now = now_s();
        bool starting = now < end;
        if (starting)
            for (int i = 0; i < n; i++) {
                student *s = &st[i];
                if (s->step != S_IDLE || now < s->next) continue;
                if (now - s->next > period) late++; /* the previous cycle overran a period */
                s->next += period;
                if (s->next < now) s->next = now + period;
                s->step = s->token ? S_AUTHZ : S_JOIN;
                send_step(s);
            }
        if (starting && dash_every > 0 && dash.step == S_IDLE && now >= dash.next) {
            dash.next = now + dash_every;
            dash.step = S_STATE;
            send_step(&dash);
        }
        if (!starting && active == 0) break;
        if (now > end + 15) break; /* stragglers: counted as errors below */
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE) continue;
            CURL *c = m->easy_handle;
            student *s = NULL;
            long status = 0;
            curl_off_t us = 0;
            curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &us);
            CURLcode rc = m->data.result;
            curl_multi_remove_handle(multi, c);
            active--;
            double ms = (double)us / 1000.0;
            if (s != &dash) lat_add(&all, ms); /* the bar is the students' latency */
            lat_add(&per_step[s->step], ms);
            done(s, status, rc);
        }
        curl_multi_poll(multi, NULL, 0, 2, NULL);
    }
    getrusage(RUSAGE_SELF, &ru1);
    getrusage(RUSAGE_THREAD, &th1);
    double wall = now_s() - t0;
    for (int i = 0; i < n; i++) r.cycles += st[i].cycles;
    double cpu_all =
        tv_s(&ru1.ru_utime) + tv_s(&ru1.ru_stime) - tv_s(&ru0.ru_utime) - tv_s(&ru0.ru_stime);
    double cpu_client =
        tv_s(&th1.ru_utime) + tv_s(&th1.ru_stime) - tv_s(&th0.ru_utime) - tv_s(&th0.ru_stime);
    if (r.cycles) {
        r.server_ms_per_cycle = (cpu_all - cpu_client) * 1000.0 / (double)r.cycles;
        r.client_ms_per_cycle = cpu_client * 1000.0 / (double)r.cycles;
    }
    r.requests = (long)all.n;
    r.state_polls = (long)per_step[S_STATE].n;
    r.errors = errors + active; /* unfinished transfers count */
    r.late = late;
    r.p50 = pct(&all, 50);
    r.p99 = pct(&all, 99);
    r.max = all.n ? all.v[all.n - 1] : 0;
    r.rps = (double)all.n / wall;
    r.cpu = ((double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
             (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
             (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
             (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6) /
            wall;
    for (int i = 1; i < NSTEPS; i++) r.step_p99[i] = pct(&per_step[i], 99);
    for (int i = 0; i < n; i++)
        if (st[i].easy) curl_multi_remove_handle(multi, st[i].easy);
    if (dash.easy) {
        curl_multi_remove_handle(multi, dash.easy);
        curl_easy_cleanup(dash.easy);
    }
    free(dash.body);
    free(dash.resp.p);
    curl_slist_free_all(dash.hdrs);
    curl_multi_cleanup(multi);
    for (int i = 0; i < n; i++) {
        student *s = &st[i];
        char **f[] = {&s->email,   &s->password,       &s->client_id, &s->secret, &s->token,
                      &s->session, &s->session_secret, &s->csrf,      &s->code,   &s->access,
                      &s->refresh, &s->body,           &s->resp.p};
        for (size_t k = 0; k < sizeof f / sizeof *f; k++) free(*f[k]);
        curl_slist_free_all(s->hdrs);
        if (s->easy) curl_easy_cleanup(s->easy);
    }
    free(st);
    active = 0;
    server_stop(srv);
    return r;
}

static void print(const result *r, double seconds, double period)
{
    bool ok = r->errors == 0 && r->p99 < 100.0;
    printf("students %5d  %4.0f s (cycle every %.0f s)  requests %7ld  %6.0f req/s  errors %ld  "
           "late cycles %ld  p50 %6.1f ms  p99 %7.1f ms  max %7.1f ms  cpu %.2f cores  %s\n",
           r->n, seconds, period, r->requests, r->rps, r->errors, r->late, r->p50, r->p99, r->max,
           r->cpu, ok ? "MEETS the bar" : "misses the bar (p99 < 100 ms, no errors)");
    printf("   p99 per step:");
    for (int i = 1; i < NSTEPS - 1; i++) printf(" %s %.1f", step_names[i], r->step_p99[i]);
    printf(" (ms)\n   completed cycles %ld; CPU per cycle: server %.2f ms, simulator %.2f ms; "
           "dashboard: %ld GET /class/state, p99 %.1f ms (not in the bar)\n",
           r->cycles, r->server_ms_per_cycle, r->client_ms_per_cycle, r->state_polls,
           r->step_p99[S_STATE]);
    fflush(stdout);
}

/* A copy of the default config with another signing alg, in a temp file (caller unlinks). */
static char *config_with_alg(const char *alg)
{
    char *text = NULL;
    size_t len = 0;
    tl_err e = {0};
    if (!assets_read("config.json", &text, &len, &e)) {
        fprintf(stderr, "bench_class: %s\n", e.msg);
        return NULL;
    }
    json_t *j = json_loadb(text, len, 0, NULL);
    free(text);
    if (!j) return NULL;
    json_t *signing = json_object_get(j, "signing");
    if (!json_is_object(signing)) {
        json_decref(j);
        return NULL;
    }
    json_object_set_new(signing, "alg", json_string(alg));
    char *out = json_dumps(j, 0);
    json_decref(j);
    static char path[] = "/tmp/bench-class-config-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || !out) return NULL;
    close(fd);
    bool ok = fileio_write_atomic(path, out, strlen(out), &e);
    free(out);
    return ok ? strdup(path) : NULL;
}

int main(int argc, char **argv)
{
    int n = 250;
    double seconds = 20, period = 5, dash_every = 2;
    const char *ramp = NULL, *alg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "usage: bench_class [--students N | --ramp N,N,...] [--seconds S] "
                            "[--period P] [--alg ALG] [--dashboard S]\n");
            return 2;
        }
        if (strcmp(argv[i], "--students") == 0)
            n = atoi(v);
        else if (strcmp(argv[i], "--ramp") == 0)
            ramp = v;
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(v);
        else if (strcmp(argv[i], "--period") == 0)
            period = atof(v);
        else if (strcmp(argv[i], "--alg") == 0)
            alg = v;
        else if (strcmp(argv[i], "--dashboard") == 0)
            dash_every = atof(v);
        else {
            fprintf(stderr, "bench_class: unknown option %s\n", argv[i]);
            return 2;
        }
        i++;
    }
    if (n < 1 || n > 20000 || seconds < 1 || seconds > 300 || period < 0.5 || period > 60) {
        fprintf(stderr, "bench_class: 1-20000 students, 1-300 s, period 0.5-60 s\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char *cfg = alg ? config_with_alg(alg) : NULL;
    if (alg && !cfg) return 1;
    printf("bench_class: signing alg %s, %ld online CPUs, load average ", alg ? alg : "RS256",
           sysconf(_SC_NPROCESSORS_ONLN));
    double la[3] = {0};
    if (getloadavg(la, 3) == 3) printf("%.2f %.2f %.2f", la[0], la[1], la[2]);
    printf("\n");
    int rc = 0;
    if (!ramp) {
        result r = run(n, seconds, period, dash_every, cfg);
        print(&r, seconds, period);
        rc = r.errors == 0 && r.p99 < 100.0 ? 0 : 1;
    } else {
        int best = 0;
        char *list = strdup(ramp);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            int k = atoi(tok);
            if (k < 1 || k > 20000) continue;
            result r = run(k, seconds, period, dash_every, cfg);
            print(&r, seconds, period);
            if (r.errors == 0 && r.p99 < 100.0)
                best = k;
            else
                break;
        }
        free(list);
        printf("largest class meeting the bar (p99 < 100 ms, no errors): %d students\n", best);
        rc = best > 0 ? 0 : 1;
    }
    if (cfg) {
        unlink(cfg);
        free(cfg);
    }
    curl_global_cleanup();
    return rc;
}
