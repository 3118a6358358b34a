/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/io.h"
#include "common/wipe.h"
#include "crypto/rng.h"
#include "officer/engine.h"
#include "officer/mon.h"
#include "officer/session.h"
#include "sandbox/sandbox.h"
#include "wire/frame.h"
#include "wire/msg.h"

/*
 * The I/O driver of one session: frames from the client socket and answers
 * from the master go into the sans-I/O engine (officer/engine.h), whatever it
 * produces goes out. All protocol logic is in the engine.
 */
struct session {
	struct tes_engine e;
	struct tes_engine_out out;
	struct tes_mon_msg ans;
	uint8_t frame[TES_FRAME_MAX];
};

static const int net = TES_SESSION_NET_FD;
static const int mon = TES_SESSION_MON_FD;
static int master_gone; /* the monitor socket failed: the server is going away */

/* A request to the master: encoded and written whole (plain write: the sandbox allows nothing else). */
static int
mon_tell(const struct tes_mon_msg *req)
{
	uint8_t buf[TES_MON_MSG_LEN];
	int r;

	if ((r = tes_mon_encode(req, buf)) != 0)
		return r;
	/* SIGPIPE is ignored; a LOGIN holds the password: the copy is wiped */
	r = write(mon, buf, sizeof buf) == (ssize_t)sizeof buf ? 0 : TES_ERR_IO;
	tes_wipe(buf, sizeof buf);
	if (r != 0)
		master_gone = 1;
	return r;
}

/* One request to the master and its answer (the engine checks the answer's type). */
static int
mon_call(const struct tes_mon_msg *req, struct tes_mon_msg *ans)
{
	uint8_t buf[TES_MON_MSG_LEN];
	ssize_t k;
	int r;

	if ((r = mon_tell(req)) != 0)
		return r;
	do
		k = read(mon, buf, sizeof buf);
	while (k < 0 && errno == EINTR);
	if (k <= 0) {
		master_gone = 1;
		return TES_ERR_CLOSED;
	}
	r = tes_mon_decode(buf, (size_t)k, ans);
	tes_wipe(buf, sizeof buf);
	return r;
}

/* Log one line through the master (the child writes no files). */
static void
mon_log(uint8_t level, const char *text)
{
	struct tes_mon_msg m = { .type = TES_MON_LOG };
	uint8_t buf[TES_MON_MSG_LEN];
	size_t n = strlen(text);

	m.u.log.level = level;
	m.u.log.len = (uint8_t)(n > TES_MON_LOG_MAX ? TES_MON_LOG_MAX : n);
	memcpy(m.u.log.text, text, m.u.log.len);
	if (tes_mon_encode(&m, buf) == 0)
		(void)!write(mon, buf, sizeof buf);
}

#ifdef TES_TEST_BUILD
/*
 * Test-only frame, compiled only into test builds (tests/integration/
 * sandbox.sh checks that release binaries lack TES_TEST_FRAME): a header
 * with type 0x7f makes the child misbehave as a compromised child would.
 * The low byte of the length field selects how.
 */
static void
test_frame(uint8_t action)
{
	struct tes_mon_msg m = { .type = TES_MON_HANDSHAKE }, ans;
	volatile unsigned long spin = 0;
	uint8_t junk[100] = { 0 };

	mon_log(1, "TES_TEST_FRAME");
	if (action == 1) /* a forbidden system call */
		(void)!open("/etc/passwd", O_RDONLY);
	while (action == 2) /* burn CPU until RLIMIT_CPU */
		spin++;
	m.u.hs.ch.suite = m.u.hs.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	if (action == 3) { /* a second RSA request */
		(void)mon_call(&m, &ans);
		(void)mon_call(&m, &ans);
	}
	if (action == 4) /* a monitor message of the wrong size */
		(void)!write(mon, junk, sizeof junk);
	if (action == 6) { /* a RESUME after a (refused) HANDSHAKE on the same connection */
		(void)mon_call(&m, &ans);
		memset(&m, 0, sizeof m);
		m.type = TES_MON_RESUME;
		m.u.res.rh.ch.suite = m.u.res.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
		m.u.res.rh.ticket_len = 1;
		(void)mon_call(&m, &ans);
	}
	if (action == 5) { /* a report before any login */
		m.type = TES_MON_REPORT;
		m.u.rep.r.plate_len = 3;
		memcpy(m.u.rep.r.plate, "ABC", 3);
		m.u.rep.r.speed = 120;
		m.u.rep.r.time = TES_TIME_MIN;
		(void)mon_call(&m, &ans);
	}
	(void)!read(mon, junk, 1); /* wait to be killed */
}
#endif

static int
read_init(struct tes_mon_init *init)
{
	uint8_t buf[TES_MON_MSG_LEN];
	struct tes_mon_msg m;
	struct timeval tv;
	ssize_t k;
	int r;

	k = recv(mon, buf, sizeof buf, MSG_TRUNC);
	if (k <= 0)
		return TES_ERR_CLOSED;
	if ((r = tes_mon_decode(buf, (size_t)k, &m)) != 0)
		return r;
	if (m.type != TES_MON_INIT)
		return TES_ERR_TYPE;
	*init = m.u.init;
	/*= spec/PROTOCOL.md#state MUST-S4: a client silent for the idle timeout is disconnected */
	tv.tv_sec = init->idle_timeout;
	tv.tv_usec = 0;
	if (setsockopt(net, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
	    setsockopt(net, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
		return TES_ERR_IO;
	return 0;
}

/* Send what the engine produced; carry its master requests until none is left. */
static int
pump(struct session *s, int r)
{
	while (r == 0) {
		if (s->out.frame_len > 0 && (r = tes_io_write_full(net, s->out.frame, s->out.frame_len)) != 0)
			break;
		if (!s->out.has_req)
			break;
		if (s->out.oneway) {
			r = mon_tell(&s->out.req);
			break;
		}
		if ((r = mon_call(&s->out.req, &s->ans)) == 0)
			r = tes_engine_answer(&s->e, &s->ans, &s->out);
		TES_WIPE_CTX(&s->ans);
	}
	TES_WIPE_CTX(&s->out);
	return r;
}

/* Frames until BYE, EOF or an error. */
static int
serve(struct session *s)
{
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t flen;
	int r;

	while (!tes_engine_done(&s->e)) {
		if ((r = tes_io_read_frame(net, s->frame, &h, &p, &flen)) != 0) {
#ifdef TES_TEST_BUILD
			if (r == TES_ERR_TYPE && s->frame[2] == 0x7f)
				test_frame(s->frame[5]);
#endif
			return r;
		}
		r = pump(s, tes_engine_frame(&s->e, s->frame, flen, &s->out));
		tes_wipe(s->frame, sizeof s->frame);
		if (r != 0)
			return r;
	}
	return 0;
}

static const char *
what(int r)
{
	return tes_err_str(r);
}

/* see session.h */
int
tes_session_main(void)
{
	static struct session s;
	struct tes_mon_init init;
	char line[TES_MON_LOG_MAX + 1];
	int r;

	signal(SIGPIPE, SIG_IGN);
	if (tes_rng_init() != 0 || read_init(&init) != 0)
		return TES_SESSION_EXIT_SETUP;
	tes_engine_init(&s.e, &init);
	/* Lock down before the first network byte; never run unconfined (sandbox/README.md). */
	if (tes_sandbox_init(TES_SANDBOX_SESSION) != 0 || tes_sandbox_enter(TES_SANDBOX_SESSION) != 0) {
		mon_log(2, "sandbox set-up failed; connection dropped");
		return TES_SESSION_EXIT_SETUP;
	}
	r = serve(&s);
	if (master_gone) {
		/*= spec/PROTOCOL.md#alerts MUST-A1: busy when the server is going away */
		tes_io_send_alert(net, TES_ALERT_BUSY);
	} else if (r != 0 && r != TES_ERR_CLOSED && r != TES_ERR_PEER) {
		/*= spec/PROTOCOL.md#alerts MUST-A1: one generic alert, then close */
		tes_io_send_alert(net, tes_engine_alert(&s.e));
		snprintf(line, sizeof line, "session ended: %s", what(r));
		/*= spec/PROTOCOL.md#rekey MUST-K2: the bound ends the session with ALERT REKEY, an expected end */
		mon_log(r == TES_ERR_REKEY ? 0 : 1, line);
	}
	tes_engine_wipe(&s.e);
	return r == 0 || r == TES_ERR_CLOSED ? TES_SESSION_EXIT_OK : TES_SESSION_EXIT_PROTO;
}
