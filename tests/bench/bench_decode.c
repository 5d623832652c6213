/* SPDX-License-Identifier: MIT */
/* bench_decode — what one keystroke in the decoder pane costs at the library level: parse the
 * token, compute the beginner warnings and pretty-print header and claims, for the token given on
 * stdin (make bench passes a 4 KiB one). The baseline `make bench` sets next to the TUI's measured
 * per-keystroke latency, so the table shows what the screen adds on top of JOSE.
 *
 *   bench_decode [--seconds N] < TOKEN
 *
 * Prints: decode_us=MEAN p99_us=P99 iterations=N bytes=LEN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jose/jsonx.h"
#include "jose/jws.h"
#include "jose/jwt.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool decode_once(const char *tok, size_t len)
{
    jws *t = NULL;
    tl_err e = {0};
    if (!jws_parse(tok, len, &t, &e)) {
        fprintf(stderr, "bench_decode: %s\n", e.msg);
        return false;
    }
    jwt_warning w[JWT_MAX_WARNINGS];
    (void)jwt_warnings(t, NULL, (int64_t)time(NULL), w, JWT_MAX_WARNINGS);
    char *h = jsonx_pretty(t->header);
    char *c = t->claims ? jsonx_pretty(t->claims) : NULL;
    free(h);
    free(c);
    jws_free(t);
    return true;
}

int main(int argc, char **argv)
{
    double seconds = 1.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_decode [--seconds N] < TOKEN\n");
            return 2;
        }
    }
    static char tok[1 << 20];
    size_t len = fread(tok, 1, sizeof tok - 1, stdin);
    while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == '\r')) len--;
    tok[len] = '\0';
    if (len == 0) {
        fprintf(stderr, "bench_decode: no token on stdin\n");
        return 2;
    }
    size_t cap = 1 << 20, n = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (!lat) return 1;
    double t_end = now_s() + seconds;
    while (n < cap) {
        double t0 = now_s();
        if (!decode_once(tok, len)) return 1;
        double t1 = now_s();
        lat[n++] = (t1 - t0) * 1e6;
        if (t1 >= t_end) break;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += lat[i];
    qsort(lat, n, sizeof *lat, cmp_double);
    printf("decode_us=%.2f p99_us=%.2f iterations=%zu bytes=%zu\n", sum / (double)n,
           lat[n * 99 / 100], n, len);
    free(lat);
    return 0;
}
