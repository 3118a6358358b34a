/* SPDX-License-Identifier: ISC */
/*
 * Storage tests: the in-memory indexes (SipHash known answers, tables,
 * the plate map), journal and drivers.enc codecs (positive and negative),
 * then the database over real files in a temporary directory: persistence,
 * idempotent reports, penalty bands, decisions, locking, compaction, crash
 * recovery of a torn tail, and tamper detection.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "../util.h"
#include "common/cur.h"
#include "common/err.h"
#include "crypto/hmac.h"
#include "store/db.h"
#include "store/drivers.h"
#include "store/index.h"
#include "store/journal.h"
#include "store/seal.h"

static struct tes_rsa_pub unit_pub; /* a valid RSA-2048 public key (the first store's server key) */
static const char fake_hash[] =
	"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
static const char fake_hash2[] =
	"$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0c2FsdHNhbA$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaA";

/* Helpers */

static void
copy_store(const char *src, const char *dst)
{
	mkdir(dst, 0700);
	util_file_copy(src, dst, "storage.key");
	util_file_copy(src, dst, "server.key");
	util_file_copy(src, dst, "journal");
	util_file_copy(src, dst, "drivers.enc");
}

static long
ino_of(const char *dir, const char *name)
{
	struct stat st = util_stat(dir, name);

	return st.st_mode != 0 ? (long)st.st_ino : -1;
}

/* Offsets of the journal records (up to max), from their length fields. */
static size_t
record_offsets(const char *dir, size_t *off, size_t max)
{
	unsigned char *b;
	char p[512];
	size_t len = 0, o = TES_JOURNAL_FILE_HDR_LEN, n = 0;

	util_path(p, dir, "journal");
	if ((b = util_file_read(p, &len)) == NULL)
		return 0;
	while (o + 4 <= len && n < max) {
		off[n++] = o;
		o += tes_cur_dec32be(b + o);
	}
	off[n] = len;
	free(b);
	return n;
}

static void
flip(const char *dir, const char *name, size_t at, int bit)
{
	unsigned char *b;
	char p[512];
	size_t len = 0;

	util_path(p, dir, name);
	if ((b = util_file_read(p, &len)) == NULL || at >= len) {
		free(b);
		return;
	}
	b[at] ^= (unsigned char)(1u << bit);
	util_file_write(p, b, len, 0600);
	free(b);
}

static void
truncate_to(const char *dir, const char *name, size_t len)
{
	char p[512];

	util_path(p, dir, name);
	if (truncate(p, (off_t)len) != 0)
		perror("truncate");
}

static void
mkreport(struct tes_report *r, unsigned i, const char *plate, uint16_t speed)
{
	memset(r, 0, sizeof(*r));
	memset(r->id, 0x5a, sizeof(r->id));
	tes_cur_enc32be(r->id, i);
	memset(r->unit_key, 0xab, sizeof(r->unit_key));
	r->plate_len = (uint8_t)strlen(plate);
	memcpy(r->plate, plate, r->plate_len);
	r->speed = speed;
	r->limit = 50;
	r->time = 1700000000;
	r->loc_len = 9;
	memcpy(r->loc, "Main St 1", 9);
}

static int
add_report(struct tes_db *db, unsigned i, const char *plate, uint16_t speed, uint64_t *num)
{
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];

	mkreport(&r, i, plate, speed);
	memset(sig, (int)(i & 0xff), sizeof(sig));
	return tes_db_report_add(db, &r, sig, 1700000100 + i, num);
}

static int
open_rc(const char *dir)
{
	struct tes_db *db = NULL;
	int r = tes_db_open(dir, &db);

	tes_db_close(db);
	return r;
}

/* The original system's bands, written out as the oracle of the built-in policy. */
static uint16_t
original_bands(uint32_t speed)
{
	return speed >= 100 ? 50 : speed >= 70 ? 20 : speed >= 50 ? 10 : 0;
}

/* Journal codec */

static void
test_keys(struct tes_seal_keys *jk, struct tes_seal_keys *dk)
{
	uint8_t sk[TES_STORE_KEY_LEN];

	memset(sk, 7, sizeof(sk));
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, jk);
	tes_seal_keys_derive(sk, TES_SEAL_DRIVERS, dk);
	OK(memcmp(jk->enc, dk->enc, sizeof(jk->enc)) != 0 && memcmp(jk->mac, dk->mac, sizeof(jk->mac)) != 0,
	   "journal and drivers keys differ");
}

static void
test_file_hdr(void)
{
	uint8_t h[TES_JOURNAL_FILE_HDR_LEN], b[TES_JOURNAL_FILE_HDR_LEN];
	uint64_t created = 0;

	tes_journal_file_hdr_encode(h, 1700000000);
	EQ_INT(tes_journal_file_hdr_decode(h, sizeof(h), &created), 0, "file header round trip");
	EQ_INT(created, 1700000000, "file header created");
	EQ_INT(tes_journal_file_hdr_decode(h, 15, &created), TES_ERR_TRUNCATED, "file header truncated");
	memcpy(b, h, sizeof(b));
	b[0] = 'X';
	EQ_INT(tes_journal_file_hdr_decode(b, sizeof(b), &created), TES_ERR_FORMAT,
	       "file header bad magic (MUST-J1)");
	memcpy(b, h, sizeof(b));
	b[5] = 2;
	EQ_INT(tes_journal_file_hdr_decode(b, sizeof(b), &created), TES_ERR_VERSION,
	       "file header version 2 (MUST-J1)");
	memcpy(b, h, sizeof(b));
	b[7] = 1;
	EQ_INT(tes_journal_file_hdr_decode(b, sizeof(b), &created), TES_ERR_FORMAT,
	       "file header reserved (MUST-J1)");
}

static size_t
seal_one(const struct tes_seal_keys *k, const uint8_t prev[32], uint8_t type, uint64_t seq,
	 const uint8_t *plain, size_t n, uint8_t *out)
{
	struct tes_journal_hdr h;
	uint8_t iv[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t used = 0;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.seq = seq;
	if (tes_journal_seal(k, prev, &h, iv, plain, n, out, TES_JOURNAL_REC_MAX, &used) != 0)
		return 0;
	return used;
}

static void
test_records(const struct tes_seal_keys *k)
{
	uint8_t prev[32], rec[TES_JOURNAL_REC_MAX], bad[TES_JOURNAL_REC_MAX], plain[TES_JOURNAL_CT_MAX];
	uint8_t msg[21] = "twenty-one bytes long";
	struct tes_journal_hdr h;
	size_t n, len = 0;
	int i, ok = 1;

	memset(prev, 9, sizeof(prev));
	n = seal_one(k, prev, TES_JREC_AUDIT, 1, msg, sizeof(msg), rec);
	EQ_INT(n, 32 + 8 + 24 + 32, "sealed record size (21 bytes -> 24 of ciphertext)");
	EQ_INT(tes_journal_open_rec(k, prev, rec, n, &h, plain, sizeof(plain), &len), 0, "record opens");
	OK(len == sizeof(msg) && memcmp(plain, msg, len) == 0 && h.seq == 1 && h.type == TES_JREC_AUDIT,
	   "record round trip");
	EQ_INT(tes_journal_check(k, prev, rec, n + 100, &h), 0, "check with bytes after the record");
	for (i = 0; i <= 16 && ok; i++)
		ok = seal_one(k, prev, TES_JREC_AUDIT, 2, msg, (size_t)i, rec) ==
		     72 + (size_t)(i / 8 + 1) * 8;
	OK(ok, "padding adds 1..8 bytes");
	n = seal_one(k, prev, TES_JREC_AUDIT, 1, msg, sizeof(msg), rec);
	EQ_INT(tes_journal_hdr_decode(rec, 31, &h), TES_ERR_TRUNCATED, "header truncated");
	EQ_INT(tes_journal_check(k, prev, rec, n - 1, &h), TES_ERR_TRUNCATED, "total_len beyond buffer");
	memcpy(bad, rec, n);
	tes_cur_enc32be(bad, 4104);
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_TOOLONG, "total_len > 4096 (MUST-J2)");
	tes_cur_enc32be(bad, (uint32_t)n + 1);
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_FORMAT,
	       "ciphertext not a multiple of 8 (MUST-J2)");
	tes_cur_enc32be(bad, 72);
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_FORMAT, "empty ciphertext");
	memcpy(bad, rec, n);
	bad[4] = TES_JREC_MAX + 1;
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_TYPE, "unknown type TES_JREC_MAX + 1 (MUST-J3)");
	bad[4] = 0;
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_TYPE, "type 0");
	memcpy(bad, rec, n);
	bad[5] = 1;
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_FORMAT, "reserved byte (MUST-J3)");
	memcpy(bad, rec, n);
	bad[20] = 1;
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_FORMAT, "key on an AUDIT record (MUST-J5)");
	memcpy(bad, rec, n);
	tes_cur_enc64be(bad + 8, 0);
	EQ_INT(tes_journal_hdr_decode(bad, n, &h), TES_ERR_FORMAT, "seq 0 (MUST-J4)");
	prev[0] ^= 1;
	EQ_INT(tes_journal_check(k, prev, rec, n, &h), TES_ERR_MAC, "wrong previous mac");
	prev[0] ^= 1;
	for (i = 0; i < (int)n; i += 13) {
		memcpy(bad, rec, n);
		bad[i] ^= 0x10;
		if (tes_journal_check(k, prev, bad, n, &h) == 0)
			ok = 0;
	}
	OK(ok, "every tampered byte fails the check");
	EQ_INT(tes_journal_seal(k, prev, &h, prev, msg, TES_JOURNAL_PLAIN_MAX + 1, rec, sizeof(rec), &len),
	       TES_ERR_TOOLONG, "seal refuses an oversize body");
	EQ_INT(tes_journal_open_rec(k, prev, rec, n, &h, plain, 8, &len), TES_ERR_SPACE,
	       "open with a short buffer");
}

/* A record whose MAC is right but whose padding is not. */
static void
test_bad_padding(const struct tes_seal_keys *k)
{
	uint8_t prev[32], rec[80], plain[TES_JOURNAL_CT_MAX];
	struct tes_journal_hdr h;
	struct tes_hmac hm;
	size_t len;

	memset(prev, 3, sizeof(prev));
	memset(&h, 0, sizeof(h));
	h.total_len = 80, h.type = TES_JREC_AUDIT, h.seq = 1;
	tes_journal_hdr_encode(&h, rec);
	memset(rec + 32, 0x11, 8);
	memset(rec + 40, 0, 8); /* last byte 0: invalid padding */
	tes_seal_encrypt(k, rec + 32, rec + 40, 8);
	tes_hmac_init(&hm, k->mac, sizeof(k->mac));
	tes_hmac_update(&hm, prev, 32);
	tes_hmac_update(&hm, rec, 48);
	tes_hmac_out(&hm, rec + 48);
	EQ_INT(tes_journal_check(k, prev, rec, 80, &h), 0, "crafted record authenticates");
	EQ_INT(tes_journal_open_rec(k, prev, rec, 80, &h, plain, sizeof(plain), &len), TES_ERR_DECRYPT,
	       "bad padding refused");
}

static void
test_unit_user_bodies(void)
{
	struct tes_journal_unit u, u2;
	struct tes_journal_user s, s2;
	uint8_t b[TES_JOURNAL_BODY_MAX];
	size_t n = 0;

	memset(&u, 0, sizeof(u));
	u.name_len = 6;
	memcpy(u.name, "unit-1", 6);
	u.pub = unit_pub;
	EQ_INT(tes_journal_unit_encode(&u, b, sizeof(b), &n), 0, "UNIT encodes");
	OK(tes_journal_unit_decode(b, n, &u2) == 0 && memcmp(&u2.pub, &u.pub, sizeof(u.pub)) == 0 &&
		   strcmp(u2.name, "unit-1") == 0,
	   "UNIT round trip");
	EQ_INT(tes_journal_unit_decode(b, n - 1, &u2), TES_ERR_TRUNCATED, "UNIT truncated");
	b[n] = 0;
	EQ_INT(tes_journal_unit_decode(b, n + 1, &u2), TES_ERR_FORMAT, "UNIT trailing byte");
	b[1 + 6 + 256] = 5;
	EQ_INT(tes_journal_unit_decode(b, n, &u2), TES_ERR_KEY, "UNIT e_len 5");
	u.name[4] = '/';
	EQ_INT(tes_journal_unit_encode(&u, b, sizeof(b), &n), TES_ERR_NAME, "UNIT bad name char");
	u.name_len = 0;
	EQ_INT(tes_journal_unit_encode(&u, b, sizeof(b), &n), TES_ERR_NAME, "UNIT empty name");
	u.name_len = 6, u.name[4] = '-';
	u.pub.n[255] &= 0xfe;
	EQ_INT(tes_journal_unit_encode(&u, b, sizeof(b), &n), TES_ERR_KEY, "UNIT even modulus");

	memset(&s, 0, sizeof(s));
	s.name_len = 5;
	memcpy(s.name, "alice", 5);
	s.role = TES_ROLE_OFFICER;
	s.hash_len = (uint8_t)strlen(fake_hash);
	memcpy(s.hash, fake_hash, s.hash_len);
	EQ_INT(tes_journal_user_encode(&s, b, sizeof(b), &n), 0, "USER encodes");
	OK(tes_journal_user_decode(b, n, &s2) == 0 && strcmp(s2.hash, fake_hash) == 0 && s2.role == 2,
	   "USER round trip");
	b[n] = 'x';
	EQ_INT(tes_journal_user_decode(b, n + 1, &s2), TES_ERR_FORMAT, "USER trailing byte");
	b[0] = 33;
	EQ_INT(tes_journal_user_decode(b, n, &s2), TES_ERR_TOOLONG, "USER name length 33");
	s.role = 3;
	EQ_INT(tes_journal_user_encode(&s, b, sizeof(b), &n), TES_ERR_FORMAT, "USER role 3 (MUST-B2)");
	s.role = 1;
	s.hash[1] = 'b';
	EQ_INT(tes_journal_user_encode(&s, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "USER hash not argon2id (MUST-B2)");
	s.hash[1] = 'a', s.hash[12] = ' ';
	EQ_INT(tes_journal_user_encode(&s, b, sizeof(b), &n), TES_ERR_FORMAT, "USER hash with a space");
}

static void
test_report_bodies(void)
{
	struct tes_journal_report m, m2;
	uint8_t b[TES_JOURNAL_BODY_MAX];
	size_t n = 0;

	memset(&m, 0, sizeof(m));
	m.number = 7;
	m.received = 1700000001;
	mkreport(&m.r, 7, "AB123", 88);
	memset(m.sig, 0xcd, sizeof(m.sig));
	EQ_INT(tes_journal_report_encode(&m, b, sizeof(b), &n), 0, "REPORT encodes");
	OK(tes_journal_report_decode(b, n, &m2) == 0 && m2.number == 7 && m2.received == 1700000001 &&
		   m2.r.speed == 88 && strcmp(m2.r.plate, "AB123") == 0 && memcmp(m2.sig, m.sig, 256) == 0,
	   "REPORT round trip");
	b[n] = 0;
	OK(tes_journal_report_decode(b, n + 1, &m2) != 0, "REPORT trailing byte");
	OK(tes_journal_report_decode(b, n - 1, &m2) != 0, "REPORT truncated");
	EQ_INT(tes_journal_report_decode(b, 16 + 100, &m2), TES_ERR_TRUNCATED,
	       "REPORT shorter than a signature");
	m.number = 0;
	EQ_INT(tes_journal_report_encode(&m, b, sizeof(b), &n), TES_ERR_FORMAT, "REPORT number 0 (MUST-B3)");
	m.number = 1;
	m.r.plate[0] = 'a';
	OK(tes_journal_report_encode(&m, b, sizeof(b), &n) != 0, "REPORT bad plate");
}

static void
test_decision_audit_bodies(void)
{
	struct tes_journal_decision d, d2;
	struct tes_journal_audit a, a2;
	uint8_t b[TES_JOURNAL_BODY_MAX];
	size_t n = 0;

	memset(&d, 0, sizeof(d));
	memset(d.id, 1, sizeof(d.id));
	d.verdict = TES_VERDICT_APPROVE, d.points = 20, d.time = 1700000500;
	d.reason_len = 4, memcpy(d.reason, "fine", 4);
	d.officer_len = 5, memcpy(d.officer, "alice", 5);
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), 0, "DECISION encodes");
	OK(tes_journal_decision_decode(b, n, &d2) == 0 && d2.points == 20 && strcmp(d2.reason, "fine") == 0 &&
		   d2.time == 1700000500,
	   "DECISION round trip");
	b[n] = 0;
	EQ_INT(tes_journal_decision_decode(b, n + 1, &d2), TES_ERR_FORMAT, "DECISION trailing byte");
	d.points = TES_JOURNAL_POINTS_MAX + 1;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "DECISION points past the maximum (MUST-B4)");
	d.points = 15;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), 0, "DECISION points of any band (MUST-B4)");
	d.verdict = TES_VERDICT_REJECT, d.points = 10;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), TES_ERR_FORMAT, "reject with points");
	d.points = 0, d.verdict = 3;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), TES_ERR_FORMAT, "verdict 3");
	d.verdict = TES_VERDICT_REJECT, d.reason[1] = '\n';
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), TES_ERR_FORMAT, "reason with a newline");
	d.reason[1] = 'i', d.officer_len = 0;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n), TES_ERR_NAME, "DECISION without officer");

	memset(&a, 0, sizeof(a));
	a.kind = TES_AUDIT_LOGIN_FAILED, a.time = 1700000600;
	a.who_len = 3, memcpy(a.who, "bob", 3);
	a.text_len = 14, memcpy(a.text, "wrong password", 14);
	EQ_INT(tes_journal_audit_encode(&a, b, sizeof(b), &n), 0, "AUDIT encodes");
	OK(tes_journal_audit_decode(b, n, &a2) == 0 && a2.kind == 2 && strcmp(a2.text, "wrong password") == 0,
	   "AUDIT round trip");
	b[n] = 0;
	EQ_INT(tes_journal_audit_decode(b, n + 1, &a2), TES_ERR_FORMAT, "AUDIT trailing byte");
	a.kind = 0;
	EQ_INT(tes_journal_audit_encode(&a, b, sizeof(b), &n), TES_ERR_FORMAT, "AUDIT kind 0 (MUST-B5)");
	a.kind = TES_AUDIT_MAX + 1;
	EQ_INT(tes_journal_audit_encode(&a, b, sizeof(b), &n), TES_ERR_FORMAT, "AUDIT kind past the end");
	a.kind = 1, a.who_len = 0, a.text[0] = 0x7f;
	EQ_INT(tes_journal_audit_encode(&a, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "AUDIT text with DEL (MUST-B5)");
}

/* DECISION bodies with and without the policy tail (storage version 2). */
static void
test_decision_tail(void)
{
	struct tes_journal_decision d, d2;
	uint8_t b[TES_JOURNAL_BODY_MAX + 1], zero[TES_JOURNAL_POLICY_HASH_LEN] = { 0 };
	size_t n1 = 0, n2 = 0;
	int ok;

	memset(&d, 0, sizeof(d));
	memset(d.id, 3, sizeof(d.id));
	d.verdict = TES_VERDICT_APPROVE, d.points = 1000, d.time = 1700000500;
	d.officer_len = 5, memcpy(d.officer, "alice", 5);
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n1), 0, "DECISION without tail encodes");
	EQ_INT(n1, 16 + 1 + 2 + 1 + 0 + 1 + 5 + 8, "DECISION without tail: the version 1 length");
	memset(&d2, 0xa5, sizeof(d2));
	OK(tes_journal_decision_decode(b, n1, &d2) == 0 && d2.has_policy == 0 && d2.policy_version == 0 &&
		   memcmp(d2.policy_hash, zero, sizeof(zero)) == 0 && d2.points == 1000,
	   "DECISION version 1 body decodes without a policy (MUST-B4)");
	d.has_policy = 1, d.policy_version = 7;
	memset(d.policy_hash, 0x5a, sizeof(d.policy_hash));
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n2), 0, "DECISION with tail encodes");
	EQ_INT(n2, n1 + TES_JOURNAL_DECISION_TAIL, "DECISION tail is 36 bytes");
	OK(b[n1] == 0 && b[n1 + 3] == 7 && b[n1 + 4] == 0x5a && b[n2 - 1] == 0x5a, "DECISION tail layout");
	OK(tes_journal_decision_decode(b, n2, &d2) == 0 && d2.has_policy == 1 && d2.policy_version == 7 &&
		   memcmp(d2.policy_hash, d.policy_hash, sizeof(d.policy_hash)) == 0,
	   "DECISION with tail round trip (MUST-B4)");
	b[n2] = 0;
	EQ_INT(tes_journal_decision_decode(b, n2 + 1, &d2), TES_ERR_FORMAT,
	       "DECISION tail and one byte more");
	ok = 1;
	for (size_t k = 1; k < TES_JOURNAL_DECISION_TAIL; k++)
		ok &= tes_journal_decision_decode(b, n1 + k, &d2) != 0;
	OK(ok, "DECISION with part of a tail refused (one byte less, and every other cut)");
	d.has_policy = 2;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n2), TES_ERR_FORMAT, "DECISION has_policy 2");
	d.has_policy = 1;
	EQ_INT(tes_journal_decision_encode(&d, b, n1 + TES_JOURNAL_DECISION_TAIL - 1, &n2), TES_ERR_SPACE,
	       "DECISION tail without room");
	d.verdict = TES_VERDICT_REJECT;
	EQ_INT(tes_journal_decision_encode(&d, b, sizeof(b), &n2), TES_ERR_FORMAT,
	       "DECISION reject with points");
}

/* POLICY, DISABLE and IMPORT bodies (storage version 2). */
static void
test_v2_bodies(void)
{
	static const char text[] = "tes-policy 1\r\nbasis excess\n\tband 1 10\n";
	static struct tes_journal_policy p, p2;
	struct tes_journal_disable d, d2;
	struct tes_journal_import im, im2;
	static uint8_t b[TES_JOURNAL_BODY_MAX + 8];
	size_t n = 0, tl = sizeof(text) - 1;

	memset(&p, 0, sizeof(p));
	p.version = 3, p.text_len = (uint16_t)tl, memcpy(p.text, text, tl);
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), 0, "POLICY encodes");
	EQ_INT(n, 4 + 2 + tl, "POLICY length");
	OK(tes_journal_policy_decode(b, n, &p2) == 0 && p2.version == 3 && p2.text_len == tl &&
		   memcmp(p2.text, text, tl) == 0,
	   "POLICY round trip (MUST-B8)");
	b[n] = 'x';
	EQ_INT(tes_journal_policy_decode(b, n + 1, &p2), TES_ERR_FORMAT, "POLICY trailing byte");
	EQ_INT(tes_journal_policy_decode(b, n - 1, &p2), TES_ERR_TRUNCATED, "POLICY cut");
	b[3] = 0;
	EQ_INT(tes_journal_policy_decode(b, n, &p2), TES_ERR_FORMAT, "POLICY version 0 refused (MUST-B8)");
	p.version = 0;
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "POLICY version 0 not written");
	p.version = 1, p.text[5] = 0x01;
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "POLICY text with a control byte (MUST-B8)");
	p.text[5] = 0x7f;
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), TES_ERR_FORMAT, "POLICY text with DEL");
	p.text[5] = 'o', p.text_len = 0;
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), TES_ERR_FORMAT, "POLICY empty text");
	memset(p.text, '#', sizeof(p.text));
	p.text_len = TES_JOURNAL_POLICY_TEXT_MAX;
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), 0, "POLICY of the longest text");
	EQ_INT(n, TES_JOURNAL_BODY_MAX, "the longest POLICY body is TES_JOURNAL_BODY_MAX");
	OK(tes_journal_policy_decode(b, n, &p2) == 0 && p2.text_len == TES_JOURNAL_POLICY_TEXT_MAX,
	   "POLICY of the longest text decodes");
	p.text_len = TES_JOURNAL_POLICY_TEXT_MAX + 1;
	EQ_INT(tes_journal_policy_encode(&p, b, sizeof(b), &n), TES_ERR_TOOLONG, "POLICY text too long");
	b[4] = (TES_JOURNAL_POLICY_TEXT_MAX + 1) >> 8, b[5] = (TES_JOURNAL_POLICY_TEXT_MAX + 1) & 0xff;
	b[n] = '#';
	EQ_INT(tes_journal_policy_decode(b, n + 1, &p2), TES_ERR_TOOLONG,
	       "POLICY text too long refused (MUST-B8)");

	memset(&d, 0, sizeof(d));
	d.name_len = 5, memcpy(d.name, "carol", 5);
	EQ_INT(tes_journal_disable_encode(&d, b, sizeof(b), &n), 0, "DISABLE encodes");
	OK(n == 6 && tes_journal_disable_decode(b, n, &d2) == 0 && strcmp(d2.name, "carol") == 0,
	   "DISABLE round trip (MUST-B9)");
	EQ_INT(tes_journal_disable_decode(b, n + 1, &d2), TES_ERR_FORMAT, "DISABLE trailing byte");
	b[2] = ' ';
	EQ_INT(tes_journal_disable_decode(b, n, &d2), TES_ERR_NAME, "DISABLE with a bad name (MUST-B9)");
	d.name[0] = '/';
	EQ_INT(tes_journal_disable_encode(&d, b, sizeof(b), &n), TES_ERR_NAME,
	       "DISABLE bad name not written");
	d.name_len = 0;
	EQ_INT(tes_journal_disable_encode(&d, b, sizeof(b), &n), TES_ERR_NAME, "DISABLE empty name");
	d.name_len = TES_NAME_MAX + 1;
	EQ_INT(tes_journal_disable_encode(&d, b, sizeof(b), &n), TES_ERR_NAME, "DISABLE name too long");

	memset(&im, 0, sizeof(im));
	im.plate_len = 6, memcpy(im.plate, "AB123C", 6);
	im.points = 120, im.time = 1700000900, im.index = 4, im.count = 5;
	memset(im.batch, 0xbb, sizeof(im.batch));
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), 0, "IMPORT encodes");
	EQ_INT(n, 1 + 6 + 4 + 8 + 32 + 4 + 4, "IMPORT length");
	OK(tes_journal_import_decode(b, n, &im2) == 0 && strcmp(im2.plate, "AB123C") == 0 &&
		   im2.points == 120 && im2.time == 1700000900 && im2.index == 4 && im2.count == 5 &&
		   memcmp(im2.batch, im.batch, sizeof(im.batch)) == 0,
	   "IMPORT round trip (MUST-B10)");
	EQ_INT(tes_journal_import_decode(b, n + 1, &im2), TES_ERR_FORMAT, "IMPORT trailing byte");
	EQ_INT(tes_journal_import_decode(b, n - 1, &im2), TES_ERR_TRUNCATED, "IMPORT cut");
	b[n - 1] = 4; /* count 4, index 4 */
	EQ_INT(tes_journal_import_decode(b, n, &im2), TES_ERR_FORMAT,
	       "IMPORT index >= count refused (MUST-B10)");
	im.points = 0;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "IMPORT points 0 (MUST-B10)");
	im.points = TES_JOURNAL_IMPORT_POINTS_MAX;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), 0, "IMPORT points at the maximum");
	b[7] = 0, b[8] = 0, b[9] = 0, b[10] = 0;
	EQ_INT(tes_journal_import_decode(b, n, &im2), TES_ERR_FORMAT, "IMPORT points 0 refused");
	im.points = TES_JOURNAL_IMPORT_POINTS_MAX + 1;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), TES_ERR_FORMAT,
	       "IMPORT points past the maximum");
	im.points = 1, im.index = 5;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), TES_ERR_FORMAT, "IMPORT index == count");
	im.index = 0, im.count = 0;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), TES_ERR_FORMAT, "IMPORT count 0");
	im.count = 1, im.plate[0] = 'a';
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), TES_ERR_PLATE, "IMPORT plate in lower case");
	im.plate[0] = 'A', im.plate_len = TES_PLATE_MAX + 1;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), TES_ERR_PLATE, "IMPORT plate too long");
	im.plate_len = 6;
	EQ_INT(tes_journal_import_encode(&im, b, sizeof(b), &n), 0, "IMPORT index 0 of 1");
	b[1] = '-';
	EQ_INT(tes_journal_import_decode(b, n, &im2), TES_ERR_PLATE, "IMPORT bad plate refused (MUST-B10)");
}

/* drivers.enc codec */

static void
mkdriver(struct tes_driver *d, const char *plate, uint32_t points)
{
	memset(d, 0, sizeof(*d));
	d->plate_len = (uint8_t)strlen(plate);
	memcpy(d->plate, plate, d->plate_len);
	d->points = points;
}

/*
 * A version 1 drivers.enc, as the store wrote it before version 2: entries
 * without time, under the fixed keys and IV.
 */
static size_t
drivers_v1(const struct tes_seal_keys *k, const struct tes_driver *v, size_t count, uint8_t *out, size_t cap)
{
	static const uint8_t iv[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
	struct tes_cur c;
	size_t i, pt;

	tes_cur_init_wr(&c, out, cap);
	if (tes_cur_put_u32be(&c, TES_DRIVERS_MAGIC) != 0 || tes_cur_put_u16be(&c, 1) != 0 ||
	    tes_cur_put_u16be(&c, 0) != 0 || tes_cur_put_u64be(&c, 5) != 0)
		return 0;
	memset(out + c.off, 0x44, 32);
	c.off += 32;
	if (tes_cur_put_u32be(&c, (uint32_t)count) != 0 || tes_cur_put_bytes(&c, iv, 8) != 0)
		return 0;
	for (i = 0; i < count; i++)
		if (tes_cur_put_str8(&c, v[i].plate, v[i].plate_len) != 0 ||
		    tes_cur_put_u32be(&c, v[i].points) != 0)
			return 0;
	pt = c.off - TES_DRIVERS_HDR_LEN;
	if (tes_seal_put_pad(&c, pt) != 0 || c.off + 32 > cap)
		return 0;
	tes_seal_encrypt(k, iv, out + TES_DRIVERS_HDR_LEN, c.off - TES_DRIVERS_HDR_LEN);
	tes_hmac_sha256(k->mac, sizeof(k->mac), out, c.off, out + c.off);
	return c.off + 32;
}

/* drivers.enc versions: 1 still read, 2 written, and their orders (MUST-SN1, MUST-SN2). */
static void
test_drivers_versions(const struct tes_seal_keys *k)
{
	struct tes_driver v[3], w[3];
	struct tes_drivers_hdr h, h2;
	uint8_t iv[8] = { 1 }, buf[256], cp[256];
	size_t n = 0;

	mkdriver(&v[0], "AB1", 10), mkdriver(&v[1], "AB12", 70), mkdriver(&v[2], "ZZ9", 50);
	w[0].time = w[1].time = w[2].time = 99;
	n = drivers_v1(k, v, 3, buf, sizeof(buf));
	OK(n == 60 + 32 + 32 && tes_drivers_decode(k, buf, n, &h2, w, 3) == 0 && h2.version == 1 &&
		   h2.count == 3 && h2.journal_seq == 5 && strcmp(w[1].plate, "AB12") == 0 &&
		   w[1].points == 70 && w[0].time == 0 && w[1].time == 0 && w[2].time == 0,
	   "a version 1 drivers.enc still decodes, time 0 (MUST-SN1)");
	mkdriver(&v[2], "AB12", 50);
	n = drivers_v1(k, v, 3, buf, sizeof(buf));
	EQ_INT(tes_drivers_decode(k, buf, n, &h2, w, 3), TES_ERR_FORMAT,
	       "version 1: a plate twice is refused (MUST-SN2)");

	memset(&h, 0, sizeof(h));
	h.count = 3, h.version = 1; /* not read: the encoder writes version 2 */
	mkdriver(&v[0], "AB1", 10), mkdriver(&v[1], "AB1", 20), mkdriver(&v[2], "AB1", 30);
	v[0].time = 100, v[1].time = 100, v[2].time = 1ull << 40;
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), 0,
	       "version 2: one plate, equal and ascending times");
	OK(buf[4] == 0 && buf[5] == 2, "the encoder writes version 2");
	EQ_INT(n, 60 + 56 + 32, "version 2 entries carry a u64 time");
	memcpy(cp, buf, n);
	OK(tes_drivers_decode(k, cp, n, &h2, w, 3) == 0 && h2.version == 2 && w[0].time == 100 &&
		   w[1].time == 100 && w[2].time == 1ull << 40 && w[2].points == 30,
	   "version 2 round trip with times (MUST-SN2)");
	v[2].time = 99;
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), TES_ERR_FORMAT,
	       "version 2: equal plate with decreasing time refused (MUST-SN2)");
	/* the same refusal by the decoder: a file whose entries are out of order */
	v[2].time = 200;
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), 0, "version 2 re-encoded");
	tes_seal_decrypt(k, iv, buf + TES_DRIVERS_HDR_LEN, n - TES_DRIVERS_HDR_LEN - 32);
	buf[TES_DRIVERS_HDR_LEN + 2 * 16 + 15] = 50; /* third entry's time: 200 -> 50 */
	tes_seal_encrypt(k, iv, buf + TES_DRIVERS_HDR_LEN, n - TES_DRIVERS_HDR_LEN - 32);
	tes_hmac_sha256(k->mac, sizeof(k->mac), buf, n - 32, buf + n - 32);
	EQ_INT(tes_drivers_decode(k, buf, n, &h2, w, 3), TES_ERR_FORMAT,
	       "version 2 file with decreasing time refused (MUST-SN2)");
	/* version 3 (and 0) are refused, MAC or not */
	memcpy(cp, buf, n);
	cp[5] = 3;
	tes_hmac_sha256(k->mac, sizeof(k->mac), cp, n - 32, cp + n - 32);
	EQ_INT(tes_drivers_hdr_decode(k, cp, n, &h2), TES_ERR_VERSION,
	       "drivers.enc version 3 refused (MUST-SN1)");
	cp[5] = 0;
	tes_hmac_sha256(k->mac, sizeof(k->mac), cp, n - 32, cp + n - 32);
	EQ_INT(tes_drivers_hdr_decode(k, cp, n, &h2), TES_ERR_VERSION, "drivers.enc version 0 refused");
	/* a version 2 count is bounded by its 14-byte entries, version 1 by 6 */
	memcpy(cp, buf, n);
	cp[48] = 0, cp[49] = 0, cp[50] = 0, cp[51] = (uint8_t)(56 / 14 + 1);
	tes_hmac_sha256(k->mac, sizeof(k->mac), cp, n - 32, cp + n - 32);
	EQ_INT(tes_drivers_hdr_decode(k, cp, n, &h2), TES_ERR_FORMAT, "version 2 count above ct / 14");
	cp[5] = 1;
	tes_hmac_sha256(k->mac, sizeof(k->mac), cp, n - 32, cp + n - 32);
	OK(tes_drivers_hdr_decode(k, cp, n, &h2) == 0 && h2.version == 1 && h2.count == 5,
	   "version 1 count up to ct / 6");
}

static void
test_drivers_codec(const struct tes_seal_keys *k)
{
	struct tes_driver v[3], w[3];
	struct tes_drivers_hdr h, h2;
	uint8_t iv[8] = { 0 }, buf[256], cp[256];
	size_t n = 0;

	mkdriver(&v[0], "AB1", 10), mkdriver(&v[1], "AB12", 70), mkdriver(&v[2], "ZZ9", 50);
	memset(&h, 0, sizeof(h));
	h.journal_seq = 42, h.count = 3;
	memset(h.mac_at_seq, 0xee, sizeof(h.mac_at_seq));
	OK(tes_drivers_plate_cmp("AB1", 3, "AB12", 4) < 0 && tes_drivers_plate_cmp("B", 1, "AB12", 4) > 0 &&
		   tes_drivers_plate_cmp("AB", 2, "AB", 2) == 0,
	   "plate order");
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), 0, "drivers encode");
	EQ_INT(n, tes_drivers_encoded_len(v, 3), "drivers size");
	memcpy(cp, buf, n);
	OK(tes_drivers_decode(k, cp, n, &h2, w, 3) == 0 && h2.journal_seq == 42 && h2.count == 3 &&
		   strcmp(w[1].plate, "AB12") == 0 && w[1].points == 70 && w[2].points == 50,
	   "drivers round trip");
	memcpy(cp, buf, n);
	EQ_INT(tes_drivers_decode(k, cp, n, &h2, w, 2), TES_ERR_SPACE, "drivers count above max");
	memcpy(cp, buf, n);
	cp[70] ^= 1;
	EQ_INT(tes_drivers_decode(k, cp, n, &h2, w, 3), TES_ERR_MAC, "drivers bit flip (MUST-SN1)");
	EQ_INT(tes_drivers_hdr_decode(k, buf, 50, &h2), TES_ERR_TRUNCATED, "drivers truncated");
	EQ_INT(tes_drivers_hdr_decode(k, buf, n - 8, &h2), TES_ERR_MAC, "drivers cut by a block");
	mkdriver(&v[2], "AB0", 5);
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), TES_ERR_FORMAT, "drivers unsorted");
	mkdriver(&v[2], "AB12", 5);
	v[1].time = 10;
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), TES_ERR_FORMAT,
	       "drivers duplicate plate with an earlier time");
	v[1].time = 0;
	mkdriver(&v[2], "zz", 5);
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 3, buf, sizeof(buf), &n), TES_ERR_PLATE, "drivers bad plate");
	h.count = 0;
	EQ_INT(tes_drivers_encode(k, &h, iv, v, 0, buf, sizeof(buf), &n), 0, "drivers empty");
	EQ_INT(n, 60 + 8 + 32, "empty snapshot is one padding block");
	OK(tes_drivers_decode(k, buf, n, &h2, w, 0) == 0 && h2.count == 0, "empty snapshot decodes");
}

/* In-memory indexes (index.h) */

/*
 * SipHash-2-4 with 64-bit output, from the reference paper's test vectors:
 * key 00 01 .. 0f, message i the bytes 00 01 .. (i-1); each output as its
 * eight bytes, least significant first.
 */
static const char *const sip64_kat[64] = {
	"310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785", "b7877127e09427cf",
	"8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab", "6224939a79f5f593", "b0e4a90bdf82009e",
	"f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4", "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7",
	"e545be4961ca29a1", "db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
	"98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8", "94af49f6c650adb8",
	"eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f", "a5c91da7acaa4dde", "716595876650a2a6",
	"28ef495c53a387ad", "42c341d8fa92d832", "ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012",
	"ae97a10fd434e015", "b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
	"d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4", "f21df2e41d4535f9",
	"87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0", "51a9cb9ecba312e6", "96afadfc2ce666c7",
	"72fe52975a4364ee", "5a1645b276d592a1", "b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f",
	"9924a43cc1315724", "bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
	"e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
};

static void
test_siphash(void)
{
	uint8_t k[TES_INDEX_KEY_LEN], m[64], want[8];
	uint64_t h;
	size_t i, j;
	int ok = 1;

	for (i = 0; i < sizeof(k); i++)
		k[i] = (uint8_t)i;
	for (i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	for (i = 0; i < 64; i++) {
		h = tes_index_siphash(k, m, i);
		for (j = 0; j < 8; j++)
			sscanf(sip64_kat[i] + 2 * j, "%2hhx", &want[j]);
		for (j = 0; j < 8; j++)
			ok &= (uint8_t)(h >> (8 * j)) == want[j];
	}
	OK(ok, "SipHash-2-4: the reference paper's 64 known-answer vectors");
	OK(tes_index_siphash(k, m, 15) == 0xa129ca6149be45e5ULL, "SipHash-2-4: the paper's worked example");
	k[3] ^= 1;
	OK(tes_index_siphash(k, m, 15) != 0xa129ca6149be45e5ULL, "SipHash-2-4: another key, another hash");
	ok = 1;
	for (i = 0; i < 64; i++)
		ok &= (tes_index_plate_tag(k, (const char *)m, i) & 1) == 1;
	OK(ok, "plate tags are never 0");
}

/* Table entries for the tests: keys of 0..16 bytes. */
struct ix_ent {
	uint8_t len;
	uint8_t k[16];
};

static const uint8_t *
ix_key(const void *arr, size_t i, size_t *klen)
{
	const struct ix_ent *e = (const struct ix_ent *)arr + i;

	*klen = e->len;
	return e->k;
}

static void
ix_set(struct ix_ent *e, const char *s)
{
	e->len = (uint8_t)strlen(s);
	memcpy(e->k, s, e->len);
}

/* n entries, cap a power of two at least TES_INDEX_MIN, load at most 1/2, every slot a valid entry */
static int
ix_sound(const struct tes_index *t, size_t n)
{
	size_t i, used = 0;

	if (t->n != n || t->cap < TES_INDEX_MIN || (t->cap & (t->cap - 1)) != 0 || t->n * 2 > t->cap)
		return 0;
	for (i = 0; i < t->cap; i++)
		if (t->slot[i] != 0) {
			used++;
			if ((t->slot[i] & 0xffffffffu) == 0 || (t->slot[i] & 0xffffffffu) > n)
				return 0;
		}
	return used == n;
}

static void
test_index_table(void)
{
	enum {
		N = 20000
	};
	static struct ix_ent e[N + 1];
	uint8_t hk[TES_INDEX_KEY_LEN];
	struct tes_index t;
	size_t i, grew = 0, cap;
	int ok = 1, found = 1;

	memset(hk, 0x5a, sizeof(hk));
	tes_index_init(&t, ix_key);
	EQ_INT(t.cap, TES_INDEX_MIN, "a new table has TES_INDEX_MIN slots");
	OK(tes_index_get(&t, hk, e, (const uint8_t *)"x", 1) == 0, "an empty table finds nothing");
	/* entry 0 has the empty key; then i in 3 bytes and zeros, 3..16 bytes long */
	memset(e, 0, sizeof(e));
	for (i = 1; i < N; i++) {
		e[i].len = (uint8_t)(3 + i % 14);
		e[i].k[0] = (uint8_t)i, e[i].k[1] = (uint8_t)(i >> 8), e[i].k[2] = (uint8_t)(i >> 16);
	}
	cap = t.cap;
	for (i = 0; i < N; i++) {
		if (i % 2 == 0)
			ok &= tes_index_put_new(&t, hk, e, e[i].k, e[i].len, i) == 0;
		else
			tes_index_put(&t, hk, e, i);
		grew += t.cap != cap, cap = t.cap;
	}
	OK(ok && ix_sound(&t, N), "%d entries inserted: load at most 1/2 (%zu slots)", N, t.cap);
	OK(grew >= 9, "the table grew %zu times", grew);
	for (i = 0; i < N; i++)
		found &= tes_index_get(&t, hk, e, e[i].k, e[i].len) == i + 1;
	OK(found, "every entry is found at its index after growing");
	ok = 1;
	for (i = 0; i < N; i += 7)
		ok &= tes_index_put_new(&t, hk, e, e[i].k, e[i].len, N) == TES_ERR_EXISTS;
	OK(ok && ix_sound(&t, N), "a key already indexed is refused with TES_ERR_EXISTS, nothing changes");
	ix_set(&e[N], "not a key here");
	EQ_INT(tes_index_get(&t, hk, e, e[N].k, e[N].len), 0, "an absent key is not found");
	memset(e[N].k, 0, sizeof(e[N].k));
	e[N].len = 16;
	EQ_INT(tes_index_get(&t, hk, e, e[N].k, e[N].len), 0, "zeros of an absent length are not found");
	memset(hk, 0xa5, sizeof(hk));
	found = 0;
	for (i = 0; i < 64; i++)
		found += tes_index_get(&t, hk, e, e[i].k, e[i].len) == i + 1;
	OK(found < 64, "under another hash key the entries are not where they were (%d of 64 found)", found);
	tes_index_free(&t);
	OK(t.slot == NULL && t.n == 0, "free");
}

/*
 * Keys whose 32-bit tags are equal under the key 00 01 .. 0f (found by a
 * search over "K<n>"): the probe must compare the keys themselves.
 */
static const char *const ix_collide[][2] = {
	{ "K296810", "K311739" }, { "K324321", "K374510" }, { "K256079", "K341756" },
	{ "K208071", "K257459" }, { "K16092", "K139720" }, /* and one of two lengths */
};

static void
test_index_collisions(void)
{
	enum {
		NC = sizeof(ix_collide) / sizeof(ix_collide[0])
	};
	struct ix_ent e[2 * NC];
	uint8_t hk[TES_INDEX_KEY_LEN];
	struct tes_index t;
	size_t i;
	int same = 1, ok = 1;

	for (i = 0; i < sizeof(hk); i++)
		hk[i] = (uint8_t)i;
	for (i = 0; i < NC; i++) {
		ix_set(&e[2 * i], ix_collide[i][0]);
		ix_set(&e[2 * i + 1], ix_collide[i][1]);
		same &= (uint32_t)tes_index_siphash(hk, e[2 * i].k, e[2 * i].len) ==
			(uint32_t)tes_index_siphash(hk, e[2 * i + 1].k, e[2 * i + 1].len);
	}
	OK(same, "%d pairs of keys with the same tag", NC);
	tes_index_init(&t, ix_key);
	for (i = 0; i < NC; i++) {
		ok &= tes_index_put_new(&t, hk, e, e[2 * i].k, e[2 * i].len, 2 * i) == 0;
		ok &= tes_index_get(&t, hk, e, e[2 * i + 1].k, e[2 * i + 1].len) == 0;
	}
	OK(ok, "a key is not found through another key's tag");
	ok = 1;
	for (i = 0; i < NC; i++)
		ok &= tes_index_put_new(&t, hk, e, e[2 * i + 1].k, e[2 * i + 1].len, 2 * i + 1) == 0;
	for (i = 0; i < 2 * NC; i++)
		ok &= tes_index_get(&t, hk, e, e[i].k, e[i].len) == i + 1;
	OK(ok && ix_sound(&t, 2 * NC), "both keys of each pair are indexed and found apart");
	EQ_INT(tes_index_put_new(&t, hk, e, e[3].k, e[3].len, 0), TES_ERR_EXISTS,
	       "the second of a pair is a duplicate");
	tes_index_free(&t);
}

static void
test_index_reserve(void)
{
	struct ix_ent e[200];
	uint8_t hk[TES_INDEX_KEY_LEN] = { 1 };
	struct tes_index t;
	size_t i, cap;
	int ok = 1;

	tes_index_init(&t, ix_key);
	tes_index_reserve(&t, 10);
	EQ_INT(t.cap, TES_INDEX_MIN, "reserve below the initial size keeps it");
	tes_index_reserve(&t, 200);
	EQ_INT(t.cap, 512, "reserve of 200 gives 512 slots (load 1/2, a power of two)");
	cap = t.cap;
	for (i = 0; i < 200; i++) {
		snprintf((char *)e[i].k, sizeof(e[i].k), "r%zu", i);
		e[i].len = (uint8_t)strlen((char *)e[i].k);
		ok &= tes_index_put_new(&t, hk, e, e[i].k, e[i].len, i) == 0 && t.cap == cap;
	}
	OK(ok && ix_sound(&t, 200), "200 entries fit the reserved table without growing");
	tes_index_reserve(&t, 5000);
	EQ_INT(t.cap, cap, "reserve of a table with entries changes nothing");
	OK(tes_index_get(&t, hk, e, e[199].k, e[199].len) == 200, "and its entries stay");
	tes_index_free(&t);
	tes_index_init(&t, ix_key);
	tes_index_reserve(&t, (size_t)TES_INDEX_MAX + 1);
	EQ_INT(t.cap, TES_INDEX_MIN, "reserve above TES_INDEX_MAX changes nothing");
	tes_index_free(&t);
}

static void
test_index_map(void)
{
	static const char *const plates[] = { "ZZ9", "AB1", "AB12", "A", "B7", "AB" };
	struct tes_index_map a, b;
	struct tes_driver d, v[6];
	uint8_t hk[TES_INDEX_KEY_LEN];
	size_t i;
	int ok = 1;

	memset(hk, 3, sizeof(hk));
	tes_index_map_init(&a);
	tes_index_map_init(&b);
	for (i = 0; i < 6; i++)
		tes_index_map_add(&a, hk, plates[i], (uint8_t)strlen(plates[i]), (uint32_t)(i + 1));
	tes_index_map_add(&a, hk, "AB1", 3, 5);
	OK(a.n == 6 && tes_index_map_get(&a, hk, "AB1", 3) == 7 && tes_index_map_get(&a, hk, "AB12", 4) == 3,
	   "add creates a plate, then adds to it");
	EQ_INT(tes_index_map_get(&a, hk, "AB123", 5), 0, "an unknown plate has 0 points");
	tes_index_map_add(&a, hk, "Q1", 2, 0);
	tes_index_map_add(&a, hk, "ABCDEFGHJKLMN", TES_PLATE_MAX + 1, 10);
	OK(a.n == 6, "adding 0 points, or to a plate above TES_PLATE_MAX, changes nothing");
	tes_index_map_add(&a, hk, "ZZ9", 3, UINT32_MAX - 5);
	tes_index_map_add(&a, hk, "ZZ9", 3, 10);
	EQ_INT(tes_index_map_get(&a, hk, "ZZ9", 3), UINT32_MAX, "points saturate at UINT32_MAX");
	tes_index_map_add(&a, hk, "ZZ9", 3, UINT32_MAX);
	EQ_INT(tes_index_map_get(&a, hk, "ZZ9", 3), UINT32_MAX, "and stay there");

	/* the same totals, entered in the other order through put_new */
	tes_index_map_reserve(&b, 6);
	OK(b.cap == 6 && b.n == 0, "reserve of an empty map");
	for (i = 6; i-- > 0;) {
		mkdriver(&d, plates[i], tes_index_map_get(&a, hk, plates[i], strlen(plates[i])));
		ok &= tes_index_map_put_new(&b, hk, &d) == 0;
	}
	OK(ok && b.cap == 6, "put_new of six new plates into the reserved map");
	OK(tes_index_map_equal(&a, &b, hk) && tes_index_map_equal(&b, &a, hk), "equal in both directions");
	mkdriver(&d, "AB1", 1);
	EQ_INT(tes_index_map_put_new(&b, hk, &d), TES_ERR_EXISTS, "put_new of a plate already there");
	mkdriver(&d, "NEW1", 0);
	EQ_INT(tes_index_map_put_new(&b, hk, &d), TES_ERR_ARG, "put_new without points");
	d.points = 1, d.plate_len = TES_PLATE_MAX + 1;
	EQ_INT(tes_index_map_put_new(&b, hk, &d), TES_ERR_ARG, "put_new of a plate above TES_PLATE_MAX");
	OK(b.n == 6 && tes_index_map_equal(&a, &b, hk), "refusals change nothing");
	tes_index_map_add(&b, hk, "A", 1, 1);
	OK(!tes_index_map_equal(&a, &b, hk) && !tes_index_map_equal(&b, &a, hk), "one point more: not equal");
	tes_index_map_add(&a, hk, "A", 1, 1);
	tes_index_map_add(&a, hk, "C", 1, 1);
	OK(!tes_index_map_equal(&a, &b, hk) && !tes_index_map_equal(&b, &a, hk), "one plate more: not equal");
	tes_index_map_reserve(&b, 100);
	EQ_INT(b.cap, 6, "reserve of a map with plates changes nothing");

	memcpy(v, b.v, sizeof(v));
	tes_index_map_sort(v, 6);
	for (i = 1; i < 6; i++)
		ok &= tes_drivers_plate_cmp(v[i - 1].plate, v[i - 1].plate_len, v[i].plate, v[i].plate_len) <
		      0;
	OK(ok && strcmp(v[0].plate, "A") == 0 && strcmp(v[5].plate, "ZZ9") == 0, "sort in drivers.enc order");
	tes_index_map_free(&a);
	tes_index_map_free(&b);
	OK(a.v == NULL && a.n == 0 && b.t.slot == NULL, "free");
}

/* Database */

struct collect {
	char plates[8][16];
	uint32_t points[8];
	int n, stop;
};

static int
collect_cb(void *ctx, const char *plate, uint32_t points, int over)
{
	(void)over;
	struct collect *c = ctx;

	if (c->n < 8) {
		snprintf(c->plates[c->n], 16, "%s", plate);
		c->points[c->n] = points;
	}
	c->n++;
	return c->stop != 0 && c->n >= c->stop;
}

static void
test_create(void)
{
	char *d = util_scratch_path("create"), *e = util_scratch_path("empty");
	struct tes_db *db = NULL;

	EQ_INT(tes_db_create(d), 0, "create");
	EQ_INT(util_mode(d, "."), 0700, "data dir mode 0700");
	EQ_INT(util_mode(d, "storage.key"), 0600, "storage.key mode 0600");
	EQ_INT(util_mode(d, "server.key"), 0600, "server.key mode 0600");
	EQ_INT(util_size(d, "storage.key"), 32, "storage.key is 32 bytes");
	EQ_INT(util_size(d, "journal"), 16, "journal holds its header");
	EQ_INT(tes_db_create(d), TES_ERR_EXISTS, "create twice");
	mkdir(e, 0755);
	EQ_INT(tes_db_create(e), 0, "create in an existing empty dir");
	EQ_INT(util_mode(e, "."), 0700, "existing dir set to 0700");
	EQ_INT(tes_db_open(d, &db), 0, "open");
	unit_pub = tes_db_server_key(db)->pub;
	EQ_INT(tes_rsa_pub_check(&unit_pub), 0, "server key is usable");
	tes_db_close(db);
	EQ_INT(open_rc(util_scratch_path("nothing")), TES_ERR_NOTFOUND, "open a missing store");
	chmod(util_scratch_path("empty/storage.key"), 0644);
	EQ_INT(open_rc(e), TES_ERR_KEY, "storage.key readable by others refused");
}

/* Revocation: refused from then on, survives a reopen, cannot repeat, codec negatives. */
static void
test_revoke(void)
{
	char *d = util_scratch_path("revoke"), name[TES_NAME_MAX + 1];
	uint8_t id[TES_KEYID_LEN], body[64], nl;
	struct tes_db *db = NULL;
	uint64_t n = 0;
	size_t used;
	char msg[256];

	tes_rsa_keyid(&unit_pub, id);
	EQ_INT(tes_db_create(d), 0, "create for revocation");
	EQ_INT(tes_db_open(d, &db), 0, "open for revocation");
	EQ_INT(tes_db_unit_active(db, id), TES_ERR_NOTFOUND, "an unknown key is not active");
	EQ_INT(tes_db_unit_add(db, "car-1", &unit_pub), 0, "add a unit");
	EQ_INT(tes_db_unit_active(db, id), 0, "a registered unit is active");
	EQ_INT(tes_db_unit_add(db, "car-9", &unit_pub), TES_ERR_EXISTS, "one key, one unit (MUST-B7)");
	EQ_INT(tes_db_unit_revoke(db, "car-1"), 0, "revoke it");
	EQ_INT(tes_db_unit_add(db, "car-9", &unit_pub), TES_ERR_EXISTS,
	       "a revoked key is not registered again");
	EQ_INT(tes_db_unit_active(db, id), TES_ERR_AUTH, "a revoked unit is refused");
	EQ_INT(tes_db_unit_revoke(db, "car-1"), TES_ERR_EXISTS, "revoking twice is refused");
	EQ_INT(tes_db_unit_revoke(db, "car-2"), TES_ERR_NOTFOUND, "revoking an unknown unit is refused");
	tes_db_close(db);
	EQ_INT(tes_db_open(d, &db), 0, "reopen");
	EQ_INT(tes_db_unit_active(db, id), TES_ERR_AUTH, "the revocation survives a reopen");
	OK(tes_db_unit_find(db, id, name, &unit_pub) == 0 && strcmp(name, "car-1") == 0,
	   "the revoked unit's key stays known (to check its old evidence)");
	EQ_INT(tes_db_verify(db, msg, sizeof msg, &n), 0, "verify accepts a REVOKE record");
	tes_db_close(db);
	OK(tes_journal_revoke_encode("car-1", 5, body, sizeof body, &used) == 0 && used == 6 &&
		   tes_journal_revoke_decode(body, used, name, &nl) == 0 && nl == 5,
	   "REVOKE body round trip");
	EQ_INT(tes_journal_revoke_decode(body, used - 1, name, &nl), TES_ERR_TRUNCATED,
	       "truncated REVOKE body");
	body[used] = 0;
	EQ_INT(tes_journal_revoke_decode(body, used + 1, name, &nl), TES_ERR_FORMAT,
	       "trailing byte in REVOKE body");
	body[1] = ' ';
	EQ_INT(tes_journal_revoke_decode(body, used, name, &nl), TES_ERR_NAME,
	       "bad unit name in REVOKE body");
	OK(tes_journal_revoke_encode("a b", 3, body, sizeof body, &used) != 0, "encoder refuses a bad name");
}

/* A password change: a later USER record of the same name and role replaces the hash, also on replay. */
static void
test_passwd(void)
{
	char *d = util_scratch_path("passwd"), hash[TES_JOURNAL_HASH_MAX + 1], msg[256];
	struct tes_db *db = NULL;
	uint8_t role = 0;
	uint64_t n = 0;

	EQ_INT(tes_db_create(d), 0, "create for passwd");
	EQ_INT(tes_db_open(d, &db), 0, "open for passwd");
	if (db == NULL)
		return;
	EQ_INT(tes_db_user_add(db, "alice", TES_ROLE_OFFICER, fake_hash), 0, "officer added");
	EQ_INT(tes_db_user_add(db, "bob", TES_ROLE_POLICE, fake_hash), 0, "police added");
	EQ_INT(tes_db_user_passwd(db, "bob", fake_hash2), 0, "password change");
	OK(tes_db_user_get(db, "bob", &role, hash) == 0 && role == TES_ROLE_POLICE &&
		   strcmp(hash, fake_hash2) == 0,
	   "the new hash replaces the old one, the role stays");
	EQ_INT(tes_db_user_passwd(db, "mallory", fake_hash2), TES_ERR_NOTFOUND,
	       "password change of an unknown user");
	EQ_INT(tes_db_user_passwd(db, "bad name", fake_hash2), TES_ERR_NOTFOUND,
	       "password change of a name no user can have");
	OK(tes_db_user_passwd(db, "bob", "") != 0, "an empty hash is refused");
	EQ_INT(tes_db_user_add(db, "bob", TES_ROLE_POLICE, fake_hash), TES_ERR_EXISTS,
	       "add-user of the name still refused (MUST-B2)");
	tes_db_close(db);
	db = NULL;
	EQ_INT(tes_db_open(d, &db), 0, "reopen after a password change");
	if (db == NULL)
		return;
	OK(tes_db_user_get(db, "bob", &role, hash) == 0 && role == TES_ROLE_POLICE &&
		   strcmp(hash, fake_hash2) == 0,
	   "a later USER record replaces the hash on replay (MUST-B2)");
	OK(tes_db_user_get(db, "alice", &role, hash) == 0 && role == TES_ROLE_OFFICER &&
		   strcmp(hash, fake_hash) == 0,
	   "the other user keeps its hash and role");
	EQ_INT(tes_db_user_passwd(db, "bob", fake_hash), 0, "a second change");
	tes_db_close(db);
	db = NULL;
	EQ_INT(tes_db_open(d, &db), 0, "reopen after a second change");
	if (db == NULL)
		return;
	OK(tes_db_user_get(db, "bob", &role, hash) == 0 && strcmp(hash, fake_hash) == 0,
	   "the last USER record wins");
	EQ_INT(tes_db_verify(db, msg, sizeof msg, &n), 0, "verify accepts the USER records of a change");
	tes_db_close(db);
}

static void
test_lock(const char *d)
{
	struct tes_db *a = NULL, *b = NULL;

	EQ_INT(tes_db_open(d, &a), 0, "open for the lock test");
	EQ_INT(tes_db_open(d, &b), TES_ERR_LOCKED, "second open in the same process is locked out");
	OK(b == NULL, "no handle on a locked store");
	tes_db_close(a);
	EQ_INT(tes_db_open(d, &b), 0, "open again after close");
	tes_db_close(b);
}

/* Speeds per band and their points. */
static const uint16_t speeds[7] = { 49, 50, 69, 70, 99, 100, 250 };
static const uint16_t bands[7] = { 0, 10, 10, 20, 20, 50, 50 };

static void
fill_store(struct tes_db *db)
{
	struct tes_rsa_pub pub;
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;
	uint64_t num = 0;
	int i, ok = 1;

	EQ_INT(tes_db_unit_add(db, "unit-1", &unit_pub), 0, "unit add");
	EQ_INT(tes_db_unit_add(db, "unit-1", &unit_pub), TES_ERR_EXISTS, "unit add twice");
	EQ_INT(tes_db_unit_add(db, "bad/name", &unit_pub), TES_ERR_NAME, "unit with a bad name");
	OK(tes_db_unit_get(db, "unit-1", &pub) == 0 && memcmp(&pub, &unit_pub, sizeof(pub)) == 0, "unit get");
	EQ_INT(tes_db_unit_get(db, "unit-2", &pub), TES_ERR_NOTFOUND, "unknown unit");
	EQ_INT(tes_db_user_add(db, "alice", TES_ROLE_OFFICER, fake_hash), 0, "user add");
	EQ_INT(tes_db_user_add(db, "bob", TES_ROLE_POLICE, fake_hash), 0, "second user add");
	EQ_INT(tes_db_user_add(db, "alice", TES_ROLE_POLICE, fake_hash), TES_ERR_EXISTS,
	       "user add twice (MUST-B2)");
	EQ_INT(tes_db_user_add(db, "carol", 9, fake_hash), TES_ERR_FORMAT, "user with a bad role");
	OK(tes_db_user_get(db, "alice", &role, hash) == 0 && role == TES_ROLE_OFFICER &&
		   strcmp(hash, fake_hash) == 0,
	   "user get");
	EQ_INT(tes_db_user_get(db, "mallory", &role, hash), TES_ERR_NOTFOUND, "unknown user");
	for (i = 0; i < 7; i++) {
		ok &= add_report(db, (unsigned)i + 1, i % 2 == 0 ? "AB123" : "XY9", speeds[i], &num) == 0;
		ok &= num == (uint64_t)i + 1;
	}
	OK(ok, "seven reports numbered 1..7 (MUST-B3)");
	EQ_INT(tes_db_sync(db), 0, "sync");
	EQ_INT(tes_db_report_count(db), 7, "report count");
	EQ_INT(tes_db_pending_count(db), 7, "all pending");
	EQ_INT(tes_db_audit(db, TES_AUDIT_LOGIN_OK, "alice", "from 10.0.0.1", 1700000200), 0, "audit");
	EQ_INT(tes_db_audit(db, TES_AUDIT_SERVER_START, NULL, NULL, 1700000200), 0, "audit by the server");
	EQ_INT(tes_db_audit(db, 0, NULL, NULL, 1700000200), TES_ERR_FORMAT, "audit kind 0");
}

static void
test_duplicate(struct tes_db *db, const char *d)
{
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN] = { 0 };
	uint64_t num = 0;
	long before = util_size(d, "journal");

	EQ_INT(add_report(db, 3, "AB123", 69, &num), TES_ERR_EXISTS, "duplicate report id (MUST-B3)");
	EQ_INT(num, 3, "duplicate gives the stored number");
	EQ_INT(util_size(d, "journal"), before, "nothing appended for a duplicate");
	mkreport(&r, 99, "ab-1", 60);
	OK(tes_db_report_add(db, &r, sig, 1, &num) != 0, "invalid report refused");
	EQ_INT(tes_db_report_count(db), 7, "nothing stored for an invalid report");
}

static void
test_decide(struct tes_db *db)
{
	struct tes_db_report out;
	uint8_t id[16];
	uint16_t pts = 999;
	int i, ok = 1;

	EQ_INT(tes_db_report_at(db, 1, &out), 0, "report_at pending");
	OK(out.status == TES_STATUS_PENDING && out.points == 10 && out.number == 2 &&
		   out.received == 1700000102 && out.sig[0] == 2 && strcmp(out.r.plate, "XY9") == 0,
	   "pending report shows the points it would give");
	for (i = 0; i < 7; i++) {
		mkreport(&out.r, (unsigned)i + 1, "A", 1);
		ok &= tes_db_decide(db, out.r.id, 1, "speeding", "alice", 1700000300, &pts) == 0;
		ok &= pts == bands[i];
	}
	OK(ok, "penalty bands 49,50,69,70,99,100,250 -> 0,10,10,20,20,50,50");
	memcpy(id, out.r.id, 16);
	EQ_INT(tes_db_decide(db, id, 0, NULL, "alice", 1700000301, &pts), TES_ERR_DECIDED,
	       "decide twice (MUST-B4)");
	id[15] ^= 1;
	EQ_INT(tes_db_decide(db, id, 1, NULL, "alice", 1700000301, &pts), TES_ERR_NOTFOUND, "unknown id");
	EQ_INT(tes_db_driver_points(db, "AB123", 0, NULL), 0 + 10 + 20 + 50, "points of AB123");
	EQ_INT(tes_db_driver_points(db, "XY9", 0, NULL), 10 + 20 + 50, "points of XY9");
	EQ_INT(tes_db_driver_points(db, "NOPE1", 0, NULL), 0, "points of an unknown plate");
	EQ_INT(tes_db_pending_count(db), 0, "nothing pending");
}

static void
test_reject(struct tes_db *db)
{
	struct tes_db_report out;
	uint64_t num = 0;
	uint16_t pts = 1;

	EQ_INT(add_report(db, 8, "XY9", 180, &num), 0, "eighth report");
	EQ_INT(num, 8, "numbered 8");
	EQ_INT(tes_db_sync(db), 0, "sync");
	mkreport(&out.r, 8, "A", 1);
	EQ_INT(tes_db_decide(db, out.r.id, 1, "bad\nreason", "alice", 1700000400, &pts), TES_ERR_FORMAT,
	       "reason with a control character refused");
	EQ_INT(tes_db_decide(db, out.r.id, 0, "camera not calibrated", "alice", 1700000400, &pts), 0,
	       "reject");
	EQ_INT(pts, 0, "reject gives no points");
	EQ_INT(tes_db_driver_points(db, "XY9", 0, NULL), 80, "rejected report adds nothing");
}

static void
check_persisted(const char *d)
{
	struct tes_db *db = NULL;
	struct tes_db_report out;
	struct tes_rsa_pub pub;
	struct collect c;
	char hash[TES_JOURNAL_HASH_MAX + 1];
	uint8_t role = 0;

	EQ_INT(tes_db_open(d, &db), 0, "reopen");
	if (db == NULL)
		return;
	OK(tes_db_unit_get(db, "unit-1", &pub) == 0 && memcmp(&pub, &unit_pub, sizeof(pub)) == 0,
	   "unit persisted");
	OK(tes_db_user_get(db, "bob", &role, hash) == 0 && role == TES_ROLE_POLICE, "user persisted");
	EQ_INT(tes_db_report_count(db), 8, "reports persisted");
	EQ_INT(tes_db_pending_count(db), 0, "decisions persisted");
	OK(tes_db_report_at(db, 6, &out) == 0 && out.status == TES_STATUS_APPROVED && out.points == 50 &&
		   strcmp(out.officer, "alice") == 0 && strcmp(out.reason, "speeding") == 0 &&
		   out.decided_at == 1700000300 && out.r.speed == 250,
	   "approved report read back");
	OK(tes_db_report_get(db, out.r.id, &out) == 0 && out.number == 7, "report by id");
	OK(tes_db_report_at(db, 7, &out) == 0 && out.status == TES_STATUS_REJECTED && out.points == 0 &&
		   strcmp(out.reason, "camera not calibrated") == 0,
	   "rejected report read back");
	EQ_INT(tes_db_report_at(db, 8, &out), TES_ERR_NOTFOUND, "report_at past the end");
	EQ_INT(tes_db_driver_points(db, "AB123", 0, NULL), 80, "AB123 points across reopen");
	EQ_INT(tes_db_driver_points(db, "XY9", 0, NULL), 80, "XY9 points across reopen");
	memset(&c, 0, sizeof(c));
	tes_db_drivers_foreach(db, 0, collect_cb, &c);
	OK(c.n == 2 && strcmp(c.plates[0], "AB123") == 0 && strcmp(c.plates[1], "XY9") == 0,
	   "drivers in plate order");
	memset(&c, 0, sizeof(c));
	c.stop = 1;
	tes_db_drivers_foreach(db, 0, collect_cb, &c);
	EQ_INT(c.n, 1, "foreach stops when the callback says so");
	tes_db_close(db);
}

/* Store used by the tamper tests: records before and after the snapshot. */
static void
build_template(const char *d, size_t *nrec)
{
	struct tes_db *db = NULL;
	uint64_t num, recs = 0;
	char msg[256];
	int i;

	EQ_INT(tes_db_create(d), 0, "template create");
	test_lock(d);
	EQ_INT(tes_db_open(d, &db), 0, "template open");
	fill_store(db);
	test_duplicate(db, d);
	test_decide(db);
	test_reject(db);
	EQ_INT(tes_db_verify(db, msg, sizeof(msg), &recs), 0, "verify a good store");
	EQ_INT(recs, 3 + 7 + 2 + 8 + 1, "verify counts the records");
	OK(strncmp(msg, "ok: 21 records, chain ", 22) == 0, "verify summary: %s", msg);
	tes_db_close(db);
	EQ_INT(util_size(d, "drivers.enc") > 0, 1, "close wrote drivers.enc");
	check_persisted(d);
	tes_db_open(d, &db);
	for (i = 0; i < 3; i++)
		add_report(db, 100 + (unsigned)i, "CD4", 75, &num);
	tes_db_sync(db);
	tes_db_close(db);
	*nrec = 3 + 7 + 2 + 8 + 1 + 3;
}

static size_t
records_after_open(const char *d)
{
	struct tes_db *db = NULL;
	uint64_t recs = 0;
	char msg[256];

	if (tes_db_open(d, &db) != 0)
		return 0;
	tes_db_verify(db, msg, sizeof(msg), &recs);
	tes_db_close(db);
	return (size_t)recs;
}

static void
test_tamper_middle(const char *tpl, size_t nrec)
{
	size_t off[64], pos[] = { 0, 4, 9, 20, 33, 50, 0 }, i, n;
	int bits[] = { 7, 0, 3, 1, 2, 5, 0 }, ok = 1;
	char *d = util_scratch_path("mid");
	long before;

	n = record_offsets(tpl, off, 63);
	EQ_INT(n, nrec, "template record count");
	for (i = 0; i < 7; i++) {
		util_rm_rf(d);
		copy_store(tpl, d);
		pos[6] = off[5] - off[4] - 1; /* last byte of the mac */
		flip(d, "journal", off[4] + pos[i], bits[i]);
		before = util_size(d, "journal");
		ok &= open_rc(d) == TES_ERR_CORRUPT && util_size(d, "journal") == before;
	}
	OK(ok, "bit flips in a middle REPORT (length, type, seq, key, iv, ciphertext, mac) -> CORRUPT, file "
	       "kept (MUST-RC2)");
	util_rm_rf(d);
	copy_store(tpl, d);
	flip(d, "journal", off[13] + 60, 4);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "bit flip in a DECISION before the snapshot");
	util_rm_rf(d);
	copy_store(tpl, d);
	flip(d, "journal", off[n - 2] + TES_JOURNAL_HDR_LEN + 3, 0);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "bit flip in the record before the last");
	util_rm_rf(d);
	copy_store(tpl, d);
	flip(d, "journal", off[n - 2] + 1, 3); /* length now reaches past the end of the file */
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "length of the record before the last made huge");
	util_rm_rf(d);
	copy_store(tpl, d);
	flip(d, "journal", 3, 0);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "file header magic");
}

static int
count_quarantined(void *ctx, const char *name, uint64_t size)
{
	(void)name;
	(void)size;
	++*(size_t *)ctx;
	return 0;
}

static int
sum_quarantined(void *ctx, const char *name, uint64_t size)
{
	(void)name;
	*(long *)ctx += (long)size;
	return 0;
}

/* Files under dir/quarantine/ and their total size. */
static size_t
quarantined(const char *dir, long *bytes)
{
	struct tes_db *db = NULL;
	size_t n = 0;

	*bytes = 0;
	if (tes_db_open(dir, &db) != 0)
		return (size_t)-1;
	tes_db_quarantine_foreach(db, count_quarantined, &n);
	tes_db_quarantine_foreach(db, sum_quarantined, bytes);
	tes_db_close(db);
	return n;
}

static void
test_tamper_last(const char *tpl, size_t nrec)
{
	size_t off[64], pos[] = { 0, 2, 3, 4, 12, 33, 45, 0, 0 }, i, n;
	int bits[] = { 7, 0, 4, 1, 0, 6, 2, 0, 5 }, ok = 1, okq = 1;
	struct tes_db_damage dmg;
	char *d = util_scratch_path("last");
	struct tes_db *db = NULL;
	long before, q;

	n = record_offsets(tpl, off, 63);
	for (i = 0; i < 9; i++) {
		util_rm_rf(d);
		copy_store(tpl, d);
		pos[7] = off[n] - off[n - 1] - 1; /* last byte of the mac */
		pos[8] = off[n] - off[n - 1] - 20;
		flip(d, "journal", off[n - 1] + pos[i], bits[i]);
		before = util_size(d, "journal");
		ok &= tes_db_open_diag(d, &dmg, &db) == TES_ERR_CORRUPT &&
		      util_size(d, "journal") == before && strstr(dmg.text, "/journal: record ") != NULL;
		tes_db_close(db);
		db = NULL;
	}
	OK(ok, "bit flips in the last record (length field, type, seq, key, iv, body, mac) -> CORRUPT naming "
	       "the file and record, nothing cut (MUST-RC2)");
	ok = 1;
	for (i = 0; i < 9; i++) {
		util_rm_rf(d);
		copy_store(tpl, d);
		flip(d, "journal", off[n - 1] + pos[i], bits[i]);
		ok &= tes_db_recover(d, &dmg, &db) == 0 &&
		      strstr(dmg.done, "quarantine/journal-at-") != NULL &&
		      util_size(d, "journal") == (long)off[n - 1];
		tes_db_close(db);
		db = NULL;
		okq &= quarantined(d, &q) == 1 && q == (long)(off[n] - off[n - 1]);
	}
	OK(ok, "recover moves a damaged last record out of the journal (MUST-RC4)");
	OK(okq, "... into one quarantine file with all its bytes");
	util_rm_rf(d);
	copy_store(tpl, d);
	truncate_to(d, "journal", off[n] - 10);
	EQ_INT(records_after_open(d), nrec - 1, "file cut inside the last record -> recovered");
	EQ_INT(util_size(d, "journal"), off[n - 1], "torn bytes removed");
	EQ_INT(quarantined(d, &q), 1, "... and kept in quarantine (MUST-RC1)");
	EQ_INT(q, off[n] - 10 - off[n - 1], "... all of them");
	util_rm_rf(d);
	copy_store(tpl, d);
	truncate_to(d, "journal", off[n - 1] + 5);
	EQ_INT(records_after_open(d), nrec - 1, "file cut inside a header -> recovered");
	util_rm_rf(d);
	copy_store(tpl, d);
	truncate_to(d, "journal", off[n] + 4096);
	EQ_INT(records_after_open(d), nrec, "zeros after the last record -> cut");
	EQ_INT(util_size(d, "journal"), off[n], "zeros removed");
	util_rm_rf(d);
	copy_store(tpl, d);
	EQ_INT(tes_db_recover(d, &dmg, &db), 0, "recover of a sound store opens it");
	OK(dmg.done[0] == '\0' && util_size(d, "journal") == (long)off[n], "... and moves nothing");
	tes_db_close(db);
}

/* Remove or reorder whole records. */
static void
test_splice(const char *tpl)
{
	size_t off[64], n, len = 0, a, b;
	unsigned char *buf, *out;
	char p[512], *d = util_scratch_path("splice");

	n = record_offsets(tpl, off, 63);
	util_path(p, tpl, "journal");
	buf = util_file_read(p, &len);
	out = malloc(len);
	util_rm_rf(d);
	copy_store(tpl, d);
	util_path(p, d, "journal");
	a = off[5], b = off[6];
	memcpy(out, buf, a);
	memcpy(out + a, buf + b, len - b);
	util_file_write(p, out, len - (b - a), 0600);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "middle record deleted -> CORRUPT");
	memcpy(out, buf, off[5]);
	memcpy(out + off[5], buf + off[6], off[7] - off[6]);
	memcpy(out + off[5] + (off[7] - off[6]), buf + off[5], off[6] - off[5]);
	memcpy(out + off[7], buf + off[7], len - off[7]);
	util_file_write(p, out, len, 0600);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "two records swapped -> CORRUPT");
	memcpy(out, buf, off[n - 2]);
	memcpy(out + off[n - 2], buf + off[n - 1], off[n] - off[n - 1]);
	util_file_write(p, out, off[n - 2] + (off[n] - off[n - 1]), 0600);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT,
	       "record before the last deleted: the orphaned last record was written in full -> CORRUPT");
	util_rm_rf(d);
	copy_store(tpl, d);
	truncate_to(d, "journal", off[12]);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT,
	       "journal cut below the drivers.enc snapshot -> CORRUPT (MUST-RC3)");
	{
		struct tes_db_damage dmg;
		struct tes_db *db = NULL;
		long q;

		EQ_INT(tes_db_recover(d, &dmg, &db), 0,
		       "recover moves the snapshot the journal lost (MUST-RC4)");
		tes_db_close(db);
		OK(strstr(dmg.done, "drivers.enc to quarantine/drivers.enc-") != NULL, "... and says so: %s",
		   dmg.done);
		EQ_INT(quarantined(d, &q), 1, "... into quarantine/, where it is kept");
	}
	util_rm_rf(d);
	copy_store(tpl, d);
	truncate_to(d, "journal", off[n - 1]);
	EQ_INT(open_rc(d), 0, "journal cut at a boundary after the snapshot is not detectable (documented)");
	free(buf);
	free(out);
}

static void
test_drivers_tamper(const char *tpl)
{
	char *d = util_scratch_path("drv"), *o = util_scratch_path("other");
	struct tes_db *db = NULL;
	int i;

	util_rm_rf(d);
	copy_store(tpl, d);
	flip(d, "drivers.enc", 70, 1);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "drivers.enc bit flip -> CORRUPT");
	util_rm_rf(d);
	copy_store(tpl, d);
	flip(d, "drivers.enc", 10, 0);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "drivers.enc header bit flip -> CORRUPT");
	util_rm_rf(d);
	copy_store(tpl, d);
	truncate_to(d, "drivers.enc", (size_t)util_size(d, "drivers.enc") - 1);
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "drivers.enc truncated -> CORRUPT");

	/* another store with its own storage key */
	tes_db_create(o);
	util_file_copy(tpl, o, "drivers.enc");
	EQ_INT(open_rc(o), TES_ERR_CORRUPT, "drivers.enc of another store -> CORRUPT (MUST-SN3)");
	util_rm_rf(o);

	/* same storage key, but a different journal of the same length or more */
	tes_db_create(o);
	util_file_copy(tpl, o, "storage.key");
	tes_db_open(o, &db);
	for (i = 0; i < 25; i++)
		tes_db_audit(db, TES_AUDIT_VERIFY, NULL, "filler", 1700000000);
	tes_db_close(db);
	EQ_INT(open_rc(o), 0, "rewritten journal opens without a snapshot");
	util_file_copy(tpl, o, "drivers.enc");
	EQ_INT(open_rc(o), TES_ERR_CORRUPT, "drivers.enc over a rewritten journal (same key) -> CORRUPT");
	truncate_to(o, "journal", 16);
	util_file_copy(tpl, o, "drivers.enc");
	EQ_INT(open_rc(o), TES_ERR_CORRUPT, "drivers.enc beyond an emptied journal -> CORRUPT");
}

static void
test_verify_tampered(const char *tpl)
{
	char *d = util_scratch_path("verify"), msg[256];
	struct tes_db *db = NULL;
	struct tes_db_report out;
	uint64_t recs = 0;
	size_t off[64];

	util_rm_rf(d);
	copy_store(tpl, d);
	record_offsets(d, off, 63);
	EQ_INT(tes_db_open(d, &db), 0, "open for verify");
	if (db == NULL)
		return;
	flip(d, "journal", off[2] + 50, 2); /* record seq 3 */
	EQ_INT(tes_db_verify(db, msg, sizeof(msg), &recs), TES_ERR_CORRUPT, "verify a tampered store");
	OK(strstr(msg, "seq 3 ") != NULL, "verify names seq 3: %s", msg);
	EQ_INT(recs, 2, "two records checked good before it");
	flip(d, "journal", off[2] + 50, 2);
	flip(d, "journal", off[4] + 100, 0); /* REPORT number 2 */
	EQ_INT(tes_db_report_at(db, 1, &out), TES_ERR_CORRUPT, "report read back after tampering -> CORRUPT");
	flip(d, "journal", off[4] + 100, 0);
	EQ_INT(tes_db_verify(db, msg, sizeof(msg), &recs), 0, "verify after undoing the damage");
	flip(d, "drivers.enc", 80, 0);
	EQ_INT(tes_db_verify(db, msg, sizeof(msg), &recs), TES_ERR_CORRUPT, "verify a tampered drivers.enc");
	OK(strstr(msg, "drivers.enc") != NULL, "verify names drivers.enc: %s", msg);
	tes_db_close(db);
}

/*
 * drivers.enc is rewritten in the background every TES_DB_COMPACT_EVERY
 * decisions while decisions go on; a failed rewrite is retried and loses
 * nothing.
 */
static void
test_compaction(void)
{
	char *d = util_scratch_path("compact");
	struct tes_db *db = NULL;
	struct tes_report r;
	uint32_t expect[10] = { 0 };
	uint64_t num, recs = 0;
	char plate[16], msg[256], tmp[512];
	long ino;
	unsigned i;
	int ok = 1;

	enum {
		N = 2010
	};

	tes_db_create(d);
	EQ_INT(tes_db_open(d, &db), 0, "open for compaction");
	for (i = 0; i < N && ok; i++) {
		snprintf(plate, sizeof(plate), "PL%u", i % 10);
		ok &= add_report(db, 5000 + i, plate, (uint16_t)(40 + i % 80), &num) == 0;
		expect[i % 10] += original_bands(40 + i % 80);
	}
	ok &= tes_db_sync(db) == 0;
	for (i = 0; i < 1005 && ok; i++) {
		mkreport(&r, 5000 + i, "A", 1);
		ok &= tes_db_decide(db, r.id, 1, "", "alice", 1700001000, NULL) == 0;
		if (i == 998)
			ok &= util_size(d, "drivers.enc") < 0 && tes_db_compact_wait(db) == 0 &&
			      util_size(d, "drivers.enc") < 0;
	}
	OK(ok, "no drivers.enc before the 1000th decision; five more decisions after it");
	EQ_INT(tes_db_compact_wait(db), 0, "background compaction after the 1000th decision");
	OK(util_size(d, "drivers.enc") > 0 && util_size(d, "drivers.enc.tmp") < 0,
	   "drivers.enc written, no temporary left (MUST-SN4)");
	ino = ino_of(d, "drivers.enc");

	/* a rewrite that cannot create its temporary file fails, is reported, and is retried */
	util_path(tmp, d, "drivers.enc.tmp");
	OK(mkdir(tmp, 0700) == 0, "drivers.enc.tmp blocked by a directory");
	for (; i < 2000 && ok; i++) {
		mkreport(&r, 5000 + i, "A", 1);
		ok &= tes_db_decide(db, r.id, 1, "", "alice", 1700001000, NULL) == 0;
	}
	OK(ok, "decisions up to the 2000th");
	EQ_INT(tes_db_compact_wait(db), TES_ERR_IO, "the second rewrite fails");
	mkreport(&r, 5000 + i++, "A", 1);
	OK(tes_db_decide(db, r.id, 1, "", "alice", 1700001000, NULL) == 0 &&
		   tes_db_compact_wait(db) == TES_ERR_IO,
	   "the next decision retries it (and fails again)");
	OK(ino_of(d, "drivers.enc") == ino, "the last good drivers.enc is untouched (MUST-SN4)");
	OK(rmdir(tmp) == 0, "unblocked");
	mkreport(&r, 5000 + i++, "A", 1);
	OK(tes_db_decide(db, r.id, 1, "", "alice", 1700001000, NULL) == 0 && tes_db_compact_wait(db) == 0,
	   "the decision after that rewrites it");
	OK(ino_of(d, "drivers.enc") != ino, "drivers.enc replaced");
	EQ_INT(tes_db_verify(db, msg, sizeof(msg), &recs), 0, "verify after compactions: %s", msg);
	for (; i < N && ok; i++) {
		mkreport(&r, 5000 + i, "A", 1);
		ok &= tes_db_decide(db, r.id, 1, "", "alice", 1700001000, NULL) == 0;
	}
	tes_db_close(db);
	EQ_INT(tes_db_open(d, &db), 0, "reopen after compaction");
	for (i = 0; i < 10 && db != NULL; i++) {
		snprintf(plate, sizeof(plate), "PL%u", i);
		ok &= tes_db_driver_points(db, plate, 0, NULL) == expect[i];
	}
	OK(ok, "same totals after reopen (MUST-SN3)");
	EQ_INT(tes_db_pending_count(db), 0, "all decided");
	EQ_INT(tes_db_compact(db), 0, "explicit compaction");
	tes_db_close(db);
	EQ_INT(open_rc(d), 0, "open after explicit compaction");
}

/* tes_db_event_count/event_at: decisions and audit records in journal order, nothing else. */
struct ev_log {
	size_t n;
	struct tes_db_event e[8];
};

/* Every event read back into l; the first error, or 0. */
static int
ev_all(struct tes_db *db, struct ev_log *l)
{
	size_t k;
	int r;

	l->n = 0;
	for (k = 0; k < tes_db_event_count(db); k++) {
		if ((r = tes_db_event_at(db, k, &l->e[l->n < 8 ? l->n : 7])) != 0)
			return r;
		l->n++;
	}
	return 0;
}

static void
test_events(void)
{
	char *d = util_scratch_path("events");
	struct tes_db *db = NULL;
	struct tes_db_event e;
	struct tes_report r;
	struct ev_log l = { 0 };
	uint64_t num;
	size_t off[9];
	uint16_t pts = 0;
	int fd;

	tes_db_create(d);
	EQ_INT(tes_db_open(d, &db), 0, "open for events");
	EQ_INT(ev_all(db, &l), 0, "events of an empty journal");
	EQ_INT(l.n, 0, "no events yet");
	add_report(db, 1, "EV1", 95, &num);
	add_report(db, 2, "EV2", 60, &num);
	tes_db_sync(db);
	tes_db_audit(db, TES_AUDIT_LOGIN_OK, "alice", "dashboard login", 1700000200);
	mkreport(&r, 1, "EV1", 95);
	tes_db_decide(db, r.id, 1, "approved", "alice", 1700000300, &pts);
	mkreport(&r, 2, "EV2", 60);
	tes_db_decide(db, r.id, 0, "duplicate", "alice", 1700000400, NULL);
	EQ_INT(ev_all(db, &l), 0, "read events");
	EQ_INT(l.n, 3, "one audit and two decisions (reports skipped)");
	OK(l.e[0].type == TES_JREC_AUDIT && l.e[0].kind == TES_AUDIT_LOGIN_OK &&
		   strcmp(l.e[0].who, "alice") == 0 && strcmp(l.e[0].text, "dashboard login") == 0 &&
		   l.e[0].time == 1700000200,
	   "audit event fields");
	OK(l.e[1].type == TES_JREC_DECISION && l.e[1].kind == TES_VERDICT_APPROVE && l.e[1].points == pts &&
		   pts == original_bands(95) && memcmp(l.e[1].id, r.id + 0, 4) != 0,
	   "approval event with server points");
	OK(l.e[2].type == TES_JREC_DECISION && l.e[2].kind == TES_VERDICT_REJECT && l.e[2].points == 0 &&
		   strcmp(l.e[2].text, "duplicate") == 0 && memcmp(l.e[2].id, r.id, TES_REPORT_ID_LEN) == 0,
	   "rejection event with its reason and report id");
	OK(l.e[0].seq == 3 && l.e[1].seq == 4 && l.e[2].seq == 5, "journal order and record numbers");
	EQ_INT(tes_db_event_at(db, 3, &e), TES_ERR_NOTFOUND, "no event past the end");
	tes_db_close(db);
	EQ_INT(tes_db_open(d, &db), 0, "reopen");
	EQ_INT(ev_all(db, &l), 0, "events after reopen");
	OK(l.n == 3 && l.e[0].seq == 3 && l.e[2].seq == 5 && strcmp(l.e[2].text, "duplicate") == 0,
	   "the same events, indexed by the replay");
	/* a flipped byte inside the audit record must not be shown as history */
	{
		char p[512];
		uint8_t b = 0;

		OK(record_offsets(d, off, 8) == 5, "five records");
		util_path(p, d, "journal");
		fd = open(p, O_RDWR);
		OK(fd >= 0 && pread(fd, &b, 1, (off_t)off[2] + 50) == 1, "read a byte of the audit record");
		b ^= 1;
		OK(pwrite(fd, &b, 1, (off_t)off[2] + 50) == 1, "flip it");
		close(fd);
		EQ_INT(tes_db_event_at(db, 0, &e), TES_ERR_CORRUPT, "tampered audit record refused");
		OK(e.type == 0 && e.who[0] == '\0', "nothing of it returned");
		EQ_INT(tes_db_event_at(db, 1, &e), 0, "the decision after it still reads (its own MAC)");
	}
	tes_db_close(db);
}

/*
 * tes_db_plate_foreach: the reports of one plate, whether their plate tag
 * comes from the report itself, from the replay of a decision after the
 * snapshot, or from the thread that reads the reports found at open.
 */
struct plate_log {
	size_t n;
	uint64_t num[16];
	const char *plate;
	int wrong;
};

static int
plate_keep(void *ctx, const struct tes_db_report *d)
{
	struct plate_log *l = ctx;

	if (strcmp(d->r.plate, l->plate) != 0)
		l->wrong = 1;
	if (l->n < 16)
		l->num[l->n] = d->number;
	l->n++;
	return 0;
}

static int
plate_has(struct tes_db *db, const char *plate, size_t n, const uint64_t *want)
{
	struct plate_log l = { .plate = plate };
	size_t i;

	if (tes_db_plate_foreach(db, plate, plate_keep, &l) != 0 || l.wrong || l.n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (l.num[i] != want[i])
			return 0;
	return 1;
}

static void
test_plates(void)
{
	static const uint64_t a[] = { 1, 3, 5, 7, 9, 11 }, b[] = { 2, 6, 10 }, c[] = { 4, 8, 12 },
			      a2[] = { 1, 3, 5, 7, 9, 11, 13 };
	char *d = util_scratch_path("plates");
	struct tes_db *db = NULL;
	struct tes_report r;
	uint64_t num;
	unsigned i;
	pid_t pid;
	int ok = 1, st = 0;

	tes_db_create(d);
	EQ_INT(tes_db_open(d, &db), 0, "open for plates");
	for (i = 1; i <= 12; i++)
		ok &= add_report(db, 700 + i,
				 i % 2        ? "AAA111"
				 : i % 4 == 2 ? "BBB222"
					      : "AAA111234567",
				 80, &num) == 0;
	OK(ok, "12 reports of three plates (one a prefix of another)");
	OK(plate_has(db, "AAA111", 6, a) && plate_has(db, "BBB222", 3, b) &&
		   plate_has(db, "AAA111234567", 3, c),
	   "each plate's reports, tagged as they arrive");
	OK(plate_has(db, "ZZZ999", 0, NULL), "no report of an unknown plate");
	OK(tes_db_report_is_pending(db, 0) && !tes_db_report_is_pending(db, 12), "pending from memory");
	tes_db_close(db);
	/* a decision no snapshot covers (the deciding process dies before close writes drivers.enc) */
	if ((pid = fork()) == 0) {
		struct tes_db *child = NULL;

		mkreport(&r, 701, "A", 1);
		_exit(tes_db_open(d, &child) == 0 &&
				      tes_db_decide(child, r.id, 1, "", "alice", 1700000500, NULL) == 0 &&
				      util_size(d, "drivers.enc") < 0
			      ? 0
			      : 1);
	}
	OK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "report 1 decided by a process that exits without closing");

	EQ_INT(tes_db_open(d, &db), 0, "reopen: the replay decrypts that decision and tags report 1");
	OK(!tes_db_report_is_pending(db, 0) && tes_db_report_is_pending(db, 1), "decided: not pending");
	OK(plate_has(db, "AAA111", 6, a) && plate_has(db, "BBB222", 3, b),
	   "right reports on the first history after open (it waits for the tags)");
	EQ_INT(tes_db_tags_wait(db), 12, "every report tagged after open");
	OK(plate_has(db, "AAA111", 6, a) && plate_has(db, "BBB222", 3, b) &&
		   plate_has(db, "AAA111234567", 3, c),
	   "right reports from the tags read back");
	ok = add_report(db, 713, "AAA111", 70, &num) == 0 && num == 13;
	OK(ok && plate_has(db, "AAA111", 7, a2), "a new report joins its plate");
	OK(tes_db_compact(db) == 0, "snapshot covering the decision");
	tes_db_close(db);
	EQ_INT(tes_db_open(d, &db), 0, "reopen over the snapshot");
	EQ_INT(tes_db_tags_wait(db), 13, "every report tagged");
	OK(plate_has(db, "AAA111", 7, a2) && plate_has(db, "AAA111234567", 3, c),
	   "right reports after a snapshot");
	tes_db_close(db);
}

/* Records sealed with a store's own keys: what only a holder of storage.key can write. */

static int
store_keys(const char *dir, struct tes_seal_keys *jk, struct tes_seal_keys *dk)
{
	unsigned char *sk;
	char p[512];
	size_t len = 0;

	util_path(p, dir, "storage.key");
	if ((sk = util_file_read(p, &len)) == NULL || len != TES_STORE_KEY_LEN) {
		free(sk);
		return -1;
	}
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, jk);
	tes_seal_keys_derive(sk, TES_SEAL_DRIVERS, dk);
	free(sk);
	return 0;
}

/* Seq and chain value of the journal's last record (the genesis value when there is none). */
static uint64_t
journal_end(const char *dir, const struct tes_seal_keys *jk, uint8_t head[32])
{
	size_t off[256], n, len = 0;
	unsigned char *b;
	uint64_t seq = 0;
	char p[512];

	n = record_offsets(dir, off, 255);
	util_path(p, dir, "journal");
	if ((b = util_file_read(p, &len)) == NULL)
		return 0;
	if (n == 0) {
		tes_journal_genesis(jk, b, head);
	} else {
		seq = tes_cur_dec64be(b + off[n - 1] + 8);
		memcpy(head, b + len - 32, 32);
	}
	free(b);
	return seq;
}

/* Append one authentic record of type with clear key and body; its seq, 0 on failure. */
static uint64_t
append_sealed(const char *dir, uint8_t type, const uint8_t key[TES_JOURNAL_KEY_LEN], const uint8_t *body,
	      size_t n)
{
	struct tes_seal_keys jk, dk;
	struct tes_journal_hdr h;
	uint8_t head[32], iv[8] = { 8, 7, 6, 5, 4, 3, 2, 1 }, rec[TES_JOURNAL_REC_MAX];
	size_t used = 0;
	char p[512];
	int fd, ok;

	if (store_keys(dir, &jk, &dk) != 0)
		return 0;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.seq = journal_end(dir, &jk, head) + 1;
	memcpy(h.key, key, TES_JOURNAL_KEY_LEN);
	if (tes_journal_seal(&jk, head, &h, iv, body, n, rec, sizeof(rec), &used) != 0)
		return 0;
	util_path(p, dir, "journal");
	if ((fd = open(p, O_WRONLY | O_APPEND)) < 0)
		return 0;
	ok = write(fd, rec, used) == (ssize_t)used;
	close(fd);
	return ok ? h.seq : 0;
}

/* A drivers.enc at the journal's current end holding the given totals (plates in order). */
static int
write_snapshot(const char *dir, const struct tes_driver *v, size_t count)
{
	struct tes_seal_keys jk, dk;
	struct tes_drivers_hdr h;
	uint8_t iv[8] = { 3, 1, 4, 1, 5, 9, 2, 6 }, out[1024];
	size_t used = 0;
	char p[512];

	if (store_keys(dir, &jk, &dk) != 0)
		return -1;
	h.journal_seq = journal_end(dir, &jk, h.mac_at_seq);
	h.count = (uint32_t)count;
	if (tes_drivers_encode(&dk, &h, iv, v, count, out, sizeof(out), &used) != 0)
		return -1;
	util_path(p, dir, "drivers.enc");
	return util_file_write(p, out, used, 0600);
}

/* A DECISION body as a key holder could write it, rules or not. */
static size_t
decision_body(uint8_t *out, unsigned report, uint8_t verdict, uint16_t points)
{
	struct tes_journal_decision m;
	struct tes_report r;
	size_t used = 0;

	mkreport(&r, report, "A", 1);
	memset(&m, 0, sizeof(m));
	memcpy(m.id, r.id, TES_REPORT_ID_LEN);
	m.verdict = verdict;
	m.points = points;
	m.officer_len = 7;
	memcpy(m.officer, "mallory", 7);
	m.time = 1700000500;
	return tes_journal_decision_encode(&m, out, TES_JOURNAL_BODY_MAX, &used) == 0 ? used : 0;
}

/*
 * The lazy store: LZ1 (75 km/h, 20 points if approved) and LZ2 pending,
 * LZ3 (120 km/h) approved through the API; closed, so drivers.enc covers
 * everything.
 */
static void
build_lazy(const char *d, uint8_t id1[TES_REPORT_ID_LEN])
{
	struct tes_db *db = NULL;
	struct tes_report r;
	uint64_t num;

	EQ_INT(tes_db_create(d), 0, "create the store for decisions under the snapshot");
	EQ_INT(tes_db_open(d, &db), 0, "open it");
	if (db == NULL)
		return;
	add_report(db, 201, "LZ1", 75, &num);
	add_report(db, 202, "LZ2", 75, &num);
	add_report(db, 203, "LZ3", 120, &num);
	tes_db_sync(db);
	mkreport(&r, 203, "A", 1);
	EQ_INT(tes_db_decide(db, r.id, 1, "radar", "alice", 1700000400, NULL), 0, "approve LZ3");
	tes_db_close(db);
	mkreport(&r, 201, "A", 1);
	memcpy(id1, r.id, TES_REPORT_ID_LEN);
}

/*
 * Append a DECISION for report 201 (header key id1, body as given) and a
 * snapshot that covers it with the totals it claims; open the store.
 */
static int
lazy_case(const char *tpl, const char *d, const uint8_t id1[TES_REPORT_ID_LEN], const uint8_t *body, size_t n,
	  uint32_t lz1_points, struct tes_db **db)
{
	struct tes_driver v[2];
	size_t k = 0;

	util_rm_rf(d);
	copy_store(tpl, d);
	if (append_sealed(d, TES_JREC_DECISION, id1, body, n) == 0)
		return -100;
	if (lz1_points != 0)
		mkdriver(&v[k++], "LZ1", lz1_points);
	mkdriver(&v[k++], "LZ3", 50);
	/* version 2: each offence at its report's observation time (mkreport) */
	v[0].time = v[k - 1].time = 1700000000;
	if (write_snapshot(d, v, k) != 0)
		return -101;
	return tes_db_open(d, db);
}

/* A drivers.enc of version 1 at the journal's end, as version 1 wrote it: totals per plate. */
static int
write_snapshot_v1(const char *dir, const struct tes_driver *v, size_t count)
{
	struct tes_seal_keys jk, dk;
	uint8_t head[32], out[1024];
	uint64_t seq;
	size_t n;
	char p[512];

	if (store_keys(dir, &jk, &dk) != 0)
		return -1;
	seq = journal_end(dir, &jk, head);
	if ((n = drivers_v1(&dk, v, count, out, sizeof(out))) == 0)
		return -1;
	/* drivers_v1 writes seq 5 and a dummy chain value: put the journal's, then mac again */
	tes_cur_enc64be(out + 8, seq);
	memcpy(out + 16, head, 32);
	tes_hmac_sha256(dk.mac, sizeof(dk.mac), out, n - 32, out + n - 32);
	util_path(p, dir, "drivers.enc");
	return util_file_write(p, out, n, 0600);
}

static const char pol_excess[] = "tes-policy 1\nbasis excess\ntolerance-kmh 3\ntolerance-percent 10\n"
				 "band 1 15\nband 30 40\nthreshold 50\nwindow-days 2\n";

/*
 * Policies, offences inside the window, thresholds, disabled users and
 * imports (spec/STORAGE.md#points), through the store's API and across
 * reopen and compaction.
 */
static void
test_points(void)
{
	char *d = util_scratch_path("points"), msg[256];
	struct tes_db_import_entry imp[2];
	struct tes_db *db = NULL;
	struct tes_db_report out;
	struct tes_report r;
	struct tes_policy pol;
	uint8_t batch[32], role = 0, hash[32];
	uint32_t line = 0, v = 0;
	uint64_t num, day2 = 1700000000 + 2 * 86400;
	size_t added = 0;
	int over = -1, off = -1;
	char h[TES_JOURNAL_HASH_MAX + 1];

	EQ_INT(tes_db_create(d), 0, "points: create");
	EQ_INT(tes_db_open(d, &db), 0, "points: open");
	if (db == NULL)
		return;
	EQ_INT(tes_db_policy(db, &pol, hash), 0, "a new store has the built-in policy, version 0");
	add_report(db, 301, "PA1", 75, &num);  /* limit 50 */
	add_report(db, 302, "PA1", 120, &num); /* limit 50 */
	add_report(db, 303, "PB2", 58, &num);
	tes_db_sync(db);
	mkreport(&r, 301, "A", 1);
	EQ_INT(tes_db_decide(db, r.id, 1, "radar", "alice", 1700000400, NULL), 0,
	       "approve 301 under version 0");
	EQ_INT(tes_db_policy_set(db, (const uint8_t *)"tes-policy 1\nbasis fast\n", 24, &line, &v),
	       TES_ERR_FORMAT, "a policy that does not parse is refused");
	EQ_INT(line, 2, "... naming its line");
	EQ_INT(tes_db_policy_set(db, (const uint8_t *)pol_excess, strlen(pol_excess), &line, &v), 0,
	       "policy set");
	EQ_INT(v, 1, "... as version 1");
	EQ_INT(tes_db_policy_set(db, (const uint8_t *)pol_excess, strlen(pol_excess), &line, &v),
	       TES_ERR_EXISTS, "the same text again is refused as the current one");
	mkreport(&r, 302, "A", 1);
	OK(tes_db_report_get(db, r.id, &out) == 0 && out.points == 40 && out.policy_version == 1 &&
		   out.why.band == 2 && out.why.tolerance == 8 && out.why.value == 62,
	   "pending 120 km/h in a 50 zone: tolerance 3 + 5, excess 62, band 2, 40 points (version 1)");
	EQ_INT(tes_db_decide(db, r.id, 1, "radar", "alice", 1700000500, NULL), 0,
	       "approve 302 under version 1");
	mkreport(&r, 303, "A", 1);
	OK(tes_db_report_get(db, r.id, &out) == 0 && out.points == 0 && out.why.band == 0,
	   "58 km/h in a 50 zone: under the tolerance, 0 points");
	mkreport(&r, 301, "A", 1);
	OK(tes_db_report_get(db, r.id, &out) == 0 && out.points == 20 && out.policy_version == 0,
	   "the decision made before the change keeps its 20 points and version 0");
	EQ_INT(tes_db_driver_points(db, "PA1", 1700000000, &over), 60, "PA1: 60 points inside the window");
	EQ_INT(over, 1, "... at or over the threshold of 50");
	EQ_INT(tes_db_driver_points(db, "PA1", day2, &over), 0, "two days later: none inside the window");
	EQ_INT(over, 0, "... and under the threshold");
	EQ_INT(tes_db_driver_total(db, "PA1"), 60, "... though 60 in all");
	OK(tes_db_driver_counts(db, 1700000000, 1700000000 + 2 * 86400 - 1) &&
		   !tes_db_driver_counts(db, 1700000000, 1700000000 + 2 * 86400),
	   "an offence counts for exactly window-days (MUST-PO6 edge)");

	/* accounts */
	EQ_INT(tes_db_user_add(db, "olga", TES_ROLE_OFFICER,
			       "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"),
	       0, "add olga");
	EQ_INT(tes_db_user_disable(db, "olga"), 0, "disable olga");
	EQ_INT(tes_db_user_disable(db, "olga"), TES_ERR_EXISTS, "disable twice: EXISTS");
	EQ_INT(tes_db_user_disable(db, "nobody"), TES_ERR_NOTFOUND, "disable an unknown user: NOTFOUND");
	EQ_INT(tes_db_user_get(db, "olga", &role, h), TES_ERR_AUTH,
	       "a disabled user does not log in (MUST-B9)");
	OK(tes_db_user_info(db, "olga", &role, &off) == 0 && off == 1 && role == TES_ROLE_OFFICER,
	   "user_info: disabled");

	/* imports */
	memset(imp, 0, sizeof(imp));
	memset(batch, 0x42, sizeof(batch));
	imp[0].plate_len = 3, memcpy(imp[0].plate, "PA1", 3), imp[0].points = 7;
	imp[1].plate_len = 3, memcpy(imp[1].plate, "IM9", 3), imp[1].points = 1000000;
	EQ_INT(tes_db_import(db, batch, imp, 2, 1700000000, &added), 0, "import two plates");
	EQ_INT(added, 2, "... two records");
	EQ_INT(tes_db_import(db, batch, imp, 2, 1700000001, &added), TES_ERR_EXISTS,
	       "the same batch again: EXISTS");
	EQ_INT(tes_db_driver_points(db, "PA1", 1700000000, NULL), 67, "PA1: 60 + 7 imported");
	EQ_INT(tes_db_verify(db, msg, sizeof(msg), NULL), 0, "verify: %s", msg);
	tes_db_close(db);
	db = NULL;

	/* reopen: replayed from the journal; then compacted (drivers.enc version 2) and reopened */
	EQ_INT(tes_db_open(d, &db), 0, "points: reopen");
	OK(db != NULL && tes_db_policy(db, NULL, NULL) == 1 &&
		   tes_db_driver_points(db, "PA1", 1700000000, NULL) == 67 &&
		   tes_db_driver_points(db, "IM9", day2, NULL) == 0 &&
		   tes_db_driver_total(db, "IM9") == 1000000,
	   "after reopen: policy 1, offences with their times");
	OK(db != NULL && tes_db_user_info(db, "olga", &role, &off) == 0 && off == 1,
	   "olga is still disabled");
	EQ_INT(db != NULL
		       ? tes_db_user_passwd(db, "olga", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2gy")
		       : -1,
	       0, "passwd olga");
	OK(db != NULL && tes_db_user_get(db, "olga", &role, h) == 0, "passwd enables her (MUST-B9)");
	EQ_INT(db != NULL ? tes_db_compact(db) : -1, 0, "compact");
	tes_db_close(db);
	db = NULL;
	EQ_INT(tes_db_open(d, &db), 0, "points: reopen from drivers.enc version 2");
	OK(db != NULL && tes_db_driver_points(db, "PA1", 1700000000, NULL) == 67 &&
		   tes_db_driver_points(db, "PA1", day2, NULL) == 0 &&
		   tes_db_user_get(db, "olga", &role, h) == 0,
	   "the snapshot keeps each offence's time");
	EQ_INT(db != NULL ? tes_db_import(db, batch, imp, 2, 1700000002, &added) : -1, TES_ERR_EXISTS,
	       "a batch under the snapshot is still known");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, 0, "verify: %s", msg);
	tes_db_close(db);
}

/* A store with a version-1 drivers.enc (totals only) opens, rebuilding every offence from the journal. */
static void
test_snapshot_v1(void)
{
	char *d = util_scratch_path("snapv1"), msg[256];
	struct tes_driver v[1];
	struct tes_db *db = NULL;
	struct tes_report r;
	uint64_t num;

	EQ_INT(tes_db_create(d), 0, "v1: create");
	EQ_INT(tes_db_open(d, &db), 0, "v1: open");
	if (db == NULL)
		return;
	add_report(db, 401, "VA1", 75, &num);
	add_report(db, 402, "VA1", 120, &num);
	tes_db_sync(db);
	mkreport(&r, 401, "A", 1);
	tes_db_decide(db, r.id, 1, "radar", "alice", 1700000400, NULL);
	mkreport(&r, 402, "A", 1);
	tes_db_decide(db, r.id, 1, "radar", "alice", 1700000400, NULL);
	tes_db_close(db);
	db = NULL;
	mkdriver(&v[0], "VA1", 70);
	EQ_INT(write_snapshot_v1(d, v, 1), 0, "write a version-1 drivers.enc with the right totals");
	EQ_INT(tes_db_open(d, &db), 0, "a store with a version-1 drivers.enc opens");
	OK(db != NULL && tes_db_driver_points(db, "VA1", 1700000000, NULL) == 70,
	   "its totals, with each offence's time");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, 0, "verify: %s", msg);
	tes_db_close(db); /* writes version 2 */
	db = NULL;
	EQ_INT(tes_db_open(d, &db), 0, "reopen after the close rewrote drivers.enc");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, 0, "verify (version 2 now): %s",
	       msg);
	tes_db_close(db);
	db = NULL;
	mkdriver(&v[0], "VA1", 71);
	EQ_INT(write_snapshot_v1(d, v, 1), 0, "a version-1 drivers.enc whose totals differ from the journal");
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "... is refused (MUST-RC3)");
}

/* DECISION records the snapshot covers are checked when read back and by verify, not at open. */
static void
test_decisions_under_snapshot(void)
{
	char *tpl = util_scratch_path("lazy"), *d = util_scratch_path("lazy1"), msg[256];
	uint8_t id1[TES_REPORT_ID_LEN], body[TES_JOURNAL_BODY_MAX];
	struct tes_db *db = NULL;
	struct tes_db_report out;
	uint16_t pts;
	size_t n;

	build_lazy(tpl, id1);

	/* a well-formed decision crafted the same way: the negative cases below fail for their flaw only */
	n = decision_body(body, 201, TES_VERDICT_APPROVE, 20);
	EQ_INT(lazy_case(tpl, d, id1, body, n, 20, &db), 0,
	       "crafted valid DECISION under the snapshot opens");
	OK(db != NULL && tes_db_report_at(db, 0, &out) == 0 && out.status == TES_STATUS_APPROVED &&
		   out.points == 20 && strcmp(out.officer, "mallory") == 0 && out.decided_at == 1700000500,
	   "its verdict, points and officer are read back from the record");
	OK(db != NULL && tes_db_report_at(db, 2, &out) == 0 && out.status == TES_STATUS_APPROVED &&
		   out.points == 50 && strcmp(out.reason, "radar") == 0,
	   "a decision made through the store reads back");
	EQ_INT(db != NULL ? tes_db_pending_count(db) : 99, 1, "one report left pending");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, 0, "verify accepts it: %s", msg);
	tes_db_close(db);
	db = NULL;

	/* the same decision store without drivers.enc: every decision decrypted, totals rebuilt */
	unlink(util_scratch_path("lazy1/drivers.enc"));
	EQ_INT(tes_db_open(d, &db), 0, "open without drivers.enc");
	OK(db != NULL && tes_db_driver_points(db, "LZ1", 0, NULL) == 20 &&
		   tes_db_driver_points(db, "LZ3", 0, NULL) == 50,
	   "totals rebuilt from the decisions");
	tes_db_close(db);
	db = NULL;

	/* approval with points that do not match the speed (75 km/h gives 20) */
	n = decision_body(body, 201, TES_VERDICT_APPROVE, 50);
	util_rm_rf(d);
	copy_store(tpl, d);
	OK(append_sealed(d, TES_JREC_DECISION, id1, body, n) != 0, "append a DECISION with wrong points");
	EQ_INT(open_rc(d), TES_ERR_CORRUPT, "wrong points after the snapshot -> CORRUPT at open (MUST-B4)");
	EQ_INT(lazy_case(tpl, d, id1, body, n, 50, &db), 0,
	       "wrong points under the snapshot: the store opens");
	EQ_INT(db != NULL ? tes_db_report_at(db, 0, &out) : -1, TES_ERR_CORRUPT,
	       "... the report reads back CORRUPT");
	OK(out.status == 0 && out.points == 0 && out.number == 0, "... and nothing of it is returned");
	EQ_INT(db != NULL ? tes_db_report_get(db, id1, &out) : -1, TES_ERR_CORRUPT, "... also by id");
	OK(db != NULL && tes_db_report_at(db, 1, &out) == 0 && out.status == TES_STATUS_PENDING,
	   "... the other reports read back");
	EQ_INT(db != NULL ? tes_db_decide(db, id1, 0, NULL, "alice", 1700000600, &pts) : -1, TES_ERR_DECIDED,
	       "... it cannot be decided again");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, TES_ERR_CORRUPT,
	       "... verify refuses it");
	OK(strstr(msg, "seq 5 ") != NULL && strstr(msg, "points") != NULL, "verify names it: %s", msg);
	tes_db_close(db);
	db = NULL;

	/* body id differs from the clear key */
	n = decision_body(body, 202, TES_VERDICT_REJECT, 0);
	EQ_INT(lazy_case(tpl, d, id1, body, n, 0, &db), 0,
	       "DECISION body for another report: the store opens");
	EQ_INT(db != NULL ? tes_db_report_at(db, 0, &out) : -1, TES_ERR_CORRUPT,
	       "... the report reads back CORRUPT");
	{
		struct ev_log l = { 0 };

		EQ_INT(db != NULL ? ev_all(db, &l) : -1, TES_ERR_CORRUPT, "... the audit log refuses it");
	}
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, TES_ERR_CORRUPT,
	       "... verify refuses it");
	OK(strstr(msg, "bad DECISION body") != NULL, "verify names it: %s", msg);
	tes_db_close(db);
	db = NULL;

	/* a body that is no DECISION at all */
	EQ_INT(lazy_case(tpl, d, id1, (const uint8_t *)"not a decision", 14, 0, &db), 0,
	       "undecodable DECISION body: the store opens");
	EQ_INT(db != NULL ? tes_db_report_at(db, 0, &out) : -1, TES_ERR_CORRUPT,
	       "... the report reads back CORRUPT");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, TES_ERR_CORRUPT,
	       "... verify refuses it");
	tes_db_close(db);
	db = NULL;

	/* what the clear header tells is still checked at open, under the snapshot too */
	{
		struct tes_report r;

		n = decision_body(body, 203, TES_VERDICT_APPROVE, 50);
		mkreport(&r, 203, "A", 1);
		EQ_INT(lazy_case(tpl, d, r.id, body, n, 20, &db), TES_ERR_CORRUPT,
		       "second DECISION for a decided report under the snapshot -> CORRUPT at open");
		tes_db_close(db);
		db = NULL;
		mkreport(&r, 299, "A", 1);
		n = decision_body(body, 299, TES_VERDICT_REJECT, 0);
		EQ_INT(lazy_case(tpl, d, r.id, body, n, 0, &db), TES_ERR_CORRUPT,
		       "DECISION for an unknown report under the snapshot -> CORRUPT at open");
		tes_db_close(db);
		db = NULL;
	}
	/* a tampered (not re-sealed) DECISION under the snapshot still breaks the chain at open */
	n = decision_body(body, 201, TES_VERDICT_APPROVE, 20);
	EQ_INT(lazy_case(tpl, d, id1, body, n, 20, &db), 0, "valid DECISION under the snapshot");
	tes_db_close(db);
	db = NULL;
	{
		size_t off[16], nr = record_offsets(d, off, 15);

		flip(d, "journal", off[nr - 1] + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN + 2, 5);
		EQ_INT(open_rc(d), TES_ERR_CORRUPT,
		       "its ciphertext flipped -> CORRUPT at open (the snapshot anchors it)");
	}
	util_rm_rf(d);
}

/*
 * Open checks the chain in runs of records on several threads: damage
 * anywhere in a longer journal, at or near any run boundary, is still
 * found, and the first damaged record decides between CORRUPT and a torn
 * tail.
 */
static void
test_chain_parts(void)
{
	enum {
		NREP = 1500,
		NREC = NREP + NREP / 15
	};
	char *d = util_scratch_path("chain"), *c = util_scratch_path("chain1"), msg[256], head[256];
	static size_t off[NREC + 8];
	struct tes_db *db = NULL;
	struct tes_report r;
	uint64_t num, recs = 0;
	size_t n, k, len = 0;
	unsigned char *buf, *out;
	char p[512];
	long before;
	unsigned i;
	int ok = 1, ok2 = 1;

	EQ_INT(tes_db_create(d), 0, "create a longer journal");
	EQ_INT(tes_db_open(d, &db), 0, "open it");
	if (db == NULL)
		return;
	for (i = 0; i < NREP; i++)
		ok &= add_report(db, 7000 + i, "CH1", (uint16_t)(60 + i % 50), &num) == 0;
	ok &= tes_db_sync(db) == 0;
	for (i = 0; i < NREP; i += 15) {
		mkreport(&r, 7000 + i, "A", 1);
		ok &= tes_db_decide(db, r.id, i % 2, "", "alice", 1700000000, NULL) == 0;
	}
	OK(ok, "%u reports, %u decisions", NREP, NREP / 15);
	tes_db_close(db);
	/* records after the snapshot, so that the last one may be torn */
	EQ_INT(tes_db_open(d, &db), 0, "reopen it");
	if (db == NULL)
		return;
	for (i = 0; i < 3; i++)
		ok &= tes_db_audit(db, TES_AUDIT_VERIFY, NULL, "after the snapshot", 1700000000) == 0;
	OK(ok, "three records after the snapshot");
	EQ_INT(tes_db_verify(db, head, sizeof(head), &recs), 0, "verify it: %s", head);
	tes_db_close(db);
	n = record_offsets(d, off, NREC + 8);
	EQ_INT(n, NREC + 3, "record count");
	EQ_INT(records_after_open(d), n, "every record is applied after a threaded check");

	/* a flipped mac byte in record k: records k and k + 1 fail, k decides */
	for (k = 0; k + 1 < n; k += k < 40 ? 1 : 37) {
		util_rm_rf(c);
		copy_store(d, c);
		flip(c, "journal", off[k + 1] - 1 - k % 32, (int)(k % 8));
		before = util_size(c, "journal");
		ok2 &= open_rc(c) == TES_ERR_CORRUPT && util_size(c, "journal") == before;
	}
	OK(ok2, "a flipped mac in any record but the last -> CORRUPT, file kept");
	util_rm_rf(c);
	copy_store(d, c);
	flip(c, "journal", off[n] - 1, 3);
	before = util_size(c, "journal");
	EQ_INT(open_rc(c), TES_ERR_CORRUPT, "a flipped mac in the last record -> CORRUPT (MUST-RC2)");
	EQ_INT(util_size(c, "journal"), before, "... nothing cut");
	util_rm_rf(c);
	copy_store(d, c);
	truncate_to(c, "journal", off[n] - 100);
	EQ_INT(records_after_open(c), n - 1, "a long journal cut inside its last record -> recovered");

	/* two records of the same length swapped far from the start: every mac is intact, the chain is not */
	util_path(p, d, "journal");
	buf = util_file_read(p, &len);
	out = malloc(len);
	for (k = n / 2; buf != NULL && out != NULL && k + 2 < n; k++)
		if (off[k + 1] - off[k] == off[k + 2] - off[k + 1])
			break;
	OK(buf != NULL && out != NULL && k + 2 < n, "two neighbours of the same length (%zu)", k);
	if (buf != NULL && out != NULL && k + 2 < n) {
		util_rm_rf(c);
		copy_store(d, c);
		memcpy(out, buf, len);
		memcpy(out + off[k], buf + off[k + 1], off[k + 1] - off[k]);
		memcpy(out + off[k + 1], buf + off[k], off[k + 1] - off[k]);
		util_path(p, c, "journal");
		util_file_write(p, out, len, 0600);
		EQ_INT(open_rc(c), TES_ERR_CORRUPT, "two records swapped in the second half -> CORRUPT");
		/* a copy of an earlier record appended: authentic bytes, wrong chain */
		memcpy(out, buf, len);
		memcpy(out + len - (off[k + 1] - off[k]), buf + off[k], off[k + 1] - off[k]);
		util_file_write(p, out, len, 0600);
		EQ_INT(open_rc(c), TES_ERR_CORRUPT,
		       "the last record replaced by an earlier one of its length -> CORRUPT");
	}
	free(buf);
	free(out);

	/* the undamaged store still opens and verifies to the same chain value */
	EQ_INT(tes_db_open(d, &db), 0, "reopen the undamaged store");
	EQ_INT(db != NULL ? tes_db_verify(db, msg, sizeof(msg), NULL) : -1, 0, "verify it again");
	OK(strcmp(msg, head) == 0, "same records and chain value: %s", msg);
	tes_db_close(db);
	util_rm_rf(c);
	util_rm_rf(d);
}

int
main(void)
{
	struct tes_seal_keys jk, dk;
	char *tpl;
	size_t nrec = 0;

	if (util_scratch_init("store") != 0)
		return 1;
	setenv("TES_ARGON2_MEMORY_KIB", "8", 1);
	test_siphash();
	test_index_table();
	test_index_collisions();
	test_index_reserve();
	test_index_map();
	test_keys(&jk, &dk);
	test_file_hdr();
	test_records(&jk);
	test_bad_padding(&jk);
	test_drivers_codec(&dk);
	test_drivers_versions(&dk);
	test_create();
	test_revoke();
	test_passwd();
	test_unit_user_bodies();
	test_report_bodies();
	test_decision_audit_bodies();
	test_decision_tail();
	test_v2_bodies();
	tpl = util_scratch_path("template");
	build_template(tpl, &nrec);
	test_tamper_middle(tpl, nrec);
	test_tamper_last(tpl, nrec);
	test_splice(tpl);
	test_drivers_tamper(tpl);
	test_verify_tampered(tpl);
	test_compaction();
	test_plates();
	test_events();
	test_decisions_under_snapshot();
	test_points();
	test_snapshot_v1();
	test_chain_parts();
	util_scratch_remove();
	return tap_done();
}
