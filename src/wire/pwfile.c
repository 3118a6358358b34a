/* SPDX-License-Identifier: ISC */
/*
 * Password files and typed password lines (spec/INPUT.md#passwords): one
 * line of UTF-8, its terminator stripped, anything else refused with a
 * reason. A password is never cut short silently (a NUL byte once ended it
 * where C strings end).
 */
#include "wire/pwfile.h"

_Static_assert(TES_PASSWORD_MAX == 128, "the refusal below names the limit");

/*@ requires \valid_read(s + (0 .. n-1)) && i < n && s[i] >= 0x80;
    requires \valid(why) && \separated(why, s + (0 .. n-1));
    terminates \true;
    assigns *why \from \nothing;
    ensures \result == 0 || (2 <= \result <= 4 && i + \result <= n);
    ensures \result == 0 ==> *why != \null;
    ensures \result != 0 ==> \forall integer k; i <= k < i + \result ==> s[k] >= 0x80;
 */
/* The length of the UTF-8 sequence at s[i] (a byte above 0x7f), or 0 and why not. */
static size_t
utf8_seq(const uint8_t *s, size_t n, size_t i, const char **why)
{
	uint8_t c = s[i], lo = 0x80, hi = 0xbf;
	size_t len, k;

	*why = "invalid UTF-8: an overlong encoding";
	if (c < 0xc0) {
		*why = "invalid UTF-8: a continuation byte without a lead byte";
		return 0;
	}
	if (c < 0xc2)
		return 0;
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
	    loop invariant \forall integer j; i < j < i + k ==> s[j] >= 0x80;
	    loop assigns k;
	    loop variant len - k; */
	for (k = 1; k < len; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf) {
			*why = "invalid UTF-8: a sequence cut short";
			return 0;
		}
	lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : lo;
	hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : hi;
	if (s[i + 1] < lo || s[i + 1] > hi) {
		*why = c == 0xed   ? "invalid UTF-8: a surrogate (U+D800 to U+DFFF)"
		       : c == 0xf4 ? "invalid UTF-8: a code point above U+10FFFF"
				   : "invalid UTF-8: an overlong encoding";
		return 0;
	}
	return len;
}

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result <= n && pw_tail(p, n, \result);
 */
/* The length of the line without one trailing LF or CRLF. */
static size_t
strip_eol(const uint8_t *p, size_t n)
{
	if (n == 0 || p[n - 1] != 0x0a)
		return n;
	if (n >= 2 && p[n - 2] == 0x0d)
		return n - 2;
	return n - 1;
}

/* see pwfile.h */
int
tes_pwfile_decode(const uint8_t *p, size_t n, size_t *len, const char **why)
{
	size_t m = strip_eol(p, n), i = 0, k;

	/*= spec/INPUT.md#passwords MUST-PW1: one line of 1..128 bytes, UTF-8, no NUL; nothing cut */
	if (m == 0) {
		*why = "empty";
		return TES_ERR_FORMAT;
	}
	if (m > TES_PASSWORD_MAX) {
		*why = "longer than 128 bytes";
		return TES_ERR_TOOLONG;
	}
	/*@ loop invariant 0 <= i <= m;
	    loop invariant \forall integer j; 0 <= j < i ==> pw_byte(p[j]);
	    loop assigns i, k, *why;
	    loop variant m - i; */
	while (i < m) {
		if (p[i] == 0) {
			*why = "a NUL byte (it would cut the password short)";
			return TES_ERR_FORMAT;
		}
		if (p[i] == 0x0a) {
			*why = "more than one line";
			return TES_ERR_FORMAT;
		}
		if (p[i] == 0x0d) {
			*why = "a carriage return inside the line";
			return TES_ERR_FORMAT;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(p, m, i, why)) == 0)
			return TES_ERR_FORMAT;
		i += k;
	}
	*len = m;
	*why = 0;
	return 0;
}

/* see pwfile.h */
size_t
tes_pwfile_chars(const uint8_t *p, size_t n)
{
	size_t i, c = 0;

	/*@ loop invariant 0 <= i <= n && c <= i;
	    loop assigns i, c;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			c++;
	return c;
}
