/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the officer module: login rate limiting, the monitor
 * messages (their codec and the permission table), the master's worker
 * pools (password checks and report signature checks), how a parser child
 * is started, and the server's session engine (officer/engine.h) against
 * the police client's engine, in memory, with real cryptography, the test
 * playing the master (tests/engines.h): its state table (every state
 * against every frame type, every master answer and every inner record
 * type), the stickiness of a failure and the wipe that comes with it,
 * replayed, reordered and cut frames, a wrong client Finished, the login
 * rules (MUST-S2, MUST-S3), single DES only when allowed (MUST-H2). Every
 * refusal has its positive control: the same step with the genuine input
 * goes through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "crypto/digest.h"
#include "crypto/passwd.h"
#include "crypto/rsa.h"
#include "crypto/x25519.h"
#include "engines.h"
#include "officer/mon.h"
#include "officer/pool.h"
#include "officer/pwpolicy.h"
#include "officer/ratelimit.h"
#include "officer/resume.h"
#include "officer/sigcheck.h"
#include "officer/spawn.h"
#include "officer/verifier.h"
#include "sandbox/sandbox.h"
#include "store/journal.h"
#include "tap.h"
#include "util.h"

static struct tes_ratelimit rl;

/* The password policy (officer/pwpolicy.h, spec/INPUT.md#passwords MUST-PW2, MUST-PW3). */
static void
test_pwpolicy(void)
{
	const char *why = NULL;
	char big[TES_PASSWORD_MAX + 1];

#define PW(s, role) tes_pwpolicy_check((s), strlen(s), (role), &why)
	OK(PW("x", TES_ROLE_POLICE) == TES_ERR_ARG && strstr(why, "8 characters") != NULL,
	   "pwpolicy: 1 character");
	OK(PW("qz7-Kw2", TES_ROLE_POLICE) == TES_ERR_ARG, "pwpolicy: police, 7 characters refused");
	OK(PW("qz7-Kw2m", TES_ROLE_POLICE) == 0, "pwpolicy: police, 8 characters accepted");
	OK(PW("moss-lantern-9", TES_ROLE_OFFICER) == TES_ERR_ARG && strstr(why, "15 characters") != NULL,
	   "pwpolicy: officer, 14 characters refused");
	OK(PW("moss-lantern-9k", TES_ROLE_OFFICER) == 0, "pwpolicy: officer, 15 characters accepted");
	OK(PW("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", TES_ROLE_POLICE) == TES_ERR_ARG,
	   "pwpolicy: 7 characters in 14 bytes are 7");
	OK(PW("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", TES_ROLE_POLICE) == 0,
	   "pwpolicy: 8 two-byte characters accepted");
	OK(PW("moss-lantern-\xc3\xa9k", TES_ROLE_OFFICER) == TES_ERR_ARG && strstr(why, "ASCII") != NULL,
	   "pwpolicy: an officer password the login form cannot carry");
	OK(PW("password1", TES_ROLE_POLICE) == TES_ERR_ARG && strstr(why, "common") != NULL,
	   "pwpolicy: a common password refused");
	OK(PW("PassWord1", TES_ROLE_POLICE) == TES_ERR_ARG, "pwpolicy: the list ignores case");
	OK(PW("password1x", TES_ROLE_POLICE) == 0, "pwpolicy: control: not on the list");
	OK(tes_pwpolicy_common("12345678", 8) && tes_pwpolicy_common("Trustno1", 8) &&
		   !tes_pwpolicy_common("123456", 6),
	   "pwpolicy: the table holds the list's entries of 8 characters or more only");
	memset(big, 'k', sizeof big);
	OK(tes_pwpolicy_check(big, TES_PASSWORD_MAX, TES_ROLE_OFFICER, &why) == 0,
	   "pwpolicy: 128 bytes accepted");
	OK(tes_pwpolicy_check(big, TES_PASSWORD_MAX + 1, TES_ROLE_OFFICER, &why) == TES_ERR_ARG,
	   "pwpolicy: 129 bytes refused");
#undef PW
}

static void
test_ratelimit(void)
{
	int i, blocked_early = 0;
	uint64_t t0 = tes_ratelimit_now();
	char last[32], kept[32], gone[32];

	OK(t0 != 0 && tes_ratelimit_now() >= t0, "the rate limit clock is monotonic (%llu ms)",
	   (unsigned long long)t0);
	for (i = 0; i < TES_RL_FREE - 1; i++) {
		tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1000000);
		blocked_early |= tes_ratelimit_blocked(&rl, "alice", "10.0.0.1", 1000000);
	}
	OK(!blocked_early, "the first %d failures are not blocked", TES_RL_FREE - 1);
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1000000);
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1000000), "account blocked after %d failures",
	   TES_RL_FREE);
	OK(tes_ratelimit_blocked(&rl, "bob", "10.0.0.1", 1000000),
	   "the address is blocked for other accounts too");
	OK(!tes_ratelimit_blocked(&rl, "bob", "10.0.0.2", 1000000),
	   "other accounts from other addresses are not");
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1000999) &&
		   !tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1001000),
	   "the first block lasts exactly one second");
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1001000);
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1002999) &&
		   !tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1003000),
	   "one more failure doubles it");
	for (i = 0; i < 40; i++)
		tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 2000000);
	OK(tes_ratelimit_blocked(&rl, "alice", "x", 2000000 + 1000 * TES_RL_MAX_BLOCK - 1) &&
		   !tes_ratelimit_blocked(&rl, "alice", "x", 2000000 + 1000 * TES_RL_MAX_BLOCK),
	   "the block is capped at 15 minutes");
	for (i = 0; i < TES_RL_FREE - 1; i++)
		tes_ratelimit_note(&rl, "carol", "10.0.0.4", 0, 2000000 + 1000 * (uint64_t)i);
	tes_ratelimit_note(&rl, "dave", "10.0.0.4", 0, 2003000 + 1000 * TES_RL_FORGET - 1);
	OK(tes_ratelimit_blocked(&rl, "erin", "10.0.0.4", 2003000 + 1000 * TES_RL_FORGET),
	   "failures within %d s of each other add up", TES_RL_FORGET);
	for (i = 0; i < TES_RL_FREE - 1; i++)
		tes_ratelimit_note(&rl, "frank", "10.0.0.5", 0, 2000000 + 1000 * (uint64_t)i);
	tes_ratelimit_note(&rl, "grace", "10.0.0.5", 0, 2003000 + 1000 * TES_RL_FORGET);
	OK(!tes_ratelimit_blocked(&rl, "heidi", "10.0.0.5", 2003000 + 1000 * TES_RL_FORGET),
	   "failures are forgotten after %d s without one", TES_RL_FORGET);
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0,
			   2000000 + 1000 * (TES_RL_MAX_BLOCK + TES_RL_FORGET) - 1);
	OK(tes_ratelimit_blocked(&rl, "alice", "x", 2000000 + 1000 * (TES_RL_MAX_BLOCK + TES_RL_FORGET) - 1),
	   "the forgetting starts when a block ends: a later failure blocks again");
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 1, 3000000);
	OK(!tes_ratelimit_blocked(&rl, "alice", "10.0.0.3", 3000000), "a success clears the account");
	for (i = 0; i < 3 * TES_RL_SLOTS; i++) {
		char name[32];
		int k;

		snprintf(name, sizeof name, "u%d", i);
		for (k = 0; k < TES_RL_FREE; k++)
			tes_ratelimit_note(&rl, name, name, 0, 4000000 + (uint64_t)i);
	}
	snprintf(last, sizeof last, "u%d", 3 * TES_RL_SLOTS - 1);
	snprintf(kept, sizeof kept, "u%d", 2 * TES_RL_SLOTS);
	snprintf(gone, sizeof gone, "u%d", 2 * TES_RL_SLOTS - 1);
	OK(tes_ratelimit_blocked(&rl, last, "-", 4000000 + 3 * TES_RL_SLOTS) &&
		   tes_ratelimit_blocked(&rl, kept, "-", 4000000 + 3 * TES_RL_SLOTS) &&
		   !tes_ratelimit_blocked(&rl, gone, "-", 4000000 + 3 * TES_RL_SLOTS),
	   "a flood of names recycles the oldest of the fixed %d slots", TES_RL_SLOTS);
}

/* The monitor messages a parser child sends the master: their codec and the permission table. */
static void
test_monitor(void)
{
	uint8_t buf[TES_MON_MSG_LEN], plate0;
	struct tes_mon_msg m = { .type = TES_MON_REPORT }, d = { 0 };

	eng_sample_report(&m.u.rep.r);
	memset(m.u.rep.sig, 3, sizeof m.u.rep.sig);
	OK(tes_mon_encode(&m, buf) == 0, "monitor report encodes");
	OK(tes_mon_decode(buf, sizeof buf, &d) == 0 && d.type == TES_MON_REPORT &&
		   memcmp(&d.u.rep, &m.u.rep, sizeof d.u.rep) == 0,
	   "monitor report round trip");
	EQ_INT(tes_mon_decode(buf, sizeof buf - 1, &d), TES_ERR_FORMAT, "wrong size refused (MUST-M1)");
	buf[sizeof buf - 1] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "non-zero padding refused (MUST-M1)");
	buf[sizeof buf - 1] = 0;
	buf[0] = 0;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_TYPE, "type 0 refused (MUST-M1)");
	buf[0] = TES_MON_TYPE_MAX + 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_TYPE, "unknown type refused (MUST-M1)");
	buf[0] = TES_MON_REPORT;
	/* type, u16 length, then the REPORT record: inner type, id, unit key, plate length, plate */
	plate0 = buf[3 + 50];
	buf[3 + 50] = '<';
	OK(tes_mon_decode(buf, sizeof buf, &d) != 0, "a field that fails its validator is refused (MUST-M1)");
	buf[3 + 50] = plate0;
	OK(tes_mon_decode(buf, sizeof buf, &d) == 0, "control: the message restored decodes");
	EQ_INT(tes_mon_permit(TES_MS_HANDSHAKE, TES_MON_HANDSHAKE, 0), 0, "handshake allowed first");
	EQ_INT(tes_mon_permit(TES_MS_HANDSHAKE, TES_MON_HANDSHAKE, 1u << TES_MON_HANDSHAKE), TES_ERR_STATE,
	       "a second handshake request is refused (MUST-M3)");
	EQ_INT(tes_mon_permit(TES_MS_UNIT, TES_MON_REPORT, 0), TES_ERR_STATE,
	       "report before login refused (MUST-M4)");
	EQ_INT(tes_mon_permit(TES_MS_HANDSHAKE, TES_MON_LOGIN, 0), TES_ERR_STATE,
	       "login before handshake refused (MUST-M4)");
	EQ_INT(tes_mon_permit(TES_MS_UNIT, TES_MON_LOGIN, 0), 0, "login after the handshake allowed");
	EQ_INT(tes_mon_permit(TES_MS_USER, TES_MON_REPORT, 0), 0, "report after login allowed");
	EQ_INT(tes_mon_permit(TES_MS_USER, TES_MON_INIT, 0), TES_ERR_STATE,
	       "master->child types never permitted (MUST-M2)");
	EQ_INT(tes_mon_permit(TES_MS_DEAD, TES_MON_LOG, 0), TES_ERR_STATE,
	       "nothing permitted to a dead session (MUST-M2)");
}

/* 1 when p[0 .. n-1] all equal v. */
static int
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* Encode m, decode it back into a struct full of garbage: 0 when both worked. */
static int
mon_round(const struct tes_mon_msg *m, uint8_t buf[TES_MON_MSG_LEN], struct tes_mon_msg *d)
{
	int r;

	if ((r = tes_mon_encode(m, buf)) != 0)
		return r;
	memset(d, 0xa5, sizeof *d);
	return tes_mon_decode(buf, TES_MON_MSG_LEN, d);
}

/* INIT carries the key bounds the engine enforces (spec/PROTOCOL.md#monitor, #rekey). */
static void
test_monitor_init(void)
{
	/* type, server_random, n, e_len, e[3], allow_des, idle_timeout, then the bounds */
	enum {
		RECORDS_AT = 1 + TES_RANDOM_LEN + TES_RSA_LEN + 1 + 3 + 1 + 4,
		BYTES_AT = RECORDS_AT + 4
	};
	uint8_t buf[TES_MON_MSG_LEN];
	struct tes_mon_msg m, d;

	memset(&m, 0, sizeof m);
	m.type = TES_MON_INIT;
	memset(m.u.init.server_random, 7, TES_RANDOM_LEN);
	memset(m.u.init.n, 0xc1, TES_RSA_LEN);
	m.u.init.e_len = 3;
	m.u.init.e[0] = 1, m.u.init.e[2] = 1;
	m.u.init.idle_timeout = 60;
	m.u.init.rekey_records = TES_REKEY_RECORDS;
	m.u.init.rekey_bytes = 4096;
	OK(mon_round(&m, buf, &d) == 0 && d.type == TES_MON_INIT &&
		   d.u.init.rekey_records == TES_REKEY_RECORDS && d.u.init.rekey_bytes == 4096 &&
		   d.u.init.idle_timeout == 60 && buf[RECORDS_AT + 1] == 1 && buf[BYTES_AT + 2] == 0x10,
	   "INIT with the key bounds round trip");
	buf[BYTES_AT + 3] = 1;
	OK(tes_mon_decode(buf, sizeof buf, &d) == 0 && d.u.init.rekey_bytes == 4097,
	   "control: 4097 bytes decodes");
	buf[RECORDS_AT + 3] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "INIT above TES_REKEY_RECORDS refused");
	buf[RECORDS_AT + 3] = 0;
	buf[RECORDS_AT + 1] = 0;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "INIT with rekey_records 0 refused");
	buf[RECORDS_AT + 3] = 1;
	buf[BYTES_AT + 2] = 0, buf[BYTES_AT + 3] = 0;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "INIT with rekey_bytes 0 refused");
	buf[BYTES_AT + 1] = 0x80, buf[BYTES_AT + 3] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "INIT above TES_REKEY_BYTES refused");
	m.u.init.rekey_records = 0;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "INIT with rekey_records 0 does not encode");
	m.u.init.rekey_records = 1;
	m.u.init.rekey_bytes = TES_REKEY_BYTES + 1;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "INIT above TES_REKEY_BYTES does not encode");
	m.u.init.rekey_bytes = TES_REKEY_BYTES;
	OK(mon_round(&m, buf, &d) == 0 && d.u.init.rekey_records == 1 &&
		   d.u.init.rekey_bytes == TES_REKEY_BYTES,
	   "control: the bounds 1 and TES_REKEY_BYTES round trip");
}

/* RESUME (once, instead of HANDSHAKE) and HEARTBEAT (USER, no fields): codec and permissions. */
static void
test_monitor_resume(void)
{
	/* type, u16 length, the 97 client hello bytes, then u16 ticket_len and the ticket */
	enum {
		TLEN_AT = 1 + 2 + 97,
		TICKET_AT = TLEN_AT + 2,
		TICKET_N = 200,
		END = TICKET_AT + TICKET_N + TES_X25519_LEN + 1 + TES_RSA_LEN
	};
	uint8_t buf[TES_MON_MSG_LEN];
	struct tes_mon_msg m, d, want;

	memset(&m, 0, sizeof m);
	m.type = TES_MON_RESUME;
	m.u.res.rh.ch.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	memset(m.u.res.rh.ch.random, 0x44, TES_RANDOM_LEN);
	memset(m.u.res.rh.ch.x25519, 0x45, TES_X25519_LEN);
	memset(m.u.res.rh.ch.unit_key, 0x11, TES_KEYID_LEN);
	m.u.res.rh.ticket_len = TICKET_N;
	memset(m.u.res.rh.ticket, 0x7e, TES_TICKET_MAX); /* past ticket_len: not sent */
	memset(m.u.res.server_x25519, 0x46, TES_X25519_LEN);
	m.u.res.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	memset(m.u.res.ua.sig, 0x5c, TES_RSA_LEN);
	want = m;
	memset(want.u.res.rh.ticket + TICKET_N, 0, TES_TICKET_MAX - TICKET_N);
	OK(mon_round(&m, buf, &d) == 0 && d.type == TES_MON_RESUME &&
		   memcmp(&d.u.res.rh.ch, &want.u.res.rh.ch, sizeof d.u.res.rh.ch) == 0 &&
		   d.u.res.rh.ticket_len == TICKET_N &&
		   memcmp(d.u.res.rh.ticket, want.u.res.rh.ticket, TES_TICKET_MAX) == 0 &&
		   memcmp(d.u.res.server_x25519, want.u.res.server_x25519, TES_X25519_LEN) == 0 &&
		   d.u.res.suite == want.u.res.suite &&
		   memcmp(d.u.res.ua.sig, want.u.res.ua.sig, TES_RSA_LEN) == 0 && buf[END - 1] == 0x5c &&
		   buf[END] == 0,
	   "RESUME round trip; the ticket bytes past ticket_len are not sent and decode as zero");
	buf[END] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "RESUME with non-zero padding refused (MUST-M1)");
	buf[END] = 0;
	buf[TLEN_AT + 1] = 0;
	OK(tes_mon_decode(buf, sizeof buf, &d) != 0, "RESUME with ticket_len 0 refused");
	buf[TLEN_AT] = 1, buf[TLEN_AT + 1] = 1;
	OK(tes_mon_decode(buf, sizeof buf, &d) != 0, "RESUME with ticket_len 257 refused");
	buf[TLEN_AT] = 0, buf[TLEN_AT + 1] = TICKET_N;
	buf[END - TES_RSA_LEN - 1] = TES_SUITE_DES_CBC_HMAC_SHA256;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "RESUME with another suite than its hello refused");
	buf[END - TES_RSA_LEN - 1] = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	OK(tes_mon_decode(buf, sizeof buf, &d) == 0, "control: the RESUME restored decodes");
	m.u.res.rh.ticket_len = 0;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "RESUME with ticket_len 0 does not encode");
	m.u.res.rh.ticket_len = TES_TICKET_MAX + 1;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG,
	       "RESUME with a ticket longer than TES_TICKET_MAX does not encode");
	m.u.res.rh.ticket_len = TES_TICKET_MAX;
	OK(mon_round(&m, buf, &d) == 0 && d.u.res.rh.ticket_len == TES_TICKET_MAX &&
		   d.u.res.rh.ticket[255] == 0x7e,
	   "control: a ticket of TES_TICKET_MAX bytes round trips");

	memset(&m, 0, sizeof m);
	m.type = TES_MON_HEARTBEAT;
	OK(mon_round(&m, buf, &d) == 0 && d.type == TES_MON_HEARTBEAT && buf[0] == TES_MON_HEARTBEAT &&
		   all_bytes(buf + 1, sizeof buf - 1, 0),
	   "HEARTBEAT round trip: the type byte and zero padding");
	buf[1] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "HEARTBEAT with a field refused (MUST-M1)");

	EQ_INT(tes_mon_permit(TES_MS_HANDSHAKE, TES_MON_RESUME, 0), 0, "RESUME allowed first");
	EQ_INT(tes_mon_permit(TES_MS_HANDSHAKE, TES_MON_RESUME, 1u << TES_MON_RESUME), TES_ERR_STATE,
	       "a second RESUME refused (MUST-M3)");
	EQ_INT(tes_mon_permit(TES_MS_UNIT, TES_MON_RESUME, 0), TES_ERR_STATE,
	       "RESUME after a handshake refused (MUST-M4)");
	EQ_INT(tes_mon_permit(TES_MS_USER, TES_MON_RESUME, 0), TES_ERR_STATE,
	       "RESUME after a resumption refused (MUST-M4)");
	EQ_INT(tes_mon_permit(TES_MS_USER, TES_MON_HANDSHAKE, 1u << TES_MON_RESUME), TES_ERR_STATE,
	       "HANDSHAKE after a resumption refused (MUST-M4)");
	EQ_INT(tes_mon_permit(TES_MS_USER, TES_MON_HEARTBEAT, 0), 0, "HEARTBEAT allowed after login");
	EQ_INT(tes_mon_permit(TES_MS_USER, TES_MON_HEARTBEAT, 1u << TES_MON_HEARTBEAT), 0,
	       "HEARTBEAT allowed again (not once only)");
	EQ_INT(tes_mon_permit(TES_MS_UNIT, TES_MON_HEARTBEAT, 0), TES_ERR_STATE,
	       "HEARTBEAT before login refused");
	EQ_INT(tes_mon_permit(TES_MS_HANDSHAKE, TES_MON_HEARTBEAT, 0), TES_ERR_STATE,
	       "HEARTBEAT before the handshake refused");
	EQ_INT(tes_mon_permit(TES_MS_DEAD, TES_MON_HEARTBEAT, 0), TES_ERR_STATE,
	       "HEARTBEAT to a dead session refused");
}

/* HANDSHAKE_ANS and LOGIN_ANS carry the SESSION fields; a refusal none of them. */
static void
test_monitor_status(void)
{
	/* LOGIN_ANS: type, status, lifetime, ticket_lifetime, res_secret, ticket_len, ticket */
	enum {
		LIFE_AT = 2,
		TLIFE_AT = 6,
		SECRET_AT = 10,
		TLEN_AT = SECRET_AT + TES_HASH_LEN,
		TICKET_AT = TLEN_AT + 2,
		TICKET_N = 150
	};
	uint8_t buf[TES_MON_MSG_LEN], good[TES_MON_MSG_LEN];
	struct tes_mon_msg m, d, want;

	memset(&m, 0, sizeof m);
	m.type = TES_MON_LOGIN_ANS;
	m.u.st.lifetime = 3600;
	m.u.st.ticket_lifetime = TES_TICKET_LIFETIME;
	memset(m.u.st.res_secret, 0x3c, TES_HASH_LEN);
	m.u.st.ticket_len = TICKET_N;
	memset(m.u.st.ticket, 0x9d, TES_TICKET_MAX);
	want = m;
	memset(want.u.st.ticket + TICKET_N, 0, TES_TICKET_MAX - TICKET_N);
	OK(mon_round(&m, buf, &d) == 0 && d.type == TES_MON_LOGIN_ANS && d.u.st.status == 0 &&
		   d.u.st.lifetime == 3600 && d.u.st.ticket_lifetime == TES_TICKET_LIFETIME &&
		   memcmp(d.u.st.res_secret, want.u.st.res_secret, TES_HASH_LEN) == 0 &&
		   d.u.st.ticket_len == TICKET_N &&
		   memcmp(d.u.st.ticket, want.u.st.ticket, TES_TICKET_MAX) == 0 &&
		   buf[TICKET_AT + TICKET_N - 1] == 0x9d && buf[TICKET_AT + TICKET_N] == 0,
	   "LOGIN_ANS with a ticket round trip; the ticket bytes past ticket_len decode as zero");
	memcpy(good, buf, sizeof buf);
	buf[TICKET_AT + TICKET_N] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "LOGIN_ANS with non-zero padding refused (MUST-M1)");
	memcpy(buf, good, sizeof buf);
	buf[1] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "a refused LOGIN_ANS with a ticket refused");
	memcpy(buf, good, sizeof buf);
	buf[TLIFE_AT + 2] = 0, buf[TLIFE_AT + 3] = 0;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "a ticket without ticket_lifetime refused");
	memcpy(buf, good, sizeof buf);
	buf[TLIFE_AT + 3]++;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "ticket_lifetime above 12 h refused");
	memcpy(buf, good, sizeof buf);
	buf[TLEN_AT] = 1, buf[TLEN_AT + 1] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "ticket_len 257 refused");
	memcpy(buf, good, sizeof buf);
	OK(tes_mon_decode(buf, sizeof buf, &d) == 0, "control: the LOGIN_ANS restored decodes");

	m.u.st.ticket_len = 0;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "ticket_lifetime without a ticket does not encode");
	m.u.st.ticket_lifetime = 0;
	OK(mon_round(&m, buf, &d) == 0 && d.u.st.ticket_len == 0 && d.u.st.ticket_lifetime == 0 &&
		   all_bytes(d.u.st.ticket, TES_TICKET_MAX, 0) &&
		   all_bytes(buf + TLEN_AT, sizeof buf - TLEN_AT, 0),
	   "LOGIN_ANS without a ticket round trip");
	buf[TLIFE_AT + 3] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "ticket_lifetime without a ticket refused (decoder)");
	m.u.st.ticket_len = 1;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "a ticket without ticket_lifetime does not encode");

	/* refusals: status 1 and 2 with nothing else */
	memset(&m, 0, sizeof m);
	m.type = TES_MON_LOGIN_ANS;
	m.u.st.status = 2;
	OK(mon_round(&m, buf, &d) == 0 && d.u.st.status == 2 && all_bytes(buf + 2, sizeof buf - 2, 0),
	   "LOGIN_ANS try again round trip");
	memcpy(good, buf, sizeof buf);
	buf[LIFE_AT + 3] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "a refusal with a lifetime refused");
	memcpy(buf, good, sizeof buf);
	buf[SECRET_AT + 31] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "a refusal with a resumption secret refused");
	memcpy(buf, good, sizeof buf);
	buf[1] = 3;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "LOGIN_ANS status 3 refused");
	m.u.st.status = 1;
	m.u.st.res_secret[0] = 1;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "a refusal with a resumption secret does not encode");
	m.u.st.res_secret[0] = 0;
	m.u.st.lifetime = 5;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "a refusal with a lifetime does not encode");
	m.u.st.lifetime = 0;
	m.u.st.ticket_len = 4;
	m.u.st.ticket_lifetime = 60;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "a refusal with a ticket does not encode");

	/* HANDSHAKE_ANS after RESUME: pms := res_secret, the lifetime, no ticket */
	memset(&m, 0, sizeof m);
	m.type = TES_MON_HANDSHAKE_ANS;
	memset(m.u.st.pms, 0x21, TES_PMS_LEN);
	m.u.st.lifetime = 1800;
	OK(mon_round(&m, buf, &d) == 0 && d.type == TES_MON_HANDSHAKE_ANS && d.u.st.status == 0 &&
		   d.u.st.lifetime == 1800 && d.u.st.ticket_len == 0 &&
		   all_bytes(d.u.st.pms, TES_PMS_LEN, 0x21) && buf[1 + 1 + TES_PMS_LEN + 2] == 0x07 &&
		   buf[1 + 1 + TES_PMS_LEN + 3] == 0x08,
	   "HANDSHAKE_ANS with a lifetime round trip");
	buf[1] = 2;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT, "HANDSHAKE_ANS status 2 refused");
	buf[1] = 1;
	EQ_INT(tes_mon_decode(buf, sizeof buf, &d), TES_ERR_FORMAT,
	       "a refused HANDSHAKE_ANS with a lifetime refused");
	m.u.st.status = 2;
	m.u.st.lifetime = 0;
	EQ_INT(tes_mon_encode(&m, buf), TES_ERR_ARG, "HANDSHAKE_ANS status 2 does not encode");
	m.u.st.status = 1;
	OK(mon_round(&m, buf, &d) == 0 && d.u.st.status == 1, "control: a refused HANDSHAKE_ANS round trips");
}

/* The master's answer to a report carries every receipt status, and no other. */
static void
test_monitor_receipt(void)
{
	/* type, u16 length, then the RECEIPT record: inner type, id, status */
	enum {
		STATUS_AT = 3 + 1 + TES_REPORT_ID_LEN
	};
	uint8_t buf[TES_MON_MSG_LEN];
	struct tes_mon_msg m = { .type = TES_MON_REPORT_ANS }, d;
	unsigned st, taken = 0;

	memset(m.u.rcpt.id, 0x5a, TES_REPORT_ID_LEN);
	m.u.rcpt.status = TES_RECEIPT_CONFLICT;
	m.u.rcpt.number = 7;
	OK(tes_mon_encode(&m, buf) == 0 && buf[STATUS_AT] == TES_RECEIPT_CONFLICT,
	   "a CONFLICT answer encodes");
	memset(&d, 0, sizeof d);
	OK(tes_mon_decode(buf, sizeof buf, &d) == 0 && d.type == TES_MON_REPORT_ANS &&
		   memcmp(&d.u.rcpt, &m.u.rcpt, sizeof d.u.rcpt) == 0,
	   "and decodes in the session child as it was, with the stored number (MUST-R10)");
	for (st = 0; st <= 255; st++) {
		buf[STATUS_AT] = (uint8_t)st;
		if (tes_mon_decode(buf, sizeof buf, &d) == 0)
			taken |= 1u << (st < 31 ? st : 31);
	}
	EQ_INT(taken,
	       (1u << TES_RECEIPT_QUEUED) | (1u << TES_RECEIPT_DUPLICATE) | (1u << TES_RECEIPT_REJECTED) |
		       (1u << TES_RECEIPT_CONFLICT),
	       "of the 256 status bytes exactly QUEUED, DUPLICATE, REJECTED and CONFLICT decode (MUST-M1)");
}

/* The next answer of a pool within 30 s: 0, or the error (TES_ERR_TIMEOUT when none came). */
static int
next_answer(struct tes_pool *p, uint64_t *tag, int *ok)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	int r;

	while ((r = tes_pool_result(p, tag, ok)) == TES_ERR_TIMEOUT)
		if (poll(&pfd, 1, 30000) <= 0)
			return TES_ERR_TIMEOUT;
	return r;
}

/* n answers; how many came back with the verdict want_ok(tag) expects. */
static int
answers_right(struct tes_pool *p, int n)
{
	uint64_t tag;
	int i, ok, right = 0;

	for (i = 0; i < n && next_answer(p, &tag, &ok) == 0; i++)
		right += ok == (tag % 2 == 0);
	return right;
}

/* A worker's /proc status line, e.g. "Seccomp:"; 1 when its value is want. */
static int
proc_status(pid_t pid, const char *key, const char *want)
{
	char path[64], line[256], val[64] = "";
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			(void)sscanf(line + strlen(key), "%63s", val);
	fclose(f);
	return strcmp(val, want) == 0;
}

static void
test_sigcheck(void)
{
	static struct tes_rsa_priv k;
	static struct tes_sigcheck c;
	struct tes_rsa_pub broken;
	uint8_t h[TES_HASH_LEN], sig[TES_RSA_LEN], bad[TES_RSA_LEN];
	unsigned i, alive;
	uint64_t tag;
	int ok, confined = 1;
	pid_t pid;

	memset(h, 0x5a, sizeof h);
	if (tes_rsa_generate(&k) != 0 || tes_rsa_sign(&k, h, sig) != 0) {
		OK(0, "an RSA key and a signature for the signature checks");
		return;
	}
	memcpy(bad, sig, sizeof bad);
	bad[77] ^= 0x01;
	EQ_INT(tes_sigcheck_start(&c), 0, "start the signature-check workers");
	EQ_INT(c.pool.n, tes_pool_cpus(), "one worker per online CPU (%u), at most %d", c.pool.n,
	       TES_POOL_MAX);
	for (i = 0; i < c.pool.n; i++)
		confined &= proc_status(c.pool.pids[i], "NoNewPrivs:", "1") &&
			    (strcmp(tes_sandbox_backend(), "seccomp") != 0 ||
			     proc_status(c.pool.pids[i], "Seccomp:", "2"));
	OK(confined, "every worker has no_new_privs and, with the %s backend, its seccomp filter",
	   tes_sandbox_backend());
	/* even tags carry the right signature, odd tags a signature with one bit flipped */
	for (i = 0; i < 40; i++)
		if (tes_sigcheck_submit(&c, 1000 + i, &k.pub, h, i % 2 ? bad : sig) != 0)
			break;
	EQ_INT(answers_right(&c.pool, 40), 40,
	       "40 checks: a right signature is valid, a flipped bit is not, each answer under its tag");
	h[0] ^= 1;
	(void)tes_sigcheck_submit(&c, 1, &k.pub, h, sig);
	h[0] ^= 1;
	broken = k.pub;
	broken.elen = 0;
	(void)tes_sigcheck_submit(&c, 3, &broken, h, sig);
	EQ_INT(answers_right(&c.pool, 2), 2, "another digest, or a key with a broken exponent, is not valid");

	pid = c.pool.pids[0];
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	alive = c.pool.n - 1;
	OK(tes_pool_reaped(&c.pool, pid) == 1 && tes_pool_reaped(&c.pool, pid) == 0 &&
		   tes_pool_alive(&c.pool) == alive,
	   "a killed worker is recognised once when reaped");
	if (alive > 0) {
		(void)tes_sigcheck_submit(&c, 2, &k.pub, h, sig);
		EQ_INT(answers_right(&c.pool, 1), 1, "the other workers go on checking");
	} else {
		OK(1, "# SKIP one worker only");
	}
	for (i = 0; i < c.pool.n; i++)
		if ((pid = c.pool.pids[i]) > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			(void)tes_pool_reaped(&c.pool, pid);
		}
	EQ_INT(next_answer(&c.pool, &tag, &ok), TES_ERR_CLOSED,
	       "with every worker gone the queue reads closed");
	EQ_INT(tes_sigcheck_submit(&c, 4, &k.pub, h, sig), TES_ERR_CLOSED, "and a check cannot be queued");
	tes_sigcheck_stop(&c);
}

static void
test_verifier(void)
{
	static struct tes_verifier v;
	char hash[TES_PASSWD_ENCODED_MAX + 1];

	setenv("TES_ARGON2_MEMORY_KIB", "256", 1);
	if (tes_passwd_hash("right horse", 11, hash, sizeof hash) != 0) {
		OK(0, "an Argon2id hash for the verifier");
		return;
	}
	EQ_INT(tes_verifier_start(&v), 0, "start the password verifier workers");
	(void)tes_verifier_submit(&v, 10, hash, "right horse", 11);
	(void)tes_verifier_submit(&v, 11, hash, "wrong horse", 11);
	(void)tes_verifier_submit(&v, 13, NULL, "right horse", 11);
	EQ_INT(answers_right(&v.pool, 3), 3,
	       "the right password matches; a wrong one or an unknown user does not");
	EQ_INT(tes_verifier_submit(&v, 15, hash, "x", TES_PASSWORD_MAX + 1), TES_ERR_ARG,
	       "an overlong password is refused");
	tes_verifier_stop(&v);
	OK(tes_pool_alive(&v.pool) == 0 && v.pool.fd < 0, "stopping reaps the workers and closes the queue");
}

static int
never_asked(const uint8_t *body)
{
	(void)body;
	return 0;
}

/* A worker that cannot lock itself down stops the pool's start with an error of its own. */
static void
test_pool_lockdown(void)
{
	static const struct tes_pool_kind kind = {
		.name = "tes-test",
		.body_len = 1,
		.queue_bytes = 4096,
		.max_pending = 4,
		.phase = (enum tes_sandbox_phase)99,
		.check = never_asked,
	};
	static struct tes_pool p;

	EQ_INT(tes_pool_start(&p, &kind, 2), TES_ERR_SANDBOX,
	       "workers without a sandbox policy for their phase refuse to serve: %s",
	       tes_err_str(TES_ERR_SANDBOX));
	OK(tes_pool_alive(&p) == 0 && p.fd < 0, "and no worker is left running");
}

/*
 * tes_spawn_child with /bin/sh as the image ("tes-parser MODE" runs the script
 * MODE). Runs in a process of its own, which may move its descriptors: the
 * client socket starts on 4 and the monitor socket on 3, each other's place
 * in the child, SIGPIPE is ignored, and one more descriptor is open, on the
 * file marker. Prints what the script wrote to each socket; the exit code
 * says which step failed.
 */
static int
spawn_probe(const char *script, const char *marker)
{
	int n[2], m[2], leak, st;
	char buf[256];
	ssize_t k;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	/* 3 and 4 taken first, so that the pairs come above them */
	if ((leak = open(marker, O_RDONLY | O_CREAT, 0600)) < 0 || (leak = fcntl(leak, F_DUPFD, 10)) < 0 ||
	    dup2(leak, 3) < 0 || dup2(leak, 4) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, n) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, m) != 0 || dup2(n[1], TES_CHILD_MON_FD) < 0 ||
	    dup2(m[1], TES_CHILD_NET_FD) < 0)
		return 2;
	close(n[1]);
	close(m[1]);
	pid = tes_spawn_child("/bin/sh", script, (char *[]){ "PATH=/usr/bin:/bin", NULL }, TES_CHILD_MON_FD,
			      TES_CHILD_NET_FD);
	if (pid < 0)
		return 3;
	close(TES_CHILD_NET_FD);
	close(TES_CHILD_MON_FD);
	if (waitpid(pid, &st, 0) != pid)
		return 4;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 10 + (WIFEXITED(st) ? WEXITSTATUS(st) : 100);
	for (int i = 0; i < 2; i++) {
		if ((k = read(i == 0 ? n[0] : m[0], buf, sizeof buf - 1)) <= 0)
			return 5 + i;
		buf[k] = '\0';
		fputs(buf, stdout);
	}
	return fflush(stdout) == 0 ? 0 : 7;
}

static void
test_spawn(void)
{
	static const char body[] =
		"set -e\n"
		"ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)\n"
		"echo \"net 0=$(readlink /proc/$$/fd/0) pipe=$(( 0x$ign & 4096 ))\" >&3\n"
		/* by what it refers to: dash keeps its script on fd 10, where the leak may have been */
		"l=closed\n"
		"for f in /proc/$$/fd/*; do\n"
		"  case \"$(readlink \"$f\" || true)\" in */leak-marker) l=open;; esac\n"
		"done\n"
		"echo \"mon leak=$l\" >&4\n";
	char script[UTIL_PATH_MAX], marker[UTIL_PATH_MAX], out[512];
	size_t used = 0;
	ssize_t k;
	int o[2], st = -1, e;
	pid_t pid;

	util_path(script, util_scratch(), "probe.sh");
	util_path(marker, util_scratch(), "leak-marker");
	if (util_file_write(script, body, sizeof body - 1, 0600) != 0 || pipe(o) != 0) {
		OK(0, "cannot set up the spawn probe in %s", util_scratch());
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(o[1], 1);
		close(o[0]);
		_exit(spawn_probe(script, marker));
	}
	close(o[1]);
	while (used < sizeof out - 1 && (k = read(o[0], out + used, sizeof out - 1 - used)) > 0)
		used += (size_t)k;
	out[used] = '\0';
	close(o[0]);
	waitpid(pid, &st, 0);
	unlink(script);
	unlink(marker);
	EQ_INT(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
	       "a child started with its two sockets on swapped numbers runs (probe status %#x)",
	       (unsigned)st);
	OK(strncmp(out, "net 0=/dev/null pipe=0\n", 23) == 0,
	   "its fd 3 is the client socket, 0 is /dev/null, SIGPIPE is not ignored: %.40s", out);
	OK(strstr(out, "\nmon leak=closed\n") != NULL,
	   "its fd 4 is the monitor socket, no other descriptor is inherited: %.16s",
	   strchr(out, '\n') != NULL ? strchr(out, '\n') + 1 : out);

	/* valgrind turns glibc's CLONE_VFORK child into a fork: the exec error then comes as exit 127 */
	if (getenv("TES_UNDER_VALGRIND") != NULL) {
		for (int i = 0; i < 2; i++)
			OK(1, "# SKIP under valgrind, a failed exec is not reported by posix_spawn");
		return;
	}
	errno = 0;
	pid = tes_spawn_child("/nonexistent/tes-parser", "session", (char *[]){ NULL }, 0, 1);
	e = errno;
	OK(pid == -1 && e == ENOENT, "a missing image is an error with its errno: %s", strerror(e));
	OK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "and leaves no child behind");
}

/* ---- the session engine (officer/engine.h) against the client's, in memory (tests/engines.h) ---- */

/* The server's states: steps that reach one, the frame it accepts and the master answer it waits for (0: none). */
static const struct eng_state states[] = {
	{ "WAIT_HELLO", TES_ENG_WAIT_HELLO, 0, TES_FRAME_CLIENT_HELLO, .answer = 0 },
	{ "WAIT_KX", TES_ENG_WAIT_KX, ENG_CLIENT_PIN, TES_FRAME_KEY_EXCHANGE, .answer = 0 },
	{ "WAIT_FIN", TES_ENG_WAIT_FIN, ENG_KX_TO_SERVER, TES_FRAME_FINISHED, .answer = 0 },
	{ "WAIT_HS_ANS", TES_ENG_WAIT_HS_ANS, ENG_FIN_TO_SERVER, 0, .answer = TES_MON_HANDSHAKE_ANS },
	{ "READY", TES_ENG_READY, ENG_CLIENT_LOGIN, TES_FRAME_RECORD, .answer = 0 },
	{ "WAIT_LOGIN_ANS", TES_ENG_WAIT_LOGIN_ANS, ENG_LOGIN_TO_SERVER, 0, .answer = TES_MON_LOGIN_ANS },
	{ "READY logged in", TES_ENG_READY, ENG_CLIENT_REPORT, TES_FRAME_RECORD, .answer = 0 },
	{ "WAIT_REPORT_ANS", TES_ENG_WAIT_REPORT_ANS, ENG_REPORT_TO_SERVER, 0, .answer = TES_MON_REPORT_ANS },
	{ "DONE", TES_ENG_DONE, ENG_BYE_TO_SERVER, 0, .answer = 0 },
	{ "FAILED", TES_ENG_FAILED, -1, 0, .answer = 0 },
};

enum {
	NSTATES = sizeof states / sizeof states[0]
};

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

/* What the server in state s did with a frame of type t (eng_frame_table): took it, or failed for good. */
static void
frame_tried(const struct eng_state *s, uint8_t t, int r, int want, const uint8_t *f, size_t n)
{
	if (want == 0) {
		OK(r == 0 && p.s.state != TES_ENG_FAILED, "server %s takes %s", s->name, eng_frame_names[t]);
		return;
	}
	EQ_INT(r, want, "server %s refuses %s (MUST-S1)", s->name, eng_frame_names[t]);
	OK(silent(&p) && refuses_everything(&p, f, n), "server %s after %s: failed for good and wiped",
	   s->name, eng_frame_names[t]);
}

/*
 * Every state against every frame type: exactly its own is taken, anything else fails it for good
 * (MUST-S1), an ALERT too (MUST-A2).
 */
static void
test_frame_table(void)
{
	eng_frame_table(&base, &p, ENG_SERVER, states, NSTATES, frame_tried);
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
		OK(eng_reach(&base, ENG_SERVER, states[i].steps, states[i].accepts, genuine, &gn) == 0 &&
			   base.has_req == (states[i].answer != 0),
		   "server %s: reached, a request pending exactly when it waits for an answer",
		   states[i].name);
		for (k = 0; k < sizeof answers / sizeof answers[0]; k++) {
			p = base;
			memset(&ans, 0, sizeof ans);
			ans.type = answers[k].type;
			if (ans.type == states[i].answer) {
				eng_master(&p, &ans);
				r = tes_engine_answer(&p.s, &ans, &p.so);
				OK(r == 0 && p.so.frame_len > 0 && p.s.state == TES_ENG_READY,
				   "server %s takes %s", states[i].name, answers[k].name);
				continue;
			}
			r = tes_engine_answer(&p.s, &ans, &p.so);
			EQ_INT(r, states[i].answer ? TES_ERR_TYPE : TES_ERR_STATE, "server %s refuses %s",
			       states[i].name, answers[k].name);
			OK(silent(&p) && refuses_everything(&p, genuine, gn),
			   "server %s after %s: failed for good and wiped", states[i].name, answers[k].name);
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
		size_t n; /* 0: the client engine's own record of that type */
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
		else if ((r = inner[i].plain[0] == TES_INNER_LOGIN ? eng_login(&p, "alice", "pw")
								   : eng_report(&p)) == 0)
			n = eng_queue_take(&p.c2s, f);
		else
			n = 0;
		r = tes_engine_frame(&p.s, f, n, &p.so);
		if (inner[i].want == 0) {
			OK(n > 0 && r == 0 && (p.so.has_req || tes_engine_done(&p.s)),
			   "server READY takes %s", inner[i].name);
			continue;
		}
		EQ_INT(r, inner[i].want, "server READY refuses %s", inner[i].name);
		OK(silent(&p) && refuses_everything(&p, f, n), "server READY after %s: failed for good",
		   inner[i].name);
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
	OK(r == 0 && tes_frame_decode(p.s2c.buf, p.s2c.n, &h, &pl, &used) == 0 &&
		   h.type == TES_FRAME_SERVER_HELLO && used == p.s2c.n && !p.has_req,
	   "CLIENT_HELLO is answered by SERVER_HELLO");
	r = eng_steps(&p, ENG_SH_TO_CLIENT, ENG_KX_TO_SERVER);
	OK(r == 0 && silent(&p), "KEY_EXCHANGE is taken silently");
	r = eng_step(&p, ENG_FIN_TO_SERVER);
	OK(r == 0 && p.so.frame_len == 0 && p.has_req && p.req.type == TES_MON_HANDSHAKE &&
		   memcmp(p.req.u.hs.ch.unit_key, eng_unit_id, TES_KEYID_LEN) == 0 &&
		   p.req.u.hs.suite == TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256,
	   "FINISHED asks the master about the unit");
	r = eng_step(&p, ENG_MASTER_HS);
	OK(r == 0 && p.s.state == TES_ENG_READY && p.s2c.n == TES_FRAME_HDR_LEN + TES_FINISHED_LEN &&
		   p.s.x_priv[0] == 0 && p.s.x_priv[31] == 0,
	   "the answer: the server's FINISHED, its X25519 key wiped");
	r = eng_steps(&p, ENG_FIN_TO_CLIENT, ENG_LOGIN_TO_SERVER);
	OK(r == 0 && p.has_req && p.req.type == TES_MON_LOGIN && p.req.u.login.user_len == 5 &&
		   memcmp(p.req.u.login.pw, "correct horse", 14) == 0,
	   "LOGIN goes to the master as sent");
	r = eng_steps(&p, ENG_MASTER_LOGIN, ENG_REPORT_TO_SERVER);
	OK(r == 0 && p.c.state == TES_CLIENT_ENG_WAIT_RECEIPT && p.has_req && p.req.type == TES_MON_REPORT &&
		   memcmp(&p.req.u.rep.r, &p.rep, sizeof p.rep) == 0 && tes_digest_report(&p.rep, dig) == 0 &&
		   tes_rsa_verify(&eng_unit_key.pub, dig, p.req.u.rep.sig) == 0,
	   "REPORT goes to the master with the unit's valid signature");
	r = eng_steps(&p, ENG_MASTER_REPORT, ENG_RECEIPT_TO_CLIENT);
	OK(r == 0 && p.co.event == TES_CLIENT_EV_RECEIPT && p.co.receipt.number == 1,
	   "the receipt reaches the client");
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
	OK(eng_steps(&p, ENG_REPORT_TO_SERVER, ENG_MASTER_REPORT) == 0 &&
		   eng_step(&p, ENG_BYE_TO_SERVER) == 0 && tes_engine_done(&p.s),
	   "control: in their order both are taken");
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
	OK(r == 0 && p.has_req && p.req.type == TES_MON_REPORT,
	   "control: a REPORT after the login goes to the master");
	p = base;
	r = eng_step(&p, ENG_CLIENT_LOGIN);
	EQ_INT(r == 0 ? eng_step(&p, ENG_LOGIN_TO_SERVER) : r, TES_ERR_STATE,
	       "a second LOGIN after a successful one is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");

	OK(eng_run(&base, ENG_FIN_TO_CLIENT) == 0, "an established pair");
	p = base;
	r = eng_step(&p, ENG_CLIENT_REPORT);
	EQ_INT(r == 0 ? eng_step(&p, ENG_REPORT_TO_SERVER) : r, TES_ERR_STATE,
	       "a REPORT before the login is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
	p = base;
	p.refuse_login = 1;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	OK(r == 0 && p.co.login_result == TES_LOGIN_REFUSED && !p.s.logged_in, "a refused login");
	r = eng_step(&p, ENG_CLIENT_REPORT);
	EQ_INT(r == 0 ? eng_step(&p, ENG_REPORT_TO_SERVER) : r, TES_ERR_STATE,
	       "then a REPORT is still refused");
	p = base;
	p.refuse_login = 1;
	r = eng_steps(&p, ENG_CLIENT_LOGIN, ENG_RESULT_TO_CLIENT);
	p.refuse_login = 0;
	r |= eng_steps(&p, ENG_CLIENT_LOGIN, ENG_LOGIN_TO_SERVER);
	OK(r == 0 && p.has_req && p.req.type == TES_MON_LOGIN,
	   "control: after a refused login, another LOGIN is taken");
}

/* The client's Finished: one bit flipped, or made under another pre-master secret. */
static void
test_wrong_finished(void)
{
	static uint8_t f[TES_FRAME_MAX];
	size_t n = 0, k;
	int all = 1;

	OK(eng_run(&base, ENG_KX_TO_SERVER) == 0 && (n = eng_queue_take(&base.c2s, f)) > 0,
	   "a client Finished");
	p = base;
	OK(eng_to_server(&p, f, n) == 0 && eng_answer(&p) == 0 && p.s.state == TES_ENG_READY &&
		   p.so.frame_len > 0,
	   "control: the client's Finished is taken");
	for (k = TES_FRAME_HDR_LEN; k < n; k++) {
		p = base;
		f[k] ^= 0x01;
		all &= eng_to_server(&p, f, n) == 0 && eng_answer(&p) == TES_ERR_MAC && silent(&p) &&
		       wiped(&p.s);
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
	OK(eng_answer(&p) == 0 && tes_engine_alert(&p.s) == TES_ALERT_PROTOCOL,
	   "control: the unit is accepted");
	p = base;
	p.refuse_unit = 1;
	EQ_INT(eng_answer(&p), TES_ERR_AUTH, "a refused unit ends the handshake");
	OK(silent(&p) && wiped(&p.s) && tes_engine_alert(&p.s) == TES_ALERT_AUTH,
	   "with the AUTH alert to send");

	OK(eng_run(&base, ENG_REPORT_TO_SERVER) == 0 && base.has_req, "a report request");
	p = base;
	eng_master(&p, &ans);
	OK(tes_engine_answer(&p.s, &ans, &p.so) == 0 && p.so.frame_len > 0, "control: its receipt goes out");
	p = base;
	eng_master(&p, &ans);
	ans.u.rcpt.id[3] ^= 1;
	EQ_INT(tes_engine_answer(&p.s, &ans, &p.so), TES_ERR_INTERNAL,
	       "a receipt for another report is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

/* The server's side of each session has its own X25519 key (the random is the master's, from INIT). */
static void
test_fresh(void)
{
	static uint8_t ch[TES_FRAME_MAX];
	static struct eng_pair q;
	enum {
		X = TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN
	};
	size_t n = 0;

	OK(eng_pair_init(&base, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0 &&
		   (n = eng_queue_take(&base.c2s, ch)) > 0,
	   "a client hello");
	q = base;
	p = base;
	OK(eng_to_server(&p, ch, n) == 0 && eng_to_server(&q, ch, n) == 0 && p.s2c.n == q.s2c.n &&
		   p.s2c.n > 0,
	   "two server engines answer the same hello");
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
	enum {
		X = TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN
	};
	static const uint8_t zero[TES_X25519_LEN], one[TES_X25519_LEN] = { 1 };
	const uint8_t *pts[] = { zero, one };
	uint8_t priv[TES_X25519_LEN], pub[TES_X25519_LEN];
	size_t i;

	/* the client engine's hello, as kept for its transcript and as queued, with another key */
	OK(eng_pair_init(&p, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0 &&
		   tes_x25519_keygen(priv, pub) == 0,
	   "a pair and another X25519 key pair");
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
		   p.co.receipt.reason == TES_REJECT_SPEED,
	   "REJECTED for its speed");
	OK(eng_steps(&p, ENG_CLIENT_BYE, ENG_BYE_TO_SERVER) == 0 && tes_engine_done(&p.s),
	   "and the session goes on");
	p = base;
	OK(eng_steps(&p, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT) == 0 && p.co.receipt.number == 1,
	   "control: a report queued as violation 1");
	p.receipt_status = TES_RECEIPT_CONFLICT;
	p.rep.speed++;
	OK(eng_steps(&p, ENG_CLIENT_REPORT, ENG_MASTER_REPORT) == 0 && p.s.state == TES_ENG_READY &&
		   eng_step(&p, ENG_RECEIPT_TO_CLIENT) == 0 && p.co.receipt.status == TES_RECEIPT_CONFLICT &&
		   p.co.receipt.number == 1,
	   "the same id with another speed: the master's CONFLICT with violation 1 goes out as it is "
	   "(MUST-R10)");
	OK(eng_steps(&p, ENG_CLIENT_BYE, ENG_BYE_TO_SERVER) == 0 && tes_engine_done(&p.s),
	   "and the session goes on");
	p = base;
	n = client_record(&base, broken, sizeof broken, f);
	EQ_INT(tes_engine_frame(&p.s, f, n, &p.so), TES_ERR_TRUNCATED,
	       "a report that does not decode is refused");
	OK(silent(&p) && wiped(&p.s), "and fails the engine");
}

/* A pair run through the whole handshake and a login that asks for SESSION: the ticket in hand. */
static int
logged_in_with_ticket(struct eng_pair *x, struct tes_session_info *si)
{
	int r;

	if ((r = eng_pair_init(x, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0)) != 0)
		return r;
	memset(x->res_secret, 0x5a, sizeof x->res_secret);
	x->features = TES_LOGIN_FEAT_SESSION;
	if ((r = eng_steps(x, 1, ENG_MASTER_LOGIN)) != 0 || (r = eng_deliver(x, &x->s2c, 0)) != 0)
		return r;
	if (x->co.event == TES_CLIENT_EV_NONE && x->c.state == TES_CLIENT_ENG_WAIT_SESSION)
		r = eng_deliver(x, &x->s2c, 0); /* the SESSION record that follows LOGIN_RESULT */
	if (r == 0 && x->co.has_session)
		*si = x->co.session;
	return r;
}

/* A pair whose client resumes with ticket (the server engine fresh, as for a new connection). */
static int
resumed_pair(struct eng_pair *x, const uint8_t *ticket, size_t tn, const uint8_t secret[static TES_HASH_LEN])
{
	int r;

	if ((r = eng_pair_init(x, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0)) != 0)
		return r;
	memset(x->res_secret, 0x5a, sizeof x->res_secret);
	x->c2s.n = 0; /* not the full hello: the resumed one */
	if ((r = tes_client_engine_init_resume(&x->c, x->suite, eng_unit_id, ticket, tn, secret, &x->co)) !=
	    0)
		return r;
	eng_queue_put(&x->c2s, x->co.frame, x->co.frame_len);
	return 0;
}

/*
 * Resumption (spec/PROTOCOL.md#resumption) between the two engines: the SESSION record after a login
 * that asks for it, a resumed handshake with its ticket, logged in at once; a wrong resumption secret
 * and a refused ticket end it; an old client's login gets no SESSION.
 */
static void
test_resumption(void)
{
	static struct eng_pair x;
	struct tes_session_info si;
	uint8_t secret[TES_HASH_LEN];
	int r;

	memset(&si, 0, sizeof si);
	OK(logged_in_with_ticket(&x, &si) == 0 && x.co.event == TES_CLIENT_EV_LOGIN &&
		   x.co.login_result == TES_LOGIN_ACCEPTED && x.co.has_session,
	   "a login asking for SESSION: accepted, then the SESSION record");
	OK(si.idle_timeout == 30 && si.lifetime == 3600 && si.rekey_records == TES_REKEY_RECORDS &&
		   si.rekey_bytes == TES_REKEY_BYTES && si.ticket_lifetime == 600 &&
		   si.ticket_len == sizeof eng_ticket &&
		   memcmp(si.ticket, eng_ticket, sizeof eng_ticket) == 0,
	   "SESSION: the idle timeout, the lifetime, the key bounds and the master's ticket (MUST-RS4, "
	   "MUST-K1)");
	OK(memcmp(si.res_secret, x.res_secret, TES_HASH_LEN) == 0, "SESSION: the resumption secret");

	/* the control: an old client's login (no feature byte) gets LOGIN_RESULT alone */
	OK(eng_run(&x, ENG_MASTER_LOGIN) == 0 && eng_deliver(&x, &x.s2c, 0) == 0 &&
		   x.co.event == TES_CLIENT_EV_LOGIN && !x.co.has_session && x.s2c.n == 0,
	   "a login without the feature byte: LOGIN_RESULT and nothing after it");

	/* resumed: RESUME_HELLO, SERVER_HELLO, UNIT_AUTH + FINISHED, FINISHED + SESSION */
	OK(resumed_pair(&x, si.ticket, si.ticket_len, si.res_secret) == 0 &&
		   eng_deliver(&x, &x.c2s, 1) == 0 && x.s.state == TES_ENG_WAIT_UA && x.s.resumed,
	   "server takes RESUME_HELLO, answers SERVER_HELLO, waits for UNIT_AUTH");
	OK(eng_deliver(&x, &x.s2c, 0) == 0 && x.co.event == TES_CLIENT_EV_SERVER_KEY && eng_pin(&x) == 0,
	   "client: the server key to pin, then UNIT_AUTH and FINISHED");
	OK(eng_deliver(&x, &x.c2s, 1) == 0 && x.s.state == TES_ENG_WAIT_FIN &&
		   eng_deliver(&x, &x.c2s, 1) == 0 && x.has_req && x.req.type == TES_MON_RESUME &&
		   x.req.u.res.rh.ticket_len == si.ticket_len && x.req.u.res.suite == x.suite,
	   "server: UNIT_AUTH, then FINISHED: a RESUME request with the ticket for the master");
	OK(eng_answer(&x) == 0 && x.s.state == TES_ENG_READY && x.s.logged_in && x.s.rx_bytes == 0,
	   "the master's yes: server READY and logged in, FINISHED and SESSION out (MUST-RS3)");
	OK(eng_deliver(&x, &x.s2c, 0) == 0 && x.co.event == TES_CLIENT_EV_NONE &&
		   x.c.state == TES_CLIENT_ENG_WAIT_SESSION && eng_deliver(&x, &x.s2c, 0) == 0 &&
		   x.co.event == TES_CLIENT_EV_RESUMED && x.co.has_session && x.co.session.ticket_len == 0 &&
		   x.co.session.lifetime == 3000,
	   "client: the server FINISHED, then SESSION (no new ticket): event RESUMED");
	OK(eng_steps(&x, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT) == 0 &&
		   x.co.event == TES_CLIENT_EV_RECEIPT && x.co.receipt.status == TES_RECEIPT_QUEUED,
	   "a report on the resumed session: QUEUED, no LOGIN");

	/* the resumption secret authenticates the server: the wrong one ends the handshake */
	memcpy(secret, si.res_secret, TES_HASH_LEN);
	secret[0] ^= 1;
	OK(resumed_pair(&x, si.ticket, si.ticket_len, secret) == 0 && eng_deliver(&x, &x.c2s, 1) == 0 &&
		   eng_deliver(&x, &x.s2c, 0) == 0 && eng_pin(&x) == 0 && eng_deliver(&x, &x.c2s, 1) == 0 &&
		   eng_deliver(&x, &x.c2s, 1) == 0 && x.has_req,
	   "a client with another resumption secret gets as far as the master");
	r = eng_answer(&x);
	EQ_INT(r, TES_ERR_MAC, "its FINISHED does not check: the server ends the handshake (MUST-H6)");
	OK(x.s.state == TES_ENG_FAILED && x.s.alert == TES_ALERT_PROTOCOL && !x.s.logged_in,
	   "server FAILED, not logged in, a protocol alert");

	/* the master refuses the ticket: ALERT auth, the client falls back (deliver.c) */
	OK(resumed_pair(&x, si.ticket, si.ticket_len, si.res_secret) == 0 &&
		   eng_deliver(&x, &x.c2s, 1) == 0 && eng_deliver(&x, &x.s2c, 0) == 0 && eng_pin(&x) == 0 &&
		   eng_deliver(&x, &x.c2s, 1) == 0 && eng_deliver(&x, &x.c2s, 1) == 0,
	   "another resumption up to the master");
	x.refuse_resume = 1;
	r = eng_answer(&x);
	EQ_INT(r, TES_ERR_AUTH, "the master refuses the ticket: the handshake ends");
	EQ_INT(tes_engine_alert(&x.s), TES_ALERT_AUTH,
	       "with ALERT auth, the client's cue to log in again (MUST-RS5)");

	/* a UNIT_AUTH where a KEY_EXCHANGE belongs, and a KEY_EXCHANGE after RESUME_HELLO: refused */
	OK(resumed_pair(&x, si.ticket, si.ticket_len, si.res_secret) == 0 && eng_deliver(&x, &x.c2s, 1) == 0,
	   "a server in WAIT_UA");
	{
		static uint8_t f[TES_FRAME_MAX];
		struct eng_pair *y = &x;
		size_t n = eng_some_frame(f, TES_FRAME_KEY_EXCHANGE);

		EQ_INT(tes_engine_frame(&y->s, f, n, &y->so), TES_ERR_TYPE,
		       "server WAIT_UA refuses a KEY_EXCHANGE (MUST-S1)");
	}
	OK(eng_run(&x, ENG_SH_TO_CLIENT) == 0 && eng_pin(&x) == 0, "a full handshake's KEY_EXCHANGE in hand");
	{
		static uint8_t f[TES_FRAME_MAX];
		size_t n = eng_queue_take(&x.c2s, f);

		eng_retype(f, n, TES_FRAME_UNIT_AUTH);
		EQ_INT(tes_engine_frame(&x.s, f, n, &x.so), TES_ERR_TYPE,
		       "server WAIT_KX refuses a UNIT_AUTH (MUST-S1)");
	}
}

/* The master's decision on an opened ticket (officer/resume.h): each refusal, and the control. */
static void
test_resume_decide(void)
{
	struct tes_ticket t;
	uint8_t server[TES_KEYID_LEN], unit[TES_KEYID_LEN], bind[TES_HASH_LEN];

	memset(&t, 0, sizeof t);
	memset(server, 1, sizeof server);
	memset(unit, 2, sizeof unit);
	memset(bind, 3, sizeof bind);
	memcpy(t.server_key, server, sizeof server);
	memcpy(t.unit_key, unit, sizeof unit);
	memcpy(t.pw_bind, bind, sizeof bind);
	EQ_INT(tes_resume_decide(&t, server, unit, bind), TES_RESUME_OK,
	       "control: this server, unit and password");
	server[31] ^= 1;
	EQ_INT(tes_resume_decide(&t, server, unit, bind), TES_RESUME_OTHER_SERVER,
	       "a ticket of another server key is refused (MUST-RS2, MUST-M6)");
	server[31] ^= 1;
	unit[0] ^= 1;
	EQ_INT(tes_resume_decide(&t, server, unit, bind), TES_RESUME_OTHER_UNIT,
	       "a ticket presented by another unit is refused");
	unit[0] ^= 1;
	bind[5] ^= 1;
	EQ_INT(tes_resume_decide(&t, server, unit, bind), TES_RESUME_PASSWORD,
	       "a ticket whose user's password changed is refused");
	EQ_INT(tes_resume_decide(&t, server, unit, NULL), TES_RESUME_NO_USER,
	       "a ticket whose user is gone or not police is refused");
	OK(strcmp(tes_resume_verdict_str(TES_RESUME_OTHER_UNIT), "ticket of another unit") == 0,
	   "the log says which");
}

/* Heartbeats (spec/PROTOCOL.md#session): answered once logged in, the master told; refused before. */
static void
test_heartbeat(void)
{
	static struct eng_pair x;
	static uint8_t f[TES_FRAME_MAX];
	static const uint8_t hb = TES_INNER_HEARTBEAT;
	size_t n;

	OK(eng_run(&x, ENG_RESULT_TO_CLIENT) == 0 && tes_client_engine_ready(&x.c), "a logged-in pair");
	OK(eng_client_out(&x, tes_client_engine_heartbeat(&x.c, &x.co)) == 0 &&
		   x.c.state == TES_CLIENT_ENG_WAIT_HEARTBEAT && !tes_client_engine_ready(&x.c),
	   "client: HEARTBEAT out, waiting for the answer");
	OK(eng_deliver(&x, &x.c2s, 1) == 0 && x.heartbeats == 1 && !x.has_req && x.s.state == TES_ENG_READY,
	   "server: HEARTBEAT answered, the master told (MUST-M7, no answer owed), READY");
	OK(eng_deliver(&x, &x.s2c, 0) == 0 && x.co.event == TES_CLIENT_EV_HEARTBEAT &&
		   tes_client_engine_ready(&x.c),
	   "client: the answer, READY again");
	OK(eng_steps(&x, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT) == 0 &&
		   x.co.receipt.status == TES_RECEIPT_QUEUED,
	   "the session goes on: a report after the heartbeat");

	OK(eng_run(&x, ENG_FIN_TO_CLIENT) == 0, "an established pair, not logged in");
	n = client_record(&x, &hb, 1, f);
	EQ_INT(tes_engine_frame(&x.s, f, n, &x.so), TES_ERR_STATE,
	       "server refuses a HEARTBEAT before the login (MUST-HB3)");
	OK(x.heartbeats == 0 && x.s.state == TES_ENG_FAILED, "the master was not told; the session is over");
}

/*
 * Key bounds (spec/PROTOCOL.md#rekey): at the bound of INIT the server opens no more records under the
 * session keys and ends the session with ALERT REKEY; below it reports flow.
 */
static void
test_rekey(void)
{
	static struct eng_pair x;
	static uint8_t f[TES_FRAME_MAX];
	uint64_t rx = 0, tx = 0;
	size_t n;
	int r, k, sent = 0;

	/* records: LOGIN_RESULT and SESSION are two; each report and receipt one each way */
	OK(eng_pair_init(&x, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0, "a pair");
	x.init.rekey_records = 6;
	tes_engine_init(&x.s, &x.init);
	x.features = TES_LOGIN_FEAT_SESSION;
	OK(eng_steps(&x, 1, ENG_MASTER_LOGIN) == 0 && eng_deliver(&x, &x.s2c, 0) == 0 &&
		   eng_deliver(&x, &x.s2c, 0) == 0 && x.co.session.rekey_records == 6,
	   "logged in under a bound of 6 records; SESSION tells the client");
	for (k = 0; k < 6; k++) {
		x.rep.id[0] = (uint8_t)k;
		if ((r = eng_steps(&x, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT)) != 0)
			break;
		sent++;
	}
	EQ_INT(sent, 3,
	       "three reports fit: LOGIN_RESULT, SESSION and three receipts leave no room for the two "
	       "records a fourth could need");
	EQ_INT(r, TES_ERR_REKEY, "the fourth REPORT is not opened: the bound is reached");
	EQ_INT(tes_engine_alert(&x.s), TES_ALERT_REKEY,
	       "the server ends the session with ALERT REKEY (MUST-K2)");
	OK(x.s.state == TES_ENG_FAILED && !x.has_req, "nothing of that report reached the master");

	/* bytes: a bound of 4096 leaves no room for a report after LOGIN_RESULT and SESSION */
	OK(eng_pair_init(&x, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0) == 0, "a pair");
	x.init.rekey_bytes = TES_REKEY_BYTES_MIN;
	tes_engine_init(&x.s, &x.init);
	OK(eng_steps(&x, 1, ENG_RESULT_TO_CLIENT) == 0, "logged in under a bound of 4096 bytes");
	for (k = 0, r = 0; k < 12 && r == 0; k++) {
		x.rep.id[0] = (uint8_t)k;
		if ((r = eng_steps(&x, ENG_CLIENT_REPORT, ENG_RECEIPT_TO_CLIENT)) == 0) {
			rx = x.s.rx_bytes;
			tx = x.s.tx_bytes;
		}
	}
	EQ_INT(r, TES_ERR_REKEY, "byte bound: a REPORT is refused before 12 fit");
	OK(rx > TES_REKEY_BYTES_MIN - 512 && rx <= TES_REKEY_BYTES_MIN && tx <= TES_REKEY_BYTES_MIN,
	   "up to the bound, never past it: %llu bytes in, %llu out under the keys", (unsigned long long)rx,
	   (unsigned long long)tx);
	/* the client's side: the ALERT ends it with its code */
	n = 0;
	{
		static const uint8_t code = TES_ALERT_REKEY;

		(void)tes_frame_encode(f, sizeof f, TES_FRAME_ALERT, &code, 1, &n);
	}
	EQ_INT(tes_client_engine_frame(&x.c, f, n, &x.co), TES_ERR_PEER,
	       "the client takes ALERT REKEY (MUST-K3: deliver.c resumes)");
	OK(x.co.event == TES_CLIENT_EV_ALERT && x.co.alert == TES_ALERT_REKEY, "with its code (4)");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (eng_keys() != 0)
		return 1;
	if (util_scratch_init("officer") != 0)
		return 2;
	test_pwpolicy();
	test_ratelimit();
	test_monitor();
	test_monitor_receipt();
	test_monitor_init();
	test_monitor_resume();
	test_monitor_status();
	test_sigcheck();
	test_verifier();
	test_pool_lockdown();
	test_spawn();
	test_session();
	test_des();
	test_frame_table();
	test_answer_table();
	test_inner_table();
	eng_test_truncation(&base, &p, ENG_SERVER, states, NSTATES);
	test_replay_reorder();
	test_login_rules();
	test_wrong_finished();
	test_master();
	test_fresh();
	test_zero_point();
	test_reports();
	test_resumption();
	test_resume_decide();
	test_heartbeat();
	test_rekey();
	eng_keys_wipe();
	util_scratch_remove();
	return tap_done();
}
