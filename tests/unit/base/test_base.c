/* SPDX-License-Identifier: MIT */
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
#include "base/esc.h"
#include "base/fileio.h"
#include "base/pct.h"
#include "base/timefmt.h"
#include "base/utf8.h"

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
    /* a symlink planted at the old predictable temporary name is not followed */
    char victim[600], planted[700];
    snprintf(victim, sizeof victim, "%s.victim", path);
    snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
    assert_true(fileio_write_atomic(victim, "keep", 4, &e));
    assert_int_equal(symlink(victim, planted), 0);
    assert_true(fileio_write_atomic(path, "newer", 5, &e));
    char *v = NULL;
    assert_true(fileio_read(victim, 100, &v, NULL, &e));
    assert_string_equal(v, "keep");
    free(v);
    unlink(planted);
    unlink(victim);
    char *buf;
    size_t n;
    assert_true(fileio_read(path, 100, &buf, &n, &e));
    assert_int_equal(n, 5);
    assert_string_equal(buf, "newer");
    free(buf);
    assert_false(fileio_read(path, 2, &buf, &n, &e));
    assert_true(err_is(&e, "file.too_big"));
    assert_false(fileio_read("/nonexistent/x", 2, &buf, &n, &e));
    assert_true(err_is(&e, "file.open"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* RFC 3986 §2.1 percent-decoding, with and without the form encoding's '+'. */
static void test_pct_decode(void **state)
{
    (void)state;
    char *d = NULL;
    size_t n = 0;
    tl_err e = {0};
    assert_true(pct_decode("a+b%2Bc%C3%A9%7e", 16, true, &d, &n, &e));
    assert_string_equal(d, "a b+c\xc3\xa9~");
    assert_int_equal(n, 8);
    free(d);
    assert_true(pct_decode("a+b", 3, false, &d, NULL, &e));
    assert_string_equal(d, "a+b");
    free(d);
    assert_true(pct_decode("%41%4a", 3, false, &d, &n, &e)); /* counted: only "%41" is read */
    assert_string_equal(d, "A");
    assert_int_equal(n, 1);
    free(d);
    static const struct {
        const char *in;
        const char *code;
        const char *msg;
    } bad[] = {
        {"ab%4", "pct.escape", "'%' at offset 2 is not followed by two hex digits"},
        {"%zz", "pct.escape", "'%' at offset 0 is not followed by two hex digits"},
        {"x%", "pct.escape", "'%' at offset 1 is not followed by two hex digits"},
        {"a%00b", "pct.nul", "an encoded NUL byte (%00) at offset 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = (char *)"untouched";
        assert_false(pct_decode(bad[i].in, strlen(bad[i].in), true, &d, &n, &e));
        assert_null(d);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.msg, bad[i].msg);
    }
    assert_false(pct_decode("a\0b", 3, true, &d, &n, &e));
    assert_string_equal(e.code, "pct.nul");
    assert_string_equal(e.msg, "a NUL byte at offset 1");
}

/* Text from tokens and requests made terminal-safe: controls and non-UTF-8 become escapes. */
static void test_esc_text(void **state)
{
    (void)state;
    char b[128];
    assert_string_equal(esc_text("\x1b]0;pwned\x07", b, sizeof b), "\\x1b]0;pwned\\x07");
    assert_string_equal(esc_text("a\nb\tc\x7f", b, sizeof b), "a\\x0ab\tc\\x7f");
    /* bidi controls (Trojan Source): RLO, LRI…PDI, RLM, ALM */
    assert_string_equal(esc_text("evil\xe2\x80\xaetxt.exe", b, sizeof b), "evil\\u202etxt.exe");
    assert_string_equal(esc_text("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c", b, sizeof b),
                        "\\u2066x\\u2069\\u200f\\u061c");
    assert_string_equal(esc_text("\xe2\x80\x94 \xe2\x80\x8b", b, sizeof b),
                        "\xe2\x80\x94 \xe2\x80\x8b"); /* a dash and ZWSP stay */
    assert_string_equal(esc_text("caf\xc3\xa9 \xe2\x9c\x93", b, sizeof b),
                        "caf\xc3\xa9 \xe2\x9c\x93");
    assert_string_equal(esc_text("\xc2\x9b"
                                 "2J",
                                 b, sizeof b),
                        "\\u009b2J");                                              /* C1 CSI */
    assert_string_equal(esc_text("\xff\xc3(", b, sizeof b), "\\xff\\xc3(");        /* not UTF-8 */
    assert_string_equal(esc_text("\xed\xa0\x80", b, sizeof b), "\\xed\\xa0\\x80"); /* surrogate */
    assert_string_equal(esc_text(NULL, b, sizeof b), "");
    /* Cut short with an ellipsis, never in the middle of a character. */
    char s[8];
    assert_string_equal(esc_text("abcdefghij", s, sizeof s), "abcd\xe2\x80\xa6");
    assert_string_equal(esc_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", s, sizeof s),
                        "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    char t[3];
    assert_string_equal(esc_text("abcdef", t, sizeof t), "");
}

/* RFC 3629 §4: what is and is not UTF-8. */
static void test_utf8_next(void **state)
{
    (void)state;
    unsigned cp = 0;
    assert_int_equal(utf8_next((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_next((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(utf8_next((const unsigned char *)"\xe2\x80\xae", 3, &cp), 3);
    assert_int_equal(cp, 0x202E);
    assert_int_equal(utf8_next((const unsigned char *)"\xf0\x9f\x8e\x89", 4, &cp), 4);
    assert_int_equal(cp, 0x1F389);
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"\xc0\xaf", 2},         /* overlong '/' */
        {"\xe0\x80\xaf", 3},     /* overlong, three bytes */
        {"\xed\xa0\x80", 3},     /* a surrogate */
        {"\xf4\x90\x80\x80", 4}, /* past U+10FFFF */
        {"\xc3\xa9", 1},         /* cut short by n */
        {"\xc3(", 2},            /* not a continuation byte */
        {"\x80", 1},             /* a lone continuation byte */
        {"\xff", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(utf8_next((const unsigned char *)bad[i].s, bad[i].n, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_set_and_prefix),
        cmocka_unit_test(test_pct_decode),
        cmocka_unit_test(test_esc_text),
        cmocka_unit_test(test_utf8_next),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_atomic_write_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
