/* SPDX-License-Identifier: MIT */
/* Unit tests for http_work_start (src/oauth/http.c): work runs one slice per http_poll turn, keeps
 * http_busy/http_wait turning until it reports done, and http_cancel / http_client_free end it with
 * exactly one cancelled call. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>

#include "oauth/http.h"

typedef struct counter {
    int slices, cancels, until;
} counter;

static bool slice(void *ud, bool cancelled)
{
    counter *k = ud;
    if (cancelled) {
        k->cancels++;
        return true;
    }
    k->slices++;
    return k->slices >= k->until;
}

static void test_slices_per_poll(void **state)
{
    (void)state;
    http_client *c = http_client_new();
    assert_non_null(c);
    assert_false(http_busy(c));
    counter k = {.until = 3};
    uint64_t id = 0;
    assert_true(http_work_start(c, slice, &k, &id, NULL));
    assert_true(id > 0);
    assert_true(http_busy(c));
    assert_int_equal(k.slices, 0); /* nothing runs inside the start call */
    http_poll(c, NULL, 0, 5000);   /* does not sleep 5 s: work is waiting */
    assert_int_equal(k.slices, 1);
    assert_true(http_busy(c));
    assert_true(http_wait(c, 2000)); /* turns until the work reports done */
    assert_int_equal(k.slices, 3);
    assert_int_equal(k.cancels, 0);
    assert_false(http_busy(c));
    assert_false(http_cancel(c, id)); /* finished: nothing left to cancel */
    http_client_free(c);
    assert_int_equal(k.cancels, 0);
}

static void test_cancel(void **state)
{
    (void)state;
    http_client *c = http_client_new();
    counter a = {.until = 1000}, b = {.until = 1000};
    uint64_t ia = 0, ib = 0;
    assert_true(http_work_start(c, slice, &a, &ia, NULL));
    assert_true(http_work_start(c, slice, &b, &ib, NULL));
    assert_int_not_equal(ia, ib);
    http_poll(c, NULL, 0, 0);
    assert_int_equal(a.slices, 1);
    assert_int_equal(b.slices, 1);
    assert_true(http_cancel(c, ia));
    assert_int_equal(a.cancels, 1);
    http_poll(c, NULL, 0, 0);
    assert_int_equal(a.slices, 1); /* cancelled: no more slices */
    assert_int_equal(b.slices, 2);
    http_client_free(c); /* b is still running: ended with one cancelled call */
    assert_int_equal(b.cancels, 1);
    assert_int_equal(a.cancels, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_per_poll),
        cmocka_unit_test(test_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
