/* SPDX-License-Identifier: MIT */
/* Unit tests for src/jose b64url, jsonx and explain: strict base64url with every error offset,
 * strict JSON (duplicates, depth, syntax), and the explanation table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jose/b64url.h"
#include "jose/explain.h"
#include "jose/jsonx.h"

static char *enc(const char *s)
{
    return b64url_encode((const uint8_t *)s, strlen(s));
}

/* Decodes `s`, expecting failure with `code` and a message containing `frag`. */
static void expect_b64_err(const char *s, const char *code, const char *frag)
{
    uint8_t *out = (uint8_t *)"x";
    size_t n = 99;
    tl_err e = {0};
    assert_false(b64url_decode(s, strlen(s), &out, &n, &e));
    assert_null(out);
    assert_string_equal(e.code, code);
    if (!strstr(e.msg, frag)) fail_msg("message \"%s\" lacks \"%s\"", e.msg, frag);
}

static void test_b64_encode_known(void **state)
{
    (void)state;
    /* RFC 4648 §10 vectors, with the padding removed. */
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *s = enc(in[i]);
        assert_string_equal(s, out[i]);
        uint8_t *d;
        size_t n;
        tl_err e = {0};
        assert_true(b64url_decode(s, strlen(s), &d, &n, &e));
        assert_int_equal(n, strlen(in[i]));
        assert_memory_equal(d, in[i], n);
        assert_int_equal(d[n], 0); /* NUL-terminated */
        free(d);
        free(s);
    }
    /* The two characters that differ from standard base64: 0xfb 0xff -> "-_8". */
    const uint8_t b[] = {0xfb, 0xff};
    char *s = b64url_encode(b, 2);
    assert_string_equal(s, "-_8");
    free(s);
}

static void test_b64_decode_url_alphabet(void **state)
{
    (void)state;
    uint8_t *d;
    size_t n;
    tl_err e = {0};
    assert_true(b64url_decode("-_8", 3, &d, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(d[0], 0xfb);
    assert_int_equal(d[1], 0xff);
    free(d);
    /* Only `len` bytes are read: the rest of the buffer is not part of the input. */
    assert_true(b64url_decode("Zm9v.garbage", 4, &d, &n, &e));
    assert_int_equal(n, 3);
    assert_memory_equal(d, "foo", 3);
    free(d);
}

static void test_b64_decode_errors(void **state)
{
    (void)state;
    expect_b64_err("ab+d", "b64.bad_char", "'+' at offset 2 (base64url uses '-' and '_')");
    expect_b64_err("abc/", "b64.bad_char", "'/' at offset 3 (base64url uses '-' and '_')");
    expect_b64_err("Zg==", "b64.bad_char", "'=' at offset 2");
    expect_b64_err("Zg==", "b64.bad_char", "no padding");
    expect_b64_err("Zm9v Zm9v", "b64.bad_char", "whitespace (0x20) at offset 4");
    expect_b64_err("Zm9v\nZm9v", "b64.bad_char", "whitespace (0x0a) at offset 4");
    expect_b64_err("\tZm9v", "b64.bad_char", "offset 0");
    expect_b64_err("Zm9v!", "b64.bad_char", "'!' at offset 4");
    expect_b64_err("Zm\xc3\xa9", "b64.bad_char", "byte 0xc3 at offset 2");
    expect_b64_err("Z", "b64.length", "length 1");
    expect_b64_err("Zm9vY", "b64.length", "length 5");
    /* "Zh" = 011001 100001: the last 4 bits must be zero ("Zg" is canonical). */
    expect_b64_err("Zh", "b64.trailing_bits", "'h' at offset 1");
    /* "Zm9" vs "Zm8": the last 2 bits must be zero. */
    expect_b64_err("Zm9", "b64.trailing_bits", "offset 2");
    /* The first bad character wins even when the length is also wrong. */
    expect_b64_err("a+b", "b64.bad_char", "offset 1");
}

static void test_b64_decode_binary_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[256];
    for (int i = 0; i < 256; i++) buf[i] = (uint8_t)(255 - i);
    for (size_t len = 0; len <= sizeof buf; len += 37) {
        char *s = b64url_encode(buf, len);
        assert_null(strpbrk(s, "+/="));
        uint8_t *d;
        size_t n;
        tl_err e = {0};
        assert_true(b64url_decode(s, strlen(s), &d, &n, &e));
        assert_int_equal(n, len);
        if (len) assert_memory_equal(d, buf, len);
        free(d);
        free(s);
    }
}

static void test_json_strict(void **state)
{
    (void)state;
    tl_err e = {0};
    json_t *j = jsonx_parse("{\"a\":1,\"a\":2}", 13, true, &e);
    assert_null(j);
    assert_string_equal(e.code, "json.duplicate_key");
    assert_non_null(strstr(e.msg, "duplicate"));

    j = jsonx_parse("{\"a\":1,}", 8, true, &e);
    assert_null(j);
    assert_string_equal(e.code, "json.syntax");
    assert_non_null(strstr(e.msg, "line 1"));

    j = jsonx_parse("[1,2]", 5, true, &e);
    assert_null(j);
    assert_string_equal(e.code, "json.not_object");
    assert_non_null(strstr(e.msg, "an array"));

    j = jsonx_parse("[1,2]", 5, false, &e);
    assert_non_null(j);
    json_decref(j);

    j = jsonx_parse("{\"s\":\"\xff\"}", 8, true, &e);
    assert_null(j);
    assert_string_equal(e.code, "json.syntax");

    /* Nested duplicate keys are caught too. */
    j = jsonx_parse("{\"o\":{\"k\":1,\"k\":1}}", 19, true, &e);
    assert_null(j);
    assert_string_equal(e.code, "json.duplicate_key");
}

static void test_json_depth(void **state)
{
    (void)state;
    char buf[300];
    tl_err e = {0};
    /* 64 levels are fine, 65 are not; brackets inside strings do not count. */
    size_t n = 0;
    for (int i = 0; i < 64; i++) buf[n++] = '[';
    for (int i = 0; i < 64; i++) buf[n++] = ']';
    json_t *j = jsonx_parse(buf, n, false, &e);
    assert_non_null(j);
    json_decref(j);
    n = 0;
    for (int i = 0; i < 65; i++) buf[n++] = '[';
    for (int i = 0; i < 65; i++) buf[n++] = ']';
    assert_null(jsonx_parse(buf, n, false, &e));
    assert_string_equal(e.code, "json.too_deep");
    const char *s =
        "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"}";
    j = jsonx_parse(s, strlen(s), true, &e);
    assert_non_null(j);
    json_decref(j);
    /* A huge nesting attack must be refused cheaply, not crash. */
    size_t big = 1 << 20;
    char *deep = malloc(big);
    memset(deep, '[', big);
    assert_null(jsonx_parse(deep, big, false, &e));
    assert_string_equal(e.code, "json.too_deep");
    free(deep);
}

static void test_json_output_and_args(void **state)
{
    (void)state;
    tl_err e = {0};
    json_t *j = jsonx_parse("{\"z\":1, \"a\": [true, null], \"m\":\"x/y\"}", 37, true, &e);
    assert_non_null(j);
    char *c = jsonx_compact(j);
    assert_string_equal(c, "{\"z\":1,\"a\":[true,null],\"m\":\"x/y\"}"); /* insertion order */
    free(c);
    char *p = jsonx_pretty(j);
    assert_string_equal(
        p, "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null\n  ],\n  \"m\": \"x/y\"\n}");
    free(p);
    json_decref(j);

    json_t *a = jsonx_from_arg("true");
    assert_true(json_is_true(a));
    json_decref(a);
    a = jsonx_from_arg("3");
    assert_int_equal(json_integer_value(a), 3);
    json_decref(a);
    a = jsonx_from_arg("[\"a\",\"b\"]");
    assert_int_equal(json_array_size(a), 2);
    json_decref(a);
    a = jsonx_from_arg("\"quoted\"");
    assert_string_equal(json_string_value(a), "quoted");
    json_decref(a);
    a = jsonx_from_arg("alice");
    assert_string_equal(json_string_value(a), "alice");
    json_decref(a);
    a = jsonx_from_arg("{broken");
    assert_string_equal(json_string_value(a), "{broken");
    json_decref(a);
    a = jsonx_from_arg("");
    assert_string_equal(json_string_value(a), "");
    json_decref(a);
}

static void test_explain_table(void **state)
{
    (void)state;
    const explain_entry *x = explain_lookup(EXPLAIN_CLAIM, "exp");
    assert_non_null(x);
    assert_true(x->is_time);
    assert_string_equal(x->source, "RFC 7519 §4.1.4");
    assert_false(explain_lookup(EXPLAIN_CLAIM, "sub")->is_time);
    assert_true(explain_lookup(EXPLAIN_CLAIM, "auth_time")->is_time);
    assert_null(explain_lookup(EXPLAIN_CLAIM, "alg"));
    assert_non_null(explain_lookup(EXPLAIN_HEADER, "x5t#S256"));
    assert_null(explain_lookup(EXPLAIN_HEADER, "nope"));
    static const char *const headers[] = {"alg", "typ", "cty", "kid",      "jku",  "jwk",
                                          "x5u", "x5c", "x5t", "x5t#S256", "crit", "b64"};
    static const char *const claims[] = {"iss",
                                         "sub",
                                         "aud",
                                         "exp",
                                         "nbf",
                                         "iat",
                                         "jti",
                                         "scope",
                                         "client_id",
                                         "azp",
                                         "nonce",
                                         "auth_time",
                                         "acr",
                                         "amr",
                                         "at_hash",
                                         "c_hash",
                                         "sid",
                                         "name",
                                         "given_name",
                                         "family_name",
                                         "email",
                                         "email_verified",
                                         "preferred_username",
                                         "roles",
                                         "groups",
                                         "cnf",
                                         "act",
                                         "may_act",
                                         "htm",
                                         "htu",
                                         "ath"};
    for (size_t i = 0; i < sizeof headers / sizeof *headers; i++)
        assert_non_null(explain_lookup(EXPLAIN_HEADER, headers[i]));
    for (size_t i = 0; i < sizeof claims / sizeof *claims; i++)
        assert_non_null(explain_lookup(EXPLAIN_CLAIM, claims[i]));
    size_t n = 0;
    for (const explain_entry *y = explain_all(); y->name; y++, n++) {
        assert_non_null(y->title);
        assert_non_null(y->summary);
        assert_non_null(y->source);
        assert_null(strchr(y->summary, '\n'));
    }
    static const char *const jwe[] = {"enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c"};
    for (size_t i = 0; i < sizeof jwe / sizeof *jwe; i++)
        assert_non_null(explain_lookup(EXPLAIN_HEADER, jwe[i]));
    assert_int_equal(n, sizeof headers / sizeof *headers + sizeof claims / sizeof *claims +
                            sizeof jwe / sizeof *jwe);
}

/* Integers beyond 64 bits: valid JSON that jansson refuses; read as reals, and flagged. */
static void test_json_big_integers(void **state)
{
    (void)state;
    tl_err e = {0};
    const char *edge = "{\"max\":9223372036854775807,\"min\":-9223372036854775808}";
    json_t *j = jsonx_parse(edge, strlen(edge), true, &e);
    assert_non_null(j);
    assert_true(json_is_integer(json_object_get(j, "max")));
    assert_true(json_integer_value(json_object_get(j, "max")) == INT64_MAX);
    assert_true(json_integer_value(json_object_get(j, "min")) == INT64_MIN);
    assert_false(jsonx_has_big_int(edge, strlen(edge)));
    json_decref(j);
    const char *big = "{\"s\":\"99999999999999999999\",\"a\":[9223372036854775808,"
                      "-9223372036854775809],\"r\":1e300,\"n\":3}";
    assert_true(jsonx_has_big_int(big, strlen(big)));
    j = jsonx_parse(big, strlen(big), true, &e);
    if (!j) fail_msg("%s", e.msg);
    json_t *a = json_object_get(j, "a");
    assert_true(json_is_real(json_array_get(a, 0)));
    assert_true(json_real_value(json_array_get(a, 0)) == 9223372036854775808.0);
    assert_true(json_real_value(json_array_get(a, 1)) == -9223372036854775809.0);
    assert_string_equal(json_string_value(json_object_get(j, "s")), "99999999999999999999");
    assert_true(json_is_integer(json_object_get(j, "n"))); /* the others stay exact */
    json_decref(j);
    /* A real beyond double's range has no value to round to: still an error. */
    assert_null(jsonx_parse("[1e400]", 7, false, &e));
    assert_string_equal(e.code, "json.syntax");
    /* Inside a string it is text, not a number. */
    const char *str = "{\"s\":\"12345678901234567890\\\"1\"}";
    assert_false(jsonx_has_big_int(str, strlen(str)));
}

/* b64url_sha256: RFC 7636 Appendix B's verifier and S256 challenge (the same function makes DPoP's
 * ath, RFC 9449 §4.2). */
static void test_b64url_sha256(void **state)
{
    (void)state;
    const char *v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    char *c = b64url_sha256(v, strlen(v));
    assert_non_null(c);
    assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    free(c);
    c = b64url_sha256("", 0);
    assert_string_equal(c, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64url_sha256),
        cmocka_unit_test(test_json_big_integers),
        cmocka_unit_test(test_b64_encode_known),
        cmocka_unit_test(test_b64_decode_url_alphabet),
        cmocka_unit_test(test_b64_decode_errors),
        cmocka_unit_test(test_b64_decode_binary_roundtrip),
        cmocka_unit_test(test_json_strict),
        cmocka_unit_test(test_json_depth),
        cmocka_unit_test(test_json_output_and_args),
        cmocka_unit_test(test_explain_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
