/* SPDX-License-Identifier: MIT */
/* Must NOT compile: lesson/ is below tui/ (no curses in the lesson engine; cmake/tests.cmake,
 * "layers"). */
#include "lesson/engine.h"
#include "tui/app.h"

int layer_probe(void);
int layer_probe(void)
{
    return 0;
}
