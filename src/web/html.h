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

enum { TES_HTML_MAX = 65536 };

struct tes_html {
	char buf[TES_HTML_MAX];
	size_t len;
	int overflow;                    /* something did not fit: the page must not be sent */
};

/* Empty the buffer and clear the overflow flag. */
void
tes_html_init(struct tes_html *h);

/* Append template text (a literal of the page code, never data). */
void
tes_html_raw(struct tes_html *h, const char *lit);

/*
 * The escaping function: append n bytes of s with & < > " ' written as
 * character references and every byte outside printable ASCII written as
 * '?'. Safe in element content and in quoted attribute values.
 */
void
tes_html_esc(struct tes_html *h, const char *s, size_t n);

/* tes_html_esc of a NUL-terminated string. */
void
tes_html_str(struct tes_html *h, const char *s);

/* tes_html_esc of the decimal digits of v. */
void
tes_html_u64(struct tes_html *h, uint64_t v);

#endif
