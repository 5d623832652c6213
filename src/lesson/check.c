/* SPDX-License-Identifier: MIT */
/* check — parsing conditions and evaluating them on the learner's state. */
#include "lesson/check.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson/parse.h"

/* ---- parsing ------------------------------------------------------------------------------- */

void check_cond_free(lesson_cond *c)
{
    if (!c) return;
    free(c->path);
    free(c->value);
    free(c->text);
    c->path = c->value = c->text = NULL;
}

bool check_parse(const char *s, lesson_cond *out, tl_err *e)
{
    memset(out, 0, sizeof *out);
    char **w = NULL;
    size_t n = 0;
    if (!parse_words(s, &w, &n, e)) return false;
    size_t i = 0;
    bool neg = false;
    if (i < n && strcmp(w[i], "not") == 0) neg = true, i++;
    if (i >= n) {
        parse_words_free(w, n);
        return err_set(e, "lesson.cond", "empty condition (expected PATH OP VALUE)");
    }
    const char *path = w[i++];
    if (!state_path_known(path)) {
        err_set(e, "lesson.path", "unknown check path '%s'", path);
        parse_words_free(w, n);
        return false;
    }
    if (i >= n) {
        parse_words_free(w, n);
        return err_set(e, "lesson.cond",
                       "condition '%s' has no operator (==, !=, contains, exists, <, >)", s);
    }
    static const struct {
        const char *name;
        lesson_op op;
    } ops[] = {{"==", LESSON_OP_EQ},         {"!=", LESSON_OP_NE}, {"contains", LESSON_OP_CONTAINS},
               {"exists", LESSON_OP_EXISTS}, {"<", LESSON_OP_LT},  {">", LESSON_OP_GT}};
    int found = -1;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strcmp(w[i], ops[k].name) == 0) found = (int)k;
    if (found < 0) {
        err_set(e, "lesson.op", "unknown operator '%s' (use ==, !=, contains, exists, <, >)", w[i]);
        parse_words_free(w, n);
        return false;
    }
    i++;
    lesson_op op = ops[found].op;
    char *value = NULL;
    if (op == LESSON_OP_EXISTS) {
        if (i < n) {
            err_set(e, "lesson.cond", "'exists' takes no value (got '%s')", w[i]);
            parse_words_free(w, n);
            return false;
        }
    } else {
        if (i >= n) {
            err_set(e, "lesson.cond", "operator '%s' needs a value", ops[found].name);
            parse_words_free(w, n);
            return false;
        }
        if (i + 1 < n) {
            err_set(e, "lesson.cond", "too many words after '%s' (quote a value with spaces)",
                    ops[found].name);
            parse_words_free(w, n);
            return false;
        }
        if (op == LESSON_OP_LT || op == LESSON_OP_GT) {
            char *end;
            strtod(w[i], &end);
            if (end == w[i] || *end) {
                err_set(e, "lesson.cond", "operator '%s' compares numbers, '%s' is not a number",
                        ops[found].name, w[i]);
                parse_words_free(w, n);
                return false;
            }
        }
        value = strdup(w[i]);
    }
    out->negate = neg;
    out->path = strdup(path);
    out->op = op;
    out->value = value;
    out->text = strdup(s);
    parse_words_free(w, n);
    if (!out->path || !out->text || (op != LESSON_OP_EXISTS && !out->value)) {
        check_cond_free(out);
        return err_set(e, "lesson.nomem", "out of memory");
    }
    return true;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

/* The value as the text a lesson author writes: strings bare, numbers in decimal, true/false. */
static char *as_text(const json_t *v)
{
    if (json_is_string(v)) return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        char b[32];
        snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
        return strdup(b);
    }
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static bool num_of(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (json_is_string(v)) {
        char *end;
        const char *s = json_string_value(v);
        double d = strtod(s, &end);
        if (end != s && !*end) {
            *out = d;
            return true;
        }
    }
    return false;
}

static bool equals(const json_t *v, const char *want)
{
    double a, b;
    char *end;
    if (json_is_number(v)) {
        b = strtod(want, &end);
        if (end != want && !*end && num_of(v, &a)) return a == b;
    }
    char *t = as_text(v);
    bool eq = t && strcmp(t, want) == 0;
    free(t);
    return eq;
}

bool check_eval(const lesson_cond *c, const lesson_state *st, char *why, size_t why_len)
{
    json_t *v = state_lookup(st, c->path);
    if (json_is_null(v)) {
        json_decref(v);
        v = NULL;
    }
    bool r = false;
    if (v) {
        switch (c->op) {
        case LESSON_OP_EXISTS:
            r = !(json_is_string(v) && !*json_string_value(v));
            break;
        case LESSON_OP_EQ:
            r = equals(v, c->value);
            break;
        case LESSON_OP_NE:
            r = !equals(v, c->value);
            break;
        case LESSON_OP_CONTAINS:
            if (json_is_array(v)) {
                size_t i;
                json_t *x;
                json_array_foreach(v, i, x) if (equals(x, c->value)) r = true;
            } else {
                char *t = as_text(v);
                r = t && strstr(t, c->value) != NULL;
                free(t);
            }
            break;
        case LESSON_OP_LT:
        case LESSON_OP_GT: {
            double a, b = strtod(c->value, NULL);
            if (num_of(v, &a)) r = c->op == LESSON_OP_LT ? a < b : a > b;
            break;
        }
        }
    }
    json_decref(v);
    if (c->negate) r = !r;
    if (why && why_len) state_describe(st, c->path, why, why_len);
    return r;
}
