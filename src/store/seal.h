/* SPDX-License-Identifier: ISC */
/*
 * The storage cipher (spec/STORAGE.md#keys): the keys of each stored object
 * (the journal, drivers.enc), derived from storage.key, and 3DES-EDE3-CBC
 * with PKCS#7 padding under them. The journal and drivers.enc codecs seal
 * their bodies with it. Pure: no allocation, no I/O.
 */
#ifndef TES_STORE_SEAL_H
#define TES_STORE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/cur.h"
#include "wire/limits.h"

enum {
	TES_STORE_KEY_LEN = 32 /* raw storage.key */
};

/* Encryption and MAC keys of one stored object (journal or drivers.enc). */
struct tes_seal_keys {
	uint8_t enc[TES_ENC_KEY_LEN]; /* 3DES-EDE3 */
	uint8_t mac[TES_MAC_KEY_LEN]; /* HMAC-SHA256 */
};

/*@ predicate pad_ok(uint8_t *p, integer n) =
        n >= TES_DES_BLOCK && n % TES_DES_BLOCK == 0 && 1 <= p[n-1] <= TES_DES_BLOCK &&
        \forall integer k; n - p[n-1] <= k < n ==> p[k] == p[n-1];
 */

/* The two stored objects that have keys of their own. */
enum tes_seal_obj {
	TES_SEAL_JOURNAL = 1, /* info "journal enc" / "journal mac" */
	TES_SEAL_DRIVERS = 2  /* info "drivers enc" / "drivers mac" */
};

/*
 * Derive the keys of one object from the raw storage key: HKDF-SHA256 with
 * salt "TES1 storage", info "<object> enc" (24 bytes) and "<object> mac"
 * (32 bytes). Wipe k when done with it.
 */
void
tes_seal_keys_derive(const uint8_t sk[static TES_STORE_KEY_LEN], enum tes_seal_obj obj,
		     struct tes_seal_keys *k);

/*
 * In-place 3DES-EDE3-CBC encryption of n bytes (a multiple of 8). This
 * contract and the next are trusted, not proven: BearSSL underneath
 * (proofs/README.md).
 */
/*@ requires \valid_read(k) && \valid_read(iv + (0 .. TES_DES_BLOCK - 1));
    requires \valid(buf + (0 .. n-1)) && n % TES_DES_BLOCK == 0;
    requires \separated(buf + (0 .. n-1), k, iv + (0 .. TES_DES_BLOCK - 1));
    terminates \true;
    assigns buf[0 .. n-1];
 */
void
tes_seal_encrypt(const struct tes_seal_keys *k, const uint8_t iv[static TES_DES_BLOCK], uint8_t *buf,
		 size_t n);

/* In-place 3DES-EDE3-CBC decryption of n bytes (a multiple of 8). */
/*@ requires \valid_read(k) && \valid_read(iv + (0 .. TES_DES_BLOCK - 1));
    requires \valid(buf + (0 .. n-1)) && n % TES_DES_BLOCK == 0;
    requires \separated(buf + (0 .. n-1), k, iv + (0 .. TES_DES_BLOCK - 1));
    terminates \true;
    assigns buf[0 .. n-1];
 */
void
tes_seal_decrypt(const struct tes_seal_keys *k, const uint8_t iv[static TES_DES_BLOCK], uint8_t *buf,
		 size_t n);

/* Ciphertext length for n plaintext bytes: the next multiple of 8 above n. */
/*@ requires n <= SIZE_MAX - TES_DES_BLOCK;
    terminates \true;
    assigns \nothing;
    ensures \result % TES_DES_BLOCK == 0 && n < \result <= n + TES_DES_BLOCK;
    ensures \result == (n / TES_DES_BLOCK + 1) * TES_DES_BLOCK;
    ensures \result == n + (TES_DES_BLOCK - n % TES_DES_BLOCK);
 */
size_t
tes_seal_ct_len(size_t n);

/* Append the PKCS#7 padding (1..8 bytes) that follows n plaintext bytes. */
/*@ requires cur_wr(c);
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + (TES_DES_BLOCK - n % TES_DES_BLOCK);
 */
int
tes_seal_put_pad(struct tes_cur *c, size_t n);

/*
 * Check the PKCS#7 padding at the end of n decrypted bytes (n a non-zero
 * multiple of 8); *plain_len gets the length without it. TES_ERR_DECRYPT.
 */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(plain_len);
    requires \separated(plain_len, p + (0 .. n-1));
    terminates \true;
    assigns *plain_len;
    ensures \result == 0 <==> \at(pad_ok(p, n), Pre);
    ensures \result == 0 ==> *plain_len == n - \old(p[n-1]) && *plain_len < n;
    ensures \result != 0 ==> *plain_len == \old(*plain_len);
    ensures \result == 0 || \result == TES_ERR_DECRYPT;
 */
int
tes_seal_unpad(const uint8_t *p, size_t n, size_t *plain_len);

#endif
