/* Unit tests for the action table helpers the TUI's action console uses: action_usage,
 * action_suggest and the "did you mean" message of action_validate. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_validate_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
