/* SPDX-License-Identifier: ISC */
/*
 * Observation and event times as the programs print them: UTC,
 * "2026-11-23T10:15:00Z", from seconds since the epoch. What people type is
 * read by tes_rfc3339_parse (wire/rfc3339.h).
 */
#define _GNU_SOURCE
#include <time.h>

#include "common/time.h"

/* see time.h */
void
tes_time_format(uint64_t t, char out[static 32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* see time.h */
uint64_t
tes_time_mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
