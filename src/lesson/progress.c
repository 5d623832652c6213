/* SPDX-License-Identifier: MIT */
/* progress — the learner's progress file: versioned JSON, written atomically after every change. */
#include "lesson/progress.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/fileio.h"
#include "base/xalloc.h"

#define PROGRESS_MAX_FILE (16u << 20)

struct progress {
    char *path;
    json_t *doc;
    tl_err last; /* of the last save */
};

char *progress_state_file(const char *name)
{
    const char *x = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char buf[4096];
    if (x && *x && x[0] == '/')
        snprintf(buf, sizeof buf, "%s/tokenlab/%s", x, name);
    else if (home && *home)
        snprintf(buf, sizeof buf, "%s/.local/state/tokenlab/%s", home, name);
    else
        snprintf(buf, sizeof buf, ".tokenlab-%s", name);
    return strdup(buf);
}

char *progress_default_path(void)
{
    return progress_state_file("progress.json");
}

static json_t *fresh_doc(void)
{
    return json_pack("{s:i, s:{s:n, s:n}, s:{}, s:[]}", "version", PROGRESS_VERSION, "current",
                     "lesson", "item", "lessons", "exams");
}

static void iso_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The document must look like ours; anything else is treated as corrupt. */
static bool doc_ok(json_t *d, char *why, size_t n)
{
    if (!json_is_object(d)) {
        snprintf(why, n, "not a JSON object");
        return false;
    }
    json_t *v = json_object_get(d, "version");
    if (!json_is_integer(v)) {
        snprintf(why, n, "no \"version\"");
        return false;
    }
    if (json_integer_value(v) != PROGRESS_VERSION) {
        snprintf(why, n, "version %lld, this tokenlab reads version %d",
                 (long long)json_integer_value(v), PROGRESS_VERSION);
        return false;
    }
    if (!json_is_object(json_object_get(d, "lessons")) ||
        !json_is_array(json_object_get(d, "exams")) ||
        !json_is_object(json_object_get(d, "current"))) {
        snprintf(why, n, "missing \"lessons\", \"exams\" or \"current\"");
        return false;
    }
    /* every lesson entry must be an object with object members where we expect them */
    const char *k;
    json_t *l;
    json_object_foreach(json_object_get(d, "lessons"), k, l)
    {
        if (!json_is_object(l)) {
            snprintf(why, n, "lesson \"%s\" is not an object", k);
            return false;
        }
        json_t *s = json_object_get(l, "steps"), *q = json_object_get(l, "quizzes");
        if ((s && !json_is_object(s)) || (q && !json_is_object(q))) {
            snprintf(why, n, "lesson \"%s\" has bad steps or quizzes", k);
            return false;
        }
    }
    return true;
}

bool progress_open(const char *path, progress **out, char *notice, size_t notice_len, tl_err *e)
{
    if (notice && notice_len) notice[0] = 0;
    progress *p = xcalloc(1, sizeof *p);
    p->path = path ? strdup(path) : progress_default_path();
    if (!p->path) {
        free(p);
        return err_set(e, "lesson.nomem", "out of memory");
    }
    char *text = NULL;
    size_t len = 0;
    tl_err re = {0};
    struct stat sb;
    bool exists = stat(p->path, &sb) == 0;
    if (exists && fileio_read(p->path, PROGRESS_MAX_FILE, &text, &len, &re)) {
        json_error_t je;
        json_t *d = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        char why[256];
        if (!d) snprintf(why, sizeof why, "not valid JSON (line %d: %s)", je.line, je.text);
        if (d && doc_ok(d, why, sizeof why)) {
            p->doc = d;
        } else {
            json_decref(d);
            char aside[4200];
            snprintf(aside, sizeof aside, "%s.corrupt-%lld", p->path, (long long)time(NULL));
            if (rename(p->path, aside) != 0)
                snprintf(aside, sizeof aside, "(could not move it: %s)", strerror(errno));
            if (notice && notice_len)
                snprintf(notice, notice_len,
                         "progress file %s: %s; moved aside to %s; starting with fresh progress",
                         p->path, why, aside);
        }
        free(text);
    } else if (exists) {
        if (notice && notice_len)
            snprintf(notice, notice_len, "progress file %s: %s; starting with fresh progress",
                     p->path, re.msg);
    }
    if (!p->doc) p->doc = fresh_doc();
    if (!p->doc) {
        progress_free(p);
        return err_set(e, "lesson.nomem", "out of memory");
    }
    *out = p;
    return true;
}

void progress_free(progress *p)
{
    if (!p) return;
    json_decref(p->doc);
    free(p->path);
    free(p);
}

const char *progress_path(const progress *p)
{
    return p->path;
}

const char *progress_error(const progress *p)
{
    return p->last.code ? p->last.msg : NULL;
}

static bool save(progress *p, tl_err *e)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", p->path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = 0;
        if (!fileio_mkdirs(dir, &p->last)) {
            if (e) *e = p->last;
            return false;
        }
    }
    char *s = json_dumps(p->doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!s) return err_set(e, "lesson.nomem", "out of memory");
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (t) {
        s = t;
        s[n++] = '\n';
        s[n] = 0;
    }
    bool ok = fileio_write_atomic(p->path, s, n, &p->last);
    free(s);
    if (ok) {
        err_clear(&p->last);
        return true;
    }
    if (e) *e = p->last;
    return false;
}

static json_t *lesson_obj(progress *p, const char *lesson_id, bool create)
{
    json_t *ls = json_object_get(p->doc, "lessons");
    json_t *l = json_object_get(ls, lesson_id);
    if (!l && create) {
        char d[32];
        iso_now(d, sizeof d);
        l = json_pack("{s:s, s:s, s:{}, s:{}}", "status", "started", "started", d, "steps",
                      "quizzes");
        json_object_set_new(ls, lesson_id, l);
    }
    return l;
}

static json_t *sub(json_t *l, const char *name)
{
    json_t *s = json_object_get(l, name);
    if (!s) {
        s = json_object();
        json_object_set_new(l, name, s);
    }
    return s;
}

bool progress_set_current(progress *p, const char *lesson_id, const char *item_id, tl_err *e)
{
    json_t *cur = json_object_get(p->doc, "current");
    json_object_set_new(cur, "lesson", lesson_id ? json_string(lesson_id) : json_null());
    json_object_set_new(cur, "item", item_id ? json_string(item_id) : json_null());
    if (lesson_id) lesson_obj(p, lesson_id, true);
    return save(p, e);
}

const char *progress_current_lesson(const progress *p)
{
    return json_string_value(json_object_get(json_object_get(p->doc, "current"), "lesson"));
}

const char *progress_current_item(const progress *p)
{
    return json_string_value(json_object_get(json_object_get(p->doc, "current"), "item"));
}

bool progress_mark_step(progress *p, const char *lesson_id, const char *step_id, tl_err *e)
{
    json_t *steps = sub(lesson_obj(p, lesson_id, true), "steps");
    if (json_object_get(steps, step_id)) return true; /* first completion date counts */
    char d[32];
    iso_now(d, sizeof d);
    json_object_set_new(steps, step_id, json_string(d));
    return save(p, e);
}

bool progress_step_done(const progress *p, const char *lesson_id, const char *step_id)
{
    json_t *l = json_object_get(json_object_get(p->doc, "lessons"), lesson_id);
    return json_object_get(json_object_get(l, "steps"), step_id) != NULL;
}

bool progress_record_quiz(progress *p, const char *lesson_id, const char *quiz_id, bool correct,
                          const char *answer, tl_err *e)
{
    json_t *qs = sub(lesson_obj(p, lesson_id, true), "quizzes");
    json_t *q = json_object_get(qs, quiz_id);
    char d[32];
    iso_now(d, sizeof d);
    if (!json_is_object(q)) {
        q = json_pack("{s:b, s:i, s:s}", "correct", correct, "attempts", 0, "date", d);
        json_object_set_new(qs, quiz_id, q);
    }
    json_t *att = json_object_get(q, "attempts");
    json_object_set_new(q, "attempts", json_integer(json_integer_value(att) + 1));
    json_object_set_new(q, "last", json_boolean(correct));
    json_object_set_new(q, "last_date", json_string(d));
    if (answer) json_object_set_new(q, "answer", json_string(answer));
    return save(p, e);
}

int progress_quiz_result(const progress *p, const char *lesson_id, const char *quiz_id)
{
    json_t *l = json_object_get(json_object_get(p->doc, "lessons"), lesson_id);
    json_t *q = json_object_get(json_object_get(l, "quizzes"), quiz_id);
    if (!json_is_object(q)) return -1;
    return json_is_true(json_object_get(q, "correct")) ? 1 : 0;
}

int progress_quiz_last(const progress *p, const char *lesson_id, const char *quiz_id)
{
    json_t *l = json_object_get(json_object_get(p->doc, "lessons"), lesson_id);
    json_t *q = json_object_get(json_object_get(l, "quizzes"), quiz_id);
    if (!json_is_object(q)) return -1;
    json_t *last = json_object_get(q, "last");
    if (!json_is_boolean(last)) last = json_object_get(q, "correct"); /* files from before "last" */
    return json_is_true(last) ? 1 : 0;
}

void progress_lesson_counts(const progress *p, const char *lesson_id, size_t *steps_done,
                            size_t *quizzes_answered, size_t *quizzes_correct)
{
    json_t *l = json_object_get(json_object_get(p->doc, "lessons"), lesson_id);
    size_t c = 0;
    const char *k;
    json_t *q;
    json_t *qs = json_object_get(l, "quizzes");
    json_object_foreach(qs, k, q) c += json_is_true(json_object_get(q, "correct"));
    if (steps_done) *steps_done = json_object_size(json_object_get(l, "steps"));
    if (quizzes_answered) *quizzes_answered = json_object_size(qs);
    if (quizzes_correct) *quizzes_correct = c;
}

bool progress_mark_lesson(progress *p, const char *lesson_id, bool skipped, tl_err *e)
{
    json_t *l = lesson_obj(p, lesson_id, true);
    const char *cur = json_string_value(json_object_get(l, "status"));
    if (skipped && cur && strcmp(cur, "done") == 0) return true;
    char d[32];
    iso_now(d, sizeof d);
    json_object_set_new(l, "status", json_string(skipped ? "skipped" : "done"));
    json_object_set_new(l, skipped ? "skipped_at" : "done_at", json_string(d));
    return save(p, e);
}

const char *progress_lesson_status(const progress *p, const char *lesson_id)
{
    json_t *l = json_object_get(json_object_get(p->doc, "lessons"), lesson_id);
    const char *s = json_string_value(json_object_get(l, "status"));
    if (!s) return NULL;
    if (strcmp(s, "done") == 0) return "done";
    if (strcmp(s, "skipped") == 0) return "skipped";
    return "started";
}

bool progress_record_exam(progress *p, int correct, int total, uint64_t seed, tl_err *e)
{
    json_t *ex = json_object_get(p->doc, "exams");
    char d[32];
    iso_now(d, sizeof d);
    json_array_append_new(ex, json_pack("{s:s, s:I, s:i, s:i, s:I}", "date", d, "at",
                                        (json_int_t)time(NULL), "correct", correct, "total", total,
                                        "seed", (json_int_t)seed));
    return save(p, e);
}

size_t progress_exam_count(const progress *p)
{
    return json_array_size(json_object_get(p->doc, "exams"));
}

bool progress_exam_get(const progress *p, size_t i, int *correct, int *total, int64_t *date)
{
    json_t *x = json_array_get(json_object_get(p->doc, "exams"), i);
    if (!json_is_object(x)) return false;
    if (correct) *correct = (int)json_integer_value(json_object_get(x, "correct"));
    if (total) *total = (int)json_integer_value(json_object_get(x, "total"));
    if (date) *date = json_integer_value(json_object_get(x, "at"));
    return true;
}

bool progress_reset_lesson(progress *p, const char *lesson_id, tl_err *e)
{
    json_object_del(json_object_get(p->doc, "lessons"), lesson_id);
    const char *cur = progress_current_lesson(p);
    if (cur && strcmp(cur, lesson_id) == 0)
        json_object_set_new(json_object_get(p->doc, "current"), "item", json_null());
    return save(p, e);
}

bool progress_reset_all(progress *p, tl_err *e)
{
    json_t *d = fresh_doc();
    if (!d) return err_set(e, "lesson.nomem", "out of memory");
    json_decref(p->doc);
    p->doc = d;
    return save(p, e);
}
