/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/io.h"
#include "crypto/handshake.h"
#include "crypto/keysched.h"
#include "crypto/record.h"
#include "crypto/rng.h"
#include "crypto/x25519.h"
#include "officer/monitor.h"
#include "officer/session.h"
#include "wire/frame.h"
#include "wire/msg.h"

struct session {
	struct tes_mon_init init;
	struct tes_client_hello ch;
	struct tes_server_hello sh;
	uint8_t x_priv[TES_X25519_LEN];
	uint8_t ch_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], kx_f[TES_FRAME_MAX], cf_f[TES_FRAME_MAX];
	size_t ch_n, sh_n, kx_n, cf_n;
	struct tes_key_exchange kx;
	struct tes_finished cf;
	struct tes_record_dir rx, tx;
	int logged_in;
	uint8_t alert;              /* alert to send on a fatal error */
};

static const int net = TES_SESSION_NET_FD;
static const int mon = TES_SESSION_MON_FD;

/* One request to the master and its answer of the expected type. */
static int
mon_call(const struct tes_mon_msg *req, uint8_t want, struct tes_mon_msg *ans)
{
	uint8_t buf[TES_MON_MSG_LEN];
	ssize_t k;
	int r;

	if ((r = tes_mon_encode(req, buf)) != 0)
		return r;
	if (send(mon, buf, sizeof buf, MSG_NOSIGNAL) != (ssize_t)sizeof buf)
		return TES_ERR_IO;
	do
		k = recv(mon, buf, sizeof buf, MSG_TRUNC);
	while (k < 0 && errno == EINTR);
	if (k <= 0)
		return TES_ERR_CLOSED;
	r = tes_mon_decode(buf, (size_t)k, ans);
	tes_wipe(buf, sizeof buf);
	if (r != 0)
		return r;
	return ans->type == want ? 0 : TES_ERR_TYPE;
}

/* Log one line through the master (the child writes no files). */
static void
mon_log(uint8_t level, const char *text)
{
	struct tes_mon_msg m = { .type = TES_MON_LOG };
	uint8_t buf[TES_MON_MSG_LEN];
	size_t n = strlen(text);

	m.u.log.level = level;
	m.u.log.len = (uint8_t)(n > TES_MON_LOG_MAX ? TES_MON_LOG_MAX : n);
	memcpy(m.u.log.text, text, m.u.log.len);
	if (tes_mon_encode(&m, buf) == 0)
		(void)send(mon, buf, sizeof buf, MSG_NOSIGNAL);
}

/* Read one frame of the expected type; an ALERT or any other type fails. */
static int
expect_frame(uint8_t type, uint8_t *buf, size_t *frame_len, const uint8_t **payload, size_t *plen)
{
	struct tes_frame_hdr h;
	int r;

	if ((r = tes_frame_read(net, buf, &h, payload, frame_len)) != 0)
		return r;
	/*= spec/PROTOCOL.md#state MUST-S1: a frame out of order ends the session */
	if (h.type == TES_FRAME_ALERT)
		return TES_ERR_PEER;
	if (h.type != type)
		return TES_ERR_TYPE;
	*plen = h.length;
	return 0;
}

static int
read_init(struct session *s)
{
	uint8_t buf[TES_MON_MSG_LEN];
	struct tes_mon_msg m;
	struct timeval tv;
	ssize_t k;
	int r;

	k = recv(mon, buf, sizeof buf, MSG_TRUNC);
	if (k <= 0)
		return TES_ERR_CLOSED;
	if ((r = tes_mon_decode(buf, (size_t)k, &m)) != 0)
		return r;
	if (m.type != TES_MON_INIT)
		return TES_ERR_TYPE;
	s->init = m.u.init;
	tv.tv_sec = s->init.idle_timeout;
	tv.tv_usec = 0;
	if (setsockopt(net, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
	    setsockopt(net, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
		return TES_ERR_IO;
	return 0;
}

static int
recv_client_hello(struct session *s)
{
	const uint8_t *p;
	size_t n;
	int r;

	if ((r = expect_frame(TES_FRAME_CLIENT_HELLO, s->ch_f, &s->ch_n, &p, &n)) != 0 ||
	    (r = tes_client_hello_decode(p, n, &s->ch)) != 0)
		return r;
	/*= spec/PROTOCOL.md#handshake MUST-H2: single DES only when the server allows it */
	if (s->ch.suite == TES_SUITE_DES_CBC_HMAC_SHA256 && !s->init.allow_des)
		return TES_ERR_STATE;
	return 0;
}

static int
send_server_hello(struct session *s)
{
	int r;

	s->sh.suite = s->ch.suite;
	memcpy(s->sh.random, s->init.server_random, TES_RANDOM_LEN);
	memcpy(s->sh.n, s->init.n, TES_RSA_LEN);
	s->sh.e_len = s->init.e_len;
	memcpy(s->sh.e, s->init.e, s->init.e_len);
	if ((r = tes_x25519_keygen(s->x_priv, s->sh.x25519)) != 0 ||
	    (r = tes_hs_sh_frame(&s->sh, s->sh_f, &s->sh_n)) != 0)
		return r;
	return tes_write_full(net, s->sh_f, s->sh_n);
}

static int
recv_key_exchange(struct session *s)
{
	const uint8_t *p;
	size_t n;
	int r;

	if ((r = expect_frame(TES_FRAME_KEY_EXCHANGE, s->kx_f, &s->kx_n, &p, &n)) != 0 ||
	    (r = tes_key_exchange_decode(p, n, &s->kx)) != 0 ||
	    (r = expect_frame(TES_FRAME_FINISHED, s->cf_f, &s->cf_n, &p, &n)) != 0)
		return r;
	return tes_finished_decode(p, n, &s->cf);
}

/* Ask the master to authenticate the unit and unwrap the pre-master secret. */
static int
master_handshake(struct session *s, uint8_t pms[static TES_PMS_LEN])
{
	struct tes_mon_msg req = { .type = TES_MON_HANDSHAKE }, ans;
	int r;

	req.u.hs.ch = s->ch;
	memcpy(req.u.hs.server_x25519, s->sh.x25519, TES_X25519_LEN);
	req.u.hs.suite = s->sh.suite;
	req.u.hs.kx = s->kx;
	if ((r = mon_call(&req, TES_MON_HANDSHAKE_ANS, &ans)) != 0)
		return r;
	if (ans.u.st.status != 0) {
		s->alert = TES_ALERT_AUTH;
		return TES_ERR_AUTH;
	}
	memcpy(pms, ans.u.st.pms, TES_PMS_LEN);
	TES_WIPE_CTX(&ans);
	return 0;
}

static int
finish(struct session *s, const uint8_t pms[static TES_PMS_LEN])
{
	struct tes_session_keys k;
	uint8_t ecdh[TES_X25519_LEN], th[TES_HASH_LEN], fin[TES_FINISHED_LEN];
	int r;

	if ((r = tes_x25519_shared(ecdh, s->x_priv, s->ch.x25519)) != 0)
		goto out;
	tes_hs_hash(s->ch_f, s->ch_n, s->sh_f, s->sh_n, s->kx_f, s->kx_n, NULL, 0, th);
	tes_keysched_derive(pms, ecdh, th, &k);
	tes_keysched_finished(k.c_fin, th, fin);
	/*= spec/PROTOCOL.md#handshake MUST-H6: client Finished checked in constant time */
	if (tes_ct_eq(fin, s->cf.mac, TES_FINISHED_LEN) != 0) {
		r = TES_ERR_MAC;
		goto out;
	}
	tes_hs_hash(s->ch_f, s->ch_n, s->sh_f, s->sh_n, s->kx_f, s->kx_n, s->cf_f, s->cf_n, th);
	tes_keysched_finished(k.s_fin, th, fin);
	tes_record_dir_init(&s->rx, s->ch.suite, k.c2s_enc, k.c2s_mac);
	tes_record_dir_init(&s->tx, s->ch.suite, k.s2c_enc, k.s2c_mac);
	r = tes_frame_write(net, TES_FRAME_FINISHED, fin, sizeof fin);
out:
	TES_WIPE_CTX(&k);
	TES_WIPE_BUF(ecdh);
	TES_WIPE_BUF(s->x_priv);
	return r;
}

static int
handshake(struct session *s)
{
	uint8_t pms[TES_PMS_LEN];
	int r;

	if ((r = recv_client_hello(s)) != 0 || (r = send_server_hello(s)) != 0 ||
	    (r = recv_key_exchange(s)) != 0 || (r = master_handshake(s, pms)) != 0)
		goto out;
	r = finish(s, pms);
out:
	TES_WIPE_BUF(pms);
	return r;
}

static int
send_record(struct session *s, const uint8_t *plain, size_t n)
{
	uint8_t frame[TES_FRAME_MAX];
	size_t used;
	int r;

	if ((r = tes_record_seal(&s->tx, plain, n, frame, sizeof frame, &used)) != 0)
		return r;
	return tes_write_full(net, frame, used);
}

static int
on_login(struct session *s, const uint8_t *p, size_t n)
{
	struct tes_mon_msg req = { .type = TES_MON_LOGIN }, ans;
	uint8_t out[2] = { TES_INNER_LOGIN_RESULT, 0 };
	int r;

	if (s->logged_in)
		return TES_ERR_STATE;
	if ((r = tes_login_decode(p, n, &req.u.login)) != 0)
		goto out;
	if ((r = mon_call(&req, TES_MON_LOGIN_ANS, &ans)) != 0)
		goto out;
	s->logged_in = ans.u.st.status == 0;
	out[1] = (uint8_t)s->logged_in;
	r = send_record(s, out, sizeof out);
out:
	TES_WIPE_CTX(&req);
	return r;
}

static uint8_t
reject_reason(int err)
{
	switch (err) {
	case TES_ERR_PLATE:
		return TES_REJECT_PLATE;
	case TES_ERR_SPEED:
		return TES_REJECT_SPEED;
	case TES_ERR_LIMIT:
		return TES_REJECT_LIMIT;
	case TES_ERR_TIME:
		return TES_REJECT_TIME;
	case TES_ERR_LOCATION:
		return TES_REJECT_LOCATION;
	default:
		return TES_REJECT_NONE;
	}
}

static int
send_receipt(struct session *s, const struct tes_receipt *rc)
{
	uint8_t out[64];
	size_t n;
	int r;

	if ((r = tes_receipt_encode(rc, out, sizeof out, &n)) != 0)
		return r;
	return send_record(s, out, n);
}

static int
on_report(struct session *s, const uint8_t *p, size_t n)
{
	struct tes_mon_msg req = { .type = TES_MON_REPORT }, ans;
	struct tes_receipt rc = { .status = TES_RECEIPT_REJECTED };
	int r;

	/*= spec/PROTOCOL.md#state MUST-S3: no report before login */
	if (!s->logged_in)
		return TES_ERR_STATE;
	r = tes_report_msg_decode(p, n, &req.u.rep.r, req.u.rep.sig);
	if (r != 0) {
		/* A field outside its range gets a REJECTED receipt; broken framing ends the session. */
		if ((rc.reason = reject_reason(r)) == TES_REJECT_NONE || n < 1 + TES_REPORT_ID_LEN)
			return r;
		memcpy(rc.id, p + 1, TES_REPORT_ID_LEN);
		return send_receipt(s, &rc);
	}
	if ((r = mon_call(&req, TES_MON_REPORT_ANS, &ans)) != 0)
		return r;
	if (memcmp(ans.u.rcpt.id, req.u.rep.r.id, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_INTERNAL;
	return send_receipt(s, &ans.u.rcpt);
}

/* Records until BYE, EOF or an error. */
static int
serve(struct session *s)
{
	uint8_t frame[TES_FRAME_MAX], plain[TES_RECORD_MAX_PLAIN];
	const uint8_t *p;
	size_t flen, plen, n;
	int r;

	for (;;) {
		if ((r = expect_frame(TES_FRAME_RECORD, frame, &flen, &p, &plen)) != 0)
			return r;
		if ((r = tes_record_open(&s->rx, frame, p, plen, plain, sizeof plain, &n)) != 0)
			return r;
		if (n < 1)
			return TES_ERR_FORMAT;
		if (plain[0] == TES_INNER_LOGIN)
			r = on_login(s, plain, n);
		else if (plain[0] == TES_INNER_REPORT)
			r = on_report(s, plain, n);
		else if (plain[0] == TES_INNER_BYE && n == 1)
			return 0;
		else
			r = TES_ERR_TYPE;
		tes_wipe(plain, sizeof plain);
		if (r != 0)
			return r;
	}
}

static const char *
what(int r)
{
	return tes_strerror(r);
}

/* see session.h */
int
tes_session_main(void)
{
	static struct session s;
	char line[TES_MON_LOG_MAX + 1];
	int r;

	s.alert = TES_ALERT_PROTOCOL;
	if (tes_rng_init() != 0 || read_init(&s) != 0)
		return TES_SESSION_EXIT_SETUP;
	/* The seccomp filter (sandbox/) is entered here, before the first network byte. */
	if ((r = handshake(&s)) == 0)
		r = serve(&s);
	if (r != 0 && r != TES_ERR_CLOSED && r != TES_ERR_PEER) {
		/*= spec/PROTOCOL.md#alerts MUST-A1: one generic alert, then close */
		tes_alert_send(net, s.alert);
		snprintf(line, sizeof line, "session ended: %s", what(r));
		mon_log(1, line);
	}
	tes_record_dir_wipe(&s.rx);
	tes_record_dir_wipe(&s.tx);
	return r == 0 || r == TES_ERR_CLOSED ? TES_SESSION_EXIT_OK : TES_SESSION_EXIT_PROTO;
}
