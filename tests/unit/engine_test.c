/* SPDX-License-Identifier: ISC */
/*
 * The server's session engine (officer/engine.h) against the police
 * client's engine, in memory, with real cryptography, the test playing the
 * master (tests/engines.h): its state table (every state against every
 * frame type, every master answer and every inner record type), the
 * stickiness of a failure and the wipe that comes with it, replayed,
 * reordered and cut frames, a wrong client Finished, the login rules
 * (MUST-S2, MUST-S3), single DES only when allowed (MUST-H2). Every refusal
 * has its positive control: the same step with the genuine input goes
 * through.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/x25519.h"
#include "engines.h"
#include "tap.h"

/* The server's states: steps that reach one, the frame it accepts and the master answer it waits for (0: none). */
static const struct {
	const char *name;
	uint8_t state;
	int steps;
	uint8_t accepts;
	uint8_t answer;
} states[] = {
	{ "WAIT_HELLO", TES_ENG_WAIT_HELLO, 0, TES_FRAME_CLIENT_HELLO, 0 },
	{ "WAIT_KX", TES_ENG_WAIT_KX, ENG_CLIENT_PIN, TES_FRAME_KEY_EXCHANGE, 0 },
	{ "WAIT_FIN", TES_ENG_WAIT_FIN, ENG_KX_TO_SERVER, TES_FRAME_FINISHED, 0 },
	{ "WAIT_HS_ANS", TES_ENG_WAIT_HS_ANS, ENG_FIN_TO_SERVER, 0, TES_MON_HANDSHAKE_ANS },
	{ "READY", TES_ENG_READY, ENG_CLIENT_LOGIN, TES_FRAME_RECORD, 0 },
	{ "WAIT_LOGIN_ANS", TES_ENG_WAIT_LOGIN_ANS, ENG_LOGIN_TO_SERVER, 0, TES_MON_LOGIN_ANS },
	{ "READY logged in", TES_ENG_READY, ENG_CLIENT_REPORT, TES_FRAME_RECORD, 0 },
	{ "WAIT_REPORT_ANS", TES_ENG_WAIT_REPORT_ANS, ENG_REPORT_TO_SERVER, 0, TES_MON_REPORT_ANS },
	{ "DONE", TES_ENG_DONE, ENG_BYE_TO_SERVER, 0, 0 },
	{ "FAILED", TES_ENG_FAILED, -1, 0, 0 },
};

enum { NSTATES = sizeof states / sizeof states[0] };

/* Every message type the master could send back, the LOG request among them. */
static const struct {
	uint8_t type;
	const char *name;
} answers[] = {
	{ TES_MON_HANDSHAKE_ANS, "HANDSHAKE_ANS" },
	{ TES_MON_LOGIN_ANS, "LOGIN_ANS" },
	{ TES_MON_REPORT_ANS, "REPORT_ANS" },
	{ TES_MON_LOG, "LOG" },
};

static struct eng_pair base, p;

/* A failed engine holds nothing but its state and the alert to send. */
static int
wiped(const struct tes_engine *e)
{
	static struct tes_engine ref;

	memset(&ref, 0, sizeof ref);
	ref.state = TES_ENG_FAILED;
	ref.alert = e->alert;
	ref.rx.failed = 1;
	ref.tx.failed = 1;
	return memcmp(e, &ref, sizeof ref) == 0 &&
	       (tes_engine_alert(e) == TES_ALERT_PROTOCOL || tes_engine_alert(e) == TES_ALERT_AUTH);
}

/* Nothing came out of the last step. */
static int
silent(const struct eng_pair *x)
{
	return x->so.frame_len == 0 && !x->so.has_req;
}

/* Failed, wiped, and refusing frame f (n bytes) and every answer, with nothing produced. */
static int
refuses_everything(struct eng_pair *x, const uint8_t *f, size_t n)
{
	struct tes_mon_msg ans;
	size_t i;
	int ok = x->s.state == TES_ENG_FAILED && wiped(&x->s);

	ok &= tes_engine_frame(&x->s, f, n, &x->so) != 0 && silent(x);
	for (i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		memset(&ans, 0, sizeof ans);
		ans.type = answers[i].type;
		ok &= tes_engine_answer(&x->s, &ans, &x->so) != 0 && silent(x);
	}
	return ok && !tes_engine_done(&x->s) && wiped(&x->s);
}

/* Bring base into state row i; the client's genuine next frame into f, length in *n (0: none). */
static int
reach(int i, uint8_t *f, size_t *n)
{
	static const uint8_t alert[] = { TES_FRAME_MAGIC, TES_PROTO_VERSION, TES_FRAME_ALERT, 0, 0, 1, 1 };
	int r;

	*n = 0;
	if (states[i].steps < 0) {
		/* FAILED: an ALERT where the client's hello belongs */
		if ((r = eng_run(&base, 0)) != 0)
			return r;
		*n = eng_queue_take(&base.c2s, f);
		return tes_engine_frame(&base.s, alert, sizeof alert, &base.so) == TES_ERR_PEER ? 0 : -1;
	}
	if ((r = eng_run(&base, states[i].steps)) != 0)
		return r;
	if (states[i].accepts)
		*n = eng_queue_take(&base.c2s, f);
	return 0;
}

/* The error a state must give for a frame of type t. */
static int
expected(int i, uint8_t t)
{
	if (states[i].accepts == 0)
		return TES_ERR_STATE;
	if (t == TES_FRAME_ALERT)
		return TES_ERR_PEER;
	return t == states[i].accepts ? 0 : TES_ERR_TYPE;
}

/*
 * Every state against every frame type: exactly its own is taken, anything else fails it for good
 * (MUST-S1), an ALERT too (MUST-A2).
 */
static void
test_frame_table(void)
{
	static uint8_t genuine[TES_FRAME_MAX], f[TES_FRAME_MAX];
	size_t gn, n;
	uint8_t t;
	int i, r;

	for (i = 0; i < NSTATES; i++) {
		OK(reach(i, genuine, &gn) == 0 && base.s.state == states[i].state &&
			   (states[i].accepts != 0 || states[i].steps < 0) == (gn > 0),
		   "server %s: reached, its frame in hand", states[i].name);
		for (t = TES_FRAME_CLIENT_HELLO; t <= TES_FRAME_TYPE_MAX; t++) {
			p = base;
			if (gn > 0) {
				memcpy(f, genuine, gn);
				n = t == states[i].accepts ? gn : eng_retype(f, gn, t);
			} else {
				n = eng_retype(f, eng_some_frame(f, TES_FRAME_FINISHED), t);
			}
			r = tes_engine_frame(&p.s, f, n, &p.so);
			if (expected(i, t) == 0) {
				OK(r == 0 && p.s.state != TES_ENG_FAILED, "server %s takes %s", states[i].name,
				   eng_frame_names[t]);
				continue;
			}
			EQ_INT(r, expected(i, t), "server %s refuses %s (MUST-S1)", states[i].name,
			       eng_frame_names[t]);
			OK(silent(&p) && refuses_everything(&p, gn > 0 ? genuine : f, gn > 0 ? gn : n),
			   "server %s after %s: failed for good and wiped", states[i].name, eng_frame_names[t]);
		}
	}
}

/* Every state against every master answer: exactly the one it waits for, anything else fails it for good. */
static void
test_answer_table(void)
{
	static uint8_t genuine[TES_FRAME_MAX];
	struct tes_mon_msg ans;
	size_t gn, k;
	int i, r;

	for (i = 0; i < NSTATES; i++) {
		OK(reach(i, genuine, &gn) == 0 && base.has_req == (states[i].answer != 0),
		   "server %s: reached, a request pending exactly when it waits for an answer", states[i].name);
		for (k = 0; k < sizeof answers / sizeof answers[0]; k++) {
			p = base;
			memset(&ans, 0, sizeof ans);
			ans.type = answers[k].type;
			if (ans.type == states[i].answer) {
				eng_master(&p, &ans);
				r = tes_engine_answer(&p.s, &ans, &p.so);
				OK(r == 0 && p.so.frame_len > 0 && p.s.state == TES_ENG_READY, "server %s takes %s",
				   states[i].name, answers[k].name);
				continue;
			}
			r = tes_engine_answer(&p.s, &ans, &p.so);
			EQ_INT(r, states[i].answer ? TES_ERR_TYPE : TES_ERR_STATE, "server %s refuses %s", states[i].name,
			       answers[k].name);
			OK(silent(&p) && refuses_everything(&p, genuine, gn), "server %s after %s: failed for good and wiped",
			   states[i].name, answers[k].name);
		}
	}
}

/* Seal plaintext plain (n bytes) as the client's next record, with a copy of its direction. */
static size_t
client_record(const struct eng_pair *x, const uint8_t *plain, size_t n, uint8_t *f)
{
	struct tes_record_dir tx = x->c.tx;
	size_t used = 0;

	return tes_record_seal(&tx, plain, n, f, TES_FRAME_MAX, &used) == 0 ? used : 0;
}

/*
 * Every inner record type in READY before the login: LOGIN and BYE only (MUST-S3, MUST-L1: no report
 * yet); the first plaintext byte is the inner type (MUST-C4).
 */
static void
test_inner_table(void)
{
	static const struct {
		uint8_t plain[2];
		size_t n;              /* 0: the client engine's own record of that type */
		const char *name;
		int want;
	} inner[] = {
		{ { TES_INNER_LOGIN }, 0, "LOGIN", 0 },
		{ { TES_INNER_LOGIN_RESULT, 1 }, 2, "LOGIN_RESULT", TES_ERR_TYPE },
		{ { TES_INNER_REPORT }, 0, "REPORT", TES_ERR_STATE },
		{ { TES_INNER_RECEIPT, 0 }, 2, "RECEIPT", TES_ERR_TYPE },
		{ { TES_INNER_BYE }, 1, "BYE", 0 },
		{ { TES_INNER_BYE, 0 }, 2, "BYE with a body", TES_ERR_TYPE },
		{ { TES_INNER_INVALID }, 1, "type 0", TES_ERR_TYPE },
		{ { 0x7f }, 1, "type 0x7f", TES_ERR_TYPE },
	};
	static uint8_t f[TES_FRAME_MAX];
	size_t i, n;
	int r;

	OK(eng_run(&base, ENG_FIN_TO_CLIENT) == 0 && base.s.state == TES_ENG_READY, "an established pair");
	for (i = 0; i < sizeof inner / sizeof inner[0]; i++) {
		p = base;
		if (inner[i].n > 0)
			n = client_record(&base, inner[i].plain, inner[i].n, f);
		else if ((r = inner[i].plain[0] == TES_INNER_LOGIN ? eng_login(&p, "alice", "pw") : eng_report(&p)) == 0)
			n = eng_queue_take(&p.c2s, f);
		else
			n = 0;
		r = tes_engine_frame(&p.s, f, n, &p.so);
		if (inner[i].want == 0) {
			OK(n > 0 && r == 0 && (p.so.has_req || tes_engine_done(&p.s)), "server READY takes %s",
			   inner[i].name);
			continue;
		}
		EQ_INT(r, inner[i].want, "server READY refuses %s", inner[i].name);
		OK(silent(&p) && refuses_everything(&p, f, n), "server READY after %s: failed for good", inner[i].name);
	}
}

/* The positive control of them all: a whole session, each output as the protocol says. */
static void
test_session(void)
{
	static uint8_t f[TES_FRAME_MAX];
	struct tes_frame_hdr h;
	const uint8_t *pl;
	uint8_t dig[TES_HASH_LEN];
	size_t used;
	int r;

	r = eng_run(&p, ENG_CH_TO_SERVER);
	OK(r == 0 && tes_frame_decode(p.s2c.buf, p.s2c.n, &h, &pl, &used) == 0 && h.type == TES_FRAME_SERVER_HELLO &&
	   used == p.s2c.n && !p.has_req, "CLIENT_HELLO is answered by SERVER_HELLO");
	r = eng_steps(&p, ENG_SH_TO_CLIENT, ENG_KX_TO_SERVER);
	OK(r == 0 && silent(&p), "KEY_EXCHANGE is taken silently");
	r = eng_step(&p, ENG_FIN_TO_SERVER);
	OK(r == 0 && p.so.frame_len == 0 && p.has_req && p.req.type == TES_MON_HANDSHAKE &&
	   memcmp(p.req.u.hs.ch.unit_key, eng_unit_id, TES_KEYID_LEN) == 0 &&
	   p.req.u.hs.suite == TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, "FINISHED asks the master about the unit");
	r = eng_step(&p, ENG_MASTER_HS);
	OK(r == 0 && p.s.state == TES_ENG_READY && p.s2c.n == TES_FRAME_HDR_LEN + TES_FINISHED_LEN &&
	   p.s.x_priv[0] == 0 && p.s.x_priv[31] == 0, "the answer: the server's FINISHED, its X25519 key wiped");
	r = eng_steps(&p, ENG_FIN_TO_CLIENT, ENG_LOGIN_TO_SERVER);
	OK(r == 0 && p.has_req && p.req.type == TES_MON_LOGIN && p.req.u.login.user_len == 5 &&
	   memcmp(p.req.u.login.pw, "correct horse", 14) == 0, "LOGIN goes to the master as sent");
	r = eng_steps(&p, ENG_MASTER_LOGIN, ENG_REPORT_TO_SERVER);
	OK(r == 0 && p.c.state == TES_CLIENT_ENG_WAIT_RECEIPT && p.has_req && p.req.type == TES_MON_REPORT &&
	   memcmp(&p.req.u.rep.r, &p.rep, sizeof p.rep) == 0 && tes_digest_report(&p.rep, dig) == 0 &&
	   tes_rsa_verify(&eng_unit_key.pub, dig, p.req.u.rep.sig) == 0,
	   "REPORT goes to the master with the unit's valid signature");
	r = eng_steps(&p, ENG_MASTER_REPORT, ENG_RECEIPT_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_RECEIPT && p.co.receipt.number == 1, "the receipt reaches the client");
	r = eng_steps(&p, ENG_CLIENT_BYE, ENG_BYE_TO_SERVER);
	OK(r == 0 && tes_engine_done(&p.s) && silent(&p), "BYE ends the session");
	OK(eng_queue_take(&p.c2s, f) == 0 && eng_queue_take(&p.s2c, f) == 0, "nothing is left unread");
}

/* Single DES only when the server allows it (MUST-H2). */
static void
test_des(void)
{
	OK(eng_pair_init(&p, TES_SUITE_DES_CBC_HMAC_SHA256, 1) == 0 &&
	   eng_steps(&p, ENG_CH_TO_SERVER, ENG_BYE_TO_SERVER) == 0 && tes_engine_done(&p.s),
	   "control: a DES session runs when the server allows it");
	OK(eng_pair_init(&p, TES_SUITE_DES_CBC_HMAC_SHA256, 0) == 0, "a pair");
	EQ_INT(eng_step(&p, ENG_CH_TO_SERVER), TES_ERR_STATE, "a DES hello is refused otherwise");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

/* What goes into the engine must be one whole frame: each accepted frame cut at every length, or with a byte more. */
static void
test_truncation(void)
{
	static uint8_t genuine[TES_FRAME_MAX], f[TES_FRAME_MAX + 1];
	size_t gn, n, k;
	int i, all, control;

	for (i = 0; i < NSTATES; i++) {
		if (states[i].accepts == 0)
			continue;
		if (reach(i, genuine, &gn) != 0 || gn == 0) {
			OK(0, "server %s reached", states[i].name);
			continue;
		}
		all = 1;
		for (n = 0; n < gn; n++) {
			p = base;
			all &= tes_engine_frame(&p.s, genuine, n, &p.so) != 0 && silent(&p) && p.s.state == TES_ENG_FAILED;
		}
		p = base;
		memcpy(f, genuine, gn);
		f[gn] = 0;
		all &= tes_engine_frame(&p.s, f, gn + 1, &p.so) == TES_ERR_FORMAT;
		p = base;
		control = tes_engine_frame(&p.s, genuine, gn, &p.so) == 0;
		OK(all && control, "server %s: its %zu-byte %s cut at any length or with a byte more is refused",
		   states[i].name, gn, eng_frame_names[states[i].accepts]);
		if (states[i].accepts != TES_FRAME_RECORD)
			continue;
		all = 1;
		for (k = 1; k <= TES_MAC_LEN; k++) {
			p = base;
			memcpy(f, genuine, gn);
			n = eng_cut_payload(f, gn, k);
			all &= tes_engine_frame(&p.s, f, n, &p.so) == TES_ERR_MAC && p.s.state == TES_ENG_FAILED;
		}
		OK(all && control, "server %s: a record with 1 .. 32 bytes of its MAC cut is refused", states[i].name);
	}
}

/* A record the server already took comes again; a later record comes first. */
static void
test_replay_reorder(void)
{
	static uint8_t login[TES_FRAME_MAX], f[TES_FRAME_MAX];
	size_t ln, n;
	int r;

	r = eng_run(&base, ENG_CLIENT_LOGIN);
	ln = eng_queue_take(&base.c2s, login);
	r |= eng_to_server(&base, login, ln);
	r |= eng_steps(&base, ENG_MASTER_LOGIN, ENG_CLIENT_REPORT);
	OK(r == 0 && base.s.state == TES_ENG_READY, "control: the LOGIN record is taken and answered");
	p = base;
	OK(eng_step(&p, ENG_REPORT_TO_SERVER) == 0 && p.has_req, "control: the next record in its turn");
	p = base;
	EQ_INT(tes_engine_frame(&p.s, login, ln, &p.so), TES_ERR_MAC, "the LOGIN record again is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");

	/* REPORT then BYE from the client, BYE delivered first */
	OK(eng_bye(&base) == 0 && base.c.state == TES_CLIENT_ENG_DONE, "the client sends a REPORT and a BYE");
	p = base;
	OK(eng_steps(&p, ENG_REPORT_TO_SERVER, ENG_MASTER_REPORT) == 0 && eng_step(&p, ENG_BYE_TO_SERVER) == 0 &&
	   tes_engine_done(&p.s), "control: in their order both are taken");
	p = base;
	n = eng_queue_take(&p.c2s, f);
	n = eng_queue_take(&p.c2s, f);
	EQ_INT(tes_engine_frame(&p.s, f, n, &p.so), TES_ERR_MAC, "the later record first is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

/* MUST-S2, MUST-S3: one successful LOGIN, and no REPORT before it. */
static void
test_login_rules(void)
{
	int r;

	OK(eng_run(&base, ENG_RESULT_TO_CLIENT) == 0 && base.s.logged_in, "a logged-in pair");
	p = base;
	r = eng_steps(&p, ENG_CLIENT_REPORT, ENG_REPORT_TO_SERVER);
	OK(r == 0 && p.has_req && p.req.type == TES_MON_REPORT, "control: a REPORT after the login goes to the master");
	p = base;
	r = eng_step(&p, ENG_CLIENT_LOGIN);
	EQ_INT(r == 0 ? eng_step(&p, ENG_LOGIN_TO_SERVER) : r, TES_ERR_STATE,
	       "a second LOGIN after a successful one is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");

	OK(eng_run(&base, ENG_FIN_TO_CLIENT) == 0, "an established pair");
	p = base;
	r = eng_step(&p, ENG_CLIENT_REPORT);
	EQ_INT(r == 0 ? eng_step(&p, ENG_REPORT_TO_SERVER) : r, TES_ERR_STATE, "a REPORT before the login is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
	p = base;
	p.refuse_login = 1;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.login_ok == 0 && !p.s.logged_in, "a refused login");
	r = eng_step(&p, ENG_CLIENT_REPORT);
	EQ_INT(r == 0 ? eng_step(&p, ENG_REPORT_TO_SERVER) : r, TES_ERR_STATE, "then a REPORT is still refused");
	p = base;
	p.refuse_login = 1;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	p.refuse_login = 0;
	r |= eng_steps(&p, ENG_CLIENT_LOGIN, ENG_LOGIN_TO_SERVER);
	OK(r == 0 && p.has_req && p.req.type == TES_MON_LOGIN, "control: after a refused login, another LOGIN is taken");
}

/* The client's Finished: one bit flipped, or made under another pre-master secret. */
static void
test_wrong_finished(void)
{
	static uint8_t f[TES_FRAME_MAX];
	size_t n = 0, k;
	int all = 1;

	OK(eng_run(&base, ENG_KX_TO_SERVER) == 0 && (n = eng_queue_take(&base.c2s, f)) > 0, "a client Finished");
	p = base;
	OK(eng_to_server(&p, f, n) == 0 && eng_answer(&p) == 0 && p.s.state == TES_ENG_READY && p.so.frame_len > 0,
	   "control: the client's Finished is taken");
	for (k = TES_FRAME_HDR_LEN; k < n; k++) {
		p = base;
		f[k] ^= 0x01;
		all &= eng_to_server(&p, f, n) == 0 && eng_answer(&p) == TES_ERR_MAC && silent(&p) && wiped(&p.s);
		f[k] ^= 0x01;
	}
	OK(all, "a client Finished with a bit flipped in any of its 32 bytes is refused (MUST-H6)");
	p = base;
	p.wrong_pms = 1;
	OK(eng_to_server(&p, f, n) == 0, "the genuine Finished");
	EQ_INT(eng_answer(&p), TES_ERR_MAC, "is refused under a pre-master secret other than the client's");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

/*
 * The master's word: a refused unit ends the handshake with the AUTH alert (MUST-H4), whether the
 * signature or the key transport failed (MUST-H5); its answers are checked.
 */
static void
test_master(void)
{
	struct tes_mon_msg ans;

	OK(eng_run(&base, ENG_FIN_TO_SERVER) == 0 && base.has_req, "a handshake request");
	p = base;
	OK(eng_answer(&p) == 0 && tes_engine_alert(&p.s) == TES_ALERT_PROTOCOL, "control: the unit is accepted");
	p = base;
	p.refuse_unit = 1;
	EQ_INT(eng_answer(&p), TES_ERR_AUTH, "a refused unit ends the handshake");
	OK(silent(&p) && wiped(&p.s) && tes_engine_alert(&p.s) == TES_ALERT_AUTH, "with the AUTH alert to send");

	OK(eng_run(&base, ENG_REPORT_TO_SERVER) == 0 && base.has_req, "a report request");
	p = base;
	eng_master(&p, &ans);
	OK(tes_engine_answer(&p.s, &ans, &p.so) == 0 && p.so.frame_len > 0, "control: its receipt goes out");
	p = base;
	eng_master(&p, &ans);
	ans.u.rcpt.id[3] ^= 1;
	EQ_INT(tes_engine_answer(&p.s, &ans, &p.so), TES_ERR_INTERNAL, "a receipt for another report is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

/* The server's side of each session has its own X25519 key (the random is the master's, from INIT). */
static void
test_fresh(void)
{
	static uint8_t ch[TES_FRAME_MAX];
	static struct eng_pair q;
	enum { X = TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN };
	size_t n;

	OK(eng_pair_init(&base, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0 &&
	   (n = eng_queue_take(&base.c2s, ch)) > 0, "a client hello");
	q = base;
	p = base;
	OK(eng_to_server(&p, ch, n) == 0 && eng_to_server(&q, ch, n) == 0 && p.s2c.n == q.s2c.n &&
	   p.s2c.n > 0, "two server engines answer the same hello");
	OK(memcmp(p.s2c.buf, q.s2c.buf, X) == 0, "control: same header, suite and master random");
	OK(memcmp(p.s2c.buf + X, q.s2c.buf + X, TES_X25519_LEN) != 0 &&
	   memcmp(p.s.x_priv, q.s.x_priv, TES_X25519_LEN) != 0,
	   "each with a fresh X25519 key pair (MUST-H1)");
}

/*
 * The client's X25519 key is a low-order point (the client signs the hello it sent): the server's
 * shared secret is zero and the handshake ends.
 */
static void
test_zero_point(void)
{
	enum { X = TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN };
	static const uint8_t zero[TES_X25519_LEN], one[TES_X25519_LEN] = { 1 };
	const uint8_t *pts[] = { zero, one };
	uint8_t priv[TES_X25519_LEN], pub[TES_X25519_LEN];
	size_t i;

	/* the client engine's hello, as kept for its transcript and as queued, with another key */
	OK(eng_pair_init(&p, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0 &&
	   tes_x25519_keygen(priv, pub) == 0, "a pair and another X25519 key pair");
	memcpy(p.c.x_priv, priv, TES_X25519_LEN);
	memcpy(p.c.ch.x25519, pub, TES_X25519_LEN);
	memcpy(p.c.ch_f + X, pub, TES_X25519_LEN);
	memcpy(p.c2s.buf + X, pub, TES_X25519_LEN);
	OK(eng_steps(&p, ENG_CH_TO_SERVER, ENG_FIN_TO_CLIENT) == 0 && p.s.state == TES_ENG_READY,
	   "control: the handshake with that key completes");
	for (i = 0; i < sizeof pts / sizeof pts[0]; i++) {
		OK(eng_pair_init(&p, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0, "a pair");
		memcpy(p.c.ch.x25519, pts[i], TES_X25519_LEN);
		memcpy(p.c.ch_f + X, pts[i], TES_X25519_LEN);
		memcpy(p.c2s.buf + X, pts[i], TES_X25519_LEN);
		OK(eng_steps(&p, ENG_CH_TO_SERVER, ENG_FIN_TO_SERVER) == 0 && p.has_req,
		   "a client key u = %zu: the unit is checked", i);
		EQ_INT(eng_step(&p, ENG_MASTER_HS), TES_ERR_KEY,
		       "then the zero shared secret ends the handshake (MUST-H8)");
		OK(silent(&p) && wiped(&p.s), "nothing is sent, the engine is wiped");
	}
}

/* A report out of range gets a REJECTED receipt from the engine itself; one that does not decode ends it. */
static void
test_reports(void)
{
	static const uint8_t broken[] = { TES_INNER_REPORT, 1, 2, 3 };
	static uint8_t f[TES_FRAME_MAX];
	size_t n;
	int r;

	OK(eng_run(&base, ENG_RESULT_TO_CLIENT) == 0, "a logged-in pair");
	p = base;
	p.rep.speed = 999;
	r = eng_steps(&p, ENG_CLIENT_REPORT, ENG_REPORT_TO_SERVER);
	OK(r == 0 && !p.has_req && p.so.frame_len > 0 && p.s.state == TES_ENG_READY,
	   "a speed out of range: a receipt without asking the master");
	OK(eng_step(&p, ENG_RECEIPT_TO_CLIENT) == 0 && p.co.receipt.status == TES_RECEIPT_REJECTED &&
	   p.co.receipt.reason == TES_REJECT_SPEED, "REJECTED for its speed");
	OK(eng_steps(&p, ENG_CLIENT_BYE, ENG_BYE_TO_SERVER) == 0 && tes_engine_done(&p.s), "and the session goes on");
	p = base;
	n = client_record(&base, broken, sizeof broken, f);
	EQ_INT(tes_engine_frame(&p.s, f, n, &p.so), TES_ERR_TRUNCATED, "a report that does not decode is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (eng_keys() != 0) {
		printf("Bail out! no test keys\n");
		return 1;
	}
	test_session();
	test_des();
	test_frame_table();
	test_answer_table();
	test_inner_table();
	test_truncation();
	test_replay_reorder();
	test_login_rules();
	test_wrong_finished();
	test_master();
	test_fresh();
	test_zero_point();
	test_reports();
	TES_WIPE_CTX(&eng_server_key);
	TES_WIPE_CTX(&eng_unit_key);
	return tap_done();
}
