/* SPDX-License-Identifier: ISC */
/*
 * Single DES in CBC mode, decryption only: what the original system's
 * drivers.enc used (spec/LEGACY.md#container). Single DES is broken (a
 * 56-bit key) and the original key is public; TES reads such files once, to
 * import them, and never writes one.
 */
#ifndef TES_CRYPTO_DES1_H
#define TES_CRYPTO_DES1_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum tes_des1_limits {
	TES_DES1_KEY_LEN = 8, /* one DES key: 8 bytes, the low bit of each a parity bit BearSSL ignores */
	TES_DES1_BLOCK = 8
};

/*@ requires \valid_read(key + (0 .. TES_DES1_KEY_LEN - 1)) && \valid_read(iv + (0 .. TES_DES1_BLOCK - 1));
    requires \valid(data + (0 .. n-1));
    requires \separated(data + (0 .. n-1), key + (0 .. TES_DES1_KEY_LEN - 1), iv + (0 .. TES_DES1_BLOCK - 1));
    terminates \true;
    assigns data[0 .. n-1];
    ensures \result == 0 || \result == TES_ERR_ARG;
    ensures \result == 0 <==> n % TES_DES1_BLOCK == 0;
 */
/*
 * Decrypts data[0 .. n-1] in place: single-DES-CBC under key with the
 * initial vector iv (neither changes). n must be a multiple of 8 (0 is
 * allowed and changes nothing); otherwise TES_ERR_ARG and data is untouched.
 * Unpadding is the caller's (tes_legacy_unpad).
 */
int
tes_des1_cbc_decrypt(const uint8_t key[static TES_DES1_KEY_LEN], const uint8_t iv[static TES_DES1_BLOCK],
		     uint8_t *data, size_t n);

#endif
