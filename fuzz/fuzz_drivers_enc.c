/* SPDX-License-Identifier: ISC */
/*
 * Target "drivers_enc": the drivers.enc decoder and the journal record
 * decoder (src/store/drivers.c, src/store/journal.c, spec/STORAGE.md), with
 * real crypto and fixed storage keys. A file is MACed and encrypted, so
 * mutations of a valid one would die at the MAC; the harness therefore
 * also plays the writer, after the mutation (the wolfSSL approach):
 *
 *   input = u8 mode | file
 *   mode % 6 == 0  drivers.enc as it is (arbitrary files: the MAC check)
 *   mode % 6 == 1  drivers.enc, MAC recomputed (header and count checks)
 *   mode % 6 == 2  drivers.enc whose ciphertext area holds plaintext: the
 *                  harness encrypts it with the IV of the header, then MACs
 *                  (padding and entry checks)
 *   mode % 6 == 3  a journal file header, then journal records as they are
 *   mode % 6 == 4  journal records (no file header) whose ciphertext area
 *                  holds plaintext: encrypted and MACed by the harness,
 *                  chained from the genesis of a fixed file header, then
 *                  opened and their bodies decoded
 *   mode % 6 == 5  by sel = (mode >> 3) % 16:
 *     sel 1..6     a record body of type sel (UNIT .. REVOKE): decoded, and
 *                  also read field by field without any check and given to
 *                  the encoder, with the whole room and with less
 *     sel 8..10    the same for a body of type sel - 1 (POLICY, DISABLE,
 *                  IMPORT)
 *     sel 7        the writer's side of a journal: storage key derivation,
 *                  file header, record header, seal and open of a record
 *                  with fuzzer-chosen fields, keys, IV, chain value and room
 *     sel 0, 11..15  the writer's side of drivers.enc: fuzzer-chosen entries
 *                  (as the plaintext lays them out, with a time), header
 *                  and room
 *
 * drivers.enc files are read in both versions (1: entries without time, 2:
 * with a u64 time); the encoder writes version 2.
 *
 * Properties: a version 2 snapshot or a body that decodes re-encodes to the
 * same bytes; a version 1 snapshot re-encodes as version 2 to the same
 * entries; decoded plates are valid and in the order of their version
 * (version 1 strictly ascending, time 0; version 2 by (plate, time)); a
 * DECISION body is the version 1 length or that plus the policy tail, as
 * has_policy says; whatever an encoder
 * accepts decodes back to itself, whatever it refuses it refuses with any
 * room, and with too little room for what it accepts it fails with
 * TES_ERR_SPACE; a sealed record opens to its plaintext with the chain
 * value it was sealed with and with no other; storage keys are a function
 * of the storage key and differ per object.
 */
#include <string.h>

#include "common/cur.h"
#include "common/err.h"
#include "crypto/hmac.h"
#include "fuzz.h"
#include "store/drivers.h"
#include "store/journal.h"
#include "store/seal.h"
#include "wire/field.h"

enum {
	FILE_MAX = 16384,
	ENTRIES_MAX = FILE_MAX / TES_DRIVERS_ENTRY_MIN + 1,
	IV_OFF = TES_DRIVERS_HDR_LEN - TES_DES_BLOCK,
	WRITER_ENTRIES = 16
};

/* Creation time of the journal file header that resealed records chain from. */
#define FUZZ_CREATED 1704067200u

static const struct tes_seal_keys keys = {
	.enc = "fuzz drivers.enc 3des ky",
	.mac = "fuzz storage mac key hmac-sha256",
};

/* again is larger: a version 1 file grows by 8 bytes an entry when written as version 2 */
static uint8_t file[FILE_MAX], again[FILE_MAX * 3], out2[FILE_MAX * 3];
static struct tes_driver v[ENTRIES_MAX], v2[ENTRIES_MAX];

static uint64_t
fuzz_u64(struct fuzz_in *in)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | fuzz_u8(in);
	return x;
}

/* Up to cap bytes into dst (zeros past the end of the input). */
static void
fuzz_fill(struct fuzz_in *in, void *dst, size_t cap)
{
	const uint8_t *p;
	size_t got;

	memset(dst, 0, cap);
	p = fuzz_bytes(in, cap, &got);
	memcpy(dst, p, got);
}

/*
 * A u8-length string as the bodies lay it out, without any check: the length
 * is kept as read (the encoders must refuse it before they read past their
 * limit), the bytes that fit the array are kept, the others are skipped.
 */
static void
fuzz_str(struct fuzz_in *in, char *dst, size_t cap, uint8_t *len)
{
	const uint8_t *p;
	size_t got;

	*len = fuzz_u8(in);
	memset(dst, 0, cap);
	p = fuzz_bytes(in, *len, &got);
	memcpy(dst, p, got < cap ? got : cap);
}

static void
drivers_decode(size_t n)
{
	struct tes_drivers_hdr h;
	uint8_t iv[TES_DES_BLOCK];
	size_t used, i;

	memcpy(iv, file + IV_OFF, sizeof iv);
	memcpy(again, file, n);
	if (tes_drivers_decode(&keys, file, n, &h, v, ENTRIES_MAX) != 0)
		return;
	fuzz_check(h.version == 1 || h.version == 2, "drivers.enc version 1 or 2");
	/* spec/STORAGE.md MUST-SN2 */
	for (i = 0; i < h.count; i++) {
		int c = i == 0 ? -1
			       : tes_drivers_plate_cmp(v[i - 1].plate, v[i - 1].plate_len, v[i].plate,
						       v[i].plate_len);

		fuzz_check(tes_field_plate_valid(v[i].plate, v[i].plate_len) == 0 &&
				   (c < 0 || (h.version == 2 && c == 0 && v[i - 1].time <= v[i].time)) &&
				   (h.version == 2 || v[i].time == 0),
			   "decoded plates valid and in the order of their version");
	}
	memcpy(file, again, n);
	if (tes_drivers_encode(&keys, &h, iv, v, h.count, again, sizeof again, &used) != 0) {
		fuzz_check(0, "a decoded drivers.enc re-encodes");
		return;
	}
	if (h.version == 2) {
		fuzz_check(used == n && memcmp(again, file, n) == 0,
			   "drivers.enc re-encodes to the same file");
		return;
	}
	/* version 1: written again as version 2, the same header and entries */
	fuzz_check(again[5] == 2 && memcmp(again + 6, file + 6, TES_DRIVERS_HDR_LEN - 6) == 0 &&
			   used == tes_drivers_encoded_len(v, h.count),
		   "a version 1 drivers.enc is written again as version 2");
	fuzz_check(tes_drivers_decode(&keys, again, used, &h, v2, ENTRIES_MAX) == 0 && h.version == 2,
		   "the version 2 copy decodes");
	for (i = 0; i < h.count; i++)
		fuzz_check(v2[i].plate_len == v[i].plate_len &&
				   memcmp(v2[i].plate, v[i].plate, v[i].plate_len) == 0 &&
				   v2[i].points == v[i].points && v2[i].time == 0,
			   "the version 2 copy holds the same entries");
}

/* MAC = HMAC(mac key, header || ciphertext), over everything but the last 32 bytes. */
static void
drivers_remac(size_t n)
{
	if (n >= TES_DRIVERS_HDR_LEN + TES_MAC_LEN)
		tes_hmac_sha256(keys.mac, sizeof keys.mac, file, n - TES_MAC_LEN, file + n - TES_MAC_LEN);
}

static void
drivers_encrypt(size_t n)
{
	size_t ct;

	if (n < TES_DRIVERS_HDR_LEN + TES_MAC_LEN)
		return;
	ct = (n - TES_DRIVERS_HDR_LEN - TES_MAC_LEN) / TES_DES_BLOCK * TES_DES_BLOCK;
	tes_seal_encrypt(&keys, file + IV_OFF, file + TES_DRIVERS_HDR_LEN, ct);
}

/* The bodies of every record type, decoded or read raw. */
union body {
	struct tes_journal_unit unit;
	struct tes_journal_user user;
	struct tes_journal_report report;
	struct tes_journal_decision decision;
	struct tes_journal_audit audit;
	struct {
		uint8_t len;
		char name[TES_NAME_MAX + 1];
	} revoke;
	struct tes_journal_policy policy;
	struct tes_journal_disable disable;
	struct tes_journal_import import;
};

static int
body_dec(uint8_t type, const uint8_t *p, size_t n, union body *m)
{
	switch (type) {
	case TES_JREC_UNIT:
		return tes_journal_unit_decode(p, n, &m->unit);
	case TES_JREC_USER:
		return tes_journal_user_decode(p, n, &m->user);
	case TES_JREC_REPORT:
		return tes_journal_report_decode(p, n, &m->report);
	case TES_JREC_DECISION:
		return tes_journal_decision_decode(p, n, &m->decision);
	case TES_JREC_AUDIT:
		return tes_journal_audit_decode(p, n, &m->audit);
	case TES_JREC_REVOKE:
		return tes_journal_revoke_decode(p, n, m->revoke.name, &m->revoke.len);
	case TES_JREC_POLICY:
		return tes_journal_policy_decode(p, n, &m->policy);
	case TES_JREC_DISABLE:
		return tes_journal_disable_decode(p, n, &m->disable);
	case TES_JREC_IMPORT:
		return tes_journal_import_decode(p, n, &m->import);
	default:
		return TES_ERR_TYPE;
	}
}

static int
body_enc(uint8_t type, const union body *m, uint8_t *out, size_t cap, size_t *used)
{
	switch (type) {
	case TES_JREC_UNIT:
		return tes_journal_unit_encode(&m->unit, out, cap, used);
	case TES_JREC_USER:
		return tes_journal_user_encode(&m->user, out, cap, used);
	case TES_JREC_REPORT:
		return tes_journal_report_encode(&m->report, out, cap, used);
	case TES_JREC_DECISION:
		return tes_journal_decision_encode(&m->decision, out, cap, used);
	case TES_JREC_AUDIT:
		return tes_journal_audit_encode(&m->audit, out, cap, used);
	case TES_JREC_REVOKE:
		return tes_journal_revoke_encode(m->revoke.name, m->revoke.len, out, cap, used);
	case TES_JREC_POLICY:
		return tes_journal_policy_encode(&m->policy, out, cap, used);
	case TES_JREC_DISABLE:
		return tes_journal_disable_encode(&m->disable, out, cap, used);
	case TES_JREC_IMPORT:
		return tes_journal_import_encode(&m->import, out, cap, used);
	default:
		return TES_ERR_TYPE;
	}
}

/*
 * The canonical report as the decoder lays it out, unchecked: lengths up to
 * 255, which tes_msg_report_encode must refuse before reading the arrays.
 */
static void
raw_report(struct fuzz_in *in, struct tes_report *r)
{
	fuzz_fill(in, r->id, sizeof r->id);
	fuzz_fill(in, r->unit_key, sizeof r->unit_key);
	fuzz_str(in, r->plate, sizeof r->plate, &r->plate_len);
	r->speed = fuzz_u16(in);
	r->limit = fuzz_u16(in);
	r->time = fuzz_u64(in);
	fuzz_str(in, r->loc, sizeof r->loc, &r->loc_len);
}

/* The body of type read field by field in its own layout, with no check. */
static void
body_raw(uint8_t type, const uint8_t *p, size_t n, union body *m)
{
	struct fuzz_in in = { p, n, 0 };

	memset(m, 0, sizeof *m);
	switch (type) {
	case TES_JREC_UNIT:
		fuzz_str(&in, m->unit.name, sizeof m->unit.name, &m->unit.name_len);
		fuzz_fill(&in, m->unit.pub.n, sizeof m->unit.pub.n);
		m->unit.pub.elen = fuzz_u8(&in);
		fuzz_fill(&in, m->unit.pub.e,
			  m->unit.pub.elen < TES_RSA_E_MAX ? m->unit.pub.elen : TES_RSA_E_MAX);
		break;
	case TES_JREC_USER:
		fuzz_str(&in, m->user.name, sizeof m->user.name, &m->user.name_len);
		m->user.role = fuzz_u8(&in);
		fuzz_str(&in, m->user.hash, sizeof m->user.hash, &m->user.hash_len);
		break;
	case TES_JREC_REPORT:
		m->report.number = fuzz_u64(&in);
		m->report.received = fuzz_u64(&in);
		raw_report(&in, &m->report.r);
		fuzz_fill(&in, m->report.sig, sizeof m->report.sig);
		break;
	case TES_JREC_DECISION:
		fuzz_fill(&in, m->decision.id, sizeof m->decision.id);
		m->decision.verdict = fuzz_u8(&in);
		m->decision.points = fuzz_u16(&in);
		fuzz_str(&in, m->decision.reason, sizeof m->decision.reason, &m->decision.reason_len);
		fuzz_str(&in, m->decision.officer, sizeof m->decision.officer, &m->decision.officer_len);
		m->decision.time = fuzz_u64(&in);
		/* any has_policy byte: the encoder takes 0 and 1 only */
		m->decision.has_policy = fuzz_u8(&in);
		m->decision.policy_version = (uint32_t)fuzz_u16(&in) << 16 | fuzz_u16(&in);
		fuzz_fill(&in, m->decision.policy_hash, sizeof m->decision.policy_hash);
		break;
	case TES_JREC_AUDIT:
		m->audit.kind = fuzz_u8(&in);
		fuzz_str(&in, m->audit.who, sizeof m->audit.who, &m->audit.who_len);
		fuzz_str(&in, m->audit.text, sizeof m->audit.text, &m->audit.text_len);
		m->audit.time = fuzz_u64(&in);
		break;
	case TES_JREC_POLICY:
		m->policy.version = (uint32_t)fuzz_u16(&in) << 16 | fuzz_u16(&in);
		/* the length as read (up to 65535): the encoder must refuse it before reading past the array */
		m->policy.text_len = (uint16_t)fuzz_u16(&in);
		fuzz_fill(&in, m->policy.text, sizeof m->policy.text);
		break;
	case TES_JREC_DISABLE:
		fuzz_str(&in, m->disable.name, sizeof m->disable.name, &m->disable.name_len);
		break;
	case TES_JREC_IMPORT:
		fuzz_str(&in, m->import.plate, sizeof m->import.plate, &m->import.plate_len);
		m->import.points = (uint32_t)fuzz_u16(&in) << 16 | fuzz_u16(&in);
		m->import.time = fuzz_u64(&in);
		fuzz_fill(&in, m->import.batch, sizeof m->import.batch);
		m->import.index = (uint32_t)fuzz_u16(&in) << 16 | fuzz_u16(&in);
		m->import.count = (uint32_t)fuzz_u16(&in) << 16 | fuzz_u16(&in);
		break;
	default:
		fuzz_str(&in, m->revoke.name, sizeof m->revoke.name, &m->revoke.len);
		break;
	}
}

/*
 * The encoder of type on m, with the whole room, then with less: whatever it
 * writes decodes back to the same bytes; a refusal does not depend on the
 * room; too little room for an accepted body is TES_ERR_SPACE. hint picks one
 * of the short rooms, so the fuzzer can cut the output at any field.
 */
static void
body_writer(uint8_t type, const union body *m, uint8_t hint)
{
	static union body m2;
	size_t used = 0, used2 = 0, cap[3], i;
	int r, r2;

	r = body_enc(type, m, again, sizeof again, &used);
	if (r != 0) {
		fuzz_check(body_enc(type, m, out2, 0, &used2) == r,
			   "a refused body is refused with any room");
		return;
	}
	fuzz_check(used <= TES_JOURNAL_BODY_MAX && body_dec(type, again, used, &m2) == 0 &&
			   body_enc(type, &m2, out2, sizeof out2, &used2) == 0 && used2 == used &&
			   memcmp(out2, again, used) == 0,
		   "an encoded body decodes back to itself");
	cap[0] = 0;
	cap[1] = used - 1;
	cap[2] = (size_t)hint * used / 256;
	for (i = 0; i < 3; i++) {
		r2 = body_enc(type, m, out2, cap[i], &used2);
		fuzz_check(r2 == TES_ERR_SPACE, "too little room for a body is TES_ERR_SPACE");
	}
}

static void
body_decode(uint8_t type, const uint8_t *p, size_t n)
{
	static union body m;
	size_t used = 0;

	if (type < 1 || type > TES_JREC_MAX)
		return;
	if (body_dec(type, p, n, &m) == 0) {
		fuzz_check(body_enc(type, &m, again, sizeof again, &used) == 0 && used == n &&
				   memcmp(again, p, n) == 0,
			   "journal body re-encodes");
		/* spec/STORAGE.md MUST-B4: no tail (all zero) or exactly the 36-byte tail */
		if (type == TES_JREC_DECISION)
			fuzz_check(m.decision.has_policy == 1 ||
					   (m.decision.has_policy == 0 && m.decision.policy_version == 0 &&
					    n == TES_REPORT_ID_LEN + 1 + 2 + 1 + m.decision.reason_len + 1 +
							    m.decision.officer_len + 8),
				   "a DECISION without the policy tail has none");
	}
	body_raw(type, p, n, &m);
	body_writer(type, &m, n > 0 ? p[n - 1] : 0);
}

/* Records one after the other, chained from the genesis value of a fixed file header. */
static void
journal_records(uint8_t *p, size_t n, int reseal, uint8_t prev[static TES_JOURNAL_MAC_LEN])
{
	static uint8_t plain[TES_JOURNAL_CT_MAX];
	struct tes_journal_hdr h;
	struct tes_hmac mac;
	size_t off = 0, pn, ct;

	while (off < n && tes_journal_hdr_decode(p + off, n - off, &h) == 0 && h.total_len <= n - off) {
		if (reseal) {
			ct = h.total_len - TES_JOURNAL_OVERHEAD;
			tes_seal_encrypt(&keys, p + off + TES_JOURNAL_HDR_LEN,
					 p + off + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN, ct);
			tes_hmac_init(&mac, keys.mac, sizeof keys.mac);
			tes_hmac_update(&mac, prev, TES_JOURNAL_MAC_LEN);
			tes_hmac_update(&mac, p + off, h.total_len - TES_JOURNAL_MAC_LEN);
			tes_hmac_out(&mac, p + off + h.total_len - TES_JOURNAL_MAC_LEN);
		}
		if (tes_journal_open_rec(&keys, prev, p + off, n - off, &h, plain, sizeof plain, &pn) != 0)
			return;
		body_decode(h.type, plain, pn);
		memcpy(prev, p + off + h.total_len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
		off += h.total_len;
	}
}

/* Storage keys: a function of the storage key, one pair per object. */
static void
keys_derive(struct fuzz_in *in, struct tes_seal_keys *jk)
{
	uint8_t sk[TES_STORE_KEY_LEN];
	struct tes_seal_keys dk, again_k;

	fuzz_fill(in, sk, sizeof sk);
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, jk);
	tes_seal_keys_derive(sk, TES_SEAL_DRIVERS, &dk);
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, &again_k);
	fuzz_check(memcmp(jk, &again_k, sizeof again_k) == 0, "key derivation is a function");
	fuzz_check(memcmp(jk->enc, dk.enc, sizeof dk.enc) != 0 && memcmp(jk->mac, dk.mac, sizeof dk.mac) != 0,
		   "journal and drivers.enc keys differ");
}

/* PKCS#7: what unpads is n - pad bytes followed by the padding put_pad writes. */
static void
padding(const uint8_t *p, size_t n, size_t room)
{
	uint8_t pad[TES_DES_BLOCK];
	struct tes_cur c;
	size_t pn = 0;
	int r;

	if (tes_seal_unpad(p, n, &pn) == 0) {
		fuzz_check(n % TES_DES_BLOCK == 0 && pn < n && n - pn <= TES_DES_BLOCK, "unpadded length");
		tes_cur_init_wr(&c, pad, sizeof pad);
		fuzz_check(tes_seal_put_pad(&c, pn) == 0 && c.off == n - pn &&
				   memcmp(pad, p + pn, c.off) == 0,
			   "padding round trip");
	}
	/* the padding of n bytes needs 8 - n % 8 bytes of room */
	tes_cur_init_wr(&c, pad, room % (sizeof pad + 1));
	r = tes_seal_put_pad(&c, n);
	fuzz_check((r == 0) == (room % (sizeof pad + 1) >= TES_DES_BLOCK - n % TES_DES_BLOCK) &&
			   (r == 0 || r == TES_ERR_SPACE),
		   "padding needs its room");
}

/*
 * Seal n bytes into a record and open it again: with the chain value it was
 * sealed with it opens to the plaintext, with any other it fails the MAC;
 * a header the encoder refuses makes seal refuse.
 */
static void
seal_open(const struct tes_seal_keys *k, struct fuzz_in *in)
{
	static uint8_t plain[TES_JOURNAL_CT_MAX + TES_DES_BLOCK], opened[TES_JOURNAL_CT_MAX];
	struct tes_journal_hdr h, h2;
	uint8_t iv[TES_JOURNAL_IV_LEN], prev[TES_JOURNAL_MAC_LEN], hdr[TES_JOURNAL_HDR_LEN];
	size_t n, cap, cap2, used = 0, pn = 0;
	int r;

	memset(&h, 0, sizeof h);
	h.type = fuzz_u8(in);
	h.seq = fuzz_u64(in);
	if (fuzz_u8(in) & 1)
		fuzz_fill(in, h.key, sizeof h.key);
	fuzz_fill(in, iv, sizeof iv);
	fuzz_fill(in, prev, sizeof prev);
	cap = fuzz_u16(in) % (sizeof file + 1);
	cap2 = fuzz_u16(in) % (sizeof opened + 1);
	n = fuzz_u16(in) % (sizeof plain + 1);
	fuzz_fill(in, plain, n);
	r = tes_journal_seal(k, prev, &h, iv, plain, n, file, cap, &used);
	if (n > TES_JOURNAL_PLAIN_MAX) {
		fuzz_check(r == TES_ERR_TOOLONG, "a body above the plaintext limit is refused");
		return;
	}
	fuzz_check(h.total_len == TES_JOURNAL_OVERHEAD + tes_seal_ct_len(n), "total length of a record");
	if (r != 0) {
		fuzz_check(cap < h.total_len ? r == TES_ERR_SPACE : tes_journal_hdr_encode(&h, hdr) == r,
			   "seal refuses for the room or for the header");
		return;
	}
	fuzz_check(used == h.total_len && used <= cap && tes_journal_hdr_encode(&h, hdr) == 0 &&
			   memcmp(hdr, file, sizeof hdr) == 0 &&
			   memcmp(iv, file + sizeof hdr, sizeof iv) == 0,
		   "a sealed record starts with its header and IV");
	fuzz_check(tes_journal_hdr_decode(file, used, &h2) == 0 && h2.total_len == h.total_len &&
			   h2.type == h.type && h2.seq == h.seq && memcmp(h2.key, h.key, sizeof h.key) == 0,
		   "the header decodes back");
	r = tes_journal_open_rec(k, prev, file, used, &h2, opened, cap2, &pn);
	if (cap2 < used - TES_JOURNAL_OVERHEAD)
		fuzz_check(r == TES_ERR_SPACE, "open needs room for the ciphertext");
	else
		fuzz_check(r == 0 && pn == n && memcmp(opened, plain, n) == 0, "a sealed record opens");
	fuzz_check(tes_journal_check(k, prev, file, used - 1, &h2) == TES_ERR_TRUNCATED, "a cut record");
	prev[n % TES_JOURNAL_MAC_LEN] ^= 1;
	/* spec/STORAGE.md MUST-J6: the mac is checked against the running chain value */
	fuzz_check(tes_journal_check(k, prev, file, used, &h2) == TES_ERR_MAC, "another chain value fails");
}

/* The writer's side of a journal on fuzzer-chosen values. */
static void
journal_writer(const uint8_t *p, size_t n)
{
	struct fuzz_in in = { p, n, 0 };
	struct tes_seal_keys jk;
	struct tes_journal_hdr h;
	uint8_t fhdr[TES_JOURNAL_FILE_HDR_LEN], hdr[TES_JOURNAL_HDR_LEN], hdr2[TES_JOURNAL_HDR_LEN];
	uint64_t created, got = 0;

	keys_derive(&in, &jk);
	created = fuzz_u64(&in);
	tes_journal_file_hdr_encode(fhdr, created);
	fuzz_check(tes_journal_file_hdr_decode(fhdr, sizeof fhdr, &got) == 0 && got == created,
		   "file header round trip");
	fuzz_fill(&in, hdr, sizeof hdr);
	if (tes_journal_hdr_decode(hdr, sizeof hdr, &h) == 0)
		fuzz_check(tes_journal_hdr_encode(&h, hdr2) == 0 && memcmp(hdr2, hdr, sizeof hdr) == 0,
			   "record header re-encodes");
	padding(p, n, fuzz_u8(&in));
	seal_open(&jk, &in);
}

/* The writer's side of drivers.enc: fuzzer-chosen entries, header and room. */
static void
drivers_writer(const uint8_t *p, size_t n)
{
	static struct tes_driver w[WRITER_ENTRIES], back[WRITER_ENTRIES];
	struct fuzz_in in = { p, n, 0 };
	struct tes_drivers_hdr h, h2;
	uint8_t iv[TES_DES_BLOCK], flags;
	size_t cap, count, used = 0, used2 = 0, i;
	int r, r2;

	memset(&h, 0, sizeof h);
	flags = fuzz_u8(&in);
	cap = fuzz_u16(&in) % (FILE_MAX + 1);
	h.journal_seq = fuzz_u64(&in);
	fuzz_fill(&in, h.mac_at_seq, sizeof h.mac_at_seq);
	fuzz_fill(&in, iv, sizeof iv);
	count = fuzz_u8(&in) % (WRITER_ENTRIES + 1);
	memset(w, 0, sizeof w);
	for (i = 0; i < count; i++) {
		fuzz_str(&in, w[i].plate, sizeof w[i].plate, &w[i].plate_len);
		w[i].points = (uint32_t)fuzz_u16(&in) << 16 | fuzz_u16(&in);
		w[i].time = fuzz_u64(&in);
	}
	/* flags bit 0: a header whose count is not the number of entries */
	h.count = (uint32_t)count + (flags & 1);
	r = tes_drivers_encode(&keys, &h, iv, w, count, again, sizeof again, &used);
	r2 = tes_drivers_encode(&keys, &h, iv, w, count, out2, cap, &used2);
	if (flags & 1) {
		fuzz_check(r == TES_ERR_ARG && r2 == TES_ERR_ARG, "count mismatch refused");
		return;
	}
	if (r != 0) {
		fuzz_check(r2 != 0, "refused entries are refused with any room");
		return;
	}
	fuzz_check(used == tes_drivers_encoded_len(w, count) &&
			   (cap >= used ? r2 == 0 && used2 == used && memcmp(out2, again, used) == 0
					: r2 == TES_ERR_SPACE),
		   "drivers.enc needs exactly its encoded length");
	memcpy(out2, again, used);
	fuzz_check(tes_drivers_decode(&keys, out2, used, &h2, back, WRITER_ENTRIES) == 0 &&
			   h2.count == count && h2.journal_seq == h.journal_seq &&
			   memcmp(h2.mac_at_seq, h.mac_at_seq, sizeof h.mac_at_seq) == 0,
		   "an encoded drivers.enc decodes");
	for (i = 0; i < count; i++)
		fuzz_check(back[i].plate_len == w[i].plate_len &&
				   memcmp(back[i].plate, w[i].plate, w[i].plate_len) == 0 &&
				   back[i].points == w[i].points && back[i].time == w[i].time,
			   "entries decode back");
	if (count > 0) {
		memcpy(out2, again, used);
		fuzz_check(tes_drivers_decode(&keys, out2, used, &h2, back, count - 1) == TES_ERR_SPACE,
			   "more entries than room is TES_ERR_SPACE");
	}
}

static void
writers(uint8_t sel, const uint8_t *p, size_t n)
{
	if (sel == 7)
		journal_writer(p, n);
	else if (sel >= 1 && sel <= 6)
		body_decode(sel, p, n);
	else if (sel >= 8 && sel <= 10)
		body_decode((uint8_t)(sel - 1), p, n);
	else
		drivers_writer(p, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tes_journal_hdr h;
	uint8_t mode, fhdr[TES_JOURNAL_FILE_HDR_LEN], prev[TES_JOURNAL_MAC_LEN];
	uint64_t created;
	size_t n;

	if (size < 1 || size - 1 > FILE_MAX)
		return 0;
	mode = data[0];
	n = size - 1;
	memcpy(file, data + 1, n);
	switch (mode % 6) {
	case 2:
		drivers_encrypt(n);
		/* fall through */
	case 1:
		drivers_remac(n);
		/* fall through */
	case 0:
		drivers_decode(n);
		break;
	case 3:
		if (tes_journal_file_hdr_decode(file, n, &created) == 0) {
			memcpy(fhdr, file, sizeof fhdr);
			tes_journal_genesis(&keys, fhdr, prev);
			(void)tes_journal_check(&keys, prev, file + sizeof fhdr, n - sizeof fhdr, &h);
			journal_records(file + sizeof fhdr, n - sizeof fhdr, 0, prev);
		}
		break;
	case 4:
		tes_journal_file_hdr_encode(fhdr, FUZZ_CREATED);
		tes_journal_genesis(&keys, fhdr, prev);
		journal_records(file, n, 1, prev);
		break;
	default:
		writers((uint8_t)((mode >> 3) % 16), data + 1, n);
		break;
	}
	return 0;
}
