/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/err.h"
#include "common/io.h"
#include "common/wipe.h"
#include "police/client.h"
#include "wire/frame.h"

static int
wait_connect(int fd, unsigned timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t l = sizeof(int);
	int e = 0;

	if (poll(&p, 1, (int)timeout * 1000) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
		return errno;
	return e;
}

static int
try_addr(const struct addrinfo *a, unsigned timeout, int *err)
{
	struct timeval tv = { .tv_sec = timeout };
	int one = 1;
	int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 &&
	    (errno != EINPROGRESS || (*err = wait_connect(fd, timeout)) != 0)) {
		if (errno != EINPROGRESS)
			*err = errno;
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	/* every request is one small write that waits for its answer: never let Nagle
	 * hold one until the server's delayed ACK (40 ms on Linux) */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

/* see client.h */
int
tes_client_resolve(const char *hostport, struct addrinfo **ai, char *err, size_t cap)
{
	return tes_addr_resolve(hostport, 0, ai, err, cap) == 0 ? 0 : TES_ERR_ARG;
}

/* see client.h */
int
tes_client_connect(struct tes_client *c, const char *hostport, char *err, size_t cap)
{
	struct addrinfo *own = NULL;
	const struct addrinfo *a;
	int e = 0, r;

	c->fd = -1;
	if (c->ai == NULL && (r = tes_client_resolve(hostport, &own, err, cap)) != 0)
		return r;
	for (a = c->ai != NULL ? c->ai : own; a != NULL && c->fd < 0; a = a->ai_next)
		c->fd = try_addr(a, c->timeout, &e);
	if (own != NULL)
		freeaddrinfo(own);
	if (c->fd < 0) {
		snprintf(err, cap, "cannot connect to %s: %s", hostport, strerror(e));
		return TES_ERR_CLOSED;
	}
	return 0;
}

/* Write what the engine produced (KEY_EXCHANGE and FINISHED go out in one write). */
static int
send_out(struct tes_client *c, const struct tes_client_engine_out *out)
{
	return out->frame_len > 0 ? tes_io_write_full(c->fd, out->frame, out->frame_len) : 0;
}

/* Read one whole frame and hand it to the engine; an ALERT is remembered (TES_ERR_PEER). */
static int
recv_frame(struct tes_client *c, struct tes_client_engine_out *out)
{
	uint8_t buf[TES_FRAME_MAX];
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t flen;
	int r;

	if ((r = tes_io_read_frame(c->fd, buf, &h, &p, &flen)) != 0)
		return r;
	r = tes_client_engine_frame(&c->eng, buf, flen, out);
	if (out->event == TES_CLIENT_EV_ALERT)
		c->alert = out->alert;
	return r;
}

/* Send the request in out, then feed the server's answer back into out (until it makes an event). */
static int
exchange(struct tes_client *c, struct tes_client_engine_out *out)
{
	int r, frames = 0;

	if ((r = send_out(c, out)) != 0)
		return r;
	/* LOGIN_RESULT then SESSION; FINISHED then SESSION: at most two frames per request */
	do
		r = recv_frame(c, out);
	while (r == 0 && out->event == TES_CLIENT_EV_NONE && ++frames < 2);
	if (r == 0 && out->has_session) {
		c->session = out->session;
		c->has_session = 1;
	}
	return r;
}

/* see client.h */
int
tes_client_resume(struct tes_client *c, const struct tes_client_ticket *t, tes_pin_fn pin, void *ctx)
{
	struct tes_client_engine_out out;
	int r;

	if ((r = tes_client_engine_init_resume(&c->eng, c->suite, c->unit_key, t->ticket, t->len,
					       t->res_secret, &out)) != 0 ||
	    (r = exchange(c, &out)) != 0)
		goto out;
	if ((r = tes_client_engine_pin(&c->eng, pin(ctx, &out.server), c->unit, &out)) != 0 ||
	    (r = exchange(c, &out)) != 0)
		goto out;
	if (out.event != TES_CLIENT_EV_RESUMED) {
		r = TES_ERR_STATE;
		goto out;
	}
	c->established = 1;
out:
	if (r != 0)
		tes_client_engine_wipe(&c->eng);
	TES_WIPE_CTX(&out);
	return r;
}

/* see client.h */
int
tes_client_read_alert(struct tes_client *c)
{
	struct tes_client_engine_out out;
	int r = recv_frame(c, &out);

	TES_WIPE_CTX(&out);
	return r == 0 ? TES_ERR_STATE : r;
}

/* see client.h */
int
tes_client_heartbeat(struct tes_client *c)
{
	struct tes_client_engine_out out;
	int r;

	if ((r = tes_client_engine_heartbeat(&c->eng, &out)) != 0)
		return r;
	return exchange(c, &out);
}

/* see client.h */
int
tes_client_handshake(struct tes_client *c, tes_pin_fn pin, void *ctx)
{
	struct tes_client_engine_out out;
	int r;

	if ((r = tes_client_engine_init(&c->eng, c->suite, c->unit_key, &out)) != 0 ||
	    (r = exchange(c, &out)) != 0)
		goto out;
	/* the engine answered SERVER_HELLO with the server key: the pin decides, once */
	if ((r = tes_client_engine_pin(&c->eng, pin(ctx, &out.server), c->unit, &out)) != 0 ||
	    (r = exchange(c, &out)) != 0)
		goto out;
	c->established = 1;
out:
	if (r != 0)
		tes_client_engine_wipe(&c->eng);
	return r;
}

/* see client.h */
int
tes_client_login(struct tes_client *c, const char *user, const char *pw)
{
	struct tes_client_engine_out out;
	struct tes_login l = { 0 };
	size_t ul = strlen(user), pl = strlen(pw);
	int r = TES_ERR_ARG;

	if (ul > TES_NAME_MAX || pl > TES_PASSWORD_MAX)
		goto out;
	l.user_len = (uint8_t)ul;
	l.pw_len = (uint8_t)pl;
	memcpy(l.user, user, ul);
	memcpy(l.pw, pw, pl);
	l.features = c->want_session ? TES_LOGIN_FEAT_SESSION : 0;
	if ((r = tes_client_engine_login(&c->eng, &l, &out)) != 0 || (r = exchange(c, &out)) != 0)
		goto out;
	/*= spec/PROTOCOL.md#login MUST-L4: try again is not a refusal of the password */
	r = out.login_result == TES_LOGIN_ACCEPTED ? 0
	    : out.login_result == TES_LOGIN_RETRY  ? TES_ERR_BUSY
						   : TES_ERR_AUTH;
out:
	TES_WIPE_CTX(&l);
	TES_WIPE_CTX(&out); /* a SESSION's ticket and resumption secret: kept in c->session only */
	return r;
}

/* Send the REPORT record in out, wait for its receipt (the engine checks that it names the report). */
static int
receipt(struct tes_client *c, struct tes_client_engine_out *out, struct tes_receipt *rc)
{
	int r;

	if ((r = exchange(c, out)) == 0)
		*rc = out->receipt;
	return r;
}

/* see client.h */
int
tes_client_report(struct tes_client *c, const struct tes_report *rep, struct tes_receipt *rc)
{
	struct tes_client_engine_out out;
	int r;

	if ((r = tes_client_engine_report_sign(&c->eng, rep, c->unit, &out)) != 0)
		return r;
	return receipt(c, &out, rc);
}

/* see client.h */
int
tes_client_report_signed(struct tes_client *c, const struct tes_report *rep,
			 const uint8_t sig[static TES_RSA_LEN], struct tes_receipt *rc)
{
	struct tes_client_engine_out out;
	int r;

	if ((r = tes_client_engine_report(&c->eng, rep, sig, &out)) != 0)
		return r;
	return receipt(c, &out, rc);
}

/* see client.h */
void
tes_client_init(struct tes_client *c, const struct tes_rsa_priv *unit, uint8_t suite, unsigned timeout)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout = timeout;
	c->suite = suite;
	c->unit = unit;
	tes_rsa_keyid(&unit->pub, c->unit_key);
}

/* see client.h */
int
tes_client_pin_fp(void *ctx, const struct tes_rsa_pub *server)
{
	char fp[TES_FP_STRLEN];

	tes_rsa_fingerprint(server, fp);
	return strcmp(fp, (const char *)ctx) == 0 ? 0 : TES_ERR_PIN;
}

/* see client.h */
void
tes_client_close(struct tes_client *c)
{
	struct tes_client_engine_out out;

	if (c->fd >= 0) {
		/* refused by an engine that failed: a session that broke ends without a BYE */
		if (c->established && tes_client_engine_bye(&c->eng, &out) == 0)
			(void)send_out(c, &out);
		close(c->fd);
	}
	c->fd = -1;
	c->established = 0;
	c->has_session = 0;
	TES_WIPE_CTX(&c->session);
	tes_client_engine_wipe(&c->eng);
}
