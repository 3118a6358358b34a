/* SPDX-License-Identifier: ISC */
/*
 * The server-side session engine (src/officer/engine.h) driven the way
 * src/officer/session.c drives it, with the harness as the client byte
 * stream and as the master. Shared by fuzz_handshake.c (fuzz-mode crypto)
 * and fuzz_handshake_real.c (real crypto), and by fuzz/seeds.c.
 *
 *   flags bit 0  the master refuses the unit (HANDSHAKE_ANS status 1)
 *   flags bit 1  the master refuses the login
 *   bits 0 and 1 the master accepts the unit and answers the login with
 *                status 2 (try again)
 *   flags bit 2  the server allows single DES (--allow-des)
 *   flags bit 3  the master answers request number (flags >> 4) & 3 (0 is the
 *                first) with a wrong type
 *   bit 3 clear: bits 4..5 lower the key bounds of INIT (spec/PROTOCOL.md#rekey),
 *                so that a short stream reaches them: 1 at most 6 records,
 *                2 at most 4096 bytes (the least --rekey-bytes), 3 one record
 *   flags bit 6  the master's receipt names another report
 *
 * A wrong answer from the master must end the session. Bytes that are not
 * one whole frame (what is left when the stream stops parsing, with the
 * frame before it when there is one) are handed to the engine too, which
 * must refuse them. A failed engine must stay failed.
 */
#ifndef TES_FUZZ_HS_SERVER_H
#define TES_FUZZ_HS_SERVER_H

#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "officer/engine.h"
#include "wire/frame.h"

/* The pre-master secret the harness's master "unwraps" (any OAEP block). */
static const uint8_t hs_pms[TES_PMS_LEN] = "fuzz pre-master secret 32 bytes";

static void
hs_init_params(struct tes_mon_init *init, uint8_t flags)
{
	memset(init, 0, sizeof *init);
	memcpy(init->server_random, "fuzz server random, fixed 32 B!", TES_RANDOM_LEN);
	memset(init->n, 0xa5, TES_RSA_LEN);
	init->n[0] = 0xc3;
	init->n[TES_RSA_LEN - 1] = 0x6b;
	init->e_len = 3;
	init->e[0] = 1;
	init->e[1] = 0;
	init->e[2] = 1;
	init->allow_des = (flags & 4) != 0;
	init->idle_timeout = 30;
	init->rekey_records = TES_REKEY_RECORDS;
	init->rekey_bytes = TES_REKEY_BYTES;
	if (!(flags & 8)) {
		switch ((flags >> 4) & 3) {
		case 1:
			init->rekey_records = 6;
			break;
		case 2:
			init->rekey_bytes = 4096;
			break;
		case 3:
			init->rekey_records = 1;
			break;
		default:
			break;
		}
	}
}

/* The master's answer to request number *k, as the input's flags decide; 1 if it is a wrong one. */
static int
hs_master(const struct tes_mon_msg *req, struct tes_mon_msg *ans, uint8_t flags, unsigned *k)
{
	int wrong = 0;

	memset(ans, 0, sizeof *ans);
	switch (req->type) {
	case TES_MON_HANDSHAKE:
		ans->type = TES_MON_HANDSHAKE_ANS;
		ans->u.st.status = (flags & 3) == 1;
		memcpy(ans->u.st.pms, hs_pms, TES_PMS_LEN);
		break;
	case TES_MON_RESUME:
		/* a resumed handshake: the same verdict bit as HANDSHAKE, the same secret as its key */
		ans->type = TES_MON_HANDSHAKE_ANS;
		ans->u.st.status = (flags & 3) == 1;
		if (ans->u.st.status == 0) {
			memcpy(ans->u.st.pms, hs_pms, TES_PMS_LEN);
			ans->u.st.lifetime = 600;
		}
		break;
	case TES_MON_LOGIN:
		ans->type = TES_MON_LOGIN_ANS;
		ans->u.st.status = (flags & 3) == 3 ? 2 : (flags >> 1) & 1;
		if (ans->u.st.status == 0) { /* accepted: a ticket, as the master gives one */
			ans->u.st.lifetime = 3600;
			ans->u.st.ticket_lifetime = 600;
			ans->u.st.ticket_len = 40;
			memset(ans->u.st.ticket, 0x7e, 40);
			memset(ans->u.st.res_secret, 0x3c, TES_HASH_LEN);
		}
		break;
	case TES_MON_REPORT:
		ans->type = TES_MON_REPORT_ANS;
		memcpy(ans->u.rcpt.id, req->u.rep.r.id, TES_REPORT_ID_LEN);
		ans->u.rcpt.status = TES_RECEIPT_QUEUED;
		ans->u.rcpt.number = 7;
		if (flags & 64) {
			ans->u.rcpt.id[0] ^= 1;
			wrong = 1;
		}
		break;
	default:
		fuzz_check(0, "engine produced a request the child never sends");
	}
	if ((flags & 8) && *k == ((flags >> 4) & 3u)) {
		ans->type = TES_MON_LOG;
		wrong = 1;
	}
	++*k;
	return wrong;
}

/*
 * What the engine produced must be something the peer and the master can
 * take: whole frames, at most two (LOGIN_RESULT and SESSION, FINISHED and
 * SESSION), none an ALERT; a request that encodes; a request without an
 * answer only a HEARTBEAT.
 */
static void
hs_check_out(const struct tes_engine_out *out)
{
	static uint8_t buf[TES_MON_MSG_LEN];
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t used, off = 0;
	int frames = 0;

	while (off < out->frame_len) {
		fuzz_check(tes_frame_decode(out->frame + off, out->frame_len - off, &h, &p, &used) == 0 &&
				   h.type != TES_FRAME_ALERT && ++frames <= 2,
			   "engine output is one or two valid frames");
		off += used;
	}
	if (out->has_req)
		fuzz_check(tes_mon_encode(&out->req, buf) == 0, "engine request encodes for the master");
	fuzz_check(!out->oneway || (out->has_req && out->req.type == TES_MON_HEARTBEAT),
		   "only a HEARTBEAT notice goes without an answer");
}

/*
 * Run one session over the client stream p (n bytes): frames split as the
 * session child reads them. Calls sink(frame, len, ctx) for every frame
 * the server sends (NULL: none). Returns the engine's last result.
 */
static int
hs_server_run(struct tes_engine *e, uint8_t flags, const uint8_t *p, size_t n,
	      void (*sink)(const uint8_t *, size_t, void *), void *ctx)
{
	static struct tes_engine_out out;
	struct tes_mon_init init;
	struct tes_mon_msg ans;
	struct tes_frame_hdr h;
	const uint8_t *pl;
	size_t off = 0, used, last = 0;
	unsigned k = 0;
	int r = 0, engine_failed = 0, wrong;

	hs_init_params(&init, flags);
	tes_engine_init(e, &init);
	while (r == 0 && !tes_engine_done(e) && off < n) {
		if (tes_frame_decode(p + off, n - off, &h, &pl, &used) != 0) {
			/* not one whole frame: from the last frame on (with trailing bytes), or all of it */
			r = tes_engine_frame(e, p + last, n - last, &out);
			fuzz_check(r != 0, "the engine takes only exactly one whole frame");
			engine_failed = 1;
			break;
		}
		r = tes_engine_frame(e, p + off, used, &out);
		last = off;
		off += used;
		engine_failed = r != 0;
		while (r == 0) {
			hs_check_out(&out);
			if (out.frame_len > 0 && sink != NULL)
				sink(out.frame, out.frame_len, ctx);
			if (!out.has_req || out.oneway)
				break;
			wrong = hs_master(&out.req, &ans, flags, &k);
			r = tes_engine_answer(e, &ans, &out);
			engine_failed = r != 0;
			fuzz_check(!wrong || r != 0, "a wrong answer from the master ends the session");
		}
	}
	if (engine_failed) {
		/* sticky: a failed engine refuses whatever comes next */
		fuzz_check(tes_engine_frame(e, p, n, &out) != 0 && tes_engine_answer(e, &ans, &out) != 0,
			   "engine failure is sticky");
		fuzz_check(tes_engine_alert(e) == TES_ALERT_PROTOCOL ||
				   tes_engine_alert(e) == TES_ALERT_AUTH ||
				   tes_engine_alert(e) == TES_ALERT_REKEY,
			   "generic alert");
		fuzz_check((r == TES_ERR_REKEY) == (tes_engine_alert(e) == TES_ALERT_REKEY),
			   "a key bound, and only a key bound, ends the session with ALERT REKEY");
	}
	tes_engine_wipe(e);
	return r;
}

#endif
