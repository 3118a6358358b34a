/* SPDX-License-Identifier: ISC */
/*
 * The police client's session engine (police/client_engine.h) against the
 * server engine, in memory, with real cryptography (tests/engines.h): its
 * state table (every state against every frame type and every call), the
 * stickiness of a failure and the wipe that comes with it, replayed,
 * reordered and cut frames, a wrong server Finished, the pin's refusal, a
 * receipt for another report, every receipt status and an unknown one. Every refusal has its positive control: the
 * same step with the genuine frame goes through.
 *
 * Then the offline spool (spec/SPOOL.md): its codec (police/spool.h) record
 * by record, and its directory (police/spooler.h) in a scratch directory:
 * modes, users and passwords, ids and the memory of timeless input, torn and
 * malformed tails, damaged tags, compaction, a refused login, the header,
 * and two processes on one lock.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cur.h"
#include "common/err.h"
#include "engines.h"
#include "police/spool.h"
#include "police/spooler.h"
#include "tap.h"
#include "util.h"

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
	OK(r == 0 && p.co.event == TES_CLIENT_EV_LOGIN && p.co.login_result == TES_LOGIN_ACCEPTED,
	   "the login is accepted");
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
	OK(r == 0 && p.co.event == TES_CLIENT_EV_LOGIN && p.co.login_result == TES_LOGIN_REFUSED &&
		   tes_client_engine_ready(&p.c),
	   "a refused login is an answer, not a failure");
	p.refuse_login = 2;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_LOGIN && p.co.login_result == TES_LOGIN_RETRY &&
		   tes_client_engine_ready(&p.c),
	   "a login the server cannot record now is answered try again (MUST-L4)");
	p.refuse_login = 0;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.login_result == TES_LOGIN_ACCEPTED, "and the next login goes through");
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

/* --- The spool: its codec (police/spool.h) and its directory (police/spooler.h) --- */

static struct tes_spooler sp;
static const uint64_t t0 = 1767225600; /* 2026-01-01T00:00:00Z */
static const char pw_right[] = "correct horse", pw_wrong[] = "battery staple";
static const uint8_t sig_pattern[TES_RSA_LEN] = { 0x5a, 0xa5 };

/* A spool directory of the scratch directory. */
static const char *
spool_dir(const char *name)
{
	return util_scratch_path(name);
}

static int
sp_open(const char *dir, const struct tes_rsa_priv *unit, uint64_t now)
{
	char err[256];
	int r = tes_spooler_open(&sp, dir, unit, now, err, sizeof err);

	if (r != 0)
		printf("# open %s: %s\n", dir, err);
	return r;
}

/* An input record: plate, speed, and the time when t != 0. */
static void
item(struct tes_spooler_item *it, const char *plate, uint16_t speed, uint64_t t)
{
	memset(it, 0, sizeof *it);
	it->r.plate_len = (uint8_t)strlen(plate);
	memcpy(it->r.plate, plate, it->r.plate_len);
	it->r.speed = speed;
	it->r.limit = 50;
	it->r.loc_len = 7;
	memcpy(it->r.loc, "Bursa 3", 7);
	it->has_time = t != 0;
	it->r.time = t;
}

/* Assign and add one record (the signature is a pattern: the spool does not check it); its id. */
static int
spool_one(const char *plate, uint16_t speed, uint64_t t, uint64_t now, uint8_t id[TES_REPORT_ID_LEN])
{
	struct tes_spooler_item it;
	int r;

	item(&it, plate, speed, t);
	if ((r = tes_spooler_assign(&sp, &it, now)) != 0)
		return r;
	if (id != NULL)
		memcpy(id, it.r.id, TES_REPORT_ID_LEN);
	if (it.pending != 0)
		return 1;
	return tes_spooler_add(&sp, &it, sig_pattern, now);
}

/* Pending entries by verdict: counts[verdict]. */
static size_t
count_pending(size_t counts[4])
{
	struct tes_spooler_entry e;
	size_t pos = 0, n = 0;

	memset(counts, 0, 4 * sizeof counts[0]);
	while (tes_spooler_next(&sp, &pos, &e) == 0) {
		counts[e.verdict & 3]++;
		n++;
	}
	return n;
}

static void
sample_add(struct tes_spool_add *a)
{
	memset(a, 0, sizeof *a);
	a->user_len = 5;
	memcpy(a->user, "alice", 5);
	a->spooled_at = t0;
	eng_sample_report(&a->report);
	a->report.loc_len = 3;
	memcpy(a->report.loc, "E-5", 3);
	memset(a->sig, 0x77, sizeof a->sig);
}

/* Records encode, walk and decode back to what went in; tags are checked; bad frames are refused. */
static void
test_spool_codec(void)
{
	static const uint8_t k1[TES_SPOOL_KEY_LEN] = { 1 }, k2[TES_SPOOL_KEY_LEN] = { 2 };
	uint8_t salt[TES_SPOOL_SALT_LEN], got[TES_SPOOL_SALT_LEN], buf[2048], in[TES_SPOOL_ID_INPUT_MAX];
	struct tes_spool_add a, a2;
	struct tes_spool_done d = { .status = TES_SPOOL_CONFLICT, .at = t0 }, d2;
	struct tes_spool_seen sn = { .observed = t0, .first = t0 + 5 }, sn2;
	struct tes_spool_rec rec;
	size_t n, used, off;
	int r;

	memset(salt, 0xab, sizeof salt);
	tes_spool_hdr_encode(salt, buf);
	OK(tes_spool_hdr_decode(buf, TES_SPOOL_HDR_LEN, got) == 0 && memcmp(got, salt, sizeof salt) == 0 &&
		   memcmp(buf, "TESSPOOL\1\0\0\0\0\0\0\0", 16) == 0,
	   "header: magic, version, zeros, salt (MUST-SP3)");
	EQ_INT(tes_spool_hdr_decode(buf, 31, got), TES_ERR_TRUNCATED, "a short header is torn");
	buf[9] = 1;
	EQ_INT(tes_spool_hdr_decode(buf, 32, got), TES_ERR_FORMAT, "a reserved byte not zero is refused");
	buf[9] = 0;
	buf[8] = 2;
	EQ_INT(tes_spool_hdr_decode(buf, 32, got), TES_ERR_VERSION, "another version is told apart");
	buf[8] = 1;
	n = TES_SPOOL_HDR_LEN;

	sample_add(&a);
	r = tes_spool_add_encode(k1, &a, buf + n, sizeof buf - n, &used);
	OK(r == 0 && used == TES_SPOOL_OVERHEAD + TES_SPOOL_ADD_FIXED + 5 + 62 + 6 + 3,
	   "ADD encodes (%zu bytes)", used);
	n += used;
	memset(d.id, 0x22, sizeof d.id);
	r = tes_spool_done_encode(k2, &d, buf + n, sizeof buf - n, &used);
	OK(r == 0 && used == 2 + TES_SPOOL_DONE_LEN, "DONE encodes");
	n += used;
	memset(sn.digest, 0x33, sizeof sn.digest);
	memset(sn.id, 0x44, sizeof sn.id);
	r = tes_spool_seen_encode(k2, &sn, buf + n, sizeof buf - n, &used);
	OK(r == 0 && used == 2 + TES_SPOOL_SEEN_LEN, "SEEN encodes");
	n += used;

	off = TES_SPOOL_HDR_LEN;
	r = tes_spool_next(buf, n, off, &rec);
	OK(r == 0 && rec.type == TES_SPOOL_ADD && tes_spool_add_decode(buf + off, rec.len, &a2) == 0 &&
		   a2.user_len == 5 && strcmp(a2.user, "alice") == 0 && a2.spooled_at == t0 &&
		   a2.report.speed == 93 && memcmp(a2.sig, a.sig, TES_RSA_LEN) == 0 &&
		   a2.report.loc_len == 3 && memcmp(a2.report.loc, "E-5", 3) == 0,
	   "ADD walks and decodes to what went in (MUST-SP5)");
	OK(tes_spool_verify(k1, buf + off, rec.len) == 0 &&
		   tes_spool_verify(k2, buf + off, rec.len) == TES_ERR_MAC,
	   "its tag verifies under its key only (MUST-SP7)");
	off += rec.len;
	r = tes_spool_next(buf, n, off, &rec);
	OK(r == 0 && rec.type == TES_SPOOL_DONE && tes_spool_done_decode(buf + off, rec.len, &d2) == 0 &&
		   d2.status == TES_SPOOL_CONFLICT && d2.at == t0 && memcmp(d2.id, d.id, 16) == 0 &&
		   tes_spool_verify(k2, buf + off, rec.len) == 0,
	   "DONE walks, decodes and verifies (MUST-SP6)");
	off += rec.len;
	r = tes_spool_next(buf, n, off, &rec);
	OK(r == 0 && rec.type == TES_SPOOL_SEEN && tes_spool_seen_decode(buf + off, rec.len, &sn2) == 0 &&
		   sn2.observed == t0 && sn2.first == t0 + 5 && memcmp(sn2.digest, sn.digest, 32) == 0,
	   "SEEN walks and decodes");
	buf[off + 40] ^= 1;
	EQ_INT(tes_spool_verify(k2, buf + off, rec.len), TES_ERR_MAC,
	       "one bit flipped: the tag does not verify");
	buf[off + 40] ^= 1;
	off += rec.len;
	EQ_INT(off, n, "three records, nothing else");

	/* torn and malformed */
	EQ_INT(tes_spool_next(buf, n - 1, off - rec.len, &rec), TES_ERR_TRUNCATED,
	       "the last record cut by a byte is a torn tail (MUST-SP11)");
	EQ_INT(tes_spool_next(buf, off - rec.len + 1, off - rec.len, &rec), TES_ERR_TRUNCATED,
	       "so is one byte of a record");
	memset(buf + n, 0, 700);
	EQ_INT(tes_spool_next(buf, n + 700, n, &rec), TES_ERR_TRUNCATED, "so are zeros to the end");
	buf[n + 1] = 5;
	EQ_INT(tes_spool_next(buf, n + 700, n, &rec), TES_ERR_FORMAT,
	       "a length below any record is malformed");
	buf[n + 1] = TES_SPOOL_DONE_LEN;
	buf[n + 2] = TES_SPOOL_SEEN;
	EQ_INT(tes_spool_next(buf, n + 700, n, &rec), TES_ERR_FORMAT,
	       "a length that is not its type's is malformed (MUST-SP4)");
	buf[n + 2] = 9;
	EQ_INT(tes_spool_next(buf, n + 3, n, &rec), TES_ERR_FORMAT,
	       "an unknown type is malformed, even at the end");

	/* what the decoders and encoders refuse */
	sample_add(&a);
	a.digest[3] = 1;
	EQ_INT(tes_spool_add_encode(k1, &a, buf, sizeof buf, &used), TES_ERR_FORMAT,
	       "a digest on a record that had its time is refused (MUST-SP5)");
	a.timeless = 2;
	EQ_INT(tes_spool_add_encode(k1, &a, buf, sizeof buf, &used), TES_ERR_FORMAT,
	       "a flag above 1 is refused");
	sample_add(&a);
	a.user[1] = '/';
	EQ_INT(tes_spool_add_encode(k1, &a, buf, sizeof buf, &used), TES_ERR_NAME,
	       "a bad user name is refused");
	a.user_len = 40;
	EQ_INT(tes_spool_add_encode(k1, &a, buf, sizeof buf, &used), TES_ERR_ARG,
	       "a user length past its array");
	sample_add(&a);
	a.report.speed = 0;
	EQ_INT(tes_spool_add_encode(k1, &a, buf, sizeof buf, &used), TES_ERR_SPEED, "a report out of range");
	sample_add(&a);
	EQ_INT(tes_spool_add_encode(k1, &a, buf, 100, &used), TES_ERR_SPACE, "no room");
	r = tes_spool_add_encode(k1, &a, buf, sizeof buf, &used);
	buf[4] = '/';
	OK(r == 0 && tes_spool_add_decode(buf, used, &a2) == TES_ERR_NAME,
	   "the decoder refuses a bad user name");
	buf[4] = 'a';
	OK(tes_spool_add_decode(buf, used - 1, &a2) != 0 && tes_spool_add_decode(buf, used, &a2) == 0,
	   "and a record one byte short");
	d.status = 0;
	EQ_INT(tes_spool_done_encode(k2, &d, buf, sizeof buf, &used), TES_ERR_FORMAT,
	       "DONE status 0 is refused");
	d.status = TES_SPOOL_DROPPED;
	r = tes_spool_done_encode(k2, &d, buf, sizeof buf, &used);
	buf[2 + 1 + 16] = 6;
	OK(r == 0 && tes_spool_done_decode(buf, used, &d2) == TES_ERR_FORMAT, "the decoder refuses status 6");

	/* the canonical bytes of ids */
	sample_add(&a);
	r = tes_spool_id_input(&a.report, 1, in, sizeof in, &used);
	OK(r == 0 && used == 14 + 6 + 3 && in[0] == 6 && memcmp(in + 1, "AB123C", 6) == 0 &&
		   tes_cur_dec64be(in + used - 8) == a.report.time,
	   "id input: the fields, length-prefixed, then the time (MUST-SP9)");
	r = tes_spool_id_input(&a.report, 0, in, sizeof in, &used);
	OK(r == 0 && used == 14 + 6 + 3 && memcmp(in, "timeless", 8) == 0 && in[8] == 6,
	   "timeless input: \"timeless\", then the fields, no time");
	a.report.loc_len = 65;
	EQ_INT(tes_spool_id_input(&a.report, 1, in, sizeof in, &used), TES_ERR_ARG,
	       "a length past its array");
}

/* Directory and file modes; a spool directory others may read is refused by name. */
static void
test_spool_dir(void)
{
	const char *dir = spool_dir("modes.spool");
	char err[256];
	int r;

	OK(sp_open(dir, &eng_unit_key, t0) == 0 && sp.info.created, "a missing spool is made");
	OK(util_mode(dir, ".") == 0700 && util_mode(dir, "spool") == 0600 && util_mode(dir, "lock") == 0600 &&
		   util_size(dir, "spool") == TES_SPOOL_HDR_LEN,
	   "directory 0700, spool and lock 0600, a header alone (MUST-SP1)");
	tes_spooler_close(&sp);
	chmod(dir, 0750);
	r = tes_spooler_open(&sp, dir, &eng_unit_key, t0, err, sizeof err);
	OK(r == TES_ERR_KEY && strstr(err, dir) != NULL && strstr(err, "chmod 700") != NULL,
	   "a directory group may read is refused, named: %s", err);
	chmod(dir, 0700);
	chmod(util_scratch_path("modes.spool/spool"), 0644);
	r = tes_spooler_open(&sp, dir, &eng_unit_key, t0, err, sizeof err);
	OK(r == TES_ERR_KEY && strstr(err, "spool") != NULL, "so is a spool file others may read: %s", err);
	chmod(util_scratch_path("modes.spool/spool"), 0600);
	OK(sp_open(dir, &eng_unit_key, t0) == 0 && !sp.info.created, "and with the modes back it opens");
	tes_spooler_close(&sp);
}

/*
 * A spool read without the unit key (spec/SPOOL.md#listing MUST-SP19): nothing made or written,
 * a DONE believed for the listing even when its tag is forged, no write allowed after it.
 */
static void
test_spool_peek(void)
{
	static const uint8_t forged_key[TES_SPOOL_KEY_LEN] = { 9 };
	const char *dir = spool_dir("peek.spool"), *missing = spool_dir("peek-missing.spool");
	struct tes_spool_done d = { .status = TES_SPOOL_QUEUED, .at = t0 + 2 };
	uint8_t id1[TES_REPORT_ID_LEN], rec[2 + TES_SPOOL_DONE_LEN];
	char err[256];
	size_t used;
	long size;
	int r, fd;

	r = tes_spooler_peek(&sp, missing, err, sizeof err);
	OK(r == TES_ERR_NOTFOUND && strstr(err, missing) != NULL && util_mode(missing, ".") == -1,
	   "a missing spool directory is named, not made: %s", err);
	OK(sp_open(dir, &eng_unit_key, t0) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0,
	   "open, alice");
	r = spool_one("PK1", 90, t0 - 10, t0, id1);
	r = r ? r : spool_one("PK2", 91, t0 - 9, t0, d.id);
	r = r ? r : spool_one("PK3", 92, t0 - 8, t0, NULL);
	OK(r == 0 && tes_spooler_retire(&sp, id1, TES_SPOOL_QUEUED, t0 + 1) == 0 &&
		   tes_spooler_sync(&sp) == 0,
	   "three entries, the first retired");
	tes_spooler_close(&sp);
	/* PK2 retired by a DONE under a key that is not the device key */
	r = tes_spool_done_encode(forged_key, &d, rec, sizeof rec, &used);
	fd = open(util_scratch_path("peek.spool/spool"), O_WRONLY | O_APPEND);
	OK(r == 0 && fd >= 0 && write(fd, rec, used) == (ssize_t)used, "a forged DONE appended");
	if (fd >= 0)
		close(fd);
	size = util_size(dir, "spool");
	r = tes_spooler_peek(&sp, dir, err, sizeof err);
	OK(r == 0 && tes_spooler_pending(&sp) == 1 && sp.info.unusable == 0,
	   "without the key the forged DONE is believed: one entry waits (MUST-SP19)");
	EQ_INT(tes_spooler_password(&sp, "alice", 5, pw_right, 13), TES_ERR_STATE,
	       "no password after a peek");
	EQ_INT(tes_spooler_sync(&sp), TES_ERR_STATE, "nor any write");
	tes_spooler_close(&sp);
	OK(util_size(dir, "spool") == size, "the file is as it was");
	OK(sp_open(dir, &eng_unit_key, t0 + 3) == 0 && tes_spooler_pending(&sp) == 2 && sp.info.unusable == 1,
	   "with the key the forged DONE does not verify: two entries wait, one record unusable");
	tes_spooler_close(&sp);
}

/* Entries survive a reopen in order; verdicts: this user's, another user's, a wrong password. */
static void
test_spool_users(void)
{
	const char *dir = spool_dir("users.spool");
	struct tes_spooler_entry e;
	char line[256];
	size_t c[4], pos = 0;
	int r;

	OK(sp_open(dir, &eng_unit_key, t0) == 0, "open");
	EQ_INT(spool_one("AB1", 90, t0 - 60, t0, NULL), TES_ERR_STATE, "no entry without a password");
	OK(tes_spooler_password(&sp, "alice", 5, pw_right, strlen(pw_right)) == 0, "alice's password");
	EQ_INT(tes_spooler_password(&sp, "alice", 5, pw_right, strlen(pw_right)), TES_ERR_STATE,
	       "a second password in one open is refused: the unit secret is wiped");
	r = spool_one("AB1", 90, t0 - 60, t0, NULL);
	r = r ? r : spool_one("AB2", 91, t0 - 50, t0 + 1, NULL);
	OK(r == 0 && tes_spooler_sync(&sp) == 0, "two entries added and synced");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 10) == 0 && sp.info.pending == 2,
	   "they are there after a reopen");
	OK(tes_spooler_next(&sp, &pos, &e) == 0 && e.decoded && strcmp(e.add.report.plate, "AB1") == 0 &&
		   e.verdict == TES_SPOOLER_UNCHECKED,
	   "oldest first, unchecked without a password");
	tes_spooler_line(&e, line, sizeof line);
	OK(strstr(line, " AB1 alice 2025-12-31T23:59:") != NULL ||
		   strstr(line, " AB1 alice 2026-01-01T00:00:00Z"),
	   "listed: %s", line);
	OK(tes_spooler_password(&sp, "bob", 3, pw_right, strlen(pw_right)) == 0 && count_pending(c) == 2 &&
		   c[TES_SPOOLER_OTHER] == 2,
	   "to bob they are another user's");
	r = spool_one("BB1", 70, t0 - 30, t0 + 10, NULL);
	OK(r == 0 && tes_spooler_sync(&sp) == 0, "bob adds one");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 20) == 0 &&
		   tes_spooler_password(&sp, "alice", 5, pw_wrong, strlen(pw_wrong)) == 0 &&
		   count_pending(c) == 3 && c[TES_SPOOLER_BAD] == 2 && c[TES_SPOOLER_OTHER] == 1,
	   "with a wrong password alice's entries do not verify (MUST-SP7)");
	r = spool_one("CC1", 80, t0 - 20, t0 + 20, NULL);
	OK(r == 0 && tes_spooler_sync(&sp) == 0, "an entry made under the wrong password");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 30) == 0 &&
		   tes_spooler_password(&sp, "alice", 5, pw_right, strlen(pw_right)) == 0 &&
		   count_pending(c) == 4 && c[TES_SPOOLER_MINE] == 2 && c[TES_SPOOLER_BAD] == 1 &&
		   c[TES_SPOOLER_OTHER] == 1,
	   "the right password: hers verify, the one made without it does not (MUST-SP8)");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_server_key, t0 + 40) == 0 &&
		   tes_spooler_password(&sp, "alice", 5, pw_right, strlen(pw_right)) == 0 &&
		   count_pending(c) == 4 && c[TES_SPOOLER_MINE] == 0 && c[TES_SPOOLER_BAD] == 3,
	   "the right password on another unit key: nothing verifies");
	tes_spooler_close(&sp);
}

/* Ids: the same record gets the same id; a timeless one is remembered for 24 hours. */
static void
test_spool_ids(void)
{
	const char *dir = spool_dir("ids.spool");
	struct tes_spooler_item it, it2;
	uint8_t id1[16], id2[16];
	uint64_t t;
	int r;

	OK(sp_open(dir, &eng_unit_key, t0) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0,
	   "open, password");
	item(&it, "ID1", 90, t0 - 100);
	item(&it2, "ID1", 90, t0 - 100);
	OK(tes_spooler_assign(&sp, &it, t0) == 0 && tes_spooler_assign(&sp, &it2, t0 + 5) == 0 &&
		   memcmp(it.r.id, it2.r.id, 16) == 0 && it.pending == 0,
	   "a record with its time: the same id every time (MUST-SP9)");
	item(&it2, "ID1", 91, t0 - 100);
	OK(tes_spooler_assign(&sp, &it2, t0) == 0 && memcmp(it.r.id, it2.r.id, 16) != 0,
	   "another speed, another id");
	OK(tes_spooler_add(&sp, &it, sig_pattern, t0) == 0 && tes_spooler_assign(&sp, &it2, t0) == 0,
	   "added");
	item(&it2, "ID1", 90, t0 - 100);
	OK(tes_spooler_assign(&sp, &it2, t0) == 0 && it2.pending == TES_SPOOLER_MINE &&
		   tes_spooler_add(&sp, &it2, sig_pattern, t0) == TES_ERR_EXISTS,
	   "while it waits, the same record is not added again");
	item(&it2, "ID2", 99, t0 - 100);
	memcpy(it2.r.id, it.r.id, 16);
	it2.has_id = 1;
	EQ_INT(tes_spooler_assign(&sp, &it2, t0), TES_ERR_EXISTS, "its id on other content is a conflict");

	/* timeless */
	r = spool_one("TL1", 120, 0, t0, id1);
	item(&it, "TL1", 120, 0);
	OK(r == 0 && tes_spooler_assign(&sp, &it, t0 + 60) == 0 && it.remembered && it.r.time == t0 &&
		   memcmp(it.r.id, id1, 16) == 0 && it.pending == TES_SPOOLER_MINE,
	   "a timeless record run again while it waits: same time and id, not added (MUST-SP10)");
	OK(tes_spooler_retire(&sp, id1, TES_SPOOL_QUEUED, t0 + 70) == 0 && tes_spooler_sync(&sp) == 0,
	   "its receipt retires it");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 3600) == 0 && sp.info.dropped >= 1 &&
		   tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0,
	   "reopened an hour later: compacted");
	item(&it, "TL1", 120, 0);
	OK(tes_spooler_assign(&sp, &it, t0 + 3600) == 0 && it.remembered && it.r.time == t0 &&
		   memcmp(it.r.id, id1, 16) == 0 && it.pending == 0,
	   "run again after its receipt, within 24 h: same time and id (sent again: DUPLICATE)");
	OK(tes_spooler_add(&sp, &it, sig_pattern, t0 + 3600) == 0 &&
		   tes_spooler_retire(&sp, it.r.id, TES_SPOOL_DUPLICATE, t0 + 3601) == 0,
	   "spooled again and retired");
	t = t0 + TES_SPOOLER_WINDOW + 1;
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0,
	   "reopened a day later");
	r = spool_one("TL1", 120, 0, t, id2);
	OK(r == 0 && memcmp(id1, id2, 16) != 0, "after 24 h the same input is a new observation: a new id");
	tes_spooler_close(&sp);
}

/* Torn tails are cut, malformed tails quarantined, bad tags kept; compaction keeps what waits. */
static void
test_spool_repair(void)
{
	const char *dir = spool_dir("repair.spool");
	char spath[UTIL_PATH_MAX], qpath[UTIL_PATH_MAX];
	static const uint8_t junk[] = { 0x00, 0x05, 0x01, 0xff, 0xfe };
	uint8_t id[16], id2[16], id3[16], *f;
	size_t n, good, c[4];
	long before;
	int r;

	util_path(spath, dir, "spool");
	OK(sp_open(dir, &eng_unit_key, t0) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0,
	   "open, password");
	r = spool_one("RP1", 90, t0 - 10, t0, id);
	r = r ? r : spool_one("RP2", 91, t0 - 10, t0, id2);
	r = r ? r : spool_one("RP3", 92, t0 - 10, t0, id3);
	OK(r == 0 && tes_spooler_retire(&sp, id, TES_SPOOL_QUEUED, t0) == 0 && tes_spooler_sync(&sp) == 0,
	   "three entries, one retired");
	tes_spooler_close(&sp);
	before = util_size(dir, "spool");
	OK(sp_open(dir, &eng_unit_key, t0 + 1) == 0 && sp.info.dropped == 2 && sp.info.pending == 2 &&
		   util_size(dir, "spool") < before,
	   "compaction drops the retired entry and its DONE, keeps the two waiting (MUST-SP12)");
	tes_spooler_close(&sp);
	good = (size_t)util_size(dir, "spool");

	/* a torn tail: half a record */
	f = util_file_read(spath, &n);
	OK(f != NULL && n == good, "read the spool");
	memcpy(f + n, f + TES_SPOOL_HDR_LEN,
	       1); /* the first byte of a record: util_file_read leaves a spare byte */
	util_file_write(spath, f, n + 1, 0600);
	OK(sp_open(dir, &eng_unit_key, t0 + 2) == 0 && sp.info.torn == 1 &&
		   util_size(dir, "spool") == (long)good && sp.info.pending == 2,
	   "a torn last record is cut, the rest kept (MUST-SP11)");
	tes_spooler_close(&sp);
	free(f);

	/* a malformed tail */
	f = util_file_read(spath, &n);
	f = realloc(f, n + sizeof junk);
	memcpy(f + n, junk, sizeof junk);
	util_file_write(spath, f, n + sizeof junk, 0600);
	OK(sp_open(dir, &eng_unit_key, t0 + 3) == 0 && sp.info.quarantined == sizeof junk &&
		   util_size(dir, "spool") == (long)good && sp.info.pending == 2,
	   "a malformed tail goes to %s", sp.info.quarantine);
	util_path(qpath, dir, sp.info.quarantine);
	tes_spooler_close(&sp);
	free(f);
	f = util_file_read(qpath, &n);
	OK(f != NULL && n == sizeof junk && memcmp(f, junk, n) == 0 &&
		   util_mode(dir, sp.info.quarantine) == 0600,
	   "with exactly those bytes, 0600");
	free(f);

	/* a bad tag: the first entry's last byte */
	f = util_file_read(spath, &n);
	f[TES_SPOOL_HDR_LEN + tes_cur_dec16be(f + TES_SPOOL_HDR_LEN) + 1] ^= 1;
	util_file_write(spath, f, n, 0600);
	free(f);
	OK(sp_open(dir, &eng_unit_key, t0 + 4) == 0 &&
		   tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0 && count_pending(c) == 2 &&
		   c[TES_SPOOLER_BAD] == 1 && c[TES_SPOOLER_MINE] == 1,
	   "an entry whose tag is damaged is reported, not sent (MUST-SP7)");
	OK(tes_spooler_retire(&sp, id3, TES_SPOOL_QUEUED, t0 + 5) == 0 &&
		   tes_spooler_retire(&sp, id2, TES_SPOOL_QUEUED, t0 + 5) == 0 && tes_spooler_sync(&sp) == 0,
	   "a DONE for each");
	tes_spooler_close(&sp);
	/* damage the last DONE's tag (the one for the entry with the bad tag) */
	f = util_file_read(spath, &n);
	f[n - 1] ^= 1;
	util_file_write(spath, f, n, 0600);
	free(f);
	OK(sp_open(dir, &eng_unit_key, t0 + 6) == 0 && sp.info.dropped == 2 && sp.info.pending == 1 &&
		   sp.info.unusable == 1,
	   "compaction: the retired entry goes, the damaged DONE stays and retires nothing");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 7) == 0 && sp.info.dropped == 0 && sp.info.unusable == 1 &&
		   tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0 && count_pending(c) == 1 &&
		   c[TES_SPOOLER_BAD] == 1,
	   "and at every open after: damaged records are never removed, the entry never sent");
	tes_spooler_close(&sp);
}

/* A refused login: what this run added is dropped, what waited before stays. */
static void
test_spool_drop(void)
{
	const char *dir = spool_dir("drop.spool");
	size_t n = 0, c[4];
	int r;

	OK(sp_open(dir, &eng_unit_key, t0) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0 &&
		   spool_one("DR1", 90, t0 - 10, t0, NULL) == 0 && tes_spooler_sync(&sp) == 0,
	   "one entry from an earlier run");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 1) == 0 &&
		   tes_spooler_password(&sp, "alice", 5, pw_wrong, 14) == 0,
	   "a run with a wrong password");
	r = spool_one("DR2", 91, t0 - 10, t0 + 1, NULL);
	r = r ? r : spool_one("DR3", 92, t0 - 10, t0 + 1, NULL);
	OK(r == 0 && tes_spooler_sync(&sp) == 0 && tes_spooler_drop_added(&sp, t0 + 2, &n) == 0 && n == 2 &&
		   tes_spooler_pending(&sp) == 1,
	   "its login refused: the two it added are dropped (MUST-SP14)");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 3) == 0 && sp.info.pending == 1 &&
		   tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0 && count_pending(c) == 1 &&
		   c[TES_SPOOLER_MINE] == 1,
	   "the earlier entry still waits, and verifies");
	tes_spooler_close(&sp);
}

/* The header: another version is left alone; one that is not a header is quarantined whole. */
static void
test_spool_header(void)
{
	const char *dir = spool_dir("hdr.spool");
	char spath[UTIL_PATH_MAX], err[256];
	uint8_t *f;
	size_t n;
	int r;

	util_path(spath, dir, "spool");
	OK(sp_open(dir, &eng_unit_key, t0) == 0, "a new spool");
	tes_spooler_close(&sp);
	f = util_file_read(spath, &n);
	f[8] = 2;
	util_file_write(spath, f, n, 0600);
	r = tes_spooler_open(&sp, dir, &eng_unit_key, t0, err, sizeof err);
	free(f);
	f = util_file_read(spath, &n);
	OK(r == TES_ERR_VERSION && f != NULL && f[8] == 2 && strstr(err, "another version") != NULL,
	   "another version: refused, the file left as it is (MUST-SP3)");
	f[0] = 'X';
	util_file_write(spath, f, n, 0600);
	free(f);
	OK(sp_open(dir, &eng_unit_key, t0) == 0 && sp.info.quarantined == TES_SPOOL_HDR_LEN &&
		   util_size(dir, "spool") == TES_SPOOL_HDR_LEN,
	   "a file that is not a spool is quarantined whole, a new one made");
	tes_spooler_close(&sp);
}

/* Two processes: the second waits for the first's lock, then sees what it spooled (MUST-SP2). */
static void
test_spool_lock(void)
{
	const char *dir = spool_dir("lock.spool");
	int fds[2], status = -1, saved, lfd;
	char c = 0, log[UTIL_PATH_MAX], line[256], cmd[UTIL_PATH_MAX + 80];
	struct timespec a, b;
	pid_t pid;
	double secs;

	util_path(log, util_scratch(), "lock.err");
	if (pipe(fds) != 0)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		if (sp_open(dir, &eng_unit_key, t0) != 0 ||
		    tes_spooler_password(&sp, "alice", 5, pw_right, 13) != 0 ||
		    spool_one("LK1", 90, t0 - 10, t0, NULL) != 0 || tes_spooler_sync(&sp) != 0)
			_exit(1);
		(void)!write(fds[1], "x", 1);
		usleep(700 * 1000);
		tes_spooler_close(&sp);
		_exit(0);
	}
	close(fds[1]);
	OK(pid > 0 && read(fds[0], &c, 1) == 1 && c == 'x', "a child holds the spool");
	close(fds[0]);
	saved = dup(2);
	lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(lfd, 2);
	close(lfd);
	clock_gettime(CLOCK_MONOTONIC, &a);
	OK(sp_open(dir, &eng_unit_key, t0 + 1) == 0, "the parent's open returns");
	clock_gettime(CLOCK_MONOTONIC, &b);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	OK(sp.info.waited == 1 && secs > 0.3, "after waiting %.2f s for the child's lock", secs);
	snprintf(cmd, sizeof cmd, "grep -c 'waiting for another tes-police using the spool' %s", log);
	OK(util_sh_line(cmd, line, sizeof line) == 0 && strcmp(line, "1") == 0, "saying so once");
	OK(sp.info.pending == 1, "and the child's entry is there");
	tes_spooler_close(&sp);
	OK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the child went fine");
}

/* A failed write stops every later one; the file stays what it was (MUST-SP13). */
static void
test_spool_failure(void)
{
	const char *dir = spool_dir("fail.spool");
	int fd;

	OK(sp_open(dir, &eng_unit_key, t0) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0 &&
		   spool_one("FA1", 90, t0 - 10, t0, NULL) == 0 && tes_spooler_sync(&sp) == 0,
	   "one entry spooled");
	fd = sp.fd;
	sp.fd = -1;
	EQ_INT(spool_one("FA2", 91, t0 - 10, t0, NULL), TES_ERR_IO, "a write that fails");
	sp.fd = fd;
	OK(spool_one("FA3", 92, t0 - 10, t0, NULL) == TES_ERR_IO && tes_spooler_sync(&sp) == TES_ERR_IO,
	   "then every write and sync fails, though the descriptor is back");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 1) == 0 && sp.info.pending == 1 && sp.info.torn == 0,
	   "the spool holds what was synced");
	tes_spooler_close(&sp);
}

/* A full spool refuses new entries, and still takes a DONE for every one (MUST-SP15). */
static void
test_spool_full(void)
{
	const char *dir = spool_dir("full.spool");
	uint8_t first[16];
	char plate[16];
	size_t i;
	int r = 0;

	OK(sp_open(dir, &eng_unit_key, t0) == 0 && tes_spooler_password(&sp, "alice", 5, pw_right, 13) == 0,
	   "open, password");
	for (i = 0; i < TES_SPOOLER_PENDING_MAX && r == 0; i++) {
		snprintf(plate, sizeof plate, "F%zu", i);
		r = spool_one(plate, 90, t0 - 10, t0, i == 0 ? first : NULL);
	}
	OK(r == 0 && tes_spooler_pending(&sp) == TES_SPOOLER_PENDING_MAX, "%d entries",
	   TES_SPOOLER_PENDING_MAX);
	EQ_INT(spool_one("FULL1", 90, t0 - 10, t0, NULL), TES_ERR_SPACE, "one more: spool full");
	OK(tes_spooler_retire(&sp, first, TES_SPOOL_QUEUED, t0) == 0 &&
		   spool_one("FULL1", 90, t0 - 10, t0, NULL) == 0,
	   "a receipt makes room for one");
	OK(tes_spooler_sync(&sp) == 0, "synced");
	tes_spooler_close(&sp);
	OK(sp_open(dir, &eng_unit_key, t0 + 1) == 0 && sp.info.pending == TES_SPOOLER_PENDING_MAX &&
		   sp.info.dropped == 2,
	   "all there after a reopen");
	tes_spooler_close(&sp);
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
	/* Argon2id at a test cost (crypto/passwd.h), before the first key is derived */
	setenv("TES_ARGON2_MEMORY_KIB", "64", 1);
	if (util_scratch_init("police") != 0)
		return 1;
	test_spool_codec();
	test_spool_dir();
	test_spool_users();
	test_spool_peek();
	test_spool_ids();
	test_spool_repair();
	test_spool_drop();
	test_spool_header();
	test_spool_lock();
	test_spool_failure();
	test_spool_full();
	util_scratch_remove();
	eng_keys_wipe();
	return tap_done();
}
