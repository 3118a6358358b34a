/* SPDX-License-Identifier: ISC */
/*
 * Response heads of the dashboard (http.h). Kept apart from the request
 * parser in http.c: this side only formats fixed strings and numbers the
 * server chose, with vsnprintf, and is not part of the proofs.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/err.h"
#include "common/hex.h"
#include "web/http.h"

static const struct {
	uint16_t code;
	const char *text;
} reasons_tab[] = {
	{ 200, "OK" },
	{ 303, "See Other" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

/* see http.h */
const char *
tes_resp_reason(uint16_t status)
{
	size_t i;

	for (i = 0; i < sizeof reasons_tab / sizeof reasons_tab[0]; i++)
		if (reasons_tab[i].code == status)
			return reasons_tab[i].text;
	return "Error";
}

/*= spec/HTTP.md#responses MUST-W5: the security headers are on every response */
static const char security_headers[] =
	"Content-Security-Policy: default-src 'none'; style-src 'self'; form-action 'self'; "
	"frame-ancestors 'none'\r\n"
	"X-Frame-Options: DENY\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"Referrer-Policy: no-referrer\r\n";

static int __attribute__((format(printf, 4, 5))) put(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n)
		return TES_ERR_SPACE;
	*n += (size_t)k;
	return 0;
}

/* see http.h */
int
tes_resp_head(const struct tes_resp *r, char *out, size_t cap, size_t *used)
{
	char tok[TES_HTTP_TOKEN_HEX + 1];
	size_t n = 0;
	int e;

	e = put(out, cap, &n, "HTTP/1.1 %u %s\r\n%s", r->status, tes_resp_reason(r->status),
		security_headers);
	if (e == 0 && r->no_store)
		e = put(out, cap, &n, "Cache-Control: no-store\r\n");
	if (e == 0 && r->location != NULL)
		e = put(out, cap, &n, "Location: %s\r\n", r->location);
	if (e == 0 && r->cookie != NULL) {
		tes_hex_encode(r->cookie, TES_HTTP_TOKEN_LEN, tok);
		e = put(out, cap, &n, "Set-Cookie: tes_session=%s; HttpOnly; SameSite=Strict; Path=/\r\n",
			tok);
	} else if (e == 0 && r->clear_cookie)
		e = put(out, cap, &n,
			"Set-Cookie: tes_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0\r\n");
	if (e == 0 && r->ctype != NULL)
		e = put(out, cap, &n, "Content-Type: %s\r\n", r->ctype);
	if (e == 0 && r->attachment != NULL)
		e = put(out, cap, &n, "Content-Disposition: attachment; filename=\"%s\"\r\n", r->attachment);
	if (e == 0 && r->chunked)
		e = put(out, cap, &n, "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
	else if (e == 0)
		e = put(out, cap, &n, "Content-Length: %zu\r\nConnection: close\r\n\r\n", r->body_len);
	*used = e == 0 ? n : 0;
	return e;
}
