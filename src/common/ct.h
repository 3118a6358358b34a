/* SPDX-License-Identifier: ISC */
/*
 * Constant-time comparison and secret wiping (Monocypher crypto_verify /
 * crypto_wipe style). Every MAC, Finished value, token and password hash is
 * compared with tes_ct_eq(); every buffer that held a key is wiped with
 * tes_wipe() at the function's single exit.
 */
#ifndef TES_COMMON_CT_H
#define TES_COMMON_CT_H

#include <stddef.h>
#include <stdint.h>

/*@ requires \valid_read(a + (0 .. n-1));
    requires \valid_read(b + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (\forall integer k; 0 <= k < n ==> a[k] == b[k]);
    ensures \result == 0 || \result == -1;
 */
/* 0 if the n bytes are equal, -1 otherwise; time depends only on n. */
int
tes_ct_eq(const uint8_t *a, const uint8_t *b, size_t n);

/*@ requires \valid((char *)p + (0 .. n-1));
    terminates \true;
    assigns ((char *)p)[0 .. n-1];
    ensures \forall integer k; 0 <= k < n ==> ((char *)p)[k] == 0;
 */
/* Overwrite n bytes with zeros in a way the compiler cannot elide. */
void
tes_wipe(void *p, size_t n);

/*@ requires \valid(p + (0 .. n-1));
    terminates \true;
    assigns p[0 .. n-1];
    ensures \forall integer k; 0 <= k < n ==> p[k] == 0;
 */
/*
 * tes_wipe() of a byte buffer, with the contract spelled on uint8_t for the
 * proven callers: WP's typed memory model cannot follow a uint8_t * into
 * tes_wipe()'s void *. Trusted, not proven (proofs/README.md).
 */
void
tes_wipe_u8(uint8_t *p, size_t n);

/*@ requires \valid(p + (0 .. n-1));
    terminates \true;
    assigns p[0 .. n-1];
    ensures \forall integer k; 0 <= k < n ==> p[k] == 0;
 */
/* tes_wipe() of a char buffer, for the same reason. Trusted, not proven. */
void
tes_wipe_chars(char *p, size_t n);

#define TES_WIPE_BUF(b) tes_wipe((b), sizeof(b))
#define TES_WIPE_CTX(c) tes_wipe((c), sizeof(*(c)))

#endif
