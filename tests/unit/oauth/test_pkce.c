/* SPDX-License-Identifier: MIT */
/* PKCE (RFC 7636): the Appendix B known answer, verifier shape and validation errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/pkce.h"

/* RFC 7636 Appendix B. (The task note quoted "...aoeKt8URQ2oyjNhbHmaLM"; the RFC, Python's
 * hashlib and other implementations all give the value below.) */
static void appendix_b_known_answer(void **state)
{
    tl_err e = {0};
    char *c = pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &e);
    assert_non_null(c);
    assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    free(c);
}

static void verifier_is_43_unreserved_and_fresh(void **state)
{
    tl_err e = {0};
    char *a = pkce_verifier_new(&e), *b = pkce_verifier_new(&e);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(strlen(a), 43);
    assert_int_equal(
        strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"), 43);
    assert_true(pkce_verifier_check(a, &e));
    assert_string_not_equal(a, b);
    char *c = pkce_challenge_s256(a, &e);
    assert_non_null(c);
    assert_int_equal(strlen(c), 43);
    free(a);
    free(b);
    free(c);
}

static void rejects_bad_verifiers(void **state)
{
    tl_err e = {0};
    assert_null(pkce_challenge_s256("short", &e));
    assert_true(err_is(&e, "pkce.length"));
    assert_non_null(strstr(e.msg, "5 characters"));

    char big[130];
    memset(big, 'a', 129);
    big[129] = '\0';
    err_clear(&e);
    assert_false(pkce_verifier_check(big, &e));
    assert_true(err_is(&e, "pkce.length"));
    big[128] = '\0'; /* exactly 128 is fine */
    assert_true(pkce_verifier_check(big, NULL));
    big[43] = '\0'; /* and exactly 43 */
    assert_true(pkce_verifier_check(big, NULL));
    big[42] = '\0';
    assert_false(pkce_verifier_check(big, NULL));

    err_clear(&e);
    assert_false(pkce_verifier_check("dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &e));
    assert_true(err_is(&e, "pkce.bad_char"));
    assert_non_null(strstr(e.msg, "'+' at offset 12"));
    err_clear(&e);
    assert_false(pkce_verifier_check("dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &e));
    assert_non_null(strstr(e.msg, "0x20 at offset 12"));
    assert_false(pkce_verifier_check(NULL, &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appendix_b_known_answer),
        cmocka_unit_test(verifier_is_43_unreserved_and_fresh),
        cmocka_unit_test(rejects_bad_verifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
