/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/handshake.h"
#include "crypto/keysched.h"
#include "crypto/rng.h"
#include "crypto/x25519.h"
#include "police/client_engine.h"
#include "wire/frame.h"

/* A state's frame handler: payload p (n bytes) of the whole frame f (flen bytes). */
typedef int (*frame_fn)(struct tes_client_engine *e, const uint8_t *f, size_t flen, const uint8_t *p,
			size_t n, struct tes_client_engine_out *out);

/* The caller's steps, as a state table allows them. */
enum {
	CALL_PIN = 1,
	CALL_REQUEST = 2,
	CALL_BYE = 4
};

static int
keep_frame(uint8_t *dst, size_t cap, size_t *dlen, const uint8_t *f, size_t flen)
{
	if (flen > cap)
		return TES_ERR_TOOLONG;
	memcpy(dst, f, flen);
	*dlen = flen;
	return 0;
}

/* SERVER_HELLO: hand its key to the caller, who checks it against the pin. */
static int
on_server_hello(struct tes_client_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
		struct tes_client_engine_out *out)
{
	struct tes_rsa_pub *k = &out->server;
	int r;

	if ((r = tes_msg_server_hello_decode(p, n, &e->sh)) != 0)
		return r;
	if (e->sh.suite != e->suite)
		return TES_ERR_FORMAT;
	if ((r = keep_frame(e->sh_f, sizeof e->sh_f, &e->sh_n, f, flen)) != 0)
		return r;
	memcpy(k->n, e->sh.n, TES_RSA_LEN);
	memcpy(k->e, e->sh.e, e->sh.e_len);
	k->elen = e->sh.e_len;
	/*= spec/PROTOCOL.md#handshake MUST-H3: a key that is not 2048-bit with an odd exponent >= 3 never
	 *  reaches the pin */
	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	out->event = TES_CLIENT_EV_SERVER_KEY;
	e->state = TES_CLIENT_ENG_WAIT_PIN;
	return 0;
}

/* KEY_EXCHANGE into out->frame: pms under the server key, the transcript signed by the unit. */
static int
kx_frame(struct tes_client_engine *e, const struct tes_rsa_priv *unit, const uint8_t pms[static TES_PMS_LEN],
	 struct tes_client_engine_out *out)
{
	struct tes_rsa_pub server = { .elen = e->sh.e_len };
	struct tes_key_exchange kx;
	uint8_t th[TES_HASH_LEN];
	int r;

	memcpy(server.n, e->sh.n, TES_RSA_LEN);
	memcpy(server.e, e->sh.e, e->sh.e_len);
	if ((r = tes_rsa_oaep_encrypt(&server, pms, TES_PMS_LEN, kx.oaep)) != 0)
		return r;
	tes_handshake_unit_auth_hash(e->ch_f, e->ch_n, e->sh_f, e->sh_n, kx.oaep, th);
	if ((r = tes_rsa_sign(unit, th, kx.sig)) != 0)
		return r;
	return tes_handshake_kx_frame(&kx, out->frame, &out->frame_len);
}

/* UNIT_AUTH into out->frame: the resumed transcript signed by the unit. */
static int
ua_frame(struct tes_client_engine *e, const struct tes_rsa_priv *unit, struct tes_client_engine_out *out)
{
	struct tes_unit_auth ua;
	uint8_t th[TES_HASH_LEN];
	int r;

	tes_handshake_resume_auth_hash(e->ch_f, e->ch_n, e->sh_f, e->sh_n, th);
	if ((r = tes_rsa_sign(unit, th, ua.sig)) != 0)
		return r;
	return tes_handshake_ua_frame(&ua, out->frame, &out->frame_len);
}

/* After the KEY_EXCHANGE in out: derive the keys, add our FINISHED, keep the server's expected one. */
static int
finish(struct tes_client_engine *e, const uint8_t pms[static TES_PMS_LEN], struct tes_client_engine_out *out)
{
	struct tes_session_keys k;
	uint8_t ecdh[TES_X25519_LEN], th[TES_HASH_LEN], fin[TES_FINISHED_LEN];
	const uint8_t *kx_f = out->frame, *cf_f = out->frame + out->frame_len;
	size_t kx_n = out->frame_len, cf_n = 0;
	int r;

	/*= spec/PROTOCOL.md#handshake MUST-H8: an all-zero shared secret ends the handshake */
	if ((r = tes_x25519_shared(ecdh, e->x_priv, e->sh.x25519)) != 0)
		goto out;
	tes_handshake_hash(e->ch_f, e->ch_n, e->sh_f, e->sh_n, kx_f, kx_n, NULL, 0, th);
	tes_keysched_derive(pms, ecdh, th, &k);
	tes_keysched_finished(k.c_fin, th, fin);
	if ((r = tes_frame_encode(out->frame + kx_n, sizeof out->frame - kx_n, TES_FRAME_FINISHED, fin,
				  sizeof fin, &cf_n)) != 0)
		goto out;
	tes_handshake_hash(e->ch_f, e->ch_n, e->sh_f, e->sh_n, kx_f, kx_n, cf_f, cf_n, th);
	tes_keysched_finished(k.s_fin, th, e->s_fin);
	tes_record_dir_init(&e->tx, e->suite, k.c2s_enc, k.c2s_mac);
	tes_record_dir_init(&e->rx, e->suite, k.s2c_enc, k.s2c_mac);
	out->frame_len = kx_n + cf_n;
	e->state = TES_CLIENT_ENG_WAIT_FIN;
out:
	TES_WIPE_CTX(&k);
	TES_WIPE_BUF(ecdh);
	return r;
}

/* Server FINISHED: the handshake is done. */
static int
on_fin(struct tes_client_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
       struct tes_client_engine_out *out)
{
	struct tes_finished sf;
	int r;

	(void)f;
	(void)flen;
	if ((r = tes_msg_finished_decode(p, n, &sf)) != 0)
		return r;
	/*= spec/PROTOCOL.md#handshake MUST-H7: server Finished proves the server holds the pinned key */
	if (tes_ct_eq(e->s_fin, sf.mac, TES_FINISHED_LEN) != 0)
		return TES_ERR_MAC;
	TES_WIPE_BUF(e->s_fin);
	if (e->resumed) {
		/*= spec/PROTOCOL.md#resumption MUST-RS3: a resumed session starts with the server's SESSION */
		e->state = TES_CLIENT_ENG_WAIT_SESSION;
		return 0;
	}
	out->event = TES_CLIENT_EV_ESTABLISHED;
	e->state = TES_CLIENT_ENG_READY;
	return 0;
}

/* What a state waiting for a record does with its plaintext (pn bytes, wiped by the caller). */
typedef int (*inner_fn)(struct tes_client_engine *e, const uint8_t *plain, size_t pn,
			struct tes_client_engine_out *out);

/* SESSION after an accepted login or a resumed handshake: timeouts, key bounds, a ticket. */
static int
take_session(struct tes_client_engine *e, const uint8_t *plain, size_t pn, struct tes_client_engine_out *out)
{
	int r;

	if ((r = tes_msg_session_decode(plain, pn, &out->session)) != 0)
		return r;
	out->has_session = 1;
	if (e->resumed) {
		out->event = TES_CLIENT_EV_RESUMED;
	} else {
		out->event = TES_CLIENT_EV_LOGIN;
		out->login_result = TES_LOGIN_ACCEPTED;
	}
	e->state = TES_CLIENT_ENG_READY;
	return 0;
}

/* The server's answer to a heartbeat. */
static int
take_heartbeat(struct tes_client_engine *e, const uint8_t *plain, size_t pn,
	       struct tes_client_engine_out *out)
{
	int r;

	if ((r = tes_msg_heartbeat_decode(plain, pn)) != 0)
		return r;
	out->event = TES_CLIENT_EV_HEARTBEAT;
	e->state = TES_CLIENT_ENG_READY;
	return 0;
}

static int
take_login_result(struct tes_client_engine *e, const uint8_t *plain, size_t pn,
		  struct tes_client_engine_out *out)
{
	uint8_t ok = 0;
	int r;

	if ((r = tes_msg_login_result_decode(plain, pn, &ok)) != 0)
		return r;
	if (ok == TES_LOGIN_ACCEPTED && e->want_session) {
		/* the event waits for the SESSION record that follows */
		e->state = TES_CLIENT_ENG_WAIT_SESSION;
		return 0;
	}
	out->event = TES_CLIENT_EV_LOGIN;
	out->login_result = ok;
	e->state = TES_CLIENT_ENG_READY;
	return 0;
}

static int
take_receipt(struct tes_client_engine *e, const uint8_t *plain, size_t pn, struct tes_client_engine_out *out)
{
	struct tes_receipt rc;
	int r;

	if ((r = tes_msg_receipt_decode(plain, pn, &rc)) != 0)
		return r;
	/* a receipt for another report acknowledges nothing we sent */
	if (memcmp(rc.id, e->report_id, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_FORMAT;
	out->receipt = rc;
	out->event = TES_CLIENT_EV_RECEIPT;
	e->state = TES_CLIENT_ENG_READY;
	return 0;
}

/* The record each waiting state takes (the states of the table below whose handler is on_record). */
static const inner_fn inner_of[] = {
	[TES_CLIENT_ENG_WAIT_LOGIN] = take_login_result,
	[TES_CLIENT_ENG_WAIT_RECEIPT] = take_receipt,
	[TES_CLIENT_ENG_WAIT_SESSION] = take_session,
	[TES_CLIENT_ENG_WAIT_HEARTBEAT] = take_heartbeat,
};

/* A RECORD: authenticated and decrypted, its plaintext to the state's taker, then wiped. */
static int
on_record(struct tes_client_engine *e, const uint8_t *f, size_t flen, const uint8_t *p, size_t n,
	  struct tes_client_engine_out *out)
{
	uint8_t plain[TES_RECORD_MAX_PLAIN];
	size_t pn = 0;
	int r;

	(void)flen;
	if (e->state >= sizeof inner_of / sizeof inner_of[0] || inner_of[e->state] == NULL)
		return TES_ERR_STATE;
	if ((r = tes_record_open(&e->rx, f, p, n, plain, sizeof plain, &pn)) == 0)
		r = inner_of[e->state](e, plain, pn, out);
	tes_wipe(plain, sizeof plain);
	return r;
}

/*
 * The state table: the one frame type each state accepts and its handler
 * (TES_FRAME_INVALID: none, the engine waits for the caller), and which of
 * the caller's steps it allows.
 */
static const struct {
	uint8_t frame_type;
	frame_fn on_frame;
	uint8_t calls;
} states[] = {
	[TES_CLIENT_ENG_WAIT_SH] = { TES_FRAME_SERVER_HELLO, on_server_hello, 0 },
	[TES_CLIENT_ENG_WAIT_PIN] = { TES_FRAME_INVALID, NULL, CALL_PIN },
	[TES_CLIENT_ENG_WAIT_FIN] = { TES_FRAME_FINISHED, on_fin, 0 },
	[TES_CLIENT_ENG_READY] = { TES_FRAME_INVALID, NULL, CALL_REQUEST | CALL_BYE },
	[TES_CLIENT_ENG_WAIT_LOGIN] = { TES_FRAME_RECORD, on_record, CALL_BYE },
	[TES_CLIENT_ENG_WAIT_RECEIPT] = { TES_FRAME_RECORD, on_record, CALL_BYE },
	[TES_CLIENT_ENG_WAIT_SESSION] = { TES_FRAME_RECORD, on_record, CALL_BYE },
	[TES_CLIENT_ENG_WAIT_HEARTBEAT] = { TES_FRAME_RECORD, on_record, CALL_BYE },
};

static int
allows(const struct tes_client_engine *e, uint8_t call)
{
	return e->state < sizeof states / sizeof states[0] && (states[e->state].calls & call) != 0;
}

static void
out_reset(struct tes_client_engine_out *out)
{
	out->frame_len = 0;
	out->event = TES_CLIENT_EV_NONE;
	out->login_result = TES_LOGIN_REFUSED;
	out->alert = 0;
	if (out->has_session)
		TES_WIPE_CTX(&out->session);
	out->has_session = 0;
}

/* Sticky failure: drop every secret, send nothing more. */
static int
fail(struct tes_client_engine *e, struct tes_client_engine_out *out, int r)
{
	if (r != 0) {
		tes_client_engine_wipe(e);
		out->frame_len = 0;
	}
	return r;
}

/* Seal one record into out and move to state next. */
static int
seal(struct tes_client_engine *e, const uint8_t *plain, size_t n, uint8_t next,
     struct tes_client_engine_out *out)
{
	int r;

	if ((r = tes_record_seal(&e->tx, plain, n, out->frame, sizeof out->frame, &out->frame_len)) == 0)
		e->state = next;
	return r;
}

/* see client_engine.h */
int
tes_client_engine_init(struct tes_client_engine *e, uint8_t suite,
		       const uint8_t unit_key[static TES_KEYID_LEN], struct tes_client_engine_out *out)
{
	int r;

	memset(e, 0, sizeof *e);
	out_reset(out);
	e->suite = suite;
	e->rx.failed = 1;
	e->tx.failed = 1;
	e->ch.suite = suite;
	/*= spec/PROTOCOL.md#handshake MUST-H1: a fresh random and X25519 key pair per connection */
	tes_rng_bytes(e->ch.random, TES_RANDOM_LEN);
	memcpy(e->ch.unit_key, unit_key, TES_KEYID_LEN);
	if ((r = tes_x25519_keygen(e->x_priv, e->ch.x25519)) != 0 ||
	    (r = tes_handshake_ch_frame(&e->ch, out->frame, &out->frame_len)) != 0 ||
	    (r = keep_frame(e->ch_f, sizeof e->ch_f, &e->ch_n, out->frame, out->frame_len)) != 0)
		return fail(e, out, r);
	e->state = TES_CLIENT_ENG_WAIT_SH;
	return 0;
}

/* see client_engine.h */
int
tes_client_engine_init_resume(struct tes_client_engine *e, uint8_t suite,
			      const uint8_t unit_key[static TES_KEYID_LEN], const uint8_t *ticket,
			      size_t ticket_len, const uint8_t res_secret[static TES_HASH_LEN],
			      struct tes_client_engine_out *out)
{
	struct tes_resume_hello rh;
	int r;

	memset(e, 0, sizeof *e);
	memset(&rh, 0, sizeof rh);
	out_reset(out);
	e->suite = suite;
	e->rx.failed = 1;
	e->tx.failed = 1;
	if (ticket_len < 1 || ticket_len > TES_TICKET_MAX)
		return fail(e, out, TES_ERR_ARG);
	e->resumed = 1;
	e->ch.suite = suite;
	/*= spec/PROTOCOL.md#handshake MUST-H1: a fresh random and X25519 key pair, resumed or not */
	tes_rng_bytes(e->ch.random, TES_RANDOM_LEN);
	memcpy(e->ch.unit_key, unit_key, TES_KEYID_LEN);
	memcpy(e->res_secret, res_secret, TES_HASH_LEN);
	if ((r = tes_x25519_keygen(e->x_priv, e->ch.x25519)) != 0)
		return fail(e, out, r);
	rh.ch = e->ch;
	rh.ticket_len = (uint16_t)ticket_len;
	memcpy(rh.ticket, ticket, ticket_len);
	if ((r = tes_handshake_rh_frame(&rh, out->frame, &out->frame_len)) != 0 ||
	    (r = keep_frame(e->ch_f, sizeof e->ch_f, &e->ch_n, out->frame, out->frame_len)) != 0)
		return fail(e, out, r);
	e->state = TES_CLIENT_ENG_WAIT_SH;
	return 0;
}

/* see client_engine.h */
int
tes_client_engine_heartbeat(struct tes_client_engine *e, struct tes_client_engine_out *out)
{
	static const uint8_t hb = TES_INNER_HEARTBEAT;

	out_reset(out);
	if (!allows(e, CALL_REQUEST))
		return fail(e, out, TES_ERR_STATE);
	return fail(e, out, seal(e, &hb, 1, TES_CLIENT_ENG_WAIT_HEARTBEAT, out));
}

/* see client_engine.h */
int
tes_client_engine_frame(struct tes_client_engine *e, const uint8_t *frame, size_t len,
			struct tes_client_engine_out *out)
{
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t used;
	int r;

	out_reset(out);
	/* READY waits for nothing, but the server may end the session there: an ALERT is read */
	if (e->state >= sizeof states / sizeof states[0] ||
	    (states[e->state].on_frame == NULL && e->state != TES_CLIENT_ENG_READY))
		return fail(e, out, TES_ERR_STATE);
	if ((r = tes_frame_decode(frame, len, &h, &p, &used)) != 0)
		return fail(e, out, r);
	if (used != len)
		return fail(e, out, TES_ERR_FORMAT);
	/*= spec/PROTOCOL.md#alerts MUST-A2: a receiver of an ALERT closes the connection */
	if (h.type == TES_FRAME_ALERT) {
		out->event = TES_CLIENT_EV_ALERT;
		if (tes_msg_alert_decode(p, h.length, &out->alert) != 0)
			out->alert = TES_ALERT_PROTOCOL;
		return fail(e, out, TES_ERR_PEER);
	}
	if (states[e->state].on_frame == NULL)
		return fail(e, out, TES_ERR_STATE);
	if (h.type != states[e->state].frame_type)
		return fail(e, out, TES_ERR_TYPE);
	return fail(e, out, states[e->state].on_frame(e, frame, len, p, h.length, out));
}

/* see client_engine.h */
int
tes_client_engine_pin(struct tes_client_engine *e, int verdict, const struct tes_rsa_priv *unit,
		      struct tes_client_engine_out *out)
{
	uint8_t pms[TES_PMS_LEN];
	int r;

	out_reset(out);
	if (!allows(e, CALL_PIN))
		return fail(e, out, TES_ERR_STATE);
	/*= spec/PROTOCOL.md#handshake MUST-H3: the client checks the pinned fingerprint before sending any secret */
	if (verdict != 0)
		return fail(e, out, verdict < 0 ? verdict : TES_ERR_PIN);
	if (e->resumed) {
		/*= spec/PROTOCOL.md#resumption MUST-RS2: the unit signs the resumed transcript; the
		 *  resumption secret takes the place of the transported one */
		if ((r = ua_frame(e, unit, out)) == 0)
			r = finish(e, e->res_secret, out);
		TES_WIPE_BUF(e->res_secret);
		TES_WIPE_BUF(e->x_priv);
		return fail(e, out, r);
	}
	tes_rng_bytes(pms, TES_PMS_LEN);
	if ((r = kx_frame(e, unit, pms, out)) == 0)
		r = finish(e, pms, out);
	TES_WIPE_BUF(pms);
	TES_WIPE_BUF(e->x_priv);
	return fail(e, out, r);
}

/* see client_engine.h */
int
tes_client_engine_login(struct tes_client_engine *e, const struct tes_login *l,
			struct tes_client_engine_out *out)
{
	uint8_t plain[TES_RECORD_MAX_PLAIN];
	size_t n = 0;
	int r;

	out_reset(out);
	if (!allows(e, CALL_REQUEST))
		return fail(e, out, TES_ERR_STATE);
	/* a name or password above its limit is the caller's error: nothing goes out, the session goes on */
	if ((r = tes_msg_login_encode(l, plain, sizeof plain, &n)) == 0) {
		e->want_session = (l->features & TES_LOGIN_FEAT_SESSION) != 0;
		r = fail(e, out, seal(e, plain, n, TES_CLIENT_ENG_WAIT_LOGIN, out));
	}
	tes_wipe(plain, sizeof plain);
	return r;
}

/* see client_engine.h */
int
tes_client_engine_report(struct tes_client_engine *e, const struct tes_report *r,
			 const uint8_t sig[static TES_RSA_LEN], struct tes_client_engine_out *out)
{
	uint8_t plain[TES_RECORD_MAX_PLAIN];
	size_t n = 0;
	int res;

	out_reset(out);
	if (!allows(e, CALL_REQUEST))
		return fail(e, out, TES_ERR_STATE);
	if ((res = tes_msg_report_rec_encode(r, sig, plain, sizeof plain, &n)) != 0)
		return res;
	memcpy(e->report_id, r->id, TES_REPORT_ID_LEN);
	return fail(e, out, seal(e, plain, n, TES_CLIENT_ENG_WAIT_RECEIPT, out));
}

/* see client_engine.h */
int
tes_client_engine_report_sign(struct tes_client_engine *e, const struct tes_report *r,
			      const struct tes_rsa_priv *unit, struct tes_client_engine_out *out)
{
	uint8_t h[TES_HASH_LEN], sig[TES_RSA_LEN];
	int res;

	out_reset(out);
	if (!allows(e, CALL_REQUEST))
		return fail(e, out, TES_ERR_STATE);
	if ((res = tes_digest_report(r, h)) != 0 || (res = tes_rsa_sign(unit, h, sig)) != 0)
		return res;
	return tes_client_engine_report(e, r, sig, out);
}

/* see client_engine.h */
int
tes_client_engine_bye(struct tes_client_engine *e, struct tes_client_engine_out *out)
{
	static const uint8_t bye = TES_INNER_BYE;
	int r;

	out_reset(out);
	if (!allows(e, CALL_BYE))
		return fail(e, out, TES_ERR_STATE);
	if ((r = seal(e, &bye, 1, TES_CLIENT_ENG_DONE, out)) != 0)
		return fail(e, out, r);
	/* nothing can follow a BYE: the keys go now */
	tes_record_dir_wipe(&e->tx);
	tes_record_dir_wipe(&e->rx);
	return 0;
}

/* see client_engine.h */
int
tes_client_engine_ready(const struct tes_client_engine *e)
{
	return allows(e, CALL_REQUEST);
}

/* see client_engine.h */
void
tes_client_engine_wipe(struct tes_client_engine *e)
{
	tes_record_dir_wipe(&e->rx);
	tes_record_dir_wipe(&e->tx);
	TES_WIPE_CTX(e);
	e->state = TES_CLIENT_ENG_FAILED;
	e->rx.failed = 1;
	e->tx.failed = 1;
}
