/* SPDX-License-Identifier: ISC */
/*
 * Observation and event times as the programs print and read them: UTC,
 * "2026-11-23T10:15:00Z", to and from seconds since the epoch.
 */
#define _GNU_SOURCE
#include <time.h>

#include "common/err.h"
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
int
tes_time_parse(const char *s, uint64_t *t)
{
	struct tm tm = { 0 };
	const char *end;
	time_t v;

	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return TES_ERR_TIME;
	if ((v = timegm(&tm)) < 0)
		return TES_ERR_TIME;
	*t = (uint64_t)v;
	return 0;
}
