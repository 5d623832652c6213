/* SPDX-License-Identifier: MIT */
/* Lab switch names and descriptions (see lab.h). */
#include "server/lab.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = {
#define LAB_NAME(id, name, desc) name,
    LAB_LIST(LAB_NAME)
#undef LAB_NAME
        NULL};

static const char *const descs[] = {
#define LAB_DESC(id, name, desc) desc,
    LAB_LIST(LAB_DESC)
#undef LAB_DESC
        NULL};

unsigned lab_bit(const char *name)
{
    for (size_t i = 0; name && names[i]; i++)
        if (strcmp(names[i], name) == 0) return 1u << i;
    return 0;
}

const char *const *lab_names(void)
{
    return names;
}

const char *lab_describe(const char *name)
{
    for (size_t i = 0; name && names[i]; i++)
        if (strcmp(names[i], name) == 0) return descs[i];
    return NULL;
}

char *lab_format(unsigned bits, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i]; i++) {
        if (!(bits & (1u << i))) continue;
        size_t l = strlen(names[i]);
        if (o + l + 2 > n) break;
        if (o) buf[o++] = ',';
        memcpy(buf + o, names[i], l + 1);
        o += l;
    }
    return buf;
}

char *lab_known(char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i]; i++) {
        int w = snprintf(buf + o, n - o, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= n - o) break;
        o += (size_t)w;
    }
    return buf;
}
