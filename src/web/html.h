/* SPDX-License-Identifier: ISC */
/*
 * Bounded HTML output for the dashboard pages. Template text is appended
 * with tes_html_raw (string literals of the page code only); every value
 * that comes from the store, a request or a number goes through the one
 * escaping function, tes_html_esc. Output that does not fit sets a sticky
 * overflow flag instead of being cut silently.
 */
#ifndef TES_WEB_HTML_H
#define TES_WEB_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <string.h> /* the ACSL strlen and valid_read_string */

enum {
	TES_HTML_MAX = 65536
};

struct tes_html {
	char buf[TES_HTML_MAX];
	size_t len;
	int overflow; /* something did not fit: the page must not be sent */
};

/*@ // the character reference that starts at b[k] and ends before b[to]
    predicate html_ref(char *b, integer k, integer to) =
        (k + 5 <= to && b[k] == '&' && b[k + 1] == 'a' && b[k + 2] == 'm' && b[k + 3] == 'p' &&
         b[k + 4] == ';') ||
        (k + 4 <= to && b[k] == '&' && b[k + 1] == 'l' && b[k + 2] == 't' && b[k + 3] == ';') ||
        (k + 4 <= to && b[k] == '&' && b[k + 1] == 'g' && b[k + 2] == 't' && b[k + 3] == ';') ||
        (k + 6 <= to && b[k] == '&' && b[k + 1] == 'q' && b[k + 2] == 'u' && b[k + 3] == 'o' &&
         b[k + 4] == 't' && b[k + 5] == ';') ||
        (k + 5 <= to && b[k] == '&' && b[k + 1] == '#' && b[k + 2] == '3' && b[k + 3] == '9' &&
         b[k + 4] == ';');
    // b[from .. to-1] is escaped text: printable ASCII, no < > " ', every & starts a reference
    predicate html_safe(char *b, integer from, integer to) =
        \forall integer k; from <= k < to ==>
            0x20 <= b[k] <= 0x7e && b[k] != '<' && b[k] != '>' && b[k] != '"' && b[k] != '\'' &&
            (b[k] == '&' ==> html_ref(b, k, to));
    predicate html_ok(struct tes_html *h) = h->len <= TES_HTML_MAX;
 */

/*@ requires \valid(h);
    terminates \true;
    assigns h->len, h->overflow;
    ensures h->len == 0 && h->overflow == 0;
 */
/* Empty the buffer and clear the overflow flag. */
void
tes_html_init(struct tes_html *h);

/*@ requires \valid(h) && html_ok(h);
    requires valid_read_string(lit) && strlen(lit) <= SIZE_MAX;
    requires \separated(h, lit + (0 .. strlen(lit)));
    terminates \true;
    assigns h->buf[h->len .. TES_HTML_MAX - 1], h->len, h->overflow;
    ensures html_ok(h) && \old(h->len) <= h->len;
    behavior stuck:
      assumes h->overflow != 0;
      assigns \nothing;
    behavior live:
      assumes h->overflow == 0;
      ensures h->overflow == 0 ==> h->len == \old(h->len) + \old(strlen(lit));
    complete behaviors; disjoint behaviors;
 */
/* Append template text (a literal of the page code, never data). */
void
tes_html_raw(struct tes_html *h, const char *lit);

/*@ requires \valid(h) && html_ok(h);
    requires \valid_read(s + (0 .. n-1)) && \separated(h, s + (0 .. n-1));
    terminates \true;
    assigns h->buf[h->len .. TES_HTML_MAX - 1], h->len, h->overflow;
    ensures html_ok(h) && \old(h->len) <= h->len;
    ensures html_safe(&h->buf[0], \old(h->len), h->len);
    behavior stuck:
      assumes h->overflow != 0;
      assigns \nothing;
    behavior live:
      assumes h->overflow == 0;
    complete behaviors; disjoint behaviors;
 */
/*
 * The escaping function: append n bytes of s with & < > " ' written as
 * character references and every byte outside printable ASCII written as
 * '?'. Safe in element content and in quoted attribute values. Once the
 * overflow flag is set nothing more is appended; the bytes before the old
 * length never change.
 */
void
tes_html_esc(struct tes_html *h, const char *s, size_t n);

/*@ requires \valid(h) && html_ok(h);
    requires valid_read_string(s) && strlen(s) <= SIZE_MAX;
    requires \separated(h, s + (0 .. strlen(s)));
    terminates \true;
    assigns h->buf[h->len .. TES_HTML_MAX - 1], h->len, h->overflow;
    ensures html_ok(h) && \old(h->len) <= h->len;
    ensures html_safe(&h->buf[0], \old(h->len), h->len);
    behavior stuck:
      assumes h->overflow != 0;
      assigns \nothing;
    behavior live:
      assumes h->overflow == 0;
    complete behaviors; disjoint behaviors;
 */
/* tes_html_esc of a NUL-terminated string. */
void
tes_html_str(struct tes_html *h, const char *s);

/*@ requires \valid(h) && html_ok(h);
    terminates \true;
    assigns h->buf[h->len .. TES_HTML_MAX - 1], h->len, h->overflow;
    ensures html_ok(h) && \old(h->len) <= h->len;
    ensures html_safe(&h->buf[0], \old(h->len), h->len);
    behavior stuck:
      assumes h->overflow != 0;
      assigns \nothing;
    behavior live:
      assumes h->overflow == 0;
    complete behaviors; disjoint behaviors;
 */
/* tes_html_esc of the decimal digits of v. */
void
tes_html_u64(struct tes_html *h, uint64_t v);

#endif
