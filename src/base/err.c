/* SPDX-License-Identifier: MIT */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool err_set(tl_err *e, const char *code, const char *fmt, ...)
{
    if (!e) return false;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return false;
}

bool err_prefix(tl_err *e, const char *fmt, ...)
{
    if (!e) return false;
    char pre[TL_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    size_t plen = strlen(pre), olen = strlen(e->msg);
    if (plen >= sizeof e->msg) plen = sizeof e->msg - 1;
    if (plen + olen >= sizeof e->msg) olen = sizeof e->msg - 1 - plen;
    memmove(e->msg + plen, e->msg, olen);
    memcpy(e->msg, pre, plen);
    e->msg[plen + olen] = '\0';
    return false;
}

void err_clear(tl_err *e)
{
    if (!e) return;
    e->code = NULL;
    e->msg[0] = '\0';
}

bool err_is(const tl_err *e, const char *code)
{
    return e && e->code && code && strcmp(e->code, code) == 0;
}
