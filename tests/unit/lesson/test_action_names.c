/* SPDX-License-Identifier: MIT */
/* Unit tests for the action table helpers the TUI's action console uses: action_usage,
 * action_suggest, the "did you mean" message of action_validate, action_arg_values (Tab completion
 * of the lab switches) and action_outcome_of (what the console's summary reads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lesson/action.h"

static void test_usage(void **st)
{
    (void)st;
    assert_string_equal(action_usage("login"), "login EMAIL PASSWORD");
    assert_string_equal(action_usage("consent"), "consent allow|deny");
    assert_null(action_usage("fly"));
    assert_null(action_usage(NULL));
    /* every listed name has a usage line starting with its name */
    const char *const *n = action_names();
    size_t count = 0;
    for (; n[count]; count++) {
        const char *u = action_usage(n[count]);
        assert_non_null(u);
        assert_int_equal(strncmp(u, n[count], strlen(n[count])), 0);
    }
    assert_true(count >= 20);
}

static void test_suggest(void **st)
{
    (void)st;
    assert_string_equal(action_suggest("logn"), "login");
    assert_string_equal(action_suggest("atuhorize"), "authorize");
    assert_string_equal(action_suggest("client-credential"), "client-credentials");
    assert_string_equal(action_suggest("crak"), "crack");
    assert_null(action_suggest("login")); /* exact: nothing to suggest */
    assert_null(action_suggest("fly"));
    assert_null(action_suggest("x"));
    assert_null(action_suggest(""));
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_null(action_suggest(longname));
}

static void test_validate_message(void **st)
{
    (void)st;
    tl_err e = {0};
    char *bad[] = {"logn", "bob@example.com", "builder"};
    assert_false(action_validate(3, bad, &e));
    assert_string_equal(e.code, "action.unknown");
    assert_string_equal(e.msg, "unknown action 'logn' (did you mean login?)");
    tl_err e2 = {0};
    char *far[] = {"fly"};
    assert_false(action_validate(1, far, &e2));
    assert_non_null(strstr(e2.msg, "unknown action 'fly' (known: login, api,"));
    tl_err e3 = {0};
    char *few[] = {"login", "bob@example.com"};
    assert_false(action_validate(2, few, &e3));
    assert_non_null(strstr(e3.msg, "usage: login EMAIL PASSWORD"));
    char *good[] = {"consent", "allow"};
    assert_true(action_validate(2, good, NULL));
}

static void test_arg_values_and_outcome(void **st)
{
    (void)st;
    const char *const *v = action_arg_values("lab", 2);
    assert_non_null(v);
    bool has_alg_none = false;
    for (size_t i = 0; v[i]; i++) has_alg_none |= strcmp(v[i], "alg-none") == 0;
    assert_true(has_alg_none);
    assert_null(action_arg_values("lab", 1)); /* on|off: the usage line says it */
    assert_null(action_arg_values("login", 1));
    assert_null(action_arg_values("fly", 1));

    assert_int_equal(action_outcome_of("api"), ACTION_OUTCOME_RESPONSE);
    assert_int_equal(action_outcome_of("mint"), ACTION_OUTCOME_DECODER);
    assert_int_equal(action_outcome_of("verify"), ACTION_OUTCOME_VERIFY);
    assert_int_equal(action_outcome_of("verify-id"), ACTION_OUTCOME_VERIFY);
    assert_int_equal(action_outcome_of("crack"), ACTION_OUTCOME_CRACK);
    assert_int_equal(action_outcome_of("fly"), ACTION_OUTCOME_RESPONSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_validate_message),
        cmocka_unit_test(test_arg_values_and_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
