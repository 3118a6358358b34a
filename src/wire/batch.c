/* SPDX-License-Identifier: ISC */
/*
 * The batch input decoder (batch.h, spec/INPUT.md). Bytes go into one line
 * buffer; when a line ends, the whole line is checked (its length, its
 * bytes, UTF-8), split (CSV) or parsed (JSON), and each field is copied
 * into the record through a bounded scratch buffer. The line is the unit of
 * everything: whatever is wrong in it refuses that line alone, and the next
 * line is read from its own first byte, so a record never spills into
 * another and line numbers never shift.
 */
#include "wire/batch.h"
#include "common/err.h"
#include "common/hex.h"
#include "wire/rfc3339.h"

/* A CSV field: s[from .. to-1], inside its quotes when quoted. */
struct span {
	size_t from, to;
	int quoted;
};

/*@ predicate rec_partial(struct tes_batch_rec *r) =
        r->plate_len <= TES_BATCH_PLATE_MAX && r->plate[r->plate_len] == 0 &&
        r->loc_len <= TES_LOCATION_MAX && r->loc[r->loc_len] == 0 &&
        r->has_location == (r->loc_len > 0 ? 1 : 0) &&
        r->speed <= TES_BATCH_NUMBER_MAX && r->limit <= TES_BATCH_NUMBER_MAX &&
        r->has_limit <= 1 && (r->has_limit == 0 ==> r->limit == 0) &&
        r->has_time <= 1 && (r->has_time == 0 ==> r->time == 0) && r->time < TES_RFC3339_LIMIT &&
        r->has_id <= 1;
    predicate spans_ok(struct span *f, integer nf, integer n) =
        \forall integer k; 0 <= k < nf ==> f[k].from <= f[k].to <= n;
    predicate cols_ok(uint16_t *col) =
        \forall integer k; 0 <= k < TES_BATCH_FIELDS_MAX ==> col[k] <= TES_BATCH_COL_ID;
    // got[] counts per key: 0 unseen, 1 seen (null or ""), 2 a value taken
    predicate plate_seen(int *got, struct tes_batch_rec *r) =
        (got[TES_BATCH_COL_PLATE] == 2 ==> 1 <= r->plate_len) &&
        (got[TES_BATCH_COL_PLATE] != 2 ==> r->plate_len == 0);
    predicate hdr_ok(struct tes_batch *b) =
        b->hdr <= TES_BATCH_HDR_REFUSED && b->ncol <= TES_BATCH_FIELDS_MAX &&
        (\forall integer k; 0 <= k < TES_BATCH_FIELDS_MAX ==> b->col[k] <= TES_BATCH_COL_ID);
    logic integer ten(integer k) =
        k <= 0 ? 1 : k == 1 ? 10 : k == 2 ? 100 : k == 3 ? 1000 : k == 4 ? 10000 : 100000;
 */

/*@ terminates \true;
    assigns \nothing;
    ensures \result == (c < 128 ? c : c - 256);
 */
/* The byte as a C char (signed here), by value. */
static char
to_char(uint8_t c)
{
	return c < 128 ? (char)c : (char)(c - 256);
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> (c == ' ' || c == '\t');
 */
static int
blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> ('0' <= c <= '9');
 */
static int
digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/*@ requires \valid_read(s + (0 .. n-1)) && i <= n;
    terminates \true;
    assigns \nothing;
    ensures i <= \result <= n;
 */
/* The first position at or after i that is not a space or TAB (n if none). */
static size_t
skip_blanks(const uint8_t *s, size_t n, size_t i)
{
	size_t j = i;

	/*@ loop invariant i <= j <= n;
	    loop assigns j;
	    loop variant n - j; */
	while (j < n && blank(s[j]))
		j++;
	return j;
}

/*@ requires \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
 */
static int
has_digit(const uint8_t *s, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (digit(s[i]))
			return 1;
	return 0;
}

/* ---- the bytes of a line -------------------------------------------------------------- */

/*@ requires \valid_read(s + (0 .. n-1)) && i < n && s[i] >= 0x80;
    requires \valid(why) && \separated(why, s + (0 .. n-1));
    terminates \true;
    assigns *why \from \nothing;
    ensures \result == 0 || (2 <= \result <= 4 && i + \result <= n);
    ensures \result == 0 ==> *why != \null;
 */
/* The length of the UTF-8 sequence at s[i] (a byte above 0x7f), or 0 and why not. */
static size_t
utf8_seq(const uint8_t *s, size_t n, size_t i, const char **why)
{
	uint8_t c = s[i], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0xc0) {
		*why = "invalid UTF-8: a continuation byte without a lead byte";
		return 0;
	}
	if (c < 0xc2) {
		*why = "invalid UTF-8: an overlong encoding";
		return 0;
	}
	if (c > 0xf4) {
		*why = "invalid UTF-8: bytes F5 to FF never occur (they would encode above U+10FFFF)";
		return 0;
	}
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n - i < len) {
		*why = "invalid UTF-8: a sequence cut short";
		return 0;
	}
	/*@ loop invariant 1 <= k <= len;
	    loop assigns k;
	    loop variant len - k; */
	for (k = 1; k < len; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf) {
			*why = "invalid UTF-8: a sequence cut short";
			return 0;
		}
	if (c == 0xe0)
		lo = 0xa0;
	if (c == 0xf0)
		lo = 0x90;
	if (c == 0xed)
		hi = 0x9f;
	if (c == 0xf4)
		hi = 0x8f;
	if (s[i + 1] < lo || s[i + 1] > hi) {
		*why = c == 0xed   ? "invalid UTF-8: a surrogate (U+D800 to U+DFFF)"
		       : c == 0xf4 ? "invalid UTF-8: a code point above U+10FFFF"
				   : "invalid UTF-8: an overlong encoding";
		return 0;
	}
	if (c == 0xc2 && s[i + 1] <= 0x9f) {
		*why = "a control character (only TAB is allowed)";
		return 0;
	}
	return len;
}

/*@ requires \valid_read(s + (0 .. n-1));
    requires \valid(why) && \separated(why, s + (0 .. n-1));
    terminates \true;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
/* Every byte of a line: no NUL, no control character but TAB, well-formed UTF-8. */
static int
check_bytes(const uint8_t *s, size_t n, const char **why)
{
	size_t i = 0, len;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, len, *why;
	    loop variant n - i; */
	while (i < n) {
		/*= spec/INPUT.md#lines MUST-IL3: no NUL, no control byte but TAB, UTF-8 only */
		if (s[i] == 0) {
			*why = "a NUL byte";
			return -1;
		}
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
			*why = "a control character (only TAB is allowed)";
			return -1;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = utf8_seq(s, n, i, why)) == 0)
			return -1;
		i += len;
	}
	return 0;
}

/* ---- field values into the record ----------------------------------------------------- */

/*@ requires \valid_read(v + (0 .. n-1)) && \valid_read(name + (0 .. m-1));
    terminates \true;
    assigns \nothing;
 */
/* Whether v is name (lower case), in any case when ci. */
static int
same(const uint8_t *v, size_t n, const char *name, size_t m, int ci)
{
	size_t i;
	uint8_t c;

	if (n != m)
		return 0;
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, c;
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		c = v[i];
		if (ci && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 32);
		if (c != name[i])
			return 0;
	}
	return 1;
}

/*@ requires \valid_read(v + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures TES_BATCH_COL_NONE <= \result <= TES_BATCH_COL_ID;
 */
/* The column (or key) that v names, in any case when ci; TES_BATCH_COL_NONE if none. */
static uint8_t
column_of(const uint8_t *v, size_t n, int ci)
{
	if (same(v, n, "plate", 5, ci))
		return TES_BATCH_COL_PLATE;
	if (same(v, n, "speed", 5, ci))
		return TES_BATCH_COL_SPEED;
	if (same(v, n, "limit", 5, ci))
		return TES_BATCH_COL_LIMIT;
	if (same(v, n, "location", 8, ci))
		return TES_BATCH_COL_LOCATION;
	if (same(v, n, "time", 4, ci))
		return TES_BATCH_COL_TIME;
	if (same(v, n, "id", 2, ci))
		return TES_BATCH_COL_ID;
	return TES_BATCH_COL_NONE;
}

/*@ requires \valid(r);
    terminates \true;
    assigns *r;
    ensures rec_partial(r) && r->plate_len == 0;
 */
static void
rec_clear(struct tes_batch_rec *r)
{
	size_t k;

	r->line = 0;
	r->plate[0] = '\0';
	r->plate_len = 0;
	r->speed = 0;
	r->limit = 0;
	r->has_limit = 0;
	r->loc[0] = '\0';
	r->loc_len = 0;
	r->has_location = 0;
	r->time = 0;
	r->has_time = 0;
	/*@ loop invariant 0 <= k <= TES_REPORT_ID_LEN;
	    loop assigns k, r->id[0 .. TES_REPORT_ID_LEN - 1];
	    loop variant TES_REPORT_ID_LEN - k; */
	for (k = 0; k < TES_REPORT_ID_LEN; k++)
		r->id[k] = 0;
	r->has_id = 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && 1 <= n;
    requires \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(r, why, v + (0 .. n-1));
    terminates \true;
    assigns r->plate[0 .. TES_BATCH_PLATE_MAX], r->plate_len;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> 1 <= r->plate_len;
    ensures n > TES_LOCATION_MAX ==> \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
static int
set_plate(const uint8_t *v, size_t n, struct tes_batch_rec *r, const char **why)
{
	size_t i;

	/*= spec/INPUT.md#records MUST-IR2: lengths bounded before anything is copied */
	if (n > TES_BATCH_PLATE_MAX) {
		*why = "plate longer than 32 characters";
		return -1;
	}
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, r->plate[0 .. TES_BATCH_PLATE_MAX - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		r->plate[i] = to_char(v[i]);
	r->plate[n] = '\0';
	r->plate_len = (uint8_t)n;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && 1 <= n;
    requires \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(r, why, v + (0 .. n-1));
    terminates \true;
    assigns r->loc[0 .. TES_LOCATION_MAX], r->loc_len, r->has_location;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures n > TES_LOCATION_MAX ==> \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
static int
set_location(const uint8_t *v, size_t n, struct tes_batch_rec *r, const char **why)
{
	size_t i;

	if (n > TES_LOCATION_MAX) {
		*why = "location longer than 64 characters";
		return -1;
	}
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, r->loc[0 .. TES_LOCATION_MAX - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		r->loc[i] = to_char(v[i]);
	r->loc[n] = '\0';
	r->loc_len = (uint8_t)n;
	r->has_location = 1;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(x) && \separated(x, v + (0 .. n-1));
    terminates \true;
    assigns *x;
    ensures -2 <= \result <= 0;
    ensures n > TES_BATCH_DIGITS_MAX ==> \result == -2;
    ensures \result == 0 ==> *x <= TES_BATCH_NUMBER_MAX;
 */
/* Decimal digits: 0, or -1 for anything but digits, -2 for more than 5 of them. */
static int
get_number(const uint8_t *v, size_t n, uint32_t *x)
{
	uint32_t val = 0;
	size_t i;

	if (n > TES_BATCH_DIGITS_MAX)
		return -2;
	/*@ loop invariant 0 <= i <= n && val < ten(i);
	    loop assigns i, val;
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		if (!digit(v[i]))
			return -1;
		val = val * 10 + (uint32_t)(v[i] - '0');
	}
	*x = val;
	return 0;
}

/*@ requires kind == TES_BATCH_COL_SPEED || kind == TES_BATCH_COL_LIMIT;
    requires \valid_read(v + (0 .. n-1)) && 1 <= n;
    requires \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(r, why, v + (0 .. n-1));
    terminates \true;
    assigns r->speed, r->limit, r->has_limit;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures n > TES_LOCATION_MAX ==> \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
static int
set_number(uint8_t kind, const uint8_t *v, size_t n, struct tes_batch_rec *r, const char **why)
{
	uint32_t x = 0;
	int e;

	/*= spec/INPUT.md#records MUST-IR3: numbers are decimal digits, at most 5 */
	if ((e = get_number(v, n, &x)) != 0) {
		if (kind == TES_BATCH_COL_SPEED)
			*why = e == -2 ? "speed has more than 5 digits"
				       : "speed must be a whole number of km/h in digits, e.g. 120";
		else
			*why = e == -2 ? "limit has more than 5 digits"
				       : "limit must be a whole number of km/h in digits, e.g. 90";
		return -1;
	}
	if (kind == TES_BATCH_COL_SPEED) {
		r->speed = x;
	} else {
		r->limit = x;
		r->has_limit = 1;
	}
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && 1 <= n;
    requires \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(r, why, v + (0 .. n-1));
    terminates \true;
    assigns r->time, r->has_time;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures n > TES_LOCATION_MAX ==> \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
static int
set_time(const uint8_t *v, size_t n, struct tes_batch_rec *r, const char **why)
{
	char txt[TES_BATCH_TIME_MAX];
	uint64_t t = 0;
	size_t i;

	if (n > TES_BATCH_TIME_MAX) {
		*why = "time longer than 64 characters";
		return -1;
	}
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, txt[0 .. TES_BATCH_TIME_MAX - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		txt[i] = to_char(v[i]);
	/*= spec/INPUT.md#records MUST-IR4: times through the RFC 3339 parser, with its reason */
	if (tes_rfc3339_parse(txt, n, &t, why) != 0)
		return -1;
	r->time = t;
	r->has_time = 1;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && 1 <= n;
    requires \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(r, why, v + (0 .. n-1));
    terminates \true;
    assigns r->id[0 .. TES_REPORT_ID_LEN - 1], r->has_id;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures n > TES_LOCATION_MAX ==> \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
static int
set_id(const uint8_t *v, size_t n, struct tes_batch_rec *r, const char **why)
{
	char hex[2 * TES_REPORT_ID_LEN];
	size_t i;

	if (n != 2 * TES_REPORT_ID_LEN) {
		*why = "id must be 32 hexadecimal digits";
		return -1;
	}
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, hex[0 .. 2 * TES_REPORT_ID_LEN - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		hex[i] = to_char(v[i]);
	if (tes_hex_decode(hex, n, r->id, TES_REPORT_ID_LEN) != 0) {
		*why = "id must be 32 hexadecimal digits";
		return -1;
	}
	r->has_id = 1;
	return 0;
}

/*@ requires TES_BATCH_COL_PLATE <= kind <= TES_BATCH_COL_ID;
    requires \valid_read(v + (0 .. n-1)) && 1 <= n;
    requires \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(r, why, v + (0 .. n-1));
    terminates \true;
    assigns *r;
    assigns *why \from \nothing;
    ensures rec_partial(r) && r->line == \old(r->line);
    ensures \result == 0 || \result == -1;
    ensures \result == 0 && kind == TES_BATCH_COL_PLATE ==> 1 <= r->plate_len;
    ensures kind != TES_BATCH_COL_PLATE ==> r->plate_len == \old(r->plate_len);
    ensures n > TES_LOCATION_MAX ==> \result == -1;
    ensures \result != 0 ==> *why != \null;
 */
/* A present (non-empty) value of column kind into the record, or why it cannot be. */
static int
set_field(uint8_t kind, const uint8_t *v, size_t n, struct tes_batch_rec *r, const char **why)
{
	if (kind == TES_BATCH_COL_PLATE)
		return set_plate(v, n, r, why);
	if (kind == TES_BATCH_COL_SPEED || kind == TES_BATCH_COL_LIMIT)
		return set_number(kind, v, n, r, why);
	if (kind == TES_BATCH_COL_LOCATION)
		return set_location(v, n, r, why);
	if (kind == TES_BATCH_COL_TIME)
		return set_time(v, n, r, why);
	return set_id(v, n, r, why);
}

/* ---- CSV ----------------------------------------------------------------------------- */

/*@ requires \valid_read(s + (0 .. n-1)) && \valid(i) && *i < n && s[*i] == '"';
    requires \valid(sp) && \valid(why);
    requires \separated(i, sp, why, s + (0 .. n-1));
    terminates \true;
    assigns *i, *sp;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \old(*i) < *i <= n && sp->from <= sp->to <= n;
    ensures \result != 0 ==> *why != \null;
 */
/* The quoted field at s[*i]: "" inside stands for a quote; blanks may follow the closing one. */
static int
quoted_field(const uint8_t *s, size_t n, int eof, size_t *i, struct span *sp, const char **why)
{
	size_t j = *i + 1;

	/*@ loop invariant *i + 1 <= j <= n;
	    loop assigns j;
	    loop variant n - j; */
	while (j < n && !(s[j] == '"' && (j + 1 == n || s[j + 1] != '"')))
		j += s[j] == '"' ? 2 : 1;
	if (j == n) {
		/*= spec/INPUT.md#csv MUST-IC3: a line end ends the record, inside quotes too */
		*why = eof ? "a quoted field is not closed at the end of the input"
			   : "a line break inside a quoted field (a record ends with its line)";
		return -1;
	}
	sp->from = *i + 1;
	sp->to = j;
	sp->quoted = 1;
	j = skip_blanks(s, n, j + 1);
	if (j < n && s[j] != ',') {
		*why = "text after the closing quote of a field";
		return -1;
	}
	*i = j;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && \valid(i) && *i <= n;
    requires \valid(sp) && \valid(why);
    requires \separated(i, sp, why, s + (0 .. n-1));
    terminates \true;
    assigns *i, *sp;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \old(*i) <= *i <= n && sp->from <= sp->to <= n;
    ensures \result != 0 ==> *why != \null;
 */
/* The unquoted field at s[*i], up to a comma or the end; trailing blanks are not part of it. */
static int
plain_field(const uint8_t *s, size_t n, size_t *i, struct span *sp, const char **why)
{
	size_t j = *i, to;

	/*@ loop invariant *i <= j <= n;
	    loop assigns j;
	    loop variant n - j; */
	while (j < n && s[j] != ',') {
		if (s[j] == '"') {
			*why = "a quote inside a field that does not start with one "
			       "(quote the field and double the quote: \"a \"\"b\"\"\")";
			return -1;
		}
		j++;
	}
	/*@ loop invariant *i <= to <= j;
	    loop assigns to;
	    loop variant to; */
	for (to = j; to > *i && blank(s[to - 1]); to--)
		;
	sp->from = *i;
	sp->to = to;
	sp->quoted = 0;
	*i = j;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1));
    requires \valid(f + (0 .. TES_BATCH_FIELDS_MAX - 1)) && \valid(nf) && \valid(why);
    requires \separated(f + (0 .. TES_BATCH_FIELDS_MAX - 1), nf, why, s + (0 .. n-1));
    terminates \true;
    assigns f[0 .. TES_BATCH_FIELDS_MAX - 1], *nf;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> 1 <= *nf <= TES_BATCH_FIELDS_MAX && spans_ok(f, *nf, n);
    ensures \result != 0 ==> *nf == \old(*nf) && *why != \null;
 */
/* Split a CSV line into at most 6 fields (RFC 4180, blanks around fields dropped). */
static int
csv_split(const uint8_t *s, size_t n, int eof, struct span *f, size_t *nf, const char **why)
{
	size_t i = 0, k = 0;

	/*@ loop invariant 0 <= i <= n && 0 <= k <= TES_BATCH_FIELDS_MAX;
	    loop invariant spans_ok(f, k, n);
	    loop assigns i, k, f[0 .. TES_BATCH_FIELDS_MAX - 1], *why;
	    loop variant n - i; */
	for (;;) {
		if (k == TES_BATCH_FIELDS_MAX) {
			/*= spec/INPUT.md#csv MUST-IC1: at most six fields */
			*why = "too many fields: at most plate,speed,limit,location,time,id";
			return -1;
		}
		i = skip_blanks(s, n, i);
		if (i < n && s[i] == '"') {
			/*= spec/INPUT.md#csv MUST-IC2: RFC 4180 quoting, "" for a quote */
			if (quoted_field(s, n, eof, &i, &f[k], why) != 0)
				return -1;
		} else if (plain_field(s, n, &i, &f[k], why) != 0) {
			return -1;
		}
		k++;
		if (i == n)
			break;
		i++; /* the comma */
	}
	*nf = k;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && \valid_read(sp) && sp->from <= sp->to <= n;
    requires \valid(val + (0 .. TES_BATCH_VALUE_MAX - 1)) && \valid(vlen);
    requires \separated(val + (0 .. TES_BATCH_VALUE_MAX - 1), vlen, sp, s + (0 .. n-1));
    terminates \true;
    assigns val[0 .. TES_BATCH_VALUE_MAX - 1], *vlen;
    ensures *vlen <= TES_BATCH_VALUE_MAX && *vlen <= sp->to - sp->from;
 */
/*
 * A field's value into val: its bytes, "" as one quote when quoted. A value
 * of VALUE_MAX bytes is cut there: it is too long for every column.
 */
static void
csv_value(const uint8_t *s, size_t n, const struct span *sp, uint8_t *val, size_t *vlen)
{
	size_t i = sp->from, k = 0;

	/*@ loop invariant sp->from <= i <= sp->to && 0 <= k <= TES_BATCH_VALUE_MAX;
	    loop invariant k <= i - sp->from;
	    loop assigns i, k, val[0 .. TES_BATCH_VALUE_MAX - 1];
	    loop variant sp->to - i; */
	while (i < sp->to && i < n && k < TES_BATCH_VALUE_MAX) {
		val[k++] = s[i];
		i += sp->quoted && s[i] == '"' && i + 1 < sp->to ? 2 : 1;
	}
	*vlen = k;
}

/*@ requires \valid_read(f + (0 .. nf-1));
    terminates \true;
    assigns \nothing;
 */
static int
all_empty(const struct span *f, size_t nf)
{
	size_t k;

	/*@ loop invariant 0 <= k <= nf;
	    loop assigns k;
	    loop variant nf - k; */
	for (k = 0; k < nf; k++)
		if (f[k].from != f[k].to)
			return 0;
	return 1;
}

/*@ requires \valid_read(s + (0 .. n-1)) && nf <= TES_BATCH_FIELDS_MAX;
    requires \valid_read(f + (0 .. nf-1)) && spans_ok(f, nf, n);
    requires \separated(f + (0 .. nf-1), s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
 */
/* Whether one of the fields names a column (any case). */
static int
names_a_column(const uint8_t *s, size_t n, const struct span *f, size_t nf)
{
	uint8_t val[TES_BATCH_VALUE_MAX];
	size_t k, vlen;

	/*@ loop invariant 0 <= k <= nf;
	    loop assigns k, vlen, val[0 .. TES_BATCH_VALUE_MAX - 1];
	    loop variant nf - k; */
	for (k = 0; k < nf; k++) {
		csv_value(s, n, &f[k], val, &vlen);
		if (column_of(val, vlen, 1) != TES_BATCH_COL_NONE)
			return 1;
	}
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && nf <= TES_BATCH_FIELDS_MAX;
    requires \valid_read(f + (0 .. nf-1)) && spans_ok(f, nf, n);
    requires \valid(col + (0 .. TES_BATCH_FIELDS_MAX - 1)) && cols_ok(col) && \valid(why);
    requires \separated(col + (0 .. TES_BATCH_FIELDS_MAX - 1), why, f + (0 .. nf-1), s + (0 .. n-1));
    terminates \true;
    assigns col[0 .. TES_BATCH_FIELDS_MAX - 1];
    assigns *why \from \nothing;
    ensures cols_ok(col);
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \forall integer k; 0 <= k < nf ==> 1 <= col[k];
    ensures \result != 0 ==> *why != \null;
 */
/* The header's columns into col: known names, each at most once, plate and speed among them. */
static int
csv_header(const uint8_t *s, size_t n, const struct span *f, size_t nf, uint16_t *col, const char **why)
{
	uint8_t val[TES_BATCH_VALUE_MAX], seen[TES_BATCH_COL_ID + 1] = { 0 }, c;
	size_t k, vlen;

	/*@ loop invariant 0 <= k <= nf && cols_ok(col);
	    loop invariant \forall integer j; 0 <= j < k ==> 1 <= col[j];
	    loop assigns k, vlen, c, val[0 .. TES_BATCH_VALUE_MAX - 1], seen[0 .. TES_BATCH_COL_ID],
	                 col[0 .. TES_BATCH_FIELDS_MAX - 1], *why;
	    loop variant nf - k; */
	for (k = 0; k < nf; k++) {
		csv_value(s, n, &f[k], val, &vlen);
		c = column_of(val, vlen, 1);
		/*= spec/INPUT.md#csv MUST-IC5: unknown, repeated or missing names refuse the header */
		if (c == TES_BATCH_COL_NONE) {
			*why = "unknown column name in the header (the columns are plate, speed, limit, "
			       "location, time, id)";
			return -1;
		}
		if (seen[c] != 0) {
			*why = "a column is named twice in the header";
			return -1;
		}
		seen[c] = 1;
		col[k] = c;
	}
	if (seen[TES_BATCH_COL_PLATE] == 0 || seen[TES_BATCH_COL_SPEED] == 0) {
		*why = "the header must name the plate and speed columns";
		return -1;
	}
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && nf <= TES_BATCH_FIELDS_MAX;
    requires \valid_read(f + (0 .. nf-1)) && spans_ok(f, nf, n);
    requires \valid_read(col + (0 .. TES_BATCH_FIELDS_MAX - 1)) && cols_ok(col);
    requires ncol <= TES_BATCH_FIELDS_MAX;
    requires \valid(r) && \valid(why);
    requires \separated(r, why, col + (0 .. TES_BATCH_FIELDS_MAX - 1), f + (0 .. nf-1), s + (0 .. n-1));
    terminates \true;
    assigns *r;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> batch_rec_ok(r);
    ensures \result != 0 ==> *why != \null;
 */
/* A CSV record from its fields; an empty field is an absent value. */
static int
csv_record(const uint8_t *s, size_t n, const struct span *f, size_t nf, const uint16_t *col, size_t ncol,
	   struct tes_batch_rec *r, const char **why)
{
	uint8_t val[TES_BATCH_VALUE_MAX];
	size_t k, vlen;
	int speed = 0;

	if (nf > ncol) {
		*why = "more fields than the header has columns";
		return -1;
	}
	rec_clear(r);
	/*@ loop invariant 0 <= k <= nf && rec_partial(r);
	    loop invariant speed == 0 || speed == 1;
	    loop assigns k, vlen, speed, val[0 .. TES_BATCH_VALUE_MAX - 1], *r, *why;
	    loop variant nf - k; */
	for (k = 0; k < nf; k++) {
		if (col[k] == TES_BATCH_COL_NONE)
			continue;
		csv_value(s, n, &f[k], val, &vlen);
		if (vlen == 0)
			continue;
		if (set_field((uint8_t)col[k], val, vlen, r, why) != 0)
			return -1;
		if (col[k] == TES_BATCH_COL_SPEED)
			speed = 1;
	}
	/*= spec/INPUT.md#records MUST-IR1: plate and speed are required */
	if (r->plate_len == 0) {
		*why = "missing plate";
		return -1;
	}
	if (speed == 0) {
		*why = "missing speed";
		return -1;
	}
	return 0;
}

/* ---- JSON Lines ---------------------------------------------------------------------- */

/*@ terminates \true;
    assigns \nothing;
    ensures -1 <= \result <= 15;
 */
static int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*@ requires \valid_read(s + (0 .. n-1)) && j <= n && \valid(u) && \separated(u, s + (0 .. n-1));
    terminates \true;
    assigns *u;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> j + 4 <= n && *u <= 0xffff;
 */
/* Four hex digits at s[j] into *u. */
static int
hex4(const uint8_t *s, size_t n, size_t j, uint32_t *u)
{
	int a, b, c, d;

	if (n - j < 4 || (a = hex_value(s[j])) < 0 || (b = hex_value(s[j + 1])) < 0 ||
	    (c = hex_value(s[j + 2])) < 0 || (d = hex_value(s[j + 3])) < 0)
		return -1;
	*u = (uint32_t)(((a * 16 + b) * 16 + c) * 16 + d);
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && j < n;
    requires \valid(u) && \valid(len) && \valid(why);
    requires \separated(u, len, why, s + (0 .. n-1));
    terminates \true;
    assigns *u, *len;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> 2 <= *len && j + *len <= n && 0x20 <= *u <= 0x10ffff;
    ensures \result != 0 ==> *why != \null;
 */
/* The escape at s[j] (a backslash): its code point *u, its length *len. */
static int
json_escape(const uint8_t *s, size_t n, size_t j, uint32_t *u, size_t *len, const char **why)
{
	uint32_t hi = 0, lo = 0;

	if (n - j < 2) {
		*why = "a backslash at the end of a string";
		return -1;
	}
	*len = 2;
	if (s[j + 1] == '"' || s[j + 1] == '\\' || s[j + 1] == '/') {
		*u = s[j + 1];
		return 0;
	}
	/*= spec/INPUT.md#jsonl MUST-IJ4: no NUL and no control character, even escaped */
	if (s[j + 1] == 'b' || s[j + 1] == 'f' || s[j + 1] == 'n' || s[j + 1] == 'r' || s[j + 1] == 't') {
		*why = "control characters are not accepted, even escaped";
		return -1;
	}
	if (s[j + 1] != 'u') {
		*why = "unknown escape in a string (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)";
		return -1;
	}
	if (hex4(s, n, j + 2, &hi) != 0) {
		*why = "\\u must be followed by 4 hexadecimal digits";
		return -1;
	}
	*len = 6;
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		*why = "a lone low surrogate in a \\u escape";
		return -1;
	}
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (n - j < 12 || s[j + 6] != '\\' || s[j + 7] != 'u' || hex4(s, n, j + 8, &lo) != 0 ||
		    lo < 0xdc00 || lo > 0xdfff) {
			*why = "a high surrogate escape must be followed by a low one, e.g. \\ud83d\\ude93";
			return -1;
		}
		*u = 0x10000 + (hi - 0xd800) * 1024 + (lo - 0xdc00);
		*len = 12;
		return 0;
	}
	if (hi == 0) {
		*why = "\\u0000 is not accepted";
		return -1;
	}
	if (hi < 0x20 || (hi >= 0x7f && hi <= 0x9f)) {
		*why = "control characters are not accepted, even escaped";
		return -1;
	}
	*u = hi;
	return 0;
}

/*@ requires \valid(out + (0 .. 3)) && 0 < u <= 0x10ffff;
    terminates \true;
    assigns out[0 .. 3];
    ensures 1 <= \result <= 4;
 */
/* Code point u as UTF-8 into out; returns its length. */
static size_t
utf8_put(uint32_t u, uint8_t *out)
{
	if (u < 0x80) {
		out[0] = (uint8_t)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (uint8_t)(0xc0 + u / 64);
		out[1] = (uint8_t)(0x80 + u % 64);
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (uint8_t)(0xe0 + u / 4096);
		out[1] = (uint8_t)(0x80 + u / 64 % 64);
		out[2] = (uint8_t)(0x80 + u % 64);
		return 3;
	}
	out[0] = (uint8_t)(0xf0 + u / 262144);
	out[1] = (uint8_t)(0x80 + u / 4096 % 64);
	out[2] = (uint8_t)(0x80 + u / 64 % 64);
	out[3] = (uint8_t)(0x80 + u % 64);
	return 4;
}

/*@ requires \valid_read(s + (0 .. n-1)) && \valid(i) && *i < n && s[*i] == '"';
    requires \valid(val + (0 .. TES_BATCH_VALUE_MAX - 1)) && \valid(vlen) && \valid(why);
    requires \separated(i, vlen, why, val + (0 .. TES_BATCH_VALUE_MAX - 1), s + (0 .. n-1));
    terminates \true;
    assigns *i, val[0 .. TES_BATCH_VALUE_MAX - 1], *vlen;
    assigns *why \from \nothing;
    ensures -1 <= \result <= 1;
    ensures \result == 0 ==> \old(*i) < *i <= n && *vlen <= TES_BATCH_VALUE_MAX;
    ensures \result == 1 ==> *vlen == TES_BATCH_VALUE_MAX;
    ensures \result == -1 ==> *why != \null;
 */
/*
 * The JSON string at s[*i], unescaped into val, *i moved past it. 1: it
 * does not fit val, so it is too long for every field (*vlen says
 * VALUE_MAX, and only that length is looked at).
 */
static int
json_string(const uint8_t *s, size_t n, size_t *i, uint8_t *val, size_t *vlen, const char **why)
{
	uint8_t tmp[4];
	size_t j = *i + 1, k = 0, len = 0, w, q;
	uint32_t u = 0;

	/*@ loop invariant *i + 1 <= j <= n && 0 <= k <= TES_BATCH_VALUE_MAX;
	    loop assigns j, k, len, w, q, u, tmp[0 .. 3], val[0 .. TES_BATCH_VALUE_MAX - 1], *why;
	    loop variant n - j; */
	while (j < n && s[j] != '"') {
		if (s[j] == '\t') {
			*why = "a TAB inside a string is not accepted";
			return -1;
		}
		if (s[j] != '\\') {
			if (k == TES_BATCH_VALUE_MAX) {
				*vlen = TES_BATCH_VALUE_MAX;
				return 1;
			}
			val[k++] = s[j++];
			continue;
		}
		if (json_escape(s, n, j, &u, &len, why) != 0)
			return -1;
		w = utf8_put(u, tmp);
		if (w > TES_BATCH_VALUE_MAX - k) {
			*vlen = TES_BATCH_VALUE_MAX;
			return 1;
		}
		/*@ loop invariant 0 <= q <= w;
		    loop assigns q, val[0 .. TES_BATCH_VALUE_MAX - 1];
		    loop variant w - q; */
		for (q = 0; q < w; q++)
			val[k + q] = tmp[q];
		k += w;
		j += len;
	}
	if (j == n) {
		*why = "a string is not closed (a \" is missing)";
		return -1;
	}
	*i = j + 1;
	*vlen = k;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && \valid(i) && *i < n;
    requires s[*i] == '-' || '0' <= s[*i] <= '9';
    requires \valid(from) && \valid(why);
    requires \separated(i, from, why, s + (0 .. n-1));
    terminates \true;
    assigns *i, *from;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \old(*i) == *from < *i <= n;
    ensures \result != 0 ==> *why != \null;
 */
/* A JSON number at s[*i]: only a non-negative integer is taken, s[*from .. *i-1]. */
static int
json_number(const uint8_t *s, size_t n, size_t *i, size_t *from, const char **why)
{
	size_t j = *i + 1, k;

	/*@ loop invariant *i < j <= n;
	    loop assigns j;
	    loop variant n - j; */
	while (j < n &&
	       (digit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-'))
		j++;
	/*= spec/INPUT.md#jsonl MUST-IJ3: speed and limit are non-negative JSON integers */
	if (s[*i] == '-') {
		*why = "speed and limit must not be negative";
		return -1;
	}
	/*@ loop invariant *i <= k <= j;
	    loop assigns k;
	    loop variant j - k; */
	for (k = *i; k < j; k++)
		if (!digit(s[k])) {
			*why = "speed and limit must be whole numbers (no fraction, no exponent)";
			return -1;
		}
	if (j - *i > 1 && s[*i] == '0') {
		*why = "a JSON number does not start with 0 (write 90, not 090)";
		return -1;
	}
	*from = *i;
	*i = j;
	return 0;
}

/*@ requires \valid_read(s + (0 .. n-1)) && \valid(i) && *i < n;
    requires TES_BATCH_COL_PLATE <= kind <= TES_BATCH_COL_ID;
    requires \valid(got + (0 .. TES_BATCH_COL_ID)) && \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(i, got + (0 .. TES_BATCH_COL_ID), r, why, s + (0 .. n-1));
    requires got[kind] == 1 && plate_seen(got, r);
    terminates \true;
    assigns *i, got[0 .. TES_BATCH_COL_ID], *r;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \old(*i) < *i <= n && plate_seen(got, r);
    ensures \result != 0 ==> *why != \null;
 */
/* The value at s[*i] of key kind: null (absent), a string or a number as the key takes. */
static int
json_value(const uint8_t *s, size_t n, size_t *i, uint8_t kind, int *got, struct tes_batch_rec *r,
	   const char **why)
{
	uint8_t val[TES_BATCH_VALUE_MAX], c = s[*i];
	size_t vlen = 0, from = 0;
	int number = kind == TES_BATCH_COL_SPEED || kind == TES_BATCH_COL_LIMIT, e;

	if (c == 'n') {
		if (n - *i >= 4 && s[*i + 1] == 'u' && s[*i + 2] == 'l' && s[*i + 3] == 'l') {
			*i += 4;
			return 0;
		}
	} else if (c == '"') {
		if (number) {
			*why = "speed and limit take a number, not a string: \"speed\": 120";
			return -1;
		}
		if ((e = json_string(s, n, i, val, &vlen, why)) < 0)
			return -1;
		if (vlen == 0)
			return 0;
		/* too long (e == 1): set_field refuses it by its length */
		if (set_field(kind, val, vlen, r, why) != 0)
			return -1;
		got[kind] = 2;
		return 0;
	} else if (c == '-' || digit(c)) {
		if (!number) {
			*why = "plate, location, time and id take a string in double quotes";
			return -1;
		}
		if (json_number(s, n, i, &from, why) != 0 ||
		    set_field(kind, s + from, *i - from, r, why) != 0)
			return -1;
		got[kind] = 2;
		return 0;
	} else if (c == '{' || c == '[') {
		*why = "nested objects and arrays are not accepted";
		return -1;
	} else if (c == 't' || c == 'f') {
		*why = "true and false are not accepted as values";
		return -1;
	}
	*why = "expected a value: a string, a whole number or null";
	return -1;
}

/*@ requires \valid_read(s + (0 .. n-1)) && \valid(i) && *i <= n;
    requires \valid(got + (0 .. TES_BATCH_COL_ID)) && \valid(r) && \valid(why) && rec_partial(r);
    requires \separated(i, got + (0 .. TES_BATCH_COL_ID), r, why, s + (0 .. n-1));
    requires plate_seen(got, r);
    terminates \true;
    assigns *i, got[0 .. TES_BATCH_COL_ID], *r;
    assigns *why \from \nothing;
    ensures rec_partial(r);
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \old(*i) < *i <= n && plate_seen(got, r);
    ensures \result != 0 ==> *why != \null;
 */
/* One "key": value member at s[*i]. */
static int
json_member(const uint8_t *s, size_t n, size_t *i, int *got, struct tes_batch_rec *r, const char **why)
{
	uint8_t key[TES_BATCH_VALUE_MAX], kind;
	size_t klen = 0, j;
	int e;

	if (*i == n || s[*i] != '"') {
		*why = "expected a key in double quotes";
		return -1;
	}
	if ((e = json_string(s, n, i, key, &klen, why)) < 0)
		return -1;
	kind = e == 0 ? column_of(key, klen, 0) : TES_BATCH_COL_NONE;
	/*= spec/INPUT.md#jsonl MUST-IJ2: unknown and repeated keys are refused */
	if (kind == TES_BATCH_COL_NONE) {
		*why = "unknown key (the keys are plate, speed, limit, location, time, id)";
		return -1;
	}
	if (got[kind] != 0) {
		*why = "a key appears twice";
		return -1;
	}
	got[kind] = 1;
	j = skip_blanks(s, n, *i);
	if (j == n || s[j] != ':') {
		*why = "expected : after the key";
		return -1;
	}
	*i = skip_blanks(s, n, j + 1);
	if (*i == n) {
		*why = "expected a value after :";
		return -1;
	}
	return json_value(s, n, i, kind, got, r, why);
}

/*@ requires \valid_read(s + (0 .. n-1));
    requires \valid(r) && \valid(why);
    requires \separated(r, why, s + (0 .. n-1));
    terminates \true;
    assigns *r;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> batch_rec_ok(r);
    ensures \result != 0 ==> *why != \null;
 */
/* A JSON Lines record: one flat object, blanks around, nothing after it. */
static int
json_object(const uint8_t *s, size_t n, struct tes_batch_rec *r, const char **why)
{
	int got[TES_BATCH_COL_ID + 1] = { 0 }; /* int, a type no field of *r has */
	size_t i;

	rec_clear(r);
	i = skip_blanks(s, n, 0);
	/*= spec/INPUT.md#jsonl MUST-IJ1: one flat object a line, nothing after it */
	if (i == n || s[i] != '{') {
		*why = "expected a JSON object: {\"plate\": \"34ABC12\", \"speed\": 120}";
		return -1;
	}
	i = skip_blanks(s, n, i + 1);
	if (i < n && s[i] == '}') {
		i++;
	} else {
		/*@ loop invariant 0 <= i <= n && rec_partial(r) && plate_seen(&got[0], r);
		    loop assigns i, got[0 .. TES_BATCH_COL_ID], *r, *why;
		    loop variant n - i; */
		for (;;) {
			if (json_member(s, n, &i, got, r, why) != 0)
				return -1;
			i = skip_blanks(s, n, i);
			if (i < n && s[i] == ',') {
				i = skip_blanks(s, n, i + 1);
				continue;
			}
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			*why = "expected , or } after a value";
			return -1;
		}
	}
	if (skip_blanks(s, n, i) != n) {
		*why = "text after the object (one object a line)";
		return -1;
	}
	/*= spec/INPUT.md#records MUST-IR1: plate and speed are required */
	if (r->plate_len == 0) {
		*why = "missing plate";
		return -1;
	}
	if (got[TES_BATCH_COL_SPEED] != 2) {
		*why = "missing speed";
		return -1;
	}
	return 0;
}

/* ---- lines --------------------------------------------------------------------------- */

/*@ requires \valid(hdr) && \valid(ncol) && \valid(col + (0 .. TES_BATCH_FIELDS_MAX - 1)) && \valid(why);
    requires cols_ok(col) && *ncol <= TES_BATCH_FIELDS_MAX;
    requires \valid_read(s + (0 .. n-1)) && nf <= TES_BATCH_FIELDS_MAX;
    requires \valid_read(f + (0 .. nf-1)) && (bad == 0 ==> spans_ok(f, nf, n));
    requires bad != 0 ==> *why != \null;
    requires \separated(hdr, ncol, col + (0 .. TES_BATCH_FIELDS_MAX - 1), why, f + (0 .. nf-1), s + (0 .. n-1));
    terminates \true;
    assigns *hdr, *ncol, col[0 .. TES_BATCH_FIELDS_MAX - 1];
    assigns *why \from \nothing;
    ensures cols_ok(col) && *ncol <= TES_BATCH_FIELDS_MAX;
    ensures \result == -1 || \result == 0 || \result == 1;
    ensures \result == 0 ==> *hdr == TES_BATCH_HDR_NONE && *ncol == TES_BATCH_FIELDS_MAX && *why == \old(*why);
    ensures \result == 1 ==> *hdr == TES_BATCH_HDR_NAMED;
    ensures \result == -1 ==> *hdr == TES_BATCH_HDR_REFUSED && *why != \null;
 */
/*
 * The first CSV record, s[0 .. n-1] (bad: refused by the byte or field
 * rules, with *why set): 1 when it is a valid header (its columns into col),
 * -1 when it is a header that is refused, 0 when it is no header (the
 * default columns into col).
 */
static int
csv_columns(uint16_t *hdr, uint16_t *ncol, uint16_t *col, const uint8_t *s, size_t n, const struct span *f,
	    size_t nf, int bad, const char **why)
{
	size_t k;

	/*= spec/INPUT.md#csv MUST-IC4: the first record is a header when it has no digit or names a column */
	if (!has_digit(s, n) || (bad == 0 && names_a_column(s, n, f, nf))) {
		if (bad != 0 || csv_header(s, n, f, nf, col, why) != 0) {
			*hdr = TES_BATCH_HDR_REFUSED;
			return -1;
		}
		*hdr = TES_BATCH_HDR_NAMED;
		*ncol = (uint16_t)nf;
		return 1;
	}
	/*@ loop invariant 0 <= k <= TES_BATCH_FIELDS_MAX && cols_ok(col);
	    loop assigns k, col[0 .. TES_BATCH_FIELDS_MAX - 1];
	    loop variant TES_BATCH_FIELDS_MAX - k; */
	for (k = 0; k < TES_BATCH_FIELDS_MAX; k++)
		col[k] = (uint16_t)(k + 1);
	*ncol = TES_BATCH_FIELDS_MAX;
	*hdr = TES_BATCH_HDR_NONE;
	return 0;
}

/*@ requires \valid(b) && hdr_ok(b) && off <= n <= TES_BATCH_LINE_MAX + 1;
    requires \valid(r) && \valid(why) && \separated(b, r, why);
    terminates \true;
    assigns b->hdr, b->ncol, b->col[0 .. TES_BATCH_FIELDS_MAX - 1], *r;
    assigns *why \from \nothing;
    ensures hdr_ok(b);
    ensures \result == TES_BATCH_MORE || \result == TES_BATCH_RECORD || \result == TES_BATCH_ERROR;
    ensures \result == TES_BATCH_RECORD ==> batch_rec_ok(r);
    ensures \result == TES_BATCH_ERROR ==> *why != \null;
 */
/* A CSV line, b->line[off .. n-1]: the header, a record, or why it is refused. */
static int
csv_line(struct tes_batch *b, size_t off, size_t n, int eof, struct tes_batch_rec *r, const char **why)
{
	struct span f[TES_BATCH_FIELDS_MAX];
	const uint8_t *s = b->line + off;
	size_t m = n - off, nf = 0;
	int bad, c;

	/*= spec/INPUT.md#csv MUST-IC6: after a refused header every record is refused */
	if (b->hdr == TES_BATCH_HDR_REFUSED) {
		*why = "the header line was refused, so the columns are unknown: fix the header";
		return TES_BATCH_ERROR;
	}
	if (check_bytes(s, m, why) != 0 || csv_split(s, m, eof, f, &nf, why) != 0)
		bad = 1;
	else
		bad = 0;
	/*@ assert bad != 0 ==> *why != \null && nf == 0; */
	if (bad == 0 && all_empty(f, nf))
		return TES_BATCH_MORE;
	if (b->hdr == TES_BATCH_HDR_UNSEEN) {
		c = csv_columns(&b->hdr, &b->ncol, b->col, s, m, f, nf, bad, why);
		/*@ assert hdr_ok(b); */
		if (c != 0)
			return c > 0 ? TES_BATCH_MORE : TES_BATCH_ERROR;
	}
	if (bad != 0)
		return TES_BATCH_ERROR;
	/*@ assert hdr_ok(b); */
	c = csv_record(s, m, f, nf, b->col, b->ncol, r, why);
	/*@ assert hdr_ok(b); */
	return c == 0 ? TES_BATCH_RECORD : TES_BATCH_ERROR;
}

/*@ requires \valid(b) && batch_ok(b);
    requires \valid(r) && \valid(why) && \separated(b, r, why);
    terminates \true;
    assigns b->fmt, b->hdr, b->ncol, b->col[0 .. TES_BATCH_FIELDS_MAX - 1], *r;
    assigns *why \from \nothing;
    ensures TES_BATCH_AUTO <= b->fmt <= TES_BATCH_JSONL && hdr_ok(b);
    ensures \result == TES_BATCH_MORE || \result == TES_BATCH_RECORD || \result == TES_BATCH_ERROR;
    ensures \result == TES_BATCH_RECORD ==> batch_rec_ok(r);
    ensures \result == TES_BATCH_ERROR ==> *why != \null;
 */
/* The line in b->line[0 .. b->len-1], its end taken off: nothing, a record, or why it is refused. */
static int
read_line(struct tes_batch *b, int eof, struct tes_batch_rec *r, const char **why)
{
	size_t n = b->len, off = 0, i;

	/*= spec/INPUT.md#lines MUST-IL1: a line ends at LF or CR LF */
	if (b->over == 0 && n > 0 && b->line[n - 1] == '\r')
		n--;
	if (b->no == 1 && n >= 3 && b->line[0] == 0xef && b->line[1] == 0xbb && b->line[2] == 0xbf)
		off = 3; /* a byte order mark */
	/*= spec/INPUT.md#lines MUST-IL4: blank lines and comments yield nothing */
	if (off < n && b->line[off] == '#')
		return TES_BATCH_MORE;
	/*= spec/INPUT.md#lines MUST-IL2: a line over the limit is refused alone */
	if (b->over != 0 || n > TES_BATCH_LINE_MAX) {
		*why = "line longer than 1024 bytes";
		return TES_BATCH_ERROR;
	}
	i = skip_blanks(b->line, n, off);
	if (i == n)
		return TES_BATCH_MORE;
	/*= spec/INPUT.md#lines MUST-IL5: AUTO is JSON Lines when the first line starts with { */
	if (b->fmt == TES_BATCH_AUTO)
		b->fmt = b->line[i] == '{' ? TES_BATCH_JSONL : TES_BATCH_CSV;
	if (b->fmt == TES_BATCH_JSONL)
		return check_bytes(b->line + off, n - off, why) != 0 ||
				       json_object(b->line + off, n - off, r, why) != 0
			       ? TES_BATCH_ERROR
			       : TES_BATCH_RECORD;
	return csv_line(b, off, n, eof, r, why);
}

/*@ requires \valid(b) && batch_ok(b) && b->full == 0;
    requires \valid(rec) && \valid(why) && \separated(b, rec, why);
    terminates \true;
    assigns *b, *rec;
    assigns *why \from \nothing;
    ensures batch_ok(b) && b->len == 0;
    ensures b->no >= \old(b->no);
    ensures \result == TES_BATCH_MORE || \result == TES_BATCH_RECORD || \result == TES_BATCH_ERROR;
    ensures \result == TES_BATCH_MORE ==> b->last == \old(b->last);
    ensures \result != TES_BATCH_MORE ==> \old(b->last) < rec->line && rec->line == b->last;
    ensures \result == TES_BATCH_RECORD ==> batch_rec_ok(rec);
    ensures \result == TES_BATCH_ERROR ==> *why != \null;
 */
/* The line is complete: read it, then start the next one. */
static int
finish_line(struct tes_batch *b, int eof, struct tes_batch_rec *rec, const char **why)
{
	int r = read_line(b, eof, rec, why);

	/*@ assert b->len == \at(b->len, Pre) && b->no == \at(b->no, Pre) && b->last == \at(b->last, Pre); */

	if (r != TES_BATCH_MORE) {
		rec->line = b->no;
		b->last = b->no;
	}
	b->len = 0;
	b->over = 0;
	if (b->no < ULONG_MAX)
		b->no++;
	else
		b->full = 1;
	return r;
}

/* see batch.h */
void
tes_batch_init(struct tes_batch *b, enum tes_batch_format f)
{
	size_t k;

	b->len = 0;
	b->no = 1;
	b->last = 0;
	b->over = 0;
	b->full = 0;
	b->fmt = f;
	b->hdr = TES_BATCH_HDR_UNSEEN;
	b->ncol = 0;
	/*@ loop invariant 0 <= k <= TES_BATCH_FIELDS_MAX;
	    loop invariant \forall integer j; 0 <= j < k ==> b->col[j] == 0;
	    loop assigns k, b->col[0 .. TES_BATCH_FIELDS_MAX - 1];
	    loop variant TES_BATCH_FIELDS_MAX - k; */
	for (k = 0; k < TES_BATCH_FIELDS_MAX; k++)
		b->col[k] = 0;
}

/* see batch.h */
int
tes_batch_feed(struct tes_batch *b, const uint8_t *p, size_t n, size_t *used, struct tes_batch_rec *rec,
	       const char **why)
{
	size_t i;
	int r;

	/*@ loop invariant 0 <= i <= n && batch_ok(b);
	    loop invariant b->last == \at(b->last, Pre) && b->no >= \at(b->no, Pre);
	    loop assigns i, r, *b, *rec, *why;
	    loop variant n - i; */
	for (i = 0; i < n && b->full == 0; i++) {
		if (p[i] != '\n') {
			/*= spec/INPUT.md#lines MUST-IL2: the rest of a long line is dropped, never a line of its own */
			if (b->len <= TES_BATCH_LINE_MAX)
				b->line[b->len++] = p[i];
			else
				b->over = 1;
			continue;
		}
		if ((r = finish_line(b, 0, rec, why)) != TES_BATCH_MORE) {
			*used = i + 1;
			return r;
		}
	}
	*used = n;
	return TES_BATCH_MORE;
}

/* see batch.h */
int
tes_batch_end(struct tes_batch *b, struct tes_batch_rec *rec, const char **why)
{
	if (b->full != 0 || b->len == 0)
		return TES_BATCH_MORE;
	return finish_line(b, 1, rec, why);
}
