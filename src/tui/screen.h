/* SPDX-License-Identifier: MIT */
/* screen — dumps what the terminal shows (ncurses' curscr) to a file: one text line per row
 * (trailing spaces trimmed), then "-- attributes (row:cols) --" and one line per run of equal
 * attributes, e.g. `0:0-9 bold,black/cyan` (colours by name; mono themes show only attributes). */
#ifndef TL_TUI_SCREEN_H
#define TL_TUI_SCREEN_H

#include <stdbool.h>

#include "base/err.h"

/* `port` (may be NULL): digits written as '#' wherever they follow a ':' (the embedded server's
 * random port), so dumps are reproducible. Error "tui.dump" when the file cannot be written. */
bool screen_dump(const char *path, const char *port, tl_err *e);

#endif
