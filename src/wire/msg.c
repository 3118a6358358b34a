/* SPDX-License-Identifier: ISC */
#include "wire/msg.h"
#include "common/cur.h"
#include "common/err.h"
#include "wire/field.h"

/*@ requires \valid_read(c) && c->off <= c->len;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> c->off == c->len;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
 */
static int
done(const struct tes_cur *c)
{
	/*= spec/PROTOCOL.md#encoding MUST-E2: no trailing bytes */
	return tes_cur_left(c) == 0 ? 0 : TES_ERR_FORMAT;
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> suite_valid(s);
 */
static int
suite_ok(uint8_t s)
{
	return s == TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 || s == TES_SUITE_DES_CBC_HMAC_SHA256;
}

/* see msg.h */
int
tes_msg_client_hello_encode(const struct tes_client_hello *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, m->suite)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->unit_key, TES_KEYID_LEN)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_client_hello_decode(const uint8_t *p, size_t n, struct tes_client_hello *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &m->suite)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->unit_key, TES_KEYID_LEN)) != 0)
		return r;
	if (!suite_ok(m->suite))
		return TES_ERR_FORMAT;
	return done(&c);
}

/* see msg.h */
int
tes_msg_server_hello_encode(const struct tes_server_hello *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if (m->e_len < 1 || m->e_len > TES_RSA_E_MAX)
		return TES_ERR_ARG;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, m->suite)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->n, TES_RSA_LEN)) != 0 || (r = tes_cur_put_u8(&c, m->e_len)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->e, m->e_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_server_hello_decode(const uint8_t *p, size_t n, struct tes_server_hello *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &m->suite)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->n, TES_RSA_LEN)) != 0 || (r = tes_cur_get_u8(&c, &m->e_len)) != 0)
		return r;
	if (m->e_len < 1 || m->e_len > TES_RSA_E_MAX)
		return TES_ERR_FORMAT;
	if ((r = tes_cur_get_bytes(&c, m->e, m->e_len)) != 0)
		return r;
	if (!suite_ok(m->suite) || m->n[0] < 0x80 || m->e[0] == 0)
		return TES_ERR_FORMAT;
	return done(&c);
}

/* see msg.h */
int
tes_msg_key_exchange_encode(const struct tes_key_exchange *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_bytes(&c, m->oaep, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->sig, TES_RSA_LEN)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_key_exchange_decode(const uint8_t *p, size_t n, struct tes_key_exchange *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_bytes(&c, m->oaep, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->sig, TES_RSA_LEN)) != 0)
		return r;
	return done(&c);
}

/* see msg.h */
int
tes_msg_finished_decode(const uint8_t *p, size_t n, struct tes_finished *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_bytes(&c, m->mac, TES_FINISHED_LEN)) != 0)
		return r;
	return done(&c);
}

/* see msg.h */
int
tes_msg_alert_decode(const uint8_t *p, size_t n, uint8_t *code)
{
	if (n != 1)
		return TES_ERR_FORMAT;
	if (p[0] < 1 || p[0] > TES_ALERT_MAX)
		return TES_ERR_FORMAT;
	*code = p[0];
	return 0;
}

/* see msg.h */
int
tes_msg_login_encode(const struct tes_login *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/* lengths beyond the arrays would be read past them; an unknown feature is malformed */
	if (m->user_len > TES_NAME_MAX || m->pw_len > TES_PASSWORD_MAX || m->features > TES_LOGIN_FEAT_MAX)
		return TES_ERR_ARG;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, TES_INNER_LOGIN)) != 0 ||
	    (r = tes_cur_put_str8(&c, m->user, m->user_len)) != 0 ||
	    (r = tes_cur_put_str8(&c, m->pw, m->pw_len)) != 0)
		return r;
	/* the features byte only when there is a feature: an old server reads the rest unchanged */
	if (m->features != 0 && (r = tes_cur_put_u8(&c, m->features)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/*@ requires cur_rd(c) && \valid(f);
    requires \separated(f, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *f;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures c->off <= c->len;
    ensures \result == 0 ==> *f <= TES_LOGIN_FEAT_MAX && c->off == \old(c->off) + (*f != 0 ? 1 : 0);
 */
static int
login_features(struct tes_cur *c, uint8_t *f)
{
	/*= spec/PROTOCOL.md#login MUST-L5: the features byte is optional; absent reads as 0, a present 0
	    or an unknown value is malformed */
	*f = 0;
	if (tes_cur_left(c) == 0)
		return 0;
	if (tes_cur_get_u8(c, f) != 0)
		return TES_ERR_FORMAT; /* not reached: a byte is left */
	if (*f < 1 || *f > TES_LOGIN_FEAT_MAX)
		return TES_ERR_FORMAT;
	return 0;
}

/* see msg.h */
int
tes_msg_login_decode(const uint8_t *p, size_t n, struct tes_login *m)
{
	struct tes_cur c;
	uint8_t t;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &t)) != 0)
		return r;
	if (t != TES_INNER_LOGIN)
		return TES_ERR_TYPE;
	if ((r = tes_cur_get_str8(&c, TES_NAME_MAX, &m->user_len, m->user)) != 0 ||
	    (r = tes_cur_get_str8(&c, TES_PASSWORD_MAX, &m->pw_len, m->pw)) != 0)
		return r;
	if ((r = tes_field_name_valid(m->user, m->user_len)) != 0 ||
	    (r = tes_field_password_valid(m->pw, m->pw_len)) != 0)
		return r;
	if ((r = login_features(&c, &m->features)) != 0)
		return r;
	return done(&c);
}

/* see msg.h */
int
tes_msg_login_result_decode(const uint8_t *p, size_t n, uint8_t *ok)
{
	if (n != 2 || p[0] != TES_INNER_LOGIN_RESULT || p[1] > TES_LOGIN_RESULT_MAX)
		return TES_ERR_FORMAT;
	*ok = p[1];
	return 0;
}

/* see msg.h */
int
tes_msg_report_encode(const struct tes_report *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/* lengths beyond the arrays would be read past them */
	if (m->plate_len > TES_PLATE_MAX || m->loc_len > TES_LOCATION_MAX)
		return TES_ERR_ARG;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_bytes(&c, m->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->unit_key, TES_KEYID_LEN)) != 0 ||
	    (r = tes_cur_put_str8(&c, m->plate, m->plate_len)) != 0 ||
	    (r = tes_cur_put_u16be(&c, m->speed)) != 0 || (r = tes_cur_put_u16be(&c, m->limit)) != 0 ||
	    (r = tes_cur_put_u64be(&c, m->time)) != 0 || (r = tes_cur_put_str8(&c, m->loc, m->loc_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> 1 <= m->plate_len <= TES_PLATE_MAX;
    ensures \result == 0 ==> str_ok(&m->plate[0], m->plate_len);
    ensures \result == 0 ==> \forall integer k; 0 <= k < m->plate_len ==> plate_char(m->plate[k]);
    ensures \result == 0 ==> TES_SPEED_MIN <= m->speed <= TES_SPEED_MAX;
    ensures \result == 0 ==> m->limit == 0 || TES_LIMIT_MIN <= m->limit <= TES_LIMIT_MAX;
    ensures \result == 0 ==> m->time >= TES_TIME_MIN;
    ensures \result == 0 ==> m->loc_len <= TES_LOCATION_MAX && str_ok(&m->loc[0], m->loc_len);
    ensures \result == 0 ==> \forall integer k; 0 <= k < m->loc_len ==> loc_char(m->loc[k]);
    ensures \result == 0 ==> c->off == \old(c->off) + 62 + m->plate_len + m->loc_len;
 */
static int
report_fields(struct tes_cur *c, struct tes_report *m)
{
	int r;

	if ((r = tes_cur_get_bytes(c, m->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->unit_key, TES_KEYID_LEN)) != 0 ||
	    (r = tes_cur_get_str8(c, TES_PLATE_MAX, &m->plate_len, m->plate)) != 0 ||
	    (r = tes_cur_get_u16be(c, &m->speed)) != 0 || (r = tes_cur_get_u16be(c, &m->limit)) != 0 ||
	    (r = tes_cur_get_u64be(c, &m->time)) != 0 ||
	    (r = tes_cur_get_str8(c, TES_LOCATION_MAX, &m->loc_len, m->loc)) != 0)
		return r;
	/*= spec/PROTOCOL.md#report-fields MUST-R1..R4 */
	if ((r = tes_field_plate_valid(m->plate, m->plate_len)) != 0 ||
	    (r = tes_field_speed_valid(m->speed)) != 0 || (r = tes_field_limit_valid(m->limit)) != 0 ||
	    (r = tes_field_location_valid(m->loc, m->loc_len)) != 0)
		return r;
	if (m->time < TES_TIME_MIN)
		return TES_ERR_TIME;
	return 0;
}

/* see msg.h */
int
tes_msg_report_decode_cur(const uint8_t *p, size_t n, struct tes_report *m, size_t *used)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = report_fields(&c, m)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_report_decode(const uint8_t *p, size_t n, struct tes_report *m)
{
	size_t used;
	int r;

	if ((r = tes_msg_report_decode_cur(p, n, m, &used)) != 0)
		return r;
	return used == n ? 0 : TES_ERR_FORMAT;
}

/* see msg.h */
int
tes_msg_report_rec_encode(const struct tes_report *m, const uint8_t sig[static TES_RSA_LEN], uint8_t *out,
			  size_t cap, size_t *used)
{
	size_t n;
	int r;

	if (cap < 1 + TES_RSA_LEN)
		return TES_ERR_SPACE;
	out[0] = TES_INNER_REPORT;
	if ((r = tes_msg_report_encode(m, out + 1, cap - 1 - TES_RSA_LEN, &n)) != 0)
		return r;
	/*@ loop invariant 0 <= i <= TES_RSA_LEN;
	    loop assigns i, out[1 + n .. n + TES_RSA_LEN];
	    loop variant TES_RSA_LEN - i; */
	for (size_t i = 0; i < TES_RSA_LEN; i++)
		out[1 + n + i] = sig[i];
	*used = 1 + n + TES_RSA_LEN;
	return 0;
}

/* see msg.h */
int
tes_msg_report_rec_decode(const uint8_t *p, size_t n, struct tes_report *m, uint8_t sig[static TES_RSA_LEN])
{
	struct tes_cur c;
	uint8_t t;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &t)) != 0)
		return r;
	if (t != TES_INNER_REPORT)
		return TES_ERR_TYPE;
	if ((r = report_fields(&c, m)) != 0 || (r = tes_cur_get_bytes(&c, sig, TES_RSA_LEN)) != 0)
		return r;
	return done(&c);
}

/* see msg.h */
int
tes_msg_receipt_encode(const struct tes_receipt *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, TES_INNER_RECEIPT)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_put_u8(&c, m->status)) != 0 || (r = tes_cur_put_u8(&c, m->reason)) != 0 ||
	    (r = tes_cur_put_u64be(&c, m->number)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_receipt_decode(const uint8_t *p, size_t n, struct tes_receipt *m)
{
	struct tes_cur c;
	uint8_t t;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &t)) != 0)
		return r;
	if (t != TES_INNER_RECEIPT)
		return TES_ERR_TYPE;
	if ((r = tes_cur_get_bytes(&c, m->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_get_u8(&c, &m->status)) != 0 || (r = tes_cur_get_u8(&c, &m->reason)) != 0 ||
	    (r = tes_cur_get_u64be(&c, &m->number)) != 0)
		return r;
	/*= spec/PROTOCOL.md#report MUST-R11: a status or reason not known here is refused, never read as another */
	if (m->status < TES_RECEIPT_QUEUED || m->status > TES_RECEIPT_MAX || m->reason > TES_REJECT_MAX)
		return TES_ERR_FORMAT;
	return done(&c);
}

/* see msg.h */
int
tes_msg_resume_hello_encode(const struct tes_resume_hello *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/* a length beyond the array would be read past it; 0 is not a ticket */
	if (m->ticket_len < 1 || m->ticket_len > TES_TICKET_MAX)
		return TES_ERR_ARG;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, m->ch.suite)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->ch.random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->ch.x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->ch.unit_key, TES_KEYID_LEN)) != 0 ||
	    (r = tes_cur_put_u16be(&c, m->ticket_len)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->ticket, m->ticket_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_resume_hello_decode(const uint8_t *p, size_t n, struct tes_resume_hello *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &m->ch.suite)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->ch.random, TES_RANDOM_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->ch.x25519, TES_X25519_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->ch.unit_key, TES_KEYID_LEN)) != 0 ||
	    (r = tes_cur_get_u16be(&c, &m->ticket_len)) != 0)
		return r;
	/*= spec/PROTOCOL.md#resumption MUST-RS1: ticket_len 1..256 */
	if (m->ticket_len < 1)
		return TES_ERR_FORMAT;
	if (m->ticket_len > TES_TICKET_MAX)
		return TES_ERR_TOOLONG;
	if ((r = tes_cur_get_bytes(&c, m->ticket, m->ticket_len)) != 0)
		return r;
	if (!suite_ok(m->ch.suite))
		return TES_ERR_FORMAT;
	return done(&c);
}

/* see msg.h */
int
tes_msg_unit_auth_encode(const struct tes_unit_auth *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_bytes(&c, m->sig, TES_RSA_LEN)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see msg.h */
int
tes_msg_unit_auth_decode(const uint8_t *p, size_t n, struct tes_unit_auth *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_bytes(&c, m->sig, TES_RSA_LEN)) != 0)
		return r;
	return done(&c);
}

/* see msg.h */
int
tes_msg_heartbeat_decode(const uint8_t *p, size_t n)
{
	if (n < 1)
		return TES_ERR_TRUNCATED;
	if (p[0] != TES_INNER_HEARTBEAT)
		return TES_ERR_TYPE;
	/*= spec/PROTOCOL.md#records MUST-HB1: HEARTBEAT has an empty body */
	return n == 1 ? 0 : TES_ERR_FORMAT;
}

/* see msg.h */
int
tes_msg_session_encode(const struct tes_session_info *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/* a length beyond the array would be read past it */
	if (m->ticket_len > TES_TICKET_MAX)
		return TES_ERR_ARG;
	/* and the encoder refuses what the decoder refuses */
	if (m->idle_timeout < 1 || m->rekey_records < 1 || m->rekey_bytes < 1 ||
	    m->ticket_lifetime > TES_TICKET_LIFETIME || (m->ticket_len == 0) != (m->ticket_lifetime == 0))
		return TES_ERR_ARG;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, TES_INNER_SESSION)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->idle_timeout)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->lifetime)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->rekey_records)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->rekey_bytes)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->ticket_lifetime)) != 0)
		return r;
	/*@ assert c.off == 21 && cur_wr(&c) && c.buf == out; */
	if ((r = tes_cur_put_bytes(&c, m->res_secret, TES_HASH_LEN)) != 0 ||
	    (r = tes_cur_put_u16be(&c, m->ticket_len)) != 0)
		return r;
	/*@ assert c.off == 55 && m->ticket_len <= TES_TICKET_MAX; */
	if ((r = tes_cur_put_bytes(&c, m->ticket, m->ticket_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *m;
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> session_ok(m) && c->off == \old(c->off) + 54 + m->ticket_len;
 */
static int
session_fields(struct tes_cur *c, struct tes_session_info *m)
{
	int r;

	if ((r = tes_cur_get_u32be(c, &m->idle_timeout)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->lifetime)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->rekey_records)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->rekey_bytes)) != 0 ||
	    (r = tes_cur_get_u32be(c, &m->ticket_lifetime)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->res_secret, TES_HASH_LEN)) != 0 ||
	    (r = tes_cur_get_u16be(c, &m->ticket_len)) != 0)
		return r;
	if (m->ticket_len > TES_TICKET_MAX)
		return TES_ERR_TOOLONG;
	if ((r = tes_cur_get_bytes(c, m->ticket, m->ticket_len)) != 0)
		return r;
	/*= spec/PROTOCOL.md#session MUST-SE1..SE2: timeouts and bounds in range, a ticket exactly when it has
	    a lifetime */
	if (m->idle_timeout < 1 || m->rekey_records < 1 || m->rekey_bytes < 1 ||
	    m->ticket_lifetime > TES_TICKET_LIFETIME || (m->ticket_len == 0) != (m->ticket_lifetime == 0))
		return TES_ERR_FORMAT;
	return 0;
}

/* see msg.h */
int
tes_msg_session_decode(const uint8_t *p, size_t n, struct tes_session_info *m)
{
	struct tes_cur c;
	uint8_t t;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &t)) != 0)
		return r;
	if (t != TES_INNER_SESSION)
		return TES_ERR_TYPE;
	if ((r = session_fields(&c, m)) != 0)
		return r;
	return done(&c);
}
