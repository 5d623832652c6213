/* SPDX-License-Identifier: MIT */
#include "base/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int64_t iabs64(int64_t v)
{
    return v < 0 ? -v : v;
}

char *timefmt_duration(int64_t s, char *buf, size_t n)
{
    s = iabs64(s);
    int64_t d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60;
    if (d > 0)
        snprintf(buf, n, h ? "%lldd %lldh" : "%lldd", (long long)d, (long long)h);
    else if (h > 0)
        snprintf(buf, n, m ? "%lldh %lldm" : "%lldh", (long long)h, (long long)m);
    else if (m > 0)
        snprintf(buf, n, sec ? "%lldm %llds" : "%lldm", (long long)m, (long long)sec);
    else
        snprintf(buf, n, "%llds", (long long)sec);
    return buf;
}

char *timefmt_duration_words(int64_t s, char *buf, size_t n)
{
    s = iabs64(s);
    static const struct {
        int64_t len;
        const char *one;
    } units[] = {
        {365 * 86400, "year"}, {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (s >= units[i].len || units[i].len == 1) {
            long long v = (long long)(s / units[i].len);
            snprintf(buf, n, "%lld %s%s", v, units[i].one, v == 1 ? "" : "s");
            return buf;
        }
    }
    return buf;
}

char *timefmt_relative(int64_t t, int64_t now, char *buf, size_t n)
{
    char d[64];
    if (t == now)
        snprintf(buf, n, "now");
    else if (t > now)
        snprintf(buf, n, "in %s", timefmt_duration(t - now, d, sizeof d));
    else
        snprintf(buf, n, "%s ago", timefmt_duration(now - t, d, sizeof d));
    return buf;
}

/* `t` in UTC by strftime `fmt` (one of the literals below); the plain number when it cannot be
 * shown. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static char *utc_fmt(int64_t t, const char *fmt, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(buf, n, fmt, &tm) == 0)
        snprintf(buf, n, "%lld", (long long)t);
    return buf;
}
#pragma GCC diagnostic pop

char *timefmt_utc(int64_t t, char *buf, size_t n)
{
    return utc_fmt(t, "%Y-%m-%d %H:%M:%S UTC", buf, n);
}

char *timefmt_iso8601(int64_t t, char *buf, size_t n)
{
    return utc_fmt(t, "%Y-%m-%dT%H:%M:%SZ", buf, n);
}

char *timefmt_utc_time(int64_t t, char *buf, size_t n)
{
    return utc_fmt(t, "%H:%M:%S UTC", buf, n);
}

char *timefmt_local(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
        snprintf(buf, n, "%lld", (long long)t);
    return buf;
}

int timefmt_parse_duration(const char *s, int64_t *out)
{
    if (!s || !*s) return 0;
    int64_t total = 0;
    const char *p = s;
    while (*p) {
        if (!isdigit((unsigned char)*p)) return 0;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (v < 0 || v > 100LL * 365 * 86400) return 0;
        int64_t mult = 1;
        switch (*end) {
        case '\0':
            mult = 1;
            break;
        case 's':
            mult = 1;
            end++;
            break;
        case 'm':
            mult = 60;
            end++;
            break;
        case 'h':
            mult = 3600;
            end++;
            break;
        case 'd':
            mult = 86400;
            end++;
            break;
        case 'w':
            mult = 7 * 86400;
            end++;
            break;
        default:
            return 0;
        }
        total += (int64_t)v * mult;
        p = end;
    }
    *out = total;
    return 1;
}
