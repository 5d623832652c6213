/* Unit tests for src/base: error records, human times, durations, atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/assets.h"
#include "base/err.h"
#include "base/fileio.h"
#include "base/timefmt.h"

static void test_err_set_and_prefix(void **state)
{
    (void)state;
    tl_err e = {0};
    assert_false(err_set(&e, "jws.segments", "expected %d segments", 3));
    assert_true(err_is(&e, "jws.segments"));
    assert_false(err_is(&e, "jws.segment"));
    err_prefix(&e, "token %s: ", "x");
    assert_string_equal(e.msg, "token x: expected 3 segments");
    err_clear(&e);
    assert_null(e.code);
    assert_false(err_set(NULL, "x", "no crash on NULL"));
}

static void test_durations(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(timefmt_duration(252, b, sizeof b), "4m 12s");
    assert_string_equal(timefmt_duration(3600, b, sizeof b), "1h");
    assert_string_equal(timefmt_duration(2 * 86400 + 3 * 3600, b, sizeof b), "2d 3h");
    assert_string_equal(timefmt_duration(45, b, sizeof b), "45s");
    assert_string_equal(timefmt_duration_words(180, b, sizeof b), "3 minutes");
    assert_string_equal(timefmt_duration_words(60, b, sizeof b), "1 minute");
    assert_string_equal(timefmt_relative(1000 + 252, 1000, b, sizeof b), "in 4m 12s");
    assert_string_equal(timefmt_relative(1000 - 180, 1000, b, sizeof b), "3m ago");
    assert_string_equal(timefmt_utc(0, b, sizeof b), "1970-01-01 00:00:00 UTC");
    assert_string_equal(timefmt_utc_time(1764338531, b, sizeof b), "14:02:11 UTC");
}

static void test_parse_duration(void **state)
{
    (void)state;
    int64_t v;
    assert_true(timefmt_parse_duration("15m", &v));
    assert_int_equal(v, 900);
    assert_true(timefmt_parse_duration("1h30m", &v));
    assert_int_equal(v, 5400);
    assert_true(timefmt_parse_duration("90", &v));
    assert_int_equal(v, 90);
    assert_false(timefmt_parse_duration("", &v));
    assert_false(timefmt_parse_duration("-5m", &v));
    assert_false(timefmt_parse_duration("5y", &v));
    assert_false(timefmt_parse_duration("m", &v));
}

static void test_atomic_write_roundtrip(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-base-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/file.json", dir);
    char sub[256];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    tl_err e = {0};
    assert_true(fileio_mkdirs(sub, &e));
    assert_true(fileio_write_atomic(path, "old", 3, &e));
    assert_true(fileio_write_atomic(path, "new!", 4, &e));
    char *buf;
    size_t n;
    assert_true(fileio_read(path, 100, &buf, &n, &e));
    assert_int_equal(n, 4);
    assert_string_equal(buf, "new!");
    free(buf);
    assert_false(fileio_read(path, 2, &buf, &n, &e));
    assert_true(err_is(&e, "file.too_big"));
    assert_false(fileio_read("/nonexistent/x", 2, &buf, &n, &e));
    assert_true(err_is(&e, "file.open"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set_and_prefix),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_atomic_write_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
