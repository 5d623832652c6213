/* SPDX-License-Identifier: MIT */
/* http_mask_secrets and the exchange text: secrets hidden in forms, JSON and Basic headers;
 * everything else, byte for byte, unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/http.h"

static void check(const char *in, const char *want)
{
    char *m = http_mask_secrets(in);
    assert_non_null(m);
    assert_string_equal(m, want);
    free(m);
}

static void masks_form_values(void **state)
{
    check("grant_type=authorization_code&code=abc&code_verifier=dBjft&client_id=c",
          "grant_type=authorization_code&code=abc&code_verifier=*****&client_id=c");
    check("password=hunter2", "password=*****");
    check("client_id=x&client_secret=s%26t&refresh_token=rt",
          "client_id=x&client_secret=*****&refresh_token=*****");
    /* a longer key that merely contains a secret's name is not a secret */
    check("my_password=visible&passwords=visible", "my_password=visible&passwords=visible");
    check("password=", "password=*****");
}

static void masks_json_values(void **state)
{
    check("{\"email\":\"alice@example.com\",\"password\":\"wonder\\\"land\"}",
          "{\"email\":\"alice@example.com\",\"password\":\"*****\"}");
    check("{\"access_token\":\"at\", \"refresh_token\" : \"rt\",\"n\":1}",
          "{\"access_token\":\"at\", \"refresh_token\" : \"*****\",\"n\":1}");
    check("{\"password\":5}", "{\"password\":5}");
    check("{\"password\":\"unterminated", "{\"password\":\"*****");
}

static void masks_basic_credentials(void **state)
{
    check("POST /token HTTP/1.1\r\nHost: h\r\nAuthorization: Basic ZGVtbzpzZWNyZXQ=\r\n"
          "Content-Length: 3\r\n\r\n",
          "POST /token HTTP/1.1\r\nHost: h\r\nAuthorization: Basic *****\r\n"
          "Content-Length: 3\r\n\r\n");
    /* Bearer tokens stay: the trace shows them and the decoder loads them */
    check("Authorization: Bearer eyJ.x.y\r\n", "Authorization: Bearer eyJ.x.y\r\n");
    check("", "");
    assert_null(http_mask_secrets(NULL));
}

/* The lab key and the instructor key are the server's secrets; the trace is on the projector. */
static void masks_server_key_headers(void **state)
{
    check("POST /lab/switch HTTP/1.1\r\nX-Tokenlab-Lab-Key: 1749d68f209ef5\r\nAccept: */*\r\n",
          "POST /lab/switch HTTP/1.1\r\nX-Tokenlab-Lab-Key: *****\r\nAccept: */*\r\n");
    check("x-tokenlab-class-key:abc\r\n", "x-tokenlab-class-key:*****\r\n");
    /* the header that names the switches that are on is no secret */
    check("X-Tokenlab-Lab: alg-none\r\n", "X-Tokenlab-Lab: alg-none\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masks_form_values),
        cmocka_unit_test(masks_json_values),
        cmocka_unit_test(masks_basic_credentials),
        cmocka_unit_test(masks_server_key_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
