/* SPDX-License-Identifier: ISC */
/*
 * The two session engines talking to each other in memory, with real
 * cryptography, for the engines' unit tests (tests/unit/police_test.c: the
 * client engine, police/client_engine.h; tests/unit/officer_test.c: the
 * server engine, officer/engine.h). The test plays the master for the
 * server engine: it checks the unit and unwraps the pre-master secret with
 * a test server key (as server.c does), accepts or refuses the login, and
 * answers a report with its receipt (QUEUED, or the status the test chose).
 *
 * A session is the list of steps below, each one frame or one call; a test
 * runs the first n of them to bring the engine it tests into a state, then
 * feeds that engine something else. Frames travel through two queues (what
 * the client sent, what the server sent) so a test can take the next frame
 * out, change it, and hand it in itself. What both tests do to the engine
 * they test is here too, for either side (enum eng_side): reach a state of
 * its table (struct eng_state), feed it a frame of each type, cut its frame.
 */
#ifndef TES_TESTS_ENGINES_H
#define TES_TESTS_ENGINES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/wipe.h"
#include "crypto/handshake.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "officer/engine.h"
#include "police/client_engine.h"
#include "tap.h"
#include "wire/frame.h"

/* The steps of a whole session (eng_step runs step k). */
enum eng_step {
	ENG_CH_TO_SERVER = 1,       /* server: WAIT_HELLO -> WAIT_KX, SERVER_HELLO out */
	ENG_SH_TO_CLIENT = 2,       /* client: WAIT_SH -> WAIT_PIN, event SERVER_KEY */
	ENG_CLIENT_PIN = 3,         /* client: WAIT_PIN -> WAIT_FIN, KEY_EXCHANGE + FINISHED out */
	ENG_KX_TO_SERVER = 4,       /* server: WAIT_KX -> WAIT_FIN */
	ENG_FIN_TO_SERVER = 5,      /* server: WAIT_FIN -> WAIT_HS_ANS, HANDSHAKE request */
	ENG_MASTER_HS = 6,          /* server: -> READY, FINISHED out */
	ENG_FIN_TO_CLIENT = 7,      /* client: WAIT_FIN -> READY, event ESTABLISHED */
	ENG_CLIENT_LOGIN = 8,       /* client: READY -> WAIT_LOGIN, LOGIN out */
	ENG_LOGIN_TO_SERVER = 9,    /* server: READY -> WAIT_LOGIN_ANS */
	ENG_MASTER_LOGIN = 10,      /* server: -> READY, LOGIN_RESULT out */
	ENG_RESULT_TO_CLIENT = 11,  /* client: WAIT_LOGIN -> READY, event LOGIN */
	ENG_CLIENT_REPORT = 12,     /* client: READY -> WAIT_RECEIPT, REPORT out */
	ENG_REPORT_TO_SERVER = 13,  /* server: READY -> WAIT_REPORT_ANS */
	ENG_MASTER_REPORT = 14,     /* server: -> READY, RECEIPT out */
	ENG_RECEIPT_TO_CLIENT = 15, /* client: WAIT_RECEIPT -> READY, event RECEIPT */
	ENG_CLIENT_BYE = 16,        /* client: READY -> DONE, BYE out */
	ENG_BYE_TO_SERVER = 17,     /* server: READY -> DONE */
	ENG_STEPS = 17
};

/* One frame queue: whole frames, oldest first. */
struct eng_queue {
	uint8_t buf[4 * TES_FRAME_MAX];
	size_t n;
};

struct eng_pair {
	struct tes_client_engine c;
	struct tes_engine s;
	struct tes_client_engine_out co;
	struct tes_engine_out so;
	struct tes_mon_init init;
	struct eng_queue c2s, s2c;
	struct tes_mon_msg req; /* the server's pending request for the master */
	int has_req;
	/* what the test changes: the client's pin verdict and report, the master's answers */
	int pin_verdict;
	int refuse_unit, wrong_pms, refuse_login;
	uint8_t receipt_status; /* the master's answer to a report: 0 queues it, else this status */
	uint8_t features;       /* the LOGIN's feature bits (TES_LOGIN_FEAT_SESSION: ask for SESSION) */
	int refuse_resume;      /* the master refuses the ticket */
	uint8_t res_secret[TES_HASH_LEN]; /* the master's resumption secret (its "ticket" is TICKET) */
	int heartbeats;                   /* HEARTBEAT notices the master got */
	struct tes_report rep;
	uint8_t suite;
	/* what happened */
	int pin_calls;
	uint64_t number; /* violation numbers handed out */
};

/*
 * The test server's key and the unit's key (made once by eng_keys, which stops the TAP run with
 * "Bail out!" when it cannot) and the unit's key id.
 */
static struct tes_rsa_priv eng_server_key, eng_unit_key;
static uint8_t eng_unit_id[TES_KEYID_LEN];

static inline int
eng_keys(void)
{
	int r;

	if ((r = tes_rng_init()) != 0 || (r = tes_rsa_generate(&eng_server_key)) != 0 ||
	    (r = tes_rsa_generate(&eng_unit_key)) != 0) {
		printf("Bail out! no test keys\n");
		return r;
	}
	tes_rsa_keyid(&eng_unit_key.pub, eng_unit_id);
	return 0;
}

/* The two keys wiped at the end of a run. */
static inline void
eng_keys_wipe(void)
{
	TES_WIPE_CTX(&eng_server_key);
	TES_WIPE_CTX(&eng_unit_key);
}

static inline void
eng_queue_put(struct eng_queue *q, const uint8_t *f, size_t n)
{
	if (n > sizeof q->buf - q->n) {
		fprintf(stderr, "engines.h: queue overflow\n");
		return;
	}
	memcpy(q->buf + q->n, f, n);
	q->n += n;
}

/* Take the oldest whole frame out of q into f (TES_FRAME_MAX bytes); its length, or 0 if none. */
static inline size_t
eng_queue_take(struct eng_queue *q, uint8_t *f)
{
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t used;

	if (q->n == 0 || tes_frame_decode(q->buf, q->n, &h, &p, &used) != 0)
		return 0;
	memcpy(f, q->buf, used);
	memmove(q->buf, q->buf + used, q->n - used);
	q->n -= used;
	return used;
}

/* A report the unit may send: speeding, a minute ago (the clock is not the engines' concern). */
static inline void
eng_sample_report(struct tes_report *r)
{
	memset(r, 0, sizeof *r);
	memset(r->id, 0x22, sizeof r->id);
	memcpy(r->unit_key, eng_unit_id, TES_KEYID_LEN);
	r->plate_len = 6;
	memcpy(r->plate, "AB123C", 6);
	r->speed = 93;
	r->limit = 50;
	r->time = TES_TIME_MIN + 86400;
}

/* A fresh pair: the server engine started with the test server key, the client's hello queued. */
static inline int
eng_pair_init(struct eng_pair *p, uint8_t suite, int allow_des)
{
	int r;

	memset(p, 0, sizeof *p);
	tes_rng_bytes(p->init.server_random, TES_RANDOM_LEN);
	memcpy(p->init.n, eng_server_key.pub.n, TES_RSA_LEN);
	p->init.e_len = eng_server_key.pub.elen;
	memcpy(p->init.e, eng_server_key.pub.e, eng_server_key.pub.elen);
	p->init.allow_des = (uint8_t)allow_des;
	p->init.idle_timeout = 30;
	p->init.rekey_records = TES_REKEY_RECORDS;
	p->init.rekey_bytes = TES_REKEY_BYTES;
	p->suite = suite;
	eng_sample_report(&p->rep);
	tes_engine_init(&p->s, &p->init);
	if ((r = tes_client_engine_init(&p->c, suite, eng_unit_id, &p->co)) == 0)
		eng_queue_put(&p->c2s, p->co.frame, p->co.frame_len);
	return r;
}

/* The master's unit check and key transport (server.c verify_unit and on_handshake). */
static inline void
eng_master_hs(const struct eng_pair *p, const struct tes_mon_handshake *hs, struct tes_mon_msg *ans)
{
	struct tes_server_hello sh = { .suite = hs->suite };
	uint8_t ch_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], h[TES_HASH_LEN];
	size_t chn, shn;

	ans->type = TES_MON_HANDSHAKE_ANS;
	ans->u.st.status = 1;
	memcpy(sh.random, p->init.server_random, TES_RANDOM_LEN);
	memcpy(sh.x25519, hs->server_x25519, TES_X25519_LEN);
	memcpy(sh.n, eng_server_key.pub.n, TES_RSA_LEN);
	sh.e_len = eng_server_key.pub.elen;
	memcpy(sh.e, eng_server_key.pub.e, sh.e_len);
	if (p->refuse_unit || memcmp(hs->ch.unit_key, eng_unit_id, TES_KEYID_LEN) != 0 ||
	    tes_handshake_ch_frame(&hs->ch, ch_f, &chn) != 0 || tes_handshake_sh_frame(&sh, sh_f, &shn) != 0)
		return;
	tes_handshake_unit_auth_hash(ch_f, chn, sh_f, shn, hs->kx.oaep, h);
	if (tes_rsa_verify(&eng_unit_key.pub, h, hs->kx.sig) != 0)
		return;
	if (tes_rsa_oaep_decrypt(&eng_server_key, hs->kx.oaep, ans->u.st.pms) == 0)
		ans->u.st.status = 0;
	if (p->wrong_pms)
		ans->u.st.pms[0] ^= 1;
}

/* The test master's ticket: opaque to the engines, only its bytes travel. */
static const uint8_t eng_ticket[] = "TICKET-of-alice";

/* The master's check of a resumed handshake (server.c verify_resume): the ticket, the unit signature. */
static inline void
eng_master_resume(const struct eng_pair *p, const struct tes_mon_resume *rs, struct tes_mon_msg *ans)
{
	struct tes_server_hello sh = { .suite = rs->suite };
	uint8_t rh_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], h[TES_HASH_LEN];
	size_t rhn, shn;

	ans->type = TES_MON_HANDSHAKE_ANS;
	ans->u.st.status = 1;
	memcpy(sh.random, p->init.server_random, TES_RANDOM_LEN);
	memcpy(sh.x25519, rs->server_x25519, TES_X25519_LEN);
	memcpy(sh.n, eng_server_key.pub.n, TES_RSA_LEN);
	sh.e_len = eng_server_key.pub.elen;
	memcpy(sh.e, eng_server_key.pub.e, sh.e_len);
	if (p->refuse_resume || rs->rh.ticket_len != sizeof eng_ticket ||
	    memcmp(rs->rh.ticket, eng_ticket, sizeof eng_ticket) != 0 ||
	    memcmp(rs->rh.ch.unit_key, eng_unit_id, TES_KEYID_LEN) != 0 ||
	    tes_handshake_rh_frame(&rs->rh, rh_f, &rhn) != 0 || tes_handshake_sh_frame(&sh, sh_f, &shn) != 0)
		return;
	tes_handshake_resume_auth_hash(rh_f, rhn, sh_f, shn, h);
	if (tes_rsa_verify(&eng_unit_key.pub, h, rs->ua.sig) != 0)
		return;
	ans->u.st.status = 0;
	memcpy(ans->u.st.pms, p->res_secret, TES_HASH_LEN);
	ans->u.st.lifetime = 3000;
}

/* The master's answer to the pending request. */
static inline void
eng_master(struct eng_pair *p, struct tes_mon_msg *ans)
{
	memset(ans, 0, sizeof *ans);
	switch (p->req.type) {
	case TES_MON_HANDSHAKE:
		eng_master_hs(p, &p->req.u.hs, ans);
		break;
	case TES_MON_RESUME:
		eng_master_resume(p, &p->req.u.res, ans);
		break;
	case TES_MON_LOGIN:
		ans->type = TES_MON_LOGIN_ANS;
		/* refuse_login 2: try again (the master could not record the login) */
		ans->u.st.status = p->refuse_login == 2
					   ? 2
					   : p->refuse_login || p->req.u.login.user_len != 5 ||
						     memcmp(p->req.u.login.user, "alice", 5) != 0;
		if (ans->u.st.status == 0) { /* accepted: a ticket, as server.c session_fields */
			ans->u.st.lifetime = 3600;
			ans->u.st.ticket_lifetime = 600;
			ans->u.st.ticket_len = sizeof eng_ticket;
			memcpy(ans->u.st.ticket, eng_ticket, sizeof eng_ticket);
			memcpy(ans->u.st.res_secret, p->res_secret, TES_HASH_LEN);
		}
		break;
	case TES_MON_REPORT:
		ans->type = TES_MON_REPORT_ANS;
		memcpy(ans->u.rcpt.id, p->req.u.rep.r.id, TES_REPORT_ID_LEN);
		/* a report queued gets a new number; DUPLICATE and CONFLICT name the last one stored */
		ans->u.rcpt.status = p->receipt_status ? p->receipt_status : TES_RECEIPT_QUEUED;
		ans->u.rcpt.number = p->receipt_status ? p->number : ++p->number;
		break;
	default:
		ans->type = TES_MON_INVALID;
	}
}

/* What the server engine produced goes to its queue and its request is kept. */
static inline int
eng_server_out(struct eng_pair *p, int r)
{
	if (r == 0) {
		eng_queue_put(&p->s2c, p->so.frame, p->so.frame_len);
		/* a notice without an answer (HEARTBEAT) is counted, not kept as pending */
		p->heartbeats += p->so.has_req && p->so.oneway;
		p->has_req = p->so.has_req && !p->so.oneway;
		if (p->has_req)
			p->req = p->so.req;
	}
	return r;
}

/* Feed frame f (n bytes) to the server engine. */
static inline int
eng_to_server(struct eng_pair *p, const uint8_t *f, size_t n)
{
	return eng_server_out(p, tes_engine_frame(&p->s, f, n, &p->so));
}

/* The master answers the server's pending request. */
static inline int
eng_answer(struct eng_pair *p)
{
	struct tes_mon_msg ans;

	eng_master(p, &ans);
	p->has_req = 0;
	return eng_server_out(p, tes_engine_answer(&p->s, &ans, &p->so));
}

/* Feed frame f (n bytes) to the client engine. */
static inline int
eng_to_client(struct eng_pair *p, const uint8_t *f, size_t n)
{
	int r = tes_client_engine_frame(&p->c, f, n, &p->co);

	if (r == 0)
		eng_queue_put(&p->c2s, p->co.frame, p->co.frame_len);
	return r;
}

/* What a client step produced goes to its queue. */
static inline int
eng_client_out(struct eng_pair *p, int r)
{
	if (r == 0)
		eng_queue_put(&p->c2s, p->co.frame, p->co.frame_len);
	return r;
}

/* The client answers its pin with the pair's verdict (the test's "pin check"). */
static inline int
eng_pin(struct eng_pair *p)
{
	p->pin_calls++;
	return eng_client_out(p, tes_client_engine_pin(&p->c, p->pin_verdict, &eng_unit_key, &p->co));
}

static inline int
eng_login(struct eng_pair *p, const char *user, const char *pw)
{
	struct tes_login l = { 0 };

	l.user_len = (uint8_t)strlen(user);
	l.pw_len = (uint8_t)strlen(pw);
	memcpy(l.user, user, l.user_len);
	memcpy(l.pw, pw, l.pw_len);
	l.features = p->features;
	return eng_client_out(p, tes_client_engine_login(&p->c, &l, &p->co));
}

static inline int
eng_report(struct eng_pair *p)
{
	return eng_client_out(p, tes_client_engine_report_sign(&p->c, &p->rep, &eng_unit_key, &p->co));
}

static inline int
eng_bye(struct eng_pair *p)
{
	return eng_client_out(p, tes_client_engine_bye(&p->c, &p->co));
}

/* Move the oldest frame of q into the server (to_server) or the client. */
static inline int
eng_deliver(struct eng_pair *p, struct eng_queue *q, int to_server)
{
	uint8_t f[TES_FRAME_MAX];
	size_t n = eng_queue_take(q, f);

	if (n == 0)
		return TES_ERR_TRUNCATED;
	return to_server ? eng_to_server(p, f, n) : eng_to_client(p, f, n);
}

/* Step k of the session (enum eng_step). */
static inline int
eng_step(struct eng_pair *p, int k)
{
	switch (k) {
	case ENG_CH_TO_SERVER:
	case ENG_KX_TO_SERVER:
	case ENG_FIN_TO_SERVER:
	case ENG_LOGIN_TO_SERVER:
	case ENG_REPORT_TO_SERVER:
	case ENG_BYE_TO_SERVER:
		return eng_deliver(p, &p->c2s, 1);
	case ENG_SH_TO_CLIENT:
	case ENG_FIN_TO_CLIENT:
	case ENG_RESULT_TO_CLIENT:
	case ENG_RECEIPT_TO_CLIENT:
		return eng_deliver(p, &p->s2c, 0);
	case ENG_CLIENT_PIN:
		return eng_pin(p);
	case ENG_MASTER_HS:
	case ENG_MASTER_LOGIN:
	case ENG_MASTER_REPORT:
		return p->has_req ? eng_answer(p) : TES_ERR_STATE;
	case ENG_CLIENT_LOGIN:
		return eng_login(p, "alice", "correct horse");
	case ENG_CLIENT_REPORT:
		return eng_report(p);
	case ENG_CLIENT_BYE:
		return eng_bye(p);
	default:
		return TES_ERR_ARG;
	}
}

/* A fresh pair run through steps 1 .. n: 0, or the first step's error. */
static inline int
eng_run(struct eng_pair *p, int n)
{
	int k, r;

	if ((r = eng_pair_init(p, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0)) != 0)
		return r;
	for (k = 1; k <= n; k++)
		if ((r = eng_step(p, k)) != 0)
			return r;
	return 0;
}

/* Steps from..to on a pair already run (0, or the first error). */
static inline int
eng_steps(struct eng_pair *p, int from, int to)
{
	int k, r;

	for (k = from; k <= to; k++)
		if ((r = eng_step(p, k)) != 0)
			return r;
	return 0;
}

/* Frame f (n bytes, n >= TES_FRAME_HDR_LEN) with its type byte replaced (an ALERT gets a real code). */
static inline size_t
eng_retype(uint8_t *f, size_t n, uint8_t type)
{
	static const uint8_t code = TES_ALERT_PROTOCOL;
	size_t used = n;

	if (type == TES_FRAME_ALERT)
		(void)tes_frame_encode(f, TES_FRAME_MAX, TES_FRAME_ALERT, &code, 1, &used);
	else
		f[2] = type;
	return used;
}

/* The same frame with its payload cut by k bytes at the end, header length to match. */
static inline size_t
eng_cut_payload(uint8_t *f, size_t n, size_t k)
{
	size_t len = n - TES_FRAME_HDR_LEN - k;

	f[4] = (uint8_t)(len >> 8);
	f[5] = (uint8_t)len;
	return n - k;
}

/* Frame a frame of type type with some bytes, for states whose own frame does not exist yet. */
static inline size_t
eng_some_frame(uint8_t *f, uint8_t type)
{
	static const uint8_t junk[TES_FINISHED_LEN] = { 1 };
	size_t used = 0;

	(void)tes_frame_encode(f, TES_FRAME_MAX, type, junk, sizeof junk, &used);
	return used;
}

/* The engine a test drives: the server's (officer/engine.h) or the client's (police/client_engine.h). */
enum eng_side {
	ENG_SERVER,
	ENG_CLIENT
};

static const char *const eng_side_names[] = { [ENG_SERVER] = "server", [ENG_CLIENT] = "client" };

/*
 * One row of a test's state table: a state of the engine it drives, the steps of a fresh pair that
 * reach it (enum eng_step; -1: FAILED, by an ALERT where the peer's hello belongs), the frame type it
 * takes (0: none), and for the server the master answer it waits for (0: none), for the client the
 * calls it allows (a mask of the test's).
 */
struct eng_state {
	const char *name;
	uint8_t state;
	int steps;
	uint8_t accepts;
	union {
		uint8_t answer;
		uint8_t calls;
	};
};

/* Frame f (n bytes) straight into side's engine: what it produced stays in so or co, not queued. */
static inline int
eng_feed(struct eng_pair *p, enum eng_side side, const uint8_t *f, size_t n)
{
	if (side == ENG_SERVER)
		return tes_engine_frame(&p->s, f, n, &p->so);
	return tes_client_engine_frame(&p->c, f, n, &p->co);
}

/* side's engine is FAILED and its last step produced nothing (no frame, no request for the master). */
static inline int
eng_failed(const struct eng_pair *p, enum eng_side side)
{
	if (side == ENG_SERVER)
		return p->s.state == TES_ENG_FAILED && p->so.frame_len == 0 && !p->so.has_req;
	return p->c.state == TES_CLIENT_ENG_FAILED && p->co.frame_len == 0;
}

/*
 * Bring b into a state of side's engine: a fresh pair run through steps 1 .. steps, or with steps < 0
 * the FAILED state (an ALERT where the peer's hello belongs). The peer's genuine next frame for that
 * engine goes into f (TES_FRAME_MAX bytes), its length into *n, when the state accepts a frame of
 * type accepts (not 0) or is FAILED; else *n is 0. 0, or the first error.
 */
static inline int
eng_reach(struct eng_pair *b, enum eng_side side, int steps, uint8_t accepts, uint8_t *f, size_t *n)
{
	static const uint8_t alert[] = { TES_FRAME_MAGIC, TES_PROTO_VERSION, TES_FRAME_ALERT, 0, 0, 1, 1 };
	struct eng_queue *q = side == ENG_SERVER ? &b->c2s : &b->s2c;
	int r;

	*n = 0;
	if (steps < 0) {
		if ((r = eng_run(b, side == ENG_SERVER ? 0 : ENG_CH_TO_SERVER)) != 0)
			return r;
		*n = eng_queue_take(q, f);
		return eng_feed(b, side, alert, sizeof alert) == TES_ERR_PEER ? 0 : -1;
	}
	if ((r = eng_run(b, steps)) != 0)
		return r;
	if (accepts)
		*n = eng_queue_take(q, f);
	return 0;
}

/* The error a state that accepts frames of type accepts (0: none) must give for a frame of type t. */
static inline int
eng_expected(uint8_t accepts, uint8_t t)
{
	if (accepts == 0)
		return TES_ERR_STATE;
	if (t == TES_FRAME_ALERT)
		return TES_ERR_PEER;
	return t == accepts ? 0 : TES_ERR_TYPE;
}

/*
 * Into f, a frame of type t for a state that accepts type accepts: its genuine frame g (gn bytes),
 * retyped unless t is its own type, or some frame when it has none (gn 0). Its length.
 */
static inline size_t
eng_frame_as(uint8_t *f, const uint8_t *g, size_t gn, uint8_t accepts, uint8_t t)
{
	if (gn == 0)
		return eng_retype(f, eng_some_frame(f, TES_FRAME_FINISHED), t);
	memcpy(f, g, gn);
	return t == accepts ? gn : eng_retype(f, gn, t);
}

/*
 * The genuine frame g (gn bytes) of the state base is in, cut at every length and with a byte more,
 * each fed to side's engine in a copy of base in *x: 1 when every one fails the engine (TES_ERR_FORMAT
 * for the byte more) with nothing produced.
 */
static inline int
eng_cuts_refused(struct eng_pair *x, const struct eng_pair *base, enum eng_side side, const uint8_t *g,
		 size_t gn)
{
	static uint8_t f[TES_FRAME_MAX + 1];
	size_t n;
	int all = 1;

	for (n = 0; n < gn; n++) {
		*x = *base;
		all &= eng_feed(x, side, g, n) != 0 && eng_failed(x, side);
	}
	*x = *base;
	memcpy(f, g, gn);
	f[gn] = 0;
	all &= eng_feed(x, side, f, gn + 1) == TES_ERR_FORMAT;
	return all;
}

/*
 * The same for a RECORD g with 1 .. TES_MAC_LEN bytes of its MAC cut, its header length to match:
 * 1 when every one is refused with TES_ERR_MAC and fails the engine with nothing produced.
 */
static inline int
eng_mac_cuts_refused(struct eng_pair *x, const struct eng_pair *base, enum eng_side side, const uint8_t *g,
		     size_t gn)
{
	static uint8_t f[TES_FRAME_MAX];
	size_t n, k;
	int all = 1;

	for (k = 1; k <= TES_MAC_LEN; k++) {
		*x = *base;
		memcpy(f, g, gn);
		n = eng_cut_payload(f, gn, k);
		all &= eng_feed(x, side, f, n) == TES_ERR_MAC && eng_failed(x, side);
	}
	return all;
}

/*
 * The same for the frame f (n bytes) of type t: the server's WAIT_HELLO also takes a RESUME_HELLO
 * (spec/PROTOCOL.md#resumption), so a CLIENT_HELLO retyped as one reaches its decoder, which refuses
 * it with its own error (no ticket after the hello fields); the client's READY, which waits for no
 * frame, still reads an ALERT.
 */
static inline int
eng_expected_at(enum eng_side side, uint8_t state, uint8_t accepts, uint8_t t, const uint8_t *f, size_t n)
{
	static struct tes_resume_hello rh;

	/* the client's READY expects nothing, but reads the ALERT that ends a session (rekey, busy) */
	if (side == ENG_CLIENT && state == TES_CLIENT_ENG_READY && t == TES_FRAME_ALERT)
		return TES_ERR_PEER;
	if (side == ENG_SERVER && accepts == TES_FRAME_CLIENT_HELLO && t == TES_FRAME_RESUME_HELLO &&
	    n >= TES_FRAME_HDR_LEN)
		return tes_msg_resume_hello_decode(f + TES_FRAME_HDR_LEN, n - TES_FRAME_HDR_LEN, &rh);
	return eng_expected(accepts, t);
}

/* The state side's engine is in. */
static inline uint8_t
eng_state_of(const struct eng_pair *p, enum eng_side side)
{
	return side == ENG_SERVER ? p->s.state : p->c.state;
}

/*
 * Every row of a state table against every frame type, in side's engine: b is brought into the row's
 * state (eng_reach) with its genuine frame in hand when it takes one; then, for each frame type t, a
 * copy of b in *x is fed the frame of that type (eng_frame_as) and tried(row, t, r, want, f, n) is told
 * what the engine returned, what it must return (eng_expected) and the frame a failed engine must go
 * on refusing (its genuine frame, or the one fed when it has none).
 */
static inline void
eng_frame_table(struct eng_pair *b, struct eng_pair *x, enum eng_side side, const struct eng_state *rows,
		size_t nrows,
		void (*tried)(const struct eng_state *, uint8_t, int, int, const uint8_t *, size_t))
{
	static uint8_t g[TES_FRAME_MAX], f[TES_FRAME_MAX];
	size_t i, gn, n;
	uint8_t t;
	int r;

	for (i = 0; i < nrows; i++) {
		r = eng_reach(b, side, rows[i].steps, rows[i].accepts, g, &gn);
		OK(r == 0 && eng_state_of(b, side) == rows[i].state &&
			   (rows[i].accepts != 0 || rows[i].steps < 0) == (gn > 0),
		   "%s %s: reached, its frame in hand", eng_side_names[side], rows[i].name);
		for (t = TES_FRAME_CLIENT_HELLO; t <= TES_FRAME_TYPE_MAX; t++) {
			*x = *b;
			n = eng_frame_as(f, g, gn, rows[i].accepts, t);
			r = eng_feed(x, side, f, n);
			tried(&rows[i], t, r, eng_expected_at(side, rows[i].state, rows[i].accepts, t, f, n),
			      gn > 0 ? g : f, gn > 0 ? gn : n);
		}
	}
}

static const char *const eng_frame_names[] = { "INVALID",      "CLIENT_HELLO", "SERVER_HELLO",
					       "KEY_EXCHANGE", "FINISHED",     "RECORD",
					       "ALERT",        "RESUME_HELLO", "UNIT_AUTH" };

/*
 * What goes into side's engine must be one whole frame: in every state of the table that takes a
 * frame, its genuine frame cut at every length or with a byte more is refused, and a RECORD with
 * 1 .. TES_MAC_LEN bytes of its MAC cut too; the whole frame is taken (the control). b and *x are the
 * test's pairs.
 */
static inline void
eng_test_truncation(struct eng_pair *b, struct eng_pair *x, enum eng_side side, const struct eng_state *rows,
		    size_t nrows)
{
	static uint8_t g[TES_FRAME_MAX];
	const char *who = eng_side_names[side];
	size_t i, gn;
	int all, control;

	for (i = 0; i < nrows; i++) {
		if (rows[i].accepts == 0)
			continue;
		if (eng_reach(b, side, rows[i].steps, rows[i].accepts, g, &gn) != 0 || gn == 0) {
			OK(0, "%s %s reached", who, rows[i].name);
			continue;
		}
		all = eng_cuts_refused(x, b, side, g, gn);
		*x = *b;
		control = eng_feed(x, side, g, gn) == 0;
		OK(all && control, "%s %s: its %zu-byte %s cut at any length or with a byte more is refused",
		   who, rows[i].name, gn, eng_frame_names[rows[i].accepts]);
		if (rows[i].accepts != TES_FRAME_RECORD)
			continue;
		all = eng_mac_cuts_refused(x, b, side, g, gn);
		OK(all && control, "%s %s: a record with 1 .. 32 bytes of its MAC cut is refused", who,
		   rows[i].name);
	}
}

#endif
