/* SPDX-License-Identifier: ISC */
/* Times as the programs print and read them: UTC, "2026-11-23T10:15:00Z". */
#ifndef TES_COMMON_TIME_H
#define TES_COMMON_TIME_H

#include <stdint.h>

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (UTC), NUL-terminated. */
void
tes_time_format(uint64_t t, char out[static 32]);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) to seconds since the epoch; TES_ERR_TIME if it is not one. */
int
tes_time_parse(const char *s, uint64_t *t);

#endif
