/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/handshake.h"
#include "crypto/keysched.h"
#include "crypto/x25519.h"
#include "officer/engine.h"
#include "wire/frame.h"

enum {
	/* payload bytes of the largest record the server sends (SESSION with a whole ticket: 360) */
	REPLY_MAX = 512
};

/* A state's frame handler: payload p (n bytes) of the whole frame f (flen bytes). */
typedef int (*frame_fn)(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
			struct tes_engine_out *out);
/* A state's master-answer handler. */
typedef int (*answer_fn)(struct tes_engine *e, const struct tes_mon_msg *ans, struct tes_engine_out *out);

static int
keep_frame(uint8_t *dst, size_t *dlen, const uint8_t *f, size_t flen)
{
	if (flen > TES_FRAME_MAX)
		return TES_ERR_TOOLONG;
	memcpy(dst, f, flen);
	*dlen = flen;
	return 0;
}

static int
server_hello(struct tes_engine *e, struct tes_engine_out *out);

static int
on_hello(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
	 struct tes_engine_out *out)
{
	int r;

	if ((r = keep_frame(e->ch_f, &e->ch_n, f, flen)) != 0 ||
	    (r = tes_msg_client_hello_decode(p, n, &e->ch)) != 0)
		return r;
	if ((r = server_hello(e, out)) == 0)
		e->state = TES_ENG_WAIT_KX;
	return r;
}

/* RESUME_HELLO: the client hello fields and a ticket only the master can open. */
static int
on_resume_hello(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
		struct tes_engine_out *out)
{
	int r;

	if ((r = keep_frame(e->ch_f, &e->ch_n, f, flen)) != 0 ||
	    (r = tes_msg_resume_hello_decode(p, n, &e->rh)) != 0)
		return r;
	e->ch = e->rh.ch;
	e->resumed = 1;
	if ((r = server_hello(e, out)) == 0)
		e->state = TES_ENG_WAIT_UA;
	return r;
}

/* UNIT_AUTH: the unit's signature over the resumed transcript, checked by the master. */
static int
on_ua(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
      struct tes_engine_out *out)
{
	int r;

	(void)out;
	if ((r = keep_frame(e->kx_f, &e->kx_n, f, flen)) != 0 ||
	    (r = tes_msg_unit_auth_decode(p, n, &e->ua)) != 0)
		return r;
	e->state = TES_ENG_WAIT_FIN;
	return 0;
}

/* SERVER_HELLO for the client hello in e->ch. */
static int
server_hello(struct tes_engine *e, struct tes_engine_out *out)
{
	int r;

	/*= spec/PROTOCOL.md#handshake MUST-H2: single DES only when the server allows it */
	if (e->ch.suite == TES_SUITE_DES_CBC_HMAC_SHA256 && !e->init.allow_des)
		return TES_ERR_STATE;
	e->sh.suite = e->ch.suite;
	memcpy(e->sh.random, e->init.server_random, TES_RANDOM_LEN);
	memcpy(e->sh.n, e->init.n, TES_RSA_LEN);
	e->sh.e_len = e->init.e_len;
	memcpy(e->sh.e, e->init.e, e->init.e_len);
	/*= spec/PROTOCOL.md#handshake MUST-H1: a fresh X25519 key pair per connection */
	if ((r = tes_x25519_keygen(e->x_priv, e->sh.x25519)) != 0 ||
	    (r = tes_handshake_sh_frame(&e->sh, e->sh_f, &e->sh_n)) != 0)
		return r;
	memcpy(out->frame, e->sh_f, e->sh_n);
	out->frame_len = e->sh_n;
	return 0;
}

static int
on_kx(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
      struct tes_engine_out *out)
{
	int r;

	(void)out;
	if ((r = keep_frame(e->kx_f, &e->kx_n, f, flen)) != 0 ||
	    (r = tes_msg_key_exchange_decode(p, n, &e->kx)) != 0)
		return r;
	e->state = TES_ENG_WAIT_FIN;
	return 0;
}

/* Client Finished: ask the master to authenticate the unit and unwrap the pre-master secret. */
static int
on_fin(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
       struct tes_engine_out *out)
{
	struct tes_mon_handshake *hs = &out->req.u.hs;
	int r;

	if ((r = keep_frame(e->cf_f, &e->cf_n, f, flen)) != 0 ||
	    (r = tes_msg_finished_decode(p, n, &e->cf)) != 0)
		return r;
	out->has_req = 1;
	e->state = TES_ENG_WAIT_HS_ANS;
	if (e->resumed) {
		struct tes_mon_resume *rs = &out->req.u.res;

		out->req.type = TES_MON_RESUME;
		rs->rh = e->rh;
		memcpy(rs->server_x25519, e->sh.x25519, TES_X25519_LEN);
		rs->suite = e->sh.suite;
		rs->ua = e->ua;
		return 0;
	}
	out->req.type = TES_MON_HANDSHAKE;
	hs->ch = e->ch;
	memcpy(hs->server_x25519, e->sh.x25519, TES_X25519_LEN);
	hs->suite = e->sh.suite;
	hs->kx = e->kx;
	return 0;
}

/* Check the client Finished, derive the record keys, produce the server Finished. */
static int
finish(struct tes_engine *e, const uint8_t pms[static TES_PMS_LEN], struct tes_engine_out *out)
{
	struct tes_session_keys k;
	uint8_t ecdh[TES_X25519_LEN], th[TES_HASH_LEN], fin[TES_FINISHED_LEN];
	int r;

	if ((r = tes_x25519_shared(ecdh, e->x_priv, e->ch.x25519)) != 0)
		goto out;
	tes_handshake_hash(e->ch_f, e->ch_n, e->sh_f, e->sh_n, e->kx_f, e->kx_n, NULL, 0, th);
	tes_keysched_derive(pms, ecdh, th, &k);
	tes_keysched_finished(k.c_fin, th, fin);
	/*= spec/PROTOCOL.md#handshake MUST-H6: client Finished checked in constant time */
	if (tes_ct_eq(fin, e->cf.mac, TES_FINISHED_LEN) != 0) {
		r = TES_ERR_MAC;
		goto out;
	}
	tes_handshake_hash(e->ch_f, e->ch_n, e->sh_f, e->sh_n, e->kx_f, e->kx_n, e->cf_f, e->cf_n, th);
	tes_keysched_finished(k.s_fin, th, fin);
	tes_record_dir_init(&e->rx, e->ch.suite, k.c2s_enc, k.c2s_mac);
	tes_record_dir_init(&e->tx, e->ch.suite, k.s2c_enc, k.s2c_mac);
	if ((r = tes_frame_encode(out->frame, sizeof out->frame, TES_FRAME_FINISHED, fin, sizeof fin,
				  &out->frame_len)) != 0)
		goto out;
	e->state = TES_ENG_READY;
out:
	TES_WIPE_CTX(&k);
	TES_WIPE_BUF(ecdh);
	TES_WIPE_BUF(e->x_priv);
	return r;
}

/* Seal one record after whatever out already holds (frames go out in one write). */
static int
seal(struct tes_engine *e, const uint8_t *plain, size_t n, struct tes_engine_out *out)
{
	size_t used = 0;
	int r;

	if (out->frame_len > sizeof out->frame)
		return TES_ERR_INTERNAL;
	if ((r = tes_record_seal(&e->tx, plain, n, out->frame + out->frame_len,
				 sizeof out->frame - out->frame_len, &used)) != 0)
		return r;
	out->frame_len += used;
	e->tx_bytes += used - TES_FRAME_HDR_LEN;
	return 0;
}

/* The SESSION record (spec/PROTOCOL.md#session): the child's bounds, the master's lifetime and ticket. */
static int
send_session(struct tes_engine *e, const struct tes_mon_status *st, struct tes_engine_out *out)
{
	struct tes_session_info si;
	uint8_t buf[TES_RECORD_MAX_PLAIN];
	size_t n;
	int r;

	memset(&si, 0, sizeof si);
	si.idle_timeout = e->init.idle_timeout;
	si.lifetime = st->lifetime;
	si.rekey_records = e->init.rekey_records;
	si.rekey_bytes = e->init.rekey_bytes;
	si.ticket_lifetime = st->ticket_lifetime;
	si.ticket_len = st->ticket_len;
	if (st->ticket_len > 0) {
		memcpy(si.res_secret, st->res_secret, TES_HASH_LEN);
		memcpy(si.ticket, st->ticket, st->ticket_len);
	}
	if ((r = tes_msg_session_encode(&si, buf, sizeof buf, &n)) == 0)
		r = seal(e, buf, n, out);
	TES_WIPE_CTX(&si);
	tes_wipe(buf, sizeof buf);
	return r;
}

static int
ans_handshake(struct tes_engine *e, const struct tes_mon_msg *ans, struct tes_engine_out *out)
{
	int r;

	if (ans->type != TES_MON_HANDSHAKE_ANS)
		return TES_ERR_TYPE;
	if (ans->u.st.status != 0) {
		e->alert = TES_ALERT_AUTH;
		return TES_ERR_AUTH;
	}
	if ((r = finish(e, ans->u.st.pms, out)) != 0 || !e->resumed)
		return r;
	/*= spec/PROTOCOL.md#resumption MUST-RS3: a resumed session is logged in; SESSION follows FINISHED */
	e->logged_in = 1;
	return send_session(e, &ans->u.st, out);
}

static int
on_login(struct tes_engine *e, const uint8_t *p, size_t n, struct tes_engine_out *out)
{
	int r;

	/*= spec/PROTOCOL.md#state MUST-S2: LOGIN only before a successful login */
	if (e->logged_in)
		return TES_ERR_STATE;
	if ((r = tes_msg_login_decode(p, n, &out->req.u.login)) != 0)
		return r;
	e->want_session = (out->req.u.login.features & TES_LOGIN_FEAT_SESSION) != 0;
	out->has_req = 1;
	out->req.type = TES_MON_LOGIN;
	e->state = TES_ENG_WAIT_LOGIN_ANS;
	return 0;
}

static int
ans_login(struct tes_engine *e, const struct tes_mon_msg *ans, struct tes_engine_out *out)
{
	uint8_t res[2] = { TES_INNER_LOGIN_RESULT, 0 };
	int r;

	if (ans->type != TES_MON_LOGIN_ANS)
		return TES_ERR_TYPE;
	e->logged_in = ans->u.st.status == 0;
	/*= spec/PROTOCOL.md#login MUST-L4: the master's status 2 goes out as try again */
	res[1] = e->logged_in            ? TES_LOGIN_ACCEPTED
		 : ans->u.st.status == 2 ? TES_LOGIN_RETRY
					 : TES_LOGIN_REFUSED;
	e->state = TES_ENG_READY;
	if ((r = seal(e, res, sizeof res, out)) != 0 || !e->logged_in || !e->want_session)
		return r;
	return send_session(e, &ans->u.st, out);
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
send_receipt(struct tes_engine *e, const struct tes_receipt *rc, struct tes_engine_out *out)
{
	uint8_t buf[64];
	size_t n;
	int r;

	if ((r = tes_msg_receipt_encode(rc, buf, sizeof buf, &n)) != 0)
		return r;
	return seal(e, buf, n, out);
}

static int
on_report(struct tes_engine *e, const uint8_t *p, size_t n, struct tes_engine_out *out)
{
	struct tes_mon_report *rep = &out->req.u.rep;
	struct tes_receipt rc = { .status = TES_RECEIPT_REJECTED };
	int r;

	/*= spec/PROTOCOL.md#state MUST-S3: no report before login */
	if (!e->logged_in)
		return TES_ERR_STATE;
	r = tes_msg_report_rec_decode(p, n, &rep->r, rep->sig);
	if (r != 0) {
		/* A field outside its range gets a REJECTED receipt; broken framing ends the session. */
		if ((rc.reason = reject_reason(r)) == TES_REJECT_NONE || n < 1 + TES_REPORT_ID_LEN)
			return r;
		memcpy(rc.id, p + 1, TES_REPORT_ID_LEN);
		memset(rep, 0, sizeof *rep);
		return send_receipt(e, &rc, out);
	}
	memcpy(e->report_id, rep->r.id, TES_REPORT_ID_LEN);
	out->has_req = 1;
	out->req.type = TES_MON_REPORT;
	e->state = TES_ENG_WAIT_REPORT_ANS;
	return 0;
}

static int
ans_report(struct tes_engine *e, const struct tes_mon_msg *ans, struct tes_engine_out *out)
{
	if (ans->type != TES_MON_REPORT_ANS)
		return TES_ERR_TYPE;
	if (memcmp(ans->u.rcpt.id, e->report_id, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_INTERNAL;
	e->state = TES_ENG_READY;
	return send_receipt(e, &ans->u.rcpt, out);
}

/*
 * A record of n payload bytes would take a direction past its bound: the
 * one received, or the at most two (LOGIN_RESULT and SESSION, or a receipt)
 * the answer to it sends.
 */
static int
past_bound(const struct tes_engine *e, size_t n)
{
	uint64_t recs = e->init.rekey_records, bytes = e->init.rekey_bytes;

	return e->rx.seq + 1 > recs || e->rx_bytes + n > bytes || e->tx.seq + 2 > recs ||
	       e->tx_bytes + 2 * (uint64_t)REPLY_MAX > bytes;
}

/* HEARTBEAT: answered with one, and the master hears of it (its idle deadline starts again). */
static int
on_heartbeat(struct tes_engine *e, const uint8_t *p, size_t n, struct tes_engine_out *out)
{
	static const uint8_t hb = TES_INNER_HEARTBEAT;
	int r;

	/*= spec/PROTOCOL.md#records MUST-HB3: heartbeats only in a logged-in session */
	if (!e->logged_in)
		return TES_ERR_STATE;
	if ((r = tes_msg_heartbeat_decode(p, n)) != 0 || (r = seal(e, &hb, 1, out)) != 0)
		return r;
	out->has_req = 1;
	out->oneway = 1;
	out->req.type = TES_MON_HEARTBEAT;
	return 0;
}

/* One RECORD in READY: authenticate, decrypt, dispatch on the inner type. */
static int
on_record(struct tes_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
	  struct tes_engine_out *out)
{
	uint8_t plain[TES_RECORD_MAX_PLAIN];
	size_t pn = 0;
	int r;

	(void)flen;
	/*= spec/PROTOCOL.md#rekey MUST-K2: no direction goes past its bounds under one key */
	if (e->logged_in && past_bound(e, n)) {
		e->alert = TES_ALERT_REKEY;
		return TES_ERR_REKEY;
	}
	if ((r = tes_record_open(&e->rx, f, p, n, plain, sizeof plain, &pn)) != 0)
		goto out;
	e->rx_bytes += n;
	r = TES_ERR_FORMAT;
	if (pn < 1)
		goto out;
	if (plain[0] == TES_INNER_LOGIN) {
		r = on_login(e, plain, pn, out);
	} else if (plain[0] == TES_INNER_REPORT) {
		r = on_report(e, plain, pn, out);
	} else if (plain[0] == TES_INNER_BYE && pn == 1) {
		e->state = TES_ENG_DONE;
		r = 0;
	} else if (plain[0] == TES_INNER_HEARTBEAT) {
		r = on_heartbeat(e, plain, pn, out);
	} else {
		r = TES_ERR_TYPE;
	}
out:
	tes_wipe(plain, sizeof plain);
	return r;
}

/* The state table: the one frame type each state accepts and its handler, or the answer handler. */
static const struct {
	uint8_t frame_type;
	frame_fn on_frame;
	answer_fn on_answer;
	uint8_t alt_type; /* a second frame type the state accepts (WAIT_HELLO: RESUME_HELLO) */
	frame_fn on_alt;
} states[] = {
	[TES_ENG_WAIT_HELLO] = { TES_FRAME_CLIENT_HELLO, on_hello, NULL, TES_FRAME_RESUME_HELLO,
				 on_resume_hello },
	[TES_ENG_WAIT_KX] = { TES_FRAME_KEY_EXCHANGE, on_kx, NULL, TES_FRAME_INVALID, NULL },
	[TES_ENG_WAIT_UA] = { TES_FRAME_UNIT_AUTH, on_ua, NULL, TES_FRAME_INVALID, NULL },
	[TES_ENG_WAIT_FIN] = { TES_FRAME_FINISHED, on_fin, NULL, TES_FRAME_INVALID, NULL },
	[TES_ENG_WAIT_HS_ANS] = { TES_FRAME_INVALID, NULL, ans_handshake, TES_FRAME_INVALID, NULL },
	[TES_ENG_READY] = { TES_FRAME_RECORD, on_record, NULL, TES_FRAME_INVALID, NULL },
	[TES_ENG_WAIT_LOGIN_ANS] = { TES_FRAME_INVALID, NULL, ans_login, TES_FRAME_INVALID, NULL },
	[TES_ENG_WAIT_REPORT_ANS] = { TES_FRAME_INVALID, NULL, ans_report, TES_FRAME_INVALID, NULL },
};

static void
out_reset(struct tes_engine_out *out)
{
	out->frame_len = 0;
	out->has_req = 0;
	out->oneway = 0;
	memset(&out->req, 0, sizeof out->req);
}

/* Sticky failure: remember it and drop every secret but the alert to send. */
static int
fail(struct tes_engine *e, int r)
{
	if (r != 0) {
		uint8_t alert = e->alert;

		tes_engine_wipe(e);
		e->alert = alert;
	}
	return r;
}

/* see engine.h */
void
tes_engine_init(struct tes_engine *e, const struct tes_mon_init *init)
{
	memset(e, 0, sizeof *e);
	e->init = *init;
	e->state = TES_ENG_WAIT_HELLO;
	e->alert = TES_ALERT_PROTOCOL;
	e->rx.failed = 1;
	e->tx.failed = 1;
}

/* see engine.h */
int
tes_engine_frame(struct tes_engine *e, const uint8_t *frame, size_t len, struct tes_engine_out *out)
{
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t used;
	int r;

	out_reset(out);
	if (e->state >= sizeof states / sizeof states[0] || states[e->state].on_frame == NULL)
		return fail(e, TES_ERR_STATE);
	if ((r = tes_frame_decode(frame, len, &h, &p, &used)) != 0)
		return fail(e, r);
	if (used != len)
		return fail(e, TES_ERR_FORMAT);
	/*= spec/PROTOCOL.md#state MUST-S1: an ALERT or a frame out of order ends the session */
	if (h.type == TES_FRAME_ALERT)
		return fail(e, TES_ERR_PEER);
	if (h.type != TES_FRAME_INVALID && h.type == states[e->state].alt_type)
		return fail(e, states[e->state].on_alt(e, frame, len, p, h.length, out));
	if (h.type != states[e->state].frame_type)
		return fail(e, TES_ERR_TYPE);
	return fail(e, states[e->state].on_frame(e, frame, len, p, h.length, out));
}

/* see engine.h */
int
tes_engine_answer(struct tes_engine *e, const struct tes_mon_msg *ans, struct tes_engine_out *out)
{
	out_reset(out);
	if (e->state >= sizeof states / sizeof states[0] || states[e->state].on_answer == NULL)
		return fail(e, TES_ERR_STATE);
	return fail(e, states[e->state].on_answer(e, ans, out));
}

/* see engine.h */
int
tes_engine_done(const struct tes_engine *e)
{
	return e->state == TES_ENG_DONE;
}

/* see engine.h */
uint8_t
tes_engine_alert(const struct tes_engine *e)
{
	return e->alert;
}

/* see engine.h */
void
tes_engine_wipe(struct tes_engine *e)
{
	tes_record_dir_wipe(&e->rx);
	tes_record_dir_wipe(&e->tx);
	TES_WIPE_CTX(e);
	e->state = TES_ENG_FAILED;
	e->rx.failed = 1;
	e->tx.failed = 1;
}
