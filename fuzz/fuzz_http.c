/* SPDX-License-Identifier: ISC */
/*
 * Target "http": the dashboard request parser, form decoder and route table
 * (src/web/http.c, spec/HTTP.md) on arbitrary request bytes, and the
 * master's decoder of the http child's message (src/web/msg.c: a
 * compromised child is an attacker). Properties: a parsed request's
 * offsets stay inside the bytes parsed; a prefix that ends before the body
 * does is TRUNCATED or fails with a status; a built request re-encodes into a
 * child message the master decodes back to the same struct; a child
 * message that decodes re-encodes to the same bytes.
 *
 *   input = u8 mode | bytes
 *   mode & 1: bytes are a child->master message (zero-padded to 4096)
 *   else:     bytes are an HTTP request
 */
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "web/http.h"
#include "web/msg.h"

static uint8_t msg[TES_WMSG_LEN], again[TES_WMSG_LEN];

static void
check_req(const struct tes_http_req *h, size_t n)
{
	fuzz_check(h->head_len <= n && h->target_off + h->target_len <= h->head_len &&
			   h->cookie_off + h->cookie_len <= h->head_len && h->body_off + h->body_len <= n &&
			   (h->method == TES_HTTP_GET || h->method == TES_HTTP_POST),
		   "parsed offsets inside the request");
}

static void
request(const uint8_t *p, size_t n)
{
	struct tes_http_req h, h2;
	struct tes_wmsg m, m2;
	char out[TES_HTTP_TARGET_MAX + 1];
	uint16_t status = 0, st2 = 0;
	size_t olen, cut;
	int r;

	(void)tes_http_pct_decode(p, n, out, sizeof out, &olen);
	(void)tes_http_route(p[0] % 3, p, n, &status);
	r = tes_http_parse(p, n, &h, &status);
	if (r != 0) {
		fuzz_check(r == TES_ERR_TRUNCATED || (status >= 400 && status <= 599), "error has a status");
		return;
	}
	check_req(&h, n);
	/* a few prefixes of the request proper (every position would be quadratic): never a success */
	for (cut = 0; cut < h.body_off + h.body_len; cut += 1 + n / 16)
		fuzz_check(tes_http_parse(p, cut, &h2, &st2) != 0, "a cut request does not parse");
	memset(&m, 0, sizeof m);
	if (tes_http_req_build(p, &h, &m.u.req, &status) != 0)
		return;
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
	(void)tes_wmsg_permit(TES_WS_WAIT, m.type);
	(void)tes_wmsg_permit(TES_WS_DONE, m.type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size - 1 > TES_HTTP_REQ_MAX)
		return 0;
	if (data[0] & 1)
		child_message(data + 1, size - 1);
	else
		request(data + 1, size - 1);
	return 0;
}
