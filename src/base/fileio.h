/* SPDX-License-Identifier: MIT */
/* fileio — reading whole files (with a size cap) and writing them so that a crash at any instant
 * leaves either the old or the new version: temp file in the same directory, fsync, rename, fsync
 * of the directory. `-` as a path means stdin for fileio_read. */
#ifndef TL_BASE_FILEIO_H
#define TL_BASE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Reads at most `max` bytes; more is an error ("file.too_big"). NUL-terminated, caller frees. */
bool fileio_read(const char *path, size_t max, char **out, size_t *len, tl_err *e);
/* The same for a file that must be a regular one (lessons, found by listing a folder): a FIFO or
 * device is refused at once ("file.not_regular") instead of blocking the reader. */
bool fileio_read_regular(const char *path, size_t max, char **out, size_t *len, tl_err *e);
bool fileio_write_atomic(const char *path, const void *data, size_t len, tl_err *e);
/* mkdir -p with mode 0700 for each missing component. */
bool fileio_mkdirs(const char *dir, tl_err *e);

#endif
