/* SPDX-License-Identifier: MIT */
/* One jwk shared by several threads signing and verifying at once, as the mock server's
 * libmicrohttpd threads do: every signature must still verify and nothing may crash. (Run under
 * -fsanitize=thread to check for races; the plain run checks results.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jose/jwk.h"
#include "jose/jws.h"

#define NTHREADS 4

typedef struct job {
    const jwk *key;
    jws_alg alg;
    int rounds;
    int bad;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    char msg[64];
    for (int i = 0; i < j->rounds; i++) {
        int n = snprintf(msg, sizeof msg, "{\"i\":%d,\"t\":%p}", i, (void *)j);
        char *tok = NULL;
        jws *t = NULL;
        tl_err e = {0};
        if (!jws_sign(NULL, (const uint8_t *)msg, (size_t)n, j->alg, j->key, false, &tok, &e) ||
            !jws_parse(tok, strlen(tok), &t, &e) || !jws_verify(t, j->key, NULL, 0, &e))
            j->bad++;
        /* A flipped payload bit must still fail under concurrency. */
        if (t && t->sig_len) {
            char *in = jws_signing_input(t);
            in[strlen(in) - 1] ^= 1;
            if (jws_verify_raw(j->alg, j->key, (const uint8_t *)in, strlen(in), t->sig, t->sig_len,
                               NULL))
                j->bad++;
            free(in);
        }
        jws_free(t);
        free(tok);
    }
    return NULL;
}

static void run_shared(jws_alg alg, int rounds)
{
    jwk *k = NULL;
    tl_err e = {0};
    assert_true(jwk_generate(alg, 0, &k, &e));
    pthread_t th[NTHREADS];
    job jobs[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (job){.key = jwk_ref(k), .alg = alg, .rounds = rounds};
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        if (jobs[i].bad)
            fail_msg("%s: thread %d had %d bad results", jws_alg_name(alg), i, jobs[i].bad);
        jwk_free((jwk *)jobs[i].key);
    }
    jwk_free(k);
}

static void test_hmac_shared(void **state)
{
    (void)state;
    run_shared(JWS_HS256, 2000);
    run_shared(JWS_HS512, 1000);
}

static void test_asymmetric_shared(void **state)
{
    (void)state;
    run_shared(JWS_ES256, 100);
    run_shared(JWS_RS256, 10);
    run_shared(JWS_PS256, 10);
    run_shared(JWS_EDDSA, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_shared),
        cmocka_unit_test(test_asymmetric_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
