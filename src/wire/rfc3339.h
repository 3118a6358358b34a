/* SPDX-License-Identifier: ISC */
/*
 * RFC 3339 date-times as people write them ("2026-11-23T13:15:00+03:00"),
 * read into UTC seconds since the epoch (spec/INPUT.md#time). Pure
 * arithmetic over the caller's characters (days from the civil calendar):
 * no libc time function, no locale, no time zone database, no allocation.
 * Every refusal comes with a fixed sentence that tells the user what is
 * wrong.
 */
#ifndef TES_WIRE_RFC3339_H
#define TES_WIRE_RFC3339_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum tes_rfc3339_limits {
	TES_RFC3339_YEAR_MIN = 1970,
	TES_RFC3339_YEAR_MAX = 9999,
	TES_RFC3339_LEN_MIN = 20 /* "YYYY-MM-DDTHH:MM:SSZ" */
};

/*
 * Every time it returns is below 2^38 seconds (the year 10680): the latest it
 * can return is 9999-12-31T23:59:59-23:59, 253402387139. A bound, so that a
 * caller may add a few of them in 64 bits.
 */
#define TES_RFC3339_LIMIT 274877906944ULL

/*@ requires \valid_read(s + (0 .. n-1));
    requires \valid(t) && \valid(why);
    requires \separated(t, why, s + (0 .. n-1));
    terminates \true;
    assigns *t;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_TIME;
    ensures \result == 0 ==> TES_RFC3339_LEN_MIN <= n && *t < TES_RFC3339_LIMIT && *why == \null;
    ensures \result != 0 ==> *t == \old(*t) && *why != \null;
 */
/*
 * s[0 .. n-1] (no NUL needed) is "YYYY-MM-DD" 'T' or 't' "HH:MM:SS", an
 * optional fraction "." and digits (dropped: the result is whole seconds,
 * truncated), then 'Z', 'z' or an offset "+HH:MM" / "-HH:MM" (-00:00 is
 * UTC), and nothing else. The date must exist in the Gregorian calendar,
 * years 1970..9999, hours 00..23, minutes and seconds 00..59 (a leap second
 * is refused), offsets up to 23:59, and the UTC result not before 1970.
 * Returns 0 with *t the UTC seconds and *why NULL, or TES_ERR_TIME with
 * *why a static sentence saying what is wrong (and *t untouched).
 */
int
tes_rfc3339_parse(const char *s, size_t n, uint64_t *t, const char **why);

#endif
