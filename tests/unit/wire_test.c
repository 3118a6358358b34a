/* SPDX-License-Identifier: ISC */
/* Frame header, message codecs, validators and penalty policy. */
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "tap.h"
#include "wire/field.h"
#include "wire/frame.h"
#include "wire/msg.h"
#include "wire/penalty.h"

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
	f[2] = 7;
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
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (tes_penalty_points(v[i].speed) != v[i].points)
			all = 0;
	OK(all, "penalty bands 50-69 -> 10, 70-99 -> 20, >=100 -> 50, else 0");
}

int
main(void)
{
	test_frame();
	test_report();
	test_handshake_msgs();
	test_validators();
	test_policy();
	return tap_done();
}
