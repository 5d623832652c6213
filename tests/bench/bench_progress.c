/* SPDX-License-Identifier: MIT */
/* bench_progress — the progress store under pressure, two ways:
 *
 *   bench_progress write PATH        rewrite PATH forever through the progress API (each write
 * moves the "current item" to item-N and prints N once it returned);
 *                                    tests/integration/test_crash_progress.sh kill -9s it at random
 *   bench_progress check PATH        open PATH the way the app does; print the current item number,
 *                                    exit 1 if the file had to be moved aside as corrupt
 *   bench_progress bench PATH [N]    time N writes (default 200): writes/s and mean latency, the
 * cost of fsync + rename per change
 *
 * The file is padded with 200 completed steps first, so a write is several KiB and a torn write
 * would be visible. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lesson/progress.h"

#define PAD_STEPS 200

static long item_number(const progress *p)
{
    const char *item = progress_current_item(p);
    if (!item || strncmp(item, "item-", 5) != 0) return 0;
    return strtol(item + 5, NULL, 10);
}

static progress *open_or_die(const char *path, bool allow_notice)
{
    progress *p = NULL;
    char notice[1024] = "";
    tl_err e = {0};
    if (!progress_open(path, &p, notice, sizeof notice, &e)) {
        fprintf(stderr, "bench_progress: %s\n", e.msg);
        exit(2);
    }
    if (notice[0] && !allow_notice) {
        fprintf(stderr, "bench_progress: the progress file was damaged: %s\n", notice);
        progress_free(p);
        exit(1);
    }
    return p;
}

static void pad(progress *p)
{
    char step[32];
    for (int i = 0; i < PAD_STEPS; i++) {
        snprintf(step, sizeof step, "padding-step-%03d", i);
        if (progress_step_done(p, "crash-lesson", step)) continue;
        tl_err e = {0};
        if (!progress_mark_step(p, "crash-lesson", step, &e)) {
            fprintf(stderr, "bench_progress: %s\n", e.msg);
            exit(2);
        }
    }
}

static bool write_item(progress *p, long n)
{
    char item[32];
    snprintf(item, sizeof item, "item-%ld", n);
    tl_err e = {0};
    if (!progress_set_current(p, "crash-lesson", item, &e)) {
        fprintf(stderr, "bench_progress: %s\n", e.msg);
        return false;
    }
    return true;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_progress write|check|bench PATH [N]\n");
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    if (strcmp(mode, "check") == 0) {
        progress *p = open_or_die(path, false);
        printf("%ld\n", item_number(p));
        progress_free(p);
        return 0;
    }
    if (strcmp(mode, "write") == 0) {
        progress *p = open_or_die(path, false);
        pad(p);
        long n = item_number(p);
        char line[32];
        int len = snprintf(line, sizeof line, "start %ld\n", n);
        if (write(STDOUT_FILENO, line, (size_t)len) < 0) return 2;
        for (;;) {
            n++;
            if (!write_item(p, n)) return 2;
            /* write(2), not stdio: what was acknowledged is on record even after SIGKILL. */
            len = snprintf(line, sizeof line, "%ld\n", n);
            if (write(STDOUT_FILENO, line, (size_t)len) < 0) return 2;
        }
    }
    if (strcmp(mode, "bench") == 0) {
        long count = argc > 3 ? strtol(argv[3], NULL, 10) : 200;
        if (count <= 0) count = 200;
        progress *p = open_or_die(path, true);
        pad(p);
        long n = item_number(p);
        double t0 = now_s();
        for (long i = 0; i < count; i++)
            if (!write_item(p, ++n)) return 2;
        double dt = now_s() - t0;
        printf("progress writes: %ld in %.3f s = %.0f writes/s, %.2f ms each\n", count, dt,
               (double)count / dt, dt * 1000.0 / (double)count);
        progress_free(p);
        return 0;
    }
    fprintf(stderr, "bench_progress: unknown mode '%s'\n", mode);
    return 2;
}
