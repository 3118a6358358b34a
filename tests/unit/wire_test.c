/* SPDX-License-Identifier: ISC */
/*
 * Frame header, message codecs, validators and the built-in penalty policy; the batch
 * input decoder (CSV and JSON Lines) and the RFC 3339 time reader.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "tap.h"
#include "wire/batch.h"
#include "wire/field.h"
#include "wire/frame.h"
#include "wire/msg.h"
#include "wire/policy.h"
#include "wire/pwfile.h"
#include "wire/rfc3339.h"

static void
test_frame(void)
{
	uint8_t f[TES_FRAME_MAX + 8], p[4] = { 1, 2, 3, 4 };
	struct tes_frame_hdr h;
	const uint8_t *pl;
	size_t used, k;
	int all = 1;

	OK(tes_frame_encode(f, sizeof f, TES_FRAME_RECORD, p, 4, &used) == 0 && used == 10, "encode a frame");
	OK(tes_frame_decode(f, used, &h, &pl, &k) == 0 && h.type == TES_FRAME_RECORD && h.length == 4 &&
		   k == 10 && pl == f + 6,
	   "decode(encode(x)) == x");
	for (k = 0; k < used; k++)
		if (tes_frame_decode(f, k, &h, &pl, &used) != TES_ERR_TRUNCATED)
			all = 0;
	OK(all, "every truncation is TRUNCATED");
	f[0] ^= 1;
	EQ_INT(tes_frame_decode_hdr(f, 10, &h), TES_ERR_FORMAT, "bad magic (MUST-F1)");
	f[0] ^= 1;
	f[1] = 2;
	EQ_INT(tes_frame_decode_hdr(f, 10, &h), TES_ERR_VERSION, "wrong version (MUST-F2)");
	f[1] = 1;
	f[2] = 0;
	EQ_INT(tes_frame_decode_hdr(f, 10, &h), TES_ERR_TYPE, "type 0 is invalid (MUST-F3)");
	f[2] = TES_FRAME_UNIT_AUTH;
	OK(tes_frame_decode_hdr(f, 10, &h) == 0 && h.type == 8, "type 8 (UNIT_AUTH) is the last (MUST-F3)");
	f[2] = 9;
	EQ_INT(tes_frame_decode_hdr(f, 10, &h), TES_ERR_TYPE, "unknown type (MUST-F3)");
	f[2] = 5;
	f[3] = 1;
	EQ_INT(tes_frame_decode_hdr(f, 10, &h), TES_ERR_FORMAT, "reserved byte must be zero (MUST-F1)");
	f[3] = 0;
	f[4] = 0x0f;
	f[5] = 0xfb; /* 4091 */
	EQ_INT(tes_frame_decode_hdr(f, 6, &h), TES_ERR_TOOLONG,
	       "length 4091 is over the limit, told from the header alone (MUST-F4, MUST-F5)");
	f[5] = 0xfa; /* 4090 */
	OK(tes_frame_decode_hdr(f, 6, &h) == 0 && h.length == 4090, "length 4090 is the maximum (MUST-F4)");
	EQ_INT(tes_frame_decode(f, 100, &h, &pl, &used), TES_ERR_TRUNCATED, "payload beyond the buffer");
	EQ_INT(tes_frame_encode_hdr(f, 1, 4091), TES_ERR_TOOLONG, "encoder refuses an oversize length");
	EQ_INT(tes_frame_encode_hdr(f, 0, 1), TES_ERR_TYPE, "encoder refuses type 0");
}

static void
sample_report(struct tes_report *r)
{
	memset(r, 0, sizeof *r);
	memset(r->id, 0x11, sizeof r->id);
	memset(r->unit_key, 0x22, sizeof r->unit_key);
	r->plate_len = 8;
	memcpy(r->plate, "34ABC123", 8);
	r->speed = 120;
	r->limit = 90;
	r->time = 1763892900;
	r->loc_len = 8;
	memcpy(r->loc, "E5 km 12", 8);
}

static void
test_report(void)
{
	uint8_t buf[TES_RECORD_MAX_PLAIN], sig[TES_RSA_LEN], sig2[TES_RSA_LEN];
	struct tes_report r, d;
	size_t n, k;
	int all = 1, flips = 1;

	sample_report(&r);
	memset(sig, 0x5a, sizeof sig);
	OK(tes_msg_report_encode(&r, buf, sizeof buf, &n) == 0 && n == 16 + 32 + 9 + 2 + 2 + 8 + 9,
	   "canonical size");
	memset(&d, 0, sizeof d);
	OK(tes_msg_report_decode(buf, n, &d) == 0 && memcmp(&d, &r, sizeof d) == 0, "report round trip");
	for (k = 0; k < n; k++)
		if (tes_msg_report_decode(buf, k, &d) == 0)
			all = 0;
	OK(all, "no truncation of a report decodes");
	buf[n] = 0;
	EQ_INT(tes_msg_report_decode(buf, n + 1, &d), TES_ERR_FORMAT, "trailing byte refused (MUST-E2)");
	buf[48] = 13;
	EQ_INT(tes_msg_report_decode(buf, n, &d), TES_ERR_TOOLONG, "plate length 13 refused (MUST-E3)");
	buf[48] = 8;
	buf[49] = '<';
	EQ_INT(tes_msg_report_decode(buf, n, &d), TES_ERR_PLATE, "plate with '<' refused (MUST-R1, MUST-R2)");
	buf[49] = '3';
	buf[57] = 0x01;
	buf[58] = 0x91; /* 401 */
	EQ_INT(tes_msg_report_decode(buf, n, &d), TES_ERR_SPEED, "speed 401 refused (MUST-R1, MUST-R3)");
	buf[57] = 0;
	buf[58] = 120;
	buf[n - 1] = '<';
	EQ_INT(tes_msg_report_decode(buf, n, &d), TES_ERR_LOCATION, "location with '<' refused (MUST-R1)");
	buf[n - 1] = '2';
	OK(tes_msg_report_decode(buf, n, &d) == 0 && memcmp(&d, &r, sizeof d) == 0, "control: restored");
	OK(tes_msg_report_rec_encode(&r, sig, buf, sizeof buf, &n) == 0, "report record encode");
	OK(tes_msg_report_rec_decode(buf, n, &d, sig2) == 0 && memcmp(sig, sig2, sizeof sig) == 0,
	   "report record round trip");
	for (k = 0; k < n; k++) {
		buf[k] ^= 0x80;
		if (tes_msg_report_rec_decode(buf, n, &d, sig2) == 0 && k < n - TES_RSA_LEN &&
		    memcmp(&d, &r, sizeof d) == 0)
			flips = 0;
		buf[k] ^= 0x80;
	}
	OK(flips, "a flipped bit never decodes to the same report");
}

static void
test_handshake_msgs(void)
{
	struct tes_client_hello ch = { .suite = 1 }, ch2;
	struct tes_server_hello sh = { .suite = 1, .e_len = 3, .e = { 1, 0, 1 } }, sh2 = { 0 };
	struct tes_receipt rc = { .status = TES_RECEIPT_QUEUED, .number = 42 }, rc2;
	unsigned k, taken;
	struct tes_login l = { .user_len = 5, .user = "alice", .pw_len = 2, .pw = "pw" }, l2;
	uint8_t buf[1024];
	size_t n;

	memset(ch.random, 7, sizeof ch.random);
	OK(tes_msg_client_hello_encode(&ch, buf, sizeof buf, &n) == 0 && n == 97, "client hello is 97 bytes");
	OK(tes_msg_client_hello_decode(buf, n, &ch2) == 0 && memcmp(&ch, &ch2, sizeof ch) == 0,
	   "client hello round trip");
	buf[n] = 0;
	EQ_INT(tes_msg_client_hello_decode(buf, n + 1, &ch2), TES_ERR_FORMAT,
	       "trailing byte refused (MUST-E2)");
	buf[0] = 3;
	EQ_INT(tes_msg_client_hello_decode(buf, n, &ch2), TES_ERR_FORMAT, "unknown suite refused");
	EQ_INT(tes_msg_client_hello_decode(buf, n - 1, &ch2), TES_ERR_TRUNCATED, "short client hello");
	sh.n[0] = 0xc5;
	OK(tes_msg_server_hello_encode(&sh, buf, sizeof buf, &n) == 0 && n == 1 + 32 + 32 + 256 + 1 + 3,
	   "server hello size");
	OK(tes_msg_server_hello_decode(buf, n, &sh2) == 0 && memcmp(&sh, &sh2, sizeof sh) == 0,
	   "server hello round trip");
	buf[65] = 0x40;
	EQ_INT(tes_msg_server_hello_decode(buf, n, &sh2), TES_ERR_FORMAT,
	       "modulus without its top bit refused");
	buf[65] = 0xc5;
	buf[321] = 5;
	OK(tes_msg_server_hello_decode(buf, n, &sh2) != 0, "exponent length 5 refused");
	OK(tes_msg_receipt_encode(&rc, buf, sizeof buf, &n) == 0 &&
		   tes_msg_receipt_decode(buf, n, &rc2) == 0 && rc2.number == 42 &&
		   rc2.status == TES_RECEIPT_QUEUED,
	   "receipt round trip");
	buf[17] = 9;
	EQ_INT(tes_msg_receipt_decode(buf, n, &rc2), TES_ERR_FORMAT,
	       "unknown receipt status refused (MUST-R11)");
	rc.status = TES_RECEIPT_CONFLICT;
	rc.number = 7;
	OK(tes_msg_receipt_encode(&rc, buf, sizeof buf, &n) == 0 && buf[17] == 4 &&
		   tes_msg_receipt_decode(buf, n, &rc2) == 0 && rc2.status == TES_RECEIPT_CONFLICT &&
		   rc2.number == 7,
	   "a CONFLICT receipt (status 4) round trip, with the stored number (MUST-R10)");
	for (k = 0, taken = 0; k <= 255; k++) {
		buf[17] = (uint8_t)k;
		if (tes_msg_receipt_decode(buf, n, &rc2) == 0)
			taken |= 1u << (k < 31 ? k : 31);
	}
	EQ_INT(taken, 0x1e, "of the 256 status bytes exactly 1..4 decode: any other is refused (MUST-R11)");
	buf[17] = TES_RECEIPT_REJECTED;
	buf[18] = TES_REJECT_MAX + 1;
	EQ_INT(tes_msg_receipt_decode(buf, n, &rc2), TES_ERR_FORMAT,
	       "unknown reject reason refused (MUST-R11)");
	OK(tes_msg_login_encode(&l, buf, sizeof buf, &n) == 0 && tes_msg_login_decode(buf, n, &l2) == 0 &&
		   strcmp(l2.user, "alice") == 0 && strcmp(l2.pw, "pw") == 0,
	   "login round trip");
	buf[1] = 33;
	OK(tes_msg_login_decode(buf, n, &l2) != 0, "user name length 33 refused");
	buf[1] = 5;
	buf[2] = ' ';
	EQ_INT(tes_msg_login_decode(buf, n, &l2), TES_ERR_NAME, "user name with a space refused");
	buf[0] = TES_INNER_REPORT;
	EQ_INT(tes_msg_login_decode(buf, n, &l2), TES_ERR_TYPE, "wrong inner type refused");
}

/* LOGIN's optional features byte, RESUME_HELLO, UNIT_AUTH, HEARTBEAT, SESSION and alert 4. */
static void
test_session_msgs(void)
{
	struct tes_login l = { .user_len = 5, .user = "alice", .pw_len = 2, .pw = "pw" }, l2;
	struct tes_resume_hello rh = { .ch = { .suite = 1 }, .ticket_len = 3, .ticket = { 9, 8, 7 } }, rh2;
	struct tes_client_hello ch;
	struct tes_unit_auth ua, ua2;
	struct tes_session_info si = { .idle_timeout = 30,
				       .lifetime = 3600,
				       .rekey_records = 65536,
				       .rekey_bytes = 8388608,
				       .ticket_lifetime = 43200,
				       .ticket_len = 200 },
				si2, bad;
	uint8_t buf[1024], hb[2] = { TES_INNER_HEARTBEAT, 0 }, code = 0;
	unsigned k, taken;
	size_t n;

	/* LOGIN features (MUST-L5) */
	OK(tes_msg_login_encode(&l, buf, sizeof buf, &n) == 0 && n == 3 + 5 + 2 &&
		   tes_msg_login_decode(buf, n, &l2) == 0 && l2.features == 0,
	   "login without features: no features byte, decoded as 0");
	l.features = TES_LOGIN_FEAT_SESSION;
	OK(tes_msg_login_encode(&l, buf, sizeof buf, &n) == 0 && n == 3 + 5 + 2 + 1 && buf[n - 1] == 1 &&
		   tes_msg_login_decode(buf, n, &l2) == 0 && l2.features == TES_LOGIN_FEAT_SESSION &&
		   strcmp(l2.user, "alice") == 0 && strcmp(l2.pw, "pw") == 0,
	   "login with features 1 round trip");
	buf[n - 1] = 0;
	EQ_INT(tes_msg_login_decode(buf, n, &l2), TES_ERR_FORMAT, "features byte 0 present refused");
	buf[n - 1] = 2;
	EQ_INT(tes_msg_login_decode(buf, n, &l2), TES_ERR_FORMAT, "features byte 2 refused");
	buf[n - 1] = 1;
	buf[n] = 1;
	EQ_INT(tes_msg_login_decode(buf, n + 1, &l2), TES_ERR_FORMAT, "a byte after the features refused");
	l.features = 2;
	EQ_INT(tes_msg_login_encode(&l, buf, sizeof buf, &n), TES_ERR_ARG, "encoder refuses features 2");
	l.features = 1;
	EQ_INT(tes_msg_login_encode(&l, buf, 10, &n), TES_ERR_SPACE, "no room for the features byte");

	/* RESUME_HELLO (MUST-RS1) */
	memset(rh.ch.random, 5, sizeof rh.ch.random);
	memset(rh.ch.unit_key, 6, sizeof rh.ch.unit_key);
	memset(&rh2, 0xaa, sizeof rh2);
	OK(tes_msg_resume_hello_encode(&rh, buf, sizeof buf, &n) == 0 && n == 97 + 2 + 3 && buf[97] == 0 &&
		   buf[98] == 3 && tes_msg_resume_hello_decode(buf, n, &rh2) == 0 &&
		   memcmp(&rh.ch, &rh2.ch, sizeof rh.ch) == 0 && rh2.ticket_len == 3 &&
		   memcmp(rh2.ticket, rh.ticket, 3) == 0,
	   "resume hello round trip");
	OK(tes_msg_client_hello_decode(buf, 97, &ch) == 0 && memcmp(&ch, &rh.ch, sizeof ch) == 0,
	   "its first 97 bytes are a client hello");
	buf[n] = 0;
	EQ_INT(tes_msg_resume_hello_decode(buf, n + 1, &rh2), TES_ERR_FORMAT, "resume hello trailing byte");
	EQ_INT(tes_msg_resume_hello_decode(buf, n - 1, &rh2), TES_ERR_TRUNCATED, "resume hello short ticket");
	EQ_INT(tes_msg_resume_hello_decode(buf, 98, &rh2), TES_ERR_TRUNCATED, "resume hello without length");
	buf[98] = 0;
	EQ_INT(tes_msg_resume_hello_decode(buf, 99, &rh2), TES_ERR_FORMAT, "ticket_len 0 refused");
	buf[97] = 1;
	buf[98] = 1;
	EQ_INT(tes_msg_resume_hello_decode(buf, 99 + 257, &rh2), TES_ERR_TOOLONG, "ticket_len 257 refused");
	rh.ticket_len = TES_TICKET_MAX;
	memset(rh.ticket, 0x3c, sizeof rh.ticket);
	OK(tes_msg_resume_hello_encode(&rh, buf, sizeof buf, &n) == 0 && n == 99 + 256 &&
		   tes_msg_resume_hello_decode(buf, n, &rh2) == 0 && rh2.ticket_len == 256 &&
		   memcmp(rh2.ticket, rh.ticket, 256) == 0,
	   "a 256-byte ticket round trip");
	buf[0] = 3;
	EQ_INT(tes_msg_resume_hello_decode(buf, n, &rh2), TES_ERR_FORMAT, "resume hello unknown suite");
	rh.ticket_len = 0;
	EQ_INT(tes_msg_resume_hello_encode(&rh, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses ticket_len 0");
	rh.ticket_len = TES_TICKET_MAX + 1;
	EQ_INT(tes_msg_resume_hello_encode(&rh, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses ticket_len 257");
	rh.ticket_len = 3;
	EQ_INT(tes_msg_resume_hello_encode(&rh, buf, 101, &n), TES_ERR_SPACE, "resume hello: no room");

	/* UNIT_AUTH */
	for (k = 0; k < TES_RSA_LEN; k++)
		ua.sig[k] = (uint8_t)k;
	OK(tes_msg_unit_auth_encode(&ua, buf, sizeof buf, &n) == 0 && n == TES_RSA_LEN &&
		   tes_msg_unit_auth_decode(buf, n, &ua2) == 0 && memcmp(&ua, &ua2, sizeof ua) == 0,
	   "unit auth round trip");
	EQ_INT(tes_msg_unit_auth_decode(buf, n - 1, &ua2), TES_ERR_TRUNCATED, "unit auth short");
	EQ_INT(tes_msg_unit_auth_decode(buf, n + 1, &ua2), TES_ERR_FORMAT, "unit auth trailing byte");
	EQ_INT(tes_msg_unit_auth_encode(&ua, buf, TES_RSA_LEN - 1, &n), TES_ERR_SPACE, "unit auth: no room");

	/* HEARTBEAT (MUST-HB1) */
	EQ_INT(tes_msg_heartbeat_decode(hb, 1), 0, "heartbeat is its type byte");
	EQ_INT(tes_msg_heartbeat_decode(hb, 2), TES_ERR_FORMAT, "heartbeat with a body refused");
	EQ_INT(tes_msg_heartbeat_decode(hb, 0), TES_ERR_TRUNCATED, "empty record is no heartbeat");
	hb[0] = TES_INNER_BYE;
	EQ_INT(tes_msg_heartbeat_decode(hb, 1), TES_ERR_TYPE, "another inner type is no heartbeat");

	/* SESSION (MUST-SE1..SE2) */
	memset(si.res_secret, 0x11, sizeof si.res_secret);
	memset(si.ticket, 0x22, sizeof si.ticket);
	memset(&si2, 0xaa, sizeof si2);
	OK(tes_msg_session_encode(&si, buf, sizeof buf, &n) == 0 && n == 55 + 200 &&
		   buf[0] == TES_INNER_SESSION && tes_msg_session_decode(buf, n, &si2) == 0 &&
		   si2.idle_timeout == 30 && si2.lifetime == 3600 && si2.rekey_records == 65536 &&
		   si2.rekey_bytes == 8388608 && si2.ticket_lifetime == 43200 && si2.ticket_len == 200 &&
		   memcmp(si2.res_secret, si.res_secret, 32) == 0 && memcmp(si2.ticket, si.ticket, 200) == 0,
	   "session round trip");
	buf[n] = 0;
	EQ_INT(tes_msg_session_decode(buf, n + 1, &si2), TES_ERR_FORMAT, "session trailing byte");
	EQ_INT(tes_msg_session_decode(buf, n - 1, &si2), TES_ERR_TRUNCATED, "session short ticket");
	EQ_INT(tes_msg_session_decode(buf, 54, &si2), TES_ERR_TRUNCATED, "session without ticket_len");
	buf[0] = TES_INNER_LOGIN_RESULT;
	EQ_INT(tes_msg_session_decode(buf, n, &si2), TES_ERR_TYPE, "session: wrong inner type");
	buf[0] = TES_INNER_SESSION;
	buf[4] = 0; /* idle_timeout 30 -> 0 */
	EQ_INT(tes_msg_session_decode(buf, n, &si2), TES_ERR_FORMAT, "idle_timeout 0 refused");
	buf[4] = 30;
	buf[53] = 1;
	buf[54] = 1; /* ticket_len 257 */
	EQ_INT(tes_msg_session_decode(buf, 55 + 257, &si2), TES_ERR_TOOLONG,
	       "session ticket_len 257 refused");
	buf[53] = 0;
	buf[54] = 200;
	buf[17] = buf[18] = buf[19] = buf[20] = 0; /* ticket_lifetime 0 with a ticket */
	EQ_INT(tes_msg_session_decode(buf, n, &si2), TES_ERR_FORMAT, "ticket without a lifetime refused");
	si.ticket_len = 0;
	si.ticket_lifetime = 0;
	memset(si.res_secret, 0, sizeof si.res_secret);
	OK(tes_msg_session_encode(&si, buf, sizeof buf, &n) == 0 && n == 55 &&
		   tes_msg_session_decode(buf, n, &si2) == 0 && si2.ticket_len == 0 &&
		   si2.ticket_lifetime == 0,
	   "session without a ticket (after a resumed handshake) round trip");
	buf[20] = 60; /* ticket_lifetime 60, ticket_len 0 */
	EQ_INT(tes_msg_session_decode(buf, n, &si2), TES_ERR_FORMAT, "lifetime without a ticket refused");
	buf[17] = 0;
	buf[18] = 0;
	buf[19] = 0xa8;
	buf[20] = 0xc1; /* 43201 */
	buf[53] = 0;
	buf[54] = 1;
	buf[55] = 0;
	EQ_INT(tes_msg_session_decode(buf, 56, &si2), TES_ERR_FORMAT, "ticket_lifetime above 12 h refused");
	bad = si;
	bad.idle_timeout = 0;
	EQ_INT(tes_msg_session_encode(&bad, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses idle_timeout 0");
	bad = si;
	bad.rekey_records = 0;
	EQ_INT(tes_msg_session_encode(&bad, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses rekey_records 0");
	bad = si;
	bad.ticket_lifetime = 60;
	EQ_INT(tes_msg_session_encode(&bad, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses a lifetime without a ticket");
	bad.ticket_lifetime = 0;
	bad.ticket_len = 1;
	EQ_INT(tes_msg_session_encode(&bad, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses a ticket without a lifetime");
	bad.ticket_lifetime = 60;
	bad.ticket_len = TES_TICKET_MAX + 1;
	EQ_INT(tes_msg_session_encode(&bad, buf, sizeof buf, &n), TES_ERR_ARG,
	       "encoder refuses ticket_len 257");
	EQ_INT(tes_msg_session_encode(&si, buf, 54, &n), TES_ERR_SPACE, "session: no room");

	/* alerts: 1..4, REKEY the new one */
	for (k = 0, taken = 0; k <= 255; k++) {
		buf[0] = (uint8_t)k;
		if (tes_msg_alert_decode(buf, 1, &code) == 0 && code == k)
			taken |= 1u << (k < 31 ? k : 31);
	}
	EQ_INT(taken, 0x1e, "of the 256 alert bytes exactly 1..4 decode (4 = REKEY)");
}

static void
test_validators(void)
{
	char p[TES_PLATE_MAX + 1];
	uint8_t n;

	/* MUST-R2: plates */
	EQ_INT(tes_field_plate_valid("34ABC123", 8), 0, "plate 34ABC123 valid");
	EQ_INT(tes_field_plate_valid("", 0), TES_ERR_PLATE, "empty plate invalid (MUST-R2)");
	EQ_INT(tes_field_plate_valid("ABCDEFGHIJKLM", 13), TES_ERR_PLATE, "13 characters invalid (MUST-R2)");
	EQ_INT(tes_field_plate_valid("ABCDEFGHIJKL", 12), 0, "12 characters valid");
	EQ_INT(tes_field_plate_valid("34abc123", 8), TES_ERR_PLATE,
	       "lower case invalid on the wire (MUST-R2)");
	EQ_INT(tes_field_plate_valid("34\0BC", 5), TES_ERR_PLATE, "NUL inside a plate invalid");
	OK(tes_field_plate_normalize("34 abc-123", 10, p, &n) == 0 && n == 8 && strcmp(p, "34ABC123") == 0,
	   "normalise input (MUST-R2)");
	OK(tes_field_plate_normalize("AB<1", 4, p, &n) != 0, "normalise refuses '<'");
	OK(tes_field_plate_normalize(" - ", 3, p, &n) != 0, "normalise refuses an empty result");
	OK(tes_field_speed_valid(0) != 0 && tes_field_speed_valid(1) == 0 &&
		   tes_field_speed_valid(400) == 0 && tes_field_speed_valid(401) != 0,
	   "speed bounds 1..400 (MUST-R3)");
	OK(tes_field_limit_valid(0) == 0 && tes_field_limit_valid(4) != 0 && tes_field_limit_valid(5) == 0 &&
		   tes_field_limit_valid(200) == 0 && tes_field_limit_valid(201) != 0,
	   "limit 0 or 5..200 (MUST-R3)");
	OK(tes_field_time_valid(1577836800, 1800000000) == 0 &&
		   tes_field_time_valid(1577836799, 1800000000) != 0,
	   "time not before 2020 (MUST-R5)");
	OK(tes_field_time_valid(1800000300, 1800000000) == 0 &&
		   tes_field_time_valid(1800000301, 1800000000) != 0,
	   "time at most 300 s in the future (MUST-R5)");
	OK(tes_field_time_valid(UINT64_MAX, UINT64_MAX) != 0, "no overflow at the top of the range");
	OK(tes_field_location_valid("E5 km 12, exit #3", 17) == 0 &&
		   tes_field_location_valid("a.b,c-d/e:f#g", 13) == 0 &&
		   tes_field_location_valid("<script>", 8) != 0 && tes_field_location_valid("a;b", 3) != 0 &&
		   tes_field_location_valid("a\n", 2) != 0,
	   "location alphabet (MUST-R4)");
	OK(tes_field_location_valid("0123456789012345678901234567890123456789012345678901234567890123", 64) ==
			   0 &&
		   tes_field_location_valid(
			   "01234567890123456789012345678901234567890123456789012345678901234", 65) != 0,
	   "location at most 64 characters (MUST-R4)");
	OK(tes_field_location_valid("", 0) == 0, "empty location is valid");
	OK(tes_field_name_valid("patrol-7", 8) == 0 && tes_field_name_valid("a b", 3) != 0 &&
		   tes_field_name_valid("", 0) != 0,
	   "name alphabet");
}

static void
test_policy(void)
{
	static const struct {
		uint32_t speed;
		uint16_t points;
	} v[] = {
		{ 0, 0 },   { 49, 0 },   { 50, 10 },  { 69, 10 },    { 70, 20 },
		{ 99, 20 }, { 100, 50 }, { 400, 50 }, { 65535, 50 },
	};
	struct tes_policy p;
	size_t i;
	int all = 1;

	tes_policy_default(&p);
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (tes_policy_points(&p, v[i].speed, 0, NULL) != v[i].points ||
		    tes_policy_points(&p, v[i].speed, 130, NULL) != v[i].points)
			all = 0;
	OK(all,
	   "the built-in policy: bands 50-69 -> 10, 70-99 -> 20, >=100 -> 50, else 0, whatever the limit");
}

/* ---- password files and typed lines (wire/pwfile.h) ---- */

/* tes_pwfile_decode on n bytes: its result, *len and *why. */
static int
pwdec(const char *s, size_t n, size_t *len, const char **why)
{
	*len = 0;
	*why = NULL;
	return tes_pwfile_decode((const uint8_t *)s, n, len, why);
}

static void
test_pwfile(void)
{
	char big[TES_PWFILE_MAX + 2];
	const char *why;
	size_t len;

	OK(pwdec("amber-tulip-quarry-57\n", 22, &len, &why) == 0 && len == 21 && why == NULL,
	   "pwfile: LF stripped");
	OK(pwdec("amber-tulip-quarry-57\r\n", 23, &len, &why) == 0 && len == 21, "pwfile: CRLF stripped");
	OK(pwdec("amber-tulip-quarry-57", 21, &len, &why) == 0 && len == 21, "pwfile: no line end");
	OK(pwdec(" x \n", 4, &len, &why) == 0 && len == 3, "pwfile: spaces are kept");
	OK(pwdec("amber\0tulip\n", 12, &len, &why) == TES_ERR_FORMAT && strstr(why, "NUL") != NULL,
	   "pwfile: a NUL byte is refused, not cut (MUST-PW1)");
	OK(pwdec("amber\ntulip\n", 12, &len, &why) == TES_ERR_FORMAT &&
		   strstr(why, "more than one line") != NULL,
	   "pwfile: a second line is refused");
	OK(pwdec("amber\n\n", 7, &len, &why) == TES_ERR_FORMAT, "pwfile: an empty second line is refused");
	OK(pwdec("amber\r\r\n", 8, &len, &why) == TES_ERR_FORMAT && strstr(why, "carriage return") != NULL,
	   "pwfile: a CR inside the line is refused");
	OK(pwdec("\n", 1, &len, &why) == TES_ERR_FORMAT && strstr(why, "empty") != NULL,
	   "pwfile: empty refused");
	OK(pwdec("", 0, &len, &why) == TES_ERR_FORMAT, "pwfile: no bytes refused");
	OK(pwdec("\xc3\xa9t\xc3\xa9\n", 6, &len, &why) == 0 && len == 5, "pwfile: UTF-8 accepted");
	OK(tes_pwfile_chars((const uint8_t *)"\xc3\xa9t\xc3\xa9\xf0\x9f\x9a\x93", 9) == 4,
	   "pwfile: characters are code points");
	OK(pwdec("a\xc0\xaf\n", 4, &len, &why) == TES_ERR_FORMAT && strstr(why, "overlong") != NULL,
	   "pwfile: an overlong form is refused");
	OK(pwdec("a\xed\xa0\x80", 4, &len, &why) == TES_ERR_FORMAT && strstr(why, "surrogate") != NULL,
	   "pwfile: a surrogate is refused");
	OK(pwdec("a\xe6\x9d\n", 4, &len, &why) == TES_ERR_FORMAT && strstr(why, "cut short") != NULL,
	   "pwfile: a sequence cut short is refused");
	OK(pwdec("a\xff", 2, &len, &why) == TES_ERR_FORMAT && why != NULL, "pwfile: byte FF is refused");
	OK(pwdec("a\x80", 2, &len, &why) == TES_ERR_FORMAT && why != NULL,
	   "pwfile: a stray continuation byte");
	memset(big, 'p', sizeof big);
	big[TES_PASSWORD_MAX] = '\r';
	big[TES_PASSWORD_MAX + 1] = '\n';
	OK(pwdec(big, TES_PWFILE_MAX, &len, &why) == 0 && len == TES_PASSWORD_MAX,
	   "pwfile: 128 bytes and CRLF");
	memset(big, 'p', sizeof big);
	OK(pwdec(big, TES_PASSWORD_MAX + 1, &len, &why) == TES_ERR_TOOLONG && strstr(why, "128") != NULL,
	   "pwfile: 129 bytes refused, not cut");
	OK(pwdec(big, sizeof big, &len, &why) == TES_ERR_TOOLONG, "pwfile: a longer file refused");
}

/* ---- RFC 3339 times (wire/rfc3339.h) ---- */

/* tes_rfc3339_parse on a C string: its result, *t and *why. */
static int
rfc(const char *s, uint64_t *t, const char **why)
{
	*t = 0;
	*why = NULL;
	return tes_rfc3339_parse(s, strlen(s), t, why);
}

/* Whether s is refused with a reason that contains part. */
static int
rfc_refused(const char *s, const char *part)
{
	const char *why;
	uint64_t t;

	return rfc(s, &t, &why) == TES_ERR_TIME && t == 0 && why != NULL && strstr(why, part) != NULL;
}

/* Whether s is accepted as the UTC time want. */
static int
rfc_is(const char *s, uint64_t want)
{
	const char *why;
	uint64_t t;

	return rfc(s, &t, &why) == 0 && t == want && why == NULL;
}

static void
test_rfc3339(void)
{
	char buf[64];
	struct tm tm;
	time_t ref;
	int y, m, d, all = 1;
	size_t k;

	OK(rfc_is("2026-11-23T10:15:00Z", 1795428900) && rfc_is("2026-11-23t10:15:00z", 1795428900),
	   "T/t and Z/z (MUST-IT1)");
	OK(rfc_is("2026-11-23T13:15:00+03:00", 1795428900) && rfc_is("2026-11-23T04:45:00-05:30", 1795428900),
	   "2026-11-23T13:15:00+03:00 = 2026-11-23T10:15:00Z; -05:30 too (MUST-IT6)");
	OK(rfc_is("2026-11-23T10:15:00-00:00", 1795428900) && rfc_is("2026-11-23T10:15:00+00:00", 1795428900),
	   "+00:00 and -00:00 are UTC");
	OK(rfc_is("2026-11-23T10:15:00.999999Z", 1795428900) &&
		   rfc_is("2026-11-23T10:15:00.5+01:00", 1795425300),
	   "a fraction of a second is truncated");
	OK(rfc_is("2024-02-29T12:00:00Z", 1709208000), "2024-02-29 exists (leap year)");
	OK(rfc_is("2000-02-29T00:00:00Z", 951782400), "2000-02-29 exists (divisible by 400)");
	OK(rfc_refused("2026-02-30T10:00:00Z", "day 30 does not exist in February"),
	   "2026-02-30 refused, naming the day and month (MUST-IT4)");
	OK(rfc_refused("2025-02-29T10:00:00Z", "not a leap year") &&
		   rfc_refused("2100-02-29T10:00:00Z", "not a leap year"),
	   "February 29 of a common year refused (2100 too) (MUST-IT4)");
	OK(rfc_refused("2026-02-31T10:00:00Z", "day 31 does not exist in February") &&
		   rfc_refused("2026-04-31T10:00:00Z", "April") &&
		   rfc_refused("2026-06-31T10:00:00Z", "June") &&
		   rfc_refused("2026-09-31T10:00:00Z", "September") &&
		   rfc_refused("2026-11-31T10:00:00Z", "November"),
	   "day 31 of a 30-day month refused, naming the month (MUST-IT4)");
	OK(rfc_is("2026-12-31T23:59:59Z", 1798761599) && rfc_is("2026-01-31T00:00:00Z", 1769817600),
	   "day 31 of a 31-day month");
	OK(rfc_refused("2026-13-01T00:00:00Z", "month must be 01 to 12") &&
		   rfc_refused("2026-00-01T00:00:00Z", "month must be 01 to 12"),
	   "month 13 and month 0 refused (MUST-IT5)");
	OK(rfc_refused("2026-01-00T00:00:00Z", "day must be 01 to 31") &&
		   rfc_refused("2026-01-32T00:00:00Z", "day must be 01 to 31"),
	   "day 0 and day 32 refused (MUST-IT5)");
	OK(rfc_refused("2026-11-23T24:00:00Z", "hour must be 00 to 23"), "hour 24 refused (MUST-IT5)");
	OK(rfc_refused("2026-11-23T10:60:00Z", "minute must be 00 to 59"), "minute 60 refused (MUST-IT5)");
	OK(rfc_refused("2016-12-31T23:59:60Z", "leap second") &&
		   rfc_refused("2026-11-23T10:15:61Z", "second"),
	   "second 60 refused as a leap second, 61 refused (MUST-IT5)");
	OK(rfc_refused("2026-11-23T10:15:00+24:00", "offset's hours") &&
		   rfc_refused("2026-11-23T10:15:00+05:60", "offset's minutes"),
	   "offset out of range refused (MUST-IT5)");
	OK(rfc_is("2026-11-23T10:15:00+23:59", 1795428900 - 23 * 3600 - 59 * 60),
	   "offset +23:59 is the limit");
	OK(rfc_refused("1969-12-31T23:59:59Z", "1970 or later") &&
		   rfc_refused("0000-01-01T00:00:00Z", "1970"),
	   "years before 1970 refused (MUST-IT5)");
	OK(rfc_is("1970-01-01T00:00:00Z", 0) && rfc_refused("1970-01-01T00:30:00+01:00", "before 1970") &&
		   rfc_is("1969-12-31T23:00:00-01:00", 0) == 0,
	   "1970-01-01T00:00:00Z is 0; earlier in UTC is refused");
	OK(rfc_is("9999-12-31T23:59:59Z", 253402300799ULL) &&
		   rfc_is("9999-12-31T23:59:59-23:59", 253402387139ULL) &&
		   253402387139ULL < TES_RFC3339_LIMIT,
	   "year 9999 is the last, below TES_RFC3339_LIMIT");
	OK(rfc_refused("10000-01-01T00:00:00Z", "expected a date"), "a five-digit year refused");
	OK(rfc_refused("2026-11-23", "a date alone is not enough") &&
		   rfc_refused("2026-11-23", "2026-11-23T13:15:00Z"),
	   "a date alone is refused with an example (MUST-IT2)");
	OK(rfc_refused("2026-11-23T13:15:00", "give a zone: Z or a numeric offset such as +03:00") &&
		   rfc_refused("2026-11-23T13:15:00.25", "give a zone"),
	   "a missing zone is asked for (MUST-IT3)");
	OK(rfc_refused("2026-11-23T13:15:00 UTC", "zone must be Z") &&
		   rfc_refused("2026-11-23T13:15:00+0300", "zone must be Z") &&
		   rfc_refused("2026-11-23T13:15:00+03", "zone must be Z") &&
		   rfc_refused("2026-11-23T13:15:00EST", "zone must be Z"),
	   "zone names and short offsets refused (MUST-IT3)");
	OK(rfc_refused("2026-11-23T13:15:00Z ", "after the zone") &&
		   rfc_refused("2026-11-23T13:15:00+03:00x", "after the zone"),
	   "trailing text refused (MUST-IT1)");
	OK(rfc_refused("2026-11-23 13:15:00Z", "with T") &&
		   rfc_refused("2026-11-23X13:15:00Z", "THH:MM:SS") &&
		   rfc_refused("2026-11-23T13:15Z", "THH:MM:SS") &&
		   rfc_refused("2026-11-23T1:15:00Z", "THH:MM:SS"),
	   "a bad separator or a short time refused (MUST-IT1)");
	OK(rfc_refused("2026-11-23T13:15:00.Z", "digits after the decimal point"), "a point without digits");
	OK(rfc_refused("", "expected a date") && rfc_refused("2026-1-23T13:15:00Z", "expected a date") &&
		   rfc_refused("2026/11/23T13:15:00Z", "expected a date") &&
		   rfc_refused("+2026-11-23T13:15:00Z", "expected a date"),
	   "malformed dates refused (MUST-IT1)");
	for (k = 0; k < 20; k++) {
		const char *why;
		uint64_t t = 7;

		/* every prefix of a valid time is refused and leaves *t alone */
		if (tes_rfc3339_parse("2026-11-23T13:15:00+03:00", k, &t, &why) != TES_ERR_TIME || t != 7 ||
		    why == NULL)
			all = 0;
	}
	OK(all, "every cut of a time is refused, *t untouched");
	all = 1;
	/* noon of every day 1970..2200 against the C library's timegm() */
	for (y = 1970; y <= 2200 && all; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= 31; d++) {
				const char *why;
				uint64_t t;
				int r;

				snprintf(buf, sizeof buf, "%04d-%02d-%02dT12:34:56Z", y, m, d);
				memset(&tm, 0, sizeof tm);
				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				tm.tm_hour = 12;
				tm.tm_min = 34;
				tm.tm_sec = 56;
				ref = timegm(&tm);
				r = tes_rfc3339_parse(buf, strlen(buf), &t, &why);
				/* timegm() normalises 02-30 into March: the day must be refused then */
				if (tm.tm_mday != d ? r != TES_ERR_TIME : r != 0 || (time_t)t != ref)
					all = 0;
			}
	OK(all, "every day 1970..2200 agrees with timegm(), every impossible date refused");
}

/* ---- the batch input (wire/batch.h) ---- */

struct yield {
	int r;
	const char *why;
	struct tes_batch_rec rec;
};

enum {
	YIELDS_MAX = 64
};

static struct yield ys[YIELDS_MAX], ys2[YIELDS_MAX];
static struct tes_batch dec;

/* Feed in[0 .. n-1] to a fresh decoder `chunk` bytes at a time (0: at once), then end it. */
static size_t
run(const void *in, size_t n, enum tes_batch_format f, size_t chunk, struct yield *y)
{
	const uint8_t *p = in;
	size_t off = 0, k = 0, len, used;
	unsigned long last = 0;
	const char *why;
	int r;

	memset(y, 0, YIELDS_MAX * sizeof *y);
	tes_batch_init(&dec, f);
	while (off < n) {
		len = chunk == 0 || chunk > n - off ? n - off : chunk;
		while (len > 0 && k < YIELDS_MAX) {
			why = NULL;
			r = tes_batch_feed(&dec, p + off, len, &used, &y[k].rec, &why);
			if (used > len || (r == TES_BATCH_MORE && used != len) ||
			    (r != TES_BATCH_MORE && used == 0))
				return (size_t)-1;
			off += used;
			len -= used;
			if (r == TES_BATCH_MORE)
				continue;
			if (y[k].rec.line <= last)
				return (size_t)-1;
			last = y[k].rec.line;
			y[k].r = r;
			y[k++].why = r == TES_BATCH_ERROR ? why : NULL;
		}
	}
	if (k < YIELDS_MAX && (r = tes_batch_end(&dec, &y[k].rec, &why)) != TES_BATCH_MORE) {
		if (y[k].rec.line <= last)
			return (size_t)-1;
		y[k].r = r;
		y[k++].why = r == TES_BATCH_ERROR ? why : NULL;
	}
	return k;
}

static size_t
run_str(const char *in, enum tes_batch_format f)
{
	return run(in, strlen(in), f, 0, ys);
}

/* Whether yield k is a record of line `line` with this plate and speed. */
static int
is_rec(size_t k, unsigned long line, const char *plate, uint32_t speed)
{
	return ys[k].r == TES_BATCH_RECORD && ys[k].rec.line == line && strcmp(ys[k].rec.plate, plate) == 0 &&
	       ys[k].rec.plate_len == strlen(plate) && ys[k].rec.speed == speed;
}

/* Whether yield k refuses line `line` with a reason that contains part. */
static int
is_err(size_t k, unsigned long line, const char *part)
{
	return ys[k].r == TES_BATCH_ERROR && ys[k].rec.line == line && ys[k].why != NULL &&
	       strstr(ys[k].why, part) != NULL;
}

/* A one-line input in format f refused with part. */
static int
refused(const char *in, enum tes_batch_format f, const char *part)
{
	return run_str(in, f) == 1 && is_err(0, 1, part);
}

static int
same_yields(size_t n, const struct yield *a, const struct yield *b)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct tes_batch_rec *x = &a[k].rec, *z = &b[k].rec;

		if (a[k].r != b[k].r || a[k].why != b[k].why || x->line != z->line)
			return 0;
		if (a[k].r == TES_BATCH_RECORD &&
		    (strcmp(x->plate, z->plate) != 0 || x->speed != z->speed || x->limit != z->limit ||
		     x->has_limit != z->has_limit || strcmp(x->loc, z->loc) != 0 ||
		     x->loc_len != z->loc_len || x->time != z->time || x->has_time != z->has_time ||
		     x->has_id != z->has_id || memcmp(x->id, z->id, sizeof x->id) != 0))
			return 0;
	}
	return 1;
}

static void
test_batch_lines(void)
{
	char big[1200];
	size_t n;

	/* the defect that started it: a 600-byte line must not become two records */
	n = (size_t)snprintf(big, sizeof big, "34HEAD1,100,50,");
	memset(big + n, 'A', 600 - 1 - n - 11);
	memcpy(big + 600 - 1 - 11, "34TAIL9,120\n", 13);
	OK(strlen(big) == 600 && run_str(big, TES_BATCH_AUTO) == 1 && is_err(0, 1, "more fields") == 0 &&
		   is_err(0, 1, "location longer than 64"),
	   "a 600-byte CSV line is refused alone, as line 1 (MUST-IR2)");
	memcpy(big + 600, "34NEXT2,80\n", 12);
	OK(run_str(big, TES_BATCH_AUTO) == 2 && is_err(0, 1, "longer than 64") && is_rec(1, 2, "34NEXT2", 80),
	   "and the line after it is line 2");
	memset(big, 'A', 1100);
	memcpy(big + 1100, ",120\n34NEXT2,80\n", 17);
	OK(run_str(big, TES_BATCH_AUTO) == 2 && is_err(0, 1, "line longer than 1024 bytes") &&
		   is_rec(1, 2, "34NEXT2", 80),
	   "a 1104-byte line is refused alone; its rest is no line of its own (MUST-IL2)");
	memcpy(big, "34ABC,90,,", 10);
	memset(big + 10, 'x', 1024 - 10);
	memcpy(big + 1024, "\r\n", 3);
	OK(run_str(big, TES_BATCH_CSV) == 1 && is_err(0, 1, "location longer than 64"),
	   "1024 bytes and CR LF is the longest line (MUST-IL1, MUST-IL2)");
	big[1024] = 'x';
	OK(run_str(big, TES_BATCH_CSV) == 1 && is_err(0, 1, "line longer than 1024"),
	   "1025 bytes are too many");
	memcpy(big + 1024, "\n34NEXT2,80", 12);
	big[0] = '#';
	OK(run_str(big, TES_BATCH_AUTO) == 1 && is_rec(0, 2, "34NEXT2", 80),
	   "a long comment is skipped (MUST-IL4); a last line without its end is read");
	OK(run_str("\n  \t\n# plate,speed\n34ABC1,90\r\n\r\n#x\n34ABC2,91", TES_BATCH_AUTO) == 2 &&
		   is_rec(0, 4, "34ABC1", 90) && is_rec(1, 7, "34ABC2", 91),
	   "blank lines and comments yield nothing and keep their numbers (MUST-IL4)");
	OK(run_str("34ABC1,90\r\n34ABC2,91\r\n", TES_BATCH_AUTO) == 2 && is_rec(0, 1, "34ABC1", 90) &&
		   is_rec(1, 2, "34ABC2", 91),
	   "CR LF line ends (MUST-IL1)");
	OK(run_str("34ABC1,90\r34ABC2,91\n", TES_BATCH_AUTO) == 1 && is_err(0, 1, "control character"),
	   "a bare CR is no line end but a control character (MUST-IL1, MUST-IL3)");
	OK(run(("34AB\0C,90\n34ABC2,91\n"), 20, TES_BATCH_AUTO, 0, ys) == 2 && is_err(0, 1, "NUL byte") &&
		   is_rec(1, 2, "34ABC2", 91),
	   "a NUL byte refuses its line alone (MUST-IL3)");
	OK(refused("34AB\x1b[31mC,90\n", TES_BATCH_AUTO, "control character") &&
		   refused("34ABC,90,\x7f\n", TES_BATCH_AUTO, "control character") &&
		   refused("34ABC,90,\xc2\x9b\n", TES_BATCH_AUTO, "control character"),
	   "ESC, DEL and a C1 control refused (MUST-IL3)");
	OK(run_str("34ABC\t,\t90\t\n", TES_BATCH_AUTO) == 1 && is_rec(0, 1, "34ABC", 90), "TAB is allowed");
	OK(refused("34ABC,90,\xc0\x80\n", TES_BATCH_AUTO, "overlong") &&
		   refused("34ABC,90,\xe0\x80\x80\n", TES_BATCH_AUTO, "overlong") &&
		   refused("34ABC,90,\xf0\x80\x80\x80\n", TES_BATCH_AUTO, "overlong") &&
		   refused("34ABC,90,\xed\xa0\x80\n", TES_BATCH_AUTO, "surrogate") &&
		   refused("34ABC,90,\xf4\x90\x80\x80\n", TES_BATCH_AUTO, "above U+10FFFF") &&
		   refused("34ABC,90,\xf5\x80\x80\x80\n", TES_BATCH_AUTO, "F5 to FF") &&
		   refused("34ABC,90,\xe2\x82\n", TES_BATCH_AUTO, "cut short") &&
		   refused("34ABC,90,\xe2\x82x\n", TES_BATCH_AUTO, "cut short") &&
		   refused("34ABC,90,\x80\n", TES_BATCH_AUTO, "continuation byte"),
	   "invalid UTF-8: overlong, surrogate, above U+10FFFF, cut short, stray (MUST-IL3)");
	OK(run_str("34ABC,90,,\xc3\xa7\xe2\x82\xac\xf0\x9f\x9a\x93\n", TES_BATCH_AUTO) == 1 &&
		   is_rec(0, 1, "34ABC", 90) &&
		   strcmp(ys[0].rec.loc, "\xc3\xa7\xe2\x82\xac\xf0\x9f\x9a\x93") == 0,
	   "valid UTF-8 is kept as written (the validators judge it)");
	OK(run_str("\xef\xbb\xbfplate,speed\n34ABC,90\n", TES_BATCH_AUTO) == 1 && is_rec(0, 2, "34ABC", 90),
	   "a byte order mark on line 1 is dropped");
	OK(run_str("\n\n  {\"plate\":\"34ABC\",\"speed\":90}\n", TES_BATCH_AUTO) == 1 &&
		   is_rec(0, 3, "34ABC", 90),
	   "AUTO: a first line starting with { is JSON Lines (MUST-IL5)");
	OK(run_str("# {\n34ABC,90\n{\"plate\":\"34ABC\",\"speed\":90}\n", TES_BATCH_AUTO) == 2 &&
		   is_rec(0, 2, "34ABC", 90) && is_err(1, 3, "quote"),
	   "AUTO: anything else is CSV, decided once (MUST-IL5)");
	OK(run_str("34ABC,90\n", TES_BATCH_JSONL) == 1 && is_err(0, 1, "expected a JSON object"),
	   "an explicit format is kept");
}

static void
test_batch_csv(void)
{
	char big[128];
	size_t n;
	int all;

	OK(run_str("34ABC12,120,90,\"Bursa, exit "
		   "3\",2026-11-23T13:15:00+03:00,00112233445566778899aabbccddeeff\n",
		   TES_BATCH_AUTO) == 1 &&
		   is_rec(0, 1, "34ABC12", 120) && ys[0].rec.limit == 90 && ys[0].rec.has_limit &&
		   strcmp(ys[0].rec.loc, "Bursa, exit 3") == 0 && ys[0].rec.loc_len == 13 &&
		   ys[0].rec.has_location && ys[0].rec.has_time && ys[0].rec.time == 1795428900 &&
		   ys[0].rec.has_id && ys[0].rec.id[0] == 0 && ys[0].rec.id[15] == 0xff,
	   "all six columns, a quoted comma, an offset time and an id (MUST-IC2, MUST-IR4)");
	OK(run_str("34ABC,120,\"\",\"say \"\"hi\"\"\"\n", TES_BATCH_AUTO) == 1 &&
		   is_rec(0, 1, "34ABC", 120) && !ys[0].rec.has_limit && ys[0].rec.limit == 0 &&
		   strcmp(ys[0].rec.loc, "say \"hi\"") == 0,
	   "\"\" is an empty (absent) field; \"\" inside quotes is a quote (MUST-IC2)");
	OK(run_str("  34ABC , 120 , ,  \"x, y\"  ,  \n", TES_BATCH_AUTO) == 1 && is_rec(0, 1, "34ABC", 120) &&
		   strcmp(ys[0].rec.plate, "34ABC") == 0 && !ys[0].rec.has_limit &&
		   strcmp(ys[0].rec.loc, "x, y") == 0,
	   "blanks around fields and quotes are dropped, inside quotes kept");
	OK(run_str("34ABC,120,,,,\n", TES_BATCH_AUTO) == 1 && is_rec(0, 1, "34ABC", 120) &&
		   !ys[0].rec.has_limit && !ys[0].rec.has_location && !ys[0].rec.has_time &&
		   !ys[0].rec.has_id,
	   "empty fields are absent");
	OK(run_str(",,,\n , \"\" ,\n34ABC,90\n", TES_BATCH_AUTO) == 1 && is_rec(0, 3, "34ABC", 90),
	   "a line of empty fields is skipped");
	OK(refused("34ABC,120,90,x,,,\n", TES_BATCH_AUTO, "too many fields"),
	   "seven fields refused (MUST-IC1)");
	OK(refused("34A\"BC,120\n", TES_BATCH_AUTO, "quote inside a field") &&
		   refused("\"34ABC\"x,120\n", TES_BATCH_AUTO, "after the closing quote"),
	   "a bad quote refused (MUST-IC2)");
	n = run_str("34ABC,120,90,\"Bursa\nexit 3\",2026-11-23T10:15:00Z\n34DEF,80\n", TES_BATCH_AUTO);
	OK(n == 3 && is_err(0, 1, "line break inside a quoted field") &&
		   is_err(1, 2, "quote inside a field") && is_rec(2, 3, "34DEF", 80),
	   "a line break inside quotes ends the record; numbers do not shift (MUST-IC3)");
	OK(refused("34ABC,120,\"Bursa", TES_BATCH_AUTO, "not closed at the end of the input"),
	   "a quote left open at the end of the input (MUST-IC3)");
	OK(run_str("speed, Plate ,LOCATION\n120,34ABC,Bursa\n\"80\",\"34DEF\"\n", TES_BATCH_AUTO) == 2 &&
		   is_rec(0, 2, "34ABC", 120) && strcmp(ys[0].rec.loc, "Bursa") == 0 &&
		   is_rec(1, 3, "34DEF", 80),
	   "a header, reordered and in any case, maps the columns (MUST-IC4)");
	OK(run_str("plate,speed\n34ABC,120,90\n34DEF,80\n", TES_BATCH_AUTO) == 2 &&
		   is_err(0, 2, "more fields than the header") && is_rec(1, 3, "34DEF", 80),
	   "a record longer than its header refused alone");
	OK(run_str("plate,speed,colour\n34ABC,120,red\n34DEF,80\n", TES_BATCH_AUTO) == 3 &&
		   is_err(0, 1, "unknown column name") && is_err(1, 2, "header line was refused") &&
		   is_err(2, 3, "header line was refused"),
	   "an unknown column refuses the header and every record after it (MUST-IC5, MUST-IC6)");
	OK(run_str("plate,speed,Speed\n34ABC,120,90\n", TES_BATCH_AUTO) == 2 && is_err(0, 1, "named twice") &&
		   is_err(1, 2, "header line was refused"),
	   "a repeated column refuses the header (MUST-IC5, MUST-IC6)");
	OK(run_str("plate,limit\n34ABC,90\n", TES_BATCH_AUTO) == 2 && is_err(0, 1, "plate and speed") &&
		   is_err(1, 2, "header line was refused"),
	   "a header without speed refused (MUST-IC5)");
	OK(run_str("lpate,spede\n34ABC,90\n", TES_BATCH_AUTO) == 2 && is_err(0, 1, "unknown column") &&
		   is_err(1, 2, "header line was refused"),
	   "a first line without a digit is a header, misspelt or not (MUST-IC4)");
	OK(run_str("LIMIT,120\n34ABC,90\n", TES_BATCH_AUTO) == 2 && is_err(0, 1, "unknown column") &&
		   is_err(1, 2, "header line was refused"),
	   "a first line naming a column is a header, never guessed as data (MUST-IC4)");
	OK(run_str("plate,\"spe\x01"
		   "ed\"\n34ABC,90\n",
		   TES_BATCH_AUTO) == 2 &&
		   is_err(0, 1, "control character") && is_err(1, 2, "header line was refused"),
	   "a header with a bad byte is refused and so is every record (MUST-IC6)");
	OK(run_str("34ABC,12O\n34DEF,80\n", TES_BATCH_AUTO) == 2 && is_err(0, 1, "whole number") &&
		   is_rec(1, 2, "34DEF", 80),
	   "a bad first record is no header: refused alone");
	OK(refused(",120\n", TES_BATCH_AUTO, "missing plate") &&
		   refused("34ABC\n", TES_BATCH_CSV, "missing speed") &&
		   refused("34ABC,\"\"\n", TES_BATCH_CSV, "missing speed"),
	   "plate and speed are required (MUST-IR1)");
	OK(refused("34ABC,12a\n", TES_BATCH_AUTO, "speed must be a whole number") &&
		   refused("34ABC,-5\n", TES_BATCH_AUTO, "speed must be a whole number") &&
		   refused("34ABC,1 2\n", TES_BATCH_AUTO, "speed must be a whole number") &&
		   refused("34ABC,123456\n", TES_BATCH_AUTO, "speed has more than 5 digits") &&
		   refused("34ABC,120,9x\n", TES_BATCH_AUTO, "limit must be a whole number") &&
		   refused("34ABC,120,000090\n", TES_BATCH_AUTO, "limit has more than 5 digits"),
	   "bad numbers refused (MUST-IR3)");
	OK(run_str("34ABC,99999,00000\n34DEF,0\n", TES_BATCH_AUTO) == 2 && ys[0].rec.speed == 99999 &&
		   ys[0].rec.has_limit && ys[0].rec.limit == 0 && is_rec(1, 2, "34DEF", 0),
	   "five digits pass the decoder; ranges are the validators' (MUST-IR3)");
	OK(refused("34ABC,120,,,,0011223344556677889aabbccddeeff\n", TES_BATCH_AUTO, "id must be 32") &&
		   refused("34ABC,120,,,,0011223344556677889xaabbccddeeff\n", TES_BATCH_AUTO,
			   "id must be 32"),
	   "a bad id refused");
	OK(refused("34ABC,120,,,2026-02-30T10:00:00Z\n", TES_BATCH_AUTO,
		   "day 30 does not exist in February") &&
		   refused("34ABC,120,,,2026-11-23\n", TES_BATCH_AUTO, "a date alone") &&
		   refused("34ABC,120,,,2026-11-23T10:00:00\n", TES_BATCH_AUTO, "give a zone"),
	   "a bad time refused with the time reader's reason (MUST-IR4)");
	OK(refused("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,120\n", TES_BATCH_AUTO, "plate longer than 32") &&
		   run_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,120\n", TES_BATCH_AUTO) == 1 &&
		   ys[0].r == TES_BATCH_RECORD && ys[0].rec.plate_len == 32,
	   "a plate of 32 characters passes, 33 are refused (MUST-IR2)");
	memset(big, 'x', sizeof big);
	memcpy(big, "34ABC,120,,", 11);
	memcpy(big + 11 + 65, "\n", 2);
	OK(refused(big, TES_BATCH_AUTO, "location longer than 64") &&
		   refused("34ABC,120,,,2026-11-23T10:00:00.00000000000000000000000000000000000000000000Z\n",
			   TES_BATCH_AUTO, "time longer than 64"),
	   "a location or a time over 64 characters refused (MUST-IR2)");
	all = 1;
	for (n = 0; n < 8; n++)
		if (run_str("34ABC,120\n", TES_BATCH_CSV) != 1 || !is_rec(0, 1, "34ABC", 120))
			all = 0;
	OK(all, "a decoder starts afresh after tes_batch_init");
}

static void
test_batch_jsonl(void)
{
	OK(run_str("{\"plate\": \"34\\u0041BC\", \"speed\": 120, \"limit\": 90, \"location\": \"a \\\"b\\\" "
		   "\\\\ \\/ "
		   "\\u00e7\\u20ac\\ud83d\\ude93\", \"time\": \"2026-11-23T13:15:00+03:00\", "
		   "\"id\": \"00112233445566778899AABBCCDDEEFF\"}\n",
		   TES_BATCH_AUTO) == 1 &&
		   is_rec(0, 1, "34ABC", 120) && ys[0].rec.limit == 90 &&
		   strcmp(ys[0].rec.loc, "a \"b\" \\ / \xc3\xa7\xe2\x82\xac\xf0\x9f\x9a\x93") == 0 &&
		   ys[0].rec.time == 1795428900 && ys[0].rec.has_id && ys[0].rec.id[15] == 0xff,
	   "JSON escapes, \\u and a surrogate pair to UTF-8 (MUST-IJ1)");
	OK(run_str("\t{ \"speed\" : 80 , \"plate\" : \"34ABC\" , \"limit\" : null , \"location\" : \"\" } "
		   "\t\n",
		   TES_BATCH_AUTO) == 1 &&
		   is_rec(0, 1, "34ABC", 80) && !ys[0].rec.has_limit && !ys[0].rec.has_location,
	   "blanks around tokens; null and \"\" are absent");
	OK(refused("{\"plate\":\"34ABC\",\"speed\":120,\"colour\":\"red\"}\n", TES_BATCH_JSONL,
		   "unknown key") &&
		   refused("{\"Plate\":\"34ABC\",\"speed\":120}\n", TES_BATCH_JSONL, "unknown key") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120,\"speed\":90}\n", TES_BATCH_JSONL, "twice") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120,\"limit\":null,\"limit\":90}\n",
			   TES_BATCH_JSONL, "twice"),
	   "unknown, misspelt and repeated keys refused (MUST-IJ2)");
	OK(refused("{\"plate\":\"34ABC\",\"speed\":{\"v\":120}}\n", TES_BATCH_JSONL, "nested") &&
		   refused("{\"plate\":[\"34ABC\"],\"speed\":120}\n", TES_BATCH_JSONL, "nested") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120,\"limit\":true}\n", TES_BATCH_JSONL,
			   "true and false"),
	   "nesting and booleans refused (MUST-IJ1)");
	OK(refused("{\"plate\":\"34ABC\",\"speed\":120} {}\n", TES_BATCH_JSONL, "text after the object") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120}x\n", TES_BATCH_JSONL,
			   "text after the object") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120,}\n", TES_BATCH_JSONL, "expected a key") &&
		   refused("{\"plate\":\"34ABC\" \"speed\":120}\n", TES_BATCH_JSONL, "expected , or }") &&
		   refused("{\"plate\" \"34ABC\"}\n", TES_BATCH_JSONL, "expected :") &&
		   refused("{\"plate\":}\n", TES_BATCH_JSONL, "expected a value") &&
		   refused("{\"plate\":\n", TES_BATCH_JSONL, "expected a value after") &&
		   refused("{\"plate\":nul}\n", TES_BATCH_JSONL, "expected a value") &&
		   refused("[1]\n", TES_BATCH_JSONL, "expected a JSON object") &&
		   refused("{\"plate\":\"34ABC\n", TES_BATCH_JSONL, "not closed"),
	   "trailing bytes and broken syntax refused (MUST-IJ1)");
	OK(refused("{\"plate\":\"34A\\u0000BC\",\"speed\":120}\n", TES_BATCH_JSONL, "\\u0000") &&
		   refused("{\"plate\":\"34A\\u001bBC\",\"speed\":120}\n", TES_BATCH_JSONL, "control") &&
		   refused("{\"plate\":\"34A\\u009bBC\",\"speed\":120}\n", TES_BATCH_JSONL, "control") &&
		   refused("{\"plate\":\"34A\\nBC\",\"speed\":120}\n", TES_BATCH_JSONL, "control") &&
		   refused("{\"plate\":\"34A\tBC\",\"speed\":120}\n", TES_BATCH_JSONL, "TAB") &&
		   refused("{\"plate\":\"\\ude93\",\"speed\":120}\n", TES_BATCH_JSONL,
			   "lone low surrogate") &&
		   refused("{\"plate\":\"\\ud83d\",\"speed\":120}\n", TES_BATCH_JSONL, "high surrogate") &&
		   refused("{\"plate\":\"\\ud83d\\u0041\",\"speed\":120}\n", TES_BATCH_JSONL,
			   "high surrogate") &&
		   refused("{\"plate\":\"\\u12\",\"speed\":120}\n", TES_BATCH_JSONL, "4 hexadecimal") &&
		   refused("{\"plate\":\"\\x41\",\"speed\":120}\n", TES_BATCH_JSONL, "unknown escape") &&
		   refused("{\"plate\":\"34ABC\\", TES_BATCH_JSONL, "backslash at the end"),
	   "\\u0000, escaped controls, lone surrogates and bad escapes refused (MUST-IJ4)");
	OK(refused("{\"plate\":\"34ABC\",\"speed\":-5}\n", TES_BATCH_JSONL, "negative") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":1.5}\n", TES_BATCH_JSONL, "whole numbers") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":1e2}\n", TES_BATCH_JSONL, "whole numbers") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":0120}\n", TES_BATCH_JSONL,
			   "does not start with 0") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":\"120\"}\n", TES_BATCH_JSONL, "take a number") &&
		   refused("{\"plate\":34,\"speed\":120}\n", TES_BATCH_JSONL, "take a string") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":123456}\n", TES_BATCH_JSONL, "more than 5 digits"),
	   "speed and limit are non-negative JSON integers (MUST-IJ3)");
	OK(run_str("{\"plate\":\"34ABC\",\"speed\":0}\n", TES_BATCH_JSONL) == 1 && is_rec(0, 1, "34ABC", 0),
	   "0 is a JSON integer");
	OK(refused("{\"speed\":120}\n", TES_BATCH_JSONL, "missing plate") &&
		   refused("{\"plate\":\"\",\"speed\":120}\n", TES_BATCH_JSONL, "missing plate") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":null}\n", TES_BATCH_JSONL, "missing speed") &&
		   refused("{}\n", TES_BATCH_JSONL, "missing plate"),
	   "plate and speed are required (MUST-IR1)");
	OK(refused("{\"plate\":"
		   "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
		   "\"speed\":120}\n",
		   TES_BATCH_JSONL, "plate longer than 32") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120,\"id\":"
			   "\"\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7"
			   "\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u0"
			   "0e7\\u00e7"
			   "\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u00e7\\u0"
			   "0e7\\u00e7"
			   "\\u00e7\"}\n",
			   TES_BATCH_JSONL, "id must be 32") &&
		   refused("{\"plate\":\"34ABC\",\"speed\":120,\"time\":\"2026-02-30T10:00:00Z\"}\n",
			   TES_BATCH_JSONL, "February"),
	   "lengths bounded, escapes counted as what they decode to (MUST-IR2, MUST-IR4)");
	OK(run_str("{\"plate\":\"34ABC\",\"speed\":120}\n{\"plate\":\"34ABC\",\"speed\":1.5}\n"
		   "{\"plate\":\"34DEF\",\"speed\":80}",
		   TES_BATCH_AUTO) == 3 &&
		   is_rec(0, 1, "34ABC", 120) && is_err(1, 2, "whole numbers") && is_rec(2, 3, "34DEF", 80),
	   "a refused JSON line leaves the others alone; a last line without its end is read");
}

static void
test_batch_chunks(void)
{
	static const char in[] = "\xef\xbb\xbf# a batch\n"
				 "Plate,Speed,limit,location,time,id\r\n"
				 "34ABC12,120,90,\"Bursa, exit "
				 "3\",2026-11-23T13:15:00+03:00,00112233445566778899aabbccddeeff\n"
				 "\n"
				 "34ABC13,\"1\"\"0\",90\n"
				 "34ABC14,95,,\"open\n"
				 "34ABC15,96,,\xe2\x82\n"
				 "34ABC16,97\r\n"
				 "34ABC17,98,,,2026-02-30T10:00:00Z\n"
				 "34ABC18,99,,\"end";
	static const char js[] =
		"{\"plate\":\"34\\u0041BC\",\"speed\":120}\r\n\n{\"plate\":\"x\",\"speed\":1.5}\n"
		"{\"plate\":\"\\ud83d\\ude93\",\"speed\":1,\"time\":\"2026-11-23T10:15:00Z\"}";
	size_t n, k, chunk;
	int all = 1;
	struct tes_batch_rec rec;
	const char *why;
	size_t used;

	n = run(in, sizeof in - 1, TES_BATCH_AUTO, 0, ys);
	OK(n == 7 && is_rec(0, 3, "34ABC12", 120) && is_err(1, 5, "whole number") &&
		   is_err(2, 6, "line break inside a quoted field") && is_err(3, 7, "cut short") &&
		   is_rec(4, 8, "34ABC16", 97) && is_err(5, 9, "February") &&
		   is_err(6, 10, "not closed at the end of the input"),
	   "a mixed CSV input, at once");
	for (chunk = 1; chunk <= sizeof in; chunk++) {
		if (run(in, sizeof in - 1, TES_BATCH_AUTO, chunk, ys2) != n || !same_yields(n, ys, ys2))
			all = 0;
	}
	OK(all, "the same yields fed 1, 2, .. %zu bytes at a time", sizeof in);
	n = run(js, sizeof js - 1, TES_BATCH_AUTO, 0, ys);
	all = n == 3 && is_rec(0, 1, "34ABC", 120) && is_err(1, 3, "whole numbers") &&
	      is_rec(2, 4, "\xf0\x9f\x9a\x93", 1);
	for (chunk = 1; chunk <= sizeof js; chunk++)
		if (run(js, sizeof js - 1, TES_BATCH_AUTO, chunk, ys2) != n || !same_yields(n, ys, ys2))
			all = 0;
	OK(all, "a JSON Lines input gives the same yields in every chunking");
	/* after tes_batch_end, more input starts a new line */
	tes_batch_init(&dec, TES_BATCH_CSV);
	k = (size_t)tes_batch_feed(&dec, (const uint8_t *)"34ABC,90", 8, &used, &rec, &why);
	OK(k == TES_BATCH_MORE && used == 8 && tes_batch_end(&dec, &rec, &why) == TES_BATCH_RECORD &&
		   rec.line == 1 && tes_batch_end(&dec, &rec, &why) == TES_BATCH_MORE &&
		   tes_batch_feed(&dec, (const uint8_t *)"34DEF,80\n", 9, &used, &rec, &why) ==
			   TES_BATCH_RECORD &&
		   used == 9 && rec.line == 2 && strcmp(rec.plate, "34DEF") == 0,
	   "tes_batch_end yields the last line once; feeding on starts line 2");
	tes_batch_init(&dec, TES_BATCH_CSV);
	OK(tes_batch_feed(&dec, (const uint8_t *)"a,1\nb,2\n", 8, &used, &rec, &why) == TES_BATCH_RECORD &&
		   used == 4 && rec.line == 1 &&
		   tes_batch_feed(&dec, (const uint8_t *)"b,2\n", 4, &used, &rec, &why) == TES_BATCH_RECORD &&
		   used == 4 && rec.line == 2 &&
		   tes_batch_feed(&dec, NULL, 0, &used, &rec, &why) == TES_BATCH_MORE && used == 0,
	   "one yield per call, *used counts through the line end");
}

int
main(void)
{
	test_frame();
	test_report();
	test_handshake_msgs();
	test_session_msgs();
	test_validators();
	test_policy();
	test_pwfile();
	test_rfc3339();
	test_batch_lines();
	test_batch_csv();
	test_batch_jsonl();
	test_batch_chunks();
	return tap_done();
}
