/* SPDX-License-Identifier: MIT */
/* Unit tests for src/cli/out: prose wrapped at word boundaries for the terminal (tokenlab quiz). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/out.h"

/* What out_wrapped prints for s, as a string (caller frees). */
static char *wrapped(const char *s, int width, int hang)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    out_wrapped(f, s, width, hang);
    fclose(f);
    return buf;
}

static void test_wrap(void **state)
{
    (void)state;
    /* Breaks between words, never inside one; continuation lines hang. */
    char *w = wrapped("[1/3] the quick brown fox jumps over the lazy dog", 20, 2);
    assert_string_equal(w, "[1/3] the quick\n  brown fox jumps\n  over the lazy dog\n");
    free(w);
    /* The line's own indentation stays; runs of spaces between words become one. */
    w = wrapped("  why: short  text", 40, 7);
    assert_string_equal(w, "  why: short text\n");
    free(w);
    /* Characters, not bytes: "é" is one column. */
    w = wrapped("éééééééééé éééééééééé", 21, 0);
    assert_string_equal(w, "éééééééééé éééééééééé\n");
    free(w);
    w = wrapped("éééééééééé éééééééééé", 20, 0);
    assert_string_equal(w, "éééééééééé\néééééééééé\n");
    free(w);
    /* A word longer than the line is printed whole on its own line. */
    w = wrapped("a eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0 b", 16, 2);
    assert_string_equal(w, "a\n  eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0\n  b\n");
    free(w);
    /* Width 0 (piped output): unchanged, one line. */
    w = wrapped("the quick brown fox", 0, 2);
    assert_string_equal(w, "the quick brown fox\n");
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
