/* SPDX-License-Identifier: ISC */
/*
 * Proven with Frama-C/WP (proofs/README.md): the buffer never grows past
 * TES_HTML_MAX, the overflow flag is sticky, and what tes_html_esc appends
 * is html_safe (html.h). Bytes are copied with explicit loops, no mem* or
 * str* call.
 */
#include "web/html.h"

/* 10^k for the digits of a uint64_t (at most 20) */
/*@ logic integer p10(integer k) =
        k <= 0 ? 1 : k == 1 ? 10 : k == 2 ? 100 : k == 3 ? 1000 : k == 4 ? 10000 : k == 5 ? 100000 :
        k == 6 ? 1000000 : k == 7 ? 10000000 : k == 8 ? 100000000 : k == 9 ? 1000000000 :
        k == 10 ? 10000000000 : k == 11 ? 100000000000 : k == 12 ? 1000000000000 :
        k == 13 ? 10000000000000 : k == 14 ? 100000000000000 : k == 15 ? 1000000000000000 :
        k == 16 ? 10000000000000000 : k == 17 ? 100000000000000000 :
        k == 18 ? 1000000000000000000 : k == 19 ? 10000000000000000000 : 100000000000000000000;

    // escaped text followed by escaped text is escaped text
    lemma html_safe_concat:
      \forall char *b, integer from, mid, to; from <= mid <= to ==>
        html_safe(b, from, mid) ==> html_safe(b, mid, to) ==> html_safe(b, from, to);
    // a copy of escaped text is escaped text
    lemma html_safe_copy{L1, L2}:
      \forall char *a, char *b, integer n, integer off, integer to;
        to == off + n ==> html_safe{L1}(a, 0, n) ==>
        (\forall integer k; off <= k < to ==> \at(b[k], L2) == \at(a[k - off], L1)) ==>
        html_safe{L2}(b, off, to);
    // escaped text stays so while its bytes do not change
    lemma html_safe_frame{L1, L2}:
      \forall char *b, integer from, to;
        html_safe{L1}(b, from, to) ==>
        (\forall integer k; from <= k < to ==> \at(b[k], L1) == \at(b[k], L2)) ==>
        html_safe{L2}(b, from, to);
 */

/*@ requires \valid(h) && html_ok(h);
    requires \valid_read(p + (0 .. n-1)) && \separated(h, p + (0 .. n-1));
    terminates \true;
    assigns h->buf[h->len .. TES_HTML_MAX - 1], h->len, h->overflow;
    ensures html_ok(h) && \old(h->len) <= h->len;
    ensures \forall integer k; 0 <= k < \old(h->len) ==> h->buf[k] == \old(h->buf[k]);
    ensures \old(html_safe(p, 0, n)) ==> html_safe(&h->buf[0], \old(h->len), h->len);
    behavior stuck:
      assumes h->overflow != 0;
      assigns \nothing;
      ensures h->len == \old(h->len) && h->overflow == \old(h->overflow);
    behavior full:
      assumes h->overflow == 0 && n > TES_HTML_MAX - h->len;
      assigns h->overflow;
      ensures h->len == \old(h->len) && h->overflow != 0;
    behavior fits:
      assumes h->overflow == 0 && n <= TES_HTML_MAX - h->len;
      assigns h->buf[h->len .. h->len + n - 1], h->len;
      ensures h->len == \old(h->len) + n && h->overflow == 0;
      ensures \forall integer k; \old(h->len) <= k < h->len ==> h->buf[k] == \old(p[k - h->len]);
    complete behaviors; disjoint behaviors;
 */
static void
append(struct tes_html *h, const char *p, size_t n)
{
	size_t i;

	if (h->overflow)
		return;
	if (n > sizeof h->buf - h->len) {
		h->overflow = 1;
		return;
	}
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; h->len <= k < h->len + i ==> h->buf[k] == \at(p[k - h->len], Pre);
	    loop assigns i, h->buf[h->len .. h->len + n - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		h->buf[h->len + i] = p[i];
	h->len += n;
}

/* see html.h */
void
tes_html_init(struct tes_html *h)
{
	h->len = 0;
	h->overflow = 0;
}

/*@ requires valid_read_string(s) && strlen(s) <= SIZE_MAX;
    terminates \true;
    assigns \nothing;
    ensures \result == strlen(s);
 */
/* Length of a NUL-terminated string. */
static size_t
length(const char *s)
{
	size_t n = 0;

	/*@ loop invariant 0 <= n <= strlen(s);
	    loop assigns n;
	    loop variant strlen(s) - n; */
	while (s[n] != '\0')
		n++;
	return n;
}

/* see html.h */
void
tes_html_raw(struct tes_html *h, const char *lit)
{
	if (h->overflow)
		return;
	append(h, lit, length(lit));
}

/*@ requires \valid(h) && html_ok(h) && h->overflow == 0;
    requires \valid_read(s) && \separated(h, s);
    terminates \true;
    assigns h->buf[h->len .. TES_HTML_MAX - 1], h->len, h->overflow;
    ensures html_ok(h) && \old(h->len) <= h->len;
    ensures \forall integer k; 0 <= k < \old(h->len) ==> h->buf[k] == \old(h->buf[k]);
    ensures html_safe(&h->buf[0], \old(h->len), h->len);
 */
/* The escaped form of one character. */
static void
esc_char(struct tes_html *h, const char *s)
{
	int c = *s < 0 ? *s + 256 : *s;
	const char *r = s;
	size_t m = 1;

	if (c == '&') {
		r = "&amp;";
		m = 5;
		/*@ assert html_safe(r, 0, m); */
	} else if (c == '<') {
		r = "&lt;";
		m = 4;
		/*@ assert html_safe(r, 0, m); */
	} else if (c == '>') {
		r = "&gt;";
		m = 4;
		/*@ assert html_safe(r, 0, m); */
	} else if (c == '"') {
		r = "&quot;";
		m = 6;
		/*@ assert html_safe(r, 0, m); */
	} else if (c == '\'') {
		r = "&#39;";
		m = 5;
		/*@ assert html_safe(r, 0, m); */
	} else if (c < 0x20 || c > 0x7e) {
		r = "?";
		/*@ assert html_safe(r, 0, m); */
	}
	/*@ assert html_safe(r, 0, m); */
	append(h, r, m);
}

/* see html.h */
void
tes_html_esc(struct tes_html *h, const char *s, size_t n)
{
	size_t i;

	if (h->overflow)
		return;
	/*= spec/HTTP.md#pages MUST-W6: every interpolated value is escaped here */
	/*@ loop invariant 0 <= i <= n;
	    loop invariant html_ok(h) && \at(h->len, Pre) <= h->len;
	    loop invariant html_safe(&h->buf[0], \at(h->len, Pre), h->len);
	    loop assigns i, h->buf[\at(h->len, Pre) .. TES_HTML_MAX - 1], h->len, h->overflow;
	    loop variant n - i; */
	for (i = 0; i < n && h->overflow == 0; i++)
		esc_char(h, &s[i]);
}

/* see html.h */
void
tes_html_str(struct tes_html *h, const char *s)
{
	if (h->overflow)
		return;
	tes_html_esc(h, s, length(s));
}

/* see html.h */
void
tes_html_u64(struct tes_html *h, uint64_t v)
{
	char d[20];
	size_t k = sizeof d;

	if (h->overflow)
		return;
	/* 20 digits hold any uint64_t: v < 10^k, and v != 0 after the first digit */
	/*@ loop invariant 0 <= k <= 20 && v < p10(k) && (k == 20 || v != 0);
	    loop invariant \forall integer j; k <= j < 20 ==> '0' <= d[j] <= '9';
	    loop assigns k, v, d[0 .. 19];
	    loop variant v + k; */
	do {
		d[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	tes_html_esc(h, d + k, sizeof d - k);
}
