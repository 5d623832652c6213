/* SPDX-License-Identifier: MIT */
/* base/xalloc: the one out-of-memory policy — results are usable, failure aborts with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xalloc.h"

static void test_copies(void **state)
{
    char *s = xstrdup("kid-1");
    assert_string_equal(s, "kid-1");
    char *n = xstrndup("abcdef", 3);
    assert_string_equal(n, "abc");
    char *m = xstrndup("ab", 10);
    assert_string_equal(m, "ab");
    int *z = xcalloc(4, sizeof *z);
    for (int i = 0; i < 4; i++) assert_int_equal(z[i], 0);
    z = xrealloc(z, 8 * sizeof *z);
    z[7] = 7;
    assert_int_equal(z[7], 7);
    void *zero = xmalloc(0); /* a real block, never NULL */
    assert_non_null(zero);
    free(zero);
    free(z);
    free(m);
    free(n);
    free(s);
}

/* A size no allocator can give (count × size overflows): the child must abort with the message,
 * never return NULL to a caller that does not check. */
static void test_overflow_aborts_with_message(void **state)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        void *p = xcalloc(SIZE_MAX / 2 + 1, 4);
        _exit(p ? 3 : 4); /* not reached */
    }
    close(fd[1]);
    char buf[256] = "";
    ssize_t got = 0, r;
    while ((r = read(fd[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) got += r;
    buf[got > 0 ? got : 0] = '\0';
    close(fd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, "tokenlab: out of memory ("));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copies),
        cmocka_unit_test(test_overflow_aborts_with_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
