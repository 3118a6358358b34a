/* SPDX-License-Identifier: ISC */
/*
 * Writes the seed inputs of every target, built with the project's own
 * encoders and the fixed fuzz keys, into DIR/<target>/<name>:
 *   seeds DIR        fuzz-mode build: all targets but handshake_real
 *   seeds-real DIR   real-crypto build: handshake_real, valid transcripts
 *                    that must run a whole session (checked here)
 * make fuzz-seeds merges them into fuzz/corpus/ (sha1 names).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cur.h"
#include "crypto/handshake.h"
#include "crypto/hmac.h"
#include "crypto/keysched.h"
#include "crypto/record.h"
#include "crypto/x25519.h"
#include "fuzzmode.h"
#include "hs_server.h"
#include "officer/mon.h"
#include "police/spool.h"
#include "store/drivers.h"
#include "store/journal.h"
#include "store/seal.h"
#include "web/wmsg.h"
#include "wire/msg.h"
#include "wire/policy.h"
#include "wire/ticket.h"

static const char *root;
static uint8_t buf[65536];
static size_t len;

static void
put(const void *p, size_t n)
{
	fuzz_check(len + n <= sizeof buf, "seed too big");
	memcpy(buf + len, p, n);
	len += n;
}

static void
put_u8(uint8_t v)
{
	put(&v, 1);
}

#ifndef TES_FUZZ_REAL_CRYPTO
static void
put_u16(size_t v)
{
	put_u8((uint8_t)(v >> 8));
	put_u8((uint8_t)v);
}
#endif

static void
emit(const char *target, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fuzz_check(0, "mkdir");
	snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
	f = fopen(path, "wb");
	fuzz_check(f != NULL && fwrite(buf, 1, len, f) == len && fclose(f) == 0, "write seed");
	len = 0;
}

static void
sample_report(struct tes_report *r)
{
	memset(r, 0, sizeof *r);
	memset(r->id, 0x22, sizeof r->id);
	memset(r->unit_key, 0x11, sizeof r->unit_key);
	r->plate_len = 6;
	memcpy(r->plate, "AB123C", 6);
	r->speed = 93;
	r->limit = 50;
	r->time = TES_FUZZ_NOW - 60;
	r->loc_len = 12;
	memcpy(r->loc, "Main St. #4,", 12);
}

static struct tes_record_dir seed_tx;

/* CLIENT_HELLO payload bytes (the first of RESUME_HELLO): suite, random, X25519 key, unit key id */
enum {
	CH_PAYLOAD = 1 + TES_RANDOM_LEN + TES_X25519_LEN + TES_KEYID_LEN
};

/*
 * The client side of a handshake against the engine's deterministic keys,
 * after the flags byte of fuzz/hs_server.h; records follow with put_record.
 * zero_key: the client's X25519 key is all zeros, which the server's ECDH
 * must refuse (the Finished is then of no matter). resumed: RESUME_HELLO
 * with the harness master's ticket and UNIT_AUTH in place of CLIENT_HELLO
 * and KEY_EXCHANGE (the master's resumption secret is hs_pms too).
 */
static void
client_hs(uint8_t flags, uint8_t suite, int zero_key, int resumed)
{
	static const uint8_t base[TES_X25519_LEN] = { 9 };
	static uint8_t ch_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], kx_f[TES_FRAME_MAX], cf_f[TES_FRAME_MAX];
	static struct tes_resume_hello rh;
	struct tes_client_hello ch;
	struct tes_server_hello sh;
	struct tes_key_exchange kx;
	struct tes_unit_auth ua;
	struct tes_mon_init init;
	struct tes_session_keys k;
	uint8_t cpriv[TES_X25519_LEN], spriv[TES_X25519_LEN], ecdh[TES_X25519_LEN] = { 0 }, th[TES_HASH_LEN],
							      fin[TES_FINISHED_LEN];
	size_t ch_n = 0, sh_n = 0, kx_n = 0, cf_n = 0;

	tes_fuzz_reset();
	/* the engine's X25519 key is the first draw after the reset */
	fuzz_check(tes_x25519_keygen(spriv, sh.x25519) == 0, "server keygen");
	memset(cpriv, 0x33, sizeof cpriv);
	fuzz_check(tes_x25519_shared(ch.x25519, cpriv, base) == 0, "client public key");
	if (zero_key)
		memset(ch.x25519, 0, sizeof ch.x25519);
	ch.suite = suite;
	memset(ch.random, 0x44, sizeof ch.random);
	memset(ch.unit_key, 0x11, sizeof ch.unit_key);
	hs_init_params(&init, 4);
	sh.suite = suite;
	memcpy(sh.random, init.server_random, TES_RANDOM_LEN);
	memcpy(sh.n, init.n, TES_RSA_LEN);
	sh.e_len = init.e_len;
	memcpy(sh.e, init.e, init.e_len);
	memset(kx.oaep, 0x55, sizeof kx.oaep);
	memset(kx.sig, 0x66, sizeof kx.sig);
	memset(ua.sig, 0x66, sizeof ua.sig);
	memset(&rh, 0, sizeof rh);
	rh.ch = ch;
	rh.ticket_len = 40;
	memset(rh.ticket, 0x7e, rh.ticket_len);
	if (resumed)
		fuzz_check(tes_handshake_rh_frame(&rh, ch_f, &ch_n) == 0 &&
				   tes_handshake_ua_frame(&ua, kx_f, &kx_n) == 0,
			   "resumed handshake frames");
	else
		fuzz_check(tes_handshake_ch_frame(&ch, ch_f, &ch_n) == 0 &&
				   tes_handshake_kx_frame(&kx, kx_f, &kx_n) == 0,
			   "handshake frames");
	fuzz_check(tes_handshake_sh_frame(&sh, sh_f, &sh_n) == 0, "server hello frame");
	fuzz_check(zero_key || tes_x25519_shared(ecdh, cpriv, sh.x25519) == 0, "ecdh");
	tes_handshake_hash(ch_f, ch_n, sh_f, sh_n, kx_f, kx_n, NULL, 0, th);
	tes_keysched_derive(hs_pms, ecdh, th, &k);
	tes_keysched_finished(k.c_fin, th, fin);
	fuzz_check(tes_frame_encode(cf_f, sizeof cf_f, TES_FRAME_FINISHED, fin, sizeof fin, &cf_n) == 0,
		   "fin");
	put_u8(flags);
	put(ch_f, ch_n);
	put(kx_f, kx_n);
	put(cf_f, cf_n);
	tes_record_dir_init(&seed_tx, suite, k.c2s_enc, k.c2s_mac);
}

static void
client_handshake(uint8_t flags, uint8_t suite, int zero_key)
{
	client_hs(flags, suite, zero_key, 0);
}

/* One record from the client. */
static void
put_record(const void *plain, size_t n)
{
	static uint8_t f[TES_FRAME_MAX];
	size_t used = 0;

	fuzz_check(tes_record_seal(&seed_tx, plain, n, f, sizeof f, &used) == 0, "record");
	put(f, used);
}

/* A LOGIN record; features: the byte that follows the password (0: absent). */
static void
put_login_feat(uint8_t features)
{
	struct tes_login l = { .user_len = 8, .user = "officer1", .pw_len = 13, .pw = "correct horse" };
	uint8_t plain[TES_RECORD_MAX_PLAIN];
	size_t n = 0;

	l.features = features;
	fuzz_check(tes_msg_login_encode(&l, plain, sizeof plain, &n) == 0, "login record");
	put_record(plain, n);
}

static void
put_login(void)
{
	put_login_feat(0);
}

static void
put_heartbeat(void)
{
	static const uint8_t hb = TES_INNER_HEARTBEAT;

	put_record(&hb, 1);
}

/* A report record; the encoder does not check the fields, so out-of-range ones go out as they are. */
static void
put_report(const struct tes_report *rep)
{
	uint8_t plain[TES_RECORD_MAX_PLAIN], sig[TES_RSA_LEN];
	size_t n = 0;

	memset(sig, 0x77, sizeof sig);
	fuzz_check(tes_msg_report_rec_encode(rep, sig, plain, sizeof plain, &n) == 0, "report record");
	put_record(plain, n);
}

/* The whole session of a unit: login, a report, a REJECTED one, BYE. */
static void
client_transcript(uint8_t flags, uint8_t suite)
{
	struct tes_report rep;
	uint8_t bye = TES_INNER_BYE;

	client_handshake(flags, suite, 0);
	put_login();
	sample_report(&rep);
	put_report(&rep);
	rep.speed = 999; /* out of range: a REJECTED receipt, the session goes on */
	rep.id[0] ^= 1;
	put_report(&rep);
	put_record(&bye, 1);
}

/* The seed must do on the engine what its name says: run a whole session, or end with want. */
static void
check_transcript(int want)
{
	static struct tes_engine e;

	tes_fuzz_reset();
	fuzz_check(hs_server_run(&e, buf[0], buf + 1, len - 1, NULL, NULL) == want,
		   "transcript runs as planned");
}

/* Check the transcript in buf (see check_transcript), then write it as PREFIX + name. */
static void
emit_checked(const char *target, const char *prefix, const char *name, int want)
{
	char path[256];

	check_transcript(want);
	snprintf(path, sizeof path, "%s%s", prefix, name);
	emit(target, path);
}

/* After a resumed handshake: heartbeats and reports, a REJECTED one among them, BYE. */
static void
resumed_transcript(uint8_t flags, uint8_t suite)
{
	struct tes_report rep;
	uint8_t bye = TES_INNER_BYE;

	client_hs(flags, suite, 0, 1);
	put_heartbeat();
	sample_report(&rep);
	put_report(&rep);
	put_heartbeat();
	rep.speed = 999;
	rep.id[0] ^= 1;
	put_report(&rep);
	put_record(&bye, 1);
}

/*
 * The protocol's later additions (spec/PROTOCOL.md#resumption, #session,
 * #rekey): resumed sessions, a login that asks for SESSION, heartbeats, and
 * the key bounds of fuzz/hs_server.h flags bits 4..5 (bit 3 clear).
 */
static void
later_seeds(const char *target, const char *prefix)
{
	static const uint8_t hb_body[] = { TES_INNER_HEARTBEAT, 0 };
	static uint8_t f[TES_FRAME_MAX];
	static struct tes_resume_hello rh;
	struct tes_unit_auth ua;
	uint8_t plain[TES_RECORD_MAX_PLAIN], bye = TES_INNER_BYE;
	struct tes_login l = { .user_len = 8,
			       .user = "officer1",
			       .pw_len = 13,
			       .pw = "correct horse",
			       .features = TES_LOGIN_FEAT_SESSION };
	struct tes_report rep;
	size_t n = 0;
	unsigned i;

	resumed_transcript(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "resumed-session", 0);
	resumed_transcript(4, TES_SUITE_DES_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "resumed-session-des", 0);
	resumed_transcript(1, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "resumed-ticket-refused", TES_ERR_AUTH);
	resumed_transcript(8, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "resumed-master-answer-type", TES_ERR_TYPE);
	client_hs(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0, 1);
	put_login(); /* logged in already */
	emit_checked(target, prefix, "resumed-then-login", TES_ERR_STATE);
	client_hs(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 1, 1);
	emit_checked(target, prefix, "resumed-zero-x25519-key", TES_ERR_KEY);
	client_hs(0, TES_SUITE_DES_CBC_HMAC_SHA256, 0, 1); /* single DES not allowed */
	emit_checked(target, prefix, "resumed-des-not-allowed", TES_ERR_STATE);
	/* a RESUME_HELLO whose ticket length is one more than the ticket */
	client_hs(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0, 1);
	buf[1 + TES_FRAME_HDR_LEN + CH_PAYLOAD + 1]++;
	emit_checked(target, prefix, "resume-hello-ticket-length",
		     tes_msg_resume_hello_decode(buf + 1 + TES_FRAME_HDR_LEN, CH_PAYLOAD + 2 + 40, &rh));
	/* a UNIT_AUTH one byte short */
	client_hs(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0, 1);
	len = 1 + TES_FRAME_HDR_LEN + CH_PAYLOAD + 2 + 40;
	memset(ua.sig, 0x66, sizeof ua.sig);
	fuzz_check(tes_frame_encode(f, sizeof f, TES_FRAME_UNIT_AUTH, ua.sig, TES_RSA_LEN - 1, &n) == 0,
		   "UA");
	put(f, n);
	emit_checked(target, prefix, "unit-auth-short",
		     tes_msg_unit_auth_decode(ua.sig, TES_RSA_LEN - 1, &ua));
	/* a KEY_EXCHANGE where UNIT_AUTH is due */
	client_hs(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0, 1);
	buf[1 + TES_FRAME_HDR_LEN + CH_PAYLOAD + 2 + 40 + 2] = TES_FRAME_KEY_EXCHANGE;
	emit_checked(target, prefix, "resumed-key-exchange", TES_ERR_TYPE);

	/* a login that asks for SESSION, heartbeats between the reports */
	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login_feat(TES_LOGIN_FEAT_SESSION);
	put_heartbeat();
	sample_report(&rep);
	put_report(&rep);
	put_heartbeat();
	put_record(&bye, 1);
	emit_checked(target, prefix, "login-session-heartbeat", 0);
	client_handshake(2, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login_feat(TES_LOGIN_FEAT_SESSION);
	put_heartbeat(); /* the login was refused: not logged in */
	emit_checked(target, prefix, "login-refused-then-heartbeat", TES_ERR_STATE);
	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_heartbeat();
	emit_checked(target, prefix, "heartbeat-before-login", TES_ERR_STATE);
	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	put_record(hb_body, sizeof hb_body);
	emit_checked(target, prefix, "heartbeat-with-body",
		     tes_msg_heartbeat_decode(hb_body, sizeof hb_body));
	/* a features byte of no defined value */
	fuzz_check(tes_msg_login_encode(&l, plain, sizeof plain, &n) == 0, "login record");
	plain[n - 1] = 2;
	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_record(plain, n);
	emit_checked(target, prefix, "login-features-unknown", tes_msg_login_decode(plain, n, &l));

	/* the key bounds: 6 records, 4096 bytes, one record; resumed at 6 records */
	client_handshake(1 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	sample_report(&rep);
	for (i = 0; i < 6; i++) {
		rep.id[0] = (uint8_t)(0x22 ^ i);
		if (i % 2)
			put_heartbeat();
		else
			put_report(&rep);
	}
	emit_checked(target, prefix, "rekey-records", TES_ERR_REKEY);
	client_handshake(2 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login_feat(TES_LOGIN_FEAT_SESSION);
	for (i = 0; i < 16; i++) {
		rep.id[0] = (uint8_t)(0x22 ^ i);
		put_report(&rep);
	}
	emit_checked(target, prefix, "rekey-bytes", TES_ERR_REKEY);
	client_handshake(3 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	put_heartbeat();
	emit_checked(target, prefix, "rekey-one-record", TES_ERR_REKEY);
	/* heartbeats alone: the bytes the answers would send reach the bound first */
	client_handshake(2 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	for (i = 0; i < 120; i++)
		put_heartbeat();
	emit_checked(target, prefix, "rekey-bytes-sent", TES_ERR_REKEY);
	/* the master answers each login try again: the heartbeat comes before any login */
	client_handshake(3, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login_feat(TES_LOGIN_FEAT_SESSION);
	put_login();
	put_heartbeat();
	emit_checked(target, prefix, "login-retry-heartbeat", TES_ERR_STATE);
	client_hs(1 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0, 1);
	for (i = 0; i < 6; i++)
		put_heartbeat();
	emit_checked(target, prefix, "resumed-rekey-records", TES_ERR_REKEY);
}

/*
 * Sessions that end in each of the engine's refusals behind a valid
 * handshake (prefix: "server-" for the fuzz-mode target). The range errors
 * of a report get REJECTED receipts and the session goes on.
 */
static void
session_seeds(const char *target, const char *prefix)
{
	static const uint8_t bad_login[] = { TES_INNER_LOGIN, 0xff, 'x' }, unknown = 0x7f,
			     broken_report[] = { TES_INNER_REPORT, 1, 2, 3 };
	struct tes_report rep;

	client_transcript(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "session-3des", 0);
	client_transcript(4, TES_SUITE_DES_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "session-des", 0);

	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	sample_report(&rep);
	rep.plate[0] = 'a';
	put_report(&rep);
	sample_report(&rep);
	rep.limit = 1;
	put_report(&rep);
	sample_report(&rep);
	rep.time = 5;
	put_report(&rep);
	sample_report(&rep);
	rep.loc[0] = 1;
	put_report(&rep);
	put_login(); /* a second login is out of state */
	emit_checked(target, prefix, "rejected-then-login-again", TES_ERR_STATE);

	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	sample_report(&rep);
	put_report(&rep);
	emit_checked(target, prefix, "report-before-login", TES_ERR_STATE);

	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_record(bad_login, sizeof bad_login);
	emit_checked(target, prefix, "bad-login", TES_ERR_TOOLONG);

	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	put_record(&unknown, 1);
	emit_checked(target, prefix, "unknown-inner-type", TES_ERR_TYPE);

	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	put_login();
	put_record(broken_report, sizeof broken_report);
	emit_checked(target, prefix, "broken-report", TES_ERR_TRUNCATED);

	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 1);
	emit_checked(target, prefix, "zero-x25519-key", TES_ERR_KEY);

	/* the master's answer of the wrong type: to the handshake (request 0), login (1), report (2) */
	client_transcript(8, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "master-handshake-answer-type", TES_ERR_TYPE);
	client_transcript(8 | 1 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "master-login-answer-type", TES_ERR_TYPE);
	client_transcript(8 | 2 << 4, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "master-report-answer-type", TES_ERR_TYPE);
	client_transcript(64, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	emit_checked(target, prefix, "master-receipt-other-report", TES_ERR_INTERNAL);

	/* the stream stops in the middle of the BYE record */
	client_transcript(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	len -= 3;
	emit_checked(target, prefix, "cut-last-record", TES_ERR_FORMAT);
	later_seeds(target, prefix);
}

#ifdef TES_FUZZ_REAL_CRYPTO

int
main(int argc, char **argv)
{
	fuzz_check(argc == 2, "usage: seeds-real DIR");
	root = argv[1];
	session_seeds("handshake_real", "");
	client_handshake(0, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 0);
	emit("handshake_real", "handshake-only");
	return 0;
}

#else

/*
 * The server side of a session for the police client (fuzz mode: a
 * Finished or record MAC that is not all zeros is accepted, the record
 * cipher is the identity): SERVER_HELLO, FINISHED, LOGIN_RESULT (stream_login) and receipts
 * naming the reports 0x22.., 0x23.., ... as fuzz_handshake.c sends them.
 */
static uint8_t stream_login = TES_LOGIN_ACCEPTED;

/*
 * The later additions, for the client cases of fuzz_handshake.c (flags
 * 0x82 | bits 3..6, and TCP cases 11, 12): a resumed session (no
 * LOGIN_RESULT), SESSION after FINISHED or LOGIN_RESULT, a HEARTBEAT
 * before each receipt, an ALERT in place of receipt number stream_alert_at
 * (counted from 0; -1 none), an ALERT after the last receipt (0 none).
 */
static int stream_resumed, stream_session, stream_heartbeats, stream_alert_at = -1;
static uint8_t stream_tail_alert;

static void
put_alert(uint8_t code)
{
	put_u8(TES_FRAME_MAGIC);
	put_u8(TES_PROTO_VERSION);
	put_u8(TES_FRAME_ALERT);
	put_u8(0);
	put_u16(1);
	put_u8(code);
}

/* The server's SESSION record: after a login a ticket, after a resumption none. */
static void
put_session(struct tes_record_dir *tx, uint8_t *f)
{
	struct tes_session_info si = { .idle_timeout = 30,
				       .lifetime = 3600,
				       .rekey_records = TES_REKEY_RECORDS,
				       .rekey_bytes = TES_REKEY_BYTES };
	uint8_t plain[TES_RECORD_MAX_PLAIN];
	size_t n = 0, used = 0;

	if (!stream_resumed) {
		si.ticket_lifetime = 600;
		si.ticket_len = 40;
		memset(si.ticket, 0x7e, si.ticket_len);
		memset(si.res_secret, 0x3c, sizeof si.res_secret);
	}
	fuzz_check(tes_msg_session_encode(&si, plain, sizeof plain, &n) == 0 &&
			   tes_record_seal(tx, plain, n, f, TES_FRAME_MAX, &used) == 0,
		   "SESSION");
	put(f, used);
}

static void
server_stream(uint8_t flags, unsigned receipts, int zero_key, int alert)
{
	static uint8_t f[TES_FRAME_MAX];
	struct tes_server_hello sh;
	struct tes_mon_init init;
	struct tes_record_dir tx;
	uint8_t priv[TES_X25519_LEN], fin[TES_FINISHED_LEN] = { 1 }, ok[2] = { TES_INNER_LOGIN_RESULT, 1 },
				      plain[64], key[TES_MAC_KEY_LEN] = { 0 };
	/* the statuses in turn: two receipts are QUEUED, DUPLICATE; a batch sees a CONFLICT too */
	static const uint8_t status[] = { TES_RECEIPT_QUEUED, TES_RECEIPT_DUPLICATE, TES_RECEIPT_CONFLICT };
	struct tes_receipt rc = { .number = 7 };
	size_t used = 0, n = 0;
	unsigned i;

	hs_init_params(&init, 0);
	sh.suite = flags & 1 ? TES_SUITE_DES_CBC_HMAC_SHA256 : TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	memcpy(sh.random, init.server_random, TES_RANDOM_LEN);
	memcpy(sh.n, init.n, TES_RSA_LEN);
	sh.e_len = init.e_len;
	memcpy(sh.e, init.e, init.e_len);
	fuzz_check(tes_x25519_keygen(priv, sh.x25519) == 0, "server key");
	if (zero_key)
		memset(sh.x25519, 0, sizeof sh.x25519);
	fuzz_check(tes_handshake_sh_frame(&sh, f, &used) == 0, "SH");
	put_u8(flags);
	put(f, used);
	fuzz_check(tes_frame_encode(f, sizeof f, TES_FRAME_FINISHED, fin, sizeof fin, &used) == 0, "FIN");
	put(f, used);
	if (alert) {
		put_alert(TES_ALERT_BUSY);
		return;
	}
	tes_record_dir_init(&tx, sh.suite, key, key);
	ok[1] = stream_login;
	if (!stream_resumed) {
		fuzz_check(tes_record_seal(&tx, ok, sizeof ok, f, sizeof f, &used) == 0, "LOGIN_RESULT");
		put(f, used);
	}
	if (stream_session)
		put_session(&tx, f);
	for (i = 0; i < receipts; i++) {
		if ((int)i == stream_alert_at) {
			put_alert(TES_ALERT_REKEY);
			return;
		}
		if (stream_heartbeats) {
			plain[0] = TES_INNER_HEARTBEAT;
			fuzz_check(tes_record_seal(&tx, plain, 1, f, sizeof f, &used) == 0, "HEARTBEAT");
			put(f, used);
		}
		memset(rc.id, 0x22, sizeof rc.id);
		rc.id[0] ^= (uint8_t)i;
		rc.status = status[i % 3];
		fuzz_check(tes_msg_receipt_encode(&rc, plain, sizeof plain, &n) == 0 &&
				   tes_record_seal(&tx, plain, n, f, sizeof f, &used) == 0,
			   "RECEIPT");
		put(f, used);
	}
	if (stream_tail_alert != 0)
		put_alert(stream_tail_alert);
}

/* Client streams of the later additions (see fuzz_handshake.c). */
static void
later_streams(void)
{
	static const struct {
		uint8_t flags;
		int resumed, session, heartbeats, alert_at;
		uint8_t tail;
		const char *name;
	} v[] = {
		{ 0x82 | 1 << 3, 1, 1, 0, -1, 0, "client-resumed" },
		{ 0x83 | 1 << 3, 1, 1, 0, -1, 0, "client-resumed-des" },
		{ 0x82 | 3 << 3, 1, 1, 0, -1, 0, "client-resumed-pin-refused" },
		{ 0x82 | 5 << 3, 1, 1, 1, -1, 0, "client-resumed-heartbeat" },
		{ 0x82 | 13 << 3, 1, 1, 1, -1, TES_ALERT_REKEY, "client-resumed-heartbeat-rekey" },
		{ 0x82 | 9 << 3, 1, 1, 0, -1, TES_ALERT_BUSY, "client-resumed-then-busy" },
		{ 0x82 | 2 << 3, 0, 1, 0, -1, 0, "client-login-session" },
		{ 0x82 | 6 << 3, 0, 1, 1, -1, 0, "client-login-session-heartbeat" },
		{ 0x82 | 14 << 3, 0, 1, 1, -1, TES_ALERT_REKEY, "client-login-session-heartbeat-rekey" },
		{ 0x82 | 4 << 3, 0, 0, 1, -1, 0, "client-heartbeat" },
		{ 0x82 | 12 << 3, 0, 0, 1, -1, TES_ALERT_AUTH, "client-heartbeat-then-auth" },
		{ 0x82 | 2 << 3, 0, 1, 0, 1, 0, "client-login-session-rekey-mid" },
		{ 0x82 | 5 << 3, 1, 1, 1, 0, 0, "client-resumed-rekey-first" },
		{ 0x80 | 1 << 3, 0, 0, 0, 2, 0, "client-batch-rekey-mid" },
		{ 0x84 | 11 << 3, 1, 1, 1, -1, TES_ALERT_REKEY, "client-tcp-resumed" },
		{ 0x86 | 11 << 3, 1, 1, 1, -1, 0, "client-tcp-resumed-pin-refused" },
		{ 0x84 | 11 << 3, 1, 1, 1, 1, 0, "client-tcp-resumed-rekey-mid" },
		{ 0x84 | 12 << 3, 0, 1, 1, -1, TES_ALERT_REKEY, "client-tcp-login-session" },
		{ 0x84 | 12 << 3, 0, 1, 1, -1, 0, "client-tcp-login-session-closed" },
	};
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		stream_resumed = v[i].resumed;
		stream_session = v[i].session;
		stream_heartbeats = v[i].heartbeats;
		stream_alert_at = v[i].alert_at;
		stream_tail_alert = v[i].tail;
		server_stream(v[i].flags, 2, 0, 0);
		emit("handshake", v[i].name);
	}
	stream_resumed = stream_session = stream_heartbeats = 0;
	stream_alert_at = -1;
	stream_tail_alert = 0;
	/* a resumed session the server answers with LOGIN_RESULT where SESSION is due */
	server_stream(0x82 | 1 << 3, 2, 0, 0);
	emit("handshake", "client-resumed-login-result");
	/* over TCP: an ALERT after the resumed FINISHED; logins refused and answered try again */
	stream_resumed = 1;
	server_stream(0x84 | 11 << 3, 0, 0, 1);
	emit("handshake", "client-tcp-resumed-alert-after-finished");
	stream_resumed = 0;
	stream_login = TES_LOGIN_REFUSED;
	server_stream(0x84 | 12 << 3, 0, 0, 0);
	emit("handshake", "client-tcp-login-refused");
	stream_login = TES_LOGIN_RETRY;
	server_stream(0x84, 0, 0, 0);
	emit("handshake", "client-tcp-login-retry");
	stream_login = TES_LOGIN_ACCEPTED;
}

static void
server_transcript(void)
{
	char name[32];
	unsigned k;

	server_stream(0x80, 2, 0, 0);
	emit("handshake", "client-session");
	server_stream(0x80 | 3 << 3, 5, 0, 0);
	emit("handshake", "client-batch");
	server_stream(0x81, 2, 0, 0);
	emit("handshake", "client-session-des");
	server_stream(0x80 | 2, 2, 0, 0);
	emit("handshake", "client-pin-refused");
	server_stream(0x80 | 64, 2, 0, 0);
	emit("handshake", "client-long-name");
	server_stream(0x80, 0, 1, 0);
	emit("handshake", "client-zero-x25519");
	server_stream(0x80, 0, 0, 1);
	emit("handshake", "client-alert-after-finished");
	/* the login answered try again (the server could not record it) */
	stream_login = TES_LOGIN_RETRY;
	server_stream(0x80, 2, 0, 0);
	emit("handshake", "client-login-retry");
	stream_login = TES_LOGIN_ACCEPTED;
	/* over TCP, one per address case of fuzz_handshake.c */
	for (k = 0; k < 11; k++) {
		server_stream((uint8_t)(0x84 | k << 3), 2, 0, 0);
		snprintf(name, sizeof name, "client-tcp-%u", k);
		emit("handshake", name);
	}
	/* the driver's own failures: the pin refuses, an ALERT after the handshake, a silent server */
	server_stream(0x84 | 2, 2, 0, 0);
	emit("handshake", "client-tcp-pin-refused");
	server_stream(0x84, 0, 0, 1);
	emit("handshake", "client-tcp-alert-after-finished");
	put_u8(0x84);
	emit("handshake", "client-tcp-silent-server");
	put_u8(0x80);
	put_alert(TES_ALERT_BUSY);
	emit("handshake", "client-alert");
	later_streams();
}

static void
seeds_handshake(void)
{
	session_seeds("handshake", "server-");
	server_transcript();
}

/* The resumed handshake's frames: RESUME_HELLO, UNIT_AUTH, then an ALERT REKEY. */
static void
seeds_frame_resume(uint8_t *f, size_t cap)
{
	struct tes_resume_hello rh = { .ch = { .suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 },
				       .ticket_len = 8 };
	struct tes_unit_auth ua = { .sig = { 0x5a } };
	uint8_t p[TES_FRAME_MAX_PAYLOAD], alert = TES_ALERT_REKEY;
	size_t n, used = 0;

	memset(rh.ticket, 0x74, rh.ticket_len);
	fuzz_check(tes_msg_resume_hello_encode(&rh, p, sizeof p, &n) == 0 &&
			   tes_frame_encode(f, cap, TES_FRAME_RESUME_HELLO, p, n, &used) == 0,
		   "resume hello frame");
	put(f, used);
	fuzz_check(tes_msg_unit_auth_encode(&ua, p, sizeof p, &n) == 0 &&
			   tes_frame_encode(f, cap, TES_FRAME_UNIT_AUTH, p, n, &used) == 0,
		   "unit auth frame");
	put(f, used);
	fuzz_check(tes_frame_encode(f, cap, TES_FRAME_ALERT, &alert, 1, &used) == 0, "rekey alert frame");
	put(f, used);
	emit("frame", "resume-stream");
}

/* A stream of three frames, then a cut one: used by "frame". */
static void
seeds_frame(void)
{
	static uint8_t f[TES_FRAME_MAX];
	uint8_t fin[TES_FINISHED_LEN] = { 1 }, alert = TES_ALERT_PROTOCOL;
	size_t used = 0;

	fuzz_check(tes_frame_encode(f, sizeof f, TES_FRAME_FINISHED, fin, sizeof fin, &used) == 0, "frame");
	put(f, used);
	fuzz_check(tes_frame_encode(f, sizeof f, TES_FRAME_ALERT, &alert, 1, &used) == 0, "frame");
	put(f, used);
	fuzz_check(tes_frame_encode(f, sizeof f, TES_FRAME_RECORD, f, 0, &used) == 0, "frame");
	put(f, used);
	fuzz_check(tes_frame_encode(f, sizeof f, TES_FRAME_CLIENT_HELLO, fin, sizeof fin, &used) == 0,
		   "frame");
	put(f, used - 5);
	emit("frame", "stream");
	seeds_frame_resume(f, sizeof f);
}

/* LOGIN with its features byte, RESUME_HELLO, UNIT_AUTH, HEARTBEAT, SESSION, ALERT REKEY. */
static void
seeds_report_session(void)
{
	struct tes_login l = { .user_len = 8,
			       .user = "officer1",
			       .pw_len = 13,
			       .pw = "correct horse",
			       .features = TES_LOGIN_FEAT_SESSION };
	struct tes_resume_hello rh = { .ch = { .suite = TES_SUITE_DES_CBC_HMAC_SHA256 }, .ticket_len = 150 };
	struct tes_unit_auth ua = { .sig = { 0x01, 0x02 } };
	struct tes_session_info si = { .idle_timeout = 30,
				       .lifetime = 3600,
				       .rekey_records = TES_REKEY_RECORDS,
				       .rekey_bytes = TES_REKEY_BYTES,
				       .ticket_lifetime = TES_TICKET_LIFETIME,
				       .ticket_len = 150 };

	fuzz_check(tes_msg_login_encode(&l, buf, sizeof buf, &len) == 0, "login with features");
	emit("report", "login-features");
	memset(rh.ch.random, 0x72, sizeof rh.ch.random);
	memset(rh.ticket, 0x74, rh.ticket_len);
	fuzz_check(tes_msg_resume_hello_encode(&rh, buf, sizeof buf, &len) == 0, "resume hello");
	emit("report", "resume-hello");
	fuzz_check(tes_msg_unit_auth_encode(&ua, buf, sizeof buf, &len) == 0, "unit auth");
	emit("report", "unit-auth");
	put_u8(TES_INNER_HEARTBEAT);
	emit("report", "heartbeat");
	memset(si.res_secret, 0x73, sizeof si.res_secret);
	memset(si.ticket, 0x74, si.ticket_len);
	fuzz_check(tes_msg_session_encode(&si, buf, sizeof buf, &len) == 0, "session");
	emit("report", "session");
	si.ticket_len = 0;
	si.ticket_lifetime = 0;
	memset(si.res_secret, 0, sizeof si.res_secret);
	fuzz_check(tes_msg_session_encode(&si, buf, sizeof buf, &len) == 0, "session without ticket");
	emit("report", "session-resumed");
	put_u8(TES_ALERT_REKEY);
	emit("report", "alert-rekey");
}

static void
seeds_report(void)
{
	struct tes_report rep;
	struct tes_login l = { .user_len = 8, .user = "officer1", .pw_len = 13, .pw = "correct horse" };
	struct tes_receipt rc = { .status = TES_RECEIPT_REJECTED, .reason = TES_REJECT_SPEED },
			   conflict = { .id = { 0x22 }, .status = TES_RECEIPT_CONFLICT, .number = 7 };
	uint8_t sig[TES_RSA_LEN] = { 0 };

	sample_report(&rep);
	fuzz_check(tes_msg_report_encode(&rep, buf, sizeof buf, &len) == 0, "report");
	emit("report", "canonical");
	fuzz_check(tes_msg_report_rec_encode(&rep, sig, buf, sizeof buf, &len) == 0, "report msg");
	emit("report", "report-record");
	fuzz_check(tes_msg_login_encode(&l, buf, sizeof buf, &len) == 0, "login");
	emit("report", "login");
	fuzz_check(tes_msg_receipt_encode(&rc, buf, sizeof buf, &len) == 0, "receipt");
	emit("report", "receipt");
	fuzz_check(tes_msg_receipt_encode(&conflict, buf, sizeof buf, &len) == 0, "receipt");
	emit("report", "receipt-conflict");
	put("KA-12 b 7", 9);
	emit("report", "plate-input");
	put_u8(TES_INNER_LOGIN_RESULT);
	put_u8(TES_LOGIN_RETRY);
	emit("report", "login-result-retry");
	seeds_report_session();
}

static void
seeds_record(void)
{
	static const uint8_t login[] = "\x01\x08officer1\x04pass";
	uint8_t block[16] = { 0 };

	put_u8(0);
	put_u8(3);
	put_u16(sizeof login - 1);
	put(login, sizeof login - 1);
	put_u8(2);
	memset(block + 8, 7, 8);
	block[8] = TES_INNER_BYE;
	put_u16(sizeof block);
	put(block, sizeof block);
	put_u8(1);
	put_u16(sizeof block);
	put(block, sizeof block);
	put_u8(4 | (15 << 3));
	put_u16(0);
	put_u8(3);
	put_u16(1);
	put_u8(TES_INNER_BYE);
	emit("record", "ops");
}

static void
seeds_monitor(void)
{
	static uint8_t m[TES_MON_MSG_LEN];
	struct tes_mon_msg msg;

	put_u8(0);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_HANDSHAKE;
	msg.u.hs.ch.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	msg.u.hs.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon handshake");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_LOGIN;
	msg.u.login = (struct tes_login){ .user_len = 8, .user = "officer1", .pw_len = 4, .pw = "pass" };
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon login");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_REPORT;
	sample_report(&msg.u.rep.r);
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon report");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_LOG;
	msg.u.log.level = 1;
	msg.u.log.len = 13;
	memcpy(msg.u.log.text, "session ended", 13);
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon log");
	put(m, 40);
	emit("monitor", "child-session");
	/* the master's answer to a report, CONFLICT (the child decodes it with the same codec) */
	put_u8(0);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_REPORT_ANS;
	msg.u.rcpt.status = TES_RECEIPT_CONFLICT;
	msg.u.rcpt.number = 7;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon report answer");
	put(m, 40);
	emit("monitor", "report-answer-conflict");
	/* the master's answer to a login it could not record: try again */
	put_u8(0);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_LOGIN_ANS;
	msg.u.st.status = 2;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon login answer");
	put(m, 40);
	emit("monitor", "login-answer-retry");
	/* a resumed session: RESUME (ticket), then heartbeats and a report, no LOGIN */
	put_u8(0);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_RESUME;
	msg.u.res.rh.ch.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	memset(msg.u.res.rh.ch.unit_key, 0x11, TES_KEYID_LEN);
	msg.u.res.rh.ticket_len = 180;
	memset(msg.u.res.rh.ticket, 0x5e, 180);
	msg.u.res.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	memset(msg.u.res.ua.sig, 0x66, TES_RSA_LEN);
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon resume");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_HEARTBEAT;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon heartbeat");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_REPORT;
	sample_report(&msg.u.rep.r);
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon report");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_HEARTBEAT;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon heartbeat");
	put(m, 8);
	emit("monitor", "child-resume");
	/* the master's answers that carry the SESSION fields: an accepted login with a ticket,
	   a resumed handshake (lifetime, no ticket), and INIT with the key bounds (mode bit 7
	   also runs the encoders on the bytes after the mode byte) */
	put_u8(0);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_LOGIN_ANS;
	msg.u.st.lifetime = 3600;
	msg.u.st.ticket_lifetime = TES_TICKET_LIFETIME;
	memset(msg.u.st.res_secret, 0x3c, TES_HASH_LEN);
	msg.u.st.ticket_len = 180;
	memset(msg.u.st.ticket, 0x5e, 180);
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon login answer with a ticket");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_HANDSHAKE_ANS;
	memset(msg.u.st.pms, 0x3c, TES_PMS_LEN);
	msg.u.st.lifetime = 1800;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon handshake answer after resume");
	put(m, sizeof m);
	memset(&msg, 0, sizeof msg);
	msg.type = TES_MON_INIT;
	msg.u.init.e_len = 3;
	msg.u.init.e[0] = 1;
	msg.u.init.e[2] = 1;
	msg.u.init.idle_timeout = 30;
	msg.u.init.rekey_records = TES_REKEY_RECORDS;
	msg.u.init.rekey_bytes = TES_REKEY_BYTES;
	fuzz_check(tes_mon_encode(&msg, m) == 0, "mon init");
	put(m, 320);
	emit("monitor", "session-answers");
}

static const struct tes_seal_keys dkeys = {
	.enc = "fuzz drivers.enc 3des ky",
	.mac = "fuzz storage mac key hmac-sha256",
};

/*
 * The mode byte of fuzz_drivers_enc.c that selects writer sel: mode % 6 == 5
 * and (mode >> 3) % 16 == sel.
 */
static uint8_t
writer_mode(unsigned sel)
{
	unsigned m;

	for (m = sel * 8; m % 6 != 5; m++)
		;
	return (uint8_t)m;
}

static void
put_u64(uint64_t v)
{
	int i;

	for (i = 56; i >= 0; i -= 8)
		put_u8((uint8_t)(v >> i));
}

/*
 * The bodies storage version 2 added (drivers_enc mode 5, sel = type + 1),
 * and a DECISION with the policy tail.
 */
static void
seeds_bodies_v2(void)
{
	static const char text[] = "tes-policy 1\nbasis excess\ntolerance-kmh 3\r\nband 1 10\t# over\n"
				   "band 20 20\nthreshold 120\nwindow-days 730\n";
	static uint8_t plain[TES_JOURNAL_BODY_MAX];
	static struct tes_journal_policy po;
	struct tes_journal_disable di = { .name_len = 5, .name = "carol" };
	struct tes_journal_import im = { .plate_len = 7,
					 .plate = "AB123CD",
					 .points = 120,
					 .time = TES_FUZZ_NOW,
					 .index = 2,
					 .count = 3 };
	struct tes_journal_decision de = { .verdict = TES_VERDICT_APPROVE,
					   .points = 35,
					   .reason_len = 0,
					   .officer_len = 3,
					   .officer = "bob",
					   .time = TES_FUZZ_NOW,
					   .has_policy = 1,
					   .policy_version = 2 };
	size_t m = 0;

	memset(&po, 0, sizeof po);
	po.version = 2;
	po.text_len = (uint16_t)(sizeof text - 1);
	memcpy(po.text, text, sizeof text - 1);
	fuzz_check(tes_journal_policy_encode(&po, plain, sizeof plain, &m) == 0, "policy body");
	put_u8(writer_mode(TES_JREC_POLICY + 1));
	put(plain, m);
	emit("drivers_enc", "body-policy");
	fuzz_check(tes_journal_disable_encode(&di, plain, sizeof plain, &m) == 0, "disable body");
	put_u8(writer_mode(TES_JREC_DISABLE + 1));
	put(plain, m);
	emit("drivers_enc", "body-disable");
	memset(im.batch, 0x3c, sizeof im.batch);
	fuzz_check(tes_journal_import_encode(&im, plain, sizeof plain, &m) == 0, "import body");
	put_u8(writer_mode(TES_JREC_IMPORT + 1));
	put(plain, m);
	emit("drivers_enc", "body-import");
	memset(de.id, 0x23, sizeof de.id);
	memset(de.policy_hash, 0x9d, sizeof de.policy_hash);
	fuzz_check(tes_journal_decision_encode(&de, plain, sizeof plain, &m) == 0, "decision body with tail");
	put_u8(writer_mode(TES_JREC_DECISION));
	put(plain, m);
	emit("drivers_enc", "body-decision-policy");
}

/* One body of every other record type (drivers_enc mode 5, sel = the type). */
static void
seeds_bodies(void)
{
	static uint8_t plain[TES_JOURNAL_BODY_MAX];
	struct tes_journal_unit un = { .name_len = 6,
				       .name = "unit-7",
				       .pub = { .elen = 3, .e = { 1, 0, 1 } } };
	struct tes_journal_user us = { .name_len = 5,
				       .name = "alice",
				       .role = TES_ROLE_OFFICER,
				       .hash_len = 20,
				       .hash = "$argon2id$v=19$m=8,t" };
	struct tes_journal_decision de = { .verdict = TES_VERDICT_REJECT,
					   .reason_len = 7,
					   .reason = "blurred",
					   .officer_len = 3,
					   .officer = "bob",
					   .time = TES_FUZZ_NOW };
	struct tes_journal_audit au = { .kind = TES_AUDIT_UNIT_REFUSED,
					.who_len = 0,
					.text_len = 11,
					.text = "bad finish.",
					.time = TES_FUZZ_NOW };
	size_t m = 0;

	memset(un.pub.n, 0xc5, sizeof un.pub.n);
	fuzz_check(tes_journal_unit_encode(&un, plain, sizeof plain, &m) == 0, "unit body");
	put_u8(writer_mode(TES_JREC_UNIT));
	put(plain, m);
	emit("drivers_enc", "body-unit");
	fuzz_check(tes_journal_user_encode(&us, plain, sizeof plain, &m) == 0, "user body");
	put_u8(writer_mode(TES_JREC_USER));
	put(plain, m);
	emit("drivers_enc", "body-user");
	memset(de.id, 0x22, sizeof de.id);
	fuzz_check(tes_journal_decision_encode(&de, plain, sizeof plain, &m) == 0, "decision body");
	put_u8(writer_mode(TES_JREC_DECISION));
	put(plain, m);
	emit("drivers_enc", "body-decision");
	fuzz_check(tes_journal_audit_encode(&au, plain, sizeof plain, &m) == 0, "audit body");
	put_u8(writer_mode(TES_JREC_AUDIT));
	put(plain, m);
	emit("drivers_enc", "body-audit");
	fuzz_check(tes_journal_revoke_encode("unit-7", 6, plain, sizeof plain, &m) == 0, "revoke body");
	put_u8(writer_mode(TES_JREC_REVOKE));
	put(plain, m);
	emit("drivers_enc", "body-revoke");
	seeds_bodies_v2();
}

/* Inputs of the two writer modes of fuzz_drivers_enc.c, in the order it reads them. */
static void
seeds_writers(void)
{
	static const uint8_t sk[TES_STORE_KEY_LEN] = "fuzz raw storage key, 32 bytes.";
	struct tes_journal_hdr jh = { .type = TES_JREC_DECISION, .seq = 9, .total_len = TES_JOURNAL_REC_MIN };
	uint8_t hdr[TES_JOURNAL_HDR_LEN], iv[TES_JOURNAL_IV_LEN] = { 8, 7, 6, 5, 4, 3, 2, 1 };

	/* journal writer (sel 7): key, created, header, room, then a record to seal */
	memset(jh.key, 0x22, sizeof jh.key);
	fuzz_check(tes_journal_hdr_encode(&jh, hdr) == 0, "journal header");
	put_u8(writer_mode(7));
	put(sk, sizeof sk);
	put_u64(TES_FUZZ_NOW);
	put(hdr, sizeof hdr);
	put_u8(5);
	put_u8(TES_JREC_DECISION);
	put_u64(10);
	put_u8(1);
	put(jh.key, sizeof jh.key);
	put(iv, sizeof iv);
	memset(hdr, 0x5c, sizeof hdr);
	put(hdr, sizeof hdr); /* chain value */
	put_u16(4096);        /* room for the record */
	put_u16(64);          /* room for the plaintext */
	put_u16(29);
	put("an approved report, 29 bytes", 29);
	emit("drivers_enc", "writer-journal");
	/* drivers.enc writer (sel 0): flags, room, header, IV, entries */
	put_u8(writer_mode(0));
	put_u8(0);
	put_u16(4096);
	put_u64(12);
	memset(hdr, 0x99, sizeof hdr);
	put(hdr, sizeof hdr);
	put(iv, sizeof iv);
	put_u8(4);
	put_u8(6);
	put("AB123C", 6);
	put_u16(0);
	put_u16(10);
	put_u64(TES_FUZZ_NOW - 86400);
	put_u8(6);
	put("AB123C", 6);
	put_u16(0);
	put_u16(20);
	put_u64(TES_FUZZ_NOW);
	put_u8(7);
	put("AB123CD", 7);
	put_u16(0);
	put_u16(70);
	put_u64(TES_FUZZ_NOW);
	put_u8(2);
	put("Z9", 2);
	put_u16(0);
	put_u16(20);
	put_u64(0);
	emit("drivers_enc", "writer-drivers");
}

/*
 * A drivers.enc of version 1 (entries without time), as the store wrote it
 * before version 2; with plain != 0 the ciphertext area holds the plaintext
 * (mode 2).
 */
static size_t
drivers_v1(const struct tes_driver *v, size_t count, const uint8_t iv[static TES_DES_BLOCK], int plain,
	   uint8_t *out, size_t cap)
{
	uint8_t mac_at_seq[TES_JOURNAL_MAC_LEN];
	struct tes_cur c;
	size_t i;

	memset(mac_at_seq, 0x99, sizeof mac_at_seq);
	tes_cur_init_wr(&c, out, cap);
	fuzz_check(tes_cur_put_u32be(&c, TES_DRIVERS_MAGIC) == 0 && tes_cur_put_u16be(&c, 1) == 0 &&
			   tes_cur_put_u16be(&c, 0) == 0 && tes_cur_put_u64be(&c, 12) == 0 &&
			   tes_cur_put_bytes(&c, mac_at_seq, sizeof mac_at_seq) == 0 &&
			   tes_cur_put_u32be(&c, (uint32_t)count) == 0 &&
			   tes_cur_put_bytes(&c, iv, TES_DES_BLOCK) == 0,
		   "drivers v1 header");
	for (i = 0; i < count; i++)
		fuzz_check(tes_cur_put_str8(&c, v[i].plate, v[i].plate_len) == 0 &&
				   tes_cur_put_u32be(&c, v[i].points) == 0,
			   "drivers v1 entry");
	fuzz_check(tes_seal_put_pad(&c, c.off - TES_DRIVERS_HDR_LEN) == 0 && c.off + TES_MAC_LEN <= cap,
		   "drivers v1 padding");
	if (plain)
		return c.off + TES_MAC_LEN;
	tes_seal_encrypt(&dkeys, iv, out + TES_DRIVERS_HDR_LEN, c.off - TES_DRIVERS_HDR_LEN);
	tes_hmac_sha256(dkeys.mac, sizeof dkeys.mac, out, c.off, out + c.off);
	return c.off + TES_MAC_LEN;
}

/* drivers.enc of both versions: version 1 as stored and as plaintext, version 2 with repeated plates. */
static void
seeds_drivers_versions(void)
{
	static uint8_t f[8192];
	struct tes_driver v1[3] = { { 6, "AB123C", 30, 0 }, { 7, "AB123CD", 70, 0 }, { 2, "Z9", 20, 0 } };
	struct tes_driver v2[4] = { { 6, "AB123C", 10, TES_FUZZ_NOW - 86400 },
				    { 6, "AB123C", 20, TES_FUZZ_NOW },
				    { 6, "AB123C", 5, TES_FUZZ_NOW },
				    { 2, "Z9", 1000000, 0 } };
	struct tes_drivers_hdr h = { .journal_seq = 12, .count = 4 };
	uint8_t iv[TES_DES_BLOCK] = { 8, 1, 2, 3, 4, 5, 6, 7 };
	size_t used = 0;

	used = drivers_v1(v1, 3, iv, 0, f, sizeof f);
	put_u8(0);
	put(f, used);
	emit("drivers_enc", "drivers-v1-valid");
	used = drivers_v1(v1, 3, iv, 1, f, sizeof f);
	put_u8(2);
	put(f, used);
	emit("drivers_enc", "drivers-v1-plain");
	memset(h.mac_at_seq, 0x77, sizeof h.mac_at_seq);
	fuzz_check(tes_drivers_encode(&dkeys, &h, iv, v2, 4, f, sizeof f, &used) == 0, "drivers v2");
	put_u8(0);
	put(f, used);
	emit("drivers_enc", "drivers-v2-times");
	tes_seal_decrypt(&dkeys, iv, f + TES_DRIVERS_HDR_LEN, used - TES_DRIVERS_HDR_LEN - TES_MAC_LEN);
	put_u8(2);
	put(f, used);
	emit("drivers_enc", "drivers-v2-plain");
}

static void
seeds_drivers(void)
{
	static uint8_t f[8192], plain[TES_JOURNAL_CT_MAX];
	struct tes_driver v[3] = { { 6, "AB123C", 10, 0 },
				   { 7, "AB123CD", 70, TES_FUZZ_NOW },
				   { 2, "Z9", 20, 0 } };
	struct tes_drivers_hdr h = { .journal_seq = 12, .count = 3 };
	struct tes_journal_hdr jh = { .type = TES_JREC_AUDIT, .seq = 1 };
	struct tes_journal_audit au = { .kind = TES_AUDIT_LOGIN_OK,
					.who_len = 5,
					.who = "alice",
					.text_len = 2,
					.text = "ok",
					.time = TES_FUZZ_NOW };
	struct tes_journal_decision de = { .verdict = TES_VERDICT_APPROVE,
					   .points = 20,
					   .reason_len = 0,
					   .officer_len = 3,
					   .officer = "bob",
					   .time = TES_FUZZ_NOW };
	struct tes_journal_report jr = { .number = 1, .received = TES_FUZZ_NOW };
	uint8_t iv[TES_DES_BLOCK] = { 1, 2, 3, 4, 5, 6, 7, 8 }, fhdr[TES_JOURNAL_FILE_HDR_LEN],
		prev[TES_JOURNAL_MAC_LEN];
	size_t used = 0, n = 0, m = 0;

	memset(h.mac_at_seq, 0x99, sizeof h.mac_at_seq);
	fuzz_check(tes_drivers_encode(&dkeys, &h, iv, v, 3, f, sizeof f, &used) == 0, "drivers");
	put_u8(0);
	put(f, used);
	emit("drivers_enc", "drivers-valid");
	tes_seal_decrypt(&dkeys, iv, f + TES_DRIVERS_HDR_LEN, used - TES_DRIVERS_HDR_LEN - TES_MAC_LEN);
	put_u8(2);
	put(f, used);
	emit("drivers_enc", "drivers-plain");
	/* journal: file header + one audit record as stored (mode 3) */
	tes_journal_file_hdr_encode(fhdr, TES_FUZZ_NOW);
	tes_journal_genesis(&dkeys, fhdr, prev);
	fuzz_check(tes_journal_audit_encode(&au, plain, sizeof plain, &n) == 0 &&
			   tes_journal_seal(&dkeys, prev, &jh, iv, plain, n, f, sizeof f, &used) == 0,
		   "journal audit");
	put_u8(3);
	put(fhdr, sizeof fhdr);
	put(f, used);
	emit("drivers_enc", "journal-audit");
	/* plaintext records (mode 4): audit, decision, report */
	put_u8(4);
	fuzz_check(tes_journal_seal(&dkeys, prev, &jh, iv, plain, n, f, sizeof f, &used) == 0, "seal");
	tes_seal_decrypt(&dkeys, iv, f + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN,
			 used - TES_JOURNAL_OVERHEAD);
	put(f, used);
	jh.type = TES_JREC_DECISION;
	jh.seq = 2;
	memset(jh.key, 0x22, sizeof jh.key);
	memset(de.id, 0x22, sizeof de.id);
	fuzz_check(tes_journal_decision_encode(&de, plain, sizeof plain, &m) == 0 &&
			   tes_journal_seal(&dkeys, prev, &jh, iv, plain, m, f, sizeof f, &used) == 0,
		   "journal decision");
	tes_seal_decrypt(&dkeys, iv, f + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN,
			 used - TES_JOURNAL_OVERHEAD);
	put(f, used);
	emit("drivers_enc", "journal-plain");
	/* bodies (mode 5 with the type in bits 3..) */
	sample_report(&jr.r);
	put_u8(writer_mode(3));
	fuzz_check(tes_journal_report_encode(&jr, plain, sizeof plain, &m) == 0, "report body");
	put(plain, m);
	emit("drivers_enc", "body-report");
	seeds_bodies();
	seeds_writers();
	seeds_drivers_versions();
}

/* Operations on the store's tables and plate maps, as fuzz_index.c reads them. */
static void
put_key(uint8_t op, const char *k)
{
	put_u8(op);
	put_u8((uint8_t)strlen(k));
	put(k, strlen(k));
}

static void
put_plate(uint8_t op, const char *plate, uint32_t pts)
{
	put_key(op, plate);
	put_u8(4);
	put_u8((uint8_t)(pts >> 24));
	put_u8((uint8_t)(pts >> 16));
	put_u8((uint8_t)(pts >> 8));
	put_u8((uint8_t)pts);
}

static void
seeds_index(void)
{
	/* pairs whose 32-bit tags are equal under the harness's hash key 00 01 .. 0f */
	static const char *const pairs[][2] = {
		{ "K296810", "K311739" }, { "K324321", "K374510" }, { "K256079", "K341756" },
		{ "K208071", "K257459" }, { "K16092", "K139720" },
	};
	static const char *const plates[] = { "AB123C", "Z9", "AB123", "A", "XY77", "AB123CD" };
	char k[16];
	unsigned i;

	/* enough keys for several doublings, some through tes_index_put; stored and absent look-ups */
	for (i = 0; i < 300; i++) {
		snprintf(k, sizeof k, "K%u", i);
		put_key(i % 3 == 0 ? 8 : 0, k);
	}
	for (i = 0; i < 300; i += 7) {
		put_u8(2);
		put_u16(i);
	}
	for (i = 0; i < 300; i += 11) {
		snprintf(k, sizeof k, "K%u", i + 1000);
		put_key(1, k);
	}
	put_key(0, "K5");
	put_key(0, "");
	put_key(1, "");
	emit("index", "table-grow");
	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		put_key(0, pairs[i][0]);
		put_key(1, pairs[i][1]);
		put_key(0, pairs[i][1]);
		put_key(0, pairs[i][0]);
		put_u8(2);
		put_u16(2 * i + 1);
	}
	emit("index", "tag-collisions");
	put_u8(3);
	put_u16(600);
	for (i = 0; i < 300; i++) {
		snprintf(k, sizeof k, "reserved%u", i);
		put_key(0, k);
	}
	put_u8(3);
	put_u16(5000);
	emit("index", "table-reserve");
	put_u8(3 | 32);
	put_u16(1);
	put_u8(3 | 8);
	put_u16(40);
	put_u8(3 | 8);
	put_u16(20);
	put_key(0, "after");
	emit("index", "reserve-refused");
	/* map A: adds, saturation, refusals, look-ups */
	for (i = 0; i < 6; i++)
		put_plate(4, plates[i], 10 * (i + 1));
	put_plate(4, "AB123C", 5);
	put_plate(4, "ZZ9", 0xfffffff0u);
	put_plate(4, "ZZ9", 0x100);
	put_plate(5, "AB123C", 1);
	put_plate(5, "Q1", 0);
	put_plate(5, "ABCDEFGHJKLMN", 3);
	put_plate(4, "ABCDEFGHJKLMN", 3);
	put_plate(4, "Q1", 0);
	put_plate(5, "NEW1", 7);
	put_key(6, "AB123C");
	put_key(6, "NOPE");
	put_u8(7);
	put_u8(0);
	emit("index", "map-ops");
	/* the same totals in map B, in the other order through put_new into a reserved map: equal, then not */
	for (i = 0; i < 6; i++)
		put_plate(4, plates[i], 10 * (i + 1));
	put_u8(3 | 8 | 16);
	put_u16(6);
	for (i = 6; i-- > 0;)
		put_plate(5 | 16, plates[i], 10 * (i + 1));
	put_u8(7);
	put_u8(0);
	put_u8(7 | 16);
	put_u8(0);
	put_plate(4 | 16, "A", 1);
	put_u8(7);
	put_u8(0);
	emit("index", "map-equal");
	for (i = 0; i < 64; i++) {
		put_u8(7);
		put_u8((uint8_t)i);
		for (unsigned j = 0; j < i; j++)
			put_u8((uint8_t)j);
	}
	emit("index", "siphash-lengths");
}

/* A POST of body to path as the http target reads it. */
static void
http_post(const char *path, const char *body, const char *name)
{
	char head[256];

	snprintf(head, sizeof head,
		 "POST %s HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
		 "%zu\r\n\r\n",
		 path, strlen(body));
	put_u8(0);
	put(head, strlen(head));
	put(body, strlen(body));
	emit("http", name);
}

/* Bulk decisions (3 ids, one over the maximum), decide and next, select all, the password change. */
static void
seeds_http_bulk(void)
{
	static char body[TES_HTTP_BODY_MAX + 1];
	static const char *const gets[] = {
		"GET /queue?page=1&select=all HTTP/1.1\r\n\r\n",
		"GET /password HTTP/1.1\r\nCookie: tes_session=0123456789abcdef0123456789abcdef\r\n\r\n",
	};
	static struct tes_wmsg m;
	static uint8_t msg[TES_WMSG_LEN];
	char name[32];
	size_t i, off;

	for (i = 0; i < sizeof gets / sizeof gets[0]; i++) {
		put_u8(0);
		put(gets[i], strlen(gets[i]));
		snprintf(name, sizeof name, "get-%zu", i);
		emit("http", name);
	}
	http_post("/bulk",
		  "sel=0123456789abcdef0123456789abcdef&sel=00000000000000000000000000000002&"
		  "sel=FFEEDDCCBBAA99887766554433221100&verdict=reject&reason=other&other=wrong+road&"
		  "csrf=0123456789abcdef0123456789abcdef",
		  "bulk-3");
	for (i = 0, off = 0; i <= TES_WEB_BULK_MAX; i++)
		off += (size_t)snprintf(body + off, sizeof body - off, "sel=%032zx&", i + 1);
	snprintf(body + off, sizeof body - off, "verdict=approve&csrf=0123456789abcdef0123456789abcdef");
	http_post("/bulk", body, "bulk-over-max");
	http_post("/decide",
		  "id=0123456789abcdef0123456789abcdef&verdict=approve&next=1&csrf="
		  "0123456789abcdef0123456789abcdef",
		  "decide-next");
	http_post("/password",
		  "password=old+pass&new=a+new+pass+phrase&repeat=a+new+pass+phrase&"
		  "csrf=0123456789abcdef0123456789abcdef",
		  "password");
	/* the master's side: a REQUEST carrying bulk ids and the password fields */
	memset(&m, 0, sizeof m);
	m.type = TES_WMSG_REQUEST;
	m.u.req.route = TES_ROUTE_BULK;
	m.u.req.verdict = TES_WV_APPROVE;
	m.u.req.nsel = 2;
	memset(m.u.req.sel, 0xab, 2 * TES_REPORT_ID_LEN);
	m.u.req.new_len = 3;
	memcpy(m.u.req.newpw, "new", 3);
	m.u.req.rep_len = 3;
	memcpy(m.u.req.rep, "new", 3);
	fuzz_check(tes_wmsg_encode(&m, msg) == 0, "bulk request message");
	put_u8(1);
	put(msg, 1024); /* the rest is zero padding the target adds */
	emit("http", "message-bulk");
}

static void
seeds_http(void)
{
	static const char *const reqs[] = {
		"GET /queue?page=2 HTTP/1.1\r\nHost: x\r\nCookie: tes_session="
		"0123456789abcdef0123456789abcdef\r\n\r\n",
		"GET /records?plate=ab-12+c&match=prefix HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /report?id=0123456789abcdef0123456789abcdef HTTP/1.1\r\n\r\n",
		"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		"Content-Length: "
		"71\r\n\r\nuser=alice&password=pa%24%24+word&csrf=0123456789abcdef0123456789abcdef",
		"POST /decide HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		"Content-Length: 115\r\n\r\nid=0123456789abcdef0123456789abcdef&verdict=reject&reason=other&"
		"other=blurred&csrf=0123456789abcdef0123456789abcdef",
	};
	char name[32];
	size_t i;

	for (i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		put_u8(0);
		put(reqs[i], strlen(reqs[i]));
		snprintf(name, sizeof name, "request-%zu", i);
		emit("http", name);
	}
	/* header lines each below the line limit whose sum passes the head limit (431) */
	put_u8(2 | 8 | 32);
	put("GET /queue HTTP/1.1\r\n", 21);
	for (i = 0; i < 9; i++) {
		put("X-Pad: ", 7);
		memset(name, 'a' + (int)i, sizeof name);
		for (size_t k = 0; k < 1000 / sizeof name; k++)
			put(name, sizeof name);
		put("\r\n", 2);
	}
	put("\r\n", 2);
	emit("http", "head-too-large");
	seeds_http_bulk();
}

/* Spool files as fuzz_spool.c reads them (u8 flags | file), tagged under its key K. */
static const uint8_t spool_key[TES_SPOOL_KEY_LEN] = "fuzz spool key: thirty-two bytes";

static size_t
spool_file(uint8_t *f, size_t cap, int tagged)
{
	static struct tes_spool_add a;
	struct tes_spool_done d = { .status = TES_SPOOL_QUEUED, .at = TES_FUZZ_NOW };
	struct tes_spool_seen sn = { .observed = TES_FUZZ_NOW - 60, .first = TES_FUZZ_NOW - 30 };
	uint8_t salt[TES_SPOOL_SALT_LEN], k[TES_SPOOL_KEY_LEN];
	size_t n = TES_SPOOL_HDR_LEN, used;

	memcpy(k, spool_key, sizeof k);
	if (!tagged)
		k[0] ^= 1;
	memset(salt, 0x5a, sizeof salt);
	tes_spool_hdr_encode(salt, f);
	memset(&a, 0, sizeof a);
	a.user_len = 5;
	memcpy(a.user, "alice", 5);
	a.spooled_at = TES_FUZZ_NOW;
	sample_report(&a.report);
	a.report.loc_len = 9;
	memcpy(a.report.loc, "Bursa, E5", 9);
	memset(a.sig, 0x5e, sizeof a.sig);
	fuzz_check(tes_spool_add_encode(k, &a, f + n, cap - n, &used) == 0, "spool ADD");
	n += used;
	a.timeless = 1;
	memset(a.digest, 0xd1, sizeof a.digest);
	a.report.id[0] = 0x23;
	a.report.loc_len = 0;
	fuzz_check(tes_spool_add_encode(k, &a, f + n, cap - n, &used) == 0, "spool timeless ADD");
	n += used;
	memset(d.id, 0x22, sizeof d.id);
	fuzz_check(tes_spool_done_encode(k, &d, f + n, cap - n, &used) == 0, "spool DONE");
	n += used;
	memcpy(sn.digest, a.digest, sizeof sn.digest);
	memcpy(sn.id, a.report.id, sizeof sn.id);
	fuzz_check(tes_spool_seen_encode(k, &sn, f + n, cap - n, &used) == 0, "spool SEEN");
	return n + used;
}

static void
seeds_spool(void)
{
	static uint8_t f[4096];
	static const uint8_t junk[] = { 0x00, 0x05, 0x01, 0xff };
	static const uint8_t zeros[600];
	size_t n = spool_file(f, sizeof f, 1);

	put_u8(0);
	put(f, n);
	emit("spool", "file");
	put_u8(0);
	put(f, n - 40);
	emit("spool", "torn-tail");
	put_u8(0);
	put(f, n);
	put(zeros, sizeof zeros);
	emit("spool", "zero-tail");
	put_u8(0);
	put(f, n);
	put(junk, sizeof junk);
	emit("spool", "malformed-tail");
	put_u8(2);
	put(f + TES_SPOOL_HDR_LEN, n - TES_SPOOL_HDR_LEN);
	emit("spool", "records-only");
	put_u8(0);
	f[8] = 2;
	put(f, n);
	f[8] = 1;
	emit("spool", "other-version");
	/* tagged under another key: the harness re-tags them (flag 1) */
	n = spool_file(f, sizeof f, 0);
	put_u8(1);
	put(f, n);
	emit("spool", "retag");
	put_u8(0);
	put(f, n);
	emit("spool", "other-key");
	/* raw structs for the encoders: the file, then room, then an ADD, a DONE, a SEEN as they lie in memory */
	put_u8(4);
	put_u16(n);
	put(f, n);
	put_u16(1000);
	{
		static struct tes_spool_add a;
		struct tes_spool_done d;
		struct tes_spool_seen sn;

		/* whole structs, padding included: zero them first so the seed is always the same */
		memset(&d, 0, sizeof d);
		memset(&sn, 0, sizeof sn);
		d.status = TES_SPOOL_DROPPED;
		d.at = 1;
		sn.observed = 2;
		sn.first = 3;
		memset(&a, 0, sizeof a);
		a.user_len = 3;
		memcpy(a.user, "bob", 3);
		sample_report(&a.report);
		put(&a, sizeof a);
		put(&d, sizeof d);
		put(&sn, sizeof sn);
	}
	emit("spool", "raw-structs");
}

/* Password files as fuzz_pwfile.c reads them: accepted ones and one of each refusal. */
#define PW_SEED(name, bytes)                  \
	{                                     \
		name, bytes, sizeof bytes - 1 \
	}

static void
seeds_pwfile(void)
{
	static const struct {
		const char *name, *bytes;
		size_t n;
	} pw[] = {
		PW_SEED("lf", "amber-tulip-quarry-57\n"),
		PW_SEED("crlf", "amber-tulip-quarry-57\r\n"),
		PW_SEED("bare", "amber-tulip-quarry-57"),
		PW_SEED("utf8", "\xc3\xa9t\xc3\xa9-\xe6\x9d\xb1\xe4\xba\xac-\xf0\x9f\x9a\x93\n"),
		PW_SEED("nul", "amber\0tulip\n"),
		PW_SEED("two-lines", "amber\ntulip\n"),
		PW_SEED("inner-cr", "amber\rtulip\n"),
		PW_SEED("overlong-utf8", "amber\xc0\xaf\n"),
		PW_SEED("surrogate", "amber\xed\xa0\x80\n"),
		PW_SEED("cut-utf8", "amber\xe6\x9d"),
		PW_SEED("empty", "\n"),
	};
	size_t i;

	for (i = 0; i < sizeof pw / sizeof pw[0]; i++) {
		put(pw[i].bytes, pw[i].n);
		emit("pwfile", pw[i].name);
	}
	for (i = 0; i < 128; i++)
		put_u8((uint8_t)('a' + i % 26));
	put("\r\n", 2);
	emit("pwfile", "longest");
	for (i = 0; i < 129; i++)
		put_u8('z');
	emit("pwfile", "too-long");
}

/* Ticket plaintexts (mode byte 0) and ticket key files (mode byte 1) as fuzz_ticket.c reads them. */
static void
ticket_plain_seed(const struct tes_ticket *t, const char *name, int cut, int extra)
{
	uint8_t b[TES_TICKET_PLAIN_MAX];
	size_t n = 0;

	fuzz_check(tes_ticket_plain_encode(t, b, sizeof b, &n) == 0, "ticket seed encodes");
	put_u8(0);
	put(b, n - (size_t)cut);
	if (extra)
		put_u8(0);
	emit("ticket", name);
}

static void
ticket_keys_seed(const struct tes_ticket_keys *k, const char *name, size_t at, uint8_t v)
{
	uint8_t b[TES_TICKET_KEYS_LEN];
	size_t n = 0;

	fuzz_check(tes_ticket_keys_encode(k, b, sizeof b, &n) == 0, "key file seed encodes");
	if (at < n)
		b[at] = v;
	put_u8(1);
	put(b, n);
	emit("ticket", name);
}

static void
seeds_ticket(void)
{
	struct tes_ticket t;
	struct tes_ticket_keys k;
	uint8_t b[TES_TICKET_PLAIN_MAX];
	size_t n = 0;

	memset(&t, 0, sizeof t);
	t.version = TES_TICKET_VERSION;
	memset(t.unit_key, 0x11, sizeof t.unit_key);
	memset(t.server_key, 0x22, sizeof t.server_key);
	t.user_len = 5;
	memcpy(t.user, "alice", 5);
	memset(t.pw_bind, 0x33, sizeof t.pw_bind);
	memset(t.res_secret, 0x44, sizeof t.res_secret);
	t.issued = 1800000000;
	t.expiry = t.issued + TES_TICKET_LIFETIME;
	ticket_plain_seed(&t, "plain", 0, 0);
	ticket_plain_seed(&t, "plain-trailing", 0, 1);
	ticket_plain_seed(&t, "plain-cut", 1, 0);
	t.expiry = t.issued + 1;
	ticket_plain_seed(&t, "plain-one-second", 0, 0);
	t.user_len = TES_NAME_MAX;
	memset(t.user, 'a', TES_NAME_MAX);
	memcpy(t.user, "Z9._-", 5);
	t.user[TES_NAME_MAX] = 0;
	ticket_plain_seed(&t, "plain-longest-user", 0, 0);
	/* refusals: version 2, a bad user character, lifetime 43201, expiry == issued */
	t.user_len = 5;
	memcpy(t.user, "alice", 6);
	t.expiry = t.issued + TES_TICKET_LIFETIME;
	fuzz_check(tes_ticket_plain_encode(&t, b, sizeof b, &n) == 0, "ticket seed encodes");
	b[0] = 2;
	put_u8(0);
	put(b, n);
	emit("ticket", "plain-version-2");
	b[0] = 1;
	b[67] = '/';
	put_u8(0);
	put(b, n);
	emit("ticket", "plain-bad-user");
	b[67] = 'l';
	b[n - 1]++;
	put_u8(0);
	put(b, n);
	emit("ticket", "plain-lifetime-43201");
	memcpy(b + n - 8, b + n - 16, 8);
	put_u8(0);
	put(b, n);
	emit("ticket", "plain-expiry-is-issued");

	memset(&k, 0, sizeof k);
	k.cur_kid = 1;
	k.cur_created = 1800000000;
	memset(k.cur, 0x5a, sizeof k.cur);
	ticket_keys_seed(&k, "keys", TES_TICKET_KEYS_LEN, 0);
	ticket_keys_seed(&k, "keys-cur-kid-0", 11, 0);
	ticket_keys_seed(&k, "keys-bad-magic", 0, 'X');
	ticket_keys_seed(&k, "keys-stray-prev-key", 90, 1);
	ticket_keys_seed(&k, "keys-stray-prev-time", 63, 1);
	k.prev_kid = 1;
	k.prev_created = k.cur_created;
	memcpy(k.prev, k.cur, sizeof k.prev);
	k.cur_kid = 2;
	k.cur_created += 86400;
	memset(k.cur, 0xa5, sizeof k.cur);
	ticket_keys_seed(&k, "keys-rotated", TES_TICKET_KEYS_LEN, 0);
	ticket_keys_seed(&k, "keys-prev-is-cur", 55, 2);
	put_u8(1);
	put("TESTKEY1", 8);
	emit("ticket", "keys-short");
}

/* Old drivers.enc plaintexts and users.json files as fuzz_legacy_json.c and fuzz_legacy_users.c read them. */
static void
seeds_legacy(void)
{
	static const struct {
		const char *target, *name, *bytes;
		size_t n;
	} t[] = {
#define LG_SEED(target, name, bytes)                  \
	{                                             \
		target, name, bytes, sizeof bytes - 1 \
	}
		LG_SEED("legacy_json", "empty", "{}"),
		LG_SEED("legacy_json", "block", "{\"AB123\": 12345}"),
		LG_SEED("legacy_json", "spellings",
			"{\"AB 0000\": 1, \"ab-0001\": 38, \"Ab0002\": 75, \"A-B 0003\": 1000000}"),
		LG_SEED("legacy_json", "nonascii",
			"{\"M\\u00dc 123\": 10, \"B 42\": 5, \"X\\ud83d\\ude00 1\": 20}"),
		LG_SEED("legacy_json", "collide", "{\"ab-123\": 10, \"AB 123\": 20}"),
		LG_SEED("legacy_json", "escapes", "{\"A\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\": 0}"),
		LG_SEED("legacy_json", "whitespace", " \t\r\n{ \"A\" :\n1 ,\t\"B\":2}\n"),
		LG_SEED("legacy_json", "trailing-comma", "{\"AB123\": 10,}"),
		LG_SEED("legacy_json", "lone-surrogate", "{\"\\ud800\": 1}"),
		LG_SEED("legacy_json", "big", "{\"A\": 1000001}"),
		LG_SEED("legacy_json", "fraction", "{\"A\": 1.5e3}"),
		LG_SEED("legacy_json", "padded", "{\"AB123\": 12345}\x08\x08\x08\x08\x08\x08\x08\x08"),
		LG_SEED("legacy_users", "users",
			"{\"alice\": {\"password\": "
			"\"4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631\", "
			"\"role\": \"officer\"}, \"bob\": {\"role\": \"police\", "
			"\"password\": "
			"\"11e2b7895e7b3dca8df8d0cf965fde793b82cd39242774277ca90d72d09bfd59\"}}"),
		LG_SEED("legacy_users", "bare",
			"{\"carol\": \"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"}"),
		LG_SEED("legacy_users", "empty", "{}"),
		LG_SEED("legacy_users", "escaped-role",
			"{\"\\u0061\": {\"password\": "
			"\"4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631\", "
			"\"role\": \"\\u0070olice\"}}"),
		LG_SEED("legacy_users", "no-role",
			"{\"a\": {\"password\": "
			"\"4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631\"}}"),
#undef LG_SEED
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		put(t[i].bytes, t[i].n);
		emit(t[i].target, t[i].name);
	}
}

/* Policy files as fuzz_policy.c reads them: accepted ones and one of each refusal. */
static void
seeds_policy(void)
{
	static const struct {
		const char *name, *text;
	} pol[] = {
		{ "excess", "tes-policy 1\nbasis excess\ntolerance-kmh 3\ntolerance-percent 5\n"
			    "band 10 20\nband 20 50\nband 40 100\nthreshold 120\nwindow-days 730\n" },
		{ "crlf-comments",
		  "# office policy\r\ntes-policy 1 # v1\r\n\tbasis  speed\r\n\r\nband 60 5\r\n"
		  "band 80 15 # fast\r\nband 120 40" },
		{ "sixteen-bands",
		  "tes-policy 1\nbasis speed\nband 1 1\nband 2 2\nband 3 3\nband 4 4\nband 5 5\n"
		  "band 6 6\nband 7 7\nband 8 8\nband 9 9\nband 10 10\nband 11 11\nband 12 12\n"
		  "band 13 13\nband 14 14\nband 15 15\nband 1000 1000\n" },
		{ "seventeen-bands",
		  "tes-policy 1\nbasis speed\nband 1 1\nband 2 2\nband 3 3\nband 4 4\nband 5 5\n"
		  "band 6 6\nband 7 7\nband 8 8\nband 9 9\nband 10 10\nband 11 11\nband 12 12\n"
		  "band 13 13\nband 14 14\nband 15 15\nband 16 16\nband 17 17\n" },
		{ "largest",
		  "tes-policy 1\nbasis excess\ntolerance-kmh 50\ntolerance-percent 50\nband 1000 1000\n"
		  "threshold 1000000\nwindow-days 3650\n" },
		{ "version-2", "tes-policy 2\nbasis speed\nband 50 10\n" },
		{ "not-first", "basis speed\ntes-policy 1\nband 50 10\n" },
		{ "unknown-key", "tes-policy 1\nbasis speed\nband 50 10\nlimit 3\n" },
		{ "duplicate", "tes-policy 1\nbasis speed\nbasis excess\nband 50 10\n" },
		{ "no-basis", "tes-policy 1\nband 50 10\n" },
		{ "no-band", "tes-policy 1\nbasis speed\n" },
		{ "descending", "tes-policy 1\nbasis speed\nband 70 20\nband 50 10\n" },
		{ "out-of-range", "tes-policy 1\nbasis speed\ntolerance-percent 51\nband 50 10\n" },
		{ "leading-zero", "tes-policy 1\nbasis speed\nband 050 10\n" },
		{ "ten-digits", "tes-policy 1\nbasis speed\nthreshold 1000000000\nband 50 10\n" },
		{ "bare-cr", "tes-policy 1\nbasis speed\nband 50 10\r" },
		{ "band-one-value", "tes-policy 1\nbasis speed\nband 50\n" },
		{ "non-ascii", "tes-policy 1\nbasis speed # caf\xc3\xa9\nband 50 10\n" },
	};
	size_t i;

	put(tes_policy_default_text, strlen(tes_policy_default_text));
	emit("policy", "default");
	for (i = 0; i < sizeof pol / sizeof pol[0]; i++) {
		put(pol[i].text, strlen(pol[i].text));
		emit("policy", pol[i].name);
	}
	for (i = 0; i < TES_POLICY_TEXT_MAX + 1; i++)
		put_u8(i < strlen(tes_policy_default_text) ? (uint8_t)tes_policy_default_text[i] : '\n');
	emit("policy", "too-long");
}

int
main(int argc, char **argv)
{
	fuzz_check(argc == 2, "usage: seeds DIR");
	root = argv[1];
	seeds_http();
	seeds_handshake();
	seeds_frame();
	seeds_report();
	seeds_record();
	seeds_monitor();
	seeds_drivers();
	seeds_index();
	seeds_spool();
	seeds_pwfile();
	seeds_ticket();
	seeds_legacy();
	seeds_policy();
	return 0;
}

#endif
