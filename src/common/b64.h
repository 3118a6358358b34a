/* SPDX-License-Identifier: ISC */
/*
 * Base64 (RFC 4648 section 4, standard alphabet) and lowercase hex. The
 * character mapping is branch-free, so encoding or decoding a secret does
 * not leak it through timing; only lengths and the position of the first
 * invalid character are public. No allocation.
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

/*
 * Hex (src/common/hex.c, proven: proofs/README.md). Characters are C chars,
 * so a byte above 0x7f is a negative value and never a digit.
 */
/*@ predicate hex_digit(integer c) = ('0' <= c <= '9') || ('a' <= c <= 'f') || ('A' <= c <= 'F');
    predicate hex_lower(integer c) = ('0' <= c <= '9') || ('a' <= c <= 'f');
    logic integer hex_value(integer c) =
        '0' <= c <= '9' ? c - '0' : 'a' <= c <= 'f' ? c - 'a' + 10 : 'A' <= c <= 'F' ? c - 'A' + 10 : 0;
 */

/*@ requires 2 * n + 1 <= SIZE_MAX;
    requires \valid_read(in + (0 .. n-1)) && \valid(out + (0 .. 2 * n));
    requires \separated(in + (0 .. n-1), out + (0 .. 2 * n));
    terminates \true;
    assigns out[0 .. 2 * n];
    ensures out[2 * n] == 0;
    ensures \forall integer k; 0 <= k < 2 * n ==> hex_lower(out[k]);
    ensures \forall integer k; 0 <= k < n ==> hex_value(out[2 * k]) * 16 + hex_value(out[2 * k + 1]) == in[k];
 */
/* Lowercase hex of n bytes; out has room for 2n + 1 characters (NUL). */
void
tes_hex_encode(const uint8_t *in, size_t n, char *out);

/*@ requires \valid_read(in + (0 .. n-1)) && \valid(out + (0 .. outlen-1));
    requires \separated(in + (0 .. n-1), out + (0 .. outlen-1));
    terminates \true;
    assigns out[0 .. outlen-1];
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    behavior length:
      assumes n != 2 * outlen;
      assigns \nothing;
      ensures \result == TES_ERR_FORMAT;
    behavior digits:
      assumes n == 2 * outlen;
      ensures \result == 0 <==> (\forall integer k; 0 <= k < n ==> hex_digit(in[k]));
      ensures \result == 0 ==> \forall integer k; 0 <= k < outlen ==>
              out[k] == hex_value(in[2 * k]) * 16 + hex_value(in[2 * k + 1]);
      ensures \result != 0 ==> \forall integer k; 0 <= k < outlen ==> out[k] == 0;
    complete behaviors; disjoint behaviors;
 */
/*
 * Decode exactly 2 * outlen hex characters (either case) into outlen bytes.
 * TES_ERR_FORMAT for a wrong length or a non-hex character; out is wiped
 * on failure.
 */
int
tes_hex_decode(const char *in, size_t n, uint8_t *out, size_t outlen);

#endif
