/* SPDX-License-Identifier: MIT */
/* assets — find the course and the data files, wherever tokenlab runs from.
 *
 * Order: $TOKENLAB_DATA, then an installed copy beside the executable (<bin>/../share/tokenlab, or
 * <libexec>/tokenlab/../../share/tokenlab for tokenlab-full), then the configured install dir, then
 * the source tree the binary was built from (running from build/), then the copy compiled into the
 * binary (assets only; a lone binary still has its defaults). */
#ifndef TL_BASE_ASSETS_H
#define TL_BASE_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Remember argv[0] (call once from main; optional elsewhere). */
void assets_init(const char *argv0);
/* The directory this executable lives in (from /proc/self/exe, else argv[0]); false if unknown. */
bool assets_exe_dir(char *out, size_t n);
/* The directory holding `lessons/` and `assets/`, or NULL when none is found. Static storage. */
const char *assets_data_dir(void);
/* Reads assets/<name> (e.g. "config.json") from disk, else the compiled-in copy.
 * Returns a NUL-terminated malloc'd buffer (caller frees) and its length. */
bool assets_read(const char *name, char **out, size_t *len, tl_err *e);
/* The compiled-in copy only, or NULL. Static storage, NUL-terminated. */
const char *assets_builtin(const char *name, size_t *len);

#endif
