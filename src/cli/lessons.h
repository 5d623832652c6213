/* SPDX-License-Identifier: MIT */
/* lessons — `tokenlab lessons list|check|reset` (cli_lessons_main in cli.h), and the course loading
 * the CLI's lesson commands share. */
#ifndef TL_CLI_LESSONS_H
#define TL_CLI_LESSONS_H

#include <stddef.h>

#include "lesson/course.h"

/* course_load with each diagnostic ("file:line: message") on stderr; *ndiags (may be NULL) gets
 * their count. NULL after "tokenlab CMD: why" on stderr when no course could be loaded (exit
 * CLI_IO). Caller frees with course_free. */
course *lessons_load(const char *cmd, const course_options *co, size_t *ndiags);

#endif
