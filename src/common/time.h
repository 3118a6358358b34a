/* SPDX-License-Identifier: ISC */
/*
 * Times as the programs print them: UTC, "2026-11-23T10:15:00Z" (read by
 * wire/rfc3339.h); and the monotonic clock the timers use.
 */
#ifndef TES_COMMON_TIME_H
#define TES_COMMON_TIME_H

#include <stdint.h>

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (UTC), NUL-terminated. */
void
tes_time_format(uint64_t t, char out[static 32]);

/* Milliseconds of CLOCK_MONOTONIC (0 if it cannot be read): for timers, never for dates. */
uint64_t
tes_time_mono_ms(void);

#endif
