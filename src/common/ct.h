/* SPDX-License-Identifier: ISC */
/*
 * Constant-time comparison (Monocypher crypto_verify style): every MAC,
 * Finished value, token and password hash is compared with tes_ct_eq().
 * Wiping secrets is common/wipe.h.
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

#endif
