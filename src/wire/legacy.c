/* SPDX-License-Identifier: ISC */
/*
 * The original system's files (spec/LEGACY.md): padding, the JSON objects of
 * drivers.enc and users.json, old plates. See legacy.h.
 */
#include "wire/legacy.h"

/*@ predicate json_ws(integer c) = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    predicate hex_lower(integer c) = ('0' <= c <= '9') || ('a' <= c <= 'f');
 */

/*@ requires \valid(j);
    requires 1 <= why <= TES_LEGACY_WHY_MAX;
    terminates \true;
    assigns j->state, j->why, j->err_off;
    ensures j->state == TES_LEGACY_ST_FAILED && j->why == why && j->err_off == at;
    ensures \result == TES_ERR_FORMAT;
 */
/* Refuse the text: the failure is sticky. */
static int
fail(struct tes_legacy_json *j, uint8_t why, size_t at)
{
	j->state = TES_LEGACY_ST_FAILED;
	j->why = why;
	j->err_off = at;
	return TES_ERR_FORMAT;
}

/*@ requires \valid_read(p + (0 .. n-1)) && i <= n;
    terminates \true;
    assigns \nothing;
    ensures i <= \result <= n;
    ensures \result < n ==> !json_ws(p[\result]);
 */
/* The first byte at or after i that is not JSON whitespace (RFC 8259 ws). */
static size_t
skip_ws(const uint8_t *p, size_t n, size_t i)
{
	/*= spec/LEGACY.md#json MUST-LG6: whitespace between tokens */
	/*@ loop invariant \at(i, Pre) <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/*@ terminates \true;
    assigns \nothing;
    ensures -1 <= \result <= 15;
    ensures \result >= 0 <==> (('0' <= c <= '9') || ('a' <= c <= 'f') || ('A' <= c <= 'F'));
 */
/* A hex digit's value (either case, as JSON's \u allows), or -1. */
static int
hex_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*@ requires \valid_read(q + (0 .. 3)) && \valid(v);
    requires \separated(v, q + (0 .. 3));
    terminates \true;
    assigns *v;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> *v <= 0xffff;
 */
/* The four hex digits at q[0 .. 3] as a number. */
static int
hex4(const uint8_t *q, uint32_t *v)
{
	int a = hex_val(q[0]), b = hex_val(q[1]), c = hex_val(q[2]), d = hex_val(q[3]);

	if (a < 0 || b < 0 || c < 0 || d < 0)
		return -1;
	*v = (uint32_t)(a * 4096 + b * 256 + c * 16 + d);
	return 0;
}

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(cp) && \valid(adv);
    requires \separated(cp, adv, p + (0 .. n-1));
    requires i < n && p[i] == '\\';
    terminates \true;
    assigns *cp, *adv;
    ensures 0 <= \result <= TES_LEGACY_WHY_MAX;
    ensures \result == 0 ==> *cp <= 0x10ffff && 2 <= *adv <= 12 && *adv <= n - i;
 */
/*
 * The escape at p[i] ('\'): 0 with the code point in *cp and the bytes it
 * takes in *adv, or why not.
 */
static uint8_t
escape(const uint8_t *p, size_t n, size_t i, uint32_t *cp, size_t *adv)
{
	uint32_t hi, lo;
	uint8_t e;

	if (n - i < 2)
		return TES_LEGACY_WHY_STRING_END;
	e = p[i + 1];
	*adv = 2;
	/*= spec/LEGACY.md#json MUST-LG4: the escapes of RFC 8259 */
	switch (e) {
	case '"':
	case '\\':
	case '/':
		*cp = e;
		return 0;
	case 'b':
		*cp = 8;
		return 0;
	case 'f':
		*cp = 12;
		return 0;
	case 'n':
		*cp = 10;
		return 0;
	case 'r':
		*cp = 13;
		return 0;
	case 't':
		*cp = 9;
		return 0;
	case 'u':
		break;
	default:
		return TES_LEGACY_WHY_ESCAPE;
	}
	if (n - i < 6 || hex4(p + i + 2, &hi) != 0)
		return TES_LEGACY_WHY_HEX;
	*cp = hi;
	*adv = 6;
	if (hi < 0xd800 || hi > 0xdfff)
		return 0;
	/* a surrogate: a high one, then "\u" and a low one, or nothing */
	if (hi > 0xdbff || n - i < 12 || p[i + 6] != '\\' || p[i + 7] != 'u' || hex4(p + i + 8, &lo) != 0 ||
	    lo < 0xdc00 || lo > 0xdfff)
		return TES_LEGACY_WHY_SURROGATE;
	*cp = 0x10000 + (hi - 0xd800) * 1024 + (lo - 0xdc00);
	*adv = 12;
	return 0;
}

/*@ requires \valid(out + (0 .. cap-1)) && \valid(k);
    requires \separated(k, out + (0 .. cap-1));
    requires cp <= 0x10ffff && *k <= cap && cap <= TES_LEGACY_KEY_MAX;
    terminates \true;
    assigns *k, out[0 .. cap-1];
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> \old(*k) < *k <= cap;
    ensures \result != 0 ==> *k == \old(*k);
 */
/* Append code point cp in UTF-8 to out[0 .. *k-1], at most cap bytes in all. */
static int
put_utf8(uint32_t cp, uint8_t *out, size_t cap, size_t *k)
{
	size_t at = *k, len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	if (cap - at < len)
		return -1;
	if (len == 1) {
		out[at] = (uint8_t)cp;
	} else if (len == 2) {
		out[at] = (uint8_t)(0xc0 + cp / 64);
		out[at + 1] = (uint8_t)(0x80 + cp % 64);
	} else if (len == 3) {
		out[at] = (uint8_t)(0xe0 + cp / 4096);
		out[at + 1] = (uint8_t)(0x80 + cp / 64 % 64);
		out[at + 2] = (uint8_t)(0x80 + cp % 64);
	} else {
		out[at] = (uint8_t)(0xf0 + cp / 262144);
		out[at + 1] = (uint8_t)(0x80 + cp / 4096 % 64);
		out[at + 2] = (uint8_t)(0x80 + cp / 64 % 64);
		out[at + 3] = (uint8_t)(0x80 + cp % 64);
	}
	*k = at + len;
	return 0;
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(out + (0 .. cap-1)) && \valid(len);
    requires \separated(j, len, out + (0 .. cap-1), p + (0 .. n-1));
    requires j->off < n && cap <= TES_LEGACY_KEY_MAX && 1 <= long_why <= TES_LEGACY_WHY_MAX;
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, out[0 .. cap-1], *len;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> \old(j->off) < j->off <= n && *len <= cap && j->state == \old(j->state);
    ensures \result != 0 ==> j->off == \old(j->off) && legacy_failed(j, n);
 */
/*
 * The string whose opening quote is p[j->off], decoded into out[0 .. *len-1];
 * j->off moves past its closing quote. A string above cap bytes fails with
 * long_why.
 */
static int
get_string(struct tes_legacy_json *j, const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *len,
	   uint8_t long_why)
{
	size_t start = j->off, i = j->off + 1, k = 0, adv = 0;
	uint32_t cp = 0;
	uint8_t c, why;

	/*@ loop invariant start < i <= n && k <= cap;
	    loop assigns i, k, c, why, cp, adv, out[0 .. cap-1];
	    loop variant n - i; */
	while (i < n) {
		c = p[i];
		if (c == '"') {
			j->off = i + 1;
			*len = k;
			return 0;
		}
		/*= spec/LEGACY.md#json MUST-LG3: no control character, no raw non-ASCII byte */
		if (c < 0x20)
			return fail(j, TES_LEGACY_WHY_CONTROL, i);
		if (c >= 0x80)
			return fail(j, TES_LEGACY_WHY_NON_ASCII, i);
		if (c != '\\') {
			if (k >= cap)
				return fail(j, long_why, start);
			out[k] = c;
			k++;
			i++;
			continue;
		}
		why = escape(p, n, i, &cp, &adv);
		if (why != 0)
			return fail(j, why, i);
		/*= spec/LEGACY.md#json MUST-LG5: keys of at most 64 bytes */
		if (put_utf8(cp, out, cap, &k) != 0)
			return fail(j, long_why, start);
		i += adv;
	}
	return fail(j, TES_LEGACY_WHY_STRING_END, start);
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(v);
    requires \separated(j, v, p + (0 .. n-1));
    requires j->off < n;
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, *v;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> \old(j->off) < j->off <= n && *v <= TES_LEGACY_POINTS_MAX &&
                             j->state == \old(j->state);
    ensures \result != 0 ==> j->off == \old(j->off) && legacy_failed(j, n);
 */
/* The points at p[j->off]: a non-negative integer, 0 .. TES_LEGACY_POINTS_MAX, in plain decimal. */
static int
get_points(struct tes_legacy_json *j, const uint8_t *p, size_t n, uint32_t *v)
{
	size_t start = j->off, i = j->off;
	uint32_t acc = 0;

	/*= spec/LEGACY.md#json MUST-LG7: points are plain non-negative integers up to 1000000 */
	if (p[i] == '-')
		return fail(j, TES_LEGACY_WHY_NEGATIVE, i);
	if (p[i] < '0' || p[i] > '9')
		return fail(j, TES_LEGACY_WHY_NOT_NUMBER, i);
	if (p[i] == '0' && n - i > 1 && p[i + 1] >= '0' && p[i + 1] <= '9')
		return fail(j, TES_LEGACY_WHY_LEADING_ZERO, i);
	/*@ loop invariant start <= i <= n && acc <= 9999999;
	    loop invariant i == start ==> acc == 0;
	    loop assigns i, acc;
	    loop variant n - i; */
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		/* more than 7 digits: above the limit however they go on */
		if (acc > 999999)
			return fail(j, TES_LEGACY_WHY_BIG, start);
		acc = acc * 10 + (uint32_t)(p[i] - '0');
		i++;
	}
	if (i < n && (p[i] == '.' || p[i] == 'e' || p[i] == 'E'))
		return fail(j, TES_LEGACY_WHY_FRACTION, i);
	if (acc > TES_LEGACY_POINTS_MAX)
		return fail(j, TES_LEGACY_WHY_BIG, start);
	j->off = i;
	*v = acc;
	return 0;
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1));
    requires \separated(j, p + (0 .. n-1));
    requires i <= n;
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> j->state == TES_LEGACY_ST_DONE && j->off == n;
    ensures \result != 0 ==> legacy_failed(j, n) && j->off == \old(j->off);
 */
/* The object ended just before p[i]: only whitespace may follow. */
static int
finish(struct tes_legacy_json *j, const uint8_t *p, size_t n, size_t i)
{
	i = skip_ws(p, n, i);
	/*= spec/LEGACY.md#json MUST-LG1: nothing but the object */
	if (i != n)
		return fail(j, TES_LEGACY_WHY_TRAILING, i);
	j->state = TES_LEGACY_ST_DONE;
	j->off = n;
	return 0;
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(key + (0 .. TES_LEGACY_KEY_MAX - 1));
    requires \valid(klen) && \valid(koff);
    requires \separated(j, klen, koff, key + (0 .. TES_LEGACY_KEY_MAX - 1), p + (0 .. n-1));
    requires legacy_ok(j, n);
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, key[0 .. TES_LEGACY_KEY_MAX - 1], *klen, *koff;
    ensures legacy_ok(j, n);
    ensures \result == 1 || \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 1 ==> *klen <= TES_LEGACY_KEY_MAX && *koff < j->off < n &&
                             j->state == \old(j->state) && !json_ws(p[j->off]);
    ensures \result == 0 ==> j->state == TES_LEGACY_ST_DONE;
    ensures \result < 0 ==> legacy_failed(j, n);
    ensures \old(j->state) == TES_LEGACY_ST_DONE ==> \result == 0;
    ensures \old(j->state) == TES_LEGACY_ST_FAILED ==> \result < 0;
 */
/*
 * Up to the next member's value: 1 with its key in key[0 .. *klen-1], the
 * key's offset in *koff and j->off at the value's first byte; 0 when the
 * object ended; TES_ERR_FORMAT when refused.
 */
static int
member(struct tes_legacy_json *j, const uint8_t *p, size_t n, uint8_t *key, size_t *klen, size_t *koff)
{
	size_t i;

	if (j->state == TES_LEGACY_ST_FAILED)
		return TES_ERR_FORMAT;
	if (j->state == TES_LEGACY_ST_DONE)
		return 0;
	i = skip_ws(p, n, j->off);
	if (j->state == TES_LEGACY_ST_START) {
		/*= spec/LEGACY.md#json MUST-LG1: one object */
		if (i >= n || p[i] != '{')
			return fail(j, TES_LEGACY_WHY_NOT_OBJECT, i);
		i = skip_ws(p, n, i + 1);
		if (i < n && p[i] == '}')
			return finish(j, p, n, i + 1);
	} else {
		if (i >= n)
			return fail(j, TES_LEGACY_WHY_END, i);
		if (p[i] == '}')
			return finish(j, p, n, i + 1);
		if (p[i] != ',')
			return fail(j, TES_LEGACY_WHY_EXPECT_COMMA, i);
		i = skip_ws(p, n, i + 1);
	}
	if (i >= n)
		return fail(j, TES_LEGACY_WHY_END, i);
	if (p[i] != '"')
		return fail(j, TES_LEGACY_WHY_EXPECT_KEY, i);
	*koff = i;
	j->off = i;
	if (get_string(j, p, n, key, TES_LEGACY_KEY_MAX, klen, TES_LEGACY_WHY_KEY_LONG) != 0)
		return TES_ERR_FORMAT;
	i = skip_ws(p, n, j->off);
	if (i >= n)
		return fail(j, TES_LEGACY_WHY_END, i);
	if (p[i] != ':')
		return fail(j, TES_LEGACY_WHY_EXPECT_COLON, i);
	i = skip_ws(p, n, i + 1);
	if (i >= n)
		return fail(j, TES_LEGACY_WHY_END, i);
	j->off = i;
	return 1;
}

/* see legacy.h */
void
tes_legacy_json_init(struct tes_legacy_json *j)
{
	j->off = 0;
	j->err_off = 0;
	j->state = TES_LEGACY_ST_START;
	j->why = TES_LEGACY_WHY_NONE;
}

/* see legacy.h */
int
tes_legacy_drivers_next(struct tes_legacy_json *j, const uint8_t *p, size_t n, struct tes_legacy_driver *d)
{
	size_t koff = 0;
	int r;

	r = member(j, p, n, d->key, &d->key_len, &koff);
	if (r != 1)
		return r;
	d->off = koff;
	if (get_points(j, p, n, &d->points) != 0)
		return TES_ERR_FORMAT;
	j->state = TES_LEGACY_ST_NEXT;
	return 1;
}

/*@ requires \valid_read(f + (0 .. len-1));
    terminates \true;
    assigns \nothing;
    ensures 0 <= \result <= 2;
 */
/* 1 for "password", 2 for "role", 0 for any other field name. */
static int
field_id(const uint8_t *f, size_t len)
{
	if (len == 8 && f[0] == 'p' && f[1] == 'a' && f[2] == 's' && f[3] == 's' && f[4] == 'w' &&
	    f[5] == 'o' && f[6] == 'r' && f[7] == 'd')
		return 1;
	if (len == 4 && f[0] == 'r' && f[1] == 'o' && f[2] == 'l' && f[3] == 'e')
		return 2;
	return 0;
}

/*@ requires \valid_read(r + (0 .. len-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == TES_LEGACY_ROLE_POLICE || \result == TES_LEGACY_ROLE_OFFICER;
 */
/* The role named r[0 .. len-1], or 0. */
static uint8_t
role_of(const uint8_t *r, size_t len)
{
	if (len == 6 && r[0] == 'p' && r[1] == 'o' && r[2] == 'l' && r[3] == 'i' && r[4] == 'c' &&
	    r[5] == 'e')
		return TES_LEGACY_ROLE_POLICE;
	if (len == 7 && r[0] == 'o' && r[1] == 'f' && r[2] == 'f' && r[3] == 'i' && r[4] == 'c' &&
	    r[5] == 'e' && r[6] == 'r')
		return TES_LEGACY_ROLE_OFFICER;
	return 0;
}

/*@ terminates \true;
    assigns \nothing;
    ensures -1 <= \result <= 15;
    ensures \result >= 0 <==> hex_lower(c);
 */
/* A lowercase hex digit's value (hashlib's hexdigest), or -1. */
static int
lower_hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*@ requires \valid_read(h + (0 .. TES_LEGACY_HEX_LEN - 1)) && \valid(out + (0 .. TES_LEGACY_HASH_LEN - 1));
    requires \separated(out + (0 .. TES_LEGACY_HASH_LEN - 1), h + (0 .. TES_LEGACY_HEX_LEN - 1));
    terminates \true;
    assigns out[0 .. TES_LEGACY_HASH_LEN - 1];
    ensures \result == 0 || \result == -1;
 */
/* 64 lowercase hex digits as 32 bytes. */
static int
hash_of(const uint8_t *h, uint8_t *out)
{
	size_t k;
	int hi, lo;

	/*@ loop invariant 0 <= k <= TES_LEGACY_HASH_LEN;
	    loop assigns k, hi, lo, out[0 .. TES_LEGACY_HASH_LEN - 1];
	    loop variant TES_LEGACY_HASH_LEN - k; */
	for (k = 0; k < TES_LEGACY_HASH_LEN; k++) {
		hi = lower_hex(h[2 * k]);
		lo = lower_hex(h[2 * k + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (uint8_t)(hi * 16 + lo);
	}
	return 0;
}

/*@ predicate role_ok(integer r) = r == TES_LEGACY_ROLE_POLICE || r == TES_LEGACY_ROLE_OFFICER;
    predicate seen_ok(integer pw, integer role, integer r) =
        (pw == 0 || pw == 1) && (role == 0 || role == 1) && (role == 1 ==> role_ok(r));
 */

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(hash + (0 .. TES_LEGACY_HASH_LEN - 1));
    requires \separated(j, hash + (0 .. TES_LEGACY_HASH_LEN - 1), p + (0 .. n-1));
    requires j->off < n;
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, hash[0 .. TES_LEGACY_HASH_LEN - 1];
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures j->off <= n;
    ensures \result == 0 ==> \old(j->off) < j->off && j->state == \old(j->state);
    ensures \result != 0 ==> legacy_failed(j, n);
 */
/* The password string at p[j->off]: 64 lowercase hex digits into hash. */
static int
user_hash(struct tes_legacy_json *j, const uint8_t *p, size_t n, uint8_t *hash)
{
	uint8_t hex[TES_LEGACY_HEX_LEN];
	size_t voff = j->off, vlen = 0;

	/*= spec/LEGACY.md#users MUST-LG10: the password is an unsalted SHA-256 in lowercase hex */
	if (get_string(j, p, n, hex, TES_LEGACY_HEX_LEN, &vlen, TES_LEGACY_WHY_HASH) != 0)
		return TES_ERR_FORMAT;
	if (vlen != TES_LEGACY_HEX_LEN || hash_of(hex, hash) != 0)
		return fail(j, TES_LEGACY_WHY_HASH, voff);
	return 0;
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(role);
    requires \separated(j, role, p + (0 .. n-1));
    requires j->off < n;
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, *role;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures j->off <= n;
    ensures \result == 0 ==> \old(j->off) < j->off && j->state == \old(j->state) && role_ok(*role);
    ensures \result != 0 ==> legacy_failed(j, n);
 */
/* The role string at p[j->off]: police or officer. */
static int
user_role(struct tes_legacy_json *j, const uint8_t *p, size_t n, uint8_t *role)
{
	uint8_t r[TES_LEGACY_FIELD_MAX];
	size_t voff = j->off, vlen = 0;

	if (get_string(j, p, n, r, TES_LEGACY_FIELD_MAX, &vlen, TES_LEGACY_WHY_ROLE) != 0)
		return TES_ERR_FORMAT;
	*role = role_of(r, vlen);
	if (*role == 0)
		return fail(j, TES_LEGACY_WHY_ROLE, voff);
	return 0;
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(u) && \valid(seen_pw) && \valid(seen_role);
    requires \separated(j, u, seen_pw, seen_role, p + (0 .. n-1));
    requires j->off < n && p[j->off] == '"';
    requires seen_ok(*seen_pw, *seen_role, u->role);
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, u->hash[0 .. TES_LEGACY_HASH_LEN - 1], u->role, *seen_pw,
            *seen_role;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures j->off <= n;
    ensures \result == 0 ==> \old(j->off) < j->off && j->state == \old(j->state) &&
                             seen_ok(*seen_pw, *seen_role, u->role);
    ensures \result != 0 ==> legacy_failed(j, n);
 */
/* One field of a user, its name's quote at p[j->off]; j->off moves past its value. */
static int
user_field(struct tes_legacy_json *j, const uint8_t *p, size_t n, struct tes_legacy_user *u, int *seen_pw,
	   int *seen_role)
{
	uint8_t fld[TES_LEGACY_FIELD_MAX];
	size_t foff = j->off, i, flen = 0;
	int id;

	/*= spec/LEGACY.md#users MUST-LG9: exactly "password" and "role", each once */
	if (get_string(j, p, n, fld, TES_LEGACY_FIELD_MAX, &flen, TES_LEGACY_WHY_USER_FIELD) != 0)
		return TES_ERR_FORMAT;
	id = field_id(fld, flen);
	if (id == 0)
		return fail(j, TES_LEGACY_WHY_USER_FIELD, foff);
	if ((id == 1 && *seen_pw != 0) || (id == 2 && *seen_role != 0))
		return fail(j, TES_LEGACY_WHY_USER_TWICE, foff);
	i = skip_ws(p, n, j->off);
	if (i >= n)
		return fail(j, TES_LEGACY_WHY_END, i);
	if (p[i] != ':')
		return fail(j, TES_LEGACY_WHY_EXPECT_COLON, i);
	i = skip_ws(p, n, i + 1);
	if (i >= n)
		return fail(j, TES_LEGACY_WHY_END, i);
	if (p[i] != '"')
		return fail(j, TES_LEGACY_WHY_VALUE_TYPE, i);
	j->off = i;
	if (id == 1) {
		*seen_pw = 1;
		return user_hash(j, p, n, u->hash);
	}
	*seen_role = 1;
	return user_role(j, p, n, &u->role);
}

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(u);
    requires \separated(j, u, p + (0 .. n-1));
    requires legacy_ok(j, n) && j->off < n && j->state != TES_LEGACY_ST_FAILED;
    terminates \true;
    assigns j->off, j->state, j->why, j->err_off, u->hash[0 .. TES_LEGACY_HASH_LEN - 1], u->role;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> \old(j->off) < j->off <= n && j->state == \old(j->state) && role_ok(u->role);
    ensures \result != 0 ==> legacy_failed(j, n) && j->off <= n;
 */
/* The user object at p[j->off]; j->off moves past its '}'. */
static int
get_user(struct tes_legacy_json *j, const uint8_t *p, size_t n, struct tes_legacy_user *u)
{
	size_t open = j->off, i;
	int seen_pw = 0, seen_role = 0;

	/*= spec/LEGACY.md#users MUST-LG9: a user is an object with a password and a role */
	if (p[open] == '"')
		return fail(j, TES_LEGACY_WHY_USER_BARE, open);
	if (p[open] != '{')
		return fail(j, TES_LEGACY_WHY_USER_OBJECT, open);
	i = skip_ws(p, n, open + 1);
	/*@ loop invariant open < i <= n && j->off <= n;
	    loop invariant j->state == \at(j->state, Pre);
	    loop invariant seen_ok(seen_pw, seen_role, u->role);
	    loop assigns i, seen_pw, seen_role, j->off, j->state, j->why, j->err_off,
	                 u->hash[0 .. TES_LEGACY_HASH_LEN - 1], u->role;
	    loop variant n - i; */
	while (i < n && p[i] == '"') {
		j->off = i;
		if (user_field(j, p, n, u, &seen_pw, &seen_role) != 0)
			return TES_ERR_FORMAT;
		i = skip_ws(p, n, j->off);
		if (i >= n || p[i] != ',')
			break;
		i = skip_ws(p, n, i + 1);
		if (i >= n)
			return fail(j, TES_LEGACY_WHY_END, i);
		if (p[i] != '"')
			return fail(j, TES_LEGACY_WHY_EXPECT_KEY, i);
	}
	if (i >= n)
		return fail(j, TES_LEGACY_WHY_END, i);
	if (p[i] != '}')
		return fail(j, seen_pw || seen_role ? TES_LEGACY_WHY_EXPECT_COMMA : TES_LEGACY_WHY_EXPECT_KEY,
			    i);
	if (seen_pw == 0 || seen_role == 0)
		return fail(j, TES_LEGACY_WHY_USER_MISSING, open);
	j->off = i + 1;
	return 0;
}

/* see legacy.h */
int
tes_legacy_users_next(struct tes_legacy_json *j, const uint8_t *p, size_t n, struct tes_legacy_user *u)
{
	size_t koff = 0;
	int r;

	r = member(j, p, n, u->name, &u->name_len, &koff);
	if (r != 1)
		return r;
	u->off = koff;
	if (get_user(j, p, n, u) != 0)
		return TES_ERR_FORMAT;
	j->state = TES_LEGACY_ST_NEXT;
	return 1;
}

/* see legacy.h */
const char *
tes_legacy_why_str(uint8_t why)
{
	switch (why) {
	case TES_LEGACY_WHY_NOT_OBJECT:
		return "the text is not a JSON object";
	case TES_LEGACY_WHY_END:
		return "the text ends inside the object";
	case TES_LEGACY_WHY_EXPECT_KEY:
		return "a quoted key was expected";
	case TES_LEGACY_WHY_EXPECT_COLON:
		return "':' was expected after the key";
	case TES_LEGACY_WHY_EXPECT_COMMA:
		return "',' or '}' was expected after the value";
	case TES_LEGACY_WHY_TRAILING:
		return "text after the end of the object";
	case TES_LEGACY_WHY_STRING_END:
		return "the text ends inside a string";
	case TES_LEGACY_WHY_CONTROL:
		return "a control character inside a string";
	case TES_LEGACY_WHY_NON_ASCII:
		return "a byte outside ASCII (non-ASCII characters must be written as \\uXXXX)";
	case TES_LEGACY_WHY_ESCAPE:
		return "an unknown escape after '\\'";
	case TES_LEGACY_WHY_HEX:
		return "\\u without four hex digits";
	case TES_LEGACY_WHY_SURROGATE:
		return "a lone surrogate (\\uD800 to \\uDFFF not in a high-low pair)";
	case TES_LEGACY_WHY_KEY_LONG:
		return "a key longer than 64 bytes";
	case TES_LEGACY_WHY_NOT_NUMBER:
		return "the value is not a number";
	case TES_LEGACY_WHY_NEGATIVE:
		return "negative points";
	case TES_LEGACY_WHY_LEADING_ZERO:
		return "a number with a leading zero";
	case TES_LEGACY_WHY_FRACTION:
		return "points that are not a whole number";
	case TES_LEGACY_WHY_BIG:
		return "points above 1000000";
	case TES_LEGACY_WHY_USER_BARE:
		return "a user given as a bare password hash: the role is missing "
		       "(write {\"password\": \"<hex>\", \"role\": \"police\" or \"officer\"})";
	case TES_LEGACY_WHY_USER_OBJECT:
		return "a user that is not an object";
	case TES_LEGACY_WHY_USER_FIELD:
		return "a user field other than \"password\" and \"role\"";
	case TES_LEGACY_WHY_USER_TWICE:
		return "a user field given twice";
	case TES_LEGACY_WHY_USER_MISSING:
		return "a user without \"password\" or without \"role\"";
	case TES_LEGACY_WHY_VALUE_TYPE:
		return "\"password\" and \"role\" must be strings";
	case TES_LEGACY_WHY_HASH:
		return "the password is not 64 lowercase hex digits (an unsalted SHA-256)";
	case TES_LEGACY_WHY_ROLE:
		return "the role is neither \"police\" nor \"officer\"";
	default:
		return "no error";
	}
}

/* see legacy.h */
int
tes_legacy_unpad(const uint8_t *buf, size_t n, size_t *len)
{
	size_t i;
	uint8_t v;

	/*= spec/LEGACY.md#container MUST-LG2: PKCS#7 padding, 1 to 8 bytes all equal to their count */
	if (n < TES_LEGACY_BLOCK || n % TES_LEGACY_BLOCK != 0)
		return TES_ERR_DECRYPT;
	v = buf[n - 1];
	if (v < 1 || v > TES_LEGACY_BLOCK)
		return TES_ERR_DECRYPT;
	/*@ loop invariant n - v <= i <= n;
	    loop invariant \forall integer k; i <= k < n ==> buf[k] == v;
	    loop assigns i;
	    loop variant i; */
	for (i = n; i > n - v; i--)
		if (buf[i - 1] != v)
			return TES_ERR_DECRYPT;
	*len = n - v;
	return 0;
}

/* see legacy.h */
int
tes_legacy_plate(const uint8_t *in, size_t n, char out[static TES_PLATE_MAX + 1], uint8_t *outlen)
{
	size_t i, k = 0;
	uint8_t c;

	/*= spec/LEGACY.md#plates MUST-LG8: non-ASCII is refused, never transliterated */
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer m; 0 <= m < i ==> in[m] < 0x80;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (in[i] >= 0x80)
			return TES_ERR_FORMAT;
	/*= spec/LEGACY.md#plates MUST-LG8: upper case, spaces and '-' dropped, then a TES plate */
	/*@ loop invariant 0 <= i <= n && 0 <= k <= TES_PLATE_MAX;
	    loop invariant \forall integer m; 0 <= m < k ==> plate_char(out[m]);
	    loop assigns i, k, c, out[0 .. TES_PLATE_MAX - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		c = in[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || k >= TES_PLATE_MAX)
			return TES_ERR_PLATE;
		out[k] = (char)c;
		k++;
	}
	out[k] = '\0';
	*outlen = (uint8_t)k;
	return k == 0 ? TES_ERR_PLATE : 0;
}
