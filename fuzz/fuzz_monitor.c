/* SPDX-License-Identifier: ISC */
/*
 * Target "monitor": the master's decoder of child messages and its
 * permission table (src/officer/mon.c, spec/PROTOCOL.md#monitor). The
 * session child parses the network, so the master treats it as an
 * attacker: the input is a sequence of child messages.
 *
 *   input = u8 mode | message*
 *   mode & 1: each message is u16 len | bytes (any size reaches the decoder)
 *   else:     each message is 1024 bytes, short ones zero-padded
 *
 * Each message goes through tes_mon_decode, then through tes_mon_permit in
 * the master state a spec-level model keeps (HANDSHAKE once, then LOGIN,
 * then REPORT and HEARTBEAT; or RESUME once instead of HANDSHAKE and LOGIN,
 * straight to REPORT and HEARTBEAT; LOG any time). Properties: only exactly
 * 1024-byte messages decode, a decoded message re-encodes to the very same
 * bytes (zero padding, one encoding; the ticket bytes past ticket_len
 * decode as zero), the decoded fields meet the validators, and
 * tes_mon_permit agrees with the model (MUST-M1..M4). With mode bit 7 the rest of the input also fills a
 * message struct for tes_mon_encode (see encode_any).
 */
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "officer/mon.h"

/* The spec's table, written independently of monitor.c. */
static int
model_permit(uint8_t state, uint8_t type, uint32_t used)
{
	switch (type) {
	case TES_MON_HANDSHAKE:
		return (state & TES_MS_HANDSHAKE) != 0 && (used & (1u << TES_MON_HANDSHAKE)) == 0;
	case TES_MON_LOGIN:
		return (state & TES_MS_UNIT) != 0;
	case TES_MON_REPORT:
		return (state & TES_MS_USER) != 0;
	case TES_MON_LOG:
		return (state & (TES_MS_HANDSHAKE | TES_MS_UNIT | TES_MS_USER)) != 0;
	case TES_MON_RESUME:
		return (state & TES_MS_HANDSHAKE) != 0 && (used & (1u << TES_MON_RESUME)) == 0;
	case TES_MON_HEARTBEAT:
		return (state & TES_MS_USER) != 0;
	default:
		return 0;
	}
}

/* 1 when p[0 .. n-1] are all zero. */
static int
zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The field rules of the new messages, checked on the decoded struct (spec/PROTOCOL.md#monitor). */
static void
fields(const struct tes_mon_msg *m)
{
	const struct tes_mon_status *st = &m->u.st;

	switch (m->type) {
	case TES_MON_INIT:
		fuzz_check(m->u.init.rekey_records >= 1 && m->u.init.rekey_records <= TES_REKEY_RECORDS &&
				   m->u.init.rekey_bytes >= 1 && m->u.init.rekey_bytes <= TES_REKEY_BYTES,
			   "INIT key bounds in range");
		break;
	case TES_MON_RESUME:
		fuzz_check(m->u.res.rh.ticket_len >= 1 && m->u.res.rh.ticket_len <= TES_TICKET_MAX &&
				   zero(m->u.res.rh.ticket + m->u.res.rh.ticket_len,
					TES_TICKET_MAX - m->u.res.rh.ticket_len) &&
				   m->u.res.suite == m->u.res.rh.ch.suite,
			   "RESUME ticket and suite");
		break;
	case TES_MON_HANDSHAKE_ANS:
	case TES_MON_LOGIN_ANS:
		fuzz_check(st->ticket_len <= TES_TICKET_MAX &&
				   (st->ticket_len == 0) == (st->ticket_lifetime == 0) &&
				   st->ticket_lifetime <= TES_TICKET_LIFETIME &&
				   zero(st->ticket + st->ticket_len, TES_TICKET_MAX - st->ticket_len),
			   "answer ticket fields");
		fuzz_check(st->status == 0 || (st->lifetime == 0 && st->ticket_len == 0 &&
					       zero(st->res_secret, TES_HASH_LEN)),
			   "a refusal carries no session fields");
		break;
	default:
		break;
	}
}

static void
one(const uint8_t *p, size_t n, uint8_t *state, uint32_t *used, uint8_t verdict)
{
	static uint8_t again[TES_MON_MSG_LEN];
	struct tes_mon_msg m;
	int r, ok;

	r = tes_mon_decode(p, n, &m);
	if (r != 0)
		return;
	fuzz_check(n == TES_MON_MSG_LEN && m.type >= 1 && m.type <= TES_MON_TYPE_MAX,
		   "decoded size and type");
	fuzz_check(tes_mon_encode(&m, again) == 0 && memcmp(again, p, n) == 0, "monitor message re-encodes");
	fields(&m);
	ok = tes_mon_permit(*state, m.type, *used) == 0;
	fuzz_check(ok == model_permit(*state, m.type, *used), "permission table matches the spec");
	if (!ok) {
		*state = TES_MS_DEAD;
		return;
	}
	*used |= 1u << m.type;
	/* the master's answer, chosen by the input: success moves the state on */
	if (m.type == TES_MON_HANDSHAKE && (verdict & 1) == 0)
		*state = TES_MS_UNIT;
	else if (m.type == TES_MON_RESUME && (verdict & 1) == 0)
		*state = TES_MS_USER; /* a resumed session is logged in already */
	else if (m.type == TES_MON_LOGIN && (verdict & 2) == 0)
		*state = TES_MS_USER;
}

/*
 * The encoders (both directions) on a struct filled from the input: lengths
 * inside the struct are untrusted here, so ASan checks the encoder's bounds;
 * whatever of its output the decoder accepts must decode to a message that
 * re-encodes to the same bytes. (The encoder does not promise to refuse all
 * that the decoder refuses: the master re-checks, and kills the child.)
 */
static void
encode_any(const uint8_t *p, size_t n)
{
	static uint8_t out[TES_MON_MSG_LEN], again[TES_MON_MSG_LEN];
	struct tes_mon_msg m, back;

	memset(&m, 0, sizeof m);
	memcpy(&m, p, n < sizeof m ? n : sizeof m);
	if (tes_mon_encode(&m, out) == 0 && tes_mon_decode(out, sizeof out, &back) == 0) {
		fuzz_check(tes_mon_encode(&back, again) == 0 && memcmp(out, again, sizeof out) == 0,
			   "encoder output round trip");
		fields(&back);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[TES_MON_MSG_LEN];
	struct fuzz_in in = { data, size, 0 };
	uint8_t mode = fuzz_u8(&in), state = TES_MS_HANDSHAKE, st, ty;
	uint32_t used = 0;
	const uint8_t *p;
	size_t n;

	while (in.off < in.n && state != TES_MS_DEAD) {
		if (mode & 1) {
			p = fuzz_bytes(&in, fuzz_u16(&in), &n);
			one(p, n, &state, &used, mode >> 1);
		} else {
			p = fuzz_bytes(&in, TES_MON_MSG_LEN, &n);
			memset(msg, 0, sizeof msg);
			memcpy(msg, p, n);
			one(msg, sizeof msg, &state, &used, mode >> 1);
		}
	}
	if (mode & 0x80)
		encode_any(data + 1, size - 1);
	/* the table over every state, type and once-flag the input names */
	for (n = 0; n + 3 <= size && n < 96; n += 3) {
		st = data[n];
		ty = data[n + 1];
		fuzz_check((tes_mon_permit(st, ty, data[n + 2] & 1 ? 1u << ty % 32 : 0) == 0) ==
				   model_permit(st, ty, data[n + 2] & 1 ? 1u << ty % 32 : 0),
			   "permission table matches the spec (any state)");
	}
	return 0;
}
