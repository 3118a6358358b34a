/* SPDX-License-Identifier: ISC */
/*
 * Lowercase hex (src/common/hex.c, proven: proofs/README.md), branch-free
 * like base64 so that a secret's encoding does not leak through timing.
 * Characters are C chars, so a byte above 0x7f is a negative value and never
 * a digit. No allocation.
 */
#ifndef TES_COMMON_HEX_H
#define TES_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

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
