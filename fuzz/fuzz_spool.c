/* SPDX-License-Identifier: ISC */
/*
 * Target "spool": the police unit's spool file (src/police/spool.c), which
 * tes-police reads back from a disk that a crash, a fault or a thief may
 * have changed. input = u8 flags | file bytes. The file is walked as the
 * spooler walks it: the header (flag bit 1: none, records from offset 0),
 * then tes_spool_next record by record until a torn or malformed tail. Each
 * record is decoded by its type (and refused by the other two decoders),
 * its tag checked under the fixed key K, and, when it decodes, encoded again
 * under K: the bytes before the tag must come back the same (the encoding is
 * canonical), the new tag must verify under K and not under another key, and
 * the old one must verify exactly when it equals the new. An ADD's report
 * also goes through both forms of tes_spool_id_input, and no decoder takes a
 * record one byte short. A torn tail must be shorter than a record or all
 * zeros, as the contract says. The three decoders and the tag check also
 * get the whole file as one record (their own framing checks).
 *
 * Flag bit 0: the harness first tags every record it can frame under K (it
 * plays the writer), so that mutated bodies reach the decoders behind a
 * good tag. Flag bit 2: the rest of the input (after the file's first
 * u16 length) is also copied raw into an ADD, a DONE and a SEEN struct and
 * given to the encoders with a fuzzer-chosen room; whatever they accept must
 * decode back to the same fields.
 *
 *   input = u8 flags | file                         (bit 2 clear)
 *   input = u8 flags | u16 n | file[n] | raw structs (bit 2 set)
 */
#include <string.h>

#include "common/err.h"
#include "crypto/hmac.h"
#include "fuzz.h"
#include "police/spool.h"

enum {
	FILE_MAX = 16384
};

/* K: the key every record is tagged under (fuzz/seeds.c uses the same) */
static const uint8_t key[TES_SPOOL_KEY_LEN] = "fuzz spool key: thirty-two bytes";

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Tag every record tes_spool_next frames under K, in place. */
static void
retag(uint8_t *p, size_t n, size_t off)
{
	struct tes_spool_rec rec;

	while (off < n && tes_spool_next(p, n, off, &rec) == 0) {
		tes_hmac_sha256(key, sizeof key, p + off, rec.len - TES_SPOOL_TAG_LEN,
				p + off + rec.len - TES_SPOOL_TAG_LEN);
		off += rec.len;
	}
}

static void
check_reencoded(const uint8_t *q, size_t m, const uint8_t *again, size_t used)
{
	uint8_t other[TES_SPOOL_KEY_LEN];
	int same_tag;

	fuzz_check(used == m, "re-encoded record has the same size");
	fuzz_check(memcmp(again, q, m - TES_SPOOL_TAG_LEN) == 0, "re-encoded record has the same bytes");
	fuzz_check(tes_spool_verify(key, again, used) == 0,
		   "a record the encoder tags under K verifies under K");
	memcpy(other, key, sizeof other);
	other[0] ^= 1;
	fuzz_check(tes_spool_verify(other, again, used) == TES_ERR_MAC, "and not under another key");
	same_tag = memcmp(again + m - TES_SPOOL_TAG_LEN, q + m - TES_SPOOL_TAG_LEN, TES_SPOOL_TAG_LEN) == 0;
	fuzz_check((tes_spool_verify(key, q, m) == 0) == same_tag,
		   "the old tag verifies exactly when it is K's");
}

static void
check_id_input(const struct tes_report *r)
{
	uint8_t a[TES_SPOOL_ID_INPUT_MAX], b[TES_SPOOL_ID_INPUT_MAX];
	size_t na, nb, want = 14 + (size_t)r->plate_len + r->loc_len;

	fuzz_check(tes_spool_id_input(r, 1, a, sizeof a, &na) == 0 && na == want, "id input with the time");
	fuzz_check(tes_spool_id_input(r, 0, b, sizeof b, &nb) == 0 && nb == want, "id input without it");
	fuzz_check(memcmp(b, "timeless", 8) == 0 && memcmp(b + 8, a, want - 8) == 0,
		   "the timeless form is \"timeless\" and the same fields");
	fuzz_check(tes_spool_id_input(r, 1, a, want - 1, &na) == TES_ERR_SPACE, "one byte short: no room");
}

static void
check_record(const uint8_t *q, size_t m, uint8_t type)
{
	static struct tes_spool_add a;
	static uint8_t again[2 * TES_SPOOL_REC_MAX];
	struct tes_spool_done d;
	struct tes_spool_seen s;
	size_t used;
	int ra = tes_spool_add_decode(q, m, &a), rd = tes_spool_done_decode(q, m, &d),
	    rs = tes_spool_seen_decode(q, m, &s);

	fuzz_check((ra == 0) + (rd == 0) + (rs == 0) <= 1, "one decoder at most takes a record");
	fuzz_check(tes_spool_add_decode(q, m - 1, &a) != 0 && tes_spool_done_decode(q, m - 1, &d) != 0 &&
			   tes_spool_seen_decode(q, m - 1, &s) != 0,
		   "no decoder takes a record one byte short");
	fuzz_check(type == TES_SPOOL_ADD || ra != 0, "only an ADD decodes as one");
	fuzz_check(type == TES_SPOOL_DONE || rd != 0, "only a DONE decodes as one");
	fuzz_check(type == TES_SPOOL_SEEN || rs != 0, "only a SEEN decodes as one");
	if (ra == 0) {
		fuzz_check(a.user_len >= 1 && a.user_len <= TES_SPOOL_USER_MAX && a.user[a.user_len] == 0 &&
				   a.timeless <= 1,
			   "ADD fields in range");
		fuzz_check(tes_spool_add_encode(key, &a, again, sizeof again, &used) == 0,
			   "a decoded ADD encodes");
		check_reencoded(q, m, again, used);
		check_id_input(&a.report);
	}
	if (rd == 0) {
		fuzz_check(d.status >= 1 && d.status <= TES_SPOOL_STATUS_MAX, "DONE status in range");
		fuzz_check(tes_spool_done_encode(key, &d, again, sizeof again, &used) == 0,
			   "a decoded DONE encodes");
		check_reencoded(q, m, again, used);
	}
	if (rs == 0) {
		fuzz_check(tes_spool_seen_encode(key, &s, again, sizeof again, &used) == 0,
			   "a decoded SEEN encodes");
		check_reencoded(q, m, again, used);
	}
}

/* Walk p[0 .. n-1] from off as the spooler does. */
static void
walk(const uint8_t *p, size_t n, size_t off)
{
	struct tes_spool_rec rec;
	int r;

	while (off < n) {
		r = tes_spool_next(p, n, off, &rec);
		if (r == TES_ERR_TRUNCATED) {
			fuzz_check(n - off < TES_SPOOL_REC_MAX || all_zero(p + off, n - off),
				   "a torn tail is shorter than a record, or zeros");
			return;
		}
		fuzz_check(r == 0 || r == TES_ERR_FORMAT, "next: a record, a torn tail or malformed");
		if (r != 0)
			return;
		fuzz_check(rec.off == off && rec.len >= TES_SPOOL_REC_MIN && rec.len <= TES_SPOOL_REC_MAX &&
				   rec.len <= n - off && rec.type == p[off + 2],
			   "a record lies inside the buffer");
		check_record(p + off, rec.len, rec.type);
		off += rec.len;
	}
}

/* The decoders and the tag check on the whole input as one record: whatever they take is framed right. */
static void
raw_decoders(const uint8_t *p, size_t n)
{
	static struct tes_spool_add a;
	struct tes_spool_done d;
	struct tes_spool_seen s;
	int r;

	if (tes_spool_add_decode(p, n, &a) == 0)
		fuzz_check(n >= TES_SPOOL_REC_MIN && n <= TES_SPOOL_REC_MAX && p[2] == TES_SPOOL_ADD,
			   "a whole ADD");
	if (tes_spool_done_decode(p, n, &d) == 0)
		fuzz_check(n == 2 + TES_SPOOL_DONE_LEN && p[2] == TES_SPOOL_DONE, "a whole DONE");
	if (tes_spool_seen_decode(p, n, &s) == 0)
		fuzz_check(n == 2 + TES_SPOOL_SEEN_LEN && p[2] == TES_SPOOL_SEEN, "a whole SEEN");
	r = tes_spool_verify(key, p, n);
	fuzz_check(n < TES_SPOOL_OVERHEAD ? r == TES_ERR_TRUNCATED : r == 0 || r == TES_ERR_MAC,
		   "the tag check: a verdict, or too short");
}

/* Raw structs from the fuzzer: whatever the encoders take decodes back the same. */
static void
raw_encoders(struct fuzz_in *in)
{
	static struct tes_spool_add a, a2;
	static uint8_t out[2 * TES_SPOOL_REC_MAX];
	struct tes_spool_done d, d2;
	struct tes_spool_seen s, s2;
	size_t got, used, cap = fuzz_u16(in) % sizeof out;
	const uint8_t *p;

	memset(&a, 0, sizeof a);
	p = fuzz_bytes(in, sizeof a, &got);
	memcpy(&a, p, got);
	if (tes_spool_add_encode(key, &a, out, cap, &used) == 0) {
		fuzz_check(used <= cap && tes_spool_add_decode(out, used, &a2) == 0,
			   "an encoded ADD decodes");
		fuzz_check(a2.user_len == a.user_len && memcmp(a2.user, a.user, a.user_len) == 0 &&
				   a2.spooled_at == a.spooled_at && a2.timeless == a.timeless &&
				   memcmp(a2.digest, a.digest, sizeof a.digest) == 0 &&
				   memcmp(a2.sig, a.sig, sizeof a.sig) == 0 &&
				   memcmp(a2.report.id, a.report.id, sizeof a.report.id) == 0 &&
				   a2.report.speed == a.report.speed && a2.report.time == a.report.time &&
				   a2.report.plate_len == a.report.plate_len &&
				   memcmp(a2.report.plate, a.report.plate, a.report.plate_len) == 0 &&
				   a2.report.loc_len == a.report.loc_len &&
				   memcmp(a2.report.loc, a.report.loc, a.report.loc_len) == 0,
			   "ADD round trip");
		fuzz_check(tes_spool_verify(key, out, used) == 0, "and verifies");
	}
	(void)tes_spool_id_input(&a.report, in->off % 2, out, cap, &used);
	memset(&d, 0, sizeof d);
	p = fuzz_bytes(in, sizeof d, &got);
	memcpy(&d, p, got);
	if (tes_spool_done_encode(key, &d, out, cap, &used) == 0)
		fuzz_check(tes_spool_done_decode(out, used, &d2) == 0 && d2.status == d.status &&
				   d2.at == d.at && memcmp(d2.id, d.id, sizeof d.id) == 0,
			   "DONE round trip");
	memset(&s, 0, sizeof s);
	p = fuzz_bytes(in, sizeof s, &got);
	memcpy(&s, p, got);
	if (tes_spool_seen_encode(key, &s, out, cap, &used) == 0)
		fuzz_check(tes_spool_seen_decode(out, used, &s2) == 0 && s2.observed == s.observed &&
				   s2.first == s.first && memcmp(s2.digest, s.digest, sizeof s.digest) == 0 &&
				   memcmp(s2.id, s.id, sizeof s.id) == 0,
			   "SEEN round trip");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t file[FILE_MAX];
	struct fuzz_in in = { data, size, 0 };
	uint8_t flags = fuzz_u8(&in), salt[TES_SPOOL_SALT_LEN], hdr[TES_SPOOL_HDR_LEN];
	size_t n = (flags & 4) != 0 ? fuzz_u16(&in) : size, off = 0;
	const uint8_t *p = fuzz_bytes(&in, n < FILE_MAX ? n : FILE_MAX, &n);
	int r;

	memcpy(file, p, n);
	if ((flags & 2) == 0) {
		r = tes_spool_hdr_decode(file, n, salt);
		fuzz_check(r == 0 || r == TES_ERR_TRUNCATED || r == TES_ERR_FORMAT || r == TES_ERR_VERSION,
			   "header: ok or a known refusal");
		if (r == 0) {
			tes_spool_hdr_encode(salt, hdr);
			fuzz_check(memcmp(hdr, file, sizeof hdr) == 0,
				   "a header that decodes encodes back the same");
		}
		if (r != 0)
			n = 0;
		off = TES_SPOOL_HDR_LEN;
	}
	if ((flags & 1) != 0)
		retag(file, n, off);
	walk(file, n, off);
	raw_decoders(file, n);
	if ((flags & 4) != 0)
		raw_encoders(&in);
	return 0;
}
