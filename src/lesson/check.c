/* check — evaluating conditions on the learner's state. */
#include "lesson/check.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
