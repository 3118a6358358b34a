/* SPDX-License-Identifier: ISC */
/*
 * The police client's session engine (police/client_engine.h) against the
 * server engine, in memory, with real cryptography (tests/engines.h): its
 * state table (every state against every frame type and every call), the
 * stickiness of a failure and the wipe that comes with it, replayed,
 * reordered and cut frames, a wrong server Finished, the pin's refusal, a
 * receipt for another report, every receipt status and an unknown one. Every refusal has its positive control: the
 * same step with the genuine frame goes through.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "engines.h"
#include "tap.h"

/* Calls of the engine, as the state table allows them. */
enum {
	C_PIN = 1,
	C_LOGIN = 2,
	C_REPORT = 4,
	C_BYE = 8
};

/* The client's states: steps that reach one, the frame it accepts (0: none), the calls it allows. */
static const struct eng_state states[] = {
	{ "WAIT_SH", TES_CLIENT_ENG_WAIT_SH, ENG_CH_TO_SERVER, TES_FRAME_SERVER_HELLO, .calls = 0 },
	{ "WAIT_PIN", TES_CLIENT_ENG_WAIT_PIN, ENG_SH_TO_CLIENT, 0, .calls = C_PIN },
	{ "WAIT_FIN", TES_CLIENT_ENG_WAIT_FIN, ENG_MASTER_HS, TES_FRAME_FINISHED, .calls = 0 },
	{ "READY", TES_CLIENT_ENG_READY, ENG_FIN_TO_CLIENT, 0, .calls = C_LOGIN | C_REPORT | C_BYE },
	{ "WAIT_LOGIN", TES_CLIENT_ENG_WAIT_LOGIN, ENG_MASTER_LOGIN, TES_FRAME_RECORD, .calls = C_BYE },
	{ "WAIT_RECEIPT", TES_CLIENT_ENG_WAIT_RECEIPT, ENG_MASTER_REPORT, TES_FRAME_RECORD, .calls = C_BYE },
	{ "DONE", TES_CLIENT_ENG_DONE, ENG_CLIENT_BYE, 0, .calls = 0 },
	{ "FAILED", TES_CLIENT_ENG_FAILED, -1, 0, .calls = 0 },
};

enum {
	NSTATES = sizeof states / sizeof states[0]
};

static const char *const call_names[] = {
	[C_PIN] = "pin", [C_LOGIN] = "login", [C_REPORT] = "report", [C_BYE] = "bye"
};

static struct eng_pair base, p;

/* A failed engine holds nothing but its state: every key and transcript byte is gone. */
static int
wiped(const struct tes_client_engine *e)
{
	static struct tes_client_engine ref;

	memset(&ref, 0, sizeof ref);
	ref.state = TES_CLIENT_ENG_FAILED;
	ref.rx.failed = 1;
	ref.tx.failed = 1;
	return memcmp(e, &ref, sizeof ref) == 0;
}

/* One of the engine's calls (C_*) on p; its result. */
static int
call(struct eng_pair *x, int c)
{
	switch (c) {
	case C_PIN:
		return eng_pin(x);
	case C_LOGIN:
		return eng_login(x, "alice", "correct horse");
	case C_REPORT:
		return eng_report(x);
	default:
		return eng_bye(x);
	}
}

/* Failed, wiped, and refusing a frame f (n bytes) and every call, with nothing produced. */
static int
refuses_everything(struct eng_pair *x, const uint8_t *f, size_t n)
{
	int c, ok = x->c.state == TES_CLIENT_ENG_FAILED && wiped(&x->c);

	ok &= tes_client_engine_frame(&x->c, f, n, &x->co) != 0 && x->co.frame_len == 0;
	for (c = C_PIN; c <= C_BYE; c <<= 1)
		ok &= tes_client_engine_ready(&x->c) == 0 && call(x, c) != 0 && x->co.frame_len == 0;
	return ok && wiped(&x->c);
}

/* What the client in state s did with a frame of type t (eng_frame_table): took it, or failed for good. */
static void
frame_tried(const struct eng_state *s, uint8_t t, int r, int want, const uint8_t *f, size_t n)
{
	if (want == 0) {
		OK(r == 0 && p.co.event != TES_CLIENT_EV_NONE && p.c.state != TES_CLIENT_ENG_FAILED,
		   "client %s takes %s", s->name, eng_frame_names[t]);
		return;
	}
	EQ_INT(r, want, "client %s refuses %s", s->name, eng_frame_names[t]);
	if (r == TES_ERR_PEER)
		OK(p.co.event == TES_CLIENT_EV_ALERT && p.co.alert == TES_ALERT_PROTOCOL,
		   "client %s reports the ALERT with its code", s->name);
	OK(refuses_everything(&p, f, n), "client %s after %s: failed for good and wiped", s->name,
	   eng_frame_names[t]);
}

/* Every state against every frame type: exactly its own is taken, anything else fails it for good. */
static void
test_frame_table(void)
{
	eng_frame_table(&base, &p, ENG_CLIENT, states, NSTATES, frame_tried);
}

/* Every state against every call: exactly the ones the table allows, anything else fails it for good. */
static void
test_call_table(void)
{
	static uint8_t genuine[TES_FRAME_MAX];
	size_t gn;
	int i, c, r;

	for (i = 0; i < NSTATES; i++) {
		OK(eng_reach(&base, ENG_CLIENT, states[i].steps, states[i].accepts, genuine, &gn) == 0 &&
			   tes_client_engine_ready(&base.c) == ((states[i].calls & C_LOGIN) != 0),
		   "client %s: ready exactly when a request may be built", states[i].name);
		for (c = C_PIN; c <= C_BYE; c <<= 1) {
			p = base;
			r = call(&p, c);
			if (states[i].calls & c) {
				OK(r == 0 && p.co.frame_len > 0, "client %s allows %s", states[i].name,
				   call_names[c]);
			} else {
				EQ_INT(r, TES_ERR_STATE, "client %s refuses %s", states[i].name,
				       call_names[c]);
				OK(refuses_everything(&p, genuine, gn),
				   "client %s after %s: failed for good and wiped", states[i].name,
				   call_names[c]);
			}
		}
	}
}

/* The positive control of them all: a whole session, each event as the protocol says. */
static void
test_session(void)
{
	static uint8_t f[TES_FRAME_MAX];
	struct tes_frame_hdr h;
	const uint8_t *pl;
	size_t used;
	int r;

	r = eng_run(&p, ENG_SH_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_SERVER_KEY &&
		   memcmp(p.co.server.n, eng_server_key.pub.n, TES_RSA_LEN) == 0 &&
		   p.co.server.elen == eng_server_key.pub.elen,
	   "the pin is shown the server's key");
	r = eng_pin(&p);
	OK(r == 0 && tes_frame_decode(p.co.frame, p.co.frame_len, &h, &pl, &used) == 0 &&
		   h.type == TES_FRAME_KEY_EXCHANGE && used == TES_FRAME_HDR_LEN + 2 * TES_RSA_LEN &&
		   tes_frame_decode(p.co.frame + used, p.co.frame_len - used, &h, &pl, &used) == 0 &&
		   h.type == TES_FRAME_FINISHED &&
		   p.co.frame_len == TES_FRAME_HDR_LEN * 2 + 2 * TES_RSA_LEN + TES_FINISHED_LEN,
	   "KEY_EXCHANGE and FINISHED come out together");
	r = eng_steps(&p, ENG_KX_TO_SERVER, ENG_FIN_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_ESTABLISHED && tes_client_engine_ready(&p.c) &&
		   p.s.state == TES_ENG_READY,
	   "the handshake completes on both sides");
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_LOGIN && p.co.login_ok == 1, "the login is accepted");
	r = eng_steps(&p, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_RECEIPT &&
		   memcmp(p.co.receipt.id, p.rep.id, TES_REPORT_ID_LEN) == 0 &&
		   p.co.receipt.status == TES_RECEIPT_QUEUED && p.co.receipt.number == 1,
	   "the report gets its receipt");
	p.rep.id[0] ^= 1;
	r = eng_steps(&p, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT);
	OK(r == 0 && p.co.receipt.number == 2 && p.co.receipt.id[0] == p.rep.id[0], "and a second one");
	r = eng_steps(&p, ENG_CLIENT_BYE, ENG_BYE_TO_SERVER);
	OK(r == 0 && p.c.state == TES_CLIENT_ENG_DONE && tes_engine_done(&p.s),
	   "BYE ends the session on both sides");
	OK(p.c.tx.failed && p.c.rx.failed && p.c.tx.seq == 0 && p.c.tx.mac[0] == 0 && p.c.tx.mac[31] == 0,
	   "the record keys are gone after BYE");
	OK(eng_queue_take(&p.c2s, f) == 0 && eng_queue_take(&p.s2c, f) == 0, "nothing is left unread");

	/* single DES, when both sides opt in */
	r = eng_pair_init(&p, TES_SUITE_DES_CBC_HMAC_SHA256, 1);
	OK(r == 0 && eng_steps(&p, ENG_CH_TO_SERVER, ENG_RECEIPT_TO_CLIENT) == 0 &&
		   p.co.event == TES_CLIENT_EV_RECEIPT && p.c.tx.suite == TES_SUITE_DES_CBC_HMAC_SHA256,
	   "a DES session runs too");
}

/* The second receipt of two for the same report id: a replayed or early record fails its MAC. */
static void
test_replay_reorder(void)
{
	static uint8_t r1[TES_FRAME_MAX], r2[TES_FRAME_MAX];
	static struct tes_client_engine logged, c;
	size_t n1, n2;
	int r;

	r = eng_run(&base, ENG_RESULT_TO_CLIENT);
	logged = base.c;
	r |= eng_steps(&base, ENG_CLIENT_REPORT, ENG_MASTER_REPORT);
	n1 = eng_queue_take(&base.s2c, r1);
	r |= tes_client_engine_frame(&base.c, r1, n1, &base.co);
	OK(r == 0 && base.co.event == TES_CLIENT_EV_RECEIPT, "control: the first receipt is taken");
	r = eng_steps(&base, ENG_CLIENT_REPORT, ENG_MASTER_REPORT);
	n2 = eng_queue_take(&base.s2c, r2);
	p = base;
	OK(r == 0 && tes_client_engine_frame(&p.c, r2, n2, &p.co) == 0 && p.co.receipt.number == 2,
	   "control: the second receipt is taken in its turn");
	p = base;
	EQ_INT(tes_client_engine_frame(&p.c, r1, n1, &p.co), TES_ERR_MAC, "a replayed receipt is refused");
	OK(p.c.state == TES_CLIENT_ENG_FAILED && wiped(&p.c), "and fails the engine");

	/* the engine as it was after the login, waiting for the first receipt, shown the second */
	c = logged;
	OK(tes_client_engine_report_sign(&c, &base.rep, &eng_unit_key, &base.co) == 0 &&
		   tes_client_engine_frame(&c, r1, n1, &base.co) == 0,
	   "control: the first receipt in its turn");
	c = logged;
	r = tes_client_engine_report_sign(&c, &base.rep, &eng_unit_key, &base.co);
	EQ_INT(r == 0 ? tes_client_engine_frame(&c, r2, n2, &base.co) : r, TES_ERR_MAC,
	       "a later receipt first is refused");
	OK(wiped(&c), "and fails the engine");
}

/* The server's Finished with one bit flipped. */
static void
test_wrong_finished(void)
{
	static uint8_t f[TES_FRAME_MAX];
	size_t n = 0, k;
	int all = 1;

	OK(eng_run(&base, ENG_MASTER_HS) == 0 && (n = eng_queue_take(&base.s2c, f)) > 0, "a server Finished");
	p = base;
	OK(tes_client_engine_frame(&p.c, f, n, &p.co) == 0 && p.co.event == TES_CLIENT_EV_ESTABLISHED,
	   "control: the server's Finished is taken");
	for (k = TES_FRAME_HDR_LEN; k < n; k++) {
		p = base;
		f[k] ^= 0x10;
		all &= tes_client_engine_frame(&p.c, f, n, &p.co) == TES_ERR_MAC && wiped(&p.c);
		f[k] ^= 0x10;
	}
	OK(all, "a server Finished with a bit flipped in any of its 32 bytes is refused (MUST-H7)");
}

/* The pin decides before anything that depends on a secret exists. */
static void
test_pin(void)
{
	static uint8_t f[TES_FRAME_MAX];
	size_t n = 0;
	int r;

	OK(eng_run(&base, ENG_SH_TO_CLIENT) == 0 && base.c2s.n == 0 &&
		   base.co.event == TES_CLIENT_EV_SERVER_KEY,
	   "the server key is out, the client has sent its hello and nothing else (MUST-H3)");
	p = base;
	OK(eng_pin(&p) == 0 && p.co.frame_len > 0,
	   "control: a key the pin accepts: KEY_EXCHANGE and FINISHED");
	p = base;
	p.pin_verdict = TES_ERR_PIN;
	r = eng_pin(&p);
	OK(r == TES_ERR_PIN && p.co.frame_len == 0 && p.c2s.n == 0,
	   "a refused key: nothing more is sent (MUST-H3)");
	OK(refuses_everything(&p, f, eng_some_frame(f, TES_FRAME_FINISHED)),
	   "and the engine is failed and wiped");

	/* a key that is not RSA-2048 with an odd exponent never reaches the pin */
	OK(eng_run(&base, ENG_CH_TO_SERVER) == 0 && (n = eng_queue_take(&base.s2c, f)) > 0, "a server hello");
	p = base;
	f[TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN + TES_X25519_LEN + TES_RSA_LEN - 1] &= 0xfe;
	EQ_INT(tes_client_engine_frame(&p.c, f, n, &p.co), TES_ERR_KEY,
	       "an even modulus is refused (MUST-H3)");
	OK(p.co.event == TES_CLIENT_EV_NONE && wiped(&p.c), "without asking the pin");
	f[TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN + TES_X25519_LEN + TES_RSA_LEN - 1] |= 1;
	f[TES_FRAME_HDR_LEN] = TES_SUITE_DES_CBC_HMAC_SHA256;
	p = base;
	EQ_INT(tes_client_engine_frame(&p.c, f, n, &p.co), TES_ERR_FORMAT,
	       "a server hello of another suite is refused");
	f[TES_FRAME_HDR_LEN] = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	p = base;
	OK(tes_client_engine_frame(&p.c, f, n, &p.co) == 0, "control: the server hello as it came");
}

/* Each session has its own client random and X25519 key. */
static void
test_fresh(void)
{
	enum {
		RND = TES_FRAME_HDR_LEN + 1,
		X = RND + TES_RANDOM_LEN,
		ID = X + TES_X25519_LEN
	};

	OK(eng_pair_init(&base, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0 &&
		   eng_pair_init(&p, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0 &&
		   base.c2s.n == TES_CLIENT_ENGINE_CH_LEN && p.c2s.n == TES_CLIENT_ENGINE_CH_LEN,
	   "two client hellos");
	OK(memcmp(base.c2s.buf, p.c2s.buf, RND) == 0 &&
		   memcmp(base.c2s.buf + ID, p.c2s.buf + ID, TES_KEYID_LEN) == 0,
	   "control: same header, suite and unit key");
	OK(memcmp(base.c2s.buf + RND, p.c2s.buf + RND, TES_RANDOM_LEN) != 0 &&
		   memcmp(base.c2s.buf + X, p.c2s.buf + X, TES_X25519_LEN) != 0 &&
		   memcmp(base.c.x_priv, p.c.x_priv, TES_X25519_LEN) != 0,
	   "a fresh random and a fresh X25519 key pair per connection (MUST-H1)");
}

/* The server's X25519 key is a low-order point: the shared secret is zero, the handshake ends. */
static void
test_zero_point(void)
{
	static uint8_t f[TES_FRAME_MAX], g[TES_FRAME_MAX];
	static const uint8_t one[TES_X25519_LEN] = { 1 };
	size_t n = 0;

	OK(eng_run(&base, ENG_CH_TO_SERVER) == 0 && (n = eng_queue_take(&base.s2c, f)) > 0, "a server hello");
	memcpy(g, f, n);
	p = base;
	OK(tes_client_engine_frame(&p.c, g, n, &p.co) == 0 && eng_pin(&p) == 0 && p.co.frame_len > 0,
	   "control: its own key, and KEY_EXCHANGE and FINISHED go out");
	memset(g + TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN, 0, TES_X25519_LEN);
	p = base;
	OK(tes_client_engine_frame(&p.c, g, n, &p.co) == 0 && p.co.event == TES_CLIENT_EV_SERVER_KEY,
	   "an all-zero X25519 key reaches the pin");
	EQ_INT(eng_pin(&p), TES_ERR_KEY, "and ends the handshake there (MUST-H8)");
	OK(p.co.frame_len == 0 && p.c2s.n == 0 && wiped(&p.c), "nothing is sent, the engine is wiped");
	memcpy(g + TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN, one, TES_X25519_LEN);
	p = base;
	OK(tes_client_engine_frame(&p.c, g, n, &p.co) == 0 && eng_pin(&p) == TES_ERR_KEY &&
		   p.co.frame_len == 0,
	   "so does u = 1, a point of low order (MUST-H8)");
}

/* A receipt must name the report the client sent. */
static void
test_receipt(void)
{
	static uint8_t f[TES_FRAME_MAX];
	struct tes_record_dir tx;
	struct tes_receipt rc = { .status = TES_RECEIPT_QUEUED, .number = 9 };
	uint8_t plain[64];
	size_t n = 0, fn = 0;
	int r;

	/* the server engine checks the master's receipt itself; the test seals one as the server would */
	r = eng_run(&base, ENG_REPORT_TO_SERVER);
	memcpy(rc.id, base.rep.id, TES_REPORT_ID_LEN);
	tx = base.s.tx;
	if (r == 0 && (r = tes_msg_receipt_encode(&rc, plain, sizeof plain, &n)) == 0)
		r = tes_record_seal(&tx, plain, n, f, sizeof f, &fn);
	p = base;
	OK(r == 0 && tes_client_engine_frame(&p.c, f, fn, &p.co) == 0 && p.co.receipt.number == 9,
	   "control: a receipt for the report sent is taken");
	rc.id[TES_REPORT_ID_LEN - 1] ^= 1;
	tx = base.s.tx;
	if ((r = tes_msg_receipt_encode(&rc, plain, sizeof plain, &n)) == 0)
		r = tes_record_seal(&tx, plain, n, f, sizeof f, &fn);
	p = base;
	EQ_INT(r == 0 ? tes_client_engine_frame(&p.c, f, fn, &p.co) : r, TES_ERR_FORMAT,
	       "a receipt for another report is refused");
	OK(p.co.event == TES_CLIENT_EV_NONE && wiped(&p.c), "and fails the engine");

	/* a report whose fields the server rejects: a REJECTED receipt, the session goes on */
	OK(eng_run(&p, ENG_RESULT_TO_CLIENT) == 0, "a logged-in pair");
	p.rep.speed = 999;
	OK(eng_steps(&p, ENG_CLIENT_REPORT, ENG_REPORT_TO_SERVER) == 0 && !p.has_req &&
		   eng_deliver(&p, &p.s2c, 0) == 0 && p.co.receipt.status == TES_RECEIPT_REJECTED &&
		   p.co.receipt.reason == TES_REJECT_SPEED && tes_client_engine_ready(&p.c),
	   "a REJECTED receipt names the report, and the client is ready for the next");
}

/*
 * Every status the server sends reaches the caller with the stored report's number; a status the
 * client does not know fails the session (what a client older than that status does with it).
 */
static void
test_receipt_status(void)
{
	static const uint8_t stored[] = { TES_RECEIPT_DUPLICATE, TES_RECEIPT_CONFLICT };
	static const char *const names[] = {
		[TES_RECEIPT_DUPLICATE] = "DUPLICATE", [TES_RECEIPT_CONFLICT] = "CONFLICT"
	};
	size_t i;

	for (i = 0; i < sizeof stored / sizeof stored[0]; i++) {
		OK(eng_run(&p, ENG_RECEIPT_TO_CLIENT) == 0 && p.co.receipt.status == TES_RECEIPT_QUEUED &&
			   p.co.receipt.number == 1,
		   "control: a report queued as violation 1");
		/* the same id again: as it was (DUPLICATE), or with another speed (CONFLICT) */
		p.receipt_status = stored[i];
		p.rep.speed = (uint16_t)(p.rep.speed + (stored[i] == TES_RECEIPT_CONFLICT));
		OK(eng_steps(&p, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT) == 0 &&
			   p.co.event == TES_CLIENT_EV_RECEIPT && p.co.receipt.status == stored[i] &&
			   p.co.receipt.number == 1 && p.co.receipt.reason == TES_REJECT_NONE &&
			   memcmp(p.co.receipt.id, p.rep.id, TES_REPORT_ID_LEN) == 0 &&
			   tes_client_engine_ready(&p.c),
		   "a %s receipt names violation 1, and the client is ready for the next%s", names[stored[i]],
		   stored[i] == TES_RECEIPT_CONFLICT ? " (MUST-R10)" : " (MUST-R8)");
	}
	OK(eng_run(&p, ENG_RESULT_TO_CLIENT) == 0, "a logged-in pair");
	p.receipt_status = TES_RECEIPT_MAX + 1;
	OK(eng_steps(&p, ENG_CLIENT_REPORT, ENG_MASTER_REPORT) == 0 && p.s2c.n > 0,
	   "the server sends a receipt of status %d", TES_RECEIPT_MAX + 1);
	EQ_INT(eng_step(&p, ENG_RECEIPT_TO_CLIENT), TES_ERR_FORMAT,
	       "the client refuses a status it does not know (MUST-R11)");
	OK(p.co.event == TES_CLIENT_EV_NONE && wiped(&p.c),
	   "and fails the session: no receipt reaches the caller");
}

/* Refusals of the caller's own input leave the engine as it was; a refused login is not a failure. */
static void
test_requests(void)
{
	static struct tes_client_engine before;
	struct tes_login l = { .user_len = TES_NAME_MAX + 1, .pw_len = 2, .pw = "pw" };
	struct tes_report bad;
	int r;

	OK(eng_run(&base, ENG_FIN_TO_CLIENT) == 0, "an established pair");
	p = base;
	before = p.c;
	memset(l.user, 'a', TES_NAME_MAX + 1);
	r = tes_client_engine_login(&p.c, &l, &p.co);
	OK(r == TES_ERR_ARG && p.co.frame_len == 0 && memcmp(&before, &p.c, sizeof before) == 0,
	   "a name above the limit: TES_ERR_ARG, nothing sent, the engine unchanged");
	bad = p.rep;
	bad.plate_len = TES_PLATE_MAX + 1;
	r = tes_client_engine_report_sign(&p.c, &bad, &eng_unit_key, &p.co);
	OK(r == TES_ERR_ARG && p.co.frame_len == 0 && memcmp(&before, &p.c, sizeof before) == 0,
	   "a report field longer than its array: the same");
	p.refuse_login = 1;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_LOGIN && p.co.login_ok == 0 && tes_client_engine_ready(&p.c),
	   "a refused login is an answer, not a failure");
	p.refuse_login = 0;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.login_ok == 1, "and the next login goes through");
	/* giving up on an answer: BYE while the receipt is awaited */
	r = eng_steps(&p, ENG_CLIENT_REPORT, ENG_CLIENT_REPORT);
	OK(r == 0 && eng_bye(&p) == 0 && p.c.state == TES_CLIENT_ENG_DONE, "BYE while a receipt is pending");
	OK(eng_steps(&p, ENG_REPORT_TO_SERVER, ENG_MASTER_REPORT) == 0 &&
		   eng_step(&p, ENG_BYE_TO_SERVER) == 0 && tes_engine_done(&p.s),
	   "the server takes the report, then the BYE");
}

/* An ALERT from the server ends the session with its code; one that does not decode is a protocol error. */
static void
test_alert(void)
{
	static uint8_t f[TES_FRAME_MAX];
	static const uint8_t bad[] = { 9 }, two[] = { TES_ALERT_AUTH, 0 };
	uint8_t code;
	size_t n = 0;
	int r;

	OK(eng_pair_init(&p, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0, "a pair");
	p.refuse_unit = 1;
	r = eng_steps(&p, ENG_CH_TO_SERVER, ENG_MASTER_HS);
	OK(r == TES_ERR_AUTH && tes_engine_alert(&p.s) == TES_ALERT_AUTH, "the master refuses the unit");
	base = p;
	code = tes_engine_alert(&p.s);
	r = tes_frame_encode(f, sizeof f, TES_FRAME_ALERT, &code, 1, &n);
	EQ_INT(r == 0 ? tes_client_engine_frame(&p.c, f, n, &p.co) : r, TES_ERR_PEER,
	       "the client gets the ALERT and ends the session (MUST-A2)");
	OK(p.co.event == TES_CLIENT_EV_ALERT && p.co.alert == TES_ALERT_AUTH && wiped(&p.c),
	   "reported with its code, the engine failed");
	p = base;
	r = tes_frame_encode(f, sizeof f, TES_FRAME_ALERT, bad, sizeof bad, &n);
	OK(r == 0 && tes_client_engine_frame(&p.c, f, n, &p.co) == TES_ERR_PEER &&
		   p.co.alert == TES_ALERT_PROTOCOL,
	   "an unknown alert code is reported as a protocol error");
	p = base;
	r = tes_frame_encode(f, sizeof f, TES_FRAME_ALERT, two, sizeof two, &n);
	OK(r == 0 && tes_client_engine_frame(&p.c, f, n, &p.co) == TES_ERR_PEER &&
		   p.co.alert == TES_ALERT_PROTOCOL,
	   "so is an alert of two bytes");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (eng_keys() != 0)
		return 1;
	test_session();
	test_frame_table();
	test_call_table();
	eng_test_truncation(&base, &p, ENG_CLIENT, states, NSTATES);
	test_replay_reorder();
	test_wrong_finished();
	test_pin();
	test_fresh();
	test_zero_point();
	test_receipt();
	test_receipt_status();
	test_requests();
	test_alert();
	eng_keys_wipe();
	return tap_done();
}
