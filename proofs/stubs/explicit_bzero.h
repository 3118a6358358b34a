/* SPDX-License-Identifier: ISC */
/*
 * Trusted specification of glibc explicit_bzero(3), which the Frama-C libc
 * does not declare. Assumed: it zeroes exactly p[0 .. n-1], writes nothing
 * else and returns. Force-included (-include) for the proof of ct.c only.
 */
#ifndef TES_PROOF_EXPLICIT_BZERO_H
#define TES_PROOF_EXPLICIT_BZERO_H
#include <stddef.h>

/*@ requires \valid((char *)p + (0 .. n-1));
    terminates \true;
    assigns ((char *)p)[0 .. n-1];
    ensures \forall integer k; 0 <= k < n ==> ((char *)p)[k] == 0;
 */
void
explicit_bzero(void *p, size_t n);
#endif
