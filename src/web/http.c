/* SPDX-License-Identifier: ISC */
/*
 * Request side of http.h, proven with Frama-C/WP (proofs/README.md): every
 * byte is read through an index checked against its length, strings are
 * compared with explicit loops (no mem* or str* call on request bytes) and
 * numbers are built with arithmetic.
 */
#include "web/http.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/wipe.h"
#include "wire/field.h"

_Static_assert(sizeof(struct tes_http_req) == 7 * sizeof(size_t) + 8, "tes_http_req has no padding");

/* 10^k for the digit loops (at most 9 digits) */
/*@ logic integer p10(integer k) =
        k <= 0 ? 1 : k == 1 ? 10 : k == 2 ? 100 : k == 3 ? 1000 : k == 4 ? 10000 : k == 5 ? 100000 :
        k == 6 ? 1000000 : k == 7 ? 10000000 : k == 8 ? 100000000 : 1000000000;
 */

/* Byte classes */

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
/* RFC 9110 token characters, as a table rather than a string search. */
static int
is_tchar(uint8_t c)
{
	static const uint8_t extra[] = { '!', '#', '$', '%', '&', '\'', '*', '+',
					 '-', '.', '^', '_', '`', '|',  '~' };
	size_t i;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	/*@ loop invariant 0 <= i <= sizeof(extra);
	    loop assigns i;
	    loop variant sizeof(extra) - i; */
	for (i = 0; i < sizeof extra; i++)
		if (c == extra[i])
			return 1;
	return 0;
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
static int
is_vchar(uint8_t c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\t';
}

/*@ terminates \true;
    assigns \nothing;
 */
static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/*@ requires \valid_read(p + (0 .. n-1)) && \valid_read(lit + (0 .. k-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
/* Case-insensitive compare of n bytes with a lower-case literal of length k. */
static int
ieq(const uint8_t *p, size_t n, const char *lit, size_t k)
{
	size_t i;

	if (k != n)
		return 0;
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (lower(p[i]) != lit[i])
			return 0;
	return 1;
}

/* ieq with a string literal */
#define IEQ(p, n, lit) ieq((p), (n), (lit), sizeof(lit) - 1)

/*@ requires \valid(status) && http_status_err(code);
    terminates \true;
    assigns *status;
    ensures *status == code && \result == TES_ERR_FORMAT;
 */
static int
fail(uint16_t *status, uint16_t code)
{
	*status = code;
	return TES_ERR_FORMAT;
}

/*@ requires \valid_read(p + (0 .. n-1)) && max <= TES_HTTP_LINE_MAX;
    terminates \true;
    assigns \nothing;
    ensures -2 <= \result < max;
    ensures \result >= 0 ==> \result + 2 <= n && \result + 2 <= max;
 */
/* Length of the line at p (CRLF excluded), or -1 if no CRLF within max bytes. */
static long
line_len(const uint8_t *p, size_t n, size_t max)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n && i <= max;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i + 1 < n && i + 2 <= max; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n')
			return (long)i;
		if (p[i] == '\r' || p[i] == '\n')
			return -2; /* bare CR or LF */
	}
	return -1;
}

/* Request line */

/*@ requires \valid_read(c + (0 .. k-1)) && \valid_read(key + (0 .. k-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
/* Whether the k bytes at c are exactly those of key. */
static int
starts_with(const uint8_t *c, const char *key, size_t k)
{
	size_t i;

	/*@ loop invariant 0 <= i <= k;
	    loop assigns i;
	    loop variant k - i; */
	for (i = 0; i < k; i++)
		if (c[i] != key[i])
			return 0;
	return 1;
}

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(pos) && \valid(m);
    requires \separated(pos, m, p + (0 .. n-1));
    terminates \true;
    assigns *pos, *m;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> (*m == TES_HTTP_GET && *pos == 4 && 4 <= n) ||
                             (*m == TES_HTTP_POST && *pos == 5 && 5 <= n);
 */
static int
parse_method(const uint8_t *p, size_t n, size_t *pos, uint8_t *m)
{
	if (n >= 4 && starts_with(p, "GET ", 4)) {
		*m = TES_HTTP_GET;
		*pos = 4;
		return 0;
	}
	if (n >= 5 && starts_with(p, "POST ", 5)) {
		*m = TES_HTTP_POST;
		*pos = 5;
		return 0;
	}
	return -1;
}

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 400 || \result == 405;
 */
/* The answer to a request line without GET or POST: 405 if it starts with a token and a space. */
static uint16_t
method_status(const uint8_t *p, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n && is_tchar(p[i]); i++)
		;
	return i > 0 && i < n && p[i] == ' ' ? 405 : 400;
}

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 400 || \result == 505;
 */
/* The end of the request line from the space after the target: 0 for " HTTP/1.1" or " HTTP/1.0", 505 for another version, else 400. */
static uint16_t
version_status(const uint8_t *p, size_t n)
{
	if (n != 9 || !starts_with(p + 1, "HTTP/", 5) || p[7] != '.')
		return 400;
	if (p[6] != '1' || (p[8] != '1' && p[8] != '0'))
		return 505;
	return 0;
}

/*@ predicate req_line_ok(uint8_t *buf, struct tes_http_req *r, integer n) =
        (r->method == TES_HTTP_GET || r->method == TES_HTTP_POST) &&
        1 <= r->target_len <= TES_HTTP_TARGET_MAX && buf[r->target_off] == '/' &&
        r->target_off + r->target_len <= n;
 */

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(req) && \valid(status);
    requires \separated(req, status, p + (0 .. n-1));
    terminates \true;
    assigns req->method, req->target_off, req->target_len, *status;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> req_line_ok(p, req, n);
    ensures \result != 0 ==> http_status_err(*status);
 */
static int
parse_request_line(const uint8_t *p, size_t n, struct tes_http_req *req, uint16_t *status)
{
	size_t pos, i;
	uint16_t v;

	if (parse_method(p, n, &pos, &req->method) != 0)
		return fail(status, method_status(p, n));
	req->target_off = pos;
	/*@ loop invariant pos <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = pos; i < n && p[i] != ' '; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return fail(status, 400);
	req->target_len = i - pos;
	if (req->target_len == 0 || p[pos] != '/')
		return fail(status, 400);
	if (req->target_len > TES_HTTP_TARGET_MAX)
		return fail(status, 414);
	if ((v = version_status(p + i, n - i)) != 0)
		return fail(status, v);
	return 0;
}

/* Headers */

struct hstate {
	int seen_cl, seen_cookie, seen_ctype;
	size_t cl;
};

/*@ predicate hs_ok(struct hstate *hs) =
        0 <= hs->seen_cl <= 1 && 0 <= hs->seen_cookie <= 1 && 0 <= hs->seen_ctype <= 1 &&
        hs->cl <= TES_HTTP_BODY_MAX;
 */

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(cl) && \valid(status);
    requires \separated(cl, status, v + (0 .. n-1));
    terminates \true;
    assigns *cl, *status;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> *cl <= TES_HTTP_BODY_MAX;
    ensures \result != 0 ==> http_status_err(*status);
 */
static int
parse_cl(const uint8_t *v, size_t n, size_t *cl, uint16_t *status)
{
	size_t i, x = 0;

	if (n == 0 || n > 9)
		return fail(status, n == 0 ? 400 : 413);
	/*@ loop invariant 0 <= i <= n;
	    loop invariant x < p10(i);
	    loop assigns i, x;
	    loop variant n - i; */
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

#define FORM_TYPE     "application/x-www-form-urlencoded"
#define FORM_TYPE_LEN (sizeof FORM_TYPE - 1)

/*@ requires \valid_read(v + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
static int
is_form_type(const uint8_t *v, size_t n)
{
	if (n < FORM_TYPE_LEN || !IEQ(v, FORM_TYPE_LEN, FORM_TYPE))
		return 0;
	return n == FORM_TYPE_LEN || v[FORM_TYPE_LEN] == ';' || v[FORM_TYPE_LEN] == ' ';
}

/*@ requires \valid_read(buf + (name_off .. name_off + name_len - 1));
    requires \valid_read(buf + (v_off .. v_off + v_len - 1));
    requires \valid(req) && \valid(hs) && \valid(status) && hs_ok(hs) && req->form <= 1;
    requires \separated(req, hs, status, buf + (name_off .. name_off + name_len - 1),
                        buf + (v_off .. v_off + v_len - 1));
    terminates \true;
    assigns req->cookie_off, req->cookie_len, req->form, *hs, *status;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> hs_ok(hs) && req->form <= 1 &&
            ((req->cookie_off == \old(req->cookie_off) && req->cookie_len == \old(req->cookie_len)) ||
             (req->cookie_off == v_off && req->cookie_len == v_len));
    ensures \result != 0 ==> http_status_err(*status);
 */
/* One header: name, value without surrounding white space. */
static int
header_apply(const uint8_t *buf, size_t name_off, size_t name_len, size_t v_off, size_t v_len,
	     struct tes_http_req *req, struct hstate *hs, uint16_t *status)
{
	const uint8_t *name = buf + name_off, *v = buf + v_off;

	if (IEQ(name, name_len, "content-length")) {
		if (hs->seen_cl++)
			return fail(status, 400);
		return parse_cl(v, v_len, &hs->cl, status);
	}
	if (IEQ(name, name_len, "transfer-encoding"))
		return fail(status, 501);
	if (IEQ(name, name_len, "cookie")) {
		if (hs->seen_cookie++)
			return fail(status, 400);
		req->cookie_off = v_off;
		req->cookie_len = v_len;
		return 0;
	}
	if (IEQ(name, name_len, "content-type")) {
		if (hs->seen_ctype++)
			return fail(status, 400);
		req->form = (uint8_t)is_form_type(v, v_len);
	}
	return 0;
}

/*@ requires \valid_read(buf + (off .. off + len - 1)) && off + len <= SIZE_MAX;
    requires \valid(req) && \valid(hs) && \valid(status) && hs_ok(hs) && req->form <= 1;
    requires req->cookie_off + req->cookie_len <= off;
    requires \separated(req, hs, status, buf + (off .. off + len - 1));
    terminates \true;
    assigns req->cookie_off, req->cookie_len, req->form, *hs, *status;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> hs_ok(hs) && req->form <= 1 &&
            req->cookie_off + req->cookie_len <= off + len;
    ensures \result != 0 ==> http_status_err(*status);
 */
static int
parse_header(const uint8_t *buf, size_t off, size_t len, struct tes_http_req *req, struct hstate *hs,
	     uint16_t *status)
{
	const uint8_t *p = buf + off;
	size_t i, vs, ve, k;

	/*@ loop invariant 0 <= i <= len;
	    loop assigns i;
	    loop variant len - i; */
	for (i = 0; i < len && is_tchar(p[i]); i++)
		;
	/* no white space before the colon, no obsolete line folding */
	if (i == 0 || i == len || p[i] != ':')
		return fail(status, 400);
	/*@ loop invariant i + 1 <= vs <= len;
	    loop assigns vs;
	    loop variant len - vs; */
	for (vs = i + 1; vs < len && (p[vs] == ' ' || p[vs] == '\t'); vs++)
		;
	/*@ loop invariant vs <= ve <= len;
	    loop assigns ve;
	    loop variant ve; */
	for (ve = len; ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'); ve--)
		;
	/*@ loop invariant vs <= k <= ve;
	    loop assigns k;
	    loop variant ve - k; */
	for (k = vs; k < ve; k++)
		if (!is_vchar(p[k]))
			return fail(status, 400);
	return header_apply(buf, off, i, off + vs, ve - vs, req, hs, status);
}

/*@ predicate head_ok(uint8_t *buf, struct tes_http_req *r, integer n) =
        req_line_ok(buf, r, r->head_len) &&
        r->cookie_off + r->cookie_len <= r->head_len &&
        r->head_len <= TES_HTTP_HEAD_MAX && r->head_len <= n && r->form <= 1;
 */

/*@ requires \valid_read(buf + (0 .. n-1)) && n <= TES_HTTP_REQ_MAX;
    requires \valid(req) && \valid(hs) && \valid(status) && hs_ok(hs);
    requires req->cookie_off == 0 && req->cookie_len == 0 && req->form == 0;
    requires \separated(req, hs, status, buf + (0 .. n-1));
    terminates \true;
    assigns *req, *hs, *status;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> head_ok(buf, req, n) && hs_ok(hs);
    ensures \result == TES_ERR_TRUNCATED ==> n < TES_HTTP_HEAD_MAX;
    ensures \result == TES_ERR_FORMAT ==> http_status_err(*status);
 */
/* The head: request line, headers, empty line. req->head_len gets its length. */
static int
parse_head(const uint8_t *buf, size_t n, struct tes_http_req *req, struct hstate *hs, uint16_t *status)
{
	size_t off = 0, count = 0;
	long l;
	int r;

	/*@ loop invariant 0 <= off <= n && off <= TES_HTTP_HEAD_MAX;
	    loop invariant 0 <= count <= TES_HTTP_HEADERS_MAX;
	    loop invariant hs_ok(hs) && req->form <= 1;
	    loop invariant off > 0 ==> req_line_ok(buf, req, off);
	    loop invariant req->cookie_off + req->cookie_len <= off;
	    loop assigns off, count, l, r, *req, *hs, *status;
	    loop variant n - off; */
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

/*@ requires \valid(req);
    terminates \true;
    assigns *req;
    ensures req->method == 0 && req->form == 0 && req->target_off == 0 && req->target_len == 0 &&
            req->cookie_off == 0 && req->cookie_len == 0 && req->body_off == 0 && req->body_len == 0 &&
            req->head_len == 0;
    ensures \forall integer k; 0 <= k < 6 ==> req->zero[k] == 0;
 */
/* Every byte of *req to zero (the struct has no padding). */
static void
req_clear(struct tes_http_req *req)
{
	size_t i;

	req->target_off = 0;
	req->target_len = 0;
	req->cookie_off = 0;
	req->cookie_len = 0;
	req->body_off = 0;
	req->body_len = 0;
	req->head_len = 0;
	req->method = 0;
	req->form = 0;
	/*@ loop invariant 0 <= i <= 6;
	    loop invariant \forall integer k; 0 <= k < i ==> req->zero[k] == 0;
	    loop assigns i, req->zero[0 .. 5];
	    loop variant 6 - i; */
	for (i = 0; i < sizeof req->zero; i++)
		req->zero[i] = 0;
}

/* see http.h */
int
tes_http_parse(const uint8_t *buf, size_t n, struct tes_http_req *req, uint16_t *status)
{
	struct hstate hs = { 0 };
	int r;

	req_clear(req);
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

/*@ terminates \true;
    assigns \nothing;
    ensures -1 <= \result <= 15;
 */
static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*@ requires \valid_read(e + (0 .. n-1)) && \valid(c);
    requires \separated(c, e + (0 .. n-1));
    terminates \true;
    assigns *c;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> n >= 2;
 */
/* The byte of the two hex digits after a '%' (e, n bytes left), or -1. */
static int
pct_byte(const uint8_t *e, size_t n, uint8_t *c)
{
	int hi, lo;

	if (n < 2 || (hi = hexval(e[0])) < 0 || (lo = hexval(e[1])) < 0)
		return -1;
	*c = (uint8_t)(hi * 16 + lo);
	return 0;
}

/* see http.h */
int
tes_http_pct_decode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t i = 0, k = 0;
	uint8_t c;

	if (cap == 0)
		return TES_ERR_TOOLONG;
	/*@ loop invariant 0 <= k <= i <= n;
	    loop invariant k < cap;
	    loop invariant web_text(out, k);
	    loop assigns i, k, c, out[0 .. cap-1];
	    loop variant n - i; */
	while (i < n) {
		c = in[i++];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (pct_byte(in + i, n - i, &c) != 0)
				goto bad;
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

/*
 * Routes: the one table of what the dashboard answers. The constant tables
 * of this file are read only through small accessors whose contracts name
 * no table, so no pointer into a table is ever formed and WP needs no
 * hypothesis that a caller's pointers stay out of them.
 */

enum field {
	F_USER = 1 << 0,
	F_PW = 1 << 1,
	F_CSRF = 1 << 2,
	F_ID = 1 << 3,
	F_PAGE = 1 << 4,
	F_VERDICT = 1 << 5,
	F_REASON = 1 << 6,
	F_OTHER = 1 << 7,
	F_PLATE = 1 << 8,
	F_MATCH = 1 << 9,
	F_SEL = 1 << 10, /* the one field that may repeat: a report id of a bulk decision */
	F_SELECT = 1 << 11,
	F_NEXT = 1 << 12,
	F_NEW = 1 << 13,
	F_REPEAT = 1 << 14
};

/*= spec/HTTP.md#bulk MUST-W10: the largest bulk form a browser sends fits the body limit */
_Static_assert(TES_WEB_BULK_MAX *TES_WEB_SEL_PAIR + TES_WEB_BULK_FIXED <= TES_HTTP_BODY_MAX,
	       "a bulk decision of TES_WEB_BULK_MAX ids fits the request body");

enum {
	PATH_CAP = 16,
	NROUTES = TES_ROUTE_MAX
};

/*
 * Row r is route r + 1: the rows follow enum tes_web_route, so the route of a row is its
 * position and the proofs need none of the table's contents (the route test in web_test checks
 * every path against its route).
 */
static const struct {
	uint8_t method;
	char path[PATH_CAP]; /* NUL-terminated */
	unsigned fields;     /* what the query or form may carry */
} routes[NROUTES] = {
	[TES_ROUTE_ROOT - 1] = { TES_HTTP_GET, "/", 0 },
	[TES_ROUTE_LOGIN_FORM - 1] = { TES_HTTP_GET, "/login", 0 },
	[TES_ROUTE_LOGIN - 1] = { TES_HTTP_POST, "/login", F_USER | F_PW | F_CSRF },
	[TES_ROUTE_LOGOUT - 1] = { TES_HTTP_POST, "/logout", F_CSRF },
	[TES_ROUTE_QUEUE - 1] = { TES_HTTP_GET, "/queue", F_PAGE | F_SELECT },
	[TES_ROUTE_REPORT - 1] = { TES_HTTP_GET, "/report", F_ID },
	[TES_ROUTE_DECIDE - 1] = { TES_HTTP_POST, "/decide",
				   F_ID | F_VERDICT | F_REASON | F_OTHER | F_NEXT | F_CSRF },
	[TES_ROUTE_RECORDS - 1] = { TES_HTTP_GET, "/records", F_PLATE | F_MATCH },
	[TES_ROUTE_AUDIT - 1] = { TES_HTTP_GET, "/audit", F_PAGE },
	[TES_ROUTE_VERIFY - 1] = { TES_HTTP_POST, "/verify", F_CSRF },
	[TES_ROUTE_CSS - 1] = { TES_HTTP_GET, "/static/tes.css", 0 },
	[TES_ROUTE_BULK - 1] = { TES_HTTP_POST, "/bulk", F_SEL | F_VERDICT | F_REASON | F_OTHER | F_CSRF },
	[TES_ROUTE_PASSWORD_FORM - 1] = { TES_HTTP_GET, "/password", 0 },
	[TES_ROUTE_PASSWORD - 1] = { TES_HTTP_POST, "/password", F_PW | F_NEW | F_REPEAT | F_CSRF },
	[TES_ROUTE_EXPORT - 1] = { TES_HTTP_GET, "/export.csv", 0 },
};

/*@ requires r < NROUTES;
    terminates \true;
    assigns \nothing;
    ensures \result == r + 1;
    ensures TES_ROUTE_ROOT <= \result <= TES_ROUTE_MAX;
 */
static uint8_t
route_id(size_t r)
{
	return (uint8_t)(r + TES_ROUTE_ROOT);
}

/*@ requires r < NROUTES;
    terminates \true;
    assigns \nothing;
 */
static uint8_t
route_method(size_t r)
{
	return routes[r].method;
}

/*@ requires r < NROUTES;
    terminates \true;
    assigns \nothing;
 */
static unsigned
route_fields(size_t r)
{
	return routes[r].fields;
}

/*@ requires r < NROUTES && k < PATH_CAP;
    terminates \true;
    assigns \nothing;
 */
static char
route_char(size_t r, size_t k)
{
	return routes[r].path[k];
}

/*@ requires \valid_read(p + (0 .. n-1)) && r < NROUTES;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
/* Whether the n bytes at p are the path of route r. */
static int
path_is(const uint8_t *p, size_t n, size_t r)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (i >= PATH_CAP || route_char(r, i) == 0 || p[i] != route_char(r, i))
			return 0;
	return n < PATH_CAP && route_char(r, n) == 0;
}

/*@ requires \valid_read(path + (0 .. n-1)) && \valid(status);
    requires \separated(status, path + (0 .. n-1));
    terminates \true;
    assigns *status;
    ensures -1 <= \result < NROUTES;
    ensures \result < 0 ==> *status == 404 || *status == 405;
    ensures \result >= 0 ==> *status == \old(*status);
 */
static int
route_index(uint8_t method, const uint8_t *path, size_t n, uint16_t *status)
{
	size_t i;
	int known = 0;

	/*@ loop invariant 0 <= i <= NROUTES;
	    loop assigns i, known;
	    loop variant NROUTES - i; */
	for (i = 0; i < NROUTES; i++) {
		if (!path_is(path, n, i))
			continue;
		if (route_method(i) == method)
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

	return i < 0 ? TES_ROUTE_INVALID : route_id((size_t)i);
}

/*
 * The fixed words of a query or form: the field names, in the order of
 * enum field, then the values of verdict, reason and match.
 */
enum {
	WORD_CAP = 11,
	NFIELDS = 15,
	W_VERDICT = NFIELDS,
	W_REASON = W_VERDICT + 2,
	W_MATCH = W_REASON + 5,
	W_ALL = W_MATCH + 2,
	W_ONE = W_ALL + 1,
	NWORDS = W_ONE + 1
};

static const char words[NWORDS][WORD_CAP] = {
	"user",      "password",  "csrf",      "id",    "page",  "verdict", "reason",  "other",  "plate",
	"match",     "sel",       "select",    "next",  "new",   "repeat",  "approve", "reject", "unreadable",
	"duplicate", "equipment", "emergency", "other", "exact", "prefix",  "all",     "1",
};

static const unsigned field_bits[NFIELDS] = {
	F_USER,  F_PW,    F_CSRF, F_ID,     F_PAGE, F_VERDICT, F_REASON, F_OTHER,
	F_PLATE, F_MATCH, F_SEL,  F_SELECT, F_NEXT, F_NEW,     F_REPEAT,
};

/*@ requires w < NWORDS && k < WORD_CAP;
    terminates \true;
    assigns \nothing;
 */
static char
word_char(size_t w, size_t k)
{
	return words[w][k];
}

/*@ requires f < NFIELDS;
    terminates \true;
    assigns \nothing;
 */
static unsigned
field_bit(size_t f)
{
	return field_bits[f];
}

/*@ requires \valid_read(v + (0 .. n-1)) && w < NWORDS;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
 */
/* Whether the n chars at v are exactly word w. */
static int
word_is(const char *v, size_t n, size_t w)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (i >= WORD_CAP || word_char(w, i) == 0 || v[i] != word_char(w, i))
			return 0;
	return n < WORD_CAP && word_char(w, n) == 0;
}

/* Field values */

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(out + (0 .. TES_HTTP_TOKEN_LEN - 1)) && \valid(has);
    requires \separated(has, out + (0 .. TES_HTTP_TOKEN_LEN - 1), v + (0 .. n-1));
    terminates \true;
    assigns out[0 .. TES_HTTP_TOKEN_LEN - 1], *has;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> *has == 1;
    ensures \result != 0 ==> *has == \old(*has);
 */
static int
val_token(const char *v, size_t n, uint8_t out[static TES_HTTP_TOKEN_LEN], uint8_t *has)
{
	if (n != TES_HTTP_TOKEN_HEX || tes_hex_decode(v, n, out, TES_HTTP_TOKEN_LEN) != 0)
		return TES_ERR_FORMAT;
	*has = 1;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(page);
    requires \separated(page, v + (0 .. n-1));
    terminates \true;
    assigns *page;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> *page <= TES_HTTP_PAGE_MAX;
    ensures \result != 0 ==> *page == \old(*page);
 */
static int
val_page(const char *v, size_t n, uint32_t *page)
{
	uint32_t x = 0;
	size_t i;

	if (n == 0 || n > 6)
		return TES_ERR_FORMAT;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant x < p10(i);
	    loop assigns i, x;
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return TES_ERR_FORMAT;
		x = x * 10 + (uint32_t)(v[i] - '0');
	}
	*page = x;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(out);
    requires first + count <= NWORDS;
    requires \separated(out, v + (0 .. n-1));
    terminates \true;
    assigns *out;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> 1 <= *out <= count;
    ensures \result != 0 ==> *out == \old(*out);
 */
/* One of count words from word first (index + 1 into *out), else TES_ERR_FORMAT. */
static int
val_word(const char *v, size_t n, size_t first, size_t count, uint8_t *out)
{
	size_t i;

	/*@ loop invariant 0 <= i <= count;
	    loop assigns i;
	    loop variant count - i; */
	for (i = 0; i < count; i++)
		if (word_is(v, n, first + i)) {
			*out = (uint8_t)(i + 1);
			return 0;
		}
	return TES_ERR_FORMAT;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(out + (0 .. max)) && \valid(len) && max <= 255;
    requires \separated(len, out + (0 .. max), v + (0 .. n-1));
    terminates \true;
    assigns out[0 .. max], *len;
    behavior fits:
      assumes n <= max;
      assigns out[0 .. n], *len;
      ensures \result == 0 && *len == n && out[n] == 0;
      ensures \forall integer k; 0 <= k < n ==> out[k] == v[k];
    behavior long:
      assumes n > max;
      assigns \nothing;
      ensures \result == TES_ERR_TOOLONG;
    complete behaviors; disjoint behaviors;
 */
static int
val_text(const char *v, size_t n, char *out, uint8_t *len, size_t max)
{
	size_t i;

	if (n > max)
		return TES_ERR_TOOLONG;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> out[k] == v[k];
	    loop assigns i, out[0 .. n-1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		out[i] = v[i];
	out[n] = '\0';
	*len = (uint8_t)n;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && \valid(o);
    requires \separated(o, v + (0 .. n-1));
    terminates \true;
    assigns o->nsel, o->sel[0 .. TES_WEB_BULK_MAX * TES_REPORT_ID_LEN - 1];
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result != 0 ==> o->nsel == \old(o->nsel);
 */
/*
 * One report id of a bulk decision: 32 hex digits, stored after the ones
 * before it while there is room; every one is counted (saturating), so the
 * master can refuse a form with more than TES_WEB_BULK_MAX of them.
 */
static int
val_sel(const char *v, size_t n, struct tes_web_req *o)
{
	uint8_t id[TES_REPORT_ID_LEN];
	size_t k, at;

	if (n != 2 * TES_REPORT_ID_LEN || tes_hex_decode(v, n, id, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_FORMAT;
	if (o->nsel < TES_WEB_BULK_MAX) {
		at = (size_t)o->nsel * TES_REPORT_ID_LEN;
		/*@ loop invariant 0 <= k <= TES_REPORT_ID_LEN;
		    loop assigns k, o->sel[at .. at + TES_REPORT_ID_LEN - 1];
		    loop variant TES_REPORT_ID_LEN - k; */
		for (k = 0; k < TES_REPORT_ID_LEN; k++)
			o->sel[at + k] = id[k];
	}
	if (o->nsel < 255)
		o->nsel++;
	return 0;
}

/*@ requires \valid_read(v + (0 .. n-1)) && n <= TES_PASSWORD_MAX;
    requires \valid(o) && web_fields_ok(o);
    requires \separated(o, v + (0 .. n-1));
    terminates \true;
    assigns *o;
    ensures \result == 0 ==> web_fields_ok(o);
    ensures o->route == \old(o->route);
 */
static int
set_field(unsigned f, const char *v, size_t n, struct tes_web_req *o)
{
	uint8_t m;
	int r;

	switch (f) {
	case F_USER:
		return tes_field_name_valid(v, n) != 0 ? TES_ERR_NAME
						       : val_text(v, n, o->user, &o->user_len, TES_NAME_MAX);
	case F_PW:
		return tes_field_password_valid(v, n) != 0
			       ? TES_ERR_ARG
			       : val_text(v, n, o->pw, &o->pw_len, TES_PASSWORD_MAX);
	case F_CSRF:
		return val_token(v, n, o->csrf, &o->has_csrf);
	case F_ID:
		if (n != 2 * TES_REPORT_ID_LEN || tes_hex_decode(v, n, o->id, TES_REPORT_ID_LEN) != 0)
			return TES_ERR_FORMAT;
		o->has_id = 1;
		return 0;
	case F_PAGE:
		return val_page(v, n, &o->page);
	case F_VERDICT:
		return val_word(v, n, W_VERDICT, 2, &o->verdict);
	case F_REASON:
		return val_word(v, n, W_REASON, 5, &o->reason);
	case F_OTHER:
		return val_text(v, n, o->other, &o->other_len, TES_HTTP_OTHER_MAX);
	case F_PLATE:
		return val_text(v, n, o->q, &o->q_len, TES_HTTP_QUERY_MAX);
	case F_MATCH:
		if ((r = val_word(v, n, W_MATCH, 2, &m)) == 0)
			o->prefix = (uint8_t)(m == 2);
		return r;
	case F_SEL:
		return val_sel(v, n, o);
	case F_SELECT:
		if ((r = val_word(v, n, W_ALL, 1, &m)) == 0)
			o->all = 1;
		return r;
	case F_NEXT:
		if ((r = val_word(v, n, W_ONE, 1, &m)) == 0)
			o->next = 1;
		return r;
	case F_NEW:
		return tes_field_password_valid(v, n) != 0
			       ? TES_ERR_ARG
			       : val_text(v, n, o->newpw, &o->new_len, TES_PASSWORD_MAX);
	case F_REPEAT:
		return tes_field_password_valid(v, n) != 0
			       ? TES_ERR_ARG
			       : val_text(v, n, o->rep, &o->rep_len, TES_PASSWORD_MAX);
	default:
		return TES_ERR_FORMAT;
	}
}

/*@ requires \valid_read(name + (0 .. n-1));
    terminates \true;
    assigns \nothing;
 */
/* The field (enum field) of a name, 0 if none. */
static unsigned
field_of(const char *name, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= NFIELDS;
	    loop assigns i;
	    loop variant NFIELDS - i; */
	for (i = 0; i < NFIELDS; i++)
		if (word_is(name, n, i))
			return field_bit(i);
	return 0;
}

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(seen) && \valid(o) && web_fields_ok(o);
    requires \separated(seen, o, p + (0 .. n-1));
    terminates \true;
    assigns *seen, *o;
    ensures \result == 0 ==> web_fields_ok(o);
    ensures o->route == \old(o->route);
 */
/* One name=value pair of a query or form. */
static int
form_pair(const uint8_t *p, size_t n, unsigned allowed, unsigned *seen, struct tes_web_req *o)
{
	char name[16], val[TES_PASSWORD_MAX + 1];
	size_t eq, nl, vl;
	unsigned f;
	int r;

	/* the local buffers are not the caller's (helps the provers) */
	/*@ assert \separated(val + (0 .. TES_PASSWORD_MAX), name + (0 .. 15), o, seen); */
	/*@ loop invariant 0 <= eq <= n;
	    loop assigns eq;
	    loop variant n - eq; */
	for (eq = 0; eq < n && p[eq] != '='; eq++)
		;
	if (eq == n || tes_http_pct_decode(p, eq, name, sizeof name, &nl) != 0)
		return TES_ERR_FORMAT;
	/*@ assert web_fields_ok(o); */
	/*= spec/HTTP.md#fields MUST-W3: unknown, unexpected or repeated fields are refused (sel aside) */
	if ((f = field_of(name, nl)) == 0 || (f & allowed) == 0 || (f & *seen & ~(unsigned)F_SEL) != 0)
		return TES_ERR_FORMAT;
	*seen |= f;
	if ((r = tes_http_pct_decode(p + eq + 1, n - eq - 1, val, sizeof val, &vl)) == 0) {
		/*@ assert web_fields_ok(o); */
		r = set_field(f, val, vl, o);
	}
	/*@ assert r == 0 ==> web_fields_ok(o); */
	tes_wipe_chars(val, sizeof val);
	return r;
}

/*@ requires \valid_read(p + (0 .. n-1)) && n < SIZE_MAX && \valid(o) && web_fields_ok(o);
    requires \separated(o, p + (0 .. n-1));
    terminates \true;
    assigns *o;
    ensures \result == 0 ==> web_fields_ok(o);
    ensures o->route == \old(o->route);
 */
static int
form_decode(const uint8_t *p, size_t n, unsigned allowed, struct tes_web_req *o)
{
	size_t i = 0, j;
	unsigned seen = 0;
	int r;

	/*@ loop invariant 0 <= i <= n + 1;
	    loop invariant web_fields_ok(o) && o->route == \at(o->route, Pre);
	    loop assigns i, j, seen, r, *o;
	    loop variant n + 1 - i; */
	while (i < n) {
		/*@ loop invariant i <= j <= n;
		    loop assigns j;
		    loop variant n - j; */
		for (j = i; j < n && p[j] != '&'; j++)
			;
		if (j > i && (r = form_pair(p + i, j - i, allowed, &seen, o)) != 0)
			return r;
		i = j + 1;
	}
	return 0;
}

#define COOKIE_KEY "tes_session="

/*@ requires \valid_read(c + (0 .. n-1)) && \valid(o);
    requires o->has_session == 0;
    requires \separated(o, c + (0 .. n-1));
    terminates \true;
    assigns o->session[0 .. TES_HTTP_TOKEN_LEN - 1], o->has_session;
    ensures o->has_session <= 1;
 */
/* The tes_session value in a Cookie header, if it is well formed. */
static void
cookie_session(const uint8_t *c, size_t n, struct tes_web_req *o)
{
	char tok[TES_HTTP_TOKEN_HEX];
	size_t i = 0, j, m, k = sizeof COOKIE_KEY - 1;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, j, m, tok[0 .. TES_HTTP_TOKEN_HEX - 1];
	    loop variant n - i; */
	while (i < n) {
		/*@ loop invariant \at(i, LoopEntry) <= i <= n;
		    loop assigns i;
		    loop variant n - i; */
		while (i < n && (c[i] == ' ' || c[i] == ';'))
			i++;
		/*@ loop invariant i <= j <= n;
		    loop assigns j;
		    loop variant n - j; */
		for (j = i; j < n && c[j] != ';'; j++)
			;
		if (j - i == k + TES_HTTP_TOKEN_HEX && starts_with(c + i, COOKIE_KEY, k)) {
			/* the value as chars, converted by value (two's complement, what
			 * (char) does on every target we build for) */
			/*@ loop invariant 0 <= m <= TES_HTTP_TOKEN_HEX;
			    loop assigns m, tok[0 .. TES_HTTP_TOKEN_HEX - 1];
			    loop variant TES_HTTP_TOKEN_HEX - m; */
			for (m = 0; m < TES_HTTP_TOKEN_HEX; m++)
				tok[m] = c[i + k + m] < 128 ? (char)c[i + k + m] : (char)(c[i + k + m] - 256);
			if (val_token(tok, TES_HTTP_TOKEN_HEX, o->session, &o->has_session) != 0)
				o->has_session = 0;
			tes_wipe_chars(tok, sizeof tok);
			return;
		}
		i = j;
	}
}

/*@ requires \valid(o);
    terminates \true;
    assigns o->route, o->has_session, o->session[0 .. TES_HTTP_TOKEN_LEN - 1], o->has_csrf,
            o->csrf[0 .. TES_HTTP_TOKEN_LEN - 1], o->has_id, o->id[0 .. TES_REPORT_ID_LEN - 1], o->page,
            o->verdict, o->reason, o->prefix, o->all, o->next, o->nsel,
            o->sel[0 .. TES_WEB_BULK_MAX * TES_REPORT_ID_LEN - 1];
    ensures web_req_zero_bytes(o);
 */
/* The flags, numbers and byte arrays of *o to zero. */
static void
web_req_clear_bytes(struct tes_web_req *o)
{
	size_t i;

	/*@ loop invariant 0 <= i <= TES_WEB_BULK_MAX * TES_REPORT_ID_LEN;
	    loop invariant \forall integer k; 0 <= k < i ==> o->sel[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i && k < TES_HTTP_TOKEN_LEN ==> o->session[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i && k < TES_HTTP_TOKEN_LEN ==> o->csrf[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i && k < TES_REPORT_ID_LEN ==> o->id[k] == 0;
	    loop assigns i, o->sel[0 .. TES_WEB_BULK_MAX * TES_REPORT_ID_LEN - 1],
	                 o->session[0 .. TES_HTTP_TOKEN_LEN - 1], o->csrf[0 .. TES_HTTP_TOKEN_LEN - 1],
	                 o->id[0 .. TES_REPORT_ID_LEN - 1];
	    loop variant TES_WEB_BULK_MAX * TES_REPORT_ID_LEN - i; */
	for (i = 0; i < sizeof o->sel; i++) {
		o->sel[i] = 0;
		if (i < sizeof o->session)
			o->session[i] = 0;
		if (i < sizeof o->csrf)
			o->csrf[i] = 0;
		if (i < sizeof o->id)
			o->id[i] = 0;
	}
	o->route = 0;
	o->has_session = 0;
	o->has_csrf = 0;
	o->has_id = 0;
	o->page = 0;
	o->verdict = 0;
	o->reason = 0;
	o->prefix = 0;
	o->all = 0;
	o->next = 0;
	o->nsel = 0;
}

/*@ requires \valid(o);
    terminates \true;
    assigns o->user_len, o->pw_len, o->q_len, o->other_len, o->new_len, o->rep_len,
            o->user[0 .. TES_NAME_MAX], o->pw[0 .. TES_PASSWORD_MAX], o->q[0 .. TES_HTTP_QUERY_MAX],
            o->other[0 .. TES_HTTP_OTHER_MAX], o->newpw[0 .. TES_PASSWORD_MAX], o->rep[0 .. TES_PASSWORD_MAX];
    ensures web_req_zero_texts(o);
 */
/* The texts of *o to zero. */
static void
web_req_clear_texts(struct tes_web_req *o)
{
	size_t i;

	/*@ loop invariant 0 <= i <= TES_PASSWORD_MAX + 1;
	    loop invariant \forall integer k; 0 <= k < i && k <= TES_NAME_MAX ==> o->user[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i ==> o->pw[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i ==> o->newpw[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i ==> o->rep[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i && k <= TES_HTTP_QUERY_MAX ==> o->q[k] == 0;
	    loop invariant \forall integer k; 0 <= k < i && k <= TES_HTTP_OTHER_MAX ==> o->other[k] == 0;
	    loop assigns i, o->user[0 .. TES_NAME_MAX], o->pw[0 .. TES_PASSWORD_MAX],
	                 o->newpw[0 .. TES_PASSWORD_MAX], o->rep[0 .. TES_PASSWORD_MAX],
	                 o->q[0 .. TES_HTTP_QUERY_MAX], o->other[0 .. TES_HTTP_OTHER_MAX];
	    loop variant TES_PASSWORD_MAX + 1 - i; */
	for (i = 0; i < sizeof o->pw; i++) {
		o->pw[i] = 0;
		o->newpw[i] = 0;
		o->rep[i] = 0;
		if (i < sizeof o->user)
			o->user[i] = 0;
		if (i < sizeof o->q)
			o->q[i] = 0;
		if (i < sizeof o->other)
			o->other[i] = 0;
	}
	o->user_len = 0;
	o->pw_len = 0;
	o->q_len = 0;
	o->other_len = 0;
	o->new_len = 0;
	o->rep_len = 0;
}

/*@ requires \valid(o);
    terminates \true;
    assigns *o;
    ensures web_req_zero(o);
 */
/* Every field of *o to zero. */
static void
web_req_clear(struct tes_web_req *o)
{
	web_req_clear_bytes(o);
	web_req_clear_texts(o);
}

/* see http.h */
int
tes_http_req_build(const uint8_t *buf, const struct tes_http_req *h, struct tes_web_req *out,
		   uint16_t *status)
{
	const uint8_t *t = buf + h->target_off;
	size_t plen;
	int i, r;

	web_req_clear(out);
	/*@ loop invariant 0 <= plen <= h->target_len;
	    loop assigns plen;
	    loop variant h->target_len - plen; */
	for (plen = 0; plen < h->target_len && t[plen] != '?'; plen++)
		;
	if ((i = route_index(h->method, t, plen, status)) < 0)
		return TES_ERR_NOTFOUND;
	out->route = route_id((size_t)i);
	*status = 400;
	/*@ assert web_fields_ok(out); */
	cookie_session(buf + h->cookie_off, h->cookie_len, out);
	/*@ assert web_req_ok(out); */
	if (h->method == TES_HTTP_GET) /* the query, after the '?' */
		r = plen < h->target_len ? form_decode(t + plen + 1, h->target_len - plen - 1,
						       route_fields((size_t)i), out)
					 : 0;
	else if (plen != h->target_len || (h->body_len != 0 && !h->form))
		r = TES_ERR_FORMAT;
	else
		r = form_decode(buf + h->body_off, h->body_len, route_fields((size_t)i), out);
	if (r != 0) {
		web_req_clear(out);
		return TES_ERR_FORMAT;
	}
	*status = 200;
	return 0;
}
