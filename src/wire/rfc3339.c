/* SPDX-License-Identifier: ISC */
/*
 * RFC 3339 date-times (rfc3339.h): the syntax first, then every range with a
 * sentence of its own, then days from the civil calendar (the algorithm of
 * H. Hinnant's "chrono-Compatible Low-Level Date Algorithms"), all in 64-bit
 * integers far from their limits.
 */
#include "wire/rfc3339.h"
#include "common/err.h"

/* The fields as written, before any range check. */
struct when {
	int year, month, day, hour, minute, second;
	int sign; /* 1: "+HH:MM" (east of UTC), -1: "-HH:MM", 0: Z */
	int off_h, off_m;
};

/*@ predicate when_syntax(struct when *w) =
        0 <= w->year <= 9999 && 0 <= w->month <= 99 && 0 <= w->day <= 99 &&
        0 <= w->hour <= 99 && 0 <= w->minute <= 99 && 0 <= w->second <= 99 &&
        -1 <= w->sign <= 1 && 0 <= w->off_h <= 99 && 0 <= w->off_m <= 99;
    predicate when_ranges(struct when *w) =
        TES_RFC3339_YEAR_MIN <= w->year <= TES_RFC3339_YEAR_MAX && 1 <= w->month <= 12 &&
        1 <= w->day <= 31 && 0 <= w->hour <= 23 && 0 <= w->minute <= 59 && 0 <= w->second <= 59 &&
        -1 <= w->sign <= 1 && 0 <= w->off_h <= 23 && 0 <= w->off_m <= 59;
 */

/*@ requires \valid_read(s + (0 .. 1));
    terminates \true;
    assigns \nothing;
    ensures \result == -1 || 0 <= \result <= 99;
 */
/* The value of the two decimal digits at s, or -1. */
static int
two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*@ requires \valid_read(s + (0 .. n-1));
    requires \valid(w) && \valid(why);
    requires \separated(w, why, s + (0 .. n-1));
    terminates \true;
    assigns w->year, w->month, w->day;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> 10 <= n && 0 <= w->year <= 9999 && 0 <= w->month <= 99 && 0 <= w->day <= 99;
    ensures \result != 0 ==> *why != \null;
 */
/* "YYYY-MM-DD" at the start of s. */
static int
get_date(const char *s, size_t n, struct when *w, const char **why)
{
	int hi, lo;

	/*= spec/INPUT.md#time MUST-IT1: the full RFC 3339 syntax, nothing else */
	if (n < 10 || (hi = two(s)) < 0 || (lo = two(s + 2)) < 0 || s[4] != '-' ||
	    (w->month = two(s + 5)) < 0 || s[7] != '-' || (w->day = two(s + 8)) < 0) {
		*why = "expected a date and time such as 2026-11-23T13:15:00Z";
		return -1;
	}
	w->year = hi * 100 + lo;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && 10 <= n;
    requires \valid(w) && \valid(why);
    requires \separated(w, why, s + (0 .. n-1));
    requires \valid(zone) && \separated(zone, w, why, s + (0 .. n-1));
    terminates \true;
    assigns w->hour, w->minute, w->second, *zone;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> 19 <= *zone <= n;
    ensures \result == 0 ==> 0 <= w->hour <= 99 && 0 <= w->minute <= 99 && 0 <= w->second <= 99;
    ensures \result != 0 ==> *why != \null;
 */
/* "THH:MM:SS" and a fraction after the date; *zone gets where the zone starts. */
static int
get_time(const char *s, size_t n, struct when *w, size_t *zone, const char **why)
{
	size_t i = 19;

	/*= spec/INPUT.md#time MUST-IT2: a date alone is refused, saying what to add */
	if (n == 10) {
		*why = "a date alone is not enough: give the time of day too, e.g. 2026-11-23T13:15:00Z";
		return -1;
	}
	if (s[10] == ' ') {
		*why = "separate the date and the time with T, e.g. 2026-11-23T13:15:00Z";
		return -1;
	}
	if ((s[10] != 'T' && s[10] != 't') || n < 19 || (w->hour = two(s + 11)) < 0 || s[13] != ':' ||
	    (w->minute = two(s + 14)) < 0 || s[16] != ':' || (w->second = two(s + 17)) < 0) {
		*why = "expected the time of day as THH:MM:SS after the date, e.g. 2026-11-23T13:15:00Z";
		return -1;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i == n || s[i] < '0' || s[i] > '9') {
			*why = "expected digits after the decimal point of the seconds";
			return -1;
		}
		/*@ loop invariant 20 <= i <= n;
		    loop assigns i;
		    loop variant n - i; */
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	*zone = i;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && 19 <= i <= n;
    requires \valid(w) && \valid(why);
    requires \separated(w, why, s + (0 .. n-1));
    terminates \true;
    assigns w->sign, w->off_h, w->off_m;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> i < n && -1 <= w->sign <= 1 && 0 <= w->off_h <= 99 && 0 <= w->off_m <= 99;
    ensures \result != 0 ==> *why != \null;
 */
/* The zone at s[i]: Z or z, or "+HH:MM" / "-HH:MM", then the end of s. */
static int
get_zone(const char *s, size_t n, size_t i, struct when *w, const char **why)
{
	/*= spec/INPUT.md#time MUST-IT3: a zone is required */
	if (i == n) {
		*why = "give a zone: Z or a numeric offset such as +03:00";
		return -1;
	}
	w->sign = 0;
	w->off_h = 0;
	w->off_m = 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if ((s[i] == '+' || s[i] == '-') && n - i >= 6 && (w->off_h = two(s + i + 1)) >= 0 &&
		   s[i + 3] == ':' && (w->off_m = two(s + i + 4)) >= 0) {
		w->sign = s[i] == '+' ? 1 : -1;
		i += 6;
	} else {
		*why = "the zone must be Z or a numeric offset such as +03:00";
		return -1;
	}
	if (i != n) {
		*why = "unexpected text after the zone";
		return -1;
	}
	return 0;
}

/*@ requires TES_RFC3339_YEAR_MIN <= year <= TES_RFC3339_YEAR_MAX && 1 <= month <= 12;
    terminates \true;
    assigns \nothing;
    ensures 28 <= \result <= 31;
 */
static int
days_in_month(int year, int month)
{
	if (month == 2)
		return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
	if (month == 4 || month == 6 || month == 9 || month == 11)
		return 30;
	return 31;
}

/*@ requires \valid(why);
    requires TES_RFC3339_YEAR_MIN <= year <= TES_RFC3339_YEAR_MAX && 1 <= month <= 12;
    requires 1 <= day <= 31;
    terminates \true;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
/* Whether the day exists in that month of that year, and if not, why. */
static int
day_exists(int year, int month, int day, const char **why)
{
	/*= spec/INPUT.md#time MUST-IT4: impossible calendar dates, named */
	if (day <= days_in_month(year, month))
		return 0;
	if (month == 2)
		*why = day == 29   ? "day 29 does not exist in February of that year (not a leap year)"
		       : day == 30 ? "day 30 does not exist in February"
				   : "day 31 does not exist in February";
	else if (month == 4)
		*why = "day 31 does not exist in April (it has 30 days)";
	else if (month == 6)
		*why = "day 31 does not exist in June (it has 30 days)";
	else if (month == 9)
		*why = "day 31 does not exist in September (it has 30 days)";
	else
		*why = "day 31 does not exist in November (it has 30 days)";
	return -1;
}

/*@ requires \valid(w) && \valid(why) && \separated(w, why);
    requires when_syntax(w);
    terminates \true;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> when_ranges(w);
    ensures \result != 0 ==> *why != \null;
 */
/* Every field in its range, the first one that is not named. */
static int
check_ranges(const struct when *w, const char **why)
{
	/*= spec/INPUT.md#time MUST-IT5: fields in range, a leap second refused */
	if (w->year < TES_RFC3339_YEAR_MIN)
		*why = "the year must be 1970 or later";
	else if (w->month < 1 || w->month > 12)
		*why = "the month must be 01 to 12";
	else if (w->day < 1 || w->day > 31)
		*why = "the day must be 01 to 31";
	else if (day_exists(w->year, w->month, w->day, why) != 0)
		return -1;
	else if (w->hour > 23)
		*why = "the hour must be 00 to 23 (midnight is 00:00:00 of the next day)";
	else if (w->minute > 59)
		*why = "the minute must be 00 to 59";
	else if (w->second == 60)
		*why = "second 60 (a leap second) is not accepted: write :59";
	else if (w->second > 59)
		*why = "the second must be 00 to 59";
	else if (w->off_h > 23)
		*why = "the offset's hours must be 00 to 23";
	else if (w->off_m > 59)
		*why = "the offset's minutes must be 00 to 59";
	else
		return 0;
	return -1;
}

/*@ requires TES_RFC3339_YEAR_MIN <= year <= TES_RFC3339_YEAR_MAX && 1 <= month <= 12;
    requires 1 <= day <= 31;
    terminates \true;
    assigns \nothing;
    ensures -719468 <= \result <= 2932961;
 */
/* Days from 1970-01-01 to that date (proleptic Gregorian calendar). */
static int64_t
days_from_civil(int year, int month, int day)
{
	int64_t y = month <= 2 ? year - 1 : year;            /* years start in March: */
	int64_t era = y / 400;                               /* 400-year cycles, */
	int64_t yoe = y % 400;                               /* year of the cycle 0..399, */
	int64_t mp = month > 2 ? month - 3 : month + 9;      /* month from March 0..11, */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;          /* day of that year 0..365, */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* day of the cycle */

	/*@ assert 4 <= era <= 24 && 0 <= yoe <= 399 && 0 <= mp <= 11; */
	/*@ assert 0 <= doy <= 367 && 0 <= doe <= 146101; */
	return era * 146097 + doe - 719468; /* 719468: 0000-03-01 to 1970-01-01 */
}

/* see rfc3339.h */
int
tes_rfc3339_parse(const char *s, size_t n, uint64_t *t, const char **why)
{
	struct when w = { 0 };
	int64_t local, off, utc;
	size_t zone = 0;

	if (get_date(s, n, &w, why) != 0 || get_time(s, n, &w, &zone, why) != 0 ||
	    get_zone(s, n, zone, &w, why) != 0 || check_ranges(&w, why) != 0)
		return TES_ERR_TIME;
	local = days_from_civil(w.year, w.month, w.day) * 86400 + w.hour * 3600 + w.minute * 60 + w.second;
	off = w.off_h * 3600 + w.off_m * 60;
	/*= spec/INPUT.md#time MUST-IT6: normalised to UTC: local time minus its offset */
	utc = w.sign > 0 ? local - off : local + off;
	if (utc < 0) {
		*why = "the time is before 1970-01-01T00:00:00Z";
		return TES_ERR_TIME;
	}
	/*@ assert utc < TES_RFC3339_LIMIT; */
	*t = (uint64_t)utc;
	*why = NULL;
	return 0;
}
