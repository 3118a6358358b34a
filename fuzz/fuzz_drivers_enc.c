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
 *   mode % 6 == 5  a record body for the body decoder of type (mode >> 3) % 6
 *
 * Properties: a snapshot or body that decodes re-encodes to the same bytes;
 * decoded plates are valid and strictly ascending.
 */
#include <string.h>

#include "common/err.h"
#include "crypto/hash.h"
#include "fuzz.h"
#include "store/drivers.h"
#include "store/journal.h"
#include "wire/validate.h"

enum {
	FILE_MAX = 16384,
	ENTRIES_MAX = FILE_MAX / TES_DRIVERS_ENTRY_MIN + 1,
	IV_OFF = TES_DRIVERS_HDR_LEN - TES_DES_BLOCK
};

/* Creation time of the journal file header that resealed records chain from. */
#define FUZZ_CREATED 1704067200u

static const struct tes_store_keys keys = {
	.enc = "fuzz drivers.enc 3des ky",
	.mac = "fuzz storage mac key hmac-sha256",
};

static uint8_t file[FILE_MAX], again[FILE_MAX];
static struct tes_driver v[ENTRIES_MAX];

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
	for (i = 0; i < h.count; i++)
		fuzz_check(tes_plate_valid(v[i].plate, v[i].plate_len) == 0 &&
				   (i == 0 || tes_drivers_plate_cmp(v[i - 1].plate, v[i - 1].plate_len, v[i].plate,
								     v[i].plate_len) < 0),
			   "decoded plates valid and ascending");
	memcpy(file, again, n);
	fuzz_check(tes_drivers_encode(&keys, &h, iv, v, h.count, again, sizeof again, &used) == 0 && used == n &&
			   memcmp(again, file, n) == 0,
		   "drivers.enc re-encodes to the same file");
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
	tes_store_encrypt(&keys, file + IV_OFF, file + TES_DRIVERS_HDR_LEN, ct);
}

static void
body_decode(uint8_t type, const uint8_t *p, size_t n)
{
	union {
		struct tes_journal_unit unit;
		struct tes_journal_user user;
		struct tes_journal_report report;
		struct tes_journal_decision decision;
		struct tes_journal_audit audit;
	} m;
	size_t used = 0;
	int r = -1;

	switch (type) {
	case TES_JREC_UNIT:
		if (tes_journal_unit_decode(p, n, &m.unit) == 0)
			r = tes_journal_unit_encode(&m.unit, again, sizeof again, &used);
		break;
	case TES_JREC_USER:
		if (tes_journal_user_decode(p, n, &m.user) == 0)
			r = tes_journal_user_encode(&m.user, again, sizeof again, &used);
		break;
	case TES_JREC_REPORT:
		if (tes_journal_report_decode(p, n, &m.report) == 0)
			r = tes_journal_report_encode(&m.report, again, sizeof again, &used);
		break;
	case TES_JREC_DECISION:
		if (tes_journal_decision_decode(p, n, &m.decision) == 0)
			r = tes_journal_decision_encode(&m.decision, again, sizeof again, &used);
		break;
	case TES_JREC_AUDIT:
		if (tes_journal_audit_decode(p, n, &m.audit) == 0)
			r = tes_journal_audit_encode(&m.audit, again, sizeof again, &used);
		break;
	default:
		return;
	}
	if (r != -1)
		fuzz_check(r == 0 && used == n && memcmp(again, p, n) == 0, "journal body re-encodes");
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
			tes_store_encrypt(&keys, p + off + TES_JOURNAL_HDR_LEN,
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
		body_decode((uint8_t)((mode >> 3) % 6), file, n);
		break;
	}
	return 0;
}
