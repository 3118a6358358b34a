/* SPDX-License-Identifier: ISC */
/*
 * Penalty policy files and the points they give (spec/POLICY.md). The
 * parser goes line by line and keeps every field it sets in range
 * (policy_partial), so that the checks at the end (a version line, a basis,
 * a band) make a whole policy.
 */
#include "wire/policy.h"

/* see policy.h */
const char tes_policy_default_text[] = "tes-policy 1\n"
				       "# The built-in policy: the original bands over the measured speed.\n"
				       "basis speed\n"
				       "tolerance-kmh 0\n"
				       "tolerance-percent 0\n"
				       "band 50 10\n"
				       "band 70 20\n"
				       "band 100 50\n"
				       "threshold 0\n"
				       "window-days 0\n";

/* the keys of a policy file; KEY_NONE for any other word */
enum {
	KEY_NONE = 0,
	KEY_VERSION,
	KEY_BASIS,
	KEY_TOL_KMH,
	KEY_TOL_PCT,
	KEY_BAND,
	KEY_THRESHOLD,
	KEY_WINDOW,
	KEY_COUNT
};

/* a string literal and its length, for same() and put() */
#define LIT(s) s, sizeof s - 1

/*@ requires \valid_read(p + (s .. e-1)) && s <= e;
    terminates \true;
    assigns \nothing;
    ensures s <= \result <= e;
    ensures \result < e ==> p[\result] != ' ' && p[\result] != '\t';
 */
/* The first byte at or after s that is not a blank, or e. */
static size_t
skip_blank(const uint8_t *p, size_t s, size_t e)
{
	size_t i = s;

	/*@ loop invariant s <= i <= e;
	    loop assigns i;
	    loop variant e - i; */
	while (i < e && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/*@ requires \valid_read(p + (s .. e-1)) && s <= e;
    terminates \true;
    assigns \nothing;
    ensures s <= \result <= e;
 */
/* The first blank at or after s, or e. */
static size_t
skip_word(const uint8_t *p, size_t s, size_t e)
{
	size_t i = s;

	/*@ loop invariant s <= i <= e;
	    loop assigns i;
	    loop variant e - i; */
	while (i < e && p[i] != ' ' && p[i] != '\t')
		i++;
	return i;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid_read(name + (0 .. m-1));
    terminates \true;
    assigns \nothing;
 */
/* Whether v[0 .. n-1] is name[0 .. m-1]. */
static int
same(const uint8_t *v, size_t n, const char *name, size_t m)
{
	size_t i;

	if (n != m)
		return 0;
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (v[i] != name[i])
			return 0;
	return 1;
}

/*@ requires \valid_read(v + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures KEY_NONE <= \result < KEY_COUNT;
 */
/* The key that v names, KEY_NONE if none. */
static int
key_of(const uint8_t *v, size_t n)
{
	if (same(v, n, LIT("tes-policy")))
		return KEY_VERSION;
	if (same(v, n, LIT("basis")))
		return KEY_BASIS;
	if (same(v, n, LIT("tolerance-kmh")))
		return KEY_TOL_KMH;
	if (same(v, n, LIT("tolerance-percent")))
		return KEY_TOL_PCT;
	if (same(v, n, LIT("band")))
		return KEY_BAND;
	if (same(v, n, LIT("threshold")))
		return KEY_THRESHOLD;
	if (same(v, n, LIT("window-days")))
		return KEY_WINDOW;
	return KEY_NONE;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(why);
    requires \separated(why, v + (0 .. n-1));
    terminates \true;
    assigns *why \from \nothing;
    ensures -1 <= \result <= 999999999;
    ensures \result < 0 ==> *why != \null;
 */
/*
 * The decimal number v[0 .. n-1] (1..9 digits, no sign, no leading zero), or
 * -1 and why not.
 */
static int64_t
number(const uint8_t *v, size_t n, const char **why)
{
	int64_t x = 0;
	size_t i;

	/*= spec/POLICY.md#format MUST-PO2: decimal, no sign or leading zero, at most 9 digits */
	*why = "a number was expected (decimal digits, no sign)";
	if (n == 0)
		return -1;
	/*@ loop invariant 0 <= i <= n && 0 <= x <= 999999999;
	    loop invariant *why != \null;
	    loop assigns i, x, *why;
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (x > 99999999) {
			/* no leading zero: a tenth digit makes the number >= 10^9 */
			*why = "a number of more than 9 digits";
			return -1;
		}
		x = x * 10 + (v[i] - '0');
	}
	if (n > 1 && v[0] == '0') {
		*why = "a number with a leading zero";
		return -1;
	}
	return x;
}

/*@ requires \valid(out) && policy_partial(out) && \valid(why);
    requires \separated(out, why);
    requires 0 <= from <= 999999999 && 0 <= points <= 999999999;
    terminates \true;
    assigns out->band[0 .. TES_POLICY_BANDS_MAX - 1], out->nbands;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures policy_partial(out);
    ensures \result != 0 ==> *why != \null;
 */
/* Append the band FROM POINTS. */
static int
add_band(struct tes_policy *out, int64_t from, int64_t points, const char **why)
{
	uint8_t nb = out->nbands;

	/*= spec/POLICY.md#format MUST-PO3: 1..16 bands, FROM 1..1000 strictly ascending, POINTS 1..1000 */
	if (nb >= TES_POLICY_BANDS_MAX) {
		*why = "more than 16 bands";
		return TES_ERR_FORMAT;
	}
	if (from < 1 || from > TES_POLICY_FROM_MAX) {
		*why = "a band starts at 1..1000 km/h";
		return TES_ERR_FORMAT;
	}
	if (points < 1 || points > TES_POLICY_POINTS_MAX) {
		*why = "a band gives 1..1000 points";
		return TES_ERR_FORMAT;
	}
	if (nb > 0 && from <= out->band[nb - 1].from) {
		*why = "bands must start at strictly ascending speeds";
		return TES_ERR_FORMAT;
	}
	out->band[nb].from = (uint16_t)from;
	out->band[nb].points = (uint16_t)points;
	out->nbands = (uint8_t)(nb + 1);
	/*@ assert policy_band_ok(out, nb); */
	/*@ assert \forall integer k; 0 <= k < nb ==> policy_band_ok(out, k); */
	/*@ assert \forall integer k; 0 <= k < nb ==> out->band[k].from < out->band[nb].from; */
	/*@ assert policy_bands_ok(out, nb + 1); */
	return 0;
}

/*@ requires \valid(out) && policy_partial(out) && \valid(why);
    requires \separated(out, why);
    requires KEY_VERSION <= key < KEY_COUNT && key != KEY_BASIS && key != KEY_BAND;
    requires 0 <= v <= 999999999;
    terminates \true;
    assigns out->tol_kmh, out->tol_pct, out->threshold, out->window_days;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_VERSION;
    ensures policy_partial(out);
    ensures \result != 0 ==> *why != \null;
 */
/* Set the field of a key whose value is one number. */
static int
set_number(struct tes_policy *out, int key, int64_t v, const char **why)
{
	*why = "a value out of range";
	switch (key) {
	case KEY_VERSION:
		if (v != 1) {
			*why = "unknown policy version (this program reads \"tes-policy 1\")";
			return TES_ERR_VERSION;
		}
		return 0;
	case KEY_TOL_KMH:
		if (v > TES_POLICY_TOL_KMH_MAX) {
			*why = "tolerance-kmh is 0..50";
			return TES_ERR_FORMAT;
		}
		out->tol_kmh = (uint16_t)v;
		return 0;
	case KEY_TOL_PCT:
		if (v > TES_POLICY_TOL_PCT_MAX) {
			*why = "tolerance-percent is 0..50";
			return TES_ERR_FORMAT;
		}
		out->tol_pct = (uint8_t)v;
		return 0;
	case KEY_THRESHOLD:
		if (v > TES_POLICY_THRESHOLD_MAX) {
			*why = "threshold is 0..1000000";
			return TES_ERR_FORMAT;
		}
		out->threshold = (uint32_t)v;
		return 0;
	default:
		if (v > TES_POLICY_WINDOW_MAX) {
			*why = "window-days is 0..3650";
			return TES_ERR_FORMAT;
		}
		out->window_days = (uint16_t)v;
		return 0;
	}
}

/*@ requires \valid_read(p + (s .. e-1)) && s <= e && \valid(why);
    requires \separated(why, p + (s .. e-1));
    terminates \true;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result != 0 ==> *why != \null;
 */
/* Every byte of p[s .. e-1] is printable ASCII or a tab. */
static int
line_bytes(const uint8_t *p, size_t s, size_t e, const char **why)
{
	size_t i;

	/*@ loop invariant s <= i <= e;
	    loop assigns i;
	    loop variant e - i; */
	for (i = s; i < e; i++) {
		if (p[i] == '\r') {
			*why = "a carriage return not followed by a line feed";
			return TES_ERR_FORMAT;
		}
		if (p[i] != '\t' && (p[i] < 0x20 || p[i] > 0x7e)) {
			*why = "a byte that is not printable ASCII";
			return TES_ERR_FORMAT;
		}
	}
	return 0;
}

/*@ requires \valid_read(p + (s .. e-1)) && s <= e;
    terminates \true;
    assigns \nothing;
    ensures s <= \result <= e;
 */
/* Where the comment of the line p[s .. e-1] starts, or e. */
static size_t
comment_at(const uint8_t *p, size_t s, size_t e)
{
	size_t i = s;

	/*@ loop invariant s <= i <= e;
	    loop assigns i;
	    loop variant e - i; */
	while (i < e && p[i] != '#')
		i++;
	return i;
}

/*@ requires \valid_read(p + (s .. e-1)) && s <= e;
    requires \valid(out) && policy_partial(out) && \valid(why);
    requires \separated(out, why, p + (s .. e-1));
    requires KEY_VERSION <= key < KEY_COUNT;
    terminates \true;
    assigns *out;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_VERSION;
    ensures policy_partial(out);
    ensures \result != 0 ==> *why != \null;
 */
/* The values p[s .. e-1] (no comment) after the key: one, or two for a band. */
static int
values(const uint8_t *p, size_t s, size_t e, int key, struct tes_policy *out, const char **why)
{
	size_t a1 = skip_blank(p, s, e), b1 = skip_word(p, a1, e);
	size_t a2 = skip_blank(p, b1, e), b2 = skip_word(p, a2, e);
	size_t a3 = skip_blank(p, b2, e);
	int64_t v1, v2;

	if (a1 == b1) {
		*why = "a value is missing";
		return TES_ERR_FORMAT;
	}
	if (key != KEY_BAND && a2 != e) {
		*why = "more than one value";
		return TES_ERR_FORMAT;
	}
	if (key == KEY_BAND && (a2 == b2 || a3 != e)) {
		*why = "a band is FROM POINTS";
		return TES_ERR_FORMAT;
	}
	if (key == KEY_BASIS) {
		/*= spec/POLICY.md#format MUST-PO4: basis speed or excess */
		if (same(p + a1, b1 - a1, LIT("speed")))
			out->basis = TES_POLICY_SPEED;
		else if (same(p + a1, b1 - a1, LIT("excess")))
			out->basis = TES_POLICY_EXCESS;
		else {
			*why = "basis is speed or excess";
			return TES_ERR_FORMAT;
		}
		return 0;
	}
	if ((v1 = number(p + a1, b1 - a1, why)) < 0)
		return TES_ERR_FORMAT;
	if (key != KEY_BAND)
		return set_number(out, key, v1, why);
	if ((v2 = number(p + a2, b2 - a2, why)) < 0)
		return TES_ERR_FORMAT;
	return add_band(out, v1, v2, why);
}

/*@ requires \valid_read(p + (s .. e-1)) && s <= e;
    requires \valid(out) && policy_partial(out) && \valid(why);
    requires \valid(seen + (0 .. KEY_COUNT - 1));
    requires \separated(out, why, seen + (0 .. KEY_COUNT - 1), p + (s .. e-1));
    terminates \true;
    assigns *out, seen[0 .. KEY_COUNT - 1];
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_VERSION;
    ensures policy_partial(out);
    ensures \result != 0 ==> *why != \null;
 */
/* One line p[s .. e-1], without its LF (its CR, if any, included when eol). */
static int
parse_line(const uint8_t *p, size_t s, size_t e, int eol, uint8_t *seen, struct tes_policy *out,
	   const char **why)
{
	size_t c, a, b;
	int key, r;

	/*= spec/POLICY.md#format MUST-PO1: ASCII lines, LF or CR LF, # comments, blank lines */
	if (eol && e > s && p[e - 1] == '\r')
		e--;
	if ((r = line_bytes(p, s, e, why)) != 0)
		return r;
	c = comment_at(p, s, e);
	a = skip_blank(p, s, c);
	if (a == c)
		return 0;
	b = skip_word(p, a, c);
	/*= spec/POLICY.md#format MUST-PO5: first "tes-policy 1"; known keys, each once but band */
	key = key_of(p + a, b - a);
	if (key == KEY_NONE) {
		*why = "unknown key";
		return TES_ERR_FORMAT;
	}
	if (seen[KEY_VERSION] == 0 && key != KEY_VERSION) {
		*why = "the first line must be \"tes-policy 1\"";
		return TES_ERR_FORMAT;
	}
	if (seen[key] != 0 && key != KEY_BAND) {
		*why = "a key given twice";
		return TES_ERR_FORMAT;
	}
	seen[key] = 1;
	return values(p, b, c, key, out, why);
}

/*@ requires \valid_read(p + (s .. n-1)) && s <= n;
    terminates \true;
    assigns \nothing;
    ensures s <= \result <= n;
    ensures \result < n ==> p[\result] == '\n';
 */
/* The LF that ends the line starting at s, or n. */
static size_t
line_end(const uint8_t *p, size_t s, size_t n)
{
	size_t i = s;

	/*@ loop invariant s <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	while (i < n && p[i] != '\n')
		i++;
	return i;
}

/*@ requires \valid(p);
    terminates \true;
    assigns *p;
    ensures policy_partial(p) && p->basis == 0 && p->nbands == 0;
    ensures p->tol_kmh == 0 && p->tol_pct == 0 && p->threshold == 0 && p->window_days == 0;
 */
/* No field set yet: every optional one at its default. */
static void
clear(struct tes_policy *p)
{
	int k;

	p->basis = 0;
	p->tol_pct = 0;
	p->tol_kmh = 0;
	p->nbands = 0;
	/*@ loop invariant 0 <= k <= TES_POLICY_BANDS_MAX;
	    loop assigns k, p->band[0 .. TES_POLICY_BANDS_MAX - 1];
	    loop variant TES_POLICY_BANDS_MAX - k; */
	for (k = 0; k < TES_POLICY_BANDS_MAX; k++) {
		p->band[k].from = 0;
		p->band[k].points = 0;
	}
	p->threshold = 0;
	p->window_days = 0;
}

/* see policy.h */
int
tes_policy_parse_why(const uint8_t *p, size_t n, struct tes_policy *out, uint32_t *line, const char **why)
{
	uint8_t seen[KEY_COUNT] = { 0 };
	size_t i = 0, e;
	uint32_t ln = 0;
	int r;

	clear(out);
	*line = 0;
	if (n > TES_POLICY_TEXT_MAX) {
		*why = "longer than 2048 bytes";
		return TES_ERR_TOOLONG;
	}
	/*@ loop invariant 0 <= i <= n && ln <= i && *line == 0;
	    loop invariant policy_partial(out);
	    loop assigns i, ln, e, r, *out, seen[0 .. KEY_COUNT - 1], *why, *line;
	    loop variant n - i; */
	while (i < n) {
		e = line_end(p, i, n);
		ln++;
		if ((r = parse_line(p, i, e, e < n, seen, out, why)) != 0) {
			*line = ln;
			return r;
		}
		i = e < n ? e + 1 : n;
	}
	/*= spec/POLICY.md#format MUST-PO6: "tes-policy 1", a basis and a band are required */
	if (seen[KEY_VERSION] == 0) {
		*why = "no \"tes-policy 1\" line";
		return TES_ERR_FORMAT;
	}
	if (out->basis == 0) {
		*why = "no basis line";
		return TES_ERR_FORMAT;
	}
	if (out->nbands == 0) {
		*why = "no band line";
		return TES_ERR_FORMAT;
	}
	*why = 0;
	return 0;
}

/* see policy.h */
int
tes_policy_parse(const uint8_t *p, size_t n, struct tes_policy *out, uint32_t *line)
{
	const char *why = 0;

	return tes_policy_parse_why(p, n, out, line, &why);
}

/*@ lemma policy_default_ok{L}:
        \forall struct tes_policy *p; policy_is_default(p) ==> policy_ok(p);
 */

/* see policy.h */
void
tes_policy_default(struct tes_policy *p)
{
	clear(p);
	p->basis = TES_POLICY_SPEED;
	p->band[0].from = 50;
	p->band[0].points = 10;
	p->band[1].from = 70;
	p->band[1].points = 20;
	p->band[2].from = 100;
	p->band[2].points = 50;
	p->nbands = 3;
}

/*@ requires \valid_read(p) && policy_ok(p);
    terminates \true;
    assigns \nothing;
    ensures \result == policy_tol(p, limit);
    ensures policy_is_default(p) ==> \result == 0;
 */
/* tol_kmh + ceil(limit * tol_pct / 100), in 64 bits: no limit overflows it. */
static uint64_t
tolerance_of(const struct tes_policy *p, uint32_t limit)
{
	return (uint64_t)p->tol_kmh + ((uint64_t)limit * p->tol_pct + 99) / 100;
}

/*@ requires \valid_read(p) && policy_ok(p);
    requires tol == policy_tol(p, limit);
    terminates \true;
    assigns \nothing;
    ensures \result == policy_value(p, speed, limit);
    ensures policy_is_default(p) && tol == 0 ==> \result == speed;
 */
/* What the bands apply to: the speed less the tolerance, or its excess over the limit. */
static uint64_t
value_of(const struct tes_policy *p, uint32_t speed, uint32_t limit, uint64_t tol)
{
	uint64_t adj = speed > tol ? speed - tol : 0;

	if (p->basis != TES_POLICY_EXCESS)
		return adj;
	return adj > limit ? adj - limit : 0;
}

/*@ requires \valid_read(p) && policy_ok(p);
    terminates \true;
    assigns \nothing;
    ensures 0 <= \result <= p->nbands;
    ensures \result == 0 ==> value < p->band[0].from;
    ensures \result > 0 ==> p->band[\result - 1].from <= value && p->band[0].from <= value;
    ensures 0 < \result < p->nbands ==> value < p->band[\result].from;
    ensures policy_is_default(p) ==> \result <= 3;
    ensures policy_is_default(p) && \result == 0 ==> value < 50;
    ensures policy_is_default(p) && \result == 1 ==> 50 <= value < 70;
    ensures policy_is_default(p) && \result == 2 ==> 70 <= value < 100;
    ensures policy_is_default(p) && \result == 3 ==> 100 <= value;
 */
/* The 1-based index of the last band whose from <= value, 0 if none. */
static uint8_t
band_of(const struct tes_policy *p, uint64_t value)
{
	uint8_t k, idx = 0;

	/*@ loop invariant 0 <= k <= p->nbands && idx <= k;
	    loop invariant idx == 0 ==> \forall integer j; 0 <= j < k ==> p->band[j].from > value;
	    loop invariant idx > 0 ==> p->band[idx - 1].from <= value;
	    loop invariant idx > 0 ==> \forall integer j; idx <= j < k ==> p->band[j].from > value;
	    loop assigns k, idx;
	    loop variant p->nbands - k; */
	for (k = 0; k < p->nbands; k++)
		if (p->band[k].from <= value)
			idx = (uint8_t)(k + 1);
	return idx;
}

/*@ requires \valid_read(p) && policy_ok(p) && 0 <= idx <= p->nbands;
    terminates \true;
    assigns \nothing;
    ensures idx == 0 ==> \result == 0;
    ensures idx > 0 ==> \result == p->band[idx - 1].points;
    ensures policy_is_default(p) && idx == 1 ==> \result == 10;
    ensures policy_is_default(p) && idx == 2 ==> \result == 20;
    ensures policy_is_default(p) && idx == 3 ==> \result == 50;
 */
/* The points of band idx (1-based), 0 for none. */
static uint16_t
points_of(const struct tes_policy *p, uint8_t idx)
{
	return idx > 0 ? p->band[idx - 1].points : 0;
}

/* see policy.h */
uint16_t
tes_policy_points(const struct tes_policy *p, uint32_t speed, uint32_t limit, struct tes_policy_why *why)
{
	/*= spec/POLICY.md#evaluation MUST-PO7: tolerance, value, the last band with from <= value */
	uint64_t tol = tolerance_of(p, limit), value = value_of(p, speed, limit, tol);
	uint8_t idx = 0, nl = 0;
	uint16_t pts;

	/*= spec/POLICY.md#evaluation MUST-PO8: no limit on the excess basis gives 0 points */
	if (p->basis == TES_POLICY_EXCESS && limit == 0)
		nl = 1;
	else
		idx = band_of(p, value);
	pts = points_of(p, idx);
	if (why != 0) {
		why->tolerance = tol > 65535 ? 65535 : (uint16_t)tol;
		why->value = nl != 0 ? 0 : value > 65535 ? 65535 : (uint16_t)value;
		why->band = idx;
		why->no_limit = nl;
	}
	return pts;
}

/*@ requires cap >= 1 && off < cap && \valid(buf + (0 .. cap-1));
    requires \valid_read(s + (0 .. len-1));
    requires \separated(buf + (0 .. cap-1), s + (0 .. len-1));
    terminates \true;
    assigns buf[off .. cap-1];
    ensures \old(off) <= \result < cap;
 */
/* Append s[0 .. len-1] at buf[off], cut to leave room for the NUL; the new offset. */
static size_t
put(char *buf, size_t cap, size_t off, const char *s, size_t len)
{
	size_t k;

	/*@ loop invariant 0 <= k <= len && \at(off, Pre) <= off < cap;
	    loop assigns k, off, buf[\at(off, Pre) .. cap-1];
	    loop variant len - k; */
	for (k = 0; k < len && off < cap - 1; k++)
		buf[off++] = s[k];
	return off;
}

/*@ requires cap >= 1 && off < cap && \valid(buf + (0 .. cap-1));
    terminates \true;
    assigns buf[off .. cap-1];
    ensures \old(off) <= \result < cap;
 */
/* Append v in decimal. */
static size_t
put_u32(char *buf, size_t cap, size_t off, uint32_t v)
{
	char d[10];
	size_t n = 0, k;

	/*@ loop invariant 0 <= n < 10;
	    loop assigns n, v, d[0 .. 9];
	    loop variant v; */
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < 10);
	/*@ loop invariant 0 <= k <= n && \at(off, Pre) <= off < cap;
	    loop assigns k, off, buf[\at(off, Pre) .. cap-1];
	    loop variant n - k; */
	for (k = 0; k < n && off < cap - 1; k++)
		buf[off++] = d[n - 1 - k];
	return off;
}

/* see policy.h */
size_t
tes_policy_explain(const struct tes_policy *p, const struct tes_policy_why *why, uint16_t points, char *buf,
		   size_t cap)
{
	size_t off = 0;

	if (cap == 0)
		return 0;
	off = put_u32(buf, cap, off, points);
	off = put(buf, cap, off, LIT(" points: "));
	if (why->no_limit != 0) {
		off = put(buf, cap, off,
			  LIT("no speed limit given, and the policy counts the excess over it"));
		buf[off] = 0;
		return off;
	}
	if (why->band == 0 || why->band > p->nbands) {
		off = put(buf, cap, off, LIT("below every band (the first starts at "));
		off = put_u32(buf, cap, off, p->band[0].from);
	} else {
		off = put(buf, cap, off, LIT("band "));
		off = put_u32(buf, cap, off, why->band);
		off = put(buf, cap, off, LIT(" (>= "));
		off = put_u32(buf, cap, off, p->band[why->band - 1].from);
	}
	if (p->basis == TES_POLICY_EXCESS)
		off = put(buf, cap, off, LIT("): excess "));
	else
		off = put(buf, cap, off, LIT("): speed "));
	off = put_u32(buf, cap, off, why->value);
	off = put(buf, cap, off, LIT(" km/h after a tolerance of "));
	off = put_u32(buf, cap, off, why->tolerance);
	off = put(buf, cap, off, LIT(" km/h"));
	buf[off] = 0;
	return off;
}
