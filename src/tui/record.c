/* SPDX-License-Identifier: MIT */
/* record — writing and reading recorded demos (see record.h for the format). */
#include "tui/record.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"

#define REPLAY_MAX_EVENTS 100000

struct record {
    FILE *f;
};

record *record_open(const char *path, const char *lesson_id, tl_err *e)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        err_set(e, "record.io", "cannot write the recording %s: %s", path, strerror(errno));
        return NULL;
    }
    record *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(f);
        err_set(e, "record.io", "out of memory");
        return NULL;
    }
    r->f = f;
    fprintf(f, "# tokenlab demo v1: SECONDS EVENT ARGS per line; a replay feeds the `key` lines\n"
               "# at their times and waits for each step's requests; the other lines say what\n"
               "# happened. Keys are spelled as in script mode: a, <Space>, <Right>, <Left>.\n");
    if (lesson_id) fprintf(f, "lesson %s\n", lesson_id);
    fflush(f);
    return r;
}

void record_event(record *r, double t, const char *kind, const char *fmt, ...)
{
    if (!r || !r->f) return;
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t') *c = ' ';
    fprintf(r->f, "%.3f %s%s%s\n", t < 0 ? 0.0 : t, kind, buf[0] ? " " : "", buf);
    fflush(r->f);
}

const char *record_key_name(int key)
{
    static char buf[24];
    if (key > 32 && key < 127 && key != '<') {
        buf[0] = (char)key;
        buf[1] = '\0';
        return buf;
    }
    if (key == '<') return "<lt>";
    const char *n = keys_name(key);
    if (!n || n[0] == '#') return NULL;
    snprintf(buf, sizeof buf, "<%s>", n);
    if (keys_parse(buf) != key) return NULL; /* only names that read back as the same key */
    return buf;
}

bool record_key(record *r, double t, int key)
{
    const char *n = record_key_name(key);
    if (!n) return false;
    record_event(r, t, "key", "%s", n);
    return true;
}

void record_close(record *r)
{
    if (!r) return;
    if (r->f) fclose(r->f);
    free(r);
}

static bool parse_fail(tl_err *e, const char *path, int line, const char *what)
{
    return err_set(e, "replay.parse", "%s:%d: %s", path, line, what);
}

bool replay_load(const char *path, replay *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(e, "replay.io", "cannot read the recording %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, evcap = 0;
    ssize_t len;
    int lineno = 0;
    double last = 0;
    bool ok = true;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        const char *s = line + strspn(line, " \t");
        if (!*s || *s == '#') continue;
        if (strncmp(s, "lesson ", 7) == 0) {
            free(out->lesson);
            out->lesson = strdup(s + 7 + strspn(s + 7, " "));
            continue;
        }
        char *end;
        errno = 0;
        double t = strtod(s, &end);
        if (end == s || errno || !isfinite(t) || t < 0 || t > 1e7 || *end != ' ') {
            ok = parse_fail(e, path, lineno,
                            "expected 'SECONDS EVENT ARGS' (e.g. '1.250 key <Space>')");
            break;
        }
        if (t < last) {
            ok = parse_fail(e, path, lineno, "the time goes backwards");
            break;
        }
        last = t;
        const char *kind = end + 1;
        if (strncmp(kind, "open ", 5) == 0 && !out->lesson) { /* the lesson it was recorded on */
            const char *id = kind + 5;
            out->lesson = strndup(id, strcspn(id, " "));
            continue;
        }
        if (strncmp(kind, "step ", 5) == 0 && out->n) { /* where the previous key led */
            snprintf(out->ev[out->n - 1].expect, sizeof out->ev[0].expect, "%s", kind + 5);
            continue;
        }
        if (strncmp(kind, "key ", 4) != 0) continue; /* informational line */
        const char *kn = kind + 4;
        int key = keys_parse(kn);
        if (key < 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown key '%.60s' (use a, <Space>, <Right>, <Left> …)",
                     kn);
            ok = parse_fail(e, path, lineno, msg);
            break;
        }
        if (out->n >= REPLAY_MAX_EVENTS) {
            ok = parse_fail(e, path, lineno, "more than 100000 keys");
            break;
        }
        if (out->n == evcap) {
            size_t nc = evcap ? evcap * 2 : 64;
            replay_event *ne = realloc(out->ev, nc * sizeof *ne);
            if (!ne) {
                ok = err_set(e, "replay.io", "out of memory");
                break;
            }
            out->ev = ne;
            evcap = nc;
        }
        out->ev[out->n].t = t;
        out->ev[out->n].key = key;
        out->ev[out->n].expect[0] = '\0';
        out->n++;
    }
    free(line);
    fclose(f);
    if (!ok) replay_free(out);
    return ok;
}

void replay_free(replay *r)
{
    if (!r) return;
    free(r->lesson);
    free(r->ev);
    memset(r, 0, sizeof *r);
}
