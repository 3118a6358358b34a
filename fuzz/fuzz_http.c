/* SPDX-License-Identifier: ISC */
/*
 * Target "http": the dashboard request parser, form decoder and route table
 * (src/web/http.c, spec/HTTP.md) on arbitrary request bytes, and the
 * master's decoder of the http child's message (src/web/wmsg.c: a
 * compromised child is an attacker). Properties: a parsed request's
 * offsets stay inside the bytes parsed; a prefix that ends before the body
 * does is TRUNCATED or fails with a status; a built request re-encodes into a
 * child message the master decodes back to the same struct; a child
 * message that decodes re-encodes to the same bytes; a bulk form's ids
 * (any number of sel fields) are counted, the first TES_WEB_BULK_MAX
 * stored and nothing after them. Around the parser: a
 * request longer than the limit parses as its first TES_HTTP_REQ_MAX bytes;
 * the form decoder needs room for its result and its NUL, nothing more; the
 * response head for the status the parser chose (or any status) carries the
 * security headers, ends with the one empty line and fits exactly the room
 * it reports.
 *
 *   input = u8 mode | bytes
 *   mode & 1: bytes are a child->master message (zero-padded to 4096)
 *   else:     bytes are an HTTP request; mode bits 1..5 pick the optional
 *             fields of the response head, bit 6 its status (the parser's,
 *             or the first two bytes), bit 7 is spare
 */
#define _GNU_SOURCE
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "web/http.h"
#include "web/wmsg.h"

enum {
	HEAD_ROOM = 2048,
	OVERLONG = 64 /* bytes past the request limit that the parser must not look at */
};

static uint8_t msg[TES_WMSG_LEN], again[TES_WMSG_LEN];
static uint8_t big[TES_HTTP_REQ_MAX + OVERLONG];
static char head[HEAD_ROOM], head2[HEAD_ROOM];

static void
check_req(const struct tes_http_req *h, size_t n)
{
	fuzz_check(h->head_len <= n && h->target_off + h->target_len <= h->head_len &&
			   h->cookie_off + h->cookie_len <= h->head_len && h->body_off + h->body_len <= n &&
			   (h->method == TES_HTTP_GET || h->method == TES_HTTP_POST),
		   "parsed offsets inside the request");
}

/* The decoded form component needs its length plus the NUL of room, and no more. */
static void
pct_decode(const uint8_t *p, size_t n)
{
	char out[TES_HTTP_TARGET_MAX + 1], out2[TES_HTTP_TARGET_MAX + 1];
	size_t olen = 0, olen2 = 0;

	if (tes_http_pct_decode(p, n, out, sizeof out, &olen) != 0)
		return;
	fuzz_check(olen < sizeof out && out[olen] == '\0' && strlen(out) == olen,
		   "decoded text is terminated");
	fuzz_check(tes_http_pct_decode(p, n, out2, 0, &olen2) == TES_ERR_TOOLONG &&
			   tes_http_pct_decode(p, n, out2, olen, &olen2) == TES_ERR_TOOLONG &&
			   tes_http_pct_decode(p, n, out2, olen + 1, &olen2) == 0 && olen2 == olen &&
			   memcmp(out, out2, olen + 1) == 0,
		   "form decoder needs exactly its room");
}

/* The request followed by more bytes than the limit: those past TES_HTTP_REQ_MAX are never looked at. */
static void
overlong(const uint8_t *p, size_t n)
{
	struct tes_http_req h, h2;
	uint16_t st = 0, st2 = 0;
	int r;

	/* a bare LF after the input ends the parse there, unless the input itself runs up to the limit */
	memcpy(big, p, n);
	memset(big + n, '\n', sizeof big - n);
	r = tes_http_parse(big, TES_HTTP_REQ_MAX, &h, &st);
	fuzz_check(tes_http_parse(big, sizeof big, &h2, &st2) == r && st2 == st &&
			   memcmp(&h2, &h, sizeof h) == 0,
		   "a request past the limit parses as its first TES_HTTP_REQ_MAX bytes");
}

static int
has(const char *s, size_t n, const char *what)
{
	return memmem(s, n, what, strlen(what)) != NULL;
}

/*
 * The response head for status with the fields mode picks: status line,
 * security headers, one empty line at the very end, no NUL; with less room
 * than its length plus a NUL it is TES_ERR_SPACE.
 */
static void
response(uint8_t mode, uint16_t status, const uint8_t *p, size_t n)
{
	static const char *const locs[] = { "/queue", "/login",
					    "/report?id=0123456789abcdef0123456789abcdef" };
	uint8_t token[TES_HTTP_TOKEN_LEN] = { 0 };
	struct tes_resp rs = { 0 };
	size_t used = 0, used2 = 0, room;
	char line[64];

	memcpy(token, p, n < sizeof token ? n : sizeof token);
	rs.status = mode & 64 && n >= 2 ? (uint16_t)(p[0] << 8 | p[1]) : status;
	rs.no_store = (mode & 2) != 0;
	rs.location = mode & 4 ? locs[n % 3] : NULL;
	rs.cookie = mode & 8 ? token : NULL;
	rs.clear_cookie = (mode & 16) != 0;
	rs.ctype = mode & 32 ? "text/html; charset=utf-8" : NULL;
	rs.body_len = n;
	fuzz_check(tes_resp_head(&rs, head, sizeof head, &used) == 0 && used < sizeof head,
		   "a head fits 2 KiB");
	snprintf(line, sizeof line, "HTTP/1.1 %u %s\r\n", rs.status, tes_resp_reason(rs.status));
	fuzz_check(strlen(head) == used && memcmp(head, line, strlen(line)) == 0 &&
			   has(head, used, "\r\nContent-Security-Policy: ") &&
			   has(head, used, "\r\nX-Frame-Options: DENY\r\n") &&
			   has(head, used, "\r\nConnection: close\r\n") &&
			   has(head, used, "Set-Cookie: ") == (rs.cookie != NULL || rs.clear_cookie) &&
			   has(head, used, "\r\n\r\n") && memcmp(head + used - 4, "\r\n\r\n", 4) == 0 &&
			   !has(head, used - 2, "\r\n\r\n"),
		   "response head: status line, security headers, one empty line at the end");
	room = n > 0 ? (size_t)p[n - 1] * (used + 2) / 256 : 0;
	fuzz_check(room > used ? tes_resp_head(&rs, head2, room, &used2) == 0 && used2 == used &&
					 memcmp(head, head2, used) == 0
			       : tes_resp_head(&rs, head2, room, &used2) == TES_ERR_SPACE && used2 == 0,
		   "response head needs its length plus a NUL of room");
}

static void
request(uint8_t mode, const uint8_t *p, size_t n)
{
	struct tes_http_req h, h2;
	struct tes_wmsg m, m2;
	uint16_t status = 0, st2 = 0;
	size_t cut, stored, k;
	int r;

	pct_decode(p, n);
	(void)tes_http_route(p[0] % 3, p, n, &status);
	r = tes_http_parse(p, n, &h, &status);
	overlong(p, n);
	response(mode, status, p, n);
	if (r != 0) {
		fuzz_check(r == TES_ERR_TRUNCATED || (status >= 400 && status <= 599), "error has a status");
		return;
	}
	check_req(&h, n);
	/* a few prefixes of the request proper (every position would be quadratic): never a success */
	for (cut = 0; cut < h.body_off + h.body_len; cut += 1 + n / 16)
		fuzz_check(tes_http_parse(p, cut, &h2, &st2) != 0, "a cut request does not parse");
	memset(&m, 0, sizeof m);
	if (tes_http_req_build(p, &h, &m.u.req, &status) != 0) {
		response(mode, status, p, n);
		return;
	}
	stored = (size_t)(m.u.req.nsel < TES_WEB_BULK_MAX ? m.u.req.nsel : TES_WEB_BULK_MAX) *
		 TES_REPORT_ID_LEN;
	for (k = stored; k < sizeof m.u.req.sel; k++)
		fuzz_check(m.u.req.sel[k] == 0, "nothing after the stored bulk ids");
	fuzz_check(m.u.req.nsel == 0 || m.u.req.route == TES_ROUTE_BULK, "ids only in a bulk decision");
	m.type = TES_WMSG_REQUEST;
	fuzz_check(tes_wmsg_encode(&m, msg) == 0, "built request encodes for the master");
	fuzz_check(tes_wmsg_decode(msg, sizeof msg, &m2) == 0 && tes_wmsg_encode(&m2, again) == 0 &&
			   memcmp(msg, again, sizeof msg) == 0,
		   "master decodes the child's request back");
}

static void
child_message(const uint8_t *p, size_t n)
{
	struct tes_wmsg m;

	memset(msg, 0, sizeof msg);
	memcpy(msg, p, n < sizeof msg ? n : sizeof msg);
	if (tes_wmsg_decode(msg, sizeof msg, &m) != 0)
		return;
	fuzz_check(tes_wmsg_encode(&m, again) == 0 && memcmp(msg, again, sizeof msg) == 0,
		   "child message re-encodes");
	(void)tes_wmsg_permit(TES_WS_WAIT, m.type, 0);
	(void)tes_wmsg_permit(TES_WS_DONE, m.type, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size - 1 > TES_HTTP_REQ_MAX)
		return 0;
	if (data[0] & 1)
		child_message(data + 1, size - 1);
	else
		request(data[0], data + 1, size - 1);
	return 0;
}
