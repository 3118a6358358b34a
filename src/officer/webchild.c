/* SPDX-License-Identifier: ISC */
/*
 * The http child (see webchild.h): a fresh image started by the master with
 * posix_spawn, sandboxed before it reads a byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/io.h"
#include "common/wipe.h"
#include "officer/webchild.h"
#include "sandbox/sandbox.h"
#include "web/http.h"
#include "web/wmsg.h"

static const int net = TES_WEBCHILD_NET_FD;
static const int mon = TES_WEBCHILD_MON_FD;

/* The child's own answer to a refused request: a fixed text, no data. */
static void
refuse(uint16_t status)
{
	struct tes_resp rs = { .status = status, .ctype = "text/plain; charset=utf-8" };
	char head[1024];
	const char *text = tes_resp_reason(status);
	size_t n;

	rs.body_len = strlen(text) + 1;
	if (tes_resp_head(&rs, head, sizeof head, &n) != 0)
		return;
	if (tes_io_write_full(net, head, n) == 0 && tes_io_write_full(net, text, strlen(text)) == 0)
		(void)tes_io_write_full(net, "\n", 1);
}

/* Read until one whole request is there; *status is the refusal otherwise. */
static int
read_request(uint8_t buf[static TES_HTTP_REQ_MAX], struct tes_http_req *h, uint16_t *status)
{
	size_t n = 0;
	ssize_t k;
	int r;

	for (;;) {
		do
			k = read(net, buf + n, TES_HTTP_REQ_MAX - n);
		while (k < 0 && errno == EINTR);
		if (k <= 0) {
			*status = k < 0 ? 408 : 400;
			return TES_ERR_CLOSED;
		}
		n += (size_t)k;
		r = tes_http_parse(buf, n, h, status);
		if (r != TES_ERR_TRUNCATED)
			return r;
		if (n == TES_HTTP_REQ_MAX) {
			*status = 413;
			return TES_ERR_TOOLONG;
		}
	}
}

/* Copy the master's response chunks to the browser. */
static int
relay_response(void)
{
	uint8_t buf[TES_WMSG_LEN + 1]; /* one more: a longer message shows as wrong size */
	struct tes_wmsg m;
	ssize_t k;
	int r;

	for (;;) {
		/* plain read/write: the sandbox allows nothing else */
		do
			k = read(mon, buf, sizeof buf);
		while (k < 0 && errno == EINTR);
		if (k <= 0)
			return TES_ERR_CLOSED;
		if ((r = tes_wmsg_decode(buf, (size_t)k, &m)) != 0)
			return r;
		if (m.type != TES_WMSG_RESPONSE)
			return TES_ERR_TYPE;
		if ((r = tes_io_write_full(net, m.u.chunk.data, m.u.chunk.len)) != 0)
			return r;
		if (m.u.chunk.last)
			return 0;
	}
}

static int
send_request(const struct tes_web_req *q)
{
	uint8_t buf[TES_WMSG_LEN];
	struct tes_wmsg m = { .type = TES_WMSG_REQUEST };
	int r;

	m.u.req = *q;
	r = tes_wmsg_encode(&m, buf);
	if (r == 0 && write(mon, buf, sizeof buf) != (ssize_t)sizeof buf)
		r = TES_ERR_IO;
	tes_wipe(buf, sizeof buf);
	TES_WIPE_CTX(&m);
	return r;
}

static int
set_timeouts(void)
{
	struct timeval tv = { .tv_sec = TES_WEBCHILD_READ_TIMEOUT };

	if (setsockopt(net, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
	    setsockopt(net, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
		return TES_ERR_IO;
	return 0;
}

/* see webchild.h */
int
tes_webchild_main(void)
{
	static uint8_t buf[TES_HTTP_REQ_MAX];
	struct tes_http_req h;
	struct tes_web_req q;
	uint16_t status = 400;
	int r, code = TES_WEBCHILD_EXIT_REFUSED;

	signal(SIGPIPE, SIG_IGN);
	memset(&q, 0, sizeof q);
	/*= spec/HTTP.md#child MUST-W4: sandboxed before the first byte is read */
	if (set_timeouts() != 0 || tes_sandbox_init(TES_SANDBOX_HTTP) != 0 ||
	    tes_sandbox_enter(TES_SANDBOX_HTTP) != 0)
		return TES_WEBCHILD_EXIT_SETUP;
	if ((r = read_request(buf, &h, &status)) != 0 ||
	    (r = tes_http_req_build(buf, &h, &q, &status)) != 0) {
		refuse(status);
		goto out;
	}
	if (send_request(&q) == 0 && relay_response() == 0)
		code = TES_WEBCHILD_EXIT_OK;
out:
	tes_wipe(buf, sizeof buf);
	TES_WIPE_CTX(&q);
	return code;
}
