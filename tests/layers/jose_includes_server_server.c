/* SPDX-License-Identifier: MIT */
/* Must NOT compile: jose/ is below server/ and sees only base/ and jose/ (cmake/tests.cmake,
 * "layers"). If this ever builds, the build stopped enforcing the layers. */
#include "jose/jws.h"
#include "server/server.h"

int layer_probe(void);
int layer_probe(void)
{
    return 0;
}
