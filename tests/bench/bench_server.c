/* SPDX-License-Identifier: MIT */
/* bench_server — a small HTTP load generator on the libcurl multi interface.
 *
 *   bench_server URL [-c CONNECTIONS] [-d SECONDS] [-n MAX_REQUESTS] [-X METHOD] [-b BODY]
 *                [-u USER:PASS] [-H "Name: value"]... [--embedded]
 *
 * Keeps CONNECTIONS requests in flight (keep-alive connections), for SECONDS or until
 * MAX_REQUESTS have completed, then prints one line:
 *   requests=N seconds=S rps=R p50_ms=A p99_ms=B errors=E (non-2xx or transport failures)
 * With --embedded, URL is a path ("/token") and the server runs in this process. */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server.h"

#define MAX_CONN 256

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *method = NULL, *body = NULL, *userpwd = NULL;
    long conns = 8, max_req = 0;
    double seconds = 5;
    bool embedded = false;
    struct curl_slist *hdrs = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--embedded") == 0) {
            embedded = true;
            continue;
        }
        if (a[0] != '-') {
            url = a;
            continue;
        }
        if (!v) {
            fprintf(stderr, "bench_server: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "-c") == 0)
            conns = atol(v);
        else if (strcmp(a, "-d") == 0)
            seconds = atof(v);
        else if (strcmp(a, "-n") == 0)
            max_req = atol(v);
        else if (strcmp(a, "-X") == 0)
            method = v;
        else if (strcmp(a, "-b") == 0)
            body = v;
        else if (strcmp(a, "-u") == 0)
            userpwd = v;
        else if (strcmp(a, "-H") == 0)
            hdrs = curl_slist_append(hdrs, v);
        else {
            fprintf(stderr, "bench_server: unknown option %s\n", a);
            return 2;
        }
        i++;
    }
    if (!url || conns < 1 || conns > MAX_CONN) {
        fprintf(stderr,
                "usage: bench_server URL [-c N<=%d] [-d SECONDS] [-n MAX] [-X METHOD] "
                "[-b BODY] [-u USER:PASS] [-H HEADER]... [--embedded]\n",
                MAX_CONN);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    server *srv = NULL;
    char full[2048];
    if (embedded) {
        server_options o = {.listen = "127.0.0.1:0", .per_address_limit = MAX_CONN};
        tl_err e = {0};
        if (!server_start(&o, &srv, &e)) {
            fprintf(stderr, "bench_server: %s\n", e.msg);
            return 1;
        }
        snprintf(full, sizeof full, "%s%s", server_base_url(srv), url);
        url = full;
    }
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
    size_t cap = 1 << 16, nlat = 0;
    double *lat = malloc(cap * sizeof *lat);
    long done = 0, errors = 0, started = 0;
    CURL *h[MAX_CONN];
    for (long i = 0; i < conns; i++) {
        h[i] = curl_easy_init();
        curl_easy_setopt(h[i], CURLOPT_URL, url);
        curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 30L);
        if (body) curl_easy_setopt(h[i], CURLOPT_POSTFIELDS, body);
        if (method) curl_easy_setopt(h[i], CURLOPT_CUSTOMREQUEST, method);
        if (userpwd) curl_easy_setopt(h[i], CURLOPT_USERPWD, userpwd);
        if (hdrs) curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, hdrs);
        curl_multi_add_handle(m, h[i]);
        started++;
    }
    double t0 = now_s(), end = t0 + seconds;
    int running = 1;
    while (running || started > done) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            long code = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
            if (msg->data.result != CURLE_OK || code < 200 || code > 299) errors++;
            curl_off_t us = 0;
            curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
            if (nlat == cap) {
                cap *= 2;
                lat = realloc(lat, cap * sizeof *lat);
            }
            lat[nlat++] = (double)us / 1000.0;
            done++;
            curl_multi_remove_handle(m, e);
            if (now_s() < end && (!max_req || started < max_req)) {
                curl_multi_add_handle(m, e);
                started++;
                running = 1;
            }
        }
        if (running) curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double secs = now_s() - t0;
    qsort(lat, nlat, sizeof *lat, cmp_double);
    double p50 = nlat ? lat[nlat / 2] : 0, p99 = nlat ? lat[(size_t)((double)nlat * 0.99)] : 0;
    printf("requests=%ld seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%ld\n", done, secs,
           (double)done / secs, p50, p99, errors);
    for (long i = 0; i < conns; i++) curl_easy_cleanup(h[i]);
    curl_multi_cleanup(m);
    curl_slist_free_all(hdrs);
    free(lat);
    server_stop(srv);
    curl_global_cleanup();
    return 0;
}
