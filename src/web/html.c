/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "web/html.h"

static void
append(struct tes_html *h, const char *p, size_t n)
{
	if (h->overflow || n > sizeof h->buf - h->len) {
		h->overflow = 1;
		return;
	}
	memcpy(h->buf + h->len, p, n);
	h->len += n;
}

/* see html.h */
void
tes_html_init(struct tes_html *h)
{
	h->len = 0;
	h->overflow = 0;
}

/* see html.h */
void
tes_html_raw(struct tes_html *h, const char *lit)
{
	append(h, lit, strlen(lit));
}

/* see html.h */
void
tes_html_esc(struct tes_html *h, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	/*= spec/HTTP.md#pages MUST-W6: every interpolated value is escaped here */
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '&')
			append(h, "&amp;", 5);
		else if (c == '<')
			append(h, "&lt;", 4);
		else if (c == '>')
			append(h, "&gt;", 4);
		else if (c == '"')
			append(h, "&quot;", 6);
		else if (c == '\'')
			append(h, "&#39;", 5);
		else if (c < 0x20 || c > 0x7e)
			append(h, "?", 1);
		else
			append(h, (const char *)&s[i], 1);
	}
}

/* see html.h */
void
tes_html_str(struct tes_html *h, const char *s)
{
	tes_html_esc(h, s, strlen(s));
}

/* see html.h */
void
tes_html_u64(struct tes_html *h, uint64_t v)
{
	char d[20];
	size_t k = sizeof d;

	do {
		d[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	tes_html_esc(h, d + k, sizeof d - k);
}
