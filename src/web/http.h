/* SPDX-License-Identifier: ISC */
/*
 * HTTP/1.1 request parser, form decoder, route table and response head for
 * the officer dashboard (spec/HTTP.md). Pure functions over caller buffers:
 * no allocation, no I/O, no clock. Only the sandboxed http child runs the
 * parser and the decoder on network bytes; the master only ever sees the
 * fixed request struct of web/msg.h.
 *
 * Every limit is in enum tes_http_limits. A request outside them is refused
 * with the 4xx status the parser returns, and the connection is closed.
 */
#ifndef TES_WEB_HTTP_H
#define TES_WEB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

enum tes_http_limits {
	TES_HTTP_LINE_MAX = 1024,        /* request line or one header line, CRLF included */
	TES_HTTP_TARGET_MAX = 512,       /* path and query */
	TES_HTTP_HEADERS_MAX = 32,       /* header lines */
	TES_HTTP_HEAD_MAX = 8192,        /* request line, headers and the empty line */
	TES_HTTP_BODY_MAX = 2048,        /* Content-Length of a POST */
	TES_HTTP_REQ_MAX = TES_HTTP_HEAD_MAX + TES_HTTP_BODY_MAX,
	TES_HTTP_TOKEN_LEN = 16,         /* session and CSRF tokens: 128 bits */
	TES_HTTP_TOKEN_HEX = 2 * TES_HTTP_TOKEN_LEN,
	TES_HTTP_QUERY_MAX = 32,         /* plate search text as typed */
	TES_HTTP_OTHER_MAX = 100,        /* free text of a rejection for "other" */
	TES_HTTP_PAGE_MAX = 999999       /* pagination index */
};

enum tes_http_method {
	TES_HTTP_INVALID = 0,
	TES_HTTP_GET = 1,
	TES_HTTP_POST = 2
};

/* Dashboard routes; zero is never valid. */
enum tes_web_route {
	TES_ROUTE_INVALID = 0,
	TES_ROUTE_ROOT = 1,              /* GET  /              -> redirect */
	TES_ROUTE_LOGIN_FORM = 2,        /* GET  /login */
	TES_ROUTE_LOGIN = 3,             /* POST /login         user, password, csrf */
	TES_ROUTE_LOGOUT = 4,            /* POST /logout        csrf */
	TES_ROUTE_QUEUE = 5,             /* GET  /queue         [page] */
	TES_ROUTE_REPORT = 6,            /* GET  /report        id */
	TES_ROUTE_DECIDE = 7,            /* POST /decide        id, verdict, [reason, other], csrf */
	TES_ROUTE_RECORDS = 8,           /* GET  /records       [plate, match] */
	TES_ROUTE_AUDIT = 9,             /* GET  /audit         [page] */
	TES_ROUTE_VERIFY = 10,           /* POST /verify        csrf */
	TES_ROUTE_CSS = 11,              /* GET  /static/tes.css */
	TES_ROUTE_MAX = 11
};

/* Rejection reasons offered by the dashboard (a fixed list). */
enum tes_web_reason {
	TES_REASON_NONE = 0,
	TES_REASON_UNREADABLE = 1,
	TES_REASON_DUPLICATE = 2,
	TES_REASON_EQUIPMENT = 3,
	TES_REASON_EMERGENCY = 4,
	TES_REASON_OTHER = 5,
	TES_REASON_MAX = 5
};

enum tes_web_verdict {
	TES_WV_NONE = 0,
	TES_WV_APPROVE = 1,
	TES_WV_REJECT = 2
};

/* A parsed request: offsets into the caller's buffer, no pointers. */
struct tes_http_req {
	uint8_t method;                  /* enum tes_http_method */
	size_t target_off, target_len;   /* path and query */
	size_t cookie_off, cookie_len;   /* value of the Cookie header, 0 length if absent */
	size_t body_off, body_len;
	uint8_t form;                    /* Content-Type is application/x-www-form-urlencoded */
	size_t head_len;
};

/*
 * A request as the master receives it (web/msg.h): every field decoded and
 * checked by the child, re-checked by the decoder in the master.
 */
struct tes_web_req {
	uint8_t route;                   /* enum tes_web_route */
	uint8_t has_session;
	uint8_t session[TES_HTTP_TOKEN_LEN];
	uint8_t has_csrf;
	uint8_t csrf[TES_HTTP_TOKEN_LEN];
	uint8_t has_id;
	uint8_t id[TES_REPORT_ID_LEN];
	uint32_t page;                   /* 0..TES_HTTP_PAGE_MAX */
	uint8_t verdict;                 /* enum tes_web_verdict */
	uint8_t reason;                  /* enum tes_web_reason */
	uint8_t prefix;                  /* records: 1 = plate prefix match */
	uint8_t user_len;
	char user[TES_NAME_MAX + 1];
	uint8_t pw_len;
	char pw[TES_PASSWORD_MAX + 1];
	uint8_t q_len;
	char q[TES_HTTP_QUERY_MAX + 1];
	uint8_t other_len;
	char other[TES_HTTP_OTHER_MAX + 1];
};

/*
 * Parse one request from the first n bytes of buf. Returns 0 when a whole
 * request (head and body) is there, TES_ERR_TRUNCATED when more bytes are
 * needed (n < TES_HTTP_REQ_MAX and nothing wrong so far), or another
 * TES_ERR_* with *status set to the 4xx/5xx to answer: 400 malformed,
 * 405 method, 411 POST without Content-Length, 413 body too large,
 * 414 target too long, 431 header line, count or head too large,
 * 501 Transfer-Encoding, 505 version. Bytes after the body are ignored
 * (one request per connection).
 */
int
tes_http_parse(const uint8_t *buf, size_t n, struct tes_http_req *req, uint16_t *status);

/*
 * Decode one percent-encoded form component (a name or a value):
 * '+' is a space, %XX a byte; the decoded bytes must be printable ASCII
 * 0x20..0x7e. TES_ERR_FORMAT for a bad escape or byte, TES_ERR_TOOLONG if
 * the result (plus its NUL) does not fit in cap. out is NUL-terminated.
 */
int
tes_http_pct_decode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *outlen);

/*
 * The route of a method and path (the target up to '?'): TES_ROUTE_*, or 0
 * with *status 404 (unknown path) or 405 (known path, other method).
 */
uint8_t
tes_http_route(uint8_t method, const uint8_t *path, size_t n, uint16_t *status);

/*
 * Build the request struct from a parsed request: route, session cookie
 * ("tes_session" = 32 hex digits; anything else there counts as no
 * session), the query (GET) or form body (POST) fields the route allows.
 * A field the route does not take, a repeated field, a bad value or a POST
 * body that is not a form gives TES_ERR_FORMAT and *status 400; routing
 * errors give 404/405.
 */
int
tes_http_req_build(const uint8_t *buf, const struct tes_http_req *h, struct tes_web_req *out,
		   uint16_t *status);

/* Responses: src/web/resp.c. */

/* Reason phrase of a status code ("Bad Request"); "Error" if unknown. */
const char *
tes_http_reason(uint16_t status);

/* What the response head carries besides the fixed security headers. */
struct tes_http_resp {
	uint16_t status;
	const char *ctype;               /* NULL: no body type */
	size_t body_len;
	int no_store;                    /* Cache-Control: no-store (authenticated pages) */
	const char *location;            /* redirect target (a fixed path), or NULL */
	const uint8_t *cookie;           /* set tes_session to this token, or NULL */
	int clear_cookie;                /* expire tes_session */
};

/*
 * Write the response head (status line, security headers of spec/HTTP.md,
 * Connection: close, empty line) into out. TES_ERR_SPACE if it does not fit.
 */
int
tes_http_head(const struct tes_http_resp *r, char *out, size_t cap, size_t *used);

#endif
