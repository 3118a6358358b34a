/* SPDX-License-Identifier: ISC */
/*
 * Dashboard tests: the HTTP request parser (every limit, malformed input),
 * percent-decoding and form decoding (bounds, refused fields), routing,
 * HTML escaping, the child->master message codec and permission check, the
 * session table (expiry, eviction, CSRF) and the response head.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "common/err.h"
#include "web/html.h"
#include "web/http.h"
#include "web/wmsg.h"
#include "web/wsess.h"

static uint8_t big[TES_HTTP_REQ_MAX + 4096];

static int
parse(const char *s, uint16_t *status)
{
	struct tes_http_req h;

	return tes_http_parse((const uint8_t *)s, strlen(s), &h, status);
}

/* Status of a request that must be refused. */
static uint16_t
refused(const char *s)
{
	uint16_t st = 0;
	int r = parse(s, &st);

	return r == 0 || r == TES_ERR_TRUNCATED ? 0 : st;
}

static void
test_parse_ok(void)
{
	static const char get[] = "GET /queue?page=2 HTTP/1.1\r\nHost: x\r\nCookie: a=b; "
				  "tes_session=00112233445566778899aabbccddeeff\r\n\r\n";
	static const char post[] =
		"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		"Content-Length: 11\r\n\r\nuser=a&b=cXTRA";
	struct tes_http_req h;
	uint16_t st;
	size_t i, n = strlen(post);
	int all_trunc = 1;

	EQ_INT(tes_http_parse((const uint8_t *)get, strlen(get), &h, &st), 0, "GET parses");
	OK(h.method == TES_HTTP_GET && h.target_len == 13 &&
		   memcmp(get + h.target_off, "/queue?page=2", 13) == 0,
	   "method and target");
	OK(h.cookie_len > 0 && memcmp(get + h.cookie_off, "a=b;", 4) == 0, "cookie header located");
	EQ_INT(tes_http_parse((const uint8_t *)post, n, &h, &st), 0,
	       "POST parses (bytes after the body ignored)");
	OK(h.method == TES_HTTP_POST && h.body_len == 11 && h.form &&
		   memcmp(post + h.body_off, "user=a&b=cX", 11) == 0,
	   "POST body and form type");
	for (i = 0; i < n - 4; i++)
		all_trunc &= tes_http_parse((const uint8_t *)post, i, &h, &st) == TES_ERR_TRUNCATED;
	OK(all_trunc, "every strict prefix asks for more bytes");
	EQ_INT(parse("GET / HTTP/1.0\r\n\r\n", &st), 0, "HTTP/1.0 accepted");
}

static void
test_parse_bad(void)
{
	char line[2 * TES_HTTP_LINE_MAX];
	size_t k, n;
	uint16_t st;

	EQ_INT(refused("PUT / HTTP/1.1\r\n\r\n"), 405, "unknown method: 405");
	EQ_INT(refused("get / HTTP/1.1\r\n\r\n"), 405, "methods are case-sensitive");
	EQ_INT(refused("GET / HTTP/2.0\r\n\r\n"), 505, "other version: 505");
	EQ_INT(refused("GET / FOO/1.1\r\n\r\n"), 400, "not HTTP: 400");
	EQ_INT(refused("GET queue HTTP/1.1\r\n\r\n"), 400, "target must start with /");
	EQ_INT(refused("GET /a b HTTP/1.1\r\n\r\n"), 400, "space in target");
	EQ_INT(refused("GET /\x01 HTTP/1.1\r\n\r\n"), 400, "control byte in target");
	EQ_INT(refused("GET / HTTP/1.1\n\n"), 400, "bare LF refused");
	EQ_INT(refused("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n"), 400, "bare CR refused");
	EQ_INT(refused("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400, "space before colon");
	EQ_INT(refused("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400, "obsolete line folding");
	EQ_INT(refused("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), 400, "header without colon");
	EQ_INT(refused("GET / HTTP/1.1\r\nA: \x7f\r\n\r\n"), 400, "DEL in a header value");
	EQ_INT(refused("POST /login HTTP/1.1\r\n\r\n"), 411, "POST without Content-Length: 411");
	EQ_INT(refused("POST /login HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na"), 400,
	       "two Content-Length");
	EQ_INT(refused("POST /login HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400, "negative length");
	EQ_INT(refused("POST /login HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n"), 400, "hex length");
	EQ_INT(refused("POST /login HTTP/1.1\r\nContent-Length: 2049\r\n\r\n"), 413,
	       "body above the limit: 413");
	EQ_INT(refused("POST /login HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n"), 413,
	       "huge length: 413");
	EQ_INT(refused("POST /login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501, "chunked: 501");
	EQ_INT(refused("GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"), 400, "GET with a body");
	EQ_INT(refused("GET / HTTP/1.1\r\nCookie: a\r\nCookie: b\r\n\r\n"), 400, "two Cookie headers");

	n = (size_t)snprintf(line, sizeof line, "GET /");
	for (k = 0; k < TES_HTTP_TARGET_MAX; k++)
		line[n++] = 'a';
	snprintf(line + n, sizeof line - n, " HTTP/1.1\r\n\r\n");
	EQ_INT(refused(line), 414, "target above the limit: 414");
	n = (size_t)snprintf(line, sizeof line, "GET / HTTP/1.1\r\nX: ");
	while (n < TES_HTTP_LINE_MAX + 40)
		line[n++] = 'v';
	line[n] = '\0';
	EQ_INT(refused(line), 431, "header line above the limit (no CRLF yet): 431");
	snprintf(line + n, sizeof line - n, "\r\n\r\n");
	EQ_INT(refused(line), 431, "header line above the limit: 431");

	n = (size_t)snprintf((char *)big, sizeof big, "GET / HTTP/1.1\r\n");
	for (k = 0; k <= TES_HTTP_HEADERS_MAX; k++)
		n += (size_t)snprintf((char *)big + n, sizeof big - n, "X-%zu: y\r\n", k);
	snprintf((char *)big + n, sizeof big - n, "\r\n");
	EQ_INT(refused((char *)big), 431, "too many header lines: 431");

	n = (size_t)snprintf((char *)big, sizeof big, "GET / HTTP/1.1\r\n");
	for (k = 0; k < 20; k++) {
		n += (size_t)snprintf((char *)big + n, sizeof big - n, "X-%zu: ", k);
		memset(big + n, 'z', 500);
		n += 500;
		n += (size_t)snprintf((char *)big + n, sizeof big - n, "\r\n");
	}
	snprintf((char *)big + n, sizeof big - n, "\r\n");
	EQ_INT(refused((char *)big), 431, "head above 8 KiB: 431");
	memset(big, 'A', sizeof big);
	{
		struct tes_http_req h;

		OK(tes_http_parse(big, sizeof big, &h, &st) != 0 && st >= 400 && st < 500,
		   "garbage larger than the buffer: 4xx");
	}
}

static void
test_pct(void)
{
	char out[8];
	size_t n = 0;

	EQ_INT(tes_http_pct_decode((const uint8_t *)"a+b%20c", 7, out, sizeof out, &n), 0,
	       "decode + and %%20");
	OK(n == 5 && strcmp(out, "a b c") == 0, "decoded value");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%3Cx%3e", 7, out, sizeof out, &n), 0,
	       "upper and lower hex");
	OK(strcmp(out, "<x>") == 0, "decoded < and >");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%4", 2, out, sizeof out, &n), TES_ERR_FORMAT,
	       "truncated escape");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%", 1, out, sizeof out, &n), TES_ERR_FORMAT,
	       "lone percent");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%zz", 3, out, sizeof out, &n), TES_ERR_FORMAT,
	       "non-hex escape");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%00", 3, out, sizeof out, &n), TES_ERR_FORMAT,
	       "NUL refused");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%0a", 3, out, sizeof out, &n), TES_ERR_FORMAT,
	       "newline refused");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%c3%a9", 6, out, sizeof out, &n), TES_ERR_FORMAT,
	       "non-ASCII refused");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"\x01", 1, out, sizeof out, &n), TES_ERR_FORMAT,
	       "raw control byte");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"1234567", 7, out, sizeof out, &n), 0, "exactly fits");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"12345678", 8, out, sizeof out, &n), TES_ERR_TOOLONG,
	       "one byte too long");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"%41%41%41%41%41%41%41%41", 24, out, sizeof out, &n),
	       TES_ERR_TOOLONG, "bound applies to decoded bytes");
	EQ_INT(tes_http_pct_decode((const uint8_t *)"", 0, out, sizeof out, &n), 0, "empty value");
	EQ_INT(n, 0, "empty length");
}

static void
test_route(void)
{
	uint16_t st = 0;

	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/queue", 6, &st), TES_ROUTE_QUEUE,
	       "GET /queue");
	EQ_INT(tes_http_route(TES_HTTP_POST, (const uint8_t *)"/login", 6, &st), TES_ROUTE_LOGIN,
	       "POST /login");
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/login", 6, &st), TES_ROUTE_LOGIN_FORM,
	       "GET /login");
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/static/tes.css", 15, &st), TES_ROUTE_CSS,
	       "css");
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/export.csv", 11, &st), TES_ROUTE_EXPORT,
	       "GET /export.csv (spec/EXPORT.md MUST-EX6)");
	EQ_INT(tes_http_route(TES_HTTP_POST, (const uint8_t *)"/export.csv", 11, &st), 0, "POST /export.csv");
	EQ_INT(st, 405, "POST /export.csv: 405");
	{
		/* every route from its path: the table's rows follow enum tes_web_route (http.c) */
		static const struct {
			uint8_t method;
			const char *path;
			uint8_t route;
		} all[] = {
			{ TES_HTTP_GET, "/", TES_ROUTE_ROOT },
			{ TES_HTTP_GET, "/login", TES_ROUTE_LOGIN_FORM },
			{ TES_HTTP_POST, "/login", TES_ROUTE_LOGIN },
			{ TES_HTTP_POST, "/logout", TES_ROUTE_LOGOUT },
			{ TES_HTTP_GET, "/queue", TES_ROUTE_QUEUE },
			{ TES_HTTP_GET, "/report", TES_ROUTE_REPORT },
			{ TES_HTTP_POST, "/decide", TES_ROUTE_DECIDE },
			{ TES_HTTP_GET, "/records", TES_ROUTE_RECORDS },
			{ TES_HTTP_GET, "/audit", TES_ROUTE_AUDIT },
			{ TES_HTTP_POST, "/verify", TES_ROUTE_VERIFY },
			{ TES_HTTP_GET, "/static/tes.css", TES_ROUTE_CSS },
			{ TES_HTTP_POST, "/bulk", TES_ROUTE_BULK },
			{ TES_HTTP_GET, "/password", TES_ROUTE_PASSWORD_FORM },
			{ TES_HTTP_POST, "/password", TES_ROUTE_PASSWORD },
			{ TES_HTTP_GET, "/export.csv", TES_ROUTE_EXPORT },
		};
		size_t i, good = 0;

		for (i = 0; i < sizeof all / sizeof all[0]; i++)
			good += tes_http_route(all[i].method, (const uint8_t *)all[i].path,
					       strlen(all[i].path), &st) == all[i].route;
		EQ_INT(good, TES_ROUTE_MAX, "each of the %d routes from its method and path", TES_ROUTE_MAX);
	}
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/nope", 5, &st), 0, "unknown path");
	EQ_INT(st, 404, "unknown path: 404");
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/decide", 7, &st), 0, "GET of a POST route");
	EQ_INT(st, 405, "wrong method: 405");
	EQ_INT(tes_http_route(TES_HTTP_POST, (const uint8_t *)"/queue", 6, &st), 0, "POST of a GET route");
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/queue/", 7, &st), 0, "no prefix matching");
	EQ_INT(tes_http_route(TES_HTTP_GET, (const uint8_t *)"/static/../x", 12, &st), 0, "no path tricks");
}

/* Parse and build in one step; returns the build status or the parse status. */
static uint16_t
build(const char *s, struct tes_web_req *q)
{
	struct tes_http_req h;
	uint16_t st = 0;

	if (tes_http_parse((const uint8_t *)s, strlen(s), &h, &st) != 0)
		return st;
	return tes_http_req_build((const uint8_t *)s, &h, q, &st) == 0 ? 200 : st;
}

#define FORM "Content-Type: application/x-www-form-urlencoded\r\n"
#define CSRF "00112233445566778899aabbccddeeff"

static void
test_build(void)
{
	static const char login[] = "POST /login HTTP/1.1\r\n" FORM "Content-Length: 65\r\n"
				    "Cookie: tes_session=ffeeddccbbaa99887766554433221100\r\n\r\n"
				    "user=boss&password=p%26ss+w&csrf=" CSRF;
	char req[1024];
	struct tes_web_req q;

	EQ_INT(build(login, &q), 200, "login form decoded");
	OK(q.route == TES_ROUTE_LOGIN && strcmp(q.user, "boss") == 0 && strcmp(q.pw, "p&ss w") == 0 &&
		   q.has_csrf && q.csrf[0] == 0x00 && q.csrf[15] == 0xff,
	   "login fields");
	OK(q.has_session && q.session[0] == 0xff, "session cookie");
	EQ_INT(build("GET /queue?page=3 HTTP/1.1\r\n\r\n", &q), 200, "queue page");
	OK(q.route == TES_ROUTE_QUEUE && q.page == 3 && !q.has_session, "page number, no session");
	EQ_INT(build("GET /queue?page=1234567 HTTP/1.1\r\n\r\n", &q), 400, "page number too long");
	EQ_INT(build("GET /queue?page=-1 HTTP/1.1\r\n\r\n", &q), 400, "negative page");
	EQ_INT(build("GET /queue?id=" CSRF " HTTP/1.1\r\n\r\n", &q), 400,
	       "field the route does not take (MUST-W3)");
	EQ_INT(build("GET /queue?page=1&page=2 HTTP/1.1\r\n\r\n", &q), 400, "repeated field (MUST-W3)");
	EQ_INT(build("GET /queue?bogus=1 HTTP/1.1\r\n\r\n", &q), 400, "unknown field (MUST-W3)");
	EQ_INT(build("GET /queue?page HTTP/1.1\r\n\r\n", &q), 400, "field without = (MUST-W3)");
	EQ_INT(build("GET /nope HTTP/1.1\r\n\r\n", &q), 404, "unknown path: 404");
	EQ_INT(build("POST /queue HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &q), 405, "wrong method: 405");
	EQ_INT(build("GET /report?id=" CSRF " HTTP/1.1\r\n\r\n", &q), 200, "report id");
	OK(q.has_id && q.id[1] == 0x11, "report id decoded");
	EQ_INT(build("GET /report?id=0011 HTTP/1.1\r\n\r\n", &q), 400, "short report id");
	EQ_INT(build("GET /report?id=zz112233445566778899aabbccddeeff HTTP/1.1\r\n\r\n", &q), 400,
	       "non-hex id");
	snprintf(req, sizeof req, "POST /decide HTTP/1.1\r\n" FORM "Content-Length: %zu\r\n\r\n%s",
		 strlen("id=" CSRF "&verdict=approve&points=50&csrf=" CSRF),
		 "id=" CSRF "&verdict=approve&points=50&csrf=" CSRF);
	EQ_INT(build(req, &q), 400, "a points field is refused: points come from the server (MUST-W3)");
	snprintf(req, sizeof req, "POST /decide HTTP/1.1\r\n" FORM "Content-Length: %zu\r\n\r\n%s",
		 strlen("id=" CSRF "&verdict=reject&reason=other&other=blurry+photo&csrf=" CSRF),
		 "id=" CSRF "&verdict=reject&reason=other&other=blurry+photo&csrf=" CSRF);
	EQ_INT(build(req, &q), 200, "reject with other");
	OK(q.verdict == TES_WV_REJECT && q.reason == TES_REASON_OTHER && strcmp(q.other, "blurry photo") == 0,
	   "decision fields");
	snprintf(req, sizeof req, "POST /decide HTTP/1.1\r\n" FORM "Content-Length: %zu\r\n\r\n%s",
		 strlen("verdict=maybe"), "verdict=maybe");
	EQ_INT(build(req, &q), 400, "verdict outside the list");
	snprintf(req, sizeof req, "POST /decide HTTP/1.1\r\n" FORM "Content-Length: %zu\r\n\r\n%s",
		 strlen("reason=because"), "reason=because");
	EQ_INT(build(req, &q), 400, "reason outside the list");
	EQ_INT(build("POST /logout HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\ncsrf=",
		     &q),
	       400, "POST body that is not a form (MUST-W3)");
	EQ_INT(build("POST /logout?csrf=" CSRF " HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &q), 400,
	       "POST fields in the query (MUST-W3)");
	EQ_INT(build("POST /logout HTTP/1.1\r\n" FORM "Content-Length: 9\r\n\r\ncsrf=abcd", &q), 400,
	       "short CSRF token");
	EQ_INT(build("POST /login HTTP/1.1\r\n" FORM "Content-Length: 16\r\n\r\nuser=%3Cscript%3E", &q), 400,
	       "user name must be a valid name");
	EQ_INT(build("GET /records?plate=%3Cscript%3Ealert(1)%3C%2Fscript%3E&match=prefix HTTP/1.1\r\n\r\n",
		     &q),
	       200, "search text is kept as text (escaped when shown)");
	OK(strcmp(q.q, "<script>alert(1)</script>") == 0 && q.prefix == 1, "search text and prefix mode");
	EQ_INT(build("GET /records?plate=123456789012345678901234567890123 HTTP/1.1\r\n\r\n", &q), 400,
	       "search text above its limit");
	EQ_INT(build("GET /records?match=fuzzy HTTP/1.1\r\n\r\n", &q), 400, "match mode outside the list");
	EQ_INT(build("GET / HTTP/1.1\r\nCookie: tes_session=xyz\r\n\r\n", &q), 200, "bad cookie value");
	OK(!q.has_session, "bad cookie means no session");
	EQ_INT(build("GET / HTTP/1.1\r\nCookie: tes_session=" CSRF "00\r\n\r\n", &q), 200,
	       "long cookie value");
	OK(!q.has_session, "long cookie means no session");
}

/* A POST of body to path, built; q as decoded. */
static uint16_t
post(const char *path, const char *body, struct tes_web_req *q)
{
	static char req[TES_HTTP_REQ_MAX];

	snprintf(req, sizeof req, "POST %s HTTP/1.1\r\n" FORM "Content-Length: %zu\r\n\r\n%s", path,
		 strlen(body), body);
	return build(req, q);
}

/* "sel=ID&" n times, ids 000..0k, then tail. */
static void
sel_body(char *out, size_t cap, unsigned n, const char *tail)
{
	size_t off = 0;
	unsigned k;

	out[0] = '\0';
	for (k = 0; k < n && off < cap; k++)
		off += (size_t)snprintf(out + off, cap - off, "sel=%032x&", k + 1);
	snprintf(out + off, cap - off, "%s", tail);
}

static void
test_build_bulk(void)
{
	static char body[TES_HTTP_REQ_MAX];
	static uint8_t buf[TES_WMSG_LEN];
	static struct tes_wmsg m, d;
	struct tes_web_req q;
	unsigned k;
	int zero = 1;

	/* compared whole with memcmp below: its padding must be defined too */
	memset(&q, 0, sizeof q);
	sel_body(body, sizeof body, 3, "verdict=reject&reason=duplicate&other=&csrf=" CSRF);
	EQ_INT(post("/bulk", body, &q), 200, "bulk form with three ids");
	OK(q.route == TES_ROUTE_BULK && q.nsel == 3 && q.verdict == TES_WV_REJECT &&
		   q.reason == TES_REASON_DUPLICATE && q.has_csrf,
	   "bulk fields");
	OK(q.sel[15] == 1 && q.sel[31] == 2 && q.sel[47] == 3 && q.sel[0] == 0, "ids in form order");
	for (k = 3 * TES_REPORT_ID_LEN; k < sizeof q.sel; k++)
		zero &= q.sel[k] == 0;
	OK(zero, "bytes after the stored ids are zero");
	sel_body(body, sizeof body, TES_WEB_BULK_MAX, "verdict=approve&csrf=" CSRF);
	EQ_INT(post("/bulk", body, &q), 200, "bulk form at the maximum (MUST-W10)");
	OK(q.nsel == TES_WEB_BULK_MAX && q.sel[TES_WEB_BULK_MAX * TES_REPORT_ID_LEN - 1] == TES_WEB_BULK_MAX,
	   "every id stored");
	sel_body(body, sizeof body, TES_WEB_BULK_MAX + 1, "verdict=approve&csrf=" CSRF);
	EQ_INT(post("/bulk", body, &q), 200, "one id more than the maximum reaches the master to be refused");
	OK(q.nsel == TES_WEB_BULK_MAX + 1 &&
		   q.sel[TES_WEB_BULK_MAX * TES_REPORT_ID_LEN - 1] == TES_WEB_BULK_MAX,
	   "counted, the first ones stored (MUST-W11)");
	m.type = TES_WMSG_REQUEST;
	m.u.req = q;
	EQ_INT(tes_wmsg_encode(&m, buf), 0, "over-maximum request encodes");
	EQ_INT(tes_wmsg_decode(buf, sizeof buf, &d), 0, "and decodes");
	OK(memcmp(&d.u.req, &q, sizeof q) == 0, "to the same request");
	/* the largest form a browser sends: the maximum of ids and the longest other, every byte escaped */
	sel_body(body, sizeof body, TES_WEB_BULK_MAX, "verdict=reject&reason=unreadable&other=");
	for (k = 0; k < TES_HTTP_OTHER_MAX; k++)
		strcat(body, "%21");
	strcat(body, "&csrf=" CSRF);
	OK(strlen(body) <= TES_HTTP_BODY_MAX, "largest bulk form fits the body limit (%zu bytes, MUST-W10)",
	   strlen(body));
	EQ_INT(post("/bulk", body, &q), 200, "largest bulk form decodes");
	OK(q.nsel == TES_WEB_BULK_MAX && q.other_len == TES_HTTP_OTHER_MAX, "with all its fields");
	EQ_INT(post("/bulk", "sel=0011&verdict=approve&csrf=" CSRF, &q), 400, "short id refused");
	EQ_INT(post("/bulk", "sel=zz112233445566778899aabbccddeeff&verdict=approve&csrf=" CSRF, &q), 400,
	       "non-hex id refused");
	EQ_INT(post("/bulk", "sel=&verdict=approve&csrf=" CSRF, &q), 400, "empty id refused");
	EQ_INT(post("/bulk", "sel=" CSRF "&verdict=approve&verdict=reject&csrf=" CSRF, &q), 400,
	       "a repeated field other than sel is refused (MUST-W3)");
	EQ_INT(post("/bulk", "sel=" CSRF "&verdict=approve&points=9&csrf=" CSRF, &q), 400,
	       "points refused in a bulk form (MUST-W9)");
	EQ_INT(post("/bulk", "id=" CSRF "&verdict=approve&csrf=" CSRF, &q), 400, "id is not a bulk field");
	EQ_INT(post("/decide", "sel=" CSRF "&verdict=approve&csrf=" CSRF, &q), 400, "sel only on /bulk");
	EQ_INT(build("GET /queue?page=2&select=all HTTP/1.1\r\n\r\n", &q), 200, "select all on a page");
	OK(q.all == 1 && q.page == 2, "select flag");
	EQ_INT(build("GET /queue?select=some HTTP/1.1\r\n\r\n", &q), 400, "select value outside the list");
	EQ_INT(post("/decide", "id=" CSRF "&verdict=approve&next=1&csrf=" CSRF, &q), 200, "decide and next");
	OK(q.next == 1 && q.has_id, "next flag");
	EQ_INT(post("/decide", "id=" CSRF "&verdict=approve&next=yes&csrf=" CSRF, &q), 400,
	       "next value refused");
	EQ_INT(post("/password", "password=old+one&new=a+new+pass+phrase&repeat=a+new+pass+phrase&csrf=" CSRF,
		    &q),
	       200, "password change form");
	OK(strcmp(q.pw, "old one") == 0 && strcmp(q.newpw, "a new pass phrase") == 0 &&
		   strcmp(q.rep, "a new pass phrase") == 0 && q.new_len == 17 && q.rep_len == 17,
	   "password fields");
	EQ_INT(post("/password", "user=boss&password=x&new=y&repeat=y&csrf=" CSRF, &q), 400,
	       "no user field on a password change");
	EQ_INT(post("/password", "password=x&new=y&new=z&csrf=" CSRF, &q), 400, "repeated new password");
	EQ_INT(build("GET /password HTTP/1.1\r\n\r\n", &q), 200, "password page");
	OK(q.route == TES_ROUTE_PASSWORD_FORM, "its route");
	EQ_INT(build("GET /bulk HTTP/1.1\r\n\r\n", &q), 405, "bulk is POST only");
}

static void
test_html(void)
{
	static struct tes_html h;
	static const char evil[] = "<script>alert('x')</script>&\"";
	size_t i;

	tes_html_init(&h);
	tes_html_str(&h, evil);
	h.buf[h.len] = '\0';
	OK(strcmp(h.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;") == 0,
	   "escaped (MUST-W6): %s", h.buf);
	OK(memchr(h.buf, '<', h.len) == NULL && memchr(h.buf, '>', h.len) == NULL &&
		   memchr(h.buf, '"', h.len) == NULL,
	   "no markup character survives (MUST-W6)");
	tes_html_init(&h);
	tes_html_esc(&h, "a\x01\n\x80z", 5);
	OK(h.len == 5 && memcmp(h.buf, "a???z", 5) == 0, "control and non-ASCII bytes become ? (MUST-W6)");
	tes_html_init(&h);
	tes_html_u64(&h, 0);
	tes_html_u64(&h, 18446744073709551615ULL);
	OK(h.len == 21 && memcmp(h.buf, "018446744073709551615", 21) == 0, "numbers");
	tes_html_init(&h);
	for (i = 0; i < TES_HTML_MAX / 4 + 1; i++)
		tes_html_esc(&h, "<", 1);
	OK(h.overflow && h.len <= TES_HTML_MAX, "overflow is flagged, never written past the end");
	tes_html_init(&h);
	OK(!h.overflow && h.len == 0, "init clears the flag");
}

static void
test_msg(void)
{
	static uint8_t buf[TES_WMSG_LEN];
	static struct tes_wmsg m, d;

	memset(&m, 0, sizeof m);
	m.type = TES_WMSG_REQUEST;
	m.u.req.route = TES_ROUTE_DECIDE;
	m.u.req.has_csrf = 1;
	memset(m.u.req.csrf, 7, sizeof m.u.req.csrf);
	m.u.req.has_id = 1;
	memset(m.u.req.id, 9, sizeof m.u.req.id);
	m.u.req.verdict = TES_WV_REJECT;
	m.u.req.reason = TES_REASON_OTHER;
	m.u.req.other_len = 3;
	memcpy(m.u.req.other, "abc", 3);
	m.u.req.nsel = 1;
	m.u.req.sel[TES_REPORT_ID_LEN] = 1;
	EQ_INT(tes_wmsg_encode(&m, buf), TES_ERR_FORMAT, "bytes after the stored bulk ids must be zero");
	m.u.req.sel[TES_REPORT_ID_LEN] = 0;
	m.u.req.sel[0] = 0x5a;
	EQ_INT(tes_wmsg_encode(&m, buf), 0, "encode request");
	EQ_INT(tes_wmsg_decode(buf, sizeof buf, &d), 0, "decode request");
	OK(d.type == TES_WMSG_REQUEST && d.u.req.route == TES_ROUTE_DECIDE && d.u.req.csrf[5] == 7 &&
		   d.u.req.id[0] == 9 && d.u.req.nsel == 1 && d.u.req.sel[0] == 0x5a &&
		   strcmp(d.u.req.other, "abc") == 0,
	   "round trip");
	EQ_INT(tes_wmsg_decode(buf, sizeof buf - 1, &d), TES_ERR_FORMAT, "short message (MUST-W1)");
	buf[TES_WMSG_LEN - 1] = 1;
	EQ_INT(tes_wmsg_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "non-zero padding (MUST-W1)");
	buf[TES_WMSG_LEN - 1] = 0;
	buf[1] = TES_ROUTE_MAX + 1;
	OK(tes_wmsg_decode(buf, sizeof buf, &d) != 0, "unknown route (MUST-W1)");
	buf[1] = TES_ROUTE_DECIDE;
	buf[2] = 0; /* has_session 0, but a token follows: must be zeros */
	buf[3] = 1;
	OK(tes_wmsg_decode(buf, sizeof buf, &d) != 0, "absent token must be zero (MUST-W1)");
	buf[3] = 0;
	buf[0] = 9;
	EQ_INT(tes_wmsg_decode(buf, sizeof buf, &d), TES_ERR_TYPE, "unknown type (MUST-W1)");
	m.u.req.user_len = 3;
	memcpy(m.u.req.user, "a b", 3);
	OK(tes_wmsg_encode(&m, buf) != 0, "encoder refuses an invalid name (MUST-W1)");
	m.u.req.user_len = 0;
	m.u.req.other[1] = '\n';
	OK(tes_wmsg_encode(&m, buf) != 0, "encoder refuses a control byte");
	memset(&m, 0, sizeof m);
	m.type = TES_WMSG_RESPONSE;
	m.u.chunk.len = TES_WMSG_CHUNK_MAX;
	m.u.chunk.last = 1;
	EQ_INT(tes_wmsg_encode(&m, buf), 0, "full chunk");
	EQ_INT(tes_wmsg_decode(buf, sizeof buf, &d), 0, "full chunk decodes");
	buf[2] = 0xff;
	OK(tes_wmsg_decode(buf, sizeof buf, &d) != 0, "chunk length above the message");
	m.u.chunk.last = 2;
	OK(tes_wmsg_encode(&m, buf) != 0, "last flag is 0 or 1");
	EQ_INT(tes_wmsg_permit(TES_WS_WAIT, TES_WMSG_REQUEST, 0), 0, "one request while waiting");
	EQ_INT(tes_wmsg_permit(TES_WS_DONE, TES_WMSG_REQUEST, 0), TES_ERR_STATE,
	       "no second request (MUST-W2)");
	EQ_INT(tes_wmsg_permit(TES_WS_WAIT, TES_WMSG_REQUEST, 1u << TES_WMSG_REQUEST), TES_ERR_STATE,
	       "no second request even while waiting");
	EQ_INT(tes_wmsg_permit(TES_WS_WAIT, TES_WMSG_RESPONSE, 0), TES_ERR_STATE,
	       "child never sends responses (MUST-W2)");
	EQ_INT(tes_wmsg_permit(TES_WS_NONE, TES_WMSG_REQUEST, 0), TES_ERR_STATE, "nothing from a free slot");
}

static void
test_sess(void)
{
	static struct tes_wsess_table t;
	uint8_t tok[TES_HTTP_TOKEN_LEN], csrf[TES_HTTP_TOKEN_LEN], other[TES_HTTP_TOKEN_LEN];
	struct tes_wsess *s;
	size_t i;

	tes_wsess_init(&t, 100);
	memset(tok, 1, sizeof tok);
	memset(csrf, 2, sizeof csrf);
	memset(other, 3, sizeof other);
	s = tes_wsess_new(&t, tok, csrf, "boss", 1000);
	OK(s != NULL && strcmp(s->user, "boss") == 0, "new session");
	OK(tes_wsess_find(&t, tok, 1050) == s, "found by token");
	OK(tes_wsess_find(&t, other, 1050) == NULL, "unknown token");
	EQ_INT(tes_wsess_csrf_check(s, 1, csrf), 0, "right CSRF token");
	EQ_INT(tes_wsess_csrf_check(s, 1, other), TES_ERR_AUTH, "wrong CSRF token (MUST-W7)");
	EQ_INT(tes_wsess_csrf_check(s, 0, csrf), TES_ERR_AUTH, "missing CSRF token (MUST-W7)");
	OK(tes_wsess_find(&t, tok, 1149) == s, "use refreshes the idle clock");
	OK(tes_wsess_find(&t, tok, 1250) == NULL, "idle timeout ends the session");
	OK(t.s[0].used == 0, "expired slot wiped");
	s = tes_wsess_new(&t, tok, csrf, "boss", 2000);
	for (i = 0; i < (size_t)TES_WSESS_LIFETIME / 90 + 2 && s != NULL; i++)
		s = tes_wsess_find(&t, tok, 2000 + (time_t)i * 90);
	OK(s == NULL, "lifetime ends even a busy session");
	tes_wsess_init(&t, 0);
	OK(t.idle == TES_WSESS_IDLE, "default idle timeout");
	for (i = 0; i < TES_WSESS_SLOTS; i++) {
		tok[0] = (uint8_t)i;
		tes_wsess_new(&t, tok, csrf, i == 0 ? "boss" : "", 3000 + (time_t)i);
	}
	tok[0] = 0xee;
	s = tes_wsess_new(&t, tok, csrf, "", 3100);
	tok[0] = 0;
	OK(tes_wsess_find(&t, tok, 3101) != NULL,
	   "a full table evicts an anonymous session, not the officer's");
	tok[0] = 1;
	OK(tes_wsess_find(&t, tok, 3101) == NULL, "the oldest anonymous one went");
	tes_wsess_end(s);
	OK(s->used == 0, "end wipes");
	tes_wsess_init(&t, 0);
	for (i = 0; i < 4; i++) {
		tok[0] = (uint8_t)(0x40 + i);
		s = tes_wsess_new(&t, tok, csrf, i == 3 ? "other" : "boss", 4000);
		if (i == 1)
			other[0] = tok[0];
	}
	tok[0] = 0x41;
	s = tes_wsess_find(&t, tok, 4001);
	EQ_INT((int)tes_wsess_end_user(&t, "boss", s), 2, "a password change ends the user's other sessions");
	OK(tes_wsess_find(&t, tok, 4002) == s && s != NULL, "the changing session stays");
	tok[0] = 0x40;
	OK(tes_wsess_find(&t, tok, 4002) == NULL, "another session of the user ended");
	tok[0] = 0x43;
	OK(tes_wsess_find(&t, tok, 4002) != NULL, "another user's session stays");
	EQ_INT((int)tes_wsess_end_user(&t, "", NULL), 0, "anonymous sessions are never ended by name");
}

static void
test_head(void)
{
	uint8_t tok[TES_HTTP_TOKEN_LEN];
	struct tes_resp r = { .status = 303, .no_store = 1, .location = "/queue", .cookie = tok };
	char out[1024];
	size_t n = 0;

	memset(tok, 0xab, sizeof tok);
	EQ_INT(tes_resp_head(&r, out, sizeof out, &n), 0, "head written");
	out[n] = '\0';
	OK(strncmp(out, "HTTP/1.1 303 See Other\r\n", 24) == 0, "status line");
	OK(strstr(out, "Content-Security-Policy: default-src 'none'; style-src 'self'; form-action 'self'; "
		       "frame-ancestors 'none'\r\n") != NULL,
	   "CSP (MUST-W5)");
	OK(strstr(out, "X-Frame-Options: DENY\r\n") && strstr(out, "X-Content-Type-Options: nosniff\r\n") &&
		   strstr(out, "Referrer-Policy: no-referrer\r\n") &&
		   strstr(out, "Cache-Control: no-store\r\n"),
	   "security headers (MUST-W5)");
	OK(strstr(out, "Set-Cookie: tes_session=abababababababababababababababab; HttpOnly; SameSite=Strict; "
		       "Path=/\r\n") != NULL,
	   "cookie attributes (MUST-W5)");
	OK(n > 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0, "ends with the empty line");
	EQ_INT(tes_resp_head(&r, out, 64, &n), TES_ERR_SPACE, "small buffer refused");
	r.status = 404;
	r.no_store = 0;
	r.cookie = NULL;
	r.location = NULL;
	EQ_INT(tes_resp_head(&r, out, sizeof out, &n), 0, "error head");
	out[n] = '\0';
	OK(strstr(out, "X-Frame-Options: DENY") != NULL && strstr(out, "no-store") == NULL,
	   "headers on errors too (MUST-W5)");
}

int
main(void)
{
	test_parse_ok();
	test_parse_bad();
	test_pct();
	test_route();
	test_build();
	test_build_bulk();
	test_html();
	test_msg();
	test_sess();
	test_head();
	return tap_done();
}
