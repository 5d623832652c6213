/* SPDX-License-Identifier: MIT */
#include "base/assets.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"

struct tl_embedded {
    const char *name;
    const unsigned char *data;
    size_t len;
};
extern const struct tl_embedded tl_embedded_assets[];

static char g_argv0[PATH_MAX];
static char g_data_dir[PATH_MAX];
static bool g_searched;

void assets_init(const char *argv0)
{
    if (argv0) snprintf(g_argv0, sizeof g_argv0, "%s", argv0);
    g_searched = false;
}

static bool has_course(const char *dir)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof p, "%s/assets", dir);
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    snprintf(p, sizeof p, "%s/lessons", dir);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool assets_exe_dir(char *out, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0 && g_argv0[0] && realpath(g_argv0, exe)) len = (ssize_t)strlen(exe);
    if (len <= 0) return false;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return false;
    *slash = '\0';
    return snprintf(out, n, "%s", exe) < (int)n;
}

const char *assets_data_dir(void)
{
    if (g_searched) return g_data_dir[0] ? g_data_dir : NULL;
    g_searched = true;
    g_data_dir[0] = '\0';
    const char *env = getenv("TOKENLAB_DATA");
    if (env && *env && has_course(env)) {
        snprintf(g_data_dir, sizeof g_data_dir, "%s", env);
        return g_data_dir;
    }
    char exe[PATH_MAX];
    if (assets_exe_dir(exe, sizeof exe)) {
        char cand[PATH_MAX + 32];
        /* bin/tokenlab → ../share; libexec/tokenlab/tokenlab-full → ../../share */
        snprintf(cand, sizeof cand, "%s/../share/tokenlab", exe);
        if (has_course(cand) && realpath(cand, g_data_dir)) return g_data_dir;
        snprintf(cand, sizeof cand, "%s/../../share/tokenlab", exe);
        if (has_course(cand) && realpath(cand, g_data_dir)) return g_data_dir;
    }
    if (has_course(TOKENLAB_DATADIR)) {
        snprintf(g_data_dir, sizeof g_data_dir, "%s", TOKENLAB_DATADIR);
        return g_data_dir;
    }
    if (has_course(TOKENLAB_SOURCE_DIR)) {
        snprintf(g_data_dir, sizeof g_data_dir, "%s", TOKENLAB_SOURCE_DIR);
        return g_data_dir;
    }
    return NULL;
}

const char *assets_builtin(const char *name, size_t *len)
{
    for (const struct tl_embedded *a = tl_embedded_assets; a->name; a++) {
        if (strcmp(a->name, name) == 0) {
            if (len) *len = a->len;
            return (const char *)a->data;
        }
    }
    return NULL;
}

bool assets_read(const char *name, char **out, size_t *len, tl_err *e)
{
    const char *dir = assets_data_dir();
    if (dir) {
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/assets/%s", dir, name);
        if (access(p, R_OK) == 0) return fileio_read(p, 16u << 20, out, len, e);
    }
    size_t n;
    const char *b = assets_builtin(name, &n);
    if (!b)
        return err_set(e, "assets.missing", "asset '%s' not found (no data dir, not compiled in)",
                       name);
    *out = malloc(n + 1);
    if (!*out) return err_set(e, "oom", "out of memory");
    memcpy(*out, b, n);
    (*out)[n] = '\0';
    if (len) *len = n;
    return true;
}
