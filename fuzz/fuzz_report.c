/* SPDX-License-Identifier: ISC */
/*
 * Target "report": the canonical report decoder and the field validators
 * (src/wire/msg.c, src/wire/field.c, spec/PROTOCOL.md#report-fields),
 * plus every other message codec of msg.c (hellos, key exchange, resumption,
 * alerts, login, heartbeat, session, receipt), all on the same bytes.
 * Properties: whatever decodes re-encodes to exactly
 * the input (one encoding per message), and a decoded report satisfies
 * every validator it claims to have run.
 */
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "wire/field.h"
#include "wire/msg.h"

/* The fixed clock of every fuzz build (fuzz/fuzzmode.h TES_FUZZ_NOW): 2024-01-01. */
#define FUZZ_NOW 1704067200u

static uint8_t again[TES_FRAME_MAX];

static void
same(int r, size_t used, const uint8_t *p, size_t n, const char *what)
{
	fuzz_check(r == 0 && used == n && memcmp(again, p, n) == 0, what);
}

static void
check_report_fields(const struct tes_report *m)
{
	/* spec/PROTOCOL.md MUST-R1: nothing decodes without being validated */
	fuzz_check(tes_field_plate_valid(m->plate, m->plate_len) == 0 && m->plate[m->plate_len] == '\0' &&
			   tes_field_speed_valid(m->speed) == 0 && tes_field_limit_valid(m->limit) == 0 &&
			   tes_field_location_valid(m->loc, m->loc_len) == 0 && m->loc[m->loc_len] == '\0',
		   "decoded report passes its validators");
}

static void
try_report(const uint8_t *p, size_t n)
{
	struct tes_report m;
	uint8_t sig[TES_RSA_LEN];
	size_t used;

	if (tes_msg_report_decode(p, n, &m) == 0) {
		check_report_fields(&m);
		same(tes_msg_report_encode(&m, again, sizeof again, &used), used, p, n, "report re-encodes");
		(void)tes_field_time_valid(m.time, FUZZ_NOW);
	}
	if (tes_msg_report_decode_cur(p, n, &m, &used) == 0) {
		check_report_fields(&m);
		fuzz_check(used <= n, "report prefix length");
	}
	if (tes_msg_report_rec_decode(p, n, &m, sig) == 0) {
		check_report_fields(&m);
		same(tes_msg_report_rec_encode(&m, sig, again, sizeof again, &used), used, p, n,
		     "REPORT re-encodes");
	}
}

static void
try_handshake_msgs(const uint8_t *p, size_t n)
{
	struct tes_client_hello ch;
	struct tes_server_hello sh;
	struct tes_key_exchange kx;
	struct tes_finished fin;
	size_t used;
	uint8_t code;

	if (tes_msg_client_hello_decode(p, n, &ch) == 0)
		same(tes_msg_client_hello_encode(&ch, again, sizeof again, &used), used, p, n,
		     "CLIENT_HELLO re-encodes");
	if (tes_msg_server_hello_decode(p, n, &sh) == 0)
		same(tes_msg_server_hello_encode(&sh, again, sizeof again, &used), used, p, n,
		     "SERVER_HELLO re-encodes");
	if (tes_msg_key_exchange_decode(p, n, &kx) == 0)
		same(tes_msg_key_exchange_encode(&kx, again, sizeof again, &used), used, p, n,
		     "KEY_EXCHANGE re-encodes");
	if (tes_msg_finished_decode(p, n, &fin) == 0)
		fuzz_check(n == TES_FINISHED_LEN, "FINISHED length");
	if (tes_msg_alert_decode(p, n, &code) == 0)
		fuzz_check(code >= 1 && code <= TES_ALERT_MAX, "ALERT code");
}

/* The resumed handshake's frames: RESUME_HELLO begins with a CLIENT_HELLO, UNIT_AUTH is a signature. */
static void
try_resume_msgs(const uint8_t *p, size_t n)
{
	struct tes_resume_hello rh;
	struct tes_client_hello ch;
	struct tes_unit_auth ua;
	size_t used;

	if (tes_msg_resume_hello_decode(p, n, &rh) == 0) {
		/* spec/PROTOCOL.md MUST-RS1: a ticket of 1..256 bytes, nothing after it */
		fuzz_check(rh.ticket_len >= 1 && rh.ticket_len <= TES_TICKET_MAX && n == 99u + rh.ticket_len,
			   "RESUME_HELLO ticket length");
		fuzz_check(tes_msg_client_hello_decode(p, 97, &ch) == 0 &&
				   memcmp(&ch, &rh.ch, sizeof ch) == 0,
			   "RESUME_HELLO starts with its CLIENT_HELLO");
		same(tes_msg_resume_hello_encode(&rh, again, sizeof again, &used), used, p, n,
		     "RESUME_HELLO re-encodes");
	}
	if (tes_msg_unit_auth_decode(p, n, &ua) == 0)
		same(tes_msg_unit_auth_encode(&ua, again, sizeof again, &used), used, p, n,
		     "UNIT_AUTH re-encodes");
}

static void
try_inner(const uint8_t *p, size_t n)
{
	struct tes_login l;
	struct tes_receipt rc;
	struct tes_session_info si;
	size_t used;
	uint8_t ok;

	if (tes_msg_login_decode(p, n, &l) == 0) {
		fuzz_check(tes_field_name_valid(l.user, l.user_len) == 0 &&
				   tes_field_password_valid(l.pw, l.pw_len) == 0,
			   "decoded login passes its validators");
		/* spec/PROTOCOL.md MUST-L5: the features byte, when present, is a known value */
		fuzz_check(l.features <= TES_LOGIN_FEAT_MAX &&
				   n == 3u + l.user_len + l.pw_len + (l.features != 0 ? 1u : 0u),
			   "LOGIN features byte");
		same(tes_msg_login_encode(&l, again, sizeof again, &used), used, p, n, "LOGIN re-encodes");
	}
	if (tes_msg_heartbeat_decode(p, n) == 0)
		fuzz_check(n == 1 && p[0] == TES_INNER_HEARTBEAT, "HEARTBEAT is its type byte alone");
	if (tes_msg_session_decode(p, n, &si) == 0) {
		/* spec/PROTOCOL.md MUST-SE1..SE2 */
		fuzz_check(si.idle_timeout >= 1 && si.rekey_records >= 1 && si.rekey_bytes >= 1 &&
				   si.ticket_lifetime <= TES_TICKET_LIFETIME &&
				   si.ticket_len <= TES_TICKET_MAX &&
				   (si.ticket_len == 0) == (si.ticket_lifetime == 0) &&
				   n == 55u + si.ticket_len,
			   "SESSION fields in range");
		same(tes_msg_session_encode(&si, again, sizeof again, &used), used, p, n,
		     "SESSION re-encodes");
	}
	if (tes_msg_login_result_decode(p, n, &ok) == 0)
		fuzz_check(ok <= TES_LOGIN_RESULT_MAX, "LOGIN_RESULT value");
	if (tes_msg_receipt_decode(p, n, &rc) == 0) {
		/* spec/PROTOCOL.md MUST-R11: only the statuses and reasons the client knows decode */
		fuzz_check(rc.status >= TES_RECEIPT_QUEUED && rc.status <= TES_RECEIPT_MAX &&
				   rc.reason <= TES_REJECT_MAX,
			   "RECEIPT status and reason known");
		same(tes_msg_receipt_encode(&rc, again, sizeof again, &used), used, p, n,
		     "RECEIPT re-encodes");
	}
}

/*
 * The new encoders on fuzzer-built structs and any room (the input's first two bytes): they refuse
 * what would read past an array or what their decoder refuses, and what they write decodes back.
 */
static void
try_encoders(const uint8_t *p, size_t n)
{
	static struct tes_session_info si, si2;
	static struct tes_resume_hello rh, rh2;
	static struct tes_login l, l2;
	size_t cap, used;

	if (n < 2)
		return;
	cap = (size_t)p[0] * 2 + p[1] % 2;
	p += 2;
	n -= 2;
	memset(&si, 0, sizeof si);
	memcpy(&si, p, n < sizeof si ? n : sizeof si);
	if (tes_msg_session_encode(&si, again, cap, &used) == 0)
		fuzz_check(used <= cap && tes_msg_session_decode(again, used, &si2) == 0 &&
				   si2.ticket_len == si.ticket_len && si2.idle_timeout == si.idle_timeout,
			   "SESSION encoder output decodes");
	memset(&rh, 0, sizeof rh);
	memcpy(&rh, p, n < sizeof rh ? n : sizeof rh);
	if (tes_msg_resume_hello_encode(&rh, again, cap, &used) == 0) {
		fuzz_check(used <= cap && used == 99u + rh.ticket_len, "RESUME_HELLO encoder length");
		if (rh.ch.suite == TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 ||
		    rh.ch.suite == TES_SUITE_DES_CBC_HMAC_SHA256)
			fuzz_check(tes_msg_resume_hello_decode(again, used, &rh2) == 0 &&
					   rh2.ticket_len == rh.ticket_len,
				   "RESUME_HELLO encoder output decodes");
	}
	memset(&l, 0, sizeof l);
	memcpy(&l, p, n < sizeof l ? n : sizeof l);
	if (tes_msg_login_encode(&l, again, cap, &used) == 0) {
		fuzz_check(used <= cap && l.features <= TES_LOGIN_FEAT_MAX,
			   "LOGIN encoder refuses unknown features");
		if (tes_msg_login_decode(again, used, &l2) == 0)
			fuzz_check(l2.features == l.features, "LOGIN features round trip");
	}
}

/* Validators on raw bytes, and normalisation, which must only produce valid plates. */
static void
try_validators(const uint8_t *p, size_t n)
{
	char plate[TES_PLATE_MAX + 1];
	uint8_t plen = 0;
	uint64_t t = 0;
	size_t i;

	(void)tes_field_plate_valid((const char *)p, n);
	(void)tes_field_location_valid((const char *)p, n);
	(void)tes_field_name_valid((const char *)p, n);
	(void)tes_field_password_valid((const char *)p, n);
	if (tes_field_plate_normalize((const char *)p, n, plate, &plen) == 0)
		fuzz_check(tes_field_plate_valid(plate, plen) == 0 && plate[plen] == '\0',
			   "normalised plate is valid");
	for (i = 0; i < 8 && i < n; i++)
		t = t << 8 | p[i];
	(void)tes_field_time_valid(t, FUZZ_NOW);
	(void)tes_field_speed_valid((uint32_t)t);
	(void)tes_field_limit_valid((uint32_t)t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > TES_FRAME_MAX)
		return 0;
	try_report(data, size);
	try_inner(data, size);
	try_handshake_msgs(data, size);
	try_resume_msgs(data, size);
	try_encoders(data, size);
	try_validators(data, size);
	return 0;
}
