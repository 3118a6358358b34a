/* SPDX-License-Identifier: ISC */
/*
 * Trusted specification of tes_rsa_pub_check() (src/crypto/rsa.c, not
 * proven), which the UNIT record checks of journal.c call. Force-included
 * for the proof of journal.c only, after the real header. Assumed: it reads
 * only *k, writes nothing, returns, and returns 0 exactly when the modulus
 * has its top bit set and is odd, e_len is 1..4, e has no leading zero and
 * is odd, and a one-byte e is at least 3 (the tests of rsa.c, with x & 1
 * written x % 2), else TES_ERR_KEY.
 */
#ifndef TES_PROOF_CRYPTO_RSA_H
#define TES_PROOF_CRYPTO_RSA_H
#include "common/err.h"
#include "crypto/rsa.h"

/*@ requires \valid_read(k);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==>
            (k->n[0] >= 0x80 && k->n[TES_RSA_LEN - 1] % 2 == 1 &&
             1 <= k->elen <= TES_RSA_E_MAX && k->e[0] != 0 && k->e[k->elen - 1] % 2 == 1 &&
             (k->elen == 1 ==> k->e[0] >= 3));
    ensures \result == 0 || \result == TES_ERR_KEY;
 */
int
tes_rsa_pub_check(const struct tes_rsa_pub *k);
#endif
