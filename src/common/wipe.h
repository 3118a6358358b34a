/* SPDX-License-Identifier: ISC */
/*
 * Wiping secrets (Monocypher crypto_wipe style): every buffer that held a
 * key, a password or a session secret is wiped with tes_wipe() at the
 * function's single exit, in a way the compiler cannot elide.
 */
#ifndef TES_COMMON_WIPE_H
#define TES_COMMON_WIPE_H

#include <stddef.h>
#include <stdint.h>

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
