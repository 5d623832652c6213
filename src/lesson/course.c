/* SPDX-License-Identifier: MIT */
/* course — finding, loading and linting all lessons. */
#include "lesson/course.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/assets.h"
#include "base/fileio.h"
#include "base/xalloc.h"

const char *course_lang_from_locale(const char *locale, char *buf, size_t n)
{
    snprintf(buf, n, "en");
    if (!locale || !*locale || strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0 ||
        strncmp(locale, "C.", 2) == 0)
        return buf;
    size_t k = 0;
    while (locale[k] && locale[k] != '_' && locale[k] != '.' && locale[k] != '@' && k + 1 < n &&
           k < 8) {
        char c = locale[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return buf;
        buf[k] = (char)(c | 0x20);
        k++;
    }
    buf[k] = 0;
    if (k < 2) snprintf(buf, n, "en");
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "02-jwt-anatomy.de.md" -> lang "de" (buf), returns true when it has a language part. */
static bool file_lang(const char *name, char *buf, size_t n)
{
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 3, ".md") != 0) return false;
    const char *end = name + len - 3;
    const char *dot = NULL;
    for (const char *p = name; p < end; p++)
        if (*p == '.') dot = p;
    if (!dot) return false;
    size_t l = (size_t)(end - dot - 1);
    if (l < 2 || l > 8 || l + 1 > n) return false;
    memcpy(buf, dot + 1, l);
    buf[l] = 0;
    return true;
}

typedef struct found {
    char *path;
    char *name;
} found;

/* Lists lesson files of `dir` in name order (README.md excluded). */
static bool list_dir(const char *dir, found **out, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) return false;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        size_t l = strlen(nm);
        if (nm[0] == '.' || l < 4 || strcmp(nm + l - 3, ".md") != 0) continue;
        if (strcasecmp(nm, "README.md") == 0) continue;
        char **x = realloc(names, (nn + 1) * sizeof *x);
        if (!x) break;
        names = x;
        names[nn] = strdup(nm);
        if (names[nn]) nn++;
    }
    closedir(d);
    if (nn > 1) qsort(names, nn, sizeof *names, cmp_str);
    found *f = calloc(nn + 1, sizeof *f);
    for (size_t i = 0; f && i < nn; i++) {
        size_t pl = strlen(dir) + strlen(names[i]) + 2;
        f[i].path = malloc(pl);
        if (f[i].path) snprintf(f[i].path, pl, "%s/%s", dir, names[i]);
        f[i].name = names[i];
    }
    if (!f) {
        for (size_t i = 0; i < nn; i++) free(names[i]);
        nn = 0;
    }
    free(names);
    *out = f;
    *n = nn;
    return true;
}

static void add_lesson(course *c, lesson *l)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->lessons[i]->id, l->id) != 0) continue;
        /* same id: a later folder replaces; within a folder a translation replaces the original */
        parse_lesson_free(c->lessons[i]);
        c->lessons[i] = l;
        return;
    }
    lesson **x = realloc(c->lessons, (c->n + 1) * sizeof *x);
    if (!x) {
        parse_lesson_free(l);
        return;
    }
    c->lessons = x;
    c->lessons[c->n++] = l;
}

/* The item ids of one parsed file, to compare a translation with its original: progress refers to
 * steps and questions by id, so a translation must keep them. */
typedef struct shape {
    char *id, *file;
    bool is_tr;
    char **items;
    int *lines;
    size_t n;
} shape;

static void shape_add(shape **arr, size_t *n, const lesson *l, const char *file, bool is_tr)
{
    shape *x = realloc(*arr, (*n + 1) * sizeof *x);
    if (!x) return;
    *arr = x;
    shape *s = &x[*n];
    memset(s, 0, sizeof *s);
    s->id = strdup(l->id);
    s->file = strdup(file);
    s->is_tr = is_tr;
    size_t k = parse_item_count(l);
    s->items = calloc(k + 1, sizeof *s->items);
    s->lines = calloc(k + 1, sizeof *s->lines);
    for (size_t i = 0; s->items && s->lines && i < k; i++) {
        const lesson_block *b = parse_item(l, i);
        s->items[s->n] = strdup(b->kind == LESSON_STEP ? b->step->id : b->quiz->id);
        s->lines[s->n++] = b->line;
    }
    (*n)++;
}

static bool shape_has(const shape *s, const char *item)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i] && strcmp(s->items[i], item) == 0) return true;
    return false;
}

static void shapes_compare(shape *arr, size_t n, parse_diags *diags)
{
    for (size_t i = 0; i < n; i++) {
        const shape *t = &arr[i];
        if (!t->is_tr) continue;
        const shape *o = NULL;
        for (size_t k = 0; k < n; k++)
            if (!arr[k].is_tr && strcmp(arr[k].id, t->id) == 0) o = &arr[k];
        if (!o) {
            parse_diags_add(diags, t->file, 2, "translation of '%s' has no original in this folder",
                            t->id);
            continue;
        }
        for (size_t k = 0; k < t->n; k++)
            if (t->items[k] && !shape_has(o, t->items[k]))
                parse_diags_add(diags, t->file, t->lines[k],
                                "'%s' is not in the original %s (a translation keeps the ids)",
                                t->items[k], o->file);
        for (size_t k = 0; k < o->n; k++)
            if (o->items[k] && !shape_has(t, o->items[k]))
                parse_diags_add(diags, t->file, 1, "the translation lacks '%s' (%s:%d)",
                                o->items[k], o->file, o->lines[k]);
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < arr[i].n; k++) free(arr[i].items[k]);
        free(arr[i].items);
        free(arr[i].lines);
        free(arr[i].id);
        free(arr[i].file);
    }
    free(arr);
}

static void load_dir(course *c, const char *dir, bool must_exist, parse_diags *diags, bool *any)
{
    shape *shapes = NULL;
    size_t nshapes = 0;
    found *f = NULL;
    size_t n = 0;
    if (!list_dir(dir, &f, &n)) {
        if (must_exist)
            parse_diags_add(diags, dir, 0, "cannot read lesson folder: %s", strerror(errno));
        return;
    }
    *any = true;
    /* ids seen in this folder (originals): id -> file, for duplicate detection */
    char **ids = NULL, **files = NULL;
    size_t nids = 0;
    for (size_t i = 0; i < n; i++) {
        if (!f[i].path) continue;
        char lang[16];
        bool is_tr = file_lang(f[i].name, lang, sizeof lang);
        if (is_tr && strcmp(lang, c->lang) != 0) {
            /* another language: still lint it when reading only this folder */
            if (!must_exist) continue;
        }
        char *text = NULL;
        size_t len = 0;
        tl_err e = {0};
        if (!fileio_read_regular(f[i].path, PARSE_MAX_FILE + 1, &text, &len, &e)) {
            if (err_is(&e, "file.too_big"))
                parse_diags_add(diags, f[i].path, 1,
                                "file is too big (a lesson may have at most %u bytes)",
                                PARSE_MAX_FILE);
            else
                parse_diags_add(diags, f[i].path, 0, "%s", e.msg);
            continue;
        }
        lesson *l = parse_lesson(f[i].path, text, len, diags);
        free(text);
        if (!l) continue;
        if (!is_tr) {
            bool dup = false;
            for (size_t k = 0; k < nids; k++)
                if (strcmp(ids[k], l->id) == 0) {
                    parse_diags_add(diags, f[i].path, 2, "duplicate lesson id '%s' (also in %s)",
                                    l->id, files[k]);
                    dup = true;
                }
            if (dup) {
                parse_lesson_free(l);
                continue;
            }
            char **x = realloc(ids, (nids + 1) * sizeof *x);
            char **y = x ? realloc(files, (nids + 1) * sizeof *y) : NULL;
            if (x) ids = x;
            if (y) {
                files = y;
                ids[nids] = strdup(l->id);
                files[nids] = strdup(f[i].path);
                nids++;
            }
        }
        if (must_exist) shape_add(&shapes, &nshapes, l, f[i].path, is_tr);
        if (is_tr && strcmp(lang, c->lang) != 0) {
            parse_lesson_free(l); /* linted only */
            continue;
        }
        if (is_tr) {
            /* the translation replaces its original (same id) wherever it is */
            add_lesson(c, l);
            continue;
        }
        /* an original never replaces a translation already chosen for the same id */
        bool have_tr = false;
        for (size_t k = 0; k < c->n; k++)
            if (strcmp(c->lessons[k]->id, l->id) == 0 &&
                strcmp(c->lessons[k]->lang, c->lang) == 0 && strcmp(c->lang, "en") != 0)
                have_tr = true;
        if (have_tr)
            parse_lesson_free(l);
        else
            add_lesson(c, l);
    }
    shapes_compare(shapes, nshapes, diags);
    for (size_t k = 0; k < nids; k++) {
        free(ids[k]);
        free(files[k]);
    }
    free(ids);
    free(files);
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].name);
    }
    free(f);
}

static char *user_dir(void)
{
    const char *x = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char buf[4096];
    if (x && *x)
        snprintf(buf, sizeof buf, "%s/tokenlab/lessons", x);
    else if (home && *home)
        snprintf(buf, sizeof buf, "%s/.local/share/tokenlab/lessons", home);
    else
        return NULL;
    return strdup(buf);
}

course *course_load(const course_options *o, parse_diags *diags, tl_err *e)
{
    course_options def = {0};
    if (!o) o = &def;
    course *c = xcalloc(1, sizeof *c);
    char lb[16];
    const char *lang = o->lang;
    if (!lang) {
        const char *env = getenv("LC_ALL");
        if (!env || !*env) env = getenv("LC_MESSAGES");
        if (!env || !*env) env = getenv("LANG");
        lang = course_lang_from_locale(env, lb, sizeof lb);
    } else {
        lang = course_lang_from_locale(lang, lb, sizeof lb);
    }
    c->lang = strdup(lang);
    bool any = false;
    if (!o->only_dir) {
        const char *data = assets_data_dir();
        if (data) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/lessons", data);
            load_dir(c, dir, false, diags, &any);
        }
        char *ud = user_dir();
        if (ud) {
            load_dir(c, ud, false, diags, &any);
            free(ud);
        }
    }
    if (o->dir) {
        struct stat sb;
        if (stat(o->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            err_set(e, "course.dir", "lesson folder %s: %s", o->dir,
                    stat(o->dir, &sb) != 0 ? strerror(errno) : "not a folder");
            course_free(c);
            return NULL;
        }
        load_dir(c, o->dir, o->only_dir, diags, &any);
    }
    if (!any) {
        err_set(e, "course.none",
                "no lessons found (looked in the data folder and the user lessons folder; use "
                "--lessons DIR)");
        course_free(c);
        return NULL;
    }
    /* course-level: requires must name a lesson of the course — or, when checking one folder of
     * extra lessons, a built-in one (an instructor's lesson may build on the shipped course) */
    course *builtin = NULL;
    if (o->only_dir && assets_data_dir()) {
        course_options bo = {.lang = c->lang};
        parse_diags ignore = {0};
        builtin = course_load(&bo, &ignore, NULL);
        parse_diags_free(&ignore);
    }
    for (size_t i = 0; i < c->n; i++) {
        lesson *l = c->lessons[i];
        for (size_t k = 0; k < l->nrequires; k++)
            if (!course_find(c, l->requires[k], NULL) &&
                !course_find(builtin, l->requires[k], NULL))
                parse_diags_add(diags, l->path, l->requires_line, "requires unknown lesson '%s'",
                                l->requires[k]);
    }
    course_free(builtin);
    return c;
}

void course_free(course *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) parse_lesson_free(c->lessons[i]);
    free(c->lessons);
    free(c->lang);
    free(c);
}

lesson *course_find(const course *c, const char *id, size_t *idx)
{
    if (!c || !id) return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->lessons[i]->id, id) == 0) {
            if (idx) *idx = i;
            return c->lessons[i];
        }
    return NULL;
}

size_t course_question_count(const course *c)
{
    size_t n = 0;
    for (size_t i = 0; c && i < c->n; i++) n += c->lessons[i]->nquizzes;
    return n;
}
