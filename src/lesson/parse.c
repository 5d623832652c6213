/* SPDX-License-Identifier: MIT */
/* parse — lesson files into lesson structs. The format is lessons/README.md. */
#include "lesson/parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "lesson/action.h"
#include "lesson/md.h"
#include "lesson/state.h"

/* ---- diagnostics ---------------------------------------------------------------------------- */

void parse_diags_add(parse_diags *d, const char *file, int line, const char *fmt, ...)
{
    if (!d) return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char full[1024];
    snprintf(full, sizeof full, "%s:%d: %s", file ? file : "<lesson>", line, msg);
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **m = realloc(d->msgs, cap * sizeof *m);
        if (!m) return;
        d->msgs = m;
        d->cap = cap;
    }
    char *s = strdup(full);
    if (s) d->msgs[d->n++] = s;
}

void parse_diags_free(parse_diags *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->msgs[i]);
    free(d->msgs);
    d->msgs = NULL;
    d->n = d->cap = 0;
}

/* ---- small helpers -------------------------------------------------------------------------- */

static void trim_span(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1])) (*n)--;
}

static char *trim_dup(const char *s, size_t n)
{
    trim_span(&s, &n);
    return xstrndup(s, n);
}

static bool push_str(char ***arr, size_t *n, char *s)
{
    if (!s) return false;
    char **a = realloc(*arr, (*n + 1) * sizeof *a);
    if (!a) {
        free(s);
        return false;
    }
    a[(*n)++] = s;
    *arr = a;
    return true;
}

static void free_strs(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++) free(a[i]);
    free(a);
}

static bool valid_id(const char *s)
{
    if (!*s || strlen(s) > 64) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return false;
    return true;
}

/* Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF) or a NUL, or `len` when all is well. */
static size_t utf8_bad_offset(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == 0) return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c == 0xE0)
            need = 2, lo = 0xA0;
        else if (c >= 0xE1 && c <= 0xEC)
            need = 2;
        else if (c == 0xED)
            need = 2, hi = 0x9F;
        else if (c >= 0xEE && c <= 0xEF)
            need = 2;
        else if (c == 0xF0)
            need = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            need = 3;
        else if (c == 0xF4)
            need = 3, hi = 0x8F;
        else
            return i;
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= len) return i;
            unsigned char d = s[i + k];
            unsigned l = (k == 1) ? lo : 0x80, h = (k == 1) ? hi : 0xBF;
            if (d < l || d > h) return i;
        }
        i += need + 1;
    }
    return len;
}

/* ---- words ------------------------------------------------------------------------------- */

void parse_words_free(char **argv, size_t argc)
{
    free_strs(argv, argc);
}

bool parse_words(const char *s, char ***argv_out, size_t *argc_out, tl_err *e)
{
    char **argv = NULL;
    size_t argc = 0;
    size_t len = strlen(s);
    char *buf = xmalloc(len + 1);
    const char *p = s;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        size_t n = 0;
        while (*p && !isspace((unsigned char)*p)) {
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                while (*p && *p != q) {
                    if (*p == '\\' && q == '"' && (p[1] == '"' || p[1] == '\\')) p++;
                    buf[n++] = *p++;
                }
                if (!*p) {
                    free(buf);
                    free_strs(argv, argc);
                    return err_set(e, "lesson.quote", "unterminated %c quote", q);
                }
                p++;
            } else {
                buf[n++] = *p++;
            }
        }
        if (!push_str(&argv, &argc, xstrndup(buf, n))) {
            free(buf);
            free_strs(argv, argc);
            return err_set(e, "lesson.nomem", "out of memory");
        }
    }
    free(buf);
    *argv_out = argv;
    *argc_out = argc;
    return true;
}

/* ---- lesson structure ----------------------------------------------------------------------- */

static void free_actions(lesson_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free_strs(a[i].argv, a[i].argc);
        free(a[i].text);
    }
    free(a);
}

static void free_conds(lesson_cond *c, size_t n)
{
    for (size_t i = 0; i < n; i++) check_cond_free(&c[i]);
    free(c);
}

static void free_step(lesson_step *s)
{
    if (!s) return;
    free(s->id);
    free(s->title);
    free_actions(s->acts, s->nacts);
    free_conds(s->checks, s->nchecks);
    free(s->ok);
    for (size_t i = 0; i < s->nfails; i++) {
        check_cond_free(&s->fails[i].cond);
        free(s->fails[i].text);
    }
    free(s->fails);
    free_strs(s->hints, s->nhints);
    free_actions(s->solution, s->nsolution);
    free(s);
}

static void free_quiz(lesson_quiz *q)
{
    if (!q) return;
    free(q->id);
    free(q->question);
    for (size_t i = 0; i < q->nopts; i++) free(q->opts[i].text);
    free(q->opts);
    free_strs(q->answers, q->nanswers);
    free(q->explain);
    free_strs(q->hints, q->nhints);
    free_conds(q->checks, q->nchecks);
    free_actions(q->solution, q->nsolution);
    free(q);
}

void parse_lesson_free(lesson *l)
{
    if (!l) return;
    free(l->path);
    free(l->id);
    free(l->title);
    free(l->level);
    free_strs(l->requires, l->nrequires);
    free_strs(l->labs, l->nlabs);
    free(l->lang);
    for (size_t i = 0; i < l->nblocks; i++) {
        free(l->blocks[i].text);
        free(l->blocks[i].lang);
        free_step(l->blocks[i].step);
        free_quiz(l->blocks[i].quiz);
    }
    free(l->blocks);
    free(l);
}

size_t parse_item_count(const lesson *l)
{
    return l ? l->nsteps + l->nquizzes : 0;
}

const lesson_block *parse_item(const lesson *l, size_t n)
{
    if (!l) return NULL;
    for (size_t i = 0; i < l->nblocks; i++) {
        if (l->blocks[i].kind != LESSON_STEP && l->blocks[i].kind != LESSON_QUIZ) continue;
        if (n == 0) return &l->blocks[i];
        n--;
    }
    return NULL;
}

/* ---- the parser ----------------------------------------------------------------------------- */

typedef struct line {
    const char *p;
    size_t n;
} line;

typedef struct pctx {
    const char *file;
    parse_diags *d;
    int errors;
    lesson *l;
    /* ids seen: id -> line */
    char **ids;
    int *id_lines;
    size_t nids;
} pctx;

#define ERR(ctx, ln, ...)                                                                          \
    do {                                                                                           \
        parse_diags_add((ctx)->d, (ctx)->file, (ln), __VA_ARGS__);                                 \
        (ctx)->errors++;                                                                           \
    } while (0)

static bool add_block(lesson *l, lesson_block b)
{
    lesson_block *nb = realloc(l->blocks, (l->nblocks + 1) * sizeof *nb);
    if (!nb) return false;
    nb[l->nblocks++] = b;
    l->blocks = nb;
    return true;
}

/* Parses "[a, b]" or "a, b" or "" into a list of ids. */
static bool parse_list(pctx *c, int ln, const char *key, const char *v, char ***out, size_t *n)
{
    size_t len = strlen(v);
    const char *s = v;
    if (len && s[0] == '[') {
        if (s[len - 1] != ']') {
            ERR(c, ln, "front matter '%s': list is not closed with ']'", key);
            return false;
        }
        s++;
        len -= 2;
    }
    while (len) {
        const char *comma = memchr(s, ',', len);
        size_t part = comma ? (size_t)(comma - s) : len;
        char *item = trim_dup(s, part);
        if (!item) return false;
        size_t il = strlen(item);
        if (il >= 2 && (item[0] == '"' || item[0] == '\'') && item[il - 1] == item[0]) {
            memmove(item, item + 1, il - 2);
            item[il - 2] = 0;
        }
        if (!*item) {
            free(item);
            if (comma) {
                ERR(c, ln, "front matter '%s': empty list item", key);
                return false;
            }
        } else if (!valid_id(item)) {
            ERR(c, ln, "front matter '%s': '%s' is not a valid id ([a-z0-9-]+)", key, item);
            free(item);
            return false;
        } else {
            push_str(out, n, item);
        }
        if (!comma) break;
        len -= part + 1;
        s = comma + 1;
    }
    return true;
}

/* Strips a " # comment" from a front matter value (a '#' at the start or after a space). */
static char *strip_comment(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
            n = i;
            break;
        }
    return trim_dup(s, n);
}

static int front_matter(pctx *c, const line *lines, size_t nlines)
{
    lesson *l = c->l;
    if (nlines == 0 || !(lines[0].n == 3 && memcmp(lines[0].p, "---", 3) == 0)) {
        ERR(c, 1, "missing front matter: the file must start with a '---' line");
        return -1;
    }
    size_t end = 0;
    for (size_t i = 1; i < nlines; i++)
        if (lines[i].n == 3 && memcmp(lines[i].p, "---", 3) == 0) {
            end = i;
            break;
        }
    if (!end) {
        ERR(c, 1, "front matter is not closed: no second '---' line");
        return -1;
    }
    int seen_line[6] = {0};
    static const char *keys[] = {"id", "title", "level", "minutes", "requires", "lab"};
    for (size_t i = 1; i < end; i++) {
        int ln = (int)i + 1;
        const char *p = lines[i].p;
        size_t n = lines[i].n;
        const char *q = p;
        size_t qn = n;
        trim_span(&q, &qn);
        if (qn == 0 || q[0] == '#') continue;
        const char *colon = memchr(p, ':', n);
        if (!colon) {
            ERR(c, ln, "bad front matter line (expected 'key: value')");
            continue;
        }
        char *key = trim_dup(p, (size_t)(colon - p));
        char *val = strip_comment(colon + 1, n - (size_t)(colon + 1 - p));
        if (!key || !val) {
            free(key);
            free(val);
            return -1;
        }
        int k = -1;
        for (int j = 0; j < 6; j++)
            if (strcmp(key, keys[j]) == 0) k = j;
        if (k < 0) {
            ERR(c, ln,
                "unknown front matter key '%s' (known: id, title, level, minutes, requires, lab)",
                key);
        } else if (seen_line[k]) {
            ERR(c, ln, "front matter key '%s' given twice (first on line %d)", key, seen_line[k]);
        } else {
            seen_line[k] = ln;
            size_t vl = strlen(val);
            if (k <= 2 && vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
                memmove(val, val + 1, vl - 2);
                val[vl - 2] = 0;
            }
            switch (k) {
            case 0:
                if (!valid_id(val))
                    ERR(c, ln, "front matter 'id': '%s' is not a valid id ([a-z0-9-]+)", val);
                else
                    l->id = strdup(val);
                break;
            case 1:
                if (!*val)
                    ERR(c, ln, "front matter 'title' is empty");
                else
                    l->title = strdup(val);
                break;
            case 2:
                if (strcmp(val, "beginner") && strcmp(val, "intermediate") &&
                    strcmp(val, "advanced"))
                    ERR(c, ln,
                        "front matter 'level': '%s' is not beginner, intermediate or advanced",
                        val);
                else
                    l->level = strdup(val);
                break;
            case 3: {
                char *e2;
                long m = strtol(val, &e2, 10);
                if (!*val || *e2 || m < 1 || m > 600)
                    ERR(c, ln, "front matter 'minutes': '%s' is not a number of minutes (1-600)",
                        val);
                else
                    l->minutes = (int)m;
                break;
            }
            case 4:
                l->requires_line = ln;
                parse_list(c, ln, "requires", val, &l->requires, &l->nrequires);
                break;
            case 5:
                if (parse_list(c, ln, "lab", val, &l->labs, &l->nlabs))
                    for (size_t li = 0; li < l->nlabs; li++) {
                        tl_err le = {0};
                        if (!action_lab_known(l->labs[li], &le))
                            ERR(c, ln, "front matter 'lab': %s", le.msg);
                    }
                break;
            }
        }
        free(key);
        free(val);
    }
    if (!seen_line[0]) ERR(c, 1, "front matter: missing 'id'");
    if (!seen_line[1]) ERR(c, 1, "front matter: missing 'title'");
    if (!l->requires_line) l->requires_line = 1;
    if (!seen_line[2] && !l->level) l->level = strdup("beginner");
    return (int)end + 1;
}

static void note_id(pctx *c, const char *id, int ln)
{
    for (size_t i = 0; i < c->nids; i++)
        if (strcmp(c->ids[i], id) == 0) {
            ERR(c, ln, "duplicate id '%s' (first used on line %d)", id, c->id_lines[i]);
            return;
        }
    int *nl = realloc(c->id_lines, (c->nids + 1) * sizeof *nl);
    if (!nl) return;
    c->id_lines = nl;
    char *s = strdup(id);
    if (!s) return;
    size_t n = c->nids;
    if (!push_str(&c->ids, &n, s)) return;
    c->id_lines[c->nids++] = ln;
}

/* key: value entries of a fenced block, with continuation lines (indented) joined by a space. */
typedef struct entry {
    char *key; /* NULL for an option line "- [x] ..." */
    char *val;
    int line;
    bool opt_correct;
} entry;

static void free_entries(entry *es, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(es[i].key);
        free(es[i].val);
    }
    free(es);
}

static bool append_cont(entry *e, const char *p, size_t n)
{
    char *t = trim_dup(p, n);
    if (!t) return false;
    size_t a = strlen(e->val), b = strlen(t);
    char *v = realloc(e->val, a + b + 2);
    if (!v) {
        free(t);
        return false;
    }
    if (a) v[a++] = ' ';
    memcpy(v + a, t, b + 1);
    e->val = v;
    free(t);
    return true;
}

static entry *block_entries(pctx *c, const line *lines, size_t from, size_t to, size_t *count)
{
    entry *es = NULL;
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        int ln = (int)i + 1;
        const char *p = lines[i].p;
        size_t len = lines[i].n;
        const char *q = p;
        size_t qn = len;
        trim_span(&q, &qn);
        if (qn == 0) continue;
        if (isspace((unsigned char)p[0]) && n > 0) { /* continuation */
            append_cont(&es[n - 1], q, qn);
            continue;
        }
        entry en = {0};
        en.line = ln;
        if (qn >= 5 && q[0] == '-' && q[1] == ' ' && q[2] == '[' && q[4] == ']' &&
            (q[3] == ' ' || q[3] == 'x' || q[3] == 'X')) {
            en.opt_correct = q[3] != ' ';
            en.val = trim_dup(q + 5, qn - 5);
            if (en.val && !*en.val) {
                ERR(c, ln, "empty option text");
            }
        } else {
            const char *colon = memchr(q, ':', qn);
            if (!colon) {
                ERR(c, ln, "expected 'key: value' or an option '- [ ] text', got '%.*s'",
                    (int)(qn > 60 ? 60 : qn), q);
                continue;
            }
            en.key = trim_dup(q, (size_t)(colon - q));
            en.val = trim_dup(colon + 1, qn - (size_t)(colon + 1 - q));
        }
        entry *ne = realloc(es, (n + 1) * sizeof *ne);
        if (!ne) {
            free(en.key);
            free(en.val);
            break;
        }
        es = ne;
        es[n++] = en;
    }
    *count = n;
    return es;
}

static bool parse_action_line(pctx *c, int ln, const char *v, lesson_action **arr, size_t *n)
{
    lesson_action a = {0};
    tl_err e = {0};
    a.line = ln;
    if (!*v) {
        ERR(c, ln, "empty action");
        return false;
    }
    if (!parse_words(v, &a.argv, &a.argc, &e)) {
        ERR(c, ln, "action '%s': %s", v, e.msg);
        return false;
    }
    if (!action_validate(a.argc, a.argv, &e)) {
        ERR(c, ln, "%s", e.msg);
        free_strs(a.argv, a.argc);
        return false;
    }
    a.text = strdup(v);
    lesson_action *na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na || !a.text) {
        free(a.text);
        free_strs(a.argv, a.argc);
        return false;
    }
    na[(*n)++] = a;
    *arr = na;
    return true;
}

static bool parse_cond_line(pctx *c, int ln, const char *v, lesson_cond *out)
{
    tl_err e = {0};
    if (!check_parse(v, out, &e)) {
        ERR(c, ln, "%s", e.msg);
        return false;
    }
    out->line = ln;
    return true;
}

static bool push_cond(pctx *c, int ln, const char *v, lesson_cond **arr, size_t *n)
{
    lesson_cond k;
    if (!parse_cond_line(c, ln, v, &k)) return false;
    lesson_cond *na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na) {
        check_cond_free(&k);
        return false;
    }
    na[(*n)++] = k;
    *arr = na;
    return true;
}

static void set_once(pctx *c, int ln, char **slot, const char *key, const char *val)
{
    if (*slot) {
        ERR(c, ln, "'%s:' given twice", key);
        return;
    }
    if (!*val) {
        ERR(c, ln, "'%s:' is empty", key);
        return;
    }
    *slot = strdup(val);
}

static lesson_step *parse_step(pctx *c, const char *id, int fence_ln, const line *lines,
                               size_t from, size_t to)
{
    lesson_step *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->id = strdup(id);
    s->line = fence_ln;
    size_t n;
    entry *es = block_entries(c, lines, from, to, &n);
    for (size_t i = 0; i < n; i++) {
        entry *en = &es[i];
        if (!en->key) {
            ERR(c, en->line, "options ('- [ ] …') belong in a quiz, not in step '%s'", id);
            continue;
        }
        if (strcmp(en->key, "title") == 0) {
            set_once(c, en->line, &s->title, "title", en->val);
        } else if (strcmp(en->key, "do") == 0) {
            parse_action_line(c, en->line, en->val, &s->acts, &s->nacts);
        } else if (strcmp(en->key, "solution") == 0) {
            parse_action_line(c, en->line, en->val, &s->solution, &s->nsolution);
        } else if (strcmp(en->key, "check") == 0) {
            push_cond(c, en->line, en->val, &s->checks, &s->nchecks);
        } else if (strcmp(en->key, "ok") == 0) {
            set_once(c, en->line, &s->ok, "ok", en->val);
        } else if (strcmp(en->key, "fail") == 0) {
            const char *arrow = strstr(en->val, "=>");
            if (!arrow) {
                ERR(c, en->line, "'fail:' needs 'CONDITION => feedback text'");
                continue;
            }
            char *cond = trim_dup(en->val, (size_t)(arrow - en->val));
            char *text = trim_dup(arrow + 2, strlen(arrow + 2));
            lesson_fail f = {0};
            if (cond && text && !*text) {
                ERR(c, en->line, "'fail:' has no feedback text after '=>'");
            } else if (cond && text && parse_cond_line(c, en->line, cond, &f.cond)) {
                f.text = text;
                text = NULL;
                lesson_fail *nf = realloc(s->fails, (s->nfails + 1) * sizeof *nf);
                if (nf) {
                    nf[s->nfails++] = f;
                    s->fails = nf;
                } else {
                    check_cond_free(&f.cond);
                    free(f.text);
                }
            }
            free(cond);
            free(text);
        } else if (strcmp(en->key, "hint") == 0) {
            if (!*en->val)
                ERR(c, en->line, "'hint:' is empty");
            else
                push_str(&s->hints, &s->nhints, strdup(en->val));
        } else {
            ERR(c, en->line,
                "unknown key '%s' in step '%s' (known: title, do, check, ok, fail, hint, solution)",
                en->key, id);
        }
    }
    free_entries(es, n);
    if (!s->title) ERR(c, fence_ln, "step '%s' has no 'title:'", id);
    if (s->nchecks == 0 && s->nfails > 0)
        ERR(c, fence_ln, "step '%s' has 'fail:' feedback but no 'check:'", id);
    if ((s->nchecks > 0 || s->nacts > 0 || s->nsolution > 0) && s->nhints == 0)
        ERR(c, fence_ln, "step '%s' has no 'hint:' (hands-on steps need at least one)", id);
    return s;
}

static lesson_quiz *parse_quiz(pctx *c, const char *id, int fence_ln, const line *lines,
                               size_t from, size_t to)
{
    lesson_quiz *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->id = strdup(id);
    q->line = fence_ln;
    size_t n;
    entry *es = block_entries(c, lines, from, to, &n);
    bool have_type = false;
    int type_ln = fence_ln;
    for (size_t i = 0; i < n; i++) {
        entry *en = &es[i];
        if (!en->key) {
            lesson_option *no = realloc(q->opts, (q->nopts + 1) * sizeof *no);
            if (!no) continue;
            q->opts = no;
            q->opts[q->nopts].text = en->val;
            q->opts[q->nopts].correct = en->opt_correct;
            q->nopts++;
            en->val = NULL;
            continue;
        }
        if (strcmp(en->key, "type") == 0) {
            if (have_type) {
                ERR(c, en->line, "'type:' given twice");
                continue;
            }
            have_type = true;
            type_ln = en->line;
            if (strcmp(en->val, "single") == 0)
                q->type = QUIZ_SINGLE;
            else if (strcmp(en->val, "multi") == 0)
                q->type = QUIZ_MULTI;
            else if (strcmp(en->val, "text") == 0)
                q->type = QUIZ_TEXT;
            else if (strcmp(en->val, "practical") == 0)
                q->type = QUIZ_PRACTICAL;
            else
                ERR(c, en->line, "unknown quiz type '%s' (single, multi, text, practical)",
                    en->val);
        } else if (strcmp(en->key, "question") == 0 || strcmp(en->key, "task") == 0) {
            set_once(c, en->line, &q->question, en->key, en->val);
        } else if (strcmp(en->key, "answer") == 0) {
            if (!*en->val)
                ERR(c, en->line, "'answer:' is empty");
            else
                push_str(&q->answers, &q->nanswers, strdup(en->val));
        } else if (strcmp(en->key, "explain") == 0) {
            set_once(c, en->line, &q->explain, "explain", en->val);
        } else if (strcmp(en->key, "hint") == 0) {
            if (!*en->val)
                ERR(c, en->line, "'hint:' is empty");
            else
                push_str(&q->hints, &q->nhints, strdup(en->val));
        } else if (strcmp(en->key, "check") == 0) {
            push_cond(c, en->line, en->val, &q->checks, &q->nchecks);
        } else if (strcmp(en->key, "solution") == 0) {
            parse_action_line(c, en->line, en->val, &q->solution, &q->nsolution);
        } else {
            ERR(c, en->line,
                "unknown key '%s' in quiz '%s' (known: type, question, task, answer, explain, "
                "hint, "
                "check, solution)",
                en->key, id);
        }
    }
    free_entries(es, n);
    if (!have_type) {
        ERR(c, fence_ln, "quiz '%s' has no 'type:' (single, multi, text, practical)", id);
    } else {
        size_t correct = 0;
        for (size_t i = 0; i < q->nopts; i++) correct += q->opts[i].correct;
        switch (q->type) {
        case QUIZ_SINGLE:
            if (q->nopts < 2)
                ERR(c, type_ln, "single-choice quiz '%s' needs at least 2 options, found %zu", id,
                    q->nopts);
            else if (correct != 1)
                ERR(c, type_ln, "single-choice quiz '%s' needs exactly one [x] option, found %zu",
                    id, correct);
            break;
        case QUIZ_MULTI:
            if (q->nopts < 2)
                ERR(c, type_ln, "multiple-choice quiz '%s' needs at least 2 options, found %zu", id,
                    q->nopts);
            else if (correct == 0)
                ERR(c, type_ln, "multiple-choice quiz '%s' needs at least one [x] option", id);
            break;
        case QUIZ_TEXT:
            if (q->nanswers == 0)
                ERR(c, type_ln, "text quiz '%s' needs at least one 'answer:'", id);
            if (q->nopts) ERR(c, type_ln, "text quiz '%s' has options; use 'answer:' lines", id);
            break;
        case QUIZ_PRACTICAL:
            if (q->nchecks == 0)
                ERR(c, type_ln, "practical quiz '%s' needs at least one 'check:'", id);
            if (q->nsolution == 0)
                ERR(c, type_ln,
                    "practical quiz '%s' needs 'solution:' actions (the reference path)", id);
            break;
        }
        if (q->type != QUIZ_SINGLE && q->type != QUIZ_MULTI && q->type != QUIZ_TEXT && q->nopts)
            ERR(c, type_ln, "practical quiz '%s' takes no options", id);
        if ((q->type == QUIZ_SINGLE || q->type == QUIZ_MULTI) && q->nanswers)
            ERR(c, type_ln, "choice quiz '%s' takes no 'answer:' lines", id);
    }
    if (!q->question) ERR(c, fence_ln, "quiz '%s' has no 'question:' (or 'task:')", id);
    if (!q->explain) ERR(c, fence_ln, "quiz '%s' has no 'explain:'", id);
    if (q->nhints == 0) ERR(c, fence_ln, "quiz '%s' has no 'hint:'", id);
    return q;
}

static void add_text_block(lesson *l, lesson_block_kind kind, int ln, const line *lines,
                           size_t from, size_t to, const char *lang)
{
    size_t total = 0;
    bool any = false;
    for (size_t i = from; i < to; i++) {
        total += lines[i].n + 1;
        for (size_t k = 0; k < lines[i].n; k++)
            if (!isspace((unsigned char)lines[i].p[k])) any = true;
    }
    if (kind == LESSON_PROSE && !any) return;
    char *t = malloc(total + 1);
    if (!t) return;
    size_t o = 0;
    for (size_t i = from; i < to; i++) {
        memcpy(t + o, lines[i].p, lines[i].n);
        o += lines[i].n;
        if (i + 1 < to) t[o++] = '\n';
    }
    t[o] = 0;
    lesson_block b = {.kind = kind, .line = ln, .text = t, .lang = lang ? strdup(lang) : NULL};
    if (!add_block(l, b)) {
        free(t);
        free(b.lang);
    }
}

static bool is_fence(const line *ln, const char **info, size_t *info_n)
{
    const char *p = ln->p;
    size_t n = ln->n;
    size_t ind = 0;
    while (ind < n && ind < 3 && p[ind] == ' ') ind++;
    if (n - ind < 3 || memcmp(p + ind, "```", 3) != 0) return false;
    const char *s = p + ind + 3;
    size_t sn = n - ind - 3;
    while (sn && *s == '`') s++, sn--;
    trim_span(&s, &sn);
    *info = s;
    *info_n = sn;
    return true;
}

static void lang_from_path(lesson *l, const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0) {
        const char *dot = NULL;
        for (const char *p = base; p < base + n - 3; p++)
            if (*p == '.') dot = p;
        if (dot && (size_t)(base + n - 3 - dot - 1) >= 2 && (size_t)(base + n - 3 - dot - 1) <= 8) {
            l->lang = xstrndup(dot + 1, (size_t)(base + n - 3 - dot - 1));
            return;
        }
    }
    l->lang = strdup("en");
}

lesson *parse_lesson(const char *file, const char *text, size_t len, parse_diags *diags)
{
    pctx c = {.file = file ? file : "<lesson>", .d = diags};
    if (len > PARSE_MAX_FILE) {
        ERR(&c, 1, "file is too big (%zu bytes; a lesson may have at most %u)", len,
            PARSE_MAX_FILE);
        return NULL;
    }
    size_t bad = utf8_bad_offset((const unsigned char *)text, len);
    if (bad < len) {
        int ln = 1;
        for (size_t i = 0; i < bad; i++) ln += text[i] == '\n';
        if (text[bad] == 0)
            ERR(&c, ln, "NUL byte at offset %zu (a lesson is UTF-8 text)", bad);
        else
            ERR(&c, ln, "invalid UTF-8 at offset %zu (byte 0x%02x)", bad, (unsigned char)text[bad]);
        return NULL;
    }
    /* split into lines */
    size_t cap = 64, nlines = 0;
    line *lines = malloc(cap * sizeof *lines);
    if (!lines) return NULL;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (i == len && start == len && nlines > 0) break;
            if (nlines == cap) {
                cap *= 2;
                line *nl = realloc(lines, cap * sizeof *nl);
                if (!nl) {
                    free(lines);
                    return NULL;
                }
                lines = nl;
            }
            size_t n = i - start;
            if (n && text[start + n - 1] == '\r') n--;
            lines[nlines].p = text + start;
            lines[nlines].n = n;
            nlines++;
            start = i + 1;
        }
    }
    lesson *l = calloc(1, sizeof *l);
    if (!l) {
        free(lines);
        return NULL;
    }
    c.l = l;
    l->path = strdup(c.file);
    lang_from_path(l, c.file);
    int body = front_matter(&c, lines, nlines);
    if (body < 0) {
        free(lines);
        parse_lesson_free(l);
        return NULL;
    }
    size_t i = (size_t)body, prose_from = (size_t)body;
    while (i < nlines) {
        const char *info;
        size_t info_n;
        if (!is_fence(&lines[i], &info, &info_n)) {
            i++;
            continue;
        }
        add_text_block(l, LESSON_PROSE, (int)prose_from + 1, lines, prose_from, i, NULL);
        size_t open = i;
        int fence_ln = (int)open + 1;
        size_t close = 0;
        for (size_t k = open + 1; k < nlines; k++) {
            const char *ci;
            size_t cin;
            if (is_fence(&lines[k], &ci, &cin) && cin == 0) {
                close = k;
                break;
            }
        }
        char *infos = xstrndup(info, info_n);
        char **w = NULL;
        size_t nw = 0;
        tl_err e = {0};
        if (infos) parse_words(infos, &w, &nw, &e);
        const char *kind = nw ? w[0] : "";
        bool interactive = strcmp(kind, "step") == 0 || strcmp(kind, "quiz") == 0;
        if (!close) {
            ERR(&c, fence_ln, "unterminated ```%s block (no closing ``` line)", kind);
            free(infos);
            free_strs(w, nw);
            break;
        }
        if (interactive) {
            const char *id = nw >= 2 ? w[1] : NULL;
            if (!id) {
                ERR(&c, fence_ln, "```%s block without an id (write ```%s ID)", kind, kind);
            } else if (!valid_id(id)) {
                ERR(&c, fence_ln, "%s id '%s' is not valid ([a-z0-9-]+)", kind, id);
            } else {
                if (nw > 2) ERR(&c, fence_ln, "unexpected text after the %s id '%s'", kind, id);
                note_id(&c, id, fence_ln);
                lesson_block b = {.line = fence_ln};
                if (kind[0] == 's') {
                    b.kind = LESSON_STEP;
                    b.step = parse_step(&c, id, fence_ln, lines, open + 1, close);
                    if (b.step) l->nsteps++;
                } else {
                    b.kind = LESSON_QUIZ;
                    b.quiz = parse_quiz(&c, id, fence_ln, lines, open + 1, close);
                    if (b.quiz) l->nquizzes++;
                }
                if (!add_block(l, b)) {
                    free_step(b.step);
                    free_quiz(b.quiz);
                }
            }
        } else {
            add_text_block(l, LESSON_CODE, fence_ln, lines, open + 1, close, infos ? infos : "");
        }
        free(infos);
        free_strs(w, nw);
        i = close + 1;
        prose_from = i;
    }
    if (i >= nlines)
        add_text_block(l, LESSON_PROSE, (int)prose_from + 1, lines, prose_from, nlines, NULL);
    /* the prose is Markdown (md4c): what the lesson pane cannot show is named */
    for (size_t b = 0; b < l->nblocks; b++)
        if (l->blocks[b].kind == LESSON_PROSE && l->blocks[b].text)
            c.errors += md_lint(l->blocks[b].text, c.file, l->blocks[b].line, c.d);
    free(lines);
    for (size_t k = 0; k < c.nids; k++) free(c.ids[k]);
    free(c.ids);
    free(c.id_lines);
    if (c.errors) {
        parse_lesson_free(l);
        return NULL;
    }
    return l;
}
