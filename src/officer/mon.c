/* SPDX-License-Identifier: ISC */
#include "officer/mon.h"
#include "common/cur.h"
#include "common/err.h"
#include "wire/field.h"

/*
 * The state table: which child->master request is allowed in which state,
 * and whether it may be used only once per connection; the columns of
 * TES_MON_DISPATCH but the handler. spec/PROTOCOL.md#monitor MUST-M2..M4.
 */
#define PERMIT_ROW(type, states, once, handler) { type, states, once },
static const struct {
	uint8_t type;
	uint8_t states;
	uint8_t once;
} permits[] = { TES_MON_DISPATCH(PERMIT_ROW) };
#undef PERMIT_ROW

/* see mon.h */
int
tes_mon_permit(uint8_t state, uint8_t type, uint32_t used)
{
	size_t i;

	/*@ loop invariant 0 <= i <= 6;
	    loop invariant \forall integer j; 0 <= j < i ==> permits[j].type != type;
	    loop assigns i;
	    loop variant 6 - i; */
	for (i = 0; i < sizeof permits / sizeof permits[0]; i++) {
		if (permits[i].type != type)
			continue;
		/* which row matched: lets the provers unfold the table */
		/*@ assert (i == 0 && type == TES_MON_HANDSHAKE) || (i == 1 && type == TES_MON_LOGIN) ||
		           (i == 2 && type == TES_MON_REPORT) || (i == 3 && type == TES_MON_LOG) ||
		           (i == 4 && type == TES_MON_RESUME) || (i == 5 && type == TES_MON_HEARTBEAT); */
		/*@ assert permits[i].states == (i == 0 ? TES_MS_HANDSHAKE : i == 1 ? TES_MS_UNIT :
		                                 i == 2 ? TES_MS_USER : i == 3 ? 7 :
		                                 i == 4 ? TES_MS_HANDSHAKE : TES_MS_USER); */
		/*@ assert permits[i].once == (i == 0 || i == 4 ? 1 : 0); */
		if ((permits[i].states & state) == 0)
			return TES_ERR_STATE;
		/* bit `type` of used; a right shift cannot overflow */
		if (permits[i].once && type < 32 && ((used >> type) & 1u) != 0)
			return TES_ERR_STATE;
		return 0;
	}
	return TES_ERR_STATE;
}

/* The key bounds of INIT: 1 .. the protocol's (spec/PROTOCOL.md#rekey). */
/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> (1 <= records <= TES_REKEY_RECORDS && 1 <= bytes <= TES_REKEY_BYTES);
 */
static int
rekey_ok(uint32_t records, uint32_t bytes)
{
	return records >= 1 && records <= TES_REKEY_RECORDS && bytes >= 1 && bytes <= TES_REKEY_BYTES;
}

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> (\forall integer k; 0 <= k < n ==> p[k] == 0);
 */
static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> p[k] == 0;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*@ requires cur_wr(c) && \valid_read(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_init(struct tes_cur *c, const struct tes_mon_init *m)
{
	int r;

	if (m->e_len < 1 || m->e_len > TES_RSA_E_MAX || !rekey_ok(m->rekey_records, m->rekey_bytes))
		return TES_ERR_ARG;
	if ((r = tes_cur_put_bytes(c, m->server_random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->n, TES_RSA_LEN)) != 0 || (r = tes_cur_put_u8(c, m->e_len)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->e, m->e_len)) != 0 || (r = tes_cur_put_u8(c, m->allow_des)) != 0 ||
	    (r = tes_cur_put_u32be(c, m->idle_timeout)) != 0 ||
	    (r = tes_cur_put_u32be(c, m->rekey_records)) != 0)
		return r;
	return tes_cur_put_u32be(c, m->rekey_bytes);
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> mon_init_ok(m);
 */
static int
dec_init(struct tes_cur *c, struct tes_mon_init *m)
{
	int r;

	if ((r = tes_cur_get_bytes(c, m->server_random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->n, TES_RSA_LEN)) != 0 || (r = tes_cur_get_u8(c, &m->e_len)) != 0)
		return r;
	if (m->e_len < 1 || m->e_len > TES_RSA_E_MAX)
		return TES_ERR_FORMAT;
	if ((r = tes_cur_get_bytes(c, m->e, m->e_len)) != 0 || (r = tes_cur_get_u8(c, &m->allow_des)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->idle_timeout)) != 0)
		return r;
	if (m->allow_des > 1)
		return TES_ERR_FORMAT;
	/*@ assert 1 <= m->e_len <= TES_RSA_E_MAX && m->allow_des <= 1; */
	if ((r = tes_cur_get_u32be(c, &m->rekey_records)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->rekey_bytes)) != 0)
		return r;
	/*@ assert 1 <= m->e_len <= TES_RSA_E_MAX && m->allow_des <= 1; */
	if (!rekey_ok(m->rekey_records, m->rekey_bytes))
		return TES_ERR_FORMAT;
	/*@ assert 1 <= m->rekey_records <= TES_REKEY_RECORDS && 1 <= m->rekey_bytes <= TES_REKEY_BYTES; */
	return 0;
}

/*
 * The wire records a message carries (the client hello of HANDSHAKE and RESUME, the
 * inner LOGIN, REPORT and receipt records) go in with a u16 length prefix.
 * They are encoded straight into the message, never into a stack copy, so
 * no password outlives the output buffer the caller wipes.
 */
/*@ requires cur_wr(c) && \valid_read(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_sized(struct tes_cur *c, const struct tes_mon_msg *m)
{
	uint8_t *out;
	size_t cap, n = 0;
	int r;

	if (c->len - c->off < 2)
		return TES_ERR_SPACE;
	out = c->buf + c->off + 2;
	cap = c->len - c->off - 2;
	if (m->type == TES_MON_HANDSHAKE) {
		r = tes_msg_client_hello_encode(&m->u.hs.ch, out, cap, &n);
	} else if (m->type == TES_MON_RESUME) {
		r = tes_msg_client_hello_encode(&m->u.res.rh.ch, out, cap, &n);
	} else if (m->type == TES_MON_LOGIN) {
		r = tes_msg_login_encode(&m->u.login, out, cap, &n);
	} else if (m->type == TES_MON_REPORT) {
		r = tes_msg_report_rec_encode(&m->u.rep.r, m->u.rep.sig, out, cap, &n);
	} else {
		r = tes_msg_receipt_encode(&m->u.rcpt, out, cap, &n);
	}
	if (r != 0)
		return r;
	if (n > 65535)
		return TES_ERR_SPACE;
	tes_cur_enc16be(c->buf + c->off, (uint16_t)n);
	c->off += 2 + n;
	return 0;
}

/*@ requires cur_wr(c) && \valid_read(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_hs(struct tes_cur *c, const struct tes_mon_msg *m)
{
	int r;

	if ((r = enc_sized(c, m)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->u.hs.server_x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_put_u8(c, m->u.hs.suite)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->u.hs.kx.oaep, TES_RSA_LEN)) != 0)
		return r;
	return tes_cur_put_bytes(c, m->u.hs.kx.sig, TES_RSA_LEN);
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> mon_hs_ok(m);
 */
static int
dec_hs(struct tes_cur *c, struct tes_mon_handshake *m)
{
	const uint8_t *v;
	uint16_t n;
	int r;

	if ((r = tes_cur_get_u16be(c, &n)) != 0 || (r = tes_cur_get_view(c, &v, n)) != 0 ||
	    (r = tes_msg_client_hello_decode(v, n, &m->ch)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->server_x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_get_u8(c, &m->suite)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->kx.oaep, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->kx.sig, TES_RSA_LEN)) != 0)
		return r;
	if (m->suite != m->ch.suite)
		return TES_ERR_FORMAT;
	return 0;
}

/*
 * RESUME: the RESUME_HELLO payload (the client hello as in HANDSHAKE, with its
 * u16 length, then u16 ticket_len and the ticket), server_x25519, suite, the
 * unit's signature.
 */
/*@ requires cur_wr(c) && \valid_read(m) && m->type == TES_MON_RESUME;
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_resume(struct tes_cur *c, const struct tes_mon_msg *m)
{
	const struct tes_mon_resume *res = &m->u.res;
	int r;

	if (res->rh.ticket_len < 1 || res->rh.ticket_len > TES_TICKET_MAX)
		return TES_ERR_ARG;
	if ((r = enc_sized(c, m)) != 0 || (r = tes_cur_put_u16be(c, res->rh.ticket_len)) != 0 ||
	    (r = tes_cur_put_bytes(c, res->rh.ticket, res->rh.ticket_len)) != 0 ||
	    (r = tes_cur_put_bytes(c, res->server_x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_put_u8(c, res->suite)) != 0)
		return r;
	return tes_cur_put_bytes(c, res->ua.sig, TES_RSA_LEN);
}

/* The RESUME_HELLO part of RESUME: the client hello and the ticket. */
/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> suite_valid(m->ch.suite) && 1 <= m->ticket_len <= TES_TICKET_MAX;
    ensures \result == 0 ==> \forall integer k; m->ticket_len <= k < TES_TICKET_MAX ==> m->ticket[k] == 0;
 */
static int
dec_resume_hello(struct tes_cur *c, struct tes_resume_hello *m)
{
	const uint8_t *v;
	uint16_t n;
	int r;

	if ((r = tes_cur_get_u16be(c, &n)) != 0 || (r = tes_cur_get_view(c, &v, n)) != 0 ||
	    (r = tes_msg_client_hello_decode(v, n, &m->ch)) != 0 ||
	    (r = tes_cur_get_u16be(c, &m->ticket_len)) != 0)
		return r;
	if (m->ticket_len < 1 || m->ticket_len > TES_TICKET_MAX)
		return TES_ERR_FORMAT;
	/* the ticket bytes past ticket_len are not on the wire */
	tes_cur_zero(m->ticket, TES_TICKET_MAX);
	return tes_cur_get_bytes(c, m->ticket, m->ticket_len);
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> mon_resume_ok(m);
 */
static int
dec_resume(struct tes_cur *c, struct tes_mon_resume *m)
{
	int r;

	if ((r = dec_resume_hello(c, &m->rh)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->server_x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_get_u8(c, &m->suite)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->ua.sig, TES_RSA_LEN)) != 0)
		return r;
	if (m->suite != m->rh.ch.suite)
		return TES_ERR_FORMAT;
	return 0;
}

/* The SESSION fields of HANDSHAKE_ANS and LOGIN_ANS, ticket bytes past ticket_len aside. */
/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> mon_session_ok(m);
 */
static int
session_ok(const struct tes_mon_status *m)
{
	if (m->ticket_len > TES_TICKET_MAX || (m->ticket_len == 0) != (m->ticket_lifetime == 0) ||
	    m->ticket_lifetime > TES_TICKET_LIFETIME)
		return 0;
	/* a refusal carries none of them */
	if (m->status != 0)
		return m->lifetime == 0 && m->ticket_len == 0 && all_zero(m->res_secret, TES_HASH_LEN);
	return 1;
}

/*
 * HANDSHAKE_ANS and LOGIN_ANS: status, pms (HANDSHAKE_ANS only), then the
 * SESSION fields: u32 lifetime, u32 ticket_lifetime, res_secret, u16
 * ticket_len, ticket.
 */
/*@ requires cur_wr(c) && \valid_read(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_status(struct tes_cur *c, const struct tes_mon_status *m, int with_pms)
{
	int r;

	if (m->status > (with_pms ? 1 : 2) || !session_ok(m))
		return TES_ERR_ARG;
	if ((r = tes_cur_put_u8(c, m->status)) != 0)
		return r;
	if (with_pms && (r = tes_cur_put_bytes(c, m->pms, TES_PMS_LEN)) != 0)
		return r;
	if ((r = tes_cur_put_u32be(c, m->lifetime)) != 0 ||
	    (r = tes_cur_put_u32be(c, m->ticket_lifetime)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->res_secret, TES_HASH_LEN)) != 0 ||
	    (r = tes_cur_put_u16be(c, m->ticket_len)) != 0)
		return r;
	return tes_cur_put_bytes(c, m->ticket, m->ticket_len);
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> mon_status_ok(m, 2);
    ensures \result == 0 && with_pms != 0 ==> m->status <= 1;
 */
static int
dec_status(struct tes_cur *c, struct tes_mon_status *m, int with_pms)
{
	int r;

	/* the ticket bytes past ticket_len are not on the wire */
	tes_cur_zero(m->ticket, TES_TICKET_MAX);
	if ((r = tes_cur_get_u8(c, &m->status)) != 0)
		return r;
	/* HANDSHAKE_ANS: 0 ok, 1 refused; LOGIN_ANS adds 2, try again (spec/PROTOCOL.md#login) */
	if (m->status > (with_pms ? 1 : 2))
		return TES_ERR_FORMAT;
	/*@ assert m->status <= 2 && (with_pms != 0 ==> m->status <= 1); */
	if (with_pms && (r = tes_cur_get_bytes(c, m->pms, TES_PMS_LEN)) != 0)
		return r;
	if ((r = tes_cur_get_u32be(c, &m->lifetime)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->ticket_lifetime)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->res_secret, TES_HASH_LEN)) != 0 ||
	    (r = tes_cur_get_u16be(c, &m->ticket_len)) != 0)
		return r;
	if (m->ticket_len > TES_TICKET_MAX)
		return TES_ERR_FORMAT;
	/*@ assert \forall integer k; 0 <= k < TES_TICKET_MAX ==> m->ticket[k] == 0; */
	if ((r = tes_cur_get_bytes(c, m->ticket, m->ticket_len)) != 0)
		return r;
	/*@ assert \forall integer k; m->ticket_len <= k < TES_TICKET_MAX ==> m->ticket[k] == 0; */
	/*@ assert m->status <= 2 && (with_pms != 0 ==> m->status <= 1); */
	if (!session_ok(m))
		return TES_ERR_FORMAT;
	/*@ assert mon_session_ok(m); */
	return 0;
}

/* LOGIN, REPORT and REPORT_ANS carry one inner record of the wire protocol. */
/*@ requires cur_rd(c) && \valid(m);
    requires m->type == TES_MON_LOGIN || m->type == TES_MON_REPORT ||
             m->type == TES_MON_REPORT_ANS;
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, m->u;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 && m->type == TES_MON_LOGIN ==> login_ok(&m->u.login);
    ensures \result == 0 && m->type == TES_MON_REPORT ==> report_ok(&m->u.rep.r);
    ensures \result == 0 && m->type == TES_MON_REPORT_ANS ==> receipt_ok(&m->u.rcpt);
 */
static int
dec_inner(struct tes_cur *c, struct tes_mon_msg *m)
{
	const uint8_t *v;
	uint16_t n;
	int r;

	if ((r = tes_cur_get_u16be(c, &n)) != 0 || (r = tes_cur_get_view(c, &v, n)) != 0)
		return r;
	if (m->type == TES_MON_LOGIN)
		return tes_msg_login_decode(v, n, &m->u.login);
	if (m->type == TES_MON_REPORT) {
		r = tes_msg_report_rec_decode(v, n, &m->u.rep.r, m->u.rep.sig);
		/*@ assert r == 0 ==> report_ok(&m->u.rep.r); */
		return r;
	}
	return tes_msg_receipt_decode(v, n, &m->u.rcpt);
}

/*@ requires cur_wr(c) && \valid_read(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_log(struct tes_cur *c, const struct tes_mon_log *m)
{
	int r;

	if (m->level > 2 || m->len > TES_MON_LOG_MAX)
		return TES_ERR_ARG;
	if ((r = tes_cur_put_u8(c, m->level)) != 0)
		return r;
	return tes_cur_put_str8(c, m->text, m->len);
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> mon_log_ok(m);
 */
static int
dec_log(struct tes_cur *c, struct tes_mon_log *m)
{
	size_t i;
	int r;

	if ((r = tes_cur_get_u8(c, &m->level)) != 0 ||
	    (r = tes_cur_get_str8(c, TES_MON_LOG_MAX, &m->len, m->text)) != 0)
		return r;
	if (m->level > 2)
		return TES_ERR_FORMAT;
	/*@ loop invariant 0 <= i <= m->len;
	    loop invariant \forall integer k; 0 <= k < i ==> 0x20 <= m->text[k] <= 0x7e;
	    loop assigns i;
	    loop variant m->len - i; */
	for (i = 0; i < m->len; i++)
		if (m->text[i] < 0x20 || m->text[i] > 0x7e)
			return TES_ERR_FORMAT;
	return 0;
}

/*@ requires cur_wr(c) && \valid_read(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
 */
static int
enc_body(struct tes_cur *c, const struct tes_mon_msg *m)
{
	switch (m->type) {
	case TES_MON_INIT:
		return enc_init(c, &m->u.init);
	case TES_MON_HANDSHAKE:
		return enc_hs(c, m);
	case TES_MON_HANDSHAKE_ANS:
		return enc_status(c, &m->u.st, 1);
	case TES_MON_LOGIN_ANS:
		return enc_status(c, &m->u.st, 0);
	case TES_MON_LOGIN:
	case TES_MON_REPORT:
	case TES_MON_REPORT_ANS:
		return enc_sized(c, m);
	case TES_MON_LOG:
		return enc_log(c, &m->u.log);
	case TES_MON_RESUME:
		return enc_resume(c, m);
	case TES_MON_HEARTBEAT:
		return 0; /* no fields */
	default:
		return TES_ERR_TYPE;
	}
}

/*@ requires cur_rd(c) && \valid(m) && 1 <= m->type <= TES_MON_TYPE_MAX;
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures m->type == \old(m->type);
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 && m->type == TES_MON_INIT ==> mon_init_ok(&m->u.init);
    ensures \result == 0 && m->type == TES_MON_HANDSHAKE ==> mon_hs_ok(&m->u.hs);
    ensures \result == 0 && m->type == TES_MON_HANDSHAKE_ANS ==> mon_status_ok(&m->u.st, 1);
    ensures \result == 0 && m->type == TES_MON_LOGIN_ANS ==> mon_status_ok(&m->u.st, 2);
    ensures \result == 0 && m->type == TES_MON_LOGIN ==> login_ok(&m->u.login);
    ensures \result == 0 && m->type == TES_MON_REPORT ==> report_ok(&m->u.rep.r);
    ensures \result == 0 && m->type == TES_MON_REPORT_ANS ==> receipt_ok(&m->u.rcpt);
    ensures \result == 0 && m->type == TES_MON_LOG ==> mon_log_ok(&m->u.log);
    ensures \result == 0 && m->type == TES_MON_RESUME ==> mon_resume_ok(&m->u.res);
 */
static int
dec_body(struct tes_cur *c, struct tes_mon_msg *m)
{
	switch (m->type) {
	case TES_MON_INIT:
		return dec_init(c, &m->u.init);
	case TES_MON_HANDSHAKE:
		return dec_hs(c, &m->u.hs);
	case TES_MON_HANDSHAKE_ANS:
		return dec_status(c, &m->u.st, 1);
	case TES_MON_LOGIN_ANS:
		return dec_status(c, &m->u.st, 0);
	case TES_MON_LOGIN:
	case TES_MON_REPORT:
	case TES_MON_REPORT_ANS:
		return dec_inner(c, m);
	case TES_MON_LOG:
		return dec_log(c, &m->u.log);
	case TES_MON_RESUME:
		return dec_resume(c, &m->u.res);
	case TES_MON_HEARTBEAT:
		return 0; /* no fields */
	default:
		return TES_ERR_TYPE;
	}
}

/*
 * Every byte from the cursor to the end is zero.
 * spec/PROTOCOL.md#monitor MUST-M1 (zero padding).
 */
/*@ requires cur_rd(c);
    terminates \true;
    assigns c->off;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 <==> (\forall integer k; \old(c->off) <= k < c->len ==> c->buf[k] == 0);
 */
static int
zero_tail(struct tes_cur *c)
{
	/*@ loop invariant \at(c->off, Pre) <= c->off <= c->len;
	    loop invariant \forall integer k; \at(c->off, Pre) <= k < c->off ==> c->buf[k] == 0;
	    loop assigns c->off;
	    loop variant c->len - c->off; */
	while (c->off < c->len) {
		if (c->buf[c->off] != 0)
			return TES_ERR_FORMAT;
		c->off++;
	}
	return 0;
}

/* see mon.h */
int
tes_mon_encode(const struct tes_mon_msg *m, uint8_t out[static TES_MON_MSG_LEN])
{
	struct tes_cur c;
	int r;

	tes_cur_zero(out, TES_MON_MSG_LEN);
	/* the body after the type byte, which goes in last */
	tes_cur_init_wr(&c, out + 1, TES_MON_MSG_LEN - 1);
	if ((r = enc_body(&c, m)) != 0) {
		tes_cur_zero(out, TES_MON_MSG_LEN);
		return r;
	}
	out[0] = m->type;
	return 0;
}

/* see mon.h */
int
tes_mon_decode(const uint8_t *buf, size_t n, struct tes_mon_msg *m)
{
	struct tes_cur c;
	int r;

	/*= spec/PROTOCOL.md#monitor MUST-M1: one fixed size, known type, zero padding */
	if (n != TES_MON_MSG_LEN)
		return TES_ERR_FORMAT;
	tes_cur_init_rd(&c, buf, n);
	if ((r = tes_cur_get_u8(&c, &m->type)) != 0)
		return r;
	if (m->type < 1 || m->type > TES_MON_TYPE_MAX)
		return TES_ERR_TYPE;
	if ((r = dec_body(&c, m)) != 0)
		return r;
	return zero_tail(&c);
}
