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
 *   ciphertext = 3DES-EDE3-CBC(n x (u8 plate_len | plate | u32 points), PKCS#7)
 *   mac        = HMAC-SHA256(drivers mac key, header || ciphertext)
 *
 * Entries are sorted by tes_drivers_plate_cmp, strictly ascending.
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
	TES_DRIVERS_VERSION = 1,
	TES_DRIVERS_HDR_LEN = 60,
	TES_DRIVERS_ENTRY_MIN = 1 + 1 + 4,
	TES_DRIVERS_ENTRY_MAX = 1 + TES_PLATE_MAX + 4,
	TES_DRIVERS_FILE_MIN = TES_DRIVERS_HDR_LEN + TES_DES_BLOCK + TES_JOURNAL_MAC_LEN
};

/* One driver's record. */
struct tes_driver {
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1]; /* tes_field_plate_valid, NUL-terminated */
	uint32_t points;
};

/* The clear header of drivers.enc. */
struct tes_drivers_hdr {
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
    predicate drivers_ct_ok(integer n, integer count) =
        n >= TES_DRIVERS_FILE_MIN && (n - TES_DRIVERS_HDR_LEN - TES_JOURNAL_MAC_LEN) % TES_DES_BLOCK == 0 &&
        count <= (n - TES_DRIVERS_HDR_LEN - TES_JOURNAL_MAC_LEN) / TES_DRIVERS_ENTRY_MIN;
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
    ensures \result <= TES_DRIVERS_FILE_MIN + count * (TES_DRIVERS_ENTRY_MIN + 255);
 */
size_t
tes_drivers_encoded_len(const struct tes_driver *v, size_t count);

/*
 * Encode the snapshot of the count entries of v (h->count must equal count)
 * into out (cap bytes, at least tes_drivers_encoded_len). Refuses invalid
 * plates (TES_ERR_PLATE) and entries that are not strictly ascending
 * (TES_ERR_FORMAT). *used gets the file size.
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
 * reserved field (TES_ERR_FORMAT), version (TES_ERR_VERSION), a ciphertext
 * that is a non-zero multiple of 8 and a count that can fit in it
 * (TES_ERR_FORMAT). Fills h; nothing is decrypted, so a caller can size the
 * entry array from h->count before tes_drivers_decode.
 */
/*@ requires \valid_read(k) && \valid_read(p + (0 .. n-1)) && \valid(h);
    requires \separated(h, k, p + (0 .. n-1));
    terminates \true;
    assigns *h;
    ensures \result == 0 ==> drivers_ct_ok(n, h->count);
    ensures \result == 0 ==> \old(be32(p)) == TES_DRIVERS_MAGIC && \old(be16(p + 4)) == TES_DRIVERS_VERSION &&
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
 * entries, TES_ERR_SPACE when h->count is larger): valid plates, strictly
 * ascending, exactly h->count of them followed by nothing but the padding.
 */
/*@ requires \valid_read(k) && \valid(p + (0 .. n-1)) && \valid(h) && \valid(v + (0 .. max-1));
    requires \separated(h, k, p + (0 .. n-1), v + (0 .. max-1));
    requires \separated(v + (0 .. max-1), k, p + (0 .. n-1));
    requires \separated(k, p + (0 .. n-1));
    terminates \true;
    assigns *h, p[TES_DRIVERS_HDR_LEN .. n - TES_JOURNAL_MAC_LEN - 1], v[0 .. max-1];
    ensures \result == 0 ==> drivers_ct_ok(n, h->count) && h->count <= max;
    ensures \result == 0 || \result < 0;
 */
int
tes_drivers_decode(const struct tes_seal_keys *k, uint8_t *p, size_t n, struct tes_drivers_hdr *h,
		   struct tes_driver *v, size_t max);

#endif
