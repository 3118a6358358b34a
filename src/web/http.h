/* SPDX-License-Identifier: ISC */
/*
 * HTTP/1.1 request parser, form decoder, route table and response head for
 * the officer dashboard (spec/HTTP.md). Pure functions over caller buffers:
 * no allocation, no I/O, no clock. Only the sandboxed http child runs the
 * parser and the decoder on network bytes; the master only ever sees the
 * fixed request struct of web/wmsg.h.
 *
 * Every limit is in enum tes_http_limits. A request outside them is refused
 * with the 4xx status the parser returns, and the connection is closed.
 */
#ifndef TES_WEB_HTTP_H
#define TES_WEB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/field.h"
#include "wire/limits.h"

enum tes_http_limits {
	TES_HTTP_LINE_MAX = 1024,  /* request line or one header line, CRLF included */
	TES_HTTP_TARGET_MAX = 512, /* path and query */
	TES_HTTP_HEADERS_MAX = 32, /* header lines */
	TES_HTTP_HEAD_MAX = 8192,  /* request line, headers and the empty line */
	TES_HTTP_BODY_MAX = 2048,  /* Content-Length of a POST */
	TES_HTTP_REQ_MAX = TES_HTTP_HEAD_MAX + TES_HTTP_BODY_MAX,
	TES_HTTP_TOKEN_LEN = 16, /* session and CSRF tokens: 128 bits */
	TES_HTTP_TOKEN_HEX = 2 * TES_HTTP_TOKEN_LEN,
	TES_HTTP_QUERY_MAX = 32,    /* plate search text as typed */
	TES_HTTP_OTHER_MAX = 100,   /* free text of a rejection for "other" */
	TES_HTTP_PAGE_MAX = 999999, /* pagination index */
	/*
	 * Report ids one bulk decision may carry (spec/HTTP.md#bulk): with
	 * the largest other fields of the form, 40 "sel=" pairs fit the body
	 * limit (40 * 37 + 378 = 1858 <= 2048) and the REQUEST message.
	 */
	TES_WEB_BULK_MAX = 40,
	TES_WEB_SEL_PAIR = 4 + 2 * TES_REPORT_ID_LEN + 1, /* "sel=" HEX "&" */
	/* csrf=HEX& verdict=reject& reason=unreadable& other=(100 bytes as %XX) */
	TES_WEB_BULK_FIXED = (5 + TES_HTTP_TOKEN_HEX + 1) + 15 + 18 + (6 + 3 * TES_HTTP_OTHER_MAX + 1)
};

enum tes_http_method {
	TES_HTTP_INVALID = 0,
	TES_HTTP_GET = 1,
	TES_HTTP_POST = 2
};

/* Dashboard routes; zero is never valid. */
enum tes_web_route {
	TES_ROUTE_INVALID = 0,
	TES_ROUTE_ROOT = 1,           /* GET  /              -> redirect */
	TES_ROUTE_LOGIN_FORM = 2,     /* GET  /login */
	TES_ROUTE_LOGIN = 3,          /* POST /login         user, password, csrf */
	TES_ROUTE_LOGOUT = 4,         /* POST /logout        csrf */
	TES_ROUTE_QUEUE = 5,          /* GET  /queue         [page] */
	TES_ROUTE_REPORT = 6,         /* GET  /report        id */
	TES_ROUTE_DECIDE = 7,         /* POST /decide        id, verdict, [reason, other], csrf */
	TES_ROUTE_RECORDS = 8,        /* GET  /records       [plate, match] */
	TES_ROUTE_AUDIT = 9,          /* GET  /audit         [page] */
	TES_ROUTE_VERIFY = 10,        /* POST /verify        csrf */
	TES_ROUTE_CSS = 11,           /* GET  /static/tes.css */
	TES_ROUTE_BULK = 12,          /* POST /bulk          sel..., verdict, [reason, other], csrf */
	TES_ROUTE_PASSWORD_FORM = 13, /* GET  /password */
	TES_ROUTE_PASSWORD = 14,      /* POST /password      password, new, repeat, csrf */
	TES_ROUTE_EXPORT = 15,        /* GET  /export.csv    (spec/EXPORT.md#dashboard) */
	TES_ROUTE_MAX = 15
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

/*
 * A parsed request: offsets into the caller's buffer, no pointers. No
 * implicit padding (the parser sets every byte, so two results compare
 * with memcmp).
 */
struct tes_http_req {
	size_t target_off, target_len; /* path and query */
	size_t cookie_off, cookie_len; /* value of the Cookie header, 0 length if absent */
	size_t body_off, body_len;
	size_t head_len;
	uint8_t method;  /* enum tes_http_method */
	uint8_t form;    /* Content-Type is application/x-www-form-urlencoded */
	uint8_t zero[6]; /* always zero */
};

/*
 * A request as the master receives it (web/wmsg.h): every field decoded and
 * checked by the child, re-checked by the decoder in the master.
 */
struct tes_web_req {
	uint8_t route; /* enum tes_web_route */
	uint8_t has_session;
	uint8_t session[TES_HTTP_TOKEN_LEN];
	uint8_t has_csrf;
	uint8_t csrf[TES_HTTP_TOKEN_LEN];
	uint8_t has_id;
	uint8_t id[TES_REPORT_ID_LEN];
	uint32_t page;   /* 0..TES_HTTP_PAGE_MAX */
	uint8_t verdict; /* enum tes_web_verdict */
	uint8_t reason;  /* enum tes_web_reason */
	uint8_t prefix;  /* records: 1 = plate prefix match */
	uint8_t all;     /* queue: select=all, every row's box ticked */
	uint8_t next;    /* decide: next=1, then the next pending report */
	/*
	 * bulk: how many sel fields the form carried (saturating at 255) and
	 * the ids of the first TES_WEB_BULK_MAX of them, TES_REPORT_ID_LEN
	 * bytes each; the bytes after the stored ids are zero
	 */
	uint8_t nsel;
	uint8_t sel[TES_WEB_BULK_MAX * TES_REPORT_ID_LEN];
	uint8_t user_len;
	char user[TES_NAME_MAX + 1];
	uint8_t pw_len;
	char pw[TES_PASSWORD_MAX + 1];
	uint8_t q_len;
	char q[TES_HTTP_QUERY_MAX + 1];
	uint8_t other_len;
	char other[TES_HTTP_OTHER_MAX + 1];
	uint8_t new_len; /* password change: the new password and its repetition */
	char newpw[TES_PASSWORD_MAX + 1];
	uint8_t rep_len;
	char rep[TES_PASSWORD_MAX + 1];
};

/*@ predicate http_status_err(integer s) =
        s == 400 || s == 405 || s == 411 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505;
    // a successful parse of n bytes of buf
    predicate http_req_ok(uint8_t *buf, struct tes_http_req *r, integer n) =
        (r->method == TES_HTTP_GET || r->method == TES_HTTP_POST) &&
        1 <= r->target_len <= TES_HTTP_TARGET_MAX && buf[r->target_off] == '/' &&
        r->target_off + r->target_len <= r->head_len &&
        r->cookie_off + r->cookie_len <= r->head_len &&
        r->head_len <= TES_HTTP_HEAD_MAX && r->body_off == r->head_len &&
        r->body_len <= TES_HTTP_BODY_MAX && r->body_off + r->body_len <= n &&
        r->form <= 1 && (r->method == TES_HTTP_GET ==> r->body_len == 0);
 */

/*@ requires \valid_read(buf + (0 .. n-1));
    requires \valid(req) && \valid(status);
    requires \separated(req, status, buf + (0 .. n-1));
    terminates \true;
    assigns *req, *status;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> *status == 200 && http_req_ok(buf, req, n);
    ensures \result == TES_ERR_TRUNCATED ==> n < TES_HTTP_REQ_MAX;
    ensures \result == TES_ERR_FORMAT ==> http_status_err(*status);
 */
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

/*@ predicate web_text(char *s, integer n) = \forall integer k; 0 <= k < n ==> 0x20 <= s[k] <= 0x7e; */

/*@ requires \valid_read(in + (0 .. n-1));
    requires \valid(out + (0 .. cap-1)) && \valid(outlen);
    requires \separated(out + (0 .. cap-1), outlen, in + (0 .. n-1));
    terminates \true;
    assigns out[0 .. cap-1], *outlen;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_TOOLONG;
    ensures \result == 0 ==> *outlen < cap && *outlen <= n && out[*outlen] == 0 && web_text(out, *outlen);
    ensures \result != 0 ==> cap == 0 || out[0] == 0;
 */
/*
 * Decode one percent-encoded form component (a name or a value):
 * '+' is a space, %XX a byte; the decoded bytes must be printable ASCII
 * 0x20..0x7e. TES_ERR_FORMAT for a bad escape or byte, TES_ERR_TOOLONG if
 * the result (plus its NUL) does not fit in cap. out is NUL-terminated.
 */
int
tes_http_pct_decode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *outlen);

/*@ requires \valid_read(path + (0 .. n-1)) && \valid(status);
    requires \separated(status, path + (0 .. n-1));
    terminates \true;
    assigns *status;
    ensures \result <= TES_ROUTE_MAX;
    ensures \result == TES_ROUTE_INVALID ==> *status == 404 || *status == 405;
    ensures \result != TES_ROUTE_INVALID ==> *status == \old(*status);
 */
/*
 * The route of a method and path (the target up to '?'): TES_ROUTE_*, or 0
 * with *status 404 (unknown path) or 405 (known path, other method).
 */
uint8_t
tes_http_route(uint8_t method, const uint8_t *path, size_t n, uint16_t *status);

/*@ predicate web_zero(uint8_t *p, integer n) = \forall integer k; 0 <= k < n ==> p[k] == 0;
    predicate web_str_zero(char *p, integer n) = \forall integer k; 0 <= k < n ==> p[k] == 0;
    // a string field: at most max bytes, NUL-terminated at its length
    predicate web_str_ok(char *s, integer len, integer max) = len <= max && s[len] == 0;
    // flags, numbers and strings in range, route aside
    predicate web_fields_ok(struct tes_web_req *q) =
        q->has_session <= 1 && q->has_csrf <= 1 && q->has_id <= 1 &&
        q->page <= TES_HTTP_PAGE_MAX && q->verdict <= TES_WV_REJECT && q->reason <= TES_REASON_MAX &&
        q->prefix <= 1 && q->all <= 1 && q->next <= 1 &&
        web_str_ok(&q->user[0], q->user_len, TES_NAME_MAX) &&
        web_str_ok(&q->pw[0], q->pw_len, TES_PASSWORD_MAX) &&
        web_str_ok(&q->q[0], q->q_len, TES_HTTP_QUERY_MAX) &&
        web_str_ok(&q->other[0], q->other_len, TES_HTTP_OTHER_MAX) &&
        web_str_ok(&q->newpw[0], q->new_len, TES_PASSWORD_MAX) &&
        web_str_ok(&q->rep[0], q->rep_len, TES_PASSWORD_MAX);
    predicate web_req_ok(struct tes_web_req *q) =
        1 <= q->route <= TES_ROUTE_MAX && web_fields_ok(q);
    // every field zero: the flags, numbers and byte arrays, then the texts
    predicate web_req_zero_bytes(struct tes_web_req *q) =
        q->route == 0 && q->has_session == 0 && web_zero(&q->session[0], TES_HTTP_TOKEN_LEN) &&
        q->has_csrf == 0 && web_zero(&q->csrf[0], TES_HTTP_TOKEN_LEN) &&
        q->has_id == 0 && web_zero(&q->id[0], TES_REPORT_ID_LEN) &&
        q->page == 0 && q->verdict == 0 && q->reason == 0 && q->prefix == 0 &&
        q->all == 0 && q->next == 0 && q->nsel == 0 &&
        web_zero(&q->sel[0], TES_WEB_BULK_MAX * TES_REPORT_ID_LEN);
    predicate web_req_zero_texts(struct tes_web_req *q) =
        q->user_len == 0 && web_str_zero(&q->user[0], TES_NAME_MAX + 1) &&
        q->pw_len == 0 && web_str_zero(&q->pw[0], TES_PASSWORD_MAX + 1) &&
        q->q_len == 0 && web_str_zero(&q->q[0], TES_HTTP_QUERY_MAX + 1) &&
        q->other_len == 0 && web_str_zero(&q->other[0], TES_HTTP_OTHER_MAX + 1) &&
        q->new_len == 0 && web_str_zero(&q->newpw[0], TES_PASSWORD_MAX + 1) &&
        q->rep_len == 0 && web_str_zero(&q->rep[0], TES_PASSWORD_MAX + 1);
    predicate web_req_zero(struct tes_web_req *q) = web_req_zero_bytes(q) && web_req_zero_texts(q);
 */

/*@ requires \valid_read(h) && http_req_ok(buf, h, h->body_off + h->body_len);
    requires \valid_read(buf + (0 .. h->body_off + h->body_len - 1));
    requires \valid(out) && \valid(status);
    requires \separated(out, status, h, buf + (0 .. h->body_off + h->body_len - 1));
    terminates \true;
    assigns *out, *status;
    ensures \result == 0 || \result == TES_ERR_NOTFOUND || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> *status == 200 && web_req_ok(out);
    ensures \result == TES_ERR_NOTFOUND ==> *status == 404 || *status == 405;
    ensures \result == TES_ERR_FORMAT ==> *status == 400;
    ensures \result != 0 ==> web_req_zero(out);
 */
/*
 * Build the request struct from a parsed request: route, session cookie
 * ("tes_session" = 32 hex digits; anything else there counts as no
 * session), the query (GET) or form body (POST) fields the route allows.
 * A field the route does not take, a repeated field, a bad value or a POST
 * body that is not a form gives TES_ERR_FORMAT and *status 400; routing
 * errors give 404/405. On success the struct passes the checks of the
 * master's decoder (web/wmsg.c); on failure it is all zero.
 */
int
tes_http_req_build(const uint8_t *buf, const struct tes_http_req *h, struct tes_web_req *out,
		   uint16_t *status);

/* Responses: src/web/resp.c, not proven (it formats with vsnprintf). */

/* Reason phrase of a status code ("Bad Request"); "Error" if unknown. */
const char *
tes_resp_reason(uint16_t status);

/* What the response head carries besides the fixed security headers. */
struct tes_resp {
	uint16_t status;
	const char *ctype; /* NULL: no body type */
	size_t body_len;
	int no_store;           /* Cache-Control: no-store (authenticated pages) */
	const char *location;   /* redirect target (a fixed path), or NULL */
	const uint8_t *cookie;  /* set tes_session to this token, or NULL */
	int clear_cookie;       /* expire tes_session */
	const char *attachment; /* Content-Disposition: attachment with this file name (fixed), or NULL */
	int chunked;            /* Transfer-Encoding: chunked instead of Content-Length (a streamed body) */
};

/*
 * Write the response head (status line, security headers of spec/HTTP.md,
 * Connection: close, empty line) into out. TES_ERR_SPACE if it does not fit.
 */
int
tes_resp_head(const struct tes_resp *r, char *out, size_t cap, size_t *used);

#endif
