/* SPDX-License-Identifier: ISC */
/*
 * drivers.enc codec (spec/STORAGE.md#drivers): the encrypted, authenticated
 * snapshot plate -> points that compacts the journal's decisions. Pure
 * functions over caller buffers: no allocation, no I/O, no randomness.
 *
 *   +------+-----+-----+---------+---------------+-------+-------+------------+---------+
 *   | TESD | u16 | u16 | u64 seq | mac_at_seq 32 | u32 n | iv[8] | ciphertext | mac(32) |
 *   +------+-----+-----+---------+---------------+-------+-------+------------+---------+
 *   |<-------------------------- 60-byte header --------------->|
 *
 *   ciphertext = 3DES-EDE3-CBC(n x entry, PKCS#7)
 *   entry      = u8 plate_len | plate | u32 points | u64 time     (version 2)
 *                u8 plate_len | plate | u32 points                (version 1)
 *   mac        = HMAC-SHA256(drivers mac key, header || ciphertext)
 *
 * Version 2 entries are sorted by (plate, time): plate by
 * tes_drivers_plate_cmp, then time ascending; equal pairs are allowed.
 * Version 1 entries are sorted by plate, strictly ascending. The encoder
 * writes version 2; the decoder reads both.
 */
#ifndef TES_STORE_DRIVERS_H
#define TES_STORE_DRIVERS_H

#include <stddef.h>
#include <stdint.h>

#include "store/journal.h"
#include "store/seal.h"
#include "wire/limits.h"

enum tes_drivers_limits {
	TES_DRIVERS_MAGIC = 0x54455344, /* "TESD" */
	TES_DRIVERS_VERSION_1 = 1,      /* read only */
	TES_DRIVERS_VERSION = 2,        /* what the encoder writes */
	TES_DRIVERS_HDR_LEN = 60,
	TES_DRIVERS_ENTRY1_MIN = 1 + 1 + 4,
	TES_DRIVERS_ENTRY1_MAX = 1 + TES_PLATE_MAX + 4,
	TES_DRIVERS_ENTRY2_MIN = 1 + 1 + 4 + 8,
	TES_DRIVERS_ENTRY2_MAX = 1 + TES_PLATE_MAX + 4 + 8,
	TES_DRIVERS_ENTRY_MIN = TES_DRIVERS_ENTRY1_MIN, /* of any version */
	TES_DRIVERS_ENTRY_MAX = TES_DRIVERS_ENTRY2_MAX, /* of any version */
	TES_DRIVERS_FILE_MIN = TES_DRIVERS_HDR_LEN + TES_DES_BLOCK + TES_JOURNAL_MAC_LEN
};

/* One driver's record. */
struct tes_driver {
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1]; /* tes_field_plate_valid, NUL-terminated */
	uint32_t points;
	uint64_t time; /* of the offence (version 2); 0 in a version 1 file */
};

/* The clear header of drivers.enc. */
struct tes_drivers_hdr {
	uint16_t version;                        /* decoded: 1 or 2; the encoder writes 2 and ignores it */
	uint64_t journal_seq;                    /* last journal record the snapshot covers */
	uint8_t mac_at_seq[TES_JOURNAL_MAC_LEN]; /* chain value of that record (genesis for 0) */
	uint32_t count;                          /* entries */
};

/*
 * The rules of spec/STORAGE.md#drivers as ACSL predicates, for the contracts
 * below (proofs/README.md). ubyte is the byte value of a char, as the
 * (uint8_t) conversion gives it.
 */
/*@ logic integer ubyte(char c) = c < 0 ? c + 256 : c;
    predicate plate_lt(char *a, integer alen, char *b, integer blen) =
        (\exists integer i; 0 <= i < alen && i < blen &&
            (\forall integer j; 0 <= j < i ==> a[j] == b[j]) && ubyte(a[i]) < ubyte(b[i])) ||
        (alen < blen && \forall integer j; 0 <= j < alen ==> a[j] == b[j]);
    predicate plate_eq(char *a, integer alen, char *b, integer blen) =
        alen == blen && \forall integer j; 0 <= j < alen ==> a[j] == b[j];
    predicate drivers_version_ok(integer version) =
        version == TES_DRIVERS_VERSION_1 || version == TES_DRIVERS_VERSION;
    logic integer entry_min(integer version) =
        version == TES_DRIVERS_VERSION_1 ? TES_DRIVERS_ENTRY1_MIN : TES_DRIVERS_ENTRY2_MIN;
    predicate entry_lt(struct tes_driver *a, struct tes_driver *b, integer version) =
        plate_lt(&a->plate[0], a->plate_len, &b->plate[0], b->plate_len) ||
        (version == TES_DRIVERS_VERSION && plate_eq(&a->plate[0], a->plate_len, &b->plate[0], b->plate_len) &&
         a->time <= b->time);
    predicate drivers_ct_ok(integer n, integer version, integer count) =
        drivers_version_ok(version) &&
        n >= TES_DRIVERS_FILE_MIN && (n - TES_DRIVERS_HDR_LEN - TES_JOURNAL_MAC_LEN) % TES_DES_BLOCK == 0 &&
        count <= (n - TES_DRIVERS_HDR_LEN - TES_JOURNAL_MAC_LEN) / entry_min(version);
 */

/*
 * Order of plates: bytewise, a proper prefix first (strcmp order). Negative,
 * zero or positive like memcmp.
 */
/*@ requires \valid_read(a + (0 .. alen-1)) && \valid_read(b + (0 .. blen-1));
    terminates \true;
    assigns \nothing;
    ensures \result < 0 <==> plate_lt(a, alen, b, blen);
    ensures \result == 0 <==> alen == blen && \forall integer j; 0 <= j < alen ==> a[j] == b[j];
    ensures \result == -1 || \result == 0 || \result == 1;
 */
int
tes_drivers_plate_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Exact size of the file holding the count entries of v. */
/*@ requires \valid_read(v + (0 .. count-1)) && count <= SIZE_MAX / 512;
    terminates \true;
    assigns \nothing;
    ensures \result <= TES_DRIVERS_FILE_MIN + count * (TES_DRIVERS_ENTRY2_MIN + 255);
 */
size_t
tes_drivers_encoded_len(const struct tes_driver *v, size_t count);

/*
 * Encode the version 2 snapshot of the count entries of v (h->count must
 * equal count; h->version is not read) into out (cap bytes, at least
 * tes_drivers_encoded_len). Refuses invalid plates (TES_ERR_PLATE) and
 * entries out of (plate, time) order (TES_ERR_FORMAT). *used gets the file
 * size.
 */
/*@ requires \valid_read(k) && \valid_read(h) && \valid_read(iv + (0 .. TES_DES_BLOCK - 1));
    requires \valid_read(v + (0 .. count-1)) && count <= SIZE_MAX / 512;
    requires \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(out + (0 .. cap-1), used, k, h, iv + (0 .. TES_DES_BLOCK - 1), v + (0 .. count-1));
    requires \separated(used, k, h, iv + (0 .. TES_DES_BLOCK - 1), v + (0 .. count-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> *used <= cap && *used >= TES_DRIVERS_FILE_MIN;
    ensures \result == 0 ==> count == h->count;
 */
int
tes_drivers_encode(const struct tes_seal_keys *k, const struct tes_drivers_hdr *h,
		   const uint8_t iv[static TES_DES_BLOCK], const struct tes_driver *v, size_t count,
		   uint8_t *out, size_t cap, size_t *used);

/*
 * Check a whole file of n bytes: the MAC first (TES_ERR_MAC), then magic,
 * reserved field (TES_ERR_FORMAT), version 1 or 2 (TES_ERR_VERSION), a
 * ciphertext that is a non-zero multiple of 8 and a count that can fit in
 * it at the version's smallest entry (TES_ERR_FORMAT). Fills h; nothing is
 * decrypted, so a caller can size the entry array from h->count before
 * tes_drivers_decode.
 */
/*@ requires \valid_read(k) && \valid_read(p + (0 .. n-1)) && \valid(h);
    requires \separated(h, k, p + (0 .. n-1));
    terminates \true;
    assigns *h;
    ensures \result == 0 ==> drivers_ct_ok(n, h->version, h->count);
    ensures \result == 0 ==> \old(be32(p)) == TES_DRIVERS_MAGIC && \old(be16(p + 4)) == h->version &&
            \old(be16(p + 6)) == 0;
    ensures n < TES_DRIVERS_FILE_MIN ==> \result == TES_ERR_TRUNCATED;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_MAC ||
            \result == TES_ERR_FORMAT || \result == TES_ERR_VERSION;
 */
int
tes_drivers_hdr_decode(const struct tes_seal_keys *k, const uint8_t *p, size_t n, struct tes_drivers_hdr *h);

/*
 * tes_drivers_hdr_decode, then decrypt the ciphertext in place (p is
 * modified: the caller wipes it) and decode the entries into v (max
 * entries, TES_ERR_SPACE when h->count is larger): valid plates in the
 * version's order (version 1: strictly ascending, time 0; version 2:
 * (plate, time) ascending, equal pairs allowed), exactly h->count of them
 * followed by nothing but the padding.
 */
/*@ requires \valid_read(k) && \valid(p + (0 .. n-1)) && \valid(h) && \valid(v + (0 .. max-1));
    requires \separated(h, k, p + (0 .. n-1), v + (0 .. max-1));
    requires \separated(v + (0 .. max-1), k, p + (0 .. n-1));
    requires \separated(k, p + (0 .. n-1));
    terminates \true;
    assigns *h, p[TES_DRIVERS_HDR_LEN .. n - TES_JOURNAL_MAC_LEN - 1], v[0 .. max-1];
    ensures \result == 0 ==> drivers_ct_ok(n, h->version, h->count) && h->count <= max;
    ensures \result == 0 || \result < 0;
 */
int
tes_drivers_decode(const struct tes_seal_keys *k, uint8_t *p, size_t n, struct tes_drivers_hdr *h,
		   struct tes_driver *v, size_t max);

#endif
