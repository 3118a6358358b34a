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
#include "wire/limits.h"

enum tes_drivers_limits {
	TES_DRIVERS_VERSION = 1,
	TES_DRIVERS_HDR_LEN = 60,
	TES_DRIVERS_ENTRY_MIN = 1 + 1 + 4,
	TES_DRIVERS_ENTRY_MAX = 1 + TES_PLATE_MAX + 4
};

/* One driver's record. */
struct tes_driver {
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1];   /* tes_plate_valid, NUL-terminated */
	uint32_t points;
};

/* The clear header of drivers.enc. */
struct tes_drivers_hdr {
	uint64_t journal_seq;            /* last journal record the snapshot covers */
	uint8_t mac_at_seq[TES_JOURNAL_MAC_LEN];  /* chain value of that record (genesis for 0) */
	uint32_t count;                  /* entries */
};

/*
 * Order of plates: bytewise, a proper prefix first (strcmp order). Negative,
 * zero or positive like memcmp.
 */
int
tes_drivers_plate_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Exact size of the file holding the count entries of v. */
size_t
tes_drivers_encoded_len(const struct tes_driver *v, size_t count);

/*
 * Encode the snapshot of the count entries of v (h->count must equal count)
 * into out (cap bytes, at least tes_drivers_encoded_len). Refuses invalid
 * plates (TES_ERR_PLATE) and entries that are not strictly ascending
 * (TES_ERR_FORMAT). *used gets the file size.
 */
int
tes_drivers_encode(const struct tes_store_keys *k, const struct tes_drivers_hdr *h,
		   const uint8_t iv[static TES_DES_BLOCK], const struct tes_driver *v, size_t count,
		   uint8_t *out, size_t cap, size_t *used);

/*
 * Check a whole file of n bytes: the MAC first (TES_ERR_MAC), then magic,
 * reserved field (TES_ERR_FORMAT), version (TES_ERR_VERSION), a ciphertext
 * that is a non-zero multiple of 8 and a count that can fit in it
 * (TES_ERR_FORMAT). Fills h; nothing is decrypted, so a caller can size the
 * entry array from h->count before tes_drivers_decode.
 */
int
tes_drivers_hdr_decode(const struct tes_store_keys *k, const uint8_t *p, size_t n, struct tes_drivers_hdr *h);

/*
 * tes_drivers_hdr_decode, then decrypt the ciphertext in place (p is
 * modified: the caller wipes it) and decode the entries into v (max
 * entries, TES_ERR_SPACE when h->count is larger): valid plates, strictly
 * ascending, exactly h->count of them followed by nothing but the padding.
 */
int
tes_drivers_decode(const struct tes_store_keys *k, uint8_t *p, size_t n, struct tes_drivers_hdr *h,
		   struct tes_driver *v, size_t max);

#endif
