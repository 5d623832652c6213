/* SPDX-License-Identifier: MIT */
/* Unit tests for src/jose/alg: the algorithm facts every layer reads (is it HMAC, its hash, the
 * OIDC half-hash, the mint defaults), one row per algorithm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "jose/alg.h"
#include "jose/jws.h"

static void facts_per_alg(void **state)
{
    static const struct {
        const char *name;
        bool hmac;
        const char *hash;
        size_t len;
    } rows[] = {
        {"HS256", true, "SHA256", 32},    {"HS384", true, "SHA384", 48},
        {"HS512", true, "SHA512", 64},    {"RS256", false, "SHA256", 32},
        {"RS384", false, "SHA384", 48},   {"RS512", false, "SHA512", 64},
        {"PS256", false, "SHA256", 32},   {"PS384", false, "SHA384", 48},
        {"PS512", false, "SHA512", 64},   {"ES256", false, "SHA256", 32},
        {"ES384", false, "SHA384", 48},   {"ES512", false, "SHA512", 64},
        {"EdDSA", false, "SHA512", 64}, /* Ed25519 hashes with SHA-512 */
        {"Ed25519", false, "SHA512", 64},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        jws_alg a = jws_alg_from_name(rows[i].name);
        assert_int_not_equal(a, JWS_ALG_UNKNOWN);
        if (alg_is_hmac(a) != rows[i].hmac) fail_msg("%s: is_hmac wrong", rows[i].name);
        assert_string_equal(alg_hash_name(a), rows[i].hash);
        assert_int_equal(alg_hash_len(a), rows[i].len);
    }
    assert_false(alg_is_hmac(JWS_ALG_NONE));
    assert_false(alg_is_hmac(JWS_ALG_UNKNOWN));
    assert_null(alg_hash_name(JWS_ALG_NONE));
    assert_null(alg_hash_name(JWS_ALG_UNKNOWN));
    assert_int_equal(alg_hash_len(JWS_ALG_NONE), 0);
}

static void half_hash_known_answers(void **state)
{
    /* RS256 example from Ping Identity's developer guide */
    char *h = alg_half_hash(JWS_RS256, "dNZX1hEZ9wBCzNL40Upu646bdzQA");
    assert_string_equal(h, "wfgvmE9VxjAudsl9lc6TqA");
    free(h);
    const char *at =
        "YmJiZTAwYmYtMzgyOC00NzhkLTkyOTItNjJjNDM3MGYzOWIy9sFhvH8K_x8UIHj1osisS57f5DduL-"
        "ar_qw5jl3lthwpMjm283aVMQXDmoqqqydDSqJfbhptzw8rUVwkuQbolw";
    h = alg_half_hash(JWS_ES256, at);
    assert_string_equal(h, "x7vk7f6BvQj0jQHYFIk4ag");
    free(h);
    h = alg_half_hash(JWS_PS384, at);
    assert_string_equal(h, "ups_76_7CCye_J1WIyGHKVG7AAs2olYm");
    free(h);
    h = alg_half_hash(JWS_HS512, at);
    assert_string_equal(h, "EGEAhGYyfuwDaVTifvrWSoD5MSy_5hZPy6I7Vm-7pTQ");
    free(h);
    h = alg_half_hash(JWS_EDDSA, at);
    assert_string_equal(h, "EGEAhGYyfuwDaVTifvrWSoD5MSy_5hZPy6I7Vm-7pTQ");
    free(h);
    assert_null(alg_half_hash(JWS_ALG_NONE, at));
    assert_null(alg_half_hash(JWS_ALG_UNKNOWN, at));
    assert_null(alg_half_hash(JWS_RS256, NULL));
}

static void mint_defaults(void **state)
{
    assert_string_equal(ALG_MINT_TYP, "JWT");
    assert_int_equal(ALG_MINT_TTL, 900);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(facts_per_alg),
        cmocka_unit_test(half_hash_known_answers),
        cmocka_unit_test(mint_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
