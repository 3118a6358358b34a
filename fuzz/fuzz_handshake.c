/* SPDX-License-Identifier: ISC */
/*
 * Target "handshake" (fuzz build, fuzz/fuzzmode.c): the server-side
 * session engine (src/officer/engine.c) and the police client's session
 * engine (src/police/client_engine.c), each fed an attacker-controlled
 * message sequence, and the client's socket driver (src/police/client.c).
 * Fuzz mode makes the RNG deterministic and accepts the MACs, Finished
 * values and signatures it computes, with a NULL record cipher, so the
 * fuzzer reaches login, reports and receipts behind the handshake.
 *
 *   input = u8 flags | stream
 *   flags bit 7 clear: stream = frames from a client to the server engine
 *                      (flags bits 0..6: see fuzz/hs_server.h)
 *   flags bit 7 set:   stream = bytes from a server to the police client,
 *                      which runs handshake, login, reports and BYE:
 *     bit 0            the DES suite
 *     bit 1            the pin refuses the server key (bits 3..6 clear in
 *                      engine mode: see below)
 *     bit 2 clear      the client engine itself, fed the stream's frames as
 *                      the driver reads them (no socket); bits 3..5 add
 *                      0..7 reports to the two of a session (a batch), bit 6
 *                      first tries a login with a name above the limit
 *       bit 1 set and bits 3..6 not all clear: the session of two reports
 *                      with the protocol's later additions, the pin accepts
 *                      unless bit 3 and bit 4 are both set:
 *         bit 3        a resumed handshake with a ticket (init_resume:
 *                      RESUME_HELLO, SERVER_HELLO, pin, UNIT_AUTH + FINISHED,
 *                      FINISHED, SESSION, event RESUMED), no login
 *         bit 4        without bit 3: the LOGIN asks for SESSION (features 1),
 *                      which comes after LOGIN_RESULT; with bit 3: the pin
 *                      refuses the server key of the resumed handshake
 *         bit 5        a HEARTBEAT (and its answer) before each report
 *         bit 6        after the last receipt, one more frame is read while
 *                      nothing is due: only an ALERT (a rekey) may come
 *     bit 2 set        the driver over TCP on the loopback: tes_client_connect,
 *                      to the harness's listener, with the address case of
 *                      bits 3..6 (an address list with failing entries,
 *                      HOST:PORT strings that resolve without DNS or are
 *                      refused), then the session through tes_client_*;
 *                      cases 11 and 12 connect to the listener and run a
 *                      resumed session (tes_client_resume) and a login that
 *                      asks for SESSION, with tes_client_heartbeat before each
 *                      report and tes_client_read_alert at the end
 *
 * Properties of the client: the pin is asked once, and when it refuses the
 * client has sent its hello and nothing else (spec/PROTOCOL.md MUST-H3);
 * everything the client sends is whole frames in the order CLIENT_HELLO,
 * KEY_EXCHANGE, FINISHED, RECORD... (RESUME_HELLO, UNIT_AUTH, FINISHED,
 * RECORD... when resumed), with records only after a completed handshake,
 * one per request the engine accepted; a resumed handshake ends in event
 * RESUMED with SESSION, a full one in ESTABLISHED; an accepted login carries
 * SESSION exactly when it asked for it; a HEARTBEAT event answers a
 * heartbeat; a receipt names its report; an ALERT is reported with its code
 * (1..4); a failed engine stays failed and sends nothing more; connecting
 * fails or succeeds as the address case says.
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/err.h"
#include "common/io.h"
#include "crypto/rsa.h"
#include "fuzz.h"
#include "fuzzmode.h"
#include "hs_server.h"
#include "police/client.h"
#include "police/client_engine.h"

enum {
	STREAM_MAX = 65536,
	TCP_STREAM_MAX = 16384, /* what loopback buffers take before the client reads */
	SENT_MAX = 65536,
	CASES = 11
};

static struct tes_rsa_priv unit;
/* what the client sent, as the server end of the connection read it */
static uint8_t sent[SENT_MAX];
static size_t sent_n;

/* The pin callback: counts the calls; pins the key it is shown, or another one when asked to refuse. */
struct pin_ctx {
	int calls, refuse;
};

static int
pin_cb(void *ctx, const struct tes_rsa_pub *server)
{
	struct pin_ctx *x = ctx;
	char fp[TES_FP_STRLEN];

	x->calls++;
	tes_rsa_fingerprint(server, fp);
	if (x->refuse)
		fp[TES_FP_STRLEN - 2] ^= 1;
	return tes_client_pin_fp(fp, server);
}

static uint8_t
suite_of(uint8_t flags)
{
	return flags & 1 ? TES_SUITE_DES_CBC_HMAC_SHA256 : TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
}

/* A unit key that passes the length checks; fuzz mode signs without it. */
static void
unit_init(void)
{
	memset(&unit, 0x5a, sizeof unit);
	unit.pub.n[0] = 0xc3;
	unit.pub.n[TES_RSA_LEN - 1] = 0x6b;
	unit.pub.elen = 3;
	unit.pub.e[0] = 1;
	unit.pub.e[1] = 0;
	unit.pub.e[2] = 1;
	unit.plen = unit.qlen = unit.dplen = unit.dqlen = unit.iqlen = TES_RSA_LEN / 2;
}

/*
 * The loopback server of the TCP mode, set up once: a listener, and a port
 * bound without listening (held by the harness, so a connection to it is
 * refused and can reach nobody else). -1 when the machine has no loopback.
 */
static int lfd = -1, rfd = -1;
static struct sockaddr_in laddr, raddr, badaddr;
static struct addrinfo ai_listen, ai_refused, ai_badfam, ai_badaddr;

static int
loopback_port(int listening, struct sockaddr_in *a)
{
	socklen_t l = sizeof *a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)a, sizeof *a) != 0 || (listening && listen(fd, 4) != 0) ||
	    getsockname(fd, (struct sockaddr *)a, &l) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
ai_set(struct addrinfo *ai, int family, struct sockaddr_in *a)
{
	memset(ai, 0, sizeof *ai);
	ai->ai_family = family;
	ai->ai_socktype = SOCK_STREAM;
	ai->ai_addr = (struct sockaddr *)a;
	ai->ai_addrlen = sizeof *a;
}

static void
net_init(void)
{
	lfd = loopback_port(1, &laddr);
	rfd = loopback_port(0, &raddr);
	if (lfd < 0 || rfd < 0) {
		lfd = -1;
		return;
	}
	badaddr = laddr;
	badaddr.sin_family = AF_UNIX; /* an address of another family: connect fails at once */
	ai_set(&ai_listen, AF_INET, &laddr);
	ai_set(&ai_refused, AF_INET, &raddr);
	ai_set(&ai_badaddr, AF_INET, &badaddr);
	ai_set(&ai_badfam, AF_MAX + 1, &laddr); /* socket() refuses the family */
}

/*
 * Address case k: c->ai or the HOST:PORT string to connect to; returns the
 * result tes_client_connect must give. Hosts are numeric, so nothing goes to
 * DNS, and ports are the harness's own. Cases 11 and 12 (session variants)
 * connect as case 0; 13..15 are 2..4.
 */
static int
address_case(unsigned k, struct tes_client *c, char *hp, size_t cap)
{
	unsigned lp = ntohs(laddr.sin_port);

	c->ai = NULL;
	snprintf(hp, cap, "fixed address list");
	ai_listen.ai_next = ai_refused.ai_next = ai_badfam.ai_next = ai_badaddr.ai_next = NULL;
	switch (k == 11 || k == 12 ? 0 : k % CASES) {
	case 0:
		c->ai = &ai_listen;
		return 0;
	case 1:
		ai_badfam.ai_next = &ai_listen;
		c->ai = &ai_badfam;
		return 0;
	case 2:
		ai_badaddr.ai_next = &ai_listen;
		c->ai = &ai_badaddr;
		return 0;
	case 3:
		ai_refused.ai_next = &ai_listen;
		c->ai = &ai_refused;
		return 0;
	case 4:
		ai_badaddr.ai_next = &ai_refused;
		c->ai = &ai_badaddr;
		return TES_ERR_CLOSED;
	case 5:
		snprintf(hp, cap, "127.0.0.1:%u", lp);
		return 0;
	case 6:
		snprintf(hp, cap, "[127.0.0.1]:%u", lp);
		return 0;
	case 7:
		snprintf(hp, cap, "127.0.0.1");
		return TES_ERR_ARG;
	case 8:
		snprintf(hp, cap, ":%u", lp);
		return TES_ERR_ARG;
	case 9:
		memset(hp, '1', 300);
		snprintf(hp + 300, cap - 300, ":%u", lp);
		return TES_ERR_ARG;
	default:
		snprintf(hp, cap, "127.0.0.1:tes-no-such-service");
		return TES_ERR_ARG;
	}
}

/* Append what the client has sent so far (never blocks). */
static void
read_sent(int fd)
{
	ssize_t k;

	while (sent_n < sizeof sent && (k = recv(fd, sent + sent_n, sizeof sent - sent_n, MSG_DONTWAIT)) > 0)
		sent_n += (size_t)k;
}

/*
 * Whole frames, CLIENT_HELLO, KEY_EXCHANGE, FINISHED (RESUME_HELLO,
 * UNIT_AUTH, FINISHED when resumed), then records, and records only when
 * the handshake completed; only the hello when the pin refused the server
 * key; records, when it is not negative, RECORD frames in all.
 */
static void
check_sent(int handshake_ok, int pin_refused, int resumed, long records)
{
	static const uint8_t full[] = { TES_FRAME_CLIENT_HELLO, TES_FRAME_KEY_EXCHANGE, TES_FRAME_FINISHED },
			     res[] = { TES_FRAME_RESUME_HELLO, TES_FRAME_UNIT_AUTH, TES_FRAME_FINISHED };
	const uint8_t *order = resumed ? res : full;
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t off = 0, used, i = 0;
	long recs = 0;

	fuzz_check(sent_n < sizeof sent, "client output fits the harness buffer");
	for (i = 0; off < sent_n; i++, off += used) {
		fuzz_check(tes_frame_decode(sent + off, sent_n - off, &h, &p, &used) == 0,
			   "client sends whole frames");
		if (i < sizeof full) {
			fuzz_check(h.type == order[i], "client handshake frames in order");
		} else {
			fuzz_check(h.type == TES_FRAME_RECORD && handshake_ok,
				   "records only after the handshake");
			recs++;
		}
	}
	fuzz_check(i >= 1, "client sends its hello");
	if (pin_refused)
		fuzz_check(i == 1, "nothing but the hello to a server key the pin refuses");
	if (records >= 0)
		fuzz_check(recs == records, "one record per request the client engine took");
}

/* The ticket of a resumed session over TCP, as the harness's master gives one. */
static struct tes_client_ticket ticket;

static void
ticket_init(void)
{
	ticket.len = 40;
	memset(ticket.ticket, 0x7e, ticket.len);
	memset(ticket.res_secret, 0x3c, sizeof ticket.res_secret);
}

/*
 * Handshake (or resumption), login, reports through the driver; peer is the
 * server end. variant: 0, or address case 11 (resumed) or 12 (SESSION asked),
 * both with heartbeats and a last read while nothing is due. 1 if the
 * handshake completed.
 */
static int
session(struct tes_client *c, int peer, uint8_t flags, unsigned variant, int *refused)
{
	static const char long_name[] = "a-user-name-above-the-32-byte-limit";
	struct tes_report rep = { .plate_len = 6, .plate = "AB123C", .speed = 93, .limit = 50 };
	struct pin_ctx pin = { 0, (flags & 2) != 0 };
	struct tes_receipt rc;
	uint8_t sig[TES_RSA_LEN] = { 0 };
	int r, hs, peer_alert = 0, resumed = variant == 11;
	unsigned i, reports = 2;
	size_t before;

	memset(rep.id, 0x22, sizeof rep.id);
	memcpy(rep.unit_key, c->unit_key, sizeof rep.unit_key);
	rep.time = tes_fuzz_now() - 60;
	if (resumed)
		r = hs = tes_client_resume(c, &ticket, pin_cb, &pin);
	else
		r = hs = tes_client_handshake(c, pin_cb, &pin);
	peer_alert |= r == TES_ERR_PEER;
	fuzz_check(pin.calls <= 1 && (!pin.refuse || pin.calls == 0 || r == TES_ERR_PIN),
		   "the pin decides once");
	fuzz_check((r == 0) == (c->established != 0), "established after a handshake");
	if (resumed)
		fuzz_check(r != 0 || c->has_session, "a resumed session starts with SESSION");
	if (r == 0 && !resumed) {
		fuzz_check(tes_client_login(c, long_name, "pw") == TES_ERR_ARG,
			   "a name above the limit is refused");
		c->want_session = variant == 12;
		r = tes_client_login(c, "officer1", "correct horse");
		fuzz_check(r != 0 || c->has_session == c->want_session,
			   "an accepted login carries SESSION when it asked for it");
	}
	for (i = 0; r == 0 && i < reports; i++) {
		rep.id[0] = (uint8_t)(0x22 ^ i);
		if (variant != 0 && (r = tes_client_heartbeat(c)) != 0)
			break;
		/* every other report is signed by the client itself */
		if (i % 2)
			r = tes_client_report(c, &rep, &rc);
		else
			r = tes_client_report_signed(c, &rep, sig, &rc);
		if (r == 0)
			fuzz_check(memcmp(rc.id, rep.id, TES_REPORT_ID_LEN) == 0, "receipt names the report");
	}
	if (r == 0 && variant != 0) {
		/* nothing is due: the server may only end the session (an ALERT, or closing) */
		r = tes_client_read_alert(c);
		fuzz_check(r != 0, "a frame while nothing is due ends the session");
	}
	peer_alert |= r == TES_ERR_PEER;
	if (peer_alert)
		fuzz_check(c->alert >= 1 && c->alert <= TES_ALERT_MAX, "an alert is reported with its code");
	*refused = pin.calls == 1 && pin.refuse;
	read_sent(peer);
	if (c->eng.state == TES_CLIENT_ENG_FAILED) {
		before = sent_n;
		fuzz_check(tes_client_report(c, &rep, &rc) == TES_ERR_STATE &&
				   tes_client_report_signed(c, &rep, sig, &rc) == TES_ERR_STATE,
			   "a failed session refuses reports");
		read_sent(peer);
		fuzz_check(sent_n == before, "a failed session sends nothing more");
	}
	check_sent(hs == 0, *refused, resumed, -1);
	return hs == 0;
}

/* The client engine's session, as the driver runs it (tes_client_*), with the stream as the server. */
struct client_run {
	struct tes_client_engine e;
	struct tes_client_engine_out out;
	struct pin_ctx pin;
	struct tes_report rep;
	uint8_t flags;
	unsigned reports, answered;
	int established;
	/* the later additions (flags 0x82 with bits 3..6): see the header comment */
	int resumed, want_session, heartbeats, read_last, hb_pending;
	long records; /* RECORD frames the engine produced */
};

/* What the engine produced goes on the wire: here, after what the client sent so far. */
static void
take(const struct tes_client_engine_out *out)
{
	fuzz_check(sent_n + out->frame_len < sizeof sent, "client output fits the harness buffer");
	memcpy(sent + sent_n, out->frame, out->frame_len);
	sent_n += out->frame_len;
}

static void
login_of(struct tes_login *l, const char *user, const char *pw)
{
	memset(l, 0, sizeof *l);
	l->user_len = (uint8_t)strlen(user);
	l->pw_len = (uint8_t)strlen(pw);
	memcpy(l->user, user, l->user_len);
	memcpy(l->pw, pw, l->pw_len);
}

/* A request that went out is one record. */
static int
counted(struct client_run *x, int r)
{
	if (r == 0)
		x->records++;
	return r;
}

/* Report number i of the session: every other one signed by the engine itself. */
static int
send_report(struct client_run *x, unsigned i)
{
	static const uint8_t sig[TES_RSA_LEN];

	x->rep.id[0] = (uint8_t)(0x22 ^ i);
	if (i % 2)
		return counted(x, tes_client_engine_report_sign(&x->e, &x->rep, &unit, &x->out));
	return counted(x, tes_client_engine_report(&x->e, &x->rep, sig, &x->out));
}

/* The next report, after a heartbeat and its answer when the session sends them. */
static int
next_report(struct client_run *x)
{
	if (x->heartbeats) {
		x->hb_pending = 1;
		return counted(x, tes_client_engine_heartbeat(&x->e, &x->out));
	}
	return send_report(x, x->answered);
}

/* The handshake is done: a login (after one with a name above the limit, when asked). */
static int
send_login(struct client_run *x)
{
	struct tes_login l;

	x->established = 1;
	if (x->flags & 0x40 && !(x->flags & 2)) {
		login_of(&l, "", "pw");
		memset(l.user, 'a', sizeof l.user);
		l.user_len = TES_NAME_MAX + 1;
		fuzz_check(tes_client_engine_login(&x->e, &l, &x->out) == TES_ERR_ARG &&
				   x->out.frame_len == 0 && tes_client_engine_ready(&x->e),
			   "a name above the limit is refused, and the session goes on");
	}
	login_of(&l, "officer1", "correct horse");
	l.features = x->want_session ? TES_LOGIN_FEAT_SESSION : 0;
	return counted(x, tes_client_engine_login(&x->e, &l, &x->out));
}

/*
 * Act on the event of one server frame as the driver does; *more is 0 once
 * the client waits for nothing (a refused login, the last receipt).
 */
static int
on_event(struct client_run *x, int *more)
{
	struct tes_client_engine_out *out = &x->out;

	fuzz_check(out->has_session == (out->event == TES_CLIENT_EV_RESUMED ||
					(out->event == TES_CLIENT_EV_LOGIN && x->want_session &&
					 out->login_result == TES_LOGIN_ACCEPTED)),
		   "SESSION comes with a resumption, and with an accepted login that asked for it");
	switch (out->event) {
	case TES_CLIENT_EV_NONE:
		/* LOGIN_RESULT(accepted) or the resumed FINISHED: SESSION is still to come */
		fuzz_check(x->e.state == TES_CLIENT_ENG_WAIT_SESSION &&
				   (x->want_session || (x->resumed && !x->established)),
			   "a frame without an event only before SESSION");
		return 0;
	case TES_CLIENT_EV_SERVER_KEY:
		return tes_client_engine_pin(&x->e, pin_cb(&x->pin, &out->server), &unit, out);
	case TES_CLIENT_EV_ESTABLISHED:
		fuzz_check(!x->resumed, "a full handshake ends in ESTABLISHED");
		return send_login(x);
	case TES_CLIENT_EV_RESUMED:
		fuzz_check(x->resumed && !x->established, "a resumed handshake ends in RESUMED, once");
		x->established = 1;
		return next_report(x);
	case TES_CLIENT_EV_LOGIN:
		fuzz_check(!x->resumed, "no login in a resumed session");
		if (out->login_result != TES_LOGIN_ACCEPTED) {
			*more = 0;
			return 0;
		}
		return next_report(x);
	case TES_CLIENT_EV_HEARTBEAT:
		fuzz_check(x->hb_pending, "a HEARTBEAT event answers a heartbeat");
		x->hb_pending = 0;
		return send_report(x, x->answered);
	case TES_CLIENT_EV_RECEIPT:
		fuzz_check(memcmp(out->receipt.id, x->rep.id, TES_REPORT_ID_LEN) == 0,
			   "receipt names the report");
		if (++x->answered == x->reports) {
			/* read_last: one more frame, while nothing is due */
			*more = x->read_last;
			return 0;
		}
		return next_report(x);
	default:
		fuzz_check(0, "a server frame the engine took gives an event it may give");
		return TES_ERR_INTERNAL;
	}
}

/*
 * Feed the stream's frames while the client waits for one; bytes that are
 * not one whole frame (from the last frame on, or all of it) go in too, and
 * the engine must refuse them. Returns the engine's last result.
 */
static int
feed(struct client_run *x, const uint8_t *p, size_t n)
{
	struct tes_frame_hdr h;
	const uint8_t *pl;
	size_t off = 0, used, last = 0;
	int r = 0, more = 1;

	while (r == 0 && more && off < n) {
		if (tes_frame_decode(p + off, n - off, &h, &pl, &used) != 0) {
			r = tes_client_engine_frame(&x->e, p + last, n - last, &x->out);
			fuzz_check(r != 0, "the client engine takes only exactly one whole frame");
			break;
		}
		r = tes_client_engine_frame(&x->e, p + off, used, &x->out);
		last = off;
		off += used;
		fuzz_check(x->out.frame_len == 0, "a server frame alone makes the client send nothing");
		if (r == 0 && x->answered == x->reports && x->reports > 0)
			fuzz_check(0, "a frame while nothing is due is an ALERT or refused");
		if (r == 0)
			r = on_event(x, &more);
		take(&x->out);
	}
	return r;
}

/* A failed engine refuses every call and produces nothing. */
static void
refused_everything(struct client_run *x, const uint8_t *p, size_t n)
{
	static const uint8_t sig[TES_RSA_LEN];
	struct tes_client_engine_out *out = &x->out;
	struct tes_login l;

	login_of(&l, "officer1", "correct horse");
	fuzz_check(tes_client_engine_frame(&x->e, p, n, out) != 0 && out->frame_len == 0 &&
			   tes_client_engine_pin(&x->e, 0, &unit, out) != 0 && out->frame_len == 0 &&
			   tes_client_engine_login(&x->e, &l, out) != 0 && out->frame_len == 0 &&
			   tes_client_engine_report(&x->e, &x->rep, sig, out) != 0 && out->frame_len == 0 &&
			   tes_client_engine_report_sign(&x->e, &x->rep, &unit, out) != 0 &&
			   out->frame_len == 0 && tes_client_engine_heartbeat(&x->e, out) != 0 &&
			   out->frame_len == 0 && tes_client_engine_bye(&x->e, out) != 0 &&
			   out->frame_len == 0 && !tes_client_engine_ready(&x->e),
		   "client engine failure is sticky");
}

/* A resumption ticket of 0 or of TES_TICKET_MAX + 1 bytes starts nothing. */
static void
ticket_refused(struct client_run *x, const uint8_t unit_key[static TES_KEYID_LEN], size_t len)
{
	static const uint8_t big[TES_TICKET_MAX + 1];

	fuzz_check(tes_client_engine_init_resume(&x->e, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, unit_key, big,
						 len, ticket.res_secret, &x->out) == TES_ERR_ARG &&
			   x->out.frame_len == 0 && x->e.state == TES_CLIENT_ENG_FAILED,
		   "a ticket of no length, or above the limit, is refused");
}

static void
over_engine(uint8_t flags, const uint8_t *p, size_t n)
{
	static struct client_run x;
	uint8_t unit_key[TES_KEYID_LEN];
	unsigned later = (flags & 2) ? (flags >> 3) & 15 : 0;
	int r, refused;

	memset(&x, 0, sizeof x);
	x.flags = flags;
	if (later != 0) {
		x.resumed = (later & 1) != 0;
		x.want_session = (later & 3) == 2; /* bit 4 without bit 3 */
		x.pin.refuse = (later & 3) == 3;
		x.heartbeats = (later & 4) != 0;
		x.read_last = (later & 8) != 0;
		x.reports = 2;
	} else {
		x.pin.refuse = (flags & 2) != 0;
		x.reports = 2 + ((flags >> 3) & 7);
	}
	memset(unit_key, 0x11, sizeof unit_key);
	x.rep = (struct tes_report){ .plate_len = 6, .plate = "AB123C", .speed = 93, .limit = 50 };
	memset(x.rep.id, 0x22, sizeof x.rep.id);
	memset(x.rep.unit_key, 0x11, sizeof x.rep.unit_key);
	x.rep.time = tes_fuzz_now() - 60;
	if (x.resumed) {
		ticket_refused(&x, unit_key, 0);
		ticket_refused(&x, unit_key, TES_TICKET_MAX + 1);
		r = tes_client_engine_init_resume(&x.e, suite_of(flags), unit_key, ticket.ticket, ticket.len,
						  ticket.res_secret, &x.out);
	} else {
		r = tes_client_engine_init(&x.e, suite_of(flags), unit_key, &x.out);
	}
	fuzz_check(r == 0, "the client engine starts");
	take(&x.out);
	r = feed(&x, p, n);
	fuzz_check(x.pin.calls <= 1 && (!x.pin.refuse || x.pin.calls == 0 || r == TES_ERR_PIN),
		   "the pin decides once");
	if (r == TES_ERR_PEER)
		fuzz_check(x.out.event == TES_CLIENT_EV_ALERT && x.out.alert >= 1 &&
				   x.out.alert <= TES_ALERT_MAX,
			   "an alert is reported with its code");
	if (r != 0) {
		fuzz_check(x.e.state == TES_CLIENT_ENG_FAILED, "an error fails the client engine");
		refused_everything(&x, p, n);
	} else {
		/* closing: a BYE once the handshake is done, also while an answer is still awaited */
		r = tes_client_engine_bye(&x.e, &x.out);
		fuzz_check((r == 0) == x.established, "BYE exactly after a completed handshake");
		(void)counted(&x, r);
		take(&x.out);
	}
	refused = x.pin.calls == 1 && x.pin.refuse;
	check_sent(x.established, refused, x.resumed, x.records);
	tes_client_engine_wipe(&x.e);
}

static void
over_tcp(uint8_t flags, const uint8_t *p, size_t n)
{
	static struct tes_client c;
	static const struct linger rst = { 1, 0 };
	struct pollfd pl = { .fd = lfd, .events = POLLIN };
	char hp[320], err[512];
	unsigned k = (flags >> 3) & 15;
	int want, r, s, refused;

	if (lfd < 0 || n > TCP_STREAM_MAX)
		return;
	tes_client_init(&c, &unit, suite_of(flags), 1);
	want = address_case(k, &c, hp, sizeof hp);
	r = tes_client_connect(&c, hp, err, sizeof err);
	fuzz_check(r == want && (r == 0) == (c.fd >= 0), "connect succeeds or fails as the address says");
	if (r != 0)
		return;
	/* closing with a reset leaves no TIME_WAIT behind on either end */
	(void)setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
	s = poll(&pl, 1, 1000) == 1 ? accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : -1;
	if (s < 0 || tes_io_write_full(s, p, n) != 0 || shutdown(s, SHUT_WR) != 0) {
		tes_client_close(&c);
		if (s >= 0)
			close(s);
		return;
	}
	(void)session(&c, s, flags, k == 11 || k == 12 ? k : 0, &refused);
	tes_client_close(&c);
	close(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tes_engine e;
	static int ready;

	if (!ready) {
		unit_init();
		ticket_init();
		net_init();
		ready = 1;
	}
	if (size < 1)
		return 0;
	tes_fuzz_reset();
	sent_n = 0;
	if (!(data[0] & 0x80))
		(void)hs_server_run(&e, data[0], data + 1, size - 1, NULL, NULL);
	else if (size - 1 > STREAM_MAX)
		return 0;
	else if (data[0] & 4)
		over_tcp(data[0], data + 1, size - 1);
	else
		over_engine(data[0], data + 1, size - 1);
	return 0;
}
