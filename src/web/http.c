/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "web/http.h"
#include "wire/validate.h"

/* Byte classes */

/* RFC 9110 token characters, as a table rather than a string search. */
static int
is_tchar(uint8_t c)
{
	static const uint8_t extra[] = { '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' };
	size_t i;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	for (i = 0; i < sizeof extra; i++)
		if (c == extra[i])
			return 1;
	return 0;
}

static int
is_vchar(uint8_t c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\t';
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of n bytes with a lower-case literal of length n. */
static int
ieq(const uint8_t *p, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(p[i]) != (uint8_t)lit[i])
			return 0;
	return 1;
}

static int
fail(uint16_t *status, uint16_t code)
{
	*status = code;
	return TES_ERR_FORMAT;
}

/* Length of the line at p (CRLF excluded), or -1 if no CRLF within max bytes. */
static long
line_len(const uint8_t *p, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i + 1 < n && i + 2 <= max; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n')
			return (long)i;
		if (p[i] == '\r' || p[i] == '\n')
			return -2;          /* bare CR or LF */
	}
	return -1;
}

/* Request line */

static int
parse_method(const uint8_t *p, size_t n, size_t *pos, uint8_t *m)
{
	if (n >= 4 && memcmp(p, "GET ", 4) == 0) {
		*m = TES_HTTP_GET;
		*pos = 4;
		return 0;
	}
	if (n >= 5 && memcmp(p, "POST ", 5) == 0) {
		*m = TES_HTTP_POST;
		*pos = 5;
		return 0;
	}
	return -1;
}

static int
parse_request_line(const uint8_t *p, size_t n, struct tes_http_req *req, uint16_t *status)
{
	size_t pos, i;

	if (parse_method(p, n, &pos, &req->method) != 0) {
		for (i = 0; i < n && is_tchar(p[i]); i++)
			;
		return fail(status, i > 0 && i < n && p[i] == ' ' ? 405 : 400);
	}
	req->target_off = pos;
	for (i = pos; i < n && p[i] != ' '; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return fail(status, 400);
	req->target_len = i - pos;
	if (req->target_len == 0 || p[pos] != '/')
		return fail(status, 400);
	if (req->target_len > TES_HTTP_TARGET_MAX)
		return fail(status, 414);
	if (i == n || n - i - 1 != 8 || memcmp(p + i + 1, "HTTP/", 5) != 0 || p[i + 7] != '.')
		return fail(status, 400);
	if (p[i + 6] != '1' || (p[i + 8] != '1' && p[i + 8] != '0'))
		return fail(status, 505);
	return 0;
}

/* Headers */

struct hstate {
	int seen_cl, seen_cookie, seen_ctype;
	size_t cl;
};

static int
parse_cl(const uint8_t *v, size_t n, size_t *cl, uint16_t *status)
{
	size_t i, x = 0;

	if (n == 0 || n > 9)
		return fail(status, n == 0 ? 400 : 413);
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(status, 400);
		x = x * 10 + (size_t)(v[i] - '0');
	}
	if (x > TES_HTTP_BODY_MAX)
		return fail(status, 413);
	*cl = x;
	return 0;
}

static int
is_form_type(const uint8_t *v, size_t n)
{
	static const char t[] = "application/x-www-form-urlencoded";
	size_t k = sizeof t - 1;

	if (n < k || !ieq(v, k, t))
		return 0;
	return n == k || v[k] == ';' || v[k] == ' ';
}

/* One header: name, value without surrounding white space. */
static int
header_apply(const uint8_t *buf, size_t name_off, size_t name_len, size_t v_off, size_t v_len,
	     struct tes_http_req *req, struct hstate *hs, uint16_t *status)
{
	const uint8_t *name = buf + name_off, *v = buf + v_off;

	if (ieq(name, name_len, "content-length")) {
		if (hs->seen_cl++)
			return fail(status, 400);
		return parse_cl(v, v_len, &hs->cl, status);
	}
	if (ieq(name, name_len, "transfer-encoding"))
		return fail(status, 501);
	if (ieq(name, name_len, "cookie")) {
		if (hs->seen_cookie++)
			return fail(status, 400);
		req->cookie_off = v_off;
		req->cookie_len = v_len;
		return 0;
	}
	if (ieq(name, name_len, "content-type")) {
		if (hs->seen_ctype++)
			return fail(status, 400);
		req->form = (uint8_t)is_form_type(v, v_len);
	}
	return 0;
}

static int
parse_header(const uint8_t *buf, size_t off, size_t len, struct tes_http_req *req, struct hstate *hs,
	     uint16_t *status)
{
	const uint8_t *p = buf + off;
	size_t i, vs, ve;

	for (i = 0; i < len && is_tchar(p[i]); i++)
		;
	/* no white space before the colon, no obsolete line folding */
	if (i == 0 || i == len || p[i] != ':')
		return fail(status, 400);
	for (vs = i + 1; vs < len && (p[vs] == ' ' || p[vs] == '\t'); vs++)
		;
	for (ve = len; ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'); ve--)
		;
	for (size_t k = vs; k < ve; k++)
		if (!is_vchar(p[k]))
			return fail(status, 400);
	return header_apply(buf, off, i, off + vs, ve - vs, req, hs, status);
}

/* The head: request line, headers, empty line. *end gets the head length. */
static int
parse_head(const uint8_t *buf, size_t n, struct tes_http_req *req, struct hstate *hs, uint16_t *status)
{
	size_t off = 0, count = 0;
	long l;
	int r;

	for (;;) {
		l = line_len(buf + off, n - off, TES_HTTP_LINE_MAX);
		if (l == -2)
			return fail(status, 400);
		if (l == -1) {
			if (n - off >= TES_HTTP_LINE_MAX || n >= TES_HTTP_HEAD_MAX)
				return fail(status, off == 0 ? 414 : 431);
			return TES_ERR_TRUNCATED;
		}
		if (off + (size_t)l + 2 > TES_HTTP_HEAD_MAX)
			return fail(status, 431);
		if (off == 0)
			r = parse_request_line(buf, (size_t)l, req, status);
		else if (l == 0) {
			req->head_len = off + 2;
			return 0;
		} else if (++count > TES_HTTP_HEADERS_MAX)
			return fail(status, 431);
		else
			r = parse_header(buf, off, (size_t)l, req, hs, status);
		if (r != 0)
			return r;
		off += (size_t)l + 2;
	}
}

/* see http.h */
int
tes_http_parse(const uint8_t *buf, size_t n, struct tes_http_req *req, uint16_t *status)
{
	struct hstate hs = { 0 };
	int r;

	memset(req, 0, sizeof *req);
	*status = 400;
	if (n > TES_HTTP_REQ_MAX)
		n = TES_HTTP_REQ_MAX;
	if ((r = parse_head(buf, n, req, &hs, status)) != 0)
		return r;
	if (req->method == TES_HTTP_POST && !hs.seen_cl)
		return fail(status, 411);
	if (req->method == TES_HTTP_GET && hs.cl != 0)
		return fail(status, 400);
	req->body_off = req->head_len;
	req->body_len = hs.cl;
	if (n - req->head_len < hs.cl)
		return TES_ERR_TRUNCATED;
	*status = 200;
	return 0;
}

/* Forms */

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* see http.h */
int
tes_http_pct_decode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t i = 0, k = 0;
	int hi, lo;
	uint8_t c;

	if (cap == 0)
		return TES_ERR_TOOLONG;
	while (i < n) {
		c = in[i++];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (n - i < 2 || (hi = hexval(in[i])) < 0 || (lo = hexval(in[i + 1])) < 0)
				goto bad;
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		if (c < 0x20 || c > 0x7e)
			goto bad;
		if (k + 1 >= cap)
			goto long_;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	*outlen = k;
	return 0;
bad:
	out[0] = '\0';
	return TES_ERR_FORMAT;
long_:
	out[0] = '\0';
	return TES_ERR_TOOLONG;
}

/* Routes: the one table of what the dashboard answers. */

enum field {
	F_USER = 1 << 0, F_PW = 1 << 1, F_CSRF = 1 << 2, F_ID = 1 << 3, F_PAGE = 1 << 4,
	F_VERDICT = 1 << 5, F_REASON = 1 << 6, F_OTHER = 1 << 7, F_PLATE = 1 << 8, F_MATCH = 1 << 9
};

static const struct {
	uint8_t route, method;
	const char *path;
	unsigned fields;                 /* what the query or form may carry */
} routes[] = {
	{ TES_ROUTE_ROOT, TES_HTTP_GET, "/", 0 },
	{ TES_ROUTE_LOGIN_FORM, TES_HTTP_GET, "/login", 0 },
	{ TES_ROUTE_LOGIN, TES_HTTP_POST, "/login", F_USER | F_PW | F_CSRF },
	{ TES_ROUTE_LOGOUT, TES_HTTP_POST, "/logout", F_CSRF },
	{ TES_ROUTE_QUEUE, TES_HTTP_GET, "/queue", F_PAGE },
	{ TES_ROUTE_REPORT, TES_HTTP_GET, "/report", F_ID },
	{ TES_ROUTE_DECIDE, TES_HTTP_POST, "/decide", F_ID | F_VERDICT | F_REASON | F_OTHER | F_CSRF },
	{ TES_ROUTE_RECORDS, TES_HTTP_GET, "/records", F_PLATE | F_MATCH },
	{ TES_ROUTE_AUDIT, TES_HTTP_GET, "/audit", F_PAGE },
	{ TES_ROUTE_VERIFY, TES_HTTP_POST, "/verify", F_CSRF },
	{ TES_ROUTE_CSS, TES_HTTP_GET, "/static/tes.css", 0 },
};

static int
route_index(uint8_t method, const uint8_t *path, size_t n, uint16_t *status)
{
	size_t i;
	int known = 0;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strlen(routes[i].path) != n || memcmp(routes[i].path, path, n) != 0)
			continue;
		if (routes[i].method == method)
			return (int)i;
		known = 1;
	}
	*status = known ? 405 : 404;
	return -1;
}

/* see http.h */
uint8_t
tes_http_route(uint8_t method, const uint8_t *path, size_t n, uint16_t *status)
{
	int i = route_index(method, path, n, status);

	return i < 0 ? TES_ROUTE_INVALID : routes[i].route;
}

/* Field values */

static int
val_token(const char *v, size_t n, uint8_t out[static TES_HTTP_TOKEN_LEN], uint8_t *has)
{
	if (n != TES_HTTP_TOKEN_HEX || tes_hex_decode(v, n, out, TES_HTTP_TOKEN_LEN) != 0)
		return TES_ERR_FORMAT;
	*has = 1;
	return 0;
}

static int
val_page(const char *v, size_t n, uint32_t *page)
{
	uint32_t x = 0;
	size_t i;

	if (n == 0 || n > 6)
		return TES_ERR_FORMAT;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return TES_ERR_FORMAT;
		x = x * 10 + (uint32_t)(v[i] - '0');
	}
	*page = x;
	return 0;
}

/* Whether n bytes of v are exactly the literal word. */
static int
is_word(const char *v, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(v, word, n) == 0;
}

/* A fixed word of a list (index + 1 into *out), else TES_ERR_FORMAT. */
static int
val_word(const char *v, size_t n, const char *const *words, size_t nwords, uint8_t *out)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		if (is_word(v, n, words[i])) {
			*out = (uint8_t)(i + 1);
			return 0;
		}
	return TES_ERR_FORMAT;
}

static const char *const verdicts[] = { "approve", "reject" };
static const char *const reasons[] = { "unreadable", "duplicate", "equipment", "emergency", "other" };
static const char *const matches[] = { "exact", "prefix" };

static int
val_text(const char *v, size_t n, char *out, uint8_t *len, size_t max)
{
	if (n > max)
		return TES_ERR_TOOLONG;
	memcpy(out, v, n);
	out[n] = '\0';
	*len = (uint8_t)n;
	return 0;
}

static int
set_field(unsigned f, const char *v, size_t n, struct tes_web_req *o)
{
	uint8_t m;
	int r;

	switch (f) {
	case F_USER: return tes_name_valid(v, n) != 0 ? TES_ERR_NAME : val_text(v, n, o->user, &o->user_len, TES_NAME_MAX);
	case F_PW: return tes_password_valid(v, n) != 0 ? TES_ERR_ARG : val_text(v, n, o->pw, &o->pw_len, TES_PASSWORD_MAX);
	case F_CSRF: return val_token(v, n, o->csrf, &o->has_csrf);
	case F_ID:
		if (n != 2 * TES_REPORT_ID_LEN || tes_hex_decode(v, n, o->id, TES_REPORT_ID_LEN) != 0)
			return TES_ERR_FORMAT;
		o->has_id = 1;
		return 0;
	case F_PAGE: return val_page(v, n, &o->page);
	case F_VERDICT: return val_word(v, n, verdicts, 2, &o->verdict);
	case F_REASON: return val_word(v, n, reasons, 5, &o->reason);
	case F_OTHER: return val_text(v, n, o->other, &o->other_len, TES_HTTP_OTHER_MAX);
	case F_PLATE: return val_text(v, n, o->q, &o->q_len, TES_HTTP_QUERY_MAX);
	case F_MATCH:
		if ((r = val_word(v, n, matches, 2, &m)) == 0)
			o->prefix = (uint8_t)(m == 2);
		return r;
	default: return TES_ERR_FORMAT;
	}
}

static const struct {
	const char *name;
	unsigned field;
} field_names[] = {
	{ "user", F_USER }, { "password", F_PW }, { "csrf", F_CSRF }, { "id", F_ID }, { "page", F_PAGE },
	{ "verdict", F_VERDICT }, { "reason", F_REASON }, { "other", F_OTHER }, { "plate", F_PLATE },
	{ "match", F_MATCH },
};

static unsigned
field_of(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
		if (is_word(name, n, field_names[i].name))
			return field_names[i].field;
	return 0;
}

/* One name=value pair of a query or form. */
static int
form_pair(const uint8_t *p, size_t n, unsigned allowed, unsigned *seen, struct tes_web_req *o)
{
	char name[16], val[TES_PASSWORD_MAX + 1];
	size_t eq, nl, vl;
	unsigned f;
	int r;

	for (eq = 0; eq < n && p[eq] != '='; eq++)
		;
	if (eq == n || tes_http_pct_decode(p, eq, name, sizeof name, &nl) != 0)
		return TES_ERR_FORMAT;
	/*= spec/HTTP.md#fields MUST-W3: unknown, unexpected or repeated fields are refused */
	if ((f = field_of(name, nl)) == 0 || (f & allowed) == 0 || (f & *seen) != 0)
		return TES_ERR_FORMAT;
	*seen |= f;
	if ((r = tes_http_pct_decode(p + eq + 1, n - eq - 1, val, sizeof val, &vl)) == 0)
		r = set_field(f, val, vl, o);
	memset(val, 0, sizeof val);
	return r;
}

static int
form_decode(const uint8_t *p, size_t n, unsigned allowed, struct tes_web_req *o)
{
	size_t i = 0, j;
	unsigned seen = 0;
	int r;

	while (i < n) {
		for (j = i; j < n && p[j] != '&'; j++)
			;
		if (j > i && (r = form_pair(p + i, j - i, allowed, &seen, o)) != 0)
			return r;
		i = j + 1;
	}
	return 0;
}

/* The tes_session value in a Cookie header, if it is well formed. */
static void
cookie_session(const uint8_t *c, size_t n, struct tes_web_req *o)
{
	static const char key[] = "tes_session=";
	size_t i = 0, j, k = sizeof key - 1;

	while (i < n) {
		while (i < n && (c[i] == ' ' || c[i] == ';'))
			i++;
		for (j = i; j < n && c[j] != ';'; j++)
			;
		if (j - i == k + TES_HTTP_TOKEN_HEX && memcmp(c + i, key, k) == 0) {
			if (val_token((const char *)c + i + k, TES_HTTP_TOKEN_HEX, o->session, &o->has_session) != 0)
				o->has_session = 0;
			return;
		}
		i = j;
	}
}

/* see http.h */
int
tes_http_req_build(const uint8_t *buf, const struct tes_http_req *h, struct tes_web_req *out,
		   uint16_t *status)
{
	const uint8_t *t = buf + h->target_off;
	size_t plen;
	int i, r;

	memset(out, 0, sizeof *out);
	for (plen = 0; plen < h->target_len && t[plen] != '?'; plen++)
		;
	if ((i = route_index(h->method, t, plen, status)) < 0)
		return TES_ERR_NOTFOUND;
	out->route = routes[i].route;
	*status = 400;
	cookie_session(buf + h->cookie_off, h->cookie_len, out);
	if (h->method == TES_HTTP_GET)	/* the query, after the '?' */
		r = plen < h->target_len ? form_decode(t + plen + 1, h->target_len - plen - 1, routes[i].fields, out) : 0;
	else if (plen != h->target_len || (h->body_len != 0 && !h->form))
		r = TES_ERR_FORMAT;
	else
		r = form_decode(buf + h->body_off, h->body_len, routes[i].fields, out);
	if (r != 0) {
		memset(out, 0, sizeof *out);
		return TES_ERR_FORMAT;
	}
	*status = 200;
	return 0;
}
