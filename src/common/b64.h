/* SPDX-License-Identifier: ISC */
/*
 * Base64 (RFC 4648 section 4, standard alphabet). The character mapping is
 * branch-free, so encoding or decoding a secret does not leak it through
 * timing; only lengths and the position of the first invalid character are
 * public. No allocation. Hex is common/hex.h.
 */
#ifndef TES_COMMON_B64_H
#define TES_COMMON_B64_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Buffer size (NUL included) that always fits the padded encoding of n bytes. */
#define TES_B64_ENCLEN(n) ((((n) + 2) / 3) * 4 + 1)
/* Upper bound of the bytes decoded from n characters. */
#define TES_B64_DECLEN(n) ((((n) + 3) / 4) * 3)

/*
 * Encode n bytes into out (cap bytes, NUL-terminated). pad = 0 omits the
 * trailing '=' characters. TES_ERR_SPACE (out untouched) when cap is short.
 */
int
tes_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, int pad);

/*
 * Strict decode of exactly n characters (no whitespace, no NUL needed).
 * Padding is optional, but when present it must be complete; unused bits
 * of the last character must be zero, so every byte string has exactly
 * one accepted padded and one unpadded form. TES_ERR_FORMAT for any other
 * input, TES_ERR_SPACE when the result does not fit cap; out is wiped on
 * failure.
 */
int
tes_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen);

#endif
