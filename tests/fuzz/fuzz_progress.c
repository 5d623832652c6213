/* SPDX-License-Identifier: MIT */
/* fuzz_progress — the progress-file loader (src/lesson/progress.h) on arbitrary file contents: a
 * file cut off by a crash, edited by hand, or from another version.
 *
 * Properties (abort() on violation):
 *   - progress_open never fails on bad contents: it starts fresh and says so in `notice`;
 *   - when it starts fresh, the old bytes are not lost: exactly one progress.json.corrupt-* file
 *     holds them, byte for byte;
 *   - whatever was loaded can be changed and written, and the written file opens again without a
 *     notice and with the same current lesson/item. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "lesson/progress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char path[300];

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_progress: %s\n", why);
    abort();
}

static void sweep(void);

static void cleanup(void)
{
    sweep();
    rmdir(dir);
}

static void setup(void)
{
    if (dir[0]) return;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/tokenlab-fuzz-progress.XXXXXX", base);
    if (!mkdtemp(dir)) fail("mkdtemp");
    snprintf(path, sizeof path, "%s/progress.json", dir);
    atexit(cleanup);
}

static void sweep(void)
{
    DIR *d = opendir(dir);
    if (!d) fail("opendir");
    struct dirent *de;
    char p[600];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    sweep();
    FILE *f = fopen(path, "wb");
    if (!f) fail("cannot write the input file");
    if (size && fwrite(data, 1, size, f) != size) fail("short write");
    fclose(f);

    progress *p = NULL;
    char notice[1024] = "";
    tl_err e = {0};
    if (!progress_open(path, &p, notice, sizeof notice, &e)) {
        fprintf(stderr, "progress_open failed on bad contents: %s\n", e.msg);
        abort();
    }
    if (!memchr(notice, '\0', sizeof notice)) fail("notice not terminated");
    if (notice[0]) {
        int corrupt = 0;
        /* The moved-aside file must hold the learner's bytes (nothing destroyed). */
        DIR *d = opendir(dir);
        struct dirent *de;
        char q[600];
        int same = 0;
        while (d && (de = readdir(d)) != NULL) {
            if (strncmp(de->d_name, "progress.json.corrupt-", 22) != 0) continue;
            corrupt++;
            snprintf(q, sizeof q, "%s/%s", dir, de->d_name);
            char *buf = NULL;
            size_t len = 0;
            if (fileio_read(q, size + 1, &buf, &len, NULL)) {
                same += len == size && memcmp(buf, data, size) == 0;
                free(buf);
            }
        }
        if (d) closedir(d);
        if (corrupt != 1 || same != 1) {
            fprintf(stderr,
                    "fuzz_progress: started fresh (%s) but %d corrupt-* files, %d with "
                    "the original bytes\n",
                    notice, corrupt, same);
            abort();
        }
    }

    /* Read everything the API offers. */
    const char *lesson = progress_current_lesson(p);
    const char *item = progress_current_item(p);
    char *lesson_copy = lesson ? strdup(lesson) : NULL;
    size_t s = 0, qa = 0, qc = 0;
    progress_lesson_counts(p, lesson ? lesson : "jwt-anatomy", &s, &qa, &qc);
    if (qc > qa) fail("more quizzes right than answered");
    (void)progress_lesson_status(p, "jwt-anatomy");
    (void)progress_step_done(p, "jwt-anatomy", "decode");
    (void)progress_quiz_result(p, "jwt-anatomy", "q1");
    size_t nexam = progress_exam_count(p);
    for (size_t i = 0; i < nexam; i++) {
        int c = 0, t = 0;
        int64_t date = 0;
        if (!progress_exam_get(p, i, &c, &t, &date))
            fail("progress_exam_get failed inside the count");
    }

    /* Change it, write it, and read it back. */
    tl_err we = {0};
    if (!progress_set_current(p, lesson_copy ? lesson_copy : "fuzz-lesson",
                              item ? "fuzz-item" : "x", &we))
        fail("progress_set_current could not write");
    if (!progress_mark_step(p, "fuzz-lesson", "fuzz-step", &we) ||
        !progress_record_quiz(p, "fuzz-lesson", "fuzz-quiz", true, "answer", &we))
        fail("progress could not record");
    char *want_item = strdup(progress_current_item(p));
    progress_free(p);

    progress *again = NULL;
    char notice2[1024] = "";
    if (!progress_open(path, &again, notice2, sizeof notice2, &e) || notice2[0]) {
        fprintf(stderr, "fuzz_progress: our own file does not load cleanly: %s\n", notice2);
        abort();
    }
    const char *got_lesson = progress_current_lesson(again);
    const char *got_item = progress_current_item(again);
    if (!got_item || strcmp(got_item, want_item) != 0 || !got_lesson ||
        strcmp(got_lesson, lesson_copy ? lesson_copy : "fuzz-lesson") != 0)
        fail("current lesson/item changed across a write and a reload");
    if (!progress_step_done(again, "fuzz-lesson", "fuzz-step") ||
        progress_quiz_result(again, "fuzz-lesson", "fuzz-quiz") != 1)
        fail("recorded step/quiz lost across a write and a reload");
    progress_free(again);
    free(want_item);
    free(lesson_copy);
    sweep();
    return 0;
}
