/* SPDX-License-Identifier: MIT */
/* timefmt — times as a learner reads them: "14:02:11 UTC", "in 4m 12s", "3m ago",
 * "3 minutes". All functions write into a caller buffer and return it. */
#ifndef TL_BASE_TIMEFMT_H
#define TL_BASE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Compact duration: "4m 12s", "2h 5m", "3d 4h", "45s". Sign ignored. */
char *timefmt_duration(int64_t seconds, char *buf, size_t n);
/* Long duration: "3 minutes", "1 hour", "2 days" (largest unit, rounded down). */
char *timefmt_duration_words(int64_t seconds, char *buf, size_t n);
/* Relative to now: "in 4m 12s" / "3m 5s ago" / "now". */
char *timefmt_relative(int64_t t, int64_t now, char *buf, size_t n);
/* "2026-11-28 14:02:11 UTC" */
char *timefmt_utc(int64_t t, char *buf, size_t n);
/* ISO 8601 / RFC 3339 in UTC: "2026-11-28T14:02:11Z" (exports: what spreadsheets read) */
char *timefmt_iso8601(int64_t t, char *buf, size_t n);
/* "14:02:11 UTC" */
char *timefmt_utc_time(int64_t t, char *buf, size_t n);
/* Local time: "2026-11-28 15:02:11 CET" */
char *timefmt_local(int64_t t, char *buf, size_t n);
/* Parses "15m", "2h", "30s", "1d", "90" (seconds), "1h30m". Returns false on bad input. */
int timefmt_parse_duration(const char *s, int64_t *out);

#endif
