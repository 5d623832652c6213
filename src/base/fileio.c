/* SPDX-License-Identifier: MIT */
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads all of fd (closed unless stdin) into a new buffer. */
static bool read_fd(int fd, const char *path, size_t max, char **out, size_t *len, tl_err *e)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        if (fd != STDIN_FILENO) close(fd);
        return err_set(e, "oom", "out of memory");
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                if (fd != STDIN_FILENO) close(fd);
                return err_set(e, "oom", "out of memory");
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int saved = errno;
            free(buf);
            if (fd != STDIN_FILENO) close(fd);
            return err_set(e, "file.read", "cannot read %s: %s", path, strerror(saved));
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > max) break;
    }
    if (fd != STDIN_FILENO) close(fd);
    if (n > max) {
        free(buf);
        return err_set(e, "file.too_big", "%s is larger than %zu bytes", path, max);
    }
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return true;
}

bool fileio_read(const char *path, size_t max, char **out, size_t *len, tl_err *e)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return err_set(e, "file.open", "cannot read %s: %s", path, strerror(errno));
    return read_fd(fd, path, max, out, len, e);
}

bool fileio_read_regular(const char *path, size_t max, char **out, size_t *len, tl_err *e)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return err_set(e, "file.open", "cannot read %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, "file.not_regular",
                       "%s is not a regular file (a FIFO, device or socket is not read)", path);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return read_fd(fd, path, max, out, len, e);
}

bool fileio_mkdirs(const char *dir, tl_err *e)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return err_set(e, "file.path", "path too long: %s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return err_set(e, "file.mkdir", "cannot create %s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return err_set(e, "file.mkdir", "cannot create %s: %s", p, strerror(errno));
    return true;
}

bool fileio_write_atomic(const char *path, const void *data, size_t len, tl_err *e)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return err_set(e, "file.path", "path too long: %s", path);
    /* mkstemp: an unpredictable name in the target folder, O_CREAT|O_EXCL, mode 0600, so a
     * symlink or file planted at the temporary name is never followed or truncated. */
    int fd = mkstemp(tmp);
    if (fd < 0) return err_set(e, "file.write", "cannot write %s: %s", tmp, strerror(errno));
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            int saved = errno;
            close(fd);
            unlink(tmp);
            return err_set(e, "file.write", "cannot write %s: %s", tmp, strerror(saved));
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, "file.write", "cannot flush %s: %s", tmp, strerror(saved));
    }
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, "file.write", "cannot replace %s: %s", path, strerror(saved));
    }
    /* Make the rename itself durable. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    } else {
        strcpy(dir, ".");
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}
