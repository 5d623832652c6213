/* SPDX-License-Identifier: MIT */
/* bench_soak — a soak test of the mock server: many connections, every endpoint family, malformed
 * requests mixed in, memory watched (issue 7, "Load and soak").
 *
 *   bench_soak BASE_URL [--pid PID] [-c CONNECTIONS] [-n REQUESTS] [-d MAX_SECONDS]
 *              [--max-growth-kib K] [--no-rss]
 *
 * Keeps CONNECTIONS requests in flight over libcurl multi (keep-alive) until REQUESTS completed or
 * MAX_SECONDS passed, cycling through a fixed mix: good requests (discovery, JWKS, /token
 * client_credentials, /login, /api/profile with the login token, /health) that must answer 200,
 * and malformed ones (bad %-escapes, wrong secret, deeply nested and non-UTF-8 JSON, NUL bytes,
 * unknown client, a garbage bearer token, an oversized body, an oversized header) that must answer
 * 4xx. Every 50th request is instead a raw TCP connection sending a broken request line or a NUL
 * byte in a header, which must get an answer (4xx, 505 for a bad version) or a close within
 * 5 s, never a hang.
 *
 * With --pid, the server's VmRSS is sampled after the first fifth of the requests (warm-up) and at
 * the end; growth above --max-growth-kib (default 8192) fails the run. Prints a table per family
 * (count, p50, p99 ms, failures) and exits 1 on any failure. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN    64
#define MAX_SAMPLES 200000

typedef struct family {
    const char *name;
    const char *method; /* GET / POST */
    const char *path;
    const char *ctype; /* Content-Type or NULL */
    const char *body;  /* NULL: none; "@BIG": an oversized body */
    const char *auth;  /* "basic:USER:PASS", "bearer-login", "bearer:TOKEN", "bighdr" or NULL */
    bool good;         /* 200 expected; else 4xx */
    long n, fails, fivexx;
    double *lat;
    size_t nlat;
} family;

static family fams[] = {
    {"GET discovery", "GET", "/.well-known/openid-configuration", NULL, NULL, NULL, true, 0, 0, 0,
     NULL, 0},
    {"GET /jwks", "GET", "/jwks", NULL, NULL, NULL, true, 0, 0, 0, NULL, 0},
    {"POST /token client_credentials", "POST", "/token", "application/x-www-form-urlencoded",
     "grant_type=client_credentials&scope=api%3Aread", "basic:demo-service:demo-service-secret",
     true, 0, 0, 0, NULL, 0},
    {"POST /login (JSON)", "POST", "/login", "application/json",
     "{\"email\":\"alice@example.com\",\"password\":\"wonderland\"}", NULL, true, 0, 0, 0, NULL, 0},
    {"GET /api/profile (login JWT)", "GET", "/api/profile", NULL, NULL, "bearer-login", true, 0, 0,
     0, NULL, 0},
    {"GET /health", "GET", "/health", NULL, NULL, NULL, true, 0, 0, 0, NULL, 0},
    {"bad: /token bad %-escape", "POST", "/token", "application/x-www-form-urlencoded",
     "grant_type=%zz&scope=%", "basic:demo-service:demo-service-secret", false, 0, 0, 0, NULL, 0},
    {"bad: /token wrong secret", "POST", "/token", "application/x-www-form-urlencoded",
     "grant_type=client_credentials", "basic:demo-service:wrong", false, 0, 0, 0, NULL, 0},
    {"bad: /login nested JSON", "POST", "/login", "application/json",
     "{\"email\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
     "[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]}",
     NULL, false, 0, 0, 0, NULL, 0},
    {"bad: /login invalid UTF-8", "POST", "/login", "application/json",
     "{\"email\":\"\xff\xfe@example.com\",\"password\":\"x\"}", NULL, false, 0, 0, 0, NULL, 0},
    {"bad: /token NUL in form", "POST", "/token", "application/x-www-form-urlencoded",
     "grant_type=client_credentials%00&scope=x", "basic:demo-service:demo-service-secret", false, 0,
     0, 0, NULL, 0},
    {"bad: /authorize unknown client", "GET",
     "/authorize?response_type=code&client_id=nobody&redirect_uri=http%3A%2F%2Fevil.example%2F",
     NULL, NULL, NULL, false, 0, 0, 0, NULL, 0},
    {"bad: /api/profile garbage bearer", "GET", "/api/profile", NULL, NULL, "bearer:e30.e30.AAAA",
     false, 0, 0, 0, NULL, 0},
    {"bad: /token 2 MiB body", "POST", "/token", "application/x-www-form-urlencoded", "@BIG",
     "basic:demo-service:demo-service-secret", false, 0, 0, 0, NULL, 0},
    {"bad: 64 KiB header", "GET", "/health", NULL, NULL, "bighdr", false, 0, 0, 0, NULL, 0},
};
#define NFAM (sizeof fams / sizeof fams[0])

static char base[512];
static char login_token[4096];
static char *big_body, *big_header;

typedef struct slot {
    CURL *h;
    struct curl_slist *hdrs;
    family *f;
    double t0;
    char buf[8192];
    size_t len;
} slot;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    slot *s = ud;
    size_t k = sz * n, room = sizeof s->buf - 1 - s->len;
    memcpy(s->buf + s->len, p, k < room ? k : room);
    s->len += k < room ? k : room;
    s->buf[s->len] = '\0';
    return k;
}

static long rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &v) == 1) break;
    fclose(f);
    return v;
}

static void setup(slot *s, family *f)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", base, f->path);
    curl_easy_reset(s->h);
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
    s->f = f;
    s->len = 0;
    s->buf[0] = '\0';
    curl_easy_setopt(s->h, CURLOPT_URL, url);
    curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
    if (f->ctype) {
        char h[128];
        snprintf(h, sizeof h, "Content-Type: %s", f->ctype);
        s->hdrs = curl_slist_append(s->hdrs, h);
    }
    if (f->auth && strncmp(f->auth, "basic:", 6) == 0) {
        curl_easy_setopt(s->h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(s->h, CURLOPT_USERPWD, f->auth + 6);
    } else if (f->auth && strcmp(f->auth, "bearer-login") == 0) {
        char h[4200];
        snprintf(h, sizeof h, "Authorization: Bearer %s", login_token);
        s->hdrs = curl_slist_append(s->hdrs, h);
    } else if (f->auth && strncmp(f->auth, "bearer:", 7) == 0) {
        char h[512];
        snprintf(h, sizeof h, "Authorization: Bearer %s", f->auth + 7);
        s->hdrs = curl_slist_append(s->hdrs, h);
    } else if (f->auth && strcmp(f->auth, "bighdr") == 0) {
        s->hdrs = curl_slist_append(s->hdrs, big_header);
    }
    if (s->hdrs) curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdrs);
    if (strcmp(f->method, "POST") == 0) {
        const char *b = f->body ? f->body : "";
        if (strcmp(b, "@BIG") == 0) b = big_body;
        curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE, (long)strlen(b));
        curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, b);
    }
    s->t0 = now_s();
}

/* A raw connection with a broken request. True when the server answered 4xx or closed. */
static bool raw_garbage(const char *host, int port, unsigned which, char *why, size_t whylen)
{
    static const char r0[] = "GARBAGE\r\n\r\n";
    static const char r1[] = "GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n";
    static const char r2[] = "GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char r3[] = "POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n";
    static const char r4[] = "GET /health HTTP/9.9\r\n\r\n";
    static const char *const reqs[] = {r0, r1, r2, r3, r4};
    static const size_t lens[] = {sizeof r0 - 1, sizeof r1 - 1, sizeof r2 - 1, sizeof r3 - 1,
                                  sizeof r4 - 1};
    unsigned k = which % (sizeof reqs / sizeof reqs[0]);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return snprintf(why, whylen, "socket failed"), false;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return snprintf(why, whylen, "connect refused"), false;
    }
    (void)!write(fd, reqs[k], lens[k]);
    char buf[64] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    bool ok;
    if (poll(&p, 1, 5000) <= 0) {
        ok = false;
        snprintf(why, whylen, "raw request %u: no answer within 5 s", k);
    } else {
        ssize_t r = read(fd, buf, sizeof buf - 1);
        if (r <= 0)
            ok = true; /* closed: fine */
        else {
            buf[r] = '\0';
            /* 4xx, or 505 for an HTTP version it does not speak (RFC 9110 §15.6.6); a NUL
             * inside a header value may be cut there by libmicrohttpd, so 200 is allowed for
             * that one request (r1) as long as the server answered at once. */
            ok = strncmp(buf, "HTTP/1.", 7) == 0 &&
                 (buf[9] == '4' || strncmp(buf + 9, "505", 3) == 0 ||
                  (k == 1 && strncmp(buf + 9, "200", 3) == 0));
            if (!ok) snprintf(why, whylen, "raw request %u answered '%.12s'", k, buf);
        }
    }
    close(fd);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool fetch_login_token(CURL *h)
{
    slot s = {.h = h};
    setup(&s, &fams[3]);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_reset(h); /* drop the pointer to s.hdrs before freeing it */
    curl_slist_free_all(s.hdrs);
    if (rc != CURLE_OK) return false;
    const char *p = strstr(s.buf, "\"token\"");
    if (!p || !(p = strchr(p + 7, '"'))) return false;
    const char *end = strchr(p + 1, '"');
    if (!end || (size_t)(end - p - 1) >= sizeof login_token) return false;
    memcpy(login_token, p + 1, (size_t)(end - p - 1));
    login_token[end - p - 1] = '\0';
    return true;
}

int main(int argc, char **argv)
{
    int conns = 16, pid = 0;
    long total = 20000, max_growth = 8192;
    double max_secs = 60;
    bool check_rss = true;
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: bench_soak BASE_URL [--pid PID] [-c N] [-n REQUESTS] [-d SECONDS] "
                        "[--max-growth-kib K] [--no-rss]\n");
        return 2;
    }
    snprintf(base, sizeof base, "%s", argv[1]);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-rss") == 0) {
            check_rss = false;
            continue;
        }
        if (!v) {
            fprintf(stderr, "bench_soak: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--pid") == 0)
            pid = atoi(v);
        else if (strcmp(a, "-c") == 0)
            conns = atoi(v);
        else if (strcmp(a, "-n") == 0)
            total = atol(v);
        else if (strcmp(a, "-d") == 0)
            max_secs = atof(v);
        else if (strcmp(a, "--max-growth-kib") == 0)
            max_growth = atol(v);
        else {
            fprintf(stderr, "bench_soak: unknown option %s\n", a);
            return 2;
        }
    }
    if (conns < 1 || conns > MAX_CONN || total < 1) {
        fprintf(stderr, "bench_soak: -c must be 1..%d and -n positive\n", MAX_CONN);
        return 2;
    }
    char host[64] = "127.0.0.1";
    int port = 0;
    if (sscanf(base, "http://%63[^:]:%d", host, &port) != 2) {
        fprintf(stderr, "bench_soak: BASE_URL must look like http://127.0.0.1:PORT\n");
        return 2;
    }
    big_body = malloc(2u << 20 | 1);
    big_header = malloc(64u << 10);
    if (!big_body || !big_header) return 1;
    memset(big_body, 'a', 2u << 20);
    memcpy(big_body, "grant_type=", 11);
    big_body[2u << 20] = '\0';
    memcpy(big_header, "X-Big: ", 7);
    memset(big_header + 7, 'b', (64u << 10) - 8);
    big_header[(64u << 10) - 1] = '\0';
    for (size_t i = 0; i < NFAM; i++) {
        fams[i].lat = malloc(MAX_SAMPLES * sizeof(double));
        if (!fams[i].lat) return 1;
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    slot slots[MAX_CONN] = {0};
    for (int i = 0; i < conns; i++) slots[i].h = curl_easy_init();
    if (!fetch_login_token(slots[0].h)) {
        fprintf(stderr, "bench_soak: POST /login did not return a token; is the server up at %s?\n",
                base);
        return 1;
    }

    long started = 0, done = 0, raw_n = 0, raw_fail = 0, transport = 0;
    long rss_warm = -1, rss_peak = 0;
    unsigned seq = 0;
    char raw_why[128] = "";
    double t_start = now_s();
    /* The 2 MiB body and the 64 KiB header are the costly ones: one of each every 100 requests. */
    for (int i = 0; i < conns && started < total; i++) {
        unsigned fi = seq++ % (NFAM - 2);
        setup(&slots[i], &fams[fi]);
        curl_multi_add_handle(m, slots[i].h);
        started++;
    }
    int running = 1;
    while (done < started) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot *s = NULL;
            for (int i = 0; i < conns; i++)
                if (slots[i].h == msg->easy_handle) s = &slots[i];
            if (!s) continue;
            double ms = (now_s() - s->t0) * 1000.0;
            long status = 0;
            curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
            family *f = s->f;
            f->n++;
            if (f->nlat < MAX_SAMPLES) f->lat[f->nlat++] = ms;
            bool ok;
            if (msg->data.result != CURLE_OK) {
                /* A refused oversized upload may be cut off by the server: that is a refusal. */
                ok = !f->good && (msg->data.result == CURLE_SEND_ERROR ||
                                  msg->data.result == CURLE_RECV_ERROR ||
                                  msg->data.result == CURLE_GOT_NOTHING);
                if (!ok && transport++ < 5)
                    fprintf(stderr, "bench_soak: %s: %s\n", f->name,
                            curl_easy_strerror(msg->data.result));
            } else {
                ok = f->good ? status == 200 : (status >= 400 && status < 500);
                if (status >= 500) f->fivexx++;
                if (!ok && f->fails < 3)
                    fprintf(stderr, "bench_soak: %s: HTTP %ld: %.200s\n", f->name, status, s->buf);
            }
            if (!ok) f->fails++;
            done++;
            curl_multi_remove_handle(m, s->h);
            if (pid > 0 && done == total / 5) rss_warm = rss_kib(pid);
            if (pid > 0 && done % 1000 == 0) {
                long r = rss_kib(pid);
                if (r > rss_peak) rss_peak = r;
            }
            if (done % 50 == 0) {
                raw_n++;
                if (!raw_garbage(host, port, (unsigned)raw_n, raw_why, sizeof raw_why)) raw_fail++;
            }
            if (started < total && now_s() - t_start < max_secs) {
                unsigned fi = seq++ % (NFAM - 2);
                if (seq % 100 == 0)
                    fi = NFAM - 2; /* 2 MiB body */
                else if (seq % 100 == 50)
                    fi = NFAM - 1; /* 64 KiB header */
                setup(s, &fams[fi]);
                curl_multi_add_handle(m, s->h);
                started++;
            }
        }
        if (done < started) curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double secs = now_s() - t_start;
    long rss_end = pid > 0 ? rss_kib(pid) : -1;

    long fails = transport + raw_fail;
    printf("%-36s %8s %9s %9s %6s\n", "family", "requests", "p50 ms", "p99 ms", "fails");
    for (size_t i = 0; i < NFAM; i++) {
        family *f = &fams[i];
        qsort(f->lat, f->nlat, sizeof(double), cmp_double);
        double p50 = f->nlat ? f->lat[f->nlat / 2] : 0,
               p99 = f->nlat ? f->lat[f->nlat * 99 / 100] : 0;
        printf("%-36s %8ld %9.2f %9.2f %6ld%s\n", f->name, f->n, p50, p99, f->fails,
               f->fivexx ? " (5xx!)" : "");
        fails += f->fails;
        free(f->lat);
    }
    printf("%-36s %8ld %9s %9s %6ld%s%s\n", "raw: broken request lines/headers", raw_n, "-", "-",
           raw_fail, raw_fail ? "  " : "", raw_fail ? raw_why : "");
    printf("total: %ld requests in %.1f s (%.0f req/s), %ld failures\n", done, secs,
           (double)done / secs, fails);
    bool rss_bad = false;
    if (pid > 0) {
        printf("server RSS KiB: after warm-up (%ld requests) %ld, peak %ld, end %ld", total / 5,
               rss_warm, rss_peak, rss_end);
        if (check_rss && rss_warm > 0 && rss_end > 0) {
            long growth = rss_end - rss_warm;
            rss_bad = growth > max_growth;
            printf(", growth %ld KiB (limit %ld)%s\n", growth, max_growth,
                   rss_bad ? ": TOO MUCH" : "");
        } else {
            printf("%s\n", check_rss ? "" : " (not checked)");
        }
    }
    for (int i = 0; i < conns; i++) {
        curl_slist_free_all(slots[i].hdrs);
        curl_easy_cleanup(slots[i].h);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    free(big_body);
    free(big_header);
    return fails || rss_bad ? 1 : 0;
}
