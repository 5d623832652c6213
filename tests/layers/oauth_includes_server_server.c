/* SPDX-License-Identifier: MIT */
/* Must NOT compile: oauth/ (the client side) and server/ are siblings above jose/; neither sees
 * the other (cmake/tests.cmake, "layers"). */
#include "oauth/http.h"
#include "server/server.h"

int layer_probe(void);
int layer_probe(void)
{
    return 0;
}
