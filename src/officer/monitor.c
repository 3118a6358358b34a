/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/cur.h"
#include "common/err.h"
#include "officer/monitor.h"
#include "wire/validate.h"

/*
 * The state table: which child->master request is allowed in which state,
 * and whether it may be used only once per connection.
 * spec/PROTOCOL.md#monitor MUST-M2..M4.
 */
static const struct {
	uint8_t type;
	uint8_t states;
	uint8_t once;
} permits[] = {
	{ TES_MON_HANDSHAKE, TES_MS_HANDSHAKE, 1 },
	{ TES_MON_LOGIN, TES_MS_UNIT, 0 },
	{ TES_MON_REPORT, TES_MS_USER, 0 },
	{ TES_MON_LOG, TES_MS_HANDSHAKE | TES_MS_UNIT | TES_MS_USER, 0 },
};

/* see monitor.h */
int
tes_mon_permit(uint8_t state, uint8_t type, uint32_t used)
{
	size_t i;

	/*@ loop invariant 0 <= i <= 4;
	    loop invariant \forall integer j; 0 <= j < i ==> permits[j].type != type;
	    loop assigns i;
	    loop variant 4 - i; */
	for (i = 0; i < sizeof permits / sizeof permits[0]; i++) {
		if (permits[i].type != type)
			continue;
		/* which row matched: lets the provers unfold the table */
		/*@ assert (i == 0 && type == TES_MON_HANDSHAKE) || (i == 1 && type == TES_MON_LOGIN) ||
		           (i == 2 && type == TES_MON_REPORT) || (i == 3 && type == TES_MON_LOG); */
		/*@ assert permits[i].states == (i == 0 ? TES_MS_HANDSHAKE : i == 1 ? TES_MS_UNIT :
		                                 i == 2 ? TES_MS_USER : 7); */
		if ((permits[i].states & state) == 0)
			return TES_ERR_STATE;
		/* bit `type` of used; a right shift cannot overflow */
		if (permits[i].once && type < 32 && ((used >> type) & 1u) != 0)
			return TES_ERR_STATE;
		return 0;
	}
	return TES_ERR_STATE;
}

static int
put_str(struct tes_cur *c, const char *s, uint8_t n)
{
	int r;

	if ((r = tes_cur_put_u8(c, n)) != 0)
		return r;
	return tes_cur_put_bytes(c, (const uint8_t *)s, n);
}

static int
get_str(struct tes_cur *c, size_t max, uint8_t *n, char *out)
{
	int r;

	if ((r = tes_cur_get_u8(c, n)) != 0)
		return r;
	if (*n > max)
		return TES_ERR_TOOLONG;
	if ((r = tes_cur_get_bytes(c, (uint8_t *)out, *n)) != 0)
		return r;
	out[*n] = '\0';
	return 0;
}

static int
enc_init(struct tes_cur *c, const struct tes_mon_init *m)
{
	int r;

	if (m->e_len < 1 || m->e_len > TES_RSA_E_MAX)
		return TES_ERR_ARG;
	if ((r = tes_cur_put_bytes(c, m->server_random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->n, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_put_u8(c, m->e_len)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->e, m->e_len)) != 0 ||
	    (r = tes_cur_put_u8(c, m->allow_des)) != 0)
		return r;
	return tes_cur_put_u32be(c, m->idle_timeout);
}

static int
dec_init(struct tes_cur *c, struct tes_mon_init *m)
{
	int r;

	if ((r = tes_cur_get_bytes(c, m->server_random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->n, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_get_u8(c, &m->e_len)) != 0)
		return r;
	if (m->e_len < 1 || m->e_len > TES_RSA_E_MAX)
		return TES_ERR_FORMAT;
	if ((r = tes_cur_get_bytes(c, m->e, m->e_len)) != 0 ||
	    (r = tes_cur_get_u8(c, &m->allow_des)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->idle_timeout)) != 0)
		return r;
	return m->allow_des > 1 ? TES_ERR_FORMAT : 0;
}

static int
enc_hs(struct tes_cur *c, const struct tes_mon_handshake *m)
{
	uint8_t tmp[TES_FRAME_MAX];
	size_t n;
	int r;

	if ((r = tes_client_hello_encode(&m->ch, tmp, sizeof tmp, &n)) != 0 ||
	    (r = tes_cur_put_u16be(c, (uint16_t)n)) != 0 ||
	    (r = tes_cur_put_bytes(c, tmp, n)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->server_x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_put_u8(c, m->suite)) != 0 ||
	    (r = tes_cur_put_bytes(c, m->kx.oaep, TES_RSA_LEN)) != 0)
		return r;
	return tes_cur_put_bytes(c, m->kx.sig, TES_RSA_LEN);
}

static int
dec_hs(struct tes_cur *c, struct tes_mon_handshake *m)
{
	const uint8_t *v;
	uint16_t n;
	int r;

	if ((r = tes_cur_get_u16be(c, &n)) != 0 ||
	    (r = tes_cur_get_view(c, &v, n)) != 0 ||
	    (r = tes_client_hello_decode(v, n, &m->ch)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->server_x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_get_u8(c, &m->suite)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->kx.oaep, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->kx.sig, TES_RSA_LEN)) != 0)
		return r;
	if (m->suite != m->ch.suite)
		return TES_ERR_FORMAT;
	return 0;
}

static int
enc_status(struct tes_cur *c, const struct tes_mon_status *m, int with_pms)
{
	int r;

	if ((r = tes_cur_put_u8(c, m->status)) != 0)
		return r;
	return with_pms ? tes_cur_put_bytes(c, m->pms, TES_PMS_LEN) : 0;
}

static int
dec_status(struct tes_cur *c, struct tes_mon_status *m, int with_pms)
{
	int r;

	if ((r = tes_cur_get_u8(c, &m->status)) != 0)
		return r;
	if (m->status > 1)
		return TES_ERR_FORMAT;
	return with_pms ? tes_cur_get_bytes(c, m->pms, TES_PMS_LEN) : 0;
}

/* LOGIN and REPORT reuse the wire codecs of the inner records. */
static int
enc_inner(struct tes_cur *c, const struct tes_mon_msg *m)
{
	uint8_t tmp[TES_RECORD_MAX_PLAIN];
	size_t n;
	int r;

	if (m->type == TES_MON_LOGIN)
		r = tes_login_encode(&m->u.login, tmp, sizeof tmp, &n);
	else if (m->type == TES_MON_REPORT)
		r = tes_report_msg_encode(&m->u.rep.r, m->u.rep.sig, tmp, sizeof tmp, &n);
	else
		r = tes_receipt_encode(&m->u.rcpt, tmp, sizeof tmp, &n);
	if (r != 0 || (r = tes_cur_put_u16be(c, (uint16_t)n)) != 0)
		return r;
	r = tes_cur_put_bytes(c, tmp, n);
	memset(tmp, 0, sizeof tmp);
	return r;
}

static int
dec_inner(struct tes_cur *c, struct tes_mon_msg *m)
{
	const uint8_t *v;
	uint16_t n;
	int r;

	if ((r = tes_cur_get_u16be(c, &n)) != 0 || (r = tes_cur_get_view(c, &v, n)) != 0)
		return r;
	if (m->type == TES_MON_LOGIN)
		return tes_login_decode(v, n, &m->u.login);
	if (m->type == TES_MON_REPORT)
		return tes_report_msg_decode(v, n, &m->u.rep.r, m->u.rep.sig);
	return tes_receipt_decode(v, n, &m->u.rcpt);
}

static int
enc_log(struct tes_cur *c, const struct tes_mon_log *m)
{
	int r;

	if (m->level > 2 || m->len > TES_MON_LOG_MAX)
		return TES_ERR_ARG;
	if ((r = tes_cur_put_u8(c, m->level)) != 0)
		return r;
	return put_str(c, m->text, m->len);
}

static int
dec_log(struct tes_cur *c, struct tes_mon_log *m)
{
	size_t i;
	int r;

	if ((r = tes_cur_get_u8(c, &m->level)) != 0 ||
	    (r = get_str(c, TES_MON_LOG_MAX, &m->len, m->text)) != 0)
		return r;
	if (m->level > 2)
		return TES_ERR_FORMAT;
	for (i = 0; i < m->len; i++)
		if (m->text[i] < 0x20 || m->text[i] > 0x7e)
			return TES_ERR_FORMAT;
	return 0;
}

static int
enc_body(struct tes_cur *c, const struct tes_mon_msg *m)
{
	switch (m->type) {
	case TES_MON_INIT:
		return enc_init(c, &m->u.init);
	case TES_MON_HANDSHAKE:
		return enc_hs(c, &m->u.hs);
	case TES_MON_HANDSHAKE_ANS:
		return enc_status(c, &m->u.st, 1);
	case TES_MON_LOGIN_ANS:
		return enc_status(c, &m->u.st, 0);
	case TES_MON_LOGIN:
	case TES_MON_REPORT:
	case TES_MON_REPORT_ANS:
		return enc_inner(c, m);
	case TES_MON_LOG:
		return enc_log(c, &m->u.log);
	default:
		return TES_ERR_TYPE;
	}
}

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
	default:
		return TES_ERR_TYPE;
	}
}

/* see monitor.h */
int
tes_mon_encode(const struct tes_mon_msg *m, uint8_t out[static TES_MON_MSG_LEN])
{
	struct tes_cur c;
	int r;

	memset(out, 0, TES_MON_MSG_LEN);
	tes_cur_init_wr(&c, out, TES_MON_MSG_LEN);
	if ((r = tes_cur_put_u8(&c, m->type)) != 0 || (r = enc_body(&c, m)) != 0) {
		memset(out, 0, TES_MON_MSG_LEN);
		return r;
	}
	return 0;
}

/* see monitor.h */
int
tes_mon_decode(const uint8_t *buf, size_t n, struct tes_mon_msg *m)
{
	struct tes_cur c;
	uint8_t b;
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
	while (tes_cur_left(&c) > 0) {
		if ((r = tes_cur_get_u8(&c, &b)) != 0)
			return r;
		if (b != 0)
			return TES_ERR_FORMAT;
	}
	return 0;
}
